"""Pictures and tables of the capstone's decision lab (notebook 09, :mod:`kafkalab.capstone`).

* :func:`outcome_bars` — what one scenario run measured, one bar per measure, vermillion where the
  requirement broke; a list of outcomes is drawn as one row of bars per configuration, so the right
  choice and the wrong ones sit side by side.  The title is the verdict.
* :func:`outcome_table` / :func:`scenario_table` — the evidence rows of one run, and one row per
  (scenario, configuration): verdict and headline.
"""
from __future__ import annotations

from . import style
from .gallery import sample

STATUS_COLORS = {"good": style.GREEN, "bad": style.DANGER, "neutral": style.GREY}
STATUS_LABELS = {"good": "requirement holds", "bad": "requirement broken", "neutral": "for reference"}


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def outcome_bars(outcomes, labels=None, ax=None):
    """Horizontal bars of ``outcome.bars`` (one Outcome, or a list drawn as groups); returns the Axes."""
    many = isinstance(outcomes, (list, tuple))
    outs = list(outcomes) if many else [outcomes]
    names = list(labels) if labels else [_short(", ".join(f"{k}={v}" for k, v in sorted(o.config.items())) or
                                                "defaults", 40) for o in outs]
    measures = list(dict.fromkeys(b[0] for o in outs for b in o.bars))  # a run may lack a measure (an act not run)
    rows = sum(len(o.bars) for o in outs)
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=max(2.4, 0.42 * rows + 1.3))
    ys, ticks, used = [], [], set()
    y = 0
    for measure in measures:
        for o, name in zip(outs, names):
            found = [b for b in o.bars if b[0] == measure]
            if not found:
                continue
            label, value, status = found[0]
            used.add(status)
            ax.barh(y, value, color=STATUS_COLORS[status], height=0.7)
            ax.text(value, y, f" {value:g}", va="center", ha="left", fontsize=style.TEXT_PT, color=style.INK)
            ticks.append(_short(label, 38) + (f" · {name}" if many else ""))
            ys.append(y)
            y += 1
        y += 0.6 if many else 0
    top = max([b[1] for o in outs for b in o.bars] + [1])
    ax.set_xlim(0, top * 1.25)
    ax.set_yticks(ys)
    ax.set_yticklabels(ticks)
    ax.invert_yaxis()
    style.tidy(ax, grid="x")
    style.labels(ax, x=outs[0].unit)
    style.legend(ax, handles=[style.patch(STATUS_COLORS[s], STATUS_LABELS[s]) for s in STATUS_COLORS if s in used],
                 where="right")
    broken = [n for o, n in zip(outs, names) if not o.ok]
    if many:
        finding = (f"{outs[0].scenario}: " + (f"{len(broken)} of {len(outs)} configurations break the requirement"
                                              if broken else "every configuration meets the requirement"))
    else:
        finding = outs[0].problem or ("requirement met: " + outs[0].headline)
    style.suptitle(ax.figure, _short(finding, 160))  # the figure's width: the tick labels narrow the axes
    style.alt(ax, f"Bar chart of the {outs[0].scenario} scenario's measures for {len(outs)} configuration(s): "
                  f"{_short(finding, 300)}.")
    return ax


def outcome_table(outcome):
    """The evidence of one run as a DataFrame (the rows the scenario kept)."""
    import pandas as pd

    return pd.DataFrame(outcome.rows)


def scenario_table(outcomes, labels=None):
    """One row per run: configuration, verdict and what happened."""
    import pandas as pd

    labels = list(labels) if labels else [None] * len(outcomes)
    return pd.DataFrame([{"choice": lab or ", ".join(f"{k}={v}" for k, v in sorted(o.config.items())),
                          "requirement": "met" if o.ok else "broken", "what happened": o.problem or o.headline}
                         for o, lab in zip(outcomes, labels)])


# -- samples for the figure check and the gallery --------------------------------------------------------
@sample(outcome_bars, "small", "Safe retries without idempotence: a lost answer writes three records twice.")
def _bars_small():
    from .. import capstone

    return outcome_bars(capstone.run("retries", {"enable.idempotence": False}))


@sample(outcome_bars, "large", "Durability: the recommended config and four typical wrong ones, side by side.")
def _bars_large():
    from .. import capstone

    leaf = capstone.leaf("durability against one broker loss")
    outs = [capstone.run("durability", leaf.config)] + [capstone.run("durability", c) for c in leaf.wrong.values()]
    return outcome_bars(outs, labels=["recommended", *leaf.wrong])
