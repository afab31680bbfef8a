"""Producer renderers read the trace and the logs: batches, origins of records, the sweep."""
import matplotlib

matplotlib.use("Agg")

from kafkalab import Cluster, Producer  # noqa: E402
from kafkalab.scenarios import producer_workload  # noqa: E402
from kafkalab.viz.producer import batch_table, batch_timeline, log_origins, sweep_plot  # noqa: E402
from kafkalab.widgets.producer import producer_panel  # noqa: E402


def lossy_run(idempotent):
    c = Cluster(brokers=3, seed=1)
    c.create_topic("orders", 1, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": idempotent,
                  "max.in.flight.requests.per.connection": 5, "linger.ms": 0}, cluster=c)
    leader = c.describe("orders").partitions[0].leader
    c.sim.network.drop_next(p.node, f"kafka-{leader}", "ProduceRequest")
    c.sim.network.drop_next(f"kafka-{leader}", p.node, "ProduceResponse")
    for i in range(4):
        p.produce("orders", key=b"42", value=f"v{i}")
    p.flush()
    return c


def test_batch_table_follows_each_batch_from_open_to_ack():
    c = lossy_run(False)
    df = batch_table(c.trace)
    assert list(df["batch"]) == [1, 2, 3, 4]
    assert (df["sends"] >= 1).all() and df["acked_ms"].notna().all()
    assert set(df["closed_by"]) == {"linger.ms=0"}
    assert df.loc[0, "sends"] == 2  # the lost request was sent again


def test_log_origins_marks_duplicates_and_reordering_only_without_idempotence():
    df = log_origins(lossy_run(False), "orders", 0)
    assert df["duplicate"].any() and df["reordered"].any()
    df = log_origins(lossy_run(True), "orders", 0)
    assert not df["duplicate"].any() and not df["reordered"].any()
    assert list(df["value"]) == ["v0", "v1", "v2", "v3"]


def test_timeline_and_sweep_draw():
    c = lossy_run(False)
    ax = batch_timeline(c.trace)
    assert len(ax.patches) >= 8
    rs = [producer_workload({"linger.ms": lm}, rate=2_000, seconds=0.2) for lm in (0, 10)]
    ax = sweep_plot(rs)
    assert len(ax.texts) == 2
    assert rs[1].requests < rs[0].requests  # lingering batches records together


def test_producer_panel_redraws_and_shows_config_errors():
    panel = producer_panel(linger_ms=5)
    before = bytes(panel.image.value)
    panel.controls["linger_ms"].value = 20
    assert bytes(panel.image.value) != before
    assert panel.view.state.config["linger.ms"] == 20
    panel.controls["acks"].value = "1"  # with idempotence on: librdkafka refuses the combination
    assert "acks" in panel.error.value and panel.view.state.config["acks"] == "all"
