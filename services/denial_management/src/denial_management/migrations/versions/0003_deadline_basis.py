"""denial management: each case says what its deadline counts from; each claim, when the payer before it paid

An appeal counts from the remittance's date; a corrected claim from the date of service, or, for a later payer's
claim, from the day the payer before it paid. Cases opened before this say nothing (NULL).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("deadline_basis", sa.String(30), nullable=True))
    op.add_column("claims", sa.Column("prior_payer_paid_on", sa.Date, nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "prior_payer_paid_on")
    op.drop_column("cases", "deadline_basis")
