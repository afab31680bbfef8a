"""ipywidgets panels: controls that re-run a seeded scenario and redraw (never a live cluster)."""
import importlib
import inspect
import pkgutil

from .panel import Panel, View, figure_png, new_figure

__all__ = ["Panel", "View", "figure_png", "new_figure", "panel_factories"]


def panel_factories() -> list[tuple[str, object]]:
    """Every public ``kafkalab.widgets.*`` function that builds a :class:`Panel` with no arguments.

    A function annotated ``-> Panel`` is taken; an unannotated one is called and taken if it
    returns a Panel.  Tests and the redraw benchmark use this, so a new panel is covered at once.
    """
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, fn in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            sig = inspect.signature(fn)
            if any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in sig.parameters.values()):
                continue
            returns = sig.return_annotation
            if returns in (Panel, "Panel") or (returns is sig.empty and isinstance(fn(), Panel)):
                found.append((f"{module.__name__}.{name}", fn))
    return found
