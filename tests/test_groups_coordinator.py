"""The group coordinator: placement, the classic join/sync protocol, errors, KIP-848, offsets as records."""
from itertools import pairwise

import pytest

from kafkalab import Cluster, Consumer, Producer, TopicPartition
from kafkalab.errors import Err
from kafkalab.groups.assignors import java_string_hash
from kafkalab.groups.coordinator import OFFSETS_TOPIC, GroupState, coordinator_for, coordinator_partition, decode_record
from kafkalab.group_lab import group_run, member_clients, stable_assignment


def conf(**kw):
    return {"bootstrap.servers": "kafka-1:9092", "auto.offset.reset": "earliest", **kw}


@pytest.fixture
def cluster():
    c = Cluster(brokers=3, seed=5)
    c.create_topic("orders", 4, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(40):
        p.produce("orders", value=f"v{i}", partition=i % 4)
    p.flush()
    return c


def spin(cluster, consumers, ms, step=100):
    end = cluster.now + ms
    out = {c.node: [] for c in consumers}
    while cluster.now < end:
        for c in consumers:
            if not c._closed:
                out[c.node] += c.consume(100, 0)
        cluster.run(step)
    return out


def test_coordinator_is_the_leader_of_abs_hashcode_mod_50():
    """"The coordinator is the leader of __consumer_offsets partition Utils.abs(groupId.hashCode()) % 50"
    (GroupCoordinatorService.partitionFor); Utils.abs(Integer.MIN_VALUE) is 0."""
    assert coordinator_partition("order-pipeline") == abs(java_string_hash("order-pipeline")) % 50
    assert java_string_hash("polygenelubricants") == -(2**31)
    assert coordinator_partition("polygenelubricants") == 0
    c = Cluster(brokers=3, seed=1)
    svc = coordinator_for(c)
    svc.ensure_offsets_topic()
    t = c.describe(OFFSETS_TOPIC)
    assert len(t.partitions) == 50 and t.replication_factor == 3
    assert c.topic_config(OFFSETS_TOPIC)["cleanup.policy"] == ["compact"] or \
        "compact" in c.topic_config(OFFSETS_TOPIC)["cleanup.policy"]
    assert svc.coordinator_broker("order-pipeline") == t.partitions[coordinator_partition("order-pipeline")].leader


def test_join_sync_generation_member_ids_and_range(cluster):
    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    b = Consumer(conf(**{"group.id": "g", "client.id": "B"}), cluster=cluster)
    a.subscribe(["orders"])
    b.subscribe(["orders"])
    got = spin(cluster, [a, b], 8000)
    tr = cluster.trace
    assert len(tr.filter("group.member_id_required", group="g")) == 2  # KIP-394: learn the id, join again
    assert a.member_id.startswith("A-") and b.member_id.startswith("B-")
    gens = tr.filter("group.generation", group="g")
    assert [e.fields["generation"] for e in gens] == [1]
    assert gens[0].time_ms - tr.filter("group.join", group="g")[0].time_ms >= 3000  # group.initial.rebalance.delay.ms
    assert a.generation_id == b.generation_id == 1
    assert {c.node: sorted(p.partition for p in c.assignment()) for c in (a, b)} == {"A": [0, 1], "B": [2, 3]}
    assert stable_assignment(cluster, "g") == {"A": [0, 1], "B": [2, 3]}
    assert sum(len(v) for v in got.values()) == 40
    assert coordinator_for(cluster).groups["g"].state == GroupState.STABLE


def test_new_member_triggers_a_new_generation_and_eager_revokes_everything(cluster):
    calls = []

    def lis(kind):
        return lambda c, ps: calls.append((c.node, kind, sorted(p.partition for p in ps)))

    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    a.subscribe(["orders"], on_assign=lis("assign"), on_revoke=lis("revoke"))
    spin(cluster, [a], 6000)
    b = Consumer(conf(**{"group.id": "g", "client.id": "B"}), cluster=cluster)
    b.subscribe(["orders"], on_assign=lis("assign"), on_revoke=lis("revoke"))
    spin(cluster, [a, b], 8000)
    assert calls == [("A", "assign", [0, 1, 2, 3]), ("A", "revoke", [0, 1, 2, 3]), ("A", "assign", [0, 1]),
                     ("B", "assign", [2, 3])]
    assert a.generation_id == 2


def test_cooperative_revokes_only_what_moves_then_a_follow_up_rebalance_assigns_it(cluster):
    calls = []

    def lis(kind):
        return lambda c, ps: calls.append((c.node, kind, sorted(p.partition for p in ps)))

    cc = {"partition.assignment.strategy": "cooperative-sticky"}
    a = Consumer(conf(**{"group.id": "g", "client.id": "A", **cc}), cluster=cluster)
    a.subscribe(["orders"], on_assign=lis("assign"), on_revoke=lis("revoke"))
    spin(cluster, [a], 6000)
    b = Consumer(conf(**{"group.id": "g", "client.id": "B", **cc}), cluster=cluster)
    b.subscribe(["orders"], on_assign=lis("assign"), on_revoke=lis("revoke"))
    spin(cluster, [a, b], 10000)
    # Round one: B gets nothing yet (A still owns it); A revokes only [2, 3] (the sticky assignor keeps a
    # member's lowest-numbered partitions); the follow-up round hands them to B.
    assert calls == [("A", "assign", [0, 1, 2, 3]), ("A", "revoke", [2, 3]), ("A", "assign", []),
                     ("B", "assign", []), ("A", "assign", []), ("B", "assign", [2, 3])]
    gens = [e.fields["generation"] for e in cluster.trace.filter("group.generation", group="g")]
    assert gens == [1, 2, 3]  # the follow-up rebalance is generation 3
    assert sorted(p.partition for p in a.assignment()) == [0, 1] and sorted(p.partition for p in b.assignment()) == [2, 3]


def test_session_timeout_removes_a_crashed_member():
    run = group_run(4, 8, strategy="range", crash="C3", crash_at_ms=10_000, run_ms=70_000)
    ev = run.trace.filter("group.session_timeout", group="order-pipeline")[0]
    # the last heartbeat the coordinator saw was at most heartbeat.interval.ms before the crash
    assert 45_000 - 3_000 <= ev.time_ms - run.crash_ms <= 45_000
    assert "C3" not in run.assignment()


def test_static_member_restart_within_session_timeout_keeps_partitions_without_rebalance(cluster):
    def make(name):
        c = Consumer(conf(**{"group.id": "g", "client.id": name, "group.instance.id": f"{name}-host"}),
                     cluster=cluster)
        c.subscribe(["orders"])
        return c

    a, b = make("A"), make("B")
    spin(cluster, [a, b], 8000)
    before = sorted(p.partition for p in b.assignment())
    b.crash()
    spin(cluster, [a], 5000)
    b2 = make("B")
    spin(cluster, [a, b2], 5000)
    assert [e.fields["generation"] for e in cluster.trace.filter("group.generation", group="g")] == [1]
    assert cluster.trace.filter("group.static_rejoin", group="g")[0].fields["instance_id"] == "B-host"
    assert sorted(p.partition for p in b2.assignment()) == before
    svc = coordinator_for(cluster)
    got = {}
    svc.on_heartbeat(got.update, "g", b.member_id, 1, "B-host")  # the old incarnation is fenced
    assert got["error"] == Err.FENCED_INSTANCE_ID


def test_commit_errors_follow_the_group_state(cluster):
    svc = coordinator_for(cluster)
    svc.ensure_offsets_topic()
    r = {}
    svc.on_offset_commit(r.update, "simple", "", -1, {("orders", 0): (3, "", -1)})  # Empty group: allowed
    cluster.run(20)
    assert r["error"] == Err.NONE
    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    a.subscribe(["orders"])
    spin(cluster, [a], 6000)
    for member, gen, want in [("nobody", 1, Err.UNKNOWN_MEMBER_ID), (a.member_id, 7, Err.ILLEGAL_GENERATION),
                              (a.member_id, 1, Err.NONE), ("", -1, Err.UNKNOWN_MEMBER_ID)]:
        r = {}
        svc.on_offset_commit(r.update, "g", member, gen, {("orders", 0): (5, "", -1)})
        cluster.run(20)
        assert r["error"] == want, (member, gen)
    g = svc.groups["g"]
    g.state = GroupState.COMPLETING_REBALANCE
    r = {}
    svc.on_offset_commit(r.update, "g", a.member_id, 1, {("orders", 0): (5, "", -1)})
    assert r["error"] == Err.REBALANCE_IN_PROGRESS
    g.state = GroupState.STABLE


def test_commits_are_records_in_consumer_offsets_and_decode(cluster):
    c = Consumer(conf(**{"group.id": "billing", "client.id": "A", "enable.auto.commit": False}), cluster=cluster)
    c.assign([TopicPartition("orders", 2, 0)])
    msgs = c.consume(5, 1)
    c.commit(message=msgs[-1], asynchronous=False)
    part = coordinator_partition("billing")
    log = cluster.partition_log(OFFSETS_TOPIC, part)
    recs = [decode_record(r[0], r[1]) for _o, r, _b in log.records()]
    assert recs[-1]["type"] == "OffsetCommit" and recs[-1]["group"] == "billing"
    assert (recs[-1]["topic"], recs[-1]["partition"], recs[-1]["value"]["offset"]) == ("orders", 2, 5)
    assert c.committed([TopicPartition("orders", 2)])[0].offset == 5
    # A consumer of the same group elsewhere reads it back from the log.
    d = Consumer(conf(**{"group.id": "billing", "client.id": "B"}), cluster=cluster)
    d.assign([TopicPartition("orders", 2)])
    assert d.poll(1).offset() == 5


def test_kip848_consumer_protocol_survivors_never_revoke():
    run = group_run(4, 8, strategy="uniform", protocol="consumer", crash="C3", crash_at_ms=20_000)
    after_crash = [c for c in run.calls if c[0] >= run.crash_ms]
    assert not [c for c in after_crash if c[2] == "revoke"]
    moved = sorted(p for t, n, k, ps in after_crash if k == "assign" for p in ps)
    assert moved == sorted(run.assignment(run.crash_ms)["C3"])
    assert run.trace.filter("group.target_assignment", group="order-pipeline")
    assert "C3" not in run.assignment()


def test_group_runs_replay_from_the_seed():
    a = group_run(3, 6, strategy="cooperative-sticky", crash="C2", run_ms=60_000, seed=9)
    b = group_run(3, 6, strategy="cooperative-sticky", crash="C2", run_ms=60_000, seed=9)
    assert a.trace.digest() == b.trace.digest()
    assert member_clients(a.cluster, "order-pipeline") == member_clients(b.cluster, "order-pipeline")


@pytest.mark.parametrize("strategy,protocol", [("range", "classic"), ("roundrobin", "classic"),
                                               ("cooperative-sticky", "classic"), ("uniform", "consumer"),
                                               ("range", "consumer")])
def test_no_partition_is_ever_fetched_by_two_members_at_once(strategy, protocol):
    """Every protocol revokes before it reassigns: ownership intervals of one partition never overlap."""
    from kafkalab.group_lab import ownership_intervals

    run = group_run(4, 8, strategy=strategy, protocol=protocol, crash="C3", run_ms=75_000, seed=3)
    iv = ownership_intervals(run.trace, "orders", end_ms=run.cluster.now)
    for p in range(8):
        spans = sorted((s, e, n) for q, n, s, e in iv if q == p)
        assert spans, p
        for (s1, e1, n1), (s2, e2, n2) in pairwise(spans):
            assert e1 <= s2, (p, n1, (s1, e1), n2, (s2, e2))
    assert sorted(p for ps in run.assignment().values() for p in ps) == list(range(8))
