"""The quorum scope of notebook 10: a KRaft controller quorum, animated along the virtual clock.

Choose a fault (the leader crashes, the leader is cut off and comes back, a follower crashes, two
voters die), the number of voters and whether pre-vote (KIP-996) is on; the scenario
(:func:`kafkalab.kraft_lab.quorum_fault`) runs once on a fresh seeded cluster, and the time slider
(or its ▶ button) moves :func:`kafkalab.viz.kraft.raft_scope` along that run's trace: who is leader,
who asks for (pre-)votes, which offsets each voter has and which are committed.  The table lists
the ``raft.*`` events of the last second.
"""
from __future__ import annotations

import functools

import ipywidgets as w

from ..kraft_lab import FAULTS, quorum_fault
from ..viz.gallery import sample
from ..viz.kraft import raft_scope
from .panel import Panel, View, new_figure

BEFORE_MS = 1000  # the slider starts this long before the fault
RUN_MS = 16_000
HEAL_MS = 10_000  # an isolated leader is reconnected, crashed voters restarted, this long after the fault
QUIET = ("raft.fetch", "raft.append")


@functools.lru_cache(maxsize=32)
def _run(fault: str, voters: int, pre_vote: bool, seed: int):
    heal = HEAL_MS if fault in ("leader_isolated", "two_voters_down") else None
    return quorum_fault(fault, voters=voters, seed=seed, pre_vote=pre_vote, run_ms=RUN_MS, heal_after_ms=heal)


def render_quorum(fault: str = "leader_crash", voters: int = 3, pre_vote: bool = True, seed: int = 0,
                  t_ms: int = 3000) -> View:
    import pandas as pd

    run = _run(fault, voters, pre_vote, seed)
    at = run.t0 - BEFORE_MS + int(t_ms)
    fig = new_figure(8.6, 2.7 + 0.42 * voters)
    # A fixed layout (the constrained one costs ~half of a redraw): room for the labels on the left,
    # the legend on the right, the title on top.
    fig.set_layout_engine("none")
    gs = fig.add_gridspec(2, 1, height_ratios=[1.55, 0.42 * voters + 0.5], left=0.13, right=0.79, top=0.88,
                          bottom=0.13, hspace=0.12)
    raft_scope(run.cluster, at_ms=at, axes=(fig.add_subplot(gs[0]), fig.add_subplot(gs[1])), max_cells=12)
    rows = [{"t (ms after the fault)": ev.time_ms - run.t0, "voter": ev.node, "event": ev.kind.removeprefix("raft."),
             "epoch": ev.get("epoch"), "detail": _detail(ev)}
            for ev in run.cluster.trace.events
            if at - 1000 < ev.time_ms <= at and ev.kind.startswith(("raft.", "controller.", "fault."))
            and ev.kind not in QUIET]
    table = pd.DataFrame(rows[-10:], columns=["t (ms after the fault)", "voter", "event", "epoch", "detail"])
    first = run.first_new_leader
    hit = ", ".join(map(str, run.victims)) or "none"
    elected = f"{first[1]} in epoch {first[2]}, {first[0] - run.t0} ms after it" if first else "none in this run"
    lines = [(f"fault: {fault} at t0 = {run.t0} ms (voters hit: {hit}); "
              f"showing t0 {'+' if at >= run.t0 else '-'} {abs(at - run.t0)} ms"),
             f"first leader elected after the fault: {elected}"]
    return View(figure=fig, tables={"raft events in the last second": table}, text="\n".join(lines),
                state={"run": run, "at_ms": at})


def _detail(ev) -> str:
    f = ev.fields
    if ev.kind == "raft.vote":
        return f"{'pre-vote' if f['pre_vote'] else 'vote'} for {f['candidate']}: {'granted' if f['granted'] else 'refused'}"
    if ev.kind == "raft.hw":
        return f"high watermark {f['previous']} -> {f['hw']}"
    if ev.kind == "raft.leader":
        return f"votes {f.get('votes')}, epoch starts at offset {f.get('epoch_start_offset')}"
    if ev.kind == "raft.fetch_timeout":
        return f"no fetch answered by {f['leader']} for {f['silent_ms']} ms"
    if ev.kind == "raft.election_failed":
        return f"votes {f['votes']}, refused by {f['rejected']}"
    if ev.kind == "raft.check_quorum_failed":
        return f"fetched by {f['fetched_by']} only"
    if "leo" in f:
        return f"log end {f['leo']}, high watermark {f['hw']}"
    return ""


def quorum_scope(fault: str = "leader_crash", voters: int = 3, pre_vote: bool = True, t_ms: int = 3000) -> Panel:
    controls = {
        "fault": w.Dropdown(options=list(FAULTS), value=fault, description="fault"),
        "voters": w.Dropdown(options=[3, 5], value=voters, description="voters"),
        "pre_vote": w.Checkbox(value=pre_vote, description="pre-vote (KIP-996)"),
        "seed": w.IntSlider(value=0, min=0, max=9, description="seed"),
        "t_ms": w.IntSlider(value=t_ms, min=0, max=BEFORE_MS + RUN_MS, step=50,
                            description="time (ms from 1 s before the fault)"),
    }
    panel = Panel(controls, render_quorum, title="Quorum scope",
                  description="A KRaft controller quorum as RaftScope draws Raft; ▶ plays the virtual clock.")
    play = w.Play(value=t_ms, min=0, max=BEFORE_MS + RUN_MS, step=50, interval=250, description="play")
    w.jslink((play, "value"), (controls["t_ms"], "value"))
    panel.play = play
    panel.widget.children = (*panel.widget.children[:-4], w.HBox([play]), *panel.widget.children[-4:])
    return panel


@sample(render_quorum, "small", "The quorum scope as it opens: 2 s after the leader of three voters crashed.")
def _scope_small():
    return render_quorum("leader_crash", 3, True, 0, 3000)


@sample(render_quorum, "large", "Five voters, the leader cut off without pre-vote, late in the run.")
def _scope_large():
    return render_quorum("leader_isolated", 5, False, 0, 9000)
