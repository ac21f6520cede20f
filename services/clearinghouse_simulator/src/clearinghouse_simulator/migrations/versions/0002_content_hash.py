"""clearinghouse simulator: the hash of each interchange received, for 409 answers; rosters per submitter; the
platform's heartbeats"""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import create_platform_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())  # adds the heartbeats table
    op.add_column("submissions", sa.Column("content_sha256", sa.String(length=64), nullable=True))
    # Rows enrolled before rosters were per submitter belong to no one (the nil id) and match no claim.
    op.add_column(
        "members",
        sa.Column("submitter", sa.UUID(), nullable=False, server_default="00000000-0000-0000-0000-000000000000"),
    )
    op.alter_column("members", "submitter", server_default=None)
    op.drop_constraint("pk_members", "members", type_="primary")
    op.create_primary_key("pk_members", "members", ["submitter", "payer_id", "member_id"])


def downgrade() -> None:
    op.drop_constraint("pk_members", "members", type_="primary")
    op.drop_column("members", "submitter")
    op.create_primary_key("pk_members", "members", ["payer_id", "member_id"])
    op.drop_column("submissions", "content_sha256")
    op.drop_table("heartbeats")
