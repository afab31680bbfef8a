"""Topic configs (Kafka 4.x broker rules) and client configs (librdkafka rules, as confluent-kafka applies them)."""
from __future__ import annotations

import copy

import pytest

from kafkalab import config as kc
from kafkalab.errors import ConfigException, Err, InvalidConfigurationException, InvalidTopicException


def _topic_error(configs, **kw) -> str:
    with pytest.raises(InvalidConfigurationException) as info:
        kc.validate_topic_configs(configs, **kw)
    assert info.value.args[0].code() == Err.INVALID_CONFIG == 40
    return info.value.args[0].str()


def _client_error(conf, role="producer") -> str:
    with pytest.raises(ConfigException) as info:
        kc.validate_client_config(conf, role)
    err = info.value.args[0]
    assert err.code() == Err._INVALID_ARG == -186
    assert err.name() == "_INVALID_ARG"
    return err.str()


# =============================== topic configs ===================================================

def test_topic_defaults_are_kafka_4():
    """LogConfig / ServerLogConfigs defaults (Kafka 4.x; KIP-1030 changed after.max.ms to 1 hour)."""
    d = kc.topic_config_defaults()
    assert d["cleanup.policy"] == ["delete"]
    assert d["retention.ms"] == 604800000
    assert d["retention.bytes"] == -1
    assert d["segment.bytes"] == 1073741824
    assert d["segment.ms"] == 604800000
    assert d["min.insync.replicas"] == 1
    assert d["unclean.leader.election.enable"] is False
    assert d["max.message.bytes"] == 1048588
    assert d["message.timestamp.type"] == "CreateTime"
    assert d["message.timestamp.before.max.ms"] == 2**63 - 1
    assert d["message.timestamp.after.max.ms"] == 3600000
    assert d["compression.type"] == "producer"
    assert d["delete.retention.ms"] == 86400000
    assert d["min.compaction.lag.ms"] == 0
    assert d["max.compaction.lag.ms"] == 2**63 - 1
    assert d["min.cleanable.dirty.ratio"] == 0.5
    assert d["file.delete.delay.ms"] == 60000
    assert d["segment.index.bytes"] == 10485760
    assert d["flush.messages"] == d["flush.ms"] == 2**63 - 1
    assert d["index.interval.bytes"] == 4096
    assert d["preallocate"] is False
    assert d["local.retention.ms"] == d["local.retention.bytes"] == -2
    assert d["remote.storage.enable"] is False
    assert list(d) == sorted(d)


def test_removed_configs_are_unknown_in_4():
    """KIP-724/KIP-937: these 3.x topic configs are gone in 4.0."""
    for name in kc.REMOVED_TOPIC_CONFIGS:
        assert name not in kc.TOPIC_CONFIGS
        assert _topic_error({name: "x"}) == f"Unknown topic config name: {name}"


def test_strings_and_python_values_both_parse():
    got = kc.effective_topic_config({"retention.ms": "-1", "min.insync.replicas": 2,
                                     "unclean.leader.election.enable": True, "cleanup.policy": ["compact", "delete"],
                                     "min.cleanable.dirty.ratio": " 0.25 "})
    assert got["retention.ms"] == -1
    assert got["min.insync.replicas"] == 2
    assert got["unclean.leader.election.enable"] is True
    assert got["cleanup.policy"] == ["compact", "delete"]
    assert got["min.cleanable.dirty.ratio"] == 0.25
    assert got["segment.bytes"] == 1073741824  # defaults filled in


def test_validate_returns_only_the_overrides_typed():
    assert kc.validate_topic_configs({"retention.ms": "1000", "min.insync.replicas": "2"}) == {
        "min.insync.replicas": 2, "retention.ms": 1000}
    assert kc.validate_topic_configs({}) == {}


def test_cross_checks_see_existing_overrides():
    """AlterConfigs validates the topic's whole override set, not just the change."""
    assert _topic_error({"max.compaction.lag.ms": "1000"}, existing={"min.compaction.lag.ms": "5000"}) == \
        "conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)"
    assert _topic_error({"remote.storage.enable": "false"}, existing={"remote.storage.enable": "true"},
                        remote_storage_system_enabled=True).startswith(
        "It is invalid to disable remote storage without deleting remote data.")


def test_cleanup_policy_list_parsing():
    assert kc.validate_topic_configs({"cleanup.policy": "compact , delete"})["cleanup.policy"] == ["compact", "delete"]
    assert kc.validate_topic_configs({"cleanup.policy": "compact"})["cleanup.policy"] == ["compact"]


def test_unknown_topic_config():
    """LogConfig.validateNames: 'Unknown topic config name: ' + name."""
    assert _topic_error({"retention.mins": "5"}) == "Unknown topic config name: retention.mins"


@pytest.mark.parametrize("configs, message", [
    ({"retention.ms": "abc"}, "Invalid value abc for configuration retention.ms: Not a number of type LONG"),
    ({"retention.ms": "1.5"}, "Invalid value 1.5 for configuration retention.ms: Not a number of type LONG"),
    ({"min.insync.replicas": "two"}, ("Invalid value two for configuration min.insync.replicas: Not a number of "
                                     "type INT")),
    ({"segment.bytes": "99999999999"}, ("Invalid value 99999999999 for configuration segment.bytes: Not a number "
                                       "of type INT")),
    ({"retention.ms": "-2"}, "Invalid value -2 for configuration retention.ms: Value must be at least -1"),
    ({"segment.bytes": "1000"}, "Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576"),
    ({"min.insync.replicas": "0"}, ("Invalid value 0 for configuration min.insync.replicas: Value must be at "
                                   "least 1")),
    ({"min.cleanable.dirty.ratio": "1.5"}, ("Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value "
                                           "must be no more than 1")),
    ({"min.cleanable.dirty.ratio": "x"}, ("Invalid value x for configuration min.cleanable.dirty.ratio: Not a "
                                         "number of type DOUBLE")),
    ({"cleanup.policy": "both"}, ("Invalid value both for configuration cleanup.policy: String must be one of: "
                                 "compact, delete")),
    ({"cleanup.policy": "compact,Delete"}, ("Invalid value Delete for configuration cleanup.policy: String must be "
                                           "one of: compact, delete")),
    ({"compression.type": "none"}, ("Invalid value none for configuration compression.type: String must be one of: "
                                   "uncompressed, zstd, lz4, snappy, gzip, producer")),
    ({"message.timestamp.type": "createtime"}, ("Invalid value createtime for configuration message.timestamp.type: "
                                               "String must be one of: CreateTime, LogAppendTime")),
    ({"unclean.leader.election.enable": "yes"}, ("Invalid value yes for configuration unclean.leader.election.enable: "
                                                "Expected value to be either true or false")),
    ({"compression.gzip.level": "0"}, ("Invalid value 0 for configuration compression.gzip.level: Value must be "
                                      "between 1 and 9 or equal to -1")),
    ({"compression.zstd.level": "23"}, ("Invalid value 23 for configuration compression.zstd.level: Value must be "
                                       "no more than 22")),
])
def test_bad_topic_values(configs, message):
    assert _topic_error(configs) == message


def test_first_bad_value_in_definition_order_wins():
    """ConfigDef.parse walks keys in definition order: segment.bytes is defined before retention.ms."""
    assert "segment.bytes" in _topic_error({"retention.ms": "x", "segment.bytes": "y"})


def test_null_values():
    assert _topic_error({"retention.ms": None, "segment.ms": None}) == \
        "Null value not supported for topic configs: retention.ms,segment.ms"


def test_compaction_lag_conflict():
    assert _topic_error({"min.compaction.lag.ms": "5000", "max.compaction.lag.ms": "1000"}) == \
        "conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)"


def test_remote_storage_needs_tiered_storage_on_the_broker():
    assert _topic_error({"remote.storage.enable": "true"}) == \
        "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage."
    assert _topic_error({"remote.storage.enable": "true", "cleanup.policy": "compact"},
                        remote_storage_system_enabled=True) == \
        "Remote log storage is unsupported for the compacted topics"
    assert _topic_error({"remote.storage.enable": "true", "retention.ms": "1000", "local.retention.ms": "2000"},
                        remote_storage_system_enabled=True) == \
        "Invalid value 2000 for configuration local.retention.ms: Value must not be more than retention.ms " \
        "property value: 1000"
    ok = kc.validate_topic_configs({"remote.storage.enable": "true", "local.retention.ms": "1000"},
                                   remote_storage_system_enabled=True)
    assert ok["remote.storage.enable"] is True


def test_min_insync_above_broker_count_is_accepted():
    """Kafka does not compare min.insync.replicas with the cluster; acks=all produces fail later."""
    assert kc.validate_topic_configs({"min.insync.replicas": 3}, broker_count=2)["min.insync.replicas"] == 3


def test_describe_topic_config_sources_and_synonyms():
    entries = {e.name: e for e in kc.describe_topic_config({"retention.ms": 1000, "cleanup.policy": ["compact"]})}
    assert set(entries) == set(kc.TOPIC_CONFIGS)
    r = entries["retention.ms"]
    assert (r.value, r.source, r.is_default, r.read_only, r.sensitive) == ("1000", "DYNAMIC_TOPIC_CONFIG", False,
                                                                          False, False)
    assert [(s.name, s.value, s.source) for s in r.synonyms] == [("retention.ms", "1000", "DYNAMIC_TOPIC_CONFIG")]
    c = entries["cleanup.policy"]
    assert [(s.name, s.value, s.source) for s in c.synonyms] == [
        ("cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG"), ("log.cleanup.policy", "delete", "DEFAULT_CONFIG")]
    s = entries["segment.bytes"]
    assert (s.value, s.source, s.is_default) == ("1073741824", "DEFAULT_CONFIG", True)
    assert [(x.name, x.value, x.source) for x in s.synonyms] == [("log.segment.bytes", "1073741824",
                                                                  "DEFAULT_CONFIG")]
    # log.retention.hours precedes nothing: Kafka drops synonyms listed before the main one.
    default_retention = {e.name: e for e in kc.describe_topic_config({})}["retention.ms"]
    assert default_retention.synonyms == ()
    assert entries["min.cleanable.dirty.ratio"].value == "0.5"
    assert entries["unclean.leader.election.enable"].value == "false"


def test_describe_entries_read_like_dicts():
    e = kc.describe_topic_config({"retention.ms": "5"})[0]
    assert e["name"] == e.name and e.get("read_only") is False and e.get("missing", 7) == 7


def test_describe_with_static_broker_config():
    entries = {e.name: e for e in kc.describe_topic_config({}, broker_config={"log.retention.hours": 24,
                                                                              "log.segment.bytes": 2097152})}
    assert entries["retention.ms"].value == "86400000"
    seg = entries["segment.bytes"]
    assert (seg.value, seg.source) == ("2097152", "STATIC_BROKER_CONFIG")
    assert kc.BROKER_TOPIC_CONFIG_SYNONYMS["log.retention.hours"] == ("retention.ms", 3600000)


# ---- topic names (clients/.../internals/Topic.java) ----------------------------------------------

@pytest.mark.parametrize("name, reason", [
    ("", "the empty string is not allowed"),
    (".", "'.' is not allowed"),
    ("..", "'..' is not allowed"),
    ("a" * 250, f"the length of '{'a' * 250}' is longer than the max allowed length 249"),
    ("orders v1", "'orders v1' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"),
    ("ordérs", "'ordérs' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"),
])
def test_invalid_topic_names(name, reason):
    with pytest.raises(InvalidTopicException) as info:
        kc.validate_topic_name(name)
    assert info.value.args[0].code() == Err.INVALID_TOPIC_EXCEPTION == 17
    assert info.value.args[0].str() == f"Topic name is invalid: {reason}"


@pytest.mark.parametrize("name", ["orders", "a" * 249, "x.y_z-0", "...", "__consumer_offsets"])
def test_valid_topic_names(name):
    kc.validate_topic_name(name)


def test_collision_warning_and_check():
    assert kc.topic_name_collision_warning("orders") is None
    assert kc.topic_name_collision_warning("orders.v1") == (
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. "
        "To avoid issues it is best to use either, but not both.")
    kc.check_topic_collision("a.b", ["a.b", "ab", "a-b"])
    with pytest.raises(InvalidTopicException) as info:
        kc.check_topic_collision("a.b", ["x", "a_b"])
    assert info.value.args[0].str() == "Topic 'a.b' collides with existing topic: a_b"


# =============================== client configs (librdkafka) ======================================

def test_table_has_the_properties_notebooks_use():
    names = ["acks", "request.required.acks", "linger.ms", "queue.buffering.max.ms", "retries",
             "message.send.max.retries", "batch.size", "batch.num.messages", "compression.type", "compression.codec",
             "max.in.flight.requests.per.connection", "max.in.flight", "queue.buffering.max.messages",
             "queue.buffering.max.kbytes", "enable.idempotence", "delivery.timeout.ms", "message.timeout.ms",
             "request.timeout.ms", "retry.backoff.ms", "retry.backoff.max.ms", "partitioner",
             "sticky.partitioning.linger.ms", "message.max.bytes", "transactional.id", "transaction.timeout.ms",
             "bootstrap.servers", "metadata.broker.list", "client.id", "group.id", "group.instance.id",
             "group.protocol", "partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms",
             "max.poll.interval.ms", "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store",
             "auto.offset.reset", "isolation.level", "fetch.min.bytes", "fetch.wait.max.ms", "fetch.max.bytes",
             "max.partition.fetch.bytes", "enable.partition.eof", "allow.auto.create.topics", "security.protocol",
             "debug", "statistics.interval.ms"]
    for name in names:
        assert kc.client_property(name) is not None, name
    assert len(kc.LIBRDKAFKA_GLOBAL_PROPERTIES) + len(kc.LIBRDKAFKA_TOPIC_PROPERTIES) > 200


def test_producer_defaults_are_librdkafka():
    conf = kc.validate_client_config({"bootstrap.servers": "b0:9092"}, "producer")
    assert conf["linger.ms"] == conf["queue.buffering.max.ms"] == 5.0
    assert conf["acks"] == -1  # "all" since librdkafka 1.0
    assert conf["enable.idempotence"] is False
    assert conf["batch.size"] == 1000000
    assert conf["batch.num.messages"] == 10000
    assert conf["retries"] == 2147483647
    assert conf["max.in.flight"] == 1000000
    assert conf["delivery.timeout.ms"] == 300000
    assert conf["request.timeout.ms"] == 30000
    assert conf["partitioner"] == "consistent_random"
    assert conf["compression.type"] == "none"
    assert conf["sticky.partitioning.linger.ms"] == 10  # 2 x linger.ms
    assert conf["allow.auto.create.topics"] is True  # producers may auto-create
    assert conf["client.id"] == "rdkafka"
    assert conf.warnings == ()
    assert conf.modified == {"metadata.broker.list"}


def test_consumer_defaults_are_librdkafka():
    conf = kc.validate_client_config({"bootstrap.servers": "b0:9092", "group.id": "g"}, "consumer")
    assert conf["auto.offset.reset"] == "largest"
    assert conf["isolation.level"] == "read_committed"
    assert conf["enable.auto.commit"] is True
    assert conf["auto.commit.interval.ms"] == 5000
    assert conf["session.timeout.ms"] == 45000
    assert conf["heartbeat.interval.ms"] == 3000
    assert conf["max.poll.interval.ms"] == 300000
    assert conf["group.protocol"] == "classic"
    assert conf["partition.assignment.strategy"] == "range,roundrobin"
    assert conf["fetch.wait.max.ms"] == 500
    assert conf["max.partition.fetch.bytes"] == 1048576
    assert conf["fetch.max.bytes"] == 52428800
    assert conf["allow.auto.create.topics"] is False
    assert conf["enable.idempotence"] is False


def test_aliases_resolve_to_canonical_names():
    conf = kc.validate_client_config({"bootstrap.servers": "b:1", "linger.ms": 20, "acks": "1", "retries": 3,
                                      "compression.type": "lz4", "max.in.flight": 7, "delivery.timeout.ms": 1000,
                                      "batch.size": 16384}, "producer")
    assert conf["metadata.broker.list"] == "b:1"
    assert conf["queue.buffering.max.ms"] == 20.0
    assert conf["request.required.acks"] == 1
    assert conf["message.send.max.retries"] == 3
    assert conf["compression.codec"] == "lz4"
    assert conf["max.in.flight.requests.per.connection"] == 7
    assert conf["message.timeout.ms"] == 1000
    assert "linger.ms" in conf and conf.get("linger.ms") == 20.0 and conf.get("nope", 1) == 1
    assert conf.is_set("linger.ms") and conf.is_set("queue.buffering.max.ms") and not conf.is_set("batch.num.messages")
    assert "request.required.acks" in conf.modified


def test_acks_all_and_acks_2():
    """acks=2 is inside librdkafka's -1..1000 range: accepted here, rejected by the broker (INVALID_REQUIRED_ACKS)."""
    assert kc.validate_client_config({"acks": "all"}, "producer")["acks"] == -1
    assert kc.validate_client_config({"acks": "ALL"}, "producer")["acks"] == -1
    assert kc.validate_client_config({"acks": 2}, "producer")["acks"] == 2


@pytest.mark.parametrize("name", ["buffer.memory", "key.serializer", "max.block.ms", "fetch.max.wait.ms",
                                  "partitioner.class", "max.request.size"])
def test_java_only_properties_are_unknown(name):
    assert _client_error({name: "1"}) == f'No such configuration property: "{name}"'
    assert kc.explain_unknown_property(name)


def test_every_java_only_property_is_rejected():
    for name in kc.JAVA_ONLY_PROPERTIES:
        with pytest.raises(ConfigException):
            kc.validate_client_config({name: "1"}, "producer")


def test_java_keystores_get_librdkafka_hints():
    assert _client_error({"ssl.truststore.location": "/x"}).startswith("Java TrustStores are not supported, use "
                                                                      "`ssl.ca.location`")
    assert _client_error({"sasl.jaas.config": "x"}).startswith("Java JAAS configuration is not supported")


def test_topic_prefix_is_stripped_for_topic_properties():
    assert kc.validate_client_config({"topic.acks": "0"}, "producer")["acks"] == 0
    assert _client_error({"topic.foo": "1"}) == 'No such configuration property: "foo"'


@pytest.mark.parametrize("conf, message", [
    ({"enable.idempotence": "yes"}, 'Expected bool value for "enable.idempotence": true or false'),
    ({"request.timeout.ms": "soon"}, 'Invalid value for configuration property "request.timeout.ms"'),
    ({"request.timeout.ms": "0"}, ('Configuration property "request.timeout.ms" value 0 is outside allowed range '
                                  '1..900000\n')),
    ({"acks": "-2"}, 'Configuration property "request.required.acks" value -2 is outside allowed range -1..1000\n'),
    ({"linger.ms": 999999999}, ('Configuration property "queue.buffering.max.ms" value 1e+09 is outside allowed '
                               'range 0..900000\n')),
    ({"linger.ms": "abc"}, 'Invalid value for configuration property "queue.buffering.max.ms"'),
    ({"linger.ms": ""}, 'Float configuration property "queue.buffering.max.ms" cannot be set to empty value'),
    ({"batch.size": None}, 'Integer configuration property "batch.size" cannot be set to empty value'),
    ({"enable.idempotence": None}, 'Bool configuration property "enable.idempotence" cannot be set to empty value'),
    ({"compression.type": "brotli"}, 'Invalid value "brotli" for configuration property "compression.codec"'),
    ({"compression.type": "lz4 "}, 'Invalid value "lz4 " for configuration property "compression.codec"'),
    ({"auto.offset.reset": "first"}, 'Invalid value "first" for configuration property "auto.offset.reset"'),
    ({"debug": "broker,nonsense"}, 'Invalid value "nonsense" for configuration property "debug"'),
    ({"partitioner": "murmur3"}, 'Invalid value for configuration property "partitioner": murmur3'),
    ({"sasl.mechanism": "PLAIN,SCRAM-SHA-256"}, ('Invalid value for configuration property "sasl.mechanisms": '
                                                'PLAIN,SCRAM-SHA-256')),
    ({"rebalance_cb": "f"}, 'Property "rebalance_cb" must be set through dedicated .._set_..() function'),
    ({"interceptors": "x"}, 'Internal property "interceptors" not settable'),
])
def test_bad_client_values(conf, message):
    assert _client_error(conf) == message


def test_numbers_parse_like_strtol():
    """librdkafka reads the numeric prefix and ignores the rest; 0x is hex, a leading 0 octal."""
    assert kc.validate_client_config({"request.timeout.ms": "20ms"}, "producer")["request.timeout.ms"] == 20
    assert kc.validate_client_config({"request.timeout.ms": "0x10"}, "producer")["request.timeout.ms"] == 16
    assert kc.validate_client_config({"request.timeout.ms": "010"}, "producer")["request.timeout.ms"] == 8
    assert kc.validate_client_config({"linger.ms": "2.5x"}, "producer")["linger.ms"] == 2.5
    assert kc.validate_client_config({"enable.idempotence": "T"}, "producer")["enable.idempotence"] is True
    assert kc.validate_client_config({"auto.offset.reset": "EARLIEST"}, "producer")["auto.offset.reset"] == "earliest"


def test_every_default_round_trips():
    """Setting any property to its own default (as confluent-kafka would pass it, via str()) is accepted."""
    for table in (kc.LIBRDKAFKA_GLOBAL_PROPERTIES, kc.LIBRDKAFKA_TOPIC_PROPERTIES):
        for name, prop in table.items():
            if prop.kind in ("alias", "ptr", "internal", "invalid") or prop.default in (None, ""):
                continue
            key = name if prop.level == "global" or name not in kc.LIBRDKAFKA_GLOBAL_PROPERTIES else "topic." + name
            kc.validate_client_config({key: prop.default}, "admin")


# ---- construction-time cross-checks (rd_kafka_conf_finalize) -------------------------------------

@pytest.mark.parametrize("conf, message", [
    ({"enable.idempotence": True, "acks": 1},
     "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"),
    ({"enable.idempotence": True, "max.in.flight.requests.per.connection": 6},
     "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true"),
    ({"enable.idempotence": True, "retries": 0},
     "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true"),
    ({"enable.idempotence": True, "queuing.strategy": "lifo"},
     "Failed to create producer: `queuing.strategy` must be set to `fifo` when `enable.idempotence` is true"),
    ({"transactional.id": "tx", "enable.idempotence": False},
     "Failed to create producer: `transactional.id` requires `enable.idempotence=true`"),
    ({"transactional.id": "tx", "message.timeout.ms": 90000},
     "Failed to create producer: `message.timeout.ms` must be set <= `transaction.timeout.ms`"),
    ({"transactional.id": "tx", "socket.timeout.ms": 70000},
     "Failed to create producer: `socket.timeout.ms` must be set <= `transaction.timeout.ms` + 100"),
    ({"linger.ms": 1000, "message.timeout.ms": 500},
     "Failed to create producer: `message.timeout.ms` must be greater than `linger.ms`"),
    ({"enable.gapless.guarantee": True},
     "Failed to create producer: `enable.gapless.guarantee` requires `enable.idempotence` to be enabled"),
    ({"reconnect.backoff.ms": 500, "reconnect.backoff.max.ms": 100},
     "Failed to create producer: `reconnect.backoff.max.ms` must be >= `reconnect.backoff.ms`"),
])
def test_producer_cross_checks(conf, message):
    assert _client_error(conf) == message


def test_idempotence_adjusts_defaults():
    conf = kc.validate_client_config({"enable.idempotence": True}, "producer")
    assert (conf["acks"], conf["max.in.flight"], conf["retries"]) == (-1, 5, 2147483647)


def test_transactional_id_turns_on_idempotence():
    conf = kc.validate_client_config({"transactional.id": "tx-1"}, "producer")
    assert conf["enable.idempotence"] is True
    assert conf["acks"] == -1
    assert conf["message.timeout.ms"] == conf["transaction.timeout.ms"] == 60000
    assert conf["socket.timeout.ms"] == 59900


def test_linger_clash_without_topic_properties_is_deferred():
    """No topic-level property set: librdkafka only checks when it first creates a topic handle."""
    conf = kc.validate_client_config({"linger.ms": 400000}, "producer")
    assert conf.topic_conf_error == "`message.timeout.ms` must be greater than `linger.ms`"


@pytest.mark.parametrize("conf, message", [
    ({"max.poll.interval.ms": 1000, "session.timeout.ms": 6000},
     "Failed to create consumer: `max.poll.interval.ms`must be >= `session.timeout.ms`"),
    ({"group.protocol": "consumer", "session.timeout.ms": 6000},
     ("Failed to create consumer: `session.timeout.ms` is not supported for `group.protocol=consumer` or share "
     "consumer. It is defined broker side")),
    ({"group.protocol": "consumer", "partition.assignment.strategy": "range"},
     ("Failed to create consumer: `partition.assignment.strategy` is not supported for `group.protocol=consumer`. "
     "Use `group.remote.assignor` instead")),
    ({"group.protocol": "consumer", "heartbeat.interval.ms": 1000},
     ("Failed to create consumer: `heartbeat.interval.ms` is not supported for `group.protocol=consumer` or share "
     "consumer. It is defined broker side")),
    ({"fetch.max.bytes": 1000, "message.max.bytes": 5000},
     "Failed to create consumer: `fetch.max.bytes` must be >= `message.max.bytes`"),
    ({"fetch.min.bytes": 0},
     ('Failed to create consumer: Configuration property "fetch.min.bytes" value is outside allowed range '
     '1..100000000')),
    ({"partition.assignment.strategy": "sticky"},
     "Failed to create consumer: Unsupported partition.assignment.strategy: sticky"),
    ({"partition.assignment.strategy": "range,cooperative-sticky"},
     ("Failed to create consumer: All partition.assignment.strategy (range,cooperative-sticky) assignors must have "
     "the same protocol type, online migration between assignors with different protocol types is not supported")),
])
def test_consumer_cross_checks(conf, message):
    assert _client_error({"group.id": "g", **conf}, "consumer") == message


def test_admin_prefix():
    assert _client_error({"reconnect.backoff.ms": 500, "reconnect.backoff.max.ms": 100}, "admin") == \
        "Failed to create admin client: `reconnect.backoff.max.ms` must be >= `reconnect.backoff.ms`"


def test_consumer_needs_group_id_key():
    with pytest.raises(ValueError) as info:
        kc.validate_client_config({"bootstrap.servers": "b:1"}, "consumer")
    assert str(info.value) == "Failed to create consumer: group.id must be set"


# ---- confluent-kafka-python's own keys -----------------------------------------------------------

def test_python_callbacks():
    def cb(*args):
        return None

    conf = kc.validate_client_config({"on_delivery": cb, "error_cb": cb, "stats_cb": cb, "throttle_cb": cb,
                                      "logger": object(), "delivery.report.only.error": True}, "producer")
    assert conf.python_settings["on_delivery"] is cb
    assert conf["delivery.report.only.error"] is True
    assert conf["log.queue"] is True
    consumer = kc.validate_client_config({"group.id": "g", "on_commit": cb}, "consumer")
    assert consumer.python_settings["on_commit"] is cb


def test_python_callback_errors():
    assert _client_error({"on_delivery": 5}) == "on_delivery requires a callable object"
    assert _client_error({"group.id": "g", "on_commit": "x"}, "consumer") == "on_commit requires a callable object"
    with pytest.raises(TypeError, match="^expected error_cb property as a callable function$"):
        kc.validate_client_config({"error_cb": 1}, "producer")
    with pytest.raises(ValueError, match="^expected throttle_cb property as a callable function$"):
        kc.validate_client_config({"throttle_cb": 1}, "producer")
    with pytest.raises(TypeError, match="^Expected delivery.report.only.error to be bool type, not int$"):
        kc.validate_client_config({"delivery.report.only.error": 1}, "producer")
    # on_delivery is only special for producers: elsewhere it reaches librdkafka.
    assert _client_error({"group.id": "g", "on_delivery": print}, "consumer") == \
        'No such configuration property: "on_delivery"'


def test_default_topic_config_is_merged():
    conf = kc.validate_client_config({"default.topic.config": {"acks": "1"}}, "producer")
    assert conf["acks"] == 1


# ---- warnings -------------------------------------------------------------------------------------

def test_role_warnings_and_notices():
    conf = kc.validate_client_config({"enable.auto.commit": False}, "producer")
    assert "Configuration property enable.auto.commit is a consumer property and will be ignored by this producer " \
           "instance" in conf.warnings
    assert "No `bootstrap.servers` configured: client will not be able to connect to Kafka cluster" in conf.warnings
    consumer = kc.validate_client_config({"bootstrap.servers": "b:1", "group.id": "g", "linger.ms": 1}, "consumer")
    assert consumer.warnings == (("Configuration property queue.buffering.max.ms is a producer property and will be "
                                 "ignored by this consumer instance"),)


def test_deprecated_warning():
    conf = kc.validate_client_config({"bootstrap.servers": "b:1", "api.version.request": True}, "producer")
    assert any(w.startswith("Configuration property api.version.request is deprecated") for w in conf.warnings)


# ---- Java vs librdkafka ---------------------------------------------------------------------------

def test_java_defaults_kafka_4():
    assert kc.JAVA_PRODUCER_DEFAULTS["linger.ms"] == 5  # KIP-1030
    assert kc.JAVA_PRODUCER_DEFAULTS["batch.size"] == 16384
    assert kc.JAVA_PRODUCER_DEFAULTS["enable.idempotence"] is True
    assert kc.JAVA_PRODUCER_DEFAULTS["acks"] == "all"
    assert kc.JAVA_PRODUCER_DEFAULTS["delivery.timeout.ms"] == 120000
    assert kc.JAVA_CONSUMER_DEFAULTS["isolation.level"] == "read_uncommitted"
    assert kc.JAVA_CONSUMER_DEFAULTS["group.protocol"] == "classic"


def test_java_vs_librdkafka_rows():
    rows = {r[0]: r for r in kc.java_vs_librdkafka_defaults()}
    assert all(len(r) == 4 for r in rows.values())
    assert rows["batch.size"][1:3] == (16384, 1000000)
    assert rows["enable.idempotence"][1:3] == (True, False)
    assert rows["linger.ms"][1:3] == (5, 5.0)
    assert rows["isolation.level"][1:3] == ("read_uncommitted", "read_committed")
    assert rows["fetch.max.wait.ms"][2] == 500
    assert rows["max.block.ms"][2] is None


def test_client_config_is_a_plain_dict_for_copying():
    conf = kc.validate_client_config({"linger.ms": 7}, "producer")
    dup = copy.copy(conf)
    assert dup["queue.buffering.max.ms"] == 7.0
    assert isinstance(conf, dict)
