"""claim_submission: crossing tenants takes the schema's across-tenants role, no longer a setting

The tenant wall no longer admits every tenant's rows when a transaction sets `claimstream.all_tenants`: any SQL
the app role runs could set it. A second policy, `across_tenants`, admits them to `claim_submission_across` alone, the
role the service's processes connect as where they cross tenants on purpose (loops, installation operators, the
outbox relay). That role must exist first: `python -m claimstream_platform.database_roles` makes it
(docs/security.md)."""

from alembic import op
from claimstream_platform.migrate import wall_by_setting, wall_tenant_tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    wall_tenant_tables(op.get_bind())


def downgrade() -> None:
    wall_by_setting(op.get_bind())
