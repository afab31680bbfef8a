"""``KafkaStreams`` on the simulated cluster: internal topics, commits and caching, crashes, rebalances, errors.

Kafka behaviour checked (apache/kafka ``streams/src/main/java``):

* ``ProcessorStateManager.storeChangelogTopic``: changelog = ``<application.id>-<store>-changelog``;
  internal topics get the application id as prefix (``InternalTopologyBuilder.decorateTopic``).
* ``StreamsPartitionAssignor.setRepartitionTopicMetadataNumberOfPartitions``: a repartition topic has the
  partition count of the topics read by the sub-topology that writes it; changelogs have one partition
  per task.
* ``CopartitionedTopicsEnforcer.getSamePartitions``: ``"Topics not co-partitioned: [{a=6, b=3}]"``
  (a ``TopologyException``, thrown during the rebalance — the thread dies, the client goes to ERROR).
* ``StreamsRebalanceListener``: ``MissingSourceTopicException("One or more source topics were missing
  during rebalance")``; ``TopologyMetadata.numStreamThreads``: an empty topology is refused at construction.
* ``StreamThread``: commit every ``commit.interval.ms`` after flushing the caches (``TaskManager.commit``);
  with caching the output holds at most one update per key and commit, with
  ``statestore.cache.max.bytes=0`` every update.
* At-least-once: after a crash the new owner restores the store from the changelog and processes again
  everything after the last committed offset, so updates that reached the changelog after that commit are
  counted twice.
"""
from __future__ import annotations

import pytest

from kafkalab import Cluster
from kafkalab.ecosystem.streams import (
    Consumed,
    Grouped,
    Materialized,
    Produced,
    Serdes,
    StreamsBuilder,
    TopologyException,
)
from kafkalab.ecosystem.streams.lab import clicks_and_profiles, drive, guide_topology, run_app, windowed_serde
from kafkalab.ecosystem.streams.runtime import KafkaStreams, State
from kafkalab.errors import ConfigException

S, L = Serdes.String(), Serdes.Long()


def word_count():
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(S, S)).flat_map_values(str.split).group_by(lambda k, v: v, Grouped.with_(S, S))
     .count(Materialized.as_("counts")).to_stream().to("counts-out", Produced.with_(S, L)))
    return b.build()


def key_count():
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(S, S)).group_by_key().count(Materialized.as_("counts")).to_stream()
     .to("counts-out", Produced.with_(S, L)))
    return b.build()


def words(n: int, keys: int = 13, start: int = 1000, step: int = 100):
    return [(f"w{i % keys}", f"w{i % keys}", start + i * step) for i in range(n)]


SERDES = {"words": (S, S)}


def final(run, topic="counts-out"):
    out = {}
    for k, v, *_ in run.outputs[topic]:
        out[S.deserialize(None, k)] = L.deserialize(None, v)
    return out


def test_word_count_on_the_cluster_matches_the_test_driver_and_makes_kafkas_internal_topics():
    lines = [(None, "the cat sat on the mat", 1000 + i * 500) for i in range(40)]
    run = run_app(word_count, {"words": lines}, output_serdes=SERDES, application_id="wc",
                  partitions={"words": 4}, run_ms=60_000)
    _, outs = drive(word_count(), {"words": lines}, input_serdes=SERDES, output_serdes={"counts-out": (S, L)})
    assert final(run) == {r.key: r.value for r in outs["counts-out"]} == {"the": 80, "cat": 40, "sat": 40, "on": 40,
                                                                           "mat": 40}
    cl = run.cluster
    repart = "wc-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition"
    assert "wc-counts-changelog" in cl.topics() and repart not in cl.topics()  # named store: named repartition
    repart = "wc-counts-repartition"
    assert len(cl.describe(repart).partitions) == 4 and len(cl.describe("wc-counts-changelog").partitions) == 4
    assert cl.topic_config("wc-counts-changelog")["cleanup.policy"] == ["compact"]
    assert run.apps[0].state() is State.RUNNING
    meta = run.apps[0].metadata_for_local_threads()
    assert meta[0]["thread_name"].endswith("-StreamThread-1") and meta[0]["thread_name"].startswith("wc-")
    assert sorted(t["task_id"] for t in meta[0]["active_tasks"]) == ["0_0", "0_1", "0_2", "0_3", "1_0", "1_1", "1_2",
                                                                     "1_3"]


def test_caching_emits_one_update_per_key_per_commit_and_no_cache_emits_every_update():
    recs = words(600, keys=5, step=50)  # 30 s of records, 5 keys
    cached = run_app(key_count, {"words": recs}, props={"commit.interval.ms": 10_000}, output_serdes=SERDES,
                     time_scale=1.0, run_ms=60_000)
    uncached = run_app(key_count, {"words": recs}, props={"statestore.cache.max.bytes": 0}, output_serdes=SERDES,
                       time_scale=1.0, run_ms=60_000)
    assert final(cached) == final(uncached) == {f"w{i}": 120 for i in range(5)}
    assert len(uncached.outputs["counts-out"]) == 600
    commits = [e for e in cached.trace.filter("streams.commit") if e.fields["flushed"]]
    # one output record and one changelog record per key and commit that had updates, no more
    assert len(cached.outputs["counts-out"]) <= 5 * len(commits) < 600


def test_guide_topology_runs_and_its_counts_equal_the_test_drivers():
    clicks, profiles = clicks_and_profiles()
    run = run_app(guide_topology, {"clicks": clicks, "user-profiles": profiles}, run_ms=120_000)
    ws = windowed_serde()
    got = {}
    for k, v, *_ in run.outputs["clicks-per-user-5m-output"]:
        got[ws.deserialize(None, k)] = L.deserialize(None, v)
    _, outs = drive(guide_topology(), {"clicks": clicks, "user-profiles": profiles},
                    output_serdes={"clicks-per-user-5m-output": (ws, L)})
    expect = {}
    for r in outs["clicks-per-user-5m-output"]:
        expect[r.key] = r.value
    assert got == expect
    assert len(run.outputs["clicks-per-user-5m-output"]) < len(outs["clicks-per-user-5m-output"])


def crash_run(crash_at_ms: int | None, cache: int = 0, seed: int = 1):
    return run_app(key_count, {"words": words(600, keys=13, step=100)}, instances=2, output_serdes=SERDES,
                   props={"statestore.cache.max.bytes": cache, "commit.interval.ms": 5000}, time_scale=1.0,
                   partitions={"words": 4}, crash=None if crash_at_ms is None else 0, crash_at_ms=crash_at_ms,
                   seed=seed, run_ms=200_000)


def changelog_excess(run) -> int:
    """Updates the crashed instance wrote to its changelogs after its last commit: they are restored by the
    new owner, which then processes their input records again."""
    crash = run.trace.filter("streams.crash")[0]
    victim = run.apps[0]
    commits = [e for e in run.trace.filter("streams.commit") if e.node.startswith(victim.client_id) and e.fields["ok"]
               and e.time_ms <= crash.time_ms]
    last = commits[-1].fields["changelog_end_offsets"] if commits else {}
    excess = 0
    for e in run.trace.filter("streams.restore_start"):
        if e.time_ms > crash.time_ms:
            excess += e.fields["end_offset"] - last.get(f"{e.fields['changelog']}-{e.fields['partition']}", 0)
    return excess


@pytest.mark.parametrize("crash_at_ms", [32_000, 46_500])
def test_restore_after_a_crash_under_at_least_once_may_count_twice_what_was_logged_after_the_last_commit(
        crash_at_ms):
    base = crash_run(None)
    crashed = crash_run(crash_at_ms)
    a, b = base.store("counts"), crashed.store("counts")
    assert set(a) == set(b) and all(b[k] >= a[k] for k in a)
    restores = crashed.trace.filter("streams.restore_end")
    assert restores and all(e.fields["restored"] > 0 for e in restores)  # the survivor rebuilt the lost tasks
    excess = changelog_excess(crashed)
    assert sum(b.values()) - sum(a.values()) == excess
    crash = crashed.trace.filter("streams.crash")[0].fields
    assert excess == crash["changelog_since_commit"] <= crash["processed_since_commit"]


def test_with_caching_the_changelog_is_written_at_commit_so_a_crash_between_commits_doubles_nothing():
    base = crash_run(None, cache=10 * 1024 * 1024)
    crashed = crash_run(46_500, cache=10 * 1024 * 1024)
    assert crashed.store("counts") == base.store("counts")
    assert crashed.trace.filter("streams.crash")[0].fields["changelog_since_commit"] == 0


def test_a_new_instance_takes_tasks_over_and_restores_them_without_changing_the_counts():
    recs = words(600, keys=13, step=100)
    alone = run_app(key_count, {"words": recs}, output_serdes=SERDES, partitions={"words": 4}, time_scale=1.0,
                    run_ms=120_000)
    joined = run_app(key_count, {"words": recs}, output_serdes=SERDES, partitions={"words": 4}, time_scale=1.0,
                     run_ms=120_000, add_instance_at_ms=30_000)
    assert joined.store("counts") == alone.store("counts") == {f"w{i}": len([r for r in recs if r[0] == f"w{i}"])
                                                               for i in range(13)}
    assigned = joined.trace.filter("streams.tasks_assigned")
    owners = {e.node.split("-StreamThread")[0]: e.fields["tasks"] for e in assigned}
    assert len(owners) == 2 and sorted(t for ts in owners.values() for t in ts) == ["0_0", "0_1", "0_2", "0_3"]
    moved = [e for e in joined.trace.filter("streams.restore_end") if e.time_ms > 30_000]
    assert moved, "the new owner restores the tasks it takes over from their changelogs"


def test_two_threads_are_two_group_members_sharing_the_tasks():
    run = run_app(key_count, {"words": words(100)}, props={"num.stream.threads": 2}, output_serdes=SERDES,
                  partitions={"words": 4}, run_ms=30_000)
    meta = run.apps[0].metadata_for_local_threads()
    assert [len(t["active_tasks"]) for t in meta] == [2, 2]
    members = {e.fields["client_id"] for e in run.trace.filter("group.join", group="clicks-app")}
    assert members == {t["consumer_client_id"] for t in meta}


def test_joining_topics_that_are_not_co_partitioned_kills_the_thread_with_kafkas_message():
    clicks, profiles = clicks_and_profiles(minutes=2)
    run = run_app(guide_topology, {"clicks": clicks, "user-profiles": profiles},
                  partitions={"clicks": 6, "user-profiles": 3}, run_ms=10_000)
    app = run.apps[0]
    assert app.state() is State.ERROR
    assert isinstance(app.last_error, TopologyException)
    assert str(app.last_error).startswith("Invalid topology: stream-thread [")
    assert str(app.last_error).endswith("] Topics not co-partitioned: [{clicks=6, user-profiles=3}]")
    states = [(e.fields["old"], e.fields["new"]) for e in run.trace.filter("streams.state")]
    assert states == [("CREATED", "REBALANCING"), ("REBALANCING", "PENDING_ERROR"), ("PENDING_ERROR", "ERROR")]


def test_a_missing_source_topic_is_a_missing_source_topic_exception():
    cluster = Cluster(brokers=3, seed=3)
    app = KafkaStreams(key_count(), {"application.id": "x", "bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    app.start()
    cluster.run(5000)
    assert app.state() is State.ERROR
    assert type(app.last_error).__name__ == "MissingSourceTopicException"
    assert str(app.last_error) == "One or more source topics were missing during rebalance"


def test_an_empty_topology_and_bad_configs_are_refused_up_front():
    cluster = Cluster(brokers=1, seed=3)
    with pytest.raises(TopologyException, match="Topology has no stream threads and no global threads, must subscribe "
                                                "to at least one source topic or global table."):
        KafkaStreams(StreamsBuilder().build(), {"application.id": "x", "bootstrap.servers": "kafka-1:9092"},
                     cluster=cluster)
    with pytest.raises(ConfigException, match="Invalid value exactly_once for configuration processing.guarantee: "
                                              "String must be one of: at_least_once, exactly_once_v2"):
        KafkaStreams(key_count(), {"application.id": "x", "bootstrap.servers": "k:9092",
                                   "processing.guarantee": "exactly_once"}, cluster=cluster)
    with pytest.raises(ConfigException, match="Missing required configuration \"application.id\""):
        KafkaStreams(key_count(), {"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    with pytest.raises(ConfigException, match="commit.interval.ms: Value must be at least 0"):
        KafkaStreams(key_count(), {"application.id": "x", "bootstrap.servers": "k:9092", "commit.interval.ms": -1},
                     cluster=cluster)


def test_state_listener_sees_kafkas_transitions_and_queries_need_a_started_client():
    from kafkalab.ecosystem.streams import StreamsNotStartedException

    cluster = Cluster(brokers=3, seed=5)
    cluster.create_topic("words", partitions=2, replication_factor=3)
    cluster.create_topic("counts-out", partitions=2, replication_factor=3)
    app = KafkaStreams(key_count(), {"application.id": "x", "bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    seen = []
    app.set_state_listener(lambda new, old: seen.append((old.value, new.value)))
    with pytest.raises(StreamsNotStartedException):
        app.store("counts")
    app.start()
    cluster.run(20_000)
    app.close()
    assert seen == [("CREATED", "REBALANCING"), ("REBALANCING", "RUNNING"), ("RUNNING", "PENDING_SHUTDOWN"),
                    ("PENDING_SHUTDOWN", "NOT_RUNNING")]


def test_same_seed_same_trace():
    digests = {crash_run(40_000, seed=9).trace.digest() for _ in range(2)}
    assert len(digests) == 1
