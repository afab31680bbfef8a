"""``AdminClient``: confluent-kafka's admin API (``confluent_kafka.admin``) over the simulated cluster.

Every call returns ``{item: Future}`` as confluent-kafka does; ``future.result()`` advances the
virtual clock until the controller has answered and raises ``KafkaException`` (our Kafka-named
subclass, e.g. ``TopicExistsException``) on error.  A request that fails validation changes
nothing.

    admin = AdminClient({"bootstrap.servers": "kafka-1:9092"})
    fs = admin.create_topics([NewTopic("orders", num_partitions=12, replication_factor=3,
                                       config={"min.insync.replicas": "2"})])
    fs["orders"].result()
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .. import config as kconfig
from ..cluster.metadata import NO_LEADER
from ..errors import Err, InvalidRequestException, KafkaError, KafkaException, exception_for
from .common import SimFuture, TopicPartition, client_conf, timeout_ms
from .producer import _PY_CALLBACKS, _attach, _resolve_cluster, _servers


class ResourceType(enum.IntEnum):
    UNKNOWN = 0
    ANY = 1
    TOPIC = 2
    GROUP = 3
    BROKER = 4


class ConfigSource(enum.IntEnum):
    UNKNOWN_CONFIG = 0
    DYNAMIC_TOPIC_CONFIG = 1
    DYNAMIC_BROKER_CONFIG = 2
    DYNAMIC_DEFAULT_BROKER_CONFIG = 3
    STATIC_BROKER_CONFIG = 4
    DEFAULT_CONFIG = 5
    GROUP_CONFIG = 8


class AlterConfigOpType(enum.IntEnum):
    SET = 0
    DELETE = 1
    APPEND = 2
    SUBTRACT = 3


class OffsetSpec:
    """``OffsetSpec.earliest()``, ``.latest()``, ``.max_timestamp()``, ``.for_timestamp(ms)``."""

    def __init__(self, value: int):
        self._value = value

    @classmethod
    def earliest(cls):
        return cls(-2)

    @classmethod
    def latest(cls):
        return cls(-1)

    @classmethod
    def max_timestamp(cls):
        return cls(-3)

    @classmethod
    def for_timestamp(cls, ms: int):
        return cls(int(ms))

    def __repr__(self) -> str:
        return {-2: "OffsetSpec.earliest()", -1: "OffsetSpec.latest()", -3: "OffsetSpec.max_timestamp()"}.get(
            self._value, f"OffsetSpec.for_timestamp({self._value})")


@dataclass
class NewTopic:
    topic: str
    num_partitions: int = -1
    replication_factor: int = -1
    replica_assignment: list | None = None
    config: dict = field(default_factory=dict)

    def __post_init__(self):
        for value in (self.num_partitions, self.replication_factor):
            if not isinstance(value, int):
                raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")


@dataclass
class NewPartitions:
    topic: str
    new_total_count: int
    replica_assignment: list | None = None


@dataclass
class ConfigEntry:
    name: str
    value: str | None
    source: ConfigSource = ConfigSource.UNKNOWN_CONFIG
    is_read_only: bool = False
    is_default: bool = False
    is_sensitive: bool = False
    is_synonym: bool = False
    synonyms: list = field(default_factory=list)
    incremental_operation: AlterConfigOpType | None = None

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ConfigResource:
    def __init__(self, restype, name: str, set_config: dict | None = None, described_configs=None, error=None,
                 incremental_configs: list | None = None):
        if isinstance(restype, str):
            if restype.upper() not in ResourceType.__members__:
                raise ValueError(f'Unknown resource type "{restype}": should be a ConfigResource.Type')
            restype = ResourceType[restype.upper()]
        self.restype = ResourceType(restype)
        self.name = name
        self.set_config_dict = dict(set_config or {})
        self.incremental_configs = list(incremental_configs or [])
        self.error = error

    def set_config(self, name: str, value, overwrite: bool = True) -> None:
        if overwrite or name not in self.set_config_dict:
            self.set_config_dict[name] = value

    def add_incremental_config(self, entry: ConfigEntry) -> None:
        self.incremental_configs.append(entry)

    def __hash__(self) -> int:
        return hash((self.restype, self.name))

    def __eq__(self, other) -> bool:
        return isinstance(other, ConfigResource) and (self.restype, self.name) == (other.restype, other.name)

    def __repr__(self) -> str:
        return f"ConfigResource(ResourceType.{self.restype.name},{self.name})"


@dataclass
class Node:
    id: int
    host: str
    port: int
    rack: str | None = None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.id}"


@dataclass
class TopicPartitionInfo:
    id: int
    leader: Node | None
    replicas: list
    isr: list
    elr: list = field(default_factory=list)
    last_known_elr: list = field(default_factory=list)


@dataclass
class TopicDescription:
    name: str
    topic_id: str
    is_internal: bool
    partitions: list
    authorized_operations: list | None = None


class TopicCollection:
    def __init__(self, topic_names: list[str]):
        self.topic_names = list(topic_names)


@dataclass
class PartitionMetadata:
    id: int
    leader: int
    replicas: list
    isrs: list
    error: KafkaError | None = None


@dataclass
class TopicMetadata:
    topic: str
    partitions: dict
    error: KafkaError | None = None


@dataclass
class BrokerMetadata:
    id: int
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.id}"


@dataclass
class ClusterMetadata:
    cluster_id: str
    controller_id: int
    brokers: dict
    topics: dict
    orig_broker_id: int = -1
    orig_broker_name: str | None = None


@dataclass
class ListOffsetsResultInfo:
    offset: int
    timestamp: int
    leader_epoch: int | None


def cluster_metadata(cluster, topic: str | None = None) -> ClusterMetadata:
    image = cluster.controller.image
    brokers = {b: BrokerMetadata(b, r.host, r.port) for b, r in image.brokers.items() if not r.fenced}
    topics = {}
    for name in ([topic] if topic else sorted(image.topics)):
        t = image.topics.get(name)
        if t is None:
            topics[name] = TopicMetadata(name, {}, KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION))
            continue
        topics[name] = TopicMetadata(name, {p.partition: PartitionMetadata(p.partition, p.leader, list(p.replicas),
                                                                            list(p.isr),
                                                                            KafkaError(Err.LEADER_NOT_AVAILABLE)
                                                                            if p.leader == NO_LEADER else None)
                                            for p in t.partitions})
    return ClusterMetadata(cluster.name, -1, brokers, topics)


def _check_list(items, what: str) -> list:
    """confluent-kafka's admin argument checks: something iterable and not empty (its items are then
    read as ``item.topic``: a string in the list is an AttributeError, as in confluent-kafka)."""
    if not hasattr(items, "__iter__"):
        raise TypeError(f"'{type(items).__name__}' object is not iterable")
    items = list(items)
    if not items:
        raise ValueError(f"Expected non-empty list of {what} objects")
    return items


def _check_bool(value, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"Expected {name} to be bool type, not {type(value).__name__}")


def _check_config_resources(resources) -> None:
    if not isinstance(resources, list):  # confluent-kafka raises ValueError here
        raise ValueError("Expected list of <class 'confluent_kafka.admin._config.ConfigResource'>")  # noqa: TRY004
    if not resources:
        raise ValueError("Expected non-empty list of ConfigResource objects")


def _describe_broker(cluster, name: str) -> dict:
    """A BROKER resource's configs, as ``ConfigHelper.describeConfigs`` answers it.

    The name is the broker id ("1"); a name that is not an integer is INVALID_REQUEST ("Broker id
    must be an integer, but it is: x").  Values set for this cluster are STATIC_BROKER_CONFIG,
    the others DEFAULT_CONFIG.  Simplification: only the broker settings the simulator models.
    """
    try:
        broker_id = int(name)
    except (TypeError, ValueError):
        raise KafkaException(KafkaError(Err.INVALID_REQUEST, f"Broker id must be an integer, but it is: {name}")) \
            from None
    if broker_id not in cluster.brokers:
        raise KafkaException(KafkaError(Err.INVALID_REQUEST, f"Unexpected broker id, expected one of "
                                                             f"{sorted(cluster.brokers)}, but received {name}"))
    out = {}
    for key in sorted(cluster.broker_config):
        value = cluster.broker_config[key]
        default = cluster.default_broker_config.get(key) == value
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out[key] = ConfigEntry(key, text, ConfigSource.DEFAULT_CONFIG if default else ConfigSource.STATIC_BROKER_CONFIG,
                               is_read_only=True, is_default=default)
    return out


#: The broker's ``request.timeout.ms`` (30000): how long it keeps a forwarded request waiting for a controller.
FORWARD_TIMEOUT_MS = 30_000
RETRY_BACKOFF_MS = 100  # retry.backoff.ms

class AdminClient:
    """confluent-kafka ``AdminClient``; requests travel to the controller over the simulated network."""

    def __init__(self, *conf: dict, cluster=None, **kwargs):
        conf = client_conf("admin", conf, kwargs)
        for k in [k for k in conf if k in _PY_CALLBACKS and callable(conf[k])]:
            conf.pop(k)
        self.config = kconfig.validate_client_config(conf, "admin")
        self.cluster = _resolve_cluster(conf, cluster)
        self.sim = self.cluster.sim
        self.node = self.cluster.new_client_name("admin")
        _attach(self, _servers(conf), cluster is not None)

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, name: str, fn, *args) -> SimFuture:
        """Run ``fn(*args)`` on the active controller after one network hop; its result or exception
        comes back on the future after another, once what it wrote is committed by the quorum.

        During a controller failover the request is retried (``NOT_CONTROLLER``: librdkafka and the
        broker's forwarding both retry it at the new controller), so a write that the old controller
        had already replicated may come back as, say, ``TOPIC_ALREADY_EXISTS``.  With no active
        controller for the broker's ``request.timeout.ms`` (30000) the answer is ``REQUEST_TIMED_OUT``
        (``ForwardingManager``'s ``onTimeout``: ``getErrorResponse(new TimeoutException())``, whose error
        code is REQUEST_TIMED_OUT).
        Simplification: the client->broker->controller forwarding is one hop to the controller."""
        fut = SimFuture(self.sim)
        net = self.sim.network
        cl = self.cluster
        deadline = self.sim.now + FORWARD_TIMEOUT_MS

        tries = [0]
        given_up: set[int] = set()  # attempts already retried (or timed out)
        watches: dict[int, object] = {}

        def respond(node, n, res, exc):
            def deliver():
                watches.pop(n, lambda: None)()
                if exc is not None:
                    fut.set_exception(exc)
                else:
                    fut.set_result(res)
            net.send(node, self.node, name + "Response", deliver)

        def attempt():
            tries[0] += 1
            n, node = tries[0], cl.controller_node()
            # A controller that dies with the request (or its answer) in flight resets the connection:
            # the forwarding broker retries at the next controller (NodeToControllerChannelManager).
            watches[n] = net.watch(node, lambda _node: retry(n, node))
            if not net.send(self.node, node, name + "Request", at_controller, node, n):
                self.sim.schedule(1, retry, n, node)  # refused at once (the node is down)

        def retry(n, node):
            if n in given_up:
                return
            given_up.add(n)
            watches.pop(n, lambda: None)()
            if self.sim.now + RETRY_BACKOFF_MS >= deadline:
                self.sim.trace.emit("admin." + name, node=node, client=self.node, ok=False,
                                    error="REQUEST_TIMED_OUT", args=[a if isinstance(a, (str, int)) else repr(a)
                                                                    for a in args])
                # The broker that forwarded the request answers (the controller may be gone).
                exc = exception_for(Err.REQUEST_TIMED_OUT, "The request timed out.")
                self.sim.schedule(net.default_latency_ms, fut.set_exception, exc)
            else:
                self.sim.schedule(RETRY_BACKOFF_MS, attempt)

        def at_controller(node, n):
            ctl = cl.controller_on(node)
            if ctl is None or not ctl.active:
                retry(n, node)
                return
            try:
                res, exc = fn(*args), None
            except KafkaException as e:
                res, exc = None, e
            self.sim.trace.emit("admin." + name, node=node, client=self.node,
                                ok=exc is None, error=None if exc is None else exc.args[0].name(),
                                args=[a if isinstance(a, (str, int)) else repr(a) for a in args])
            if exc is not None:
                respond(node, n, res, exc)
                return
            ctl.when_committed(ctl.raft.leo - 1, lambda: respond(node, n, res, None), lambda: retry(n, node))

        attempt()
        return fut

    # -- topics -----------------------------------------------------------------------------
    def create_topics(self, new_topics: list[NewTopic], operation_timeout: float = 0, request_timeout: float = -1,
                      validate_only: bool = False) -> dict:
        """``CreateTopics``: one future per topic name.

        As the KRaft controller (``ControllerApis.createTopics``): a name given twice in one request
        is answered INVALID_REQUEST "Duplicate topic name." and neither copy is created.
        """
        new_topics = _check_list(new_topics, "NewTopic")
        _check_bool(validate_only, "validate_only")
        cl = self.cluster
        names = [nt.topic for nt in new_topics]  # AttributeError for a non-NewTopic, as confluent-kafka
        dup = {n for n in names if names.count(n) > 1}

        def create(nt: NewTopic):
            if nt.topic in dup:
                raise InvalidRequestException(KafkaError(Err.INVALID_REQUEST, "Duplicate topic name."))
            cl.create_topic(nt.topic, nt.num_partitions, nt.replication_factor, nt.config, nt.replica_assignment,
                            validate_only=validate_only, settle=False)

        return {nt.topic: self._call("CreateTopics", create, nt) for nt in new_topics}

    def delete_topics(self, topics: list[str], operation_timeout: float = 0, request_timeout: float = -1) -> dict:
        """``DeleteTopics``: a list of names (``delete_topics("orders")`` is a TypeError, as in confluent-kafka)."""
        if not isinstance(topics, list):
            raise TypeError(f"argument 1 must be list, not {type(topics).__name__}")
        if not topics:
            raise ValueError("Expected non-empty list of topic strings")
        cl = self.cluster
        return {t: self._call("DeleteTopics", lambda name: cl.delete_topic(name, settle=False), t) for t in topics}

    def create_partitions(self, new_partitions: list[NewPartitions], operation_timeout: float = 0,
                          request_timeout: float = -1, validate_only: bool = False) -> dict:
        new_partitions = _check_list(new_partitions, "NewPartitions")
        _check_bool(validate_only, "validate_only")
        cl = self.cluster
        return {np.topic: self._call("CreatePartitions", lambda n: cl.create_partitions(
            n.topic, n.new_total_count, n.replica_assignment, validate_only=validate_only, settle=False), np)
            for np in new_partitions}

    def list_topics(self, topic: str | None = None, timeout: float = -1) -> ClusterMetadata:
        timeout_ms(timeout)
        fut = self._call("Metadata", lambda: cluster_metadata(self.cluster, topic))
        return fut.result(None if timeout is None or timeout < 0 else timeout)

    def describe_topics(self, topics: TopicCollection, include_authorized_operations: bool = False,
                        request_timeout: float = -1) -> dict:
        if not isinstance(topics, TopicCollection):
            raise TypeError("Expected input to be instance of TopicCollection")
        cl = self.cluster

        def describe(name: str) -> TopicDescription:
            t = cl.describe(name)
            image = cl.controller.image

            def node(b):
                r = image.brokers.get(b)
                return Node(b, r.host if r else f"kafka-{b}", r.port if r else 9092, r.rack if r else None)

            parts = [TopicPartitionInfo(p.partition, None if p.leader == NO_LEADER else node(p.leader),
                                        [node(b) for b in p.replicas], [node(b) for b in p.isr],
                                        [node(b) for b in p.elr], [node(b) for b in p.last_known_elr])
                     for p in t.partitions]
            return TopicDescription(t.name, t.topic_id, t.name.startswith("__"), parts)

        return {n: self._call("DescribeTopicPartitions", describe, n) for n in topics.topic_names}

    # -- configs ----------------------------------------------------------------------------
    def describe_configs(self, resources: list[ConfigResource], request_timeout: float = -1) -> dict:
        """``DescribeConfigs`` of TOPIC and BROKER resources (Kafka's ``ConfigHelper.describeConfigs``)."""
        _check_config_resources(resources)
        cl = self.cluster

        def describe(res: ConfigResource) -> dict:
            if res.restype == ResourceType.BROKER:
                return _describe_broker(cl, res.name)
            if res.restype != ResourceType.TOPIC:
                raise KafkaException(KafkaError(Err.INVALID_REQUEST, f"Simplification: {res.restype.name} resources "
                                                                     f"are not modelled"))
            t = cl.describe(res.name)
            out = {}
            for e in kconfig.describe_topic_config(t.configs):
                syn = [ConfigEntry(s.name, s.value, ConfigSource[s.source], is_synonym=True) for s in e.synonyms]
                out[e.name] = ConfigEntry(e.name, e.value, ConfigSource[e.source], e.read_only, e.is_default,
                                          e.sensitive, False, syn)
            return out

        return {r: self._call("DescribeConfigs", describe, r) for r in resources}

    def incremental_alter_configs(self, resources: list[ConfigResource], request_timeout: float = -1,
                                  validate_only: bool = False) -> dict:
        _check_config_resources(resources)
        cl = self.cluster

        def alter(res: ConfigResource):
            set_, delete = {}, []
            for e in res.incremental_configs:
                op = e.incremental_operation or AlterConfigOpType.SET
                if op == AlterConfigOpType.DELETE:
                    delete.append(e.name)
                elif op == AlterConfigOpType.SET:
                    set_[e.name] = e.value
                else:
                    raise KafkaException(KafkaError(Err.INVALID_REQUEST, f"{op.name} is not modelled"))
            cl.alter_topic_config(res.name, set_, delete, validate_only=validate_only, settle=False)

        return {r: self._call("IncrementalAlterConfigs", alter, r) for r in resources}

    def alter_configs(self, resources: list[ConfigResource], request_timeout: float = -1,
                      validate_only: bool = False) -> dict:
        """The deprecated full replace: configs not named go back to their defaults."""
        cl = self.cluster

        def alter(res: ConfigResource):
            t = cl.describe(res.name)
            cl.alter_topic_config(res.name, res.set_config_dict,
                                  [k for k in t.configs if k not in res.set_config_dict],
                                  validate_only=validate_only, settle=False)

        return {r: self._call("AlterConfigs", alter, r) for r in resources}

    # -- offsets ----------------------------------------------------------------------------
    def list_offsets(self, topic_partition_offsets: dict, isolation_level=None, request_timeout: float = -1) -> dict:
        cl = self.cluster

        def list_one(tp: TopicPartition, spec: OffsetSpec) -> ListOffsetsResultInfo:
            p = cl.describe(tp.topic).partitions[tp.partition]
            if p.leader == NO_LEADER:
                raise KafkaException(KafkaError(Err.LEADER_NOT_AVAILABLE))
            err, off = cl.brokers[p.leader].list_offset((tp.topic, tp.partition), spec._value)
            if err:
                raise KafkaException(KafkaError(err))
            return ListOffsetsResultInfo(off, -1, p.leader_epoch)

        return {tp: self._call("ListOffsets", list_one, tp, spec) for tp, spec in topic_partition_offsets.items()}

    def poll(self, timeout: float | None = None) -> int:
        return 0

    def __len__(self) -> int:
        return 0
