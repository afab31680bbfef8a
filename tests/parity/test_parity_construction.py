"""Producer() / Consumer() / AdminClient(): property types and values, and configs that are not a dict."""
from harness import parity

# (property, value): common producer properties, each with a value of a type or range users get wrong.
PRODUCER_PROPS = [
    ("acks", "all"), ("acks", 2), ("acks", "two"), ("acks", -2), ("acks", True), ("acks", 1001),
    ("linger.ms", "5"), ("linger.ms", -1), ("linger.ms", 2.5), ("linger.ms", None), ("linger.ms", "5ms"),
    ("batch.size", 0), ("batch.size", "1MB"), ("batch.num.messages", 0),
    ("enable.idempotence", "yes"), ("enable.idempotence", 1), ("enable.idempotence", "TRUE"),
    ("compression.type", "brotli"), ("compression.type", "ZSTD"), ("compression.codec", "lz4"),
    ("retries", -1), ("retries", "many"), ("message.timeout.ms", 0), ("delivery.timeout.ms", -5),
    ("queue.buffering.max.messages", 0), ("queue.buffering.max.kbytes", 0), ("client.id", 5),
    ("buffer.memory", 33554432), ("max.block.ms", 1000), ("key.serializer", "StringSerializer"),
    ("partitioner", "sticky"), ("partitioner", "murmur2_random"), ("request.timeout.ms", 0),
    ("socket.timeout.ms", 5), ("statistics.interval.ms", "1s"), ("debug", "nope"),
    ("auto.offset.reset", "earliest"), ("group.id", "g"), ("on_delivery", 1), ("error_cb", "x"),
    ("throttle_cb", 1), ("delivery.report.only.error", "yes"), ("max.in.flight", 0),
]

# Not here: group.id "" aborts the process in confluent-kafka 2.16.1 (Consumer.c asserts on its queue).
CONSUMER_PROPS = [
    ("group.id", 7), ("enable.auto.commit", "maybe"), ("enable.auto.commit", 0),
    ("auto.offset.reset", "begin"), ("auto.offset.reset", "beginning"), ("auto.offset.reset", "none"),
    ("session.timeout.ms", 100), ("session.timeout.ms", "6s"), ("max.poll.interval.ms", 1000),
    ("partition.assignment.strategy", "sticky"), ("partition.assignment.strategy", "range,cooperative-sticky"),
    ("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor"),
    ("fetch.min.bytes", 0), ("fetch.max.bytes", 100), ("max.poll.records", 10), ("on_commit", 5),
    ("enable.auto.offset.store", "no"), ("group.instance.id", ""), ("heartbeat.interval.ms", 0),
    ("key.deserializer", "StringDeserializer"), ("enable.partition.eof", "true"), ("acks", "all"),
]


@parity(params=PRODUCER_PROPS)
def test_producer_property(ck, env, param):
    name, value = param
    p = env.step("Producer", ck.Producer, env.conf({name: value}))
    return None if p is None else len(p)


@parity(params=CONSUMER_PROPS)
def test_consumer_property(ck, env, param):
    name, value = param
    conf = env.conf({"group.id": "g", name: value}, fast=False)
    c = env.step("Consumer", ck.Consumer, conf)
    if c is not None:
        c.close()


@parity(params=[("producer", "orders"), ("producer", ["acks", "all"]), ("producer", None), ("producer", 42),
                ("consumer", "g"), ("consumer", [("group.id", "g")]), ("consumer", None), ("admin", "kafka-1:9092"),
                ("admin", None)])
def test_config_that_is_not_a_dict(ck, env, param):
    kind, conf = param
    cls = {"producer": ck.Producer, "consumer": ck.Consumer, "admin": ck.admin.AdminClient}[kind]
    env.step(kind, cls, conf)


@parity()
def test_consumer_without_group_id_cannot_subscribe(ck, env):
    c = env.consumer(group=None)
    env.step("subscribe", c.subscribe, ["orders"])
    env.step("commit", c.commit, offsets=[ck.TopicPartition("orders", 0, 1)], asynchronous=False)


@parity()
def test_producer_config_in_keyword_arguments(ck, env):
    p = env.step("Producer", ck.Producer, {"bootstrap.servers": env.bootstrap}, **{"linger.ms": 5})
    return p is not None


@parity()
def test_property_name_that_is_not_a_string(ck, env):
    env.step("Producer", ck.Producer, {"bootstrap.servers": env.bootstrap, 5: "x"})


@parity()
def test_java_only_consumer_property(ck, env):
    env.step("Consumer", ck.Consumer, env.conf({"group.id": "g", "max.poll.records": 5}, fast=False))
