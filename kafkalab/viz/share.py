"""Share-group renderers (notebook 10, Part B): the share partition's records and who got what when.

* :func:`share_partition_strip` — one share partition's offsets as cells, coloured by record state
  (AVAILABLE, ACQUIRED, ACKNOWLEDGED, ARCHIVED, not fetched yet), the delivery count written in each
  cell when there is room, the SPSO and SPEO marked — as the trace says it was at ``at_ms``.
* :func:`delivery_timeline` — every record each consumer was handed, offset against virtual time,
  one colour per consumer, the crash marked: a consumer group and a share group side by side.
* :func:`guarantee_table` — the history checker's verdicts (:func:`kafkalab.share_lab.guarantees`)
  for several runs, one row per guarantee.

They read the trace (``share.partition_init``, ``share.record_state``, ``share.spso``) and the runs'
delivery lists; nothing here recomputes what the share partition decided.
"""
from __future__ import annotations

from . import style
from .gallery import sample

__all__ = ["delivery_timeline", "guarantee_table", "share_partition_strip", "share_states"]


def share_states(trace, group: str, topic: str, partition: int = 0, at_ms: int | None = None) -> dict:
    """``{"spso", "speo", "states": {offset: (state, delivery_count)}}`` replayed from the trace up to ``at_ms``."""
    spso = speo = None
    states: dict = {}
    for ev in trace.events:
        if at_ms is not None and ev.time_ms > at_ms:
            break
        f = ev.fields
        if not ev.kind.startswith("share.") or f.get("group") != group or f.get("topic") != topic \
                or f.get("partition") != partition:
            continue
        if ev.kind == "share.partition_init":
            spso = speo = f["spso"]
        elif ev.kind == "share.record_state":
            for off, dc in zip(f["offsets"], f["delivery_counts"], strict=True):
                states[off] = (f["to_state"], dc)
                speo = max(speo if speo is not None else off + 1, off + 1)
        elif ev.kind == "share.spso":
            spso, speo = f["spso"], f["speo"]
    return {"spso": spso, "speo": speo, "states": states}


def share_partition_strip(cluster, group: str, topic: str, partition: int = 0, at_ms: int | None = None, ax=None,
                          title: str | None = None, max_offsets: int = 60):
    """The share partition ``group``/``topic``-``partition`` at ``at_ms`` (default: now)."""
    from matplotlib.patches import Rectangle

    st = share_states(cluster.trace, group, topic, partition, at_ms)
    hw = cluster.partition_log(topic, partition).high_watermark
    end = max([hw, st["speo"] or 0, *(o + 1 for o in st["states"])])
    start = max(0, end - max_offsets)
    n = max(1, end - start)
    ax = style.axes_or_new(ax, width=min(style.MAX_WIDTH_IN, 3.8 + 0.34 * n), height=2.2)
    cell_pt = style.axes_size_pt(ax)[0] / n
    counts: dict = {}
    for off in range(start, end):
        state, dc = st["states"].get(off, ("not fetched", 0))
        counts[state] = counts.get(state, 0) + 1
        color = style.SHARE_COLORS[state]
        ax.add_patch(Rectangle((off, 0.1), 1.0, 0.8, facecolor=color, hatch=style.SHARE_HATCH.get(state),
                               edgecolor=style.DARK_GREY if state == "not fetched" else "white", lw=0.8))
        if dc and cell_pt >= 14:
            ax.text(off + 0.5, 0.5, str(dc), ha="center", va="center", fontsize=style.TEXT_PT,
                    color=style.text_color_on(color))
    if st["spso"] is not None:
        same = st["spso"] == st["speo"]
        # two heights, each label on top of its own line: never clipped, never on top of each other
        for x, top, name in ((st["spso"], 1.0, "SPSO = SPEO" if same else "SPSO"), (st["speo"], 1.28, "SPEO")):
            ax.plot([x, x], [0.0, top], color=style.BLACK, ls="--", lw=1)
            ax.text(x, top + 0.02, name, ha="center", va="bottom", fontsize=style.TEXT_PT)
            if same:
                break
    ax.set_xlim(start - 0.9, end + 0.9)
    ax.set_ylim(0, 1.75)
    ax.set_yticks([0.5], [f"{topic}-{partition}"])
    style.tidy(ax)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    style.labels(ax, x="offset (digits: delivery count)" if cell_pt >= 14 else "offset")
    order = ["AVAILABLE", "ACQUIRED", "ACKNOWLEDGED", "ARCHIVED", "not fetched"]
    style.legend(ax, handles=[style.patch(style.SHARE_COLORS[s], s, hatch=style.SHARE_HATCH.get(s),
                                          edge=style.DARK_GREY if s == "not fetched" else None)
                              for s in order if s in counts])
    redelivered = sorted(o for o, (_, dc) in st["states"].items() if dc > 1)
    if title is None:
        if counts.get("ACQUIRED"):
            title = f"{counts['ACQUIRED']} record(s) locked by consumers; SPSO {st['spso']} waits for the oldest"
        elif st["spso"] is not None and st["spso"] >= hw:
            title = f"every record up to {hw} is done: SPSO = SPEO = {st['spso']}"
        else:
            title = f"share group {group}: SPSO {st['spso']}, SPEO {st['speo']}"
        if redelivered:
            title += f" — {len(redelivered)} delivered more than once"
    style.finding(ax, title)
    style.alt(ax, f"Share partition {topic}-{partition} of group {group}, offsets {start} to {end - 1}: "
              + ", ".join(f"{counts[s]} {s}" for s in order if s in counts)
              + f"; SPSO {st['spso']}, SPEO {st['speo']}.")
    return ax


def delivery_timeline(runs, axes=None, title: str | None = None):
    """Offsets each consumer was handed against virtual time: one panel per run (``QueueRun``)."""
    runs = list(runs)
    if axes is None:
        fig, axes = style.subplots(1, len(runs), width=style.DEFAULT_WIDTH_IN, height=3.4, sharey=True)
        axes = [axes] if len(runs) == 1 else list(axes)
    names = sorted({d.consumer for r in runs for d in r.deliveries} | {c for r in runs for c in r.consumers},
                   key=style.natural_key)
    colors = style.consumer_colors(names)
    for ax, run in zip(axes, runs, strict=True):
        seen: set = set()
        first, again = [], []
        for d in run.deliveries:
            key = (d.partition, d.offset)
            (again if key in seen else first).append(d)
            seen.add(key)
        for name in names:
            for ds, mark, label in ((first, "o", name), (again, "X", None)):
                ds = [d for d in ds if d.consumer == name]
                if ds:
                    ax.plot([d.time_ms / 1000 for d in ds], [d.offset for d in ds], ls="none", marker=mark,
                            ms=style.MARKER_PT + (2 if mark == "X" else 0), color=colors[name], label=label,
                            markeredgecolor=style.BLACK if mark == "X" else colors[name])
        if again:
            ax.plot([], [], ls="none", marker="X", ms=style.MARKER_PT + 2, color=style.GREY,
                    markeredgecolor=style.BLACK, label="handed out again")
        t_max = max([d.time_ms for d in run.deliveries] + [run.crash_ms or 0]) / 1000
        if run.crash_ms is not None:
            ax.axvline(run.crash_ms / 1000, color=style.DANGER, ls=":", lw=1.5)
            ax.text(run.crash_ms / 1000, run.records + 0.6, f" {run.crashed} crashes", color=style.DANGER,
                    fontsize=style.TEXT_PT, va="bottom")
        ax.set_xlim(-2, t_max * 1.08 + 2)
        style.tidy(ax, grid="y")
        style.labels(ax, x="virtual time (s)", y="offset" if ax is axes[0] else None)
        ax.set_title("consumer group" if run.kind == "consumer" else "share group", loc="left",
                     fontsize=style.LABEL_PT)
        ax.set_ylim(-1.2, run.records + 2.2)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    style.legend(axes[-1], handles=handles, labels=labels)
    fig = axes[0].figure
    if title is None:
        parts = []
        for run in runs:
            n = len({(d.partition, d.offset) for d in run.deliveries if again_count(run, d) > 1})
            parts.append(f"{'consumer group' if run.kind == 'consumer' else 'share group'}: {n} handed out twice")
        title = "After a crash both groups redeliver; only the consumer group keeps offsets in order — " + \
            "; ".join(parts)
    style.suptitle(fig, title)
    style.alt(fig, "Delivery timelines: " + "; ".join(
        f"{r.kind} group, {len(r.deliveries)} deliveries to {len({d.consumer for d in r.deliveries})} consumers"
        + (f", {r.crashed} crashed at {r.crash_ms / 1000:.1f} s" if r.crash_ms is not None else "") for r in runs) + ".")
    return axes


def again_count(run, d) -> int:
    return sum(1 for x in run.deliveries if (x.partition, x.offset) == (d.partition, d.offset))


def guarantee_table(verdicts):
    """One row per guarantee, one column per run: the output of :func:`kafkalab.share_lab.guarantees`."""
    import pandas as pd

    rows = {}
    for g in verdicts:
        col = "consumer group" if g["kind"] == "consumer" else "share group"
        bad = [p for p, ok in g["in_order"].items() if not ok]
        rows[col] = {
            "readers per partition": ", ".join(f"p{p}: {'+'.join(cs) or '-'}" for p, cs in sorted(g["owners"].items())),
            "several readers at once": "yes" if g["shared_at_once"] else "no",
            "ordering per partition": "kept" if not bad else f"broken ({', '.join(f'p{p}' for p in bad)})",
            "records handed out twice": len(g["duplicates"]),
            "highest delivery count": g["max_delivery_count"] if g["kind"] == "share" else "(not counted)",
            "archived (given up)": len(g["archived"]) if g["kind"] == "share" else "(no such state)",
            "never processed": len(g["unprocessed"]),
        }
    return pd.DataFrame(rows)


# -- samples ---------------------------------------------------------------------------------------------
@sample(share_partition_strip, "small", "A share partition while a crashed consumer's records are still locked.")
def _strip_small():
    from ..share_lab import queue_run

    run = queue_run("share", records=8, crash_after_polls=1)
    return share_partition_strip(run.cluster, run.group, run.topic, 0, at_ms=(run.crash_ms or 0) + 10)


@sample(share_partition_strip, "large", "Sixty jobs, four consumers, one crash, a poison record archived.")
def _strip_large():
    from ..clients.share_consumer import AcknowledgeType
    from ..share_lab import queue_run

    def decide(msg, err):
        return AcknowledgeType.ACCEPT if err is None else AcknowledgeType.RELEASE

    run = queue_run("share", consumers=4, records=60, batch=5, decide=decide,
                    fail=lambda v, dc: "permanent" if v == "job-7" else None,
                    group_config={"share.delivery.count.limit": 3}, until_ms=120_000)
    return share_partition_strip(run.cluster, run.group, run.topic, 0, at_ms=(run.crash_ms or 0) + 10)


@sample(delivery_timeline, "small", "A consumer group and a share group on the same twelve jobs, one crash each.")
def _timeline_small():
    from ..share_lab import queue_run

    return delivery_timeline([queue_run("consumer"), queue_run("share")])


@sample(delivery_timeline, "large", "Four consumers on forty jobs in each kind of group, one crash each.")
def _timeline_large():
    from ..share_lab import queue_run

    return delivery_timeline([queue_run("consumer", consumers=4, records=40, batch=4),
                              queue_run("share", consumers=4, records=40, batch=4)])
