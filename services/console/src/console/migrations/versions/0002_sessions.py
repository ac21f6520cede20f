"""console: sessions kept server-side, the cookie carrying only a session's id

A person's token names their practices; sealed whole into the cookie, one naming some forty practices no longer
fit in the 4 KB browsers keep, and such a person could not sign in. The row is keyed by the SHA-256 of the id (the
id is never stored) and holds the token sealed under the console's key.

No tenant wall: the table has no `tenant_id` (a session is found by its secret id before anyone is known), so
`wall_tenant_tables` passes it by; the app and across roles read and write it by the owner's default privileges,
as every table of the schema (`claimstream_platform.database_roles`)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("sessions")
