"""patient billing: the account's money events counted, and the day a visit became the patient's

`accounts.movements` numbers each money event's standing (the projection's checksum finds a gap in them);
`visits.hers_since` ages her part of A/R before any statement asked for it: a visit the insurance left her before
this migration and no statement asked for yet ages from the migration's day (the day it became hers was not kept),
never from its date of service."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("movements", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("visits", sa.Column("hers_since", sa.Date()))
    op.execute("UPDATE visits SET hers_since = COALESCE(first_statement_on, current_date) WHERE share > 0")


def downgrade() -> None:
    op.drop_column("visits", "hers_since")
    op.drop_column("accounts", "movements")
