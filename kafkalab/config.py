"""Configuration: Kafka 4.x topic configs and librdkafka client configs, with their own errors.

Two tables live here, because a learner meets two validators:

* **Topic configs** (``retention.ms``, ``min.insync.replicas`` ...) are checked by the *broker*
  (in KRaft, the controller) when a topic is created or altered.  A bad one comes back as
  ``INVALID_CONFIG`` (40) with Kafka's message, e.g.
  ``Invalid value abc for configuration retention.ms: Not a number of type LONG``.
  Source: ``storage/.../log/LogConfig.java``, ``clients/.../config/ConfigDef.java``,
  ``clients/.../config/TopicConfig.java`` (apache/kafka 4.x).
* **Client configs** are checked by the *client library* before anything reaches the network.
  ``kafkalab.confluent_kafka`` behaves like confluent-kafka-python, i.e. like librdkafka, so the
  table below is librdkafka's (``CONFIGURATION.md`` / ``src/rdkafka_conf.c``) and a bad key raises
  ``ConfigException`` (``_INVALID_ARG``) with librdkafka's exact text, e.g.
  ``No such configuration property: "buffer.memory"`` -- a Java-client property librdkafka does not
  have.  The Java client's defaults are kept beside it (``JAVA_PRODUCER_DEFAULTS``) so notebooks can
  show where the two clients differ (``java_vs_librdkafka_defaults()``).

Worked example::

    >>> validate_topic_configs({"retention.ms": "-1"})["retention.ms"]
    -1
    >>> conf = validate_client_config({"bootstrap.servers": "b0:9092", "linger.ms": 20}, "producer")
    >>> conf["linger.ms"], conf["acks"], conf["enable.idempotence"]
    (20.0, -1, False)

Related: KIP-1030 (4.0 default/constraint changes: ``segment.bytes`` >= 1 MiB, Java ``linger.ms`` 5,
``message.timestamp.after.max.ms`` 1 h), KIP-724 (``message.format.version`` removed in 4.0),
KIP-937 (``message.timestamp.difference.max.ms`` replaced by ``before``/``after``).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kafkalab.errors import (
    ConfigException,
    Err,
    InvalidConfigurationException,
    InvalidTopicException,
    KafkaError,
)

KAFKA_VERSION = "4.0"
#: The librdkafka release the client table was taken from (CONFIGURATION.md at tag v2.15.0).
LIBRDKAFKA_TABLE_VERSION = "2.15.0"
#: The client the simulator imitates (the versions tests/data/oracle's partitioner vectors came from).
CONFLUENT_KAFKA_VERSION = "2.16.1"
LIBRDKAFKA_VERSION = "2.16.0"

LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)

# =============================================================================================
# Part A: topic configs (broker side)
# =============================================================================================


def _java_str(value: Any) -> str:
    """How Java's string concatenation prints a config value inside an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java_str(v) for v in value) + "]"
    return str(value)


def _invalid_value(name: str, value: Any, message: str | None = None) -> InvalidConfigurationException:
    """Kafka's ``new ConfigException(name, value, message)``, as the controller returns it (INVALID_CONFIG)."""
    text = f"Invalid value {_java_str(value)} for configuration {name}" + ("" if message is None else f": {message}")
    return InvalidConfigurationException(KafkaError(Err.INVALID_CONFIG, text))


class Range:
    """``ConfigDef.Range``: ``atLeast(min)`` or ``between(min, max)``."""

    def __init__(self, min_value: float | None, max_value: float | None = None):
        self.min = min_value
        self.max = max_value

    def ensure_valid(self, name: str, value: Any) -> None:
        if value is None:
            raise _invalid_value(name, None, "Value must be non-null")
        if self.min is not None and value < self.min:
            raise _invalid_value(name, value, f"Value must be at least {self.min}")
        if self.max is not None and value > self.max:
            raise _invalid_value(name, value, f"Value must be no more than {self.max}")

    def __str__(self) -> str:
        if self.max is None:
            return f"[{self.min},...]"
        return f"[{self.min},...,{self.max}]"


class ValidString:
    """``ConfigDef.ValidString.in(...)``: an exact (case-sensitive) member of a list."""

    def __init__(self, *values: str):
        self.values = values

    def ensure_valid(self, name: str, value: Any) -> None:
        if value not in self.values:
            raise _invalid_value(name, value, "String must be one of: " + ", ".join(self.values))

    def __str__(self) -> str:
        return "[" + ", ".join(self.values) + "]"


class ValidList(ValidString):
    """``ConfigDef.ValidList.in(...)``: every element must be one of the values (element named in the error)."""

    def ensure_valid(self, name: str, value: Any) -> None:
        for item in value:
            super().ensure_valid(name, item)


class GzipLevel:
    """``CompressionType.GZIP.levelValidator()``: 1..9, or -1 for zlib's default."""

    def ensure_valid(self, name: str, value: Any) -> None:
        if value is None:
            raise _invalid_value(name, None, "Value must be non-null")
        if value > 9 or (value < 1 and value != -1):
            raise _invalid_value(name, value, "Value must be between 1 and 9 or equal to -1")

    def __str__(self) -> str:
        return "[1,...,9] or -1"


class ThrottledReplicaList:
    """``ThrottledReplicaListValidator``: ``*`` or ``partition:broker`` pairs."""

    _PAIR = re.compile(r"([0-9]+:[0-9]+)?")

    def ensure_valid(self, name: str, value: Any) -> None:
        items = [str(v).strip() for v in value]
        if not (all(self._PAIR.fullmatch(s) for s in items) or "".join(items) == "*"):
            raise _invalid_value(name, value, name + " must be the literal '*' or a list of replicas in the "
                                 "following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...")

    def __str__(self) -> str:
        return "[partitionId]:[brokerId],[partitionId]:[brokerId],..."


Validator = Range | ValidString | ValidList | GzipLevel | ThrottledReplicaList

_HOURS = 60 * 60 * 1000
_MINUTES = 60 * 1000


@dataclass(frozen=True)
class BrokerSynonym:
    """A broker property that sets a topic config's default (``ServerTopicConfigSynonyms``).

    ``to_ms`` converts the broker unit (``log.retention.hours`` is hours) to the topic unit.
    ``default`` is the broker's own default (``None``: no default, so it never shows as a synonym).
    """

    name: str
    default: Any = None
    to_ms: int = 1


@dataclass(frozen=True)
class TopicConfigDef:
    """One row of Kafka's topic ``ConfigDef`` (``LogConfig.CONFIG``)."""

    name: str
    type: str  # ConfigDef.Type: BOOLEAN, INT, LONG, DOUBLE, STRING, LIST
    default: Any
    validator: Validator | None
    doc: str
    synonyms: tuple[BrokerSynonym, ...] = ()

    @property
    def server_default_property(self) -> str | None:
        """The broker property named in Kafka's docs as "Server Default Property" (``log.retention.ms``)."""
        return self.synonyms[0].name if self.synonyms else None

    @property
    def valid_values(self) -> str:
        return "" if self.validator is None else str(self.validator)


def _def(name, type_, default, validator, doc, *synonyms):
    return TopicConfigDef(name, type_, default, validator, doc, tuple(synonyms))


_COMPRESSION_NAMES = ("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")  # BrokerCompressionType order

#: Kafka 4.x topic configs in ``LogConfig``'s definition order (which decides which bad value is
#: reported first).  Defaults and validators from LogConfig.java / ServerLogConfigs.java.
TOPIC_CONFIGS: dict[str, TopicConfigDef] = {d.name: d for d in (
    # KIP-1030 (4.0): minimum raised from 14 bytes (LegacyRecord.RECORD_OVERHEAD_V0) to 1 MiB.
    _def("segment.bytes", "INT", 1073741824, Range(1048576), "Size at which the active segment file is rolled.",
         BrokerSynonym("log.segment.bytes", 1073741824)),
    _def("segment.ms", "LONG", 604800000, Range(1), "Time after which the active segment is rolled even if not full.",
         BrokerSynonym("log.roll.ms"), BrokerSynonym("log.roll.hours", 168, _HOURS)),
    _def("segment.jitter.ms", "LONG", 0, Range(0), "Random jitter subtracted from the segment roll time.",
         BrokerSynonym("log.roll.jitter.ms"), BrokerSynonym("log.roll.jitter.hours", 0, _HOURS)),
    _def("segment.index.bytes", "INT", 10485760, Range(4), "Size of the offset index preallocated per segment.",
         BrokerSynonym("log.index.size.max.bytes", 10485760)),
    _def("flush.messages", "LONG", LONG_MAX, Range(1), "Force an fsync every N messages (default: leave it to the OS).",
         BrokerSynonym("log.flush.interval.messages", LONG_MAX)),
    _def("flush.ms", "LONG", LONG_MAX, Range(0), "Force an fsync every N ms (default: leave it to the OS).",
         BrokerSynonym("log.flush.interval.ms"), BrokerSynonym("log.flush.scheduler.interval.ms", LONG_MAX)),
    # No validator: any long; -1 means no size limit.
    _def("retention.bytes", "LONG", -1, None, "Max size of a partition before old segments are deleted (-1: no limit).",
         BrokerSynonym("log.retention.bytes", -1)),
    _def("retention.ms", "LONG", 604800000, Range(-1), "How long a record is kept before its segment may be "
         "deleted (-1: no time limit).",
         BrokerSynonym("log.retention.ms"), BrokerSynonym("log.retention.minutes", None, _MINUTES),
         BrokerSynonym("log.retention.hours", 168, _HOURS)),
    _def("max.message.bytes", "INT", 1048588, Range(0), "Largest record batch the broker accepts (after "
         "compression); 1 MiB + 12 bytes of log overhead.",
         BrokerSynonym("message.max.bytes", 1048588)),
    _def("index.interval.bytes", "INT", 4096, Range(0), "Bytes between two offset-index entries.",
         BrokerSynonym("log.index.interval.bytes", 4096)),
    _def("delete.retention.ms", "LONG", 86400000, Range(0), "How long tombstones are kept in a compacted topic.",
         BrokerSynonym("log.cleaner.delete.retention.ms", 86400000)),
    _def("min.compaction.lag.ms", "LONG", 0, Range(0), "Minimum time a record stays uncompacted.",
         BrokerSynonym("log.cleaner.min.compaction.lag.ms", 0)),
    _def("max.compaction.lag.ms", "LONG", LONG_MAX, Range(1), "Maximum time a record stays ineligible for "
         "compaction.", BrokerSynonym("log.cleaner.max.compaction.lag.ms", LONG_MAX)),
    _def("file.delete.delay.ms", "LONG", 60000, Range(0), "Delay before a deleted segment file is removed from disk.",
         BrokerSynonym("log.segment.delete.delay.ms", 60000)),
    _def("min.cleanable.dirty.ratio", "DOUBLE", 0.5, Range(0, 1), "Dirty/total ratio at which the log cleaner "
         "compacts a log.", BrokerSynonym("log.cleaner.min.cleanable.ratio", 0.5)),
    _def("cleanup.policy", "LIST", ["delete"], ValidList("compact", "delete"), "delete, compact, or both "
         "(\"compact,delete\").", BrokerSynonym("log.cleanup.policy", "delete")),
    _def("unclean.leader.election.enable", "BOOLEAN", False, None, "Allow an out-of-sync replica to become leader "
         "as a last resort (may lose acknowledged records).",
         BrokerSynonym("unclean.leader.election.enable", False)),
    _def("min.insync.replicas", "INT", 1, Range(1), "With acks=all, the ISR size needed to accept a write "
         "(else NOT_ENOUGH_REPLICAS).", BrokerSynonym("min.insync.replicas", 1)),
    _def("compression.type", "STRING", "producer", ValidString(*_COMPRESSION_NAMES), "Final compression of "
         "the log; 'producer' keeps the producer's codec.", BrokerSynonym("compression.type", "producer")),
    _def("compression.gzip.level", "INT", -1, GzipLevel(), "Level used when compression.type=gzip.",
         BrokerSynonym("compression.gzip.level", -1)),
    _def("compression.lz4.level", "INT", 9, Range(1, 17), "Level used when compression.type=lz4.",
         BrokerSynonym("compression.lz4.level", 9)),
    _def("compression.zstd.level", "INT", 3, Range(-131072, 22), "Level used when compression.type=zstd.",
         BrokerSynonym("compression.zstd.level", 3)),
    _def("preallocate", "BOOLEAN", False, None, "Preallocate segment files on disk.",
         BrokerSynonym("log.preallocate", False)),
    _def("message.timestamp.type", "STRING", "CreateTime", ValidString("CreateTime", "LogAppendTime"),
         "Keep the producer's timestamp (CreateTime) or stamp the broker's time (LogAppendTime).",
         BrokerSynonym("log.message.timestamp.type", "CreateTime")),
    _def("message.timestamp.before.max.ms", "LONG", LONG_MAX, Range(0), "How far in the past a CreateTime "
         "timestamp may be.", BrokerSynonym("log.message.timestamp.before.max.ms", LONG_MAX)),
    # KIP-1030 (4.0): default lowered from Long.MAX_VALUE to one hour.
    _def("message.timestamp.after.max.ms", "LONG", 3600000, Range(0), "How far in the future a CreateTime "
         "timestamp may be.", BrokerSynonym("log.message.timestamp.after.max.ms", 3600000)),
    _def("leader.replication.throttled.replicas", "LIST", [], ThrottledReplicaList(), "Replicas whose "
         "leader-side replication is throttled ('*' for all)."),
    _def("follower.replication.throttled.replicas", "LIST", [], ThrottledReplicaList(), "Replicas whose "
         "follower-side replication is throttled ('*' for all)."),
    _def("remote.storage.enable", "BOOLEAN", False, None, "Enable tiered storage for the topic."),
    _def("local.retention.ms", "LONG", -2, Range(-2), "Retention of the local (non-tiered) segments "
         "(-2: use retention.ms).", BrokerSynonym("log.local.retention.ms", -2)),
    _def("local.retention.bytes", "LONG", -2, Range(-2), "Local size limit with tiered storage "
         "(-2: use retention.bytes).", BrokerSynonym("log.local.retention.bytes", -2)),
    _def("remote.log.copy.disable", "BOOLEAN", False, None, "Stop copying segments to remote storage "
         "(tiered data becomes read-only)."),
    _def("remote.log.delete.on.disable", "BOOLEAN", False, None, "Delete tiered data when remote storage is "
         "disabled on the topic."),
)}

#: Topic configs that Kafka 3.x had and 4.0 removed: naming one now fails with
#: ``Unknown topic config name: ...``.
REMOVED_TOPIC_CONFIGS: dict[str, str] = {
    "message.format.version": "removed in 4.0 (KIP-724): record format v2 is the only one",
    "message.downconversion.enable": "removed in 4.0 (KIP-724): brokers no longer down-convert for old fetchers",
    "message.timestamp.difference.max.ms": "removed in 4.0 (KIP-937): use message.timestamp.before.max.ms "
                                           "and message.timestamp.after.max.ms",
}

#: DescribeConfigs ``ConfigSource`` names (Java ``ConfigEntry.ConfigSource``, confluent-kafka ``ConfigSource``).
DYNAMIC_TOPIC_CONFIG = "DYNAMIC_TOPIC_CONFIG"
DYNAMIC_BROKER_CONFIG = "DYNAMIC_BROKER_CONFIG"
DYNAMIC_DEFAULT_BROKER_CONFIG = "DYNAMIC_DEFAULT_BROKER_CONFIG"
STATIC_BROKER_CONFIG = "STATIC_BROKER_CONFIG"
DEFAULT_CONFIG = "DEFAULT_CONFIG"

_INT_RE = re.compile(r"[+-]?[0-9]+")
_JAVA_DOUBLE_RE = re.compile(r"[+-]?(NaN|Infinity|(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)[fFdD]?)")
_COMMA_WITH_WHITESPACE = re.compile(r"\s*,\s*")


def _to_wire(value: Any) -> str | None:
    """What reaches the broker: CreateTopics/AlterConfigs carry strings (confluent-kafka uses ``str()``).

    Lists are joined with commas for convenience (``["compact", "delete"]``).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _parse_topic_value(d: TopicConfigDef, raw: str) -> Any:
    """``ConfigDef.parseType`` for one wire string."""
    text = raw.strip()
    t = d.type
    if t == "BOOLEAN":
        if text.lower() == "true":
            return True
        if text.lower() == "false":
            return False
        raise _invalid_value(d.name, raw, "Expected value to be either true or false")
    if t == "STRING":
        return text
    if t in ("INT", "LONG"):
        lo, hi = (INT_MIN, INT_MAX) if t == "INT" else (LONG_MIN, LONG_MAX)
        if _INT_RE.fullmatch(text) and lo <= int(text) <= hi:
            return int(text)
        raise _invalid_value(d.name, raw, f"Not a number of type {t}")
    if t == "DOUBLE":
        if _JAVA_DOUBLE_RE.fullmatch(text):
            return float(text.rstrip("fFdD").replace("Infinity", "inf"))
        raise _invalid_value(d.name, raw, "Not a number of type DOUBLE")
    if t == "LIST":
        return [] if text == "" else _COMMA_WITH_WHITESPACE.split(text)
    raise AssertionError(f"unknown ConfigDef type {t}")


def topic_config_defaults() -> dict[str, Any]:
    """Every Kafka 4.x topic config with its default, typed (sorted by name, like ``LogConfig.configNames``).

    >>> topic_config_defaults()["retention.ms"], topic_config_defaults()["cleanup.policy"]
    (604800000, ['delete'])
    """
    return {name: _copy(value) for name, value in _TOPIC_DEFAULTS.items()}


def _copy(value: Any) -> Any:
    return list(value) if type(value) is list else value


#: The defaults once, sorted by name; read-only here (topic_config_defaults hands out copies).
_TOPIC_DEFAULTS: dict[str, Any] = {name: TOPIC_CONFIGS[name].default for name in sorted(TOPIC_CONFIGS)}


def validate_topic_configs(configs: Mapping[str, Any], *, broker_count: int | None = None,
                           existing: Mapping[str, Any] | None = None,
                           remote_storage_system_enabled: bool = False) -> dict[str, Any]:
    """Validate topic overrides the way the KRaft controller does; return them typed.

    Kafka checks, in order (``ControllerConfigurationValidator`` → ``LogConfig.validate``):

    1. no ``None`` values: ``Null value not supported for topic configs: a,b``;
    2. every name is a topic config: ``Unknown topic config name: foo`` (4.0 removed
       ``message.format.version`` and friends, so they fail here too);
    3. each value parses and passes its validator, in definition order:
       ``Invalid value abc for configuration retention.ms: Not a number of type LONG``,
       ``Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576``;
    4. cross-checks on the resulting topic config (defaults, then ``existing`` overrides, then
       these): ``conflict topic config setting min.compaction.lag.ms (5) > max.compaction.lag.ms (1)``,
       and the tiered-storage rules when ``remote.storage.enable`` is involved.

    Each failure raises ``InvalidConfigurationException`` (INVALID_CONFIG, 40).  Values may be strings
    (``kafka-topics --config k=v``) or Python values; they are turned into strings first, as a client
    would send them.  Returns ``{name: typed value}`` for the given names only (sorted); see
    :func:`effective_topic_config` for the full config.

    ``broker_count`` is accepted for the caller's convenience but Kafka does no such check: a topic
    with ``min.insync.replicas=3`` on two brokers is created fine, and ``acks=all`` produces then
    fail with NOT_ENOUGH_REPLICAS.  ``existing`` are the topic's current overrides (for AlterConfigs).

    >>> validate_topic_configs({"cleanup.policy": "compact,delete", "retention.ms": "-1"})
    {'cleanup.policy': ['compact', 'delete'], 'retention.ms': -1}
    """
    del broker_count  # documented above: Kafka does not compare min.insync.replicas with the cluster size
    typed = _parse_topic_overrides(configs)
    current = _parse_topic_overrides({k: v for k, v in existing.items() if v is not None}) if existing else {}
    # Only read by the cross-checks, so the shared defaults need no copying.
    _validate_topic_values({**_TOPIC_DEFAULTS, **current, **typed}, current, remote_storage_system_enabled)
    return {name: typed[name] for name in sorted(typed)}


def effective_topic_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults with ``overrides`` applied, all typed (what ``LogConfig`` holds for the topic).

    >>> effective_topic_config({"retention.ms": "1000"})["retention.ms"], effective_topic_config()["segment.ms"]
    (1000, 604800000)
    """
    effective = topic_config_defaults()
    effective.update(validate_topic_configs({k: v for k, v in (overrides or {}).items() if v is not None}))
    return effective


def _parse_topic_overrides(configs: Mapping[str, Any]) -> dict[str, Any]:
    """Steps 1-3 of :func:`validate_topic_configs`: null check, names, then values in definition order."""
    if not configs:
        return {}
    nulls = [name for name, value in configs.items() if value is None]
    if nulls:
        raise InvalidConfigurationException(KafkaError(
            Err.INVALID_CONFIG, "Null value not supported for topic configs: " + ",".join(nulls)))
    for name in configs:
        if name not in TOPIC_CONFIGS:
            raise InvalidConfigurationException(KafkaError(Err.INVALID_CONFIG, f"Unknown topic config name: {name}"))
    typed: dict[str, Any] = {}
    for name, d in TOPIC_CONFIGS.items():
        if name in configs:
            value = _parse_topic_value(d, _to_wire(configs[name]))
            if d.validator is not None:
                d.validator.ensure_valid(name, value)
            typed[name] = value
    return typed


def _config_exception(message: str) -> InvalidConfigurationException:
    return InvalidConfigurationException(KafkaError(Err.INVALID_CONFIG, message))


def _validate_topic_values(v: dict[str, Any], existing: Mapping[str, Any], remote_system_enabled: bool) -> None:
    """``LogConfig.validateValues`` + ``validateTopicLogConfigValues`` (the broker-side cross-checks)."""
    lo, hi = v["min.compaction.lag.ms"], v["max.compaction.lag.ms"]
    if lo > hi:
        raise _config_exception(f"conflict topic config setting min.compaction.lag.ms ({lo}) > "
                                f"max.compaction.lag.ms ({hi})")
    if v["remote.storage.enable"]:
        if not remote_system_enabled:
            raise _config_exception("Tiered Storage functionality is disabled in the broker. "
                                    "Topic cannot be configured with remote log storage.")
        if "compact" in [p.lower() for p in v["cleanup.policy"]]:
            raise _config_exception("Remote log storage is unsupported for the compacted topics")
        for kind in ("bytes", "ms"):
            total, local = v[f"retention.{kind}"], v[f"local.retention.{kind}"]
            unlimited_total = total <= -1 if kind == "bytes" else total == -1
            if not unlimited_total and local != -2:
                if local == -1:
                    raise _invalid_value(f"local.retention.{kind}", local,
                                         f"Value must not be -1 as retention.{kind} value is set as {total}.")
                if local > total:
                    raise _invalid_value(f"local.retention.{kind}", local,
                                         f"Value must not be more than retention.{kind} property value: {total}")
        if v["remote.log.copy.disable"]:
            for kind in ("bytes", "ms"):
                local, total = v[f"local.retention.{kind}"], v[f"retention.{kind}"]
                if local != -2 and local != total:
                    raise _config_exception(
                        f"When `remote.log.copy.disable` is set to true, the `local.retention.{kind}` and "
                        f"`retention.{kind}` must be set to the identical value because there will be no more "
                        "logs copied to the remote storage.")
    else:
        was_enabled = str(existing.get("remote.storage.enable", "false")).lower() == "true"
        if was_enabled and not v["remote.log.delete.on.disable"]:
            raise _config_exception(
                "It is invalid to disable remote storage without deleting remote data. If you want to keep the "
                "remote data and turn to read only, please set `remote.storage.enable=true,"
                "remote.log.copy.disable=true`. If you want to disable remote storage and delete all remote data, "
                "please set `remote.storage.enable=false,remote.log.delete.on.disable=true`.")


def topic_config_to_string(name: str, value: Any) -> str:
    """``ConfigDef.convertToString``: how DescribeConfigs prints a typed value (``['compact', 'delete']`` → ``compact,delete``)."""
    d = TOPIC_CONFIGS[name]
    if d.type == "LIST":
        return ",".join(value)
    if d.type == "BOOLEAN":
        return "true" if value else "false"
    if d.type == "DOUBLE":
        return _java_str(float(value))
    return str(value)


@dataclass(frozen=True)
class ConfigSynonym:
    """One ``DescribeConfigsSynonym``: where a value could come from, highest precedence first."""

    name: str
    value: str | None
    source: str


@dataclass(frozen=True)
class TopicConfigEntry:
    """One ``DescribeConfigs`` result entry for a topic, as ``kafka-configs --describe --all`` prints it."""

    name: str
    value: str | None
    source: str
    is_default: bool
    read_only: bool
    sensitive: bool
    synonyms: tuple[ConfigSynonym, ...]
    config_type: str
    documentation: str

    # Read like a dict too (``entry["source"]``), for code that treats entries as JSON-ish records.
    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


def describe_topic_config(overrides: Mapping[str, Any] | None = None, *,
                          broker_config: Mapping[str, Any] | None = None,
                          include_synonyms: bool = True) -> list[TopicConfigEntry]:
    """DescribeConfigs for one topic: every topic config, its value, source and synonyms (sorted by name).

    Modelled on ``ConfigHelper.createTopicConfigEntry`` (Kafka 4.x broker):

    * an override is ``DYNAMIC_TOPIC_CONFIG`` and heads the synonym list;
    * then the broker synonyms from ``ServerTopicConfigSynonyms``: ``STATIC_BROKER_CONFIG`` for
      ``broker_config`` (server.properties), then ``DEFAULT_CONFIG`` for broker defaults;
    * Kafka drops broker synonyms listed before the main one, so ``retention.ms`` (whose only
      defaulted synonym is ``log.retention.hours``) shows ``synonyms={}`` and source ``DEFAULT_CONFIG``,
      while ``segment.bytes`` shows ``DEFAULT_CONFIG:log.segment.bytes=1073741824``.

    Topic configs are never read-only and never sensitive.

    >>> e = {x.name: x for x in describe_topic_config({"retention.ms": "1000"})}
    >>> e["retention.ms"].source, e["retention.ms"].value, e["segment.bytes"].source
    ('DYNAMIC_TOPIC_CONFIG', '1000', 'DEFAULT_CONFIG')
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}  # None: override deleted
    broker_config = dict(broker_config or {})
    typed = effective_topic_config(overrides)
    entries = []
    for name in sorted(TOPIC_CONFIGS):
        d = TOPIC_CONFIGS[name]
        broker_side: list[ConfigSynonym] = []
        for s in d.synonyms:
            if s.name in broker_config:
                broker_side.append(ConfigSynonym(s.name, _to_wire(broker_config[s.name]), STATIC_BROKER_CONFIG))
        for s in d.synonyms:
            if s.default is not None:
                default_text = ",".join(s.default) if isinstance(s.default, list) else _to_wire(s.default)
                broker_side.append(ConfigSynonym(s.name, default_text, DEFAULT_CONFIG))
        main = d.synonyms[0].name if d.synonyms else None
        while broker_side and broker_side[0].name != main:
            broker_side.pop(0)  # allSynonyms.dropWhile(s => s.name != name)
        if name in overrides:
            value = topic_config_to_string(name, typed[name])
            synonyms = [ConfigSynonym(name, value, DYNAMIC_TOPIC_CONFIG)] + broker_side
        else:
            value = topic_config_to_string(name, _broker_effective_default(d, broker_config))
            synonyms = broker_side
        source = synonyms[0].source if synonyms else DEFAULT_CONFIG
        entries.append(TopicConfigEntry(
            name=name, value=value, source=source, is_default=source == DEFAULT_CONFIG, read_only=False,
            sensitive=False, synonyms=tuple(synonyms) if include_synonyms else (), config_type=d.type,
            documentation=d.doc))
    return entries


#: Broker property → (topic config it defaults, multiplier to the topic's unit), from ServerTopicConfigSynonyms:
#: ``{"log.retention.hours": ("retention.ms", 3600000), "log.segment.bytes": ("segment.bytes", 1), ...}``.
BROKER_TOPIC_CONFIG_SYNONYMS: dict[str, tuple[str, int]] = {
    s.name: (d.name, s.to_ms) for d in TOPIC_CONFIGS.values() for s in d.synonyms}


def _broker_effective_default(d: TopicConfigDef, broker_config: Mapping[str, Any]) -> Any:
    """A topic's value when not overridden: the first broker synonym set in server.properties, else Kafka's default."""
    for s in d.synonyms:
        if s.name in broker_config:
            raw = _to_wire(broker_config[s.name])
            value = _parse_topic_value(TopicConfigDef(d.name, d.type if s.to_ms == 1 else "LONG", None, None, ""),
                                       raw)
            return value * s.to_ms if s.to_ms != 1 else value
    return _copy(d.default)


# ---- topic names ------------------------------------------------------------------------------

TOPIC_LEGAL_CHARS = "[a-zA-Z0-9._-]"
MAX_TOPIC_NAME_LENGTH = 249
_LEGAL_TOPIC = re.compile(r"[a-zA-Z0-9._-]*")

#: ``kafka-topics.sh --create`` prints this for names containing '.' or '_' (TopicCommand.createTopic).
TOPIC_COLLISION_WARNING = ("WARNING: Due to limitations in metric names, topics with a period ('.') or "
                           "underscore ('_') could collide. To avoid issues it is best to use either, but not both.")


def topic_name_invalid_reason(name: str) -> str | None:
    """Why ``Topic.validate`` rejects ``name``, or None when it is legal."""
    if name == "":
        return "the empty string is not allowed"
    if name == ".":
        return "'.' is not allowed"
    if name == "..":
        return "'..' is not allowed"
    if len(name) > MAX_TOPIC_NAME_LENGTH:
        return f"the length of '{name}' is longer than the max allowed length {MAX_TOPIC_NAME_LENGTH}"
    if not _LEGAL_TOPIC.fullmatch(name):
        return f"'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
    return None


def validate_topic_name(name: str) -> None:
    """``Topic.validate``: raise ``InvalidTopicException`` (INVALID_TOPIC_EXCEPTION, 17) for an illegal name.

    >>> validate_topic_name("orders.v1")
    >>> try:
    ...     validate_topic_name("a b")
    ... except InvalidTopicException as e:
    ...     print(e.args[0].str())
    Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'
    """
    reason = topic_name_invalid_reason(name)
    if reason is not None:
        raise InvalidTopicException(KafkaError(Err.INVALID_TOPIC_EXCEPTION, f"Topic name is invalid: {reason}"))


def topic_has_collision_chars(name: str) -> bool:
    """``Topic.hasCollisionChars``: '.' and '_' map to the same metric name."""
    return "_" in name or "." in name


def unify_collision_chars(name: str) -> str:
    """``Topic.unifyCollisionChars``: the name metrics would see ('.' → '_')."""
    return name.replace(".", "_")


def topic_name_collision_warning(name: str) -> str | None:
    """The warning ``kafka-topics.sh --create`` prints for ``name``, or None."""
    return TOPIC_COLLISION_WARNING if topic_has_collision_chars(name) else None


def check_topic_collision(name: str, existing: Iterable[str]) -> None:
    """Reject ``name`` if it collides with an existing topic the way the controller does.

    ``a.b`` vs an existing ``a_b``: ``Topic 'a.b' collides with existing topic: a_b``
    (INVALID_TOPIC_EXCEPTION).  The same name is not a collision (that is TOPIC_ALREADY_EXISTS).
    """
    if not topic_has_collision_chars(name):
        return
    unified = unify_collision_chars(name)
    colliding = sorted(t for t in existing
                       if t != name and topic_has_collision_chars(t) and unify_collision_chars(t) == unified)
    if colliding:
        raise InvalidTopicException(KafkaError(
            Err.INVALID_TOPIC_EXCEPTION, f"Topic '{name}' collides with existing topic: {colliding[0]}"))


# =============================================================================================
# Part B: client configs (librdkafka, as confluent-kafka-python passes them through)
# =============================================================================================


@dataclass(frozen=True)
class ClientProperty:
    """One librdkafka configuration property (a row of CONFIGURATION.md / ``rd_kafka_properties[]``).

    ``kind`` is librdkafka's type: ``int``, ``float``, ``bool``, ``str``, ``enum`` (S2I), ``flags``
    (CSV S2F), ``pattern``, ``ptr`` (settable only through a dedicated C function), ``alias``,
    ``internal`` or ``invalid`` (a Java-only name librdkafka rejects with a hint).
    ``role`` is the C/P column: ``*`` both, ``P`` producer, ``C`` consumer.
    """

    name: str
    level: str  # "global" | "topic"
    role: str  # "*" | "P" | "C"
    kind: str
    min: int | float | None
    max: int | float | None
    values: tuple | None  # enum/flags names; for acks: (("all", -1),)
    default: Any
    alias_of: str | None
    deprecated: bool
    experimental: bool
    sensitive: bool
    hidden: bool
    importance: str  # "high" | "medium" | "low"
    warn_role: str | None  # "producer"/"consumer": librdkafka warns when set on the other client type


_BUILTIN_FEATURES = ("gzip", "snappy", "ssl", "sasl", "regex", "lz4", "sasl_gssapi", "sasl_plain", "sasl_scram",
                     "plugins", "zstd", "sasl_oauthbearer", "http", "oidc")
_BUILTIN_FEATURES_DEFAULT = ", ".join(_BUILTIN_FEATURES)
_DEBUG_CONTEXTS = ("generic", "broker", "topic", "metadata", "feature", "queue", "msg", "protocol", "cgrp",
                   "security", "fetch", "interceptor", "plugin", "consumer", "admin", "eos", "mock", "assignor",
                   "conf", "telemetry", "all")
_KINIT_CMD = ('kinit -R -t "%{sasl.kerberos.keytab}" -k %{sasl.kerberos.principal} || '
              'kinit -t "%{sasl.kerberos.keytab}" -k %{sasl.kerberos.principal}')

# (name, G/T level, C/P role, kind, min, max, values, default, alias_of, flags, importance)
# flags: D deprecated, E experimental, S sensitive, H hidden, p/c producer-/consumer-only (CONFWARN).
# Data from librdkafka v2.15.0 CONFIGURATION.md and src/rdkafka_conf.c (ranges, defaults, scopes).
_RDKAFKA_ROWS: tuple[tuple, ...] = (
    # global properties (CONFIGURATION.md "Global configuration properties")
    ('builtin.features', 'G', '*', 'flags', None, None, _BUILTIN_FEATURES, _BUILTIN_FEATURES_DEFAULT, None, '', 'L'),
    ('client.id', 'G', '*', 'str', None, None, None, 'rdkafka', None, '', 'L'),
    ('metadata.broker.list', 'G', '*', 'str', None, None, None, None, None, '', 'H'),
    ('bootstrap.servers', 'G', '*', 'alias', None, None, None, None, 'metadata.broker.list', '', 'H'),
    ('message.max.bytes', 'G', '*', 'int', 1000, 1000000000, None, 1000000, None, '', 'M'),
    ('message.copy.max.bytes', 'G', '*', 'int', 0, 1000000000, None, 65535, None, '', 'L'),
    ('receive.message.max.bytes', 'G', '*', 'int', 1000, 2147483647, None, 100000000, None, '', 'M'),
    ('max.in.flight.requests.per.connection', 'G', '*', 'int', 1, 1000000, None, 1000000, None, '', 'L'),
    ('max.in.flight', 'G', '*', 'alias', None, None, None, None, 'max.in.flight.requests.per.connection', '', 'L'),
    ('metadata.recovery.strategy', 'G', '*', 'enum', None, None,
     ('none', 'rebootstrap'), 'rebootstrap', None, '', 'L'),
    ('metadata.recovery.rebootstrap.trigger.ms', 'G', '*', 'int', 0, 2147483647, None, 300000, None, '', 'L'),
    ('topic.metadata.refresh.interval.ms', 'G', '*', 'int', -1, 3600000, None, 300000, None, '', 'L'),
    ('metadata.max.age.ms', 'G', '*', 'int', 1, 86400000, None, 900000, None, '', 'L'),
    ('topic.metadata.refresh.fast.interval.ms', 'G', '*', 'int', 1, 60000, None, 100, None, '', 'L'),
    ('topic.metadata.refresh.fast.cnt', 'G', '*', 'int', 0, 1000, None, 10, None, 'D', 'L'),
    ('topic.metadata.refresh.sparse', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('topic.metadata.propagation.max.ms', 'G', '*', 'int', 0, 3600000, None, 30000, None, '', 'L'),
    ('topic.blacklist', 'G', '*', 'pattern', None, None, None, None, None, '', 'L'),
    ('debug', 'G', '*', 'flags', None, None, _DEBUG_CONTEXTS, '', None, '', 'M'),
    ('socket.timeout.ms', 'G', '*', 'int', 10, 300000, None, 60000, None, '', 'L'),
    ('socket.blocking.max.ms', 'G', '*', 'int', 1, 60000, None, 1000, None, 'D', 'L'),
    ('socket.send.buffer.bytes', 'G', '*', 'int', 0, 100000000, None, 0, None, '', 'L'),
    ('socket.receive.buffer.bytes', 'G', '*', 'int', 0, 100000000, None, 0, None, '', 'L'),
    ('socket.keepalive.enable', 'G', '*', 'bool', None, None, None, False, None, '', 'L'),
    ('socket.nagle.disable', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('socket.max.fails', 'G', '*', 'int', 0, 1000000, None, 1, None, '', 'L'),
    ('broker.address.ttl', 'G', '*', 'int', 0, 86400000, None, 1000, None, '', 'L'),
    ('broker.address.family', 'G', '*', 'enum', None, None, ('any', 'v4', 'v6'), 'any', None, '', 'L'),
    ('socket.connection.setup.timeout.ms', 'G', '*', 'int', 1000, 2147483647, None, 30000, None, '', 'M'),
    ('connections.max.idle.ms', 'G', '*', 'int', 0, 2147483647, None, 0, None, '', 'M'),
    ('reconnect.backoff.jitter.ms', 'G', '*', 'int', 0, 3600000, None, 0, None, 'D', 'L'),
    ('reconnect.backoff.ms', 'G', '*', 'int', 0, 3600000, None, 100, None, '', 'M'),
    ('reconnect.backoff.max.ms', 'G', '*', 'int', 0, 3600000, None, 10000, None, '', 'M'),
    ('statistics.interval.ms', 'G', '*', 'int', 0, 86400000, None, 0, None, '', 'H'),
    ('enabled_events', 'G', '*', 'int', 0, 2147483647, None, 0, None, '', 'L'),
    ('error_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('throttle_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('stats_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('log_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('log_level', 'G', '*', 'int', 0, 7, None, 6, None, '', 'L'),
    ('log.queue', 'G', '*', 'bool', None, None, None, False, None, '', 'L'),
    ('log.thread.name', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('enable.random.seed', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('log.connection.close', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('background_event_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('socket_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('connect_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('closesocket_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('open_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('resolve_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('opaque', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('default_topic_conf', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('internal.termination.signal', 'G', '*', 'int', 0, 128, None, 0, None, '', 'L'),
    ('api.version.request', 'G', '*', 'bool', None, None, None, True, None, 'D', 'H'),
    ('api.version.request.timeout.ms', 'G', '*', 'int', 1, 300000, None, 10000, None, '', 'L'),
    ('api.version.fallback.ms', 'G', '*', 'int', 0, 604800000, None, 0, None, 'D', 'M'),
    ('broker.version.fallback', 'G', '*', 'str', None, None, None, '0.10.0', None, 'D', 'M'),
    ('allow.auto.create.topics', 'G', '*', 'bool', None, None, None, False, None, '', 'L'),
    ('security.protocol', 'G', '*', 'enum', None, None,
     ('plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'), 'plaintext', None, '', 'H'),
    ('ssl.cipher.suites', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.curves.list', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.sigalgs.list', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.key.location', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('ssl.key.password', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('ssl.key.pem', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('ssl_key', 'G', '*', 'internal', None, None, None, None, None, 'S', 'L'),
    ('ssl.certificate.location', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.certificate.pem', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl_certificate', 'G', '*', 'internal', None, None, None, None, None, '', 'L'),
    ('ssl.ca.location', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('https.ca.location', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('https.ca.pem', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.ca.pem', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('ssl_ca', 'G', '*', 'internal', None, None, None, None, None, '', 'L'),
    ('ssl.ca.certificate.stores', 'G', '*', 'str', None, None, None, 'Root', None, '', 'L'),
    ('ssl.crl.location', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.keystore.location', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.keystore.password', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('ssl.providers', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('ssl.engine.location', 'G', '*', 'str', None, None, None, None, None, 'D', 'L'),
    ('ssl.engine.id', 'G', '*', 'str', None, None, None, 'dynamic', None, '', 'L'),
    ('ssl_engine_callback_data', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('enable.ssl.certificate.verification', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    ('ssl.endpoint.identification.algorithm', 'G', '*', 'enum', None, None,
     ('none', 'https'), 'https', None, '', 'L'),
    ('ssl.certificate.verify_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('sasl.mechanisms', 'G', '*', 'str', None, None, None, 'GSSAPI', None, '', 'H'),
    ('sasl.mechanism', 'G', '*', 'alias', None, None, None, None, 'sasl.mechanisms', '', 'H'),
    ('sasl.kerberos.service.name', 'G', '*', 'str', None, None, None, 'kafka', None, '', 'L'),
    ('sasl.kerberos.principal', 'G', '*', 'str', None, None, None, 'kafkaclient', None, '', 'L'),
    ('sasl.kerberos.kinit.cmd', 'G', '*', 'str', None, None, None, _KINIT_CMD, None, '', 'L'),
    ('sasl.kerberos.keytab', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.kerberos.min.time.before.relogin', 'G', '*', 'int', 0, 86400000, None, 60000, None, '', 'L'),
    ('sasl.username', 'G', '*', 'str', None, None, None, None, None, 'S', 'H'),
    ('sasl.password', 'G', '*', 'str', None, None, None, None, None, 'S', 'H'),
    ('sasl.oauthbearer.config', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('enable.sasl.oauthbearer.unsecure.jwt', 'G', '*', 'bool', None, None, None, False, None, '', 'L'),
    ('oauthbearer_token_refresh_cb', 'G', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.method', 'G', '*', 'enum', None, None, ('default', 'oidc'), 'default', None, '', 'L'),
    ('sasl.oauthbearer.client.id', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.client.credentials.client.id', 'G', '*', 'alias', None, None,
     None, None, 'sasl.oauthbearer.client.id', '', 'L'),
    ('sasl.oauthbearer.client.credentials.client.secret', 'G', '*', 'alias', None, None,
     None, None, 'sasl.oauthbearer.client.secret', '', 'L'),
    ('sasl.oauthbearer.client.secret', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('sasl.oauthbearer.scope', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.extensions', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.token.endpoint.url', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.sub.claim.name', 'G', '*', 'str', None, None, None, 'sub', None, '', 'L'),
    ('sasl.oauthbearer.grant.type', 'G', '*', 'enum', None, None,
     ('client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'), 'client_credentials', None, '', 'L'),
    ('sasl.oauthbearer.assertion.algorithm', 'G', '*', 'enum', None, None,
     ('RS256', 'ES256'), 'RS256', None, '', 'L'),
    ('sasl.oauthbearer.assertion.private.key.file', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('sasl.oauthbearer.assertion.private.key.passphrase', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('sasl.oauthbearer.assertion.private.key.pem', 'G', '*', 'str', None, None, None, None, None, 'S', 'L'),
    ('sasl.oauthbearer.assertion.file', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.aud', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.exp.seconds', 'G', '*', 'int', 1, 2147483647, None, 300, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.iss', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.jti.include', 'G', '*', 'bool', None, None, None, False, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.nbf.seconds', 'G', '*', 'int', 0, 2147483647, None, 60, None, '', 'L'),
    ('sasl.oauthbearer.assertion.claim.sub', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.assertion.jwt.template.file', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('sasl.oauthbearer.metadata.authentication.type', 'G', '*', 'enum', None, None,
     ('none', 'azure_imds', 'aws_iam'), 'none', None, '', 'L'),
    ('plugin.library.paths', 'G', '*', 'str', None, None, None, None, None, '', 'L'),
    ('interceptors', 'G', '*', 'internal', None, None, None, None, None, '', 'L'),
    ('group.id', 'G', 'C', 'str', None, None, None, None, None, '', 'H'),
    ('group.instance.id', 'G', 'C', 'str', None, None, None, None, None, '', 'M'),
    ('partition.assignment.strategy', 'G', 'C', 'str', None, None, None, 'range,roundrobin', None, '', 'M'),
    ('session.timeout.ms', 'G', 'C', 'int', 1, 3600000, None, 45000, None, '', 'H'),
    ('heartbeat.interval.ms', 'G', 'C', 'int', 1, 3600000, None, 3000, None, '', 'L'),
    ('group.protocol.type', 'G', 'C', 'str', None, None, None, 'consumer', None, '', 'L'),
    ('group.protocol', 'G', 'C', 'enum', None, None, ('classic', 'consumer'), 'classic', None, '', 'H'),
    ('group.remote.assignor', 'G', 'C', 'str', None, None, None, None, None, '', 'M'),
    ('coordinator.query.interval.ms', 'G', 'C', 'int', 1, 3600000, None, 600000, None, '', 'L'),
    ('max.poll.interval.ms', 'G', 'C', 'int', 1, 86400000, None, 300000, None, 'c', 'H'),
    ('enable.auto.commit', 'G', 'C', 'bool', None, None, None, True, None, 'c', 'H'),
    ('auto.commit.interval.ms', 'G', 'C', 'int', 0, 86400000, None, 5000, None, 'c', 'M'),
    ('enable.auto.offset.store', 'G', 'C', 'bool', None, None, None, True, None, 'c', 'H'),
    ('queued.min.messages', 'G', 'C', 'int', 1, 10000000, None, 100000, None, 'c', 'M'),
    ('queued.max.messages.kbytes', 'G', 'C', 'int', 1, 2097151, None, 65536, None, 'c', 'M'),
    ('fetch.wait.max.ms', 'G', 'C', 'int', 0, 300000, None, 500, None, 'c', 'L'),
    ('fetch.queue.backoff.ms', 'G', 'C', 'int', 0, 300000, None, 1000, None, 'c', 'M'),
    ('fetch.message.max.bytes', 'G', 'C', 'int', 1, 1000000000, None, 1048576, None, 'c', 'M'),
    ('max.partition.fetch.bytes', 'G', 'C', 'alias', None, None, None, None, 'fetch.message.max.bytes', 'c', 'M'),
    ('fetch.max.bytes', 'G', 'C', 'int', 0, 2147483135, None, 52428800, None, 'c', 'M'),
    ('fetch.min.bytes', 'G', 'C', 'int', 0, 2147483647, None, 1, None, 'c', 'L'),
    ('fetch.error.backoff.ms', 'G', 'C', 'int', 0, 300000, None, 500, None, 'c', 'M'),
    ('offset.store.method', 'G', 'C', 'enum', None, None, ('none', 'file', 'broker'), 'broker', None, 'Dc', 'L'),
    ('isolation.level', 'G', 'C', 'enum', None, None,
     ('read_uncommitted', 'read_committed'), 'read_committed', None, 'c', 'H'),
    ('consume_cb', 'G', 'C', 'ptr', None, None, None, None, None, 'c', 'L'),
    ('rebalance_cb', 'G', 'C', 'ptr', None, None, None, None, None, 'c', 'L'),
    ('offset_commit_cb', 'G', 'C', 'ptr', None, None, None, None, None, 'c', 'L'),
    ('enable.partition.eof', 'G', 'C', 'bool', None, None, None, False, None, 'c', 'L'),
    ('check.crcs', 'G', 'C', 'bool', None, None, None, False, None, 'c', 'M'),
    ('client.rack', 'G', '*', 'str', None, None, None, '', None, '', 'L'),
    ('max.poll.records', 'G', 'C', 'int', 1, 2147483647, None, 500, None, 'c', 'L'),
    ('share.acknowledgement.mode', 'G', 'C', 'str', None, None, None, 'implicit', None, 'c', 'M'),
    ('transactional.id', 'G', 'P', 'str', None, None, None, None, None, 'p', 'H'),
    ('transaction.timeout.ms', 'G', 'P', 'int', 1000, 2147483647, None, 60000, None, 'p', 'M'),
    ('enable.idempotence', 'G', 'P', 'bool', None, None, None, False, None, 'p', 'H'),
    ('enable.gapless.guarantee', 'G', 'P', 'bool', None, None, None, False, None, 'Ep', 'L'),
    ('queue.buffering.max.messages', 'G', 'P', 'int', 0, 2147483647, None, 100000, None, 'p', 'H'),
    ('queue.buffering.max.kbytes', 'G', 'P', 'int', 1, 2147483647, None, 1048576, None, 'p', 'H'),
    ('queue.buffering.max.ms', 'G', 'P', 'float', 0.0, 900000.0, None, 5.0, None, 'p', 'H'),
    ('linger.ms', 'G', 'P', 'alias', None, None, None, None, 'queue.buffering.max.ms', 'p', 'H'),
    ('message.send.max.retries', 'G', 'P', 'int', 0, 2147483647, None, 2147483647, None, 'p', 'H'),
    ('retries', 'G', 'P', 'alias', None, None, None, None, 'message.send.max.retries', 'p', 'H'),
    ('retry.backoff.ms', 'G', '*', 'int', 1, 300000, None, 100, None, '', 'M'),
    ('retry.backoff.max.ms', 'G', '*', 'int', 1, 300000, None, 1000, None, '', 'M'),
    ('queue.buffering.backpressure.threshold', 'G', 'P', 'int', 1, 1000000, None, 1, None, 'p', 'L'),
    ('compression.codec', 'G', 'P', 'enum', None, None,
     ('none', 'gzip', 'snappy', 'lz4', 'zstd'), 'none', None, 'p', 'M'),
    ('compression.type', 'G', 'P', 'alias', None, None, None, None, 'compression.codec', 'p', 'M'),
    ('batch.num.messages', 'G', 'P', 'int', 1, 1000000, None, 10000, None, 'p', 'M'),
    ('batch.size', 'G', 'P', 'int', 1, 2147483647, None, 1000000, None, 'p', 'M'),
    ('delivery.report.only.error', 'G', 'P', 'bool', None, None, None, False, None, 'p', 'L'),
    ('dr_cb', 'G', 'P', 'ptr', None, None, None, None, None, 'p', 'L'),
    ('dr_msg_cb', 'G', 'P', 'ptr', None, None, None, None, None, 'p', 'L'),
    ('sticky.partitioning.linger.ms', 'G', 'P', 'int', 0, 900000, None, 10, None, 'p', 'L'),
    ('client.dns.lookup', 'G', '*', 'enum', None, None,
     ('use_all_dns_ips', 'resolve_canonical_bootstrap_servers_only'), 'use_all_dns_ips', None, '', 'L'),
    ('enable.metrics.push', 'G', '*', 'bool', None, None, None, True, None, '', 'L'),
    # hidden / Java-pointer properties that rdkafka_conf.c defines but CONFIGURATION.md does not list
    ('client.software.name', 'G', '*', 'str', None, None, None, 'librdkafka', None, 'H', 'L'),
    ('client.software.version', 'G', '*', 'str', None, None, None, None, None, 'H', 'L'),
    ('metadata.request.timeout.ms', 'G', '*', 'int', 10, 900000, None, 10, None, 'DH', 'L'),
    ('enable.sparse.connections', 'G', '*', 'bool', None, None, None, True, None, 'H', 'M'),
    ('enable_sasl_queue', 'G', '*', 'bool', None, None, None, False, None, 'H', 'L'),
    ('test.mock.num.brokers', 'G', '*', 'int', 0, 10000, None, 0, None, 'H', 'L'),
    ('test.mock.broker.rtt', 'G', '*', 'int', 0, 3600000, None, 0, None, 'H', 'L'),
    ('ssl.truststore.location', 'G', '*', 'invalid', None, None, None, None, None, '', 'L'),
    ('sasl.jaas.config', 'G', '*', 'invalid', None, None, None, None, None, '', 'L'),
    # topic properties (CONFIGURATION.md "Topic configuration properties"), settable in the same dict
    ('request.required.acks', 'T', 'P', 'int', -1, 1000, (('all', -1),), -1, None, 'p', 'H'),
    ('acks', 'T', 'P', 'alias', None, None, None, None, 'request.required.acks', 'p', 'H'),
    ('request.timeout.ms', 'T', 'P', 'int', 1, 900000, None, 30000, None, 'p', 'M'),
    ('message.timeout.ms', 'T', 'P', 'int', 0, 2147483647, None, 300000, None, 'p', 'H'),
    ('delivery.timeout.ms', 'T', 'P', 'alias', None, None, None, None, 'message.timeout.ms', 'p', 'H'),
    ('queuing.strategy', 'T', 'P', 'enum', None, None, ('fifo', 'lifo'), 'fifo', None, 'DEp', 'L'),
    ('produce.offset.report', 'T', 'P', 'bool', None, None, None, False, None, 'Dp', 'L'),
    ('partitioner', 'T', 'P', 'str', None, None, None, 'consistent_random', None, 'p', 'H'),
    ('partitioner_cb', 'T', 'P', 'ptr', None, None, None, None, None, 'p', 'L'),
    ('msg_order_cmp', 'T', 'P', 'ptr', None, None, None, None, None, 'DEp', 'L'),
    ('opaque', 'T', '*', 'ptr', None, None, None, None, None, '', 'L'),
    ('compression.codec', 'T', 'P', 'enum', None, None,
     ('none', 'gzip', 'snappy', 'lz4', 'zstd', 'inherit'), 'inherit', None, 'p', 'H'),
    ('compression.type', 'T', 'P', 'alias', None, None, None, None, 'compression.codec', 'p', 'M'),
    ('compression.level', 'T', 'P', 'int', -1, 12, None, -1, None, 'p', 'M'),
    ('auto.commit.enable', 'T', 'C', 'bool', None, None, None, True, None, 'Dc', 'L'),
    ('enable.auto.commit', 'T', 'C', 'alias', None, None, None, None, 'auto.commit.enable', 'c', 'L'),
    ('auto.commit.interval.ms', 'T', 'C', 'int', 10, 86400000, None, 60000, None, 'c', 'H'),
    ('auto.offset.reset', 'T', 'C', 'enum', None, None,
     ('smallest', 'earliest', 'beginning', 'largest', 'latest', 'end', 'error'), 'largest', None, 'c', 'H'),
    ('offset.store.path', 'T', 'C', 'str', None, None, None, '.', None, 'Dc', 'L'),
    ('offset.store.sync.interval.ms', 'T', 'C', 'int', -1, 86400000, None, -1, None, 'Dc', 'L'),
    ('offset.store.method', 'T', 'C', 'enum', None, None, ('file', 'broker'), 'broker', None, 'Dc', 'L'),
    ('consume.callback.max.messages', 'T', 'C', 'int', 0, 1000000, None, 0, None, 'c', 'L'),
)

_IMPORTANCE = {"H": "high", "M": "medium", "L": "low"}

#: One-line summaries for the properties notebooks talk about (our wording, not librdkafka's).
_CLIENT_DOCS: dict[str, str] = {
    "metadata.broker.list": "Initial broker list (host:port,...); alias bootstrap.servers.",
    "client.id": "Client identifier sent with every request.",
    "message.max.bytes": "Maximum protocol request size; the broker still enforces the topic's max.message.bytes.",
    "max.in.flight.requests.per.connection": "Unacknowledged requests per broker connection; <= 5 with idempotence.",
    "debug": "Comma-separated debug contexts (broker,topic,msg,cgrp,fetch,...).",
    "socket.timeout.ms": "Default network request timeout.",
    "statistics.interval.ms": "How often stats_cb receives a JSON statistics blob (0: never).",
    "allow.auto.create.topics": "Let the broker auto-create a topic on metadata request "
                                "(librdkafka: on for producers, off for consumers unless set).",
    "security.protocol": "plaintext, ssl, sasl_plaintext or sasl_ssl.",
    "group.id": "Consumer group; required by confluent-kafka's Consumer.",
    "group.instance.id": "Static membership id (KIP-345).",
    "partition.assignment.strategy": "Client-side assignors for the classic protocol (range, roundrobin, "
                                     "cooperative-sticky).",
    "session.timeout.ms": "Classic protocol: coordinator evicts a member silent this long.",
    "heartbeat.interval.ms": "Classic protocol: heartbeat period.",
    "group.protocol": "classic (JoinGroup/SyncGroup) or consumer (KIP-848 ConsumerGroupHeartbeat).",
    "group.remote.assignor": "KIP-848: server-side assignor name (uniform, range).",
    "max.poll.interval.ms": "Max time between poll() calls before the consumer leaves the group.",
    "enable.auto.commit": "Commit stored offsets every auto.commit.interval.ms in the background.",
    "auto.commit.interval.ms": "Auto-commit period.",
    "enable.auto.offset.store": "Store the offset of each message handed to the application automatically.",
    "fetch.wait.max.ms": "Broker may hold a fetch this long waiting for fetch.min.bytes (Java: fetch.max.wait.ms).",
    "fetch.message.max.bytes": "Initial bytes per partition per fetch; alias max.partition.fetch.bytes.",
    "fetch.max.bytes": "Maximum bytes per fetch response.",
    "fetch.min.bytes": "Minimum bytes the broker answers a fetch with.",
    "isolation.level": "read_committed (librdkafka default) hides aborted and open transactional records.",
    "enable.partition.eof": "Emit a _PARTITION_EOF event when a consumer reaches the end of a partition.",
    "transactional.id": "Enables transactions (and idempotence); must be unique per producer instance.",
    "transaction.timeout.ms": "Coordinator aborts a transaction open longer than this.",
    "enable.idempotence": "Exactly-once per partition: acks=all, retries, max.in.flight<=5, PID+sequence numbers.",
    "queue.buffering.max.messages": "Producer queue limit in messages (else _QUEUE_FULL).",
    "queue.buffering.max.kbytes": "Producer queue limit in kilobytes (else _QUEUE_FULL).",
    "queue.buffering.max.ms": "Linger: wait this long to fill a batch; alias linger.ms (a float).",
    "message.send.max.retries": "Retries of a failed produce request; alias retries.",
    "retry.backoff.ms": "Initial backoff before retrying a request (exponential up to retry.backoff.max.ms).",
    "retry.backoff.max.ms": "Maximum retry backoff.",
    "compression.codec": "none, gzip, snappy, lz4 or zstd; alias compression.type.",
    "batch.num.messages": "Maximum messages per batch.",
    "batch.size": "Maximum bytes per batch (librdkafka default 1000000; Java 16384).",
    "delivery.report.only.error": "Only report failed deliveries.",
    "sticky.partitioning.linger.ms": "How long keyless messages stick to one partition (default 2 x linger.ms).",
    "request.required.acks": "0, 1 or all (-1); alias acks.  Values up to 1000 pass the client; "
                             "the broker rejects anything but -1/0/1 with INVALID_REQUIRED_ACKS.",
    "request.timeout.ms": "Produce request timeout enforced by the broker (acks != 0).",
    "message.timeout.ms": "Local delivery timeout per message (0: infinite); alias delivery.timeout.ms.",
    "partitioner": "consistent_random (default), murmur2_random (Java-compatible), ...",
    "auto.offset.reset": "Where to start without a committed offset: earliest/smallest/beginning, "
                         "latest/largest/end, or error.",
    "queuing.strategy": "fifo or lifo producer queue.",
}


def _build_client_tables() -> tuple[dict[str, ClientProperty], dict[str, ClientProperty]]:
    glob: dict[str, ClientProperty] = {}
    topic: dict[str, ClientProperty] = {}
    for name, lvl, role, kind, lo, hi, values, default, alias, flags, imp in _RDKAFKA_ROWS:
        warn = "producer" if "p" in flags else "consumer" if "c" in flags else None
        if kind == "flags" and isinstance(default, str):
            default = ",".join(s.strip() for s in default.split(",") if s.strip())
        prop = ClientProperty(name, "global" if lvl == "G" else "topic", role, kind, lo, hi, values, default, alias,
                              "D" in flags, "E" in flags, "S" in flags, "H" in flags, _IMPORTANCE[imp], warn)
        (glob if lvl == "G" else topic)[name] = prop
    return glob, topic


#: librdkafka's global and topic property tables, keyed by name (aliases included, kind "alias").
LIBRDKAFKA_GLOBAL_PROPERTIES, LIBRDKAFKA_TOPIC_PROPERTIES = _build_client_tables()

# Topic properties whose name is also a global property: the global one wins in a flat dict, so the
# topic-level value is kept under "topic.<name>" (librdkafka strips that prefix for topic properties).
_TOPIC_KEY_CLASH = frozenset(n for n, p in LIBRDKAFKA_TOPIC_PROPERTIES.items()
                             if n in LIBRDKAFKA_GLOBAL_PROPERTIES and p.kind not in ("alias", "ptr"))

_INVALID_PROPERTY_MESSAGES = {
    "ssl.truststore.location": "Java TrustStores are not supported, use `ssl.ca.location` and a certificate file "
                               "instead. See https://github.com/confluentinc/librdkafka/wiki/Using-SSL-with-"
                               "librdkafka for more information.",
    "sasl.jaas.config": "Java JAAS configuration is not supported, see https://github.com/confluentinc/"
                        "librdkafka/wiki/Using-SASL-with-librdkafka for more information.",
}

#: Built-in partitioners accepted by ``partitioner`` (rd_kafka_conf_validate_partitioner).
LIBRDKAFKA_PARTITIONERS = ("random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a",
                           "fnv1a_random")

_STR_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "partitioner": lambda v: v in LIBRDKAFKA_PARTITIONERS,
    "sasl.mechanisms": lambda v: "," not in v and " " not in v,  # rd_kafka_conf_validate_single
    "broker.version.fallback": lambda v: not v.startswith(("0.7.", "0.6.")),
}
_KSTR = frozenset({"group.protocol.type", "client.rack"})  # Kafka strings: not left-trimmed
_C_SPACE = " \t\n\v\f\r"

#: Assignors built into librdkafka and their rebalance protocol (rdkafka_assignor.c).
LIBRDKAFKA_ASSIGNORS = {"range": "EAGER", "roundrobin": "EAGER", "cooperative-sticky": "COOPERATIVE"}

#: Keys confluent-kafka-python handles itself instead of passing them to librdkafka
#: (confluent_kafka.c ``common_conf_setup``, ``producer_conf_set_special``, ``consumer_conf_set_special``).
PYTHON_CLIENT_PROPERTIES: dict[str, str] = {
    "error_cb": "*",
    "throttle_cb": "*",
    "stats_cb": "*",
    "logger": "*",
    "oauth_cb": "*",
    "on_delivery": "producer",
    "delivery.report.only.error": "producer",
    "on_commit": "consumer",
}

#: Java-client properties a learner may try; librdkafka answers ``No such configuration property``.
#: The hint names the librdkafka counterpart (for notebooks and exercise hints, never in the exception).
JAVA_ONLY_PROPERTIES: dict[str, str] = {
    "buffer.memory": "librdkafka bounds the producer queue with queue.buffering.max.kbytes and "
                     "queue.buffering.max.messages; a full queue raises BufferError (_QUEUE_FULL) instead of blocking",
    "max.block.ms": "produce() never blocks in librdkafka; poll()/flush() take explicit timeouts",
    "key.serializer": "serialize before produce(), or use SerializingProducer",
    "value.serializer": "serialize before produce(), or use SerializingProducer",
    "key.deserializer": "deserialize after poll(), or use DeserializingConsumer",
    "value.deserializer": "deserialize after poll(), or use DeserializingConsumer",
    "max.request.size": "use message.max.bytes",
    "partitioner.class": "use partitioner (e.g. murmur2_random for Java-compatible keyed placement)",
    "partitioner.ignore.keys": "no librdkafka equivalent",
    "partitioner.adaptive.partitioning.enable": "no librdkafka equivalent (sticky.partitioning.linger.ms "
                                                "controls keyless stickiness)",
    "partitioner.availability.timeout.ms": "no librdkafka equivalent",
    "interceptor.classes": "use plugin.library.paths (C plugins)",
    "metric.reporters": "use statistics.interval.ms with stats_cb",
    "fetch.max.wait.ms": "use fetch.wait.max.ms",
    "default.api.timeout.ms": "pass timeouts to each call",
    "send.buffer.bytes": "use socket.send.buffer.bytes",
    "receive.buffer.bytes": "use socket.receive.buffer.bytes",
    "metadata.max.idle.ms": "no librdkafka equivalent",
    "exclude.internal.topics": "no librdkafka equivalent",
    "security.providers": "no librdkafka equivalent",
    "auto.include.jmx.reporter": "no JMX in librdkafka",
    "ssl.truststore.location": "librdkafka rejects it with a pointer to ssl.ca.location",
    "sasl.jaas.config": "librdkafka rejects it; use sasl.username / sasl.password",
}


def explain_unknown_property(name: str) -> str | None:
    """A one-line hint for a Java-only property name (None if we have none)."""
    return JAVA_ONLY_PROPERTIES.get(name)


def _lookup_client_property(name: str) -> ClientProperty:
    """Find ``name`` as ``rd_kafka_conf_set`` does: global table, else topic table ('topic.' prefix stripped).

    Aliases resolve to their target in the same table.  Unknown: ``No such configuration property: "x"``.
    """
    table = LIBRDKAFKA_GLOBAL_PROPERTIES
    prop = table.get(name)
    if prop is None:
        table = LIBRDKAFKA_TOPIC_PROPERTIES
        name = name.removeprefix("topic.")
        prop = table.get(name)
        if prop is None:
            raise ConfigException(f'No such configuration property: "{name}"')
    if prop.kind == "alias":
        prop = table[prop.alias_of]
    return prop


def client_property(name: str) -> ClientProperty | None:
    """The canonical librdkafka property ``name`` refers to (aliases followed), or None if librdkafka has none."""
    try:
        return _lookup_client_property(name)
    except ConfigException:
        return None


def _key(prop: ClientProperty) -> str:
    """Key of ``prop`` in a :class:`ClientConfig`."""
    if prop.level == "topic" and prop.name in _TOPIC_KEY_CLASH:
        return "topic." + prop.name
    return prop.name


_STRTOL = re.compile(r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_STRTOD = re.compile(r"[ \t\n\v\f\r]*([+-]?(?:inf(?:inity)?|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?))",
                     re.IGNORECASE)


def _strtol(text: str) -> int | None:
    """C ``(int)strtol(text, &end, 0)``: longest numeric prefix (0x hex, 0 octal), None if none.

    librdkafka ignores trailing characters ("20ms" is 20) and the cast keeps the low 32 bits.
    """
    m = _STRTOL.match(text)
    if m is None:
        return None
    sign, digits = m.groups()
    if digits[:2] in ("0x", "0X"):
        value = int(digits, 16)
    elif digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = int(digits)
    if sign == "-":
        value = -value
    value = max(LONG_MIN, min(LONG_MAX, value))  # strtol saturates
    return (value - INT_MIN) % 2**32 + INT_MIN


def _strtod(text: str) -> float | None:
    """C ``strtod``: longest decimal prefix, None if none."""
    # Simplification: C strtod also reads hex floats ("0x1p3"); here they stop after the "0".
    m = _STRTOD.match(text)
    return None if m is None else float(m.group(1))


_UNCHANGED = object()


def _parse_client_value(prop: ClientProperty, value: str | None, current: Any) -> Any:
    """``rd_kafka_anyconf_set_prop``: parse one string for ``prop`` or raise ConfigException with librdkafka's text.

    Messages name the *canonical* property (``linger.ms`` is reported as ``queue.buffering.max.ms``).
    """
    name, kind = prop.name, prop.kind
    if kind == "invalid":
        raise ConfigException(_INVALID_PROPERTY_MESSAGES[name])
    if kind == "ptr":
        raise ConfigException(f'Property "{name}" must be set through dedicated .._set_..() function')
    if kind == "internal":
        raise ConfigException(f'Internal property "{name}" not settable')
    if kind in ("str", "pattern"):
        # Simplification: librdkafka compiles a pattern list (topic.blacklist) and may reject a bad regex.
        if kind == "str" and value is not None and name not in _KSTR:
            value = value.lstrip(_C_SPACE)
        check = _STR_VALIDATORS.get(name)
        if check is not None and (value is None or not check(value)):
            shown = "(null)" if value is None else value
            raise ConfigException(f'Invalid value for configuration property "{name}": {shown}')
        return value
    if kind == "bool":
        if value is None:
            raise ConfigException(f'Bool configuration property "{name}" cannot be set to empty value')
        if value.lower() in ("true", "t") or value == "1":
            return True
        if value.lower() in ("false", "f") or value == "0":
            return False
        raise ConfigException(f'Expected bool value for "{name}": true or false')
    if kind == "int":
        if value is None:
            raise ConfigException(f'Integer configuration property "{name}" cannot be set to empty value')
        ival = _strtol(value)
        if ival is None:
            named = [v for s, v in (prop.values or ()) if s.lower() == value.lower()]
            if not named:
                raise ConfigException(f'Invalid value for configuration property "{name}"')
            ival = named[0]
        if ival < prop.min or ival > prop.max:
            # librdkafka's message ends with a newline; confluent-kafka passes it through unchanged.
            raise ConfigException(f'Configuration property "{name}" value {ival} is outside allowed range '
                                  f'{prop.min}..{prop.max}\n')
        return ival
    if kind == "float":
        if value is None:
            raise ConfigException(f'Float configuration property "{name}" cannot be set to empty value')
        dval = _strtod(value)
        if dval is None:
            raise ConfigException(f'Invalid value for configuration property "{name}"')
        if dval < prop.min or dval > prop.max:
            raise ConfigException(f'Configuration property "{name}" value {dval:g} is outside allowed range '
                                  f'{prop.min:g}..{prop.max:g}\n')
        return dval
    if kind in ("enum", "flags"):
        if value is None:
            raise ConfigException(f'Configuration property "{name}" cannot be set to empty value')
        flags = [] if kind == "enum" or not current else current.split(",")
        for token in (value.split(",") if kind == "flags" else [value]):
            token = token.lstrip(_C_SPACE)  # librdkafka's right-trim never fires: "x " stays "x "
            remove = False
            if kind == "flags" and token[:1] in ("+", "-"):
                remove, token = token[0] == "-", token[1:]
            if token == "":
                continue
            match = next((v for v in prop.values if v.lower() == token.lower()), None)
            if match is None:
                raise ConfigException(f'Invalid value "{token}" for configuration property "{name}"')
            if kind == "enum":
                return match
            if remove:
                flags = [f for f in flags if f != match]
            elif match not in flags:
                flags.append(match)
        if kind == "enum":
            return _UNCHANGED
        return ",".join(v for v in prop.values if v in flags)
    raise AssertionError(f"unhandled librdkafka property kind {kind}")


class ClientConfig(dict):
    """A validated librdkafka configuration: canonical property name → effective typed value.

    It holds every librdkafka property (defaults filled, then the user's values, then the adjustments
    ``rd_kafka_new()`` makes, e.g. ``enable.idempotence`` forcing ``acks=-1``).  Keys are librdkafka's
    canonical names (``queue.buffering.max.ms``, ``request.required.acks``); aliases work for reading:
    ``conf["linger.ms"]`` is ``conf["queue.buffering.max.ms"]``.  Topic-level properties that share a
    name with a global one (``compression.codec``, ``auto.commit.interval.ms``, ``offset.store.method``)
    sit under ``topic.<name>``.

    Extra attributes: ``role``; ``modified`` (canonical keys the user set); ``python_settings``
    (``on_delivery``, ``error_cb``, ``logger`` ...); ``warnings`` (the CONFWARN/notice lines librdkafka
    logs at construction); ``topic_conf_error`` (a topic-config conflict librdkafka only reports when
    it first creates a topic handle, i.e. at the first ``produce()``).
    """

    def __init__(self, values: Mapping[str, Any] = (), *, role: str = "producer", modified: Iterable[str] = (),
                 python_settings: Mapping[str, Any] | None = None, warnings: Iterable[str] = (),
                 topic_conf_error: str | None = None):
        super().__init__(values)
        self.role = role
        self.modified = frozenset(modified)
        self.python_settings = dict(python_settings or {})
        self.warnings = tuple(warnings)
        self.topic_conf_error = topic_conf_error

    def __missing__(self, key: str) -> Any:
        prop = client_property(key) if isinstance(key, str) else None
        if prop is not None and _key(prop) != key and dict.__contains__(self, _key(prop)):
            return dict.__getitem__(self, _key(prop))
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        prop = client_property(key) if isinstance(key, str) else None
        return prop is not None and dict.__contains__(self, _key(prop))

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def is_set(self, name: str) -> bool:
        """True if the application set ``name`` (or an alias of it), like ``rd_kafka_conf_is_modified``."""
        prop = client_property(name)
        return prop is not None and _key(prop) in self.modified

    def __repr__(self) -> str:
        return f"ClientConfig(role={self.role!r}, set={sorted(self.modified)!r})"


CLIENT_ROLES = ("producer", "consumer", "admin")
_FAILED_PREFIX = {"producer": "Failed to create producer: ", "consumer": "Failed to create consumer: ",
                  "admin": "Failed to create admin client: "}


def client_config_defaults() -> dict[str, Any]:
    """librdkafka's defaults as stored in a fresh ``rd_kafka_conf_t`` (before any role adjustment)."""
    out: dict[str, Any] = {}
    for table in (LIBRDKAFKA_GLOBAL_PROPERTIES, LIBRDKAFKA_TOPIC_PROPERTIES):
        for prop in table.values():
            if prop.kind not in ("alias", "ptr", "internal", "invalid"):
                out[_key(prop)] = prop.default
    return out


def validate_client_config(conf: Mapping[str, Any], role: str) -> ClientConfig:
    """Check a confluent-kafka config dict the way ``Producer(conf)`` / ``Consumer(conf)`` / ``AdminClient(conf)`` do.

    Order, as in confluent-kafka-python 2.x over librdkafka 2.x:

    1. ``Consumer`` without a ``group.id`` key: ``ValueError("Failed to create consumer: group.id must be set")``.
    2. ``default.topic.config`` (a dict) is merged in; ``debug`` is applied first.
    3. Each key in dict order: Python-level keys (``on_delivery``, ``error_cb``, ``logger`` ...; a
       non-callable raises TypeError/ValueError/ConfigException exactly as confluent-kafka does), else
       ``str(value)`` goes to ``rd_kafka_conf_set``.  Unknown names raise
       ``ConfigException('No such configuration property: "buffer.memory"')``; bad values raise
       librdkafka's text, e.g. ``Invalid value for configuration property "request.timeout.ms"``,
       ``Expected bool value for "enable.idempotence": true or false``,
       ``Invalid value "foo" for configuration property "auto.offset.reset"``,
       ``Configuration property "queue.buffering.max.ms" value 1e+06 is outside allowed range 0..900000\\n``
       (canonical name, ``%g`` for floats, trailing newline: all librdkafka's).  Integers parse like C
       ``strtol``: ``"20ms"`` is accepted as 20.
    4. ``rd_kafka_new()`` cross-checks (``rd_kafka_conf_finalize``), raised as ConfigException with
       confluent-kafka's prefix, e.g. ``Failed to create producer: `acks` must be set to `all` when
       `enable.idempotence` is true`` and ``Failed to create producer: `max.in.flight` must be set <= 5
       when `enable.idempotence` is true``; then the assignor list (``Unsupported
       partition.assignment.strategy: sticky``).

    ``acks=2`` passes (librdkafka's range is -1..1000); the broker rejects the ProduceRequest with
    INVALID_REQUIRED_ACKS (21).  Java-only names such as ``buffer.memory`` fail at step 3; see
    :data:`JAVA_ONLY_PROPERTIES` for hints.

    >>> validate_client_config({"acks": "all", "enable.idempotence": True}, "producer")["max.in.flight"]
    5
    """
    if role not in CLIENT_ROLES:
        raise ValueError(f"role must be one of {CLIENT_ROLES}, not {role!r}")
    if not isinstance(conf, Mapping):
        raise TypeError("expected configuration dict")
    items = dict(conf)
    if role == "consumer" and "group.id" not in items:
        raise ValueError("Failed to create consumer: group.id must be set")
    if "default.topic.config" in items:
        topic_dict = items.pop("default.topic.config")
        items.update(topic_dict)

    g = {name: p.default for name, p in LIBRDKAFKA_GLOBAL_PROPERTIES.items()
         if p.kind not in ("alias", "ptr", "internal", "invalid")}
    t = {name: p.default for name, p in LIBRDKAFKA_TOPIC_PROPERTIES.items()
         if p.kind not in ("alias", "ptr", "internal", "invalid")}
    g["client.software.name"] = "confluent-kafka-python"
    g["client.software.version"] = f"{CONFLUENT_KAFKA_VERSION}-rdkafka-{LIBRDKAFKA_VERSION}"
    gmod: set[str] = set()
    tmod: set[str] = set()
    python_settings: dict[str, Any] = {}
    topic_conf_created = False

    ordered = ([("debug", items["debug"])] if "debug" in items else []) + list(items.items())
    for key, value in ordered:
        key = str(key)
        if _set_python_key(role, key, value, python_settings):
            continue
        wire = None if value is None else str(value)
        if wire == "":
            wire = None  # rd_kafka_anyconf_set treats "" as NULL
        prop = _lookup_client_property(key)
        state, mod = (g, gmod) if prop.level == "global" else (t, tmod)
        parsed = _parse_client_value(prop, wire, state.get(prop.name))
        if prop.level == "topic":
            topic_conf_created = True
        if parsed is not _UNCHANGED:
            state[prop.name] = parsed
        mod.add(prop.name)

    if "logger" in python_settings and python_settings["logger"] is not None:
        g["log.queue"] = True  # confluent-kafka routes librdkafka logs through the polled queue
    if role == "producer" and "delivery.report.only.error" in python_settings:
        g["delivery.report.only.error"] = python_settings["delivery.report.only.error"]

    cltype = "consumer" if role == "consumer" else "producer"  # AdminClient is a producer-type handle
    error = _finalize_global(cltype, g, t, gmod, topic_conf_created,
                             oauth_cb_set=python_settings.get("oauth_cb") is not None)
    topic_conf_error = None
    if error is None:
        topic_error = _finalize_topic(cltype, g, t, gmod, tmod)
        if topic_error is not None and topic_conf_created:
            error = topic_error
        topic_conf_error = topic_error
    if error is None:
        error = _check_assignors(g["partition.assignment.strategy"] or "")
    if error is not None:
        raise ConfigException(_FAILED_PREFIX[role] + error)

    values = {name: g[name] for name in g}
    values.update({_key(LIBRDKAFKA_TOPIC_PROPERTIES[name]): t[name] for name in t})
    modified = {name for name in gmod} | {_key(LIBRDKAFKA_TOPIC_PROPERTIES[name]) for name in tmod}
    return ClientConfig(values, role=role, modified=modified, python_settings=python_settings,
                        warnings=_conf_warnings(cltype, g, gmod, tmod), topic_conf_error=topic_conf_error)


def _set_python_key(role: str, key: str, value: Any, settings: dict[str, Any]) -> bool:
    """Keys confluent-kafka-python consumes itself; True if ``key`` was one of them."""
    if key in ("error_cb", "stats_cb", "oauth_cb", "throttle_cb"):
        if not callable(value):
            exc = ValueError if key == "throttle_cb" else TypeError
            raise exc(f"expected {key} property as a callable function")
        settings[key] = value
        return True
    if key == "logger":
        settings[key] = value
        return True
    if (role, key) in (("producer", "on_delivery"), ("consumer", "on_commit")):
        if not callable(value):
            raise ConfigException(f"{key} requires a callable object")
        settings[key] = value
        return True
    if role == "producer" and key == "delivery.report.only.error":
        if not isinstance(value, bool):
            raise TypeError(f"Expected {key} to be bool type, not {type(value).__name__}")
        settings[key] = value
        return True
    return False


def _finalize_global(cltype: str, g: dict, t: dict, gmod: set, topic_conf_created: bool,
                     oauth_cb_set: bool) -> str | None:
    """``rd_kafka_conf_finalize``: cross-property checks and derived defaults; returns the error text or None."""
    if g["ssl.keystore.location"] and not g["ssl.keystore.password"]:
        return "`ssl.keystore.password` is mandatory when `ssl.keystore.location` is set"
    # Simplification: librdkafka also checks that https.ca.location exists on disk; there is no disk here.
    if g["https.ca.location"] and g["https.ca.pem"]:
        return "`https.ca.location` and `https.ca.pem` are mutually exclusive"
    if (g["sasl.mechanisms"] or "").upper() == "OAUTHBEARER" and g["enable.sasl.oauthbearer.unsecure.jwt"] \
            and oauth_cb_set:
        return "`enable.sasl.oauthbearer.unsecure.jwt` and `oauthbearer_token_refresh_cb` are mutually exclusive"

    if cltype == "consumer":
        if not 1 <= g["fetch.min.bytes"] <= 100000000:
            return 'Configuration property "fetch.min.bytes" value is outside allowed range 1..100000000'
        if g["group.protocol"] == "classic":
            if g["max.poll.interval.ms"] < g["session.timeout.ms"]:
                return "`max.poll.interval.ms`must be >= `session.timeout.ms`"  # sic: no space
        else:
            if "session.timeout.ms" in gmod:
                return ("`session.timeout.ms` is not supported for `group.protocol=consumer` or share consumer. "
                        "It is defined broker side")
            if "partition.assignment.strategy" in gmod:
                return ("`partition.assignment.strategy` is not supported for `group.protocol=consumer`. "
                        "Use `group.remote.assignor` instead")
            if "group.protocol.type" in gmod:
                return "`group.protocol.type` is not supported for `group.protocol=consumer` or share consumer"
            if "heartbeat.interval.ms" in gmod:
                return ("`heartbeat.interval.ms` is not supported for `group.protocol=consumer` or share consumer. "
                        "It is defined broker side")
        if "fetch.max.bytes" in gmod:
            if g["fetch.max.bytes"] < g["message.max.bytes"]:
                return "`fetch.max.bytes` must be >= `message.max.bytes`"
        else:
            g["fetch.max.bytes"] = max(min(g["fetch.max.bytes"], g["queued.max.messages.kbytes"] * 1024),
                                       g["message.max.bytes"])
        if "receive.message.max.bytes" in gmod:
            if g["fetch.max.bytes"] + 512 > g["receive.message.max.bytes"]:
                return "`receive.message.max.bytes` must be >= `fetch.max.bytes` + 512"
        else:
            g["receive.message.max.bytes"] = max(g["receive.message.max.bytes"], g["fetch.max.bytes"] + 512)
        g["enable.idempotence"] = False
    else:
        if g["transactional.id"]:
            if not g["enable.idempotence"]:
                if "enable.idempotence" in gmod:
                    return "`transactional.id` requires `enable.idempotence=true`"
                g["enable.idempotence"] = True
            if "socket.timeout.ms" not in gmod:
                g["socket.timeout.ms"] = max(g["transaction.timeout.ms"] - 100, 900)
            elif g["transaction.timeout.ms"] + 100 < g["socket.timeout.ms"]:
                return "`socket.timeout.ms` must be set <= `transaction.timeout.ms` + 100"
        if g["enable.idempotence"]:
            if "max.in.flight.requests.per.connection" in gmod:
                if g["max.in.flight.requests.per.connection"] > 5:
                    return "`max.in.flight` must be set <= 5 when `enable.idempotence` is true"
            else:
                g["max.in.flight.requests.per.connection"] = min(g["max.in.flight.requests.per.connection"], 5)
            if "message.send.max.retries" in gmod:
                if g["message.send.max.retries"] < 1:
                    return "`retries` must be set >= 1 when `enable.idempotence` is true"
            else:
                g["message.send.max.retries"] = INT_MAX
            if "queue.buffering.backpressure.threshold" in gmod and g["queue.buffering.backpressure.threshold"] > 1:
                return "`queue.buffering.backpressure.threshold` must be set to 1 when `enable.idempotence` is true"
            g["queue.buffering.backpressure.threshold"] = 1
        elif g["enable.gapless.guarantee"] and "enable.gapless.guarantee" in gmod:
            return "`enable.gapless.guarantee` requires `enable.idempotence` to be enabled"
        if "sticky.partitioning.linger.ms" not in gmod:
            g["sticky.partitioning.linger.ms"] = min(900000, int(2 * g["queue.buffering.max.ms"]))

    if "metadata.max.age.ms" not in gmod and g["topic.metadata.refresh.interval.ms"] > 0:
        g["metadata.max.age.ms"] = g["topic.metadata.refresh.interval.ms"] * 3
    if g["reconnect.backoff.max.ms"] < g["reconnect.backoff.ms"]:
        return "`reconnect.backoff.max.ms` must be >= `reconnect.backoff.ms`"
    if "topic.metadata.refresh.fast.interval.ms" not in gmod:
        g["topic.metadata.refresh.fast.interval.ms"] = g["retry.backoff.ms"]
    if "connections.max.idle.ms" not in gmod and "azure" in (g["metadata.broker.list"] or "").lower():
        g["connections.max.idle.ms"] = (4 * 60 - 10) * 1000  # librdkafka issue #3109
    if "allow.auto.create.topics" not in gmod:
        g["allow.auto.create.topics"] = cltype == "producer"
    if topic_conf_created and cltype == "producer":
        timeout = t["message.timeout.ms"]
        if timeout != 0 and timeout <= g["queue.buffering.max.ms"]:
            if "queue.buffering.max.ms" in gmod:
                return "`message.timeout.ms` must be greater than `linger.ms`"
            g["queue.buffering.max.ms"] = timeout - 0.1
    return None


def _finalize_topic(cltype: str, g: dict, t: dict, gmod: set, tmod: set) -> str | None:
    """``rd_kafka_topic_conf_finalize`` (producer only)."""
    if cltype != "producer":
        return None
    if g["enable.idempotence"]:
        if "request.required.acks" in tmod:
            if t["request.required.acks"] != -1:
                return "`acks` must be set to `all` when `enable.idempotence` is true"
        else:
            t["request.required.acks"] = -1
        if "queuing.strategy" in tmod:
            if t["queuing.strategy"] != "fifo":
                return "`queuing.strategy` must be set to `fifo` when `enable.idempotence` is true"
        else:
            t["queuing.strategy"] = "fifo"
        if g["transactional.id"]:
            if "message.timeout.ms" not in tmod:
                t["message.timeout.ms"] = g["transaction.timeout.ms"]
            elif t["message.timeout.ms"] > g["transaction.timeout.ms"]:
                return "`message.timeout.ms` must be set <= `transaction.timeout.ms`"
    timeout = t["message.timeout.ms"]
    if timeout != 0 and timeout <= g["queue.buffering.max.ms"] and "queue.buffering.max.ms" in gmod:
        return "`message.timeout.ms` must be greater than `linger.ms`"
    return None


def _check_assignors(strategy: str) -> str | None:
    """``rd_kafka_assignors_init``: every name must be built in, and all of one rebalance protocol."""
    enabled: list[str] = []
    s = strategy
    while s:
        s = s.lstrip(" ,")
        token, sep, rest = s.partition(",")
        s = rest if sep else ""
        token = token.rstrip(_C_SPACE)
        if token not in LIBRDKAFKA_ASSIGNORS:
            return f"Unsupported partition.assignment.strategy: {token}"
        if token not in enabled:
            enabled.append(token)
    if len({LIBRDKAFKA_ASSIGNORS[a] for a in enabled}) > 1:
        return (f"All partition.assignment.strategy ({strategy}) assignors must have the same protocol type, "
                "online migration between assignors with different protocol types is not supported")
    return None


def _conf_warnings(cltype: str, g: dict, gmod: set, tmod: set) -> list[str]:
    """The CONFWARN lines ``rd_kafka_conf_warn`` logs when the client is created."""
    other = "consumer" if cltype == "producer" else "producer"
    out: list[str] = []
    for table, mod in ((LIBRDKAFKA_GLOBAL_PROPERTIES, gmod), (LIBRDKAFKA_TOPIC_PROPERTIES, tmod)):
        for name, prop in table.items():
            if prop.kind in ("alias", "invalid") or name not in mod:
                continue
            wrong_role = prop.warn_role == other
            if prop.deprecated or prop.experimental:
                both = prop.deprecated and prop.experimental and wrong_role
                what = ("deprecated" if prop.deprecated else "") + (" and " if both else "") + \
                       ("experimental" if prop.experimental else "")
                # Simplification: librdkafka appends the property's full description; we append our one-liner.
                doc = _CLIENT_DOCS.get(name)
                out.append(f"Configuration property {name} is {what}" + (f": {doc}" if doc else ""))
            if wrong_role:
                out.append(f"Configuration property {name} is a {other} property and will be ignored by this "
                           f"{cltype} instance")
    if g["retry.backoff.ms"] > g["retry.backoff.max.ms"]:
        out.append(f"Configuration `retry.backoff.ms` with value {g['retry.backoff.ms']} is greater than "
                   f"configuration `retry.backoff.max.ms` with value {g['retry.backoff.max.ms']}. A static backoff "
                   "with value `retry.backoff.max.ms` will be applied.")
    if "topic.metadata.refresh.fast.interval.ms" in gmod and \
            g["topic.metadata.refresh.fast.interval.ms"] > g["retry.backoff.max.ms"]:
        out.append("Configuration `topic.metadata.refresh.fast.interval.ms` with value "
                   f"{g['topic.metadata.refresh.fast.interval.ms']} is greater than configuration "
                   f"`retry.backoff.max.ms` with value {g['retry.backoff.max.ms']}. A static backoff with value "
                   "`retry.backoff.max.ms` will be applied.")
    if cltype == "consumer" and g["fetch.wait.max.ms"] + 1000 > g["socket.timeout.ms"]:
        out.append(f"Configuration property `fetch.wait.max.ms` ({g['fetch.wait.max.ms']}) should be set lower than "
                   f"`socket.timeout.ms` ({g['socket.timeout.ms']}) by at least 1000ms to avoid blocking and timing "
                   "out sub-sequent requests")
    if "sasl.mechanisms" in gmod and g["security.protocol"] not in ("sasl_ssl", "sasl_plaintext"):
        out.append(f"Configuration property `sasl.mechanism` set to `{g['sasl.mechanisms']}` but "
                   "`security.protocol` is not configured for SASL: recommend setting `security.protocol` to "
                   "SASL_SSL or SASL_PLAINTEXT")
    mechanism = g["sasl.mechanisms"] or ""
    if "sasl.username" in gmod and not (mechanism.startswith("SCRAM") or mechanism == "PLAIN"):
        out.append("Configuration property `sasl.username` only applies when `sasl.mechanism` is set to PLAIN or "
                   "SCRAM-SHA-..")
    if not g["metadata.broker.list"]:
        out.append("No `bootstrap.servers` configured: client will not be able to connect to Kafka cluster")
    return out


# ---- the Java client, for comparison -----------------------------------------------------------

#: Kafka 4.x ``ProducerConfig`` defaults (KIP-1030 made linger.ms 5 in 4.0).  ``None``: no default.
JAVA_PRODUCER_DEFAULTS: dict[str, Any] = {
    "bootstrap.servers": [],
    "client.id": "",  # becomes "producer-<n>" (or "producer-<transactional.id>")
    "acks": "all",
    "enable.idempotence": True,
    "retries": INT_MAX,
    "max.in.flight.requests.per.connection": 5,
    "linger.ms": 5,
    "batch.size": 16384,
    "buffer.memory": 33554432,
    "max.block.ms": 60000,
    "max.request.size": 1048576,
    "compression.type": "none",
    "delivery.timeout.ms": 120000,
    "request.timeout.ms": 30000,
    "retry.backoff.ms": 100,
    "retry.backoff.max.ms": 1000,
    "reconnect.backoff.ms": 50,
    "reconnect.backoff.max.ms": 1000,
    "metadata.max.age.ms": 300000,
    "connections.max.idle.ms": 540000,
    "partitioner.class": None,  # built-in: murmur2 for keys, sticky/adaptive for null keys (KIP-794)
    "partitioner.ignore.keys": False,
    "partitioner.adaptive.partitioning.enable": True,
    "transactional.id": None,
    "transaction.timeout.ms": 60000,
    "key.serializer": None,  # required
    "value.serializer": None,  # required
    "security.protocol": "PLAINTEXT",
    "metadata.recovery.strategy": "rebootstrap",
}

#: Kafka 4.x ``ConsumerConfig`` defaults.
JAVA_CONSUMER_DEFAULTS: dict[str, Any] = {
    "bootstrap.servers": [],
    "client.id": "",
    "group.id": None,
    "group.instance.id": None,
    "group.protocol": "classic",
    "group.remote.assignor": None,
    "partition.assignment.strategy": ["org.apache.kafka.clients.consumer.RangeAssignor",
                                      "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"],
    "session.timeout.ms": 45000,
    "heartbeat.interval.ms": 3000,
    "max.poll.interval.ms": 300000,
    "max.poll.records": 500,
    "enable.auto.commit": True,
    "auto.commit.interval.ms": 5000,
    "auto.offset.reset": "latest",
    "isolation.level": "read_uncommitted",
    "fetch.min.bytes": 1,
    "fetch.max.bytes": 52428800,
    "fetch.max.wait.ms": 500,
    "max.partition.fetch.bytes": 1048576,
    "allow.auto.create.topics": True,
    "check.crcs": True,
    "request.timeout.ms": 30000,
    "default.api.timeout.ms": 60000,
    "retry.backoff.ms": 100,
    "retry.backoff.max.ms": 1000,
    "reconnect.backoff.ms": 50,
    "reconnect.backoff.max.ms": 1000,
    "metadata.max.age.ms": 300000,
    "connections.max.idle.ms": 540000,
    "client.rack": "",
    "key.deserializer": None,  # required
    "value.deserializer": None,  # required
    "security.protocol": "PLAINTEXT",
}

# (Java name, librdkafka name or None, note)
_COMPARISON = (
    ("acks", "acks", "same meaning; librdkafka stores all as -1"),
    ("enable.idempotence", "enable.idempotence", "Java on by default since 3.0; librdkafka off"),
    ("linger.ms", "linger.ms", "Java 0 -> 5 in 4.0 (KIP-1030); librdkafka 5 (a float)"),
    ("batch.size", "batch.size", "librdkafka also caps a batch at batch.num.messages=10000"),
    ("buffer.memory", "queue.buffering.max.kbytes", ("librdkafka counts kilobytes (1 GiB), plus "
                                                    "queue.buffering.max.messages=100000")),
    ("max.block.ms", None, "librdkafka never blocks in produce(): BufferError (_QUEUE_FULL)"),
    ("retries", "retries", "same default (INT_MAX)"),
    ("delivery.timeout.ms", "delivery.timeout.ms", "librdkafka's is message.timeout.ms: 300000 vs Java 120000"),
    ("request.timeout.ms", "socket.timeout.ms", ("not the same knob: Java waits request.timeout.ms (30 s) for a "
                                                 "response; librdkafka waits socket.timeout.ms (60 s, capped by "
                                                 "what is left of message.timeout.ms), and its request.timeout.ms "
                                                 "(30 s) is only the ack timeout the broker keeps")),
    ("max.in.flight.requests.per.connection", "max.in.flight.requests.per.connection",
     "librdkafka 1000000, lowered to 5 when idempotent"),
    ("compression.type", "compression.type", "same (none)"),
    ("partitioner.class", "partitioner", ("Java murmur2 (keyed); librdkafka consistent_random (CRC32); "
                                         "use murmur2_random to match Java")),
    ("max.request.size", "message.max.bytes", "1048576 vs 1000000"),
    ("transaction.timeout.ms", "transaction.timeout.ms", "same"),
    ("reconnect.backoff.ms", "reconnect.backoff.ms", "50 vs 100"),
    ("reconnect.backoff.max.ms", "reconnect.backoff.max.ms", "1000 vs 10000"),
    ("metadata.max.age.ms", "metadata.max.age.ms", "librdkafka: 3 x topic.metadata.refresh.interval.ms"),
    ("connections.max.idle.ms", "connections.max.idle.ms", "librdkafka 0 = never close idle connections"),
    ("client.id", "client.id", "Java producer-N/consumer-<group>-N; librdkafka rdkafka"),
    ("group.protocol", "group.protocol", "both classic; consumer = KIP-848"),
    ("partition.assignment.strategy", "partition.assignment.strategy",
     "Java [range, cooperative-sticky]; librdkafka range,roundrobin"),
    ("session.timeout.ms", "session.timeout.ms", "same"),
    ("heartbeat.interval.ms", "heartbeat.interval.ms", "same"),
    ("max.poll.interval.ms", "max.poll.interval.ms", "same"),
    ("max.poll.records", None, ("librdkafka has no batch size for poll(): it returns one message "
                               "(its max.poll.records is for share consumers only)")),
    ("enable.auto.commit", "enable.auto.commit", "same"),
    ("auto.commit.interval.ms", "auto.commit.interval.ms", "same"),
    ("auto.offset.reset", "auto.offset.reset", "Java latest; librdkafka largest (= latest)"),
    ("isolation.level", "isolation.level", "Java read_uncommitted; librdkafka read_committed"),
    ("fetch.min.bytes", "fetch.min.bytes", "same"),
    ("fetch.max.bytes", "fetch.max.bytes", "same"),
    ("fetch.max.wait.ms", "fetch.wait.max.ms", "different name, same 500 ms"),
    ("max.partition.fetch.bytes", "max.partition.fetch.bytes", "same"),
    ("allow.auto.create.topics", "allow.auto.create.topics", "Java consumer true; librdkafka consumer false"),
    ("check.crcs", "check.crcs", "Java true; librdkafka false"),
)


def java_vs_librdkafka_defaults() -> list[tuple[str, Any, Any, str]]:
    """Rows ``(name, java_default, librdkafka_default, note)`` for a side-by-side table.

    librdkafka values are the effective ones for a fresh producer (or consumer, for consumer
    properties) built from ``{"bootstrap.servers": "b:9092"}`` (plus ``group.id``).
    """
    producer = validate_client_config({"bootstrap.servers": "b:9092"}, "producer")
    consumer = validate_client_config({"bootstrap.servers": "b:9092", "group.id": "g"}, "consumer")
    rows = []
    for java_name, rd_name, note in _COMPARISON:
        java = JAVA_PRODUCER_DEFAULTS.get(java_name, JAVA_CONSUMER_DEFAULTS.get(java_name))
        rd = None
        if rd_name is not None:
            prop = client_property(rd_name)
            # A property for both roles ("*") is compared as the Java side's own client sees it.
            consumer_side = prop is not None and (prop.role == "C" or (
                prop.role == "*" and java_name in JAVA_CONSUMER_DEFAULTS and java_name not in JAVA_PRODUCER_DEFAULTS))
            rd = (consumer if consumer_side else producer)[rd_name]
        rows.append((java_name, java, rd, note))
    return rows


__all__ = [
    "BROKER_TOPIC_CONFIG_SYNONYMS",
    "CLIENT_ROLES",
    "CONFLUENT_KAFKA_VERSION",
    "DEFAULT_CONFIG",
    "DYNAMIC_BROKER_CONFIG",
    "DYNAMIC_DEFAULT_BROKER_CONFIG",
    "DYNAMIC_TOPIC_CONFIG",
    "JAVA_CONSUMER_DEFAULTS",
    "JAVA_ONLY_PROPERTIES",
    "JAVA_PRODUCER_DEFAULTS",
    "KAFKA_VERSION",
    "LIBRDKAFKA_ASSIGNORS",
    "LIBRDKAFKA_GLOBAL_PROPERTIES",
    "LIBRDKAFKA_PARTITIONERS",
    "LIBRDKAFKA_TABLE_VERSION",
    "LIBRDKAFKA_TOPIC_PROPERTIES",
    "LIBRDKAFKA_VERSION",
    "MAX_TOPIC_NAME_LENGTH",
    "PYTHON_CLIENT_PROPERTIES",
    "REMOVED_TOPIC_CONFIGS",
    "STATIC_BROKER_CONFIG",
    "TOPIC_COLLISION_WARNING",
    "TOPIC_CONFIGS",
    "BrokerSynonym",
    "ClientConfig",
    "ClientProperty",
    "ConfigSynonym",
    "TopicConfigDef",
    "TopicConfigEntry",
    "check_topic_collision",
    "client_config_defaults",
    "client_property",
    "describe_topic_config",
    "effective_topic_config",
    "explain_unknown_property",
    "java_vs_librdkafka_defaults",
    "topic_config_defaults",
    "topic_config_to_string",
    "topic_has_collision_chars",
    "topic_name_collision_warning",
    "topic_name_invalid_reason",
    "unify_collision_chars",
    "validate_client_config",
    "validate_topic_configs",
    "validate_topic_name",
]
