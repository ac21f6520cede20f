"""claim_submission: the billing office's word on whether a practice may bill a payer yet (issue 32)

The checks a practice turned on per payer, its claims (837) enrollments and its clinicians' credentialing spans,
mapped from the billing office's events. Tenant tables, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("npi", sa.String(10), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "payer_checks",
        sa.Column("tenant_id", sa.UUID(), primary_key=True),
        sa.Column("practice_id", sa.UUID(), primary_key=True),
        sa.Column("payer_id", sa.String(80), primary_key=True),
        sa.Column("enrollment", sa.Boolean(), nullable=False),
        sa.Column("credentialing", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "claims_enrollments",
        *_key(),
        sa.Column("tax_id", sa.String(9), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date()),
    )
    op.create_table(
        "credential_spans",
        *_key(),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date()),
        sa.Column("effective_to", sa.Date()),
    )
    for table in ("claims_enrollments", "credential_spans"):
        op.create_index(f"ix_{table}_payer", table, ["tenant_id", "practice_id", "payer_id"])
    for table in ("payer_checks", "claims_enrollments", "credential_spans"):
        wall_table(op.get_bind(), table)


def downgrade() -> None:
    for table in ("credential_spans", "claims_enrollments", "payer_checks"):
        op.drop_table(table)
