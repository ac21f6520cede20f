"""remittance posting: each known claim says whether it was billed to the primary or a later payer (COB)

An 835 from another place than the claim's (a crossover payer's, CLP02 2 on a primary claim) is then told
apart from the billed payer's own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("known_claims", sa.Column("responsibility", sa.String(9), nullable=False, server_default="primary"))


def downgrade() -> None:
    op.drop_column("known_claims", "responsibility")
