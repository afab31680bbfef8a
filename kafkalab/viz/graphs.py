"""Graphs (networkx + matplotlib) drawn from model state.

:func:`replica_graph` draws brokers on one row and partitions on another; an edge joins a
partition to each broker holding a replica.  Leader edges are thick and solid, in-sync follower
edges thin and solid, out-of-sync follower edges dashed, and replicas on a stopped broker dotted
grey; a partition without a leader is drawn hollow.  Layouts are fixed (no random spring
layout), so the picture is the same on every run.
"""
from __future__ import annotations

from ..cluster.metadata import NO_LEADER

LEADER, IN_SYNC, OUT_OF_SYNC, OFFLINE = "leader", "in-sync follower", "out-of-sync follower", "offline replica"
STYLE = {
    LEADER: dict(color="#1f77b4", width=3.0, style="solid"),
    IN_SYNC: dict(color="#2ca02c", width=1.4, style="solid"),
    OUT_OF_SYNC: dict(color="#d62728", width=1.4, style="dashed"),
    OFFLINE: dict(color="#999999", width=1.0, style="dotted"),
}


def replica_edges(cluster, topic: str) -> list[tuple[str, str, str]]:
    """(partition node, broker node, role) for every replica of ``topic``."""
    t = cluster.describe(topic)
    out = []
    for p in t.partitions:
        for b in p.replicas:
            alive = cluster.brokers[b].alive
            if not alive:
                role = OFFLINE
            elif b == p.leader:
                role = LEADER
            elif b in p.isr:
                role = IN_SYNC
            else:
                role = OUT_OF_SYNC
            out.append((f"P{p.partition}", f"B{b}", role))
    return out


def replica_graph(cluster, topic: str, ax=None, title: str | None = None, max_partitions: int | None = None):
    """Draw the replica placement of ``topic``; returns the matplotlib Axes.

    ``max_partitions`` draws only the first partitions of a big topic (the title says so).
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    t = cluster.describe(topic)
    partitions = t.partitions if max_partitions is None else t.partitions[:max_partitions]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.55 * len(partitions) + 2), 3.2))
    g = nx.Graph()
    brokers = sorted(cluster.brokers)
    parts = [f"P{p.partition}" for p in partitions]
    n = max(len(parts), len(brokers))
    pos = {}
    for i, b in enumerate(brokers):
        pos[f"B{b}"] = ((i + 0.5) * n / len(brokers), 1.0)
    for i, p in enumerate(parts):
        pos[p] = ((i + 0.5) * n / max(1, len(parts)), 0.0)
    g.add_nodes_from(pos)
    edges = [e for e in replica_edges(cluster, topic) if e[0] in pos]
    for pn, bn, role in edges:
        g.add_edge(pn, bn, role=role)
    for role, st in STYLE.items():
        el = [(u, v) for u, v, r in edges if r == role]
        if el:
            nx.draw_networkx_edges(g, pos, edgelist=el, ax=ax, edge_color=st["color"], width=st["width"],
                                   style=st["style"])
    up = [f"B{b}" for b in brokers if cluster.brokers[b].alive]
    down = [f"B{b}" for b in brokers if not cluster.brokers[b].alive]
    nx.draw_networkx_nodes(g, pos, nodelist=up, node_shape="s", node_color="#dbe9f6", edgecolors="#1f77b4",
                           node_size=900, ax=ax)
    if down:
        nx.draw_networkx_nodes(g, pos, nodelist=down, node_shape="s", node_color="#eeeeee", edgecolors="#999999",
                               node_size=900, ax=ax)
    led = [f"P{p.partition}" for p in partitions if p.leader != NO_LEADER]
    offline = [f"P{p.partition}" for p in partitions if p.leader == NO_LEADER]
    nx.draw_networkx_nodes(g, pos, nodelist=led, node_color="#fff2cc", edgecolors="#b8860b", node_size=520, ax=ax)
    if offline:
        nx.draw_networkx_nodes(g, pos, nodelist=offline, node_color="white", edgecolors="#d62728", node_size=520,
                               ax=ax)
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=8)
    handles = [Line2D([0], [0], color=st["color"], lw=st["width"], ls=st["style"], label=role)
               for role, st in STYLE.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4, fontsize=7, frameon=False)
    more = f", first {len(partitions)} of {len(t.partitions)} partitions" if len(partitions) < len(t.partitions) else ""
    ax.set_title(title or f"{topic}: replicas per broker (RF={t.replication_factor}{more})", fontsize=9)
    ax.set_axis_off()
    ax.margins(x=0.05, y=0.25)
    return ax
