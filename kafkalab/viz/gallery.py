"""Every figure renderer with a seeded sample input: the figure check and the gallery draw them all.

A *figure renderer* is a public function of a ``kafkalab.viz`` module that takes ``ax`` or ``axes``;
a widget panel's ``render_*`` function draws one too (pass ``kafkalab.widgets`` to include them: viz
itself never imports the layer above it).  Each one registers at least one sample next
to its definition::

    @sample(isr_timeline, "small")
    def _isr_small():
        return isr_timeline(replication.isr_shrink_example())

A sample builds a seeded scenario and returns what the renderer returned (Axes, a list of Axes, a
Figure or a widget ``View``).  ``size`` is ``"small"`` (a few partitions, one fault) or ``"large"``
(the data a learner can reach with the sliders: many partitions, consumers, events).
``tests/test_figures.py`` fails for a renderer without a sample, so a renderer added later is
covered as soon as it exists; ``notebooks/00_kit_gallery.py`` draws one sample of each.

    import kafkalab.widgets
    for s in samples(kafkalab.widgets):
        fig = draw(s)
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

SIZES = ("small", "large")


@dataclass(frozen=True)
class Sample:
    renderer: str  # "kafkalab.viz.replication.isr_timeline"
    size: str
    build: Callable[[], object]
    caption: str = ""

    @property
    def name(self) -> str:
        return f"{self.renderer.rsplit('.', 1)[-1]}[{self.size}]"


_SAMPLES: dict[tuple[str, str], Sample] = {}


def qualname(fn) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def sample(renderer: Callable, size: str = "small", caption: str = ""):
    """Register the decorated zero-argument function as ``renderer``'s sample at ``size``."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")

    def register(build: Callable[[], object]) -> Callable[[], object]:
        key = (qualname(renderer), size)
        _SAMPLES[key] = Sample(key[0], size, build, caption or (build.__doc__ or "").strip().split("\n")[0])
        return build

    return register


#: Modules of ``kafkalab.viz`` that hold drawing helpers, not renderers.
HELPER_MODULES = ("style", "figcheck", "gallery")


def _modules(packages):
    from .. import viz

    mods = []
    for pkg in (viz, *packages):
        for info in pkgutil.iter_modules(pkg.__path__):
            if pkg is viz and info.name in HELPER_MODULES:
                continue
            mods.append(importlib.import_module(f"{pkg.__name__}.{info.name}"))
    return mods


def figure_renderers(*packages) -> list[tuple[str, Callable]]:
    """Public functions of ``kafkalab.viz.*`` (and of the modules of ``packages``, e.g. ``kafkalab.widgets``)
    that take ``ax``/``axes`` or are named ``render_*`` (a panel's render function)."""
    found = {}
    for mod in _modules(packages):
        for name, fn in vars(mod).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != mod.__name__:
                continue
            params = inspect.signature(fn).parameters
            if "ax" in params or "axes" in params or name.startswith("render_"):
                found[qualname(fn)] = fn
    return sorted(found.items())


def samples(*packages, size: str | None = None) -> list[Sample]:
    """Every registered sample (the modules of ``kafkalab.viz`` and of ``packages`` imported first), sorted by
    renderer and size."""
    _modules(packages)
    out = sorted(_SAMPLES.values(), key=lambda s: (s.renderer, SIZES.index(s.size)))
    return [s for s in out if size is None or s.size == size]


def figure_of(result):
    """The Figure behind what a renderer returned: Axes, a list of Axes, a Figure or a widget View."""
    if hasattr(result, "figure") and not hasattr(result, "axes"):  # a View
        return result.figure
    if isinstance(result, (list, tuple)):
        return result[0].figure
    if hasattr(result, "get_figure") and hasattr(result, "figure") and result.figure is not None:
        return result.figure  # Axes
    return result


def draw(s: Sample):
    """Build the sample on fresh private clusters and return its Figure."""
    from ..isolation import isolated_clusters

    with isolated_clusters():
        return figure_of(s.build())
