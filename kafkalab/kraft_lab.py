"""Seeded KRaft experiments: notebook 10 Part A, its quorum widget, exercises and tests.

* :func:`quorum_cluster` — a cluster whose controller quorum has ``voters`` voters (dedicated or
  combined ``process.roles``), settled: a leader elected, every broker registered and unfenced.
* :func:`quorum_fault` — one fault to that quorum at a known time (the leader crashes, is cut off,
  two of three voters die...) and the clock run on; the trace holds every ``raft.*`` step.
* :func:`create_during_failover` — an ``AdminClient.create_topics`` whose active controller dies
  ``crash_after_ms`` after the request reached it: what the client gets (success after a retry at
  the new controller, or ``TOPIC_ALREADY_EXISTS`` for a topic its own first attempt created) and how long
  it took.
* :func:`isr_change_during_failover` — a follower falls out of sync while the active controller is
  down: the ``AlterPartition`` waits for the new controller; producers and consumers carry on.
* :func:`quorum_loss` — two of three voters down: metadata stays readable (describe, produce,
  consume), nothing new commits (``CreateTopics`` times out with ``REQUEST_TIMED_OUT``).

Example: ``quorum_fault("leader_crash", voters=3, seed=1)`` — the leader of epoch 1 dies at
``t0``; about ``controller.quorum.fetch.timeout.ms`` (2 s) later a follower stands for election,
and the new leader's ``LeaderChangeMessage`` commits once the other follower has fetched it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .cluster import Cluster
from .cluster.metadata import NO_LEADER
from .errors import KafkaException

FAULTS = ("none", "leader_crash", "leader_isolated", "follower_crash", "two_voters_down")


def quorum_cluster(voters: int = 3, seed: int = 0, brokers: int = 3, combined: bool = False,
                   pre_vote: bool = True, broker_config: dict | None = None) -> Cluster:
    return Cluster(brokers=brokers, seed=seed, controllers=voters,
                   process_roles="broker,controller" if combined else "controller", pre_vote=pre_vote,
                   broker_config=broker_config)


@dataclass
class QuorumRun:
    cluster: Cluster
    fault: str
    t0: int  # when the fault happened
    end: int
    leaders: list = field(default_factory=list)  # (time_ms, node_id, epoch) of each raft.leader event
    victims: list = field(default_factory=list)  # node ids the fault hit

    @property
    def first_new_leader(self):
        """(time, node, epoch) of the first leader elected after the fault, or None."""
        return next((x for x in self.leaders if x[0] >= self.t0), None)

    @property
    def failover_ms(self) -> int | None:
        x = self.first_new_leader
        return None if x is None else x[0] - self.t0


def quorum_fault(fault: str = "leader_crash", voters: int = 3, seed: int = 0, pre_vote: bool = True,
                 run_ms: int = 15_000, heal_after_ms: int | None = None, topic: bool = True) -> QuorumRun:
    """Run ``fault`` on a settled quorum and ``run_ms`` of virtual time after it.

    ``leader_isolated`` cuts the leader off from every other node (it stays up); ``heal_after_ms`` heals
    the network (or restarts the crashed voters) that long after the fault."""
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {FAULTS}")
    c = quorum_cluster(voters, seed=seed, pre_vote=pre_vote)
    if topic:
        c.create_topic("orders", partitions=3, replication_factor=3)
    c.run(1000)
    t0 = c.now
    leader = c.quorum.leader()
    victims: list[int] = []
    if fault == "leader_crash":
        victims = [leader.node_id]
        c.crash_controller(leader.node_id)
    elif fault == "leader_isolated":
        victims = [leader.node_id]
        others = [n for n in c._others(leader.node)]
        c.sim.trace.emit("fault.isolate", node=leader.node, node_id=leader.node_id, peers=others)
        c.sim.network.partition([leader.node], others)
    elif fault == "follower_crash":
        victims = [next(v for v in c.quorum.voter_ids if v != leader.node_id)]
        c.crash_controller(victims[0])
    elif fault == "two_voters_down":
        victims = [v for v in c.quorum.voter_ids if v != leader.node_id][:2]
        for v in victims:
            c.crash_controller(v)
    if heal_after_ms is not None and victims:
        if fault == "leader_isolated":
            c.heal_network(at_ms=t0 + heal_after_ms)
        else:
            for v in victims:
                c.restart_controller(v, at_ms=t0 + heal_after_ms)
    c.run(run_ms)
    leaders = [(ev.time_ms, ev.get("node_id"), ev.get("epoch")) for ev in c.trace.filter("raft.leader")]
    return QuorumRun(c, fault, t0, c.now, leaders, victims)


@dataclass
class CreateOutcome:
    cluster: Cluster
    crash_after_ms: int
    outcome: str  # "created" or the Kafka error name the client got
    took_ms: int
    attempts: list  # (time after the request, controller node, ok, error) of each admin.CreateTopics
    replicated_before_crash: bool  # did a follower have the TopicRecord when the leader died?
    topic_exists: bool


def create_during_failover(crash_after_ms: int = 2, voters: int = 3, seed: int = 0, topic: str = "payments",
                           pre_vote: bool = True) -> CreateOutcome:
    """``create_topics([NewTopic(topic, 3, 3)])`` with the active controller killed ``crash_after_ms``
    after the request was sent (the request takes 1 ms to arrive)."""
    from .confluent_kafka.admin import NewTopic

    c = quorum_cluster(voters, seed=seed, pre_vote=pre_vote)
    admin = c.admin()
    leader = c.quorum.leader()
    start = c.now
    futures = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])
    c.crash_controller(leader.node_id, at_ms=start + crash_after_ms)
    seen = {}

    def watch():
        seen["replicated"] = any(n.node_id != leader.node_id and n.alive and
                                 any(r.type == "TopicRecord" and r.fields.get("name") == topic for r in n.log)
                                 for n in c.quorum.voters.values())
    c.at(start + crash_after_ms, watch)
    try:
        futures[topic].result()
        outcome = "created"
    except KafkaException as e:  # the error the client saw
        outcome = e.args[0].name()
    took = c.now - start
    attempts = [(ev.time_ms - start, ev.node, ev.get("ok"), ev.get("error"))
                for ev in c.trace.filter("admin.CreateTopics")]
    return CreateOutcome(c, crash_after_ms, outcome, took, attempts, bool(seen.get("replicated")),
                         topic in c.topics())


@dataclass
class IsrOutcome:
    cluster: Cluster
    t_fault: int
    t_shrink_requested: int | None  # the leader's AlterPartition (replica.alter_isr)
    t_shrink_committed: int | None  # the PartitionChangeRecord in the metadata log
    new_controller_at: int | None
    produced_during: int  # records acknowledged while the controller was down


def isr_change_during_failover(seed: int = 0, voters: int = 3) -> IsrOutcome:
    """The active controller dies and broker 3 stops fetching at once (it stays up and keeps heart-
    beating; ``replica.lag.time.max.ms=1000``): the partition leader's ISR shrink waits for a new
    controller, while acks=1 producers carry on."""
    c = quorum_cluster(voters, seed=seed, broker_config={"replica.lag.time.max.ms": 1000})
    c.create_topic("orders", replica_assignment=[[1, 2, 3]])
    p = c.producer({"bootstrap.servers": "kafka-1:9092", "acks": "1", "linger.ms": 0})
    leader = c.quorum.leader()
    t_fault = c.now
    c.crash_controller(leader.node_id)
    c.network_blip(3, 30_000, peers=[1])
    acked = []
    for i in range(20):
        p.produce("orders", value=f"m{i}".encode(), on_delivery=lambda e, m: acked.append(e is None))
        p.poll(0)
        c.run(250)
    p.flush(10)
    c.run(10_000)
    asked = c.trace.filter("replica.alter_isr", topic="orders", change="shrink")
    done = [ev for ev in c.trace.filter("metadata.PartitionChangeRecord", topic="orders") if "isr" in ev.fields]
    act = [ev for ev in c.trace.filter("controller.activate") if ev.time_ms > t_fault]
    return IsrOutcome(c, t_fault, asked[0].time_ms if asked else None, done[0].time_ms if done else None,
                      act[0].time_ms if act else None, sum(acked))


@dataclass
class QuorumLoss:
    cluster: Cluster
    t_fault: int
    create_error: str | None  # what CreateTopics got
    create_took_ms: int
    described: list  # leaders of "orders" as describe_topics answered during the outage
    produced: int  # records acknowledged during the outage
    consumed: int  # records read back during the outage
    committed_after: bool  # did the timed-out topic exist after the voters came back?


def quorum_loss(seed: int = 0, restart_after_ms: int | None = 40_000) -> QuorumLoss:
    """Two of three voters die.  The brokers keep serving the metadata they have; a topic creation
    waits ~30 s and fails; when the voters come back, a new leader is elected — and commits the
    timed-out topic if the old leader's log (with it) wins the election."""
    from .confluent_kafka.admin import NewTopic

    c = quorum_cluster(3, seed=seed)
    c.create_topic("orders", partitions=3, replication_factor=3)
    leader = c.quorum.leader()
    t0 = c.now
    victims = [v for v in c.quorum.voter_ids if v != leader.node_id]
    for v in victims:
        c.crash_controller(v)
    admin = c.admin()
    prod = c.producer({"bootstrap.servers": "kafka-1:9092"})
    acked = []
    for i in range(10):
        prod.produce("orders", key=str(i).encode(), value=b"x", on_delivery=lambda e, m: acked.append(e is None))
    prod.flush(10)
    md = admin.list_topics(timeout=5)
    described = [p.leader for p in md.topics["orders"].partitions.values()]
    from .confluent_kafka import TopicPartition

    # assign(), not subscribe(): a new consumer group would need __consumer_offsets, a topic the
    # controller cannot create now (a group whose offsets topic exists keeps working).
    cons = c.consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g", "auto.offset.reset": "earliest",
                       "enable.auto.commit": False})
    cons.assign([TopicPartition("orders", p, 0) for p in range(3)])
    got = []
    for _ in range(20):
        got += [m for m in cons.consume(100, timeout=0.5) if m.error() is None]
        if len(got) >= 10:
            break
    start = c.now
    futures = admin.create_topics([NewTopic("audit", num_partitions=1, replication_factor=3)])
    err = None
    try:
        futures["audit"].result()
    except KafkaException as e:
        err = e.args[0].name()
    took = c.now - start
    committed_after = False
    if restart_after_ms is not None:
        for v in victims:
            c.restart_controller(v)
        c.run(restart_after_ms)
        committed_after = "audit" in c.topics()
    return QuorumLoss(c, t0, err, took, [x for x in described if x != NO_LEADER], sum(acked), len(got),
                      committed_after)
