"""billing office: remittances awaiting their deposit, and bank deposits, matched by trace and amount

Both tables are a tenant's, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id(name: str, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.UUID(), **kw)  # type: ignore[arg-type]


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "remittances",
        _id("id", primary_key=True),
        _id("tenant_id", nullable=False),
        _id("practice_id"),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("trace", sa.String(50), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("method", sa.String(10)),
        sa.Column("paid_on", sa.Date(), nullable=False),
        _id("deposit_id"),
        sa.Column("alerted_on", sa.Date()),
        _created(),
    )
    op.create_index("ix_remittances_trace", "remittances", ["tenant_id", "trace"])
    _deposits()
    for table in ("remittances", "deposits"):
        wall_table(op.get_bind(), table)


def _deposits() -> None:
    op.create_table(
        "deposits",
        _id("id", primary_key=True),
        _id("tenant_id", nullable=False),
        _id("practice_id"),
        sa.Column("deposited_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("trace", sa.String(50), nullable=False),
        sa.Column("account", sa.String(4), nullable=False),
        sa.Column("bank_reference", sa.String(50), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        _id("remittance_id"),
        sa.Column("alerted_on", sa.Date()),
        _created(),
        sa.UniqueConstraint(
            "tenant_id",
            "deposited_on",
            "amount",
            "trace",
            "bank_reference",
            name="uq_deposits_tenant_id_deposited_on_amount_trace_bank_reference",
        ),
    )
    op.create_index("ix_deposits_trace", "deposits", ["tenant_id", "trace"])


def downgrade() -> None:
    op.drop_table("deposits")
    op.drop_table("remittances")
