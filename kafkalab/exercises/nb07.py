"""Exercises of ``notebooks/07_connect_schema_registry.py``: schema evolution and sink connectors.

Every verdict runs the answer: schemas are registered in a fresh registry and used to write and read
real Avro bytes; connector configs run on a fresh seeded cluster with a Connect worker and the
embedded database, and the rows, the dead letter queue, the task state and the committed offsets
are what is judged.
"""
from __future__ import annotations

import io
import itertools
import json

import fastavro

from ..cluster import Cluster
from ..ecosystem.connect import ConnectCluster, ConnectRestError, database
from ..ecosystem.schema_registry import InvalidSchema, check, parse
from .core import Prediction, exercise

USER_V1 = ('{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},'
           '{"name":"age","type":"int"}]}')
ORDER = {"type": "struct", "name": "order", "optional": False,
         "fields": [{"field": "id", "type": "int64", "optional": False},
                    {"field": "amount", "type": "float64", "optional": False}]}
ORDER_V2 = dict(ORDER, fields=ORDER["fields"] + [{"field": "coupon", "type": "string", "optional": True}])
JDBC = "io.confluent.connect.jdbc.JdbcSinkConnector"
_runs = itertools.count()


def _sample(schema):
    """A value for ``schema`` (parsed JSON): fields filled with type-shaped values."""
    if isinstance(schema, list):
        return _sample(schema[0]) if schema[0] != "null" else None
    if isinstance(schema, dict):
        if schema.get("type") == "record":
            return {f["name"]: _sample(f["type"]) for f in schema["fields"]}
        return _sample(schema["type"])
    return {"long": 7, "int": 7, "string": "x", "boolean": True, "double": 1.5, "float": 1.5, "bytes": b"x",
            "null": None}.get(schema, "x")


def _reads(writer: str, reader: str) -> bool:
    """Can data written with ``writer`` be decoded with ``reader`` (fastavro's schema resolution)?"""
    w, r = json.loads(writer), json.loads(reader)
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, fastavro.parse_schema(w), _sample(w))
    try:
        fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), fastavro.parse_schema(w), fastavro.parse_schema(r))
        return True
    except Exception:  # noqa: BLE001 - any resolution failure means "cannot read"
        return False


# ---------------------------------------------------------------------------------------------
# 1. A schema change that is BACKWARD but not FORWARD compatible
# ---------------------------------------------------------------------------------------------
@exercise(
    "backward_not_forward",
    hints=["BACKWARD: consumers on the new schema read old data. FORWARD: consumers still on the old schema read "
           "new data.",
           "Adding a field with a default is fine both ways. Look for a change the *old* reader cannot survive.",
           "Old readers break when a field they need (no default) disappears, or when a type widens (int to long)."],
    solution="For example drop `age` (it has no default), or widen it to long. New readers simply ignore (or "
             "promote) what old data has, so BACKWARD holds; an old reader meets new data without `age` and has no "
             "default for it (or meets a long where it expects an int), so FORWARD fails — exactly the case where "
             "producers must upgrade after consumers.",
    why="new readers cope with old data; old readers cannot cope with the new data",
)
def backward_not_forward(answer) -> str | None:
    if not isinstance(answer, str):
        return "answer with the new schema as a JSON string"
    try:
        new = parse(answer)
    except InvalidSchema as e:
        return f"the registry would refuse it as invalid Avro (422): {e}"
    old = parse(USER_V1)
    if new.canonical == old.canonical:
        return "that is the same schema: registering it again changes nothing"
    back = not check("BACKWARD", new, [(1, old)])
    fwd = not check("FORWARD", new, [(1, old)])
    if not back:
        why = check("BACKWARD", new, [(1, old)])[0].split("description:'", 1)[-1].split("', additionalInfo")[0]
        return f"the registry rejects it under BACKWARD (409): {why}"
    if fwd:
        return "that change is FORWARD compatible too (old readers cope): it is FULL, not backward-only"
    if not (_reads(USER_V1, answer) and not _reads(answer, USER_V1)):
        return "the registry's verdict and real decoding disagree for this schema; try a plainer change"
    return None


# ---------------------------------------------------------------------------------------------
# Sink runs shared by the connector exercises
# ---------------------------------------------------------------------------------------------
def sink_run(extra: dict, records: list, seed: int = 11, run_ms: int = 80_000) -> dict:
    """Run a JDBC sink with ``extra`` config over ``records`` (value strings, None = tombstone)."""
    db_name = f"nb07-{next(_runs)}"
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=1, replication_factor=3)
    p = cluster.producer({"acks": "all"})
    for i, v in enumerate(records):
        p.produce("orders", key=str(i), value=v)
    p.flush()
    connect = ConnectCluster(cluster, workers=1)
    cfg = {"connector.class": JDBC, "topics": "orders", "connection.url": f"jdbc:sqlite:{db_name}",
           "auto.create": "true", "tasks.max": "1", "key.converter": "org.apache.kafka.connect.storage.StringConverter"}
    cfg.update({k: str(v) for k, v in extra.items()})
    try:
        connect.create_connector("orders-sink", cfg)
    except ConnectRestError as e:
        return {"rest_error": e.message}
    connect.run(run_ms)
    db = database(db_name)
    rows = db.query("SELECT * FROM orders") if "orders" in db.tables() else []
    dlq_topic = cfg.get("errors.deadletterqueue.topic.name")
    dlq = []
    if dlq_topic and dlq_topic in cluster.topics():
        c = cluster.consumer({"group.id": "grader", "auto.offset.reset": "earliest"})
        c.subscribe([dlq_topic])
        dlq = [m.value() for m in c.consume(100, timeout=10) if m.error() is None]
    from ..clients import TopicPartition

    committed = cluster.consumer({"group.id": "connect-orders-sink"}).committed([TopicPartition("orders", 0)])[0].offset
    task = connect.status("orders-sink")["tasks"][0]
    return {"rows": rows, "columns": db.columns("orders"), "dlq": dlq, "committed": committed, "task": task,
            "n": len(records)}


def order(i, amount=None, schema=ORDER, **more) -> str:
    return json.dumps({"schema": schema, "payload": {"id": i, "amount": float(i if amount is None else amount),
                                                     **more}})


def _config(answer) -> str | None:
    if not isinstance(answer, dict) or not all(isinstance(k, str) for k in answer):
        return "answer with a dict of connector settings, e.g. {\"errors.tolerance\": \"all\"}"
    return None


# ---------------------------------------------------------------------------------------------
# 2. Poison records to the DLQ, nothing lost
# ---------------------------------------------------------------------------------------------
POISON = [order(0), order(1), "not json", order(3), '{"id": 4}', order(5)]


@exercise(
    "dlq_sink",
    hints=["By default (errors.tolerance=none) the first record the converter cannot read stops the task.",
           "Tolerating errors alone skips the bad records — and they are gone. Where could they go instead?",
           "errors.deadletterqueue.topic.name names a topic for them; the context headers say why each one failed."],
    solution="{'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'orders-dlq', "
             "'errors.deadletterqueue.context.headers.enable': 'true'}: the two records JsonConverter cannot read "
             "land in orders-dlq with __connect.errors.* headers, the four good ones in the table, the task keeps "
             "running and the group's offset moves past all six.",
    why="tolerate converter errors, and keep every skipped record in a dead letter topic",
)
def dlq_sink(answer) -> str | None:
    bad = _config(answer)
    if bad:
        return bad
    out = sink_run(answer, POISON)
    if "rest_error" in out:
        return "Connect rejects that config: " + out["rest_error"].splitlines()[1]
    if out["task"]["state"] == "FAILED":
        return ("the task FAILED at the first poison record (" + out["task"]["trace"].splitlines()[-1][:120] +
                "): converter errors stop the task unless errors.tolerance=all")
    if len(out["dlq"]) < 2:
        return (f"the good rows landed ({len(out['rows'])}), but the {2 - len(out['dlq'])} poison record(s) were "
                f"dropped without a trace: set a dead letter topic")
    if len(out["rows"]) != 4:
        return f"{len(out['rows'])} rows in the table; the four good records should all land"
    if out["committed"] != out["n"]:
        return f"the group's committed offset is {out['committed']}, not {out['n']}: the sink did not get past them"
    return None


# ---------------------------------------------------------------------------------------------
# 3. Idempotent sink: one row per order, even when records arrive twice
# ---------------------------------------------------------------------------------------------
TWICE = [order(1, 10), order(2, 20), order(1, 10), order(3, 30), order(2, 25)]


@exercise(
    "idempotent_sink",
    hints=["The topic holds order 1 twice and order 2 twice (a retried producer, a replayed partition).",
           "A plain INSERT writes every record as a new row. Which insert.mode overwrites instead?",
           "An upsert needs a key that identifies the *order*; the Kafka coordinates of each copy differ."],
    solution="{'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id'}: the table's primary key is "
             "the order id, so a second copy updates the row instead of adding one; the last value wins (order 2 "
             "ends at 25.0). pk.mode=kafka would key rows by topic/partition/offset, which differ for every copy.",
    why="upsert on the business key makes redelivery harmless",
)
def idempotent_sink(answer) -> str | None:
    bad = _config(answer)
    if bad:
        return bad
    out = sink_run(answer, TWICE)
    if "rest_error" in out:
        return "Connect rejects that config: " + out["rest_error"].splitlines()[1]
    if out["task"]["state"] == "FAILED":
        return "the task FAILED: " + out["task"]["trace"].splitlines()[-1][:160]
    ids = [r[out["columns"].index("id")] for r in out["rows"]]
    if len(ids) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        how = ("pk.mode=kafka keys rows by topic/partition/offset, and every copy has its own offset"
               if "__connect_offset" in out["columns"] else "every copy became its own row")
        return f"orders {dup} appear more than once: {how}"
    amounts = dict((r[out["columns"].index("id")], r[out["columns"].index("amount")]) for r in out["rows"])
    if amounts != {1: 10.0, 2: 25.0, 3: 30.0}:
        return f"the table holds {amounts}; the latest value of each order should win"
    return None


# ---------------------------------------------------------------------------------------------
# 4. An additive schema change reaches the table
# ---------------------------------------------------------------------------------------------
EVOLVING = [order(1), order(2), order(3, schema=ORDER_V2, coupon="SPRING"), order(4, schema=ORDER_V2, coupon=None)]


@exercise(
    "additive_change",
    hints=["From the third record on, the producer's schema has a new optional field, coupon.",
           "The table was created from the first records' schema. What must happen to it?",
           "Errors inside the connector's write are not covered by errors.tolerance."],
    solution="{'auto.evolve': 'true'} (with auto.create, already on here): the sink sees a field the table lacks "
             "and, since it is optional, runs ALTER TABLE … ADD coupon; all four rows land, the first two with NULL. "
             "errors.tolerance=all does not help: it covers converters and transforms, not the database write.",
    why="the sink evolves the table for an additive, optional field",
)
def additive_change(answer) -> str | None:
    bad = _config(answer)
    if bad:
        return bad
    out = sink_run(answer, EVOLVING)
    if "rest_error" in out:
        return "Connect rejects that config: " + out["rest_error"].splitlines()[1]
    if out["task"]["state"] == "FAILED":
        extra = (" (errors.tolerance does not cover failures inside the connector's write)"
                 if str(answer.get("errors.tolerance")) == "all" else "")
        return "the task FAILED: " + out["task"]["trace"].splitlines()[-1][:140] + extra
    if "coupon" not in out["columns"] or len(out["rows"]) != 4:
        return f"{len(out['rows'])} rows and columns {out['columns']}: all four orders, with coupon, should land"
    return None


# ---------------------------------------------------------------------------------------------
# 5. Predict the registry's verdicts
# ---------------------------------------------------------------------------------------------
V1 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}'
V2 = ('{"type":"record","name":"User","fields":[{"name":"id","type":"long"},'
      '{"name":"email","type":"string","default":""}]}')
V3 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}'


def registry_verdicts() -> dict:
    """v1, then v2 (email with a default), then v3 (email without one) under each level: v3's fate."""
    from ..confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError

    out = {}
    for level in ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FULL_TRANSITIVE"):
        sr = SchemaRegistryClient({"url": f"mock://nb07-verdicts-{next(_runs)}"})
        sr.set_compatibility(level=level)
        sr.register_schema("users-value", Schema(V1))
        sr.register_schema("users-value", Schema(V2))
        try:
            sr.register_schema("users-value", Schema(V3))
            out[level] = "registered"
        except SchemaRegistryError as e:
            out[level] = e.http_status_code
    return out


def _explain_verdicts(predicted, actual) -> str | None:
    if not isinstance(predicted, dict) or set(predicted) != set(actual):
        return f"predict a dict with the keys {sorted(actual)}, each 'registered' or 409"
    if predicted.get("BACKWARD") == 409:
        return "BACKWARD checks only the latest version (v2), and v3 can read v2's data: it registers"
    if predicted.get("BACKWARD_TRANSITIVE") == "registered":
        return "a transitive level checks every version: v3 cannot read v1's data (email missing, no default)"
    return None


exercise("predict_verdicts", hints=["Plain levels check the latest version; _TRANSITIVE ones check them all."],
         solution="BACKWARD registered, BACKWARD_TRANSITIVE 409 (v1 has no email), FORWARD registered (v2's reader "
                  "has a default for email… and v3 data always has it), FULL_TRANSITIVE 409.",
         why="transitive levels compare against the whole history")(Prediction(registry_verdicts, _explain_verdicts))


# ---------------------------------------------------------------------------------------------
# 6. Predict the hand-over after a worker dies (KIP-415)
# ---------------------------------------------------------------------------------------------
def handover() -> tuple[int, int]:
    """Two workers, a 4-task sink; worker 2 dies; delay 30 s: tasks running 15 s and 60 s later."""
    cluster = Cluster(brokers=3, seed=21)
    cluster.create_topic("orders", partitions=4, replication_factor=3)
    connect = ConnectCluster(cluster, workers=2, config={"scheduled.rebalance.max.delay.ms": 30_000})
    connect.create_connector("s", {"connector.class": JDBC, "topics": "orders", "tasks.max": "4",
                                   "connection.url": f"jdbc:sqlite:nb07-{next(_runs)}", "auto.create": "true"})
    connect.run(15_000)
    connect.crash_worker(2)
    counts = []
    for ms in (15_000, 45_000):
        connect.run(ms)
        counts.append(sum(1 for u in sum(connect.assignment().values(), []) if u != "s"))
    return tuple(counts)


def _explain_handover(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 2):
        return "predict a pair (tasks running 15 s after the crash, tasks running 60 s after)"
    if predicted[0] == 4:
        return ("KIP-415 holds a departed worker's tasks for scheduled.rebalance.max.delay.ms (30 s here) in case it "
                "comes back: 15 s after the crash only the survivor's own tasks run")
    return None


exercise("predict_handover", hints=["Incremental cooperative rebalancing waits before reassigning lost work."],
         solution="(2, 4): the survivor keeps its two tasks; the dead worker's two are held for 30 s, then assigned "
                  "to the survivor.",
         why="lost tasks wait scheduled.rebalance.max.delay.ms before moving")(Prediction(handover, _explain_handover))
