"""The console keeps no business data: its schema holds only the platform's tables (the idempotency keys of its
own requests, an empty outbox and inbox), so it runs on the kit like every service."""

from sqlalchemy import MetaData

metadata = MetaData()
