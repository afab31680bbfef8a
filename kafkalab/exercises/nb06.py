"""Exercises of ``notebooks/06_transactions_eos.py``: exactly-once configs, the transactional loop
body, markers and the LSO, fencing epochs, and an idempotent SQLite sink.

Every verdict runs the learner's answer (or the scenario behind a prediction) on fresh, seeded
simulated clusters — with crashes, a zombie and broker errors — and judges the output.
"""
from __future__ import annotations

import json
import sqlite3

from ..checks import eos_anomalies
from ..clients import Consumer, Producer
from ..clients.common import TopicPartition
from ..cluster import Cluster
from ..errors import KafkaException
from ..group_lab import ProcessCrash, orders_feed
from ..txn_lab import CRASH_POINTS, enrich, eos_pipeline, read_output
from .core import Prediction, exercise

# Crash plans every loop must survive (each on its own seed).
PLANS = ({2: "before_commit"}, {2: "after_commit"}, {3: "zombie"}, {2: "during_commit", 5: "after_send_offsets"},
         {2: "coordinator_failover"})


def _summary(run) -> str:
    kinds: dict = {}
    for a in run.anomalies:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))


# ---------------------------------------------------------------------------------------------
# 1. The configs of an exactly-once pipeline
# ---------------------------------------------------------------------------------------------

def _configs_verdict(answer) -> str | None:
    if not isinstance(answer, dict) or not {"consumer", "producer", "downstream"} <= set(answer):
        return "answer with {'consumer': {...}, 'producer': {...}, 'downstream': {...}}"
    cons, prod, down = (dict(answer[k] or {}) for k in ("consumer", "producer", "downstream"))
    if not prod.get("transactional.id"):
        return ("the producer has no transactional.id, so begin_transaction() raises _NOT_CONFIGURED: without "
                "it there are no transactions to put the writes and the offsets in")
    for seed, plan in enumerate(PLANS[:3], start=1):
        try:
            run = eos_pipeline(crashes=plan, seed=seed, consumer_conf=cons, producer_conf=prod)
        except KafkaException as e:
            return f"the pipeline did not start: {e.args[0].name()}: {e.args[0].str()}"
        except ValueError as e:
            return f"the pipeline did not start: {e}"
        if run.anomalies:
            auto = run.trace.filter("consumer.commit")
            if auto and str(cons.get("enable.auto.commit", True)).lower() != "false":
                return (f"with a crash ({plan}) the output had {_summary(run)}: enable.auto.commit committed "
                        "offsets outside the transaction, before their results were committed")
            return f"with a crash ({plan}) the output had {_summary(run)}"
        seen = [v for _o, v in read_output(run.cluster, down.get("isolation.level", "read_committed"))]
        bad = eos_anomalies(run.inputs, seen, transform=enrich)
        if bad:
            return (f"the pipeline was exactly-once, but the downstream reader saw {len(seen)} records for "
                    f"{len(run.inputs)} inputs: with isolation.level=read_uncommitted it also reads the "
                    "records of transactions that aborted after the crash")
    return None


exercise(
    "eos_configs",
    hints=["Three features make exactly-once: which setting turns on each of them?",
           "The offsets must go into the transaction, so the consumer must not commit on its own.",
           "The downstream reader decides whether it sees aborted and open transactions."],
    solution="consumer: {'enable.auto.commit': False, 'isolation.level': 'read_committed'}; producer: "
             "{'transactional.id': 'etl-transformer-001'} (it implies enable.idempotence and acks=all); "
             "downstream: {'isolation.level': 'read_committed'} — librdkafka's default, but the Java consumer's "
             "default is read_uncommitted, so say it.",
    why="idempotence, transactions and read_committed: each closes a different hole",
)(_configs_verdict)


# ---------------------------------------------------------------------------------------------
# 2. Write the transactional loop body
# ---------------------------------------------------------------------------------------------

def _step_verdict(step) -> str | None:
    if not callable(step):
        return "answer with a function step(consumer, producer) that processes one batch"
    cases = [{"crashes": plan, "seed": seed} for seed, plan in enumerate(PLANS, start=1)]
    cases.append({"crashes": {}, "seed": 3, "broker_errors": {3: ("Produce", 87)}})  # a record the broker refuses
    for kw in cases:
        try:
            run = eos_pipeline(step=step, max_iterations=40, **kw)
        except KafkaException as e:
            err = e.args[0]
            return f"the loop raised {err.name()} ({err.str()}) and the application died"
        errs = sorted({name for _it, name in run.step_errors})
        if "_STATE" in errs:
            return ("a transactional call was made in the wrong state (_STATE): produce and "
                    "send_offsets_to_transaction belong between begin_transaction() and commit_transaction()")
        if any(name != "_FENCED" for name in errs):
            return (f"the loop kept failing with {', '.join(errs)}: after an abortable error "
                    "(txn_requires_abort()) call abort_transaction() before the next begin_transaction()")
        if run.anomalies:
            what = kw.get("broker_errors") and "after a produce the broker refused (an abortable error)" or \
                f"with the crash {kw['crashes']}"
            kinds = {a["kind"] for a in run.anomalies}
            if kinds == {"duplicate"}:
                return (f"{what} the output had {_summary(run)}: the offsets were not committed in the same "
                        "transaction as the results (send_offsets_to_transaction with the consumer's position), "
                        "or the position sent was one too small")
            if "lost" in kinds and kw.get("broker_errors"):
                return (f"{what} the output had {_summary(run)}: after abort_transaction() the consumer must seek "
                        "back to its committed offsets, or the aborted batch is skipped")
            return f"{what} the output had {_summary(run)}"
    return None


exercise(
    "eos_step",
    hints=["One transaction per poll batch: begin, produce every result, add the offsets, commit.",
           "The offsets to add are consumer.position(consumer.assignment()): the next record to read.",
           ("On an abortable error: abort_transaction(), then seek the consumer back to its committed offsets; "
            "a fatal error (a fenced zombie) must end the process: re-raise it.")],
    solution="msgs = [m for m in consumer.consume(20, 1.0) if m.error() is None]; if not msgs: return; "
             "producer.begin_transaction(); try: produce each enriched record; "
             "producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), "
             "consumer.consumer_group_metadata()); producer.commit_transaction() except KafkaException as e: "
             "if e.args[0].fatal(): raise; producer.abort_transaction(); seek every partition back to "
             "consumer.committed(...).",
    why="results and offsets commit together or not at all; a zombie is fenced",
)(_step_verdict)


# ---------------------------------------------------------------------------------------------
# 3. Predict what read_committed sees while a transaction is open
# ---------------------------------------------------------------------------------------------

def open_transaction_view() -> tuple:
    """3 records in an open transaction, then 2 plain records: (LSO, HW, offsets read_committed gets)."""
    c = Cluster(brokers=3, seed=6)
    c.create_topic("clicks", partitions=1, replication_factor=3)
    t = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "slow-writer"}, cluster=c)
    t.init_transactions()
    t.begin_transaction()
    for i in range(3):
        t.produce("clicks", value=f"t{i}", partition=0)
    t.flush()
    plain = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(2):
        plain.produce("clicks", value=f"p{i}", partition=0)
    plain.flush()
    log = c.partition_log("clicks", 0)
    return log.last_stable_offset, log.high_watermark, [o for o, _v in read_output(c, "read_committed", "clicks")]


def _explain_open(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 3:
        return "predict a tuple (LSO, HW, [offsets a read_committed consumer gets])"
    if list(predicted[2]) == [3, 4]:
        return ("the plain records are not transactional, but they sit behind the open transaction: a "
                "read_committed fetch stops at the LSO, whoever wrote what comes after it")
    if predicted[0] == predicted[1]:
        return "the LSO stays at the first offset of the oldest open transaction, below the HW"
    return None


exercise(
    "predict_open_lso",
    hints=["Where does the oldest open transaction start?", "read_committed fetches stop at the LSO."],
    solution="(0, 5, []): the open transaction starts at offset 0, so the LSO is 0 although the HW is 5; a "
             "read_committed reader gets nothing, not even the two plain records after it, until the "
             "transaction ends (or transaction.timeout.ms aborts it).",
    why="one open transaction holds back every read_committed reader of the partition",
)(Prediction(open_transaction_view, _explain_open))


# ---------------------------------------------------------------------------------------------
# 3b. Predict the offsets of the guide's three enriched records
# ---------------------------------------------------------------------------------------------

def one_record_commits(n: int = 3) -> list:
    """``n`` transactions of one record each, all committed: the offsets read_committed gets."""
    c = Cluster(brokers=3, seed=42)
    c.create_topic("enriched-events", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-transformer-001"}, cluster=c)
    p.init_transactions()
    for i in range(n):
        p.begin_transaction()
        p.produce("enriched-events", value=f"e{i}", partition=0)
        p.commit_transaction()
    c.run(100)
    return [o for o, _v in read_output(c, "read_committed", "enriched-events")]


def _explain_guide(predicted, actual) -> str | None:
    if predicted == [0, 1, 2]:
        return "each commit writes a COMMIT marker into the partition, and a marker takes an offset"
    if predicted == [100, 101, 102]:
        return "100-102 are the input offsets; enriched-events is a new, empty topic"
    return None


exercise(
    "predict_guide_offsets",
    hints=["What does commit_transaction() write into every partition of the transaction?"],
    solution="[0, 2, 4]: record, COMMIT marker, record, COMMIT marker, record, COMMIT marker.",
    why="a marker is a record batch of its own",
)(Prediction(one_record_commits, _explain_guide))


# ---------------------------------------------------------------------------------------------
# 4. Predict the offsets: markers take offsets too
# ---------------------------------------------------------------------------------------------

def committed_offsets_after_three() -> list:
    """Three transactions of one record each — commit, abort, commit: the offsets read_committed gets."""
    c = Cluster(brokers=3, seed=8)
    c.create_topic("payments", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "payer"}, cluster=c)
    p.init_transactions()
    for i, commit in enumerate((True, False, True)):
        p.begin_transaction()
        p.produce("payments", value=f"pay-{i}", partition=0)
        p.flush()
        (p.commit_transaction if commit else p.abort_transaction)()
    c.run(100)
    return [o for o, _v in read_output(c, "read_committed", "payments")]


def _explain_offsets(predicted, actual) -> str | None:
    if predicted == [0, 2]:
        return "each transaction's marker takes an offset of its own, the ABORT marker too"
    if predicted == [0, 1]:
        return "offsets are positions in the log, not counters of visible records: aborted records keep theirs"
    if predicted == [0, 3]:
        return "count again: record, marker, record, marker, record — and what is at offset 3?"
    return None


exercise(
    "predict_marker_offsets",
    hints=["A COMMIT or ABORT marker is a record batch of its own.", "An aborted record keeps its offset."],
    solution="[0, 4]: pay-0 at 0, COMMIT marker at 1, pay-1 (aborted) at 2, ABORT marker at 3, pay-2 at 4, "
             "COMMIT marker at 5. Consumer lag and 'end offset minus committed offset' count markers too.",
    why="markers and aborted records occupy offsets, so offsets of a transactional topic have gaps",
)(Prediction(committed_offsets_after_three, _explain_offsets))


# ---------------------------------------------------------------------------------------------
# 5. Predict the fence: the epoch of the new instance, the error of the zombie
# ---------------------------------------------------------------------------------------------

def fenced_epoch() -> tuple:
    """A zombie at epoch 0 with an open transaction; a new instance calls init_transactions():
    (its epoch, the error name the zombie's commit_transaction() raises)."""
    c = Cluster(brokers=3, seed=9)
    c.create_topic("out", partitions=1, replication_factor=3)
    conf = {"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"}
    zombie = Producer(conf, cluster=c)
    zombie.init_transactions()
    zombie.begin_transaction()
    zombie.produce("out", b"z", partition=0)
    zombie.flush()
    fresh = Producer(conf, cluster=c)
    fresh.init_transactions()
    try:
        zombie.commit_transaction()
        err = None
    except KafkaException as e:
        err = e.args[0].name()
    return fresh.producer_epoch, err


def _explain_fence(predicted, actual) -> str | None:
    if not isinstance(predicted, tuple) or len(predicted) != 2:
        return "predict a tuple (epoch of the new instance, error name)"
    if predicted[0] == 1:
        return ("the coordinator first aborts the zombie's open transaction under a bumped epoch "
                "(PrepareEpochFence), then bumps again for the new instance")
    if predicted[1] in ("PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"):
        return ("that is what the broker answers; librdkafka turns it into its own fatal error "
                "(look at e.args[0].name() in section 4)")
    return None


exercise(
    "predict_fence",
    hints=["What does the coordinator do with the zombie's open transaction before answering the new instance?",
           "confluent-kafka reports a fenced producer with a local (underscore) error."],
    solution="(2, '_FENCED'): epoch 0 → 1 to abort the open transaction (its ABORT marker carries epoch 1), → 2 "
             "for the new instance; the zombie's next call fails with _FENCED, fatal() true: it must exit.",
    why="an epoch bump fences; the zombie's writes are aborted, not merged",
)(Prediction(fenced_epoch, _explain_fence))


# ---------------------------------------------------------------------------------------------
# 6. Where exactly-once ends: an idempotent SQLite sink
# ---------------------------------------------------------------------------------------------

SCHEMA = "CREATE TABLE orders (order_id TEXT PRIMARY KEY, version INTEGER, amount INTEGER)"


def sqlite_sink_run(write, crash_after_writes=(2, 4), seed: int = 3, records: int = 40) -> dict:
    """An at-least-once consumer writes each batch to SQLite with ``write(conn, rows)`` — rows are
    dicts {order_id, version, amount} — then commits its offsets.  After the listed writes the process
    dies before committing, so those batches are delivered again.  Returns the table and the truth."""
    c = Cluster(brokers=3, seed=seed)
    c.create_topic("orders", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": True}, cluster=c)
    feed = orders_feed(records, orders=20, seed=seed)
    for k, v in feed:
        p.produce("orders", key=k, value=v, partition=0)
    p.flush()
    conn = sqlite3.connect(":memory:")
    conn.execute(SCHEMA)
    conf = {"bootstrap.servers": "kafka-1:9092", "group.id": "orders-to-sqlite", "enable.auto.commit": False,
            "auto.offset.reset": "earliest"}
    writes = 0
    for _attempt in range(12):
        consumer = Consumer(conf, cluster=c)
        consumer.assign([TopicPartition("orders", 0, -1000)])
        try:
            for _ in range(30):
                msgs = [m for m in consumer.consume(7, timeout=0.5) if m.error() is None]
                if not msgs:
                    break
                write(conn, [json.loads(m.value()) for m in msgs])
                writes += 1
                if writes in crash_after_writes:
                    raise ProcessCrash(f"died after write #{writes}")
                consumer.commit(asynchronous=False)
            break
        except ProcessCrash:
            consumer.crash()
    latest: dict = {}
    for _k, v in feed:
        d = json.loads(v)
        latest[d["order_id"]] = (d["version"], d["amount"])
    table = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT order_id, version, amount FROM orders")}
    return {"table": table, "expected": latest, "rows": conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]}


def _sink_verdict(write) -> str | None:
    if not callable(write):
        return "answer with a function write(conn, rows) that stores the rows in the orders table"
    try:
        out = sqlite_sink_run(write)
    except sqlite3.IntegrityError as e:
        return (f"a re-delivered order hit the table's primary key ({e}): after a crash the same records come "
                "again, so the write must be an upsert (INSERT ... ON CONFLICT(order_id) DO UPDATE)")
    except sqlite3.Error as e:
        return f"the SQL failed: {e}"
    table, expected = out["table"], out["expected"]
    if len(table) < len(expected):
        return f"the table holds {len(table)} of {len(expected)} orders: some rows were not written"
    stale = sorted(o for o, row in expected.items() if table.get(o) != row)
    if stale:
        return (f"{len(stale)} orders kept an older version (e.g. {stale[0]}): a later version of the same "
                "order must replace the row; ON CONFLICT DO NOTHING / INSERT OR IGNORE keep the first one")
    return None


exercise(
    "idempotent_sqlite_sink",
    hints=["The consumer is at-least-once: the same batch can arrive twice. What makes a second write harmless?",
           "Key the write on the business id (order_id), the table's primary key.",
           ("INSERT ... ON CONFLICT(order_id) DO UPDATE SET version = excluded.version, amount = excluded.amount "
            "WHERE excluded.version >= orders.version")],
    solution="conn.executemany('INSERT INTO orders VALUES (:order_id, :version, :amount) ON CONFLICT(order_id) "
             "DO UPDATE SET version = excluded.version, amount = excluded.amount WHERE excluded.version >= "
             "orders.version', rows): a replayed batch rewrites the same rows, and an older version never "
             "overwrites a newer one. Kafka transactions cannot reach into SQLite: this is where EOS ends.",
    why="beyond the Kafka boundary, an idempotent upsert on the business key gives exactly-once results",
)(_sink_verdict)


__all__ = ["CRASH_POINTS", "PLANS", "SCHEMA", "committed_offsets_after_three", "fenced_epoch", "one_record_commits",
           "open_transaction_view", "sqlite_sink_run"]
