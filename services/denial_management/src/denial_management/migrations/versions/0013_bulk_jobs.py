"""denial_management: bulk actions worked a chunk at a time, so that the person sees their progress (issue 30)

A bulk assign or write-off was one transaction of up to 500 cases, answered when all were done. It is now a job:
its cases chosen (and a write-off checked against the limit whole) when asked for, then worked by the worker in
chunks, each case's outcome recorded. Tenant tables, walled as the others (docs/security.md)."""

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import wall_table

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("worked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_jobs")),
    )
    op.create_index(
        "ix_bulk_jobs_unfinished", "bulk_jobs", ["requested_at"], postgresql_where=sa.text("finished_at IS NULL")
    )
    op.create_table(
        "bulk_job_cases",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("practice_id", sa.UUID(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chosen_status", sa.String(length=12), nullable=False),
        sa.Column("chosen_assignee", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("why", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["bulk_jobs.id"], name=op.f("fk_bulk_job_cases_job_id_bulk_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "case_id", name=op.f("pk_bulk_job_cases")),
    )
    for table in ("bulk_jobs", "bulk_job_cases"):
        wall_table(op.get_bind(), table)


def downgrade() -> None:
    op.drop_table("bulk_job_cases")
    op.drop_table("bulk_jobs")
