"""Version profiles: the defaults and behaviours that changed between Kafka versions, as one table.

``Cluster(profile="2.8")`` builds a cluster whose brokers, controller and Java clients follow the
defaults of that version; ``Cluster()`` (no profile) is ``"4.0"``, which is what the simulator has
always done, so nothing written before profiles existed changes.  Every difference lives in
:data:`CHANGES`, one row per setting, and the code that needs a value asks :func:`value` for it
(``value("4.2", "producer/linger.ms")`` is 5): there is no ``if version < ...`` anywhere else.

==========  ==================================================================================
profile     stands for
==========  ==================================================================================
``2.8``     Kafka 2.4–2.8: ZooKeeper controller, ``acks=1`` and no idempotence by default, KIP-480 sticky
``3.0``     Kafka 3.0–3.1: KIP-679 nominally on, but the Java producer did not apply it (KAFKA-13598)
``3.3``     Kafka 3.3–3.9: idempotence really on (3.2), KIP-794 partitioner, KRaft production-ready
``4.0``     Kafka 4.0: KRaft only, KIP-848 GA, ``linger.ms=5`` (KIP-1030), ``transaction.version=2``
``4.2``     Kafka 4.1–4.2: ELR on for new clusters (4.1), share groups production-ready (4.2)
==========  ==================================================================================

``kafkalab.viz.version_table()`` renders the table from these rows, each citing its KIP.

Only the Java client's defaults move with the profile: librdkafka has its own release train
(``acks=all`` since 1.0, idempotence off, ``linger.ms=5``), so the ``Producer`` of
``kafkalab.confluent_kafka`` behaves the same on every profile.
"""
from __future__ import annotations

from dataclasses import dataclass

PROFILES: tuple[str, ...] = ("2.8", "3.0", "3.3", "4.0", "4.2")
#: The profile of ``Cluster()``: the behaviour the simulator had before profiles (Kafka 4.0).
DEFAULT_PROFILE = "4.0"
#: What each profile stands for, in words (the column headers of the table).
PROFILE_RANGE = {"2.8": "2.4–2.8", "3.0": "3.0–3.1", "3.3": "3.3–3.9", "4.0": "4.0", "4.2": "4.1–4.2"}


@dataclass(frozen=True)
class Change:
    """One setting or behaviour that differs between profiles.

    ``key`` is what the code asks for: ``producer/…`` are Java ``ProducerConfig`` defaults,
    ``broker/…`` broker settings of ``Cluster.broker_config``, ``feature/…`` feature levels and
    behaviours.  ``values`` has one entry per profile; ``shown`` what the table prints when the
    value alone would mislead (the 3.0 idempotence default).
    """

    key: str
    what: str
    kip: str
    values: dict
    source: str
    effect: str
    shown: dict | None = None

    def display(self, profile: str) -> str:
        if self.shown and profile in self.shown:
            return self.shown[profile]
        v = self.values[profile]
        return str(v).lower() if isinstance(v, bool) else str(v)


def _row(key, what, kip, values, source, effect, shown=None) -> Change:
    assert len(values) == len(PROFILES), key
    return Change(key, what, kip, dict(zip(PROFILES, values, strict=True)), source, effect, shown)


#: The one table.  Sources are Kafka's code, KIPs, release notes and JIRA tickets (read with the
#: kit's search tools); the ``effect`` column is what a learner sees change in the simulator.
CHANGES: tuple[Change, ...] = (
    _row("producer/acks", "Java producer: acks default", "KIP-679",
         ("1", "all", "all", "all", "all"),
         "KIP-679 (ProducerConfig ACKS_CONFIG default \"all\" from 3.0.0, KAFKA-10619)",
         "acks=1: a leader crash right after the ack loses the write"),
    _row("producer/enable.idempotence", "Java producer: enable.idempotence in effect", "KIP-679",
         (False, False, True, True, True),
         "KIP-679; 3.0.0 set the default to true but ProducerConfig#idempotenceEnabled still read false unless "
         "it was set explicitly (KAFKA-13598, apache/kafka PR #11691, fixed in 3.2.0); KAFKA-13673 (3.2) turns "
         "it off silently when acks/retries/max.in.flight conflict",
         "a retried batch after a lost ProduceResponse is appended twice (a duplicate)",
         shown={"3.0": "false (default says true: KAFKA-13598)"}),
    _row("producer/linger.ms", "Java producer: linger.ms default", "KIP-1030",
         (0, 0, 0, 5, 5),
         "KIP-1030 (Kafka 4.0: linger.ms 0 -> 5)",
         "records sent together share one batch instead of one request each"),
    _row("producer/partitioner", "Java producer: records without a key", "KIP-480, KIP-794",
         ("KIP-480", "KIP-480", "KIP-794", "KIP-794", "KIP-794"),
         "KIP-480 (2.4: DefaultPartitioner sticks to a partition until a new batch is needed, onNewBatch); "
         "KIP-794 (3.3: BuiltInPartitioner switches after batch.size bytes)",
         "with linger.ms=0 KIP-480 moves to another partition at every new batch; KIP-794 stays for 16 KB",
         shown={p: ("sticky per batch (KIP-480)" if p in ("2.8", "3.0") else "uniform sticky (KIP-794)")
                for p in PROFILES}),
    _row("broker/controller", "metadata and controller", "KIP-500, KIP-833",
         ("ZooKeeper", "ZooKeeper", "ZooKeeper or KRaft", "KRaft only", "KRaft only"),
         "KIP-500 (KRaft early access 2.8); KIP-833 (KRaft production-ready 3.3); ZooKeeper removed in 4.0",
         "ZooKeeper profiles: a dead broker is noticed when its ZooKeeper session expires"),
    _row("broker/broker.session.timeout.ms", "how long a silent broker stays alive", "KIP-537, KIP-631",
         (18000, 18000, 9000, 9000, 9000),
         "KIP-537 (zookeeper.session.timeout.ms 6 s -> 18 s in 2.5); KIP-631 (KRaft broker.session.timeout.ms "
         "9 s); 3.3 is shown in KRaft mode",
         "a crashed leader is replaced after 18 s (ZooKeeper session) instead of 9 s (KRaft fencing)",
         shown={"2.8": "18000 (zookeeper.session.timeout.ms)", "3.0": "18000 (zookeeper.session.timeout.ms)"}),
    _row("feature/kip848", "consumer groups: group.protocol=consumer", "KIP-848",
         (False, False, False, True, True),
         "KIP-848 (early access 3.7, preview 3.8, GA 4.0)",
         "before 4.0 the broker answers ConsumerGroupHeartbeat with UNSUPPORTED_VERSION",
         shown={"2.8": "no", "3.0": "no", "3.3": "no (early access 3.7)", "4.0": "GA", "4.2": "GA"}),
    _row("broker/eligible.leader.replicas.enable", "Eligible Leader Replicas (ELR)", "KIP-966",
         (False, False, False, False, True),
         "KIP-966 (preview in 4.0: eligible.leader.replicas.version=0; on by default for new clusters in 4.1, "
         "kafka.apache.org/41/operations/eligible-leader-replicas)",
         "with ELR a replica that left the ISR cleanly may still be elected, without data loss",
         shown={"4.0": "false (preview)"}),
    _row("feature/share.version", "share groups (queues)", "KIP-932",
         (0, 0, 0, 0, 1),
         "KIP-932 (early access 4.0, preview 4.1, production-ready 4.2; enabled by the share.version feature)",
         "a ShareConsumer gets UNSUPPORTED_VERSION unless share.version is 1",
         shown={"2.8": "no", "3.0": "no", "3.3": "no", "4.0": "early access (off)", "4.2": "on (share.version=1)"}),
    _row("feature/share.renew", "share groups: AcknowledgeType.RENEW", "KIP-1222",
         (False, False, False, False, True),
         "KIP-1222 (Kafka 4.2: RENEW extends a record's acquisition lock; Java AcknowledgeType.RENEW = 4)",
         "a slow consumer can keep its records past share.record.lock.duration.ms",
         shown={"2.8": "no", "3.0": "no", "3.3": "no", "4.0": "no", "4.2": "yes"}),
    _row("broker/transaction.version", "transaction.version feature", "KIP-890",
         (0, 0, 0, 2, 2),
         "KIP-890 (transaction.version=2 on clusters formatted by 4.0+: epoch bump at every commit/abort)",
         "TV2: a late write from a previous transaction of the same producer is fenced"),
)

_BY_KEY = {c.key: c for c in CHANGES}


def check_profile(profile: str | None) -> str:
    """The profile name (``None`` -> :data:`DEFAULT_PROFILE`); ``ValueError`` for an unknown one."""
    p = DEFAULT_PROFILE if profile is None else str(profile)
    if p not in PROFILES:
        raise ValueError(f"unknown Kafka version profile {profile!r}: choose one of {', '.join(PROFILES)}")
    return p


def value(profile: str | None, key: str):
    """The value of ``key`` under ``profile`` (``value("2.8", "producer/acks")`` is ``"1"``)."""
    return _BY_KEY[key].values[check_profile(profile)]


def broker_defaults(profile: str | None) -> dict:
    """The broker settings (``Cluster.broker_config`` keys) that ``profile`` changes."""
    p = check_profile(profile)
    return {c.key[len("broker/"):]: c.values[p] for c in CHANGES
            if c.key.startswith("broker/") and not isinstance(c.values[p], str)}


def java_producer_defaults(profile: str | None) -> dict:
    """The Java ``ProducerConfig`` defaults that ``profile`` changes (acks, enable.idempotence, linger.ms)."""
    p = check_profile(profile)
    return {c.key[len("producer/"):]: c.values[p] for c in CHANGES
            if c.key.startswith("producer/") and c.key != "producer/partitioner"}


def java_partitioner(profile: str | None) -> str:
    """``"KIP-480"`` or ``"KIP-794"``: how the profile's Java producer spreads records without a key."""
    return value(profile, "producer/partitioner")


def features(profile: str | None) -> dict:
    """Feature levels and behaviours of ``profile`` (``share.version``, ``kip848``)."""
    p = check_profile(profile)
    return {c.key[len("feature/"):]: c.values[p] for c in CHANGES if c.key.startswith("feature/")}


def controller_mode(profile: str | None) -> str:
    """``"ZooKeeper"`` or ``"KRaft"``: what the profile's controller stands for in the trace."""
    return "ZooKeeper" if value(profile, "broker/controller") == "ZooKeeper" else "KRaft"


def differences(a: str, b: str) -> list[Change]:
    """The rows whose value differs between profiles ``a`` and ``b``."""
    a, b = check_profile(a), check_profile(b)
    return [c for c in CHANGES if c.values[a] != c.values[b]]


__all__ = ["CHANGES", "DEFAULT_PROFILE", "PROFILES", "PROFILE_RANGE", "Change", "broker_defaults", "check_profile",
           "controller_mode", "differences", "features", "java_partitioner", "java_producer_defaults", "value"]
