"""Consumer-group renderers: assignments, rebalance swim lanes, lag, and ``__consumer_offsets`` decoded.

* :func:`assignment_table` — consumer | before | after | moved in / moved out.
* :func:`assignment_graph` — consumers ↔ partitions; kept edges grey, moved partitions red, a dead
  consumer crossed out.
* :func:`rebalance_timeline` — one swim lane per partition, coloured by the consumer fetching it;
  hatched where the partition was paused (nobody fetching).  Pass several runs to draw eager,
  cooperative and KIP-848 one above the other on one time axis.
* :func:`pause_table` — paused milliseconds per partition after a moment (e.g. a crash).
* :func:`lag_table` / :func:`lag_heatmap` — log end offset minus committed offset per partition.
* :func:`offsets_topic_table` — the records of ``__consumer_offsets``, decoded.

Everything reads the trace or the partition logs; nothing here changes the cluster.
"""
from __future__ import annotations

import pandas as pd

from ..group_lab import ownership_intervals, pauses
from ..groups.coordinator import OFFSETS_TOPIC, coordinator_partition, decode_record
from . import style
from .gallery import sample


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
    """Consumers on top, partitions below; an edge per partition each consumer owns ``after``: grey when it
    stayed with its owner, thick vermillion when it moved.  A dead consumer is grey and crossed out."""
    from matplotlib.lines import Line2D

    consumers = sorted(set(before) | set(after), key=style.natural_key)
    parts = sorted({p for ps in list(before.values()) + list(after.values()) for p in ps})
    ax = style.axes_or_new(ax, width=min(style.DEFAULT_WIDTH_IN, max(6.0, 0.55 * len(parts) + 3)), height=3.2)
    n = max(len(parts), len(consumers), 1)
    cx = {c: (i + 0.5) * n / max(1, len(consumers)) for i, c in enumerate(consumers)}
    px = {p: (i + 0.5) * n / max(1, len(parts)) for i, p in enumerate(parts)}
    old_owner = {p: c for c, ps in before.items() for p in ps}
    colors = style.consumer_colors(consumers, dead=dead)
    moved = []
    for c, ps in sorted(after.items()):
        if c in dead:
            continue
        for p in ps:
            m = old_owner.get(p) != c
            moved += [p] if m else []
            ax.plot([cx[c], px[p]], [1, 0], color=style.VERMILLION if m else style.GREY, lw=3.2 if m else 1.4,
                    ls="-", zorder=1, solid_capstyle="round")
    node_pt = max(24.0, min(40.0, 300 / n))
    for c in consumers:
        ax.scatter([cx[c]], [1], s=node_pt ** 2, color=colors[c], zorder=2, edgecolors=style.INK, linewidths=1)
        ax.text(cx[c], 1, c, ha="center", va="center", fontsize=style.TEXT_PT, zorder=3,
                color=style.text_color_on(colors[c]))
        if c in dead:
            ax.plot([cx[c] - 0.3, cx[c] + 0.3], [0.9, 1.1], color=style.INK, lw=2.5, zorder=4)
    for p in parts:
        ax.scatter([px[p]], [0], s=(node_pt * 0.85) ** 2, marker="s", color="white", edgecolors=style.INK, zorder=2)
        ax.text(px[p], 0, f"P{p}", ha="center", va="center", fontsize=style.TEXT_PT, zorder=3)
    ax.set_ylim(-0.45, 1.45)
    ax.set_xlim(-0.3, n + 0.3)
    ax.axis("off")
    handles = [Line2D([], [], color=style.GREY, lw=1.4, label="stayed with its owner"),
               Line2D([], [], color=style.VERMILLION, lw=3.2, label="moved to a new owner")]
    if dead:
        handles.append(style.patch(style.DEAD_COLOR, "dead consumer"))
    style.legend(ax, handles=handles)
    who = ", ".join(sorted(dead))
    finding = (f"{style.plural(len(moved), 'partition')} moved ({', '.join(f'P{p}' for p in sorted(moved))})"
               if moved else "no partition moved")
    if dead:
        finding += f" after {who} died"
    style.finding(ax, (f"{title}: " if title else "") + finding)
    style.alt(ax, f"Graph of consumers {', '.join(consumers)} above and partitions below, one line per partition "
                  f"each consumer owns after the rebalance: {finding}.")
    return ax


def rebalance_timeline(runs, topic: str = "orders", partitions: int | None = None, since_ms: int | None = None,
                       until_ms: int | None = None, axes=None, titles=None):
    """Swim lanes per partition: a bar in the colour of the consumer fetching it; hatched where nobody
    does (paused).  A pause is drawn at least a few pixels wide, so the short stop of an eager
    rebalance shows too.  ``runs`` is one :class:`~kafkalab.group_lab.GroupRun` or a list of them
    (eager, cooperative, KIP-848), stacked with one time axis.  Returns the list of Axes."""
    runs = runs if isinstance(runs, (list, tuple)) else [runs]
    own_figure = axes is None
    if axes is None:
        height = sum(0.9 + 0.26 * (partitions or len(r.cluster.describe(topic).partitions)) for r in runs) + 0.9
        _, axes = style.subplots(len(runs), 1, width=style.DEFAULT_WIDTH_IN, height=height, sharex=True,
                                 squeeze=False)
        axes = [a[0] for a in axes]
    for a in axes:
        style.attach(a.figure)
    names = sorted({c for run in runs for c in run.consumers}, key=style.natural_key)
    colors = style.consumer_colors(names)
    starts = [since_ms if since_ms is not None else 0 for _ in runs]
    ends = [until_ms if until_ms is not None else run.cluster.now for run in runs]
    x0, x1 = min(starts) / 1000, max(ends) / 1000
    summaries = []
    for k, (run, ax) in enumerate(zip(runs, axes)):
        n = partitions or len(run.cluster.describe(topic).partitions)
        start, end = starts[k], ends[k]
        min_w = 3 * style.data_per_px(ax, x0, x1)
        # One barh call per kind of bar (the same rectangles, in the same order, as a call per bar: the
        # per-call overhead was a third of drawing the lanes).
        owned = [(p, max((e - s) / 1000, min_w), s / 1000, colors.get(node, style.GREY))
                 for p, node, s, e in ((p, node, max(s, start), min(e, end))
                                       for p, node, s, e in ownership_intervals(run.trace, topic, end_ms=end))
                 if e > s and p < n]
        if owned:
            ax.barh([b[0] for b in owned], [b[1] for b in owned], left=[b[2] for b in owned], height=0.72,
                    color=[b[3] for b in owned])
        paused = _pause_intervals(run.trace, topic, n, start, end)
        # Over the bars, at least min_w wide: a hairline gap is not a picture.
        pause_bars = [(p, (s + e) / 2000, max((e - s) / 1000, min_w)) for p, s, e in paused]
        if pause_bars:
            ax.barh([b[0] for b in pause_bars], [b[2] for b in pause_bars], left=[b[1] - b[2] / 2 for b in pause_bars],
                    height=0.72, color=style.PAUSED_COLOR, hatch=style.PAUSED_HATCH, edgecolor=style.INK, lw=0.6,
                    zorder=3)
        band = 0.0
        if run.crash_ms is not None:
            victim = next((e.node for e in run.trace.filter("consumer.crash") if e.time_ms >= run.crash_ms), None)
            band, _ = style.event_marks(ax, [(run.crash_ms / 1000, f"{victim or 'a consumer'} crashes")], x0, x1,
                                        color=style.INK)
        ax.set_yticks(range(n), [f"P{p}" for p in range(n)], fontsize=style.TICK_PT)
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(n - 0.5, -0.5 - (n * band / max(0.05, 1 - band)))
        ax.set_xlim(x0, x1)
        style.tidy(ax)
        label = titles[k] if titles else ""
        after = run.crash_ms if run.crash_ms is not None else start
        stops = pauses(run.trace, topic, after, end, n)
        stopped = {p: ms for p, ms in stops.items() if ms > 0}
        if stopped:
            longest = max(stopped, key=stopped.get)
            others = [ms for p, ms in stopped.items() if p != longest]
            text = (f"{style.plural(len(stopped), 'partition')} of {n} pause" + ("s" if len(stopped) == 1 else "")
                    + f"{' after the crash' if run.crash_ms is not None else ''}: longest {stopped[longest] / 1000:.1f} s "
                    f"(P{longest})" + (f", shortest {min(others) / 1000:.1f} s" if others else ""))
        else:
            text = f"no partition pauses{' after the crash' if run.crash_ms is not None else ''}"
        summaries.append(f"{label}: {text}" if label else text)
        style.finding(ax, summaries[-1])
    n = partitions or len(runs[0].cluster.describe(topic).partitions)
    style.alt(axes[0].figure if own_figure else axes[0], f"Swim lanes of {n} partitions over time, coloured by the consumer fetching each, "
                              f"hatched where nobody fetches: {'; '.join(summaries)}.")
    for ax in axes[:-1]:
        ax.tick_params(axis="x", labelbottom=False)
    style.labels(axes[-1], x="virtual time (s)")
    handles = [style.patch(colors[c], c) for c in names]
    handles.append(style.patch(style.PAUSED_COLOR, "paused (nobody fetches)", hatch=style.PAUSED_HATCH))
    style.legend(axes[0], handles=handles)
    return axes


def _pause_intervals(trace, topic: str, n: int, start: int, end: int) -> list:
    """``[(partition, start_ms, end_ms)]`` during which nobody fetched the partition, within ``[start, end]``,
    from the first moment it had an owner (before that the group was still forming)."""
    cover: dict = {}
    for p, _node, s, e in ownership_intervals(trace, topic, end_ms=end):
        if p < n and e > s:
            cover.setdefault(p, []).append((s, e))
    out = []
    for p, spans in sorted(cover.items()):
        spans.sort()
        t = max(spans[0][0], start)
        for s, e in spans:
            if s > t:
                out.append((p, t, min(s, end)))
            t = max(t, e)
        if t < end:
            out.append((p, t, end))
    return [(p, s, e) for p, s, e in out if e > s]


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
    """Groups × partitions, coloured by lag (records behind the log end; darker = further behind)."""
    import numpy as np

    data = np.array([lag_table(cluster, g, topic)["lag"].tolist() for g in groups])
    n = data.shape[1]
    label_pt = max(style.text_width_pt(g, style.TICK_PT) for g in groups)
    ax = style.axes_or_new(ax, width=min(style.DEFAULT_WIDTH_IN, 2.5 + label_pt / 72 + 0.55 * n),
                           height=0.55 * len(groups) + 1.6)
    vmax = max(1, int(data.max()))
    im = ax.imshow(data, cmap=style.SEQUENTIAL_CMAP + "_r", aspect="auto", vmin=0, vmax=vmax)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=style.TEXT_PT,
                color=style.text_color_on(im.cmap(im.norm(v))))
    ax.set_xticks(range(n), [f"P{p}" for p in range(n)], fontsize=style.TICK_PT)
    ax.set_yticks(range(len(groups)), groups, fontsize=style.TICK_PT)
    ax.tick_params(length=0)
    style.labels(ax, x="partition")
    bar = ax.figure.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label("lag (records)", fontsize=style.LABEL_PT)
    bar.ax.tick_params(labelsize=style.TICK_PT)
    worst = np.unravel_index(int(np.argmax(data)), data.shape)
    finding = (f"{groups[worst[0]]} is furthest behind: {int(data[worst])} records on P{worst[1]}"
               if data.max() > 0 else f"every group has read all of {topic}")
    style.finding(ax, finding)
    style.alt(ax, f"Heat map of consumer lag on {topic}, groups {', '.join(groups)} by partitions P0–P{n - 1}: "
                  f"{finding}; total lag {int(data.sum())} records.")
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


# -- samples for the figure check and the gallery ----------------------------------------------------------
def _cached(fn):
    import functools

    return functools.lru_cache(maxsize=None)(fn)


@_cached
def _coop():
    from ..group_lab import group_run

    return group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000, run_ms=80_000)


@_cached
def _eager():
    from ..group_lab import group_run

    return group_run(4, 8, strategy="range", crash="C3", run_ms=80_000)


@_cached
def _kip848():
    from ..group_lab import group_run

    return group_run(4, 8, strategy="uniform", protocol="consumer", crash="C3", run_ms=80_000)


@_cached
def _ten():
    from ..group_lab import group_run

    return group_run(10, 12, strategy="range", crash="C4", crash_at_ms=20_000, run_ms=75_000, step_ms=100)


@sample(assignment_graph, "small", "The guide's rebalance: C3 dies, cooperative-sticky moves only its partitions.")
def _graph_small():
    run = _coop()
    return assignment_graph(run.assignment(run.crash_ms), run.assignment(), dead={"C3"})


@sample(assignment_graph, "large", "Ten consumers on twelve partitions, C4 dies (range: more partitions move).")
def _graph_large():
    run = _ten()
    return assignment_graph(run.assignment(run.crash_ms), run.assignment(), dead={"C4"})


@sample(rebalance_timeline, "small", "Cooperative-sticky: only C3's partitions pause after its crash.")
def _swim_small():
    return rebalance_timeline(_coop(), "orders", since_ms=15_000)


@sample(rebalance_timeline, "large", "Notebook 05: eager vs cooperative vs KIP-848 after the same crash.")
def _swim_large():
    return rebalance_timeline([_eager(), _coop(), _kip848()], "orders", since_ms=15_000,
                              titles=["range (eager)", "cooperative-sticky", "KIP-848 uniform"])


@sample(lag_heatmap, "small", "Two groups, six partitions: what each group still has to read.")
def _lag_small():
    from ..group_lab import group_run

    fan = group_run(3, 6, strategy="range", groups=2, run_ms=15_000, records_per_partition=10)
    return lag_heatmap(fan.cluster, ["order-pipeline-1", "order-pipeline-2"], "orders")


@sample(lag_heatmap, "large", "Ten consumers, twelve partitions, one crashed: its partitions fall behind.")
def _lag_large():
    return lag_heatmap(_ten().cluster, ["order-pipeline"], "orders")
