"""Exercises of ``notebooks/01_why_kafka.py``: the log, queue vs pub-sub, sizing an ingest topic.

Every verdict runs the learner's answer on a fresh simulated cluster and judges what happened.
"""
from __future__ import annotations

import math

from ..clients import Consumer, Producer, TopicPartition
from ..clients.common import OFFSET_BEGINNING
from ..cluster import Cluster
from ..errors import KafkaException, error_text
from ..scenarios import clickstream, group_assignment, queue_vs_pubsub, read_partition
from .core import Prediction, exercise

# The workload of the sizing exercise (notebook 01 states it in words).
WORKLOAD = {"peak_events_per_s": 60_000, "per_consumer_events_per_s": 4_000, "growth": 1.5,
            "record_bytes": 2_000, "retention_days": 3, "storage_budget_tb": 120}
DAY_MS = 86_400_000


def _storage_tb(rate: int, record_bytes: int, retention_ms: int, rf: int) -> float:
    return rate * record_bytes * (retention_ms // 1000) * rf / 1e12


@exercise(
    "size_ingest_topic",
    hints=["Three numbers drive it: how many consumers the peak needs (with the growth headroom), how many "
           "copies survive a broker loss, and how long records stay.",
           "A consumer group can use at most one consumer per partition, so the partition count has to cover "
           "the consumers you will need after growth.",
           "Storage is events/s × record size × retention seconds × replication factor: check it against the budget."],
    solution="partitions = ceil(60,000 × 1.5 / 4,000) = 23 (up to ~2–3× that is fine); replication_factor = 3 with "
             "min_insync_replicas = 2 survives one broker loss without losing acknowledged writes; retention_ms = "
             "3 days = 259,200,000. Storage = 60,000 × 2,000 B × 259,200 s × 3 ≈ 93 TB, inside the 120 TB budget. "
             "The checker created your topic with kafka-topics.sh, gave a 23-consumer group its partitions, "
             "and wrote through a broker failure.",
    why="enough partitions for the grown consumer group, 3 copies with a durability gate, inside the budget",
)
def size_ingest_topic(answer) -> str | None:
    if not isinstance(answer, dict):
        return "answer with a dict: {'partitions': ..., 'replication_factor': ..., 'min_insync_replicas': ..., " \
               "'retention_ms': ...}"
    missing = [k for k in ("partitions", "replication_factor", "min_insync_replicas", "retention_ms")
               if k not in answer]
    if missing:
        return f"the dict needs {', '.join(missing)} too"
    w = WORKLOAD
    cluster = Cluster(brokers=3, seed=11)
    cmd = (f"kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic clickstream "
           f"--partitions {answer['partitions']} --replication-factor {answer['replication_factor']} "
           f"--config min.insync.replicas={answer['min_insync_replicas']} --config retention.ms={answer['retention_ms']}")
    out = cluster.cli(cmd)
    if out.exit_code != 0:
        first = (out.stdout + out.stderr).strip().splitlines()[0]
        return f"kafka-topics.sh refused that topic: {first}"
    topic = cluster.describe("clickstream")
    parts, rf = len(topic.partitions), topic.replication_factor
    cfg = cluster.topic_config("clickstream")
    needed = math.ceil(w["peak_events_per_s"] * w["growth"] / w["per_consumer_events_per_s"])
    members = [f"c{i}" for i in range(needed)]
    idle = [m for m, ps in group_assignment("clickstream", parts, members).items() if not ps]
    if idle:
        return (f"after growth the group needs {needed} consumers, but with {parts} partitions {len(idle)} of them "
                f"get nothing to read: the partition count caps a group's parallelism")
    if parts > 3 * needed:
        return f"{parts} partitions is far more than the {needed} consumers need: every partition costs file " \
               f"handles, metadata and rebalance time"
    if cfg["retention.ms"] != w["retention_days"] * DAY_MS:
        return "the retention does not match the 3 days the workload asks for (retention.ms is in milliseconds)"
    tb = _storage_tb(w["peak_events_per_s"], w["record_bytes"], cfg["retention.ms"], rf)
    if tb > w["storage_budget_tb"]:
        return f"that stores {tb:.0f} TB (bytes × retention × replication factor), over the " \
               f"{w['storage_budget_tb']} TB budget"
    return _survives_one_broker_loss(cluster, "clickstream")


def _survives_one_broker_loss(cluster: Cluster, topic: str) -> str | None:
    """acks=all writes before and after the leader of partition 0 dies; all must be acknowledged and kept."""
    acked, failed = [], []

    def report(err, msg):
        (failed if err else acked).append(msg.value() if not err else err.name())

    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "message.timeout.ms": 60000}, cluster=cluster)
    for i in range(5):
        p.produce(topic, value=f"before-{i}", partition=0, on_delivery=report)
    p.flush()
    leader = cluster.describe(topic).partitions[0].leader
    cluster.crash_broker(leader)
    for i in range(5):
        p.produce(topic, value=f"after-{i}", partition=0, on_delivery=report)
    p.flush()
    if cluster.describe(topic).partitions[0].leader < 0:
        return "with one broker down the partition went offline: its only copy was on that broker"
    if failed:
        return ("with one broker down the acks=all writes were refused: fewer in-sync replicas remained than the "
                "topic's min.insync.replicas asks for")
    kept = {m.value() for m in read_partition(cluster, topic, 0)}
    lost = [v for v in acked if v not in kept]
    if lost:
        return f"{len(lost)} acknowledged records were lost when a broker died: one copy is not enough"
    return None


@exercise(
    "session_key",
    hints=["Ordering holds only inside one partition; what must end up together in one partition?",
           "The key decides the partition. A key shared by too much traffic makes one partition hot.",
           "Look at what identifies a session, not a user or a single click."],
    solution="key_for = lambda e: e.session_id.encode(): every event of a session hashes to one partition, "
             "so a consumer sees a session's clicks in order; sessions spread over the partitions. user_id also "
             "keeps sessions together but puts the bot's 30% of traffic on one partition; event_id or no key "
             "scatters a session over many partitions.",
    why="one partition per session keeps its order; many sessions keep the load spread",
)
def session_key(key_for) -> str | None:
    if not callable(key_for):
        return "answer with a function: key_for(event) -> bytes"
    events = clickstream(sessions=60, events_per_session=5, hot_user_share=0.3, seed=7)
    cluster = Cluster(brokers=3, seed=21)
    cluster.create_topic("clickstream", partitions=20, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 5}, cluster=cluster)
    for e in events:
        key = key_for(e)
        if key is not None and not isinstance(key, (bytes, str)):
            return f"the key must be bytes (or str), not {type(key).__name__}: e.g. ....encode()"
        p.produce("clickstream", key=key, value=f"{e.session_id}|{e.seq}")
        p.poll(0.001)  # a millisecond of virtual time between clicks
    p.flush()
    where: dict[str, set] = {}
    order: dict[str, list] = {}
    load = []
    for part in range(20):
        msgs = read_partition(cluster, "clickstream", part)
        load.append(len(msgs))
        for m in msgs:
            sid, seq = m.value().decode().split("|")
            where.setdefault(sid, set()).add(part)
            order.setdefault(sid, []).append(int(seq))
    split = sorted(s for s, ps in where.items() if len(ps) > 1)
    if split:
        return (f"{len(split)} of {len(where)} sessions were spread over several partitions, so a consumer can see "
                f"their clicks out of order")
    if any(seqs != sorted(seqs) for seqs in order.values()):
        return "some session's clicks came back out of order"
    share = max(load) / sum(load)
    if share > 0.15:
        return (f"one partition got {share:.0%} of all events: the key groups too much traffic together "
                f"(a hot key)")
    return None


@exercise(
    "survive_broker_loss",
    hints=["Two flags of kafka-topics.sh --create decide it: how many copies, and how many must be in sync "
           "for an acks=all write.",
           "Losing one broker must not stop writes or lose acknowledged ones; losing two should stop writes "
           "rather than accept them on a single copy.",
           "min.insync.replicas is a topic config: --config min.insync.replicas=N."],
    solution="kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic payments --partitions 6 "
             "--replication-factor 3 --config min.insync.replicas=2. With one broker gone two in-sync copies "
             "remain, so acks=all writes go on; with two gone the leader refuses them (NOT_ENOUGH_REPLICAS) "
             "instead of acknowledging data that a further failure would erase.",
    why="RF=3 with min.insync.replicas=2: one loss is harmless, two are refused, never silent",
)
def survive_broker_loss(command) -> str | None:
    if not isinstance(command, str) or "kafka-topics" not in command:
        return "answer with the kafka-topics.sh --create command line, as a string"
    cluster = Cluster(brokers=3, seed=5)
    out = cluster.cli(command)
    if out.exit_code != 0:
        first = (out.stdout + out.stderr).strip().splitlines()[0]
        return f"kafka-topics.sh refused it: {first}"
    if "payments" not in cluster.topics():
        return "the command should create the topic named payments"
    said = _survives_one_broker_loss(cluster, "payments")
    if said:
        return said
    # A second broker down: writes must now be refused, not acknowledged by a lone replica.
    alive = [b for b, x in cluster.brokers.items() if x.alive]
    cluster.crash_broker(alive[0])
    cluster.run(15000)
    results = []
    p = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "message.timeout.ms": 20000}, cluster=cluster)
    for part in range(len(cluster.describe("payments").partitions)):
        p.produce("payments", value=b"x", partition=part, on_delivery=lambda e, m: results.append(e))
    p.flush()
    if any(e is None for e in results):
        return ("with two of three brokers down some writes were still acknowledged, by a single copy that the "
                "next failure would erase: raise the topic's durability gate")
    return None


def _fanout() -> tuple[int, int]:
    rows = queue_vs_pubsub({"dashboard": 4, "warehouse": 1}, partitions=6, records=120)["rows"]
    busiest = max(r[3] for r in rows if r[0] == "dashboard")
    warehouse = sum(r[3] for r in rows if r[0] == "warehouse")
    return busiest, warehouse


def _explain_fanout(predicted, actual) -> str | None:
    if not (isinstance(predicted, tuple) and len(predicted) == 2):
        return "predict a pair: (records the busiest dashboard consumer reads, records the warehouse consumer reads)"
    if predicted[1] != actual[1]:
        return "every group reads the whole topic on its own: a second group does not share records with the first"
    if predicted[0] == 30:
        return "6 partitions do not divide evenly among 4 consumers: some consumers own two partitions"
    return None


@exercise(
    "predict_fanout",
    hints=["Within one group each partition has exactly one reader; partitions, not records, are shared out.",
           "Each group has its own offsets, so each group sees every record."],
    solution="Range assignment gives dashboard-1 and dashboard-2 two partitions each (40 records), the others "
             "one (20); the warehouse group's single consumer owns all six partitions and reads all 120. Queue "
             "semantics inside a group, pub-sub across groups, on one log.",
)
@Prediction
def predict_fanout():
    return _fanout()


predict_fanout.explain = _explain_fanout


@exercise(
    "replay_last_n",
    hints=["Offsets are positions in the partition's log; a consumer can move its position with seek().",
           "The log does not always start at offset 0: retention may have deleted the oldest segments.",
           "get_watermark_offsets(tp) gives (low, high): the first offset still stored and the next to be written."],
    solution="low, high = consumer.get_watermark_offsets(tp); consumer.seek(TopicPartition(tp.topic, tp.partition, "
             "max(low, high - n))); then consume until you have the records. Replay is just moving the offset: the "
             "records are still in the log until retention removes their segment.",
    why="replay = seek to an earlier offset; the watermarks say which offsets still exist",
)
def replay_last_n(replay) -> str | None:
    if not callable(replay):
        return "answer with a function replay(consumer, tp, n) -> list of messages"
    for n_records, n, retention in ((50, 10, False), (50, 45, True)):
        cluster = Cluster(brokers=1, seed=3)
        cfg = {"segment.bytes": 1048576, "segment.ms": 10_000, "retention.ms": 60_000} if retention else {}
        cluster.create_topic("events", partitions=1, replication_factor=1, config=cfg)
        p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
        for i in range(n_records):
            p.produce("events", value=f"event-{i}")
            p.flush()
            cluster.run(1000)
        if retention:
            cluster.run(300_000)  # one retention check: the old segments go
        log = cluster.partition_log("events", 0)
        c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "replayer"}, cluster=cluster)
        tp = TopicPartition("events", 0, OFFSET_BEGINNING)
        c.assign([tp])
        c.consume(1000, timeout=0.5)  # the consumer has read everything already
        try:
            got = replay(c, TopicPartition("events", 0), n)
        except KafkaException as exc:
            return f"your replay failed with {type(exc).__name__}: {error_text(exc)}"
        values = [m.value().decode() for m in (got or []) if m.error() is None]
        first = max(log.log_start_offset, log.high_watermark - n)
        want = [f"event-{i}" for i in range(first, log.high_watermark)]
        if values != want:
            if retention and len(values) != len(want):
                return "when retention has removed the oldest records, fewer than n remain: start no earlier than " \
                       "the first offset still stored"
            if values and values[0] == f"event-{n}":
                return "seek takes an offset in the log, not a count: count back from the end of the partition"
            return f"replaying the last {n} should return {len(want)} records in offset order; you returned " \
                   f"{len(values)}"
    return None
