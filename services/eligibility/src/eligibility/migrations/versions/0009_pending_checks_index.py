"""eligibility: the index the check loop finds the oldest pending check by

The loop asks for the oldest pending check not sent within its lease, once per check it sends. Without an index on
(status, created_at) each of those reads went through every check ever made, a cost that grew with the table."""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_checks_pending", "checks", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_checks_pending", table_name="checks")
