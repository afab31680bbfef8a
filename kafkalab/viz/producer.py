"""Producer renderers, all read from the trace and the partition logs.

* :func:`batch_table` — one row per producer batch: records, bytes before/after compression, when
  it opened, why it closed (``batch.size``, ``linger.ms``, ``flush``), sends, when it was acked.
* :func:`batch_timeline` — one lane per partition, each batch as a bar: lingering (open → closed),
  waiting for an in-flight slot, in flight (sent → acked); acked after a retry in orange, failed hatched.
* :func:`log_origins` — a partition's log with, per record, which producer batch and which attempt
  wrote it, and whether it duplicates or reorders an earlier batch.
* :func:`sweep_plot` — a sweep of producer configs, one row each: throughput, p99 latency, wire bytes.
"""
from __future__ import annotations

import pandas as pd

from . import style
from .gallery import sample
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
    """One lane per partition; each batch a bar: lingering in the accumulator (light), ready and waiting
    for an in-flight slot (grey), in flight until acked (dark; orange when acked only after a retry),
    failed (hatched).  Batches of one partition that overlap in time get sub-rows of their lane."""
    df = batch_table(trace, producer, topic).sort_values(["opened_ms", "batch"]).head(max_batches)
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=3.4)
    retried = {(e.node, e.fields["batch"]) for e in trace.filter("produce.retry")}
    if df.empty:
        style.finding(ax, "no producer batches in this trace")
        style.alt(ax, "An empty batch timeline: the trace has no producer batches")
        return ax
    ends = [r["acked_ms"] if not pd.isna(r["acked_ms"]) else r["closed_ms"] for _, r in df.iterrows()]
    x0, x1 = float(df["opened_ms"].min()), float(max(ends))
    pad = max(1.0, 0.02 * (x1 - x0))
    x0, x1 = x0 - pad, x1 + pad
    min_w = 2.5 * style.data_per_px(ax, x0, x1)
    lanes: dict = {}  # partition -> [right end of each sub-row]
    placed = []
    for (_, r), end in zip(df.iterrows(), ends):
        segs = [(r["opened_ms"], r["closed_ms"], "linger")]
        if r["first_send_ms"] is not None and not pd.isna(r["first_send_ms"]):
            segs.append((r["closed_ms"], r["first_send_ms"], "wait"))
            if not pd.isna(r["acked_ms"]):
                kind = "retried" if (r["producer"], r["batch"]) in retried else "flight"
                segs.append((r["first_send_ms"], r["acked_ms"], kind))
        if r["error"] is not None:
            segs.append((segs[-1][1], segs[-1][1] + 0.0, "failed"))
        segs = [(s0, max(s1, s0 + min_w), k) for s0, s1, k in segs if s1 > s0 or k == "failed"]
        for i in range(len(segs) - 1):  # no hairline gaps or slivers between a batch's own segments
            if segs[i + 1][0] - segs[i][1] < min_w:
                segs[i] = (segs[i][0], segs[i + 1][0], segs[i][2]) if segs[i + 1][0] > segs[i][0] else segs[i]
        if not segs:
            continue
        rows = lanes.setdefault(r["partition"], [])
        left, right = segs[0][0], max(s1 for _, s1, _ in segs)
        row = next((i for i, last in enumerate(rows) if left >= last + min_w), None)
        if row is None:
            rows.append(right)
            row = len(rows) - 1
        rows[row] = right
        placed.append((r["partition"], row, segs))
    colors = {"linger": style.SKY_BLUE, "wait": style.LIGHT_GREY, "flight": style.BLUE, "retried": style.ORANGE,
              "failed": "white"}
    base, y, ticks = {}, 0.0, []
    for p in sorted(lanes):
        base[p] = y
        ticks.append((y + (len(lanes[p]) - 1) / 2, f"P{p}"))
        y += len(lanes[p]) + 0.6
    seen = []
    bars = [(base[p] + row, s1 - s0, s0, kind) for p, row, segs in placed for s0, s1, kind in segs]
    for *_, kind in bars:
        if kind not in seen:
            seen.append(kind)
    # One barh call for every segment (the same rectangles, in the same order, as one call each: a
    # producer panel redraw spent a quarter of its time in barh's per-call overhead).
    rects = ax.barh([b[0] for b in bars], [b[1] for b in bars], left=[b[2] for b in bars], height=0.78,
                    color=[colors[b[3]] for b in bars],
                    edgecolor=[style.VERMILLION if b[3] == "failed" else "none" for b in bars])
    for rect, (*_, kind) in zip(rects, bars, strict=True):
        if kind == "failed":
            rect.set_hatch("///")
    ax.set_yticks([t for t, _ in ticks], [lab for _, lab in ticks], fontsize=style.TICK_PT)
    ax.set_ylim(y - 0.4, -0.8)
    ax.set_xlim(x0, x1)
    style.tidy(ax)
    ax.tick_params(axis="y", length=0)
    style.labels(ax, x="virtual time (ms)")
    names = {"linger": "lingering (linger.ms)", "wait": "ready, waiting to be sent", "flight": "in flight until acked",
             "retried": "acked after a retry", "failed": "failed"}
    style.legend(ax, handles=[style.patch(colors[k], names[k], hatch="///" if k == "failed" else None,
                                          edge=style.VERMILLION if k == "failed" else None)
                              for k in ("linger", "wait", "flight", "retried", "failed") if k in seen])
    linger = (df["closed_ms"] - df["opened_ms"]).median()
    acked = df[df["acked_ms"].notna() & df["first_send_ms"].notna()]
    flight = (acked["acked_ms"] - acked["first_send_ms"]).median() if len(acked) else float("nan")
    n_retried = sum((r["producer"], r["batch"]) in retried for _, r in df.iterrows())
    n_failed = int(df["error"].notna().sum())
    reasons = df["closed_by"].value_counts()
    finding = (f"{style.plural(len(df), 'batch', 'batches')} on {style.plural(len(lanes), 'partition')}: median "
               f"{linger:g} ms lingering, {flight:g} ms in flight; closed by "
               + ", ".join(f"{k} ({n})" for k, n in reasons.items()))
    if n_retried or n_failed:
        finding += f"; {n_retried} acked after a retry, {n_failed} failed"
    style.finding(ax, finding)
    style.alt(ax, f"Timeline of producer batches, one lane per partition, each batch a bar from when it opened "
                  f"to when it was acknowledged: {finding}.")
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


_SHORT = {"linger.ms": lambda v: f"linger {v} ms", "batch.size": lambda v: f"{v // 1024} KB" if v >= 1024 else f"{v} B",
          "compression.type": str, "acks": lambda v: f"acks={v}", "enable.idempotence": lambda v: "idem" if v else "no idem"}
SWEEP_METRICS = (("throughput", "throughput (records/s)", lambda r: r.throughput),
                 ("p99_ms", "p99 latency (ms, virtual)", lambda r: r.p99_ms),
                 ("wire_kb", "bytes on the wire (KB)", lambda r: r.bytes_sent / 1024))


def _config_label(r, keys) -> str:
    return " · ".join(_SHORT.get(k, lambda v, k=k: f"{k}={v}")(r.config.get(k)) for k in keys)


def sweep_plot(results, metrics=("throughput", "p99_ms", "wire_kb"), axes=None, label=None, ax=None):
    """One row per producer config (:func:`kafkalab.scenarios.producer_workload` results), one panel per
    metric: throughput, p99 latency, bytes on the wire.  Rows keep configs with equal results apart
    (a scatter would stack them on one point).  ``label(result)`` names a row (default: the settings
    that differ between the configs).  ``ax`` draws just the first metric into it.  Returns the Axes."""
    chosen = [m for m in SWEEP_METRICS if m[0] in metrics]
    if ax is not None:
        axes, chosen = [ax], chosen[:1]
    if axes is None:
        _, axes = style.subplots(1, len(chosen), width=style.DEFAULT_WIDTH_IN, height=1.4 + 0.3 * len(results),
                                 sharey=True)
        axes = list(axes) if len(chosen) > 1 else [axes]
    for a in axes:
        style.attach(a.figure)
    keys = [k for k in dict.fromkeys(k for r in results for k in r.config)
            if len({repr(r.config.get(k)) for r in results}) > 1] or list(results[0].config)[:2]
    names = [(label(r) if label else "") or _config_label(r, keys) for r in results]
    ys = list(range(len(results)))
    summary = []
    for a, (key, axis_label, value) in zip(axes, chosen):
        vals = [value(r) for r in results]
        a.hlines(ys, 0, vals, color=style.LIGHT_GREY, lw=2)
        a.plot(vals, ys, ls="none", marker="o", ms=style.MARKER_PT, color=style.BLUE)
        a.set_xlim(0, max(vals) * 1.12 if max(vals) > 0 else 1)
        a.set_ylim(len(results) - 0.5, -0.5)
        style.tidy(a, grid="x")
        style.labels(a, x=axis_label)
        lo, hi = min(vals), max(vals)
        word = axis_label.split(" (")[0]
        unit = axis_label.split("(")[1].split(",")[0].rstrip(")") if "(" in axis_label else ""
        summary.append(f"{word} flat at {hi:,.0f} {unit}" if lo and hi / lo < 1.05 else
                       f"{word} {lo:,.0f}–{hi:,.0f} {unit}")
    axes[0].set_yticks(ys, names, fontsize=style.TICK_PT)
    for a in axes[1:]:
        a.tick_params(axis="y", labelleft=False, length=0)
    finding = f"{style.plural(len(results), 'producer config')}: " + "; ".join(summary)
    if len(axes) > 1:
        style.suptitle(axes[0].figure, finding)
    else:
        style.finding(axes[0], finding)
    style.alt(axes[0], f"Dot plot of {len(results)} producer configs ({', '.join(names[:3])}"
                       f"{', …' if len(names) > 3 else ''}), one row each: {finding}.")
    return axes if len(axes) > 1 else axes[0]


# -- samples for the figure check and the gallery ----------------------------------------------------------
@sample(batch_timeline, "small", "A request lost on the way: the first batch is acked only after its retry.")
def _timeline_small():
    from ..clients import Producer
    from ..cluster import Cluster

    c = Cluster(brokers=3, seed=1)
    c.create_topic("orders", 1, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": False,
                  "max.in.flight.requests.per.connection": 5, "linger.ms": 0}, cluster=c)
    c.sim.network.drop_next(p.node, f"kafka-{c.describe('orders').partitions[0].leader}", "ProduceRequest")
    for i in range(4):
        p.produce("orders", key=b"42", value=f"v{i}")
    p.flush()
    return batch_timeline(c.trace)


@sample(batch_timeline, "large", "4,000 events/s for half a second into 6 partitions: 400 batches.")
def _timeline_large():
    from ..scenarios import producer_workload

    r = producer_workload({"linger.ms": 5}, rate=4_000, seconds=0.5)
    return batch_timeline(r.cluster.trace, producer=r.producer)


def _sweep(lingers, sizes, codecs):
    from ..scenarios import producer_workload

    return [producer_workload({"acks": "all", "enable.idempotence": True, "linger.ms": lg, "batch.size": size,
                               "compression.type": codec}, rate=10_000, seconds=0.3)
            for lg in lingers for size in sizes for codec in codecs]


@sample(sweep_plot, "small", "linger.ms 0, 5, 20 with zstd.")
def _sweep_small():
    return sweep_plot(_sweep((0, 5, 20), (131072,), ("zstd",)))


@sample(sweep_plot, "large", "Notebook 04's sweep: linger.ms × batch.size × compression.type, 12 configs.")
def _sweep_large():
    return sweep_plot(_sweep((5, 20, 50), (16384, 131072), ("none", "zstd")))
