"""A record's way through a sink connector: value converter → each SMT → what the sink would write.

:func:`record_stages` runs the connector's own converter and transform chain (the same classes a
task runs) on one record and says, at each stage, what the record looks like or why it stops there.
It writes nothing: the sink stage names the table and columns the JDBC sink would use.
"""
from __future__ import annotations

from .converters import make_converter
from .data import ConnectException, ConnectRecord, struct_fields
from .transforms import Chain

JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"


def record_stages(config: dict, raw_value: bytes, topic: str = "orders") -> list[dict]:
    """One dict per stage: ``stage``, ``topic``, ``value`` (a repr, or the error) and ``outcome``
    (``"ok"``, ``"dropped"`` by a Filter, ``"failed"``)."""
    stages = [{"stage": "bytes on the topic", "topic": topic, "value": raw_value.decode("utf-8", "replace"),
               "outcome": "ok"}]
    conv = make_converter(config, "value.converter", JSON_CONVERTER)
    name = conv.java_class.rsplit(".", 1)[-1]
    try:
        schema, value = conv.to_connect(topic, raw_value)
    except ConnectException as e:
        stages.append({"stage": name, "topic": topic, "value": f"{type(e).__name__}: {e}", "outcome": "failed"})
        return stages
    stages.append({"stage": name, "topic": topic, "value": repr(value), "outcome": "ok"})
    trail: list = []
    chain = Chain(config)
    rec = ConnectRecord(topic, 0, None, value, None, schema, 0, [], offset=0)
    error = None
    try:
        rec = chain.apply(rec, trail)
    except ConnectException as e:
        error = e
    for smt, r in trail:
        stages.append({"stage": f"SMT {smt}", "topic": r.topic if r is not None else "",
                       "value": "dropped" if r is None else repr(r.value),
                       "outcome": "ok" if r is not None else "dropped"})
    if error is not None:
        smt = chain.steps[len(trail)][0]
        stages.append({"stage": f"SMT {smt}", "topic": "", "value": f"{type(error).__name__}: {error}",
                       "outcome": "failed"})
        return stages
    if rec is not None and config.get("connector.class") == "io.confluent.connect.jdbc.JdbcSinkConnector":
        fmt = config.get("table.name.format", "${topic}")
        table = fmt.replace("${topic}", rec.topic).replace("-", "_").replace(".", "_")
        cols = [f["field"] for f in struct_fields(rec.value_schema)]
        stages.append({"stage": "JdbcSinkConnector", "topic": rec.topic,
                       "value": f"INSERT INTO {table} ({', '.join(cols)})" if cols else
                       "ConnectException: the JDBC sink needs a struct value with a schema",
                       "outcome": "ok" if cols else "failed"})
    return stages


__all__ = ["record_stages"]
