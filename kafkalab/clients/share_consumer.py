"""``ShareConsumer``: confluent-kafka's share consumer (KIP-932) over the simulated cluster, and Java's names.

confluent-kafka 2.16 (librdkafka 2.16, where the share consumer is still "Preview") has
``confluent_kafka.ShareConsumer``; this class mirrors it:

* ``subscribe(topics)`` / ``subscription()`` / ``unsubscribe()``; ``poll(timeout)`` returns a
  :class:`Messages` batch (empty when nothing came within ``timeout`` seconds of *virtual* time);
  polling before subscribing raises ``IllegalStateException("Consumer is not subscribed to any topics")``.
* ``share.acknowledgement.mode``: ``implicit`` (default) accepts every record of a poll at the next
  ``poll()`` or commit; ``explicit`` wants ``acknowledge(message, AcknowledgeType.X)`` (or
  ``acknowledge_offset(topic, partition, offset, type)``) for each record before the next poll.
* ``commit_sync(timeout)`` sends the pending acknowledgements in a ``ShareAcknowledge`` and returns
  ``{TopicPartition: None or KafkaException}``; ``commit_async()`` does not wait, and reports through
  ``set_acknowledgement_commit_callback(cb)`` (``cb(offsets, exception)``).  Otherwise acknowledgements
  ride on the next ``ShareFetch``.  ``close()`` commits them and leaves the group.
* ``Message.delivery_count()`` is 1 at the first delivery, 2 at the first redelivery, …

:class:`KafkaShareConsumer` is the same engine under the Java client's names (``poll(duration_ms)``,
``acknowledge(record, type)``, ``commitSync()``, ``commitAsync()``) and adds ``AcknowledgeType.RENEW``
(KIP-1222, Kafka 4.2), which librdkafka 2.16 does not have.

The lock duration and the delivery limit are group configs (``share.record.lock.duration.ms``,
``share.delivery.count.limit``), not client ones: set them with
``kafkalab.groups.share.share_coordinator_for(cluster).alter_group_config(group, {...})``.

Example::

    c = ShareConsumer({"bootstrap.servers": "kafka-1:9092", "group.id": "workers"})
    c.subscribe(["jobs"])
    for msg in c.poll(1.0):
        print(msg.offset(), msg.delivery_count())
    c.commit_sync()
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .. import config as kconfig
from ..cluster.metadata import NO_LEADER
from ..errors import ConfigException, Err, KafkaError, exception_for
from ..groups.share import AcknowledgeType, share_coordinator_for
from .common import TIMESTAMP_CREATE_TIME, Message, TopicPartition, timeout_ms
from .producer import _attach, _resolve_cluster, _servers


class IllegalStateException(RuntimeError):
    """confluent-kafka's ``IllegalStateException`` (a ``RuntimeError``)."""


#: Properties this share consumer takes, with librdkafka's defaults.
SHARE_CONSUMER_DEFAULTS: dict = {
    "bootstrap.servers": None,
    "group.id": None,
    "client.id": None,
    "share.acknowledgement.mode": "implicit",
    "max.poll.records": 500,
    "max.poll.interval.ms": 300000,
    "fetch.wait.max.ms": 500,
}
#: Simplification: the simulated share consumer waits this long between empty fetches (librdkafka
#: parks the ShareFetch at the broker for up to fetch.wait.max.ms instead).
_EMPTY_FETCH_BACKOFF_MS = 100


class ShareMessage(Message):
    """A ``Message`` with ``delivery_count()`` (confluent-kafka's share-consumer messages have it)."""

    __slots__ = ("_delivery_count",)

    def __init__(self, *args, delivery_count: int | None = None, **kw):
        super().__init__(*args, **kw)
        self._delivery_count = delivery_count

    def delivery_count(self):
        return self._delivery_count


class Messages(Sequence):
    """``confluent_kafka.Messages``: the read-only batch ``poll()`` returns."""

    def __init__(self, msgs: list):
        self._msgs = list(msgs)

    def __getitem__(self, i):
        return self._msgs[i]

    def __len__(self) -> int:
        return len(self._msgs)

    def __iter__(self) -> Iterator:
        return iter(self._msgs)

    def count(self, *args) -> int:  # confluent-kafka's count() is the number of messages
        return len(self._msgs) if not args else self._msgs.count(*args)

    def is_empty(self) -> bool:
        return not self._msgs

    def records(self) -> list:
        return list(self._msgs)

    def __repr__(self) -> str:
        return f"Messages({self._msgs!r})"


class ShareConsumer:
    """confluent-kafka ``ShareConsumer`` on the simulated cluster; ``cluster=`` picks it explicitly."""

    def __init__(self, conf: dict | None = None, cluster=None, **kwargs):
        conf = dict(conf or {})
        conf.update(kwargs)
        for k in conf:
            # Other librdkafka properties are accepted as librdkafka does (socket.timeout.ms, ...) and unused.
            if k not in SHARE_CONSUMER_DEFAULTS and kconfig.client_property(k) is None:
                raise ConfigException(KafkaError(Err._INVALID_ARG, f"No such configuration property: \"{k}\""))
        if not conf.get("group.id"):
            raise ValueError("Failed to create consumer: group.id must be set")
        cfg = dict(SHARE_CONSUMER_DEFAULTS)
        cfg.update(conf)
        mode = str(cfg["share.acknowledgement.mode"]).lower()
        if mode not in ("implicit", "explicit"):
            raise ConfigException(KafkaError(Err._INVALID_ARG, f"Invalid value \"{mode}\" for configuration "
                                                               f"property \"share.acknowledgement.mode\""))
        self.config = cfg
        self.explicit = mode == "explicit"
        self.cluster = _resolve_cluster(conf, cluster)
        self.sim = self.cluster.sim
        self.node = cfg["client.id"] or self.cluster.new_client_name("share-consumer")
        self.group_id = str(cfg["group.id"])
        self.max_records = int(cfg["max.poll.records"])
        self._svc = share_coordinator_for(self.cluster)
        self._subscription: list | None = None
        self.member_id = ""
        self.member_epoch = 0
        self.assignment: dict = {}
        self._hb_timer = None
        self._hb_interval = 5000
        self._last: list[ShareMessage] = []  # what the previous poll returned
        self._pending: dict = {}  # tp -> [(offset, type)] not yet sent
        self._acked: set = set()  # (tp, offset) acknowledged since the last poll
        self._buffer: list = []  # acquired records not yet returned (more than max.poll.records came)
        self._renewed: dict = {}  # (tp, offset) -> message whose lock was RENEWed, to be acknowledged later
        self._replies: list = []
        self._inflight = 0
        self._errors: list = []
        self._callback: Callable | None = None
        self._closed = False
        self._crashed = False
        self.cluster.clients.append(self)
        self.sim.trace.emit("client.create", node=self.node, role="share-consumer", group=self.group_id,
                            acknowledgement_mode=mode)
        _attach(self, _servers(conf), cluster is not None)

    # -- subscription and membership ---------------------------------------------------------------
    def subscribe(self, topics: list) -> None:
        self._check_open()
        topics = list(topics)
        if any(not t for t in topics) or len(set(topics)) != len(topics):
            raise ValueError("topics must be non-empty, distinct names")
        if not topics:
            self.unsubscribe()
            return
        self._subscription = topics
        self.sim.trace.emit("share.subscribe", node=self.node, group=self.group_id, topics=topics)
        if not self.member_id:
            u = self.sim.rng.getrandbits(128)
            self.member_id = f"{u:032x}"  # KIP-1082: the client makes its member id
        self._heartbeat()

    def subscription(self) -> list:
        self._check_open()
        return list(self._subscription or [])

    def unsubscribe(self) -> None:
        self._check_open()
        if self._subscription is not None:
            self._leave()
        self._subscription = None

    def _heartbeat(self, leave: bool = False) -> None:
        if self._crashed or (self._closed and not leave):
            return
        epoch = -1 if leave else self.member_epoch
        mid = self.member_id
        ok = self._svc.send_to_coordinator(self.node, "ShareGroupHeartbeat", self._svc.on_heartbeat,
                                           lambda r: self._on_heartbeat(mid, epoch, r), self.group_id, mid, epoch,
                                           self.node, self.node, list(self._subscription or []))
        if self._hb_timer is not None:
            self._hb_timer.cancel()
            self._hb_timer = None
        if not leave:
            self._hb_timer = self.sim.schedule(self._hb_interval if ok else 100, self._heartbeat, priority=4)

    def _on_heartbeat(self, mid: str, epoch: int, resp: dict) -> None:
        if self._crashed or epoch == -1 or mid != self.member_id:
            return
        err = resp["error"]
        if err == Err.UNSUPPORTED_VERSION:
            self._errors.append(KafkaError(err, "ShareGroupHeartbeat: the cluster does not have share groups "
                                                f"(share.version=0 on profile {self.cluster.profile}; KIP-932)"))
            if self._hb_timer is not None:
                self._hb_timer.cancel()
                self._hb_timer = None
            return
        if err == Err.UNKNOWN_MEMBER_ID:
            self.member_epoch = 0
            self.assignment = {}
            return
        if err != Err.NONE:
            self._errors.append(KafkaError(err, f"ShareGroupHeartbeat failed: {KafkaError(err).name()}"))
            return
        self.member_epoch = resp["member_epoch"]
        self._hb_interval = resp.get("heartbeat_interval_ms", self._hb_interval)
        if resp["assignment"] != self.assignment:
            self.assignment = resp["assignment"]
            self.sim.trace.emit("share.assignment", node=self.node, group=self.group_id, member=self.member_id,
                                member_epoch=self.member_epoch, assignment=self.assignment)

    def _leave(self) -> None:
        if self.member_id and self.member_epoch > 0:
            self._heartbeat(leave=True)
        if self._hb_timer is not None:
            self._hb_timer.cancel()
            self._hb_timer = None
        self.member_epoch = 0
        self.assignment = {}

    # -- acknowledging -----------------------------------------------------------------------------
    def acknowledge(self, message, ack_type=AcknowledgeType.ACCEPT) -> None:
        """Mark one polled message ACCEPT / RELEASE / REJECT (sent with the next poll or commit)."""
        if not isinstance(message, Message):
            raise TypeError("expected a Message")
        self.acknowledge_offset(message.topic(), message.partition(), message.offset(), ack_type)

    def acknowledge_offset(self, topic: str, partition: int, offset: int, ack_type=AcknowledgeType.ACCEPT) -> None:
        self._check_open()
        if not isinstance(ack_type, int):
            raise TypeError("ack_type must be an AcknowledgeType")
        kind = AcknowledgeType(int(ack_type))
        if kind is AcknowledgeType.RENEW and not self._allows_renew():
            raise ValueError("AcknowledgeType.RENEW is Java's (KIP-1222); librdkafka 2.16 has ACCEPT, RELEASE, REJECT")
        if not self.explicit:
            raise IllegalStateException("acknowledge() requires share.acknowledgement.mode=explicit")
        tp = (topic, int(partition))
        key = (tp, int(offset))
        held = [m for m in self._last if ((m.topic(), m.partition()), m.offset()) == key] or \
            ([self._renewed[key]] if key in self._renewed else [])
        if not held:
            raise IllegalStateException(f"{topic} [{partition}] offset {offset} was not returned by the last poll()")
        self._pending.setdefault(tp, []).append((int(offset), int(kind)))
        if kind is AcknowledgeType.RENEW:  # still being processed: acknowledge it later, after more polls
            self._renewed[key] = held[0]
        else:
            self._renewed.pop(key, None)
            self._acked.add(key)
        self.sim.trace.emit("share.acknowledge", node=self.node, group=self.group_id, topic=topic,
                            partition=int(partition), offset=int(offset), type=kind.name)

    def _allows_renew(self) -> bool:
        return False

    def _implicit_accept(self) -> None:
        if not self.explicit:
            for m in self._last:
                tp = (m.topic(), m.partition())
                self._pending.setdefault(tp, []).append((m.offset(), int(AcknowledgeType.ACCEPT)))
            if self._last:
                self.sim.trace.emit("share.acknowledge", node=self.node, group=self.group_id, implicit=True,
                                    records=len(self._last), type="ACCEPT")
            self._last = []

    def _take_pending(self) -> dict:
        pending, self._pending = self._pending, {}
        return {tp: sorted(acks) for tp, acks in sorted(pending.items())}

    def set_acknowledgement_commit_callback(self, callback: Callable | None) -> None:
        self._callback = callback

    def _report(self, acks: dict, results: dict) -> dict:
        out = {}
        for tp in sorted(acks):
            err = results.get(tp, Err.REQUEST_TIMED_OUT)
            exc = None if err == Err.NONE else exception_for(err, f"Acknowledging {tp[0]} [{tp[1]}] failed: "
                                                                  f"{KafkaError(err).name()}")
            out[TopicPartition(*tp)] = exc
            if self._callback is not None:
                self._callback({TopicPartition(*tp): {o for o, _ in acks[tp]}}, exc)
        return out

    def _send_acks(self, acks: dict, closing: bool = False) -> list:
        """One ShareAcknowledge per leader; returns a list that receives the merged results."""
        by_leader: dict = {}
        for tp, a in acks.items():
            by_leader.setdefault(self._leader(tp), {})[tp] = a
        box = [{}, len(by_leader)]
        for leader, part in sorted(by_leader.items()):
            if leader == NO_LEADER:
                box[0].update({tp: Err.NOT_LEADER_OR_FOLLOWER for tp in part})
                box[1] -= 1
                continue

            def done(resp, box=box):
                box[0].update(resp["partitions"])
                box[1] -= 1
            self._svc.send_to_leader(self.node, leader, "ShareAcknowledge", self._svc.on_share_acknowledge, done,
                                     self.group_id, self.member_id, part, closing)
        return box

    def commit_sync(self, timeout: float = 60) -> dict:
        """Send the pending acknowledgements and wait for the answers (virtual time)."""
        self._check_open()
        self._implicit_accept()
        acks = self._take_pending()
        if not acks:
            return {}
        box = self._send_acks(acks)
        ms = timeout_ms(timeout)
        self.sim.run(until_ms=self.sim.now + (2**62 if ms < 0 else ms), until=lambda: box[1] <= 0)
        return self._report(acks, box[0])

    def commit_async(self) -> None:
        self._check_open()
        self._implicit_accept()
        acks = self._take_pending()
        if acks:
            box = self._send_acks(acks)
            self.sim.schedule(0, self._watch_async, acks, box)

    def _watch_async(self, acks: dict, box: list) -> None:
        if box[1] <= 0:
            self._replies.append((acks, box[0]))
        elif not self._crashed:
            self.sim.schedule(1, self._watch_async, acks, box)

    # -- fetching ----------------------------------------------------------------------------------
    def _leader(self, tp: tuple) -> int:
        p = self.cluster.controller.image.partition(*tp)
        return NO_LEADER if p is None else p.leader

    def poll(self, timeout: float = -1) -> Messages:
        """The next batch of acquired records (``max.poll.records`` at most), waiting up to ``timeout`` s."""
        self._check_open()
        if self._subscription is None:
            raise IllegalStateException("Consumer is not subscribed to any topics")
        if self.explicit:
            missing = [m for m in self._last if ((m.topic(), m.partition()), m.offset()) not in self._acked
                       and ((m.topic(), m.partition()), m.offset()) not in self._renewed]
            if missing:
                # librdkafka 2.16's words
                raise IllegalStateException(f"{len(missing)} records from previous poll have not been acknowledged")
        self._implicit_accept()
        self._last, self._acked = [], set()
        ms = timeout_ms(timeout)
        deadline = self.sim.now + (2**62 if ms < 0 else ms)
        got: list = []
        while True:
            self._serve_callbacks()
            if self._errors:
                err = self._errors.pop(0)
                raise exception_for(err.code(), err.str())
            if self._buffer:  # acquired by an earlier fetch beyond max.poll.records: hand those out first
                got, self._buffer = self._buffer[: self.max_records], self._buffer[self.max_records:]
                acks = self._take_pending()
                if acks:  # no ShareFetch to carry them: the acknowledgements go in a ShareAcknowledge
                    self.sim.schedule(0, self._watch_async, acks, self._send_acks(acks))
                break
            got = self._fetch_once()
            got, self._buffer = got[: self.max_records], got[self.max_records:]
            if got or self.sim.now >= deadline:
                break
            self.sim.run(until_ms=min(deadline, self.sim.now + _EMPTY_FETCH_BACKOFF_MS))
        self._last = got
        if got:
            self.sim.trace.emit("share.poll", node=self.node, group=self.group_id, member=self.member_id,
                                records=[f"{m.topic()}-{m.partition()}@{m.offset()}" for m in got],
                                delivery_counts=[m.delivery_count() for m in got])
        return Messages(got)

    def _fetch_once(self) -> list:
        acks = self._take_pending()
        parts = [(t, p) for t in sorted(self.assignment) for p in self.assignment[t]]
        if not self.member_epoch or not (parts or acks):
            self.sim.run_for(1, until=lambda: bool(self.member_epoch and self.assignment))
            if acks:
                self._pending = {**acks, **self._pending}
            return []
        by_leader: dict = {}
        for tp in parts:
            by_leader.setdefault(self._leader(tp), ([], {}))[0].append(tp)
        for tp, a in acks.items():
            by_leader.setdefault(self._leader(tp), ([], {}))[1][tp] = a
        replies: list = []
        n = 0
        for leader, (tps, part_acks) in sorted(by_leader.items()):
            if leader == NO_LEADER:
                continue
            n += 1
            self._svc.send_to_leader(self.node, leader, "ShareFetch", self._svc.on_share_fetch, replies.append,
                                     self.group_id, self.member_id, tps, part_acks, self.max_records)
        self.sim.run(until_ms=self.sim.now + 30000, until=lambda: len(replies) >= n)
        msgs = []
        results = {}
        for resp in replies:
            if resp["error"] == Err.UNKNOWN_MEMBER_ID:
                self.member_epoch = 0
                continue
            for tp, r in sorted(resp["partitions"].items()):
                if tp in acks:
                    results[tp] = r["ack_error"]
                for off, rec, dc in r["records"]:
                    msgs.append(ShareMessage(tp[0], tp[1], off, rec[0], rec[1], rec[3], (TIMESTAMP_CREATE_TIME, rec[2]),
                                             delivery_count=dc))
        if acks:
            self._replies.append((acks, results))
        return msgs

    def _serve_callbacks(self) -> None:
        while self._replies:
            acks, results = self._replies.pop(0)
            self._report(acks, results)

    # -- the end -----------------------------------------------------------------------------------
    def close(self) -> None:
        """Commit pending acknowledgements, give back what is still acquired, leave the group."""
        if self._closed:
            return
        self._implicit_accept()
        acks = self._take_pending()
        leaders = {self._leader((t, p)) for t in self.assignment for p in self.assignment[t]}
        box = self._send_acks(acks, closing=True) if acks else [{}, 0]
        for leader in sorted(leaders - {self._leader(tp) for tp in acks} - {NO_LEADER}):
            box[1] += 1

            def done(resp, box=box):
                box[1] -= 1
            self._svc.send_to_leader(self.node, leader, "ShareAcknowledge", self._svc.on_share_acknowledge, done,
                                     self.group_id, self.member_id, {}, True)
        self.sim.run(until_ms=self.sim.now + 30000, until=lambda: box[1] <= 0)
        if acks:
            self._report(acks, box[0])
        self._leave()
        self.sim.run_for(5)
        self._closed = True
        self.sim.trace.emit("share.close", node=self.node, group=self.group_id, member=self.member_id)

    def crash(self) -> None:
        """The process dies: no acknowledgements, no leave; its records stay locked until the locks expire."""
        self._crashed = self._closed = True
        if self._hb_timer is not None:
            self._hb_timer.cancel()
        held = [f"{m.topic()}-{m.partition()}@{m.offset()}" for m in self._last]
        self.sim.trace.emit("share.crash", node=self.node, group=self.group_id, member=self.member_id, holding=held)
        self.sim.network.set_down(self.node, True)

    def _check_open(self) -> None:
        if self._closed:
            raise IllegalStateException("Share consumer closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ShareConsumer {self.node} group={self.group_id} member_epoch={self.member_epoch}>"


class KafkaShareConsumer(ShareConsumer):
    """The Java client's ``KafkaShareConsumer`` names over the same engine, with ``AcknowledgeType.RENEW``
    (KIP-1222, on clusters whose profile has it).  Properties use the same keys; ``poll`` takes a
    duration in milliseconds, as ``poll(Duration.ofMillis(...))`` does."""

    def poll(self, timeout_ms_: int = 100) -> Messages:
        return super().poll(timeout_ms_ / 1000)

    def _allows_renew(self) -> bool:
        return self._svc.renew_allowed()

    def acknowledge(self, record, type=AcknowledgeType.ACCEPT) -> None:
        super().acknowledge(record, type)

    def commitSync(self) -> dict:
        return self.commit_sync()

    def commitAsync(self) -> None:
        self.commit_async()


__all__ = ["SHARE_CONSUMER_DEFAULTS", "AcknowledgeType", "IllegalStateException", "KafkaShareConsumer", "Messages",
           "ShareConsumer", "ShareMessage"]
