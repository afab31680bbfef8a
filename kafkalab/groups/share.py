"""Share groups (KIP-932): queue semantics on a Kafka topic — the share-group coordinator and share partitions.

Kafka behaviour modelled (``SharePartition`` in ``core/src/main/java/kafka/server/share``,
``ShareGroupConfig`` and ``GroupConfig`` in ``group-coordinator``, KIP-932; production-ready in 4.2):

* **Membership.** A member sends ``ShareGroupHeartbeat`` to the group's coordinator (the leader of the
  group's ``__consumer_offsets`` partition, as for every group) every ``share.heartbeat.interval.ms``
  (5000); silent for ``share.session.timeout.ms`` (45000) it is removed.  Every join or leave bumps the
  *group epoch*.  There is no ownership: several members read the same partition at once.
* **Share partition.** For each (group, topic-partition) the *partition leader* keeps the in-flight
  records between the share-partition start offset (SPSO) and end offset (SPEO, one past the last record
  ever acquired).  The first fetch of a group sets the SPSO from ``share.auto.offset.reset`` (``latest``:
  the high watermark; ``earliest``: the log start).
* **Record states** (``RecordState``): ``AVAILABLE -> ACQUIRED -> ACKNOWLEDGED | ARCHIVED``, and back to
  ``AVAILABLE`` when a member RELEASEs a record or its *acquisition lock* expires
  (``share.record.lock.duration.ms``, 30000).  Acquiring adds one to the record's *delivery count*; a
  record that would become AVAILABLE again with ``delivery count >= share.delivery.count.limit`` (5) is
  ARCHIVED instead (``InFlightState.tryUpdateState``).  ACKNOWLEDGED and ARCHIVED are final; the SPSO
  moves past every final record at its front.
* **Acknowledgement types** (``AcknowledgeType``): ACCEPT (1) -> ACKNOWLEDGED, RELEASE (2) -> AVAILABLE,
  REJECT (3) -> ARCHIVED, RENEW (4, KIP-1222, Kafka 4.2) keeps the record ACQUIRED with a fresh lock.
  Acknowledging a record that is no longer ACQUIRED by that member (its lock expired) fails the
  partition with ``INVALID_RECORD_STATE``.
* **RPCs**: ``ShareFetch`` to the partition leader acquires records and carries the acknowledgements of
  the previous batch; ``ShareAcknowledge`` carries acknowledgements alone (commitSync/commitAsync/close).

Example: C1 and C2 share ``jobs``-0 holding offsets 0-5.  C1's fetch acquires 0-5 (delivery count 1);
C1 crashes; 30 s later the locks expire, the records are AVAILABLE again and C2's next fetch acquires
them with delivery count 2.

# Simplification: share-partition state lives in one service object per cluster and survives a leader
# change; Kafka persists it through the share coordinator in ``__share_group_state``.  Every member is
# assigned every partition of its topics (Kafka's SimpleShareAssignor spreads partitions over members when
# there are more partitions than members).  ``group.share.partition.max.record.locks`` is not enforced, and
# records are read up to the high watermark (``share.isolation.level=read_uncommitted``, the default) only.
"""
from __future__ import annotations

import enum
import weakref

from ..cluster.metadata import NO_LEADER
from ..errors import Err
from .coordinator import coordinator_for

#: Group-level share configs (``GroupConfig``) with their Kafka defaults (the broker-level
#: ``group.share.*`` synonyms: ``ShareGroupConfig``, ``GroupCoordinatorConfig``).
SHARE_GROUP_DEFAULTS: dict = {
    "share.record.lock.duration.ms": 30000,
    "share.delivery.count.limit": 5,
    "share.auto.offset.reset": "latest",
    "share.session.timeout.ms": 45000,
    "share.heartbeat.interval.ms": 5000,
    "share.isolation.level": "read_uncommitted",
}
#: ``ShareGroupConfig`` bounds: ``group.share.delivery.count.limit`` between(2, 10),
#: ``group.share.record.lock.duration.ms`` between(1000, 3600000) (the group-level value must also lie
#: within group.share.min/max.record.lock.duration.ms: 15000..60000).
_BOUNDS = {"share.delivery.count.limit": (2, 10), "share.record.lock.duration.ms": (15000, 60000),
           "share.session.timeout.ms": (45000, 60000), "share.heartbeat.interval.ms": (5000, 15000)}


class RecordState(enum.Enum):
    AVAILABLE = 0
    ACQUIRED = 1
    ACKNOWLEDGED = 2
    ARCHIVED = 4


_R = RecordState
#: ``RecordState.validateTransition``: what each state may become.
ALLOWED = {
    _R.AVAILABLE: {_R.ACQUIRED, _R.ARCHIVED},
    _R.ACQUIRED: {_R.AVAILABLE, _R.ACKNOWLEDGED, _R.ARCHIVED},
    _R.ACKNOWLEDGED: set(),
    _R.ARCHIVED: set(),
}


class AcknowledgeType(enum.IntEnum):
    """``org.apache.kafka.clients.consumer.AcknowledgeType`` (and confluent-kafka's, which has the first three)."""

    ACCEPT = 1
    RELEASE = 2
    REJECT = 3
    RENEW = 4  # KIP-1222 (Kafka 4.2): extend the acquisition lock


class InFlight:
    __slots__ = ("delivery_count", "lock_id", "lock_until", "member", "offset", "record", "state")

    def __init__(self, offset: int, record: tuple):
        self.offset, self.record = offset, record
        self.state = RecordState.AVAILABLE
        self.delivery_count = 0
        self.member: str | None = None
        self.lock_until = -1
        self.lock_id = 0


class SharePartition:
    """The in-flight records of one topic-partition in one share group (held by the partition leader)."""

    def __init__(self, service, group_id: str, topic: str, partition: int, start_offset: int):
        self.service, self.group_id, self.topic, self.partition = service, group_id, topic, partition
        self.start_offset = start_offset  # SPSO
        self.end_offset = start_offset  # SPEO: one past the last record ever acquired
        self.records: dict[int, InFlight] = {}  # offset -> in-flight state, SPSO <= offset < SPEO

    # -- state changes ---------------------------------------------------------------------------
    def _move(self, recs: list[InFlight], new: RecordState, member: str | None, reason: str) -> None:
        """Move ``recs`` to ``new`` (or ARCHIVED, past the delivery limit) and trace it, one event per outcome."""
        limit = self.service.group_config(self.group_id)["share.delivery.count.limit"]
        by_outcome: dict = {}
        for r in recs:
            target = new
            if target is RecordState.AVAILABLE and r.delivery_count >= limit:
                target = RecordState.ARCHIVED
            assert target in ALLOWED[r.state], f"{r.state.name} -> {target.name} is not allowed"
            old = r.state
            r.state = target
            if target is RecordState.ACQUIRED:
                r.delivery_count += 1
            else:
                r.lock_until, r.lock_id = -1, 0
            r.member = member if target is RecordState.ACQUIRED else None
            by_outcome.setdefault((old.name, target.name), []).append(r)
        for (old, target), rs in sorted(by_outcome.items()):
            self.service.sim.trace.emit(
                "share.record_state", node=self.service.leader_node(self.topic, self.partition), group=self.group_id,
                topic=self.topic, partition=self.partition, offsets=[r.offset for r in rs], from_state=old,
                to_state=target, member=member, reason=reason, delivery_counts=[r.delivery_count for r in rs])
        self._advance_start()

    def _advance_start(self) -> None:
        old = self.start_offset
        while self.start_offset < self.end_offset:
            r = self.records.get(self.start_offset)
            if r is not None and r.state not in (RecordState.ACKNOWLEDGED, RecordState.ARCHIVED):
                break
            self.records.pop(self.start_offset, None)
            self.start_offset += 1
        if self.start_offset != old:
            self.service.sim.trace.emit("share.spso", node=self.service.leader_node(self.topic, self.partition),
                                        group=self.group_id, topic=self.topic, partition=self.partition,
                                        spso=self.start_offset, speo=self.end_offset)

    # -- fetch and acknowledge ---------------------------------------------------------------------
    def acquire(self, member: str, log, max_records: int) -> list[InFlight]:
        """Redeliver AVAILABLE in-flight records first (lowest offset first), then new ones up to the HW."""
        got = [r for _, r in sorted(self.records.items()) if r.state is RecordState.AVAILABLE][:max_records]
        if len(got) < max_records and self.end_offset < log.high_watermark:
            start = max(self.end_offset, log.log_start_offset)
            for off, rec, batch in log.records(start, log.high_watermark):
                if batch.is_control:
                    continue
                if len(got) >= max_records:
                    break
                r = self.records[off] = InFlight(off, rec)
                got.append(r)
                self.end_offset = off + 1
            else:
                self.end_offset = max(self.end_offset, log.high_watermark)
        if not got:
            return []
        cfg = self.service.group_config(self.group_id)
        lock_ms = int(cfg["share.record.lock.duration.ms"])
        self.service.lock_seq += 1
        lock_id = self.service.lock_seq
        self._move(got, RecordState.ACQUIRED, member, "ShareFetch")
        for r in got:
            r.lock_until, r.lock_id = self.service.sim.now + lock_ms, lock_id
        self.service.sim.schedule(lock_ms, self._lock_expired, lock_id, priority=2)
        return got

    def _lock_expired(self, lock_id: int) -> None:
        recs = [r for _, r in sorted(self.records.items())
                if r.state is RecordState.ACQUIRED and r.lock_id == lock_id and r.lock_until <= self.service.sim.now]
        if recs:
            who = self.service.client_of(self.group_id, recs[0].member)
            self._move(recs, RecordState.AVAILABLE, None, f"acquisition lock of {who} expired")

    def acknowledge(self, member: str, acks: list[tuple[int, int]], renew_allowed: bool) -> int:
        """Apply ``[(offset, AcknowledgeType)]`` from ``member``; the partition's error code."""
        recs = []
        for off, kind in acks:
            r = self.records.get(off)
            if r is None or r.state is not RecordState.ACQUIRED or r.member != member:
                self.service.sim.trace.emit("share.ack_rejected", node=self.service.leader_node(self.topic,
                                                                                                 self.partition),
                                            group=self.group_id, topic=self.topic, partition=self.partition,
                                            offset=off, member=member, error="INVALID_RECORD_STATE",
                                            state=None if r is None else r.state.name)
                return Err.INVALID_RECORD_STATE
            if int(kind) == AcknowledgeType.RENEW and not renew_allowed:
                return Err.INVALID_REQUEST
            recs.append((r, int(kind)))
        groups: dict = {}
        for r, kind in recs:
            groups.setdefault(kind, []).append(r)
        for kind in sorted(groups):
            rs = groups[kind]
            if kind == AcknowledgeType.ACCEPT:
                self._move(rs, RecordState.ACKNOWLEDGED, member, "ACCEPT")
            elif kind == AcknowledgeType.RELEASE:
                self._move(rs, RecordState.AVAILABLE, member, "RELEASE")
            elif kind == AcknowledgeType.REJECT:
                self._move(rs, RecordState.ARCHIVED, member, "REJECT")
            else:  # RENEW: a fresh lock, same state and delivery count
                lock_ms = int(self.service.group_config(self.group_id)["share.record.lock.duration.ms"])
                self.service.lock_seq += 1
                for r in rs:
                    r.lock_until, r.lock_id = self.service.sim.now + lock_ms, self.service.lock_seq
                self.service.sim.schedule(lock_ms, self._lock_expired, self.service.lock_seq, priority=2)
                self.service.sim.trace.emit("share.lock_renewed", node=self.service.leader_node(self.topic,
                                                                                                 self.partition),
                                            group=self.group_id, topic=self.topic, partition=self.partition,
                                            offsets=[r.offset for r in rs], member=member,
                                            lock_until=self.service.sim.now + lock_ms)
        return Err.NONE

    def release_member(self, member: str, reason: str) -> None:
        """A member that closed (or left) gives back what it still holds (``releaseAcquiredRecords``)."""
        recs = [r for _, r in sorted(self.records.items()) if r.state is RecordState.ACQUIRED and r.member == member]
        if recs:
            # Kafka releases them without counting a failed delivery against the limit only when the
            # records were never handed out; here they were, so the delivery count stays as it is.
            self._move(recs, RecordState.AVAILABLE, None, reason)

    def snapshot(self) -> dict:
        """``{"spso", "speo", "records": [(offset, state, delivery_count, member)]}`` for renderers and checks."""
        return {"spso": self.start_offset, "speo": self.end_offset,
                "records": [(o, r.state.name, r.delivery_count, r.member) for o, r in sorted(self.records.items())]}


class ShareMember:
    __slots__ = ("client_id", "epoch", "member_id", "node", "session_timer", "topics")

    def __init__(self, member_id: str, client_id: str, node: str, topics: list):
        self.member_id, self.client_id, self.node, self.topics = member_id, client_id, node, list(topics)
        self.epoch = 0
        self.session_timer = None


class ShareGroup:
    def __init__(self, group_id: str):
        self.group_id = group_id
        self.group_epoch = 0
        self.members: dict[str, ShareMember] = {}
        self.config: dict = {}


_SERVICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def share_coordinator_for(cluster) -> ShareGroupService:
    """The cluster's share-group service (coordinator and share-partition leaders), created on first use."""
    svc = _SERVICES.get(cluster)
    if svc is None:
        svc = _SERVICES[cluster] = ShareGroupService(cluster)
    return svc


class ShareGroupService:
    """Every share group of one cluster: membership at the group coordinator, share partitions at the leaders."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.sim = cluster.sim
        self.groups: dict[str, ShareGroup] = {}
        self.partitions: dict[tuple, SharePartition] = {}  # (group, topic, partition)
        self.lock_seq = 0
        self._coord = coordinator_for(cluster)

    # -- configs ---------------------------------------------------------------------------------
    def enabled(self) -> bool:
        return int(self.cluster.features.get("share.version", 0)) >= 1

    def renew_allowed(self) -> bool:
        return bool(self.cluster.features.get("share.renew", False))

    def group_config(self, group_id: str) -> dict:
        cfg = dict(SHARE_GROUP_DEFAULTS)
        g = self.groups.get(group_id)
        if g is not None:
            cfg.update(g.config)
        return cfg

    def alter_group_config(self, group_id: str, config: dict) -> None:
        """``kafka-configs.sh --alter --entity-type groups --entity-name G --add-config k=v``."""
        for k, v in config.items():
            if k not in SHARE_GROUP_DEFAULTS:
                raise ValueError(f"unknown share group config {k!r}: the simulator knows {sorted(SHARE_GROUP_DEFAULTS)}")
            lo_hi = _BOUNDS.get(k)
            if lo_hi and not lo_hi[0] <= int(v) <= lo_hi[1]:
                raise ValueError(f"Invalid value {v} for configuration {k}: must be between {lo_hi[0]} and {lo_hi[1]}")
            if k == "share.auto.offset.reset" and str(v) not in ("earliest", "latest"):
                raise ValueError(f"Invalid value {v} for configuration {k}: String must be one of: earliest, latest")
        g = self._group(group_id)
        g.config.update(config)
        self.sim.trace.emit("share.group_config", node=self._coord_node(group_id), group=group_id,
                            config=dict(sorted(config.items())))

    def client_of(self, group_id: str, member_id: str | None) -> str | None:
        """The client id a member joined with (member ids are long), as the coordinator's join event says."""
        for ev in reversed(self.sim.trace.filter("share.member_join", group=group_id, member=member_id)):
            return ev.fields["client_id"]
        return member_id

    # -- routing ---------------------------------------------------------------------------------
    def _group(self, group_id: str) -> ShareGroup:
        g = self.groups.get(group_id)
        if g is None:
            g = self.groups[group_id] = ShareGroup(group_id)
        return g

    def _coord_node(self, group_id: str) -> str:
        b = self._coord.coordinator_broker(group_id)
        return f"kafka-{b}" if b > 0 else "coordinator"

    def leader_node(self, topic: str, partition: int) -> str:
        p = self.cluster.controller.image.partition(topic, partition)
        return f"kafka-{p.leader}" if p is not None and p.leader != NO_LEADER else "no-leader"

    def send_to_coordinator(self, client_node: str, api: str, handler, reply, *args) -> bool:
        """Route ``api`` to the group's coordinator over the network (False if there is none yet)."""
        if not self._coord.try_offsets_topic():
            return False
        broker = self._coord.coordinator_broker(args[0])
        if broker == NO_LEADER:
            return False
        self._coord.request(client_node, broker, api, handler, reply, *args)
        return True

    def send_to_leader(self, client_node: str, broker_id: int, api: str, handler, reply, *args) -> None:
        b = self.cluster.brokers.get(broker_id)
        if b is None:
            return
        net = self.sim.network

        def at_broker():
            if b.alive:
                handler(broker_id, lambda resp: net.send(b.node, client_node, api + "Response", reply, resp), *args)
        net.send(client_node, b.node, api + "Request", at_broker)

    # -- ShareGroupHeartbeat (at the coordinator) --------------------------------------------------
    def on_heartbeat(self, respond, group_id: str, member_id: str, member_epoch: int, client_id: str, node: str,
                     topics: list | None) -> None:
        if not self.enabled():
            self.sim.trace.emit("group.unsupported", node=self._coord_node(group_id), group=group_id,
                                api="ShareGroupHeartbeat", profile=self.cluster.profile)
            respond({"error": Err.UNSUPPORTED_VERSION})
            return
        if group_id in self._coord.groups:  # the id is taken by a consumer group
            respond({"error": Err.INCONSISTENT_GROUP_PROTOCOL})
            return
        g = self._group(group_id)
        cfg = self.group_config(group_id)
        if member_epoch == -1:
            if member_id in g.members:
                self._remove(g, member_id, "left the group (epoch -1)")
            respond({"error": Err.NONE, "member_epoch": -1})
            return
        m = g.members.get(member_id)
        if m is None:
            if member_epoch != 0:
                respond({"error": Err.UNKNOWN_MEMBER_ID})
                return
            m = g.members[member_id] = ShareMember(member_id, client_id, node, topics or [])
            g.group_epoch += 1
            m.epoch = g.group_epoch
            self.sim.trace.emit("share.member_join", node=self._coord_node(group_id), group=group_id,
                                member=member_id, client_id=client_id, group_epoch=g.group_epoch,
                                members=sorted(g.members))
        elif topics is not None and sorted(topics) != sorted(m.topics):
            m.topics = list(topics)
            g.group_epoch += 1
            m.epoch = g.group_epoch
        if m.session_timer is not None:
            m.session_timer.cancel()
        m.session_timer = self.sim.schedule(int(cfg["share.session.timeout.ms"]), self._expire, group_id, member_id,
                                            priority=3)
        respond({"error": Err.NONE, "member_epoch": m.epoch, "assignment": self.assignment(group_id, member_id),
                 "heartbeat_interval_ms": int(cfg["share.heartbeat.interval.ms"])})

    def assignment(self, group_id: str, member_id: str) -> dict:
        """Every partition of the member's topics (see the Simplification above)."""
        m = self.groups[group_id].members[member_id]
        image = self.cluster.controller.image
        return {t: list(range(len(image.topics[t].partitions))) for t in sorted(m.topics) if t in image.topics}

    def _expire(self, group_id: str, member_id: str) -> None:
        g = self.groups.get(group_id)
        if g is not None and member_id in g.members:
            self._remove(g, member_id, "share.session.timeout.ms expired")

    def _remove(self, g: ShareGroup, member_id: str, reason: str) -> None:
        m = g.members.pop(member_id)
        if m.session_timer is not None:
            m.session_timer.cancel()
        g.group_epoch += 1
        self.sim.trace.emit("share.member_removed", node=self._coord_node(g.group_id), group=g.group_id,
                            member=member_id, reason=reason, group_epoch=g.group_epoch, members=sorted(g.members))
        # Simplification: Kafka does not release a removed member's records at once; the locks expire.

    # -- ShareFetch / ShareAcknowledge (at the partition leader) ----------------------------------------
    def share_partition(self, group_id: str, topic: str, partition: int, log) -> SharePartition:
        key = (group_id, topic, partition)
        sp = self.partitions.get(key)
        if sp is None:
            reset = self.group_config(group_id)["share.auto.offset.reset"]
            start = log.log_start_offset if reset == "earliest" else log.high_watermark
            sp = self.partitions[key] = SharePartition(self, group_id, topic, partition, start)
            self.sim.trace.emit("share.partition_init", node=self.leader_node(topic, partition), group=group_id,
                                topic=topic, partition=partition, spso=start, reset=reset)
        return sp

    def _leader_log(self, broker_id: int, topic: str, partition: int):
        rep = self.cluster.brokers[broker_id].replicas.get((topic, partition))
        return rep.log if rep is not None and rep.is_leader else None

    def _member_ok(self, group_id: str, member_id: str) -> bool:
        g = self.groups.get(group_id)
        return g is not None and member_id in g.members

    def on_share_fetch(self, broker_id: int, respond, group_id: str, member_id: str, partitions: list,
                       acks: dict, max_records: int) -> None:
        if not self._member_ok(group_id, member_id):
            respond({"error": Err.UNKNOWN_MEMBER_ID, "partitions": {}})
            return
        out = {}
        budget = max_records
        for tp in partitions:
            log = self._leader_log(broker_id, *tp)
            if log is None:
                out[tp] = {"error": Err.NOT_LEADER_OR_FOLLOWER, "records": [], "ack_error": Err.NONE}
                continue
            sp = self.share_partition(group_id, tp[0], tp[1], log)
            ack_err = sp.acknowledge(member_id, acks.get(tp, []), self.renew_allowed()) if acks.get(tp) else Err.NONE
            got = sp.acquire(member_id, log, budget) if budget > 0 else []
            budget -= len(got)
            out[tp] = {"error": Err.NONE, "ack_error": ack_err,
                       "records": [(r.offset, r.record, r.delivery_count) for r in got]}
        for tp in sorted(set(acks) - set(partitions)):
            out[tp] = {"error": Err.NONE, "records": [], "ack_error": self._ack_one(broker_id, group_id, member_id,
                                                                                     tp, acks[tp])}
        respond({"error": Err.NONE, "partitions": out})

    def _ack_one(self, broker_id: int, group_id: str, member_id: str, tp: tuple, acks: list) -> int:
        log = self._leader_log(broker_id, *tp)
        if log is None:
            return Err.NOT_LEADER_OR_FOLLOWER
        return self.share_partition(group_id, tp[0], tp[1], log).acknowledge(member_id, acks, self.renew_allowed())

    def on_share_acknowledge(self, broker_id: int, respond, group_id: str, member_id: str, acks: dict,
                             closing: bool = False) -> None:
        out = {tp: self._ack_one(broker_id, group_id, member_id, tp, acks[tp]) for tp in sorted(acks)}
        if closing:  # ShareAcknowledge with epoch -1: the session ends, what is still acquired goes back
            for (g, t, p), sp in sorted(self.partitions.items()):
                if g == group_id and self.cluster.controller.image.partition(t, p) is not None and \
                        self.cluster.controller.image.partition(t, p).leader == broker_id:
                    sp.release_member(member_id, "member closed its share session")
        respond({"error": Err.NONE, "partitions": out})

    # -- views -------------------------------------------------------------------------------------
    def state(self, group_id: str, topic: str, partition: int = 0) -> dict:
        """The share partition's snapshot (empty when nobody fetched it yet)."""
        sp = self.partitions.get((group_id, topic, partition))
        return sp.snapshot() if sp is not None else {"spso": None, "speo": None, "records": []}


__all__ = ["ALLOWED", "SHARE_GROUP_DEFAULTS", "AcknowledgeType", "RecordState", "ShareGroupService",
           "SharePartition", "share_coordinator_for"]
