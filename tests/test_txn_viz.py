"""Transaction renderers and the crash-point explorer: columns, artists, no overlapping text."""
import itertools

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from kafkalab import Cluster
from kafkalab.clients import Consumer, Producer
from kafkalab.clients.common import TopicPartition
from kafkalab.viz import txn as vt
from kafkalab.widgets.txn import crash_point_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(brokers=3, seed=1)
    c.create_topic("o", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "x"}, cluster=c)
    p.init_transactions()
    cons = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "g"}, cluster=c)
    p.begin_transaction()
    p.produce("o", b"c1", partition=0)
    p.send_offsets_to_transaction([TopicPartition("i", 0, 3)], cons.consumer_group_metadata())
    p.commit_transaction()
    p.begin_transaction()
    p.produce("o", b"a1", partition=0)
    p.flush()
    p.abort_transaction()
    p.begin_transaction()
    p.produce("o", b"open", partition=0)
    p.flush()
    c.run(50)
    return c


def assert_readable(ax):
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    texts = [t for a in fig.axes for t in a.texts] + [a.title for a in fig.axes] + \
        [a._left_title for a in fig.axes] + [a.xaxis.label for a in fig.axes]
    for a in fig.axes:
        if not a.axison:
            continue
        lo, hi = sorted(a.get_xlim())
        texts += [t for t in a.get_xticklabels() if lo <= t.get_position()[0] <= hi]
        lo, hi = sorted(a.get_ylim())
        texts += [t for t in a.get_yticklabels() if lo <= t.get_position()[1] <= hi]
        if a.get_legend():
            texts += a.get_legend().get_texts()
    boxes = [t.get_window_extent(r) for t in texts if t.get_visible() and t.get_text()]
    frame = fig.bbox
    for b in boxes:
        assert b.x0 >= frame.x0 - 1 and b.x1 <= frame.x1 + 1 and b.y0 >= frame.y0 - 1 and b.y1 <= frame.y1 + 1
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b) or a.width * a.height == 0 or b.width * b.height == 0, (a, b)


def test_offset_strip_colours_transactions_and_marks_lso(cluster):
    views = vt.isolation_views(cluster, "o", 0)
    assert views == {"read_committed": [0], "read_uncommitted": [0, 2, 4]}
    ax = vt.txn_offset_strip(cluster, "o", 0, views=views)
    assert "LSO 4 < HW 5" in ax.get_title(loc="left")
    colours = {p.get_facecolor()[:3] for p in ax.patches}
    assert len(colours) >= 4  # committed, aborted, open, markers (+ the readers' cells)
    assert_readable(ax)


@pytest.mark.parametrize("size", [(6, 2.5), (13, 4)])
def test_offset_strip_sizes(cluster, size):
    _, ax = plt.subplots(figsize=size, layout="constrained")
    vt.txn_offset_strip(cluster, "o", 0, ax=ax, views=vt.isolation_views(cluster, "o", 0))
    assert_readable(ax)


def test_state_table_has_real_epochs(cluster):
    df = vt.txn_state_table(cluster, "x")
    assert list(df.columns[:5]) == ["partition", "offset", "time_ms", "transactional_id", "state"]
    assert df["state"].tolist()[:4] == ["Empty", "Ongoing", "Ongoing", "PrepareCommit"]
    assert set(df["producer_epoch"]) == {0}


def test_offsets_table_shows_the_transaction(cluster):
    df = vt.txn_offsets_table(cluster, "g")
    assert df["record"].tolist() == ["OffsetCommit", "COMMIT marker"]
    assert df["transaction"].tolist()[0] == "committed"


def test_state_machine_highlights_the_path(cluster):
    ax = vt.state_machine_graph(cluster.trace, "x")
    assert "transitions, in order" in ax.get_title(loc="left")
    ax2 = vt.state_machine_graph()
    assert ax2.get_title(loc="left") == "TransactionState: allowed transitions"


def test_swimlanes_in_order(cluster):
    rows = vt.swimlane_events(cluster.trace, "x")
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert {r[1] for r in rows} == {"producer", "coordinator", "leader", "group"}
    first = next(r for r in rows if r[3].startswith("CompleteCommit"))[0]
    for size in ((10, 4), (13, 6)):
        _, ax = plt.subplots(figsize=size, layout="constrained")
        vt.txn_swimlanes(cluster.trace, "x", ax=ax, until_ms=first)
        assert_readable(ax)


def test_crash_point_explorer_redraws():
    panel = crash_point_explorer()
    assert "exactly once" in panel.view.figure.axes[0].get_title(loc="left")
    panel.controls["transactional"].value = False
    assert "duplicate" in set(panel.view.tables["anomalies (checker)"]["kind"])
    panel.controls["point"].value = "no crash"
    assert panel.view.tables["anomalies (checker)"].empty
