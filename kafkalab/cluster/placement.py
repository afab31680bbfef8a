"""Replica placement: which brokers hold each new partition, and which of them leads.

Kafka 4.x (KRaft) places replicas in the controller with ``StripedReplicaPlacer``
(``metadata/src/main/java/org/apache/kafka/metadata/placement/StripedReplicaPlacer.java``):

* Brokers are grouped by rack (no rack is a rack of its own), racks are sorted (no-rack first), and
  each rack keeps two sorted lists: unfenced and fenced brokers.
* Each list, and the list of racks, starts at a random offset, so topics do not all start on the
  same broker.
* Partition *p* takes its replicas from consecutive racks starting at the rack offset, one broker per
  rack per round, and the offset moves on by one per partition: the "striped" pattern.  Within a
  rack, brokers are taken round-robin from that rack's own offset, unfenced brokers first.
* The first replica (the preferred leader) must be an unfenced broker.
* After as many partitions as there are unfenced brokers, racks and brokers are reshuffled so later
  partitions do not repeat the same replica sets.

Worked example (4 brokers, no racks, all offsets 0): partitions 0..3 with RF 3 get
``[0,1,2] [1,2,3] [2,3,0] [3,0,1]``: each broker leads once and holds three replicas.

Newer Kafka (trunk after 4.0) also continues the stripe when partitions are *added*
(CreatePartitions): the rack and broker offsets start just after the ones the last existing
partition used.  ``existing=`` models that.

``place_replicas_legacy`` is the pre-KRaft ``AdminUtils.assignReplicasToBrokers`` algorithm
(``server-common/src/main/java/org/apache/kafka/admin/AdminUtils.java``, formerly
``kafka.admin.AdminUtils``), kept for comparison: a random ``startIndex`` for leaders and a
``nextReplicaShift`` for followers, with a rack-alternated broker list when racks are set.

Errors are Kafka's: ``InvalidReplicationFactorException`` (INVALID_REPLICATION_FACTOR, 38) and
``InvalidPartitionsException`` (INVALID_PARTITIONS, 37), with the controller's texts.

# Simplification: Kafka draws from ``java.util.Random`` (unseeded in the controller) and iterates
# racks in ``HashMap`` order; we draw from the caller's ``random.Random`` with ``rng.randrange(n)``
# where Java calls ``nextInt(n)`` (same call order) and visit racks in sorted order (which is the
# HashMap order for short rack names).  Same algorithm, replayable from a seed.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from kafkalab.errors import (
    Err,
    InvalidPartitionsException,
    InvalidReplicationFactorException,
    KafkaError,
    KafkaException,
)

Broker = tuple[int, "str | None"]


def _rf_error(message: str) -> InvalidReplicationFactorException:
    return InvalidReplicationFactorException(KafkaError(Err.INVALID_REPLICATION_FACTOR, message))


def _partitions_error(message: str) -> InvalidPartitionsException:
    return InvalidPartitionsException(KafkaError(Err.INVALID_PARTITIONS, message))


def _shuffle(items: list, rng: random.Random) -> None:
    """``Collections.shuffle(list, rnd)``: swap ``i-1`` with ``nextInt(i)`` for ``i = size .. 2``."""
    for i in range(len(items), 1, -1):
        j = rng.randrange(i)
        items[i - 1], items[j] = items[j], items[i - 1]


class _BrokerList:
    """``StripedReplicaPlacer.BrokerList``: round-robin over a sorted list, once per iteration epoch."""

    def __init__(self) -> None:
        self.brokers: list[int] = []
        self.index = 0
        self.offset = 0
        self.epoch = 0

    def initialize(self, rng: random.Random) -> None:
        if self.brokers:
            self.brokers.sort()
            self.offset = rng.randrange(len(self.brokers))

    def initialize_after(self, previous_offset: int) -> None:
        if self.brokers:
            self.brokers.sort()
            self.offset = (previous_offset + 1) % len(self.brokers)

    def next(self, epoch: int) -> int:
        """The next broker in this epoch, or -1 once every broker was returned."""
        if not self.brokers:
            return -1
        if self.epoch != epoch:
            self.epoch = epoch
            self.index = 0
            self.offset = (self.offset + 1) % len(self.brokers)
        if self.index >= len(self.brokers):
            return -1
        broker = self.brokers[(self.index + self.offset) % len(self.brokers)]
        self.index += 1
        return broker


class _Rack:
    def __init__(self) -> None:
        self.fenced = _BrokerList()
        self.unfenced = _BrokerList()

    def next_unfenced(self, epoch: int) -> int:
        return self.unfenced.next(epoch)

    def next(self, epoch: int) -> int:
        result = self.unfenced.next(epoch)
        return result if result >= 0 else self.fenced.next(epoch)


def _rack_order(rack: str | None) -> tuple[int, str]:
    """``OptionalStringComparator``: no rack first, then racks by name."""
    return (0, "") if rack is None else (1, rack)


class _RackList:
    """``StripedReplicaPlacer.RackList``: the racks, their brokers, and the striping state."""

    def __init__(self, rng: random.Random, brokers: Sequence[Broker], fenced: frozenset[int],
                 existing: Sequence[Sequence[int]]):
        self.rng = rng
        self.racks: dict[str | None, _Rack] = {}
        rack_names: list[str | None] = []
        broker_rack: dict[int, str | None] = {}
        for broker_id, rack in brokers:
            broker_rack[broker_id] = rack
            if rack not in self.racks:
                rack_names.append(rack)
                self.racks[rack] = _Rack()
            target = self.racks[rack].fenced if broker_id in fenced else self.racks[rack].unfenced
            target.brokers.append(broker_id)
        self.num_total = len(brokers)
        self.num_unfenced = sum(1 for b, _ in brokers if b not in fenced)
        for name in sorted(self.racks, key=_rack_order):
            rack = self.racks[name]
            previous = _previous_broker_offset(broker_rack, existing, name, rack.unfenced.brokers)
            rack.fenced.initialize(rng)
            if previous is None:
                rack.unfenced.initialize(rng)
            else:
                rack.unfenced.initialize_after(previous)
        self.rack_names = sorted(rack_names, key=_rack_order)
        previous_rack = _previous_rack_offset(broker_rack, existing, self.rack_names)
        if previous_rack is not None:
            self.offset = (previous_rack + 1) % len(self.rack_names)
        else:
            self.offset = rng.randrange(len(self.rack_names)) if self.rack_names else 0
        self.epoch = 0

    def place(self, replication_factor: int) -> list[int]:
        if self.epoch == self.num_unfenced and self.num_unfenced > 1:
            # Every unfenced broker led once in this round: reshuffle so the next round differs.
            self._shuffle()
            self.epoch = 0
        if self.offset == len(self.rack_names):
            self.offset = 0
        replicas: list[int] = []
        first_rack = self.offset
        while True:  # the leader: the first unfenced broker, starting at the offset rack
            leader = self.racks[self.rack_names[first_rack]].next_unfenced(self.epoch)
            if leader >= 0:
                replicas.append(leader)
                break
            first_rack = (first_rack + 1) % len(self.rack_names)
        rack_index = self.offset
        for _ in range(1, replication_factor):
            result = -1
            while result < 0:
                if rack_index == first_rack:
                    first_rack = -1  # the leader's rack already gave a replica this round
                else:
                    result = self.racks[self.rack_names[rack_index]].next(self.epoch)
                rack_index = (rack_index + 1) % len(self.rack_names)
            replicas.append(result)
        self.epoch += 1
        self.offset += 1
        return replicas

    def _shuffle(self) -> None:
        _shuffle(self.rack_names, self.rng)
        for name in sorted(self.racks, key=_rack_order):
            _shuffle(self.racks[name].fenced.brokers, self.rng)
            _shuffle(self.racks[name].unfenced.brokers, self.rng)


def _previous_rack_offset(broker_rack: dict[int, str | None], existing: Sequence[Sequence[int]],
                          rack_names: list[str | None]) -> int | None:
    """Index of the rack that led the last existing partition (``tryGetPreviousRackOffset``)."""
    if not existing or not existing[-1] or existing[-1][0] not in broker_rack:
        return None
    rack = broker_rack[existing[-1][0]]
    return rack_names.index(rack) if rack in rack_names else None


def _previous_broker_offset(broker_rack: dict[int, str | None], existing: Sequence[Sequence[int]],
                            rack: str | None, unfenced: list[int]) -> int | None:
    """Position of this rack's most recently used broker (``tryGetPreviousBrokerOffset``).

    Like Kafka, the position is taken in the registration order, before the list is sorted.
    """
    for replicas in reversed(existing):
        for broker_id in replicas:
            if broker_id not in broker_rack:
                continue
            if broker_rack[broker_id] == rack:
                return unfenced.index(broker_id) if broker_id in unfenced else None
    return None


def _check_brokers(brokers: Sequence[Broker], fenced: Iterable[int]) -> tuple[list[Broker], frozenset[int]]:
    out = [(int(b), r) for b, r in brokers]
    ids = [b for b, _ in out]
    assert len(set(ids)) == len(ids), f"duplicate broker ids in {ids}"
    fenced_set = frozenset(fenced)
    assert fenced_set <= set(ids), f"fenced brokers {sorted(fenced_set - set(ids))} are not registered"
    return out, fenced_set


def place_replicas(num_partitions: int, replication_factor: int, brokers: Sequence[Broker],
                   rng: random.Random, start_partition: int = 0,
                   existing: Sequence[Sequence[int]] | None = None, *,
                   fenced: Iterable[int] = ()) -> list[list[int]]:
    """Place ``num_partitions`` new partitions like a Kafka 4.x KRaft controller (``StripedReplicaPlacer``).

    ``brokers`` are the registered brokers as ``(broker_id, rack or None)``; ``fenced`` the ones that
    are registered but fenced (they may hold followers, never a new leader).  Returns one replica list
    per new partition, preferred leader first.  ``start_partition`` is the id of the first new
    partition (CreatePartitions passes the current count) and ``existing`` the current replica lists
    of the topic, so added partitions continue the stripe.  Deterministic for a given ``rng`` state.

    Errors, as the controller returns them:

    * ``replication_factor < 1``: ``Replication factor must be larger than 0, or -1 to use the default
      value.`` (-1 means "broker default"; resolve it before calling)
    * ``num_partitions < 1``: ``Number of partitions was set to an invalid non-positive value.``
    * every broker fenced: ``Unable to replicate the partition 3 time(s): All brokers are currently fenced.``
    * too few brokers: ``Unable to replicate the partition 3 time(s): The target replication factor of 3
      cannot be reached because only 2 broker(s) are registered.``

    The "Unable to replicate" prefix is what CreateTopics adds; for added partitions
    (``start_partition > 0``) Kafka returns the placer's message without it.

    >>> place_replicas(4, 3, [(0, None), (1, None), (2, None), (3, None)], random.Random(7))
    [[2, 3, 0], [3, 0, 1], [0, 1, 2], [1, 2, 3]]
    """
    brokers, fenced_set = _check_brokers(brokers, fenced)
    if replication_factor < 1:
        raise _rf_error("Replication factor must be larger than 0, or -1 to use the default value.")
    if num_partitions < 1:
        raise _partitions_error("Number of partitions was set to an invalid non-positive value.")
    existing = [list(r) for r in (existing or [])]
    rack_list = _RackList(rng, brokers, fenced_set, existing)
    reason = None
    if rack_list.num_unfenced == 0:
        reason = "All brokers are currently fenced."
    elif replication_factor > rack_list.num_total:
        reason = (f"The target replication factor of {replication_factor} cannot be reached because only "
                  f"{rack_list.num_total} broker(s) are registered.")
    if reason is not None:
        if start_partition == 0:
            reason = f"Unable to replicate the partition {replication_factor} time(s): {reason}"
        raise _rf_error(reason)
    return [rack_list.place(replication_factor) for _ in range(num_partitions)]


# ---- pre-KRaft algorithm, for comparison ------------------------------------------------------

def _replica_index(first_replica_index: int, second_replica_shift: int, replica_index: int, n: int) -> int:
    shift = 1 + (second_replica_shift + replica_index) % (n - 1)
    return (first_replica_index + shift) % n


def rack_alternated_broker_list(brokers: Sequence[Broker]) -> list[int]:
    """``AdminUtils.getRackAlternatedBrokerList``: one broker per rack in turn, racks and ids sorted.

    Racks ``rack1: 0,1,2``, ``rack2: 3,4,5``, ``rack3: 6,7,8`` give ``0,3,6,1,4,7,2,5,8``.
    """
    by_rack: dict[str, list[int]] = {}
    for broker_id, rack in brokers:
        by_rack.setdefault(rack, []).append(broker_id)
    iters = {rack: iter(sorted(ids)) for rack, ids in by_rack.items()}
    racks = sorted(by_rack)
    result: list[int] = []
    i = 0
    while len(result) < len(brokers):
        nxt = next(iters[racks[i]], None)
        if nxt is not None:
            result.append(nxt)
        i = (i + 1) % len(racks)
    return result


def place_replicas_legacy(num_partitions: int, replication_factor: int, brokers: Sequence[Broker],
                          rng: random.Random, start_partition: int = 0, *,
                          fixed_start_index: int = -1) -> list[list[int]]:
    """The ZooKeeper-era ``AdminUtils.assignReplicasToBrokers`` placement, for comparison with KRaft's.

    Rack-unaware (no broker has a rack): leaders go round-robin over the broker list (sorted by id)
    from a random ``startIndex``; followers sit at ``1 + (nextReplicaShift + j) % (n - 1)`` after the
    leader, and ``nextReplicaShift`` grows by one each time the partition id wraps the broker count.
    Rack-aware (every broker has a rack): the same over the rack-alternated list, skipping brokers
    whose rack (then broker) already holds a replica while some rack (broker) holds none.

    ``fixed_start_index >= 0`` replaces both random draws, as Kafka's tests do.  Returns the replica
    lists for partitions ``start_partition .. start_partition + num_partitions - 1``.

    >>> place_replicas_legacy(5, 3, [(i, None) for i in range(5)], random.Random(0), fixed_start_index=0)
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1]]
    """
    brokers, _ = _check_brokers(brokers, ())
    if num_partitions <= 0:
        raise _partitions_error("Number of partitions must be larger than 0.")
    if replication_factor <= 0:
        raise _rf_error("Replication factor must be larger than 0.")
    if replication_factor > len(brokers):
        raise _rf_error(f"Replication factor: {replication_factor} larger than available brokers: {len(brokers)}.")
    racked = [r is not None for _, r in brokers]
    if not any(racked):
        broker_list = sorted(b for b, _ in brokers)
        rack_of: dict[int, str] = {}
        num_racks = 0
    else:
        if not all(racked):
            # AdminOperationException is not an ApiException: clients saw UNKNOWN_SERVER_ERROR.
            raise KafkaException(KafkaError(Err.UNKNOWN_SERVER_ERROR,
                                            "Not all brokers have rack information for replica rack aware "
                                            "assignment."))
        broker_list = rack_alternated_broker_list(brokers)
        rack_of = dict(brokers)
        num_racks = len(set(rack_of.values()))
    n = len(broker_list)
    start_index = fixed_start_index if fixed_start_index >= 0 else rng.randrange(n)
    next_replica_shift = fixed_start_index if fixed_start_index >= 0 else rng.randrange(n)
    partition_id = max(0, start_partition)
    out: list[list[int]] = []
    for _ in range(num_partitions):
        if partition_id > 0 and partition_id % n == 0:
            next_replica_shift += 1
        first = (partition_id + start_index) % n
        leader = broker_list[first]
        replicas = [leader]
        if not rack_of:
            replicas += [broker_list[_replica_index(first, next_replica_shift, j, n)]
                         for j in range(replication_factor - 1)]
        else:
            racks_with = {rack_of[leader]}
            brokers_with = {leader}
            k = 0
            for _j in range(replication_factor - 1):
                while True:
                    broker = broker_list[_replica_index(first, next_replica_shift * num_racks, k, n)]
                    k += 1
                    rack = rack_of[broker]
                    if ((rack not in racks_with or len(racks_with) == num_racks)
                            and (broker not in brokers_with or len(brokers_with) == n)):
                        replicas.append(broker)
                        racks_with.add(rack)
                        brokers_with.add(broker)
                        break
        out.append(replicas)
        partition_id += 1
    return out


__all__ = ["place_replicas", "place_replicas_legacy", "rack_alternated_broker_list"]
