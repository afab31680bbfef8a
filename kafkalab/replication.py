"""Seeded replication scenarios (notebook 03): a topic, a producer and a fault schedule on the virtual clock.

:func:`run_scenario` builds a fresh cluster from a seed, creates one topic with the given
replication settings, and plays a *schedule*: ``(t_s, action, *args)`` tuples in seconds after
the scenario starts (``t0``).  Actions:

* ``("write", value)`` / ``("write", value, key)`` — one ``produce`` (recorded in a
  :class:`~kafkalab.checks.History`); ``("writes", n, every_ms)`` — ``n`` writes, ``w0``, ``w1``, …
* ``("crash", b)``, ``("restart", b)``, ``("stop", b)`` (controlled shutdown),
* ``("blip", b, ms)`` — ``b`` loses every link for ``ms``; ``("blip", b, ms, [peers])`` — only
  those links (``[1]``: the leader only, so ``b`` still heartbeats the controller),
* ``("isolate", b)``, ``("heal",)``, ``("slow", b, latency_ms)``,
* ``("replace", [brokers], down_ms)`` — a rolling replacement, one broker at a time,
* ``("elect_preferred",)``.

Example: the worked example of the syllabus (B3 crashes at 5 s, B2 blips at 70 s, writes at
10/40/75 s) is :func:`isr_shrink_example`; ``run.writes`` says what each write observed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks import History, HistoryRecorder
from .cluster import Cluster

TOPIC = "orders"


@dataclass
class Run:
    """What one scenario run left behind: the cluster (logs, trace), the client history, ``t0``."""

    cluster: Cluster
    history: History
    t0: int
    topic: str = TOPIC
    partition: int = 0
    config: dict = field(default_factory=dict)
    schedule: list = field(default_factory=list)

    @property
    def trace(self):
        return self.cluster.trace

    def t(self, time_ms: int) -> float:
        """Scenario seconds of an absolute virtual time."""
        return round((time_ms - self.t0) / 1000, 3)

    @property
    def writes(self) -> list[dict]:
        """One dict per write: value, sent (s), result (ok / failed / unknown / pending), offset, error, done (s)."""
        out = []
        for o in self.history.sends():
            res = {"ok": "ok", "fail": "failed", "info": "unknown", "invoke": "pending"}[o.type]
            out.append({"value": o.payload.decode(), "sent_s": self.t(o.invoke_ms), "result": res,
                        "offset": o.result.get("offset"), "error": o.error,
                        "done_s": self.t(o.complete_ms) if o.complete_ms >= 0 else None})
        return out

    def anomalies(self):
        """The checker's verdict on this run (a DataFrame, one row per anomaly)."""
        from .checks import check

        return check(self.history, self.cluster, self.topic)

    def lost(self) -> list:
        from .checks import find_anomalies

        return [r["value"] for r in find_anomalies(self.history, self.cluster, self.topic) if r["kind"] == "lost"]

    def timeline(self, **kw):
        from .viz.replication import timeline_table

        return timeline_table(self, **kw)

    def partition_state(self):
        return self.cluster.describe(self.topic).partitions[self.partition]


def run_scenario(schedule: list, seed: int = 42, brokers: int = 3, replication_factor: int = 3,
                 min_insync_replicas: int = 2, acks="all", unclean: bool = False, elr: bool | None = False,
                 producer: dict | None = None, run_s: float | None = None, key: str = "42",
                 profile: str | None = None) -> Run:
    """Play ``schedule`` on a fresh seeded cluster; one partition led by broker 1 (replicas 1, 2, 3…).

    ``profile`` picks a Kafka version's defaults (:mod:`kafkalab.profiles`); ``elr=None`` keeps that
    profile's ``eligible.leader.replicas.enable``."""
    cluster = Cluster(brokers=brokers, seed=seed, profile=profile,
                      broker_config={} if elr is None else {"eligible.leader.replicas.enable": elr})
    assignment = [[(1 + i) for i in range(replication_factor)]]
    cluster.create_topic(TOPIC, replica_assignment=assignment,
                         config={"min.insync.replicas": min_insync_replicas,
                                 "unclean.leader.election.enable": unclean})
    cluster.run(1000)
    t0 = (cluster.now // 1000 + 1) * 1000  # a round start, so scenario seconds are round
    cluster.advance_to(t0)
    conf = {"bootstrap.servers": "B1:9092,B2:9092,B3:9092", "acks": acks, "delivery.timeout.ms": 120000}
    conf.update(producer or {})
    p = cluster.producer(conf)
    rec = HistoryRecorder(cluster)
    run = Run(cluster, rec.history, t0, config={"seed": seed, "replication_factor": replication_factor,
                                                "min_insync_replicas": min_insync_replicas, "acks": acks,
                                                "unclean": unclean, "elr": elr, "producer": conf},
              schedule=list(schedule))
    last = 0.0
    for item in sorted(schedule, key=lambda s: s[0]):
        t_ms = t0 + round(item[0] * 1000)
        last = max(last, item[0])
        cluster.at(t_ms, _play, cluster, rec, p, key, item[1:])
    end = t0 + int(1000 * (run_s if run_s is not None else last + 130))
    while cluster.now < end:  # serve delivery reports often, so each op completes when it was reported
        cluster.run(min(100, end - cluster.now))
        p.poll(0)
    p.poll(0)
    return run


def _play(cluster: Cluster, rec: HistoryRecorder, p, key: str, action: tuple) -> None:
    kind, args = action[0], action[1:]
    if kind == "write":
        rec.send(p, TOPIC, args[1] if len(args) > 1 else key, args[0], partition=0, process="producer")
    elif kind == "writes":
        n, every = args[0], args[1]
        base = len(rec.history.sends())
        for i in range(n):
            cluster.sim.schedule(i * every, lambda j=base + i: rec.send(p, TOPIC, key, f"w{j}", partition=0,
                                                                        process="producer"))
    elif kind == "crash":
        cluster.crash_broker(args[0])
    elif kind == "restart":
        cluster.restart_broker(args[0])
    elif kind == "stop":
        cluster.stop_broker(args[0], at_ms=cluster.now + 1)
    elif kind == "blip":
        cluster.network_blip(args[0], args[1], peers=args[2] if len(args) > 2 else None)
    elif kind == "isolate":
        cluster.isolate_broker(args[0])
    elif kind == "heal":
        cluster.heal_network()
    elif kind == "slow":
        cluster.slow_follower(args[0], args[1])
    elif kind == "replace":
        cluster.rolling_restart(args[0], down_ms=args[1] if len(args) > 1 else 20_000)
    elif kind == "elect_preferred":
        cluster.controller.preferred_leader_election(TOPIC)
    else:
        raise ValueError(f"unknown scenario action {action!r}")


# -- the scenarios of notebook 03 ------------------------------------------------------------------
def isr_shrink_schedule(blip_ms: int = 10_000, blip_peers: list | None = None, crash_s: float = 5,
                        blip_s: float = 70, writes_s=(10, 40, 75)) -> list:
    """The syllabus's worked example: B3 crashes, later B2 blips, three writes."""
    sched: list = [(crash_s, "crash", 3)]
    if blip_ms:
        sched.append((blip_s, "blip", 2, blip_ms) + ((blip_peers,) if blip_peers else ()))
    for i, t in enumerate(writes_s, start=1):
        sched.append((t, "write", f'{{"o":{i}}}'))
    return sched


GUIDE_PRODUCER = {"acks": "all", "enable.idempotence": True, "delivery.timeout.ms": 120000}


def isr_shrink_example(seed: int = 42, blip_ms: int = 10_000, blip_peers: list | None = None,
                       producer: dict | None = None, **kw) -> Run:
    """RF=3, min.insync.replicas=2, and the guide's producer: acks=all, idempotence, delivery.timeout.ms=120000."""
    return run_scenario(isr_shrink_schedule(blip_ms, blip_peers), seed=seed,
                        producer=dict(GUIDE_PRODUCER, **(producer or {})), **kw)


def rolling_replacement(seed: int = 42, down_ms: int = 20_000, writes: int = 120, every_ms: int = 1000,
                        two_down: bool = False, **kw) -> Run:
    """Steady writes (one a second) while brokers 3, 2, 1 are replaced one at a time; with ``two_down``
    brokers 2 and 3 crash together instead."""
    sched: list = [(0, "writes", writes, every_ms)]
    if two_down:
        kw.setdefault("producer", {"delivery.timeout.ms": 30000})
        sched += [(20, "crash", 2), (20, "crash", 3), (80, "restart", 2), (80, "restart", 3)]
    else:
        sched.append((10, "replace", [3, 2, 1], down_ms))
    return run_scenario(sched, seed=seed, run_s=writes * every_ms / 1000 + 130, **kw)


def unclean_election_example(seed: int = 42, unclean: bool = True, acks="all", min_insync_replicas: int = 2,
                             **kw) -> Run:
    """B3 falls out of the ISR (crash at 5 s), writes go on with ISR {1,2}; at 40 s B1 and B2 crash;
    at 50 s B3 comes back. With unclean election B3 becomes leader and the writes it never had are lost."""
    sched = [(5, "crash", 3), (10, "write", "a"), (20, "write", "b"), (30, "write", "c"),
             (40, "crash", 1), (40, "crash", 2), (50, "restart", 3), (70, "write", "d"),
             (90, "restart", 1), (90, "restart", 2)]
    return run_scenario(sched, seed=seed, unclean=unclean, acks=acks, min_insync_replicas=min_insync_replicas,
                        run_s=150, **kw)


def hw_example(seed: int = 42, latency_ms: int = 2000, writes: int = 3) -> Run:
    """A slow follower: B3's links to the other brokers take ``latency_ms``; ``writes`` acks=1 writes at 1 s."""
    sched = [(0, "slow", 3, latency_ms)] + [(1, "write", f"r{i}") for i in range(writes)]
    return run_scenario(sched, seed=seed, acks=1, run_s=1.5)
