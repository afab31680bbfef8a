"""The config-panel pattern: ipywidgets controls → re-run a seeded scenario → redraw.

A :class:`Panel` owns a set of controls and a ``render(**values) -> View`` function.  Every time a
control changes, the panel calls ``render`` with all current values; ``render`` builds a fresh,
seeded scenario (it never mutates a live cluster) and returns a :class:`View`: a matplotlib
``Figure`` (drawn with Agg into an ``ipywidgets.Image``), tables (shown as HTML) and text (shown
preformatted).  Because observers run synchronously outside a kernel too, tests can set
``panel.controls["rf"].value = 2`` and assert on ``panel.view`` at once.

    panel = Panel({"rf": IntSlider(value=3, min=1, max=5)}, render=my_render, title="Replication")
    panel          # in a notebook: shows the controls and the first drawing
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from ..errors import error_text
from ..isolation import isolated_clusters


@dataclass
class View:
    """What one render produced: a figure, named tables, text, and the scenario's own state."""

    figure: Any = None  # matplotlib.figure.Figure
    tables: dict = field(default_factory=dict)  # title -> pandas DataFrame
    text: str = ""
    state: Any = None


def new_figure(width: float = 7.0, height: float = 3.2):
    """A pyplot-free matplotlib Figure (Agg), so panels never leak figures into cell outputs."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=90)
    # A cell ending in ``fig`` shows the picture even before pyplot has been used in the kernel.
    fig._repr_png_ = lambda: figure_png(fig)
    return fig


def figure_png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _html_table(title: str, df) -> str:
    return f"<h4 style='margin:6px 0 2px'>{_escape(title)}</h4>" + df.to_html(index=False, border=0, escape=True)


class Panel:
    """Controls plus a seeded ``render`` function, redrawn on every change."""

    def __init__(self, controls: dict[str, w.ValueWidget], render: Callable[..., View], title: str = "",
                 description: str = ""):
        self.controls = controls
        self.render = render
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
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
        self.widget = w.VBox(header + [w.HBox([w.VBox(list(controls.values())), self.image]),
                                       self.error, self.text, self.tables])
        self.redraw()

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _on_change(self, change) -> None:
        self.redraw()

    def redraw(self) -> View | None:
        """Re-run the scenario with the current values and update the picture, tables and text."""
        try:
            with isolated_clusters():  # the panel's scenario clusters never become the learner's default
                view = self.render(**self.values())
        except Exception as exc:  # a Kafka error from a bad combination is shown, not raised
            from ..errors import KafkaException

            if not isinstance(exc, (KafkaException, ValueError)):
                raise
            self.error.value = f"<pre style='color:#b00'>{type(exc).__name__}: {error_text(exc)}</pre>"
            return None
        self.error.value = ""
        self.view = view
        self.redraws += 1
        if view.figure is not None:
            self.image.value = figure_png(view.figure)
        self.tables.value = "".join(_html_table(t, df) for t, df in view.tables.items())
        self.text.value = f"<pre>{_escape(view.text)}</pre>" if view.text else ""
        return view

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
