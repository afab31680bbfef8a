"""The kit's side of grading: which exercises each notebook checks, found by name in its source.

A kit notebook (``notebooks/NN_topic.py``) checks an exercise in a cell tagged ``check`` that calls
``check("name", ...)``; the exercise is the registered one of that name (:mod:`kafkalab.exercises`).
The nearest cell tagged ``exercise`` above it is where the learner answers. Nothing here is
specific to a notebook: a new notebook is covered as soon as its source and exercises exist.

Cell ids are ``f"{stem}-{i}"`` in both builds (:mod:`kafkalab.notebooks_build`) and JupyterLab keeps
them, so a learner's copy still names the kit cells it came from, even reordered or renamed.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kafkalab import exercises, notebooks_build


@dataclass(frozen=True)
class KitCheck:
    """One check cell of a kit notebook: its source (run by the grader) and the exercises it checks."""

    cell_id: str
    source: str
    names: tuple[str, ...]
    exercise_cell_id: str | None  # the exercise cell above it, where the learner answers


@dataclass(frozen=True)
class KitNotebook:
    stem: str
    checks: tuple[KitCheck, ...]
    # the student build, as handed out: what most learners' notebooks start with, unchanged (run.py forks
    # learner kernels from one that has run its opening cells)
    handout: nbformat.NotebookNode | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def exercises(self) -> tuple[str, ...]:
        """The exercise names in the order the notebook checks them."""
        seen: dict[str, None] = {}
        for k in self.checks:
            seen.update(dict.fromkeys(k.names))
        return tuple(seen)

    def check_for(self, name: str) -> KitCheck:
        return next(k for k in self.checks if name in k.names)


class KitError(ValueError):
    """The kit's notebook sources cannot be graded from (none found, or a check of an unknown exercise)."""


@dataclass(frozen=True)
class Kit:
    notebooks: dict[str, KitNotebook]

    def identify(self, nb: nbformat.NotebookNode, filename: str) -> KitNotebook | None:
        """The kit notebook a learner's notebook was made from, by content first, then by file name.

        Content: cells whose id is one of a kit notebook's (``01_why_kafka-25``) and exercise names
        the code mentions. A renamed file is found by content; a notebook whose ids were lost
        (another tool rewrote it) by its exercise names; an empty one by its file name.
        """
        ids = [str(c.get("id", "")) for c in nb.cells]
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        mentioned = set(re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", code))
        votes = {}
        for stem, kit_nb in self.notebooks.items():
            by_id = sum(i.rsplit("-", 1)[0] == stem for i in ids)
            by_name = len(mentioned & set(kit_nb.exercises))
            votes[stem] = (by_id + by_name, stem in filename)
        best = max(sorted(votes), key=lambda s: votes[s], default=None)
        if best is None or votes[best] == (0, False):
            return None
        return self.notebooks[best]

    def stem_in(self, filename: str) -> str | None:
        """The kit notebook a file name names (``alice_03_replication_isr.ipynb``), longest match first."""
        for stem in sorted(self.notebooks, key=len, reverse=True):
            if stem in filename:
                return stem
        return None


def load_kit(root: str | os.PathLike) -> Kit:
    """Read every ``root/notebooks/NN_topic.py`` and find its check cells and their exercises."""
    src_dir = Path(root) / "notebooks"
    sources = notebooks_build.sources(src_dir)
    if not sources:
        raise KitError(f"no notebooks/NN_topic.py in {Path(root).resolve()}; grading re-runs the kit's own "
                       "checks, so it needs the kit's notebook sources: run it from the kafkalab checkout "
                       "or pass --root")
    known = set(exercises.names())
    notebooks = {}
    for src in sources:
        nb = notebooks_build.instructor_notebook(src)
        checks, exercise_cell = [], None
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if "exercise" in tags:
                exercise_cell = cell.id
            if "check" not in tags:
                continue
            names = tuple(dict.fromkeys(called_names(cell.source, "check")))
            unknown = [n for n in names if n not in known]
            if unknown:
                raise KitError(f"{src.name}, cell {cell.id}: check of unknown exercise {unknown[0]!r}")
            if names:
                checks.append(KitCheck(cell.id, cell.source, names, exercise_cell))
        notebooks[src.stem] = KitNotebook(src.stem, tuple(checks), notebooks_build.student_notebook(nb, str(src)))
    return Kit(notebooks)


_CALL = r"""\b{func}\(\s*(["'])([A-Za-z_][A-Za-z0-9_]*)\1"""


def called_names(source: str, func: str) -> list[str]:
    """The literal first arguments of every ``func("name", ...)`` call in ``source``, in order.

    >>> called_names('check("a", x)\\nif y:\\n    check("b")', "check")
    ['a', 'b']
    """
    tree = parse(source)
    if tree is None:  # IPython magics or a syntax error: read the calls off the text
        return [m[2] for m in re.finditer(_CALL.format(func=re.escape(func)), source)]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _func_name(node.func) == func and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            out.append((node.lineno, node.col_offset, node.args[0].value))
    return [name for *_, name in sorted(out)]


def without_check_calls(source: str) -> str:
    """``source`` less its top-level ``check(...)`` statements (the grader runs the kit's instead).

    >>> without_check_calls('print(1)\\ncheck("a", answer)\\n')
    'print(1)\\n'
    """
    tree = parse(source)
    if tree is None:
        return source
    lines = source.splitlines(keepends=True)
    spans = [(stmt, set(range(stmt.lineno - 1, stmt.end_lineno))) for stmt in tree.body]
    drop: set[int] = set()
    for stmt, span in spans:
        alone = all(not (span & other) for s, other in spans if s is not stmt)  # not `a = 1; check(...)`
        if alone and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and _func_name(stmt.value.func) == "check":
            drop |= span
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _func_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
