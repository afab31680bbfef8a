"""Time the redraw of every panel under ``kafkalab.widgets`` as a learner moves its controls.

A panel redraws synchronously when a control's value is set (``kafkalab/widgets/panel.py``): re-run the
seeded scenario (``render``), draw the figure to PNG, rebuild the HTML tables and text. This script builds
each panel found (public functions of ``kafkalab.widgets.*`` that return a ``Panel`` with no arguments),
then makes ``--moves`` seeded moves — a random control, one to three steps up or down a slider, the next
option of a dropdown, a new key in a text box — and times each ``control.value = ...`` from the outside.
It prints median, p90 and max per panel (target: median < ``--target`` ms; in the browser add ≈ 50–100 ms
for the round trip), how that splits between ``render`` and the rest (PNG + HTML), this process's median
CPU time per redraw (``cpu``: the steadier figure on a shared machine, where wall time also counts the
other processes), and the median per control.  A calibration loop timed before and after the panels
says how fast the machine ran Python meanwhile (a shared machine's speed drifts by tens of percent). ``--worst`` also searches greedily for each panel's slowest slider corner (slider by slider, keep
min or max, whichever redraws slower), which shows how a redraw scales at the sliders' ends.

    python benchmarks/widget_redraw.py                 # 30 moves per panel
    python benchmarks/widget_redraw.py --moves 100 --worst
    python benchmarks/widget_redraw.py --check         # exit 1 when a median misses the target
    python benchmarks/widget_redraw.py --no-cache      # every move re-runs its scenario (cold redraws)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import ipywidgets as w
import matplotlib

from kafkalab.widgets import Panel, panel_factories

matplotlib.use("Agg")


def is_slider(c) -> bool:
    return isinstance(c, (w.IntSlider, w.FloatSlider))


def options(c) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in getattr(c, "options", ())]


def move(control, rng: random.Random, n: int):
    """A learner's next value for ``control``, or None when it cannot move."""
    if is_slider(control):
        steps = rng.choice((-3, -2, -1, 1, 2, 3))
        value = min(control.max, max(control.min, control.value + steps * control.step))
        if value == control.value:
            value = min(control.max, max(control.min, control.value - steps * control.step))
        return None if value == control.value else value
    if len(options(control)) > 1:
        values = options(control)
        return values[(values.index(control.value) + rng.randrange(1, len(values))) % len(values)]
    if isinstance(control.value, bool):
        return not control.value
    if isinstance(control.value, str):
        return control.value.rsplit(", extra-", 1)[0] + f", extra-{n}"
    return None


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


class TimedRender:
    """Wraps ``panel.render`` to split a redraw into the scenario run and the rest (PNG, HTML)."""

    def __init__(self, render):
        self.render, self.last, self.calls = render, 0.0, 0

    def __call__(self, **values):
        self.calls += 1
        t0 = time.perf_counter()
        try:
            return self.render(**values)
        finally:
            self.last = time.perf_counter() - t0


def redraw_ms(panel: Panel, control, value) -> tuple[float, float]:
    """Set a value; return (whole redraw ms, render ms)."""
    return redraw_cpu_ms(panel, control, value)[:2]


def redraw_cpu_ms(panel: Panel, control, value) -> tuple[float, float, float]:
    """Set a value; return (whole redraw ms, render ms, this process's CPU ms for the redraw).  On a
    shared machine the CPU time is the steadier figure: wall time also counts the other processes."""
    panel.render.last = 0.0  # stays 0 when the panel showed a cached redraw of the same values
    c0, t0 = time.process_time(), time.perf_counter()
    control.value = value
    total = (time.perf_counter() - t0) * 1000
    return total, panel.render.last * 1000, (time.process_time() - c0) * 1000


def bench_panel(name: str, factory, moves: int, seed: int, warmup: int) -> dict:
    t0 = time.perf_counter()
    panel = factory()
    build_ms = (time.perf_counter() - t0) * 1000
    panel.render = TimedRender(panel.render)
    rng = random.Random(seed)
    movable = [k for k, c in panel.controls.items() if move(c, random.Random(0), 0) is not None]
    totals, renders, cpus, per_control, errors, hits = [], [], [], {k: [] for k in movable}, 0, 0
    for i in range(warmup + moves):
        key = rng.choice(movable)
        value = move(panel.controls[key], rng, i)
        if value is None:
            continue
        calls = panel.render.calls
        total, render, cpu = redraw_cpu_ms(panel, panel.controls[key], value)
        errors += bool(panel.error.value)
        if i >= warmup:
            hits += panel.render.calls == calls and not panel.error.value
            totals.append(total)
            renders.append(render)
            cpus.append(cpu)
            per_control[key].append(total)
    return {"name": name, "build_ms": build_ms, "totals": totals, "renders": renders, "cpus": cpus, "per_control": per_control,
            "errors": errors, "hits": hits, "panel": panel}


def worst_corner(panel: Panel) -> tuple[float, dict]:
    """Greedy: slider by slider, keep its min or max, whichever redraws slower; the final redraw's ms."""
    worst = 0.0
    for c in panel.controls.values():
        if not is_slider(c):
            continue
        timed = []
        for value in (c.min, c.max):
            total, _ = redraw_ms(panel, c, value)
            timed.append((total, value))
        worst, value = max(timed)
        if c.value != value:
            worst, _ = redraw_ms(panel, c, value)
    return worst, panel.values()


def calibration_ms() -> float:
    """A fixed pure-Python workload (median of 5): how fast this machine runs Python right now.  A shared
    machine's speed drifts by tens of percent between runs; compare panels across runs by their ratio to this."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        d: dict = {}
        for i in range(200_000):
            d[i & 1023] = d.get(i & 1023, 0) + i * 3 % 7
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--moves", type=int, default=30, help="timed moves per panel (default: %(default)s)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed moves first (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the moves (default: %(default)s)")
    ap.add_argument("--target", type=float, default=300.0, help="median target in ms (default: %(default)s)")
    ap.add_argument("--only", help="only panels whose name contains this")
    ap.add_argument("--worst", action="store_true", help="also time each panel's slowest slider corner")
    ap.add_argument("--check", action="store_true", help="exit 1 when a panel's median misses the target")
    ap.add_argument("--no-cache", action="store_true",
                    help="turn the panels' cache of finished redraws off: every move re-runs its scenario")
    args = ap.parse_args(argv)
    if args.no_cache:
        Panel.cache_size = 0

    factories = [(n, f) for n, f in panel_factories() if args.only is None or args.only in n]
    if not factories:
        print("no panels found under kafkalab.widgets", file=sys.stderr)
        return 1
    print(f"{len(factories)} panel(s); {args.moves} timed moves each after {args.warmup} warm-up moves, "
          f"seed {args.seed}, cache of redraws {'off' if args.no_cache else 'on'}; times in ms, whole redraw (control.value = ... returns after it)\n")
    calib = calibration_ms()
    print(f"calibration (a fixed pure-Python loop, see calibration_ms): {calib:.1f} ms before the panels")
    print(f"{'panel':44} {'build':>6} {'median':>7} {'p90':>7} {'max':>7} {'render':>7} {'png+html':>8} {'cpu':>6}  target")
    missed = []
    results = []
    for name, factory in factories:
        r = bench_panel(name, factory, args.moves, args.seed, args.warmup)
        results.append(r)
        med, p90 = statistics.median(r["totals"]), quantile(r["totals"], 0.9)
        render = statistics.median(r["renders"])
        rest = statistics.median(t - x for t, x in zip(r["totals"], r["renders"], strict=True))
        ok = med < args.target
        missed += [] if ok else [name]
        print(f"{name.removeprefix('kafkalab.widgets.'):44} {r['build_ms']:6.0f} {med:7.1f} {p90:7.1f} "
              f"{max(r['totals']):7.1f} {render:7.1f} {rest:8.1f} {statistics.median(r['cpus']):6.0f}  {'ok' if ok else 'MISSED'} (< {args.target:g})")
        if r["errors"]:
            print(f"    {r['errors']} move(s) showed an error in the panel")
        if r["hits"]:
            print(f"    {r['hits']} of {len(r['totals'])} move(s) came back to values shown before: the panel's cache")
    print(f"calibration after the panels: {calibration_ms():.1f} ms (before: {calib:.1f} ms)")
    print("\nmedian per control (moves):")
    for r in results:
        cells = [f"{k} {statistics.median(v):.0f} ({len(v)})" for k, v in r["per_control"].items() if v]
        print(f"  {r['name'].removeprefix('kafkalab.widgets.')}: " + ", ".join(cells))
    if args.worst:
        print("\nslowest slider corner (greedy):")
        for r in results:
            ms, values = worst_corner(r["panel"])
            shown = ", ".join(f"{k}={v}" for k, v in values.items() if not isinstance(v, str) or len(v) < 20)
            print(f"  {r['name'].removeprefix('kafkalab.widgets.')}: {ms:.0f} ms at {shown}")
    if args.check and missed:
        print(f"\nmedian over {args.target:g} ms: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
