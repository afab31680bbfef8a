"""``StreamsConfig``: Kafka Streams' settings, their defaults, and the clients' settings they imply.

Defaults are Kafka 4.x's (``StreamsConfig.java``): ``num.stream.threads=1``,
``commit.interval.ms=30000`` (``100`` with ``processing.guarantee=exactly_once_v2``),
``statestore.cache.max.bytes=10485760`` (split evenly over the threads), ``processing.guarantee=
at_least_once``, ``default.key.serde``/``default.value.serde`` unset (a node without a serde then
fails with "Please specify a key serde or set one through StreamsConfig#DEFAULT_KEY_SERDE_CLASS_CONFIG"),
``max.task.idle.ms=0``, ``poll.ms=100``, ``replication.factor=-1`` (the broker's default).

The clients Kafka Streams creates get Kafka's overrides: consumers ``auto.offset.reset=earliest``
and ``enable.auto.commit=false``, producers ``linger.ms=100``; with exactly-once the consumers
read ``read_committed`` and the producers are idempotent and transactional. Settings prefixed
``consumer.``, ``main.consumer.``, ``restore.consumer.``, ``producer.`` or ``admin.`` go to that client.
"""
from __future__ import annotations

from ...errors import ConfigException, Err, KafkaError
from .serdes import resolve_serde

AT_LEAST_ONCE = "at_least_once"
EXACTLY_ONCE_V2 = "exactly_once_v2"
DEFAULT_COMMIT_INTERVAL_MS = 30_000
EOS_DEFAULT_COMMIT_INTERVAL_MS = 100

DEFAULTS: dict = {
    "application.id": None,
    "bootstrap.servers": None,
    "client.id": "",
    "num.stream.threads": 1,
    "commit.interval.ms": DEFAULT_COMMIT_INTERVAL_MS,
    "statestore.cache.max.bytes": 10 * 1024 * 1024,
    "cache.max.bytes.buffering": 10 * 1024 * 1024,  # deprecated (KIP-770) in favour of statestore.cache.max.bytes
    "processing.guarantee": AT_LEAST_ONCE,
    "default.key.serde": None,
    "default.value.serde": None,
    "default.timestamp.extractor": None,
    "max.task.idle.ms": 0,
    "poll.ms": 100,
    "replication.factor": -1,
    "num.standby.replicas": 0,
    "topology.optimization": "none",
    "state.dir": "/tmp/kafka-streams",
    "default.dsl.store": "rocksDB",
    "windowstore.changelog.additional.retention.ms": 24 * 60 * 60 * 1000,
    "buffered.records.per.partition": 1000,
    "task.timeout.ms": 300_000,
    "application.server": "",
}

_INT_KEYS = {"num.stream.threads", "commit.interval.ms", "statestore.cache.max.bytes", "cache.max.bytes.buffering",
             "max.task.idle.ms", "poll.ms", "replication.factor", "num.standby.replicas",
             "windowstore.changelog.additional.retention.ms", "buffered.records.per.partition", "task.timeout.ms"}
_AT_LEAST_0 = {"commit.interval.ms", "statestore.cache.max.bytes", "cache.max.bytes.buffering", "poll.ms",
               "num.standby.replicas"}
CLIENT_PREFIXES = ("main.consumer.", "restore.consumer.", "global.consumer.", "consumer.", "producer.", "admin.")


def _bad(name: str, value, why: str) -> ConfigException:
    return ConfigException(KafkaError(Err._INVALID_ARG, f"Invalid value {value} for configuration {name}: {why}"))


class StreamsConfig:
    """Validated Kafka Streams settings: ``config.get("commit.interval.ms")``."""

    def __init__(self, props: dict | None, require_ids: bool = True):
        props = dict(props or {})
        self.originals = dict(props)
        values = dict(DEFAULTS)
        self.client_overrides: dict[str, dict] = {}
        for k, v in props.items():
            prefix = next((p for p in CLIENT_PREFIXES if k.startswith(p)), None)
            if prefix is not None:
                self.client_overrides.setdefault(prefix[:-1], {})[k[len(prefix):]] = v
                continue
            if k not in DEFAULTS:
                # Simplification: Java's StreamsConfig logs "The configuration 'x' was supplied but isn't a
                # known config." and passes it to the clients; kafkalab refuses it so that typos show.
                raise ConfigException(KafkaError(Err._INVALID_ARG, f"Unknown Kafka Streams config {k!r}: kafkalab "
                                                 f"knows {', '.join(sorted(DEFAULTS))}; client settings take a prefix "
                                                 f"({', '.join(CLIENT_PREFIXES)})"))
            values[k] = v
        for k in _INT_KEYS:
            v = values[k]
            if isinstance(v, str):
                try:
                    v = int(v)
                except ValueError:
                    raise _bad(k, v, "Expected value to be a 64-bit integer.") from None
            if isinstance(v, bool) or not isinstance(v, int):
                raise _bad(k, v, "Expected value to be a 64-bit integer.")
            if k in _AT_LEAST_0 and v < 0:
                raise _bad(k, v, "Value must be at least 0")
            values[k] = v
        if values["num.stream.threads"] < 0:
            raise _bad("num.stream.threads", values["num.stream.threads"], "Value must be at least 0")
        pg = values["processing.guarantee"]
        if pg not in (AT_LEAST_ONCE, EXACTLY_ONCE_V2):
            raise _bad("processing.guarantee", pg, f"String must be one of: {AT_LEAST_ONCE}, {EXACTLY_ONCE_V2}")
        if pg == EXACTLY_ONCE_V2 and "commit.interval.ms" not in props:
            values["commit.interval.ms"] = EOS_DEFAULT_COMMIT_INTERVAL_MS
        if "statestore.cache.max.bytes" not in props and "cache.max.bytes.buffering" in props:
            values["statestore.cache.max.bytes"] = values["cache.max.bytes.buffering"]
        if values["topology.optimization"] not in ("none",):
            # Simplification: Kafka's optimizer (reuse.ktable.source.topics, merge.repartition.topics, …)
            # is not modelled; kafkalab builds every topology as topology.optimization=none does.
            raise ConfigException(KafkaError(Err._INVALID_ARG, "kafkalab builds topologies without Kafka's optimizer: "
                                             "topology.optimization must be 'none'"))
        if values["num.standby.replicas"] != 0:
            # Simplification: standby replicas are not modelled.
            raise ConfigException(KafkaError(Err._INVALID_ARG, "kafkalab does not model standby replicas: "
                                             "num.standby.replicas must be 0"))
        if require_ids:
            for k in ("application.id", "bootstrap.servers"):
                if not values[k]:
                    raise ConfigException(KafkaError(Err._INVALID_ARG, f"Missing required configuration \"{k}\" which "
                                                     "has no default value."))
        self._key_serde = resolve_serde(values["default.key.serde"], "default.key.serde")
        self._value_serde = resolve_serde(values["default.value.serde"], "default.value.serde")
        self.values = values

    def get(self, key: str):
        return self.values[key]

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def eos(self) -> bool:
        return self.values["processing.guarantee"] == EXACTLY_ONCE_V2

    def default_key_serde(self):
        return self._key_serde

    def default_value_serde(self):
        return self._value_serde

    def cache_bytes_per_thread(self) -> int:
        n = max(1, self.values["num.stream.threads"])
        return self.values["statestore.cache.max.bytes"] // n

    # -- the clients' configs --------------------------------------------------------------------------
    def _common(self) -> dict:
        return {"bootstrap.servers": self.values["bootstrap.servers"]}

    def main_consumer_config(self, group_id: str, client_id: str) -> dict:
        cfg = self._common()
        cfg.update({"group.id": group_id, "client.id": client_id, "enable.auto.commit": False,
                    "auto.offset.reset": "earliest",
                    # Simplification: Kafka Streams' own StreamsPartitionAssignor is replaced by the eager range
                    # assignor, which puts partition p of every co-partitioned topic on the same member — what a
                    # task needs — but moves every task on every rebalance (Streams is cooperative since 2.4).
                    "partition.assignment.strategy": "range"})
        if self.eos:
            cfg["isolation.level"] = "read_committed"
        cfg.update(self.client_overrides.get("consumer", {}))
        cfg.update(self.client_overrides.get("main.consumer", {}))
        return cfg

    def restore_consumer_config(self, client_id: str) -> dict:
        cfg = self._common()
        # The Java restore consumer has no group.id; librdkafka insists on one, so it gets a group it never
        # joins (it only assign()s partitions at explicit offsets).
        # enable.partition.eof: under read_committed the end offset (the LSO) lies past the last commit marker,
        # which no record reports; the EOF event says the consumer's position reached it.
        cfg.update({"client.id": client_id, "group.id": client_id, "enable.auto.commit": False,
                    "auto.offset.reset": "earliest", "enable.partition.eof": True})
        if self.eos:
            cfg["isolation.level"] = "read_committed"
        cfg.update(self.client_overrides.get("consumer", {}))
        cfg.update(self.client_overrides.get("restore.consumer", {}))
        return cfg

    def producer_config(self, client_id: str, transactional_id: str | None = None) -> dict:
        cfg = self._common()
        # The Java producer partitions keyed records by murmur2; librdkafka's murmur2_random is the same.
        cfg.update({"client.id": client_id, "linger.ms": 100, "partitioner": "murmur2_random", "acks": "all"})
        if self.eos:
            # PRODUCER_EOS_OVERRIDES: idempotence, and transaction.timeout.ms 10 s "for quicker pending offset
            # expiration on broker side" (librdkafka then caps message.timeout.ms at it).
            cfg.update({"enable.idempotence": True, "transactional.id": transactional_id,
                        "transaction.timeout.ms": 10_000})
        cfg.update(self.client_overrides.get("producer", {}))
        return cfg

    def admin_config(self, client_id: str) -> dict:
        cfg = self._common()
        cfg["client.id"] = client_id
        cfg.update(self.client_overrides.get("admin", {}))
        return cfg


__all__ = ["AT_LEAST_ONCE", "DEFAULTS", "EXACTLY_ONCE_V2", "StreamsConfig"]
