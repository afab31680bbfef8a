"""Widget panels, headless: set a control's value, and the panel has already re-run its scenario.

ipywidgets works without a kernel and observers run synchronously, so ``slider.value = x`` returns
after the redraw (``kafkalab/widgets/panel.py``). These tests check the pattern (controls → seeded
``render`` → picture, tables, text; a Kafka error is shown, not raised) and notebook 01's sizing
workbench (the topic it creates on its fresh cluster has the sized partition count and RF).
``tests/test_browser.py`` checks the same workbench through JupyterLab in Chromium.
"""
from __future__ import annotations

import math
import re

import ipywidgets as w
import matplotlib
import pandas as pd
import pytest

from kafkalab.cluster import Cluster
from kafkalab.sizing import DAY_MS
from kafkalab.widgets import Panel, View, figure_png, new_figure, panel_factories
from kafkalab.widgets.sizing import render_sizing, sizing_workbench

matplotlib.use("Agg")  # the renderers import pyplot (never drawing with it); no display needed

PNG = b"\x89PNG\r\n\x1a\n"


def png(panel: Panel) -> bytes:
    return bytes(panel.image.value)  # a memoryview once the widget has it


# ---------------------------------------------------------------------------------------------------
# The Panel pattern


def topic_render(partitions: int, rf: int, brokers: int = 3) -> View:
    """A tiny panel render: create a topic on a fresh seeded cluster, draw one bar per broker."""
    cluster = Cluster(brokers=brokers, seed=7)
    cluster.create_topic("t", partitions=partitions, replication_factor=rf)
    per_broker = {b: 0 for b in sorted(cluster.brokers)}
    for p in cluster.describe("t").partitions:
        for b in p.replicas:
            per_broker[b] += 1
    fig = new_figure(4, 2)
    fig.add_subplot(111).bar([f"B{b}" for b in per_broker], list(per_broker.values()))
    table = pd.DataFrame({"broker": list(per_broker), "replicas": list(per_broker.values())})
    return View(figure=fig, tables={"replicas per broker": table}, text=f"{partitions} x RF {rf} <t>",
                state=cluster)


def topic_panel() -> Panel:
    return Panel({"partitions": w.IntSlider(value=3, min=1, max=12), "rf": w.IntSlider(value=2, min=1, max=5)},
                 topic_render, title="Topic", description="one bar per broker")


def test_panel_draws_once_on_creation():
    panel = topic_panel()
    assert panel.redraws == 1 and panel.error.value == ""
    assert png(panel).startswith(PNG)
    assert panel.view.state.describe("t").replication_factor == 2
    assert "<table" in panel.tables.value and "replicas per broker" in panel.tables.value
    assert panel.text.value == "<pre>3 x RF 2 &lt;t&gt;</pre>"  # text is escaped, shown preformatted
    assert isinstance(panel.widget, w.VBox)
    assert set(panel.values()) == {"partitions", "rf"}


def test_setting_a_control_redraws_synchronously_with_all_values():
    calls = []

    def render(**values):
        calls.append(values)
        return topic_render(**values)

    panel = Panel({"partitions": w.IntSlider(value=3, min=1, max=12), "rf": w.IntSlider(value=2, min=1, max=5)},
                  render)
    before = png(panel)
    panel.controls["partitions"].value = 6
    assert calls == [{"partitions": 3, "rf": 2}, {"partitions": 6, "rf": 2}]
    assert panel.redraws == 2 and len(panel.view.state.describe("t").partitions) == 6
    assert png(panel) != before
    assert "6 x RF 2" in panel.text.value


def test_a_kafka_error_is_shown_not_raised_and_the_last_good_view_stays():
    panel = topic_panel()
    good_view, good_png = panel.view, png(panel)
    panel.controls["rf"].value = 4  # 3 brokers cannot hold 4 replicas
    assert "InvalidReplicationFactorException" in panel.error.value
    assert "only 3 broker(s) are registered" in panel.error.value
    assert panel.view is good_view and png(panel) == good_png and panel.redraws == 1
    panel.controls["rf"].value = 3  # a possible combination again clears the error
    assert panel.error.value == "" and panel.view.state.describe("t").replication_factor == 3
    assert panel.redraws == 2


def test_a_value_error_is_shown_too_but_a_bug_propagates():
    def render(n):
        if n == 2:
            raise ValueError("n must not be 2")
        if n == 3:
            raise TypeError("a bug in the render function")
        return View(text=str(n))

    panel = Panel({"n": w.IntSlider(value=1, min=1, max=5)}, render)
    panel.controls["n"].value = 2
    assert "ValueError: n must not be 2" in panel.error.value
    with pytest.raises(TypeError):
        panel.controls["n"].value = 3


def test_values_shown_before_come_back_from_the_cache_and_a_cold_panel_re_renders(monkeypatch):
    calls = []

    def render(**values):
        calls.append(values)
        return topic_render(**values)

    panel = Panel({"partitions": w.IntSlider(value=3, min=1, max=12), "rf": w.IntSlider(value=2, min=1, max=5)},
                  render)
    first_png, first_view = png(panel), panel.view
    panel.controls["partitions"].value = 6
    panel.controls["partitions"].value = 3  # back to what the panel showed first
    assert len(calls) == 2 and panel.redraws == 3
    assert png(panel) == first_png and panel.view is first_view and "3 x RF 2" in panel.text.value
    monkeypatch.setattr(Panel, "cache_size", 0)
    panel.controls["partitions"].value = 6
    panel.controls["partitions"].value = 3
    assert len(calls) == 4 and png(panel) == first_png  # re-rendered: the same seeded picture


def test_figure_png_is_deterministic_and_keeps_pyplot_out():
    import sys

    a, b = topic_render(4, 3), topic_render(4, 3)
    assert figure_png(a.figure) == figure_png(b.figure)
    assert figure_png(a.figure).startswith(PNG)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []  # panels draw on Figure objects, so nothing leaks into cell outputs


# ---------------------------------------------------------------------------------------------------
# Notebook 01's sizing workbench


def topic(panel: Panel):
    return panel.view.state["cluster"].describe("clickstream")


@pytest.fixture
def bench() -> Panel:
    return sizing_workbench()


def test_workbench_defaults_create_the_sized_topic(bench):
    s = bench.view.state["sizing"]
    assert (s.partitions, s.consumers_at_peak, s.replication_factor, s.min_insync_replicas) == (20, 20, 3, 2)
    assert s.storage_bytes == 100_000 * 1_000 * 7 * 86_400 * 3 and f"{s.storage_tb:,.2f}" == "181.44"
    t = topic(bench)
    assert len(t.partitions) == 20 and t.replication_factor == 3
    assert t.configs["min.insync.replicas"] == 2 and t.configs["retention.ms"] == 7 * DAY_MS
    assert "Created topic clickstream." in bench.text.value and "--partitions 20" in bench.text.value
    assert "PartitionCount: 20" in bench.text.value and "… 14 more partitions" in bench.text.value
    assert "181.44 TB" in bench.tables.value and bench.error.value == ""
    assert png(bench).startswith(PNG)
    assert len(bench.controls) == 6 and all(isinstance(c, (w.IntSlider, w.FloatSlider))
                                            for c in bench.controls.values())


def test_peak_slider_resizes_and_recreates_the_topic(bench):
    before, cluster_before = png(bench), bench.view.state["cluster"]
    bench.controls["peak"].value = 200_000
    s = bench.view.state["sizing"]
    assert s.partitions == 40 and s.consumers_at_peak == 40
    assert len(topic(bench).partitions) == 40 and topic(bench).replication_factor == 3
    assert bench.view.state["cluster"] is not cluster_before  # replayed on a fresh cluster, not mutated
    assert "clickstream" in cluster_before.topics() and len(cluster_before.describe("clickstream").partitions) == 20
    assert png(bench) != before and bench.redraws == 2
    assert "ceil(200,000 / 5,000)" in bench.tables.value and "362.88 TB" in bench.tables.value


@pytest.mark.parametrize("rf, brokers, min_isr", [(1, 3, 1), (2, 3, 1), (4, 4, 2), (5, 5, 2)])
def test_replication_factor_slider(bench, rf, brokers, min_isr):
    before = png(bench)
    bench.controls["rf"].value = rf
    t = topic(bench)
    assert t.replication_factor == rf and len(t.partitions) == 20
    assert len(bench.view.state["cluster"].brokers) == brokers
    assert t.configs["min.insync.replicas"] == min_isr
    assert all(len(set(p.replicas)) == rf and p.leader in p.replicas and sorted(p.isr) == sorted(p.replicas)
               for p in t.partitions)
    assert png(bench) != before


def test_growth_adds_partitions_not_consumers(bench):
    bench.controls["growth"].value = 2.5
    s = bench.view.state["sizing"]
    assert s.partitions == math.ceil(100_000 * 2.5 / 5_000) == 50 and s.consumers_at_peak == 20
    assert len(topic(bench).partitions) == 50


def test_storage_sliders_change_storage_only(bench):
    bench.controls["record_bytes"].value = 2_000
    bench.controls["retention_days"].value = 14
    s = bench.view.state["sizing"]
    assert s.storage_bytes == 100_000 * 2_000 * 14 * 86_400 * 3 and s.partitions == 20
    assert topic(bench).configs["retention.ms"] == 14 * DAY_MS
    assert "725.76 TB" in bench.tables.value


def test_same_values_same_picture_and_text():
    a = sizing_workbench(peak=150_000, rf=2)
    b = sizing_workbench()
    b.controls["rf"].value = 2
    b.controls["peak"].value = 150_000
    assert png(a) == png(b) and a.text.value == b.text.value and a.tables.value == b.tables.value


def test_sliders_clamp_to_their_range(bench):
    bench.controls["rf"].value = 9  # ipywidgets clamps; the panel draws the clamped value
    assert bench.controls["rf"].value == 5 and topic(bench).replication_factor == 5


def test_an_invalid_sizing_is_shown_not_raised(bench):
    good = bench.view
    bench.controls["growth"].min = 0.5  # below 1.0 is no headroom at all: size_topic refuses it
    bench.controls["growth"].value = 0.5
    assert "ValueError" in bench.error.value and "growth headroom" in bench.error.value
    assert bench.view is good
    bench.controls["growth"].value = 1.5
    assert bench.error.value == "" and bench.view.state["sizing"].partitions == 30


@pytest.fixture
def three_broker_cluster(monkeypatch):
    """The workbench's cluster, but always 3 brokers: an RF above 3 is then impossible."""
    import kafkalab.widgets.sizing as sizing_widget

    monkeypatch.setattr(sizing_widget, "Cluster", lambda brokers, seed: Cluster(brokers=3, seed=seed))


def test_a_kafka_error_in_the_workbench_is_shown_not_raised(bench, three_broker_cluster):
    good, good_png = bench.view, png(bench)
    bench.controls["rf"].value = 5
    assert bench.error.value.startswith("<pre style='color:#b00'>")
    assert "Exception: " in bench.error.value  # a Kafka exception by its Kafka class name
    assert bench.view is good and png(bench) == good_png and topic(bench).replication_factor == 3
    bench.controls["rf"].value = 2
    assert bench.error.value == "" and topic(bench).replication_factor == 2


def test_the_workbench_shows_the_root_cause_of_a_failed_create(bench, three_broker_cluster):
    bench.controls["rf"].value = 5
    assert "InvalidReplicationFactorException" in bench.error.value or \
        "replication factor of 5 cannot be reached" in bench.error.value


def test_render_sizing_is_a_pure_replay():
    a = render_sizing(100_000, 5_000, 1.0, 1_000, 7, 3)
    b = render_sizing(100_000, 5_000, 1.0, 1_000, 7, 3)
    assert a.text == b.text and figure_png(a.figure) == figure_png(b.figure)
    assert a.tables["sizing"].equals(b.tables["sizing"])


# ---------------------------------------------------------------------------------------------------
# Every panel under kafkalab.widgets


def nudge(control):
    """The next value a learner could pick: one step along a slider, the next option, the other box state."""
    if isinstance(control, (w.IntSlider, w.FloatSlider)):
        up = control.value + control.step
        return up if up <= control.max else control.value - control.step
    if hasattr(control, "options") and len(control.options) > 1:
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(control.value) + 1) % len(values)]
    if isinstance(control.value, bool):
        return not control.value
    if isinstance(control.value, str):
        return control.value + ", x"
    return None


def test_the_sizing_workbench_is_found():
    assert "kafkalab.widgets.sizing.sizing_workbench" in dict(panel_factories())


PANELS = panel_factories()


@pytest.mark.parametrize("name, factory", PANELS, ids=[n for n, _ in PANELS])
def test_every_panel_redraws_on_every_control(name, factory):
    """One step on each control redraws, or shows why not (acks=0 with idempotence is a ConfigException);
    stepping back always gives a clean redraw again."""
    panel = factory()
    assert isinstance(panel, Panel) and panel.error.value == "" and panel.view is not None, name
    assert bytes(panel.image.value or b"").startswith(PNG) or panel.view.figure is None, name
    for key, control in panel.controls.items():
        new = nudge(control)
        if new is None:
            continue
        old, before = control.value, panel.redraws
        control.value = new  # must not raise
        if panel.error.value:
            assert re.search(r"\b\w+(Exception|Error): ", panel.error.value), panel.error.value
            assert panel.redraws == before, f"{name}: {key!r} showed an error and still counted a redraw"
        else:
            assert panel.redraws == before + 1, f"{name}: moving {key!r} to {new!r} did not redraw"
        control.value = old
        assert panel.error.value == "", f"{name}: moving {key!r} back to {old!r} showed {panel.error.value}"


def test_a_new_figure_displays_as_png_in_a_notebook_cell():
    fig = new_figure(3, 2)
    fig.add_subplot(111).plot([0, 1], [1, 0])
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and png == figure_png(fig)


def test_schema_evolution_explorer_shows_the_registrys_verdict_and_reason():
    from kafkalab.widgets.schema_evolution import schema_evolution_explorer

    panel = schema_evolution_explorer()  # a field without a default, under BACKWARD
    assert "HTTP 409 (error code 40901)" in panel.view.text and "'phone'" in panel.view.text
    table = panel.view.tables["the same change under every level"]
    assert len(table) == 7 and dict(zip(table["level"], table["verdict"]))["FORWARD"] == "registers"
    panel.controls["level"].value = "FORWARD"  # old readers ignore the new field: FORWARD lets it in
    assert "registered: id 3, version 3" in panel.view.text
    panel.controls["change"].value = "remove a field without a default (age)"
    assert "HTTP 409" in panel.view.text  # old readers need age
    panel.controls["history"].value = "v1 only"
    assert "version 1 of" not in panel.view.text and panel.view.state["versions"][-1]["fields"][-1]["name"] == \
        "nickname"
    assert panel.image.tooltip.startswith("Version history of subject users-value")  # the picture's alt text
