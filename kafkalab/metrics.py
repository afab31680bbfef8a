"""The metrics an operator watches, derived from the trace alone: what the dashboard would have shown.

Kafka publishes these as JMX beans; this module replays a run's trace and computes, at any virtual
moment, what each bean would read — never from live objects, so a finished run can be asked about
any time in its past.  The beans and what they count (apache/kafka, trunk of October 2024):

* ``ReplicaManager`` (``core/src/main/scala/kafka/server/ReplicaManager.scala``): the gauges
  ``UnderReplicatedPartitions`` (partitions this broker leads whose ISR is smaller than their
  replica set, ``Partition.isUnderReplicated``) and ``UnderMinIsrPartitionCount`` (ISR below
  ``min(min.insync.replicas, replicas)``, ``Partition.isUnderMinIsr``); the meters
  ``IsrShrinksPerSec``/``IsrExpandsPerSec``, marked by the *leader* when its own AlterPartition
  request is accepted (``Partition.scala``: ``alterPartitionListener.markIsrShrink()``).  In KRaft a
  broker that dies is taken out of the ISR by the controller, which marks neither: the dashboard
  shows the under-replicated partition, not a shrink.
* The KRaft controller (``metadata/.../controller/metrics/ControllerMetadataMetrics.java``):
  ``OfflinePartitionsCount`` (partitions without a leader), ``FencedBrokerCount``,
  ``ActiveBrokerCount``, and ``UncleanLeaderElectionsPerSec`` (``ControllerMetricsChanges``: a new
  leader that was not in the previous ISR).  ``LeaderElectionRateAndTimeMs`` is the ZooKeeper
  controller's timer (``ControllerState.BrokerChange``); a KRaft controller does not register it,
  so a Kafka 4.x dashboard panel built on it stays empty.  It is counted here from the leader
  elections in the metadata log, to show what the panel showed on ZooKeeper clusters.
* ``BrokerTopicMetrics.FailedProduceRequestsPerSec`` (``ReplicaManager.appendToLocalLog``): marked
  for an append that fails with an unexpected error — ``NotEnoughReplicasException``, an
  out-of-order sequence, a fenced producer epoch, an invalid record — and *not* for
  ``NotLeaderOrFollower``, ``UnknownTopicOrPartition`` or a too-large record.
* ``RequestMetrics.TotalTimeMs`` (request=Produce): from a produce request's arrival at the broker
  to its response, ``acks=all`` waits included (docs/ops.html: "broken into queue, local, remote
  and response send time").
* The Java consumer's ``records-lag-max`` (``consumer-fetch-manager-metrics``): the largest
  ``records-lag`` (high watermark minus the consumer's position) of its partitions in the sample
  window.  A consumer that dies publishes nothing; the lag of the group's committed offsets (what
  ``kafka-consumer-groups.sh --describe`` prints as LAG, and lag exporters scrape) keeps growing.

    d = derive(run.trace)
    d.value("UnderReplicatedPartitions", at_ms=14_000)
    delta(run.trace, before_ms=4_999, after_ms=30_000)   # rows for the before/after table
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

NO_LEADER = -1
#: Java consumer ``metrics.sample.window.ms`` (30 s): records-lag-max is the maximum over that window.
# Simplification: one sliding 30 s window; the Java consumer keeps metrics.num.samples (2) such samples.
LAG_WINDOW_MS = 30_000
#: Percentiles of TotalTimeMs over the requests of the last minute.
# Simplification: a plain 60 s window, not Yammer's exponentially decaying reservoir (biased to ~5 minutes).
HISTOGRAM_WINDOW_MS = 60_000


@dataclass(frozen=True)
class Metric:
    name: str
    mbean: str  # the JMX ObjectName (and attribute) an operator queries
    kind: str  # "gauge", "meter" (the Count attribute: events so far), "percentile", "lag"
    unit: str
    healthy: str
    how: str


METRICS = (
    Metric("UnderReplicatedPartitions", "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions", "gauge",
           "partitions", "0", "summed over the live brokers: partitions each leads with |ISR| < |replicas|"),
    Metric("UnderMinIsrPartitionCount", "kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount", "gauge",
           "partitions", "0", "partitions led by a live broker with |ISR| < min(min.insync.replicas, |replicas|): "
                              "acks=all writes are refused"),
    Metric("OfflinePartitionsCount", "kafka.controller:type=KafkaController,name=OfflinePartitionsCount", "gauge",
           "partitions", "0", "partitions without a leader: nobody can read or write them"),
    Metric("FencedBrokerCount", "kafka.controller:type=KafkaController,name=FencedBrokerCount", "gauge", "brokers",
           "0", "registered brokers the controller has fenced (no heartbeat for broker.session.timeout.ms)"),
    Metric("IsrShrinksPerSec", "kafka.server:type=ReplicaManager,name=IsrShrinksPerSec (Count)", "meter", "shrinks",
           "0", "ISR shrinks a leader asked for (AlterPartition); not the controller fencing a dead broker"),
    Metric("IsrExpandsPerSec", "kafka.server:type=ReplicaManager,name=IsrExpandsPerSec (Count)", "meter", "expands",
           "0", "a caught-up follower added back to the ISR by its leader"),
    Metric("LeaderElectionRateAndTimeMs",
           "kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs (Count)", "meter", "elections",
           "0", "ZooKeeper controllers only; Kafka 4.x (KRaft) does not register it — counted from the metadata log"),
    Metric("UncleanLeaderElectionsPerSec",
           "kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec (Count)", "meter", "elections",
           "0", "a leader elected from outside the previous ISR: acknowledged writes may be lost"),
    Metric("FailedProduceRequestsPerSec",
           "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec (Count)", "meter", "requests", "0",
           "appends refused with NOT_ENOUGH_REPLICAS, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, "
           "INVALID_RECORD"),
    Metric("TotalTimeMs p50 (Produce)", "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce "
                                        "(50thPercentile)", "percentile", "ms", "low and steady",
           "median produce request time at the brokers over the last minute"),
    Metric("TotalTimeMs p99 (Produce)", "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce "
                                        "(99thPercentile)", "percentile", "ms", "low and steady",
           "99th percentile; acks=all waits for the ISR inside it"),
    Metric("records-lag-max", "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=* (records-lag-max)",
           "lag", "records", "near 0", "the worst partition of the worst live consumer, over the last 30 s"),
    Metric("consumer group lag", "— (kafka-consumer-groups.sh --describe LAG; lag exporters)", "lag", "records",
           "near 0", "high watermark minus committed offset, summed over the group's partitions"),
)
BY_NAME = {m.name: m for m in METRICS}


@dataclass
class Derived:
    """One pass over a trace: change points of the gauges, event times of the meters, samples of the rest."""

    gauges: dict = field(default_factory=dict)  # name -> ([t], [value]) change points
    meters: dict = field(default_factory=dict)  # name -> [t] (sorted)
    samples: dict = field(default_factory=dict)  # "TotalTimeMs" -> [(t, ms)]
    client_lag: dict = field(default_factory=dict)  # (client, topic, partition) -> [(t, lag)]
    gone: dict = field(default_factory=dict)  # client -> when it crashed or closed (it publishes nothing after)
    group_lag: dict = field(default_factory=dict)  # (group, topic, partition) -> [(t, lag)]
    faults: list = field(default_factory=list)  # [(t, kind, node)]
    start_ms: int = 0
    end_ms: int = 0

    def value(self, name: str, at_ms: int) -> float | None:
        """What the bean reads at ``at_ms`` (None: nothing to read, e.g. no consumer alive)."""
        m = BY_NAME[name]
        if m.kind == "gauge":
            ts, vs = self.gauges.get(name, ([], []))
            i = bisect_right(ts, at_ms)
            return vs[i - 1] if i else 0
        if m.kind == "meter":
            return bisect_right(self.meters.get(name, []), at_ms)
        if m.kind == "percentile":
            ts, vs = self._columns("TotalTimeMs", self.samples.get("TotalTimeMs", []))
            return percentile(vs[bisect_right(ts, at_ms - HISTOGRAM_WINDOW_MS):bisect_right(ts, at_ms)],
                              0.5 if "p50" in name else 0.99)
        if name == "records-lag-max":
            worst = None
            for key, series in self.client_lag.items():
                if self.gone.get(key[0], at_ms + 1) <= at_ms:
                    continue
                ts, vs = self._columns(key, series)
                window = vs[bisect_right(ts, at_ms - LAG_WINDOW_MS):bisect_right(ts, at_ms)]
                if window:
                    worst = max(window) if worst is None else max(worst, max(window))
            return worst
        total, any_ = 0, False
        for key, series in self.group_lag.items():
            ts, vs = self._columns(("group",) + key, series)
            i = bisect_right(ts, at_ms)
            if i:
                total, any_ = total + vs[i - 1], True
        return total if any_ else None

    def _columns(self, key, series: list) -> tuple[list, list]:
        cache = self.__dict__.setdefault("_cols", {})
        if key not in cache or cache[key][2] != len(series):
            cache[key] = ([t for t, _ in series], [v for _, v in series], len(series))
        return cache[key][0], cache[key][1]

    def first(self, name: str, above: float = 0, after_ms: int | None = None) -> int | None:
        """The first moment (ms) ``name`` reads more than ``above`` (after ``after_ms``); None if it never does."""
        for t in sorted(self.times(name)):
            if (after_ms is None or t >= after_ms) and (v := self.value(name, t)) is not None and v > above:
                return t
        return None

    def peak(self, name: str, from_ms: int, to_ms: int) -> float | None:
        """The worst value the bean shows in ``[from_ms, to_ms]`` (for a meter: the Count at the end)."""
        m = BY_NAME[name]
        if m.kind == "meter":
            return self.value(name, to_ms)
        points = sorted({from_ms, to_ms, *(t for t in self.times(name) if from_ms <= t <= to_ms)})
        if len(points) > 400:  # a dense series (request times): a dashboard's sampling is enough
            step = (to_ms - from_ms) / 400
            points = [from_ms + round(i * step) for i in range(401)]
        vals = [v for v in (self.value(name, t) for t in points) if v is not None]
        return max(vals) if vals else None

    def times(self, name: str) -> list[int]:
        """The moments at which ``name`` may change."""
        m = BY_NAME[name]
        if m.kind == "gauge":
            return list(self.gauges.get(name, ([], []))[0])
        if m.kind == "meter":
            return list(self.meters.get(name, []))
        if m.kind == "percentile":
            return [t for t, _ in self.samples.get("TotalTimeMs", [])]
        source = self.client_lag if name == "records-lag-max" else self.group_lag
        return sorted({t for series in source.values() for t, _ in series})

    def series(self, name: str, start_ms: int | None = None, end_ms: int | None = None, step_ms: int | None = None
               ) -> list[tuple[int, float | None]]:
        """``[(t, value)]`` every ``step_ms`` from ``start_ms`` to ``end_ms``, as a dashboard samples it; a meter
        gives its rate per second over each step (what a dashboard's ``rate(Count)`` plots)."""
        start = self.start_ms if start_ms is None else start_ms
        end = self.end_ms if end_ms is None else end_ms
        step = step_ms or max(1000, (end - start) // 60 // 1000 * 1000)
        out = []
        t = start
        while t <= end:
            if BY_NAME[name].kind == "meter":
                before = self.value(name, t - step) if t - step >= start else self.value(name, start)
                out.append((t, (self.value(name, t) - before) * 1000 / step))
            else:
                out.append((t, self.value(name, t)))
            t += step
        return out


def percentile(values: list, q: float) -> float | None:
    """The ``q`` quantile (nearest rank) of ``values``; None when there are none."""
    if not values:
        return None
    s = sorted(values)
    return float(s[min(len(s), max(1, math.ceil(q * len(s)))) - 1])


def derive(trace) -> Derived:
    """Replay ``trace`` once and keep what every metric of :data:`METRICS` needs."""
    d = Derived()
    events = trace.events if hasattr(trace, "events") else list(trace)
    if events:
        d.start_ms, d.end_ms = events[0].time_ms, events[-1].time_ms
    alive: set = set()
    fenced: set = set()
    registered: set = set()
    parts: dict = {}  # (topic, partition) -> {"replicas", "isr", "leader"}
    min_isr: dict = {}  # topic -> min.insync.replicas set on the topic
    hw: dict = {}  # (topic, partition) -> high watermark reported by the partition's leader
    committed: dict = {}  # (group, topic, partition) -> offset
    last_gauge: dict = {}

    def gauge(name: str, t: int, v: int) -> None:
        if last_gauge.get(name) != v:
            last_gauge[name] = v
            ts, vs = d.gauges.setdefault(name, ([], []))
            if ts and ts[-1] == t:
                vs[-1] = v
            else:
                ts.append(t)
                vs.append(v)

    def meter(name: str, t: int) -> None:
        d.meters.setdefault(name, []).append(t)

    def partition_gauges(t: int) -> None:
        # Simplification: the controller's metadata records, as if every broker applied them at once (a broker's
        # own gauge follows a few milliseconds later, when the MetadataUpdate reaches it).
        urp = umi = offline = 0
        for (topic, _p), s in parts.items():
            leader = s["leader"]
            if leader == NO_LEADER:
                offline += 1
                continue
            if leader not in alive:
                continue  # a dead broker reports nothing
            # Simplification: a broker-wide min.insync.replicas (server.properties) is not in the trace; the
            # topic's own setting or Kafka's default of 1 is used.
            if len(s["isr"]) < len(s["replicas"]):
                urp += 1
            if len(s["isr"]) < min(min_isr.get(topic, 1), len(s["replicas"])):
                umi += 1
        gauge("UnderReplicatedPartitions", t, urp)
        gauge("UnderMinIsrPartitionCount", t, umi)
        gauge("OfflinePartitionsCount", t, offline)

    def group_lag(t: int, topic: str, p: int) -> None:
        for (g, tt, pp), off in committed.items():
            if (tt, pp) == (topic, p) and (topic, p) in hw:
                d.group_lag.setdefault((g, tt, pp), []).append((t, max(0, hw[(topic, p)] - off)))

    for e in events:
        k, t, f = e.kind, e.time_ms, e.fields
        if k == "broker.start":
            alive.add(f["broker"])
            partition_gauges(t)
        elif k == "broker.crash":
            alive.discard(f["broker"])
            partition_gauges(t)
        elif k == "metadata.RegisterBrokerRecord":
            registered.add(f["broker_id"])
            (fenced.add if f.get("fenced") else fenced.discard)(f["broker_id"])
            gauge("FencedBrokerCount", t, len(fenced & registered))
        elif k == "metadata.BrokerRegistrationChangeRecord":
            (fenced.add if f.get("fenced") else fenced.discard)(f["broker_id"])
            gauge("FencedBrokerCount", t, len(fenced & registered))
        elif k == "metadata.ConfigRecord":
            if f.get("resource_type") == "TOPIC" and f.get("name") == "min.insync.replicas":
                min_isr[f["resource_name"]] = int(f["value"])
                partition_gauges(t)
        elif k == "metadata.PartitionRecord":
            parts[(f["topic"], f["partition"])] = {"replicas": list(f["replicas"]), "isr": list(f["isr"]),
                                                    "leader": f["leader"]}
            partition_gauges(t)
        elif k == "metadata.PartitionChangeRecord":
            s = parts.get((f["topic"], f["partition"]))
            if s is None:
                continue
            old_isr, old_leader = s["isr"], s["leader"]
            if "isr" in f:
                s["isr"] = list(f["isr"])
            if "replicas" in f:
                s["replicas"] = list(f["replicas"])
            if "leader" in f:
                s["leader"] = f["leader"]
                if f["leader"] != NO_LEADER and f["leader"] != old_leader:
                    if f.get("election") != "preferred":
                        meter("LeaderElectionRateAndTimeMs", t)
                    if f["leader"] not in old_isr:  # ControllerMetricsChanges: electionWasClean(leader, prevIsr)
                        meter("UncleanLeaderElectionsPerSec", t)
            if f.get("reason") == "AlterPartition" and "isr" in f:
                if len(s["isr"]) < len(old_isr):
                    meter("IsrShrinksPerSec", t)
                elif len(s["isr"]) > len(old_isr):
                    meter("IsrExpandsPerSec", t)
            partition_gauges(t)
        elif k == "produce.reject":
            meter("FailedProduceRequestsPerSec", t)
        elif k == "request.completed" and f.get("api") == "Produce":
            d.samples.setdefault("TotalTimeMs", []).append((t, f["total_ms"]))
        elif k == "replica.hw":
            tp = (f["topic"], f["partition"])
            s = parts.get(tp)
            if s is not None and e.node == f"kafka-{s['leader']}":
                hw[tp] = f["hw"]
                group_lag(t, *tp)
        elif k == "consumer.poll":
            d.client_lag.setdefault((e.node, f["topic"], f["partition"]), []).append((t, max(0, f["hw"] - f["position"])))
        elif k == "group.offset_commit":
            key = (f["group"], f["topic"], f["partition"])
            committed[key] = f["offset"]
            if key[1:] in hw:
                d.group_lag.setdefault(key, []).append((t, max(0, hw[key[1:]] - f["offset"])))
        elif k in ("consumer.crash", "consumer.close"):
            d.gone.setdefault(e.node, t)  # a consumer that is gone publishes no records-lag any more
        if k.startswith("fault.") or k == "consumer.crash":
            d.faults.append((t, k, e.node))
    return d


def delta(trace, before_ms: int, after_ms: int, names=None, derived: Derived | None = None) -> list[dict]:
    """One row per metric: its JMX bean, its value at ``before_ms``, the worst it showed in between, its value at
    ``after_ms`` and the change."""
    d = derived or derive(trace)
    rows = []
    for m in METRICS:
        if names is not None and m.name not in names:
            continue
        before, after = d.value(m.name, before_ms), d.value(m.name, after_ms)
        peak = d.peak(m.name, before_ms, after_ms)
        change = None if before is None or after is None else after - before
        rows.append({"metric": m.name, "bean": m.mbean, "kind": m.kind, "unit": m.unit, "before": before,
                     "peak": peak, "after": after, "change": change, "healthy": m.healthy, "how": m.how})
    return rows
