"""Keep helper clusters from becoming "the" cluster a learner's bare client connects to.

A client created without ``cluster=`` connects to the newest cluster its ``bootstrap.servers``
names (see :func:`kafkalab.cluster.cluster.cluster_for_servers`).  Checkers, panels and named
scenarios build throwaway clusters of their own; inside :func:`isolated_clusters` those are
forgotten again afterwards, so ``Producer({"bootstrap.servers": "kafka-1:9092"})`` in the next
notebook cell still reaches the learner's own cluster.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager


@contextmanager
def isolated_clusters():
    """Forget the clusters made inside; while inside, full garbage collections skip the objects that
    existed before (:func:`kafkalab.sim.heap.frozen_heap`: a helper run is bounded, the kernel's heap big)."""
    from .cluster import cluster as registry
    from .sim.heap import frozen_heap

    saved, default = list(registry._REGISTRY), list(registry._DEFAULT)
    try:
        with frozen_heap():
            yield
    finally:
        registry._REGISTRY[:] = saved
        registry._DEFAULT[:] = default


def private_clusters(fn):
    """Decorator: clusters that ``fn`` creates do not become the default for bare clients."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with isolated_clusters():
            return fn(*args, **kwargs)

    return wrapper
