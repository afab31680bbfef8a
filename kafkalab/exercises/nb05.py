"""Exercises of ``notebooks/05_consumer_groups.py``: assignments, pauses, the at-least-once loader,
idempotent upserts, and surviving slow batches.

Every verdict runs the learner's answer (or the scenario behind a prediction) on a fresh, seeded
simulated cluster and judges what the consumers, the coordinator and the warehouse did.
"""
from __future__ import annotations

import json

from ..clients import Consumer, Producer
from ..cluster import Cluster
from ..group_lab import group_run, pauses, sink_run
from .core import Prediction, exercise

# ---------------------------------------------------------------------------------------------
# 1. Predict the assignment after a member dies (cooperative-sticky)
# ---------------------------------------------------------------------------------------------


def after_crash(consumers: int = 5, partitions: int = 10, victim: str = "C2") -> dict:
    """C1..Cn on ``partitions`` partitions with cooperative-sticky; ``victim`` crashes; the settled
    assignment (by client id)."""
    run = group_run(consumers, partitions, strategy="cooperative-sticky", crash=victim, crash_at_ms=20_000,
                    run_ms=80_000)
    return run.assignment()


def _explain_after(predicted, actual) -> str | None:
    if not isinstance(predicted, dict):
        return "predict a dict {consumer: [partitions]}"
    if "C2" in predicted:
        return "C2 is dead: after the session timeout the coordinator removes it, so it is not in the group"
    if predicted == {"C1": [0, 1, 2], "C3": [3, 4, 5], "C4": [6, 7], "C5": [8, 9]}:
        return ("that is what range would give a fresh group; cooperative-sticky keeps what every survivor "
                "already owns (look at the 'before' column of section 2's table)")
    if sorted(len(v) for v in predicted.values()) != sorted(len(v) for v in actual.values()):
        return "10 partitions over 4 survivors: two members get 3 and two keep 2"
    if any(not set(before) <= set(predicted.get(c, [])) for c, before in
           {"C1": [0, 5], "C3": [2, 7], "C4": [3, 8], "C5": [4, 9]}.items()):
        return "a survivor lost a partition it owned: cooperative-sticky only moves the dead member's partitions"
    return None


exercise(
    "predict_after_crash",
    hints=["First work out the 'before': a fresh sticky assignment deals partitions round-robin in member-id order.",
           "Cooperative-sticky keeps every survivor's partitions; only the dead member's two move.",
           ("The free partitions are dealt, lowest first, to the members below the new quota, in member-id "
            "order (client.id-uuid here, so C1 before C3 before C4 before C5).")],
    solution="Before: C1 [0, 5], C2 [1, 6], C3 [2, 7], C4 [3, 8], C5 [4, 9]. After C2's session times out: "
             "C1 [0, 1, 5], C3 [2, 6, 7], C4 [3, 8], C5 [4, 9]: P1 to C1 and P6 to C3, the first two members in "
             "member-id order; nobody else revokes anything.",
    why="only the dead member's partitions move, to the survivors first in member-id order",
)(Prediction(after_crash, _explain_after))


# ---------------------------------------------------------------------------------------------
# 2. Predict how many partitions pause (eager vs cooperative)
# ---------------------------------------------------------------------------------------------

def paused_counts() -> tuple:
    """6 consumers on 12 partitions, C2 killed: partitions that stop at least once, (range, cooperative)."""
    out = []
    for strategy in ("range", "cooperative-sticky"):
        run = group_run(6, 12, strategy=strategy, crash="C2", crash_at_ms=20_000, run_ms=80_000)
        ps = pauses(run.trace, "orders", run.crash_ms, run.cluster.now, 12)
        out.append(sum(1 for v in ps.values() if v > 0))
    return tuple(out)


def _explain_paused(predicted, actual) -> str | None:
    if predicted == (2, 2):
        return "eager rebalancing makes every member revoke everything before it rejoins, not only C2's two"
    if predicted == (12, 12):
        return "cooperative members keep fetching what they keep: only the partitions that change owner stop"
    if predicted in ((12, 0), (0, 0)):
        return "C2's own partitions stop in both: nobody fetches them until its session times out"
    return None


exercise(
    "predict_paused_partitions",
    hints=["Which members revoke partitions under an eager assignor? Under cooperative-sticky?",
           "A crashed member's partitions pause in every protocol until the coordinator notices."],
    solution="(12, 2): with range (eager) every survivor revokes all it owns when the rebalance starts, so all 12 "
             "partitions stop (the survivors' ten only briefly here, because nobody was busy); with "
             "cooperative-sticky only C2's two stop, for about session.timeout.ms.",
    why="eager stops the world; cooperative stops only what moves",
)(Prediction(paused_counts, _explain_paused))


# ---------------------------------------------------------------------------------------------
# 3. The at-least-once warehouse loader
# ---------------------------------------------------------------------------------------------

def _loader_verdict(answer) -> str | None:
    if not isinstance(answer, dict) or "step" not in answer or not callable(answer["step"]):
        return "answer with a dict: {'config': {...consumer settings...}, 'step': step}"
    config = dict(answer.get("config") or {})
    run = sink_run(answer["step"], config)
    lost = run.lost
    if lost:
        auto = [e for e in run.cluster.trace.filter("consumer.commit") if e.fields.get("auto")]
        if auto and config.get("enable.auto.commit", True):
            return (f"{len(lost)} records never reached the warehouse: auto-commit committed the offsets poll() "
                    "had returned (enable.auto.offset.store) before the warehouse had them")
        failed = {po for _call, pos in run.warehouse.failed for po in pos}
        if all(po in failed for po in lost):
            return (f"{len(lost)} records of a failed warehouse write were never retried: the loop went on and "
                    "committed past them")
        return (f"{len(lost)} records were lost in the crash: their offsets were committed before the warehouse "
                "had them")
    allowed = sum(n for _t, _c, what, n in run.warehouse.log if what == "process crashed after the write")
    if run.duplicates > allowed:
        return (f"nothing was lost, but {run.duplicates} rows were written twice: the loop never committed, so "
                "every restart replayed the topic from the beginning")
    return None


exercise(
    "at_least_once_loader",
    hints=["The commit is a promise that everything before it is safely in the warehouse.",
           "A write that raised SinkDown stored nothing: write the same batch again before moving on.",
           "enable.auto.commit commits what poll() returned, processed or not: turn it off and commit yourself."],
    solution="config = {'enable.auto.commit': False}; in step: msgs = consume(...); retry warehouse.write(msgs) "
             "until it does not raise SinkDown; then consumer.commit(asynchronous=False). A crash before the "
             "commit re-delivers the batch (duplicates), a crash before the write loses nothing.",
    why="process, then commit: a crash can only repeat work, never skip it",
)(_loader_verdict)


# ---------------------------------------------------------------------------------------------
# 4. The idempotent upsert
# ---------------------------------------------------------------------------------------------

def _reference_loader(table_fn):
    from ..group_lab import SinkDown

    def step(consumer, warehouse):
        msgs = [m for m in consumer.consume(100, timeout=1.0) if m.error() is None]
        if not msgs:
            return
        while True:
            try:
                warehouse.write(msgs)
                break
            except SinkDown:
                continue
        consumer.commit(asynchronous=False)
    return step


def _upsert_verdict(upsert) -> str | None:
    if not callable(upsert):
        return "answer with a function upsert(table, value) that updates the dict table"
    run = sink_run(_reference_loader(None), {"enable.auto.commit": False})
    table: dict = {}
    for _p, _o, _k, v in run.warehouse.rows:  # rows in arrival order, re-deliveries included
        upsert(table, v)
    expected: dict = {}
    for recs in run.source.values():
        for _o, _k, v in recs:
            d = json.loads(v)
            if d["version"] >= expected.get(d["order_id"], {}).get("version", 0):
                expected[d["order_id"]] = d
    if not isinstance(table, dict) or not table:
        return "the table is still empty: upsert must store each order in the dict it is given"
    if len(table) > len(expected):
        return (f"the table has {len(table)} rows for {len(expected)} orders: re-delivered records were added "
                "again; key the row on the business id")
    rows = {}
    for k, v in table.items():
        d = json.loads(v) if isinstance(v, (str, bytes)) else v
        rows[d.get("order_id", k) if isinstance(d, dict) else k] = d
    stale = [o for o, d in expected.items() if not isinstance(rows.get(o), dict)
             or rows[o].get("version") != d["version"]]
    if stale:
        return (f"{len(stale)} orders kept an older version: a later update of the same order_id must replace the "
                "earlier one")
    return None


exercise(
    "idempotent_upsert",
    hints=["Re-delivery writes the same order twice; what makes writing it twice harmless?",
           "Use the order_id as the key of the table, and let the latest version win."],
    solution="def upsert(table, value): row = json.loads(value); table[row['order_id']] = row. Records of one "
             "order share a key, so they sit in one partition and arrive in order: the last write wins, and a "
             "replayed record only rewrites the same row (BigQuery MERGE on order_id does the same).",
    why="an upsert keyed on the business id turns at-least-once delivery into exactly-once results",
)(_upsert_verdict)


# ---------------------------------------------------------------------------------------------
# 5. Survive slow batches (max.poll.interval.ms)
# ---------------------------------------------------------------------------------------------

BATCH_MS = 400_000  # the nightly load of one batch takes 400 s


def slow_batches(config: dict, batches: int = 3, seed: int = 5) -> dict:
    """A consumer that spends BATCH_MS on every batch, next to a fast member of the same group."""
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=2, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=cluster)
    for i in range(200):
        p.produce("orders", value=f"o{i}", partition=i % 2)
    p.flush()
    base = {"bootstrap.servers": "kafka-1:9092", "group.id": "nightly", "auto.offset.reset": "earliest",
            "enable.auto.commit": False}
    slow = Consumer({**base, **config, "client.id": "slow"}, cluster=cluster)
    fast = Consumer({**base, "client.id": "fast"}, cluster=cluster)
    lost: list = []
    slow.subscribe(["orders"], on_lost=lambda c, ps: lost.append(len(ps)))
    fast.subscribe(["orders"])
    out = {"errors": [], "commit_errors": [], "lost": lost}
    for _ in range(batches):
        msgs = []
        for _ in range(200):
            msgs = [m for m in slow.consume(50, 0.1) if m.error() is None]
            fast.consume(50, 0)
            if msgs:
                break
        end = cluster.now + BATCH_MS
        while cluster.now < end:  # the slow consumer is busy; the fast one keeps polling
            fast.consume(50, 0)
            cluster.run(1000)
        try:
            if msgs:
                slow.commit(message=msgs[-1], asynchronous=False)
        except Exception as exc:  # noqa: BLE001 - record what the client reported
            out["commit_errors"].append(exc.args[0].name() if exc.args else type(exc).__name__)
        for m in slow.consume(1, 0):
            if m.error() is not None:
                out["errors"].append(m.error().name())
    out["kicked"] = len(cluster.trace.filter("consumer.max_poll_exceeded", node="slow"))
    return out


def _slow_verdict(config) -> str | None:
    if not isinstance(config, dict):
        return "answer with a dict of consumer settings"
    out = slow_batches(config)
    if not out["kicked"] and not out["commit_errors"]:
        mp = int(config.get("max.poll.interval.ms", 300000))
        if mp > 4 * BATCH_MS:
            return (f"max.poll.interval.ms={mp} works, but a consumer that really hangs would now hold its "
                    "partitions that long: keep it near one batch plus a margin")
        return None
    touched = set(config)
    if "max.poll.interval.ms" not in touched:
        return ("the slow consumer was still kicked out: heartbeats (session.timeout.ms, heartbeat.interval.ms) "
                "come from a background thread and were fine; what expired is the time between two poll() calls")
    return (f"still kicked out ({', '.join(sorted(set(out['errors'] + out['commit_errors'])))}): "
            f"max.poll.interval.ms={config['max.poll.interval.ms']} is shorter than one batch")


exercise(
    "survive_slow_batches",
    hints=["Which timer does a consumer that is busy (not calling poll()) but alive run into?",
           "librdkafka's error was _MAX_POLL_EXCEEDED; the setting with the same name is the one to raise.",
           "One batch takes 400 s: the limit must be longer than that, with a margin, but not hours."],
    solution="{'max.poll.interval.ms': 480000} (any value from ~420 s up to about 20 min): the background thread "
             "keeps heartbeating, so session.timeout.ms is not the problem; max.poll.interval.ms bounds the time "
             "between polls. Better still: smaller batches, or pause() the partitions and keep polling.",
    why="max.poll.interval.ms is the processing budget between two polls",
)(_slow_verdict)
