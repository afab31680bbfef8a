"""Untouched stubs say "no answer yet" for every registered exercise, present and future.

The machinery decides before any verdict runs: an answer equal to the exercise's registered ``stub``
(``None`` unless it says otherwise), or a function whose body does nothing, is not an answer. So a
new exercise gets this for free, and its verdict never has to recognise its own stub. That the real
notebook stubs are such values is checked where they run in context: nbval on the student build
(``--student-stubs`` fails a check that grades a stub as a wrong answer, see kafkalab.pytest_plugin).
"""
from __future__ import annotations

import pickle

import pytest

from kafkalab import exercises
from kafkalab.exercises import NO_ANSWER, ExerciseNotSolved, Prediction, check, is_stub, predict, verdict


def _pass(event):
    pass


def _return_none(consumer, tp, n):
    return None


def _docstring_only(merchant_id: int, payment_id: str) -> bytes:
    """The record key of one payment event."""


def _ellipsis(*args, **kwargs):
    ...


DO_NOTHING = [_pass, _return_none, _docstring_only, _ellipsis, lambda *a, **k: None]


@pytest.fixture(autouse=True)
def fresh_state():
    exercises.reset()
    yield
    exercises.reset()


def stubs_of(name: str) -> list:
    return [exercises.get(name).stub, *DO_NOTHING]


@pytest.mark.parametrize("name", exercises.names())
def test_every_registered_exercise_says_no_answer_yet_to_untouched_stubs(name):
    ex = exercises.get(name)
    for stub in stubs_of(name):
        assert is_stub(name, stub)
        said = verdict(name, stub)
        assert said is not None and said.startswith(f"{NO_ANSWER}: "), f"{name} graded its stub {stub!r}: {said}"
        with pytest.raises(ExerciseNotSolved) as info:
            if isinstance(ex.verdict, Prediction):
                predict(name, stub)
                check(name)
            else:
                check(name, stub)
        assert info.value.unanswered and info.value.message == said
        exercises.reset(name)


def test_the_message_names_what_to_fill_in():
    assert verdict("session_key", _pass) == f"{NO_ANSWER}: write the body of _pass in the exercise cell above"
    assert verdict("session_key", lambda e: None).endswith("write the body of your function in the exercise cell above")
    assert verdict("size_ingest_topic", None) == f"{NO_ANSWER}: replace None in the exercise cell above"


def test_functions_that_do_something_are_answers():
    def assigns(event):
        key = None  # noqa: F841 - a body that does something, however little
    def constant(event):
        return b"k"
    for fn in (assigns, constant, print):
        assert not is_stub("session_key", fn)
        assert not (verdict("session_key", fn) or "").startswith(NO_ANSWER)


def test_a_wrong_answer_is_not_unanswered_and_both_survive_pickling():
    with pytest.raises(ExerciseNotSolved) as wrong:
        check("demo_partition_count", 30)
    with pytest.raises(ExerciseNotSolved) as empty:
        check("demo_partition_count", None)
    with pytest.raises(ExerciseNotSolved) as no_prediction:
        check("demo_replica_count")
    assert (wrong.value.unanswered, empty.value.unanswered, no_prediction.value.unanswered) == (False, True, True)
    again = pickle.loads(pickle.dumps(empty.value))
    assert (again.unanswered, str(again)) == (True, str(empty.value))
