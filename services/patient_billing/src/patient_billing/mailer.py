"""Statements and plan reminders by email, through a real SMTP client (the standard library's, in a worker thread
so the event loop never waits on the server): the text as the body and a statement's PDF attached. The local
stack's server is an SMTP sink (claimstream_devtools.devstack.mail); in production, the practice's mail relay."""

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    timeout: float = 10.0

    async def send(self, to: str, subject: str, text: str, pdf: bytes | None = None, filename: str = "") -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        if pdf is not None:
            message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
            server.send_message(message)
