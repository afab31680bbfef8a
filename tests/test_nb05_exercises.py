"""Notebook 05's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
import json

import pytest

from kafkalab.exercises import ExerciseNotSolved, check, nb05, verdict
from kafkalab.group_lab import SinkDown


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


def polled(consumer):
    return [m for m in consumer.consume(100, timeout=1.0) if m.error() is None]


def process_then_commit(consumer, warehouse):
    msgs = polled(consumer)
    if not msgs:
        return
    while True:
        try:
            warehouse.write(msgs)
            break
        except SinkDown:
            continue
    consumer.commit(asynchronous=False)


def commit_then_process(consumer, warehouse):
    msgs = polled(consumer)
    if msgs:
        consumer.commit(asynchronous=False)
        warehouse.write(msgs)


def skip_failed_writes(consumer, warehouse):
    msgs = polled(consumer)
    if not msgs:
        return
    try:
        warehouse.write(msgs)
    except SinkDown:
        pass
    consumer.commit(asynchronous=False)


def write_only(consumer, warehouse):
    msgs = polled(consumer)
    if msgs:
        warehouse.write(msgs)


def test_predict_after_crash():
    right = {"C1": [0, 1, 5], "C3": [2, 6, 7], "C4": [3, 8], "C5": [4, 9]}
    assert verdict("predict_after_crash", right) is None
    hints = distinct_hints("predict_after_crash", [
        {"C1": [0, 1, 2], "C3": [3, 4, 5], "C4": [6, 7], "C5": [8, 9]},  # range's answer
        {"C1": [0, 5], "C2": [1, 6], "C3": [2, 7], "C4": [3, 8], "C5": [4, 9]},  # C2 still there
        {"C1": [0, 1, 5, 6], "C3": [2, 7], "C4": [3, 8], "C5": [4, 9]},  # unbalanced
        {"C1": [0, 1, 5], "C3": [2, 6, 7], "C4": [3, 4], "C5": [8, 9]},  # survivors shuffled
    ])
    assert "range" in hints[0]
    with pytest.raises(ExerciseNotSolved):
        check("predict_after_crash", None)


def test_predict_paused_partitions():
    assert verdict("predict_paused_partitions", (12, 2)) is None
    distinct_hints("predict_paused_partitions", [(2, 2), (12, 12), (12, 0)])


def test_at_least_once_loader():
    off = {"enable.auto.commit": False}
    assert verdict("at_least_once_loader", {"config": off, "step": process_then_commit}) is None
    hints = distinct_hints("at_least_once_loader", [
        {"config": off, "step": commit_then_process},
        {"config": off, "step": skip_failed_writes},
        {"config": {}, "step": write_only},  # auto-commit does it for me?
        {"config": off, "step": write_only},  # never commits
    ])
    assert "before the warehouse had them" in hints[0] and "auto-commit" in hints[2]
    assert verdict("at_least_once_loader", None) is not None


def test_idempotent_upsert():
    def upsert(table, value):
        row = json.loads(value)
        table[row["order_id"]] = row

    def append(table, value):
        table[len(table)] = json.loads(value)

    def keep_first(table, value):
        row = json.loads(value)
        table.setdefault(row["order_id"], row)

    assert verdict("idempotent_upsert", upsert) is None
    distinct_hints("idempotent_upsert", [append, keep_first, lambda table, value: None])


def test_survive_slow_batches():
    assert verdict("survive_slow_batches", {"max.poll.interval.ms": 480_000}) is None
    hints = distinct_hints("survive_slow_batches", [
        {"session.timeout.ms": 600_000},  # the wrong timer (and librdkafka refuses it)
        {"heartbeat.interval.ms": 1000},
        {"max.poll.interval.ms": 350_000},
        {"max.poll.interval.ms": 86_400_000},
    ])
    assert "max.poll.interval.ms" in hints[0] and "poll() calls" in hints[1]


def test_slow_batches_reports_what_the_client_reports():
    out = nb05.slow_batches({})
    assert out["kicked"] >= 1 and "_MAX_POLL_EXCEEDED" in out["errors"]
    assert "UNKNOWN_MEMBER_ID" in out["commit_errors"] and out["lost"]
