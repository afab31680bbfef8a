"""Named, seeded setups that notebooks, widgets and exercise checkers share.

Each function builds a fresh :class:`~kafkalab.Cluster` from a seed and drives it through the
public client API, so what a notebook shows and what a checker grades come from the same run.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from .clients import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from .cluster import Cluster
from .groups.assignors import assign


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
