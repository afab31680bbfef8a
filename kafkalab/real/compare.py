"""Observed vs simulated: one scenario run on the simulator and on a real cluster, and the diff.

:func:`orders_scenario` is written once against the confluent-kafka API and takes the client
module as an argument: ``kafkalab.confluent_kafka`` runs it on the simulator (virtual time),
``confluent_kafka`` on a real cluster (real time).  It creates a keyed ``orders`` topic, produces
``records`` records for ``users`` user keys with ``partitioner=murmur2_random`` (the Java
producer's placement of keyed records), lets a group of ``consumers`` read everything and commit,
and returns what the clients themselves were told: each key's partition (delivery reports), each
consumer's assignment, each partition's end offset (ListOffsets) and committed offset (OffsetFetch).

:func:`observed_vs_simulated` runs it on both and :func:`diff_table` lines the results up side
by side.  Where Kafka's algorithms decide — murmur2 in the producer, the assignor in the group
leader's client — the two agree; where the broker decides they may not, and each row says why.

    cmp = observed_vs_simulated(kafkalab.connect("127.0.0.1:9092"))
    diff_table(cmp)
"""
from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field

# tansu holds a JoinGroup for session.timeout.ms / 2 before answering (tansu-broker's group
# administrator), so the scenario uses Kafka's smallest allowed session timeout
# (group.min.session.timeout.ms = 6000) to keep a real run to seconds.
# Simplification: both sides run with session.timeout.ms 6000, not the 45000 default.
GROUP_TIMING = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500}


@dataclass
class ScenarioResult:
    backend: str
    topic: str
    partitions: int
    strategy: str = "range"
    placement: dict = field(default_factory=dict)  # key -> partition (delivery reports)
    assignment: dict = field(default_factory=dict)  # client id -> [partitions] (consumer.assignment())
    member_ids: dict = field(default_factory=dict)  # client id -> member id
    end_offsets: dict = field(default_factory=dict)  # partition -> ListOffsets LATEST (get_watermark_offsets)
    committed: dict = field(default_factory=dict)  # partition -> committed offset (consumer.committed())
    delivered: dict = field(default_factory=dict)  # partition -> records the producer was told landed there
    consumed: dict = field(default_factory=dict)  # client id -> records read
    polls: int = 0


def _code_name(exc) -> str | None:
    err = exc.args[0] if exc.args else None
    return err.name() if hasattr(err, "name") else None


def orders_scenario(ck, conf: dict, *, backend: str, topic: str = "orders", partitions: int = 6, users: int = 12,
                    records: int = 60, consumers: int = 3, strategy: str = "range", create: bool = True,
                    group: str = "orders-diff", max_rounds: int = 2000, poll_s: float = 0.05) -> ScenarioResult:
    """Run the keyed-orders scenario through the client module ``ck``; see the module docstring.

    ``create=False`` leaves the topic to the broker's auto-creation (a cluster without a controller
    cannot serve CreateTopics); its partition count is then whatever the broker chose.  Polling is
    bounded by ``max_rounds`` rounds of ``poll_s`` per consumer, never by a clock, so the simulator
    run is the same every time; it ends as soon as every record is read and every member has partitions,
    so the generous bound only matters to a real client starved of CPU (its heartbeats late, a rebalance
    in the middle): 400 rounds were not enough for librdkafka's mock cluster on a loaded 2-core CI machine.
    """
    admin_mod = importlib.import_module(ck.__name__ + ".admin")
    admin = admin_mod.AdminClient(dict(conf))
    if create:
        fut = admin.create_topics([admin_mod.NewTopic(topic, partitions, 1)])[topic]
        fut.result(10)
    producer = ck.Producer({**conf, "partitioner": "murmur2_random", "linger.ms": 5, "allow.auto.create.topics": True})
    res = ScenarioResult(backend, topic, 0, strategy)
    placed: dict = {}

    def on_delivery(err, msg):
        if err is None:
            placed.setdefault(msg.key().decode(), set()).add(msg.partition())
            res.delivered[msg.partition()] = res.delivered.get(msg.partition(), 0) + 1

    for i in range(records):
        producer.produce(topic, key=f"user-{i % users}", value=f"order-{i}", on_delivery=on_delivery)
    producer.flush(10)
    res.placement = {k: min(v) for k, v in sorted(placed.items(), key=lambda kv: int(kv[0].split("-")[1]))}
    res.partitions = len(admin.list_topics(topic, timeout=10).topics[topic].partitions)

    cs = [ck.Consumer({**conf, "group.id": group, "client.id": f"C{i + 1}", "auto.offset.reset": "earliest",
                       "enable.auto.commit": False, "partition.assignment.strategy": strategy, **GROUP_TIMING})
          for i in range(consumers)]
    for c in cs:
        c.subscribe([topic])
    counts: Counter = Counter()
    for rounds in range(1, max_rounds + 1):
        for i, c in enumerate(cs):
            m = c.poll(poll_s)
            if m is not None and m.error() is None:
                counts[f"C{i + 1}"] += 1
        if all(c.assignment() for c in cs) and _caught_up(cs, res.delivered):
            break
    res.polls = rounds
    tps = [ck.TopicPartition(topic, p) for p in range(res.partitions)]
    for i, c in enumerate(cs):
        name = f"C{i + 1}"
        res.assignment[name] = sorted(tp.partition for tp in c.assignment())
        res.member_ids[name] = c.memberid()
        res.consumed[name] = counts[name]
        try:
            c.commit(asynchronous=False)
        except Exception as e:  # a member that read nothing has nothing to commit: _NO_OFFSET, as in librdkafka
            if _code_name(e) != "_NO_OFFSET":
                raise
    res.committed = {tp.partition: tp.offset for tp in cs[0].committed(tps, timeout=10)}
    res.end_offsets = {p: cs[0].get_watermark_offsets(ck.TopicPartition(topic, p), timeout=10)[1]
                       for p in range(res.partitions)}
    for c in cs:
        c.close()
    return res


def _caught_up(consumers, delivered: dict) -> bool:
    """Every partition's current owner has read to its end: counting records read is not enough, since a
    rebalance in the middle hands a partition to a member that reads part of it again."""
    for c in consumers:
        for tp in c.position(c.assignment()):
            end = delivered.get(tp.partition, 0)
            if end and tp.offset < end:  # an empty partition has no position (OFFSET_INVALID) and nothing to read
                return False
    return True


@dataclass
class Comparison:
    simulated: ScenarioResult
    observed: ScenarioResult
    fetch_high_watermarks: dict = field(default_factory=dict)  # partition -> HW in the real Fetch responses


def observed_vs_simulated(real, seed: int = 42, **scenario) -> Comparison:
    """Run :func:`orders_scenario` on ``real`` (a :class:`~kafkalab.real.RealCluster`), then on a fresh
    3-broker simulated cluster with the same partition count."""
    import confluent_kafka

    from .. import confluent_kafka as sim_ck
    from ..cluster import Cluster

    observed = orders_scenario(confluent_kafka, real.client_config(), backend=f"real {real.bootstrap_servers}",
                               create=real.has_controller, **scenario)
    Cluster(brokers=3, seed=seed)
    simulated = orders_scenario(sim_ck, {"bootstrap.servers": "kafka-1:9092"}, backend=f"simulator (seed {seed})",
                                **{**scenario, "partitions": observed.partitions, "create": True})
    cmp = Comparison(simulated, observed)
    for p in range(observed.partitions):
        if observed.end_offsets.get(p) != simulated.end_offsets.get(p):
            log = real.partition_log(observed.topic, p)
            log.records()
            cmp.fetch_high_watermarks[p] = log.fetch_high_watermark
    return cmp


def _parts(ps) -> str:
    return ", ".join(f"P{p}" for p in ps) if ps else "—"


def diff_table(cmp: Comparison):
    """One row per compared fact: aspect, item, simulated, observed, same (✓/✗), why."""
    import pandas as pd

    sim, obs = cmp.simulated, cmp.observed
    rows = []

    def add(aspect, item, s, o, why_same, why_diff):
        same = s == o
        rows.append({"aspect": aspect, "item": item, "simulated": s, "observed": o, "same": "✓" if same else "✗",
                     "why": why_same if same else why_diff})

    for k in sorted(set(sim.placement) | set(obs.placement), key=lambda k: int(k.split("-")[1])):
        add("partition of key", k, sim.placement.get(k), obs.placement.get(k),
            "murmur2(key) mod partitions, computed in the producer (partitioner=murmur2_random)",
            "the producers placed this key differently: both should hash with murmur2_random")
    order_sim = sorted(sim.member_ids, key=lambda c: sim.member_ids[c] or "")
    order_obs = sorted(obs.member_ids, key=lambda c: obs.member_ids[c] or "")
    for c in sorted(set(sim.assignment) | set(obs.assignment)):
        add("assignment", c, _parts(sim.assignment.get(c)), _parts(obs.assignment.get(c)),
            f"the {obs.strategy} assignor runs in the group leader's client, over members sorted by member id "
            f"({' < '.join(order_obs)} on both)",
            f"the assignor sorts members by member id, which the coordinator makes: {' < '.join(order_sim)} in the "
            f"simulator, {' < '.join(order_obs)} on the broker ({c} is {obs.member_ids.get(c)!r} there; Kafka's "
            "coordinator uses client.id + '-' + a UUID)")
    for p in range(max(sim.partitions, obs.partitions)):
        s, o = sim.end_offsets.get(p), obs.end_offsets.get(p)
        fetch = cmp.fetch_high_watermarks.get(p)
        if fetch is not None and fetch == s:
            why = (f"the broker's ListOffsets says {o} but its own Fetch responses say {fetch} (the simulator's): "
                   "its ListOffsets under-reports the end of a multi-record batch")
        else:
            why = f"the producer was told {obs.delivered.get(p, 0)} records landed here; the broker reports {o}"
        add("end offset (ListOffsets)", f"P{p}", s, o,
            f"{sim.delivered.get(p, 0)} records, one offset each, no transactions", why)
    for p in range(max(sim.partitions, obs.partitions)):
        s, o = sim.committed.get(p), obs.committed.get(p)
        add("committed offset", f"P{p}", s, o, "each consumer committed its position after reading its partitions",
            f"the group committed {o}: it read {obs.delivered.get(p, 0)} records here"
            if o == obs.delivered.get(p, 0) else "the group stopped before reading everything")
    df = pd.DataFrame(rows, columns=["aspect", "item", "simulated", "observed", "same", "why"])
    df.attrs.update(simulated=sim.backend, observed=obs.backend, differences=int((df["same"] == "✗").sum()))
    return df


def diff_figure(cmp: Comparison):
    """Two panels: the observed assignment drawn over the simulated one (red edges: differs), and the
    end offset of each partition, simulated next to observed."""
    from matplotlib.figure import Figure

    from ..viz import style
    from ..viz.groups import assignment_graph

    sim, obs = cmp.simulated, cmp.observed
    fig = Figure(figsize=(10, 3.2), layout="constrained")
    a1, a2 = fig.subplots(1, 2, width_ratios=[1.2, 1])
    assignment_graph(sim.assignment, obs.assignment, ax=a1, title="observed assignment (red: not as simulated)")
    ps = list(range(max(sim.partitions, obs.partitions)))
    a2.bar([p - 0.2 for p in ps], [sim.end_offsets.get(p, 0) for p in ps], width=0.4, label="simulated",
           color=style.BLUE)
    a2.bar([p + 0.2 for p in ps], [obs.end_offsets.get(p, 0) for p in ps], width=0.4, label="observed",
           color=style.ORANGE)
    a2.set_xticks(ps, [f"P{p}" for p in ps])
    a2.set_ylabel("end offset (records)")
    n_diff = sum(sim.end_offsets.get(p) != obs.end_offsets.get(p) for p in ps)
    a2.set_title("end offsets: same on every partition" if n_diff == 0 else
                 f"end offsets differ on {n_diff} of {len(ps)} partitions", fontsize=9)
    a2.legend(fontsize=7)
    moved = sum(sim.assignment.get(c) != obs.assignment.get(c) for c in set(sim.assignment) | set(obs.assignment))
    style.alt(fig, f"Left: the observed group assignment, {moved} of {len(obs.assignment)} consumers holding other "
                   f"partitions than simulated. Right: end offsets of {len(ps)} partitions, simulated next to observed, "
                   f"differing on {n_diff}.")
    return fig
