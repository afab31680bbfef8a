"""The config-panel pattern: ipywidgets controls → re-run a seeded scenario → redraw.

A :class:`Panel` owns a set of controls and a ``render(**values) -> View`` function.  Every time a
control changes, the panel calls ``render`` with all current values; ``render`` builds a fresh,
seeded scenario (it never mutates a live cluster) and returns a :class:`View`: a matplotlib
``Figure`` (drawn with Agg into an ``ipywidgets.Image`` whose tooltip — the ``<img title>`` — is
the figure's alt text), tables (shown as left-aligned HTML) and text (shown preformatted).  Because observers run synchronously outside a kernel too, tests can set
``panel.controls["rf"].value = 2`` and assert on ``panel.view`` at once.

    panel = Panel({"rf": IntSlider(value=3, min=1, max=5)}, render=my_render, title="Replication")
    panel          # in a notebook: shows the controls and the first drawing
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
import traitlets

from ..errors import error_text
from ..isolation import isolated_clusters
from ..sim.heap import frozen_heap


@dataclass
class View:
    """What one render produced: a figure, named tables, text, and the scenario's own state."""

    figure: Any = None  # matplotlib.figure.Figure
    tables: dict = field(default_factory=dict)  # title -> pandas DataFrame
    text: str = ""
    state: Any = None


def new_figure(width: float = 7.5, height: float = 3.2):
    """A pyplot-free matplotlib Figure (Agg, constrained layout, the kit's panel dpi), so panels never
    leak figures into cell outputs.  A cell ending in ``fig`` shows it with its alt text."""
    from matplotlib.figure import Figure

    from ..viz import style
    from ._canvas import SharedRendererCanvas

    fig = Figure(figsize=(min(width, style.MAX_WIDTH_IN), height), dpi=style.PANEL_DPI, layout="constrained")
    SharedRendererCanvas(fig)  # text measured once per panel size, not on every redraw
    style.attach(fig)
    fig._repr_png_ = lambda: figure_png(fig)
    return fig


def figure_png(fig) -> bytes:
    """The figure as PNG bytes (its alt text in the PNG's Description chunk)."""
    from ..viz import style

    return style.png_bytes(fig)


def _html_table(title: str, df) -> str:
    from ..viz.tables import html_table

    return f"<h4 style='margin:6px 0 2px'>{_escape(title)}</h4>" + html_table(df, index=False)


class AltImage(w.Image):
    """An ``ipywidgets.Image`` whose ``tooltip`` becomes the ``<img title>``: the picture's accessible name
    (an image without ``alt``).  ipywidgets 8.1's view sets the title only when the widget's
    ``description`` is empty, and reads that description without checking that it exists; Image has
    none, so setting a tooltip on a plain Image breaks its view.  This one has an empty description."""

    description = traitlets.Unicode("").tag(sync=True)


class Panel:
    """Controls plus a seeded ``render`` function, redrawn on every change."""

    #: Finished redraws kept per panel, by control values: ``render`` is a seeded replay, so the same
    #: values give the same picture, tables and text (``tests/test_widgets.py`` checks it), and a
    #: slider dragged back to a value it showed a moment ago redraws at once.  0 turns it off.
    cache_size = 16

    def __init__(self, controls: dict[str, w.ValueWidget], render: Callable[..., View], title: str = "",
                 description: str = ""):
        self.controls = controls
        self.render = render
        self._cache: dict = {}  # values key -> (view, png, alt text, tables html, text html)
        self.image = AltImage(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.tables = w.HTML()
        self.text = w.HTML()
        self.error = w.HTML()
        self.view: View | None = None
        self.redraws = 0
        for c in controls.values():
            c.observe(self._on_change, names="value")
            c.style = {"description_width": "initial"}
        header = [w.HTML(f"<b>{title}</b>" + (f"<br><small>{description}</small>" if description else ""))] \
            if title or description else []
        # Controls in a wrapping row above the picture: the picture gets the output area's full width,
        # so its text stays at the size the figure check measured.
        box = w.Box(list(controls.values()), layout=w.Layout(display="flex", flex_flow="row wrap",
                                                             grid_gap="2px 16px"))
        self.widget = w.VBox(header + [box, self.image, self.error, self.text, self.tables])
        self.redraw()

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _on_change(self, change) -> None:
        self.redraw()

    def redraw(self) -> View | None:
        """Re-run the scenario with the current values and update the picture, tables and text."""
        values = self.values()
        key = _cache_key(values) if self.cache_size else None
        hit = self._cache.pop(key, None) if key is not None else None
        if hit is not None:
            self._cache[key] = hit  # most recently used last
            self._show(*hit)
            return hit[0]
        try:
            with isolated_clusters():  # the scenario's clusters never become the default (and the old heap is frozen)
                view = self.render(**values)
        except Exception as exc:  # a Kafka error from a bad combination is shown, not raised
            from ..errors import KafkaException

            if not isinstance(exc, (KafkaException, ValueError)):
                raise
            self.error.value = f"<pre style='color:#b00'>{type(exc).__name__}: {error_text(exc)}</pre>"
            return None
        png = alt = None
        if view.figure is not None:
            from ..viz import style

            with frozen_heap():  # kafkalab.sim.heap: full collections skip the kernel's old objects
                png = figure_png(view.figure)
            alt = style.alt_text(view.figure) or None
        shown = (view, png, alt, "".join(_html_table(t, df) for t, df in view.tables.items()),
                 f"<pre>{_escape(view.text)}</pre>" if view.text else "")
        if key is not None:
            self._cache[key] = shown
            while len(self._cache) > self.cache_size:
                self._cache.pop(next(iter(self._cache)))
        self._show(*shown)
        return view

    def _show(self, view: View, png, alt, tables: str, text: str) -> None:
        self.error.value = ""
        self.view = view
        self.redraws += 1
        if png is not None:
            self.image.value = png
            # ipywidgets renders the tooltip as the <img title>: the accessible name of an image with no alt
            self.image.tooltip = alt
        self.tables.value = tables
        self.text.value = text

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _cache_key(values: dict):
    """A hashable key of the control values, or None when one is not hashable (then no caching)."""
    try:
        key = tuple(sorted(values.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
