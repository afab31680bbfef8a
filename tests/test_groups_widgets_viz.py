"""Group renderers (Agg) and the rebalance-lab panel, headless."""
import matplotlib

matplotlib.use("Agg")

from kafkalab.group_lab import group_run
from kafkalab.viz import groups as vg


def test_renderers_columns_and_artists():
    run = group_run(3, 6, strategy="cooperative-sticky", crash="C2", crash_at_ms=10_000, run_ms=60_000)
    before, after = run.assignment(run.crash_ms), run.assignment()
    t = vg.assignment_table(before, after, dead={"C2"})
    assert list(t.columns) == ["consumer", "before", "after", "gained", "lost"] and len(t) == 3
    assert t.set_index("consumer").loc["C2", "after"] == "(dead)"
    ax = vg.assignment_graph(before, after, dead={"C2"})
    assert len(ax.lines) >= 6
    axes = vg.rebalance_timeline([run, run], "orders")
    assert len(axes) == 2 and len(axes[0].patches) >= 6
    pt = vg.pause_table({"coop": run})
    assert list(pt.columns) == ["partition", "coop"] and (pt["coop"] > 0).sum() == 2
    off = vg.offsets_topic_table(run.cluster, "order-pipeline")
    assert {"OffsetCommit", "GroupMetadata"} <= set(off["type"])
    assert vg.lag_heatmap(run.cluster, ["order-pipeline"], "orders") is not None
    import matplotlib.pyplot as plt

    plt.close("all")  # leave no pyplot figures behind for other tests


def test_group_lab_panel_redraws_on_change():
    from kafkalab.widgets.groups import group_lab

    panel = group_lab(consumers=3, partitions=6, protocol="range (eager, librdkafka default)", crash="C2")
    assert panel.view.figure is not None and "C2 killed" in panel.view.text
    panel.controls["consumers"].value = 8
    assert "Idle members" in panel.view.text
    panel.controls["protocol"].value = "KIP-848 consumer, uniform"
    assert panel.redraws == 3 and bytes(panel.image.value)[:4] == b"\x89PNG"


def test_every_protocol_of_the_lab_makes_a_consumer_librdkafka_accepts():
    """The lab's members are librdkafka consumers: an option whose config the client rejects would show
    only an error (an eager "sticky" option once did: librdkafka has no such assignor)."""
    from kafkalab.config import validate_client_config
    from kafkalab.group_lab import consumer_config
    from kafkalab.widgets.groups import PROTOCOLS

    for label, (strategy, protocol) in PROTOCOLS.items():
        conf = {**consumer_config(strategy, protocol), "group.id": "g"}
        validate_client_config(conf, "consumer")  # raises ConfigException, naming the option
