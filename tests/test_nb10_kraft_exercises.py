"""Notebook 10 Part A's checkers (KRaft): the right answer passes; typical wrong answers fail, each with its own hint."""
from __future__ import annotations

from kafkalab.confluent_kafka import KafkaError, KafkaException
from kafkalab.confluent_kafka.admin import NewTopic
from kafkalab.exercises import nb10_kraft, verdict


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


# ------------------------------------------------------------------------------------------------
# 1. what works with 2 of 3 voters down


def test_predict_quorum_loss():
    right = {"produce", "consume", "describe_topics"}
    assert nb10_kraft.works_without_quorum(0) == right  # the reveal cell runs the same thing
    assert verdict("predict_quorum_loss", right) is None
    assert verdict("predict_quorum_loss", ["describe_topics", "consume", "produce"]) is None
    hints = distinct_hints("predict_quorum_loss", [
        set(nb10_kraft.OPERATIONS),  # "nothing changes without a quorum"
        {"describe_topics"},  # "the whole cluster stops, only reading metadata works"
        {"produce", "consume"},  # "metadata is unreadable without a controller"
        "produce",  # not a set
    ])
    assert "majority" in hints[0] and "data path" in hints[1] and "image" in hints[2]


# ------------------------------------------------------------------------------------------------
# 2. a quorum that survives two controller failures


def test_survive_two_controller_failures():
    assert verdict("survive_two_controller_failures", {"controllers": 5}) is None
    assert verdict("survive_two_controller_failures", {"controllers": 5, "process_roles": "broker,controller"}) is None
    hints = distinct_hints("survive_two_controller_failures", [
        {"controllers": 3},  # the usual production size tolerates only one failure
        {"controllers": 4},  # an even count
        {"controllers": 5, "broker_config": {"controller.quorum.fetch.timeout.ms": 60_000}},  # too slow to notice
        {"controllers": 1},  # one controller
        5,  # not a dict
    ])
    assert "two dead leave 1" in hints[0] and "REQUEST_TIMED_OUT" in hints[0]
    assert "even" in hints[1]
    assert "timeouts" in hints[2]


def test_survive_checker_runs_the_cluster():
    ok, msg = nb10_kraft.survives_two_failures({"controllers": 5}, seed=1)
    assert ok and "created" in msg
    ok, msg = nb10_kraft.survives_two_failures({"controllers": 3}, seed=1)
    assert not ok and "REQUEST_TIMED_OUT" in msg


# ------------------------------------------------------------------------------------------------
# 3. a topic creation that is safe across a failover


def create_once(admin, topic):
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()
        return True
    except KafkaException as e:
        return e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS


def naive(admin, topic):
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()
    return True


def swallow_everything(admin, topic):
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()
    except Exception:  # noqa: BLE001, S110 - the typical wrong answer under test
        pass
    return True


def any_error_is_failure(admin, topic):
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()
        return True
    except KafkaException:
        return False


def test_the_failover_really_answers_topic_already_exists():
    """The case the exercise is about: killed 3 ms in, the first attempt's TopicRecord had reached a
    follower, the new leader commits it, and the retried request finds it."""
    r = nb10_kraft.run_create_helper(naive, 3)
    assert r["raised"] == "TOPIC_ALREADY_EXISTS" and r["exists"]
    r = nb10_kraft.run_create_helper(naive, 1)  # killed before anything was replicated: created afresh
    assert r["raised"] is None and r["returned"] is True and r["exists"]


def test_create_topic_once():
    assert verdict("create_topic_once", create_once) is None
    hints = distinct_hints("create_topic_once", [naive, swallow_everything, any_error_is_failure, "create"])
    assert "TOPIC_ALREADY_EXISTS" in hints[0]
    assert "2 of 3 voters down" in hints[1]
    assert "returned False" in hints[2]


# ------------------------------------------------------------------------------------------------
# 4. pre-vote when a cut-off leader comes back


def test_predict_prevote_rejoin():
    right = {"pre_vote_on": False, "pre_vote_off": True}
    assert nb10_kraft.rejoin_forces_election(True) is False
    assert nb10_kraft.rejoin_forces_election(False) is True
    assert verdict("predict_prevote_rejoin", right) is None
    hints = distinct_hints("predict_prevote_rejoin", [
        {"pre_vote_on": True, "pre_vote_off": True},  # a returning node always disrupts
        {"pre_vote_on": False, "pre_vote_off": False},  # Raft never lets a stale node disrupt
        {"pre_vote_on": True, "pre_vote_off": False},  # the wrong way round
        True,
    ])
    assert "without raising its epoch" in hints[0] and "higher epoch" in hints[1]
