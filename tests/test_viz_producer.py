"""Producer renderers read the trace and the logs: batches, origins of records, the sweep."""
import matplotlib
import pytest

matplotlib.use("Agg")

from kafkalab import Cluster, Producer  # noqa: E402
from kafkalab.scenarios import producer_workload  # noqa: E402
from kafkalab.viz.producer import batch_table, batch_timeline, log_origins, sweep_plot  # noqa: E402
from kafkalab.widgets.producer import producer_panel  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")  # later tests assert that pyplot holds no figures


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
    from kafkalab.viz import style

    c = lossy_run(False)
    ax = batch_timeline(c.trace)
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    # the lost request's batch is acked only after its retry (orange); the other three in one go (blue)
    assert colors.count(style.ORANGE.lower()) == 2 and colors.count(style.BLUE.lower()) == 2
    assert "2 acked after a retry" in ax.get_title("left")
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"in flight until acked", "acked after a retry"}
    rs = [producer_workload({"linger.ms": lm}, rate=2_000, seconds=0.2) for lm in (0, 10)]
    axes = sweep_plot(rs)
    assert len(axes) == 3 and [t.get_text() for t in axes[0].get_yticklabels()] == ["linger 0 ms", "linger 10 ms"]
    p99 = axes[1].lines[0].get_xdata()
    assert list(p99) == [r.p99_ms for r in rs]  # one point per config, none hidden under another
    assert rs[1].requests < rs[0].requests  # lingering batches records together


def test_producer_panel_redraws_and_shows_config_errors():
    panel = producer_panel(linger_ms=5)
    before = bytes(panel.image.value)
    panel.controls["linger_ms"].value = 20
    assert bytes(panel.image.value) != before
    assert panel.view.state.config["linger.ms"] == 20
    panel.controls["acks"].value = "1"  # with idempotence on: librdkafka refuses the combination
    assert "acks" in panel.error.value and panel.view.state.config["acks"] == "all"
