"""kafkalab.pytest_plugin makes nbval grade check cells: wrong answers fail, student stubs must xfail.

Runs nbval in-process with pytester (a kernel per notebook, no extra pytest start-up) on the demo
notebook and on small sources built the way ``kafkalab build`` builds them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import kafkalab
from kafkalab import notebooks_build

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
NBVAL = ["-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=120"]

HEADER = '''# %%
from kafkalab.exercises import check

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = {solution}
### END SOLUTION

# %% tags=["check"]
{check}
'''


def source(solution="sum(DEMO_TOPICS.values())", check='check("demo_partition_count", answer)') -> str:
    return HEADER.format(solution=solution, check=check).replace(
        "import check\n", "import check\nfrom kafkalab.exercises.demo import DEMO_TOPICS\n")


@pytest.fixture
def notebooks(pytester, monkeypatch):
    """Build sources {name: text} with the demo notebook; returns pytester.path (instructor/, student/)."""
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("PYTHONPATH", str(Path(kafkalab.__file__).resolve().parents[1]))

    def make(**sources: str) -> Path:
        src = pytester.path / "notebooks"
        src.mkdir(exist_ok=True)
        (src / "00_kit_demo.py").write_bytes((REPO / "notebooks" / "00_kit_demo.py").read_bytes())
        for name, text in sources.items():
            (src / f"{name}.py").write_text(text)
        notebooks_build.build(src, pytester.path, force=True)
        return pytester.path
    return make


def outcomes(reprec) -> dict[str, str]:
    """nodeid -> passed | failed | xfailed | xpassed-strict, from the call phase (or a failed setup)."""
    result = {}
    for rep in reprec.getreports("pytest_runtest_logreport"):
        if rep.when == "call" or (rep.when == "setup" and not rep.passed):
            if hasattr(rep, "wasxfail"):
                result[rep.nodeid] = "xfailed" if rep.skipped else "xpassed"
            elif rep.failed and "XPASS(strict)" in str(rep.longrepr):
                result[rep.nodeid] = "xpassed-strict"
            else:
                result[rep.nodeid] = rep.outcome
    return result


def cells(result: dict[str, str], notebook: str) -> list[str]:
    """The outcomes of a notebook's code cells, in order."""
    mine = {k: v for k, v in result.items() if k.split("::")[0].endswith(notebook)}
    return [mine[k] for k in sorted(mine, key=lambda k: int(k.rsplit(" ", 1)[1]))]


def test_instructor_passes_and_wrong_solutions_fail(notebooks, pytester):
    root = notebooks(**{"01_wrong": source(solution="30")})
    reprec = pytester.inline_run(*NBVAL, str(root / "instructor"))
    result = outcomes(reprec)
    assert cells(result, "00_kit_demo.ipynb") == ["passed"] * 6
    # a wrong *instructor* solution fails CI: the check raises, nbval fails the cell
    assert cells(result, "01_wrong.ipynb") == ["passed", "passed", "failed"]


def test_learner_grading_a_student_copy_fails_unsolved_checks(notebooks, pytester):
    """Without --student-stubs the student build's raises-exception tag must not excuse a check."""
    root = notebooks()
    reprec = pytester.inline_run(*NBVAL, str(root / "student" / "00_kit_demo.ipynb"))
    assert cells(outcomes(reprec), "00_kit_demo.ipynb") == ["passed", "passed", "failed",
                                                           "passed", "passed", "failed"]


def test_student_stubs_xfail_only_on_exercise_not_solved(notebooks, pytester):
    root = notebooks(**{
        "01_accepts_stub": source(check='print("looks right to me")'),
        "02_name_error": source(check='check("demo_partition_count", answr)'),
        "03_unknown_exercise": source(check='check("demo_partition_cuont", answer)'),
        "04_stub_graded_wrong": source(check='check("demo_partition_count", 7)'),
    })
    reprec = pytester.inline_run(*NBVAL, "--student-stubs", str(root / "student"))
    result = outcomes(reprec)
    assert cells(result, "00_kit_demo.ipynb") == ["passed", "passed", "xfailed", "passed", "passed", "xfailed"]
    assert cells(result, "01_accepts_stub.ipynb") == ["passed", "passed", "xpassed-strict"]
    assert cells(result, "02_name_error.ipynb") == ["passed", "passed", "failed"]
    assert cells(result, "03_unknown_exercise.ipynb") == ["passed", "passed", "failed"]
    # ExerciseNotSolved with a wrong-answer verdict: the stub must say "no answer yet"
    assert cells(result, "04_stub_graded_wrong.ipynb") == ["passed", "passed", "failed"]


def test_plugin_is_installed_as_an_entry_point():
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert eps.get("kafkalab") == "kafkalab.pytest_plugin", \
        'the pytest11 entry point is missing: pip install -e ".[test]"'


def test_option_is_harmless_without_notebooks(pytester):
    pytester.makepyfile("def test_ok():\n    assert True\n")
    pytester.runpytest("--student-stubs", "-p", "no:cacheprovider").assert_outcomes(passed=1)
