"""KRaft's Raft: the controller quorum that replicates the ``__cluster_metadata`` log.

Kafka's ``raft`` module (``KafkaRaftClient``, ``QuorumState`` and the ``EpochState`` classes
``UnattachedState``, ``ProspectiveState``, ``CandidateState``, ``LeaderState``, ``FollowerState``,
``ResignedState``), after KIP-595 (the protocol), KIP-630 (snapshots) and KIP-996 (pre-vote):

* Every voter (``process.roles`` containing ``controller``, listed in ``controller.quorum.voters``)
  is in one state at a time, in an *epoch* (Raft's term).  A voter that hears nothing from a leader
  for ``controller.quorum.fetch.timeout.ms`` (2000), or that knows no leader for a randomised
  ``controller.quorum.election.timeout.ms`` (1000 + a random 0..1000, ``QuorumState
  .randomElectionTimeoutMs``, drawn from the quorum's seeded RNG), starts an election.
* With pre-vote (KIP-996, Kafka 4.0+; ``pre_vote=False`` models 3.x) it first becomes
  *Prospective* in the same epoch and asks for pre-votes; a voter that still fetches from a live
  leader refuses them, so a voter cut off for a while cannot depose a healthy leader when it comes
  back.  With a majority of pre-votes it becomes *Candidate*: epoch + 1, votes for itself.
* A vote is granted once per epoch, to a candidate whose log is at least as up to date
  (last epoch, then end offset) as the voter's own; a majority makes the candidate *Leader*.
  A failed candidate backs off (binary exponential, at most ``controller.quorum.election.backoff.max.ms``)
  and tries again in a higher epoch.
* The new leader appends a ``LeaderChangeMessage`` control record at its *epoch start offset*
  and tells the voters (``BeginQuorumEpoch``); followers then pull the log with ``Fetch`` (the leader
  parks a fetch with nothing new for up to 500 ms).  A fetch whose last epoch does not match the
  leader's log is answered with a *diverging epoch*: the follower truncates and fetches again.
* ``LeaderState.maybeUpdateHighWatermark``: the high watermark is the end offset that a majority
  of voters have reached (voters sorted by end offset, descending, index ``n // 2``), and it only
  moves once it is past the epoch start offset: records of earlier epochs commit together with the
  leader's own ``LeaderChangeMessage`` (Raft's "commit only entries of your own term").
* Check quorum: a leader that has not been fetched from by a majority for 1.5 x
  ``controller.quorum.fetch.timeout.ms`` (``LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR``) resigns; it
  re-sends ``BeginQuorumEpoch`` to voters that have not fetched for half the fetch timeout, so a voter
  that was cut off or gave up on it comes back as its follower.
* Snapshots (KIP-630): a voter may snapshot its committed image; the log before the snapshot is
  deleted (the log start offset moves up), and a fetcher that asks for a deleted offset is sent the
  snapshot (``FetchSnapshot``) and fetches on from its end.

Example: 3 voters, the leader (epoch 2) crashes; ~2 s later a follower's fetch times out, it wins
the pre-vote and then the vote of the remaining voter, becomes leader in epoch 3, and its
``LeaderChangeMessage`` commits once the other voter has fetched it.

Every state change is a ``raft.*`` trace event (node = the voter's network name).

Simplification: the voter set is static (no KIP-853 add/remove-controller); the metadata records
are not batched (``controller.quorum.append.linger.ms`` is not modelled); the log is flushed on append;
a snapshot is taken when :meth:`RaftNode.take_snapshot` is called or after
``metadata.log.max.record.bytes.between.snapshots`` of records (each counted as 100 bytes), not on
``metadata.log.max.snapshot.interval.ms``.  Brokers are the quorum's *observers*: in Kafka they fetch the
log from the leader with long-polling Fetch requests; here the active controller sends each committed
record to every broker (what a parked fetch would answer) and a broker that missed some catches up
through its heartbeat response, after a snapshot if the log start has passed it.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .metadata import MetadataImage, MetadataRecord

if TYPE_CHECKING:
    from .cluster import Cluster

#: Kafka 4.x defaults (``QuorumConfig``, ``MetadataLogConfig``).
QUORUM_DEFAULTS: dict = {
    "controller.quorum.election.timeout.ms": 1000,
    "controller.quorum.fetch.timeout.ms": 2000,
    "controller.quorum.election.backoff.max.ms": 1000,
    "controller.quorum.request.timeout.ms": 2000,
    "controller.quorum.retry.backoff.ms": 20,
    # A snapshot is taken once this many bytes of records were committed since the last one.
    "metadata.log.max.record.bytes.between.snapshots": 20971520,
}
FETCH_MAX_WAIT_MS = 500  # KafkaRaftClient's fetchMaxWaitMs
CHECK_QUORUM_TIMEOUT_FACTOR = 1.5  # LeaderState
RECORD_BYTES = 100  # Simplification: every metadata record counts as 100 bytes towards a snapshot
CONTROL = "LeaderChangeMessage"

STATES = ("unattached", "prospective", "candidate", "leader", "follower", "resigned")


@dataclass
class Snapshot:
    """A KIP-630 snapshot: the committed image up to ``end_offset`` (exclusive), ``<end>-<epoch>.checkpoint``."""

    end_offset: int
    epoch: int
    image: MetadataImage
    records: list = field(default_factory=list)  # the records it replaces (for kafka-metadata-shell)

    @property
    def snapshot_id(self) -> str:
        return f"{self.end_offset:020d}-{self.epoch:010d}"


@dataclass
class ReplicaState:
    """What a leader knows of one voter (``LeaderState.ReplicaState``)."""

    end_offset: int = -1
    last_fetch_ms: int = -1
    last_caught_up_ms: int = -1
    last_fetch_leader_leo: int = -1


class RaftNode:
    """One voter: ``KafkaRaftClient`` + ``QuorumState`` + its replica of the metadata log."""

    def __init__(self, quorum: Quorum, node_id: int, node: str):
        self.quorum = quorum
        self.sim = quorum.sim
        self.node_id = node_id
        self.node = node  # network name
        self.alive = True
        self.log: list[MetadataRecord] = []  # records from log_start on
        self.log_start = 0
        self.snapshot: Snapshot | None = None
        self.hw = 0  # first uncommitted offset (Kafka's high watermark)
        self.state = "unattached"
        self.epoch = 0
        self.voted_for: int | None = None
        self.leader_id: int | None = None
        self.votes: set[int] = set()
        self.rejected: set[int] = set()
        self.retries = 0  # failed elections in a row (for the backoff)
        self.timer = None
        self.check_timer = None
        self.epoch_start = 0
        self.replicas: dict[int, ReplicaState] = {}
        self.parked: dict[int, tuple] = {}  # follower id -> (timer, fetch offset, fetch number) of its parked fetch
        self.fetch_gen = 0
        self.last_fetch_ok = -1  # when this follower last had a fetch answered by its leader
        self.fetched_from_leader = False  # FollowerState.hasFetchedFromLeader (KIP-996)
        self.gave_up_on: int | None = None  # ProspectiveState.leaderId: the leader whose fetches timed out
        self.bytes_since_snapshot = 0
        self.controller = None  # the QuorumController on this node (set by the Quorum)

    # -- the log ----------------------------------------------------------------------------
    @property
    def leo(self) -> int:
        return self.log_start + len(self.log)

    def entry(self, offset: int) -> MetadataRecord | None:
        i = offset - self.log_start
        return self.log[i] if 0 <= i < len(self.log) else None

    def last_epoch(self) -> int:
        if self.log:
            return self.log[-1].epoch
        return self.snapshot.epoch if self.snapshot else 0

    def epoch_at(self, offset: int) -> int:
        e = self.entry(offset)
        if e is not None:
            return e.epoch
        return self.snapshot.epoch if self.snapshot and offset == self.snapshot.end_offset - 1 else -1

    def end_offset_for_epoch(self, epoch: int) -> int:
        """``OffsetsForLeaderEpoch``: the end offset of the last record of ``epoch`` or earlier."""
        end = self.log_start
        for r in self.log:
            if r.epoch <= epoch:
                end = r.offset + 1
            else:
                break
        return end

    def diverging_epoch(self, epoch: int) -> tuple[int, int]:
        """The largest epoch of ours that is <= ``epoch``, and its end offset (``DivergingEpoch``)."""
        best = self.snapshot.epoch if self.snapshot else 0
        for r in self.log:
            if r.epoch <= epoch:
                best = r.epoch
            else:
                break
        return best, self.end_offset_for_epoch(best)

    def committed_records(self, after: int = -1) -> list[MetadataRecord]:
        """Committed records with offsets above ``after`` that are still in the log."""
        start = max(after + 1, self.log_start)
        return self.log[start - self.log_start:self.hw - self.log_start]

    def _truncate(self, end: int) -> None:
        if end < self.leo:
            self.sim.trace.emit("raft.truncate", node=self.node, epoch=self.epoch, from_offset=end,
                                removed=self.leo - end)
            del self.log[max(0, end - self.log_start):]

    # -- timers -----------------------------------------------------------------------------
    def _cfg(self, key: str) -> int:
        return self.quorum.config[key]

    def _set_timer(self, delay: int, fn, *args) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.sim.schedule(int(delay), fn, *args, priority=3)

    def random_election_timeout(self) -> int:
        """``QuorumState.randomElectionTimeoutMs``: ``T + random.nextInt(T)``."""
        t = self._cfg("controller.quorum.election.timeout.ms")
        return t + self.quorum.rng.randrange(t)

    def election_backoff(self) -> int:
        """``RaftUtil.binaryExponentialElectionBackoffMs``: random up to min(max, retry backoff x 2^retries)."""
        cap = min(self._cfg("controller.quorum.election.backoff.max.ms"),
                  self._cfg("controller.quorum.retry.backoff.ms") * (1 << min(self.retries, 20)))
        return 1 + self.quorum.rng.randrange(max(1, cap))

    def _emit_state(self, **extra) -> None:
        self.sim.trace.emit("raft." + self.state, node=self.node, node_id=self.node_id, epoch=self.epoch,
                            leader=self.leader_id, voted_for=self.voted_for, leo=self.leo, hw=self.hw, **extra)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or restart) with the log on disk and the persisted ``quorum-state`` (epoch, vote)."""
        self.alive = True
        self.state, self.leader_id = "unattached", None
        if len(self.quorum.voters) == 1:
            # A lone voter needs nobody's vote: it is elected at once (QuorumState.initialize).
            self._become_candidate()
            return
        self._emit_state()
        self._set_timer(self.random_election_timeout(), self._election_timeout)

    def crash(self) -> None:
        self.alive = False
        was_leader = self.state == "leader"
        for t in (self.timer, self.check_timer, *(p[0] for p in self.parked.values())):
            if t is not None:
                t.cancel()
        self.timer = self.check_timer = None
        self.parked.clear()
        self.fetch_gen += 1
        if self.controller is not None:
            self.controller.deactivate("crash")
        self.state, self.leader_id = "unattached", None
        self.sim.trace.emit("raft.crash", node=self.node, node_id=self.node_id, epoch=self.epoch,
                            was_leader=was_leader, leo=self.leo, hw=self.hw)
        # The high watermark is not persisted: a restarted voter learns it from the leader.
        self.hw = self.snapshot.end_offset if self.snapshot else 0

    # -- state transitions ------------------------------------------------------------------
    def _step_down(self, epoch: int, leader: int | None) -> None:
        """Learn of a higher epoch, or of the leader of this one: become follower or unattached."""
        was = self.state
        if leader == self.node_id:
            leader = None  # a resigned leader hearing of its own old leadership follows nobody
        if epoch > self.epoch:
            self.epoch, self.voted_for = epoch, None
        if was == "leader":
            self._leave_leadership()
        self.votes, self.rejected = set(), set()
        self.leader_id = leader
        if leader is not None:
            self.state = "follower"
            self.retries = 0
            self.last_fetch_ok = self.sim.now
            self.fetched_from_leader = False
            self._emit_state()
            self._set_timer(self._cfg("controller.quorum.fetch.timeout.ms"), self._fetch_timeout)
            self._send_fetch()
        else:
            self.state = "unattached"
            self._emit_state()
            self._set_timer(self.random_election_timeout(), self._election_timeout)

    def _leave_leadership(self) -> None:
        if self.check_timer is not None:
            self.check_timer.cancel()
            self.check_timer = None
        for t, _off, _gen in self.parked.values():
            t.cancel()
        self.parked.clear()
        if self.controller is not None:
            self.controller.deactivate("lost leadership")

    def _election_timeout(self) -> None:
        if not self.alive or self.state == "leader":
            return
        if self.state in ("candidate", "prospective"):
            self.retries += 1
            self.sim.trace.emit("raft.election_failed", node=self.node, epoch=self.epoch, state=self.state,
                                votes=sorted(self.votes), rejected=sorted(self.rejected))
            self.state = "unattached" if self.state == "prospective" else self.state
            self._set_timer(self.election_backoff(), self._start_election)
            return
        self._start_election()

    def _fetch_timeout(self) -> None:
        if not self.alive or self.state != "follower":
            return
        self.sim.trace.emit("raft.fetch_timeout", node=self.node, epoch=self.epoch, leader=self.leader_id,
                            silent_ms=self.sim.now - self.last_fetch_ok)
        self.gave_up_on, self.leader_id = self.leader_id, None
        self._start_election()

    def _start_election(self) -> None:
        if not self.alive or self.state == "leader":
            return
        if self.quorum.pre_vote:
            self._become_prospective()
        else:
            self._become_candidate()

    def _become_prospective(self) -> None:
        self.state = "prospective"
        self.leader_id = None
        self.votes, self.rejected = {self.node_id}, set()
        self._emit_state()
        self._set_timer(self.random_election_timeout(), self._election_timeout)
        self._request_votes(pre_vote=True)

    def _become_candidate(self) -> None:
        self.state = "candidate"
        self.epoch += 1
        self.voted_for = self.node_id
        self.leader_id = None
        self.votes, self.rejected = {self.node_id}, set()
        self._emit_state()
        if self._majority(self.votes):
            self._become_leader()
            return
        self._set_timer(self.random_election_timeout(), self._election_timeout)
        self._request_votes(pre_vote=False)

    def _majority(self, ids: set[int]) -> bool:
        return len(ids & set(self.quorum.voter_ids)) * 2 > len(self.quorum.voters)

    def _become_leader(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.state = "leader"
        self.leader_id = self.node_id
        self.retries = 0
        self.epoch_start = self.leo
        self.replicas = {v: ReplicaState() for v in self.quorum.voter_ids}
        self.replicas[self.node_id].end_offset = self.leo
        self._emit_state(votes=sorted(self.votes), epoch_start_offset=self.epoch_start)
        self.append(CONTROL, leader_id=self.node_id, voters=list(self.quorum.voter_ids),
                    granting_voters=sorted(self.votes))
        for v in self.quorum.voter_ids:
            if v != self.node_id:
                peer = self.quorum.voters[v]
                self.sim.network.send(self.node, peer.node, "BeginQuorumEpoch", peer._on_begin_epoch,
                                      self.node_id, self.epoch)
        if len(self.quorum.voters) > 1:
            self._schedule_check_quorum()

    # -- voting -----------------------------------------------------------------------------
    def _request_votes(self, pre_vote: bool) -> None:
        epoch = self.epoch  # a pre-vote asks in the current epoch; only a real vote is in the new one
        for v in self.quorum.voter_ids:
            if v == self.node_id:
                continue
            peer = self.quorum.voters[v]
            self.sim.network.send(self.node, peer.node, "Vote", peer._on_vote_request, self.node_id, epoch,
                                  self.last_epoch(), self.leo, pre_vote)

    def _up_to_date(self, last_epoch: int, end_offset: int) -> bool:
        return (last_epoch, end_offset) >= (self.last_epoch(), self.leo)

    def _on_vote_request(self, cand: int, epoch: int, last_epoch: int, end_offset: int, pre_vote: bool) -> None:
        if not self.alive:
            return
        if pre_vote:
            # KIP-996: a pre-vote changes nothing here.  Refused by a voter that has a live leader (it
            # is the leader, or a follower that has fetched from its leader within the fetch timeout:
            # FollowerState.hasFetchedFromLeader) or whose log is more up to date.
            live_leader = self.state == "leader" or (
                self.state == "follower" and self.fetched_from_leader and
                self.sim.now - self.last_fetch_ok < self._cfg("controller.quorum.fetch.timeout.ms"))
            granted = epoch >= self.epoch and not live_leader and self._up_to_date(last_epoch, end_offset)
        else:
            if epoch > self.epoch:
                self._step_down(epoch, None)
            granted = epoch == self.epoch and self.leader_id is None and \
                self.voted_for in (None, cand) and self._up_to_date(last_epoch, end_offset)
            if granted:
                self.voted_for = cand
                self._set_timer(self.random_election_timeout(), self._election_timeout)
        self.sim.trace.emit("raft.vote", node=self.node, candidate=cand, epoch=epoch, granted=granted,
                            pre_vote=pre_vote, own_epoch=self.epoch)
        peer = self.quorum.voters[cand]
        self.sim.network.send(self.node, peer.node, "VoteResponse", peer._on_vote_response, self.node_id,
                              self.epoch, self.leader_id, granted, pre_vote)

    def _on_vote_response(self, voter: int, epoch: int, leader: int | None, granted: bool, pre_vote: bool) -> None:
        if not self.alive:
            return
        if epoch > self.epoch:
            self._step_down(epoch, leader)
            return
        if leader is not None and epoch == self.epoch and self.state in ("prospective", "unattached") \
                and leader != self.node_id and not (self.state == "prospective" and leader == self.gave_up_on):
            # KIP-996: a prospective that learns of a leader follows it, unless it is the very leader
            # it stopped hearing from (ProspectiveState keeps that leader's id).
            self._step_down(epoch, leader)
            return
        want = "prospective" if pre_vote else "candidate"
        if self.state != want or epoch != self.epoch:
            return
        (self.votes if granted else self.rejected).add(voter)
        if self._majority(self.votes):
            if pre_vote:
                self._become_candidate()
            else:
                self._become_leader()

    def _on_begin_epoch(self, leader: int, epoch: int) -> None:
        if not self.alive or epoch < self.epoch:
            return
        if self.state == "leader" and epoch == self.epoch:
            return
        if self.state == "follower" and epoch == self.epoch and self.leader_id == leader:
            return  # already following it
        self._step_down(epoch, leader)

    # -- the leader: appends, fetches, the high watermark -----------------------------------
    def append(self, rtype: str, **fields) -> MetadataRecord:
        rec = MetadataRecord(self.leo, self.sim.now, rtype, fields, self.epoch)
        self.log.append(rec)
        self.replicas[self.node_id].end_offset = self.leo
        if rtype != CONTROL:
            self.bytes_since_snapshot += RECORD_BYTES
        if len(self.quorum.voters) > 1:
            self.sim.trace.emit("raft.append", node=self.node, epoch=self.epoch, offset=rec.offset, type=rtype)
        self._maybe_update_hw()
        self._answer_parked()
        return rec

    def _maybe_update_hw(self) -> None:
        ends = sorted((r.end_offset for v, r in self.replicas.items() if v in self.quorum.voters), reverse=True)
        new_hw = ends[len(self.quorum.voters) // 2]
        if new_hw > self.epoch_start and new_hw > self.hw:
            old = self.hw
            self.hw = new_hw
            if len(self.quorum.voters) > 1:
                self.sim.trace.emit("raft.hw", node=self.node, epoch=self.epoch, hw=new_hw, previous=old)
            self.quorum.on_commit(self, old, new_hw)
            self._answer_parked()

    def _on_fetch(self, follower: int, epoch: int, fetch_offset: int, last_fetched_epoch: int, gen: int) -> None:
        if not self.alive:
            return
        peer = self.quorum.voters.get(follower)
        if self.state != "leader" or epoch > self.epoch:
            if epoch > self.epoch:
                self._step_down(epoch, None)
            self._respond_fetch(peer, gen, error="NOT_LEADER_OR_FOLLOWER")
            return
        if epoch < self.epoch:
            self._respond_fetch(peer, gen, error="FENCED_LEADER_EPOCH")
            return
        # Diverging log?  The follower's last record must match ours.
        if fetch_offset > self.log_start and fetch_offset <= self.leo \
                and self.epoch_at(fetch_offset - 1) not in (-1, last_fetched_epoch):
            self._respond_fetch(peer, gen, diverging=self.diverging_epoch(last_fetched_epoch))
            return
        if fetch_offset > self.leo:
            self._respond_fetch(peer, gen, diverging=self.diverging_epoch(last_fetched_epoch))
            return
        if fetch_offset < self.log_start:
            self._respond_fetch(peer, gen, snapshot=self.snapshot)
            return
        r = self.replicas[follower]
        now = self.sim.now
        if fetch_offset >= self.leo:
            r.last_caught_up_ms = now
        elif r.last_fetch_leader_leo > 0 and fetch_offset >= r.last_fetch_leader_leo:
            r.last_caught_up_ms = max(r.last_caught_up_ms, r.last_fetch_ms)
        r.last_fetch_leader_leo = self.leo
        r.last_fetch_ms = now
        r.end_offset = fetch_offset
        self._maybe_update_hw()
        if fetch_offset >= self.leo:
            # Nothing new: park the fetch until something is appended or the HW moves (or 500 ms).
            old = self.parked.pop(follower, None)
            if old is not None:
                old[0].cancel()
            self.parked[follower] = (self.sim.schedule(FETCH_MAX_WAIT_MS, self._unpark, follower, fetch_offset, gen),
                                     fetch_offset, gen)
            return
        self._respond_fetch(peer, gen, records=self.log[fetch_offset - self.log_start:])

    def _unpark(self, follower: int, fetch_offset: int, gen: int) -> None:
        self.parked.pop(follower, None)
        if self.alive and self.state == "leader":
            self._respond_fetch(self.quorum.voters[follower], gen,
                                records=self.log[fetch_offset - self.log_start:])

    def _answer_parked(self) -> None:
        for follower in sorted(self.parked):
            t, fetch_offset, gen = self.parked.pop(follower)
            t.cancel()
            self._respond_fetch(self.quorum.voters[follower], gen, records=self.log[fetch_offset - self.log_start:])

    def _respond_fetch(self, peer: RaftNode, gen: int, records=None, error=None, diverging=None,
                       snapshot=None) -> None:
        self.sim.network.send(self.node, peer.node, "FetchResponse", peer._on_fetch_response, self.node_id,
                              self.epoch, self.leader_id if self.state in ("leader", "follower") else None,
                              list(records or ()), self.hw, error, diverging, snapshot, gen)

    def _schedule_check_quorum(self) -> None:
        timeout = int(CHECK_QUORUM_TIMEOUT_FACTOR * self._cfg("controller.quorum.fetch.timeout.ms"))
        self.check_timer = self.sim.schedule(timeout // 3, self._check_quorum, timeout, priority=3)

    def _check_quorum(self, timeout: int) -> None:
        if not self.alive or self.state != "leader":
            return
        now = self.sim.now
        heard = {v for v, r in self.replicas.items() if v == self.node_id or
                 (r.last_fetch_ms >= 0 and now - r.last_fetch_ms < timeout)}
        # A new leader gets one full timeout before it is judged.
        if not self._majority(heard) and now - self._leader_since() >= timeout:
            self.sim.trace.emit("raft.check_quorum_failed", node=self.node, epoch=self.epoch,
                                fetched_by=sorted(heard), timeout_ms=timeout)
            self._leave_leadership()
            self.state = "resigned"
            self._emit_state()
            self._set_timer(self.random_election_timeout(), self._start_election)
            return
        # BeginQuorumEpoch doubles as the leader's heartbeat to voters that have not fetched lately
        # (KIP-853): a voter that gave up on this leader, or was cut off, learns it is alive and follows.
        half = self._cfg("controller.quorum.fetch.timeout.ms") // 2
        for v, r in sorted(self.replicas.items()):
            if v != self.node_id and (r.last_fetch_ms < 0 or now - r.last_fetch_ms >= half):
                peer = self.quorum.voters[v]
                self.sim.network.send(self.node, peer.node, "BeginQuorumEpoch", peer._on_begin_epoch,
                                      self.node_id, self.epoch)
        self.check_timer = self.sim.schedule(timeout // 3, self._check_quorum, timeout, priority=3)

    def _leader_since(self) -> int:
        e = self.entry(self.epoch_start)
        return e.time_ms if e is not None else 0

    # -- the follower -----------------------------------------------------------------------
    def _send_fetch(self) -> None:
        if not self.alive or self.state != "follower" or self.leader_id is None:
            return
        self.fetch_gen += 1
        leader = self.quorum.voters[self.leader_id]
        last = self.epoch_at(self.leo - 1) if self.leo > 0 else 0
        self.sim.network.send(self.node, leader.node, "Fetch", leader._on_fetch, self.node_id, self.epoch,
                              self.leo, last, self.fetch_gen)

    def _on_fetch_response(self, leader: int, epoch: int, leader_id, records: list, hw: int, error,
                           diverging, snapshot, gen: int) -> None:
        if not self.alive:
            return
        if epoch > self.epoch:
            self._step_down(epoch, leader_id)
            return
        if self.state != "follower" or leader != self.leader_id or gen != self.fetch_gen:
            return
        if error is not None:
            # Retry after the backoff; the fetch timeout keeps running (no successful fetch yet).
            self.sim.schedule(self._cfg("controller.quorum.retry.backoff.ms"), self._retry_fetch, self.fetch_gen,
                              priority=3)
            return
        self.last_fetch_ok = self.sim.now
        self.fetched_from_leader = True
        self._set_timer(self._cfg("controller.quorum.fetch.timeout.ms"), self._fetch_timeout)
        if snapshot is not None:
            self.load_snapshot(snapshot)
        elif diverging is not None:
            div_epoch, end = diverging
            self._truncate(max(min(end, self.end_offset_for_epoch(div_epoch)), self.hw))
        else:
            changed = False
            for rec in records:
                if rec.offset == self.leo:
                    self.log.append(rec)
                    changed = True
            new_hw = min(hw, self.leo)
            if new_hw > self.hw:
                old = self.hw
                self.hw = new_hw
                self.quorum.on_commit(self, old, new_hw)
                changed = True
            if changed:
                self.sim.trace.emit("raft.fetch", node=self.node, epoch=self.epoch, leader=leader, leo=self.leo,
                                    hw=self.hw, records=len(records))
        self._send_fetch()

    def _retry_fetch(self, gen: int) -> None:
        if self.alive and self.state == "follower" and gen == self.fetch_gen:
            self._send_fetch()

    # -- snapshots (KIP-630) ----------------------------------------------------------------
    def take_snapshot(self) -> Snapshot | None:
        """Snapshot the committed image at the high watermark and delete the log before it."""
        if self.hw <= self.log_start:
            return None
        image = self.quorum.replay(self, self.hw)
        epoch = self.epoch_at(self.hw - 1)
        replaced = (self.snapshot.records if self.snapshot else []) + self.log[:self.hw - self.log_start]
        snap = Snapshot(self.hw, epoch, image, replaced)
        del self.log[:self.hw - self.log_start]
        self.log_start = self.hw
        self.snapshot = snap
        self.bytes_since_snapshot = 0
        self.sim.trace.emit("raft.snapshot", node=self.node, snapshot_id=snap.snapshot_id, end_offset=snap.end_offset,
                            epoch=epoch, log_start_offset=self.log_start)
        return snap

    def load_snapshot(self, snap: Snapshot) -> None:
        self.log.clear()
        self.log_start = snap.end_offset
        self.snapshot = Snapshot(snap.end_offset, snap.epoch, copy.deepcopy(snap.image), list(snap.records))
        old = self.hw
        self.hw = snap.end_offset
        self.sim.trace.emit("raft.load_snapshot", node=self.node, snapshot_id=snap.snapshot_id,
                            end_offset=snap.end_offset)
        self.quorum.on_commit(self, old, self.hw, from_snapshot=True)

    def describe(self) -> dict:
        return {"node_id": self.node_id, "node": self.node, "state": self.state if self.alive else "down",
                "epoch": self.epoch, "leader": self.leader_id, "voted_for": self.voted_for, "leo": self.leo,
                "hw": self.hw, "log_start": self.log_start, "alive": self.alive}


class Quorum:
    """The controller quorum of a cluster: 1, 3 or 5 voters (``controller.quorum.voters``)."""

    def __init__(self, cluster: Cluster, voters: list[tuple[int, str]], dedicated: bool, pre_vote: bool,
                 config: dict):
        self.cluster = cluster
        self.sim = cluster.sim
        self.dedicated = dedicated
        self.pre_vote = pre_vote
        self.config = dict(QUORUM_DEFAULTS)
        self.config.update({k: v for k, v in config.items() if k in QUORUM_DEFAULTS})
        # The quorum's own RNG, seeded from the cluster's seed: election timeouts are random but
        # replayable, and drawing them does not shift the cluster RNG that places replicas and names topics.
        self.rng = random.Random(f"kraft-quorum-{self.sim.seed}")
        self.voters: dict[int, RaftNode] = {nid: RaftNode(self, nid, node) for nid, node in voters}
        self.voter_ids = sorted(self.voters)
        self.commit_listeners: list = []  # fn(node, old_hw, new_hw, from_snapshot)

    @property
    def voters_config(self) -> str:
        """``controller.quorum.voters`` as Kafka writes it: ``{id}@{host}:{port}``."""
        return ",".join(f"{v}@{self.voters[v].node}:9093" for v in self.voter_ids)

    def leader(self) -> RaftNode | None:
        """The live voter that is leader in the highest epoch (None during an election)."""
        live = [n for n in self.voters.values() if n.alive and n.state == "leader"]
        return max(live, key=lambda n: n.epoch) if live else None

    def on_commit(self, node: RaftNode, old: int, new: int, from_snapshot: bool = False) -> None:
        if node.controller is not None:
            node.controller.handle_commit(old, new, from_snapshot)
        snap_bytes = self.config["metadata.log.max.record.bytes.between.snapshots"]
        if node.bytes_since_snapshot >= snap_bytes and node.alive:
            node.take_snapshot()

    def replay(self, node: RaftNode, end: int) -> MetadataImage:
        """The image of ``node``'s records before ``end`` (its snapshot, then its log)."""
        image = copy.deepcopy(node.snapshot.image) if node.snapshot else MetadataImage()
        for rec in node.log[:end - node.log_start]:
            image.apply(rec)
        return image

    def status(self) -> list[dict]:
        return [self.voters[v].describe() for v in self.voter_ids]
