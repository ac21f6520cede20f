"""remittance posting: each claim payment keeps its posting as announced, every adjustment with its class

The postings API shows why a claim was paid short or denied: the adjustments by line, group, CARC, amount and
class, and the remarks. Payments posted before this keep only what the 835 said (`detail`).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_payments", sa.Column("posting", JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("claim_payments", "posting")
