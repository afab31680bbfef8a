"""The transaction coordinator: producer ids and epochs, transaction state, markers (KIP-98, KIP-890).

Kafka behaviour modelled (``kafka.coordinator.transaction.TransactionCoordinator``,
``TransactionStateManager``, ``TransactionMarkerChannelManager``):

* **Which broker.** A transactional id's coordinator is the leader of ``__transaction_state``
  partition ``abs(transactional.id.hashCode()) % transaction.state.log.num.partitions`` (50).  The
  topic is created at the first FindCoordinator with Kafka's configs: compacted, uncompressed,
  ``transaction.state.log.replication.factor`` 3, ``min.insync.replicas`` =
  ``transaction.state.log.min.isr`` 2, ``unclean.leader.election.enable=false``.
* **State is records.**  Every transition (:mod:`kafkalab.txn.state`) is appended to that partition
  with ``acks=all`` *before* it is applied; the coordinator's cache is rebuilt by reading the
  partition when its leadership moves (a coordinator failover), and a transaction found in
  ``PrepareCommit``/``PrepareAbort`` has its markers sent again.
* **InitProducerId** gives a fresh producer id (epoch 0) to a new transactional id and bumps the
  epoch of a known one, fencing the older instance.  An ``Ongoing`` transaction is first aborted
  under a bumped epoch (``PrepareEpochFence``) and the caller is told ``CONCURRENT_TRANSACTIONS``,
  so it retries and gets the epoch bumped again.  ``transaction.timeout.ms`` above the broker's
  ``transaction.max.timeout.ms`` is ``INVALID_TRANSACTION_TIMEOUT``.
* **AddPartitionsToTxn / AddOffsetsToTxn** move the transaction to ``Ongoing`` and record its
  partitions (``__consumer_offsets``' partition of the group for offsets).  A stale epoch is
  ``PRODUCER_FENCED``; a request while a transition is in flight or the transaction is completing
  is ``CONCURRENT_TRANSACTIONS``.
* **EndTxn** writes ``PrepareCommit``/``PrepareAbort``, answers the producer, then sends
  ``WriteTxnMarkers`` to the leader of every partition in the transaction (retrying a partition
  until its marker is written) and, when all are written, ``CompleteCommit``/``CompleteAbort``.
  With ``transaction.version`` 2 *and* a client that speaks it (EndTxn v5+, the 4.x Java producer)
  the epoch is bumped at every end (KIP-890); librdkafka sends EndTxn v1, so its epoch stays.
* **Timeouts.** Every ``transaction.abort.timed.out.transaction.cleanup.interval.ms`` (10 s) an
  ``Ongoing`` transaction older than its ``transaction.timeout.ms`` is aborted under a bumped epoch,
  which fences the producer that opened it.

Example: ``init_transactions()`` of ``etl-transformer-001`` → producer id 1000 epoch 0 in
``__transaction_state``-13; the first ``produce`` adds ``enriched-events-0`` (``Ongoing``);
``commit_transaction()`` → ``PrepareCommit``, a COMMIT marker in ``enriched-events-0``,
``CompleteCommit``.
"""
from __future__ import annotations

import weakref

from ..cluster.log import RecordBatch, _size_of
from ..cluster.metadata import NO_LEADER
from ..errors import Err
from .records import TXN_TOPIC, decode_txn_record, encode_txn_key, encode_txn_value, transaction_partition
from .state import NO_PRODUCER_EPOCH, TransactionState, TxnMetadata

S = TransactionState
OFFSETS_TOPIC = "__consumer_offsets"
RETRY_BACKOFF_MS = 100  # the marker channel's retry of a partition whose leader could not take it
MARKER_REQUEST_TIMEOUT_MS = 30000  # request.timeout.ms of the inter-broker marker channel

# TransactionStateManager.appendTransactionToLog: append errors the client is told instead.
_APPEND_ERRORS = {
    Err.UNKNOWN_TOPIC_OR_PARTITION: Err.COORDINATOR_NOT_AVAILABLE,
    Err.NOT_ENOUGH_REPLICAS: Err.COORDINATOR_NOT_AVAILABLE,
    Err.NOT_ENOUGH_REPLICAS_AFTER_APPEND: Err.COORDINATOR_NOT_AVAILABLE,
    Err.REQUEST_TIMED_OUT: Err.COORDINATOR_NOT_AVAILABLE,
    Err.NOT_LEADER_OR_FOLLOWER: Err.NOT_COORDINATOR,
    Err.MESSAGE_TOO_LARGE: Err.UNKNOWN_SERVER_ERROR,
}


def allocate_producer_id(cluster) -> int:
    """A fresh producer id for ``InitProducerId``.

    Simplification: ids come from a cluster-wide counter; Kafka's brokers take blocks of ids from the
    controller (``AllocateProducerIds``, ``ProducerIdsRecord``).
    """
    nxt = getattr(cluster, "_next_producer_id", 1000)
    cluster._next_producer_id = nxt + 1
    return nxt


_SERVICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def txn_coordinator_for(cluster) -> TransactionCoordinator:
    """The cluster's transaction coordinator service (one per cluster, created on first use)."""
    svc = _SERVICES.get(cluster)
    if svc is None:
        svc = TransactionCoordinator(cluster)
        _SERVICES[cluster] = svc
    return svc


def _tp(s: str) -> tuple[str, int]:
    t, _, p = s.rpartition("-")
    return t, int(p)


class TransactionCoordinator:
    """Every transactional id of one cluster; requests are handled on the leader of its partition."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.sim = cluster.sim
        cfg = cluster.broker_config
        self.cfg = cfg
        self.num_partitions = int(cfg["transaction.state.log.num.partitions"])
        self.txns: dict[str, TxnMetadata] = {}
        self._loaded: dict[int, tuple[int, int]] = {}  # partition -> (broker, leader epoch) its cache is from
        self._markers_done: dict[str, set] = {}  # tid -> partitions whose marker is written (this round)
        self._partition_of: dict[str, int] = {}  # tid -> its __transaction_state partition (a hash, asked often)
        self._timer = None
        cluster.leader_listeners.append(self._on_election)
        cluster.txn_verifier = self.verify_partition

    # -- the topic and routing ----------------------------------------------------------------
    def ensure_topic(self, settle: bool = True) -> None:
        """Create ``__transaction_state`` as the first FindCoordinator(transaction) does."""
        if TXN_TOPIC in self.cluster.controller.image.topics:
            return
        rf = min(int(self.cfg["transaction.state.log.replication.factor"]), len(self.cluster.brokers))
        # Simplification: Kafka refuses to create it with fewer brokers than the replication factor
        # (the client sees COORDINATOR_NOT_AVAILABLE); we shrink rf and min ISR to fit small clusters.
        self.cluster.create_topic(TXN_TOPIC, partitions=self.num_partitions, replication_factor=rf, config={
            "cleanup.policy": "compact", "compression.type": "uncompressed", "unclean.leader.election.enable": False,
            "min.insync.replicas": min(int(self.cfg["transaction.state.log.min.isr"]), rf),
            "segment.bytes": int(self.cfg["transaction.state.log.segment.bytes"])}, settle=settle)

    def start(self) -> None:
        if self._timer is None:
            self._timer = self.sim.every(int(self.cfg["transaction.abort.timed.out.transaction.cleanup.interval.ms"]),
                                         self._abort_timed_out, priority=5)

    def partition_for(self, transactional_id: str) -> int:
        p = self._partition_of.get(transactional_id)
        if p is None:
            p = self._partition_of[transactional_id] = transaction_partition(transactional_id, self.num_partitions)
        return p

    def coordinator_broker(self, transactional_id: str) -> int:
        """``FindCoordinator(key_type=TRANSACTION)``: the leader of the id's partition (-1 if none)."""
        p = self.cluster.controller.image.partition(TXN_TOPIC, self.partition_for(transactional_id))
        return NO_LEADER if p is None else p.leader

    def _coordinator_epoch(self, partition: int) -> int:
        p = self.cluster.controller.image.partition(TXN_TOPIC, partition)
        return -1 if p is None else p.leader_epoch

    def request(self, client_node: str, broker_id: int, api: str, handler, reply, transactional_id: str,
                *args) -> bool:
        """Send ``api`` from the client to ``broker_id``; it answers ``reply(resp)`` over the network.

        At the broker, a transactional id it does not coordinate is ``NOT_COORDINATOR``; a coordinator
        whose partition leadership is new first loads the partition (``COORDINATOR_LOAD_IN_PROGRESS``
        is not modelled: loading is instant).
        """
        b = self.cluster.brokers.get(broker_id)
        if b is None:
            return False
        net = self.sim.network

        def at_broker():
            if not b.alive:
                return

            def respond(resp):
                net.send(b.node, client_node, api + "Response", reply, resp)
            injected = self.cluster.take_injected_error(api)
            if injected is not None:  # Cluster.push_request_errors
                respond({"error": injected})
                return
            if self.coordinator_broker(transactional_id) != broker_id:
                respond({"error": Err.NOT_COORDINATOR})
                return
            self._ensure_loaded(self.partition_for(transactional_id), broker_id)
            handler(respond, transactional_id, *args)

        return net.send(client_node, b.node, api + "Request", at_broker)

    # -- the partition as the state ------------------------------------------------------------
    def _on_election(self, topic: str, partition: int, broker_id: int) -> None:
        """``TransactionCoordinator.onElection``: a broker leads a ``__transaction_state`` partition now;
        it loads the partition and finishes the transactions it finds half-done."""
        if topic == TXN_TOPIC and self._loaded.get(partition, (None,))[0] not in (None, broker_id):
            self.sim.schedule(1, self._ensure_loaded, partition, broker_id)

    def _ensure_loaded(self, partition: int, broker_id: int) -> None:
        epoch = self._coordinator_epoch(partition)
        if self._loaded.get(partition) == (broker_id, epoch):
            return
        first_load = partition not in self._loaded
        self._loaded[partition] = (broker_id, epoch)
        if first_load and not any(self.partition_for(t) == partition for t in self.txns):
            return
        self._load(partition, broker_id)

    def _load(self, partition: int, broker_id: int) -> None:
        """Rebuild the cache of ``partition`` from its log (what a new coordinator does on election)."""
        log = self.cluster.brokers[broker_id].logs.get((TXN_TOPIC, partition))
        latest: dict[str, dict] = {}
        if log is not None:
            # Simplification: the new leader reads its whole log; Kafka reads up to the HW, which on a
            # new leader catches up within a fetch round trip.
            for _off, rec, _b in log.records(log.log_start_offset, log.log_end_offset):
                d = decode_txn_record(rec[0], rec[1])
                latest[d["transactional_id"]] = d
        for tid in [t for t in self.txns if self.partition_for(t) == partition]:
            if tid not in latest:
                del self.txns[tid]
        for tid in sorted(latest):
            d = latest[tid]
            if d["state"] is None:
                self.txns.pop(tid, None)
                continue
            old = self.txns.get(tid)
            m = TxnMetadata(tid, d["producer_id"], d["producer_epoch"], NO_PRODUCER_EPOCH, d["timeout_ms"],
                            S[_enum_name(d["state"])], {_tp(x) for x in d["partitions"]}, d["start_ms"],
                            d["last_update_ms"], old.client_transaction_version if old else 0,
                            history=list(old.history) if old else [])
            self.txns[tid] = m
        self.sim.trace.emit("txn.coordinator_load", node=f"kafka-{broker_id}", partition=partition,
                            coordinator_epoch=self._coordinator_epoch(partition),
                            transactional_ids=sorted(t for t in self.txns if self.partition_for(t) == partition))
        for tid in sorted(t for t in self.txns if self.partition_for(t) == partition):
            m = self.txns[tid]
            if m.state in (S.PREPARE_COMMIT, S.PREPARE_ABORT):
                self._send_markers(m, m.state == S.PREPARE_COMMIT)

    def _append(self, m: TxnMetadata, state: TransactionState, done, *, producer_id: int | None = None,
                producer_epoch: int | None = None, partitions=None, start_ms: int | None = None,
                timeout_ms: int | None = None) -> None:
        """Write ``m`` moved to ``state`` with acks=all; ``done(err)`` once it is committed (or failed)."""
        tid = m.transactional_id
        partition = self.partition_for(tid)
        leader = self.coordinator_broker(tid)
        b = self.cluster.brokers.get(leader)
        if b is None or not b.alive:
            done(Err.NOT_COORDINATOR)
            return
        now = self.sim.now
        epoch = m.producer_epoch if producer_epoch is None else producer_epoch
        parts = m.partitions if partitions is None else partitions
        start = m.txn_start_ms if start_ms is None else start_ms
        key = encode_txn_key(tid)
        value = encode_txn_value(m, state, epoch, parts, start, now, producer_id, timeout_ms)
        m.pending = state
        coordinator_epoch = self._coordinator_epoch(partition)
        recs = [(key, value, now, None)]

        def reply(results):
            err = results[(TXN_TOPIC, partition)][0]
            m.pending = None
            if err == Err.NONE and self._coordinator_epoch(partition) != coordinator_epoch:
                err = Err.NOT_COORDINATOR
            done(_APPEND_ERRORS.get(err, err))
        b.on_produce({"client": b.node, "acks": -1, "timeout_ms": 5000,
                      "batches": {(TXN_TOPIC, partition): RecordBatch(recs, _size_of(recs))}, "reply": reply})

    def _emit(self, kind: str, m: TxnMetadata, **fields) -> None:
        b = self.coordinator_broker(m.transactional_id)
        self.sim.trace.emit(kind, node=f"kafka-{b}" if b > 0 else "txn-coordinator",
                            transactional_id=m.transactional_id, producer_id=m.producer_id,
                            producer_epoch=m.producer_epoch, state=m.state.label, **fields)

    def _apply(self, m: TxnMetadata, state: TransactionState, **changes) -> None:
        before = m.state
        m.transition(state, txn_last_update_ms=self.sim.now, **changes)
        self._emit("txn.state", m, previous=before.label, partitions=[f"{t}-{p}" for t, p in sorted(m.partitions)],
                   txn_partition=self.partition_for(m.transactional_id))

    # -- InitProducerId -----------------------------------------------------------------------
    def on_init_producer_id(self, respond, tid: str, timeout_ms: int, expected: tuple | None = None) -> None:
        if not tid:
            respond({"error": Err.INVALID_REQUEST})
            return
        if not 0 < timeout_ms <= int(self.cfg["transaction.max.timeout.ms"]):
            respond({"error": Err.INVALID_TRANSACTION_TIMEOUT})
            return
        m = self.txns.get(tid)
        if m is None:
            m = self.txns[tid] = TxnMetadata(tid, allocate_producer_id(self.cluster), txn_timeout_ms=timeout_ms,
                                             txn_last_update_ms=self.sim.now, history=[S.EMPTY])
        if m.pending is not None or m.state in (S.PREPARE_COMMIT, S.PREPARE_ABORT):
            respond({"error": Err.CONCURRENT_TRANSACTIONS})
            return
        if expected is not None and m.producer_epoch != NO_PRODUCER_EPOCH and expected[0] != m.producer_id:
            respond({"error": Err.PRODUCER_FENCED})
            return
        if m.state == S.ONGOING:
            # Fence the running instance: abort its transaction under a bumped epoch, let the caller retry.
            self._emit("txn.fence", m, reason="InitProducerId", fenced_epoch=m.producer_epoch)
            self._end_transaction(m, m.producer_id, m.producer_epoch + 1, False, from_client=False, client_tv=0,
                                  cb=lambda err, _p, _e: respond({"error": err if err else Err.CONCURRENT_TRANSACTIONS}),
                                  fence=True)
            return
        pid = m.producer_id
        if m.epoch_exhausted:
            pid = allocate_producer_id(self.cluster)
            epoch, last = 0, NO_PRODUCER_EPOCH
        elif expected is None or m.producer_epoch == NO_PRODUCER_EPOCH or expected[1] == m.producer_epoch:
            epoch, last = m.producer_epoch + 1, (NO_PRODUCER_EPOCH if expected is None else m.producer_epoch)
        elif expected[1] == m.last_producer_epoch:
            epoch, last = m.producer_epoch, m.last_producer_epoch  # a retry of a bump that succeeded
        else:
            respond({"error": Err.PRODUCER_FENCED})
            return

        def done(err):
            if err != Err.NONE:
                respond({"error": err})
                return
            self._apply(m, S.EMPTY, producer_id=pid, producer_epoch=epoch, last_producer_epoch=last,
                        txn_timeout_ms=timeout_ms, partitions=set(), txn_start_ms=-1)
            self._emit("txn.init_producer_id", m)
            respond({"error": Err.NONE, "producer_id": pid, "producer_epoch": epoch})
        self._append(m, S.EMPTY, done, producer_id=pid, producer_epoch=epoch, partitions=set(), start_ms=-1,
                     timeout_ms=timeout_ms)

    def verify_partition(self, tid: str | None, pid: int, epoch: int, tp: tuple) -> int:
        """``handleVerifyPartitionsInTransaction``: is ``tp`` in this producer's ongoing transaction?

        A batch that arrives after its transaction ended (a delayed request) is refused with
        ``INVALID_TXN_STATE`` — what a pre-KIP-890 client gets — instead of opening a transaction the
        coordinator knows nothing about (a *hanging* transaction that holds the LSO for ever).
        """
        m = self.txns.get(tid) if tid else None
        if m is None or m.producer_id != pid:
            return Err.INVALID_PRODUCER_ID_MAPPING
        if m.producer_epoch != epoch:
            return Err.INVALID_PRODUCER_EPOCH
        if m.state != S.ONGOING or tuple(tp) not in m.partitions:
            return Err.INVALID_TXN_STATE
        return Err.NONE

    # -- AddPartitionsToTxn / AddOffsetsToTxn ---------------------------------------------------
    def _check_ongoing_request(self, m: TxnMetadata | None, pid: int, epoch: int) -> int:
        if m is None or m.producer_id != pid:
            return Err.INVALID_PRODUCER_ID_MAPPING
        if m.producer_epoch != epoch:
            return Err.PRODUCER_FENCED
        if m.pending is not None or m.state in (S.PREPARE_COMMIT, S.PREPARE_ABORT):
            return Err.CONCURRENT_TRANSACTIONS
        return Err.NONE

    def on_add_partitions(self, respond, tid: str, pid: int, epoch: int, partitions: list) -> None:
        m = self.txns.get(tid)
        err = self._check_ongoing_request(m, pid, epoch)
        new = {tuple(tp) for tp in partitions}
        if err == Err.NONE and m.state == S.ONGOING and new <= m.partitions:
            err = -2  # already in the transaction: answer OK at once
        if err != Err.NONE:
            code = Err.NONE if err == -2 else err
            respond({"error": code, "partitions": {tp: code for tp in sorted(new)}})
            return
        start = self.sim.now if m.state in (S.EMPTY, S.COMPLETE_ABORT, S.COMPLETE_COMMIT) else m.txn_start_ms
        parts = m.partitions | new

        def done(e):
            if e == Err.NONE:
                self._apply(m, S.ONGOING, partitions=parts, txn_start_ms=start)
                self._emit("txn.add_partitions", m, added=[f"{t}-{p}" for t, p in sorted(new)])
            respond({"error": e, "partitions": {tp: e for tp in sorted(new)}})
        self._append(m, S.ONGOING, done, partitions=parts, start_ms=start)

    def on_add_offsets(self, respond, tid: str, pid: int, epoch: int, group_id: str) -> None:
        from ..groups.coordinator import coordinator_for

        part = coordinator_for(self.cluster).partition_for(group_id)
        self.on_add_partitions(lambda r: respond({"error": r["error"]}), tid, pid, epoch, [(OFFSETS_TOPIC, part)])

    # -- EndTxn ---------------------------------------------------------------------------------
    def on_end_txn(self, respond, tid: str, pid: int, epoch: int, commit: bool, client_tv: int = 0) -> None:
        m = self.txns.get(tid)
        if m is None:
            respond({"error": Err.INVALID_PRODUCER_ID_MAPPING})
            return

        def cb(err, p, e):
            respond({"error": err, "producer_id": p, "producer_epoch": e})
        self._end_transaction(m, pid, epoch, commit, from_client=True, client_tv=client_tv, cb=cb)

    def _end_transaction(self, m: TxnMetadata, pid: int, epoch: int, commit: bool, from_client: bool,
                         client_tv: int, cb, fence: bool = False) -> None:
        """Kafka's ``endTransaction``: checks, then Prepare*, answer, markers, Complete*."""
        tv2 = client_tv >= 2 and int(self.cfg["transaction.version"]) >= 2 and not fence
        if m.producer_id != pid:
            cb(Err.INVALID_PRODUCER_ID_MAPPING, -1, -1)
            return
        if tv2:
            if m.state in (S.ONGOING, S.EMPTY):
                valid = epoch == m.producer_epoch
            else:  # a retry is valid only against the already bumped epoch
                valid = m.producer_epoch == epoch + 1 and m.client_transaction_version >= 2
        elif fence:
            valid = epoch >= m.producer_epoch
        else:
            valid = (not from_client or epoch == m.producer_epoch) and epoch >= m.producer_epoch
        if not valid:
            cb(Err.PRODUCER_FENCED, -1, -1)
            return
        if m.pending is not None:
            cb(Err.CONCURRENT_TRANSACTIONS, -1, -1)
            return
        want = S.PREPARE_COMMIT if commit else S.PREPARE_ABORT
        if m.state != S.ONGOING:
            done_state = S.COMPLETE_COMMIT if commit else S.COMPLETE_ABORT
            if m.state == done_state:
                cb(Err.NONE, m.producer_id, m.producer_epoch)  # a retry of an end that completed
            elif m.state == want:
                cb(Err.CONCURRENT_TRANSACTIONS, -1, -1)
            else:
                cb(Err.INVALID_TXN_STATE, -1, -1)
            return
        if fence:
            # PrepareEpochFence: the bumped epoch goes into the abort (and its markers), never to a client.
            # Simplification: Kafka also applies the server's transaction.version to this abort, which
            # on a TV2 cluster bumps once more; we bump once.
            self._apply(m, S.PREPARE_EPOCH_FENCE, producer_epoch=epoch, last_producer_epoch=NO_PRODUCER_EPOCH)
        new_epoch, last = (m.producer_epoch + 1, m.producer_epoch) if tv2 else (m.producer_epoch,
                                                                              m.last_producer_epoch)

        def prepared(err):
            if err != Err.NONE:
                cb(err, -1, -1)
                return
            self._apply(m, want, producer_epoch=new_epoch, last_producer_epoch=last,
                        client_transaction_version=2 if tv2 else 0)
            self._emit("txn.end", m, result="COMMIT" if commit else "ABORT", from_client=from_client)
            cb(Err.NONE, m.producer_id, m.producer_epoch)
            self._send_markers(m, commit)
        self._append(m, want, prepared, producer_epoch=new_epoch)

    # -- WriteTxnMarkers ------------------------------------------------------------------------
    def _send_markers(self, m: TxnMetadata, commit: bool) -> None:
        tid = m.transactional_id
        self._markers_done[tid] = set()
        cpart = self.partition_for(tid)
        self._marker_round(m, commit, self._coordinator_epoch(cpart), sorted(m.partitions))

    def _marker_round(self, m: TxnMetadata, commit: bool, coordinator_epoch: int, todo: list) -> None:
        tid = m.transactional_id
        cpart = self.partition_for(tid)
        want = S.PREPARE_COMMIT if commit else S.PREPARE_ABORT
        if self._coordinator_epoch(cpart) != coordinator_epoch or m.state != want:
            return  # a new coordinator took over (it resends), or the transaction moved on
        done = self._markers_done.setdefault(tid, set())
        todo = [tp for tp in todo if tp not in done]
        if not todo:
            if not (m.partitions - done):
                self._complete(m, commit)
            return
        by_leader: dict[int, list] = {}
        for tp in todo:
            p = self.cluster.controller.image.partition(*tp)
            leader = NO_LEADER if p is None else p.leader
            if leader == NO_LEADER:
                self.sim.schedule(RETRY_BACKOFF_MS, self._marker_round, m, commit, coordinator_epoch, [tp])
                continue
            by_leader.setdefault(leader, []).append(tp)
        coord_node = f"kafka-{self.coordinator_broker(tid)}"
        for leader in sorted(by_leader):
            tps = by_leader[leader]
            b = self.cluster.brokers[leader]
            state = {"answered": False}
            marker = {"producer_id": m.producer_id, "producer_epoch": m.producer_epoch, "commit": commit,
                      "coordinator_epoch": coordinator_epoch, "partitions": tps, "transactional_id": tid}
            self.sim.trace.emit("txn.write_markers", node=coord_node, transactional_id=tid, broker=leader,
                                result="COMMIT" if commit else "ABORT", producer_id=m.producer_id,
                                producer_epoch=m.producer_epoch, partitions=[f"{t}-{p}" for t, p in tps])

            def reply(results, tps=tps, state=state):
                if state["answered"]:
                    return
                state["answered"] = True
                retry = []
                for tp in tps:
                    err = results.get(tp, Err.UNKNOWN_SERVER_ERROR)
                    if err == Err.NONE:
                        done.add(tp)
                    elif err == Err.INVALID_PRODUCER_EPOCH:
                        done.add(tp)  # a newer epoch already wrote there: nothing to do (a zombie marker)
                    else:
                        retry.append(tp)
                if retry:
                    self.sim.schedule(RETRY_BACKOFF_MS, self._marker_round, m, commit, coordinator_epoch, retry)
                else:
                    self._marker_round(m, commit, coordinator_epoch, [])

            def lost(tps=tps, state=state):
                if not state["answered"]:
                    state["answered"] = True
                    self._marker_round(m, commit, coordinator_epoch, tps)

            def at_leader(b=b, marker=marker, reply=reply):
                b.on_write_txn_markers(marker, lambda res: self.sim.network.send(
                    b.node, coord_node, "WriteTxnMarkersResponse", reply, res))
            self.sim.network.send(coord_node, b.node, "WriteTxnMarkersRequest", at_leader)
            self.sim.schedule(MARKER_REQUEST_TIMEOUT_MS, lost)

    def _complete(self, m: TxnMetadata, commit: bool) -> None:
        new = S.COMPLETE_COMMIT if commit else S.COMPLETE_ABORT

        def done(err):
            if err == Err.NONE:
                self._apply(m, new, partitions=set())
                self._emit("txn.complete", m, result="COMMIT" if commit else "ABORT")
            else:  # not written: the next coordinator (or a later try) finishes it
                self.sim.schedule(RETRY_BACKOFF_MS, self._retry_complete, m, commit)
        self._append(m, new, done, partitions=set())

    def _retry_complete(self, m: TxnMetadata, commit: bool) -> None:
        if m.state == (S.PREPARE_COMMIT if commit else S.PREPARE_ABORT) and m.pending is None:
            self._complete(m, commit)

    # -- transaction.timeout.ms ---------------------------------------------------------------------
    def _abort_timed_out(self) -> None:
        now = self.sim.now
        for tid in sorted(self.txns):
            m = self.txns[tid]
            if m.state == S.ONGOING and m.pending is None and now > m.txn_start_ms + m.txn_timeout_ms:
                b = self.coordinator_broker(tid)
                if b == NO_LEADER or not self.cluster.brokers[b].alive:
                    continue
                self._emit("txn.timeout", m, started_ms=m.txn_start_ms, timeout_ms=m.txn_timeout_ms)
                self._end_transaction(m, m.producer_id, m.producer_epoch + 1, False, from_client=False,
                                      client_tv=0, cb=lambda *_: None, fence=True)

    # -- views (DescribeTransactions, ListTransactions) -------------------------------------------
    def describe(self, tid: str) -> dict | None:
        m = self.txns.get(tid)
        if m is None or m.state == S.DEAD:
            return None
        return {"transactional_id": tid, "coordinator": self.coordinator_broker(tid), "state": m.state.label,
                "producer_id": m.producer_id, "producer_epoch": m.producer_epoch, "timeout_ms": m.txn_timeout_ms,
                "start_ms": m.txn_start_ms, "partitions": sorted(m.partitions)}

    def list_transactions(self) -> list[dict]:
        return [d for d in (self.describe(t) for t in sorted(self.txns)) if d is not None]


def _enum_name(label: str) -> str:
    return next(s.name for s in TransactionState if s.label == label)


__all__ = ["TransactionCoordinator", "allocate_producer_id", "txn_coordinator_for"]
