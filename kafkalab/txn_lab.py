"""Seeded consume-transform-produce experiments with crashes: notebook 06, its widget, checkers, tests.

:func:`eos_pipeline` fills ``raw-events`` with numbered records, runs a loop body ``step(consumer,
producer)`` over and over as the application, and kills the process at chosen points.  A killed
process leaves its clients where they were (nothing is ended, nothing is committed); the harness
starts a new process with the same ``group.id`` and ``transactional.id`` — whose
``init_transactions()`` fences the old producer and aborts its open transaction.  At the end a
``read_committed`` reader reads ``enriched-events`` and the output is compared with the input:
every input exactly once (:func:`kafkalab.checks.eos_anomalies`).

Crash points (``crashes={iteration: point}``, iterations counted from 1 over all processes; a crash
is armed from its iteration on until the loop reaches the point — an iteration that polls nothing
does not):

* ``before_produce`` — the process dies at its first ``produce()`` of the iteration;
* ``after_produce`` — right after its first ``produce()`` returned;
* ``after_send_offsets`` — right after ``send_offsets_to_transaction()`` (or ``consumer.commit()``
  in a non-transactional loop) returned;
* ``before_commit`` — when it calls ``commit_transaction()`` (or ``consumer.commit()``): its writes
  are flushed, the commit not yet sent;
* ``during_commit`` — inside ``commit_transaction()``: the call runs for 2 ms of virtual time (the
  EndTxn may or may not have reached the coordinator), then the process dies;
* ``after_commit`` — right after ``commit_transaction()`` returned (a loop that commits its offsets
  on its own, after the transaction, dies before doing so);
* ``coordinator_failover`` — not a process crash: the broker leading the transactional id's
  ``__transaction_state`` partition is killed before the iteration and restarted 20 s later;
* ``zombie`` — the process stalls (a long GC pause) as it is about to commit: a new process takes
  over and runs an iteration; then the old one wakes up and goes on with its commit — against a
  producer the new instance's ``init_transactions`` has fenced, or, without transactions, with
  offsets of records the new instance has already written — and is then stopped.

Example: ``eos_pipeline(crashes={3: "after_produce"})`` → no anomalies; the same crash with
``eos_pipeline(step=at_least_once_step, transactional=False, …)`` duplicates the records of the
crashed iteration.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .clients import Consumer, Producer
from .clients.common import OFFSET_BEGINNING, OFFSET_STORED, TopicPartition
from .cluster import Cluster
from .errors import KafkaException
from .group_lab import ProcessCrash

CRASH_POINTS = ("before_produce", "after_produce", "after_send_offsets", "before_commit", "during_commit",
                "after_commit", "coordinator_failover", "zombie")
INPUT, OUTPUT, GROUP, TXN_ID = "raw-events", "enriched-events", "etl-transformer", "etl-transformer-001"


def consumer_config(**extra) -> dict:
    return {"bootstrap.servers": "kafka-1:9092", "group.id": GROUP, "enable.auto.commit": False,
            "isolation.level": "read_committed", "auto.offset.reset": "earliest", **extra}


def producer_config(transactional: bool = True, **extra) -> dict:
    conf = {"bootstrap.servers": "kafka-1:9092", "acks": "all", "enable.idempotence": True}
    if transactional:
        conf["transactional.id"] = TXN_ID
    return {**conf, **extra}


def enrich(value: bytes) -> bytes:
    return json.dumps({**json.loads(value), "enriched": True}).encode()


def rewind(consumer) -> None:
    """Seek every assigned partition back to the group's committed offset: after an abort the
    position is past records whose results were just thrown away."""
    for tp in consumer.committed(consumer.assignment()):
        tp.offset = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
        consumer.seek(tp)


def transactional_step(consumer, producer) -> None:
    """The textbook loop body: one transaction per poll batch, offsets inside it; on an abortable
    error abort and rewind to the committed offsets (else the batch would be skipped)."""
    msgs = [m for m in consumer.consume(20, timeout=1.0) if m.error() is None]
    if not msgs:
        return
    producer.begin_transaction()
    try:
        for m in msgs:
            producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata())
        producer.commit_transaction()
    except KafkaException as e:
        if e.args[0].fatal():
            raise
        producer.abort_transaction()
        rewind(consumer)


def at_least_once_step(consumer, producer) -> None:
    """Without transactions: write, flush, then commit the consumer's offsets."""
    msgs = [m for m in consumer.consume(20, timeout=1.0) if m.error() is None]
    if not msgs:
        return
    for m in msgs:
        producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
    producer.flush()
    consumer.commit(asynchronous=False)


class _Crashing:
    """Wraps a client; raises :class:`ProcessCrash` at the armed point of the current iteration."""

    def __init__(self, real, run: _Run, role: str):
        self._real, self._run, self._role = real, run, role

    def __getattr__(self, name):
        return getattr(self._real, name)

    def _point(self) -> str | None:
        return self._run.armed

    def produce(self, *a, **kw):
        if self._point() == "before_produce":
            self._run.fire("before_produce")
        self._real.produce(*a, **kw)
        if self._point() == "after_produce":
            self._run.fire("after_produce")

    def send_offsets_to_transaction(self, *a, **kw):
        self._real.send_offsets_to_transaction(*a, **kw)
        if self._point() == "after_send_offsets":
            self._run.fire("after_send_offsets")

    def flush(self, *a, **kw):
        return self._real.flush(*a, **kw)

    def commit_transaction(self, *a, **kw):
        if self._point() == "zombie":
            self._run.stall()
        if self._point() == "before_commit":
            self._real.flush()
            self._run.fire("before_commit")
        if self._point() == "during_commit":
            try:
                self._real.commit_transaction(0.002)
            except KafkaException:
                pass
            self._run.fire("during_commit")
        self._real.commit_transaction(*a, **kw)
        if self._point() == "after_commit":
            self._run.fire("after_commit")

    def commit(self, *a, **kw):  # the consumer's offset commit (non-transactional loops)
        if self._point() == "zombie":
            self._run.stall()
        if self._point() == "before_commit":
            self._run.fire("before_commit")
        out = self._real.commit(*a, **kw)
        if self._point() == "after_send_offsets":
            self._run.fire("after_send_offsets")
        return out


@dataclass
class _Run:
    armed: str | None = None
    queue: list = field(default_factory=list)
    fired: list = field(default_factory=list)
    takeover: object = None  # set by the harness: start a new instance and run one iteration with it
    zombie: bool = False

    def fire(self, point: str) -> None:
        self.armed = None
        self.fired.append(point)
        raise ProcessCrash(point)

    def stall(self) -> None:
        """The process stalls before its commit; a new instance takes over; then it goes on."""
        self.armed = None
        self.fired.append("zombie")
        self.takeover()
        self.zombie = True


@dataclass
class PipelineRun:
    cluster: Cluster
    inputs: list  # the input values, in order
    output: list  # (offset, value) a read_committed reader got from enriched-events
    output_uncommitted: list  # (offset, value) a read_uncommitted reader got
    crashes: list  # (iteration, point, time_ms) that happened
    restarts: int = 0
    step_errors: list = field(default_factory=list)  # (iteration, error name) raised out of a step
    anomalies: list = field(default_factory=list)  # kafkalab.checks.eos_anomalies rows

    @property
    def trace(self):
        return self.cluster.trace

    @property
    def exactly_once(self) -> bool:
        return not self.anomalies


def eos_pipeline(step=None, crashes: dict | None = None, seed: int = 0, records: int = 12, transactional=True,
                 consumer_conf: dict | None = None, producer_conf: dict | None = None, per_iteration: int = 2,
                 max_iterations: int = 60, cluster_config: dict | None = None,
                 broker_errors: dict | None = None) -> PipelineRun:
    """Run ``step`` as the application's loop body, with ``crashes`` (see the module doc).

    ``broker_errors={iteration: (api, error code)}`` makes the broker answer one request of ``api``
    with that error from that iteration on (``Cluster.push_request_errors``), e.g. a record the
    partition refuses, which makes the transaction abortable.
    """
    from . import checks
    from .txn.coordinator import txn_coordinator_for

    step = step or (transactional_step if transactional else at_least_once_step)
    crashes = dict(crashes or {})
    cluster = Cluster(brokers=3, seed=seed, broker_config=cluster_config)
    for t in (INPUT, OUTPUT):
        cluster.create_topic(t, partitions=1, replication_factor=3)
    feed = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": True}, cluster=cluster)
    inputs = [json.dumps({"n": i}).encode() for i in range(records)]
    pending = list(inputs)
    run = _Run()
    out = PipelineRun(cluster, inputs, [], [], [])
    cconf = consumer_config(**(consumer_conf or {}))
    pconf = producer_config(transactional, **(producer_conf or {}))

    def start():
        # The producer first: its init_transactions() fences the previous instance and aborts its open
        # transaction, whose offsets would otherwise stay unstable for the new consumer (KIP-447).
        p = Producer(dict(pconf), cluster=cluster)
        if p.transactional:
            p.init_transactions()
        c = Consumer(dict(cconf), cluster=cluster)
        # Simplification: the process assigns itself the input partition (resuming from the group's
        # committed offset) instead of subscribing, so a restart costs no rebalance; fencing is the
        # transactional producer's job either way (KIP-98), and the guide's subscribe() loop runs as
        # written in tests/test_txn_syllabus.py.
        c.assign([TopicPartition(INPUT, 0, OFFSET_STORED)])
        return c, p

    def feed_some(n):
        for v in pending[:n]:
            feed.produce(INPUT, key=b"k", value=v, partition=0)
        del pending[:n]
        feed.flush()

    consumer, producer = start()
    failed_broker = None
    quiet = 0
    for it in range(1, max_iterations + 1):
        feed_some(per_iteration)
        if broker_errors and it in broker_errors:
            cluster.push_request_errors(*broker_errors[it])
        point = crashes.get(it)
        if point == "coordinator_failover":
            failed_broker = txn_coordinator_for(cluster).coordinator_broker(TXN_ID)
            if failed_broker < 0:  # no transactions: the group coordinator goes instead
                from .groups.coordinator import coordinator_for

                failed_broker = coordinator_for(cluster).coordinator_broker(GROUP)
            cluster.crash_broker(failed_broker)
            cluster.restart_broker(failed_broker, at_ms=cluster.now + 20_000)
            out.crashes.append((it, point, cluster.now))
        elif point is not None:
            run.queue.append(point)
        if run.armed is None and run.queue:
            run.armed = run.queue.pop(0)  # armed until the loop reaches that point (an iteration may poll nothing)
        before = len(out.crashes)
        fresh: list = []

        def takeover(it=it, fresh=fresh):
            out.crashes.append((it, "zombie", cluster.now))
            fresh[:] = start()  # the new instance fences the stalled one
            out.restarts += 1
            step(*fresh)
        run.takeover = takeover
        try:
            step(_Crashing(consumer, run, "consumer"), _Crashing(producer, run, "producer"))
            if run.zombie:
                raise ProcessCrash("zombie")  # it finished its iteration; now it is stopped
        except ProcessCrash as e:
            if run.zombie:
                run.zombie = False
                consumer.crash()
                producer.crash()
                consumer, producer = fresh
                continue
            out.crashes.append((it, str(e), cluster.now))
            consumer.crash()
            producer.crash()
            consumer, producer = start()
            out.restarts += 1
        except KafkaException as e:
            out.step_errors.append((it, e.args[0].name()))
            if run.zombie:  # the woken zombie failed (fenced): it stops; the new instance goes on
                run.zombie = False
                consumer.crash()
                producer.crash()
                consumer, producer = fresh
            elif e.args[0].fatal():  # a fenced or broken producer: the app restarts the process
                consumer.crash()
                producer.crash()
                consumer, producer = start()
                out.restarts += 1
        if len(out.crashes) == before and not pending and run.armed is None and not run.queue and \
                _committed(cluster) >= records:
            quiet += 1
            if quiet >= 2:
                break
    cluster.run(30_000)
    out.output = read_output(cluster, "read_committed")
    out.output_uncommitted = read_output(cluster, "read_uncommitted")
    out.anomalies = checks.eos_anomalies(inputs, [v for _o, v in out.output], transform=enrich)
    return out


def _committed(cluster) -> int:
    """The group's committed offset of the input partition (every input is at offsets 0..records-1)."""
    from .groups.coordinator import coordinator_for

    return coordinator_for(cluster).committed_offsets(GROUP).get((INPUT, 0), (0,))[0]


def read_output(cluster, isolation: str = "read_committed", topic: str = OUTPUT) -> list:
    """Every record of ``topic`` partition 0 that a fresh reader with ``isolation`` gets."""
    r = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": f"reader-{isolation}",
                  "isolation.level": isolation, "enable.partition.eof": True}, cluster=cluster)
    r.assign([TopicPartition(topic, 0, 0)])
    got = []
    for _ in range(200):
        msgs = r.consume(500, timeout=0.5)
        got += [(m.offset(), m.value()) for m in msgs if m.error() is None]
        if any(m.error() is not None for m in msgs):
            break
    r.close()
    return got


def hanging_transaction(verification: bool = False, seed: int = 5):
    """A produce request stuck in the network outlives its transaction (KIP-890's motivating case).

    A transactional producer's first batch to ``payments`` is delayed 40 s on its way to the leader;
    the client times the message out, aborts and bumps its epoch; then the stuck batch arrives.  With
    ``transaction.partition.verification.enable=false`` the leader appends it: a transaction open on the
    partition that no coordinator knows — it holds the LSO until an operator aborts it with
    ``kafka-transactions.sh abort``.  With verification (Kafka 3.6+ default) the leader refuses it.
    Returns ``(cluster, partition)``.
    """
    from .txn.coordinator import txn_coordinator_for

    c = Cluster(brokers=3, seed=seed, broker_config={"transaction.partition.verification.enable": verification})
    c.create_topic("payments", partitions=3, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "pay-1", "message.timeout.ms": 5000},
                 cluster=c)
    p.init_transactions()
    coord = txn_coordinator_for(c).coordinator_broker("pay-1")
    part = next(pp.partition for pp in c.describe("payments").partitions if pp.leader != coord)
    leader = f"kafka-{c.describe('payments').partitions[part].leader}"
    p.begin_transaction()
    c.sim.network.set_latency(p.node, leader, 40_000, both_ways=False)  # this request gets stuck
    p.produce("payments", b"stuck payment", partition=part)
    c.run(200)
    c.sim.network.set_latency(p.node, leader, c.sim.network.default_latency_ms, both_ways=False)
    try:
        p.commit_transaction()
    except KafkaException as e:
        if e.args[0].fatal():
            raise
        p.abort_transaction()
    c.run(3 * 60_000)
    return c, part
