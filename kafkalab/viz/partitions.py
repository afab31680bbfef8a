"""How records spread over a topic's partitions (notebook 02, the key-placement explorer).

* :func:`load_bars` — records per partition as bars, with the fair share (total / partitions) as a
  dashed line.  One load (a :func:`~kafkalab.viz.tables.partition_load` or
  :func:`~kafkalab.viz.tables.key_placement` table) can be split into stacked parts (the hot
  merchant, everyone else); several loads (``{"key = merchant_id": before, "salted": after}``) are
  drawn side by side per partition, so a fix can be compared with the problem.
"""
from __future__ import annotations

from . import style
from .gallery import sample


def load_bars(load, parts=("records",), ax=None, what: str = "records"):
    """Bars of records per partition; ``load`` is a DataFrame with ``partition`` and ``parts`` columns, or
    ``{label: DataFrame}`` to compare loads side by side (one part each).  Returns the Axes."""
    loads = load if isinstance(load, dict) else {None: load}
    first = next(iter(loads.values()))
    n = len(first)
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=3.2)
    stacked_colors = (style.VERMILLION, style.BLUE, style.SKY_BLUE, style.ORANGE)
    side_colors = (style.BLUE, style.ORANGE, style.GREEN, style.PURPLE)
    width = 0.8 / len(loads)
    hottest = []
    for k, (label, df) in enumerate(loads.items()):
        xs = df["partition"] + (k - (len(loads) - 1) / 2) * width
        bottom = 0
        total = 0
        for i, col in enumerate(parts):
            color = side_colors[k % 4] if len(loads) > 1 else stacked_colors[i % 4]
            name = label if len(loads) > 1 else (col if len(parts) > 1 else what)
            ax.bar(xs, df[col], width=width, bottom=bottom, color=color, label=name)
            bottom = bottom + df[col]
            total += int(df[col].sum())
        share = (bottom.max() / total) if total else 0.0
        hottest.append((label, int(df["partition"][bottom.idxmax()]) if total else 0, share, total))
    total = hottest[0][3]
    if total:
        ax.axhline(total / n, color=style.INK, ls="--", lw=1.2, label=f"fair share ({1 / n:.1%})")
    every = max(1, -(-n // 24))
    ax.set_xticks(range(0, n, every))
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0, max(1.0, max(float(d[list(parts)].sum(axis=1).max()) for d in loads.values())) * 1.08)
    style.tidy(ax, grid="y")
    style.labels(ax, x="partition", y=f"{what} per partition")
    style.legend(ax)
    if len(loads) == 1:
        _, p, share, total = hottest[0]
        finding = (f"partition {p} holds {share:.0%} of {total:,} {what} (a fair share is {1 / n:.0%})" if total
                   else f"no {what} yet")
    else:
        finding = "hottest partition: " + " → ".join(f"{share:.1%} ({label})" for label, _, share, _ in hottest)
    style.finding(ax, finding)
    style.alt(ax, f"Bar chart of {what} on each of {n} partitions"
                  f"{' for ' + ' and '.join(str(label) for label in loads) if len(loads) > 1 else ''}: {finding}.")
    return ax


# -- samples for the figure check and the gallery ----------------------------------------------------------
HOT = "7"


def _payments(n: int = 1200, hot_share: float = 0.8, seed: int = 7) -> list[tuple[str, str]]:
    """(merchant id, payment id) of ``n`` payments; merchant 7 makes ``hot_share`` of them (seeded)."""
    import random

    rng = random.Random(seed)
    return [(HOT if rng.random() < hot_share else str(rng.randrange(100, 400)), f"pay-{i:05d}") for i in range(n)]


def _placement(partitions: int, salted: bool):
    import hashlib

    from .tables import key_placement

    keys = [m + (f":{int(hashlib.md5(pid.encode()).hexdigest(), 16) % 16}" if salted else "")
            for m, pid in _payments()]
    return key_placement(keys, partitions, "murmur2_random")


@sample(load_bars, "small", "One merchant makes 80 % of the payments; salting its key into 16 buckets spreads it.")
def _bars_small():
    return load_bars({"key = merchant_id": _placement(12, False), "key = merchant_id:bucket": _placement(12, True)})


@sample(load_bars, "large", "48 partitions, the hot merchant's records stacked on everyone else's.")
def _bars_large():
    import pandas as pd

    from ..partitioners import partition_for_key

    hot, other = [0] * 48, [0] * 48
    for m, _pid in _payments(hot_share=0.6):
        p = partition_for_key(m.encode(), 48, "murmur2_random")
        (hot if m == HOT else other)[p] += 1
    df = pd.DataFrame({"partition": range(48), f"merchant {HOT}": hot, "other merchants": other})
    return load_bars(df, parts=(f"merchant {HOT}", "other merchants"))
