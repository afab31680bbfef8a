"""The group coordinator: classic (JoinGroup/SyncGroup) and KIP-848 consumer groups, and offsets.

Kafka behaviour modelled (``GroupCoordinator`` / ``GroupMetadataManager`` in ``group-coordinator``):

* **Which broker.** A group's coordinator is the leader of ``__consumer_offsets`` partition
  ``Utils.abs(group.id.hashCode()) % offsets.topic.num.partitions`` (50 by default), with Java's
  ``String.hashCode``.  ``coordinator_partition("order-pipeline")`` gives that partition.  The
  topic (compacted, ``offsets.topic.replication.factor`` 3) is created at the first group request.
* **Classic protocol** (``group.protocol=classic``): members send ``JoinGroupRequest``; a new
  dynamic member first gets ``MEMBER_ID_REQUIRED`` with its id (``client.id-<uuid>``, KIP-394) and
  joins again.  The group goes ``Empty → PreparingRebalance → CompletingRebalance → Stable``; the
  join phase ends when every known member has rejoined, or after the largest rebalance timeout
  (the member's ``max.poll.interval.ms``), when stragglers are removed.  The first rebalance of an
  empty group waits ``group.initial.rebalance.delay.ms`` (3000) for more members.  The generation
  is bumped; the first member becomes leader and gets every subscription; it runs the assignor
  and sends the assignments in ``SyncGroupRequest``.  ``HeartbeatRequest`` answers
  ``REBALANCE_IN_PROGRESS`` while a rebalance prepares, ``ILLEGAL_GENERATION`` /
  ``UNKNOWN_MEMBER_ID`` to stale members.  A member silent for ``session.timeout.ms`` is removed.
  Static members (``group.instance.id``, KIP-345) that rejoin get a new member id, keep their
  assignment and trigger no rebalance; the old id is fenced (``FENCED_INSTANCE_ID``).
* **Consumer protocol** (``group.protocol=consumer``, KIP-848, GA in 4.0): one
  ``ConsumerGroupHeartbeat`` carries the subscription and the partitions the member owns.  A
  membership or subscription change bumps the *group epoch*; the coordinator runs a server-side
  assignor (``uniform`` by default, or ``range``; ``group.remote.assignor``) into a *target
  assignment*, and each member reconciles towards it on its own: it is first told to revoke what
  moves away, and a partition is handed to its new owner only after the old owner reported it
  released.  Nobody else stops.
* **Offsets**: ``OffsetCommitRequest`` appends an ``OffsetCommit`` record (key: group, topic,
  partition; value: offset, leader epoch, metadata, commit timestamp) to the group's
  ``__consumer_offsets`` partition with ``acks=all``; ``OffsetFetchRequest`` reads the latest one
  back.  Generations guard commits: ``ILLEGAL_GENERATION``, ``UNKNOWN_MEMBER_ID``,
  ``REBALANCE_IN_PROGRESS`` (while ``CompletingRebalance``), and a "simple" commit (generation -1)
  only on an ``Empty`` group.  Each completed classic rebalance also appends a ``GroupMetadata``
  record.

Example: C1 and C2 (client ids) subscribe to ``orders`` (4 partitions) with ``range``: after the
initial delay generation 1 gives C1-… [0, 1] and C2-… [2, 3].
"""
from __future__ import annotations

import enum
import json
import weakref

from ..cluster.log import BATCH_OVERHEAD, RecordBatch, record_size
from ..cluster.metadata import NO_LEADER
from ..errors import Err, KafkaException
from .assignors import assign_server_side, java_string_hash

OFFSETS_TOPIC = "__consumer_offsets"


def coordinator_partition(group_id: str, partitions: int = 50) -> int:
    """``Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`` (``Utils.abs(MIN_VALUE)`` is 0).

    >>> coordinator_partition("order-pipeline"), coordinator_partition("orders-to-bq")
    (42, 18)
    """
    h = java_string_hash(group_id)
    return (0 if h == -(2**31) else abs(h)) % partitions


class GroupState(enum.Enum):
    EMPTY = "Empty"
    PREPARING_REBALANCE = "PreparingRebalance"
    COMPLETING_REBALANCE = "CompletingRebalance"
    STABLE = "Stable"
    DEAD = "Dead"
    # KIP-848 consumer groups
    ASSIGNING = "Assigning"
    RECONCILING = "Reconciling"


_S = GroupState
ALLOWED = {  # ClassicGroupState's valid previous states, read forwards
    _S.EMPTY: {_S.PREPARING_REBALANCE, _S.DEAD, _S.STABLE, _S.RECONCILING},
    _S.PREPARING_REBALANCE: {_S.PREPARING_REBALANCE, _S.COMPLETING_REBALANCE, _S.EMPTY, _S.DEAD},
    _S.COMPLETING_REBALANCE: {_S.PREPARING_REBALANCE, _S.STABLE, _S.DEAD},
    _S.STABLE: {_S.PREPARING_REBALANCE, _S.DEAD, _S.RECONCILING, _S.EMPTY},
    _S.RECONCILING: {_S.STABLE, _S.RECONCILING, _S.EMPTY, _S.DEAD},
    _S.DEAD: set(),
    _S.ASSIGNING: set(),
}


def encode_offset_commit(group: str, topic: str, partition: int, offset: int, leader_epoch: int,
                         metadata: str, commit_ms: int) -> tuple[bytes, bytes]:
    """Key and value of an ``OffsetCommit`` record.

    # Simplification: Kafka writes its binary ``OffsetCommitKey``/``OffsetCommitValue`` schemas;
    # we write the same fields as JSON, so a plain consumer of __consumer_offsets can read them.
    """
    key = json.dumps({"type": "OffsetCommit", "group": group, "topic": topic, "partition": partition},
                     sort_keys=True, separators=(",", ":")).encode()
    value = json.dumps({"offset": offset, "leader_epoch": leader_epoch, "metadata": metadata,
                        "commit_timestamp": commit_ms}, sort_keys=True, separators=(",", ":")).encode()
    return key, value


def decode_record(key: bytes | None, value: bytes | None) -> dict:
    """One ``__consumer_offsets`` record as a dict (``value`` None = tombstone)."""
    k = json.loads(key) if key else {}
    v = json.loads(value) if value else None
    return {**k, "value": v}


def _offset_commit_entry(key: bytes | None, value: bytes | None) -> tuple:
    """``(group, (topic, partition), (offset, metadata, leader_epoch) or None)`` of an OffsetCommit record;
    ``(None, None, None)`` for any other record."""
    d = decode_record(key, value)
    if d.get("type") != "OffsetCommit":
        return None, None, None
    v = d["value"]
    return d["group"], (d["topic"], d["partition"]), None if v is None else (v["offset"], v["metadata"],
                                                                              v["leader_epoch"])


class Member:
    __slots__ = (
        "assignment",
        "client_id",
        "epoch",
        "generation",
        "instance_id",
        "join_reply",
        "member_id",
        "node",
        "owned",
        "pending_revoke",
        "prev_epoch",
        "protocols",
        "rebalance_timeout_ms",
        "session_timeout_ms",
        "session_timer",
        "sync_reply",
        "topics",
    )

    def __init__(self, member_id, client_id, node, instance_id=None):
        self.member_id, self.client_id, self.node, self.instance_id = member_id, client_id, node, instance_id
        self.protocols: list = []  # [(assignor name, {"topics", "owned", "generation"})]
        self.topics: list = []
        self.owned: dict = {}
        self.generation = -1
        self.assignment: dict = {}
        self.join_reply = None
        self.sync_reply = None
        self.session_timer = None
        self.session_timeout_ms = 45000
        self.rebalance_timeout_ms = 300000
        self.epoch = 0  # KIP-848 member epoch
        self.prev_epoch = 0
        self.pending_revoke: dict = {}


class Group:
    def __init__(self, group_id: str, protocol_type: str = "classic"):
        self.group_id = group_id
        self.type = protocol_type  # "classic" or "consumer"
        self.state = GroupState.EMPTY
        self.generation_id = 0
        self.protocol_name: str | None = None
        self.leader: str | None = None
        self.members: dict[str, Member] = {}
        self.static: dict[str, str] = {}  # instance id -> member id
        self.join_timer = None
        self.join_deadline = 0
        self.join_delayed = False
        self.join_started = 0
        self.new_member_added = False
        # KIP-848
        self.group_epoch = 0
        self.assignment_epoch = 0
        self.target: dict = {}
        self.assignor = "uniform"

    def transition(self, new: GroupState) -> None:
        assert new in ALLOWED[self.state], f"group {self.group_id}: {self.state.value} -> {new.value} is not allowed"
        self.state = new


_SERVICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def coordinator_for(cluster) -> GroupCoordinator:
    """The cluster's group coordinator service (one per cluster, created on first use)."""
    svc = _SERVICES.get(cluster)
    if svc is None:
        svc = GroupCoordinator(cluster)
        _SERVICES[cluster] = svc
    return svc


class GroupCoordinator:
    """Every group of one cluster; requests are handled on the broker leading the group's partition.

    Failover (``GroupCoordinator.onElection`` → ``GroupMetadataManager`` replay and ``onLoaded``): when
    a broker becomes leader of a ``__consumer_offsets`` partition it loads the groups of that partition
    from its copy of the log.  A classic group comes back from its last ``GroupMetadata`` record:
    ``Stable`` at that generation with those members, leader, protocol and assignments (``Empty`` if it
    had no members); a rebalance that was under way is gone, and the members that were in it rejoin
    (their JoinGroup/SyncGroup connections were reset).  Every member's session timer starts again.
    Committed offsets are always read back from the partition log.

    # Simplification: the GroupMetadata record here carries no subscriptions, protocol metadata or
    # timeouts, so a reloaded member keeps those from the previous coordinator's memory; KIP-848 groups
    # write no ConsumerGroup* records, so they keep their in-memory state (epochs, target assignment)
    # across a failover and only their session timers restart.
    """

    def __init__(self, cluster):
        self.cluster = cluster
        self.sim = cluster.sim
        self.groups: dict[str, Group] = {}
        cfg = cluster.broker_config
        self.num_partitions = int(cfg["offsets.topic.num.partitions"])
        self.initial_delay_ms = int(cfg["group.initial.rebalance.delay.ms"])
        # KIP-848 broker settings (Kafka 4.0 defaults).
        # Simplification: fixed here (group.consumer.heartbeat.interval.ms, group.consumer.session.timeout.ms)
        # because the cluster's broker_config table does not list them yet.
        self.consumer_heartbeat_ms = 5000
        self.consumer_session_ms = 45000
        self._loaded: dict[int, tuple[int, int]] = {}  # partition -> (broker, leader epoch) its groups are from
        # (key bytes, value bytes) -> _offset_commit_entry: committed_offsets() reads the log on every
        # OffsetFetch; a record's bytes decode to the same entry every time, so each is decoded once.
        self._offset_entries: dict = {}
        cluster.leader_listeners.append(self._on_election)

    # -- the offsets topic and routing ------------------------------------------------------
    def ensure_offsets_topic(self, settle: bool = True) -> None:
        """Create __consumer_offsets like the first FindCoordinator does (``settle=False`` from inside
        a sim event, where the clock must not be advanced)."""
        if OFFSETS_TOPIC not in self.cluster.controller.image.topics:
            self.cluster.create_topic(OFFSETS_TOPIC, partitions=self.num_partitions,
                                      replication_factor=self._offsets_rf(), config={"cleanup.policy": "compact"},
                                      settle=settle)

    def _offsets_rf(self) -> int:
        """``offsets.topic.replication.factor``, capped at the cluster's size (Kafka does not cap it)."""
        return min(int(self.cluster.broker_config["offsets.topic.replication.factor"]), len(self.cluster.brokers))

    def try_offsets_topic(self, settle: bool = False) -> bool:
        """``ensure_offsets_topic`` as FindCoordinator does it: if __consumer_offsets cannot be created
        yet (e.g. fewer live brokers than ``offsets.topic.replication.factor``), the broker answers
        COORDINATOR_NOT_AVAILABLE and the client asks again; nothing is raised to the application.

        As Kafka's ``AutoTopicCreationManager.filterCreatableTopics`` does, the broker first compares its
        alive brokers with the replication factor and asks the controller only if there are enough (too
        few is INVALID_REPLICATION_FACTOR, which FindCoordinator answers as COORDINATOR_NOT_AVAILABLE)."""
        image = self.cluster.controller.image
        if OFFSETS_TOPIC not in image.topics:
            if len(image.live_brokers()) < self._offsets_rf():
                self.sim.trace.emit("group.coordinator_unavailable", node=None,
                                    reason="INVALID_REPLICATION_FACTOR")
                return False
        try:
            self.ensure_offsets_topic(settle=settle)
        except KafkaException as exc:
            self.sim.trace.emit("group.coordinator_unavailable", node=None, reason=exc.args[0].name())
            return False
        return True

    def partition_for(self, group_id: str) -> int:
        return coordinator_partition(group_id, self.num_partitions)

    def coordinator_broker(self, group_id: str) -> int:
        """``FindCoordinator``: the leader of the group's __consumer_offsets partition (-1 if none)."""
        p = self.cluster.controller.image.partition(OFFSETS_TOPIC, self.partition_for(group_id))
        return NO_LEADER if p is None else p.leader

    def request(self, client_node: str, broker_id: int, api: str, handler, reply, *args) -> None:
        """Send ``api`` from the client to broker ``broker_id``; the broker answers ``reply(resp)``.

        At the broker, a request for a group it no longer coordinates gets ``NOT_COORDINATOR``.
        """
        b = self.cluster.brokers.get(broker_id)
        if b is None:
            return
        net = self.sim.network

        def at_broker():
            if not b.alive:
                return
            injected = self.cluster.take_injected_error(api) if self.cluster.injected_errors else None
            if injected is not None:  # Cluster.push_request_errors
                net.send(b.node, client_node, api + "Response", reply, {"error": injected})
                return
            gid = args[0]
            if self.coordinator_broker(gid) != broker_id:
                resp = {"error": Err.NOT_COORDINATOR}
                net.send(b.node, client_node, api + "Response", reply, resp)
                return
            self._ensure_loaded(self.partition_for(gid), broker_id)

            def respond(resp):
                net.send(b.node, client_node, api + "Response", reply, resp)
            handler(respond, *args)

        net.send(client_node, b.node, api + "Request", at_broker)

    # -- failover: loading a partition's groups ----------------------------------------------
    def _leader_epoch(self, partition: int) -> int:
        p = self.cluster.controller.image.partition(OFFSETS_TOPIC, partition)
        return -1 if p is None else p.leader_epoch

    def _on_election(self, topic: str, partition: int, broker_id: int) -> None:
        """``GroupCoordinator.onElection``: ``broker_id`` leads a __consumer_offsets partition now."""
        if topic == OFFSETS_TOPIC and self._loaded.get(partition, (None,))[0] not in (None, broker_id):
            self.sim.schedule(1, self._ensure_loaded, partition, broker_id)

    def _ensure_loaded(self, partition: int, broker_id: int) -> None:
        epoch = self._leader_epoch(partition)
        if self._loaded.get(partition) == (broker_id, epoch) or self.coordinator_broker_of(partition) != broker_id:
            return
        first = partition not in self._loaded
        self._loaded[partition] = (broker_id, epoch)
        gids = sorted(g for g in self.groups if self.partition_for(g) == partition)
        if first or not gids:
            return
        self._load(partition, broker_id, gids)

    def coordinator_broker_of(self, partition: int) -> int:
        p = self.cluster.controller.image.partition(OFFSETS_TOPIC, partition)
        return NO_LEADER if p is None else p.leader

    def _load(self, partition: int, broker_id: int, gids: list) -> None:
        """Rebuild the groups of ``partition`` from the new leader's log (what the new coordinator does)."""
        log = self.cluster.brokers[broker_id].logs.get((OFFSETS_TOPIC, partition))
        meta: dict = {}
        if log is not None:
            # Simplification: the whole log is read at once (Kafka reads it in the background and answers
            # COORDINATOR_LOAD_IN_PROGRESS meanwhile).
            for _off, rec, batch in log.records(log.log_start_offset, log.log_end_offset):
                if batch.is_transactional or rec[0] is None:
                    continue
                d = decode_record(rec[0], rec[1])
                if d.get("type") == "GroupMetadata":
                    meta[d["group"]] = d["value"]
        loaded = {}
        for gid in gids:
            g = self.groups[gid]
            if g.join_timer:
                g.join_timer.cancel()
                g.join_timer = None
            for m in g.members.values():  # the connections waiting for these answers were reset
                m.join_reply = m.sync_reply = None
            if g.type == "classic":
                self._reload_classic(g, meta.get(gid))
            for mid in sorted(g.members):
                self._touch(g, g.members[mid])  # rescheduleClassicGroupMemberHeartbeat / session timeouts
            loaded[gid] = {"state": g.state.value, "generation": g.generation_id if g.type == "classic"
                           else g.group_epoch, "members": sorted(g.members)}
        self.sim.trace.emit("group.coordinator_load", node=f"kafka-{broker_id}", partition=partition,
                            leader_epoch=self._leader_epoch(partition), groups=loaded)

    def _reload_classic(self, g: Group, value: dict | None) -> None:
        """``ClassicGroup.fromRecord``: Stable at the recorded generation, or Empty without members."""
        old = g.members
        g.members, g.static = {}, {}
        # Replaying records builds the group directly (no transition() check), as ClassicGroup.fromRecord does.
        if value is None:  # no GroupMetadata record: the group never completed a rebalance (or only has offsets)
            for m in old.values():
                if m.session_timer:
                    m.session_timer.cancel()
            g.state, g.generation_id, g.protocol_name, g.leader = GroupState.EMPTY, 0, None, None
            return
        for md in value["members"]:
            mid = md["member_id"]
            m = old.pop(mid, None) or Member(mid, md["client_id"], md["client_id"], md["group_instance_id"])
            m.instance_id, m.client_id = md["group_instance_id"], md["client_id"]
            m.assignment = {t: list(ps) for t, ps in md["assignment"].items()}
            m.generation = value["generation"]
            g.members[mid] = m
            if m.instance_id is not None:
                g.static[m.instance_id] = mid
        for m in old.values():  # in memory only (joined in a rebalance the log never saw)
            if m.session_timer:
                m.session_timer.cancel()
        g.generation_id, g.protocol_name = value["generation"], value["protocol"]
        g.leader = value["leader"] if value["leader"] in g.members else None
        g.state = GroupState.STABLE if g.members else GroupState.EMPTY
        g.new_member_added = g.join_delayed = False

    def group(self, group_id: str, protocol_type: str = "classic") -> Group:
        g = self.groups.get(group_id)
        if g is None:
            g = self.groups[group_id] = Group(group_id, protocol_type)
        return g

    def _emit(self, kind: str, g: Group, **fields) -> None:
        b = self.coordinator_broker(g.group_id)
        self.sim.trace.emit(kind, node=f"kafka-{b}" if b > 0 else "coordinator", group=g.group_id, **fields)

    def _new_id(self, client_id: str) -> str:
        u = self.sim.rng.getrandbits(128)
        s = f"{u:032x}"
        return f"{client_id}-{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}"

    # -- appending to __consumer_offsets ----------------------------------------------------
    def _append(self, group_id: str, records: list, done) -> None:
        """Append ``records`` [(key, value)] to the group's partition with acks=all; ``done(err)``."""
        tp = (OFFSETS_TOPIC, self.partition_for(group_id))
        leader = self.coordinator_broker(group_id)
        b = self.cluster.brokers.get(leader)
        if b is None or not b.alive:
            done(Err.NOT_COORDINATOR)
            return
        now = self.sim.now
        recs = [(k, v, now, None) for k, v in records]
        size = BATCH_OVERHEAD + sum(record_size(k, v) for k, v in records)

        def reply(results):
            done(results[tp][0])
        b.on_produce({"client": b.node, "acks": -1, "timeout_ms": 5000, "batches": {tp: RecordBatch(recs, size)},
                      "reply": reply})

    def committed_offsets(self, group_id: str) -> dict:
        """``{(topic, partition): (offset, metadata, leader_epoch)}`` read from the partition log."""
        leader = self.coordinator_broker(group_id)
        b = self.cluster.brokers.get(leader)
        if b is None:
            return {}
        log = b.logs.get((OFFSETS_TOPIC, self.partition_for(group_id)))
        out: dict = {}
        if log is None:
            return out
        status = None
        memo = self._offset_entries
        for off, rec, batch in log.records(log.log_start_offset, log.high_watermark):
            if batch.is_transactional:
                # TxnOffsetCommit records count once their transaction commits (KIP-98); markers are not offsets.
                # An undecided one makes on_offset_fetch answer UNSTABLE_OFFSET_COMMIT (KIP-447).
                status = log.txn_status() if status is None else status
                if status.get(off) != "committed":
                    continue
            entry = memo.get((rec[0], rec[1]))
            if entry is None:
                entry = memo[(rec[0], rec[1])] = _offset_commit_entry(rec[0], rec[1])
            if entry[0] != group_id:
                continue
            if entry[2] is None:
                out.pop(entry[1], None)
            else:
                out[entry[1]] = entry[2]
        return out

    # -- offsets APIs -----------------------------------------------------------------------
    def on_offset_commit(self, respond, group_id: str, member_id: str, generation: int, offsets: dict,
                         instance_id: str | None = None) -> None:
        g = self.groups.get(group_id)
        err = Err.NONE
        if g is not None and g.members:
            if instance_id is not None and g.static.get(instance_id) not in (None, member_id):
                err = Err.FENCED_INSTANCE_ID
            elif generation < 0 and not member_id:
                err = Err.UNKNOWN_MEMBER_ID if g.type == "consumer" or g.state != GroupState.EMPTY else Err.NONE
            elif g.type == "classic" and g.state == GroupState.COMPLETING_REBALANCE:
                err = Err.REBALANCE_IN_PROGRESS
            elif member_id not in g.members:
                err = Err.UNKNOWN_MEMBER_ID
            elif g.type == "classic" and generation != g.generation_id:
                err = Err.ILLEGAL_GENERATION
            elif g.type == "consumer" and generation != g.members[member_id].epoch:
                err = Err.STALE_MEMBER_EPOCH
        if err != Err.NONE:
            self._emit("group.commit_rejected", self.group(group_id), member=member_id, generation=generation,
                       error=_name(err))
            respond({"error": err, "offsets": {tp: err for tp in offsets}})
            return
        items = sorted(offsets.items())
        now = self.sim.now
        recs = [encode_offset_commit(group_id, t, p, off, epoch, meta or "", now)
                for (t, p), (off, meta, epoch) in items]

        def done(e):
            if e == Err.NONE:
                for (t, p), (off, _m, _e) in items:
                    self._emit("group.offset_commit", self.group(group_id), member=member_id, topic=t,
                               partition=p, offset=off, generation=generation)
            respond({"error": e, "offsets": {tp: e for tp, _ in items}})
        self._append(group_id, recs, done)

    def on_txn_offset_commit(self, respond, group_id: str, transactional_id: str, producer_id: int,
                             producer_epoch: int, member_id: str, generation: int, offsets: dict,
                             instance_id: str | None = None) -> None:
        """``TxnOffsetCommitRequest`` (from a transactional producer's ``send_offsets_to_transaction``).

        Kafka: the offsets are appended to the group's ``__consumer_offsets`` partition as a
        *transactional* batch of that producer id and epoch; they take effect when the transaction's
        COMMIT marker reaches this partition and vanish with an ABORT.  The group metadata in the
        request (KIP-447) is checked as for a commit: a member that left or an old generation gets
        ``UNKNOWN_MEMBER_ID`` / ``ILLEGAL_GENERATION``, so a zombie cannot commit offsets.  A stale
        producer epoch is rejected by the partition (``INVALID_PRODUCER_EPOCH``).
        """
        g = self.groups.get(group_id)
        err = Err.NONE
        if g is not None and g.members and generation >= 0:
            if instance_id is not None and g.static.get(instance_id) not in (None, member_id):
                err = Err.FENCED_INSTANCE_ID
            elif member_id not in g.members:
                err = Err.UNKNOWN_MEMBER_ID
            elif g.type == "classic" and generation != g.generation_id:
                err = Err.ILLEGAL_GENERATION
            elif g.type == "consumer" and generation != g.members[member_id].epoch:
                err = Err.STALE_MEMBER_EPOCH
        items = sorted(offsets.items())
        if err != Err.NONE:
            self._emit("group.commit_rejected", self.group(group_id), member=member_id, generation=generation,
                       error=_name(err), transactional_id=transactional_id)
            respond({"error": err, "offsets": {tp: err for tp, _ in items}})
            return
        tp = (OFFSETS_TOPIC, self.partition_for(group_id))
        leader = self.coordinator_broker(group_id)
        b = self.cluster.brokers.get(leader)
        if b is None or not b.alive:
            respond({"error": Err.NOT_COORDINATOR, "offsets": {k: Err.NOT_COORDINATOR for k, _ in items}})
            return
        now = self.sim.now
        recs = [(k, v, now, None) for k, v in (encode_offset_commit(group_id, t, p, off, epoch, meta or "", now)
                                              for (t, p), (off, meta, epoch) in items)]
        batch = RecordBatch(recs, BATCH_OVERHEAD + sum(record_size(k, v) for k, v, _t, _h in recs),
                            producer_id=producer_id, producer_epoch=producer_epoch, is_transactional=True)

        def reply(results):
            e = results[tp][0]
            if e == Err.NONE:
                for (t, p), (off, _m, _e) in items:
                    self._emit("group.txn_offset_commit", self.group(group_id), member=member_id, topic=t,
                               partition=p, offset=off, generation=generation, transactional_id=transactional_id,
                               producer_id=producer_id, producer_epoch=producer_epoch)
            respond({"error": e, "offsets": {k: e for k, _ in items}})
        b.on_produce({"client": b.node, "acks": -1, "timeout_ms": 5000, "batches": {tp: batch}, "reply": reply})

    def on_offset_fetch(self, respond, group_id: str, partitions: list | None, require_stable: bool = False) -> None:
        c = self.committed_offsets(group_id)
        keys = sorted(c) if partitions is None else partitions
        pending = self.pending_txn_offsets(group_id) if require_stable else set()
        if pending & set(keys):
            # KIP-447: a transactional offset commit for the partition is not decided yet; a client that
            # asks for stable offsets (librdkafka does under read_committed) must retry.
            respond({"error": Err.UNSTABLE_OFFSET_COMMIT,
                     "offsets": {k: (-1, "", -1) if k in pending else c.get(k, (-1, "", -1)) for k in keys}})
            return
        respond({"error": Err.NONE, "offsets": {k: c.get(k, (-1, "", -1)) for k in keys}})

    def pending_txn_offsets(self, group_id: str) -> set:
        """Partitions with a TxnOffsetCommit of this group whose transaction is still open."""
        b = self.cluster.brokers.get(self.coordinator_broker(group_id))
        log = b.logs.get((OFFSETS_TOPIC, self.partition_for(group_id))) if b is not None else None
        if log is None or not log.ongoing_txns:
            return set()
        status = log.txn_status()
        out = set()
        for off, rec, batch in log.records(min(log.ongoing_txns.values()), log.log_end_offset):
            if batch.is_transactional and status.get(off) == "open":
                d = decode_record(rec[0], rec[1])
                if d.get("group") == group_id and d.get("type") == "OffsetCommit":
                    out.add((d["topic"], d["partition"]))
        return out

    def on_delete_group(self, respond, group_id: str) -> None:
        """``DeleteGroups`` for one group (what ``kafka-consumer-groups.sh --delete`` sends).

        Kafka: an unknown group answers ``GROUP_ID_NOT_FOUND``, a group with members
        ``NON_EMPTY_GROUP``; otherwise the coordinator appends tombstones for the group's committed
        offsets and its metadata to __consumer_offsets and forgets the group.  Example: after its
        only consumer closed, ``g`` (Empty, offsets for orders-0/1) is deleted and ``committed_offsets("g")``
        is ``{}``.
        """
        g = self.groups.get(group_id)
        offsets = self.committed_offsets(group_id)
        if (g is None or g.state == GroupState.DEAD) and not offsets:
            respond({"error": Err.GROUP_ID_NOT_FOUND})
            return
        if g is not None and g.members:
            respond({"error": Err.NON_EMPTY_GROUP})
            return
        recs = [(encode_offset_commit(group_id, t, p, 0, -1, "", 0)[0], None) for t, p in sorted(offsets)]
        recs.append((json.dumps({"type": "GroupMetadata", "group": group_id}, sort_keys=True,
                                separators=(",", ":")).encode(), None))

        def done(err):
            if err == Err.NONE:
                self._emit("group.deleted", g if g is not None else Group(group_id),
                           offsets=[f"{t}-{p}" for t, p in sorted(offsets)])
                self.groups.pop(group_id, None)
            respond({"error": err})
        self._append(group_id, recs, done)

    # ======================================================================================
    # Classic protocol
    # ======================================================================================
    def on_join_group(self, respond, group_id: str, member_id: str, instance_id: str | None, client_id: str,
                      node: str, protocols: list, session_timeout_ms: int, rebalance_timeout_ms: int) -> None:
        g = self.group(group_id, "classic")
        if g.type != "classic":
            # Simplification: Kafka answers INCONSISTENT_GROUP_PROTOCOL (23); kafkalab's error table lacks it.
            respond({"error": Err.INVALID_REQUEST})
            return
        if not member_id:
            new_id = self._new_id(client_id)
            if instance_id is not None:
                old = g.static.get(instance_id)
                if old is not None and old in g.members:
                    # Static member rejoining: replace the id, keep the assignment, no rebalance if stable.
                    m = g.members.pop(old)
                    if m.session_timer:
                        m.session_timer.cancel()
                    m.member_id, m.node, m.client_id = new_id, node, client_id
                    m.protocols = protocols
                    g.members[new_id] = m
                    g.static[instance_id] = new_id
                    if g.leader == old:
                        g.leader = new_id
                    self._emit("group.static_rejoin", g, instance_id=instance_id, old_member=old, member=new_id,
                               generation=g.generation_id)
                    self._touch(g, m)
                    if g.state == GroupState.STABLE:
                        respond(self._join_response(g, m, leader_view=(g.leader == new_id)))
                        return
                    m.join_reply = respond
                    self._maybe_complete_join(g)
                    return
                self._add_member(g, new_id, instance_id, client_id, node, protocols, session_timeout_ms,
                                 rebalance_timeout_ms, respond)
                return
            # KIP-394: a new dynamic member first learns its id, then joins with it.
            self._emit("group.member_id_required", g, member=new_id)
            respond({"error": Err.MEMBER_ID_REQUIRED, "member_id": new_id})
            return
        if member_id not in g.members:
            if instance_id is not None and g.static.get(instance_id) not in (None, member_id):
                respond({"error": Err.FENCED_INSTANCE_ID, "member_id": member_id})
                return
            if instance_id is None and member_id.startswith(client_id + "-"):
                # the id handed out with MEMBER_ID_REQUIRED (or one evicted since): join as new
                self._add_member(g, member_id, None, client_id, node, protocols, session_timeout_ms,
                                 rebalance_timeout_ms, respond)
                return
            respond({"error": Err.UNKNOWN_MEMBER_ID, "member_id": member_id})
            return
        m = g.members[member_id]
        m.protocols, m.node = protocols, node
        m.topics = list(protocols[0][1]["topics"])
        m.join_reply = respond
        self._touch(g, m)
        if g.state in (GroupState.STABLE, GroupState.COMPLETING_REBALANCE, GroupState.EMPTY):
            self._prepare_rebalance(g, f"member {member_id} rejoined")
        self._maybe_complete_join(g)

    def _add_member(self, g, member_id, instance_id, client_id, node, protocols, session_timeout_ms,
                    rebalance_timeout_ms, respond) -> None:
        m = Member(member_id, client_id, node, instance_id)
        m.protocols = protocols
        m.topics = list(protocols[0][1]["topics"])
        m.session_timeout_ms, m.rebalance_timeout_ms = session_timeout_ms, rebalance_timeout_ms
        m.join_reply = respond
        g.members[member_id] = m
        if instance_id is not None:
            g.static[instance_id] = member_id
        g.new_member_added = True
        self._emit("group.join", g, member=member_id, instance_id=instance_id, client_id=client_id,
                   protocols=[p for p, _ in protocols])
        self._touch(g, m)
        self._prepare_rebalance(g, f"member {member_id} joined")
        self._maybe_complete_join(g)

    def _common_protocols(self, g: Group, exclude: str | None = None) -> list:
        names = None
        for mid, m in g.members.items():
            if mid == exclude:
                continue
            mine = [p for p, _ in m.protocols]
            names = mine if names is None else [p for p in names if p in mine]
        return names or []

    def _touch(self, g: Group, m: Member) -> None:
        """(Re)arm the member's session timer."""
        if m.session_timer:
            m.session_timer.cancel()
        m.session_timer = self.sim.schedule(m.session_timeout_ms, self._session_expired, g, m.member_id, priority=2)

    def _session_expired(self, g: Group, member_id: str) -> None:
        m = g.members.get(member_id)
        if m is None:
            return
        if g.state == GroupState.PREPARING_REBALANCE and m.join_reply is not None:
            return  # waiting in the join phase: the rebalance timeout governs it
        self._emit("group.session_timeout", g, member=member_id, session_timeout_ms=m.session_timeout_ms)
        self._remove(g, member_id, "session timeout")

    def _remove(self, g: Group, member_id: str, reason: str) -> None:
        m = g.members.pop(member_id, None)
        if m is None:
            return
        if m.session_timer:
            m.session_timer.cancel()
        if m.instance_id is not None and g.static.get(m.instance_id) == member_id:
            del g.static[m.instance_id]
        self._emit("group.member_removed", g, member=member_id, reason=reason)
        if g.type == "consumer":
            self._consumer_epoch_bump(g, reason)
            return
        if g.leader == member_id:
            g.leader = None
        if not g.members:
            if g.join_timer:
                g.join_timer.cancel()
            g.generation_id += 1
            g.protocol_name, g.leader = None, None
            if g.state == GroupState.COMPLETING_REBALANCE:
                # Kafka's removeMemberAndUpdateGroup prepares a rebalance first; the join then ends empty.
                g.transition(GroupState.PREPARING_REBALANCE)
            if g.state != GroupState.EMPTY:
                g.transition(GroupState.EMPTY)
            self._emit("group.state", g, state=g.state.value, generation=g.generation_id)
            return
        if g.state in (GroupState.STABLE, GroupState.COMPLETING_REBALANCE):
            self._prepare_rebalance(g, reason)
        self._maybe_complete_join(g)

    def _prepare_rebalance(self, g: Group, reason: str) -> None:
        if g.state == GroupState.PREPARING_REBALANCE:
            if g.join_timer is not None and g.join_delayed and g.new_member_added:
                # InitialDelayedJoin: each new member extends the wait, up to the rebalance timeout.
                cap = g.join_started + max(m.rebalance_timeout_ms for m in g.members.values())
                g.join_deadline = min(self.sim.now + self.initial_delay_ms, cap)
                g.join_timer.cancel()
                g.join_timer = self.sim.at(g.join_deadline, self._join_deadline, g, priority=3)
                g.new_member_added = False
            return
        if g.state == GroupState.COMPLETING_REBALANCE:
            for m in g.members.values():  # members waiting in SyncGroup must rejoin
                if m.sync_reply is not None:
                    m.sync_reply({"error": Err.REBALANCE_IN_PROGRESS})
                    m.sync_reply = None
        was_empty = g.state == GroupState.EMPTY
        g.transition(GroupState.PREPARING_REBALANCE)
        g.new_member_added = False
        g.join_delayed = was_empty
        g.join_started = self.sim.now
        delay = self.initial_delay_ms if was_empty else max(m.rebalance_timeout_ms for m in g.members.values())
        g.join_deadline = self.sim.now + delay
        if g.join_timer:
            g.join_timer.cancel()
        g.join_timer = self.sim.at(g.join_deadline, self._join_deadline, g, priority=3)
        self._emit("group.prepare_rebalance", g, reason=reason, generation=g.generation_id)

    def _join_deadline(self, g: Group) -> None:
        if g.state != GroupState.PREPARING_REBALANCE:
            return
        g.join_timer = None
        if g.join_delayed:
            g.join_delayed = False
            if all(m.join_reply is not None for m in g.members.values()):
                self._complete_join(g)
                return
            g.join_deadline = self.sim.now + max(m.rebalance_timeout_ms for m in g.members.values())
            g.join_timer = self.sim.at(g.join_deadline, self._join_deadline, g, priority=3)
            return
        for mid in sorted(g.members):
            m = g.members[mid]
            if m.join_reply is None:
                self._emit("group.member_removed", g, member=mid, reason="did not rejoin within the rebalance "
                           f"timeout (max.poll.interval.ms={m.rebalance_timeout_ms})")
                if m.session_timer:
                    m.session_timer.cancel()
                del g.members[mid]
                if m.instance_id is not None:
                    g.static.pop(m.instance_id, None)
                if g.leader == mid:
                    g.leader = None
        if g.members:
            self._complete_join(g)
        else:
            g.generation_id += 1
            g.transition(GroupState.EMPTY)

    def _maybe_complete_join(self, g: Group) -> None:
        if g.state != GroupState.PREPARING_REBALANCE or getattr(g, "join_delayed", False):
            return
        if g.members and all(m.join_reply is not None for m in g.members.values()):
            self._complete_join(g)

    def _complete_join(self, g: Group) -> None:
        if g.join_timer:
            g.join_timer.cancel()
            g.join_timer = None
        g.generation_id += 1
        common = self._common_protocols(g)
        if g.leader not in g.members:
            g.leader = next(iter(g.members))
        leader = g.members[g.leader]
        # Simplification: the protocol every member supports, in the leader's preference order; Kafka
        # lets every member vote for its first supported one (the same result when configs agree).
        g.protocol_name = next((p for p, _ in leader.protocols if p in common), leader.protocols[0][0])
        g.transition(GroupState.COMPLETING_REBALANCE)
        self._emit("group.generation", g, generation=g.generation_id, protocol=g.protocol_name, leader=g.leader,
                   members=sorted(g.members))
        for mid in list(g.members):
            m = g.members[mid]
            reply, m.join_reply = m.join_reply, None
            if reply is not None:
                reply(self._join_response(g, m, leader_view=(mid == g.leader)))

    def _join_response(self, g: Group, m: Member, leader_view: bool) -> dict:
        resp = {"error": Err.NONE, "member_id": m.member_id, "generation": g.generation_id,
                "protocol": g.protocol_name, "leader": g.leader, "members": {}}
        if leader_view:
            for mid, other in g.members.items():
                meta = next((md for p, md in other.protocols if p == g.protocol_name), other.protocols[0][1])
                resp["members"][mid] = dict(meta, instance_id=other.instance_id)
        return resp

    def on_sync_group(self, respond, group_id: str, member_id: str, generation: int, instance_id: str | None,
                      assignments: dict | None) -> None:
        g = self.groups.get(group_id)
        if g is None or member_id not in g.members:
            err = Err.FENCED_INSTANCE_ID if (g is not None and instance_id is not None
                                             and instance_id in g.static) else Err.UNKNOWN_MEMBER_ID
            respond({"error": err})
            return
        if generation != g.generation_id:
            respond({"error": Err.ILLEGAL_GENERATION})
            return
        m = g.members[member_id]
        self._touch(g, m)
        if g.state == GroupState.PREPARING_REBALANCE:
            respond({"error": Err.REBALANCE_IN_PROGRESS})
            return
        if g.state == GroupState.STABLE:
            respond({"error": Err.NONE, "assignment": m.assignment, "protocol": g.protocol_name})
            return
        m.sync_reply = respond
        if member_id == g.leader and assignments is not None:
            for mid, mm in g.members.items():
                mm.assignment = assignments.get(mid, {})
            gen = g.generation_id

            def stored(err):
                if g.state != GroupState.COMPLETING_REBALANCE or g.generation_id != gen:
                    return
                g.transition(GroupState.STABLE)
                self._emit("group.stable", g, generation=gen, protocol=g.protocol_name, leader=g.leader,
                           assignment={mid: mm.assignment for mid, mm in sorted(g.members.items())})
                for mm in g.members.values():
                    if mm.sync_reply is not None:
                        r, mm.sync_reply = mm.sync_reply, None
                        r({"error": Err.NONE, "assignment": mm.assignment, "protocol": g.protocol_name})
            self._append(group_id, [self._group_metadata_record(g)], stored)
        elif g.state == GroupState.STABLE:
            respond({"error": Err.NONE, "assignment": m.assignment, "protocol": g.protocol_name})

    def _group_metadata_record(self, g: Group) -> tuple[bytes, bytes]:
        key = json.dumps({"type": "GroupMetadata", "group": g.group_id}, sort_keys=True,
                         separators=(",", ":")).encode()
        value = json.dumps({"protocol_type": "consumer", "generation": g.generation_id, "protocol": g.protocol_name,
                            "leader": g.leader, "current_state_timestamp": self.sim.now,
                            "members": [{"member_id": mid, "group_instance_id": m.instance_id,
                                         "client_id": m.client_id, "assignment": m.assignment}
                                        for mid, m in sorted(g.members.items())]},
                           sort_keys=True, separators=(",", ":")).encode()
        return key, value

    def on_heartbeat(self, respond, group_id: str, member_id: str, generation: int,
                     instance_id: str | None) -> None:
        g = self.groups.get(group_id)
        if g is None or member_id not in g.members:
            err = Err.FENCED_INSTANCE_ID if (g is not None and instance_id is not None
                                             and g.static.get(instance_id) not in (None, member_id)) \
                else Err.UNKNOWN_MEMBER_ID
            respond({"error": err})
            return
        m = g.members[member_id]
        if generation != g.generation_id:
            respond({"error": Err.ILLEGAL_GENERATION})
            return
        self._touch(g, m)
        if g.state == GroupState.PREPARING_REBALANCE:
            respond({"error": Err.REBALANCE_IN_PROGRESS})
            return
        respond({"error": Err.NONE})

    def on_leave_group(self, respond, group_id: str, member_id: str, instance_id: str | None = None) -> None:
        g = self.groups.get(group_id)
        if g is None or member_id not in g.members:
            respond({"error": Err.UNKNOWN_MEMBER_ID})
            return
        self._emit("group.leave", g, member=member_id)
        self._remove(g, member_id, f"member {member_id} left (LeaveGroup)")
        respond({"error": Err.NONE})

    # ======================================================================================
    # KIP-848 consumer protocol
    # ======================================================================================
    # Simplification: KIP-848 here has no static membership (group.instance.id is carried but not used
    # for fencing), writes no ConsumerGroup* records to __consumer_offsets, and recomputes the target
    # assignment at once on every group-epoch bump instead of in a batched assignor run.
    def on_consumer_heartbeat(self, respond, group_id: str, member_id: str, member_epoch: int,
                              instance_id: str | None, client_id: str, node: str, topics: list | None,
                              owned: dict, assignor: str | None, rebalance_timeout_ms: int) -> None:
        if not self.cluster.features.get("kip848", True):
            # A broker before 4.0 (kafkalab.profiles, KIP-848 GA in 4.0) does not offer the API.
            self.sim.trace.emit("group.unsupported", node=f"kafka-{self.coordinator_broker(group_id)}",
                                group=group_id, api="ConsumerGroupHeartbeat", profile=self.cluster.profile)
            respond({"error": Err.UNSUPPORTED_VERSION, "member_id": member_id})
            return
        g = self.group(group_id, "consumer")
        if g.type != "consumer":
            respond({"error": Err.INVALID_REQUEST, "member_id": member_id})
            return
        if assignor:
            g.assignor = assignor
        if member_epoch == -1:  # leave
            if member_id in g.members:
                self._emit("group.leave", g, member=member_id)
                self._remove(g, member_id, f"member {member_id} left (epoch -1)")
            respond({"error": Err.NONE, "member_id": member_id, "member_epoch": -1})
            return
        m = g.members.get(member_id)
        if member_epoch == 0:
            if m is None:
                m = Member(member_id, client_id, node, instance_id)
                m.session_timeout_ms = self.consumer_session_ms
                m.prev_epoch = 0
                g.members[member_id] = m
                self._emit("group.join", g, member=member_id, instance_id=instance_id, client_id=client_id,
                           protocols=[g.assignor])
            m.topics = list(topics or [])
            m.owned = {}
            self._touch(g, m)
            self._consumer_epoch_bump(g, f"member {member_id} joined")
        elif m is None:
            respond({"error": Err.UNKNOWN_MEMBER_ID, "member_id": member_id})
            return
        elif member_epoch not in (m.epoch, m.prev_epoch):
            respond({"error": Err.FENCED_MEMBER_EPOCH, "member_id": member_id})
            return
        else:
            self._touch(g, m)
            m.owned = {t: sorted(ps) for t, ps in owned.items() if ps}
            if topics is not None and sorted(topics) != sorted(m.topics):
                m.topics = list(topics)
                self._consumer_epoch_bump(g, f"member {member_id} changed its subscription")
        self._reconcile(g, m)
        respond({"error": Err.NONE, "member_id": member_id, "member_epoch": m.epoch,
                 "assignment": _copy(m.assignment), "heartbeat_interval_ms": self.consumer_heartbeat_ms})

    def _consumer_epoch_bump(self, g: Group, reason: str) -> None:
        g.group_epoch += 1
        topics = {}
        image = self.cluster.controller.image
        for m in g.members.values():
            for t in m.topics:
                if t in image.topics:
                    topics[t] = len(image.topics[t].partitions)
        members = {mid: {"topics": m.topics, "owned": g.target.get(mid, {})} for mid, m in sorted(g.members.items())}
        g.target = assign_server_side(g.assignor, topics, members) if members else {}
        g.assignment_epoch = g.group_epoch
        self._emit("group.target_assignment", g, group_epoch=g.group_epoch, assignor=g.assignor, reason=reason,
                   target={m: g.target[m] for m in sorted(g.target)})
        if g.members:
            if g.state != GroupState.RECONCILING:
                g.transition(GroupState.RECONCILING)
        elif g.state != GroupState.EMPTY:
            g.transition(GroupState.EMPTY)

    def _reconcile(self, g: Group, m: Member) -> None:
        """Move one member towards its target (on its own heartbeat, as Kafka does): revoke first;
        a partition goes to its new owner only once the old owner has reported it released."""
        if m.pending_revoke:
            if _minus(m.owned, m.assignment):
                return  # still owns partitions it was told to give up
            m.pending_revoke = {}
        target = g.target.get(m.member_id, {})
        revoke = _minus(m.assignment, target)
        if revoke:
            m.assignment = _minus(m.assignment, revoke)
            m.pending_revoke = revoke
            self._emit("group.member_revoke", g, member=m.member_id, revoke=revoke, member_epoch=m.epoch)
            return
        held = set()
        for other in g.members.values():
            if other is not m:
                for src in (other.assignment, other.pending_revoke, other.owned):
                    held.update((t, p) for t, ps in src.items() for p in ps)
        new = _copy(m.assignment)
        complete = True
        for t, ps in sorted(target.items()):
            for p in ps:
                if p in new.get(t, ()):
                    continue
                if (t, p) in held:
                    complete = False
                else:
                    new.setdefault(t, []).append(p)
        new = {t: sorted(ps) for t, ps in sorted(new.items()) if ps}
        if new != m.assignment:
            m.assignment = new
            self._emit("group.member_assign", g, member=m.member_id, assignment=new, member_epoch=g.group_epoch)
        if m.epoch != g.group_epoch:  # nothing left to revoke: the member moves to the new epoch
            m.prev_epoch, m.epoch = m.epoch, g.group_epoch
        if complete and g.state == GroupState.RECONCILING and all(
                x.epoch == g.group_epoch and not x.pending_revoke and x.assignment == g.target.get(x.member_id, {})
                for x in g.members.values()):
            g.transition(GroupState.STABLE)
            self._emit("group.stable", g, generation=g.group_epoch, protocol=g.assignor, leader=None,
                       assignment={mid: x.assignment for mid, x in sorted(g.members.items())})


def _copy(a: dict) -> dict:
    return {t: list(ps) for t, ps in a.items()}


def _minus(a: dict, b: dict) -> dict:
    out = {}
    for t, ps in (a or {}).items():
        gone = [p for p in ps if p not in (b or {}).get(t, ())]
        if gone:
            out[t] = sorted(gone)
    return out


def _name(code: int) -> str:
    from ..errors import spec

    return spec(code).java_name
