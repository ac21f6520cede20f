"""A fixed, seeded run of the whole revenue cycle, for the money's figures (docs/money.md): not a benchmark of speed.

Starts Kafka and PostgreSQL on ports of its own, every service under the supervisor, then the demo workload (the
simulated EHRs and front desks) with a fixed seed and count; waits until the payers have paid and the projection
has gone quiet; prints what the money looks like: the denial rate, open A/R by party, the denial cases opened, open
and closed by machine, and the money checksum where the projection has one. Writes bench/results/money.json.

    .venv/bin/python bench/money_run.py      # MONEY_RUN_COUNT (300), MONEY_RUN_SEED (11), MONEY_RUN_DEFECTS (0.3)
"""

import asyncio
import json
import os
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from claimstream_devtools.devstack.payments import payment_env
from claimstream_devtools.devstack.run import identitys_own
from claimstream_devtools.devstack.services import Supervisor, local_services
from claimstream_devtools.devstack.stack import LocalStack, Profile
from claimstream_platform.auth import (
    CLEARINGHOUSE_ACCOUNT,
    CLEARINGHOUSE_AUDIENCE,
    CLEARINGHOUSE_ISSUER,
    Role,
    TokenIssuer,
    generate_keypair,
)
from clearinghouse_simulator.workload import Tokens, run
from identity.audit_keys import new_ring_file

COUNT = int(os.environ.get("MONEY_RUN_COUNT", 300))
SEED = int(os.environ.get("MONEY_RUN_SEED", 11))
DEFECTS = float(os.environ.get("MONEY_RUN_DEFECTS", 0.3))
# Ports of its own, below Linux's ephemeral ones (32768 and up, which a client socket may hold when a server wants one)
PROFILE = Profile("money", kafka_port=16092, controller_port=16093, postgres_port=16432, smtp_port=16525)
SPECS = {spec.package: spec for spec in local_services(port_offset=16000)}
RESULTS = Path(__file__).parent / "results" / "money.json"


def issuers(folder: Path) -> tuple[TokenIssuer, TokenIssuer, dict[str, str]]:
    """claimstream's signing key and the simulated clearinghouse's, and what the services need to check them."""
    generate_keypair(folder / "signing.pem", folder / "public.pem")
    generate_keypair(folder / "sim.pem", folder / "sim-public.pem")
    ours = TokenIssuer.from_file(folder / "signing.pem")
    theirs = TokenIssuer.from_file(folder / "sim.pem", issuer=CLEARINGHOUSE_ISSUER, audience=CLEARINGHOUSE_AUDIENCE)
    account = theirs.issue(tenant_id=uuid4(), roles=[CLEARINGHOUSE_ACCOUNT], lifetime=timedelta(days=1))
    (folder / "clearinghouse-token").write_text(account)
    new_ring_file(folder / "audit.key")
    env = {
        "AUTH_PUBLIC_KEY_FILE": str(folder / "public.pem"),
        "SIMULATOR_PUBLIC_KEY_FILE": str(folder / "sim-public.pem"),
        "CLEARINGHOUSE_URL": SPECS["clearinghouse_simulator"].url,
        "CLEARINGHOUSE_TOKEN_FILE": str(folder / "clearinghouse-token"),
        "SIM_CYCLE_SECONDS": "1",
        "SUBMIT_INTERVAL_SECONDS": "0.5",
        "PENDED_WAIT_SECONDS": "1",
        # The run measures money, not budgets: its front desk asks the payer before each of its visits, 20 a second.
        "RATE_LIMITS": '{"payer": {"tenant": 100000, "client": 100000}}',
        "DEFAULT_SUBMITTER_ID": "CSMONEYRUN",
        "DEFAULT_SUBMITTER_NAME": "CLAIMSTREAM MONEY RUN",
        "DEFAULT_SUBMITTER_CONTACT": "EDI DESK",
        "DEFAULT_SUBMITTER_PHONE": "5035550100",
    }
    return ours, theirs, env


def tenant_tokens(ours: TokenIssuer) -> tuple[Tokens, str]:
    """The workload's callers, each with the role its steps need, and a reader's token for the figures."""
    tenant, day = uuid4(), timedelta(days=1)

    def token(*roles: Role) -> str:
        return ours.issue(tenant_id=tenant, roles=roles, lifetime=day)

    tokens = Tokens(admin=token(Role.TENANT_ADMIN), front_desk=token(Role.FRONT_DESK), ehr=token(Role.EHR_INTEGRATION))
    return tokens, token(Role.BILLER, Role.READ_ONLY)


async def workload(tokens: Tokens, simulator_token: str) -> Counter[int]:
    return await run(
        charge_capture_url=SPECS["charge_capture"].url,
        simulator_url=SPECS["clearinghouse_simulator"].url,
        tokens=tokens,
        simulator_token=simulator_token,
        rate=20,
        count=COUNT,
        practices=3,
        seed=SEED,
        defect_share=DEFECTS,
        eligibility_url=SPECS["eligibility"].url,
        prior_authorization_url=SPECS["prior_authorization"].url,
    )


async def settled(headers: dict[str, str]) -> dict[str, Any]:
    """The projection's KPIs once nothing has changed for 15 seconds (at most 10 minutes)."""
    deadline, last, since = time.monotonic() + 600, None, time.monotonic()
    async with httpx.AsyncClient(base_url=SPECS["projection"].url, headers=headers, timeout=30) as projection:
        while time.monotonic() < deadline:
            kpis = (await projection.get("/v1/kpis", params={"from": "2000-01-01"})).json()["kpis"]
            shown = {name: kpi["numerator"] for name, kpi in kpis.items()}
            if shown != last:
                last, since = shown, time.monotonic()
            elif time.monotonic() - since >= 15:
                return dict(kpis)
            await asyncio.sleep(2)
    raise SystemExit("the run never settled")


async def figures(headers: dict[str, str]) -> dict[str, Any]:
    kpis = await settled(headers)
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        aging = {
            by: (await client.get(f"{SPECS['projection'].url}/v1/ar/aging", params={"by": by})).json()["total"]
            for by in ("payer", "patient")
        }
        check = await client.get(f"{SPECS['projection'].url}/v1/ledger/check")
        cases = await all_cases(client)
    return {
        "encounters": COUNT,
        "seed": SEED,
        "denial_rate": kpis["denial_rate"],
        "denial_rate_dollars": kpis["denial_rate_dollars"],
        "first_pass_resolution_rate": kpis["first_pass_resolution_rate"],
        "net_collection_rate": kpis["net_collection_rate"],
        "open_ar": {by: {"total": row["total"], "credits": row["credits"]} for by, row in aging.items()},
        "cases": case_counts(cases),
        "checksum": check.json() if check.status_code == 200 else "not in this version",
    }


async def all_cases(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    found, cursor = [], None
    while True:
        query = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{SPECS['denial_management'].url}/v1/denials", params=query)).json()
        found += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def case_counts(cases: list[dict[str, Any]]) -> dict[str, Any]:
    denials = [c for c in cases if c["kind"] == "denial"]
    return {
        "opened": len(cases),
        "denials": len(denials),
        "rejections": len(cases) - len(denials),
        "open": sum(c["status"] == "open" for c in cases),
        "closed_by_machine": sum(c["status"] == "resolved" and c["automatic"] for c in cases),
        "fixed_by_machine_and_waiting": sum(
            c["status"] in ("correcting", "appealed") and c["automatic"] for c in cases
        ),
        "by_resolution": dict(Counter(c["resolution"] for c in cases if c["resolution"])),
        "by_first_code": dict(Counter(c["codes"][0] for c in denials).most_common(12)),
    }


def main() -> None:
    stack = LocalStack(PROFILE)
    stack.start(fresh=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        ours, theirs, env = issuers(folder)
        env |= {"DATABASE_URL": stack.database_url, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers}
        env |= payment_env(folder, SPECS["clearinghouse_simulator"].url, SPECS["patient_billing"].url)
        # identity alone signs tokens (and owns the revocation list every API reads) and chains the access log
        supervisor = Supervisor(env=env, log_dir=folder, only_for=identitys_own(folder))
        try:
            supervisor.start(list(SPECS.values()))
            tokens, reader = tenant_tokens(ours)
            statuses = asyncio.run(workload(tokens, (folder / "clearinghouse-token").read_text()))
            found = asyncio.run(figures({"Authorization": f"Bearer {reader}"}))
            found["posted"] = dict(statuses)
        finally:
            supervisor.stop()
            stack.stop()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(found, indent=2))
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
