"""clearinghouse simulator: forward balances a payer takes back from later 835s"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forward_balances",
        sa.Column("submitter", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(length=20), nullable=False),
        sa.Column("payee_npi", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("submitter", "payer_id", "payee_npi", "reference", name=op.f("pk_forward_balances")),
    )


def downgrade() -> None:
    op.drop_table("forward_balances")
