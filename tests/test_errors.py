"""kafkalab.errors against the installed confluent-kafka: every code, its name and its text."""
import pytest

from kafkalab import errors
from kafkalab.errors import (EXCEPTIONS, SPECS, ConfigException, Err, KafkaError, KafkaException,
                             NotEnoughReplicasException, TopicAuthorizationException, error_text, spec)

ck = pytest.importorskip("confluent_kafka")


def _real_codes() -> dict[int, str]:
    return {getattr(ck.KafkaError, n): n for n in dir(ck.KafkaError)
            if not n.startswith("__") and isinstance(getattr(ck.KafkaError, n), int)}


def test_every_librdkafka_code_has_its_name_and_text():
    real = _real_codes()
    assert len(real) >= 188
    for code, attr in sorted(real.items()):
        mine, theirs = KafkaError(code), ck.KafkaError(code)
        assert (mine.name(), mine.str()) == (theirs.name(), theirs.str()), code
        assert getattr(KafkaError, attr) == code
        assert (mine.fatal(), mine.retriable(), mine.txn_requires_abort()) == \
               (theirs.fatal(), theirs.retriable(), theirs.txn_requires_abort())


def test_repr_str_and_flags_match_confluent_kafka():
    for args, kw in [((Err.NOT_ENOUGH_REPLICAS,), {}), ((Err._PURGE_QUEUE, "custom reason"), {}),
                     ((Err._FENCED,), {"fatal": True}), ((Err.CONCURRENT_TRANSACTIONS,), {"retriable": True}),
                     ((9999,), {})]:
        mine, theirs = KafkaError(*args, **kw), ck.KafkaError(*args, **kw)
        assert (repr(mine), str(mine), mine.name(), mine.str()) == \
               (repr(theirs), str(theirs), theirs.name(), theirs.str())
        assert (mine.fatal(), mine.retriable()) == (theirs.fatal(), theirs.retriable())
        assert mine == theirs.code() and str(KafkaException(mine)) == str(ck.KafkaException(theirs))


def test_kafka_names_and_exception_classes():
    """Kafka's Errors.java names and classes: code 6 is NOT_LEADER_OR_FOLLOWER (librdkafka's
    NOT_LEADER_FOR_PARTITION), code 29's class is TopicAuthorizationException, and a class
    extending RetriableException is retriable on the Java side only (spec().retriable)."""
    assert Err.NOT_LEADER_OR_FOLLOWER == Err.NOT_LEADER_FOR_PARTITION == 6
    assert KafkaError(6).java_name() == "NOT_LEADER_OR_FOLLOWER"
    assert EXCEPTIONS[29] is TopicAuthorizationException and issubclass(TopicAuthorizationException, KafkaException)
    assert spec(19).retriable and not spec(36).retriable
    assert spec(Err.INELIGIBLE_REPLICA).name == "ERR_107?"  # a Kafka code librdkafka has no name for
    e = NotEnoughReplicasException("only 1 of 2 in sync")
    assert e.args[0].code() == 19 and e.args[0].str() == "only 1 of 2 in sync"
    assert error_text(e) == "only 1 of 2 in sync" and error_text(ValueError("v")) == "v"
    assert ConfigException("x").args[0].name() == "_INVALID_ARG"


def test_issue_examples_are_present():
    for name in ("_PURGE_QUEUE", "_NOT_CONFIGURED", "_FENCED", "TOPIC_AUTHORIZATION_FAILED"):
        assert hasattr(Err, name) and hasattr(KafkaError, name)
    assert len([c for c in SPECS if SPECS[c].name and not SPECS[c].name.startswith("ERR_")]) == len(_real_codes())
    assert "TopicAuthorizationException" in errors.__all__
