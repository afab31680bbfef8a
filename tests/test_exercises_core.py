"""The exercise machinery with a toy exercise: verdicts, check, the hint ladder, the gated solution, predictions."""
from __future__ import annotations

import pickle

import pytest

from kafkalab import exercises as ex
from kafkalab.errors import ConfigException
from kafkalab.exercises import ExerciseNotSolved, Prediction, check, exercise, hint, predict, reset, reveal, solution

TOY = "toy_partition_count"


@exercise(TOY, hints=["Replicas are copies, not partitions.", "Add the partitions of both topics."],
          solution="2 + 3 = 5 partitions.", why="replicas are copies of a partition")
def toy_partition_count(answer):
    if answer == 15:
        return "that counts replicas: every copy of a partition is a replica"
    if answer == 2:
        return "that counts topics, not the partitions inside them"
    if answer == {"acks": "all", "bogus.key": 1}:
        raise ConfigException('No such configuration property: "bogus.key"')
    return None if answer == 5 else "add up the partitions of every topic"


TOY_PREDICTION = "toy_isr_size"


@exercise(TOY_PREDICTION, hints=["A crashed broker drops out of the ISR."], solution="3 replicas - 1 crashed = 2.")
@Prediction
def toy_isr_size():
    return 2


@pytest.fixture(autouse=True)
def fresh_state():
    ex.reset()
    yield
    ex.reset()


def not_solved(name, answer=ex.core._MISSING) -> ExerciseNotSolved:
    with pytest.raises(ExerciseNotSolved) as info:
        check(name, answer) if answer is not ex.core._MISSING else check(name)
    return info.value


def test_right_answer_prints_one_line(capsys):
    check(TOY, 5)
    assert capsys.readouterr().out == f"✓ {TOY}: correct — replicas are copies of a partition\n"


def test_each_wrong_answer_gets_its_own_hint():
    replicas, topics = not_solved(TOY, 15), not_solved(TOY, 2)
    assert str(replicas) == f"✗ {TOY}: that counts replicas: every copy of a partition is a replica"
    assert topics.message == "that counts topics, not the partitions inside them"
    assert isinstance(replicas, AssertionError)
    assert replicas._render_traceback_() == [str(replicas)]
    assert "5" not in str(replicas) + str(topics), "a hint must not give the answer away"


def test_stub_answer_is_not_an_attempt(capsys):
    assert not_solved(TOY, None).message == "no answer yet: replace None in the exercise cell above"
    solution(TOY)
    assert "opens after a first check" in capsys.readouterr().out


def test_verdict_is_pure_and_kafka_errors_become_verdicts():
    assert ex.verdict(TOY, 5) is None
    assert ex.verdict(TOY, {"acks": "all", "bogus.key": 1}) == \
        'the simulator rejected it with ConfigException: No such configuration property: "bogus.key"'
    assert ex.core._attempts == {}


def test_a_bug_in_a_verdict_is_not_a_wrong_answer():
    @exercise("toy_buggy")
    def buggy(answer):
        return answer["missing"]

    with pytest.raises(TypeError):
        check("toy_buggy", 3)

    @exercise("toy_bad_return")
    def bad_return(answer):
        return False

    with pytest.raises(TypeError, match="must return None or a str"):
        check("toy_bad_return", 3)


def test_hint_ladder(capsys):
    hint(TOY)
    hint(TOY)
    hint(TOY)
    hint(TOY, reset=True)
    assert capsys.readouterr().out.splitlines() == [
        f"hint 1/2 for {TOY}: Replicas are copies, not partitions.",
        f"hint 2/2 for {TOY}: Add the partitions of both topics.",
        f"no more hints for {TOY} (2 of 2 seen); solution('{TOY}') explains it; hint('{TOY}', reset=True) starts again",
        f"hint 1/2 for {TOY}: Replicas are copies, not partitions.",
    ]


@pytest.mark.parametrize("unlock", ["check", "all hints", "force"])
def test_solution_is_gated(unlock, capsys):
    solution(TOY)
    assert capsys.readouterr().out == (
        f"the solution of {TOY} opens after a first check('{TOY}', ...) or all 2 hints (hint('{TOY}')); "
        f"solution('{TOY}', force=True) opens it now\n")
    hint(TOY)
    solution(TOY)
    assert "opens after" in capsys.readouterr().out  # one hint of two is not enough
    if unlock == "check":
        not_solved(TOY, 2)
    elif unlock == "all hints":
        hint(TOY)
    solution(TOY, force=unlock == "force")
    assert capsys.readouterr().out.endswith(f"solution of {TOY}:\n2 + 3 = 5 partitions.\n")


def test_prediction_recorded_then_checked(capsys):
    assert not_solved(TOY_PREDICTION).message.startswith("no prediction recorded: run predict(")
    predict(TOY_PREDICTION, 3)
    assert capsys.readouterr().out == f"prediction recorded for {TOY_PREDICTION}: 3\n"
    assert not_solved(TOY_PREDICTION).message == "you predicted 3; the simulator gives 2"
    predict(TOY_PREDICTION, 2)  # after the answer was shown: the guess stays 3 (issue 11)
    assert "is locked: you predicted 3" in capsys.readouterr().out
    assert not_solved(TOY_PREDICTION).message == "you predicted 3; the simulator gives 2"
    reset(TOY_PREDICTION)
    predict(TOY_PREDICTION, 2)
    check(TOY_PREDICTION)
    assert capsys.readouterr().out.endswith(f"✓ {TOY_PREDICTION}: correct\n")


def test_reveal_locks_a_prediction_but_not_a_stub(capsys):
    predict(TOY_PREDICTION, None)  # Run All over the student build: the stub is not locked
    reveal(TOY_PREDICTION)
    predict(TOY_PREDICTION, 2)
    reveal(TOY_PREDICTION)  # the reveal cell ran after a real guess
    predict(TOY_PREDICTION, 5)
    assert "is locked: you predicted 2" in capsys.readouterr().out
    check(TOY_PREDICTION)


def test_check_without_an_answer_is_only_for_predictions():
    with pytest.raises(TypeError, match=r"needs the answer: check\('toy_partition_count', answer\)"):
        check(TOY)
    predict(TOY, 5)  # any exercise can take its answer as a prediction
    check(TOY)


def test_prediction_explains_typical_wrong_guesses():
    verdict = Prediction(lambda: {"b": 2, "a": 1},
                         explain=lambda guess, truth: "count the followers too" if guess == {} else None)
    assert verdict({"a": 1, "b": 2}) is None
    assert verdict({}) == "count the followers too"
    assert verdict({"z": 0, "a": 0}) == "you predicted {'a': 0, 'z': 0}; the simulator gives {'a': 1, 'b': 2}"


def test_unknown_name_lists_close_matches():
    with pytest.raises(KeyError) as info:
        check("toy_partition_cuont", 5)
    assert str(info.value).startswith(f"no exercise named 'toy_partition_cuont'; did you mean '{TOY}'")
    with pytest.raises(KeyError, match="known exercises: .*demo_partition_count"):
        hint("zzz")


def test_duplicate_name_from_another_function_is_an_error():
    with pytest.raises(ValueError, match="already registered"):
        exercise(TOY)(lambda answer: None)


def test_messages_are_deterministic():
    class Thing:
        pass

    assert ex.fmt({"b": {3, 1, 2}, "a": [frozenset({"y", "x"}), (1,)]}) == \
        "{'a': [frozenset({'x', 'y'}), (1,)], 'b': {1, 2, 3}}"
    assert " at 0x" not in ex.fmt(Thing())
    assert "\x1b" not in str(not_solved(TOY, 2))


def test_exception_pickles():
    err = pickle.loads(pickle.dumps(ExerciseNotSolved("x", "y")))
    assert (err.name, err.message, str(err)) == ("x", "y", "✗ x: y")


def test_demo_exercises_grade_the_demo_notebook_answers():
    from kafkalab.exercises.demo import DEMO_REPLICATION_FACTOR, DEMO_TOPICS

    partitions = sum(DEMO_TOPICS.values())
    assert ex.verdict("demo_partition_count", partitions) is None
    assert "replicas" in ex.verdict("demo_partition_count", partitions * DEMO_REPLICATION_FACTOR)
    assert "topics" in ex.verdict("demo_partition_count", len(DEMO_TOPICS))
    assert "whole number" in ex.verdict("demo_partition_count", "10")
    assert ex.verdict("demo_replica_count", partitions * DEMO_REPLICATION_FACTOR) is None
    assert "demo_partition_count" in ex.names()
