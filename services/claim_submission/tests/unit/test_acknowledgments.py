"""Reading 999s and 277CAs (the corpus's outcomes), and the gateway's retries."""

import pytest
from claim_submission.inbound.acknowledgments import read_277ca, read_999
from x12_corpus import CORPUS, MISSING


@pytest.mark.skipif(not CORPUS.is_dir(), reason=MISSING)
def test_corpus_acknowledgments_drive_the_right_outcomes() -> None:
    (group,) = read_999((CORPUS / "staedi" / "simple999.edi").read_text())
    assert [(t.control_number, t.accepted) for t in group.transactions] == [
        ("0001", True),
        ("0002", False),
        ("0003", False),
    ]
    assert [r.field for r in group.transactions[1].reasons] == ["CLM segment 22", "CLM02"]
    (accepted,) = read_277ca((CORPUS / "imsweb-x12-parser" / "277_5010" / "x12_277CA_accepted.txt").read_text())
    (rejected,) = read_277ca((CORPUS / "imsweb-x12-parser" / "277_5010" / "x12_277CA_rejected.txt").read_text())
    assert (accepted.patient_control_number, accepted.accepted, accepted.payer_claim_number) == (
        "5781",
        True,
        "1107000000014420",
    )
    assert (rejected.accepted, rejected.reason().rule) == (False, "277CA.A7.562")


async def test_the_gateway_retries_a_little_then_hands_back_the_clearinghouses_retry_after() -> None:
    import httpx
    from claim_submission.gateway import CredentialRefused, SimulatorGateway
    from claimstream_platform.errors import TransientError

    calls: list[str] = []

    def busy(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503, headers={"Retry-After": "120"})

    gateway = SimulatorGateway(httpx.AsyncClient(transport=httpx.MockTransport(busy), base_url="http://sim"))
    with pytest.raises(TransientError) as caught:
        await gateway.documents("277CA")
    assert caught.value.retry_after == 120 and len(calls) == 1  # too long to wait inside a call: the loop waits
    refused = SimulatorGateway(
        httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(401)), base_url="http://sim")
    )
    with pytest.raises(CredentialRefused):
        await refused.documents("277CA")
