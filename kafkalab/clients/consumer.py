"""``Consumer``: confluent-kafka's consumer API over the simulated cluster: ``assign`` and groups.

Kafka/librdkafka behaviour modelled:

* ``assign([TopicPartition(...)])`` sets the partitions to read and where to start:
  ``OFFSET_BEGINNING`` (-2), ``OFFSET_END`` (-1), a concrete offset, or ``OFFSET_STORED`` /
  ``OFFSET_INVALID``, which fall back to ``auto.offset.reset`` (librdkafka default ``largest``)
  when there is no committed offset.
* Fetches go to each partition's leader and return records up to the high watermark only.
  An empty fetch waits up to ``fetch.wait.max.ms`` (500) on the broker for ``fetch.min.bytes``.
* ``isolation.level`` (librdkafka default ``read_committed``; the Java consumer's default is
  ``read_uncommitted``): a ``read_committed`` fetch stops at the partition's last stable offset and
  the consumer drops the records of aborted transactions, using the aborted-transactions list of the
  response as Kafka's and librdkafka's consumers do; transaction markers are never delivered, but
  the position moves past them.  ``get_watermark_offsets`` and ``OFFSET_END`` mean the LSO there.
* ``consumer_group_metadata()`` is librdkafka's serialized ``CGMDv2`` blob (bytes): generation,
  group id, member id, group instance id, for ``send_offsets_to_transaction``.
* ``poll(timeout)`` returns one ``Message`` (or ``None`` after ``timeout`` seconds of *virtual*
  time); ``consume(num_messages, timeout)`` returns a list.  An out-of-range position is reset
  by ``auto.offset.reset`` (or reported as ``_AUTO_OFFSET_RESET`` with ``error``).
* ``seek``, ``position``, ``pause``/``resume``, ``get_watermark_offsets``, ``offsets_for_times``.
* Groups (:mod:`kafkalab.groups.membership`): ``subscribe(topics, on_assign, on_revoke, on_lost)``
  joins the group through its coordinator (classic JoinGroup/SyncGroup with the client-side
  ``partition.assignment.strategy``, librdkafka default ``range,roundrobin``; or KIP-848
  ``group.protocol=consumer``).  Rebalance callbacks run inside ``poll()``, as in confluent-kafka.
* Offsets: ``commit()`` (sync/async, a message, explicit offsets, or the stored offsets) writes
  records to ``__consumer_offsets``; ``committed()`` reads them back; ``enable.auto.commit``
  commits the *stored* offsets every ``auto.commit.interval.ms``, and with
  ``enable.auto.offset.store`` (default) a message's offset is stored when ``poll()`` *returns*
  it — before the application has processed it.  ``store_offsets()`` stores explicitly.
* ``crash()`` silences the consumer (no LeaveGroup: the coordinator notices after
  ``session.timeout.ms``); ``close()`` commits (auto-commit), revokes and sends LeaveGroup.
"""
from __future__ import annotations

import struct
from collections import deque

from .. import config as kconfig
from ..cluster.log import decode_end_txn_marker
from ..cluster.metadata import NO_LEADER
from ..errors import Err, KafkaError, KafkaException
from ..groups.membership import GroupMember
from .common import (
    OFFSET_BEGINNING,
    OFFSET_END,
    OFFSET_INVALID,
    OFFSET_STORED,
    TIMESTAMP_CREATE_TIME,
    Message,
    TopicPartition,
    client_conf,
)
from .producer import _PY_CALLBACKS, _attach, _resolve_cluster, _servers


class Consumer(GroupMember):
    """confluent-kafka ``Consumer``; ``cluster=`` picks the simulated cluster explicitly."""

    def __init__(self, *conf: dict, cluster=None, **kwargs):
        conf = client_conf("consumer", conf, kwargs)
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
        self.isolation_level = str(cfg.get("isolation.level", "read_committed"))
        self._assignment: dict[tuple, int] = {}  # tp -> next offset to fetch (or a logical offset)
        self._positions: dict[tuple, int] = {}  # tp -> offset after the last message returned
        self._paused: set = set()
        self._buffer: deque = deque()
        self._in_flight: set[int] = set()
        self._fetch_seq = 0
        self._fetch_ids: dict[int, int] = {}  # leader -> number of the fetch in flight
        self._fetch_timers: dict = {}
        self._leaders: dict[tuple, int] = {}
        self._eof_sent: set = set()
        self._closed = False
        self._init_group(cfg)
        self.cluster.clients.append(self)
        self.sim.trace.emit("client.create", node=self.node, role="consumer", group=self.group_id)
        _attach(self, _servers(conf), cluster is not None)

    # -- assignment -------------------------------------------------------------------------
    def assign(self, partitions: list[TopicPartition]) -> None:
        self._check_open()
        self._assign_called = True
        self._assignment.clear()
        self._positions.clear()
        self._buffer.clear()
        for tp in partitions:
            self._add(tp)
        self.sim.trace.emit("consumer.assign", node=self.node,
                            partitions=[f"{t}-{p}" for t, p in sorted(self._assignment)])

    def incremental_assign(self, partitions: list[TopicPartition]) -> None:
        self._check_open()
        self._assign_called = True
        for tp in partitions:
            self._add(tp)
        self.sim.trace.emit("consumer.incremental_assign", node=self.node,
                            partitions=[f"{tp.topic}-{tp.partition}" for tp in partitions])

    def incremental_unassign(self, partitions: list[TopicPartition]) -> None:
        self._assign_called = True
        self.sim.trace.emit("consumer.incremental_unassign", node=self.node,
                            partitions=[f"{tp.topic}-{tp.partition}" for tp in partitions])
        for tp in partitions:
            self._assignment.pop((tp.topic, tp.partition), None)
            self._positions.pop((tp.topic, tp.partition), None)
        keep = set(self._assignment)
        self._buffer = deque(m for m in self._buffer if (m._topic, m._partition) in keep)

    def unassign(self) -> None:
        self._assign_called = True
        self.sim.trace.emit("consumer.unassign", node=self.node,
                            partitions=[f"{t}-{p}" for t, p in sorted(self._assignment)])
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
        if offset == OFFSET_BEGINNING:
            return leader.log.log_start_offset
        return leader.log.last_stable_offset if self.isolation_level == "read_committed" else \
            leader.log.high_watermark

    # -- committed offsets: records in __consumer_offsets, through the group coordinator ---------
    def _committed_offset(self, key) -> int | None:
        if not self.group_id:
            return None
        return self._fetch_committed([key]).get(key)

    def commit(self, message: Message | None = None, offsets: list[TopicPartition] | None = None,
               asynchronous: bool = True):
        """Commit ``message.offset() + 1``, explicit ``offsets``, or the stored offsets (confluent-kafka).

        Synchronous commits return the committed ``TopicPartition`` list or raise the broker's error
        (``UNKNOWN_MEMBER_ID``, ``ILLEGAL_GENERATION``, ``REBALANCE_IN_PROGRESS`` ...); asynchronous
        ones return None and report to the ``on_commit`` callback.
        """
        self._check_open()
        if not self.group_id:
            raise KafkaException(KafkaError(Err._INVALID_ARG, "Local: group.id is not set: commits need a group"))
        if message is not None:
            items = [((message.topic(), message.partition()), message.offset() + 1)]
        elif offsets is not None:
            items = [((tp.topic, tp.partition), tp.offset) for tp in offsets]
        else:
            items = sorted((k, o) for k, o in self._stored.items() if k in self._assignment)
        if not items:
            raise KafkaException(KafkaError(Err._NO_OFFSET, "Local: No offset stored"))
        return self._commit_items(items, asynchronous=asynchronous)

    def committed(self, partitions: list[TopicPartition], timeout: float | None = None) -> list[TopicPartition]:
        """The group's committed offsets (``OffsetFetch``; ``OFFSET_INVALID`` where none)."""
        got = self._fetch_committed([(tp.topic, tp.partition) for tp in partitions]) if self.group_id else {}
        return [TopicPartition(tp.topic, tp.partition, got.get((tp.topic, tp.partition), OFFSET_INVALID))
                for tp in partitions]

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
        """Stop fetching these partitions (records already fetched are dropped, as librdkafka does)."""
        for tp in partitions:
            self._paused.add((tp.topic, tp.partition))
        keep = self._paused
        for m in self._buffer:
            key = (m._topic, m._partition)
            if key in keep and key in self._assignment and m._error is None:
                self._assignment[key] = min(self._assignment[key], m._offset)
        self._buffer = deque(m for m in self._buffer if (m._topic, m._partition) not in keep)
        self.sim.trace.emit("consumer.pause", node=self.node, partitions=[f"{t.topic}-{t.partition}" for t in partitions])

    def resume(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._paused.discard((tp.topic, tp.partition))
        self.sim.trace.emit("consumer.resume", node=self.node,
                            partitions=[f"{t.topic}-{t.partition}" for t in partitions])

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float | None = None,
                              cached: bool = False) -> tuple[int, int]:
        rep = self.cluster.leader_replica(partition.topic, partition.partition)
        if rep is None:
            raise KafkaException(KafkaError(Err.LEADER_NOT_AVAILABLE))
        # ListOffsets carries the consumer's isolation.level: "latest" is the LSO for read_committed.
        high = rep.log.last_stable_offset if self.isolation_level == "read_committed" else rep.log.high_watermark
        return rep.log.log_start_offset, high

    def consumer_group_metadata(self) -> bytes:
        """The group's generation and member for ``send_offsets_to_transaction`` (KIP-447).

        librdkafka serializes it (``rd_kafka_consumer_group_metadata_write``) and confluent-kafka
        returns those bytes: ``"CGMDv2:" int32 generation, group id NUL, member id NUL, is-null byte,
        [group instance id NUL]``.  A consumer that has not joined yet gives generation -1, member "".
        """
        self._check_open()
        gen = self.generation_id if getattr(self, "_subscription", None) is not None else -1
        member = (self.member_id or "") if gen >= 0 else ""
        inst = self.config.get("group.instance.id") or None
        out = b"CGMDv2:" + struct.pack("<i", gen) + (self.group_id or "").encode() + b"\0" + member.encode() + b"\0"
        out += b"\x01" if inst is None else b"\x00" + inst.encode() + b"\0"
        return out

    def offsets_for_times(self, partitions: list[TopicPartition], timeout: float | None = None):
        out = []
        for tp in partitions:
            b = self.cluster.brokers.get(self.cluster.describe(tp.topic).partitions[tp.partition].leader)
            _err, off = b.list_offset((tp.topic, tp.partition), tp.offset) if b else (Err.LEADER_NOT_AVAILABLE, -1)
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
                   "partition_max_bytes": self.partition_max_bytes, "isolation_level": self.isolation_level}
            self._fetch_seq += 1
            seq = self._fetch_seq
            self._fetch_ids[leader] = seq
            self.sim.network.send(self.node, b.node, "FetchRequest", b.on_fetch, req,
                                  lambda resp, leader=leader, parts=parts, seq=seq: self._on_fetch(leader, parts,
                                                                                                    resp, seq))
            # A lost request or response frees the slot after socket.timeout.ms-ish (Simplification: 30 s).
            self._fetch_timers[leader] = self.sim.schedule(30000, self._fetch_lost, leader, seq)

    def _fetch_lost(self, leader: int, seq: int) -> None:
        if self._fetch_ids.get(leader) == seq:  # only if that very fetch is still the one in flight
            self._in_flight.discard(leader)

    def _on_fetch(self, leader: int, parts: dict, resp: dict, seq: int | None = None) -> None:
        if seq is not None and self._fetch_ids.get(leader) != seq:
            return  # a late answer to a fetch already given up on
        self._in_flight.discard(leader)
        t = self._fetch_timers.pop(leader, None)
        if t is not None:
            t.cancel()
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
            aborted = sorted(r.get("aborted") or (), key=lambda a: a.first_offset)
            aborted_pids: set = set()
            for b in r["batches"]:
                if aborted:  # the transactions that started by this batch and were aborted (CompletedFetch)
                    while aborted and aborted[0].first_offset <= b.last_offset:
                        aborted_pids.add(aborted.pop(0).producer_id)
                if b.is_control:
                    if b.producer_id in aborted_pids and b.records and \
                            decode_end_txn_marker(b.records[0][0], b.records[0][1])[0] == "ABORT":
                        aborted_pids.discard(b.producer_id)
                    nxt = b.last_offset + 1
                    continue
                if b.is_transactional and b.producer_id in aborted_pids:
                    nxt = max(nxt, b.last_offset + 1)
                    continue
                for off, rec in b.iter_offsets():
                    if off < start:
                        continue
                    buf.append(Message(topic, part, off, rec[0], rec[1], rec[3], (TIMESTAMP_CREATE_TIME, rec[2]),
                                       None, None, b.leader_epoch))
                    nxt = off + 1
                nxt = max(nxt, b.last_offset + 1)
            self._assignment[key] = nxt
            end = r.get("lso", r["hw"]) if self.isolation_level == "read_committed" else r["hw"]
            if self.partition_eof and nxt >= end and key not in self._eof_sent:
                self._eof_sent.add(key)
                buf.append(Message(topic, part, nxt, None, None,
                                   error=KafkaError(Err._PARTITION_EOF, f"Fetch from broker {leader} reached end "
                                                                        f"of partition at offset {nxt}")))
            elif nxt < end:
                self._eof_sent.discard(key)

    def _take(self, n: int) -> list[Message]:
        out = []
        buf = self._buffer
        pos = self._positions
        store = self._stored if (self.group_id and self.auto_offset_store) else None
        while buf and len(out) < n:
            m = buf.popleft()
            if m._error is None:
                pos[(m._topic, m._partition)] = m._offset + 1
                if store is not None:  # enable.auto.offset.store: stored when *returned*, before processing
                    store[(m._topic, m._partition)] = m._offset + 1
            out.append(m)
        return out

    def poll(self, timeout: float | None = None) -> Message | None:
        msgs = self.consume(1, -1 if timeout is None else timeout)
        return msgs[0] if msgs else None

    def consume(self, num_messages: int = 1, timeout: float = -1) -> list[Message]:
        """Up to ``num_messages`` messages, waiting up to ``timeout`` seconds of virtual time.

        Rebalance callbacks (``on_assign``/``on_revoke``/``on_lost``) run in here, and group errors
        such as ``_MAX_POLL_EXCEEDED`` come back as an error message, as in confluent-kafka.
        """
        self._check_open()
        stop = getattr(self.sim, "interrupt_at_ms", None)
        if stop is not None and self.sim.now >= stop:
            raise KeyboardInterrupt(f"the virtual clock reached {stop} ms (Cluster.interrupt_at)")
        self._arm_poll_timer()
        ms = 2**62 if timeout is None or timeout < 0 else int(timeout * 1000)
        deadline = self.sim.now + ms
        while True:
            err = self._serve_events()
            if err is not None:
                return [err]
            if self._buffer:
                break
            self._send_fetches()
            if self.sim.now >= deadline:
                break
            if self._in_flight:
                self.sim.run(until_ms=deadline, until=lambda: bool(self._buffer) or bool(self._events)
                             or not self._in_flight)
            else:
                if self.sim.next_time() is None:
                    break
                self.sim.run(until_ms=min(deadline, self.sim.now + self.fetch_wait_max_ms),
                             until=lambda: bool(self._events))
        self._arm_poll_timer()
        return self._take(num_messages)

    def close(self) -> None:
        """Commit stored offsets (auto-commit), revoke the assignment, leave the group, stop."""
        if self._closed:
            return
        if self._subscription is not None and self.group_state not in ("init", "left"):
            self._serve_events()
            parts = [TopicPartition(t, p) for t, p in sorted(self._assignment)]
            if parts:
                self._revoke(parts, eager=True)
            self._leave_group("close")
            self.sim.run_for(5)  # let the LeaveGroup leave the client
        elif self.enable_auto_commit and self.group_id and self._stored:
            self._commit_stored(sync=True)
        self._closed = True
        for t in (self._hb_timer, self._poll_timer, self._auto_commit_timer):
            if t is not None:
                t.cancel()
        self.sim.trace.emit("consumer.close", node=self.node)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Consumer closed")

    def __repr__(self) -> str:
        return f"<Consumer {self.node} group={self.group_id} assigned={len(self._assignment)}>"


def parse_group_metadata(blob: bytes) -> dict:
    """Read a ``consumer_group_metadata()`` blob back (``rd_kafka_consumer_group_metadata_read``)."""
    if not blob.startswith(b"CGMDv2:") or len(blob) < 13:
        raise KafkaException(KafkaError(Err._BAD_MSG, "Input buffer is not a serialized consumer group metadata "
                                                      "object"))
    (gen,) = struct.unpack("<i", blob[7:11])
    rest = blob[11:]
    group, _, rest = rest.partition(b"\0")
    member, _, rest = rest.partition(b"\0")
    inst = None if rest[:1] == b"\x01" else rest[1:].rstrip(b"\0").decode()
    return {"generation_id": gen, "group_id": group.decode(), "member_id": member.decode(), "group_instance_id": inst}
