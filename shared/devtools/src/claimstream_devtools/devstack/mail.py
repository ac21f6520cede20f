"""The local stack's SMTP sink: a real SMTP server (aiosmtpd) on the profile's port that keeps every message it is
given as a file (`<data dir>/mail/*.eml`) and delivers nothing further. Patient billing's statements reach it
through a real SMTP client, and a test reads them back (`delivered`)."""

import itertools
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        name = f"{time.time_ns()}-{next(self.numbers)}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 kept"


class MailSink:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_Keep(self.folder), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def delivered(folder: Path) -> list[EmailMessage]:
    """Every message the sink kept, oldest first."""
    files = sorted(folder.glob("*.eml"), key=lambda f: tuple(int(p) for p in f.stem.split("-")))
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
