"""Notebook 01's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
import pytest

import kafkalab.exercises.nb01  # noqa: F401  (registers the exercises)
from kafkalab import TopicPartition
from kafkalab.exercises import ExerciseNotSolved, check, verdict
from kafkalab.sizing import size_topic

DAY = 86_400_000
B = "kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic payments --partitions 6 "


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


def test_size_ingest_topic():
    right = {"partitions": 23, "replication_factor": 3, "min_insync_replicas": 2, "retention_ms": 3 * DAY}
    assert verdict("size_ingest_topic", right) is None
    assert verdict("size_ingest_topic", {**right, "partitions": 46}) is None  # 2x headroom is fine
    hints = distinct_hints("size_ingest_topic", [
        {**right, "partitions": 15},  # forgot the growth headroom
        {**right, "replication_factor": 1, "min_insync_replicas": 1},  # one copy
        {**right, "retention_ms": 3},  # days, not ms
        {**right, "partitions": 200},  # "more is better"
        {**right, "min_insync_replicas": 3},  # no availability with a broker down
    ])
    for lone_copy in ({**right, "min_insync_replicas": 1}, {**right, "replication_factor": 2, "min_insync_replicas": 1}):
        assert "durability gate" in verdict("size_ingest_topic", lone_copy)  # issue 11: these passed
    assert "partition count caps" in hints[0]
    assert "23" not in hints[0].split("needs")[0]  # the hint does not give the answer away
    with pytest.raises(ExerciseNotSolved):
        check("size_ingest_topic", None)


def test_session_key():
    assert verdict("session_key", lambda e: e.session_id.encode()) is None
    hints = distinct_hints("session_key", [lambda e: e.user_id.encode(), lambda e: e.event_id.encode()])
    assert "hot key" in hints[0] and "out of order" in hints[1]
    assert verdict("session_key", lambda e: None) is not None
    assert verdict("session_key", lambda e: 42) is not None


def test_survive_broker_loss():
    assert verdict("survive_broker_loss", B + "--replication-factor 3 --config min.insync.replicas=2") is None
    distinct_hints("survive_broker_loss", [
        B + "--replication-factor 3",  # min.insync.replicas=1: acks=all on a single copy
        B + "--replication-factor 1",
        B + "--replication-factor 3 --config min.insync.replicas=3",
        B + "--replication-factor 4",  # refused by kafka-topics.sh on 3 brokers
    ])


def test_predict_fanout():
    assert verdict("predict_fanout", (60, 80)) is None
    distinct_hints("predict_fanout", [
        (40, 120),  # section 2's numbers: not this setup
        (60, 160),  # warehouse's one member reads everything (it has two)
        (53, 80),  # records shared out, not partitions
        (60, 40),  # warehouse split like dashboard
    ])


def _consume_until(c, want):
    out = []
    while len(out) < want:
        got = c.consume(500, timeout=1)
        if not got:
            break
        out += got
    return out


def right_replay(c, tp, n):
    low, high = c.get_watermark_offsets(tp)
    start = max(low, high - n)
    c.seek(TopicPartition(tp.topic, tp.partition, start))
    return _consume_until(c, high - start)


def test_replay_last_n():
    assert verdict("replay_last_n", right_replay) is None

    def from_offset_n(c, tp, n):
        c.seek(TopicPartition(tp.topic, tp.partition, n))
        return _consume_until(c, n)

    def ignores_retention(c, tp, n):
        low, high = c.get_watermark_offsets(tp)
        c.seek(TopicPartition(tp.topic, tp.partition, high - n))
        return _consume_until(c, n)

    def from_the_beginning(c, tp, n):
        c.seek(TopicPartition(tp.topic, tp.partition, -2))  # OFFSET_BEGINNING: everything, not the last n
        return _consume_until(c, 1000)

    def no_seek(c, tp, n):  # the position is at the end already: nothing comes back
        return c.consume(n, timeout=0.5)

    hints = [verdict("replay_last_n", f) for f in (from_offset_n, ignores_retention, from_the_beginning, no_seek)]
    assert all(hints), hints
    assert len(set(hints[:2])) == 2


def test_sizing_arithmetic():
    s = size_topic(100_000, 5_000, growth=1.0, record_bytes=1_000, retention_ms=7 * DAY, replication_factor=3)
    assert (s.partitions, s.min_insync_replicas) == (20, 2)
    assert s.storage_bytes == 100_000 * 1_000 * 7 * 86_400 * 3
    assert size_topic(60_000, 4_000, growth=1.5).partitions == 23
    assert "--partitions 20 --replication-factor 3" in s.cli()
    with pytest.raises(ValueError):
        size_topic(0, 5_000)
