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


def test_replica_placement_is_a_grid_beyond_a_handful_of_partitions():
    c = make()
    c.create_topic("clicks", partitions=20, replication_factor=3)
    ax = viz.replica_graph(c, "clicks")
    assert ax.images and not ax.collections  # the grid: one image of cells, no edge collections
    grid = ax.images[0].get_array()
    assert grid.shape == (3, 20) and (grid == 1).sum() == 20 and (grid > 0).sum() == 60  # a leader per column
    assert [t.get_text() for t in ax.get_yticklabels()][0].startswith("B1 · leads ")
    small = viz.replica_graph(c, "orders")  # 6 partitions: still the graph
    assert not small.images and len(small.collections) >= 4


def test_trace_table_shows_no_nan_for_a_missing_node_or_field():
    from kafkalab import replication as rep

    run = rep.isr_shrink_example()
    df = viz.trace_table(run.trace, kind=("fault.", "net.partition"))
    assert "net.partition" in set(df["kind"]) and df.loc[df["kind"] == "net.partition", "node"].iloc[0] == "-"
    assert not df.isna().any().any()
    assert df.loc[df["kind"] == "fault.crash", "broker"].iloc[0] == 3  # an int stays an int, not 3.0
    detail = viz.trace_table(run.trace, kind="fault.blip", fields=("broker", "duration_ms"))
    assert list(detail.columns) == ["seq", "time_ms", "kind", "node", "detail"]
    assert detail["detail"].iloc[0] == "broker=2, duration_ms=10000"
