"""State stores, their record cache and their changelog, as Kafka Streams layers them.

A DSL store is ``Metered → Caching → ChangeLogging → inner store`` (``Stores.*StoreBuilder``):

* **inner** — bytes in, bytes out, sorted by key bytes (a ``TreeMap``/RocksDB order). Window and
  session stores keep ``retention`` ms of stream time: ``put`` of a window that starts at or
  before ``observed stream time - retention`` is dropped ("Skipping record for expired segment."),
  and fetches never return expired windows (``InMemoryWindowStore``/``InMemorySessionStore``).
* **change logging** — every write that reaches the inner store is also sent to the store's
  compacted changelog ``<application.id>-<store>-changelog``, partition = the task's partition;
  a restarted task replays that topic into an empty store (:meth:`restore_batch`).
* **caching** — writes go to the thread's :class:`ThreadCache` (``statestore.cache.max.bytes``,
  10 MB split over the threads) as *dirty* entries; a later write of the same key replaces the
  entry. Dirty entries reach the inner store, the changelog and the downstream processors only
  when the cache is **flushed** — at every commit (``commit.interval.ms``, 30 s) — or when the
  cache is full and evicts its least recently used entry, which flushes that store's whole cache
  (``NamedCache.evict``). So a key updated 100 times between commits is emitted once: the classic
  "why do I see fewer updates". With ``statestore.cache.max.bytes=0`` caching is removed
  (``InternalTopologyBuilder.rewriteTopology``) and every update is emitted.

Cache entry sizes follow Kafka's estimate (``LRUCacheEntry``, ``NamedCache.LRUNode.size``): key
bytes + 24 + 1 + value bytes + 8 (timestamp) + 8 (offset) + 4 (partition) + topic name + headers.

# Simplification: kafkalab's stores are in memory whatever the store type; RocksDB's *visible*
# behaviour (byte order, retention by stream time) is kept, its segments and files are not, and
# a window store iterates by window start, then key (the in-memory store's order).
"""
from __future__ import annotations

import struct
from collections import OrderedDict
from typing import NamedTuple

from sortedcontainers import SortedDict

from .errors import InvalidStateStoreException
from .windows import SessionWindow, TimeWindow, Windowed

_LONG = struct.Struct(">q")
_INT = struct.Struct(">i")


class ValueAndTimestamp(NamedTuple):
    """A value with the timestamp of the record that last wrote it (timestamped stores)."""

    value: object
    timestamp: int

    @staticmethod
    def make(value, timestamp: int):
        return None if value is None else ValueAndTimestamp(value, timestamp)


def get_value_or_null(vat):
    return None if vat is None else vat.value


# ------------------------------------------------------------------------------------------------
# The record cache


class CacheEntry:
    """``LRUCacheEntry``: value bytes, dirty flag, and the context of the record that wrote it."""

    __slots__ = ("dirty", "headers", "offset", "partition", "size", "timestamp", "topic", "value")

    def __init__(self, value: bytes | None, timestamp: int, dirty: bool, topic: str, partition: int, offset: int,
                 headers, key_len: int):
        self.value = value
        self.timestamp = timestamp
        self.dirty = dirty
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.headers = headers
        head = sum(len(k) + (len(v) if v is not None else 0) for k, v in headers) if headers else 0
        # NamedCache.LRUNode.size: key + 8 (entry) + 8 (previous) + 8 (next) + LRUCacheEntry.size
        # (1 for isDirty + value + 8 timestamp + 8 offset + topic chars + 4 partition + headers).
        self.size = key_len + 24 + 1 + (len(value) if value is not None else 0) + 8 + 8 + len(topic) + 4 + head


class NamedCache:
    """One store's part of the thread cache: an LRU map plus the dirty keys in write order."""

    def __init__(self, name: str, thread_cache: ThreadCache):
        self.name = name
        self.thread_cache = thread_cache
        self.entries: OrderedDict = OrderedDict()  # key -> CacheEntry, least recently used first
        self.dirty: dict = {}  # insertion-ordered set of dirty keys
        self.size_bytes = 0
        self.listener = None  # fn(list[(key, CacheEntry)]) called on flush
        self.flushes = 0

    def get(self, key):
        e = self.entries.get(key)
        if e is not None:
            self.entries.move_to_end(key)
        return e

    def _resize(self, delta: int) -> None:
        self.size_bytes += delta
        self.thread_cache.total += delta

    def put(self, key, entry: CacheEntry) -> None:
        old = self.entries.get(key)
        delta = entry.size
        if old is not None:
            delta -= old.size
            self.entries.move_to_end(key)
        self.entries[key] = entry
        if entry.dirty:
            self.dirty.pop(key, None)  # keep the order of the *latest* writes
            self.dirty[key] = None
        self._resize(delta)

    def flush(self, evicted=None) -> int:
        """Hand every dirty entry (the evicted one first) to the listener; returns how many."""
        self.flushes += 1
        if not self.dirty and evicted is None:
            return 0
        batch = []
        if evicted is not None:
            batch.append(evicted)
            self.dirty.pop(evicted[0], None)
        deleted = []
        for key in self.dirty:
            e = self.entries[key]
            batch.append((key, e))
            e.dirty = False
            if e.value is None:
                deleted.append(key)
        self.dirty = {}
        self.listener(batch)
        for key in deleted:
            e = self.entries.pop(key, None)
            if e is not None:
                self._resize(-e.size)
        return len(batch)

    def evict(self) -> None:
        if not self.entries:
            return
        key, eldest = self.entries.popitem(last=False)
        self._resize(-eldest.size)
        if eldest.dirty:
            self.flush((key, eldest))

    def clear(self) -> None:
        self.entries.clear()
        self.dirty = {}
        self._resize(-self.size_bytes)


class ThreadCache:
    """``ThreadCache``: one stream thread's record cache, shared by the stores of all its tasks.

    ``put`` evicts least-recently-used entries *of the store being written* while the thread's
    total is over ``max_bytes`` (``ThreadCache.maybeEvict``); evicting a dirty entry flushes that
    store's cache.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.caches: dict[str, NamedCache] = {}
        self.total = 0  # sum of the named caches' sizes
        self.puts = 0
        self.evicts = 0

    def named(self, namespace: str) -> NamedCache:
        c = self.caches.get(namespace)
        if c is None:
            c = self.caches[namespace] = NamedCache(namespace, self)
        return c

    def put(self, cache: NamedCache, key, entry: CacheEntry) -> None:
        self.puts += 1
        cache.put(key, entry)
        while self.total > self.max_bytes:
            if not cache.entries:
                return  # the overflow is another store's: nothing of this one left to evict
            cache.evict()
            self.evicts += 1

    def close(self, namespace: str) -> None:
        c = self.caches.pop(namespace, None)
        if c is not None:
            self.total -= c.size_bytes


# ------------------------------------------------------------------------------------------------
# Stores


class StateStore:
    """What every store has: a name, ``init``, ``flush``, ``close``; changelog and cache plumbing."""

    kind = "keyValue"

    def __init__(self, name: str, key_serde=None, value_serde=None, timestamped: bool = False,
                 logging: bool = True, caching: bool = False):
        self.name = name
        self.key_serde = key_serde
        self.value_serde = value_serde
        self.timestamped = timestamped
        self.logging = logging
        self.caching = caching
        self.context = None
        self.cache: NamedCache | None = None
        self.changelog: str | None = None
        self.changelog_partition = -1
        self.flush_listener = None
        self.send_old_values = False
        self.open = False
        self.writes = 0  # writes that reached the inner store (and the changelog)

    def persistent(self) -> bool:
        return True

    def is_open(self) -> bool:
        return self.open

    def init(self, context, changelog_topic: str | None, partition: int, thread_cache: ThreadCache | None) -> None:
        self.context = context
        if self.key_serde is None:
            self.key_serde = context.key_serde
        if self.value_serde is None:
            self.value_serde = context.value_serde
        self.changelog = changelog_topic if self.logging else None
        self.changelog_partition = partition
        if self.caching and thread_cache is not None:
            self.cache = thread_cache.named(f"{context.task_id}-{self.name}")
            self.cache.listener = self._flush_entries
        self.open = True

    def set_flush_listener(self, listener, send_old_values: bool) -> bool:
        """Register the processor's forwarder; True if this store caches (the cache will forward)."""
        self.flush_listener = listener
        self.send_old_values = send_old_values
        return self.cache is not None

    def flush(self) -> int:
        return self.cache.flush() if self.cache is not None else 0

    def close(self) -> None:
        self.open = False

    def _check_open(self) -> None:
        if not self.open:
            raise InvalidStateStoreException(f"Store {self.name} is currently closed.")

    def _log(self, key: bytes, value: bytes | None, timestamp: int) -> None:
        self.writes += 1
        if self.changelog is not None:
            self.context.collector.send(self.changelog, key, value, None, self.changelog_partition, timestamp,
                                        self.name)

    def _ser_key(self, key) -> bytes:
        if key is None:
            raise TypeError("key cannot be null")
        return self.key_serde.serialize(self.changelog, key)

    def _ser_value(self, value) -> bytes | None:
        return self.value_serde.serialize(self.changelog, value)

    def _de_value(self, raw):
        return self.value_serde.deserialize(self.changelog, raw)

    def _entry(self, value: bytes | None, timestamp: int, key_len: int, dirty: bool = True) -> CacheEntry:
        ctx = self.context
        rc = ctx.record_context
        if not dirty:
            return CacheEntry(value, -1, False, "", -1, -1, None, key_len)
        return CacheEntry(value, timestamp, True, rc[0], rc[1], rc[2], rc[4], key_len)

    def _flush_entries(self, batch) -> None:
        raise NotImplementedError

    def _forward_flushed(self, windowed_key, new, old, entry: CacheEntry) -> None:
        """``TimestampedCacheFlushListener``: forward the change from the processor that owns the store,
        with the record context of the write that produced it."""
        ctx = self.context
        prev = ctx.record_context
        ctx.record_context = (entry.topic, entry.partition, entry.offset, entry.timestamp, entry.headers)
        try:
            self.flush_listener(windowed_key, new, old if self.send_old_values else None, entry.timestamp)
        finally:
            ctx.record_context = prev


class KeyValueStore(StateStore):
    """A (timestamped) key-value store: ``get``, ``put``, ``put_if_absent``, ``delete``, ``range``, ``all``."""

    kind = "keyValue"

    def __init__(self, name: str, key_serde=None, value_serde=None, timestamped: bool = False,
                 logging: bool = True, caching: bool = False):
        super().__init__(name, key_serde, value_serde, timestamped, logging, caching)
        self.data = SortedDict()  # key bytes -> (value bytes, timestamp)

    # -- typed API ---------------------------------------------------------------------------------
    def get(self, key):
        raw = self._get_raw(self._ser_key(key))
        if raw is None:
            return None
        v = self._de_value(raw[0])
        return ValueAndTimestamp(v, raw[1]) if self.timestamped else v

    def put(self, key, value) -> None:
        """``value`` is a :class:`ValueAndTimestamp` in a timestamped store (or ``None`` to delete)."""
        kb = self._ser_key(key)
        if self.timestamped and value is not None:
            vb, ts = self._ser_value(value.value), value.timestamp
        else:
            vb, ts = self._ser_value(value), self.context.record_context[3]
        self._put_raw(kb, vb, ts)

    def put_if_absent(self, key, value):
        old = self.get(key)
        if old is None:
            self.put(key, value)
        return old

    def delete(self, key):
        old = self.get(key)
        self._put_raw(self._ser_key(key), None, self.context.record_context[3])
        return old

    def range(self, key_from, key_to):
        lo, hi = self._ser_key(key_from), self._ser_key(key_to)
        return [(k, v) for kb, k, v in self._merged() if lo <= kb <= hi]

    def all(self):
        return [(k, v) for _kb, k, v in self._merged()]

    def approximate_num_entries(self) -> int:
        return len(self.data)

    def _merged(self):
        """Cache and store, merged in key-byte order; the cache wins (``MergedSortedCacheKeyValueBytesStoreIterator``)."""
        self._check_open()
        rows = {kb: v for kb, v in self.data.items()}
        if self.cache is not None:
            for kb, e in self.cache.entries.items():
                rows[kb] = None if e.value is None else (e.value, e.timestamp)
        out = []
        kd = self.key_serde.deserialize
        for kb in sorted(rows):
            raw = rows[kb]
            if raw is None:
                continue
            v = self._de_value(raw[0])
            out.append((kb, kd(self.changelog, kb), ValueAndTimestamp(v, raw[1]) if self.timestamped else v))
        return out

    # -- bytes level ---------------------------------------------------------------------------------
    def _get_raw(self, kb: bytes):
        cache = self.cache
        if cache is not None:
            e = cache.get(kb)
            if e is not None:
                return None if e.value is None else (e.value, e.timestamp)
            raw = self.data.get(kb)
            if raw is not None:  # CachingKeyValueStore.getInternal caches what it read (a clean entry)
                cache.thread_cache.put(cache, kb, self._entry(raw[0], raw[1], len(kb) + (8 if self.timestamped else 0),
                                                              dirty=False))
            return raw
        return self.data.get(kb)

    def _put_raw(self, kb: bytes, vb: bytes | None, ts: int) -> None:
        self._check_open()
        cache = self.cache
        if cache is not None:
            cache.thread_cache.put(cache, kb, self._entry(vb, ts, len(kb) + (8 if self.timestamped else 0)))
            return
        self._write(kb, vb, ts)

    def _write(self, kb: bytes, vb: bytes | None, ts: int) -> None:
        if vb is None:
            self.data.pop(kb, None)
        else:
            self.data[kb] = (vb, ts)
        self._log(kb, vb, ts)

    def _flush_entries(self, batch) -> None:
        listener = self.flush_listener
        for kb, e in batch:
            if listener is None:
                self._write(kb, e.value, e.timestamp)
                continue
            old = self.data.get(kb) if (e.value is None or self.send_old_values) else None
            if e.value is None and old is None:
                continue  # nothing in the store and nothing new: neither written nor forwarded
            self._write(kb, e.value, e.timestamp)
            kd = self.key_serde.deserialize(self.changelog, kb)
            self._forward_flushed(kd, None if e.value is None else self._de_value(e.value),
                                  None if old is None else self._de_value(old[0]), e)

    def restore_batch(self, records) -> None:
        for kb, vb, ts in records:
            if vb is None:
                self.data.pop(kb, None)
            else:
                self.data[kb] = (vb, ts)


class WindowStore(StateStore):
    """A (timestamped) window store: values per ``(key, window start)``, kept ``retention_ms``.

    ``fetch(key, start)`` one window; ``fetch_range(key, time_from, time_to)`` → ``[(start, value)]``;
    ``fetch_all(time_from, time_to)`` and ``all()`` → ``[(Windowed, value)]``.
    """

    kind = "window"

    def __init__(self, name: str, retention_ms: int, window_size_ms: int, retain_duplicates: bool = False,
                 key_serde=None, value_serde=None, timestamped: bool = True, logging: bool = True,
                 caching: bool = False):
        super().__init__(name, key_serde, value_serde, timestamped, logging, caching)
        self.retention_ms = retention_ms
        self.window_size_ms = window_size_ms
        self.retain_duplicates = retain_duplicates
        self.segments = SortedDict()  # window start -> {key bytes -> (value bytes, ts)} (or a list: duplicates)
        self.observed_stream_time = -1
        self.seqnum = 0
        self.expired_dropped = 0

    def _min_live(self) -> int:
        return max(0, self.observed_stream_time - self.retention_ms + 1)

    def _remove_expired(self) -> None:
        segs = self.segments
        if segs:
            lo = self._min_live()
            while segs and segs.peekitem(0)[0] < lo:
                segs.popitem(0)

    # -- typed API ---------------------------------------------------------------------------------
    def put(self, key, value, window_start: int) -> None:
        kb = self._ser_key(key)
        if self.timestamped and value is not None:
            vb, ts = self._ser_value(value.value), value.timestamp
        else:
            vb, ts = self._ser_value(value), self.context.record_context[3]
        self._check_open()
        cache = self.cache
        if cache is not None:
            cache.thread_cache.put(cache, (window_start, kb), self._entry(vb, ts, len(kb) + 20 +
                                                                          (8 if self.timestamped else 0)))
            return
        self._write(kb, window_start, vb, ts)

    def fetch(self, key, window_start: int):
        raw = self._fetch_raw(self._ser_key(key), window_start)
        if raw is None:
            return None
        v = self._de_value(raw[0])
        return ValueAndTimestamp(v, raw[1]) if self.timestamped else v

    def fetch_range(self, key, time_from: int, time_to: int) -> list:
        """``[(window start, value)]`` of ``key`` with ``time_from <= start <= time_to``, oldest first."""
        kb = self._ser_key(key)
        rows = self._range_raw(time_from, time_to, kb)
        return [(start, self._typed(raw)) for (start, _k), raw in rows]

    def fetch_all(self, time_from: int, time_to: int) -> list:
        """``[(Windowed(key, window), value)]`` of every key with start in ``[time_from, time_to]``."""
        kd = self.key_serde.deserialize
        return [(Windowed(kd(self.changelog, k), self._window(start)), self._typed(raw))
                for (start, k), raw in self._range_raw(time_from, time_to, None)]

    def all(self) -> list:
        return self.fetch_all(0, 2**63 - 1)

    def _window(self, start: int):
        return TimeWindow(start, start + self.window_size_ms) if self.window_size_ms > 0 else \
            SessionWindow(start, start)

    def _typed(self, raw):
        v = self._de_value(raw[0])
        return ValueAndTimestamp(v, raw[1]) if self.timestamped else v

    # -- bytes level ---------------------------------------------------------------------------------
    def _fetch_raw(self, kb: bytes, start: int):
        cache = self.cache
        if cache is not None:
            e = cache.get((start, kb))
            if e is not None:
                return None if e.value is None else (e.value, e.timestamp)
        self._remove_expired()
        if start <= self.observed_stream_time - self.retention_ms:
            return None
        seg = self.segments.get(start)
        if seg is None:
            return None
        v = seg.get(kb)
        if isinstance(v, list):
            return v[-1] if v else None
        return v

    def _range_raw(self, time_from: int, time_to: int, kb: bytes | None) -> list:
        """Merged cache + store rows ``[((start, key), (value, ts))]`` sorted by start then key.

        With duplicates retained (join windows), each stored value is its own row.
        """
        self._remove_expired()
        lo = max(time_from, self._min_live())
        rows: dict = {}
        dup_rows = []
        if time_to >= lo:
            for start in self.segments.irange(lo, time_to):
                seg = self.segments[start]
                keys = (kb,) if kb is not None else seg.keys()
                for k in keys:
                    v = seg.get(k)
                    if v is None:
                        continue
                    if isinstance(v, list):
                        dup_rows.extend(((start, k), x) for x in v)
                    else:
                        rows[(start, k)] = v
        if self.cache is not None:
            for (start, k), e in self.cache.entries.items():
                if lo <= start <= time_to and (kb is None or k == kb):
                    rows[(start, k)] = None if e.value is None else (e.value, e.timestamp)
        out = [(sk, v) for sk, v in rows.items() if v is not None] + dup_rows
        out.sort(key=lambda row: row[0])
        return out

    def _write(self, kb: bytes, start: int, vb: bytes | None, ts: int) -> None:
        self._remove_expired()
        self.observed_stream_time = max(self.observed_stream_time, start)
        if start <= self.observed_stream_time - self.retention_ms:
            self.expired_dropped += 1  # "Skipping record for expired segment."
        elif vb is not None:
            seg = self.segments.get(start)
            if seg is None:
                seg = self.segments[start] = {}
            if self.retain_duplicates:
                self.seqnum = (self.seqnum + 1) & 0x7FFFFFFF
                seg.setdefault(kb, []).append((vb, ts))
            else:
                seg[kb] = (vb, ts)
        elif not self.retain_duplicates:
            seg = self.segments.get(start)
            if seg is not None:
                seg.pop(kb, None)
                if not seg:
                    del self.segments[start]
        # ChangeLoggingWindowBytesStore logs every write, expired or not: key + start + seqnum.
        self._log(kb + _LONG.pack(start) + _INT.pack(self.seqnum if self.retain_duplicates else 0), vb, ts)

    def _flush_entries(self, batch) -> None:
        listener = self.flush_listener
        for (start, kb), e in batch:
            if listener is None:
                self._write(kb, start, e.value, e.timestamp)
                continue
            old = None
            if e.value is None or self.send_old_values:
                seg = self.segments.get(start)
                old = seg.get(kb) if seg is not None else None
            if e.value is None and old is None:
                continue
            self._write(kb, start, e.value, e.timestamp)
            wk = Windowed(self.key_serde.deserialize(self.changelog, kb), self._window(start))
            self._forward_flushed(wk, None if e.value is None else self._de_value(e.value),
                                  None if old is None else self._de_value(old[0]), e)

    def restore_batch(self, records) -> None:
        for key, vb, ts in records:
            kb, start = key[:-12], _LONG.unpack(key[-12:-4])[0]
            self.observed_stream_time = max(self.observed_stream_time, start)
            if start <= self.observed_stream_time - self.retention_ms:
                continue
            if vb is None:
                seg = self.segments.get(start)
                if seg is not None:
                    seg.pop(kb, None)
                continue
            seg = self.segments.get(start)
            if seg is None:
                seg = self.segments[start] = {}
            if self.retain_duplicates:
                seg.setdefault(kb, []).append((vb, ts))
            else:
                seg[kb] = (vb, ts)
        self._remove_expired()

    def num_windows(self) -> int:
        return sum(len(s) for s in self.segments.values())


class SessionStore(StateStore):
    """A session store: aggregates per ``(key, [start, end])``, kept ``retention_ms`` after their end."""

    kind = "session"

    def __init__(self, name: str, retention_ms: int, key_serde=None, value_serde=None, logging: bool = True,
                 caching: bool = False):
        super().__init__(name, key_serde, value_serde, False, logging, caching)
        self.retention_ms = retention_ms
        self.ends = SortedDict()  # end -> {key bytes -> {start -> value bytes}}
        self.observed_stream_time = -1
        self.expired_dropped = 0

    def _min_live(self) -> int:
        return max(0, self.observed_stream_time - self.retention_ms + 1)

    def _remove_expired(self) -> None:
        ends = self.ends
        if ends:
            lo = self._min_live()
            while ends and ends.peekitem(0)[0] < lo:
                ends.popitem(0)

    def find_sessions(self, key, earliest_session_end: int, latest_session_start: int) -> list:
        """``[(Windowed, aggregate)]`` of ``key``: sessions ending at or after ``earliest_session_end``
        and starting at or before ``latest_session_start``, by end then start."""
        kb = self._ser_key(key)
        return [(Windowed(key, SessionWindow(s, e)), self._de_value(v))
                for (e, k, s), v in self._rows(kb, earliest_session_end, latest_session_start)]

    def fetch(self, key) -> list:
        return self.find_sessions(key, 0, 2**63 - 1)

    def fetch_session(self, key, start: int, end: int):
        for wk, v in self.find_sessions(key, end, start):
            if wk.window.start == start and wk.window.end == end:
                return v
        return None

    def all(self) -> list:
        kd = self.key_serde.deserialize
        return [(Windowed(kd(self.changelog, k), SessionWindow(s, e)), self._de_value(v))
                for (e, k, s), v in self._rows(None, 0, 2**63 - 1)]

    def put(self, windowed_key: Windowed, aggregate) -> None:
        kb = self._ser_key(windowed_key.key)
        s, e = windowed_key.window.start, windowed_key.window.end
        vb = self._ser_value(aggregate)
        self._check_open()
        cache = self.cache
        if cache is not None:
            cache.thread_cache.put(cache, (e, kb, s), self._entry(vb, e, len(kb) + 16))
            return
        self._write(kb, s, e, vb)

    def remove(self, windowed_key: Windowed) -> None:
        self.put(windowed_key, None)

    def _rows(self, kb, earliest_end: int, latest_start: int) -> list:
        self._remove_expired()
        rows: dict = {}
        lo = max(earliest_end, self._min_live())
        for end in self.ends.irange(lo, None):
            per_key = self.ends[end]
            keys = (kb,) if kb is not None else sorted(per_key)
            for k in keys:
                starts = per_key.get(k)
                if not starts:
                    continue
                for s in sorted(starts):
                    if s <= latest_start:
                        rows[(end, k, s)] = starts[s]
        if self.cache is not None:
            # CachingSessionStore.findSessions merges the cache filtered by the query's bounds only: a cached
            # session the store has already expired is still returned.
            for (end, k, s), ent in self.cache.entries.items():
                if end >= earliest_end and s <= latest_start and (kb is None or k == kb):
                    rows[(end, k, s)] = ent.value
        return sorted((sk, v) for sk, v in rows.items() if v is not None)

    def _write(self, kb: bytes, start: int, end: int, vb: bytes | None) -> None:
        self._remove_expired()
        self.observed_stream_time = max(self.observed_stream_time, end)
        if end <= self.observed_stream_time - self.retention_ms:
            self.expired_dropped += 1
        elif vb is not None:
            self.ends.setdefault(end, {}).setdefault(kb, {})[start] = vb
        else:
            per_key = self.ends.get(end)
            if per_key is not None and kb in per_key:
                per_key[kb].pop(start, None)
                if not per_key[kb]:
                    del per_key[kb]
                if not per_key:
                    del self.ends[end]
        self._log(kb + _LONG.pack(end) + _LONG.pack(start), vb, end)

    def _flush_entries(self, batch) -> None:
        listener = self.flush_listener
        for (end, kb, start), e in batch:
            if listener is None:
                self._write(kb, start, end, e.value)
                continue
            per_key = self.ends.get(end)
            old = per_key.get(kb, {}).get(start) if per_key is not None else None
            if e.value is None and old is None:
                continue
            self._write(kb, start, end, e.value)
            wk = Windowed(self.key_serde.deserialize(self.changelog, kb), SessionWindow(start, end))
            self._forward_flushed(wk, None if e.value is None else self._de_value(e.value),
                                  None if old is None else self._de_value(old), e)

    def restore_batch(self, records) -> None:
        for key, vb, _ts in records:
            kb, end, start = key[:-16], _LONG.unpack(key[-16:-8])[0], _LONG.unpack(key[-8:])[0]
            self.observed_stream_time = max(self.observed_stream_time, end)
            if vb is None:
                per_key = self.ends.get(end)
                if per_key is not None and kb in per_key:
                    per_key[kb].pop(start, None)
            else:
                self.ends.setdefault(end, {}).setdefault(kb, {})[start] = vb
        self._remove_expired()

    def num_sessions(self) -> int:
        return sum(len(starts) for per_key in self.ends.values() for starts in per_key.values())


class SuppressionBuffer(StateStore):
    """``InMemoryTimeOrderedKeyValueChangeBuffer``: the latest change per key, ordered by buffer time.

    A key keeps the buffer time of its first buffered update; ``evict_while`` emits entries oldest
    first. Its changelog records key → buffered change.

    # Simplification: the changelog value is kafkalab's own layout (buffer time, record context,
    # old/new value bytes), not Kafka's versioned ``BufferValue`` format.
    """

    kind = "suppress"

    def __init__(self, name: str, key_serde=None, value_serde=None, logging: bool = True):
        super().__init__(name, key_serde, value_serde, False, logging, False)
        self.by_key: dict[bytes, tuple] = {}  # key bytes -> (buffer time, key, Change, record context)
        self.order = SortedDict()  # (buffer time, key bytes) -> key bytes
        self.priors: dict[bytes, bytes | None] = {}  # the old value of a key's first buffered change
        self.sizes: dict[bytes, int] = {}
        self.total_bytes = 0

    def put(self, buffer_time: int, key, change, record_context) -> None:
        kb = self._ser_key(key)
        old = self.by_key.get(kb)
        t = old[0] if old is not None else buffer_time  # "non-resetting semantics" (cleanPut)
        if old is not None:
            del self.order[(old[0], kb)]
        self.by_key[kb] = (t, key, change, record_context)
        self.order[(t, kb)] = kb
        old_b = self._ser_value(change.old_value) if change.old_value is not None else None
        if old is None:
            self.priors[kb] = old_b
        self._resize(kb, self._record_size(kb, self.priors[kb], old_b, change, record_context, first=old is None))
        self._log(kb, self._encode(t, change, record_context), record_context[3])

    def _record_size(self, kb: bytes, prior, old_b, change, rc, first: bool) -> int:
        """``computeRecordSize``: buffer time, key, the prior/old/new value bytes (the old one counted apart
        from the prior unless they are the same array, i.e. on the first put) and the record context."""
        new_b = self._ser_value(change.new_value) if change.new_value is not None else None
        topic, _p, _o, _ts, headers = rc
        context = 8 + 8 + len(topic or "") + 4 + sum(len(k) + len(v or b"") for k, v in (headers or ()))
        return (8 + len(kb) + len(prior or b"") + (0 if first else len(old_b or b"")) + len(new_b or b"")
                + context)

    def _resize(self, kb: bytes, size: int | None) -> None:
        self.total_bytes += (size or 0) - self.sizes.pop(kb, 0)
        if size is not None:
            self.sizes[kb] = size

    def min_timestamp(self) -> int:
        return self.order.peekitem(0)[0][0] if self.order else 2**63 - 1

    def num_records(self) -> int:
        return len(self.by_key)

    def buffer_size(self) -> int:
        return self.total_bytes

    def evict_while(self, predicate, emit) -> int:
        n = 0
        while self.order and predicate():
            (_t, kb), _ = self.order.popitem(0)
            _time, key, change, rc = self.by_key.pop(kb)
            self.priors.pop(kb, None)
            self._resize(kb, None)
            self._log(kb, None, rc[3])
            emit(key, change, rc)
            n += 1
        return n

    def _encode(self, t: int, change, rc) -> bytes:
        def part(v):
            b = self._ser_value(v) if v is not None else None
            return _INT.pack(-1) if b is None else _INT.pack(len(b)) + b

        return _LONG.pack(t) + _LONG.pack(rc[3]) + part(change.new_value) + part(change.old_value)

    def restore_batch(self, records) -> None:
        from .processor import Change

        for kb, vb, ts in records:
            old = self.by_key.pop(kb, None)
            if old is not None:
                del self.order[(old[0], kb)]
            self.priors.pop(kb, None)
            self._resize(kb, None)
            if vb is None:
                continue
            t = _LONG.unpack(vb[:8])[0]
            pos, vals = 16, []
            for _ in range(2):
                n = _INT.unpack(vb[pos:pos + 4])[0]
                pos += 4
                vals.append(None if n < 0 else self._de_value(vb[pos:pos + n]))
                pos += max(n, 0)
            key = self.key_serde.deserialize(self.changelog, kb)
            change, rc = Change(vals[0], vals[1]), ("", -1, -1, ts, None)
            self.by_key[kb] = (t, key, change, rc)
            self.order[(t, kb)] = kb
            # Simplification: the restored entry has lost its prior value (kafkalab's changelog layout), so it
            # is sized as a first put.
            self.priors[kb] = self._ser_value(change.old_value) if change.old_value is not None else None
            self._resize(kb, self._record_size(kb, self.priors[kb], None, change, rc, first=True))


class OuterJoinStore(StateStore):
    """The shared store of a left/outer stream-stream join (``KSTREAM-OUTERSHARED-…-store``).

    It keeps the records that have found no partner yet, keyed like Kafka's
    ``TimestampedKeyAndJoinSide`` — timestamp, side (right before left), key bytes — so the oldest come
    first, each key holding the list of its values (``ListValueStore``). Writes go to its changelog.
    """

    kind = "outerJoin"

    def __init__(self, name: str, key_serde=None, left_serde=None, right_serde=None, logging: bool = True):
        super().__init__(name, key_serde, left_serde, False, logging, False)
        self.right_serde = right_serde
        self.entries = SortedDict()  # (ts, is_left, key bytes) -> [value bytes]

    def init(self, context, changelog_topic, partition, thread_cache) -> None:
        super().init(context, changelog_topic, partition, thread_cache)
        if self.right_serde is None:
            self.right_serde = context.value_serde

    def _serde(self, is_left: bool):
        return self.value_serde if is_left else self.right_serde

    @staticmethod
    def _store_key(ts: int, is_left: bool, kb: bytes) -> bytes:
        return _LONG.pack(ts) + (b"\x01" if is_left else b"\x00") + kb

    def _write(self, k: tuple) -> None:
        vals = self.entries.get(k)
        raw = None if not vals else b"".join(_INT.pack(len(v)) + v for v in vals)
        self._log(self._store_key(*k), raw, k[0])

    def add(self, key, ts: int, is_left: bool, value) -> None:
        kb = self._ser_key(key)
        self.entries.setdefault((ts, is_left, kb), []).append(self._serde(is_left).serialize(self.changelog, value))
        self._write((ts, is_left, kb))

    def remove(self, key, ts: int, is_left: bool) -> None:
        k = (ts, is_left, self._ser_key(key))
        if self.entries.pop(k, None) is not None:
            self._write(k)

    def items(self) -> list:
        """``[((ts, is_left, key), value)]``, oldest first."""
        kd = self.key_serde.deserialize
        out = []
        for (ts, is_left, kb), vals in self.entries.items():
            key = kd(self.changelog, kb)
            de = self._serde(is_left).deserialize
            out.extend(((ts, is_left, key), de(self.changelog, v)) for v in vals)
        return out

    def has_entries(self) -> bool:
        return bool(self.entries)

    def restore_batch(self, records) -> None:
        for key, vb, _ts in records:
            k = (_LONG.unpack(key[:8])[0], key[8:9] == b"\x01", key[9:])
            if vb is None:
                self.entries.pop(k, None)
                continue
            vals, pos = [], 0
            while pos < len(vb):
                n = _INT.unpack(vb[pos:pos + 4])[0]
                vals.append(vb[pos + 4:pos + 4 + n])
                pos += 4 + n
            self.entries[k] = vals


STORE_CLASSES = {"keyValue": KeyValueStore, "window": WindowStore, "session": SessionStore,
                 "suppress": SuppressionBuffer, "outerJoin": OuterJoinStore}


def build_store(factory) -> StateStore:
    """A fresh store from a :class:`~.topology.StoreFactory` (one per task)."""
    f = factory
    if f.kind == "keyValue":
        return KeyValueStore(f.name, f.key_serde, f.value_serde, f.timestamped, f.logging_enabled, f.caching_enabled)
    if f.kind == "window":
        return WindowStore(f.name, f.retention_ms, f.window_size_ms, f.retain_duplicates, f.key_serde, f.value_serde,
                           f.timestamped, f.logging_enabled, f.caching_enabled)
    if f.kind == "session":
        return SessionStore(f.name, f.retention_ms, f.key_serde, f.value_serde, f.logging_enabled, f.caching_enabled)
    if f.kind == "suppress":
        return SuppressionBuffer(f.name, f.key_serde, f.value_serde, f.logging_enabled)
    if f.kind == "outerJoin":
        return OuterJoinStore(f.name, f.key_serde, f.value_serde, f.other_value_serde, f.logging_enabled)
    raise ValueError(f"unknown store kind {f.kind!r}")


class Stores:
    """``org.apache.kafka.streams.state.Stores``: store suppliers and builders for the Processor API.

    ``Stores.key_value_store_builder(Stores.in_memory_key_value_store("counts"), Serdes.String(),
    Serdes.Long())`` returns a builder (a :class:`~.topology.StoreFactory`) with logging enabled and
    caching disabled, as Kafka's builders start.
    """

    @staticmethod
    def in_memory_key_value_store(name: str) -> dict:
        return {"name": name, "kind": "keyValue", "persistent": False}

    @staticmethod
    def persistent_key_value_store(name: str) -> dict:
        return {"name": name, "kind": "keyValue", "persistent": True}

    @staticmethod
    def persistent_timestamped_key_value_store(name: str) -> dict:
        return {"name": name, "kind": "keyValue", "persistent": True, "timestamped": True}

    @staticmethod
    def in_memory_window_store(name: str, retention_period, window_size, retain_duplicates: bool) -> dict:
        from .windows import to_ms

        return {"name": name, "kind": "window", "retention_ms": to_ms(retention_period, "retentionPeriod"),
                "window_size_ms": to_ms(window_size, "windowSize"), "retain_duplicates": retain_duplicates}

    persistent_window_store = in_memory_window_store

    @staticmethod
    def key_value_store_builder(supplier: dict, key_serde, value_serde):
        from .topology import StoreFactory

        return StoreFactory(supplier["name"], "keyValue", key_serde, value_serde,
                            timestamped=bool(supplier.get("timestamped")))

    @staticmethod
    def timestamped_key_value_store_builder(supplier: dict, key_serde, value_serde):
        from .topology import StoreFactory

        return StoreFactory(supplier["name"], "keyValue", key_serde, value_serde, timestamped=True)

    @staticmethod
    def window_store_builder(supplier: dict, key_serde, value_serde):
        from .topology import StoreFactory

        return StoreFactory(supplier["name"], "window", key_serde, value_serde, retention_ms=supplier["retention_ms"],
                            window_size_ms=supplier["window_size_ms"], retain_duplicates=supplier["retain_duplicates"])


__all__ = [
    "CacheEntry",
    "KeyValueStore",
    "NamedCache",
    "OuterJoinStore",
    "SessionStore",
    "StateStore",
    "Stores",
    "SuppressionBuffer",
    "ThreadCache",
    "ValueAndTimestamp",
    "WindowStore",
    "build_store",
    "get_value_or_null",
]
