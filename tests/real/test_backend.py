"""kafkalab.connect(...) on real brokers: the renderers that take a simulated cluster take the handle.

Each expectation is computed from what the real client itself reported (delivery reports, its
own assignment), never typed in.
"""
from __future__ import annotations

import time
from collections import Counter

import matplotlib
import pytest

from kafkalab import viz
from kafkalab.real import NotServedError

from .conftest import (
    MOCK_NO_CONTROLLER,
    MOCK_NO_DESCRIBE_GROUPS,
    MOCK_NO_TXN_FETCH,
    TANSU_CONFIG_SOURCE,
    TANSU_JOIN,
    TANSU_LIST_OFFSETS,
    TANSU_LSO_LIST_OFFSETS,
    TANSU_NO_ABORTED,
    TANSU_NO_MEMBERS,
    make_topic,
    produce,
)

matplotlib.use("Agg")


def test_describe_topic_and_replica_graph_come_from_metadata(cluster):
    topic, n = make_topic(cluster, 3)
    md = cluster.metadata().topics[topic]
    df = viz.describe_topic(cluster, topic)
    assert list(df["Partition"]) == sorted(md.partitions)
    for _, row in df.iterrows():
        pm = md.partitions[row["Partition"]]
        assert row["Leader"] == pm.leader and row["Replicas"] == ",".join(map(str, pm.replicas))
        assert row["Isr"] == ",".join(map(str, pm.isrs))
    assert df.attrs["replication_factor"] == len(md.partitions[0].replicas)
    ax = viz.replica_graph(cluster, topic)
    assert len(ax.collections) >= 2  # broker and partition nodes, edges
    edges = viz.replica_edges(cluster, topic)
    assert len(edges) == sum(len(p.replicas) for p in md.partitions.values())
    assert Counter(role for _, _, role in edges)["leader"] == n  # every partition led, all brokers alive
    assert set(cluster.brokers) == set(cluster.metadata().brokers)


def test_partition_load_counts_what_the_producer_was_told(cluster, request):
    if cluster.kind == "tansu":
        request.applymarker(pytest.mark.xfail(strict=True, reason=TANSU_LIST_OFFSETS))
    topic, n = make_topic(cluster, 3)
    reports = produce(cluster, topic, [(f"user-{i % 7}", f"v{i}", None) for i in range(40)])
    delivered = Counter(p for _, p, _ in reports)
    df = viz.partition_load(cluster, topic)
    assert dict(zip(df["partition"], df["records"])) == {p: delivered.get(p, 0) for p in range(n)}


def test_log_table_and_watermarks_match_delivery_reports(cluster):
    topic, _n = make_topic(cluster, 1)
    reports = produce(cluster, topic, [(f"k{i}", f"v{i}", 0) for i in range(6)], {"linger.ms": 0})
    log = cluster.partition_log(topic, 0)
    log.records()
    df = viz.log_table(cluster, topic, 0)
    assert list(df["offset"]) == [o for _, _, o in reports]
    assert list(df["key"]) == [k for k, _, _ in reports]
    # The Fetch's HW (tansu's ListOffsets under-counts a multi-record batch: see test_partition_load_...)
    assert log.high_watermark == max(o for _, _, o in reports) + 1 == log.fetch_high_watermark
    assert log.log_start_offset == 0 and log.gaps == []


def _transactions(cluster, topic: str):
    """Commit two records, abort one, leave one open: returns (delivery offsets, open producer)."""
    tp = cluster.producer({"transactional.id": f"tx-{topic}"})
    tp.init_transactions(10)
    offsets = {}

    def dr(tag):
        return lambda err, msg: offsets.setdefault(tag, []).append(msg.offset())

    tp.begin_transaction()
    for i in range(2):
        tp.produce(topic, partition=0, value=f"c{i}", on_delivery=dr("committed"))
    tp.commit_transaction(10)
    tp.begin_transaction()
    tp.produce(topic, partition=0, value="a", on_delivery=dr("aborted"))
    tp.flush(10)
    tp.abort_transaction(10)
    return offsets, tp


def test_control_records_are_the_offset_gaps(cluster):
    """A commit or abort marker takes an offset that no consumer receives (KIP-98): the gaps between
    delivered offsets below the HW are exactly the markers."""
    topic, _ = make_topic(cluster, 1)
    offsets, _tp = _transactions(cluster, topic)
    log = cluster.partition_log(topic, 0)
    data = offsets["committed"] + offsets["aborted"]
    assert log.high_watermark == max(data) + 2  # the abort marker follows the aborted record
    assert log.gaps == sorted(set(range(log.high_watermark)) - set(data))
    assert len(log.gaps) == 2


def test_read_committed_filters_aborted_records(cluster, request):
    if cluster.kind == "mock":
        pytest.skip(MOCK_NO_TXN_FETCH)
    if cluster.kind == "tansu":
        request.applymarker(pytest.mark.xfail(strict=True, reason=TANSU_NO_ABORTED))
    topic, _ = make_topic(cluster, 1)
    offsets, _tp = _transactions(cluster, topic)
    log = cluster.partition_log(topic, 0)
    assert log.aborted == offsets["aborted"]


def test_open_transaction_holds_read_committed_at_the_lso(cluster):
    if cluster.kind == "mock":
        pytest.skip(MOCK_NO_TXN_FETCH)
    topic, _ = make_topic(cluster, 1)
    _offsets, tp = _transactions(cluster, topic)
    first_open = []
    tp.begin_transaction()
    tp.produce(topic, partition=0, value="open", on_delivery=lambda e, m: first_open.append(m.offset()))
    tp.flush(10)
    log = cluster.partition_log(topic, 0)
    assert log.positions["read_committed"] == first_open[0] < log.positions["read_uncommitted"] == log.high_watermark
    assert log.unstable == first_open
    tp.abort_transaction(10)


def test_lso_from_list_offsets_read_committed(cluster, request):
    if cluster.kind == "mock":
        pytest.skip(MOCK_NO_TXN_FETCH)
    if cluster.kind == "tansu":
        request.applymarker(pytest.mark.xfail(strict=True, reason=TANSU_LSO_LIST_OFFSETS))
    topic, _ = make_topic(cluster, 1)
    _offsets, tp = _transactions(cluster, topic)
    first_open = []
    tp.begin_transaction()
    tp.produce(topic, partition=0, value="open", on_delivery=lambda e, m: first_open.append(m.offset()))
    tp.flush(10)
    assert cluster.watermarks(topic, "read_committed")[0][1] == first_open[0]
    tp.abort_transaction(10)


def test_offset_strip_draws_the_leader_and_says_followers_are_not_readable(cluster):
    topic, _ = make_topic(cluster, 1)
    produce(cluster, topic, [("k", f"v{i}", 0) for i in range(3)])
    ax = viz.offset_strip(cluster, topic, 0)
    texts = [t.get_text() for t in [*ax.texts, *ax.get_yticklabels()]]  # the row labels are the y tick labels
    replicas = cluster.describe(topic).partitions[0].replicas
    assert sum("log not readable" in t for t in texts) == len(replicas) - 1
    assert any("leader HW = 3" in t for t in texts)


def _group(cluster, topic: str, n: int, group: str, ends: dict[int, int]):
    """``n`` consumers of one group, polled until each has read to ``ends`` every partition it owns now.

    "Owns now" matters: a member that read a partition before the second member joined loses it in the
    rebalance, and its new owner starts again from the beginning (nothing committed) -- counting records
    across members would stop the loop before the new owner has a position, and its commit() would fail
    with _NO_OFFSET. ``position()`` is what ``commit()`` commits (the stored offsets of the assignment)."""
    consumers = [cluster.consumer({"group.id": group, "client.id": f"C{i}", "auto.offset.reset": "earliest",
                                   "enable.auto.commit": False, "partition.assignment.strategy": "range", **TANSU_JOIN})
                 for i in range(n)]
    for c in consumers:
        c.subscribe([topic])
    got = Counter()

    def caught_up(c) -> bool:
        owned = c.assignment()
        return bool(owned) and all(not ends.get(tp.partition) or tp.offset >= ends[tp.partition]
                                  for tp in c.position(owned))

    # the loop ends as soon as every member owns partitions and has read them to the end; the deadline only
    # bounds a real client starved of CPU on a loaded machine (20 s was not always enough on 2 busy cores)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for c in consumers:
            for m in c.consume(100, 0.05):
                if m.error() is None:
                    got[m.partition()] += 1
        if all(caught_up(c) for c in consumers):
            break
    return consumers, got


def _ends(reports) -> dict[int, int]:
    """The log end offset of each partition, from the delivery reports."""
    ends: dict[int, int] = {}
    for _, p, o in reports:
        ends[p] = max(ends.get(p, 0), o + 1)
    return ends


def test_group_lag_table_and_committed_offsets(cluster):
    topic, n = make_topic(cluster, 3)
    # One record per batch, so that tansu's ListOffsets (the lag's log end) is right: its bug with
    # multi-record batches is test_partition_load_counts_what_the_producer_was_told's.
    reports = produce(cluster, topic, [(f"user-{i}", f"v{i}", i % n) for i in range(24)], one_per_batch=True)
    group = f"g-{topic}"
    consumers, _got = _group(cluster, topic, 2, group, _ends(reports))
    try:
        assignment = {f"C{i}": sorted(tp.partition for tp in c.assignment())
                      for i, c in enumerate(consumers)}
        assert sorted(p for ps in assignment.values() for p in ps) == list(range(n))
        for c in consumers:
            c.commit(asynchronous=False)
        ends = Counter(p for _, p, _ in reports)
        assert cluster.committed_offsets(group, topic) == {(topic, p): ends[p] for p in range(n)}
        df = viz.lag_table(cluster, group, topic)
        assert list(df["committed"]) == [ends[p] for p in range(n)] and list(df["lag"]) == [0] * n
        g = viz.assignment_graph(assignment, assignment)
        assert len(g.texts) == len(assignment) + n
    finally:
        for c in consumers:
            c.close()


def test_group_members_from_describe_groups(cluster, request):
    if cluster.kind == "mock":
        with pytest.raises(NotServedError, match="DescribeGroups"):
            cluster.assignment("nobody")
        pytest.skip(MOCK_NO_DESCRIBE_GROUPS)
    if cluster.kind == "tansu":
        request.applymarker(pytest.mark.xfail(strict=True, reason=TANSU_NO_MEMBERS))
    topic, n = make_topic(cluster, 2)
    reports = produce(cluster, topic, [(f"u{i}", "v", i % n) for i in range(24)])
    group = f"g-{topic}"
    consumers, _ = _group(cluster, topic, 2, group, _ends(reports))
    try:
        own = {f"C{i}": sorted(tp.partition for tp in c.assignment()) for i, c in enumerate(consumers)}
        assert cluster.assignment(group, topic) == own
    finally:
        for c in consumers:
            c.close()


def test_topic_configs(cluster, request):
    if cluster.kind == "mock":
        with pytest.raises(NotServedError, match="controller"):
            cluster.topic_config("anything")
        pytest.skip(MOCK_NO_CONTROLLER)
    name = f"cfg-{time.monotonic_ns()}"
    cluster.create_topic(name, 1, 1, {"retention.ms": 60000, "cleanup.policy": "delete"})
    cfg = cluster.topic_config(name)
    assert cfg["retention.ms"] == 60000  # typed as the simulator types it
    if cluster.kind == "tansu":
        request.applymarker(pytest.mark.xfail(strict=True, reason=TANSU_CONFIG_SOURCE))
    assert cluster.topic_config_sources(name)["retention.ms"] == "DYNAMIC_TOPIC_CONFIG"
    assert viz.describe_topic(cluster, name).attrs["configs"]["retention.ms"] == 60000


def test_create_topic_on_a_cluster_without_controller_says_why(cluster):
    if cluster.has_controller:
        pytest.skip(f"{cluster.kind} has a controller: CreateTopics is served (test_topic_configs creates topics)")
    t0 = time.monotonic()
    with pytest.raises(NotServedError, match="CreateTopics is not served"):
        cluster.create_topic("x", 1, 1)
    assert time.monotonic() - t0 < 1.0
