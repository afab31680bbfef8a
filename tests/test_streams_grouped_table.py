"""``KTable.group_by`` → ``KGroupedTable.count / reduce / aggregate``: re-grouping a table.

Expected topologies and names are Kafka's own tests (apache/kafka streams/src/test/.../TopologyTest.java
``tableCountShouldPreserveTopologyStructure`` and StreamsBuilderTest.java
``shouldUseSpecifiedNameForAggregateOperationGivenTable``); the processing follows
KTableRepartitionMap.java (subtract the old pair, add the new; one record when the new key is the old one,
KIP-904), KTableAggregate.java / KTableReduce.java and ChangedSerializer.java (the repartition value format).
"""
from __future__ import annotations

import pytest

from kafkalab.ecosystem.streams import (
    Consumed,
    Grouped,
    KeyValue,
    Materialized,
    Named,
    Produced,
    Serdes,
    StreamsBuilder,
    TopologyTestDriver,
)
from kafkalab.ecosystem.streams.lab import run_app
from kafkalab.ecosystem.streams.processor import Change
from kafkalab.ecosystem.streams.serdes import ChangedSerde

S, L = Serdes.String(), Serdes.Long()
CONF = {"application.id": "regions", "bootstrap.servers": "dummy:9092", "statestore.cache.max.bytes": 0}


def test_describe_is_kafkas_table_count_topology():
    b = StreamsBuilder()
    b.table("input-topic").group_by(lambda k, v: KeyValue(k, v)).count()
    assert str(b.build().describe()) == (
        "Topologies:\n"
        "   Sub-topology: 0\n"
        "    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n"
        "      --> KTABLE-SOURCE-0000000002\n"
        "    Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n"
        "      --> KTABLE-SELECT-0000000003\n"
        "      <-- KSTREAM-SOURCE-0000000001\n"
        "    Processor: KTABLE-SELECT-0000000003 (stores: [])\n"
        "      --> KSTREAM-SINK-0000000005\n"
        "      <-- KTABLE-SOURCE-0000000002\n"
        "    Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)\n"
        "      <-- KTABLE-SELECT-0000000003\n"
        "\n"
        "  Sub-topology: 1\n"
        "    Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])\n"
        "      --> KTABLE-AGGREGATE-0000000007\n"
        "    Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])\n"
        "      --> none\n"
        "      <-- KSTREAM-SOURCE-0000000006\n"
        "\n")


def test_named_operations_name_the_select_sink_source_and_aggregate():
    b = StreamsBuilder()
    b.table("topic").group_by(lambda k, v: KeyValue(k, v), Grouped.as_("group-operation")).count(Named.as_("count-op"))
    itb = b.build().internal
    assert list(itb.node_factories) == ["KSTREAM-SOURCE-0000000001", "KTABLE-SOURCE-0000000002", "group-operation",
                                        "count-op-sink", "count-op-source", "count-op"]
    assert sorted(itb.state_factories) == ["KTABLE-AGGREGATE-STATE-STORE-0000000004", "topic-STATE-STORE-0000000000"]
    assert list(itb.internal_topics) == ["group-operation-repartition"]


def users_per_region(build, out_serde=L):
    b = StreamsBuilder()
    grouped = b.table("user-regions", Consumed.with_(S, S)).group_by(
        lambda user, where: KeyValue(where.split("/")[0], user), Grouped.with_(S, S))  # "asia/tokyo" -> asia
    build(grouped).to_stream().to("region-out", Produced.with_(S, out_serde))
    return b.build()


def count(grouped):
    return grouped.count(Materialized.as_("per-region"))


MOVES = [("alice", "asia/tokyo"), ("bob", "americas/lima"), ("chao", "asia/seoul"), ("alice", "europe/oslo"),
         ("bob", None), ("chao", "asia/osaka")]


def drive(topology, value_serde=L):
    with TopologyTestDriver(topology, CONF) as d:
        src = d.create_input_topic("user-regions", S.serializer(), S.serializer())
        out = d.create_output_topic("region-out", S.deserializer(), value_serde.deserializer())
        for user, region in MOVES:
            src.pipe_input(user, region)
        return [(kv.key, kv.value) for kv in out.read_key_values_to_list()], dict(d.get_key_value_store(
            "per-region").all())


def test_a_user_moving_region_is_subtracted_from_the_old_one_before_being_added_to_the_new():
    updates, store = drive(users_per_region(count))
    assert updates == [("asia", 1), ("americas", 1), ("asia", 2),
                       ("asia", 1), ("europe", 1),  # alice: out of asia, then into europe
                       ("americas", 0),             # bob's record deleted: subtracted only
                       ("asia", 1)]                 # chao moves within asia: one Change(new, old), subtract then add
    assert store == {"asia": 1, "americas": 0, "europe": 1}


def test_reduce_and_aggregate_use_the_subtractor():
    def names(grouped):
        return grouped.reduce(lambda agg, v: ",".join(sorted({*agg.split(","), v} - {""})),
                              lambda agg, v: ",".join(x for x in agg.split(",") if x != v),
                              Materialized.as_("per-region"))

    updates, store = drive(users_per_region(names, S), S)
    assert store == {"asia": "chao", "americas": "", "europe": "alice"}
    assert updates[:4] == [("asia", "alice"), ("americas", "bob"), ("asia", "alice,chao"), ("asia", "chao")]

    def total_len(grouped):
        return grouped.aggregate(lambda: 0, lambda k, v, agg: agg + len(v), lambda k, v, agg: agg - len(v),
                                 Materialized.as_("per-region").with_value_serde(L))

    _, store = drive(users_per_region(total_len))
    assert store == {"asia": len("chao"), "americas": 0, "europe": len("alice")}


def test_a_selector_returning_a_null_key_drops_the_pair():
    b = StreamsBuilder()
    b.table("t", Consumed.with_(S, S)).group_by(lambda k, v: KeyValue(None if v == "skip" else v, k),
                                                 Grouped.with_(S, S)).count(Materialized.as_("c"))
    with TopologyTestDriver(b.build(), CONF) as d:
        src = d.create_input_topic("t", S.serializer(), S.serializer())
        for k, v in (("a", "x"), ("b", "skip"), ("c", "x")):
            src.pipe_input(k, v)
        assert dict(d.get_key_value_store("c").all()) == {"x": 2}


@pytest.mark.parametrize("change, wire", [
    (Change(None, "old"), b"old\x00"),
    (Change("new", None), b"new\x01"),
    (Change("new", "old"), b"\x06newold\x02"),  # zigzag varint of 3 is 6
])
def test_the_repartition_topic_carries_kafkas_changed_serializer_format(change, wire):
    serde = ChangedSerde(S)
    assert serde.serialize("t", change) == wire
    assert serde.deserialize("t", wire) == change


def test_on_a_cluster_the_counts_go_through_the_repartition_topic():
    users = [(f"u{i}", f"r{i % 3}/a", 1000 + 100 * i) for i in range(30)] + \
            [(f"u{i}", "r9/b", 5000 + 100 * i) for i in range(10)]  # ten users move to r9
    run = run_app(lambda: users_per_region(count), {"user-regions": users}, output_serdes={"user-regions": (S, S)},
                  partitions={"user-regions": 3}, props={"commit.interval.ms": 1000}, run_ms=60_000)
    final = {}
    for k, v, *_ in run.outputs["region-out"]:  # partition by partition: each region's updates are in order
        final[S.deserialize("region-out", k)] = L.deserialize("region-out", v)
    expected = {"r0": 10, "r1": 10, "r2": 10}
    for i in range(10):
        expected[f"r{i % 3}"] -= 1
    expected["r9"] = 10
    assert final == expected
    assert "clicks-app-per-region-repartition" in run.cluster.topics()  # named after the store
