"""What the operator's dashboard would have shown: the metrics of :mod:`kafkalab.metrics`, drawn.

* :func:`metrics_delta` — one row per metric with its JMX bean: the value just before the fault, the
  worst it showed afterwards, the value at the end, and the change.
* :func:`metrics_timeseries` — a small time series per metric that moved, the faults as dotted lines.
* :func:`lag_timeline` — each partition's consumer lag over time: the group's committed-offset lag
  (``kafka-consumer-groups.sh``) next to the live consumers' ``records-lag-max``.

``source`` is a :class:`kafkalab.replication.Run` (times in scenario seconds), a
:class:`kafkalab.group_lab.GroupRun`, a Cluster or a Trace (times in virtual seconds).
"""
from __future__ import annotations

from .. import metrics as m
from . import style
from .gallery import sample
from .tables import TextTable

#: What the time series show when no ``names`` are given and a metric moved.
PANELS = ("UnderReplicatedPartitions", "UnderMinIsrPartitionCount", "OfflinePartitionsCount", "FencedBrokerCount",
          "IsrShrinksPerSec", "IsrExpandsPerSec", "LeaderElectionRateAndTimeMs", "UncleanLeaderElectionsPerSec",
          "FailedProduceRequestsPerSec", "TotalTimeMs p99 (Produce)", "records-lag-max", "consumer group lag")


def _source(source):
    """(trace, t0 ms, end ms, derived) of a Run, GroupRun, Cluster or Trace."""
    t0 = getattr(source, "t0", 0) or 0
    cluster = getattr(source, "cluster", None) or (source if hasattr(source, "brokers") else None)
    trace = source.trace if hasattr(source, "trace") else source
    end = cluster.now if cluster is not None else (trace.events[-1].time_ms if len(trace) else 0)
    return trace, t0, end, m.derive(trace)


def _first_fault(d: m.Derived, t0: int) -> int | None:
    return next((t for t, _k, _n in d.faults if t >= t0), None)


def _fmt(v) -> str:
    if v is None:
        return "no data"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def metrics_delta(source, before_s: float | None = None, after_s: float | None = None, names=None) -> TextTable:
    """The before/after table: metric, before, peak (the worst in between), after, change, healthy, bean.

    ``before_s`` defaults to just before the first fault, ``after_s`` to the end of the run."""
    trace, t0, end, d = _source(source)
    fault = _first_fault(d, t0)
    before = t0 + round(before_s * 1000) if before_s is not None else (fault - 1 if fault is not None else t0)
    after = t0 + round(after_s * 1000) if after_s is not None else end
    rows = m.delta(trace, before, after, names=names, derived=d)
    table = TextTable([{"metric": r["metric"], "before": _fmt(r["before"]), "peak": _fmt(r["peak"]),
                        "after": _fmt(r["after"]),
                        "change": "" if r["change"] is None else (f"+{_fmt(r['change'])}" if r["change"] > 0
                                                                  else _fmt(r["change"])),
                        "unit": r["unit"], "healthy": r["healthy"], "JMX bean": r["bean"]} for r in rows],
                      columns=["metric", "before", "peak", "after", "change", "unit", "healthy", "JMX bean"])
    table.attrs.update(before_s=(before - t0) / 1000, after_s=(after - t0) / 1000,
                       moved=[r["metric"] for r in rows if r["peak"] != r["before"] or r["after"] != r["before"]])
    return table


def _moved(d: m.Derived, name: str, start: int, end: int) -> bool:
    before, peak, after = d.value(name, start), d.peak(name, start, end), d.value(name, end)
    return not (before == peak == after) and peak is not None


def metrics_timeseries(source, names=None, axes=None, start_s: float | None = None, end_s: float | None = None,
                       step_s: float | None = None):
    """A small time series per metric (default: those of :data:`PANELS` that moved), sampled every ``step_s``
    like a dashboard; meters as a rate per second.  Returns the list of Axes."""
    import math

    from matplotlib.ticker import MaxNLocator

    _trace, t0, end, d = _source(source)
    start = t0 + round(start_s * 1000) if start_s is not None else max(d.start_ms, t0)
    stop = t0 + round(end_s * 1000) if end_s is not None else end
    chosen = list(names) if names is not None else [n for n in PANELS if _moved(d, n, start, stop)]
    quiet = [n for n in PANELS if n not in chosen and names is None]
    if not chosen:
        chosen = ["UnderReplicatedPartitions"]
    cols = 2 if len(chosen) > 1 else 1
    rows = math.ceil(len(chosen) / cols)
    own = axes is None
    if own:
        _, grid = style.subplots(rows, cols, width=style.DEFAULT_WIDTH_IN, height=0.9 + 1.75 * rows, sharex=True,
                                 squeeze=False)
        axes = [a for row in grid for a in row]
    step = round(step_s * 1000) if step_s else max(1000, (stop - start) // 80 // 1000 * 1000)
    faults = [(t - t0) / 1000 for t, _k, _n in d.faults if start <= t <= stop]
    findings = []
    for ax, name in zip(axes, chosen):
        spec = m.BY_NAME[name]
        pts = d.series(name, start, stop, step)
        xs = [(t - t0) / 1000 for t, _ in pts]
        ys = [v for _, v in pts]
        shown = [(x, y) for x, y in zip(xs, ys) if y is not None]
        if shown:
            sx, sy = zip(*shown)
            ax.step(sx, sy, where="post", color=style.BLUE if spec.kind != "meter" else style.VERMILLION, lw=1.8)
            ax.fill_between(sx, sy, step="post", color=style.SKY_BLUE if spec.kind != "meter" else style.ORANGE,
                            alpha=0.35, lw=0)
        for x in faults:
            ax.axvline(x, color=style.DARK_GREY, ls=":", lw=1.1)
        top = max([y for y in ys if y is not None] + [1])
        ax.set_ylim(0, top * 1.25)
        if spec.kind in ("gauge", "lag"):  # counts of partitions, brokers, records
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.set_xlim((start - t0) / 1000, (stop - t0) / 1000)
        style.tidy(ax, grid="y")
        unit = f"{spec.unit}/s" if spec.kind == "meter" else spec.unit
        ax.set_ylabel(unit, fontsize=style.TICK_PT)
        before, peak, after = d.value(name, start), d.peak(name, start, stop), d.value(name, stop)
        what = (f"{_fmt(before)} → peak {_fmt(peak)} → {_fmt(after)}" if spec.kind != "meter"
                else f"{_fmt(d.value(name, stop) - d.value(name, start))} in all")
        ax.set_title(style.wrap(f"{name}: {what}", ax, style.LABEL_PT), loc="left", fontsize=style.LABEL_PT,
                     color=style.INK)
        findings.append(f"{name} {what}")
    for ax in axes[len(chosen):]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:len(chosen)]):  # the lowest panel of each column carries the time axis
        if i + cols < len(chosen):
            ax.tick_params(axis="x", labelbottom=False)
        else:
            ax.tick_params(axis="x", labelbottom=True)
            style.labels(ax, x="scenario time (s)" if t0 else "virtual time (s)")
    first = (faults[0] if faults else None)
    lead = f"After the fault at {first:g} s: " if first is not None else ""
    finding = lead + "; ".join(findings[:4]) + ("; …" if len(findings) > 4 else "")
    if quiet:
        finding += f" (flat: {', '.join(quiet[:4])}{', …' if len(quiet) > 4 else ''})"
    if own:
        style.suptitle(axes[0].figure, finding)
    style.alt(axes[0].figure if own else axes[0],
              f"Small time series of {len(chosen)} operator metrics with the faults as dotted lines: {finding}.")
    return axes[:len(chosen)]


def lag_timeline(source, group: str | None = None, topic: str | None = None, ax=None):
    """Consumer lag per partition over time from the group's committed offsets, with the live consumers'
    ``records-lag-max`` dashed: a consumer that dies stops publishing its lag, the committed lag keeps growing."""
    _trace, t0, end, d = _source(source)
    series = {k: v for k, v in d.group_lag.items() if (group is None or k[0] == group) and (topic is None or
                                                                                            k[1] == topic)}
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=3.4)
    parts = sorted(series, key=lambda k: (k[0], k[1], k[2]))
    curves = {}
    for k in parts:
        pts = series[k] + [(end, series[k][-1][1])]
        curves[k] = ([(t - t0) / 1000 for t, _ in pts], [v for _, v in pts])
    peaks = {k: max(ys) for k, (_, ys) in curves.items()}
    typical = sorted(peaks.values())[len(peaks) // 2] if peaks else 0
    # the partitions that fall behind stand out; the rest (committed every few seconds) are one grey band
    stand_out = [k for k in parts if peaks[k] > max(2 * typical, typical + 5)][:6] or \
        sorted(parts, key=lambda k: -peaks[k])[:1]
    others = [k for k in parts if k not in stand_out]
    for i, k in enumerate(others):
        ax.step(*curves[k], where="post", color=style.GREY, lw=1.0, alpha=0.8,
                label="other partitions" if i == 0 else None)
    groups: list[list] = []  # partitions with the very same curve share one line and one label
    for k in stand_out:
        same = next((g for g in groups if curves[g[0]][1] == curves[k][1]), None)
        (same.append(k) if same else groups.append([k]))
    line_colors = (style.VERMILLION, style.BLUE, style.PURPLE, style.ORANGE, style.GREEN, style.SKY_BLUE)
    for i, g in enumerate(groups):
        ax.step(*curves[g[0]], where="post", color=line_colors[i % len(line_colors)], lw=2.2,
                label=", ".join(f"P{k[2]}" for k in g))
    worst = (stand_out[0], peaks[stand_out[0]]) if stand_out else (None, 0)
    step = max(1000, (end - d.start_ms) // 150)
    rl = [(t, d.value("records-lag-max", t)) for t in range(d.start_ms, end + 1, step)]
    rl = [((t - t0) / 1000, v) for t, v in rl if v is not None]
    if rl:
        ax.plot(*zip(*rl), color=style.INK, ls="--", lw=1.6, label="records-lag-max\n(live consumers)")
    crash = [(t - t0) / 1000 for t, k, _n in d.faults if k == "consumer.crash"]
    top = max([worst[1]] + [v for _, v in rl] + [1])
    band, _ = style.event_marks(ax, [(x, "consumer crashes") for x in crash[:1]], (d.start_ms - t0) / 1000,
                                (end - t0) / 1000, color=style.INK)
    ax.set_ylim(0, style.headroom(0, top * 1.05, band))
    ax.set_xlim((d.start_ms - t0) / 1000, (end - t0) / 1000)
    style.tidy(ax, grid="y")
    style.labels(ax, x="scenario time (s)" if t0 else "virtual time (s)", y="lag (records)")
    style.legend(ax, title="committed-offset lag" if parts else None)
    peak_rl = max((v for _, v in rl), default=None)
    if worst[0] is not None:
        behind = ", ".join(f"P{k[2]}" for k in stand_out if peaks[k] == worst[1])
        finding = (f"{behind} fall{'s' if ',' not in behind else ''} {worst[1]} records behind {worst[0][0]}'s "
                   f"committed offsets, while the live consumers' records-lag-max never rises above {_fmt(peak_rl)}")
    else:
        finding = "no committed offsets yet: the group has no lag to show"
    style.finding(ax, finding)
    style.alt(ax, f"Line chart of consumer lag per partition over time, committed-offset lag per partition as "
                  f"solid lines and the consumers' records-lag-max dashed: {finding}.")
    return ax


# -- samples for the figure check and the gallery ----------------------------------------------------------
def _cached(fn):
    import functools

    return functools.lru_cache(maxsize=None)(fn)


@_cached
def _guide():
    from .. import replication

    return replication.isr_shrink_example(blip_ms=10_000)


@_cached
def _coop():
    from ..group_lab import group_run

    return group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000, run_ms=80_000)


@sample(metrics_timeseries, "small", "The guide's example: B3 crashes at 5 s, B2 blips at 70 s.")
def _series_small():
    return metrics_timeseries(_guide())


@sample(metrics_timeseries, "large", "Unclean election: every metric an operator watches moves.")
def _series_large():
    from .. import replication

    return metrics_timeseries(replication.unclean_election_example(unclean=True))


@sample(lag_timeline, "small", "C3 dies: its partitions' committed lag grows for 45 s; records-lag-max stays flat.")
def _lag_small():
    return lag_timeline(_coop())


@sample(lag_timeline, "large", "Ten consumers, twelve partitions, eager range: C4 dies.")
def _lag_large():
    from ..group_lab import group_run

    return lag_timeline(group_run(10, 12, strategy="range", crash="C4", crash_at_ms=20_000, run_ms=75_000,
                                  step_ms=100))
