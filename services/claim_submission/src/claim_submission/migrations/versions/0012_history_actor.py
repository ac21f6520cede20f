"""claim submission: who made each change in a claim's history (a token's subject, or `system` for the workers)"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "claim_history", sa.Column("actor", sa.String(200), nullable=False, server_default=sa.text("'system'"))
    )


def downgrade() -> None:
    op.drop_column("claim_history", "actor")
