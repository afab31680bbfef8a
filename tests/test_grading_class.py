"""``kafkalab grade`` end to end on a synthetic class of 34 submissions by 33 students.

The submissions are made from the kit's student builds (tests/synthetic_class.py): right, wrong,
untouched, mixed, raising, a dying kernel, an endless loop, tampered check cells and outputs, a
tampered exercise machinery, reordered, duplicated and deleted cells, renamed files, lost cell ids,
IPython magics, blank cells, a truncated file, a file that is no notebook, a student who handed the
same notebook in twice and students who handed in only some notebooks; flat and nbgrader layouts
side by side. Most are of notebook 00 (quick to run), one of notebook 01. The expected gradebook is
computed from how each one was made; the grader's CSVs and pages must say exactly that.
"""
from __future__ import annotations

import contextlib
import csv
import html
import io
import itertools
from collections import Counter
from pathlib import Path

import pytest
import synthetic_class as sc

from kafkalab.cli_main import main
from kafkalab.grading.kit import load_kit
from kafkalab.grading.run import CORRECT, ERROR, STATUSES, WRONG

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 10.0  # per notebook; the 00 notebooks run in about a second, the looping one uses it all

pytestmark = pytest.mark.slow


def special_cases(demo: sc.KitSource) -> list[sc.Made]:
    """Edits that only make sense on notebook 00's two exercises (P, then the prediction R)."""
    p = demo.exercises[0]
    made = []
    # the prediction block (its markdown, exercise, reveal and check) moved above the first exercise
    d = sc.Draft(demo, sc.RIGHT)
    block = [d.cells.pop(d.index(f"00_kit_demo-{i}")) for i in (5, 6, 7, 8)]
    d.insert(d.index("00_kit_demo-2"), *block)
    made.append(d.made("quinn", "quinn/00_kit_demo.ipynb"))
    # the exercise cell of P deleted: its check finds no `answer`
    d = sc.Draft(demo, sc.RIGHT).delete(demo.check(p).exercise_cell_id)
    try:
        exec(compile(demo.check(p).source, "<check>", "exec"), {"check": lambda *a: None})  # noqa: S102
    except NameError as exc:
        d.expect[p] = (ERROR, f"the check raised NameError: {exc}", f"[{d.position(d.check_cell(p))}]")
    made.append(d.made("rosa", "rosa/00_kit_demo.ipynb"))
    # IPython magics and a shell line between the cells
    d = sc.Draft(demo, sc.RIGHT)
    d.insert(d.index(demo.check(p).exercise_cell_id), d.new_cell("%time _ = 1"), d.new_cell("!true"))
    made.append(d.made("sam", "sam/00_kit_demo.ipynb"))
    return made


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    kit = load_kit(REPO)
    demo, why = sc.KitSource(kit, "00_kit_demo"), sc.KitSource(kit, "01_why_kafka")
    made = [
        sc.right(demo, "alice", "alice/ps1/00_kit_demo.ipynb"),  # nbgrader: submitted/<student>/<assignment>/
        sc.right(demo, "bob", "bob_00_kit_demo.ipynb"),  # flat, student and notebook in the name
        sc.right(demo, "carol", "carol.ipynb"),  # flat, renamed
        sc.right(demo, "dave", "dave/homework (1).ipynb"),  # renamed in a student's folder
        sc.empty(demo, "erin", "erin/00_kit_demo.ipynb"),
        sc.wrong(demo, "frank", "frank/00_kit_demo.ipynb"),
        sc.raising(demo, "gina", "gina/00_kit_demo.ipynb"),
        sc.kernel_dies(demo, "hank", "hank/00_kit_demo.ipynb"),
        sc.loops(TIMEOUT)(demo, "aaron", "aaron/00_kit_demo.ipynb"),  # first in line: its wait overlaps the rest
        sc.tampered_outputs(demo, "ivy", "ivy/00_kit_demo.ipynb"),
        sc.tampered_kit(demo, "jack", "jack/00_kit_demo.ipynb"),
        sc.duplicated(demo, "kate", "kate/00_kit_demo.ipynb", first=sc.WRONG_ANSWER, then=sc.RIGHT),
        sc.duplicated(demo, "liam", "liam/00_kit_demo.ipynb", first=sc.RIGHT, then=sc.WRONG_ANSWER),
        sc.checks_deleted(demo, "mona", "mona/00_kit_demo.ipynb"),
        sc.ids_lost(demo, "nick", "nick/00_kit_demo.ipynb"),
        sc.answered_below(demo, "olga", "olga/00_kit_demo.ipynb"),
        sc.blank_cells(demo, "pete", "pete/00_kit_demo.ipynb"),
        *special_cases(demo),
        sc.truncated(demo, "tina", "tina/00_kit_demo.ipynb"),
        sc.not_a_notebook("uma", "uma.ipynb"),
        sc.wrong(demo, "vic", "vic/00_kit_demo.ipynb"),
        sc.right(demo, "vic", "vic/00_kit_demo-Copy1.ipynb"),
        sc.mixed(why, "walt", "walt/01_why_kafka.ipynb"),
    ]
    made[-3].rows = []  # vic's wrong copy: the better of his two counts
    for a, b in itertools.product([sc.RIGHT, sc.STUB, sc.WRONG_ANSWER], repeat=2):
        student = f"mix-{a}-{b}"
        made.append(sc.Draft(demo, dict(zip(demo.exercises, (a, b)))).made(student, f"{student}/00_kit_demo.ipynb"))
    root = tmp_path_factory.mktemp("class") / "submitted"
    expected = sc.write(made, root, kit)
    out = root.parent / "grades"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(["grade", str(root), "--out", str(out), "--timeout", f"{TIMEOUT:g}", "-j", "2",
                       "--root", str(REPO)])
    assert status == 0
    return made, expected, out, stdout.getvalue()


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_class_is_big_and_varied(graded):
    made, expected, _, _ = graded
    assert len(made) >= 30 and len({m.student for m in made}) >= 30
    assert {r.status for r in expected} == set(STATUSES)


def test_gradebook_is_what_each_submission_was_made_to_get(graded):
    _, expected, out, _ = graded
    got = [sc.Row(r["student"], r["notebook"], r["exercise"], int(r["points"]), r["verdict"], r["reason"], r["cell"])
           for r in read_csv(out / "gradebook.csv")]
    key = lambda r: (r.student, r.notebook, r.exercise)
    assert sorted(map(key, got)) == sorted(map(key, expected)), "one row per student × exercise"
    by_key = {key(r): r for r in got}
    wrong = [(want, by_key[key(want)]) for want in expected if not sc.matches(by_key[key(want)], want)]
    assert wrong == []


def test_scores_and_summary_agree_with_the_gradebook(graded):
    _, expected, out, stdout = graded
    scores = {r["student"]: r for r in read_csv(out / "scores.csv")}
    for student in {r.student for r in expected}:
        mine = [r for r in expected if r.student == student and r.exercise]
        assert (int(scores[student]["points"]), int(scores[student]["out_of"])) == \
            (sum(r.points for r in mine), len(mine))
    for row in read_csv(out / "summary.csv"):
        rows = [r for r in expected if r.exercise == row["exercise"]]
        counts = Counter(r.status for r in rows)
        assert {s: int(row[s]) for s in STATUSES} == {s: counts.get(s, 0) for s in STATUSES}
        wrong = Counter(r.reason for r in rows if r.status in (WRONG, ERROR))
        top = min(wrong.items(), key=lambda kv: (-kv[1], kv[0]), default=("", 0))
        assert (row["most_common_wrong_reason"], int(row["most_common_wrong_count"])) == top
        line = next(line for line in stdout.splitlines() if line.startswith(row["exercise"] + " "))
        assert f"{counts[CORRECT]}/{len(rows)}" in line and (not top[0] or f"{top[0]} ({top[1]})" in line)


def test_each_student_gets_a_feedback_page(graded):
    _, expected, out, _ = graded
    students = sorted({r.student for r in expected})
    assert sorted(p.stem for p in (out / "feedback").glob("*.html")) == sorted(students)
    index = (out / "index.html").read_text(encoding="utf-8")
    for student in students:
        page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        mine = [r for r in expected if r.student == student and r.exercise]
        assert page.count("<td class=mark>✓</td>") == sum(r.points for r in mine)
        assert page.count("<td class=mark>✗</td>") == len(mine) - sum(r.points for r in mine)
        for r in mine:
            assert html.escape(r.reason.rstrip("…"), quote=True) in page
        assert f"href='feedback/{student}.html'" in index


def test_feedback_tells_what_went_wrong_besides_the_verdicts(graded):
    _, _, out, _ = graded

    def page(student):
        return html.unescape((out / "feedback" / f"{student}.html").read_text(encoding="utf-8"))

    assert "raised RuntimeError: my code broke" in page("gina")
    assert "stopped: the kernel died while running cell" in page("hank")
    assert "was still running when the notebook's 10 s were up" in page("aaron")
    assert "00_kit_demo.ipynb is also 00_kit_demo (0/2); 00_kit_demo-Copy1.ipynb (2/2) counts" in page("vic")
    assert "uma.ipynb: not a readable notebook" in page("uma")
    assert "no more hints" not in page("erin") and "A topic is split into partitions" in page("erin")
    assert "Ordering holds only inside one partition" in page("erin"), "the first hint of a missing notebook"


def test_nothing_written_holds_terminal_colours(graded):
    made, _, out, stdout = graded
    for path in [*out.rglob("*.csv"), *out.rglob("*.html")]:
        assert "\x1b" not in path.read_text(encoding="utf-8"), path
    assert "\x1b" not in stdout
    students = len({m.student for m in made})
    assert stdout.splitlines()[0].startswith(f"grading {len(made)} notebooks of {students} students, 2 at a time")
