"""projection: money by line and by class (docs/money.md)

Ledger entries and denial cases name their claim line; claims keep payment adjustments, recoupments and interest
apart, and the claims that replaced them or whose share they took over. A schema made by 0001 from today's tables
has them already, so each column is added only where it is missing. Folds written before this keep the old rules
until their encounter is folded again; `python -m projection rebuild` folds every encounter anew.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (
    ("claims", "payment_adjustments", "NUMERIC(12, 2) NOT NULL DEFAULT 0"),
    ("claims", "recouped", "NUMERIC(12, 2) NOT NULL DEFAULT 0"),
    ("claims", "interest", "NUMERIC(12, 2) NOT NULL DEFAULT 0"),
    ("claims", "succeeded_by", "UUID"),
    ("claims", "took_over_from", "UUID"),
    ("ledger", "line_number", "INTEGER"),
    ("denial_cases", "line_number", "INTEGER"),
)


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
