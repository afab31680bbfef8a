"""Seeded experiments of notebook 10, Part C: the same code under different version profiles.

Each function runs one experiment on ``Cluster(profile=...)`` (see :mod:`kafkalab.profiles`) and
returns what a learner would notice:

* :func:`java_producer_faults` — the *same* ``JavaProducer`` code through a lost ProduceResponse and a
  leader that dies right after acknowledging: under 2.8 defaults (``acks=1``, no idempotence) one record is
  stored twice and one acknowledged record is lost; under 3.0 (``acks=all`` but idempotence not in effect,
  KAFKA-13598) only the duplicate remains; from 3.3 on neither.
* :func:`linger_requests` — ten records sent in a burst: how many batches reach the log (``linger.ms`` 0
  before 4.0, 5 since KIP-1030).
* :func:`keyless_spread` — twelve records without a key: KIP-480 (2.8, 3.0) moves to another partition at
  every new batch; KIP-794 (3.3+) stays on one partition for ``batch.size`` bytes.
* :func:`failover_ms` — a partition leader crashes: how long until another broker leads (the ZooKeeper
  session of the 2.8 profile, 18 s, against KRaft's ``broker.session.timeout.ms``, 9 s).
* :func:`new_protocol_consumer` / :func:`share_consumer_available` — whether ``group.protocol=consumer``
  (KIP-848) and share groups (KIP-932) work on the profile's brokers.
* :func:`elr_leader` — notebook 03's ELR plan on the profile's defaults: with ELR (on from the 4.2 profile,
  KIP-966) a follower that left the ISR cleanly is elected; without, the partition stays offline.
* :func:`txn_epochs` — the producer epoch of each transaction's records (``transaction.version=2``, KIP-890:
  bumped at every commit).
"""
from __future__ import annotations

from dataclasses import dataclass

from .clients import Consumer
from .clients.producer import JavaProducer
from .clients.share_consumer import ShareConsumer
from .cluster import Cluster
from .errors import KafkaException, error_text
from .scenarios import read_partition

BOOTSTRAP = "kafka-1:9092"


def _cluster(profile: str | None, seed: int, partitions: int = 1) -> Cluster:
    cluster = Cluster(brokers=3, seed=seed, profile=profile)
    cluster.create_topic("orders", partitions=partitions, replication_factor=3, config={"min.insync.replicas": 2})
    return cluster


@dataclass
class FaultRun:
    profile: str
    config: dict  # the effective acks / enable.idempotence / linger.ms the producer ran with
    acknowledged: list  # values whose callback reported success
    stored: list  # what the partition holds afterwards, in offset order
    errors: list  # (value, error name) of failed sends

    @property
    def duplicates(self) -> list:
        return sorted({v for v in self.stored if self.stored.count(v) > 1})

    @property
    def lost(self) -> list:
        return [v for v in self.acknowledged if v not in self.stored]


def java_producer_faults(profile: str | None = None, conf: dict | None = None, seed: int = 42) -> FaultRun:
    """``order-1`` goes through; ``order-2``'s ProduceResponse is lost (the producer retries after
    ``request.timeout.ms``); then the leader is cut off from its followers, ``order-3`` is sent, and one
    virtual second later the leader crashes; the controller elects a follower and the network heals."""
    cluster = _cluster(profile, seed)
    producer = JavaProducer({"bootstrap.servers": BOOTSTRAP, **(conf or {})}, cluster=cluster)
    acked, errors = [], []

    def send(value):
        producer.send("orders", value=value.encode(),
                      callback=lambda md, exc, v=value: acked.append(v) if exc is None else errors.append(
                          (v, exc.name() if hasattr(exc, "name") else str(exc))))

    p0 = cluster.describe("orders").partitions[0]
    leader, followers = p0.leader, [r for r in p0.replicas if r != p0.leader]
    send("order-1")
    producer.flush()
    cluster.sim.network.drop_next(f"kafka-{leader}", producer.node, "ProduceResponse")
    send("order-2")
    producer.flush()
    cluster.run(100)  # the followers fetch
    cluster.partition_network([leader], followers)
    send("order-3")
    producer.poll(1)
    cluster.crash_broker(leader)
    cluster.run(25_000)  # fenced (KRaft, 9 s) or its ZooKeeper session expired (18 s); a follower leads
    cluster.heal_network()
    producer.flush()
    stored = [m.value().decode() for m in read_partition(cluster, "orders", 0)]
    s = producer.settings
    eff = {"acks": {-1: "all", 0: "0", 1: "1"}[s.acks], "enable.idempotence": s.idempotent, "linger.ms": s.linger_ms}
    return FaultRun(cluster.profile, eff, acked, stored, errors)


def linger_requests(profile: str | None = None, records: int = 10, seed: int = 42) -> int:
    """Batches in the log after ``records`` sends in one burst by a Java producer with default settings."""
    cluster = _cluster(profile, seed)
    producer = JavaProducer({"bootstrap.servers": BOOTSTRAP}, cluster=cluster)
    for i in range(records):
        producer.send("orders", value=f"order-{i}".encode())
    producer.flush()
    cluster.run(100)
    return sum(1 for b in cluster.partition_log("orders", 0).all_batches() if not b.is_control)


def keyless_spread(profile: str | None = None, records: int = 12, partitions: int = 6, seed: int = 42) -> list:
    """Records per partition after ``records`` small keyless sends in a burst by a default Java producer:
    spread over partitions by KIP-480 (a new partition at every new batch), on one by KIP-794."""
    cluster = Cluster(brokers=3, seed=seed, profile=profile)
    cluster.create_topic("clicks", partitions=partitions, replication_factor=3)
    producer = JavaProducer({"bootstrap.servers": BOOTSTRAP}, cluster=cluster)
    for i in range(records):
        producer.send("clicks", value=f"click-{i}".encode())
    producer.flush()
    return [len(cluster.partition_log("clicks", p).records()) for p in range(partitions)]


def failover_ms(profile: str | None = None, seed: int = 42) -> int:
    """Milliseconds from a leader's crash to the ``PartitionChangeRecord`` that names a new leader."""
    cluster = _cluster(profile, seed)
    old = cluster.describe("orders").partitions[0].leader
    t0 = cluster.now
    cluster.crash_broker(old)
    cluster.run(30_000)
    for ev in cluster.trace.filter("metadata.PartitionChangeRecord", topic="orders"):
        if ev.time_ms >= t0 and ev.fields.get("leader") not in (None, old, -1):
            return ev.time_ms - t0
    return -1


#: Notebook 03's ELR plan: B3 crashes, B2 lags out of the ISR (a blip from the leader), then the leader B1 crashes.
ELR_PLAN = [(5, "crash", 3), (10, "write", "a"), (20, "blip", 2, 60_000, [1]), (30, "write", "b"), (60, "crash", 1)]


def elr_leader(profile: str | None = None, seed: int = 42) -> int | None:
    """Who leads after notebook 03's ELR plan on the profile's defaults (None: nobody, the partition is offline)."""
    from .replication import TOPIC, run_scenario

    run = run_scenario(ELR_PLAN, seed=seed, elr=None, run_s=100, profile=profile)
    leader = run.cluster.describe(TOPIC).partitions[0].leader
    return leader if leader >= 0 else None


def txn_epochs(profile: str | None = None, transactions: int = 3, seed: int = 42) -> list:
    """Producer epochs of the data batches a Java transactional producer writes in ``transactions`` commits:
    the same epoch throughout before 4.0; one more per commit with ``transaction.version=2`` (KIP-890)."""
    cluster = _cluster(profile, seed)
    p = JavaProducer({"bootstrap.servers": BOOTSTRAP, "transactional.id": "orders-tx"}, cluster=cluster)
    p.init_transactions()
    for i in range(transactions):
        p.begin_transaction()
        p.send("orders", value=f"order-{i}".encode())
        p.commit_transaction()
    return [b.producer_epoch for b in cluster.partition_log("orders", 0).all_batches() if not b.is_control]


def new_protocol_consumer(profile: str | None = None, seed: int = 42) -> str:
    """What a ``group.protocol=consumer`` consumer gets on the profile: ``"assigned [0]"`` or the error name."""
    cluster = _cluster(profile, seed)
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "g", "group.protocol": "consumer"}, cluster=cluster)
    c.subscribe(["orders"])
    for _ in range(10):
        m = c.poll(1.0)
        if m is not None and m.error() is not None:
            return m.error().name()
        if c.assignment():
            return f"assigned {[tp.partition for tp in c.assignment()]}"
    return "nothing yet"


def share_consumer_available(profile: str | None = None, seed: int = 42) -> str:
    """What a ``ShareConsumer``'s first polls get on the profile: ``"ok"`` or the error name."""
    cluster = _cluster(profile, seed)
    c = ShareConsumer({"bootstrap.servers": BOOTSTRAP, "group.id": "workers"}, cluster=cluster)
    c.subscribe(["orders"])
    try:
        c.poll(1.0)
        c.poll(1.0)
    except KafkaException as exc:
        return exc.args[0].name()
    except Exception as exc:  # noqa: BLE001 - shown to the learner as it is
        return error_text(exc)
    return "ok"


__all__ = ["ELR_PLAN", "FaultRun", "elr_leader", "failover_ms", "java_producer_faults", "keyless_spread",
           "linger_requests", "new_protocol_consumer", "share_consumer_available", "txn_epochs"]
