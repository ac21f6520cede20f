"""denial management: the approved authorizations name their clinician, as the platform's table does

Denial management now keeps the payers' approved authorizations in the platform's shared read model
(`claimstream_platform.approvals`), whose table carries the NPI of the clinician the authorization was asked for.
Rows kept before this have none ('').
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("authorizations", sa.Column("provider_npi", sa.String(10), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("authorizations", "provider_npi")
