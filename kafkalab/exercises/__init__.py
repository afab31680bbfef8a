"""Graded exercises for the notebooks: ``check``, ``hint``, ``solution``, ``predict``.

Each module here registers the exercises of one notebook with ``@exercise``; the machinery is in
:mod:`kafkalab.exercises.core`. A notebook needs only::

    from kafkalab.exercises import check, hint, predict, solution
"""
from kafkalab.exercises.core import (
    NO_ANSWER,
    Exercise,
    ExerciseNotSolved,
    Prediction,
    UnknownExercise,
    check,
    exercise,
    fmt,
    get,
    hint,
    is_stub,
    names,
    next_hint,
    predict,
    reset,
    reveal,
    solution,
    verdict,
)

__all__ = ["NO_ANSWER", "Exercise", "ExerciseNotSolved", "Prediction", "UnknownExercise", "check", "exercise", "fmt",
           "get", "hint", "is_stub", "names", "next_hint", "predict", "reset", "reveal", "solution", "verdict"]
