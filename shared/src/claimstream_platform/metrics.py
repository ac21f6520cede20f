"""Prometheus text exposition of the platform's OpenTelemetry metrics, for an ops team with no collector.

Every process keeps its metrics in memory (a reader added beside any OTLP exporter); `GET /metrics` on an API,
and on a worker's metrics port (`METRICS_PORT`), renders them in the Prometheus text format 0.0.4: events
produced and consumed, lag per partition, outbox backlog and quarantined rows, dead letters, loop heartbeats, HTTP
requests, requests in flight and requests shed.
Labels hold names, routes and statuses only: never an id, a query value or PHI.
"""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
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


Ready = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]
_STATUS = {200: b"200 OK", 404: b"404 Not Found", 503: b"503 Service Unavailable"}


async def serve(port: int, host: str = "127.0.0.1", ready: Ready | None = None) -> asyncio.Server:
    """A worker's own small HTTP server (a worker has no web app), a minimal HTTP/1.0 answer per connection:
    `/metrics`; `/healthz` (the process answers: liveness); `/readyz`, given `ready` (readiness.py)."""

    async def answer(reader_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader_.readline(), timeout=5)
            status, content_type, body = await _page(request.split(b" ")[1:2], ready)
            head = f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            writer.write(b"HTTP/1.0 " + _STATUS[status] + b"\r\n" + head + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    log.info("metrics served", extra={"port": port})
    return server


async def _page(path: list[bytes], ready: Ready | None) -> tuple[int, str, bytes]:
    if path == [b"/metrics"]:
        return 200, CONTENT_TYPE, exposition().encode()
    if path == [b"/healthz"]:
        return 200, "application/json", b'{"status": "ok"}'
    if path == [b"/readyz"] and ready is not None:
        ok, report = await ready()
        return (200 if ok else 503), "application/json", json.dumps(report).encode()
    return 404, "text/plain", b"not found\n"
