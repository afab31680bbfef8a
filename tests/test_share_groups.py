"""Share groups (KIP-932): the share partition's state machine, locks, delivery limit, acknowledgements,
several consumers on one partition, the client's API, and the consumer-group-vs-share-group checker.

Spec-linked: ``SharePartition.InFlightState.tryUpdateState`` ("if newState == AVAILABLE && deliveryCount >=
maxDeliveryCount then ARCHIVED"), ``ShareGroupConfig`` (``group.share.record.lock.duration.ms`` 30000,
``group.share.delivery.count.limit`` 5, bounds), ``GroupConfig`` (``share.auto.offset.reset`` latest),
``AcknowledgeType`` (ACCEPT 1, RELEASE 2, REJECT 3, RENEW 4), confluent-kafka 2.16's ``ShareConsumer``.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafkalab import Cluster
from kafkalab.clients.share_consumer import AcknowledgeType, IllegalStateException, KafkaShareConsumer, ShareConsumer
from kafkalab.groups.share import ALLOWED, SHARE_GROUP_DEFAULTS, RecordState, share_coordinator_for
from kafkalab.share_lab import describe_guarantees, guarantees, queue_run

B = "kafka-1:9092"


def jobs(n=6, profile="4.2", seed=7, reset="earliest", **cfg):
    c = Cluster(profile=profile, seed=seed)
    c.create_topic("jobs", partitions=1, replication_factor=3)
    p = c.producer({"bootstrap.servers": B})
    for i in range(n):
        p.produce("jobs", value=f"job-{i}".encode())
    p.flush()
    share_coordinator_for(c).alter_group_config("g", {"share.auto.offset.reset": reset, **cfg})
    return c


def consumer(c, name, **conf):
    s = ShareConsumer({"bootstrap.servers": B, "group.id": "g", "client.id": name, **conf}, cluster=c)
    s.subscribe(["jobs"])
    return s


def test_kafka_defaults_and_the_record_state_machine():
    assert SHARE_GROUP_DEFAULTS["share.record.lock.duration.ms"] == 30000
    assert SHARE_GROUP_DEFAULTS["share.delivery.count.limit"] == 5
    assert SHARE_GROUP_DEFAULTS["share.auto.offset.reset"] == "latest"
    assert [int(t) for t in AcknowledgeType] == [1, 2, 3, 4]
    assert ALLOWED[RecordState.ACKNOWLEDGED] == ALLOWED[RecordState.ARCHIVED] == set()
    assert RecordState.AVAILABLE in ALLOWED[RecordState.ACQUIRED]


def test_two_consumers_share_one_partition_and_each_record_goes_to_one():
    c = jobs(6)
    a, b = consumer(c, "A", **{"max.poll.records": 3}), consumer(c, "B", **{"max.poll.records": 3})
    got_a, got_b = [m.offset() for m in a.poll(5)], [m.offset() for m in b.poll(5)]
    assert sorted(got_a + got_b) == list(range(6)) and not set(got_a) & set(got_b)
    assert {m.delivery_count() for m in [*a.poll(0), *b.poll(0)]} <= {1}


def test_latest_reset_skips_what_was_there():
    c = jobs(4, reset="latest")
    a = consumer(c, "A")
    assert len(a.poll(2)) == 0
    assert share_coordinator_for(c).state("g", "jobs")["spso"] == 4


def test_crash_holds_records_until_the_lock_expires_then_delivery_count_is_2():
    c = jobs(3)
    a = consumer(c, "A")
    held = [m.offset() for m in a.poll(5)]
    t = c.now
    a.crash()
    b = consumer(c, "B")
    assert len(b.poll(20)) == 0  # still locked by the dead A
    msgs = list(b.poll(20))
    assert [m.offset() for m in msgs] == held and {m.delivery_count() for m in msgs} == {2}
    expired = [e for e in c.trace.filter("share.record_state") if "expired" in e.fields["reason"]]
    assert expired and expired[0].time_ms - t == pytest.approx(30_000, abs=100)


def test_release_until_the_delivery_limit_archives_it():
    c = jobs(1, **{"share.delivery.count.limit": 3})
    a = consumer(c, "A", **{"share.acknowledgement.mode": "explicit"})
    counts = []
    for _ in range(5):
        for m in a.poll(2):
            counts.append(m.delivery_count())
            a.acknowledge(m, AcknowledgeType.RELEASE)
        a.commit_sync()
    assert counts == [1, 2, 3]
    st = share_coordinator_for(c).state("g", "jobs")
    assert st["spso"] == 1 and st["records"] == []
    arch = c.trace.filter("share.record_state", to_state="ARCHIVED")
    assert arch and arch[0].fields["reason"] == "RELEASE" and arch[0].fields["delivery_counts"] == [3]


def test_reject_archives_accept_acknowledges_and_the_spso_moves():
    c = jobs(3)
    a = consumer(c, "A", **{"share.acknowledgement.mode": "explicit"})
    m0, m1, m2 = a.poll(5)
    a.acknowledge(m0)
    a.acknowledge(m1, AcknowledgeType.REJECT)
    a.acknowledge(m2, AcknowledgeType.RELEASE)
    result = a.commit_sync()
    assert list(result.values()) == [None]
    st = share_coordinator_for(c).state("g", "jobs")
    assert st["spso"] == 2 and st["speo"] == 3 and st["records"] == [(2, "AVAILABLE", 1, None)]


def test_acknowledging_after_the_lock_expired_is_invalid_record_state():
    c = jobs(2, **{"share.record.lock.duration.ms": 15000})
    a = consumer(c, "A", **{"share.acknowledgement.mode": "explicit"})
    msgs = list(a.poll(5))
    c.run(16_000)
    for m in msgs:
        a.acknowledge(m)
    (exc,) = a.commit_sync().values()
    assert exc is not None and exc.args[0].name() == "INVALID_RECORD_STATE"


def test_explicit_mode_requires_every_record_acknowledged_before_the_next_poll():
    c = jobs(2)
    a = consumer(c, "A", **{"share.acknowledgement.mode": "explicit"})
    assert len(a.poll(5)) == 2
    with pytest.raises(IllegalStateException):
        a.poll(1)
    implicit = consumer(c, "B")
    with pytest.raises(IllegalStateException):
        implicit.acknowledge_offset("jobs", 0, 0)


def test_poll_before_subscribe_and_after_close_and_group_id_required():
    c = jobs(1)
    s = ShareConsumer({"bootstrap.servers": B, "group.id": "g"}, cluster=c)
    with pytest.raises(IllegalStateException, match="not subscribed"):
        s.poll(0)
    s.subscribe(["jobs"])
    s.close()
    with pytest.raises(IllegalStateException, match="closed"):
        s.poll(0)
    with pytest.raises(ValueError, match="group.id must be set"):
        ShareConsumer({"bootstrap.servers": B}, cluster=c)


def test_close_gives_back_what_is_still_acquired():
    c = jobs(4)
    a = consumer(c, "A", **{"share.acknowledgement.mode": "explicit", "max.poll.records": 2})
    m0, _m1 = a.poll(5)
    a.acknowledge(m0)  # m1 is neither acknowledged nor released when the consumer closes
    a.close()
    states = {o: s for o, s, _, _ in share_coordinator_for(c).state("g", "jobs")["records"]}
    assert states.get(1) == "AVAILABLE"


def test_renew_is_java_and_4_2_only():
    c = jobs(1, **{"share.record.lock.duration.ms": 15000})
    j = KafkaShareConsumer({"bootstrap.servers": B, "group.id": "g", "share.acknowledgement.mode": "explicit"},
                           cluster=c)
    j.subscribe(["jobs"])
    (m,) = j.poll(5000)
    c.run(10_000)
    j.acknowledge(m, AcknowledgeType.RENEW)
    j.commitSync()
    c.run(10_000)  # 20 s after the first acquisition: renewed at 10 s, so still ours
    j.acknowledge(m)
    assert list(j.commitSync().values()) == [None]
    py = consumer(c, "P", **{"share.acknowledgement.mode": "explicit"})
    with pytest.raises(ValueError, match="RENEW"):
        py.acknowledge_offset("jobs", 0, 0, AcknowledgeType.RENEW)


def test_share_groups_need_the_share_version_feature():
    c = Cluster(profile="4.0", seed=1)
    c.create_topic("jobs", partitions=1, replication_factor=3)
    s = ShareConsumer({"bootstrap.servers": B, "group.id": "g"}, cluster=c)
    s.subscribe(["jobs"])
    with pytest.raises(Exception) as exc:
        s.poll(1)
        s.poll(1)
    assert exc.value.args[0].name() == "UNSUPPORTED_VERSION"
    on = Cluster(profile="4.0", seed=1, features={"share.version": 1})
    assert share_coordinator_for(on).enabled()


def test_every_state_change_is_traced_and_runs_replay():
    def digest():
        c = jobs(4)
        a = consumer(c, "A")
        a.poll(5)
        a.crash()
        c.run(31_000)
        return c.trace.digest(), len(c.trace.filter("share.record_state"))
    (d1, n1), (d2, _n2) = digest(), digest()
    assert d1 == d2 and n1 == 2  # acquired, then released by the expired lock


def test_consumer_group_against_share_group_checker():
    cg, sg = guarantees(queue_run("consumer")), guarantees(queue_run("share"))
    assert cg["in_order"] == {0: True} and not cg["shared_at_once"]
    assert sg["in_order"] == {0: False} and sg["shared_at_once"] == [0]
    assert cg["duplicates"] and sg["duplicates"] and sg["max_delivery_count"] == 2
    assert cg["unprocessed"] == sg["unprocessed"] == []
    text = describe_guarantees(sg)
    assert any("several consumers at the same time" in t for t in text)
    assert any("ordering per partition kept" in t for t in describe_guarantees(cg))


def test_group_config_bounds_are_kafkas():
    c = Cluster(profile="4.2", seed=1)
    svc = share_coordinator_for(c)
    with pytest.raises(ValueError, match="between 2 and 10"):
        svc.alter_group_config("g", {"share.delivery.count.limit": 1})
    with pytest.raises(ValueError, match="between 15000 and 60000"):
        svc.alter_group_config("g", {"share.record.lock.duration.ms": 5000})
    with pytest.raises(ValueError, match="unknown share group config"):
        svc.alter_group_config("g", {"share.lock.ms": 5000})


# -- properties ------------------------------------------------------------------------------------------
STEP = st.one_of(st.tuples(st.just("poll"), st.integers(0, 2)),
                 st.tuples(st.just("ack"), st.integers(0, 2), st.sampled_from([1, 2, 3])),
                 st.tuples(st.just("crash"), st.integers(0, 2)),
                 st.tuples(st.just("wait"), st.integers(1, 40)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), steps=st.lists(STEP, max_size=25))
def test_share_partition_invariants_under_any_schedule(seed, steps):
    """Whatever three explicit-mode consumers do (poll, acknowledge with any type, crash, wait seconds):
    a record is ACQUIRED by at most one member, never above share.delivery.count.limit deliveries, the SPSO
    only moves forward, and once everyone is gone and the locks ran out, nothing stays ACQUIRED."""
    c = jobs(8, seed=seed, **{"share.delivery.count.limit": 3, "share.record.lock.duration.ms": 15000})
    cs = [consumer(c, f"C{i}", **{"share.acknowledgement.mode": "explicit", "max.poll.records": 2})
          for i in range(3)]
    held: list = [[], [], []]
    alive = [True, True, True]
    svc = share_coordinator_for(c)
    spso = 0
    for step in steps:
        i = step[1] if step[0] != "wait" else 0
        if step[0] == "poll" and alive[i] and not held[i]:
            held[i] = list(cs[i].poll(0.2))
        elif step[0] == "ack" and alive[i] and held[i]:
            for m in held[i]:
                cs[i].acknowledge(m, AcknowledgeType(step[2]))
            cs[i].commit_sync(1)
            held[i] = []
        elif step[0] == "crash" and alive[i]:
            cs[i].crash()
            alive[i] = False
        elif step[0] == "wait":
            c.run(step[1] * 1000)
        state = svc.state("g", "jobs")
        if state["spso"] is not None:
            assert state["spso"] >= spso
            spso = state["spso"]
        for _off, s, dc, member in state["records"]:
            assert dc <= 3
            assert (s == "ACQUIRED") == (member is not None)
    for i in range(3):
        if alive[i]:
            cs[i].crash()
    c.run(16_000)
    assert all(s != "ACQUIRED" for _o, s, _d, _m in svc.state("g", "jobs")["records"])
