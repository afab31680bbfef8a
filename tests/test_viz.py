"""Renderers: tables and graphs from model state, checked on the Agg backend."""
import matplotlib

matplotlib.use("Agg")

import kafkalab.viz as viz  # noqa: E402
from kafkalab import Cluster, Producer  # noqa: E402
from kafkalab.partitioners import partition_for_key  # noqa: E402


def make():
    c = Cluster(brokers=3, seed=42)
    c.create_topic("orders", partitions=6, replication_factor=3, config={"min.insync.replicas": "2"})
    p = Producer({"bootstrap.servers": "kafka-1:9092", "partitioner": "murmur2_random"}, cluster=c)
    for i in range(30):
        p.produce("orders", key=f"k{i % 4}", value=f"v{i}")
    p.flush()
    return c


def test_describe_topic_has_kafka_columns():
    c = make()
    df = viz.describe_topic(c, "orders")
    assert list(df.columns[:5]) == ["Topic", "Partition", "Leader", "Replicas", "Isr"]
    assert len(df) == 6 and df.attrs["replication_factor"] == 3
    assert df.loc[0, "Isr"].count(",") == 2


def test_log_table_marks_hw_and_leo():
    c = make()
    part = partition_for_key(b"k0", 6, "murmur2_random")
    df = viz.log_table(c, "orders", part)
    assert list(df["offset"]) == list(range(len(df)))
    assert df.attrs["high_watermark"] == df.attrs["log_end_offset"] == len(df)
    assert df["committed"].all() and df["mark"].iloc[-1] == "HW-1 = LEO-1"


def test_partition_load_and_key_placement_agree_with_the_log():
    c = make()
    load = viz.partition_load(c, "orders")
    assert load["records"].sum() == 30
    keys = [f"k{i % 4}" for i in range(30)]
    placed = viz.key_placement(keys, 6, "murmur2_random")
    assert list(placed["records"]) == list(load["records"])


def test_replica_graph_draws_every_replica_with_its_role():
    c = make()
    edges = viz.replica_edges(c, "orders")
    assert len(edges) == 18 and sum(r == "leader" for _, _, r in edges) == 6
    ax = viz.replica_graph(c, "orders")
    assert len(ax.collections) >= 4  # edge collections + broker and partition nodes
    c.crash_broker(1)
    c.run(15000)
    roles = {r for _, b, r in viz.replica_edges(c, "orders") if b == "B1"}
    assert roles == {"offline replica"}
