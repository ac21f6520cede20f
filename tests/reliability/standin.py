"""Scenario 14's clearinghouse: a stand-in in front of the simulator that answers one submitter's interchanges
itself (by ISA06) and passes everything else on to the simulator as it is. It accepts that submitter's batches
with a 999 that rejects one transaction set (IK5*R, the first batch that holds more than one), and keeps in its
inbox the 277CAs the test gives it, built as the simulator builds its own."""

import json
import threading
from collections.abc import Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
from claimstream_platform.x12 import parse_interchange
from claimstream_platform.x12.p837 import Claim, ElementError, SegmentError, read_837
from clearinghouse_simulator.acks import (
    ClaimAck,
    GroupResult,
    InformationSource,
    TransactionResult,
    build_277ca,
    build_999,
)
from clearinghouse_simulator.outbound import Envelope

MINE = 10**12  # the stand-in's own document ids, far above the simulator's (claim submission keeps a source once)
PAYER = InformationSource("PR", "SIMULATED STATE MEDICAID", "PI", "SIMMCD")
# The IK3 the rejected transaction set gets: its billing provider's NPI (2010AA NM109) an invalid code value.
BAD_NPI = SegmentError("NM1", 4, "2010AA", "8", [ElementError("9", "67", "7")])


class StandIn:
    def __init__(self, simulator_url: str, submitter_id: str) -> None:
        self.submitter_id = submitter_id
        self.accepted: dict[str, Claim] = {}  # CLM01 -> the claim, of the transaction sets the 999s accepted
        self.rejected: list[str] = []  # CLM01s of the one transaction set a 999 rejected
        self.inbox_reads = 0  # how often claim submission's worker asked for its 277CAs
        self._documents: dict[int, tuple[str, str]] = {}  # id -> kind, content: waiting in the inbox
        self._numbers = iter(range(MINE + uuid4().int % 10**9 * 1000, 2 * MINE))  # this stand-in's, none reused
        self._lock = threading.Lock()
        self._simulator = httpx.Client(base_url=simulator_url, timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "StandIn":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._simulator.close()

    def answer(self, statuses: Mapping[str, str]) -> None:
        """A payer's 277CA into the inbox: each CLM01's STC01 (A2:20 accepted, A3:21 rejected)."""
        with self._lock:
            number = next(self._numbers)
            acks = [
                ClaimAck(self.accepted[pcn], status, f"SIMMCD{number}{n}")
                for n, (pcn, status) in enumerate(statuses.items())
            ]
            control = str(number % 10**9)
            envelope = Envelope("ZZ", self.submitter_id, control, control, datetime.now())
            text = build_277ca(
                acks,
                submitter_name="RELIABILITY BILLING",
                submitter_id=self.submitter_id,
                envelope=envelope,
                source=PAYER,
            )
            self._documents[number] = ("277CA", text)

    def submitted(self, body: bytes) -> dict[str, Any] | None:
        """Our submitter's interchange answered (None: another's, for the simulator)."""
        interchange = parse_interchange(body.decode("ascii"))
        if interchange.sender_id != self.submitter_id:
            return None
        acknowledgments = []
        for group in interchange.groups:
            results = []
            for transaction in group.transactions:
                claims = read_837(transaction, interchange.delimiters).claims
                with self._lock:
                    reject = not self.rejected and len(group.transactions) > 1 and transaction is group.transactions[-1]
                    if reject:
                        self.rejected = [claim.patient_control_number for claim in claims]
                    else:
                        self.accepted.update((claim.patient_control_number, claim) for claim in claims)
                errors = [BAD_NPI] if reject else []
                set_id, control, implementation = "837", transaction.control_number, transaction.implementation
                results.append(TransactionResult(set_id, control, implementation, errors, []))
            answered = GroupResult(group.functional_id, group.control_number, group.version, results, [])
            number = str(uuid4().int % 10**9)
            envelope = Envelope("ZZ", interchange.sender_id, number, number, datetime.now())
            acknowledgments.append(build_999(answered, envelope))
        return {"submission_id": str(uuid4()), "acknowledgments": acknowledgments, "responses": []}

    def inbox(self, kind: str, simulators: list[dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            self.inbox_reads += 1
            mine = [{"id": n, "kind": k, "content": c} for n, (k, c) in self._documents.items() if k == kind]
        return {"items": simulators + mine}

    def acknowledged(self, document: int) -> bool:
        with self._lock:
            return self._documents.pop(document, None) is not None

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> httpx.Response:
        wanted = {k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type", "idempotency-key")}
        return self._simulator.request(method, path, headers=wanted, content=body)


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet: the test reports what matters
            pass

        def do_GET(self) -> None:
            upstream = standin.forward("GET", self.path, dict(self.headers), None)
            if urlsplit(self.path).path != "/v1/inbox" or upstream.status_code != 200:
                return self._relay(upstream)
            kind = parse_qs(urlsplit(self.path).query).get("kind", [""])[0]
            self._json(200, standin.inbox(kind, upstream.json()["items"]))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            path = urlsplit(self.path).path
            if path.startswith("/v1/inbox/") and standin.acknowledged(int(path.split("/")[3])):
                return self._json(204, None)
            answered = standin.submitted(body) if path == "/v1/interchanges" else None
            if answered is not None:
                return self._json(200, answered)
            self._relay(standin.forward("POST", self.path, dict(self.headers), body))

        def _relay(self, response: httpx.Response) -> None:
            self.send_response(response.status_code)
            self.send_header("content-type", response.headers.get("content-type", "application/json"))
            self.send_header("content-length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        def _json(self, status: int, body: Any) -> None:
            content = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    return Handler
