"""The producer-tuning panel of notebook 04: producer config → a seeded workload → batches and metrics.

Each change re-runs :func:`kafkalab.scenarios.producer_workload` with the cost model on (4,000
JSON events/s for half a virtual second into 6 partitions, RF=3) and shows throughput, latency
percentiles, requests and bytes on the wire, plus the first batches on a timeline.
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..scenarios import producer_workload
from ..viz.gallery import sample
from ..viz.producer import batch_timeline
from .panel import Panel, View, new_figure


def render_producer(acks: str, linger_ms: int, batch_size: int, compression: str, idempotence: bool,
                    rate: int = 4_000, seconds: float = 0.5) -> View:
    conf = {"acks": acks, "linger.ms": linger_ms, "batch.size": batch_size, "compression.type": compression,
            "enable.idempotence": idempotence}
    r = producer_workload(conf, rate=rate, seconds=seconds)
    table = pd.DataFrame([{"throughput/s": round(r.throughput), "p50 ms": r.p50_ms, "p99 ms": r.p99_ms,
                           "batches sent": r.requests, "records/batch": round(r.records / max(1, r.requests), 1),
                           "wire KB": round(r.bytes_sent / 1024, 1), "compression ×": round(r.compression_ratio, 2),
                           "failed": r.failed}])
    fig = new_figure(7.5, 3.2)
    batch_timeline(r.cluster.trace, producer=r.producer, ax=fig.add_subplot(111), max_batches=24)
    return View(figure=fig, tables={"workload": table}, state=r)


def producer_panel(acks: str = "all", linger_ms: int = 5, batch_size: int = 1_000_000, compression: str = "none",
                   idempotence: bool = True) -> Panel:
    controls = {
        "acks": w.Dropdown(options=["0", "1", "all"], value=acks, description="acks"),
        "linger_ms": w.IntSlider(value=linger_ms, min=0, max=50, step=1, description="linger.ms"),
        "batch_size": w.Dropdown(options=[16_384, 65_536, 131_072, 1_000_000], value=batch_size,
                                 description="batch.size"),
        "compression": w.Dropdown(options=["none", "gzip", "snappy", "lz4", "zstd"], value=compression,
                                  description="compression.type"),
        "idempotence": w.Checkbox(value=idempotence, description="enable.idempotence"),
    }
    return Panel(controls, render_producer, title="Producer tuning",
                 description="4,000 JSON events/s for 0.5 s of virtual time, RF=3, cost model on.")


@sample(render_producer, "small", "The producer panel as it opens: acks=all, linger.ms=5, idempotent.")
def _panel_small():
    return render_producer("all", 5, 1_000_000, "none", True)


@sample(render_producer, "large", "linger.ms at its maximum (50 ms) with zstd: few, big batches.")
def _panel_large():
    return render_producer("all", 50, 16_384, "zstd", True)
