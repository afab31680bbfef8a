"""Named, seeded setups that notebooks, widgets and exercise checkers share.

Each function builds a fresh :class:`~kafkalab.Cluster` from a seed and drives it through the
public client API, so what a notebook shows and what a checker grades come from the same run.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from .clients import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from .cluster import Cluster
from .groups.assignors import assign
from .isolation import private_clusters


def three_brokers(seed: int = 42, topic: str | None = None, partitions: int = 6, replication_factor: int = 3,
                  topic_config: dict | None = None, **cluster_kw) -> Cluster:
    """A 3-broker cluster, optionally with one topic already created."""
    c = Cluster(brokers=3, seed=seed, **cluster_kw)
    if topic:
        c.create_topic(topic, partitions=partitions, replication_factor=replication_factor, config=topic_config)
    return c


@dataclass(frozen=True)
class ClickEvent:
    seq: int  # position in this session's event sequence
    session_id: str
    user_id: str
    event_id: str
    page: str


PAGES = ("home", "search", "product", "cart", "checkout")


def clickstream(sessions: int = 60, events_per_session: int = 5, hot_user_share: float = 0.3, seed: int = 7
                ) -> list[ClickEvent]:
    """Interleaved click events of many sessions; one "bot" user owns ``hot_user_share`` of the sessions.

    Within a session the events come in ``seq`` order; sessions interleave with each other.
    """
    rng = random.Random(seed)
    hot = int(sessions * hot_user_share)
    users = ["bot-1"] * hot + [f"user-{i}" for i in range(sessions - hot)]
    rng.shuffle(users)
    pending = {f"s-{i:03d}": (users[i], 0) for i in range(sessions)}
    out: list[ClickEvent] = []
    n = 0
    while pending:
        sid = rng.choice(sorted(pending))
        user, seq = pending[sid]
        out.append(ClickEvent(seq, sid, user, f"e-{n:05d}", PAGES[min(seq, len(PAGES) - 1)]))
        n += 1
        if seq + 1 >= events_per_session:
            del pending[sid]
        else:
            pending[sid] = (user, seq + 1)
    return out


def read_partition(cluster: Cluster, topic: str, partition: int, group: str = "reader") -> list:
    """Every committed record of one partition, through a Consumer, in offset order."""
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group}, cluster=cluster)
    c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
    out = []
    while True:
        msgs = [m for m in c.consume(500, timeout=0.2) if m.error() is None]
        if not msgs:
            break
        out += msgs
    c.close()
    return out


def group_assignment(topic: str, partitions: int, members: list[str], assignor: str = "range") -> dict:
    """The partitions each member of one group gets, as Kafka's assignor computes them."""
    result = assign(assignor, {topic: partitions},
                    {m: {"topics": [topic], "owned": {}, "generation": -1} for m in members})
    return {m: result[m].get(topic, []) for m in members}


@private_clusters
def queue_vs_pubsub(groups: dict[str, int], partitions: int = 6, records: int = 120, seed: int = 42,
                    assignor: str = "range") -> dict:
    """One topic, several consumer groups: who reads what.

    ``groups`` maps a group id to its number of consumers.  Records go round the partitions
    (``records / partitions`` each).  Within a group the partitions are shared out by the
    assignor (queue semantics); every group reads the whole topic (pub-sub).  Returns
    ``{"cluster": ..., "rows": [(group, consumer, partitions, records read)]}``.
    """
    cluster = three_brokers(seed=seed, topic="clicks", partitions=partitions)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(records):
        p.produce("clicks", value=f"click-{i}", partition=i % partitions)
    p.flush()
    rows = []
    for group, n in groups.items():
        members = [f"{group}-{i + 1}" for i in range(n)]
        for member, parts in group_assignment("clicks", partitions, members, assignor).items():
            c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group, "client.id": member},
                         cluster=cluster)
            c.assign([TopicPartition("clicks", q, OFFSET_BEGINNING) for q in parts])
            got = 0
            while True:
                msgs = c.consume(500, timeout=0.2)
                if not msgs:
                    break
                got += len(msgs)
            rows.append((group, member, parts, got))
    return {"cluster": cluster, "rows": rows}


def json_events(n: int, seed: int = 7) -> list[tuple[bytes, bytes]]:
    """``n`` realistic clickstream events as (key, JSON value) bytes: repetitive field names, a few
    hundred distinct sessions and pages, varying numbers — the kind of data compression meets."""
    return list(_json_events(n, seed))  # a fresh list each call; the events are made once per (n, seed)


@functools.lru_cache(maxsize=16)
def _json_events(n: int, seed: int) -> tuple[tuple[bytes, bytes], ...]:
    # Every producer-panel redraw asked for the same 2,000 events: making them was ~15% of a redraw.
    rng = random.Random(seed)
    pages = ["/", "/search", "/product/{}", "/cart", "/checkout", "/account", "/help/{}"]
    agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0",
              "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/17.5",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148"]
    out = []
    for i in range(n):
        session = rng.randrange(500)
        page = rng.choice(pages).format(rng.randrange(10_000))
        value = ('{"event_id":"%08x","session_id":"s-%04d","user_id":"u-%05d","type":"%s","page":"%s",'
                 '"referrer":"%s","ts":%d,"duration_ms":%d,"user_agent":"%s","country":"%s"}' % (
                     rng.getrandbits(32), session, session * 7 % 10_000, rng.choice(["view", "click", "scroll"]),
                     page, rng.choice(["google", "direct", "newsletter", "ads"]), 1_700_000_000_000 + i * 10,
                     rng.randrange(5, 5_000), rng.choice(agents), rng.choice(["DE", "US", "FR", "IN", "BR"])))
        out.append((f"s-{session:04d}".encode(), value.encode()))
    return tuple(out)


@dataclass(frozen=True)
class WorkloadResult:
    config: dict
    records: int
    delivered: int
    failed: int
    seconds: float  # virtual seconds from the first produce to the last report
    p50_ms: float
    p99_ms: float
    requests: int
    bytes_sent: int  # batch bytes on the wire (compressed when compression is on)
    bytes_raw: int  # the same batches uncompressed
    cluster: object = field(default=None, repr=False, compare=False)
    producer: str = ""

    @property
    def throughput(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0

    @property
    def compression_ratio(self) -> float:
        return self.bytes_raw / self.bytes_sent if self.bytes_sent else 1.0


@private_clusters
def producer_workload(conf: dict, rate: int = 20_000, seconds: float = 1.0, partitions: int = 6, seed: int = 42,
                      perf: bool = True, events: list | None = None) -> WorkloadResult:
    """Offer ``rate`` records/s for ``seconds`` of virtual time through ``Producer(conf)`` and measure.

    With ``perf`` the cost model of :mod:`kafkalab.perf` is on, so batching, compression and acks
    change what the run costs.  Latency is per record, from ``produce()`` to its delivery report.
    """
    from . import perf as perf_model

    cluster = three_brokers(seed=seed, topic="events", partitions=partitions,
                            topic_config={"min.insync.replicas": "2"})
    if perf:
        perf_model.enable(cluster)
    failed = [0]

    def report(err, msg):
        failed[0] += 1

    p = Producer({"bootstrap.servers": "kafka-1:9092", "partitioner": "murmur2_random",
                  "queue.buffering.max.messages": 10_000_000, "delivery.report.only.error": True,
                  "on_delivery": report, **conf}, cluster=cluster)
    p.latency_samples = lat = []
    total = int(rate * seconds)
    data = events if events is not None else json_events(min(total, 20_000), seed=seed)
    start = cluster.now
    per_ms = rate / 1000.0
    produce, run, poll, nd = p.produce, cluster.sim.run_for, p.poll, len(data)
    sent = 0
    budget = 0.0
    while sent < total:
        budget += per_ms
        k = min(int(budget), total - sent)
        budget -= k
        for i in range(sent, sent + k):
            key, value = data[i % nd]
            produce("events", value, key)
        sent += k
        run(1)
        poll(0)
    p.flush(60)
    lat.sort()

    def pct(q):
        return float(lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else float("nan")

    # One pass over the trace: the last ack, and what each sent batch weighed.
    end, sends, raw = cluster.now, [], {}
    last_ack = None
    for e in cluster.sim.trace.events:
        kind = e.kind
        if kind == "produce.ack":
            last_ack = e.time_ms
        elif e.node == p.node:
            if kind == "produce.send":
                sends.append(e.fields)
            elif kind == "produce.batch":
                raw[e.fields["batch"]] = e.fields["bytes"]
    end = last_ack if last_ack is not None else end
    return WorkloadResult(dict(conf), total, len(lat), failed[0], (end - start) / 1000.0, pct(0.5), pct(0.99),
                          len(sends), sum(f["bytes"] for f in sends), sum(raw[f["batch"]] for f in sends), cluster,
                          p.node)
