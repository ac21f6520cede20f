"""Alembic, shared by every migration tree: one tree per service, each in its own schema.

A tree's env.py is two lines: `from claimstream_platform.migrate import run_env; run_env(metadata)`.
"""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from claimstream_platform.db import platform_metadata
from claimstream_platform.settings import ServiceSettings


def upgrade(database_url: str, *, schema: str, script_location: Path) -> None:
    """Apply a tree's migrations up to head. Synchronous: call it from a thread inside an event loop."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["database_url"] = database_url
    config.attributes["schema"] = schema
    command.upgrade(config, "head")


def upgrade_service(settings: ServiceSettings, script_location: Path) -> None:
    """`python -m <service> migrate`: the service's tree, into the schema its settings name."""
    upgrade(settings.database_url.get_secret_value(), schema=settings.database_schema, script_location=script_location)


def run_env(target_metadata: MetaData) -> None:
    config = context.config
    schema = config.attributes["schema"]

    def migrate(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.execute(text(f'SET search_path TO "{schema}"'))
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(config.attributes["database_url"])
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(run())


def create_platform_tables(connection: Connection) -> None:
    """For a service's first migration: the outbox, inbox and idempotency-key tables, in its schema."""
    platform_metadata.create_all(connection, checkfirst=True)
