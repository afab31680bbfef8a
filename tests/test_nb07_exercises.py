"""Notebook 07's checkers: the right answer passes; typical wrong answers fail, each with a hint."""
import pytest

from kafkalab.exercises import ExerciseNotSolved, check, nb07, verdict

U = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}%s]}'


def fails(name, answers):
    hints = [verdict(name, a) for a in answers]
    assert all(hints), hints
    return hints


def test_backward_not_forward():
    assert verdict("backward_not_forward", U % "") is None  # age dropped
    assert verdict("backward_not_forward", U % ',{"name":"age","type":"long"}') is None  # widened
    hints = fails("backward_not_forward", [U % ',{"name":"age","type":"int"},{"name":"email","type":"string"}',
                                           U % ',{"name":"age","type":"int"},{"name":"e","type":"string","default":""}',
                                           (U % ',{"name":"age","type":"int"}').replace("User", "Person"),
                                           '{"type":"record"}', nb07.USER_V1, 42])
    assert "409" in hints[0] and "FULL" in hints[1] and "name of the schema" in hints[2] and "422" in hints[3]


def test_dlq_sink():
    right = {"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq",
             "errors.deadletterqueue.context.headers.enable": "true"}
    assert verdict("dlq_sink", right) is None
    hints = fails("dlq_sink", [{"errors.tolerance": "all"}, {"errors.deadletterqueue.topic.name": "orders-dlq"}, {},
                               {"errors.tolerance": "sometimes"}, "all"])
    assert "dropped" in hints[0] and "FAILED" in hints[1] and "rejects" in hints[3]


def test_idempotent_sink():
    assert verdict("idempotent_sink", {"insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id"}) is None
    hints = fails("idempotent_sink", [{}, {"insert.mode": "upsert", "pk.mode": "kafka"}, {"insert.mode": "upsert"},
                                      {"insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "amount"}])
    assert "own row" in hints[0] and "offset" in hints[1] and "rejects" in hints[2]


def test_additive_change():
    assert verdict("additive_change", {"auto.evolve": "true"}) is None
    hints = fails("additive_change", [{}, {"errors.tolerance": "all"}, {"auto.evolve": "true", "auto.create": "false"},
                                      {"auto.evolve": "true", "pk.mode": "nonsense"}])
    assert "errors.tolerance does not cover" in hints[1]


def test_predictions():
    truth = nb07.registry_verdicts()
    assert truth == {"BACKWARD": "registered", "BACKWARD_TRANSITIVE": 409, "FORWARD": "registered",
                     "FULL_TRANSITIVE": 409}  # Confluent's rules: plain levels check the latest version only
    assert verdict("predict_verdicts", truth) is None
    fails("predict_verdicts", [dict(truth, BACKWARD=409), dict(truth, BACKWARD_TRANSITIVE="registered"),
                               {k: "registered" for k in truth}, "yes"])
    assert nb07.handover() == (2, 4)
    assert verdict("predict_handover", (2, 4)) is None
    fails("predict_handover", [(4, 4), (2, 2), (0, 4), 4])


def test_check_raises_on_a_wrong_answer():
    with pytest.raises(ExerciseNotSolved):
        check("dlq_sink", {})
