"""The consumer's side of group membership (librdkafka's ``rdkafka_cgrp.c``), mixed into ``Consumer``.

Kafka/librdkafka behaviour modelled:

* Classic protocol: FindCoordinator → JoinGroup (a new member gets ``MEMBER_ID_REQUIRED`` and its
  id, then joins again) → the leader runs the assignor named by the group's protocol (the first of
  ``partition.assignment.strategy`` that all members support) → SyncGroup → heartbeats every
  ``heartbeat.interval.ms``.  A heartbeat answered ``REBALANCE_IN_PROGRESS`` means rejoin.
* **Eager** assignors (range, roundrobin, sticky): before rejoining, the consumer revokes
  *everything* (``on_revoke`` with all partitions, from inside ``poll()``; auto-commit commits
  first), so every partition of the group stops until SyncGroup.  If the application is not
  polling, the rejoin waits for it — up to the rebalance timeout (``max.poll.interval.ms``).
* **Cooperative** (``cooperative-sticky``, KIP-429): the consumer rejoins keeping its partitions;
  after SyncGroup it revokes only what it lost (``on_revoke``), is given only what is free
  (``on_assign`` / ``incremental_assign``), and rejoins at once if it revoked anything, so a
  follow-up rebalance hands the revoked partitions to their new owners.
* **KIP-848** (``group.protocol=consumer``): ``ConsumerGroupHeartbeat`` every interval the broker
  asks for (5 s); the response carries the member's target assignment; the consumer revokes what
  is gone, acknowledges at once, and takes new partitions as the coordinator releases them.
* ``UNKNOWN_MEMBER_ID`` / ``ILLEGAL_GENERATION`` / ``FENCED_MEMBER_EPOCH`` from a heartbeat mean the
  assignment is *lost*: ``on_lost`` (or ``on_revoke`` if no ``on_lost`` was given) fires in the next
  ``poll()``, then the consumer rejoins.
* ``max.poll.interval.ms``: if the application does not call ``poll()`` for that long, the
  consumer leaves the group (LeaveGroup), its assignment is lost, and the next ``poll()`` returns
  an error event ``_MAX_POLL_EXCEEDED`` ("Application maximum poll interval (300000ms) exceeded by
  N ms"); a commit in between fails with ``UNKNOWN_MEMBER_ID``.
* **Coordinator failover** (rd_kafka_cgrp_coord_dead / _coord_query): a reset connection
  (``_TRANSPORT``), ``NOT_COORDINATOR``, ``COORDINATOR_NOT_AVAILABLE`` or a refused connection
  marks the coordinator dead (``consumer.coordinator_lost``) and FindCoordinator is asked again;
  the member keeps its id, generation and assignment and heartbeats to the new coordinator.  A
  JoinGroup/SyncGroup cut off is sent again; an OffsetCommit waits for the new coordinator (once
  more after a coordinator error), up to ``session.timeout.ms``, then fails ``_WAIT_COORD``.  No
  successful heartbeat for ``session.timeout.ms`` (classic): the assignment is lost and the consumer
  rejoins ("Consumer group session timed out ...", ``consumer.session_timeout``).
"""
from __future__ import annotations

from collections import deque

from ..errors import Err, KafkaError, KafkaException, exception_for, spec
from .assignors import assign
from .coordinator import coordinator_for

_COOPERATIVE = {"cooperative-sticky"}
_LOST_ERRORS = {Err.UNKNOWN_MEMBER_ID, Err.ILLEGAL_GENERATION, Err.FENCED_MEMBER_EPOCH}
# librdkafka (rd_kafka_cgrp_handle_Heartbeat / _ConsumerGroupHeartbeat / _op_handle_OffsetCommit): these
# mean "the coordinator is gone or moved": mark it dead, query FindCoordinator again, keep the membership.
_COORD_ERRORS = {Err.NOT_COORDINATOR, Err.COORDINATOR_NOT_AVAILABLE, Err.COORDINATOR_LOAD_IN_PROGRESS, Err._TRANSPORT}


def _tps(assignment: dict) -> list:
    from ..clients.common import TopicPartition

    return [TopicPartition(t, p) for t in sorted(assignment) for p in sorted(assignment[t])]


def _as_dict(keys) -> dict:
    out: dict = {}
    for t, p in sorted(keys):
        out.setdefault(t, []).append(p)
    return out


class GroupMember:
    """Mixin: ``subscribe``/``unsubscribe``, the join/sync/heartbeat state machine, rebalance events."""

    def _init_group(self, cfg) -> None:
        self.group_protocol = str(cfg.get("group.protocol", "classic"))
        self.strategies = [s.strip() for s in str(cfg.get("partition.assignment.strategy") or "range,roundrobin")
                           .split(",") if s.strip()]
        self.cooperative = self.group_protocol == "consumer" or self.strategies[0] in _COOPERATIVE
        self.instance_id = cfg.get("group.instance.id") or None
        self.session_timeout_ms = int(cfg.get("session.timeout.ms", 45000))
        self.heartbeat_interval_ms = int(cfg.get("heartbeat.interval.ms", 3000))
        self.max_poll_interval_ms = int(cfg.get("max.poll.interval.ms", 300000))
        self.remote_assignor = cfg.get("group.remote.assignor") or None
        self.enable_auto_commit = bool(cfg.get("enable.auto.commit", True))
        self.auto_commit_interval_ms = int(cfg.get("auto.commit.interval.ms", 5000))
        self.auto_offset_store = bool(cfg.get("enable.auto.offset.store", True))
        self.member_id = ""
        self.generation_id = -1
        self.group_state = "init"  # init, joining, syncing, steady, wait-revoke, left
        self._subscription: list | None = None
        self._listeners: dict = {}
        self._events: deque = deque()
        self._coordinator: int = -1
        self._watched_coordinators: set = set()
        self._blocking: tuple | None = None  # (broker, token, on_lost) of the JoinGroup/SyncGroup awaiting an answer
        self._inflight: dict = {}  # request id -> (broker, on_lost) of OffsetCommit/OffsetFetch awaiting an answer
        self._req_seq = 0
        self.retry_backoff_ms = int(cfg.get("retry.backoff.ms", 100))
        self._last_hb_ok_ms = self.sim.now  # librdkafka's rkcg_ts_session_timeout
        self._hb_timer = None
        self._join_seq = 0
        self._stored: dict = {}  # tp -> offset to commit (librdkafka's offset store)
        self._committed_cache: dict = {}
        self._poll_timer = None
        self._poll_due = None  # (time, seq) the pending poll timer moves to when it comes due
        self._last_poll_ms = self.sim.now
        self._auto_commit_timer = None
        self._crashed = False
        self._assign_called = False
        self.group_assignment: dict = {}  # what the group gave us (topic -> partitions)
        self.sim.network.set_down(self.node, False)  # a restarted process may reuse a crashed one's client.id
        if self.enable_auto_commit and self.group_id:
            self._auto_commit_timer = self.sim.every(self.auto_commit_interval_ms, self._auto_commit_tick, priority=6)

    # -- public API ---------------------------------------------------------------------------
    def subscribe(self, topics: list, on_assign=None, on_revoke=None, on_lost=None) -> None:
        """Join the consumer group and let it assign partitions of ``topics`` (confluent-kafka API).

        As confluent-kafka: ``topics`` must be a list of names (``TypeError`` otherwise); an empty
        list, an empty name or the same name twice is ``_INVALID_ARG``; callbacks must be callable.
        A topic that does not exist is no error here: ``poll()`` reports UNKNOWN_TOPIC_OR_PART.
        """
        self._check_open()
        if not isinstance(topics, list):
            raise TypeError("expected list of topic unicode strings")
        for name, cb in (("on_assign", on_assign), ("on_revoke", on_revoke), ("on_lost", on_lost)):
            if cb is not None and not callable(cb):
                raise TypeError(f"{name} expects a callable")
        names = [str(t) for t in topics]
        if not names or "" in names or len(set(names)) != len(names):
            raise KafkaException(KafkaError(Err._INVALID_ARG, "Failed to set subscription: Local: Invalid argument "
                                                              "or configuration"))
        self._subscription = names
        topics = names
        self._listeners = {"on_assign": on_assign, "on_revoke": on_revoke, "on_lost": on_lost}
        self.sim.trace.emit("consumer.subscribe", node=self.node, group=self.group_id, topics=list(topics),
                            protocol=self.group_protocol, strategy=self.strategies if self.group_protocol == "classic"
                            else (self.remote_assignor or "uniform"))
        image = self.cluster.controller.image
        for t in names:
            if not t.startswith("^") and t not in image.topics:
                # rd_kafka_cgrp_metadata_update_check: a subscribed topic missing from the metadata
                self._events.append(("error", KafkaError(
                    Err.UNKNOWN_TOPIC_OR_PARTITION, f"Subscribed topic not available: {t}: Broker: Unknown topic "
                                                    f"or partition")))
        # The first FindCoordinator creates __consumer_offsets; if it cannot yet (brokers down), the
        # consumer keeps looking for its coordinator: subscribe() itself never fails for that.
        coordinator_for(self.cluster).try_offsets_topic(settle=True)
        self._arm_poll_timer()
        if self.group_state in ("init", "left"):
            self._start_join("subscribe")
        else:
            self._need_rejoin("subscription changed")

    def unsubscribe(self) -> None:
        """Revoke the assignment (``on_revoke``; auto-commit commits first) and leave the group."""
        self._check_open()
        self._serve_events()
        parts = _tps(_as_dict(self._assignment))
        if parts and self._subscription is not None:
            self._revoke(parts, eager=True)
        self.group_assignment = {}
        self._leave_group("unsubscribe")
        self._subscription = None
        if self._poll_timer is not None:
            self._poll_timer.cancel()
            self._poll_timer = None

    def store_offsets(self, message=None, offsets=None) -> None:
        """Store offsets for the next (auto) commit: ``message.offset() + 1`` or explicit offsets.

        As librdkafka: only with ``enable.auto.offset.store=false`` (else ``_INVALID_ARG``), only
        for assigned partitions (``_STATE``; an unknown topic is ``_UNKNOWN_PARTITION``).
        """
        from ..clients.common import Message, check_partition_list

        self._check_open()
        if message is None and offsets is None:
            raise ValueError("expected either message or offsets")
        if message is not None and offsets is not None:
            raise ValueError("message and offsets are mutually exclusive")
        if offsets is not None:
            items = [((tp.topic, tp.partition), tp.offset) for tp in check_partition_list(offsets)]
        elif not isinstance(message, Message):
            raise TypeError("expected confluent_kafka.cimpl.Message")
        else:
            items = [((message.topic(), message.partition()), message.offset() + 1)]
        if self.auto_offset_store:
            raise KafkaException(KafkaError(Err._INVALID_ARG, "StoreOffsets failed: Local: Invalid argument or "
                                                              "configuration (set enable.auto.offset.store=false to "
                                                              "store offsets yourself)"))
        image = self.cluster.controller.image
        for key, _ in items:
            if key[0] not in image.topics:
                raise KafkaException(KafkaError(Err._UNKNOWN_PARTITION, "StoreOffsets failed: Local: Unknown "
                                                                        "partition"))
            if key not in self._assignment:
                raise KafkaException(KafkaError(Err._STATE, f"StoreOffsets failed: Local: Erroneous state "
                                                            f"({key[0]} [{key[1]}] is not assigned)"))
        for key, off in items:
            self._stored[key] = off

    def crash(self) -> None:
        """The process dies: no LeaveGroup, no commit, nothing more sent; the coordinator waits for
        ``session.timeout.ms`` (static members: until it expires too)."""
        self._crashed = True
        self._closed = True
        for t in (self._hb_timer, self._poll_timer, self._auto_commit_timer):
            if t is not None:
                t.cancel()
        self.sim.trace.emit("consumer.crash", node=self.node, group=self.group_id, member=self.member_id,
                            partitions=[f"{t}-{p}" for t, p in sorted(self._assignment)])
        self.sim.network.set_down(self.node, True)

    def memberid(self) -> str | None:
        self._check_open()
        return self.member_id or None

    # -- coordinator plumbing -------------------------------------------------------------------
    def _svc(self):
        return coordinator_for(self.cluster)

    def _send(self, api: str, handler, reply, *args, on_lost=None, timeout_ms: int = 0, skip: bool = False,
              deadline_ms: int | None = None) -> None:
        """Send ``api`` to the group coordinator, finding it first.

        ``on_lost(err)`` marks a blocking request (JoinGroup, SyncGroup): it is called with ``_TRANSPORT``
        if the coordinator's connection is reset while the answer is awaited (its broker died), or with
        ``_TIMED_OUT`` after ``timeout_ms`` — librdkafka's request timeouts, rd_kafka_JoinGroupRequest
        (``max.poll.interval.ms`` + 3 s) and rd_kafka_SyncGroupRequest (``session.timeout.ms`` + 3 s).

        ``skip`` (heartbeats): with no usable coordinator nothing is sent (librdkafka heartbeats only in
        state "up"); the coordinator is looked up again.  ``deadline_ms`` (OffsetCommit/OffsetFetch): the
        request waits for a usable coordinator until then (rd_kafka_cgrp_defer_offset_commit), then
        ``reply`` gets ``_WAIT_COORD``; once sent, a connection reset answers it ``_TRANSPORT``.
        """
        # Simplification: FindCoordinator is answered from the controller's metadata at once (no
        # round trip), retried every retry.backoff.ms (librdkafka: every 500 ms in query-coord, 1 s in
        # wait-broker-transport); the request itself then travels the simulated network.  An OffsetCommit
        # lost silently (a network partition, not a crash) has no request timeout: a synchronous commit
        # gives up after 2 x session.timeout.ms + 30 s of virtual time with _TIMED_OUT.
        svc = self._svc()
        if self._coordinator < 0 or not self.cluster.brokers[self._coordinator].alive:
            if svc.try_offsets_topic():
                self._coordinator = svc.coordinator_broker(self.group_id)
            else:
                self._coordinator = -1
        # COORDINATOR_NOT_AVAILABLE: look again after retry.backoff.ms. A blocking request also waits while
        # the coordinator found is a dead broker (its connection is refused) until the metadata moves on.
        dead = self._coordinator >= 0 and not self.cluster.brokers[self._coordinator].alive
        if dead and (skip or deadline_ms is not None):
            # The metadata still names the crashed broker (until the controller fences it): its
            # connection is refused, so the request is not sent to it.
            self._coordinator_dead(api, Err._TRANSPORT)
        if skip and self._coordinator < 0:
            return
        if deadline_ms is not None and self._coordinator < 0:
            if self.sim.now >= deadline_ms:
                reply({"error": Err._WAIT_COORD, "offsets": {}})
                return
            self.sim.schedule(self.retry_backoff_ms, lambda: self._alive() and self._send(
                api, handler, reply, *args, deadline_ms=deadline_ms))
            return
        if self._coordinator < 0 or (on_lost is not None and not self.cluster.brokers[self._coordinator].alive):
            self.sim.schedule(100, lambda: self._send(api, handler, reply, *args, on_lost=on_lost,
                                                      timeout_ms=timeout_ms))
            return
        if deadline_ms is not None:
            broker = self._coordinator
            self._req_seq += 1
            rid = self._req_seq
            self._inflight[rid] = (broker, lambda err: reply({"error": err, "offsets": {}}))
            self._watch(broker)
            inner = reply

            def reply(resp, rid=rid):
                if self._inflight.pop(rid, None) is not None:
                    inner(resp)
        if on_lost is not None:
            broker = self._coordinator
            token = object()
            self._blocking = (broker, token, on_lost)
            self._watch(broker)
            self.sim.schedule(timeout_ms, self._blocking_timeout, token)
        svc.request(self.node, self._coordinator, api, handler, reply, *args)

    def _watch(self, broker: int) -> None:
        if broker not in self._watched_coordinators:
            self._watched_coordinators.add(broker)
            node = self.cluster.brokers[broker].node
            self.sim.network.watch(node, lambda _node, b=broker: self._coordinator_reset(b))

    def _coordinator_dead(self, api: str, err: int) -> None:
        """``rd_kafka_cgrp_coord_dead``: forget the coordinator; the next request asks FindCoordinator."""
        if self._coordinator < 0:
            return
        from ..errors import spec

        self.sim.trace.emit("consumer.coordinator_lost", node=self.node, group=self.group_id, member=self.member_id,
                            api=api, error=spec(err).name, coordinator=self._coordinator)
        self._coordinator = -1

    def _coordinator_reset(self, broker: int) -> None:
        """The coordinator's broker died: the request awaiting its answer fails with a transport error."""
        if not self._alive():
            return
        for rid in sorted(r for r, (b, _cb) in self._inflight.items() if b == broker):
            self._inflight.pop(rid)[1](Err._TRANSPORT)
        if self._blocking is not None and self._blocking[0] == broker:
            on_lost = self._blocking[2]
            self._blocking = None
            on_lost(Err._TRANSPORT)

    def _blocking_timeout(self, token) -> None:
        if self._blocking is not None and self._blocking[1] is token:
            on_lost = self._blocking[2]
            self._blocking = None
            on_lost(Err._TIMED_OUT)

    def _blocking_lost(self, api: str, still_waiting: bool, err) -> None:
        """rd_kafka_cgrp_handle_JoinGroup/SyncGroup on a transport error or timeout: the coordinator is
        marked dead, looked up again, and the member joins again (keeping its member id)."""
        if not self._alive() or not still_waiting:
            return
        from ..errors import spec

        name = spec(err).name  # librdkafka's local errors have no Java name
        self.sim.trace.emit("consumer.coordinator_lost", node=self.node, group=self.group_id, member=self.member_id,
                            api=api, error=name, coordinator=self._coordinator)
        self._coordinator = -1
        self.sim.schedule(100, self._start_join, f"{api}: {name}")

    def _alive(self) -> bool:
        return not self._closed and not self._crashed

    # -- joining (classic) ------------------------------------------------------------------
    def _start_join(self, reason: str) -> None:
        if not self._alive() or self._subscription is None:
            return
        if self.group_protocol == "consumer":
            self.group_state = "joining"
            self._cg_heartbeat(join=True)
            return
        self.group_state = "joining"
        self._join_seq += 1
        seq = self._join_seq
        owned = self.group_assignment if self.cooperative else {}
        meta = {"topics": list(self._subscription), "owned": {t: list(ps) for t, ps in owned.items()},
                "generation": self.generation_id}
        protocols = [(name, meta) for name in self.strategies]
        self.sim.trace.emit("consumer.join_group", node=self.node, group=self.group_id, member=self.member_id,
                            reason=reason, owned=meta["owned"])
        self._send("JoinGroup", self._svc().on_join_group, lambda r: self._on_join(seq, r), self.group_id,
                   self.member_id, self.instance_id, self.node, self.node, protocols, self.session_timeout_ms,
                   self.max_poll_interval_ms, timeout_ms=self.max_poll_interval_ms + 3000,
                   on_lost=lambda err: self._blocking_lost(
                       "JoinGroup", seq == self._join_seq and self.group_state == "joining", err))

    def _on_join(self, seq: int, resp: dict) -> None:
        if not self._alive() or seq != self._join_seq or self.group_state != "joining":
            return
        err = resp["error"]
        if err == Err.MEMBER_ID_REQUIRED:
            self.member_id = resp["member_id"]
            self._start_join("MEMBER_ID_REQUIRED")
            return
        if err == Err.UNKNOWN_MEMBER_ID:
            self.member_id = ""
            self._lose("JoinGroup: UNKNOWN_MEMBER_ID")
            self._start_join("UNKNOWN_MEMBER_ID")
            return
        if err in _COORD_ERRORS:
            self._coordinator_dead("JoinGroup", err)
            self.sim.schedule(self.retry_backoff_ms, self._start_join, _nm(err))
            return
        if err != Err.NONE:
            self._fatal(err, "JoinGroup failed")
            return
        self.member_id = resp["member_id"]
        self.generation_id = resp["generation"]
        self.group_state = "syncing"
        assignments = None
        if resp["leader"] == self.member_id and resp["members"]:
            assignments = self._run_assignor(resp["protocol"], resp["members"])
        self.sim.trace.emit("consumer.joined", node=self.node, group=self.group_id, member=self.member_id,
                            generation=self.generation_id, leader=resp["leader"] == self.member_id,
                            protocol=resp["protocol"])
        gen = self.generation_id
        self._send("SyncGroup", self._svc().on_sync_group, lambda r: self._on_sync(gen, r), self.group_id,
                   self.member_id, gen, self.instance_id, assignments, timeout_ms=self.session_timeout_ms + 3000,
                   on_lost=lambda err: self._blocking_lost(
                       "SyncGroup", gen == self.generation_id and self.group_state == "syncing", err))
        self._arm_heartbeat()

    def _run_assignor(self, protocol: str, members: dict) -> dict:
        image = self.cluster.controller.image
        topics = {}
        for meta in members.values():
            for t in meta["topics"]:
                if t in image.topics:
                    topics[t] = len(image.topics[t].partitions)
        result = assign(protocol, topics, members)
        self.sim.trace.emit("consumer.assignor", node=self.node, group=self.group_id, assignor=protocol,
                            generation=self.generation_id, members=sorted(members), assignment=result)
        return result

    def _on_sync(self, gen: int, resp: dict) -> None:
        if not self._alive() or self.group_state != "syncing" or gen != self.generation_id:
            return
        err = resp["error"]
        if err == Err.REBALANCE_IN_PROGRESS:
            self._need_rejoin("SyncGroup: REBALANCE_IN_PROGRESS")
            return
        if err in _COORD_ERRORS:
            # rd_kafka_cgrp_handle_SyncGroup_memberstate: "synchronization failed: ...: rejoining".
            self._coordinator_dead("SyncGroup", err)
            self.sim.schedule(self.retry_backoff_ms, self._start_join, f"SyncGroup: {_nm(err)}")
            return
        if err in _LOST_ERRORS:
            if err == Err.UNKNOWN_MEMBER_ID:
                self.member_id = ""
            self._lose(f"SyncGroup: {_nm(err)}")
            self._start_join(_nm(err))
            return
        if err != Err.NONE:
            self._fatal(err, "SyncGroup failed")
            return
        self.group_state = "steady"
        self._last_hb_ok_ms = self.sim.now
        self._events.append(("assignment", resp["assignment"], gen))

    # -- heartbeats -----------------------------------------------------------------------------
    def _arm_heartbeat(self) -> None:
        if self._hb_timer is None and self.group_protocol == "classic":
            self._hb_timer = self.sim.every(self.heartbeat_interval_ms, self._hb_tick, priority=4)

    def _hb_tick(self) -> None:
        if not self._alive() or not self.member_id or self.group_state not in ("steady", "syncing", "wait-revoke"):
            return
        if self.group_state == "steady" and self.sim.now - self._last_hb_ok_ms >= self.session_timeout_ms:
            self._client_session_timeout()
            return
        gen, mid = self.generation_id, self.member_id
        self._send("Heartbeat", self._svc().on_heartbeat, lambda r: self._on_heartbeat(gen, mid, r), self.group_id,
                   mid, gen, self.instance_id, skip=True)

    def _client_session_timeout(self) -> None:
        """``rd_kafka_cgrp_session_timeout_check``: no successful heartbeat for ``session.timeout.ms``
        (the coordinator stayed unreachable): the coordinator has surely evicted the member, so the
        assignment is lost (``on_lost``) and the consumer rejoins with a new member id."""
        elapsed, broker = self.sim.now - self._last_hb_ok_ms, self._coordinator
        self.sim.trace.emit("consumer.session_timeout", node=self.node, group=self.group_id, member=self.member_id,
                            session_timeout_ms=self.session_timeout_ms, elapsed_ms=elapsed, coordinator=broker)
        self.member_id, self.generation_id = "", -1
        self._lose(f"Consumer group session timed out (in join-state steady) after {elapsed} ms without a successful "
                   f"response from the group coordinator (broker {broker}): revoking assignment and rejoining group")
        self._last_hb_ok_ms = self.sim.now
        self._start_join("session timeout")

    def _on_heartbeat(self, gen: int, mid: str, resp: dict) -> None:
        if not self._alive() or gen != self.generation_id or mid != self.member_id:
            return
        err = resp["error"]
        if err == Err.NONE:
            self._last_hb_ok_ms = self.sim.now
            return
        self.sim.trace.emit("consumer.heartbeat_error", node=self.node, group=self.group_id, member=mid,
                            generation=gen, error=_nm(err))
        if err == Err.REBALANCE_IN_PROGRESS:
            if self.group_state == "steady":
                self._need_rejoin("Heartbeat: REBALANCE_IN_PROGRESS")
        elif err in _LOST_ERRORS:
            if err == Err.UNKNOWN_MEMBER_ID:
                self.member_id = ""
            self.generation_id = -1
            self._lose(f"Heartbeat: {_nm(err)}")
            self._start_join(_nm(err))
        elif err in _COORD_ERRORS:
            # "Heartbeat failed due to coordinator (...) no longer available: re-querying for coordinator":
            # the member keeps its id, generation and assignment.
            self._coordinator_dead("Heartbeat", err)
        elif err == Err.FENCED_INSTANCE_ID:
            self._fatal(err, "Heartbeat: another consumer with the same group.instance.id joined")

    def _need_rejoin(self, reason: str) -> None:
        if self.group_protocol == "consumer":
            self._cg_heartbeat()
            return
        if self.cooperative or not self._assignment and not self.group_assignment:
            self._start_join(reason)
            return
        # Eager: revoke everything in the application's next poll(), then rejoin.
        self.group_state = "wait-revoke"
        self._events.append(("eager_revoke", reason))

    # -- KIP-848 ----------------------------------------------------------------------------
    def _cg_heartbeat(self, join: bool = False, leave: bool = False) -> None:
        if not leave and not self._alive():
            return
        if join and not self.member_id:
            u = self.sim.rng.getrandbits(128)
            # KIP-1082: the client makes its member id (a Uuid).
            # Simplification: printed as 32 hex digits, not Kafka's 22-character base64 Uuid string.
            self.member_id = f"{u:032x}"
            self.generation_id = 0
        epoch = -1 if leave else self.generation_id
        owned = {t: list(ps) for t, ps in self.group_assignment.items()}
        mid = self.member_id
        self._send("ConsumerGroupHeartbeat", self._svc().on_consumer_heartbeat,
                   lambda r: self._on_cg_heartbeat(mid, epoch, r), self.group_id, mid, epoch, self.instance_id,
                   self.node, self.node, list(self._subscription or []), owned, self.remote_assignor,
                   self.max_poll_interval_ms, skip=not leave)
        if self._coordinator < 0 and not leave and self._alive():
            # no coordinator yet: heartbeat again after the backoff (librdkafka expedites the heartbeat
            # as soon as the coordinator is found: "Expediting next heartbeat: coordinator changed")
            if self._hb_timer is not None:
                self._hb_timer.cancel()
            self._hb_timer = self.sim.schedule(self.retry_backoff_ms, self._cg_heartbeat, join, priority=4)
            return
        if self._hb_timer is not None:
            self._hb_timer.cancel()
            self._hb_timer = None
        if not leave:
            self._hb_timer = self.sim.schedule(5000, self._cg_heartbeat, priority=4)

    def _on_cg_heartbeat(self, mid: str, epoch: int, resp: dict) -> None:
        if not self._alive() or epoch == -1 or mid != self.member_id:
            return
        err = resp["error"]
        if err in _LOST_ERRORS:
            self.sim.trace.emit("consumer.heartbeat_error", node=self.node, group=self.group_id, member=mid,
                                generation=epoch, error=_nm(err))
            self.member_id, self.generation_id = "", 0
            self._lose(f"ConsumerGroupHeartbeat: {_nm(err)}")
            self._cg_heartbeat(join=True)
            return
        if err == Err.UNSUPPORTED_VERSION:
            self.sim.trace.emit("consumer.heartbeat_error", node=self.node, group=self.group_id, member=mid,
                                generation=epoch, error=_nm(err))
            self._fatal(err, "ConsumerGroupHeartbeat: the broker does not support group.protocol=consumer (KIP-848)")
            if self._hb_timer is not None:
                self._hb_timer.cancel()
                self._hb_timer = None
            return
        if err in _COORD_ERRORS:
            # rd_kafka_cgrp_handle_ConsumerGroupHeartbeat: re-query the coordinator and heartbeat again with
            # the same member id and epoch.
            self.sim.trace.emit("consumer.heartbeat_error", node=self.node, group=self.group_id, member=mid,
                                generation=epoch, error=_nm(err))
            self._coordinator_dead("ConsumerGroupHeartbeat", err)
            if self._hb_timer is not None:
                self._hb_timer.cancel()
            self._hb_timer = self.sim.schedule(self.retry_backoff_ms, self._cg_heartbeat, priority=4)
            return
        if err != Err.NONE:
            return
        self.generation_id = resp["member_epoch"]
        if self.group_state != "left":
            self.group_state = "steady"
        new = resp.get("assignment")
        if new is not None and new != self._pending_target():
            self._events.append(("assignment", new, self.generation_id))

    def _pending_target(self) -> dict:
        for ev in reversed(self._events):
            if ev[0] == "assignment":
                return ev[1]
        return self.group_assignment

    # -- leaving, losing ------------------------------------------------------------------------
    def _leave_group(self, reason: str) -> None:
        if self.group_state in ("init", "left") or not self.member_id:
            self.group_state = "left"
            return
        self.sim.trace.emit("consumer.leave_group", node=self.node, group=self.group_id, member=self.member_id,
                            reason=reason)
        if self.group_protocol == "consumer":
            self._cg_heartbeat(leave=True)
        elif self.instance_id is None:  # static members do not send LeaveGroup on close (KIP-345)
            self._send("LeaveGroup", self._svc().on_leave_group, lambda r: None, self.group_id, self.member_id)
        self.group_state = "left"
        if self._hb_timer is not None:
            self._hb_timer.cancel()
            self._hb_timer = None
        if self.instance_id is None:
            self.member_id = ""
        self.generation_id = -1 if self.group_protocol == "classic" else 0

    def _lose(self, reason: str) -> None:
        if self.group_assignment or self._assignment:
            self._events.append(("lost", reason))

    def _fatal(self, err: int, what: str) -> None:
        self._events.append(("error", KafkaError(err, f"{what}: {_nm(err)}", fatal=err == Err.FENCED_INSTANCE_ID)))

    # -- max.poll.interval.ms ---------------------------------------------------------------
    def _arm_poll_timer(self) -> None:
        """Start the ``max.poll.interval.ms`` timer over (every ``poll()`` calls this twice).

        Lazily: a pending timer stays in the queue and, when its old time comes, moves itself to the
        deadline of the last call, under the tie-break number that call reserved (``Sim.reserve_seq``).
        It fires exactly when and in the order a timer cancelled and scheduled again at every call
        would, without two queue operations per poll.
        """
        sim = self.sim
        self._last_poll_ms = now = sim.now
        if self._subscription is None or not self._alive():
            return
        timer = self._poll_timer
        if timer is None or timer.cancelled:
            self._poll_due = None
            self._poll_timer = sim.schedule(self.max_poll_interval_ms, self._poll_timer_due, priority=4)
        else:
            self._poll_due = (now + self.max_poll_interval_ms, sim.reserve_seq())

    def _poll_timer_due(self) -> None:
        due = self._poll_due
        if due is None:
            self._max_poll_exceeded()
            return
        self._poll_due = None
        self._poll_timer = self.sim.at_seq(due[0], due[1], self._poll_timer_due, priority=4)

    def _max_poll_exceeded(self) -> None:
        self._poll_timer = None
        if not self._alive() or self.group_state in ("init", "left"):
            return
        over = self.sim.now - self._last_poll_ms - self.max_poll_interval_ms
        self.sim.trace.emit("consumer.max_poll_exceeded", node=self.node, group=self.group_id, member=self.member_id,
                            max_poll_interval_ms=self.max_poll_interval_ms)
        self._leave_group("max.poll.interval.ms exceeded")
        self._lose("max.poll.interval.ms exceeded")
        self._events.append(("error", KafkaError(
            Err._MAX_POLL_EXCEEDED, f"Application maximum poll interval ({self.max_poll_interval_ms}ms) exceeded "
                                    f"by {over}ms")))
        self._events.append(("rejoin", "poll() after max.poll.interval.ms"))

    # -- serving events in poll() -----------------------------------------------------------
    def _serve_events(self):
        """Run pending rebalance callbacks (application thread); return an error event, if any."""
        while self._events:
            ev = self._events.popleft()
            kind = ev[0]
            if kind == "error":
                from ..clients.common import Message

                return Message(None, None, None, None, None, error=ev[1])
            if kind == "rejoin":
                if self._subscription is not None and self.group_state == "left":
                    self._start_join(ev[1])
            elif kind == "lost":
                lost = _tps(_as_dict(self._assignment))
                self.sim.trace.emit("consumer.partitions_lost", node=self.node, group=self.group_id,
                                    partitions=[f"{t.topic}-{t.partition}" for t in lost], reason=ev[1])
                cb = self._listeners.get("on_lost") or self._listeners.get("on_revoke")
                self._stored.clear()
                self._call(cb, lost)
                if self._assignment:
                    self.unassign()
                self.group_assignment = {}
            elif kind == "eager_revoke":
                self._revoke(_tps(_as_dict(self._assignment)), eager=True)
                self.group_assignment = {}
                self.group_state = "init"
                self._start_join(ev[1])
            elif kind == "assignment":
                self._apply_assignment(ev[1], ev[2])
            elif kind == "commit_cb":  # an asynchronous commit that failed before it was sent
                ev[1](ev[2], ev[3])
        return None

    def _call(self, cb, partitions) -> bool:
        """Run a listener; True if it called (incremental_)assign/unassign itself."""
        self._assign_called = False
        if cb is not None:
            cb(self, partitions)
        return self._assign_called

    def _revoke(self, partitions: list, eager: bool) -> None:
        if not partitions and not eager:
            return
        if self.enable_auto_commit:
            self._commit_stored(keys={(t.topic, t.partition) for t in partitions}, sync=True)
        self.sim.trace.emit("consumer.partitions_revoked", node=self.node, group=self.group_id,
                            partitions=[f"{t.topic}-{t.partition}" for t in partitions], eager=eager)
        done = self._call(self._listeners.get("on_revoke"), partitions)
        if not done:
            if eager:
                self.unassign()
            else:
                self.incremental_unassign(partitions)
        for t in partitions:
            self._stored.pop((t.topic, t.partition), None)

    def _apply_assignment(self, new: dict, gen: int) -> None:
        old = {(t, p) for t, ps in self.group_assignment.items() for p in ps}
        cur = {(t, p) for t, ps in new.items() for p in ps}
        if self.cooperative:
            revoked, added = sorted(old - cur), sorted(cur - old)
            if revoked:
                self._revoke(_tps(_as_dict(revoked)), eager=False)
            self.group_assignment = _as_dict(cur)
            parts = _tps(_as_dict(added))
            self.sim.trace.emit("consumer.partitions_assigned", node=self.node, group=self.group_id,
                                partitions=[f"{t.topic}-{t.partition}" for t in parts], generation=gen,
                                incremental=True, assignment=_as_dict(cur))
            # Simplification: on_assign fires on every cooperative assignment, even an empty one
            # (Java's onPartitionsAssigned contract); librdkafka may skip empty incremental ones.
            if not self._call(self._listeners.get("on_assign"), parts):
                self.incremental_assign(parts)
            if revoked:
                if self.group_protocol == "consumer":
                    self._cg_heartbeat()  # acknowledge the revocation at once
                else:
                    self._start_join("revoked partitions: follow-up rebalance")
        else:
            self.group_assignment = _as_dict(cur)
            parts = _tps(self.group_assignment)
            self.sim.trace.emit("consumer.partitions_assigned", node=self.node, group=self.group_id,
                                partitions=[f"{t.topic}-{t.partition}" for t in parts], generation=gen,
                                incremental=False, assignment=_as_dict(cur))
            if not self._call(self._listeners.get("on_assign"), parts):
                self.assign(parts)

    # -- offsets ------------------------------------------------------------------------------
    def _auto_commit_tick(self) -> None:
        if not self._alive():
            return
        self._commit_stored(sync=False)

    def _commit_stored(self, keys=None, sync: bool = False) -> None:
        items = {k: o for k, o in self._stored.items() if (keys is None or k in keys)
                 and self._committed_cache.get(k) != o}
        if not items:
            return
        try:
            self._commit_items(sorted(items.items()), asynchronous=not sync, auto=True)
        except KafkaException:
            pass

    def _commit_items(self, items: list, asynchronous: bool, auto: bool = False):
        """OffsetCommitRequest to the coordinator; raise (sync) or report to ``on_commit`` (async)."""
        from ..clients.common import TopicPartition

        svc = self._svc()
        svc.try_offsets_topic(settle=not auto)
        member = self.member_id if self._subscription is not None else ""
        gen = self.generation_id if self._subscription is not None else -1
        offsets = {k: (o, "", -1) for k, o in items}  # Simplification: no metadata string, leader epoch -1
        state: dict = {}
        self.sim.trace.emit("consumer.commit", node=self.node, group=self.group_id, member=member, generation=gen,
                            offsets={f"{t}-{p}": o for (t, p), o in items}, auto=auto, sync=not asynchronous)

        # With no usable coordinator the commit waits for one, up to session.timeout.ms, then _WAIT_COORD
        # (rd_kafka_cgrp_defer_offset_commit, rd_kafka_cgrp_timeout_scan).  NOT_COORDINATOR,
        # COORDINATOR_NOT_AVAILABLE or _TRANSPORT mark the coordinator dead and the request is retried
        # (rd_kafka_handle_OffsetCommit: REFRESH|SPECIAL|RETRY, RD_KAFKA_REQUEST_DEFAULT_RETRIES = 2);
        # when those retries are used up the commit is deferred once more and retried again: the sixth
        # such answer in a row goes to the application (librdkafka 2.16: five NOT_COORDINATOR in a row
        # still commit, six raise NOT_COORDINATOR).  COORDINATOR_LOAD_IN_PROGRESS is only retried.
        deadline = self.sim.now + self.session_timeout_ms
        errors = []

        def reply(resp):
            err = resp["error"]
            if err in _COORD_ERRORS and self._alive():
                errors.append(err)
                attempts = 3 if err == Err.COORDINATOR_LOAD_IN_PROGRESS else 6
                if len(errors) < attempts:
                    if err != Err.COORDINATOR_LOAD_IN_PROGRESS:
                        self._coordinator_dead("OffsetCommit", err)
                    if len(errors) == 3:
                        self.sim.trace.emit("consumer.commit_deferred", node=self.node, group=self.group_id,
                                            member=member, error=_nm(err) or spec(err).name,
                                            session_timeout_ms=self.session_timeout_ms)
                    until = max(deadline, self.sim.now + self.session_timeout_ms)
                    self.sim.schedule(self.retry_backoff_ms, lambda: self._alive() and send(until))
                    return
            state["resp"] = resp
            if err == Err.NONE:
                for k, o in items:
                    self._committed_cache[k] = o
            cb = self._callbacks.get("on_commit")
            if cb is not None and (asynchronous or auto):
                tps = [TopicPartition(t, p, o) for (t, p), o in items]
                cb(None if err == Err.NONE else KafkaError(err, _commit_reason(err)), tps)

        def send(until_ms):
            self._send("OffsetCommit", svc.on_offset_commit, reply, self.group_id, member, gen, offsets,
                       self.instance_id, deadline_ms=until_ms)
        send(deadline)
        if asynchronous:
            return None
        self.sim.run_for(2 * self.session_timeout_ms + 30000, until=lambda: "resp" in state)
        if "resp" not in state:
            raise KafkaException(KafkaError(Err._TIMED_OUT, "Local: Timed out waiting for the commit"))
        err = state["resp"]["error"]
        if err != Err.NONE:
            raise exception_for(err, _commit_reason(err))
        return [TopicPartition(t, p, o) for (t, p), o in items]

    def _fetch_committed(self, keys: list) -> dict:
        svc = self._svc()
        if "__consumer_offsets" not in self.cluster.controller.image.topics:
            return {}
        state: dict = {}
        # librdkafka asks for stable offsets under read_committed (rdkafka_assignment.c) and retries
        # UNSTABLE_OFFSET_COMMIT until the transaction that wrote them is decided (KIP-447).
        stable = getattr(self, "isolation_level", "read_committed") == "read_committed"
        deadline = self.sim.now + 30000
        while True:
            state.clear()
            self._send("OffsetFetch", svc.on_offset_fetch, lambda r: state.setdefault("resp", r), self.group_id,
                       list(keys), stable, deadline_ms=deadline)
            self.sim.run_for(max(1, deadline - self.sim.now), until=lambda: "resp" in state)
            if "resp" in state and state["resp"]["error"] == Err.UNSTABLE_OFFSET_COMMIT and self.sim.now < deadline:
                self.sim.run_for(10)
                continue
            if "resp" in state and state["resp"]["error"] in _COORD_ERRORS and self.sim.now < deadline:
                # the coordinator died or moved under the OffsetFetch: find it again and ask again
                self._coordinator_dead("OffsetFetch", state["resp"]["error"])
                self.sim.run_for(self.retry_backoff_ms)
                continue
            break
        if "resp" not in state or state["resp"]["error"] == Err._WAIT_COORD:
            raise KafkaException(KafkaError(Err._TIMED_OUT, "Local: Timed out fetching committed offsets"))
        out = {k: v[0] for k, v in state["resp"]["offsets"].items() if v[0] >= 0}
        self._committed_cache.update(out)
        return out


def _nm(code: int) -> str:
    from ..errors import spec

    return spec(code).java_name


def _commit_reason(err: int) -> str:
    if err < 0 or err in _COORD_ERRORS:  # what confluent-kafka raises: "Commit failed: Broker: Not coordinator"
        return f"Commit failed: {spec(err).description}"
    if err in (Err.UNKNOWN_MEMBER_ID, Err.ILLEGAL_GENERATION):
        return (f"Broker: {_nm(err).replace('_', ' ').capitalize()}: commit cannot be completed since the group has "
                "already rebalanced and assigned the partitions to another member (the time between poll() calls "
                "was longer than max.poll.interval.ms, or the session timed out)")
    if err == Err.REBALANCE_IN_PROGRESS:
        return "Broker: Rebalance in progress: commit again after the rebalance completes"
    return f"Broker: {_nm(err).replace('_', ' ').capitalize()}"
