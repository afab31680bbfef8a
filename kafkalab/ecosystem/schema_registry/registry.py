"""A Schema Registry server whose state lives where Confluent's does: a compacted ``_schemas`` topic.

Confluent Schema Registry behaviour modelled (``KafkaSchemaRegistry.java``, ``KafkaStore.java``,
``rest/resources/*.java``, ``rest/exceptions/Errors.java`` in confluentinc/schema-registry):

* **Storage.** Every change is a record in ``kafkastore.topic`` (``_schemas``: one partition,
  ``cleanup.policy=compact``, replication ``min(3, brokers)``), with the registry's JSON keys:
  ``{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}`` →
  ``{"subject":…,"version":1,"id":1,"schema":"…","deleted":false}``; ``CONFIG`` (global when
  ``subject`` is null) → ``{"compatibilityLevel":"FULL"}``; ``DELETE_SUBJECT`` →
  ``{"subject":…,"version":N}`` (a soft delete); a permanent delete is a tombstone per version.
  The registry *writes* a record, then waits until its own reader has *read it back* before it
  answers; the in-memory view is built only from records read from the log, so
  :meth:`SchemaRegistry.restart` rebuilds the same state from ``_schemas`` alone.
* **Register** (``POST /subjects/{s}/versions``): an identical schema already under the subject
  returns its id and registers nothing; the same schema under another subject gets the *same* id;
  otherwise the compatibility level in scope (subject, else global, else
  ``schema.compatibility.level``, default BACKWARD) is checked against the subject's non-deleted
  versions (:mod:`.compatibility`), and a failure is HTTP 409 / 40901 ``Schema being registered is
  incompatible with an earlier schema for subject "s", details: [...]``.  Ids come from a
  counter over every id seen in the log (``IncrementalIdGenerator``).
* **Errors** as the REST API answers: 404 ``40401 Subject 'x' not found.``, ``40402 Version 7 not
  found.``, ``40403 Schema 9 not found``, 422 ``42201`` invalid schema, ``42202`` invalid version,
  ``42203`` invalid compatibility level, 500 ``50002`` when the Kafka store times out.

The REST API is :meth:`SchemaRegistry.request` (``method, path, body``) → ``(status, json)``; the
client in :mod:`kafkalab.confluent_kafka.schema_registry` speaks only that.

# Simplification: one registry instance (the leader); no leader election among several, no
# schema references, no JSON Schema / Protobuf (Avro only), no modes (READONLY, IMPORT) and no
# contexts.  An HTTP round trip costs no virtual time; the Kafka writes and reads behind it do.
"""
from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from . import compatibility as compat

DEFAULT_URL = "http://schema-registry:8081"

REGISTRY_DEFAULTS = {
    "kafkastore.topic": "_schemas",
    "kafkastore.topic.replication.factor": 3,
    "kafkastore.timeout.ms": 500,
    "schema.compatibility.level": "backward",
    "host.name": "schema-registry",
}


class RestError(Exception):
    """An error answer of the REST API: HTTP status, the registry's error code, its message."""

    def __init__(self, status: int, error_code: int, message: str):
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message

    def body(self) -> dict:
        return {"error_code": self.error_code, "message": self.message}


def subject_not_found(subject: str) -> RestError:
    return RestError(404, 40401, f"Subject '{subject}' not found.")


def version_not_found(version) -> RestError:
    return RestError(404, 40402, f"Version {version} not found.")


def schema_not_found(schema_id=None) -> RestError:
    return RestError(404, 40403, "Schema not found" if schema_id is None else f"Schema {schema_id} not found")


def invalid_version(version) -> RestError:
    return RestError(422, 42202, f"The specified version '{version}' is not a valid version id. Allowed values are "
                                 f"between [1, 2^31-1] and the string \"latest\"")


def invalid_compatibility() -> RestError:
    return RestError(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
                                 "backward_transitive, forward_transitive, and full_transitive")


def invalid_schema(schema_str: str, reason: str) -> RestError:
    # Simplification: Java prints its Schema entity here; we print the schema text.
    return RestError(422, 42201, f"Invalid schema {schema_str} with refs [] of type AVRO, details: {reason}")


# -- the records of _schemas ---------------------------------------------------------------------
def _dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def schema_key(subject: str, version: int) -> bytes:
    return _dumps({"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1})


def config_key(subject: str | None) -> bytes:
    return _dumps({"keytype": "CONFIG", "subject": subject, "magic": 0})


def delete_subject_key(subject: str) -> bytes:
    return _dumps({"keytype": "DELETE_SUBJECT", "subject": subject, "magic": 0})


@dataclass
class SchemaValue:
    subject: str
    version: int
    id: int
    schema: str
    deleted: bool = False


@dataclass
class RegistryState:
    """The in-memory view (``LookupCache``), built only by :meth:`apply` from log records."""

    versions: dict = field(default_factory=dict)  # subject -> {version: SchemaValue}
    by_id: dict = field(default_factory=dict)  # id -> canonical schema
    ids_by_schema: dict = field(default_factory=dict)  # canonical schema -> id
    configs: dict = field(default_factory=dict)  # subject or None -> level
    max_id: int = 0
    offset: int = -1  # last log offset applied

    def apply(self, key: bytes, value: bytes | None, offset: int) -> None:
        k = json.loads(key)
        kind = k.get("keytype")
        v = json.loads(value) if value is not None else None
        if kind == "SCHEMA":
            subj, ver = k["subject"], k["version"]
            if v is None:  # permanent delete
                self.versions.get(subj, {}).pop(ver, None)
                if not self.versions.get(subj):
                    self.versions.pop(subj, None)
            else:
                sv = SchemaValue(v["subject"], v["version"], v["id"], v["schema"], bool(v.get("deleted", False)))
                self.versions.setdefault(subj, {})[ver] = sv
                self.by_id[sv.id] = sv.schema
                self.ids_by_schema.setdefault(sv.schema, sv.id)
                self.max_id = max(self.max_id, sv.id)
        elif kind == "CONFIG":
            if v is None:
                self.configs.pop(k["subject"], None)
            else:
                self.configs[k["subject"]] = v["compatibilityLevel"]
        elif kind == "DELETE_SUBJECT" and v is not None:
            for ver, sv in self.versions.get(v["subject"], {}).items():
                if ver <= v["version"]:
                    sv.deleted = True
        self.offset = offset

    def live_versions(self, subject: str) -> list[SchemaValue]:
        return [sv for _, sv in sorted(self.versions.get(subject, {}).items()) if not sv.deleted]


# -- where the records go ------------------------------------------------------------------------
class MemoryStore:
    """The store of a ``mock://`` registry: the same records, in a Python list instead of a topic."""

    def __init__(self):
        self.log: list[tuple[bytes, bytes | None]] = []

    def write(self, state: RegistryState, key: bytes, value: bytes | None) -> None:
        self.log.append((key, value))
        state.apply(key, value, len(self.log) - 1)

    def read_all(self, state: RegistryState) -> None:
        for i, (k, v) in enumerate(self.log):
            state.apply(k, v, i)

    def catch_up(self, state: RegistryState) -> None:
        for i in range(state.offset + 1, len(self.log)):
            state.apply(*self.log[i], i)


class KafkaStore:
    """``_schemas`` on a simulated cluster, written by a Producer and read back by a Consumer."""

    def __init__(self, cluster, config: dict, node: str):
        from ...confluent_kafka import Consumer, Producer
        from ...confluent_kafka.admin import AdminClient, NewTopic

        self.cluster, self.topic, self.node = cluster, config["kafkastore.topic"], node
        self.timeout_ms = int(config["kafkastore.timeout.ms"])
        servers = ",".join(f"kafka-{b}:9092" for b in sorted(cluster.brokers))
        admin = AdminClient({"bootstrap.servers": servers})
        if self.topic not in admin.list_topics().topics:
            rf = min(int(config["kafkastore.topic.replication.factor"]), len(cluster.brokers))
            fut = admin.create_topics([NewTopic(self.topic, num_partitions=1, replication_factor=rf,
                                                config={"cleanup.policy": "compact"})])[self.topic]
            fut.result()
        # KafkaStore's producer: acks=-1, so an acknowledged schema survives a broker loss.
        self.producer = Producer({"bootstrap.servers": servers, "acks": "all", "client.id": f"{node}-producer",
                                  "linger.ms": 0, "message.timeout.ms": self.timeout_ms})
        self.consumer = Consumer({"bootstrap.servers": servers, "client.id": f"{node}-reader",
                                  "group.id": f"schema-registry-{config['host.name']}-8081",
                                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        from ...confluent_kafka import OFFSET_BEGINNING, TopicPartition

        self.consumer.assign([TopicPartition(self.topic, 0, OFFSET_BEGINNING)])

    def write(self, state: RegistryState, key: bytes, value: bytes | None) -> None:
        done: dict = {}
        self.producer.produce(self.topic, key=key, value=value, partition=0,
                              on_delivery=lambda err, msg: done.update(err=err, offset=msg.offset()))
        self.producer.flush(self.timeout_ms / 1000)
        if "err" not in done or done["err"] is not None:
            raise RestError(500, 50002, "Register operation timed out" if "err" not in done else
                            f"Register schema operation failed while writing to the Kafka store: {done['err'].str()}")
        self._read_until(state, done["offset"])

    def _read_until(self, state: RegistryState, offset: int) -> None:
        """KafkaStore.waitUntilKafkaReaderReachesOffset: apply records until ``offset`` is read."""
        deadline = self.cluster.now + self.timeout_ms
        while state.offset < offset:
            left = deadline - self.cluster.now
            if left <= 0:
                raise RestError(500, 50002, "Write to the Kafka store timed out while waiting for the reader")
            for m in self.consumer.consume(100, timeout=left / 1000):
                if m.error() is None:
                    state.apply(m.key(), m.value(), m.offset())

    def catch_up(self, state: RegistryState) -> None:
        """waitUntilKafkaReaderReachesLastOffset: read to the high watermark of ``_schemas``."""
        from ...confluent_kafka import TopicPartition

        _low, high = self.consumer.get_watermark_offsets(TopicPartition(self.topic, 0))
        if high - 1 > state.offset:
            self._read_until(state, high - 1)

    def read_all(self, state: RegistryState) -> None:
        self.catch_up(state)


# -- the server ----------------------------------------------------------------------------------
_SERVERS: dict[str, list] = {}  # normalised url -> weakrefs of the registries answering it, newest last
_MOCKS: dict[str, SchemaRegistry] = {}  # mock:// scopes live as long as the process, as Java's do
_ON_CLUSTER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # cluster -> its registries (alive with it)


def _norm_url(url: str) -> str:
    u = url.strip().rstrip("/")
    if u.startswith("mock://"):
        return u
    parts = urlsplit(u if "://" in u else "http://" + u)
    return f"{parts.hostname}:{parts.port or 8081}"


def find_server(url: str):
    """The running registry that answers ``url`` (``mock://…`` registries are made on first use)."""
    key = _norm_url(url)
    for ref in reversed(_SERVERS.get(key, [])):
        srv = ref()
        if srv is not None:  # the newest registry at that address answers, or nobody does
            return srv if srv.running else None
    if key.startswith("mock://"):
        return SchemaRegistry(cluster=None, url=key)
    return None


class SchemaRegistry:
    """A Schema Registry node.  ``cluster`` None means a ``mock://`` registry held in memory.

    >>> sr = SchemaRegistry(url="mock://doc")
    >>> sr.request("POST", "/subjects/t-value/versions", {"schema": '"string"'})
    (200, {'id': 1})
    >>> sr.request("GET", "/subjects/nope/versions")
    (404, {'error_code': 40401, 'message': "Subject 'nope' not found."})
    """

    def __init__(self, cluster=None, url: str = DEFAULT_URL, config: dict | None = None):
        cfg = dict(REGISTRY_DEFAULTS)
        for k, v in (config or {}).items():
            if k not in REGISTRY_DEFAULTS:
                raise ValueError(f"Unknown Schema Registry config {k!r}; the simulator knows {sorted(REGISTRY_DEFAULTS)}")
            cfg[k] = v
        if str(cfg["schema.compatibility.level"]).upper() not in compat.LEVELS:
            raise ValueError(f"Invalid value {cfg['schema.compatibility.level']} for configuration "
                             f"schema.compatibility.level: must be one of {[x.lower() for x in compat.LEVELS]}")
        self.config = cfg
        self.cluster = cluster
        self.url = url
        self.node = "schema-registry" if cluster is not None else f"schema-registry[{url}]"
        self.running = False
        if cluster is not None:
            self.trace = cluster.trace
        else:
            from ...sim.trace import Trace

            self.trace = Trace(clock=lambda: 0)
        self._memory = MemoryStore() if cluster is None else None
        self._start()
        _SERVERS.setdefault(_norm_url(url), []).append(weakref.ref(self))
        if cluster is None:
            _MOCKS[_norm_url(url)] = self
        else:
            _ON_CLUSTER.setdefault(cluster, []).append(self)

    # -- lifecycle --------------------------------------------------------------------------
    def _start(self) -> None:
        self.store = self._memory if self.cluster is None else KafkaStore(self.cluster, self.config, self.node)
        self.state = RegistryState()
        self.store.read_all(self.state)
        self.running = True
        self.trace.emit("sr.start", node=self.node, url=self.url, store=self.config["kafkastore.topic"]
                        if self.cluster is not None else "memory", subjects=len(self.state.versions),
                        schemas=len(self.state.by_id), log_offset=self.state.offset)

    def stop(self) -> None:
        """Stop the node; its memory is gone, ``_schemas`` stays."""
        if self.running and self.cluster is not None:
            self.store.consumer.close()
        self.running = False
        self.trace.emit("sr.stop", node=self.node)

    def restart(self) -> None:
        """Stop and start again: the state is rebuilt by reading ``_schemas`` from the beginning."""
        self.stop()
        self._start()

    def default_level(self) -> str:
        return str(self.config["schema.compatibility.level"]).upper()

    def level_in_scope(self, subject: str | None) -> str:
        s = self.state
        return s.configs.get(subject) or s.configs.get(None) or self.default_level()

    # -- REST -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """Answer one REST call; ``path`` may carry a query string (``?permanent=true``)."""
        if not self.running:
            return 503, {"error_code": 50003, "message": f"Connection refused: {self.url} is not running"}
        parts = urlsplit(path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segs = [unquote(p) for p in parts.path.strip("/").split("/") if p]
        try:
            if method.upper() == "GET":
                self._catch_up(strict=False)  # the reader thread: reads answer from memory regardless
            return 200, self._route(method.upper(), segs, body or {}, query)
        except RestError as e:
            return e.status, e.body()

    def _route(self, method: str, segs: list[str], body: dict, query: dict):
        n = len(segs)
        if segs[:1] == ["subjects"]:
            if n == 1 and method == "GET":
                return sorted(s for s in self.state.versions if self.state.live_versions(s)
                              or query.get("deleted") == "true")
            subject = segs[1] if n > 1 else ""
            if n == 2 and method == "POST":
                return self._lookup(subject, body)
            if n == 2 and method == "DELETE":
                return self._delete_subject(subject, str(query.get("permanent", "")).lower() == "true")
            if n == 3 and segs[2] == "versions" and method == "GET":
                return [sv.version for sv in self._live_or_404(subject)]
            if n == 3 and segs[2] == "versions" and method == "POST":
                return self.register(subject, body.get("schema"), body.get("schemaType", "AVRO"))
            if n == 4 and segs[2] == "versions" and method == "GET":
                sv = self._version(subject, segs[3], query.get("deleted") == "true")
                return {"subject": sv.subject, "version": sv.version, "id": sv.id, "schema": sv.schema}
            if n == 5 and segs[4] == "schema" and method == "GET":
                return json.loads(self._version(subject, segs[3]).schema)
            if n == 4 and segs[2] == "versions" and method == "DELETE":
                return self._delete_version(subject, segs[3], str(query.get("permanent", "")).lower() == "true")
        if segs[:2] == ["schemas", "ids"] and n >= 3 and method == "GET":
            try:
                sid = int(segs[2])
            except ValueError:
                raise schema_not_found(segs[2]) from None
            if sid not in self.state.by_id:
                raise schema_not_found(sid)
            if n == 4 and segs[3] == "versions":
                return [{"subject": sv.subject, "version": sv.version}
                        for subj in sorted(self.state.versions) for sv in self.state.live_versions(subj) if sv.id == sid]
            return {"schema": self.state.by_id[sid]}
        if segs[:1] == ["config"]:
            subject = segs[1] if n > 1 else None
            if method == "GET":
                if subject is None:
                    return {"compatibilityLevel": self.level_in_scope(None)}
                level = self.state.configs.get(subject)
                if level is None:
                    if query.get("defaultToGlobal") == "true":
                        return {"compatibilityLevel": self.level_in_scope(subject)}
                    raise RestError(404, 40408, f"Subject '{subject}' does not have subject-level compatibility "
                                                f"configured")
                return {"compatibilityLevel": level}
            if method == "PUT":
                return self.set_level(subject, body.get("compatibility"))
            if method == "DELETE":
                old = self.state.configs.get(subject)
                if subject is not None and old is None:
                    raise subject_not_found(subject)
                self._write(config_key(subject), None)
                return {"compatibilityLevel": old or self.default_level()}
        if segs[:2] == ["compatibility", "subjects"] and n == 5 and method == "POST":
            return self.test_compatibility(segs[2], segs[4], body.get("schema"), str(query.get("verbose", "")).lower() == "true")
        raise RestError(404, 404, "HTTP 404 Not Found")

    # -- operations -------------------------------------------------------------------------
    def _catch_up(self, strict: bool = True) -> None:
        from ...errors import KafkaException

        try:
            self.store.catch_up(self.state)
        except (KafkaException, RestError):
            if strict:
                raise RestError(500, 50002, "Register operation timed out") from None

    def _write(self, key: bytes, value: dict | None) -> None:
        from ...errors import KafkaException

        try:
            self.store.write(self.state, key, None if value is None else _dumps(value))
        except KafkaException as e:
            raise RestError(500, 50001, f"Error while registering the schema in the backend Kafka store: {e}") from None

    def _parse(self, schema_str) -> compat.ParsedSchema:
        if not isinstance(schema_str, str) or not schema_str.strip():
            raise RestError(422, 42201, "Empty schema")
        try:
            return compat.parse(schema_str)
        except compat.InvalidSchema as e:
            raise invalid_schema(schema_str, str(e)) from None

    def _live_or_404(self, subject: str) -> list[SchemaValue]:
        live = self.state.live_versions(subject)
        if not live:
            raise subject_not_found(subject)
        return live

    def _version(self, subject: str, version: str, deleted: bool = False) -> SchemaValue:
        if subject not in self.state.versions:
            raise subject_not_found(subject)
        if str(version) in ("latest", "-1"):
            live = self._live_or_404(subject)
            return live[-1]
        try:
            v = int(version)
        except ValueError:
            raise invalid_version(version) from None
        if v < 1:
            raise invalid_version(version)
        sv = self.state.versions[subject].get(v)
        if sv is None or (sv.deleted and not deleted):
            raise version_not_found(v)
        return sv

    def register(self, subject: str, schema_str, schema_type: str = "AVRO") -> dict:
        """``POST /subjects/{subject}/versions`` → ``{"id": …}`` (see the module docstring)."""
        if schema_type not in (None, "AVRO"):
            raise RestError(422, 42201, f"Invalid schema type {schema_type}: the simulator's registry knows AVRO only")
        if not subject or subject.strip() != subject:
            raise RestError(422, 42208, f"The specified subject '{subject}' is not a valid.")
        parsed = self._parse(schema_str)
        self._catch_up()
        st = self.state
        all_versions = st.versions.get(subject, {})
        live = st.live_versions(subject)
        for sv in live:  # already registered under this subject: nothing is written
            if sv.schema == parsed.canonical:
                self.trace.emit("sr.register", node=self.node, subject=subject, version=sv.version, id=sv.id,
                                existing=True, level=self.level_in_scope(subject))
                return {"id": sv.id}
        level = self.level_in_scope(subject)
        previous = [(sv.version, compat.parse(sv.schema)) for sv in live]
        errors = compat.check(level, parsed, previous)
        if errors:
            errors.append(f"{{validateFields: 'false', compatibility: '{level}'}}")
            message = (f"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", "
                       f"details: [{', '.join(errors)}]")
            self.trace.emit("sr.incompatible", node=self.node, subject=subject, level=level,
                            checked=compat.checked_versions(level, previous), reason=errors[0])
            raise RestError(409, 40901, message)
        schema_id = st.ids_by_schema.get(parsed.canonical) or st.max_id + 1
        version = max(all_versions, default=0) + 1
        self._write(schema_key(subject, version), {"subject": subject, "version": version, "id": schema_id,
                                                   "schema": parsed.canonical, "deleted": False})
        self.trace.emit("sr.register", node=self.node, subject=subject, version=version, id=schema_id,
                        existing=False, level=level, checked=compat.checked_versions(level, previous))
        return {"id": schema_id}

    def _lookup(self, subject: str, body: dict) -> dict:
        parsed = self._parse(body.get("schema"))
        if subject not in self.state.versions:
            raise subject_not_found(subject)
        for sv in self.state.live_versions(subject):
            if sv.schema == parsed.canonical:
                return {"subject": subject, "version": sv.version, "id": sv.id, "schema": sv.schema}
        raise schema_not_found()

    def set_level(self, subject: str | None, level) -> dict:
        if not isinstance(level, str) or level.upper() not in compat.LEVELS:
            raise invalid_compatibility()
        self._write(config_key(subject), {"compatibilityLevel": level.upper()})
        self.trace.emit("sr.config", node=self.node, subject=subject, level=level.upper())
        return {"compatibility": level.upper()}

    def test_compatibility(self, subject: str, version: str, schema_str, verbose: bool = False) -> dict:
        """``POST /compatibility/subjects/{s}/versions/{v}``: checks against that one version only,
        with the level in scope (CompatibilityResource: ``singletonList(...)``)."""
        latest = str(version) in ("latest", "-1")
        try:
            target = self._version(subject, version)
        except RestError as e:
            if not (latest and e.error_code == 40401):
                raise
            target = None
        try:
            parsed = self._parse(schema_str)
        except RestError as e:
            if verbose:
                return {"is_compatible": False, "messages": [e.message]}
            raise
        level = self.level_in_scope(subject)
        errors = compat.check(level, parsed, [] if target is None else [(target.version, compat.parse(target.schema))])
        if errors:
            errors.append(f"{{validateFields: 'false', compatibility: '{level}'}}")
        out: dict = {"is_compatible": not errors}
        if verbose:
            out["messages"] = errors
        return out

    def _delete_subject(self, subject: str, permanent: bool) -> list[int]:
        versions = self.state.versions.get(subject, {})
        if not versions:
            raise subject_not_found(subject)
        live = [v for v, sv in sorted(versions.items()) if not sv.deleted]
        if permanent:
            if live:
                raise RestError(404, 40405, f"Subject '{subject}' was not deleted first before being permanently "
                                            f"deleted")
            deleted = sorted(versions)
            for v in reversed(deleted):
                self._write(schema_key(subject, v), None)
            if subject in self.state.configs:
                self._write(config_key(subject), None)
        else:
            if not live:
                raise RestError(404, 40404, f"Subject '{subject}' was soft deleted.Set permanent=true to delete "
                                            f"permanently")
            deleted = live
            self._write(delete_subject_key(subject), {"subject": subject, "version": live[-1]})
        self.trace.emit("sr.delete", node=self.node, subject=subject, versions=deleted, permanent=permanent)
        return deleted

    def _delete_version(self, subject: str, version: str, permanent: bool) -> int:
        if subject not in self.state.versions:
            raise subject_not_found(subject)
        sv = self._version(subject, version, deleted=permanent)
        if permanent:
            if not sv.deleted:
                raise RestError(404, 40407, f"Subject '{subject}' Version {sv.version} was not deleted first before "
                                            f"being permanently deleted")
            self._write(schema_key(subject, sv.version), None)
        else:
            self._write(schema_key(subject, sv.version), {"subject": subject, "version": sv.version, "id": sv.id,
                                                          "schema": sv.schema, "deleted": True})
        self.trace.emit("sr.delete", node=self.node, subject=subject, versions=[sv.version], permanent=permanent)
        return sv.version

    # -- views ------------------------------------------------------------------------------
    def history(self, subject: str) -> list[SchemaValue]:
        """Every version of ``subject`` the registry holds (soft-deleted ones included), oldest first."""
        return [sv for _, sv in sorted(self.state.versions.get(subject, {}).items())]

    def __repr__(self) -> str:
        return (f"<SchemaRegistry {self.url} {'up' if self.running else 'down'}: {len(self.state.versions)} subjects, "
                f"{len(self.state.by_id)} schemas>")
