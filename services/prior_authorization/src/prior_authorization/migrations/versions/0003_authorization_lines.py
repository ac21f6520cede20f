"""prior authorization: a line per service the payer decided, and what each charge went over

Each line is decided and burned down on its own. Every authorization so far becomes one line holding its codes,
decision and burn-down; every consumption so far is of that line and went over nothing.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""CREATE TABLE authorization_lines (
        authorization_id UUID NOT NULL,
        line_number INTEGER NOT NULL,
        codes VARCHAR(5)[] NOT NULL,
        requested INTEGER NOT NULL,
        unit VARCHAR(6) NOT NULL,
        status VARCHAR(12) NOT NULL,
        action VARCHAR(2) NOT NULL,
        number VARCHAR(50) NOT NULL,
        reason VARCHAR(80) NOT NULL,
        approved INTEGER NOT NULL,
        used INTEGER NOT NULL,
        over_drawn INTEGER NOT NULL,
        partial BOOLEAN NOT NULL,
        start DATE NOT NULL,
        "end" DATE NOT NULL,
        CONSTRAINT pk_authorization_lines PRIMARY KEY (authorization_id, line_number),
        CONSTRAINT fk_authorization_lines_authorization_id_authorizations
            FOREIGN KEY(authorization_id) REFERENCES authorizations (id)
)""")
    op.execute("""INSERT INTO authorization_lines
        SELECT id, 0, codes, requested, unit, status, '', number, reason, approved, used, 0, partial, start, "end"
        FROM authorizations""")
    op.execute("ALTER TABLE authorizations ADD COLUMN over_drawn INTEGER DEFAULT 0 NOT NULL")
    op.execute("""ALTER TABLE consumptions
        ADD COLUMN line_number INTEGER DEFAULT 0 NOT NULL,
        ADD COLUMN over_drawn INTEGER DEFAULT 0 NOT NULL,
        DROP CONSTRAINT pk_consumptions,
        ADD CONSTRAINT pk_consumptions PRIMARY KEY (authorization_id, line_number, encounter_id, version)""")


def downgrade() -> None:
    op.execute("DELETE FROM consumptions WHERE line_number <> 0")
    op.execute("""ALTER TABLE consumptions
        DROP CONSTRAINT pk_consumptions,
        ADD CONSTRAINT pk_consumptions PRIMARY KEY (authorization_id, encounter_id, version),
        DROP COLUMN line_number,
        DROP COLUMN over_drawn""")
    op.execute("ALTER TABLE authorizations DROP COLUMN over_drawn")
    op.drop_table("authorization_lines")
