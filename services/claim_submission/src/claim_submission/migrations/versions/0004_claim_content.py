"""claim submission: claims store their own content (content.ClaimContent), no longer charge capture's event

The stored JSON keeps its shape: ClaimContent reads the fields it owns from rows written before, and ignores
the rest.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("claims", "charges", new_column_name="content")


def downgrade() -> None:
    op.alter_column("claims", "content", new_column_name="charges")
