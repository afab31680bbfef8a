"""A distributed Connect cluster on the simulated Kafka cluster: workers, connectors, tasks, REST.

Kafka Connect behaviour modelled (``connect/runtime`` in apache/kafka):

* **Internal topics** (compacted): ``connect-configs`` (one partition: ``connector-<name>``,
  ``task-<name>-<i>``, ``commit-<name>``, ``target-state-<name>`` records), ``connect-offsets``
  (25 partitions: source offsets keyed ``["<name>", {partition}]``) and ``connect-status`` (5
  partitions: ``status-connector-<name>`` / ``status-task-<name>-<i>``).
* **Workers form a group** (``group.id``, default ``connect-cluster``) through the group coordinator
  (JoinGroup/SyncGroup/Heartbeat, protocol ``sessioned``).  The leader runs the incremental
  cooperative assignor of KIP-415: members keep what they run; new connectors and tasks go to the
  least-loaded workers; an overloaded worker is asked to *revoke* some, which a follow-up rebalance
  hands to the others; the work of a worker that left is held back for
  ``scheduled.rebalance.max.delay.ms`` (5 min) in case it returns, then reassigned.
* **Sink tasks** consume as consumer group ``connect-<name>`` (``enable.auto.commit=false``,
  ``auto.offset.reset=earliest``), convert (``key.converter``/``value.converter``), transform (SMTs),
  hand records to the connector (``put``), and commit offsets of what was written, every
  ``offset.flush.interval.ms`` (60 s) and when partitions are revoked.
* **Source tasks** poll the source, transform, convert, produce, and store their source offsets in
  ``connect-offsets`` every ``offset.flush.interval.ms``; a restarted task resumes from there.
* **Errors**: a converter or SMT failure stops the task (``FAILED``, with a trace starting
  ``org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler``) unless
  ``errors.tolerance=all``, which skips the record — into ``errors.deadletterqueue.topic.name``
  when set, with ``__connect.errors.*`` headers when ``errors.deadletterqueue.context.headers.enable``.
  A converter or SMT that raises Connect's ``RetriableException`` is retried for ``errors.retry.timeout.ms``
  (exponential backoff from 300 ms, at most ``errors.retry.delay.max.ms``); when that runs out the record is
  dropped and reported, whatever ``errors.tolerance`` says.  A failure *inside the connector*
  (a database that rejects the row, or stays down past the connector's ``max.retries``) is not
  covered by ``errors.tolerance``: the task fails.

Worker threads run between simulator events: :meth:`ConnectCluster.run` advances the clock in
``tick_ms`` steps and lets every worker do one loop of each task in between (their Kafka clients
block on virtual time as usual).

# Simplification: one shared reader of connect-configs for the workers of a cluster; REST calls
# are answered at once by the cluster object (no forwarding to the leader); the connector
# instance itself runs no code besides reporting RUNNING (its task configs are computed when the
# config is written).
"""
from __future__ import annotations

import json

from .connectors import PLUGINS
from .converters import converter_class, make_converter
from .data import (
    ConfigException,
    ConnectException,
    ConnectRecord,
    DataException,
    NetworkException,
    RetriableException,
)
from .transforms import Chain

# RetryWithToleranceOperator.RETRIES_DELAY_MIN_MS: the first retry's backoff, doubled on each attempt
RETRIES_DELAY_MIN_MS = 300

WORKER_DEFAULTS = {
    "group.id": "connect-cluster",
    "config.storage.topic": "connect-configs",
    "offset.storage.topic": "connect-offsets",
    "status.storage.topic": "connect-status",
    "offset.storage.partitions": 25,
    "status.storage.partitions": 5,
    "replication.factor": 3,
    "offset.flush.interval.ms": 60000,
    "scheduled.rebalance.max.delay.ms": 300000,
    "heartbeat.interval.ms": 3000,
    "session.timeout.ms": 10000,
    "rebalance.timeout.ms": 60000,
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
}

CONNECTOR_COMMON = {"name", "connector.class", "tasks.max", "topics", "topics.regex", "key.converter",
                    "value.converter", "transforms", "predicates", "errors.tolerance", "errors.retry.timeout.ms",
                    "errors.retry.delay.max.ms", "errors.log.enable", "errors.log.include.messages",
                    "errors.deadletterqueue.topic.name", "errors.deadletterqueue.topic.replication.factor",
                    "errors.deadletterqueue.context.headers.enable", "header.converter"}


class ConnectRestError(Exception):
    """An error answer of Connect's REST API: ``status_code`` and ``{"error_code": …, "message": …}``."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code, self.message = status_code, message

    @property
    def error_code(self) -> int:
        return self.status_code

    def json(self) -> dict:
        return {"error_code": self.status_code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.status_code}: {self.message}"


def java_trace(exc: BaseException, cause: BaseException | None = None,
               where: str = "org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:229)") -> str:
    """A Java-looking stack trace for the status JSON (class: message, then Caused by)."""
    def line(e):
        return f"{getattr(e, 'java_class', 'org.apache.kafka.connect.errors.ConnectException')}: {e}"
    out = line(exc) + f"\n\tat {where}"
    if cause is not None:
        out += "\nCaused by: " + line(cause)
    return out


def _units(configs: dict) -> list[str]:
    """Every connector and task id: ``orders-sink`` and ``orders-sink-0``, … (sorted)."""
    out = []
    for name in sorted(configs):
        out.append(name)
        out += [f"{name}-{i}" for i in range(len(configs[name]["tasks"]))]
    return out


# ================================================================================================
# Group membership of a worker (WorkerCoordinator over the classic group protocol)
# ================================================================================================
class WorkerCoordinator:
    """JoinGroup/SyncGroup/Heartbeat for one worker, through the cluster's group coordinator."""

    def __init__(self, worker: Worker):
        from ...groups.coordinator import coordinator_for

        self.w = worker
        self.svc = coordinator_for(worker.cc.cluster)
        self.svc.ensure_offsets_topic()  # as the first FindCoordinator does
        self.member_id = ""
        self.generation = -1
        self.state = "init"
        self.hb = None
        self.join_seq = 0
        self.pending: dict | None = None  # an assignment to apply on the worker thread

    def _send(self, api, handler, reply, *args):
        b = self.svc.coordinator_broker(self.w.cc.group_id)
        if b < 0:
            self.w.cc.sim.schedule(100, self._send, api, handler, reply, *args)
            return
        self.svc.request(self.w.node, b, api, handler, reply, *args)

    def join(self, reason: str) -> None:
        if not self.w.alive:
            return
        self.state = "joining"
        self.join_seq += 1
        seq = self.join_seq
        meta = {"topics": [], "url": f"http://{self.w.worker_id}", "assignment": sorted(self.w.owned),
                "config_offset": self.w.cc.config_offset}
        self.w.cc.emit("connect.join_group", self.w.node, member=self.member_id, reason=reason,
                       owned=sorted(self.w.owned))
        cfg = self.w.cc.config
        self._send("JoinGroup", self.svc.on_join_group, lambda r: self._on_join(seq, r), self.w.cc.group_id,
                   self.member_id, None, self.w.node, self.w.node, [("sessioned", meta)],
                   int(cfg["session.timeout.ms"]), int(cfg["rebalance.timeout.ms"]))

    def _on_join(self, seq, resp):
        from ...errors import Err

        if not self.w.alive or seq != self.join_seq:
            return
        err = resp["error"]
        if err == Err.MEMBER_ID_REQUIRED:
            self.member_id = resp["member_id"]
            self.join("MEMBER_ID_REQUIRED")
            return
        if err != Err.NONE:
            if err == Err.UNKNOWN_MEMBER_ID:
                self.member_id = ""
            self.w.cc.sim.schedule(100, self.join, f"JoinGroup error {err}")
            return
        self.member_id, self.generation = resp["member_id"], resp["generation"]
        self.state = "syncing"
        assignments = None
        if resp["leader"] == self.member_id:
            assignments = self.w.cc.assignor.assign(resp["members"], self.generation)
        gen = self.generation
        self._send("SyncGroup", self.svc.on_sync_group, lambda r: self._on_sync(gen, r), self.w.cc.group_id,
                   self.member_id, gen, None, assignments)
        if self.hb is None:
            self.hb = self.w.cc.sim.every(int(self.w.cc.config["heartbeat.interval.ms"]), self._heartbeat, priority=4)

    def _on_sync(self, gen, resp):
        from ...errors import Err

        if not self.w.alive or gen != self.generation or self.state != "syncing":
            return
        if resp["error"] != Err.NONE:
            self.join(f"SyncGroup error {resp['error']}")
            return
        self.state = "steady"
        self.pending = dict(resp["assignment"] or {}, generation=gen)

    def _heartbeat(self):
        from ...errors import Err

        if not self.w.alive or self.state != "steady":
            return

        def reply(resp):
            if resp["error"] == Err.REBALANCE_IN_PROGRESS and self.state == "steady":
                self.join("Heartbeat: REBALANCE_IN_PROGRESS")
            elif resp["error"] in (Err.UNKNOWN_MEMBER_ID, Err.ILLEGAL_GENERATION) and self.state == "steady":
                if resp["error"] == Err.UNKNOWN_MEMBER_ID:
                    self.member_id = ""
                self.join("Heartbeat: member fenced")
        self._send("Heartbeat", self.svc.on_heartbeat, reply, self.w.cc.group_id, self.member_id, self.generation,
                   None)

    def stop(self):
        if self.hb is not None:
            self.hb.cancel()
            self.hb = None


class IncrementalCooperativeAssignor:
    """KIP-415 on the leader: keep, place new work on the least loaded, revoke excess, delay lost work."""

    def __init__(self, cc: ConnectCluster):
        self.cc = cc
        self.previous: dict[str, list] = {}  # worker node -> units, from the last assignment
        self.lost_deadline: int | None = None

    def assign(self, members: dict, generation: int) -> dict:
        cc = self.cc
        now = cc.sim.now
        units = _units(cc.configs)
        node_of = {mid: mid.rsplit("-", 5)[0] for mid in members}
        current = {mid: [u for u in meta.get("assignment", []) if u in units] for mid, meta in members.items()}
        owned = {u for us in current.values() for u in us}
        present_nodes = set(node_of.values())
        lost = sorted(u for node, us in self.previous.items() if node not in present_nodes for u in us
                      if u in units and u not in owned)
        delay = int(cc.config["scheduled.rebalance.max.delay.ms"])
        held: list = []
        new_members = sorted(mid for mid in members if not current[mid])
        if lost and delay > 0 and not new_members:
            if self.lost_deadline is None:
                self.lost_deadline = now + delay
            if now < self.lost_deadline:
                held = lost
        if not lost:
            self.lost_deadline = None
        free = sorted(u for u in units if u not in owned and u not in held)
        out = {mid: {"assigned": list(current[mid]), "revoked": [], "delay": 0} for mid in sorted(members)}
        # place free work on the least-loaded members (ties by member id)
        for u in free:
            mid = min(out, key=lambda m: (len(out[m]["assigned"]), m))
            out[mid]["assigned"].append(u)
        # balance: revoke from members above the ceiling; the follow-up rebalance places them
        if not held:
            total = sum(len(a["assigned"]) for a in out.values())
            ceiling = -(-total // max(1, len(out)))
            floor = total // max(1, len(out))
            if any(len(a["assigned"]) < floor for a in out.values()):
                for mid in sorted(out):
                    a = out[mid]
                    while len(a["assigned"]) > ceiling or (len(a["assigned"]) > floor and any(
                            len(b["assigned"]) < floor for b in out.values())):
                        u = a["assigned"].pop()
                        a["revoked"].append(u)
                        if len(a["assigned"]) <= floor:
                            break
        if held:
            for a in out.values():
                a["delay"] = self.lost_deadline - now
        self.previous = {node_of[mid]: sorted(a["assigned"]) for mid, a in out.items()}
        cc.emit("connect.assignment", node_of[min(members)], generation=generation,
                assignment={node_of[m]: sorted(a["assigned"]) for m, a in out.items()},
                revoked={node_of[m]: sorted(a["revoked"]) for m, a in out.items() if a["revoked"]},
                held=held, delay_ms=(self.lost_deadline - now) if held else 0)
        return {mid: {"assigned": sorted(a["assigned"]), "revoked": sorted(a["revoked"]), "delay": a["delay"]}
                for mid, a in out.items()}


# ================================================================================================
# Tasks
# ================================================================================================
class _TaskBase:
    def __init__(self, worker: Worker, name: str, task_id: int, config: dict):
        self.w, self.cc = worker, worker.cc
        self.name, self.task_id, self.config = name, task_id, config
        self.uid = f"{name}-{task_id}"
        self.plugin = PLUGINS[config["connector.class"]]()
        self.key_converter = make_converter(config, "key.converter", self.cc.config["key.converter"])
        self.value_converter = make_converter(config, "value.converter", self.cc.config["value.converter"])
        self.chain = Chain(config)
        self.tolerance = config.get("errors.tolerance", "none")
        self.retry_timeout_ms = int(config.get("errors.retry.timeout.ms", 0))
        self.retry_delay_ms = int(config.get("errors.retry.delay.max.ms", 60000))
        self.flush_interval_ms = int(self.cc.config["offset.flush.interval.ms"])
        self.state = "RUNNING"
        self.trace: str | None = None
        self.last_flush_ms = self.cc.sim.now
        self.backoff_until = 0
        self.task = self.plugin.task(config, task_id, lambda kind, **f: self.cc.emit(kind, self.w.node,
                                                                                      task=self.uid, **f))
        note = getattr(self.plugin, "note", None)
        if note is not None and config["connector.class"] not in self.cc.noted:
            self.cc.noted.add(config["connector.class"])
            self.cc.emit("connect.note", self.w.node, task=self.uid, message=note(config))
        self.cc.set_status("task", self.uid, "RUNNING", self.w.worker_id)

    def fail(self, exc: BaseException, cause: BaseException | None = None) -> None:
        self.state = "FAILED"
        self.trace = java_trace(exc, cause)
        self.cc.emit("connect.task.failed", self.w.node, task=self.uid, error=str(cause or exc))
        self.cc.set_status("task", self.uid, "FAILED", self.w.worker_id, trace=self.trace)
        self.close()

    def close(self) -> None:
        pass


class SinkTaskRunner(_TaskBase):
    """WorkerSinkTask: consume → convert → transform → put; commit what was written."""

    def __init__(self, worker, name, task_id, config):
        super().__init__(worker, name, task_id, config)
        from ...confluent_kafka import Consumer

        topics = [t.strip() for t in str(config.get("topics", "")).split(",") if t.strip()]
        self.consumer = Consumer({"bootstrap.servers": self.cc.servers, "group.id": f"connect-{name}",
                                  "client.id": f"connector-consumer-{name}-{task_id}", "enable.auto.commit": False,
                                  "auto.offset.reset": "earliest"})
        self.consumer.subscribe(topics, on_revoke=lambda c, parts: self._on_revoke(parts))
        self.buffer: list = []  # converted records not yet written
        self.pending: list = []  # raw messages waiting to be processed (after a retriable error)
        self.consumed: dict = {}  # tp -> next offset after the last message handled (written or skipped)
        self.written: dict = {}  # tp -> next offset after the last message written or skipped
        self.committed: dict = {}
        self.first_retry_ms: int | None = None
        self.attempt = 0
        self.buffer_started_ms: int | None = None
        self.buffer_bytes = 0
        snow = config["connector.class"].startswith("com.snowflake")
        self.buffer_count = int(config.get("buffer.count.records", 10000)) if snow else 1
        self.buffer_time_ms = int(config.get("buffer.flush.time", 120)) * 1000 if snow else 0
        self.buffer_size = int(config.get("buffer.size.bytes", 5_000_000)) if snow else 0

    def _on_revoke(self, parts) -> None:
        self._commit(force=True)

    def _convert(self, m) -> ConnectRecord | None:
        stage = "KEY_CONVERTER"
        try:
            ks, k = self.key_converter.to_connect(m.topic(), m.key())
            stage = "VALUE_CONVERTER"
            vs, v = self.value_converter.to_connect(m.topic(), m.value())
            stage = "TRANSFORMATION"
            rec = ConnectRecord(m.topic(), m.partition(), k, v, ks, vs, m.timestamp()[1], list(m.headers() or []),
                                offset=m.offset())
            return self.chain.apply(rec)
        except (DataException, ConfigException, ConnectException, NetworkException, ValueError, TypeError,
                KeyError) as e:
            e.stage = stage
            raise

    def iterate(self) -> None:
        now = self.cc.sim.now
        if self.state != "RUNNING" or now < self.backoff_until:
            return
        if not self.buffer:
            self.pending += [m for m in self.consumer.consume(500, timeout=0)]
        while self.pending and self.state == "RUNNING":
            m = self.pending[0]
            if m.error() is not None:
                self.pending.pop(0)
                continue
            try:
                rec = self._convert(m)
            except RetriableException as e:
                if self._retry_later(now, e):
                    return
                # Retries exhausted: RetryWithToleranceOperator.execAndRetry marks the context failed and returns
                # null, and execAndHandleError skips the record without a tolerance check; WorkerSinkTask logs
                # "Converters and transformations returned null, possibly because of too many retries, so
                # dropping record" and goes on, whatever errors.tolerance says.  The record is still reported
                # (dead letter queue, log).
                self._report(m, e)
                rec = None
            except (DataException, ConnectException, NetworkException, ValueError, TypeError, KeyError) as e:
                if not self._tolerate(m, e):
                    return
                rec = None
            self.first_retry_ms, self.attempt = None, 0
            self.pending.pop(0)
            tp = (m.topic(), m.partition())
            self.consumed[tp] = m.offset() + 1
            if rec is not None:
                if not self.buffer:
                    self.buffer_started_ms = now
                self.buffer.append(rec)
                self.buffer_bytes += len(m.value() or b"")
        self._maybe_put(now)
        if now - self.last_flush_ms >= self.flush_interval_ms:
            self._commit()

    def _retry_later(self, now: int, e: RetriableException) -> bool:
        """RetryWithToleranceOperator.execAndRetry/backoff for one operation (a converter or SMT call): retry while
        now < start + ``errors.retry.timeout.ms`` (-1: forever), sleeping 300 ms << (attempt - 1), a seeded random
        delay below ``errors.retry.delay.max.ms`` once that exceeds it, and never past the deadline."""
        if self.first_retry_ms is None:
            self.first_retry_ms, self.attempt = now, 0
        self.attempt += 1
        if self.retry_timeout_ms >= 0 and now >= self.first_retry_ms + self.retry_timeout_ms:
            return False
        delay = RETRIES_DELAY_MIN_MS << min(self.attempt - 1, 40)
        if delay > self.retry_delay_ms:
            delay = self.cc.sim.rng.randrange(self.retry_delay_ms)
        if self.retry_timeout_ms >= 0:
            delay = max(0, min(delay, self.first_retry_ms + self.retry_timeout_ms - now))
        self.backoff_until = now + delay
        self.cc.emit("connect.task.retry", self.w.node, task=self.uid, stage=getattr(e, "stage", ""), error=str(e),
                     attempt=self.attempt, delay_ms=delay)
        return True

    def _tolerate(self, m, e) -> bool:
        """errors.tolerance: False (task failed) for none; True (skipped, maybe to the DLQ) for all."""
        if self.tolerance != "all":
            self.fail(ConnectException("Tolerance exceeded in error handler"), e)
            return False
        self._report(m, e)
        return True

    def _report(self, m, e) -> None:
        """The record is skipped: ProcessingContext.report() — the DLQ reporter (with context headers) if set."""
        stage = getattr(e, "stage", "VALUE_CONVERTER")
        self.cc.emit("connect.record.skipped", self.w.node, task=self.uid, topic=m.topic(), partition=m.partition(),
                     offset=m.offset(), stage=stage, error=str(e))
        dlq = self.config.get("errors.deadletterqueue.topic.name")
        if dlq:
            headers = list(m.headers() or [])
            if str(self.config.get("errors.deadletterqueue.context.headers.enable", "false")).lower() == "true":
                exc_class = getattr(e, "java_class", "org.apache.kafka.connect.errors.DataException")
                headers += [("__connect.errors.topic", m.topic()), ("__connect.errors.partition", str(m.partition())),
                            ("__connect.errors.offset", str(m.offset())),
                            ("__connect.errors.connector.name", self.name),
                            ("__connect.errors.task.id", str(self.task_id)), ("__connect.errors.stage", stage),
                            ("__connect.errors.class.name", {"KEY_CONVERTER": self.key_converter.java_class,
                                                             "VALUE_CONVERTER": self.value_converter.java_class}
                             .get(stage, "org.apache.kafka.connect.transforms.Transformation")),
                            ("__connect.errors.exception.class.name", exc_class),
                            ("__connect.errors.exception.message", str(e)),
                            ("__connect.errors.exception.stacktrace", java_trace(e))]
            self.cc.producer.produce(dlq, key=m.key(), value=m.value(), headers=headers)
            self.cc.producer.poll(0)
            self.cc.emit("connect.dlq", self.w.node, task=self.uid, topic=dlq, source_topic=m.topic(),
                         source_partition=m.partition(), source_offset=m.offset(), stage=stage)

    def _maybe_put(self, now: int) -> None:
        full = (len(self.buffer) >= self.buffer_count or (self.buffer_size and self.buffer_bytes >= self.buffer_size)
                or (self.buffer and now - (self.buffer_started_ms or now) >= self.buffer_time_ms))
        if not self.buffer:
            self.written.update(self.consumed)
            return
        if not full:
            return
        try:
            self.task.put(self.buffer)
        except RetriableException as e:
            self.task.retries_left -= 1
            if self.task.retries_left < 0:
                self.fail(ConnectException(f"Exiting WorkerSinkTask due to unrecoverable exception: {e}"), e)
                return
            self.backoff_until = now + self.task.retry_backoff_ms
            self.cc.emit("connect.task.retry", self.w.node, task=self.uid, stage="TASK_PUT", error=str(e),
                         retries_left=self.task.retries_left)
            return
        except ConnectException as e:
            self.fail(ConnectException("Exiting WorkerSinkTask due to unrecoverable exception."), e)
            return
        self.task.retries_left = self.task.max_retries
        self.buffer, self.buffer_bytes, self.buffer_started_ms = [], 0, None
        self.written.update(self.consumed)

    def _commit(self, force: bool = False) -> None:
        from ...confluent_kafka import KafkaException, TopicPartition

        self.last_flush_ms = self.cc.sim.now
        todo = {tp: o for tp, o in self.written.items() if self.committed.get(tp) != o}
        if not todo:
            return
        try:
            self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in sorted(todo.items())],
                                 asynchronous=False)
            self.committed.update(todo)
            self.cc.emit("connect.commit", self.w.node, task=self.uid, group=f"connect-{self.name}",
                         offsets={f"{t}-{p}": o for (t, p), o in sorted(todo.items())})
        except KafkaException:
            pass

    def close(self) -> None:
        try:
            if self.state == "RUNNING":
                self._commit(force=True)
            self.consumer.close()
        except RuntimeError:
            pass


class SourceTaskRunner(_TaskBase):
    """WorkerSourceTask: poll the source → transform → convert → produce; offsets to connect-offsets."""

    def __init__(self, worker, name, task_id, config):
        super().__init__(worker, name, task_id, config)
        self.offsets = self.cc.read_source_offsets(name)
        self.unflushed: dict = {}
        self.next_poll_ms = self.cc.sim.now

    def iterate(self) -> None:
        now = self.cc.sim.now
        if self.state != "RUNNING" or now < self.next_poll_ms:
            return
        self.next_poll_ms = now + self.task.poll_interval_ms
        view = dict(self.offsets, **self.unflushed)
        try:
            records = self.task.poll(view)
        except RetriableException as e:
            self.cc.emit("connect.task.retry", self.w.node, task=self.uid, stage="TASK_POLL", error=str(e))
            return
        for rec in records:
            try:
                out = self.chain.apply(rec)
                if out is None:
                    continue
                k = self.key_converter.from_connect(out.topic, out.key_schema, out.key)
                v = self.value_converter.from_connect(out.topic, out.value_schema, out.value)
            except (DataException, ConnectException, NetworkException, ValueError, TypeError) as e:
                if self.tolerance != "all":
                    self.fail(ConnectException("Tolerance exceeded in error handler"), e)
                    return
                continue
            self.cc.producer.produce(out.topic, key=k, value=v)
            self.unflushed[json.dumps(rec.source_partition, sort_keys=True)] = rec.source_offset
        self.cc.producer.poll(0)
        if records:
            self.cc.emit("connect.source.poll", self.w.node, task=self.uid, records=len(records))
        if now - self.last_flush_ms >= self.flush_interval_ms:
            self.flush_offsets()

    def flush_offsets(self) -> None:
        self.last_flush_ms = self.cc.sim.now
        if not self.unflushed:
            return
        self.cc.producer.flush(5)  # the records first, then their offsets (WorkerSourceTask.commitOffsets)
        for part, off in sorted(self.unflushed.items()):
            key = json.dumps([self.name, json.loads(part)], separators=(",", ":"), sort_keys=True)
            self.cc.producer.produce(self.cc.config["offset.storage.topic"], key=key,
                                     value=json.dumps(off, separators=(",", ":")))
        self.cc.producer.flush(5)
        self.offsets.update(self.unflushed)
        self.cc.emit("connect.source.offsets", self.w.node, task=self.uid,
                     offsets={p: o for p, o in sorted(self.unflushed.items())})
        self.unflushed = {}

    def close(self) -> None:
        if self.state == "RUNNING":
            self.flush_offsets()


# ================================================================================================
# Worker and cluster
# ================================================================================================
class Worker:
    def __init__(self, cc: ConnectCluster, n: int):
        self.cc, self.n = cc, n
        self.node = f"connect-{n}"
        self.worker_id = f"connect-{n}:8083"
        self.alive = True
        self.owned: set = set()  # units this worker runs (connectors and tasks)
        self.tasks: dict[str, _TaskBase] = {}
        self.coord = WorkerCoordinator(self)
        cc.sim.network.set_down(self.node, False)
        self.coord.join("startup")

    def tick(self) -> None:
        if not self.alive:
            return
        a = self.coord.pending
        if a is not None:
            self.coord.pending = None
            self._apply(a)
        for uid in sorted(self.tasks):
            t = self.tasks[uid]
            target = self.cc.target_state(t.name)
            if target == "PAUSED" and t.state == "RUNNING":
                t.state = "PAUSED"
                self.cc.set_status("task", uid, "PAUSED", self.worker_id)
            elif target == "STARTED" and t.state == "PAUSED":
                t.state = "RUNNING"
                self.cc.set_status("task", uid, "RUNNING", self.worker_id)
            t.iterate()

    def _apply(self, a: dict) -> None:
        revoked = [u for u in a.get("revoked", []) if u in self.owned]
        for u in sorted(set(self.owned) - set(a.get("assigned", [])) | set(revoked)):
            self._stop_unit(u)
        for u in a.get("assigned", []):
            if u not in self.owned:
                self._start_unit(u)
        self.cc.emit("connect.worker.assigned", self.node, generation=a["generation"], running=sorted(self.owned),
                     revoked=revoked)
        if revoked:
            self.coord.join("revoked: follow-up rebalance")
        if a.get("delay"):
            self.cc.sim.schedule(int(a["delay"]), self.coord.join, "scheduled.rebalance.max.delay.ms elapsed")

    def _start_unit(self, u: str) -> None:
        name, _, tid = u.rpartition("-")
        if u in self.cc.configs:  # a connector
            self.owned.add(u)
            self.cc.set_status("connector", u, "PAUSED" if self.cc.target_state(u) == "PAUSED" else "RUNNING",
                               self.worker_id)
            return
        cfg = self.cc.configs.get(name)
        if cfg is None:
            return
        self.owned.add(u)
        kind = PLUGINS[cfg["config"]["connector.class"]].kind
        try:
            runner = (SinkTaskRunner if kind == "sink" else SourceTaskRunner)(self, name, int(tid),
                                                                              cfg["tasks"][int(tid)])
        except ConfigException as e:
            # Worker.startTask: a converter (or the task) that cannot be configured fails the task at
            # start; the worker keeps it in its assignment, the status says FAILED with the trace.
            trace = java_trace(e, where="org.apache.kafka.connect.runtime.Worker.startTask(Worker.java)")
            self.cc.emit("connect.task.failed", self.node, task=u, error=str(e))
            self.cc.set_status("task", u, "FAILED", self.worker_id, trace=trace)
            return
        self.tasks[u] = runner
        self.cc.emit("connect.task.start", self.node, task=u)

    def _stop_unit(self, u: str) -> None:
        self.owned.discard(u)
        t = self.tasks.pop(u, None)
        if t is not None:
            t.close()
            self.cc.emit("connect.task.stop", self.node, task=u)

    def crash(self) -> None:
        """The worker process dies: no LeaveGroup; its tasks' consumers go silent too."""
        self.alive = False
        self.coord.stop()
        for t in self.tasks.values():
            if isinstance(t, SinkTaskRunner):
                t.consumer.crash()
        self.tasks.clear()
        self.owned.clear()
        self.cc.emit("connect.worker.crash", self.node)
        self.cc.sim.network.set_down(self.node, True)


class ConnectCluster:
    """A Connect cluster of ``workers`` workers on ``cluster``, with the REST API as methods.

    >>> import kafkalab
    >>> connect = ConnectCluster(kafkalab.Cluster(brokers=3, seed=1), workers=2)
    >>> [p["class"].rsplit(".", 1)[-1] for p in connect.connector_plugins()]
    ['FileStreamSourceConnector', 'JdbcSinkConnector', 'JdbcSourceConnector', 'SnowflakeSinkConnector']
    """

    def __init__(self, cluster, workers: int = 1, config: dict | None = None, tick_ms: int = 100):
        cfg = dict(WORKER_DEFAULTS)
        for k, v in (config or {}).items():
            if k not in WORKER_DEFAULTS:
                raise ValueError(f"Unknown worker config {k!r}; the simulator knows {sorted(WORKER_DEFAULTS)}")
            cfg[k] = v
        self.cluster, self.sim, self.config, self.tick_ms = cluster, cluster.sim, cfg, tick_ms
        self.group_id = cfg["group.id"]
        self.servers = ",".join(f"kafka-{b}:9092" for b in sorted(cluster.brokers))
        self._make_topics()
        from ...confluent_kafka import Producer

        self.producer = Producer({"bootstrap.servers": self.servers, "client.id": f"{self.group_id}-producer",
                                  "acks": "all", "enable.idempotence": True, "linger.ms": 0})
        self.configs: dict = {}  # name -> {"config": …, "tasks": […], "target": "STARTED"}
        self.config_offset = -1
        self.statuses: dict = {}  # ("connector"|"task", id) -> status dict
        self.assignor = IncrementalCooperativeAssignor(self)
        self.noted: set = set()  # connector classes whose simulator note was said (once per Connect cluster)
        self.workers = [Worker(self, i) for i in range(1, workers + 1)]

    # -- plumbing ---------------------------------------------------------------------------
    def emit(self, kind: str, node: str, **fields) -> None:
        self.sim.trace.emit(kind, node=node, **fields)

    def _make_topics(self) -> None:
        from ...confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient({"bootstrap.servers": self.servers})
        have = admin.list_topics().topics
        rf = min(int(self.config["replication.factor"]), len(self.cluster.brokers))
        want = [(self.config["config.storage.topic"], 1), (self.config["offset.storage.topic"],
                                                           int(self.config["offset.storage.partitions"])),
                (self.config["status.storage.topic"], int(self.config["status.storage.partitions"]))]
        new = [NewTopic(t, num_partitions=n, replication_factor=rf, config={"cleanup.policy": "compact"})
               for t, n in want if t not in have]
        if new:
            for fut in admin.create_topics(new).values():
                fut.result()

    def run(self, ms: int) -> None:
        """Advance the clock by ``ms``, letting every worker thread loop every ``tick_ms``."""
        end = self.sim.now + int(ms)
        while self.sim.now < end:
            for w in self.workers:
                w.tick()
            self.sim.run(until_ms=min(end, self.sim.now + self.tick_ms))

    def _write_config(self, key: str, value: dict | None) -> None:
        topic = self.config["config.storage.topic"]
        self.producer.produce(topic, key=key, value=None if value is None else json.dumps(value, sort_keys=True),
                              partition=0)
        self.producer.flush(10)
        self.config_offset += 1

    def set_status(self, kind: str, uid: str, state: str, worker_id: str, trace: str | None = None) -> None:
        st = {"state": state, "worker_id": worker_id}
        if trace:
            st["trace"] = trace
        self.statuses[(kind, uid)] = st
        self.producer.produce(self.config["status.storage.topic"], key=f"status-{kind}-{uid}",
                              value=json.dumps(dict(st, generation=0), sort_keys=True))
        self.producer.poll(0)
        self.emit("connect.status", worker_id.split(":")[0], unit=uid, unit_type=kind, state=state)

    def target_state(self, name: str) -> str:
        c = self.configs.get(name)
        return c["target"] if c else "STARTED"

    def read_source_offsets(self, name: str) -> dict:
        """OffsetStorageReader: the latest offset of each source partition of ``name``."""
        from ...confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        topic = self.config["offset.storage.topic"]
        c = Consumer({"bootstrap.servers": self.servers, "group.id": f"{self.group_id}-offsets-reader",
                      "enable.auto.commit": False})
        n = int(self.config["offset.storage.partitions"])
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(n)])
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p))[1] for p in range(n)}
        out: dict = {}
        while any(ends.values()):
            msgs = c.consume(500, timeout=1)
            if not msgs:
                break
            for m in msgs:
                if m.error() is None:
                    key = json.loads(m.key())
                    if key[0] == name:
                        out[json.dumps(key[1], sort_keys=True)] = json.loads(m.value()) if m.value() else None
                    if m.offset() + 1 >= ends[m.partition()]:
                        ends[m.partition()] = 0
        c.close()
        return out

    def _rebalance(self) -> None:
        for w in self.workers:
            if w.alive and w.coord.state == "steady":
                w.coord.join("config changed")
                return

    # -- REST API ---------------------------------------------------------------------------
    def connector_plugins(self) -> list[dict]:
        """``GET /connector-plugins``."""
        return [{"class": c, "type": PLUGINS[c].kind, "version": PLUGINS[c].version} for c in sorted(PLUGINS)]

    def connectors(self) -> list[str]:
        return sorted(self.configs)

    def _validate(self, name: str, config: dict) -> tuple:
        cls = config.get("connector.class")
        if not cls:
            raise ConnectRestError(400, f"Connector config {config} contains no connector type")
        if cls not in PLUGINS:
            avail = ", ".join(f"PluginDesc{{klass=class {c}, name='{c}', version='{PLUGINS[c].version}', "
                              f"type={PLUGINS[c].kind}}}" for c in sorted(PLUGINS))
            raise ConnectRestError(500, f"Failed to find any class that implements Connector and which name matches "
                                        f"{cls}, available connectors are: {avail}")
        plugin = PLUGINS[cls]()
        errors = plugin.validate(config)
        try:
            tasks_max = int(config.get("tasks.max", 1))
            if tasks_max < 1:
                raise ValueError
        except ValueError:
            errors.append(f"Invalid value {config.get('tasks.max')} for configuration tasks.max: Value must be at "
                          f"least 1")
            tasks_max = 1
        if plugin.kind == "sink" and not config.get("topics"):
            errors.append('Must configure one of topics or topics.regex')
        if config.get("errors.tolerance", "none") not in ("none", "all"):
            errors.append(f"Invalid value {config['errors.tolerance']} for configuration errors.tolerance: String "
                          f"must be one of: none, all")
        # Validation checks that the converter classes exist.  Since Kafka 3.8 (KAFKA-13329,
        # AbstractHerder.validateConverterConfig) it also validates the converter's own settings
        # against ``Converter.config()``, but Confluent's AvroConverter does not override that
        # method (the default is an empty ConfigDef), so a missing ``schema.registry.url`` passes
        # here and only fails when a task configures its converter (``Worker.startTask``): the
        # connector is created and its tasks go FAILED with the ConfigException as their trace.
        for prefix in ("key.converter", "value.converter"):
            try:
                converter_class(config, prefix, self.config[prefix])
            except ConfigException as e:
                errors.append(str(e))
        try:
            Chain(config)
        except ConfigException as e:
            errors.append(str(e))
        if errors:
            raise ConnectRestError(400, f"Connector configuration is invalid and contains the following {len(errors)} "
                                        f"error(s):\n" + "\n".join(errors) + "\nYou can also find the above list of "
                                        "errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
        return plugin, tasks_max

    def create_connector(self, name, config: dict | None = None) -> dict:
        """``POST /connectors`` with ``{"name": …, "config": {…}}`` (or ``create_connector(name, config)``)."""
        if isinstance(name, dict):
            body = name
            name, config = body.get("name"), dict(body.get("config") or {})
        config = {k: (str(v) if not isinstance(v, str) else v) for k, v in (config or {}).items()}
        if not name:
            raise ConnectRestError(400, "Connector name is null or empty")
        if name in self.configs:
            raise ConnectRestError(409, f"Connector {name} already exists")
        return self.put_connector_config(name, config, create=True)

    def put_connector_config(self, name: str, config: dict, create: bool = False) -> dict:
        """``PUT /connectors/{name}/config``: create or update (tasks restart with the new config)."""
        config = dict(config, name=name)
        plugin, tasks_max = self._validate(name, config)
        tasks = plugin.task_configs(config, tasks_max)
        old = self.configs.get(name)
        self._write_config(f"connector-{name}", {"properties": config})
        for i, t in enumerate(tasks):
            self._write_config(f"task-{name}-{i}", {"properties": t})
        self._write_config(f"commit-{name}", {"tasks": len(tasks)})
        if old is None:
            self._write_config(f"target-state-{name}", {"state": "STARTED"})
        if old is not None:
            for w in self.workers:  # tasks restart with the new configs
                for u in [u for u in w.owned if u == name or u.startswith(name + "-")]:
                    w._stop_unit(u)
        self.configs[name] = {"config": config, "tasks": tasks, "target": old["target"] if old else "STARTED"}
        for i in range(len(tasks)):
            self.statuses.setdefault(("task", f"{name}-{i}"), {"state": "UNASSIGNED", "worker_id": ""})
        self.statuses.setdefault(("connector", name), {"state": "UNASSIGNED", "worker_id": ""})
        self.emit("connect.connector.config", "connect-rest", connector=name, tasks=len(tasks), created=old is None)
        self._rebalance()
        return {"name": name, "config": config, "tasks": [{"connector": name, "task": i} for i in range(len(tasks))],
                "type": plugin.kind}

    def _known(self, name: str) -> dict:
        c = self.configs.get(name)
        if c is None:
            raise ConnectRestError(404, f"Connector {name} not found")
        return c

    def connector_config(self, name: str) -> dict:
        return dict(self._known(name)["config"])

    def tasks(self, name: str) -> list[dict]:
        c = self._known(name)
        return [{"id": {"connector": name, "task": i}, "config": t} for i, t in enumerate(c["tasks"])]

    def status(self, name: str) -> dict:
        """``GET /connectors/{name}/status``: Connect's status JSON."""
        c = self._known(name)
        tasks = []
        for i in range(len(c["tasks"])):
            st = self.statuses.get(("task", f"{name}-{i}"), {"state": "UNASSIGNED", "worker_id": ""})
            tasks.append(dict({"id": i}, **st))
        return {"name": name, "connector": dict(self.statuses.get(("connector", name), {"state": "UNASSIGNED",
                                                                                          "worker_id": ""})),
                "tasks": tasks, "type": PLUGINS[c["config"]["connector.class"]].kind}

    def pause(self, name: str) -> None:
        c = self._known(name)
        self._write_config(f"target-state-{name}", {"state": "PAUSED"})
        c["target"] = "PAUSED"
        st = self.statuses.get(("connector", name))
        if st:
            self.set_status("connector", name, "PAUSED", st["worker_id"])

    def resume(self, name: str) -> None:
        c = self._known(name)
        self._write_config(f"target-state-{name}", {"state": "STARTED"})
        c["target"] = "STARTED"
        st = self.statuses.get(("connector", name))
        if st:
            self.set_status("connector", name, "RUNNING", st["worker_id"])

    def restart(self, name: str, include_tasks: bool = False, only_failed: bool = False) -> dict:
        """``POST /connectors/{name}/restart?includeTasks=…&onlyFailed=…``."""
        c = self._known(name)
        if include_tasks:
            for i in range(len(c["tasks"])):
                st = self.statuses.get(("task", f"{name}-{i}"), {})
                if not only_failed or st.get("state") == "FAILED":
                    self.restart_task(name, i)
        return self.status(name)

    def restart_task(self, name: str, task_id: int) -> None:
        """``POST /connectors/{name}/tasks/{id}/restart``: a fresh task on the worker that owns it."""
        c = self._known(name)
        if not 0 <= task_id < len(c["tasks"]):
            raise ConnectRestError(404, f"Task {name}-{task_id} not found")
        uid = f"{name}-{task_id}"
        for w in self.workers:
            if uid in w.owned:
                w._stop_unit(uid)
                w._start_unit(uid)
                return

    def delete_connector(self, name: str) -> None:
        c = self._known(name)
        for w in self.workers:
            for u in [u for u in w.owned if u == name or u.startswith(name + "-")]:
                w._stop_unit(u)
        self._write_config(f"connector-{name}", None)
        for i in range(len(c["tasks"])):
            self._write_config(f"task-{name}-{i}", None)
        self._write_config(f"target-state-{name}", None)
        del self.configs[name]
        for k in [k for k in self.statuses if k[1] == name or k[1].startswith(name + "-")]:
            del self.statuses[k]
        self.emit("connect.connector.delete", "connect-rest", connector=name)
        self._rebalance()

    # -- faults -----------------------------------------------------------------------------
    def crash_worker(self, n: int) -> None:
        self.workers[n - 1].crash()

    def add_worker(self) -> Worker:
        w = Worker(self, len(self.workers) + 1)
        self.workers.append(w)
        return w

    def assignment(self) -> dict:
        """worker id -> the connectors and tasks it runs now."""
        return {w.worker_id: sorted(w.owned) for w in self.workers if w.alive}


__all__ = ["ConnectCluster", "ConnectRestError", "Worker"]
