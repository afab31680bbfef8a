"""Producer semantics: batching, retries and duplicates, idempotence and order, compression, limits."""
import pytest

import kafkalab.viz as viz
from kafkalab import Cluster, ConfigException, Producer
from kafkalab.clients.codecs import CODECS, batch_bytes, compress, compress_bytes
from kafkalab.clients.producer import JavaProducer
from kafkalab.errors import Err


def fresh(partitions=1, seed=1):
    c = Cluster(brokers=3, seed=seed)
    c.create_topic("orders", partitions, 3, config={"min.insync.replicas": "2"})
    return c


def values(c, topic="orders", partition=0):
    return [r for r in viz.log_table(c, topic, partition, limit=None)["value"]]


@pytest.mark.parametrize("idempotent, stored", [(False, 2), (True, 1)])
def test_lost_ack_then_retry_duplicates_only_without_idempotence(idempotent, stored):
    """The syllabus debugging example: the leader appends R1, the ack is lost, the producer retries."""
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "retries": 10,
                  "enable.idempotence": idempotent, "max.in.flight.requests.per.connection": 5}, cluster=c)
    leader = c.describe("orders").partitions[0].leader
    c.sim.network.drop_next(f"kafka-{leader}", p.node, "ProduceResponse")
    reports = []
    p.produce("orders", key=b"42", value=b'{"order_id":1001}', on_delivery=lambda e, m: reports.append((e, m.offset())))
    assert p.flush() == 0
    assert values(c) == ['{"order_id":1001}'] * stored
    assert reports == [(None, stored - 1)] if not idempotent else reports == [(None, 0)]
    kinds = [e.kind for e in c.trace.filter("produce.")]
    assert "produce.timeout" in kinds and "produce.retry" in kinds
    assert ("produce.duplicate" in kinds) == idempotent


@pytest.mark.parametrize("idempotent", [False, True])
def test_lost_request_with_several_in_flight_reorders_only_without_idempotence(idempotent):
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "enable.idempotence": idempotent,
                  "max.in.flight.requests.per.connection": 5, "linger.ms": 0}, cluster=c)
    leader = c.describe("orders").partitions[0].leader
    c.sim.network.drop_next(p.node, f"kafka-{leader}", "ProduceRequest")
    for i in range(3):
        p.produce("orders", key=b"42", value=f"v{i}")
    assert p.flush() == 0
    got = values(c)
    assert sorted(got) == ["v0", "v1", "v2"]
    if idempotent:
        assert got == ["v0", "v1", "v2"]
        assert any(e.fields.get("error") == "OUT_OF_ORDER_SEQUENCE_NUMBER" for e in c.trace.filter("produce.reject"))
    else:
        assert got == ["v1", "v2", "v0"]


def test_batches_close_on_linger_or_size_and_requests_respect_max_in_flight():
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 20, "batch.size": 1000,
                  "max.in.flight.requests.per.connection": 1}, cluster=c)
    for i in range(30):
        p.produce("orders", value=b"x" * 90)
    batches = c.trace.filter("produce.batch")
    assert {b.fields["reason"] for b in batches} == {"batch.size"}
    assert len(c.trace.filter("produce.send")) == 1  # one in flight, the rest wait
    p.produce("orders", value=b"tail")
    c.run(25)
    assert c.trace.filter("produce.batch")[-1].fields["reason"] == "linger.ms"
    assert p.flush() == 0
    assert len(values(c)) == 31


def test_queue_full_raises_buffer_error():
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "queue.buffering.max.messages": 5}, cluster=c)
    for _ in range(5):
        p.produce("orders", value=b"x")
    with pytest.raises(BufferError, match="Local: Queue full"):
        p.produce("orders", value=b"x")
    p.flush()
    p.produce("orders", value=b"x")  # room again once delivered


@pytest.mark.parametrize("conf, message", [
    ({"enable.idempotence": True, "acks": 1}, "`acks` must be set to `all`"),
    ({"enable.idempotence": True, "max.in.flight.requests.per.connection": 6}, "`max.in.flight` must be set <= 5"),
    ({"buffer.memory": 67108864}, 'No such configuration property: "buffer.memory"'),
    ({"linger.ms": 10**9}, "outside allowed range"),
])
def test_invalid_configs_fail_as_librdkafka_fails(conf, message):
    c = fresh()
    with pytest.raises(ConfigException, match=message):
        Producer({"bootstrap.servers": "kafka-1:9092", **conf}, cluster=c)


def test_acks_2_is_accepted_by_the_client_and_rejected_by_the_broker():
    c = fresh()
    errs = []
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": 2}, cluster=c)
    p.produce("orders", value=b"x", on_delivery=lambda e, m: errs.append(e))
    p.flush()
    assert errs[0].code() == Err.INVALID_REQUIRED_ACKS and not errs[0].retriable()
    assert values(c) == []


def test_compression_is_measured_on_the_real_bytes_and_stored_compressed():
    events = [(b"session-%d" % (i % 7), b'{"page": "product", "user": %d, "ua": "Mozilla/5.0"}' % i, 0, None)
              for i in range(200)]
    raw = len(batch_bytes(events))
    sizes = {codec: compress(codec, events) for codec in CODECS}
    assert all(0 < n < raw for n in sizes.values())
    assert sizes["zstd"] < sizes["snappy"] and sizes["gzip"] < sizes["lz4"]
    import gzip
    import zlib

    assert gzip.decompress(compress_bytes("gzip", b"abc" * 100)) == b"abc" * 100
    assert zlib  # noqa
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "compression.type": "zstd", "linger.ms": 50}, cluster=c)
    for k, v, _, _ in events:
        p.produce("orders", key=k, value=v)
    p.flush()
    stored = c.partition_log("orders", 0)
    b = next(stored.all_batches())
    assert b.compression == "zstd" and b.size_bytes < b.uncompressed_bytes
    assert c.trace.filter("produce.batch")[0].fields["wire_bytes"] == b.size_bytes


def test_java_profile_has_java_defaults_and_a_blocking_buffer():
    c = fresh(partitions=12)
    jp = JavaProducer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    assert (jp.settings.batch_size, jp.settings.idempotent, jp.settings.delivery_timeout_ms) == (16384, True, 120000)
    got = []
    jp.send("orders", key=b"42", value=b"v", callback=lambda md, exc: got.append(md.partition()))
    jp.flush()
    from kafkalab.partitioners import partition_for_key

    assert got == [partition_for_key(b"42", 12, "java")]
    with pytest.raises(ConfigException, match="queue.buffering"):
        JavaProducer({"bootstrap.servers": "kafka-1:9092", "queue.buffering.max.ms": 5}, cluster=c)
    with pytest.raises(ConfigException, match="acks to all"):
        JavaProducer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": "true", "acks": "1"}, cluster=c)


def test_a_running_producer_sees_added_partitions_after_its_metadata_refresh():
    from kafkalab.partitioners import partition_for_key

    c = fresh(partitions=12)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "partitioner": "murmur2_random"}, cluster=c)
    got = []
    p.produce("orders", key=b"42", value=b"a", on_delivery=lambda e, m: got.append(m.partition()))
    p.flush()
    c.create_partitions("orders", 16)
    p.produce("orders", key=b"42", value=b"b", on_delivery=lambda e, m: got.append(m.partition()))
    p.flush()
    c.run(300_000)  # topic.metadata.refresh.interval.ms
    p.produce("orders", key=b"42", value=b"c", on_delivery=lambda e, m: got.append(m.partition()))
    p.flush()
    assert got == [partition_for_key(b"42", 12, "murmur2_random")] * 2 + [partition_for_key(b"42", 16, "murmur2_random")]


def test_queue_space_comes_back_when_reports_are_served_not_when_acks_arrive():
    """librdkafka counts a message against queue.buffering.max.messages until its delivery report is served."""
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "queue.buffering.max.messages": 3}, cluster=c)
    for _ in range(3):
        p.produce("orders", value=b"x", on_delivery=lambda e, m: None)
    c.run(1000)  # everything is acknowledged by now ...
    with pytest.raises(BufferError):
        p.produce("orders", value=b"x")  # ... but the reports were not served
    assert p.poll(0) == 3
    p.produce("orders", value=b"x")


def test_idempotent_producer_bumps_its_epoch_when_the_leader_lost_its_state():
    """KIP-360: if the oldest unacknowledged batch is out of sequence (the leader forgot this
    producer, e.g. after an unclean election), the producer bumps its epoch and renumbers from 0."""
    c = fresh()
    p = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": True}, cluster=c)
    for i in range(3):
        p.produce("orders", value=f"v{i}")
    p.flush()
    for b in c.brokers.values():  # every replica forgets the producer, as a leader elected uncleanly would
        b.logs[("orders", 0)].producers.clear()
    errs = []
    p.produce("orders", value="v3", on_delivery=lambda e, m: errs.append(e))
    assert p.flush() == 0 and errs == [None]
    assert values(c) == ["v0", "v1", "v2", "v3"]
    assert [e.fields["producer_epoch"] for e in c.trace.filter("producer.epoch_bump")] == [1]


@pytest.mark.parametrize("conf, retry_after_ms", [
    ({}, 60_000),  # socket.timeout.ms, not request.timeout.ms (30 s)
    ({"socket.timeout.ms": 10_000}, 10_000),
    ({"message.timeout.ms": 20_000}, 20_000),  # capped by what is left of message.timeout.ms
])
def test_lost_response_is_given_up_after_socket_timeout(conf, retry_after_ms):
    """librdkafka times a ProduceRequest out after socket.timeout.ms, capped by the remaining
    message.timeout.ms; request.timeout.ms only travels in the request as the broker's ack timeout."""
    c = Cluster(brokers=3, seed=3)
    c.create_topic("t", 1, 3)
    leader = f"kafka-{c.describe('t').partitions[0].leader}"
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", **conf})
    c.sim.network.drop_next(leader, p.node, "ProduceResponse")
    p.produce("t", value=b"x")
    p.flush()
    sends = c.trace.filter("produce.send")
    give_up = c.trace.filter("produce.timeout")
    assert give_up and give_up[0].time_ms - sends[0].time_ms == retry_after_ms
