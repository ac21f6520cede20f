"""charge capture: every practice set up before the platform's registry of practices is registered in it

From now on a practice is registered as it is set up, in the same transaction (issue 26: consumers dead-letter an
event whose practice is unknown or another tenant's). The registry is created here if the platform's own migration
has not run yet.
"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform import practices

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    practices.create_registry(op.get_bind())
    op.execute(
        sa.text(
            f'INSERT INTO "{practices.SCHEMA}".practices (id, tenant_id) SELECT id, tenant_id FROM practices '
            "ON CONFLICT (id) DO NOTHING"
        )
    )


def downgrade() -> None:
    pass  # the registry is the platform's; its rows stay true
