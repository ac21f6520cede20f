"""eligibility: each check keeps its 270 as sent, and when it was last sent (docs/eligibility.md, "Asked once")

`inquiry`: the interchange written for the check before it goes to the clearinghouse, sent again byte for byte by
a retry (the clearinghouse answers it once); cleared once the answer is recorded. `asked_at`: when it last went
out, so the loop leaves a check another process is asking alone until that call's time is up."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("checks", sa.Column("inquiry", sa.Text(), nullable=True))
    op.add_column("checks", sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("checks", "asked_at")
    op.drop_column("checks", "inquiry")
