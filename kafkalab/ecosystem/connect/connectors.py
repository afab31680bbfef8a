"""Connector plugins that move real data: an embedded SQLite database as the sink and source.

* ``io.confluent.connect.jdbc.JdbcSinkConnector``: ``connection.url`` (``jdbc:sqlite:<name>``),
  ``insert.mode`` insert/upsert/update, ``pk.mode`` none/kafka/record_key/record_value with
  ``pk.fields``, ``table.name.format`` (``${topic}``), ``auto.create`` (CREATE TABLE from the record
  schema), ``auto.evolve`` (ALTER TABLE ADD for a new optional field), ``max.retries`` (10) and
  ``retry.backoff.ms`` (3000) for a database that is down.  It needs records *with a schema*.
* ``io.confluent.connect.jdbc.JdbcSourceConnector``: ``mode=incrementing`` reads new rows of
  ``table.whitelist`` by ``incrementing.column.name``; its source offset (``{"incrementing": N}``)
  lives in ``connect-offsets``.
* ``org.apache.kafka.connect.file.FileStreamSourceConnector``: lines of ``file`` into ``topic``,
  the offset being the byte position.
* ``com.snowflake.kafka.connector.SnowflakeSinkConnector``: accepted as the guide writes it, and
  run against the embedded database (a table with Snowflake's ``RECORD_METADATA`` /
  ``RECORD_CONTENT`` columns), flushing by ``buffer.count.records`` / ``buffer.flush.time`` (s) /
  ``buffer.size.bytes``.

Why SQLite: it ships with Python, is a real SQL engine with transactions and ``ON CONFLICT`` upserts,
and a named in-memory database can be opened again by a notebook to look at the rows.
"""
from __future__ import annotations

import json
import sqlite3

from .data import ConfigException, ConnectException, RetriableException, struct_fields

_DATABASES: dict[str, EmbeddedDatabase] = {}


class EmbeddedDatabase:
    """A named in-memory SQLite database, with an on/off switch to simulate an outage."""

    def __init__(self, name: str):
        self.name = name
        self.conn = sqlite3.connect(":memory:")
        self.available = True

    def execute(self, sql: str, params=()):
        if not self.available:
            # Simplification: what a JDBC driver reports for a database it cannot reach.
            raise sqlite3.OperationalError(f"Connection refused: the database {self.name!r} is unreachable")
        return self.conn.execute(sql, params)

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read rows (works during an outage too: this is the notebook looking, not the connector)."""
        return self.conn.execute(sql, params).fetchall()

    def tables(self) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.query(f'PRAGMA table_info("{table}")')]


def database(name: str) -> EmbeddedDatabase:
    """The embedded database ``name`` (``jdbc:sqlite:<name>``), created on first use."""
    db = _DATABASES.get(name)
    if db is None:
        db = _DATABASES[name] = EmbeddedDatabase(name)
    return db


def reset_databases() -> None:
    _DATABASES.clear()


def drop_database(name: str) -> None:
    """Forget the embedded database ``name`` (the next use starts empty)."""
    _DATABASES.pop(name, None)


def _db_from_url(url: str) -> EmbeddedDatabase:
    if not str(url).startswith("jdbc:sqlite:"):
        raise ConfigException(f"Invalid value {url} for configuration connection.url: the simulator embeds SQLite; "
                              f"use jdbc:sqlite:<name>")
    return database(str(url)[len("jdbc:sqlite:"):] or "default")


_SQL_TYPES = {"int8": "INTEGER", "int16": "INTEGER", "int32": "INTEGER", "int64": "INTEGER", "boolean": "INTEGER",
              "float32": "REAL", "float64": "REAL", "string": "TEXT", "bytes": "BLOB"}


def _missing(config: dict, keys) -> list[str]:
    return [f'Missing required configuration "{k}" which has no default value.' for k in keys if not config.get(k)]


class Connector:
    """A plugin: validates its config, splits into task configs, makes tasks."""

    java_class = ""
    kind = "sink"
    version = "10.7.4"
    required: tuple = ()

    def validate(self, config: dict) -> list[str]:
        return _missing(config, self.required)

    def task_configs(self, config: dict, max_tasks: int) -> list[dict]:
        return [dict(config) for _ in range(max_tasks)]


# -- sinks -----------------------------------------------------------------------------------
class JdbcSinkConnector(Connector):
    java_class = "io.confluent.connect.jdbc.JdbcSinkConnector"
    required = ("connection.url",)

    def validate(self, config):
        errs = super().validate(config)
        for key, allowed in (("insert.mode", ("insert", "upsert", "update")),
                             ("pk.mode", ("none", "kafka", "record_key", "record_value"))):
            v = config.get(key)
            if v is not None and v not in allowed:
                errs.append(f'Invalid value {v} for configuration {key}: String must be one of: {", ".join(allowed)}')
        if config.get("insert.mode") == "upsert" and config.get("pk.mode", "none") == "none":
            errs.append("Invalid value none for configuration pk.mode: upsert needs a primary key (pk.mode other than "
                        "none)")
        return errs

    def task(self, config: dict, task_id: int, trace_emit) -> JdbcSinkTask:
        return JdbcSinkTask(config, trace_emit)


class JdbcSinkTask:
    def __init__(self, config: dict, emit):
        self.config, self.emit = config, emit
        self.db = _db_from_url(config["connection.url"])
        self.insert_mode = config.get("insert.mode", "insert")
        self.pk_mode = config.get("pk.mode", "none")
        self.pk_fields = [f.strip() for f in str(config.get("pk.fields", "")).split(",") if f.strip()]
        self.auto_create = str(config.get("auto.create", "false")).lower() == "true"
        self.auto_evolve = str(config.get("auto.evolve", "false")).lower() == "true"
        self.table_format = config.get("table.name.format", "${topic}")
        self.max_retries = int(config.get("max.retries", 10))
        self.retry_backoff_ms = int(config.get("retry.backoff.ms", 3000))
        self.buffered: list = []
        self.retries_left = self.max_retries

    def _table(self, topic: str) -> str:
        return self.table_format.replace("${topic}", topic).replace("-", "_").replace(".", "_")

    def _columns(self, r) -> list[tuple[str, dict]]:
        if r.value_schema is None or r.value_schema.get("type") != "struct" or not isinstance(r.value, dict):
            raise ConnectException(
                f"Sink connector '{self.config.get('name')}' is configured with 'delete.enabled=false' and "
                f"'pk.mode={self.pk_mode}' and therefore requires records with a non-null Struct value and non-null "
                f"Struct schema, but found record at (topic='{r.topic}',partition={r.partition},offset={r.offset},"
                f"timestamp={r.timestamp}) with a {type(r.value).__name__} value and "
                f"{'null' if r.value_schema is None else r.value_schema.get('type')} value schema.")
        cols = [(f["field"], f) for f in struct_fields(r.value_schema)]
        if self.pk_mode == "kafka":
            cols = [("__connect_topic", {"type": "string"}), ("__connect_partition", {"type": "int32"}),
                    ("__connect_offset", {"type": "int64"})] + cols
        return cols

    def _keys(self, r) -> list[str]:
        if self.pk_mode == "kafka":
            return ["__connect_topic", "__connect_partition", "__connect_offset"]
        if self.pk_mode == "record_value":
            return self.pk_fields or [f["field"] for f in struct_fields(r.value_schema)]
        if self.pk_mode == "record_key":
            return self.pk_fields or ["id"]
        return []

    def _ensure_table(self, table: str, cols, keys) -> None:
        existing = self.db.columns(table)
        if not existing:
            if not self.auto_create:
                raise ConnectException(f"Table \"{table}\" is missing and auto-creation is disabled")
            defs = [f'"{c}" {_SQL_TYPES.get(s.get("type"), "TEXT")}' + ("" if s.get("optional") else " NOT NULL")
                    for c, s in cols]
            pk = f', PRIMARY KEY({", ".join(chr(34) + k + chr(34) for k in keys)})' if keys else ""
            self.db.execute(f'CREATE TABLE "{table}" ({", ".join(defs)}{pk})')
            self.emit("connect.sink.create_table", table=table, columns=[c for c, _ in cols], primary_key=keys)
            return
        missing = [(c, s) for c, s in cols if c not in existing]
        if missing:
            if not self.auto_evolve:
                raise ConnectException(f"Table \"{table}\" is missing fields ({', '.join(c for c, _ in missing)}) "
                                       f"and auto-evolution is disabled")
            for c, s in missing:
                if not s.get("optional") and "default" not in s:
                    raise ConnectException(f"Cannot ALTER TABLE \"{table}\" to add missing field {c}, as the field is "
                                           f"not optional and does not have a default value")
                self.db.execute(f'ALTER TABLE "{table}" ADD "{c}" {_SQL_TYPES.get(s.get("type"), "TEXT")}')
            self.emit("connect.sink.alter_table", table=table, added=[c for c, _ in missing])

    def put(self, records: list) -> None:
        """Write ``records`` in one transaction; RetriableException while the database is down."""
        if not records:
            return
        try:
            for r in records:
                table = self._table(r.topic)
                cols, keys = self._columns(r), None
                keys = self._keys(r)
                self._ensure_table(table, cols, keys)
                values = []
                for c, _s in cols:
                    if c == "__connect_topic":
                        values.append(r.topic)
                    elif c == "__connect_partition":
                        values.append(r.partition)
                    elif c == "__connect_offset":
                        values.append(r.offset)
                    elif self.pk_mode == "record_key" and c in keys and isinstance(r.key, dict):
                        values.append(r.key.get(c))
                    else:
                        v = r.value.get(c)
                        values.append(int(v) if isinstance(v, bool) else v)
                names = ", ".join(f'"{c}"' for c, _ in cols)
                marks = ", ".join("?" for _ in cols)
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
                if self.insert_mode in ("upsert", "update") and keys:
                    sets = ", ".join(f'"{c}"=excluded."{c}"' for c, _ in cols if c not in keys)
                    sql += f' ON CONFLICT({", ".join(chr(34) + k + chr(34) for k in keys)}) DO UPDATE SET {sets}'
                self.db.execute(sql, values)
            self.db.conn.commit()
        except sqlite3.OperationalError as e:
            self.db.conn.rollback()
            raise RetriableException(f"java.sql.SQLException: {e}") from None
        except sqlite3.IntegrityError as e:
            self.db.conn.rollback()
            raise ConnectException(f"java.sql.BatchUpdateException: {e}") from None
        self.emit("connect.sink.write", table=self._table(records[0].topic), rows=len(records),
                  offsets=[r.offset for r in records][-1:])


class SnowflakeSinkConnector(Connector):
    java_class = "com.snowflake.kafka.connector.SnowflakeSinkConnector"
    version = "2.2.0"
    required = ("snowflake.url.name", "snowflake.user.name", "snowflake.private.key", "snowflake.database.name",
                "snowflake.schema.name")

    @staticmethod
    def note(config: dict) -> str:
        """Said once per Connect cluster, when its first task starts."""
        return (f"SnowflakeSinkConnector runs against the embedded SQLite database "
                f"'{config['snowflake.database.name']}' (no Snowflake account here); config providers such as "
                "${file:…} are kept as written, not resolved")

    def task(self, config, task_id, emit):
        return SnowflakeSinkTask(config, emit)


class SnowflakeSinkTask:
    """Rows of ``RECORD_METADATA`` and ``RECORD_CONTENT`` (JSON text), table named after the topic."""

    def __init__(self, config, emit):
        self.config, self.emit = config, emit
        self.db = database(config["snowflake.database.name"])
        self.max_retries, self.retry_backoff_ms, self.retries_left = 10, 3000, 10

    def put(self, records):
        if not records:
            return
        try:
            table = records[0].topic.replace("-", "_").upper()
            self.db.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (RECORD_METADATA TEXT, RECORD_CONTENT TEXT)')
            for r in records:
                meta = {"topic": r.topic, "partition": r.partition, "offset": r.offset, "CreateTime": r.timestamp}
                self.db.execute(f'INSERT INTO "{table}" VALUES (?, ?)', (json.dumps(meta), json.dumps(r.value)))
            self.db.conn.commit()
        except sqlite3.OperationalError as e:
            self.db.conn.rollback()
            raise RetriableException(f"net.snowflake.client.jdbc.SnowflakeSQLException: {e}") from None
        self.emit("connect.sink.write", table=table, rows=len(records), offsets=[r.offset for r in records][-1:])


# -- sources ---------------------------------------------------------------------------------
class JdbcSourceConnector(Connector):
    java_class = "io.confluent.connect.jdbc.JdbcSourceConnector"
    kind = "source"
    required = ("connection.url", "topic.prefix")

    def validate(self, config):
        errs = super().validate(config)
        if config.get("mode", "incrementing") != "incrementing":
            errs.append(f"Invalid value {config.get('mode')} for configuration mode: the simulator's JDBC source "
                        f"supports mode=incrementing")
        if not config.get("incrementing.column.name"):
            errs.append('Missing required configuration "incrementing.column.name" which has no default value.')
        return errs

    def task_configs(self, config, max_tasks):
        tables = [t.strip() for t in str(config.get("table.whitelist", "")).split(",") if t.strip()]
        groups = [tables[i::max_tasks] for i in range(min(max_tasks, len(tables)))] or [[]]
        return [dict(config, tables=",".join(g)) for g in groups]

    def task(self, config, task_id, emit):
        return JdbcSourceTask(config, emit)


class JdbcSourceTask:
    def __init__(self, config, emit):
        self.config, self.emit = config, emit
        self.db = _db_from_url(config["connection.url"])
        self.tables = [t for t in config.get("tables", "").split(",") if t]
        self.column = config["incrementing.column.name"]
        self.prefix = config["topic.prefix"]
        self.poll_interval_ms = int(config.get("poll.interval.ms", 5000))

    def partitions(self) -> list[dict]:
        return [{"protocol": "1", "table": t} for t in self.tables]

    def poll(self, offsets: dict) -> list:
        from .data import ConnectRecord, infer_schema

        out = []
        for part in self.partitions():
            t = part["table"]
            last = (offsets.get(json.dumps(part, sort_keys=True)) or {}).get("incrementing", -1)
            try:
                cur = self.db.execute(f'SELECT * FROM "{t}" WHERE "{self.column}" > ? ORDER BY "{self.column}"',
                                      (last,))
            except sqlite3.OperationalError as e:
                raise RetriableException(f"java.sql.SQLException: {e}") from None
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                value = dict(zip(names, row))
                out.append(ConnectRecord(self.prefix + t, None, None, value, None, infer_schema(value, t),
                                         source_partition=part, source_offset={"incrementing": value[self.column]}))
        return out


class FileStreamSourceConnector(Connector):
    java_class = "org.apache.kafka.connect.file.FileStreamSourceConnector"
    kind = "source"
    version = "4.0.0"
    required = ("topic",)

    def task_configs(self, config, max_tasks):
        return [dict(config)]

    def task(self, config, task_id, emit):
        return FileStreamSourceTask(config, emit)


class FileStreamSourceTask:
    def __init__(self, config, emit):
        self.path, self.topic = config.get("file"), config["topic"]
        self.poll_interval_ms = 1000

    def partitions(self):
        return [{"filename": self.path}]

    def poll(self, offsets):
        from .data import ConnectRecord

        part = self.partitions()[0]
        pos = (offsets.get(json.dumps(part, sort_keys=True)) or {}).get("position", 0)
        try:
            with open(self.path, "rb") as f:
                f.seek(pos)
                data = f.read()
        except OSError as e:
            raise RetriableException(f"Couldn't find file {self.path}: {e}") from None
        out = []
        for line in data.split(b"\n")[:-1]:  # only complete lines
            pos += len(line) + 1
            out.append(ConnectRecord(self.topic, None, None, line.decode("utf-8"), None, {"type": "string"},
                                     source_partition=part, source_offset={"position": pos}))
        return out


PLUGINS = {c.java_class: c for c in (JdbcSinkConnector, JdbcSourceConnector, FileStreamSourceConnector,
                                     SnowflakeSinkConnector)}
