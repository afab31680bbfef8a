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


def test_survive_outage():
    assert verdict("survive_outage", {"max.retries": "20"}) is None
    assert verdict("survive_outage", {"retry.backoff.ms": "5000"}) is None  # 10 x 5 s also outlasts 40 s
    hints = fails("survive_outage", [{}, {"errors.tolerance": "all"}, {"errors.retry.timeout.ms": "60000"},
                                     {"max.retries": "12"}, {"insert.mode": "upsert"}, ["max.retries", 20]])
    assert "FAILED" in hints[0] and "errors.tolerance cover" in hints[1] and "errors.retry.timeout.ms" in hints[2]
    assert "FAILED" in hints[3] and "rejects" in hints[4]


def test_fix_guide_config():
    url = "http://schema-registry:8081"
    assert verdict("fix_guide_config", dict(nb07.GUIDE_CONFIG, **{"key.converter.schema.registry.url": url})) is None
    assert verdict("fix_guide_config", dict(nb07.GUIDE_CONFIG, **{
        "key.converter": "org.apache.kafka.connect.storage.StringConverter"})) is None  # the events have no key
    no_user = {k: v for k, v in nb07.GUIDE_CONFIG.items() if k != "snowflake.user.name"}
    hints = fails("fix_guide_config", [
        nb07.GUIDE_CONFIG,  # as the guide writes it
        dict(nb07.GUIDE_CONFIG, **{"schema.registry.url": url}),  # unprefixed: no converter reads it
        dict(nb07.GUIDE_CONFIG, **{"key.converter.schema.registry.url": url,
                                   "value.converter": "org.apache.kafka.connect.json.JsonConverter"}),
        no_user, dict(nb07.GUIDE_CONFIG, **{"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector"})])
    assert 'Missing required configuration "schema.registry.url"' in hints[0] and "4 of 4" in hints[0]
    assert 'Missing required configuration "schema.registry.url"' in hints[1]
    assert "DataException" in hints[2] and "400" in hints[3] and "keep the guide's connector" in hints[4]


def test_five_axis_and_guide_predictions():
    truth = nb07.poison_missing()
    assert truth == {"custom loader": 6, "JDBC sink connector": 0}
    assert verdict("predict_poison", truth) is None
    fails("predict_poison", [{"custom loader": 0, "JDBC sink connector": 0},
                             {"custom loader": 1, "JDBC sink connector": 0},
                             {"custom loader": 6, "JDBC sink connector": 1}, 6])
    assert nb07.long_outage_state() == "FAILED"
    assert verdict("predict_long_outage", "FAILED") is None
    hints = fails("predict_long_outage", ["RUNNING", "running", "UNASSIGNED", None])
    assert "max.retries=10" in hints[0]
    assert nb07._guide_verdict() == (201, "FAILED")
    assert verdict("predict_guide_json", (201, "FAILED")) is None
    hints = fails("predict_guide_json", [(400, None), (201, "RUNNING"), (500, None), 400])
    assert "201 Created" in hints[0] and "schema.registry.url" in hints[1]


def test_predict_coupons():
    truth = nb07.coupons_stored()
    assert truth == {"custom loader": 0, "JDBC sink connector": 8}
    assert verdict("predict_coupons", truth) is None
    hints = fails("predict_coupons", [{"custom loader": 8, "JDBC sink connector": 8},
                                      {"custom loader": 0, "JDBC sink connector": 0},
                                      {"custom loader": 4, "JDBC sink connector": 4}, 8])
    assert "fixed" not in hints[0] and "INSERT names its columns" in hints[0] and "auto.evolve" in hints[1]
