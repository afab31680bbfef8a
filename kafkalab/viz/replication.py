"""Renderers for replication: offset strip, ISR timeline, syllabus-style timeline table.

All read the trace (and, for the offset strip, the replicas' logs) of a finished run:

* :func:`replica_graph` — brokers, partitions, leader / in-sync / out-of-sync / offline replicas
  (from :mod:`kafkalab.viz.graphs`).
* :func:`offset_strip` — one row per replica of a partition: its records as cells, its LEO, and
  the leader's HW; cells at or above the HW are uncommitted.
* :func:`isr_intervals` / :func:`isr_timeline` — who led, who was in the ISR (or ELR), who was
  out of sync or fenced, over time, with the faults and the writes marked.
* :func:`timeline_table` — the shape of the syllabus tables: t (s), event, ISR, leader, write result.

Times are scenario seconds: ``(time_ms - t0) / 1000``.
"""
from __future__ import annotations

from ..cluster.metadata import NO_LEADER
from .graphs import replica_graph

__all__ = ["isr_intervals", "isr_timeline", "offset_strip", "replica_graph", "timeline_table"]

ROLE_COLORS = {"leader": "#1f77b4", "in-sync": "#2ca02c", "eligible (ELR)": "#9467bd",
               "out-of-sync": "#d62728", "fenced": "#bbbbbb"}


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
    """Each replica's log as a row of cells, with its LEO (▶) and the leader's HW (dashed line).

    Cells below the leader's HW are committed (solid); cells at or above it are only on some
    replicas so far (hatched).  A stopped broker's row is grey: its log is on disk, not served.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    p = cluster.describe(topic).partitions[partition]
    rows = []
    for b in p.replicas:
        log = cluster.brokers[b].logs.get((topic, partition))
        recs = [] if log is None else [(o, r[1]) for o, r, _ in log.records()]
        leo = 0 if log is None else log.log_end_offset
        hw = 0 if log is None else log.high_watermark
        rows.append((b, recs, leo, hw, log is not None))
    leader_hw = next((hw for b, _, _, hw, _ in rows if b == p.leader), None)
    width = max([leo for _, _, leo, _, _ in rows] + [1])
    start = max(0, width - max_offsets)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(12, 2 + 0.35 * (width - start)), 0.6 * len(rows) + 1.2))
    for i, (b, recs, leo, hw, readable) in enumerate(rows):
        y = len(rows) - 1 - i
        alive = cluster.brokers[b].alive
        role = "leader" if b == p.leader else ("in-sync" if b in p.isr else "out-of-sync")
        color = ROLE_COLORS[role] if alive else ROLE_COLORS["fenced"]
        for off, v in recs:
            if off < start:
                continue
            committed = leader_hw is not None and off < leader_hw
            ax.add_patch(Rectangle((off, y + 0.1), 0.95, 0.8, facecolor=color if committed else "white",
                                   edgecolor=color, hatch=None if committed else "///", alpha=0.85 if committed else 1))
            if v is not None and width - start <= 24:
                txt = bytes(v).decode("utf-8", "replace")[:7]
                ax.text(off + 0.47, y + 0.5, txt, ha="center", va="center", fontsize=6 if len(txt) < 5 else 5,
                        color="white" if committed else "black")
        if readable:  # a real cluster's follower logs are not readable by clients (kafkalab.real)
            ax.plot([leo + 0.12], [y + 0.5], marker="<", color="black", ms=6, ls="none")
        ax.text(-0.3, y + 0.5, f"B{b} {role if alive else 'stopped'}\n" + (f"LEO {leo}  HW {hw}" if readable else
                "log not readable"), ha="right", va="center", fontsize=7)
    if leader_hw is not None:
        ax.axvline(leader_hw, color="#ff7f0e", ls="--", lw=1.2)
        ax.text(leader_hw, len(rows) + 0.05, f"leader HW = {leader_hw}", color="#ff7f0e", fontsize=7, ha="center")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(start - 0.2, width + 1)
    ax.set_ylim(-0.1, len(rows) + 0.4)
    ax.set_yticks([])
    ax.set_xlabel("offset", fontsize=8)
    ax.tick_params(labelsize=7)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"{topic}-{partition}: replica logs (solid = committed, hatched = above the HW)",
                 fontsize=9)
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


def isr_timeline(source, topic: str | None = None, partition: int | None = None, t0: int | None = None, ax=None,
                 until_ms: int | None = None, title: str | None = None):
    """Horizontal bars per broker (leader / in-sync / ELR / out-of-sync / fenced), faults as dotted lines,
    writes as markers on top (✓ acknowledged, ✗ failed, ? unknown)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    trace, history, t0, topic, partition = _sources(source, topic, partition, t0)
    if until_ms is None and hasattr(source, "cluster"):
        until_ms = source.cluster.now
    df = isr_intervals(trace, topic, partition, t0, until_ms)
    df = df[df["end_s"] >= 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2.6))
    brokers = sorted(df["broker"].unique())
    for _, r in df.iterrows():
        y = len(brokers) - brokers.index(r["broker"])
        s = max(r["start_s"], 0)
        ax.barh(y, r["end_s"] - s, left=s, height=0.6, color=ROLE_COLORS[r["role"]], edgecolor="white")
    ax.set_yticks([len(brokers) - i for i in range(len(brokers))], [f"B{b}" for b in brokers], fontsize=8)
    labels: dict[float, list[str]] = {}
    for e in trace.filter("fault."):
        if e.time_ms < t0 or e.kind in ("fault.rolling_restart_done", "fault.replaced"):
            continue
        labels.setdefault((e.time_ms - t0) / 1000, []).append(_fault_label(e))
    for x, texts in labels.items():  # faults at the same moment share one line and one label
        ax.axvline(x, color="#555555", ls=":", lw=0.8)
        ax.text(x, len(brokers) + 0.45, ", ".join(texts), fontsize=6, rotation=90, va="bottom", ha="right")
    if history is not None:
        for o in history.sends():
            x = (o.invoke_ms - t0) / 1000
            mark = {"ok": ("^", "#2ca02c"), "fail": ("x", "#d62728"), "info": ("d", "#ff7f0e"),
                    "invoke": ("o", "#999999")}[o.type]
            ax.plot([x], [0.25], marker=mark[0], color=mark[1], ms=5, ls="none")
    ax.set_ylim(0, len(brokers) + 2.2)
    ax.set_xlim(left=0)
    ax.set_xlabel("scenario time (s)", fontsize=8)
    ax.tick_params(labelsize=7)
    handles = [Patch(color=c, label=r) for r, c in ROLE_COLORS.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=5, fontsize=7, frameon=False)
    ax.set_title(title or f"{topic}-{partition}: leader and ISR over time (writes: ▲ ok, ✕ failed, ◆ unknown)",
                 fontsize=9)
    return ax


def _fault_label(e) -> str:
    b = e.get("broker")
    k = e.kind.split(".", 1)[1]
    if k == "blip":
        peers = e.get("peers") or []
        scope = "all links" if "controller" in peers else "to " + ",".join(p.replace("kafka-", "B") for p in peers)
        return f"B{b} blip {e.get('duration_ms') / 1000:g}s ({scope})"
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
    import pandas as pd

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
    df = pd.DataFrame([{k: v for k, v in r.items() if k != "_n"} for r in rows],
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
