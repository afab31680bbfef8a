"""``RealCluster``: a real Kafka-protocol cluster seen through ``confluent_kafka``, shaped like a simulated one.

The renderers in :mod:`kafkalab.viz` read a simulated :class:`~kafkalab.cluster.Cluster` through a
few attributes: ``describe(topic)`` (a :class:`~kafkalab.cluster.metadata.TopicState`),
``brokers[id].alive`` / ``.logs``, ``partition_log(topic, p)``, ``leader_replica(topic, p).log``,
``topics()``.  This handle offers the same ones, built from what a real client can ask a broker:

=====================================  =============================================================
model state                            request (confluent_kafka call)
=====================================  =============================================================
partitions, leaders, replicas, ISR     Metadata (``AdminClient.list_topics``)
leader epoch                           ListOffsets (``AdminClient.list_offsets``), when the broker
                                       returns one
topic id                               Metadata v10+ (``describe_topics``), when served
topic configs                          DescribeConfigs (``describe_configs``)
log start offset, high watermark       ListOffsets EARLIEST / LATEST (read_uncommitted)
last stable offset (LSO)               ListOffsets LATEST with read_committed, and the position of a
                                       read_committed consumer that read to the end
records of a partition                 Fetch (a ``Consumer`` with ``assign()``, no group)
control records (commit/abort marks)   inferred: offsets below the HW that no Fetch returns
committed offsets                      OffsetFetch (``list_consumer_group_offsets``)
members and their assignment           DescribeGroups (``describe_consumer_groups``)
=====================================  =============================================================

Example (tansu started by the kit; a lab cluster works the same with its address)::

    from kafkalab.real import TansuBroker, connect
    with TansuBroker() as broker:
        cluster = connect(broker.bootstrap_servers)
        cluster.create_topic("orders", partitions=3, replication_factor=1)
        viz.describe_topic(cluster, "orders")

There is no virtual clock: every call waits in real time, bounded by ``request_timeout_s``.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from confluent_kafka import Consumer, IsolationLevel, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic, OffsetSpec, ResourceType

from ..cluster.metadata import NO_LEADER, PartitionState, TopicState
from .connection import FAST_FAIL, KafkaConnectError, check_connection

INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state")


class NotServedError(KafkaException):
    """The broker does not serve a request the handle needs; ``str()`` says which and why."""

    def __str__(self) -> str:
        return self.args[0].str()


def _not_served(what: str, why: str) -> NotServedError:
    return NotServedError(KafkaError(KafkaError._UNSUPPORTED_FEATURE, f"{what} is not served by this cluster: {why}"))


def _typed(name: str, raw):
    """A topic config value as the simulator types it (``"60000"`` → 60000), or the broker's string."""
    from .. import config as kconfig

    if raw is None:
        return None
    try:
        return kconfig.validate_topic_configs({name: raw})[name]
    except Exception:  # a config the simulator does not model, or a value it would reject: keep the text
        return raw


# -- the observed log --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _NoBatch:
    """Record batches are not exposed by the consumer API: the batch of a fetched record is unknown."""

    base_offset: int | None = None


class ObservedLog:
    """One partition as consumers can see it: its offsets from ListOffsets, its records (read on
    first use) from two Fetch passes, read_uncommitted and read_committed.

    Offsets of the read window that the read_uncommitted Fetch did not return are *gaps*: in a
    topic that is not compacted they are control records (transaction commit/abort markers).
    Records that read_uncommitted returned but read_committed skipped, below the LSO, are aborted.

    ``high_watermark`` is ListOffsets' answer until the records are read, then the larger of it and
    the HW the Fetch responses carried (a broker may under-report one of them; tansu does).

    # Simplification: a consumer cannot read past the high watermark, so the leader's log end
    # offset is not observable; ``log_end_offset`` is the HW (Kafka guarantees LEO ≥ HW).
    """

    def __init__(self, cluster: RealCluster, topic: str, partition: int, log_start_offset: int,
                 high_watermark: int, last_stable_offset: int | None):
        self._cluster = cluster
        self.topic, self.partition = topic, partition
        self.log_start_offset = log_start_offset
        self.list_offsets_high_watermark = high_watermark
        self.last_stable_offset = last_stable_offset  # ListOffsets LATEST read_committed (None: not answered)
        # Simplification: only the last ``max_read`` offsets are fetched (a lab topic may hold millions).
        self.read_from = max(log_start_offset, high_watermark - cluster.max_read)
        self._rows: list | None = None  # (offset, (key, value, timestamp, headers))
        self.committed_view: set = set()  # offsets a read_committed consumer returned
        self._positions: dict = {}  # isolation level -> consumer position after reading
        self.fetch_high_watermark: int | None = None  # the HW the Fetch responses carried

    def _load(self) -> list:
        if self._rows is None:
            c, hw = self._cluster, self.list_offsets_high_watermark
            for iso in ("read_uncommitted", "read_committed"):
                rows, pos, fetch_hw = c._read(self.topic, self.partition, self.read_from, hw, iso)
                self._positions[iso] = pos
                if iso == "read_uncommitted":
                    self._rows, self.fetch_high_watermark = rows, fetch_hw
                else:
                    self.committed_view = {o for o, _ in rows}
        return self._rows

    @property
    def rows(self) -> list:
        return self._load()

    @property
    def positions(self) -> dict:
        """``{"read_uncommitted": position, "read_committed": position}`` after reading to the end."""
        self._load()
        return self._positions

    @property
    def high_watermark(self) -> int:
        if self._rows is None or self.fetch_high_watermark is None:
            return self.list_offsets_high_watermark
        return max(self.list_offsets_high_watermark, self.fetch_high_watermark)

    @property
    def log_end_offset(self) -> int:
        return self.high_watermark

    @property
    def size_bytes(self):
        return None  # DescribeLogDirs, not in confluent-kafka's AdminClient

    @property
    def segments(self) -> tuple:
        return ()

    def records(self, start: int | None = None, end: int | None = None) -> list:
        rows = self._load()
        lo = self.read_from if start is None else start
        hi = self.high_watermark if end is None else end
        return [(o, r, _NoBatch()) for o, r in rows if lo <= o < hi]

    @property
    def gaps(self) -> list[int]:
        """Offsets in [read_from, last read position) that the read_uncommitted Fetch did not return."""
        seen = {o for o, _ in self._load()}
        end = self.positions.get("read_uncommitted", self.high_watermark)
        return [o for o in range(self.read_from, end) if o not in seen]

    @property
    def aborted(self) -> list[int]:
        """Offsets read_uncommitted returned, read_committed skipped, below where read_committed stopped."""
        rows = self._load()
        stop = self.positions["read_committed"]
        return [o for o, _ in rows if o < stop and o not in self.committed_view]

    @property
    def unstable(self) -> list[int]:
        """Offsets at or past where read_committed stopped: an open transaction holds them back."""
        rows = self._load()
        stop = self.positions["read_committed"]
        return [o for o, _ in rows if o >= stop]

    def __repr__(self) -> str:
        return (f"ObservedLog({self.topic}-{self.partition}, log_start_offset={self.log_start_offset}, "
                f"high_watermark={self.high_watermark}, last_stable_offset={self.last_stable_offset})")


class _Logs:
    """``broker.logs``: the observed log of each partition this broker leads; a follower's log is not
    readable over the protocol (``None``)."""

    def __init__(self, cluster: RealCluster, broker_id: int):
        self._cluster, self._id = cluster, broker_id

    def get(self, key, default=None):
        topic, partition = key
        p = self._cluster._partition(topic, partition)
        if p is None or p.leader != self._id:
            return default
        return self._cluster.partition_log(topic, partition)


@dataclass
class ObservedBroker:
    broker_id: int
    host: str | None
    port: int | None
    alive: bool
    logs: _Logs


@dataclass
class _Replica:
    log: ObservedLog


# -- the handle --------------------------------------------------------------------------------------
class RealCluster:
    """A real cluster behind ``bootstrap.servers``; see the module docstring for what each view asks."""

    def __init__(self, bootstrap_servers: str, config: dict | None = None, timeout_s: float = 5.0,
                 request_timeout_s: float = 5.0, max_read: int = 2000):
        self.config = {"bootstrap.servers": bootstrap_servers, **(config or {})}
        self.request_timeout_s = request_timeout_s
        self.max_read = max_read
        self._admin, md = check_connection(self.config, timeout_s)
        self.cluster_id = md.cluster_id
        self._md = md
        self._md_at = time.monotonic()
        self._logs: dict = {}  # (topic, partition) -> ObservedLog, reused while its offsets are unchanged

    # -- configs for the user's own clients ----------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        return self.config["bootstrap.servers"]

    def client_config(self, conf: dict | None = None) -> dict:
        """The connection settings (bootstrap, security) plus ``conf``: for a learner's own clients."""
        return {**FAST_FAIL, **self.config, **(conf or {})}

    def producer(self, conf: dict | None = None) -> Producer:
        return Producer(self.client_config(conf))

    def consumer(self, conf: dict | None = None) -> Consumer:
        return Consumer(self.client_config(conf))

    def admin(self, conf: dict | None = None) -> AdminClient:
        return AdminClient(self.client_config(conf))

    # -- metadata ------------------------------------------------------------------------------------
    def metadata(self, refresh: bool = True):
        if refresh or self._md is None:
            try:
                self._md = self._admin.list_topics(timeout=self.request_timeout_s)
            except KafkaException as e:
                raise KafkaConnectError(KafkaError(e.args[0].code(), f"Metadata request to {self.bootstrap_servers} "
                                                   f"failed: {e.args[0].str()}")) from None
            self._md_at = time.monotonic()
        return self._md

    def _fresh_metadata(self):
        return self.metadata(refresh=time.monotonic() - self._md_at > 0.2)

    @property
    def controller_id(self) -> int:
        return self._fresh_metadata().controller_id

    @property
    def has_controller(self) -> bool:
        """Whether Metadata names a controller among the brokers.  librdkafka sends CreateTopics,
        DescribeConfigs, DescribeCluster, … to the controller, and waits for one until the request
        times out ("Failed while waiting for controller") when none is known: librdkafka's mock
        cluster reports controller 0, which is none of its brokers (1..N)."""
        md = self._fresh_metadata()
        return md.controller_id in md.brokers

    def _need_controller(self, what: str) -> None:
        if not self.has_controller:
            raise _not_served(what, f"its Metadata names controller {self.controller_id}, which is not one of its "
                                    f"brokers {sorted(self._md.brokers)}, so librdkafka's admin request would wait "
                                    "for a controller until it times out (librdkafka's mock cluster does this)")

    def topics(self) -> list[str]:
        return sorted(t for t in self.metadata().topics if t not in INTERNAL_TOPICS)

    def _partition(self, topic: str, partition: int):
        t = self._fresh_metadata().topics.get(topic)
        return None if t is None else t.partitions.get(partition)

    @property
    def brokers(self) -> dict[int, ObservedBroker]:
        """Brokers in the Metadata response (alive) and replica ids it does not list (offline)."""
        md = self._fresh_metadata()
        out = {b: ObservedBroker(b, m.host, m.port, True, _Logs(self, b)) for b, m in md.brokers.items()}
        for t in md.topics.values():
            for p in t.partitions.values():
                for r in p.replicas:
                    if r not in out:
                        out[r] = ObservedBroker(r, None, None, False, _Logs(self, r))
        return dict(sorted(out.items()))

    def describe(self, topic: str) -> TopicState:
        """The topic as the simulator's controller image holds it, filled from Metadata (+ ListOffsets
        for leader epochs, DescribeConfigs for overrides where the cluster serves them)."""
        md = self.metadata()
        t = md.topics.get(topic)
        if t is None or t.error is not None and t.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
            from ..errors import Err, UnknownTopicOrPartitionException
            from ..errors import KafkaError as SimKafkaError

            raise UnknownTopicOrPartitionException(SimKafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                                                 f"Topic '{topic}' does not exist."))
        epochs = self._leader_epochs(topic, sorted(t.partitions))
        state = TopicState(topic, self._topic_id(topic))
        for pid in sorted(t.partitions):
            p = t.partitions[pid]
            state.partitions.append(PartitionState(topic, pid, list(p.replicas), list(p.isrs),
                                                   p.leader if p.leader >= 0 else NO_LEADER, epochs.get(pid)))
        if self.has_controller:
            try:
                state.configs = {k: _typed(k, v) for k, (v, src) in self._configs(topic).items()
                                 if src == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}
            except KafkaException:
                pass  # describe_topic works without overrides; topic_config() reports the error
        return state

    def _topic_id(self, topic: str) -> str | None:
        if not self.has_controller:
            return None
        from confluent_kafka import TopicCollection

        try:
            fut = self._admin.describe_topics(TopicCollection([topic]), request_timeout=self.request_timeout_s)[topic]
            tid = fut.result(timeout=self.request_timeout_s + 1).topic_id
        except Exception:  # a broker without Metadata v10+ topic ids: the id stays unknown
            return None
        return None if tid is None else str(tid)

    def _leader_epochs(self, topic: str, partitions: list[int]) -> dict:
        req = {TopicPartition(topic, p): OffsetSpec.latest() for p in partitions}
        try:
            futs = self._admin.list_offsets(req, request_timeout=self.request_timeout_s)
            return {tp.partition: f.result(timeout=self.request_timeout_s + 1).leader_epoch for tp, f in futs.items()}
        except Exception:
            return {}

    # -- configs -------------------------------------------------------------------------------------
    def _configs(self, topic: str) -> dict:
        self._need_controller("DescribeConfigs")
        res = ConfigResource(ResourceType.TOPIC, topic)
        fut = self._admin.describe_configs([res], request_timeout=self.request_timeout_s)[res]
        entries = fut.result(timeout=self.request_timeout_s + 1)
        return {k: (e.value, e.source) for k, e in sorted(entries.items())}

    def topic_config(self, topic: str) -> dict:
        """Effective config of ``topic`` as the broker describes it, typed like the simulator's."""
        return {k: _typed(k, v) for k, (v, _src) in self._configs(topic).items()}

    def topic_config_sources(self, topic: str) -> dict:
        """``{name: ConfigSource name}``: where each value comes from (topic override, broker, default)."""
        return {k: ConfigSource(src).name for k, (_v, src) in self._configs(topic).items()}

    # -- topics --------------------------------------------------------------------------------------
    def create_topic(self, name: str, partitions: int = 1, replication_factor: int = 1, config: dict | None = None):
        """CreateTopics, as ``Cluster.create_topic`` does on the simulator; Kafka's errors are raised."""
        self._need_controller("CreateTopics")
        nt = NewTopic(name, partitions, replication_factor, config={k: str(v) for k, v in (config or {}).items()})
        fut = self._admin.create_topics([nt], request_timeout=self.request_timeout_s,
                                        operation_timeout=self.request_timeout_s)[name]
        fut.result(timeout=self.request_timeout_s + 1)
        deadline = time.monotonic() + self.request_timeout_s
        while time.monotonic() < deadline:  # the new topic reaches every broker's metadata a moment later
            t = self.metadata().topics.get(name)
            if t is not None and t.error is None and len(t.partitions) == partitions and all(
                    p.leader >= 0 for p in t.partitions.values()):
                break
            time.sleep(0.05)
        return self.describe(name)

    # -- offsets and records -------------------------------------------------------------------------
    def watermarks(self, topic: str, isolation_level: str = "read_uncommitted", partitions=None) -> dict:
        """``{partition: (log start offset, latest)}`` from ListOffsets; with ``read_committed`` the
        latest offset a broker returns is the last stable offset (KIP-98)."""
        parts = sorted(self._fresh_metadata().topics[topic].partitions) if partitions is None else partitions
        iso = IsolationLevel.READ_COMMITTED if isolation_level == "read_committed" else IsolationLevel.READ_UNCOMMITTED
        out = {}
        for spec, slot in ((OffsetSpec.earliest(), 0), (OffsetSpec.latest(), 1)):
            futs = self._admin.list_offsets({TopicPartition(topic, p): spec for p in parts}, isolation_level=iso,
                                            request_timeout=self.request_timeout_s)
            for tp, f in futs.items():
                out.setdefault(tp.partition, [None, None])[slot] = f.result(timeout=self.request_timeout_s + 1).offset
        return {p: tuple(v) for p, v in sorted(out.items())}

    def partition_log(self, topic: str, partition: int, broker: int | None = None) -> ObservedLog | None:
        """The leader's log as consumers see it (records: the last ``max_read`` offsets below the HW).

        ``broker`` other than the leader gives ``None``: a follower's log is not readable by clients
        (fetch-from-follower, KIP-392, only serves what is below the HW too)."""
        p = self._partition(topic, partition)
        if p is None or broker is not None and broker != p.leader:
            return None
        lo, hw = self.watermarks(topic, partitions=[partition])[partition]
        try:
            lso = self.watermarks(topic, "read_committed", partitions=[partition])[partition][1]
        except KafkaException:
            lso = None
        cached = self._logs.get((topic, partition))
        if cached is not None and (cached.log_start_offset, cached.list_offsets_high_watermark,
                                   cached.last_stable_offset) == (lo, hw, lso):
            return cached  # nothing was appended or deleted since it was read: its records still hold
        log = self._logs[(topic, partition)] = ObservedLog(self, topic, partition, lo, hw, lso)
        return log

    def _read(self, topic: str, partition: int, start: int, target: int, isolation: str):
        """Fetch from ``start`` until the position reaches ``target`` (or the Fetch's own HW), or until
        nothing more comes (an open transaction stops read_committed at the LSO)."""
        conf = self.client_config({"group.id": f"kafkalab-observer-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False,
                                   "enable.auto.offset.store": False, "isolation.level": isolation,
                                   "fetch.wait.max.ms": 20, "enable.partition.eof": True})
        c = Consumer(conf)
        tp = TopicPartition(topic, partition, start)
        rows, pos, eof = [], start, False
        deadline = time.monotonic() + self.request_timeout_s
        try:
            c.assign([tp])
            idle = 0
            while time.monotonic() < deadline:
                msgs = c.consume(500, 0.05)
                for m in msgs:
                    err = m.error()
                    if err is not None:
                        if err.code() == KafkaError._PARTITION_EOF:
                            eof = True
                            continue
                        raise KafkaException(err)
                    rows.append((m.offset(), (m.key(), m.value(), m.timestamp()[1], m.headers())))
                p = c.position([TopicPartition(topic, partition)])[0].offset
                pos = p if p >= 0 else pos
                _lo, fetch_hw = c.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
                goal = max(target, fetch_hw if fetch_hw is not None and fetch_hw >= 0 else target)
                if pos >= goal or (eof and not msgs):
                    break
                idle = idle + 1 if not msgs else 0
                if idle >= 10:
                    break
            _lo, fetch_hw = c.get_watermark_offsets(TopicPartition(topic, partition), cached=True)
        finally:
            c.close()
        return rows, pos, (fetch_hw if fetch_hw is not None and fetch_hw >= 0 else None)

    def leader_replica(self, topic: str, partition: int) -> _Replica | None:
        log = self.partition_log(topic, partition)
        return None if log is None else _Replica(log)

    # -- groups --------------------------------------------------------------------------------------
    def committed_offsets(self, group: str, topic: str | None = None) -> dict:
        """``{(topic, partition): offset}`` the group committed (OffsetFetch).

        With ``topic`` the request names its partitions: librdkafka's mock cluster answers an
        "all partitions" OffsetFetch with nothing."""
        from confluent_kafka import ConsumerGroupTopicPartitions

        parts = None
        if topic is not None:
            parts = [TopicPartition(topic, p) for p in sorted(self.metadata().topics[topic].partitions)]
        req = ConsumerGroupTopicPartitions(group, parts)
        fut = self._admin.list_consumer_group_offsets([req], request_timeout=self.request_timeout_s)[group]
        res = fut.result(timeout=self.request_timeout_s + 1)
        return {(tp.topic, tp.partition): tp.offset for tp in res.topic_partitions if tp.offset >= 0}

    def group_description(self, group: str):
        """DescribeGroups as confluent-kafka returns it (``ConsumerGroupDescription``)."""
        fut = self._admin.describe_consumer_groups([group], request_timeout=self.request_timeout_s)[group]
        try:
            return fut.result(timeout=self.request_timeout_s + 1)
        except KafkaException as e:
            if e.args[0].code() == KafkaError._UNSUPPORTED_FEATURE:
                raise _not_served("DescribeGroups", "the broker's ApiVersions does not list it") from None
            raise

    def assignment(self, group: str, topic: str | None = None) -> dict:
        """``{client id: [partitions]}`` as the group coordinator describes the members."""
        d = self.group_description(group)
        return {m.client_id: sorted(tp.partition for tp in m.assignment.topic_partitions
                                    if topic is None or tp.topic == topic)
                for m in sorted(d.members, key=lambda m: m.client_id)}

    def close(self) -> None:
        self._admin = None

    def __repr__(self) -> str:
        md = self._md
        return f"RealCluster({self.bootstrap_servers}, cluster_id={self.cluster_id}, brokers={sorted(md.brokers)})"
