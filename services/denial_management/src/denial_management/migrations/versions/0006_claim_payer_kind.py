"""denial management: each claim keeps its payer's kind, as claim submission billed it (ClaimCreated.payer_kind)

A payer our facts do not name is judged by its kind's facts (docs/domain/payers.md), as claim submission's scrubber
judges it. Claims announced before this say nothing (NULL): their payer is read by its id alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("payer_kind", sa.String(10), nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "payer_kind")
