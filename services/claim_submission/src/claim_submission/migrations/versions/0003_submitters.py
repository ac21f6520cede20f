"""claim submission: each tenant's billing company as the submitter of its claims (1000A, ISA06)"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submitters",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("submitter_id", sa.String(length=15), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("contact_name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=80), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_submitters")),
    )


def downgrade() -> None:
    op.drop_table("submitters")
