"""identity: the access log's chain keyed: each row's hash an HMAC-SHA256 under identity's audit key, the key named on
the row (`key_id`), so that a row inserted by anyone without the key (identity's own database role, an owner) no
longer verifies (identity.chain, docs/identity.md)

The rows written before carry a plain sha256 chain, which anyone able to insert a row could extend with a forged
one. They are checked here once with that formula, then chained anew with the ring's current key: their content is
untouched, only `key_id`, `previous_hash` and `hash` are written. A chain that does not hold stops the migration
and changes nothing, so a row forged or edited before the key is never sealed in; it is named in the error, for an
operator to look at. The key comes from identity's settings (IDENTITY_AUDIT_KEY_FILE) and is read only when there
are rows to chain anew: an installation with an empty log migrates without it.

Identity's app role loses UPDATE and DELETE on the table too, as the grants in docs/security.md always said."""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op
from claimstream_platform.migrate import revoke_from_app
from identity.audit_keys import AuditKey, AuditRing
from identity.chain import GENESIS, row_hash, unkeyed_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 5_000
_SEAL = sa.text(
    "UPDATE access_log SET key_id = :key_id, previous_hash = :previous_hash, hash = :hash"
    " WHERE tenant_id = :tenant_id AND seq = :seq"
)


def upgrade() -> None:
    op.execute("ALTER TABLE access_log ADD COLUMN key_id VARCHAR(16)")
    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT EXISTS (SELECT FROM access_log)")):
        op.execute("ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")  # this once, in this transaction
        _chain_anew(bind, _current_key())
        op.execute("ALTER TABLE access_log ENABLE TRIGGER access_log_no_change")
    op.execute("ALTER TABLE access_log ALTER COLUMN key_id SET NOT NULL")
    # What docs/security.md said identity's role was given, and it was not (the owner's default privileges give
    # every table UPDATE and DELETE): the trigger refused them alone until now.
    revoke_from_app(bind, "access_log", "UPDATE, DELETE")


def _current_key() -> AuditKey:
    from identity.service import SERVICE  # the service's settings: the one module that reads the environment

    return AuditRing.from_file(SERVICE.load_settings().identity_audit_key_file).current


def _chain_anew(bind: sa.Connection, key: AuditKey) -> None:
    """Each chain walked with the unkeyed formula and, row by row as it holds, chained again with `key`."""
    tenant, seq, old, new = None, 0, GENESIS, GENESIS
    for rows in _batches(bind):
        sealed = []
        for row in rows:
            if row["tenant_id"] != tenant:
                tenant, seq, old, new = row["tenant_id"], 0, GENESIS, GENESIS
            if not (row["seq"] == seq + 1 and row["previous_hash"] == old and row["hash"] == unkeyed_hash(old, row)):
                raise RuntimeError(
                    f"access log chain {tenant} does not hold at row {row['seq']} (or a row before it is missing):"
                    " nothing was chained anew; look at it before migrating"
                )
            previous, new = new, row_hash(key, new, row)
            seq, old = row["seq"], row["hash"]
            sealed.append({"tenant_id": tenant, "seq": seq, "key_id": key.id, "previous_hash": previous, "hash": new})
        bind.execute(_SEAL, sealed)


def _batches(bind: sa.Connection) -> Iterator[list[Any]]:
    after: tuple[Any, int] | None = None
    while True:
        where = "WHERE (tenant_id, seq) > (:tenant_id, :seq)" if after else ""
        query = sa.text(f"SELECT * FROM access_log {where} ORDER BY tenant_id, seq LIMIT {BATCH}")
        params = {"tenant_id": after[0], "seq": after[1]} if after else {}
        rows = list(bind.execute(query, params).mappings())
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        after = (rows[-1]["tenant_id"], rows[-1]["seq"])


def downgrade() -> None:
    if op.get_bind().scalar(sa.text("SELECT EXISTS (SELECT FROM access_log)")):
        raise RuntimeError("the access log's rows are chained with the audit key: going back would unseal them")
    op.execute("ALTER TABLE access_log DROP COLUMN key_id")
