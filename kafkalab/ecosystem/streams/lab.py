"""Seeded Kafka Streams experiments that notebook 08, its widget, its exercises and the tests share.

* :func:`clicks_and_profiles` — the study guide's data: click events per user (event times around
  12:00), and the ``user-profiles`` changelog (a profile update in the middle of the clicks).
* :func:`guide_topology` — the guide's clicks × profiles join feeding a hopping-window count
  (5-minute windows advancing by 1 minute), written with the DSL exactly as the Java is.
* :func:`run_app` — create topics on a fresh seeded cluster, produce the inputs at their event
  times (scaled), run one or more ``KafkaStreams`` instances, optionally crash one, and read every
  output topic back. Returns an :class:`AppRun` with the trace for the renderers.
* :func:`drive` — the same inputs through a ``TopologyTestDriver`` (every update, no cluster).
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

from ...cluster import Cluster
from ...confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from .dsl import StreamsBuilder
from .options import Consumed, Joined, Materialized, Produced
from .runtime import KafkaStreams
from .serdes import JsonSerde, Serdes, WindowedSerdes
from .test_driver import TopologyTestDriver
from .windows import Duration, TimeWindows

MINUTE = 60_000
NOON = 12 * 60 * MINUTE  # event times are ms since midnight: 12:00 is 43_200_000


def hhmm(ms: int, seconds: bool = False) -> str:
    """``43_260_000`` → ``"12:01"`` (event times are ms since midnight); ``seconds=True``: ``"12:01:00"``."""
    m = ms // MINUTE
    return f"{m // 60:02d}:{m % 60:02d}" + (f":{ms // 1000 % 60:02d}" if seconds else "")


def clicks_and_profiles(users: dict | None = None, minutes: int = 10, seed: int = 7,
                        start_ms: int = NOON) -> tuple[list, list]:
    """``(clicks, profiles)`` as ``[(key, value, timestamp)]``, in the order they are produced.

    ``users`` maps a user id to its mean clicks per minute (the guide's u_42 is busy, u_99 is not); each
    minute of the ``minutes`` from ``start_ms`` gets that many give or take two, at random instants. Every
    user has a profile written before the clicks; u_42 upgrades from "silver" to "gold" half way through.
    """
    users = users or {"u_42": 4, "u_99": 1}
    rng = random.Random(seed)
    clicks = []
    pages = ("/home", "/search", "/product", "/cart", "/checkout")
    for minute in range(minutes):
        for user in sorted(users):
            for _ in range(max(0, users[user] + rng.randint(-2, 2))):
                ts = start_ms + minute * MINUTE + rng.randrange(MINUTE)
                clicks.append((user, {"user_id": user, "page": rng.choice(pages)}, ts))
    clicks.sort(key=lambda r: (r[2], r[0]))
    profiles = [(u, {"user_id": u, "tier": "silver"}, start_ms - MINUTE) for u in sorted(users)]
    if "u_42" in users:
        profiles.append(("u_42", {"user_id": "u_42", "tier": "gold"}, start_ms + minutes // 2 * MINUTE))
    return clicks, profiles


def enrich(click: dict, profile: dict) -> dict:
    """``EnrichedClick::new``: the click with the user's tier at the time of the join."""
    return {**click, "tier": profile["tier"]}


def guide_topology(windows=None, store: str = "clicks-per-user-5m", output: str = "clicks-per-user-5m-output",
                   suppress=None):
    """The guide's topology, as its Java: join, ``groupByKey``, hopping count, ``toStream().to(...)``.

    ``windows`` defaults to 5-minute windows advancing by 1 minute with no grace (the guide's
    ``TimeWindows.of(5 min)`` had a 24 h − 5 min grace and is gone in Kafka 4.0).
    """
    windows = windows or TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1))
    b = StreamsBuilder()
    clicks = b.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde()))
    profiles = b.table("user-profiles", Consumed.with_(Serdes.String(), JsonSerde()))
    enriched = clicks.join(profiles, enrich, Joined.with_(Serdes.String(), JsonSerde(), JsonSerde()))
    counts = enriched.group_by_key().windowed_by(windows).count(Materialized.as_(store))
    if suppress is not None:
        counts = counts.suppress(suppress)
    counts.to_stream().to(output)
    return b.build()


def windowed_serde(size_ms: int = 5 * MINUTE):
    return WindowedSerdes.time_windowed_serde_from(Serdes.String(), size_ms)


@dataclass
class AppRun:
    """What :func:`run_app` did: the cluster (and trace), the instances, what each output topic holds."""

    cluster: Cluster
    apps: list
    outputs: dict = field(default_factory=dict)  # topic -> [(key, value, timestamp, partition, offset)]
    crash_ms: int | None = None
    produced_until_ms: int = 0

    @property
    def trace(self):
        return self.cluster.trace

    def store(self, name: str) -> dict:
        """``{key: value}`` of a store over every live instance (interactive queries)."""
        out = {}
        for app in self.apps:
            if app.state().is_running_or_rebalancing():
                out.update(dict(app.store(name).all()))
        return out


def run_app(topology_fn, inputs: dict, props: dict | None = None, partitions: dict | None = None,
            instances: int = 1, seed: int = 42, run_ms: int = 120_000, time_scale: float = 0.1,
            crash: int | None = None, crash_at_ms: int | None = None, add_instance_at_ms: int | None = None,
            output_serdes: dict | None = None, application_id: str = "clicks-app", at: dict | None = None) -> AppRun:
    """Run ``topology_fn()`` on a fresh cluster with ``inputs`` ``{topic: [(key, value, ts)]}``.

    Records are produced in timestamp order at virtual time ``(ts - first ts) * time_scale`` (a
    10-minute click log plays in 60 s by default), keys and values serialized with ``output_serdes``
    (JSON by default). ``crash`` names the instance (0-based) to kill at ``crash_at_ms``;
    ``add_instance_at_ms`` starts one more instance then; ``at`` maps a time to ``fn(run)``, called
    then (a fault to inject). Output topics are read from the beginning once the run is over.
    """
    cluster = Cluster(brokers=3, seed=seed)
    partitions = partitions or {}
    topology0 = topology_fn()
    out_topics = sorted({f.topic for f in topology0.internal.node_factories.values()
                         if f.kind == "sink" and f.topic is not None and f.topic not in topology0.internal.internal_topics})
    for t in sorted(set(inputs) | set(out_topics)):
        cluster.create_topic(t, partitions=partitions.get(t, 3), replication_factor=3)
    conf = {"application.id": application_id, "bootstrap.servers": "kafka-1:9092", **(props or {})}
    apps = [KafkaStreams(topology0 if i == 0 else topology_fn(), conf, cluster=cluster) for i in range(instances)]
    run = AppRun(cluster, apps)
    for a in apps:
        a.start()
    serdes = output_serdes or {}
    producer = Producer({"bootstrap.servers": "kafka-1:9092", "partitioner": "murmur2_random", "linger.ms": 5},
                        cluster=cluster)
    rows = sorted(((ts, topic, k, v) for topic, recs in inputs.items() for k, v, ts in recs), key=lambda r: r[0])
    t0 = rows[0][0] if rows else 0
    start = cluster.now

    def send(topic, key, value, ts):
        ks, vs = serdes.get(topic, (Serdes.String(), JsonSerde()))
        producer.produce(topic, key=ks.serialize(topic, key), value=vs.serialize(topic, value), timestamp=ts)
        producer.poll(0)

    for ts, topic, k, v in rows:
        cluster.at(start + int((ts - t0) * time_scale), send, topic, k, v, ts)
    if crash is not None:
        run.crash_ms = start + (crash_at_ms if crash_at_ms is not None else run_ms // 2)
        cluster.at(run.crash_ms, apps[crash].crash)
    if add_instance_at_ms is not None:
        def add():
            extra = KafkaStreams(topology_fn(), conf, cluster=cluster)
            apps.append(extra)
            extra.start()

        cluster.at(start + add_instance_at_ms, add)
    for ms, fn in sorted((at or {}).items()):
        cluster.at(start + ms, fn, run)
    run.produced_until_ms = start + int(((rows[-1][0] - t0) if rows else 0) * time_scale)
    cluster.run(run_ms)
    producer.flush()
    run.outputs = read_topics(cluster, out_topics)
    return run


def key_count():
    """``stream("words").groupByKey().count(Materialized.as("counts"))`` written to ``counts-out``."""
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(Serdes.String(), Serdes.String())).group_by_key()
        .count(Materialized.as_("counts")).to_stream().to("counts-out", Produced.with_(Serdes.String(), Serdes.Long())))
    return b.build()


CRASH_WORDS = [(f"w{i % 13}", "x", 1000 + i * 100) for i in range(600)]  # 600 words of 13 keys, one per 100 ms
CRASH_PROPS = {"statestore.cache.max.bytes": 0, "commit.interval.ms": 5000}


@functools.cache  # deterministic: the notebook and its check share one run per guarantee
def crash_count_run(guarantee: str = "at_least_once", crash_at_ms: int = 46_500) -> AppRun:
    """Notebook 08's crash: two instances count :data:`CRASH_WORDS` (4 partitions, cache off, commits every
    5 s) under ``processing.guarantee=guarantee``; instance A dies ``crash_at_ms`` into the run."""
    return run_app(key_count, {"words": CRASH_WORDS}, instances=2,
                   output_serdes={"words": (Serdes.String(), Serdes.String())}, partitions={"words": 4},
                   props={**CRASH_PROPS, "processing.guarantee": guarantee}, time_scale=1.0, crash=0,
                   crash_at_ms=crash_at_ms, seed=1, run_ms=200_000)


def read_topics(cluster: Cluster, topics: list[str]) -> dict:
    """Every record of each topic, partition by partition: ``{topic: [(key, value, ts, partition, offset)]}``."""
    out = {}
    for t in topics:
        c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": f"lab-reader-{t}",
                      "enable.auto.commit": False}, cluster=cluster)
        n = len(c.list_topics(t).topics[t].partitions)
        tps = [TopicPartition(t, p, OFFSET_BEGINNING) for p in range(n)]
        ends = {p: c.get_watermark_offsets(TopicPartition(t, p))[1] for p in range(n)}
        c.assign(tps)
        rows = []
        got = dict.fromkeys(ends, 0)
        for _ in range(100):
            if all(got[p] >= ends[p] for p in ends):
                break
            for m in c.consume(10_000, 0.5):
                if m.error() is None:
                    rows.append((m.key(), m.value(), m.timestamp()[1], m.partition(), m.offset()))
                    got[m.partition()] = m.offset() + 1
        c.close()
        out[t] = sorted(rows, key=lambda r: (r[3], r[4]))
    return out


def drive(topology, inputs: dict, config: dict | None = None, output_serdes: dict | None = None,
          input_serdes: dict | None = None) -> tuple[TopologyTestDriver, dict]:
    """Pipe ``inputs`` (in timestamp order across topics) through a ``TopologyTestDriver``.

    Returns the driver and ``{output topic: [TestRecord]}`` read with ``output_serdes``
    (``{topic: (key serde, value serde)}``).
    """
    d = TopologyTestDriver(topology, {"application.id": "clicks-app", **(config or {})})
    input_serdes = input_serdes or {}
    topics = {t: d.create_input_topic(t, *input_serdes.get(t, (Serdes.String(), JsonSerde()))) for t in inputs}
    rows = sorted(((ts, i, topic, k, v) for topic, recs in inputs.items() for i, (k, v, ts) in enumerate(recs)),
                  key=lambda r: (r[0], r[1]))
    for ts, _i, topic, k, v in rows:
        topics[topic].pipe_input(k, v, ts)
    outs = {}
    for t, (ks, vs) in (output_serdes or {}).items():
        outs[t] = d.create_output_topic(t, ks, vs).read_records_to_list()
    return d, outs


@dataclass
class WindowRun:
    """What a windowed count did with each record, in arrival order (for the window explorer).

    ``records``: ``[{"i", "key", "ts", "stream_time", "counted": [(start, end)], "dropped": [(start, end)]}]``
    — the windows each record updated (from the output) and those it missed because they had closed (from
    the ``dropped-records`` events); ``windows``: ``[(key, start, end, count)]``, each window's last update
    on the output topic (the store may have expired old windows already).
    """

    windows_spec: object
    grace_ms: int
    records: list
    windows: list
    dropped: int


def window_run(windows, records, key: str = "u_42") -> WindowRun:
    """Count ``records`` (``[ts]`` or ``[(key, ts)]``, in arrival order) per ``windows`` in a test driver."""
    from .windows import SessionWindows, SlidingWindows

    b = StreamsBuilder()
    table = b.stream("clicks", Consumed.with_(Serdes.String(), Serdes.String())).group_by_key().windowed_by(
        windows).count(Materialized.as_("counts"))
    if isinstance(windows, SessionWindows):
        ks = WindowedSerdes.session_windowed_serde_from(Serdes.String())
    else:
        size = windows.time_difference_ms() if isinstance(windows, SlidingWindows) else windows.size()
        ks = WindowedSerdes.time_windowed_serde_from(Serdes.String(), size)
    table.to_stream().to("counts-out", Produced.with_(ks, Serdes.Long()))
    d = TopologyTestDriver(b.build(), {"application.id": "explorer"})
    inp = d.create_input_topic("clicks", Serdes.String(), Serdes.String())
    out = d.create_output_topic("counts-out", ks, Serdes.Long())
    rows = []
    stream_time = -1
    last: dict = {}
    for i, r in enumerate(records):
        k, ts = (key, r) if isinstance(r, int) else r
        seen = len(d.trace)
        inp.pipe_input(k, "click", ts)
        stream_time = max(stream_time, ts)
        updates = out.read_records_to_list()
        for x in updates:
            last[(x.key.key, x.key.window.start, x.key.window.end)] = x.value
        counted = [(x.key.window.start, x.key.window.end) for x in updates if x.value is not None]
        dropped = []
        for e in d.trace.events[seen:]:
            if e.kind == "streams.record_dropped" and "window" in e.fields:
                lo, hi = e.fields["window"].strip("[])").split(",")
                dropped.append((int(lo), int(hi)))
        rows.append({"i": i, "key": k, "ts": ts, "stream_time": stream_time, "counted": counted, "dropped": dropped})
    final = sorted((k, s, e, v) for (k, s, e), v in last.items() if v is not None)
    return WindowRun(windows, windows.grace_period_ms(), rows, final, d.metrics()["dropped-records-total"])


__all__ = [
    "CRASH_PROPS",
    "CRASH_WORDS",
    "MINUTE",
    "NOON",
    "AppRun",
    "WindowRun",
    "clicks_and_profiles",
    "crash_count_run",
    "drive",
    "enrich",
    "guide_topology",
    "hhmm",
    "key_count",
    "read_topics",
    "run_app",
    "window_run",
    "windowed_serde",
]
