"""What grading shows: score tables for the terminal, the gradebook CSVs, one HTML page per student.

Text is plain unless ``colour`` is asked for (``kafkalab check`` asks only when writing to a
terminal and ``NO_COLOR`` is unset), so piped output and files never hold ANSI codes.
"""
from __future__ import annotations

import csv
import html
import os
import re
from collections import Counter
from pathlib import Path

from kafkalab.grading.classroom import Gradebook
from kafkalab.grading.run import CORRECT, STATUSES, NotebookResult

# The terminal's own green and red; the pages take the kit's visual language (kafkalab.viz.style).
ANSI = {"good": "\033[32m", "bad": "\033[31m", "dim": "\033[2m", "reset": "\033[0m"}


def css_colours() -> dict[str, str]:
    from kafkalab.viz import style  # imported only for pages: kafkalab.viz loads pandas and matplotlib
    return {"good": style.GREEN, "bad": style.DANGER, "muted": style.DARK_GREY, "rule": style.LIGHT_GREY}


def mark(status: str) -> str:
    return "✓" if status == CORRECT else "✗"


def notebook_table(result: NotebookResult, colour: bool = False) -> str:
    """A learner's notebook as one row per exercise (cell, ✓/✗, name, reason), problems, then the score line."""
    paint = _painter(colour)
    title = result.path.name + (f" (graded as {result.notebook})" if result.notebook and
                                result.notebook != result.path.stem else "")
    lines = [title]
    width = max((len(v.exercise) for v in result.verdicts), default=0)
    cells = max((len(v.cell) for v in result.verdicts), default=0)
    for v in result.verdicts:
        tone = "good" if v.status == CORRECT else "bad"
        lines.append(f"  {v.cell:<{cells}}  {paint(mark(v.status), tone)} {v.exercise:<{width}}  {v.reason}")
    lines.extend(f"  {paint('note:', 'dim')} {p}" for p in result.problems)
    lines.append(result.score_line())
    return "\n".join(lines)


def summary_table(book: Gradebook) -> str:
    """Per exercise: how many of the class got it, and the most common wrong reason."""
    shown = [s for s in STATUSES if s != CORRECT and any(x.counts.get(s) for x in book.summary())]
    header = ["exercise", "got it", *shown, "most common wrong reason"]
    body = []
    for x in book.summary():
        reason = f"{x.common_wrong} ({x.common_wrong_count})" if x.common_wrong else ""
        body.append([x.exercise, f"{x.counts.get(CORRECT, 0)}/{x.students}",
                     *(str(x.counts.get(s, 0)) for s in shown), reason])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header) - 1)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    return "\n".join(fmt.format(*row).rstrip() for row in [header, *body])


def write_gradebook(book: Gradebook, out_dir: str | os.PathLike) -> list[Path]:
    """gradebook.csv (student × exercise), scores.csv (one row per student), summary.csv, feedback/*.html,
    index.html; returns the paths written."""
    out = Path(out_dir)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    written = [
        _csv(out / "gradebook.csv", ["student", "notebook", "exercise", "points", "verdict", "reason", "cell", "file"],
             [[r.student, r.notebook, r.exercise, r.points, r.status, r.reason, r.cell, r.file] for r in book.rows]),
        _csv(out / "scores.csv", ["student", "points", "out_of", *_columns(book).values()],
             [[s, *book.total(s), *(_points(book, s, key) for key in _columns(book))] for s in book.students]),
        _csv(out / "summary.csv", ["notebook", "exercise", "students", *STATUSES, "most_common_wrong_reason",
                                   "most_common_wrong_count"],
             [[x.notebook, x.exercise, x.students, *(x.counts.get(s, 0) for s in STATUSES), x.common_wrong,
               x.common_wrong_count] for x in book.summary()]),
    ]
    for student in book.students:
        path = out / "feedback" / f"{slug(student)}.html"
        path.write_text(feedback_page(book, student), encoding="utf-8")
        written.append(path)
    (out / "index.html").write_text(index_page(book), encoding="utf-8")
    written.append(out / "index.html")
    return written


def feedback_page(book: Gradebook, student: str) -> str:
    """One student's page: per notebook its score, then each exercise with ✓/✗, the reason, the next hint."""
    got, total = book.total(student)
    parts = [f"<h1>Feedback for {_e(student)}</h1>", f"<p class=score>{got}/{total} correct</p>"]
    rows = book.rows_of(student)
    for notebook in book.notebooks:
        mine = [r for r in rows if r.notebook == notebook]
        points = sum(r.points for r in mine)
        parts.append(f"<h2>{_e(notebook)} <span class=muted>{points}/{len(mine)}</span></h2>")
        parts.append("<table><tr><th></th><th>exercise</th><th>cell</th><th>what the check says</th>"
                     "<th>next hint</th></tr>")
        for r in mine:
            ok = r.status == CORRECT
            hint = "" if ok else (r.hint or f"no more hints: solution({r.exercise!r}) explains it")
            parts.append(f"<tr class={'good' if ok else 'bad'}><td class=mark>{mark(r.status)}</td>"
                         f"<td><code>{_e(r.exercise)}</code></td><td>{_e(r.cell)}</td><td>{_e(r.reason)}</td>"
                         f"<td>{_e(hint)}</td></tr>")
        parts.append("</table>")
    if book.problems.get(student):
        parts.append("<h2>Also noticed</h2><ul>" + "".join(f"<li>{_e(p)}</li>" for p in book.problems[student])
                     + "</ul>")
    return _page(f"kafkalab feedback: {student}", "\n".join(parts))


def index_page(book: Gradebook) -> str:
    """The instructor's page: the per-exercise summary, then each student's total with a link."""
    parts = ["<h1>Class summary</h1>", ("<table><tr><th>notebook</th><th>exercise</th><th>got it</th>"
                                        "<th>no answer</th><th>most common wrong reason</th></tr>")]
    for x in book.summary():
        reason = f"{x.common_wrong} ({x.common_wrong_count})" if x.common_wrong else ""
        parts.append(f"<tr><td>{_e(x.notebook)}</td><td><code>{_e(x.exercise)}</code></td>"
                     f"<td>{x.counts.get(CORRECT, 0)}/{x.students}</td><td>{x.counts.get('no answer', 0)}</td>"
                     f"<td>{_e(reason)}</td></tr>")
    parts.append("</table><h2>Students</h2><table><tr><th>student</th><th>points</th></tr>")
    for s in book.students:
        got, total = book.total(s)
        parts.append(f"<tr><td><a href='feedback/{_e(slug(s))}.html'>{_e(s)}</a></td><td>{got}/{total}</td></tr>")
    parts.append("</table>")
    return _page("kafkalab gradebook", "\n".join(parts))


def slug(name: str) -> str:
    """A file name for a student id: letters, digits, ``.-_`` kept, the rest ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"


def _columns(book: Gradebook) -> dict[tuple[str, str], str]:
    """(notebook, exercise) -> its scores.csv column: the exercise's name, or ``notebook/name`` when two
    notebooks check an exercise of the same name."""
    keys = list(dict.fromkeys((r.notebook, r.exercise) for r in book.rows if r.exercise))
    taken = Counter(exercise for _, exercise in keys)
    return {(nb, ex): ex if taken[ex] == 1 else f"{nb}/{ex}" for nb, ex in keys}


def _points(book: Gradebook, student: str, key: tuple[str, str]) -> int:
    return sum(r.points for r in book.rows if r.student == student and (r.notebook, r.exercise) == key)


def _csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _painter(colour: bool):
    if not colour:
        return lambda text, tone: text
    return lambda text, tone: f"{ANSI[tone]}{text}{ANSI['reset']}"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    c = css_colours()
    style = (f"body{{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}"
             f"table{{border-collapse:collapse;width:100%;margin-bottom:1.5em}}"
             f"th,td{{text-align:left;vertical-align:top;padding:.3em .6em;border-bottom:1px solid {c['rule']}}}"
             f".good .mark{{color:{c['good']}}}.bad .mark{{color:{c['bad']}}}.mark{{font-weight:bold}}"
             f".muted{{color:{c['muted']};font-weight:normal}}.score{{font-size:1.3em}}")
    return (f"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
            f"<style>{style}</style></head><body>\n{body}\n</body></html>\n")
