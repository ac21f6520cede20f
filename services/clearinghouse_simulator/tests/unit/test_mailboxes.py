"""Where the demo's patients read their statements (patients.py): the local stack's folder of .eml files, or a
Mailpit sink through its API (its message list, then each message's source), each message once; a sink that does not
answer gives nothing this time, and is read again the next."""

import json
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clearinghouse_simulator.patients import Folder, Mailpit, mailbox


def statement(to: str) -> bytes:
    message = EmailMessage()
    message["To"], message["Subject"] = to, "Your statement"
    message.set_content("Pay at https://pay.example/pay#abc.def")
    return bytes(message)


MESSAGES = {"m1": statement("a@example.com"), "m2": statement("b@example.com")}


class _Sink(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.startswith("/api/v1/messages"):
            body = json.dumps({"total": 2, "messages": [{"ID": ident} for ident in MESSAGES]}).encode()
        elif self.path.startswith("/api/v1/message/") and self.path.endswith("/raw"):
            body = MESSAGES[self.path.split("/")[4]]
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def test_mailpit_s_messages_are_read_once_each(sink: str) -> None:
    reader = mailbox(sink)
    assert isinstance(reader, Mailpit)
    first = await reader.unread()
    assert sorted(str(m["To"]) for m in first) == ["a@example.com", "b@example.com"]
    assert "pay#abc.def" in first[0].as_string()
    assert await reader.unread() == []


async def test_a_sink_that_does_not_answer_gives_nothing_this_time() -> None:
    assert await Mailpit("http://127.0.0.1:9").unread() == []


async def test_the_local_stack_s_folder_is_read_once_each(tmp_path: Path) -> None:
    (tmp_path / "1.eml").write_bytes(MESSAGES["m1"])
    reader = mailbox(str(tmp_path))
    assert isinstance(reader, Folder)
    assert [str(m["To"]) for m in await reader.unread()] == ["a@example.com"]
    assert await reader.unread() == [] and mailbox(None) is None and mailbox("") is None
