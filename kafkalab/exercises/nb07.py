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


# ---------------------------------------------------------------------------------------------
# 7. A sink that rides out a 40 s database outage (graded by running it)
# ---------------------------------------------------------------------------------------------
@exercise(
    "survive_outage",
    hints=["Run it with the defaults first: when does the task give up, and why?",
           "errors.tolerance and errors.retry.timeout.ms cover converters and transforms, not the connector's write.",
           "The JDBC sink retries a failed write itself: max.retries times, retry.backoff.ms apart."],
    solution="{'max.retries': '20'} (or a longer 'retry.backoff.ms'): the JDBC sink retries a failed put "
             "max.retries times, retry.backoff.ms (3 s) apart — 10 × 3 s = 30 s by default, less than the 40 s "
             "outage, so the task FAILED and waited for a restart. 20 × 3 s = 60 s rides it out: no failure, every "
             "order lands once. errors.tolerance=all does not help: it skips bad records in converters and SMTs, "
             "it does not retry a database.",
    why="the connector's own retry budget (max.retries × retry.backoff.ms) must outlast the outage",
)
def survive_outage(answer) -> str | None:
    from ..ecosystem.connect import versus

    bad = _config(answer)
    if bad:
        return bad
    try:
        out = versus.run_connector("40 s outage", extra={k: str(v) for k, v in answer.items()})
    except ConnectRestError as e:
        return "Connect rejects that config: " + e.message.splitlines()[min(1, len(e.message.splitlines()) - 1)]
    if out.failures:
        covered = {k for k in answer if k.startswith("errors.")}
        extra = (f" ({', '.join(sorted(covered))} cover(s) converters and transforms, not the database write)"
                 if covered else "")
        return (f"the task went FAILED during the outage and needed a restart{extra}: its retries ran out "
                "before the database came back")
    if out.missing or out.duplicates:
        return f"{len(out.missing)} order(s) missing and {out.duplicates} duplicate(s) at the end"
    return None


# ---------------------------------------------------------------------------------------------
# 8. Fix the guide's Snowflake connector JSON so that its tasks run
# ---------------------------------------------------------------------------------------------
GUIDE_CONFIG = {
    "connector.class": "com.snowflake.kafka.connector.SnowflakeSinkConnector",
    "topics": "enriched-events",
    "snowflake.url.name": "myorg-myaccount.snowflakecomputing.com",
    "snowflake.user.name": "kafka_loader",
    "snowflake.private.key": "${file:/secrets/sf.key:key}",
    "snowflake.database.name": "PROD",
    "snowflake.schema.name": "RAW",
    "key.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter": "io.confluent.connect.avro.AvroConverter",
    "value.converter.schema.registry.url": "http://schema-registry:8081",
    "tasks.max": "4",
    "buffer.flush.time": "60",
    "buffer.count.records": "10000",
    "buffer.size.bytes": "100000000",
}
EVENT_SCHEMA = ('{"type":"record","name":"EnrichedEvent","fields":[{"name":"user","type":"string"},'
                '{"name":"page","type":"string"}]}')


def snowflake_run(config: dict, events: int = 8, seed: int = 5, run_ms: int = 90_000) -> dict:
    """The guide's pipeline: Avro events (registered in the cluster's registry) and ``config`` as the
    ``enriched-to-snowflake`` connector; the REST answer, the status JSON and the rows that landed."""
    from ..confluent_kafka.schema_registry import SchemaRegistryClient
    from ..confluent_kafka.schema_registry.avro import AvroSerializer
    from ..confluent_kafka.serialization import MessageField, SerializationContext
    from ..ecosystem.connect.connectors import drop_database
    from ..ecosystem.schema_registry import SchemaRegistry

    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("enriched-events", partitions=4, replication_factor=3)
    SchemaRegistry(cluster)
    ser = AvroSerializer(SchemaRegistryClient({"url": "http://schema-registry:8081"}), EVENT_SCHEMA)
    p = cluster.producer({"acks": "all"})
    for i in range(events):
        p.produce("enriched-events", key=None, value=ser({"user": f"u{i}", "page": f"/p/{i % 3}"},
                                                         SerializationContext("enriched-events", MessageField.VALUE)))
    p.flush()
    db_name = str(config.get("snowflake.database.name", "PROD"))
    drop_database(db_name)
    connect = ConnectCluster(cluster, workers=1)
    try:
        created = connect.create_connector("enriched-to-snowflake", dict(config))
    except ConnectRestError as e:
        return {"status_code": e.status_code, "rest_error": e.message}
    connect.run(run_ms)
    db = database(db_name)
    rows = db.query('SELECT RECORD_CONTENT FROM "ENRICHED_EVENTS"') if "ENRICHED_EVENTS" in db.tables() else []
    return {"status_code": 201, "tasks": len(created["tasks"]), "status": connect.status("enriched-to-snowflake"),
            "rows": [json.loads(r[0]) for r in rows], "events": events}


def _guide_verdict() -> tuple:
    """What Connect answers to the guide's JSON as written: (HTTP status, the tasks' states)."""
    out = snowflake_run(GUIDE_CONFIG, run_ms=20_000)
    if "status" not in out:
        return out["status_code"], None
    states = sorted({t["state"] for t in out["status"]["tasks"]})
    return out["status_code"], states[0] if len(states) == 1 else "/".join(states)


@exercise(
    "fix_guide_config",
    hints=["Create the guide's connector as written: what does the status of its tasks say?",
           "Each converter is configured with its own prefixed settings: value.converter.* for the value converter.",
           "The key converter is an AvroConverter too, and has no schema.registry.url of its own."],
    solution="Add 'key.converter.schema.registry.url': 'http://schema-registry:8081' (or, since the events have "
             "no key, use StringConverter for the key). Connect creates the connector as written — its "
             "pre-flight validation checks the converter against Converter.config(), which AvroConverter leaves "
             "empty — and every task then fails when it configures the key converter: Missing required "
             "configuration \"schema.registry.url\". The value converter's URL does not carry over to the key's.",
    why="converter settings are per converter: key.converter.* and value.converter.* are separate",
)
def fix_guide_config(answer) -> str | None:
    bad = _config(answer)
    if bad:
        return bad
    cfg = dict(answer.get("config", answer)) if isinstance(answer.get("config"), dict) else dict(answer)
    if cfg.get("connector.class") != GUIDE_CONFIG["connector.class"]:
        return "keep the guide's connector (com.snowflake.kafka.connector.SnowflakeSinkConnector): fix its settings"
    out = snowflake_run(cfg)
    if "rest_error" in out:
        return f"Connect answers {out['status_code']}: " + out["rest_error"].splitlines()[-2 if "\n" in
                                                                                          out["rest_error"] else -1]
    failed = [t for t in out["status"]["tasks"] if t["state"] != "RUNNING"]
    if failed:
        trace = failed[0].get("trace", "").splitlines()
        cause = [ln.removeprefix("Caused by: ") for ln in trace if ln.startswith("Caused by: ")] or trace[:1]
        return (f"Connect accepted it, but {len(failed)} of {out['tasks']} task(s) are {failed[0]['state']}: "
                f"{(cause[-1] if cause else '')[:170]}")
    if sorted(r["user"] for r in out["rows"]) != sorted(f"u{i}" for i in range(out["events"])):
        return f"the tasks run, but {len(out['rows'])} of {out['events']} events reached the table"
    return None


# ---------------------------------------------------------------------------------------------
# 9–11. Predictions before the five-axis reveals and the guide's JSON
# ---------------------------------------------------------------------------------------------
def poison_missing() -> dict:
    """Good orders missing from each side's table after the poison record (versus: order 5 is not JSON)."""
    from ..ecosystem.connect import versus

    return {"custom loader": len(versus.run_custom("poison record").missing),
            "JDBC sink connector": len(versus.run_connector("poison record").missing)}


def _explain_poison(predicted, actual) -> str | None:
    if not isinstance(predicted, dict) or set(predicted) != set(actual):
        return f"predict a dict with the keys {sorted(actual)}: how many good orders are missing from each table"
    if predicted["custom loader"] < actual["custom loader"]:
        return ("the loader dies at the poison record on every restart (it never commits past it), so every order "
                "behind it stays on the topic")
    if predicted["JDBC sink connector"]:
        return "errors.tolerance=all sends the poison record to the DLQ; every good order lands"
    return None


exercise("predict_poison", hints=["What does the loader do when json.loads raises? What does its restart re-read?"],
         solution="custom loader 6, connector 0: the loader crash-loops on order 5 (and re-inserts order 4, which "
                  "shared its batch, on every restart); the connector dead-letters it and goes on.",
         why="a crash before the commit re-reads the same poison record forever")(
    Prediction(poison_missing, _explain_poison))


def long_outage_state() -> str:
    """The connector's task state 75 s into the long outage scenario (66 s down)."""
    from ..ecosystem.connect import versus

    return versus.run_connector("long outage").state_before.rsplit(" ", 1)[-1]


def _explain_long_outage(predicted, actual) -> str | None:
    if predicted not in ("RUNNING", "FAILED", "PAUSED", "UNASSIGNED"):
        return "predict a task state: 'RUNNING' or 'FAILED' (or PAUSED / UNASSIGNED)"
    if predicted == "RUNNING":
        return ("the JDBC sink retries a failed write max.retries=10 times, retry.backoff.ms=3000 apart: 30 s, less "
                "than the outage; then the task is FAILED until someone restarts it")
    return None


exercise("predict_long_outage", hints=["The sink's retry budget is max.retries × retry.backoff.ms."],
         solution="FAILED: 10 retries 3 s apart cover 30 s, the database is down for 66 s; the status JSON shows the "
                  "trace until an operator calls restart?includeTasks=true&onlyFailed=true.",
         why="retries outlast a short outage, not a long one")(Prediction(long_outage_state, _explain_long_outage))


def _explain_guide(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 2):
        return "predict a pair: (HTTP status of POST /connectors, the tasks' state), e.g. (400, None)"
    if predicted[0] == 400:
        return ("Connect validates a converter against Converter.config(); AvroConverter leaves it empty, so the "
                "missing key.converter.schema.registry.url passes validation: 201 Created")
    if predicted[1] == "RUNNING":
        return "each task configures its key converter at start, and AvroConverter requires schema.registry.url"
    return None


exercise("predict_guide_json", hints=["Validation (POST) and configuration (task start) are two different moments."],
         solution="(201, 'FAILED'): created, then every task fails at start with ConfigException: Missing required "
                  "configuration \"schema.registry.url\" which has no default value.",
         why="a converter's own settings are checked when a task configures it")(
    Prediction(_guide_verdict, _explain_guide))


def coupons_stored() -> dict:
    """Coupons stored by each side after the additive change (versus: coupon from order 4 on)."""
    from ..ecosystem.connect import versus

    return {"custom loader": versus.run_custom("additive change").coupons,
            "JDBC sink connector": versus.run_connector("additive change").coupons}


def _explain_coupons(predicted, actual) -> str | None:
    if not isinstance(predicted, dict) or set(predicted) != set(actual):
        return f"predict a dict with the keys {sorted(actual)}: coupons stored by each side"
    if predicted["custom loader"]:
        return "the loader's INSERT names its columns (id, amount): a new field is silently left out"
    if predicted["JDBC sink connector"] != actual["JDBC sink connector"]:
        return "with auto.evolve=true the sink adds the optional column (ALTER TABLE … ADD) and stores every coupon"
    return None


exercise("predict_coupons", hints=["Which side's table can grow a column?"],
         solution="custom loader 0, connector 8: the loader's fixed column list drops the field; the sink evolves "
                  "its table for an optional new field and stores all eight.",
         why="schema evolution reaches the table only if something evolves the table")(
    Prediction(coupons_stored, _explain_coupons))
