"""KRaft metadata: the records of the ``__cluster_metadata`` log and the image they build.

In Kafka 4.x the active controller appends records such as ``TopicRecord``, ``PartitionRecord``,
``PartitionChangeRecord``, ``ConfigRecord``, ``RegisterBrokerRecord`` and ``RemoveTopicRecord``
to the metadata log; every broker replays that log into its *metadata image* (topics, partition
leaders, leader epochs, ISR, configs, broker registrations).  Here a :class:`MetadataImage` is
built the same way: by replaying :class:`MetadataRecord`s in offset order, so the controller's
view and each broker's (possibly lagging) view come from the same code.

Example: ``TopicRecord(orders)`` then three ``PartitionRecord``s give an image with topic
``orders`` of 3 partitions; a ``PartitionChangeRecord(leader=2)`` bumps that partition's
``leader_epoch``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

NO_LEADER = -1


@dataclass(frozen=True)
class MetadataRecord:
    offset: int
    time_ms: int
    type: str  # Kafka's record type name, e.g. "PartitionChangeRecord"
    fields: dict
    epoch: int = 0  # the Raft epoch of the leader that appended it

    @property
    def is_control(self) -> bool:
        """A Raft control record (``LeaderChangeMessage``), not metadata: images skip it."""
        return self.type == "LeaderChangeMessage"


@dataclass
class PartitionState:
    """What the controller knows of one partition (``PartitionRegistration``)."""

    topic: str
    partition: int
    replicas: list[int]
    isr: list[int]
    leader: int
    leader_epoch: int = 0
    partition_epoch: int = 0
    elr: list[int] = field(default_factory=list)
    last_known_elr: list[int] = field(default_factory=list)

    @property
    def preferred_leader(self) -> int:
        return self.replicas[0]

    def copy(self) -> PartitionState:
        return replace(self, replicas=list(self.replicas), isr=list(self.isr), elr=list(self.elr),
                       last_known_elr=list(self.last_known_elr))


@dataclass
class TopicState:
    name: str
    topic_id: str
    partitions: list[PartitionState] = field(default_factory=list)
    configs: dict = field(default_factory=dict)  # dynamic topic configs (overrides), typed

    @property
    def replication_factor(self) -> int:
        return len(self.partitions[0].replicas) if self.partitions else 0


@dataclass
class BrokerRegistration:
    broker_id: int
    host: str
    port: int
    rack: str | None
    fenced: bool = True
    epoch: int = 0
    in_controlled_shutdown: bool = False


class MetadataImage:
    """A replay of the metadata log: what one node believes the cluster looks like."""

    def __init__(self):
        self.offset = -1
        self.topics: dict[str, TopicState] = {}
        self.topics_by_id: dict[str, str] = {}
        self.brokers: dict[int, BrokerRegistration] = {}

    def apply(self, rec: MetadataRecord) -> None:
        if rec.offset != self.offset + 1:
            raise AssertionError(f"metadata record {rec.offset} applied after {self.offset}")
        self.offset = rec.offset
        getattr(self, "_apply_" + rec.type)(rec.fields)

    # One method per record type, named after Kafka's.
    def _apply_LeaderChangeMessage(self, f: dict) -> None:
        """A control record of the Raft layer: it takes an offset but changes no metadata."""

    def _apply_RegisterBrokerRecord(self, f: dict) -> None:
        self.brokers[f["broker_id"]] = BrokerRegistration(f["broker_id"], f["host"], f["port"], f.get("rack"),
                                                          fenced=f.get("fenced", True), epoch=f["broker_epoch"])

    def _apply_BrokerRegistrationChangeRecord(self, f: dict) -> None:
        b = self.brokers[f["broker_id"]]
        if "fenced" in f:
            b.fenced = f["fenced"]
        if "in_controlled_shutdown" in f:
            b.in_controlled_shutdown = f["in_controlled_shutdown"]
        b.epoch = f.get("broker_epoch", b.epoch)

    def _apply_TopicRecord(self, f: dict) -> None:
        self.topics[f["name"]] = TopicState(f["name"], f["topic_id"])
        self.topics_by_id[f["topic_id"]] = f["name"]

    def _apply_PartitionRecord(self, f: dict) -> None:
        t = self.topics[self.topics_by_id[f["topic_id"]]]
        p = PartitionState(t.name, f["partition"], list(f["replicas"]), list(f["isr"]), f["leader"],
                           f.get("leader_epoch", 0), f.get("partition_epoch", 0))
        assert p.partition == len(t.partitions), "partitions are created in order"
        t.partitions.append(p)

    def _apply_PartitionChangeRecord(self, f: dict) -> None:
        t = self.topics[self.topics_by_id[f["topic_id"]]]
        p = t.partitions[f["partition"]]
        for name in ("isr", "replicas", "elr", "last_known_elr"):
            if name in f:
                setattr(p, name, list(f[name]))
        if "leader" in f:
            p.leader = f["leader"]
        p.leader_epoch = f.get("leader_epoch", p.leader_epoch)
        p.partition_epoch = f["partition_epoch"]

    def _apply_ConfigRecord(self, f: dict) -> None:
        if f["resource_type"] != "TOPIC":
            return
        t = self.topics.get(f["resource_name"])
        if t is None:
            return
        if f["value"] is None:
            t.configs.pop(f["name"], None)
        else:
            t.configs[f["name"]] = f["value"]

    def _apply_RemoveTopicRecord(self, f: dict) -> None:
        name = self.topics_by_id.pop(f["topic_id"])
        del self.topics[name]

    # -- queries --------------------------------------------------------------------------------
    def partition(self, topic: str, partition: int) -> PartitionState | None:
        t = self.topics.get(topic)
        if t is None or not 0 <= partition < len(t.partitions):
            return None
        return t.partitions[partition]

    def live_brokers(self) -> list[int]:
        return sorted(b for b, r in self.brokers.items() if not r.fenced)
