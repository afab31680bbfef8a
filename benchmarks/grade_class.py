"""Grading a class: 30 students × every kit notebook through ``kafkalab grade``'s machinery, timed.

The class is tests/synthetic_class.py's: each student hands in every notebook made one way (right,
untouched, wrong, mixed, a raising cell, a dying kernel, tampered outputs, a tampered exercise
machinery, duplicated or deleted checks, lost cell ids, answers typed below, blank cells), and one
notebook of one student loops for ever, so the per-notebook timeout is paid once. Prints the wall
time of grading alone (making the submissions and their expected gradebook is not timed), the
time per notebook, the CPU time the kernels and the grader used (which, unlike the wall time, does
not grow when other processes share the machine), and checks the gradebook against what each
submission was made to get.

    python benchmarks/grade_class.py                   # 30 students, every notebook, one kernel per core
    python benchmarks/grade_class.py --students 13 --notebooks 02 --timeout 30   # every kind once, one notebook
    python benchmarks/grade_class.py --kernels fresh   # a new ipykernel per notebook, as before forking

By default each notebook's kernel is forked from a template that has run the hand-out's cells up to
its first exercise (kafkalab/grading/fork.py), so a notebook costs only its own cells; the kernels'
CPU time includes the templates'. Target on the 2-core machine: under 10 minutes for 30 students ×
every notebook (with fresh kernels it was about 22 minutes of CPU on 2 cores, 90 s per student; forked,
536 s wall and 938 CPU-s on 2 idle cores, 2026-12-03).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import synthetic_class as sc

from kafkalab.grading import classroom
from kafkalab.grading.kit import load_kit
from kafkalab.grading.run import available_cores


def make_class(kit, students: int, timeout: float, stems: list[str]) -> list[sc.Made]:
    sources = [sc.KitSource(kit, stem) for stem in stems]
    looper = (students - 1, max(n for n, ks in enumerate(sources) if ks.exercises))  # pays the timeout once
    made = []
    for i in range(students):
        student, kind = f"student-{i + 1:02d}", sc.GENERIC[i % len(sc.GENERIC)]
        for n, ks in enumerate(sources):
            how = sc.loops(timeout) if (i, n) == looper else kind if ks.exercises else sc.empty
            made.append(how(ks, student, f"{student}/homework/{ks.stem}.ipynb"))
    return made


def _cpu() -> tuple[float, float]:
    """(this process, its finished children: the kernels) user + system CPU seconds."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: one per core)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per notebook (the grader's default)")
    ap.add_argument("--kernels", choices=("auto", "fork", "fresh"), default="auto",
                    help="how each notebook's kernel starts (kafkalab grade --kernels)")
    ap.add_argument("--notebooks", nargs="*", metavar="NN", help="only these notebooks (by number); default: all")
    args = ap.parse_args()
    kit = load_kit(REPO)
    stems = [s for s in kit.notebooks if not args.notebooks or s.split("_", 1)[0] in args.notebooks]
    made = make_class(kit, args.students, args.timeout, stems)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "submitted"
        expected = sc.write(made, root, kit)
        submissions = classroom.collect(root, kit)
        results = []
        workers = args.jobs or available_cores()
        print(f"grading {len(submissions)} notebooks ({args.students} students × {len(stems)} notebooks), "
              f"{workers} at a time, timeout {args.timeout:g} s")
        t0, cpu0 = time.perf_counter(), _cpu()
        book = classroom.grade_class(submissions, kit, timeout=args.timeout, workers=workers,
                                     on_done=results.append, kernels=args.kernels)
        wall, (grader, kernels) = time.perf_counter() - t0, [b - a for a, b in zip(cpu0, _cpu())]
    got = {(r.student, r.notebook, r.exercise): r for r in book.rows}
    wrong = [w for w in expected if not sc.matches(sc.as_row(got.get((w.student, w.notebook, w.exercise))), w)]
    per_notebook = Counter()
    for r in results:
        per_notebook[r.notebook] += r.seconds
    print(f"wall time {wall:.0f} s ({wall / 60:.1f} min) for {len(results)} notebooks; "
          f"{sum(r.seconds for r in results) / len(results):.1f} s per notebook on average")
    # CPU time does not grow when other processes share the machine: on an idle machine with `workers`
    # cores the run takes about CPU / workers (the looping notebook spins, so its timeout is in there).
    print(f"CPU time: kernels {kernels:.0f} s, grader {grader:.0f} s; on {workers} idle cores about "
          f"{(kernels + grader) / workers / 60:.1f} min")
    for stem, seconds in sorted(per_notebook.items()):
        count = sum(r.notebook == stem for r in results)
        slowest = max(r.seconds for r in results if r.notebook == stem)
        print(f"  {stem:<26} {seconds / count:5.1f} s mean, {slowest:5.1f} s max")
    print(f"gradebook: {len(book.rows)} rows, {len(wrong)} differ from what the submissions were made to get")
    for w in wrong[:10]:
        print(f"  expected {w}\n  got      {got.get((w.student, w.notebook, w.exercise))}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
