"""``Producer``: confluent-kafka's producer API over the simulated cluster, with librdkafka rules.

Kafka/librdkafka behaviour modelled:

* ``produce()`` never blocks: it picks a partition (librdkafka's ``partitioner``, default
  ``consistent_random``), appends the record to that partition's open batch and returns.  A
  batch closes when it reaches ``batch.size`` bytes or ``batch.num.messages`` records, or when
  ``linger.ms`` has passed since its first record; closed batches go to the partition leader as
  ``ProduceRequest``s, at most ``max.in.flight.requests.per.connection`` per broker.
* Delivery reports are served by ``poll()`` / ``flush()`` (never from a background thread),
  each carrying topic, partition, offset or error, as in confluent-kafka.  Blocking calls
  advance the *virtual* clock rather than sleeping.
* Retriable errors (``NOT_LEADER_OR_FOLLOWER``, ``NOT_ENOUGH_REPLICAS``, a request timeout, …)
  are retried after ``retry.backoff.ms`` until ``message.timeout.ms`` (``delivery.timeout.ms``)
  expires; the metadata is refreshed first.  Without idempotence a retry after a lost response
  appends the batch again — a duplicate.
* ``BufferError`` ("Local: Queue full") when ``queue.buffering.max.messages`` or ``…kbytes``
  would be exceeded; ``KafkaException(MSG_SIZE_TOO_LARGE)`` for a record over ``message.max.bytes``.

Example::

    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all"})
    p.produce("orders", key=b"42", value=b"placed", on_delivery=lambda err, msg: print(msg.offset()))
    p.flush()
"""
from __future__ import annotations

from collections.abc import Callable

from .. import config as kconfig
from ..cluster.log import BATCH_OVERHEAD, RecordBatch
from ..cluster.metadata import NO_LEADER
from ..errors import Err, KafkaError, KafkaException, RecordTooLargeException, UnknownTopicOrPartitionException
from ..partitioners import Partitioner
from .common import TIMESTAMP_CREATE_TIME, Message, normalize_headers

_RETRIABLE = {Err.NOT_LEADER_OR_FOLLOWER, Err.LEADER_NOT_AVAILABLE, Err.NOT_ENOUGH_REPLICAS,
              Err.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Err.REQUEST_TIMED_OUT, Err.UNKNOWN_TOPIC_OR_PARTITION,
              Err.NETWORK_EXCEPTION, Err._TIMED_OUT, Err._TRANSPORT, Err.FENCED_LEADER_EPOCH}

_PY_CALLBACKS = ("on_delivery", "delivery.report.only.error", "error_cb", "stats_cb", "throttle_cb", "logger",
                 "oauth_cb", "dr_cb", "dr_msg_cb")


def _resolve_cluster(conf: dict, cluster):
    if cluster is not None:
        return cluster
    from ..cluster.cluster import cluster_for_servers

    return cluster_for_servers(conf.get("bootstrap.servers"))


def _acks_value(v) -> int:
    if isinstance(v, str):
        v = v.strip().lower()
        if v == "all":
            return -1
        return int(v)
    return int(v)


class _OpenBatch:
    __slots__ = ("attempts", "bytes", "callbacks", "enq_ms", "first_ms", "last_error", "linger_timer", "records", "tp")

    def __init__(self, tp, now):
        self.tp = tp
        self.records: list = []
        self.callbacks: list = []
        self.enq_ms: list = []
        self.bytes = BATCH_OVERHEAD
        self.linger_timer = None
        self.attempts = 0
        self.first_ms = now
        self.last_error = None


class Producer:
    """confluent-kafka ``Producer``; ``cluster=`` picks the simulated cluster explicitly."""

    def __init__(self, conf: dict | None = None, cluster=None, **kwargs):
        conf = dict(conf or {})
        conf.update(kwargs)
        self._callbacks = {k: conf.pop(k) for k in list(conf) if k in _PY_CALLBACKS and callable(conf[k])}
        cfg = kconfig.validate_client_config(conf, "producer")
        self.config = cfg
        self.cluster = _resolve_cluster(conf, cluster)
        self.sim = self.cluster.sim
        self.node = cfg.get("client.id") if cfg.get("client.id") not in (None, "", "rdkafka") else None
        self.node = self.cluster.new_client_name("producer") if self.node is None else self.node
        self.acks = _acks_value(cfg["acks"])
        self.linger_ms = int(cfg["linger.ms"])
        self.batch_size = int(cfg["batch.size"])
        self.batch_num = int(cfg["batch.num.messages"])
        self.max_in_flight = int(cfg["max.in.flight.requests.per.connection"])
        self.retries = int(cfg["retries"])
        self.retry_backoff_ms = int(cfg["retry.backoff.ms"])
        self.request_timeout_ms = int(cfg["request.timeout.ms"])
        self.delivery_timeout_ms = int(cfg["delivery.timeout.ms"])
        self.max_message_bytes = int(cfg["message.max.bytes"])
        self.queue_max_msgs = int(cfg["queue.buffering.max.messages"])
        self.queue_max_bytes = int(cfg["queue.buffering.max.kbytes"]) * 1024
        self.idempotent = bool(cfg["enable.idempotence"])
        self.compression = cfg["compression.type"]
        sticky = cfg.get("sticky.partitioning.linger.ms")
        rng_seed = self.sim.rng.getrandbits(64)
        import random as _random  # a private, seeded stream: never the global one

        self._partitioner = Partitioner(cfg["partitioner"], _random.Random(rng_seed),
                                        sticky_linger_ms=int(sticky if sticky is not None else 2 * self.linger_ms),
                                        batch_size=self.batch_size)
        self._dr_cb = self._callbacks.get("on_delivery") or self._callbacks.get("dr_cb") or \
            self._callbacks.get("dr_msg_cb")
        self._dr_only_error = bool(cfg.get("delivery.report.only.error", False))
        self._topics: dict[str, int] = {}
        self._leaders: dict[tuple, int] = {}
        self._open: dict[tuple, _OpenBatch] = {}
        self._ready: dict[int, list] = {}  # broker -> batches waiting for an in-flight slot
        self._in_flight: dict[int, int] = {}
        self._reports: list = []  # (callback, err, msg) not yet served by poll()
        self._queued_msgs = 0
        self._queued_bytes = 0
        self._outstanding = 0  # messages produced and not yet reported
        self._seq = 0
        self.cluster.clients.append(self)
        self.sim.trace.emit("client.create", node=self.node, role="producer", acks=self.acks,
                            idempotence=self.idempotent, linger_ms=self.linger_ms, partitioner=cfg["partitioner"])

    # -- metadata ---------------------------------------------------------------------------
    def _refresh_metadata(self, topic: str) -> int | None:
        """Read the topic's metadata from a live broker (Simplification: no MetadataRequest trip)."""
        cl = self.cluster
        image = None
        for bid in sorted(cl.brokers):
            b = cl.brokers[bid]
            if b.alive and self.sim.network.connected(self.node, b.node):
                image = b.image
                break
        if image is None:
            return self._topics.get(topic)
        t = image.topics.get(topic)
        if t is None:
            return None
        self._topics[topic] = len(t.partitions)
        for p in t.partitions:
            self._leaders[(topic, p.partition)] = p.leader
        return len(t.partitions)

    def _topic_partitions(self, topic: str) -> int:
        n = self._topics.get(topic)
        if n is not None:
            return n
        n = self._refresh_metadata(topic)
        if n is None:
            cl = self.cluster
            if cl.broker_config["auto.create.topics.enable"] and self.config.get("allow.auto.create.topics", True):
                cl.create_topic(topic)  # the broker auto-creates on the metadata request
                self.sim.trace.emit("topic.auto_create", node=self.node, topic=topic)
                n = self._refresh_metadata(topic)
            if n is None:
                raise UnknownTopicOrPartitionException(KafkaError(
                    Err._UNKNOWN_TOPIC,
                    f"Unable to produce message: Local: Unknown topic ({topic!r} does not exist and the cluster's "
                    f"auto.create.topics.enable is false: create it first, e.g. kafka-topics.sh --create "
                    f"--topic {topic} --partitions 3 --replication-factor 3)"))
        return n

    # -- produce ----------------------------------------------------------------------------
    def produce(self, topic: str, value=None, key=None, partition: int = -1, on_delivery: Callable | None = None,
                timestamp: int = 0, headers=None, callback: Callable | None = None) -> None:
        if value is not None and type(value) is not bytes:
            value = _to_bytes(value, "value")
        if key is not None and type(key) is not bytes:
            key = _to_bytes(key, "key")
        hdrs = normalize_headers(headers) if headers else None
        n = self._topics.get(topic)
        if n is None:
            n = self._topic_partitions(topic)
        klen = len(key) if key is not None else 0
        vlen = len(value) if value is not None else 0
        # v2 record size (DefaultRecord.sizeInBytes) with 1-byte deltas: close enough for batching,
        # exact for the size limits that matter here.
        size = klen + vlen + 8 + (klen > 63) + (vlen > 63) + (vlen > 8191)
        if hdrs:
            size += sum(len(k) + (len(v) if v is not None else 0) + 2 for k, v in hdrs)
        if size + BATCH_OVERHEAD > self.max_message_bytes:
            raise RecordTooLargeException(KafkaError(
                Err.MSG_SIZE_TOO_LARGE, f"Broker: Message size too large: the record is {size + BATCH_OVERHEAD} "
                                        f"bytes and message.max.bytes is {self.max_message_bytes}; raise "
                                        f"message.max.bytes (and the topic's max.message.bytes) or send less"))
        if self._queued_msgs >= self.queue_max_msgs or self._queued_bytes + size > self.queue_max_bytes:
            raise BufferError("Local: Queue full")
        now = self.sim.now
        if partition is None or partition < 0:
            partition = self._partitioner.partition(topic, key, n, now, size)
        elif partition >= n:
            raise KafkaException(KafkaError(Err._UNKNOWN_PARTITION,
                                            f"Local: Unknown partition: {topic} has partitions 0..{n - 1}"))
        tp = (topic, partition)
        ob = self._open.get(tp)
        if ob is None:
            ob = _OpenBatch(tp, now)
            self._open[tp] = ob
            if self.linger_ms > 0:
                ob.linger_timer = self.sim.schedule(self.linger_ms, self._linger_expired, ob)
        ob.records.append((key, value, timestamp or now, hdrs))
        ob.callbacks.append(on_delivery or callback)
        ob.enq_ms.append(now)
        ob.bytes += size
        self._queued_msgs += 1
        self._queued_bytes += size
        self._outstanding += 1
        if ob.bytes >= self.batch_size or len(ob.records) >= self.batch_num or self.linger_ms <= 0:
            self._close(ob)

    def _linger_expired(self, ob: _OpenBatch) -> None:
        if self._open.get(ob.tp) is ob:
            self._close(ob)

    def _close(self, ob: _OpenBatch) -> None:
        del self._open[ob.tp]
        if ob.linger_timer is not None:
            ob.linger_timer.cancel()
        self._enqueue(ob)

    def _enqueue(self, ob: _OpenBatch) -> None:
        if self.sim.now - ob.first_ms >= self.delivery_timeout_ms:
            self._fail(ob, self._timed_out(ob))
            return
        leader = self._leaders.get(ob.tp, NO_LEADER)
        if leader == NO_LEADER:
            self._refresh_metadata(ob.tp[0])
            leader = self._leaders.get(ob.tp, NO_LEADER)
        if leader == NO_LEADER:
            ob.last_error = "LEADER_NOT_AVAILABLE"
            self.sim.schedule(self.retry_backoff_ms, self._enqueue, ob)
            return
        self._ready.setdefault(leader, []).append(ob)
        self._pump(leader)

    def _pump(self, broker_id: int) -> None:
        ready = self._ready.get(broker_id)
        while ready and self._in_flight.get(broker_id, 0) < self.max_in_flight:
            ob = ready.pop(0)
            self._send(broker_id, ob)

    def _send(self, broker_id: int, ob: _OpenBatch) -> None:
        now = self.sim.now
        if now - ob.first_ms >= self.delivery_timeout_ms:
            self._fail(ob, self._timed_out(ob))
            return
        ob.attempts += 1
        self._in_flight[broker_id] = self._in_flight.get(broker_id, 0) + 1
        batch = RecordBatch(ob.records, ob.bytes, compression=self.compression)
        self._seq += 1
        req_id = self._seq
        broker = self.cluster.brokers[broker_id]
        state = {"done": False}
        req = {"client": self.node, "acks": self.acks, "timeout_ms": self.request_timeout_ms,
               "batches": {ob.tp: batch}, "reply": lambda results: self._on_response(broker_id, ob, state, results)}
        self.sim.trace.emit("produce.send", node=self.node, topic=ob.tp[0], partition=ob.tp[1], broker=broker_id,
                            request=req_id, records=len(ob.records), bytes=ob.bytes, attempt=ob.attempts)
        if not broker.alive:
            # The broker process is gone but its host answers: the connection is refused at once
            # (a network partition, by contrast, is silent until request.timeout.ms).
            self.sim.schedule(2 * self.sim.network.latency(self.node, broker.node), self._transport_error,
                              broker_id, ob, state)
            return
        self.sim.network.send(self.node, broker.node, "ProduceRequest", broker.on_produce, req)
        if self.acks == 0:
            state["done"] = True
            self._in_flight[broker_id] -= 1
            self._deliver(ob, -1, None)
            self._pump(broker_id)
            return
        self.sim.schedule(self.request_timeout_ms, self._request_timeout, broker_id, ob, state)

    def _transport_error(self, broker_id: int, ob: _OpenBatch, state: dict) -> None:
        if state["done"]:
            return
        state["done"] = True
        self._in_flight[broker_id] -= 1
        self._retry_or_fail(ob, KafkaError(Err._TRANSPORT, f"Local: Broker transport failure (kafka-{broker_id} "
                                                          f"is down)"), broker_id)

    def _request_timeout(self, broker_id: int, ob: _OpenBatch, state: dict) -> None:
        if state["done"]:
            return
        state["done"] = True
        self._in_flight[broker_id] -= 1
        self.sim.trace.emit("produce.timeout", node=self.node, topic=ob.tp[0], partition=ob.tp[1], broker=broker_id)
        self._retry_or_fail(ob, KafkaError(Err._TIMED_OUT, "Local: Timed out"), broker_id)

    def _on_response(self, broker_id: int, ob: _OpenBatch, state: dict, results: dict) -> None:
        if state["done"]:
            return  # the request already timed out; librdkafka ignores the late response
        state["done"] = True
        self._in_flight[broker_id] -= 1
        err, base_offset, _log_start, msg = results[ob.tp]
        if err == Err.NONE:
            self._deliver(ob, base_offset, None)
        else:
            self.sim.trace.emit("produce.error", node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                                broker=broker_id, error=KafkaError(err).name())
            self._retry_or_fail(ob, KafkaError(err, msg), broker_id)
        self._pump(broker_id)

    @staticmethod
    def _timed_out(ob: _OpenBatch) -> KafkaError:
        last = f" (last error: {ob.last_error})" if ob.last_error else ""
        return KafkaError(Err._MSG_TIMED_OUT, "Local: Message timed out" + last)

    def _retry_or_fail(self, ob: _OpenBatch, error: KafkaError, broker_id: int) -> None:
        ob.last_error = error.name()
        code = error.code()
        retriable = code in _RETRIABLE
        expired = self.sim.now - ob.first_ms >= self.delivery_timeout_ms
        if retriable and ob.attempts <= self.retries and not expired:
            if code in (Err.NOT_LEADER_OR_FOLLOWER, Err.UNKNOWN_TOPIC_OR_PARTITION, Err.LEADER_NOT_AVAILABLE,
                        Err.FENCED_LEADER_EPOCH, Err._TIMED_OUT, Err._TRANSPORT):
                self._refresh_metadata(ob.tp[0])
            self.sim.trace.emit("produce.retry", node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                                error=error.name(), attempt=ob.attempts)
            self.sim.schedule(self.retry_backoff_ms, self._enqueue, ob)
        else:
            self._fail(ob, self._timed_out(ob) if expired and retriable else error)
        self._pump(broker_id)

    def _deliver(self, ob: _OpenBatch, base_offset: int, error: KafkaError | None) -> None:
        topic, part = ob.tp
        now = self.sim.now
        cbs = ob.callbacks
        default = self._dr_cb
        self._queued_msgs -= len(ob.records)
        self._queued_bytes -= ob.bytes - BATCH_OVERHEAD
        if self._dr_only_error and error is None:
            self._outstanding -= len(ob.records)
            return
        reports = self._reports
        for i, rec in enumerate(ob.records):
            cb = cbs[i] or default
            if cb is None:
                self._outstanding -= 1
                continue
            off = base_offset + i if base_offset >= 0 and error is None else -1001
            msg = Message(topic, part, off, rec[0], rec[1], rec[3], (TIMESTAMP_CREATE_TIME, rec[2]), error,
                          (now - ob.enq_ms[i]) / 1000.0)
            reports.append((cb, error, msg))
        if error is None:
            self.sim.trace.emit("produce.ack", node=self.node, topic=topic, partition=part, base_offset=base_offset,
                                records=len(ob.records))

    def _fail(self, ob: _OpenBatch, error: KafkaError) -> None:
        self.sim.trace.emit("produce.fail", node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                            error=error.name(), records=len(ob.records))
        self._deliver(ob, -1, error)

    # -- serving delivery reports -----------------------------------------------------------
    def _serve(self, max_reports: int | None = None) -> int:
        n = 0
        while self._reports and (max_reports is None or n < max_reports):
            batch, self._reports = self._reports, []
            for cb, err, msg in batch:
                self._outstanding -= 1
                n += 1
                cb(err, msg)
        return n

    def poll(self, timeout: float | None = None) -> int:
        """Serve delivery reports; waits up to ``timeout`` seconds of *virtual* time for one."""
        if not self._reports and timeout:
            ms = 2**62 if timeout < 0 else int(timeout * 1000)
            self.sim.run_for(min(ms, self.delivery_timeout_ms + self.request_timeout_ms),
                             until=lambda: bool(self._reports))
        return self._serve()

    def flush(self, timeout: float | None = None) -> int:
        """Send everything (lingering batches too), wait for all reports, serve them.

        Returns the number of messages still outstanding (0 unless ``timeout`` ran out).
        """
        for ob in list(self._open.values()):
            self._close(ob)
        limit = self.delivery_timeout_ms + self.request_timeout_ms + 1000 if timeout is None or timeout < 0 \
            else int(timeout * 1000)
        self.sim.run_for(limit, until=lambda: self._queued_msgs == 0)
        self._serve()
        return len(self)

    def purge(self, in_queue: bool = True, in_flight: bool = True, blocking: bool = True) -> None:
        if in_queue:
            for ob in list(self._open.values()):
                del self._open[ob.tp]
                if ob.linger_timer is not None:
                    ob.linger_timer.cancel()
                self._deliver(ob, -1, KafkaError(-152, "Local: Purged in queue"))

    def list_topics(self, topic: str | None = None, timeout: float = -1):
        from .admin import cluster_metadata

        return cluster_metadata(self.cluster, topic)

    def __len__(self) -> int:
        return self._queued_msgs + len(self._reports)

    def __repr__(self) -> str:
        return f"<Producer {self.node} acks={self.acks} queued={self._queued_msgs}>"


def _to_bytes(x, what: str) -> bytes:
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    raise TypeError(f"{what} must be str, bytes or None, not {type(x).__name__}: serialize it first "
                    f"(e.g. json.dumps(...).encode())")
