"""Every figure is readable: each renderer, at a small and a large size, passes the figure check.

The renderers are found, not listed: every public function of a ``kafkalab.viz`` module that takes
``ax``/``axes``, and every widget panel's ``render_*`` function (:func:`kafkalab.viz.gallery.figure_renderers`).
Each registers seeded samples next to its definition with ``@sample(renderer, "small" | "large")``;
a renderer added later without them fails :func:`test_every_renderer_has_a_small_and_a_large_sample`,
so it is checked from the day it exists.  The check itself (:mod:`kafkalab.viz.figcheck`) draws the
figure with Agg and measures it: overlapping or clipped text, text and markers below the floors of
:mod:`kafkalab.viz.style`, hairline bars and gaps, points hidden under points, a missing title,
axis label, legend or alt text.  The second half of this file shows the check catching each of those.
"""
from __future__ import annotations

import matplotlib
import pytest

import kafkalab.widgets
from kafkalab.viz import figcheck, gallery, style

matplotlib.use("Agg")

RENDERERS = gallery.figure_renderers(kafkalab.widgets)
SAMPLES = gallery.samples(kafkalab.widgets)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_every_renderer_has_a_small_and_a_large_sample():
    have = {(s.renderer, s.size) for s in SAMPLES}
    missing = [f"{name} ({size})" for name, _ in RENDERERS for size in gallery.SIZES if (name, size) not in have]
    assert not missing, ("register a seeded sample with @kafkalab.viz.gallery.sample(renderer, size) next to: "
                         + ", ".join(missing))
    orphans = {s.renderer for s in SAMPLES} - {name for name, _ in RENDERERS}
    assert not orphans, f"samples of functions that are not figure renderers: {sorted(orphans)}"


def test_the_renderers_of_notebooks_01_to_05_and_every_panel_are_found():
    names = {name.rsplit(".", 1)[1] for name, _ in RENDERERS}
    assert {"replica_graph", "replica_grid", "offset_strip", "isr_timeline", "batch_timeline", "sweep_plot",
            "assignment_graph", "rebalance_timeline", "lag_heatmap", "load_bars"} <= names
    from kafkalab.widgets import panel_factories

    panels = {n.rsplit(".", 2)[1] for n, _ in panel_factories()}
    assert panels <= {name.split(".")[2] for name, _ in RENDERERS if ".render_" in name}


@pytest.mark.parametrize("s", SAMPLES, ids=[s.name for s in SAMPLES])
def test_figure_is_readable(s):
    fig = gallery.draw(s)
    found = figcheck.problems(fig)
    assert not found, f"{s.name} ({s.caption}):\n  " + "\n  ".join(found)
    assert len(style.alt_text(fig)) <= 600, "alt text is one or two sentences, not a paragraph"


# ---------------------------------------------------------------------------------------------------
# The check catches what it should


def fig_with(draw, width=6.0, height=3.0, alt=True, title=True, layout="constrained"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=style.DPI, layout=layout)
    draw(ax)
    if title:
        ax.set_title("a finding")
    if alt:
        style.alt(ax, "A figure drawn by the tests of the figure check")
    return fig


def only(found, needle):
    hits = [p for p in found if needle in p]
    assert hits, f"expected a problem about {needle!r}, got {found}"
    return hits


def clean(ax):
    ax.plot([0, 1], [0, 1], marker="o", ms=style.MARKER_PT)
    style.labels(ax, x="time (s)", y="records")
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)


def test_a_tidy_figure_passes():
    assert figcheck.problems(fig_with(clean)) == []


def test_missing_alt_text_and_title_are_found():
    found = figcheck.problems(fig_with(clean, alt=False, title=False))
    only(found, "no alt text")
    only(found, "has no title")


def test_overlapping_text_is_found():
    def draw(ax):
        clean(ax)
        ax.text(0.5, 0.5, "first label", fontsize=10)
        ax.text(0.52, 0.5, "second label", fontsize=10)

    only(figcheck.problems(fig_with(draw)), "overlaps")


def test_text_cut_at_the_figure_edge_is_found():
    def draw(ax):
        clean(ax)
        ax.text(1.4, 0.5, "a long label running off the edge", fontsize=10)

    only(figcheck.problems(fig_with(draw, layout=None)), "cut off at the figure's edge")  # no layout to rescue it


def test_small_text_and_small_markers_are_found():
    def draw(ax):
        clean(ax)
        ax.tick_params(labelsize=7)
        ax.plot([0.3], [0.3], marker="^", ms=4, ls="none")

    found = figcheck.problems(fig_with(draw))
    only(found, "below the 9 pt floor")
    only(found, "marker line")


def test_a_figure_wider_than_the_notebook_is_found():
    only(figcheck.problems(fig_with(clean, width=11)), "scales it to")


def test_points_on_top_of_each_other_are_found():
    def draw(ax):
        clean(ax)
        ax.scatter([0.2, 0.2, 0.2, 0.8], [0.5, 0.5, 0.5, 0.5], s=64)

    assert only(figcheck.problems(fig_with(draw)), "on top of another")[0].startswith("axes 'a finding': 2 of")


def test_hairline_gaps_and_slivers_in_a_timeline_are_found():
    def draw(ax):
        ax.barh(0, 30, left=0, height=0.7, color=style.BLUE)
        ax.barh(0, 30, left=30.05, height=0.7, color=style.BLUE)  # 0.05 s gap on a 60 s axis
        ax.barh(1, 0.02, left=10, height=0.7, color=style.ORANGE)
        ax.barh(1, 20, left=20, height=0.7, color=style.ORANGE)
        style.labels(ax, x="time (s)")
        ax.set_yticks([0, 1], ["P0", "P1"])
        style.legend(ax, handles=[style.patch(style.BLUE, "C1"), style.patch(style.ORANGE, "C2")])

    found = figcheck.problems(fig_with(draw))
    only(found, "hairline")
    only(found, "too thin to see")


def test_numbers_without_an_axis_label_and_colours_without_a_legend_are_found():
    def draw(ax):
        ax.bar([0, 1], [3, 4], color=[style.BLUE, style.ORANGE])

    found = figcheck.problems(fig_with(draw))
    only(found, "the x axis has numbers but no label")
    only(found, "no legend")


def test_text_running_into_a_legend_is_found():
    def draw(ax):
        clean(ax)
        style.legend(ax, handles=[style.patch(style.BLUE, "leader")])
        ax.text(1.45, 1.4, "a label that runs right", fontsize=10, clip_on=False)

    only(figcheck.problems(fig_with(draw, width=7)), "runs into a legend")


def test_a_label_over_a_data_marker_is_found():
    def draw(ax):
        clean(ax)
        ax.text(0.03, 0.0, "a label that ends on the point", fontsize=10, ha="right", va="center")

    only(figcheck.problems(fig_with(draw)), "drawn over a data marker")
