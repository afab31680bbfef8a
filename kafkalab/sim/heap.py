"""Keep the garbage collector's full collections off the objects that existed before a bounded run.

A notebook kernel with matplotlib, pandas and ipywidgets imported holds ~130,000 objects the cyclic
collector tracks, and the learner's earlier cells add their clusters and traces.  A seeded scenario
(a panel's redraw, a checker's runs, ``group_run``) allocates enough to trigger several full
collections, and each one walked that whole heap again: a quarter to a third of a panel redraw's CPU
time (issue 15).  :func:`frozen_heap` parks the existing objects in the permanent generation for the
duration (``gc.freeze()``) and hands them back afterwards (``gc.unfreeze()``), so nothing stays
uncollectable; objects made during the run are collected as usual.  Both calls splice lists, O(1).

    with frozen_heap():
        run = group_run(4, 8)

Nothing simulated depends on when the collector runs (no finalizers, weak references only to live
clusters), so results and traces are the same with or without it.
"""
from __future__ import annotations

import functools
import gc
from contextlib import contextmanager

_depth = 0  # frozen_heap blocks we are inside
_held_frozen = False  # set by hold_frozen(): the process froze its heap for good (a forked grading kernel)


def hold_frozen() -> None:
    """Say that this process froze its heap itself and keeps it so (``gc.freeze()`` before a fork):
    :func:`frozen_heap` then leaves the heap alone without asking the collector."""
    global _held_frozen
    _held_frozen = True


@contextmanager
def frozen_heap():
    """Freeze the objects that exist now for the ``with`` block; nested use and an app's own freeze are left alone.

    ``gc.get_freeze_count()`` walks the whole permanent generation (CPython's ``gc_list_size``), 14 ms
    with a kernel's heap frozen, so it is asked only when neither a block of ours nor
    :func:`hold_frozen` already says the heap is frozen."""
    global _depth
    if _depth or _held_frozen or gc.get_freeze_count():  # ours, or the application froze the heap itself
        yield
        return
    gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        gc.unfreeze()


def frozen_heap_during(fn):
    """Decorator: run ``fn`` inside :func:`frozen_heap` (for seeded scenario builders like ``group_run``)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with frozen_heap():
            return fn(*args, **kwargs)

    return wrapper
