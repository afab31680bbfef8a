"""Converters: Kafka record bytes ⇄ Connect data (``key.converter`` / ``value.converter``).

* ``org.apache.kafka.connect.json.JsonConverter``: with ``schemas.enable=true`` (the default) each
  value is an envelope ``{"schema": {…}, "payload": {…}}``; with ``false`` a bare JSON value and no
  schema.  Bytes that are not JSON raise ``DataException: Converting byte[] to Kafka Connect data
  failed due to serialization error``.
* ``org.apache.kafka.connect.storage.StringConverter``: UTF-8 text, schema ``string``.
* ``org.apache.kafka.connect.converters.ByteArrayConverter``: bytes as they are.
* ``io.confluent.connect.avro.AvroConverter``: the Confluent wire format through the Schema Registry
  (``schema.registry.url``); Avro records become Connect structs, ``["null", X]`` an optional X.

Converter-specific settings come prefixed in the connector config (``value.converter.schemas.enable``).
"""
from __future__ import annotations

import json

from .data import DataException, NetworkException, infer_schema

AVRO_TO_CONNECT = {"long": "int64", "int": "int32", "string": "string", "boolean": "boolean", "double": "float64",
                   "float": "float32", "bytes": "bytes"}
CONNECT_TO_AVRO = {v: k for k, v in AVRO_TO_CONNECT.items()} | {"int8": "int", "int16": "int"}


def _bool(v) -> bool:
    return v if isinstance(v, bool) else str(v).strip().lower() == "true"


class Converter:
    java_class = ""

    def __init__(self, config: dict, is_key: bool):
        self.config, self.is_key = config, is_key

    def to_connect(self, topic: str, data: bytes | None) -> tuple[dict | None, object]:
        raise NotImplementedError

    def from_connect(self, topic: str, schema: dict | None, value) -> bytes | None:
        raise NotImplementedError


class StringConverter(Converter):
    java_class = "org.apache.kafka.connect.storage.StringConverter"

    def to_connect(self, topic, data):
        return ({"type": "string", "optional": True}, None if data is None else data.decode("utf-8"))

    def from_connect(self, topic, schema, value):
        return None if value is None else str(value).encode("utf-8")


class ByteArrayConverter(Converter):
    java_class = "org.apache.kafka.connect.converters.ByteArrayConverter"

    def to_connect(self, topic, data):
        return ({"type": "bytes", "optional": True}, data)

    def from_connect(self, topic, schema, value):
        return value


class JsonConverter(Converter):
    java_class = "org.apache.kafka.connect.json.JsonConverter"

    def __init__(self, config, is_key):
        super().__init__(config, is_key)
        self.schemas_enable = _bool(config.get("schemas.enable", True))

    def to_connect(self, topic, data):
        if data is None:
            return None, None
        try:
            doc = json.loads(data.decode("utf-8"))  # JSON on the wire is UTF-8 (no guessing of UTF-16/32)
        except (ValueError, UnicodeDecodeError) as e:
            raise DataException(f"Converting byte[] to Kafka Connect data failed due to serialization error: {e}") \
                from None
        if not self.schemas_enable:
            return None, doc
        if not (isinstance(doc, dict) and set(doc) == {"schema", "payload"}):
            raise DataException("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may "
                                "not contain additional fields. If you are trying to deserialize plain JSON data, set "
                                "schemas.enable=false in your converter configuration.")
        return doc["schema"], doc["payload"]

    def from_connect(self, topic, schema, value):
        if value is None and schema is None:
            return None
        doc = {"schema": schema or infer_schema(value), "payload": value} if self.schemas_enable else value
        return json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()


def avro_to_connect(avro) -> dict:
    """An Avro schema (parsed JSON) as a Connect schema (AvroData.toConnectSchema, the common cases)."""
    if isinstance(avro, str):
        return {"type": AVRO_TO_CONNECT.get(avro, "string"), "optional": False}
    if isinstance(avro, list):
        branches = [b for b in avro if b != "null"]
        inner = avro_to_connect(branches[0]) if len(branches) == 1 else {"type": "string"}
        return dict(inner, optional="null" in avro)
    t = avro.get("type")
    if t == "record":
        fields = []
        for f in avro["fields"]:
            s = dict(avro_to_connect(f["type"]), field=f["name"])
            if "default" in f:
                s["default"] = f["default"]
            fields.append(s)
        name = f"{avro['namespace']}.{avro['name']}" if avro.get("namespace") else avro["name"]
        return {"type": "struct", "fields": fields, "optional": False, "name": name}
    return avro_to_connect(t)


def connect_to_avro(schema: dict, name: str = "ConnectDefault") -> object:
    t = schema.get("type")
    if t == "struct":
        fields = []
        for f in schema.get("fields", []):
            af = {"name": f["field"], "type": connect_to_avro(f)}
            if f.get("optional"):
                af["default"] = None
            fields.append(af)
        full = schema.get("name") or f"io.confluent.connect.avro.{name}"
        ns, _, short = full.rpartition(".")
        out = {"type": "record", "name": short, "fields": fields}
        if ns:
            out["namespace"] = ns
        return out
    base = CONNECT_TO_AVRO.get(t, "string")
    return ["null", base] if schema.get("optional") else base


class AvroConverter(Converter):
    java_class = "io.confluent.connect.avro.AvroConverter"

    def __init__(self, config, is_key):
        super().__init__(config, is_key)
        url = config.get("schema.registry.url")
        if not url:
            from .data import ConfigException

            raise ConfigException('Missing required configuration "schema.registry.url" which has no default value.')
        from ...confluent_kafka.schema_registry import SchemaRegistryClient

        self.client = SchemaRegistryClient({"url": str(url).split(",")[0]})
        self.auto_register = _bool(config.get("auto.register.schemas", True))

    def _ctx(self, topic):
        from ...confluent_kafka.serialization import MessageField, SerializationContext

        return SerializationContext(topic, MessageField.KEY if self.is_key else MessageField.VALUE)

    def to_connect(self, topic, data):
        if data is None:
            return None, None
        from ...confluent_kafka.schema_registry.avro import AvroDeserializer
        from ...confluent_kafka.serialization import SerializationError

        try:
            value = AvroDeserializer(self.client)(data, self._ctx(topic))
        except SerializationError as e:
            raise DataException(f"Failed to deserialize data for topic {topic} to Avro: {e}") from None
        except ConnectionError as e:
            # AvroConverter.toConnectData: a SerializationException caused by a network connection error
            # becomes Kafka's NetworkException (not Connect's RetriableException: Connect does not retry it)
            raise NetworkException(f"Network connection error while deserializing data for topic {topic}: {e}") \
                from None
        (sid,) = __import__("struct").unpack(">I", data[1:5])
        schema = avro_to_connect(json.loads(self.client.get_schema(sid).schema_str))
        return schema, value

    def from_connect(self, topic, schema, value):
        if value is None:
            return None
        from ...confluent_kafka.schema_registry.avro import AvroSerializer

        avro_schema = connect_to_avro(schema or infer_schema(value))
        ser = AvroSerializer(self.client, json.dumps(avro_schema), conf={"auto.register.schemas": self.auto_register})
        try:
            return ser(value, self._ctx(topic))
        except ConnectionError as e:
            raise NetworkException(f"Network connection error while serializing Avro data for topic {topic}: {e}") \
                from None


CONVERTERS = {c.java_class: c for c in (StringConverter, ByteArrayConverter, JsonConverter, AvroConverter)}


def converter_class(config: dict, prefix: str, default: str) -> type[Converter]:
    """The class named under ``prefix`` (``key.converter``/``value.converter``), checked as Connect's
    ``ConnectorConfig`` checks a ``CLASS`` setting when a connector is created or validated."""
    from .data import ConfigException

    cls_name = config.get(prefix, default)
    cls = CONVERTERS.get(cls_name)
    if cls is None:
        raise ConfigException(f"Invalid value {cls_name} for configuration {prefix}: Class {cls_name} could not be "
                              f"found.")
    return cls


def make_converter(config: dict, prefix: str, default: str):
    """The converter a connector config names under ``key.converter`` / ``value.converter``, configured with
    its prefixed settings (``Plugins.newConverter`` calls ``configure`` when a *task* starts)."""
    cls = converter_class(config, prefix, default)
    sub = {k[len(prefix) + 1:]: v for k, v in config.items() if k.startswith(prefix + ".")}
    return cls(sub, is_key=prefix.startswith("key"))
