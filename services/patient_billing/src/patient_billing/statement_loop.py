"""The statements' loop, across tenants: each practice's run on its cycle day (statement_run.py), then the email
statements not sent yet, one per transaction: the row is locked (another replica skips it), the message handed to
the SMTP server, the row marked sent. At least once: a crash between the server's acceptance and the commit sends
that statement again on the next pass. A server away leaves it for the next pass, behind the statements never
tried (up to ten tries); an address refused for good sends the statement to the print batch instead. The row lock
is held while the server is asked (ten seconds at most): only another replica's pass would wait for it."""

import logging
import smtplib

from claimstream_platform.dates import business_date
from claimstream_platform.db import SessionFactory
from claimstream_platform.loops import PeriodicLoop
from claimstream_platform.pdf import render_pdf, wrap

from patient_billing.mailer import Mailer
from patient_billing.repository import PatientBillingWork
from patient_billing.statement_run import PayAt, run_statements

log = logging.getLogger(__name__)


class StatementLoop(PeriodicLoop):
    name = "patient-billing.statements"

    def __init__(self, sessionmaker: SessionFactory, *, mailer: Mailer, pay_at: PayAt, interval: float) -> None:
        super().__init__(sessionmaker, interval)
        self._mailer = mailer
        self._pay_at = pay_at

    async def run_once(self) -> None:
        await self.run_due_practices()
        while await self.send_one():
            pass

    async def run_due_practices(self) -> None:
        today = business_date()
        async with PatientBillingWork(self._sessionmaker) as uow:
            due = await uow.statements.practices_due(today)
        for tenant_id, practice_id in due:
            async with PatientBillingWork(self._sessionmaker) as uow:
                if await uow.statements.start_run(tenant_id, practice_id, today):  # once a day on the cycle day
                    await run_statements(uow, tenant_id, practice_id, today, self._pay_at)
                await uow.commit()

    async def send_one(self) -> bool:
        """One email statement sent and marked; False when none waits."""
        async with PatientBillingWork(self._sessionmaker) as uow:
            waiting = await uow.statements.unsent(1)
            if not waiting:
                return False
            statement = waiting[0]
            text = "\n".join(statement.document["lines"])
            pdf = render_pdf([part for line in statement.document["lines"] for part in wrap(line)])
            subject = f"Your statement of {statement.issued_on:%B %d, %Y}"
            try:
                await self._mailer.send(statement.email, subject, text, pdf, f"statement-{statement.issued_on}.pdf")
            except (OSError, smtplib.SMTPException) as refused:
                for_good = _for_good(refused)
                await uow.statements.send_failed(statement.id, for_good=for_good)
                await uow.commit()
                log.warning("statement not emailed", extra={"statement_id": str(statement.id), "to_print": for_good})
                return for_good  # a server away ends the pass; a bad address only this statement's email
            await uow.statements.mark_sent(statement.id)
            await uow.commit()
        log.info("statement emailed", extra={"statement_id": str(statement.id)})
        return True


def _for_good(error: Exception) -> bool:
    """A refusal no later try will change: every recipient refused, or a permanent (5xx) answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
