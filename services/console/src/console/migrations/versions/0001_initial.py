"""console: the platform's tables only (the console keeps no business data of its own)."""

from alembic import op
from claimstream_platform.migrate import create_platform_tables, wall_tenant_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    create_platform_tables(connection)
    wall_tenant_tables(connection)


def downgrade() -> None:
    """Nothing of the console's own to drop: the platform's tables go with the schema."""
