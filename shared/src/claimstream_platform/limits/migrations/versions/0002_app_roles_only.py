"""rate limits: the counters and budgets granted to the services' app roles only, no longer to PUBLIC

PUBLIC let any role of the database (another service's across-tenants role, a reporting login) read which tenants
and token subjects make requests, and bump or clear their counters. The API's limiter counts as its service's app
role alone; `claimstream_platform.database_roles` grants a role made after this migration, and this migration the
app roles there are already (`<schema>_app` beside its schema, as that module names them)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.limits import store

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "limits"
_APP_ROLES = sa.text(
    "SELECT r.rolname FROM pg_roles r JOIN pg_namespace n ON r.rolname = n.nspname || '_app' ORDER BY r.rolname"
)


def upgrade() -> None:
    op.execute(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC")
    op.execute(f"REVOKE ALL ON {SCHEMA}.windows, {SCHEMA}.overrides FROM PUBLIC")
    for role in op.get_bind().scalars(_APP_ROLES).all():
        for statement in store.grant_statements(role):
            op.execute(statement)


def downgrade() -> None:
    op.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO PUBLIC")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.windows TO PUBLIC")
    op.execute(f"GRANT SELECT ON {SCHEMA}.overrides TO PUBLIC")
