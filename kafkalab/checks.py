"""History checkers: our answer to Jepsen's Kafka workload.

Every client call becomes a history *operation*: ``invoke`` it, then complete it ``ok`` (it
happened, with its result), ``fail`` (it definitely did not happen) or ``info`` (the outcome is
unknown, e.g. ``_MSG_TIMED_OUT`` after the record may already have been appended).  :func:`check`
reads a history plus the final logs of the cluster and returns a DataFrame with one row per
anomaly, each with a one-line explanation:

* ``lost`` — a send acknowledged at (partition, offset) whose value is not in the final
  committed log (below the HW of the partition's leader).
* ``duplicate`` — one value at two or more offsets of the final log (or read at two offsets).
* ``reordered`` — two sends of one process with the same key whose log order differs from the
  order the process sent them in (Kafka's per-key ordering promise, per producer).
* ``uncommitted_read`` — a poll returned a record that the final committed log does not hold at
  that offset, or whose send definitely failed: a read of data that was never
  acknowledged-and-committed.
* ``offset_backwards`` — a consumer process saw a partition's offsets go backwards without a seek.
* ``aborted_read`` — a ``read_committed`` poll returned a record of a transaction that aborted.
* ``read_past_lso`` — a ``read_committed`` poll returned a record at or above the partition's last
  stable offset of that moment (a record of a transaction still open).

Transaction markers are not records: the final log (:func:`committed_records`) leaves them out, and
the records of aborted transactions too.  :func:`eos_anomalies` compares a pipeline's input with its
output: ``lost`` (an input with no output) and ``duplicate`` (an input with several).

Values should be unique per send (the recorder numbers them), so a record can be traced from its
``produce`` call to its offset.

Example::

    h = History()
    op = h.invoke("producer-1", "send", ("k1", "v1"))
    h.ok(op, topic="orders", partition=0, offset=0)
    check(h, cluster, "orders")          # empty DataFrame when nothing went wrong

:class:`HistoryRecorder` records ``Producer.produce`` / ``Consumer.poll`` activity for you.
:func:`random_schedule`, :func:`run_schedule` and :func:`schedule_script` drive seeded fault
schedules (the stateful tests and ``benchmarks/fault_checker.py`` use them).  No pandas at import.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ANOMALY_COLUMNS", "History", "HistoryRecorder", "Op", "Schedule", "check", "committed_records",
           "eos_anomalies", "random_schedule", "run_schedule", "schedule_script"]

ANOMALY_COLUMNS = ["kind", "key", "value", "partition", "offset", "process", "op", "explanation"]

# Producer errors after which the record is definitely not in the log (everything else: unknown).
_DEFINITE_FAILURES = {"NOT_ENOUGH_REPLICAS", "MSG_SIZE_TOO_LARGE", "_MSG_SIZE_TOO_LARGE", "INVALID_RECORD",
                      "MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "UNKNOWN_TOPIC_OR_PARTITION", "_UNKNOWN_TOPIC",
                      "_UNKNOWN_PARTITION", "INVALID_REQUIRED_ACKS", "_PURGE_QUEUE", "TOPIC_AUTHORIZATION_FAILED"}


@dataclass
class Op:
    """One client call: invoked at ``invoke_ms``; ``type`` becomes ok / fail / info when it completes."""

    id: int
    process: str
    f: str  # "send", "poll", "read", "seek"
    value: Any  # send: (key, value); poll/read: None or the partitions asked for; seek: (partition, offset)
    invoke_ms: int = -1
    type: str = "invoke"  # "invoke" (still pending), "ok", "fail", "info"
    complete_ms: int = -1
    result: dict = field(default_factory=dict)  # send: topic, partition, offset; poll: records
    error: str | None = None

    @property
    def key(self):
        return self.value[0] if self.f == "send" else None

    @property
    def payload(self):
        return self.value[1] if self.f == "send" else None


class History:
    """An append-only list of :class:`Op` s.

    ``invoke(process, f, value) -> id``, then exactly one of ``ok(id, **result)``,
    ``fail(id, error)``, ``info(id, error)``.  A ``poll`` / ``read`` result is
    ``records=[(partition, offset, key, value), ...]``; a ``send`` result is ``topic``,
    ``partition``, ``offset``.  Ops still pending at the end count as ``info``.
    """

    def __init__(self, clock=None):
        self.ops: list[Op] = []
        self._clock = clock or (lambda: -1)

    def invoke(self, process: str, f: str, value: Any = None) -> int:
        op = Op(len(self.ops), str(process), f, value, self._clock())
        self.ops.append(op)
        return op.id

    def _complete(self, op_id: int, type_: str, error: str | None, result: dict) -> None:
        op = self.ops[op_id]
        if op.type != "invoke":
            raise ValueError(f"op {op_id} was already completed as {op.type!r}")
        op.type, op.error, op.result, op.complete_ms = type_, error, result, self._clock()

    def ok(self, op_id: int, **result: Any) -> None:
        self._complete(op_id, "ok", None, result)

    def fail(self, op_id: int, error: str) -> None:
        self._complete(op_id, "fail", str(error), {})

    def info(self, op_id: int, error: str = "unknown") -> None:
        self._complete(op_id, "info", str(error), {})

    def __len__(self) -> int:
        return len(self.ops)

    def __iter__(self):
        return iter(self.ops)

    def sends(self, type_: str | None = None) -> list[Op]:
        return [o for o in self.ops if o.f == "send" and (type_ is None or o.type == type_)]

    def counts(self) -> dict:
        out: dict = {}
        for o in self.ops:
            out[f"{o.f}:{o.type}"] = out.get(f"{o.f}:{o.type}", 0) + 1
        return dict(sorted(out.items()))

    def to_frame(self):
        """One row per op: id, process, f, key, value, type, invoke_ms, complete_ms, partition, offset, error."""
        import pandas as pd

        rows = []
        for o in self.ops:
            rows.append({"id": o.id, "process": o.process, "f": o.f, "key": _show(o.key), "value": _show(o.payload)
                         if o.f == "send" else _show(o.value), "type": o.type, "invoke_ms": o.invoke_ms,
                         "complete_ms": o.complete_ms, "partition": o.result.get("partition"),
                         "offset": o.result.get("offset"), "error": o.error})
        return pd.DataFrame(rows, columns=["id", "process", "f", "key", "value", "type", "invoke_ms",
                                           "complete_ms", "partition", "offset", "error"])


def _show(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "backslashreplace")
    return v


def _b(x):
    if x is None or isinstance(x, bytes):
        return x
    return str(x).encode("utf-8")


class HistoryRecorder:
    """Record client activity on ``cluster`` into a :class:`History` (clock = the virtual clock).

    ``send(producer, topic, key, value)`` calls ``producer.produce`` with a delivery callback that
    completes the op: a delivered record → ``ok`` with its partition and offset; an error that
    proves the record was not appended (``NOT_ENOUGH_REPLICAS``, ``MSG_SIZE_TOO_LARGE``, …) →
    ``fail``; anything else (``_MSG_TIMED_OUT``, ``NOT_ENOUGH_REPLICAS_AFTER_APPEND``, …) → ``info``.
    ``poll(consumer)`` records what one ``consume`` call returned.
    """

    def __init__(self, cluster, history: History | None = None):
        self.cluster = cluster
        self.history = history if history is not None else History(lambda: cluster.sim.now)

    def send(self, producer, topic: str, key, value, partition: int = -1, process: str | None = None) -> int:
        from .errors import KafkaException

        h = self.history
        op_id = h.invoke(process or producer.node, "send", (_b(key), _b(value)))

        def report(err, msg):
            if err is None:
                h.ok(op_id, topic=msg.topic(), partition=msg.partition(), offset=msg.offset())
            elif err.name() in _DEFINITE_FAILURES:
                h.fail(op_id, err.name())
            else:
                h.info(op_id, err.name())

        try:
            producer.produce(topic, key=_b(key), value=_b(value), partition=partition, on_delivery=report)
        except (KafkaException, BufferError, TypeError, ValueError) as exc:  # raised before sending: not applied
            h.fail(op_id, type(exc).__name__)
        return op_id

    def poll(self, consumer, num_messages: int = 500, timeout: float = 0.5, process: str | None = None) -> list:
        h = self.history
        op_id = h.invoke(process or consumer.node, "poll")
        msgs = consumer.consume(num_messages, timeout=timeout)
        recs = [(m.partition(), m.offset(), m.key(), m.value()) for m in msgs if m.error() is None]
        topic = msgs[0].topic() if msgs else None
        extra = {}
        if getattr(consumer, "isolation_level", None) == "read_committed" and topic is not None:
            # The LSO when the records came back: anything at or past it was not yet committed.
            extra = {"isolation": "read_committed",
                     "lso": {p: rep.log.last_stable_offset for p in sorted({r[0] for r in recs})
                             if (rep := self.cluster.leader_replica(topic, p)) is not None}}
        h.ok(op_id, records=recs, topic=topic, **extra)
        return msgs

    def seek(self, consumer, tp, process: str | None = None) -> None:
        op_id = self.history.invoke(process or consumer.node, "seek", (tp.partition, tp.offset))
        consumer.seek(tp)
        self.history.ok(op_id)


# -- reading the final state -----------------------------------------------------------------------
def committed_records(cluster, topic: str) -> dict[int, list[tuple[int, Any, Any]]]:
    """{partition: [(offset, key, value), ...]} below the HW of each partition's leader.

    A partition without a leader is read from the first replica of its last ISR (where the data
    would come back from); with unclean election off, that is where its committed records are.
    """
    out = {}
    t = cluster.describe(topic)
    for p in t.partitions:
        broker = p.leader if p.leader >= 0 else (p.isr[0] if p.isr else p.replicas[0])
        log = cluster.brokers[broker].logs.get((topic, p.partition))
        if log is None:
            out[p.partition] = []
            continue
        hw = log.high_watermark
        recs = log.records(log.log_start_offset, hw)
        status = log.txn_status() if any(b.is_transactional for _o, _r, b in recs) else {}
        out[p.partition] = [(off, rec[0], rec[1]) for off, rec, b in recs
                            if not b.is_control and status.get(off) != "aborted"]
    return out


def aborted_offsets(cluster, topic: str) -> dict[int, set]:
    """{partition: offsets of records whose transaction aborted} in the leader's log."""
    out = {}
    for p in cluster.describe(topic).partitions:
        log = cluster.partition_log(topic, p.partition)
        out[p.partition] = {o for o, st in (log.txn_status() if log else {}).items() if st == "aborted"}
    return out


def check(history: History, cluster=None, topic: str | None = None, final: dict | None = None):
    """Anomalies of ``history`` against the final committed logs, one row each (see module doc).

    ``final`` ({partition: [(offset, key, value)]}) overrides reading ``cluster``; without either,
    the last ``read`` op of the history stands for the final log.  ``df.attrs`` holds counts:
    acknowledged, failed, unknown, lost, and so on.
    """
    import pandas as pd

    rows = find_anomalies(history, cluster, topic, final)
    df = pd.DataFrame(rows, columns=ANOMALY_COLUMNS)
    sends = history.sends()
    df.attrs.update(acknowledged=sum(o.type == "ok" for o in sends), failed=sum(o.type == "fail" for o in sends),
                    unknown=sum(o.type in ("info", "invoke") for o in sends),
                    **{k: int((df["kind"] == k).sum()) for k in ("lost", "duplicate", "reordered",
                                                                   "uncommitted_read", "offset_backwards",
                                                                   "aborted_read", "read_past_lso")})
    return df


def find_anomalies(history: History, cluster=None, topic: str | None = None, final: dict | None = None) -> list[dict]:
    """The rows of :func:`check` as plain dicts (no pandas): what the fast fault runs use."""
    if final is None:
        if cluster is not None:
            topics = {topic} if topic else {o.result.get("topic") for o in history.sends("ok")} - {None}
            final = {}
            for t in sorted(topics):
                final.update(committed_records(cluster, t))  # Simplification: one topic per check
        else:
            reads = [o for o in history.ops if o.f == "read" and o.type == "ok"]
            final = {}
            if reads:
                for part, off, k, v in reads[-1].result.get("records", []):
                    final.setdefault(part, []).append((off, k, v))
    rows: list[dict] = []

    def row(kind, op: Op | None, key, value, partition, offset, why):
        rows.append({"kind": kind, "key": _show(key), "value": _show(value), "partition": partition,
                     "offset": offset, "process": op.process if op else None, "op": op.id if op else None,
                     "explanation": why})

    at: dict[tuple[int, int], tuple] = {}  # (partition, offset) -> (key, value)
    where: dict[Any, list[tuple[int, int]]] = {}  # value -> [(partition, offset)]
    for part in sorted(final):
        for off, k, v in final[part]:
            at[(part, off)] = (k, v)
            where.setdefault(v, []).append((part, off))
    sends = history.sends()
    by_value = {o.payload: o for o in sends}
    # lost acknowledged writes
    for o in sends:
        if o.type != "ok":
            continue
        part, off = o.result.get("partition"), o.result.get("offset")
        got = at.get((part, off))
        if got is not None and got[1] == o.payload:
            continue
        if o.payload in where:
            p2, o2 = where[o.payload][0]
            row("lost", o, o.key, o.payload, part, off,
                f"acknowledged at offset {off} of partition {part}, but the final log has it at offset {o2} of "
                f"partition {p2}: the offset the producer was told is now another record's")
        elif got is None:
            row("lost", o, o.key, o.payload, part, off,
                f"acknowledged at offset {off} of partition {part} at t={o.complete_ms} ms, but the committed log "
                f"ends before it: the replica that had it was truncated or never became leader")
        else:
            row("lost", o, o.key, o.payload, part, off,
                f"acknowledged at offset {off} of partition {part} at t={o.complete_ms} ms, but that offset now "
                f"holds {_show(got[1])!r}: another leader's records replaced it")
    # duplicates
    for v in sorted(where, key=lambda x: (where[x][0], repr(x))):
        places = where[v]
        if len(places) > 1:
            o = by_value.get(v)
            row("duplicate", o, o.key if o else None, v, places[1][0], places[1][1],
                f"in the log {len(places)} times (at {', '.join(f'{p}:{x}' for p, x in places)}): a retry appended "
                f"it again (idempotence would have answered the retry with the first offset)")
    # reordered within a key, per producing process
    seen: dict[tuple, tuple[int, Op]] = {}  # (process, key) -> (position, op) of the latest send so far
    for o in sends:
        if o.payload not in where:
            continue
        pos = where[o.payload][0]
        k = (o.process, o.key)
        prev = seen.get(k)
        if prev is not None and prev[0][0] == pos[0] and pos[1] < prev[0][1]:
            row("reordered", o, o.key, o.payload, pos[0], pos[1],
                f"sent after {_show(prev[1].payload)!r} (same key, same producer) but stored before it "
                f"(offset {pos[1]} < {prev[0][1]}): a retried batch overtook a later one")
        if prev is None or prev[0][0] != pos[0] or pos[1] > prev[0][1]:
            seen[k] = (pos, o)
    # reads of records that were never acknowledged-and-committed; offsets going backwards
    last: dict[tuple[str, int], int] = {}
    aborted: dict | None = None
    for o in history.ops:
        if o.f == "seek" and o.type == "ok":
            last.pop((o.process, o.value[0]), None)
            continue
        if o.f != "poll" or o.type != "ok":
            continue
        if o.result.get("isolation") == "read_committed":
            if aborted is None:
                aborted = aborted_offsets(cluster, o.result["topic"]) if cluster is not None and \
                    o.result.get("topic") else {}
            lso = o.result.get("lso", {})
            for part, off, k, v in o.result.get("records", []):
                if off in aborted.get(part, ()):
                    row("aborted_read", o, k, v, part, off,
                        f"a read_committed poll returned offset {off} of partition {part}, a record of a transaction "
                        f"that aborted: the consumer did not drop the aborted transactions of its fetch")
                elif part in lso and off >= lso[part]:
                    row("read_past_lso", o, k, v, part, off,
                        f"a read_committed poll returned offset {off} of partition {part} while its last stable "
                        f"offset was {lso[part]}: a record of a transaction that was still open")
        for part, off, k, v in o.result.get("records", []):
            got = at.get((part, off))
            src = by_value.get(v)
            if src is not None and src.type == "fail":
                row("uncommitted_read", o, k, v, part, off,
                    f"read at offset {off}, but its send failed with {src.error}: a consumer saw a write the "
                    f"producer was told did not happen")
            elif got is None or got[1] != v:
                row("uncommitted_read", o, k, v, part, off,
                    f"read at offset {off} of partition {part}, but the final log has "
                    f"{'nothing' if got is None else repr(_show(got[1]))} there: the consumer read a record that "
                    f"was later truncated (read past the committed data)")
            prev = last.get((o.process, part))
            if prev is not None and off <= prev:
                row("offset_backwards", o, k, v, part, off,
                    f"offset {off} of partition {part} came after offset {prev} without a seek")
            last[(o.process, part)] = off
    return rows


def eos_anomalies(inputs: list, outputs: list, transform=None) -> list[dict]:
    """Exactly-once between a pipeline's input and output values: one row per input that the output
    lacks (``lost``) or holds more than once (``duplicate``), and per output no input explains.

    ``transform(input) -> expected output`` (identity by default).  Rows have :data:`ANOMALY_COLUMNS`.
    """
    expected = [transform(v) if transform else v for v in inputs]
    counts: dict = {}
    for v in outputs:
        counts[v] = counts.get(v, 0) + 1
    rows = []

    def row(kind, value, why):
        rows.append({"kind": kind, "key": None, "value": _show(value), "partition": None, "offset": None,
                     "process": None, "op": None, "explanation": why})
    for i, v in enumerate(expected):
        n = counts.pop(v, 0)
        if n == 0:
            row("lost", v, f"input #{i} never reached the output (its offset was committed without its result)")
        elif n > 1:
            row("duplicate", v, f"input #{i} is in the output {n} times: it was processed again after a crash and "
                                f"both results became visible")
    for v in sorted(counts, key=repr):
        row("unexpected", v, "in the output but not the result of any input")
    return rows


# -- seeded fault schedules ----------------------------------------------------------------------
DEFAULT_SETUP = {"brokers": 3, "replication_factor": 3, "partitions": 1, "acks": "all", "min.insync.replicas": 2,
                 "unclean.leader.election.enable": False, "eligible.leader.replicas.enable": False,
                 "enable.idempotence": False, "max_failed": 1}


@dataclass
class Schedule:
    """A replayable fault schedule: a seed, the setup, and steps such as ``("produce", "k3")``,
    ``("crash", 2)``, ``("restart", 2)``, ``("partition", 1, 2)``, ``("heal",)``, ``("advance", 800)``."""

    seed: int
    setup: dict
    steps: list


def random_schedule(seed: int, n_ops: int = 500, setup: dict | None = None, keys: int = 5) -> Schedule:
    """``n_ops`` random steps, mostly produces, with crashes/restarts/partitions/heals and time passing.

    At most ``setup["max_failed"]`` brokers are down or cut off at once; a cut-off broker counts as
    failed until the heal.
    """
    cfg = dict(DEFAULT_SETUP, **(setup or {}))
    rng = random.Random(seed)
    n = cfg["brokers"]
    down: set[int] = set()
    cut: set[int] = set()
    steps: list = []
    for _ in range(n_ops):
        r = rng.random()
        failed = len(down | cut)
        if r < 0.05 and failed < cfg["max_failed"]:
            b = rng.randint(1, n)
            if b not in down | cut:
                down.add(b)
                steps.append(("crash", b))
                continue
        if r < 0.10 and down:
            b = rng.choice(sorted(down))
            down.discard(b)
            steps.append(("restart", b))
            continue
        if r < 0.13 and failed < cfg["max_failed"]:
            b = rng.randint(1, n)
            if b not in down | cut:
                cut.add(b)
                steps.append(("isolate", b))
                continue
        if r < 0.16 and cut:
            cut.clear()
            steps.append(("heal",))
            continue
        if r < 0.30:
            steps.append(("advance", rng.choice((100, 500, 1000, 3000, 10000))))
            continue
        steps.append(("produce", f"k{rng.randrange(keys)}"))
    return Schedule(seed, cfg, steps)


def run_schedule(schedule: Schedule, settle_ms: int = 15_000):
    """Run ``schedule`` on a fresh cluster; returns ``(history, cluster)`` after healing everything,
    restarting every broker and letting the cluster settle, so the final logs can be read."""
    from .cluster import Cluster

    cfg = schedule.setup
    cluster = Cluster(brokers=cfg["brokers"], seed=schedule.seed,
                      broker_config={"eligible.leader.replicas.enable": cfg["eligible.leader.replicas.enable"]})
    cluster.create_topic("jepsen", partitions=cfg["partitions"], replication_factor=cfg["replication_factor"],
                         config={"min.insync.replicas": cfg["min.insync.replicas"],
                                 "unclean.leader.election.enable": cfg["unclean.leader.election.enable"]})
    rec = HistoryRecorder(cluster)
    producer = cluster.producer({"bootstrap.servers": "kafka-1:9092", "acks": cfg["acks"],
                                 "enable.idempotence": cfg["enable.idempotence"], "linger.ms": 5,
                                 "message.timeout.ms": 30000, "request.timeout.ms": 5000, "retry.backoff.ms": 1000,
                                 "partitioner": "murmur2_random"})
    n = 0
    for step in schedule.steps:
        _apply_step(cluster, rec, producer, step, n)
        if step[0] == "produce":
            n += 1
            cluster.run(1)
    cluster.heal_network()
    for b in sorted(cluster.brokers):
        if not cluster.brokers[b].alive:
            cluster.restart_broker(b)
    producer.flush()
    cluster.run(settle_ms)
    return rec.history, cluster


def _apply_step(cluster, rec: HistoryRecorder, producer, step: tuple, n: int) -> None:
    kind = step[0]
    if kind == "produce":
        rec.send(producer, "jepsen", step[1], f"v{n}")
        producer.poll(0)
    elif kind == "crash":
        cluster.crash_broker(step[1])
    elif kind == "restart":
        cluster.restart_broker(step[1])
    elif kind == "isolate":
        cluster.isolate_broker(step[1])
    elif kind == "partition":
        cluster.partition_network([step[1]], [step[2]])
    elif kind == "heal":
        cluster.heal_network()
    elif kind == "advance":
        cluster.run(step[1])
        producer.poll(0)
    else:
        raise ValueError(f"unknown schedule step {step!r}")


def schedule_script(schedule: Schedule, only_lost: bool = True) -> str:
    """Python source that replays ``schedule`` step by step and prints the checker's verdict."""
    lines = ["from kafkalab.checks import Schedule, run_schedule, check",
             f"schedule = Schedule(seed={schedule.seed!r}, setup={schedule.setup!r}, steps=["]
    lines += [f"    {s!r}," for s in schedule.steps]
    lines += ["])", "history, cluster = run_schedule(schedule)", "print(check(history, cluster, 'jepsen'))"]
    return "\n".join(lines) + "\n"


def lost_writes(history: History, cluster, topic: str = "jepsen") -> list[dict]:
    return [r for r in find_anomalies(history, cluster, topic) if r["kind"] == "lost"]


def steps_summary(steps: Iterable[tuple]) -> dict:
    out: dict = {}
    for s in steps:
        out[s[0]] = out.get(s[0], 0) + 1
    return dict(sorted(out.items()))
