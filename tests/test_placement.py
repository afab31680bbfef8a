"""Replica placement: Kafka's own StripedReplicaPlacer / AdminUtils vectors, properties, errors."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafkalab.cluster.placement import place_replicas, place_replicas_legacy, rack_alternated_broker_list
from kafkalab.errors import (
    Err,
    InvalidPartitionsException,
    InvalidReplicationFactorException,
    KafkaException,
)


class JavaMockRandom(random.Random):
    """Kafka's test ``MockRandom`` (an LCG seeded with 17) behind ``java.util.Random.nextInt(bound)``.

    The placer only calls ``rng.randrange(n)`` where Kafka calls ``nextInt(n)``, so feeding it this
    generator must reproduce the assignments Kafka's own unit tests pin.
    """

    def __init__(self, state: int = 17):
        super().__init__(0)
        self.state = state

    def _next(self, bits: int) -> int:
        self.state = (self.state * 2862933555777941757 + 3037000493) & (2**64 - 1)
        value = (self.state >> (64 - bits)) & 0xFFFFFFFF
        return value - 2**32 if value >= 2**31 else value

    def randrange(self, bound: int) -> int:  # java.util.Random.nextInt(int)
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m <= 2**31 - 1:  # Java: int overflow makes the sum negative
                return r
            u = self._next(31)


def _brokers(n: int, racks: int | None = None) -> list[tuple[int, str | None]]:
    return [(i, None if racks is None else f"rack{i % racks}") for i in range(n)]


# ---- Kafka's own vectors (metadata/src/test/.../StripedReplicaPlacerTest.java) -------------------

def test_successful_placement_matches_kafka():
    """StripedReplicaPlacerTest.testSuccessfulPlacement: 5 partitions, RF 3, brokers 0,3,2,1."""
    got = place_replicas(5, 3, [(0, None), (3, None), (2, None), (1, None)], JavaMockRandom())
    assert got == [[2, 3, 0], [3, 0, 1], [0, 1, 2], [1, 2, 3], [1, 0, 2]]


def test_even_distribution_matches_kafka():
    """StripedReplicaPlacerTest.testEvenDistribution: 200 partitions, RF 2, 4 brokers."""
    got = Counter(tuple(r) for r in place_replicas(200, 2, _brokers(4), JavaMockRandom()))
    assert got == {(0, 1): 14, (0, 2): 22, (0, 3): 14, (1, 0): 17, (1, 2): 17, (1, 3): 16,
                   (2, 0): 13, (2, 1): 17, (2, 3): 20, (3, 0): 20, (3, 1): 19, (3, 2): 11}


def test_avoid_fenced_replica_on_single_rack_matches_kafka():
    """testAvoidFencedReplicaIfPossibleOnSingleRack, through the public entry point (RF 4, broker 1 fenced)."""
    got = place_replicas(5, 4, [(3, None), (1, None), (0, None), (4, None), (2, None)], JavaMockRandom(),
                         fenced=[1])
    assert got == [[3, 4, 0, 2], [4, 0, 2, 3], [0, 2, 3, 4], [2, 3, 4, 0], [0, 4, 3, 2]]


def test_placement_on_fenced_replica_when_needed_matches_kafka():
    """testPlacementOnFencedReplicaOnSingleRack: RF 3 on 3 brokers forces the fenced one in, never as leader."""
    got = place_replicas(4, 3, [(3, None), (1, None), (2, None)], JavaMockRandom(), fenced=[1])
    assert got == [[3, 2, 1], [2, 3, 1], [3, 2, 1], [2, 3, 1]]


def test_multiple_racks_matches_kafka():
    """testRackListWithMultipleRacks: racks 1,2,3; broker 20 fenced."""
    brokers = [(11, "1"), (10, "1"), (30, "3"), (31, "3"), (21, "2"), (20, "2")]
    got = place_replicas(3, 4, brokers, JavaMockRandom(), fenced=[20])
    assert got == [[11, 21, 31, 10], [21, 30, 10, 20], [31, 11, 21, 30]]


def test_racks_with_mostly_fenced_brokers_matches_kafka():
    """testRackListWithInvalidRacks: racks 2 and 3 entirely fenced."""
    brokers = [(11, "1"), (10, "1"), (30, "3"), (31, "3"), (20, "2"), (21, "2"), (41, "4"), (40, "4")]
    got = place_replicas(3, 4, brokers, JavaMockRandom(), fenced=[30, 31, 20, 21, 40])
    assert got == [[41, 11, 21, 30], [10, 20, 31, 41], [41, 21, 30, 11]]


def test_single_unfenced_broker_matches_kafka():
    """testMultiPartitionTopicPlacementOnSingleUnfencedBroker."""
    assert place_replicas(3, 1, [(0, None), (1, None)], JavaMockRandom(), fenced=[1]) == [[0], [0], [0]]


# ---- errors ------------------------------------------------------------------------------------

def test_replication_factor_above_broker_count():
    """CreateTopics wraps the placer's text: 'Unable to replicate the partition 3 time(s): ...'."""
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas(1, 3, _brokers(2), random.Random(0))
    err = info.value.args[0]
    assert err.code() == Err.INVALID_REPLICATION_FACTOR == 38
    assert err.str() == ("Unable to replicate the partition 3 time(s): The target replication factor of 3 "
                         "cannot be reached because only 2 broker(s) are registered.")


def test_create_partitions_gets_the_bare_placer_message():
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas(1, 3, _brokers(2), random.Random(0), start_partition=4)
    assert info.value.args[0].str() == ("The target replication factor of 3 cannot be reached because only "
                               "2 broker(s) are registered.")


def test_all_brokers_fenced():
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas(1, 1, [(11, "1"), (10, "1")], random.Random(0), fenced=[10, 11])
    assert info.value.args[0].str() == "Unable to replicate the partition 1 time(s): All brokers are currently fenced."


@pytest.mark.parametrize("rf", [0, -1, -5])
def test_non_positive_replication_factor(rf):
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas(1, rf, _brokers(3), random.Random(0))
    assert info.value.args[0].str() == "Replication factor must be larger than 0, or -1 to use the default value."


@pytest.mark.parametrize("n", [0, -3])
def test_non_positive_partitions(n):
    with pytest.raises(InvalidPartitionsException) as info:
        place_replicas(n, 1, _brokers(3), random.Random(0))
    assert info.value.args[0].code() == Err.INVALID_PARTITIONS == 37
    assert info.value.args[0].str() == "Number of partitions was set to an invalid non-positive value."


def test_replication_factor_is_checked_before_partitions():
    with pytest.raises(InvalidReplicationFactorException):
        place_replicas(0, 0, _brokers(3), random.Random(0))


# ---- properties ----------------------------------------------------------------------------------

cluster = st.tuples(
    st.integers(min_value=1, max_value=9),  # brokers
    st.sampled_from([None, 2, 3]),  # racks
    st.integers(min_value=0, max_value=2**32),  # seed
)


@settings(max_examples=150, deadline=None)
@given(cluster, st.data())
def test_each_partition_gets_rf_distinct_brokers_and_an_unfenced_leader(c, data):
    n, racks, seed = c
    brokers = _brokers(n, racks)
    rf = data.draw(st.integers(min_value=1, max_value=n))
    partitions = data.draw(st.integers(min_value=1, max_value=40))
    fenced = set(data.draw(st.lists(st.sampled_from([b for b, _ in brokers]), max_size=n - 1)))
    result = place_replicas(partitions, rf, brokers, random.Random(seed), fenced=fenced)
    assert len(result) == partitions
    ids = {b for b, _ in brokers}
    for replicas in result:
        assert len(replicas) == rf == len(set(replicas))
        assert set(replicas) <= ids
        assert replicas[0] not in fenced


@settings(max_examples=150, deadline=None)
@given(cluster, st.data())
def test_each_partition_spans_min_rf_racks(c, data):
    n, racks, seed = c
    racks = racks or 1
    brokers = _brokers(n, racks)
    rf = data.draw(st.integers(min_value=1, max_value=n))
    rack_of = dict(brokers)
    distinct_racks = len(set(rack_of.values()))
    for replicas in place_replicas(data.draw(st.integers(1, 30)), rf, brokers, random.Random(seed)):
        assert len({rack_of[b] for b in replicas}) == min(rf, distinct_racks)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=6),
       st.integers(min_value=0, max_value=2**32), st.data())
def test_leaders_even_without_racks(n, rounds, seed, data):
    """Without racks every broker leads once per round of n partitions, so counts are equal.

    (With racks Kafka's placer is not perfectly even: after the reshuffle at the end of a round
    a rack whose broker list was last used at epoch 0 yields nobody, and the leader moves to the
    next rack.  The Kafka vectors above include that behaviour.)
    """
    rf = data.draw(st.integers(min_value=1, max_value=n))
    brokers = _brokers(n)
    random.Random(seed).shuffle(brokers)  # registration order must not matter
    result = place_replicas(n * rounds, rf, brokers, random.Random(seed))
    leaders = Counter(r[0] for r in result)
    counts = [leaders.get(b, 0) for b, _ in brokers]
    assert max(counts) - min(counts) <= 1
    replicas = Counter(b for r in result for b in r)
    assert set(replicas.values()) == {rounds * rf}


@given(st.integers(min_value=0, max_value=2**32))
def test_same_seed_same_placement(seed):
    brokers = _brokers(6, 3)
    a = place_replicas(12, 3, brokers, random.Random(seed))
    b = place_replicas(12, 3, brokers, random.Random(seed))
    assert a == b


def test_different_seeds_start_in_different_places():
    starts = {tuple(place_replicas(1, 3, _brokers(6), random.Random(seed))[0]) for seed in range(50)}
    assert len(starts) > 1


def test_added_partitions_continue_the_stripe():
    """With ``existing`` (newer Kafka), new leaders continue after the last existing partition's leader."""
    existing = [[2, 3, 0], [3, 0, 1]]
    new = place_replicas(2, 3, _brokers(4), random.Random(1), start_partition=2, existing=existing)
    assert [r[0] for r in new] == [0, 1]
    assert new[0] == [0, 1, 2]


def test_added_partitions_continue_across_racks():
    brokers = _brokers(6, 3)  # rack0: 0,3  rack1: 1,4  rack2: 2,5
    first = place_replicas(3, 2, brokers, random.Random(5))
    more = place_replicas(3, 2, brokers, random.Random(99), start_partition=3, existing=first)
    rack_of = dict(brokers)
    last_leader_rack = int(rack_of[first[-1][0]][-1])
    assert rack_of[more[0][0]] == f"rack{(last_leader_rack + 1) % 3}"


def test_does_not_touch_global_random():
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    place_replicas(10, 2, _brokers(4), random.Random(0))
    assert random.random() == expected


# ---- the pre-KRaft algorithm (core/src/test/scala/unit/kafka/admin/AdminRackAwareTest.scala) -----

def test_legacy_rack_unaware_matches_kafka():
    """AdminRackAwareTest.testReplicaAssignment: brokers 0..4, 10 partitions, RF 3, fixed start 0."""
    got = place_replicas_legacy(10, 3, _brokers(5), random.Random(0), -1, fixed_start_index=0)
    assert got == [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
                   [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2]]


def test_legacy_rack_alternated_list_matches_kafka():
    """testGetRackAlternatedBrokerListAndAssignReplicasToBrokers."""
    rack_map = {0: "rack1", 1: "rack3", 2: "rack3", 3: "rack2", 4: "rack2", 5: "rack1"}
    assert rack_alternated_broker_list(list(rack_map.items())) == [0, 3, 1, 5, 4, 2]
    del rack_map[5]
    assert rack_alternated_broker_list(list(rack_map.items())) == [0, 3, 1, 4, 2]


def test_legacy_rack_aware_matches_kafka():
    rack_map = {0: "rack1", 1: "rack3", 2: "rack3", 3: "rack2", 4: "rack2", 5: "rack1"}
    got = place_replicas_legacy(7, 3, list(rack_map.items()), random.Random(0), 0, fixed_start_index=0)
    assert got == [[0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3], [0, 4, 2]]


def test_legacy_uses_two_random_draws():
    rng = random.Random(42)
    place_replicas_legacy(3, 2, _brokers(5), rng)
    twin = random.Random(42)
    twin.randrange(5)
    twin.randrange(5)
    assert rng.random() == twin.random()


def test_legacy_errors():
    with pytest.raises(InvalidPartitionsException) as info:
        place_replicas_legacy(0, 1, _brokers(3), random.Random(0))
    assert info.value.args[0].str() == "Number of partitions must be larger than 0."
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas_legacy(1, 0, _brokers(3), random.Random(0))
    assert info.value.args[0].str() == "Replication factor must be larger than 0."
    with pytest.raises(InvalidReplicationFactorException) as info:
        place_replicas_legacy(1, 6, _brokers(5), random.Random(0))
    assert info.value.args[0].str() == "Replication factor: 6 larger than available brokers: 5."
    with pytest.raises(KafkaException) as info:
        place_replicas_legacy(2, 2, [(0, "rack1"), (1, None), (2, "rack2")], random.Random(0))
    assert info.value.args[0].str() == "Not all brokers have rack information for replica rack aware assignment."


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9), st.sampled_from([None, 2, 3]), st.integers(0, 2**32), st.data())
def test_legacy_properties(n, racks, seed, data):
    rf = data.draw(st.integers(1, n))
    brokers = _brokers(n, racks)
    result = place_replicas_legacy(n * 2, rf, brokers, random.Random(seed))
    rack_of = dict(brokers)
    distinct_racks = len(set(rack_of.values()))
    for replicas in result:
        assert len(set(replicas)) == rf
        if racks is not None:
            assert len({rack_of[b] for b in replicas}) == min(rf, distinct_racks)
    leaders = Counter(r[0] for r in result)
    assert set(leaders.values()) == {2}
