"""Renderers for notebook 08 (Kafka Streams): the topology, windows over a timeline, tasks and restores.

* :func:`topology_graph` — the topology as kafka-streams-viz draws it, from the model's own
  ``Topology``: one band per sub-topology, sources → processors → sinks, input/output topics,
  ``-repartition`` topics linking the bands, state stores with their ``-changelog`` topics.
* :func:`window_timeline` — the window explorer: each window a bar over event time (its grace as a
  hatched tail), each record a dot in the windows it counted in and a cross where it arrived too late.
* :func:`window_counts_table` — an output topic of windowed counts as the guide prints it
  (user_id | window_start | window_end | count), last value per window, or every update.
* :func:`task_timeline` / :func:`restore_table` — which instance ran which task when (from the trace's
  ``streams.tasks_assigned``/``tasks_revoked``/``crash``), the restores (hatched) and commits.
* :func:`emits_plot` / :func:`emits_table` — records that left for a topic over time: the
  cache/commit surprise, run against run.

Everything is drawn from model state or the trace (``streams.*`` events); nothing is recomputed.
"""
from __future__ import annotations

import re

from . import style

#: The colours of the topology picture (one place; from the shared palette).
TOPOLOGY_COLORS = {"source": style.BLUE, "processor": style.LIGHT_GREY, "sink": style.BLUE, "topic": style.SKY_BLUE,
                   "repartition": style.ORANGE, "store": style.GREEN, "changelog": style.PURPLE}
WINDOW_COLORS = {"open": style.SKY_BLUE, "grace": style.SKY_BLUE, "counted": style.BLUE, "late": style.DANGER}

_GENERATED = re.compile(r"^(KSTREAM|KTABLE)-(.+)-(\d{10})$")


def short_name(name: str) -> str:
    """``KSTREAM-AGGREGATE-0000000005`` → ``KS-AGGREGATE-5`` (the picture's labels; a note says so)."""
    m = _GENERATED.match(name)
    if m:
        return f"{'KS' if m.group(1) == 'KSTREAM' else 'KT'}-{m.group(2)}-{int(m.group(3))}"
    return re.sub(r"-(\d{10})(?=-|$)", lambda g: f"-{int(g.group(1))}", name)


def _wrap_name(name: str, width: int = 13) -> str:
    """Break a name after its dashes into lines of at most ``width`` characters (longer parts are cut)."""
    parts, line, out = re.split(r"(?<=-)", name), "", []
    for p in parts:
        while len(p) > width:
            if line:
                out.append(line)
                line = ""
            out.append(p[:width])
            p = p[width:]
        if len(line) + len(p) > width and line:
            out.append(line)
            line = p
        else:
            line += p
    if line:
        out.append(line)
    return "\n".join(out)


def _layout(topology, application_id: str):
    """Bands (sub-topologies) with their nodes in columns by depth, and the topics/stores around them."""
    itb = topology.internal
    bands = []
    for sid, names in itb.subtopologies().items():
        depth: dict[str, int] = {}
        for n in names:  # node_factories order: parents come before children
            f = itb.node_factories[n]
            preds = [p for p in f.predecessors if p in depth]
            depth[n] = 1 + max((depth[p] for p in preds), default=0)
        columns: dict[int, list] = {}
        for n in names:
            columns.setdefault(depth[n], []).append(n)
        # Within a column, nodes follow their parents' rows (a barycentre ordering), so edges cross less.
        row: dict[str, float] = {}
        for d in sorted(columns):
            order = columns[d]
            keys = {}
            for i, n in enumerate(order):
                ps = [row[p] for p in itb.node_factories[n].predecessors if p in row]
                keys[n] = (sum(ps) / len(ps) if ps else i, i)
            order.sort(key=keys.__getitem__)
            for i, n in enumerate(order):
                row[n] = i
        stores = []
        for n in names:
            f = itb.node_factories[n]
            for s in getattr(f, "state_store_names", ()):
                if s in itb.state_factories and all(s != x[0] for x in stores):
                    sf = itb.state_factories[s]
                    users = [p for p in names if s in getattr(itb.node_factories[p], "state_store_names", ())]
                    stores.append((s, users, f"{application_id}-{s}-changelog" if sf.logging_enabled else None))
        bands.append({"id": sid, "depth": depth, "columns": columns, "stores": stores, "names": names})
    return itb, bands


_FOLD, _FOLD_GAP = 5, 0.5  # processors per row of a sub-topology; the gap between its rows


def _lines(text: str) -> int:
    return _wrap_name(text).count("\n") + 1


def _box_h(text: str) -> float:
    return max(0.62, 0.17 * _lines(text) + 0.1)


def topology_graph(topology, application_id: str = "<application.id>", ax=None, title: str | None = None):
    """Draw ``topology`` (sub-topologies, nodes, topics, stores, changelogs). Returns the Axes."""
    from matplotlib.patches import FancyBboxPatch

    itb, bands = _layout(topology, application_id)
    # A chain deeper than FOLD processors continues on the next row of its band (as text wraps), so a box
    # keeps room for a 13-character line at TEXT_PT within MAX_WIDTH_IN.
    max_depth = min(max((max(b["depth"].values()) for b in bands), default=1), _FOLD)
    col_w, box_w = 1.0, 0.94
    def topic_label(t):
        return short_name(f"{application_id}-{t}") if t in itb.internal_topics else t

    def side_topics(n) -> list:  # the topics drawn beside a source (left) or a sink (right)
        f = itb.node_factories[n]
        return list(f.topics) if f.kind == "source" else [f.topic] if f.kind == "sink" and f.topic else []

    def stack_h(topics) -> float:
        return sum(_box_h(topic_label(t)) for t in topics) + 0.1 * max(0, len(topics) - 1)

    def row_label_h(n):  # the tallest thing in a node's row: its box, or the topics stacked beside it
        return max(_box_h(short_name(n)), stack_h(side_topics(n)))

    for band in bands:  # the height of a band: its node rows, then a row of stores, then their changelogs
        row_h: dict[tuple, float] = {}
        for d, names in band["columns"].items():
            for i, n in enumerate(names):
                k = ((d - 1) // _FOLD, i)
                row_h[k] = max(row_h.get(k, 1.0), row_label_h(n) + 0.38)
        row_top, at, fold = {}, 0.0, None
        for k in sorted(row_h):
            if fold is not None and k[0] != fold:
                at += _FOLD_GAP
            fold = k[0]
            row_top[k] = at
            at += row_h[k]
        band["row_h"], band["row_top"], band["node_rows"] = row_h, row_top, at
        band["store_h"] = max((_box_h(short_name(s)) for s, _u, _c in band["stores"]), default=0)
        band["log_h"] = max((_box_h(short_name(c)) for _s, _u, c in band["stores"] if c), default=0)
        band["height"] = band["node_rows"] + (band["store_h"] + 0.4 if band["stores"] else 0) + \
            (band["log_h"] + 0.4 if band["log_h"] else 0)
    total = sum(b["height"] for b in bands) + 0.6 * len(bands)
    ax = style.axes_or_new(ax, width=style.MAX_WIDTH_IN, height=max(1.3 + total, 2.6))
    pos: dict[str, tuple] = {}
    heights: dict[str, float] = {}  # of each node's box
    fold_top: dict[str, float] = {}  # the top of the row a node's chain continues on

    def box(x, yy, text, kind):
        color = TOPOLOGY_COLORS[kind]
        face = "white" if kind in ("source", "sink") else color
        edge = color if kind in ("source", "sink") else style.DARK_GREY
        h = _box_h(text)
        ax.add_patch(FancyBboxPatch((x - box_w / 2, yy - h / 2), box_w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=face, edgecolor=edge, lw=1.6 if kind in ("source", "sink") else 1.0,
                                    zorder=2, gid=f"{kind}-box"))  # gids name the parts in an SVG (and for tests)
        ax.text(x, yy, _wrap_name(text), ha="center", va="center", fontsize=style.TEXT_PT,
                color=style.text_color_on(face), zorder=3, gid=f"{kind}-label")
        return h

    def arrow(a, b, color=None, dashed=False):
        ax.annotate("", xy=(b[0] - box_w / 2, b[1]), xytext=(a[0] + box_w / 2, a[1]),
                    arrowprops={"arrowstyle": "->", "color": color or style.DARK_GREY, "lw": 1.1,
                                "linestyle": "--" if dashed else "-", "shrinkA": 0, "shrinkB": 0}, zorder=1)

    topic_pos: dict[tuple, tuple] = {}
    y = 0.0
    gaps = []
    right = (max_depth + 1) * col_w
    for band in bands:
        top = y
        for d, names in band["columns"].items():
            for i, n in enumerate(names):
                k = ((d - 1) // _FOLD, i)
                pos[n] = (((d - 1) % _FOLD + 1) * col_w, -(top + band["row_top"][k] + band["row_h"][k] / 2))
                fold_top[n] = -(top + band["row_top"][(k[0], 0)])
        ax.add_patch(FancyBboxPatch((0.46, -(top + band["height"]) + 0.05), (max_depth + 0.08) * col_w,
                                    band["height"] - 0.1, boxstyle="round,pad=0.02", facecolor="none",
                                    edgecolor=style.GREY, lw=0.8, linestyle=":", zorder=0))
        ax.text(0.5, -top + 0.12, f"Sub-topology {band['id']}", ha="left", va="bottom", fontsize=style.TEXT_PT,
                color=style.DARK_GREY)
        for n in band["names"]:
            f = itb.node_factories[n]
            heights[n] = box(*pos[n], short_name(n), f.kind)
            for p in f.predecessors:
                if p in pos and pos[p][0] < pos[n][0]:
                    arrow(pos[p], pos[n])
                elif p in pos:  # the chain wraps: down from the parent, back along the gap, into the child's top
                    gap_y = fold_top[n] + _FOLD_GAP / 2
                    ax.plot([pos[p][0], pos[p][0], pos[n][0]], [pos[p][1] - heights[p] / 2, gap_y, gap_y],
                            color=style.DARK_GREY, lw=1.1, zorder=1)
                    ax.annotate("", xy=(pos[n][0], pos[n][1] + heights[n] / 2), xytext=(pos[n][0], gap_y),
                                arrowprops={"arrowstyle": "->", "color": style.DARK_GREY, "lw": 1.1, "shrinkA": 0,
                                            "shrinkB": 0}, zorder=1)
            topics = side_topics(n)
            yt = pos[n][1] + stack_h(topics) / 2
            for t in topics:
                internal = t in itb.internal_topics
                h = _box_h(topic_label(t))
                tp = (0.0 if f.kind == "source" else right, yt - h / 2)
                yt -= h + 0.1
                box(*tp, topic_label(t), "repartition" if internal else "topic")
                ends = (tp, pos[n]) if f.kind == "source" else (pos[n], tp)
                arrow(*ends, color=style.ORANGE if internal else None)
                topic_pos[("in" if f.kind == "source" else "out", t)] = (*tp, h)
        if band["stores"]:
            ys = -(top + band["node_rows"] + 0.2 + band["store_h"] / 2)
            yl = ys - band["store_h"] / 2 - 0.4 - band["log_h"] / 2
            used: set = set()
            for st, users, changelog in band["stores"]:
                x = pos[users[0]][0]
                while x in used:
                    x += col_w
                used.add(x)
                h = box(x, ys, short_name(st), "store")
                for proc in users:
                    ax.plot([pos[proc][0], x], [pos[proc][1] - heights[proc] / 2, ys + h / 2], color=style.GREEN,
                            lw=1.2, zorder=1)
                if changelog is not None:
                    hl = box(x, yl, short_name(changelog), "changelog")
                    ax.annotate("", xy=(x, yl + hl / 2), xytext=(x, ys - h / 2),
                                arrowprops={"arrowstyle": "->", "color": style.PURPLE, "lw": 1.1, "linestyle": "--"},
                                zorder=1)
        gaps.append(-(top + band["height"] + 0.12))  # just under this band's frame
        y += band["height"] + 0.6
    # A repartition topic written by one band and read by another: a dashed path between its two copies, down
    # the gap under the writing band, then in a lane of its own left of the source topics, into the reader's side.
    links = [(t, a, topic_pos[("in", t)]) for (kind, t), a in topic_pos.items() if kind == "out" and ("in", t) in topic_pos]
    for i, (_t, a, b) in enumerate(links):
        gap = max((g for g in gaps if g < a[1]), default=a[1] - a[2])
        lane = -0.53 - 0.03 * i
        ax.plot([a[0], a[0], lane, lane], [a[1] - a[2] / 2, gap, gap, b[1]], color=style.ORANGE, lw=1.2, ls="--",
                zorder=1)
        ax.annotate("", xy=(b[0] - box_w / 2, b[1]), xytext=(lane, b[1]),
                    arrowprops={"arrowstyle": "->", "color": style.ORANGE, "lw": 1.2, "linestyle": "--",
                                "shrinkA": 0, "shrinkB": 0}, zorder=1)
    left = -0.6 - 0.03 * len(links)
    ax.set_xlim(left, right + 0.6)
    ax.set_ylim(-(y + 0.5), 0.7)
    ax.axis("off")
    ax.text(left + 0.05, -(y + 0.4), "Names shortened: KS-/KT- stand for KSTREAM-/KTABLE-, and -0000000005 for -5.",
            fontsize=style.TEXT_PT, color=style.DARK_GREY, ha="left", va="bottom")
    n_sub = len(bands)
    n_rep = len(itb.internal_topics)
    n_store = sum(len(b["stores"]) for b in bands)
    style.finding(ax, title or f"{style.plural(n_sub, 'sub-topology', 'sub-topologies')} (each runs as one task per "
                               f"input partition), {style.plural(n_rep, 'repartition topic')}, "
                               f"{style.plural(n_store, 'state store')}")
    handles = [style.patch("white", "source / sink", edge=style.BLUE), style.patch(style.LIGHT_GREY, "processor"),
               style.patch(style.SKY_BLUE, "topic"), style.patch(style.ORANGE, "repartition topic"),
               style.patch(style.GREEN, "state store"), style.patch(style.PURPLE, "changelog topic")]
    style.legend(ax, handles=handles, where="inside", ncol=3)
    style.alt(ax, f"Topology graph with {n_sub} sub-topologies; sources on the left, sinks on the right, "
                  f"{n_rep} repartition topics and {n_store} state stores with their changelogs.")
    return ax


# ------------------------------------------------------------------------------------------------
# Windows


def _fmt_time(ms: int, unit_ms: int) -> str:
    if unit_ms == 60_000 and ms >= 3_600_000:
        m = ms // 60_000
        return f"{m // 60:02d}:{m % 60:02d}"
    return f"{ms / unit_ms:g}"


def window_timeline(run, ax=None, unit_ms: int = 60_000, key: str | None = None, title: str | None = None):
    """The window explorer: windows as bars over event time, records counted (dots) or too late (crosses).

    ``run`` is a :class:`~kafkalab.ecosystem.streams.lab.WindowRun`.
    """
    recs = [r for r in run.records if key is None or r["key"] == key]
    wins = sorted({(s, e) for r in recs for s, e in r["counted"] + r["dropped"]})
    ax = style.axes_or_new(ax, height=max(2.6, 0.9 + 0.28 * (len(wins) + 2)))
    row = {w: i for i, w in enumerate(wins)}
    finals = {(s, e): c for k, s, e, c in run.windows if key is None or k == key}
    grace = run.grace_ms
    ys = list(row.values())
    ax.barh(ys, [e - s for s, e in row], left=[s for s, _e in row], height=0.55, color=WINDOW_COLORS["open"],
            edgecolor=style.DARK_GREY, lw=0.6)
    if grace:
        ax.barh(ys, [grace] * len(ys), left=[e for _s, e in row], height=0.55, color="white",
                edgecolor=WINDOW_COLORS["grace"], hatch="///", lw=0.6)
    for (s, e), i in row.items():
        count = finals.get((s, e))
        ax.text(e + grace + 0.02 * unit_ms, i, f"{count if count is not None else 0}", va="center", ha="left",
                fontsize=style.TEXT_PT, color=style.INK)
    counted = [(r["ts"], row[w]) for r in recs for w in r["counted"] if w in row]
    dropped = [(r["ts"], row[w]) for r in recs for w in r["dropped"] if w in row]
    if counted:
        ax.scatter(*zip(*counted, strict=True), s=(style.MARKER_PT - 2) ** 2, color=WINDOW_COLORS["counted"], zorder=3)
    if dropped:
        ax.scatter(*zip(*dropped, strict=True), s=style.MARKER_PT ** 2, marker="X", color=WINDOW_COLORS["late"],
                   edgecolors="white", zorder=4)
    lane = len(wins) + 0.6
    late = [r for r in recs if r["dropped"]]
    if recs:
        ax.scatter([r["ts"] for r in recs], [lane] * len(recs), s=style.MARKER_PT ** 2, marker="v", zorder=3,
                   color=[WINDOW_COLORS["late"] if r["dropped"] else WINDOW_COLORS["counted"] for r in recs])
    if recs:
        st = recs[-1]["stream_time"]
        ax.axvline(st, color=style.DARK_GREY, ls="--", lw=1)
        ax.text(st, lane + 0.55, " stream time", ha="left", va="bottom", fontsize=style.TEXT_PT, color=style.DARK_GREY)
    ax.set_yticks(list(range(len(wins))) + [lane])
    ax.set_yticklabels([f"[{_fmt_time(s, unit_ms)}, {_fmt_time(e, unit_ms)})" for s, e in wins] + ["records"],
                       fontsize=style.TICK_PT)
    ax.set_ylim(-0.7, lane + 1.2)
    ax.invert_yaxis()
    xs = [s for s, _ in wins] + [e + grace for _, e in wins] + [r["ts"] for r in recs]
    if xs:
        lo, hi = min(xs), max(xs)
        ax.set_xlim(lo - 0.03 * (hi - lo + 1), hi + 0.08 * (hi - lo + 1))
    ticks = ax.get_xticks()
    ax.set_xticks(ticks)
    ax.set_xticklabels([_fmt_time(int(t), unit_ms) for t in ticks])
    ax.set_xlim(*ax.get_xlim())
    style.tidy(ax, grid="x")
    style.labels(ax, x="event time" + (" (min)" if unit_ms == 60_000 and (not xs or max(xs) < 3_600_000) else ""))
    n_late_pairs = sum(len(r["dropped"]) for r in recs)
    grace_txt = f"{grace / unit_ms:g} min" if unit_ms == 60_000 else f"{grace} ms"
    style.finding(ax, title or (f"{len(recs)} records in {len(wins)} windows; {len(late)} came too late for some of "
                                f"their windows: {style.plural(n_late_pairs, 'window update')} dropped "
                                f"(grace {grace_txt})"))
    from matplotlib.lines import Line2D

    handles = [style.patch(WINDOW_COLORS["open"], "window (final count)"),
               style.patch("white", "grace", hatch="///", edge=WINDOW_COLORS["grace"]),
               Line2D([], [], ls="none", marker="o", color=WINDOW_COLORS["counted"], ms=style.MARKER_PT - 2,
                      label="record counted"), _late_handle(),
               Line2D([], [], ls="none", marker="v", color=WINDOW_COLORS["counted"], ms=style.MARKER_PT,
                      label="record (arrival)"),
               Line2D([], [], ls="none", marker="v", color=WINDOW_COLORS["late"], ms=style.MARKER_PT,
                      label="late record")]
    style.legend(ax, handles=handles)
    style.alt(ax, f"Timeline of {len(wins)} windows with {len(recs)} records; {n_late_pairs} record-window "
                  "updates were dropped as late (crosses).")
    return ax


def _late_handle():
    from matplotlib.lines import Line2D

    return Line2D([], [], ls="none", marker="X", color=WINDOW_COLORS["late"], ms=style.MARKER_PT,
                  label="too late (dropped)")


def window_counts_table(records, key_serde=None, value_serde=None, every_update: bool = False, time_fmt=None):
    """An output topic of windowed counts as a table: user_id | window_start | window_end | count.

    ``records`` are ``TestRecord``s (already deserialized) or raw ``(key, value, ts, ...)`` tuples from
    :func:`~kafkalab.ecosystem.streams.lab.read_topics` (give the serdes). By default the last value per
    window (what a table of the topic holds); ``every_update=True`` keeps every record.
    """
    import pandas as pd

    rows = []
    for r in records:
        if hasattr(r, "_fields"):  # a TestRecord
            k, v, ts = r.key, r.value, r.timestamp
        else:
            k, v, ts = key_serde.deserialize(None, r[0]), value_serde.deserialize(None, r[1]), r[2]
        rows.append((k.key, k.window.start, k.window.end, v, ts))
    if not every_update:
        last = {}
        for row in rows:
            last[row[:3]] = row
        rows = sorted(last.values(), key=lambda x: (x[0], x[1]))
    fmt = time_fmt or (lambda ms: ms)
    return pd.DataFrame([(u, fmt(s), fmt(e), c) for u, s, e, c, _ts in rows],
                        columns=["user_id", "window_start", "window_end", "count"])


# ------------------------------------------------------------------------------------------------
# Tasks, restores, commits


def task_intervals(trace, end_ms: int | None = None) -> list:
    """``[(task, thread, start_ms, end_ms)]`` from ``streams.tasks_assigned``/``tasks_revoked``/``crash``."""
    open_: dict = {}
    out = []
    last = 0
    for e in trace:
        last = e.time_ms
        if e.kind == "streams.tasks_assigned":
            for t in e.fields["tasks"]:
                open_.setdefault((t, e.node), e.time_ms)
        elif e.kind in ("streams.tasks_revoked", "streams.tasks_lost"):
            for t in e.fields["tasks"]:
                if (t, e.node) in open_:
                    out.append((t, e.node, open_.pop((t, e.node)), e.time_ms))
        elif e.kind == "streams.crash" or e.kind == "streams.thread_died":
            for (t, n) in list(open_):
                if n.startswith(e.node) or n == e.node:
                    out.append((t, n, open_.pop((t, n)), e.time_ms))
    end = end_ms if end_ms is not None else last
    out.extend((t, n, s, end) for (t, n), s in open_.items())
    return sorted(out)


def _instance(thread: str) -> str:
    return thread.split("-StreamThread-")[0]


def _created(trace) -> list:
    return [e.node for e in trace.filter("streams.create")]  # instances in the order they were created


def instance_names(trace) -> dict:
    """``{process id: "instance A"}``: KafkaStreams instances lettered in the order they were created."""
    return {inst: f"instance {chr(65 + i)}" for i, inst in enumerate(_created(trace))}


def task_timeline(trace, ax=None, end_ms: int | None = None, names: dict | None = None, title: str | None = None):
    """One lane per task: which instance ran it when (colour), restoring (hatched), commits (ticks), crashes."""
    iv = task_intervals(trace, end_ms)
    tasks = sorted({t for t, *_ in iv}, key=lambda s: tuple(int(x) for x in s.split("_")))
    names = names or instance_names(trace)
    order = list(names)
    instances = sorted({_instance(n) for _t, n, *_ in iv}, key=lambda i: (order.index(i) if i in order else len(order), i))
    colors = style.consumer_colors([names.get(i, i) for i in instances])
    ax = style.axes_or_new(ax, height=max(2.4, 0.9 + 0.4 * len(tasks)))
    lane = {t: i for i, t in enumerate(tasks)}
    span = max((e for *_x, e in iv), default=1) - min((st for _t, _n, st, _e in iv), default=0)
    # A pause between two owners (an eager rebalance's revoke-then-assign: about 100 ms) is kept visible: the
    # earlier bar ends at least span/150 before the next starts, as a restore is drawn at least span/80 wide.
    starts = sorted((t, s) for t, _n, s, _e in iv)
    for t, n, s, e in iv:
        nxt = min((s2 for t2, s2 in starts if t2 == t and s2 >= e), default=None)
        if nxt is not None and 0 < nxt - e < span / 150:
            e = max(s, nxt - span / 150)
        ax.barh(lane[t], (e - s) / 1000, left=s / 1000, height=0.6, color=colors[names.get(_instance(n), _instance(n))],
                edgecolor="white")
    restoring = {}
    for ev in trace.filter(["streams.restore_start", "streams.restore_end"]):
        k = (ev.fields["task"], ev.node)
        if ev.kind == "streams.restore_start":
            restoring.setdefault(k, ev.time_ms)
        elif k in restoring:
            s = restoring.pop(k)
            if ev.fields["task"] in lane:
                ax.barh(lane[ev.fields["task"]], max(ev.time_ms - s, span // 80) / 1000, left=s / 1000, height=0.6,
                        color="white", edgecolor=style.INK, hatch="xxx", lw=0.5)
    for ev in trace.filter("streams.commit"):
        if ev.fields.get("ok") and ev.fields.get("tasks"):
            for t in ev.fields["tasks"]:
                if t in lane:
                    ax.plot(ev.time_ms / 1000, lane[t] - 0.42, "|", color=style.INK, ms=style.MARKER_PT, mew=1)
    crash_times = [ev.time_ms for ev in trace.filter("streams.crash")]
    for c in crash_times:
        ax.axvline(c / 1000, color=style.DANGER, ls="--", lw=1.2)
    ax.set_yticks(range(len(tasks)))
    ax.set_yticklabels([f"task {t}" for t in tasks], fontsize=style.TICK_PT)
    ax.invert_yaxis()
    style.tidy(ax, grid="x")
    style.labels(ax, x="virtual time (s)")
    handles = [style.patch(colors[names.get(i, i)], names.get(i, i)) for i in instances]
    handles += [style.patch("white", "restoring", hatch="xxx", edge=style.INK)]
    if crash_times:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color=style.DANGER, ls="--", label="crash"))
    style.legend(ax, handles=handles)
    moved = len({t for t, n, *_ in iv if any(t2 == t and _instance(n2) != _instance(n) for t2, n2, *_ in iv)})
    style.finding(ax, title or f"{style.plural(len(tasks), 'task')} on {style.plural(len(instances), 'instance')}: "
                               f"{style.plural(moved, 'task')} changed owner")
    style.alt(ax, f"Swim lanes of {len(tasks)} tasks coloured by the instance running them; hatched bars are "
                  "restores from changelogs, ticks are commits.")
    return ax


def restore_table(trace):
    """One row per restore: task, store, changelog partition, records read, from → to offset, duration."""
    import pandas as pd

    names = instance_names(trace)
    starts = {}
    rows = []
    for e in trace.filter(["streams.restore_start", "streams.restore_end"]):
        k = (e.node, e.fields["task"], e.fields["store"])
        if e.kind == "streams.restore_start":
            starts[k] = e
        else:
            s = starts.pop(k, None)
            inst = _instance(e.node)
            rows.append({"time_ms": e.time_ms, "instance": names.get(inst, inst), "task": e.fields["task"],
                         "store": e.fields["store"], "changelog partition": f"{e.fields['changelog']}-"
                                                                            f"{e.fields['partition']}",
                         "from offset": s.fields["start_offset"] if s else None, "to offset": e.fields["end_offset"],
                         "records restored": e.fields["restored"],
                         "took (ms)": e.time_ms - s.time_ms if s else None})
    return pd.DataFrame(rows, columns=["time_ms", "instance", "task", "store", "changelog partition", "from offset",
                                       "to offset", "records restored", "took (ms)"])


def emits(trace, topic: str) -> list:
    """``[(time_ms, records)]`` that left for ``topic`` (``streams.sent`` events)."""
    return [(e.time_ms, e.fields["topics"][topic]) for e in trace.filter("streams.sent") if topic in e.fields["topics"]]


def emits_plot(runs: dict, topic: str, ax=None, title: str | None = None):
    """Cumulative records written to ``topic`` over virtual time, one line per run (``{label: trace}``)."""
    ax = style.axes_or_new(ax, height=3.0)
    colors = style.consumer_colors(list(runs))
    totals = {}
    for label, trace in runs.items():
        pts = emits(trace, topic)
        xs, ys, n = [0.0], [0], 0
        for t, k in pts:
            xs += [t / 1000, t / 1000]
            ys += [n, n + k]
            n += k
        totals[label] = n
        ax.plot(xs, ys, color=colors[label], lw=2, label=f"{label}: {n} records")
    style.tidy(ax, grid="y")
    style.labels(ax, x="virtual time (s)", y=f"records written to {topic}")
    style.legend(ax)
    lo, hi = min(totals.values(), default=0), max(totals.values(), default=0)
    style.finding(ax, title or f"Same input, same final counts: {hi} updates reach {topic} without the cache, "
                               f"{lo} with it (one per key per commit)")
    style.alt(ax, "Step lines of records written to the output topic over time: " +
              ", ".join(f"{k} {v}" for k, v in totals.items()) + ".")
    return ax


def emits_table(runs: dict, topic: str):
    """Records written to ``topic`` per run, and how many loops of the stream thread wrote any."""
    import pandas as pd

    cols = ["run", "records written", "thread loops that wrote", "commits", "records sent by the commits' flush"]
    rows = []
    for label, trace in runs.items():
        pts = emits(trace, topic)
        commits = trace.filter("streams.commit")
        rows.append(dict(zip(cols, (label, sum(k for _t, k in pts), len(pts), len(commits),
                                    sum(e.fields["flushed"] for e in commits)))))
    return pd.DataFrame(rows, columns=cols)


__all__ = ["TOPOLOGY_COLORS", "WINDOW_COLORS", "emits", "emits_plot", "emits_table", "instance_names", "restore_table", "short_name",
           "task_intervals", "task_timeline", "topology_graph", "window_counts_table", "window_timeline"]


# -- samples for the figure check and the gallery ----------------------------------------------------------

from .gallery import sample


def _word_count_topology(repartition: bool = False):
    """Word count: split lines into words, count per word (re-keyed through a repartition topic if asked)."""
    from ..ecosystem.streams import Consumed, Materialized, Produced, Serdes, StreamsBuilder

    s, lng = Serdes.String(), Serdes.Long()
    b = StreamsBuilder()
    words = b.stream("lines", Consumed.with_(s, s)).flat_map_values(lambda line: line.split())
    grouped = words.group_by(lambda _k, word: word) if repartition else words.group_by_key()
    grouped.count(Materialized.as_("counts")).to_stream().to("counts-out", Produced.with_(s, lng))
    return b.build()


@sample(topology_graph, "small", "A word count: one sub-topology, its state store and changelog.")
def _topology_small():
    return topology_graph(_word_count_topology(), "wc")


@sample(topology_graph, "large", "The guide's clicks app: windowed count, stream-table join, two sub-topologies.")
def _topology_large():
    from ..ecosystem.streams.lab import guide_topology

    return topology_graph(guide_topology(), "clicks-app")


def _clicks(n: int) -> list[int]:
    from ..ecosystem.streams.lab import MINUTE, NOON

    rng_free = [0.2, 1.1, 1.9, 3.4, 4.6, 6.2, 7.5, 8.3, 9.6, 2.5, 5.1, 0.9, 7.9, 3.3, 9.1, 4.4]
    return [NOON + int(m * MINUTE) for m in rng_free[:n]]


@sample(window_timeline, "small", "Tumbling 2-minute windows without grace: the out-of-order click is dropped.")
def _windows_small():
    from ..ecosystem.streams import Duration, TimeWindows
    from ..ecosystem.streams.lab import window_run

    return window_timeline(window_run(TimeWindows.of_size_with_no_grace(Duration.of_minutes(2)), _clicks(10)))


@sample(window_timeline, "large", "Hopping 5-minute windows advancing by 1 minute, 1 minute of grace, 16 clicks.")
def _windows_large():
    from ..ecosystem.streams import Duration, TimeWindows
    from ..ecosystem.streams.lab import window_run

    w = TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(1)).advance_by(Duration.of_minutes(1))
    return window_timeline(window_run(w, _clicks(16)))


def _count_run(instances: int, partitions: int, crash: bool, words: int):
    from ..ecosystem.streams.lab import run_app

    def topology():
        from ..ecosystem.streams import Consumed, Materialized, Produced, Serdes, StreamsBuilder

        s, lng = Serdes.String(), Serdes.Long()
        b = StreamsBuilder()
        b.stream("words", Consumed.with_(s, s)).group_by_key().count(Materialized.as_("counts")).to_stream().to(
            "counts-out", Produced.with_(s, lng))
        return b.build()

    from ..ecosystem.streams import Serdes

    data = [(f"w{i % 13}", "x", 1000 + i * 100) for i in range(words)]
    extra = {"crash": 0, "crash_at_ms": 20_000} if crash else {}
    return run_app(topology, {"words": data}, instances=instances, output_serdes={"words": (Serdes.String(),) * 2},
                   partitions={"words": partitions}, props={"statestore.cache.max.bytes": 0, "commit.interval.ms": 5000},
                   time_scale=1.0, seed=1, run_ms=120_000, **extra)


@sample(task_timeline, "small", "Two instances share two tasks; nothing fails.")
def _tasks_small():
    return task_timeline(_count_run(2, 2, False, 100).trace)


@sample(task_timeline, "large", "An instance crashes at 20 s; after the session timeout the other restores its tasks from the changelog.")
def _tasks_large():
    return task_timeline(_count_run(2, 6, True, 300).trace)


def _emit_runs(n: int) -> dict:
    from ..ecosystem.streams import Consumed, Materialized, Produced, Serdes, StreamsBuilder
    from ..ecosystem.streams.lab import NOON, run_app

    s, lng = Serdes.String(), Serdes.Long()

    def topology():
        b = StreamsBuilder()
        b.stream("words", Consumed.with_(s, s)).group_by_key().count(Materialized.as_("counts")).to_stream().to(
            "counts-out", Produced.with_(s, lng))
        return b.build()

    burst = [(f"k{i % 5}", "x", NOON + 50 * i) for i in range(n)]
    return {name: run_app(topology, {"words": burst}, props=props, output_serdes={"words": (s, s)}, time_scale=1.0,
                          run_ms=30_000).trace
            for name, props in (("cache 10 MB, commit every 5 s", {"commit.interval.ms": 5000}),
                                ("statestore.cache.max.bytes = 0", {"statestore.cache.max.bytes": 0}))}


@sample(emits_plot, "small", "A burst of 40 updates to 5 keys, with and without the record cache.")
def _emits_small():
    return emits_plot(_emit_runs(40), "counts-out")


@sample(emits_plot, "large", "A burst of 400 updates to 5 keys, with and without the record cache.")
def _emits_large():
    return emits_plot(_emit_runs(400), "counts-out")
