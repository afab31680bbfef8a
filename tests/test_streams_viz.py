"""Streams renderers (Agg) and the window explorer, headless: what they draw agrees with the model's
own answers, and no label is clipped by its box or the figure or drawn over another label."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from kafkalab.ecosystem.streams import (
    Consumed,
    Duration,
    Grouped,
    JoinWindows,
    Materialized,
    Produced,
    Serdes,
    SessionWindows,
    SlidingWindows,
    StreamJoined,
    StreamsBuilder,
    TimeWindows,
)
from kafkalab.ecosystem.streams.lab import (
    MINUTE,
    NOON,
    clicks_and_profiles,
    guide_topology,
    run_app,
    window_run,
    windowed_serde,
)
from kafkalab.viz import streams as sviz

S, L = Serdes.String(), Serdes.Long()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def renderer(fig):
    """Draw ``fig`` for real (Agg; a panel's bare ``Figure`` gets an Agg canvas) and return the renderer."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def texts(fig) -> list:
    """The labels a reader sees, with their extents after a real draw (tick labels only of axes drawn)."""
    r = renderer(fig)
    found = list(fig.texts)
    for ax in fig.axes:
        found += list(ax.texts) + [ax.title, ax._left_title, ax._right_title]
        if ax.axison:  # tick labels outside the view limits are not drawn
            (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
            found += [t for t, v in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True) if x0 <= v <= x1]
            found += [t for t, v in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True) if y0 <= v <= y1]
            found += [ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            found += ax.get_legend().get_texts()
    for leg in fig.legends:
        found += leg.get_texts()
    return [(t, t.get_window_extent(r)) for t in found if t.get_visible() and t.get_text().strip()]


def assert_legible(fig, tol: float = 1.0):
    """Every visible label lies inside the figure and overlaps no other label (ticks of one axis excepted)."""
    boxes = texts(fig)
    fb = fig.bbox
    for t, b in boxes:
        assert b.x0 >= fb.x0 - tol and b.x1 <= fb.x1 + tol and b.y0 >= fb.y0 - tol and b.y1 <= fb.y1 + tol, \
            f"{t.get_text()!r} is clipped by the figure: {b} outside {fb}"
    for i, (t1, b1) in enumerate(boxes):
        for t2, b2 in boxes[i + 1:]:
            w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
            h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
            assert w <= tol or h <= tol, f"{t1.get_text()!r} overlaps {t2.get_text()!r}"


def assert_labels_inside_their_boxes(ax):
    """The topology graph: each node/topic/store label fits inside the box drawn for it."""
    r = renderer(ax.figure)
    boxes = [p.get_window_extent(r) for p in ax.patches if (p.get_gid() or "").endswith("-box")]
    labels = [(t, t.get_window_extent(r)) for t in ax.texts if (t.get_gid() or "").endswith("-label")]
    assert len(labels) == len(boxes)
    for i, b1 in enumerate(boxes):
        for b2 in boxes[i + 1:]:
            assert min(b1.x1, b2.x1) - max(b1.x0, b2.x0) <= 1 or min(b1.y1, b2.y1) - max(b1.y0, b2.y0) <= 1, \
                f"boxes {b1} and {b2} overlap"
    for t, tb in labels:
        cx, cy = (tb.x0 + tb.x1) / 2, (tb.y0 + tb.y1) / 2
        home = [b for b in boxes if b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1]
        assert len(home) == 1, f"{t.get_text()!r} has no box of its own"
        b = home[0]
        assert tb.x0 >= b.x0 - 1 and tb.x1 <= b.x1 + 1 and tb.y0 >= b.y0 - 1 and tb.y1 <= b.y1 + 1, \
            f"{t.get_text()!r} spills out of its box"
    return [t.get_text().replace("\n", "") for t, _b in labels]


def word_count():
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(S, S)).flat_map_values(str.split)
      .group_by(lambda k, w: w, Grouped.with_(S, S)).count(Materialized.as_("counts"))
      .to_stream().to("counts-out", Produced.with_(S, L)))
    return b.build()


def big_topology():
    """Four sub-topologies: two re-keyed streams joined (two repartitions), a windowed count of the join,
    a table from a long-named topic, and a branch of filters."""
    b = StreamsBuilder()
    left = b.stream("orders-from-the-european-web-shop", Consumed.with_(S, S)).select_key(lambda k, v: v)
    right = b.stream("payments", Consumed.with_(S, S)).map(lambda k, v: (v, k))
    joined = left.join(right, lambda a, c: a + c, JoinWindows.of_time_difference_with_no_grace(Duration.of_minutes(5)),
                       StreamJoined.with_(S, S, S))
    (joined.filter(lambda k, v: bool(v)).group_by_key()
        .windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_minutes(1))).count().to_stream()
        .map(lambda wk, c: (wk.key, str(c))).to("per-minute"))
    b.table("customer-profiles-compacted-topic", Consumed.with_(S, S)).filter(lambda k, v: v is not None).to_stream() \
        .to("profiles-out")
    s = b.stream(["clicks", "clicks-from-the-mobile-app"], Consumed.with_(S, S))
    for i in range(4):
        s = s.filter(lambda k, v, i=i: len(v) > i).map_values(str.upper).peek(lambda k, v: None)
    s.to("clicks-out")
    return b.build()


@pytest.mark.parametrize("make, app", [(guide_topology, "clicks-app"), (word_count, "wc"),
                                       (big_topology, "an-application-with-a-long-id")])
def test_topology_graph_draws_every_node_topic_and_store_legibly(make, app):
    topology = make()
    ax = sviz.topology_graph(topology, app)
    itb = topology.internal
    labels = assert_labels_inside_their_boxes(ax)
    for name in itb.node_factories:
        assert sviz.short_name(name) in labels
    for s, sf in itb.state_factories.items():
        assert sviz.short_name(s) in labels
        if sf.logging_enabled:
            assert sviz.short_name(f"{app}-{s}-changelog") in labels
    for t in itb.internal_topics:
        assert labels.count(sviz.short_name(f"{app}-{t}")) == 2  # written by one sub-topology, read by another
    frames = [t for t in ax.texts if t.get_text().startswith("Sub-topology ")]
    assert len(frames) == len(itb.subtopologies())
    assert_legible(ax.figure)


def test_topology_graph_of_one_source_and_one_sink():
    b = StreamsBuilder()
    b.stream("in").to("out")
    ax = sviz.topology_graph(b.build(), "x")
    assert sorted(assert_labels_inside_their_boxes(ax)) == ["KS-SINK-1", "KS-SOURCE-0", "in", "out"]
    assert_legible(ax.figure)


@pytest.mark.parametrize("windows", [
    TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(1)).advance_by(Duration.of_minutes(1)),
    TimeWindows.of_size_with_no_grace(Duration.of_minutes(2)),
    SlidingWindows.of_time_difference_and_grace(Duration.of_minutes(2), Duration.of_minutes(1)),
    SessionWindows.of_inactivity_gap_with_no_grace(Duration.of_minutes(1)),
])
def test_window_timeline_draws_one_bar_per_window_and_marks_each_drop(windows):
    clicks = [NOON + int(m * MINUTE) for m in (0.2, 1.1, 1.9, 3.4, 4.6, 6.2, 7.5, 8.3, 9.6, 2.5)]
    run = window_run(windows, clicks)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    sviz.window_timeline(run, ax=ax)
    assert run.windows and len(ax.get_yticks()) >= len(run.windows)
    assert run.dropped == sum(len(r["dropped"]) for r in run.records)
    fig.tight_layout()
    assert_legible(fig)


def test_window_run_has_no_drops_with_a_grace_longer_than_the_lateness():
    late = [NOON, NOON + 10 * MINUTE, NOON + 3 * MINUTE]
    strict = window_run(TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1)),
                        late)
    loose = window_run(TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(10))
                       .advance_by(Duration.of_minutes(1)), late)
    # 12:03 is in the windows starting 11:59..12:03, all ended (<= 12:08) before stream time 12:10
    assert (len(strict.records[2]["counted"]), len(strict.records[2]["dropped"])) == (0, 5)
    assert (len(loose.records[2]["counted"]), loose.dropped) == (5, 0)


def test_window_counts_table_keeps_the_last_update_per_window_or_every_update():
    clicks, profiles = clicks_and_profiles()
    run = run_app(guide_topology, {"clicks": clicks, "user-profiles": profiles}, run_ms=120_000)
    out = run.outputs["clicks-per-user-5m-output"]
    last = sviz.window_counts_table(out, windowed_serde(), L)
    every = sviz.window_counts_table(out, windowed_serde(), L, every_update=True)
    assert list(last.columns)[:4] == ["user_id", "window_start", "window_end", "count"]
    assert len(every) == len(out) and len(last) == len({r[0] for r in out})
    # the final counts are the store's (interactive query over the instance)
    store = {(wk.key, wk.window.start): c for wk, c in run.apps[0].store("clicks-per-user-5m").all()}
    table = {(u, st): c for u, st, c in last[["user_id", "window_start", "count"]].itertuples(index=False)}
    for k, c in store.items():
        assert table[k] == c


def crash_run():
    def topology():
        b = StreamsBuilder()
        b.stream("words", Consumed.with_(S, S)).group_by_key().count(Materialized.as_("counts")).to_stream().to(
            "counts-out", Produced.with_(S, L))
        return b.build()

    words = [(f"w{i % 13}", "x", 1000 + i * 100) for i in range(300)]
    return run_app(topology, {"words": words}, instances=2, output_serdes={"words": (S, S)}, partitions={"words": 4},
                   props={"statestore.cache.max.bytes": 0, "commit.interval.ms": 5000}, time_scale=1.0, crash=0,
                   crash_at_ms=20_000, seed=1, run_ms=120_000)


def test_task_timeline_and_restore_table_follow_the_trace():
    run = crash_run()
    iv = sviz.task_intervals(run.trace)
    assert sorted({t for t, *_ in iv}) == ["0_0", "0_1", "0_2", "0_3"]
    names = sviz.instance_names(run.trace)
    assert sorted(names.values()) == ["instance A", "instance B"]
    ax = sviz.task_timeline(run.trace)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["task 0_0", "task 0_1", "task 0_2", "task 0_3"]
    assert_legible(ax.figure)
    rt = sviz.restore_table(run.trace)
    ends = run.trace.filter("streams.restore_end")
    assert len(rt) == len(ends) > 0 and set(rt.instance) == {"instance B"}
    for row, e in zip(rt.itertuples(index=False), ends, strict=True):
        changelog, p = e.fields["changelog"], e.fields["partition"]
        assert row[4] == f"{changelog}-{p}" and row[6] == e.fields["end_offset"]


def test_emits_table_and_plot_count_what_reached_the_topic():
    burst = [(f"k{i % 5}", "x", NOON + 50 * i) for i in range(200)]

    def topology():
        b = StreamsBuilder()
        b.stream("words", Consumed.with_(S, S)).group_by_key().count(Materialized.as_("counts")).to_stream().to(
            "counts-out", Produced.with_(S, L))
        return b.build()

    plain = {"words": (S, S)}
    runs = {name: run_app(topology, {"words": burst}, props=props, output_serdes=plain, time_scale=1.0, run_ms=30_000)
            for name, props in (("cached", {"commit.interval.ms": 5000}), ("no cache", {"statestore.cache.max.bytes": 0}))}
    t = sviz.emits_table({k: r.trace for k, r in runs.items()}, "counts-out")
    for row in t.itertuples(index=False):
        assert row[1] == len(runs[row[0]].outputs["counts-out"])
    assert t.set_index("run").loc["no cache", "records written"] == len(burst)
    ax = sviz.emits_plot({k: r.trace for k, r in runs.items()}, "counts-out")
    assert len(ax.lines) == 2
    assert_legible(ax.figure)


@pytest.mark.parametrize("kind", ["tumbling", "hopping", "sliding", "session"])
def test_window_explorer_renders_every_kind_legibly(kind):
    from kafkalab.widgets.streams import render_windows

    view = render_windows(kind=kind, size_min=5, advance_min=2, grace_min=1, late_by_min=4)
    assert view.figure is not None and view.text
    assert_legible(view.figure)


def test_window_explorer_panel_redraws_on_change():
    from kafkalab.widgets.streams import window_explorer

    panel = window_explorer(kind="hopping", size_min=5, advance_min=1, grace_min=0, late_by_min=3)
    dropped_before = panel.view.text
    panel.controls["grace_min"].value = 5
    assert panel.redraws == 2 and panel.view.text != dropped_before
