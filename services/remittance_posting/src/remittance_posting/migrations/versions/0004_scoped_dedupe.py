"""remittance posting: an 835 is a duplicate only within its tenant (and, by trace, its payee)

The file hash was unique across every tenant and the payer trace was looked up across every tenant, so a tenant
uploading an 835 with another tenant's bytes or trace numbers made that tenant's real ERA a duplicate that never
posted. The hash is now unique per uploading tenant (the clearinghouse inbox, no tenant, counts as one: NULLS NOT
DISTINCT), and the trace index carries the payee and the tenant it is now looked up by.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("uq_era_files_sha256", "era_files", type_="unique")
    op.create_index(
        "uq_era_files_tenant_sha256",
        "era_files",
        ["tenant_id", "sha256"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.drop_index("ix_remittances_trace", "remittances")
    op.create_index(
        "ix_remittances_trace",
        "remittances",
        ["trace_number", "trace_originator", "payer_id", "payee_npi", "tenant_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_remittances_trace", "remittances")
    op.create_index("ix_remittances_trace", "remittances", ["trace_originator", "trace_number", "payer_id"])
    op.drop_index("uq_era_files_tenant_sha256", "era_files")
    op.create_unique_constraint("uq_era_files_sha256", "era_files", ["sha256"])
