"""Parity with the real ``confluent_kafka.schema_registry`` (its ``mock://`` client and serde).

The same case runs against confluent-kafka (``SchemaRegistryClient.new_client({"url": "mock://…"})``,
which is its ``MockSchemaRegistryClient``) and against ``kafkalab.confluent_kafka``; outcomes must match
except where the test says why kafkalab differs: the real mock checks no compatibility and gives the
same schema a new id in every subject, where a real registry (and ours) reuses the id.
"""
from __future__ import annotations

import itertools
import warnings

import pytest

real_sr = pytest.importorskip("confluent_kafka.schema_registry")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import confluent_kafka.schema_registry.avro as real_avro  # noqa: E402
import confluent_kafka.serialization as real_ser  # noqa: E402

import kafkalab.confluent_kafka.schema_registry as sim_sr  # noqa: E402
import kafkalab.confluent_kafka.schema_registry.avro as sim_avro  # noqa: E402
import kafkalab.confluent_kafka.serialization as sim_ser  # noqa: E402

USER = ('{"type":"record","name":"User","namespace":"ex","fields":[{"name":"name","type":"string"},'
        '{"name":"age","type":"int"},{"name":"email","type":["null","string"],"default":null}]}')
_scope = itertools.count()


def backends():
    n = next(_scope)
    return [("real", real_sr, real_avro, real_ser, real_sr.SchemaRegistryClient.new_client({"url": f"mock://p{n}"})),
            ("sim", sim_sr, sim_avro, sim_ser, sim_sr.SchemaRegistryClient({"url": f"mock://parity-{n}"}))]


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the point is to compare what each raises
        return (type(e).__name__, str(e))


def test_wire_bytes_are_identical():
    out = {}
    for name, sr, avro, ser, client in backends():
        ctx = ser.SerializationContext("users", ser.MessageField.VALUE)
        s = avro.AvroSerializer(client, USER)
        out[name] = [s({"name": "ada", "age": 36, "email": None}, ctx), s({"name": "bo", "age": 7, "email": "b@x"}, ctx)]
    assert out["real"] == out["sim"]


def test_round_trip_and_subjects_are_identical():
    out = {}
    for name, sr, avro, ser, client in backends():
        ctx = ser.SerializationContext("users", ser.MessageField.VALUE)
        data = avro.AvroSerializer(client, USER)({"name": "ada", "age": 36, "email": None}, ctx)
        key_ctx = ser.SerializationContext("users", ser.MessageField.KEY)
        avro.AvroSerializer(client, USER, conf={"subject.name.strategy": sr.topic_record_subject_name_strategy})(
            {"name": "x", "age": 1, "email": None}, key_ctx)
        out[name] = (avro.AvroDeserializer(client)(data, ctx), sorted(client.get_subjects()),
                     client.get_versions("users-value"), client.get_latest_version("users-value").version)
    assert out["real"] == out["sim"]


@pytest.mark.parametrize("data", [b"", b"hello", b"hello world", b'{"name":"ada"}', b"\x01abcdef"])
def test_deserializer_errors_on_unframed_bytes_are_identical(data):
    got = {}
    for name, _sr, avro, ser, client in backends():
        got[name] = outcome(lambda: avro.AvroDeserializer(client)(data, ser.SerializationContext("t", "value")))
    assert got["real"] == got["sim"]


def test_plain_serializers_are_identical():
    for value, cls in [("héllo", "StringSerializer"), (7, "IntegerSerializer"), (-2.5, "DoubleSerializer"),
                       (None, "StringSerializer"), (2**40, "IntegerSerializer")]:
        assert outcome(lambda: getattr(real_ser, cls)()(value)) == outcome(lambda: getattr(sim_ser, cls)()(value))
    for data, cls in [(b"\x00\x00\x00\x07", "IntegerDeserializer"), (b"\xff", "StringDeserializer"),
                      (b"abc", "IntegerDeserializer")]:
        r, s = outcome(lambda: getattr(real_ser, cls)()(data)), outcome(lambda: getattr(sim_ser, cls)()(data))
        assert r[0] == s[0] and (r[0] != "ok" or r == s)


def test_schema_registry_error_reads_the_same():
    r = real_sr.SchemaRegistryError(409, 40901, "Schema being registered is incompatible")
    s = sim_sr.SchemaRegistryError(409, 40901, "Schema being registered is incompatible")
    assert (str(r), r.http_status_code, r.error_code, r.error_message) == \
        (str(s), s.http_status_code, s.error_code, s.error_message)


def test_serializer_config_errors_are_identical():
    for conf in [{"bogus": 1}, {"auto.register.schemas": "yes"}, {"use.latest.version": True}]:
        got = {name: outcome(lambda: avro.AvroSerializer(client, USER, conf=conf))
               for name, _sr, avro, _ser, client in backends()}
        assert got["real"][0] == got["sim"][0], conf


def test_where_kafkalab_deliberately_differs_from_the_real_mock():
    """The real MockSchemaRegistryClient is a test double: no compatibility check, a new id for the
    same schema in another subject, 40400 for every miss.  kafkalab's mock:// is a real registry in
    memory, answering as Confluent's server does (SubjectVersionsResource, Errors.java)."""
    incompatible = ('{"type":"record","name":"User","namespace":"ex","fields":[{"name":"name","type":"string"},'
                    '{"name":"age","type":"int"},{"name":"phone","type":"string"}]}')
    (_, _, _, _, real), (_, _, _, _, sim) = backends()
    for c, sr in ((real, real_sr), (sim, sim_sr)):
        c.register_schema("a-value", sr.Schema(USER, "AVRO"))
    assert real.register_schema("b-value", real_sr.Schema(USER, "AVRO")) == 2
    assert sim.register_schema("b-value", sim_sr.Schema(USER, "AVRO")) == 1
    assert outcome(lambda: real.register_schema("a-value", real_sr.Schema(incompatible, "AVRO")))[0] == "ok"
    with pytest.raises(sim_sr.SchemaRegistryError) as e:
        sim.register_schema("a-value", sim_sr.Schema(incompatible, "AVRO"))
    assert e.value.error_code == 40901
    with pytest.raises(real_sr.SchemaRegistryError) as r:
        real.get_versions("nope") or real.get_latest_version("nope")
    with pytest.raises(sim_sr.SchemaRegistryError) as s:
        sim.get_latest_version("nope")
    assert (r.value.error_code, s.value.error_code) == (40400, 40401)
