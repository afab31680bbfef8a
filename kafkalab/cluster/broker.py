"""A Kafka broker: partition replicas, produce/fetch handling, replication by fetching.

Kafka behaviour modelled (``ReplicaManager``, ``Partition``, ``ReplicaFetcherThread``):

* The leader appends produced batches and assigns offsets.  ``acks=0`` gets no response,
  ``acks=1`` is answered after the leader's append, ``acks=all`` (``-1``) waits until the high
  watermark passes the batch, i.e. until every ISR member has it.  If the ISR is smaller than
  ``min.insync.replicas`` an ``acks=all`` batch is rejected with ``NOT_ENOUGH_REPLICAS``
  before the append, or answered ``NOT_ENOUGH_REPLICAS_AFTER_APPEND`` if the ISR shrank after it.
* Followers *fetch* from the leader (one fetch session per leader broker).  A fetch at offset
  ``o`` tells the leader the follower's LEO is ``o``; the leader sets HW = min LEO over the ISR
  and answers with the batches after ``o`` and its HW.  An empty fetch waits in purgatory up
  to ``replica.fetch.wait.max.ms`` (500) for new data.
* A follower that has not caught up for ``replica.lag.time.max.ms`` (30000) is dropped from the
  ISR via ``AlterPartition``; one that catches up again is added back.
* Fetches carry the follower's last fetched epoch; a leader that finds the follower's log
  diverging returns the end offset of that epoch and the follower truncates (KIP-101/279/595).
* Consumers read only up to the HW.
* With ``eligible.leader.replicas.enable`` (KIP-966) the HW does not advance while the ISR is
  below ``min.insync.replicas``, so every ELR member holds every committed record.
* A follower truncates to the end of the largest epoch both logs share (the leader's end of the
  diverging epoch, or its own end of its largest epoch at or below it), so an unclean leader's
  empty log makes the others truncate to 0 — the acknowledged-data loss of unclean election.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import Err, spec
from .log import PartitionLog, RecordBatch, marker_batch
from .metadata import NO_LEADER, MetadataImage, MetadataRecord
from .raft import Snapshot

# org.apache.kafka.common.internals.Topic.INTERNAL_TOPICS
INTERNAL_TOPICS = frozenset({"__consumer_offsets", "__transaction_state", "__share_group_state"})

if TYPE_CHECKING:
    from .cluster import Cluster

TP = tuple  # (topic, partition)


class Replica:
    """One broker's replica of one partition (``kafka.cluster.Partition``)."""

    __slots__ = (
        "alter_in_flight",
        "broker_id",
        "follower_leo",
        "is_leader",
        "isr",
        "last_caught_up",
        "last_fetch_leo",
        "last_fetch_time",
        "last_fetched_epoch",
        "leader_epoch",
        "leader_id",
        "log",
        "partition",
        "partition_epoch",
        "proposed_isr",
        "replicas",
        "topic",
        "waiters",
    )

    def __init__(self, topic: str, partition: int, broker_id: int, log: PartitionLog):
        self.topic, self.partition, self.broker_id, self.log = topic, partition, broker_id, log
        self.is_leader = False
        self.leader_id = NO_LEADER
        self.leader_epoch = -1
        self.partition_epoch = -1
        self.isr: list[int] = []
        self.replicas: list[int] = []
        self.follower_leo: dict[int, int] = {}
        self.last_caught_up: dict[int, int] = {}
        self.last_fetch_leo: dict[int, int] = {}
        self.last_fetch_time: dict[int, int] = {}
        self.waiters: list = []  # acks=all produce waiters: [required_offset, request_state, tp]
        self.alter_in_flight = False
        self.proposed_isr: list[int] | None = None

    def maximal_isr(self) -> list[int]:
        # While an ISR expansion is in flight the leader already counts the new member for the HW.
        if self.proposed_isr is not None and len(self.proposed_isr) > len(self.isr):
            return self.proposed_isr
        return self.isr


class _FetchSession:
    """One follower's replica fetch session with one leader, as far as idle partitions go (KIP-227).

    Kafka's incremental fetch sessions leave a partition out of a follower's FetchRequest and of the
    leader's FetchResponse while nothing about it changes.  Here a partition is *idle* in the session
    once the leader took the fast path for it (the follower has everything and the HW, is in the ISR,
    and its log start is not behind): the follower then leaves it out of its requests and the leader
    skips it, so a fetch costs the partitions that moved, not every partition the follower follows
    (with ``__transaction_state``'s 50 partitions, ~22 of the 24 in each fetch of a transactional run).

    What the leader's fast path would have written for a skipped partition — ``last_caught_up`` and
    ``last_fetch_time`` set to the time of each fetch — is written when someone needs it: when the
    partition stops being idle (its log changed: :meth:`PartitionLog._changed`; its replica or ISR
    changed: ``Broker._sync_partition``), before the ISR expiry check reads it, and at a crash.  So
    every simulated result (offsets, HW, ISR changes, fetch responses and their order, the trace) is
    the same as fetching every partition every time.

    A record is ``[request tuple, leader's Replica, fetch number when marked, leader's log]``.
    """

    __slots__ = ("closed", "cur", "flogs", "follower", "idle", "seq", "seq_prev", "t_now", "t_prev", "unidled")

    def __init__(self, follower: int, follower_logs: dict):
        self.follower, self.flogs = follower, follower_logs
        self.idle: dict = {}
        self.unidled = 0  # how many partitions stopped being idle, ever (a fetch compares it cheaply)
        self.seq = self.seq_prev = 0  # fetches the leader evaluated: started / finished
        self.t_now = self.t_prev = -1
        self.cur = None  # the partition the leader is evaluating now (None between fetches)
        self.closed = False

    def mark(self, tp: tuple, req: tuple, rep, log) -> None:
        if self.closed:
            return
        self.idle[tp] = [req, rep, self.seq, log]
        if log.idle_in is None:
            log.idle_in = [self]
        else:
            log.idle_in.append(self)

    def unidle(self, tp: tuple) -> None:
        rec = self.idle.pop(tp, None)
        if rec is not None:
            self.unidled += 1
            rec[3].idle_in.remove(self)
            self._materialise(tp, rec)

    def _materialise(self, tp: tuple, rec: list) -> None:
        """Write the fast path's effect of the last fetch that passed ``tp`` (if any since it was marked)."""
        if self.cur is not None and tp < self.cur:
            t = self.t_now  # the fetch being evaluated has passed it already
        elif self.seq_prev > rec[2]:
            t = self.t_prev
        else:
            return
        rep, f = rec[1], self.follower
        rep.last_caught_up[f] = t
        rep.last_fetch_time[f] = t

    def materialise_all(self) -> None:
        """Write every idle partition's fetch times now (the ISR expiry check reads and then updates them)."""
        for tp, rec in self.idle.items():
            self._materialise(tp, rec)
            rec[2] = self.seq_prev

    def close(self) -> None:
        """A broker at either end crashed: write what is owed and forget every idle partition."""
        for tp in list(self.idle):
            self.unidle(tp)
        self.closed = True


class Broker:
    def __init__(self, cluster: Cluster, broker_id: int, rack: str | None = None):
        self.cluster = cluster
        self.sim = cluster.sim
        self.broker_id = broker_id
        self.rack = rack
        self.node = f"kafka-{broker_id}"
        self.host, self.port = self.node, 9092
        self.alive = False
        self.image = MetadataImage()
        self.broker_epoch = -1
        self.replicas: dict[TP, Replica] = {}
        self._tps_sorted: list | None = None  # sorted(self.replicas), see _sorted_tps
        self._followed: dict[int, list] = {}  # leader id -> [(tp, replica)] we follow there, see _followed_from
        self.logs: dict[TP, PartitionLog] = {}  # survive restarts ("log intact on disk")
        self._pending_metadata: dict[int, MetadataRecord] = {}
        self._parked_fetches: list = []
        self._fetch_sessions: dict[int, bool] = {}  # leader id -> a replica fetch is in flight
        self._fetch_gen: dict[int, int] = {}  # leader id -> number of the fetch in flight
        self._fetch_parts: dict[int, set] = {}  # leader id -> partitions in that fetch
        self._fetch_sent: dict[int, int] = {}  # leader id -> when the fetch in flight was sent
        self._sessions: dict[int, _FetchSession] = {}  # leader id -> our fetch session there
        self._led_sessions: dict[int, _FetchSession] = {}  # follower id -> its fetch session here
        self._timers: list = []
        self.cfg = cluster.broker_config
        self.clean_shutdown = True  # False after a crash: the controller then drops it from ELRs (KIP-966)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self.alive = True
        self.sim.network.set_down(self.node, False)
        self.sim.trace.emit("broker.start", node=self.node, broker=self.broker_id, rack=self.rack)
        self.broker_epoch = -1
        self._register()
        self._timers.append(self.sim.every(self.cfg["broker.heartbeat.interval.ms"], self._heartbeat, priority=4,
                                           first_ms=0))
        self._timers.append(self.sim.every(self.cfg["replica.lag.time.max.ms"] // 2, self._check_isr_expiry,
                                           priority=6))
        self._timers.append(self.sim.every(self.cfg["log.retention.check.interval.ms"], self.run_retention,
                                           priority=7))
        self._timers.append(self.sim.every(self.cfg["log.cleaner.backoff.ms"], self.run_cleaner, priority=7))

    def crash(self) -> None:
        """Stop at once: no controlled shutdown; logs stay on disk; in-flight requests are lost."""
        self.alive = False
        self.sim.network.set_down(self.node, True)
        for t in self._timers:
            t.cancel()
        self._timers.clear()
        self._parked_fetches.clear()
        self._close_sessions()
        self._fetch_sessions.clear()
        self._fetch_parts.clear()
        self._fetch_sent.clear()
        self._pending_metadata.clear()
        for rep in self.replicas.values():
            rep.waiters.clear()
        self.replicas.clear()
        self._tps_sorted, self._followed = None, {}
        self.image = MetadataImage()
        self.sim.trace.emit("broker.crash", node=self.node, broker=self.broker_id)

    def _close_sessions(self) -> None:
        for sessions in (self._led_sessions, self._sessions):
            for k in sorted(sessions):
                sessions[k].close()
            sessions.clear()

    def _unidle(self, tp: tuple) -> None:
        """``tp``'s replica, leadership or ISR changed: no fetch session of ours may skip it."""
        for sessions in (self._led_sessions, self._sessions):
            for k in sorted(sessions):
                sessions[k].unidle(tp)

    def materialise_fetch_state(self) -> None:
        """Write the follower fetch times the idle fetch sessions hold back (for inspection)."""
        for f in sorted(self._led_sessions):
            self._led_sessions[f].materialise_all()

    def _register(self) -> None:
        """``BrokerRegistrationRequest`` to the active controller; retried every 100 ms while there is
        none it can reach (``BrokerLifecycleManager``'s initial backoff).
        Simplification: the registration is answered without a network round trip."""
        if not self.alive or self.broker_epoch >= 0:
            return
        ctl = self.cluster.active_controller()
        if ctl is None or not self.sim.network.connected(self.node, ctl.node):
            self._timers.append(self.sim.schedule(100, self._register, priority=4))
            return
        self.broker_epoch = ctl.register_broker(self.broker_id, self.host, self.port, self.rack,
                                                clean_shutdown=self.clean_shutdown)
        self.clean_shutdown = False  # until a controlled shutdown says otherwise

    # -- metadata ---------------------------------------------------------------------------
    def _heartbeat(self) -> None:
        if not self.alive:
            return
        # A lost fetch request or response is noticed after replica.socket.timeout.ms; then fetch again.
        # Simplification: checked on the heartbeat tick (every 2 s) rather than with one timer per fetch.
        timeout = self.cfg["replica.socket.timeout.ms"]
        for leader in sorted(self._fetch_sent):
            if self._fetch_sessions.get(leader) and self.sim.now - self._fetch_sent[leader] >= timeout:
                self._send_replica_fetch(leader)
        if self.broker_epoch < 0:
            return
        ctl = self.cluster.controller
        self.sim.network.send(self.node, ctl.node, "BrokerHeartbeat", self._heartbeat_at_controller, ctl,
                              self.image.offset)

    def _heartbeat_at_controller(self, ctl, offset: int) -> None:
        missing = ctl.on_heartbeat(self.broker_id, self.broker_epoch, offset)
        if missing:
            self.sim.network.send(ctl.node, self.node, "BrokerHeartbeatResponse", self._catch_up, missing)

    def _catch_up(self, records: list) -> None:
        if not self.alive or not records:
            return
        if isinstance(records[0], Snapshot):
            # KIP-630: the log before these records is gone; load the snapshot first.
            snap, records = records[0], records[1:]
            if snap.end_offset - 1 > self.image.offset:
                self.image = copy.deepcopy(snap.image)
                self._pending_metadata = {o: r for o, r in self._pending_metadata.items() if o > self.image.offset}
                self.sim.trace.emit("broker.load_snapshot", node=self.node, snapshot_id=snap.snapshot_id)
                for name in sorted(self.image.topics):
                    for p in self.image.topics[name].partitions:
                        self._sync_partition(name, p.partition)
            if not records:
                return
        for rec in records[:-1]:
            if rec.offset > self.image.offset:
                self._pending_metadata[rec.offset] = rec
        self.on_metadata(records[-1])

    def on_metadata(self, rec: MetadataRecord) -> None:
        if not self.alive or rec.offset <= self.image.offset:
            return
        self._pending_metadata[rec.offset] = rec
        # Replay everything that is contiguous into the image first, then act once per partition
        # (a restarted broker catching up does not relive every old leadership).
        touched: dict[tuple, None] = {}
        resync_all = False
        while self.image.offset + 1 in self._pending_metadata:
            r = self._pending_metadata.pop(self.image.offset + 1)
            self.image.apply(r)
            f = r.fields
            if r.type in ("PartitionRecord", "PartitionChangeRecord"):
                touched[(self.image.topics_by_id[f["topic_id"]], f["partition"])] = None
            elif r.type == "BrokerRegistrationChangeRecord" and f["broker_id"] == self.broker_id and not f.get("fenced"):
                resync_all = True
            else:
                self._react(r)
        if resync_all:
            for name in sorted(self.image.topics):
                for p in self.image.topics[name].partitions:
                    touched[(name, p.partition)] = None
        for topic, partition in touched:
            if topic in self.image.topics:
                self._sync_partition(topic, partition)

    def _react(self, rec: MetadataRecord) -> None:
        f = rec.fields
        if rec.type == "BrokerRegistrationChangeRecord" and not f.get("fenced"):
            self._wake_fetches()  # a parked follower may now be eligible for the ISR
        elif rec.type == "ConfigRecord":
            self.cluster._invalidate(f["resource_name"])
        elif rec.type == "RemoveTopicRecord":
            for tp in [tp for tp in self.replicas if tp[0] == f["name"]]:
                self._unidle(tp)
                del self.replicas[tp]
                self._tps_sorted, self._followed = None, {}
                self.logs.pop(tp, None)
            for tp in [tp for tp in self.logs if tp[0] == f["name"]]:
                del self.logs[tp]

    def _log_for(self, topic: str, partition: int) -> PartitionLog:
        tp = (topic, partition)
        log = self.logs.get(tp)
        if log is None:
            cfg = self.cluster.topic_config(topic)
            log = PartitionLog(topic, partition, cfg["segment.bytes"], cfg["segment.ms"], self.sim.now)
            self.logs[tp] = log
        return log

    def _sync_partition(self, topic: str, partition: int) -> None:
        p = self.image.partition(topic, partition)
        tp = (topic, partition)
        self._followed = {}  # leadership may move: who we fetch what from
        self._unidle(tp)
        if p is None or self.broker_id not in p.replicas:
            if self.replicas.pop(tp, None) is not None:
                self._tps_sorted, self._followed = None, {}
            return
        rep = self.replicas.get(tp)
        if rep is None:
            rep = Replica(topic, partition, self.broker_id, self._log_for(topic, partition))
            self.replicas[tp] = rep
            self._tps_sorted, self._followed = None, {}
        new_epoch = p.leader_epoch != rep.leader_epoch
        rep.replicas = list(p.replicas)
        rep.isr = list(p.isr)
        rep.partition_epoch = p.partition_epoch
        rep.alter_in_flight = False
        rep.proposed_isr = None
        was_leader = rep.is_leader
        rep.leader_id = p.leader
        rep.leader_epoch = p.leader_epoch
        if p.leader == self.broker_id:
            if not was_leader or new_epoch:
                self._become_leader(rep, new_epoch)
            self._maybe_advance_hw(rep)
            self._complete_waiters(rep)
        else:
            if was_leader:
                self._resign(rep)
            rep.is_leader = False
            if p.leader != NO_LEADER:
                self._ensure_fetching(p.leader)

    def _become_leader(self, rep: Replica, new_epoch: bool) -> None:
        rep.is_leader = True
        log = rep.log
        if new_epoch:
            # The leader-epoch cache gets (epoch, LEO) as the new leader's first offset (KIP-101).
            if not log.epochs or log.epochs[-1][0] < rep.leader_epoch:
                log.epochs.append((rep.leader_epoch, log.log_end_offset))
        now = self.sim.now
        rep.follower_leo = {b: -1 for b in rep.replicas if b != self.broker_id}
        rep.last_caught_up = {b: now for b in rep.replicas if b != self.broker_id}
        rep.last_fetch_leo = {b: -1 for b in rep.replicas if b != self.broker_id}
        self.sim.trace.emit("replica.become_leader", node=self.node, topic=rep.topic, partition=rep.partition,
                            leader_epoch=rep.leader_epoch, leo=log.log_end_offset, hw=log.high_watermark)
        for fn in self.cluster.leader_listeners:
            fn(rep.topic, rep.partition, self.broker_id)

    def _resign(self, rep: Replica) -> None:
        for w in rep.waiters:
            self._finish_partition(w[1], w[2], Err.NOT_LEADER_OR_FOLLOWER, -1)
        rep.waiters.clear()
        self.sim.trace.emit("replica.become_follower", node=self.node, topic=rep.topic, partition=rep.partition,
                            leader=rep.leader_id, leader_epoch=rep.leader_epoch)

    # -- produce ----------------------------------------------------------------------------
    def on_produce(self, req: dict) -> None:
        """``ProduceRequest``: ``req`` has client, acks, timeout_ms, batches {tp: RecordBatch}, reply."""
        if not self.alive:
            return
        acks = req["acks"]
        state = {"req": req, "pending": len(req["batches"]), "results": {}, "timer": None, "done": False,
                 "received_ms": self.sim.now}
        now = self.sim.now
        if self.cluster.injected_errors and req["client"] != self.node:
            injected = self.cluster.take_injected_error("Produce")
            if injected is not None:  # a fault put there by Cluster.push_request_errors
                for tp in req["batches"]:
                    self._finish_partition(state, tp, injected, -1)
                return
        # ReplicaManager.appendToLocalLog: only the broker's own coordinators may append to internal topics.
        internal_ok = req.get("internal_topics_allowed", req["client"] == self.node)
        for tp, batch in req["batches"].items():
            rep = self.replicas.get(tp)
            if acks not in (-1, 0, 1):
                self._finish_partition(state, tp, Err.INVALID_REQUIRED_ACKS, -1)
                continue
            if tp[0] in INTERNAL_TOPICS and not internal_ok:
                self._finish_partition(state, tp, Err.INVALID_TOPIC_EXCEPTION, -1,
                                       f"Cannot append to internal topic {tp[0]}")
                continue
            if rep is None:
                known = self.image.partition(*tp) is not None
                self._finish_partition(state, tp, Err.NOT_LEADER_OR_FOLLOWER if known
                                       else Err.UNKNOWN_TOPIC_OR_PARTITION, -1)
                continue
            if not rep.is_leader:
                self._finish_partition(state, tp, Err.NOT_LEADER_OR_FOLLOWER, -1)
                continue
            cfg = self.cluster.topic_config(tp[0])
            err, msg = self._validate_batch(batch, cfg)
            if err:
                if err == Err.INVALID_RECORD:  # a RecordValidationException: Kafka counts it as a failed produce
                    self.sim.trace.emit("produce.reject", node=self.node, topic=tp[0], partition=tp[1],
                                        error="INVALID_RECORD")
                self._finish_partition(state, tp, err, -1, msg)
                continue
            min_isr = cfg["min.insync.replicas"]
            if acks == -1 and len(rep.isr) < min_isr:
                self.sim.trace.emit("produce.reject", node=self.node, topic=tp[0], partition=tp[1],
                                    error="NOT_ENOUGH_REPLICAS", isr=list(rep.isr), min_isr=min_isr)
                self._finish_partition(state, tp, Err.NOT_ENOUGH_REPLICAS, -1,
                                       f"The size of the current ISR {sorted(rep.isr)} is insufficient to satisfy "
                                       f"the min.isr requirement of {min_isr} for partition {tp[0]}-{tp[1]}")
                continue
            if batch.producer_id >= 0 and (batch.is_control or batch.base_sequence < 0):
                # A WriteTxnMarkers marker: no sequence number, but an older epoch than the
                # partition knows is a zombie coordinator's or producer's (ProducerAppendInfo).
                st = rep.log.producers.get(batch.producer_id)
                if st is not None and batch.producer_epoch < st[0]:
                    self._finish_partition(state, tp, Err.INVALID_PRODUCER_EPOCH, -1)
                    continue
            elif batch.producer_id >= 0:
                if batch.is_transactional and batch.producer_id not in rep.log.ongoing_txns and \
                        self.cfg["transaction.partition.verification.enable"] and self.cluster.txn_verifier:
                    # KIP-890 part 1: the first transactional batch of a producer on this partition is appended
                    # only if the coordinator has the partition in that producer's ongoing transaction.
                    # Simplification: the leader's AddPartitionsToTxn(verifyOnly) is answered at once.
                    verr = self.cluster.txn_verifier(req.get("transactional_id"), batch.producer_id,
                                                     batch.producer_epoch, tp)
                    if verr:
                        self.sim.trace.emit("produce.reject", node=self.node, topic=tp[0], partition=tp[1],
                                            error=spec(verr).java_name, producer_id=batch.producer_id,
                                            reason="transaction verification")
                        self._finish_partition(state, tp, verr, -1)
                        continue
                verdict, info = rep.log.check_producer_batch(batch.producer_id, batch.producer_epoch,
                                                             batch.base_sequence, len(batch.records))
                if verdict == "duplicate":
                    self.sim.trace.emit("produce.duplicate", node=self.node, topic=tp[0], partition=tp[1],
                                        producer_id=batch.producer_id, base_sequence=batch.base_sequence,
                                        original_offset=info)
                    if acks == -1:  # answered once the original batch is committed, as Kafka does
                        rep.waiters.append([info + len(batch.records), state, tp, info,
                                            self.cluster.topic_config(tp[0])["min.insync.replicas"]])
                        self._complete_waiters(rep)
                    else:
                        self._finish_partition(state, tp, Err.NONE, info)
                    continue
                if verdict != "ok":
                    code = {"out_of_order": Err.OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "fenced": Err.INVALID_PRODUCER_EPOCH}[verdict]
                    self.sim.trace.emit("produce.reject", node=self.node, topic=tp[0], partition=tp[1],
                                        error=spec(code).java_name, producer_id=batch.producer_id,
                                        base_sequence=batch.base_sequence, expected=info)
                    self._finish_partition(state, tp, code, -1,
                                           f"{spec(code).java_name}: batch sequence {batch.base_sequence}, "
                                           f"expected {info}" if verdict == "out_of_order" else None)
                    continue
            batch.leader_epoch = rep.leader_epoch
            rep.log.append(batch, now, assign_offsets=True)
            if batch.is_transactional:
                self.sim.trace.emit("log.append", node=self.node, topic=tp[0], partition=tp[1],
                                    base_offset=batch.base_offset, count=len(batch.records), bytes=batch.size_bytes,
                                    leader_epoch=rep.leader_epoch, producer_id=batch.producer_id,
                                    base_sequence=batch.base_sequence, acks=acks, producer_epoch=batch.producer_epoch,
                                    transactional=True, control=batch.is_control,
                                    lso=rep.log.last_stable_offset)
            else:
                self.sim.trace.emit("log.append", node=self.node, topic=tp[0], partition=tp[1],
                                    base_offset=batch.base_offset, count=len(batch.records), bytes=batch.size_bytes,
                                    leader_epoch=rep.leader_epoch, producer_id=batch.producer_id,
                                    base_sequence=batch.base_sequence, acks=acks)
            self._wake_fetches(tp)
            if acks == -1:
                rep.waiters.append([batch.last_offset + 1, state, tp, batch.base_offset, min_isr])
                self._maybe_advance_hw(rep)
                self._complete_waiters(rep)
            else:
                self._maybe_advance_hw(rep)
                self._finish_partition(state, tp, Err.NONE, batch.base_offset)
        if not state["done"] and state["pending"] > 0:
            state["timer"] = self.sim.schedule(req["timeout_ms"], self._produce_timeout, state)

    def on_write_txn_markers(self, marker: dict, reply: Callable) -> None:
        """``WriteTxnMarkersRequest`` from a transaction coordinator: append one COMMIT or ABORT control
        batch to each listed partition this broker leads, with acks=all; ``reply({tp: error})``.

        A marker takes an offset of its own; it closes the producer's transaction on the partition,
        which moves the last stable offset once the marker is below the HW.
        """
        if not self.alive:
            return
        now = self.sim.now
        batches = {tuple(tp): marker_batch(marker["producer_id"], marker["producer_epoch"], marker["commit"],
                                           marker["coordinator_epoch"], now) for tp in marker["partitions"]}
        self.on_produce({"client": self.node, "acks": -1, "timeout_ms": 30000, "batches": batches,
                         "reply": lambda results: reply({tp: r[0] for tp, r in results.items()})})

    def _validate_batch(self, batch: RecordBatch, cfg: dict) -> tuple[int, str | None]:
        if batch.size_bytes > cfg["max.message.bytes"]:
            return Err.MESSAGE_TOO_LARGE, (f"The batch of {batch.size_bytes} bytes is larger than the topic's "
                                           f"max.message.bytes={cfg['max.message.bytes']}")
        if "compact" in cfg["cleanup.policy"] and not batch.is_control:
            for rec in batch.records:
                if rec[0] is None:
                    return Err.INVALID_RECORD, "Compacted topic cannot accept message without key"
        return Err.NONE, None

    def _produce_timeout(self, state: dict) -> None:
        if state["done"]:
            return
        for tp in list(state["req"]["batches"]):
            if tp not in state["results"]:
                rep = self.replicas.get(tp)
                if rep is not None:
                    rep.waiters = [w for w in rep.waiters if w[1] is not state]
                self._finish_partition(state, tp, Err.REQUEST_TIMED_OUT, -1)

    def _finish_partition(self, state: dict, tp: TP, err: int, base_offset: int, msg: str | None = None) -> None:
        if state["done"] or tp in state["results"]:
            return
        rep = self.replicas.get(tp)
        log_start = rep.log.log_start_offset if rep is not None else -1
        state["results"][tp] = (err, base_offset, log_start, msg)
        state["pending"] -= 1
        if state["pending"] == 0:
            state["done"] = True
            if state["timer"] is not None:
                state["timer"].cancel()
            req = state["req"]
            # What RequestMetrics' TotalTimeMs (request=Produce) measures: arrival to response (kafkalab.metrics)
            errors = sorted({spec(r[0]).java_name or spec(r[0]).name for r in state["results"].values() if r[0]})
            self.sim.trace.emit("request.completed", node=self.node, api="Produce", client=req["client"],
                                acks=req["acks"], total_ms=self.sim.now - state["received_ms"], errors=errors)
            if req["acks"] != 0:
                self.sim.network.send(self.node, req["client"], "ProduceResponse", req["reply"], state["results"])

    # -- high watermark and acks=all --------------------------------------------------------
    def _maybe_advance_hw(self, rep: Replica) -> None:
        log = rep.log
        hw = log.log_end_offset
        isr = rep.maximal_isr()
        if self.cfg["eligible.leader.replicas.enable"] and \
                len(isr) < self.cluster.topic_config(rep.topic)["min.insync.replicas"]:
            return  # KIP-966: under min ISR the HW stands still, so every ELR member has all committed data
        for b in isr:
            if b != self.broker_id:
                leo = rep.follower_leo.get(b, -1)
                hw = min(hw, leo)
        if hw >= 0 and log.update_high_watermark(hw):
            self.sim.trace.emit("replica.hw", node=self.node, topic=rep.topic, partition=rep.partition,
                                hw=log.high_watermark, leo=log.log_end_offset)
            self._wake_fetches((rep.topic, rep.partition))

    def _complete_waiters(self, rep: Replica) -> None:
        if not rep.waiters:
            return
        hw = rep.log.high_watermark
        still = []
        for w in rep.waiters:
            required, state, tp, base_offset, min_isr = w
            if hw >= required:
                if len(rep.isr) < min_isr:
                    self._finish_partition(state, tp, Err.NOT_ENOUGH_REPLICAS_AFTER_APPEND, -1,
                                           f"The ISR {sorted(rep.isr)} shrank below min.insync.replicas={min_isr} "
                                           f"after the append")
                else:
                    self._finish_partition(state, tp, Err.NONE, base_offset)
            else:
                still.append(w)
        rep.waiters = still

    # -- replication: the leader side -------------------------------------------------------
    def on_replica_fetch(self, follower: int, parts: dict, reply: Callable, deadline: int | None = None,
                         session: _FetchSession | None = None, omitted: dict | None = None,
                         sent_unidled: int = 0) -> None:
        """``FetchRequest`` from a follower: parts = {tp: (fetch_offset, last_fetched_epoch, follower_hw)}.

        ``omitted`` are the partitions idle in the follower's ``session`` when it sent the fetch (left
        out of ``parts``, KIP-227); those still idle are skipped, the others are read as the follower
        would have asked for them, in their place in partition order.
        """
        if not self.alive:
            return
        now = self.sim.now
        # A newer fetch from the same follower replaces one still parked here.
        self._parked_fetches = [e for e in self._parked_fetches
                                if not (e[0] == "replica" and e[1] == follower and e[3] is not reply)]
        resp = {}
        news = False
        replica_of = self.replicas.get
        none = Err.NONE
        todo = list(parts.items())
        sidle = None
        if session is not None:
            self._led_sessions[follower] = session
            session.seq += 1
            session.t_now = now
            sidle = session.idle
            seen = session.unidled
            if omitted and seen != sent_unidled:
                changed = [(tp, rec[0]) for tp, rec in omitted.items() if sidle.get(tp) is not rec]
                if changed:
                    todo = sorted(todo + changed)
        i = 0
        last = None
        while True:
            if sidle is not None and session.unidled != seen:
                # A partition this fetch left out stopped being idle while it is evaluated (a nested
                # append or HW move): read it in its place if the loop has not passed it yet.
                seen = session.unidled
                if omitted:
                    queued = {t for t, _ in todo}
                    extra = [(t, rec[0]) for t, rec in omitted.items()
                             if (last is None or t > last) and t not in queued and sidle.get(t) is not rec]
                    if extra:
                        todo = todo[:i] + sorted(todo[i:] + extra)
            if i >= len(todo):
                break
            tp, req = todo[i]
            i += 1
            last = tp
            if sidle is not None:
                session.cur = tp
            fetch_offset, last_epoch, follower_hw = req
            rep = replica_of(tp)
            if rep is None or not rep.is_leader:
                if sidle is not None and tp in sidle:
                    session.unidle(tp)
                resp[tp] = {"error": Err.NOT_LEADER_OR_FOLLOWER}
                news = True
                continue
            log = rep.log
            leo = log.log_end_offset
            epochs = log.epochs
            # (``last_epoch < 0 or fetch_offset == 0``: the full path below skips the divergence check
            # too, and reads nothing at the LEO; the usual case of a partition never written to.)
            if (fetch_offset == leo and follower_hw == log.high_watermark
                    and ((epochs and last_epoch == epochs[-1][0]) or last_epoch < 0 or fetch_offset == 0)
                    and rep.follower_leo.get(follower) == fetch_offset and follower in rep.isr):
                # Fast path: an in-sync follower that has everything and the current HW; nothing
                # to check or send for this partition, only that it is still caught up.  (The hot loop
                # of an idle cluster: ~40 partitions per fetch with __consumer_offsets, so no extra lookups.)
                rep.last_caught_up[follower] = now
                rep.last_fetch_leo[follower] = leo
                rep.last_fetch_time[follower] = now
                resp[tp] = {"error": none, "batches": (), "hw": follower_hw,
                            "log_start": log.log_start_offset, "leader_epoch": rep.leader_epoch}
                if sidle is not None:
                    rec = sidle.get(tp)
                    if rec is None or rec[0] != req:
                        if rec is not None:
                            session.unidle(tp)
                        flog = session.flogs.get(tp)
                        # Idle only if the follower has nothing to take from this answer either (its
                        # log start is not behind; Kafka's follower sends its log start in the fetch).
                        if flog is not None and flog.log_start_offset >= log.log_start_offset:
                            session.mark(tp, req, rep, log)
                continue
            if sidle is not None and tp in sidle:
                session.unidle(tp)
            if last_epoch >= 0 and fetch_offset > 0:
                if epochs and last_epoch == epochs[-1][0]:
                    ep, end = last_epoch, leo  # the current epoch ends at the LEO: what the lookup returns
                else:
                    ep, end = self._end_offset_for_epoch(log, last_epoch)
                if ep < last_epoch or end < fetch_offset:
                    resp[tp] = {"error": Err.NONE, "diverging": (ep, end), "hw": log.high_watermark,
                                "leader_epoch": rep.leader_epoch}
                    news = True
                    continue
            # The fetch offset is the follower's LEO (Kafka's Partition.updateFollowerFetchState).
            if fetch_offset >= log.log_end_offset:
                rep.last_caught_up[follower] = now
            elif fetch_offset >= rep.last_fetch_leo.get(follower, -1) >= 0:
                rep.last_caught_up[follower] = max(rep.last_caught_up.get(follower, 0),
                                                   rep.last_fetch_time.get(follower, 0))
            rep.last_fetch_leo[follower] = log.log_end_offset
            rep.last_fetch_time[follower] = now
            if rep.follower_leo.get(follower) != fetch_offset:
                rep.follower_leo[follower] = fetch_offset
                self._maybe_advance_hw(rep)
                self._complete_waiters(rep)
            if follower not in rep.isr:
                self._maybe_expand_isr(rep, follower)
            batches = log.batches_from(fetch_offset, None, self.cfg["replica.fetch.max.bytes"])
            if batches or follower_hw != log.high_watermark:
                news = True
            resp[tp] = {"error": Err.NONE, "batches": batches, "hw": log.high_watermark,
                        "log_start": log.log_start_offset, "leader_epoch": rep.leader_epoch}
        if sidle is not None:
            session.cur = None
            session.seq_prev = session.seq
            session.t_prev = now
        if news or (deadline is not None and now >= deadline):
            self.sim.network.send(self.node, f"kafka-{follower}", "FetchResponse", reply, resp)
            return
        # Nothing new: the fetch waits in purgatory until data arrives or the HW moves.
        # Simplification: Kafka answers an empty fetch after replica.fetch.wait.max.ms (500) and the
        # follower fetches again at once; we fold that idle loop into one parked fetch (same
        # replication, far fewer events), and the ISR check counts a connected, parked follower as
        # caught up, as its repeated fetches would.
        self._parked_fetches.append(("replica", follower, parts, reply, None, session, omitted, sent_unidled))

    @staticmethod
    def _end_offset_for_epoch(log: PartitionLog, epoch: int) -> tuple[int, int]:
        """``OffsetsForLeaderEpoch``: (largest epoch <= ``epoch``, the offset where it ended).

        An epoch older than every epoch of this log ends where this log's first epoch starts
        (``LeaderEpochFileCache.endOffsetFor``): a follower whose whole log predates the leader's
        epochs truncates to there, as after an unclean election.
        """
        found = -1
        end = -1
        if log.epochs and epoch < log.epochs[0][0]:
            return epoch, log.epochs[0][1]
        for i, (e, start) in enumerate(log.epochs):
            if e <= epoch:
                found = e
                end = log.epochs[i + 1][1] if i + 1 < len(log.epochs) else log.log_end_offset
            else:
                break
        return found, end

    def _wake_fetches(self, tp: tuple | None = None) -> None:
        """Re-evaluate parked fetches: those that include ``tp`` (all of them when ``tp`` is None)."""
        if not self._parked_fetches:
            return
        if tp is None:
            parked, self._parked_fetches = self._parked_fetches, []
        else:
            parked, keep = [], []
            for entry in self._parked_fetches:
                if entry[0] == "replica":  # what the fetch asked for, and the idle partitions it left out
                    hit = tp in entry[2] or (entry[6] is not None and tp in entry[6])
                else:
                    hit = tp in entry[1]["partitions"]
                (parked if hit else keep).append(entry)
            if not parked:
                return
            self._parked_fetches = keep
        for entry in parked:
            if entry[0] == "replica":
                self.on_replica_fetch(entry[1], entry[2], entry[3], None, *entry[5:])
            else:
                self.on_fetch(entry[1], entry[2])

    def _expire_parked(self, entry) -> None:
        if entry in self._parked_fetches:
            self._parked_fetches.remove(entry)
            req = dict(entry[1])
            req["max_wait_ms"] = 0
            self.on_fetch(req, entry[2])

    def _maybe_expand_isr(self, rep: Replica, follower: int) -> None:
        if follower in rep.isr or rep.alter_in_flight:
            return
        log = rep.log
        leo = rep.follower_leo[follower]
        epoch_start = log.epochs[-1][1] if log.epochs else 0
        if leo >= log.high_watermark and leo >= epoch_start:
            self._alter_isr(rep, sorted(set(rep.isr) | {follower}, key=rep.replicas.index), "expand")

    def _check_isr_expiry(self) -> None:
        lag = self.cfg["replica.lag.time.max.ms"]
        now = self.sim.now
        self.materialise_fetch_state()
        net = self.sim.network
        parked = {}
        for e in list(self._parked_fetches):
            if e[0] != "replica":
                continue
            follower_node = f"kafka-{e[1]}"
            if net.connected(self.node, follower_node):
                parked[e[1]] = now
            else:  # its next fetch would never have arrived: it was last in touch when the link went
                self._parked_fetches.remove(e)
                parked[e[1]] = net.disconnected_since(self.node, follower_node)
        for tp in sorted(self.replicas):
            rep = self.replicas[tp]
            if not rep.is_leader or rep.alter_in_flight:
                continue
            for b, t in parked.items():
                if b in rep.last_caught_up and rep.follower_leo.get(b, -1) >= rep.log.log_end_offset:
                    rep.last_caught_up[b] = max(rep.last_caught_up[b], t)
            out = [b for b in rep.isr if b != self.broker_id and now - rep.last_caught_up.get(b, now) > lag
                   and rep.follower_leo.get(b, -1) < rep.log.log_end_offset]
            if out:
                self._alter_isr(rep, [b for b in rep.isr if b not in out], "shrink", out_of_sync=out)

    def _alter_isr(self, rep: Replica, new_isr: list[int], why: str, **extra) -> None:
        rep.alter_in_flight = True
        rep.proposed_isr = new_isr
        self.sim.trace.emit("replica.alter_isr", node=self.node, topic=rep.topic, partition=rep.partition,
                            change=why, isr=list(rep.isr), proposed=list(new_isr), **extra)
        args = (self.broker_id, rep.topic, rep.partition, rep.leader_epoch, rep.partition_epoch, new_isr)
        ctl = self.cluster.controller
        self.sim.network.send(self.node, ctl.node, "AlterPartition", self._alter_at_controller, ctl, rep, args)
        # No answer (the controller died, or lost its quorum): AlterPartitionManager gives up on the
        # request after controller.quorum.request.timeout.ms and the ISR check tries again later.
        self.sim.schedule(self.cluster.quorum.config["controller.quorum.request.timeout.ms"], self._alter_timeout,
                          rep, rep.partition_epoch)

    def _alter_timeout(self, rep: Replica, partition_epoch: int) -> None:
        if rep.alter_in_flight and rep.partition_epoch == partition_epoch and \
                self.replicas.get((rep.topic, rep.partition)) is rep:
            rep.alter_in_flight = False
            rep.proposed_isr = None

    def _alter_at_controller(self, ctl, rep: Replica, args: tuple) -> None:
        err = ctl.on_alter_partition(*args)
        if err != Err.NONE:
            self.sim.network.send(ctl.node, self.node, "AlterPartitionResponse", self._alter_done, rep, err)
            return
        # The answer waits until the PartitionChangeRecord is committed (NOT_CONTROLLER if the
        # controller loses its leadership first).
        ctl.when_committed(ctl.raft.leo - 1,
                           lambda: self.sim.network.send(ctl.node, self.node, "AlterPartitionResponse",
                                                         self._alter_done, rep, Err.NONE),
                           lambda: self.sim.network.send(ctl.node, self.node, "AlterPartitionResponse",
                                                         self._alter_done, rep, Err.NOT_CONTROLLER))

    def _alter_done(self, rep: Replica, err: int) -> None:
        if err != Err.NONE and self.replicas.get((rep.topic, rep.partition)) is rep:
            rep.alter_in_flight = False
            rep.proposed_isr = None

    # -- replication: the follower side -----------------------------------------------------
    def _ensure_fetching(self, leader: int) -> None:
        """Make sure the fetch session to ``leader`` covers every partition we follow there."""
        wanted = {tp for tp, rep in self.replicas.items() if not rep.is_leader and rep.leader_id == leader}
        if not self._fetch_sessions.get(leader) or self._fetch_parts.get(leader) != wanted:
            self._send_replica_fetch(leader)

    def _sorted_tps(self) -> list:
        """``sorted(self.replicas)``, kept until a replica is added or removed (every follower fetch
        walks it)."""
        if self._tps_sorted is None:
            self._tps_sorted = sorted(self.replicas)
        return self._tps_sorted

    def _followed_from(self, leader: int) -> tuple[list, set]:
        """``[(tp, replica)]`` we follow on ``leader``, in ``sorted(self.replicas)`` order, and their set; kept until a
        replica is added or removed or a leadership changes (every follower fetch walks it)."""
        cached = self._followed.get(leader)
        if cached is None:
            replicas = self.replicas
            followed = [(tp, replicas[tp]) for tp in self._sorted_tps()
                        if not replicas[tp].is_leader and replicas[tp].leader_id == leader]
            cached = self._followed[leader] = (followed, {tp for tp, _ in followed})
        return cached

    def _send_replica_fetch(self, leader: int) -> None:
        followed, followed_set = self._followed_from(leader)
        if not followed or not self.alive:
            self._fetch_sessions[leader] = False
            return
        session = self._sessions.get(leader)
        if session is None or session.closed:  # the leader crashed since: a new session
            session = self._sessions[leader] = _FetchSession(self.broker_id, self.logs)
        idle = session.idle
        parts = {}
        for tp, rep in followed:
            if tp in idle:
                continue  # KIP-227: nothing changed for it, so the incremental fetch leaves it out
            log = rep.log
            epochs = log.epochs
            parts[tp] = (log.log_end_offset, epochs[-1][0] if epochs else -1, log.high_watermark)
        self._fetch_sessions[leader] = True
        self._fetch_parts[leader] = followed_set
        gen = self._fetch_gen.get(leader, 0) + 1
        self._fetch_gen[leader] = gen
        target = self.cluster.brokers[leader]
        self.sim.network.send(self.node, target.node, "FetchRequest", target.on_replica_fetch,
                              self.broker_id, parts, lambda resp: self._on_replica_fetch_response(leader, gen, resp),
                              None, session, dict(idle) if idle else None, session.unidled)
        self._fetch_sent[leader] = self.sim.now

    def resend_fetches(self) -> None:
        """Send every in-flight replica fetch again (after a network heal)."""
        if not self.alive:
            return
        for leader in sorted(self._fetch_sessions):
            if self._fetch_sessions[leader]:
                self._send_replica_fetch(leader)

    def _on_replica_fetch_response(self, leader: int, gen: int, resp: dict) -> None:
        if not self.alive or self._fetch_gen.get(leader) != gen:
            return
        now = self.sim.now
        replica_of = self.replicas.get
        none = Err.NONE
        for tp, r in resp.items():
            rep = replica_of(tp)
            if rep is None or rep.is_leader or rep.leader_id != leader or r["error"] != none:
                continue
            log = rep.log
            if not r.get("batches") and "diverging" not in r and r["hw"] <= log.high_watermark:
                # The leader's fast path (nothing to append, HW not ahead of ours): only the log start
                # can move; the same effect as the full path below, without its per-partition calls.
                if log.log_start_offset < r["log_start"]:
                    log.log_start_offset = min(r["log_start"], log.log_end_offset)
                continue
            if "diverging" in r:
                ep, end = r["diverging"]
                if ep >= 0:
                    # Truncate to the end of the largest epoch both logs share: the leader's end of
                    # ``ep`` or our own end of our largest epoch <= ep, whichever is smaller
                    # (Kafka's ``truncateOnFetchResponse``), so the next fetch no longer diverges.
                    own_ep, own_end = self._end_offset_for_epoch(log, ep)
                    target = min(end, own_end if own_ep >= 0 else log.high_watermark, log.log_end_offset)
                else:
                    target = log.high_watermark
                removed = log.truncate_to(target)
                # Epochs that start at or after the truncation point are gone with it (an epoch entry
                # without records past our LEO would otherwise make every fetch diverge again).
                log.epochs = [(e, s) for e, s in log.epochs if s < target]
                self.sim.trace.emit("replica.truncate", node=self.node, topic=tp[0], partition=tp[1],
                                    to_offset=target, records_removed=removed, leader=leader, diverging_epoch=ep)
                continue
            appended = 0
            for b in r["batches"]:
                if b.last_offset < log.log_end_offset:
                    continue
                if b.base_offset != log.log_end_offset:
                    break
                log.append(b, now, assign_offsets=False)
                appended += len(b.records)
            if appended:
                self.sim.trace.emit("replica.fetch", node=self.node, topic=tp[0], partition=tp[1],
                                    leader=leader, leo=log.log_end_offset, records=appended)
            if log.log_start_offset < r.get("log_start", 0):
                log.log_start_offset = min(r["log_start"], log.log_end_offset)
            log.update_high_watermark(min(r["hw"], log.log_end_offset))
        self._send_replica_fetch(leader)

    # -- consumer fetch and offsets ----------------------------------------------------------
    def on_fetch(self, req: dict, reply: Callable) -> None:
        """Consumer ``FetchRequest``: req has client, partitions {tp: fetch_offset}, max_wait_ms,
        min_bytes, max_bytes, partition_max_bytes, isolation_level."""
        if not self.alive:
            return
        resp = {}
        total = 0
        for tp, offset in req["partitions"].items():
            rep = self.replicas.get(tp)
            if rep is None or not rep.is_leader:
                known = self.image.partition(*tp) is not None
                resp[tp] = {"error": Err.NOT_LEADER_OR_FOLLOWER if known else Err.UNKNOWN_TOPIC_OR_PARTITION}
                continue
            log = rep.log
            if offset < log.log_start_offset or offset > log.log_end_offset:
                resp[tp] = {"error": Err.OFFSET_OUT_OF_RANGE, "log_start": log.log_start_offset,
                            "hw": log.high_watermark}
                continue
            # read_committed reads up to the last stable offset and gets the aborted transactions of the
            # range, so the consumer can drop their records (Kafka's FetchResponse AbortedTransactions).
            committed = req.get("isolation_level") == "read_committed"
            lso = log.last_stable_offset
            upper = lso if committed else log.high_watermark
            batches = log.batches_from(offset, upper, req["partition_max_bytes"])
            size = sum(b.size_bytes for b in batches)
            total += size
            resp[tp] = {"error": Err.NONE, "batches": batches, "hw": log.high_watermark,
                        "log_start": log.log_start_offset, "leo": log.log_end_offset, "lso": lso,
                        "aborted": log.aborted_in(offset, upper) if committed and log.aborted_txns else ()}
        if total >= req["min_bytes"] or req["max_wait_ms"] <= 0 or any(r["error"] for r in resp.values()):
            self.sim.network.send(self.node, req["client"], "FetchResponse", reply, resp)
            return
        entry = ("consumer", req, reply)
        self._parked_fetches.append(entry)
        self.sim.schedule(req["max_wait_ms"], self._expire_parked, entry, priority=3)

    def list_offset(self, tp: TP, spec: int, isolation_level: str = "read_uncommitted") -> tuple[int, int]:
        """``ListOffsets``: spec -2 earliest, -1 latest (the HW, or the LSO for read_committed),
        -3 max timestamp, >= 0 a timestamp."""
        rep = self.replicas.get(tp)
        if rep is None or not rep.is_leader:
            return Err.NOT_LEADER_OR_FOLLOWER, -1
        log = rep.log
        if spec == -2:
            return Err.NONE, log.log_start_offset
        if spec == -1:
            return Err.NONE, log.last_stable_offset if isolation_level == "read_committed" else log.high_watermark
        if spec == -3:
            best, best_off = -1, -1
            for off, rec, _b in log.records(log.log_start_offset, log.high_watermark):
                if rec[2] > best:
                    best, best_off = rec[2], off
            return Err.NONE, best_off
        off = log.offset_for_timestamp(spec)
        return Err.NONE, (off if off is not None and off < log.high_watermark else -1)

    # -- housekeeping -----------------------------------------------------------------------
    def run_retention(self) -> None:
        for tp in sorted(self.replicas):
            rep = self.replicas[tp]
            cfg = self.cluster.topic_config(tp[0])
            if "delete" not in cfg["cleanup.policy"]:
                continue
            deleted = rep.log.delete_old_segments(self.sim.now, cfg["retention.ms"], cfg["retention.bytes"])
            if deleted:
                self.sim.trace.emit("log.retention", node=self.node, topic=tp[0], partition=tp[1],
                                    segments=[s.base_offset for s in deleted],
                                    records=sum(len(b.records) for s in deleted for b in s.batches),
                                    log_start_offset=rep.log.log_start_offset)

    def run_cleaner(self) -> None:
        for tp in sorted(self.replicas):
            rep = self.replicas[tp]
            cfg = self.cluster.topic_config(tp[0])
            if "compact" not in cfg["cleanup.policy"]:
                continue
            stats = rep.log.compact(self.sim.now, cfg["delete.retention.ms"], cfg["min.compaction.lag.ms"])
            if stats["removed"] or stats["tombstones_removed"]:
                self.sim.trace.emit("log.compact", node=self.node, topic=tp[0], partition=tp[1], **stats)
