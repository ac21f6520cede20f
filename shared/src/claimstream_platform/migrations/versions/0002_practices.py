"""practices: the registry of which tenant each practice belongs to

Charge capture registers each practice as it sets it up; every consumer dead-letters an event whose practice is
unknown or another tenant's (issue 26). Charge capture's own migration creates it too, if it is not there yet
(`practices.create_registry`), so that neither tree depends on the other having run first.
"""

from alembic import op
from claimstream_platform import practices

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    practices.create_registry(op.get_bind())


def downgrade() -> None:
    op.drop_table("practices", schema=practices.SCHEMA)
