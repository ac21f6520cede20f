"""clearinghouse simulator: 278 requests a payer pended, decided when asked again"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pended_reviews",
        sa.Column("submitter", sa.UUID(), nullable=False),
        sa.Column("trace", sa.String(length=50), nullable=False),
        sa.Column("pended_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("submitter", "trace", name=op.f("pk_pended_reviews")),
    )


def downgrade() -> None:
    op.drop_table("pended_reviews")
