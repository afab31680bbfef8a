"""Shared fixtures: the ground-truth vectors from real Kafka clients, in ``tests/data/oracle``."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ORACLE = Path(__file__).resolve().parent / "data" / "oracle"


def oracle_path(name: str) -> Path:
    """A file of ``tests/data/oracle`` (see its README); a missing file fails, never skips."""
    path = ORACLE / name
    if not path.exists():
        pytest.fail(f"oracle file {path} is missing from the checkout")
    return path


def load_oracle(name: str) -> dict:
    return json.loads(oracle_path(name).read_text())


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
