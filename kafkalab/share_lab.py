"""Seeded experiments of notebook 10, Part B: a consumer group against a share group on the same data.

:func:`queue_run` fills a topic, starts consumers in a consumer group (``kind="consumer"``) or a share
group (``kind="share"``), lets them poll in turns on the virtual clock, "processes" every record it is
handed (a :class:`Delivery`), and crashes one consumer after a few polls: right after processing, before
it commits offsets (consumer group) or acknowledges (share group).

:func:`guarantees` is the history checker: from the deliveries and the trace it says what each kind of
group gave — owners per partition, whether two consumers read one partition at the same time, ordering
per partition, duplicates, delivery counts, archived records, records never processed.

Example: ``guarantees(queue_run("consumer"))`` keeps ordering and has duplicates only for the batch the
crashed consumer processed but never committed; ``guarantees(queue_run("share"))`` has two readers on
one partition, redelivers the crashed consumer's records after ``share.record.lock.duration.ms`` with
delivery count 2, and finishes them after later offsets (no ordering).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from .clients import Consumer, Producer
from .clients.share_consumer import AcknowledgeType, ShareConsumer
from .cluster import Cluster
from .groups.share import share_coordinator_for

BOOTSTRAP = "kafka-1:9092"


@dataclass
class Delivery:
    consumer: str
    partition: int
    offset: int
    value: str
    delivery_count: int | None  # share groups count deliveries; a consumer group has no such thing
    time_ms: int
    outcome: str = "ACCEPT"  # what the consumer did with it (share groups: the acknowledgement type)
    error: str | None = None  # what processing raised: None, "transient" or "permanent"


@dataclass
class QueueRun:
    kind: str  # "consumer" or "share"
    cluster: Cluster
    topic: str
    group: str
    partitions: int
    records: int
    consumers: list
    deliveries: list = field(default_factory=list)
    crashed: str | None = None
    crash_ms: int | None = None

    @property
    def trace(self):
        return self.cluster.trace

    def share_state(self, partition: int = 0) -> dict:
        return share_coordinator_for(self.cluster).state(self.group, self.topic, partition)


def queue_run(kind: str = "share", consumers: int = 2, partitions: int = 1, records: int = 12, batch: int = 3,
              crash: str | None = "C1", crash_after_polls: int = 2, seed: int = 42, until_ms: int = 90_000,
              decide: Callable | None = None, group_config: dict | None = None,
              fail: Callable | None = None) -> QueueRun:
    """Run ``consumers`` consumers C1, C2, … of one group over ``records`` records.

    ``decide(msg, error)`` (share groups, explicit acknowledgement) returns the ``AcknowledgeType`` for a
    message whose processing raised ``error`` (``None``, ``"transient"`` or ``"permanent"``);
    ``fail(value, delivery_count)`` says which processing fails.  Without ``decide`` every record is
    processed fine and accepted (implicitly).
    """
    if kind not in ("consumer", "share"):
        raise ValueError("kind is 'consumer' or 'share'")
    cluster = Cluster(brokers=3, seed=seed, profile="4.2")
    topic, group = "jobs", "workers"
    cluster.create_topic(topic, partitions=partitions, replication_factor=3)
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "partitioner": "murmur2_random"}, cluster=cluster)
    for i in range(records):
        producer.produce(topic, key=f"k{i % max(partitions, 1)}" if partitions > 1 else None, value=f"job-{i}",
                         partition=i % partitions)
    producer.flush()
    names = [f"C{i + 1}" for i in range(consumers)]
    run = QueueRun(kind, cluster, topic, group, partitions, records, names)
    if kind == "share":
        share_coordinator_for(cluster).alter_group_config(group, {"share.auto.offset.reset": "earliest",
                                                                  **(group_config or {})})
        mode = "explicit" if decide is not None else "implicit"
        clients = {n: ShareConsumer({"bootstrap.servers": BOOTSTRAP, "group.id": group, "client.id": n,
                                     "max.poll.records": batch, "share.acknowledgement.mode": mode}, cluster=cluster)
                   for n in names}
    else:
        clients = {n: Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": group, "client.id": n,
                                "auto.offset.reset": "earliest", "enable.auto.commit": False}, cluster=cluster)
                   for n in names}
    for n in names:
        clients[n].subscribe([topic])
    polls = dict.fromkeys(names, 0)
    alive = list(names)
    while cluster.now < until_ms and alive and not _all_done(run):
        for n in list(alive):
            c = clients[n]
            msgs = list(c.poll(0.5)) if kind == "share" else [m for m in c.consume(batch, 0.5) if m.error() is None]
            for m in msgs:
                value = m.value().decode() if isinstance(m.value(), bytes) else str(m.value())
                dc = m.delivery_count() if kind == "share" else None
                err = fail(value, dc) if fail is not None else None
                outcome = "ACCEPT"
                if decide is not None:
                    outcome = AcknowledgeType(int(decide(m, err))).name
                    c.acknowledge(m, AcknowledgeType[outcome])
                run.deliveries.append(Delivery(n, m.partition(), m.offset(), value, dc, cluster.now, outcome, err))
            if msgs:
                polls[n] += 1
            if n == crash and polls[n] >= crash_after_polls and msgs:
                c.crash()  # processed, not committed / not acknowledged
                run.crashed, run.crash_ms = n, cluster.now
                alive.remove(n)
                continue
            if msgs and kind == "consumer":
                c.commit(asynchronous=False)
            elif msgs and decide is not None:
                c.commit_async()
        cluster.run(500)
    for n in alive:
        clients[n].close()
    return run


def lock_story(group_config: dict | None = None, seed: int = 42, processing_ms: int = 16_000,
               crash_after_ms: int = 2_000, wait_ms: int = 60_000) -> dict:
    """Two share groups on the same six jobs, both with ``group_config``.

    ``slow``: one consumer takes ``processing_ms`` per batch of three before it polls (and so
    acknowledges) again.  ``crash``: C1 takes three jobs and crashes ``crash_after_ms`` later; C2 keeps
    polling.  Returns ``slow_rejected`` (acknowledgements refused because the lock had expired),
    ``slow_redelivered`` (records handed out twice), ``redelivery_ms`` (crash to C2 getting C1's first
    job again, -1 if never within ``wait_ms``) and the lock duration in force.
    """
    cluster = Cluster(brokers=3, seed=seed, profile="4.2")
    cluster.create_topic("jobs", partitions=1, replication_factor=3)
    producer = Producer({"bootstrap.servers": BOOTSTRAP}, cluster=cluster)
    for i in range(6):
        producer.produce("jobs", value=f"job-{i}")
    producer.flush()
    svc = share_coordinator_for(cluster)
    for g in ("slow", "crash"):
        svc.alter_group_config(g, {"share.auto.offset.reset": "earliest", **(group_config or {})})

    def consumer(group, name):
        c = ShareConsumer({"bootstrap.servers": BOOTSTRAP, "group.id": group, "client.id": name,
                           "max.poll.records": 3}, cluster=cluster)
        c.subscribe(["jobs"])
        return c

    slow = consumer("slow", "S1")
    got = []
    for _ in range(3):
        got += [m.offset() for m in slow.poll(5)]
        cluster.run(processing_ms)
    slow.commit_sync()
    rejected = len(cluster.trace.filter("share.ack_rejected", group="slow"))
    slow.close()
    c1, c2 = consumer("crash", "C1"), consumer("crash", "C2")
    held = [m.offset() for m in c1.poll(5)]
    cluster.run(crash_after_ms)
    c1.crash()
    t_crash, back = cluster.now, -1
    while cluster.now - t_crash < wait_ms and back < 0:
        if any(m.offset() in held for m in c2.poll(0.5)):
            back = cluster.now - t_crash
    return {"slow_rejected": rejected, "slow_redelivered": sorted({o for o in got if got.count(o) > 1}),
            "redelivery_ms": back, "lock_ms": svc.group_config("crash")["share.record.lock.duration.ms"],
            "cluster": cluster}


def _all_done(run: QueueRun) -> bool:
    if run.kind == "share":
        svc = share_coordinator_for(run.cluster)
        for p in range(run.partitions):
            st = svc.state(run.group, run.topic, p)
            log = run.cluster.partition_log(run.topic, p)
            if st["spso"] is None or st["spso"] < log.high_watermark:
                return False
        return True
    seen = {(d.partition, d.offset) for d in run.deliveries}
    return len(seen) >= run.records and run.crashed is not None or (len(seen) >= run.records and run.crash_ms is None
                                                                      and _committed_all(run))


def _committed_all(run: QueueRun) -> bool:
    from .groups.coordinator import coordinator_for

    done = coordinator_for(run.cluster).committed_offsets(run.group)
    return all(done.get((run.topic, p), (0,))[0] >= run.cluster.partition_log(run.topic, p).high_watermark
               for p in range(run.partitions))


def guarantees(run: QueueRun) -> dict:
    """What the group guaranteed in this run, read from its deliveries and (share groups) the trace.

    Keys: ``owners`` {partition: consumers that processed its records}; ``shared_at_once`` partitions
    that two consumers read in overlapping time spans; ``in_order`` {partition: whether each record was
    last processed after every lower offset}; ``duplicates`` [(partition, offset)] processed more than
    once; ``max_delivery_count``; ``archived`` [(partition, offset)] given up by the share group;
    ``unprocessed`` records never handed to anybody.
    """
    by_part: dict = {}
    for d in run.deliveries:
        by_part.setdefault(d.partition, []).append(d)
    owners, shared, in_order = {}, [], {}
    for p in range(run.partitions):
        ds = by_part.get(p, [])
        owners[p] = sorted({d.consumer for d in ds})
        spans = {}
        for d in ds:
            lo, hi = spans.get(d.consumer, (d.time_ms, d.time_ms))
            spans[d.consumer] = (min(lo, d.time_ms), max(hi, d.time_ms))
        items = sorted(spans.values())
        if any(b[0] <= a[1] for a, b in pairwise(items)):
            shared.append(p)
        last: dict = {}
        for i, d in enumerate(ds):
            last[d.offset] = i
        order = [o for o, _ in sorted(last.items(), key=lambda kv: kv[1])]
        in_order[p] = order == sorted(order)
    counts: dict = {}
    for d in run.deliveries:
        counts[(d.partition, d.offset)] = counts.get((d.partition, d.offset), 0) + 1
    archived = []
    if run.kind == "share":
        for ev in run.trace.filter("share.record_state", group=run.group):
            if ev.fields["to_state"] == "ARCHIVED":
                archived.extend((ev.fields["partition"], o) for o in ev.fields["offsets"])
    dcs = [d.delivery_count for d in run.deliveries if d.delivery_count is not None]
    total = {(p, o) for p in range(run.partitions) for o in range(run.cluster.partition_log(run.topic, p).high_watermark)}
    return {
        "kind": run.kind,
        "owners": owners,
        "shared_at_once": shared,
        "in_order": in_order,
        "duplicates": sorted(k for k, n in counts.items() if n > 1),
        "max_delivery_count": max(dcs) if dcs else max(counts.values(), default=0),
        "archived": sorted(archived),
        "unprocessed": sorted(total - set(counts)),
    }


def describe_guarantees(g: dict) -> list[str]:
    """The checker's verdict in sentences, one per guarantee."""
    group = "consumer group" if g["kind"] == "consumer" else "share group"
    out = []
    many = [p for p, cs in g["owners"].items() if len(cs) > 1]
    if g["shared_at_once"]:
        out.append(f"{group}: partition(s) {g['shared_at_once']} were read by several consumers at the same time")
    elif many:
        out.append(f"{group}: one owner at a time per partition (partition(s) {many} changed owner)")
    else:
        out.append(f"{group}: one owner per partition")
    bad = [p for p, ok in g["in_order"].items() if not ok]
    out.append(f"{group}: ordering per partition " + ("kept" if not bad else f"broken on partition(s) {bad}"))
    out.append(f"{group}: {len(g['duplicates'])} record(s) processed more than once"
               + (f", up to delivery count {g['max_delivery_count']}" if g["kind"] == "share" else ""))
    if g["kind"] == "share":
        out.append(f"{group}: {len(g['archived'])} record(s) archived (given up, never processed successfully)")
    out.append(f"{group}: {len(g['unprocessed'])} record(s) never processed")
    return out


__all__ = ["Delivery", "QueueRun", "describe_guarantees", "guarantees", "lock_story", "queue_run"]
