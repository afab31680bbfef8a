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
import functools
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

#: Share-group record states (KIP-932): waiting to be handed out, locked by a consumer, done, given up —
#: and records of the log no share consumer has fetched yet.  ARCHIVED is also hatched (greyscale).
SHARE_COLORS = {"AVAILABLE": SKY_BLUE, "ACQUIRED": ORANGE, "ACKNOWLEDGED": GREEN, "ARCHIVED": VERMILLION,
                "not fetched": "white"}
SHARE_HATCH = {"ARCHIVED": "xx"}

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


def natural_key(name: str):
    """Sort key that puts C2 before C10."""
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


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


def figure(width: float = DEFAULT_WIDTH_IN, height: float = 3.0, dpi: float = DPI):
    """A pyplot-free Figure with the kit's size and constrained layout: a cell ending in it shows it once
    (with its alt text), and pyplot never holds it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(min(width, MAX_WIDTH_IN), height), dpi=dpi, layout="constrained")
    attach(fig)
    return fig


def axes_or_new(ax, width: float = DEFAULT_WIDTH_IN, height: float = 3.0, pyplot: bool = True):
    """``ax`` if given, else a fresh one from :func:`subplots` (or, ``pyplot=False``, from :func:`figure`)."""
    if ax is not None:
        attach(ax.figure)
        return ax
    if not pyplot:
        return figure(width, height).add_subplot()
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
def _chars_per_line(target, pt: float) -> int:
    if hasattr(target, "get_position"):  # an Axes: its own width
        width_in = target.get_position().width * target.figure.get_figwidth()
    else:  # a Figure: nearly all of it
        width_in = target.get_figwidth() * 0.95
    return max(20, int(width_in * 72 / (0.56 * pt)))


def wrap(text: str, target, pt: float = TITLE_PT) -> str:
    """``text`` wrapped to the width of ``target`` (an Axes or a Figure) at ``pt`` points."""
    return "\n".join(textwrap.fill(line, _chars_per_line(target, pt)) for line in text.split("\n"))


def suptitle(fig, text: str) -> None:
    """The finding of a figure of several panels, as one left-aligned title over all of them."""
    fig.suptitle(wrap(text, fig), x=0.01, ha="left", fontsize=TITLE_PT, color=INK)


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


@functools.lru_cache(maxsize=4096)
def text_width_pt(text: str, size: float = TEXT_PT) -> float:
    """Width of ``text`` in points at ``size`` (the font matplotlib will use), without drawing it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)
    return max(text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n"))


def axes_size_pt(ax, shrink: float = 0.78) -> tuple[float, float]:
    """A cautious estimate of the axes' drawn width and height in points, before the layout runs
    (constrained layout gives labels and an outside legend their room, so the axes end up smaller)."""
    pos, fig = ax.get_position(), ax.figure
    return pos.width * fig.get_figwidth() * 72 * shrink, pos.height * fig.get_figheight() * 72 * shrink


def data_per_px(ax, x0: float, x1: float) -> float:
    """Data units on the x axis per displayed pixel (for minimum widths of bars and gaps)."""
    width_pt, _ = axes_size_pt(ax)
    return (x1 - x0) / max(1.0, width_pt * ax.figure.dpi / 72)


def event_marks(ax, events, x0: float, x1: float, max_rows: int = 3, color: str = DARK_GREY) -> tuple[float, list]:
    """A dotted line per event (``[(x, label)]``) and its label, horizontal, in rows at the top of ``ax``
    so that no two labels collide.  Returns the fraction of the axes' height the labels take (leave
    that much headroom above the data) and the events that found no room (mention them elsewhere)."""
    width_pt, height_pt = axes_size_pt(ax)
    row_pt, pad_pt = TEXT_PT * 1.5, 6.0
    rows: list[float] = []  # right edge (pt) of the last label in each row
    placed, unplaced = [], []
    for x, label in sorted(events, key=lambda e: e[0]):
        if not x0 <= x <= x1:
            continue
        ax.axvline(x, color=color, ls=":", lw=1.2, zorder=1)
        at = (x - x0) / (x1 - x0) * width_pt
        w = text_width_pt(label) + 4
        left, ha = (at + 3, "left") if at + 3 + w <= width_pt else (at - 3 - w, "right")
        row = next((i for i, right in enumerate(rows) if left >= right + pad_pt), None)
        if row is None and len(rows) < max_rows:
            rows.append(-1e9)
            row = len(rows) - 1
        if row is None or left < 0:
            unplaced.append((x, label))
            continue
        rows[row] = left + w
        placed.append((x, label, row, ha))
    frac = (len(rows) * row_pt + 4) / max(1.0, height_pt)
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    base = blended_transform_factory(ax.transData, ax.transAxes)
    for x, label, row, ha in placed:
        shift = ScaledTranslation((3 if ha == "left" else -3) / 72, -(2 + row * row_pt) / 72, ax.figure.dpi_scale_trans)
        ax.text(x, 1.0, label, transform=base + shift, ha=ha, va="top", fontsize=TEXT_PT, color=INK, zorder=5,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
    return min(frac, 0.6), unplaced


def headroom(lo: float, hi: float, frac: float) -> float:
    """The top of a y range so that ``[lo, hi]`` fills the bottom ``1 - frac`` of the axes."""
    return hi + (hi - lo) * frac / max(0.05, 1 - frac)


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


def settle(fig) -> None:
    """Lay ``fig`` out once (its layout engine, usually constrained layout) and keep that layout.

    Constrained layout runs again on every draw and only settles on its second pass (tick labels depend
    on the axes' size), which costs a widget redraw ~100 ms and makes the first PNG differ from later
    ones.  After :func:`settle` every draw — the PNG, the figure check — shows the same layout.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if getattr(fig, "_kafkalab_settled", False):
        return
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ != "PlaceHolderLayoutEngine":
        engine.execute(fig)
        fig.set_layout_engine("none")
    fig._kafkalab_settled = True


def png_bytes(fig, dpi: float | None = None) -> bytes:
    """The figure as PNG, drawn with Agg (no pyplot), with the alt text in the PNG's ``Description`` chunk."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ._render import release, use_shared_renderer

    buf = io.BytesIO()
    text = alt_text(fig)
    if dpi is not None and dpi != fig.dpi:
        settle(fig)
        meta = {"Software": None}
        if text:
            meta["Description"] = text
        fig.savefig(buf, format="png", dpi=dpi, metadata=meta)
        return buf.getvalue()
    # At the figure's own dpi: one Agg draw, then encode the canvas.  ``savefig`` would draw twice (a
    # dry run first whenever the figure has a layout engine, even the placeholder :func:`settle` leaves),
    # which is most of a widget redraw's picture time.  Same pixels, facecolor and metadata as savefig.
    # Laid out and drawn with the renderer shared by figures of this size (kafkalab.viz._render): the
    # text is measured, shaped and rasterised once, not again for every figure.
    import numpy as np
    from PIL import Image, PngImagePlugin

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    canvas = fig.canvas
    shared = use_shared_renderer(canvas)
    try:
        settle(fig)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        if np.asarray(canvas.buffer_rgba())[:, :, 3].min() == 255:
            image = image.convert("RGB")  # opaque (the kit's figures are): the same pixels in 3/4 of the bytes
    finally:
        if shared:
            release(canvas)
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Description", text)
    # zlib level 1: a third faster to encode than the default 6, and with RGB still smaller than RGBA at 6.
    image.save(buf, format="png", pnginfo=info, dpi=(fig.dpi, fig.dpi), compress_level=1)
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
    # In IPython, publish the bundle ourselves: the inline backend's own PNG formatter would draw the
    # figure a second time (a registered per-type formatter wins over _repr_mimebundle_).
    fig._ipython_display_ = lambda: _publish(fig)


def _publish(fig) -> None:
    from IPython.display import publish_display_data

    data, metadata = mimebundle(fig)
    publish_display_data(data, metadata)
