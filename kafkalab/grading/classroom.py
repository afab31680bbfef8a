"""A class's submissions: find them, grade them all, and gather a gradebook (student × exercise).

Submissions come either as a flat folder of notebooks, one student per file (``alice.ipynb``, or
``alice_03_replication_isr.ipynb`` when students hand in several), or as one folder per student
holding that student's notebooks at any depth (nbgrader's ``submitted/<student>/<assignment>/``).
Hidden folders (``.ipynb_checkpoints``) are skipped.

A student who hands in the same kit notebook twice (``03_replication_isr-Copy1.ipynb``) is graded on
both; the better counts and the feedback says so. A kit notebook that some of the class handed in
and a student did not is "missing" for that student.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafkalab.grading.kit import Kit
from kafkalab.grading.run import (
    ERROR,
    MISSING,
    UNREADABLE,
    WRONG,
    NotebookResult,
    Verdict,
    first_hint,
    grade_files,
)


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


@dataclass(frozen=True)
class Row:
    """One line of the gradebook: a student's grade on one exercise."""

    student: str
    notebook: str
    exercise: str
    points: int
    status: str
    reason: str
    cell: str = ""
    hint: str | None = None
    file: str = ""


@dataclass(frozen=True)
class ExerciseSummary:
    notebook: str
    exercise: str
    counts: dict[str, int]  # status -> students
    students: int
    common_wrong: str = ""  # the most common reason among wrong answers and failing checks
    common_wrong_count: int = 0


@dataclass
class Gradebook:
    students: list[str]
    notebooks: list[str]
    rows: list[Row]
    problems: dict[str, list[str]] = field(default_factory=dict)  # student -> what went wrong besides verdicts

    def rows_of(self, student: str) -> list[Row]:
        return [r for r in self.rows if r.student == student]

    def total(self, student: str) -> tuple[int, int]:
        mine = [r for r in self.rows_of(student) if r.exercise]
        return sum(r.points for r in mine), len(mine)

    def summary(self) -> list[ExerciseSummary]:
        out = []
        for notebook in self.notebooks:
            exercises = dict.fromkeys(r.exercise for r in self.rows if r.notebook == notebook and r.exercise)
            for exercise in exercises:
                rows = [r for r in self.rows if r.notebook == notebook and r.exercise == exercise]
                wrong = Counter(r.reason for r in rows if r.status in (WRONG, ERROR))
                common = min(wrong.items(), key=lambda kv: (-kv[1], kv[0]), default=("", 0))
                out.append(ExerciseSummary(notebook, exercise, dict(Counter(r.status for r in rows)), len(rows),
                                           *common))
        return out


def collect(submissions_dir: str | os.PathLike, kit: Kit) -> list[Submission]:
    """Every ``.ipynb`` under ``submissions_dir`` with the student it belongs to, sorted by student, then path."""
    root = Path(submissions_dir)
    found = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        student = rel.parts[0] if len(rel.parts) > 1 else student_of(path.stem, kit)
        found.append(Submission(student, path))
    return sorted(found, key=lambda s: (s.student, str(s.path)))


def student_of(stem: str, kit: Kit) -> str:
    """The student a flat folder's file belongs to: its name without the kit notebook's name in it.

    ``alice_03_replication_isr`` -> ``alice``; ``03_replication_isr-bob`` -> ``bob``; ``carol`` -> ``carol``.
    """
    kit_stem = kit.stem_in(stem)
    rest = stem.replace(kit_stem, " ") if kit_stem else stem
    rest = " ".join(part.strip("_-. ") for part in rest.split(" ") if part.strip("_-. "))
    return rest or stem


def grade_class(submissions: list[Submission], kit: Kit, *, timeout: float, workers: int | None = None,
                on_done: Callable[[NotebookResult], None] | None = None, kernels: str = "auto") -> Gradebook:
    """Grade every submission (in parallel) and gather the gradebook (``kernels``: see :func:`grade_files`)."""
    results = grade_files([(s.student, s.path) for s in submissions], kit, timeout=timeout, workers=workers,
                          on_done=on_done, kernels=kernels)
    return gradebook(results, kit)


def gradebook(results: list[NotebookResult], kit: Kit) -> Gradebook:
    """Student × exercise from graded notebooks: one notebook per student and kit notebook counts."""
    students = sorted({r.student for r in results})
    notebooks = [stem for stem in kit.notebooks if any(r.notebook == stem for r in results)]
    rows: list[Row] = []
    problems: dict[str, list[str]] = {s: [] for s in students}
    for student in students:
        mine = [r for r in results if r.student == student]
        for r in mine:
            problems[student].extend(f"{r.path.name}: {p}" for p in r.problems)
            if r.notebook is None:
                rows.append(Row(student, "", "", 0, UNREADABLE, f"{r.path.name}: {r.problems[0]}", file=r.path.name))
        for stem in notebooks:
            graded = sorted((r for r in mine if r.notebook == stem), key=_better)
            if not graded:
                rows.extend(Row(student, stem, name, 0, MISSING, f"no {stem} notebook was handed in",
                                hint=first_hint(name)) for name in kit.notebooks[stem].exercises)
                continue
            best = graded[0]
            for other in graded[1:]:
                problems[student].append(f"{other.path.name} is also {stem} ({other.points}/{len(other.verdicts)}); "
                                         f"{best.path.name} ({best.points}/{len(best.verdicts)}) counts")
            rows.extend(_row(student, stem, v, best.path.name) for v in best.verdicts)
    return Gradebook(students, notebooks, rows, problems)


def _better(r: NotebookResult):
    return (-r.points, len(r.problems), r.path.name)


def _row(student: str, notebook: str, v: Verdict, file: str) -> Row:
    return Row(student, notebook, v.exercise, v.points, v.status, v.reason, v.cell, v.hint, file)


__all__ = ["Gradebook", "Row", "Submission", "collect", "grade_class", "gradebook", "student_of"]
