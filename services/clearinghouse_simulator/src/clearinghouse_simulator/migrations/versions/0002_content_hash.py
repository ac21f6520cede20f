"""clearinghouse simulator: the hash of each interchange received, for 409 answers; the platform's heartbeats"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())  # adds the heartbeats table
    op.add_column("submissions", sa.Column("content_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("submissions", "content_sha256")
    op.drop_table("heartbeats")
