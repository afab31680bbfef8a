"""Exercises of ``notebooks/10_kafka_4x.py``, Parts B and C: share groups and version profiles.

(Part A's KRaft exercises live in ``nb10_kraft.py``.)  Every verdict runs the learner's answer on the
simulator: a group config through a slow consumer and a crash (``share_lab.lock_story``), a decision
function inside share consumers over jobs that fail (``share_lab.queue_run``), a prediction of what the
default Java producer does on three version profiles against the run that reveals it, and a Java producer
config through the same faults on those profiles, several seeds (``version_lab.java_producer_faults``).
"""
from __future__ import annotations

from ..clients.share_consumer import AcknowledgeType
from ..errors import KafkaException, error_text
from ..share_lab import lock_story, queue_run
from ..version_lab import java_producer_faults
from .core import Prediction, exercise

SEEDS = (42, 7)

# ---------------------------------------------------------------------------------------------
# 1. An acquisition lock that fits the work
# ---------------------------------------------------------------------------------------------
PROCESSING_MS = 16_000  # what the slow consumer needs per batch
DEADLINE_MS = 20_000  # a crashed consumer's jobs must be back in work within this


def _lock_verdict(answer) -> str | None:
    if not isinstance(answer, dict):
        return 'answer with a dict of share group configs, e.g. {"share.record.lock.duration.ms": 45000}'
    if not answer:
        answer = {}
    for seed in SEEDS:
        try:
            r = lock_story(answer, seed=seed, processing_ms=PROCESSING_MS)
        except ValueError as exc:
            text = str(exc)
            if "between 15000" in text:
                return (f"{text}: a group's lock cannot go below group.share.min.record.lock.duration.ms "
                        "(15 s by default)")
            return text
        if r["slow_rejected"] or r["slow_redelivered"]:
            return (f"with a {r['lock_ms'] // 1000} s lock the slow consumer's records are released while it still "
                    f"works on them ({PROCESSING_MS // 1000} s per batch): its acknowledgements are refused "
                    "(INVALID_RECORD_STATE) and the records are handed out again")
        if r["redelivery_ms"] < 0 or r["redelivery_ms"] > DEADLINE_MS:
            return (f"the crashed consumer's jobs came back only {r['redelivery_ms'] / 1000:.1f} s after the crash "
                    f"(the {r['lock_ms'] // 1000} s lock has to run out first); they must be back within "
                    f"{DEADLINE_MS // 1000} s")
    return None


exercise(
    "share_lock_duration",
    hints=[("Nothing tells the broker that a consumer died while holding records: only the acquisition lock "
           "running out gives them back."),
           "The lock must outlast one batch of work (16 s) and run out soon enough after a crash (20 s).",
           "The setting is the group config share.record.lock.duration.ms; a group may not go below 15 s."],
    solution='{"share.record.lock.duration.ms": 20000}: anything above the 16 s of work (plus a round trip) and at '
             "most about 21 s works. The 30 s default gives the crashed consumer's jobs back only after ~28 s; "
             "15 s (the minimum a group may set) expires under the slow consumer, whose acknowledgements are then "
             "refused with INVALID_RECORD_STATE and whose jobs are handed out twice. (In Kafka 4.2 a consumer "
             "can also extend its lock with AcknowledgeType.RENEW, KIP-1222.)",
    why="a share group's only failure detector for records is the acquisition lock",
)(_lock_verdict)


# ---------------------------------------------------------------------------------------------
# 2. ACCEPT, RELEASE or REJECT
# ---------------------------------------------------------------------------------------------
POISON, FLAKY = "job-3", "job-5"


def _fail(value, delivery_count):
    """job-3 can never be processed (malformed); job-5 fails the first time (a downstream timeout)."""
    if value == POISON:
        return "permanent"
    if value == FLAKY and delivery_count == 1:
        return "transient"
    return None


def _decide_verdict(answer) -> str | None:
    if not callable(answer):
        return "answer with a function decide(msg, error) that returns an AcknowledgeType"
    for seed in SEEDS:
        try:
            run = queue_run("share", consumers=2, records=8, batch=2, crash=None, seed=seed, decide=answer,
                            fail=_fail, until_ms=60_000)
        except (TypeError, ValueError, KeyError) as exc:
            return f"decide(msg, error) must return AcknowledgeType.ACCEPT, RELEASE or REJECT ({error_text(exc)})"
        poison = [d for d in run.deliveries if d.value == POISON]
        flaky = [d for d in run.deliveries if d.value == FLAKY]
        accepted_bad = [d.value for d in run.deliveries if d.error is not None and d.outcome == "ACCEPT"]
        if accepted_bad:
            return (f"{min(set(accepted_bad))} was ACCEPTed although its processing failed: the share group "
                    "counts it as done and nobody processes it again")
        if not any(d.error is None for d in flaky):
            return (f"{FLAKY} failed once for a passing reason but was never processed: REJECT archives a record "
                    "for good; RELEASE hands it out again")
        if len(poison) > 1:
            return (f"{POISON} can never succeed, yet it was delivered {len(poison)} times (delivery count up to "
                    f"{max(d.delivery_count for d in poison)}): RELEASE puts it back until share.delivery.count.limit "
                    "archives it; REJECT archives it at once")
        good = {d.value for d in run.deliveries if d.error is None and d.outcome == "ACCEPT"}
        missing = sorted({f"job-{i}" for i in range(8)} - good - {POISON})
        if missing:
            return f"{', '.join(missing)} never ended ACCEPTed after processing succeeded"
    return None


exercise(
    "share_ack_decisions",
    hints=["Three outcomes, three acknowledgement types: done, try again later, never.",
           "A RELEASEd record comes back (delivery count + 1) until share.delivery.count.limit (5) archives it.",
           "error is None -> ACCEPT; 'transient' -> RELEASE; 'permanent' -> REJECT."],
    solution="def decide(msg, error):\n"
             "    if error is None:\n        return AcknowledgeType.ACCEPT\n"
             "    if error == 'transient':\n        return AcknowledgeType.RELEASE\n"
             "    return AcknowledgeType.REJECT\n"
             "ACCEPT marks the record ACKNOWLEDGED; RELEASE makes it AVAILABLE again for another delivery (a "
             "transient failure gets a second chance); REJECT makes it ARCHIVED at once, so a poison record is "
             "not delivered five times before share.delivery.count.limit gives up on it.",
    why="the acknowledgement type is how a share consumer says done / retry / never",
)(_decide_verdict)


# ---------------------------------------------------------------------------------------------
# 3. Predict what the same producer code does on three versions
# ---------------------------------------------------------------------------------------------
PREDICT_PROFILES = ("2.8", "3.0", "4.2")


def default_producer_outcomes() -> dict:
    """``{profile: {"duplicates": bool, "lost": bool}}`` for a Java producer with nothing but bootstrap.servers."""
    out = {}
    for p in PREDICT_PROFILES:
        r = java_producer_faults(p)
        out[p] = {"duplicates": bool(r.duplicates), "lost": bool(r.lost)}
    return out


def _explain_outcomes(predicted, actual) -> str | None:
    shape = '{"2.8": {"duplicates": True, "lost": False}, "3.0": {...}, "4.2": {...}}'
    if not isinstance(predicted, dict) or set(predicted) != set(PREDICT_PROFILES) or not all(
            isinstance(v, dict) and set(v) == {"duplicates", "lost"} for v in predicted.values()):
        return f"predict a dict like {shape}"
    p = {k: {f: bool(x) for f, x in v.items()} for k, v in predicted.items()}
    if not p["3.0"]["duplicates"]:
        return ("3.0's documented default is enable.idempotence=true (KIP-679), but the Java client did not apply "
                "it until 3.2 (KAFKA-13598): a retry after a lost response is still appended twice")
    if not p["2.8"]["lost"]:
        return "2.8's default acks=1 is answered by the leader alone: what happens to that write when it dies?"
    if p["4.2"]["duplicates"] or p["4.2"]["lost"]:
        return "4.x defaults are acks=all and idempotence on: the broker drops the retried batch and waits for the ISR"
    if p["3.0"]["lost"]:
        return "3.0 already defaults to acks=all: the acknowledgement waits for the in-sync replicas"
    if not p["2.8"]["duplicates"]:
        return "2.8 has no idempotence by default: the broker cannot tell the retry from a new record"
    return None


exercise(
    "predict_version_outcomes",
    hints=["Two defaults changed in KIP-679: acks (1 -> all) and enable.idempotence (false -> true).",
           "acks decides losses after a leader crash; idempotence decides duplicates after a retry.",
           "Look for KAFKA-13598 in the version table's source column."],
    solution='{"2.8": {"duplicates": True, "lost": True}, "3.0": {"duplicates": True, "lost": False}, '
             '"4.2": {"duplicates": False, "lost": False}}. 2.8: acks=1 loses the write the dead leader '
             "acknowledged, and without idempotence the retry duplicates. 3.0: acks=all, but the idempotence "
             "default was not applied (KAFKA-13598, fixed in 3.2). 4.2: both on.",
    why="what a version's defaults promise and what its client did are not always the same",
)(Prediction(default_producer_outcomes, _explain_outcomes))


# ---------------------------------------------------------------------------------------------
# 4. One producer config, right on every version
# ---------------------------------------------------------------------------------------------
PROFILES = ("2.8", "3.0", "4.2")


def _producer_verdict(answer) -> str | None:
    if not isinstance(answer, dict):
        return 'answer with a Java producer config dict, e.g. {"linger.ms": 10}'
    for profile in PROFILES:
        for seed in SEEDS:
            try:
                r = java_producer_faults(profile, answer, seed=seed)
            except KafkaException as exc:
                return f"the Java producer refuses this config: {error_text(exc)}"
            if r.duplicates:
                return (f"under profile {profile} {r.duplicates[0]} is stored twice: its response was lost and the "
                        f"retry was appended again (enable.idempotence is {str(r.config['enable.idempotence']).lower()}"
                        f" there{' — KAFKA-13598: 3.0 did not apply its own default' if profile == '3.0' else ''})")
            if r.lost:
                return (f"under profile {profile} {r.lost[0]} was acknowledged and then lost: acks={r.config['acks']} "
                        "answered before the followers had it, and a follower took over")
            if r.errors:
                return f"under profile {profile} {r.errors[0][0]} failed ({r.errors[0][1]})"
            if sorted(r.stored) != ["order-1", "order-2", "order-3"]:
                return f"under profile {profile} the partition holds {r.stored}, not each order once"
    return None


exercise(
    "version_safe_producer",
    hints=["Run version_lab.java_producer_faults('2.8') and ('3.0'): what goes wrong differs.",
           "Two defaults changed with KIP-679 (acks, enable.idempotence); 3.0 changed one of them only on paper.",
           "Say it yourself instead of trusting the version's defaults."],
    solution='{"enable.idempotence": True, "acks": "all"}: idempotence makes the broker drop the retried batch it '
             "already has (no duplicate), acks=all waits for the in-sync replicas (no acknowledged loss). Kafka 3.0 "
             "and 3.1 said enable.idempotence=true by default but did not apply it (KAFKA-13598, fixed in 3.2), so "
             "code that relied on the default still duplicated there.",
    why="defaults move between versions; the guarantees you need belong in your own config",
)(_producer_verdict)


def solution_decide(msg, error):
    """The reference ``decide`` (used by the tests and the instructor build)."""
    if error is None:
        return AcknowledgeType.ACCEPT
    if error == "transient":
        return AcknowledgeType.RELEASE
    return AcknowledgeType.REJECT
