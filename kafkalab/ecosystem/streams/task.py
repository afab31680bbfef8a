"""A stream task: one sub-topology's processors and stores, for one partition of its input topics.

Kafka Streams runs sub-topology *s* as one task per input partition *p* (``TaskId`` "s_p"). A task

* buffers fetched records per input partition and always processes next the record whose
  timestamp is lowest among the partitions' heads (``PartitionGroup``), so a stream-table join
  sees the table as of the click's time when both are buffered;
* keeps **stream time**: the largest record timestamp it has processed (never goes back);
* pushes each record depth-first through its processors (:mod:`.processor`);
* on **commit** flushes its stores' caches (which forwards their dirty entries downstream and
  writes them to the changelogs) and reports the next offset of every input partition.

Record metadata (topic, partition, offset, timestamp, headers) travels with the record in the
:class:`ProcessorContext`, so a cache entry remembers which record wrote it.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .errors import StreamsException
from .processor import (
    NO_TIMESTAMP,
    Cancellable,
    ProcessorNode,
    PunctuationType,
    Record,
    RecordMetadata,
    SinkNode,
    SourceNode,
)
from .state import build_store


@dataclass(frozen=True, order=True)
class TaskId:
    """``TaskId``: sub-topology and partition; prints as Kafka does, ``0_2``."""

    subtopology: int
    partition: int

    def __str__(self) -> str:
        return f"{self.subtopology}_{self.partition}"

    @classmethod
    def parse(cls, s: str) -> TaskId:
        a, b = s.split("_")
        return cls(int(a), int(b))


class TaskMetrics:
    """The task-level sensors kafkalab records (``stream-task-metrics``)."""

    def __init__(self):
        self.dropped_records = 0
        self.processed = 0
        self.expired_window_record_drop = 0


class ProcessorContext:
    """What processors of one task share: forwarding, stores, record metadata, time, metrics."""

    def __init__(self, task: StreamTask, application_id: str, key_serde, value_serde, collector, app_configs: dict,
                 wall_clock, trace):
        self.task = task
        self.task_id = task.id
        self.application_id = application_id
        self.key_serde = key_serde
        self.value_serde = value_serde
        self.collector = collector
        self.app_configs = app_configs
        self._wall_clock = wall_clock
        self.trace = trace
        self.current_node: ProcessorNode | None = None
        self.record_context = ("", -1, -1, NO_TIMESTAMP, None)  # topic, partition, offset, timestamp, headers
        self.metrics = task.metrics

    # -- the Processor API ------------------------------------------------------------------------
    def forward(self, record: Record, child_name: str | None = None) -> None:
        node = self.current_node
        if child_name is None:
            children = node.children
        else:
            child = node.children_by_name.get(child_name)
            if child is None:
                raise StreamsException(f"Unknown downstream node: {child_name} either does not exist or is not "
                                       f"connected to this processor.")
            children = (child,)
        prev_rc = self.record_context
        self.record_context = (prev_rc[0], prev_rc[1], prev_rc[2], record.timestamp, record.headers)
        try:
            for c in children:
                self.current_node = c
                c.process(record)
        finally:
            self.current_node = node
            self.record_context = prev_rc

    def get_state_store(self, name: str):
        store = self.task.stores.get(name) or self.task.global_stores.get(name)
        if store is None:
            raise StreamsException(f"Processor {self.current_node.name if self.current_node else '?'} has no access "
                                   f"to StateStore {name} as the store is not connected to the processor. If you add "
                                   "stores manually via '.addStateStore()' make sure to connect the added store to "
                                   "the processor by providing the processor name to '.addStateStore()' or connect "
                                   "them via '.connectProcessorAndStateStores()'.")
        return store

    def schedule(self, interval, punctuation_type: PunctuationType, punctuator) -> Cancellable:
        from .windows import to_ms

        ms = to_ms(interval, "interval")
        if ms < 1:
            from .errors import IllegalArgumentException

            raise IllegalArgumentException("The minimum supported scheduling interval is 1 millisecond.")
        c = Cancellable()
        # StreamTask.schedule: stream-time punctuation is aligned to 0 (it fires on the first record), wall-clock
        # punctuation to now (it fires once the interval has passed).
        first = 0 if punctuation_type is PunctuationType.STREAM_TIME else self._wall_clock() + ms
        self.task.punctuations.append([punctuation_type, ms, first, punctuator, self.current_node, c])
        return c

    def record_metadata(self) -> RecordMetadata | None:
        t, p, o = self.record_context[:3]
        return RecordMetadata(t, p, o) if p >= 0 else None

    def timestamp(self) -> int:
        return self.record_context[3]

    def topic(self) -> str:
        return self.record_context[0]

    def partition(self) -> int:
        return self.record_context[1]

    def offset(self) -> int:
        return self.record_context[2]

    def headers(self):
        return self.record_context[4]

    def current_stream_time_ms(self) -> int:
        return self.task.stream_time

    def current_system_time_ms(self) -> int:
        return self._wall_clock()

    def commit(self) -> None:
        self.task.commit_requested = True

    # -- kafkalab's trace of what the sensors count ----------------------------------------------------
    def record_dropped(self, reason: str, **fields) -> None:
        """``droppedRecordsSensor.record()``: count it, and put it in the trace with why."""
        self.metrics.dropped_records += 1
        rc = self.record_context
        self.trace.emit("streams.record_dropped", node=self.task.owner, task=str(self.task_id),
                        processor=self.current_node.name if self.current_node else None, reason=reason,
                        topic=rc[0], partition=rc[1], offset=rc[2], timestamp=rc[3], **fields)


class ProcessorTopology:
    """The running nodes of (part of) a topology: sources by topic, processors, sinks, store factories."""

    def __init__(self, builder, node_names, application_id: str):
        self.nodes: dict[str, ProcessorNode] = {}
        self.sources_by_topic: dict[str, SourceNode] = {}
        self.store_factories = [builder.store_factory(s) for s in builder.stores_of(node_names)]
        self.sink_topics: list[str] = []
        names = set(node_names)
        for name, f in builder.node_factories.items():
            if name not in names:
                continue
            if f.kind == "source":
                topics = [builder.decorate(t, application_id) for t in f.topics]
                node = SourceNode(name, topics, f.key_deserializer, f.value_deserializer, f.timestamp_extractor)
                for t in topics:
                    self.sources_by_topic[t] = node
            elif f.kind == "processor":
                node = ProcessorNode(name, f.supplier())
            else:
                decorated = builder.decorate(f.topic, application_id) if f.topic is not None else None
                node = SinkNode(name, f.topic, f.topic_extractor, f.key_serializer, f.value_serializer,
                                f.partitioner, decorated)
                if decorated is not None:
                    self.sink_topics.append(decorated)
            for p in f.predecessors:
                if p in self.nodes:
                    self.nodes[p].add_child(node)
            self.nodes[name] = node


class StreamTask:
    """One task: its partitions' record queues, its processors and stores, stream time, offsets."""

    def __init__(self, task_id: TaskId, topology: ProcessorTopology, partitions: list[tuple], application_id: str,
                 config, collector, thread_cache, wall_clock, trace, owner: str, changelog_for=None,
                 caching_allowed: bool = True, stores: dict | None = None, global_stores: dict | None = None):
        self.id = task_id
        self.topology = topology
        self.partitions = list(partitions)  # (topic, partition) of the inputs, decorated names
        self.owner = owner
        self.metrics = TaskMetrics()
        self.stream_time = NO_TIMESTAMP
        self.queues: dict[tuple, deque] = {tp: deque() for tp in self.partitions}
        self.consumed: dict[tuple, int] = {}
        self.committed: dict[tuple, int] = {}
        self.punctuations: list = []
        self.commit_requested = False
        self.trace = trace
        self.config = config
        self.global_stores = global_stores or {}  # global tables' stores, readable by every task
        self.context = ProcessorContext(self, application_id, config.default_key_serde(), config.default_value_serde(),
                                        collector, config.originals, wall_clock, trace)
        self.stores = {}
        for f in topology.store_factories:
            # A store kept in this instance's state directory (its data survives) or a fresh one.
            store = (stores or {}).get(f.name) or build_store(f)
            store.caching = f.caching_enabled and caching_allowed
            store.cache = None
            self.stores[f.name] = store
        self.changelogs: dict[str, tuple] = {}
        for name, store in self.stores.items():
            topic = changelog_for(name) if (changelog_for and store.logging) else None
            store.init(self.context, topic, task_id.partition, thread_cache)
            if topic is not None:
                self.changelogs[name] = (topic, task_id.partition)
        ctx = self.context
        for node in topology.nodes.values():
            ctx.current_node = node
            node.init(ctx)
        ctx.current_node = None
        self.closed = False

    # -- input ------------------------------------------------------------------------------------------
    def add_record(self, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None,
                   timestamp: int, headers=None) -> None:
        """Deserialize with the source's serdes, extract the timestamp, queue it for processing."""
        src = self.topology.sources_by_topic[topic]
        try:
            k = src.key_deserializer.deserialize(topic, key)
            v = src.value_deserializer.deserialize(topic, value)
        except Exception as exc:  # default.deserialization.exception.handler = LogAndFail
            raise StreamsException("Deserialization exception handler is set to fail upon a deserialization error. "
                                   "If you would rather have the streaming pipeline continue after a deserialization "
                                   "error, please set the default.deserialization.exception.handler appropriately.",
                                   exc, self.id) from exc
        tp = (topic, partition)
        ts = timestamp
        if src.timestamp_extractor is not None:
            ts = src.timestamp_extractor(Record(k, v, timestamp, headers), self.stream_time)
            if ts < 0:
                self.context.record_context = (topic, partition, offset, timestamp, headers)
                self.context.record_dropped("negative extracted timestamp")
                self.consumed[tp] = offset
                return
        elif ts < 0:
            raise StreamsException(
                f"Input record ConsumerRecord(topic = {topic}, partition = {partition}, offset = {offset}) has invalid "
                f"(negative) timestamp. Possibly because a pre-0.10 producer client was used to write this record to "
                "Kafka without embedding a timestamp, or because the input topic was created before upgrading the "
                "Kafka cluster to 0.10+. Use a different TimestampExtractor to process this data.", task_id=self.id)
        self.queues[tp].append((Record(k, v, ts, headers), offset, src))

    def has_records(self) -> bool:
        return any(self.queues.values())

    def buffered(self) -> int:
        return sum(len(q) for q in self.queues.values())

    # -- processing -------------------------------------------------------------------------------------
    def process(self) -> bool:
        """Process the buffered record with the lowest timestamp; False if none is buffered."""
        best = None
        best_ts = 0
        for tp, q in self.queues.items():
            if q:
                ts = q[0][0].timestamp
                if best is None or ts < best_ts:
                    best, best_ts = tp, ts
        if best is None:
            return False
        record, offset, src = self.queues[best].popleft()
        ctx = self.context
        ctx.record_context = (best[0], best[1], offset, record.timestamp, record.headers)
        self.stream_time = max(self.stream_time, record.timestamp)
        ctx.current_node = src
        try:
            src.process(record)
        finally:
            ctx.current_node = None
        self.consumed[best] = offset
        self.metrics.processed += 1
        if self.punctuations:
            self.maybe_punctuate(PunctuationType.STREAM_TIME, self.stream_time)
        return True

    def maybe_punctuate(self, kind: PunctuationType, now: int) -> int:
        fired = 0
        ctx = self.context
        for p in self.punctuations:
            ptype, interval, nxt, fn, node, handle = p
            if ptype is not kind or handle.cancelled or now < 0:
                continue
            if now >= nxt:
                prev_node, prev_rc = ctx.current_node, ctx.record_context
                ctx.current_node = node
                ctx.record_context = ("", -1, -1, now, None)
                try:
                    fn(now)
                finally:
                    ctx.current_node, ctx.record_context = prev_node, prev_rc
                p[2] = nxt + ((now - nxt) // interval + 1) * interval
                fired += 1
        return fired

    # -- commit -----------------------------------------------------------------------------------------
    def flush_state(self) -> int:
        """Flush every store's cache (forwarding its dirty entries); returns the entries flushed."""
        n = 0
        for store in self.stores.values():
            n += store.flush()
        return n

    def prepare_commit(self) -> dict:
        """Flush, then ``{(topic, partition): next offset}`` of what was processed since the last commit."""
        self.flush_state()
        return {tp: off + 1 for tp, off in sorted(self.consumed.items()) if self.committed.get(tp) != off + 1}

    def post_commit(self, offsets: dict) -> None:
        self.committed.update(offsets)
        self.commit_requested = False

    def close(self) -> None:
        for node in self.topology.nodes.values():
            node.close()
        for store in self.stores.values():
            store.close()
        self.closed = True

    def changelog_offsets(self) -> dict:
        return dict(self.changelogs)


__all__ = ["ProcessorContext", "ProcessorTopology", "StreamTask", "TaskId", "TaskMetrics"]
