"""The DSL's parameter objects: ``Consumed``, ``Produced``, ``Grouped``, ``Materialized``, ``Joined``, …

Each mirrors its Kafka class; Java's ``with``/``as`` are ``with_``/``as_`` (Python keywords), and
builder methods mutate and return the object, as in Java::

    Consumed.with_(Serdes.String(), JsonSerde())
    Materialized.as_("clicks-per-user-5m").with_caching_disabled()
    Suppressed.until_window_closes(BufferConfig.unbounded())

``KeyValue(key, value)`` is Kafka's pair (a tuple works wherever a ``KeyValue`` is expected).
"""
from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from .errors import IllegalArgumentException
from .serdes import Serde, as_serializer
from .windows import to_ms


class KeyValue(NamedTuple):
    key: object
    value: object

    @staticmethod
    def pair(key, value) -> KeyValue:
        return KeyValue(key, value)

    def __repr__(self) -> str:
        return f"KeyValue({self.key}, {self.value})"


def _serde(s) -> Serde | None:
    return as_serializer(s)


class Named:
    """``Named.as_("name")``: the processor name instead of a generated ``KSTREAM-…-0000000004``."""

    def __init__(self, name: str | None = None):
        if name is not None:
            _validate_name(name)
        self.name = name

    @classmethod
    def as_(cls, name: str) -> Named:
        return cls(name)


def _validate_name(name: str) -> None:
    # Named.validate: legal topic-name characters, at most 249 of them.
    if not name or len(name) > 249 or any(not (c.isalnum() and c.isascii()) and c not in "._-" for c in name):
        raise IllegalArgumentException(f"Name \"{name}\" is illegal, it contains a character other than ASCII "
                                       "alphanumerics, '.', '_' and '-'" if name and len(name) <= 249 else
                                       "Name is illegal, it can't be empty or longer than 249 characters")


class Consumed:
    """How a source reads a topic: serdes, timestamp extractor, offset reset, processor name."""

    def __init__(self, key_serde=None, value_serde=None, timestamp_extractor=None, offset_reset_policy=None,
                 name: str | None = None):
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.timestamp_extractor = timestamp_extractor
        self.offset_reset_policy = offset_reset_policy
        self.name = name

    @classmethod
    def with_(cls, key_serde=None, value_serde=None, timestamp_extractor=None, offset_reset_policy=None) -> Consumed:
        return cls(key_serde, value_serde, timestamp_extractor, offset_reset_policy)

    @classmethod
    def as_(cls, name: str) -> Consumed:
        return cls(name=name)

    def with_key_serde(self, s) -> Consumed:
        self.key_serde = _serde(s)
        return self

    def with_value_serde(self, s) -> Consumed:
        self.value_serde = _serde(s)
        return self

    def with_timestamp_extractor(self, extractor) -> Consumed:
        """``extractor(record, partition_time) -> int`` (a ``TimestampExtractor.extract``)."""
        self.timestamp_extractor = extractor
        return self

    def with_offset_reset_policy(self, policy: str) -> Consumed:
        self.offset_reset_policy = policy
        return self

    def with_name(self, name: str) -> Consumed:
        self.name = name
        return self


class Produced:
    """How a sink writes: serdes, a ``StreamPartitioner`` (``fn(topic, key, value, num_partitions)``), name."""

    def __init__(self, key_serde=None, value_serde=None, partitioner=None, name: str | None = None):
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.partitioner = partitioner
        self.name = name

    @classmethod
    def with_(cls, key_serde=None, value_serde=None, partitioner=None) -> Produced:
        return cls(key_serde, value_serde, partitioner)

    @classmethod
    def as_(cls, name: str) -> Produced:
        return cls(name=name)

    @classmethod
    def key_serde_(cls, s) -> Produced:
        return cls(key_serde=s)

    @classmethod
    def value_serde_(cls, s) -> Produced:
        return cls(value_serde=s)

    def with_key_serde(self, s) -> Produced:
        self.key_serde = _serde(s)
        return self

    def with_value_serde(self, s) -> Produced:
        self.value_serde = _serde(s)
        return self

    def with_stream_partitioner(self, partitioner) -> Produced:
        self.partitioner = partitioner
        return self

    def with_name(self, name: str) -> Produced:
        self.name = name
        return self


class Grouped:
    """Serdes for a grouping and the name of its repartition topic (``<name>-repartition``)."""

    def __init__(self, key_serde=None, value_serde=None, name: str | None = None):
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.name = name

    @classmethod
    def with_(cls, key_serde=None, value_serde=None) -> Grouped:
        return cls(key_serde, value_serde)

    @classmethod
    def as_(cls, name: str) -> Grouped:
        return cls(name=name)

    def with_key_serde(self, s) -> Grouped:
        self.key_serde = _serde(s)
        return self

    def with_value_serde(self, s) -> Grouped:
        self.value_serde = _serde(s)
        return self

    def with_name(self, name: str) -> Grouped:
        self.name = name
        return self


class StoreType(Enum):
    """``Materialized.StoreType``."""

    ROCKS_DB = "rocksDB"
    IN_MEMORY = "in_memory"


class Materialized:
    """A state store's name, serdes, changelog logging, caching and retention.

    ``store_type`` is ``Materialized.StoreType.ROCKS_DB`` (Kafka's default DSL store) or ``IN_MEMORY``;
    kafkalab's stores behave the same either way (see :mod:`.state`).
    """

    StoreType = StoreType

    def __init__(self, store_name: str | None = None, key_serde=None, value_serde=None):
        if store_name is not None:
            _validate_name(store_name)
        self.store_name = store_name
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.logging_enabled = True
        self.topic_config: dict = {}
        self.caching_enabled = True
        self.retention_ms: int | None = None
        self.store_type: str | None = None

    @classmethod
    def as_(cls, store_name_or_type) -> Materialized:
        """``Materialized.as("name")`` or ``Materialized.as(StoreType.IN_MEMORY)`` (an unnamed store of that type)."""
        if isinstance(store_name_or_type, StoreType):
            return cls().with_store_type(store_name_or_type)
        if isinstance(store_name_or_type, dict):  # a store supplier (Stores.in_memory_key_value_store("name"))
            return cls(store_name_or_type["name"])
        return cls(store_name_or_type)

    @classmethod
    def with_(cls, key_serde=None, value_serde=None) -> Materialized:
        return cls(None, key_serde, value_serde)

    def with_key_serde(self, s) -> Materialized:
        self.key_serde = _serde(s)
        return self

    def with_value_serde(self, s) -> Materialized:
        self.value_serde = _serde(s)
        return self

    def with_logging_enabled(self, config: dict | None = None) -> Materialized:
        self.logging_enabled = True
        self.topic_config = dict(config or {})
        return self

    def with_logging_disabled(self) -> Materialized:
        self.logging_enabled = False
        self.topic_config = {}
        return self

    def with_caching_enabled(self) -> Materialized:
        self.caching_enabled = True
        return self

    def with_caching_disabled(self) -> Materialized:
        self.caching_enabled = False
        return self

    def with_retention(self, retention) -> Materialized:
        ms = to_ms(retention, "retention")
        if ms < 0:
            raise IllegalArgumentException("Retention must not be negative.")
        self.retention_ms = ms
        return self

    def with_store_type(self, store_type: StoreType) -> Materialized:
        if not isinstance(store_type, StoreType):
            raise IllegalArgumentException(f"Unexpected storeType: {store_type}")
        self.store_type = store_type
        return self

    def copy(self) -> Materialized:
        m = Materialized(self.store_name, self.key_serde, self.value_serde)
        m.logging_enabled, m.topic_config = self.logging_enabled, dict(self.topic_config)
        m.caching_enabled, m.retention_ms, m.store_type = self.caching_enabled, self.retention_ms, self.store_type
        return m


class Joined:
    """Stream-table join options: serdes and the processor (and repartition topic) name."""

    def __init__(self, key_serde=None, value_serde=None, other_value_serde=None, name: str | None = None):
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.other_value_serde = _serde(other_value_serde)
        self.name = name

    @classmethod
    def with_(cls, key_serde=None, value_serde=None, other_value_serde=None, name: str | None = None) -> Joined:
        return cls(key_serde, value_serde, other_value_serde, name)

    @classmethod
    def as_(cls, name: str) -> Joined:
        return cls(name=name)

    def with_name(self, name: str) -> Joined:
        self.name = name
        return self


class StreamJoined:
    """Stream-stream join options: serdes, the processor name, the base name of the two window stores."""

    def __init__(self, key_serde=None, value_serde=None, other_value_serde=None):
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.other_value_serde = _serde(other_value_serde)
        self.name: str | None = None
        self.store_name: str | None = None
        self.logging_enabled = True

    @classmethod
    def with_(cls, key_serde=None, value_serde=None, other_value_serde=None) -> StreamJoined:
        return cls(key_serde, value_serde, other_value_serde)

    @classmethod
    def as_(cls, store_name: str) -> StreamJoined:
        sj = cls()
        sj.store_name = store_name
        return sj

    def with_name(self, name: str) -> StreamJoined:
        self.name = name
        return self

    def with_store_name(self, store_name: str) -> StreamJoined:
        self.store_name = store_name
        return self

    def with_logging_disabled(self) -> StreamJoined:
        self.logging_enabled = False
        return self


class Repartitioned:
    """``repartition()`` options: serdes, name, the number of partitions, a partitioner."""

    def __init__(self, name: str | None = None, key_serde=None, value_serde=None, number_of_partitions=None,
                 partitioner=None):
        self.name = name
        self.key_serde = _serde(key_serde)
        self.value_serde = _serde(value_serde)
        self.number_of_partitions = number_of_partitions
        self.partitioner = partitioner

    @classmethod
    def as_(cls, name: str) -> Repartitioned:
        return cls(name=name)

    @classmethod
    def with_(cls, key_serde=None, value_serde=None) -> Repartitioned:
        return cls(key_serde=key_serde, value_serde=value_serde)

    @classmethod
    def with_number_of_partitions_(cls, n: int) -> Repartitioned:
        return cls(number_of_partitions=n)

    def with_number_of_partitions(self, n: int) -> Repartitioned:
        self.number_of_partitions = n
        return self

    def with_name(self, name: str) -> Repartitioned:
        self.name = name
        return self

    def with_key_serde(self, s) -> Repartitioned:
        self.key_serde = _serde(s)
        return self

    def with_value_serde(self, s) -> Repartitioned:
        self.value_serde = _serde(s)
        return self

    def with_stream_partitioner(self, partitioner) -> Repartitioned:
        self.partitioner = partitioner
        return self


class Branched:
    """One branch of ``split()``: its name suffix, and optionally a function applied to the branch."""

    def __init__(self, name: str | None = None, chain=None, consumer=None):
        self.name = name
        self.chain = chain
        self.consumer = consumer

    @classmethod
    def as_(cls, name: str) -> Branched:
        return cls(name=name)

    @classmethod
    def with_function(cls, chain, name: str | None = None) -> Branched:
        return cls(name=name, chain=chain)

    @classmethod
    def with_consumer(cls, consumer, name: str | None = None) -> Branched:
        return cls(name=name, consumer=consumer)


class BufferConfig:
    """``Suppressed.BufferConfig``: how much a suppression buffer holds and what happens when full."""

    EMIT = "EMIT"
    SHUT_DOWN = "SHUT_DOWN"

    def __init__(self, record_limit: int = 2**63 - 1, byte_limit: int = 2**63 - 1, strategy: str = "SHUT_DOWN",
                 logging_enabled: bool = True):
        self.record_limit = record_limit
        self.byte_limit = byte_limit
        self.strategy = strategy
        self.logging_enabled = logging_enabled

    @classmethod
    def unbounded(cls) -> BufferConfig:
        return cls()

    @classmethod
    def max_records(cls, n: int) -> BufferConfig:
        """``BufferConfig.maxRecords(n)``: at most ``n`` records, emitting the oldest early when full."""
        return cls(record_limit=n, strategy=cls.EMIT)

    @classmethod
    def max_bytes(cls, n: int) -> BufferConfig:
        """``BufferConfig.maxBytes(n)``: at most ``n`` bytes, emitting the oldest early when full."""
        return cls(byte_limit=n, strategy=cls.EMIT)

    def with_max_records(self, n: int) -> BufferConfig:
        self.record_limit = n
        return self

    def with_max_bytes(self, n: int) -> BufferConfig:
        self.byte_limit = n
        return self

    def emit_early_when_full(self) -> BufferConfig:
        self.strategy = self.EMIT
        return self

    def shut_down_when_full(self) -> BufferConfig:
        self.strategy = self.SHUT_DOWN
        return self

    def with_logging_disabled(self) -> BufferConfig:
        self.logging_enabled = False
        return self

    def is_strict(self) -> bool:
        return self.strategy == self.SHUT_DOWN


class Suppressed:
    """``KTable.suppress(...)`` options: final results per window, or rate-limit by time."""

    def __init__(self, kind: str, buffer_config: BufferConfig, time_limit_ms: int | None = None,
                 name: str | None = None):
        self.kind = kind  # "untilWindowCloses" or "untilTimeLimit"
        self.buffer_config = buffer_config
        self.time_limit_ms = time_limit_ms
        self.name = name

    @classmethod
    def until_window_closes(cls, buffer_config: BufferConfig) -> Suppressed:
        """Emit only a window's final result, once stream time passes window end + grace."""
        if not buffer_config.is_strict():
            raise IllegalArgumentException("untilWindowCloses needs a strict buffer config: BufferConfig.unbounded() "
                                           "or ...shut_down_when_full() (a final result must never be emitted early)")
        return cls("untilWindowCloses", buffer_config)

    @classmethod
    def until_time_limit(cls, time_to_wait_for_more_events, buffer_config: BufferConfig) -> Suppressed:
        """Emit a key's latest value once stream time is ``time_to_wait`` past its first buffered update."""
        return cls("untilTimeLimit", buffer_config, to_ms(time_to_wait_for_more_events, "timeToWaitForMoreEvents"))

    def with_name(self, name: str) -> Suppressed:
        self.name = name
        return self


__all__ = ["Branched", "BufferConfig", "Consumed", "Grouped", "Joined", "KeyValue", "Materialized", "Named",
           "Produced", "Repartitioned", "StreamJoined", "Suppressed"]
