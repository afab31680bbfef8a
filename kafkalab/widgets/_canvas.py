"""A FigureCanvasAgg whose renderer is shared by every panel figure of the same pixel size.

Each redraw of a panel builds a fresh seeded figure (``panel.new_figure``).  With a plain canvas every
figure gets a new ``RendererAgg``, and matplotlib's text-metrics cache — keyed by renderer — starts
empty, so every tick label and title is measured with FreeType again on each redraw.  Panel figures
are drawn one at a time (a redraw lays out, draws and encodes its figure before it returns), so they
can share one renderer per (width, height, dpi): the pixels are the same, the text is measured once.
"""
from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

_RENDERERS: dict = {}
_MAX = 16  # distinct panel sizes kept (a panel's height follows a slider, e.g. the group lab's partitions)


class SharedRendererCanvas(FigureCanvasAgg):
    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if self._lastKey != key:
            renderer = _RENDERERS.pop(key, None)
            if renderer is None:
                renderer = RendererAgg(w, h, self.figure.dpi)
            _RENDERERS[key] = renderer  # most recently used last
            while len(_RENDERERS) > _MAX:
                _RENDERERS.pop(next(iter(_RENDERERS)))
            self.renderer, self._lastKey = renderer, key
        return self.renderer
