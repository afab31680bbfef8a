"""ipywidgets panels: controls that re-run a seeded scenario and redraw (never a live cluster)."""
from .panel import Panel, View, figure_png, new_figure

__all__ = ["Panel", "View", "figure_png", "new_figure"]
