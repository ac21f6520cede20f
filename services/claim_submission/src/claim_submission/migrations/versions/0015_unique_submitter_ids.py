"""claim submission: a submitter id is one tenant's (what the clearinghouse knows a billing company by, in ISA06 and
1000A, and what its answers come back addressed to)

Two tenants holding the same id would each receive the other's acknowledgments at the clearinghouse. An
installation that already holds a duplicate stops here (the index cannot be built): the operators give one of the
two tenants another id, and migrate again.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_submitters_submitter_id", "submitters", ["submitter_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_submitters_submitter_id", table_name="submitters")
