"""Observed vs simulated on real brokers, the one-setting backend, and the offset views."""
from __future__ import annotations

import subprocess
import sys

import matplotlib
import pytest

from kafkalab import confluent_kafka as sim_ck
from kafkalab.cluster import Cluster
from kafkalab.real import diff_figure, diff_table, observed_vs_simulated, offset_table, open_backend, orders_scenario
from kafkalab.real.views import offset_strip
from kafkalab.viz import style

from .conftest import make_topic

matplotlib.use("Agg")


def _rows(df, aspect):
    return df[df["aspect"] == aspect]


def test_observed_vs_simulated(cluster):
    cmp = observed_vs_simulated(cluster, seed=7, topic=f"orders-{cluster.kind}", records=48, users=12)
    sim, obs = cmp.simulated, cmp.observed
    df = diff_table(cmp)
    assert sim.partitions == obs.partitions
    keys = _rows(df, "partition of key")
    assert len(keys) == 12 and set(keys["same"]) == {"✓"}  # murmur2 in the producer, whatever the broker
    assert obs.committed == sim.committed and obs.delivered == sim.delivered
    # range sorts members by member id, which each coordinator makes: same order -> same assignment
    same_order = sorted(sim.member_ids, key=sim.member_ids.get) == sorted(obs.member_ids, key=obs.member_ids.get)
    assert (obs.assignment == sim.assignment) == same_order
    assert ("✗" in set(_rows(df, "assignment")["same"])) == (not same_order)
    ends = _rows(df, "end offset (ListOffsets)")
    if cluster.kind == "mock":
        assert set(ends["same"]) == {"✓"}
    else:  # tansu's ListOffsets under-counts multi-record batches; its Fetch carries the right HW
        wrong = ends[ends["same"] == "✗"]
        assert len(wrong) == len(cmp.fetch_high_watermarks) > 0
        assert all(cmp.fetch_high_watermarks[p] == sim.end_offsets[p] for p in cmp.fetch_high_watermarks)
        assert all("its own Fetch responses say" in why for why in wrong["why"])
    fig = diff_figure(cmp)
    assert len(fig.axes) == 2 and "end offsets" in style.alt_text(fig)


def test_the_simulated_side_replays_from_its_seed():
    runs = []
    for _ in range(2):
        Cluster(brokers=3, seed=3)
        r = orders_scenario(sim_ck, {"bootstrap.servers": "kafka-1:9092"}, backend="sim", partitions=4, records=24)
        runs.append((r.placement, r.assignment, r.member_ids, r.end_offsets, r.committed, r.polls))
    assert runs[0] == runs[1]


def test_offset_table_on_a_transactional_partition(cluster):
    topic, _ = make_topic(cluster, 1)
    tp = cluster.producer({"transactional.id": f"tx-{topic}"})
    tp.init_transactions(10)
    got = {}
    for value, end in (("paid-1", tp.commit_transaction), ("paid-2", tp.abort_transaction), ("paid-3", None)):
        tp.begin_transaction()
        tp.produce(topic, partition=0, value=value, on_delivery=lambda e, m: got.__setitem__(m.value(), m.offset()))
        tp.flush(10)
        if end is not None:
            end(10)
    df = offset_table(cluster, topic, 0)
    data = set(got.values())
    by_offset = dict(zip(df["offset"], df["what"]))
    assert [o for o, w in by_offset.items() if w == "control record (inferred)"] == sorted(
        set(range(max(data) + 1)) - data)
    expect_open = "not yet stable" if cluster.kind == "tansu" else "record"  # the mock's Fetch says LSO = HW
    assert by_offset[got[b"paid-3"]] == expect_open
    ax = offset_strip(cluster, topic, 0)
    assert any(t.get_text() == "C" for t in ax.texts)
    tp.abort_transaction(10)


def test_open_backend_sim_and_mock():
    sim = open_backend("sim", seed=1)
    assert sim.simulated and sim.ck is sim_ck and sim.cluster.describe(sim.create_topic("t", 2).name)
    mock = open_backend("mock")
    try:
        t = mock.create_topic("auto", 3)  # no controller: the broker auto-creates with its own count
        assert t.partitions and mock.conf["bootstrap.servers"] == mock.broker.bootstrap_servers
    finally:
        mock.close()
    assert mock.broker is None


def test_importing_the_kit_does_not_import_the_real_client():
    code = "import sys, kafkalab, kafkalab.real; print('confluent_kafka' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unknown_backend_fails_fast_with_the_address_in_the_message():
    from kafkalab.real import KafkaConnectError, free_port

    with pytest.raises(KafkaConnectError, match="Connection refused"):
        open_backend(f"127.0.0.1:{free_port()}")
