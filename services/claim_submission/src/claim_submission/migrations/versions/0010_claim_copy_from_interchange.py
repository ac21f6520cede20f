"""claim submission: a claim's own 837P is read from the interchange it was sent in, no longer stored beside it"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("claims", "x12")


def downgrade() -> None:
    op.add_column("claims", sa.Column("x12", sa.Text(), nullable=True))
