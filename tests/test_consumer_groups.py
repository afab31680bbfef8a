"""The consumer's side: listeners, max.poll.interval.ms, auto-commit's subtlety, lag, pause/resume, close."""
import pytest

from kafkalab import Cluster, Consumer, KafkaException, Producer, TopicPartition
from kafkalab.errors import Err


def conf(**kw):
    return {"bootstrap.servers": "kafka-1:9092", "auto.offset.reset": "earliest", **kw}


@pytest.fixture
def cluster():
    c = Cluster(brokers=3, seed=3)
    c.create_topic("orders", 2, 3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(20):
        p.produce("orders", value=f"v{i}", partition=i % 2)
    p.flush()
    return c


def test_max_poll_interval_kicks_a_slow_consumer_out_and_its_commit_fails(cluster):
    """librdkafka: "Application maximum poll interval (300000ms) exceeded by 89ms"; the consumer
    leaves the group and its assignment is lost."""
    calls = []
    c = Consumer(conf(**{"group.id": "g", "client.id": "slow", "session.timeout.ms": 6000,
                         "max.poll.interval.ms": 10000, "enable.auto.commit": False}), cluster=cluster)
    c.subscribe(["orders"], on_assign=lambda k, ps: calls.append(("assign", len(ps))),
                on_lost=lambda k, ps: calls.append(("lost", len(ps))))
    other = Consumer(conf(**{"group.id": "g", "client.id": "other"}), cluster=cluster)
    other.subscribe(["orders"])
    msg = None
    while msg is None:
        msg = c.poll(0.5)
        other.poll(0)
    for _ in range(120):  # "processing" for 12 s without polling, while the other member polls
        other.poll(0.1)  # "processing" without polling
    assert cluster.trace.filter("consumer.max_poll_exceeded", node="slow")
    with pytest.raises(KafkaException) as exc:
        c.commit(message=msg, asynchronous=False)
    assert exc.value.args[0].code() == Err.UNKNOWN_MEMBER_ID
    err = c.poll(0.1)
    assert err.error().code() == Err._MAX_POLL_EXCEEDED
    assert err.error().str().startswith("Application maximum poll interval (10000ms) exceeded by")
    assert ("lost", 1) in calls or ("lost", 2) in calls
    for _ in range(100):  # the next polls rejoin the group
        c.poll(0.1)
        other.poll(0.1)
    assert calls[-1] == ("assign", 1)


def test_max_poll_interval_counts_from_the_end_of_the_last_poll(cluster):
    """The timer is pushed back by every poll (it moves itself lazily when its old time comes); it
    fires exactly max.poll.interval.ms after the last poll returned, not after the first or an older one."""
    c = Consumer(conf(**{"group.id": "g", "client.id": "slow", "session.timeout.ms": 6000,
                         "max.poll.interval.ms": 7000}), cluster=cluster)
    c.subscribe(["orders"])
    for _ in range(40):  # 40 polls over ~17 s: the first timers come due while the consumer still polls
        c.poll(0.4)
        cluster.run(37)
    last = cluster.now - 37
    cluster.run(20_000)
    [kicked] = cluster.trace.filter("consumer.max_poll_exceeded", node="slow")
    assert kicked.time_ms == last + 7000


def test_auto_commit_commits_what_poll_returned_not_what_was_processed(cluster):
    """enable.auto.offset.store (default): the offset is stored when poll() returns the message, and
    the auto-commit timer commits it even if the application never processed it."""
    c = Consumer(conf(**{"group.id": "g", "client.id": "A", "auto.commit.interval.ms": 1000}), cluster=cluster)
    c.assign([TopicPartition("orders", 0)])
    first = c.consume(3, 1)  # returned, not yet processed ...
    cluster.run(1500)  # ... and the timer fires meanwhile
    assert c.committed([TopicPartition("orders", 0)])[0].offset == first[-1].offset() + 1
    c.crash()  # the three were never processed
    d = Consumer(conf(**{"group.id": "g", "client.id": "B"}), cluster=cluster)
    d.assign([TopicPartition("orders", 0)])
    assert d.poll(1).offset() == 3  # offsets 0..2 are skipped: at-most-once for them


def test_store_offsets_with_auto_store_off_commits_only_processed_records(cluster):
    c = Consumer(conf(**{"group.id": "g", "client.id": "A", "auto.commit.interval.ms": 1000,
                         "enable.auto.offset.store": False}), cluster=cluster)
    c.assign([TopicPartition("orders", 1)])
    msgs = c.consume(5, 1)
    c.store_offsets(message=msgs[1])  # processed two of five
    cluster.run(1500)
    assert c.committed([TopicPartition("orders", 1)])[0].offset == 2


def test_commit_async_reports_to_on_commit_and_position_and_lag(cluster):
    seen = []
    c = Consumer(conf(**{"group.id": "g", "client.id": "A", "enable.auto.commit": False,
                         "on_commit": lambda err, tps: seen.append((err, [(t.partition, t.offset) for t in tps]))}),
                 cluster=cluster)
    c.assign([TopicPartition("orders", 0)])
    c.consume(4, 1)
    assert c.commit(asynchronous=True) is None
    cluster.run(50)
    assert seen == [(None, [(0, 4)])]
    assert c.position([TopicPartition("orders", 0)])[0].offset == 4
    from kafkalab.viz.groups import lag_table

    lag = lag_table(cluster, "g", "orders")
    assert list(lag.columns) == ["partition", "log_end_offset", "committed", "lag"]
    assert lag.set_index("partition").loc[0, "lag"] == 6


def test_pause_and_resume(cluster):
    c = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    c.assign([TopicPartition("orders", 0, 0), TopicPartition("orders", 1, 0)])
    c.pause([TopicPartition("orders", 1)])
    got = c.consume(100, 1)
    assert {m.partition() for m in got} == {0}
    c.resume([TopicPartition("orders", 1)])
    got = c.consume(100, 1)
    assert {m.partition() for m in got} == {1} and got[0].offset() == 0


def test_close_revokes_commits_and_leaves_so_the_group_rebalances_at_once(cluster):
    revoked = []
    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    b = Consumer(conf(**{"group.id": "g", "client.id": "B"}), cluster=cluster)
    for c in (a, b):
        c.subscribe(["orders"], on_revoke=lambda k, ps: revoked.append(k.node))
    end = cluster.now + 8000
    while cluster.now < end:
        a.consume(10, 0)
        b.consume(10, 0)
        cluster.run(100)
    a.close()
    assert revoked == ["A"]
    assert cluster.trace.filter("group.leave", group="g")
    assert b.committed([TopicPartition("orders", 0)])[0].offset >= 0  # a is closed: RuntimeError, as confluent-kafka
    for _ in range(60):
        b.consume(10, 0)
        cluster.run(100)
    assert sorted(p.partition for p in b.assignment()) == [0, 1]  # well before session.timeout.ms


def test_unsubscribe_revokes_and_leaves(cluster):
    revoked = []
    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    a.subscribe(["orders"], on_revoke=lambda k, ps: revoked.append(sorted(p.partition for p in ps)))
    for _ in range(80):
        a.consume(10, 0.1)
    a.unsubscribe()
    assert revoked == [[0, 1]] and a.assignment() == []
    cluster.run(10)  # the LeaveGroup reaches the coordinator
    assert cluster.trace.filter("group.leave", group="g")


def test_reset_offsets_replays_only_when_the_group_is_inactive(cluster):
    from kafkalab.group_lab import reset_group_offsets

    a = Consumer(conf(**{"group.id": "g", "client.id": "A"}), cluster=cluster)
    a.subscribe(["orders"])
    got = []
    for _ in range(80):
        got += [m for m in a.consume(10, 0.1) if m.error() is None]
    assert len(got) == 20
    with pytest.raises(KafkaException) as exc:  # "Consumer group 'g' has active members"
        reset_group_offsets(cluster, "g", "orders", "earliest")
    assert exc.value.args[0].code() == Err.UNKNOWN_MEMBER_ID
    a.close()
    assert reset_group_offsets(cluster, "g", "orders", "earliest") == {0: 0, 1: 0}
    b = Consumer(conf(**{"group.id": "g", "client.id": "B", "auto.offset.reset": "latest"}), cluster=cluster)
    b.subscribe(["orders"])
    again = []
    for _ in range(80):
        again += [m for m in b.consume(10, 0.1) if m.error() is None]
    assert len(again) == 20  # replayed from the reset offsets, not from auto.offset.reset


def test_subscribe_never_raises_while_a_broker_is_down():
    """With 1 of 3 brokers down and no __consumer_offsets yet, FindCoordinator cannot create the
    offsets topic (replication factor 3); the broker answers COORDINATOR_NOT_AVAILABLE and the
    consumer keeps asking: subscribe() and poll() raise nothing, and the group forms once the
    broker is back."""
    cl = Cluster(brokers=3, seed=5)
    cl.create_topic("orders", 2, 2)
    cl.crash_broker(3)
    cl.run(10_000)  # past broker.session.timeout.ms: the controller fences broker 3
    c = Consumer(conf(**{"group.id": "g"}), cluster=cl)
    c.subscribe(["orders"])
    assert "__consumer_offsets" not in cl.controller.image.topics
    assert c.poll(2) is None and c.assignment() == []
    cl.restart_broker(3)
    for _ in range(30):
        c.poll(0.5)
        if c.assignment():
            break
    assert sorted(tp.partition for tp in c.assignment()) == [0, 1]
