"""The demo's patients at home: each opens the statement emailed to her (in the mail sink: the local stack's keeps
every message as a file; Compose's and the cluster's demo's is Mailpit, read through its API) and answers it through
its link, by card (a processor test token: her card number never reaches claimstream). In turn: one pays all of it
online, one half, and one does not pay: the first of those is put on a payment plan by the front desk (three months,
autopay on her card from today), the second is left unpaid for the statements' dunning to follow (no desk
collection either), and any later one pays all after all."""

import email
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from email.message import Message
from pathlib import Path
from typing import Protocol

import httpx
from claimstream_platform.dates import business_date

CARD = "pm_card_visa"
LINK = re.compile(r"/pay#([A-Za-z0-9_.-]+)")


class Mailbox(Protocol):
    async def unread(self) -> list[Message]:
        """The messages not read yet, each once."""
        ...


@dataclass
class Folder:
    """The local stack's mail sink: one .eml file a message."""

    path: Path
    read: set[str] = field(default_factory=set)

    async def unread(self) -> list[Message]:
        found = []
        for path in sorted(self.path.glob("*.eml")):
            if path.name not in self.read:
                self.read.add(path.name)
                found.append(email.message_from_bytes(path.read_bytes()))
        return found


@dataclass
class Mailpit:
    """Mailpit (Compose's and the cluster's demo's mail sink), through its API: the list, then each message's
    source. A sink that does not answer is read again at the next visit."""

    url: str
    read: set[str] = field(default_factory=set)

    async def unread(self) -> list[Message]:
        found = []
        try:
            async with httpx.AsyncClient(base_url=self.url, timeout=10) as sink:
                listed = (await sink.get("/api/v1/messages", params={"limit": 500})).json()["messages"]
                for ident in [message["ID"] for message in listed if message["ID"] not in self.read]:
                    source = await sink.get(f"/api/v1/message/{ident}/raw")
                    if source.is_success:
                        self.read.add(ident)
                        found.append(email.message_from_bytes(source.content))
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            pass
        return found


def mailbox(where: str | None) -> Mailbox | None:
    """DEMO_MAILBOX: the local sink's folder, or Mailpit's address (http...)."""
    if not where:
        return None
    return Mailpit(where) if where.startswith(("http://", "https://")) else Folder(Path(where))


@dataclass
class Patients:
    mailbox: Mailbox  # the mail sink
    link: httpx.AsyncClient  # patient billing, unauthenticated: the statement's link is her credential
    desk: httpx.AsyncClient  # patient billing as the front desk
    addressed: dict[str, str] = field(default_factory=dict)  # email address -> account id, as the desk set them
    unpaid: set[str] = field(default_factory=set)  # accounts left to dunning: the desk does not collect them
    answered: int = 0
    planned: bool = False

    async def open_mail(self) -> None:
        for message in await self.mailbox.unread():
            await self._answer(message)

    async def _answer(self, message: Message) -> None:
        account, token = self.addressed.get(str(message["To"])), LINK.search(_text(message))
        if account is None or token is None or account in self.unpaid:
            return
        self.answered += 1
        her = {"Statement-Link": token.group(1)}
        try:
            found = await self.link.get("/v1/statement-link", headers=her)
            owed = Decimal(found.json()["owed_now"]) if found.is_success else Decimal(0)
            if owed > 0:
                await self._pay_or_not(account, her, owed)
        except httpx.HTTPError:
            return

    async def _pay_or_not(self, account: str, her: dict[str, str], owed: Decimal) -> None:
        turn = self.answered % 3
        if turn == 0 and not self.planned and owed >= Decimal("2.00"):
            plan = {"months": 3, "first_due": str(business_date()), "autopay_method": CARD}
            planned = await self.desk.post(f"/v1/patient-accounts/{account}/payment-plans", json=plan)
            self.planned = planned.is_success
        elif turn == 0 and not self.unpaid:
            self.unpaid.add(account)
        else:  # all of it, or half
            amount = owed if turn != 2 else max((owed / 2).quantize(Decimal("0.01"), ROUND_DOWN), Decimal("0.01"))
            body = {"amount": str(amount), "payment_method": CARD}
            key = {"Idempotency-Key": f"demo-{account}-{self.answered}"}
            await self.link.post("/v1/statement-link/payments", json=body, headers=her | key)


def _text(message: Message) -> str:
    """The message's plain-text part, where the statement's link is."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""
