"""projection: the rebuild's runs and their progress (`rebuilds`)

`python -m projection rebuild` records each run there as it goes (its phase, the records read of the total), and
installation operators read them (`GET /v1/rebuilds`). The installation's, no tenant's: no tenant_id, so no wall
(`wall_tenant_tables` walls the tables that have one). The owner, which runs the rebuild, writes it; the app and
across roles only read it. A database made since (0001 creates tables.py's tables) has the table already."""

from alembic import op
from claimstream_platform.migrate import revoke_from_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE IF NOT EXISTS rebuilds (
            id UUID NOT NULL,
            started_at TIMESTAMP WITH TIME ZONE NOT NULL,
            phase VARCHAR(20) NOT NULL,
            records_total BIGINT,
            records_done BIGINT DEFAULT '0' NOT NULL,
            updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
            finished_at TIMESTAMP WITH TIME ZONE,
            outcome VARCHAR(300),
            CONSTRAINT pk_rebuilds PRIMARY KEY (id)
        )
    """)
    revoke_from_app(op.get_bind(), "rebuilds", "INSERT, UPDATE, DELETE")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS rebuilds")
