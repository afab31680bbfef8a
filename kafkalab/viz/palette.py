"""The kit's visual language as one picture: every colour of :mod:`kafkalab.viz.style` and what it means.

* :func:`palette` — swatches for the replica roles, transactions, share-group record states, write outcomes (with their marker
  shapes) and the first consumers' colours; the legend of every other figure.
"""
from __future__ import annotations

from . import style
from .gallery import sample


def palette(ax=None, consumers: int = 7):
    """One row per meaning (replica role, transaction, write outcome, consumer), one swatch per colour."""
    from matplotlib.patches import Rectangle

    rows = [("replica role", [(name, style.role_color(name), style.role_hatch(name), None)
                              for name in style.ROLE_COLORS]),
            ("transaction", [(name, color, None, None) for name, color in style.TXN_COLORS.items()]),
            ("share record", [(name, color, style.SHARE_HATCH.get(name), None)
                              for name, color in style.SHARE_COLORS.items()]),
            ("write outcome", [(style.OUTCOME_LABELS[k], style.OUTCOME_COLORS[k], None, style.OUTCOME_MARKERS[k])
                               for k in style.OUTCOME_COLORS]),
            ("consumer", [(f"C{i + 1}", c, None, None) for i, c in
                          enumerate(style.consumer_colors([f"C{i + 1}" for i in range(consumers)]).values())])]
    per_row = 4  # room for the longest label ("acknowledged, then LOST") after each swatch
    lines = [(title, items[i:i + per_row]) for title, items in rows for i in range(0, len(items), per_row)]
    ax = style.axes_or_new(ax, width=style.DEFAULT_WIDTH_IN, height=0.55 * len(lines) + 0.9)
    for y, (title, items) in enumerate(lines):
        if y == 0 or lines[y - 1][0] != title:
            ax.text(-0.15, y, title, ha="right", va="center", fontsize=style.LABEL_PT, color=style.INK)
        for x, (name, color, hatch, mark) in enumerate(items):
            if mark:
                ax.plot([x + 0.15], [y], ls="none", marker=mark, color=color, ms=style.MARKER_PT + 3,
                        markeredgecolor="white" if name != style.OUTCOME_LABELS["lost"] else None)
            else:
                ax.add_patch(Rectangle((x, y - 0.3), 0.3, 0.6, facecolor=color, hatch=hatch,
                                       edgecolor=style.DARK_GREY if hatch or color in ("white", style.LIGHT_GREY)
                                       else color))
            ax.text(x + 0.38, y, name, va="center", fontsize=style.TEXT_PT, color=style.INK)
    ax.set_xlim(-0.1, per_row)
    ax.set_ylim(len(lines) - 0.4, -0.6)
    ax.set_axis_off()
    style.finding(ax, "One colour per meaning, the same in every picture (Okabe–Ito; hatches as a second channel)")
    style.alt(ax, "Legend of the kit's colours: replica roles leader blue, in-sync green, eligible purple, out-of-sync "
                  "orange, offline grey, fenced hatched light grey; transactions committed green, open sky blue, "
                  f"aborted vermillion; write outcomes by colour and shape; {consumers} consumer colours.")
    return ax


@sample(palette, "small", "The colours of replica roles, transactions, write outcomes and the first seven consumers.")
def _palette_small():
    return palette()


@sample(palette, "large", "With twelve consumers (Paul Tol's muted colours after Okabe–Ito's seven).")
def _palette_large():
    return palette(consumers=12)
