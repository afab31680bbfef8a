"""Build ``notebooks/NN_topic.py`` (jupytext percent) into instructor and student ``.ipynb`` files.

``build()`` writes ``build/instructor/NN_topic.ipynb`` (every cell as written) and
``build/student/NN_topic.ipynb``, where each ``### BEGIN SOLUTION … ### END SOLUTION`` block becomes
``# YOUR CODE HERE``, cells tagged ``solution`` or ``instructor`` are gone, and ``check`` cells carry
``raises-exception`` so JupyterLab's Run All goes on past an unsolved exercise.

Output is deterministic: cell ids are ``f"{stem}-{i}"`` (``i`` counts the source's cells, so a cell
keeps its id in both builds), the kernel is ``python3``, no outputs. An output takes its source's
mtime, so "rebuild when the source is newer" is an mtime comparison, and jupytext's pairing in
JupyterLab (``[tool.jupytext]`` in pyproject.toml) never sees the ``.ipynb`` as newer than its ``.py``.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import jupytext
import nbformat
from nbformat import v4

SOLUTION_MARKER = re.compile(r"^(?P<indent>[ \t]*)### (?P<kind>BEGIN|END) SOLUTION[ \t]*$")
STUB = "# YOUR CODE HERE"
STUDENT_DROPS = frozenset({"solution", "instructor"})
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
_NEW_CELL = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell, "raw": v4.new_raw_cell}


class BuildError(ValueError):
    """A notebook source the student build cannot turn into a valid notebook."""


def sources(src_dir: str | os.PathLike = "notebooks") -> list[Path]:
    """The notebook sources, ``NN_topic.py``, in order."""
    return sorted(Path(src_dir).glob("[0-9][0-9]_*.py"))


def instructor_notebook(src: str | os.PathLike) -> nbformat.NotebookNode:
    """The instructor notebook of a percent-format source: all cells, tags kept, other metadata dropped."""
    src = Path(src)
    text = src.read_text(encoding="utf-8")
    parsed = jupytext.reads(text, fmt="py:percent")
    nb = v4.new_notebook(metadata=_copy(METADATA))
    for i, cell in enumerate(parsed.cells):
        metadata = {"tags": list(cell.metadata["tags"])} if cell.metadata.get("tags") else {}
        nb.cells.append(_NEW_CELL[cell.cell_type](cell.source, metadata=metadata, id=f"{src.stem}-{i}"))
    return nb


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The student version of an instructor notebook; ``name`` (e.g. the source path) goes into errors."""
    out = v4.new_notebook(metadata=_copy(nb.metadata))
    for i, cell in enumerate(nb.cells):
        tags = list(cell.metadata.get("tags", []))
        if STUDENT_DROPS & set(tags):
            continue
        source = cell.source
        if cell.cell_type == "code":
            first = source.strip().split("\n", 1)[0]
            where = f"{name}, cell {i} (the one starting {first!r})"
            source = strip_solutions(source, where)
            _check_still_parses(cell.source, source, where)
            if "check" in tags and "raises-exception" not in tags:
                tags.append("raises-exception")
        metadata = {"tags": tags} if tags else {}
        out.cells.append(_NEW_CELL[cell.cell_type](source, metadata=metadata, id=cell.id))
    return out


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace each ``### BEGIN SOLUTION … ### END SOLUTION`` block by ``# YOUR CODE HERE`` at its indentation.

    >>> strip_solutions("answer = None\\n### BEGIN SOLUTION\\nanswer = 3\\n### END SOLUTION")
    'answer = None\\n# YOUR CODE HERE'
    """
    out: list[str] = []
    begin: int | None = None
    for n, line in enumerate(source.split("\n"), start=1):
        m = SOLUTION_MARKER.match(line)
        if m is None and ("BEGIN SOLUTION" in line or "END SOLUTION" in line):
            raise BuildError(f"{where}, line {n}: malformed solution marker {line.strip()!r}; "
                             "write exactly '### BEGIN SOLUTION' or '### END SOLUTION' on a line of its own")
        if m is not None and m["kind"] == "BEGIN":
            if begin is not None:
                raise BuildError(f"{where}, line {n}: '### BEGIN SOLUTION' inside the block opened on line {begin}; "
                                 "a '### END SOLUTION' is missing")
            begin = n
            out.append(m["indent"] + STUB)
        elif m is not None:
            if begin is None:
                raise BuildError(f"{where}, line {n}: '### END SOLUTION' without a '### BEGIN SOLUTION' before it")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise BuildError(f"{where}, line {begin}: '### BEGIN SOLUTION' is never closed by '### END SOLUTION'")
    return "\n".join(out)


def _check_still_parses(original: str, stripped: str, where: str) -> None:
    """Fail if stripping broke a cell that parsed (IPython magics and shell lines are ignored)."""
    if original == stripped or _syntax_error(original) is not None:
        return  # unchanged, or not plain Python to begin with (nbval reports real errors)
    err = _syntax_error(stripped)
    if err is not None:
        raise BuildError(f"{where}: the student version no longer parses ({err.msg}, line {err.lineno}); "
                         "put a stub line such as 'answer = None' or 'pass' above '### BEGIN SOLUTION'")


def _syntax_error(source: str) -> SyntaxError | None:
    lines = source.split("\n")
    if lines and lines[0].lstrip().startswith("%%"):
        return None  # a cell magic: the body is not Python
    code = "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in lines)
    try:
        ast.parse(code)
    except SyntaxError as err:
        return err
    return None


def dumps(nb: nbformat.NotebookNode) -> str:
    """The ``.ipynb`` text, as Jupyter writes it (sorted keys, one-space indent, final newline)."""
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def build(src_dir: str | os.PathLike = "notebooks", out_dir: str | os.PathLike = "build",
          force: bool = False) -> list[Path]:
    """Write ``out_dir/instructor/*.ipynb`` and ``out_dir/student/*.ipynb``; return the paths written.

    A notebook is rebuilt only when its source is newer than either output, or with ``force``.
    Every student version is made before anything is written, so a broken source writes nothing.
    """
    out_dir = Path(out_dir)
    pending = []
    for src in (sources(src_dir) if force else stale(src_dir, out_dir)):
        targets = [out_dir / "instructor" / f"{src.stem}.ipynb", out_dir / "student" / f"{src.stem}.ipynb"]
        nb = instructor_notebook(src)
        pending.append((src, targets, [nb, student_notebook(nb, str(src))]))
    written = []
    for src, targets, notebooks in pending:
        for target, nb in zip(targets, notebooks):
            _write(target, dumps(nb), src)
            written.append(target)
    return written


def stale(src_dir: str | os.PathLike = "notebooks", out_dir: str | os.PathLike = "build") -> list[Path]:
    """The sources that :func:`build` would rebuild: newer than their instructor or student output."""
    out_dir = Path(out_dir)
    return [src for src in sources(src_dir)
            if any(_older(out_dir / kind / f"{src.stem}.ipynb", src) for kind in ("instructor", "student"))]


def build_student(out_dir: str | os.PathLike, src_dir: str | os.PathLike = "notebooks", force: bool = False,
                  keep_existing: bool = False, only: list[Path] | None = None) -> list[Path]:
    """Write the student notebooks straight into ``out_dir``; return the paths written.

    Rebuilds only when a source is newer (or ``force``). With ``keep_existing`` an existing file is never
    touched, which protects a learner's saved work in a folder handed out with ``kafkalab student``.
    ``only`` limits it to some of the sources (a hand-out of a few notebooks).
    """
    out_dir = Path(out_dir)
    pending = []
    for src in (sources(src_dir) if only is None else only):
        target = out_dir / f"{src.stem}.ipynb"
        if keep_existing and target.exists():
            continue
        if force or _older(target, src):
            pending.append((src, target, student_notebook(instructor_notebook(src), str(src))))
    for src, target, nb in pending:
        _write(target, dumps(nb), src)
    return [target for _, target, _ in pending]


def _older(target: Path, src: Path) -> bool:
    return not target.exists() or target.stat().st_mtime_ns < src.stat().st_mtime_ns


def _write(target: Path, text: str, src: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    st = src.stat()
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, target)


def _copy(value):
    """A plain deep copy of JSON-like metadata (nbformat wants its own dicts)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
