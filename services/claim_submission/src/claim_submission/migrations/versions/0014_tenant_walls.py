"""claim_submission: row-level security, forced, on every tenant table (docs/security.md)

The app role the service's processes connect as sees and writes only the rows of the tenant its transaction
names (`SET LOCAL` from the caller's token or the event), or every tenant's where the transaction says it
works across them (a loop's sweep). The outbox stays unwalled (`claimstream_platform.migrate.UNWALLED`)."""

from alembic import op
from claimstream_platform.migrate import unwall_tenant_tables, wall_tenant_tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    wall_tenant_tables(op.get_bind())


def downgrade() -> None:
    unwall_tenant_tables(op.get_bind())
