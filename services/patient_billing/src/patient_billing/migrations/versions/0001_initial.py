"""patient billing: patient accounts, their visits, payments and where they went, adjustments

Every table is a tenant's, walled as the others (docs/security.md); the platform's outbox, inbox and idempotency
keys as the platform describes them now."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables, wall_tenant_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id(name: str, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.UUID(), **kw)  # type: ignore[arg-type]


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(12, 2), nullable=False, server_default="0")


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    op.create_table(
        "accounts",
        _id("id", primary_key=True),
        _id("tenant_id", nullable=False),
        _id("practice_id", nullable=False),
        sa.Column("patient_ref", sa.String(80), nullable=False),
        _money("unapplied"),
        _created(),
        sa.UniqueConstraint(
            "tenant_id", "practice_id", "patient_ref", name="uq_accounts_tenant_id_practice_id_patient_ref"
        ),
    )
    op.create_table(
        "visits",
        _id("encounter_id", primary_key=True),
        _id("tenant_id", nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("service_date", sa.Date()),
        _money("share"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        _money("insurance_open"),
        _money("paid"),
        _money("adjusted"),
    )
    _payments()
    wall_tenant_tables(op.get_bind())


def _payments() -> None:
    op.create_table(
        "payments",
        _id("id", primary_key=True),
        _id("tenant_id", nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        _id("encounter_id"),
        sa.Column("unapplied", sa.Numeric(12, 2), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created(),
    )
    op.create_table(
        "applications",
        sa.Column("payment_id", sa.UUID(), sa.ForeignKey("payments.id"), primary_key=True),
        _id("encounter_id", primary_key=True),
        _id("tenant_id", nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
    )
    op.create_table(
        "adjustments",
        _id("id", primary_key=True),
        _id("tenant_id", nullable=False),
        sa.Column("account_id", sa.UUID(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        _id("encounter_id", nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        _created(),
    )


def downgrade() -> None:
    for table in ("applications", "adjustments", "payments", "visits", "accounts"):
        op.drop_table(table)
