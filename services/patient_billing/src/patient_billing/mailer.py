"""Statements and plan reminders by email, through a real SMTP client (the standard library's, in a worker thread
so the event loop never waits on the server): the text as the body and a statement's PDF attached. The local
stack's server is an SMTP sink (claimstream_devtools.devstack.mail); in production, the practice's mail relay, which
takes mail only after STARTTLS (its certificate verified: the system's authorities, or a private one's file) and a
login: neither is ever skipped quietly, a relay that will not do them refuses the statement."""

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    timeout: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None  # a private authority the relay's certificate is signed by

    async def send(self, to: str, subject: str, text: str, pdf: bytes | None = None, filename: str = "") -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        if pdf is not None:
            message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
            if self.starttls:
                server.starttls(context=ssl.create_default_context(cafile=self.ca_file))
            if self.username is not None:
                server.login(self.username, self.password or "")
            server.send_message(message)
