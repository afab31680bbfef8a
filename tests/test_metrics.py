"""The operator's metrics, derived from the trace of seeded runs, behave as Kafka's beans do.

Sources (apache/kafka, trunk of October 2024):
* ``core/src/main/scala/kafka/cluster/Partition.scala``: ``isUnderReplicated = isLeader &&
  (replicationFactor - isr.size) > 0``; ``isUnderMinIsr = isr.size < effectiveMinIsr``; the ISR
  listener ``markIsrShrink()``/``markIsrExpand()`` runs when the leader's AlterPartition is committed.
* ``metadata/src/main/java/org/apache/kafka/controller/metrics/ControllerMetricsChanges.java``:
  ``offlinePartitionsChange`` from ``!hasLeader()``; ``uncleanLeaderElection++`` when
  ``!PartitionRegistration.electionWasClean(next.leader, prevIsr)`` (the new leader was not in the ISR).
* ``core/src/main/scala/kafka/server/ReplicaManager.scala`` ``appendToLocalLog``: "Failed produce
  requests metric is not incremented for known exceptions" (NotLeaderOrFollower, UnknownTopicOrPartition,
  RecordTooLarge, …); other append errors (NotEnoughReplicas, …) mark ``failedProduceRequestRate``.
* ``docs/ops.html``: ``kafka.network:type=RequestMetrics,name=TotalTimeMs,request={Produce|…}`` and the
  consumer's ``records-lag-max``; ``LeaderElectionRateAndTimeMs`` is registered only by the ZooKeeper
  controller (``ControllerState.BrokerChange``), not by ``ControllerMetadataMetrics`` in KRaft.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from kafkalab import metrics
from kafkalab import replication as rep
from kafkalab.group_lab import group_run


@pytest.fixture(scope="module")
def guide():
    return rep.isr_shrink_example(blip_ms=10_000)


def at(run, seconds: float) -> int:
    return run.t0 + round(seconds * 1000)


def test_every_metric_names_its_jmx_bean():
    names = [m.name for m in metrics.METRICS]
    assert {"UnderReplicatedPartitions", "UnderMinIsrPartitionCount", "OfflinePartitionsCount", "IsrShrinksPerSec",
            "IsrExpandsPerSec", "LeaderElectionRateAndTimeMs", "UncleanLeaderElectionsPerSec",
            "FailedProduceRequestsPerSec", "records-lag-max"} <= set(names)
    beans = {m.name: m.mbean for m in metrics.METRICS}
    assert beans["UnderReplicatedPartitions"] == "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions"
    assert beans["OfflinePartitionsCount"] == "kafka.controller:type=KafkaController,name=OfflinePartitionsCount"
    assert beans["UncleanLeaderElectionsPerSec"].startswith(
        "kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec")
    assert beans["TotalTimeMs p99 (Produce)"].startswith(
        "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce")
    assert "KRaft" in metrics.BY_NAME["LeaderElectionRateAndTimeMs"].how


def test_a_crashed_broker_shows_only_once_the_controller_fences_it(guide):
    """B3 crashes at 5 s; the leader B1 keeps B3 in the ISR until the controller fences it (~14 s)."""
    d = metrics.derive(guide.trace)
    assert d.value("UnderReplicatedPartitions", at(guide, 4)) == 0
    assert d.value("UnderReplicatedPartitions", at(guide, 13)) == 0  # 8 s after the crash: the dashboard is green
    assert d.value("UnderReplicatedPartitions", at(guide, 15)) == 1
    assert 13 < guide.t(d.first("UnderReplicatedPartitions")) < 15  # when the controller fenced B3
    assert d.value("FencedBrokerCount", at(guide, 15)) == 1
    # KRaft: the controller removed B3 from the ISR; no leader asked, so no ISR shrink is counted
    assert d.value("IsrShrinksPerSec", guide.cluster.now) == 0
    assert d.value("UnderMinIsrPartitionCount", at(guide, 15)) == 0  # ISR {1,2} = min.insync.replicas
    assert d.value("UnderMinIsrPartitionCount", at(guide, 79)) == 1  # B2 fenced too: ISR {1} < 2
    assert d.value("UnderMinIsrPartitionCount", guide.cluster.now) == 0


def test_a_lagging_follower_is_an_isr_shrink_and_later_an_expand():
    """B2's link to the leader only is cut for 60 s: the leader's own AlterPartition drops it, then adds it back."""
    run = rep.isr_shrink_example(blip_ms=60_000, blip_peers=[1])
    d = metrics.derive(run.trace)
    assert d.value("IsrShrinksPerSec", run.cluster.now) == 1 and d.value("IsrExpandsPerSec", run.cluster.now) == 1
    shrink = d.meters["IsrShrinksPerSec"][0]
    assert d.value("UnderReplicatedPartitions", shrink) == 1 and d.value("UnderReplicatedPartitions", shrink - 1) == 1
    assert d.value("FencedBrokerCount", shrink) == 1  # B3 only: B2 kept heartbeating the controller


def test_unclean_election_is_counted_and_the_clean_run_is_offline_instead():
    unsafe = metrics.derive(rep.unclean_election_example(unclean=True).trace)
    safe_run = rep.unclean_election_example(unclean=False)
    safe = metrics.derive(safe_run.trace)
    assert unsafe.value("UncleanLeaderElectionsPerSec", unsafe.end_ms) == 1
    assert safe.value("UncleanLeaderElectionsPerSec", safe.end_ms) == 0
    assert safe.value("OfflinePartitionsCount", at(safe_run, 60)) == 1  # waiting for B1 or B2 to return
    assert safe.value("OfflinePartitionsCount", safe_run.cluster.now) == 0
    assert safe.peak("OfflinePartitionsCount", at(safe_run, 0), safe_run.cluster.now) == 1


def test_failed_produce_requests_are_the_refused_appends():
    run = rep.rolling_replacement(two_down=True)
    d = metrics.derive(run.trace)
    refused = run.trace.filter("produce.reject")
    assert refused and {e.get("error") for e in refused} == {"NOT_ENOUGH_REPLICAS"}
    assert d.value("FailedProduceRequestsPerSec", run.cluster.now) == len(refused)
    assert d.value("FailedProduceRequestsPerSec", at(run, 19)) == 0


def test_produce_total_time_includes_the_wait_for_the_isr(guide):
    """Write 1 (t=10 s) waits for B3's fencing at ~14 s before acks=all can answer."""
    d = metrics.derive(guide.trace)
    slowest = max(ms for _t, ms in d.samples["TotalTimeMs"])
    assert 3_000 < slowest < 5_000
    assert d.value("TotalTimeMs p99 (Produce)", at(guide, 15)) == slowest
    assert d.value("TotalTimeMs p99 (Produce)", at(guide, 3)) is None  # no request yet: the histogram is empty
    assert metrics.percentile([1, 2, 3, 4], 0.5) == 2 and metrics.percentile([5], 0.99) == 5


def test_a_dead_consumer_is_invisible_to_records_lag_but_not_to_the_group_lag():
    run = group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000, run_ms=80_000)
    d = metrics.derive(run.trace)
    assert d.gone.get("C3") is not None and d.gone["C3"] >= run.crash_ms
    takeover = run.crash_ms + 44_000  # just before the survivors take C3's partitions (session.timeout.ms 45 s)
    assert d.value("consumer group lag", takeover) > 40 + d.value("consumer group lag", run.crash_ms)
    assert all(v in (0, None) for v in (d.value("records-lag-max", t) for t in range(run.crash_ms, takeover, 1000)))
    assert d.value("consumer group lag", run.cluster.now) < 20  # caught up after the rebalance


def test_delta_rows_before_peak_after(guide):
    rows = {r["metric"]: r for r in metrics.delta(guide.trace, at(guide, 4.999), guide.cluster.now)}
    assert set(rows) == {m.name for m in metrics.METRICS}
    urp = rows["UnderReplicatedPartitions"]
    assert (urp["before"], urp["peak"], urp["after"], urp["change"]) == (0, 1, 1, 1)
    fenced = rows["FencedBrokerCount"]
    assert (fenced["before"], fenced["peak"], fenced["after"]) == (0, 2, 1)
    assert rows["records-lag-max"]["before"] is None  # no consumer in this run


def test_the_metrics_module_needs_no_pandas():
    code = "import sys, kafkalab.metrics; print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
