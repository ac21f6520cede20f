"""prior authorization: authorizations, what charges used of them, and the 278's interchange control numbers"""

from alembic import op
from claimstream_platform.migrate import create_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables(op.get_bind())
    op.execute("CREATE SEQUENCE interchange_control START WITH 1 MAXVALUE 999999999 CYCLE")
    _authorizations()
    _consumptions()


def _authorizations() -> None:
    op.execute("""CREATE TABLE authorizations (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL,
        practice_id UUID NOT NULL,
        patient_ref VARCHAR(80) NOT NULL,
        first_name VARCHAR(60) NOT NULL,
        last_name VARCHAR(60) NOT NULL,
        birth_date DATE NOT NULL,
        payer_id VARCHAR(80) NOT NULL,
        member_id VARCHAR(80) NOT NULL,
        provider_npi VARCHAR(10) NOT NULL,
        provider_name VARCHAR(60) NOT NULL,
        codes VARCHAR(5)[] NOT NULL,
        diagnoses VARCHAR(8)[] NOT NULL,
        requested INTEGER NOT NULL,
        unit VARCHAR(6) NOT NULL,
        start DATE NOT NULL,
        "end" DATE NOT NULL,
        certification VARCHAR(1) NOT NULL,
        previous_number VARCHAR(50) NOT NULL,
        status VARCHAR(12) NOT NULL,
        source VARCHAR(6) NOT NULL,
        number VARCHAR(50) NOT NULL,
        approved INTEGER NOT NULL,
        used INTEGER NOT NULL,
        partial BOOLEAN NOT NULL,
        reason VARCHAR(80) NOT NULL,
        warned VARCHAR(8)[] NOT NULL,
        reviews INTEGER[] NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        CONSTRAINT pk_authorizations PRIMARY KEY (id)
)""")
    op.execute("""CREATE INDEX ix_authorizations_open ON authorizations (status, updated_at)""")
    op.execute(
        """CREATE INDEX ix_authorizations_patient ON authorizations (tenant_id, practice_id, patient_ref, payer_id)"""
    )


def _consumptions() -> None:
    op.execute("""CREATE TABLE consumptions (
        authorization_id UUID NOT NULL,
        encounter_id UUID NOT NULL,
        version INTEGER NOT NULL,
        tenant_id UUID NOT NULL,
        service_date DATE NOT NULL,
        used INTEGER NOT NULL,
        consumed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        returned_at TIMESTAMP WITH TIME ZONE,
        CONSTRAINT pk_consumptions PRIMARY KEY (authorization_id, encounter_id, version),
        CONSTRAINT fk_consumptions_authorization_id_authorizations
            FOREIGN KEY(authorization_id) REFERENCES authorizations (id)
)""")
    op.execute("""CREATE INDEX ix_consumptions_encounter ON consumptions (tenant_id, encounter_id)""")


def downgrade() -> None:
    op.drop_table("consumptions")
    op.drop_table("authorizations")
    op.execute("DROP SEQUENCE interchange_control")
