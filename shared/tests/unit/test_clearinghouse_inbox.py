"""The clearinghouse inbox client both claim submission (277CAs) and remittance posting (835s) read with."""

import os
from pathlib import Path

import httpx
import pytest
from claimstream_platform.clearinghouse_inbox import ClearinghouseInbox, InboxDocument
from claimstream_platform.errors import TransientError


def an_inbox(answer: httpx.Response, seen: list[httpx.Request], token_file: Path | None) -> ClearinghouseInbox:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://sim")
    return ClearinghouseInbox(client, token_file, attempts=2, max_wait=1.0, page_size=100)


async def test_documents_of_one_kind_are_listed_with_our_token_and_acknowledged(tmp_path: Path) -> None:
    (token := tmp_path / "token").write_text("secret\n")
    items = [{"id": 7, "kind": "835", "content": "ISA*..."}, "not an object"]
    seen: list[httpx.Request] = []
    inbox = an_inbox(httpx.Response(200, json={"items": items}), seen, token)

    assert await inbox.documents("835") == [InboxDocument(7, "ISA*...")]
    await inbox.done(7)

    assert [(r.method, r.url.path) for r in seen] == [("GET", "/v1/inbox"), ("POST", "/v1/inbox/7/ack")]
    assert dict(seen[0].url.params) == {"kind": "835", "limit": "100"}
    assert seen[0].headers["authorization"] == "Bearer secret"
    assert not inbox.credential_changed()
    token.write_text("renewed")
    os.utime(token, (1, 1))
    assert inbox.credential_changed()


@pytest.mark.parametrize("answer", [httpx.Response(200, json={"no": "items"}), httpx.Response(404, json={})])
async def test_an_answer_without_items_is_an_outage_to_try_again(answer: httpx.Response) -> None:
    inbox = an_inbox(answer, [], None)

    with pytest.raises(TransientError, match="without items"):
        await inbox.documents("277CA")
