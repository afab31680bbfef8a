"""Graded exercises: a registry of verdict functions, ``check``, a hint ladder and a gated solution.

An exercise module registers a *verdict*: a pure function of the learner's answer that returns
``None`` when it is right, or one sentence saying what is wrong, as a conceptual nudge that never
gives the answer away. Verdicts grade by behaviour where they can: run the learner's config on the
simulator and look at what happened.

>>> @exercise("demo_double", hints=["Twice is two times."], solution="2 * 21 = 42.")
... def _(answer):
...     return None if answer == 42 else "that is not twice 21"
>>> check("demo_double", 42)
✓ demo_double: correct

In a notebook the exercise cell holds a stub line above nbgrader-style markers and the next cell,
tagged ``check``, calls ``check(name, answer)``; a wrong answer raises :class:`ExerciseNotSolved`,
which Jupyter shows as one line ``✗ name: <what is wrong>`` and nbval counts as a failed cell.

Predict-then-run exercises: ``predict(name, value)`` records the learner's guess before the cell
that reveals the simulator's answer, and ``check(name)`` then grades the recorded guess; wrap a
function that computes the true value in :class:`Prediction` to get such a verdict.

All messages are deterministic: no timestamps, no object addresses, dicts and sets sorted, no ANSI.
"""
from __future__ import annotations

import difflib
import dis
import importlib
import pkgutil
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafkalab.errors import error_text
from kafkalab.isolation import isolated_clusters

__all__ = ["NO_ANSWER", "Exercise", "ExerciseNotSolved", "Prediction", "UnknownExercise", "check", "exercise", "fmt",
           "get", "hint", "is_stub", "names", "next_hint", "predict", "reset", "reveal", "solution", "verdict"]

_MISSING: Any = object()
NO_ANSWER = "no answer yet"  # how every message about an untouched stub starts


class ExerciseNotSolved(AssertionError):
    """A check found the answer wrong; Jupyter shows just ``✗ name: message``.

    ``unanswered`` is true when there was nothing to grade yet (the untouched stub, or no prediction
    recorded), as opposed to a wrong answer: a grader counts the two apart.
    """

    def __init__(self, name: str, message: str, unanswered: bool = False):
        super().__init__(f"✗ {name}: {message}")
        self.name = name
        self.message = message
        self.unanswered = unanswered

    def _render_traceback_(self) -> list[str]:
        """IPython's hook: the lines to show instead of a traceback."""
        return [str(self)]

    def __reduce__(self):
        return type(self), (self.name, self.message, self.unanswered)


class UnknownExercise(KeyError):
    """No exercise has that name; the message lists close matches."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Exercise:
    name: str
    verdict: Callable[[Any], str | None]
    hints: tuple[str, ...] = ()
    solution: str = ""
    why: str = ""
    stub: Any = None  # the exercise cell's placeholder value: an answer equal to it is "not answered yet"


class Prediction:
    """The verdict of a predict-then-run exercise: compare the prediction with what the simulator does.

    ``actual()`` computes the true value itself, by running a seeded scenario; ``explain(predicted,
    actual)`` may return a sentence for a typical wrong guess. The reveal cell has shown the value
    already, so the default message names both.

    >>> v = Prediction(lambda: 2)
    >>> v(2) is None, v(3)
    (True, 'you predicted 3; the simulator gives 2')
    """

    def __init__(self, actual: Callable[[], Any], explain: Callable[[Any, Any], str | None] | None = None):
        self.actual = actual
        self.explain = explain
        self.__name__ = getattr(actual, "__name__", "prediction")
        self.__module__ = getattr(actual, "__module__", __name__)
        self.__qualname__ = getattr(actual, "__qualname__", self.__name__)

    def __call__(self, predicted: Any) -> str | None:
        truth = self.actual()
        if predicted == truth:
            return None
        said = self.explain(predicted, truth) if self.explain else None
        return said or f"you predicted {fmt(predicted)}; the simulator gives {fmt(truth)}"


_REGISTRY: dict[str, Exercise] = {}
_attempts: dict[str, int] = {}
_hints_seen: dict[str, int] = {}
_predictions: dict[str, Any] = {}
_locked: set[str] = set()  # predictions whose reveal has run: predict() no longer changes them


def exercise(name: str, *, hints=(), solution: str = "", why: str = "", stub: Any = None):
    """Register the decorated verdict ``f(answer) -> None | str`` as exercise ``name``.

    ``hints`` is the ladder ``hint(name)`` climbs, vaguest first; ``solution`` the explanation that
    ``solution(name)`` prints; ``why`` one line shown after ``✓ name: correct``. ``stub`` is the
    placeholder value of the exercise cell (``answer = None``); a function whose body does nothing
    (``pass``, ``return None``, only a docstring) is the stub of every exercise, see :func:`is_stub`.
    Re-running the same definition (a reloaded module) replaces it; another function under a taken
    name is an error.
    """
    def register(fn):
        old = _REGISTRY.get(name)
        if old is not None and _origin(old.verdict) != _origin(fn):
            raise ValueError(f"exercise {name!r} is already registered by {'.'.join(_origin(old.verdict))}")
        _REGISTRY[name] = Exercise(name, fn, tuple(hints), solution, why, stub)
        return fn
    return register


def get(name: str) -> Exercise:
    """The registered exercise ``name``; loads ``kafkalab.exercises.*`` on a miss."""
    if name not in _REGISTRY:
        _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, sorted(_REGISTRY), n=3, cutoff=0.6)
        tail = f"did you mean {', '.join(repr(c) for c in close)}?" if close else \
            f"known exercises: {', '.join(sorted(_REGISTRY)) or 'none'}"
        raise UnknownExercise(f"no exercise named {name!r}; {tail}") from None


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def verdict(name: str, answer: Any) -> str | None:
    """Pure grading: ``None`` if ``answer`` solves ``name``, else what is wrong. Records nothing."""
    ex = get(name)
    if _is_stub(ex, answer):
        if _does_nothing(answer):
            what = answer.__name__ if answer.__name__.isidentifier() else "your function"
            return f"{NO_ANSWER}: write the body of {what} in the exercise cell above"
        return f"{NO_ANSWER}: replace {fmt(ex.stub)} in the exercise cell above"
    try:
        with isolated_clusters():  # a checker's clusters never become the learner's default cluster
            said = ex.verdict(answer)
    except Exception as exc:  # only the simulator's Kafka errors are a verdict; bugs propagate
        if not _is_kafka_exception(exc):
            raise
        said = f"the simulator rejected it with {type(exc).__name__}: {error_text(exc)}"
    if said is not None and not isinstance(said, str):
        raise TypeError(f"the verdict of {name!r} returned {type(said).__name__}; it must return None or a str")
    return said


def check(name: str, answer: Any = _MISSING) -> None:
    """Print ``✓ name: correct`` or raise :class:`ExerciseNotSolved` with a one-line hint.

    ``check(name)`` without an answer grades the value recorded by ``predict(name, value)``.
    """
    ex = get(name)
    if answer is _MISSING:
        if name in _predictions:
            answer = _predictions[name]
            reveal(name)  # grading a prediction shows the answer: the guess is final from here on
        elif isinstance(ex.verdict, Prediction):
            raise ExerciseNotSolved(name, f"no prediction recorded: run predict({name!r}, your_guess) "
                                          "before the cell that shows the answer", unanswered=True)
        else:
            raise TypeError(f"check({name!r}) needs the answer: check({name!r}, answer)")
    stub = _is_stub(ex, answer)
    if not stub:  # Run All over untouched stubs is not an attempt
        _attempts[name] = _attempts.get(name, 0) + 1
    said = verdict(name, answer)
    if said is not None:  # a verdict may see no answer in what is not the stub (a function returning None)
        raise ExerciseNotSolved(name, said, unanswered=stub or said.startswith(NO_ANSWER))
    print(f"✓ {name}: correct" + (f" — {ex.why}" if ex.why else ""))


def predict(name: str, value: Any) -> None:
    """Record a prediction for ``name``, before running the cell that reveals the answer.

    Once the reveal has run (``reveal(name)`` in the reveal cell, or ``check(name)``), the recorded
    guess is final: predicting again after seeing the answer does not change what is graded
    (``reset(name)`` starts the exercise over).
    """
    get(name)
    if name in _locked:
        print(f"prediction for {name} is locked: you predicted {fmt(_predictions[name])} before the answer was "
              f"shown (reset({name!r}) starts over)")
        return
    _predictions[name] = value
    print(f"prediction recorded for {name}: {fmt(value)}")


def reveal(name: str) -> None:
    """Mark ``name``'s answer as shown: a real prediction recorded so far is locked.

    An untouched stub (Run All over the student build) is not locked, so the learner can still
    fill in a guess and predict before looking.
    """
    ex = get(name)
    if name in _predictions and not _is_stub(ex, _predictions[name]):
        _locked.add(name)


def hint(name: str, reset: bool = False) -> None:
    """Print the next hint of ``name``'s ladder (``reset=True`` starts again from the first)."""
    ex = get(name)
    if reset:
        _hints_seen[name] = 0
    if not ex.hints:
        print(f"{name} has no hints; solution({name!r}) explains it after a first check")
        return
    seen = _hints_seen.get(name, 0)
    if seen >= len(ex.hints):
        print(f"no more hints for {name} ({len(ex.hints)} of {len(ex.hints)} seen); "
              f"solution({name!r}) explains it; hint({name!r}, reset=True) starts again")
        return
    _hints_seen[name] = seen + 1
    print(f"hint {seen + 1}/{len(ex.hints)} for {name}: {ex.hints[seen]}")


def next_hint(name: str) -> str | None:
    """The hint ``hint(name)`` would print next, without marking it seen; ``None`` once all were seen."""
    ex = get(name)
    seen = _hints_seen.get(name, 0)
    return ex.hints[seen] if seen < len(ex.hints) else None


def solution(name: str, force: bool = False) -> None:
    """Print the explanation, once ``name`` has been checked at least once or every hint was seen."""
    ex = get(name)
    tried = _attempts.get(name, 0) > 0
    hinted_out = bool(ex.hints) and _hints_seen.get(name, 0) >= len(ex.hints)
    if not (tried or hinted_out or force):
        after = f"a first check({name!r}, ...)"
        if ex.hints:
            after += f" or all {len(ex.hints)} hints (hint({name!r}))"
        print(f"the solution of {name} opens after {after}; solution({name!r}, force=True) opens it now")
        return
    print(f"solution of {name}:\n{ex.solution or '(no explanation written yet)'}")


def reset(name: str | None = None) -> None:
    """Forget attempts, hints seen and predictions (of one exercise, or all)."""
    for state in (_attempts, _hints_seen, _predictions):
        if name is None:
            state.clear()
        else:
            state.pop(name, None)
    if name is None:
        _locked.clear()
    else:
        _locked.discard(name)


def fmt(value: Any) -> str:
    """A deterministic repr: dicts by key and sets sorted, no ``at 0x…`` addresses."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", _fmt(value))


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: _sort_key(kv[0]))
        return "{" + ", ".join(f"{_fmt(k)}: {_fmt(v)}" for k, v in items) + "}"
    if isinstance(value, (set, frozenset)):
        if not value:
            return f"{type(value).__name__}()"
        body = ", ".join(sorted(_fmt(v) for v in value))
        return "{" + body + "}" if type(value) is set else f"frozenset({{{body}}})"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, tuple) and type(value) is tuple:
        return "(" + ", ".join(_fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def is_stub(name: str, answer: Any) -> bool:
    """Whether ``answer`` is exercise ``name``'s untouched stub: its placeholder, or a do-nothing function.

    Holds for every exercise without its verdict running, so an untouched exercise cell always gets
    "no answer yet", never a wrong-answer verdict about what the stub happens to do.

    >>> def key_for(event):
    ...     \"""Return the record key.\"""
    >>> is_stub("demo_partition_count", None), is_stub("demo_partition_count", key_for)
    (True, True)
    """
    return _is_stub(get(name), answer)


def _is_stub(ex: Exercise, answer: Any) -> bool:
    if _does_nothing(answer):
        return True
    return type(answer) is type(ex.stub) and bool(answer == ex.stub)


# What a function whose body is `pass`, `...`, `return`, `return None` or only a docstring compiles to
# (3.10/3.11: LOAD_CONST None + RETURN_VALUE; 3.12/3.13: RETURN_CONST None); bookkeeping ops are skipped.
_NOTHING = ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])
_BOOKKEEPING = frozenset({"RESUME", "NOP", "CACHE", "EXTENDED_ARG", "NOT_TAKEN"})


def _does_nothing(fn: Any) -> bool:
    """A plain function (``def`` or ``lambda``) that returns None without doing anything."""
    if not isinstance(fn, types.FunctionType):
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(fn.__code__) if i.opname not in _BOOKKEEPING]
    return ops in _NOTHING


def _sort_key(key: Any):
    return (type(key).__name__, _fmt(key))


def _origin(fn) -> tuple[str, str]:
    return getattr(fn, "__module__", "?"), getattr(fn, "__qualname__", "?")


def _is_kafka_exception(exc: BaseException) -> bool:
    try:
        from kafkalab.errors import KafkaException
    except ImportError:  # pragma: no cover - errors.py is part of the package
        return False
    return isinstance(exc, KafkaException)


_loaded = False


def _load_all() -> None:
    """Import every ``kafkalab.exercises`` module once, so their ``@exercise`` definitions register."""
    global _loaded
    if _loaded:
        return
    from kafkalab import exercises
    for info in sorted(pkgutil.iter_modules(exercises.__path__), key=lambda m: m.name):
        if not info.name.startswith("_") and info.name != "core":
            importlib.import_module(f"kafkalab.exercises.{info.name}")
    _loaded = True
