"""patient billing: an email statement's delivery attempts

A statement the mail server refuses for a while is tried again on later passes, behind the ones never tried, up to
a bound; one refused for good (a bad address) goes to the print batch instead."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("statements", sa.Column("send_attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("statements", "send_attempts")
