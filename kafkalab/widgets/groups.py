"""The rebalance lab of notebook 05: group size, assignor and protocol → a re-run group → swim lanes.

Each change re-runs :func:`render_group` on a fresh seeded cluster: ``consumers`` members (C1, C2,
…) subscribe to an ``orders`` topic of ``partitions`` partitions with the chosen protocol, one member
is killed at t=20 s, and the panel shows who fetched which partition when (gaps = paused), the
assignment before and after, and how long each partition was paused.

The members are librdkafka consumers, so the lab offers librdkafka's assignors: it has no eager
``sticky`` (``Unsupported partition.assignment.strategy: sticky``); Java's ``StickyAssignor`` is
shown by :func:`kafkalab.groups.assignors.assign` instead.
"""
from __future__ import annotations

import ipywidgets as w

from ..group_lab import group_run, pauses
from ..viz.gallery import sample
from ..viz.groups import assignment_table, rebalance_timeline
from .panel import Panel, View, new_figure

PROTOCOLS = {
    "range (eager, librdkafka default)": ("range", "classic"),
    "roundrobin (eager)": ("roundrobin", "classic"),
    "cooperative-sticky": ("cooperative-sticky", "classic"),
    "KIP-848 consumer, uniform": ("uniform", "consumer"),
    "KIP-848 consumer, range": ("range", "consumer"),
}


def render_group(consumers: int, partitions: int, protocol: str, crash: str, seed: int = 42) -> View:
    strategy, proto = PROTOCOLS[protocol]
    victim = None if crash == "nobody" else crash
    if victim is not None and int(victim[1:]) > consumers:
        victim = None
    # Members poll every 100 ms of virtual time (the notebook's runs use 50 ms): pauses of seconds
    # still show, and a redraw stays interactive.
    run = group_run(consumers, partitions, strategy=strategy, protocol=proto, crash=victim, crash_at_ms=20_000,
                    run_ms=75_000, seed=seed, step_ms=100)
    fig = new_figure(7.5, 1.6 + 0.27 * partitions)
    rebalance_timeline(run, "orders", partitions, axes=[fig.add_subplot(111)], titles=[protocol])
    at = run.crash_ms if run.crash_ms is not None else None
    before, after = run.assignment(at), run.assignment()
    table = assignment_table(before, after, dead={victim} if victim else ())
    text = ""
    if run.crash_ms is not None:
        ps = pauses(run.trace, "orders", run.crash_ms, run.cluster.now, partitions)
        stopped = {p: ms for p, ms in ps.items() if ms > 0}
        text = (f"{victim} killed at t={run.crash_ms / 1000:.1f} s. Partitions that stopped afterwards: "
                + (", ".join(f"P{p} {ms / 1000:.1f} s" for p, ms in sorted(stopped.items())) or "none"))
    idle = [c for c, ps in after.items() if not ps]
    if idle:
        text += f"\nIdle members (more consumers than partitions): {', '.join(idle)}"
    return View(figure=fig, tables={"assignment before → after": table}, text=text, state={"run": run})


def group_lab(consumers: int = 4, partitions: int = 8, protocol: str = "cooperative-sticky", crash: str = "C3"
              ) -> Panel:
    controls = {
        "consumers": w.IntSlider(value=consumers, min=1, max=10, description="consumers"),
        "partitions": w.IntSlider(value=partitions, min=1, max=12, description="partitions"),
        "protocol": w.Dropdown(options=list(PROTOCOLS), value=protocol, description="assignor / protocol"),
        "crash": w.Dropdown(options=["nobody"] + [f"C{i}" for i in range(1, 11)], value=crash,
                            description="kill at t=20 s"),
    }
    return Panel(controls, render_group, title="Rebalance lab",
                 description="Change the group: it is re-run from the same seed on a fresh simulated cluster.")


@sample(render_group, "small", "The rebalance lab as it opens: four consumers, eight partitions, C3 killed.")
def _lab_small():
    return render_group(4, 8, "cooperative-sticky", "C3")


@sample(render_group, "large", "The rebalance lab at its largest: ten consumers, twelve partitions, eager.")
def _lab_large():
    return render_group(10, 12, "range (eager, librdkafka default)", "C10")
