"""claim submission: a practice's own payer facts, as charge capture publishes them (PayerFactsOverridden)

The table is the platform's read model (`claimstream_platform.payer_overrides`), the same in every service that
applies a practice's overrides; the scrubber reads it (docs/domain/payers.md).
"""

from alembic import op
from claimstream_platform import payer_overrides

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    payer_overrides.create_table(op.get_bind())


def downgrade() -> None:
    op.drop_table("payer_fact_overrides")
