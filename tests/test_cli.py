"""kafka-topics.sh / kafka-configs.sh output against a small fake AdminClient (confluent-kafka's API).

Expected texts come from Kafka 4.x's ``tools/.../TopicCommand.java`` and ``ConfigCommand.java``
and from real terminal transcripts of Kafka 4.x; see ``kafkalab/tools/``.
"""
from __future__ import annotations


import pytest

from kafkalab.tools import common, kafka_topics
from kafkalab.tools.common import CliResult, run_cli
from kafkalab.errors import (
    Err,
    InvalidPartitionsException,
    InvalidReplicationFactorException,
    KafkaError,
    TopicExistsException,
    UnknownTopicOrPartitionException,
)

BS = "kafka-1:9092"
TOPICS = "kafka-topics.sh --bootstrap-server kafka-1:9092 "
CONFIGS = "kafka-configs.sh --bootstrap-server kafka-1:9092 "
LOGGER = " (org.apache.kafka.tools.TopicCommand)\n"


# --------------------------------------------------------------------------------------------
# A fake confluent-kafka admin: the classes the CLI builds requests from, and an in-memory cluster


# The request and response types are the real ones; only the admin's behaviour is faked.
from kafkalab.clients.admin import (AlterConfigOpType, ClusterMetadata, ConfigEntry, ConfigSource, Node, TopicDescription, TopicMetadata, TopicPartitionInfo)


def node(broker_id: int) -> Node:
    return Node(broker_id, "kafka", 9092)


class Future:
    def __init__(self, value=None, exc=None):
        self.value, self.exc = value, exc

    def result(self, timeout=None):
        if self.exc is not None:
            raise self.exc
        return self.value


DEFAULTS = {n: "1" for n in common.TOPIC_CONFIG_NAMES}
DEFAULTS.update({"cleanup.policy": "delete", "retention.ms": "604800000", "min.insync.replicas": "1",
                 "unclean.leader.election.enable": "false", "segment.bytes": "1073741824"})
BROKER_KEYS = {"retention.ms": "log.retention.ms", "cleanup.policy": "log.cleanup.policy",
               "segment.bytes": "log.segment.bytes"}


class FakeAdmin:
    """Three brokers, topics in dicts; every call records itself in ``calls``."""

    def __init__(self, brokers=(1, 2, 3)):
        self.brokers = list(brokers)
        self.topics: dict[str, dict] = {}
        self.calls: list = []
        self.static: dict[str, str] = {}  # topic config name -> static broker value

    # -- helpers for tests --
    def add_topic(self, name, partitions=3, rf=3, configs=None, topic_id=None):
        parts = []
        for i in range(partitions):
            replicas = [self.brokers[(i + j) % len(self.brokers)] for j in range(rf)]
            parts.append({"leader": replicas[0], "replicas": replicas, "isr": list(replicas), "elr": [],
                          "lke": []})
        self.topics[name] = {"id": topic_id or f"id-{name}", "parts": parts, "configs": dict(configs or {})}

    # -- confluent-kafka API --
    def create_topics(self, new_topics, validate_only=False):
        self.calls.append(("create_topics", new_topics))
        out = {}
        for nt in new_topics:
            if nt.topic in self.topics:
                exc = TopicExistsException(KafkaError(Err.TOPIC_ALREADY_EXISTS, f"Topic '{nt.topic}' already exists."))
                out[nt.topic] = Future(exc=exc)
                continue
            rf = 1 if nt.replication_factor == -1 else nt.replication_factor
            if nt.replica_assignment is None and rf > len(self.brokers):
                exc = InvalidReplicationFactorException(KafkaError(
                    Err.INVALID_REPLICATION_FACTOR,
                    f"Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot "
                    f"be reached because only {len(self.brokers)} broker(s) are registered."))
                out[nt.topic] = Future(exc=exc)
                continue
            if nt.replica_assignment:
                self.add_topic(nt.topic, 0, 0, nt.config)
                for r in nt.replica_assignment:
                    self.topics[nt.topic]["parts"].append({"leader": r[0], "replicas": list(r), "isr": list(r),
                                                           "elr": [], "lke": []})
            else:
                n = 1 if nt.num_partitions == -1 else nt.num_partitions
                self.add_topic(nt.topic, n, rf, nt.config)
            out[nt.topic] = Future()
        return out

    def delete_topics(self, topics, operation_timeout=0):
        self.calls.append(("delete_topics", list(topics)))
        out = {}
        for t in topics:
            self.topics.pop(t, None)
            out[t] = Future()
        return out

    def create_partitions(self, new_partitions):
        self.calls.append(("create_partitions", new_partitions))
        out = {}
        for np in new_partitions:
            parts = self.topics[np.topic]["parts"]
            if np.new_total_count == len(parts):
                out[np.topic] = Future(exc=InvalidPartitionsException(KafkaError(
                    Err.INVALID_PARTITIONS, f"Topic already has {len(parts)} partition(s).")))
            elif np.new_total_count < len(parts):
                out[np.topic] = Future(exc=InvalidPartitionsException(KafkaError(
                    Err.INVALID_PARTITIONS, f"The topic {np.topic} currently has {len(parts)} partition(s); "
                                            f"{np.new_total_count} would not be an increase.")))
            else:
                for i in range(len(parts), np.new_total_count):
                    r = (np.replica_assignment or [])[i - len(parts)] if np.replica_assignment else \
                        [self.brokers[(i + j) % 3] for j in range(len(parts[0]["replicas"]))]
                    parts.append({"leader": r[0], "replicas": list(r), "isr": list(r), "elr": [], "lke": []})
                out[np.topic] = Future()
        return out

    def list_topics(self, topic=None, timeout=-1):
        self.calls.append(("list_topics",))
        return ClusterMetadata("fake", -1, {b: object() for b in self.brokers},
                               {n: TopicMetadata(n, {}) for n in self.topics})

    def describe_topics(self, topics, include_authorized_operations=False):
        self.calls.append(("describe_topics", list(topics.topic_names)))
        out = {}
        for n in topics.topic_names:
            t = self.topics.get(n)
            if t is None:
                out[n] = Future(exc=UnknownTopicOrPartitionException(KafkaError(
                    Err.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.")))
                continue
            parts = [TopicPartitionInfo(i, node(p["leader"]) if p["leader"] is not None else None,
                                        [node(b) for b in p["replicas"]], [node(b) for b in p["isr"]],
                                        None if p["elr"] is None else [node(b) for b in p["elr"]],
                                        None if p["lke"] is None else [node(b) for b in p["lke"]])
                     for i, p in enumerate(t["parts"])]
            out[n] = Future(TopicDescription(n, t["id"], n.startswith("__"), list(reversed(parts))))
        return out

    def describe_configs(self, resources):
        self.calls.append(("describe_configs", [r.name for r in resources]))
        out = {}
        for r in resources:
            t = self.topics.get(r.name)
            if t is None:
                out[r] = Future(exc=UnknownTopicOrPartitionException(KafkaError(
                    Err.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.")))
                continue
            entries = {}
            for name, default in DEFAULTS.items():
                synonyms = {}
                if name in t["configs"]:
                    synonyms[name] = ConfigEntry(name, t["configs"][name], ConfigSource.DYNAMIC_TOPIC_CONFIG)
                if name in self.static:
                    key = BROKER_KEYS.get(name, name)
                    synonyms[key + "#static"] = ConfigEntry(key, self.static[name], ConfigSource.STATIC_BROKER_CONFIG)
                synonyms[BROKER_KEYS.get(name, name) + "#default"] = ConfigEntry(BROKER_KEYS.get(name, name), default,
                                                                                ConfigSource.DEFAULT_CONFIG)
                if name in t["configs"]:
                    e = ConfigEntry(name, t["configs"][name], ConfigSource.DYNAMIC_TOPIC_CONFIG, synonyms=synonyms)
                elif name in self.static:
                    e = ConfigEntry(name, self.static[name], ConfigSource.STATIC_BROKER_CONFIG, synonyms=synonyms)
                else:
                    e = ConfigEntry(name, default, ConfigSource.DEFAULT_CONFIG, is_default=True, synonyms=synonyms)
                entries[name] = e
            out[r] = Future(entries)
        return out

    def incremental_alter_configs(self, resources):
        self.calls.append(("incremental_alter_configs", resources))
        out = {}
        for r in resources:
            t = self.topics.get(r.name)
            if t is None:
                out[r] = Future(exc=UnknownTopicOrPartitionException(KafkaError(
                    Err.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.")))
                continue
            for e in r.incremental_configs:
                if e.incremental_operation == AlterConfigOpType.DELETE:
                    t["configs"].pop(e.name, None)
                else:
                    t["configs"][e.name] = e.value
            out[r] = Future()
        return out


@pytest.fixture
def admin():
    return FakeAdmin()


@pytest.fixture
def cli(admin):
    servers = []

    def factory(bootstrap):
        servers.append(bootstrap)
        return admin

    def run(command):
        return run_cli(command, factory)

    run.servers = servers
    return run


# --------------------------------------------------------------------------------------------
# CliResult


def test_cli_result_prints_like_a_terminal():
    r = CliResult("Created topic t.\n", "oops\n", 1)
    assert str(r) == "Created topic t.\noops\n"
    assert repr(r) == str(r)
    assert not r.ok and CliResult("", "", 0).ok

    class P:
        def __init__(self):
            self.out = []

        def text(self, s):
            self.out.append(s)

    p = P()
    r._repr_pretty_(p, False)
    assert p.out == [str(r)]


# --------------------------------------------------------------------------------------------
# Shell parsing


def test_syllabus_paste_with_continuations_and_comments(cli, admin):
    """The interview guide's clickstream command, pasted verbatim (comment line, ``\\``, ``# 7 days``)."""
    r = cli("# Create the topic — 20 partitions, RF=3, min.insync.replicas=2\n"
            "kafka-topics.sh --bootstrap-server kafka-1:9092 \\\n"
            "--create --topic clickstream \\\n"
            "--partitions 20 \\\n"
            "--replication-factor 3 \\\n"
            "--config min.insync.replicas=2 \\\n"
            "--config retention.ms=604800000 # 7 days\n")
    assert (r.stdout, r.stderr, r.exit_code) == ("Created topic clickstream.\n", "", 0)
    (_, [nt]), = [c for c in admin.calls if c[0] == "create_topics"]
    assert (nt.topic, nt.num_partitions, nt.replication_factor) == ("clickstream", 20, 3)
    assert nt.config == {"min.insync.replicas": "2", "retention.ms": "604800000"}
    assert cli.servers == ["kafka-1:9092"]


def test_several_commands_run_in_order(cli):
    r = cli(TOPICS + "--create --topic a\n" + TOPICS + "--create --topic b\n" + TOPICS + "--list")
    assert r.stdout == "Created topic a.\nCreated topic b.\na\nb\n"


def test_unknown_command_is_a_shell_error(cli):
    r = cli("kafka-topcs.sh --list")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "bash: kafka-topcs.sh: command not found\n", 127)
    r = cli("bin/kafka-nope.sh --list")
    assert r.stderr == "bash: bin/kafka-nope.sh: No such file or directory\n" and r.exit_code == 127


def test_program_names_and_paths(cli):
    for prog in ("kafka-topics", "bin/kafka-topics.sh", "/opt/kafka/bin/kafka-topics.sh"):
        assert cli(f"{prog} --bootstrap-server {BS} --list").ok


def test_empty_command(cli):
    assert cli("   # nothing\n") == CliResult("", "", 0)


# --------------------------------------------------------------------------------------------
# kafka-topics.sh --create


def test_create_warns_about_period_and_underscore(cli):
    r = cli(TOPICS + "--create --topic sensor.alerts --partitions 1 --replication-factor 1")
    assert r.stdout == ("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') "
                        "could collide. To avoid issues it is best to use either, but not both.\n"
                        "Created topic sensor.alerts.\n")


def test_create_existing_topic_prints_kafkas_error(cli, admin):
    admin.add_topic("orders")
    r = cli(TOPICS + "--create --topic orders --partitions 3 --replication-factor 1")
    assert r.stdout == "Error while executing topic command : Topic 'orders' already exists.\n"
    assert r.stderr == "ERROR org.apache.kafka.common.errors.TopicExistsException: Topic 'orders' already exists.\n" \
                       + LOGGER
    assert r.exit_code == 1


def test_create_if_not_exists_is_silent(cli, admin):
    admin.add_topic("orders")
    r = cli(TOPICS + "--create --if-not-exists --topic orders --partitions 3")
    assert r == CliResult("", "", 0)
    assert any(c[0] == "create_topics" for c in admin.calls)  # the request is still sent


def test_create_replication_factor_too_large(cli):
    r = cli(TOPICS + "--create --topic t --partitions 3 --replication-factor 5")
    msg = ("Unable to replicate the partition 5 time(s): The target replication factor of 5 cannot be reached "
           "because only 3 broker(s) are registered.")
    assert r.stdout == f"Error while executing topic command : {msg}\n"
    assert r.stderr == f"ERROR org.apache.kafka.common.errors.InvalidReplicationFactorException: {msg}\n" + LOGGER


def test_create_without_counts_uses_broker_defaults(cli, admin):
    assert cli(TOPICS + "--create --topic t").ok
    nt = admin.calls[-1][1][0]
    assert (nt.num_partitions, nt.replication_factor, nt.replica_assignment) == (-1, -1, None)


@pytest.mark.parametrize("args,message", [
    ("--partitions 0", "The partitions must be greater than 0"),
    ("--replication-factor 0", "The replication factor must be between 1 and 32767 inclusive"),
    ("--replication-factor 40000", "The replication factor must be between 1 and 32767 inclusive"),
    ("--config retention.ms", ('requirement failed: Invalid topic config: all configs to be added must be in the '
                              'format "key=val".')),
    ("--config a=b=c", ('requirement failed: Invalid topic config: all configs to be added must be in the '
                       'format "key=val".')),
])
def test_create_client_side_checks(cli, admin, args, message):
    r = cli(TOPICS + "--create --topic t " + args)
    assert r.stdout == f"Error while executing topic command : {message}\n"
    assert r.stderr == f"ERROR java.lang.IllegalArgumentException: {message}\n" + LOGGER
    assert r.exit_code == 1 and not any(c[0] == "create_topics" for c in admin.calls)


def test_create_unknown_config_name(cli):
    r = cli(TOPICS + "--create --topic t --config retention.hours=5")
    assert r.stdout == "Error while executing topic command : Unknown topic config name: retention.hours\n"
    assert r.stderr.startswith("ERROR org.apache.kafka.common.errors.InvalidConfigurationException: ")


def test_create_config_value_of_wrong_type(cli):
    r = cli(TOPICS + "--create --topic t --config retention.ms=7d")
    msg = "Invalid value 7d for configuration retention.ms: Not a number of type LONG"
    assert r.stdout == f"Error while executing topic command : {msg}\n"
    assert r.stderr == f"ERROR org.apache.kafka.common.config.ConfigException: {msg}\n" + LOGGER
    r = cli(TOPICS + "--create --topic t --config unclean.leader.election.enable=yes")
    assert "Expected value to be either true or false" in r.stdout


def test_create_config_allows_spaces_around_equals(cli, admin):
    assert cli(TOPICS + "--create --topic t --config 'min.insync.replicas = 2'").ok
    assert admin.calls[-1][1][0].config == {"min.insync.replicas": "2"}


def test_create_with_replica_assignment(cli, admin):
    assert cli(TOPICS + "--create --topic t --replica-assignment 1:2,2:3,3:1").ok
    nt = admin.calls[-1][1][0]
    assert nt.replica_assignment == [[1, 2], [2, 3], [3, 1]] and nt.num_partitions == -1


@pytest.mark.parametrize("assignment,cls,message", [
    ("1:1,2:3", "org.apache.kafka.tools.AdminCommandFailedException",
     "Partition replica lists may not contain duplicate entries: 1"),
    ("1:2,3", "org.apache.kafka.tools.AdminOperationException", "Partition 1 has different replication factor: [3]"),
    ("1:x", "java.lang.NumberFormatException", 'For input string: "x"'),
])
def test_replica_assignment_errors(cli, assignment, cls, message):
    r = cli(TOPICS + f"--create --topic t --replica-assignment {assignment}")
    assert r.stdout == f"Error while executing topic command : {message}\n"
    assert r.stderr == f"ERROR {cls}: {message}\n" + LOGGER


def test_replica_assignment_excludes_counts_on_create(cli):
    r = cli(TOPICS + "--create --topic t --replica-assignment 1:2 --partitions 1")
    assert r.stderr.startswith('Option "[replica-assignment]" can\'t be used with option "[partitions]"\n')


def test_partitions_not_a_number(cli):
    r = cli(TOPICS + "--create --topic t --partitions three")
    assert r.stdout == "Error while executing topic command : Cannot parse argument 'three' of option partitions\n"
    assert r.stderr.startswith("ERROR joptsimple.OptionArgumentConversionException: ")


def test_topic_given_twice(cli):
    r = cli(TOPICS + "--create --topic a --topic b")
    assert r.stdout == ("Error while executing topic command : Found multiple arguments for option topic, but you "
                        "asked for only one\n")


# --------------------------------------------------------------------------------------------
# --alter


def test_alter_with_config_is_rejected_in_kafka_4(cli):
    """The guide's §durability example: 4.x TopicCommand refuses ``--alter --config`` before connecting."""
    r = cli("kafka-topics.sh --bootstrap-server kafka-1:9092 \\\n--alter --topic ledger \\\n"
            "--config min.insync.replicas=2 \\\n--config unclean.leader.election.enable=false")
    first, rest = r.stderr.split("\n", 1)
    assert first == ('Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" '
                     '(To alter topic configurations, the kafka-configs tool can be used.)')
    assert rest == common.format_help(kafka_topics.TOPIC_OPTIONS)
    assert r.stdout == "" and r.exit_code == 1
    assert cli.servers == []  # nothing was sent


def test_alter_partitions_is_silent(cli, admin):
    admin.add_topic("orders", partitions=3)
    r = cli(TOPICS + "--alter --topic orders --partitions 6")
    assert r == CliResult("", "", 0)
    np = next(c for c in admin.calls if c[0] == "create_partitions")[1][0]
    assert (np.topic, np.new_total_count, np.replica_assignment) == ("orders", 6, None)


def test_alter_cannot_decrease(cli, admin):
    admin.add_topic("orders", partitions=3)
    r = cli(TOPICS + "--alter --topic orders --partitions 2")
    msg = "The topic orders currently has 3 partition(s); 2 would not be an increase."
    assert r.stdout == f"Error while executing topic command : {msg}\n"
    assert r.stderr == f"ERROR org.apache.kafka.common.errors.InvalidPartitionsException: {msg}\n" + LOGGER


def test_alter_with_replica_assignment_sends_only_new_partitions(cli, admin):
    admin.add_topic("orders", partitions=2)
    assert cli(TOPICS + "--alter --topic orders --partitions 3 --replica-assignment 1:2,2:3,3:1").ok
    np = next(c for c in admin.calls if c[0] == "create_partitions")[1][0]
    assert np.replica_assignment == [[3, 1]]


def test_alter_needs_partitions_and_a_topic(cli):
    r = cli(TOPICS + "--alter --topic orders")
    assert r.stderr.startswith('Missing required argument "[partitions]"\nOption ')
    r = cli(TOPICS + "--alter --partitions 3")
    assert r.stderr.startswith('Missing required argument "[topic]"\n')


def test_alter_missing_topic(cli):
    r = cli(TOPICS + "--alter --topic nope --partitions 3")
    assert r.stdout == "Error while executing topic command : Topic 'nope' does not exist as expected\n"
    assert r.stderr == "ERROR java.lang.IllegalArgumentException: Topic 'nope' does not exist as expected\n" + LOGGER
    assert cli(TOPICS + "--alter --topic nope --partitions 3 --if-exists") == CliResult("", "", 0)


def test_delete_config_option_is_deprecated(cli, admin):
    admin.add_topic("orders")
    r = cli(TOPICS + "--alter --topic orders --partitions 4 --delete-config retention.ms")
    assert r.stderr == ("delete-config option is no longer supported and deprecated since version 4.0. The config "
                        "will be fully removed in future releases.\n")
    assert r.exit_code == 0


# --------------------------------------------------------------------------------------------
# --list / --delete


def test_list_sorted_with_internal_topics(cli, admin):
    for t in ("orders", "__consumer_offsets", "clicks"):
        admin.add_topic(t, 1, 1)
    assert cli(TOPICS + "--list").stdout == "__consumer_offsets\nclicks\norders\n"
    assert cli(TOPICS + "--list --exclude-internal").stdout == "clicks\norders\n"
    assert cli(TOPICS + "--list --topic 'c.*'").stdout == "clicks\n"


def test_list_empty_cluster_prints_an_empty_line(cli):
    assert cli(TOPICS + "--list") == CliResult("\n", "", 0)


def test_delete(cli, admin):
    admin.add_topic("orders")
    assert cli(TOPICS + "--delete --topic orders") == CliResult("", "", 0)
    assert "orders" not in admin.topics
    r = cli(TOPICS + "--delete --topic orders")
    assert r.stdout == "Error while executing topic command : Topic 'orders' does not exist as expected\n"
    assert r.exit_code == 1
    assert cli(TOPICS + "--delete --topic orders --if-exists") == CliResult("", "", 0)


def test_delete_by_regex(cli, admin):
    for t in ("tmp-1", "tmp-2", "keep"):
        admin.add_topic(t, 1, 1)
    assert cli(TOPICS + '--delete --topic "tmp-.*"').ok
    assert sorted(admin.topics) == ["keep"]


def test_invalid_regex(cli, admin):
    admin.add_topic("t", 1, 1)
    r = cli(TOPICS + "--list --topic '('")
    assert r.stdout == "Error while executing topic command : ( is an invalid regex.\n"
    assert r.stderr == "ERROR java.lang.RuntimeException: ( is an invalid regex.\n" + LOGGER


# --------------------------------------------------------------------------------------------
# --describe


def test_describe_layout(cli, admin):
    admin.add_topic("orders", partitions=3, rf=3, configs={"min.insync.replicas": "2"}, topic_id="w_H_w3F-S5qbT7PtD_vEyw")
    r = cli(TOPICS + "--describe --topic orders")
    assert r.stdout == (
        "Topic: orders\tTopicId: w_H_w3F-S5qbT7PtD_vEyw\tPartitionCount: 3\tReplicationFactor: 3\t"
        "Configs: min.insync.replicas=2\n"
        "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tElr: \tLastKnownElr: \n"
        "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: \tLastKnownElr: \n"
        "\tTopic: orders\tPartition: 2\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,1,2\tElr: \tLastKnownElr: \n")
    assert r.stderr == "" and r.exit_code == 0


def test_describe_configs_in_kafkas_hashmap_order(cli, admin):
    """A real 4.x transcript printed ``Configs: min.insync.replicas=3,cleanup.policy=delete,
    segment.bytes=1073741824,retention.ms=2592000000,unclean.leader.election.enable=false``."""
    cfg = {"retention.ms": "2592000000", "unclean.leader.election.enable": "false", "segment.bytes": "1073741824",
           "cleanup.policy": "delete", "min.insync.replicas": "3"}
    admin.add_topic("order.paid", configs=cfg)
    header = cli(TOPICS + "--describe --topic order.paid").stdout.split("\n")[0]
    assert header.endswith("\tConfigs: min.insync.replicas=3,cleanup.policy=delete,segment.bytes=1073741824,"
                           "retention.ms=2592000000,unclean.leader.election.enable=false")


def test_describe_lists_static_broker_overrides_too(cli, admin):
    """Only ``DEFAULT_CONFIG`` entries are left out (``ConfigEntry.isDefault()``), as in the quickstart's
    ``Configs: segment.bytes=1073741824``."""
    admin.static["segment.bytes"] = "1073741824"
    admin.add_topic("quickstart-events", 1, 1)
    assert "\tConfigs: segment.bytes=1073741824\n" in cli(TOPICS + "--describe --topic quickstart-events").stdout


def test_describe_offline_leader_and_elr(cli, admin):
    admin.add_topic("t", 2, 3, configs={"min.insync.replicas": "2"})
    p0, p1 = admin.topics["t"]["parts"]
    p0.update(leader=None, isr=[], elr=[2, 3], lke=[1])
    p1.update(elr=None, lke=None)  # a null list (Metadata API) prints N/A
    out = cli(TOPICS + "--describe --topic t").stdout.splitlines()
    assert out[1] == "\tTopic: t\tPartition: 0\tLeader: none\tReplicas: 1,2,3\tIsr: \tElr: 2,3\tLastKnownElr: 1"
    assert out[2] == "\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: N/A\tLastKnownElr: N/A"


def test_describe_missing_elr_attributes_print_empty():
    class P:
        id, leader, replicas, isr = 0, node(1), [node(1)], [node(1)]

    assert kafka_topics._elr_text(P(), "elr") == "" and kafka_topics._elr_text(P(), "last_known_elr") == ""


def _headers(r):
    return [l.split("\t")[0][len("Topic: "):] for l in r.stdout.splitlines() if l.startswith("Topic:")]


def test_describe_all_topics_in_hashmap_order(cli, admin):
    """Several topics print in the admin client's ``HashMap`` order: with 3 names the table has 4
    buckets and topic-1 (bucket 3) comes after topic-2 (0) and topic-3 (1); with a 4th name it grows
    to 8 buckets (3, 4, 5, 6)."""
    for t in ("topic-1", "topic-2", "topic-3"):
        admin.add_topic(t, 1, 1)
    assert _headers(cli(TOPICS + "--describe")) == ["topic-2", "topic-3", "topic-1"]
    admin.add_topic("__consumer_offsets", 1, 1)
    assert _headers(cli(TOPICS + "--describe")) == ["topic-1", "topic-2", "topic-3", "__consumer_offsets"]
    assert _headers(cli(TOPICS + "--describe --exclude-internal")) == ["topic-2", "topic-3", "topic-1"]


def test_describe_regex(cli, admin):
    for t in ("sensor.readings", "sensor.alerts", "orders"):
        admin.add_topic(t, 1, 1)
    headers = [l.split("\t")[0] for l in cli(TOPICS + "--describe --topic 'sensor\\..*'").stdout.splitlines()
               if l.startswith("Topic:")]
    assert headers == ["Topic: sensor.alerts", "Topic: sensor.readings"]


def test_describe_missing_topic(cli):
    r = cli(TOPICS + "--describe --topic nope")
    assert r.stdout == "Error while executing topic command : Topic 'nope' does not exist as expected\n"
    assert r.exit_code == 1
    assert cli(TOPICS + "--describe --topic nope --if-exists") == CliResult("", "", 0)
    r = cli(TOPICS + "--describe --if-exists")
    assert r.stderr.startswith("--topic or --topic-id is required to describe a topic\n")


def test_describe_topic_id(cli, admin):
    admin.add_topic("a", 1, 1, topic_id="AAAAAAAAAAAAAAAAAAAAAQ")
    admin.add_topic("b", 1, 1, topic_id="BBBBBBBBBBBBBBBBBBBBBQ")
    out = cli(TOPICS + "--describe --topic-id BBBBBBBBBBBBBBBBBBBBBQ").stdout
    assert out.startswith("Topic: b\tTopicId: BBBBBBBBBBBBBBBBBBBBBQ") and "Topic: a" not in out
    r = cli(TOPICS + "--describe --topic-id CCCCCCCCCCCCCCCCCCCCCQ")
    assert r.stdout == "Error while executing topic command : TopicId 'CCCCCCCCCCCCCCCCCCCCCQ' does not exist as expected\n"


def _under_replicated_cluster(admin):
    admin.add_topic("t", 4, 3, configs={"min.insync.replicas": "2"})
    parts = admin.topics["t"]["parts"]
    parts[1]["isr"] = parts[1]["replicas"][:2]      # at min ISR, under-replicated
    parts[2]["isr"] = parts[2]["replicas"][:1]      # under min ISR
    parts[3].update(leader=None, isr=[])            # offline
    admin.add_topic("healthy", 1, 3)


@pytest.mark.parametrize("flag,partitions", [
    ("--under-replicated-partitions", [1, 2, 3]),
    ("--under-min-isr-partitions", [2, 3]),
    ("--at-min-isr-partitions", [1]),
    ("--unavailable-partitions", [3]),
])
def test_describe_partition_filters(cli, admin, flag, partitions):
    _under_replicated_cluster(admin)
    lines = cli(TOPICS + "--describe " + flag).stdout.splitlines()
    assert all(l.startswith("\tTopic: t\t") for l in lines)  # no topic headers, only matching partitions
    assert [int(l.split("\tPartition: ")[1].split("\t")[0]) for l in lines] == partitions


def test_describe_unavailable_when_leader_not_live(cli, admin):
    admin.add_topic("t", 1, 3)
    admin.brokers = [2, 3]  # broker 1 is not registered any more
    assert "Partition: 0\tLeader: 1" in cli(TOPICS + "--describe --unavailable-partitions").stdout


def test_describe_topics_with_overrides(cli, admin):
    admin.add_topic("plain", 1, 1)
    admin.add_topic("tuned", 1, 1, configs={"retention.ms": "1000"})
    r = cli(TOPICS + "--describe --topics-with-overrides")
    assert r.stdout == ("Topic: tuned\tTopicId: id-tuned\tPartitionCount: 1\tReplicationFactor: 1\t"
                        "Configs: retention.ms=1000\n")


def test_describe_is_deterministic(cli, admin):
    _under_replicated_cluster(admin)
    assert cli(TOPICS + "--describe") == cli(TOPICS + "--describe")


# --------------------------------------------------------------------------------------------
# Usage errors (CommandLineUtils.printUsageAndExit / joptsimple)


def _first_line(r):
    return r.stderr.split("\n", 1)[0]


@pytest.mark.parametrize("args,message", [
    ("--bootstrap-server kafka-1:9092 --topic t", ("Command must include exactly one action: --list, --describe, "
                                                  "--create, --alter or --delete")),
    ("--bootstrap-server kafka-1:9092 --list --describe", ("Command must include exactly one action: --list, "
                                                          "--describe, --create, --alter or --delete")),
    ("--bootstrap-server kafka-1:9092 --create --partitions 3", 'Missing required argument "[topic]"'),
    ("--bootstrap-server kafka-1:9092 --describe --partitions 3", ('Option "[partitions]" can\'t be used with option '
                                                                  '"[describe]"')),
    ("--bootstrap-server kafka-1:9092 --alter --topic t --partitions 3 --replication-factor 2",
     'Option "[replication-factor]" can\'t be used with option "[alter]"'),
    ("--bootstrap-server kafka-1:9092 --describe --if-not-exists", ('Option "[if-not-exists]" can\'t be used with '
                                                                   'option "[describe]"')),
    ("--bootstrap-server kafka-1:9092 --create --topic t --if-exists", ('Option "[if-exists]" can\'t be used with '
                                                                       'option "[create]"')),
    ("--bootstrap-server kafka-1:9092 --delete --topic t --exclude-internal",
     'Option "[exclude-internal]" can\'t be used with option "[delete]"'),
    ("--bootstrap-server kafka-1:9092 --describe --under-replicated-partitions --topics-with-overrides",
     'Option "[under-replicated-partitions]" can\'t be used with option "[topics-with-overrides]"'),
    ("--help", "This tool helps to create, delete, describe, or change a topic."),
    ("", "Create, delete, describe, or change a topic."),
])
def test_usage_errors(cli, args, message):
    r = cli("kafka-topics.sh " + args)
    assert _first_line(r) == message
    assert r.stderr == message + "\n" + common.format_help(kafka_topics.TOPIC_OPTIONS)
    assert (r.stdout, r.exit_code) == ("", 1)
    assert cli.servers == []


def test_unrecognized_option(cli):
    r = cli("kafka-topics.sh --zookeeper localhost:2181 --list")
    assert r.stderr == ("zookeeper is not a recognized option\n"
                        "joptsimple.UnrecognizedOptionException: zookeeper is not a recognized option\n\n")
    assert r.exit_code == 1


def test_missing_bootstrap_server(cli):
    r = cli("kafka-topics.sh --list")
    assert r.stderr == ("--bootstrap-server must be specified\n"
                        "java.lang.IllegalArgumentException: --bootstrap-server must be specified\n\n")
    assert r.exit_code == 1


def test_option_missing_its_argument(cli):
    r = cli(TOPICS + "--create --topic")
    assert r.stderr.startswith("Option topic requires an argument\njoptsimple.OptionMissingRequiredArgumentException")


def test_equals_and_single_dash_forms(cli, admin):
    assert cli("kafka-topics.sh --bootstrap-server=kafka-1:9092 --create --topic=t -partitions 2 "
               "--replication-factor=1").ok
    nt = admin.calls[-1][1][0]
    assert (nt.topic, nt.num_partitions, nt.replication_factor) == ("t", 2, 1)


def test_version(cli):
    assert cli("kafka-topics.sh --version") == CliResult(common.KAFKA_VERSION + "\n", "", 0)


# --------------------------------------------------------------------------------------------
# The help table (jopt-simple BuiltinHelpFormatter)


# Kafka 4.0's `kafka-topics` help, as a terminal printed it (lines right-stripped).  4.0's --topic and
# --if-not-exists descriptions differed from the 4.x trunk the CLI follows, so the test swaps them in.
HELP_4_0 = """\
Option                                   Description
------                                   -----------
--alter                                  Alter the number of partitions and
                                           replica assignment. (To alter topic
                                           configurations, the kafka-configs
                                           tool can be used.)
--at-min-isr-partitions                  If set when describing topics, only
                                           show partitions whose isr count is
                                           equal to the configured minimum.
--bootstrap-server <String: server to    REQUIRED: The Kafka server to connect
  connect to>                              to.
--command-config <String: command        Property file containing configs to be
  config property file>                    passed to Admin Client.
--config <String: name=value>            A topic configuration override for the
                                           topic being created. The following
                                           is a list of valid configurations:
                                         \tcleanup.policy
                                         \tcompression.gzip.level
                                         \tcompression.lz4.level
                                         \tcompression.type
                                         \tcompression.zstd.level
                                         \tdelete.retention.ms
                                         \tfile.delete.delay.ms
                                         \tflush.messages
                                         \tflush.ms
                                         \tfollower.replication.throttled.
                                           replicas
                                         \tindex.interval.bytes
                                         \tleader.replication.throttled.replicas
                                         \tlocal.retention.bytes
                                         \tlocal.retention.ms
                                         \tmax.compaction.lag.ms
                                         \tmax.message.bytes
                                         \tmessage.timestamp.after.max.ms
                                         \tmessage.timestamp.before.max.ms
                                         \tmessage.timestamp.type
                                         \tmin.cleanable.dirty.ratio
                                         \tmin.compaction.lag.ms
                                         \tmin.insync.replicas
                                         \tpreallocate
                                         \tremote.log.copy.disable
                                         \tremote.log.delete.on.disable
                                         \tremote.storage.enable
                                         \tretention.bytes
                                         \tretention.ms
                                         \tsegment.bytes
                                         \tsegment.index.bytes
                                         \tsegment.jitter.ms
                                         \tsegment.ms
                                         \tunclean.leader.election.enable
                                         See the Kafka documentation for full
                                           details on the topic configs. It is
                                           supported only in combination with --
                                           create. (To alter topic
                                           configurations, the kafka-configs
                                           tool can be used.)
--create                                 Create a new topic.
--delete                                 Delete a topic.
--delete-config <String: name>           This option is no longer supported and
                                           has been deprecated since 4.0
--describe                               List details for the given topics.
--exclude-internal                       Exclude internal topics when listing
                                           or describing topics. By default,
                                           the internal topics are included.
--help                                   Print usage information.
--if-exists                              If set when altering or deleting or
                                           describing topics, the action will
                                           only execute if the topic exists.
--if-not-exists                          If set when creating topics, the
                                           action will only execute if the
                                           topic does not already exist.
--list                                   List all available topics.
--partition-size-limit-per-response      The maximum partition size to be
  <Integer: maximum number of              included in one
  partitions per response>                 DescribeTopicPartitions response.
--partitions <Integer: # of partitions>  The number of partitions for the topic
                                           being created or altered. If not
                                           supplied with --create, the topic
                                           uses the cluster default. (WARNING:
                                           If partitions are increased for a
                                           topic that has a key, the partition
                                           logic or ordering of the messages
                                           will be affected).
--replica-assignment <String:            A list of manual partition-to-broker
  broker_id_for_part1_replica1 :           assignments for the topic being
  broker_id_for_part1_replica2 ,           created or altered.
  broker_id_for_part2_replica1 :
  broker_id_for_part2_replica2 , ...>
--replication-factor <Integer:           The replication factor for each
  replication factor>                      partition in the topic being
                                           created. If not supplied, the topic
                                           uses the cluster default.
--topic <String: topic>                  The topic to create, alter, describe
                                           or delete. It also accepts a regular
                                           expression, except for --create
                                           option. Put topic name in double
                                           quotes and use the '\\' prefix to
                                           escape regular expression symbols; e.
                                           g. "test\\.topic".
--topic-id <String: topic-id>            The topic-id to describe.
--topics-with-overrides                  If set when describing topics, only
                                           show topics that have overridden
                                           configs.
--unavailable-partitions                 If set when describing topics, only
                                           show partitions whose leader is not
                                           available.
--under-min-isr-partitions               If set when describing topics, only
                                           show partitions whose isr count is
                                           less than the configured minimum.
--under-replicated-partitions            If set when describing topics, only
                                           show under-replicated partitions.
--version                                Display Kafka version.
"""


def test_help_table_matches_kafka_4_0():
    from dataclasses import replace

    old = {"topic": "The topic to create, alter, describe or delete. It also accepts a regular expression, except "
                    "for --create option. Put topic name in double quotes and use the '\\' prefix to escape regular "
                    "expression symbols; e.g. \"test\\.topic\".",
           "if-not-exists": "If set when creating topics, the action will only execute if the topic does not "
                            "already exist."}
    options = [replace(o, description=old.get(o.name, o.description)) for o in kafka_topics.TOPIC_OPTIONS]
    text = common.format_help(options)
    assert all(len(line) == 80 for line in text.splitlines())  # padded like jopt-simple's Rows.render
    assert [line.rstrip() for line in text.splitlines()] == HELP_4_0.splitlines()


# --------------------------------------------------------------------------------------------
# kafka-configs.sh


def test_configs_describe_alter_delete_roundtrip(cli, admin):
    admin.add_topic("configured-topic", 1, 1)
    r = cli(CONFIGS + "--entity-type topics --entity-name configured-topic --describe")
    assert r == CliResult("Dynamic configs for topic configured-topic are:\n", "", 0)

    r = cli(CONFIGS + "--entity-type topics --entity-name configured-topic --alter --add-config min.insync.replicas=2")
    assert r == CliResult("Completed updating config for topic configured-topic.\n", "", 0)

    r = cli(CONFIGS + "--entity-type topics --entity-name configured-topic --describe")
    assert r.stdout == ("Dynamic configs for topic configured-topic are:\n"
                        "  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2, "
                        "DEFAULT_CONFIG:min.insync.replicas=1}\n")

    r = cli(CONFIGS + "--entity-type topics --entity-name configured-topic --alter --delete-config min.insync.replicas")
    assert r.stdout == "Completed updating config for topic configured-topic.\n"
    assert admin.topics["configured-topic"]["configs"] == {}


def test_configs_add_config_list_syntax_and_sorting(cli, admin):
    admin.add_topic("t", 1, 1)
    admin.static["retention.ms"] = "604800000"
    r = cli(CONFIGS + "--alter --entity-type topics --entity-name t "
                      "--add-config 'retention.ms=86400000, cleanup.policy=[compact,delete],max.message.bytes=2097152'")
    assert r.ok, r
    assert admin.topics["t"]["configs"] == {"retention.ms": "86400000", "cleanup.policy": "compact,delete",
                                            "max.message.bytes": "2097152"}
    ops = admin.calls[-1][1][0].incremental_configs
    assert {(e.name, e.incremental_operation) for e in ops} == {
        ("retention.ms", AlterConfigOpType.SET), ("cleanup.policy", AlterConfigOpType.SET),
        ("max.message.bytes", AlterConfigOpType.SET)}
    lines = cli(CONFIGS + "--describe --entity-type topics --entity-name t").stdout.splitlines()
    assert lines == [
        "Dynamic configs for topic t are:",
        ("  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, "
        "DEFAULT_CONFIG:log.cleanup.policy=delete}"),
        ("  max.message.bytes=2097152 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=2097152, "
        "DEFAULT_CONFIG:max.message.bytes=1}"),
        ("  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000, "
        "STATIC_BROKER_CONFIG:log.retention.ms=604800000, DEFAULT_CONFIG:log.retention.ms=604800000}"),
    ]


def test_configs_topic_flag_and_all(cli, admin):
    admin.add_topic("t", 1, 1, configs={"retention.ms": "1000"})
    assert cli(CONFIGS + "--topic t --alter --add-config segment.ms=5000").stdout == \
        "Completed updating config for topic t.\n"
    out = cli(CONFIGS + "--topic t --describe --all").stdout.splitlines()
    assert out[0] == "All configs for topic t are:"
    assert len(out) == 1 + len(common.TOPIC_CONFIG_NAMES)
    assert out[1].startswith("  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy")


def test_configs_describe_missing_topic(cli):
    r = cli(CONFIGS + "--entity-type topics --entity-name nope --describe")
    assert r == CliResult("The topic 'nope' doesn't exist and doesn't have dynamic config.\n", "", 0)


def test_configs_describe_all_topics(cli, admin):
    admin.add_topic("a", 1, 1)
    admin.add_topic("b", 1, 1, configs={"retention.ms": "5"})
    out = cli(CONFIGS + "--entity-type topics --describe").stdout
    assert "Dynamic configs for topic a are:\n" in out and "  retention.ms=5 sensitive=false" in out


def test_configs_alter_missing_topic(cli):
    r = cli(CONFIGS + "--entity-type topics --entity-name nope --alter --add-config retention.ms=1")
    assert r.stdout == "" and r.exit_code == 1
    assert r.stderr == (
        "Error while executing config command with args '--bootstrap-server kafka-1:9092 --entity-type topics "
        "--entity-name nope --alter --add-config retention.ms=1'\n"
        "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "
        "This server does not host this topic-partition.\n"
        "Caused by: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this "
        "topic-partition.\n")


def test_configs_delete_config_that_is_not_set(cli, admin):
    admin.add_topic("t", 1, 1, configs={"retention.ms": "5"})
    r = cli(CONFIGS + "--entity-type topics --entity-name t --alter --delete-config segment.ms,retention.ms")
    assert r == CliResult("", "Invalid config(s): segment.ms\n", 1)
    assert admin.topics["t"]["configs"] == {"retention.ms": "5"}  # nothing was sent


@pytest.mark.parametrize("args,message", [
    ("--entity-type topics --entity-name t", None),
    ("--entity-type topics --alter --add-config a=1", "An entity name must be specified with --alter of topics"),
    ("--entity-type topics --entity-name t --alter", ("At least one of --add-config, --add-config-file, or "
                                                     "--delete-config must be specified with --alter")),
    ("--entity-type topic --entity-name t --describe", ("Invalid entity type topic, the entity type must be one of "
                                                       "broker-loggers, topics, clients, users, brokers, ips, "
                                                       "client-metrics, groups with a --bootstrap-server or "
                                                       "--bootstrap-controller argument")),
    ("--entity-type topics --entity-default --describe", ("--entity-default must not be specified with --describe of "
                                                         "topics")),
    ("--entity-type topics --topic t --describe", "Duplicate entity type(s) specified: topics"),
    ("--entity-name x --topic t --describe", ("--entity-{type,name,default} should not be used in conjunction "
                                             "with specific entity flags")),
    ("--entity-type topics --entity-name t --alter --add-config a", ('Invalid entity config: all configs to be added '
                                                                    'must be in the format "key=val" or  '
                                                                    '"key=[val1,val2]" to group values which contain '
                                                                    'commas.')),
    ("--describe", "At least one entity type must be specified"),
])
def test_configs_argument_errors(cli, admin, args, message):
    admin.add_topic("t", 1, 1)
    r = cli(CONFIGS + args)
    assert r.exit_code == 1 and r.stdout == ""
    if message is None:
        assert r.stderr.startswith("Command must include exactly one action: --describe, --alter\nOption ")
    else:
        assert r.stderr == message + "\n"


def test_configs_needs_bootstrap(cli):
    r = cli("kafka-configs.sh --entity-type topics --entity-name t --describe")
    assert r == CliResult("", "Either --bootstrap-server or --bootstrap-controller must be specified.\n", 1)


def test_configs_help_lists_topic_configs(cli):
    r = cli("kafka-configs.sh --help")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert lines[0] == ("This tool helps to manipulate and describe entity config for a topic, client, user, broker, "
                        "ip, client-metrics or group")
    assert lines[1].startswith("Option ") and "--add-config <String>" in r.stderr


def test_configs_other_entity_types_are_not_simulated(cli):
    r = cli(CONFIGS + "--entity-type brokers --entity-default --describe")
    assert r.exit_code == 1 and "not simulated" in r.stderr


# --------------------------------------------------------------------------------------------
# Java collection orders


def test_java_string_hash():
    assert common._java_string_hash("") == 0
    assert common._signed(common._java_string_hash("hello")) == 99162322  # "hello".hashCode()
    assert common._signed(common._java_string_hash("Kafka")) == 72255238  # "Kafka".hashCode()


def test_java_hashmap_small_ints_like_java():
    # Integer keys hash to themselves: a HashMap iterates them in bucket (= numeric) order
    assert common._hashmap_order([5, 3, 17, 1], hash_of=lambda i: i) == [17, 1, 3, 5]


def test_bootstrap_server_given_twice(cli):
    r = cli(TOPICS + "--bootstrap-server kafka-2:9092 --list")
    assert r.stderr == ("Found multiple arguments for option bootstrap-server, but you asked for only one\n"
                        "joptsimple.MultipleArgumentsForOptionException: Found multiple arguments for option "
                        "bootstrap-server, but you asked for only one\n\n")
    assert r.exit_code == 1
