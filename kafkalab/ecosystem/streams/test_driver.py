"""``TopologyTestDriver``: run a topology record by record, without a cluster — how Streams users test.

The API is Kafka's (``streams/test-utils``: ``TopologyTestDriver``, ``TestInputTopic``,
``TestOutputTopic``, ``TestRecord``) in snake_case::

    driver = TopologyTestDriver(topology, {"application.id": "clicks-app"})
    clicks = driver.create_input_topic("clicks", Serdes.String(), JsonSerde())
    out = driver.create_output_topic("clicks-per-user-5m-output", time_windowed_serde, Serdes.Long())
    clicks.pipe_input("u_42", {"page": "/home"}, 12 * 60_000)
    out.read_key_values_to_list()

What it does, as Kafka's does:

* One task holds the whole topology; every topic has one partition (partition 0).
* ``pipe_input`` processes the record at once, then **commits**: the caches are flushed after
  every record, so ``commit.interval.ms`` and ``statestore.cache.max.bytes`` have no effect —
  you see every update (unlike a running application, see notebook 08).
* Records written to a repartition topic (or any topic the topology reads) are fed back in;
  everything written, changelogs included, can be read with ``create_output_topic``
  (``produced_topic_names()`` lists the topics).
* Stream time advances only with the records' timestamps; wall-clock time only with
  ``advance_wall_clock_time`` (wall-clock punctuations).

# Simplification: a missing application.id defaults to "dummy-topology-test-driver-app-id"
# (Kafka appends a random number), and input topics start at timestamp 0 instead of "now", so
# runs are deterministic.
"""
from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import NamedTuple

from ...sim.trace import Trace
from .config import StreamsConfig
from .errors import IllegalArgumentException
from .processor import PunctuationType
from .serdes import as_serializer
from .state import KeyValueStore, ValueAndTimestamp, WindowStore
from .task import ProcessorTopology, StreamTask, TaskId
from .topology import changelog_topic
from .windows import to_ms


class NoSuchElementException(LookupError):
    """``java.util.NoSuchElementException``: reading an empty output topic."""


class TestRecord(NamedTuple):
    """``TestRecord``: key, value, headers, timestamp (ms)."""

    key: object
    value: object
    headers: object = None
    timestamp: int | None = None

    __test__ = False  # not a pytest test class

    def __repr__(self) -> str:
        return f"TestRecord[key={self.key}, value={self.value}, headers={self.headers}, recordTime={self.timestamp}]"


class _Collector:
    """The driver's ``MockProducer``: everything sent is kept, in order."""

    def __init__(self):
        self.sent: list = []

    def send(self, topic, key, value, headers, partition, timestamp, node) -> None:
        self.sent.append((topic, key, value, timestamp, headers))

    def partitions_for(self, topic: str) -> int:
        return 1


def _ms(t) -> int:
    if isinstance(t, datetime):
        return int(t.timestamp() * 1000)
    return to_ms(t, "timestamp")


class TopologyTestDriver:
    """Drive ``topology`` synchronously; see the module docstring."""

    def __init__(self, topology, config: dict | None = None, initial_wall_clock_time_ms: int = 0):
        props = dict(config or {})
        props.setdefault("bootstrap.servers", "dummy-bootstrap-host:0")
        props.setdefault("application.id", "dummy-topology-test-driver-app-id")
        self.config = StreamsConfig(props)
        # TopologyTestDriver sets the emit throttles of outer joins and emit-on-close aggregations to 0.
        self.config.originals.setdefault("__emit.interval.ms.kstreams.windowed.aggregation__", 0)
        self.config.originals.setdefault("__emit.interval.ms.kstreams.outer.join.spurious.results.fix__", 0)
        self.app_id = self.config["application.id"]
        self.wall_clock_ms = int(initial_wall_clock_time_ms)
        self.trace = Trace(lambda: self.wall_clock_ms)
        itb = topology.internal
        self._itb = itb
        self.collector = _Collector()
        self.outputs: dict[str, deque] = {}
        self._offsets: dict[str, int] = {}
        from .state import ThreadCache

        cache_bytes = self.config.cache_bytes_per_thread()
        self.cache = ThreadCache(cache_bytes)
        self.global_task = None
        self.global_topics: list[str] = []
        glob = [ns for gid, ns in itb.node_groups().items() if gid in itb.global_node_groups()]
        if glob:
            gpt = ProcessorTopology(itb, [n for ns in glob for n in ns], self.app_id)
            self.global_topics = list(gpt.sources_by_topic)
            self.global_task = StreamTask(TaskId(-1, 0), gpt, [(t, 0) for t in self.global_topics], self.app_id,
                                          self.config, self.collector, None, lambda: self.wall_clock_ms, self.trace,
                                          "topology-test-driver-global", None)
        names = [n for _gid, ns in itb.subtopologies().items() for n in ns]
        self.task = None
        self.source_topics: list[str] = []
        if names:
            pt = ProcessorTopology(itb, names, self.app_id)
            self.source_topics = list(pt.sources_by_topic)
            self.task = StreamTask(TaskId(0, 0), pt, [(t, 0) for t in self.source_topics], self.app_id, self.config,
                                   self.collector, self.cache, lambda: self.wall_clock_ms, self.trace,
                                   "topology-test-driver", lambda store: changelog_topic(self.app_id, store),
                                   caching_allowed=cache_bytes > 0,
                                   global_stores=self.global_task.stores if self.global_task else None)
        self._closed = False

    # -- topics --------------------------------------------------------------------------------------
    def create_input_topic(self, topic_name: str, key_serializer, value_serializer, start_timestamp=0,
                           auto_advance=timedelta(0)) -> TestInputTopic:
        return TestInputTopic(self, topic_name, as_serializer(key_serializer), as_serializer(value_serializer),
                              _ms(start_timestamp), to_ms(auto_advance, "autoAdvance"))

    def create_output_topic(self, topic_name: str, key_deserializer, value_deserializer) -> TestOutputTopic:
        return TestOutputTopic(self, topic_name, as_serializer(key_deserializer), as_serializer(value_deserializer))

    def produced_topic_names(self) -> set[str]:
        return set(self.outputs)

    def _pipe(self, topic: str, key: bytes | None, value: bytes | None, timestamp: int, headers) -> None:
        if self._closed:
            raise IllegalArgumentException("the driver is closed")
        in_task = topic in self.source_topics
        in_global = topic in self.global_topics
        if not in_task and not in_global:
            raise IllegalArgumentException(f"Unknown topic: {topic}")
        if in_task:
            self._enqueue(topic, key, value, timestamp, headers)
            self._complete_all_processable_work()
        if in_global:
            off = self._next_offset(topic)
            g = self.global_task
            g.add_record(topic, 0, off, key, value, timestamp, headers)
            while g.process():
                pass
            g.flush_state()

    def _next_offset(self, topic: str) -> int:
        off = self._offsets.get(topic, 0)
        self._offsets[topic] = off + 1
        return off

    def _enqueue(self, topic, key, value, timestamp, headers) -> None:
        self.task.add_record(topic, 0, self._next_offset(topic), key, value, timestamp, headers)

    def _capture(self) -> None:
        sent, self.collector.sent = self.collector.sent, []
        for topic, key, value, ts, headers in sent:
            self.outputs.setdefault(topic, deque()).append((key, value, ts, headers))
            if topic in self.source_topics:
                self._enqueue(topic, key, value, ts, headers)
            if topic in self.global_topics:
                self._pipe(topic, key, value, ts, headers)

    def _commit(self) -> None:
        offsets = self.task.prepare_commit()
        self.task.post_commit(offsets)

    def _complete_all_processable_work(self) -> None:
        self._capture()
        task = self.task
        if task is None:
            return
        while task.has_records():
            task.process()
            self._commit()
            self._capture()

    def advance_wall_clock_time(self, advance) -> None:
        """Move the mocked wall clock (wall-clock punctuations fire), then commit."""
        self.wall_clock_ms += to_ms(advance, "advance")
        if self.task is not None:
            self.task.maybe_punctuate(PunctuationType.WALL_CLOCK_TIME, self.wall_clock_ms)
            self._commit()
        self._complete_all_processable_work()

    def _read(self, topic: str):
        q = self.outputs.get(topic)
        if not q:
            raise NoSuchElementException(f"Empty topic: {topic}")
        return q.popleft()

    def _queue_size(self, topic: str) -> int:
        return len(self.outputs.get(topic, ()))

    # -- state -------------------------------------------------------------------------------------------
    def get_all_state_stores(self) -> dict:
        stores = dict(self.task.stores) if self.task else {}
        if self.global_task is not None:
            stores.update(self.global_task.stores)
        return stores

    def get_state_store(self, name: str):
        return self.get_all_state_stores().get(name)

    def get_key_value_store(self, name: str):
        s = self.get_state_store(name)
        if isinstance(s, KeyValueStore):
            return _KeyValueFacade(s) if s.timestamped else s
        return None

    def get_timestamped_key_value_store(self, name: str):
        s = self.get_state_store(name)
        return s if isinstance(s, KeyValueStore) and s.timestamped else None

    def get_window_store(self, name: str):
        s = self.get_state_store(name)
        if isinstance(s, WindowStore):
            return _WindowFacade(s) if s.timestamped else s
        return None

    def get_timestamped_window_store(self, name: str):
        s = self.get_state_store(name)
        return s if isinstance(s, WindowStore) and s.timestamped else None

    def get_session_store(self, name: str):
        s = self.get_state_store(name)
        return s if getattr(s, "kind", None) == "session" else None

    def metrics(self) -> dict:
        """Task-level metrics: ``dropped-records-total``, ``process-total`` (``stream-task-metrics``)."""
        m = self.task.metrics if self.task else None
        return {"dropped-records-total": m.dropped_records if m else 0, "process-total": m.processed if m else 0}

    def close(self) -> None:
        if self._closed:
            return
        self._complete_all_processable_work()
        if self.task is not None:
            self._commit()
            self._capture()
            self.task.close()
        if self.global_task is not None:
            self.global_task.close()
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _KeyValueFacade:
    """``KeyValueStoreFacade``: a timestamped store read as a plain key-value store."""

    def __init__(self, store: KeyValueStore):
        self.store = store
        self.name = store.name

    def get(self, key):
        vat = self.store.get(key)
        return None if vat is None else vat.value

    def put(self, key, value) -> None:
        self.store.put(key, ValueAndTimestamp.make(value, -1))

    def delete(self, key):
        vat = self.store.delete(key)
        return None if vat is None else vat.value

    def all(self) -> list:
        return [(k, v.value) for k, v in self.store.all()]

    def range(self, key_from, key_to) -> list:
        return [(k, v.value) for k, v in self.store.range(key_from, key_to)]

    def approximate_num_entries(self) -> int:
        return self.store.approximate_num_entries()


class _WindowFacade:
    """``WindowStoreFacade``: a timestamped window store read without the timestamps."""

    def __init__(self, store: WindowStore):
        self.store = store
        self.name = store.name

    def fetch(self, key, window_start: int):
        vat = self.store.fetch(key, window_start)
        return None if vat is None else vat.value

    def fetch_range(self, key, time_from: int, time_to: int) -> list:
        return [(t, v.value) for t, v in self.store.fetch_range(key, time_from, time_to)]

    def fetch_all(self, time_from: int, time_to: int) -> list:
        return [(k, v.value) for k, v in self.store.fetch_all(time_from, time_to)]

    def all(self) -> list:
        return [(k, v.value) for k, v in self.store.all()]


class TestInputTopic:
    """``TestInputTopic``: ``pipe_input(key, value, timestamp)`` and friends."""

    __test__ = False  # not a pytest test class

    def __init__(self, driver: TopologyTestDriver, topic: str, key_serializer, value_serializer, start_ms: int,
                 advance_ms: int):
        if advance_ms < 0:
            raise IllegalArgumentException("autoAdvance must be positive")
        self.driver = driver
        self.topic = topic
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        self.current_time = start_ms
        self.advance_ms = advance_ms

    def advance_time(self, advance) -> None:
        ms = to_ms(advance, "advance")
        if ms < 0:
            raise IllegalArgumentException("advance must be positive")
        self.current_time += ms

    def _next_time(self) -> int:
        t = self.current_time
        self.current_time += self.advance_ms
        return t

    def pipe_input(self, *args, **kwargs) -> None:
        """``pipe_input(value)``, ``pipe_input(key, value)``, ``pipe_input(key, value, timestamp)`` or
        ``pipe_input(TestRecord(...))``."""
        if len(args) == 1 and isinstance(args[0], TestRecord) and not kwargs:
            rec = args[0]
        else:
            if "timestamp" in kwargs:
                args = args + (kwargs.pop("timestamp"),)
            if kwargs:
                raise TypeError(f"unexpected arguments {sorted(kwargs)}")
            if len(args) == 1:
                rec = TestRecord(None, args[0])
            elif len(args) == 2:
                rec = TestRecord(args[0], args[1])
            elif len(args) == 3:
                rec = TestRecord(args[0], args[1], None, _ms(args[2]))
            else:
                raise TypeError("pipe_input(value) | (key, value) | (key, value, timestamp) | (TestRecord)")
        ts = rec.timestamp if rec.timestamp is not None else self._next_time()
        k = self.key_serializer.serialize(self.topic, rec.key) if self.key_serializer else rec.key
        v = self.value_serializer.serialize(self.topic, rec.value) if self.value_serializer else rec.value
        self.driver._pipe(self.topic, k, v, ts, rec.headers)

    def pipe_record_list(self, records) -> None:
        for r in records:
            self.pipe_input(r)

    def pipe_key_value_list(self, key_values, start_timestamp=None, advance=None) -> None:
        t = None if start_timestamp is None else _ms(start_timestamp)
        step = 0 if advance is None else to_ms(advance, "advance")
        for k, v in key_values:
            if t is None:
                self.pipe_input(k, v)
            else:
                self.pipe_input(k, v, t)
                t += step

    def pipe_value_list(self, values, start_timestamp=None, advance=None) -> None:
        self.pipe_key_value_list([(None, v) for v in values], start_timestamp, advance)

    def __repr__(self) -> str:
        return (f"TestInputTopic[topic='{self.topic}', keySerializer={type(self.key_serializer).__name__}, "
                f"valueSerializer={type(self.value_serializer).__name__}]")


class TestOutputTopic:
    """``TestOutputTopic``: read what the topology wrote (each record once)."""

    __test__ = False

    def __init__(self, driver: TopologyTestDriver, topic: str, key_deserializer, value_deserializer):
        self.driver = driver
        self.topic = topic
        self.key_deserializer = key_deserializer
        self.value_deserializer = value_deserializer

    def read_record(self) -> TestRecord:
        k, v, ts, headers = self.driver._read(self.topic)
        kd = self.key_deserializer.deserialize(self.topic, k) if self.key_deserializer else k
        vd = self.value_deserializer.deserialize(self.topic, v) if self.value_deserializer else v
        return TestRecord(kd, vd, headers, ts)

    def read_value(self):
        return self.read_record().value

    def read_key_value(self):
        from .options import KeyValue

        r = self.read_record()
        return KeyValue(r.key, r.value)

    def read_records_to_list(self) -> list[TestRecord]:
        out = []
        while not self.is_empty():
            out.append(self.read_record())
        return out

    def read_values_to_list(self) -> list:
        return [r.value for r in self.read_records_to_list()]

    def read_key_values_to_list(self) -> list:
        from .options import KeyValue

        return [KeyValue(r.key, r.value) for r in self.read_records_to_list()]

    def read_key_values_to_map(self) -> dict:
        return {r.key: r.value for r in self.read_records_to_list()}

    def get_queue_size(self) -> int:
        return self.driver._queue_size(self.topic)

    def is_empty(self) -> bool:
        return self.get_queue_size() == 0

    def __repr__(self) -> str:
        return f"TestOutputTopic[topic='{self.topic}', size={self.get_queue_size()}]"


__all__ = ["NoSuchElementException", "TestInputTopic", "TestOutputTopic", "TestRecord", "TopologyTestDriver"]
