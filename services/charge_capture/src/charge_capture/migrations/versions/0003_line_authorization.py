"""charge capture: a charge line may carry its own prior authorization (2400 REF*G1)"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("charge_lines", sa.Column("prior_authorization_number", sa.String(length=50), nullable=True))


def downgrade() -> None:
    op.drop_column("charge_lines", "prior_authorization_number")
