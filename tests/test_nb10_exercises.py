"""Notebook 10 (Parts B and C) checkers: the right answers pass, typical wrong answers fail, each with its own hint.

Part A's KRaft exercises have their own tests (``test_nb10_kraft_exercises.py``).
"""
import pytest

from kafkalab.clients.share_consumer import AcknowledgeType as A
from kafkalab.exercises import ExerciseNotSolved, check, nb10, verdict


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert not any(h.startswith("no answer yet") for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


@pytest.mark.parametrize("name", ["share_lock_duration", "share_ack_decisions", "predict_version_outcomes",
                                  "version_safe_producer"])
def test_stub_none_is_not_an_answer(name):
    assert verdict(name, None).startswith("no answer yet")
    with pytest.raises(ExerciseNotSolved):
        check(name, None)


# -- 1. the acquisition lock -------------------------------------------------------------------------

@pytest.mark.parametrize("ms", [17_000, 20_000, 21_000])
def test_a_lock_between_the_work_and_the_deadline_passes(ms):
    assert verdict("share_lock_duration", {"share.record.lock.duration.ms": ms}) is None


def test_typical_wrong_locks_fail_for_their_own_reason():
    """The default (30 s) is too slow after a crash; the minimum (15 s) expires under the 16 s of work;
    below the minimum is refused by ShareGroupConfig's bounds; an int is not a config."""
    hints = distinct_hints("share_lock_duration", [{}, {"share.record.lock.duration.ms": 15_000},
                                                   {"share.record.lock.duration.ms": 10_000},
                                                   {"share.record.lock.duration.ms": 60_000}, 20_000])
    assert "28.0 s after the crash" in hints[0]
    assert "INVALID_RECORD_STATE" in hints[1]
    assert "group.share.min.record.lock.duration.ms" in hints[2]
    assert "58.0 s" in hints[3]


# -- 2. ACCEPT / RELEASE / REJECT ------------------------------------------------------------------------

def test_the_reference_decision_passes():
    assert verdict("share_ack_decisions", nb10.solution_decide) is None

    def mine(msg, error):
        return {None: A.ACCEPT, "transient": A.RELEASE}.get(error, A.REJECT)
    assert verdict("share_ack_decisions", mine) is None


def test_typical_wrong_decisions_fail():
    hints = distinct_hints("share_ack_decisions", [
        lambda m, e: A.ACCEPT,  # ack everything
        lambda m, e: A.ACCEPT if e is None else A.RELEASE,  # retry the poison pill forever (well, 5 times)
        lambda m, e: A.ACCEPT if e is None else A.REJECT,  # give up on a passing failure
        lambda m, e: 7,  # not an acknowledgement type
        "ACCEPT",
    ])
    assert "ACCEPTed" in hints[0]
    assert "delivered 5 times" in hints[1]
    assert "never processed" in hints[2]


# -- 3. a producer config for every version -----------------------------------------------------------------

@pytest.mark.parametrize("conf", [{"enable.idempotence": True}, {"enable.idempotence": True, "acks": "all"},
                                  {"enable.idempotence": "true", "acks": "-1", "linger.ms": 20}])
def test_explicit_idempotence_passes_on_every_profile(conf):
    assert verdict("version_safe_producer", conf) is None


def test_typical_wrong_producer_configs_fail():
    """The 2.8 defaults duplicate; acks=all alone still duplicates; acks=1 with idempotence is refused;
    retries=0 under 2.8 keeps acks=1 and loses the acknowledged record."""
    hints = distinct_hints("version_safe_producer", [{}, {"enable.idempotence": True, "acks": "1"},
                                                     {"retries": 0}, {"batch.sizes": 1}, None or []])
    assert "stored twice" in hints[0]
    assert "refuses" in hints[1]
    assert "acknowledged and then lost" in hints[2]


def test_acks_all_alone_fails_under_2_8_and_3_0():
    """KIP-679's acks=all fixes the loss, not the duplicate: 3.0 still did not apply enable.idempotence."""
    from kafkalab.version_lab import java_producer_faults

    assert "stored twice" in verdict("version_safe_producer", {"acks": "all"})
    r = java_producer_faults("3.0", {"acks": "all"})
    assert r.duplicates == ["order-2"] and r.lost == []


# -- 4. predict the versions' outcomes ----------------------------------------------------------------------

RIGHT = {"2.8": {"duplicates": True, "lost": True}, "3.0": {"duplicates": True, "lost": False},
         "4.2": {"duplicates": False, "lost": False}}


def test_the_prediction_is_what_the_simulator_does():
    assert nb10.default_producer_outcomes() == RIGHT
    assert verdict("predict_version_outcomes", RIGHT) is None


def test_typical_wrong_predictions_fail():
    believe_docs = {**RIGHT, "3.0": {"duplicates": False, "lost": False}}  # KIP-679 as documented
    acks1_safe = {**RIGHT, "2.8": {"duplicates": True, "lost": False}}
    modern_dup = {**RIGHT, "4.2": {"duplicates": True, "lost": False}}
    hints = distinct_hints("predict_version_outcomes", [believe_docs, acks1_safe, modern_dup, ["2.8"]])
    assert "KAFKA-13598" in hints[0] and "acks=1" in hints[1]
    with pytest.raises(ExerciseNotSolved):
        check("predict_version_outcomes")  # nothing predicted yet in this process
