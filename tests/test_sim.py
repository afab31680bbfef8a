"""The simulation kernel: ordering, determinism, network faults, the trace."""
import subprocess
import sys

import pytest

from kafkalab.sim import Sim


def test_events_run_in_time_then_priority_then_schedule_order():
    sim = Sim(seed=1)
    out = []
    sim.schedule(5, out.append, "late")
    sim.schedule(1, out.append, "b", priority=1)
    sim.schedule(1, out.append, "a", priority=0)
    sim.schedule(1, out.append, "c", priority=1)
    sim.run()
    assert out == ["a", "b", "c", "late"]
    assert sim.now == 5


def test_cancelled_timer_does_not_run_and_run_until_stops_the_clock_there():
    sim = Sim(seed=1)
    out = []
    t = sim.schedule(3, out.append, "x")
    t.cancel()
    sim.schedule(10, out.append, "y")
    sim.run(until_ms=7)
    assert out == [] and sim.now == 7
    sim.run()
    assert out == ["y"]


def test_an_event_under_a_reserved_number_runs_where_it_would_have_run_when_reserved():
    """``reserve_seq`` + ``at_seq``: scheduled late, ordered as if scheduled at the reservation."""
    sim = Sim(seed=1)
    out = []
    sim.schedule(5, out.append, "before")
    seq = sim.reserve_seq()
    sim.schedule(5, out.append, "after")
    sim.schedule(5, out.append, "other priority", priority=1)
    sim.schedule(2, lambda: sim.at_seq(5, seq, out.append, "reserved"))
    sim.run()
    assert out == ["before", "reserved", "after", "other priority"]
    with pytest.raises(ValueError):
        sim.at_seq(1, sim.reserve_seq(), out.append, "past")


def test_cannot_schedule_in_the_past():
    sim = Sim()
    sim.run(until_ms=10)
    with pytest.raises(ValueError):
        sim.at(5, print)


def test_every_repeats_until_cancelled():
    sim = Sim()
    ticks = []
    h = sim.every(100, lambda: ticks.append(sim.now))
    sim.run(until_ms=350)
    h.cancel()
    sim.run(until_ms=1000)
    assert ticks == [100, 200, 300]


def test_same_seed_same_random_stream():
    assert [Sim(7).rng.random() for _ in range(3)] == [Sim(7).rng.random() for _ in range(3)]


def test_network_latency_partition_heal_and_targeted_drop():
    sim = Sim(seed=3)
    net = sim.network
    got = []
    net.set_latency("a", "b", 5)
    net.send("a", "b", "Req", got.append, 1)
    sim.run()
    assert got == [1] and sim.now == 5
    net.partition({"a"}, {"b"})
    assert not net.connected("a", "b")
    net.send("a", "b", "Req", got.append, 2)
    net.heal()
    net.drop_next("b", "a", "Resp")
    net.send("b", "a", "Resp", got.append, 3)
    net.send("b", "a", "Resp", got.append, 4)
    sim.run()
    assert got == [1, 4]
    drops = [e.fields["reason"] for e in sim.trace.filter("net.drop")]
    assert drops == ["partition", "injected"]


def test_message_in_flight_when_link_is_cut_is_lost():
    sim = Sim()
    got = []
    sim.network.set_latency("a", "b", 10)
    sim.network.send("a", "b", "Req", got.append, 1)
    sim.schedule(5, sim.network.partition, {"a"}, {"b"})
    sim.run()
    assert got == []


def test_random_loss_is_seeded():
    def run(seed):
        sim = Sim(seed)
        got = []
        sim.network.set_loss("a", "b", 0.5)
        for i in range(50):
            sim.network.send("a", "b", "Req", got.append, i)
        sim.run()
        return got

    assert run(11) == run(11)
    assert 5 < len(run(11)) < 45


def test_trace_events_dump_and_frame():
    sim = Sim()
    sim.trace.emit("x.happened", node="n1", value=3, kind="field named kind is fine")
    sim.run(until_ms=4)
    sim.trace.emit("y", node=None, data=b"\xff\x00", items={2, 1})
    assert [e.kind for e in sim.trace] == ["x.happened", "y"]
    assert sim.trace.dump().splitlines()[1].startswith("1\t4\ty\t-\t")
    from kafkalab.viz import trace_table

    df = trace_table(sim.trace, flatten=False)
    assert list(df.columns) == ["seq", "time_ms", "kind", "node", "fields"]
    flat = trace_table(sim.trace)
    assert "value" in flat.columns
    assert len(sim.trace.filter("x.")) == 1


def test_model_layers_do_not_import_pandas_matplotlib_or_widgets():
    code = ("import sys, kafkalab, kafkalab.cluster, kafkalab.sim, kafkalab.partitioners; "
            "c = kafkalab.Cluster(brokers=3, seed=1); c.create_topic('t', partitions=2, replication_factor=3); "
            "bad = [m for m in ('pandas', 'matplotlib', 'ipywidgets', 'networkx') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_trace_filter_by_exact_kinds_prefixes_node_fields_and_sequence():
    sim = Sim()
    for i, (kind, node) in enumerate([("produce.batch", "p1"), ("produce.send", "p1"), ("replica.hw", "b1"),
                                      ("produce.batch", "p2"), ("producer.init", "p1"), ("replica.fetch", "b2")]):
        sim.trace.emit(kind, node=node, n=i % 2)

    def kinds(evs):
        return [(e.kind, e.node) for e in evs]

    t = sim.trace
    assert kinds(t.filter("produce.batch")) == [("produce.batch", "p1"), ("produce.batch", "p2")]
    assert kinds(t.filter("produce.")) == [("produce.batch", "p1"), ("produce.send", "p1"), ("produce.batch", "p2")]
    assert kinds(t.filter(["replica.hw", "produce."])) == kinds(t.filter(("produce.", "replica.hw")))
    assert len(t.filter(["replica.hw", "produce."])) == 4
    assert kinds(t.filter("produce.", node="p1")) == [("produce.batch", "p1"), ("produce.send", "p1")]
    assert kinds(t.filter("produce.", n=1)) == [("produce.send", "p1"), ("produce.batch", "p2")]
    assert kinds(t.filter("produce.", since_seq=2)) == [("produce.batch", "p2")]
    assert kinds(t.filter(node="p1")) == [("produce.batch", "p1"), ("produce.send", "p1"), ("producer.init", "p1")]
    assert t.filter([]) == [] and len(t.filter()) == 6 and t.filter("produce") == []


def test_cancelled_events_are_purged_from_the_queue_without_changing_what_runs_when():
    import random

    from kafkalab.sim import kernel

    def run(purge: bool):
        sim = Sim(seed=3)
        if not purge:
            sim._purge_after = float("inf")
        rng = random.Random(9)
        ran, sizes, timers = [], [], []
        for i in range(6000):  # many events at the same ms and priority: seq decides, as before the purge
            # like request timeouts: far ahead, and most cancelled soon after (a few twice)
            timers.append(sim.schedule(rng.randrange(100, 150), ran.append, i, priority=rng.randrange(2)))
            if i % 5:
                timers[-1 if i % 7 else -3].cancel()
            if i % 500 == 0:
                sim.run(until_ms=sim.now + 3)
                sizes.append(len(sim._queue))
        sim.run()
        return ran, sizes, sim.now

    kept, kept_sizes, kept_now = run(purge=False)
    purged, purged_sizes, purged_now = run(purge=True)
    assert purged == kept and purged_now == kept_now and len(kept) > 1000
    assert all(p <= k for p, k in zip(purged_sizes, kept_sizes, strict=True))
    assert sum(purged_sizes) < 0.7 * sum(kept_sizes) and kernel._PURGE_MIN <= 2000  # dead entries do not pile up
