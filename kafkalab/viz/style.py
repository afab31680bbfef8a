"""The one visual language of kafkalab's pictures: colours, sizes, titles, legends and alt text.

Every renderer (``kafkalab.viz.*``) and every widget panel (``kafkalab.widgets.*``) takes its colours
and sizes from here, so a leader is the same blue in the replica grid, the ISR timeline and the
offset strip, and a transaction that aborted is the same vermillion wherever it is drawn.

* **Colours** are the Okabe–Ito palette (Okabe & Ito, *Color Universal Design*, 2008), chosen to stay
  distinguishable under the common colour-vision deficiencies; where two meanings sit next to each
  other (offline / fenced) a hatch is the second channel.  :data:`ROLE_COLORS` (replica roles),
  :data:`TXN_COLORS` (transactions), :data:`OUTCOME_COLORS` / :data:`OUTCOME_MARKERS` (what a write
  observed), :func:`consumer_colors` (one colour per consumer).
* **Sizes** are readable at JupyterLab's default notebook width: figures are at most
  :data:`MAX_WIDTH_IN` wide (wider ones are scaled down by the browser, and their text with them),
  text is at least :data:`MIN_FONT_PT`, markers at least :data:`MIN_MARKER_PT`.  ``tests/test_figures.py``
  checks every renderer against these floors after a real draw.
* **Words**: :func:`finding` puts the *finding* in the title ("B3 leaves the ISR 9 s after it
  crashed", not "ISR timeline"), :func:`labels` names the axes with units, :func:`legend` places a
  legend outside the data, and :func:`alt` stores a one-sentence description with the figure.

Alt text reaches screen readers in JupyterLab this way (checked against JupyterLab 4.6's renderers):
JupyterLab's image renderer ignores output metadata and writes an ``<img>`` with no ``alt``, but it
prefers a ``text/html`` output (rank 50) to ``image/png`` (rank 90), and its HTML sanitizer keeps
``<img alt=… src="data:…">``.  So a figure with alt text displays through ``_repr_mimebundle_`` as
``text/html`` (``<img alt="…">``), ``image/png`` with ``{"alt": …}`` metadata (the key nbconvert
uses for its ``<img alt>``) and ``text/plain`` (the alt text itself, for text-only front ends); the
PNG also carries the text in its standard ``Description`` chunk.  Widget panels put it in the
``ipywidgets.Image`` ``tooltip``, which ipywidgets renders as the ``<img title>`` — the accessible
name when an image has no ``alt``.

    fig, ax = style.subplots(height=3)
    ax.bar(...)
    style.finding(ax, "partition 3 holds 82 % of the records")
    style.labels(ax, x="partition", y="records")
    style.alt(ax, "Bar chart of records per partition: partition 3 holds 82 % of 1,200 records.")
"""
from __future__ import annotations

import base64
import html
import io
import textwrap

# -- colours ---------------------------------------------------------------------------------------------
#: Okabe & Ito's eight colours.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
BLUE, ORANGE, SKY_BLUE, GREEN = OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"], \
    OKABE_ITO["bluish_green"]
YELLOW, VERMILLION, PURPLE, BLACK = OKABE_ITO["yellow"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], \
    OKABE_ITO["black"]
GREY, MID_GREY, LIGHT_GREY, DARK_GREY, INK = "#999999", "#777777", "#DDDDDD", "#555555", "#222222"
#: A highlight that means "this is where it went wrong" (lost writes, an offline partition, aborted).
DANGER = VERMILLION

#: Replica (or broker) roles: the replica grid/graph, the ISR timeline, the offset strip.
ROLE_COLORS = {"leader": BLUE, "in-sync": GREEN, "eligible (ELR)": PURPLE, "out-of-sync": ORANGE,
               "offline": MID_GREY, "fenced": LIGHT_GREY}
#: The second channel for the two greys: an offline replica is solid grey, a fenced broker hatched light grey.
ROLE_HATCH = {"fenced": "///"}
_ROLE_ALIASES = {"in-sync follower": "in-sync", "out-of-sync follower": "out-of-sync", "offline replica": "offline",
                 "stopped": "offline", "eligible": "eligible (ELR)", "elr": "eligible (ELR)"}

#: Transactions: committed, still open, aborted (Kafka's TransactionState names map onto these).
TXN_COLORS = {"committed": GREEN, "open": SKY_BLUE, "aborted": VERMILLION}
_TXN_STATES = {"empty": None, "ongoing": "open", "preparecommit": "committed", "completecommit": "committed",
               "prepareabort": "aborted", "completeabort": "aborted", "prepareepochfence": "aborted",
               "dead": None, "open": "open", "committed": "committed", "aborted": "aborted"}

#: What one write observed (a history op): acknowledged, failed, unknown (timed out), pending — or acknowledged
#: and later lost.  Shape and colour both differ, so the marks read in greyscale too.
OUTCOME_COLORS = {"ok": GREEN, "failed": VERMILLION, "unknown": ORANGE, "pending": GREY, "lost": BLACK}
OUTCOME_MARKERS = {"ok": "^", "failed": "X", "unknown": "D", "pending": "o", "lost": "X"}
OUTCOME_LABELS = {"ok": "acknowledged", "failed": "failed", "unknown": "outcome unknown", "pending": "no answer yet",
                  "lost": "acknowledged, then LOST"}

#: One colour per consumer: Okabe–Ito first (black left out: text sits on the bars), then Paul Tol's
#: "muted" colours for groups of more than seven.
CONSUMER_PALETTE = (BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, YELLOW,
                    "#882255", "#999933", "#44AA99", "#332288", "#AA4499")
#: A partition nobody fetches (a pause), a dead member.
PAUSED_COLOR, DEAD_COLOR = "white", LIGHT_GREY
PAUSED_HATCH = "xxx"

#: Sequential colour map for magnitudes (lag, load): colour-blind safe and monotone in lightness.
SEQUENTIAL_CMAP = "cividis"


def role_color(role: str) -> str:
    return ROLE_COLORS[_ROLE_ALIASES.get(role, role)]


def role_hatch(role: str) -> str | None:
    return ROLE_HATCH.get(_ROLE_ALIASES.get(role, role))


def txn_color(state: str) -> str:
    """Colour of a transaction in ``state`` (``committed``/``open``/``aborted`` or a Kafka TransactionState)."""
    key = _TXN_STATES.get(state.replace("_", "").replace(" ", "").lower())
    return TXN_COLORS[key] if key else GREY


def consumer_colors(names, dead=()) -> dict:
    """``{name: colour}`` in the order given (sort it for stable colours); dead members are grey."""
    return {n: DEAD_COLOR if n in dead else CONSUMER_PALETTE[i % len(CONSUMER_PALETTE)] for i, n in enumerate(names)}


def text_color_on(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(fill))
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.22 else "white"


# -- sizes -----------------------------------------------------------------------------------------------
#: Notebook figures: matplotlib's inline default of 100 dpi; widget panels draw at 90 dpi (faster redraws).
DPI, PANEL_DPI = 100, 90
#: JupyterLab's notebook output area is about 900 px wide with the file browser open; wider PNGs are
#: scaled down to fit, and their text shrinks with them.
MAX_WIDTH_IN = 9.0
DEFAULT_WIDTH_IN = 8.5
TITLE_PT, LABEL_PT, TICK_PT, TEXT_PT = 11, 10, 9, 9
#: The floors ``tests/test_figures.py`` holds every figure to (after any scaling to the notebook width):
#: text at least 9 pt (12.5 px at 100 dpi), markers at least 6 pt across.
MIN_FONT_PT, MIN_MARKER_PT = 9, 6
MARKER_PT = 8


def subplots(nrows: int = 1, ncols: int = 1, width: float = DEFAULT_WIDTH_IN, height: float = 3.0, **kw):
    """``pyplot.subplots`` with the kit's size, dpi and constrained layout (legends outside get room)."""
    import matplotlib.pyplot as plt

    kw.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(width, MAX_WIDTH_IN), height), dpi=DPI, **kw)
    attach(fig)
    return fig, axes


def axes_or_new(ax, width: float = DEFAULT_WIDTH_IN, height: float = 3.0):
    """``ax`` if given, else a fresh one from :func:`subplots`."""
    if ax is not None:
        attach(ax.figure)
        return ax
    return subplots(width=width, height=height)[1]


def tidy(ax, grid: str | None = None) -> None:
    """Tick labels at :data:`TICK_PT`, no top/right frame; ``grid="x"``/``"y"`` draws light grid lines."""
    ax.tick_params(labelsize=TICK_PT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid:
        ax.grid(axis=grid, color=LIGHT_GREY, lw=0.8)
        ax.set_axisbelow(True)


# -- words -----------------------------------------------------------------------------------------------
def _chars_per_line(ax, pt: float) -> int:
    fig = ax.figure
    width_in = ax.get_position().width * fig.get_figwidth()
    return max(20, int(width_in * 72 / (0.56 * pt)))


def wrap(text: str, ax, pt: float = TITLE_PT) -> str:
    """``text`` wrapped to the width of ``ax`` at ``pt`` points."""
    return "\n".join(textwrap.fill(line, _chars_per_line(ax, pt)) for line in text.split("\n"))


def finding(ax, text: str) -> None:
    """The title states what the picture shows (wrapped to the axes' width, left-aligned)."""
    ax.set_title(wrap(text, ax), loc="left", fontsize=TITLE_PT, color=INK)


def labels(ax, x: str | None = None, y: str | None = None) -> None:
    """Axis labels; put the unit in parentheses: ``"scenario time (s)"``, ``"lag (records)"``."""
    if x is not None:
        ax.set_xlabel(x, fontsize=LABEL_PT)
    if y is not None:
        ax.set_ylabel(y, fontsize=LABEL_PT)


def legend(ax, handles=None, labels=None, where: str = "right", title: str | None = None, ncol: int = 1):
    """A legend outside the data: ``"right"`` of the axes (default) or ``"inside"`` (matplotlib's best spot)."""
    kw = {"fontsize": TEXT_PT, "frameon": False, "title": title, "title_fontsize": TEXT_PT, "ncol": ncol}
    if handles is not None:
        kw["handles"] = handles
        if labels is not None:
            kw["labels"] = labels
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kw)
    return ax.legend(loc="best", **kw)


def patch(color: str, label: str, hatch: str | None = None, edge: str | None = None):
    from matplotlib.patches import Patch

    return Patch(facecolor=color, edgecolor=edge or (DARK_GREY if hatch or color in ("white", LIGHT_GREY) else color),
                 hatch=hatch, label=label)


def marker(kind: str, label: str | None = None):
    """A legend handle for a write outcome (``ok``, ``failed``, ``unknown``, ``pending``, ``lost``)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], ls="none", marker=OUTCOME_MARKERS[kind], color=OUTCOME_COLORS[kind], ms=MARKER_PT,
                  markeredgecolor="white" if kind != "lost" else BLACK, label=label or OUTCOME_LABELS[kind])


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


# -- alt text and display --------------------------------------------------------------------------------
_ALT = "_kafkalab_alt"


def alt(target, text: str) -> None:
    """Store the one-sentence description of what ``target`` (an Axes or a Figure) shows."""
    text = " ".join(text.split())
    if not text.endswith((".", "!", "?")):
        text += "."
    setattr(target, _ALT, text)
    attach(target.figure if hasattr(target, "figure") and target.figure is not None else target)


def alt_text(fig) -> str:
    """The figure's alt text: its own, else its axes' descriptions in order ("" when there is none)."""
    own = getattr(fig, _ALT, None)
    if own:
        return own
    return " ".join(t for t in (getattr(ax, _ALT, None) for ax in fig.axes) if t)


def png_bytes(fig, dpi: float | None = None) -> bytes:
    """The figure as PNG, drawn with Agg (no pyplot), with the alt text in the PNG's ``Description`` chunk."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    meta = {"Software": None}
    text = alt_text(fig)
    if text:
        meta["Description"] = text
    fig.savefig(buf, format="png", dpi=dpi or "figure", metadata=meta)
    return buf.getvalue()


def mimebundle(fig) -> tuple[dict, dict]:
    """What a notebook cell shows for ``fig``: ``<img alt>`` as HTML, the PNG, and the alt text as plain text."""
    data = png_bytes(fig)
    b64 = base64.b64encode(data).decode("ascii")
    text = alt_text(fig) or "A figure."
    img = f'<img src="data:image/png;base64,{b64}" alt="{html.escape(text, quote=True)}">'
    return {"text/html": img, "image/png": b64, "text/plain": text}, {"image/png": {"alt": text}}


def attach(fig) -> None:
    """Make ``fig`` display with its alt text when a cell shows it (``plt.show()`` or a bare ``fig``)."""
    if getattr(fig, "_kafkalab_display", False):
        return
    fig._kafkalab_display = True
    fig._repr_mimebundle_ = lambda include=None, exclude=None: mimebundle(fig)
