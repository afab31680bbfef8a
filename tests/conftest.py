"""Shared fixtures: where the ground-truth vectors from real Kafka clients live."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def oracle_path(name: str) -> Path:
    """A file of ``../shared/oracle`` (or ``$KAFKALAB_ORACLE_DIR``); a missing file fails, never skips."""
    base = Path(os.environ.get("KAFKALAB_ORACLE_DIR", REPO.parent / "shared" / "oracle"))
    path = base / name
    if not path.exists():
        pytest.fail(f"oracle file {path} is missing: the tests need ../shared/oracle beside the checkout")
    return path


def load_oracle(name: str) -> dict:
    return json.loads(oracle_path(name).read_text())


@pytest.fixture(scope="session")
def oracle():
    """``oracle("kafka-java-murmur2.json")`` -> the parsed file."""
    return load_oracle
