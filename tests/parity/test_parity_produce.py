"""Producer.produce() arguments, delivery reports, close/purge and queue limits."""
from harness import OK, Outcome, parity, raises


def _produce(ck, env, *args, extra=None, **kw):
    env.topic("orders")
    p = env.producer(extra)
    env.step("produce", p.produce, *args, **kw)
    env.step("flush", p.flush, 2)
    return p


@parity(params=[-2, -1, 3, 4, 100, "1", 1.0, None, True])
def test_produce_partition(ck, env, param):
    p = _produce(ck, env, "orders", b"v", key=b"k", partition=param, on_delivery=env.dr)
    return len(p)


@parity(params=[b"v", "text", bytearray(b"ba"), memoryview(b"mv"), 42, 4.2, {"a": 1}, ["x"], None, b""])
def test_produce_value_type(ck, env, param):
    _produce(ck, env, "orders", param, partition=0, on_delivery=env.dr)


@parity(params=[b"k", "key", bytearray(b"k"), 7, {"id": 1}, ("a",), None])
def test_produce_key_type(ck, env, param):
    _produce(ck, env, "orders", b"v", key=param, partition=1, on_delivery=env.dr)


@parity(params=[[("h", b"v")], [("h", "text")], {"h": b"v"}, {"h": None}, [("h", None)], [("h", 1)],
                [("h",)], ["h"], "h=v", [(1, b"v")], [("h", b"1"), ("h", b"2")], {}, [], 5])
def test_produce_headers(ck, env, param):
    _produce(ck, env, "orders", b"v", partition=0, headers=param, on_delivery=env.dr)


@parity(params=[0, 1700000000000, -1, "1700000000000", 1.5, None])
def test_produce_timestamp(ck, env, param):
    _produce(ck, env, "orders", b"v", partition=0, timestamp=param, on_delivery=env.dr)


@parity(differs="confluent-kafka takes a non-callable on_delivery and fails later, in flush()/poll(), with a "
                "SystemError from the C extension; kafkalab says so at produce() with a TypeError",
        real=Outcome(steps=[("produce", OK), ("flush", raises("SystemError"))]),
        lab=Outcome(steps=[("produce", raises("TypeError")), ("flush", OK)]), params=[1, "print", []])
def test_produce_callback_not_callable(ck, env, param):
    _produce(ck, env, "orders", b"v", partition=0, on_delivery=param)


@parity()
def test_produce_callback_none(ck, env):
    _produce(ck, env, "orders", b"v", partition=0, on_delivery=None)


@parity()
def test_produce_callback_keyword_alias(ck, env):
    _produce(ck, env, "orders", b"v", partition=0, callback=env.dr)


@parity(params=[None, 5, b"orders", "orders.v1_x-y"])
def test_produce_topic_name(ck, env, param):
    _produce(ck, env, param, b"v", on_delivery=env.dr_error)


@parity(differs="the mock cluster auto-creates a topic of any name; a Kafka broker answers the metadata request "
                "with INVALID_TOPIC_EXCEPTION (AutoTopicCreationManager.filterCreatableTopics: "
                "!isValidTopicName -> Errors.INVALID_TOPIC_EXCEPTION) and librdkafka fails the message with it at "
                "once (rdkafka_topic.c rd_kafka_topic_set_notexists: TOPIC_EXCEPTION is permanent)",
        real=Outcome(reports=[(None,)]), lab=Outcome(reports=[("TOPIC_EXCEPTION",)]),
        params=["", "bad topic!", "a" * 250, ".", ".."])
def test_produce_invalid_topic_name(ck, env, param):
    _produce(ck, env, param, b"v", on_delivery=env.dr_error)


@parity(differs="the mock cluster appends to any topic; a Kafka broker refuses a client's write to an internal "
                "topic (ReplicaManager.appendToLocalLog: 'Cannot append to internal topic', "
                "InvalidTopicException) and the delivery report carries TOPIC_EXCEPTION",
        real=Outcome(reports=[(None,)]), lab=Outcome(reports=[("TOPIC_EXCEPTION",)]),
        params=["__consumer_offsets"])
def test_produce_to_internal_topic(ck, env, param):
    env.topic(param)
    _produce(ck, env, param, b"v", partition=0, on_delivery=env.dr_error)


@parity()
def test_produce_known_topic_bad_partition_raises(ck, env):
    """With the topic's metadata known, an out-of-range partition fails in produce() itself."""
    env.topic("orders")
    p = env.producer()
    p.list_topics("orders", timeout=2)
    env.step("partition 9", p.produce, "orders", b"v", partition=9)
    env.step("partition -2", p.produce, "orders", b"v", partition=-2)
    env.step("partition 3", p.produce, "orders", b"v", partition=3, on_delivery=env.dr)
    env.step("flush", p.flush, 2)


@parity()
def test_produce_without_arguments(ck, env):
    p = env.producer()
    env.step("produce", p.produce)
    env.step("produce value only", p.produce, value=b"v")


@parity()
def test_produce_unknown_keyword(ck, env):
    env.topic("orders")
    p = env.producer()
    env.step("produce", p.produce, "orders", b"v", partiton=1)


@parity()
def test_produce_positional_key(ck, env):
    env.topic("orders")
    p = env.producer()
    env.step("produce", p.produce, "orders", b"v", b"k", 2, env.dr)
    env.step("flush", p.flush, 2)


@parity()
def test_delivery_reports_served_by_poll_only(ck, env):
    env.topic("orders")
    p = env.producer()
    for i in range(3):
        p.produce("orders", b"v%d" % i, partition=i, on_delivery=env.dr)
    before = len(env.outcome.reports)
    served = p.flush(2)
    return before, served, len(p)


@parity()
def test_delivery_report_only_error(ck, env):
    env.topic("orders")
    p = env.producer({"delivery.report.only.error": True, "on_delivery": env.dr})
    p.produce("orders", b"v", partition=0)
    p.flush(2)
    return len(env.outcome.reports)


@parity()
def test_config_level_on_delivery(ck, env):
    env.topic("orders")
    p = env.producer({"on_delivery": env.dr})
    p.produce("orders", b"a", partition=0)
    p.produce("orders", b"b", partition=0, on_delivery=env.dr_error)
    p.flush(2)


@parity()
def test_purge_reports_purged_in_queue(ck, env):
    env.topic("orders")
    p = env.producer({"linger.ms": 1000})
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    p.produce("orders", b"w", partition=1, on_delivery=env.dr)
    env.step("purge", p.purge)
    env.step("poll", p.poll, 0)
    return len(p)


@parity(params=[(True, False), (False, True), (False, False)])
def test_purge_selective(ck, env, param):
    in_queue, in_flight = param
    env.topic("orders")
    p = env.producer({"linger.ms": 1000})
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    env.step("purge", p.purge, in_queue=in_queue, in_flight=in_flight)
    env.step("poll", p.poll, 0)
    return len(p)


@parity()
def test_purge_non_blocking_then_flush(ck, env):
    env.topic("orders")
    p = env.producer({"linger.ms": 1000})
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    env.step("purge", p.purge, blocking=False)
    env.step("flush", p.flush, 2)
    return len(p)


@parity()
def test_flush_returns_zero_when_done(ck, env):
    env.topic("orders")
    p = env.producer()
    p.produce("orders", b"v", partition=3)
    return p.flush(2), len(p)


@parity(params=[0, -1, "1", None])
def test_flush_timeout(ck, env, param):
    env.topic("orders")
    p = env.producer()
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    env.step("flush", p.flush, param)
    env.step("flush again", p.flush, 2)


@parity(params=[0, 0.1, -1, "1", None])
def test_poll_timeout(ck, env, param):
    """poll(-1)/poll(None) block until an event: give them a delivery report to wait for."""
    env.topic("orders")
    p = env.producer()
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    env.step("poll", p.poll, param)
    env.step("flush", p.flush, 2)


@parity(params=[2, 5])
def test_queue_buffering_max_messages(ck, env, param):
    env.topic("orders")
    p = env.producer({"queue.buffering.max.messages": param, "linger.ms": 500})
    for i in range(param + 1):
        env.step(f"produce {i}", p.produce, "orders", b"v", partition=0, on_delivery=env.dr)
    return len(p)


@parity()
def test_queue_buffering_max_kbytes(ck, env):
    env.topic("orders")
    p = env.producer({"queue.buffering.max.kbytes": 1, "linger.ms": 500})
    env.step("produce 600", p.produce, "orders", b"x" * 600, partition=0)
    env.step("produce 600 more", p.produce, "orders", b"x" * 600, partition=0)
    return len(p)


@parity()
def test_queue_full_frees_after_delivery(ck, env):
    env.topic("orders")
    p = env.producer({"queue.buffering.max.messages": 1})
    env.step("produce", p.produce, "orders", b"a", partition=0, on_delivery=env.dr)
    env.step("flush", p.flush, 2)
    env.step("produce again", p.produce, "orders", b"b", partition=0, on_delivery=env.dr)
    env.step("flush again", p.flush, 2)


@parity(params=[1000, 2000])
def test_message_max_bytes(ck, env, param):
    env.topic("orders")
    p = env.producer({"message.max.bytes": 1000})
    env.step("produce", p.produce, "orders", b"x" * param, partition=0, on_delivery=env.dr)
    env.step("flush", p.flush, 2)
    return len(p)


@parity()
def test_producer_len_counts_undelivered(ck, env):
    env.topic("orders")
    p = env.producer({"linger.ms": 1000})
    p.produce("orders", b"a", partition=0)
    p.produce("orders", b"b", partition=1)
    n = len(p)
    p.flush(2)
    return n, len(p)


@parity()
def test_list_topics_of_producer(ck, env):
    env.topic("orders")
    p = env.producer()
    md = p.list_topics("orders", timeout=2)
    t = md.topics["orders"]
    return sorted(t.partitions), t.error, len(md.brokers)


@parity()
def test_list_topics_unknown_topic_from_producer_creates_it(ck, env):
    p = env.producer()
    md = p.list_topics("fresh", timeout=2)
    return sorted(md.topics["fresh"].partitions)


@parity(params=[{"allow.auto.create.topics": False}])
def test_produce_unknown_topic_without_auto_create(ck, env, param):
    """The message waits for the topic: message.timeout.ms (3 s here) ends it before the 30 s
    topic.metadata.propagation.max.ms would."""
    p = env.producer(param)
    env.step("produce", p.produce, "nope", b"v", on_delivery=env.dr_error)
    env.step("flush", p.flush, 4)


@parity()
def test_producer_close(ck, env):
    env.topic("orders")
    p = env.producer()
    p.produce("orders", b"v", partition=0, on_delivery=env.dr)
    if not hasattr(p, "close"):
        return "no close()"
    env.step("close", p.close)
    env.step("produce after close", p.produce, "orders", b"w", partition=0)
    env.step("flush after close", p.flush, 1)
    env.step("close again", p.close)
