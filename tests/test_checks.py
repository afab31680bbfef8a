"""The history checker: one hand-made history per anomaly kind, the recorder, and the DataFrame shape."""
import pytest

from kafkalab import Cluster, TopicPartition
from kafkalab.checks import ANOMALY_COLUMNS, History, HistoryRecorder, check, committed_records, find_anomalies
from kafkalab.clients.common import OFFSET_BEGINNING


def sent(h, process, key, value, partition=0, offset=None, outcome="ok", error=None):
    op = h.invoke(process, "send", (key, value))
    if outcome == "ok":
        h.ok(op, topic="t", partition=partition, offset=offset)
    elif outcome == "fail":
        h.fail(op, error or "NOT_ENOUGH_REPLICAS")
    else:
        h.info(op, error or "_MSG_TIMED_OUT")
    return op


def kinds(df):
    return sorted(df["kind"])


def test_a_clean_history_has_no_anomalies_and_counts_ops():
    h = History()
    sent(h, "p", b"k", b"a", offset=0)
    sent(h, "p", b"k", b"b", offset=1)
    sent(h, "p", b"k", b"c", outcome="fail")
    df = check(h, final={0: [(0, b"k", b"a"), (1, b"k", b"b")]})
    assert list(df.columns) == ANOMALY_COLUMNS and df.empty
    assert (df.attrs["acknowledged"], df.attrs["failed"], df.attrs["lost"]) == (2, 1, 0)


def test_lost_acknowledged_write_is_reported_with_an_explanation():
    h = History()
    sent(h, "p", b"k", b"a", offset=0)
    sent(h, "p", b"k", b"b", offset=1)
    df = check(h, final={0: [(0, b"k", b"a")]})
    assert kinds(df) == ["lost"] and df.loc[0, "value"] == "b" and df.loc[0, "offset"] == 1
    assert "committed log ends before it" in df.loc[0, "explanation"]


def test_lost_when_another_record_took_the_offset():
    h = History()
    sent(h, "p", b"k", b"a", offset=0)
    df = check(h, final={0: [(0, b"k", b"z")]})
    assert kinds(df) == ["lost"] and "now holds 'z'" in df.loc[0, "explanation"]


def test_unknown_outcome_missing_is_not_a_loss_but_present_is_fine():
    h = History()
    sent(h, "p", b"k", b"a", outcome="info")
    sent(h, "p", b"k", b"b", outcome="info")
    assert check(h, final={0: [(0, b"k", b"b")]}).empty


def test_duplicates():
    h = History()
    sent(h, "p", b"k", b"a", offset=0)
    df = check(h, final={0: [(0, b"k", b"a"), (1, b"k", b"a")]})
    assert kinds(df) == ["duplicate"] and "2 times" in df.loc[0, "explanation"]


def test_reordered_within_a_key_of_one_producer():
    h = History()
    sent(h, "p", b"k", b"a", offset=1)
    sent(h, "p", b"k", b"b", offset=0)
    sent(h, "q", b"k", b"c", offset=2)  # another producer: no order promised between p and q
    df = check(h, final={0: [(0, b"k", b"b"), (1, b"k", b"a"), (2, b"k", b"c")]})
    assert kinds(df) == ["reordered"] and df.loc[0, "value"] == "b"


def test_uncommitted_read_and_read_of_a_failed_write():
    h = History()
    sent(h, "p", b"k", b"a", offset=0)
    sent(h, "p", b"k", b"x", outcome="fail")
    r = h.invoke("c", "poll")
    h.ok(r, records=[(0, 0, b"k", b"a"), (0, 1, b"k", b"ghost"), (0, 2, b"k", b"x")])
    df = check(h, final={0: [(0, b"k", b"a")]})
    assert kinds(df) == ["uncommitted_read", "uncommitted_read"]
    assert "later truncated" in df.loc[0, "explanation"] and "send failed" in df.loc[1, "explanation"]


def test_offsets_going_backwards_unless_the_consumer_seeked():
    h = History()
    for v, o in ((b"a", 0), (b"b", 1)):
        sent(h, "p", b"k", v, offset=o)
    final = {0: [(0, b"k", b"a"), (1, b"k", b"b")]}
    r1, r2 = h.invoke("c", "poll"), None
    h.ok(r1, records=[(0, 0, b"k", b"a"), (0, 1, b"k", b"b")])
    r2 = h.invoke("c", "poll")
    h.ok(r2, records=[(0, 0, b"k", b"a")])
    assert kinds(check(h, final=final)) == ["offset_backwards"]
    h2 = History()
    for v, o in ((b"a", 0), (b"b", 1)):
        sent(h2, "p", b"k", v, offset=o)
    r = h2.invoke("c", "poll")
    h2.ok(r, records=[(0, 0, b"k", b"a"), (0, 1, b"k", b"b")])
    s = h2.invoke("c", "seek", (0, 0))
    h2.ok(s)
    r = h2.invoke("c", "poll")
    h2.ok(r, records=[(0, 0, b"k", b"a")])
    assert check(h2, final=final).empty


def test_history_rejects_double_completion_and_renders_a_frame():
    h = History()
    op = h.invoke("p", "send", (b"k", b"v"))
    h.ok(op, topic="t", partition=0, offset=0)
    with pytest.raises(ValueError):
        h.fail(op, "x")
    df = h.to_frame()
    assert list(df.columns[:6]) == ["id", "process", "f", "key", "value", "type"] and df.loc[0, "value"] == "v"


def test_recorder_records_real_produce_and_poll_and_the_final_logs_agree():
    c = Cluster(brokers=3, seed=1)
    c.create_topic("t", partitions=2, replication_factor=3, config={"min.insync.replicas": 2})
    rec = HistoryRecorder(c)
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "all"})
    for i in range(10):
        rec.send(p, "t", f"k{i % 3}", f"v{i}")
    p.flush()
    cons = c.consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g"})
    cons.assign([TopicPartition("t", 0, OFFSET_BEGINNING), TopicPartition("t", 1, OFFSET_BEGINNING)])
    rec.poll(cons, timeout=1)
    h = rec.history
    assert h.counts() == {"poll:ok": 1, "send:ok": 10}
    assert sum(len(v) for v in committed_records(c, "t").values()) == 10
    assert check(h, c, "t").empty
    assert all(o.complete_ms >= o.invoke_ms >= 0 for o in h.ops)


def test_recorder_classifies_failures_definite_or_unknown():
    c = Cluster(brokers=3, seed=2)
    c.create_topic("t", replica_assignment=[[1, 2, 3]], config={"min.insync.replicas": 2})
    c.crash_broker(2)
    c.crash_broker(3)
    c.run(15_000)
    rec = HistoryRecorder(c)
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "retries": 0})
    rec.send(p, "t", "k", "refused")
    q = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "message.timeout.ms": 3000})
    rec.send(q, "t", "k", "timed-out")
    p.flush()
    q.flush()
    ops = rec.history.sends()
    assert [(o.type, o.error) for o in ops] == [("fail", "NOT_ENOUGH_REPLICAS"), ("info", "_MSG_TIMED_OUT")]
    assert find_anomalies(rec.history, c, "t") == []
