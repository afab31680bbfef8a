"""The crash-point explorer of notebook 06: kill the consume-transform-produce loop anywhere.

Each change re-runs :func:`render_crash` on a fresh seeded cluster: the loop of
:mod:`kafkalab.txn_lab` processes 12 records, and at iteration ``at`` the process dies at ``point``
(or the transaction coordinator's broker fails, or a zombie wakes up after a new instance took
over).  With transactions on, the picture shows ``enriched-events`` — the aborted attempt, the
markers, and what a read_committed and a read_uncommitted reader get — and the table the anomalies
the checker found (none, with transactions; duplicates, without).
"""
from __future__ import annotations

import ipywidgets as w

from ..txn_lab import CRASH_POINTS, OUTPUT, eos_pipeline
from ..viz.txn import txn_offset_strip
from .panel import Panel, View, new_figure


def render_crash(point: str, at: int, transactional: bool, seed: int = 0) -> View:
    import pandas as pd

    crashes = {} if point == "no crash" else {at: point}
    run = eos_pipeline(crashes=crashes, seed=seed, transactional=transactional, records=8)
    fig = new_figure(8.6, 3.3)
    ax = fig.add_subplot(111)
    views = {"read_committed": [o for o, _v in run.output],
             "read_uncommitted": [o for o, _v in run.output_uncommitted]}
    mode = "transactions" if transactional else "no transactions"
    verdict = "exactly once" if run.exactly_once else f"{len(run.anomalies)} anomalies"
    txn_offset_strip(run.cluster, OUTPUT, 0, ax=ax, views=views,
                     title=f"{mode}, {point if crashes else 'no crash'}: {verdict} for the read_committed reader")
    fig.subplots_adjust(left=0.17, right=0.71, bottom=0.16, top=0.8)  # no tight_layout: it draws twice
    cols = ["kind", "value", "explanation"]
    table = pd.DataFrame([{k: a[k] for k in cols} for a in run.anomalies], columns=cols)
    lines = [f"crashes: {', '.join(f'#{i} {p} at {t} ms' for i, p, t in run.crashes) or 'none'}",
             (f"restarts: {run.restarts}; errors raised in the loop: "
             f"{', '.join(f'#{i} {e}' for i, e in run.step_errors) or 'none'}"),
             (f"read_committed got {len(run.output)} records for {len(run.inputs)} inputs; "
             f"read_uncommitted got {len(run.output_uncommitted)}")]
    return View(figure=fig, tables={"anomalies (checker)": table}, text="\n".join(lines), state={"run": run})


def crash_point_explorer(point: str = "before_commit", at: int = 2, transactional: bool = True) -> Panel:
    controls = {
        "point": w.Dropdown(options=["no crash", *CRASH_POINTS], value=point, description="crash point"),
        "at": w.IntSlider(value=at, min=1, max=6, description="at iteration"),
        "transactional": w.Checkbox(value=transactional, description="transactions"),
        "seed": w.IntSlider(value=0, min=0, max=9, description="seed"),
    }
    return Panel(controls, render_crash, title="Crash-point explorer",
                 description="Kill the loop somewhere: it is re-run from the same seed on a fresh simulated cluster.")
