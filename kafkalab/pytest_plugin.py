"""pytest plugin (entry point ``pytest11``): nbval must really grade ``check`` cells.

* A notebook cell tagged ``check`` always fails when it raises, even if it also carries nbval's
  ``raises-exception`` tag (the student build adds that tag so JupyterLab's Run All goes on past an
  unsolved exercise; in a test run a raising check is a wrong answer).
* ``--student-stubs`` runs a student build: every check cell is ``xfail(strict=True)`` and counts
  as expected only when it raises exactly ``ExerciseNotSolved`` saying "no answer yet". A check that
  accepts the stub (XPASS), grades the stub as a wrong answer, or fails another way (``NameError``,
  a ``TypeError`` in a verdict) fails the run.

::

    pytest --nbval-lax --nbval-current-env build/instructor                  # every cell passes
    pytest --nbval-lax --nbval-current-env --student-stubs build/student     # every check xfails
    pytest --nbval-lax build/student/03_replication.ipynb                    # a learner grading their work

Loaded in every pytest run of an environment where kafkalab is installed, so it imports nothing
heavy and leaves non-notebook items alone.
"""
from __future__ import annotations

import pytest

CHECK_TAG = "check"
EXPECTED_ERROR = "ExerciseNotSolved"
UNANSWERED = ": no answer yet"  # kafkalab.exercises.core.NO_ANSWER, after "✗ name" (not imported: keep this light)


class StubNotSolved(Exception):
    """A check cell of a student build raised ExerciseNotSolved, as it should on the stub."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kafkalab", "kafkalab notebooks")
    group.addoption("--student-stubs", action="store_true", default=False,
                    help="notebooks are student builds: each 'check' cell must raise ExerciseNotSolved "
                         "(strict xfail); any other outcome fails")


def _is_check_cell(item: pytest.Item) -> bool:
    cell = getattr(item, "cell", None)
    options = getattr(item, "options", None)
    if cell is None or options is None or type(item).__name__ != "IPyNbCell":
        return False
    return CHECK_TAG in (cell.get("metadata", {}).get("tags") or [])


def pytest_itemcollected(item: pytest.Item) -> None:
    if not _is_check_cell(item):
        return
    item.options["check_exception"] = False  # nbval's raises-exception tolerance, off for checks
    if item.config.getoption("student_stubs"):
        item.add_marker(pytest.mark.xfail(
            strict=True, raises=StubNotSolved,
            reason=f"student stub: the check must raise {EXPECTED_ERROR}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not (item.config.getoption("student_stubs") and _is_check_cell(item)):
        return (yield)
    try:
        return (yield)
    except Exception as exc:
        errors = [(out.get("ename"), out.get("evalue", "")) for out in (getattr(item, "test_outputs", None) or [])
                  if out.get("output_type") == "error"]
        if type(exc).__name__ == "NbCellError" and len(errors) == 1 and errors[0][0] == EXPECTED_ERROR:
            if UNANSWERED not in errors[0][1]:
                raise AssertionError(f"cell {item.cell_num}: the student stub got a wrong-answer verdict "
                                     f"({errors[0][1]}); an untouched stub must say 'no answer yet'") from exc
            raise StubNotSolved(f"cell {item.cell_num} raised {EXPECTED_ERROR}") from exc
        raise
