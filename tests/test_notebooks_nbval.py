"""Every notebook runs under nbval: instructor build passes, student build's checks all xfail.

Plain ``pytest`` gets here, so the README's single test command covers the notebooks too. Each
notebook of each build runs in its own ``pytest`` subprocess, the command an author would type
(README, "Adding a notebook", plus ``LEAN``'s flags): nbval and ``--student-stubs`` are then options of a
clean run rather than state shared with this session, nothing collects ``.ipynb`` files from the repo, and pytest-xdist
spreads the notebooks over the cores instead of one build being the suite's long pole. The notebooks
are built into a temporary folder, so the tests never rewrite ``build/`` under a JupyterLab that has
it open. A new ``notebooks/NN_topic.py`` is picked up without touching this file.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kafkalab
from kafkalab import notebooks_build

REPO = Path(__file__).resolve().parents[1]
MODES = {"instructor": [], "student": ["--student-stubs"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notebooks")
    notebooks_build.build(REPO / "notebooks", out, force=True)
    return out


# Not needed to run a notebook, and costly in a process that starts 24 times: assertion rewriting of every
# plugin package (hypothesis, kafkalab, anyio… ~0.8 s per process where PYTHONDONTWRITEBYTECODE keeps pytest
# from caching it, as in CI) and the hypothesis and anyio plugins. Notebook cells hold no test-module asserts.
LEAN = ["--assert=plain", "-p", "no:hypothesispytest", "-p", "no:anyio"]


def nbval_command(paths, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *LEAN, "-c", os.devnull, "--nbval-lax",
            "--nbval-current-env", "--nbval-cell-timeout=120", "-q", "-rfEX", "--color=no", *extra, *map(str, paths)]


def nbval_env() -> dict[str, str]:
    """Kernels import the same kafkalab as this process, with string hashing fixed."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    here = str(Path(kafkalab.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def check_cells(notebook: Path) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return sum("check" in c["metadata"].get("tags", []) for c in cells)


def cell_sources(notebook: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]]


def outcome_counts(stdout: str) -> dict[str, int]:
    last = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|xfailed|xpassed|error|errors|skipped)",
                                                   last)}


NOTEBOOKS = [p.stem for p in notebooks_build.sources(REPO / "notebooks")]


@pytest.mark.slow
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_notebook_under_nbval(built, stem, mode):
    notebook = built / mode / f"{stem}.ipynb"
    assert notebook.exists(), f"{stem} was not built from {REPO / 'notebooks'}"
    if mode == "student" and cell_sources(notebook) == cell_sources(built / "instructor" / notebook.name):
        pytest.skip("no exercises: the student build is the instructor build, which runs under nbval already")
    proc = subprocess.run(nbval_command([notebook], *MODES[mode]), cwd=built / mode, env=nbval_env(),
                          capture_output=True, text=True, timeout=1800, check=False)
    command = " ".join(nbval_command([notebook.name], *MODES[mode]))
    report = f"{command}\n{proc.stdout[-20000:]}\n{proc.stderr[-5000:]}"
    if proc.returncode != 0:
        pytest.fail(f"nbval on the {mode} build of {stem} exited {proc.returncode}:\n{report}", pytrace=False)
    counts = outcome_counts(proc.stdout)
    expected_xfails = check_cells(notebook) if mode == "student" else 0
    assert counts.get("xfailed", 0) == expected_xfails, report
    assert counts.get("passed", 0) > 0, report


def test_every_notebook_source_is_collected():
    assert NOTEBOOKS and NOTEBOOKS == sorted(NOTEBOOKS)
    assert all((REPO / "notebooks" / f"{stem}.py").exists() for stem in NOTEBOOKS)
