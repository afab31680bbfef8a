"""Producer partitioners: which partition a record goes to, as librdkafka and the Java client decide it.

Two families are modelled, under the names a learner types into a producer config:

* librdkafka's ``partitioner`` property (what confluent-kafka uses): ``consistent_random`` (its
  default), ``consistent``, ``murmur2_random``, ``murmur2``, ``fnv1a_random``, ``fnv1a``, ``random``.
* ``java``: the Java client's built-in partitioner (Kafka 3.3+, KIP-794), which hashes keys with
  murmur2 and spreads keyless records with "uniform sticky" partitioning.

What each librdkafka partitioner does (checked against librdkafka 2.16.0, ``tests/data/oracle``):

=====================  ====================  ======================  ======================
partitioner            non-empty key         empty key ``b""``       null key ``None``
=====================  ====================  ======================  ======================
consistent_random      crc32 % n             sticky random           sticky random
consistent             crc32 % n             0 (crc32 of b"" is 0)   0, never sticky
murmur2_random         murmur2 % n           murmur2(b"") % n        sticky random
murmur2                murmur2 % n           murmur2(b"") % n        murmur2(b"") % n
fnv1a_random           fnv1a % n             fnv1a(b"") % n          sticky random
fnv1a                  fnv1a % n             fnv1a(b"") % n          fnv1a(b"") % n
random                 random per message    random per message      sticky random
java                   murmur2 % n           murmur2(b"") % n        uniform sticky (bytes)
=====================  ====================  ======================  ======================

``murmur2 % n`` means ``(murmur2(key) & 0x7fffffff) % n``, so ``murmur2_random`` and ``java`` agree on
every keyed record, while the default ``consistent_random`` (CRC32) does not: the same key can land on
different partitions from a Python producer and a Java producer.

Two entry points:

* :func:`partition_for_key` answers "where does this one record go?" without any history.
* :class:`Partitioner` is what a producer owns: it remembers the sticky partition of every topic.
"""
from __future__ import annotations

import random
import struct
import zlib

from kafkalab.errors import ConfigException, Err, KafkaError

__all__ = ["DETERMINISTIC_PARTITIONERS", "LIBRDKAFKA_PARTITIONERS", "PARTITIONERS", "Partitioner", "crc32", "fnv1a",
           "murmur2", "partition_for_key", "to_positive"]

#: Every name accepted by :func:`partition_for_key` and :class:`Partitioner`; librdkafka's seven, then "java".
PARTITIONERS: tuple[str, ...] = ("consistent_random", "consistent", "murmur2_random", "murmur2",
                                 "fnv1a_random", "fnv1a", "random", "java")
#: The values librdkafka accepts for its ``partitioner`` property (default ``consistent_random``).
LIBRDKAFKA_PARTITIONERS: tuple[str, ...] = PARTITIONERS[:7]
#: Partitioners that never draw a random number: librdkafka hashes a null key as if it were empty.
DETERMINISTIC_PARTITIONERS: frozenset[str] = frozenset({"consistent", "murmur2", "fnv1a"})

_MASK32 = 0xFFFFFFFF
# One precompiled little-endian unpacker per word count, for keys up to 256 bytes; longer keys
# (rare) build their format string on the fly.
_WORD_UNPACKERS = tuple(struct.Struct(f"<{n}I").unpack_from for n in range(65))


def murmur2(data: bytes) -> int:
    """Kafka's 32-bit murmur2 hash of ``data``, as the signed Java ``int`` that ``Utils.murmur2`` returns.

    The Java producer and librdkafka's ``murmur2``/``murmur2_random`` partitioners use this hash (seed
    ``0x9747b28c``, 4-byte little-endian words) to map a serialized key to a partition; the result is
    signed, so call :func:`to_positive` before taking ``% num_partitions``.

    Example: the same bytes always give the same hash, and the partition is ``to_positive(h) % n``:

    >>> h = murmur2(b"order-42")
    >>> -2**31 <= h < 2**31 and h == murmur2(b"order-42")
    True
    >>> to_positive(h) % 6 == partition_for_key(b"order-42", 6, "java")
    True

    Related: ``org.apache.kafka.common.utils.Utils.murmur2``; KIP-794 (``BuiltInPartitioner``).
    """
    # Hot path: every keyed record that misses Partitioner's cache comes here.  Python ints never
    # overflow, so each product is cut back to 32 bits by hand; the constants are inlined because
    # LOAD_CONST is cheaper than any name lookup.
    n = len(data)
    h = 0x9747B28C ^ n
    n4 = n >> 2
    if n4:
        words = _WORD_UNPACKERS[n4](data) if n4 <= 64 else struct.unpack_from(f"<{n4}I", data)
        for k in words:
            k = (k * 0x5BD1E995) & _MASK32
            # Java: k ^= k >>> 24; k *= m; h *= m; h ^= k.  Only the low 32 bits of a product or an
            # xor depend on the low 32 bits of the inputs, so one mask at the end is enough.
            h = ((h * 0x5BD1E995) ^ ((k ^ (k >> 24)) * 0x5BD1E995)) & _MASK32
    tail = n & 3
    if tail:
        i = n4 << 2
        if tail == 1:
            h ^= data[i]
        elif tail == 2:
            h ^= data[i + 1] << 8 | data[i]
        else:
            h ^= data[i + 2] << 16 | data[i + 1] << 8 | data[i]
        h = (h * 0x5BD1E995) & _MASK32
    h ^= h >> 13
    h = (h * 0x5BD1E995) & _MASK32
    h ^= h >> 15
    return h - 0x100000000 if h >= 0x80000000 else h


def to_positive(h: int) -> int:
    """Kafka's ``Utils.toPositive``: clear the sign bit of a 32-bit hash (a bit mask, not ``abs()``).

    Masking keeps every result in ``0 .. 2**31-1`` and, unlike ``abs()``, has no special case for
    ``-2**31``.

    >>> to_positive(-1), to_positive(5), to_positive(-2**31)
    (2147483647, 5, 0)

    Related: ``BuiltInPartitioner.partitionForKey`` = ``toPositive(murmur2(key)) % numPartitions``.
    """
    return h & 0x7FFFFFFF


def crc32(data: bytes) -> int:
    """CRC-32 of ``data`` as an unsigned 32-bit int, the hash of librdkafka's ``consistent`` partitioners.

    librdkafka's ``consistent`` and ``consistent_random`` compute ``crc32(key) % n`` (zlib's CRC-32).
    The CRC of no bytes is 0, which is why ``consistent`` sends empty and null keys to partition 0.

    >>> crc32(b"")
    0
    >>> crc32(b"k1") % 6 == partition_for_key(b"k1", 6, "consistent")
    True

    Related: librdkafka ``partitioner=consistent`` / ``consistent_random``.
    """
    return zlib.crc32(data)


def fnv1a(data: bytes) -> int:
    """32-bit FNV-1a of ``data``, read as an int32 and made positive with ``abs()``, as librdkafka does.

    librdkafka's ``fnv1a`` partitioners hash with offset ``0x811C9DC5`` and prime ``0x01000193``, then
    take the absolute value of the signed result to match Sarama's (Go) ``NewHashPartitioner``, so a
    Go producer and a librdkafka producer agree.  ``abs(-2**31)`` is ``2**31``, as in librdkafka once
    the C value is read back as unsigned.

    >>> fnv1a(b"") == 2**32 - 0x811C9DC5    # abs() of the offset basis, which is negative as an int32
    True
    >>> fnv1a(b"k1") % 6 == partition_for_key(b"k1", 6, "fnv1a")
    True

    Related: librdkafka ``partitioner=fnv1a`` / ``fnv1a_random`` (added in librdkafka 1.7).
    """
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & _MASK32
    return 0x100000000 - h if h >= 0x80000000 else h


def _murmur2_positive(data: bytes) -> int:
    return murmur2(data) & 0x7FFFFFFF


# partitioner name -> function from key bytes to a non-negative hash (None: never hashes).
_HASHES = {
    "consistent_random": zlib.crc32, "consistent": zlib.crc32,
    "murmur2_random": _murmur2_positive, "murmur2": _murmur2_positive, "java": _murmur2_positive,
    "fnv1a_random": fnv1a, "fnv1a": fnv1a,
    "random": None,
}


def _check_name(partitioner: str) -> None:
    if not isinstance(partitioner, str) or partitioner not in _HASHES:
        raise ConfigException(KafkaError(
            Err._INVALID_ARG,
            f'Invalid value "{partitioner}" for configuration property "partitioner": '
            f'expected one of {", ".join(PARTITIONERS)}'))


def _check_count(num_partitions: int) -> None:
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be >= 1, got {num_partitions}: a topic has at least one partition")


def _check_key(key) -> None:
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(f"key must be bytes (the serializer's output) or None, got {type(key).__name__}: "
                        f"serialize it first, e.g. {key!r}.encode() for a str")


def _is_random(partitioner: str, key: bytes | None) -> bool:
    """Whether librdkafka (or the Java client) picks a random partition for this record."""
    if partitioner == "random":
        return True
    if key is None:
        return partitioner not in DETERMINISTIC_PARTITIONERS
    return partitioner == "consistent_random" and len(key) == 0


def _need_rng(partitioner: str, key: bytes | None) -> ValueError:
    what = "a null key" if key is None else ("every record" if partitioner == "random" else "an empty key")
    return ValueError(f'partitioner "{partitioner}" picks a random partition for {what}: '
                      f"pass a seeded rng (random.Random(seed)), e.g. the Sim's rng")


def partition_for_key(key: bytes | None, num_partitions: int, partitioner: str,
                      rng: random.Random | None = None) -> int:
    """The partition a producer with ``partitioner`` picks for one record with ``key``, ignoring history.

    Keyed records are hashed: ``crc32`` (``consistent*``), Kafka's murmur2 (``murmur2*``, ``java``) or
    FNV-1a (``fnv1a*``), modulo ``num_partitions``; all partitions count, available or not.  Keyless
    records follow the table in the module docstring: the three deterministic partitioners hash a null
    key as if it were ``b""``; the others (and ``consistent_random`` for ``b""``, and ``random`` for
    every record) choose at random with ``rng``.  A real producer would then stick to that choice for a
    while; :class:`Partitioner` models that.

    >>> partition_for_key(b"order-42", 6, "murmur2_random") == partition_for_key(b"order-42", 6, "java")
    True
    >>> partition_for_key(None, 6, "consistent"), partition_for_key(b"", 6, "consistent")
    (0, 0)
    >>> partition_for_key(None, 6, "murmur2") == partition_for_key(b"", 6, "murmur2")
    True
    >>> 0 <= partition_for_key(None, 6, "consistent_random", random.Random(1)) < 6
    True

    Raises ``ConfigException`` (``_INVALID_ARG``) for an unknown partitioner, ``ValueError`` for
    ``num_partitions < 1`` or when a random choice is needed and ``rng`` is None.

    Related: librdkafka ``partitioner``; Java ``BuiltInPartitioner.partitionForKey`` (KIP-794).
    """
    _check_name(partitioner)
    _check_count(num_partitions)
    if key is not None:
        _check_key(key)
    if _is_random(partitioner, key):
        if rng is None:
            raise _need_rng(partitioner, key)
        return rng.randrange(num_partitions)
    return _HASHES[partitioner](b"" if key is None else bytes(key)) % num_partitions


class Partitioner:
    """One producer's partitioner: hashes keys and keeps a sticky partition per topic for keyless records.

    librdkafka (``consistent_random``, ``murmur2_random``, ``fnv1a_random``, ``random``): a keyless
    record (null key, or ``b""`` under ``consistent_random``) goes to the topic's sticky partition.
    A new one is drawn uniformly at random when more than ``sticky.partitioning.linger.ms`` has passed
    since the last draw (default 2 x ``linger.ms``), so a burst lands on one partition and records
    30 ms apart spread out.  With ``sticky.partitioning.linger.ms=0`` every keyless record is random.
    ``consistent``, ``murmur2`` and ``fnv1a`` never stick: they hash a null key as ``b""``.
    ``random`` sends every keyed record (``b""`` included) to a fresh random partition.

    Java (``java``, Kafka 3.3+): keyed records use ``murmur2 % n``.  Keyless records use "uniform
    sticky" partitioning: stay on one partition until ``batch.size`` bytes have been appended to it;
    the record that reaches ``batch.size`` still goes there, and the *next* one goes to a partition
    drawn uniformly at random (it may be the same one again).

    Worked example, 6 partitions, ``sticky.partitioning.linger.ms=10``:

    >>> p = Partitioner("consistent_random", random.Random(42), sticky_linger_ms=10)
    >>> burst = {p.partition("t0", None, 6, now_ms=t) for t in range(0, 10)}   # 10 records in 9 ms
    >>> len(burst)
    1
    >>> p.partition("t0", b"k1", 6, now_ms=10) == partition_for_key(b"k1", 6, "consistent_random")
    True
    >>> j = Partitioner("java", random.Random(42), batch_size=1000)
    >>> ps = [j.partition("t0", None, 6, now_ms=0, record_bytes=250) for _ in range(8)]
    >>> len(set(ps[:4])), len(set(ps[4:]))     # switch after the record that reaches 1000 bytes
    (1, 1)

    ``num_partitions`` is passed on every call because a topic can grow (``CreatePartitions``).

    Related: librdkafka ``partitioner``, ``sticky.partitioning.linger.ms``; Java ``batch.size``,
    ``partitioner.adaptive.partitioning.enable``; KIP-480 (sticky partitioner), KIP-794 (uniform sticky).
    """

    #: Keyed hashes are cached (key bytes -> non-negative hash); the cache is cleared beyond this size.
    CACHE_LIMIT = 100_000

    def __init__(self, name: str, rng: random.Random, sticky_linger_ms: int = 10, batch_size: int = 16384,
                 java_sticky: str = "KIP-794"):
        _check_name(name)
        if java_sticky not in ("KIP-480", "KIP-794"):
            raise ValueError(f"java_sticky is 'KIP-480' (Kafka 2.4-3.2) or 'KIP-794' (3.3+), got {java_sticky!r}")
        if sticky_linger_ms < 0:
            raise ValueError(f"sticky.partitioning.linger.ms must be >= 0, got {sticky_linger_ms}")
        if batch_size < 1:
            raise ValueError(f"batch.size must be >= 1 for sticky partitioning, got {batch_size}")
        self.name = name
        self.deterministic = name in DETERMINISTIC_PARTITIONERS
        if rng is None and not self.deterministic:
            raise _need_rng(name, None)
        self.rng = rng
        self.sticky_linger_ms = sticky_linger_ms
        self.batch_size = batch_size
        self._hash = _HASHES[name]
        self._cache: dict[bytes, int] = {}
        # topic -> [partition, time of the draw in ms (librdkafka) or bytes appended since (java)]
        self._sticky: dict[str, list[int]] = {}
        self._java = name == "java"
        # Kafka 2.4-3.2's DefaultPartitioner + StickyPartitionCache (KIP-480): keyless records stay on one
        # partition until the producer needs a new batch there (on_new_batch), whatever its size.
        self._kip480 = self._java and java_sticky == "KIP-480"
        # An empty key counts as "no key" only for consistent_random (librdkafka checks keylen == 0 there).
        self._empty_is_keyless = name == "consistent_random"
        self._keyed_random = name == "random"
        # librdkafka: sticky only when linger > 0 and the partitioner is not a deterministic one.
        self._librdkafka_sticky = not self.deterministic and not self._java and sticky_linger_ms > 0
        self._null_hash = self._hash(b"") if self.deterministic else 0

    def partition(self, topic: str, key: bytes | None, num_partitions: int, now_ms: int,
                  record_bytes: int = 0, *, enable_switch: bool = True) -> int:
        """The partition for the next record of ``topic``, updating the sticky state.

        ``now_ms`` drives librdkafka's sticky interval; ``record_bytes`` (the record's size in its
        batch, as the accumulator reports it) drives the Java switch.  ``enable_switch=False`` tells
        the Java model that the partition's last batch is not full yet: Java then switches only at
        2 x ``batch.size`` (``RecordAccumulator.allBatchesFull``).
        """
        if num_partitions < 1:
            _check_count(num_partitions)
        if key is not None and not self._keyed_random and (key or not self._empty_is_keyless):
            try:
                h = self._cache.get(key)  # .get, not [key]: a raised KeyError would cost more than a miss saves
            except TypeError:  # an unhashable bytearray
                h = None
            if h is None:
                h = self._miss(key)
            return h % num_partitions
        if key is not None:  # "random" with any key, or b"" under consistent_random (handled below)
            if self._keyed_random:
                return self.rng.randrange(num_partitions)
        elif self.deterministic:
            return self._null_hash % num_partitions
        if self._kip480:
            st = self._sticky.get(topic)
            if st is None or st[0] >= num_partitions:
                st = self._sticky[topic] = [self.rng.randrange(num_partitions), 0]
            return st[0]
        if self._java:
            return self._java_sticky(topic, num_partitions, record_bytes, enable_switch)
        if not self._librdkafka_sticky:
            return self.rng.randrange(num_partitions)
        # librdkafka's rd_kafka_msg_sticky_partition(): rd_interval() fires when
        # now - last_draw - linger > 0 (strictly; microseconds there, virtual ms here) and the
        # timer restarts at the draw, not at a fixed boundary.  The draw is
        # rd_kafka_msg_partitioner_random(): a uniform rd_jitter(0, cnt - 1), with no attempt to
        # avoid the previous sticky partition, so an "expired" interval often keeps the same one
        # (librdkafka 2.x, rdkafka_msg.c).
        # Simplification: every partition counts as available.  librdkafka also redraws at once when
        # the sticky partition has no leader, and redraws once if a draw lands on such a partition.
        st = self._sticky.get(topic)
        if st is None or now_ms - st[1] > self.sticky_linger_ms or st[0] >= num_partitions:
            p = self.rng.randrange(num_partitions)
            self._sticky[topic] = [p, now_ms]
            return p
        return st[0]

    def _miss(self, key: bytes) -> int:
        if type(key) is not bytes:
            _check_key(key)
            key = bytes(key)
        cache = self._cache
        if len(cache) >= self.CACHE_LIMIT:
            cache.clear()
        h = cache[key] = self._hash(key)
        return h

    def _java_sticky(self, topic: str, num_partitions: int, record_bytes: int, enable_switch: bool) -> int:
        # BuiltInPartitioner: peekCurrentPartitionInfo() picks a partition the first time; after the
        # append, updatePartitionInfo() adds the appended bytes and, once they reach batch.size (and
        # the accumulator allows a switch) or 2 x batch.size (always), draws the next partition
        # right away.  nextPartition() is availablePartitions[toPositive(random) % size]: uniform,
        # and it can repeat the partition it leaves (unlike KIP-480's StickyPartitionCache, which
        # looped until it found a different one).
        # Simplification: no adaptive weighting by broker queue sizes
        # (partitioner.adaptive.partitioning.enable=true in Java, but it only kicks in when queue
        # sizes differ) and no partitioner.availability.timeout.ms; every partition counts as
        # available, so the draw is uniform over all of them.
        st = self._sticky.get(topic)
        if st is None or st[0] >= num_partitions:
            st = self._sticky[topic] = [self.rng.randrange(num_partitions), 0]
        partition = st[0]
        produced = st[1] + record_bytes
        if produced >= self.batch_size * 2 or (enable_switch and produced >= self.batch_size):
            self._sticky[topic] = [self.rng.randrange(num_partitions), 0]
        else:
            st[1] = produced
        return partition

    @property
    def switches_on_new_batch(self) -> bool:
        """True for KIP-480: the producer must call :meth:`on_new_batch` when a keyless record needs a new batch."""
        return self._kip480

    def on_new_batch(self, topic: str, previous: int, num_partitions: int) -> int:
        """KIP-480's ``Partitioner.onNewBatch``: the sticky partition's batch is full or gone, so
        ``StickyPartitionCache.nextPartition`` draws another one, different from ``previous`` when it can."""
        st = self._sticky.get(topic)
        if st is None or st[0] == previous:
            new = self.rng.randrange(num_partitions)
            while num_partitions > 1 and new == previous:
                new = self.rng.randrange(num_partitions)
            self._sticky[topic] = [new, 0]
            return new
        return st[0]

    def sticky_partition(self, topic: str) -> int | None:
        """The topic's current sticky partition (the next keyless record's, Java), or None before the first."""
        st = self._sticky.get(topic)
        return None if st is None else st[0]

    def __repr__(self) -> str:
        return (f"Partitioner({self.name!r}, sticky_linger_ms={self.sticky_linger_ms}, "
                f"batch_size={self.batch_size})")
