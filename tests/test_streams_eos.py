"""``processing.guarantee=exactly_once_v2`` on the producer's transactions: crash, restore and fencing
leave the counts exactly what a run without failures gives.

Kafka behaviour checked (apache/kafka ``streams/src/main/java/org/apache/kafka/streams``):

* ``processor/internals/ActiveTaskCreator.producer``: one producer per stream thread with
  ``transactional.id = <application.id>-<processId>-<threadIdx>``.
* ``StreamsConfig``: ``commit.interval.ms`` defaults to 100 under exactly-once; ``PRODUCER_EOS_OVERRIDES``
  (idempotence, ``transaction.timeout.ms=10000``), ``CONSUMER_EOS_OVERRIDES`` (``isolation.level=read_committed``).
* ``processor/internals/StreamsProducer``: ``initTransaction`` once (from ``RecordCollectorImpl.initialize``), a
  transaction begun lazily by the first ``send``, ``commitTransaction(offsets, groupMetadata)`` =
  ``sendOffsetsToTransaction`` + ``commitTransaction``; a fenced commit is a ``TaskMigratedException``
  ("Producer got fenced trying to commit a transaction [stream-thread [...]]; it means all tasks belonging to
  this thread should be migrated.").
* ``StreamThread.handleTaskMigrated`` / ``TaskManager.handleLostAll``: close every task dirty, re-create the
  producer (EOS-v2), unsubscribe and subscribe again.
* A crashed instance's open transaction is aborted by the coordinator after ``transaction.timeout.ms``; the new
  owner restores the changelog ``read_committed`` and reprocesses from the committed offsets.
"""
from __future__ import annotations

from kafkalab import Producer
from kafkalab.ecosystem.streams import Consumed, Materialized, Produced, Serdes, StreamsBuilder
from kafkalab.ecosystem.streams.lab import run_app

S, L = Serdes.String(), Serdes.Long()
EOS = {"processing.guarantee": "exactly_once_v2"}


def key_count():
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(S, S)).group_by_key().count(Materialized.as_("counts")).to_stream()
     .to("counts-out", Produced.with_(S, L)))
    return b.build()


def words(n: int, keys: int = 13):
    return [(f"w{i % keys}", "x", 1000 + i * 100) for i in range(n)]


def expected(ws) -> dict:
    out: dict = {}
    for k, _v, _t in ws:
        out[k] = out.get(k, 0) + 1
    return out


def last_output(run) -> dict:
    """The last count per key on counts-out, as a read_committed reader (librdkafka's default) sees it."""
    return {S.deserialize(None, k): L.deserialize(None, v) for k, v, *_ in run.outputs["counts-out"]}


def run(ws, **kw):
    return run_app(key_count, {"words": ws}, output_serdes={"words": (S, S)}, partitions={"words": 4},
                   time_scale=1.0, seed=1, **kw)


def test_exactly_once_configures_transactional_producers_and_read_committed_consumers():
    r = run(words(40), props=EOS, run_ms=20_000)
    app = r.apps[0]
    assert app.config["commit.interval.ms"] == 100
    th = app.threads[0]
    assert th.transactional_id == f"clicks-app-{app.process_id}-1"
    assert app.config.producer_config("p", th.transactional_id)["transaction.timeout.ms"] == 10_000
    assert app.config.main_consumer_config("g", "c")["isolation.level"] == "read_committed"
    assert r.trace.filter("txn.init_producer_id")
    # every commit is a transaction that ended committed, holding the input offsets
    commits = [e for e in r.trace.filter("streams.commit") if e.fields["ok"]]
    ends = [e for e in r.trace.filter("producer.end_transaction") if e.fields["result"] == "COMMIT"]
    assert commits and len(ends) >= len(commits)
    assert r.store("counts") == expected(words(40)) == last_output(r)


def test_after_a_crash_and_restore_the_counts_are_exactly_those_of_a_run_without_the_crash():
    ws = words(600)
    clean = run(ws, instances=2, props={**EOS, "statestore.cache.max.bytes": 0}, run_ms=200_000)
    crashed = run(ws, instances=2, props={**EOS, "statestore.cache.max.bytes": 0}, crash=0, crash_at_ms=46_500,
                  run_ms=200_000)
    died = crashed.trace.filter("streams.crash")[0].fields
    assert died["delivered_since_commit"] > 0  # A died inside a transaction that had written records
    restored = {e.fields["task"]: e.fields["restored"] for e in crashed.trace.filter("streams.restore_end")}
    assert any(restored[t] > 0 for t in died["tasks"])
    assert crashed.store("counts") == clean.store("counts") == expected(ws)
    assert last_output(crashed) == expected(ws)
    # at-least-once on the same schedule counts some records twice
    alos = run(ws, instances=2, props={"statestore.cache.max.bytes": 0, "commit.interval.ms": 100}, crash=0,
               crash_at_ms=46_500, run_ms=200_000)
    assert sum(alos.store("counts").values()) - len(ws) == \
        alos.trace.filter("streams.crash")[0].fields["changelog_since_commit"]


def test_a_fenced_thread_closes_its_tasks_dirty_rejoins_and_the_counts_stay_exact():
    ws = words(300)
    intruder = {}

    def fence(r):
        th = r.apps[0].threads[0]
        p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": th.transactional_id},
                     cluster=r.apps[0].cluster)
        p.init_transactions()  # bumps the epoch: the thread's producer is fenced
        intruder["p"] = p

    r = run(ws, props=EOS, run_ms=90_000, at={15_000: fence})
    migrated = r.trace.filter("streams.task_migrated")
    assert migrated and "Producer got fenced trying to" in migrated[0].fields["message"]
    assert migrated[0].fields["message"].endswith("; it means all tasks belonging to this thread should be migrated.")
    assert r.apps[0].state().value == "RUNNING"
    assert r.store("counts") == expected(ws) == last_output(r)
