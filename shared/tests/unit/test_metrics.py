"""The Prometheus text exposition of OpenTelemetry metrics, and a worker's /metrics server."""

import asyncio

from claimstream_platform.metrics import render, serve
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader


def test_counters_gauges_and_histograms_render_in_the_text_format() -> None:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    meter.create_counter("claimstream.events.consumed", description="Records consumed").add(3, {"consumer": "cs"})
    meter.create_histogram("claimstream.http.duration", unit="s").record(0.2, {"route": '/v1/a"b'})
    meter.create_up_down_counter("claimstream.outbox.pending").add(-2)
    text = render(reader.get_metrics_data())  # type: ignore[arg-type]
    assert "# TYPE claimstream_events_consumed_total counter" in text
    assert 'claimstream_events_consumed_total{consumer="cs"} 3' in text
    assert 'claimstream_http_duration_bucket{le="+Inf",route="/v1/a\\"b"} 1' in text
    assert 'claimstream_http_duration_count{route="/v1/a\\"b"} 1' in text
    assert "# TYPE claimstream_outbox_pending gauge" in text and "claimstream_outbox_pending -2" in text


async def test_a_worker_serves_its_metrics_over_http() -> None:
    server = await serve(0)
    port = server.sockets[0].getsockname()[1]
    try:
        for path, expected in ((b"/metrics", b"200 OK"), (b"/other", b"404 Not Found")):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET " + path + b" HTTP/1.0\r\n\r\n")
            answer = await reader.read()
            writer.close()
            assert answer.startswith(b"HTTP/1.0 " + expected)
            if path == b"/metrics":
                assert b"text/plain; version=0.0.4" in answer
    finally:
        server.close()
        await server.wait_closed()
