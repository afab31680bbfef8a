"""``Producer``: confluent-kafka's producer API over the simulated cluster, with librdkafka rules.

Kafka/librdkafka behaviour modelled:

* ``produce()`` never blocks: it picks a partition (librdkafka's ``partitioner``, default
  ``consistent_random``), appends the record to that partition's open batch and returns.  A
  batch closes when it reaches ``batch.size`` bytes or ``batch.num.messages`` records, or when
  ``linger.ms`` has passed since its first record; closed batches go to the partition leader as
  ``ProduceRequest``s, at most ``max.in.flight.requests.per.connection`` per broker.
* Delivery reports are served by ``poll()`` / ``flush()`` (never from a background thread),
  each carrying topic, partition, offset or error, as in confluent-kafka.  Blocking calls
  advance the *virtual* clock rather than sleeping.  ``flush()`` sends lingering batches at once.
* Retriable errors (``NOT_LEADER_OR_FOLLOWER``, ``NOT_ENOUGH_REPLICAS``, a request timeout, …)
  are retried after ``retry.backoff.ms`` until ``message.timeout.ms`` (``delivery.timeout.ms``)
  expires, then reported as ``_MSG_TIMED_OUT``.  Without idempotence a retry after a lost
  response appends the batch again (a duplicate), and with several requests in flight a retried
  batch can land after a later one (reordering).
* ``enable.idempotence=true`` (KIP-98): the producer gets a producer id (``InitProducerId``),
  numbers each partition's batches with sequence numbers, and the broker drops a retried batch it
  already has (answering with the original offset).  Retries go out in sequence order, so order
  holds with up to 5 requests in flight.
* ``compression.type`` compresses each batch with the real codec (gzip, snappy, lz4, zstd) and
  the batch is stored compressed, so sizes are measured on the actual bytes.
* ``BufferError`` ("Local: Queue full") when ``queue.buffering.max.messages`` or ``…kbytes``
  would be exceeded; ``KafkaException(MSG_SIZE_TOO_LARGE)`` for a record over ``message.max.bytes``.

:class:`JavaProducer` is the same engine behind the Java client's property names and defaults
(``batch.size=16384``, idempotence on, ``buffer.memory`` with a blocking ``send``), so notebooks
can show both clients side by side.

Example::

    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all"})
    p.produce("orders", key=b"42", value=b"placed", on_delivery=lambda err, msg: print(msg.offset()))
    p.flush()
"""
from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass

from .. import config as kconfig
from .. import profiles as kprofiles
from ..cluster.log import BATCH_OVERHEAD, RecordBatch
from ..cluster.metadata import NO_LEADER
from ..errors import (ConfigException, Err, KafkaError, KafkaException, RecordTooLargeException,
                      UnknownTopicOrPartitionException)
from ..partitioners import Partitioner
from .codecs import compress
from .common import TIMESTAMP_CREATE_TIME, Message, client_conf, normalize_headers, timeout_ms
from .transactional import TransactionalMixin

_RETRIABLE = {Err.NOT_LEADER_OR_FOLLOWER, Err.LEADER_NOT_AVAILABLE, Err.NOT_ENOUGH_REPLICAS,
              Err.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Err.REQUEST_TIMED_OUT, Err.UNKNOWN_TOPIC_OR_PARTITION,
              Err.NETWORK_EXCEPTION, Err._TIMED_OUT, Err._TRANSPORT, Err.FENCED_LEADER_EPOCH}

MAX_REQUEST_BYTES = 1_048_576  # max.request.size: one request's batches stay under it

_PY_CALLBACKS = ("on_delivery", "delivery.report.only.error", "error_cb", "stats_cb", "throttle_cb", "logger",
                 "oauth_cb", "dr_cb", "dr_msg_cb")


def _resolve_cluster(conf: dict, cluster):
    if cluster is not None:
        return cluster
    from ..cluster.cluster import cluster_for_servers

    return cluster_for_servers(_servers(conf))


def _servers(conf: dict):
    return conf.get("bootstrap.servers") or conf.get("metadata.broker.list")


def _attach(client, servers, explicit: bool) -> None:
    """A bare client whose ``bootstrap.servers`` names no broker of its cluster reaches nobody, as
    librdkafka that cannot resolve them (see ``cluster_for_servers``); ``cluster=`` always connects."""
    if explicit or client.cluster.bootstrap_brokers(servers):
        return
    from ..cluster.cluster import log

    if not servers:
        log.warning("No `bootstrap.servers` configured: client will not be able to connect to Kafka cluster")
    else:
        log.warning("kafkalab: bootstrap.servers %r names no simulated broker (they answer to kafka-1:9092, "
                    "kafka-2:9092, ... and localhost:9092): %s will connect to nothing, like librdkafka that "
                    "cannot resolve it", servers, client.node)
    client.sim.network.set_unroutable(client.node)


def _refresh_ms(v) -> int:
    v = int(v)
    return v if v > 0 else 2**62  # -1 disables the periodic refresh


def _acks_value(v) -> int:
    if isinstance(v, str):
        v = v.strip().lower()
        return -1 if v == "all" else int(v)
    return int(v)


@dataclass
class ProducerSettings:
    """The knobs the engine uses, whichever client's names and defaults they came from."""

    profile: str  # "librdkafka" or "java"
    client_id: str | None
    acks: int
    linger_ms: int
    batch_size: int
    batch_num: int
    max_in_flight: int
    retries: int
    retry_backoff_ms: int
    request_timeout_ms: int
    delivery_timeout_ms: int
    max_message_bytes: int
    queue_max_msgs: int
    queue_max_bytes: int
    idempotent: bool
    compression: str
    partitioner: str
    sticky_linger_ms: int
    max_block_ms: int = 0
    retry_backoff_max_ms: int = 1000
    allow_auto_create: bool = True
    metadata_refresh_ms: int = 300_000
    metadata_propagation_ms: int = 30_000
    # How long the client waits for a ProduceResponse.  librdkafka: socket.timeout.ms (60 s), capped
    # by what remains of the batch's message.timeout.ms; its request.timeout.ms is only the ack
    # timeout it asks the broker to keep (ProduceRequest.timeout_ms).  Java: request.timeout.ms is both.
    socket_timeout_ms: int = 60_000
    metadata_fast_ms: int = 100  # topic.metadata.refresh.fast.interval.ms: re-ask while metadata is missing
    transactional_id: str | None = None
    transaction_timeout_ms: int = 60_000
    client_transaction_version: int = 0  # the EndTxn protocol the client speaks (2: KIP-890)
    java_sticky: str = "KIP-794"  # the Java client's keyless partitioning: KIP-480 (2.4-3.2) or KIP-794 (3.3+)

    @classmethod
    def from_librdkafka(cls, cfg) -> "ProducerSettings":
        linger = int(cfg["linger.ms"])
        sticky = cfg.get("sticky.partitioning.linger.ms")
        return cls("librdkafka", cfg.get("client.id") if cfg.get("client.id") not in (None, "", "rdkafka") else None,
                   _acks_value(cfg["acks"]), linger, int(cfg["batch.size"]), int(cfg["batch.num.messages"]),
                   int(cfg["max.in.flight.requests.per.connection"]), int(cfg["retries"]),
                   int(cfg["retry.backoff.ms"]), int(cfg["request.timeout.ms"]), int(cfg["delivery.timeout.ms"]),
                   int(cfg["message.max.bytes"]), int(cfg["queue.buffering.max.messages"]),
                   int(cfg["queue.buffering.max.kbytes"]) * 1024, bool(cfg["enable.idempotence"]),
                   str(cfg["compression.type"]), str(cfg["partitioner"]),
                   int(sticky if sticky is not None else 2 * linger),
                   metadata_refresh_ms=_refresh_ms(cfg.get("topic.metadata.refresh.interval.ms", 300_000)),
                   metadata_fast_ms=int(cfg.get("topic.metadata.refresh.fast.interval.ms", 100)),
                   retry_backoff_max_ms=int(cfg.get("retry.backoff.max.ms", 1000)),
                   allow_auto_create=bool(cfg.get("allow.auto.create.topics", True)),
                   metadata_propagation_ms=int(cfg.get("topic.metadata.propagation.max.ms", 30_000)),
                   transactional_id=cfg.get("transactional.id") or None,
                   transaction_timeout_ms=int(cfg.get("transaction.timeout.ms", 60000)),
                   socket_timeout_ms=int(cfg.get("socket.timeout.ms", 60_000)))


class _OpenBatch:
    __slots__ = ("tp", "records", "callbacks", "enq_ms", "bytes", "linger_timer", "attempts", "first_ms", "last_error",
                 "sequence", "closed_ms", "reason", "wire_bytes", "batch_id", "ready", "sealed", "not_before",
                 "has_headers", "finished")

    def __init__(self, tp, now):
        self.tp = tp
        self.records: list = []
        self.callbacks: list | None = None  # per record, once any record has one
        self.enq_ms: list | None = None  # per record, only when the app set explicit timestamps
        self.bytes = BATCH_OVERHEAD
        self.linger_timer = None
        self.attempts = 0
        self.first_ms = now
        self.last_error = None
        self.sequence = -1
        self.closed_ms = -1
        self.reason = ""
        self.wire_bytes = 0
        self.batch_id = 0
        self.ready = False  # linger expired (or full): may be sent, still takes records until sent
        self.sealed = False  # sent once: its records, sequence and bytes are fixed
        self.not_before = 0  # a retried batch waits out its backoff at the head of its partition
        self.has_headers = False
        self.finished = False  # its delivery report (or silent delivery) has happened


class Producer(TransactionalMixin):
    """confluent-kafka ``Producer``; ``cluster=`` picks the simulated cluster explicitly.

    The transactional API (``init_transactions`` … ``commit_transaction``, ``close``) is
    :class:`~kafkalab.clients.transactional.TransactionalMixin`.
    """

    def __init__(self, *conf: dict, cluster=None, **kwargs):
        conf = client_conf("producer", conf, kwargs)
        callbacks = {k: conf.pop(k) for k in list(conf) if k in _PY_CALLBACKS and callable(conf[k])}
        cfg = kconfig.validate_client_config(conf, "producer")
        self.config = cfg
        self._start(ProducerSettings.from_librdkafka(cfg), _resolve_cluster(conf, cluster),
                     callbacks.get("on_delivery") or callbacks.get("dr_cb") or callbacks.get("dr_msg_cb"),
                     bool(cfg.get("delivery.report.only.error", False)))
        _attach(self, _servers(conf), cluster is not None)

    def _start(self, s: ProducerSettings, cluster, dr_cb, dr_only_error: bool) -> None:
        self.settings = s
        self.cluster = cluster
        self.sim = cluster.sim
        self.node = s.client_id or cluster.new_client_name("producer")
        self.acks = s.acks
        self.linger_ms = s.linger_ms
        self.batch_size = s.batch_size
        self.max_in_flight = s.max_in_flight
        self.delivery_timeout_ms = s.delivery_timeout_ms
        self.idempotent = s.idempotent
        self.compression = s.compression
        self._rng = _random.Random(self.sim.rng.getrandbits(64))  # this client's own seeded stream
        self._partitioner = Partitioner(s.partitioner, _random.Random(self.sim.rng.getrandbits(64)),
                                        sticky_linger_ms=s.sticky_linger_ms, batch_size=s.batch_size,
                                        java_sticky=s.java_sticky)
        self._dr_cb = dr_cb
        self._dr_only_error = dr_only_error
        # Hot-path copies of settings.
        self._partition = self._partitioner.partition
        pt = self._partitioner
        # Keys the partitioner hashes (every partitioner but "random"), looked up in its cache by produce():
        # an empty key counts only where it is not "no key" (consistent_random treats b"" as keyless).
        self._key_hashes = pt._cache if not pt._keyed_random else None
        self._empty_key_hashed = not pt._empty_is_keyless
        self._kip480 = pt.switches_on_new_batch
        self._max_record = s.max_message_bytes - BATCH_OVERHEAD
        self._queue_max_msgs = s.queue_max_msgs
        self._queue_max_bytes = s.queue_max_bytes
        self._batch_num = s.batch_num
        self.latency_samples: list | None = None  # set to [] to collect per-record latencies (ms)
        self._topics: dict[str, int] = {}
        self._notexists: dict[str, int] = {}  # topics the metadata said do not exist (librdkafka S_NOTEXISTS)
        self._unassigned: dict[str, list] = {}  # topic -> records waiting for its metadata (_hold)
        self._leaders: dict[tuple, int] = {}
        self._next_refresh_ms = self.sim.now + s.metadata_refresh_ms
        self._open: dict[tuple, _OpenBatch] = {}
        self._ready: dict[int, list] = {}  # broker -> batches waiting for an in-flight slot
        self._requests: dict[int, list] = {}  # broker -> (batches, state) of requests in flight
        self._watched: set = set()
        self._down_noted: set = set()
        self._in_flight: dict[int, int] = {}
        self._reports: list = []  # (callback, err, msg) not yet served by poll()
        self._queued_msgs = 0  # produced and not yet gone: delivered without a report, or report served
        self._undelivered = 0  # produced and not yet delivered or failed
        self._queued_bytes = 0
        self._seq = 0
        self._batch_ids = 0
        self._sender_free_at = 0.0
        # Idempotence: producer id/epoch, next sequence per partition, batches in flight per partition.
        self.producer_id = -1
        self.producer_epoch = -1
        self._next_seq: dict[tuple, int] = {}
        self._unacked: dict[tuple, list] = {}  # sealed, not yet acked or failed, in sequence order
        self._init_txn(s.transactional_id, s.transaction_timeout_ms, s.socket_timeout_ms,
                       s.client_transaction_version)
        if self.idempotent and not self.transactional:  # a transactional producer gets its id from init_transactions
            self.producer_id, self.producer_epoch = _allocate_producer_id(cluster)
        cluster.clients.append(self)
        self.sim.trace.emit("client.create", node=self.node, role="producer", profile=s.profile, acks=s.acks,
                            idempotence=s.idempotent, linger_ms=s.linger_ms, batch_size=s.batch_size,
                            compression=s.compression, partitioner=s.partitioner, producer_id=self.producer_id)

    # -- metadata ---------------------------------------------------------------------------
    def _metadata_image(self):
        """The metadata of the first live broker this client can reach, or None."""
        cl = self.cluster
        for bid in sorted(cl.brokers):
            b = cl.brokers[bid]
            if b.alive and self.sim.network.connected(self.node, b.node):
                return b.image
        return None

    def _refresh_metadata(self, topic: str) -> int | None:
        """Read the topic's metadata from a live broker (Simplification: no MetadataRequest trip)."""
        image = self._metadata_image()
        if image is None:
            return self._topics.get(topic)
        t = image.topics.get(topic)
        if t is None:
            return None
        self._topics[topic] = len(t.partitions)
        for p in t.partitions:
            self._leaders[(topic, p.partition)] = p.leader
        return len(t.partitions)

    def _topic_partitions(self, topic: str) -> int | None:
        """Partition count of ``topic`` from metadata, auto-creating it as the broker would; None if
        the cluster does not have it (and will not create it, or the name is invalid)."""
        if self.sim.now >= self._next_refresh_ms:
            # topic.metadata.refresh.interval.ms: librdkafka re-reads metadata periodically, which is
            # when a producer notices partitions added to a topic.
            self._next_refresh_ms = self.sim.now + self.settings.metadata_refresh_ms
            for t in list(self._topics):
                self._refresh_metadata(t)
        n = self._topics.get(topic)
        if n is not None:
            return n
        n = self._refresh_metadata(topic)
        if n is None and kconfig.topic_name_invalid_reason(topic) is None:
            if self._metadata_image() is None:
                return None  # nobody to ask (bootstrap.servers names no broker, or none is up)
            cl = self.cluster
            if cl.broker_config["auto.create.topics.enable"] and self.settings.allow_auto_create:
                try:
                    cl.create_topic(topic)  # the broker auto-creates on the metadata request
                except KafkaException as e:
                    # The metadata answer carries the topic's error and the client asks again later
                    # (e.g. every broker still fenced after a restart): the record waits (_hold).
                    self.sim.trace.emit("topic.auto_create_failed", node=self.node, topic=topic,
                                        error=e.args[0].name())
                    return None
                self.sim.trace.emit("topic.auto_create", node=self.node, topic=topic)
                n = self._refresh_metadata(topic)
        if n is None and self.settings.profile == "java":
            # KafkaProducer.send waits max.block.ms for the topic's metadata, then gives up.
            raise UnknownTopicOrPartitionException(KafkaError(
                Err._UNKNOWN_TOPIC,
                f"Topic {topic} not present in metadata after {self.settings.max_block_ms} ms ({topic!r} does not "
                f"exist and the cluster's auto.create.topics.enable is false: create it first, e.g. "
                f"kafka-topics.sh --create --topic {topic} --partitions 3 --replication-factor 3)"))
        return n

    # -- produce ----------------------------------------------------------------------------
    def produce(self, topic: str, value=None, key=None, partition: int = -1, on_delivery: Callable | None = None,
                timestamp: int = 0, headers=None, callback: Callable | None = None) -> None:
        # The hot path of every notebook and benchmark: locals, one pass, no per-record objects.
        if self._closed:
            self._check_closed()
        txn = self._txn_id is not None
        if txn:
            self._txn_check_produce()
        if type(topic) is not str:
            raise TypeError(f"argument 1 must be str, not {_type_name(topic)}")
        if value is None:
            vlen = 0
        else:
            if type(value) is not bytes:
                value = _to_bytes(value, 2)
            vlen = len(value)
        if key is None:
            klen = 0
        else:
            if type(key) is not bytes:
                key = _to_bytes(key, 3)
            klen = len(key)
        if type(partition) is not int:
            partition = _as_int(partition)
        if type(timestamp) is not int:
            timestamp = _as_int(timestamp)
        cb = on_delivery if on_delivery is not None else callback
        if cb is not None and not callable(cb):
            # Simplification: confluent-kafka takes it and fails later, in poll()/flush(), with a SystemError.
            raise TypeError(f"on_delivery must be a callable (err, msg) -> None, not {_type_name(cb)}")
        now = self.sim.now
        n = self._topics.get(topic)
        fresh = n is None  # no metadata yet: librdkafka queues the message and decides when it arrives
        if n is None or now >= self._next_refresh_ms:
            if fresh and topic in self._notexists:
                raise KafkaException(KafkaError(Err._UNKNOWN_TOPIC, "Unable to produce message: Local: Unknown topic"))
            n = self._topic_partitions(topic)
        # v2 record size (DefaultRecord.sizeInBytes) with 1-byte deltas: exact for the small
        # records of the notebooks, within a byte or two otherwise.
        size = klen + vlen + 8 + (klen > 63) + (vlen > 63) + (vlen > 8191)
        if headers is not None:
            hdrs = normalize_headers(headers)
            if hdrs:
                size += sum(len(k) + (len(v) if v is not None else 0) + 2 for k, v in hdrs)
        else:
            hdrs = None
        if size > self._max_record:
            raise RecordTooLargeException(KafkaError(
                Err.MSG_SIZE_TOO_LARGE, f"Broker: Message size too large: the record is {size + BATCH_OVERHEAD} "
                                        f"bytes and message.max.bytes is {self.settings.max_message_bytes}; raise "
                                        f"message.max.bytes (and the topic's max.message.bytes) or send less"))
        if self._queued_msgs >= self._queue_max_msgs or self._queued_bytes + size > self._queue_max_bytes:
            self._reserve(size)
        if n is None or (partition != -1 and not 0 <= partition < n):
            if not fresh:
                raise KafkaException(KafkaError(
                    Err._UNKNOWN_PARTITION, f"Unable to produce message: Local: Unknown partition ({topic} has "
                                            f"partitions 0..{n - 1}; -1 lets the partitioner choose)"))
            # No metadata for the topic yet: the record waits for it (see _hold), and the answer
            # (partitions, TOPIC_EXCEPTION, no such topic) decides its fate there.
            self._hold(topic, value, key, partition, cb, timestamp, hdrs, size)
            return
        if partition == -1:
            keys = self._key_hashes
            if keys is not None and key is not None and (key or self._empty_key_hashed):
                # Partitioner.partition for a key it hashes, without the call: the cached hash (key is bytes here).
                h = keys.get(key)
                partition = (h if h is not None else self._partitioner._miss(key)) % n
            else:
                partition = self._partition(topic, key, n, now, size)
                if key is None and self._kip480 and (topic, partition) not in self._open:
                    # KafkaProducer.doSend (2.4-3.2): the append would start a new batch, so it is aborted,
                    # the partitioner's onNewBatch() moves the sticky partition, and the record goes there.
                    partition = self._partitioner.on_new_batch(topic, partition, n)
        tp = (topic, partition)
        if txn:
            self._txn_register(tp)
        open_ = self._open
        ob = open_.get(tp)
        if ob is None:
            ob = _OpenBatch(tp, now)
            self._batch_ids += 1
            ob.batch_id = self._batch_ids
            open_[tp] = ob
            if self.linger_ms > 0:
                ob.linger_timer = self.sim.schedule(self.linger_ms, self._linger_expired, ob)
        recs = ob.records
        if cb is not None or ob.callbacks is not None:
            if ob.callbacks is None:
                ob.callbacks = [None] * len(recs)
            ob.callbacks.append(cb)
        if timestamp or ob.enq_ms is not None:
            # The record timestamp doubles as the enqueue time; remember the real one when the app set it.
            if ob.enq_ms is None:
                ob.enq_ms = [r[2] for r in recs]
            ob.enq_ms.append(now)
        if hdrs:
            ob.has_headers = True
        recs.append((key, value, timestamp or now, hdrs))
        ob.bytes += size
        self._queued_msgs += 1
        self._undelivered += 1
        self._queued_bytes += size
        if ob.bytes >= self.batch_size or len(recs) >= self._batch_num:
            del open_[tp]  # full: the next record starts a new batch
            if not ob.ready:
                self._close(ob, "batch.size" if ob.bytes >= self.batch_size else "batch.num.messages")
        elif self.linger_ms <= 0 and not ob.ready:
            self._close(ob, "linger.ms=0")

    # -- records waiting for metadata ---------------------------------------------------------
    # librdkafka keeps a record for a topic it has no metadata for on the topic's unassigned
    # partition (RD_KAFKA_PARTITION_UA), asks again every topic.metadata.refresh.fast.interval.ms,
    # and decides once a broker answers (rdkafka_topic.c): partitions the record (one that named a
    # partition the topic does not have fails with _UNKNOWN_PARTITION); an invalid name is a
    # permanent TOPIC_EXCEPTION at once; a valid name the cluster does not have (nor auto-creates)
    # waits topic.metadata.propagation.max.ms, then UNKNOWN_TOPIC_OR_PART, and from then on
    # produce() raises _UNKNOWN_TOPIC at once.  message.timeout.ms ends every wait (_MSG_TIMED_OUT).
    # The report's partition() is None unless the record named one.
    def _hold(self, topic, value, key, partition, cb, timestamp, headers, size) -> None:
        held = self._unassigned.setdefault(topic, [])
        if not held:
            self.sim.trace.emit("produce.no_metadata", node=self.node, topic=topic)
            self.sim.schedule(self.settings.metadata_fast_ms, self._retry_unassigned, topic)
        held.append((self.sim.now, value, key, partition, cb, timestamp, headers, size))
        self._queued_msgs += 1
        self._undelivered += 1
        self._queued_bytes += size

    def _topic_verdict(self, topic: str, since_ms: int) -> tuple[int | None, KafkaError | None]:
        """(partition count, None), (None, permanent error) or (None, None): wait and ask again."""
        n = self._topic_partitions(topic)
        if n is not None or self._metadata_image() is None:
            return n, None
        reason = kconfig.topic_name_invalid_reason(topic)
        if reason is not None:
            self._notexists[topic] = Err.TOPIC_EXCEPTION
            return None, KafkaError(Err.TOPIC_EXCEPTION, f"Broker: Invalid topic: topic name is invalid: {reason}")
        if self.sim.now - since_ms >= self.settings.metadata_propagation_ms:
            self._notexists[topic] = Err.UNKNOWN_TOPIC_OR_PARTITION
            return None, KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                    f"Broker: Unknown topic or partition ({topic!r} does not exist and the cluster "
                                    f"does not auto-create it: create it first, e.g. kafka-topics.sh --create "
                                    f"--topic {topic} --partitions 3 --replication-factor 3)")
        return None, None

    def _retry_unassigned(self, topic: str) -> None:
        held = self._unassigned.pop(topic, [])
        if not held:
            return
        try:
            n, error = self._topic_verdict(topic, held[0][0])
        except KafkaException as e:
            n, error = None, e.args[0]
        waiting = []
        for rec in held:
            t0, value, key, partition, cb, timestamp, headers, size = rec
            expired = self.sim.now - t0 >= self.delivery_timeout_ms
            if n is not None and not expired:
                self._queued_bytes -= size
                self._undelivered -= 1
                self._queued_msgs -= 1
                try:
                    self.produce(topic, value, key, partition, cb, timestamp, headers)
                    continue
                except KafkaException as e:  # named a partition the topic does not have
                    self._queued_bytes += size
                    self._undelivered += 1
                    self._queued_msgs += 1
                    self._report_held(topic, rec, KafkaError(Err._UNKNOWN_PARTITION, e.args[0].str()))
            elif error is not None or expired:
                self._report_held(topic, rec, error or KafkaError(
                    Err._MSG_TIMED_OUT, "Local: Message timed out (no metadata for the topic: is a broker reachable, "
                                        "and does the topic exist?)"))
            else:
                waiting.append(rec)
        if waiting:
            self._unassigned[topic] = waiting
            self.sim.schedule(self.settings.metadata_fast_ms, self._retry_unassigned, topic)

    def _report_held(self, topic: str, rec: tuple, err: KafkaError) -> None:
        """A waiting record's delivery report: it failed before it was ever in a batch."""
        t0, value, key, partition, cb, timestamp, headers, size = rec
        self._queued_bytes -= size
        self._undelivered -= 1
        self.sim.trace.emit("produce.fail", node=self.node, topic=topic, partition=partition, batch=None,
                            error=err.name(), records=1)
        cb = cb or self._dr_cb
        if cb is None or (self._dr_only_error and err is None):
            self._queued_msgs -= 1
            return
        part = None if partition is None or partition == -1 else partition
        msg = Message(topic, part, None, key, value, headers, (TIMESTAMP_CREATE_TIME, timestamp or t0), err,
                      (self.sim.now - t0) / 1000.0)
        self._reports.append((cb, err, msg))

    def _reserve(self, size: int) -> None:
        s = self.settings
        if self._queued_msgs < s.queue_max_msgs and self._queued_bytes + size <= s.queue_max_bytes:
            return
        self.sim.trace.emit("produce.queue_full", node=self.node, queued=self._queued_msgs,
                            queued_bytes=self._queued_bytes)
        raise BufferError("Local: Queue full")

    def _linger_expired(self, ob: _OpenBatch) -> None:
        if not ob.ready:
            self._close(ob, "linger.ms")

    def _close(self, ob: _OpenBatch, reason: str) -> None:
        """The batch may be sent now.  Until a request slot takes it, it keeps collecting records
        (as both clients' accumulators do), so a backlog makes batches bigger, not more numerous."""
        if ob.linger_timer is not None:
            ob.linger_timer.cancel()
        ob.ready = True
        ob.closed_ms = self.sim.now
        ob.reason = reason
        self._enqueue(ob)

    def _seal(self, ob: _OpenBatch) -> None:
        """First send: fix the batch's records, sequence number and compressed bytes."""
        ob.sealed = True
        # A sealed batch never grows: keep its records (and enqueue times) as tuples, which the garbage
        # collector stops tracking, and which the RecordBatch of every attempt shares without a copy.
        # A list of records kept alive by a pending request timer was walked by every full collection.
        ob.records = tuple(ob.records)
        if ob.enq_ms is not None:
            ob.enq_ms = tuple(ob.enq_ms)
        if self._open.get(ob.tp) is ob:
            del self._open[ob.tp]
        if self.idempotent:
            ob.sequence = self._next_seq.get(ob.tp, 0)
            self._next_seq[ob.tp] = ob.sequence + len(ob.records)
            self._unacked.setdefault(ob.tp, []).append(ob)
        if self.compression not in ("none", "uncompressed"):
            ob.wire_bytes = BATCH_OVERHEAD + compress(self.compression, ob.records, ob.has_headers)
        else:
            ob.wire_bytes = ob.bytes
        self.sim.trace.emit("produce.batch", node=self.node, topic=ob.tp[0], partition=ob.tp[1], batch=ob.batch_id,
                            records=len(ob.records), bytes=ob.bytes, wire_bytes=ob.wire_bytes, opened_ms=ob.first_ms,
                            reason=ob.reason, base_sequence=ob.sequence)

    def _enqueue(self, ob: _OpenBatch, retry: bool = False) -> None:
        if self.sim.now - ob.first_ms >= self.delivery_timeout_ms:
            self._fail(ob, self._timed_out(ob))
            return
        leader = self._leaders.get(ob.tp, NO_LEADER)
        if leader == NO_LEADER:
            self._refresh_metadata(ob.tp[0])
            leader = self._leaders.get(ob.tp, NO_LEADER)
        if leader == NO_LEADER:
            ob.last_error = "LEADER_NOT_AVAILABLE"
            self.sim.schedule(self.settings.retry_backoff_ms, self._enqueue, ob, retry)
            return
        ready = self._ready.setdefault(leader, [])
        if retry:
            # Back at the head of its partition, ahead of that partition's later batches: a retry
            # keeps its place, so with one request in flight order holds.
            i = next((j for j, b in enumerate(ready) if b.tp == ob.tp and b.batch_id > ob.batch_id), len(ready))
            ready.insert(i, ob)
        else:
            ready.append(ob)
        self._pump(leader)

    def _pump(self, broker_id: int) -> None:
        """Send what is ready for ``broker_id`` while fewer than max.in.flight requests are out.

        One ``ProduceRequest`` carries the ready batches of several partitions (at most one per
        partition, up to ``MAX_REQUEST_BYTES``), as the Java client's sender drains per broker.
        Simplification: librdkafka builds its requests differently, but also amortises them.
        """
        ready = self._ready.get(broker_id)
        now = self.sim.now
        txn = self._txn_id is not None
        if self._crashed:
            return
        while ready and self._in_flight.get(broker_id, 0) < self.max_in_flight:
            take, seen, size, rest = [], set(), 0, []
            for ob in ready:
                if ob.tp in seen or (take and size + (ob.wire_bytes or ob.bytes) > MAX_REQUEST_BYTES):
                    rest.append(ob)
                    seen.add(ob.tp)
                elif ob.not_before > now or (txn and ob.tp not in self._txn_added):
                    # backing off, or (transactions) not yet added to the transaction: the partition waits
                    rest.append(ob)
                    seen.add(ob.tp)
                else:
                    take.append(ob)
                    seen.add(ob.tp)
                    size += ob.wire_bytes or ob.bytes
            ready[:] = rest
            if not take:
                return
            self._send(broker_id, take)

    def _send(self, broker_id: int, obs: list) -> None:
        now = self.sim.now
        live = []
        for ob in obs:
            if now - ob.first_ms >= self.delivery_timeout_ms:
                self._fail(ob, self._timed_out(ob))
            else:
                live.append(ob)
        if not live:
            return
        broker = self.cluster.brokers[broker_id]
        if not broker.alive:
            # The broker process is gone (its connections are refused): nothing is sent and no
            # retry is used up; the batches wait for the metadata to name a new leader, as
            # librdkafka's fast metadata refresh (topic.metadata.refresh.fast.interval.ms) does.
            if broker_id not in self._down_noted:
                self._down_noted.add(broker_id)
                self.sim.trace.emit("produce.broker_down", node=self.node, broker=broker_id)
            for ob in live:
                self.sim.schedule(self.settings.retry_backoff_ms, self._requeue, ob)
            return
        self._down_noted.discard(broker_id)
        self._in_flight[broker_id] = self._in_flight.get(broker_id, 0) + 1
        self._seq += 1
        req_id = self._seq
        batches = {}
        size = 0
        delay = 0
        for ob in live:
            if not ob.sealed:
                self._seal(ob)
            ob.attempts += 1
            batch = RecordBatch(ob.records, ob.wire_bytes, compression=self.compression,
                                producer_id=self.producer_id, producer_epoch=self.producer_epoch,
                                base_sequence=ob.sequence, is_transactional=self._txn_id is not None)
            batch.uncompressed_bytes = ob.bytes
            batch.origin = (self.node, ob.batch_id, ob.attempts)
            batches[ob.tp] = batch
            size += ob.wire_bytes
            self.sim.trace.emit("produce.send", node=self.node, topic=ob.tp[0], partition=ob.tp[1], broker=broker_id,
                                request=req_id, batch=ob.batch_id, records=len(ob.records), bytes=ob.wire_bytes,
                                attempt=ob.attempts, base_sequence=ob.sequence)
            delay = max(delay, self._sender_delay(ob))
        state = {"done": False}
        req = {"client": self.node, "acks": self.acks, "timeout_ms": self.settings.request_timeout_ms,
               "batches": batches, "reply": lambda results: self._on_response(broker_id, live, state, results),
               "transactional_id": self._txn_id}
        if broker_id not in self._watched:
            self._watched.add(broker_id)
            self.sim.network.watch(broker.node, lambda node, b=broker_id: self._connection_reset(b))
        pending = [r for r in self._requests.get(broker_id, ()) if not r[1]["done"]]
        pending.append((live, state))
        self._requests[broker_id] = pending
        if delay:
            self.sim.schedule(delay, self._transmit, broker, req, size)
        else:
            self._transmit(broker, req, size)
        if self.acks == 0:
            state["done"] = True
            self._in_flight[broker_id] -= 1
            for ob in live:
                self._deliver(ob, -1, None)
            self._pump(broker_id)
            return
        # Cancelled when the answer comes: an answered request's timer would otherwise wait seconds in the
        # queue (socket/request timeout ahead), one per request, for every full collection to walk.
        state["timer"] = self.sim.schedule(delay + self._response_timeout_ms(live), self._request_timeout,
                                           broker_id, live, state)

    def _response_timeout_ms(self, obs: list) -> int:
        """How long this request may go unanswered before the client gives up on it (see
        ``ProducerSettings.socket_timeout_ms``)."""
        s = self.settings
        if s.profile == "java":
            return s.request_timeout_ms
        remaining = min(ob.first_ms + self.delivery_timeout_ms - self.sim.now for ob in obs)
        return max(1, min(s.socket_timeout_ms, remaining))

    def _transmit(self, broker, req: dict, size: int) -> None:
        self.sim.network.send(self.node, broker.node, "ProduceRequest", broker.on_produce, req, size=size)

    def _sender_delay(self, ob: _OpenBatch) -> int:
        """Virtual ms the producer's sender spends compressing, under a performance model (else 0)."""
        perf = getattr(self.sim, "perf", None)
        if perf is None:
            return 0
        if ob.attempts == 1:  # a retry re-sends the already compressed batch
            start = max(float(self.sim.now), self._sender_free_at)
            self._sender_free_at = start + perf.producer_batch_ms(self.compression, ob.bytes, len(ob.records))
        return max(0, int(self._sender_free_at - self.sim.now + 0.999))

    def _requeue(self, ob: _OpenBatch) -> None:
        self._refresh_metadata(ob.tp[0])
        self._enqueue(ob, retry=True)

    def _connection_reset(self, broker_id: int) -> None:
        """The broker process died: every request in flight to it fails with a transport error."""
        for obs, state in self._requests.pop(broker_id, []):
            self._transport_error(broker_id, obs, state)

    def _transport_error(self, broker_id: int, obs: list, state: dict) -> None:
        self._request_failed(broker_id, obs, state,
                             KafkaError(Err._TRANSPORT, f"Local: Broker transport failure (kafka-{broker_id} is down)"))

    def _request_timeout(self, broker_id: int, obs: list, state: dict) -> None:
        self._request_failed(broker_id, obs, state, KafkaError(Err._TIMED_OUT, "Local: Timed out"), "produce.timeout")

    def _request_failed(self, broker_id: int, obs: list, state: dict, error: KafkaError,
                        trace_kind: str | None = None) -> None:
        """No answer will come for this request: each of its batches is retried or failed."""
        if state["done"] or self._crashed:
            return
        state["done"] = True
        self._in_flight[broker_id] -= 1
        for ob in obs:
            if trace_kind:
                self.sim.trace.emit(trace_kind, node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                                    broker=broker_id, batch=ob.batch_id)
            self._retry_or_fail(ob, error, broker_id)

    def _on_response(self, broker_id: int, obs: list, state: dict, results: dict) -> None:
        if state["done"] or self._crashed:
            return  # the request already timed out; librdkafka ignores the late response
        state["done"] = True
        state["timer"].cancel()
        self._in_flight[broker_id] -= 1
        for ob in obs:
            err, base_offset, _log_start, msg = results[ob.tp]
            if err == Err.NONE:
                self._deliver(ob, base_offset, None)
            else:
                self.sim.trace.emit("produce.error", node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                                    broker=broker_id, batch=ob.batch_id, error=KafkaError(err).name())
                self._retry_or_fail(ob, KafkaError(err, msg), broker_id, pump=False)
        self._pump(broker_id)

    @staticmethod
    def _timed_out(ob: _OpenBatch) -> KafkaError:
        last = f" (last error: {ob.last_error})" if ob.last_error else ""
        return KafkaError(Err._MSG_TIMED_OUT, "Local: Message timed out" + last)

    def _retry_or_fail(self, ob: _OpenBatch, error: KafkaError, broker_id: int, pump: bool = True) -> None:
        ob.last_error = error.name()
        code = error.code()
        # An idempotent producer treats a sequence gap caused by an earlier failed batch as retriable:
        # that batch is re-sent first and this one follows in order (librdkafka's idempotence state machine).
        retriable = code in _RETRIABLE or (self.idempotent and code == Err.OUT_OF_ORDER_SEQUENCE_NUMBER)
        if self.idempotent and code == Err.OUT_OF_ORDER_SEQUENCE_NUMBER and self._txn_id is None:
            unacked = self._unacked.get(ob.tp, [])
            if unacked and unacked[0] is ob:
                # The oldest unacknowledged batch is out of sequence: the leader lost this producer's
                # state (e.g. an unclean election). KIP-360: bump the epoch and renumber from 0.
                self._bump_epoch()
        expired = self.sim.now - ob.first_ms >= self.delivery_timeout_ms
        if retriable and ob.attempts <= self.settings.retries and not expired:
            if code in (Err.NOT_LEADER_OR_FOLLOWER, Err.UNKNOWN_TOPIC_OR_PARTITION, Err.LEADER_NOT_AVAILABLE,
                        Err.FENCED_LEADER_EPOCH, Err._TIMED_OUT, Err._TRANSPORT):
                self._refresh_metadata(ob.tp[0])
            # Exponential backoff from retry.backoff.ms up to retry.backoff.max.ms, with librdkafka's
            # +-20% jitter drawn from this producer's seeded stream.
            s = self.settings
            backoff = min(s.retry_backoff_max_ms, s.retry_backoff_ms * 2 ** (ob.attempts - 1))
            backoff = max(1, int(backoff * self._rng.uniform(0.8, 1.2)))
            ob.not_before = self.sim.now + backoff
            self.sim.trace.emit("produce.retry", node=self.node, topic=ob.tp[0], partition=ob.tp[1],
                                batch=ob.batch_id, error=error.name(), attempt=ob.attempts, backoff_ms=backoff)
            self._enqueue(ob, retry=True)
            self.sim.schedule(backoff, self._pump_all)
        else:
            self._fail(ob, self._timed_out(ob) if expired and retriable else error)
        if pump:
            self._pump(broker_id)

    def _bump_epoch(self) -> None:
        self.producer_epoch += 1
        self.sim.trace.emit("producer.epoch_bump", node=self.node, producer_id=self.producer_id,
                            producer_epoch=self.producer_epoch)
        self._next_seq = {}
        for tp in sorted(self._unacked):
            seq = 0
            for b in self._unacked[tp]:
                b.sequence = seq
                seq += len(b.records)
            self._next_seq[tp] = seq

    def _pump_all(self) -> None:
        for b in sorted(self._ready):
            self._pump(b)

    def _deliver(self, ob: _OpenBatch, base_offset: int, error: KafkaError | None) -> None:
        if ob.finished:
            return  # purged (or failed) already: a late answer or timer changes nothing
        ob.finished = True
        topic, part = ob.tp
        if self.idempotent:
            unacked = self._unacked.get(ob.tp)
            if unacked and ob in unacked:
                unacked.remove(ob)
        now = self.sim.now
        default = self._dr_cb
        n = len(ob.records)
        self._undelivered -= n
        # A message leaves librdkafka's queue (queue.buffering.max.messages) when its delivery report
        # has been served by poll()/flush(); one without a report leaves now.
        reported = 0
        self._queued_bytes -= ob.bytes - BATCH_OVERHEAD
        if error is None:
            self.sim.trace.emit("produce.ack", node=self.node, topic=topic, partition=part, batch=ob.batch_id,
                                base_offset=base_offset, records=len(ob.records))
            if self.latency_samples is not None:
                self.latency_samples.extend([now - t for t in (ob.enq_ms or [r[2] for r in ob.records])])
        cbs = ob.callbacks
        if (self._dr_only_error and error is None) or (cbs is None and default is None):
            self._queued_msgs -= n
            return
        enq = ob.enq_ms
        reports = self._reports
        for i, rec in enumerate(ob.records):
            cb = (cbs[i] if cbs is not None else None) or default
            if cb is None:
                continue
            off = base_offset + i if base_offset >= 0 and error is None else -1001
            msg = Message(topic, part, off, rec[0], rec[1], rec[3], (TIMESTAMP_CREATE_TIME, rec[2]), error,
                          (now - (enq[i] if enq is not None else rec[2])) / 1000.0)
            reports.append((cb, error, msg))
            reported += 1
        self._queued_msgs -= n - reported

    def _fail(self, ob: _OpenBatch, error: KafkaError) -> None:
        if ob.finished:
            return
        self.sim.trace.emit("produce.fail", node=self.node, topic=ob.tp[0], partition=ob.tp[1], batch=ob.batch_id,
                            error=error.name(), records=len(ob.records))
        if self._txn_id is not None:
            self._txn_produce_error(ob, error.code(), self._leaders.get(ob.tp, -1))
        self._deliver(ob, -1, error)

    # -- serving delivery reports -----------------------------------------------------------
    def _serve(self) -> int:
        n = 0
        while self._reports:
            batch, self._reports = self._reports, []
            for cb, err, msg in batch:
                n += 1
                self._queued_msgs -= 1
                cb(err, msg)
        return n

    def _wait_limit_ms(self) -> int:
        """An endless wait ends when everything outstanding has had time to fail (virtual time)."""
        return self.delivery_timeout_ms + self.settings.socket_timeout_ms + 1000

    def poll(self, timeout: float = -1) -> int:
        """Serve delivery reports; waits up to ``timeout`` seconds of *virtual* time for one.

        ``poll()`` (or a negative timeout) waits until a report is there; with nothing outstanding it
        returns 0 at once.  Simplification: librdkafka would block forever.
        """
        self._check_closed()
        ms = timeout_ms(timeout)
        if not self._reports and ms and self._undelivered:
            self.sim.run_for(self._wait_limit_ms() if ms < 0 else min(ms, self._wait_limit_ms()),
                             until=lambda: bool(self._reports))
        return self._serve()

    def flush(self, timeout: float = -1) -> int:
        """Send everything (lingering batches too), wait for all reports, serve them.

        Returns the number of messages still outstanding (0 unless ``timeout`` ran out).  A
        transactional producer in a fatal state raises its fatal error, as librdkafka does.
        """
        self._check_closed()
        ms = timeout_ms(timeout)
        for ob in list(self._open.values()):
            if not ob.ready:
                self._close(ob, "flush")
        self.sim.run_for(self._wait_limit_ms() if ms < 0 else ms, until=lambda: self._undelivered == 0)
        self._serve()
        if self._txn_fatal is not None:
            raise KafkaException(self._txn_fatal)
        return len(self)

    def purge(self, in_queue: bool = True, in_flight: bool = True, blocking: bool = True) -> None:
        """Fail queued (``_PURGE_QUEUE``) and/or in-flight (``_PURGE_INFLIGHT``) messages; their
        delivery reports come with the next ``poll()``/``flush()``, as in librdkafka."""
        self._check_closed()
        if in_queue:
            for ob in list(self._open.values()):
                del self._open[ob.tp]
                if ob.linger_timer is not None:
                    ob.linger_timer.cancel()
                if not ob.sealed:
                    self._deliver(ob, -1, KafkaError(Err._PURGE_QUEUE))
            for broker_id in sorted(self._ready):
                waiting, self._ready[broker_id] = self._ready[broker_id], []
                for ob in waiting:
                    self._deliver(ob, -1, KafkaError(Err._PURGE_QUEUE))
            for topic in sorted(self._unassigned):
                for rec in self._unassigned.pop(topic):
                    self._report_held(topic, rec, KafkaError(Err._PURGE_QUEUE))
        if in_flight:
            for broker_id in sorted(self._requests):
                for obs, state in self._requests.pop(broker_id):
                    if not state["done"]:
                        state["done"] = True
                        self._in_flight[broker_id] -= 1
                        for ob in obs:
                            self._deliver(ob, -1, KafkaError(Err._PURGE_INFLIGHT))

    def list_topics(self, topic: str | None = None, timeout: float = -1):
        """Cluster metadata; a producer's request for one topic auto-creates it, as the broker does
        for a MetadataRequest with ``allow.auto.create.topics`` (a producer's default)."""
        if self._closed:
            raise RuntimeError("Handle has been closed")
        timeout_ms(timeout)
        from .admin import cluster_metadata

        if topic is not None:
            self._topic_partitions(topic)
        return cluster_metadata(self.cluster, topic)

    def __len__(self) -> int:
        return self._queued_msgs

    def __repr__(self) -> str:
        return f"<Producer {self.node} acks={self.acks} queued={self._queued_msgs}>"


def _allocate_producer_id(cluster) -> tuple[int, int]:
    """``InitProducerId`` for an idempotent producer: a fresh producer id, epoch 0.

    Simplification: the request costs no round trip (see ``txn.coordinator.allocate_producer_id``).
    """
    from ..txn.coordinator import allocate_producer_id

    nxt = allocate_producer_id(cluster)
    cluster.sim.trace.emit("producer.init_id", node=None, producer_id=nxt, producer_epoch=0)
    return nxt, 0


def _type_name(x) -> str:
    return "None" if x is None else type(x).__name__


def _to_bytes(x, position: int) -> bytes:
    """confluent-kafka's value (argument 2) and key (3): str (UTF-8) or bytes; serialize anything else."""
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, bytes):
        return bytes(x)
    if isinstance(x, (bytearray, memoryview)):
        raise TypeError(f"argument {position} must be read-only bytes-like object, not {type(x).__name__}")
    raise TypeError(f"a bytes-like object is required, not '{type(x).__name__}' (serialize it first, e.g. "
                    f"json.dumps(...).encode())")


def _as_int(x) -> int:
    """An integer argument as CPython's ``PyArg_Parse`` takes it (bool is an int; float and str are not)."""
    if isinstance(x, int):
        return int(x)
    raise TypeError(f"'{_type_name(x) if x is not None else 'NoneType'}' object cannot be interpreted as an integer")


class JavaProducer(Producer):
    """The Java client's ``KafkaProducer`` rules over the same engine: its property names and defaults.

    Differences from the librdkafka ``Producer`` that matter in notebooks: ``batch.size`` 16384
    bytes (not 1 MB), idempotence on by default, ``delivery.timeout.ms`` 120000, the murmur2
    partitioner, and ``buffer.memory``: when it is full, ``send`` blocks up to ``max.block.ms``
    (virtual time) and then raises ``TimeoutException`` rather than ``BufferError``.

        jp = JavaProducer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 20})
        jp.send("orders", key=b"42", value=b"placed", callback=lambda md, exc: ...)
    """

    def __init__(self, conf: dict | None = None, cluster=None, **kwargs):
        conf = dict(conf or {})
        conf.update(kwargs)
        d = dict(kconfig.JAVA_PRODUCER_DEFAULTS)
        unknown = sorted(k for k in conf if k not in d)
        if unknown:
            raise ConfigException(KafkaError(Err._INVALID_ARG, f"Unknown producer config {unknown[0]!r} for the Java "
                                                             f"client (this profile knows {len(d)} ProducerConfig "
                                                             f"names)"))
        servers = conf.get("bootstrap.servers", d["bootstrap.servers"])
        servers = ",".join(servers) if isinstance(servers, list) else servers
        explicit = cluster is not None
        cluster = _resolve_cluster({"bootstrap.servers": servers}, cluster)
        # The Java client's defaults of the cluster's version profile (acks, enable.idempotence,
        # linger.ms: KIP-679, KAFKA-13598, KIP-1030; see kafkalab.profiles).
        d.update(kprofiles.java_producer_defaults(getattr(cluster, "profile", None)))
        if str(conf.get("enable.idempotence", "")).lower() == "true" and "acks" not in conf:
            d["acks"] = "all"  # KafkaProducer: an idempotent producer without an acks setting uses all
        d.update(conf)
        acks = _acks_value(d["acks"])
        if acks not in (-1, 0, 1):
            raise ConfigException(KafkaError(Err._INVALID_ARG, f"Invalid value {d['acks']} for configuration acks: "
                                                             f"String must be one of: all, -1, 0, 1"))
        idem = str(d["enable.idempotence"]).lower() == "true"
        mif = int(d["max.in.flight.requests.per.connection"])
        if idem and (acks != -1 or mif > 5):
            if "enable.idempotence" in conf:
                raise ConfigException(KafkaError(
                    Err._INVALID_ARG, "Must set acks to all in order to use the idempotent producer. Otherwise we "
                                      "cannot guarantee idempotence." if acks != -1 else
                    "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."))
            idem = False  # Kafka 3.2+: idempotence silently off when only the defaults conflict
        linger = int(d["linger.ms"])
        s = ProducerSettings("java", d.get("client.id") or None, acks, linger, int(d["batch.size"]),
                             2**31 - 1, mif, int(d["retries"]), int(d["retry.backoff.ms"]),
                             int(d["request.timeout.ms"]), int(d["delivery.timeout.ms"]),
                             int(d["max.request.size"]), 2**31 - 1, int(d["buffer.memory"]), idem,
                             str(d["compression.type"]), "java", 0, max_block_ms=int(d["max.block.ms"]),
                             metadata_refresh_ms=int(d["metadata.max.age.ms"]),
                             retry_backoff_max_ms=int(d["retry.backoff.max.ms"]),
                             transactional_id=d.get("transactional.id") or None,
                             transaction_timeout_ms=int(d["transaction.timeout.ms"]),
                             socket_timeout_ms=int(d["request.timeout.ms"]))
        self.config = d
        # The 4.x Java producer speaks the KIP-890 protocol (EndTxn v5) when the cluster's
        # transaction.version is 2: the coordinator then bumps its epoch at every commit and abort.
        # Simplification: it still sends AddPartitionsToTxn itself; with TV2 the Java client leaves that
        # to the partition leader (KIP-890 part 2), which changes the RPCs, not what ends up in the logs.
        s.client_transaction_version = 2 if int(cluster.broker_config["transaction.version"]) >= 2 else 0
        s.java_sticky = kprofiles.java_partitioner(getattr(cluster, "profile", None))
        self._start(s, cluster, None, False)
        _attach(self, servers, explicit)

    def _reserve(self, size: int) -> None:
        s = self.settings
        if self._queued_bytes + size <= s.queue_max_bytes:
            return
        # KafkaProducer.send blocks in the accumulator for up to max.block.ms waiting for space.
        self.sim.trace.emit("produce.buffer_full", node=self.node, queued_bytes=self._queued_bytes)
        for ob in list(self._open.values()):
            self._close(ob, "buffer full")
        self.sim.run_for(s.max_block_ms, until=lambda: self._queued_bytes + size <= s.queue_max_bytes)
        if self._queued_bytes + size > s.queue_max_bytes:
            from ..errors import exception_for

            raise exception_for(Err.REQUEST_TIMED_OUT, f"Failed to allocate {size} bytes within the configured max "
                                                       f"blocking time {s.max_block_ms} ms (buffer.memory "
                                                       f"{s.queue_max_bytes} is full)")

    def send(self, topic: str, value=None, key=None, partition: int | None = None, timestamp: int = 0,
             headers=None, callback: Callable | None = None) -> None:
        """``KafkaProducer.send``: ``callback(metadata, exception)`` like Java's ``Callback``."""
        def report(err, msg):
            if callback is not None:
                callback(None if err else msg, None if err is None else err)

        self.produce(topic, value=value, key=key, partition=-1 if partition is None else partition,
                     on_delivery=report, timestamp=timestamp, headers=headers)
