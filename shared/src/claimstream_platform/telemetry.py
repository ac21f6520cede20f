"""OpenTelemetry for every process: traces, the platform's metrics, and JSON logs without PHI.

Instruments are created on the global meter, which forwards to whatever provider `configure_telemetry`
installs; with no OTLP endpoint configured, spans still exist (their ids go into logs) but nothing is
exported.
"""

import logging
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from claimstream_platform import metrics as prometheus
from claimstream_platform.logs import JsonFormatter

if TYPE_CHECKING:
    from claimstream_platform.settings import ServiceSettings

_meter = metrics.get_meter("claimstream")
EVENTS_PRODUCED = _meter.create_counter("claimstream.events.produced", description="Events published from the outbox")
EVENTS_CONSUMED = _meter.create_counter("claimstream.events.consumed", description="Records consumed")
DUPLICATES_SKIPPED = _meter.create_counter(
    "claimstream.events.duplicates", description="Redeliveries the inbox skipped"
)
DEAD_LETTERS = _meter.create_counter(
    "claimstream.events.dead_lettered", description="Records sent to a dead-letter topic"
)
HANDLER_SECONDS = _meter.create_histogram(
    "claimstream.consumer.batch.duration", unit="s", description="Batch handling time"
)
ROWS_PRUNED = _meter.create_counter(
    "claimstream.retention.pruned", description="Outbox, inbox and idempotency-key rows the retention pass deleted"
)
HTTP_REQUESTS = _meter.create_counter("claimstream.http.requests", description="HTTP requests by route and status")
HTTP_SECONDS = _meter.create_histogram("claimstream.http.duration", unit="s", description="HTTP request time by route")
HTTP_SHED = _meter.create_counter(
    "claimstream.http.shed", description="Requests answered at once to shed load (503, 429), by reason and route"
)
HTTP_IN_FLIGHT = _meter.create_up_down_counter(
    "claimstream.http.in_flight", description="Requests an API process is working on (load shedding's count)"
)
_meter_provider_set = False

_lag: dict[tuple[str, str, int], int] = {}
_beats: dict[str, tuple[float, int]] = {}  # loop -> (last completed pass, unix seconds; 1 if the last pass failed)


def record_beat(loop: str, *, failed: bool) -> None:
    last_pass, _ = _beats.get(loop, (0.0, 0))
    _beats[loop] = (last_pass if failed else time.time(), 1 if failed else 0)


def _observe_beats(_options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(at, {"loop": loop}) for loop, (at, _) in _beats.items() if at]


def _observe_failing(_options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(failing, {"loop": loop}) for loop, (_, failing) in _beats.items()]


_outbox_backlog: dict[str, tuple[int, int]] = {}  # service -> (rows pending, rows quarantined)


def set_lag(consumer: str, topic: str, partition: int, lag: int) -> None:
    _lag[(consumer, topic, partition)] = lag


def set_outbox_backlog(service: str, pending: int, quarantined: int) -> None:
    _outbox_backlog[service] = (pending, quarantined)


def _observe_lag(_options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(lag, {"consumer": c, "topic": t, "partition": p}) for (c, t, p), lag in _lag.items()]


def _observe_backlog(_options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(pending, {"service": service}) for service, (pending, _) in _outbox_backlog.items()]


def _observe_quarantined(_options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(count, {"service": service}) for service, (_, count) in _outbox_backlog.items()]


_meter.create_observable_gauge(
    "claimstream.consumer.lag", [_observe_lag], description="Records behind the high-water mark"
)
_meter.create_observable_gauge(
    "claimstream.outbox.backlog", [_observe_backlog], description="Outbox rows not yet published"
)
_meter.create_observable_gauge(
    "claimstream.outbox.quarantined",
    [_observe_quarantined],
    description="Outbox rows Kafka refused for good, set aside until an operator sends them again",
)
_meter.create_observable_gauge(
    "claimstream.loop.last_pass", [_observe_beats], unit="s", description="When each loop last completed a pass"
)
_meter.create_observable_gauge(
    "claimstream.loop.failing", [_observe_failing], description="1 while a loop's last pass failed"
)


def configure_telemetry(*, service_name: str, otlp_endpoint: str | None, log_level: str = "INFO") -> None:
    """Call once per process, before anything logs or opens a span."""
    configure_logging(log_level)
    resource = Resource.create({"service.name": service_name})
    tracer_provider = TracerProvider(resource=resource)
    readers = []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{otlp_endpoint}/v1/metrics")))
    trace.set_tracer_provider(tracer_provider)
    global _meter_provider_set
    if not _meter_provider_set:  # once per process: a reader belongs to one provider, and OTel keeps the first
        _meter_provider_set = True
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[*readers, prometheus.reader()]))


def configure_for(settings: "ServiceSettings") -> None:
    """Telemetry and logging from a service's settings (once per process)."""
    configure_telemetry(
        service_name=settings.service_name,
        otlp_endpoint=settings.otel_exporter_otlp_endpoint,
        log_level=settings.log_level,
    )


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka logs connection details at INFO on every reconnect, httpx every request (the clearinghouse is
    # polled every few seconds): keep their warnings only.
    for chatty in ("aiokafka", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
