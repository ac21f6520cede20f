"""claim_submission: claim status inquiries (276/277) and the claims a remittance reached (issue 32)

Tenant tables, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _at(name: str, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    op.create_table(
        "status_inquiries",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("claim_id", sa.UUID(), sa.ForeignKey("claims.id"), nullable=False, index=True),
        sa.Column("trace", sa.String(50), nullable=False, unique=True),
        sa.Column("inquiry", sa.Text()),
        _at("requested_at", nullable=False, server_default=sa.func.now()),
        _at("asked_at"),
        _at("answered_at"),
        sa.Column("category", sa.String(3)),
        sa.Column("code", sa.String(5)),
        sa.Column("finding", sa.String(20)),
        sa.Column("effective", sa.Date()),
        sa.Column("paid", sa.Numeric(12, 2)),
        sa.Column("paid_on", sa.Date()),
        sa.Column("check_number", sa.String(50)),
    )
    op.create_table(
        "remitted_claims",
        sa.Column("claim_id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        _at("remitted_at", nullable=False, server_default=sa.func.now()),
    )
    for table in ("status_inquiries", "remitted_claims"):
        wall_table(op.get_bind(), table)
    # From when claims are watched: a claim accepted before (its remittance may have come before anything marked
    # it) is asked about only when a biller asks. One row, no tenant's.
    op.create_table("status_watch", sa.Column("since", sa.DateTime(timezone=True), nullable=False))
    op.execute("INSERT INTO status_watch (since) VALUES (now())")


def downgrade() -> None:
    op.drop_table("status_watch")
    op.drop_table("remitted_claims")
    op.drop_table("status_inquiries")
