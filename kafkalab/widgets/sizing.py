"""The sizing workbench of notebook 01: workload sliders → sizing → a real topic on a fresh cluster.

Each change re-runs :func:`render_sizing`: compute the sizing (:mod:`kafkalab.sizing`), start a
fresh seeded cluster with enough brokers for the replication factor, *create the topic with the
``kafka-topics.sh`` command line*, and show the ``--describe`` output and the replica placement
of the topic that now exists (a broker × partition grid once it has more than a handful).
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..cluster import Cluster
from ..sizing import DAY_MS, size_topic
from ..viz.gallery import sample
from ..viz.graphs import replica_graph
from .panel import Panel, View, new_figure


def render_sizing(peak: int, per_consumer: int, growth: float, record_bytes: int, retention_days: int, rf: int,
                  seed: int = 42) -> View:
    s = size_topic(peak, per_consumer, growth=growth, record_bytes=record_bytes,
                   retention_ms=retention_days * DAY_MS, replication_factor=rf)
    cluster = Cluster(brokers=max(3, rf), seed=seed)
    command = s.cli()
    created = cluster.cli(command)
    if created.exit_code != 0:
        # Show Kafka's own refusal (the panel prints the exception), not a describe of nothing: the
        # same request through the admin path raises the exception the CLI printed.
        cluster.create_topic("clickstream", s.partitions, rf, {"min.insync.replicas": s.min_insync_replicas,
                                                               "retention.ms": s.retention_ms}, validate_only=True)
        raise ValueError(f"kafka-topics.sh refused the topic:\n{created.stdout}{created.stderr}")
    described = cluster.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --describe --topic clickstream")
    fig = new_figure(7.5, 1.5 + 0.42 * len(cluster.brokers))
    replica_graph(cluster, "clickstream", ax=fig.add_subplot(111))  # a grid beyond a handful of partitions
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
        # Ranges keep the topic at a few hundred partitions at most, so a redraw stays interactive;
        # continuous_update=False redraws when a drag ends, not at every step of it.
        "peak": w.IntSlider(value=peak, min=10_000, max=300_000, step=10_000, description="peak events/s",
                            continuous_update=False),
        "per_consumer": w.IntSlider(value=per_consumer, min=2_000, max=50_000, step=1_000,
                                    description="events/s per consumer", continuous_update=False),
        "growth": w.FloatSlider(value=growth, min=1.0, max=3.0, step=0.5, description="growth headroom ×",
                                continuous_update=False),
        "record_bytes": w.IntSlider(value=record_bytes, min=100, max=10_000, step=100, description="record bytes",
                                    continuous_update=False),
        "retention_days": w.IntSlider(value=retention_days, min=1, max=30, description="retention days",
                                      continuous_update=False),
        "rf": w.IntSlider(value=rf, min=1, max=5, description="replication factor", continuous_update=False),
    }
    return Panel(controls, render_sizing, title="Sizing workbench",
                 description="Move a slider: the topic is re-sized and created again on a fresh simulated cluster.")


@sample(render_sizing, "small", "The sizing workbench as it opens: 100,000 events/s → 20 partitions, RF 3.")
def _bench_small():
    return render_sizing(100_000, 5_000, 1.0, 1_000, 7, 3)


@sample(render_sizing, "large", "The workbench's largest topic: 300,000 events/s × 3 headroom / 2,000 → 450 partitions, RF 5.")
def _bench_large():
    return render_sizing(300_000, 2_000, 3.0, 1_000, 7, 5)
