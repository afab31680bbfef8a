"""Notebook 03's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
import pytest

import kafkalab.exercises.nb03  # noqa: F401  (registers the exercises)
from kafkalab.exercises import ExerciseNotSolved, check, predict, reset, verdict

DURABLE = {"replication.factor": 3, "min.insync.replicas": 2, "acks": "all", "unclean.leader.election.enable": False}


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


def test_fence_time():
    """B3 crashes at 22 s here (the page's run, shown above the exercise, has 5 s)."""
    assert verdict("fence_time", 30.0) is None and verdict("fence_time", 29.5) is None
    hints = distinct_hints("fence_time", [52, 22, 80, "30", 14.0])
    assert "replica.lag.time.max.ms" in hints[0] and "the page's run" in hints[4]


def test_guide_example():
    """A 20 s blip here (the page's timeline, shown above, has 10 s)."""
    right = {"isr_at_40": [1, 2], "isr_at_85": [1], "write_3": "acknowledged"}
    assert verdict("guide_example", right) is None
    assert verdict("guide_example", {**right, "isr_at_40": [2, 1]}) is None  # order does not matter
    hints = distinct_hints("guide_example", [
        {**right, "isr_at_85": [1, 2]},  # the 10 s blip's answer: B2 not fenced yet
        {**right, "write_3": "rejected"},
        {**right, "isr_at_40": [1, 2, 3]},
        {**right, "write_3": "timed out"},
        {**right, "isr_at_85": []},
        ["not", "a", "dict"],
    ])
    assert "fenced it" in hints[0] and "retriable" in hints[1]


def test_elr_default_is_kafka_4_0s():
    """Kafka 4.0: ELR off unless the eligible.leader.replicas.version feature is raised (on by default
    only for clusters created by 4.1+); notebook 03 says so."""
    from kafkalab.cluster.cluster import BROKER_DEFAULTS
    from kafkalab.config import KAFKA_VERSION

    assert KAFKA_VERSION == "4.0" and BROKER_DEFAULTS["eligible.leader.replicas.enable"] is False


def test_predict_hw():
    reset("predict_hw")
    predict("predict_hw", (3, 0, 0))
    check("predict_hw")
    hints = distinct_hints("predict_hw", [(3, 3, 0), (3, 0, 3), (0, 0, 0)])
    assert "smallest LEO over the ISR" in hints[0]


def test_durable_config():
    assert verdict("durable_config", DURABLE) is None
    assert verdict("durable_config", {**DURABLE, "acks": -1 if False else "all"}) is None
    hints = distinct_hints("durable_config", [
        {**DURABLE, "acks": "1"},  # acknowledged before replication
        {**DURABLE, "min.insync.replicas": 3},  # unavailable with one broker down
        {**DURABLE, "unclean.leader.election.enable": True},  # a stale replica may lead
        {**DURABLE, "min.insync.replicas": 1},  # single-copy acknowledgements
        {**DURABLE, "replication.factor": 2},  # one down leaves one copy < min ISR 2
        {"acks": "all"},
    ])
    assert "lost" in hints[0] and "one broker down" in hints[1] and "stale replica" in hints[2]
    assert "1 in-sync copy remains" in hints[4]
    assert "single copy" in hints[3]


def test_diagnose_lost_write():
    right = {"lost": ["c", "a", "b"], "cause": "unclean leader election"}
    assert verdict("diagnose_lost_write", right) is None
    hints = distinct_hints("diagnose_lost_write", [
        {"lost": ["a", "b", "c"], "cause": "acks=1 leader failover"},
        {"lost": ["a"], "cause": "unclean leader election"},
        {"lost": ["a", "b", "c", "d"], "cause": "unclean leader election"},
        {"lost": ["a", "b", "c"], "cause": "gremlins"},
        {"lost": ["a", "b", "c"], "cause": "consumer read past the high watermark"},
    ])
    assert "acks=all" in hints[0]


def test_stubs_are_not_answers():
    for name in ("fence_time", "guide_example", "durable_config", "diagnose_lost_write"):
        with pytest.raises(ExerciseNotSolved):
            check(name, None)


def test_predict_unclean_loss():
    assert verdict("predict_unclean_loss", (3, 0)) is None
    distinct_hints("predict_unclean_loss", [(0, 0), (1, 0), (3, 3), [3, 0]])


def test_predict_elr_leader():
    assert verdict("predict_elr_leader", (2, None)) is None
    distinct_hints("predict_elr_leader", [(2, 2), (3, None), (None, None), 2])
