"""Kernels forked from templates (kafkalab/grading/fork.py): what one learner does stays theirs.

Learners of one kit notebook share a template that has run the hand-out's opening cells; these check
that a learner whose opening cells differ is graded from a bare template all the same, that nothing
a learner's cells change in their (forked) kernel reaches the next learner's, and that a loop after
the fork point is stopped at the notebook's timeout like any other.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import synthetic_class as sc

from kafkalab.grading import fork
from kafkalab.grading.kit import load_kit
from kafkalab.grading.run import CORRECT, NOT_RUN, grade_files

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 10.0

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not fork.available(), reason="forking needs POSIX")]


@pytest.fixture(scope="module")
def why():
    return sc.KitSource(load_kit(REPO), "01_why_kafka")


def grade(made, why, tmp_path, kernels="fork", workers=1):
    paths = []
    for m in made:
        path = tmp_path / m.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(m.content)
        paths.append((m.student, path))
    return grade_files(paths, load_kit(REPO), timeout=TIMEOUT, workers=workers, kernels=kernels)


def as_rows(result):
    return [sc.Row(result.student, result.notebook, v.exercise, v.points, v.status, v.reason, v.cell)
            for v in result.verdicts]


def test_a_learner_whose_opening_cells_differ_is_graded_as_in_a_fresh_kernel(why, tmp_path):
    d = sc.Draft(why, sc.RIGHT)
    d.insert(0, d.new_cell("my_note = 'an extra first cell'"))
    made = [d.made("ann", "ann/01_why_kafka.ipynb"), sc.right(why, "ben", "ben/01_why_kafka.ipynb")]
    forked = grade(made, why, tmp_path / "fork")
    fresh = grade(made, why, tmp_path / "fresh", kernels="fresh")
    for got, m in zip(forked, made):
        assert as_rows(got) == m.rows and got.problems == []
    assert [as_rows(r) for r in forked] == [as_rows(r) for r in fresh]


def test_nothing_a_learner_changes_reaches_the_next_learner(why, tmp_path):
    vandal = sc.Draft(why, sc.WRONG_ANSWER)
    # after the first exercise cell: past the fork point, so vandal and the next learner share a template
    vandal.insert(vandal.index(why.check(why.exercises[0]).exercise_cell_id) + 1, vandal.new_cell(
        "import kafkalab, kafkalab.exercises.core as core, sys\n"
        "kafkalab.VANDAL = True\ncore._REGISTRY.clear()\n"
        "cluster.VANDAL = True\nsys.modules['json'] = None\nopen('left-behind.txt', 'w').write('x')"))
    made = [vandal.made("vandal", "vandal/01_why_kafka.ipynb")]
    probe = sc.Draft(why, sc.RIGHT)
    probe.insert(len(probe.cells), probe.new_cell(
        "import os, sys, kafkalab\nassert not hasattr(kafkalab, 'VANDAL')\nassert sys.modules['json'] is not None\n"
        "assert not os.path.exists('left-behind.txt')\nassert not hasattr(cluster, 'VANDAL')"))
    made.append(probe.made("next", "next/01_why_kafka.ipynb"))
    vandal_result, next_result = grade(made, why, tmp_path)
    assert "cell [" in " ".join(vandal_result.problems) or vandal_result.verdicts, "the vandal's cells ran"
    assert all(v.status != CORRECT for v in vandal_result.verdicts)
    assert as_rows(next_result) == made[1].rows and next_result.problems == [], "graded as if alone"


def test_a_loop_after_the_fork_point_is_stopped_at_the_timeout(why, tmp_path):
    made = [sc.loops(TIMEOUT)(why, "lou", "lou/01_why_kafka.ipynb"), sc.right(why, "ben", "ben/01_why_kafka.ipynb")]
    looped, after = grade(made, why, tmp_path)
    assert as_rows(looped) == made[0].rows
    assert any(v.status == NOT_RUN for v in looped.verdicts)
    assert looped.problems[-1].startswith("stopped: cell [") and "10 s were up" in looped.problems[-1]
    assert as_rows(after) == made[1].rows, "the next learner's kernel is unharmed"


def _killer(why, student: str):
    """A learner whose cell, past the fork point, kills the template their kernel was forked from (its parent)."""
    d = sc.Draft(why, sc.RIGHT)
    d.insert(d.index(why.check(why.exercises[0]).exercise_cell_id) + 1, d.new_cell(
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    return d.made(student, f"{student}/01_why_kafka.ipynb")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_learner_who_kills_the_template_costs_the_others_nothing(why, tmp_path, workers):
    made = [_killer(why, "kim"), sc.right(why, "ben", "ben/01_why_kafka.ipynb"),
            sc.right(why, "cat", "cat/01_why_kafka.ipynb"), sc.right(why, "dan", "dan/01_why_kafka.ipynb")]
    results = grade(made, why, tmp_path, workers=workers)
    for got, m in zip(results[1:], made[1:]):
        assert as_rows(got) == m.rows and got.problems == [], f"{got.student} graded as if alone"
