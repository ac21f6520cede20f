"""The SQLAlchemy instrumentation declares support up to SQLAlchemy 2.0; we run 2.1 with its dependency check
skipped (web.Platform.open). This proves its engine hooks still produce database spans on our version."""

from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.engines import create_engine
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text


async def test_database_statements_become_spans(stack: StackUnderTest) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine(stack.database_url, schema="public", connections=2)
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert "SELECT" in [span.name for span in exporter.get_finished_spans()]
