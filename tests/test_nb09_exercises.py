"""Notebook 09's checkers: the right answer passes; at least three typical wrong answers fail, each saying why.

The cheat-sheet exercises run the learner's configuration through :mod:`kafkalab.capstone`; the exam questions
compute their truth from seeded runs of the earlier notebooks' labs (the reveal cells run the same functions).
"""
from __future__ import annotations

import pytest

from kafkalab.exercises import ExerciseNotSolved, check, nb09, predict, reset, verdict

DURABLE = {"replication.factor": 3, "min.insync.replicas": 2, "acks": "all", "unclean.leader.election.enable": False}
WAREHOUSE = {"tool": "connect", "insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id",
             "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq"}

CASES = {
    "cs_ordering_key": ({"key": "session_id", "partitions": 12}, [
        {"key": None, "partitions": 12}, {"key": "event_id", "partitions": 12}, {"key": "user_id", "partitions": 12},
        {"key": "session_id", "partitions": 1}, {"key": "session_id"}, "session_id"]),
    "cs_durability": (DURABLE, [
        {**DURABLE, "acks": "1"}, {**DURABLE, "min.insync.replicas": 1}, {**DURABLE, "unclean.leader.election.enable": True},
        {**DURABLE, "replication.factor": 2}, {"acks": "all"}]),
    "cs_safe_retries": ({"enable.idempotence": True}, [
        {"enable.idempotence": False}, {"enable.idempotence": False, "max.in.flight.requests.per.connection": 1},
        {"enable.idempotence": False, "retries": 0}, {"enable.idempotence": True, "acks": "1"}]),
    "cs_throughput": ({"linger.ms": 20, "batch.size": 131072, "compression.type": "zstd"}, [
        {}, {"linger.ms": 0}, {"linger.ms": 20, "batch.size": 131072},
        {"linger.ms": 20, "batch.size": 131072, "compression.type": "zstd", "acks": "1"}]),
    "cs_at_least_once": ({"enable.auto.commit": False, "commit": "after_write"}, [
        {"enable.auto.commit": True, "commit": "never"}, {"enable.auto.commit": False, "commit": "before_write"},
        {"enable.auto.commit": True, "commit": "after_write"}, {"enable.auto.commit": False, "commit": "never"}]),
    "cs_exactly_once": ({"enable.idempotence": True, "transactional.id": "etl-1", "isolation.level": "read_committed"}, [
        {"enable.idempotence": True, "isolation.level": "read_committed"},
        {"enable.idempotence": True, "transactional.id": "etl-1", "isolation.level": "read_uncommitted"},
        {"enable.idempotence": False, "isolation.level": "read_uncommitted"}, {"transactional.id": "etl-1"}]),
    "cs_warehouse": (WAREHOUSE, [
        {"tool": "custom"}, {"tool": "connect"},
        {"tool": "connect", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq"},
        {**WAREHOUSE, "errors.deadletterqueue.topic.name": ""}]),
    "cs_windowed": ({"engine": "kafka-streams", "grace_min": 3}, [
        {"engine": "kafka-streams", "grace_min": 0}, {"engine": "kafka-streams", "grace_min": 2},
        {"engine": "flink", "grace_min": 5}, {"engine": "kafka-streams", "grace_min": 30}]),
    "exam_diagnose_loss": ({"lost": ["a1"], "cause": "acks=1 leader failover"}, [
        {"lost": ["a1"], "cause": "unclean leader election"}, {"lost": [], "cause": "acks=1 leader failover"},
        {"lost": ["a1"], "cause": "producer retry without idempotence"}, {"lost": ["a1"], "cause": "bad luck"}]),
    "exam_diagnose_loader": ("auto-commit before the write finished", [
        "commit before the write", "a failed write not retried", "a rebalance", "auto-commit"]),
    "exam_eos_boundary": ("the sink's write", ["transactional.id", "isolation.level", "enable.idempotence", "Kafka"]),
    "exam_grace": (3, [0, 1, 20, 60, -1, "3"]),
}

PREDICTIONS = {
    "exam_fanout": (nb09.fanout_actual, (40, 120), [(30, 120), (40, 60), (120, 120), 40]),
    "exam_key_partition": (nb09.key_partition_actual, (4, 1), [(1, 4), (4, 4), (1, 1), (0, 0)]),
    "exam_isr_error": (nb09.isr_error_actual, ("NOT_ENOUGH_REPLICAS", "_MSG_TIMED_OUT"), [
        ("NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS"), ("NOT_LEADER_OR_FOLLOWER", "_MSG_TIMED_OUT"),
        (None, None), ("NOT_ENOUGH_REPLICAS", None)]),
    "exam_retry_count": (nb09.retry_log_actual, 11, [8, 9, 16, 10]),
    "exam_idle_consumers": (nb09.idle_actual, 2, [0, 6, 8]),
    "exam_rebalance_moves": (nb09.moves_actual, (2, 3), [(8, 8), (2, 2), (0, 3), (2, 8)]),
    "exam_lso": (nb09.lso_actual, [0, 1], [[0, 1, 4], [0, 1, 2], [0, 1, 2, 3, 4], [0, 1, 3, 4], []]),
    "exam_compat": (nb09.compat_actual, {"add email with a default": True, "add email without a default": False,
                                         "remove name": True}, [
        {"add email with a default": True, "add email without a default": True, "remove name": True},
        {"add email with a default": True, "add email without a default": False, "remove name": False},
        {"add email with a default": False, "add email without a default": False, "remove name": False},
        {"add email": True}]),
    "exam_hopping": (nb09.hopping_actual, 5, [1, 10, 2, 4]),
}


@pytest.fixture(autouse=True)
def fresh():
    reset()
    yield
    reset()


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answer_passes_and_typical_wrong_answers_fail(name, capsys):
    right, wrong = CASES[name]
    assert verdict(name, right) is None
    check(name, right)
    assert f"✓ {name}: correct" in capsys.readouterr().out
    said = [verdict(name, w) for w in wrong]
    assert len(wrong) >= 3 and all(said), dict(zip(map(str, wrong), said))
    with pytest.raises(ExerciseNotSolved):
        check(name, wrong[0])


@pytest.mark.parametrize("name", sorted(PREDICTIONS))
def test_predictions_are_computed_and_wrong_guesses_fail(name):
    actual, right, wrong = PREDICTIONS[name]
    assert actual() == right  # the reveal cell shows what the simulator computes
    assert verdict(name, right) is None
    said = [verdict(name, w) for w in wrong]
    assert len(wrong) >= 3 and all(said), said
    predict(name, wrong[0])
    with pytest.raises(ExerciseNotSolved):
        check(name)


def test_typical_wrong_answers_get_their_own_explanations():
    assert "swapped" in verdict("exam_key_partition", (1, 4))
    assert "retriable" in verdict("exam_isr_error", ("NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS"))
    assert "clean election" in verdict("exam_diagnose_loss", {"lost": ["a1"], "cause": "unclean leader election"})
    assert "stored twice" in verdict("cs_safe_retries", {"enable.idempotence": False})
    assert "dropped" in verdict("cs_windowed", {"engine": "kafka-streams", "grace_min": 0})
    assert "not simulated" in verdict("cs_windowed", {"engine": "flink", "grace_min": 5})


def test_the_exam_covers_every_notebook_and_has_at_least_twelve_questions():
    from kafkalab.exercises import names

    exam = [n for n in names() if n.startswith("exam_")]
    assert len(exam) >= 12
    assert set(exam) == {n for n in {**CASES, **PREDICTIONS} if n.startswith("exam_")}
    # 01 fanout, 02 key, 03 ISR + diagnosis, 04 retries, 05 groups + loader, 06 LSO + boundary, 07 compat, 08 windows
    by_notebook = {"01": ["exam_fanout"], "02": ["exam_key_partition"], "03": ["exam_isr_error", "exam_diagnose_loss"],
                   "04": ["exam_retry_count"], "05": ["exam_idle_consumers", "exam_rebalance_moves",
                                                       "exam_diagnose_loader"],
                   "06": ["exam_lso", "exam_eos_boundary"], "07": ["exam_compat"], "08": ["exam_hopping", "exam_grace"]}
    assert sorted(n for ns in by_notebook.values() for n in ns) == sorted(exam)
