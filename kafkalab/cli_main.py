"""The ``kafkalab`` command: build the notebooks, open them in JupyterLab, hand them out, grade them.

::

    kafkalab lab [DIR] [--no-browser] [--port N] [--dry-run]   build if needed, open build/instructor (or DIR)
    kafkalab build [--force]                                   notebooks/*.py -> build/{instructor,student}/*.ipynb
    kafkalab student OUT_DIR [NOTEBOOK...] [--force]           student notebooks (your own copy, or a hand-out:
    kafkalab assign OUT_DIR [NOTEBOOK...] [--force]              'assign' is the same command)
    kafkalab check NOTEBOOK.ipynb... [--timeout S]             run your notebooks, print a score per exercise
    kafkalab grade SUBMISSIONS_DIR [--out DIR] [--timeout S]   grade a class: gradebook CSV + feedback pages

``--root DIR`` and ``--version`` go before or after the command. The project folder is the one
holding the package when it has ``notebooks/`` (an editable install or a checkout), else the
current directory; ``--root`` overrides both. ``check`` and ``grade`` re-run the kit's own checks,
so they need that folder's notebook sources too.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import sys
from pathlib import Path

from kafkalab import notebooks_build

LAB_MISSING = 'JupyterLab is not installed in this environment; install it with: pip install -e ".[lab]"'
KERNEL_MISSING = 'no Jupyter kernel for Python in this environment; install one with: pip install ipykernel'


class UsageError(Exception):
    """A command line that cannot be carried out: one line on stderr, exit status 2."""


def find_root(root: str | os.PathLike | None = None) -> Path:
    """The project folder: ``root``, else the package's parent if it has notebooks/, else the cwd."""
    if root is not None:
        return Path(root).resolve()
    repo = Path(__file__).resolve().parent.parent
    return repo if (repo / "notebooks").is_dir() else Path.cwd()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version
    try:
        return dist_version("kafkalab")
    except PackageNotFoundError:  # run from a checkout that was never installed
        import kafkalab
        return kafkalab.__version__


def _sources(root: Path) -> list[Path]:
    found = notebooks_build.sources(root / "notebooks")
    if not found:
        raise SystemExit(f"kafkalab: no notebooks/NN_topic.py in {root}; run it from the kafkalab checkout "
                         "or pass --root")
    return found


def _build(root: Path, force: bool) -> None:
    _sources(root)
    written = notebooks_build.build(root / "notebooks", root / "build", force=force)
    count = len(written) // 2
    print(f"built {_n(count, 'notebook')} into {root / 'build'}" if written
          else f"notebooks in {root / 'build'} are up to date")


def lab_command(root: Path, args: argparse.Namespace) -> list[str]:
    """The JupyterLab command line for ``kafkalab lab``.

    For build/instructor the server's root is the project folder, so jupytext can pair
    build/instructor/NN.ipynb with notebooks/NN.py (``[tool.jupytext]``) and save edits back;
    another folder (a learner's copy) is opened as the root, unpaired.
    """
    if args.dir:
        server_root, url = Path(args.dir).resolve(), "/lab"
    else:
        server_root, url = root, "/lab/tree/build/instructor"
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={server_root}", f"--LabApp.default_url={url}"]
    if args.port is not None:
        cmd.append(f"--ServerApp.port={args.port}")
    if args.no_browser:
        cmd.append("--ServerApp.open_browser=False")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; Jupyter refuses to start without this
    return cmd


def cmd_lab(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        print(f"kafkalab: {LAB_MISSING}", file=sys.stderr)
        return 2
    root = find_root(args.root)
    if args.dir is not None and not Path(args.dir).is_dir():
        raise UsageError(f"{args.dir} is not a folder")
    if args.dir is None:
        if not args.dry_run:
            _build(root, force=False)
        else:  # a dry run writes nothing: say what a real one would build
            _sources(root)
            stale = notebooks_build.stale(root / "notebooks", root / "build")
            print(f"would build {_n(len(stale), 'notebook')} into {root / 'build'}" if stale
                  else f"notebooks in {root / 'build'} are up to date")
    cmd = lab_command(root, args)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    sys.stdout.flush()
    if os.name == "posix":  # hand the terminal (and Ctrl-C) to JupyterLab
        os.execv(cmd[0], cmd)
    import subprocess
    return subprocess.call(cmd)


def cmd_build(args: argparse.Namespace) -> int:
    _build(find_root(args.root), force=args.force)
    return 0


def cmd_student(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; give the folder to write the student notebooks into")
    chosen = _choose(_sources(root), args.notebooks)
    existing = [p for p in chosen if (out / f"{p.stem}.ipynb").exists()]
    try:
        written = notebooks_build.build_student(out, root / "notebooks", force=args.force,
                                                keep_existing=not args.force, only=chosen)
    except OSError as err:  # e.g. a parent of OUT_DIR is a file, or no permission
        raise UsageError(f"cannot write into {out}: {err.strerror or err}") from None
    for path in written:
        print(f"wrote {path}")
    if existing and not args.force:
        print(f"kept {_n(len(existing), 'existing notebook')} in {out} (your work); --force overwrites them")
    return 0


def _choose(sources: list[Path], wanted: list[str]) -> list[Path]:
    """The sources named by ``wanted`` (``03``, ``03_replication_isr``, ``03_replication_isr.py``); all if none."""
    if not wanted:
        return sources
    chosen = []
    for name in wanted:
        stem = Path(name).stem
        number = int(stem) if stem.isdigit() else None
        match = [p for p in sources if p.stem == stem or int(p.stem.split("_", 1)[0]) == number]
        if not match:
            raise UsageError(f"no notebook {name!r}; the notebooks are {', '.join(p.stem for p in sources)}")
        chosen.extend(p for p in match if p not in chosen)
    return chosen


def cmd_check(args: argparse.Namespace) -> int:
    from kafkalab.grading import report
    from kafkalab.grading.run import grade_files
    paths = [Path(p) for p in args.notebooks]
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{path}: no such notebook file")
    kit = _kit(args)
    with _progress(len(paths), "checking", enabled=len(paths) > 1) as bar:
        results = grade_files([("you", p) for p in paths], kit, timeout=args.timeout, workers=args.jobs,
                              on_done=lambda r: bar.update(1), kernels=args.kernels)
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    print("\n\n".join(report.notebook_table(r, colour=colour) for r in results))
    return 0 if all(r.all_correct for r in results) else 1


def cmd_grade(args: argparse.Namespace) -> int:
    from kafkalab.grading import classroom, report
    from kafkalab.grading.run import available_cores
    if not Path(args.submissions).is_dir():
        raise UsageError(f"{args.submissions} is not a folder of submissions")
    kit = _kit(args)
    submissions = classroom.collect(args.submissions, kit)
    if not submissions:
        raise UsageError(f"no .ipynb files under {args.submissions}")
    workers = args.jobs or available_cores()
    students = len({s.student for s in submissions})
    print(f"grading {_n(len(submissions), 'notebook')} of {_n(students, 'student')}, {workers} at a time, "
          f"{args.timeout:g} s per notebook")
    with _progress(len(submissions), "grading") as bar:
        def done(result):
            bar.set_postfix_str(result.student, refresh=False)
            bar.update(1)
        book = classroom.grade_class(submissions, kit, timeout=args.timeout, workers=workers, on_done=done,
                                     kernels=args.kernels)
    written = report.write_gradebook(book, args.out)
    print(report.summary_table(book))
    pages = sum(p.parent.name == "feedback" for p in written)
    print(f"wrote gradebook.csv, scores.csv, summary.csv, index.html and {_n(pages, 'feedback page')} "
          f"into {args.out}")
    return 0


def _kit(args: argparse.Namespace):
    from kafkalab.grading.kit import KitError, load_kit
    if importlib.util.find_spec("ipykernel") is None:
        raise UsageError(KERNEL_MISSING)
    try:
        return load_kit(find_root(args.root))
    except KitError as err:
        raise UsageError(str(err)) from None


class _progress:
    """A tqdm bar on stderr, shown only on a terminal (never in pipes, logs or tests)."""

    def __init__(self, total: int, desc: str, enabled: bool = True):
        from tqdm import tqdm
        self.bar = tqdm(total=total, desc=desc, unit="notebook", file=sys.stderr, leave=False,
                        disable=None if enabled else True)

    def __enter__(self):
        return self.bar

    def __exit__(self, *exc) -> None:
        self.bar.close()


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    from kafkalab.grading.run import DEFAULT_TIMEOUT_S, KERNELS
    # Options every command takes, before or after it: SUPPRESS keeps a sub-command's parser from
    # overwriting a value given before the command with its default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=argparse.SUPPRESS,
                        help="project folder holding notebooks/ (default: found automatically)")
    common.add_argument("--version", action="version", version=f"kafkalab {version()}")

    p = argparse.ArgumentParser(prog="kafkalab", parents=[common],
                                description="Build the kafkalab notebooks, open them, hand them out and grade them.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = sub.add_parser("lab", parents=[common], help="build if needed, then start JupyterLab on build/instructor")
    lab.add_argument("dir", nargs="?", help="open this folder instead (e.g. one made by 'kafkalab student')")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument("--port", type=int, help="port for JupyterLab (default: its own, 8888)")
    lab.add_argument("--dry-run", action="store_true",
                     help="print what would be built and the JupyterLab command; write and start nothing")
    lab.set_defaults(func=cmd_lab)

    build = sub.add_parser("build", parents=[common], help="notebooks/*.py -> build/instructor and build/student")
    build.add_argument("--force", action="store_true", help="rebuild even if the sources are older")
    build.set_defaults(func=cmd_build)

    student = sub.add_parser("student", aliases=["assign"], parents=[common],
                             help="write the student notebooks into OUT_DIR (your copy, or a class's hand-out)")
    student.add_argument("out_dir", metavar="OUT_DIR")
    student.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                         help="only these notebooks, by number or name (e.g. 03 04_producer); default: all")
    student.add_argument("--force", action="store_true", help="overwrite notebooks already in OUT_DIR")
    student.set_defaults(func=cmd_student)

    def grading_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT_S, metavar="S",
                       help=f"seconds each notebook may run in all (default {DEFAULT_TIMEOUT_S:g})")
        q.add_argument("-j", "--jobs", type=_jobs, metavar="N", help="notebooks at once (default: one per core)")
        q.add_argument("--kernels", choices=KERNELS, default="auto",
                       help="fork: each notebook's kernel is forked from one that has run the hand-out's cells up "
                            "to the first exercise (POSIX); fresh: a new ipykernel per notebook; "
                            "auto (default): fork where possible")

    check = sub.add_parser("check", parents=[common],
                           help="run notebooks in a fresh kernel and print a score per exercise")
    check.add_argument("notebooks", nargs="+", metavar="NOTEBOOK.ipynb")
    grading_options(check)
    check.set_defaults(func=cmd_check)

    grade = sub.add_parser("grade", parents=[common],
                           help="grade a folder of submissions: gradebook CSV and a feedback page per student")
    grade.add_argument("submissions", metavar="SUBMISSIONS_DIR",
                       help="notebooks, one student each, or one folder per student (nbgrader's layout)")
    grade.add_argument("--out", default="grades", metavar="DIR", help="where to write the gradebook (default: grades)")
    grading_options(grade)
    grade.set_defaults(func=cmd_grade)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.root = getattr(args, "root", None)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"kafkalab: {err}", file=sys.stderr)
        return 2
    except notebooks_build.BuildError as err:
        print(f"kafkalab: {err}", file=sys.stderr)
        return 1
