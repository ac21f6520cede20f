"""charge capture: a practice may bill as an individual (a solo clinician's type-1 NPI); the platform's heartbeats"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())  # adds the heartbeats table
    op.add_column(
        "practices", sa.Column("billing_entity", sa.String(length=12), server_default="organization", nullable=False)
    )
    op.add_column("practices", sa.Column("first_name", sa.String(length=100), nullable=True))
    op.add_column("practices", sa.Column("last_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    for column in ("last_name", "first_name", "billing_entity"):
        op.drop_column("practices", column)
    op.drop_table("heartbeats")
