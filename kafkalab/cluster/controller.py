"""The KRaft controller: owns the metadata log, places replicas, fences brokers, elects leaders.

Kafka behaviour modelled (``QuorumController``, ``ReplicationControlManager``,
``PartitionChangeBuilder``, ``BrokerHeartbeatManager``):

* Brokers heartbeat every ``broker.heartbeat.interval.ms`` (2000); one silent for
  ``broker.session.timeout.ms`` (9000) is *fenced*.  Fencing removes the broker from every ISR it
  is in (unless it is the last member: then the ISR keeps it and the partition goes leaderless,
  ``Leader: none``) and moves leadership to the next in-sync replica in replica order.
* A leader change bumps ``leader_epoch``; every change bumps ``partition_epoch``.
* ``AlterPartition`` from a leader shrinks or expands the ISR (``replica.lag.time.max.ms``).
* With ``unclean.leader.election.enable=true`` a partition whose ISR is all gone elects a live
  out-of-sync replica (data after its log end is lost); otherwise it waits.
* ``auto.leader.rebalance.enable`` (default true) moves leadership back to the preferred replica
  every ``leader.imbalance.check.interval.seconds`` (300).
* A controlled shutdown fences the broker at once (leadership and ISR move away) and its last
  heartbeats do not unfence it; a broker that re-registers after a crash (an unclean shutdown) is
  first removed from every ISR and ELR (``handleBrokerUncleanShutdown``).
* Eligible Leader Replicas (KIP-966), behind the cluster option ``eligible.leader.replicas.enable``
  (off by default): while the ISR is below ``min.insync.replicas`` the replicas that leave it join
  the ELR; the ISR may become empty; a live ELR member is elected cleanly when no ISR member is
  left (``election="elr"``).  Example: RF=3, min ISR 2, ISR {1,2}; B2 lags → ISR {1}, ELR {2};
  B1 dies → ISR {2}, leader B2, no unclean election needed.

Simplification: ELR's "last known leader" (``lastKnownElr``) and unclean *recovery* are not
modelled.

One ``Controller`` (Kafka's ``QuorumController``) runs on every voter of the Raft quorum
(:mod:`.raft`).  A standby replays the records its voter has committed; the voter that is Raft
leader becomes the *active* controller once its epoch's ``LeaderChangeMessage`` is committed
(``QuorumController`` "claims" leadership), and only the active controller writes.  Its image runs
ahead of the log (it applies what it appends at once, as Kafka's controller does with its timeline
snapshots); what it wrote becomes visible to brokers (``metadata.*`` trace events, pushed to the
brokers) when the high watermark passes it.  When it loses leadership it drops what was not
committed and goes back to standby; requests waiting for a commit get ``NOT_CONTROLLER``.  A newly
active controller gives every registered broker a fresh session (``BrokerHeartbeatManager``).

The default cluster has one dedicated voter (node ``controller``): the 1-voter case of the same
code, which elects itself at once and commits each record as it is appended.
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from ..errors import Err
from .metadata import NO_LEADER, MetadataImage, MetadataRecord, PartitionState

if TYPE_CHECKING:
    from .cluster import Cluster
    from .raft import RaftNode

CONTROLLER_NODE = "controller"  # the network name of the default cluster's lone controller


class NotControllerError(RuntimeError):
    """A write reached a controller that is not active (Kafka's ``NOT_CONTROLLER``)."""


class Controller:
    def __init__(self, cluster: Cluster, raft: RaftNode):
        self.cluster = cluster
        self.sim = cluster.sim
        self.raft = raft
        raft.controller = self
        self.node = raft.node
        self.active = False
        self.image = MetadataImage()
        self.last_heartbeat: dict[int, int] = {}
        self.broker_epochs: dict[int, int] = {}
        self.registration_offset: dict[int, int] = {}
        self.shutting_down: set[int] = set()  # in controlled shutdown: heartbeats do not unfence them
        self.waiters: list = []  # (offset, on_commit, on_fail): requests answered once offset commits
        cfg = cluster.broker_config
        self.session_timeout_ms = cfg["broker.session.timeout.ms"]
        self.sim.every(1000, self._check_sessions, priority=5)
        if cfg["auto.leader.rebalance.enable"]:
            self.sim.every(cfg["leader.imbalance.check.interval.seconds"] * 1000, self._timed_preferred_election,
                           priority=5)

    # -- the metadata log -------------------------------------------------------------------
    @property
    def log(self) -> list[MetadataRecord]:
        """The committed records still in this voter's log (after its snapshot, if any)."""
        return self.raft.committed_records()

    def append(self, rtype: str, **fields) -> MetadataRecord:
        """Write a record through Raft (the active controller only)."""
        if not self.active:
            raise NotControllerError(self.node)
        rec = self.raft.append(rtype, **fields)
        self._apply_through(rec.offset)
        return rec

    def _apply(self, rec: MetadataRecord) -> None:
        self.image.apply(rec)
        if rec.type == "RegisterBrokerRecord":
            self.registration_offset[rec.fields["broker_id"]] = rec.offset

    def _apply_through(self, offset: int) -> None:
        while self.image.offset < offset:
            rec = self.raft.entry(self.image.offset + 1)
            self._apply(rec)

    def handle_commit(self, old_hw: int, new_hw: int, from_snapshot: bool = False) -> None:
        """The voter's high watermark moved from ``old_hw`` to ``new_hw`` (``RaftClient.Listener.handleCommit``)."""
        raft = self.raft
        if from_snapshot:
            self.image = MetadataImage()
            self.image = raft.quorum.replay(raft, new_hw)
            return
        leading = raft.state == "leader"
        for off in range(max(old_hw, raft.log_start), new_hw):
            rec = raft.entry(off)
            if self.image.offset < off:
                self._apply(rec)
            if leading:
                self._publish(rec)
        if leading and not self.active and new_hw > raft.epoch_start:
            self.activate()
        if self.waiters:
            done = [w for w in self.waiters if w[0] < new_hw]
            self.waiters = [w for w in self.waiters if w[0] >= new_hw]
            for _off, ok, _fail in done:
                ok()

    def _publish(self, rec: MetadataRecord) -> None:
        """A committed record: into the trace (control records are in the ``raft.*`` events already), and
        to every broker (the answer to its parked metadata fetch: brokers are the quorum's observers)."""
        if not rec.is_control:
            self.sim.trace.emit("metadata." + rec.type, node=self.node, offset=rec.offset, **rec.fields)
        for broker in self.cluster.brokers.values():
            self.sim.network.send(self.node, broker.node, "MetadataUpdate", broker.on_metadata, rec)

    def when_committed(self, offset: int, ok, fail) -> None:
        """Call ``ok()`` once ``offset`` is committed, ``fail()`` if this controller stops being active first."""
        if offset < self.raft.hw:
            ok()
        else:
            self.waiters.append((offset, ok, fail))

    def activate(self) -> None:
        """Become the active controller (``QuorumController`` claims the epoch)."""
        self.active = True
        self.broker_epochs = {b: r.epoch for b, r in self.image.brokers.items()}
        self.last_heartbeat = {b: self.sim.now for b in self.image.brokers}
        self.shutting_down = {b for b, r in self.image.brokers.items() if r.in_controlled_shutdown}
        self.sim.trace.emit("controller.activate", node=self.node, node_id=self.raft.node_id, epoch=self.raft.epoch,
                            offset=self.raft.hw - 1)

    def deactivate(self, why: str) -> None:
        """Back to standby: forget what was not committed (``QuorumController.renounce``)."""
        waiters, self.waiters = self.waiters, []
        if self.active:
            self.active = False
            self.sim.trace.emit("controller.renounce", node=self.node, node_id=self.raft.node_id,
                                epoch=self.raft.epoch, reason=why, uncommitted=self.raft.leo - self.raft.hw)
        if self.image.offset >= self.raft.hw:
            self.image = self.raft.quorum.replay(self.raft, self.raft.hw)
            self.registration_offset = {}
            for rec in self.raft.committed_records():
                if rec.type == "RegisterBrokerRecord":
                    self.registration_offset[rec.fields["broker_id"]] = rec.offset
        for _off, _ok, fail in waiters:
            fail()

    def records_since(self, offset: int) -> list:
        """What a broker at metadata ``offset`` is missing: committed records, after a snapshot if the
        log before them is gone (KIP-630: a fetcher behind the log start offset gets the snapshot)."""
        raft = self.raft
        out: list = []
        if offset + 1 < raft.log_start and raft.snapshot is not None:
            out.append(raft.snapshot)
            offset = raft.snapshot.end_offset - 1
        return out + raft.committed_records(offset)

    def _data_records(self) -> int:
        n = sum(1 for r in self.raft.log if not r.is_control)
        snap = self.raft.snapshot
        return n + (sum(1 for r in snap.records if not r.is_control) if snap else 0)

    def new_topic_id(self) -> str:
        raw = bytes(self.sim.rng.getrandbits(8) for _ in range(16))
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    # -- brokers ----------------------------------------------------------------------------
    def register_broker(self, broker_id: int, host: str, port: int, rack: str | None,
                        clean_shutdown: bool = True) -> int:
        """``BrokerRegistrationRequest``.  A broker coming back from an unclean shutdown (a crash) is
        taken out of every ISR and ELR first (``ReplicationControlManager.handleBrokerUncleanShutdown``):
        its log may miss records it had acknowledged to the leader but not flushed."""
        if not clean_shutdown and broker_id in self.image.brokers:
            self._handle_unclean_shutdown(broker_id)
        self.shutting_down.discard(broker_id)
        epoch = self.broker_epochs.get(broker_id, -1) + 1 + self._data_records()
        self.broker_epochs[broker_id] = epoch
        self.last_heartbeat[broker_id] = self.sim.now
        rec = self.append("RegisterBrokerRecord", broker_id=broker_id, host=host, port=port, rack=rack,
                          broker_epoch=epoch, fenced=True)
        self.registration_offset[broker_id] = rec.offset
        return epoch

    def on_heartbeat(self, broker_id: int, broker_epoch: int, metadata_offset: int):
        """``BrokerHeartbeatRequest``; unfences a broker once it has replayed the log up to its own
        registration (Kafka's "caught up" rule)."""
        if not self.active or self.broker_epochs.get(broker_id) != broker_epoch:
            return None
        self.last_heartbeat[broker_id] = self.sim.now
        reg = self.image.brokers.get(broker_id)
        if reg is not None and reg.fenced and broker_id not in self.shutting_down \
                and metadata_offset >= self.registration_offset.get(broker_id, -1):
            self.append("BrokerRegistrationChangeRecord", broker_id=broker_id, fenced=False,
                        broker_epoch=broker_epoch)
            self._on_broker_unfenced(broker_id)
        return self.records_since(metadata_offset)

    def _check_sessions(self) -> None:
        if not self.active:
            return
        for bid in sorted(self.image.brokers):
            reg = self.image.brokers[bid]
            if not reg.fenced and self.sim.now - self.last_heartbeat.get(bid, 0) > self.session_timeout_ms:
                self.sim.trace.emit("controller.session_expired", node=self.node, broker=bid,
                                    silent_ms=self.sim.now - self.last_heartbeat.get(bid, 0))
                self.fence_broker(bid)

    def fence_broker(self, broker_id: int, controlled: bool = False) -> None:
        reg = self.image.brokers.get(broker_id)
        if controlled:
            self.shutting_down.add(broker_id)
        if reg is None or reg.fenced:
            return
        self.append("BrokerRegistrationChangeRecord", broker_id=broker_id, fenced=True,
                    broker_epoch=reg.epoch, in_controlled_shutdown=controlled)
        for topic in sorted(self.image.topics):
            for p in self.image.topics[topic].partitions:
                if broker_id in p.isr or p.leader == broker_id:
                    self._change_partition(p, remove=broker_id)

    def _handle_unclean_shutdown(self, broker_id: int) -> None:
        for topic in sorted(self.image.topics):
            for p in self.image.topics[topic].partitions:
                if broker_id in p.isr or broker_id in p.elr or p.leader == broker_id:
                    self._change_partition(p, remove=broker_id, unclean_shutdown=True)

    def _on_broker_unfenced(self, broker_id: int) -> None:
        for topic in sorted(self.image.topics):
            for p in self.image.topics[topic].partitions:
                if p.leader == NO_LEADER and broker_id in p.replicas:
                    self._change_partition(p)

    # -- partitions -------------------------------------------------------------------------
    def _alive(self, bid: int) -> bool:
        reg = self.image.brokers.get(bid)
        return reg is not None and not reg.fenced

    def _unclean_allowed(self, topic: str) -> bool:
        return bool(self.cluster.topic_config(topic)["unclean.leader.election.enable"])

    def _elr_enabled(self) -> bool:
        return bool(self.cluster.broker_config["eligible.leader.replicas.enable"])

    def _target_elr(self, p: PartitionState, isr: list[int], drop: tuple = ()) -> list[int]:
        """KIP-966: while the ISR is below ``min.insync.replicas``, replicas that leave it join the
        ELR (they hold every committed record, because the HW stops advancing under min ISR);
        once the ISR is back at min ISR the ELR is cleared.  ``drop``: brokers that restarted after
        an unclean shutdown (they may have lost unflushed data)."""
        if not self._elr_enabled():
            return []
        if len(isr) >= self.cluster.topic_config(p.topic)["min.insync.replicas"]:
            return []
        cand = set(p.elr) | set(p.isr)
        return [r for r in p.replicas if r in cand and r not in isr and r not in drop]

    def _change_partition(self, p: PartitionState, remove: int | None = None, unclean_shutdown: bool = False) -> None:
        """Recompute ISR, ELR and leader after ``remove`` was fenced (or a broker came back).

        Without ELR the last ISR member stays in the ISR even when fenced (``Leader: none``, the
        partition waits for it).  With ``eligible.leader.replicas.enable`` the ISR may become
        empty and a live ELR member is elected cleanly (``PartitionChangeBuilder.electAnyLeader``).
        """
        elr_on = self._elr_enabled()
        isr = list(p.isr)
        if remove is not None and remove in isr and (len(isr) > 1 or elr_on):
            isr.remove(remove)
        elr = self._target_elr(p, isr, drop=(remove,) if unclean_shutdown else ())
        if unclean_shutdown and remove in elr:
            elr.remove(remove)

        def valid(r: int) -> bool:
            return (r in isr or (not isr and r in elr)) and self._alive(r)

        leader = p.leader
        election = None
        if leader == NO_LEADER or leader == remove or not self._alive(leader):
            leader = next((r for r in p.replicas if valid(r)), NO_LEADER)
            election = "clean"
            if leader != NO_LEADER and leader not in isr:
                isr, election = [leader], "elr"
                elr = [r for r in elr if r != leader]
            if leader == NO_LEADER and self._unclean_allowed(p.topic):
                leader = next((r for r in p.replicas if self._alive(r)), NO_LEADER)
                if leader != NO_LEADER:
                    isr, elr = [leader], []
                    election = "unclean"
        if isr == p.isr and leader == p.leader and elr == p.elr:
            return
        fields = {"topic_id": self.image.topics[p.topic].topic_id, "partition": p.partition, "topic": p.topic,
                  "partition_epoch": p.partition_epoch + 1}
        if isr != p.isr:
            fields["isr"] = isr
        if elr != p.elr:
            fields["elr"] = elr
        if leader != p.leader:
            fields["leader"] = leader
            fields["leader_epoch"] = p.leader_epoch + 1
            fields["election"] = election if leader != NO_LEADER else "none"
        self.append("PartitionChangeRecord", **fields)

    def on_alter_partition(self, broker_id: int, topic: str, partition: int, leader_epoch: int,
                           partition_epoch: int, new_isr: list[int]) -> int:
        """``AlterPartitionRequest`` from a leader: returns an error code (``Err.NONE`` on success)."""
        if not self.active:
            return Err.NOT_CONTROLLER
        p = self.image.partition(topic, partition)
        if p is None:
            return Err.UNKNOWN_TOPIC_OR_PARTITION
        if p.leader != broker_id or p.leader_epoch != leader_epoch:
            return Err.FENCED_LEADER_EPOCH
        if p.partition_epoch != partition_epoch:
            return Err.INVALID_UPDATE_VERSION
        added = [b for b in new_isr if b not in p.isr]
        if any(not self._alive(b) for b in added):
            return Err.INELIGIBLE_REPLICA
        isr = sorted(new_isr, key=p.replicas.index)
        fields = {"topic_id": self.image.topics[topic].topic_id, "partition": partition, "topic": topic, "isr": isr,
                  "partition_epoch": p.partition_epoch + 1, "reason": "AlterPartition"}
        elr = self._target_elr(p, isr)
        if elr != p.elr:
            fields["elr"] = elr
        self.append("PartitionChangeRecord", **fields)
        return Err.NONE

    def _timed_preferred_election(self) -> None:
        if self.active:
            self.preferred_leader_election()

    def preferred_leader_election(self, topic: str | None = None, partitions: list[int] | None = None) -> list:
        """Move leadership back to each partition's first replica when it is alive and in sync."""
        moved = []
        for name in sorted(self.image.topics) if topic is None else [topic]:
            t = self.image.topics[name]
            for p in t.partitions:
                if partitions is not None and p.partition not in partitions:
                    continue
                pref = p.preferred_leader
                if p.leader != pref and pref in p.isr and self._alive(pref):
                    self.append("PartitionChangeRecord", topic_id=t.topic_id, partition=p.partition, topic=name,
                                leader=pref, leader_epoch=p.leader_epoch + 1, partition_epoch=p.partition_epoch + 1,
                                election="preferred")
                    moved.append((name, p.partition))
        return moved

    # -- topics -----------------------------------------------------------------------------
    def create_topic(self, name: str, assignment: list[list[int]], configs: dict) -> str:
        topic_id = self.new_topic_id()
        self.append("TopicRecord", name=name, topic_id=topic_id)
        for k in sorted(configs):
            self.append("ConfigRecord", resource_type="TOPIC", resource_name=name, name=k, value=configs[k])
        for i, replicas in enumerate(assignment):
            self._append_partition(name, topic_id, i, replicas)
        return topic_id

    def _append_partition(self, name: str, topic_id: str, i: int, replicas: list[int]) -> None:
        isr = [r for r in replicas if self._alive(r)]
        leader = isr[0] if isr else NO_LEADER
        self.append("PartitionRecord", topic_id=topic_id, topic=name, partition=i, replicas=list(replicas),
                    isr=isr or list(replicas[:1]), leader=leader, leader_epoch=0, partition_epoch=0)

    def create_partitions(self, name: str, new_assignments: list[list[int]]) -> None:
        t = self.image.topics[name]
        start = len(t.partitions)
        for i, replicas in enumerate(new_assignments):
            self._append_partition(name, t.topic_id, start + i, replicas)

    def delete_topic(self, name: str) -> None:
        self.append("RemoveTopicRecord", topic_id=self.image.topics[name].topic_id, name=name)

    def set_topic_config(self, name: str, key: str, value) -> None:
        self.append("ConfigRecord", resource_type="TOPIC", resource_name=name, name=key, value=value)
