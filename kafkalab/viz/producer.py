"""Producer renderers, all read from the trace and the partition logs.

* :func:`batch_table` — one row per producer batch: records, bytes before/after compression, when
  it opened, why it closed (``batch.size``, ``linger.ms``, ``flush``), sends, when it was acked.
* :func:`batch_timeline` — per partition, each batch as a bar: lingering (open → closed), then in
  flight (sent → acked); retried sends in red, failed batches hatched.
* :func:`log_origins` — a partition's log with, per record, which producer batch and which attempt
  wrote it, and whether it duplicates or reorders an earlier batch.
* :func:`sweep_plot` — throughput vs p99 latency over a sweep of producer configs.
"""
from __future__ import annotations

import pandas as pd

from .tables import _show


def batch_table(trace, producer: str | None = None, topic: str | None = None) -> pd.DataFrame:
    rows: dict = {}
    for e in trace.filter(("produce.batch", "produce.send", "produce.ack", "produce.fail", "produce.retry")):
        f = e.fields
        if producer is not None and e.node != producer or topic is not None and f.get("topic") != topic:
            continue
        key = (e.node, f["batch"])
        if e.kind == "produce.batch":
            rows[key] = {"producer": e.node, "batch": f["batch"], "topic": f["topic"], "partition": f["partition"],
                         "records": f["records"], "bytes": f["bytes"], "wire_bytes": f["wire_bytes"],
                         "opened_ms": f["opened_ms"], "closed_ms": e.time_ms, "closed_by": f["reason"],
                         "sends": 0, "first_send_ms": None, "acked_ms": None, "base_offset": None, "error": None}
            continue
        r = rows.get(key)
        if r is None:
            continue
        if e.kind == "produce.send":
            r["sends"] += 1
            if r["first_send_ms"] is None:
                r["first_send_ms"] = e.time_ms
        elif e.kind == "produce.ack":
            r["acked_ms"], r["base_offset"] = e.time_ms, f["base_offset"]
        elif e.kind == "produce.fail":
            r["error"] = f["error"]
    cols = ["producer", "batch", "topic", "partition", "records", "bytes", "wire_bytes", "opened_ms", "closed_ms",
            "closed_by", "sends", "first_send_ms", "acked_ms", "base_offset", "error"]
    df = pd.DataFrame(list(rows.values()), columns=cols)
    if len(df):
        df["ratio"] = (df["bytes"] / df["wire_bytes"]).round(2)
    return df


def batch_timeline(trace, producer: str | None = None, topic: str | None = None, ax=None, max_batches: int = 400):
    """One bar per batch (grouped by partition): light = lingering in the accumulator, dark = in
    flight until acked, red = acked only after a retry, hatched = failed."""
    import matplotlib.pyplot as plt

    df = batch_table(trace, producer, topic).head(max_batches).sort_values(["partition", "batch"])
    if ax is None:
        _, ax = plt.subplots(figsize=(8, min(8, 0.25 * max(4, len(df)) + 1)))
    retried = {(e.node, e.fields["batch"]) for e in trace.filter("produce.retry")}
    labels = []
    for y, (_, r) in enumerate(df.iterrows()):
        labels.append(f"P{r['partition']} #{r['batch']}")
        ax.barh(y, max(0.3, r["closed_ms"] - r["opened_ms"]), left=r["opened_ms"], height=0.6, color="#c6dbef")
        if r["first_send_ms"] is not None and not pd.isna(r["acked_ms"]):
            color = "#d62728" if (r["producer"], r["batch"]) in retried else "#08519c"
            ax.barh(y, max(0.3, r["acked_ms"] - r["first_send_ms"]), left=r["first_send_ms"], height=0.6,
                    color=color)
        elif r["error"] is not None:
            ax.barh(y, 1, left=r["closed_ms"], height=0.6, color="white", edgecolor="#d62728", hatch="//")
    if len(df) <= 40:
        ax.set_yticks(range(len(df)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("virtual time (ms)")
    ax.set_title("batches: lingering (light), in flight until acked (dark), acked after a retry (red)", fontsize=9)
    return ax


def log_origins(cluster, topic: str, partition: int) -> pd.DataFrame:
    """Each record of the leader's log with the producer batch and attempt that wrote it.

    ``duplicate`` marks a record whose producer batch was already written at a lower offset (a
    retry that the broker could not recognise); ``reordered`` marks a batch written after a batch
    the same producer closed later.
    """
    log = cluster.partition_log(topic, partition)
    rows = []
    seen_batches: dict = {}
    last_batch: dict = {}
    for off, (k, v, ts, _h), b in log.records():
        origin = b.origin or (None, None, None)
        producer, batch_id, attempt = origin
        dup = reordered = False
        if producer is not None:
            first = seen_batches.setdefault((producer, batch_id), b.base_offset)
            dup = first != b.base_offset
            prev = last_batch.get(producer)
            reordered = not dup and prev is not None and batch_id < prev
            if not dup:
                last_batch[producer] = max(prev or 0, batch_id)
        rows.append({"offset": off, "key": _show(k), "value": _show(v), "producer": producer, "batch": batch_id,
                     "attempt": attempt, "duplicate": dup, "reordered": reordered})
    return pd.DataFrame(rows, columns=["offset", "key", "value", "producer", "batch", "attempt", "duplicate",
                                       "reordered"])


def sweep_plot(results, ax=None, label=None):
    """Throughput (records/s) against p99 latency, one point per producer config."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    xs = [r.p99_ms for r in results]
    ys = [r.throughput for r in results]
    ax.scatter(xs, ys, color="#08519c")
    for r, x, y in zip(results, xs, ys):
        text = label(r) if label else ", ".join(f"{k.split('.')[0]}={v}" for k, v in sorted(r.config.items()))
        ax.annotate(text, (x, y), fontsize=7, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel("p99 latency (ms, virtual)")
    ax.set_ylabel("throughput (records/s)")
    ax.set_title("producer configs: throughput vs tail latency", fontsize=9)
    return ax
