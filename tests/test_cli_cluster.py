"""``Cluster.cli``: the Kafka 4.x command lines from the interview guide against a simulated cluster.

The texts are Kafka 4.x's (``TopicCommand.java`` / ``ConfigCommand.java``); ``tests/test_cli.py``
checks the CLI alone against a fake admin, these check it with the real ``AdminClient`` and cluster.
"""
from __future__ import annotations

import re

import pytest

from kafkalab import Cluster
from kafkalab.tools import CliResult

TOPICS = "kafka-topics.sh --bootstrap-server kafka-1:9092 "
CONFIGS = "kafka-configs.sh --bootstrap-server kafka-1:9092 "

CLICKSTREAM = """\
# Create the topic — 20 partitions, RF=3, min.insync.replicas=2
kafka-topics.sh --bootstrap-server kafka-1:9092 \\
--create --topic clickstream \\
--partitions 20 \\
--replication-factor 3 \\
--config min.insync.replicas=2 \\
--config retention.ms=604800000 # 7 days
"""

PARTITION_LINE = re.compile(r"\tTopic: (\S+)\tPartition: (\d+)\tLeader: (\d+|none)\tReplicas: ([\d,]+)\tIsr: ([\d,]*)"
                            r"\tElr: ([\d,]*|N/A)\tLastKnownElr: ([\d,]*|N/A)")


@pytest.fixture
def cluster():
    return Cluster(brokers=3, seed=1)


def _configs(header: str) -> dict:
    text = header.split("\tConfigs: ", 1)[1]
    return dict(kv.split("=", 1) for kv in text.split(",")) if text else {}


def test_create_from_the_syllabus(cluster):
    r = cluster.cli(CLICKSTREAM)
    assert r == CliResult("Created topic clickstream.\n", "", 0)
    assert cluster.topic_config("clickstream")["min.insync.replicas"] == 2
    assert len(cluster.describe("clickstream").partitions) == 20


def test_describe_layout(cluster):
    cluster.cli(TOPICS + "--create --topic orders --partitions 3 --replication-factor 3")
    r = cluster.cli(TOPICS + "--describe --topic orders")
    assert r.ok and r.stderr == ""
    header, *parts = r.stdout.splitlines()
    topic_id = cluster.describe("orders").topic_id
    assert header.startswith(f"Topic: orders\tTopicId: {topic_id}\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: ")
    assert len(parts) == 3
    for i, line in enumerate(parts):
        m = PARTITION_LINE.fullmatch(line)
        assert m, line
        name, pid, leader, replicas, isr, elr, lke = m.groups()
        p = cluster.describe("orders").partitions[i]
        assert (name, int(pid), int(leader)) == ("orders", i, p.leader)
        assert replicas == ",".join(map(str, p.replicas)) and isr == ",".join(map(str, p.isr))
        assert (elr, lke) == ("", "")  # ELR off: DescribeTopicPartitions returns empty lists
    assert r.stdout.endswith("\tElr: \tLastKnownElr: \n")


def test_describe_shows_only_overridden_configs(cluster):
    """``Configs:`` lists entries whose ``isDefault()`` is false: the topic's own overrides here."""
    cluster.cli(CLICKSTREAM)
    header = cluster.cli(TOPICS + "--describe --topic clickstream").stdout.splitlines()[0]
    assert _configs(header) == {"min.insync.replicas": "2", "retention.ms": "604800000"}


def test_duplicate_create(cluster):
    cluster.cli(TOPICS + "--create --topic orders --partitions 3 --replication-factor 3")
    r = cluster.cli(TOPICS + "--create --topic orders --partitions 3 --replication-factor 3")
    assert r.stdout == "Error while executing topic command : Topic 'orders' already exists.\n"
    assert r.stderr == ("ERROR org.apache.kafka.common.errors.TopicExistsException: Topic 'orders' already exists.\n"
                        " (org.apache.kafka.tools.TopicCommand)\n")
    assert r.exit_code == 1
    assert cluster.cli(TOPICS + "--create --if-not-exists --topic orders --partitions 3") == CliResult("", "", 0)


def test_alter_config_is_rejected_then_kafka_configs_works(cluster):
    """The guide's ``--alter --config`` example fails in Kafka 4.x; ``kafka-configs.sh`` is the fix."""
    cluster.cli(TOPICS + "--create --topic ledger --partitions 3 --replication-factor 3")
    r = cluster.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 \\\n--alter --topic ledger \\\n"
                    "--config min.insync.replicas=2 \\\n--config unclean.leader.election.enable=false")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith('Option combination "[[bootstrap-server], [config]]" can\'t be used with option '
                               '"[alter]" (To alter topic configurations, the kafka-configs tool can be used.)\n')
    assert cluster.topic_config("ledger")["min.insync.replicas"] == 1  # unchanged

    r = cluster.cli(CONFIGS + "--alter --entity-type topics --entity-name ledger "
                              "--add-config min.insync.replicas=2,unclean.leader.election.enable=false")
    assert r == CliResult("Completed updating config for topic ledger.\n", "", 0)
    assert cluster.topic_config("ledger")["min.insync.replicas"] == 2

    lines = cluster.cli(CONFIGS + "--describe --entity-type topics --entity-name ledger").stdout.splitlines()
    assert lines[0] == "Dynamic configs for topic ledger are:"
    assert [l.split("=")[0].strip() for l in lines[1:]] == ["min.insync.replicas", "unclean.leader.election.enable"]
    assert lines[1].startswith("  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                               "min.insync.replicas=2")

    r = cluster.cli(CONFIGS + "--alter --entity-type topics --entity-name ledger --delete-config min.insync.replicas")
    assert r.stdout == "Completed updating config for topic ledger.\n"
    assert cluster.topic_config("ledger")["min.insync.replicas"] == 1


def test_alter_partitions_and_list_and_delete(cluster):
    cluster.cli(TOPICS + "--create --topic orders --partitions 3 --replication-factor 2")
    assert cluster.cli(TOPICS + "--alter --topic orders --partitions 6") == CliResult("", "", 0)
    assert len(cluster.describe("orders").partitions) == 6
    r = cluster.cli(TOPICS + "--alter --topic orders --partitions 2")
    assert r.exit_code == 1 and r.stdout.startswith("Error while executing topic command : ")
    assert "org.apache.kafka.common.errors.InvalidPartitionsException: " in r.stderr

    cluster.cli(TOPICS + "--create --topic clicks --partitions 1 --replication-factor 1")
    assert cluster.cli(TOPICS + "--list --exclude-internal").stdout == "clicks\norders\n"
    assert cluster.cli(TOPICS + "--delete --topic clicks") == CliResult("", "", 0)
    assert "clicks" not in cluster.topics()
    r = cluster.cli(TOPICS + "--delete --topic clicks")
    assert r.stdout == "Error while executing topic command : Topic 'clicks' does not exist as expected\n"


def test_replication_factor_larger_than_cluster(cluster):
    r = cluster.cli(TOPICS + "--create --topic big --partitions 1 --replication-factor 5")
    assert r.exit_code == 1
    assert r.stderr.startswith("ERROR org.apache.kafka.common.errors.InvalidReplicationFactorException: ")


def test_crashed_leader_shows_in_describe_filters(cluster):
    cluster.cli(TOPICS + "--create --topic t --partitions 3 --replication-factor 3 --config min.insync.replicas=2")
    assert cluster.cli(TOPICS + "--describe --under-replicated-partitions").stdout == ""
    cluster.crash_broker(2)
    cluster.run(60_000)
    lines = cluster.cli(TOPICS + "--describe --under-replicated-partitions").stdout.splitlines()
    assert len(lines) == 3 and all(PARTITION_LINE.fullmatch(l) for l in lines)
    assert all("2" not in PARTITION_LINE.fullmatch(l).group(5).split(",") for l in lines)
    assert cluster.cli(TOPICS + "--describe --at-min-isr-partitions").stdout.count("\n") == 3


def test_output_is_deterministic():
    def session():
        c = Cluster(brokers=3, seed=7)
        return [str(c.cli(cmd)) for cmd in (CLICKSTREAM, TOPICS + "--describe", TOPICS + "--list")]
    assert session() == session()
