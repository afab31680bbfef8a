"""The capstone's decision lab (notebook 09): every line of "choosing the right Kafka primitive" as a seeded
scenario that runs a learner's configuration and judges what happened.

Each scenario is ``run(config) -> Outcome``: it builds fresh seeded clusters, drives them with the
configuration, and reports whether the requirement of its cheat-sheet line held, with the evidence a
wrong choice leaves behind — rows for a table, bars for a picture, the trace events that show the
failure.  The eight scenarios reuse the labs of notebooks 01–08:

========================  ==========================================================================
``ordering``              60 click sessions, keyed by ``config["key"]``: sessions split over partitions
                          are seen out of order by parallel readers; a hot or single partition caps load
``durability``            RF, ``min.insync.replicas``, ``acks``, unclean election against four fault acts
                          (:func:`kafkalab.replication.run_scenario`)
``retries``               a lost ProduceResponse and a retried batch: duplicates without idempotence
``throughput``            :func:`kafkalab.scenarios.producer_workload` at 10,000 records/s
``at_least_once``         a loader over :func:`kafkalab.group_lab.sink_run` (failing, crashing warehouse)
``exactly_once``          :func:`kafkalab.txn_lab.eos_pipeline` with a crash, then a downstream reader
``warehouse``             a JDBC sink connector vs a hand-written consumer over the same poison and
                          duplicated records (:mod:`kafkalab.ecosystem.connect`)
``windowed``              a hopping count with a late click (:func:`kafkalab.ecosystem.streams.lab.window_run`);
                          Flink is *not* simulated: choosing it is judged against the stated requirement only
========================  ==========================================================================

>>> run("retries", {"enable.idempotence": True}).ok
True

:data:`TREE` is the decision tree from requirements to configuration that the widget of notebook 09
walks; every leaf names its scenario, the recommended configuration and the typical wrong ones.
Outcomes are cached by (scenario, configuration): the runs are deterministic, so a repeated choice
is the same run.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .clients import OFFSET_BEGINNING, OFFSET_STORED, Consumer, Producer, TopicPartition
from .cluster import Cluster
from .errors import KafkaException, error_text
from .scenarios import clickstream, read_partition

__all__ = ["FLINK_NOTE", "LEAVES", "SCENARIOS", "TREE", "DeleteOnAckQueue", "Leaf", "Outcome", "leaf", "leaf_runs", "queue_vs_log",
           "rebalance_triggers", "run", "trace_line"]


@dataclass
class Outcome:
    """What one scenario run showed: did the requirement hold, and the evidence."""

    scenario: str
    config: dict
    problem: str | None  # None: the requirement held; else what went wrong, in one sentence
    headline: str  # what happened, with numbers
    bars: list = field(default_factory=list)  # (label, value, "good" | "bad" | "neutral")
    unit: str = "records"
    rows: list = field(default_factory=list)  # dicts: the evidence table
    trace: list = field(default_factory=list)  # trace lines that show the failure (or its absence)
    run: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def verdict(self) -> str:
        return "requirement met: " + self.headline if self.ok else "requirement broken: " + self.problem


def trace_line(e) -> str:
    """One trace event as a fixed-width line: time, node, kind, fields (sorted)."""
    fields = " ".join(f"{k}={v}" for k, v in sorted(e.fields.items()) if k not in ("records",))
    return f"{e.time_ms:>7} ms  {e.node or '-':<10} {e.kind:<32} {fields}"[:150]


# ---------------------------------------------------------------------------------------------------
# 1. Ordering across many readers → a key that matches the ordering scope
# ---------------------------------------------------------------------------------------------------
ORDER_KEYS = ("session_id", "user_id", "event_id", "page", None)


def ordering(config: dict) -> Outcome:
    """``{"key": field of the click event or None, "partitions": n, "scope": "session" | "global"}``.

    60 click sessions are produced and read by one consumer per partition, in parallel (one record per
    partition per turn). ``scope="session"``: every session must be processed in order and no partition
    may carry more than 15 % of the records; ``scope="global"``: every click in the order it was produced.
    """
    key, parts, scope = config.get("key"), int(config.get("partitions", 12)), config.get("scope", "session")
    if key not in ORDER_KEYS or scope not in ("session", "global"):
        raise ValueError(f"key is one of {ORDER_KEYS}; scope is 'session' or 'global'")
    events = clickstream(sessions=60, events_per_session=5, hot_user_share=0.3, seed=7)
    cluster = Cluster(brokers=3, seed=21)
    cluster.create_topic("clickstream", partitions=parts, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 5}, cluster=cluster)
    for n, e in enumerate(events):
        p.produce("clickstream", key=None if key is None else getattr(e, key).encode(),
                  value=f"{e.session_id}|{e.seq}|{n}")
        p.poll(0.001)
    p.flush()
    per_part = [[m.value().decode().split("|") for m in read_partition(cluster, "clickstream", q)]
                for q in range(parts)]
    where: dict = {}
    for q, recs in enumerate(per_part):
        for sid, _seq, _n in recs:
            where.setdefault(sid, set()).add(q)
    processed: dict = {}
    overall: list = []
    for turn in range(max(len(r) for r in per_part)):  # parallel readers, one record each per turn
        for recs in per_part:
            if turn < len(recs):
                processed.setdefault(recs[turn][0], []).append(int(recs[turn][1]))
                overall.append(int(recs[turn][2]))
    disordered = sorted(s for s, seqs in processed.items() if seqs != sorted(seqs))
    behind = sum(1 for i in range(1, len(overall)) if overall[i] < max(overall[:i]))  # clicks overtaken
    load = [len(r) for r in per_part]
    share = max(load) / sum(load)
    split = [s for s, qs in where.items() if len(qs) > 1]
    rows = [{"session": s, "partitions": sorted(where[s]), "processed order": processed[s]}
            for s in disordered[:6]]
    if not rows:
        hot = load.index(max(load))
        rows = [{"partition": q, "records": n, "hottest": q == hot} for q, n in enumerate(load)][:12]
    bars = [("sessions split over partitions", len(split), "bad" if split else "good"),
            ("sessions processed out of order", len(disordered), "bad" if disordered else "good"),
            ("% of records on the hottest partition", round(100 * share),
             "bad" if share > 0.15 and scope == "session" else "neutral"),
            ("clicks processed after a later click", behind, "bad" if behind and scope == "global" else "neutral")]
    headline = (f"key={key}, {parts} partition(s): {len(split)} of 60 sessions split, {len(disordered)} processed "
                f"out of order, {behind} of {len(overall)} clicks processed after a later click, hottest partition "
                f"{share:.0%} of the records")
    problem = None
    if scope == "global":
        if behind:
            problem = (f"{behind} of {len(overall)} clicks were processed after a click produced later: {parts} "
                       "partitions are read in parallel, and Kafka orders records only within a partition")
    elif disordered or split:
        problem = (f"{len(disordered)} sessions were processed out of order: key={key} scatters a session's clicks "
                   f"over up to {max(len(v) for v in where.values())} partitions, and order holds only inside one")
    elif share > 0.15:
        problem = (f"order holds, but one partition gets {share:.0%} of the records: key={key} puts "
                   + ("every record" if parts == 1 else "the bot user's 30 % of sessions")
                   + " on one partition (one consumer's worth of throughput); the ordering scope is the session")
    return Outcome("ordering", dict(config), problem, headline, bars, "sessions / %", rows, run=cluster)


# ---------------------------------------------------------------------------------------------------
# 2. Durability against one broker loss
# ---------------------------------------------------------------------------------------------------
DURABLE_KEYS = ("replication.factor", "min.insync.replicas", "acks", "unclean.leader.election.enable")


def durability(config: dict) -> Outcome:
    """RF, ``min.insync.replicas``, ``acks`` and unclean election against four acts on 3 brokers:

    A. followers are slow and the leader dies 100 ms after a write: acknowledged means replicated?
    B. one broker is down: are writes still acknowledged?
    C. two brokers are down: a write must be refused, not kept on one copy;
    D. the whole ISR dies and a stale replica comes back (the unclean-election trap).
    """
    from .replication import run_scenario, unclean_election_example

    missing = [k for k in DURABLE_KEYS if k not in config]
    if missing:
        raise ValueError(f"configure {missing}")
    rf, mi = int(config["replication.factor"]), int(config["min.insync.replicas"])
    acks, unclean = str(config["acks"]), bool(config["unclean.leader.election.enable"])
    acks = "all" if acks == "-1" else acks
    if not (1 <= rf <= 3 and 1 <= mi <= 3):
        raise ValueError("three brokers: replication.factor and min.insync.replicas between 1 and 3")
    kw = {"replication_factor": rf, "min_insync_replicas": mi, "acks": acks, "unclean": unclean}
    acts, rows, trace = [], [], []
    # A: followers lag 2 s behind; the leader B1 dies 0.1 s after the write was acknowledged (or not yet)
    slow = [(0, "slow", b, 2000) for b in range(2, rf + 1)]
    a = run_scenario(slow + [(1, "write", "a1"), (1.1, "crash", 1), (20, "restart", 1)], run_s=40,
                     producer={"delivery.timeout.ms": 30_000}, **kw)
    acts.append(("A leader dies after ack", a))
    # B: one broker down; C: two down
    down1 = [(5, "crash", rf)] + [(10 + i, "write", f"b{i}") for i in range(3)]
    b = run_scenario(down1, run_s=40, producer={"delivery.timeout.ms": 15_000}, **kw) if rf > 1 else \
        run_scenario([(5, "crash", 1)] + [(10 + i, "write", f"b{i}") for i in range(3)], run_s=40,
                     producer={"delivery.timeout.ms": 15_000}, **kw)
    acts.append(("B one broker down", b))
    c = None
    if rf == 3:
        c = run_scenario([(5, "crash", 3), (6, "crash", 2)] + [(20 + i, "write", f"c{i}") for i in range(3)],
                         run_s=50, producer={"delivery.timeout.ms": 15_000}, **kw)
        acts.append(("C two brokers down", c))
    d = unclean_election_example(unclean=unclean, acks=acks, min_insync_replicas=min(mi, rf)) if rf == 3 else None
    if d is not None:
        acts.append(("D whole ISR dies, stale replica back", d))
    problem = None
    bars = []
    for name, r in acts:
        w = r.writes
        lost = r.lost()
        ok = sum(x["result"] == "ok" for x in w)
        rows.append({"act": name, "writes": len(w), "acknowledged": ok, "lost after ack": len(lost),
                     "errors": ", ".join(sorted({x["error"] for x in w if x["error"]}))})
        broke = len(lost)
        if name.startswith("B") and ok < len(w):
            broke += len(w) - ok
            problem = problem or (f"with one broker down only {ok} of {len(w)} writes were acknowledged "
                                  f"({rows[-1]['errors'] or 'partition offline'}): RF={rf} with min.insync.replicas={mi}"
                                  " leaves no room for a broker loss")
        if name.startswith("C") and ok:
            broke += ok
            problem = problem or (f"with two of three brokers down {ok} writes were acknowledged by a single copy: "
                                  f"min.insync.replicas={mi} lets one more failure erase them")
        if lost:
            problem = problem or (f"act {name}: {len(lost)} acknowledged write(s) {lost} were lost"
                                  + (": acks=1 acknowledged before the followers had it" if name.startswith("A")
                                     else ": an out-of-sync replica became leader (unclean election)"))
            trace += [trace_line(e) for e in r.trace.filter("metadata.PartitionChangeRecord")][:4]
        bars.append((name, broke, "bad" if broke else "good"))
    headline = "; ".join(f"{x['act']}: {x['acknowledged']}/{x['writes']} acknowledged, {x['lost after ack']} lost"
                         for x in rows)
    return Outcome("durability", dict(config), problem, headline, bars, "writes that broke the requirement",
                   rows, trace,
                   run=acts)


# ---------------------------------------------------------------------------------------------------
# 3. Safe producer retries
# ---------------------------------------------------------------------------------------------------
def retries(config: dict) -> Outcome:
    """A producer config (on top of ``acks=all``) through a lost ProduceResponse, a lost ProduceRequest and
    a leader that is unreachable for 3 s: every record once, in order, none given up?"""
    conf = {"bootstrap.servers": "kafka-1:9092", "acks": "all", **config}
    cluster = Cluster(brokers=3, seed=11)
    cluster.create_topic("orders", partitions=1, replication_factor=3)
    try:
        p = Producer(conf, cluster=cluster)
    except KafkaException as exc:
        return Outcome("retries", dict(config), f"librdkafka refuses the config: {error_text(exc)}",
                       "the producer was never created", [], "records")
    reports: dict = {}
    net = cluster.sim.network

    def send(lo, hi):
        for i in range(lo, hi):
            p.produce("orders", key=b"order-7", value=f"step-{i}".encode(),
                      on_delivery=lambda err, msg, i=i: reports.__setitem__(i, err))
            p.poll(0.002)

    leader = f"kafka-{cluster.describe('orders').partitions[0].leader}"
    net.drop_next(leader, p.node, "ProduceResponse")  # the broker appended it; the answer is lost
    send(0, 4)
    p.flush(200)
    net.drop_next(p.node, None, "ProduceRequest")  # this one never arrives
    send(4, 8)
    p.flush(200)
    stored = [int(m.value().decode().split("-")[1]) for m in read_partition(cluster, "orders", 0)]
    counts = Counter(stored)
    dup = sorted(i for i, n in counts.items() if n > 1)
    failed = sorted(i for i, e in reports.items() if e is not None)
    missing = [i for i in range(8) if counts[i] == 0]
    rows = [{"offset": o, "value": f"step-{v}", "copy": "duplicate" if stored[:o].count(v) else ""}
            for o, v in enumerate(stored)]
    trace = [trace_line(e) for e in cluster.trace.events if e.kind in ("net.drop", "produce.retry", "produce.dedup")
             or (e.kind == "log.append" and e.fields.get("topic") == "orders")][:10]
    problem = None
    if dup:
        problem = (f"{len(dup)} record(s) stored twice ({', '.join(f'step-{i}' for i in dup)}): the retry after a "
                   "lost answer was appended again; the broker cannot tell a retry from a new record")
    elif missing or failed:
        problem = (f"{len(missing)} record(s) never stored ({', '.join(f'step-{i}' for i in missing)}): the producer "
                   "gave up instead of retrying")
    elif stored != sorted(stored):
        problem = "the records came back out of order: a retried batch landed after a later one"
    bars = [("stored once", sum(1 for i in range(8) if counts[i] == 1), "good"),
            ("stored twice", len(dup), "bad" if dup else "good"),
            ("never stored", len(missing), "bad" if missing else "good")]
    headline = f"8 sends, {len(stored)} records in the log: {len(dup)} duplicated, {len(missing)} missing"
    return Outcome("retries", dict(config), problem, headline, bars, "records", rows, trace, run=cluster)


# ---------------------------------------------------------------------------------------------------
# 4. Producer throughput
# ---------------------------------------------------------------------------------------------------
THROUGHPUT_TARGET = {"rate": 10_000, "seconds": 0.5, "min_throughput": 9_500, "max_p99_ms": 40, "max_wire_kb": 300}


def throughput(config: dict) -> Outcome:
    """``linger.ms``, ``batch.size``, ``compression.type`` (``acks=all`` and idempotence fixed) at 10,000
    records/s: keep up, p99 ≤ 40 ms, ≤ 300 kB on the wire (notebook 04's target)."""
    from .scenarios import producer_workload

    base = {"acks": "all", "enable.idempotence": True}
    traded = {k: v for k, v in config.items() if k in base and str(v).lower() != str(base[k]).lower()}
    t = THROUGHPUT_TARGET
    r = producer_workload({**config, **base}, rate=t["rate"], seconds=t["seconds"])
    kb = r.bytes_sent / 1000
    rows = [{"records": r.records, "requests": r.requests, "records/request": round(r.records / max(1, r.requests), 1),
             "throughput (rec/s)": round(r.throughput), "p99 (ms)": round(r.p99_ms, 1), "wire (kB)": round(kb),
             "compression ratio": round(r.compression_ratio, 2)}]
    problem = None
    if traded:
        problem = f"durability was traded for speed ({traded}): the requirement keeps acks=all and idempotence"
    elif r.throughput < t["min_throughput"]:
        problem = (f"it kept up with only {r.throughput:,.0f} of {t['rate']:,} records/s: {r.requests} requests of "
                   f"{r.records / max(1, r.requests):.1f} records each; each request costs the broker a fixed price")
    elif r.p99_ms > t["max_p99_ms"]:
        problem = f"p99 latency {r.p99_ms:.0f} ms is above {t['max_p99_ms']} ms: records wait too long in a batch"
    elif kb > t["max_wire_kb"]:
        problem = (f"{kb:,.0f} kB went over the wire (target {t['max_wire_kb']} kB): the JSON is sent uncompressed "
                   f"(ratio {r.compression_ratio:.1f})")
    bars = [("throughput (k rec/s)", round(r.throughput / 1000, 1), "good" if r.throughput >= t["min_throughput"]
             else "bad"),
            ("p99 latency (ms)", round(r.p99_ms, 1), "good" if r.p99_ms <= t["max_p99_ms"] else "bad"),
            ("wire (100 kB)", round(kb / 100, 1), "good" if kb <= t["max_wire_kb"] else "bad")]
    headline = (f"{r.throughput:,.0f} records/s in {r.requests} requests, p99 {r.p99_ms:.0f} ms, {kb:,.0f} kB on the "
                "wire")
    return Outcome("throughput", dict(config), problem, headline, bars, "see labels", rows, run=r)


# ---------------------------------------------------------------------------------------------------
# 5. At-least-once consumer recovery
# ---------------------------------------------------------------------------------------------------
COMMIT_WHEN = ("after_write", "before_write", "never")


def _loader(commit: str):
    from .group_lab import SinkDown

    def step(consumer, warehouse):
        msgs = [m for m in consumer.consume(3, timeout=0.5) if m.error() is None]
        if not msgs:
            return
        if commit == "before_write":
            consumer.commit(asynchronous=False)
        for _attempt in range(5):
            try:
                warehouse.write(msgs)
                break
            except SinkDown:
                continue
        if commit == "after_write":
            consumer.commit(asynchronous=False)
    return step


def at_least_once(config: dict) -> Outcome:
    """``{"enable.auto.commit": bool, "commit": "after_write" | "before_write" | "never"}`` for a loader
    whose warehouse takes 6 s per write, fails once (HTTP 503) and kills the process twice."""
    from .group_lab import sink_run

    commit = config.get("commit", "after_write")
    if commit not in COMMIT_WHEN:
        raise ValueError(f"commit is one of {COMMIT_WHEN}")
    conf = {"enable.auto.commit": bool(config.get("enable.auto.commit", True)), "auto.commit.interval.ms": 5000}
    r = sink_run(_loader(commit), conf, fail_calls=(2,), crash_calls=(4,), crash_after_calls=(6,), records=30,
                 partitions=2, write_ms=6000, per_step=3, seed=7)
    lost = r.lost
    auto = [e for e in r.cluster.trace.filter("consumer.commit") if e.fields.get("auto")]
    rows = [{"time (s)": round(t / 1000, 1), "write call": call, "outcome": what, "records": n}
            for t, call, what, n in r.warehouse.log]
    problem = None
    if lost:
        why = ("auto-commit committed offsets poll() had returned while the warehouse write was still running"
               if auto else "the offsets were committed before the warehouse had the records")
        problem = f"{len(lost)} records never reached the warehouse: {why}"
    elif commit == "never" and not conf["enable.auto.commit"]:
        problem = (f"nothing was lost, but nothing was ever committed: every restart replays from the start "
                   f"({r.duplicates} rows written twice)")
    bars = [("records in the warehouse", len({(q, o) for q, o, _k, _v in r.warehouse.rows}), "good"),
            ("lost", len(lost), "bad" if lost else "good"),
            ("written twice (replayed)", r.duplicates, "neutral")]
    headline = (f"{sum(len(v) for v in r.source.values())} source records, {len(lost)} lost, {r.duplicates} replayed "
                f"after {r.restarts} crash(es); {len(auto)} auto-commits")
    return Outcome("at_least_once", dict(config), problem, headline, bars, "records", rows,
                   [trace_line(e) for e in auto[:5]], run=r)


# ---------------------------------------------------------------------------------------------------
# 6. Exactly-once across topics
# ---------------------------------------------------------------------------------------------------
def exactly_once(config: dict) -> Outcome:
    """``{"enable.idempotence", "transactional.id", "isolation.level"}`` for a consume-transform-produce
    loop that crashes after producing (iteration 2) and before committing (iteration 4); the downstream
    reader uses ``isolation.level``."""
    from .checks import eos_anomalies
    from .txn_lab import at_least_once_step, enrich, eos_pipeline, read_output

    tid = config.get("transactional.id")
    pconf = {"enable.idempotence": config.get("enable.idempotence", True)}
    if tid:
        pconf["transactional.id"] = tid
    iso = config.get("isolation.level", "read_committed")
    try:
        if tid:
            r = eos_pipeline(crashes={2: "after_produce", 4: "before_commit"}, seed=3, producer_conf=pconf)
        else:
            r = eos_pipeline(step=at_least_once_step, transactional=False, crashes={2: "after_produce",
                             4: "before_commit"}, seed=3, producer_conf=pconf)
    except KafkaException as exc:
        return Outcome("exactly_once", dict(config), f"librdkafka refuses the config: {error_text(exc)}",
                       "the pipeline never started")
    seen = [v for _o, v in read_output(r.cluster, iso)]
    bad = eos_anomalies(r.inputs, seen, transform=enrich)
    kinds = Counter(a["kind"] for a in bad)
    rows = [{"kind": a["kind"], "value": a["value"], "why": a["explanation"]} for a in bad[:8]]
    problem = None
    if bad:
        if tid and iso != "read_committed":
            why = "the reader also sees the records of transactions that were aborted after the crashes"
        elif not tid:
            why = "without transactions the output and the input offsets are committed separately, so a crash repeats work"
        else:
            why = "the transaction did not cover the work"
        problem = f"the downstream reader saw {dict(sorted(kinds.items()))} for {len(r.inputs)} inputs: {why}"
    bars = [("inputs", len(r.inputs), "neutral"), ("records the reader saw", len(seen),
                                                   "good" if not bad else "bad"),
            ("duplicates", kinds.get("duplicate", 0), "bad" if kinds.get("duplicate") else "good")]
    headline = (f"{len(r.inputs)} inputs, {len(r.crashes)} crashes, the {iso} reader saw {len(seen)} records "
                f"({sum(kinds.values())} anomalies)")
    trace = [trace_line(e) for e in r.trace.events if e.kind.startswith("txn.") and "abort" in e.kind.lower()][:5]
    return Outcome("exactly_once", dict(config), problem, headline, bars, "records", rows, trace, run=r)


# ---------------------------------------------------------------------------------------------------
# 7. Landing Kafka data in a warehouse
# ---------------------------------------------------------------------------------------------------
def _order(i, amount) -> str:
    schema = {"type": "struct", "name": "order", "optional": False,
              "fields": [{"field": "id", "type": "int64", "optional": False},
                         {"field": "amount", "type": "float64", "optional": False}]}
    return json.dumps({"schema": schema, "payload": {"id": i, "amount": float(amount)}})


#: The records every warehouse loader gets: a duplicate (order 1 twice), a later version (order 2) and poison.
WAREHOUSE_RECORDS = [_order(1, 10), _order(2, 20), "not json", _order(1, 10), _order(3, 30), _order(2, 25),
                     '{"id": 4}', _order(5, 50)]
WAREHOUSE_WANT = {1: 10.0, 2: 25.0, 3: 30.0, 5: 50.0}
_db_runs = iter(range(10**9))


def _custom_consumer(cluster, max_restarts: int = 3) -> dict:
    """The hand-written loader a team writes first: poll, json.loads, INSERT, commit — restarted by its
    supervisor when it dies."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id INTEGER, amount REAL)")
    restarts, log = 0, []
    while restarts <= max_restarts:
        c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "custom-loader", "enable.auto.commit": False,
                      "auto.offset.reset": "earliest"}, cluster=cluster)
        # Simplification: the process assigns itself the partition (resuming from the committed offset), so a
        # restart costs no rebalance wait; the supervisor restarts it at once.
        c.assign([TopicPartition("orders", 0, OFFSET_STORED)])
        try:
            for _ in range(20):
                for m in c.consume(10, timeout=1.0):
                    if m.error() is not None:
                        continue
                    v = json.loads(m.value())["payload"]
                    db.execute("INSERT INTO orders VALUES (?, ?)", (v["id"], v["amount"]))
                    c.commit(message=m, asynchronous=False)
            c.close()
            break
        except (ValueError, KeyError) as exc:  # the poison record kills the process
            log.append(f"restart {restarts + 1}: {type(exc).__name__} at offset {m.offset()}")
            c.crash()
            restarts += 1
    return {"rows": db.execute("SELECT id, amount FROM orders ORDER BY rowid").fetchall(), "log": log,
            "task": "RUNNING" if restarts <= max_restarts else "crash loop"}


def warehouse(config: dict) -> Outcome:
    """``{"tool": "connect", **connector settings}`` or ``{"tool": "custom"}`` over 8 records with a
    duplicate, an update and two poison records: one row per order, latest value, poison kept aside."""
    from .ecosystem.connect import ConnectCluster, ConnectRestError, database

    tool = config.get("tool")
    if tool not in ("connect", "custom"):
        raise ValueError("tool is 'connect' or 'custom'")
    cluster = Cluster(brokers=3, seed=11)
    cluster.create_topic("orders", partitions=1, replication_factor=3)
    p = cluster.producer({"acks": "all"})
    for i, v in enumerate(WAREHOUSE_RECORDS):
        p.produce("orders", key=str(i), value=v)
    p.flush()
    dlq: list = []
    if tool == "custom":
        out = _custom_consumer(cluster)
        rows, state, notes = out["rows"], out["task"], out["log"]
    else:
        name = f"capstone-{next(_db_runs)}"
        cfg = {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "topics": "orders",
               "connection.url": f"jdbc:sqlite:{name}", "auto.create": "true", "tasks.max": "1",
               "key.converter": "org.apache.kafka.connect.storage.StringConverter"}
        cfg.update({k: str(v) for k, v in config.items() if k != "tool"})
        connect = ConnectCluster(cluster, workers=1)
        try:
            connect.create_connector("orders-sink", cfg)
        except ConnectRestError as e:
            return Outcome("warehouse", dict(config), "Connect rejects the config: " + e.message.splitlines()[-1],
                           "the connector was never created")
        connect.run(60_000)
        db = database(name)
        cols = db.columns("orders") if "orders" in db.tables() else []
        rows = [(r[cols.index("id")], r[cols.index("amount")]) for r in db.query("SELECT * FROM orders")] if cols else []
        task = connect.status("orders-sink")["tasks"][0]
        state = task["state"]
        notes = [task.get("trace", "").splitlines()[-1][:140]] if state == "FAILED" else []
        topic = cfg.get("errors.deadletterqueue.topic.name")
        if topic and topic in cluster.topics():
            c = cluster.consumer({"group.id": "grader", "auto.offset.reset": "earliest"})
            c.subscribe([topic])
            dlq = [m.value() for m in c.consume(100, timeout=5) if m.error() is None]
    ids = Counter(i for i, _a in rows)
    latest = dict(rows)
    problem = None
    if state != "RUNNING":
        problem = (f"the loader is down ({state}) after a poison record: {len(rows)} of 8 records landed"
                   + ("; a custom consumer needs its own error handling and dead-letter code" if tool == "custom"
                      else "; converter errors stop the task unless errors.tolerance=all"))
    elif any(n > 1 for n in ids.values()):
        problem = (f"orders {sorted(i for i, n in ids.items() if n > 1)} have more than one row: a plain insert "
                   "writes every delivery; an upsert on the order id makes redelivery harmless")
    elif latest != WAREHOUSE_WANT:
        problem = f"the table holds {latest}, not the latest value of each order {WAREHOUSE_WANT}"
    elif len(dlq) < 2:
        problem = "the rows are right but the two poison records vanished: keep them in a dead letter topic"
    table = [{"id": i, "amount": a} for i, a in rows]
    bars = [("rows in the table", len(rows), "good" if not problem else "bad"),
            ("orders with >1 row", sum(1 for n in ids.values() if n > 1), "bad" if any(n > 1 for n in ids.values())
             else "good"),
            ("poison records kept (DLQ)", len(dlq), "good" if len(dlq) >= 2 else "bad"),
            ("records stuck behind a stopped loader", 0 if state == "RUNNING" else max(0, 8 - len(rows) - len(dlq)),
             "good" if state == "RUNNING" else "bad")]
    headline = (f"{tool}: loader {state}, {len(rows)} rows for {len(WAREHOUSE_WANT)} orders, {len(dlq)} records in "
                "the dead letter topic")
    return Outcome("warehouse", dict(config), problem, headline, bars, "rows / records", table, notes, run=cluster)


# ---------------------------------------------------------------------------------------------------
# 8. Windowed aggregations
# ---------------------------------------------------------------------------------------------------
FLINK_NOTE = ("Not simulated: the kit has no Flink. What is stated about it (not run here): Flink keeps state in "
              "RocksDB checkpointed to object storage, drives event time by watermarks across sources, and can "
              "route late records to a side output; it runs as its own cluster (JobManager, TaskManagers).")


def windowed(config: dict) -> Outcome:
    """``{"engine": "kafka-streams" | "flink", "grace_min": n, "state": "fits-in-app" | "huge"}``: count one
    user's clicks per 5-minute window advancing by 1 minute, where one click arrives 3 minutes late."""
    from .ecosystem.streams.lab import MINUTE, NOON, hhmm, window_run
    from .ecosystem.streams.windows import TimeWindows

    engine, state = config.get("engine", "kafka-streams"), config.get("state", "fits-in-app")
    if engine not in ("kafka-streams", "flink") or state not in ("fits-in-app", "huge"):
        raise ValueError("engine is 'kafka-streams' or 'flink'; state is 'fits-in-app' or 'huge'")
    grace = int(config.get("grace_min", 0))
    on_time = [0.2, 1.1, 1.9, 3.4, 4.6, 6.2, 7.5, 8.3, 9.6]
    ts = [NOON + int(m * MINUTE) for m in on_time] + [NOON + int(6.6 * MINUTE)]  # the last click: 3 min late
    windows = TimeWindows.of_size_and_grace(5 * MINUTE, grace * MINUTE).advance_by(MINUTE)
    r = window_run(windows, ts)
    late = r.records[-1]
    rows = [{"window": f"{hhmm(s)}–{hhmm(e)}", "count": c} for _k, s, e, c in r.windows]
    problem = None
    if engine == "flink" and state == "fits-in-app":
        problem = ("the state is a few windows per user and fits in the application: a Flink cluster is one more "
                   "system to run for no gain here (Flink itself is not simulated)")
    elif engine == "kafka-streams" and state == "huge":
        problem = ("TB-scale state would live in every instance's RocksDB and be restored from changelogs on each "
                   "task move; that is the case the guide sends to Flink (not simulated here)")
    elif late["dropped"]:
        problem = (f"the click at {hhmm(late['ts'])} arrived when stream time was {hhmm(late['stream_time'])} and was "
                   f"dropped from {len(late['dropped'])} window(s): grace {grace} min closes them too early")
    bars = [("windows that counted the late click", len(late["counted"]), "good"),
            ("windows that dropped it", len(late["dropped"]), "bad" if late["dropped"] else "good")]
    headline = (f"{engine}, grace {grace} min: the late click counted in {len(late['counted'])} window(s), "
                f"dropped from {len(late['dropped'])}")
    notes = [FLINK_NOTE] if engine == "flink" or state == "huge" else []
    return Outcome("windowed", dict(config), problem, headline, bars, "windows", rows, notes, run=r)


SCENARIOS = {"ordering": ordering, "durability": durability, "retries": retries, "throughput": throughput,
             "at_least_once": at_least_once, "exactly_once": exactly_once, "warehouse": warehouse,
             "windowed": windowed}
_CACHE: dict = {}


def _freeze(config: dict) -> tuple:
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in config.items()))


def run(scenario: str, config: dict) -> Outcome:
    """Run ``scenario`` with ``config`` (cached: the runs are seeded, so the same choice is the same run)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario is one of {sorted(SCENARIOS)}")
    if not isinstance(config, dict):
        raise TypeError("the configuration is a dict")
    key = (scenario, _freeze(config))
    if key not in _CACHE:
        from .isolation import isolated_clusters

        with isolated_clusters():
            _CACHE[key] = SCENARIOS[scenario](dict(config))
    return _CACHE[key]


# ---------------------------------------------------------------------------------------------------
# The decision tree: requirement → (detail) → leaf
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    need: str
    detail: str
    scenario: str
    config: dict
    wrong: dict  # label -> a typical wrong configuration
    why: str


LEAVES = [
    Leaf("ordering across many readers", "ordering per session", "ordering",
         {"key": "session_id", "partitions": 12},
         {"no key": {"key": None, "partitions": 12}, "key = event_id": {"key": "event_id", "partitions": 12},
          "key = user_id (a hot user)": {"key": "user_id", "partitions": 12},
          "one partition": {"key": "session_id", "partitions": 1}},
         "a key that matches the ordering scope: every click of a session in one partition, sessions spread"),
    Leaf("ordering across many readers", "one global order", "ordering", {"key": None, "partitions": 1, "scope": "global"},
         {"12 partitions": {"key": None, "partitions": 12, "scope": "global"},
          "12 partitions, key = session_id": {"key": "session_id", "partitions": 12, "scope": "global"}},
         "global order means one partition, and one partition caps throughput (the scenario says so)"),
    Leaf("durability against one broker loss", "-", "durability",
         {"replication.factor": 3, "min.insync.replicas": 2, "acks": "all", "unclean.leader.election.enable": False},
         {"acks=1": {"replication.factor": 3, "min.insync.replicas": 2, "acks": "1",
                     "unclean.leader.election.enable": False},
          "min.insync.replicas=1": {"replication.factor": 3, "min.insync.replicas": 1, "acks": "all",
                                    "unclean.leader.election.enable": False},
          "unclean election on": {"replication.factor": 3, "min.insync.replicas": 2, "acks": "all",
                                  "unclean.leader.election.enable": True},
          "RF=2, min.insync=2": {"replication.factor": 2, "min.insync.replicas": 2, "acks": "all",
                                 "unclean.leader.election.enable": False}},
         "RF=3 + min.insync.replicas=2 + acks=all + no unclean election"),
    Leaf("safe producer retries", "-", "retries", {"enable.idempotence": True},
         {"idempotence off": {"enable.idempotence": False},
          "idempotence off, 1 in flight": {"enable.idempotence": False, "max.in.flight.requests.per.connection": 1},
          "no retries": {"enable.idempotence": False, "retries": 0}},
         "enable.idempotence=true: the broker drops a retried batch it already has"),
    Leaf("producer throughput", "-", "throughput", {"linger.ms": 20, "batch.size": 131072, "compression.type": "zstd"},
         {"defaults": {}, "linger.ms=0": {"linger.ms": 0}, "batching, no compression": {"linger.ms": 20,
                                                                                      "batch.size": 131072}},
         "raise linger.ms and batch.size, compress with zstd"),
    Leaf("at-least-once consumer recovery", "-", "at_least_once", {"enable.auto.commit": False, "commit": "after_write"},
         {"auto-commit": {"enable.auto.commit": True, "commit": "never"},
          "commit before the write": {"enable.auto.commit": False, "commit": "before_write"},
          "auto-commit + commit after": {"enable.auto.commit": True, "commit": "after_write"}},
         "enable.auto.commit=false, commit synchronously after the side effect succeeded"),
    Leaf("exactly-once across topics", "-", "exactly_once",
         {"enable.idempotence": True, "transactional.id": "etl-1", "isolation.level": "read_committed"},
         {"idempotence only": {"enable.idempotence": True, "isolation.level": "read_committed"},
          "transactions, read_uncommitted reader": {"enable.idempotence": True, "transactional.id": "etl-1",
                                                    "isolation.level": "read_uncommitted"},
          "nothing": {"enable.idempotence": False, "isolation.level": "read_uncommitted"}},
         "idempotent producer + transactions + read_committed: skip none of the three"),
    Leaf("land data in a warehouse", "-", "warehouse",
         {"tool": "connect", "insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id",
          "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq"},
         {"custom consumer": {"tool": "custom"}, "connector defaults": {"tool": "connect"},
          "connector, insert + DLQ": {"tool": "connect", "errors.tolerance": "all",
                                      "errors.deadletterqueue.topic.name": "orders-dlq"}},
         "a sink connector (upsert on the business key, a dead letter topic) before custom code"),
    Leaf("windowed aggregation", "state fits in the application", "windowed",
         {"engine": "kafka-streams", "state": "fits-in-app", "grace_min": 5},
         {"no grace": {"engine": "kafka-streams", "state": "fits-in-app", "grace_min": 0},
          "grace too short": {"engine": "kafka-streams", "state": "fits-in-app", "grace_min": 2},
          "a Flink cluster": {"engine": "flink", "state": "fits-in-app", "grace_min": 5}},
         "Kafka Streams, with a grace that admits the late records you expect"),
    Leaf("windowed aggregation", "huge state or rich event time", "windowed",
         {"engine": "flink", "state": "huge", "grace_min": 5},
         {"Kafka Streams anyway": {"engine": "kafka-streams", "state": "huge", "grace_min": 5}},
         "Flink (not simulated here): watermarks, side outputs, checkpointed TB-scale state"),
]

#: need → {detail → leaf}: the widget's two levels of questions.
TREE: dict = {}
for _leaf in LEAVES:
    TREE.setdefault(_leaf.need, {})[_leaf.detail] = _leaf


def leaf(need: str, detail: str = "-") -> Leaf:
    return TREE[need][detail]


def leaf_runs(lf: Leaf) -> tuple[list, list]:
    """The leaf's recommended configuration and each typical wrong one, run: (labels, outcomes)."""
    labels = ["recommended", *lf.wrong]
    return labels, [run(lf.scenario, lf.config)] + [run(lf.scenario, c) for c in lf.wrong.values()]


# ---------------------------------------------------------------------------------------------------
# FAQ 1: Kafka vs a delete-on-ack queue, on the same workload
# ---------------------------------------------------------------------------------------------------
class DeleteOnAckQueue:
    """A minimal model of a classic message queue: a message goes to one of the queue's consumers and is
    deleted when that consumer acks it.  Not RabbitMQ; only the delete-on-consume property the FAQ names.

    >>> q = DeleteOnAckQueue(); q.publish("m1"); q.receive("a"), q.receive("b")
    ('m1', None)
    """

    def __init__(self):
        self.ready: list = []
        self.log: list = []  # (event, consumer, message)

    def publish(self, message) -> None:
        self.ready.append(message)
        self.log.append(("publish", "-", message))

    def receive(self, consumer: str):
        if not self.ready:
            return None
        m = self.ready.pop(0)
        self.log.append(("deliver+ack+delete", consumer, m))
        return m


def queue_vs_log(records: int = 60, seed: int = 42) -> list[dict]:
    """The same workload through a delete-on-ack queue and a Kafka topic: two teams (billing with 2 consumers,
    analytics with 1) read 60 orders; then analytics replays yesterday.  Rows: system, reader, records got."""
    rows = []
    q = DeleteOnAckQueue()
    for i in range(records):
        q.publish(f"order-{i}")
    readers = ["billing-1", "billing-2", "analytics-1"]
    got = Counter()
    turn = 0
    while q.receive(readers[turn % 3]) is not None:
        got[readers[turn % 3]] += 1
        turn += 1
    for r in readers:
        rows.append({"system": "delete-on-ack queue", "reader": r, "records": got[r]})
    rows.append({"system": "delete-on-ack queue", "reader": "analytics replay", "records": len(q.ready)})
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=6, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(records):
        p.produce("orders", value=f"order-{i}", partition=i % 6)
    p.flush()
    plan = {"billing-1": ("billing", [0, 1, 2]), "billing-2": ("billing", [3, 4, 5]),
            "analytics-1": ("analytics", list(range(6))), "analytics replay": ("analytics-replay", list(range(6)))}
    for reader, (group, parts) in plan.items():
        c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group}, cluster=cluster)
        c.assign([TopicPartition("orders", q_, OFFSET_BEGINNING) for q_ in parts])
        n = 0
        while msgs := c.consume(500, timeout=0.2):
            n += sum(m.error() is None for m in msgs)
        c.close()
        rows.append({"system": "Kafka topic (retained log)", "reader": reader, "records": n})
    return rows


# ---------------------------------------------------------------------------------------------------
# FAQ 4: what triggers a rebalance
# ---------------------------------------------------------------------------------------------------
def rebalance_triggers(seed: int = 42) -> dict:
    """A cooperative-sticky group on ``orders`` (4 partitions), C1 and C2 polling every 100 ms, then five
    four events, 30 s apart: C3 joins; C3 closes (LeaveGroup); C1 stops polling for longer than
    ``max.poll.interval.ms``; C2 is killed (no LeaveGroup: the session timeout notices).

    Simplification: Kafka also rebalances when a subscribed topic gains partitions (the consumers see the new
    count in a metadata refresh); the kit's group model does not simulate that trigger, so it is not run here.
    Returns ``{"rows": [{event, at_s, rebalances, reasons, generation}], "cluster": ...}``."""
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=4, replication_factor=3)
    conf = {"bootstrap.servers": "kafka-1:9092", "group.id": "billing", "partition.assignment.strategy":
            "cooperative-sticky", "topic.metadata.refresh.interval.ms": 5000, "max.poll.interval.ms": 20_000,
            "session.timeout.ms": 10_000, "heartbeat.interval.ms": 1000}
    members: dict = {}

    def start(name):
        c = Consumer({**conf, "client.id": name}, cluster=cluster)
        c.subscribe(["orders"])
        members[name] = c

    silent: set = set()

    def pump(ms):
        end = cluster.now + ms
        while cluster.now < end:
            for name in sorted(members):
                if name not in silent:
                    members[name].poll(0)
            cluster.run(100)

    start("C1")
    start("C2")
    pump(20_000)
    events = [("C3 joins", lambda: start("C3")),
              ("C3 leaves (close)", lambda: members.pop("C3").close()),
              ("C1 stops polling (> max.poll.interval.ms)", lambda: silent.add("C1")),
              ("C2 killed (session timeout)", lambda: members.pop("C2").crash())]
    rows = []
    t0 = cluster.now
    for name, act in events:
        since = cluster.now
        act()
        pump(30_000 if "stops polling" not in name else 25_000)
        if "stops polling" in name:
            silent.discard("C1")
            pump(5_000)
        preps = [e for e in cluster.trace.filter("group.prepare_rebalance") if e.time_ms >= since]
        gens = [e.fields["generation"] for e in cluster.trace.filter("group.generation") if e.time_ms >= since]
        rows.append({"event": name, "at (s)": round((since - t0) / 1000), "rebalances": len(gens),
                     "reason": "; ".join(sorted({str(e.fields.get("reason")) for e in preps})) or "-",
                     "generation after": gens[-1] if gens else "-"})
    return {"rows": rows, "cluster": cluster}
