"""The sizing workbench of notebook 01: workload sliders → sizing → a real topic on a fresh cluster.

Each change re-runs :func:`render_sizing`: compute the sizing (:mod:`kafkalab.sizing`), start a
fresh seeded cluster with enough brokers for the replication factor, *create the topic with the
``kafka-topics.sh`` command line*, and show the ``--describe`` output and the replica-placement
graph of the topic that now exists.
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..cluster import Cluster
from ..sizing import DAY_MS, size_topic
from ..viz.graphs import replica_graph
from .panel import Panel, View, new_figure


def render_sizing(peak: int, per_consumer: int, growth: float, record_bytes: int, retention_days: int, rf: int,
                  seed: int = 42) -> View:
    s = size_topic(peak, per_consumer, growth=growth, record_bytes=record_bytes,
                   retention_ms=retention_days * DAY_MS, replication_factor=rf)
    cluster = Cluster(brokers=max(3, rf), seed=seed)
    command = s.cli()
    created = cluster.cli(command)
    described = cluster.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --describe --topic clickstream")
    fig = new_figure(7.5, 3.0)
    replica_graph(cluster, "clickstream", ax=fig.add_subplot(111))
    fig.tight_layout()
    table = pd.DataFrame([
        ("consumers needed at peak", s.consumers_at_peak, f"ceil({peak:,} / {per_consumer:,})"),
        ("partitions", s.partitions, f"ceil({peak:,} × {growth:g} / {per_consumer:,}): headroom now, not later"),
        ("replication.factor", rf, "copies of every partition"),
        ("min.insync.replicas", s.min_insync_replicas, "acks=all needs this many in-sync copies"),
        ("storage", f"{s.storage_tb:,.2f} TB", f"{peak:,}/s × {record_bytes:,} B × {retention_days} d × RF {rf}"),
    ], columns=["decision", "value", "how"])
    lines = described.stdout.splitlines()
    shown = "\n".join(lines[:7] + ([f"… {len(lines) - 7} more partitions"] if len(lines) > 7 else []))
    text = f"$ {command}\n{created.stdout}{created.stderr}\n$ kafka-topics.sh --describe --topic clickstream\n{shown}"
    return View(figure=fig, tables={"sizing": table}, text=text, state={"sizing": s, "cluster": cluster})


def sizing_workbench(peak: int = 100_000, per_consumer: int = 5_000, growth: float = 1.0, record_bytes: int = 1_000,
                     retention_days: int = 7, rf: int = 3) -> Panel:
    controls = {
        "peak": w.IntSlider(value=peak, min=10_000, max=500_000, step=10_000, description="peak events/s"),
        "per_consumer": w.IntSlider(value=per_consumer, min=1_000, max=50_000, step=1_000,
                                    description="events/s per consumer"),
        "growth": w.FloatSlider(value=growth, min=1.0, max=4.0, step=0.5, description="growth headroom ×"),
        "record_bytes": w.IntSlider(value=record_bytes, min=100, max=10_000, step=100, description="record bytes"),
        "retention_days": w.IntSlider(value=retention_days, min=1, max=30, description="retention days"),
        "rf": w.IntSlider(value=rf, min=1, max=5, description="replication factor"),
    }
    return Panel(controls, render_sizing, title="Sizing workbench",
                 description="Move a slider: the topic is re-sized and created again on a fresh simulated cluster.")
