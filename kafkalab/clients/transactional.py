"""The transactional producer API (KIP-98), with librdkafka's state machine and error flags.

``Producer`` mixes this in.  librdkafka behaviour modelled (``rdkafka_txnmgr.c``), each rule checked
against confluent-kafka 2.16 on librdkafka's mock cluster in ``tests/parity/test_txn_parity.py``:

* Every transactional call without ``transactional.id`` raises ``_NOT_CONFIGURED`` ("The
  Transactional API requires transactional.id to be configured").
* The client state goes ``Init → Ready`` (``init_transactions``: FindCoordinator, then
  ``InitProducerId``) ``→ InTransaction`` (``begin_transaction``, local only) ``→ Ready``
  (``commit_transaction`` / ``abort_transaction``).  A call in the wrong state raises ``_STATE``
  "Operation not valid in state <state>"; ``produce()`` outside a transaction raises ``_STATE``
  "Unable to produce message: Local: Erroneous state".
* ``produce()`` in a transaction registers each new partition with the coordinator
  (``AddPartitionsToTxn``) before its first batch is sent; ``send_offsets_to_transaction`` sends
  ``AddOffsetsToTxn`` to the transaction coordinator, then ``TxnOffsetCommit`` to the group
  coordinator; ``commit_transaction`` flushes, then ``EndTxn(commit)``.  A transaction that
  registered nothing ends without an EndTxn.
* An *abortable* error (a record the broker refused, ``PRODUCER_FENCED`` on a produce, a fenced
  ``AddOffsetsToTxn``) puts the client in ``AbortableError``: ``commit``, ``begin`` and
  ``send_offsets`` raise it (``txn_requires_abort()`` true) until ``abort_transaction()``.
* A *fatal* error (``PRODUCER_FENCED`` from the coordinator, ``INVALID_PRODUCER_EPOCH`` from a
  partition: another instance with the same ``transactional.id`` called ``init_transactions``, or
  the coordinator aborted this transaction on ``transaction.timeout.ms``) raises ``_FENCED``
  (``fatal()`` true) from every later transactional call and from ``flush()``; ``produce()``
  raises ``_FATAL``.  The only way on is a new ``Producer``.
* ``close()`` flushes and stops; an open transaction is not ended (``rd_kafka_txns_term`` sends
  nothing): the coordinator aborts it after ``transaction.timeout.ms``.

Example::

    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"})
    p.init_transactions()
    p.begin_transaction()
    p.produce("enriched-events", key=b"42", value=b"...")
    p.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                  consumer.consumer_group_metadata())
    p.commit_transaction()
"""
from __future__ import annotations

from ..cluster.metadata import NO_LEADER
from ..errors import Err, KafkaError, KafkaException

NOT_CONFIGURED = "The Transactional API requires transactional.id to be configured"
# Coordinator errors the client backs off and retries (librdkafka's txnmgr response handlers).
_RETRY = {Err.NOT_COORDINATOR, Err.COORDINATOR_NOT_AVAILABLE, Err.COORDINATOR_LOAD_IN_PROGRESS,
          Err.CONCURRENT_TRANSACTIONS, Err._TRANSPORT, Err._TIMED_OUT, Err.UNKNOWN_TOPIC_OR_PARTITION,
          Err.NOT_LEADER_OR_FOLLOWER, Err.REQUEST_TIMED_OUT, Err.NOT_ENOUGH_REPLICAS}
FENCED = "Local: This instance has been fenced by a newer instance"


def _broker_str(code: int) -> str:
    """librdkafka's ``rd_kafka_err2str()`` text of a broker error."""
    return KafkaError(code).str()


class _Op:
    """One transactional API operation in progress (``rk_eos.txn_curr_api``)."""

    __slots__ = ("done", "error", "name", "result")

    def __init__(self, name: str):
        self.name, self.done, self.error, self.result = name, False, None, None


class TransactionalMixin:
    """The transactional half of :class:`~kafkalab.clients.producer.Producer`."""

    # -- set-up (called from Producer._start) -------------------------------------------------
    def _init_txn(self, transactional_id: str | None, txn_timeout_ms: int, socket_timeout_ms: int,
                  client_tv: int = 0) -> None:
        self._txn_id = transactional_id or None
        self._txn_timeout_ms = txn_timeout_ms
        self._txn_socket_timeout_ms = socket_timeout_ms
        self._txn_client_tv = client_tv  # 0/1: EndTxn v0-1 (librdkafka); 2: EndTxn v5 (Java 4.x, KIP-890)
        self.txn_state = "Init" if self._txn_id else None
        self._txn_fatal: KafkaError | None = None
        self._txn_abortable: KafkaError | None = None
        self._txn_added: set = set()  # partitions the coordinator has in this transaction
        self._txn_pending_add: set = set()  # registered by produce(), AddPartitionsToTxn not yet sent
        self._txn_adding: set = set()  # in an AddPartitionsToTxn in flight
        self._txn_add_timer = None
        self._txn_offsets_sent = False
        self._txn_op: _Op | None = None
        self._txn_coord = NO_LEADER
        self._txn_watched: set = set()
        self._txn_inflight: dict = {}  # request id -> (on_error) for coordinator requests in flight
        self._txn_req = 0
        self._txn_need_bump = False
        self._closed = False
        self._crashed = False

    @property
    def transactional(self) -> bool:
        return self._txn_id is not None

    # -- checks shared by the API calls ---------------------------------------------------------
    def _check_closed(self) -> None:
        if self._closed:
            raise RuntimeError("Producer has been closed")

    def _txn_require(self, *states: str, abortable_ok: bool = False) -> None:
        """librdkafka's ``rd_kafka_txn_curr_api_begin`` + state check."""
        self._check_closed()
        if not self.transactional:
            raise KafkaException(KafkaError(Err._NOT_CONFIGURED, NOT_CONFIGURED))
        if self._txn_fatal is not None:
            raise KafkaException(self._txn_fatal)
        if self.txn_state == "AbortableError" and not abortable_ok and self._txn_abortable is not None:
            raise KafkaException(self._txn_abortable)
        if self.txn_state not in states:
            raise KafkaException(KafkaError(Err._STATE, f"Operation not valid in state {self.txn_state}"))

    def _txn_set_state(self, state: str) -> None:
        if state != self.txn_state:
            self.sim.trace.emit("producer.txn_state", node=self.node, transactional_id=self._txn_id,
                                previous=self.txn_state, state=state, producer_id=self.producer_id,
                                producer_epoch=self.producer_epoch)
            self.txn_state = state

    def _txn_fatal_error(self, code: int, reason: str) -> None:
        if self._txn_fatal is None:
            self._txn_fatal = KafkaError(code, reason, fatal=True)
            self.sim.trace.emit("producer.fatal", node=self.node, transactional_id=self._txn_id,
                                error=self._txn_fatal.name(), reason=reason, producer_id=self.producer_id,
                                producer_epoch=self.producer_epoch)
            self._txn_set_state("FatalError")
            self._fail_all(KafkaError(code, reason, fatal=True))

    def _txn_abortable_error(self, code: int, reason: str) -> None:
        if self._txn_fatal is not None or self.txn_state not in ("InTransaction", "BeginCommit"):
            return
        if self._txn_abortable is None:
            self._txn_abortable = KafkaError(code, reason, txn_requires_abort=True)
            self.sim.trace.emit("producer.abortable", node=self.node, transactional_id=self._txn_id,
                                error=self._txn_abortable.name(), reason=reason)
        self._txn_set_state("AbortableError")

    def _fail_all(self, error: KafkaError) -> None:
        """Fail every message not yet delivered (a fatal error: nothing more will be sent)."""
        for ob in list(self._open.values()):
            del self._open[ob.tp]
            if ob.linger_timer is not None:
                ob.linger_timer.cancel()
            self._deliver(ob, -1, error)
        for broker in sorted(self._ready):
            for ob in self._ready[broker]:
                self._deliver(ob, -1, error)
            self._ready[broker] = []

    # -- waiting -----------------------------------------------------------------------------------
    def _txn_wait(self, op: _Op, timeout: float | None) -> None:
        ms = 2**62 if timeout is None or timeout < 0 else int(timeout * 1000)
        self.sim.run_for(ms, until=lambda: op.done or self._txn_fatal is not None)
        if self._txn_fatal is not None and not op.done:
            # A fatal error while the call still waited (e.g. for its messages): librdkafka raises it but
            # keeps the call as the one in progress, so a different call next gets _CONFLICT.
            raise KafkaException(self._txn_fatal)
        if not op.done:
            raise KafkaException(KafkaError(Err._TIMED_OUT, "Timed out waiting for operation to finish, retry call "
                                                            "to resume", retriable=True))
        self._txn_op = None
        if op.error is not None:
            raise KafkaException(op.error)

    def _txn_begin_op(self, name: str) -> _Op | None:
        """The op to resume (a retried call after ``_TIMED_OUT``), or None to start one."""
        cur = self._txn_op
        if cur is None:
            return None
        if cur.name == name:
            return cur
        raise KafkaException(KafkaError(Err._CONFLICT, f"Conflicting {cur.name} API call is already in progress",
                                        retriable=True))

    # -- requests to the transaction coordinator -------------------------------------------------
    def _txn_svc(self):
        from ..txn.coordinator import txn_coordinator_for

        svc = txn_coordinator_for(self.cluster)
        svc.start()
        return svc

    def _internal_topic_ready(self, create) -> bool:
        """Create an internal topic as FindCoordinator does; while too few brokers are up to place it
        the broker answers COORDINATOR_NOT_AVAILABLE and the client retries."""
        try:
            create(settle=False)
        except KafkaException:
            return False
        return True

    def _txn_call(self, api: str, handler: str, args: tuple, on_done, deadline_ms: int | None = None) -> None:
        """Send ``api`` to the coordinator; retry retriable errors after ``retry.backoff.ms``;
        ``on_done(resp)`` with the final response (``{"error": code, ...}``)."""
        svc = self._txn_svc()
        backoff = self.settings.retry_backoff_ms

        def attempt():
            if self._txn_fatal is not None or self._crashed:
                return
            coord = svc.coordinator_broker(self._txn_id) if self._internal_topic_ready(svc.ensure_topic) else NO_LEADER
            if coord == NO_LEADER or not self.cluster.brokers[coord].alive:
                # FindCoordinator answers COORDINATOR_NOT_AVAILABLE while the partition has no leader.
                self.sim.schedule(backoff, attempt)
                return
            if coord != self._txn_coord:
                self.sim.trace.emit("producer.find_coordinator", node=self.node, transactional_id=self._txn_id,
                                    coordinator=coord, key_type="TRANSACTION")
                self._txn_coord = coord
            self._txn_req += 1
            rid = self._txn_req
            answered = {"done": False}

            def finish(resp):
                if answered["done"] or self._crashed:
                    return
                answered["done"] = True
                self._txn_inflight.pop(rid, None)
                err = resp["error"]
                if err in _RETRY:
                    self.sim.trace.emit("producer.txn_retry", node=self.node, api=api, error=KafkaError(err).name())
                    if err in (Err.NOT_COORDINATOR, Err.COORDINATOR_NOT_AVAILABLE, Err._TRANSPORT, Err._TIMED_OUT):
                        self._txn_coord = NO_LEADER
                    # librdkafka retries an AddPartitionsToTxn that met the previous transaction still
                    # completing (CONCURRENT_TRANSACTIONS) after 20 ms, not retry.backoff.ms (rdkafka_txnmgr.c).
                    wait = 20 if (api == "AddPartitionsToTxn" and err == Err.CONCURRENT_TRANSACTIONS) else backoff
                    self.sim.schedule(wait, attempt)
                    return
                on_done(resp)

            self._txn_inflight[rid] = finish
            broker = self.cluster.brokers[coord]
            if coord not in self._txn_watched:
                self._txn_watched.add(coord)
                self.sim.network.watch(broker.node, lambda _n, b=coord: self._txn_reset(b))
            svc.request(self.node, coord, api, getattr(svc, handler), finish, self._txn_id, *args)
            self.sim.schedule(self._txn_socket_timeout_ms, finish, {"error": Err._TIMED_OUT})
        attempt()

    def _txn_reset(self, broker_id: int) -> None:
        """The coordinator's connection was reset: requests in flight to it fail with _TRANSPORT."""
        if self._txn_coord == broker_id:
            for rid in sorted(self._txn_inflight):
                fn = self._txn_inflight.get(rid)
                if fn is not None:
                    fn({"error": Err._TRANSPORT})

    def _coord_name(self) -> str:
        return f"TxnCoordinator/{self._txn_coord}"

    # -- init_transactions ----------------------------------------------------------------------
    def init_transactions(self, timeout: float | None = None) -> None:
        """Register ``transactional.id``: a producer id, and the epoch bumped (fencing older instances)."""
        op = None if not self.transactional else self._txn_begin_op("init_transactions")
        if op is None:
            self._txn_require("Init")
            op = self._txn_op = _Op("init_transactions")
            self._txn_set_state("WaitPID")

            def done(resp):
                err = resp["error"]
                if err == Err.NONE:
                    self.producer_id, self.producer_epoch = resp["producer_id"], resp["producer_epoch"]
                    self._next_seq = {}
                    self._unacked = {}
                    self._txn_set_state("Ready")
                elif err == Err.PRODUCER_FENCED:
                    self._txn_fatal_error(Err._FENCED, "Producer fenced by newer instance: Failed to acquire "
                                          f"transactional PID from broker {self._coord_name()}: {_broker_str(err)}")
                else:
                    self._txn_fatal_error(err, f"Failed to acquire transactional PID from broker "
                                               f"{self._coord_name()}: {_broker_str(err)}")
                op.error, op.done = self._txn_fatal, True
            self._txn_call("InitProducerId", "on_init_producer_id", (self._txn_timeout_ms, None), done)
        self._txn_wait(op, timeout)

    # -- begin ------------------------------------------------------------------------------------
    def begin_transaction(self) -> None:
        """Start a transaction (local: nothing is sent until the first produce or send_offsets)."""
        if self.transactional:
            self._txn_begin_op("begin_transaction")
        self._txn_require("Ready")
        self._txn_added = set()
        self._txn_pending_add = set()
        self._txn_offsets_sent = False
        self._txn_abortable = None
        self._txn_set_state("InTransaction")
        self.sim.trace.emit("producer.begin_transaction", node=self.node, transactional_id=self._txn_id,
                            producer_id=self.producer_id, producer_epoch=self.producer_epoch)

    # -- partitions (called from produce) --------------------------------------------------------
    def _txn_check_produce(self) -> None:
        if self._txn_fatal is not None:
            raise KafkaException(KafkaError(Err._FATAL, "Unable to produce message: Local: Fatal error"))
        if self.txn_state != "InTransaction":
            raise KafkaException(KafkaError(Err._STATE, "Unable to produce message: Local: Erroneous state"))

    def _txn_register(self, tp: tuple) -> None:
        if tp in self._txn_added or tp in self._txn_pending_add or tp in self._txn_adding:
            return
        self._txn_pending_add.add(tp)
        if self._txn_add_timer is None:
            # librdkafka registers new partitions on a short timer (txn_register_parts_tmr), so the
            # partitions of one burst of produce() calls go in one AddPartitionsToTxn.
            self._txn_add_timer = self.sim.schedule(0, self._txn_send_adds)

    def _txn_ready(self, tp: tuple) -> bool:
        return self._txn_id is None or tp in self._txn_added

    def _txn_send_adds(self) -> None:
        self._txn_add_timer = None
        if not self._txn_pending_add or self._txn_adding or self._txn_fatal is not None:
            return
        parts = sorted(self._txn_pending_add)
        self._txn_pending_add = set()
        self._txn_adding = set(parts)
        pid, epoch = self.producer_id, self.producer_epoch

        def done(resp):
            self._txn_adding = set()
            err = resp["error"]
            if err == Err.NONE:
                self._txn_added |= set(parts)
                self.sim.trace.emit("producer.partitions_added", node=self.node, transactional_id=self._txn_id,
                                    partitions=[f"{t}-{p}" for t, p in parts])
                self._pump_all()
            elif err in (Err.PRODUCER_FENCED, Err.INVALID_PRODUCER_EPOCH):
                self._txn_fatal_error(Err._FENCED, f"Failed to add partitions to transaction: {FENCED}")
            else:
                self._txn_fatal_error(err, f"Failed to add partitions to transaction: {_broker_str(err)}")
            if self._txn_pending_add:
                self._txn_send_adds()
        self._txn_call("AddPartitionsToTxn", "on_add_partitions", (pid, epoch, parts), done)

    def _txn_produce_error(self, ob, code: int, broker_id: int) -> bool:
        """A produce error inside a transaction: True when it was handled as fatal or abortable."""
        if self._txn_id is None:
            return False
        self._txn_need_bump = True  # the partition's sequence numbers are in doubt after this transaction
        head = (f"ProduceRequest for {ob.tp[0]} [{ob.tp[1]}] with {len(ob.records)} message(s) failed: "
                f"{_broker_str(code)} (broker {broker_id} PID{{Id:{self.producer_id},Epoch:{self.producer_epoch}}}, "
                f"base seq {ob.sequence})")
        if code == Err.INVALID_PRODUCER_EPOCH:
            self._txn_fatal_error(Err._FENCED, head + ": transactional producer fenced by newer producer instance")
            return True
        self._txn_abortable_error(code, head + ": current transaction must be aborted")
        return False

    # -- send_offsets_to_transaction --------------------------------------------------------------
    def send_offsets_to_transaction(self, positions, group_metadata, timeout: float | None = None) -> None:
        """Add the consumer's positions to the transaction: they are committed with it (KIP-98, KIP-447)."""
        if not isinstance(group_metadata, (bytes, bytearray)):
            raise TypeError(f"expected bytes, {type(group_metadata).__name__} found")
        op = None if not self.transactional else self._txn_begin_op("send_offsets_to_transaction")
        if op is None:
            self._txn_require("InTransaction")
            from .consumer import parse_group_metadata

            gm = parse_group_metadata(bytes(group_metadata))
            offsets = {(tp.topic, tp.partition): (tp.offset, tp.metadata or "", tp.leader_epoch if
                                                   tp.leader_epoch is not None else -1)
                       for tp in positions if tp.offset >= 0}
            if not offsets:
                return  # librdkafka: nothing valid to commit is a no-op
            op = self._txn_op = _Op("send_offsets_to_transaction")
            self._txn_offsets(op, gm, offsets)
        self._txn_wait(op, timeout)

    def _txn_offsets(self, op: _Op, gm: dict, offsets: dict) -> None:
        pid, epoch = self.producer_id, self.producer_epoch

        def added(resp):
            err = resp["error"]
            if err != Err.NONE:
                if err in (Err.PRODUCER_FENCED, Err.INVALID_PRODUCER_EPOCH):
                    e = KafkaError(Err._FENCED, f"Failed to add offsets to transaction on broker "
                                                f"{self._coord_name()}: {FENCED} (after 0ms)", txn_requires_abort=True)
                    self._txn_abortable_error(e.code(), e.str())
                else:
                    e = KafkaError(err, f"Failed to add offsets to transaction on broker {self._coord_name()}: "
                                        f"{_broker_str(err)} (after 0ms)", txn_requires_abort=True)
                    self._txn_abortable_error(err, e.str())
                op.error, op.done = e, True
                return
            self._txn_offsets_sent = True
            self._txn_commit_offsets(op, gm, offsets, pid, epoch)
        self._txn_call("AddOffsetsToTxn", "on_add_offsets", (pid, epoch, gm["group_id"]), added)

    def _txn_commit_offsets(self, op: _Op, gm: dict, offsets: dict, pid: int, epoch: int) -> None:
        from ..groups.coordinator import coordinator_for

        svc = coordinator_for(self.cluster)
        backoff = self.settings.retry_backoff_ms
        group = gm["group_id"]

        def attempt():
            if self._txn_fatal is not None or self._crashed:
                return
            b = svc.coordinator_broker(group) if self._internal_topic_ready(svc.ensure_offsets_topic) else NO_LEADER
            if b == NO_LEADER or not self.cluster.brokers[b].alive:
                self.sim.schedule(backoff, attempt)
                return
            answered = {"done": False}

            def reply(resp):
                if answered["done"]:
                    return
                answered["done"] = True
                err = resp["error"]
                if err in _RETRY:
                    self.sim.schedule(backoff, attempt)
                    return
                if err != Err.NONE:
                    parts = ", ".join(f"{t}((null))[{p}]({_broker_str(err)})" for t, p in sorted(offsets))
                    reason = f"Failed to commit offsets to transaction on broker kafka-{b}:9092/{b}: {parts} (after 0ms)"
                    if err == Err.INVALID_PRODUCER_EPOCH:
                        self._txn_fatal_error(Err._FENCED, reason)
                        op.error, op.done = self._txn_fatal, True
                        return
                    code = Err._FENCED if err == Err.PRODUCER_FENCED else err
                    op.error = KafkaError(code, reason, txn_requires_abort=True)
                    self._txn_abortable_error(code, reason)
                op.done = True
            svc.request(self.node, b, "TxnOffsetCommit", svc.on_txn_offset_commit, reply, group, self._txn_id, pid,
                        epoch, gm["member_id"], gm["generation_id"], offsets, gm["group_instance_id"])
            self.sim.schedule(self._txn_socket_timeout_ms, reply, {"error": Err._TIMED_OUT})
        attempt()

    # -- commit / abort -------------------------------------------------------------------------------
    def commit_transaction(self, timeout: float | None = None) -> None:
        """Flush, then commit every write and the offsets sent in this transaction, atomically."""
        op = None if not self.transactional else self._txn_begin_op("commit_transaction")
        if op is None:
            self._txn_require("InTransaction")
            op = self._txn_op = _Op("commit_transaction")
            self._txn_set_state("BeginCommit")
            self._txn_end(op, commit=True)
        self._txn_wait(op, timeout)

    def abort_transaction(self, timeout: float | None = None) -> None:
        """Drop the queued writes, wait for those in flight, then abort the transaction."""
        op = None if not self.transactional else self._txn_begin_op("abort_transaction")
        if op is None:
            self._txn_require("InTransaction", "AbortableError", abortable_ok=True)
            op = self._txn_op = _Op("abort_transaction")
            self._txn_set_state("BeginAbort")
            self.purge(in_queue=True, in_flight=False)
            for broker in sorted(self._ready):
                for ob in self._ready[broker]:
                    if not ob.sealed:
                        self._deliver(ob, -1, KafkaError(Err._PURGE_QUEUE, "Local: Purged in queue"))
                self._ready[broker] = [ob for ob in self._ready[broker] if ob.sealed]
            self._txn_pending_add = set()
            self._txn_end(op, commit=False)
        self._txn_wait(op, timeout)

    def _txn_end(self, op: _Op, commit: bool) -> None:
        """Wait for the messages of the transaction (commit: flush them), then EndTxn."""
        if commit:
            for ob in list(self._open.values()):
                if not ob.ready:
                    self._close(ob, "commit_transaction")

        def outstanding() -> bool:
            return self._undelivered > 0 or bool(self._txn_pending_add) or bool(self._txn_adding)

        def go():
            if self._txn_fatal is not None:
                return
            if outstanding():
                self.sim.schedule(1, go)
                return
            if commit and self._txn_abortable is not None:
                self._txn_set_state("AbortableError")
                op.error, op.done = self._txn_abortable, True
                return
            if not self._txn_added and not self._txn_offsets_sent:
                self._txn_finish(op, commit)  # nothing registered: no EndTxn needed
                return
            self._txn_set_state("CommittingTransaction" if commit else "AbortingTransaction")

            def done(resp):
                err = resp["error"]
                if err == Err.NONE:
                    if self._txn_client_tv >= 2 and resp.get("producer_epoch", -1) >= 0:
                        # KIP-890: the coordinator bumped the epoch; sequences restart from 0.
                        self.producer_epoch = resp["producer_epoch"]
                        self._next_seq = {}
                    if not commit and self._txn_need_bump:
                        self._txn_bump_epoch(op, commit)
                        return
                    self._txn_finish(op, commit)
                elif err in (Err.PRODUCER_FENCED, Err.INVALID_PRODUCER_EPOCH):
                    self._txn_fatal_error(Err._FENCED, f"Failed to end transaction: {FENCED}")
                    op.error, op.done = self._txn_fatal, True
                else:
                    self._txn_fatal_error(err, f"Failed to end transaction: {_broker_str(err)}")
                    op.error, op.done = self._txn_fatal, True
            self._txn_call("EndTxn", "on_end_txn", (self.producer_id, self.producer_epoch, commit,
                                                    self._txn_client_tv), done)
        go()

    def _txn_bump_epoch(self, op: _Op, commit: bool) -> None:
        """After aborting a transaction whose messages failed or were purged, librdkafka bumps the epoch
        with InitProducerId(current producer id and epoch) (KIP-360), so sequence numbers start over."""
        def done(resp):
            err = resp["error"]
            if err == Err.NONE:
                self.producer_id, self.producer_epoch = resp["producer_id"], resp["producer_epoch"]
                self._next_seq, self._unacked = {}, {}
                self._txn_need_bump = False
                self.sim.trace.emit("producer.epoch_bump", node=self.node, transactional_id=self._txn_id,
                                    producer_id=self.producer_id, producer_epoch=self.producer_epoch)
                self._txn_finish(op, commit)
            else:
                code = Err._FENCED if err == Err.PRODUCER_FENCED else err
                self._txn_fatal_error(code, f"Failed to bump epoch after abort: {_broker_str(err)}")
                op.error, op.done = self._txn_fatal, True
        self._txn_call("InitProducerId", "on_init_producer_id",
                       (self._txn_timeout_ms, (self.producer_id, self.producer_epoch)), done)

    def _txn_finish(self, op: _Op, commit: bool) -> None:
        self._txn_added = set()
        self._txn_offsets_sent = False
        self._txn_abortable = None
        self.sim.trace.emit("producer.end_transaction", node=self.node, transactional_id=self._txn_id,
                            result="COMMIT" if commit else "ABORT", producer_id=self.producer_id,
                            producer_epoch=self.producer_epoch)
        self._txn_set_state("Ready")
        op.done = True

    # -- close ---------------------------------------------------------------------------------------
    def close(self) -> bool:
        """confluent-kafka's ``close()``: flush everything, then destroy; later calls raise RuntimeError."""
        if self._closed:
            return True
        if self._txn_fatal is None:
            self.flush()
        self._closed = True
        self.sim.trace.emit("producer.close", node=self.node, transactional_id=self._txn_id,
                            txn_state=self.txn_state)
        return True

    def crash(self) -> None:
        """The process dies: nothing more is sent, nothing is answered, no transaction is ended."""
        self._closed = True
        self._crashed = True
        for ob in list(self._open.values()):
            if ob.linger_timer is not None:
                ob.linger_timer.cancel()
        self._open.clear()
        self._ready.clear()
        self.sim.trace.emit("producer.crash", node=self.node, transactional_id=self._txn_id,
                            txn_state=self.txn_state)
