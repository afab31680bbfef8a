"""Seeded consumer-group experiments that notebook 05, its widgets and its checkers share.

:func:`group_run` builds a fresh cluster, fills a topic, starts consumers that subscribe to it
through the real group protocol, polls them round-robin in virtual time, optionally crashes one,
and returns everything the renderers need (the trace, listener calls, records each consumer got).

Example: ``group_run(4, 8, strategy="cooperative-sticky", crash="C3")`` is the syllabus trace:
C1..C4 share ``orders``; C3 is killed at ``crash_at_ms``; the coordinator notices after
``session.timeout.ms`` and the survivors take over C3's partitions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .clients import Consumer, Producer
from .cluster import Cluster
from .errors import error_text
from .sim.heap import frozen_heap_during


@dataclass
class GroupRun:
    cluster: Cluster
    consumers: dict
    topic: str
    group: str
    calls: list = field(default_factory=list)  # (time_ms, consumer, "assign"/"revoke"/"lost", [partitions])
    received: dict = field(default_factory=dict)  # consumer -> [(partition, offset)]
    errors: list = field(default_factory=list)  # (time_ms, consumer, error name)
    crash_ms: int | None = None

    @property
    def trace(self):
        return self.cluster.trace

    def assignment(self, at_ms: int | None = None) -> dict:
        """``{client id: [partitions]}`` of the last stable generation at or before ``at_ms``."""
        return stable_assignment(self.cluster, self.group, at_ms)


def stable_assignment(cluster, group: str, at_ms: int | None = None) -> dict:
    """The assignment of the last ``group.stable`` event, keyed by client id (member ids are long)."""
    last = None
    for ev in cluster.trace.filter("group.stable", group=group):
        if at_ms is None or ev.time_ms <= at_ms:
            last = ev
    if last is None:
        return {}
    clients = member_clients(cluster, group)
    return {clients.get(m, m): sorted(p for ps in a.values() for p in ps)
            for m, a in sorted(last.fields["assignment"].items(), key=lambda kv: clients.get(kv[0], kv[0]))}


def member_clients(cluster, group: str) -> dict:
    """member id -> client id, from the coordinator's join events."""
    return {ev.fields["member"]: ev.fields["client_id"] for ev in cluster.trace.filter("group.join", group=group)}


def consumer_config(strategy: str = "range,roundrobin", protocol: str = "classic", **extra) -> dict:
    conf = {"bootstrap.servers": "kafka-1:9092", "auto.offset.reset": "earliest"}
    if protocol == "consumer":
        conf["group.protocol"] = "consumer"
        if strategy in ("uniform", "range"):
            conf["group.remote.assignor"] = strategy
    else:
        conf["partition.assignment.strategy"] = strategy
    conf.update(extra)
    return conf


@frozen_heap_during  # full collections skip the kernel's older objects (kafkalab.sim.heap)
def group_run(consumers: int = 4, partitions: int = 8, strategy: str = "cooperative-sticky",
              protocol: str = "classic", crash: str | None = None, crash_at_ms: int = 20_000,
              run_ms: int = 90_000, records_per_partition: int = 20, seed: int = 42, topic: str = "orders",
              group: str = "order-pipeline", client_ids: list | None = None, 
              extra_config: dict | None = None, groups: int = 1, stagger_ms: int = 700,
              process_ms_per_record: int = 150, max_batch: int = 100, step_ms: int = 50) -> GroupRun:
    """Start ``consumers`` members (client ids C1, C2, …) of ``group`` and poll them for ``run_ms``.

    ``protocol="consumer"`` uses KIP-848 with ``strategy`` as the server-side assignor
    (``uniform`` or ``range``).  ``crash`` names a client id to kill at ``crash_at_ms`` (virtual ms
    after the consumers start).  Records are produced before the consumers start, one batch per
    partition, and one more record per partition every second while the group runs.
    """
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic(topic, partitions=partitions, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(records_per_partition * partitions):
        p.produce(topic, value=f"r{i}", partition=i % partitions)
    p.flush()
    names = client_ids or [f"C{i + 1}" for i in range(consumers)]
    run = GroupRun(cluster, {}, topic, group)
    conf = consumer_config(strategy, protocol, **(extra_config or {}))

    def listener(kind):
        return lambda c, ps: run.calls.append((cluster.now, c.node, kind, [tp.partition for tp in ps]))

    for g in range(groups):
        gid = group if groups == 1 else f"{group}-{g + 1}"
        for name in names:
            cid = name if groups == 1 else f"{gid}/{name}"
            c = Consumer({**conf, "group.id": gid, "client.id": cid}, cluster=cluster)
            c.subscribe([topic], on_assign=listener("assign"), on_revoke=listener("revoke"),
                        on_lost=listener("lost"))
            run.consumers[cid] = c
            run.received[cid] = []
            # Processes start a little apart, so their heartbeats are not in lock-step.
            cluster.run(stagger_ms)
    start = cluster.now
    if crash is not None:
        run.crash_ms = start + crash_at_ms
    produced = 0
    next_produce = start + 1000
    busy_until = {name: 0 for name in run.consumers}
    while cluster.now < start + run_ms:
        for name, c in run.consumers.items():
            if run.crash_ms is not None and name == crash and cluster.now >= run.crash_ms and not c._crashed:
                c.crash()
            if c._closed or cluster.now < busy_until[name]:
                continue  # still processing the last batch: not polling
            msgs = c.consume(max_batch, 0)
            for m in msgs:
                if m.error() is not None:
                    run.errors.append((cluster.now, name, m.error().name()))
                else:
                    run.received[name].append((m.partition(), m.offset()))
            busy_until[name] = cluster.now + process_ms_per_record * len(msgs)
        if cluster.now >= next_produce:
            for q in range(partitions):
                p.produce(topic, value=f"live-{produced}", partition=q)
                produced += 1
            p.poll(0)
            next_produce += 1000
        cluster.run(step_ms)
    p.flush()
    return run


def ownership_intervals(trace, topic: str | None = None, end_ms: int | None = None) -> list:
    """``[(partition, consumer, start_ms, end_ms)]``: when each consumer was actually fetching each
    partition, from the client-side assign/unassign/crash events.  Gaps are pauses."""
    open_: dict = {}  # (node, partition) -> start
    out = []
    last = 0

    def key(s: str):
        t, _, p = s.rpartition("-")
        return t, int(p)

    for ev in trace:
        last = ev.time_ms
        k = ev.kind
        if k not in ("consumer.assign", "consumer.incremental_assign", "consumer.incremental_unassign",
                     "consumer.unassign", "consumer.crash", "consumer.close"):
            continue
        node = ev.node
        parts = [key(s) for s in ev.fields.get("partitions", [])]
        parts = [(t, p) for t, p in parts if topic is None or t == topic]
        if k in ("consumer.assign",):
            for (n, tp), s in list(open_.items()):
                if n == node:
                    out.append((tp, node, s, ev.time_ms))
                    del open_[(n, tp)]
        if k in ("consumer.assign", "consumer.incremental_assign"):
            for tp in parts:
                open_.setdefault((node, tp), ev.time_ms)
        elif k == "consumer.incremental_unassign":
            for tp in parts:
                if (node, tp) in open_:
                    out.append((tp, node, open_.pop((node, tp)), ev.time_ms))
        else:  # unassign, crash, close: everything of that consumer stops
            for (n, tp), s in list(open_.items()):
                if n == node:
                    out.append((tp, node, s, ev.time_ms))
                    del open_[(n, tp)]
    end = end_ms if end_ms is not None else last
    for (n, tp), s in sorted(open_.items()):
        out.append((tp, n, s, end))
    return sorted((tp[1], n, s, e) for tp, n, s, e in out if e > s or e == s)


def pauses(trace, topic: str, since_ms: int, until_ms: int, partitions: int) -> dict:
    """Per partition: milliseconds in ``[since_ms, until_ms)`` during which no consumer fetched it."""
    iv = ownership_intervals(trace, topic, end_ms=until_ms)
    out = {}
    for p in range(partitions):
        covered = sorted((max(s, since_ms), min(e, until_ms)) for q, _n, s, e in iv if q == p)
        t, paused = since_ms, 0
        for s, e in covered:
            if e <= s:
                continue
            if s > t:
                paused += s - t
            t = max(t, e)
        paused += max(0, until_ms - t)
        out[p] = paused
    return out


# ------------------------------------------------------------------------------------------
# The at-least-once warehouse: a consume loop, a flaky sink, a crash schedule
# ------------------------------------------------------------------------------------------

class SinkDown(Exception):
    """The warehouse refused a write (HTTP 503): nothing of the batch was stored."""


class ProcessCrash(BaseException):
    """The consumer process dies here (kill -9): no commit, no LeaveGroup.  A BaseException, so a
    loop's ``except Exception`` cannot swallow it."""


class Warehouse:
    """A slow, sometimes failing sink.  ``write(messages)`` takes ``write_ms`` of virtual time, then
    fails with :class:`SinkDown` on the calls listed in ``fail_calls``, kills the process on the
    calls in ``crash_calls`` (before anything lands), and otherwise appends one row per message —
    then kills the process if the call is in ``crash_after_calls`` (stored, not yet committed)."""

    def __init__(self, cluster, write_ms: int = 2000, fail_calls=(), crash_calls=(), crash_after_calls=()):
        self.cluster = cluster
        self.write_ms = write_ms
        self.fail_calls, self.crash_calls = set(fail_calls), set(crash_calls)
        self.crash_after_calls = set(crash_after_calls)
        self.calls = 0
        self.rows: list = []  # (partition, offset, key, value), duplicates included
        self.failed: list = []  # (call, [(partition, offset)])
        self.log: list = []  # (time_ms, call, outcome, records)

    def write(self, messages) -> None:
        msgs = [m for m in messages if m.error() is None]
        self.calls += 1
        call = self.calls
        self.cluster.run(self.write_ms)
        if call in self.crash_calls:
            self.log.append((self.cluster.now, call, "process crashed", len(msgs)))
            raise ProcessCrash(f"the consumer process died during warehouse write #{call}")
        if call in self.fail_calls:
            self.failed.append((call, [(m.partition(), m.offset()) for m in msgs]))
            self.log.append((self.cluster.now, call, "SinkDown", len(msgs)))
            raise SinkDown(f"warehouse write #{call} failed: HTTP 503, nothing stored")
        self.rows += [(m.partition(), m.offset(), m.key(), m.value()) for m in msgs]
        self.log.append((self.cluster.now, call, "stored", len(msgs)))
        if call in self.crash_after_calls:
            self.log.append((self.cluster.now, call, "process crashed after the write", len(msgs)))
            raise ProcessCrash(f"the consumer process died right after warehouse write #{call}")


@dataclass
class SinkRun:
    cluster: Cluster
    warehouse: Warehouse
    topic: str
    group: str
    source: dict  # partition -> [(offset, key, value)]
    restarts: int = 0
    anomalies: object = None  # checks.check DataFrame
    step_errors: list = field(default_factory=list)

    @property
    def lost(self) -> list:
        got = {(p, o) for p, o, _k, _v in self.warehouse.rows}
        return sorted((p, o) for p, recs in self.source.items() for o, _k, _v in recs if (p, o) not in got)

    @property
    def duplicates(self) -> int:
        return len(self.warehouse.rows) - len({(p, o) for p, o, _k, _v in self.warehouse.rows})


def orders_feed(n: int = 60, orders: int = 40, seed: int = 7) -> list:
    """``n`` order events (key = order id, JSON value with a version), some orders updated."""
    import json
    import random

    rng = random.Random(seed)
    version: dict = {}
    out = []
    for i in range(n):
        oid = f"o-{rng.randrange(orders):03d}" if i >= orders // 2 else f"o-{i:03d}"
        version[oid] = version.get(oid, 0) + 1
        out.append((oid, json.dumps({"order_id": oid, "version": version[oid], "amount": 10 + i},
                                    sort_keys=True)))
    return out


def sink_run(step, config: dict | None = None, fail_calls=(3,), crash_calls=(5,), crash_after_calls=(7,),
             partitions: int = 3,
             records: int = 60, seed: int = 42, write_ms: int = 2000, max_steps: int = 200,
             group: str = "orders-to-bq", per_step: int = 3) -> SinkRun:
    """Run ``step(consumer, warehouse)`` over and over as the application's loop body.

    The topic ``orders`` receives ``records`` order events, ``per_step`` before each iteration.  Write calls in ``fail_calls`` raise
    :class:`SinkDown`; in ``crash_calls`` the process dies (:class:`ProcessCrash`): the harness then
    crashes the consumer and starts a new process (a new ``Consumer`` in the same group).  Any other
    exception from ``step`` is recorded and the loop goes on (the app's supervisor restarts the
    iteration).  Stops once the topic is fully processed and quiet, or after ``max_steps``.
    Anomalies come from :func:`kafkalab.checks.check`: every source record is an acknowledged
    "send"; the warehouse rows are the final log.
    """
    from . import checks

    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=partitions, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all"}, cluster=cluster)
    feed = orders_feed(records, seed=seed)
    source: dict = {}

    def produce_some(n: int) -> None:  # orders keep arriving while the loader runs
        for k, v in feed[:n]:
            p.produce("orders", key=k, value=v)
        del feed[:n]
        p.flush()

    produce_some(per_step)
    wh = Warehouse(cluster, write_ms=write_ms, fail_calls=fail_calls, crash_calls=crash_calls,
                   crash_after_calls=crash_after_calls)
    run = SinkRun(cluster, wh, "orders", group, source)
    conf = {"bootstrap.servers": "kafka-1:9092", "group.id": group, "auto.offset.reset": "earliest",
            "client.id": "bq-loader", **(config or {})}

    def start():
        c = Consumer(dict(conf), cluster=cluster)
        c.subscribe(["orders"])
        return c

    consumer = start()
    idle = 0
    from .groups.coordinator import coordinator_for

    def caught_up() -> bool:  # the group has committed the end of every partition
        committed = coordinator_for(cluster).committed_offsets(group)
        return all(committed.get(("orders", q), (-1,))[0] >= (recs[-1][0] + 1 if recs else 0)
                   for q, recs in source.items())

    for _ in range(max_steps):
        produce_some(per_step)
        if not feed and not source:
            for q in range(partitions):
                log = cluster.partition_log("orders", q)
                source[q] = [(o, r[0], r[1]) for o, r, _b in log.records(0, log.high_watermark)]
        before = len(wh.rows)
        try:
            step(consumer, wh)
        except ProcessCrash:
            consumer.crash()
            run.restarts += 1
            cluster.run(1000)
            consumer = start()
            continue
        except Exception as exc:  # noqa: BLE001 - the learner's loop let an error escape: retry the iteration
            run.step_errors.append(f"{type(exc).__name__}: {error_text(exc)}")
        done = bool(source) and not run.lost and caught_up()
        idle = idle + 1 if (len(wh.rows) == before and done) else 0
        if idle >= 3:
            break
        cluster.run(100)
    consumer.close()
    h = checks.History()
    for q in sorted(source):
        for o, k, v in source[q]:
            op = h.invoke("source", "send", (k, v))
            h.ok(op, topic="orders", partition=q, offset=o)
    final: dict = {}
    for q, o, k, v in wh.rows:
        final.setdefault(q, []).append((o, k, v))
    run.anomalies = checks.check(h, final=final)
    return run


def reset_group_offsets(cluster, group: str, topic: str, to: str | int = "earliest") -> dict:
    """``kafka-consumer-groups.sh --reset-offsets --to-earliest|--to-latest|--to-offset N --execute``.

    Commits the new offsets as a "simple" commit (generation -1, no member id), which the
    coordinator accepts only while the group is ``Empty`` — as the real tool requires the group to
    be inactive.  Raises the coordinator's error (``UNKNOWN_MEMBER_ID``) otherwise.  Returns
    ``{partition: new offset}``; the next member to join starts there (replay).
    """
    from .clients import TopicPartition

    parts = range(len(cluster.describe(topic).partitions))
    new = {}
    for p in parts:
        rep = cluster.leader_replica(topic, p)
        if to == "earliest":
            new[p] = rep.log.log_start_offset
        elif to == "latest":
            new[p] = rep.log.high_watermark
        else:
            new[p] = int(to)
    tool = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group, "client.id": "kafka-consumer-groups",
                     "enable.auto.commit": False}, cluster=cluster)
    try:
        tool.commit(offsets=[TopicPartition(topic, p, o) for p, o in new.items()], asynchronous=False)
    finally:
        tool.close()
    return new
