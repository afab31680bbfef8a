"""Transactions in the simulator, checked against Kafka's own rules (sources cited per test)."""
import pytest

from kafkalab import Cluster
from kafkalab.clients import Consumer, Producer
from kafkalab.clients.common import TopicPartition
from kafkalab.clients.producer import JavaProducer
from kafkalab.errors import Err, KafkaException
from kafkalab.txn import ALLOWED, VALID_PREVIOUS, TransactionState, txn_coordinator_for
from kafkalab.txn.records import TXN_TOPIC, decode_txn_record, transaction_partition

S = TransactionState


def cluster(**broker_config):
    c = Cluster(brokers=3, seed=11, broker_config=broker_config or None)
    c.create_topic("out", partitions=1, replication_factor=3)
    c.create_topic("in", partitions=1, replication_factor=3)
    return c


def txn_producer(c, tid="t-1", **conf):
    return Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": tid, **conf}, cluster=c)


def read(c, topic="out", isolation="read_committed", group="reader"):
    r = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group, "isolation.level": isolation,
                  "auto.offset.reset": "earliest"}, cluster=c)
    r.assign([TopicPartition(topic, 0, 0)])
    got = []
    for _ in range(6):
        got += [(m.offset(), m.value()) for m in r.consume(100, timeout=0.5) if m.error() is None]
    r.close()
    return got


def kafka_error(fn):
    with pytest.raises(KafkaException) as ei:
        fn()
    return ei.value.args[0]


def test_state_table_is_kafkas():
    """TransactionMetadata.scala: PrepareCommit's only valid previous state is Ongoing; PrepareAbort's are
    Ongoing and PrepareEpochFence; Empty may follow Empty, CompleteCommit and CompleteAbort."""
    assert VALID_PREVIOUS[S.PREPARE_ABORT] == {S.ONGOING, S.PREPARE_EPOCH_FENCE}
    assert ALLOWED[S.ONGOING] == {S.ONGOING, S.PREPARE_COMMIT, S.PREPARE_ABORT, S.PREPARE_EPOCH_FENCE}
    assert ALLOWED[S.DEAD] == set()
    assert [s.id for s in S] == list(range(8))
    assert [s.label for s in S][:3] == ["Empty", "Ongoing", "PrepareCommit"]


def test_transition_outside_the_table_asserts():
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    m = txn_coordinator_for(c).txns["t-1"]
    with pytest.raises(AssertionError, match="Empty -> PrepareCommit is not allowed"):
        m.transition(S.PREPARE_COMMIT)


def test_coordinator_partition_and_topic_configs():
    """TransactionStateManager.transactionTopicConfigs: compact, uncompressed, min ISR from
    transaction.state.log.min.isr, unclean election off; 50 partitions."""
    c = cluster()
    p = txn_producer(c, "etl-transformer-001")
    p.init_transactions()
    t = c.describe(TXN_TOPIC)
    assert len(t.partitions) == 50
    cfg = c.topic_config(TXN_TOPIC)
    assert (cfg["cleanup.policy"], cfg["compression.type"], cfg["min.insync.replicas"],
            cfg["unclean.leader.election.enable"]) == (["compact"], "uncompressed", 2, False)
    svc = txn_coordinator_for(c)
    assert svc.partition_for("etl-transformer-001") == transaction_partition("etl-transformer-001") == 13
    assert svc.coordinator_broker("etl-transformer-001") == t.partitions[13].leader


def transaction_log(c, tid):
    svc = txn_coordinator_for(c)
    log = c.partition_log(TXN_TOPIC, svc.partition_for(tid))
    return [decode_txn_record(rec[0], rec[1]) for _o, rec, _b in log.records()]


def test_commit_writes_states_and_markers():
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"a", partition=0)
    p.produce("out", b"b", partition=0)
    p.commit_transaction()
    c.run(50)
    states = [(d["state"], d["producer_epoch"], d["partitions"]) for d in transaction_log(c, "t-1")]
    assert states == [("Empty", 0, []), ("Ongoing", 0, ["out-0"]), ("PrepareCommit", 0, ["out-0"]),
                      ("CompleteCommit", 0, [])]
    log = c.partition_log("out", 0)
    assert log.txn_status() == {0: "committed", 1: "committed", 2: "control"}
    assert log.log_end_offset == 3 and log.last_stable_offset == 3


def test_begin_transaction_writes_nothing():
    """begin_transaction is local in both clients: the coordinator hears of the transaction only at the
    first AddPartitionsToTxn (the guide's "status=PREPARED" after begin does not exist)."""
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    before = len(transaction_log(c, "t-1"))
    p.begin_transaction()
    c.run(100)
    assert len(transaction_log(c, "t-1")) == before
    assert txn_coordinator_for(c).txns["t-1"].state == S.EMPTY


def test_open_transaction_holds_back_the_lso():
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"open", partition=0)
    p.flush()
    plain = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    plain.produce("out", b"plain", partition=0)
    plain.flush()
    log = c.partition_log("out", 0)
    assert (log.last_stable_offset, log.high_watermark) == (0, 2)
    assert read(c, isolation="read_committed") == []
    assert read(c, isolation="read_uncommitted", group="u") == [(0, b"open"), (1, b"plain")]
    p.commit_transaction()
    c.run(50)
    assert read(c, isolation="read_committed", group="r2") == [(0, b"open"), (1, b"plain")]


def test_aborted_records_are_skipped_and_markers_never_delivered():
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    for value, commit in ((b"c1", True), (b"a1", False), (b"c2", True)):
        p.begin_transaction()
        p.produce("out", value, partition=0)
        p.flush()
        (p.commit_transaction if commit else p.abort_transaction)()
    c.run(50)
    assert read(c) == [(0, b"c1"), (4, b"c2")]
    assert read(c, isolation="read_uncommitted", group="u") == [(0, b"c1"), (2, b"a1"), (4, b"c2")]
    log = c.partition_log("out", 0)
    assert [(a.first_offset, a.last_offset) for a in log.aborted_txns] == [(2, 3)]


def test_watermarks_follow_isolation_level():
    """librdkafka's ListOffsets carries the consumer's isolation level: 'latest' is the LSO
    for read_committed (rdkafka_request.c, rd_kafka_ListOffsetsRequest)."""
    c = cluster()
    p = txn_producer(c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"x", partition=0)
    p.flush()
    rc = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "a"}, cluster=c)
    ru = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "b", "isolation.level": "read_uncommitted"},
                  cluster=c)
    tp = TopicPartition("out", 0)
    assert rc.get_watermark_offsets(tp) == (0, 0)
    assert ru.get_watermark_offsets(tp) == (0, 1)


def test_zombie_is_fenced_and_its_transaction_aborted():
    """A second init_transactions with the same transactional.id: the coordinator aborts the open
    transaction under epoch+1 (PrepareEpochFence), answers CONCURRENT_TRANSACTIONS, and the retry bumps
    again (prepareInitProducerIdTransit); the zombie's next produce gets INVALID_PRODUCER_EPOCH from the
    partition, which librdkafka raises as fatal _FENCED."""
    c = cluster()
    zombie = txn_producer(c, "etl")
    zombie.init_transactions()
    zombie.begin_transaction()
    zombie.produce("out", b"zombie-1", partition=0)
    zombie.flush()
    fresh = txn_producer(c, "etl")
    fresh.init_transactions()
    assert (fresh.producer_id, fresh.producer_epoch) == (zombie.producer_id, zombie.producer_epoch + 2)
    zombie.produce("out", b"zombie-2", partition=0)
    err = kafka_error(zombie.commit_transaction)
    assert (err.name(), err.fatal(), err.txn_requires_abort()) == ("_FENCED", True, False)
    # librdkafka keeps the failed commit as the call in progress: another call is _CONFLICT
    # (tests/parity/test_txn_parity.py::case_produce_invalid_epoch shows the real client doing so).
    assert kafka_error(zombie.begin_transaction).name() == "_CONFLICT"
    fresh.begin_transaction()
    fresh.produce("out", b"fresh", partition=0)
    fresh.commit_transaction()
    c.run(50)
    assert [v for _o, v in read(c)] == [b"fresh"]
    states = [d["state"] for d in transaction_log(c, "etl")]
    assert states[-6:] == ["PrepareAbort", "CompleteAbort", "Empty", "Ongoing", "PrepareCommit", "CompleteCommit"]


def test_zombie_commit_without_new_partitions_is_fenced_by_the_coordinator():
    c = cluster()
    zombie = txn_producer(c, "etl")
    zombie.init_transactions()
    zombie.begin_transaction()
    zombie.produce("out", b"z", partition=0)
    zombie.flush()
    txn_producer(c, "etl").init_transactions()
    err = kafka_error(zombie.commit_transaction)
    assert (err.name(), err.fatal()) == ("_FENCED", True)
    assert "Failed to end transaction" in err.str()


def test_transaction_timeout_aborts_and_fences():
    """abortTimedOutTransactions runs every transaction.abort.timed.out.transaction.cleanup.interval.ms
    and aborts an Ongoing transaction older than its timeout under a bumped epoch."""
    c = cluster()
    p = txn_producer(c, "slow", **{"transaction.timeout.ms": 5000})
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"late", partition=0)
    p.flush()
    c.run(20_000)
    assert [e.fields["transactional_id"] for e in c.trace.filter("txn.timeout")] == ["slow"]
    assert txn_coordinator_for(c).txns["slow"].state == S.COMPLETE_ABORT
    err = kafka_error(p.commit_transaction)
    assert (err.name(), err.fatal()) == ("_FENCED", True)
    assert read(c) == []


def test_transaction_max_timeout_is_enforced_at_init():
    c = cluster(**{"transaction.max.timeout.ms": 60000})
    p = txn_producer(c, "long", **{"transaction.timeout.ms": 120000})
    err = kafka_error(p.init_transactions)
    assert (err.name(), err.fatal()) == ("INVALID_TRANSACTION_TIMEOUT", True)


def test_offsets_count_only_when_the_transaction_commits():
    c = cluster()
    from kafkalab.groups.coordinator import coordinator_for

    cons = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "etl"}, cluster=c)
    p = txn_producer(c)
    p.init_transactions()
    for commit, off in ((False, 5), (True, 7)):
        p.begin_transaction()
        p.produce("out", b"x", partition=0)
        p.send_offsets_to_transaction([TopicPartition("in", 0, off)], cons.consumer_group_metadata())
        (p.commit_transaction if commit else p.abort_transaction)()
        c.run(50)
        expect = {("in", 0): (7, "", -1)} if commit else {}
        assert coordinator_for(c).committed_offsets("etl") == expect


def test_librdkafka_keeps_its_epoch_java_tv2_bumps_it():
    """KIP-890 / Kafka 4.0 docs (operations/transaction-protocol): with transaction.version=2 a 4.x Java
    producer's epoch is bumped on every transaction; librdkafka sends EndTxn v0-1 (rd_kafka_EndTxnRequest),
    so the coordinator keeps its epoch."""
    def epochs(make):
        c = cluster()
        p = make(c)
        p.init_transactions()
        seen = []
        for _ in range(3):
            p.begin_transaction()
            p.produce("out", b"x", partition=0)
            p.commit_transaction()
            seen.append(p.producer_epoch)
        c.run(50)
        return seen, [d["producer_epoch"] for d in transaction_log(c, "e") if d["state"] == "CompleteCommit"]

    assert epochs(lambda c: txn_producer(c, "e")) == ([0, 0, 0], [0, 0, 0])
    java = lambda c: JavaProducer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "e"}, cluster=c)
    assert epochs(java) == ([1, 2, 3], [1, 2, 3])


def test_java_on_a_tv0_cluster_keeps_its_epoch():
    c = Cluster(brokers=3, seed=3, broker_config={"transaction.version": 0})
    c.create_topic("out", partitions=1, replication_factor=3)
    p = JavaProducer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "e"}, cluster=c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"x", partition=0)
    p.commit_transaction()
    assert p.producer_epoch == 0


def test_coordinator_failover_mid_transaction():
    """A new coordinator loads __transaction_state and carries on (TransactionStateManager
    .loadTransactionsForTxnTopicPartition); the producer finds it again after NOT_COORDINATOR."""
    c = cluster()
    p = txn_producer(c, "f")
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"before", partition=0)
    p.flush()
    old = txn_coordinator_for(c).coordinator_broker("f")
    c.crash_broker(old)
    c.run(15_000)
    assert txn_coordinator_for(c).coordinator_broker("f") not in (old, -1)
    p.produce("out", b"after", partition=0)
    p.commit_transaction()
    c.run(100)
    assert [v for _o, v in read(c)] == [b"before", b"after"]
    assert c.trace.filter("txn.coordinator_load")


def test_same_seed_same_trace():
    def run():
        c = cluster()
        p = txn_producer(c)
        p.init_transactions()
        for i in range(3):
            p.begin_transaction()
            p.produce("out", str(i).encode(), partition=0)
            (p.commit_transaction if i % 2 == 0 else p.abort_transaction)()
        c.run(100)
        return c.trace.digest()

    assert run() == run()


def test_consumer_group_metadata_after_joining():
    from kafkalab.clients.consumer import parse_group_metadata

    c = cluster()
    cons = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g"}, cluster=c)
    cons.subscribe(["in"])
    for _ in range(10):
        cons.poll(0.5)
    gm = parse_group_metadata(cons.consumer_group_metadata())
    assert gm["group_id"] == "g" and gm["generation_id"] >= 1 and gm["member_id"] == cons.memberid()


def test_injected_errors_are_consumed_once():
    c = cluster()
    c.push_request_errors("EndTxn", Err.CONCURRENT_TRANSACTIONS)
    p = txn_producer(c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("out", b"x", partition=0)
    p.commit_transaction()
    assert c.injected_errors == {"EndTxn": []}
    assert [e.fields["error"] for e in c.trace.filter("producer.txn_retry")] == ["CONCURRENT_TRANSACTIONS"]
