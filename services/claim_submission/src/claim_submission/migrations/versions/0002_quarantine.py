"""claim submission: inbound documents stored before they are applied, quarantine and leases for interchanges,
overdue acknowledgments, the platform's heartbeats"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())  # adds the heartbeats table
    op.add_column("claims", sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("claims", sa.Column("correction_note", sa.String(length=80), nullable=True))
    op.add_column("submissions", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("submissions", sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
    op.add_column("submissions", sa.Column("reason", sa.String(length=300), nullable=True))
    op.create_table(
        "inbound",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound")),
        sa.UniqueConstraint("source", name=op.f("uq_inbound_source")),
    )
    op.create_index("ix_inbound_pending", "inbound", ["id"], postgresql_where=sa.text("status = 'pending'"))
    op.create_index(
        "ix_claims_awaiting_ack",
        "claims",
        ["updated_at"],
        postgresql_where=sa.text(
            "status IN ('submitting', 'submitted', 'acknowledged', 'received') AND overdue_at IS NULL"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_awaiting_ack", table_name="claims")
    op.drop_table("inbound")
    for column in ("reason", "not_before", "attempts"):
        op.drop_column("submissions", column)
    op.drop_column("claims", "correction_note")
    op.drop_column("claims", "overdue_at")
    op.drop_table("heartbeats")
