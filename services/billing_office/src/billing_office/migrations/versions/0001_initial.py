"""billing office: fee agreements, collections and billable items, invoices, credit notes, invoice payments

Every table is a tenant's, walled as the others (docs/security.md); the platform's outbox, inbox and idempotency
keys as the platform describes them now."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables, wall_tenant_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id(name: str, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.UUID(), *args, **kw)  # type: ignore[arg-type]


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(12, 2), nullable=False, server_default="0")


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _owned() -> list[sa.Column]:  # type: ignore[type-arg]
    return [_id("id", primary_key=True), _id("tenant_id", nullable=False), _id("practice_id", nullable=False)]


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    op.create_table(
        "agreements",
        *_owned(),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("insurance_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("patient_percent", sa.Numeric(5, 2), nullable=False),
        *(_money(name) for name in ("minimum_fee", "per_claim_fee", "per_statement_fee")),
        sa.Column("include_interest", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _created(),
    )
    _invoices()
    _counted()
    wall_tenant_tables(op.get_bind())


def _invoices() -> None:
    op.create_table(
        "invoices",
        *_owned(),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        _id("agreement_id", sa.ForeignKey("agreements.id"), nullable=False),
        sa.Column("figures", sa.dialects.postgresql.JSONB(), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        _money("credited"),
        _money("paid"),
        _created(),
        sa.UniqueConstraint("tenant_id", "practice_id", "month", name="uq_invoices_tenant_id_practice_id_month"),
    )
    for name, extra in (
        ("credit_notes", [sa.Column("reason", sa.String(500), nullable=False), sa.Column("issued_on", sa.Date())]),
        ("invoice_payments", [sa.Column("received_on", sa.Date(), nullable=False)]),
    ):
        op.create_table(
            name,
            *_owned(),
            _id("invoice_id", sa.ForeignKey("invoices.id"), nullable=False, index=True),
            sa.Column("amount", sa.Numeric(12, 2), nullable=False),
            *extra,
            sa.Column("recorded_by", sa.String(200), nullable=False),
            _created(),
        )


def _counted() -> None:
    op.create_table(
        "collections",
        *_owned(),
        sa.Column("party", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _id("source_id", nullable=False),
        sa.Column("payer_id", sa.String(80)),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        _id("invoice_id", sa.ForeignKey("invoices.id")),
        _created(),
    )
    op.create_index("ix_collections_uncounted", "collections", ["tenant_id", "practice_id", "collected_on"])
    op.create_table(
        "billable_items",
        _id("tenant_id", primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        _id("source_id", primary_key=True),
        _id("practice_id", nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        _id("invoice_id", sa.ForeignKey("invoices.id")),
    )


def downgrade() -> None:
    for name in ("billable_items", "collections", "invoice_payments", "credit_notes", "invoices", "agreements"):
        op.drop_table(name)
