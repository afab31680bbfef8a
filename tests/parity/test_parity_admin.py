"""AdminClient: argument types (checked by the client, so both sides answer at once) and, where
librdkafka's mock cluster has no handler for the request (rdkafka_mock_handlers.c answers no
CreateTopics, DeleteTopics, CreatePartitions or DescribeConfigs), the outcome Kafka's broker code gives."""
from harness import OK, Outcome, parity, raises, reference


def _keys(futures):
    return None if futures is None else sorted(str(k) for k in futures)


@parity(params=["orders", ("orders",), [], None])
def test_delete_topics_argument(ck, env, param):
    """delete_topics("orders") is a TypeError: it must not delete topics o, r, d, e, s."""
    for t in ("o", "r", "d", "e", "s", "orders"):
        env.topic(t)
    a = env.admin()
    env.step("delete_topics", a.delete_topics, param)
    return sorted(t for t in a.list_topics(timeout=2).topics if not t.startswith("__"))


@parity(params=["new_topic", "new_topic_list_of_str", "empty", "one_newtopic"])
def test_create_topics_argument(ck, env, param):
    a = env.admin()
    arg = {"new_topic": ck.admin.NewTopic("x", 1, 1), "new_topic_list_of_str": ["x"], "empty": [],
           "one_newtopic": None}[param]
    if param == "one_newtopic":
        return env.step("NewTopic", ck.admin.NewTopic, "x", "3", 1) is None
    return _keys(env.step("create_topics", a.create_topics, arg))


@parity(params=["yes", 1, True])
def test_create_topics_validate_only_type(ck, env, param):
    a = env.admin()
    return _keys(env.step("create_topics", a.create_topics, [ck.admin.NewTopic("x", 1, 1)],
                          validate_only=param))


@parity(params=["orders", [], "topic_str_type", "bad_type"])
def test_describe_configs_argument(ck, env, param):
    a = env.admin()
    if param == "topic_str_type":
        r = env.step("ConfigResource", ck.admin.ConfigResource, "topic", "orders")
        return None if r is None else r.restype == ck.admin.ResourceType.TOPIC
    if param == "bad_type":
        return env.step("ConfigResource", ck.admin.ConfigResource, "nope", "orders") is None
    return _keys(env.step("describe_configs", a.describe_configs, param))


@parity()
def test_describe_topics_needs_a_topic_collection(ck, env):
    a = env.admin()
    env.step("describe_topics", a.describe_topics, ["orders"])


@parity(params=["2", None, -1, 2])
def test_admin_list_topics_timeout(ck, env, param):
    env.topic("orders")
    a = env.admin()
    md = env.step("list_topics", a.list_topics, timeout=param)
    return None if md is None else sorted(t for t in md.topics if not t.startswith("__"))


@parity()
def test_admin_poll_and_len(ck, env):
    a = env.admin()
    return a.poll(0), len(a)


@parity(differs="librdkafka's mock cluster accepts any acks value; a Kafka broker answers INVALID_REQUIRED_ACKS "
                "(ReplicaManager.appendRecords: !isValidRequiredAcks(requiredAcks), valid are -1, 0 and 1) and "
                "librdkafka's range check (-1..1000) lets acks=7 through to it",
        real=Outcome(reports=[(None, "orders", 0, 0)]), lab=Outcome(reports=[("INVALID_REQUIRED_ACKS", "orders", 0,
                                                                              None)]))
def test_acks_seven_reaches_the_broker(ck, env):
    env.topic("orders")
    p = env.producer({"acks": 7})
    env.step("produce", p.produce, "orders", b"v", partition=0, on_delivery=env.dr)
    env.step("flush", p.flush, 2)


# -- outcomes that only a Kafka broker gives (kafkalab alone, against the cited source) -----------------

def _admin_result(env, futures):
    out = {}
    for k in sorted(futures, key=str):
        out[str(k)] = env.step(f"result {k}", futures[k].result, 5)
    return out


@reference(source="Kafka core/src/main/scala/kafka/server/ControllerApis.scala createTopics: a name given twice "
                  "is removed from the request and answered INVALID_REQUEST 'Duplicate topic name.'",
           expect=Outcome(steps=[("result x", raises("KafkaException", "INVALID_REQUEST"))], result=[]))
def test_create_topics_duplicate_name(ck, env):
    a = env.admin()
    _admin_result(env, a.create_topics([ck.admin.NewTopic("x", 1, 1), ck.admin.NewTopic("x", 2, 1)]))
    return sorted(t for t in a.list_topics(timeout=2).topics if t == "x")


@reference(source="Kafka ControllerApis.createTopics: only the duplicated name fails; the others are created",
           expect=Outcome(steps=[("result x", raises("KafkaException", "INVALID_REQUEST")), ("result y", OK)],
                          result=["y"]))
def test_create_topics_duplicate_name_others_created(ck, env):
    a = env.admin()
    _admin_result(env, a.create_topics([ck.admin.NewTopic("x", 1, 1), ck.admin.NewTopic("y", 1, 1),
                                        ck.admin.NewTopic("x", 1, 1)]))
    return sorted(t for t in a.list_topics(timeout=2).topics if t in ("x", "y"))


@reference(source="Kafka ReplicationControlManager.createTopic: TOPIC_ALREADY_EXISTS 'Topic 'orders' already exists.'",
           expect=Outcome(steps=[("result orders", raises("KafkaException", "TOPIC_ALREADY_EXISTS"))]))
def test_create_existing_topic(ck, env):
    env.topic("orders")
    _admin_result(env, env.admin().create_topics([ck.admin.NewTopic("orders", 1, 1)]))


@reference(source="Kafka ReplicationControlManager.createTopic: INVALID_PARTITIONS for a non-positive count, "
                  "INVALID_REPLICATION_FACTOR above the number of registered brokers (3 here)",
           params=[(0, 1, "INVALID_PARTITIONS"), (1, 4, "INVALID_REPLICATION_FACTOR"),
                   (1, 0, "INVALID_REPLICATION_FACTOR")],
           expect=lambda p: Outcome(steps=[("result x", raises("KafkaException", p[2]))], result=[]))
def test_create_topic_bad_counts(ck, env, param):
    a = env.admin()
    _admin_result(env, a.create_topics([ck.admin.NewTopic("x", param[0], param[1])]))
    return [t for t in a.list_topics(timeout=2).topics if t == "x"]


@reference(source="Kafka ReplicationControlManager.deleteTopics: UNKNOWN_TOPIC_OR_PARTITION for a name that "
                  "does not exist",
           expect=Outcome(steps=[("result nosuch", raises("KafkaException", "UNKNOWN_TOPIC_OR_PART"))]))
def test_delete_missing_topic(ck, env):
    _admin_result(env, env.admin().delete_topics(["nosuch"]))


@reference(source="Kafka ControllerApis.deleteTopics: deleting one topic leaves the others (o, r, d stay)",
           expect=Outcome(steps=[("result orders", OK)], result=["d", "o", "r"]))
def test_delete_one_topic_only(ck, env):
    for t in ("o", "r", "d", "orders"):
        env.topic(t)
    a = env.admin()
    _admin_result(env, a.delete_topics(["orders"]))
    return sorted(t for t in a.list_topics(timeout=2).topics if not t.startswith("__"))


@reference(source="Kafka core/src/main/scala/kafka/server/ConfigHelper.scala describeConfigs: a BROKER resource "
                  "named by the broker id lists the broker's configs",
           expect=Outcome(steps=[("result ConfigResource(ResourceType.BROKER,1)", OK)], result=(True, True)))
def test_describe_configs_of_a_broker(ck, env):
    a = env.admin()
    res = ck.admin.ConfigResource(ck.admin.ResourceType.BROKER, "1")
    got = _admin_result(env, a.describe_configs([res]))
    entries = next(iter(got.values())) or {}
    return "num.partitions" in entries, entries["num.partitions"].value == "4"


@reference(source="Kafka ConfigHelper.resourceNameToBrokerId: INVALID_REQUEST 'Broker id must be an integer, "
                  "but it is: kafka-1'",
           expect=Outcome(steps=[("result ConfigResource(ResourceType.BROKER,kafka-1)", raises("KafkaException",
                                                                               "INVALID_REQUEST"))]))
def test_describe_configs_broker_name_not_an_id(ck, env):
    _admin_result(env, env.admin().describe_configs([ck.admin.ConfigResource(ck.admin.ResourceType.BROKER,
                                                                             "kafka-1")]))


@reference(source="Kafka ReplicationControlManager.createPartitions: INVALID_PARTITIONS 'Topic currently has 4 "
                  "partitions, which is higher than the requested 2.'",
           expect=Outcome(steps=[("result orders", raises("KafkaException", "INVALID_PARTITIONS"))]))
def test_create_partitions_fewer(ck, env):
    env.topic("orders")
    _admin_result(env, env.admin().create_partitions([ck.admin.NewPartitions("orders", 2)]))
