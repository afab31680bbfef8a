"""The group coordinator's broker crashes: consumers find the new coordinator and go on.

Kafka: a group's coordinator is the leader of ``__consumer_offsets`` partition
``abs(group.id.hashCode()) % 50``.  When that broker dies the controller elects a new leader of the
partition, which loads the group from the log.  The client sees its connection reset (librdkafka:
"GroupCoordinator: ... Disconnected"), ``NOT_COORDINATOR`` or ``COORDINATOR_NOT_AVAILABLE``, marks
the coordinator dead (``rd_kafka_cgrp_coord_dead``), asks FindCoordinator again and goes on with
the same member id and generation (``rd_kafka_cgrp_handle_Heartbeat``: "Heartbeat failed due to
coordinator (...) no longer available: re-querying for coordinator"; KIP-848:
``rd_kafka_cgrp_handle_ConsumerGroupHeartbeat``, the same).  A consumer that joins meanwhile
waits for the new coordinator.  Committed offsets are records of that partition (RF 3), so they
survive; nothing is lost.  An OffsetCommit while there is no coordinator is deferred until one is
found (``rd_kafka_cgrp_defer_offset_commit``), so ``commit()`` succeeds after the failover.
tests/parity/test_parity_coordinator.py runs the same on librdkafka's mock cluster.
"""
from __future__ import annotations

import pytest

from kafkalab import Cluster, Consumer, KafkaException, Producer, TopicPartition
from kafkalab.errors import Err
from kafkalab.groups.coordinator import coordinator_for

#: broker.session.timeout.ms (9 s) for the controller to fence the dead broker, then a rebalance.
BOUND_MS = 60_000
PROTOCOLS = ["range", "cooperative-sticky", "consumer"]


def make(seed=3):
    c = Cluster(brokers=3, seed=seed)
    c.create_topic("orders", 4, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    return c, p


def produce(p, a, b):
    for i in range(a, b):
        p.produce("orders", value=f"v{i}", partition=i % 4)
    p.flush()


def consumer(c, cid, protocol, **kw):
    cfg = {"bootstrap.servers": "kafka-1:9092", "group.id": "g", "auto.offset.reset": "earliest", "client.id": cid,
           "enable.auto.commit": False, **kw}
    if protocol == "consumer":
        cfg["group.protocol"] = "consumer"
    else:
        cfg["partition.assignment.strategy"] = protocol
    k = Consumer(cfg, cluster=c)
    k.subscribe(["orders"])
    return k


class Run:
    def __init__(self, c, consumers):
        self.c, self.consumers, self.got, self.errors = c, consumers, [], []

    def poll(self, ms, until=None):
        end = self.c.now + ms
        while self.c.now < end:
            for k in self.consumers:
                m = k.poll(0.05)
                if m is not None and m.error():
                    self.errors.append(m.error().name())
                elif m is not None:
                    self.got.append(m.value().decode())
            if until is not None and until():
                return True
        return until() if until is not None else True

    def owned(self):
        return sorted(tp.partition for k in self.consumers for tp in k.assignment())

    def settled(self):
        parts = [tp.partition for k in self.consumers for tp in k.assignment()]
        return sorted(parts) == [0, 1, 2, 3] and all(k.assignment() for k in self.consumers)

    def commit_all(self):
        """Poll a little more (an owner may be re-reading from the last commit), then commit everything."""
        self.poll(10_000)
        for k in self.consumers:
            try:
                k.commit(asynchronous=False)
            except KafkaException as e:
                assert e.args[0].code() == Err._NO_OFFSET  # nothing consumed since its last commit


def committed(k):
    return {tp.partition: tp.offset for tp in k.committed([TopicPartition("orders", i) for i in range(4)])}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_consumers_follow_the_coordinator_to_the_new_leader_of_its_offsets_partition(protocol):
    c, p = make()
    produce(p, 0, 40)
    run = Run(c, [consumer(c, "A", protocol), consumer(c, "B", protocol)])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 40)
    run.commit_all()
    before = committed(run.consumers[0])
    assert before == {0: 10, 1: 10, 2: 10, 3: 10}
    svc = coordinator_for(c)
    old = svc.coordinator_broker("g")
    crash_ms = c.now
    c.crash_broker(old)
    # A third member joins while the coordinator is dead: its JoinGroup / first heartbeat must wait for
    # (or be retried against) the new coordinator instead of vanishing with the dead broker.
    run.consumers.append(consumer(c, "C", protocol))
    produce(p, 40, 80)
    assert run.poll(BOUND_MS, until=lambda: run.settled() and len(set(run.got)) == 80), (
        f"after {c.now - crash_ms} ms: owned {run.owned()}, got {len(set(run.got))}")
    new = svc.coordinator_broker("g")
    assert new not in (old, -1)
    assert sorted(set(run.got)) == sorted(f"v{i}" for i in range(80))  # no record lost
    assert committed(run.consumers[2]) == before  # read back from the new coordinator's log
    kinds = [e.kind for e in c.trace.events if e.time_ms >= crash_ms and e.node in ("A", "B")]
    assert "consumer.coordinator_lost" in kinds
    # the members kept their membership: no one saw its assignment lost
    assert not [e for e in c.trace.filter("consumer.partitions_lost") if e.time_ms >= crash_ms]
    assert run.errors == []
    run.commit_all()
    assert committed(run.consumers[0]) == {0: 20, 1: 20, 2: 20, 3: 20}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_coordinator_moves_back_when_its_broker_returns(protocol):
    """The crashed broker restarts and becomes the preferred leader again: the interim coordinator
    answers NOT_COORDINATOR, and the members re-query and follow it back."""
    c, p = make()
    produce(p, 0, 40)
    run = Run(c, [consumer(c, "A", protocol), consumer(c, "B", protocol)])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 40)
    svc = coordinator_for(c)
    old = svc.coordinator_broker("g")
    c.crash_broker(old)
    assert run.poll(BOUND_MS, until=lambda: svc.coordinator_broker("g") not in (old, -1)
                    and all(k._coordinator == svc.coordinator_broker("g") for k in run.consumers))
    interim = svc.coordinator_broker("g")
    c.restart_broker(old)
    run.poll(30_000)
    c.elect_preferred_leaders("__consumer_offsets")
    assert svc.coordinator_broker("g") == old
    back_ms = c.now
    produce(p, 40, 80)
    assert run.poll(BOUND_MS, until=lambda: run.settled() and len(set(run.got)) == 80
                    and all(k._coordinator == old for k in run.consumers)), (
        f"owned {run.owned()}, got {len(set(run.got))}, coordinators {[k._coordinator for k in run.consumers]}")
    errs = [e for e in c.trace.filter("consumer.heartbeat_error") if e.time_ms >= back_ms]
    assert errs and {e.fields["error"] for e in errs} == {"NOT_COORDINATOR"}
    assert interim != old
    run.commit_all()
    assert committed(run.consumers[1]) == {0: 20, 1: 20, 2: 20, 3: 20}
    assert run.errors == []


@pytest.mark.parametrize("protocol", ["range", "consumer"])
def test_commit_during_the_failover_waits_for_the_new_coordinator(protocol):
    """librdkafka defers an OffsetCommit while the coordinator is unknown or its connection is down
    (``rd_kafka_cgrp_defer_offset_commit``, up to ``session.timeout.ms``) and sends it to the new
    coordinator: the synchronous ``commit()`` returns once that one has written it."""
    c, p = make()
    produce(p, 0, 40)
    run = Run(c, [consumer(c, "A", protocol)])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 40)
    svc = coordinator_for(c)
    old = svc.coordinator_broker("g")
    c.crash_broker(old)
    t0 = c.now
    out = run.consumers[0].commit(asynchronous=False)
    assert [(tp.partition, tp.offset) for tp in out] == [(0, 10), (1, 10), (2, 10), (3, 10)]
    assert c.now - t0 < 45_000  # within session.timeout.ms
    assert svc.coordinator_broker("g") not in (old, -1)
    assert committed(run.consumers[0]) == {0: 10, 1: 10, 2: 10, 3: 10}
    lost = [e for e in c.trace.filter("consumer.coordinator_lost") if e.time_ms >= t0]
    assert lost and lost[0].fields["api"] == "OffsetCommit" and lost[0].fields["coordinator"] == old


def test_commit_fails_with_wait_coord_when_no_coordinator_comes_back():
    """Every broker down: no coordinator can be found, and the deferred commit fails after
    ``session.timeout.ms`` with ``_WAIT_COORD`` ("Local: Waiting for coordinator"), as librdkafka's
    rd_kafka_cgrp_timeout_scan does."""
    c, p = make()
    produce(p, 0, 4)
    k = consumer(c, "A", "range", **{"session.timeout.ms": 10_000, "heartbeat.interval.ms": 1000})
    run = Run(c, [k])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 4)
    for b in sorted(c.brokers):
        c.crash_broker(b)
    t0 = c.now
    with pytest.raises(KafkaException) as exc:
        k.commit(asynchronous=False)
    assert exc.value.args[0].code() == Err._WAIT_COORD
    assert 10_000 <= c.now - t0 < 20_000


# --- the transaction coordinator and TxnOffsetCommit -------------------------------------------------
def _txn_setup():
    c, p = make(seed=11)
    c.create_topic("out", 1, 3)
    produce(p, 0, 8)
    tp = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"}, cluster=c)
    tp.init_transactions()
    k = consumer(c, "A", "range", **{"isolation.level": "read_committed"})
    run = Run(c, [k])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 8)
    return c, tp, k


def _read_out(c):
    r = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "reader", "isolation.level": "read_committed",
                  "auto.offset.reset": "earliest"}, cluster=c)
    r.assign([TopicPartition("out", 0, 0)])
    got = [m.value() for m in r.consume(100, timeout=2) if m.error() is None]
    r.close()
    return got


def test_commit_transaction_right_after_the_transaction_coordinator_crashes():
    """The leader of the id's ``__transaction_state`` partition dies with the transaction open and
    the metadata still naming it: EndTxn fails (_TRANSPORT / NOT_COORDINATOR), the producer finds
    the new leader, which loaded the Ongoing transaction (``txn.coordinator_load``), and the commit
    succeeds (librdkafka rd_kafka_txn_handle_EndTxn: coordinator errors are retried after a re-query)."""
    from kafkalab.txn import txn_coordinator_for

    c, tp, k = _txn_setup()
    tp.begin_transaction()
    tp.produce("out", b"r1", partition=0)
    tp.send_offsets_to_transaction([TopicPartition("orders", i, 2) for i in range(4)], k.consumer_group_metadata())
    svc = txn_coordinator_for(c)
    old = svc.coordinator_broker("etl-1")
    c.crash_broker(old)
    tp.commit_transaction(60)
    assert svc.coordinator_broker("etl-1") not in (old, -1)
    assert [e for e in c.trace.filter("txn.coordinator_load") if e.fields["transactional_ids"] == ["etl-1"]]
    assert _read_out(c) == [b"r1"]
    assert committed(k) == {0: 2, 1: 2, 2: 2, 3: 2}


def test_txn_offset_commit_follows_the_group_coordinator_failover():
    """The group's coordinator dies between AddOffsetsToTxn and TxnOffsetCommit: the producer retries
    TxnOffsetCommit against the new group coordinator; the offsets count once the transaction commits."""
    c, tp, k = _txn_setup()
    gsvc = coordinator_for(c)
    old = gsvc.coordinator_broker("g")
    tp.begin_transaction()
    tp.produce("out", b"r1", partition=0)
    c.crash_broker(old)
    tp.send_offsets_to_transaction([TopicPartition("orders", i, 2) for i in range(4)], k.consumer_group_metadata())
    tp.commit_transaction(60)
    assert gsvc.coordinator_broker("g") not in (old, -1)
    assert _read_out(c) == [b"r1"]
    assert committed(k) == {0: 2, 1: 2, 2: 2, 3: 2}


@pytest.mark.parametrize("protocol", ["range", "cooperative-sticky"])
def test_a_rebalance_cut_short_by_the_crash_restarts_on_the_new_coordinator(protocol):
    """The new coordinator loads the group from its last GroupMetadata record: Stable at the generation
    the log saw, with that assignment (``ClassicGroup.fromRecord``); the rebalance that was under way
    (C joining) is gone, and starts again when C's JoinGroup, reset by the crash, reaches the new one."""
    c, p = make()
    produce(p, 0, 40)
    run = Run(c, [consumer(c, "A", protocol), consumer(c, "B", protocol)])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 40)
    stable = c.trace.filter("group.stable")[-1].fields
    run.consumers.append(consumer(c, "C", protocol))
    assert run.poll(10_000, until=lambda: c.trace.filter("group.prepare_rebalance")
                    and c.trace.filter("group.prepare_rebalance")[-1].time_ms > c.trace.filter("group.stable")[-1].time_ms)
    svc = coordinator_for(c)
    old = svc.coordinator_broker("g")
    c.crash_broker(old)
    produce(p, 40, 80)
    assert run.poll(BOUND_MS, until=lambda: run.settled() and len(set(run.got)) == 80), run.owned()
    load = [e for e in c.trace.filter("group.coordinator_load") if "g" in e.fields["groups"]]
    assert load and load[0].node == f"kafka-{svc.coordinator_broker('g')}"
    g = load[0].fields["groups"]["g"]
    assert (g["state"], g["generation"], g["members"]) == ("Stable", stable["generation"],
                                                           sorted(stable["assignment"]))
    assert c.trace.filter("group.stable")[-1].fields["generation"] > stable["generation"]
    assert sorted(set(run.got)) == sorted(f"v{i}" for i in range(80))


def test_coordinator_unreachable_longer_than_the_session_timeout_loses_the_assignment():
    """librdkafka rd_kafka_cgrp_session_timeout_check: "Consumer group session timed out (in join-state
    steady) after N ms without a successful response from the group coordinator ...: revoking
    assignment and rejoining group" — on_lost fires, and the consumer rejoins once it can reach the
    coordinator again; it resumes from the committed offsets, so nothing is lost."""
    c, p = make()
    produce(p, 0, 40)
    lost = []
    # The rejoin's JoinGroup is lost in the partition too; librdkafka gives up on it after
    # max.poll.interval.ms + 3 s (rd_kafka_JoinGroupRequest), so keep that short here.
    k = consumer(c, "A", "range", **{"session.timeout.ms": 10_000, "heartbeat.interval.ms": 1000,
                                     "max.poll.interval.ms": 20_000})
    k.subscribe(["orders"], on_lost=lambda _k, ps: lost.append(sorted(t.partition for t in ps)))
    run = Run(c, [k])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 40)
    k.commit(asynchronous=False)
    coord = coordinator_for(c).coordinator_broker("g")
    c.partition_network(["A"], [f"kafka-{coord}"])  # silent: no reset, no answer
    run.poll(12_000)
    assert lost == [[0, 1, 2, 3]]
    timeout = c.trace.filter("consumer.session_timeout", node="A")
    assert timeout and timeout[0].fields["elapsed_ms"] >= 10_000
    c.heal_network()
    produce(p, 40, 80)
    assert run.poll(BOUND_MS, until=lambda: run.settled() and len(set(run.got)) == 80), run.owned()
    assert sorted(set(run.got)) == sorted(f"v{i}" for i in range(80))


@pytest.mark.parametrize("count, outcome", [(5, "ok"), (6, "NOT_COORDINATOR")])
def test_commit_retries_not_coordinator_five_times(count, outcome):
    """rd_kafka_handle_OffsetCommit retries NOT_COORDINATOR twice (RD_KAFKA_REQUEST_DEFAULT_RETRIES), then
    the commit is deferred once and tried again: librdkafka 2.16 commits after five NOT_COORDINATOR in a
    row and raises the sixth ("Commit failed: Broker: Not coordinator"); checked against the real client
    in tests/parity/test_parity_coordinator.py."""
    c, p = make()
    produce(p, 0, 4)
    k = consumer(c, "A", "range")
    run = Run(c, [k])
    assert run.poll(60_000, until=lambda: run.settled() and len(set(run.got)) == 4)
    c.push_request_errors("OffsetCommit", *[Err.NOT_COORDINATOR] * count)
    try:
        k.commit(asynchronous=False)
        got = "ok"
    except KafkaException as e:
        got = e.args[0].name()
        assert e.args[0].str() == "Commit failed: Broker: Not coordinator"
    assert got == outcome
    assert c.trace.filter("consumer.commit_deferred", node="A")
