"""The Processor API at run time: records, processors, nodes and the context they share in a task.

* :class:`Record` — key, value, timestamp, headers (``org.apache.kafka.streams.processor.api.Record``).
* :class:`Processor` — subclass it and override ``process(record)``; ``init(context)`` gives the
  :class:`ProcessorContext` (``forward``, ``get_state_store``, ``schedule``, record metadata).
* Nodes: :class:`SourceNode` deserializes and forwards, :class:`ProcessorNode` runs a processor,
  :class:`SinkNode` serializes and hands the record to the task's record collector.

A record is pushed depth-first: ``context.forward(record)`` calls each child's ``process`` in the
order the children were added, before returning — as Kafka Streams does.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ...partitioners import murmur2, to_positive
from .errors import StreamsException

if TYPE_CHECKING:
    from .task import ProcessorContext

NO_TIMESTAMP = -1


class Record:
    """An immutable record; ``with_key``/``with_value``/``with_timestamp`` return a copy."""

    __slots__ = ("headers", "key", "timestamp", "value")

    def __init__(self, key, value, timestamp: int, headers=None):
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers

    def with_key(self, key) -> Record:
        return Record(key, self.value, self.timestamp, self.headers)

    def with_value(self, value) -> Record:
        return Record(self.key, value, self.timestamp, self.headers)

    def with_timestamp(self, timestamp: int) -> Record:
        if timestamp < 0:
            from .errors import IllegalArgumentException

            raise IllegalArgumentException(f"Timestamp cannot be negative. Got {timestamp}")
        return Record(self.key, self.value, timestamp, self.headers)

    def with_headers(self, headers) -> Record:
        return Record(self.key, self.value, self.timestamp, headers)

    def __repr__(self) -> str:
        return f"Record(key={self.key!r}, value={self.value!r}, timestamp={self.timestamp})"


class Change:
    """A KTable update travelling downstream: the new value and (when requested) the old one."""

    __slots__ = ("new_value", "old_value")

    def __init__(self, new_value, old_value=None):
        self.new_value = new_value
        self.old_value = old_value

    def __eq__(self, other) -> bool:
        return isinstance(other, Change) and (other.new_value, other.old_value) == (self.new_value, self.old_value)

    def __repr__(self) -> str:
        return f"({self.new_value}<-{self.old_value})"


@dataclass(frozen=True)
class RecordMetadata:
    """Where the record being processed came from (``context.record_metadata()``)."""

    topic: str
    partition: int
    offset: int


class PunctuationType(Enum):
    STREAM_TIME = "STREAM_TIME"
    WALL_CLOCK_TIME = "WALL_CLOCK_TIME"


class Cancellable:
    def __init__(self):
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Processor:
    """Base class of a processor (``org.apache.kafka.streams.processor.api.Processor``)."""

    context: ProcessorContext

    def init(self, context: ProcessorContext) -> None:
        self.context = context

    def process(self, record: Record) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class ProcessorNode:
    """A node of the running topology: a processor and its children."""

    __slots__ = ("children", "children_by_name", "kind", "name", "processor")

    def __init__(self, name: str, processor: Processor | None, kind: str = "processor"):
        self.name = name
        self.processor = processor
        self.children: list[ProcessorNode] = []
        self.children_by_name: dict[str, ProcessorNode] = {}
        self.kind = kind

    def add_child(self, child: ProcessorNode) -> None:
        if self.kind == "sink":
            from .errors import UnsupportedOperationException

            raise UnsupportedOperationException("sink node does not allow addChild")
        self.children.append(child)
        self.children_by_name[child.name] = child

    def init(self, context) -> None:
        if self.processor is not None:
            self.processor.init(context)

    def process(self, record: Record) -> None:
        self.processor.process(record)

    def close(self) -> None:
        if self.processor is not None:
            self.processor.close()


class SourceNode(ProcessorNode):
    """Deserializes a consumed record with its serdes (or the defaults) and forwards it."""

    __slots__ = ("context", "key_deserializer", "timestamp_extractor", "topics", "value_deserializer")

    def __init__(self, name: str, topics: list[str], key_deserializer, value_deserializer, timestamp_extractor):
        super().__init__(name, None, "source")
        self.topics = topics
        self.key_deserializer = key_deserializer
        self.value_deserializer = value_deserializer
        self.timestamp_extractor = timestamp_extractor

    def init(self, context) -> None:
        self.context = context
        self.key_deserializer = _prepare(self.key_deserializer, context.key_serde, "key", "source", self.name,
                                         context.task_id)
        self.value_deserializer = _prepare(self.value_deserializer, context.value_serde, "value", "source", self.name,
                                           context.task_id)

    def process(self, record: Record) -> None:
        self.context.forward(record)


class SinkNode(ProcessorNode):
    """Serializes and sends to the sink topic (``partition`` by the ``StreamPartitioner`` if any)."""

    __slots__ = (
        "context",
        "decorated",
        "key_serializer",
        "partitioner",
        "topic",
        "topic_extractor",
        "value_serializer",
    )

    def __init__(self, name: str, topic: str | None, topic_extractor, key_serializer, value_serializer, partitioner,
                 decorated: str | None = None):
        super().__init__(name, None, "sink")
        self.topic = topic
        self.topic_extractor = topic_extractor
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        self.partitioner = partitioner
        self.decorated = decorated or topic

    def init(self, context) -> None:
        self.context = context
        self.key_serializer = _prepare(self.key_serializer, context.key_serde, "key", "sink", self.name,
                                       context.task_id)
        self.value_serializer = _prepare(self.value_serializer, context.value_serde, "value", "sink", self.name,
                                         context.task_id)

    def process(self, record: Record) -> None:
        ctx = self.context
        topic = self.decorated
        if self.topic_extractor is not None:
            topic = self.topic_extractor(record.key, record.value, ctx.record_metadata())
        key, value = record.key, record.value
        kbytes = self.key_serializer.serialize(topic, key)
        vbytes = self.value_serializer.serialize(topic, value)
        partition = None
        if self.partitioner is not None:
            partition = self.partitioner(topic, key, value, ctx.collector.partitions_for(topic))
        elif kbytes is not None and hasattr(self.key_serializer, "serialize_base_key"):
            # WindowedStreamPartitioner: a windowed key is partitioned by its inner key only.
            base = self.key_serializer.serialize_base_key(topic, key)
            partition = to_positive(murmur2(base or b"")) % ctx.collector.partitions_for(topic)
        ctx.collector.send(topic, kbytes, vbytes, record.headers, partition, record.timestamp, self.name)


def _prepare(serde, default, which: str, node_kind: str, node_name: str, task_id):
    """``WrappingNullableUtils.prepare*``: the node's serde, or the default, or Kafka's error."""
    if serde is not None and hasattr(serde, "set_if_unset"):  # WrappingNullableSerde: the default goes inside
        serde.set_if_unset(default)
        if serde.inner is not None:
            return serde
    elif serde is not None:
        return serde
    elif default is not None:
        return default
    from ...errors import ConfigException, Err, KafkaError

    cause = ConfigException(KafkaError(Err._INVALID_ARG, f"Please specify a {which} serde or set one through "
                                                         f"StreamsConfig#DEFAULT_{which.upper()}_SERDE_CLASS_CONFIG"))
    raise StreamsException(f"Failed to initialize {which} serdes for {node_kind} node {node_name}", cause, task_id)


def default_partition(key_bytes: bytes | None, num_partitions: int) -> int | None:
    """The Java producer's partition for a keyed record: ``toPositive(murmur2(key)) % n``."""
    if key_bytes is None:
        return None
    return to_positive(murmur2(key_bytes)) % num_partitions


__all__ = [
    "NO_TIMESTAMP",
    "Cancellable",
    "Change",
    "Processor",
    "ProcessorNode",
    "PunctuationType",
    "Record",
    "RecordMetadata",
    "SinkNode",
    "SourceNode",
    "default_partition",
]
