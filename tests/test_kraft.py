"""The KRaft controller quorum (``kafkalab.cluster.raft``): elections, pre-vote, the high watermark rule,
fetch-based replication and divergence, snapshots, broker registration and fencing across a failover,
and the tools and pictures that show it.

References: KIP-595 (the Raft protocol: epochs, votes, Fetch, BeginQuorumEpoch, diverging epochs),
KIP-630 (snapshots), KIP-996 (pre-vote), Kafka's ``raft`` module: ``QuorumState.randomElectionTimeoutMs``
(T + random(T)), ``LeaderState.maybeUpdateHighWatermark`` (the majority's end offset, and only past the
epoch start offset), ``LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR`` (1.5), ``QuorumConfig`` defaults
(election 1000 ms, fetch 2000 ms, backoff max 1000 ms), ``MetadataQuorumCommand`` (the tool's output).
"""
from __future__ import annotations

import re

import ipywidgets as w
import matplotlib
import pytest

from kafkalab import kraft_lab
from kafkalab.cluster import Cluster
from kafkalab.cluster.raft import QUORUM_DEFAULTS
from kafkalab.confluent_kafka.admin import NewTopic
from kafkalab.errors import KafkaException

matplotlib.use("Agg")

QUIET = ("raft.fetch", "raft.append", "raft.hw")


def raft_events(c, since=0):
    return [ev for ev in c.trace.events if ev.time_ms >= since and ev.kind.startswith("raft.") and ev.kind not in QUIET]


# ------------------------------------------------------------------------------------------------
# Defaults and the 1-voter case


def test_quorum_config_names_and_defaults_are_kafkas():
    assert QUORUM_DEFAULTS["controller.quorum.election.timeout.ms"] == 1000
    assert QUORUM_DEFAULTS["controller.quorum.fetch.timeout.ms"] == 2000
    assert QUORUM_DEFAULTS["controller.quorum.election.backoff.max.ms"] == 1000
    assert QUORUM_DEFAULTS["controller.quorum.request.timeout.ms"] == 2000
    assert QUORUM_DEFAULTS["controller.quorum.retry.backoff.ms"] == 20


def test_the_default_cluster_is_a_one_voter_quorum_that_elects_itself_at_once():
    c = Cluster(brokers=3, seed=42)
    kinds = [ev.kind for ev in c.trace.events[:4]]
    assert kinds == ["cluster.create", "raft.candidate", "raft.leader", "controller.activate"]
    assert c.quorum.voters_config == "101@controller:9093"
    n = c.quorum.leader()
    assert n.node == "controller" and n.epoch == 1 and c.controller.active
    # The LeaderChangeMessage control record takes offset 0; every record commits as it is appended.
    assert n.log[0].type == "LeaderChangeMessage" and n.hw == n.leo
    assert [r.type for r in c.metadata_log()][:2] == ["LeaderChangeMessage", "RegisterBrokerRecord"]
    assert not c.trace.filter("raft.hw")  # a lone voter's commits are its metadata.* events


def test_server_properties_name_the_roles_and_the_voters():
    c = Cluster(brokers=3, seed=1, controllers=3)
    ctl = c.server_properties(101).splitlines()
    assert ctl[:3] == ["process.roles=controller", "node.id=101",
                       "controller.quorum.voters=101@controller-101:9093,102@controller-102:9093,103@controller-103:9093"]
    assert c.server_properties(2).startswith("process.roles=broker\nnode.id=2\n")
    assert ("controller.quorum.bootstrap.servers=controller-101:9093,controller-102:9093,controller-103:9093"
            in c.server_properties(2, bootstrap=True).splitlines())
    combined = Cluster(brokers=3, seed=1, controllers=3, process_roles="broker,controller",
                       broker_config={"controller.quorum.election.timeout.ms": 1500})
    props = combined.server_properties(1)
    assert props.startswith("process.roles=broker,controller\nnode.id=1\n")
    assert "listeners=PLAINTEXT://kafka-1:9092,CONTROLLER://kafka-1:9093" in props
    assert "controller.quorum.election.timeout.ms=1500" in props


def test_bad_quorum_shapes_are_refused():
    with pytest.raises(ValueError, match="1, 3 or 5"):
        Cluster(controllers=4)
    with pytest.raises(ValueError, match="combined"):
        Cluster(brokers=2, controllers=3, process_roles="broker,controller")
    with pytest.raises(ValueError, match="process_roles"):
        Cluster(process_roles="broker")
    with pytest.raises(ValueError, match="ZooKeeper"):
        Cluster(controllers=3, profile="2.8")


def test_pre_vote_follows_the_profile():
    assert Cluster(controllers=3, seed=1).quorum.pre_vote
    assert Cluster(controllers=3, seed=1, profile="4.0").quorum.pre_vote
    assert not Cluster(controllers=3, seed=1, profile="3.3").quorum.pre_vote
    assert Cluster(controllers=3, seed=1, profile="3.3", pre_vote=True).quorum.pre_vote


# ------------------------------------------------------------------------------------------------
# Elections


def test_three_voters_elect_one_leader_with_a_majority_of_votes():
    c = Cluster(brokers=3, seed=7, controllers=3)
    leaders = c.trace.filter("raft.leader")
    assert len(leaders) == 1 and len(leaders[0].get("votes")) >= 2
    # the first election timeout is drawn from [T, 2T): 1000..1999 ms after start
    first = c.trace.filter("raft.prospective")[0]
    assert 1000 <= first.time_ms < 2000
    assert sorted(x["state"] for x in c.quorum.status()) == ["follower", "follower", "leader"]
    assert len(c.controller.image.live_brokers()) == 3
    # the metadata log is the same on every voter
    logs = [[(r.offset, r.type) for r in n.log] for n in c.quorum.voters.values()]
    assert logs[0] == logs[1] == logs[2]


def test_same_seed_same_election_and_the_cluster_rng_is_not_touched():
    a, b = Cluster(brokers=3, seed=5, controllers=3), Cluster(brokers=3, seed=5, controllers=3)
    assert a.trace.digest() == b.trace.digest()
    # the quorum draws from its own seeded RNG: placement and topic ids are those of the 1-voter cluster
    one = Cluster(brokers=3, seed=5)
    a.create_topic("t", partitions=4, replication_factor=2)
    one.create_topic("t", partitions=4, replication_factor=2)
    assert [p.replicas for p in a.describe("t").partitions] == [p.replicas for p in one.describe("t").partitions]
    assert a.describe("t").topic_id == one.describe("t").topic_id


@pytest.mark.parametrize("voters", [3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leader_crash_elects_a_new_leader_in_a_higher_epoch(voters, seed):
    run = kraft_lab.quorum_fault("leader_crash", voters=voters, seed=seed)
    _t, node, epoch = run.first_new_leader
    assert node != run.victims[0] and epoch > 1
    # nobody suspects the leader before controller.quorum.fetch.timeout.ms
    timeouts = run.cluster.trace.filter("raft.fetch_timeout")
    assert timeouts and min(ev.time_ms for ev in timeouts) - run.t0 >= 2000 - 10
    assert 2000 < run.failover_ms < 8000
    c = run.cluster
    assert c.controller.active and c.controller.raft.node_id == node
    c.create_topic("after", partitions=1, replication_factor=3)
    assert "after" in c.topics()


def test_a_vote_is_granted_once_per_epoch_and_only_to_an_up_to_date_log():
    run = kraft_lab.quorum_fault("leader_crash", voters=5, seed=0)
    granted = {}
    for ev in run.cluster.trace.filter("raft.vote", pre_vote=False, granted=True):
        key = (ev.node, ev.get("epoch"))
        assert key not in granted, f"{ev.node} voted twice in epoch {ev.get('epoch')}"
        granted[key] = ev.get("candidate")


def test_follower_crash_changes_nothing_and_the_quorum_still_commits():
    run = kraft_lab.quorum_fault("follower_crash", voters=3, seed=0)
    assert run.first_new_leader is None
    run.cluster.create_topic("still", partitions=1, replication_factor=3)


def test_pre_vote_keeps_a_returning_leader_from_disrupting_kip_996():
    on = kraft_lab.quorum_fault("leader_isolated", voters=3, seed=0, pre_vote=True, heal_after_ms=10_000)
    off = kraft_lab.quorum_fault("leader_isolated", voters=3, seed=0, pre_vote=False, heal_after_ms=10_000)
    heal = on.t0 + 10_000
    old = on.victims[0]
    # with pre-vote the isolated node never raises its epoch: it stays prospective in epoch 1
    assert {ev.get("epoch") for ev in on.cluster.trace.filter("raft.prospective")
            if ev.get("node_id") == old and ev.time_ms >= on.t0} == {1}
    assert not [x for x in on.leaders if x[0] >= heal]
    # without it, it becomes candidate again and again, and its return forces one more election
    assert max(ev.get("epoch") for ev in off.cluster.trace.filter("raft.candidate") if ev.get("node_id") == old) > 3
    assert [x for x in off.leaders if x[0] >= heal]


def test_an_isolated_leader_resigns_after_check_quorum():
    run = kraft_lab.quorum_fault("leader_isolated", voters=3, seed=0)
    ev = run.cluster.trace.filter("raft.check_quorum_failed")[0]
    assert ev.node == run.cluster.quorum.voters[run.victims[0]].node
    assert ev.get("timeout_ms") == 3000  # 1.5 x controller.quorum.fetch.timeout.ms


# ------------------------------------------------------------------------------------------------
# The log: high watermark, divergence, snapshots


def test_the_high_watermark_waits_for_a_majority_and_for_the_epoch_start():
    c = Cluster(brokers=3, seed=3, controllers=3)
    leader = c.quorum.leader()
    followers = [n for n in c.quorum.voters.values() if n is not leader]
    c.sim.network.partition([leader.node], [f.node for f in followers])
    ctl = c.controller
    ctl.create_topic("cut", [[1, 2, 3]], {})
    c.run(500)
    assert leader.leo > leader.hw  # appended, not committed: no follower has it
    assert "cut" not in [ev.get("name") for ev in c.trace.filter("metadata.TopicRecord")]
    c.heal_network()
    c.run(1000)
    assert leader.hw == leader.leo and c.trace.filter("metadata.TopicRecord", name="cut")


def test_a_new_leader_commits_the_old_epochs_records_with_its_leader_change():
    """Records of epoch 1 on a majority are committed by the epoch-3 leader's LeaderChangeMessage."""
    o = kraft_lab.create_during_failover(crash_after_ms=3)
    c = o.cluster
    new = c.quorum.leader()
    start = new.epoch_start
    topic_rec = next(r for r in new.log if r.type == "TopicRecord" and r.fields["name"] == "payments")
    assert topic_rec.epoch == 1 and topic_rec.offset < start
    assert new.log[start - new.log_start].type == "LeaderChangeMessage"
    commit = next(ev for ev in c.trace.filter("metadata.TopicRecord") if ev.get("name") == "payments")
    activate = next(ev for ev in c.trace.filter("controller.activate") if ev.time_ms > 0 and ev.node == new.node)
    assert commit.time_ms == activate.time_ms  # committed the moment the new epoch's first record is


def test_a_restarted_old_leader_truncates_its_uncommitted_records():
    o = kraft_lab.create_during_failover(crash_after_ms=1)  # killed before the TopicRecord left it
    c = o.cluster
    old = next(ev.get("node_id") for ev in c.trace.filter("fault.crash"))
    n = c.quorum.voters[old]
    assert any(r.type == "TopicRecord" and r.epoch == 1 and r.fields["name"] == "payments" for r in n.log)
    c.restart_controller(old)
    c.run(5000)
    trunc = c.trace.filter("raft.truncate", node=n.node)
    assert trunc and n.state == "follower"
    leader = c.quorum.leader()
    assert [(r.offset, r.epoch, r.type) for r in n.log] == [(r.offset, r.epoch, r.type) for r in leader.log]


def test_snapshot_moves_the_log_start_and_a_late_voter_loads_it_kip_630():
    c = Cluster(brokers=3, seed=2, controllers=3)
    leader = c.quorum.leader()
    lagger = next(n for n in c.quorum.voters.values() if n is not leader)
    c.crash_controller(lagger.node_id)
    for i in range(3):
        c.create_topic(f"t{i}", partitions=1, replication_factor=3)
    snap = leader.take_snapshot()
    assert leader.log_start == snap.end_offset == leader.hw and not leader.log
    assert re.fullmatch(r"\d{20}-\d{10}", snap.snapshot_id)
    c.restart_controller(lagger.node_id)
    c.run(3000)
    assert c.trace.filter("raft.load_snapshot", node=lagger.node)
    assert sorted(lagger.controller.image.topics) == ["t0", "t1", "t2"]
    # a broker that comes back after the snapshot gets it too
    c.crash_broker(2)
    c.run(10_000)
    c.restart_broker(2)
    c.run(10_000)
    assert sorted(c.brokers[2].image.topics) == ["t0", "t1", "t2"] and 2 in c.controller.image.live_brokers()


# ------------------------------------------------------------------------------------------------
# Brokers, clients and failures


def test_brokers_register_with_the_new_controller_and_are_not_fenced_by_the_failover():
    run = kraft_lab.quorum_fault("leader_crash", voters=3, seed=1, run_ms=20_000)
    c = run.cluster
    assert c.controller.image.live_brokers() == [1, 2, 3]
    assert not c.trace.filter("controller.session_expired")
    assert not [ev for ev in c.trace.filter("metadata.BrokerRegistrationChangeRecord") if ev.get("fenced")]


def test_a_dead_broker_is_still_fenced_after_a_failover():
    c = kraft_lab.quorum_cluster(3, seed=1)
    c.crash_controller(c.quorum.leader().node_id)
    c.crash_broker(3)
    c.run(20_000)
    assert c.controller.image.live_brokers() == [1, 2]


def test_combined_mode_a_broker_crash_takes_its_voter_down():
    c = Cluster(brokers=3, seed=4, controllers=3, process_roles="broker,controller")
    assert c.quorum.voters_config == "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    leader = c.quorum.leader().node_id
    c.crash_broker(leader)
    c.run(8000)
    assert not c.quorum.voters[leader].alive
    new = c.quorum.leader()
    assert new is not None and new.node_id != leader
    c.restart_broker(leader)
    c.run(8000)
    assert c.quorum.voters[leader].state == "follower" and leader in c.controller.image.live_brokers()


@pytest.mark.parametrize("crash_after", [1, 2, 3, 4])
def test_topic_creation_across_a_failover_is_created_once(crash_after):
    o = kraft_lab.create_during_failover(crash_after)
    assert o.topic_exists
    assert o.outcome == ("TOPIC_ALREADY_EXISTS" if o.replicated_before_crash else "created")
    assert 2000 < o.took_ms < 8000
    assert len(o.attempts) == 2 and o.attempts[0][1] != o.attempts[1][1]


def test_isr_change_waits_for_the_new_controller_while_producers_carry_on():
    o = kraft_lab.isr_change_during_failover()
    assert o.t_shrink_requested < o.new_controller_at < o.t_shrink_committed
    assert o.produced_during == 20


def test_quorum_loss_metadata_readable_nothing_commits():
    q = kraft_lab.quorum_loss(seed=0)
    assert q.create_error == "REQUEST_TIMED_OUT" and 29_000 <= q.create_took_ms <= 30_100
    assert len(q.described) == 3 and q.produced == 10 and q.consumed == 10
    # the timed-out write was in the old leader's log: the election after the restart committed it
    assert q.committed_after


def test_cluster_create_topic_times_out_without_a_quorum():
    c = kraft_lab.quorum_cluster(3, seed=0)
    for v in [v for v in c.quorum.voter_ids if v != c.quorum.leader().node_id]:
        c.crash_controller(v)
    with pytest.raises(KafkaException, match="timed out"):
        c.create_topic("never", partitions=1, replication_factor=3)
    assert "never" not in c.topics()
    admin = c.admin()
    with pytest.raises(KafkaException) as e:
        admin.create_topics([NewTopic("never2", 1, 3)])["never2"].result()
    assert e.value.args[0].name() == "REQUEST_TIMED_OUT"


# ------------------------------------------------------------------------------------------------
# Tools


def test_metadata_quorum_describe_status_in_kafkas_format():
    c = kraft_lab.quorum_cluster(3, seed=7)
    out = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status")
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    names = [ln.split(":", 1)[0] for ln in lines]
    assert names == ["ClusterId", "LeaderId", "LeaderEpoch", "HighWatermark", "MaxFollowerLag",
                     "MaxFollowerLagTimeMs", "CurrentVoters", "CurrentObservers"]
    assert all(ln[24] != " " and ln[:24].endswith(" ") for ln in lines)  # values start in column 25
    leader = c.quorum.leader()
    assert f"LeaderId:               {leader.node_id}" in lines
    assert f"HighWatermark:          {leader.hw}" in lines
    assert '{"id": 101, "endpoints": ["CONTROLLER://controller-101:9093"]}' in out.stdout
    assert lines[-1] == 'CurrentObservers:       [{"id": 1}, {"id": 2}, {"id": 3}]'
    assert re.fullmatch(r"ClusterId: +[A-Za-z0-9_-]{22}", lines[0])


def test_metadata_quorum_describe_replication_table():
    c = kraft_lab.quorum_cluster(3, seed=7)
    out = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --replication").stdout
    rows = [r.split("\t")[:-1] for r in out.splitlines()]
    assert [x.strip() for x in rows[0]] == ["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp",
                                            "LastCaughtUpTimestamp", "Status"]
    assert [r[6].strip() for r in rows[1:]] == ["Leader", "Follower", "Follower", "Observer", "Observer", "Observer"]
    assert rows[1][0].strip() == str(c.quorum.leader().node_id)
    human = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --replication --human-readable")
    assert "ms ago" in human.stdout


def test_metadata_quorum_errors_are_kafkas():
    c = Cluster(brokers=1, seed=0)
    r = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe")
    assert r.exit_code == 1 and r.stderr == "One of --status or --replication must be specified with describe sub-command\n"
    r = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status --replication")
    assert r.stderr.startswith("Only one of --status or --replication")
    r = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status --human-readable")
    assert r.stderr.startswith("The option --human-readable is only supported along with --replication")


def test_metadata_quorum_without_a_leader_times_out():
    c = kraft_lab.quorum_cluster(3, seed=0)
    for v in [v for v in c.quorum.voter_ids if v != c.quorum.leader().node_id]:
        c.crash_controller(v)
    c.run(5000)
    r = c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status")
    assert r.exit_code == 1 and "The request timed out." in r.stderr


def test_metadata_shell_reads_the_log_and_snapshot():
    c = Cluster(brokers=3, seed=42)
    c.create_topic("orders", partitions=2, replication_factor=3, config={"min.insync.replicas": 2})
    path = "/var/lib/kafka/data/__cluster_metadata-0/00000000000000000000.log"
    out = c.cli(f"kafka-metadata-shell.sh --snapshot {path} ls /image/topics/byName/orders").stdout
    assert out.split() == ["0", "1", "id", "name"]
    p0 = c.describe("orders").partitions[0]
    cat = c.cli(f"kafka-metadata-shell.sh --snapshot {path} cat /image/topics/byName/orders/0").stdout
    assert cat.startswith(f"PartitionRegistration(replicas={p0.replicas}, ".replace("[", "[").replace("'", ""))
    assert f"leader={p0.leader}, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)" in cat
    conf = c.cli(f"kafka-metadata-shell.sh --snapshot {path} find /image/configs").stdout.split()
    assert "/image/configs/TOPIC:orders/min.insync.replicas" in conf
    snap = c.quorum.leader().take_snapshot()
    ck = f"/var/lib/kafka/data/__cluster_metadata-0/{snap.snapshot_id}.checkpoint"
    assert c.cli(f"kafka-metadata-shell.sh --snapshot {ck} ls /image/topics/byName").stdout == "orders\n"
    gone = c.cli(f"kafka-metadata-shell.sh --snapshot {path} ls /")
    assert gone.exit_code == 1 and "NoSuchFileException" in gone.stderr  # the log before the snapshot is deleted


# ------------------------------------------------------------------------------------------------
# Picture and widget


def test_raft_scope_draws_from_the_trace():
    from kafkalab.viz.kraft import quorum_at, raft_scope

    run = kraft_lab.quorum_fault("leader_crash", voters=3, seed=0, run_ms=8000)
    before = {v.node_id: v for v in quorum_at(run.cluster, run.t0 - 1)}
    assert sorted(v.state for v in before.values()) == ["follower", "follower", "leader"]
    after = {v.node_id: v for v in quorum_at(run.cluster)}
    assert after[run.victims[0]].state == "down"
    model = {n.node_id: n for n in run.cluster.quorum.voters.values() if n.alive}
    for nid, n in model.items():
        assert (after[nid].state, after[nid].epoch, after[nid].leo, after[nid].hw) == (n.state, n.epoch, n.leo, n.hw)
    axes = raft_scope(run.cluster)
    assert run.cluster.quorum.leader().node in axes[0].figure._suptitle.get_text()


def test_quorum_scope_widget_animates_headless():
    from kafkalab.widgets.kraft import quorum_scope

    panel = quorum_scope()
    assert panel.redraws == 1 and panel.error.value == ""
    assert isinstance(panel.play, w.Play)
    first = bytes(panel.image.value)
    panel.controls["t_ms"].value = 8000
    assert panel.redraws == 2 and bytes(panel.image.value) != first
    assert panel.view.state["at_ms"] == panel.view.state["run"].t0 + 7000
    assert "leader" in panel.image.tooltip
    panel.controls["fault"].value = "two_voters_down"
    assert "no" in panel.view.text or "leader" in panel.view.text


def test_five_voters_three_down_no_leader_and_nobody_follows_itself_then_recovery():
    c = Cluster(brokers=3, seed=3, controllers=5)
    leader = c.quorum.leader()
    down = [v for v in c.quorum.voter_ids if v != leader.node_id][1:]
    for v in down:
        c.crash_controller(v)
    c.run(20_000)
    assert c.quorum.leader() is None  # 2 of 5 is no majority: the leader resigned (check quorum)
    assert all(n.leader_id != n.node_id for n in c.quorum.voters.values() if n.state != "leader")
    assert c.trace.filter("raft.check_quorum_failed", node=leader.node)
    for v in down:
        c.restart_controller(v)
    c.run(10_000)
    assert c.controller.active and sorted(x["state"] for x in c.quorum.status()).count("follower") == 4


@pytest.mark.parametrize("seed", range(8))
def test_random_faults_keep_raft_safe_and_the_quorum_recovers(seed):
    """Crashes, restarts, partitions and heals at random, with topic creations in between: a committed
    entry never changes, an epoch has at most one leader, and once everything is healed a leader is
    elected, every voter's log is the same and the brokers' images match the controller's.
    (The same check ran over 200 seeds while this was written.)"""
    import random as _random

    rng = _random.Random(seed)
    c = Cluster(brokers=3, seed=seed, controllers=rng.choice([3, 5]), pre_vote=rng.random() < 0.7)
    committed, leaders = {}, {}
    names = [c.quorum.voters[v].node for v in c.quorum.voter_ids]

    def check():
        for n in c.quorum.voters.values():
            for r in n.committed_records():
                key = (r.epoch, r.type, repr(sorted(r.fields.items())))
                assert committed.setdefault(r.offset, key) == key, f"committed offset {r.offset} changed on {n.node}"
            if n.alive and n.state == "leader":
                assert leaders.setdefault(n.epoch, n.node_id) == n.node_id, f"two leaders in epoch {n.epoch}"

    for step in range(25):
        act, vid = rng.random(), rng.choice(c.quorum.voter_ids)
        if act < 0.2 and c.quorum.voters[vid].alive:
            c.crash_controller(vid)
        elif act < 0.4 and not c.quorum.voters[vid].alive:
            c.restart_controller(vid)
        elif act < 0.5:
            side = rng.sample(names, rng.randrange(1, len(names)))
            c.partition_network(side, [x for x in names if x not in side])
        elif act < 0.6:
            c.heal_network()
        elif act < 0.8 and c.active_controller() is not None:
            c.create_topic(f"t{step}", partitions=1, replication_factor=1, settle=False)
        c.run(rng.randrange(100, 4000))
        check()
    c.heal_network()
    for v in c.quorum.voter_ids:
        if not c.quorum.voters[v].alive:
            c.restart_controller(v)
    c.run(30_000)
    check()
    leader = c.quorum.leader()
    assert leader is not None and leader.controller.active
    assert len({tuple((r.offset, r.epoch, r.type) for r in n.log) for n in c.quorum.voters.values()}) == 1
    topics = sorted(leader.controller.image.topics)
    assert sorted(c.quorum.replay(leader, leader.hw).topics) == topics
    assert all(sorted(b.image.topics) == topics for b in c.brokers.values())
