"""projection: money by line and by class (docs/money.md)

Ledger entries and denial cases name their claim line; claims keep payment adjustments, recoupments and interest
apart, and the claims that replaced them or whose share they took over. Columns are added, so the model keeps
answering; folds written before this keep the old rules until their encounter is folded again, and
`python -m projection rebuild` folds every encounter anew.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = ("payment_adjustments", "recouped", "interest")


def upgrade() -> None:
    for name in MONEY:
        op.add_column("claims", sa.Column(name, sa.Numeric(12, 2), nullable=False, server_default="0"))
    op.add_column("claims", sa.Column("succeeded_by", sa.Uuid))
    op.add_column("claims", sa.Column("took_over_from", sa.Uuid))
    op.add_column("ledger", sa.Column("line_number", sa.Integer))
    op.add_column("denial_cases", sa.Column("line_number", sa.Integer))


def downgrade() -> None:
    op.drop_column("denial_cases", "line_number")
    op.drop_column("ledger", "line_number")
    for name in ("took_over_from", "succeeded_by", *MONEY):
        op.drop_column("claims", name)
