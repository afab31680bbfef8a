"""Schema Registry: compatibility levels, REST answers, the ``_schemas`` log, the Avro serde.

Expected outcomes come from Confluent's own code and tests (confluentinc/schema-registry), cited
per test; the verdict for each reader/writer pair is Apache Avro's (the ``avro`` package).
"""
from __future__ import annotations

import json

import pytest

import kafkalab
from kafkalab.confluent_kafka.schema_registry import (Schema, SchemaRegistryClient, SchemaRegistryError,
                                                      record_subject_name_strategy,
                                                      topic_record_subject_name_strategy)
from kafkalab.confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from kafkalab.confluent_kafka.serialization import MessageField, SerializationContext, SerializationError
from kafkalab.ecosystem.schema_registry import SchemaRegistry, check, parse

# The schemas of AvroCompatibilityTest.java (core/src/test/java/io/confluent/kafka/schemaregistry/avro/).
S1 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}]}'
S2 = ('{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},'
      '{"type":"string","name":"f2","default":"foo"}]}')
S3 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2"}]}'
S4 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1_new","aliases":["f1"]}]}'
S6 = '{"type":"record","name":"myrecord","fields":[{"type":["null","string"],"name":"f1","doc":"doc of f1"}]}'
S7 = '{"type":"record","name":"myrecord","fields":[{"type":["null","string","int"],"name":"f1","doc":"doc of f1"}]}'
S8 = ('{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},'
      '{"type":"string","name":"f2","default":"foo"},{"type":"string","name":"f3","default":"bar"}]}')
P = {k: parse(v) for k, v in {"1": S1, "2": S2, "3": S3, "4": S4, "6": S6, "7": S7, "8": S8}.items()}


def ok(level, new, *previous):
    """CompatibilityChecker.isCompatible(new, [previous…]).isEmpty(); previous oldest first."""
    return not check(level, P[new], [(i + 1, P[p]) for i, p in enumerate(previous)])


# -- AvroCompatibilityTest.java, case by case ---------------------------------------------------
def test_backward_cases_of_avro_compatibility_test():
    """testBasicBackwardsCompatibility: 'A new schema is backward compatible if it can be used to read
    the data written in the previous schema'; a plain level checks only the latest version."""
    assert ok("BACKWARD", "2", "1")  # adding a field with default
    assert not ok("BACKWARD", "3", "1")  # adding a field w/o default
    assert ok("BACKWARD", "4", "1")  # changing field name with alias
    assert ok("BACKWARD", "6", "1")  # evolving a field type to a union
    assert not ok("BACKWARD", "1", "6")  # removing a type from a union
    assert ok("BACKWARD", "7", "6")  # adding a new type in union
    assert not ok("BACKWARD", "6", "7")  # removing a type from a union
    assert ok("BACKWARD", "3", "1", "2")  # "Only schema 2 is checked"


def test_backward_transitive_cases_of_avro_compatibility_test():
    """testBasicBackwardsTransitiveCompatibility: every earlier schema must be readable."""
    assert ok("BACKWARD_TRANSITIVE", "8", "1", "2")
    assert ok("BACKWARD_TRANSITIVE", "2", "1")
    assert ok("BACKWARD_TRANSITIVE", "3", "2")
    # Java passes Arrays.asList(schema2, schema1): every schema is checked, and schema1 (no f2) fails.
    assert not ok("BACKWARD_TRANSITIVE", "3", "2", "1")


def test_forward_cases_of_avro_compatibility_test():
    """testBasicForwardsCompatibility: the previous schema must read data written with the new one."""
    assert ok("FORWARD", "2", "1")
    assert ok("FORWARD", "3", "1")
    assert ok("FORWARD", "3", "2")
    assert ok("FORWARD", "2", "3")
    assert ok("FORWARD", "1", "3", "2")  # only schema 2 is checked


def test_forward_transitive_cases_of_avro_compatibility_test():
    """testBasicForwardsTransitiveCompatibility."""
    assert ok("FORWARD_TRANSITIVE", "1", "8", "2")
    assert ok("FORWARD_TRANSITIVE", "2", "3")
    assert ok("FORWARD_TRANSITIVE", "1", "2")
    assert not ok("FORWARD_TRANSITIVE", "1", "2", "3")


def test_full_cases_of_avro_compatibility_test():
    """testBasicFullCompatibility: both directions, latest only."""
    assert ok("FULL", "2", "1")
    assert ok("FULL", "3", "1", "2")  # only schema 2 is checked
    assert ok("FULL", "1", "3", "2")


def test_full_transitive_cases_of_avro_compatibility_test():
    """testBasicFullTransitiveCompatibility."""
    assert ok("FULL_TRANSITIVE", "8", "1", "2")
    assert ok("FULL_TRANSITIVE", "1", "8", "2")
    assert ok("FULL_TRANSITIVE", "2", "3")
    assert ok("FULL_TRANSITIVE", "1", "2")
    assert ok("FULL_TRANSITIVE", "2", "1")
    assert ok("FULL_TRANSITIVE", "3", "2")
    assert not ok("FULL_TRANSITIVE", "3", "2", "1")
    assert not ok("FULL_TRANSITIVE", "1", "2", "3")


def test_none_checks_nothing():
    """CompatibilityChecker.NO_OP_CHECKER returns no errors whatever the schemas."""
    assert ok("NONE", "3", "1") and ok("NONE", "1", "7")


def test_difference_text_is_the_registrys():
    """Difference.java: READER_FIELD_MISSING_DEFAULT_VALUE's description and additionalInfo, then
    SchemaValidatorBuilder.formatErrorMessages appends {oldSchemaVersion: N} and {oldSchema: '…'}."""
    msgs = check("BACKWARD", P["3"], [(1, P["1"])])
    assert msgs[0] == ("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path "
                       "'/fields/1' in the new schema has no default value and is missing in the old schema', "
                       "additionalInfo:'f2'}")
    assert msgs[1] == "{oldSchemaVersion: 1}"
    assert msgs[2].startswith("{oldSchema: '") and '"name":"myrecord"' in msgs[2]
    # FORWARD reads new data with the old schema: the words swap.
    fwd = check("FORWARD", P["6"], [(1, P["1"])])  # old reader f1: string, new writer f1: null|string
    assert "TYPE_MISMATCH" in fwd[0] and "in the old schema does not match with the new schema" in fwd[0]
    assert "reader type: STRING not compatible with writer type: NULL" in fwd[0]  # Avro-Java's spelling


def test_enum_symbols_are_printed_as_avro_java_does():
    old = parse('{"type":"enum","name":"e","symbols":["A","B"]}')
    new = parse('{"type":"enum","name":"e","symbols":["A"]}')
    msgs = check("BACKWARD", new, [(1, old)])
    assert "MISSING_ENUM_SYMBOLS" in msgs[0] and "additionalInfo:'[B]'" in msgs[0]


# -- the REST API on a simulated cluster --------------------------------------------------------
@pytest.fixture
def cluster():
    return kafkalab.Cluster(brokers=3, seed=7)


@pytest.fixture
def registry(cluster):
    return SchemaRegistry(cluster)


@pytest.fixture
def client(registry):
    return SchemaRegistryClient({"url": "http://schema-registry:8081"})


def test_register_ids_versions_and_identical_schema(client, registry, cluster):
    """KafkaSchemaRegistry.register: an identical schema under the subject returns its id and writes
    nothing; the same schema under another subject reuses the global id."""
    assert client.register_schema("t-value", Schema(S1)) == 1
    n = len(cluster.trace.filter("produce.ack"))
    again = SchemaRegistryClient({"url": registry.url})  # a fresh client: no client-side cache
    assert again.register_schema("t-value", Schema(S1)) == 1
    assert len(cluster.trace.filter("produce.ack")) == n  # no record written
    assert again.register_schema("u-value", Schema(S1)) == 1
    assert client.register_schema("t-value", Schema(S2)) == 2
    assert client.get_versions("t-value") == [1, 2]
    assert client.get_subjects() == ["t-value", "u-value"]
    latest = client.get_latest_version("t-value")
    assert (latest.version, latest.schema_id, latest.subject) == (2, 2, "t-value")
    assert json.loads(client.get_schema(1).schema_str)["fields"][0]["name"] == "f1"


def test_incompatible_schema_is_409_with_the_registrys_message(client):
    """RestApiCompatibilityTest.testCompatibility: 409 (40901) naming READER_FIELD_MISSING_DEFAULT_VALUE;
    SubjectVersionsResource: 'Schema being registered is incompatible with an earlier schema for
    subject "…", details: [...]'; AbstractSchemaRegistry appends {validateFields: 'false',
    compatibility: 'BACKWARD'}."""
    client.register_schema("testSubject", Schema(S1))
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("testSubject", Schema(S3))
    err = e.value
    assert (err.http_status_code, err.error_code) == (409, 40901)
    assert err.error_message.startswith('Schema being registered is incompatible with an earlier schema for subject '
                                        '"testSubject", details: [{errorType:\'READER_FIELD_MISSING_DEFAULT_VALUE\'')
    assert err.error_message.endswith("{validateFields: 'false', compatibility: 'BACKWARD'}]")
    assert client.get_versions("testSubject") == [1]  # nothing half-registered


def test_invalid_schema_is_422(client):
    """RestApiCompatibilityTest: a non-Avro schema string is RestInvalidSchemaException (42201)."""
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("testSubject", Schema("non-avro schema string"))
    assert (e.value.http_status_code, e.value.error_code) == (422, 42201)
    assert e.value.error_message.startswith("Invalid schema non-avro schema string with refs [] of type AVRO, details: ")
    assert client.get_subjects() == []


def test_level_change_backward_forward_backward(client):
    """RestApiCompatibilityTest.testCompatibilityLevelChangeToBackward, step by step."""
    assert client.get_compatibility() == "BACKWARD"
    client.register_schema("s", Schema(S1))
    assert client.set_compatibility(level="FORWARD") == {"compatibility": "FORWARD"}
    assert client.get_compatibility() == "FORWARD"
    assert client.register_schema("s", Schema(S3)) == 2  # forward compatible with S1
    client.set_compatibility(level="BACKWARD")
    s3b = ('{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2"},'
           '{"type":"string","name":"f3"}]}')
    s4b = ('{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2"},'
           '{"type":"string","name":"f3","default":"foo"}]}')
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("s", Schema(s3b))
    assert e.value.http_status_code == 409
    assert client.register_schema("s", Schema(s4b)) == 3


def test_none_lets_an_incompatible_schema_in(client):
    """RestApiCompatibilityTest.testCompatibilityLevelChangeToNone."""
    client.register_schema("s", Schema(S1))
    with pytest.raises(SchemaRegistryError):
        client.register_schema("s", Schema(S3))
    client.set_compatibility(level="NONE")
    assert client.register_schema("s", Schema(S3)) == 2


def test_transitive_level_checks_every_version_at_registration(client):
    """RestApiTransitiveCompatibilityTest idea: 1 → 2 (default) → 3 (drop the default) passes under
    BACKWARD, fails under BACKWARD_TRANSITIVE because version 1 has no f2."""
    client.set_compatibility("a", "BACKWARD")
    client.set_compatibility("b", "BACKWARD_TRANSITIVE")
    for subj in ("a", "b"):
        client.register_schema(subj, Schema(S1))
        client.register_schema(subj, Schema(S2))
    assert client.register_schema("a", Schema(S3)) == 3
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("b", Schema(S3))
    assert "{oldSchemaVersion: 1}" in e.value.error_message


def test_subject_level_overrides_global(client):
    """ConfigResource: GET /config/{subject} without its own level is 404 / 40408."""
    client.register_schema("s", Schema(S1))
    with pytest.raises(SchemaRegistryError) as e:
        client.get_compatibility("s")
    assert (e.value.http_status_code, e.value.error_code) == (404, 40408)
    assert e.value.error_message == "Subject 's' does not have subject-level compatibility configured"
    client.set_compatibility(level="FULL")
    client.set_compatibility("s", "NONE")
    assert (client.get_compatibility(), client.get_compatibility("s")) == ("FULL", "NONE")


def test_invalid_level_is_42203(client):
    """RestInvalidCompatibilityException's default message."""
    with pytest.raises(SchemaRegistryError) as e:
        client.set_compatibility(level="SIDEWAYS")
    assert (e.value.http_status_code, e.value.error_code) == (422, 42203)
    assert e.value.error_message.startswith("Invalid compatibility level. Valid values are none, backward")


def test_not_found_errors(client):
    """Errors.java: 40401 subject, 40402 version, 40403 schema id; RestInvalidVersionException 42202."""
    cases = [(lambda: client.get_versions("nope"), 404, 40401, "Subject 'nope' not found."),
             (lambda: client.get_latest_version("nope"), 404, 40401, "Subject 'nope' not found."),
             (lambda: client.get_schema(99), 404, 40403, "Schema 99 not found")]
    client.register_schema("s", Schema(S1))
    cases += [(lambda: client.get_version("s", 7), 404, 40402, "Version 7 not found."),
              (lambda: client.get_version("s", 0), 422, 42202,
               "The specified version '0' is not a valid version id. Allowed values are between [1, 2^31-1] and the "
               "string \"latest\""),
              (lambda: client.lookup_schema("s", Schema(S2)), 404, 40403, "Schema not found"),
              (lambda: client.delete_subject("nope"), 404, 40401, "Subject 'nope' not found.")]
    for call, status, code, message in cases:
        with pytest.raises(SchemaRegistryError) as e:
            call()
        assert (e.value.http_status_code, e.value.error_code, e.value.error_message) == (status, code, message)


def test_test_compatibility_checks_the_one_version_named(client):
    """CompatibilityResource: the candidate is checked against the named version only
    (``Collections.singletonList``), with the level in scope — even a transitive one."""
    client.set_compatibility("s", "BACKWARD_TRANSITIVE")
    client.register_schema("s", Schema(S1))
    client.register_schema("s", Schema(S2))
    assert client.test_compatibility("s", Schema(S3)) is True  # latest (v2) only
    assert client.test_compatibility("s", Schema(S3), version=1) is False
    assert client.test_compatibility("new-subject", Schema(S3)) is True  # no version to check


def test_soft_and_hard_delete(client):
    """KafkaSchemaRegistry.deleteSubject: soft delete hides the versions (DELETE_SUBJECT record);
    permanent delete needs a soft one first (40405) and tombstones each version; re-registering
    after a soft delete gets the next version number and the same id."""
    client.register_schema("s", Schema(S1))
    client.register_schema("s", Schema(S2))
    with pytest.raises(SchemaRegistryError) as e:
        client.delete_subject("s", permanent=True)
    assert e.value.error_code == 40405
    assert client.delete_subject("s") == [1, 2]
    assert client.get_subjects() == []
    with pytest.raises(SchemaRegistryError) as e:
        client.get_versions("s")
    assert e.value.error_code == 40401
    assert client.register_schema("s", Schema(S1)) == 1
    assert client.get_versions("s") == [3]


# -- the _schemas topic ---------------------------------------------------------------------
def test_state_is_in_the_compacted_schemas_topic(cluster, client, registry):
    """KafkaStore: one partition, cleanup.policy=compact; keys and values are the registry's JSON."""
    client.register_schema("t-value", Schema(S1))
    client.set_compatibility(level="FULL")
    assert "compact" in cluster.topic_config("_schemas")["cleanup.policy"]
    assert len(cluster.describe("_schemas").partitions) == 1
    c = cluster.consumer({"group.id": "peek", "auto.offset.reset": "earliest"})
    c.assign([kafkalab.TopicPartition("_schemas", 0, kafkalab.OFFSET_BEGINNING)])
    recs = [(json.loads(m.key()), json.loads(m.value())) for m in c.consume(10, timeout=1) if m.error() is None]
    assert recs[0][0] == {"keytype": "SCHEMA", "subject": "t-value", "version": 1, "magic": 1}
    assert recs[0][1]["id"] == 1 and recs[0][1]["deleted"] is False
    assert recs[1] == ({"keytype": "CONFIG", "subject": None, "magic": 0}, {"compatibilityLevel": "FULL"})


def test_restart_rebuilds_from_the_log(cluster, client, registry):
    client.register_schema("t-value", Schema(S1))
    client.register_schema("t-value", Schema(S2))
    client.set_compatibility("t-value", "FORWARD")
    client.delete_subject("t-value")
    client.register_schema("t-value", Schema(S1))
    before = (registry.state.versions, registry.state.configs, registry.state.max_id)
    registry.restart()
    assert (registry.state.versions, registry.state.configs, registry.state.max_id) == before
    fresh = SchemaRegistryClient({"url": registry.url})
    assert fresh.get_versions("t-value") == [3]
    assert fresh.get_compatibility("t-value") == "FORWARD"
    assert fresh.register_schema("u-value", Schema(S8)) == 3  # the id counter came back too


def test_a_stopped_registry_refuses_connections(client, registry):
    """confluent-kafka's client raises the HTTP library's connection error; here ConnectionError."""
    registry.stop()
    with pytest.raises(ConnectionError):
        client.get_subjects()
    with pytest.raises(ConnectionError):
        SchemaRegistryClient({"url": "http://elsewhere:8081"}).get_subjects()


def test_store_timeout_when_the_cluster_cannot_take_the_write(cluster, client, registry):
    """SubjectVersionsResource: a SchemaRegistryTimeoutException is 'Register operation timed out' (50002)."""
    client.register_schema("t-value", Schema(S1))
    for b in sorted(cluster.brokers):
        cluster.crash_broker(b)
    with pytest.raises(SchemaRegistryError) as e:
        SchemaRegistryClient({"url": registry.url}).register_schema("t-value", Schema(S2))
    assert (e.value.http_status_code, e.value.error_code) == (500, 50002)
    assert registry.state.live_versions("t-value")[-1].version == 1


def test_config_validation():
    with pytest.raises(ValueError, match="Unknown Schema Registry config"):
        SchemaRegistry(url="mock://cfg", config={"kafkastore.bogus": 1})
    with pytest.raises(ValueError, match="schema.compatibility.level"):
        SchemaRegistry(url="mock://cfg", config={"schema.compatibility.level": "sideways"})
    with pytest.raises(ValueError, match="Unrecognized properties"):
        SchemaRegistryClient({"url": "mock://x", "bogus": 1})


# -- the Avro serde and the wire format ----------------------------------------------------
def test_wire_format_and_reader_schema():
    sr = SchemaRegistryClient({"url": "mock://wire"})
    ctx = SerializationContext("users", MessageField.VALUE)
    data = AvroSerializer(sr, S2)({"f1": "a", "f2": "b"}, ctx)
    assert data[:5] == b"\x00\x00\x00\x00\x01" and data[5:] == b"\x02a\x02b"
    assert sr.get_subjects() == ["users-value"]
    assert AvroDeserializer(sr)(data, ctx) == {"f1": "a", "f2": "b"}
    assert AvroDeserializer(sr, S1)(data, ctx) == {"f1": "a"}  # reader schema resolution
    assert AvroDeserializer(sr)(None, ctx) is None


def test_deserializer_rejects_bytes_not_framed_by_a_registry_serializer():
    """confluent_kafka/schema_registry/_sync/avro.py: 'Expecting data framing of length 6 bytes or more…'
    for 5 bytes or fewer; serde.SchemaId.from_bytes: 'Invalid magic byte' otherwise."""
    de = AvroDeserializer(SchemaRegistryClient({"url": "mock://frames"}))
    with pytest.raises(SerializationError) as e:
        de(b"hello", None)
    assert str(e.value) == ("Expecting data framing of length 6 bytes or more but total data size is 5 bytes. This "
                            "message was not produced with a Confluent Schema Registry serializer")
    with pytest.raises(SerializationError, match="Invalid magic byte"):
        de(b'{"f1":"a"}', None)


def test_subject_name_strategies():
    sr = SchemaRegistryClient({"url": "mock://strategies"})
    rec = '{"type":"record","name":"User","namespace":"ex","fields":[{"name":"a","type":"string"}]}'
    ctx = SerializationContext("users", MessageField.VALUE)
    AvroSerializer(sr, rec, conf={"subject.name.strategy": record_subject_name_strategy})({"a": "x"}, ctx)
    AvroSerializer(sr, rec, conf={"subject.name.strategy": topic_record_subject_name_strategy})({"a": "x"}, ctx)
    AvroSerializer(sr, rec)({"a": "x"}, SerializationContext("users", MessageField.KEY))
    assert sr.get_subjects() == ["ex.User", "users-ex.User", "users-key"]
    with pytest.raises(SchemaRegistryError) as e:
        AvroSerializer(sr, rec, conf={"auto.register.schemas": False})({"a": "x"}, SerializationContext("o", "value"))
    assert e.value.error_code == 40401


def test_serializer_with_use_latest_version_writes_with_the_registered_schema():
    sr = SchemaRegistryClient({"url": "mock://latest"})
    sr.register_schema("t-value", Schema(S2))
    data = AvroSerializer(sr, S1, conf={"auto.register.schemas": False, "use.latest.version": True})(
        {"f1": "a", "f2": "z"}, SerializationContext("t", MessageField.VALUE))
    assert AvroDeserializer(sr)(data, None) == {"f1": "a", "f2": "z"}


def test_mock_urls_share_one_registry_per_scope():
    a = SchemaRegistryClient({"url": "mock://scope-a"})
    a.register_schema("s", Schema(S1))
    assert SchemaRegistryClient({"url": "mock://scope-a"}).get_subjects() == ["s"]
    assert SchemaRegistryClient({"url": "mock://scope-b"}).get_subjects() == []
