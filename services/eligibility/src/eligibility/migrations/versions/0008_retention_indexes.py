"""eligibility: the indexes the retention pass finds its rows by (docs/platform.md, Retention)

Published outbox rows by `sent_at`, inbox rows by `processed_at`, idempotency keys by `expires_at`: each pass
deletes the rows past their age a bounded batch at a time, and finds them without reading the whole table."""

from alembic import op
from claimstream_platform.retention import add_retention_indexes

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_retention_indexes(op.get_bind())


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_idempotency_keys_expires_at, ix_inbox_processed_at, ix_outbox_sent_at")
