"""The capstone's decision lab (notebook 09): every leaf's recommended configuration meets its requirement,
every typical wrong one breaks it with the evidence kept, and the decision-tree panel runs every leaf headless."""
from __future__ import annotations

import matplotlib
import pytest

from kafkalab import capstone
from kafkalab.widgets.capstone import RECOMMENDED, decision_tree

matplotlib.use("Agg")

CASES = [(lf, label, conf) for lf in capstone.LEAVES for label, conf in lf.wrong.items()]


@pytest.mark.parametrize("leaf", capstone.LEAVES, ids=[f"{lf.scenario}:{lf.detail}" for lf in capstone.LEAVES])
def test_the_recommended_configuration_meets_the_requirement(leaf):
    out = capstone.run(leaf.scenario, leaf.config)
    assert out.ok, out.problem
    assert out.bars and all(status != "bad" for _l, _v, status in out.bars)


@pytest.mark.parametrize("leaf,label,conf", CASES, ids=[f"{lf.scenario}:{label}" for lf, label, _c in CASES])
def test_every_typical_wrong_choice_is_shown_failing(leaf, label, conf):
    out = capstone.run(leaf.scenario, conf)
    assert not out.ok and out.problem
    if leaf.scenario != "windowed" or conf.get("grace_min", 5) < 5:  # engine choices are judged, not simulated
        assert any(status == "bad" and value for _l, value, status in out.bars), out.bars


def test_the_failures_carry_their_evidence():
    dup = capstone.run("retries", {"enable.idempotence": False})
    assert [r["value"] for r in dup.rows if r["copy"] == "duplicate"] == ["step-0", "step-1", "step-2"]
    unclean = capstone.run("durability", capstone.leaf("durability against one broker loss").wrong["unclean election on"])
    assert any("unclean" in line for line in unclean.trace)
    flink = capstone.run("windowed", {"engine": "flink", "state": "huge", "grace_min": 5})
    assert flink.ok and capstone.FLINK_NOTE in flink.trace  # stated, and labelled as not simulated


def test_runs_are_deterministic_and_cached():
    a = capstone.run("ordering", {"key": "user_id", "partitions": 12})
    capstone._CACHE.clear()
    b = capstone.run("ordering", {"key": "user_id", "partitions": 12})
    assert a.headline == b.headline and a.rows == b.rows
    assert capstone.run("ordering", {"key": "user_id", "partitions": 12}) is b


def test_a_delete_on_ack_queue_forgets_what_a_log_keeps():
    rows = {(r["system"][:5], r["reader"]): r["records"] for r in capstone.queue_vs_log()}
    assert rows[("delet", "analytics-1")] == 20 and rows[("delet", "analytics replay")] == 0
    assert rows[("Kafka", "analytics-1")] == 60 and rows[("Kafka", "analytics replay")] == 60
    assert rows[("Kafka", "billing-1")] + rows[("Kafka", "billing-2")] == 60


def test_the_decision_tree_runs_every_leaf_headless():
    panel = decision_tree()
    seen = set()
    for lf in capstone.LEAVES:
        panel.controls["need"].value = lf.need
        panel.controls["detail"].value = list(capstone.TREE[lf.need]).index(lf.detail)
        for choice in [RECOMMENDED, *lf.wrong]:
            panel.controls["choice"].value = choice
            assert panel.error.value == ""
            state = panel.view.state
            assert state["leaf"] is lf
            assert state["outcome"].ok == (choice == RECOMMENDED)
            assert bytes(panel.image.value).startswith(b"\x89PNG")
            assert ("requirement met" if choice == RECOMMENDED else "requirement broken") in panel.text.value
            seen.add((lf.scenario, lf.detail, choice))
    assert len(seen) == len(capstone.LEAVES) + len(CASES)


def test_changing_the_requirement_resets_detail_and_choice_and_redraws_once():
    panel = decision_tree()
    before = panel.redraws
    panel.controls["choice"].value = "acks=1"
    panel.controls["need"].value = "windowed aggregation"
    assert panel.controls["detail"].value == 0 and panel.controls["detail"].label == "state fits in the application"
    assert panel.controls["choice"].value == RECOMMENDED
    assert panel.view.state["leaf"].scenario == "windowed"
    assert panel.redraws == before + 2  # one for the choice, one for the requirement: the follow-ups are quiet
    panel.controls["detail"].value = 1
    assert panel.view.state["leaf"].detail == "huge state or rich event time" and panel.redraws == before + 3
