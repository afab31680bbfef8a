"""The group coordinator's broker dies while a member waits for its JoinGroup or SyncGroup answer.

librdkafka (src/rdkafka_cgrp.c, rd_kafka_cgrp_handle_JoinGroup / SyncGroup) fails the request with
``_TRANSPORT`` when the connection to the coordinator resets, marks the coordinator dead, looks it up again
and joins again with its member id; a silent loss (a network partition) ends at the request timeout set in
src/rdkafka_request.c: JoinGroup ``max.poll.interval.ms`` + 3 s, SyncGroup ``session.timeout.ms`` + 3 s.
Before this, a member whose JoinGroup was in flight when the coordinator crashed waited for ever.
"""
from __future__ import annotations

import pytest

from kafkalab import Cluster
from kafkalab.clients import Consumer, Producer
from kafkalab.groups.coordinator import coordinator_for

PROTOCOLS = {
    "classic-range": {},
    "classic-cooperative-sticky": {"partition.assignment.strategy": "cooperative-sticky"},
    "consumer": {"group.protocol": "consumer"},
}


def setup(extra: dict, records: int = 40):
    c = Cluster(brokers=3, seed=42)
    c.create_topic("t", partitions=4, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(records):
        p.produce("t", key=str(i).encode(), value=str(i).encode())
    p.flush()
    conf = {"bootstrap.servers": "kafka-1:9092", "group.id": "g", "auto.offset.reset": "earliest",
            "enable.auto.commit": False, **extra}
    return c, p, conf


def drain(consumers, seen: dict, rounds: int):
    for _ in range(rounds):
        for name, cons in consumers.items():
            m = cons.poll(0.1)
            if m is not None and m.error() is None:
                seen.setdefault(name, []).append((m.partition(), m.offset()))
                cons.commit(message=m, asynchronous=True)


def parts(cons) -> set:
    return {tp.partition for tp in cons.assignment()}


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
@pytest.mark.parametrize("after_polls", [0, 3, 50])
def test_a_member_joining_while_the_coordinator_dies_gets_partitions_from_the_next_one(protocol, after_polls):
    c, p, conf = setup(PROTOCOLS[protocol])
    a = Consumer(conf, cluster=c)
    a.subscribe(["t"])
    seen: dict = {}
    drain({"a": a}, seen, 100)
    b = Consumer(conf, cluster=c)
    b.subscribe(["t"])
    old = coordinator_for(c).coordinator_broker("g")
    drain({"a": a, "b": b}, seen, after_polls)
    c.crash_broker(old)
    for i in range(40, 60):
        p.produce("t", key=str(i).encode(), value=str(i).encode())
    p.flush()
    drain({"a": a, "b": b}, seen, 1200)  # two minutes of virtual time
    assert coordinator_for(c).coordinator_broker("g") != old
    assert parts(a) and parts(b) and parts(a) | parts(b) == {0, 1, 2, 3} and not parts(a) & parts(b)
    got = {v for rows in seen.values() for v in rows}
    assert len(got) == 60  # nothing lost across the failover


def test_a_transport_error_is_traced_and_the_member_keeps_its_id():
    c, _p, conf = setup({})
    a = Consumer(conf, cluster=c)
    a.subscribe(["t"])
    drain({"a": a}, {}, 100)
    b = Consumer(conf, cluster=c)
    b.subscribe(["t"])
    drain({"a": a, "b": b}, {}, 3)
    old = coordinator_for(c).coordinator_broker("g")
    c.crash_broker(old)
    drain({"a": a, "b": b}, {}, 600)
    lost = [e for e in c.trace.filter("consumer.coordinator_lost") if e.node == "consumer-2"]
    assert [(e.fields["api"], e.fields["error"], e.fields["coordinator"]) for e in lost] == [
        ("JoinGroup", "_TRANSPORT", old)]
    # the steady member loses its coordinator too, on its heartbeat, without losing its partitions
    assert {e.fields["api"] for e in c.trace.filter("consumer.coordinator_lost") if e.node == "consumer-1"} \
        <= {"Heartbeat"}
    joins = [e for e in c.trace.filter("consumer.join_group") if e.node == "consumer-2"]
    assert joins[-1].fields["member"] == lost[0].fields["member"] != ""


def test_the_old_coordinator_coming_back_changes_nothing_for_the_members():
    c, _p, conf = setup({})
    a, b = Consumer(conf, cluster=c), Consumer(conf, cluster=c)
    a.subscribe(["t"])
    drain({"a": a}, {}, 100)
    b.subscribe(["t"])
    old = coordinator_for(c).coordinator_broker("g")
    c.crash_broker(old)
    drain({"a": a, "b": b}, {}, 600)
    c.restart_broker(old)
    drain({"a": a, "b": b}, {}, 600)
    assert parts(a) | parts(b) == {0, 1, 2, 3} and parts(a) and parts(b)


def test_a_join_lost_in_a_network_partition_is_sent_again_after_the_request_timeout():
    c, _p, conf = setup({"max.poll.interval.ms": 10_000, "session.timeout.ms": 6000, "heartbeat.interval.ms": 2000})
    a = Consumer(conf, cluster=c)
    a.subscribe(["t"])
    drain({"a": a}, {}, 100)
    coord = coordinator_for(c).coordinator_broker("g")
    c.sim.network.partition(["consumer-2"], [f"kafka-{coord}"])
    b = Consumer(conf, cluster=c)
    b.subscribe(["t"])
    drain({"a": a, "b": b}, {}, 20)
    c.sim.network.heal(["consumer-2"], [f"kafka-{coord}"])
    drain({"a": a, "b": b}, {}, 400)
    lost = c.trace.filter("consumer.coordinator_lost")
    assert [(e.fields["api"], e.fields["error"]) for e in lost] == [("JoinGroup", "_TIMED_OUT")]
    first = next(e for e in c.trace.filter("consumer.join_group") if e.node == "consumer-2")
    assert lost[0].time_ms - first.time_ms >= 10_000 + 3000
    assert parts(a) and parts(b)
