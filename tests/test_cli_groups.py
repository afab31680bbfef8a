"""``kafka-consumer-groups.sh`` against a simulated cluster, with Kafka 4.x's texts.

Expected texts come from ``tools/src/main/java/org/apache/kafka/tools/consumer/group/ConsumerGroupCommand.java``,
``ConsumerGroupCommandOptions.java`` and ``tools/.../GroupOffsetsResetter.java`` (apache/kafka, 4.x).
"""
from __future__ import annotations

import pytest

from kafkalab import Cluster, Consumer, Producer
from kafkalab.tools import CliResult
from kafkalab.groups.coordinator import coordinator_for

GROUPS = "kafka-consumer-groups.sh --bootstrap-server kafka-1:9092 "
GROUP = "order-pipeline"


def conf(**kw):
    return {"bootstrap.servers": "kafka-1:9092", "group.id": GROUP, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, **kw}


@pytest.fixture
def cluster():
    """``orders``: 3 partitions with 10 records each."""
    c = Cluster(brokers=3, seed=3)
    c.create_topic("orders", 3, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(30):
        p.produce("orders", value=f"v{i}", partition=i % 3)
    p.flush()
    return c


def consume_and_commit(cluster, n: int, client_id: str = "C1") -> Consumer:
    """A consumer of the group reads ``n`` records and commits each one (it stays in the group)."""
    con = Consumer(conf(**{"client.id": client_id}), cluster=cluster)
    con.subscribe(["orders"])
    got = []
    while len(got) < n:
        m = con.poll(0.5)
        if m is not None and not m.error():
            got.append(m)
    for m in got:
        con.commit(message=m, asynchronous=False)
    return con


def table(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.strip("\n").splitlines()]


def test_list_groups(cluster):
    assert cluster.cli(GROUPS + "--list") == CliResult("", "", 0)
    consume_and_commit(cluster, 3)
    assert cluster.cli(GROUPS + "--list") == CliResult(f"{GROUP}\n", "", 0)
    r = cluster.cli(GROUPS + "--list --state")
    # printGroupInfo: "%-<max(15, len)+10>s %-20s" per line (trailing spaces included)
    assert r.stdout == "GROUP".ljust(25) + " " + "STATE".ljust(20) + "\n" + GROUP.ljust(25) + " " + \
        "Stable".ljust(20) + "\n"
    assert cluster.cli(GROUPS + "--list --state empty").stdout == "GROUP".ljust(25) + " " + "STATE".ljust(20) + "\n"


def test_describe_shows_lag_after_a_partial_commit(cluster):
    """CURRENT-OFFSET is the committed offset, LAG = LOG-END-OFFSET - CURRENT-OFFSET, '-' when nothing
    is committed; columns are ``%-15s`` wide at least, CLIENT-ID unpadded."""
    con = consume_and_commit(cluster, 12)
    member = con.memberid()
    r = cluster.cli(GROUPS + f"--describe --group {GROUP}")
    assert r.ok and r.stderr == ""
    lines = r.stdout.split("\n")
    assert lines[0] == "" and lines[-1] == ""  # printf("\n%s...") per row, then println()
    assert lines[1] == ("GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             "
                        + "CONSUMER-ID".ljust(len(member)) + " HOST            CLIENT-ID")
    rows = table(r.stdout)[1:]
    committed = {(t, p): o for (t, p), (o, _m, _e) in coordinator_for(cluster).committed_offsets(GROUP).items()}
    assert len(rows) == 3
    for row in rows:
        g, topic, part, cur, end, lag, cid, host, client = row
        assert (g, topic, cid, host, client) == (GROUP, "orders", member, "/C1", "C1")
        assert end == "10"
        off = committed.get(("orders", int(part)))
        assert cur == (str(off) if off is not None else "-")
        assert lag == (str(10 - off) if off is not None else "-")
    assert sum(committed.values()) == 12 and len(committed) < 3  # part of the topic committed
    assert lines[2] == f"{GROUP}  orders          0          " + lines[2][43:]  # fixed-width columns


def test_members_view(cluster):
    con = consume_and_commit(cluster, 1)
    member = con.memberid()
    r = cluster.cli(GROUPS + f"--describe --group {GROUP} --members")
    assert r.stdout == ("\n" + "GROUP".ljust(15) + " " + "CONSUMER-ID".ljust(len(member)) + " " + "HOST".ljust(15)
                        + " " + "CLIENT-ID".ljust(15) + " " + "#PARTITIONS".ljust(15) + " \n"
                        + GROUP.ljust(15) + " " + member + " " + "/C1".ljust(15) + " " + "C1".ljust(15) + " "
                        + "3".ljust(15) + " \n")
    verbose = cluster.cli(GROUPS + f"--describe --group {GROUP} --members --verbose").stdout
    assert "CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT" in verbose
    assert "orders:0,1,2" in verbose
    state = cluster.cli(GROUPS + f"--describe --group {GROUP} --state").stdout
    assert table(state)[0] == ["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]
    b = coordinator_for(cluster).coordinator_broker(GROUP)
    assert table(state)[1] == [GROUP, f"kafka-{b}:9092", f"({b})", "range", "Stable", "1"]


def test_reset_is_refused_while_the_group_is_active(cluster):
    consume_and_commit(cluster, 5)
    before = coordinator_for(cluster).committed_offsets(GROUP)
    r = cluster.cli(GROUPS + f"--reset-offsets --group {GROUP} --topic orders --to-earliest --execute")
    assert r == CliResult(f"\nError: Assignments can only be reset if the group '{GROUP}' is inactive, but the "
                          "current state is Stable.\n"
                          "\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n", "", 0)
    assert coordinator_for(cluster).committed_offsets(GROUP) == before


def test_reset_to_earliest_dry_run_then_execute_replays_the_topic(cluster):
    """The study guide's replay: stop the consumers, reset the group with one command, start again."""
    con = consume_and_commit(cluster, 30)
    con.close()
    svc = coordinator_for(cluster)
    assert {tp: o for tp, (o, _m, _e) in svc.committed_offsets(GROUP).items()} == \
        {("orders", 0): 10, ("orders", 1): 10, ("orders", 2): 10}
    empty = cluster.cli(GROUPS + f"--describe --group {GROUP}")
    assert empty.stderr == f"\nConsumer group '{GROUP}' has no active members.\n"
    assert [row[6:] for row in table(empty.stdout)[1:]] == [["-", "-", "-"]] * 3

    new_offsets = ("\nGROUP           TOPIC           PARTITION  NEW-OFFSET"
                   f"\n{GROUP}  orders          0          0"
                   f"\n{GROUP}  orders          1          0"
                   f"\n{GROUP}  orders          2          0\n")
    dry = cluster.cli(GROUPS + f"--reset-offsets --group {GROUP} --topic orders --to-earliest")
    assert dry.stdout == new_offsets
    assert dry.stderr.startswith("WARN: No action will be performed as the --execute option is missing.In a future")
    assert cluster.cli(GROUPS + f"--reset-offsets --group {GROUP} --topic orders --to-earliest --dry-run").stdout \
        == new_offsets
    assert svc.committed_offsets(GROUP)[("orders", 0)][0] == 10  # nothing changed

    done = cluster.cli(GROUPS + f"--reset-offsets --group {GROUP} --topic orders --to-earliest --execute")
    assert done == CliResult(new_offsets, "", 0)
    assert {tp: o for tp, (o, _m, _e) in svc.committed_offsets(GROUP).items()} == \
        {("orders", 0): 0, ("orders", 1): 0, ("orders", 2): 0}
    assert [ev.fields["offset"] for ev in cluster.trace.filter("group.offset_commit", member="")][-3:] == [0, 0, 0]

    replay = Consumer(conf(**{"client.id": "C2", "auto.offset.reset": "latest"}), cluster=cluster)
    replay.subscribe(["orders"])
    got = []
    for _ in range(100):
        m = replay.poll(0.5)
        if m is not None and not m.error():
            got.append((m.partition(), m.offset()))
        if len(got) == 30:
            break
    assert sorted(got) == [(p, o) for p in range(3) for o in range(10)]


def test_reset_variants(cluster):
    consume_and_commit(cluster, 30).close()
    base = GROUPS + f"--reset-offsets --group {GROUP} --dry-run "
    rows = table(cluster.cli(base + "--topic orders:0,2 --shift-by -3").stdout)[1:]
    assert rows == [[GROUP, "orders", "0", "7"], [GROUP, "orders", "2", "7"]]
    rows = table(cluster.cli(base + "--topic orders --to-offset 99").stdout)[1:]
    assert [r[3] for r in rows] == ["10", "10", "10"]  # checkOffsetsRange clamps to the log end
    rows = table(cluster.cli(base + "--topic orders --to-offset 4").stdout)[1:]
    assert [r[3] for r in rows] == ["4", "4", "4"]
    ts = cluster.leader_replica("orders", 0).log.records(0, 1)
    first_ts = next(iter(ts))[1][2]
    rows = table(cluster.cli(base + f"--topic orders --to-datetime {first_ts}").stdout)[1:]
    assert [r[3] for r in rows] == ["0", "0", "0"]
    later = cluster.cli(base + "--topic orders --to-datetime 1970-01-01T01:00:00.000").stdout
    assert "\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n" in later
    assert [r[3] for r in table(later)[-3:]] == ["10", "10", "10"]


def test_unknown_group(cluster):
    r = cluster.cli(GROUPS + "--describe --group nope")
    assert r.stdout == ("\nError: Executing consumer group command failed due to "
                        "org.apache.kafka.common.errors.GroupIdNotFoundException: Group nope not found.\n")
    assert r.stderr == ("java.util.concurrent.ExecutionException: org.apache.kafka.common.errors."
                        "GroupIdNotFoundException: Group nope not found.\n"
                        "Caused by: org.apache.kafka.common.errors.GroupIdNotFoundException: Group nope not found.\n")
    assert r.exit_code == 0  # ConsumerGroupCommand.run prints the error and returns
    r = cluster.cli(GROUPS + "--delete --group nope")
    assert r.stdout == ("\nError: Deletion of some consumer groups failed:\n* Group 'nope' could not be deleted due "
                        "to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n")


def test_delete_group(cluster):
    con = consume_and_commit(cluster, 4)
    r = cluster.cli(GROUPS + f"--delete --group {GROUP}")
    assert "GroupNotEmptyException: The group is not empty." in r.stdout
    con.close()
    assert cluster.cli(GROUPS + f"--delete --group {GROUP}") == \
        CliResult(f"Deletion of requested consumer groups ('{GROUP}') was successful.\n", "", 0)
    assert coordinator_for(cluster).committed_offsets(GROUP) == {}
    assert cluster.cli(GROUPS + "--list").stdout == ""


def test_option_errors(cluster):
    r = cluster.cli(GROUPS + "--describe")
    assert r.exit_code == 1 and r.stderr.startswith("Option [describe] takes one of these options: ")
    r = cluster.cli(GROUPS + "--list --describe --group g")
    assert r.exit_code == 1
    r = cluster.cli("kafka-consumer-groups.sh --list")
    assert r.stderr.startswith('Missing required argument "[bootstrap-server]"\n')
    r = cluster.cli(GROUPS + "--list --members")
    assert r.stderr == ('Exception in thread "main" joptsimple.UnavailableOptionException: Option(s) [members] are '
                        "unavailable given other options on the command line\n")
    r = cluster.cli(GROUPS + "--reset-offsets --group g --topic orders --to-earliest --to-latest")
    assert r.exit_code == 1 and "can't be used with option" in r.stderr.splitlines()[1]
