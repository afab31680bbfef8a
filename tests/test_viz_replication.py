"""Replication renderers: offset strip, ISR intervals/timeline, timeline table; the replication lab panel."""
import matplotlib

matplotlib.use("Agg")

import pytest

from kafkalab import replication as rep
from kafkalab import viz


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")  # later tests assert that pyplot holds no figures


@pytest.fixture(scope="module")
def example():
    return rep.isr_shrink_example(blip_ms=10_000)


def test_timeline_table_has_the_syllabus_columns_and_the_real_timeline(example):
    df = viz.timeline_table(example)
    assert list(df.columns) == ["t (s)", "event", "ISR", "leader", "write result"]
    fenced = df[df["event"].str.startswith("controller fences B3")]
    assert fenced["t (s)"].iloc[0] == pytest.approx(14.0, abs=1)
    shrink = df[df["event"].str.startswith("ISR {1,2,3} → {1,2}")]
    assert shrink["ISR"].iloc[0] == "{1,2}" and shrink["leader"].iloc[0] == "B1"
    results = df[df["event"].str.startswith("delivery report")]["write result"].tolist()
    assert results == ["✓ acknowledged, offset 0", "✓ acknowledged, offset 1", "✓ acknowledged, offset 2"]
    retries = df[df["event"].str.contains("NOT_ENOUGH_REPLICAS \\(ISR")]
    assert len(retries) == 1 and "(×" in retries["event"].iloc[0]  # a run of retries is one row


def test_isr_intervals_from_the_trace(example):
    df = viz.isr_intervals(example)
    assert list(df.columns) == ["broker", "role", "start_s", "end_s"]
    b3 = df[df["broker"] == 3]
    assert b3["role"].tolist()[-1] == "fenced" and b3["start_s"].iloc[-1] == pytest.approx(14, abs=1)
    b2 = df[df["broker"] == 2]["role"].tolist()
    assert b2[0] == "in-sync" and "fenced" in b2 and b2[-1] == "in-sync"
    assert set(df[df["broker"] == 1]["role"]) == {"leader"}


def test_isr_timeline_draws_bars_faults_and_writes(example):
    ax = viz.isr_timeline(example)
    assert len(ax.patches) >= 6  # one bar per (broker, interval)
    assert sum(1 for t in ax.texts if "crash" in t.get_text()) == 1
    assert len([line for line in ax.lines if line.get_marker() == "^"]) == 3  # three acknowledged writes


def test_offset_strip_marks_committed_and_uncommitted_records():
    run = rep.hw_example(latency_ms=2000, writes=3)
    ax = viz.offset_strip(run.cluster, "orders", 0)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 6  # 3 records on B1 and B2, all above the HW (0)
    assert any("leader HW = 0" in t.get_text() for t in ax.texts)
    run.cluster.run(5000)
    ax = viz.offset_strip(run.cluster, "orders", 0)
    assert not [p for p in ax.patches if p.get_hatch()] and len(ax.patches) == 9


def test_replica_graph_is_reused():
    assert viz.replica_graph is viz.replication.replica_graph


def test_replication_lab_redraws_on_a_change():
    from kafkalab.widgets.replication import replication_lab

    panel = replication_lab(schedule="ISR dies, a stale replica returns")
    assert "no acknowledged write lost" in panel.view.text and panel.image.value
    panel.controls["unclean"].value = True
    assert panel.redraws == 2 and "LOST" in panel.view.text
    assert "anomalies" in panel.view.tables
    panel.controls["acks"].value = "1"
    panel.controls["schedule"].value = "rolling replacement of B3, B2, B1"
    assert panel.view.state["run"].config["acks"] == "1"


def test_isr_timeline_zooms_to_the_events_and_keeps_its_labels_apart(example):
    ax = viz.isr_timeline(example)
    x0, x1 = ax.get_xlim()
    last = max(o.invoke_ms for o in example.history.sends()) - example.t0
    assert x0 <= 5 and last / 1000 < x1 < (example.cluster.now - example.t0) / 1000 * 0.6  # the quiet tail is cut
    labels = [t for t in ax.texts if t.get_text()]
    assert all(t.get_rotation() == 0 for t in labels)  # horizontal, in rows, never across the title
    assert "14 s" in ax.get_title("left")


def test_isr_timeline_marks_the_writes_an_unclean_election_lost():
    from kafkalab.viz import style

    unsafe = rep.unclean_election_example(unclean=True)
    ax = viz.isr_timeline(unsafe)
    lost = [line for line in ax.lines if line.get_color() == style.OUTCOME_COLORS["lost"]]
    assert len(lost) == len(unsafe.lost()) == 3
    assert "3 acknowledged writes LOST (a, b, c)" in ax.get_title("left")
    assert "unclean election" in ax.get_title("left")
    safe = viz.isr_timeline(rep.unclean_election_example(unclean=False))
    assert "LOST" not in safe.get_title("left")
    assert not [line for line in safe.lines if line.get_color() == style.OUTCOME_COLORS["lost"]]


def test_timeline_table_shows_left_aligned_and_uncut(example):
    import pandas as pd

    df = viz.timeline_table(example)
    longest = max(df["event"], key=len)
    with pd.option_context("display.max_colwidth", 20):
        html = df._repr_html_()
    assert longest.replace("<", "&lt;").replace(">", "&gt;") in html  # the whole sentence, not cut at 20 chars
    assert 'style="text-align:left' in html and "text-align:right" not in html
    sub = df[df["event"].str.contains("ISR")]
    assert isinstance(sub, viz.TextTable)  # filtering keeps the display
