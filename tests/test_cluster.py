"""The cluster end to end: topics, replication, failover, retention, determinism, bad input."""
import pytest

import kafkalab
from kafkalab import Cluster, Consumer, KafkaException, Producer, TopicPartition
from kafkalab.clients.common import OFFSET_BEGINNING
from kafkalab.errors import (InvalidConfigurationException, InvalidPartitionsException,
                             InvalidReplicationFactorException, InvalidTopicException, RecordTooLargeException,
                             TopicExistsException, UnknownTopicOrPartitionException)
from kafkalab.partitioners import partition_for_key


def produce_all(cluster, topic, records, conf=None):
    results = []
    p = Producer({"bootstrap.servers": "kafka-1:9092", **(conf or {})}, cluster=cluster)
    for k, v in records:
        p.produce(topic, key=k, value=v, on_delivery=lambda err, msg: results.append((err, msg)))
    assert p.flush() == 0
    return results


def read_all(cluster, topic, partition):
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "reader"}, cluster=cluster)
    c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
    out = []
    while True:
        msgs = c.consume(500, timeout=0.5)
        if not msgs:
            return out
        out += msgs


def snapshot(cluster):
    """What must not change when a request is rejected."""
    return (len(cluster.controller.log), cluster.topics(),
            {b: sorted(x.logs) for b, x in cluster.brokers.items()})


@pytest.fixture
def cluster():
    c = Cluster(brokers=3, seed=42)
    c.create_topic("orders", partitions=12, replication_factor=3, config={"min.insync.replicas": 2})
    return c


def test_brokers_register_unfence_and_every_partition_gets_a_leader(cluster):
    image = cluster.controller.image
    assert image.live_brokers() == [1, 2, 3]
    t = cluster.describe("orders")
    assert len(t.partitions) == 12 and t.replication_factor == 3
    for p in t.partitions:
        assert p.leader == p.replicas[0] and sorted(p.isr) == [1, 2, 3]
    leaders = [p.leader for p in t.partitions]
    assert max(leaders.count(b) for b in (1, 2, 3)) - min(leaders.count(b) for b in (1, 2, 3)) <= 1
    types = [r.type for r in cluster.controller.log]
    assert types.count("PartitionRecord") == 12 and "TopicRecord" in types and "ConfigRecord" in types


def test_keyed_records_land_where_the_partitioner_says_in_produce_order(cluster):
    res = produce_all(cluster, "orders", [(b"42", f'{{"status":"{s}"}}'.encode()) for s in ("placed", "paid", "shipped")],
                      {"partitioner": "murmur2_random"})
    want = partition_for_key(b"42", 12, "murmur2_random")
    assert [(e, m.partition(), m.offset()) for e, m in res] == [(None, want, 0), (None, want, 1), (None, want, 2)]
    msgs = read_all(cluster, "orders", want)
    assert [m.value() for m in msgs] == [b'{"status":"placed"}', b'{"status":"paid"}', b'{"status":"shipped"}']


def test_librdkafka_default_partitioner_is_crc32_not_murmur2(cluster):
    res = produce_all(cluster, "orders", [(b"42", b"x")])
    assert res[0][1].partition() == partition_for_key(b"42", 12, "consistent_random")


def test_every_replica_gets_every_acked_record_and_hw_equals_leo(cluster):
    produce_all(cluster, "orders", [(f"k{i}".encode(), b"v") for i in range(300)], {"acks": "all"})
    cluster.run(1000)
    for p in cluster.describe("orders").partitions:
        leos = {b: cluster.brokers[b].logs[("orders", p.partition)].log_end_offset for b in p.replicas}
        assert len(set(leos.values())) == 1
        assert cluster.partition_log("orders", p.partition).high_watermark == leos[p.leader]


def test_leader_crash_moves_leadership_within_the_isr_and_restart_rejoins(cluster):
    produce_all(cluster, "orders", [(b"k", b"v")] * 5, {"acks": "all", "partitioner": "murmur2_random"})
    part = partition_for_key(b"k", 12, "murmur2_random")
    old = cluster.describe("orders").partitions[part].copy()
    cluster.crash_broker(old.leader)
    cluster.run(15000)  # > broker.session.timeout.ms
    new = cluster.describe("orders").partitions[part]
    assert new.leader != old.leader and new.leader in old.isr
    assert old.leader not in new.isr and new.leader_epoch == old.leader_epoch + 1
    assert len(read_all(cluster, "orders", part)) == 5  # nothing acknowledged was lost
    cluster.restart_broker(old.leader)
    cluster.run(10000)
    assert sorted(cluster.describe("orders").partitions[part].isr) == [1, 2, 3]
    cluster.elect_preferred_leaders("orders")
    assert cluster.describe("orders").partitions[part].leader == old.leader


def test_acks_all_is_rejected_with_not_enough_replicas_when_isr_below_min(cluster):
    cluster.crash_broker(2)
    cluster.crash_broker(3)
    cluster.run(15000)
    errs = []
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "message.timeout.ms": 5000}, cluster=cluster)
    for part in range(12):
        p.produce("orders", value=b"x", partition=part, on_delivery=lambda e, m: errs.append(e))
    p.flush()
    names = {e.name() for e in errs if e is not None}
    assert "_MSG_TIMED_OUT" in names or "NOT_ENOUGH_REPLICAS" in names
    kinds = {e.fields.get("error") for e in cluster.trace.filter("produce.reject")}
    assert kinds == {"NOT_ENOUGH_REPLICAS"}


def test_retention_deletes_old_segments_as_virtual_time_passes():
    c = Cluster(brokers=1, seed=3)
    c.create_topic("events", partitions=1, replication_factor=1,
                   config={"retention.ms": 60000, "segment.bytes": 1048576, "segment.ms": 10000})
    for _ in range(5):
        produce_all(c, "events", [(b"k", b"x" * 100)] * 10)
        c.run(11000)
    log = c.partition_log("events", 0)
    start0 = log.log_start_offset
    c.run(400000)  # a retention check (every 5 min) after everything is older than retention.ms
    assert log.log_start_offset > start0
    assert c.trace.filter("log.retention")


def test_adding_partitions_moves_keys(cluster):
    keys = [f"user-{i}".encode() for i in range(1000)]
    before = {k: partition_for_key(k, 12, "murmur2_random") for k in keys}
    cluster.create_partitions("orders", 16)
    assert len(cluster.describe("orders").partitions) == 16
    after = {k: partition_for_key(k, 16, "murmur2_random") for k in keys}
    moved = sum(before[k] != after[k] for k in keys) / len(keys)
    assert 0.5 < moved < 0.9


def test_same_seed_and_calls_give_a_byte_identical_trace():
    def run():
        c = Cluster(brokers=3, seed=9)
        c.create_topic("t", partitions=4, replication_factor=3)
        produce_all(c, "t", [(f"k{i}".encode(), b"v") for i in range(50)])
        c.crash_broker(1)
        c.run(20000)
        produce_all(c, "t", [(None, b"v")] * 20)
        c.restart_broker(1)
        c.run(5000)
        return c.trace.digest()

    assert run() == run()
    c = Cluster(brokers=3, seed=10)
    c.create_topic("t", partitions=4, replication_factor=3)
    assert c.trace.digest() != run()


@pytest.mark.parametrize("call, exc", [
    (lambda c: c.create_topic("orders", 3, 3), TopicExistsException),
    (lambda c: c.create_topic("x", 3, 4), InvalidReplicationFactorException),
    (lambda c: c.create_topic("x", 0, 3), InvalidPartitionsException),
    (lambda c: c.create_topic("x", -5, 3), InvalidPartitionsException),
    (lambda c: c.create_topic("bad name!", 3, 3), InvalidTopicException),
    (lambda c: c.create_topic("a" * 250, 3, 3), InvalidTopicException),
    (lambda c: c.create_topic("..", 3, 3), InvalidTopicException),
    (lambda c: c.create_topic("x", 3, 3, {"retention.ms": "soon"}), InvalidConfigurationException),
    (lambda c: c.create_topic("x", 3, 3, {"no.such.config": "1"}), InvalidConfigurationException),
    (lambda c: c.create_partitions("orders", 6), InvalidPartitionsException),
    (lambda c: c.create_partitions("nope", 6), UnknownTopicOrPartitionException),
    (lambda c: c.delete_topic("nope"), UnknownTopicOrPartitionException),
    (lambda c: c.alter_topic_config("orders", {"min.insync.replicas": "two"}), InvalidConfigurationException),
])
def test_bad_admin_input_raises_kafkas_error_and_changes_nothing(cluster, call, exc):
    before = snapshot(cluster)
    with pytest.raises(exc) as info:
        call(cluster)
    assert isinstance(info.value, KafkaException)
    assert info.value.args[0].str()  # a message that says what is wrong
    assert snapshot(cluster) == before


def test_bad_client_input(cluster):
    before = snapshot(cluster)
    with pytest.raises(kafkalab.ConfigException, match='No such configuration property: "buffer.memory"'):
        Producer({"bootstrap.servers": "kafka-1:9092", "buffer.memory": 67108864}, cluster=cluster)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    with pytest.raises(RecordTooLargeException):
        p.produce("orders", value=b"x" * 2_000_000)
    with pytest.raises(TypeError):
        p.produce("orders", value={"not": "bytes"})
    assert snapshot(cluster) == before


def test_producing_to_a_missing_topic_with_auto_creation_off():
    c = Cluster(brokers=3, seed=1, broker_config={"auto.create.topics.enable": False})
    before = snapshot(c)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    reports = []
    p.produce("missing", value=b"x", on_delivery=lambda err, msg: reports.append(err))
    p.flush()  # librdkafka waits topic.metadata.propagation.max.ms (30 s) for the topic, then gives up
    assert [e.name() for e in reports] == ["UNKNOWN_TOPIC_OR_PART"] and "does not exist" in reports[0].str()
    assert c.sim.now >= 30_000
    with pytest.raises(KafkaException) as info:  # now known not to exist: refused at once
        p.produce("missing", value=b"x")
    assert info.value.args[0].name() == "_UNKNOWN_TOPIC"
    assert snapshot(c) == before


def test_auto_creation_on_uses_broker_defaults():
    c = Cluster(brokers=3, seed=1)
    produce_all(c, "fresh", [(None, b"x")])
    t = c.describe("fresh")
    assert len(t.partitions) == 1 and t.replication_factor == 1


def test_syllabus_snippet_runs_with_only_its_import_changed():
    Cluster(brokers=3, seed=5).create_topic("clickstream", partitions=20, replication_factor=3,
                                           config={"min.insync.replicas": "2"})
    from kafkalab.confluent_kafka import Producer as P

    producer = P({"bootstrap.servers": "kafka-1:9092,kafka-2:9092,kafka-3:9092", "acks": "all",
                  "enable.idempotence": True, "compression.type": "zstd", "linger.ms": 10, "batch.size": 65536})
    producer.produce("clickstream", key=str(42).encode(), value=b'{"click":"home"}')
    assert producer.flush() == 0
