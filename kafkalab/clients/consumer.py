"""``Consumer``: confluent-kafka's consumer API over the simulated cluster (first cut: ``assign``).

Kafka/librdkafka behaviour modelled:

* ``assign([TopicPartition(...)])`` sets the partitions to read and where to start:
  ``OFFSET_BEGINNING`` (-2), ``OFFSET_END`` (-1), a concrete offset, or ``OFFSET_STORED`` /
  ``OFFSET_INVALID``, which fall back to ``auto.offset.reset`` (librdkafka default ``largest``)
  when there is no committed offset.
* Fetches go to each partition's leader and return records up to the high watermark only.
  An empty fetch waits up to ``fetch.wait.max.ms`` (500) on the broker for ``fetch.min.bytes``.
* ``poll(timeout)`` returns one ``Message`` (or ``None`` after ``timeout`` seconds of *virtual*
  time); ``consume(num_messages, timeout)`` returns a list.  An out-of-range position is reset
  by ``auto.offset.reset`` (or reported as ``_AUTO_OFFSET_RESET`` with ``error``).
* ``seek``, ``position``, ``pause``/``resume``, ``get_watermark_offsets``,
  ``offsets_for_times``, ``commit``/``committed`` (stored per group on the cluster — the group
  protocol and ``__consumer_offsets`` come with the consumer-group model).
"""
from __future__ import annotations

from collections import deque

from .. import config as kconfig
from ..cluster.metadata import NO_LEADER
from ..errors import Err, KafkaError, KafkaException
from .common import (
    OFFSET_BEGINNING,
    OFFSET_END,
    OFFSET_INVALID,
    OFFSET_STORED,
    TIMESTAMP_CREATE_TIME,
    Message,
    TopicPartition,
)
from .producer import _PY_CALLBACKS, _resolve_cluster


class Consumer:
    """confluent-kafka ``Consumer``; ``cluster=`` picks the simulated cluster explicitly."""

    def __init__(self, conf: dict | None = None, cluster=None, **kwargs):
        conf = dict(conf or {})
        conf.update(kwargs)
        self._callbacks = {k: conf.pop(k) for k in list(conf)
                           if (k in _PY_CALLBACKS or k in ("on_commit",)) and callable(conf[k])}
        cfg = kconfig.validate_client_config(conf, "consumer")
        self.config = cfg
        self.cluster = _resolve_cluster(conf, cluster)
        self.sim = self.cluster.sim
        cid = cfg.get("client.id")
        self.node = cid if cid not in (None, "", "rdkafka") else self.cluster.new_client_name("consumer")
        self.group_id = cfg.get("group.id")
        self.auto_offset_reset = str(cfg.get("auto.offset.reset", "largest")).lower()
        self.fetch_wait_max_ms = int(cfg.get("fetch.wait.max.ms", 500))
        self.fetch_min_bytes = int(cfg.get("fetch.min.bytes", 1))
        self.fetch_max_bytes = int(cfg.get("fetch.max.bytes", 52428800))
        self.partition_max_bytes = int(cfg.get("max.partition.fetch.bytes", 1048576))
        self.partition_eof = bool(cfg.get("enable.partition.eof", False))
        self._assignment: dict[tuple, int] = {}  # tp -> next offset to fetch (or a logical offset)
        self._positions: dict[tuple, int] = {}  # tp -> offset after the last message returned
        self._paused: set = set()
        self._buffer: deque = deque()
        self._in_flight: set[int] = set()
        self._leaders: dict[tuple, int] = {}
        self._eof_sent: set = set()
        self._closed = False
        self.cluster.clients.append(self)
        self.sim.trace.emit("client.create", node=self.node, role="consumer", group=self.group_id)

    # -- assignment -------------------------------------------------------------------------
    def assign(self, partitions: list[TopicPartition]) -> None:
        self._check_open()
        self._assignment.clear()
        self._positions.clear()
        self._buffer.clear()
        for tp in partitions:
            self._add(tp)
        self.sim.trace.emit("consumer.assign", node=self.node,
                            partitions=[f"{t}-{p}" for t, p in sorted(self._assignment)])

    def incremental_assign(self, partitions: list[TopicPartition]) -> None:
        self._check_open()
        for tp in partitions:
            self._add(tp)

    def incremental_unassign(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._assignment.pop((tp.topic, tp.partition), None)
            self._positions.pop((tp.topic, tp.partition), None)
        keep = set(self._assignment)
        self._buffer = deque(m for m in self._buffer if (m._topic, m._partition) in keep)

    def unassign(self) -> None:
        self._assignment.clear()
        self._positions.clear()
        self._buffer.clear()

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(t, p) for t, p in sorted(self._assignment)]

    def _add(self, tp: TopicPartition) -> None:
        image = self.cluster.controller.image
        t = image.topics.get(tp.topic)
        if t is None or not 0 <= tp.partition < len(t.partitions):
            raise KafkaException(KafkaError(Err._UNKNOWN_PARTITION,
                                            f"Local: Unknown partition {tp.topic} [{tp.partition}]"))
        key = (tp.topic, tp.partition)
        self._assignment[key] = self._resolve_start(key, tp.offset)

    def _resolve_start(self, key, offset: int) -> int:
        if offset >= 0:
            return offset
        if offset in (OFFSET_STORED, OFFSET_INVALID):
            committed = self._committed_offset(key)
            if committed is not None:
                return committed
            offset = OFFSET_BEGINNING if self.auto_offset_reset in ("smallest", "earliest", "beginning") \
                else OFFSET_END
            if self.auto_offset_reset == "error":
                return -1001
        leader = self.cluster.leader_replica(*key)
        if leader is None:
            return offset
        return leader.log.log_start_offset if offset == OFFSET_BEGINNING else leader.log.high_watermark

    # -- committed offsets (a per-group store until the group coordinator lands) ------------
    def _store(self) -> dict:
        return self.cluster.__dict__.setdefault("_committed_offsets", {})

    def _committed_offset(self, key) -> int | None:
        if not self.group_id:
            return None
        return self._store().get((self.group_id,) + key)

    def commit(self, message: Message | None = None, offsets: list[TopicPartition] | None = None,
               asynchronous: bool = True):
        self._check_open()
        if not self.group_id:
            raise KafkaException(KafkaError(Err._INVALID_ARG, "Local: group.id is not set: commits need a group"))
        if message is not None:
            items = [((message.topic(), message.partition()), message.offset() + 1)]
        elif offsets is not None:
            items = [((tp.topic, tp.partition), tp.offset) for tp in offsets]
        else:
            items = sorted(self._positions.items())
        if not items:
            raise KafkaException(KafkaError(Err._NO_OFFSET, "Local: No offset stored"))
        store = self._store()
        for key, off in items:
            store[(self.group_id,) + key] = off
            self.sim.trace.emit("consumer.commit", node=self.node, group=self.group_id, topic=key[0],
                                partition=key[1], offset=off)
        result = [TopicPartition(k[0], k[1], o) for k, o in items]
        return None if asynchronous else result

    def committed(self, partitions: list[TopicPartition], timeout: float | None = None) -> list[TopicPartition]:
        out = []
        for tp in partitions:
            off = self._committed_offset((tp.topic, tp.partition))
            out.append(TopicPartition(tp.topic, tp.partition, OFFSET_INVALID if off is None else off))
        return out

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        out = []
        for tp in partitions:
            key = (tp.topic, tp.partition)
            out.append(TopicPartition(tp.topic, tp.partition, self._positions.get(key, OFFSET_INVALID)))
        return out

    # -- seeking and flow control ------------------------------------------------------------
    def seek(self, partition: TopicPartition) -> None:
        key = (partition.topic, partition.partition)
        if key not in self._assignment:
            raise KafkaException(KafkaError(Err._STATE, f"Local: Erroneous state: {key[0]} [{key[1]}] is not assigned"))
        self._assignment[key] = self._resolve_start(key, partition.offset)
        self._positions.pop(key, None)
        self._buffer = deque(m for m in self._buffer if (m._topic, m._partition) != key)
        self._eof_sent.discard(key)
        self.sim.trace.emit("consumer.seek", node=self.node, topic=key[0], partition=key[1],
                            offset=self._assignment[key])

    def pause(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._paused.add((tp.topic, tp.partition))

    def resume(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._paused.discard((tp.topic, tp.partition))

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float | None = None,
                              cached: bool = False) -> tuple[int, int]:
        rep = self.cluster.leader_replica(partition.topic, partition.partition)
        if rep is None:
            raise KafkaException(KafkaError(Err.LEADER_NOT_AVAILABLE))
        return rep.log.log_start_offset, rep.log.high_watermark

    def offsets_for_times(self, partitions: list[TopicPartition], timeout: float | None = None):
        out = []
        for tp in partitions:
            b = self.cluster.brokers.get(self.cluster.describe(tp.topic).partitions[tp.partition].leader)
            err, off = b.list_offset((tp.topic, tp.partition), tp.offset) if b else (Err.LEADER_NOT_AVAILABLE, -1)
            out.append(TopicPartition(tp.topic, tp.partition, off))
        return out

    def list_topics(self, topic: str | None = None, timeout: float = -1):
        from .admin import cluster_metadata

        return cluster_metadata(self.cluster, topic)

    # -- fetching ---------------------------------------------------------------------------
    def _leader_of(self, key) -> int:
        p = self.cluster.controller.image.partition(*key)
        return NO_LEADER if p is None else p.leader

    def _send_fetches(self) -> None:
        by_leader: dict[int, dict] = {}
        for key, off in self._assignment.items():
            if key in self._paused or off < 0:
                if off < 0 and off != -1001:
                    self._assignment[key] = self._resolve_start(key, off)
                continue
            leader = self._leader_of(key)
            if leader == NO_LEADER or leader in self._in_flight:
                continue
            by_leader.setdefault(leader, {})[key] = off
        for leader, parts in sorted(by_leader.items()):
            b = self.cluster.brokers[leader]
            self._in_flight.add(leader)
            req = {"client": self.node, "partitions": parts, "max_wait_ms": self.fetch_wait_max_ms,
                   "min_bytes": self.fetch_min_bytes, "max_bytes": self.fetch_max_bytes,
                   "partition_max_bytes": self.partition_max_bytes, "isolation_level": "read_uncommitted"}
            self.sim.network.send(self.node, b.node, "FetchRequest", b.on_fetch, req,
                                  lambda resp, leader=leader, parts=parts: self._on_fetch(leader, parts, resp))
            # A lost request or response frees the slot after socket.timeout.ms-ish (Simplification: 30 s).
            self.sim.schedule(30000, self._fetch_lost, leader, parts)

    def _fetch_lost(self, leader: int, parts: dict) -> None:
        self._in_flight.discard(leader)

    def _on_fetch(self, leader: int, parts: dict, resp: dict) -> None:
        self._in_flight.discard(leader)
        if self._closed:
            return
        buf = self._buffer
        for key, r in resp.items():
            if key not in self._assignment or self._assignment[key] != parts[key]:
                continue  # reassigned or sought meanwhile
            err = r["error"]
            if err == Err.OFFSET_OUT_OF_RANGE:
                reset = self.auto_offset_reset
                if reset == "error":
                    buf.append(Message(key[0], key[1], parts[key], None, None,
                                       error=KafkaError(Err._AUTO_OFFSET_RESET, "Local: offset out of range")))
                    self._assignment[key] = -1001
                else:
                    self._assignment[key] = r["log_start"] if reset in ("smallest", "earliest", "beginning") \
                        else r["hw"]
                    self.sim.trace.emit("consumer.offset_reset", node=self.node, topic=key[0], partition=key[1],
                                        to=self._assignment[key], policy=reset)
                continue
            if err != Err.NONE:
                continue
            start = parts[key]
            nxt = start
            topic, part = key
            for b in r["batches"]:
                if b.is_control:
                    nxt = b.last_offset + 1
                    continue
                for off, rec in b.iter_offsets():
                    if off < start:
                        continue
                    buf.append(Message(topic, part, off, rec[0], rec[1], rec[3], (TIMESTAMP_CREATE_TIME, rec[2]),
                                       None, None, b.leader_epoch))
                    nxt = off + 1
                nxt = max(nxt, b.last_offset + 1)
            self._assignment[key] = nxt
            if self.partition_eof and nxt >= r["hw"] and key not in self._eof_sent:
                self._eof_sent.add(key)
                buf.append(Message(topic, part, nxt, None, None,
                                   error=KafkaError(Err._PARTITION_EOF, f"Fetch from broker {leader} reached end "
                                                                        f"of partition at offset {nxt}")))
            elif nxt < r["hw"]:
                self._eof_sent.discard(key)

    def _take(self, n: int) -> list[Message]:
        out = []
        buf = self._buffer
        pos = self._positions
        while buf and len(out) < n:
            m = buf.popleft()
            if m._error is None:
                pos[(m._topic, m._partition)] = m._offset + 1
            out.append(m)
        return out

    def poll(self, timeout: float | None = None) -> Message | None:
        msgs = self.consume(1, -1 if timeout is None else timeout)
        return msgs[0] if msgs else None

    def consume(self, num_messages: int = 1, timeout: float = -1) -> list[Message]:
        self._check_open()
        if not self._buffer:
            self._send_fetches()
            ms = 2**62 if timeout is None or timeout < 0 else int(timeout * 1000)
            if ms > 0:
                deadline = self.sim.now + ms
                while not self._buffer and self.sim.now < deadline:
                    self.sim.run(until_ms=deadline, until=lambda: bool(self._buffer) or not self._in_flight)
                    if self._buffer:
                        break
                    if not self._in_flight:
                        self._send_fetches()
                        if not self._in_flight:
                            if self.sim.next_time() is None:
                                break
                            self.sim.run(until_ms=min(deadline, self.sim.now + self.fetch_wait_max_ms))
        return self._take(num_messages)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.sim.trace.emit("consumer.close", node=self.node)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Consumer closed")

    def __repr__(self) -> str:
        return f"<Consumer {self.node} group={self.group_id} assigned={len(self._assignment)}>"
