"""The ground-truth vectors from real Kafka clients, in ``tests/data/oracle`` (see its README).

A module of its own, not conftest.py: test modules import it by name (``from oracle import
load_oracle``), which a second conftest.py in a sub-folder would shadow.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ORACLE = Path(__file__).resolve().parent / "data" / "oracle"


def oracle_path(name: str) -> Path:
    """A file of ``tests/data/oracle``; a missing file fails, never skips."""
    path = ORACLE / name
    if not path.exists():
        pytest.fail(f"oracle file {path} is missing from the checkout")
    return path


def load_oracle(name: str) -> dict:
    return json.loads(oracle_path(name).read_text())
