"""prior authorization: a request keeps the 278 it is asked with, and when it last went out

`inquiry`: the interchange written before it goes to the clearinghouse, sent again byte for byte by a retry (the
clearinghouse answers it once); cleared once its decision is recorded (a pended request is asked again with a new
one). `asked_at`: when it last went out, so the loop leaves a request another process is asking alone until that
call's time is up. docs/prior-authorization.md, "Asked once"."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("authorizations", sa.Column("inquiry", sa.Text(), nullable=True))
    op.add_column("authorizations", sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("authorizations", "asked_at")
    op.drop_column("authorizations", "inquiry")
