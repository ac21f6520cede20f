"""eligibility: Good Faith Estimate charges kept per provider or facility, and the parts exceeded

A charge counts against the part of the estimate of its rendering (else billing) provider; the $400 comparison
and its announcement are per part (45 CFR 149.620(a)). Charges recorded before this migration belonged to the
estimate's own provider (the only one an estimate named), and so did an estimate already exceeded."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("estimate_charges", sa.Column("provider_npi", sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE estimate_charges c SET provider_npi = g.document->>'provider_npi' "
        "FROM good_faith_estimates g WHERE g.id = c.estimate_id"
    )
    op.alter_column("estimate_charges", "provider_npi", nullable=False)
    op.create_index("ix_estimate_charges_part", "estimate_charges", ["estimate_id", "provider_npi"])
    op.create_table(
        "estimate_parts_exceeded",
        sa.Column("estimate_id", sa.Uuid(), nullable=False),
        sa.Column("provider_npi", sa.String(length=10), nullable=False),
        sa.Column("exceeded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("estimate_id", "provider_npi", name=op.f("pk_estimate_parts_exceeded")),
    )
    op.execute(
        "INSERT INTO estimate_parts_exceeded (estimate_id, provider_npi, exceeded_at) "
        "SELECT id, document->>'provider_npi', exceeded_at FROM good_faith_estimates WHERE exceeded_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("estimate_parts_exceeded")
    op.drop_index("ix_estimate_charges_part", "estimate_charges")
    op.drop_column("estimate_charges", "provider_npi")
