"""The KRaft controller quorum as RaftScope draws Raft: voters, epochs, votes, log and commit index.

:func:`quorum_at` replays the ``raft.*`` events of ``cluster.trace`` up to a virtual time: each
voter's state (leader, follower, prospective, candidate, unattached, resigned, down), epoch, vote,
log end offset and high watermark, the epoch of each log entry, and who voted for whom.
:func:`raft_scope` draws it: one circle per voter (colour = state, the votes a candidate holds as
dots), then one row per voter of its ``__cluster_metadata`` log — a cell per offset with the epoch
that wrote it (three greys take turns by epoch), solid when committed (below that voter's high
watermark), hatched when not yet.  A voter that is down is drawn with the log it had.
The quorum widget (:mod:`kafkalab.widgets.kraft`) moves the time along the virtual clock.

Example: ``raft_scope(kraft_lab.quorum_fault("leader_crash").cluster, at_ms=9_000)`` shows the old
leader grey, a follower prospective (pre-vote) and the log entries the new epoch has not committed yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import style
from .gallery import sample

#: Voter states: RaftScope's colours mapped onto the kit's palette.
STATE_COLORS = {"leader": style.BLUE, "follower": style.GREEN, "candidate": style.ORANGE,
                "prospective": style.YELLOW, "unattached": style.SKY_BLUE, "resigned": style.PURPLE,
                "down": style.MID_GREY}
DOWN_HATCH = "///"
MAX_CELLS = 16


@dataclass
class VoterView:
    node_id: int
    node: str
    state: str = "unattached"
    epoch: int = 0
    leader: int | None = None
    voted_for: int | None = None
    leo: int = 0
    hw: int = 0
    log_start: int = 0
    votes: set = field(default_factory=set)  # votes this voter received in its current epoch
    entries: dict = field(default_factory=dict)  # offset -> epoch


def quorum_at(cluster, at_ms: int | None = None) -> list[VoterView]:
    """Each voter as the trace says it was at ``at_ms`` (default: now)."""
    at = cluster.now if at_ms is None else at_ms
    q = cluster.quorum
    views = {v: VoterView(v, q.voters[v].node) for v in q.voter_ids}
    by_node = {v.node: v for v in views.values()}
    single = len(views) == 1
    for ev in cluster.trace.events:
        if ev.time_ms > at:
            break
        kind = ev.kind
        v = by_node.get(ev.node)
        if v is None:
            continue
        if kind.startswith("raft."):
            name = kind[5:]
            f = ev.fields
            if name in STATE_COLORS:
                if name != v.state or f["epoch"] != v.epoch:
                    v.votes = set()
                v.state, v.epoch, v.leader, v.voted_for = name, f["epoch"], f["leader"], f["voted_for"]
                v.leo, v.hw = f["leo"], max(v.hw, f["hw"]) if v.state != "unattached" else f["hw"]
                if name in ("candidate", "prospective"):
                    v.votes = {v.node_id}
                if name == "leader":
                    v.votes = set(f.get("votes", ()))
                    if single:
                        v.entries[f["epoch_start_offset"]] = f["epoch"]
                        v.leo = v.hw = f["epoch_start_offset"] + 1
            elif name == "crash":
                v.state, v.leader = "down", None  # drawn with the log and high watermark it had
            elif name == "vote" and f["granted"]:
                cand = views.get(f["candidate"])
                if cand is not None and cand.state in ("candidate", "prospective"):
                    cand.votes.add(v.node_id)
                if not f["pre_vote"]:
                    v.voted_for = f["candidate"]
            elif name == "append":
                v.entries[f["offset"]] = f["epoch"]
                v.leo = f["offset"] + 1
            elif name == "hw":
                v.hw = f["hw"]
            elif name == "fetch":
                leader = views.get(f["leader"])
                for off in range(v.leo, f["leo"]):
                    v.entries[off] = leader.entries.get(off, f["epoch"]) if leader else f["epoch"]
                v.leo, v.hw = f["leo"], f["hw"]
            elif name == "truncate":
                v.leo = f["from_offset"]
                v.entries = {o: e for o, e in v.entries.items() if o < v.leo}
            elif name in ("snapshot", "load_snapshot"):
                v.log_start = f["end_offset"] if name == "load_snapshot" else f["log_start_offset"]
                v.leo = max(v.leo, v.log_start)
                v.hw = max(v.hw, v.log_start)
        elif single and kind.startswith("metadata."):
            # The 1-voter quorum commits as it appends: its metadata records are its log.
            v.entries[ev.fields["offset"]] = v.epoch
            v.leo = v.hw = ev.fields["offset"] + 1
        elif kind == "fault.restart" and v.state == "down":
            v.state = "unattached"
    return [views[v] for v in q.voter_ids]


def _epoch_color(epoch: int) -> str:
    """Log cells are grey (colour is the voters' state): three tones in turn, so an epoch change shows."""
    return (style.INK, style.DARK_GREY, style.GREY)[epoch % 3]


def _finding(views: list[VoterView]) -> str:
    up = [v for v in views if v.state != "down"]
    leaders = [v for v in views if v.state == "leader"]
    majority = len(views) // 2 + 1
    if leaders:
        ld = max(leaders, key=lambda v: v.epoch)
        have = sum(1 for v in views if v.state != "down" and v.leo >= ld.hw)
        if len(up) < majority:
            return (f"{ld.node} still thinks it leads epoch {ld.epoch}, but only {len(up)} of {len(views)} voters "
                    f"are up: nothing new can commit")
        return (f"{ld.node} leads epoch {ld.epoch}; high watermark {ld.hw}: {have} of {len(views)} voters "
                f"hold every committed offset")
    if len(up) < majority:
        return f"No leader: {len(up)} of {len(views)} voters are up, fewer than the {majority} a vote needs"
    running = [v for v in views if v.state in ("candidate", "prospective")]
    if running:
        c = max(running, key=lambda v: (len(v.votes), v.epoch))
        kind = "pre-votes" if c.state == "prospective" else "votes"
        return f"No leader yet: {c.node} ({c.state}, epoch {c.epoch}) holds {len(c.votes)} of the {majority} {kind} it needs"
    return f"No leader: the voters wait for their election timeouts (epoch {max(v.epoch for v in views)})"


def raft_scope(cluster, at_ms: int | None = None, axes=None, title: str | None = None, max_cells: int = MAX_CELLS):
    """Draw the quorum at ``at_ms``: voters on top, their logs below.  ``axes``: two Axes of one figure
    (a new figure when None).  Returns the two Axes."""
    from matplotlib.patches import Rectangle

    views = quorum_at(cluster, at_ms)
    n = len(views)
    if axes is None:
        fig = style.figure(width=style.DEFAULT_WIDTH_IN, height=2.6 + 0.42 * n)
        gs = fig.add_gridspec(2, 1, height_ratios=[1.55, 0.42 * n + 0.5])
        top, bottom = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    else:
        top, bottom = axes
        fig = top.figure
        style.attach(fig)
    # -- voters ---------------------------------------------------------------------------------
    top.set_xlim(-0.5, max(n, 3) - 0.5)
    top.set_ylim(-1.45, 1.05)
    top.axis("off")
    for i, v in enumerate(views):
        color = STATE_COLORS[v.state]
        top.scatter([i], [0.45], s=1500, marker="o", facecolor=color, edgecolor=style.INK,
                    linewidths=2.0 if v.state == "leader" else 0.8, hatch=DOWN_HATCH if v.state == "down" else None,
                    zorder=2)
        top.text(i, 0.45, str(v.node_id), ha="center", va="center", fontsize=style.LABEL_PT, weight="bold",
                 color=style.text_color_on(color), zorder=3)
        vote = "-" if v.voted_for is None else str(v.voted_for)
        top.text(i, -0.15, f"{v.state}\nepoch {v.epoch}\nvote {vote}", ha="center", va="top", fontsize=style.TEXT_PT,
                 linespacing=1.1)
        if v.state in ("candidate", "prospective") and len(v.votes) > 0:
            top.scatter([i + 0.3 + 0.07 * k for k in range(len(v.votes))], [0.85] * len(v.votes), s=40,
                        marker="o", color=style.INK, zorder=3)
    style.suptitle(fig, title or _finding(views))
    # -- logs -----------------------------------------------------------------------------------
    hi = max([v.leo for v in views] + [1])
    lo = max(0, hi - max_cells)
    from matplotlib.collections import PatchCollection

    done, pending, grey = [], [], []
    done_colors, pending_colors = [], []
    for r, v in enumerate(views):
        y = n - 1 - r
        for off in range(max(lo, v.log_start), v.leo):
            ep = v.entries.get(off)
            if ep is None:
                continue
            committed = off < v.hw
            fill = _epoch_color(ep)
            (done if committed else pending).append(Rectangle((off, y + 0.1), 0.92, 0.8))
            (done_colors if committed else pending_colors).append(fill)
            bottom.text(off + 0.46, y + 0.5, str(ep), ha="center", va="center", fontsize=style.TEXT_PT,
                        color=style.text_color_on(fill) if committed else style.INK,
                        bbox=None if committed else {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"})
        if v.log_start > lo:
            grey.append(Rectangle((lo, y + 0.1), v.log_start - lo - 0.08, 0.8))
        if v.hw >= lo:
            bottom.plot([v.hw - 0.04, v.hw - 0.04], [y + 0.02, y + 0.98], color=style.BLACK, lw=2.2)
    # One collection per kind of cell: dozens of cells draw as fast as one (the widget redraws them often).
    bottom.add_collection(PatchCollection(done, facecolors=done_colors, edgecolors="white", linewidths=1.0))
    bottom.add_collection(PatchCollection(pending, facecolors="white", edgecolors=pending_colors or "none",
                                          linewidths=1.2, hatch="///"))
    bottom.add_collection(PatchCollection(grey, facecolors=style.LIGHT_GREY, edgecolors="none"))
    bottom.set_xlim(lo - 0.2, max(hi, lo + 4) + 0.4)
    bottom.set_ylim(-0.1, n + 0.05)
    bottom.set_yticks([n - 1 - r + 0.5 for r in range(n)], [v.node for v in views])
    step = 1 if hi - lo <= 12 else 2
    bottom.set_xticks([o + 0.46 for o in range(lo, hi, step)], [str(o) for o in range(lo, hi, step)])
    style.tidy(bottom)
    bottom.spines["left"].set_visible(False)
    style.labels(bottom, x="offset in __cluster_metadata (the number: the epoch that wrote it; black bar: high "
                           "watermark)")
    handles = [style.patch(_epoch_color(1), "committed"), style.patch("white", "not yet committed", hatch="///",
                                                                        edge=style.INK)]
    if any(v.state in ("candidate", "prospective") for v in views):
        from matplotlib.lines import Line2D
        handles.append(Line2D([], [], ls="none", marker="o", color=style.INK, ms=6, label="a vote it holds"))
    handles += [style.patch(STATE_COLORS[s], s, hatch=DOWN_HATCH if s == "down" else None)
                for s in sorted({v.state for v in views}, key=list(STATE_COLORS).index)]
    style.legend(bottom, handles=handles)
    t = cluster.now if at_ms is None else at_ms
    desc = "; ".join(f"{v.node} {v.state} in epoch {v.epoch}, log end {v.leo}, high watermark {v.hw}" for v in views)
    style.alt(fig, f"The KRaft quorum at {t} ms: {desc}.")
    return [top, bottom]


@sample(raft_scope, "small", "Three dedicated controllers, 2 s after the leader crashed: a pre-vote in progress.")
def _scope_small():
    from ..kraft_lab import quorum_fault

    run = quorum_fault("leader_crash", voters=3, seed=0, run_ms=6000)
    at = next(ev.time_ms for ev in run.cluster.trace.filter("raft.prospective") if ev.time_ms >= run.t0)
    return raft_scope(run.cluster, at_ms=at)


@sample(raft_scope, "large", "Five controllers after a leader crash and a new epoch, with more log than fits.")
def _scope_large():
    from ..kraft_lab import quorum_fault

    run = quorum_fault("leader_crash", voters=5, seed=3, run_ms=8000)
    c = run.cluster
    for i in range(6):
        c.create_topic(f"t{i}", partitions=2, replication_factor=3)
    return raft_scope(c)
