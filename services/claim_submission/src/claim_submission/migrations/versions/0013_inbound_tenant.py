"""claim submission: the tenant of an inbound document when it is known (a 999 answers one tenant's interchange)

A 277CA can carry claims of many tenants, so it stays without one: only installation operators see those. The
999s already stored take the tenant of the interchange they answer (their source is `interchange:<n>:<i>`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbound", sa.Column("tenant_id", sa.UUID(), nullable=True))
    op.execute(
        "UPDATE inbound SET tenant_id = submissions.tenant_id FROM submissions "
        "WHERE inbound.kind = '999' AND inbound.source LIKE 'interchange:%' "
        "AND submissions.interchange_number = split_part(inbound.source, ':', 2)::bigint"
    )
    op.create_index("ix_inbound_tenant", "inbound", ["tenant_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_inbound_tenant", table_name="inbound")
    op.drop_column("inbound", "tenant_id")
