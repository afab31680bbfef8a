"""``Topology.describe()`` prints exactly what Kafka prints, for the topologies of Kafka's own tests.

Each case builds, with kafkalab's DSL, the topology a test of apache/kafka builds in Java, and compares
``str(topology.describe())`` with the expected text of that test (file and test or constant named in
the case id). The texts exercise Kafka's generated names (one counter for processors and stores,
numbers used up by ``Named`` and by ``count(Materialized)``), repartition topics and their
``-filter``/``-sink``/``-source`` nodes, stream-stream join stores (``KSTREAM-JOINTHIS-...-store``,
``KSTREAM-OUTERSHARED-...-store``), suppression buffers, and the order of nodes and successors, which
comes from Java's ``HashMap`` and ``TreeSet`` (``InternalTopologyBuilder.describeSubtopology``).

Expected texts: apache/kafka ``streams/src/test/java/org/apache/kafka/streams/TopologyTest.java``, ``streams/src/test/java/org/apache/kafka/streams/kstream/RepartitionTopicNamingTest.java``, ``streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java``, ``streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKTableJoinTest.java``, ``streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java``.
"""
from __future__ import annotations

import warnings

import pytest

from kafkalab.ecosystem.streams import (
    BufferConfig,
    Consumed,
    Duration,
    Grouped,
    Joined,
    JoinWindows,
    KeyValue,
    Materialized,
    Named,
    Processor,
    Produced,
    Serdes,
    SessionWindows,
    Stores,
    StreamJoined,
    StreamsBuilder,
    Suppressed,
    TimeWindows,
)

S = Serdes.String()


def J(v1, v2):  # MockValueJoiner.TOSTRING_JOINER
    return f"{v1}+{v2}"


class NoOp(Processor):
    def process(self, record):
        pass


def old_join_windows(ms):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return JoinWindows.of(Duration.of_millis(ms))


def build_streamStreamJoinTopologyWithDefaultStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamJoinTopologyWithDefaultStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.join(s2, J, old_join_windows(100), StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()))


def build_streamStreamJoinTopologyWithCustomStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamJoinTopologyWithCustomStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.join(s2, J, old_join_windows(100),
            StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()).with_store_name("custom-name"))


def build_streamStreamLeftJoinTopologyWithDefaultStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamLeftJoinTopologyWithDefaultStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.left_join(s2, J, JoinWindows.of_time_difference_with_no_grace(100),
                 StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()))


def build_streamStreamLeftJoinTopologyWithCustomStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamLeftJoinTopologyWithCustomStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.left_join(s2, J, JoinWindows.of_time_difference_with_no_grace(100),
                 StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()).with_store_name("custom-name"))


def build_streamStreamOuterJoinTopologyWithDefaultStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamOuterJoinTopologyWithDefaultStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.outer_join(s2, J, JoinWindows.of_time_difference_with_no_grace(100),
                  StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()))


def build_streamStreamOuterJoinTopologyWithCustomStoresNames(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: streamStreamOuterJoinTopologyWithCustomStoresNames
    s1, s2 = b.stream("input-topic1"), b.stream("input-topic2")
    s1.outer_join(s2, J, JoinWindows.of_time_difference_with_no_grace(100),
                  StreamJoined.with_(Serdes.Integer(), Serdes.String(), Serdes.String()).with_store_name("custom-name"))


def build_kGroupedStreamZeroArgCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kGroupedStreamZeroArgCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().count()


def build_kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().count(
        Materialized.as_("count-store").with_store_type(Materialized.StoreType.IN_MEMORY))


def build_kGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().count(
        Materialized.with_(None, Serdes.Long()).with_store_type(Materialized.StoreType.ROCKS_DB))


def build_kGroupedStreamAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kGroupedStreamAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().count(Materialized.as_(Materialized.StoreType.IN_MEMORY))


def build_timeWindowZeroArgCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: timeWindowZeroArgCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(TimeWindows.of_size_with_no_grace(1)).count()


def build_timeWindowNamedMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: timeWindowNamedMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(TimeWindows.of_size_with_no_grace(1)).count(
        Materialized.as_("count-store").with_store_type(Materialized.StoreType.IN_MEMORY))


def build_timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(TimeWindows.of_size_with_no_grace(1)).count(
        Materialized.with_(None, Serdes.Long()).with_store_type(Materialized.StoreType.ROCKS_DB))


def build_sessionWindowZeroArgCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: sessionWindowZeroArgCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(SessionWindows.of_inactivity_gap_with_no_grace(1)).count()


def build_sessionWindowNamedMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: sessionWindowNamedMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(SessionWindows.of_inactivity_gap_with_no_grace(1)).count(
        Materialized.as_("count-store").with_store_type(Materialized.StoreType.IN_MEMORY))


def build_sessionWindowAnonymousMaterializedCountShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: sessionWindowAnonymousMaterializedCountShouldPreserveTopologyStructure
    b.stream("input-topic").group_by_key().windowed_by(SessionWindows.of_inactivity_gap_with_no_grace(1)).count(
        Materialized.with_(None, Serdes.Long()).with_store_type(Materialized.StoreType.ROCKS_DB))


def build_kTableNonMaterializedMapValuesShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableNonMaterializedMapValuesShouldPreserveTopologyStructure
    b.table("input-topic").map_values(lambda k, v: None)


def build_kTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure
    b.table("input-topic").map_values(lambda k, v: None,
        Materialized.with_(None, None).with_store_type(Materialized.StoreType.IN_MEMORY))


def build_kTableNamedMaterializedMapValuesShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableNamedMaterializedMapValuesShouldPreserveTopologyStructure
    b.table("input-topic").map_values(lambda k, v: None, Materialized.as_("store-name"))


def build_kTableNonMaterializedFilterShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableNonMaterializedFilterShouldPreserveTopologyStructure
    b.table("input-topic").filter(lambda k, v: False)


def build_kTableAnonymousMaterializedFilterShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableAnonymousMaterializedFilterShouldPreserveTopologyStructure
    b.table("input-topic").filter(lambda k, v: False, Materialized.with_(None, None))


def build_kTableNamedMaterializedFilterShouldPreserveTopologyStructure(b):
    # streams/src/test/java/org/apache/kafka/streams/TopologyTest.java: kTableNamedMaterializedFilterShouldPreserveTopologyStructure
    b.table("input-topic").filter(lambda k, v: False, Materialized.as_("store-name"))


def build_EXPECTED_UNOPTIMIZED_TOPOLOGY(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/RepartitionTopicNamingTest.java: EXPECTED_UNOPTIMIZED_TOPOLOGY
    src = b.stream("input", Consumed.with_(Serdes.String(), Serdes.String()))
    mapped = src.map(lambda k, v: KeyValue(k.upper(), v))
    mapped.filter(lambda k, v: k == "B").map_values(lambda v: v.upper()).process(NoOp)
    counts = mapped.group_by_key(Grouped.as_("count-stream")).count(Materialized.with_(Serdes.String(), Serdes.Long())).to_stream()
    counts.to("outputTopic_0", Produced.with_(Serdes.String(), Serdes.Long()))
    (mapped.group_by_key(Grouped.as_("aggregate-stream"))
        .aggregate(lambda: 0, lambda k, v, agg: agg + len(v), Materialized.with_(Serdes.String(), Serdes.Integer()))
        .to_stream().to("outputTopic_1", Produced.with_(Serdes.String(), Serdes.Integer())))
    (mapped.filter(lambda k, v: True).peek(lambda k, v: None).group_by_key(Grouped.as_("reduced-stream"))
        .reduce(lambda v1, v2: v1 + ":" + v2, Materialized.with_(Serdes.String(), Serdes.String()))
        .to_stream().to("outputTopic_2", Produced.with_(Serdes.String(), Serdes.String())))
    (mapped.filter(lambda k, v: k == "A")
        .join(counts, lambda v1, v2: f"{v1}:{v2}", JoinWindows.of_time_difference_with_no_grace(5000),
              StreamJoined.with_(Serdes.String(), Serdes.String(), Serdes.Long()).with_store_name("joined-stream")
              .with_name("joined-stream"))
        .to("outputTopicForJoin"))


def build_NAMED_FINAL_TOPOLOGY(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java: NAMED_FINAL_TOPOLOGY
    (b.stream("input", Consumed.with_(S, S)).group_by(lambda k, v: k, Grouped.with_(S, S))
        .windowed_by(SessionWindows.of_inactivity_gap_and_grace(5, 5))
        .count(Materialized.as_("counts").with_caching_disabled())
        .suppress(Suppressed.until_window_closes(BufferConfig.unbounded()).with_name("myname"))
        .to_stream().map(lambda k, v: KeyValue(str(k), v)).to("output-suppressed", Produced.with_(S, Serdes.Long())))


def build_ANONYMOUS_FINAL_TOPOLOGY(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java: ANONYMOUS_FINAL_TOPOLOGY
    (b.stream("input", Consumed.with_(S, S)).group_by(lambda k, v: k, Grouped.with_(S, S))
        .windowed_by(SessionWindows.of_inactivity_gap_and_grace(5, 5))
        .count(Materialized.as_("counts").with_caching_disabled())
        .suppress(Suppressed.until_window_closes(BufferConfig.unbounded()))
        .to_stream().map(lambda k, v: KeyValue(str(k), v)).to("output-suppressed", Produced.with_(S, Serdes.Long())))


def build_NAMED_INTERMEDIATE_TOPOLOGY(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java: NAMED_INTERMEDIATE_TOPOLOGY
    (b.stream("input", Consumed.with_(S, S)).group_by_key().count()
        .suppress(Suppressed.until_time_limit(Duration.of_seconds(1), BufferConfig.unbounded()).with_name("asdf"))
        .to_stream().to("output", Produced.with_(S, Serdes.Long())))


def build_ANONYMOUS_INTERMEDIATE_TOPOLOGY(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/SuppressTopologyTest.java: ANONYMOUS_INTERMEDIATE_TOPOLOGY
    (b.stream("input", Consumed.with_(S, S)).group_by_key().count()
        .suppress(Suppressed.until_time_limit(Duration.of_seconds(1), BufferConfig.unbounded()))
        .to_stream().to("output", Produced.with_(S, Serdes.Long())))


def build_expectedTopologyWithGeneratedRepartitionTopicNames(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKTableJoinTest.java: expectedTopologyWithGeneratedRepartitionTopicNames
    stream = b.stream("topic", Consumed.with_(S, S))
    table_b = b.table("topic2", Consumed.with_(S, S))
    table_c = b.table("topic3", Consumed.with_(S, S))
    rekeyed = stream.map(lambda k, v: KeyValue(v, k))
    rekeyed.join(table_b, lambda v1, v2: v1 + v2).to("out-one")
    rekeyed.join(table_c, lambda v1, v2: v1 + v2).to("out-two")


def build_expectedTopologyWithUserProvidedRepartitionTopicNames(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKTableJoinTest.java: expectedTopologyWithUserProvidedRepartitionTopicNames
    stream = b.stream("topic", Consumed.with_(S, S))
    table_b = b.table("topic2", Consumed.with_(S, S))
    table_c = b.table("topic3", Consumed.with_(S, S))
    rekeyed = stream.map(lambda k, v: KeyValue(v, k))
    rekeyed.join(table_b, lambda v1, v2: v1 + v2, Joined.with_(S, S, S, "first-join")).to("out-one")
    rekeyed.join(table_c, lambda v1, v2: v1 + v2, Joined.with_(S, S, S, "second-join")).to("out-two")


def build_shouldNotMaterializedKTableFromKStream(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldNotMaterializedKTableFromKStream
    b.stream("input", Consumed.with_(S, S)).to_table().to_stream().to("output")


def build_shouldBindStateWithOldProcessor(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldBindStateWithOldProcessor
    b.stream("input", Consumed.with_(S, S)).process(NoOp, named=Named.as_("p")).to(
        "output", Produced.with_(None, Serdes.Integer()))


def build_shouldProcessValues(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldProcessValues
    b.stream("input", Consumed.with_(S, S)).process_values(NoOp, named=Named.as_("fkp")).to(
        "output", Produced.with_(None, Serdes.Integer()))


def build_shouldMaterializeKTableFromKStream(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldMaterializeKTableFromKStream
    b.stream("input", Consumed.with_(S, S)).to_table(Materialized.as_(Stores.in_memory_key_value_store("store")))


def build_shouldSupportKeyChangeKTableFromKStream(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldSupportKeyChangeKTableFromKStream
    (b.stream("input", Consumed.with_(S, S)).map(lambda k, v: KeyValue(ord(k[0]) - ord("A"), v))
        .to_table(Materialized.with_(Serdes.Integer(), None)).to_stream().to("output"))


def build_shouldSupportTableTableJoinWithKStreamToKTable(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldSupportTableTableJoinWithKStreamToKTable
    t1 = b.stream("left", Consumed.with_(S, S)).to_table()
    t2 = b.stream("right", Consumed.with_(S, S)).to_table()
    t1.join(t2, lambda v1, v2: f"{v1}+{v2}").to_stream().to("output")


def build_shouldSupportStreamTableJoinWithKStreamToKTable(b):
    # streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplTest.java: shouldSupportStreamTableJoinWithKStreamToKTable
    stream = b.stream("streamTopic", Consumed.with_(S, S))
    table = b.stream("tableTopic", Consumed.with_(S, S)).to_table()
    stream.join(table, lambda v1, v2: f"{v1}+{v2}").to("output")


EXPECTED = {
    'TopologyTest.streamStreamJoinTopologyWithDefaultStoresNames': (
        build_streamStreamJoinTopologyWithDefaultStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-JOINOTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n'),
    'TopologyTest.streamStreamJoinTopologyWithCustomStoresNames': (
        build_streamStreamJoinTopologyWithCustomStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-this-join-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-other-join-store])\n      --> KSTREAM-JOINOTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [custom-name-this-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [custom-name-other-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n'),
    'TopologyTest.streamStreamLeftJoinTopologyWithDefaultStoresNames': (
        build_streamStreamLeftJoinTopologyWithDefaultStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n'),
    'TopologyTest.streamStreamLeftJoinTopologyWithCustomStoresNames': (
        build_streamStreamLeftJoinTopologyWithCustomStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-this-join-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-outer-other-join-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [custom-name-outer-other-join-store, custom-name-left-shared-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [custom-name-this-join-store, custom-name-left-shared-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n'),
    'TopologyTest.streamStreamOuterJoinTopologyWithDefaultStoresNames': (
        build_streamStreamOuterJoinTopologyWithDefaultStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])\n      --> KSTREAM-OUTERTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-OUTERTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n'),
    'TopologyTest.streamStreamOuterJoinTopologyWithCustomStoresNames': (
        build_streamStreamOuterJoinTopologyWithCustomStoresNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [custom-name-outer-this-join-store])\n      --> KSTREAM-OUTERTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [custom-name-outer-other-join-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [custom-name-outer-this-join-store, custom-name-outer-shared-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [custom-name-outer-other-join-store, custom-name-outer-shared-join-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n'),
    'TopologyTest.kGroupedStreamZeroArgCountShouldPreserveTopologyStructure': (
        build_kGroupedStreamZeroArgCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure': (
        build_kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000001\n    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.kGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure': (
        build_kGroupedStreamAnonymousMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000003\n    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.kGroupedStreamAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure': (
        build_kGroupedStreamAnonymousStoreTypedMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000003\n    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.timeWindowZeroArgCountShouldPreserveTopologyStructure': (
        build_timeWindowZeroArgCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.timeWindowNamedMaterializedCountShouldPreserveTopologyStructure': (
        build_timeWindowNamedMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000001\n    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure': (
        build_timeWindowAnonymousMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000003\n    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.sessionWindowZeroArgCountShouldPreserveTopologyStructure': (
        build_sessionWindowZeroArgCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.sessionWindowNamedMaterializedCountShouldPreserveTopologyStructure': (
        build_sessionWindowNamedMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000001\n    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.sessionWindowAnonymousMaterializedCountShouldPreserveTopologyStructure': (
        build_sessionWindowAnonymousMaterializedCountShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000003\n    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'TopologyTest.kTableNonMaterializedMapValuesShouldPreserveTopologyStructure': (
        build_kTableNonMaterializedMapValuesShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000003 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'TopologyTest.kTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure': (
        build_kTableAnonymousMaterializedMapValuesShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000004\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000004 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'TopologyTest.kTableNamedMaterializedMapValuesShouldPreserveTopologyStructure': (
        build_kTableNamedMaterializedMapValuesShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000003 (stores: [store-name])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'TopologyTest.kTableNonMaterializedFilterShouldPreserveTopologyStructure': (
        build_kTableNonMaterializedFilterShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-FILTER-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-FILTER-0000000003 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'TopologyTest.kTableAnonymousMaterializedFilterShouldPreserveTopologyStructure': (
        build_kTableAnonymousMaterializedFilterShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-FILTER-0000000004\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-FILTER-0000000004 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'TopologyTest.kTableNamedMaterializedFilterShouldPreserveTopologyStructure': (
        build_kTableNamedMaterializedFilterShouldPreserveTopologyStructure,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-FILTER-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-FILTER-0000000003 (stores: [store-name])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n'),
    'RepartitionTopicNamingTest.EXPECTED_UNOPTIMIZED_TOPOLOGY': (
        build_EXPECTED_UNOPTIMIZED_TOPOLOGY,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-MAP-0000000001\n    Processor: KSTREAM-MAP-0000000001 (stores: [])\n      --> KSTREAM-FILTER-0000000029, KSTREAM-FILTER-0000000002, KSTREAM-FILTER-0000000020, aggregate-stream-repartition-filter, count-stream-repartition-filter\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-FILTER-0000000020 (stores: [])\n      --> KSTREAM-PEEK-0000000021\n      <-- KSTREAM-MAP-0000000001\n    Processor: KSTREAM-FILTER-0000000002 (stores: [])\n      --> KSTREAM-MAPVALUES-0000000003\n      <-- KSTREAM-MAP-0000000001\n    Processor: KSTREAM-FILTER-0000000029 (stores: [])\n      --> joined-stream-left-repartition-filter\n      <-- KSTREAM-MAP-0000000001\n    Processor: KSTREAM-PEEK-0000000021 (stores: [])\n      --> reduced-stream-repartition-filter\n      <-- KSTREAM-FILTER-0000000020\n    Processor: KSTREAM-MAPVALUES-0000000003 (stores: [])\n      --> KSTREAM-PROCESSOR-0000000004\n      <-- KSTREAM-FILTER-0000000002\n    Processor: aggregate-stream-repartition-filter (stores: [])\n      --> aggregate-stream-repartition-sink\n      <-- KSTREAM-MAP-0000000001\n    Processor: count-stream-repartition-filter (stores: [])\n      --> count-stream-repartition-sink\n      <-- KSTREAM-MAP-0000000001\n    Processor: joined-stream-left-repartition-filter (stores: [])\n      --> joined-stream-left-repartition-sink\n      <-- KSTREAM-FILTER-0000000029\n    Processor: reduced-stream-repartition-filter (stores: [])\n      --> reduced-stream-repartition-sink\n      <-- KSTREAM-PEEK-0000000021\n    Processor: KSTREAM-PROCESSOR-0000000004 (stores: [])\n      --> none\n      <-- KSTREAM-MAPVALUES-0000000003\n    Sink: aggregate-stream-repartition-sink (topic: aggregate-stream-repartition)\n      <-- aggregate-stream-repartition-filter\n    Sink: count-stream-repartition-sink (topic: count-stream-repartition)\n      <-- count-stream-repartition-filter\n    Sink: joined-stream-left-repartition-sink (topic: joined-stream-left-repartition)\n      <-- joined-stream-left-repartition-filter\n    Sink: reduced-stream-repartition-sink (topic: reduced-stream-repartition)\n      <-- reduced-stream-repartition-filter\n\n  Sub-topology: 1\n    Source: count-stream-repartition-source (topics: [count-stream-repartition])\n      --> KSTREAM-AGGREGATE-0000000007\n    Processor: KSTREAM-AGGREGATE-0000000007 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000006])\n      --> KTABLE-TOSTREAM-0000000011\n      <-- count-stream-repartition-source\n    Processor: KTABLE-TOSTREAM-0000000011 (stores: [])\n      --> KSTREAM-SINK-0000000012, joined-stream-other-windowed\n      <-- KSTREAM-AGGREGATE-0000000007\n    Source: joined-stream-left-repartition-source (topics: [joined-stream-left-repartition])\n      --> joined-stream-this-windowed\n    Processor: joined-stream-other-windowed (stores: [joined-stream-other-join-store])\n      --> joined-stream-other-join\n      <-- KTABLE-TOSTREAM-0000000011\n    Processor: joined-stream-this-windowed (stores: [joined-stream-this-join-store])\n      --> joined-stream-this-join\n      <-- joined-stream-left-repartition-source\n    Processor: joined-stream-other-join (stores: [joined-stream-this-join-store])\n      --> joined-stream-merge\n      <-- joined-stream-other-windowed\n    Processor: joined-stream-this-join (stores: [joined-stream-other-join-store])\n      --> joined-stream-merge\n      <-- joined-stream-this-windowed\n    Processor: joined-stream-merge (stores: [])\n      --> KSTREAM-SINK-0000000038\n      <-- joined-stream-this-join, joined-stream-other-join\n    Sink: KSTREAM-SINK-0000000012 (topic: outputTopic_0)\n      <-- KTABLE-TOSTREAM-0000000011\n    Sink: KSTREAM-SINK-0000000038 (topic: outputTopicForJoin)\n      <-- joined-stream-merge\n\n  Sub-topology: 2\n    Source: aggregate-stream-repartition-source (topics: [aggregate-stream-repartition])\n      --> KSTREAM-AGGREGATE-0000000014\n    Processor: KSTREAM-AGGREGATE-0000000014 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000013])\n      --> KTABLE-TOSTREAM-0000000018\n      <-- aggregate-stream-repartition-source\n    Processor: KTABLE-TOSTREAM-0000000018 (stores: [])\n      --> KSTREAM-SINK-0000000019\n      <-- KSTREAM-AGGREGATE-0000000014\n    Sink: KSTREAM-SINK-0000000019 (topic: outputTopic_1)\n      <-- KTABLE-TOSTREAM-0000000018\n\n  Sub-topology: 3\n    Source: reduced-stream-repartition-source (topics: [reduced-stream-repartition])\n      --> KSTREAM-REDUCE-0000000023\n    Processor: KSTREAM-REDUCE-0000000023 (stores: [KSTREAM-REDUCE-STATE-STORE-0000000022])\n      --> KTABLE-TOSTREAM-0000000027\n      <-- reduced-stream-repartition-source\n    Processor: KTABLE-TOSTREAM-0000000027 (stores: [])\n      --> KSTREAM-SINK-0000000028\n      <-- KSTREAM-REDUCE-0000000023\n    Sink: KSTREAM-SINK-0000000028 (topic: outputTopic_2)\n      <-- KTABLE-TOSTREAM-0000000027\n\n'),
    'SuppressTopologyTest.NAMED_FINAL_TOPOLOGY': (
        build_NAMED_FINAL_TOPOLOGY,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n      --> counts-repartition-filter\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: counts-repartition-filter (stores: [])\n      --> counts-repartition-sink\n      <-- KSTREAM-KEY-SELECT-0000000001\n    Sink: counts-repartition-sink (topic: counts-repartition)\n      <-- counts-repartition-filter\n\n  Sub-topology: 1\n    Source: counts-repartition-source (topics: [counts-repartition])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n      --> myname\n      <-- counts-repartition-source\n    Processor: myname (stores: [myname-store])\n      --> KTABLE-TOSTREAM-0000000006\n      <-- KSTREAM-AGGREGATE-0000000002\n    Processor: KTABLE-TOSTREAM-0000000006 (stores: [])\n      --> KSTREAM-MAP-0000000007\n      <-- myname\n    Processor: KSTREAM-MAP-0000000007 (stores: [])\n      --> KSTREAM-SINK-0000000008\n      <-- KTABLE-TOSTREAM-0000000006\n    Sink: KSTREAM-SINK-0000000008 (topic: output-suppressed)\n      <-- KSTREAM-MAP-0000000007\n\n'),
    'SuppressTopologyTest.ANONYMOUS_FINAL_TOPOLOGY': (
        build_ANONYMOUS_FINAL_TOPOLOGY,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n      --> counts-repartition-filter\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: counts-repartition-filter (stores: [])\n      --> counts-repartition-sink\n      <-- KSTREAM-KEY-SELECT-0000000001\n    Sink: counts-repartition-sink (topic: counts-repartition)\n      <-- counts-repartition-filter\n\n  Sub-topology: 1\n    Source: counts-repartition-source (topics: [counts-repartition])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n      --> KTABLE-SUPPRESS-0000000006\n      <-- counts-repartition-source\n    Processor: KTABLE-SUPPRESS-0000000006 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000007])\n      --> KTABLE-TOSTREAM-0000000008\n      <-- KSTREAM-AGGREGATE-0000000002\n    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])\n      --> KSTREAM-MAP-0000000009\n      <-- KTABLE-SUPPRESS-0000000006\n    Processor: KSTREAM-MAP-0000000009 (stores: [])\n      --> KSTREAM-SINK-0000000010\n      <-- KTABLE-TOSTREAM-0000000008\n    Sink: KSTREAM-SINK-0000000010 (topic: output-suppressed)\n      <-- KSTREAM-MAP-0000000009\n\n'),
    'SuppressTopologyTest.NAMED_INTERMEDIATE_TOPOLOGY': (
        build_NAMED_INTERMEDIATE_TOPOLOGY,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> asdf\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: asdf (stores: [asdf-store])\n      --> KTABLE-TOSTREAM-0000000003\n      <-- KSTREAM-AGGREGATE-0000000002\n    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])\n      --> KSTREAM-SINK-0000000004\n      <-- asdf\n    Sink: KSTREAM-SINK-0000000004 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000003\n\n'),
    'SuppressTopologyTest.ANONYMOUS_INTERMEDIATE_TOPOLOGY': (
        build_ANONYMOUS_INTERMEDIATE_TOPOLOGY,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> KTABLE-SUPPRESS-0000000003\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KTABLE-SUPPRESS-0000000003 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000004])\n      --> KTABLE-TOSTREAM-0000000005\n      <-- KSTREAM-AGGREGATE-0000000002\n    Processor: KTABLE-TOSTREAM-0000000005 (stores: [])\n      --> KSTREAM-SINK-0000000006\n      <-- KTABLE-SUPPRESS-0000000003\n    Sink: KSTREAM-SINK-0000000006 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000005\n\n'),
    'KStreamKTableJoinTest.expectedTopologyWithGeneratedRepartitionTopicNames': (
        build_expectedTopologyWithGeneratedRepartitionTopicNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n      --> KSTREAM-MAP-0000000007\n    Processor: KSTREAM-MAP-0000000007 (stores: [])\n      --> KSTREAM-FILTER-0000000009\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-FILTER-0000000009 (stores: [])\n      --> KSTREAM-SINK-0000000008\n      <-- KSTREAM-MAP-0000000007\n    Sink: KSTREAM-SINK-0000000008 (topic: KSTREAM-MAP-0000000007-repartition)\n      <-- KSTREAM-FILTER-0000000009\n\n  Sub-topology: 1\n    Source: KSTREAM-SOURCE-0000000010 (topics: [KSTREAM-MAP-0000000007-repartition])\n      --> KSTREAM-JOIN-0000000011, KSTREAM-JOIN-0000000016\n    Processor: KSTREAM-JOIN-0000000011 (stores: [topic2-STATE-STORE-0000000001])\n      --> KSTREAM-SINK-0000000012\n      <-- KSTREAM-SOURCE-0000000010\n    Processor: KSTREAM-JOIN-0000000016 (stores: [topic3-STATE-STORE-0000000004])\n      --> KSTREAM-SINK-0000000017\n      <-- KSTREAM-SOURCE-0000000010\n    Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])\n      --> KTABLE-SOURCE-0000000003\n    Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])\n      --> KTABLE-SOURCE-0000000006\n    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n      <-- KSTREAM-JOIN-0000000011\n    Sink: KSTREAM-SINK-0000000017 (topic: out-two)\n      <-- KSTREAM-JOIN-0000000016\n    Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])\n      --> none\n      <-- KSTREAM-SOURCE-0000000005\n\n'),
    'KStreamKTableJoinTest.expectedTopologyWithUserProvidedRepartitionTopicNames': (
        build_expectedTopologyWithUserProvidedRepartitionTopicNames,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n      --> KSTREAM-MAP-0000000007\n    Processor: KSTREAM-MAP-0000000007 (stores: [])\n      --> first-join-repartition-filter, second-join-repartition-filter\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: first-join-repartition-filter (stores: [])\n      --> first-join-repartition-sink\n      <-- KSTREAM-MAP-0000000007\n    Processor: second-join-repartition-filter (stores: [])\n      --> second-join-repartition-sink\n      <-- KSTREAM-MAP-0000000007\n    Sink: first-join-repartition-sink (topic: first-join-repartition)\n      <-- first-join-repartition-filter\n    Sink: second-join-repartition-sink (topic: second-join-repartition)\n      <-- second-join-repartition-filter\n\n  Sub-topology: 1\n    Source: first-join-repartition-source (topics: [first-join-repartition])\n      --> first-join\n    Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])\n      --> KTABLE-SOURCE-0000000003\n    Processor: first-join (stores: [topic2-STATE-STORE-0000000001])\n      --> KSTREAM-SINK-0000000012\n      <-- first-join-repartition-source\n    Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n      <-- first-join\n    Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000002\n\n  Sub-topology: 2\n    Source: second-join-repartition-source (topics: [second-join-repartition])\n      --> second-join\n    Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])\n      --> KTABLE-SOURCE-0000000006\n    Processor: second-join (stores: [topic3-STATE-STORE-0000000004])\n      --> KSTREAM-SINK-0000000017\n      <-- second-join-repartition-source\n    Sink: KSTREAM-SINK-0000000017 (topic: out-two)\n      <-- second-join\n    Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])\n      --> none\n      <-- KSTREAM-SOURCE-0000000005\n\n'),
    'KStreamImplTest.shouldNotMaterializedKTableFromKStream': (
        build_shouldNotMaterializedKTableFromKStream,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-TOTABLE-0000000001\n    Processor: KSTREAM-TOTABLE-0000000001 (stores: [])\n      --> KTABLE-TOSTREAM-0000000003\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])\n      --> KSTREAM-SINK-0000000004\n      <-- KSTREAM-TOTABLE-0000000001\n    Sink: KSTREAM-SINK-0000000004 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000003\n\n'),
    'KStreamImplTest.shouldBindStateWithOldProcessor': (
        build_shouldBindStateWithOldProcessor,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> p\n    Processor: p (stores: [])\n      --> KSTREAM-SINK-0000000001\n      <-- KSTREAM-SOURCE-0000000000\n    Sink: KSTREAM-SINK-0000000001 (topic: output)\n      <-- p\n\n'),
    'KStreamImplTest.shouldProcessValues': (
        build_shouldProcessValues,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> fkp\n    Processor: fkp (stores: [])\n      --> KSTREAM-SINK-0000000001\n      <-- KSTREAM-SOURCE-0000000000\n    Sink: KSTREAM-SINK-0000000001 (topic: output)\n      <-- fkp\n\n'),
    'KStreamImplTest.shouldMaterializeKTableFromKStream': (
        build_shouldMaterializeKTableFromKStream,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-TOTABLE-0000000001\n    Processor: KSTREAM-TOTABLE-0000000001 (stores: [store])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n'),
    'KStreamImplTest.shouldSupportKeyChangeKTableFromKStream': (
        build_shouldSupportKeyChangeKTableFromKStream,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-MAP-0000000001\n    Processor: KSTREAM-MAP-0000000001 (stores: [])\n      --> KSTREAM-FILTER-0000000005\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n      --> KSTREAM-SINK-0000000004\n      <-- KSTREAM-MAP-0000000001\n    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-TOTABLE-0000000002-repartition)\n      <-- KSTREAM-FILTER-0000000005\n\n  Sub-topology: 1\n    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-TOTABLE-0000000002-repartition])\n      --> KSTREAM-TOTABLE-0000000002\n    Processor: KSTREAM-TOTABLE-0000000002 (stores: [])\n      --> KTABLE-TOSTREAM-0000000007\n      <-- KSTREAM-SOURCE-0000000006\n    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n      --> KSTREAM-SINK-0000000008\n      <-- KSTREAM-TOTABLE-0000000002\n    Sink: KSTREAM-SINK-0000000008 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000007\n\n'),
    'KStreamImplTest.shouldSupportTableTableJoinWithKStreamToKTable': (
        build_shouldSupportTableTableJoinWithKStreamToKTable,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [left])\n      --> KSTREAM-TOTABLE-0000000001\n    Source: KSTREAM-SOURCE-0000000003 (topics: [right])\n      --> KSTREAM-TOTABLE-0000000004\n    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n      --> KTABLE-JOINTHIS-0000000007\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n      --> KTABLE-JOINOTHER-0000000008\n      <-- KSTREAM-SOURCE-0000000003\n    Processor: KTABLE-JOINOTHER-0000000008 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n      --> KTABLE-MERGE-0000000006\n      <-- KSTREAM-TOTABLE-0000000004\n    Processor: KTABLE-JOINTHIS-0000000007 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n      --> KTABLE-MERGE-0000000006\n      <-- KSTREAM-TOTABLE-0000000001\n    Processor: KTABLE-MERGE-0000000006 (stores: [])\n      --> KTABLE-TOSTREAM-0000000009\n      <-- KTABLE-JOINTHIS-0000000007, KTABLE-JOINOTHER-0000000008\n    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])\n      --> KSTREAM-SINK-0000000010\n      <-- KTABLE-MERGE-0000000006\n    Sink: KSTREAM-SINK-0000000010 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000009\n\n'),
    'KStreamImplTest.shouldSupportStreamTableJoinWithKStreamToKTable': (
        build_shouldSupportStreamTableJoinWithKStreamToKTable,
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [streamTopic])\n      --> KSTREAM-JOIN-0000000004\n    Processor: KSTREAM-JOIN-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000003])\n      --> KSTREAM-SINK-0000000005\n      <-- KSTREAM-SOURCE-0000000000\n    Source: KSTREAM-SOURCE-0000000001 (topics: [tableTopic])\n      --> KSTREAM-TOTABLE-0000000002\n    Sink: KSTREAM-SINK-0000000005 (topic: output)\n      <-- KSTREAM-JOIN-0000000004\n    Processor: KSTREAM-TOTABLE-0000000002 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000003])\n      --> none\n      <-- KSTREAM-SOURCE-0000000001\n\n'),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_describe_prints_what_kafka_prints(case):
    build, expected = EXPECTED[case]
    b = StreamsBuilder()
    build(b)
    assert str(b.build().describe()) == expected
