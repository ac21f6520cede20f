"""`python -m charge_capture migrate | api [--port N] | worker`: the contract the local stack relies on."""

import argparse
import asyncio
import os

import uvicorn

from charge_capture import bootstrap


def main() -> None:
    parser = argparse.ArgumentParser(prog="charge_capture")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations to the service's schema")
    api = commands.add_parser("api", help="serve the REST API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8001)
    api.add_argument(
        "--workers", type=int, default=int(os.environ.get("API_WORKERS", "1")), help="processes (env API_WORKERS)"
    )
    commands.add_parser("worker", help="run the outbox relay")
    args = parser.parse_args()
    if args.command == "migrate":
        bootstrap.migrate()
    elif args.command == "api":
        uvicorn.run(
            "charge_capture.bootstrap:app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
        )
    else:
        asyncio.run(bootstrap.run_worker())


if __name__ == "__main__":
    main()
