"""A partition's log on one replica: record batches in segments, with retention and compaction.

Kafka behaviour modelled (KIP-98 record format v2, ``kafka.log.UnifiedLog``):

* Records live in *batches*; a batch has a base offset and its records take consecutive offsets.
  Offsets are dense until compaction removes records (then a batch keeps its records' offsets).
* The log is a list of *segments*; the last one is active.  A segment rolls when the next batch
  would take it past ``segment.bytes`` or it is older than ``segment.ms``.
* ``log_start_offset`` (LSO of the log, not the "last stable offset"), ``log_end_offset`` (LEO,
  the next offset to be written) and ``high_watermark`` (HW): ``log_start <= HW <= LEO``.
* Retention deletes *whole* segments below the HW, the active one too (after rolling a new one): by
  time (the segment's largest timestamp older than ``retention.ms``) or by size (while the log is over ``retention.bytes``
  by at least the oldest segment's size).  Data is never deleted past the HW.
* Compaction (``cleanup.policy=compact``) keeps the last record per key in the non-active part
  of the log below the HW; tombstones (null value) survive ``delete.retention.ms`` after the
  cleaner first sees them (KIP-534's delete horizon), then go too.

Replicas of a partition share batch objects: a follower appends the very batch it fetched
(its records are immutable tuples), so RF=3 costs one copy of the data, not three.

Transactions (KIP-98, ``ProducerStateManager`` / ``TransactionIndex``): a transactional batch opens
its producer's transaction on this partition at the batch's base offset; a *control batch* (one
COMMIT or ABORT marker record, written by ``WriteTxnMarkers``) closes it and takes an offset of its
own.  The *last stable offset* (LSO) is the first offset of the oldest transaction that is still
open here, or whose marker is not yet below the HW; without one it is the HW.  An aborted
transaction goes into the aborted-transactions index ``(producer id, first offset, last offset,
LSO at abort)``, which ``read_committed`` fetches return so the consumer can drop its records.

Example: append three records at offsets 0..2, HW at 2 → a consumer sees offsets 0 and 1.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..errors import InvariantViolation

BATCH_OVERHEAD = 61  # v2 RecordBatch header bytes


def varint_size(n: int) -> int:
    """Bytes of a zig-zag varint (Kafka's record-field encoding)."""
    z = (n << 1) ^ (n >> 63)
    if z < 0x80:
        return 1
    if z < 0x4000:
        return 2
    if z < 0x200000:
        return 3
    if z < 0x10000000:
        return 4
    return 5


def record_size(key: bytes | None, value: bytes | None, headers=None, offset_delta: int = 0,
                timestamp_delta: int = 0) -> int:
    """Exact size in bytes of one v2 record (``DefaultRecord.sizeInBytes``)."""
    body = 1 + varint_size(timestamp_delta) + varint_size(offset_delta)
    body += varint_size(-1) if key is None else varint_size(len(key)) + len(key)
    body += varint_size(-1) if value is None else varint_size(len(value)) + len(value)
    hs = headers or ()
    body += varint_size(len(hs))
    for hk, hv in hs:
        hkb = hk.encode() if isinstance(hk, str) else hk
        body += varint_size(len(hkb)) + len(hkb)
        body += varint_size(-1) if hv is None else varint_size(len(hv)) + len(hv)
    return varint_size(body) + body


# ControlRecordType (org.apache.kafka.common.record): the key of a control record is
# (version int16 = 0, type int16); an EndTransactionMarker's value is (version int16 = 0,
# coordinator epoch int32).
CONTROL_ABORT = 0
CONTROL_COMMIT = 1


def encode_end_txn_marker(commit: bool, coordinator_epoch: int) -> tuple[bytes, bytes]:
    """Key and value bytes of an ``EndTransactionMarker`` control record, as Kafka writes them."""
    return (struct.pack(">hh", 0, CONTROL_COMMIT if commit else CONTROL_ABORT),
            struct.pack(">hi", 0, coordinator_epoch))


def decode_end_txn_marker(key: bytes, value: bytes) -> tuple[str, int]:
    """``("COMMIT" | "ABORT", coordinator epoch)`` of a control record."""
    _v, kind = struct.unpack(">hh", key)
    _v2, epoch = struct.unpack(">hi", value[:6])
    return ("COMMIT" if kind == CONTROL_COMMIT else "ABORT"), epoch


class AbortedTxn(NamedTuple):
    """One entry of the aborted-transactions index (Kafka's ``AbortedTxn``)."""

    producer_id: int
    first_offset: int
    last_offset: int  # the offset of the ABORT marker
    last_stable_offset: int


class RecordBatch:
    """One v2 record batch.  ``records`` is a tuple of ``(key, value, timestamp_ms, headers)``.

    ``offsets`` is ``None`` while the batch is dense (record i is at ``base_offset + i``); the
    cleaner sets it to the surviving records' offsets.
    """

    __slots__ = (
        "append_time_ms",
        "base_offset",
        "base_sequence",
        "compression",
        "delete_horizon_ms",
        "is_control",
        "is_transactional",
        "last_offset",
        "leader_epoch",
        "max_timestamp",
        "offsets",
        "origin",
        "producer_epoch",
        "producer_id",
        "records",
        "size_bytes",
        "uncompressed_bytes",
        "wire_bytes",
    )

    def __init__(self, records: list, size_bytes: int, *, base_offset: int = -1, leader_epoch: int = 0,
                 producer_id: int = -1, producer_epoch: int = -1, base_sequence: int = -1,
                 is_transactional: bool = False, is_control: bool = False, compression: str = "none",
                 wire_bytes: int | None = None, max_timestamp: int | None = None):
        # Stored as a tuple: a tuple of (bytes, bytes, int, None) records is one the garbage collector
        # stops tracking, so a full collection no longer walks every stored record (issue 15: at 1M
        # records the list version made gen-2 collections a third of the run).  Batches never change.
        self.records = records if records.__class__ is tuple else tuple(records)
        self.base_offset = base_offset
        self.last_offset = base_offset + len(records) - 1
        self.offsets = None
        self.size_bytes = size_bytes
        self.max_timestamp = max_timestamp if max_timestamp is not None else max(
            (r[2] for r in records), default=-1)
        self.leader_epoch = leader_epoch
        self.producer_id = producer_id
        self.producer_epoch = producer_epoch
        self.base_sequence = base_sequence
        self.is_transactional = is_transactional
        self.is_control = is_control
        self.compression = compression
        self.wire_bytes = size_bytes if wire_bytes is None else wire_bytes
        self.delete_horizon_ms = None
        self.append_time_ms = -1
        self.uncompressed_bytes = size_bytes
        self.origin = None  # (producer node, producer batch id, attempt): which send wrote it

    def __len__(self) -> int:
        return len(self.records)

    def iter_offsets(self) -> Iterator[tuple[int, tuple]]:
        if self.offsets is None:
            return zip(range(self.base_offset, self.base_offset + len(self.records)), self.records)
        return zip(self.offsets, self.records)

    def __repr__(self) -> str:
        return f"RecordBatch(base_offset={self.base_offset}, last_offset={self.last_offset}, records={len(self.records)})"


class Segment:
    __slots__ = ("base_offset", "batches", "created_ms", "first_timestamp", "max_timestamp", "size_bytes")

    def __init__(self, base_offset: int, created_ms: int):
        self.base_offset = base_offset
        self.batches: list[RecordBatch] = []
        self.size_bytes = 0
        self.first_timestamp = -1
        self.max_timestamp = -1
        self.created_ms = created_ms

    @property
    def next_offset(self) -> int:
        return self.batches[-1].last_offset + 1 if self.batches else self.base_offset

    def add(self, batch: RecordBatch) -> None:
        self.batches.append(batch)
        self.size_bytes += batch.size_bytes
        if self.first_timestamp < 0:
            self.first_timestamp = batch.max_timestamp
        self.max_timestamp = max(self.max_timestamp, batch.max_timestamp)

    def __repr__(self) -> str:
        return f"Segment(base_offset={self.base_offset}, batches={len(self.batches)}, bytes={self.size_bytes})"


class PartitionLog:
    """The log of one replica of one partition."""

    def __init__(self, topic: str, partition: int, segment_bytes: int = 1073741824,
                 segment_ms: int = 604800000, now_ms: int = 0):
        self.topic = topic
        self.partition = partition
        self.segment_bytes = segment_bytes
        self.segment_ms = segment_ms
        self.segments: list[Segment] = [Segment(0, now_ms)]
        self.log_start_offset = 0
        self.log_end_offset = 0
        self.high_watermark = 0
        self.size_bytes = 0
        # Leader-epoch cache: (epoch, start offset) pairs, as in leader-epoch-checkpoint (KIP-101).
        self.epochs: list[tuple[int, int]] = []
        # Idempotent producers (KIP-98, ProducerStateManager): producer id -> (epoch, the metadata
        # of its last 5 batches as (first_seq, last_seq, base_offset, last_offset)).
        self.producers: dict[int, tuple[int, list]] = {}
        # Transactions: producer id -> first offset of its open transaction here; transactions whose
        # marker is written but not yet below the HW as (first offset, marker offset); the aborted index.
        self.ongoing_txns: dict[int, int] = {}
        self.unreplicated_txns: list[tuple[int, int]] = []
        self.aborted_txns: list[AbortedTxn] = []
        # producer id -> (last timestamp, coordinator epoch of its last marker): DescribeProducers' columns.
        self.producer_meta: dict[int, tuple[int, int]] = {}
        # Replica fetch sessions in which this (leader's) partition is idle (kafkalab.cluster.broker's
        # _FetchSession): any change to the log ends that, so the next fetch looks at it again.
        self.idle_in: list | None = None

    def _changed(self) -> None:
        """The LEO, HW, log start or epochs moved: the partition is no longer idle in any fetch session."""
        tp = (self.topic, self.partition)
        for session in list(self.idle_in):
            session.unidle(tp)

    # -- writing ----------------------------------------------------------------------------
    def append(self, batch: RecordBatch, now_ms: int, assign_offsets: bool) -> RecordBatch:
        """Append ``batch``; the leader assigns offsets, a follower keeps the leader's."""
        if assign_offsets:
            batch.base_offset = self.log_end_offset
            batch.last_offset = self.log_end_offset + len(batch.records) - 1
            batch.append_time_ms = now_ms
        elif batch.base_offset != self.log_end_offset:
            raise InvariantViolation(
                f"{self.topic}-{self.partition}: follower append at {batch.base_offset}, LEO is {self.log_end_offset}")
        seg = self.segments[-1]
        if seg.batches and (seg.size_bytes + batch.size_bytes > self.segment_bytes
                            or now_ms - seg.created_ms >= self.segment_ms):
            seg = Segment(batch.base_offset, now_ms)
            self.segments.append(seg)
        elif not seg.batches:
            seg.base_offset = batch.base_offset
            seg.created_ms = now_ms
        seg.add(batch)
        self.size_bytes += batch.size_bytes
        self.log_end_offset = batch.last_offset + 1
        if not self.epochs or self.epochs[-1][0] < batch.leader_epoch:
            self.epochs.append((batch.leader_epoch, batch.base_offset))
        if batch.producer_id >= 0:
            self._track_producer(batch)
            if batch.is_transactional:
                self._track_txn(batch)
        if self.idle_in:
            self._changed()
        return batch

    # -- transactions -----------------------------------------------------------------------
    def _track_txn(self, batch: RecordBatch) -> None:
        pid = batch.producer_id
        if not batch.is_control:
            self.ongoing_txns.setdefault(pid, batch.base_offset)
            return
        first = self.ongoing_txns.pop(pid, None)
        if first is None:
            return  # a marker for a transaction with no records here (only offsets, or a retry)
        kind, _epoch = decode_end_txn_marker(batch.records[0][0], batch.records[0][1])
        if kind == "ABORT":
            self.aborted_txns.append(AbortedTxn(pid, first, batch.base_offset, self.last_stable_offset))
        if batch.base_offset >= self.high_watermark:
            self.unreplicated_txns.append((first, batch.base_offset))

    @property
    def first_unstable_offset(self) -> int | None:
        """First offset of the oldest transaction not yet complete-and-replicated here (or None)."""
        firsts = list(self.ongoing_txns.values()) + [f for f, _m in self.unreplicated_txns]
        return min(firsts) if firsts else None

    @property
    def last_stable_offset(self) -> int:
        """The LSO: ``read_committed`` consumers read below it; it never passes the HW."""
        fu = self.first_unstable_offset
        return self.high_watermark if fu is None else min(fu, self.high_watermark)

    def aborted_in(self, start: int, end: int) -> list[AbortedTxn]:
        """Aborted transactions that overlap [start, end) (``collectAbortedTxns`` of a fetch)."""
        return [a for a in self.aborted_txns if a.last_offset >= start and a.first_offset < end]

    def txn_status(self) -> dict[int, str]:
        """``{offset: "committed" | "aborted" | "open" | "control"}`` for every transactional record."""
        out: dict[int, str] = {}
        open_: dict[int, list[int]] = {}
        for b in self.all_batches():
            if not b.is_transactional:
                continue
            if b.is_control:
                kind, _e = decode_end_txn_marker(b.records[0][0], b.records[0][1])
                for o in open_.pop(b.producer_id, []):
                    out[o] = "committed" if kind == "COMMIT" else "aborted"
                out[b.base_offset] = "control"
                continue
            for off, _rec in b.iter_offsets():
                open_.setdefault(b.producer_id, []).append(off)
        for offs in open_.values():
            for o in offs:
                out[o] = "open"
        return out

    # -- idempotent producers -----------------------------------------------------------------
    PRODUCER_BATCH_CACHE = 5  # Kafka keeps the last 5 batches per producer: max.in.flight <= 5

    def _track_producer(self, batch: RecordBatch) -> None:
        last_ts, coord_epoch = self.producer_meta.get(batch.producer_id, (-1, -1))
        if batch.is_control:
            coord_epoch = decode_end_txn_marker(batch.records[0][0], batch.records[0][1])[1]
        self.producer_meta[batch.producer_id] = (max(last_ts, batch.max_timestamp), coord_epoch)
        epoch, recent = self.producers.get(batch.producer_id, (batch.producer_epoch, []))
        if batch.producer_epoch > epoch:
            recent = []
        if batch.is_control or batch.base_sequence < 0:  # a marker (or a txn offset commit): no sequence
            self.producers[batch.producer_id] = (max(epoch, batch.producer_epoch), recent)
            return
        last_seq = batch.base_sequence + len(batch.records) - 1
        recent = (recent + [(batch.base_sequence, last_seq, batch.base_offset, batch.last_offset)])
        self.producers[batch.producer_id] = (batch.producer_epoch, recent[-self.PRODUCER_BATCH_CACHE:])

    def check_producer_batch(self, producer_id: int, producer_epoch: int, base_sequence: int,
                             count: int) -> tuple[str, int]:
        """The leader's sequence check before appending an idempotent batch.

        Returns ``("ok", -1)``, ``("duplicate", base_offset_of_the_original)``, ``("out_of_order",
        expected_sequence)`` or ``("fenced", current_epoch)``.  Kafka answers a
        duplicate with success and the original offset, so a retry after a lost response appends
        nothing (``ProducerStateManager`` / ``ProducerAppendInfo``).
        """
        state = self.producers.get(producer_id)
        if state is None:  # a producer this log has no state for must start at sequence 0 (Kafka 2.5+)
            return ("ok", -1) if base_sequence == 0 else ("out_of_order", 0)
        epoch, recent = state
        if producer_epoch < epoch:
            return "fenced", epoch
        if producer_epoch > epoch:
            return ("ok", -1) if base_sequence == 0 else ("out_of_order", 0)
        last_seq = base_sequence + count - 1
        for first, last, base_off, _last_off in recent:
            if first == base_sequence and last == last_seq:
                return "duplicate", base_off
        expected = recent[-1][1] + 1 if recent else 0
        if base_sequence != expected:
            return "out_of_order", expected
        return "ok", -1

    def rebuild_producer_state(self) -> None:
        """After truncation: replay the producer and transaction metadata of the batches that are left."""
        self.producers = {}
        self.producer_meta = {}
        self.ongoing_txns = {}
        self.unreplicated_txns = []
        self.aborted_txns = []
        for b in self.all_batches():
            if b.producer_id >= 0:
                self._track_producer(b)
                if b.is_transactional:
                    self._track_txn(b)

    def update_high_watermark(self, hw: int) -> bool:
        hw = min(hw, self.log_end_offset)
        if hw > self.high_watermark:
            self.high_watermark = hw
            if self.idle_in:
                self._changed()
            if self.unreplicated_txns:
                self.unreplicated_txns = [(f, m) for f, m in self.unreplicated_txns if m >= hw]
            return True
        return False

    def truncate_to(self, offset: int) -> int:
        """Drop everything at or after ``offset`` (a follower's divergent suffix, KIP-101/279).

        Returns the number of records removed.
        """
        if self.idle_in:
            self._changed()
        if offset >= self.log_end_offset:
            # Nothing to cut, but epochs that would start at or after ``offset`` go (truncateFromEnd).
            self.epochs = [(e, st) for e, st in self.epochs if st < offset]
            return 0
        removed = 0
        while self.segments:
            seg = self.segments[-1]
            while seg.batches and seg.batches[-1].base_offset >= offset:
                b = seg.batches.pop()
                seg.size_bytes -= b.size_bytes
                self.size_bytes -= b.size_bytes
                removed += len(b.records)
            if seg.batches and seg.batches[-1].last_offset >= offset:
                # Simplification: a batch straddling the truncation point is cut at the record
                # boundary; Kafka truncates to batch boundaries, which leaders guarantee anyway.
                b = seg.batches.pop()
                keep = [(o, r) for o, r in b.iter_offsets() if o < offset]
                nb = RecordBatch([r for _, r in keep], _size_of([r for _, r in keep]), base_offset=b.base_offset,
                                 leader_epoch=b.leader_epoch, producer_id=b.producer_id,
                                 producer_epoch=b.producer_epoch, base_sequence=b.base_sequence,
                                 is_transactional=b.is_transactional, is_control=b.is_control,
                                 compression=b.compression)
                if b.offsets is not None:
                    nb.offsets = [o for o, _ in keep]
                    nb.last_offset = nb.offsets[-1]
                removed += len(b.records) - len(nb.records)
                seg.size_bytes += nb.size_bytes - b.size_bytes
                self.size_bytes += nb.size_bytes - b.size_bytes
                seg.batches.append(nb)
            if not seg.batches and len(self.segments) > 1:
                self.segments.pop()
                continue
            break
        self.log_end_offset = max(offset, self.log_start_offset)
        if not self.segments[-1].batches:
            self.segments[-1].base_offset = self.log_end_offset
        self.high_watermark = min(self.high_watermark, self.log_end_offset)
        self.epochs = [(e, s) for e, s in self.epochs if s < self.log_end_offset]
        self.rebuild_producer_state()
        return removed

    # -- reading ----------------------------------------------------------------------------
    def batches_from(self, offset: int, max_offset: int | None = None, max_bytes: int | None = None) -> list[RecordBatch]:
        """Batches holding records at ``offset`` or later and before ``max_offset``.

        As in Kafka, the first batch is returned whole even if it is larger than ``max_bytes``
        (so a consumer can always make progress), and a batch can start before ``offset``.
        """
        end = self.log_end_offset if max_offset is None else max_offset
        if offset >= end:
            return []
        out: list[RecordBatch] = []
        total = 0
        segs = self.segments
        i = len(segs) - 1
        while i > 0 and segs[i].base_offset > offset:
            i -= 1
        for seg in segs[i:]:
            bs = seg.batches
            lo, hi = 0, len(bs)
            while lo < hi:  # first batch whose last offset >= offset
                mid = (lo + hi) // 2
                if bs[mid].last_offset < offset:
                    lo = mid + 1
                else:
                    hi = mid
            for b in bs[lo:]:
                if b.base_offset >= end:
                    return out
                if max_bytes is not None and out and total + b.size_bytes > max_bytes:
                    return out
                out.append(b)
                total += b.size_bytes
        return out

    def records(self, start: int | None = None, end: int | None = None) -> list[tuple[int, tuple, RecordBatch]]:
        """``(offset, (key, value, timestamp, headers), batch)`` for offsets in [start, end)."""
        start = self.log_start_offset if start is None else start
        end = self.log_end_offset if end is None else end
        out = []
        for b in self.batches_from(start, end):
            for off, rec in b.iter_offsets():
                if start <= off < end:
                    out.append((off, rec, b))
        return out

    def all_batches(self) -> Iterable[RecordBatch]:
        for seg in self.segments:
            yield from seg.batches

    @property
    def record_count(self) -> int:
        return sum(len(b.records) for b in self.all_batches())

    def offset_for_timestamp(self, ts: int) -> int | None:
        """Earliest offset whose timestamp is >= ``ts`` (ListOffsets by time), or None."""
        for b in self.all_batches():
            if b.max_timestamp >= ts:
                for off, rec in b.iter_offsets():
                    if rec[2] >= ts and off >= self.log_start_offset:
                        return off
        return None

    def check_invariants(self) -> None:
        if not (self.log_start_offset <= self.high_watermark <= self.log_end_offset):
            raise InvariantViolation(
                f"{self.topic}-{self.partition}: log start {self.log_start_offset}, HW {self.high_watermark}, "
                f"LEO {self.log_end_offset}")
        prev = -1
        for b in self.all_batches():
            for off, _ in b.iter_offsets():
                if off <= prev:
                    raise InvariantViolation(f"{self.topic}-{self.partition}: offset {off} after {prev}")
                prev = off
        if prev >= self.log_end_offset:
            raise InvariantViolation(f"{self.topic}-{self.partition}: offset {prev} at or past LEO")

    # -- retention and compaction -------------------------------------------------------------
    def _deletable_upper_bound(self) -> int:
        return min(self.segments[-1].base_offset, self.high_watermark)

    def delete_old_segments(self, now_ms: int, retention_ms: int, retention_bytes: int) -> list[Segment]:
        """Kafka's ``UnifiedLog.deleteOldSegments``: whole segments below the HW, by time then size.

        A segment is deletable once the high watermark has reached the next segment's base offset (for
        the active segment: the log end offset), so the active segment goes too when everything in it
        is past retention and replicated.  A log always keeps one segment: before deleting the last,
        Kafka rolls a new, empty one at the log end (``deleteSegments``: "we must always have at least
        one segment, so if we are going to delete all the segments, we need to roll a new one first"),
        and the log start offset becomes the log end offset.
        """
        deleted: list[Segment] = []

        def deletable() -> bool:
            seg = self.segments[0]
            upper = self.segments[1].base_offset if len(self.segments) > 1 else self.log_end_offset
            return bool(seg.batches) and self.high_watermark >= upper

        # By time: a segment goes when its newest record is older than retention.ms.
        if retention_ms >= 0:
            while deletable() and now_ms - self.segments[0].max_timestamp > retention_ms:
                deleted.append(self._drop_first_segment(now_ms))
        # By size: drop oldest while what is left stays >= retention.bytes.
        if retention_bytes >= 0:
            while deletable() and self.size_bytes - self.segments[0].size_bytes >= retention_bytes:
                deleted.append(self._drop_first_segment(now_ms))
        return deleted

    def _drop_first_segment(self, now_ms: int) -> Segment:
        if len(self.segments) == 1:
            self.segments.append(Segment(self.log_end_offset, now_ms))  # roll first: never zero segments
        seg = self.segments.pop(0)
        self.size_bytes -= seg.size_bytes
        self.log_start_offset = max(self.log_start_offset, self.segments[0].base_offset)
        if self.idle_in:
            self._changed()
        return seg

    def delete_records_before(self, offset: int) -> None:
        """``DeleteRecords`` (kafka-delete-records.sh): move the log start offset forward."""
        if offset > self.high_watermark:
            raise ValueError(f"cannot delete records past the high watermark {self.high_watermark}")
        self.log_start_offset = max(self.log_start_offset, offset)
        if self.idle_in:
            self._changed()
        while len(self.segments) > 1 and self.segments[1].base_offset <= self.log_start_offset:
            seg = self.segments.pop(0)
            self.size_bytes -= seg.size_bytes

    def compact(self, now_ms: int, delete_retention_ms: int, min_compaction_lag_ms: int = 0) -> dict:
        """One log-cleaner pass: keep the latest record per key in the cleanable part.

        The cleanable part is the non-active segments below the HW (Kafka's "first uncleanable
        offset"), skipping records younger than ``min.compaction.lag.ms``.  The offset map is
        built from that part only, as the cleaner does.  Returns counts for the trace.
        """
        bound = self._deletable_upper_bound()
        cleanable = [s for i, s in enumerate(self.segments[:-1]) if self.segments[i + 1].base_offset <= bound]
        if not cleanable:
            return {"removed": 0, "tombstones_removed": 0, "kept": 0}
        latest: dict = {}
        for seg in cleanable:
            for b in seg.batches:
                if b.is_control:
                    continue
                for off, rec in b.iter_offsets():
                    if min_compaction_lag_ms and now_ms - rec[2] < min_compaction_lag_ms:
                        continue
                    latest[rec[0]] = off
        removed = tomb_removed = kept = 0
        for seg in cleanable:
            new_batches = []
            for b in seg.batches:
                if b.is_control:
                    new_batches.append(b)
                    continue
                keep_offs, keep_recs = [], []
                horizon = b.delete_horizon_ms
                has_tombstone = False
                for off, rec in b.iter_offsets():
                    last = latest.get(rec[0], off)
                    if off < last:
                        removed += 1
                        continue
                    if rec[1] is None:  # tombstone: kept until its delete horizon has passed
                        has_tombstone = True
                        if horizon is not None and now_ms >= horizon:
                            tomb_removed += 1
                            continue
                    keep_offs.append(off)
                    keep_recs.append(rec)
                if not keep_recs:
                    continue
                if len(keep_recs) == len(b.records):
                    nb = b
                else:
                    nb = RecordBatch(keep_recs, _size_of(keep_recs), base_offset=b.base_offset,
                                     leader_epoch=b.leader_epoch, producer_id=b.producer_id,
                                     producer_epoch=b.producer_epoch, base_sequence=b.base_sequence,
                                     is_transactional=b.is_transactional, compression=b.compression)
                    nb.offsets = keep_offs
                    nb.last_offset = b.last_offset  # the batch keeps its offset range (Kafka keeps lastOffsetDelta)
                    nb.append_time_ms = b.append_time_ms
                if has_tombstone and nb.delete_horizon_ms is None:
                    nb.delete_horizon_ms = (horizon if horizon is not None else now_ms + delete_retention_ms)
                kept += len(keep_recs)
                new_batches.append(nb)
            delta = sum(b.size_bytes for b in new_batches) - seg.size_bytes
            seg.batches = new_batches
            seg.size_bytes += delta
            self.size_bytes += delta
        if self.idle_in:
            self._changed()  # the offsets and HW stand, but a fetch session should look again
        return {"removed": removed, "tombstones_removed": tomb_removed, "kept": kept}


def marker_batch(producer_id: int, producer_epoch: int, commit: bool, coordinator_epoch: int,
                 now: int) -> RecordBatch:
    """One control batch holding one COMMIT/ABORT marker record (what ``WriteTxnMarkers`` appends)."""
    k, v = encode_end_txn_marker(commit, coordinator_epoch)
    recs = [(k, v, now, None)]
    return RecordBatch(recs, _size_of(recs), producer_id=producer_id, producer_epoch=producer_epoch,
                       is_transactional=True, is_control=True)


def _size_of(records: list) -> int:
    return BATCH_OVERHEAD + sum(record_size(k, v, h, i) for i, (k, v, _t, h) in enumerate(records))
