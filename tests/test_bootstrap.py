"""Which simulated cluster a bare client reaches, by its ``bootstrap.servers`` (cluster_for_servers).

Code copied from the confluent-kafka docs must work with only the import changed, so the first client
starts a default cluster when none exists; a list naming no simulated broker reaches nothing, as
librdkafka that cannot resolve its bootstrap servers: records time out, nothing is created anywhere.
"""
from __future__ import annotations

import logging

import pytest

import kafkalab
from kafkalab.cluster import cluster as registry
from kafkalab.confluent_kafka import Consumer, KafkaException, Producer
from kafkalab.confluent_kafka.admin import AdminClient, NewTopic
from kafkalab.isolation import isolated_clusters


@pytest.fixture
def no_cluster():
    """A session with no simulated cluster created yet (restored afterwards)."""
    with isolated_clusters():
        registry._REGISTRY[:] = []
        registry._DEFAULT[:] = []
        yield


def reports(producer, n_topics=("orders",), **produce_kw):
    got = []
    for t in n_topics:
        producer.produce(t, b"v", key=b"k", on_delivery=lambda e, m: got.append(
            (e.name() if e else None, m.topic(), m.partition(), m.offset())), **produce_kw)
    producer.flush()
    return got


def test_first_client_starts_the_default_cluster_and_says_so_once(no_cluster, caplog):
    caplog.set_level(logging.WARNING, logger="kafkalab")
    p = Producer({"bootstrap.servers": "localhost:9092"})
    Producer({"bootstrap.servers": "kafka-1:9092,kafka-2:9092"})
    notices = [r.getMessage() for r in caplog.records if "default one" in r.getMessage()]
    assert len(notices) == 1
    assert "3 brokers" in notices[0] and "seed 42" in notices[0]
    c = p.cluster
    assert sorted(c.brokers) == [1, 2, 3] and c.broker_config["auto.create.topics.enable"] is True
    assert reports(p) == [(None, "orders", 0, 0)]  # auto-created, as Kafka's default broker config does
    # The default cluster outlives its clients: the next bare client finds the same topics.
    del p
    assert "orders" in Producer({"bootstrap.servers": "localhost:9092"}).cluster.topics()


def test_a_cluster_created_by_the_learner_is_reached_and_no_default_starts(no_cluster, caplog):
    caplog.set_level(logging.WARNING, logger="kafkalab")
    mine = kafkalab.Cluster(brokers=3, seed=7)
    assert Producer({"bootstrap.servers": "kafka-2:9092"}).cluster is mine
    assert not [r for r in caplog.records if "default one" in r.getMessage()]


def test_bootstrap_names_pick_the_newest_cluster_that_has_those_brokers(no_cluster):
    five = kafkalab.Cluster(brokers=5, seed=1)
    three = kafkalab.Cluster(brokers=3, seed=2)
    assert Producer({"bootstrap.servers": "kafka-1:9092"}).cluster is three
    assert Producer({"bootstrap.servers": "kafka-5:9092"}).cluster is five
    assert Producer({"bootstrap.servers": "B4:9092,B5:9092"}).cluster is five


@pytest.mark.parametrize("servers", ["myhost:9092", "kafka-9:9092", ""])
def test_servers_naming_no_broker_reach_nothing_and_time_out(no_cluster, servers, caplog):
    caplog.set_level(logging.WARNING, logger="kafkalab")
    cluster = kafkalab.Cluster(brokers=3, seed=3)
    conf = {"message.timeout.ms": 2000}
    if servers:
        conf["bootstrap.servers"] = servers
    p = Producer(conf)
    got = reports(p, ("orders",)) + reports(p, ("orders",), partition=1)
    # librdkafka: the record waits on the unassigned partition, then _MSG_TIMED_OUT; partition() is
    # None unless the record named one, offset() None.
    assert got == [("_MSG_TIMED_OUT", "orders", None, None), ("_MSG_TIMED_OUT", "orders", 1, None)]
    assert len(p) == 0
    assert "orders" not in cluster.topics()  # it never reached the cluster, so nothing was auto-created
    said = " ".join(r.getMessage() for r in caplog.records)
    assert ("No `bootstrap.servers` configured" in said) if not servers else (repr(servers) in said)


def test_records_wait_for_metadata_while_every_broker_is_down(no_cluster):
    cluster = kafkalab.Cluster(brokers=3, seed=4)
    for b in (1, 2, 3):
        cluster.crash_broker(b)
    p = Producer({"bootstrap.servers": "kafka-1:9092"})
    got = []
    p.produce("orders", b"v", on_delivery=lambda e, m: got.append((e, m.partition(), m.offset())))
    cluster.run(5000)
    assert got == [] and "orders" not in cluster.topics()
    for b in (1, 2, 3):
        cluster.restart_broker(b)
    assert p.flush() == 0
    assert got == [(None, 0, 0)] and "orders" in cluster.topics()


def test_unreachable_consumer_and_admin_answer_as_librdkafka_does(no_cluster):
    cluster = kafkalab.Cluster(brokers=3, seed=5)
    cluster.create_topic("orders", 3, 3)
    c = Consumer({"bootstrap.servers": "nohost:9092", "group.id": "g", "auto.offset.reset": "earliest"})
    c.subscribe(["orders"])  # never raises: the real client keeps looking for its coordinator
    assert c.poll(5) is None
    admin = AdminClient({"bootstrap.servers": "nohost:9092"})
    with pytest.raises(KafkaException) as e:
        admin.create_topics([NewTopic("x", 1, 1)])["x"].result(3)
    assert e.value.args[0].name() == "_TIMED_OUT"
    assert "x" not in cluster.topics()


def test_explicit_cluster_needs_no_bootstrap(no_cluster):
    cluster = kafkalab.Cluster(brokers=1, seed=6)
    assert reports(cluster.producer({})) == [(None, "orders", 0, 0)]


def test_the_real_client_times_out_the_same_way():
    """librdkafka 2.x with an unresolvable bootstrap server: the delivery report says
    _MSG_TIMED_OUT, partition() None (RD_KAFKA_PARTITION_UA) or the partition asked for."""
    ck = pytest.importorskip("confluent_kafka")
    p = ck.Producer({"bootstrap.servers": "nosuchhost.invalid:9092", "message.timeout.ms": 300,
                     "log_level": 0, "error_cb": lambda e: None})
    assert reports(p) + reports(p, partition=1) == [("_MSG_TIMED_OUT", "orders", None, None),
                                                    ("_MSG_TIMED_OUT", "orders", 1, None)]
