"""Consumer-group renderers: assignments, rebalance swim lanes, lag, and ``__consumer_offsets`` decoded.

* :func:`assignment_table` — consumer | before | after | moved in / moved out.
* :func:`assignment_graph` — consumers ↔ partitions; kept edges grey, moved partitions red, a dead
  consumer crossed out.
* :func:`rebalance_timeline` — one swim lane per partition, coloured by the consumer fetching it;
  the white gaps are the time a partition was paused (nobody fetching).  Pass several runs to draw
  eager, cooperative and KIP-848 side by side.
* :func:`pause_table` — paused milliseconds per partition after a moment (e.g. a crash).
* :func:`lag_table` / :func:`lag_heatmap` — log end offset minus committed offset per partition.
* :func:`offsets_topic_table` — the records of ``__consumer_offsets``, decoded.

Everything reads the trace or the partition logs; nothing here changes the cluster.
"""
from __future__ import annotations

import pandas as pd

from ..groups.coordinator import OFFSETS_TOPIC, coordinator_partition, decode_record
from ..group_lab import ownership_intervals, pauses

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
           "#d62728"]


def _fmt(ps) -> str:
    return ", ".join(f"P{p}" for p in ps) if ps else "—"


def assignment_table(before: dict, after: dict, dead=()) -> pd.DataFrame:
    """``before``/``after`` are ``{consumer: [partitions]}``; one row per consumer."""
    rows = []
    for c in sorted(set(before) | set(after)):
        b, a = sorted(before.get(c, [])), sorted(after.get(c, []))
        rows.append({"consumer": c, "before": _fmt(b), "after": "(dead)" if c in dead else _fmt(a),
                     "gained": _fmt(sorted(set(a) - set(b))), "lost": _fmt(sorted(set(b) - set(a)))})
    return pd.DataFrame(rows, columns=["consumer", "before", "after", "gained", "lost"])


def assignment_graph(before: dict, after: dict, dead=(), ax=None, title: str | None = None):
    """Consumers on top, partitions below; edges for ``after``; moved partitions in red."""
    import matplotlib.pyplot as plt

    consumers = sorted(set(before) | set(after))
    parts = sorted({p for ps in list(before.values()) + list(after.values()) for p in ps})
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.6 * len(parts) + 2), 3))
    n = max(len(parts), len(consumers), 1)
    cx = {c: (i + 0.5) * n / max(1, len(consumers)) for i, c in enumerate(consumers)}
    px = {p: (i + 0.5) * n / max(1, len(parts)) for i, p in enumerate(parts)}
    old_owner = {p: c for c, ps in before.items() for p in ps}
    for c, ps in after.items():
        if c in dead:
            continue
        for p in ps:
            moved = old_owner.get(p) != c
            ax.plot([cx[c], px[p]], [1, 0], color="#d62728" if moved else "#aaaaaa", lw=2.6 if moved else 1.2,
                    zorder=1)
    for i, c in enumerate(consumers):
        color = "#cccccc" if c in dead else PALETTE[i % len(PALETTE)]
        ax.scatter([cx[c]], [1], s=600, color=color, zorder=2, edgecolors="black")
        ax.text(cx[c], 1, c, ha="center", va="center", fontsize=9, zorder=3)
        if c in dead:
            ax.plot([cx[c] - 0.25, cx[c] + 0.25], [0.92, 1.08], color="black", lw=2, zorder=4)
    for p in parts:
        ax.scatter([px[p]], [0], s=420, marker="s", color="white", edgecolors="black", zorder=2)
        ax.text(px[p], 0, f"P{p}", ha="center", va="center", fontsize=8, zorder=3)
    ax.set_ylim(-0.4, 1.4)
    ax.set_xlim(-0.2, n + 0.2)
    ax.axis("off")
    ax.set_title(title or "assignment after (red: moved)", fontsize=10)
    return ax


def rebalance_timeline(runs, topic: str = "orders", partitions: int | None = None, since_ms: int | None = None,
                       until_ms: int | None = None, axes=None, titles=None):
    """Swim lanes per partition: coloured bars while a consumer fetches it, gaps while paused.

    ``runs`` is one :class:`~kafkalab.group_lab.GroupRun` or a list of them (drawn one above the
    other, e.g. eager / cooperative / KIP-848).  Returns the list of Axes.
    """
    import matplotlib.pyplot as plt

    runs = runs if isinstance(runs, (list, tuple)) else [runs]
    if axes is None:
        _, axes = plt.subplots(len(runs), 1, figsize=(9, 1.0 + 1.7 * len(runs)), squeeze=False)
        axes = [a[0] for a in axes]
    for k, (run, ax) in enumerate(zip(runs, axes)):
        n = partitions or len(run.cluster.describe(topic).partitions)
        end = until_ms if until_ms is not None else run.cluster.now
        start = since_ms if since_ms is not None else 0
        names = sorted(run.consumers)
        color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(names)}
        for p, node, s, e in ownership_intervals(run.trace, topic, end_ms=end):
            s, e = max(s, start), min(e, end)
            if e > s:
                ax.barh(p, (e - s) / 1000, left=s / 1000, height=0.7, color=color.get(node, "#999999"))
        if run.crash_ms is not None:
            ax.axvline(run.crash_ms / 1000, color="black", ls="--", lw=1)
        ax.set_yticks(range(n))
        ax.set_yticklabels([f"P{p}" for p in range(n)], fontsize=7)
        ax.set_xlim(start / 1000, end / 1000)
        ax.invert_yaxis()
        ax.set_title(titles[k] if titles else "who fetches each partition (gaps = paused)", fontsize=9)
        handles = [plt.Rectangle((0, 0), 1, 1, color=color[c]) for c in names]
        ax.legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xlabel("virtual time (s)")
    return axes


def pause_table(runs: dict, topic: str = "orders", since_ms: int | None = None, until_ms: int | None = None
                ) -> pd.DataFrame:
    """``{label: GroupRun}`` → one row per partition, one column per run: paused ms after ``since_ms``
    (default: each run's crash)."""
    cols = {}
    n = 0
    for label, run in runs.items():
        n = len(run.cluster.describe(topic).partitions)
        s = since_ms if since_ms is not None else (run.crash_ms or 0)
        cols[label] = pauses(run.trace, topic, s, until_ms if until_ms is not None else run.cluster.now, n)
    df = pd.DataFrame({label: [cols[label][p] for p in range(n)] for label in cols})
    df.insert(0, "partition", [f"P{p}" for p in range(n)])
    return df


def _log_end(cluster, topic: str, p: int) -> int:
    rep = cluster.leader_replica(topic, p)
    return rep.log.high_watermark if rep is not None else -1


def _committed(cluster, group: str, topic: str | None = None) -> dict:
    own = getattr(cluster, "committed_offsets", None)
    if own is not None:  # a real cluster's handle (kafkalab.real) asks the group coordinator: OffsetFetch
        return own(group, topic)
    from ..groups.coordinator import coordinator_for

    return {k: v[0] for k, v in coordinator_for(cluster).committed_offsets(group).items()}


def lag_table(cluster, group: str, topic: str) -> pd.DataFrame:
    """Per partition: log end offset (high watermark), the group's committed offset, and the lag."""
    committed = _committed(cluster, group, topic)
    rows = []
    for p in range(len(cluster.describe(topic).partitions)):
        end = _log_end(cluster, topic, p)
        c = committed.get((topic, p))
        rows.append({"partition": p, "log_end_offset": end, "committed": c if c is not None else -1,
                     "lag": end - (c if c is not None else 0)})
    return pd.DataFrame(rows, columns=["partition", "log_end_offset", "committed", "lag"])


def lag_heatmap(cluster, groups: list, topic: str, ax=None):
    """Groups × partitions, coloured by lag (darker = further behind)."""
    import matplotlib.pyplot as plt

    data = [lag_table(cluster, g, topic)["lag"].tolist() for g in groups]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5, len(data[0]) * 0.6 + 2), 0.6 * len(groups) + 1.2))
    im = ax.imshow(data, cmap="Reds", aspect="auto", vmin=0)
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(data[0])))
    ax.set_xticklabels([f"P{p}" for p in range(len(data[0]))], fontsize=8)
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels(groups, fontsize=8)
    ax.set_title(f"consumer lag on {topic} (records)", fontsize=10)
    ax.figure.colorbar(im, ax=ax, fraction=0.03)
    return ax


def offsets_topic_table(cluster, group: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """The records of ``__consumer_offsets`` (of one group's partition, if given), decoded."""
    if OFFSETS_TOPIC not in cluster.topics():
        return pd.DataFrame(columns=["partition", "offset", "time_ms", "type", "group", "topic", "topic_partition",
                                     "committed_offset", "generation"])
    parts = [coordinator_partition(group)] if group else range(len(cluster.describe(OFFSETS_TOPIC).partitions))
    rows = []
    for p in parts:
        log = cluster.partition_log(OFFSETS_TOPIC, p)
        if log is None:
            continue
        for off, rec, _b in log.records(log.log_start_offset, log.high_watermark):
            d = decode_record(rec[0], rec[1])
            if group and d.get("group") != group:
                continue
            if kind and d.get("type") != kind:
                continue
            v = d["value"] or {}
            rows.append({"partition": p, "offset": off, "time_ms": rec[2], "type": d.get("type"),
                         "group": d.get("group"), "topic": d.get("topic"), "topic_partition": d.get("partition"),
                         "committed_offset": v.get("offset"), "generation": v.get("generation")})
    return pd.DataFrame(rows, columns=["partition", "offset", "time_ms", "type", "group", "topic", "topic_partition",
                                       "committed_offset", "generation"])
