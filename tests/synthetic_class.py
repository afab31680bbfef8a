"""A synthetic class: learner notebooks made from the kit's student builds, each with the gradebook it must get.

Shared by tests/test_grading_class.py (a class of about 30, mostly on the quick notebook 00) and
benchmarks/grade_class.py (30 students × every notebook). Every expected row comes from how the
submission was made: an exercise given the instructor's solution is correct; the untouched stub or
a wrong value gets what the kit's own ``check`` says about that value, run here in-process; a
notebook stopped by a loop or a dying kernel leaves the exercises after that cell "not run". The
cell numbers are counted from the notebook as made (JupyterLab numbers non-empty code cells 1, 2, …
on a Run All).
"""
from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kafkalab import exercises, notebooks_build
from kafkalab.exercises import ExerciseNotSolved, Prediction
from kafkalab.grading.kit import Kit, KitCheck
from kafkalab.grading.run import CORRECT, ERROR, MISSING, NO_ANSWER, NOT_RUN, UNREADABLE, WRONG

REPO = Path(__file__).resolve().parents[1]
WRONG_VALUE = "not this"  # an answer no exercise accepts
RIGHT, STUB, WRONG_ANSWER = "right", "stub", "wrong"


@dataclass(frozen=True)
class Row:
    """A gradebook row as the grader must write it (``reason`` ending in … is a prefix)."""

    student: str
    notebook: str
    exercise: str
    points: int
    status: str
    reason: str
    cell: str


@dataclass
class Made:
    student: str
    relpath: str  # under the submissions folder
    content: bytes
    rows: list[Row] = field(default_factory=list)  # empty: another submission of this student sets them
    stem: str | None = None  # the kit notebook it is (None: not a notebook at all)


def outcome(name: str, value) -> tuple[str, str]:
    """What the kit's ``check`` says about ``value`` (recorded by ``predict`` for a prediction), run here."""
    exercises.reset(name)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if isinstance(exercises.get(name).verdict, Prediction):
                exercises.predict(name, value)
                exercises.check(name)
            else:
                exercises.check(name, value)
    except ExerciseNotSolved as exc:
        return (NO_ANSWER if exc.unanswered else WRONG), " ".join(exc.message.split())
    except Exception as exc:  # noqa: BLE001 - a failing check is a grade too
        return ERROR, f"the check raised {type(exc).__name__}: {' '.join(str(exc).split())}"
    finally:
        exercises.reset(name)
    return CORRECT, "correct"


class KitSource:
    """One kit notebook's instructor and student builds, and its exercises."""

    def __init__(self, kit: Kit, stem: str):
        src = REPO / "notebooks" / f"{stem}.py"
        self.stem = stem
        self.instructor = notebooks_build.instructor_notebook(src)
        self.student = notebooks_build.student_notebook(self.instructor, str(src))
        self.kit_nb = kit.notebooks[stem]
        self.exercises = self.kit_nb.exercises

    def check(self, name: str) -> KitCheck:
        return self.kit_nb.check_for(name)

    def cell(self, nb, cell_id: str):
        return next(c for c in nb.cells if c.id == cell_id)

    def stub_value(self, name: str):
        """The value the untouched exercise cell leaves: its stub lines run on their own."""
        source = self.cell(self.student, self.check(name).exercise_cell_id).source
        head = source.split(notebooks_build.STUB)[0]
        ns: dict = {}
        exec(compile(head, f"<stub of {name}>", "exec"), ns)  # noqa: S102 - the kit's own stub lines
        return ns[bound_name(head)]


def wrong_version(student: str) -> str:
    """The exercise cell with its name bound to WRONG_VALUE where the solution would go; when that place is
    inside the stub's function body, after the function instead (a top-level rebinding)."""
    wrong = f"{bound_name(student)} = {WRONG_VALUE!r}"
    if f"\n{notebooks_build.STUB}" in f"\n{student}":
        return student.replace(notebooks_build.STUB, wrong)
    return f"{student}\n{wrong}"


def bound_name(source: str) -> str:
    """The name the exercise cell binds: its first function or assignment (imports above it skipped)."""
    first = next(s for s in ast.parse(source).body if not isinstance(s, (ast.Import, ast.ImportFrom)))
    if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return first.name
    return first.targets[0].id


class Draft:
    """A learner's notebook in the making: the student build's cells, edited, and what each exercise must get."""

    def __init__(self, ks: KitSource, answers: dict[str, str] | str = STUB):
        self.ks = ks
        self.cells = [copy.deepcopy(c) for c in ks.student.cells]
        self.expect: dict[str, tuple[str, str, str]] = {}  # set by edits whose outcome is not the answer's
        self.answers: dict[str, str] = {}
        self._new = 0
        for name in ks.exercises:
            self.answer(name, answers if isinstance(answers, str) else answers.get(name, STUB))

    # -- edits
    def answer(self, name: str, how: str) -> Draft:
        """Fill ``name``'s exercise cell with the solution, leave the stub, or assign a wrong value."""
        cell_id = self.ks.check(name).exercise_cell_id
        student = self.ks.cell(self.ks.student, cell_id).source
        source = {RIGHT: self.ks.cell(self.ks.instructor, cell_id).source, STUB: student,
                  WRONG_ANSWER: wrong_version(student)}[how]
        self.cell_by_id(cell_id).source = source
        self.answers[name] = how
        return self

    def new_cell(self, source: str, cell_type: str = "code"):
        self._new += 1
        make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        return make(source, id=f"added-{self._new}")

    def insert(self, at: int, *cells) -> Draft:
        self.cells[at:at] = list(cells)
        return self

    def index(self, cell_id: str) -> int:
        return next(i for i, c in enumerate(self.cells) if c.get("id") == cell_id)

    def cell_by_id(self, cell_id: str):
        return self.cells[self.index(cell_id)]

    def delete(self, cell_id: str) -> Draft:
        del self.cells[self.index(cell_id)]
        return self

    def duplicate(self, first_id: str, last_id: str) -> list:
        """Copy cells first..last (new ids, as JupyterLab's copy-paste gives) right below them."""
        i, j = self.index(first_id), self.index(last_id)
        copies = []
        for c in self.cells[i:j + 1]:
            dup = copy.deepcopy(c)
            self._new += 1
            dup["id"] = f"copy-{self._new}"
            copies.append(dup)
        self.insert(j + 1, *copies)
        return copies

    # -- what it must get
    def position(self, cell) -> int:
        """JupyterLab's execution count for ``cell`` on a Run All: its place among non-empty code cells."""
        code = [c for c in self.cells if c.cell_type == "code" and c.source.strip()]
        return 1 + next(i for i, c in enumerate(code) if c is cell)

    def check_cell(self, name: str):
        return self.cell_by_id(self.ks.check(name).cell_id)

    def stop_after(self, cell, why: str) -> None:
        """The notebook stops in ``cell``: every exercise checked below it is not run."""
        at = self.cells.index(cell)
        for name in self.ks.exercises:
            if name not in self.expect and self.cells.index(self.check_cell(name)) > at:
                self.expect[name] = (NOT_RUN, f"not checked: {why}", "")

    def rows(self, student: str) -> list[Row]:
        out = []
        for name in self.ks.exercises:
            if name in self.expect:
                status, reason, cell = self.expect[name]
            else:
                how = self.answers[name]
                status, reason = (CORRECT, "correct") if how == RIGHT else \
                    outcome(name, self.ks.stub_value(name) if how == STUB else WRONG_VALUE)
                cell = f"[{self.position(self.check_cell(name))}]"
            out.append(Row(student, self.ks.stem, name, int(status == CORRECT), status, reason, cell))
        return out

    def content(self, ids: bool = True) -> bytes:
        nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(self.ks.student.metadata),
                                      cells=[copy.deepcopy(c) for c in self.cells])
        if not ids:  # an older tool's notebook: nbformat 4.4 has no cell ids
            nb.nbformat_minor = 4
            for c in nb.cells:
                c.pop("id", None)
        return (nbformat.writes(nb) + "\n").encode()

    def made(self, student: str, relpath: str, ids: bool = True) -> Made:
        return Made(student, relpath, self.content(ids), self.rows(student), self.ks.stem)


# -- the kinds of submission that work on any kit notebook ------------------------------------------------

def right(ks, student, rel):
    return Draft(ks, RIGHT).made(student, rel)


def empty(ks, student, rel):
    return Draft(ks, STUB).made(student, rel)


def wrong(ks, student, rel):
    return Draft(ks, WRONG_ANSWER).made(student, rel)


def mixed(ks, student, rel):
    rng = random.Random(f"{student}/{ks.stem}")
    return Draft(ks, {n: rng.choice([RIGHT, STUB, WRONG_ANSWER]) for n in ks.exercises}).made(student, rel)


def raising(ks, student, rel):
    """The first exercise cell raises after its stub line: that exercise is unanswered, the others right."""
    d = Draft(ks, RIGHT)
    first = ks.exercises[0]
    cell = d.cell_by_id(ks.check(first).exercise_cell_id)
    stub = ks.cell(ks.student, cell.id).source
    cell.source = f'{stub}\nraise RuntimeError("my code broke")' if f"\n{notebooks_build.STUB}" not in f"\n{stub}" \
        else stub.replace(notebooks_build.STUB, 'raise RuntimeError("my code broke")')
    d.answers[first] = STUB
    if isinstance(exercises.get(first).verdict, Prediction) and "predict(" in stub.split(notebooks_build.STUB)[1]:
        d.expect[first] = (*_no_prediction(first), f"[{d.position(d.check_cell(first))}]")
    return d.made(student, rel)


def kernel_dies(ks, student, rel):
    """Right answers, and the kernel process exits just after the first check."""
    d = Draft(ks, RIGHT)
    killer = d.new_cell("import os\nos._exit(1)")
    d.insert(d.cells.index(d.check_cell(ks.exercises[0])) + 1, killer)
    d.stop_after(killer, f"the kernel died while running cell [{d.position(killer)}]")
    return d.made(student, rel)


# Busy and never ending, at the lowest CPU priority: it still holds its kernel until the timeout stops it, but no
# longer takes a core from the rest of the suite for those seconds.
ENDLESS_LOOP = "import os\nos.nice(19)\nwhile True:\n    pass"


def loops(timeout: float):
    def make(ks, student, rel):
        """Right answers, and a loop that never ends just after the first check."""
        d = Draft(ks, RIGHT)
        loop = d.new_cell(ENDLESS_LOOP)
        d.insert(d.cells.index(d.check_cell(ks.exercises[0])) + 1, loop)
        d.stop_after(loop, f"cell [{d.position(loop)}] was still running when the notebook's {timeout:g} s were up")
        return d.made(student, rel)
    return make


def tampered_outputs(ks, student, rel):
    """Stubs left, every check cell rewritten to print a ✓, and outputs stored as if it had run."""
    d = Draft(ks, STUB)
    for n, name in enumerate(ks.exercises):
        cell = d.check_cell(name)
        cell.source = f'print("✓ {name}: correct")'
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"✓ {name}: correct\n")]
        cell.execution_count = n + 1
    for name in ks.exercises:  # the cell's own code runs, then the kit's check (which sees the stub)
        status, reason = outcome(name, ks.stub_value(name))
        d.expect[name] = (status, reason, f"after [{d.position(d.check_cell(name))}]")
    return d.made(student, rel)


def tampered_kit(ks, student, rel):
    """Wrong answers, and a cell that replaces check, the verdicts and the registry with ones that pass."""
    d = Draft(ks, WRONG_ANSWER)
    d.insert(d.index(ks.check(ks.exercises[0]).exercise_cell_id), d.new_cell(
        "import dataclasses\nimport kafkalab.exercises.core as core\n"
        "check = lambda *args, **kwargs: print('✓ correct')\n"
        "core.verdict = lambda name, answer: None\n"
        "for _n, _ex in list(core._REGISTRY.items()):\n"
        "    core._REGISTRY[_n] = dataclasses.replace(_ex, verdict=lambda answer: None)"))
    return d.made(student, rel)


def duplicated(ks, student, rel, first=WRONG_ANSWER, then=RIGHT):
    """An exercise and its check copied below themselves, answered ``first`` then ``then``: the last check
    counts. (Not a prediction: re-predicting after its reveal ran must not change the guess.)"""
    name = next(n for n in ks.exercises if not isinstance(exercises.get(n).verdict, Prediction))
    d = Draft(ks, RIGHT)
    d.answer(name, first)
    copies = d.duplicate(ks.check(name).exercise_cell_id, ks.check(name).cell_id)
    copies[0].source = Draft(ks, then).cell_by_id(ks.check(name).exercise_cell_id).source
    status, reason = (CORRECT, "correct") if then == RIGHT else outcome(name, WRONG_VALUE)
    d.expect[name] = (status, reason, f"[{d.position(copies[-1])}]")
    return d.made(student, rel)


def checks_deleted(ks, student, rel):
    """Right answers, every check cell deleted: each exercise is checked after its exercise cell."""
    d = Draft(ks, RIGHT)
    for name in ks.exercises:
        d.delete(ks.check(name).cell_id)
    for name in ks.exercises:  # deleting cells renumbers the ones below
        d.expect[name] = (CORRECT, "correct", f"after [{d.position(d.cell_by_id(ks.check(name).exercise_cell_id))}]")
    return d.made(student, rel)


def ids_lost(ks, student, rel):
    """Right answers in a notebook without cell ids (nbformat 4.4): found by its exercise names."""
    return Draft(ks, RIGHT).made(student, rel, ids=False)


def answered_below(ks, student, rel):
    """Stubs left as they are; the solution typed into a new cell below each exercise cell."""
    d = Draft(ks, STUB)
    for name in ks.exercises:
        cell_id = ks.check(name).exercise_cell_id
        d.insert(d.index(cell_id) + 1, d.new_cell(ks.cell(ks.instructor, cell_id).source))
        d.answers[name] = RIGHT
    return d.made(student, rel)


def blank_cells(ks, student, rel):
    """Right answers with an empty code cell and a note between every two cells (no execution count)."""
    d = Draft(ks, RIGHT)
    for i in range(len(d.cells), 0, -1):
        d.insert(i, d.new_cell("  \n"), d.new_cell("my notes", "markdown"))
    return d.made(student, rel)


GENERIC = [right, empty, wrong, mixed, raising, kernel_dies, tampered_outputs, tampered_kit, duplicated,
           checks_deleted, ids_lost, answered_below, blank_cells]


def _no_prediction(name: str) -> tuple[str, str]:
    exercises.reset(name)
    try:
        exercises.check(name)
    except ExerciseNotSolved as exc:
        return (NO_ANSWER if exc.unanswered else WRONG), exc.message
    raise AssertionError(f"check({name!r}) without a prediction passed")


# -- files that are not (good) notebooks ---------------------------------------------------------------

def truncated(ks, student, rel):
    text = Draft(ks, RIGHT).content()
    file = Path(rel).name
    return Made(student, rel, text[: len(text) // 2],
                [Row(student, ks.stem, n, 0, UNREADABLE, f"could not grade {file}: not a readable notebook …", "")
                 for n in ks.exercises], ks.stem)


def not_a_notebook(student, rel):
    file = Path(rel).name
    return Made(student, rel, json.dumps({"cells": "none", "nbformat": 4, "nbformat_minor": 5}).encode(),
                [Row(student, "", "", 0, UNREADABLE, f"{file}: not a readable notebook…", "")])


def missing_rows(ks, student) -> list[Row]:
    return [Row(student, ks.stem, n, 0, MISSING, f"no {ks.stem} notebook was handed in", "") for n in ks.exercises]


def write(made: list[Made], root: Path, kit: Kit) -> list[Row]:
    """Write the submissions under ``root``; return the whole expected gradebook: each submission's rows,
    and "missing" rows for the kit notebooks that others handed in and a student did not."""
    for m in made:
        path = root / m.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(m.content)
    rows = [r for m in made for r in m.rows]
    in_class = [stem for stem in kit.notebooks if any(m.stem == stem for m in made)]
    for student in sorted({m.student for m in made}):
        handed_in = {m.stem for m in made if m.student == student}
        for stem in in_class:
            if stem not in handed_in:
                rows.extend(missing_rows(KitSource(kit, stem), student))
    return rows


def as_row(row) -> Row | None:
    """A gradebook row (:class:`kafkalab.grading.classroom.Row`) in this module's terms."""
    return None if row is None else Row(row.student, row.notebook, row.exercise, row.points, row.status, row.reason,
                                        row.cell)


def matches(got: Row | None, want: Row) -> bool:
    if got is None:
        return False
    if want.reason.endswith("…"):
        return got == dataclasses.replace(want, reason=got.reason) and got.reason.startswith(want.reason[:-1])
    return got == want
