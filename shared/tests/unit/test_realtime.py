"""The real-time clearinghouse client eligibility (270s) and prior authorization (278s) ask with: each interchange
carries its own digest as its Idempotency-Key, so the same interchange sent again is the same request."""

from hashlib import sha256
from pathlib import Path

import httpx
import pytest
from claimstream_platform.realtime import RealTimeClearinghouse, Refused

INTERCHANGE = "ISA*00*...*000000042*0*P*:~"
DIGEST = sha256(INTERCHANGE.encode("ascii")).hexdigest()


def a_client(answer: httpx.Response, seen: list[httpx.Request], tmp_path: Path) -> RealTimeClearinghouse:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    (token := tmp_path / "token").write_text("secret\n")
    return RealTimeClearinghouse(httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://sim"), token)


async def test_the_same_interchange_is_sent_with_the_same_key_and_its_answers_come_back(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    gateway = a_client(httpx.Response(200, json={"responses": ["ISA*271"]}), seen, tmp_path)
    assert await gateway.ask(INTERCHANGE) == ["ISA*271"]
    assert await gateway.ask(INTERCHANGE) == ["ISA*271"]
    assert [r.headers["idempotency-key"] for r in seen] == [DIGEST, DIGEST]
    assert seen[0].headers["authorization"] == "Bearer secret" and seen[0].content == INTERCHANGE.encode()


async def test_a_clearinghouse_holding_the_same_interchange_without_its_answer_gives_no_documents(
    tmp_path: Path,
) -> None:
    held = httpx.Response(409, json={"detail": "already received", "content_sha256": DIGEST})
    assert await a_client(held, [], tmp_path).ask(INTERCHANGE) == []


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(409, json={"detail": "interchange control number taken", "content_sha256": "other"}),
        httpx.Response(422, json={"detail": "ISA13 must be 9 digits"}),
    ],
)
async def test_another_interchange_under_our_number_or_a_refusal_is_refused(
    answer: httpx.Response, tmp_path: Path
) -> None:
    with pytest.raises(Refused):
        await a_client(answer, [], tmp_path).ask(INTERCHANGE)
