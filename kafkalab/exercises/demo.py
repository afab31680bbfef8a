"""Exercises of ``notebooks/00_kit_demo.py``: the pattern later notebooks follow, no simulator needed.

A cluster hosts ``DEMO_TOPICS`` (partitions per topic), each partition replicated
``DEMO_REPLICATION_FACTOR`` times (``replication.factor``).
"""
from __future__ import annotations

from kafkalab.exercises.core import Prediction, exercise

DEMO_TOPICS = {"orders": 3, "payments": 6, "audit": 1}
DEMO_REPLICATION_FACTOR = 3


@exercise(
    "demo_partition_count",
    hints=["A topic is split into partitions; replicas are copies of a partition, not more partitions.",
           "Add up the partition count of every topic; the replication factor plays no part."],
    solution="sum(DEMO_TOPICS.values()) == 10: 3 + 6 + 1 partitions. Replication makes 30 replicas of them, "
             "but each partition is still one ordered log with one leader.",
    why="replicas are copies of a partition, not extra partitions",
)
def demo_partition_count(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, int):
        return f"answer with a whole number of partitions, not a {type(answer).__name__}"
    partitions = sum(DEMO_TOPICS.values())
    if answer == partitions:
        return None
    if answer == partitions * DEMO_REPLICATION_FACTOR:
        return "that counts replicas: each copy of a partition is a replica, the partition is still one"
    if answer == len(DEMO_TOPICS):
        return "that counts topics: each topic holds several partitions"
    return "add up the partitions of every topic"


@exercise(
    "demo_replica_count",
    hints=["Every partition is stored replication.factor times, on different brokers."],
    solution="10 partitions × replication.factor 3 = 30 replicas: one leader and two followers per partition.",
)
@Prediction
def demo_replica_count() -> int:
    """The true value; a real exercise would run a seeded scenario here and count what it finds."""
    return sum(DEMO_TOPICS.values()) * DEMO_REPLICATION_FACTOR
