"""Version profiles: one table drives the defaults; Cluster() keeps today's (4.0) behaviour; each difference
changes an outcome (version_lab).

Sources are cited in ``kafkalab.profiles.CHANGES``: KIP-679 with KAFKA-13598 (apache/kafka PR #11691: 3.0's
default did not take effect until 3.2), KIP-1030 (linger.ms 5 in 4.0), KIP-537 (zookeeper.session.timeout.ms
18 s), KIP-848 (GA 4.0), KIP-966 (ELR on by default for new clusters in 4.1), KIP-932 (share groups 4.2),
KIP-1222 (RENEW), KIP-890 (transaction.version 2).
"""
import pytest

from kafkalab import Cluster, profiles, version_lab
from kafkalab.cluster.cluster import BROKER_DEFAULTS
from kafkalab.config import JAVA_PRODUCER_DEFAULTS


def test_the_default_profile_is_what_the_simulator_always_did():
    assert profiles.DEFAULT_PROFILE == "4.0"
    for k, v in profiles.broker_defaults(None).items():
        assert BROKER_DEFAULTS[k] == v, k
    for k, v in profiles.java_producer_defaults(None).items():
        assert JAVA_PRODUCER_DEFAULTS[k] == v, k
    c = Cluster(seed=1)
    assert "profile" not in c.trace.events[0].fields and c.trace.events[0].fields["mode"] == "KRaft"


def test_every_row_has_a_value_per_profile_and_a_kip():
    for ch in profiles.CHANGES:
        assert set(ch.values) == set(profiles.PROFILES)
        assert ch.kip.startswith("KIP-") and ch.source and ch.effect


def test_unknown_profile_and_feature_are_refused():
    with pytest.raises(ValueError, match="unknown Kafka version profile"):
        Cluster(profile="1.0")
    with pytest.raises(ValueError, match="unknown feature"):
        Cluster(profile="4.2", features={"zk": 1})


def test_profiles_switch_broker_settings():
    zk, kraft, new = (Cluster(profile=p, seed=1) for p in ("2.8", "3.3", "4.2"))
    assert zk.broker_config["broker.session.timeout.ms"] == 18000 and zk.trace.events[0].fields["mode"] == "ZooKeeper"
    assert kraft.broker_config["broker.session.timeout.ms"] == 9000
    assert new.broker_config["eligible.leader.replicas.enable"] is True
    assert zk.broker_config["transaction.version"] == 0 and new.broker_config["transaction.version"] == 2
    # describe_configs calls the profile's own defaults DEFAULT_CONFIG
    from kafkalab.clients.admin import _describe_broker

    assert _describe_broker(zk, "1")["broker.session.timeout.ms"].is_default


def test_the_same_java_producer_code_duplicates_and_loses_under_2_8_only():
    old, mid, new = (version_lab.java_producer_faults(p) for p in ("2.8", "3.0", "4.2"))
    assert old.config == {"acks": "1", "enable.idempotence": False, "linger.ms": 0}
    assert old.duplicates == ["order-2"] and old.lost == ["order-3"]
    assert mid.duplicates == ["order-2"] and mid.lost == []  # KAFKA-13598
    assert new.duplicates == [] and new.lost == [] and new.stored == ["order-1", "order-2", "order-3"]


def test_linger_failover_kip848_and_share_groups_by_profile():
    assert version_lab.linger_requests("3.3") > version_lab.linger_requests("4.0") == 1
    assert version_lab.failover_ms("2.8") > 18_000 > version_lab.failover_ms("4.0") > 9_000
    assert version_lab.new_protocol_consumer("3.3") == "UNSUPPORTED_VERSION"
    assert version_lab.new_protocol_consumer("4.0").startswith("assigned")
    assert version_lab.share_consumer_available("4.0") == "UNSUPPORTED_VERSION"
    assert version_lab.share_consumer_available("4.2") == "ok"


def test_version_table_comes_from_the_profiles():
    from kafkalab.viz import version_table

    t = version_table()
    assert len(t) == len(profiles.CHANGES) and list(t["KIP"]) == [c.kip for c in profiles.CHANGES]
    assert t.loc["Java producer: acks default", "2.8 (2.4–2.8)"] == "1"
    small = version_table(["4.0", "4.2"], changed_only=True, effects=True)
    assert set(small.index) == {c.what for c in profiles.differences("4.0", "4.2")} and "what you see" in small


def test_elr_and_transaction_version_by_profile():
    """KIP-966: the 4.2 profile elects the clean ELR member B2 where 4.0 leaves the partition offline;
    KIP-890: with transaction.version=2 each commit bumps the epoch."""
    assert version_lab.elr_leader("4.0") is None and version_lab.elr_leader("4.2") == 2
    assert version_lab.txn_epochs("3.3") == [0, 0, 0] and version_lab.txn_epochs("4.0") == [0, 1, 2]


def test_kip480_moves_at_every_new_batch_kip794_stays():
    """KIP-480 (StickyPartitionCache + onNewBatch) under 2.8's linger.ms=0 spreads a burst; KIP-794 keeps it on
    one partition until batch.size bytes."""
    old, new = version_lab.keyless_spread("2.8"), version_lab.keyless_spread("3.3")
    assert sum(old) == sum(new) == 12
    assert sum(1 for n in old if n) > 1 and max(new) == 12
