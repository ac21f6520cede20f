"""clearinghouse simulator: members remitted on paper, the payers' business days, and post-payment reviews"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("members", sa.Column("remittance", sa.String(length=10), server_default="electronic", nullable=False))
    op.add_column("claims", sa.Column("remittance", sa.String(length=10), nullable=True))
    op.add_column("claims", sa.Column("review_day", sa.Integer(), nullable=True))
    op.create_index(
        "ix_claims_review_day", "claims", ["review_day"], postgresql_where=sa.text("review_day IS NOT NULL")
    )
    op.execute("CREATE SEQUENCE cycle_days START WITH 1")


def downgrade() -> None:
    op.execute("DROP SEQUENCE cycle_days")
    op.drop_index("ix_claims_review_day", table_name="claims")
    op.drop_column("claims", "review_day")
    op.drop_column("claims", "remittance")
    op.drop_column("members", "remittance")
