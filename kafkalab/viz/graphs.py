"""Replica placement, drawn from model state (``cluster.describe`` and which brokers are up).

* :func:`replica_graph` — the placement of a topic's replicas.  A small topic (up to
  :data:`GRAPH_MAX_PARTITIONS` partitions) is drawn as a graph: brokers on one row, partitions on
  another, one edge per replica (leader thick blue, in-sync follower green, out-of-sync follower
  dashed orange, a replica on a stopped broker dotted grey; a partition without a leader has a
  vermillion ring).  A bigger topic is drawn as :func:`replica_grid`, because 20 partitions × RF 3
  is already 60 crossing edges.
* :func:`replica_grid` — brokers × partitions, one cell per replica coloured by its role (empty:
  the broker holds no replica of that partition), the leaders counted per broker.

Layouts are fixed (no random spring layout), so the picture is the same on every run.
"""
from __future__ import annotations

from ..cluster.metadata import NO_LEADER
from . import style
from .gallery import sample

LEADER, IN_SYNC, OUT_OF_SYNC, OFFLINE = "leader", "in-sync follower", "out-of-sync follower", "offline replica"
ROLES = (LEADER, IN_SYNC, OUT_OF_SYNC, OFFLINE)
EDGE_STYLE = {LEADER: {"width": 3.2, "style": "solid"}, IN_SYNC: {"width": 1.6, "style": "solid"},
              OUT_OF_SYNC: {"width": 1.8, "style": "dashed"}, OFFLINE: {"width": 1.4, "style": "dotted"}}
#: Up to this many partitions the graph stays readable; beyond it :func:`replica_graph` draws the grid.
GRAPH_MAX_PARTITIONS = 8


def replica_edges(cluster, topic: str) -> list[tuple[str, str, str]]:
    """(partition node, broker node, role) for every replica of ``topic``."""
    t = cluster.describe(topic)
    out = []
    for p in t.partitions:
        for b in p.replicas:
            out.append((f"P{p.partition}", f"B{b}", _role(cluster, p, b)))
    return out


def _role(cluster, p, b) -> str:
    if not cluster.brokers[b].alive:
        return OFFLINE
    if b == p.leader:
        return LEADER
    return IN_SYNC if b in p.isr else OUT_OF_SYNC


def _summary(cluster, topic: str):
    """(description, partitions, brokers, leaders per broker, finding sentence, offline partitions, down brokers)."""
    t = cluster.describe(topic)
    brokers = sorted(cluster.brokers)
    leads = {b: sum(p.leader == b for p in t.partitions) for b in brokers}
    offline = [p.partition for p in t.partitions if p.leader == NO_LEADER]
    down = [b for b in brokers if not cluster.brokers[b].alive]
    lagging = sorted({(p.partition, b) for p in t.partitions for b in p.replicas
                      if cluster.brokers[b].alive and b != p.leader and b not in p.isr})
    live_leads = [leads[b] for b in brokers if b not in down]
    parts = [(f"{topic}: {style.plural(len(t.partitions), 'partition')} × RF {t.replication_factor} on "
              f"{style.plural(len(brokers), 'broker')}")]
    if offline:
        parts.append(f"{style.plural(len(offline), 'partition')} without a leader (offline: "
                     f"{', '.join(f'P{p}' for p in offline[:4])}{'…' if len(offline) > 4 else ''})")
    if down:
        parts.append(f"{', '.join(f'B{b}' for b in down)} down, {'its' if len(down) == 1 else 'their'} replicas "
                     f"offline")
    if lagging:
        parts.append(f"{style.plural(len(lagging), 'follower')} out of sync")
    if live_leads:
        lo, hi = min(live_leads), max(live_leads)
        who = "live broker" if down else "broker"
        parts.append(f"each {who} leads {lo}" if lo == hi else f"{who}s lead {lo}–{hi} partitions each")
    return t, brokers, leads, "; ".join(parts), offline, down


def replica_graph(cluster, topic: str, ax=None, title: str | None = None, max_partitions: int | None = None):
    """Draw the replica placement of ``topic``; returns the matplotlib Axes.

    Topics with more than :data:`GRAPH_MAX_PARTITIONS` partitions are drawn by :func:`replica_grid`.
    ``max_partitions`` draws only the first partitions (the title says so).
    """
    t = cluster.describe(topic)
    if len(t.partitions[:max_partitions]) > GRAPH_MAX_PARTITIONS:
        return replica_grid(cluster, topic, ax=ax, title=title, max_partitions=max_partitions)
    import networkx as nx

    ax = style.axes_or_new(ax, width=7.5, height=3.2)
    t, brokers, _leads, finding, _offline, down = _summary(cluster, topic)
    partitions = t.partitions if max_partitions is None else t.partitions[:max_partitions]
    parts = [f"P{p.partition}" for p in partitions]
    n = max(len(parts), len(brokers))
    pos = {f"B{b}": ((i + 0.5) * n / len(brokers), 1.0) for i, b in enumerate(brokers)}
    pos.update({p: ((i + 0.5) * n / max(1, len(parts)), 0.0) for i, p in enumerate(parts)})
    g = nx.Graph()
    g.add_nodes_from(pos)
    edges = [e for e in replica_edges(cluster, topic) if e[0] in pos]
    g.add_edges_from((u, v) for u, v, _ in edges)
    for role in ROLES:
        el = [(u, v) for u, v, r in edges if r == role]
        if el:
            nx.draw_networkx_edges(g, pos, edgelist=el, ax=ax, edge_color=style.role_color(role),
                                   width=EDGE_STYLE[role]["width"], style=EDGE_STYLE[role]["style"])
    for nodes, fill, edge in (([f"B{b}" for b in brokers if b not in down], "#E8F1F8", style.BLUE),
                              ([f"B{b}" for b in down], style.LIGHT_GREY, style.MID_GREY)):
        if nodes:
            nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_shape="s", node_color=fill, edgecolors=edge,
                                   linewidths=1.5, node_size=1100, ax=ax)
    led = [f"P{p.partition}" for p in partitions if p.leader != NO_LEADER]
    headless = [f"P{p.partition}" for p in partitions if p.leader == NO_LEADER]
    for nodes, edge, lw in ((led, style.DARK_GREY, 1.2), (headless, style.DANGER, 3.0)):
        if nodes:
            nx.draw_networkx_nodes(g, pos, nodelist=nodes, node_color="white", edgecolors=edge, linewidths=lw,
                                   node_size=800, ax=ax)
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=style.LABEL_PT)
    from matplotlib.lines import Line2D

    handles = [Line2D([0], [0], color=style.role_color(r), lw=EDGE_STYLE[r]["width"], ls=EDGE_STYLE[r]["style"],
                      label=r) for r in ROLES]
    if headless:
        handles.append(Line2D([], [], ls="none", marker="o", ms=12, mfc="white", mec=style.DANGER, mew=3,
                              label="no leader (offline)"))
    style.legend(ax, handles=handles)
    more = f" (first {len(partitions)} of {len(t.partitions)} partitions)" if len(partitions) < len(t.partitions) else ""
    style.finding(ax, (f"{title}: " if title else "") + finding + more)
    ax.set_axis_off()
    ax.margins(x=0.08, y=0.3)
    style.alt(ax, f"Graph of the replica placement of topic {topic}: brokers "
                  f"{', '.join(f'B{b}' for b in brokers)} above, partitions below, one line per replica "
                  f"coloured by its role. {finding}.")
    return ax


def replica_grid(cluster, topic: str, ax=None, title: str | None = None, max_partitions: int | None = None):
    """Brokers × partitions, one coloured cell per replica (its role), leaders counted per broker."""
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    t, brokers, leads, finding, offline, down = _summary(cluster, topic)
    partitions = t.partitions if max_partitions is None else t.partitions[:max_partitions]
    n = len(partitions)
    ax = style.axes_or_new(ax, width=8.5, height=1.6 + 0.42 * len(brokers))
    codes = {None: 0, **{r: i + 1 for i, r in enumerate(ROLES)}}
    grid = np.zeros((len(brokers), n), dtype=int)
    for j, p in enumerate(partitions):
        for b in p.replicas:
            grid[brokers.index(b), j] = codes[_role(cluster, p, b)]
    cmap = ListedColormap(["white"] + [style.role_color(r) for r in ROLES])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=len(ROLES), aspect="auto", interpolation="nearest")
    # cell borders, and letters when the cells are wide enough to hold them
    cell_px = ax.get_position().width * ax.figure.get_figwidth() * ax.figure.dpi * 0.85 / max(1, n)
    if n <= 60:
        ax.set_xticks(np.arange(-0.5, n, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, len(brokers), 1), minor=True)
        ax.grid(which="minor", color="white", lw=1.5 if n <= 30 else 0.6)
        ax.tick_params(which="minor", length=0)
    if cell_px >= 16:
        letters = {codes[LEADER]: "L", codes[IN_SYNC]: "F", codes[OUT_OF_SYNC]: "!", codes[OFFLINE]: "×"}
        for (i, j), c in np.ndenumerate(grid):
            if c in letters:
                ax.text(j, i, letters[c], ha="center", va="center", fontsize=style.TEXT_PT,
                        color=style.text_color_on(cmap(c)))
    for j, p in enumerate(partitions):
        if p.leader == NO_LEADER:
            ax.add_patch(Rectangle((j - 0.5, -0.5), 1, len(brokers), fill=False, ec=style.DANGER, lw=2.5))
    room = max(1, int(style.axes_size_pt(ax)[0] / (style.TICK_PT * 3.2)))  # tick labels that fit side by side
    every = next(step for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if n / step <= room or step == 1000)
    ax.set_xticks(range(0, n, every), [str(p.partition) for p in partitions[::every]], fontsize=style.TICK_PT)
    ax.set_yticks(range(len(brokers)),
                  [f"B{b}{' (down)' if b in down else ''} · leads {leads[b]}" for b in brokers],
                  fontsize=style.TICK_PT)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    style.labels(ax, x="partition")
    present = set(np.unique(grid))
    handles = [style.patch(style.role_color(r), label) for r, label in
               zip(ROLES, ("leader (L)", "in-sync follower (F)", "out-of-sync (!)", "offline replica (×)"))
               if codes[r] in present or r in (LEADER, IN_SYNC)]
    if 0 in present:
        handles.append(style.patch("white", "no replica"))
    if offline:
        handles.append(style.patch("white", "no leader", edge=style.DANGER))
    style.legend(ax, handles=handles)
    more = f" (first {n} of {len(t.partitions)} partitions)" if n < len(t.partitions) else ""
    style.finding(ax, (f"{title}: " if title else "") + finding + more)
    style.alt(ax, f"Grid of brokers by partitions for topic {topic}: each cell is one replica, coloured by its "
                  f"role. {finding}{more}.")
    return ax


# -- samples for the figure check and the gallery ----------------------------------------------------------
def _topic(partitions: int, brokers: int = 3, rf: int = 3, crash: int | None = None):
    from ..cluster import Cluster

    c = Cluster(brokers=brokers, seed=42)
    c.create_topic("clickstream", partitions=partitions, replication_factor=rf)
    if crash is not None:
        c.crash_broker(crash)
        c.run(15_000)
    return c


@sample(replica_graph, "small", "A 3-partition topic after B2 crashed: its replicas are offline, leaders moved.")
def _graph_small():
    return replica_graph(_topic(3, crash=2), "clickstream")


@sample(replica_graph, "large", "The 20-partition topic of notebook 01: drawn as the grid.")
def _graph_large():
    return replica_graph(_topic(20), "clickstream")


@sample(replica_grid, "small", "12 partitions, one broker down.")
def _grid_small():
    return replica_grid(_topic(12, crash=3), "clickstream")


@sample(replica_grid, "large", "The sizing workbench at its largest: 150 partitions × RF 5 on 5 brokers.")
def _grid_large():
    return replica_grid(_topic(150, brokers=5, rf=5), "clickstream")
