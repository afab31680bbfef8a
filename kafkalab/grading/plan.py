"""What the grader runs for one learner notebook: the learner's cells, with the kit's checks put in.

Every non-empty code cell of the learner's notebook runs in order, as JupyterLab's Run All would
(JupyterLab 4's ``CodeCell.execute`` sends nothing for a cell whose source is blank, so it gets no
execution count there and none here either). A cell that checks exercises --
its id is a kit check cell's, or it calls ``check("name", ...)`` for one of the notebook's
exercises -- runs without its top-level ``check`` calls, followed by the *kit's* check cell for each
of those exercises. So grading goes by exercise name: a moved, duplicated or edited check cell is
still found, and what it says about itself is never believed.

An exercise whose check the learner deleted is checked right after its exercise cell (found by id),
else after the last cell that ``predict``-s it, else at the end. When an exercise is checked more
than once (a duplicated check cell), the last check counts, as the last output would in Lab.
"""
from __future__ import annotations

from dataclasses import dataclass

import nbformat

from kafkalab.grading.kit import KitCheck, KitNotebook, called_names, without_check_calls


@dataclass(frozen=True)
class Step:
    """One execute request: learner code, or a kit check cell (``kit`` set)."""

    source: str
    counted: bool  # gets an execution count, as the learner's cell would in JupyterLab
    kit: KitCheck | None = None
    raises: bool = False  # the cell is tagged raises-exception: its error is the lesson, not a problem


def plan(nb: nbformat.NotebookNode, kit_nb: KitNotebook) -> list[Step]:
    """The steps that run ``nb`` with the kit's checks of ``kit_nb`` in place of its own."""
    by_id = {k.cell_id: k for k in kit_nb.checks}
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    checks_at = [_checks_of(c, kit_nb, by_id) for c in cells]
    anchored = {name for ks in checks_at for k in ks for name in k.names}
    after: dict[int, list[KitCheck]] = {}
    for k in kit_nb.checks:
        if set(k.names) <= anchored:
            continue
        at = _fallback_position(cells, k)
        after.setdefault(at, []).append(k)
    steps: list[Step] = []
    for i, (cell, kits) in enumerate(zip(cells, checks_at)):
        raises = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        if not kits:
            steps.append(Step(cell.source, counted=True, raises=raises))
        else:
            rest = without_check_calls(cell.source)
            if rest.strip():
                steps.append(Step(rest, counted=True, raises=raises))
            steps.extend(_checks(kits, counted=not rest.strip()))
        steps.extend(_checks(after.get(i, []), counted=False))
    steps.extend(_checks(after.get(len(cells), []), counted=False))
    return steps


def _checks(kits: list[KitCheck], counted: bool):
    for j, k in enumerate(kits):
        yield Step(k.source, counted=counted and j == 0, kit=k)


def _checks_of(cell, kit_nb: KitNotebook, by_id: dict[str, KitCheck]) -> list[KitCheck]:
    """The kit check cells that this learner cell stands for, in the order it names them."""
    out = [by_id[cell.get("id")]] if cell.get("id") in by_id else []
    for name in called_names(cell.source, "check"):
        if name in kit_nb.exercises:
            k = kit_nb.check_for(name)
            if k not in out:
                out.append(k)
    return out


def _fallback_position(cells, k: KitCheck) -> int:
    """Where to check ``k`` when no learner cell stands for it: after its exercise cell, else its
    last ``predict`` call, else at the end (``len(cells)``)."""
    for i, cell in enumerate(cells):
        if k.exercise_cell_id is not None and cell.get("id") == k.exercise_cell_id:
            return i
    predicted = [i for i, cell in enumerate(cells) if set(called_names(cell.source, "predict")) & set(k.names)]
    return predicted[-1] if predicted else len(cells)
