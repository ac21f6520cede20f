"""identity: every service's app role reads the revocation list, to refuse a revoked token on every request

Granted to PUBLIC because the services' roles may be created after this migration (a new service, an installation
that adds roles later), and because the list holds nothing private: token ids, `person:<uuid>`-style subjects and
times, never a name, an email or a tenant's data. No other table of identity's is granted (docs/security.md)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = op.get_bind().scalar(sa.text("SELECT current_schema()"))
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO PUBLIC')
    op.execute("GRANT SELECT ON revocations TO PUBLIC")


def downgrade() -> None:
    op.execute("REVOKE SELECT ON revocations FROM PUBLIC")
