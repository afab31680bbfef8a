"""A FigureCanvasAgg whose renderer is shared by every panel figure of the same pixel size.

Each redraw of a panel builds a fresh seeded figure (``panel.new_figure``).  With a plain canvas every
figure gets a new ``RendererAgg``, and matplotlib's text-metrics cache — keyed by renderer — starts
empty, so every tick label and title is measured with FreeType again on each redraw.  Panel figures
are drawn one at a time (a redraw lays out, draws and encodes its figure before it returns), so they
can share one renderer per (width, height, dpi) (:mod:`kafkalab.viz._render`, which also remembers
shaped strings and glyph bitmaps): the pixels are the same, the text is measured and rasterised once.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..viz._render import renderer_key, shared_renderer


class SharedRendererCanvas(FigureCanvasAgg):
    def get_renderer(self):
        key = renderer_key(self)
        if self._lastKey != key:
            self.renderer, self._lastKey = shared_renderer(self), key
        return self.renderer
