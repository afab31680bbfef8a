"""Connect's data model: records with Connect schemas, and Connect's exceptions (Java class names).

A Connect schema is kept in the JSON form JsonConverter writes (``{"type":"struct","fields":[
{"field":"id","type":"int64","optional":false}],"optional":false,"name":"…"}``); a value is a plain
Python object (a ``dict`` for a struct).  ``SinkRecord``/``SourceRecord`` carry topic, partition,
offset, key/value with their schemas, timestamp and headers, as in ``org.apache.kafka.connect``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


class ConnectException(Exception):
    """``org.apache.kafka.connect.errors.ConnectException``."""

    java_class = "org.apache.kafka.connect.errors.ConnectException"


class DataException(ConnectException):
    """Bad data: a converter or transform cannot handle this record (``errors.tolerance`` applies)."""

    java_class = "org.apache.kafka.connect.errors.DataException"


class RetriableException(ConnectException):
    """A failure worth retrying (the database is down): the only class Connect's RetryWithToleranceOperator
    retries (``errors.retry.timeout.ms``) in a converter or SMT."""

    java_class = "org.apache.kafka.connect.errors.RetriableException"


class NetworkException(Exception):
    """``org.apache.kafka.common.errors.NetworkException``: what Confluent's AvroConverter throws when the
    registry cannot be reached.  A retriable exception of the *clients* (common.errors), not Connect's
    ``RetriableException``: Connect does not retry it, ``errors.tolerance`` decides."""

    java_class = "org.apache.kafka.common.errors.NetworkException"


class ConfigException(ConnectException):
    """``org.apache.kafka.common.config.ConfigException``: a bad connector or SMT config."""

    java_class = "org.apache.kafka.common.config.ConfigException"


@dataclass
class ConnectRecord:
    topic: str
    partition: int | None
    key: object
    value: object
    key_schema: dict | None = None
    value_schema: dict | None = None
    timestamp: int | None = None
    headers: list = field(default_factory=list)
    offset: int | None = None  # sink records: the Kafka offset
    source_partition: dict | None = None  # source records: where in the source system
    source_offset: dict | None = None

    def new_record(self, **changes) -> ConnectRecord:
        return replace(self, **changes)


# Connect schema helpers ---------------------------------------------------------------------------
PRIMITIVES = ("int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes")


def infer_schema(value, name: str | None = None) -> dict | None:
    """A Connect schema for a plain value (what a source connector builds from a database row)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"type": "boolean", "optional": True}
    if isinstance(value, int):
        return {"type": "int64", "optional": True}
    if isinstance(value, float):
        return {"type": "float64", "optional": True}
    if isinstance(value, (bytes, bytearray)):
        return {"type": "bytes", "optional": True}
    if isinstance(value, dict):
        fields = [dict(infer_schema(v) or {"type": "string", "optional": True}, field=k) for k, v in value.items()]
        out = {"type": "struct", "fields": fields, "optional": False}
        if name:
            out["name"] = name
        return out
    return {"type": "string", "optional": True}


def struct_fields(schema: dict | None) -> list[dict]:
    return list(schema.get("fields", [])) if schema and schema.get("type") == "struct" else []
