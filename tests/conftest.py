"""Shared fixtures: the ground-truth vectors from real Kafka clients, in ``tests/data/oracle``."""
from __future__ import annotations

from pathlib import Path

import pytest
from oracle import load_oracle

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def oracle():
    """``oracle("kafka-java-murmur2.json")`` -> the parsed file."""
    return load_oracle


def pytest_addoption(parser) -> None:
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.txt from this run (review the diff before committing)")


def pytest_collection_modifyitems(items) -> None:
    """Slow tests (the notebooks under nbval, long simulations) first: pytest-xdist hands tests out in
    this order, so the longest ones start at once instead of finishing last on one core."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: two workers per core. Many tests wait in real time rather than compute — librdkafka's
    mock cluster and tansu answering the real client, notebook kernels starting — so a second worker per
    core keeps the cores busy while the first waits (on 2 cores: 233 s instead of 281 s without nbval)."""
    import os

    return 2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
