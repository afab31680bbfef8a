"""Graded exercises for the notebooks: ``check``, ``hint``, ``solution``, ``predict``.

Each module here registers the exercises of one notebook with ``@exercise``; the machinery is in
:mod:`kafkalab.exercises.core`. A notebook needs only::

    from kafkalab.exercises import check, hint, predict, solution
"""
from kafkalab.exercises.core import (
    Exercise,
    ExerciseNotSolved,
    Prediction,
    UnknownExercise,
    check,
    exercise,
    fmt,
    get,
    hint,
    names,
    predict,
    reset,
    reveal,
    solution,
    verdict,
)

__all__ = ["Exercise", "ExerciseNotSolved", "Prediction", "UnknownExercise", "check", "exercise", "fmt", "get",
           "hint", "names", "predict", "reset", "reveal", "solution", "verdict"]
