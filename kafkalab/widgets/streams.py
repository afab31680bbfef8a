"""The window explorer of notebook 08: window kind, size, advance, grace and a late click → the timeline.

Each change re-runs :func:`render_windows`: one user's clicks between 12:00 and 12:10 (two of them
arriving out of order, a third ``late_by_min`` minutes behind stream time) are counted by a windowed
``count()`` in a ``TopologyTestDriver``; the picture shows every window as a bar with its grace, the
records each window counted and the updates dropped because their window had closed. The table is
the windows' final counts; the text says what the grace admitted and what it dropped.
"""
from __future__ import annotations

import warnings

import ipywidgets as w

from ..ecosystem.streams.lab import MINUTE, NOON, hhmm, window_run
from ..ecosystem.streams.windows import SessionWindows, SlidingWindows, TimeWindows
from ..viz.gallery import sample
from ..viz.streams import window_timeline
from .panel import Panel, View, new_figure

KINDS = ("tumbling", "hopping", "sliding", "session")


def explorer_records(late_by_min: int) -> list[int]:
    """The explorer's click log (arrival order): on time, two a little out of order, one ``late_by_min`` late."""
    on_time = [0.2, 1.1, 1.9, 3.4, 4.6, 6.2, 7.5, 8.3, 9.6]
    ts = [NOON + int(m * MINUTE) for m in on_time]
    arrivals = ts[:4] + [NOON + int(2.6 * MINUTE)] + ts[4:7] + [NOON + int(5.8 * MINUTE)] + ts[7:]
    # the latecomer: its event time is late_by_min behind the stream time when it arrives (12:09:36)
    arrivals.append(ts[-1] - late_by_min * MINUTE)
    return arrivals


def make_windows(kind: str, size_min: int, advance_min: int, grace_min: int, deprecated_of: bool = False):
    size, adv, grace = size_min * MINUTE, min(advance_min, size_min) * MINUTE, grace_min * MINUTE
    if kind == "sliding":
        return SlidingWindows.of_time_difference_and_grace(size, grace)
    if kind == "session":
        return SessionWindows.of_inactivity_gap_and_grace(size, grace)
    if deprecated_of:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            base = TimeWindows.of(size)
    else:
        base = TimeWindows.of_size_and_grace(size, grace)
    return base.advance_by(adv) if kind == "hopping" else base


def render_windows(kind: str = "hopping", size_min: int = 5, advance_min: int = 1, grace_min: int = 1,
                   late_by_min: int = 3, deprecated_of: bool = False) -> View:
    windows = make_windows(kind, size_min, advance_min, grace_min, deprecated_of and kind in ("tumbling", "hopping"))
    recs = explorer_records(late_by_min)
    run = window_run(windows, recs)
    fig = new_figure(8.0, 4.2)
    window_timeline(run, ax=fig.add_subplot(111))
    import pandas as pd

    table = pd.DataFrame([(hhmm(s), hhmm(e) + ("]" if kind in ("sliding", "session") else ")"), c)
                          for _k, s, e, c in run.windows], columns=["window start", "window end", "count"])
    late = run.records[-1]
    grace = windows.grace_period_ms()
    text = (f"{kind} windows, grace {grace // MINUTE} min{' (TimeWindows.of: 24 h - size)' if deprecated_of else ''}."
            f"\nThe last click has event time {hhmm(late['ts'])} and arrives when stream time is "
            f"{hhmm(late['stream_time'])}: counted in {len(late['counted'])} window(s), "
            f"dropped from {len(late['dropped'])}.\nIn total {run.dropped} window update(s) were dropped "
            "(the task's dropped-records sensor).")
    return View(figure=fig, tables={"final count per window": table}, text=text, state={"run": run})


def window_explorer(kind: str = "hopping", size_min: int = 5, advance_min: int = 1, grace_min: int = 1,
                    late_by_min: int = 3) -> Panel:
    controls = {
        "kind": w.Dropdown(options=list(KINDS), value=kind, description="windows"),
        "size_min": w.IntSlider(value=size_min, min=1, max=10, description="size / gap (min)"),
        "advance_min": w.IntSlider(value=advance_min, min=1, max=10, description="advance (min, hopping)"),
        "grace_min": w.IntSlider(value=grace_min, min=0, max=10, description="grace (min)"),
        "late_by_min": w.IntSlider(value=late_by_min, min=0, max=10, description="last click late by (min)"),
        "deprecated_of": w.Checkbox(value=False, description="TimeWindows.of (old API)"),
    }
    return Panel(controls, render_windows, title="Window explorer",
                 description="One user's clicks, counted per window in a TopologyTestDriver. Bars are windows, "
                             "hatched their grace; crosses are updates dropped as late.")


@sample(render_windows, "small", "The window explorer as it opens: hopping 5-minute windows, a click 3 minutes late.")
def _explorer_small():
    return render_windows()


@sample(render_windows, "large", "Session windows with a 10-minute gap and no grace, the last click 10 minutes late.")
def _explorer_large():
    return render_windows(kind="session", size_min=10, advance_min=1, grace_min=0, late_by_min=10)
