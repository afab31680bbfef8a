"""The grader's parts that need no kernel: the kit's exercises, identifying and planning a learner's
notebook, finding a class's submissions, the gradebook, and what the reports say."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from kafkalab import exercises, notebooks_build
from kafkalab.grading import classroom, report
from kafkalab.grading.kit import KitError, called_names, load_kit, without_check_calls
from kafkalab.grading.plan import plan
from kafkalab.grading.run import CORRECT, MISSING, NO_ANSWER, UNREADABLE, WRONG, NotebookResult, Verdict, read_notebook

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kit():
    return load_kit(REPO)


@pytest.fixture(scope="module")
def demo():
    src = REPO / "notebooks" / "00_kit_demo.py"
    instructor = notebooks_build.instructor_notebook(src)
    return instructor, notebooks_build.student_notebook(instructor, str(src))


def test_every_kit_exercise_is_found_by_name(kit):
    found = [name for nb in kit.notebooks.values() for name in nb.exercises]
    ours = {n for n in exercises.names() if getattr(exercises.get(n).verdict, "__module__", "").startswith(
        "kafkalab.exercises.")}
    assert set(found) == ours, "every exercise the kit registers is checked in a notebook, and only those"
    assert sorted(kit.notebooks) == [p.stem for p in notebooks_build.sources(REPO / "notebooks")]
    for stem, nb in kit.notebooks.items():
        cells = {c.id: c for c in notebooks_build.instructor_notebook(REPO / "notebooks" / f"{stem}.py").cells}
        for k in nb.checks:  # where a learner's deleted check cell is put back
            assert k.exercise_cell_id is None or "exercise" in cells[k.exercise_cell_id].metadata["tags"]


def test_a_kit_without_notebooks_or_with_an_unknown_check_is_refused(tmp_path):
    with pytest.raises(KitError, match="no notebooks/NN_topic.py in"):
        load_kit(tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_typo.py").write_text('# %% tags=["check"]\ncheck("no_such_exercise", 1)\n')
    with pytest.raises(KitError, match="01_typo.py, cell 01_typo-0: check of unknown exercise 'no_such_exercise'"):
        load_kit(tmp_path)


def test_check_calls_are_read_from_code_and_from_cells_with_magics():
    assert called_names('check("a", x)\nfor i in y:\n    check("b")\ncheck(name)', "check") == ["a", "b"]
    assert called_names('%time check("a", x)\n!ls', "check") == ["a"]
    assert called_names('predict("p", 3)', "check") == []
    assert without_check_calls('x = 1\ncheck(\n    "a",\n    x)\nprint(x)\n') == "x = 1\nprint(x)\n"
    assert without_check_calls('x = 1; check("a", x)\n') == 'x = 1; check("a", x)\n', "shares a line: kept"
    assert without_check_calls('if ok:\n    check("a", x)\n') == 'if ok:\n    check("a", x)\n', "nested: kept"


def notebook(cells, ids=True):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src, id=f"c{i}") for i, src in enumerate(cells)])
    if not ids:
        for c in nb.cells:
            c.pop("id")
    return nb


def test_a_notebook_is_told_by_its_cell_ids_then_its_exercise_names_then_its_file_name(kit, demo):
    _, student = demo
    assert kit.identify(student, "homework.ipynb").stem == "00_kit_demo"
    by_names = notebook(['check("size_ingest_topic", answer)', 'check("session_key", key_for)'])
    assert kit.identify(by_names, "00_kit_demo.ipynb").stem == "01_why_kafka", "content beats the file name"
    assert kit.identify(notebook(["print(1)"]), "alice_03_replication_isr.ipynb").stem == "03_replication_isr"
    assert kit.identify(notebook(["print(1)"]), "homework.ipynb") is None


def kinds(steps):
    return [("kit " + ",".join(s.kit.names) if s.kit else "cell") + ("" if s.counted else " (uncounted)")
            for s in steps]


def test_plan_runs_the_learners_cells_with_the_kits_checks_in_place(kit, demo):
    _, student = demo
    steps = plan(student, kit.notebooks["00_kit_demo"])
    assert kinds(steps) == ["cell", "cell", "kit demo_partition_count", "cell", "cell", "kit demo_replica_count"]
    check_cell = next(c for c in student.cells if c.id == "00_kit_demo-4")
    assert steps[2].source == check_cell.source and steps[2].kit.cell_id == "00_kit_demo-4"


def test_plan_finds_moved_edited_duplicated_and_deleted_checks(kit, demo):
    _, student = demo
    nb = nbformat.from_dict(json.loads(json.dumps(student)))
    by_id = {c.id: c for c in nb.cells}
    by_id["00_kit_demo-4"].source = 'print("✓ demo_partition_count: correct")'  # tampered, id kept
    nb.cells.append(nbformat.v4.new_code_cell('check("demo_partition_count", answer)', id="again"))  # duplicated
    nb.cells.remove(by_id["00_kit_demo-8"])  # the prediction's check deleted
    nb.cells.insert(0, nbformat.v4.new_code_cell("   ", id="blank"))  # empty: no execution count in Lab
    steps = plan(nb, kit.notebooks["00_kit_demo"])
    assert kinds(steps) == ["cell", "cell", "cell", "kit demo_partition_count (uncounted)",
                            "cell", "kit demo_replica_count (uncounted)", "cell", "kit demo_partition_count"]
    assert steps[2].source == 'print("✓ demo_partition_count: correct")', "the learner's code still runs"


def test_plan_without_ids_goes_by_the_names_in_the_code(kit):
    nb = notebook(["answer = 10", 'check("demo_partition_count", answer)', "guess = 30"], ids=False)
    assert kinds(plan(nb, kit.notebooks["00_kit_demo"])) == [
        "cell", "kit demo_partition_count", "cell", "kit demo_replica_count (uncounted)"]


def test_read_notebook_says_in_one_line_what_is_wrong(tmp_path):
    cases = {"text.ipynb": "hello", "list.ipynb": "[1, 2]", "cells.ipynb": '{"cells": "x", "nbformat": 4}',
             "bytes.ipynb": b"\xff\xfe\x00"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(ValueError) as info:
            read_notebook(path)
        assert "\n" not in str(info.value) and str(info.value).startswith(("not a readable notebook", "cannot read"))


def test_submissions_flat_or_one_folder_per_student(kit, tmp_path):
    for rel in ["alice.ipynb", "bob_01_why_kafka.ipynb", "02_partitions_ordering-carol.ipynb",
                "dave/ps1/01_why_kafka.ipynb", "dave/ps1/.ipynb_checkpoints/01_why_kafka-checkpoint.ipynb",
                "erin/notes.txt", "01_why_kafka.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found = [(s.student, s.path.relative_to(tmp_path).as_posix()) for s in classroom.collect(tmp_path, kit)]
    assert found == [("01_why_kafka", "01_why_kafka.ipynb"), ("alice", "alice.ipynb"),
                     ("bob", "bob_01_why_kafka.ipynb"), ("carol", "02_partitions_ordering-carol.ipynb"),
                     ("dave", "dave/ps1/01_why_kafka.ipynb")]


def result(student, name, notebook, *verdicts, problems=()):
    return NotebookResult(student, Path(name), notebook, list(verdicts), list(problems))


def test_gradebook_keeps_the_better_copy_fills_in_missing_notebooks_and_summarises(kit):
    p, r = kit.notebooks["00_kit_demo"].exercises
    results = [
        result("ann", "00_kit_demo.ipynb", "00_kit_demo", Verdict(p, WRONG, "counts replicas", "[3]"),
               Verdict(r, CORRECT, "correct", "[6]")),
        result("ann", "00_kit_demo-Copy1.ipynb", "00_kit_demo", Verdict(p, CORRECT, "correct", "[3]"),
               Verdict(r, CORRECT, "correct", "[6]")),
        result("ben", "00_kit_demo.ipynb", "00_kit_demo", Verdict(p, WRONG, "counts topics", "[3]"),
               Verdict(r, NO_ANSWER, "no answer yet: replace None", "[6]")),
        result("cy", "00_kit_demo.ipynb", "00_kit_demo", Verdict(p, WRONG, "counts replicas", "[3]"),
               Verdict(r, WRONG, "you predicted 3", "[6]")),
        result("cy", "junk.ipynb", None, problems=["not a readable notebook: its cells are not notebook cells"]),
        result("dee", "01_why_kafka.ipynb", "01_why_kafka",
               *(Verdict(n, CORRECT, "correct") for n in kit.notebooks["01_why_kafka"].exercises)),
    ]
    book = classroom.gradebook(results, kit)
    assert book.students == ["ann", "ben", "cy", "dee"] and book.notebooks == ["00_kit_demo", "01_why_kafka"]
    assert [(row.exercise, row.status, row.file) for row in book.rows_of("ann")][:2] == [
        (p, CORRECT, "00_kit_demo-Copy1.ipynb"), (r, CORRECT, "00_kit_demo-Copy1.ipynb")]
    assert book.problems["ann"] == ["00_kit_demo.ipynb is also 00_kit_demo (1/2); 00_kit_demo-Copy1.ipynb (2/2) counts"]
    assert {row.status for row in book.rows_of("ann")[2:]} == {MISSING}
    assert book.rows_of("cy")[0] == classroom.Row("cy", "", "", 0, UNREADABLE, "junk.ipynb: not a readable notebook: "
                                                  "its cells are not notebook cells", file="junk.ipynb")
    assert [row.status for row in book.rows_of("dee")[:2]] == [MISSING, MISSING]
    assert book.total("ann") == (2, 7) and book.total("dee") == (5, 7)
    first = book.summary()[0]
    assert (first.exercise, first.counts, first.students) == (p, {CORRECT: 1, WRONG: 2, MISSING: 1}, 4)
    assert (first.common_wrong, first.common_wrong_count) == ("counts replicas", 1), "a tie goes by the text"
    second = book.summary()[1]
    assert (second.common_wrong, second.common_wrong_count) == ("you predicted 3", 1), "no answer is not wrong"
    table = report.summary_table(book).splitlines()
    assert table[0].split() == ["exercise", "got", "it", "wrong", "no", "answer", "missing", "most", "common",
                                "wrong", "reason"]
    assert table[1].split()[:2] == [p, "1/4"] and table[1].endswith("counts replicas (1)")


def test_the_score_table_has_colours_only_when_asked(kit):
    p, r = kit.notebooks["00_kit_demo"].exercises
    res = result("you", "mine.ipynb", "00_kit_demo", Verdict(p, CORRECT, "correct", "[3]"),
                 Verdict(r, WRONG, "you predicted 3; the simulator gives 30", "after [5]"),
                 problems=["cell [2] raised X"])
    plain = report.notebook_table(res)
    assert plain.splitlines() == ["mine.ipynb (graded as 00_kit_demo)",
                                  f"  [3]        ✓ {p}  correct",
                                  f"  after [5]  ✗ {r}    you predicted 3; the simulator gives 30",
                                  "  note: cell [2] raised X",
                                  "00_kit_demo: 1/2 correct"]
    coloured = report.notebook_table(res, colour=True)
    assert "\x1b[32m✓\x1b[0m" in coloured and "\x1b[31m✗\x1b[0m" in coloured and "\x1b" not in plain


def test_feedback_pages_escape_what_learners_wrote(kit):
    p, r = kit.notebooks["00_kit_demo"].exercises
    book = classroom.gradebook([result("<script>", "a.ipynb", "00_kit_demo",
                                       Verdict(p, WRONG, "you said <b>'x'</b> & more", "[3]", "a hint"),
                                       Verdict(r, CORRECT, "correct", "[6]"))], kit)
    page = report.feedback_page(book, "<script>")
    assert "<script>" not in page and "&lt;b&gt;&#x27;x&#x27;&lt;/b&gt; &amp; more" in page and "a hint" in page
    assert report.slug("<script>") == "script" and report.slug("Ann Lee/2") == "Ann_Lee_2"


def test_a_notebook_the_grader_fails_on_does_not_stop_the_class(kit, monkeypatch):
    from kafkalab.grading import run

    async def grade_notebook(student, path, kit, timeout):
        if path.name.startswith("bad"):
            raise RuntimeError("boom\nand a second line")
        return NotebookResult(student, path, "00_kit_demo")

    monkeypatch.setattr(run, "grade_notebook", grade_notebook)
    done = []
    results = run.grade_files([("a", Path("00_kit_demo.ipynb")), ("b", Path("bad_00_kit_demo.ipynb")),
                               ("c", Path("bad.ipynb"))], kit, workers=2, on_done=done.append)
    assert [r.student for r in results] == ["a", "b", "c"] and sorted(r.student for r in done) == ["a", "b", "c"]
    assert results[1].problems == ["the grader failed on it: RuntimeError: boom"]
    assert [v.status for v in results[1].verdicts] == ["error", "error"] and results[2].verdicts == []


def test_grading_also_runs_from_code_that_has_an_event_loop(kit, monkeypatch):
    """An instructor calling grade_files() from a notebook cell, where asyncio already runs a loop."""
    import asyncio

    from kafkalab.grading import run

    async def grade_notebook(student, path, kit, timeout):
        return NotebookResult(student, path, None)

    monkeypatch.setattr(run, "grade_notebook", grade_notebook)

    async def cell():
        return run.grade_files([("a", Path("x.ipynb"))], kit)

    assert [r.student for r in asyncio.run(cell())] == ["a"]


def test_score_lines(kit):
    p, r = kit.notebooks["00_kit_demo"].exercises
    half = result("you", "a.ipynb", "00_kit_demo", Verdict(p, CORRECT, "correct"), Verdict(r, WRONG, "no"))
    none = result("you", "11.ipynb", "11_real_cluster")
    unknown = result("you", "b.ipynb", None, problems=["cannot tell which kafkalab notebook it is"])
    assert [x.score_line() for x in (half, none, unknown)] == [
        "00_kit_demo: 1/2 correct", "11_real_cluster: no graded exercises", "b.ipynb: 0/0 correct"]
    assert [x.all_correct for x in (half, none, unknown)] == [False, True, False]


def test_a_cell_tagged_raises_exception_raises_on_purpose(kit):
    nb = notebook(["1 / 0", "2 / 0"])
    nb.cells[0].metadata["tags"] = ["raises-exception"]
    assert [s.raises for s in plan(nb, kit.notebooks["00_kit_demo"]) if s.kit is None] == [True, False]
