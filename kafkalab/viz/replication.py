"""Renderers for replication: offset strip, ISR timeline, syllabus-style timeline table.

All read the trace (and, for the offset strip, the replicas' logs) of a finished run:

* :func:`replica_graph` — brokers, partitions, leader / in-sync / out-of-sync / offline replicas
  (from :mod:`kafkalab.viz.graphs`).
* :func:`offset_strip` — one row per replica of a partition: its records as cells, its LEO, and
  the leader's HW; cells at or above the HW are uncommitted.
* :func:`isr_intervals` / :func:`isr_timeline` — who led, who was in the ISR (or ELR), who was
  out of sync or fenced, over time, with the faults and the writes marked.
* :func:`timeline_table` — the shape of the syllabus tables: t (s), event, ISR, leader, write result (a
  :class:`~kafkalab.viz.tables.TextTable`: left-aligned, never cut).

Times are scenario seconds: ``(time_ms - t0) / 1000``.
"""
from __future__ import annotations

import math

from ..cluster.metadata import NO_LEADER
from . import style
from .gallery import sample
from .graphs import replica_graph
from .tables import TextTable

__all__ = ["isr_intervals", "isr_timeline", "offset_strip", "replica_graph", "timeline_table"]


def _sources(source, topic, partition, t0):
    """(trace, history, t0, topic, partition) from a Run, a Cluster or a Trace."""
    history = None
    if hasattr(source, "history") and hasattr(source, "t0"):  # a kafkalab.replication.Run
        history = source.history
        t0 = source.t0 if t0 is None else t0
        topic = topic or source.topic
        partition = source.partition if partition is None else partition
        trace = source.cluster.trace
    elif hasattr(source, "trace"):
        trace = source.trace
    else:
        trace = source
    return trace, history, t0 or 0, topic or "orders", 0 if partition is None else partition


def _set(xs) -> str:
    return "{" + ",".join(str(x) for x in xs) + "}"


def _partition_events(trace, topic: str, partition: int):
    for e in trace.filter(("metadata.PartitionRecord", "metadata.PartitionChangeRecord")):
        if e.get("topic") == topic and e.get("partition") == partition:
            yield e


# -- the offset strip --------------------------------------------------------------------------------
def offset_strip(cluster, topic: str, partition: int = 0, ax=None, max_offsets: int = 40, title: str | None = None):
    """Each replica's log as a row of cells, with its LEO (◀) and the leader's HW (dashed line).

    Cells below the leader's HW are committed (solid); cells at or above it are only on some
    replicas so far (hatched).  A stopped broker's row is grey: its log is on disk, not served.
    Record values are written in the cells when the cells are wide enough to hold them.
    """
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    p = cluster.describe(topic).partitions[partition]
    rows = []
    for b in p.replicas:
        log = cluster.brokers[b].logs.get((topic, partition))
        recs = [] if log is None else [(o, r[1]) for o, r, _ in log.records()]
        leo = 0 if log is None else log.log_end_offset
        hw = 0 if log is None else log.high_watermark
        alive = cluster.brokers[b].alive
        role = ("leader" if b == p.leader else ("in-sync" if b in p.isr else "out-of-sync")) if alive else "offline"
        rows.append((b, recs, leo, hw, role, log is not None))
    readable = {b: r for b, _, _, _, _, r in rows}  # a real cluster's follower logs are not readable (kafkalab.real)
    rows = [r[:5] for r in rows]
    leader_hw = next((hw for b, _, _, hw, _ in rows if b == p.leader), None)
    width = max([leo for _, _, leo, _, _ in rows] + [1])
    start = max(0, width - max_offsets)
    shown = width - start
    ax = style.axes_or_new(ax, width=min(style.DEFAULT_WIDTH_IN, 4.6 + 0.5 * shown), height=0.62 * len(rows) + 1.5)
    cell_pt = style.axes_size_pt(ax)[0] / max(1, shown + 1.5)
    cell_w = 0.92 if cell_pt * ax.figure.dpi / 72 >= 30 else 1.0  # narrow cells touch: no hairline gaps
    for i, (b, recs, leo, hw, role) in enumerate(rows):
        y = len(rows) - 1 - i
        color = style.role_color(role)
        for off, v in recs:
            if off < start:
                continue
            committed = leader_hw is not None and off < leader_hw
            ax.add_patch(Rectangle((off, y + 0.12), cell_w, 0.76, facecolor=color if committed else "white",
                                   edgecolor=color, lw=1.2, hatch=None if committed else "///"))
            if v is None or cell_pt < 14:  # no room for even two characters
                continue
            txt = bytes(v).decode("utf-8", "replace")
            if style.text_width_pt(txt) + 4 <= cell_pt:
                ax.text(off + 0.46, y + 0.5, txt, ha="center", va="center", fontsize=style.TEXT_PT,
                        color=style.text_color_on(color) if committed else style.INK,
                        bbox=None if committed else {"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none"})
        if readable[b]:
            ax.plot([leo + 0.2], [y + 0.5], marker="<", color=style.INK, ms=style.MARKER_PT, ls="none")
    ax.set_yticks([len(rows) - 0.5 - i for i in range(len(rows))],
                  [f"B{b} {role}\n" + (f"LEO {leo} · HW {hw}" if readable[b] else "log not readable")
                   for b, _, leo, hw, role in rows], fontsize=style.TICK_PT)
    ax.tick_params(axis="y", length=0)
    if leader_hw is not None:
        ax.axvline(leader_hw, color=style.VERMILLION, ls="--", lw=1.6)
        right = leader_hw > (start + width) / 2  # the label on the side with room
        ax.text(leader_hw + (-0.15 if right else 0.15), len(rows) + 0.1, f"leader HW = {leader_hw}",
                color=style.VERMILLION, fontsize=style.TEXT_PT, ha="right" if right else "left", va="bottom",
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"})
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(start - 0.3, width + 1)
    ax.set_ylim(0, len(rows) + 0.75)
    style.tidy(ax)
    ax.spines["left"].set_visible(False)
    style.labels(ax, x="offset")
    handles = [style.patch(style.DARK_GREY, "committed (below the HW)"),
               style.patch("white", "above the HW: not committed", hatch="///")]
    style.legend(ax, handles=handles)
    leader = next((r for r in rows if r[0] == p.leader), None)
    isr_leos = [leo for b, _, leo, _, role in rows if role in ("leader", "in-sync")]
    if leader is None:
        finding = f"{topic}-{partition} has no leader: nothing is served"
    elif leader_hw == leader[2]:
        finding = f"all {style.plural(leader_hw, 'record')} of {topic}-{partition} are committed (HW = LEO = {leader_hw})"
    else:
        slow = [f"B{b} has {leo}" for b, _, leo, _, role in rows if role == "in-sync" and leo == min(isr_leos)]
        finding = (f"the leader has {leader[2]} records but the HW is {leader_hw}: offsets {leader_hw}–{leader[2] - 1} "
                   f"are not committed ({', '.join(slow) or 'waiting for the ISR'})")
    style.finding(ax, (f"{title}: " if title else "") + finding)
    style.alt(ax, f"Offset strip of {topic}-{partition}: one row of record cells per replica "
                  f"({', '.join(f'B{b} {role} LEO {leo}' for b, _, leo, _, role in rows)}), solid below the "
                  f"leader's high watermark, hatched above it; {finding}.")
    return ax


# -- ISR over time -----------------------------------------------------------------------------------
def isr_intervals(source, topic: str | None = None, partition: int | None = None, t0: int | None = None,
                  until_ms: int | None = None):
    """One row per (broker, interval) with its role: leader, in-sync, eligible (ELR), out-of-sync, fenced.

    Read from the metadata records in the trace (``PartitionRecord``, ``PartitionChangeRecord``,
    ``BrokerRegistrationChangeRecord``): the controller's view, as ``kafka-topics.sh --describe``
    would show it.
    """
    import pandas as pd

    trace, _h, t0, topic, partition = _sources(source, topic, partition, t0)
    if until_ms is None and hasattr(source, "cluster"):
        until_ms = source.cluster.now
    end = until_ms if until_ms is not None else (trace.events[-1].time_ms if len(trace) else 0)
    state = {"replicas": [], "isr": [], "elr": [], "leader": NO_LEADER}
    fenced: set = set()
    changes = []  # (time, roles dict)
    for e in trace.filter(("metadata.PartitionRecord", "metadata.PartitionChangeRecord",
                           "metadata.BrokerRegistrationChangeRecord")):
        if e.kind == "metadata.BrokerRegistrationChangeRecord":
            (fenced.add if e.get("fenced") else fenced.discard)(e.get("broker_id"))
        elif e.get("topic") == topic and e.get("partition") == partition:
            for k in ("replicas", "isr", "elr", "leader"):
                if k in e.fields:
                    state[k] = e.fields[k]
        else:
            continue
        if state["replicas"]:
            changes.append((e.time_ms, _roles(state, fenced)))
    rows = []
    for b in sorted(state["replicas"]):
        cur, since = None, None
        for t, roles in changes:
            r = roles.get(b)
            if r != cur:
                if cur is not None:
                    rows.append({"broker": b, "role": cur, "start_s": (since - t0) / 1000, "end_s": (t - t0) / 1000})
                cur, since = r, t
        if cur is not None and since <= end:
            rows.append({"broker": b, "role": cur, "start_s": (since - t0) / 1000, "end_s": (end - t0) / 1000})
    return pd.DataFrame(rows, columns=["broker", "role", "start_s", "end_s"])


def _roles(state: dict, fenced: set) -> dict:
    out = {}
    for b in state["replicas"]:
        if b == state["leader"]:
            out[b] = "leader"
        elif b in fenced:
            out[b] = "fenced"
        elif b in state["isr"]:
            out[b] = "in-sync"
        elif b in state["elr"]:
            out[b] = "eligible (ELR)"
        else:
            out[b] = "out-of-sync"
    return out


def _s(t: float) -> str:
    """Seconds for a sentence: 80.004 → "80", 0.49976 → "0.5"."""
    return f"{round(t, 1):g}"


def _isr_story(trace, topic: str, partition: int, t0: int) -> tuple[list[str], list[tuple[float, str]]]:
    """What the metadata log says happened to the partition, in words, and its elections as events.

    Offline stretches read "no leader 48–92 s"; a leader that held on for under a second before the
    partition went offline (or the next election) is left out of the words."""
    isr, leader, events = None, NO_LEADER, []
    story: list = []  # (t, kind, text): kind "isr", "leader" or "offline"
    offline_since = None
    for e in _partition_events(trace, topic, partition):
        t = (e.time_ms - t0) / 1000
        if "isr" in e.fields and isr is not None and e.fields["isr"] != isr and t >= 0:
            story.append((t, "isr", f"ISR {_set(isr)} → {_set(e.fields['isr'])} at {_s(t)} s"))
        if "isr" in e.fields:
            isr = e.fields["isr"]
        if "leader" in e.fields and e.kind == "metadata.PartitionChangeRecord" and e.fields["leader"] != leader:
            new, how = e.fields["leader"], e.get("election", "")
            if t >= 0:
                if story and story[-1][1] == "leader" and t - story[-1][0] < 1:
                    story.pop()  # a leader for under a second: not worth a word
                if new == NO_LEADER:
                    offline_since = t
                    story.append((t, "offline", f"no leader from {_s(t)} s"))
                    events.append((t, "no leader"))
                else:
                    if offline_since is not None:
                        i = max(i for i, item in enumerate(story) if item[1] == "offline")
                        story[i] = (story[i][0], "offline", f"no leader {_s(offline_since)}–{_s(t)} s")
                        offline_since = None
                    extra = f" ({how} election)" if how in ("unclean", "elr") else ""
                    story.append((t, "leader", f"B{new} leads from {_s(t)} s{extra}"))
                    if how in ("unclean", "elr"):
                        events.append((t, f"B{new} elected ({how})"))
            leader = new
        elif "leader" in e.fields:
            leader = e.fields["leader"]
    return [text for _t, _k, text in story], events


def isr_timeline(source, topic: str | None = None, partition: int | None = None, t0: int | None = None, ax=None,
                 until_ms: int | None = None, title: str | None = None):
    """Horizontal bars per broker (leader / in-sync / ELR / out-of-sync / fenced), faults as dotted lines
    with their labels, and the writes on a lane of their own (▲ acknowledged, ✕ failed, ◆ unknown; a
    black ✖ marks an acknowledged write the checker found lost).  The time axis is zoomed to the
    events: steady stretches before the first and after the last are cut."""
    trace, history, t0, topic, partition = _sources(source, topic, partition, t0)
    if until_ms is None and hasattr(source, "cluster"):
        until_ms = source.cluster.now
    df = isr_intervals(trace, topic, partition, t0, until_ms)
    df = df[df["end_s"] >= 0]
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=3.3)
    brokers = sorted(df["broker"].unique())
    end_s = float(df["end_s"].max()) if len(df) else 1.0
    # events: faults (those at the same moment share one line and one label), elections, writes
    labels: dict[float, list[str]] = {}
    for e in trace.filter("fault."):
        if e.time_ms < t0 or e.kind in ("fault.rolling_restart_done", "fault.replaced"):
            continue
        labels.setdefault((e.time_ms - t0) / 1000, []).append(_fault_label(e))
    story, elections = _isr_story(trace, topic, partition, t0)
    for x, text in elections:
        labels.setdefault(x, []).append(text)
    sends = history.sends() if history is not None else []
    lost_ops = set()
    if sends and hasattr(source, "cluster"):
        from ..checks import find_anomalies

        lost_ops = {r["op"] for r in find_anomalies(history, source.cluster, topic) if r["kind"] == "lost"}
    times = list(labels) + [(o.invoke_ms - t0) / 1000 for o in sends]
    times += [float(s) for s in df["start_s"] if s > 0]
    lo, hi = (min(times), max(times)) if times else (0.0, end_s)
    pad = max(2.0, 0.06 * (hi - lo))
    x0, x1 = float(math.floor(max(0.0, lo - pad))), float(min(end_s, math.ceil(hi + pad)))
    if x1 - x0 < 1:
        x0, x1 = 0.0, max(1.0, end_s)
    min_w = 3 * style.data_per_px(ax, x0, x1)
    for _, r in df.iterrows():
        y = len(brokers) - brokers.index(r["broker"])
        s, e = max(r["start_s"], x0), min(r["end_s"], x1)
        if e <= s and not (r["start_s"] <= x1 and r["end_s"] >= x0):
            continue
        ax.barh(y, max(e - s, min_w), left=s, height=0.62, color=style.role_color(r["role"]),
                hatch=style.role_hatch(r["role"]), edgecolor=style.DARK_GREY if style.role_hatch(r["role"]) else "white",
                lw=0.6)
    events = [(x, ", ".join(texts)) for x, texts in sorted(labels.items())]
    band, unplaced = style.event_marks(ax, events, x0, x1, max_rows=4)
    # the writes, on a lane of their own at y = 0
    outcome = {"ok": "ok", "fail": "failed", "info": "unknown", "invoke": "pending"}
    seen_kinds = []
    for o in sends:
        kind = "lost" if o.id in lost_ops else outcome[o.type]
        x = (o.invoke_ms - t0) / 1000
        if not x0 <= x <= x1:
            continue
        ax.plot([x], [0], ls="none", marker=style.OUTCOME_MARKERS[kind], color=style.OUTCOME_COLORS[kind],
                ms=style.MARKER_PT + (2 if kind == "lost" else 0), markeredgecolor="white" if kind != "lost" else None,
                zorder=4, clip_on=False)
        if kind not in seen_kinds:
            seen_kinds.append(kind)
    lost_values = [_v(o.payload) for o in sends if o.id in lost_ops]
    ticks = [len(brokers) - i for i in range(len(brokers))] + ([0] if sends else [])
    ax.set_yticks(ticks, [f"B{b}" for b in brokers] + (["writes"] if sends else []), fontsize=style.TICK_PT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.7, style.headroom(-0.7, len(brokers) + 0.45, band))
    ax.set_xlim(x0, x1)
    style.tidy(ax)
    ax.spines["left"].set_visible(False)
    zoom = f"; {_s(x0)}–{_s(x1)} s of 0–{_s(end_s)} s shown" if x0 > 0 or x1 < end_s else ""
    style.labels(ax, x=f"scenario time (s{zoom})")
    roles = [r for r in style.ROLE_COLORS if r in set(df["role"])]
    handles = [style.patch(style.role_color(r), r, hatch=style.role_hatch(r)) for r in roles]
    handles += [style.marker(k) for k in ("ok", "failed", "unknown", "pending", "lost") if k in seen_kinds]
    style.legend(ax, handles=handles)
    counts = {k: sum(1 for o in sends if ("lost" if o.id in lost_ops else outcome[o.type]) == k) for k in seen_kinds}
    writes = ", ".join(f"{n} {style.OUTCOME_LABELS[k]}" for k, n in counts.items())
    if lost_values:
        finding = (f"{style.plural(len(lost_values), 'acknowledged write')} LOST ({', '.join(lost_values[:6])}"
                   f"{'…' if len(lost_values) > 6 else ''})")
        unclean = [s for s in story if "unclean" in s]
        finding += f": {unclean[0]}" if unclean else ""
    else:
        shown = story[:4] + (["…"] if len(story) > 4 else [])
        finding = "; ".join(shown) if shown else f"ISR and leader of {topic}-{partition} never change"
        if sends:
            finding += f"; writes: {writes}"
    if unplaced:
        finding += f" (also: {', '.join(f'{lab} at {_s(x)} s' for x, lab in unplaced)})"
    style.finding(ax, (f"{title}: " if title else "") + finding)
    style.alt(ax, f"Timeline of partition {topic}-{partition} from {_s(x0)} to {_s(x1)} s: one bar per broker coloured "
                  f"by its role (leader, in-sync, out-of-sync, fenced), faults as dotted lines, writes as markers. "
                  f"{finding}.")
    return ax


def _fault_label(e) -> str:
    b = e.get("broker")
    k = e.kind.split(".", 1)[1]
    if k == "blip":
        peers = e.get("peers") or []
        scope = "all links" if "controller" in peers else "to " + ",".join(p.replace("kafka-", "B") for p in peers)
        return f"B{b} blip {e.get('duration_ms') / 1000:g} s ({scope})"
    if k == "blip_end":
        return f"{(e.node or '').replace('kafka-', 'B')} back"
    if k == "slow":
        return f"B{b} slow ({e.get('latency_ms')} ms)"
    if k == "replace":
        return f"replace B{b}"
    return f"B{b} {k}" if b is not None else k


# -- the syllabus-style table ------------------------------------------------------------------------
def timeline_table(source, topic: str | None = None, partition: int | None = None, t0: int | None = None,
                   start_s: float = 0.0):
    """t (s), event, ISR, leader, write result — one row per thing that happened, in order.

    Rows: faults, fencing by the controller, ISR/leader changes (with why), truncations, the
    leader's rejections (a run of identical retries is one row), and each write's send and result
    (when ``source`` is a :class:`kafkalab.replication.Run` with a history).
    """
    trace, history, t0, topic, partition = _sources(source, topic, partition, t0)
    acks = str(getattr(source, "config", {}).get("acks", "?"))
    items = []  # (time_ms, order, kind, payload)
    for e in trace.events:
        if e.kind.startswith("fault.") or e.kind in ("controller.session_expired", "broker.controlled_shutdown") \
                or (e.kind in ("metadata.PartitionRecord", "metadata.PartitionChangeRecord")
                    and e.get("topic") == topic and e.get("partition") == partition) \
                or (e.kind in ("replica.truncate", "produce.reject", "produce.error")
                    and e.get("topic") == topic and e.get("partition") == partition):
            items.append((e.time_ms, e.seq, "trace", e))
    if history is not None:
        for o in history.sends():
            items.append((o.invoke_ms, -1, "send", o))
            if o.type != "invoke":
                items.append((o.complete_ms, 10**12, "done", o))
    items.sort(key=lambda x: (x[0], x[1]))
    isr, leader, elr = [], NO_LEADER, []
    rows = []
    last_reject = None

    def add(t, event, result=""):
        rows.append({"t (s)": round((t - t0) / 1000, 3), "event": event, "ISR": _set(isr),
                     "leader": "none" if leader == NO_LEADER else f"B{leader}", "write result": result})

    for t, _o, kind, x in items:
        if kind == "send":
            add(t, f"produce {_v(x.payload)} (acks={acks})", "waiting…")
            last_reject = None
            continue
        if kind == "done":
            res = {"ok": f"✓ acknowledged, offset {x.result.get('offset')}", "fail": f"✗ failed: {x.error}",
                   "info": f"? unknown: {x.error}"}[x.type]
            add(t, f"delivery report for {_v(x.payload)}", res)
            last_reject = None
            continue
        e = x
        if e.kind in ("produce.reject", "produce.error"):
            err = e.get("error")
            if e.kind == "produce.error" and err != "NOT_ENOUGH_REPLICAS_AFTER_APPEND":
                continue
            if last_reject == err:
                rows[-1]["event"] = rows[-1]["event"].split(" (×")[0] + f" (×{rows[-1].get('_n', 1) + 1})"
                rows[-1]["_n"] = rows[-1].get("_n", 1) + 1
                continue
            if err == "NOT_ENOUGH_REPLICAS_AFTER_APPEND":
                add(t, "leader answers NOT_ENOUGH_REPLICAS_AFTER_APPEND: appended, but the ISR shrank below "
                       "min.insync.replicas; the producer retries", "retrying")
            elif err == "NOT_ENOUGH_REPLICAS":
                add(t, f"leader rejects before appending: NOT_ENOUGH_REPLICAS (ISR {_set(e.get('isr') or [])} < "
                       f"min.insync.replicas={e.get('min_isr')}); the producer retries", "retrying")
            else:
                add(t, f"leader rejects: {err}", "retrying")
            last_reject = err
            continue
        last_reject = None
        if e.kind.startswith("fault."):
            if e.kind in ("fault.rolling_restart_done",):
                continue
            add(t, _fault_event(e))
        elif e.kind == "controller.session_expired":
            add(t, f"controller fences B{e.get('broker')}: no heartbeat for {e.get('silent_ms') / 1000:g} s "
                   f"(> broker.session.timeout.ms)")
        elif e.kind == "broker.controlled_shutdown":
            add(t, f"B{e.get('broker')} starts a controlled shutdown")
        elif e.kind == "replica.truncate":
            add(t, f"{e.node.replace('kafka-', 'B')} truncates its log to offset {e.get('to_offset')} "
                   f"({e.get('records_removed')} records removed)")
        else:
            old_isr, old_leader = list(isr), leader
            if "isr" in e.fields:
                isr = list(e.fields["isr"])
            if "leader" in e.fields:
                leader = e.fields["leader"]
            if "elr" in e.fields:
                elr = list(e.fields["elr"])
            if e.kind == "metadata.PartitionRecord":
                add(t, f"partition created, replicas {_set(e.get('replicas'))}")
                continue
            parts = []
            if isr != old_isr:
                why = "AlterPartition from the leader" if e.get("reason") == "AlterPartition" else "controller"
                parts.append(f"ISR {_set(old_isr)} → {_set(isr)} ({why})")
            if leader != old_leader:
                parts.append(f"leader → {'none' if leader == NO_LEADER else f'B{leader}'} "
                             f"({e.get('election', 'election')} election, epoch {e.get('leader_epoch')})")
            if "elr" in e.fields:
                parts.append(f"ELR {_set(elr)}")
            if parts:
                add(t, "; ".join(parts))
    df = TextTable([{k: v for k, v in r.items() if k != "_n"} for r in rows],
                   columns=["t (s)", "event", "ISR", "leader", "write result"])
    return df[df["t (s)"] >= start_s].reset_index(drop=True)


def _v(b) -> str:
    return bytes(b).decode("utf-8", "replace") if isinstance(b, (bytes, bytearray)) else str(b)


def _fault_event(e) -> str:
    b, k = e.get("broker"), e.kind.split(".", 1)[1]
    if k == "crash":
        return f"B{b} crashes (log stays on disk)"
    if k == "restart":
        return f"B{b} restarts with its log"
    if k == "blip":
        peers = e.get("peers") or []
        scope = "every link" if "controller" in peers else "its link to " + ", ".join(
            p.replace("kafka-", "B") for p in peers)
        return f"B{b} network blip: loses {scope} for {e.get('duration_ms') / 1000:g} s"
    if k == "blip_end":
        return f"{e.node.replace('kafka-', 'B')}'s links are back"
    if k == "isolate":
        return f"B{b} is cut off from every node"
    if k == "slow":
        return f"B{b}'s links to the other brokers now take {e.get('latency_ms')} ms"
    if k == "replace":
        return f"replace B{b}: {'controlled shutdown' if e.get('controlled') else 'crash'}, down " \
               f"{e.get('down_ms') / 1000:g} s"
    if k == "replaced":
        return f"B{b} is back in every ISR: next broker"
    return e.kind


# -- samples for the figure check and the gallery ----------------------------------------------------------
def _cached(fn):
    import functools

    return functools.lru_cache(maxsize=None)(fn)


@_cached
def _guide():
    from .. import replication

    return replication.isr_shrink_example(blip_ms=10_000)


@_cached
def _unclean():
    from .. import replication

    return replication.unclean_election_example(unclean=True)


@_cached
def _rolling():
    from .. import replication

    return replication.rolling_replacement()


@sample(offset_strip, "small", "A slow follower: three acks=1 writes are on the leader, not yet committed.")
def _strip_small():
    from .. import replication

    run = replication.hw_example(latency_ms=2000, writes=3)
    return offset_strip(run.cluster, "orders", 0)


@sample(offset_strip, "large", "The rolling replacement's 120 records, the last 40 offsets shown.")
def _strip_large():
    run = _rolling()
    return offset_strip(run.cluster, "orders", 0)


@sample(isr_timeline, "small", "The guide's example: B3 crashes at 5 s, B2 blips at 70 s, three writes.")
def _isr_small():
    return isr_timeline(_guide())


@sample(isr_timeline, "large", "Unclean leader election: the writes B3 never had are lost.")
def _isr_large():
    return isr_timeline(_unclean(), title="unclean.leader.election.enable=true")
