"""``confluent_kafka.schema_registry.avro``: Avro through fastavro, framed in the Confluent wire format.

Wire format: magic byte ``0``, the schema id as a 4-byte big-endian int, then the Avro binary
body (fastavro's ``schemaless_writer``)::

    >>> import struct
    >>> struct.pack(">bI", 0, 1) + b"\\x02x"
    b'\\x00\\x00\\x00\\x00\\x01\\x02x'

``AvroSerializer`` finds the subject with its ``subject.name.strategy`` (``topic_subject_name_strategy``
by default: ``<topic>-value``), registers the schema (``auto.register.schemas``, default True),
or uses the latest registered version (``use.latest.version``), or looks it up.
``AvroDeserializer`` reads the id, fetches the writer's schema by id, and decodes — with its own
``schema_str`` as the *reader* schema when given (Avro schema resolution, which is exactly what
compatibility levels are about).  Bytes shorter than 6 or with another magic byte raise
``SerializationError`` with confluent-kafka's text.
"""
from __future__ import annotations

import io
import json
import struct

import fastavro
from fastavro.schema import SchemaParseException, UnknownType  # noqa: F401  (re-exported as in confluent-kafka)

from ..serialization import Deserializer, SerializationContext, SerializationError, Serializer
from . import topic_subject_name_strategy
from .schema_registry_client import Schema, SchemaRegistryClient

__all__ = ["AvroDeserializer", "AvroSerializer"]

_MAGIC_BYTE = 0


def _parse(schema_str: str):
    return fastavro.parse_schema(json.loads(schema_str))


def _record_name(parsed) -> str | None:
    return parsed.get("name") if isinstance(parsed, dict) else None


class AvroSerializer(Serializer):
    """``AvroSerializer(schema_registry_client, schema_str, to_dict=None, conf=None)``."""

    _default_conf = {"auto.register.schemas": True, "normalize.schemas": False, "use.latest.version": False,
                     "use.latest.with.metadata": None, "subject.name.strategy": topic_subject_name_strategy}

    def __init__(self, schema_registry_client: SchemaRegistryClient, schema_str, to_dict=None, conf: dict | None = None,
                 rule_conf=None, rule_registry=None):
        self._registry = schema_registry_client
        if isinstance(schema_str, Schema):
            schema_str = schema_str.schema_str
        self._schema_str = schema_str
        conf_copy = dict(self._default_conf)
        if conf is not None:
            if not isinstance(conf, dict):
                raise TypeError("conf must be a dict, not " + str(type(conf)))
            conf_copy.update(conf)
        self._auto_register = conf_copy.pop("auto.register.schemas")
        if not isinstance(self._auto_register, bool):
            raise ValueError("auto.register.schemas must be a boolean value")
        self._normalize = conf_copy.pop("normalize.schemas")
        self._use_latest = conf_copy.pop("use.latest.version")
        if self._use_latest and self._auto_register:
            raise ValueError("cannot enable both use.latest.version and auto.register.schemas")
        conf_copy.pop("use.latest.with.metadata")
        self._subject_name_func = conf_copy.pop("subject.name.strategy")
        if not callable(self._subject_name_func):
            raise ValueError("subject.name.strategy must be callable")
        if conf_copy:
            raise ValueError("Unrecognized properties: {}".format(", ".join(conf_copy.keys())))
        if to_dict is not None and not callable(to_dict):
            raise ValueError("to_dict must be callable with the signature to_dict(object, SerializationContext)->dict")
        self._to_dict = to_dict
        self._parsed = _parse(schema_str) if schema_str is not None else None
        self._known: dict = {}  # subject -> schema id

    def __call__(self, obj, ctx: SerializationContext | None = None) -> bytes | None:
        if obj is None:
            return None
        if ctx is None and self._subject_name_func is topic_subject_name_strategy:
            raise ValueError("SerializationContext is required for topic_subject_name_strategy. Either provide a "
                             "SerializationContext or use record_subject_name_strategy.")
        subject = self._subject_name_func(ctx, _record_name(self._parsed))
        schema_id = self._known.get(subject)
        parsed = self._parsed
        if schema_id is None or self._use_latest:
            if self._use_latest:
                latest = self._registry.get_latest_version(subject)
                schema_id, parsed = latest.schema_id, _parse(latest.schema.schema_str)
            elif self._auto_register:
                schema_id = self._registry.register_schema(subject, Schema(self._schema_str, "AVRO"),
                                                           normalize_schemas=self._normalize)
            else:
                schema_id = self._registry.lookup_schema(subject, Schema(self._schema_str, "AVRO")).schema_id
            if not self._use_latest:
                self._known[subject] = schema_id
        value = self._to_dict(obj, ctx) if self._to_dict is not None else obj
        buf = io.BytesIO()
        buf.write(struct.pack(">bI", _MAGIC_BYTE, schema_id))
        fastavro.schemaless_writer(buf, parsed, value)
        return buf.getvalue()


class AvroDeserializer(Deserializer):
    """``AvroDeserializer(schema_registry_client, schema_str=None, from_dict=None, return_record_name=False)``."""

    def __init__(self, schema_registry_client: SchemaRegistryClient, schema_str=None, from_dict=None,
                 return_record_name: bool = False, conf: dict | None = None, rule_conf=None, rule_registry=None):
        self._registry = schema_registry_client
        if isinstance(schema_str, Schema):
            schema_str = schema_str.schema_str
        self._reader = _parse(schema_str) if schema_str is not None else None
        if from_dict is not None and not callable(from_dict):
            raise ValueError("from_dict must be callable with the signature from_dict(SerializationContext, dict) "
                             "-> object")
        self._from_dict = from_dict
        self._return_record_name = return_record_name
        extra = set(conf or {}) - {"use.latest.version", "use.latest.with.metadata", "subject.name.strategy"}
        if extra:
            raise ValueError("Unrecognized properties: {}".format(", ".join(sorted(extra))))
        self._writers: dict = {}

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None):
        if data is None:
            return None
        if len(data) <= 5:
            raise SerializationError(f"Expecting data framing of length 6 bytes or more but total data size is "
                                     f"{len(data)} bytes. This message was not produced with a Confluent Schema "
                                     f"Registry serializer")
        magic = data[0]
        if magic == 1:
            if len(data) < 17:
                raise ValueError("bytes is not a 16-char string")  # confluent-kafka's text for a short v1 frame
            # Simplification: v1 frames (a 16-byte schema GUID instead of the id) are not supported.
            raise SerializationError("Schema GUIDs (magic byte 1) are not supported by the simulated registry")
        if magic != _MAGIC_BYTE:
            raise SerializationError("Invalid magic byte")
        (schema_id,) = struct.unpack(">I", data[1:5])
        writer = self._writers.get(schema_id)
        if writer is None:
            writer = self._writers[schema_id] = _parse(self._registry.get_schema(schema_id).schema_str)
        obj = fastavro.schemaless_reader(io.BytesIO(data[5:]), writer, self._reader or writer,
                                         return_record_name=self._return_record_name)
        if self._from_dict is not None:
            return self._from_dict(obj, ctx)
        return obj
