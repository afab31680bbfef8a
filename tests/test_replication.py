"""Replication, ISR, elections and faults, each checked on the simulated Kafka 4.x (KRaft) cluster.

Numbers come from the real defaults: ``broker.heartbeat.interval.ms`` 2000,
``broker.session.timeout.ms`` 9000, ``replica.lag.time.max.ms`` 30000 (checked every 15 s).
"""
import pytest

from kafkalab import Cluster, Consumer, TopicPartition
from kafkalab.checks import HistoryRecorder, find_anomalies
from kafkalab.clients.common import OFFSET_BEGINNING
from kafkalab.replication import (
    hw_example,
    isr_shrink_example,
    rolling_replacement,
    run_scenario,
    unclean_election_example,
)


def isr_changes(run):
    """(scenario second, isr, leader, why) of every PartitionChangeRecord after t0."""
    out = []
    for e in run.trace.filter("metadata.PartitionChangeRecord"):
        if e.time_ms >= run.t0:
            out.append((run.t(e.time_ms), e.get("isr"), e.get("leader"), e.get("reason") or e.get("election")))
    return out


def logs(cluster, topic="orders", partition=0):
    return {b: [(o, r[1]) for o, r, _ in cluster.brokers[b].logs[(topic, partition)].records()]
            for b in sorted(cluster.brokers) if (topic, partition) in cluster.brokers[b].logs}


def test_hw_is_min_leo_of_the_isr_and_consumers_stop_at_the_hw():
    """"Consumers can only read up to HW" (syllabus §3); a slow follower holds the HW back."""
    run = hw_example(latency_ms=2000, writes=3)
    c = run.cluster
    leader, slow = c.brokers[1].logs[("orders", 0)], c.brokers[3].logs[("orders", 0)]
    assert (leader.log_end_offset, leader.high_watermark, slow.log_end_offset) == (3, 0, 0)
    assert [w["result"] for w in run.writes] == ["ok"] * 3  # acks=1: answered after the leader's append
    cons = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g"}, cluster=c)
    cons.assign([TopicPartition("orders", 0, OFFSET_BEGINNING)])
    assert cons.consume(10, timeout=0.2) == []  # HW=0: nothing is committed yet
    c.run(5000)
    assert leader.high_watermark == 3 == slow.log_end_offset
    assert [m.value() for m in cons.consume(10, timeout=1)] == [b"r0", b"r1", b"r2"]


def test_crashed_broker_is_fenced_after_the_session_timeout_not_after_replica_lag():
    """KRaft: a silent broker is fenced after broker.session.timeout.ms (9 s) and leaves every ISR then."""
    run = isr_shrink_example(blip_ms=0)
    first = isr_changes(run)[0]
    assert first[1] == [1, 2] and 9 <= first[0] - 5 <= 11
    fenced = run.trace.filter("controller.session_expired")
    assert fenced[0].get("broker") == 3 and fenced[0].get("silent_ms") > 9000
    # acks=all waited for the whole ISR, B3 included, until the fencing shrank it
    w1 = run.writes[0]
    assert w1["result"] == "ok" and w1["done_s"] == pytest.approx(first[0], abs=0.2)


def test_syllabus_example_with_a_10s_blip_delays_the_third_write_instead_of_failing_it():
    run = isr_shrink_example(blip_ms=10_000)
    changes = isr_changes(run)
    assert [c[1] for c in changes] == [[1, 2], [1], [1, 2]]
    assert 78 <= changes[1][0] <= 80  # B2 silent for 9 s → fenced
    assert [w["result"] for w in run.writes] == ["ok", "ok", "ok"]
    assert run.writes[2]["done_s"] > 80  # answered after B2 came back
    errors = {e.get("error") for e in run.trace.filter("produce.error")}
    assert {"NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND"} <= errors
    assert run.lost() == []


def test_a_blip_to_the_leader_only_shrinks_the_isr_after_replica_lag_time_max():
    """B2 keeps heartbeating the controller: only replica.lag.time.max.ms (30 s) takes it out, and only
    once it is behind (the write at 75 s)."""
    short = isr_shrink_example(blip_ms=25_000, blip_peers=[1])
    assert [c[1] for c in isr_changes(short)] == [[1, 2]]  # never shrank
    long = isr_shrink_example(blip_ms=60_000, blip_peers=[1])
    changes = isr_changes(long)
    assert [c[1] for c in changes] == [[1, 2], [1], [1, 2]]
    shrink = changes[1]
    assert shrink[3] == "AlterPartition" and 100 <= shrink[0] <= 115  # 70 s + 30 s, at the 15 s check
    assert 130 <= changes[2][0] <= 131  # caught up right after the heal
    assert long.trace.filter("replica.alter_isr", change="shrink")[0].get("out_of_sync") == [2]


def test_not_enough_replicas_before_the_append_and_after_it():
    c = Cluster(brokers=3, seed=4)
    c.create_topic("t", replica_assignment=[[1, 2, 3]], config={"min.insync.replicas": 2})
    got = []
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "retries": 0, "request.timeout.ms": 60000})
    c.partition_network([1], [2, 3])  # B2, B3 stop fetching but heartbeat: the ISR holds for 30 s
    p.produce("t", value=b"x", on_delivery=lambda e, m: got.append(e.name() if e else m.offset()))
    c.run(45_000)
    p.poll(0)
    assert got == ["NOT_ENOUGH_REPLICAS_AFTER_APPEND"]  # appended, then the ISR shrank to {1}
    assert c.brokers[1].logs[("t", 0)].log_end_offset == 1  # the record is in the leader's log
    p.produce("t", value=b"y", on_delivery=lambda e, m: got.append(e.name() if e else m.offset()))
    p.flush(5)
    assert got[1] == "NOT_ENOUGH_REPLICAS" and c.brokers[1].logs[("t", 0)].log_end_offset == 1


def test_not_enough_replicas_is_retriable_so_the_report_is_msg_timed_out():
    """librdkafka retries NOT_ENOUGH_REPLICAS until message.timeout.ms; the report then says _MSG_TIMED_OUT."""
    run = rolling_replacement(two_down=True)
    errs = {w["error"] for w in run.writes if w["result"] != "ok"}
    assert errs == {"_MSG_TIMED_OUT"}
    assert {e.get("error") for e in run.trace.filter("produce.reject")} == {"NOT_ENOUGH_REPLICAS"}
    assert run.lost() == []


def test_rolling_replacement_with_acks_all_min_isr_2_keeps_every_write():
    run = rolling_replacement()
    assert {w["result"] for w in run.writes} == {"ok"} and run.lost() == []
    replaced = [e.get("broker") for e in run.trace.filter("fault.replaced")]
    assert replaced == [3, 2, 1]
    assert sorted(run.partition_state().isr) == [1, 2, 3]


def test_unclean_election_loses_acknowledged_writes_and_followers_truncate():
    bad = unclean_election_example(unclean=True)
    assert [c[3] for c in isr_changes(bad) if c[2] == 3] == ["unclean"]
    assert bad.lost() == ["a", "b", "c"]
    truncs = bad.trace.filter("replica.truncate")
    assert {e.node for e in truncs} == {"kafka-1", "kafka-2"} and {e.get("records_removed") for e in truncs} == {3}
    assert len({tuple(v) for v in logs(bad.cluster).values()}) == 1  # every replica holds the same log
    safe = unclean_election_example(unclean=False)
    assert safe.lost() == [] and all(w["result"] == "ok" for w in safe.writes)
    assert not [c for c in isr_changes(safe) if c[3] == "unclean"]


def test_divergent_uncommitted_suffix_is_truncated_by_leader_epoch():
    """KIP-101/279: an old leader's acks=1 writes past the HW vanish when it follows the new leader."""
    c = Cluster(brokers=3, seed=8)
    c.create_topic("t", replica_assignment=[[1, 2, 3]], config={"min.insync.replicas": 1})
    rec = HistoryRecorder(c)
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": 1, "retries": 0})
    rec.send(p, "t", "k", "committed")
    c.run(1000)
    c.partition_network([1], [2, 3, "controller"])  # B1 still talks to the producer
    for i in range(3):
        rec.send(p, "t", "k", f"doomed-{i}")
    c.run(15_000)  # B1 fenced; B2 leads in epoch 1
    assert c.describe("t").partitions[0].leader == 2
    c.heal_network()
    c.run(10_000)
    p.poll(0)
    assert logs(c, "t")[1] == logs(c, "t")[2] == logs(c, "t")[3]
    assert [v for _, v in logs(c, "t")[1]] == [b"committed"]
    lost = sorted(r["value"] for r in find_anomalies(rec.history, c, "t") if r["kind"] == "lost")
    assert lost == ["doomed-0", "doomed-1", "doomed-2"]
    assert c.trace.filter("replica.truncate", node="kafka-1")[0].get("records_removed") == 3


def test_preferred_leader_election_is_periodic_and_on_demand():
    c = Cluster(brokers=3, seed=3)
    c.create_topic("t", replica_assignment=[[1, 2, 3]])
    c.crash_broker(1)
    c.run(12_000)
    assert c.describe("t").partitions[0].leader == 2
    c.restart_broker(1)
    c.run(10_000)
    assert c.describe("t").partitions[0].leader == 2 and 1 in c.describe("t").partitions[0].isr
    c.run(300_000)  # leader.imbalance.check.interval.seconds
    p = c.describe("t").partitions[0]
    assert p.leader == 1 and [e.get("election") for e in c.trace.filter("metadata.PartitionChangeRecord")
                              if e.get("leader") == 1][-1] == "preferred"


def test_elr_elects_a_clean_replica_when_the_last_isr_member_dies():
    """KIP-966: with eligible.leader.replicas.enable, B2 (dropped from the ISR while it was below min ISR)
    keeps every committed record and is elected when B1 dies; without ELR the partition stays offline."""
    sched = [(5, "crash", 3), (10, "write", "a"), (20, "blip", 2, 60_000, [1]), (30, "write", "b"),
             (60, "crash", 1)]
    with_elr = run_scenario(sched, elr=True, run_s=130)
    p = with_elr.partition_state()
    assert p.leader == 2 and p.isr == [2]
    elected = [c for c in isr_changes(with_elr) if c[2] == 2]
    assert elected[0][3] == "elr"
    first_elr = next(e.get("elr") for e in with_elr.trace.filter("metadata.PartitionChangeRecord") if "elr" in e.fields)
    assert first_elr == [2]
    assert with_elr.lost() == []
    without = run_scenario(sched, elr=False, run_s=130)
    assert without.partition_state().leader == -1 and without.partition_state().isr == [1]


def test_elr_under_min_isr_freezes_the_hw_so_acks_1_writes_stay_uncommitted():
    sched = [(5, "crash", 3), (20, "blip", 2, 60_000, [1]), (25, "write", "x")]
    run = run_scenario(sched, elr=True, acks=1, run_s=75)
    log = run.cluster.brokers[1].logs[("orders", 0)]
    assert log.log_end_offset == 1 and log.high_watermark == 0
    plain = run_scenario(sched, elr=False, acks=1, run_s=75)
    assert plain.cluster.brokers[1].logs[("orders", 0)].high_watermark == 1


def test_unclean_restart_drops_a_broker_from_the_elr():
    c = Cluster(brokers=3, seed=5, broker_config={"eligible.leader.replicas.enable": True})
    c.create_topic("t", replica_assignment=[[1, 2, 3]], config={"min.insync.replicas": 2})
    c.crash_broker(3)
    c.run(12_000)
    c.crash_broker(2)
    c.run(12_000)
    p = c.describe("t").partitions[0]
    assert p.isr == [1] and p.elr == [2]  # B3 left while the ISR was still at min ISR: not eligible
    c.restart_broker(2)
    c.run(3_000)
    assert 2 not in c.describe("t").partitions[0].elr


def test_controlled_shutdown_moves_leadership_first():
    c = Cluster(brokers=3, seed=2)
    c.create_topic("t", replica_assignment=[[1, 2, 3]])
    c.stop_broker(1)
    p = c.describe("t").partitions[0]
    assert p.leader == 2 and 1 not in p.isr and not c.brokers[1].alive and c.brokers[1].clean_shutdown
    assert c.trace.filter("metadata.BrokerRegistrationChangeRecord", in_controlled_shutdown=True)
    c.run(20_000)  # its last heartbeats must not unfence it, and it is not "expired" later
    assert c.controller.image.brokers[1].fenced and not c.trace.filter("controller.session_expired")
    assert 1 not in c.describe("t").partitions[0].isr


def test_faults_scheduled_on_the_virtual_clock_are_traced():
    c = Cluster(brokers=3, seed=1)
    c.create_topic("t", replica_assignment=[[1, 2, 3]])
    t = c.now
    c.crash_broker(3, at_ms=t + 1000)
    c.restart_broker(3, at_ms=t + 20_000)
    c.network_blip(2, 3000, at_ms=t + 5000)
    c.slow_follower(2, 50, at_ms=t + 9000)
    c.partition_network([1], [2], at_ms=t + 10_000)
    c.heal_network(at_ms=t + 11_000)
    assert c.brokers[3].alive
    c.run(30_000)
    kinds = [(e.kind, e.time_ms - t) for e in c.trace.filter("fault.")]
    assert kinds == [("fault.crash", 1000), ("fault.blip", 5000), ("fault.blip_end", 8000), ("fault.slow", 9000),
                     ("fault.restart", 20_000)]
    assert [e.time_ms - t for e in c.trace.filter(("net.partition", "net.heal"))] == [5000, 8000, 10_000, 11_000]


def test_same_seed_same_faults_same_trace():
    def digest():
        return rolling_replacement(seed=3, writes=20).trace.digest()
    assert digest() == digest()


def test_replacement_on_an_empty_disk_re_replicates_everything():
    """The guide's "single broker permanent loss": the replacement rebuilds the third replica."""
    run = rolling_replacement(writes=30, every_ms=1000)
    c = run.cluster
    before = {b: c.brokers[b].logs[("orders", 0)].log_end_offset for b in (1, 2, 3)}
    c.rolling_restart([3], down_ms=5000, wipe_disk=True)
    c.run(30_000)
    log3 = c.brokers[3].logs[("orders", 0)]
    assert log3.log_end_offset == before[1] == before[3] and 3 in c.describe("orders").partitions[0].isr
    assert c.trace.filter("fault.restart", broker=3, wipe_disk=True)
