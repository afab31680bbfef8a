"""The replication lab of notebook 03: topic + producer settings and a fault schedule → re-run → redraw.

Every change re-runs :func:`render_replication`: a fresh seeded cluster, the chosen schedule of
faults and writes (:mod:`kafkalab.replication`), then the ISR timeline, the offset strip of the
partition, the syllabus-style timeline table and the checker's verdict on the writes.
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from ..replication import isr_shrink_schedule, run_scenario
from ..viz.gallery import sample
from ..viz.replication import isr_timeline, offset_strip, timeline_table
from .panel import Panel, View, new_figure

SCHEDULES = {
    "guide: B3 crashes, B2 blips 10 s": isr_shrink_schedule(10_000),
    "B3 crashes, B2 lags 60 s behind the leader": isr_shrink_schedule(60_000, [1]),
    "rolling replacement of B3, B2, B1": [(0, "writes", 40, 2000), (10, "replace", [3, 2, 1], 15_000)],
    "two brokers down for 40 s": [(0, "writes", 40, 2000), (10, "crash", 2), (10, "crash", 3),
                                  (50, "restart", 2), (50, "restart", 3)],
    "ISR dies, a stale replica returns": [(5, "crash", 3), (10, "write", "a"), (20, "write", "b"),
                                          (30, "crash", 1), (30, "crash", 2), (40, "restart", 3),
                                          (50, "write", "c"), (70, "restart", 1), (70, "restart", 2)],
}


def render_replication(schedule: str, rf: int = 3, min_isr: int = 2, acks: str = "all", unclean: bool = False,
                       elr: bool = False, seed: int = 42) -> View:
    sched = SCHEDULES[schedule]
    rf = max(1, min(rf, 3))
    if rf < 3:  # faults on brokers that hold no replica do nothing; keep the schedule meaningful
        sched = [s for s in sched if not (s[1] in ("crash", "restart", "blip") and s[2] > rf)]
    run = run_scenario(sched, seed=seed, replication_factor=rf, min_insync_replicas=min_isr, acks=acks,
                       unclean=unclean, elr=elr, producer={"delivery.timeout.ms": 30_000},
                       run_s=max(s[0] + (s[2] * s[3] / 1000 if s[1] == "writes" else 0) for s in sched) + 45)
    fig = new_figure(8.0, 6.0)
    top, bottom = fig.subplots(2, 1, height_ratios=[1.25, 1])
    isr_timeline(run, ax=top)
    offset_strip(run.cluster, run.topic, 0, ax=bottom, max_offsets=45)
    anomalies = run.anomalies()
    writes = pd.DataFrame(run.writes, columns=["value", "sent_s", "result", "offset", "error", "done_s"])
    counts = writes["result"].value_counts().to_dict()
    lost = anomalies.attrs["lost"]
    verdict = (f"acks={acks}, RF={rf}, min.insync.replicas={min_isr}, unclean={unclean}, ELR={elr}\n"
               f"writes: {counts.get('ok', 0)} acknowledged, {counts.get('failed', 0)} failed, "
               f"{counts.get('unknown', 0)} unknown (timed out), {counts.get('pending', 0)} pending\n"
               f"checker: {lost} acknowledged write(s) LOST" if lost else
               f"acks={acks}, RF={rf}, min.insync.replicas={min_isr}, unclean={unclean}, ELR={elr}\n"
               f"writes: {counts.get('ok', 0)} acknowledged, {counts.get('failed', 0)} failed, "
               f"{counts.get('unknown', 0)} unknown (timed out), {counts.get('pending', 0)} pending\n"
               f"checker: no acknowledged write lost")
    table = timeline_table(run)
    if len(table) > 30:
        table = table[~table["event"].str.startswith(("produce ", "delivery report"))].head(30)
    tables = {"timeline": table}
    if not anomalies.empty:
        tables["anomalies"] = anomalies[["kind", "value", "offset", "explanation"]].head(10)
    return View(figure=fig, tables=tables, text=verdict, state={"run": run, "anomalies": anomalies})


def replication_lab(schedule: str = "guide: B3 crashes, B2 blips 10 s", rf: int = 3, min_isr: int = 2,
                    acks: str = "all", unclean: bool = False, elr: bool = False, seed: int = 42) -> Panel:
    controls = {
        "schedule": w.Dropdown(options=list(SCHEDULES), value=schedule, description="fault schedule",
                               layout=w.Layout(width="380px")),
        "rf": w.IntSlider(value=rf, min=1, max=3, description="replication factor"),
        "min_isr": w.IntSlider(value=min_isr, min=1, max=3, description="min.insync.replicas"),
        "acks": w.ToggleButtons(options=["0", "1", "all"], value=str(acks), description="acks"),
        "unclean": w.Checkbox(value=unclean, description="unclean.leader.election.enable"),
        "elr": w.Checkbox(value=elr, description="eligible leader replicas (KIP-966)"),
        "seed": w.IntText(value=seed, description="seed"),
    }
    return Panel(controls, render_replication, title="Replication lab",
                 description="Change a setting: the schedule is re-run on a fresh simulated cluster.")


@sample(render_replication, "small", "The replication lab as it opens: the guide's example.")
def _lab_small():
    return render_replication("guide: B3 crashes, B2 blips 10 s")


@sample(render_replication, "large", "The rolling replacement: 40 writes, three brokers replaced one by one.")
def _lab_large():
    return render_replication("rolling replacement of B3, B2, B1", unclean=True, elr=True)
