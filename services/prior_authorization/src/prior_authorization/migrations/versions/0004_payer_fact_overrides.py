"""prior authorization: a practice's overrides of our payer facts

The platform's read model of `PayerFactsOverridden` (`claimstream_platform.payer_overrides`), kept here so that
the authorization rules read for a practice's patient are that practice's: its table, created as the platform
defines it.
"""

from alembic import op
from claimstream_platform import payer_overrides

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    payer_overrides.create_table(op.get_bind())


def downgrade() -> None:
    op.drop_table(payer_overrides.payer_fact_overrides.name)
