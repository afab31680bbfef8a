"""The confluent-kafka-compatible clients: AdminClient futures, Producer reports, Consumer positions."""
import pytest

from kafkalab import Cluster, Consumer, KafkaException, Producer, TopicPartition
from kafkalab.clients.common import OFFSET_BEGINNING, OFFSET_END
from kafkalab.confluent_kafka import KafkaError
from kafkalab.confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource,
                                            NewPartitions, NewTopic, OffsetSpec, ResourceType, TopicCollection)
from kafkalab.errors import TopicExistsException


@pytest.fixture
def cluster():
    return Cluster(brokers=3, seed=7)


@pytest.fixture
def admin(cluster):
    return AdminClient({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)


def test_create_describe_and_delete_topics_through_futures(cluster, admin):
    fs = admin.create_topics([NewTopic("orders", num_partitions=6, replication_factor=3,
                                       config={"min.insync.replicas": "2"})])
    assert fs["orders"].result() is None
    desc = admin.describe_topics(TopicCollection(["orders"]))["orders"].result()
    assert desc.name == "orders" and len(desc.partitions) == 6 and desc.topic_id
    assert all(len(p.replicas) == 3 and p.leader is not None for p in desc.partitions)
    md = admin.list_topics()
    assert "orders" in md.topics and sorted(md.brokers) == [1, 2, 3]
    err = admin.create_topics([NewTopic("orders", 1, 1)])["orders"].exception()
    assert isinstance(err, TopicExistsException) and err.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS
    admin.delete_topics(["orders"])["orders"].result()
    assert "orders" not in admin.list_topics().topics


def test_validate_only_creates_nothing(cluster, admin):
    admin.create_topics([NewTopic("t", 3, 3)], validate_only=True)["t"].result()
    assert cluster.topics() == []


def test_configs_describe_and_incremental_alter(cluster, admin):
    admin.create_topics([NewTopic("t", 1, 3, config={"retention.ms": "3600000"})])["t"].result()
    res = ConfigResource(ResourceType.TOPIC, "t")
    entries = admin.describe_configs([res])[res].result()
    assert entries["retention.ms"].value == "3600000"
    assert entries["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG
    assert entries["min.insync.replicas"].is_default and entries["min.insync.replicas"].value == "1"
    alter = ConfigResource(ResourceType.TOPIC, "t", incremental_configs=[
        ConfigEntry("min.insync.replicas", "2", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE)])
    admin.incremental_alter_configs([alter])[alter].result()
    entries = admin.describe_configs([res])[res].result()
    assert entries["min.insync.replicas"].value == "2" and entries["retention.ms"].is_default
    assert cluster.topic_config("t")["min.insync.replicas"] == 2


def test_create_partitions_and_list_offsets(cluster, admin):
    admin.create_topics([NewTopic("t", 2, 3)])["t"].result()
    admin.create_partitions([NewPartitions("t", 5)])["t"].result()
    assert len(cluster.describe("t").partitions) == 5
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(7):
        p.produce("t", value=b"v", partition=1)
    p.flush()
    tp = TopicPartition("t", 1)
    assert admin.list_offsets({tp: OffsetSpec.latest()})[tp].result().offset == 7
    assert admin.list_offsets({tp: OffsetSpec.earliest()})[tp].result().offset == 0


def test_delivery_reports_carry_topic_partition_offset_and_latency(cluster):
    cluster.create_topic("t", 3, 3)
    seen = []
    p = Producer({"bootstrap.servers": "B1:9092", "linger.ms": 5, "on_delivery": lambda e, m: seen.append(m)},
                 cluster=cluster)
    for i in range(4):
        p.produce("t", key=b"k", value=str(i))
    assert len(p) == 4
    assert p.poll(0) == 0  # nothing delivered without (virtual) time passing
    assert p.flush() == 0 and len(p) == 0
    assert [m.offset() for m in seen] == [0, 1, 2, 3]
    assert {m.topic() for m in seen} == {"t"} and len({m.partition() for m in seen}) == 1
    assert all(m.latency() > 0 for m in seen)  # flush() sends at once, ignoring linger.ms, as librdkafka does
    assert seen[0].value() == b"0" and seen[0].timestamp()[0] == 1


def test_consumer_reads_only_up_to_the_high_watermark_and_can_seek(cluster):
    cluster.create_topic("t", 1, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(10):
        p.produce("t", value=str(i))
    p.flush()
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g", "enable.partition.eof": True},
                 cluster=cluster)
    c.assign([TopicPartition("t", 0, OFFSET_BEGINNING)])
    got = c.consume(100, timeout=1)
    msgs = [m for m in got if m.error() is None]
    assert [m.offset() for m in msgs] == list(range(10))
    assert c.position([TopicPartition("t", 0)])[0].offset == 10
    eof = got[-1]  # enable.partition.eof: an event once the consumer reaches the end
    assert eof.error().code() == KafkaError._PARTITION_EOF and eof.offset() == 10
    c.seek(TopicPartition("t", 0, 7))
    assert [m.value() for m in c.consume(10, timeout=1) if not m.error()] == [b"7", b"8", b"9"]
    assert c.get_watermark_offsets(TopicPartition("t", 0)) == (0, 10)
    c.commit(offsets=[TopicPartition("t", 0, 4)], asynchronous=False)
    assert c.committed([TopicPartition("t", 0)])[0].offset == 4
    c2 = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g"}, cluster=cluster)
    c2.assign([TopicPartition("t", 0)])  # OFFSET_INVALID -> the committed offset
    assert c2.poll(1).offset() == 4


def test_offset_end_starts_after_existing_records(cluster):
    cluster.create_topic("t", 1, 1)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    p.produce("t", value=b"old")
    p.flush()
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "reader"}, cluster=cluster)
    c.assign([TopicPartition("t", 0, OFFSET_END)])
    assert c.poll(0.2) is None
    p.produce("t", value=b"new")
    p.flush()
    assert c.poll(1).value() == b"new"


def test_poll_on_an_empty_partition_advances_virtual_time_not_wall_time(cluster):
    cluster.create_topic("t", 1, 1)
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "reader"}, cluster=cluster)
    c.assign([TopicPartition("t", 0, OFFSET_BEGINNING)])
    t0 = cluster.now
    assert c.poll(30) is None
    assert cluster.now - t0 == 30000


def test_unknown_partition_is_refused(cluster):
    cluster.create_topic("t", 2, 1)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    reports = []
    p.produce("t", value=b"x", partition=5, on_delivery=lambda err, msg: reports.append(err.name()))
    p.flush()  # no metadata yet: librdkafka queues it and the delivery report says why it failed
    assert reports == ["_UNKNOWN_PARTITION"]
    with pytest.raises(KafkaException):  # with the topic's metadata known, produce() refuses it at once
        p.produce("t", value=b"x", partition=5)
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "reader"}, cluster=cluster)
    c.assign([TopicPartition("t", 9)])  # librdkafka takes it and fetches nothing until it exists
    assert [(tp.topic, tp.partition) for tp in c.assignment()] == [("t", 9)] and c.poll(1) is None


def test_bootstrap_servers_pick_the_cluster():
    a = Cluster(brokers=3, seed=1)
    b = Cluster(brokers=1, seed=1)
    a.create_topic("only-in-a", 1, 1)
    p = Producer({"bootstrap.servers": "kafka-3:9092"})  # only cluster a has a broker 3
    assert p.cluster is a
    q = Producer({"bootstrap.servers": "kafka-1:9092"})  # both have broker 1: the newest wins
    assert q.cluster is b


def test_checkers_panels_and_scenarios_do_not_steal_the_default_cluster():
    from kafkalab.exercises import verdict
    from kafkalab.scenarios import queue_vs_pubsub
    from kafkalab.widgets.sizing import sizing_workbench

    mine = Cluster(brokers=3, seed=99)
    queue_vs_pubsub({"g": 1}, partitions=2, records=4)
    sizing_workbench().controls["rf"].value = 2
    verdict("predict_fanout", (40, 120))
    assert Producer({"bootstrap.servers": "kafka-1:9092"}).cluster is mine
