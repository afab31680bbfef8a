"""Kafka Streams as a working model on the simulated cluster: topology, state, windows, joins.

The names are Kafka Streams' own in Python's snake_case, so what you build here is the topology you
would write in Java (``StreamsBuilder().stream(...).group_by_key().windowed_by(...).count()``):

* :mod:`.dsl` — ``StreamsBuilder``, ``KStream``, ``KTable``, ``GlobalKTable``, groupings, windows;
* :mod:`.topology` — ``Topology`` (the Processor API) and ``describe()`` with Kafka's text;
* :mod:`.windows` — ``TimeWindows``, ``SlidingWindows``, ``SessionWindows``, ``JoinWindows``;
* :mod:`.state` — state stores, the record cache, changelogs;
* :mod:`.test_driver` — ``TopologyTestDriver``;
* :mod:`.runtime` — ``KafkaStreams``: stream threads as consumer-group members of the simulated
  cluster, tasks, commits, restoration from changelogs, rebalances.

Built on the clients' public API only (``kafkalab.confluent_kafka``), as Kafka Streams is built on
Kafka's clients.
"""
from .config import StreamsConfig
from .dsl import (
                  BranchedKStream,
                  EmitStrategy,
                  GlobalKTable,
                  KGroupedStream,
                  KGroupedTable,
                  KStream,
                  KTable,
                  SessionWindowedKStream,
                  StreamsBuilder,
                  TimeWindowedKStream,
)
from .errors import (
                  IllegalArgumentException,
                  IllegalStateException,
                  InvalidStateStoreException,
                  MissingSourceTopicException,
                  StreamsException,
                  StreamsNotStartedException,
                  TaskMigratedException,
                  TopologyException,
                  UnknownStateStoreException,
)
from .options import (
                  Branched,
                  BufferConfig,
                  Consumed,
                  Grouped,
                  Joined,
                  KeyValue,
                  Materialized,
                  Named,
                  Produced,
                  Repartitioned,
                  StreamJoined,
                  Suppressed,
)
from .processor import Processor, PunctuationType, Record
from .runtime import KafkaStreams, QueryableStoreTypes, StoreQueryParameters
from .serdes import JsonSerde, Serde, Serdes, WindowedSerdes
from .state import Stores, ValueAndTimestamp
from .test_driver import TestInputTopic, TestOutputTopic, TestRecord, TopologyTestDriver
from .topology import Topology
from .windows import (
                  Duration,
                  JoinWindows,
                  SessionWindow,
                  SessionWindows,
                  SlidingWindows,
                  TimeWindow,
                  TimeWindows,
                  Window,
                  Windowed,
)

__all__ = [
                  "Branched",
                  "BranchedKStream",
                  "BufferConfig",
                  "Consumed",
                  "Duration",
                  "EmitStrategy",
                  "GlobalKTable",
                  "Grouped",
                  "IllegalArgumentException",
                  "IllegalStateException",
                  "InvalidStateStoreException",
                  "JoinWindows",
                  "Joined",
                  "JsonSerde",
                  "KGroupedStream",
                  "KGroupedTable",
                  "KStream",
                  "KTable",
                  "KafkaStreams",
                  "KeyValue",
                  "Materialized",
                  "MissingSourceTopicException",
                  "Named",
                  "Processor",
                  "Produced",
                  "PunctuationType",
                  "QueryableStoreTypes",
                  "Record",
                  "Repartitioned",
                  "Serde",
                  "Serdes",
                  "SessionWindow",
                  "SessionWindowedKStream",
                  "SessionWindows",
                  "SlidingWindows",
                  "StoreQueryParameters",
                  "Stores",
                  "StreamJoined",
                  "StreamsBuilder",
                  "StreamsConfig",
                  "StreamsException",
                  "StreamsNotStartedException",
                  "Suppressed",
                  "TaskMigratedException",
                  "TestInputTopic",
                  "TestOutputTopic",
                  "TestRecord",
                  "TimeWindow",
                  "TimeWindowedKStream",
                  "TimeWindows",
                  "Topology",
                  "TopologyException",
                  "TopologyTestDriver",
                  "UnknownStateStoreException",
                  "ValueAndTimestamp",
                  "Window",
                  "Windowed",
                  "WindowedSerdes",
]
