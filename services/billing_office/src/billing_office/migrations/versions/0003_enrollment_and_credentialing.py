"""billing office: payer enrollments (and their tasks), credentialing spans, each practice's checks per payer, and
the payers remittance posting found silent

Every table is a tenant's, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
TABLES = ("enrollments", "enrollment_tasks", "credentials", "payer_checks", "silent_payers")


def _id(name: str, *args: object, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.UUID(), *args, **kw)  # type: ignore[arg-type]


def _owned() -> list[sa.Column]:  # type: ignore[type-arg]
    return [_id("id", primary_key=True), _id("tenant_id", nullable=False), _id("practice_id", nullable=False)]


def _kept() -> list[sa.Column]:  # type: ignore[type-arg]
    created = sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    return [sa.Column("recorded_by", sa.String(200), nullable=False), created]


def upgrade() -> None:
    op.create_table(
        "enrollments",
        *_owned(),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("npi", sa.String(10), nullable=False),
        sa.Column("tax_id", sa.String(9), nullable=False),
        sa.Column("transaction", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_effective", sa.Date()),
        sa.Column("effective_from", sa.Date()),
        sa.Column("clearinghouse", sa.String(80)),
        *_kept(),
        sa.UniqueConstraint(
            "tenant_id", "practice_id", "payer_id", "npi", "tax_id", "transaction", name="uq_enrollments_record"
        ),
    )
    op.create_table(
        "enrollment_tasks",
        *_owned(),
        _id("enrollment_id", sa.ForeignKey("enrollments.id"), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    _credentialing()
    for table in TABLES:
        wall_table(op.get_bind(), table)


def _credentialing() -> None:
    op.create_table(
        "credentials",
        *_owned(),
        sa.Column("npi", sa.String(10), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date()),
        sa.Column("effective_to", sa.Date()),
        *_kept(),
        sa.UniqueConstraint("tenant_id", "practice_id", "npi", "payer_id", "state", name="uq_credentials_span"),
    )
    op.create_table(
        "payer_checks",
        _id("tenant_id", primary_key=True),
        _id("practice_id", primary_key=True),
        sa.Column("payer_id", sa.String(80), primary_key=True),
        sa.Column("enrollment", sa.Boolean(), nullable=False),
        sa.Column("credentialing", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "silent_payers",
        _id("tenant_id", primary_key=True),
        sa.Column("payer_id", sa.String(80), primary_key=True),
        _id("practice_id"),
        sa.Column("claims_waiting", sa.Integer(), nullable=False),
        sa.Column("oldest_accepted_on", sa.Date(), nullable=False),
        sa.Column("last_payment_on", sa.Date()),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
