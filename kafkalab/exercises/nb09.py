"""Exercises of ``notebooks/09_choosing_primitives.py``: the cheat sheet as configurations the simulator judges,
and a final exam drawn from notebooks 01–08 (predict, configure, diagnose a trace).

The ``cs_*`` verdicts run the learner's configuration through the scenario of its cheat-sheet line
(:mod:`kafkalab.capstone`) and answer with what broke.  The ``exam_*`` questions compute their truth by
running seeded scenarios of the earlier notebooks' labs; a diagnosis is graded against what the trace says.
"""
from __future__ import annotations

import json

from .. import capstone
from ..clients import Producer
from ..cluster import Cluster
from ..ecosystem.streams.lab import MINUTE, NOON, hhmm, window_run
from ..ecosystem.streams.windows import TimeWindows
from ..groups.assignors import assign
from ..partitioners import partition_for_key
from ..replication import run_scenario
from ..scenarios import group_assignment, queue_vs_pubsub
from ..txn_lab import read_output
from .core import Prediction, exercise, fmt


def _dict(answer, keys=None) -> str | None:
    if not isinstance(answer, dict):
        return "answer with a configuration dict"
    if keys is not None and not set(keys) <= set(answer):
        return f"answer with a dict with the keys {sorted(keys)}"
    return None


def _judge(scenario: str, answer, keys=None) -> str | None:
    bad = _dict(answer, keys)
    if bad:
        return bad
    try:
        out = capstone.run(scenario, answer)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return out.problem


# =================================================================================================
# Part 1: the cheat sheet, configured
# =================================================================================================
exercise(
    "cs_ordering_key",
    hints=["Order holds only inside one partition: what must share a partition?",
           "The requirement is per-session order with the load spread: which field is the ordering scope?",
           "A user key keeps sessions together too, but one bot user has 30 % of the sessions."],
    solution="{'key': 'session_id', 'partitions': 12}: every click of a session lands in one partition, so a reader "
             "sees it in order; 60 sessions spread over 12 partitions (the hottest holds 13 %). No key or event_id "
             "scatters sessions; user_id puts the bot's 30 % on one partition; one partition caps throughput.",
    why="the key is the ordering scope",
)(lambda answer: _judge("ordering", answer if not isinstance(answer, dict) else {**answer, "scope": "session"},
                        ("key", "partitions")))

exercise(
    "cs_durability",
    hints=["Four acts are run: a leader dying right after an ack, one broker down, two down, the whole ISR gone.",
           ("An acknowledgement is worth something only if every in-sync replica has the write, and the ISR may not "
           "shrink to one copy while writes go on."),
           "A replica that missed writes must never become leader."],
    solution="{'replication.factor': 3, 'min.insync.replicas': 2, 'acks': 'all', "
             "'unclean.leader.election.enable': False}",
    why="RF=3 + min.insync.replicas=2 + acks=all + no unclean election",
)(lambda answer: _judge("durability", answer, capstone.DURABLE_KEYS))

exercise(
    "cs_safe_retries",
    hints=["A lost answer makes the producer send the same batch again: can the broker recognise it?",
           "One setting gives the producer an id and numbers its batches."],
    solution="{'enable.idempotence': True}: the broker answers a re-sent batch with its original offset instead of "
             "appending it again; retries stay on (librdkafka's default) and order holds with up to 5 in flight.",
    why="idempotence makes a retry harmless",
)(lambda answer: _judge("retries", answer))

exercise(
    "cs_throughput",
    hints=["10,000 records/s: each request has a fixed cost, so how many records go in one?",
           "Records may wait a little to fill a batch; the p99 budget is 40 ms.",
           "The JSON events repeat their field names: the wire budget is 300 kB."],
    solution="{'linger.ms': 20, 'batch.size': 131072, 'compression.type': 'zstd'} (acks=all and idempotence stay): "
             "about 65 records per request, p99 ≈ 30 ms, ≈ 214 kB on the wire.",
    why="bigger batches and compression, without giving up acks=all",
)(lambda answer: _judge("throughput", answer))

exercise(
    "cs_at_least_once",
    hints=["A commit promises that everything before it is in the warehouse.",
           "Auto-commit commits what poll() returned, whether or not the write finished."],
    solution="{'enable.auto.commit': False, 'commit': 'after_write'}: a crash can then only repeat a batch "
             "(3 rows written twice), never skip one.",
    why="process, then commit",
)(lambda answer: _judge("at_least_once", answer, ("enable.auto.commit", "commit")))

exercise(
    "cs_exactly_once",
    hints=[("Three features, three holes: retries, crashes between writing and committing offsets, and readers of "
           "aborted data."), "Which consumer setting hides records of aborted transactions?"],
    solution="{'enable.idempotence': True, 'transactional.id': 'etl-1', 'isolation.level': 'read_committed'}",
    why="idempotence + transactions + read_committed; skip none",
)(lambda answer: _judge("exactly_once", answer, ("enable.idempotence", "isolation.level")))

exercise(
    "cs_warehouse",
    hints=["The records hold a duplicate, a newer version of an order and two poison records.",
           "A sink connector does it with settings: which insert mode makes a duplicate harmless?",
           "Converter errors stop the task unless they are tolerated; where do the bad records go then?"],
    solution="{'tool': 'connect', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id', "
             "'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'orders-dlq'}",
    why="a sink connector before custom code: upsert on the business key, a dead letter topic",
)(lambda answer: _judge("warehouse", answer, ("tool",)))


def _windowed(answer) -> str | None:
    bad = _dict(answer, ("engine", "grace_min"))
    if bad:
        return bad
    if not isinstance(answer["grace_min"], int) or not 0 <= answer["grace_min"] <= 60:
        return "grace_min is a whole number of minutes between 0 and 60"
    if answer["grace_min"] > 10:
        return ("a grace of more than 10 minutes delays every final count by that much; the dashboard needs its "
                "counts within 10 minutes of a window's end")
    return _judge("windowed", {**answer, "state": "fits-in-app"})


exercise(
    "cs_windowed",
    hints=["The state is a few windows per user: does that need a second cluster?",
           "The late click arrives 3 minutes behind stream time; a window accepts records until end + grace."],
    solution="{'engine': 'kafka-streams', 'grace_min': 3} (3 to 10 minutes): Kafka Streams, since the state fits in "
             "the application, with a grace that admits the late click.",
    why="Streams when state fits in-app; the grace decides what late means",
)(_windowed)


# =================================================================================================
# Part 2: the final exam
# =================================================================================================
# -- 01: consumer groups share, groups fan out -------------------------------------------------------
EXAM_FANOUT = {"groups": {"alerts": 4, "archive": 1}, "partitions": 6, "records": 120}


def fanout_actual() -> tuple:
    """(records the busiest alerts consumer reads, records the archive group reads)."""
    rows = queue_vs_pubsub(EXAM_FANOUT["groups"], partitions=EXAM_FANOUT["partitions"],
                           records=EXAM_FANOUT["records"])["rows"]
    return (max(n for g, _c, _p, n in rows if g == "alerts"), sum(n for g, _c, _p, n in rows if g == "archive"))


def _explain_fanout(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 2:
        return "predict a tuple (busiest alerts consumer, archive group)"
    if predicted[0] == 30:
        return "6 partitions do not split evenly over 4 consumers: a partition is never shared within a group"
    if predicted[1] < actual[1]:
        return "every group reads the whole topic: the archive group is not competing with alerts"
    return None


exercise("exam_fanout", hints=["Within a group, whole partitions are shared out; across groups, nothing is shared."],
         solution="(40, 120): range gives the alerts consumers 2, 2, 1, 1 partitions of 20 records; archive reads all.",
         why="queue inside a group, pub-sub across groups")(Prediction(fanout_actual, _explain_fanout))


# -- 02: the partition of a key -------------------------------------------------------------------
def key_partition_actual() -> tuple:
    """Partition of b"user-42" among 6: (Java's default murmur2, librdkafka's default consistent_random)."""
    return (partition_for_key(b"user-42", 6, "murmur2_random"), partition_for_key(b"user-42", 6, "consistent_random"))


def _explain_key(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 2:
        return "predict a tuple (Java client's partition, librdkafka's partition)"
    if predicted == actual[::-1]:
        return "swapped: the Java client hashes with murmur2, librdkafka's default (consistent_random) with CRC32"
    if predicted[0] == predicted[1]:
        return "the two clients' default partitioners use different hashes, so the same key can land elsewhere"
    return None


exercise("exam_key_partition",
         hints=["Run partition_for_key with each client's default partitioner name."],
         solution="(4, 1): murmur2 → 4, CRC32 → 1. Mixed Java and librdkafka producers split a key over two "
                  "partitions unless librdkafka uses partitioner=murmur2_random.",
         why="the default partitioners differ between clients")(Prediction(key_partition_actual, _explain_key))


# -- 03: what an acks=all write gets with the ISR below min.insync.replicas ---------------------------
def isr_error_run():
    return run_scenario([(5, "crash", 3), (6, "crash", 2), (20, "write", "x")], run_s=50,
                        producer={"delivery.timeout.ms": 15_000})


def isr_error_actual() -> tuple:
    """(the broker's error in the produce responses, the error of the delivery report)."""
    run = isr_error_run()
    broker = sorted({e.fields["error"] for e in run.trace.filter("produce.reject")})
    return (broker[0] if broker else None, run.writes[0]["error"])


def _explain_isr(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 2:
        return "predict a tuple (broker error, delivery report error)"
    if predicted[1] == actual[0]:
        return ("NOT_ENOUGH_REPLICAS is retriable: the producer retries it until delivery.timeout.ms, and the "
                "report carries the client's own error")
    if predicted[0] in ("NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE"):
        return "B1 is alive and still the leader; it is the ISR that is too small"
    return None


exercise("exam_isr_error",
         hints=["Which check does the leader make before appending an acks=all write?",
                "Is that error retriable? What does librdkafka report when it runs out of time?"],
         solution="('NOT_ENOUGH_REPLICAS', '_MSG_TIMED_OUT'): the leader refuses each attempt (ISR {1} < 2), the "
                  "producer retries until delivery.timeout.ms and reports the local _MSG_TIMED_OUT.",
         why="refused, never acknowledged on one copy")(Prediction(isr_error_actual, _explain_isr))


# -- 03/04: diagnose a trace: which write vanished and why ----------------------------------------------
CAUSES = ("unclean leader election", "acks=1 leader failover", "producer retry without idempotence",
          "consumer read past the high watermark")


def diagnosis_run():
    """The trace handed to the learner (a durability act A run with acks=1)."""
    return run_scenario([(0, "slow", 2, 2000), (0, "slow", 3, 2000), (1, "write", "a1"), (1.1, "crash", 1),
                         (20, "restart", 1)], acks="1", run_s=40, producer={"delivery.timeout.ms": 30_000})


def _diagnose(answer) -> str | None:
    if not isinstance(answer, dict) or set(answer) != {"lost", "cause"}:
        return "answer with {'lost': [values], 'cause': one of CAUSES}"
    run = diagnosis_run()
    truth = sorted(run.lost())
    if sorted(str(v) for v in answer["lost"] or []) != truth:
        return "compare the acknowledged writes (produce.ack) with the partition's log after the new leader took over"
    if answer["cause"] not in CAUSES:
        return f"pick the cause from {list(CAUSES)}"
    elections = {e.fields.get("election") for e in run.trace.filter("metadata.PartitionChangeRecord")}
    acks = run.config["acks"]
    cause = "unclean leader election" if "unclean" in elections else \
        "acks=1 leader failover" if acks == "1" else "producer retry without idempotence"
    if answer["cause"] != cause:
        if answer["cause"] == "unclean leader election":
            return "the new leader was in the ISR (a clean election); look at the producer's acks"
        return "the write was acknowledged once and then missing: look at when it was acknowledged and by whom"
    return None


exercise("exam_diagnose_loss",
         hints=["Find the write, its produce.ack, and the crash 100 ms later.",
                "Did the followers have the record when the leader acknowledged it?"],
         solution="{'lost': ['a1'], 'cause': 'acks=1 leader failover'}: B1 acknowledged a1 alone (acks=1), died "
                  "before the slow followers fetched it, and a clean election made a follower without a1 leader.",
         why="acks=1 acknowledges what only the leader has")(_diagnose)


# -- 04: retries without idempotence -----------------------------------------------------------------
def retry_log_actual() -> int:
    """Records in the log after 8 sends through a lost answer, idempotence off."""
    return len(capstone.run("retries", {"enable.idempotence": False}).rows)


def _explain_retry(predicted, actual) -> str | None:
    if predicted == 8:
        return "the broker appended the first batch, its answer was lost, and the producer sent the batch again"
    if predicted == 9:
        return "a retry re-sends the whole batch, not one record"
    if predicted == 16:
        return "only the batch whose answer was lost is sent twice"
    return None


exercise("exam_retry_count", hints=["How many records were in the batch whose answer was lost?"],
         solution="11: the first batch (3 records) is appended twice; idempotence would drop the second copy.",
         why="a retry without idempotence is a new append")(Prediction(retry_log_actual, _explain_retry))


# -- 05: idle consumers and what a rebalance moves ---------------------------------------------------------
def idle_actual() -> int:
    """8 consumers of one group on a 6-partition topic (range): how many get nothing?"""
    got = group_assignment("orders", 6, [f"C{i}" for i in range(1, 9)], "range")
    return sum(1 for parts in got.values() if not parts)


def _explain_idle(predicted, actual) -> str | None:
    if predicted == 0:
        return "a partition has one owner within a group, so consumers beyond the partition count wait"
    if predicted in (6, 8):
        return "the 6 partitions still go out one each"
    return None


exercise("exam_idle_consumers", hints=["One owner per partition within a group."],
         solution="2: six consumers get one partition each, two are idle (standbys for a crash).",
         why="more consumers than partitions do not add throughput")(Prediction(idle_actual, _explain_idle))


def moves_actual() -> tuple:
    """4 consumers, 8 partitions, C3 dies: (partitions that change owner with cooperative-sticky, with range)."""
    members = {f"C{i}": {"topics": ["orders"], "owned": {}, "generation": -1} for i in range(1, 5)}
    out = []
    for name in ("cooperative-sticky", "range"):
        before = assign(name, {"orders": 8}, members)
        after = assign(name, {"orders": 8}, {m: {"topics": ["orders"], "owned": before[m], "generation": 1}
                                             for m in members if m != "C3"})
        owner = {p: m for m, a in before.items() for p in a.get("orders", [])}
        now = {p: m for m, a in after.items() for p in a.get("orders", [])}
        out.append(sum(1 for p in range(8) if owner[p] != now.get(p)))
    return tuple(out)


def _explain_moves(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 2:
        return "predict a tuple (cooperative-sticky, range)"
    if predicted[0] == 8:
        return "cooperative-sticky keeps every surviving consumer's partitions: only the dead one's move"
    if predicted[1] == actual[0]:
        return "range recomputes contiguous ranges for three members: survivors' partitions move as well"
    return None


exercise("exam_rebalance_moves", hints=["Which assignor looks at what each member already owns?"],
         solution="(2, 3): cooperative-sticky moves only C3's two partitions; range re-splits 8 over 3 members "
                  "(0-2, 3-5, 6-7), which moves partition 2 of a survivor as well as C3's 4 and 5.",
         why="sticky assignors move only what must move")(Prediction(moves_actual, _explain_moves))


LOADER_CAUSES = ("auto-commit before the write finished", "commit before the write", "a failed write not retried",
                 "a rebalance")


def loader_run():
    """The loader handed to the learner to diagnose (notebook 05's warehouse)."""
    return capstone.run("at_least_once", {"enable.auto.commit": True, "commit": "never"})


def _diagnose_loader(answer) -> str | None:
    if answer not in LOADER_CAUSES:
        return f"answer with one of {list(LOADER_CAUSES)}"
    out = loader_run()
    auto = out.run.cluster.trace.filter("consumer.commit")
    truth = "auto-commit before the write finished" if any(e.fields.get("auto") for e in auto) else \
        "commit before the write"
    if answer != truth:
        if answer == "a failed write not retried":
            return "the SinkDown write was retried (see the warehouse log); the lost records are not that batch's"
        if answer == "a rebalance":
            return "a rebalance repeats records, it does not skip them; look at who committed what, and when"
        return "the loop never calls commit(): look at the consumer.commit events and their auto field"
    return None


exercise("exam_diagnose_loader", hints=["Find the consumer.commit events: who committed, and while what was running?"],
         solution="'auto-commit before the write finished': the 5 s auto-commit committed polled offsets during a "
                  "6 s warehouse write; the process then died, and the batch was never written.",
         why="auto-commit commits what was polled, not what was processed")(_diagnose_loader)


# -- 06: the LSO, and where exactly-once ends ------------------------------------------------------------
def lso_actual() -> list:
    """A committed transaction of 2 records, then an open one of 1, then 1 plain record: read_committed offsets."""
    c = Cluster(brokers=3, seed=17)
    c.create_topic("payments", partitions=1, replication_factor=3)
    t = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "payer"}, cluster=c)
    t.init_transactions()
    t.begin_transaction()
    for i in range(2):
        t.produce("payments", value=f"c{i}", partition=0)
    t.commit_transaction()
    t.begin_transaction()
    t.produce("payments", value="open", partition=0)
    t.flush()
    plain = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    plain.produce("payments", value="plain", partition=0)
    plain.flush()
    return [o for o, _v in read_output(c, "read_committed", "payments")]


def _explain_lso(predicted, actual) -> str | None:
    if not isinstance(predicted, list):
        return "predict the list of offsets"
    if 4 in predicted:
        return "the plain record sits behind the open transaction: read_committed stops at the LSO"
    if predicted == [0, 1, 2]:
        return "offset 2 is the COMMIT marker; consumers never get markers"
    return None


exercise("exam_lso", hints=["Where is the COMMIT marker, and where does the open transaction start?"],
         solution="[0, 1]: c0, c1, COMMIT marker at 2, the open transaction at 3 (the LSO), the plain record at 4 "
                  "held back behind it.",
         why="an open transaction holds back every read_committed reader")(Prediction(lso_actual, _explain_lso))


EOS_PARTS = ("enable.idempotence", "transactional.id", "isolation.level", "the sink's write")


def eos_boundary_evidence() -> dict:
    """The pipeline into Kafka with transactions and a crash, and a plain-INSERT SQLite sink after it."""
    from .nb06 import sqlite_sink_run

    kafka = capstone.run("exactly_once", {"enable.idempotence": True, "transactional.id": "etl-1",
                                          "isolation.level": "read_committed"})

    def insert(conn, rows):
        conn.executemany("INSERT INTO orders VALUES (:order_id, :version, :amount)", rows)  # the team's first try

    try:
        sink = sqlite_sink_run(insert)
        sink_problem = None if sink["rows"] == len(sink["expected"]) else f"{sink['rows']} rows"
    except Exception as exc:  # noqa: BLE001 - the primary key refuses the replayed batch
        sink_problem = f"{type(exc).__name__}: {exc}"
    return {"kafka anomalies": len(kafka.run.anomalies), "sink": sink_problem}


def _eos_boundary(answer) -> str | None:
    if answer not in EOS_PARTS:
        return f"answer with one of {list(EOS_PARTS)}"
    ev = eos_boundary_evidence()
    truth = "the sink's write" if ev["kafka anomalies"] == 0 and ev["sink"] else None
    if answer != truth:
        return ("the Kafka output had no anomalies after the crashes, so the transactional part held; what fails is "
                "outside Kafka")
    return None


exercise("exam_eos_boundary",
         hints=["Check the Kafka output first: did the read_committed reader see every input once?"],
         solution="'the sink's write': transactions end at the output topic; the at-least-once SQLite sink replays a "
                  "batch after its crash and a plain INSERT hits the primary key — an upsert on order_id fixes it.",
         why="EOS stops at Kafka's boundary")(_eos_boundary)


# -- 07: Schema Registry compatibility ----------------------------------------------------------------------
V1 = {"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}]}
CHANGES = {
    "add email with a default": V1["fields"] + [{"name": "email", "type": "string", "default": ""}],
    "add email without a default": V1["fields"] + [{"name": "email", "type": "string"}],
    "remove name": V1["fields"][:1],
}


def compat_actual() -> dict:
    """Each change of v1 under BACKWARD: can it be registered (the registry's check)?"""
    from ..ecosystem.schema_registry import check as compat
    from ..ecosystem.schema_registry import parse

    old = parse(json.dumps(V1))
    return {name: not compat("BACKWARD", parse(json.dumps(dict(V1, fields=f))), [(1, old)])
            for name, f in CHANGES.items()}


def _explain_compat(predicted, actual) -> str | None:
    if not isinstance(predicted, dict) or set(predicted) != set(actual):
        return f"predict a dict with the keys {sorted(actual)}, each True or False"
    if predicted.get("remove name") is False:
        return "BACKWARD asks whether new readers read old data: a reader may ignore a field the writer had"
    if predicted.get("add email without a default") is True:
        return "a new reader of old data needs a value for email, and old data has none"
    return None


exercise("exam_compat", hints=["BACKWARD: consumers on the new schema read data written with the old one."],
         solution="{'add email with a default': True, 'add email without a default': False, 'remove name': True}",
         why="BACKWARD = new readers, old data")(Prediction(compat_actual, _explain_compat))


# -- 08: windows and grace ----------------------------------------------------------------------------------
def hopping_actual() -> int:
    """One click at 12:07:30 into hopping windows of 10 min advancing by 2 min: how many windows count it?"""
    w = TimeWindows.of_size_and_grace(10 * MINUTE, 0).advance_by(2 * MINUTE)
    return len(window_run(w, [NOON + int(7.5 * MINUTE)]).records[0]["counted"])


def _explain_hopping(predicted, actual) -> str | None:
    if predicted == 1:
        return "hopping windows overlap: a record is in size / advance of them"
    if predicted == 10:
        return "size / advance, not size in minutes"
    return None


exercise("exam_hopping", hints=["size / advance windows contain any instant."],
         solution="5: the windows starting 11:58, 12:00, 12:02, 12:04 and 12:06.",
         why="a hopping record counts in size / advance windows")(Prediction(hopping_actual, _explain_hopping))


def grace_runs(grace_min: int) -> tuple:
    """Tumbling 5-minute windows, a click a minute; a 12:07:30 click arrives at stream time 12:11 and a 12:08 click
    at 12:29: (windows that dropped the first, windows that counted the second, stream time at the first)."""
    w = TimeWindows.of_size_and_grace(5 * MINUTE, grace_min * MINUTE)
    on_time = [NOON + m * MINUTE for m in range(30)]
    r = window_run(w, on_time[:12] + [NOON + 7 * MINUTE + 30_000] + on_time[12:] + [NOON + 8 * MINUTE])
    four, twenty = r.records[12], r.records[-1]
    return len(four["dropped"]), len(twenty["counted"]), hhmm(four["stream_time"])


def _grace(answer) -> str | None:
    if not isinstance(answer, int) or isinstance(answer, bool) or answer < 0:
        return "answer with the grace in whole minutes"
    dropped_four, counted_twenty, _st = grace_runs(answer)
    if dropped_four:
        return "the 12:07:30 click was dropped: its window (12:05–12:10) closed at end + grace before it arrived"
    if counted_twenty:
        return "the 12:08 click arriving at 12:29 was still counted: that grace keeps windows open far too long"
    return None


exercise("exam_grace",
         hints=["A window accepts a record while stream time < window end + grace.",
                "The late click belongs to 12:05–12:10 and arrives when stream time is 12:11."],
         solution="any grace from 2 to 19 minutes: 12:10 + grace must pass 12:11 (window end + grace is exclusive), "
                  "while the 12:08 click arriving at stream time 12:29 must find 12:05–12:10 closed.",
         why="grace is the lateness you accept, in stream time")(_grace)


__all__ = ["CAUSES", "CHANGES", "EOS_PARTS", "EXAM_FANOUT", "LOADER_CAUSES", "compat_actual", "diagnosis_run",
           "eos_boundary_evidence", "fanout_actual", "fmt", "grace_runs", "hopping_actual", "idle_actual",
           "isr_error_actual", "isr_error_run", "key_partition_actual", "loader_run", "lso_actual", "moves_actual",
           "retry_log_actual"]
