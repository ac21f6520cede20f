"""Prometheus text exposition of the platform's OpenTelemetry metrics, for an ops team with no collector.

Every process keeps its metrics in memory (a reader added beside any OTLP exporter); `GET /metrics` on an API,
and on a worker's metrics port (`METRICS_PORT`), renders them in the Prometheus text format 0.0.4: events
produced and consumed, lag per partition, outbox backlog and quarantined rows, dead letters, loop heartbeats, HTTP
requests, requests in flight and requests shed.
Labels hold names, routes and statuses only: never an id, a query value or PHI.
"""

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.sdk.metrics.export import (
    Gauge,
    Histogram,
    InMemoryMetricReader,
    MetricsData,
    Sum,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
log = logging.getLogger(__name__)
_reader: InMemoryMetricReader | None = None


def reader() -> InMemoryMetricReader:
    """The process's in-memory reader (made once; `configure_telemetry` installs it on the meter provider)."""
    global _reader
    if _reader is None:
        _reader = InMemoryMetricReader()
    return _reader


def exposition() -> str:
    data = reader().get_metrics_data()
    return render(data) if data is not None else ""


def render(data: MetricsData) -> str:
    lines: list[str] = []
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                lines += _metric(metric.name, metric.description or "", metric.data)
    return "\n".join(lines) + "\n" if lines else ""


def _metric(name: str, description: str, data: Any) -> list[str]:
    base = _name(name)
    if isinstance(data, Sum):
        kind, base = ("counter", f"{base}_total") if data.is_monotonic else ("gauge", base)
        samples = [(base, point.attributes, point.value) for point in data.data_points]
    elif isinstance(data, Gauge):
        kind, samples = "gauge", [(base, point.attributes, point.value) for point in data.data_points]
    elif isinstance(data, Histogram):
        kind, samples = "histogram", [s for point in data.data_points for s in _histogram(base, point)]
    else:
        return []
    header = [f"# HELP {base} {description}", f"# TYPE {base} {kind}"]
    return header + [f"{sample}{_labels(labels)} {value}" for sample, labels, value in samples]


def _histogram(base: str, point: Any) -> Iterable[tuple[str, Mapping[str, Any], float]]:
    cumulative = 0
    for bound, count in zip([*point.explicit_bounds, "+Inf"], point.bucket_counts, strict=True):
        cumulative += count
        yield f"{base}_bucket", {**point.attributes, "le": str(bound)}, cumulative
    yield f"{base}_sum", point.attributes, point.sum
    yield f"{base}_count", point.attributes, point.count


def _name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


def _labels(attributes: Mapping[str, Any] | None) -> str:
    if not attributes:
        return ""
    escaped = (
        f'{_name(k)}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(attributes.items())
    )
    return "{" + ",".join(escaped) + "}"


async def serve(port: int, host: str = "127.0.0.1") -> asyncio.Server:
    """A worker's `/metrics` (a worker has no web app): a minimal HTTP/1.0 answer per connection."""

    async def answer(reader_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader_.readline(), timeout=5)
            found = request.split(b" ")[1:2] == [b"/metrics"]
            body = exposition().encode() if found else b"not found\n"
            status = b"200 OK" if found else b"404 Not Found"
            head = f"Content-Type: {CONTENT_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            writer.write(b"HTTP/1.0 " + status + b"\r\n" + head + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    log.info("metrics served", extra={"port": port})
    return server
