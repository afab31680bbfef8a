"""Exercises of ``notebooks/10_kafka_4x.py`` Part A (KRaft): what works without a quorum, a quorum that
survives two controller failures, a topic creation that is safe across a failover, and what pre-vote
(KIP-996) changes when a cut-off leader comes back.

Every verdict runs the answer on the simulator (:mod:`kafkalab.kraft_lab`): predictions against the
seeded runs that reveal them (several seeds must agree), configs as fresh clusters whose voters are then
killed, the learner's function against controller crashes at several instants and against quorum loss.
"""
from __future__ import annotations

from ..cluster import Cluster
from ..confluent_kafka import KafkaError, KafkaException
from ..confluent_kafka.admin import NewTopic
from ..kraft_lab import quorum_fault, quorum_loss
from .core import Prediction, exercise, fmt

OPERATIONS = ("produce", "consume", "describe_topics", "create_topic")

# ---------------------------------------------------------------------------------------------
# 1. Predict what still works with 2 of 3 voters down
# ---------------------------------------------------------------------------------------------


def works_without_quorum(seed: int = 0) -> set[str]:
    """Which of ``OPERATIONS`` succeed while 2 of 3 controllers are down, by running them."""
    run = quorum_loss(seed=seed, restart_after_ms=None)
    ok = set()
    if run.produced == 10:
        ok.add("produce")
    if run.consumed == 10:
        ok.add("consume")
    if len(run.described) == 3:
        ok.add("describe_topics")
    if run.create_error is None:
        ok.add("create_topic")
    return ok


def _quorum_loss_truth() -> set[str]:
    runs = [works_without_quorum(s) for s in (0, 1, 2)]
    assert all(r == runs[0] for r in runs), runs  # the finding does not depend on the seed
    return runs[0]


def _explain_quorum_loss(predicted, actual) -> str | None:
    if not isinstance(predicted, (set, frozenset, list, tuple)) or not set(predicted) <= set(OPERATIONS):
        return f"predict a set of operation names from {fmt(list(OPERATIONS))}"
    p = set(predicted)
    if "create_topic" in p:
        return ("creating a topic writes TopicRecord and PartitionRecords to __cluster_metadata, and a record "
                "commits only once a majority of voters has it: 1 of 3 is not a majority")
    if not p & {"produce", "consume"}:
        return ("the data path does not go through the controllers: partition leaders, ISRs and the brokers' "
                "metadata images stay as they were, so producers and consumers carry on")
    if "describe_topics" not in p:
        return ("brokers answer Metadata requests from their own copy of the metadata (their image): it stays "
                "readable, only nothing new is added to it")
    return None


class _SetPrediction(Prediction):
    """A prediction of a set of names: a list or tuple of the same names is the same guess."""

    def __call__(self, predicted):
        if isinstance(predicted, (list, tuple, frozenset)) and all(isinstance(x, str) for x in predicted):
            predicted = set(predicted)
        return super().__call__(predicted)


exercise(
    "predict_quorum_loss",
    hints=[("Which of these operations write a record to the metadata log, and which only read or use what the "
           "brokers already have?"),
           "A metadata record is committed when a majority of the voters have it in their logs."],
    solution='{"produce", "consume", "describe_topics"}: produce and consume go to partition leaders, which the '
             "controllers do not sit in front of; describe is answered from each broker's metadata image. "
             "create_topic needs new records in __cluster_metadata, which cannot commit with 1 voter of 3: the "
             "broker forwards the request, waits request.timeout.ms (30 s) and answers REQUEST_TIMED_OUT.",
    why="the quorum is needed to change metadata, not to read it or to move data",
    stub=None,
)(_SetPrediction(_quorum_loss_truth, _explain_quorum_loss))


# ---------------------------------------------------------------------------------------------
# 2. A quorum that survives two controller failures
# ---------------------------------------------------------------------------------------------

DEADLINE_MS = 30_000  # a learner's CreateTopics must succeed within the broker's request.timeout.ms


def survives_two_failures(kwargs: dict, seed: int) -> tuple[bool, str]:
    """Build ``Cluster(brokers=5, seed=seed, **kwargs)``, kill the quorum leader and one more voter,
    and create a topic through the AdminClient; (succeeded, what happened)."""
    c = Cluster(brokers=5, seed=seed, **kwargs)
    leader = c.quorum.leader()
    others = [v for v in c.quorum.voter_ids if v != leader.node_id]
    down = [leader.node_id] + others[:1]
    for v in down:
        c.crash_controller(v)
    admin = c.admin({"bootstrap.servers": ",".join(f"kafka-{b}:9092" for b in sorted(c.brokers)
                                                   if c.brokers[b].alive)})
    start = c.now
    try:
        admin.create_topics([NewTopic("survivor", num_partitions=1, replication_factor=3)])["survivor"].result()
    except KafkaException as e:
        return False, f"CreateTopics failed with {e.args[0].name()} after {c.now - start} ms"
    if c.now - start > DEADLINE_MS:
        return False, f"the topic was created only {c.now - start} ms later"
    return True, f"created {c.now - start} ms after voters {down} died"


def _survive_verdict(answer) -> str | None:
    if not isinstance(answer, dict):
        return 'answer with the Cluster keyword arguments as a dict, e.g. {"controllers": 3}'
    unknown = set(answer) - {"controllers", "process_roles", "pre_vote", "broker_config"}
    if unknown:
        return f"only controllers, process_roles, pre_vote and broker_config are asked for, not {sorted(unknown)}"
    n = answer.get("controllers", 1)
    if n in (2, 4, 6):
        return (f"{n} voters need {n // 2 + 1} for a majority: an even count tolerates no more failures than "
                f"{n - 1} voters do, and the simulator (like Kafka's docs) wants 1, 3 or 5")
    try:
        results = [survives_two_failures(dict(answer), seed) for seed in (0, 1, 2)]
    except ValueError as e:
        return f"that cluster cannot be built: {e}"
    bad = [msg for ok, msg in results if not ok]
    if not bad:
        return None
    if n < 5:
        return (f"with {n} voter(s), two dead leave {max(n - 2, 0)}: fewer than a majority, so no leader can be "
                f"elected and no metadata can commit ({bad[0]})")
    return f"5 voters, but the quorum did not recover in time: {bad[0]}; look at the quorum timeouts you changed"


exercise(
    "survive_two_controller_failures",
    hints=["A Raft quorum of n voters keeps working while a majority (n // 2 + 1) is alive.",
           "How many voters must there be so that two of them can die and a majority is left?",
           "The election itself must also finish within the 30 s a forwarded request waits."],
    solution='{"controllers": 5}: 5 voters, a majority is 3, so two can fail; with the default timeouts a new '
             "leader is elected about 2-3 s after the leader dies (fetch timeout 2 s, then pre-vote and vote). "
             'Dedicated controllers (process_roles="controller", the default here) are what Kafka recommends '
             "for production; combined mode works the same but a broker crash then also takes a voter down.",
    why="2f + 1 voters tolerate f failures: 3 tolerate 1, 5 tolerate 2",
    stub=None,
)(_survive_verdict)


# ---------------------------------------------------------------------------------------------
# 3. A topic creation that is safe across a controller failover
# ---------------------------------------------------------------------------------------------

TOPIC = "payments"


def run_create_helper(fn, crash_after_ms: int | None, seed: int = 0, lose_quorum: bool = False) -> dict:
    """Call ``fn(admin, TOPIC)`` on a 3-voter cluster whose active controller is killed ``crash_after_ms``
    after the call starts (``None``: no crash); ``lose_quorum``: two voters are down before the call."""
    c = Cluster(brokers=3, seed=seed, controllers=3)
    admin = c.admin()
    leader = c.quorum.leader()
    if lose_quorum:
        for v in [v for v in c.quorum.voter_ids if v != leader.node_id]:
            c.crash_controller(v)
        c.run(5000)  # the lone leader resigns after check-quorum (3 s)
    elif crash_after_ms is not None:
        c.crash_controller(leader.node_id, at_ms=c.now + crash_after_ms)
    out = {"returned": None, "raised": None}
    try:
        out["returned"] = fn(admin, TOPIC)
    except KafkaException as e:
        out["raised"] = e.args[0].name()
    except Exception as e:  # noqa: BLE001 - the learner's code may raise anything; report it
        out["raised"] = type(e).__name__
    c.run(1000)
    out["exists"] = TOPIC in c.topics()
    return out


CASES = [(None, False), (1, False), (3, False), (4, False), (None, True)]


def _create_verdict(fn) -> str | None:
    if not callable(fn):
        return "answer with a function create_once(admin, topic) -> bool"
    for crash, lose in CASES:
        r = run_create_helper(fn, crash, lose_quorum=lose)
        when = "with 2 of 3 voters down" if lose else ("with no failover" if crash is None else
                                                       f"with the controller killed {crash} ms into the call")
        if r["raised"] is not None and not lose:
            return (f"{when} your function raised {r['raised']}: a retried CreateTopics can answer "
                    "TOPIC_ALREADY_EXISTS for the topic its own first attempt created")
        if lose:
            if r["returned"] is True:
                return (f"{when} the topic was not created, yet your function returned True: only "
                        "TOPIC_ALREADY_EXISTS means it exists; REQUEST_TIMED_OUT means it may not")
            if r["returned"] is not False and r["raised"] is None:
                return f"{when} return False (or let the timeout raise), not {fmt(r['returned'])}"
            continue
        if r["returned"] is not True:
            return f"{when} the topic exists ({r['exists']}) but your function returned {fmt(r['returned'])}"
    return None


exercise(
    "create_topic_once",
    hints=["Run create_topics(...)[topic].result() and look at what it raises when the controller dies mid-call.",
           "KafkaException carries a KafkaError: e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS.",
           "Not every error means the topic is there: a timeout says nothing was confirmed."],
    solution="def create_once(admin, topic):\n"
             "    try:\n"
             "        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()\n"
             "        return True\n"
             "    except KafkaException as e:\n"
             "        if e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:\n"
             "            return True\n"
             "        return False\n"
             "A controller that dies after its TopicRecord reached a follower but before it answered leaves the "
             "topic to the new leader, which commits it; the broker retries the forwarded request there and gets "
             "TOPIC_ALREADY_EXISTS. Creating a topic is idempotent only if you treat that error as success.",
    why="a retried write can find its own first attempt: treat 'already exists' as done",
    stub=None,
)(_create_verdict)


# ---------------------------------------------------------------------------------------------
# 4. Predict what pre-vote changes when a cut-off leader comes back
# ---------------------------------------------------------------------------------------------

def rejoin_forces_election(pre_vote: bool, seed: int = 0) -> bool:
    """The leader of 3 voters is cut off for 10 s, then reconnected: is a leader elected after it rejoins?"""
    run = quorum_fault("leader_isolated", voters=3, seed=seed, pre_vote=pre_vote, run_ms=16_000,
                       heal_after_ms=10_000)
    heal = run.t0 + 10_000
    return any(t >= heal for t, _node, _epoch in run.leaders)


def _prevote_truth() -> dict:
    runs = [{"pre_vote_on": rejoin_forces_election(True, s), "pre_vote_off": rejoin_forces_election(False, s)}
            for s in (0, 1, 2)]
    assert all(r == runs[0] for r in runs), runs
    return runs[0]


def _explain_prevote(predicted, actual) -> str | None:
    if not isinstance(predicted, dict) or set(predicted) != {"pre_vote_on", "pre_vote_off"} or \
            not all(isinstance(v, bool) for v in predicted.values()):
        return 'predict a dict {"pre_vote_on": True/False, "pre_vote_off": True/False}'
    if predicted["pre_vote_on"] and predicted["pre_vote_off"]:
        return ("with pre-vote the cut-off node only asks 'would you vote for me?' without raising its epoch; "
                "the others still fetch from their new leader and say no, so its return changes nothing")
    if not predicted["pre_vote_on"] and not predicted["pre_vote_off"]:
        return ("without pre-vote the cut-off node raises its epoch at every election timeout; when it is back, "
                "its higher epoch makes the current leader step down and a new election follows")
    if predicted["pre_vote_on"] and not predicted["pre_vote_off"]:
        return "the other way round: pre-vote is the change that keeps a returning node from disrupting the leader"
    return None


exercise(
    "predict_prevote_rejoin",
    hints=[("While it is cut off the old leader resigns (check quorum) and tries to get elected again. "
           "What does each try do to its epoch, with and without pre-vote?"),
           "A node that sees a request with a higher epoch than its own steps down."],
    solution='{"pre_vote_on": False, "pre_vote_off": True}: without pre-vote (Kafka 3.x) the isolated node '
             "becomes candidate again and again, each time with epoch + 1; back on the network its Vote requests "
             "carry an epoch above the new leader's, which steps down: one more election for nothing. With "
             "KIP-996 (Kafka 4.0+) it stays Prospective in its old epoch, its pre-votes are refused by followers "
             "that fetch from a live leader, and it learns of the new leader and follows it.",
    why="pre-vote lets a node find out whether it could win before it disturbs anyone",
    stub=None,
)(Prediction(_prevote_truth, _explain_prevote))

__all__ = ["CASES", "OPERATIONS", "KafkaError", "rejoin_forces_election", "run_create_helper",
           "survives_two_failures", "works_without_quorum"]
