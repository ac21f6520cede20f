"""projection: the events-per-minute counts kept a row per writing connection (`writer`)

Every batch of every partition added its counts to the same few rows (a tenant's topic and type in this minute), so
each batch's transaction waited for the one before it to commit: the projection's partitions applied one at a time.
A row per connection (`pg_backend_pid()`, the column's default) is never written by two transactions at once;
readers sum the rows of a minute, as they did. Rows counted before keep writer 0. A database made since (0001
creates tables.py's tables) has the column already."""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        DO $$ BEGIN
            IF NOT EXISTS (
                SELECT 1 FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'stream_counts' AND column_name = 'writer'
            ) THEN
                ALTER TABLE stream_counts ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE stream_counts ALTER COLUMN writer SET DEFAULT pg_backend_pid();
                ALTER TABLE stream_counts DROP CONSTRAINT pk_stream_counts;
                ALTER TABLE stream_counts ADD CONSTRAINT pk_stream_counts
                    PRIMARY KEY (tenant_id, topic, event_type, minute, writer);
            END IF;
        END $$
    """)


def downgrade() -> None:
    op.execute("""
        CREATE TEMPORARY TABLE summed AS
            SELECT tenant_id, topic, event_type, minute, sum(count) AS count FROM stream_counts
            GROUP BY tenant_id, topic, event_type, minute;
        DELETE FROM stream_counts;
        ALTER TABLE stream_counts DROP CONSTRAINT pk_stream_counts;
        ALTER TABLE stream_counts DROP COLUMN writer;
        ALTER TABLE stream_counts ADD CONSTRAINT pk_stream_counts PRIMARY KEY (tenant_id, topic, event_type, minute);
        INSERT INTO stream_counts SELECT tenant_id, topic, event_type, minute, count FROM summed;
        DROP TABLE summed;
    """)
