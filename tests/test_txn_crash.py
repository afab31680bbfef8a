"""Crash the consume-transform-produce loop anywhere: with transactions the output holds every input
exactly once; without them the same crashes duplicate records (so the check is not vacuous)."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafkalab import Cluster
from kafkalab.checks import History, HistoryRecorder, eos_anomalies, find_anomalies
from kafkalab.clients import Consumer, Producer
from kafkalab.clients.common import TopicPartition
from kafkalab.txn_lab import CRASH_POINTS, enrich, eos_pipeline

crash_plans = st.dictionaries(st.integers(1, 8), st.sampled_from(CRASH_POINTS), min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=crash_plans, seed=st.integers(0, 2**16))
def test_transactions_give_exactly_once_under_any_crashes(plan, seed):
    run = eos_pipeline(crashes=plan, seed=seed)
    assert run.anomalies == [], (plan, seed, run.crashes, run.step_errors)
    assert sorted(json.loads(v)["n"] for _o, v in run.output) == list(range(12))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(point=st.sampled_from(["before_commit", "zombie"]), at=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_without_transactions_the_same_crashes_duplicate(point, at, seed):
    run = eos_pipeline(crashes={at: point}, seed=seed, transactional=False)
    kinds = {a["kind"] for a in run.anomalies}
    assert kinds == {"duplicate"}, (point, at, seed, run.anomalies)


def test_crash_points_all_fire():
    for point in CRASH_POINTS:
        run = eos_pipeline(crashes={2: point}, seed=1)
        assert [c[1] for c in run.crashes] == [point]
        assert run.anomalies == []


def test_zombie_is_fenced_in_the_pipeline():
    run = eos_pipeline(crashes={2: "zombie"}, seed=3)
    assert [e for _i, e in run.step_errors] == ["_FENCED"]


def test_aborted_records_are_visible_to_read_uncommitted_only():
    run = eos_pipeline(crashes={2: "before_commit"}, seed=5)
    assert len(run.output_uncommitted) > len(run.output) == 12


def test_eos_anomalies_rows():
    rows = eos_anomalies([b"a", b"b", b"c"], [b"a", b"a", b"x"])
    assert [(r["kind"], r["value"]) for r in rows] == [("duplicate", "a"), ("lost", "b"), ("lost", "c"),
                                                      ("unexpected", "x")]
    assert eos_anomalies([b"1"], [b"1!"], transform=lambda v: v + b"!") == []
    assert enrich(b'{"n": 1}') == b'{"n": 1, "enriched": true}'


def _open_and_aborted_cluster():
    c = Cluster(brokers=3, seed=2)
    c.create_topic("out", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "t"}, cluster=c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"aborted", partition=0)
    p.flush()
    p.abort_transaction()
    p.begin_transaction()
    p.produce("out", b"open", partition=0)
    p.flush()
    c.run(50)
    return c


def test_checker_flags_aborted_reads_and_reads_past_the_lso():
    c = _open_and_aborted_cluster()
    log = c.partition_log("out", 0)
    assert log.txn_status() == {0: "aborted", 1: "control", 2: "open"}
    h = History(lambda: c.now)
    op = h.invoke("buggy-reader", "poll")
    h.ok(op, records=[(0, 0, None, b"aborted"), (0, 2, None, b"open")], topic="out", isolation="read_committed",
         lso={0: log.last_stable_offset})
    kinds = [r["kind"] for r in find_anomalies(h, c, "out") if r["kind"] in ("aborted_read", "read_past_lso")]
    assert kinds == ["aborted_read", "read_past_lso"]


def test_checker_passes_a_real_read_committed_consumer():
    c = _open_and_aborted_cluster()
    rec = HistoryRecorder(c)
    r = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "r"}, cluster=c)
    r.assign([TopicPartition("out", 0, 0)])
    for _ in range(4):
        rec.poll(r, timeout=0.5)
    assert [o.result["records"] for o in rec.history.ops if o.result.get("records")] == []
    kinds = [x["kind"] for x in find_anomalies(rec.history, c, "out")]
    assert "aborted_read" not in kinds and "read_past_lso" not in kinds
    ru = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "u", "isolation.level": "read_uncommitted"},
                  cluster=c)
    ru.assign([TopicPartition("out", 0, 0)])
    assert [m.value() for m in ru.consume(10, timeout=1.0)] == [b"aborted", b"open"]
