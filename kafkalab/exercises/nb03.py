"""Exercises of ``notebooks/03_replication_isr.py``: HW vs LEO, the ISR-shrink timeline, durability, diagnosis.

Every verdict runs the simulator (seeded scenarios of :mod:`kafkalab.replication`, random fault
schedules of :mod:`kafkalab.checks`) and judges the learner's answer by what happened.
"""
from __future__ import annotations

from ..checks import find_anomalies, random_schedule, run_schedule
from ..replication import (
    GUIDE_PRODUCER,
    hw_example,
    isr_shrink_example,
    isr_shrink_schedule,
    run_scenario,
    unclean_election_example,
)
from .core import Prediction, exercise, fmt

# -- 1. when does a crashed broker leave the ISR? -------------------------------------------------
# Not the page's run (B3 crashed at 5 s, shown in the table above): the same cluster, B3 crashing at 22 s.
FENCE_CRASH_S = 22


def fence_time_actual() -> float:
    run = run_scenario(isr_shrink_schedule(blip_ms=0, crash_s=FENCE_CRASH_S), producer=dict(GUIDE_PRODUCER))
    first = next(e for e in run.trace.filter("metadata.PartitionChangeRecord") if e.time_ms >= run.t0)
    return run.t(first.time_ms)


@exercise(
    "fence_time",
    hints=["Which component notices that B3 is gone, and through which messages?",
           "In KRaft a broker proves it is alive by heartbeating the controller every broker.heartbeat.interval.ms.",
           ("The controller fences a broker that has been silent for broker.session.timeout.ms (9000 ms); fencing "
           "removes it from every ISR. replica.lag.time.max.ms is for followers that are alive but behind.")],
    solution="B3's last heartbeat before the crash at 22 s was at about t=21 s; the controller fences it once it has "
             "been silent for more than broker.session.timeout.ms = 9 s, so at about t=30 s the PartitionChangeRecord "
             "sets ISR = {1,2}. 52 s (22 s + replica.lag.time.max.ms) is what a live but lagging follower would take.",
    why="KRaft fencing (broker.session.timeout.ms), not replica.lag.time.max.ms, removes a dead broker",
)
def fence_time(answer) -> str | None:
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return "answer with a number of seconds, e.g. 12.5"
    actual = fence_time_actual()
    if abs(answer - actual) <= 1.0:
        return None
    if abs(answer - (FENCE_CRASH_S + 30)) <= 2:
        return f"that is {FENCE_CRASH_S} s + replica.lag.time.max.ms: but nobody waits for a dead broker to lag; " \
               "the controller notices the missing heartbeats first"
    if abs(answer - 14) <= 1:
        return f"that is the page's run, where B3 crashed at 5 s; here it crashes at {FENCE_CRASH_S} s"
    if answer <= FENCE_CRASH_S + 1:
        return "the crash itself changes nothing yet: the cluster only learns of it when heartbeats stop arriving"
    return f"not when the simulator does it: count the heartbeat interval and broker.session.timeout.ms from " \
           f"t={FENCE_CRASH_S} s"


# -- 2. the guide's worked example, really run ----------------------------------------------------
# Not the page's 10 s blip (its timeline is printed above): B2 cut off for 20 s, from 70 s to 90 s.
GUIDE_BLIP_MS, GUIDE_TIMES = 20_000, (40, 85)


def _example_facts() -> dict:
    run = isr_shrink_example(blip_ms=GUIDE_BLIP_MS)
    isr = [1, 2, 3]
    at = {}
    for t in GUIDE_TIMES:
        cur = [1, 2, 3]
        for e in run.trace.filter("metadata.PartitionChangeRecord"):
            if "isr" in e.fields and run.t(e.time_ms) <= t:
                cur = list(e.fields["isr"])
        at[t] = cur
    isr = at
    third = run.writes[2]
    return {"isr_at_40": isr[40], "isr_at_85": isr[85],
            "write_3": {"ok": "acknowledged", "failed": "rejected", "unknown": "timed out"}.get(third["result"],
                                                                                              third["result"])}


@exercise(
    "guide_example",
    hints=["Reason from the configs: when is B3 fenced, when is B2, and when is B2 back?",
           ("At 85 s B2 has been unreachable for 15 s. Has the controller fenced it yet? When does it come back "
            "into the ISR?"),
           ("The guide's producer has enable.idempotence=True and delivery.timeout.ms=120000: a retriable error is "
            "retried until the delivery timeout.")],
    solution="{'isr_at_40': [1, 2], 'isr_at_85': [1], 'write_3': 'acknowledged'}. B3 is fenced at ~14 s. B2's "
             "heartbeats stop at 70 s, so the controller fences it at ~78 s (broker.session.timeout.ms = 9 s): the "
             "ISR is {1} until B2 is back at ~90 s. Write 3 (75 s) waits for B2, gets NOT_ENOUGH_REPLICAS(_AFTER_"
             "APPEND) while the ISR is below min.insync.replicas=2, is retried (retriable, delivery.timeout.ms = "
             "120 s) and acknowledged once B2 has caught up.",
    why="a 20 s blip fences B2 and delays write 3; with retries and a long delivery timeout nothing is rejected",
)
def guide_example(answer) -> str | None:
    if not isinstance(answer, dict) or set(answer) != {"isr_at_40", "isr_at_85", "write_3"}:
        return "answer with a dict {'isr_at_40': [...], 'isr_at_85': [...], 'write_3': 'acknowledged' | " \
               "'rejected' | 'timed out'}"
    facts = _example_facts()
    got = {"isr_at_40": sorted(answer["isr_at_40"] or []), "isr_at_85": sorted(answer["isr_at_85"] or []),
           "write_3": answer["write_3"]}
    if got["isr_at_40"] != facts["isr_at_40"]:
        return f"at 40 s the ISR is not {fmt(got['isr_at_40'])}: B3 crashed at 5 s — has it been fenced by then?"
    if got["isr_at_85"] != facts["isr_at_85"]:
        if got["isr_at_85"] == [1, 2]:
            return "at 85 s B2 has been silent for 15 s, longer than broker.session.timeout.ms (9 s): the " \
                   "controller has fenced it, and fencing removes it from the ISR"
        return f"at 85 s the ISR is not {fmt(got['isr_at_85'])}: who is still heartbeating, and who is in sync?"
    if got["write_3"] != facts["write_3"]:
        if got["write_3"] == "rejected":
            return "the leader did answer with errors (NOT_ENOUGH_REPLICAS…), but they are retriable: look at the " \
                   "delivery report, not at the broker's answers"
        return f"the delivery report of write 3 says {facts['write_3']!r}: check delivery.timeout.ms against how " \
               f"long B2 was gone"
    return None


# -- 3. predict, then run: HW vs LEO ---------------------------------------------------------------
def hw_actual() -> tuple:
    run = hw_example(latency_ms=2000, writes=3)
    leader, slow = run.cluster.brokers[1].logs[("orders", 0)], run.cluster.brokers[3].logs[("orders", 0)]
    return (leader.log_end_offset, leader.high_watermark, slow.log_end_offset)


def _hw_explain(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 3):
        return "predict a tuple (leader LEO, leader HW, B3 LEO)"
    if predicted[0] != actual[0]:
        return "acks=1 is answered right after the leader's append: every acknowledged record is in the leader's log"
    if predicted[1] == predicted[0]:
        return "the HW is the smallest LEO over the ISR, and the slow B3 is still in the ISR: the HW cannot pass " \
               "what B3 has"
    if predicted[2] != actual[2]:
        return "B3's links take 2 s one way: half a second after the writes its fetch has not even arrived"
    return None


exercise(
    "predict_hw",
    hints=["The leader's LEO counts what it appended; acks=1 answers right after that append.",
           "HW = min LEO over the ISR. Is B3 still in the ISR half a second later?"],
    solution="(3, 0, 0): the leader appended 3 records (LEO 3) and acknowledged them (acks=1), but B3 is still in "
             "the ISR with LEO 0, so the HW stays 0 and consumers see nothing yet. The acknowledged records are "
             "not committed: lose B1 now and they are gone.",
    why="acknowledged (acks=1) is not committed: the HW waits for the slowest in-sync replica",
)(Prediction(hw_actual, _hw_explain))


# -- 4. a topic + producer configuration that survives the fault schedules -------------------------
def _setup(answer) -> dict:
    return {"replication_factor": int(answer["replication.factor"]),
            "min.insync.replicas": int(answer["min.insync.replicas"]), "acks": str(answer["acks"]),
            "unclean.leader.election.enable": bool(answer["unclean.leader.election.enable"]), "max_failed": 1}


@exercise(
    "durable_config",
    hints=[("Three things are checked: no acknowledged write may ever be lost; with one broker down writes must "
           "still be acknowledged; with two down they must be refused rather than kept on a single copy."),
           ("An acknowledgement only means 'durable' if it waited for every in-sync replica, and the ISR itself must "
           "not be allowed to shrink to a single copy while writes go on."),
           "A replica that was out of sync must never become leader, even if that means waiting."],
    solution="{'replication.factor': 3, 'min.insync.replicas': 2, 'acks': 'all', "
             "'unclean.leader.election.enable': False}: acks=all waits for the whole ISR, min.insync.replicas=2 "
             "refuses writes that would live on one copy only, unclean election off never promotes a replica that "
             "missed acknowledged writes, and with RF=3 one broker can be down while two copies remain.",
    why="acks=all + min.insync.replicas=2 + RF=3 + no unclean election: durable, and available with one broker down",
)
def durable_config(answer) -> str | None:
    keys = {"replication.factor", "min.insync.replicas", "acks", "unclean.leader.election.enable"}
    if not isinstance(answer, dict) or set(answer) != keys:
        return f"answer with a dict with exactly these keys: {sorted(keys)}"
    if str(answer["acks"]) not in ("0", "1", "all", "-1"):
        return "acks is '0', '1' or 'all'"
    setup = _setup(answer)
    if setup["acks"] == "-1":
        setup["acks"] = "all"
    rf, mi = setup["replication_factor"], setup["min.insync.replicas"]
    if not 1 <= rf <= 3 or not 1 <= mi <= 3:
        return "the cluster has 3 brokers: replication.factor and min.insync.replicas between 1 and 3"
    for seed in range(6):
        history, cluster = run_schedule(random_schedule(seed, 200, setup))
        lost = [r for r in find_anomalies(history, cluster, "jepsen") if r["kind"] == "lost"]
        if lost:
            return f"random fault schedule {seed} lost {len(lost)} acknowledged write(s), e.g. {lost[0]['value']!r}: " \
                   f"{lost[0]['explanation']}"
    run = unclean_election_example(unclean=setup["unclean.leader.election.enable"], acks=setup["acks"],
                                   min_insync_replicas=mi)
    if run.lost():
        return f"when the whole ISR dies and a stale replica comes back, {len(run.lost())} acknowledged writes " \
               f"were lost: being unavailable for a while is allowed here, losing data is not"
    one = _writes_with_down(setup, down=1)
    bad = [w for w in one.writes if w["result"] != "ok"]
    if bad:
        rf, mi = setup["replication_factor"], setup["min.insync.replicas"]
        return f"with one broker down {len(bad)} of 5 writes were not acknowledged ({bad[0]['error']}): " \
               f"{rf - 1} in-sync {'copy remains' if rf - 1 == 1 else 'copies remain'}, fewer than " \
               f"min.insync.replicas={mi}"
    if setup["replication_factor"] >= 3:
        two = _writes_with_down(setup, down=2)
        single = [w for w in two.writes if w["result"] == "ok"]
        if single:
            return f"with two brokers down {len(single)} writes were acknowledged while a single copy existed: " \
                   f"one more failure and they are gone; the leader should refuse them"
    return None


def _writes_with_down(setup: dict, down: int):
    from ..replication import run_scenario

    rf = setup["replication_factor"]
    sched = [(5, "crash", rf - i) for i in range(down)] + [(20 + i, "write", f"x{i}") for i in range(5)]
    return run_scenario(sched, replication_factor=rf, min_insync_replicas=setup["min.insync.replicas"],
                        acks=setup["acks"], unclean=setup["unclean.leader.election.enable"],
                        producer={"delivery.timeout.ms": 20_000}, run_s=50)


# -- 5. diagnose a history with lost writes ---------------------------------------------------------
CAUSES = ("unclean leader election", "acks=1 leader failover", "consumer read past the high watermark",
          "producer retry without idempotence")


def diagnosis_run():
    """The history handed to the learner: what happened is in its trace; the question is why data vanished."""
    return unclean_election_example(unclean=True)


@exercise(
    "diagnose_lost_write",
    hints=["Run check(...) on the history: which values are reported lost, and at which offsets?",
           ("Look for the PartitionChangeRecord that made the new leader: what kind of election was it, and was the "
           "new leader in the ISR before?"),
           f"The cause is one of {', '.join(repr(c) for c in CAUSES)}."],
    solution="{'lost': ['a', 'b', 'c'], 'cause': 'unclean leader election'}: B3 crashed at 5 s and left the ISR, so "
             "it never got a, b, c. When B1 and B2 died, unclean.leader.election.enable=true let B3 lead with an "
             "empty log (election='unclean'); when B1 and B2 came back they truncated to B3's log, and the three "
             "acknowledged writes were gone.",
    why="an out-of-sync replica became leader; the followers then truncated to its log",
)
def diagnose_lost_write(answer) -> str | None:
    if not isinstance(answer, dict) or set(answer) != {"lost", "cause"}:
        return "answer with a dict {'lost': [values], 'cause': one of CAUSES}"
    run = diagnosis_run()
    truth = sorted(run.lost())
    got = sorted(str(v) for v in (answer["lost"] or []))
    if got != truth:
        if set(got) < set(truth):
            return "some lost writes are missing from your list: every acknowledged value the final log lacks counts"
        return "that list includes values that survived (or were never acknowledged): compare the history's ok " \
               "sends with the final committed log"
    if answer["cause"] not in CAUSES:
        return f"pick the cause from {', '.join(repr(c) for c in CAUSES)}"
    elections = [e.get("election") for e in run.trace.filter("metadata.PartitionChangeRecord") if "election" in e.fields]
    cause = "unclean leader election" if "unclean" in elections else "acks=1 leader failover"
    if answer["cause"] != cause:
        if answer["cause"] == "acks=1 leader failover":
            return "the producer used acks=all, and every lost write was acknowledged by two in-sync replicas"
        return "the lost writes were acknowledged and committed; look at how the leader that replaced them was elected"
    return None


# -- predict, then run: unclean election and ELR ----------------------------------------------------
def unclean_loss_actual() -> tuple:
    """Acknowledged writes lost (unclean election on, off) in the section-4 scenario."""
    return tuple(int(unclean_election_example(unclean=flag).anomalies().attrs["lost"]) for flag in (True, False))


def _explain_unclean(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 2):
        return "predict a pair (acknowledged writes lost with unclean election on, with it off)"
    if predicted[1] != actual[1]:
        return "with unclean election off the controller waits for an ISR member: nothing acknowledged is lost, " \
               "the partition is offline instead"
    if predicted[0] == 0:
        return "with unclean election on, the controller does not wait: it makes the out-of-sync B3 leader as soon " \
               "as it is the only live replica"
    if predicted[0] < actual[0]:
        return "B3 left the ISR before a, b and c were written and never got them: electing it erases all of them, " \
               "and the returning replicas truncate to match"
    return None


exercise(
    "predict_unclean_loss",
    hints=["Which writes does B3 have when it becomes the only live replica?",
           "When B1 and B2 come back, they follow the new leader's log, whatever it lacks."],
    solution="(3, 0): with unclean election B3, which never got a, b and c, becomes leader; B1 and B2 truncate "
             "to its log when they return, so all three acknowledged writes are gone. With it off the partition "
             "waits offline for B1 and loses nothing.",
    why="unclean election trades acknowledged data for availability",
)(Prediction(unclean_loss_actual, _explain_unclean))

ELR_PLAN = [(5, "crash", 3), (10, "write", "a"), (20, "blip", 2, 60_000, [1]), (30, "write", "b"), (60, "crash", 1)]


def elr_leader_actual() -> tuple:
    """The partition's leader at the end of the ELR plan (ELR on, off); None when there is none."""
    from ..replication import TOPIC

    out = []
    for flag in (True, False):
        run = run_scenario(ELR_PLAN, elr=flag, run_s=100)
        leader = run.cluster.describe(TOPIC).partitions[0].leader
        out.append(leader if leader >= 0 else None)
    return tuple(out)


def _explain_elr(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 2):
        return "predict a pair (leader with ELR, leader without ELR): a broker id, or None for no leader"
    if predicted[1] is not None:
        return "without ELR the ISR still names the dead B1 and no other replica is eligible: there is no leader"
    if predicted[0] == 3:
        return "B3 crashed at 5 s and missed committed writes: it is neither in the ISR nor in the ELR"
    if predicted[0] is None:
        return "B2 left the ISR while the ISR was below min.insync.replicas, so it entered the ELR: it has every " \
               "committed record and may be elected cleanly"
    return None


exercise(
    "predict_elr_leader",
    hints=["Who is in the ISR when B1 crashes at 60 s, and who is in the ELR?",
           "An ELR member holds every committed record; a crashed-and-returned broker is not eligible."],
    solution="(2, None): with ELR, B2 entered the ELR when it dropped out of an ISR already below "
             "min.insync.replicas, so when B1 is fenced the controller elects B2 cleanly (election='elr'). "
             "Without ELR the ISR keeps the dead B1 and the partition has no leader until B1 returns.",
    why="ELR keeps a clean candidate set while the ISR is under min.insync.replicas",
)(Prediction(elr_leader_actual, _explain_elr))
