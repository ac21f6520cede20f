"""denial management: a practice's own payer facts, as charge capture publishes them (PayerFactsOverridden)

The table is the platform's read model (`claimstream_platform.payer_overrides`), the same in every service that
applies a practice's overrides; a case's deadlines and automatic fixes read it (docs/domain/payers.md).
"""

from alembic import op
from claimstream_platform import payer_overrides

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    payer_overrides.create_table(op.get_bind())


def downgrade() -> None:
    op.drop_table("payer_fact_overrides")
