"""``Cluster``: a simulated Kafka 4.x (KRaft) cluster — brokers, a controller quorum, topics, faults.

>>> from kafkalab import Cluster
>>> c = Cluster(brokers=3, seed=42)
>>> c.create_topic("orders", partitions=3, replication_factor=3)
>>> [p.leader for p in c.describe("orders").partitions]   # doctest: +SKIP
[2, 3, 1]

``Cluster(profile="2.8")`` (or ``"3.0"``, ``"3.3"``, ``"4.0"``, ``"4.2"``) takes the defaults of that Kafka
version from :mod:`kafkalab.profiles`; ``Cluster()`` is ``"4.0"``.

Brokers answer to ``kafka-1:9092``, ``kafka-2:9092``, … and to ``B1:9092``-style aliases, so
client configs copied from the syllabus work unchanged.  Every change is in ``cluster.trace``;
the metadata log is ``cluster.metadata_log()``.

The controllers are a KRaft quorum (:mod:`.raft`): one dedicated voter by default (node ``controller``),
or ``Cluster(controllers=3)`` / ``controllers=5``, dedicated (``process.roles=controller``) or combined
with the first brokers (``process_roles="broker,controller"``); ``cluster.quorum`` holds the voters,
``cluster.controller`` is the active controller, :meth:`Cluster.server_properties` a node's config.
"""
from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Iterable

from .. import config as kconfig
from .. import profiles as kprofiles
from ..errors import (
    ConfigException,
    Err,
    InvalidConfigurationException,
    InvalidPartitionsException,
    KafkaError,
    TopicExistsException,
    UnknownTopicOrPartitionException,
)
from ..sim import Sim
from .broker import Broker
from .controller import CONTROLLER_NODE, Controller
from .metadata import NO_LEADER, TopicState
from .placement import place_replicas
from .raft import QUORUM_DEFAULTS, Quorum

BROKER_DEFAULTS: dict = {
    # KRaft broker/controller settings that the model uses, with Kafka 4.x defaults.
    "broker.session.timeout.ms": 9000,
    "broker.heartbeat.interval.ms": 2000,
    "replica.lag.time.max.ms": 30000,
    "replica.fetch.wait.max.ms": 500,
    "replica.fetch.max.bytes": 1048576,
    "replica.socket.timeout.ms": 30000,
    "log.retention.check.interval.ms": 300000,
    "log.cleaner.backoff.ms": 15000,
    "auto.leader.rebalance.enable": True,
    "leader.imbalance.check.interval.seconds": 300,
    "auto.create.topics.enable": True,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "offsets.topic.num.partitions": 50,
    "offsets.topic.replication.factor": 3,
    "group.initial.rebalance.delay.ms": 3000,
    "eligible.leader.replicas.enable": False,
    # Transactions (TransactionLogConfig / TransactionStateManagerConfig, Kafka 4.0 defaults).
    "transaction.state.log.num.partitions": 50,
    "transaction.state.log.replication.factor": 3,
    "transaction.state.log.min.isr": 2,
    "transaction.state.log.segment.bytes": 104857600,
    "transaction.max.timeout.ms": 900000,
    "transaction.abort.timed.out.transaction.cleanup.interval.ms": 10000,
    "transactional.id.expiration.ms": 604800000,
    # KIP-890 part 1 (Kafka 3.6+): a partition leader asks the coordinator whether a transactional batch's
    # partition is in an ongoing transaction before it appends the producer's first batch of it.
    "transaction.partition.verification.enable": True,
    # The ``transaction.version`` feature level (KIP-890): 2 on clusters formatted by Kafka 4.0+, where
    # a 4.x Java producer bumps its epoch at every commit/abort; 0 before 4.0.  Set with
    # ``kafka-storage.sh format --feature transaction.version=…`` or ``kafka-features.sh``.
    "transaction.version": 2,
}

# Broker-level settings that are the cluster-wide default of a topic config.
BROKER_TOPIC_SYNONYMS: dict = {
    "log.retention.ms": "retention.ms",
    "log.retention.bytes": "retention.bytes",
    "log.segment.bytes": "segment.bytes",
    "log.roll.ms": "segment.ms",
    "log.cleanup.policy": "cleanup.policy",
    "log.cleaner.delete.retention.ms": "delete.retention.ms",
    "message.max.bytes": "max.message.bytes",
    "min.insync.replicas": "min.insync.replicas",
    "unclean.leader.election.enable": "unclean.leader.election.enable",
    "compression.type": "compression.type",
}

_REGISTRY: list = []  # weakrefs to clusters, newest last

#: ``{"producer": Producer, "consumer": Consumer, "admin": AdminClient, "cli": run_cli}``, filled in by
#: ``kafkalab.clients`` and ``kafkalab.tools`` when they are imported.
CLIENT_FACTORIES: dict[str, Callable] = {}


def _factory(kind: str) -> Callable:
    try:
        return CLIENT_FACTORIES[kind]
    except KeyError:
        raise RuntimeError(f"no {kind} factory is registered: import kafkalab (or kafkalab.clients and "
                           "kafkalab.tools) first") from None


#: The cluster a client starts when none exists yet (``kafkalab.Cluster(**DEFAULT_CLUSTER)``).
DEFAULT_CLUSTER: dict = {"brokers": 3, "seed": 42}
_DEFAULT: list = []  # the embedded default cluster once started, held strongly (clients come and go)
log = logging.getLogger("kafkalab")


def latest_cluster() -> Cluster | None:
    while _REGISTRY:
        c = _REGISTRY[-1]()
        if c is not None:
            return c
        _REGISTRY.pop()
    return None


def bootstrap_hosts(servers: str | None) -> list[str]:
    """The host names of a ``bootstrap.servers`` list (``"kafka-1:9092,kafka-2:9092"`` -> two)."""
    return [s.strip().rsplit(":", 1)[0] for s in str(servers or "").split(",") if s.strip()]


def cluster_for_servers(servers: str | None) -> Cluster:
    """The simulated cluster a client without ``cluster=`` lives on.

    * ``bootstrap.servers`` naming brokers (``kafka-2:9092``, ``B2:9092``, ``broker-2``, ``localhost``
      or ``127.0.0.1`` on any port) reaches the newest cluster that has every broker it names;
    * a list naming no broker of any cluster, or none at all, gets the newest cluster's clock but
      reaches no broker there (:meth:`Cluster.bootstrap_brokers` is empty), as librdkafka that
      cannot resolve its bootstrap servers: messages time out, polls return nothing;
    * with no cluster yet, the first client starts the default one (:data:`DEFAULT_CLUSTER`: 3 brokers,
      seed 42, Kafka's ``auto.create.topics.enable=true``) and says so once.
    """
    hosts = bootstrap_hosts(servers)
    for ref in reversed(_REGISTRY):
        c = ref()
        if c is not None and hosts and all(c.resolve_host(h) is not None for h in hosts):
            return c
    c = latest_cluster()
    return c if c is not None else start_default_cluster()


def start_default_cluster() -> Cluster:
    c = Cluster(**DEFAULT_CLUSTER, name="default")
    _DEFAULT[:] = [c]
    names = ", ".join(f"kafka-{b}:9092" for b in sorted(c.brokers))
    log.warning("kafkalab: no simulated cluster yet, so this client started the default one: %d brokers (%s), "
                "seed %d, auto.create.topics.enable=true; to choose, create kafkalab.Cluster(brokers=..., seed=...) "
                "before the first client", len(c.brokers), names, DEFAULT_CLUSTER["seed"])
    return c


class Cluster:
    """A simulated Kafka cluster.  ``brokers`` is a count; ``racks`` optionally a rack per broker."""

    def __init__(self, brokers: int = 3, seed: int = 0, racks: Iterable[str] | None = None,
                 latency_ms: int = 1, broker_config: dict | None = None, name: str = "kafkalab",
                 controllers: int = 1, process_roles: str = "controller", pre_vote: bool | None = None,
                 profile: str | None = None, features: dict | None = None):
        """``controllers``: voters of the KRaft quorum (1, 3 or 5).  ``process_roles``: ``"controller"``
        for dedicated controller nodes (``process.roles=controller``: ``controller`` alone, or
        ``controller-101``, ``controller-102``, … with ``node.id`` 101, 102, …), ``"broker,controller"``
        for combined mode (brokers 1..``controllers`` are also the voters).  ``pre_vote``: KIP-996
        (Kafka 4.0+); False behaves as 3.x (the default follows ``profile``).
        ``profile`` ("2.8", "3.0", "3.3", "4.0", "4.2"; see :mod:`kafkalab.profiles`) picks the
        defaults of a Kafka version; ``features`` overrides feature levels (``{"share.version": 1}``)."""
        if brokers < 1:
            raise ValueError("a cluster needs at least one broker")
        if controllers not in (1, 3, 5):
            raise ValueError(f"controllers={controllers}: a KRaft quorum has 1, 3 or 5 voters here")
        roles = {r.strip() for r in process_roles.split(",")}
        if roles not in ({"controller"}, {"broker", "controller"}):
            raise ValueError(f"process_roles={process_roles!r}: 'controller' (dedicated) or 'broker,controller' "
                             "(combined)")
        self.combined = roles == {"broker", "controller"}
        if self.combined and controllers > brokers:
            raise ValueError(f"combined mode needs at least {controllers} brokers to be the voters")
        self.profile = kprofiles.check_profile(profile)
        if kprofiles.controller_mode(self.profile) == "ZooKeeper" and (controllers > 1 or self.combined):
            raise ValueError(f"profile {self.profile} has a ZooKeeper controller, not a KRaft quorum: "
                             "controllers and process_roles need a KRaft profile (3.3 or later)")
        if pre_vote is None:  # KIP-996 pre-vote shipped with Kafka 4.0
            pre_vote = profile is None or self.profile in ("4.0", "4.2")
        self.sim = Sim(seed)
        self.sim.network.default_latency_ms = latency_ms
        self.name = name
        self.broker_config = dict(BROKER_DEFAULTS)
        self.broker_config.update(kprofiles.broker_defaults(self.profile))
        #: What this cluster's brokers have when nobody set a value (the profile's defaults).
        self.default_broker_config = dict(self.broker_config)
        self.features = kprofiles.features(self.profile)
        for k, v in (features or {}).items():
            if k not in self.features:
                raise ValueError(f"unknown feature {k!r}: the simulator knows {sorted(self.features)}")
            self.features[k] = v
        for k, v in (broker_config or {}).items():
            if k not in BROKER_DEFAULTS and k not in BROKER_TOPIC_SYNONYMS and k not in QUORUM_DEFAULTS:
                raise ConfigException(KafkaError(Err._INVALID_ARG, f"Unknown broker config {k!r}: the simulator "
                                                 f"knows {sorted(BROKER_DEFAULTS) + sorted(BROKER_TOPIC_SYNONYMS)}"
                                                 f" and {sorted(QUORUM_DEFAULTS)}"))
            self.broker_config[k] = v
        racks = list(racks) if racks is not None else [None] * brokers
        if len(racks) != brokers:
            raise ValueError(f"racks has {len(racks)} entries for {brokers} brokers")
        self._topic_cfg_cache: dict[str, dict] = {}
        self.injected_errors: dict[str, list[int]] = {}  # see push_request_errors
        # Called as fn(topic, partition, broker_id) when a broker becomes a partition's leader: the
        # coordinators of internal topics load their state then (Kafka's onElection).
        self.leader_listeners: list = []
        # Set by the transaction coordinator: verify(transactional_id, producer_id, epoch, tp) -> error code.
        self.txn_verifier = None
        if self.combined:
            voters = [(i, f"kafka-{i}") for i in range(1, controllers + 1)]
        elif controllers == 1:
            voters = [(101, CONTROLLER_NODE)]
        else:
            voters = [(100 + i, f"controller-{100 + i}") for i in range(1, controllers + 1)]
        self.quorum = Quorum(self, voters, dedicated=not self.combined, pre_vote=pre_vote,
                             config={k: v for k, v in self.broker_config.items() if k in QUORUM_DEFAULTS})
        self.controllers: dict[str, Controller] = {n.node: Controller(self, n) for n in self.quorum.voters.values()}
        self._last_controller = self.controllers[voters[0][1]]
        self.brokers: dict[int, Broker] = {}
        self.clients: list = []
        self._client_seq: dict[str, int] = {}
        for i in range(1, brokers + 1):
            self.brokers[i] = Broker(self, i, racks[i - 1])
        create = {"brokers": brokers, "seed": seed, "racks": racks, "mode": kprofiles.controller_mode(self.profile)}
        # The profile is named in the trace only when one was chosen, so traces of Cluster() stay as they were;
        # so is the quorum, when it is more than the lone default voter.
        if profile is not None:
            create["profile"] = self.profile
        if len(voters) > 1 or self.combined:
            create.update(controllers=controllers, process_roles=process_roles, pre_vote=pre_vote,
                          voters=self.quorum.voters_config)
        self.sim.trace.emit("cluster.create", node=voters[0][1], **create)
        for n in self.quorum.voters.values():
            n.start()
        for b in self.brokers.values():
            b.start()
        self.sim.run(until_ms=self.sim.now + 3 * self.broker_config["broker.heartbeat.interval.ms"])
        if len(voters) > 1:
            # An election and the registrations take a few seconds more.
            self.sim.run(until_ms=self.sim.now + 30_000, until=lambda: len(self.controller.image.live_brokers()) ==
                         brokers and self.controller.active)
        _REGISTRY.append(weakref.ref(self))

    # -- the controller quorum ----------------------------------------------------------------
    @property
    def controller(self) -> Controller:
        """The active controller; during an election or without a quorum, the live standby that has
        committed the most (its image is what the cluster last agreed on: metadata stays readable)."""
        if self._last_controller.active:
            return self._last_controller
        leader = self.quorum.leader()
        if leader is not None and leader.controller.active:
            self._last_controller = leader.controller
            return leader.controller
        live = [c for c in self.controllers.values() if c.raft.alive]
        if live:
            return max(live, key=lambda c: (c.raft.hw, c is self._last_controller))
        return self._last_controller

    @property
    def cluster_id(self) -> str:
        """The 22-character id ``kafka-storage.sh format --cluster-id`` was given (a base64 UUID), from the seed."""
        import base64
        import random as _random
        raw = _random.Random(f"cluster-id-{self.sim.seed}").getrandbits(128).to_bytes(16, "big")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def server_properties(self, node_id: int, bootstrap: bool = False) -> str:
        """The KRaft lines of node ``node_id``'s ``server.properties`` (a broker's or a controller's).

        ``bootstrap=True`` writes ``controller.quorum.bootstrap.servers`` (``host:port`` list, how a
        cluster formatted with ``kafka-storage.sh format --initial-controllers`` finds its quorum, KIP-853)
        instead of the static ``controller.quorum.voters`` (``id@host:port``).  The simulated voter set is
        the same either way (it is not changed at run time)."""
        roles = []
        if node_id in self.brokers:
            roles.append("broker")
        if node_id in self.quorum.voters:
            roles.append("controller")
        if not roles:
            raise KeyError(f"no node {node_id}: brokers {sorted(self.brokers)}, voters {self.quorum.voter_ids}")
        node = self.quorum.voters[node_id].node if node_id not in self.brokers else f"kafka-{node_id}"
        listeners = []
        if "broker" in roles:
            listeners.append(f"PLAINTEXT://{node}:9092")
        if "controller" in roles:
            listeners.append(f"CONTROLLER://{node}:9093")
        quorum = (f"controller.quorum.bootstrap.servers="
                  f"{','.join(f'{self.quorum.voters[v].node}:9093' for v in self.quorum.voter_ids)}" if bootstrap
                  else f"controller.quorum.voters={self.quorum.voters_config}")
        lines = [f"process.roles={','.join(roles)}", f"node.id={node_id}", quorum,
                 f"listeners={','.join(listeners)}", "controller.listener.names=CONTROLLER"]
        if "broker" in roles:
            lines.append(f"advertised.listeners=PLAINTEXT://{node}:9092")
        for k in sorted(QUORUM_DEFAULTS):
            if self.quorum.config[k] != QUORUM_DEFAULTS[k]:
                lines.append(f"{k}={self.quorum.config[k]}")
        return "\n".join(lines) + "\n"

    def active_controller(self) -> Controller | None:
        leader = self.quorum.leader()
        return leader.controller if leader is not None and leader.controller.active else None

    def controller_node(self) -> str:
        """Where requests for the controller go: the active controller's node, else the last one known
        (Simplification: brokers and clients learn the new leader at once, as they would from the quorum's
        ``LeaderChangeMessage`` and ``NOT_CONTROLLER`` answers)."""
        return self.controller.node

    def controller_on(self, node: str) -> Controller | None:
        return self.controllers.get(node)

    def crash_controller(self, node_id: int, at_ms: int | None = None) -> None:
        """Kill a voter (``node.id``): in combined mode, the broker on that node dies with it."""
        self._fault(at_ms, self._crash_voter, node_id)

    def _crash_voter(self, node_id: int) -> None:
        n = self.quorum.voters[node_id]
        if self.combined:
            self._crash(node_id)
            return
        if n.alive:
            self.sim.trace.emit("fault.crash", node=n.node, node_id=node_id)
            self.sim.network.set_down(n.node, True)
            n.crash()

    def restart_controller(self, node_id: int, at_ms: int | None = None) -> None:
        """Start a voter again with its log and its ``quorum-state`` (epoch, vote) from disk."""
        self._fault(at_ms, self._restart_voter, node_id)

    def _restart_voter(self, node_id: int) -> None:
        n = self.quorum.voters[node_id]
        if self.combined:
            self._restart(node_id)
            return
        if not n.alive:
            self.sim.trace.emit("fault.restart", node=n.node, node_id=node_id)
            self.sim.network.set_down(n.node, False)
            n.start()

    def _await_commit(self, ctl: Controller, timeout_ms: int = 30_000) -> None:
        """Run the clock until the last record ``ctl`` wrote is committed (by it, or by a later leader that
        has it in its log); Kafka's REQUEST_TIMED_OUT after ``timeout_ms`` otherwise.  A timed-out write
        may still commit later: a leader elected with it in its log commits it."""
        rec = ctl.raft.entry(ctl.raft.leo - 1)
        voters = list(self.quorum.voters.values())

        def committed() -> bool:
            return any(n.hw > rec.offset and n.entry(rec.offset) is rec for n in voters)
        if committed():
            return
        self.sim.run(until_ms=self.sim.now + timeout_ms, until=committed)
        if not committed():
            from ..errors import exception_for
            raise exception_for(Err.REQUEST_TIMED_OUT, "The request timed out.")

    def _writer(self) -> Controller:
        ctl = self.active_controller()
        if ctl is None:
            from ..errors import exception_for
            raise exception_for(Err.NOT_CONTROLLER, "No active controller: the KRaft quorum has no leader.")
        return ctl

    # -- time -------------------------------------------------------------------------------
    @property
    def trace(self):
        return self.sim.trace

    @property
    def now(self) -> int:
        return self.sim.now

    def run(self, ms: int = 0, until: Callable[[], bool] | None = None) -> bool:
        """Advance the virtual clock by ``ms`` (running everything due meanwhile)."""
        return self.sim.run_for(ms, until=until)

    def advance_to(self, time_ms: int) -> None:
        self.sim.advance_to(time_ms)

    def push_request_errors(self, api: str, *errors: int) -> None:
        """Answer the next client requests of ``api`` (``"Produce"``, ``"InitProducerId"``,
        ``"AddPartitionsToTxn"``, ``"AddOffsetsToTxn"``, ``"EndTxn"``, ``"TxnOffsetCommit"``) with
        ``errors``, one request each: librdkafka's mock cluster's ``rd_kafka_mock_push_request_errors``,
        so the same fault can be put to the real client and to the simulator."""
        self.injected_errors.setdefault(api, []).extend(int(e) for e in errors)

    def take_injected_error(self, api: str) -> int | None:
        errs = self.injected_errors.get(api)
        return errs.pop(0) if errs else None

    def interrupt_at(self, time_ms: int | None) -> None:
        """From virtual time ``time_ms`` on, a consumer's ``poll()``/``consume()`` raises
        ``KeyboardInterrupt``: the simulator's Ctrl-C, so a ``while True:`` loop copied from a
        real program stops (``None`` clears it)."""
        self.sim.interrupt_at_ms = time_ms

    def at(self, time_ms: int, fn: Callable, *args) -> None:
        """Schedule ``fn(*args)`` at virtual time ``time_ms`` (a fault, a produce, …)."""
        self.sim.at(time_ms, fn, *args)

    # -- names ------------------------------------------------------------------------------
    def resolve_host(self, host: str) -> int | None:
        """Broker id for ``kafka-2``, ``B2``, ``broker-2``, ``broker2``, ``kafka2`` or ``localhost``."""
        h = host.strip().lower()
        if h in ("localhost", "127.0.0.1"):
            return min(self.brokers)
        m = re.fullmatch(r"(?:kafka|broker|b|k)-?(\d+)", h)
        if m and int(m.group(1)) in self.brokers:
            return int(m.group(1))
        return None

    def bootstrap_brokers(self, servers: str | None) -> list[int]:
        """The broker ids a ``bootstrap.servers`` list reaches on this cluster (see :meth:`resolve_host`)."""
        ids = (self.resolve_host(h) for h in bootstrap_hosts(servers))
        return sorted({b for b in ids if b is not None})

    def new_client_name(self, kind: str) -> str:
        n = self._client_seq.get(kind, 0) + 1
        self._client_seq[kind] = n
        return f"{kind}-{n}"

    # -- configs ----------------------------------------------------------------------------
    def topic_config(self, topic: str) -> dict:
        """Effective config of ``topic``: Kafka defaults, broker overrides, then topic overrides."""
        cfg = self._topic_cfg_cache.get(topic)
        if cfg is None:
            cfg = kconfig.topic_config_defaults()
            for k, v in self.broker_config.items():
                tk = BROKER_TOPIC_SYNONYMS.get(k)
                if tk:
                    cfg[tk] = v
            t = self.controller.image.topics.get(topic)
            if t is not None:
                cfg.update(t.configs)
            self._topic_cfg_cache[topic] = cfg
        return cfg

    def _invalidate(self, topic: str) -> None:
        self._topic_cfg_cache.pop(topic, None)

    # -- topics (what the AdminClient and the CLI call, on the controller) -------------------
    def _validate_new_topic(self, name: str, partitions: int | None, replication_factor: int | None,
                            config: dict | None, replica_assignment: list | None):
        kconfig.validate_topic_name(name)
        if name in self.controller.image.topics:
            raise TopicExistsException(KafkaError(Err.TOPIC_ALREADY_EXISTS, f"Topic '{name}' already exists."))
        typed = kconfig.validate_topic_configs(config or {})
        live = [(b, self.controller.image.brokers[b].rack) for b in self.controller.image.live_brokers()]
        if replica_assignment:
            assignment = [list(r) for r in replica_assignment]
            rf = len(assignment[0])
            if any(len(r) != rf or len(set(r)) != rf for r in assignment) or any(
                    b not in self.brokers for r in assignment for b in r):
                from ..errors import InvalidReplicaAssignmentException
                raise InvalidReplicaAssignmentException(KafkaError(
                    Err.INVALID_REPLICA_ASSIGNMENT,
                    "Each partition needs the same number of distinct, existing broker ids; got "
                    f"{assignment}"))
            return typed, assignment
        n = self.broker_config["num.partitions"] if partitions in (None, -1) else partitions
        rf = self.broker_config["default.replication.factor"] if replication_factor in (None, -1) \
            else replication_factor
        # The placer raises Kafka's own errors for n < 1, rf < 1 and rf > registered brokers.
        assignment = place_replicas(n, rf, live, self.sim.rng)
        return typed, assignment

    def create_topic(self, name: str, partitions: int | None = None, replication_factor: int | None = None,
                     config: dict | None = None, replica_assignment: list | None = None,
                     validate_only: bool = False, settle: bool = True) -> TopicState | None:
        """Create a topic (as ``CreateTopics`` does on the controller).  Raises Kafka's errors first,
        touching nothing, when the request is bad."""
        typed, assignment = self._validate_new_topic(name, partitions, replication_factor, config,
                                                     replica_assignment)
        if validate_only:
            return None
        ctl = self._writer()
        ctl.create_topic(name, assignment, typed)
        self._invalidate(name)
        if settle:
            self._await_commit(ctl)
            self.settle()
        return self.controller.image.topics[name]

    def create_partitions(self, name: str, total: int, replica_assignment: list | None = None,
                          validate_only: bool = False, settle: bool = True) -> None:
        t = self.controller.image.topics.get(name)
        if t is None:
            raise UnknownTopicOrPartitionException(KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                                              f"Topic '{name}' does not exist."))
        cur = len(t.partitions)
        # ReplicationControlManager's texts: partitions can only be added, never removed.
        if total == cur:
            raise InvalidPartitionsException(KafkaError(Err.INVALID_PARTITIONS,
                                                        f"Topic already has {cur} partition(s)."))
        if total < cur:
            raise InvalidPartitionsException(KafkaError(
                Err.INVALID_PARTITIONS, f"The topic {name} currently has {cur} partition(s); {total} would not be "
                                        f"an increase."))
        rf = t.replication_factor
        live = [(b, self.controller.image.brokers[b].rack) for b in self.controller.image.live_brokers()]
        if replica_assignment:
            new = [list(r) for r in replica_assignment]
        else:
            new = place_replicas(total - cur, rf, live, self.sim.rng, start_partition=cur,
                                 existing=[p.replicas for p in t.partitions])
        if validate_only:
            return
        ctl = self._writer()
        ctl.create_partitions(name, new)
        if settle:
            self._await_commit(ctl)
            self.settle()

    def delete_topic(self, name: str, settle: bool = True) -> None:
        if name not in self.controller.image.topics:
            raise UnknownTopicOrPartitionException(KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                                              f"Topic '{name}' does not exist."))
        ctl = self._writer()
        ctl.delete_topic(name)
        self._invalidate(name)
        if settle:
            self._await_commit(ctl)
            self.settle()

    def alter_topic_config(self, name: str, set_: dict | None = None, delete: Iterable[str] = (),
                           validate_only: bool = False, settle: bool = True) -> None:
        t = self.controller.image.topics.get(name)
        if t is None:
            raise UnknownTopicOrPartitionException(KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                                              f"Topic '{name}' does not exist."))
        typed = kconfig.validate_topic_configs(set_ or {})
        for k in delete:
            if k not in kconfig.topic_config_defaults():
                raise InvalidConfigurationException(KafkaError(Err.INVALID_CONFIG, f"Unknown topic config name: {k}"))
        if validate_only:
            return
        ctl = self._writer()
        for k in sorted(typed):
            ctl.set_topic_config(name, k, typed[k])
        for k in sorted(delete):
            if k in t.configs:
                ctl.set_topic_config(name, k, None)
        self._invalidate(name)
        if settle:
            self._await_commit(ctl)
            self.settle()

    def settle(self, ms: int | None = None) -> None:
        """Let metadata reach the brokers and leaders start (a few network round trips)."""
        self.sim.run_for(ms if ms is not None else 10)

    # -- views ------------------------------------------------------------------------------
    def topics(self) -> list[str]:
        return sorted(self.controller.image.topics)

    def describe(self, topic: str) -> TopicState:
        t = self.controller.image.topics.get(topic)
        if t is None:
            raise UnknownTopicOrPartitionException(KafkaError(Err.UNKNOWN_TOPIC_OR_PARTITION,
                                                              f"Topic '{topic}' does not exist."))
        return t

    def metadata_log(self) -> list:
        """The KRaft metadata log: its ``MetadataRecord``s (offset, time_ms, type, fields), oldest first
        (``kafkalab.viz.metadata_log_table`` draws it as a table)."""
        return list(self.controller.log)

    def leader_replica(self, topic: str, partition: int):
        p = self.controller.image.partition(topic, partition)
        if p is None or p.leader == NO_LEADER:
            return None
        return self.brokers[p.leader].replicas.get((topic, partition))

    def partition_log(self, topic: str, partition: int, broker: int | None = None):
        """The log of one replica (the leader's by default)."""
        if broker is None:
            p = self.describe(topic).partitions[partition]
            broker = p.leader if p.leader != NO_LEADER else p.replicas[0]
        return self.brokers[broker].logs.get((topic, partition))

    # -- faults -----------------------------------------------------------------------------
    # Every fault takes ``at_ms=`` to schedule it on the virtual clock instead of doing it now, and
    # leaves a ``fault.*`` event in the trace (tables and the ISR timeline show them).
    def _fault(self, at_ms: int | None, fn: Callable, *args) -> None:
        if at_ms is None or at_ms <= self.sim.now:
            fn(*args)
        else:
            self.sim.at(int(at_ms), fn, *args)

    def crash_broker(self, broker_id: int, at_ms: int | None = None) -> None:
        """Kill a broker at once (its log stays on disk); the controller fences it after
        ``broker.session.timeout.ms`` without heartbeats."""
        self._fault(at_ms, self._crash, broker_id)

    def _crash(self, broker_id: int) -> None:
        if self.brokers[broker_id].alive:
            self.sim.trace.emit("fault.crash", node=f"kafka-{broker_id}", broker=broker_id)
            self.brokers[broker_id].crash()
            self._combined_voter_down(broker_id)

    def _combined_voter_down(self, broker_id: int) -> None:
        """In combined mode (``process.roles=broker,controller``) the controller dies with its node."""
        n = self.quorum.voters.get(broker_id) if self.combined else None
        if n is not None and n.alive:
            n.crash()

    def restart_broker(self, broker_id: int, at_ms: int | None = None, wipe_disk: bool = False) -> None:
        """Start a stopped broker again with the log it had on disk; it re-registers, catches up on
        metadata, is unfenced, fetches from the leaders and rejoins the ISRs once caught up.
        ``wipe_disk=True``: a replacement host with an empty disk, which re-replicates everything."""
        b = self.brokers[broker_id]
        if at_ms is None and b.alive:
            raise RuntimeError(f"broker {broker_id} is already running")
        self._fault(at_ms, self._restart, broker_id, wipe_disk)

    def _restart(self, broker_id: int, wipe_disk: bool = False) -> None:
        b = self.brokers[broker_id]
        if not b.alive:
            self.sim.trace.emit("fault.restart", node=b.node, broker=broker_id, wipe_disk=wipe_disk)
            if wipe_disk:
                b.logs.clear()
                b.clean_shutdown = False  # nothing it had can be trusted (and it has nothing)
            b.start()
            n = self.quorum.voters.get(broker_id) if self.combined else None
            if n is not None and not n.alive:
                n.start()

    def stop_broker(self, broker_id: int, at_ms: int | None = None) -> None:
        """Controlled shutdown: leadership moves away first, then the broker stops (a clean shutdown)."""
        if at_ms is not None and at_ms > self.sim.now:
            self.sim.at(int(at_ms), self._stop_now, broker_id)
            return
        self._stop_now(broker_id)
        self.sim.run_for(5)

    def _stop_now(self, broker_id: int) -> None:
        b = self.brokers[broker_id]
        if not b.alive:
            return
        self.sim.trace.emit("broker.controlled_shutdown", node=b.node, broker=broker_id)
        ctl = self.active_controller()
        if ctl is not None and self.sim.network.connected(b.node, ctl.node):
            ctl.fence_broker(broker_id, controlled=True)
        # Simplification: the broker waits for the controller's go-ahead (a few ms here) and stops.
        self.sim.schedule(5, self._finish_stop, broker_id)

    def _finish_stop(self, broker_id: int) -> None:
        b = self.brokers[broker_id]
        if b.alive:
            b.clean_shutdown = True
            b.crash()
            self._combined_voter_down(broker_id)

    def partition_network(self, side_a: Iterable, side_b: Iterable, at_ms: int | None = None) -> None:
        """Cut every link between the nodes of ``side_a`` and of ``side_b`` (broker ids or node names,
        ``"controller"`` included)."""
        a, b = [self._node(x) for x in side_a], [self._node(x) for x in side_b]
        self._fault(at_ms, self.sim.network.partition, a, b)

    def heal_network(self, at_ms: int | None = None) -> None:
        """Restore every cut link (latencies set by :meth:`slow_follower` stay)."""
        self._fault(at_ms, self._heal_all)

    def _heal_all(self) -> None:
        self.sim.network.heal()
        self._links_healed()

    def _links_healed(self) -> None:
        # Simplification: a fetch lost while a link was cut would be retransmitted by TCP soon after
        # the link comes back; the followers resend their in-flight fetches at the heal instead.
        for bid in sorted(self.brokers):
            self.brokers[bid].resend_fetches()
        for vid in self.quorum.voter_ids:  # and the controllers their Fetch to the quorum leader
            self.quorum.voters[vid]._send_fetch()

    def isolate_broker(self, broker_id: int, at_ms: int | None = None) -> None:
        """Cut one broker off from every other node: brokers, the controller and the clients."""
        self._fault(at_ms, self._isolate, broker_id, None)

    def _others(self, node: str) -> list[str]:
        nodes = [b.node for b in self.brokers.values()] + [n.node for n in self.quorum.voters.values()] + \
            [c.node for c in self.clients if isinstance(getattr(c, "node", None), str)]
        return sorted(set(nodes) - {node})

    def _isolate(self, broker_id: int, duration_ms: int | None, peers: list[str] | None = None) -> None:
        node = f"kafka-{broker_id}"
        peers = peers if peers is not None else self._others(node)
        self.sim.trace.emit("fault.blip" if duration_ms else "fault.isolate", node=node, broker=broker_id,
                            peers=peers, duration_ms=duration_ms)
        self.sim.network.partition([node], peers)
        if duration_ms:
            self.sim.schedule(int(duration_ms), self._blip_end, node, peers)

    def _blip_end(self, node: str, peers: list[str]) -> None:
        self.sim.network.heal([node], peers)
        self.sim.trace.emit("fault.blip_end", node=node, peers=peers)
        self._links_healed()

    def network_blip(self, broker_id: int, duration_ms: int, peers: Iterable | None = None,
                     at_ms: int | None = None) -> None:
        """Cut ``broker_id`` off from ``peers`` (default: every node) for ``duration_ms``, then heal
        those links.  With ``peers=[leader]`` the broker still heartbeats the controller: a
        live-but-lagging follower, which only ``replica.lag.time.max.ms`` takes out of the ISR."""
        nodes = None if peers is None else sorted(self._node(p) for p in peers)
        self._fault(at_ms, self._isolate, broker_id, int(duration_ms), nodes)

    def slow_follower(self, broker_id: int, latency_ms: int, at_ms: int | None = None) -> None:
        """Every link between ``broker_id`` and the other brokers gets ``latency_ms`` one way
        (``latency_ms=None`` restores the default): a follower that keeps fetching, slowly."""
        self._fault(at_ms, self._slow, broker_id, latency_ms)

    def _slow(self, broker_id: int, latency_ms: int | None) -> None:
        node = f"kafka-{broker_id}"
        lat = self.sim.network.default_latency_ms if latency_ms is None else int(latency_ms)
        for b in self.brokers.values():
            if b.node != node:
                self.sim.network.set_latency(node, b.node, lat)
        self.sim.trace.emit("fault.slow", node=node, broker=broker_id, latency_ms=lat)

    def rolling_restart(self, brokers: Iterable[int] | None = None, down_ms: int = 20_000, at_ms: int | None = None,
                        controlled: bool = True, check_ms: int = 1000, wipe_disk: bool = False) -> None:
        """Replace brokers one at a time: stop (controlled shutdown, or crash), stay down ``down_ms``,
        start again (``wipe_disk``: on an empty disk), wait until it is back in every ISR it belongs
        to, then the next one."""
        order = sorted(self.brokers) if brokers is None else list(brokers)
        self._wipe_on_roll = wipe_disk
        self._fault(at_ms, self._roll, order, down_ms, controlled, check_ms)

    def _roll(self, order: list[int], down_ms: int, controlled: bool, check_ms: int) -> None:
        if not order:
            self.sim.trace.emit("fault.rolling_restart_done", node=self.controller.node)
            return
        b = order[0]
        self.sim.trace.emit("fault.replace", node=f"kafka-{b}", broker=b, down_ms=down_ms, controlled=controlled)
        if controlled:
            self._stop_now(b)
        else:
            self._crash(b)
        self.sim.schedule(down_ms, self._roll_restart, order, down_ms, controlled, check_ms)

    def _roll_restart(self, order: list[int], down_ms: int, controlled: bool, check_ms: int) -> None:
        self._restart(order[0], getattr(self, "_wipe_on_roll", False))
        self.sim.schedule(check_ms, self._roll_wait, order, down_ms, controlled, check_ms)

    def _roll_wait(self, order: list[int], down_ms: int, controlled: bool, check_ms: int) -> None:
        b = order[0]
        image = self.controller.image
        behind = [p for t in image.topics.values() for p in t.partitions if b in p.replicas and b not in p.isr]
        if behind:
            self.sim.schedule(check_ms, self._roll_wait, order, down_ms, controlled, check_ms)
        else:
            self.sim.trace.emit("fault.replaced", node=f"kafka-{b}", broker=b)
            self._roll(order[1:], down_ms, controlled, check_ms)

    def _node(self, x) -> str:
        if isinstance(x, int):
            return f"kafka-{x}"
        bid = self.resolve_host(str(x))
        return f"kafka-{bid}" if bid is not None else str(x)

    def elect_preferred_leaders(self, topic: str | None = None) -> list:
        ctl = self._writer()
        moved = ctl.preferred_leader_election(topic)
        self._await_commit(ctl)
        self.settle()
        return moved

    # -- clients ------------------------------------------------------------------------------
    # Conveniences: ``cluster.producer(conf)`` is ``Producer(conf, cluster=cluster)``.  The client
    # packages sit above this model and register their classes in CLIENT_FACTORIES when imported
    # (``import kafkalab`` imports them), so cluster/ never imports clients/ or tools/.
    def producer(self, conf: dict | None = None, **kw):
        return _factory("producer")(dict(conf or {}), cluster=self, **kw)

    def consumer(self, conf: dict | None = None, **kw):
        return _factory("consumer")(dict(conf or {}), cluster=self, **kw)

    def share_consumer(self, conf: dict | None = None, **kw):
        """A ``ShareConsumer`` (KIP-932) on this cluster; share groups need ``profile="4.2"`` (or the
        ``share.version`` feature)."""
        return _factory("share_consumer")(dict(conf or {}), cluster=self, **kw)

    def admin(self, conf: dict | None = None):
        return _factory("admin")(dict(conf or {"bootstrap.servers": "kafka-1:9092"}), cluster=self)

    def cli(self, command: str):
        """Run Kafka shell command lines (``kafka-topics.sh ...``; see :mod:`kafkalab.tools`) against this cluster."""
        return _factory("cli")(command, lambda servers: self.admin({"bootstrap.servers": servers or "kafka-1:9092"}))

    def __repr__(self) -> str:
        live = [b for b in self.brokers.values() if b.alive]
        return (f"<Cluster {self.name}: {len(live)}/{len(self.brokers)} brokers up, {len(self.topics())} topics, "
                f"t={self.now} ms>")
