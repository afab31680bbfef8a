"""The decision tree of notebook 09: requirement → detail → a configuration, and the scenario of that leaf run.

Three dropdowns walk :data:`kafkalab.capstone.TREE`: what you need (one line of the cheat sheet), the detail
that decides the leaf (ordering scope, state size), and which configuration to try: the leaf's
recommendation or one of its typical wrong choices.  Every change re-runs the leaf's seeded scenario
(:func:`kafkalab.capstone.run`, cached per configuration) and shows the verdict as bars, the evidence
table, and the trace lines or notes behind it.
"""
from __future__ import annotations

import ipywidgets as w

from .. import capstone
from ..viz.capstone import outcome_bars, outcome_table
from ..viz.gallery import sample
from .panel import Panel, View, new_figure

RECOMMENDED = "recommended"


def _choices(leaf) -> list[str]:
    return [RECOMMENDED, *leaf.wrong]


def _details(need: str) -> list:
    """The detail dropdown's options: (label, index) — an index, so a requirement with one leaf has no text."""
    return [(d if d != "-" else "(no further question)", i) for i, d in enumerate(capstone.TREE[need])]


def render_decision(need: str = "durability against one broker loss", detail: int | str = 0,
                    choice: str = RECOMMENDED) -> View:
    """Run the leaf ``(need, detail)`` (``detail``: its name or its index under ``need``) with its recommended
    configuration or the wrong one named ``choice``."""
    details = list(capstone.TREE[need].values())
    named = [lf for lf in details if lf.detail == detail]
    leaf = named[0] if named else details[detail] if isinstance(detail, int) and 0 <= detail < len(details) \
        else details[0]
    config = leaf.wrong.get(choice, leaf.config)
    out = capstone.run(leaf.scenario, config)
    fig = new_figure(8.5, max(2.6, 0.42 * len(out.bars) + 1.6))
    outcome_bars(out, ax=fig.add_subplot(111))
    path = f"{leaf.need}" + (f" → {leaf.detail}" if leaf.detail != "-" else "") + f" → {choice}"
    conf = ", ".join(f"{k}={v!r}" for k, v in sorted(config.items())) or "(client defaults)"
    text = (f"{path}\nconfiguration: {conf}\nthe cheat sheet: {leaf.why}\n{out.verdict}"
            + ("\n\n" + "\n".join(out.trace) if out.trace else ""))
    tables = {"evidence": outcome_table(out)} if out.rows else {}
    return View(figure=fig, tables=tables, text=text, state={"leaf": leaf, "outcome": out})


def decision_tree(need: str = "durability against one broker loss") -> Panel:
    needs = list(capstone.TREE)
    need_c = w.Dropdown(options=needs, value=need, description="I need")
    detail_c = w.Dropdown(options=_details(need), value=0, description="detail")
    first = next(iter(capstone.TREE[need].values()))
    choice_c = w.Dropdown(options=_choices(first), value=RECOMMENDED, description="configuration")

    panel_box: list = []  # the panel, once built: its observer is held off while the options follow a choice

    def quietly(control, options):
        """Set ``control``'s options (and first value) without the panel redrawing for it: the change that
        caused it redraws once, with every value consistent."""
        held = panel_box[0]._on_change if panel_box else None
        if held:
            control.unobserve(held, names="value")
        try:
            control.options = options
            first = options[0]
            control.value = first[1] if isinstance(first, tuple) else first
        finally:
            if held:
                control.observe(held, names="value")

    def on_need(change):  # registered before the panel's observers: the options follow the requirement first
        quietly(detail_c, _details(change["new"]))
        quietly(choice_c, _choices(list(capstone.TREE[change["new"]].values())[detail_c.value]))

    def on_detail(change):
        leaves = list(capstone.TREE[need_c.value].values())
        if 0 <= change["new"] < len(leaves):
            quietly(choice_c, _choices(leaves[change["new"]]))

    need_c.observe(on_need, names="value")
    detail_c.observe(on_detail, names="value")
    panel = Panel({"need": need_c, "detail": detail_c, "choice": choice_c}, render_decision,
                  title="From requirement to configuration",
                  description="Pick what you need; the leaf's scenario runs with the recommended configuration or a "
                              "typical wrong one, on a fresh seeded cluster.")
    panel_box.append(panel)
    return panel


@sample(render_decision, "small", "The tree as it opens: durability, the recommended configuration.")
def _small():
    return render_decision()


@sample(render_decision, "large", "Windowed aggregation without grace: the late click is dropped from three windows.")
def _large():
    return render_decision("windowed aggregation", "state fits in the application", "no grace")
