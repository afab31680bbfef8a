"""Transaction renderers: the offset strip with markers, decoded internal topics, the coordinator's
state machine, and a swim lane of one transaction's RPCs.

* :func:`txn_offset_strip` — a partition's offsets as cells: data coloured by transaction (committed,
  open, aborted, not transactional), COMMIT/ABORT markers drawn as markers (they take an offset
  too), the HW and the LSO marked.  ``isolation_views`` puts what a read_committed and a
  read_uncommitted reader got from the same partition under it.
* :func:`txn_state_table` — the records of ``__transaction_state``, decoded (real epochs).
* :func:`txn_offsets_table` — a group's records in ``__consumer_offsets``: plain commits, the
  transactional ones with their transaction's fate, and the markers between them.
* :func:`state_machine_graph` — ``TransactionState`` and the allowed transitions (networkx), with
  the path one transactional id took highlighted.
* :func:`txn_swimlanes` — producer, transaction coordinator, partition leaders and group
  coordinator: the RPCs of the transactions of one transactional id, in order.

All read model state (logs, records) and the trace; nothing recomputes what the model decided.
"""
from __future__ import annotations

from itertools import pairwise

from ..cluster.log import decode_end_txn_marker
from ..groups.coordinator import OFFSETS_TOPIC, decode_record
from ..txn.records import TXN_TOPIC, decode_txn_record
from ..txn.state import ALLOWED, TransactionState
from . import style

__all__ = ["STATUS_COLORS", "isolation_views", "state_machine_graph", "txn_offset_strip", "txn_offsets_table",
           "txn_state_table", "txn_swimlanes"]

# The kit's transaction colours (viz.style.TXN_COLORS); markers and plain records get neutral ones.
STATUS_COLORS = {**style.TXN_COLORS, "plain": style.GREY, "COMMIT": style.INK, "ABORT": style.PURPLE}
READER_COLOR = style.DARK_GREY  # a cell a reader was handed
LANE_COLORS = {"producer": style.BLUE, "coordinator": style.ORANGE, "leader": style.GREEN, "group": style.PURPLE}


def _statuses(log) -> dict:
    """{offset: "committed" | "open" | "aborted" | "COMMIT" | "ABORT" | "plain"} for the whole log."""
    status = log.txn_status()
    out = {}
    for b in log.all_batches():
        for off, rec in b.iter_offsets():
            if b.is_control:
                out[off] = decode_end_txn_marker(rec[0], rec[1])[0]
            else:
                out[off] = status.get(off, "plain")
    return out


def txn_offset_strip(cluster, topic: str, partition: int = 0, ax=None, views: dict | None = None,
                     title: str | None = None, max_offsets: int = 40):
    """The leader's log of ``topic``-``partition`` as cells, with markers, HW and LSO.

    ``views`` ({"read_committed": [offsets], "read_uncommitted": [offsets]}, e.g. from
    :func:`isolation_views`) adds one row per reader: the offsets it was handed.
    """
    from matplotlib.patches import Rectangle

    log = cluster.partition_log(topic, partition)
    st = _statuses(log)
    hw, lso, leo = log.high_watermark, log.last_stable_offset, log.log_end_offset
    start = max(0, leo - max_offsets)
    rows = 1 + len(views or {})
    ax = style.axes_or_new(ax, width=min(style.MAX_WIDTH_IN, 3.6 + 0.36 * (leo - start + 1)),
                           height=1.5 + 0.55 * rows)
    y0 = rows - 1
    labels = {y0 + 0.5: f"{topic}-{partition}"}
    for off in range(start, leo):
        s = st.get(off)
        if s is None:
            continue
        if s in ("COMMIT", "ABORT"):
            ax.add_patch(Rectangle((off + 0.3, y0 + 0.1), 0.35, 0.8, facecolor=STATUS_COLORS[s], edgecolor="black",
                                   lw=0.6))
            ax.text(off + 0.47, y0 + 0.5, s[0], ha="center", va="center", fontsize=style.TEXT_PT,
                    color=style.text_color_on(STATUS_COLORS[s]))
        else:
            ax.add_patch(Rectangle((off, y0 + 0.1), 0.95, 0.8, facecolor=STATUS_COLORS[s], edgecolor="white",
                                   hatch="xx" if s == "aborted" else None, alpha=0.9))
    for i, (name, offs) in enumerate(sorted((views or {}).items())):
        y = y0 - 1 - i
        for off in offs:
            if off >= start:
                ax.add_patch(Rectangle((off, y + 0.25), 0.95, 0.5, facecolor=READER_COLOR, edgecolor="white"))
        labels[y + 0.5] = name
    for x, dash in ((lso, ":"), (hw, "--")):
        ax.axvline(x, color=style.BLACK, ls=dash, lw=1)
    same = lso == hw
    ax.text(hw, rows + 0.05, "LSO = HW" if same else "HW", ha="left" if not same else "center", va="bottom",
            fontsize=style.TEXT_PT)
    if not same:
        ax.text(lso, rows + 0.05, "LSO", ha="right", va="bottom", fontsize=style.TEXT_PT)
    ax.set_xlim(start - 0.2, max(leo, hw) + 1)
    ax.set_ylim(-0.1, rows + 0.6)
    ax.set_yticks(sorted(labels), [labels[y] for y in sorted(labels)])
    style.tidy(ax)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    style.labels(ax, x="offset")
    present = [s for s in ("committed", "open", "aborted", "plain", "COMMIT", "ABORT") if s in st.values()]
    if present:
        names = {"COMMIT": "COMMIT marker", "ABORT": "ABORT marker", "plain": "not transactional"}
        handles = [style.patch(STATUS_COLORS[s], names.get(s, s), hatch="xx" if s == "aborted" else None)
                   for s in present]
        if views:
            handles.append(style.patch(READER_COLOR, "handed to the reader"))
        style.legend(ax, handles=handles)
    if title is None:
        held = sum(1 for o in range(lso, hw) if st.get(o) not in ("COMMIT", "ABORT"))
        title = (f"{topic}-{partition}: LSO {lso} < HW {hw} — an open transaction holds back {held} record(s)"
                 if lso < hw else f"{topic}-{partition}: every transaction is decided (LSO = HW = {hw})")
    style.finding(ax, title)
    style.alt(ax, f"Offsets of {topic}-{partition} from {start} to {leo - 1}: " + ", ".join(
        f"{n} {k}" for k, n in sorted(_count(st).items())) + f"; the LSO is {lso}, the HW {hw}.")
    return ax


def _count(st: dict) -> dict:
    out: dict = {}
    for v in st.values():
        out[v] = out.get(v, 0) + 1
    return out


def isolation_views(cluster, topic: str, partition: int = 0) -> dict:
    """What a fresh read_committed and a fresh read_uncommitted consumer get: {isolation: [offsets]}."""
    from ..txn_lab import read_output

    return {iso: [o for o, _v in read_output(cluster, iso, topic)] for iso in ("read_committed", "read_uncommitted")}


def txn_state_table(cluster, transactional_id: str | None = None):
    """The records of ``__transaction_state`` (all partitions, or the id's own), decoded."""
    import pandas as pd

    from ..txn.coordinator import txn_coordinator_for

    cols = ["partition", "offset", "time_ms", "transactional_id", "state", "producer_id", "producer_epoch",
            "partitions", "timeout_ms", "start_ms"]
    if TXN_TOPIC not in cluster.topics():
        return pd.DataFrame(columns=cols)
    svc = txn_coordinator_for(cluster)
    parts = [svc.partition_for(transactional_id)] if transactional_id else range(len(cluster.describe(TXN_TOPIC)
                                                                                    .partitions))
    rows = []
    for p in parts:
        log = cluster.partition_log(TXN_TOPIC, p)
        if log is None:
            continue
        for off, rec, _b in log.records():
            d = decode_txn_record(rec[0], rec[1])
            if transactional_id and d["transactional_id"] != transactional_id:
                continue
            rows.append({"partition": p, "offset": off, "time_ms": rec[2], **{k: d.get(k) for k in cols[3:]},
                         "partitions": ", ".join(d.get("partitions") or []) or "—"})
    return pd.DataFrame(rows, columns=cols)


def txn_offsets_table(cluster, group: str):
    """The group's partition of ``__consumer_offsets``: each record with its transaction's fate."""
    import pandas as pd

    from ..groups.coordinator import coordinator_for

    cols = ["offset", "record", "topic_partition", "committed_offset", "producer_id", "producer_epoch", "transaction"]
    p = coordinator_for(cluster).partition_for(group)
    log = cluster.partition_log(OFFSETS_TOPIC, p) if OFFSETS_TOPIC in cluster.topics() else None
    if log is None:
        return pd.DataFrame(columns=cols)
    status = log.txn_status()
    rows = []
    for b in log.all_batches():
        for off, rec in b.iter_offsets():
            if b.is_control:
                kind, _e = decode_end_txn_marker(rec[0], rec[1])
                rows.append({"offset": off, "record": f"{kind} marker", "topic_partition": "—", "committed_offset": "—",
                             "producer_id": b.producer_id, "producer_epoch": b.producer_epoch, "transaction": "—"})
                continue
            d = decode_record(rec[0], rec[1])
            if d.get("group") != group or d.get("type") != "OffsetCommit":
                continue
            rows.append({"offset": off, "record": "OffsetCommit", "topic_partition": f"{d['topic']}-{d['partition']}",
                         "committed_offset": (d["value"] or {}).get("offset"),
                         "producer_id": b.producer_id if b.is_transactional else "—",
                         "producer_epoch": b.producer_epoch if b.is_transactional else "—",
                         "transaction": status.get(off, "—") if b.is_transactional else "not transactional"})
    return pd.DataFrame(rows, columns=cols)


def _path(trace, transactional_id: str) -> list:
    return [TransactionState[_name(e.fields["state"])] for e in trace.filter("txn.state", transactional_id=transactional_id)]


def _name(label: str) -> str:
    return next(s.name for s in TransactionState if s.label == label)


def state_machine_graph(trace=None, transactional_id: str | None = None, ax=None, title: str | None = None):
    """The eight states and their allowed transitions; the edges one transactional id took are thick,
    numbered in the order it took them (from its ``txn.state`` events)."""
    import networkx as nx

    g = nx.DiGraph()
    for s, nxt in ALLOWED.items():
        g.add_node(s.label)
        for t in nxt:
            if t != s:
                g.add_edge(s.label, t.label)
    pos = {"Empty": (0, 1), "Ongoing": (1, 1), "PrepareCommit": (2, 1.8), "CompleteCommit": (3, 1.8),
           "PrepareAbort": (2, 0.2), "CompleteAbort": (3, 0.2), "PrepareEpochFence": (1, -0.4), "Dead": (0, -0.4)}
    taken: dict = {}
    if trace is not None and transactional_id:
        path = _path(trace, transactional_id)
        for i, (a, b) in enumerate(pairwise(path)):
            if a != b:
                taken.setdefault((a.label, b.label), []).append(i + 1)
    ax = style.axes_or_new(ax, width=8.5, height=4.6)
    visited = {n for e in taken for n in e}
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=2300, node_color=[style.ORANGE if n in visited else
                                                                       style.LIGHT_GREY for n in g.nodes])
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=style.TEXT_PT,
                            labels={n: n.replace("Prepare", "Prepare\n").replace("Complete", "Complete\n")
                                    for n in g.nodes})
    plain = [e for e in g.edges if e not in taken]
    nx.draw_networkx_edges(g, pos, edgelist=plain, ax=ax, edge_color=style.GREY, arrows=True, node_size=2300,
                           connectionstyle="arc3,rad=0.12")
    if taken:
        nx.draw_networkx_edges(g, pos, edgelist=list(taken), ax=ax, edge_color=style.BLUE, width=2.4, arrows=True,
                               node_size=2300, connectionstyle="arc3,rad=0.12")
        nx.draw_networkx_edge_labels(g, pos, ax=ax, font_size=style.TEXT_PT, label_pos=0.35,
                                     connectionstyle="arc3,rad=0.12",
                                     edge_labels={e: ",".join(map(str, v[:4])) + ("…" if len(v) > 4 else "")
                                                  for e, v in taken.items()})
    ax.set_axis_off()
    ax.margins(0.12)
    n = sum(len(v) for v in taken.values())
    style.finding(ax, title or (f"{transactional_id}: {n} transitions, in order" if taken
                                else "TransactionState: allowed transitions"))
    style.alt(ax, "The transaction coordinator's eight states and their allowed transitions"
              + (f"; {transactional_id} took {n} of them, numbered in order." if taken else "."))
    return ax


_LANE_EVENTS = {
    "producer.begin_transaction": ("producer", "begin_transaction (local)"),
    "producer.partitions_added": ("producer", "AddPartitionsToTxn ok"),
    "producer.end_transaction": ("producer", "EndTxn answered"),
    "producer.fatal": ("producer", "fatal"),
    "txn.state": ("coordinator", None),
    "txn.write_markers": ("coordinator", "WriteTxnMarkers"),
    "log.append": ("leader", None),
    "group.txn_offset_commit": ("group", "TxnOffsetCommit"),
}


def swimlane_events(trace, transactional_id: str) -> list:
    """(time_ms, lane, node, label) of one transactional id's transactions, from the trace."""
    pids = {e.fields["producer_id"] for e in trace.filter("txn.state", transactional_id=transactional_id)}
    rows = []
    for e in trace.events:
        spec = _LANE_EVENTS.get(e.kind)
        if spec is None:
            continue
        f = e.fields
        lane, label = spec
        if e.kind == "log.append":
            if not f.get("transactional") or f.get("producer_id") not in pids or f.get("topic") == TXN_TOPIC:
                continue
            label = f"marker {f['topic']}-{f['partition']}@{f['base_offset']}" if f.get("control") else \
                f"append {f['topic']}-{f['partition']}@{f['base_offset']}"
            lane = "group" if f["topic"] == OFFSETS_TOPIC else "leader"
        elif f.get("transactional_id") != transactional_id:
            continue
        elif e.kind == "txn.state":
            label = f"{f['state']} (epoch {f['producer_epoch']})"
        rows.append((e.time_ms, lane, e.node, label))
    return rows


def txn_swimlanes(trace, transactional_id: str, ax=None, since_ms: int | None = None, until_ms: int | None = None,
                  title: str | None = None, max_events: int = 40):
    """A sequence diagram: one column per role (producer, transaction coordinator, partition leaders,
    group coordinator), one row per event in trace order, the virtual time on the left, an arrow
    where the work moves from one role to another."""
    rows = [r for r in swimlane_events(trace, transactional_id)
            if (since_ms is None or r[0] >= since_ms) and (until_ms is None or r[0] <= until_ms)][:max_events]
    lanes = ["producer", "coordinator", "leader", "group"]
    names = {"producer": "producer", "coordinator": "txn coordinator", "leader": "partition leaders",
             "group": "group coordinator"}
    n = max(len(rows), 1)
    ax = style.axes_or_new(ax, width=style.MAX_WIDTH_IN, height=1.2 + 0.27 * n)
    for i, lane in enumerate(lanes):
        ax.axvline(i, color="#dddddd", lw=6, zorder=0)
        ax.text(i, 0.9, names[lane], ha="center", va="bottom", fontsize=style.TEXT_PT, color=LANE_COLORS[lane])
    prev = None
    for k, (t, lane, _node, label) in enumerate(rows):
        x, y = lanes.index(lane), -k
        if prev is not None and prev[0] != x:
            ax.annotate("", (x, y), xytext=prev, arrowprops={"arrowstyle": "->", "color": "#888888", "lw": 0.8})
        ax.plot([x], [y], "o", color=LANE_COLORS[lane], ms=4, zorder=3)
        ax.text(x + 0.06, y, label, ha="left", va="center", fontsize=style.TEXT_PT)
        ax.text(-0.35, y, f"{t} ms", ha="right", va="center", fontsize=style.TEXT_PT, color=style.DARK_GREY)
        prev = (x, y)
    ax.set_xlim(-1.0, len(lanes) + 0.9)
    ax.set_ylim(-n + 0.3, 1.5)
    ax.set_axis_off()
    style.finding(ax, title or f"{transactional_id}: its transaction RPCs, in order (time is virtual)")
    style.alt(ax, f"A sequence diagram of {len(rows)} events of {transactional_id} across the producer, the "
              "transaction coordinator, the partition leaders and the group coordinator.")
    return ax
