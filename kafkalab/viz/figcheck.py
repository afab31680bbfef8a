"""Is this figure readable?  Geometric checks on a drawn matplotlib Figure.

:func:`problems` draws the figure with Agg and returns one sentence per problem found (empty: none):

* **alt text** — the figure carries a description (:func:`kafkalab.viz.style.alt`);
* **width** — at most :data:`~kafkalab.viz.style.MAX_WIDTH_IN` at 100 dpi, else the browser scales it
  (and its text) down; the floors below are applied after that scaling;
* **text** — every visible text (titles, axis labels, tick labels, legend entries, annotations) is at
  least :data:`~kafkalab.viz.style.MIN_FONT_PT` (at widget dpi), no two overlap, none sticks out of the
  figure, and none is cut by the clip box it is drawn in;
* **marks** — markers at least :data:`~kafkalab.viz.style.MIN_MARKER_PT` across and not cut in half
  by the axes edge; in a row of horizontal bars (a timeline) no bar and no gap narrower than 2 px;
* **words** — every axes with data has a title (or the figure a suptitle), an axis with numeric
  ticks has a label, and when fills of two or more colours carry meaning there is a legend, a
  colour bar or a direct label per colour.

``tests/test_figures.py`` runs it on every renderer's samples (:mod:`kafkalab.viz.gallery`).
"""
from __future__ import annotations

import itertools
import re

from . import style
from .style import plural

MIN_FONT_PX = style.MIN_FONT_PT * style.PANEL_DPI / 72
MIN_MARKER_PX = style.MIN_MARKER_PT * style.PANEL_DPI / 72
MIN_BAR_PX = 2.0
_NUMBER = re.compile(r"^[\s−\-+]*[\d.,]+\s*(%|[kKMG])?$")


def display_scale(fig) -> float:
    """How much the notebook shrinks the PNG: 1 unless it is wider than the output area."""
    width_px = fig.get_figwidth() * fig.dpi
    return min(1.0, style.MAX_WIDTH_IN * style.DPI / width_px)


def _texts(fig):
    """Every visible, non-empty text artist of the figure, with a short description of where it is."""
    out = []

    def add(t, place, role):
        if t is None or not t.get_visible() or not t.get_text().strip() or t.get_alpha() == 0 or \
                any(t is seen for seen, _, _ in out):
            return
        out.append((t, place, role))

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        name = _axes_name(ax)
        for loc, t in (("title", ax.title), ("left title", ax._left_title), ("right title", ax._right_title)):
            add(t, name, loc)
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible() or not ax.axison:
                continue
            add(axis.label, name, f"{letter} label")
            add(axis.offsetText, name, f"{letter} offset")
            for tick in _drawn_ticks(axis):
                for lab in (tick.label1, tick.label2):
                    if lab.get_visible():
                        add(lab, name, f"{letter} tick")
        for t in ax.texts:
            add(t, name, "text")
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            add(leg.get_title(), name, "legend title")
            for t in leg.get_texts():
                add(t, name, "legend")
    if getattr(fig, "_suptitle", None) is not None:
        add(fig._suptitle, "figure", "suptitle")
    for t in fig.texts:
        add(t, "figure", "text")
    for leg in fig.legends:
        add(leg.get_title(), "figure", "legend title")
        for t in leg.get_texts():
            add(t, "figure", "legend")
    return out


def _drawn_ticks(axis):
    try:
        return axis._update_ticks()  # the ticks inside the view interval: the ones actually drawn
    except AttributeError:  # pragma: no cover - older matplotlib
        return axis.get_major_ticks() + axis.get_minor_ticks()


def _axes_name(ax) -> str:
    t = (ax.get_title("left") or ax.get_title() or ax.get_title("right")).split("\n")[0]
    return f"axes {t[:40]!r}" if t else f"axes #{ax.figure.axes.index(ax)}"


def _inside(box, outer, tol: float) -> bool:
    return box.x0 >= outer.x0 - tol and box.x1 <= outer.x1 + tol and box.y0 >= outer.y0 - tol and \
        box.y1 <= outer.y1 + tol


def _overlap(a, b) -> tuple[float, float]:
    return min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)


def _show(t) -> str:
    s = " ".join(t.get_text().split())
    return repr(s if len(s) <= 30 else s[:28] + "…")


def problems(fig, tolerance_px: float = 1.0) -> list[str]:
    """Draw ``fig`` (Agg) and return what makes it hard to read, one sentence each."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    style.settle(fig)  # the layout the PNG will have
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    scale = display_scale(fig)
    px = fig.dpi / 72 * scale
    out: list[str] = []

    alt = style.alt_text(fig)
    if len(alt) < 20:
        out.append(f"no alt text: describe the figure in one sentence with style.alt() (got {alt!r})")
    if scale < 1:
        out.append(f"figure is {fig.get_figwidth():.1f} in wide at {fig.dpi:g} dpi: the notebook scales it to "
                   f"{scale:.0%} (at most {style.MAX_WIDTH_IN:g} in at {style.DPI} dpi)")

    fig_box = fig.bbox
    # an annotation's own extent includes its arrow: measure the text alone
    texts = [(t, place, role, Text.get_window_extent(t, renderer)) for t, place, role in _texts(fig)]
    small: dict = {}  # place -> [(displayed px, role, text)]
    for t, place, role, box in texts:
        size = t.get_fontsize() * px
        if size < MIN_FONT_PX - 1e-6:
            small.setdefault(place, []).append((size, role, t))
        if not _inside(box, fig_box, tolerance_px):
            out.append(f"{place}: {role} {_show(t)} is cut off at the figure's edge")
        elif t.get_clip_on() and t.get_clip_box() is not None and not _inside(box, t.get_clip_box(), tolerance_px):
            out.append(f"{place}: {role} {_show(t)} is clipped by its axes")
    for place, items in small.items():
        size, role, t = min(items, key=lambda x: x[0])
        out.append(f"{place}: {plural(len(items), 'text')} below the {style.MIN_FONT_PT} pt floor "
                   f"({MIN_FONT_PX:.1f} px displayed); smallest: {role} {_show(t)} at {t.get_fontsize():g} pt "
                   f"({size:.1f} px)")
    order = sorted(range(len(texts)), key=lambda i: texts[i][3].x0)
    for n, i in enumerate(order):
        ti, pi, ri, bi = texts[i]
        for j in order[n + 1:]:
            tj, pj, rj, bj = texts[j]
            if bj.x0 >= bi.x1 - tolerance_px:
                break
            dx, dy = _overlap(bi, bj)
            if dx > tolerance_px and dy > tolerance_px:
                where = pi if pi == pj else f"{pi} / {pj}"
                out.append(f"{where}: {ri} {_show(ti)} overlaps {rj} {_show(tj)} ({dx:.0f}×{dy:.0f} px)")

    for leg in [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends):
        lbox = leg.get_window_extent(renderer)
        if not _inside(lbox, fig_box, tolerance_px):
            out.append("a legend sticks out of the figure")
        own = {id(t) for t in leg.get_texts()} | {id(leg.get_title())}
        for t, place, role, box in texts:
            dx, dy = _overlap(box, lbox)
            if id(t) not in own and dx > tolerance_px and dy > tolerance_px:
                out.append(f"{place}: {role} {_show(t)} runs into a legend ({dx:.0f}×{dy:.0f} px)")

    for ax in fig.axes:
        if ax.get_visible():
            out += _marks(ax, renderer, px, tolerance_px, texts)
    out += _words(fig)
    return list(dict.fromkeys(out))  # one message per kind of problem and place, in order


def _marks(ax, renderer, px: float, tol: float, texts=None) -> list[str]:
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    out = []
    name = _axes_name(ax)
    box = ax.get_window_extent(renderer)
    lines = list(ax.get_lines())
    leg = ax.get_legend()
    legend_lines = list(leg.get_lines()) if leg is not None else []
    tiny = []
    for line in lines + legend_lines:
        m = line.get_marker()
        if not line.get_visible() or m in (None, "", " ", "None", "none") or line.get_markersize() == 0:
            continue
        size = line.get_markersize() * px
        if size < MIN_MARKER_PX - 1e-6:
            tiny.append((size, "legend marker" if line in legend_lines else f"marker {m!r}", line))
        if line in legend_lines or not line.get_clip_on():
            continue
        xy = line.get_transform().transform(line.get_xydata()) if len(line.get_xydata()) else []
        r = size / 2
        cut = sum(1 for x, y in xy if x < box.x0 + r - tol or x > box.x1 - r + tol or y < box.y0 + r - tol
                  or y > box.y1 - r + tol)
        if cut:
            out.append(f"{name}: {plural(cut, 'marker')} {m!r} cut by the axes edge")
    if tiny:
        size, what, line = min(tiny, key=lambda x: x[0])
        out.append(f"{name}: {plural(len(tiny), 'marker line')} below the {style.MIN_MARKER_PT} pt floor, the "
                   f"smallest {what} at {line.get_markersize():g} pt ({size:.1f} px)")
    points = []  # every data marker's centre on screen: one hidden exactly under another is a lost point
    for line in lines:
        if line.get_visible() and line.get_marker() not in (None, "", " ", "None", "none") and len(line.get_xydata()):
            points += [(round(x), round(y)) for x, y in line.get_transform().transform(line.get_xydata())]
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible() and len(coll.get_sizes()):
            size = min(coll.get_sizes()) ** 0.5 * px
            if size < MIN_MARKER_PX - 1e-6:
                out.append(f"{name}: scatter markers are {size:.1f} px across, below the {style.MIN_MARKER_PT} pt floor")
            points += [(round(x), round(y)) for x, y in coll.get_offset_transform().transform(coll.get_offsets())]
    if texts is not None:  # a label drawn over a data point hides it (a node's own label, centred on it, does not)
        inner = [(t, role, b) for t, p, role, b in texts if p == name and role in ("text", "legend") and t.axes is ax]

        def covers(b, x, y) -> bool:
            centred = abs(x - (b.x0 + b.x1) / 2) < 0.25 * b.width and abs(y - (b.y0 + b.y1) / 2) < 0.5 * b.height
            return b.x0 + 1 < x < b.x1 - 1 and b.y0 + 1 < y < b.y1 - 1 and not centred

        for x, y in set(points):
            hit = next(((t, role) for t, role, b in inner if covers(b, x, y)), None)
            if hit is not None:
                out.append(f"{name}: {hit[1]} {_show(hit[0])} is drawn over a data marker")
                break
    hidden = len(points) - len(set(points))
    if hidden:
        out.append(f"{name}: {hidden} of {len(points)} points are drawn exactly on top of another one and cannot "
                   f"be seen")
    rows: dict = {}
    for p in ax.patches:
        if not isinstance(p, Rectangle) or not p.get_visible() or p.get_width() == 0 or p.get_height() == 0:
            continue
        b = p.get_window_extent(renderer)
        if b.height < 4 or b.x1 < box.x0 or b.x0 > box.x1:
            continue
        rows.setdefault((round(b.y0), round(b.height)), []).append(b)
    for bars in rows.values():
        if len(bars) < 2:
            continue
        bars.sort(key=lambda b: b.x0)
        for b in bars:
            w = min(b.x1, box.x1) - max(b.x0, box.x0)
            if 0 < w < MIN_BAR_PX:
                out.append(f"{name}: a timeline bar is {w:.1f} px wide, too thin to see")
        for a, b in itertools.pairwise(bars):
            gap = b.x0 - a.x1
            if 0.05 < gap < MIN_BAR_PX:
                out.append(f"{name}: a {gap:.1f} px gap between two bars is a hairline nobody sees")
    return out


def _has_data(ax) -> bool:
    return bool(ax.patches or ax.lines or ax.collections or ax.images or ax.texts)


def _words(fig) -> list[str]:
    out = []
    suptitle = getattr(fig, "_suptitle", None)
    has_suptitle = suptitle is not None and suptitle.get_text().strip()
    legends = bool(fig.legends) or any(ax.get_legend() is not None for ax in fig.axes)
    colorbar = any(getattr(ax, "_colorbar", None) is not None for ax in fig.axes)
    for ax in fig.axes:
        if not ax.get_visible() or getattr(ax, "_colorbar", None) is not None or not _has_data(ax):
            continue
        name = _axes_name(ax)
        if not has_suptitle and not any(ax.get_title(loc).strip() for loc in ("left", "center", "right")):
            out.append(f"{name} has no title: say what the picture shows with style.finding()")
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible() or not ax.axison:
                continue
            numeric = [t.label1.get_text() for t in _drawn_ticks(axis)
                       if t.label1.get_visible() and _NUMBER.match(t.label1.get_text() or "")]
            if numeric and not axis.get_label_text().strip():
                out.append(f"{name}: the {letter} axis has numbers but no label (name it, with its unit)")
        fills = set()
        for p in ax.patches:
            fc = p.get_facecolor()
            if p.get_visible() and p.get_fill() and fc[3] > 0 and fc[:3] not in ((1.0, 1.0, 1.0),):
                fills.add(tuple(round(c, 3) for c in fc[:3]))
        labelled = len([t for t in ax.texts if t.get_text().strip()]) >= len(fills)  # direct labels, one per colour
        if len(fills) >= 2 and not legends and not colorbar and not labelled:
            out.append(f"{name}: {len(fills)} fill colours carry meaning but the figure has no legend")
    return out
