"""Kafka Connect: workers, sink/source tasks, converters, SMTs, errors and the DLQ, REST answers.

Expected behaviour from apache/kafka ``connect/runtime`` (WorkerSinkTask, WorkerSourceTask,
IncrementalCooperativeAssignor, errors/DeadLetterQueueReporter, AbstractHerder) and
``connect/transforms``; cited per test.
"""
from __future__ import annotations

import json

import pytest

import kafkalab
from kafkalab.ecosystem.connect import Chain, ConfigException, ConnectCluster, ConnectRecord, ConnectRestError, database
from kafkalab.ecosystem.connect.connectors import reset_databases

SCHEMA = {"type": "struct", "name": "order", "optional": False,
          "fields": [{"field": "id", "type": "int64", "optional": False},
                     {"field": "amount", "type": "float64", "optional": False}]}
JDBC = "io.confluent.connect.jdbc.JdbcSinkConnector"


@pytest.fixture(autouse=True)
def _fresh_databases():
    reset_databases()
    yield
    reset_databases()


def setup(n=12, poison=(), seed=3, partitions=3):
    c = kafkalab.Cluster(brokers=3, seed=seed)
    c.create_topic("orders", partitions=partitions, replication_factor=3)
    p = c.producer({"acks": "all"})
    for i in range(n):
        v = "not json" if i in poison else json.dumps({"schema": SCHEMA, "payload": {"id": i, "amount": i * 1.5}})
        p.produce("orders", key=str(i), value=v)
    p.flush()
    return c


def sink(**extra):
    cfg = {"connector.class": JDBC, "topics": "orders", "connection.url": "jdbc:sqlite:wh", "auto.create": "true",
           "tasks.max": "2", "key.converter": "org.apache.kafka.connect.storage.StringConverter"}
    cfg.update(extra)
    return cfg


def rows():
    return database("wh").query("SELECT id, amount FROM orders ORDER BY id")


def test_sink_lands_every_record_and_commits_as_group_connect_name():
    """WorkerSinkTask: the consumer group is 'connect-' + connector name; offsets committed after put."""
    c = setup()
    connect = ConnectCluster(c, workers=2)
    connect.create_connector("orders-to-db", sink())
    connect.run(70_000)
    assert rows() == [(i, i * 1.5) for i in range(12)]
    admin_view = c.consumer({"group.id": "connect-orders-to-db"})
    committed = admin_view.committed([kafkalab.TopicPartition("orders", p) for p in range(3)])
    assert sum(tp.offset for tp in committed) == 12
    st = connect.status("orders-to-db")
    assert st["type"] == "sink" and [t["state"] for t in st["tasks"]] == ["RUNNING", "RUNNING"]
    assert {t["worker_id"] for t in st["tasks"]} == {"connect-1:8083", "connect-2:8083"}


def test_offsets_wait_for_offset_flush_interval():
    """offset.flush.interval.ms (60 s): rows land at once, the group's offsets only at the flush."""
    c = setup()
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink())
    connect.run(20_000)
    assert len(rows()) == 12
    assert not c.trace.filter("connect.commit")
    connect.run(60_000)
    assert c.trace.filter("connect.commit")


def test_poison_record_fails_the_task_with_tolerance_none():
    """RetryWithToleranceOperator: errors.tolerance=none → 'Tolerance exceeded in error handler'."""
    c = setup(poison={5}, partitions=1)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1"}))
    connect.run(20_000)
    task = connect.status("s")["tasks"][0]
    assert task["state"] == "FAILED"
    assert task["trace"].startswith("org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error "
                                    "handler")
    assert "Caused by: org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data" \
        in task["trace"]
    # WorkerSinkTask.convertMessages converts the whole polled batch before put(): the records
    # before the poison one in that batch are never written either.
    assert "orders" not in database("wh").tables()


def test_poison_record_goes_to_the_dlq_with_context_headers():
    """DeadLetterQueueReporter: original bytes to errors.deadletterqueue.topic.name, with
    __connect.errors.* headers when errors.deadletterqueue.context.headers.enable=true."""
    c = setup(poison={5}, partitions=1)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "errors.tolerance": "all",
                                          "errors.deadletterqueue.topic.name": "dlq",
                                          "errors.deadletterqueue.context.headers.enable": "true"}))
    connect.run(20_000)
    assert [r[0] for r in rows()] == [i for i in range(12) if i != 5]
    cons = c.consumer({"group.id": "peek", "auto.offset.reset": "earliest"})
    cons.subscribe(["dlq"])
    msgs = [m for m in cons.consume(10, timeout=10) if m.error() is None]
    assert [m.value() for m in msgs] == [b"not json"]
    h = dict(msgs[0].headers())
    assert h["__connect.errors.topic"] == b"orders" and h["__connect.errors.offset"] == b"5"
    assert h["__connect.errors.stage"] == b"VALUE_CONVERTER"
    assert h["__connect.errors.class.name"] == b"org.apache.kafka.connect.json.JsonConverter"
    assert h["__connect.errors.exception.class.name"] == b"org.apache.kafka.connect.errors.DataException"


def test_database_outage_is_retried_then_fails_past_max_retries():
    """JDBC sink: a SQLException is retried max.retries times, retry.backoff.ms apart, then the task
    fails; a short outage loses nothing."""
    c = setup(partitions=1)
    db = database("wh")
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "max.retries": "2", "retry.backoff.ms": "1000"}))
    db.available = False
    connect.run(4_000)  # the workers' group, then the task's consumer group, form first
    for _ in range(40):
        if c.trace.filter("connect.task.retry"):
            break
        connect.run(250)
    assert c.trace.filter("connect.task.retry")
    db.available = True
    connect.run(10_000)
    assert len(rows()) == 12
    assert connect.status("s")["tasks"][0]["state"] == "RUNNING"
    db.available = False
    p = c.producer({"acks": "all"})
    p.produce("orders", key="99", value=json.dumps({"schema": SCHEMA, "payload": {"id": 99, "amount": 1.0}}))
    p.flush()
    connect.run(10_000)
    assert connect.status("s")["tasks"][0]["state"] == "FAILED"


def test_upsert_and_auto_evolve():
    """insert.mode=upsert with pk.mode=record_value; auto.evolve adds an optional column."""
    c = setup(n=3, partitions=1)
    p = c.producer({"acks": "all"})
    s2 = dict(SCHEMA, fields=SCHEMA["fields"] + [{"field": "note", "type": "string", "optional": True}])
    p.produce("orders", key="1", value=json.dumps({"schema": s2, "payload": {"id": 1, "amount": 9.0, "note": "x"}}))
    p.flush()
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "insert.mode": "upsert", "pk.mode": "record_value",
                                          "pk.fields": "id", "auto.evolve": "true"}))
    connect.run(10_000)
    assert database("wh").query("SELECT id, amount, note FROM orders ORDER BY id") == [(0, 0.0, None), (1, 9.0, "x"),
                                                                                       (2, 3.0, None)]


def test_schemaless_json_is_rejected_by_the_jdbc_sink():
    """JdbcSinkConnector needs records with a Struct schema (its 'requires records with a non-null
    Struct value and non-null Struct schema' error)."""
    c = kafkalab.Cluster(brokers=3, seed=5)
    p = c.producer({"acks": "all"})
    p.produce("orders", value=json.dumps({"id": 1}))
    p.flush()
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "value.converter.schemas.enable": "false"}))
    connect.run(10_000)
    st = connect.status("s")["tasks"][0]
    assert st["state"] == "FAILED" and "requires records with a non-null Struct value" in st["trace"]


def test_worker_death_hands_its_tasks_over_after_the_scheduled_delay():
    """IncrementalCooperativeAssignor (KIP-415): lost tasks wait scheduled.rebalance.max.delay.ms."""
    c = setup()
    connect = ConnectCluster(c, workers=2, config={"scheduled.rebalance.max.delay.ms": 30_000})
    connect.create_connector("s", sink(**{"tasks.max": "4"}))
    connect.run(15_000)
    before = connect.assignment()
    assert all(before.values()) and sorted(u for units in before.values() for u in units) == ["s", "s-0", "s-1", "s-2", "s-3"]
    connect.crash_worker(2)
    connect.run(20_000)
    assert connect.assignment()["connect-1:8083"] == before["connect-1:8083"]  # kept, not yet taken over
    connect.run(40_000)
    assert connect.assignment()["connect-1:8083"] == ["s", "s-0", "s-1", "s-2", "s-3"]


def test_a_new_worker_gets_work_through_revocation_and_a_follow_up_rebalance():
    c = setup()
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "4"}))
    connect.run(15_000)
    assert len(connect.assignment()["connect-1:8083"]) == 5
    connect.add_worker()
    connect.run(15_000)
    a = connect.assignment()
    assert sorted(len(v) for v in a.values()) == [2, 3]
    assert any(e.fields.get("revoked") for e in c.trace.filter("connect.assignment"))


def test_source_offsets_live_in_connect_offsets_and_survive_a_restart():
    c = kafkalab.Cluster(brokers=3, seed=9)
    db = database("src")
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users VALUES (1, 'ada'), (2, 'bo')")
    db.conn.commit()
    connect = ConnectCluster(c, workers=1, config={"offset.flush.interval.ms": 5_000})
    connect.create_connector("src", {"connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
                                     "connection.url": "jdbc:sqlite:src", "mode": "incrementing",
                                     "incrementing.column.name": "id", "table.whitelist": "users",
                                     "topic.prefix": "db-", "poll.interval.ms": "1000"})
    connect.run(15_000)
    db.execute("INSERT INTO users VALUES (3, 'cy')")
    db.conn.commit()
    connect.restart_task("src", 0)
    connect.run(15_000)
    cons = c.consumer({"group.id": "peek", "auto.offset.reset": "earliest"})
    cons.subscribe(["db-users"])
    got = [json.loads(m.value())["payload"]["id"] for m in cons.consume(10, timeout=10) if m.error() is None]
    assert got == [1, 2, 3]  # no row twice after the restart
    offs = connect.read_source_offsets("src")
    assert offs == {json.dumps({"protocol": "1", "table": "users"}, sort_keys=True): {"incrementing": 3}}


def test_file_source(tmp_path):
    f = tmp_path / "events.txt"
    f.write_text("a\nb\n")
    c = kafkalab.Cluster(brokers=3, seed=2)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("file", {"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                                      "file": str(f), "topic": "lines",
                                      "value.converter": "org.apache.kafka.connect.storage.StringConverter"})
    connect.run(10_000)
    cons = c.consumer({"group.id": "peek", "auto.offset.reset": "earliest"})
    cons.subscribe(["lines"])
    assert [m.value() for m in cons.consume(10, timeout=10) if m.error() is None] == [b"a", b"b"]


def test_the_guides_snowflake_config_is_accepted_and_runs_on_the_embedded_database():
    c = kafkalab.Cluster(brokers=3, seed=4)
    c.create_topic("enriched-events", partitions=4, replication_factor=3)
    from kafkalab.ecosystem.schema_registry import SchemaRegistry

    SchemaRegistry(c)
    from kafkalab.confluent_kafka.schema_registry import SchemaRegistryClient
    from kafkalab.confluent_kafka.schema_registry.avro import AvroSerializer
    from kafkalab.confluent_kafka.serialization import MessageField, SerializationContext

    ser = AvroSerializer(SchemaRegistryClient({"url": "http://schema-registry:8081"}),
                         '{"type":"record","name":"Event","fields":[{"name":"user","type":"string"}]}')
    p = c.producer({"acks": "all"})
    for i in range(5):
        p.produce("enriched-events", value=ser({"user": f"u{i}"}, SerializationContext("enriched-events",
                                                                                       MessageField.VALUE)))
    p.flush()
    guide = {"name": "enriched-to-snowflake", "config": {
        "connector.class": "com.snowflake.kafka.connector.SnowflakeSinkConnector", "topics": "enriched-events",
        "snowflake.url.name": "myorg-myaccount.snowflakecomputing.com", "snowflake.user.name": "kafka_loader",
        "snowflake.private.key": "${file:/secrets/sf.key:key}", "snowflake.database.name": "PROD",
        "snowflake.schema.name": "RAW", "key.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": "http://schema-registry:8081", "tasks.max": "4",
        "buffer.flush.time": "60", "buffer.count.records": "10000", "buffer.size.bytes": "100000000"}}
    connect = ConnectCluster(c, workers=2)
    # As the guide writes it, the key's AvroConverter has no schema.registry.url. Connect (4.x) creates
    # the connector: AbstractHerder.validateConverterConfig (KAFKA-13329, 3.8) validates against
    # Converter.config(), which Confluent's AvroConverter leaves as the empty default; the setting is
    # only required by AvroConverterConfig when Worker.startTask configures the converter, so every
    # task goes FAILED with that ConfigException.
    created = connect.create_connector(guide)
    assert len(created["tasks"]) == 4
    connect.run(15_000)
    st = connect.status("enriched-to-snowflake")
    assert st["connector"]["state"] == "RUNNING"
    assert [t["state"] for t in st["tasks"]] == ["FAILED"] * 4
    assert all(t["trace"].startswith('org.apache.kafka.common.config.ConfigException: Missing required configuration '
                                     '"schema.registry.url" which has no default value.') for t in st["tasks"])
    assert "ENRICHED_EVENTS" not in database("PROD").tables()
    # The fix: the key converter's own URL; PUT the config and the tasks restart with it.
    guide["config"]["key.converter.schema.registry.url"] = "http://schema-registry:8081"
    connect.put_connector_config("enriched-to-snowflake", guide["config"])
    connect.run(30_000)
    assert {t["state"] for t in connect.status("enriched-to-snowflake")["tasks"]} == {"RUNNING"}
    assert database("PROD").query('SELECT COUNT(*) FROM "ENRICHED_EVENTS"') == [(0,)] \
        if "ENRICHED_EVENTS" in database("PROD").tables() else True  # buffered: 60 s not yet passed
    connect.run(60_000)
    contents = sorted(json.loads(r[0])["user"] for r in database("PROD").query(
        'SELECT RECORD_CONTENT FROM "ENRICHED_EVENTS"'))
    assert contents == [f"u{i}" for i in range(5)]
    assert len(c.trace.filter("connect.note")) == 1


def test_rest_errors():
    """AbstractHerder / ConnectorsResource answers, as of Kafka 4.0 (config.KAFKA_VERSION): an unknown connector class
    is the ConnectException of getConnector(connType), mapped to 500. (From 4.1, KIP-891's validateConnectorConfig
    wraps that lookup in a BadRequestException: the same message with 400.)"""
    c = kafkalab.Cluster(brokers=3, seed=1)
    connect = ConnectCluster(c, workers=1)
    cases = [({"connector.class": "com.acme.Nope"}, 500, ("Failed to find any class that implements Connector and "
                                                          "which name matches com.acme.Nope")),
             ({"topics": "t"}, 400, "contains no connector type"),
             ({"connector.class": JDBC, "topics": "t"}, 400,
              ("Connector configuration is invalid and contains the following 1 error(s):\nMissing required "
               "configuration \"connection.url\" which has no default value.")),
             (dict(sink(), **{"transforms": "r", "transforms.r.type": "org.apache.kafka.connect.transforms.RegexRouter"}),
              400, 'Missing required configuration "regex" which has no default value.'),
             (sink(**{"value.converter": "com.acme.NopeConverter"}), 400,
              ("Invalid value com.acme.NopeConverter for configuration value.converter: Class com.acme.NopeConverter "
               "could not be found.")),
             (sink(**{"tasks.max": "0"}), 400, "Invalid value 0 for configuration tasks.max: Value must be at least 1")]
    for cfg, status, text in cases:
        with pytest.raises(ConnectRestError) as e:
            connect.create_connector("x", cfg)
        assert e.value.status_code == status and text in e.value.message
        assert connect.connectors() == []  # nothing half-created
    connect.create_connector("x", sink())
    with pytest.raises(ConnectRestError) as e:
        connect.create_connector("x", sink())
    assert (e.value.status_code, e.value.message) == (409, "Connector x already exists")
    # a bad PUT on an existing connector leaves it as it was: nothing written to connect-configs
    before = (connect.connector_config("x"), connect.config_offset)
    with pytest.raises(ConnectRestError) as e:
        connect.put_connector_config("x", sink(**{"transforms": "m", "transforms.m.type": "com.acme.Nope"}))
    assert e.value.status_code == 400 and (connect.connector_config("x"), connect.config_offset) == before
    with pytest.raises(ConnectRestError) as e:
        connect.status("nope")
    assert e.value.json() == {"error_code": 404, "message": "Connector nope not found"}


def test_pause_resume_restart_delete():
    c = setup(partitions=1)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1"}))
    connect.run(10_000)
    connect.pause("s")
    connect.run(1_000)
    assert connect.status("s")["connector"]["state"] == "PAUSED"
    assert connect.status("s")["tasks"][0]["state"] == "PAUSED"
    connect.resume("s")
    connect.run(1_000)
    assert connect.status("s")["tasks"][0]["state"] == "RUNNING"
    connect.delete_connector("s")
    assert connect.connectors() == []


# -- SMTs -----------------------------------------------------------------------------------
def rec(value, topic="orders"):
    return ConnectRecord(topic, 0, None, value, None, None, 1_700_000_000_123, [], offset=4)


def test_smts_with_kafka_class_names():
    pkg = "org.apache.kafka.connect.transforms."
    chain = Chain({"transforms": "ins,drop,mask,cast,ts,route",
                   "transforms.ins.type": pkg + "InsertField$Value", "transforms.ins.topic.field": "src",
                   "transforms.drop.type": pkg + "ReplaceField$Value", "transforms.drop.exclude": "secret",
                   "transforms.drop.renames": "amt:amount",
                   "transforms.mask.type": pkg + "MaskField$Value", "transforms.mask.fields": "email",
                   "transforms.cast.type": pkg + "Cast$Value", "transforms.cast.spec": "amount:float64",
                   "transforms.ts.type": pkg + "TimestampConverter$Value", "transforms.ts.field": "at",
                   "transforms.ts.target.type": "string", "transforms.ts.format": "yyyy-MM-dd HH:mm:ss",
                   "transforms.route.type": pkg + "RegexRouter", "transforms.route.regex": "(.*)s",
                   "transforms.route.replacement": "$1-v2"})
    out = chain.apply(rec({"amt": "3", "secret": "x", "email": "a@b", "at": 0}))
    assert out.topic == "order-v2"
    assert out.value == {"amount": 3.0, "email": "", "at": "1970-01-01 00:00:00", "src": "orders"}


def test_filter_with_a_predicate():
    pkg = "org.apache.kafka.connect.transforms."
    chain = Chain({"transforms": "f", "transforms.f.type": pkg + "Filter", "transforms.f.predicate": "tomb",
                   "predicates": "tomb", "predicates.tomb.type": pkg + "predicates.RecordIsTombstone"})
    assert chain.apply(rec(None)) is None and chain.apply(rec({"a": 1})) is not None
    neg = Chain({"transforms": "f", "transforms.f.type": pkg + "Filter", "transforms.f.predicate": "t",
                 "transforms.f.negate": "true", "predicates": "t",
                 "predicates.t.type": pkg + "predicates.TopicNameMatches", "predicates.t.pattern": "keep-.*"})
    assert neg.apply(rec({"a": 1}, topic="other")) is None and neg.apply(rec({"a": 1}, topic="keep-1")) is not None


def test_bad_smt_configs():
    pkg = "org.apache.kafka.connect.transforms."
    for cfg, text in [({"transforms": "m", "transforms.m.type": pkg + "MaskField$Value"}, '"fields"'),
                      ({"transforms": "c", "transforms.c.type": pkg + "Cast$Value", "transforms.c.spec": "a:money"},
                       "Invalid type found in casting spec: money"),
                      ({"transforms": "x", "transforms.x.type": pkg + "Nope"}, "could not be found")]:
        with pytest.raises(ConfigException, match=text):
            Chain(cfg)


def test_record_stages_follow_the_converter_and_the_chain():
    from kafkalab.ecosystem.connect.path import record_stages
    from kafkalab.ecosystem.connect.versus import order

    cfg = {"connector.class": JDBC, "transforms": "rename,route",
           "transforms.rename.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
           "transforms.rename.renames": "amount:total",
           "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
           "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1_v2"}
    stages = record_stages(cfg, order(3).encode())
    assert [s["stage"] for s in stages] == ["bytes on the topic", "JsonConverter", "SMT rename", "SMT route",
                                            "JdbcSinkConnector"]
    assert stages[-1] == {"stage": "JdbcSinkConnector", "topic": "orders_v2",
                          "value": "INSERT INTO orders_v2 (id, total)", "outcome": "ok"}
    # Java's replaceFirst: one replacement, though (.*) also matches the empty string at the end
    assert stages[3]["topic"] == "orders_v2"
    poison = record_stages(cfg, b"not json")
    assert poison[-1]["outcome"] == "failed" and poison[-1]["stage"] == "JsonConverter"
    assert poison[-1]["value"].startswith("DataException: Converting byte[] to Kafka Connect data failed")
    dropped = record_stages({"transforms": "f", "transforms.f.type": "org.apache.kafka.connect.transforms.Filter"},
                            order(1).encode())
    assert dropped[-1]["outcome"] == "dropped" and len(dropped) == 3


# -- errors.retry.timeout.ms: RetryWithToleranceOperator (connect/runtime/errors) -------------------------------
def _flaky_converter(monkeypatch, failing_id):
    """A JsonConverter whose conversion of order ``failing_id`` keeps raising Connect's RetriableException."""
    from kafkalab.ecosystem.connect import RetriableException, converters

    class Flaky(converters.JsonConverter):
        java_class = "com.example.FlakyConverter"

        def to_connect(self, topic, data):
            schema, value = super().to_connect(topic, data)
            if value and value.get("id") == failing_id:
                raise RetriableException("store briefly unavailable")
            return schema, value

    monkeypatch.setitem(converters.CONVERTERS, Flaky.java_class, Flaky)
    return Flaky.java_class


def test_converter_retries_back_off_exponentially_up_to_the_retry_timeout(monkeypatch):
    """execAndRetry/backoff: 300 ms << (attempt - 1), cut at start + errors.retry.timeout.ms; then the record is
    dropped and reported (DLQ) — execAndHandleError makes no tolerance check for exhausted retries, so the task
    goes on even with errors.tolerance=none (WorkerSinkTask: 'Converters and transformations returned null,
    possibly because of too many retries, so dropping record')."""
    flaky = _flaky_converter(monkeypatch, failing_id=5)
    c = setup(partitions=1)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "value.converter": flaky,
                                          "errors.retry.timeout.ms": "2000",
                                          "errors.deadletterqueue.topic.name": "dlq"}))
    connect.run(20_000)
    retries = c.trace.filter("connect.task.retry")
    assert [e.fields["delay_ms"] for e in retries] == [300, 600, 1100]  # 300, 600, then only to the deadline
    assert [e.fields["attempt"] for e in retries] == [1, 2, 3]
    assert retries[-1].time_ms - retries[0].time_ms == 900 and connect.status("s")["tasks"][0]["state"] == "RUNNING"
    assert [r[0] for r in rows()] == [i for i in range(12) if i != 5]
    cons = c.consumer({"group.id": "peek", "auto.offset.reset": "earliest"})
    cons.subscribe(["dlq"])
    assert [json.loads(m.value())["payload"]["id"] for m in cons.consume(10, timeout=10) if m.error() is None] == [5]


def test_default_retry_timeout_drops_a_retriable_failure_at_once(monkeypatch):
    """errors.retry.timeout.ms=0 (the default): no retry; the record is dropped, the task keeps RUNNING."""
    flaky = _flaky_converter(monkeypatch, failing_id=3)
    c = setup(partitions=1)
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "value.converter": flaky}))
    connect.run(20_000)
    assert not c.trace.filter("connect.task.retry")
    assert [r[0] for r in rows()] == [i for i in range(12) if i != 3]
    assert connect.status("s")["tasks"][0]["state"] == "RUNNING"


def test_an_unreachable_registry_is_not_retried_by_connect():
    """Confluent's AvroConverter turns a connection error into Kafka's NetworkException, which is not Connect's
    RetriableException: errors.retry.timeout.ms does not apply, errors.tolerance=none fails the task."""
    from kafkalab.confluent_kafka.schema_registry import SchemaRegistryClient
    from kafkalab.confluent_kafka.schema_registry.avro import AvroSerializer
    from kafkalab.confluent_kafka.serialization import MessageField, SerializationContext
    from kafkalab.ecosystem.schema_registry import SchemaRegistry

    c = kafkalab.Cluster(brokers=3, seed=4)
    c.create_topic("orders", partitions=1, replication_factor=3)
    registry = SchemaRegistry(c)
    ser = AvroSerializer(SchemaRegistryClient({"url": registry.url}),
                         '{"type":"record","name":"O","fields":[{"name":"id","type":"long"}]}')
    p = c.producer({"acks": "all"})
    for i in range(3):
        p.produce("orders", value=ser({"id": i}, SerializationContext("orders", MessageField.VALUE)))
    p.flush()
    registry.stop()
    connect = ConnectCluster(c, workers=1)
    connect.create_connector("s", sink(**{"tasks.max": "1", "value.converter": "io.confluent.connect.avro.AvroConverter",
                                          "value.converter.schema.registry.url": registry.url,
                                          "errors.retry.timeout.ms": "60000"}))
    connect.run(20_000)
    task = connect.status("s")["tasks"][0]
    assert not c.trace.filter("connect.task.retry")
    assert task["state"] == "FAILED"
    assert "Caused by: org.apache.kafka.common.errors.NetworkException: Network connection error while " \
           "deserializing data for topic orders" in task["trace"]
