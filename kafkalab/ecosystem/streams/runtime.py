"""``KafkaStreams``: a Streams application instance on the simulated cluster, through its public clients.

An instance runs ``num.stream.threads`` **stream threads**; each thread is one member of the
consumer group named by ``application.id`` (its consumer's client id is
``<application.id>-<process id>-StreamThread-<n>-consumer``) and owns one producer. Every
``poll.ms`` of virtual time a thread

1. polls its consumer and hands each record to the **task** of its partition (task ``s_p`` =
   sub-topology *s*, partition *p*);
2. restores tasks that are new to this instance from their stores' **changelogs** (a restore
   consumer reads each changelog partition from the beginning, or from the checkpoint this
   instance wrote when it last owned the task, up to the end offset) — a restoring task does not
   process, and its input partitions are paused;
3. processes the buffered records of its running tasks;
4. **commits** every ``commit.interval.ms``: flushes the tasks' caches (the updates reach the
   changelogs and the output topics now), waits until the producer has delivered everything
   (``flush()``), then commits the input offsets (``commitSync``). That is **at-least-once**: a
   crash after records were produced but before the offsets were committed re-processes those
   records, so counts and outputs may double. With ``processing.guarantee=exactly_once_v2`` the
   thread's producer is transactional: what the tasks write since the last commit is one
   transaction, and the commit sends the input offsets into it and commits it (KIP-447); a crash
   leaves it open until the coordinator aborts it, and consumers read ``read_committed``.

Before joining the group an instance makes the internal topics ready: ``-repartition`` topics (as
many partitions as the sub-topology that writes them reads) and compacted ``-changelog`` topics
(one partition per task), and checks that joined topics are **co-partitioned** — otherwise the
thread dies with ``TopologyException: ... Topics not co-partitioned: [{clicks=6, user-profiles=3}]``
and the instance goes to ``ERROR``, as Kafka's assignor does during the rebalance.

Simplifications are marked ``# Simplification:`` in the code (the assignor, LeaveGroup on close, lost tasks,
internal topic creation, the uncaught-exception handler).
"""
from __future__ import annotations

import random as _random
from enum import Enum

from ...confluent_kafka import (
    OFFSET_BEGINNING,
    AdminClient,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from ...confluent_kafka.admin import NewTopic
from ...partitioners import murmur2, to_positive
from .config import StreamsConfig
from .errors import (
    IllegalStateException,
    InvalidStateStoreException,
    MissingSourceTopicException,
    StreamsException,
    StreamsNotStartedException,
    TaskMigratedException,
    TopologyException,
)
from .javautil import map_str
from .processor import PunctuationType
from .state import ThreadCache, ValueAndTimestamp
from .task import ProcessorTopology, StreamTask, TaskId
from .topology import changelog_topic


class State(Enum):
    """``KafkaStreams.State`` and its valid transitions (``KafkaStreams.java``)."""

    CREATED = "CREATED"
    REBALANCING = "REBALANCING"
    RUNNING = "RUNNING"
    PENDING_SHUTDOWN = "PENDING_SHUTDOWN"
    NOT_RUNNING = "NOT_RUNNING"
    PENDING_ERROR = "PENDING_ERROR"
    ERROR = "ERROR"

    def is_running_or_rebalancing(self) -> bool:
        return self in (State.RUNNING, State.REBALANCING)


_STATE_TRANSITIONS = {
    State.CREATED: {State.REBALANCING, State.PENDING_SHUTDOWN, State.PENDING_ERROR},
    State.REBALANCING: {State.RUNNING, State.PENDING_SHUTDOWN, State.PENDING_ERROR},
    State.RUNNING: {State.REBALANCING, State.RUNNING, State.PENDING_SHUTDOWN, State.PENDING_ERROR},
    State.PENDING_SHUTDOWN: {State.NOT_RUNNING},
    State.NOT_RUNNING: set(),
    State.PENDING_ERROR: {State.ERROR},
    State.ERROR: set(),
}


class ThreadState(Enum):
    """``StreamThread.State`` and its valid transitions."""

    CREATED = "CREATED"
    STARTING = "STARTING"
    PARTITIONS_REVOKED = "PARTITIONS_REVOKED"
    PARTITIONS_ASSIGNED = "PARTITIONS_ASSIGNED"
    RUNNING = "RUNNING"
    PENDING_SHUTDOWN = "PENDING_SHUTDOWN"
    DEAD = "DEAD"


_T = ThreadState
_THREAD_TRANSITIONS = {
    _T.CREATED: {_T.STARTING, _T.PENDING_SHUTDOWN},
    _T.STARTING: {_T.PARTITIONS_REVOKED, _T.PARTITIONS_ASSIGNED, _T.PENDING_SHUTDOWN},
    _T.PARTITIONS_REVOKED: {_T.PARTITIONS_REVOKED, _T.PARTITIONS_ASSIGNED, _T.PENDING_SHUTDOWN},
    _T.PARTITIONS_ASSIGNED: {_T.PARTITIONS_REVOKED, _T.PARTITIONS_ASSIGNED, _T.RUNNING, _T.PENDING_SHUTDOWN},
    _T.RUNNING: {_T.PARTITIONS_REVOKED, _T.PARTITIONS_ASSIGNED, _T.RUNNING, _T.PENDING_SHUTDOWN},
    _T.PENDING_SHUTDOWN: {_T.DEAD},
    _T.DEAD: set(),
}


_MIGRATED = "; it means all tasks belonging to this thread should be migrated."  # TaskMigratedException


class ProducerCollector:
    """``RecordCollectorImpl``: sends through the thread's producer; keyed records by murmur2, as Java."""

    def __init__(self, thread: StreamThread):
        self.thread = thread
        self._partitions: dict[str, int] = {}
        self.sent = 0
        self.sent_by_topic: dict[str, int] = {}  # since the thread last reported them (streams.sent)
        self.errors: list = []
        self.offsets: dict[tuple, int] = {}  # (topic, partition) -> last offset delivered
        self.delivered_since_commit = 0  # changelog and output records acknowledged since the last commit
        self.changelog_since_commit = 0

    def partitions_for(self, topic: str) -> int:
        n = self._partitions.get(topic)
        if n is None:
            md = self.thread.producer.list_topics(topic)
            t = md.topics.get(topic)
            n = len(t.partitions) if t is not None and t.partitions else 1
            self._partitions[topic] = n
        return n

    def send(self, topic, key, value, headers, partition, timestamp, node) -> None:
        if partition is None and key is not None:
            partition = to_positive(murmur2(key)) % self.partitions_for(topic)
        self.thread.maybe_begin_transaction()  # StreamsProducer.send
        self.thread.producer.produce(topic, value=value, key=key, partition=-1 if partition is None else partition,
                              timestamp=max(timestamp, 0), headers=headers, on_delivery=self._on_delivery)
        self.sent += 1
        self.sent_by_topic[topic] = self.sent_by_topic.get(topic, 0) + 1

    def _on_delivery(self, err, msg) -> None:
        if err is not None:
            self.errors.append((msg.topic(), err))
            return
        key = (msg.topic(), msg.partition())
        if msg.offset() > self.offsets.get(key, -1):
            self.offsets[key] = msg.offset()
        self.delivered_since_commit += 1
        if msg.topic().endswith("-changelog"):
            self.changelog_since_commit += 1


class StreamThread:
    """One stream thread: a consumer-group member with its tasks, producer, cache and restore consumer."""

    def __init__(self, app: KafkaStreams, index: int):
        self.app = app
        self.index = index
        self.name = f"{app.client_id}-StreamThread-{index}"
        cfg = app.config
        cl = app.cluster
        self.consumer = Consumer(cfg.main_consumer_config(app.application_id, self.name + "-consumer"), cluster=cl)
        self.restore_consumer = Consumer(cfg.restore_consumer_config(self.name + "-restore-consumer"), cluster=cl)
        # exactly_once_v2: one transactional producer per thread (ActiveTaskCreator: "<application.id>-<processId>-
        # <threadIdx>"); its transactions hold every task's output, changelog writes and input offsets.
        self.eos = cfg.eos
        self.transactional_id = f"{app.application_id}-{app.process_id}-{index}" if self.eos else None
        self.producer = self._new_producer()
        self._txn_initialized = False
        self._txn_in_flight = False
        self.collector = ProducerCollector(self)
        self.cache = ThreadCache(cfg.cache_bytes_per_thread())
        self.tasks: dict[TaskId, StreamTask] = {}
        self.restoring: dict[TaskId, dict] = {}  # task -> {changelog tp: [end offset, store, restored]}
        self.state = ThreadState.CREATED
        self._busy = False
        self._subscribed = False
        self.last_commit_ms = cl.now
        self.error: BaseException | None = None
        self.commits = 0
        self.processed_since_commit = 0

    def _new_producer(self) -> Producer:
        return Producer(self.app.config.producer_config(self.name + "-producer", self.transactional_id),
                        cluster=self.app.cluster)

    # -- exactly-once: StreamsProducer ----------------------------------------------------------------------
    def _txn_error(self, message: str) -> str:
        return f"{message} [stream-thread [{self.name}]]"  # StreamsProducer.formatException

    def init_transactions(self) -> None:
        """``StreamsProducer.initTransaction``: once per producer, when its first task initializes."""
        if self.eos and not self._txn_initialized:
            try:
                self.producer.init_transactions()
            except KafkaException as exc:
                raise StreamsException(self._txn_error("Error encountered trying to initialize transactions")) \
                    from exc
            self._txn_initialized = True

    def maybe_begin_transaction(self) -> None:
        if self.eos and not self._txn_in_flight:
            try:
                self.producer.begin_transaction()
            except KafkaException as exc:
                if exc.args[0].code() == KafkaError._FENCED:
                    raise TaskMigratedException(self._txn_error("Producer got fenced trying to begin a new "
                                                                "transaction") + _MIGRATED) from exc
                raise StreamsException(self._txn_error("Error encountered trying to begin a new transaction")) \
                    from exc
            self._txn_in_flight = True

    def _commit_transaction(self, tps: list) -> None:
        """``StreamsProducer.commitTransaction``: the tasks' input offsets join the transaction, which commits."""
        self.maybe_begin_transaction()
        try:
            self.producer.send_offsets_to_transaction(tps, self.consumer.consumer_group_metadata())
            self.producer.commit_transaction()
            self._txn_in_flight = False
        except KafkaException as exc:
            err = exc.args[0]
            if err.code() in (KafkaError._FENCED, KafkaError.ILLEGAL_GENERATION, KafkaError.UNKNOWN_MEMBER_ID, KafkaError.FENCED_INSTANCE_ID,
                              KafkaError.REBALANCE_IN_PROGRESS) or err.fatal():
                raise TaskMigratedException(self._txn_error("Producer got fenced trying to commit a transaction")
                                            + _MIGRATED) from exc
            raise StreamsException(self._txn_error("Error encountered trying to commit a transaction")) from exc

    def abort_transaction(self) -> None:
        """``StreamsProducer.abortTransaction`` (closing tasks dirty): a fenced producer's abort is swallowed."""
        if self._txn_in_flight:
            try:
                self.producer.abort_transaction()
            except KafkaException:
                pass  # fenced or fatal: the coordinator aborts it (transaction.timeout.ms) or already has
            self._txn_in_flight = False

    def _handle_task_migrated(self, exc: TaskMigratedException) -> None:
        """``StreamThread.handleTaskMigrated``: close every task dirty (a new producer under EOS), then rejoin."""
        self.app.trace.emit("streams.task_migrated", node=self.name, message=str(exc))
        self._close_all_dirty()
        self.consumer.unsubscribe()
        self._subscribed = False  # run_once subscribes again

    def _close_all_dirty(self) -> list:
        """``TaskManager.handleLostAll``; under exactly_once_v2 also ``reInitializeProducer``."""
        self.abort_transaction()
        revoked = sorted(self.tasks)
        for tid in revoked:
            self.app.close_task(self, self.tasks.pop(tid), clean=False)
        self.restoring.clear()
        self.restore_consumer.unassign()
        if self.eos:
            self.producer.close()
            self.producer = self._new_producer()
            self._txn_initialized = self._txn_in_flight = False
        return revoked

    # -- lifecycle ---------------------------------------------------------------------------------------
    def set_state(self, new: ThreadState) -> None:
        old = self.state
        if new not in _THREAD_TRANSITIONS[old]:
            raise IllegalStateException(f"Stream thread {self.name}: invalid transition from {old.value} to "
                                        f"{new.value}")
        self.state = new
        self.app.trace.emit("streams.thread_state", node=self.name, old=old.value, new=new.value)
        self.app._on_thread_state()

    def start(self) -> None:
        self.set_state(ThreadState.STARTING)
        self.app.sim.schedule(0, self._tick)

    def alive(self) -> bool:
        return self.state not in (ThreadState.DEAD, ThreadState.PENDING_SHUTDOWN) and self.error is None

    def _tick(self) -> None:
        if not self.alive() or self.app.crashed:
            return
        if not self._busy:
            self._busy = True
            try:
                try:
                    self.run_once()
                except TaskMigratedException as exc:
                    self._handle_task_migrated(exc)
            except Exception as exc:  # a thread dies on any uncaught error, as a StreamThread does
                if isinstance(exc, AssertionError):
                    raise
                self._die(exc)
                return
            finally:
                self._busy = False
        self.app.sim.schedule(self.app.config["poll.ms"], self._tick)

    def _die(self, exc: BaseException) -> None:
        self.error = exc
        self.app.trace.emit("streams.thread_died", node=self.name, error=type(exc).__name__, message=str(exc))
        for task in self.tasks.values():
            task.close()
        self.tasks.clear()
        try:
            self.consumer.close()
        except KafkaException:  # the member is gone either way
            pass
        self.state = ThreadState.DEAD
        self.app._on_thread_died(self, exc)

    # -- the loop ----------------------------------------------------------------------------------------
    def run_once(self) -> None:
        app = self.app
        if not self._subscribed:
            if not app.global_ready():
                return
            app.make_internal_topics_ready()
            topics = app.source_topics()
            self.consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke,
                                    on_lost=self._on_lost)
            self._subscribed = True
        if self.collector.errors:
            topic, err = self.collector.errors[0]
            raise StreamsException(f"Error encountered sending record to topic {topic} for task "
                                   f"{sorted(str(t) for t in self.tasks)} due to:\n{err.name()}: {err.str()}")
        for m in self.consumer.consume(1000, 0):
            err = m.error()
            if err is not None:
                if err.fatal():
                    raise KafkaException(err)
                continue
            task = self._task_for(m.topic(), m.partition())
            if task is not None:
                ts = m.timestamp()[1]
                task.add_record(m.topic(), m.partition(), m.offset(), m.key(), m.value(), ts, m.headers())
        if self.restoring:
            self._restore()
        now = app.cluster.now
        for tid in sorted(self.tasks):
            if tid in self.restoring:
                continue
            task = self.tasks[tid]
            while task.process():
                self.processed_since_commit += 1
            if task.punctuations:
                task.maybe_punctuate(PunctuationType.WALL_CLOCK_TIME, now)
        self.producer.poll(0)
        if self.tasks and (now - self.last_commit_ms >= app.config["commit.interval.ms"]
                           or any(t.commit_requested for t in self.tasks.values())):
            self.commit_all()
        if self.collector.sent_by_topic:
            # One event per loop that sent anything: what left for which topic, and when (the cache/commit picture).
            app.trace.emit("streams.sent", node=self.name, topics=dict(sorted(self.collector.sent_by_topic.items())))
            self.collector.sent_by_topic = {}
        if self.state is ThreadState.PARTITIONS_ASSIGNED and not self.restoring:
            self.set_state(ThreadState.RUNNING)

    def _task_for(self, topic: str, partition: int) -> StreamTask | None:
        s = self.app.subtopology_of_topic.get(topic)
        if s is None:
            return None
        return self.tasks.get(TaskId(s, partition))

    # -- commits -----------------------------------------------------------------------------------------
    def commit_all(self) -> bool:
        """Flush every task, then commit: at-least-once waits for the producer and commits the input offsets;
        exactly_once_v2 sends the offsets to the transaction and commits it (``TaskExecutor.commitOffsetsOrTransaction``).
        Under exactly_once_v2 a failed commit raises TaskMigratedException (the thread closes its tasks and rejoins).
        """
        now = self.app.cluster.now
        self.last_commit_ms = now
        offsets: dict = {}
        flushed = 0
        for tid in sorted(self.tasks):
            if tid in self.restoring:
                continue
            task = self.tasks[tid]
            before = self.collector.sent
            offs = task.prepare_commit()
            flushed += self.collector.sent - before
            offsets[tid] = offs
        if not flushed and not any(offsets.values()):
            return True  # nothing processed since the last commit (Kafka commits only tasks with commitNeeded)
        tps = [TopicPartition(t, p, o) for offs in offsets.values() for (t, p), o in offs.items()]
        ok = True
        if self.eos:
            try:
                self._commit_transaction(tps)
            except TaskMigratedException as exc:
                cause = exc.__cause__
                self.app.trace.emit("streams.commit_failed", node=self.name, error=cause.args[0].name()
                                    if isinstance(cause, KafkaException) else type(exc).__name__)
                raise
            if self.collector.errors:
                return False
        else:
            self.producer.flush()
            if self.collector.errors:
                return False
        if tps and not self.eos:
            try:
                self.consumer.commit(offsets=tps, asynchronous=False)
            except KafkaException as exc:
                # TaskMigratedException: the group rebalanced; the tasks will be revoked.
                ok = False
                self.app.trace.emit("streams.commit_failed", node=self.name, error=exc.args[0].name())
        if ok:
            for tid, offs in offsets.items():
                self.tasks[tid].post_commit(offs)
            self.processed_since_commit = 0
            self.collector.delivered_since_commit = self.collector.changelog_since_commit = 0
        self.commits += 1
        changelogs = {f"{t}-{p}": o + 1 for (t, p), o in sorted(self.collector.offsets.items())
                      if t.endswith("-changelog")}
        self.app.trace.emit("streams.commit", node=self.name, tasks=[str(t) for t in sorted(offsets)],
                            offsets={f"{t}-{p}": o for offs in offsets.values() for (t, p), o in sorted(offs.items())},
                            flushed=flushed, ok=ok, changelog_end_offsets=changelogs)
        return ok

    # -- rebalance callbacks (run inside consumer.consume) -----------------------------------------------
    def _tasks_of(self, partitions) -> dict[TaskId, list]:
        owned = {(tp.topic, tp.partition) for tp in partitions}
        out = {}
        for s, topics in sorted(self.app.subtopology_sources.items()):
            n = self.app.partition_counts.get(topics[0], 0)
            for p in range(n):
                tps = [(t, p) for t in topics]
                if all(tp in owned for tp in tps):
                    out[TaskId(s, p)] = tps
        return out

    def _on_assign(self, consumer, partitions) -> None:
        app = self.app
        consumer.assign(partitions)
        if self.state in (ThreadState.STARTING, ThreadState.PARTITIONS_REVOKED, ThreadState.RUNNING,
                          ThreadState.PARTITIONS_ASSIGNED):
            self.set_state(ThreadState.PARTITIONS_ASSIGNED)
        wanted = self._tasks_of(partitions)
        missing = [t for t in app.user_source_topics() if t not in app.partition_counts]
        if missing:
            raise MissingSourceTopicException("One or more source topics were missing during rebalance")
        to_pause = []
        for tid, tps in wanted.items():
            if tid in self.tasks:
                continue
            self.init_transactions()  # RecordCollectorImpl.initialize
            task, restore = app.open_task(self, tid, tps)
            self.tasks[tid] = task
            if restore:
                self.restoring[tid] = restore
                to_pause.extend(TopicPartition(t, p) for t, p in tps)
        app.trace.emit("streams.tasks_assigned", node=self.name, tasks=[str(t) for t in sorted(wanted)],
                       partitions=[f"{tp.topic}-{tp.partition}" for tp in partitions],
                       restoring=[str(t) for t in sorted(self.restoring)])
        if to_pause:
            consumer.pause(to_pause)
        if self.restoring:
            self._assign_restore_consumer()

    def _assign_restore_consumer(self) -> None:
        tps = []
        for tid, parts in sorted(self.restoring.items()):
            for (topic, p), entry in sorted(parts.items()):
                tps.append(TopicPartition(topic, p, entry["start"] if entry["start"] > 0 else OFFSET_BEGINNING))
        self.restore_consumer.assign(tps)

    def _restore(self) -> None:
        msgs = self.restore_consumer.consume(10_000, 0) if any(
            e["position"] < e["end"] for parts in self.restoring.values() for e in parts.values()) else []
        batches: dict = {}
        eof: dict = {}  # changelog partition -> the position a _PARTITION_EOF event reported
        for m in msgs:
            err = m.error()
            if err is None:
                batches.setdefault((m.topic(), m.partition()), []).append(m)
            elif err.code() == KafkaError._PARTITION_EOF:
                eof[(m.topic(), m.partition())] = m.offset()
        for tid in sorted(self.restoring):
            parts = self.restoring[tid]
            for tp, entry in sorted(parts.items()):
                recs = [m for m in batches.get(tp, ()) if m.offset() < entry["end"]]
                if recs:
                    entry["store"].restore_batch([(m.key(), m.value(), m.timestamp()[1]) for m in recs])
                    entry["restored"] += len(recs)
                    entry["position"] = recs[-1].offset() + 1
                if tp in eof:  # past commit markers and aborted records no record reports
                    entry["position"] = max(entry["position"], eof[tp])
        done = [tid for tid, parts in self.restoring.items() if all(e["position"] >= e["end"] for e in parts.values())]
        for tid in sorted(done):
            parts = self.restoring.pop(tid)
            for (topic, p), e in sorted(parts.items()):
                self.app.trace.emit("streams.restore_end", node=self.name, task=str(tid), store=e["store"].name,
                                    changelog=topic, partition=p, restored=e["restored"], end_offset=e["end"])
            task = self.tasks.get(tid)
            if task is not None:
                self.consumer.resume([TopicPartition(t, p) for t, p in task.partitions])
        if done:
            if self.restoring:
                self._assign_restore_consumer()
            else:
                self.restore_consumer.unassign()

    def _on_revoke(self, consumer, partitions) -> None:
        if self.state in (ThreadState.RUNNING, ThreadState.PARTITIONS_ASSIGNED, ThreadState.STARTING):
            self.set_state(ThreadState.PARTITIONS_REVOKED)
        if not self.tasks:
            consumer.unassign()
            return
        committed = True
        if not self.app.crashed:
            try:
                committed = self.commit_all()
            except TaskMigratedException:
                committed = False
        if not committed and self.eos:  # what the transaction held is aborted: the tasks' state is not clean
            revoked = self._close_all_dirty()
        else:
            revoked = sorted(self.tasks)
            for tid in revoked:
                self.app.close_task(self, self.tasks.pop(tid), clean=tid not in self.restoring)
            self.restoring.clear()
            self.restore_consumer.unassign()
        self.app.trace.emit("streams.tasks_revoked", node=self.name, tasks=[str(t) for t in revoked])
        consumer.unassign()

    def _on_lost(self, consumer, partitions) -> None:
        # Simplification: a lost task is closed dirty and its local state dropped (Kafka keeps the files but
        # no fresh checkpoint); the next owner restores from the changelog either way.
        revoked = self._close_all_dirty()
        self.app.trace.emit("streams.tasks_lost", node=self.name, tasks=[str(t) for t in revoked])
        consumer.unassign()

    def shutdown(self) -> None:
        if self.state is ThreadState.DEAD:
            return
        committed = True
        if self.tasks and self.error is None:
            try:
                committed = self.commit_all()
            except TaskMigratedException:
                committed = False
        if not committed and self.eos:
            self._close_all_dirty()
        for tid in sorted(self.tasks):
            self.app.close_task(self, self.tasks.pop(tid), clean=tid not in self.restoring)
        self.restoring.clear()
        self.set_state(ThreadState.PENDING_SHUTDOWN)
        # Simplification: Kafka Streams' main consumer does not send LeaveGroup on close
        # (internal.leave.group.on.close=false), so the group waits session.timeout.ms; kafkalab's
        # librdkafka-style consumer leaves, and the survivors take over at once.
        self.consumer.close()
        self.restore_consumer.close()
        self.producer.flush()
        self.set_state(ThreadState.DEAD)

    def crash(self) -> None:
        if self.state is not ThreadState.DEAD:  # a dead thread closed its consumers already
            self.consumer.crash()
            self.restore_consumer.crash()
        self.producer.crash()  # nothing more is sent; an open transaction stays open until its timeout aborts it
        self.tasks.clear()
        self.restoring.clear()


class StoreQueryParameters:
    """``StoreQueryParameters.from_name_and_type(name, QueryableStoreTypes.key_value_store())``."""

    def __init__(self, store_name: str, store_type: str | None = None):
        self.store_name = store_name
        self.store_type = store_type

    @classmethod
    def from_name_and_type(cls, store_name: str, store_type: str | None = None) -> StoreQueryParameters:
        return cls(store_name, store_type)


class QueryableStoreTypes:
    @staticmethod
    def key_value_store() -> str:
        return "keyValue"

    @staticmethod
    def timestamped_key_value_store() -> str:
        return "timestampedKeyValue"

    @staticmethod
    def window_store() -> str:
        return "window"

    @staticmethod
    def timestamped_window_store() -> str:
        return "timestampedWindow"

    @staticmethod
    def session_store() -> str:
        return "session"


class CompositeReadOnlyStore:
    """What ``KafkaStreams.store()`` returns: this instance's local stores of that name, read together."""

    def __init__(self, stores: list, store_type: str | None):
        self.stores = stores
        self.store_type = store_type

    def _unwrap(self, v):
        if self.store_type not in ("timestampedKeyValue", "timestampedWindow") and isinstance(v, ValueAndTimestamp):
            return v.value
        return v

    def get(self, key):
        for s in self.stores:
            v = s.get(key)
            if v is not None:
                return self._unwrap(v)
        return None

    def fetch(self, key, *args):
        for s in self.stores:
            if args and len(args) == 1:
                v = s.fetch(key, args[0])
                if v is not None:
                    return self._unwrap(v)
            else:
                rows = s.fetch_range(key, *args) if args else s.fetch(key)
                if rows:
                    return [(k, self._unwrap(v)) for k, v in rows]
        return None if args and len(args) == 1 else []

    def all(self) -> list:
        rows = []
        for s in self.stores:
            rows.extend((k, self._unwrap(v)) for k, v in s.all())
        return rows

    def approximate_num_entries(self) -> int:
        return sum(len(s.all()) for s in self.stores)


class KafkaStreams:
    """A Kafka Streams application instance (``org.apache.kafka.streams.KafkaStreams``).

    ``KafkaStreams(topology, {"application.id": ..., "bootstrap.servers": ...}, cluster=cluster)``,
    then ``start()``; it runs in virtual time as the cluster runs (``cluster.run(ms)``).
    ``crash()`` kills the process (kafkalab only): nothing more is committed or sent, the group
    notices after ``session.timeout.ms``, and the state on its disk is gone.
    """

    def __init__(self, topology, props: dict, cluster=None):
        self.config = StreamsConfig(props)
        itb = topology.internal
        self.topology = topology
        self.itb = itb
        if itb.has_no_local_topology() and not itb.has_global_topology():
            raise TopologyException("Topology has no stream threads and no global threads, must subscribe to at "
                                    "least one source topic or global table.")
        self.admin = AdminClient(self.config.admin_config("admin"), cluster=cluster)
        self.cluster = self.admin.cluster
        self.sim = self.cluster.sim
        self.trace = self.cluster.trace
        self.application_id = self.config["application.id"]
        u = _random.Random(self.sim.rng.getrandbits(64)).getrandbits(128)
        self.process_id = f"{u:032x}"
        self.process_id = "-".join((self.process_id[:8], self.process_id[8:12], self.process_id[12:16],
                                    self.process_id[16:20], self.process_id[20:]))
        self.client_id = self.config["client.id"] or f"{self.application_id}-{self.process_id}"
        self.admin.node = f"{self.client_id}-admin"
        self._state = State.CREATED
        self.state_listener = None
        self.uncaught_exception_handler = None
        self.crashed = False
        self.threads: list[StreamThread] = []
        # The sub-topologies that generate tasks, their (decorated) source topics, and partition counts.
        self.subtopology_sources: dict[int, list[str]] = {}
        self.subtopology_of_topic: dict[str, int] = {}
        for s, names in itb.subtopologies().items():
            topics = [itb.decorate(t, self.application_id) for t in itb.source_topics_of(names)]
            self.subtopology_sources[s] = topics
            for t in topics:
                self.subtopology_of_topic[t] = s
        self.partition_counts: dict[str, int] = {}
        self._topics_ready = False
        # This instance's state directory: closed tasks' stores and their changelog checkpoints.
        self.state_dir: dict[TaskId, dict] = {}
        self.global_task: StreamTask | None = None
        self._global_consumer = None
        self._global_ready = not itb.has_global_topology()
        self.last_error: BaseException | None = None
        self.closed_task_metrics = [0, 0]  # dropped, processed: of tasks this instance no longer has
        self.trace.emit("streams.create", node=self.client_id, application_id=self.application_id,
                        threads=self.config["num.stream.threads"],
                        processing_guarantee=self.config["processing.guarantee"])

    # -- state ----------------------------------------------------------------------------------------------
    def state(self) -> State:
        return self._state

    def _set_state(self, new: State) -> None:
        old = self._state
        if old is new and new is not State.RUNNING:
            return
        if new not in _STATE_TRANSITIONS[old]:
            if old is State.PENDING_SHUTDOWN or old in (State.NOT_RUNNING, State.ERROR, State.PENDING_ERROR):
                return  # a thread changing state during shutdown or after an error
            raise IllegalStateException(f"Stream-client {self.client_id}: Unexpected state transition from "
                                        f"{old.value} to {new.value}")
        if old is new:
            return
        self._state = new
        self.trace.emit("streams.state", node=self.client_id, old=old.value, new=new.value)
        if self.state_listener is not None:
            self.state_listener(new, old)

    def set_state_listener(self, listener) -> None:
        """``listener(new_state, old_state)``; only before ``start()``, as Kafka requires."""
        if self._state is not State.CREATED:
            raise IllegalStateException("Can only set StateListener before calling start(). Current state is: "
                                        f"{self._state.value}")
        self.state_listener = listener

    def set_uncaught_exception_handler(self, handler) -> None:
        """``handler(exception)`` when a stream thread dies.

        # Simplification: the handler's response is not read; every uncaught exception gets
        # SHUTDOWN_CLIENT (Kafka's default response). REPLACE_THREAD and SHUTDOWN_APPLICATION are not modelled.
        """
        self.uncaught_exception_handler = handler

    def _on_thread_state(self) -> None:
        if self._state not in (State.REBALANCING, State.RUNNING):
            return
        live = [t for t in self.threads if t.state is not ThreadState.DEAD]
        if live and all(t.state is ThreadState.RUNNING for t in live) and self._global_ready:
            self._set_state(State.RUNNING)
        elif any(t.state in (ThreadState.PARTITIONS_ASSIGNED, ThreadState.PARTITIONS_REVOKED, ThreadState.STARTING)
                 for t in live):
            self._set_state(State.REBALANCING)

    def _on_thread_died(self, thread: StreamThread, exc: BaseException) -> None:
        self.last_error = exc
        if self.uncaught_exception_handler is not None:
            self.uncaught_exception_handler(exc)
        # StreamsUncaughtExceptionHandler's default response is SHUTDOWN_CLIENT.
        self._set_state(State.PENDING_ERROR)
        for t in self.threads:
            if t is not thread and t.state is not ThreadState.DEAD:
                t.shutdown()
        self._set_state(State.ERROR)

    # -- start / close ------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._state is not State.CREATED:
            raise IllegalStateException(f"The client is either already started or already stopped, cannot re-start "
                                        f"(state {self._state.value})")
        self._set_state(State.REBALANCING)
        if self.itb.has_global_topology():
            self._start_global()
        for i in range(1, self.config["num.stream.threads"] + 1):
            t = StreamThread(self, i)
            self.threads.append(t)
        for t in self.threads:
            t.start()

    def close(self) -> None:
        if self._state in (State.NOT_RUNNING, State.ERROR):
            return
        self._set_state(State.PENDING_SHUTDOWN)
        for t in self.threads:
            if t.state is not ThreadState.DEAD:
                t.shutdown()
        if self._global_consumer is not None:
            self._global_consumer.close()
        self._set_state(State.NOT_RUNNING)

    def crash(self) -> None:
        """kafkalab only: the process dies now (no commit, no LeaveGroup, local state lost)."""
        self.crashed = True
        for th in self.threads:
            th.producer.poll(0)  # serve the delivery reports already received (nothing new is sent)
        # What at-least-once will process twice: records processed since the last commit whose updates already
        # reached the changelog (the new owner restores them, then processes the records again).
        self.trace.emit("streams.crash", node=self.client_id,
                        tasks=sorted(str(t) for th in self.threads for t in th.tasks),
                        processed_since_commit=sum(th.processed_since_commit for th in self.threads),
                        changelog_since_commit=sum(th.collector.changelog_since_commit for th in self.threads),
                        delivered_since_commit=sum(th.collector.delivered_since_commit for th in self.threads))
        for t in self.threads:
            t.crash()
        self.state_dir.clear()
        # A dead process has no state to ask for; NOT_RUNNING is what a restarted one would start from.
        self._state = State.NOT_RUNNING

    # -- internal topics ---------------------------------------------------------------------------------------
    def user_source_topics(self) -> list[str]:
        return [t for topics in self.subtopology_sources.values() for t in topics
                if t.removeprefix(self.application_id + "-") not in self.itb.internal_topics]

    def source_topics(self) -> list[str]:
        return sorted({t for topics in self.subtopology_sources.values() for t in topics})

    def _existing_partitions(self) -> dict[str, int]:
        md = self.admin.list_topics()
        return {name: len(t.partitions) for name, t in md.topics.items() if t.partitions}

    def make_internal_topics_ready(self) -> None:
        """What the group leader's assignor does: size and create internal topics, check co-partitioning.

        # Simplification: each instance does it before it joins (idempotently), not the leader during the
        # rebalance; a failure kills the thread just as it would.
        """
        existing = self._existing_partitions()
        app = self.application_id
        itb = self.itb
        missing = [t for t in self.user_source_topics() if t not in existing]
        if missing:
            raise MissingSourceTopicException("One or more source topics were missing during rebalance")
        counts = {t: existing[t] for t in self.user_source_topics()}
        internal = {itb.decorate(t, app): p for t, p in itb.internal_topics.items()}
        for t, props in internal.items():
            if props.number_of_partitions is not None:
                counts[t] = props.number_of_partitions
        writers: dict[str, list[int]] = {}
        for s, names in itb.subtopologies().items():
            for n in names:
                f = itb.node_factories[n]
                if f.kind == "sink" and f.topic in itb.internal_topics:
                    writers.setdefault(itb.decorate(f.topic, app), []).append(s)
        # StreamsPartitionAssignor.setRepartitionTopicMetadataNumberOfPartitions: a repartition topic gets the
        # largest partition count of the topics read by the sub-topologies that write it.
        changed = True
        while changed:
            changed = False
            for t in internal:
                if t in counts:
                    continue
                n = 0
                for s in writers.get(t, []):
                    for src in self.subtopology_sources[s]:
                        if src in counts:
                            n = max(n, counts[src])
                        else:
                            n = -1
                            break
                    if n < 0:
                        break
                if n > 0:
                    counts[t] = n
                    changed = True
        # CopartitionedTopicsEnforcer: external topics of a group must agree; repartition topics follow them.
        for group in itb.copartition_source_groups:
            topics = sorted({itb.decorate(t, app) for n in group for t in itb.node_to_source_topics.get(n, ())})
            external = {t: counts[t] for t in topics if t not in internal}
            reparts = [t for t in topics if t in internal]
            if external:
                if len(set(external.values())) > 1:
                    raise TopologyException(f"stream-thread [{self.threads[0].name if self.threads else self.client_id}"
                                            f"-consumer] Topics not co-partitioned: [{map_str(sorted(external.items()))}]")
                n = next(iter(external.values()))
            else:
                n = max(counts.get(t, 0) for t in reparts)
            for t in reparts:
                if internal[t].number_of_partitions is not None and internal[t].number_of_partitions != n:
                    raise TopologyException(f"Number of partitions [{internal[t].number_of_partitions}] of "
                                            f"repartition topic [{t.removeprefix(app + '-')}] doesn't match number "
                                            f"of partitions [{n}] of the source topic.")
                counts[t] = n
        to_create = []
        rf = self.config["replication.factor"]
        for t in sorted(internal):
            if t not in existing:
                to_create.append(NewTopic(t, counts[t], rf, config={"cleanup.policy": "delete",
                                                                     "retention.ms": "-1",
                                                                     "segment.bytes": "52428800"}))
        for s, names in itb.subtopologies().items():
            n = counts[self.subtopology_sources[s][0]]
            for store in itb.stores_of(names):
                f = itb.state_factories.get(store)
                if f is None or not f.logging_enabled:
                    continue
                topic = changelog_topic(app, store)
                if topic not in existing and all(nt.topic != topic for nt in to_create):
                    to_create.append(NewTopic(topic, n, rf, config=f.changelog_config()))
        if to_create:
            futures = self.admin.create_topics(to_create)
            for nt in to_create:
                try:
                    futures[nt.topic].result()
                    self.trace.emit("streams.internal_topic_create", node=self.client_id, topic=nt.topic,
                                    partitions=nt.num_partitions, config=dict(nt.config or {}))
                except KafkaException as exc:
                    if exc.args[0].name() != "TOPIC_ALREADY_EXISTS":
                        raise
        self.partition_counts = counts
        self._topics_ready = True

    # -- tasks ----------------------------------------------------------------------------------------------------
    def open_task(self, thread: StreamThread, tid: TaskId, tps: list) -> tuple[StreamTask, dict]:
        """Create the task; return it with what must be restored: ``{changelog tp: entry}``."""
        names = self.itb.subtopologies()[tid.subtopology]
        pt = ProcessorTopology(self.itb, names, self.application_id)
        saved = self.state_dir.pop(tid, None)
        task = StreamTask(tid, pt, tps, self.application_id, self.config, thread.collector, thread.cache,
                          lambda: self.cluster.now, self.trace, thread.name,
                          lambda store: changelog_topic(self.application_id, store),
                          caching_allowed=self.config["statestore.cache.max.bytes"] > 0,
                          stores=saved["stores"] if saved is not None else None,
                          global_stores=self.global_task.stores if self.global_task is not None else None)
        restore = {}
        for name, (topic, p) in sorted(task.changelogs.items()):
            store = task.stores[name]
            start = 0
            if saved is not None and name in saved["stores"]:
                start = saved["checkpoint"].get((topic, p), 0)
            low, high = thread.restore_consumer.get_watermark_offsets(TopicPartition(topic, p))
            start = max(start, low)
            if high > start:
                restore[(topic, p)] = {"store": store, "start": start, "position": start, "end": high, "restored": 0}
                self.trace.emit("streams.restore_start", node=thread.name, task=str(tid), store=name, changelog=topic,
                                partition=p, start_offset=start, end_offset=high)
        self.trace.emit("streams.task_created", node=thread.name, task=str(tid),
                        partitions=[f"{t}-{p}" for t, p in tps], stores=sorted(task.stores),
                        from_checkpoint=saved is not None)
        return task, restore

    def close_task(self, thread: StreamThread, task: StreamTask, clean: bool) -> None:
        if clean and not self.crashed:
            checkpoint = {tp: thread.collector.offsets[tp] + 1 for tp in task.changelogs.values()
                          if tp in thread.collector.offsets}
            for tp in task.changelogs.values():
                checkpoint.setdefault(tp, 0)
            self.state_dir[task.id] = {"stores": {n: s for n, s in task.stores.items() if n in task.changelogs},
                                       "checkpoint": checkpoint}
        for name in task.stores:
            thread.cache.close(f"{task.id}-{name}")
        task.close()
        self.closed_task_metrics[0] += task.metrics.dropped_records
        self.closed_task_metrics[1] += task.metrics.processed
        self.trace.emit("streams.task_closed", node=thread.name, task=str(task.id), clean=clean)

    # -- global stores ------------------------------------------------------------------------------------------------
    def _start_global(self) -> None:
        itb = self.itb
        gnames = [n for gid, ns in itb.node_groups().items() if gid in itb.global_node_groups() for n in ns]
        pt = ProcessorTopology(itb, gnames, self.application_id)
        existing = self._existing_partitions()
        tps = []
        for topic in pt.sources_by_topic:
            n = existing.get(topic)
            if n is None:
                raise MissingSourceTopicException(f"Topic {topic} of the global table does not exist")
            tps.extend(TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(n))
        # The GlobalStreamThread reads every partition of the global topics into its stores; no changelog.
        self.global_task = StreamTask(TaskId(-1, 0), pt, [(tp.topic, tp.partition) for tp in tps], self.application_id,
                                      self.config, None, None, lambda: self.cluster.now, self.trace,
                                      f"{self.client_id}-GlobalStreamThread")
        self._global_consumer = Consumer(self.config.restore_consumer_config(f"{self.client_id}-global-consumer"),
                                         cluster=self.cluster)
        self._global_consumer.assign(tps)
        self._global_ends = {(tp.topic, tp.partition): self._global_consumer.get_watermark_offsets(tp)[1]
                             for tp in tps}
        self._global_pos = dict.fromkeys(self._global_ends, 0)
        self.sim.schedule(0, self._global_tick)

    def _global_tick(self) -> None:
        if self.crashed or self._state in (State.NOT_RUNNING, State.ERROR):
            return
        g = self.global_task
        for m in self._global_consumer.consume(10_000, 0):
            if m.error() is not None:
                if m.error().code() == KafkaError._PARTITION_EOF:
                    key = (m.topic(), m.partition())
                    self._global_pos[key] = max(self._global_pos[key], m.offset())
                continue
            g.add_record(m.topic(), m.partition(), m.offset(), m.key(), m.value(), m.timestamp()[1], m.headers())
            self._global_pos[(m.topic(), m.partition())] = m.offset() + 1
        while g.process():
            pass
        if not self._global_ready and all(self._global_pos[k] >= e for k, e in self._global_ends.items()):
            self._global_ready = True
            self.trace.emit("streams.global_ready", node=self.client_id, stores=sorted(g.stores))
            self._on_thread_state()
        self.sim.schedule(self.config["poll.ms"], self._global_tick)

    def global_ready(self) -> bool:
        return self._global_ready

    # -- queries --------------------------------------------------------------------------------------------------------
    def store(self, params) -> CompositeReadOnlyStore:
        """Interactive query of this instance's local stores: ``store(StoreQueryParameters.from_name_and_type(...))``."""
        if isinstance(params, str):
            params = StoreQueryParameters(params)
        if self._state is State.CREATED:
            raise StreamsNotStartedException("KafkaStreams has not been started, you can retry after calling start()")
        if not self._state.is_running_or_rebalancing():
            raise InvalidStateStoreException(f"KafkaStreams is not running. State is {self._state.value}.")
        found = [t.stores[params.store_name] for th in self.threads for tid, t in sorted(th.tasks.items())
                 if params.store_name in t.stores and tid not in th.restoring]
        if self.global_task is not None and params.store_name in self.global_task.stores:
            found.append(self.global_task.stores[params.store_name])
        if not found and params.store_name not in self.itb.state_factories:
            from .errors import UnknownStateStoreException

            raise UnknownStateStoreException(f"Cannot get state store {params.store_name} because no such store is "
                                             "registered in the topology.")
        return CompositeReadOnlyStore(found, params.store_type)

    def metadata_for_local_threads(self) -> list[dict]:
        """``ThreadMetadata`` of each thread: name, state, active tasks with their partitions, client ids."""
        return [{"thread_name": t.name, "thread_state": t.state.value,
                 # "stream_time" is kafkalab's addition: the largest timestamp the task has processed.
                 "active_tasks": [{"task_id": str(tid), "topic_partitions": [f"{tp[0]}-{tp[1]}" for tp in task.partitions],
                                   "stream_time": task.stream_time}
                                  for tid, task in sorted(t.tasks.items())],
                 "consumer_client_id": t.name + "-consumer", "restore_consumer_client_id": t.name + "-restore-consumer",
                 "producer_client_ids": [t.name + "-producer"]} for t in self.threads]

    def metrics(self) -> dict:
        dropped, processed = self.closed_task_metrics
        for th in self.threads:
            for task in th.tasks.values():
                dropped += task.metrics.dropped_records
                processed += task.metrics.processed
        return {"dropped-records-total": dropped, "process-total": processed,
                "commit-total": sum(t.commits for t in self.threads)}

    def __repr__(self) -> str:
        return f"<KafkaStreams {self.client_id} {self._state.value} threads={len(self.threads)}>"


__all__ = ["CompositeReadOnlyStore", "KafkaStreams", "QueryableStoreTypes", "State", "StoreQueryParameters",
           "StreamThread", "ThreadState"]
