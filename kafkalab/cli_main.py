"""The ``kafkalab`` command: build the notebooks and open them in JupyterLab.

::

    kafkalab lab [DIR] [--no-browser] [--port N] [--dry-run]   build if needed, open build/instructor (or DIR)
    kafkalab build [--force]                                   notebooks/*.py -> build/{instructor,student}/*.ipynb
    kafkalab student OUT_DIR [--force]                         student notebooks for handing out

The project folder is the one holding the package when it has ``notebooks/`` (an editable install or
a checkout), else the current directory; ``--root`` overrides both.
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


def find_root(root: str | os.PathLike | None = None) -> Path:
    """The project folder: ``root``, else the package's parent if it has notebooks/, else the cwd."""
    if root is not None:
        return Path(root).resolve()
    repo = Path(__file__).resolve().parent.parent
    return repo if (repo / "notebooks").is_dir() else Path.cwd()


def _build(root: Path, force: bool) -> None:
    src = root / "notebooks"
    if not notebooks_build.sources(src):
        raise SystemExit(f"kafkalab: no notebooks/NN_topic.py in {root}; run it from the kafkalab checkout "
                         "or pass --root")
    written = notebooks_build.build(src, root / "build", force=force)
    count = len(written) // 2
    print(f"built {count} notebook{'s' * (count != 1)} into {root / 'build'}" if written
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
    if args.dir is None:
        _build(root, force=False)
    elif not Path(args.dir).is_dir():
        print(f"kafkalab: {args.dir} is not a folder", file=sys.stderr)
        return 2
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
    existing = sorted(p.name for p in notebooks_build.sources(root / "notebooks")
                      if (out / f"{p.stem}.ipynb").exists())
    written = notebooks_build.build_student(out, root / "notebooks", force=args.force,
                                            keep_existing=not args.force)
    for path in written:
        print(f"wrote {path}")
    if existing and not args.force:
        print(f"kept {len(existing)} existing notebook{'s' * (len(existing) != 1)} in {out} "
              "(your work); --force overwrites them")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kafkalab", description="Build the kafkalab notebooks and open them.")
    p.add_argument("--root", help="project folder holding notebooks/ (default: found automatically)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = sub.add_parser("lab", help="build if needed, then start JupyterLab on build/instructor")
    lab.add_argument("dir", nargs="?", help="open this folder instead (e.g. one made by 'kafkalab student')")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument("--port", type=int, help="port for JupyterLab (default: its own, 8888)")
    lab.add_argument("--dry-run", action="store_true", help="print the JupyterLab command instead of running it")
    lab.set_defaults(func=cmd_lab)

    build = sub.add_parser("build", help="notebooks/*.py -> build/instructor and build/student")
    build.add_argument("--force", action="store_true", help="rebuild even if the sources are older")
    build.set_defaults(func=cmd_build)

    student = sub.add_parser("student", help="write the student notebooks into OUT_DIR")
    student.add_argument("out_dir", metavar="OUT_DIR")
    student.add_argument("--force", action="store_true", help="overwrite notebooks already in OUT_DIR")
    student.set_defaults(func=cmd_student)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except notebooks_build.BuildError as err:
        print(f"kafkalab: {err}", file=sys.stderr)
        return 1
