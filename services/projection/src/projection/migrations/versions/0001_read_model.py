"""projection: the facts and the read models folded from them

The read model is disposable (tables.py): its tables are created from the service's table definitions, and a
later change to them ships as a migration that drops and recreates them, followed by `python -m projection rebuild`.
"""

from alembic import op
from claimstream_platform.migrate import create_platform_tables
from projection.tables import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
