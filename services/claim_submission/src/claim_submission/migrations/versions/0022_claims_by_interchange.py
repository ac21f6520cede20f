"""claim submission: the claims of an interchange found by its number

A 999 or a 277CA names the interchange it answers; its claims were read through the whole claims table, once for
each answer and once for each submission the acknowledgment loop looks at, a cost that grew with every claim."""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claims_interchange", "claims", ["interchange_number"])


def downgrade() -> None:
    op.drop_index("ix_claims_interchange", table_name="claims")
