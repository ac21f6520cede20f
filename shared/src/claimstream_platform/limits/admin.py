"""`claimstream admin rate-limit`: an operator sets or clears one tenant's budget for a route class.

    claimstream admin rate-limit --tenant ID --class write --tenant-budget 20000 --client-budget 10000 [--window 10]
    claimstream admin rate-limit --tenant ID [--class write] --clear

Every API process reads the overrides again within 30 seconds (limiter.OVERRIDES_TTL); the defaults are in the
settings (RATE_LIMITS) and `limits.DEFAULT_BUDGETS`.
"""

import argparse
import asyncio
from uuid import UUID

from claimstream_platform import migrate
from claimstream_platform.access import RateClass
from claimstream_platform.engines import create_engine
from claimstream_platform.limits.budgets import Budget
from claimstream_platform.limits.store import MIGRATIONS, SCHEMA, clear_override, set_override

COMMAND = "rate-limit"


def add_command(admin: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    command = admin.add_parser(COMMAND, help="set or clear a tenant's request budget for a route class")
    command.add_argument("--tenant", type=UUID, required=True)
    command.add_argument("--class", dest="rate", type=RateClass, choices=list(RateClass))
    command.add_argument("--tenant-budget", type=int, help="requests per window for the whole tenant")
    command.add_argument("--client-budget", type=int, help="requests per window for each of its callers")
    command.add_argument("--window", type=int, default=10, help="the window, in seconds (default 10)")
    command.add_argument("--clear", action="store_true", help="back to the defaults (every class without --class)")


def run(args: argparse.Namespace, database_url: str) -> str:
    if args.clear:
        asyncio.run(_apply(database_url, args.tenant, args.rate, None))
        return f"cleared {args.rate or 'every class'} for {args.tenant}"
    if args.rate is None or not args.tenant_budget or not args.client_budget or args.window < 1:
        raise SystemExit("claimstream: give --class, --tenant-budget and --client-budget (positive), or --clear")
    budget = Budget(tenant=args.tenant_budget, client=args.client_budget, window_seconds=args.window)
    asyncio.run(_apply(database_url, args.tenant, args.rate, budget))
    per = f"every {budget.window_seconds} s"
    return f"{args.rate} for {args.tenant}: {budget.tenant} per tenant, {budget.client} per client, {per}"


async def _apply(database_url: str, tenant_id: UUID, rate: RateClass | None, budget: Budget | None) -> None:
    await asyncio.to_thread(migrate.upgrade, database_url, schema=SCHEMA, script_location=MIGRATIONS)
    engine = create_engine(database_url, schema=SCHEMA, connections=2)
    try:
        if budget is None:
            await clear_override(engine, tenant_id, rate)
        else:
            assert rate is not None
            await set_override(engine, tenant_id, rate, budget)
    finally:
        await engine.dispose()
