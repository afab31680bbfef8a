"""The grader's side inside the learner's kernel: the kit's checks, recorded instead of raised.

The grader calls :func:`setup` before the learner's first cell, then :func:`run_check` with the
source of a kit check cell wherever the notebook checks an exercise, and reads the result of each
with :func:`take` (a JSON string, through the execute request's ``user_expressions``).

``run_check`` runs the kit's check cell in the learner's namespace, so ``answer`` is whatever the
learner's cells left there, with ``check`` bound to the kit's own :func:`kafkalab.exercises.check`
as it was at setup: a learner who redefined ``check`` or patched the exercise modules gets graded by
the kit all the same. (Code that rewrites the simulator itself could still fool a check: grading
runs the learner's code, and isolating it from the kit is beyond what a kernel can do.)

This module is imported in every graded kernel: it imports nothing heavy until :func:`setup`.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import types
from typing import Any

_state: dict[str, Any] = {}
_last: list[dict] = []


def setup() -> None:
    """Load every exercise module and remember the machinery as it is before learner code runs."""
    from kafkalab.exercises import core
    core.names()
    modules = {name: mod for name, mod in sorted(sys.modules.items())
               if mod is not None and (name == "kafkalab.exercises" or name.startswith("kafkalab.exercises."))}
    # Only the code is remembered (functions, classes, modules), not the data: what learners recorded
    # (predictions, attempts, hints seen, any later bookkeeping) is theirs and must survive.
    code = {name: (mod, {k: v for k, v in vars(mod).items() if callable(v) or isinstance(v, types.ModuleType)})
            for name, mod in modules.items()}
    _state.update(core=core, check=core.check, next_hint=core.next_hint, not_solved=core.ExerciseNotSolved,
                  modules=code, registry=dict(core._REGISTRY))


def _restore() -> None:
    """Undo learner changes to the exercise modules' code and registry (their recorded state is kept)."""
    for name, (mod, names) in _state["modules"].items():
        sys.modules[name] = mod
        vars(mod).update(names)
    registry = _state["core"]._REGISTRY
    registry.clear()
    registry.update(_state["registry"])


def run_check(source: str, names: list[str], label: str) -> None:
    """Run a kit check cell in the learner's namespace and record one result per exercise it checks."""
    _restore()
    ns = _user_namespace()
    results: dict[str, dict] = {}

    def check(name: str, *args: Any, **kwargs: Any) -> None:
        results[name] = _grade(name, args, kwargs)

    had, saved = "check" in ns, ns.get("check")
    ns["check"] = check
    try:
        exec(compile(source, f"<kit check cell {label}>", "exec"), ns)  # noqa: S102 - the kit's own check cell
    except Exception as exc:  # noqa: BLE001 - the answer expression failed, e.g. NameError: no exercise cell ran
        for name in names:
            results.setdefault(name, {"status": "error", "reason": _one_line(exc)})
    finally:
        if had:
            ns["check"] = saved
        else:
            ns.pop("check", None)
    for name in names:
        results.setdefault(name, {"status": "error", "reason": "the check cell did not check it"})
        results[name]["hint"] = _next_hint(name)
    _last[:] = [{"name": name, **results[name]} for name in names]


def take() -> str:
    """The results of the last :func:`run_check`, as JSON."""
    return json.dumps(_last, ensure_ascii=False)


def _grade(name: str, args: tuple, kwargs: dict) -> dict:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            _state["check"](name, *args, **kwargs)
    except _state["not_solved"] as exc:
        return {"status": "no answer" if exc.unanswered else "wrong", "reason": _flat(exc.message)}
    except Exception as exc:  # noqa: BLE001 - the learner's code (or a verdict) failed: that is the grade
        return {"status": "error", "reason": _one_line(exc)}
    return {"status": "correct", "reason": "correct"}


def _next_hint(name: str) -> str | None:
    try:
        return _state["next_hint"](name)
    except Exception:  # noqa: BLE001 - an unknown name was already reported by the check
        return None


def _one_line(exc: BaseException) -> str:
    return _flat(f"the check raised {type(exc).__name__}: {exc}")


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def _user_namespace() -> dict:
    from IPython import get_ipython
    shell = get_ipython()
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])
