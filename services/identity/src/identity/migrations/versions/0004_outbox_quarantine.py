"""identity: the outbox's quarantine columns, for the rows Kafka will never take (docs/platform.md)

`quarantined_at` and `quarantine_reason`: the relay sets them on a row the broker refuses for good (larger than it
accepts, its topic gone) and publishes the rows behind it; an operator clears them to send the row again."""

from alembic import op
from claimstream_platform.messaging.outbox import add_quarantine_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_quarantine_columns(op.get_bind())


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN quarantine_reason, DROP COLUMN quarantined_at")
