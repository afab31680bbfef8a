"""kafkalab.groups.assignors against Apache Kafka's own Java assignors.

The vectors in ``tests/data/oracle/kafka-java-assignors.json`` were computed by running Kafka's
``RangeAssignor``, ``RoundRobinAssignor``, ``StickyAssignor`` and ``CooperativeStickyAssignor``
in a JVM; every test reads them through the ``oracle`` fixture and never copies a number.
"""
from __future__ import annotations

import copy
import functools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafkalab.groups import assignors as A
from oracle import load_oracle, oracle_path

VECTORS = "kafka-java-assignors.json"
STICKY = ("sticky", "cooperative-sticky")


# ---------------------------------------------------------------------------------------------
# oracle plumbing
# ---------------------------------------------------------------------------------------------

@functools.cache
def _vector_index() -> tuple:
    """(id, assignor, path, has follow-up rounds) of every vector, for parametrisation."""
    return tuple(
        (v["id"], v["assignor"], v["output"].get("path"), bool(v["output"].get("follow_up_rounds")))
        for v in load_oracle(VECTORS)["vectors"]
    )


_SELECTIONS = {
    "vector_id": lambda a, path, rounds: True,
    "exact_vector_id": lambda a, path, rounds: path != "general",
    "general_vector_id": lambda a, path, rounds: path == "general",
    "sticky_vector_id": lambda a, path, rounds: a in STICKY,
    "coop_vector_id": lambda a, path, rounds: a == "cooperative-sticky",
}


def pytest_generate_tests(metafunc):
    for name, keep in _SELECTIONS.items():
        if name in metafunc.fixturenames:
            ids = [vid for vid, a, path, rounds in _vector_index() if keep(a, path, rounds)]
            metafunc.parametrize(name, ids, ids=ids)


@pytest.fixture(scope="session")
def vectors(oracle) -> dict:
    """The assignor vectors by id, parsed once per session."""
    return {v["id"]: v for v in oracle(VECTORS)["vectors"]}


def norm(assignment: dict) -> dict:
    """Drop empty topic lists and sort partitions, like the oracle's normalised output."""
    return {m: {t: sorted(ps) for t, ps in (tps or {}).items() if ps} for m, tps in assignment.items()}


def run(vector: dict) -> dict:
    inp = copy.deepcopy(vector["input"])
    return A.assign(vector["assignor"], inp["topics"], inp["members"])


def pairs(assignment: dict) -> list:
    return sorted((t, p) for tps in assignment.values() for t, ps in tps.items() for p in ps)


def counts(assignment: dict) -> Counter:
    return Counter(sum(len(ps) for ps in tps.values()) for tps in assignment.values())


def kept(members: dict, assignment: dict) -> int:
    n = 0
    for m, tps in assignment.items():
        owned = members.get(m, {}).get("owned", {})
        n += sum(len(set(ps) & set(owned.get(t, []))) for t, ps in tps.items())
    return n


# ---------------------------------------------------------------------------------------------
# the oracle vectors
# ---------------------------------------------------------------------------------------------

def test_oracle_file_covers_all_four_assignors(vectors):
    assert Counter(v["assignor"] for v in vectors.values()) == Counter(
        {name: len(vectors) // 4 for name in A.ASSIGNORS})


def test_exact_match(vectors, exact_vector_id):
    """Range, roundrobin and the sticky constrained path are deterministic functions of their input:
    "a simulator should match them exactly" (oracle README)."""
    v = vectors[exact_vector_id]
    assert norm(run(v)) == norm(v["output"]["assignment"])


def test_general_path_properties(vectors, general_vector_id):
    """General path: "every partition is assigned exactly once, each member only gets topics it subscribes
    to, the balance is the same as Kafka's ..., and the simulator keeps at least as many previously owned
    partitions as Kafka did" (oracle README)."""
    v = vectors[general_vector_id]
    members = v["input"]["members"]
    got, want = norm(run(v)), norm(v["output"]["assignment"])
    assert set(got) == set(members)
    assert all(t in members[m]["topics"] for m, tps in got.items() for t in tps)
    assert pairs(got) == pairs(want)
    assert counts(got) == counts(want)
    assert kept(members, got) >= kept(members, want)


def test_general_path_exact(vectors, general_vector_id):
    """Bonus: emulating Java's HashSet<TopicPartition> iteration order reproduces Kafka's choice exactly."""
    v = vectors[general_vector_id]
    assert norm(run(v)) == norm(v["output"]["assignment"])


def test_every_member_present(vectors, vector_id):
    """Members that get nothing appear with ``{}``; partitions are sorted."""
    v = vectors[vector_id]
    got = run(v)
    assert set(got) == set(v["input"]["members"])
    assert all(ps == sorted(ps) and ps for tps in got.values() for ps in tps.values())


def test_sticky_path_and_java_member_order(vectors, sticky_vector_id):
    """The constrained path walks members "in Java HashMap iteration order of member ids"."""
    v = vectors[sticky_vector_id]
    inp, out = v["input"], v["output"]
    assert A.sticky_path(inp["topics"], inp["members"]) == out["path"]
    assert A.java_hashmap_order(list(inp["members"])) == out["java_member_iteration_order"]


def test_cooperative_rebalance_record(vectors, coop_vector_id):
    """KIP-429: the first round withholds partitions another member still owns; members revoke,
    rejoin at the next generation, and the rounds repeat until nothing more needs revoking."""
    v = vectors[coop_vector_id]
    inp, out = copy.deepcopy(v["input"]), v["output"]
    got = A.cooperative_rebalance(inp["topics"], inp["members"])
    assert got["path"] == out["path"]
    assert got["java_member_iteration_order"] == out["java_member_iteration_order"]
    for key in ("assignment", "revoked", "target", "withheld", "final"):
        assert norm(got[key]) == norm(out[key]), key
    assert got["first_round_subset_of_target"] == out["first_round_subset_of_target"]
    assert got["final_equals_target"] == out["final_equals_target"]
    want_rounds = out["follow_up_rounds"]
    got_rounds = A.cooperative_rounds(inp["topics"], inp["members"])
    assert [r["generation"] for r in got_rounds] == [r["generation"] for r in want_rounds]
    assert [r["path"] for r in got_rounds] == [r["path"] for r in want_rounds]
    assert [norm(r["assignment"]) for r in got_rounds] == [norm(r["assignment"]) for r in want_rounds]
    assert [norm(r["revoked"]) for r in got_rounds] == [norm(r["revoked"]) for r in want_rounds]


def test_sticky_target_is_the_sticky_assignment(vectors, coop_vector_id):
    """Both sticky assignors run AbstractStickyAssignor; cooperative-sticky only withholds afterwards."""
    v = vectors[coop_vector_id]
    inp = copy.deepcopy(v["input"])
    target = A.sticky_target(inp["topics"], inp["members"])
    assert norm(target) == norm(v["output"]["target"])
    assert norm(target) == norm(A.assign("sticky", inp["topics"], inp["members"]))


def test_inputs_are_not_mutated(vectors):
    for v in list(vectors.values())[::7]:
        before = copy.deepcopy(v["input"])
        A.assign(v["assignor"], v["input"]["topics"], v["input"]["members"])
        if v["assignor"] == "cooperative-sticky":
            A.cooperative_rebalance(v["input"]["topics"], v["input"]["members"])
        assert v["input"] == before


_DIGEST_SCRIPT = """
import hashlib, json, sys
from kafkalab.groups import assignors as A
vectors = json.load(open(sys.argv[1]))["vectors"]
out = []
for v in vectors:
    t, m = v["input"]["topics"], v["input"]["members"]
    out.append(A.assign(v["assignor"], t, m))
    if v["assignor"] == "cooperative-sticky":
        out.append(A.cooperative_rebalance(t, m))
    out.append(A.assign_server_side("uniform", t, m))
print(hashlib.sha256(json.dumps(out).encode()).hexdigest())
"""


def test_deterministic_across_interpreter_hash_seeds():
    """Same input, byte-identical output, whatever ``PYTHONHASHSEED`` the interpreter runs with."""
    path = str(oracle_path(VECTORS))
    repo = str(Path(__file__).resolve().parents[1])
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=repo + os.pathsep + os.environ.get("PYTHONPATH", ""))
        run_ = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT, path], env=env, capture_output=True, text=True,
                              check=True)
        digests.add(run_.stdout.strip())
    assert len(digests) == 1


# ---------------------------------------------------------------------------------------------
# documented behaviour, small hand-made cases
# ---------------------------------------------------------------------------------------------

def test_unknown_assignor_names_the_valid_ones():
    with pytest.raises(ValueError) as err:
        A.assign("sticy", {"t": 1}, {"C0": {"topics": ["t"]}})
    for name in A.ASSIGNORS:
        assert repr(name) in str(err.value)
    with pytest.raises(ValueError) as err:
        A.assign_server_side("cooperative-sticky", {"t": 1}, {"C0": {"topics": ["t"]}})
    assert "'uniform'" in str(err.value) and "'range'" in str(err.value)
    with pytest.raises(ValueError):
        A.get_assignor("bogus")


def test_java_string_hash():
    """``String.hashCode``: s[0]*31^(n-1) + ... + s[n-1] in signed 32-bit arithmetic over UTF-16 units."""
    assert A.java_string_hash("") == 0
    assert A.java_string_hash("a") == 97
    assert A.java_string_hash("C3") == 67 * 31 + 51
    assert A.java_string_hash("polygenelubricants") == -(2 ** 31)  # overflows to Integer.MIN_VALUE
    assert A.java_string_hash("\U0001F600") == 0xD83D * 31 + 0xDE00  # a surrogate pair
    for s in ("orders", "C10", "group-1", "ünïcødé"):
        h = 0
        for unit in [int.from_bytes(s.encode("utf-16-be")[i:i + 2], "big") for i in range(0, 2 * len(s), 2)]:
            h = (31 * h + unit) % 2 ** 32
        assert A.java_string_hash(s) == (h - 2 ** 32 if h >= 2 ** 31 else h)


def test_java_hashmap_order_buckets_then_insertion():
    """'"C3" hashes to bucket 0' (oracle README, join-3c-to-4c-9p), so it comes first."""
    assert A.java_hashmap_order(["C1", "C2", "C3"]) == ["C3", "C1", "C2"]
    # same bucket: insertion order decides
    assert A.java_hashmap_order(["Aa", "BB"]) == ["Aa", "BB"]  # equal String.hashCode
    assert A.java_hashmap_order(["BB", "Aa"]) == ["BB", "Aa"]
    # 13 keys resize the table from 16 to 32 buckets
    ids = [f"C{i}" for i in range(13)]
    order = A.java_hashmap_order(ids)
    assert sorted(order) == sorted(ids)
    buckets = [(A.java_string_hash(k) ^ (A.java_string_hash(k) >> 16)) & 31 for k in order]
    assert buckets == sorted(buckets)


def test_range_favours_the_same_members_on_every_topic():
    got = A.assign("range", {"t0": 3, "t1": 3}, {m: {"topics": ["t0", "t1"]} for m in ("C0", "C1")})
    assert got == {"C0": {"t0": [0, 1], "t1": [0, 1]}, "C1": {"t0": [2], "t1": [2]}}


def test_static_members_sort_first_for_range_but_not_sticky():
    """Range and roundrobin put static members (``group.instance.id``) first; sticky sorts by member id only."""
    members = {"A": {"topics": ["t"]}, "Z": {"topics": ["t"], "instance_id": "i-0"}}
    assert A.assign("range", {"t": 2}, members) == {"A": {"t": [1]}, "Z": {"t": [0]}}
    assert A.assign("roundrobin", {"t": 2}, members) == {"A": {"t": [1]}, "Z": {"t": [0]}}
    assert A.assign("sticky", {"t": 2}, members) == {"A": {"t": [0]}, "Z": {"t": [1]}}


def test_missing_topics_are_skipped_and_spare_members_get_nothing():
    members = {f"C{i}": {"topics": ["t", "gone"]} for i in range(4)}
    for name in A.ASSIGNORS:
        got = A.assign(name, {"t": 2}, members)
        assert sorted(counts(got).elements()) == [0, 0, 1, 1]
        assert all(set(tps) <= {"t"} for tps in got.values())


def test_empty_group():
    for name in A.ASSIGNORS:
        assert A.assign(name, {"t": 3}, {}) == {}
    assert A.cooperative_rounds({"t": 3}, {}) == []


def test_assignor_objects_follow_the_style_guide_shape():
    members = {"C0": {"topics": ["t"]}, "C1": {"topics": ["t"]}}
    for name in A.ASSIGNORS:
        assignor = A.get_assignor(name)
        assert assignor.name == name
        got = assignor.assign({"t": 3}, members)
        assert sorted(tp for tps in got.values() for tp in tps) == [A.TopicPartition("t", p) for p in range(3)]
    assert A.RangeServerAssignor().assign({"t": 2}, members) == {
        "C0": [A.TopicPartition("t", 0)], "C1": [A.TopicPartition("t", 1)]}


def test_kafka_quirk_stale_claim_can_hand_out_an_unsubscribed_topic():
    """Kafka's general path moves a partition back to its older-generation owner from
    ``prevAssignment`` without checking that owner's subscription (AbstractStickyAssignor,
    performReassignments).  C1 (generation 1) still lists t1-0 although it now subscribes only to
    t0; C2 took both t1 partitions, so Kafka hands t1-0 back to C1.  The real consumer then sees an
    assignment that does not match its subscription and rejoins."""
    topics = {"t0": 2, "t1": 2}
    members = {
        "C0": {"topics": ["t0", "t1"], "owned": {"t0": [0, 1]}, "generation": 2},
        "C1": {"topics": ["t0"], "owned": {"t1": [0]}, "generation": 1},
        "C2": {"topics": ["t0", "t1"], "owned": {}, "generation": 3},
    }
    assert A.assign("sticky", topics, members) == {"C0": {"t0": [0, 1]}, "C1": {"t1": [0]}, "C2": {"t1": [1]}}


def test_kafka_null_pointer_case_still_gives_a_valid_assignment():
    """Here Kafka's general path throws a NullPointerException: X, the older owner of shared-0, only
    subscribes to a topic nobody else wants, so it is left out of the reassignment maps, yet the
    move-back-to-the-previous-owner shortcut looks it up.  kafkalab skips that shortcut
    (``# Simplification:``) and returns a valid, balanced assignment."""
    topics = {"solo": 1, "shared": 4}
    members = {
        "X": {"topics": ["solo"], "owned": {"shared": [0]}, "generation": 1},
        "Y": {"topics": ["shared"], "owned": {"shared": [0, 1, 2, 3]}, "generation": 2},
        "Z": {"topics": ["shared"], "owned": {}, "generation": 2},
    }
    got = A.assign("sticky", topics, members)
    check_common("sticky", topics, members, got)
    assert got["X"] == {"solo": [0]}
    assert len(got["Y"]["shared"]) == len(got["Z"]["shared"]) == 2


# ---------------------------------------------------------------------------------------------
# KIP-848 server-side assignors
# ---------------------------------------------------------------------------------------------

def test_server_side_range_co_partitions():
    members = {m: {"topics": ["orders", "payments"]} for m in ("A", "B", "C")}
    got = A.assign_server_side("range", {"orders": 7, "payments": 7}, members)
    assert all(tps["orders"] == tps["payments"] for tps in got.values())
    assert got == A.assign("range", {"orders": 7, "payments": 7}, members)


def test_server_side_uniform_is_balanced_and_sticky():
    topics = {"a": 5, "b": 7}
    members = {f"M{i}": {"topics": ["a", "b"]} for i in range(3)}
    first = A.assign_server_side("uniform", topics, members)
    assert sorted(counts(first).elements()) == [4, 4, 4]
    survivors = {m: dict(spec, owned=first[m]) for m, spec in members.items() if m != "M0"}
    second = A.assign_server_side("uniform", topics, survivors)
    assert sorted(counts(second).elements()) == [6, 6]
    for m in survivors:  # survivors keep everything they had
        assert all(set(ps) <= set(second[m].get(t, ())) for t, ps in first[m].items())


def test_server_side_uniform_heterogeneous():
    topics = {"a": 6, "b": 3, "c": 4}
    members = {"M1": {"topics": ["a", "b"]}, "M2": {"topics": ["a", "b", "c"]}, "M3": {"topics": ["c"]}}
    got = A.assign_server_side("uniform", topics, members)
    assert pairs(got) == sorted((t, p) for t, n in topics.items() for p in range(n))
    assert all(t in members[m]["topics"] for m, tps in got.items() for t in tps)
    assert max(counts(got)) - min(counts(got)) <= 1


# ---------------------------------------------------------------------------------------------
# properties (hypothesis)
# ---------------------------------------------------------------------------------------------

@st.composite
def groups(draw, same_subscriptions=False):
    """A random group: topics, members with subscriptions, owned partitions (possibly contested)
    and generations.  Members only claim partitions of topics they subscribe to, as real consumers do
    (see test_kafka_quirk_stale_claim_can_hand_out_an_unsubscribed_topic for the other case)."""
    names = [f"t{i}" for i in range(draw(st.integers(1, 4)))]
    topics = {t: draw(st.integers(1, 9)) for t in names}
    if draw(st.booleans()):
        topics["empty"] = 0
    ids = draw(st.lists(st.sampled_from([f"C{i}" for i in range(12)] + ["Aa", "BB", "m-1"]),
                        min_size=1, max_size=7, unique=True))
    common = draw(st.lists(st.sampled_from(names + ["missing"]), min_size=1, unique=True))
    members = {}
    for m in ids:
        subs = common if same_subscriptions else draw(st.lists(st.sampled_from(names + ["missing"]), min_size=1,
                                                              unique=True))
        owned = {}
        for t in subs:
            if t in topics and draw(st.booleans()):
                owned[t] = draw(st.lists(st.integers(0, topics[t] - 1), unique=True, max_size=topics[t]))
        spec = {"topics": list(subs), "owned": owned, "generation": draw(st.sampled_from([-1, 1, 2, 3]))}
        if draw(st.integers(0, 4)) == 0:
            spec["instance_id"] = f"i-{draw(st.integers(0, 9))}"
        members[m] = spec
    return topics, members


def check_common(name, topics, members, got):
    assert set(got) == set(members)
    seen = pairs(got)
    assert len(seen) == len(set(seen)), "a partition has two owners"
    assert all(t in members[m]["topics"] and 0 <= p < topics[t] for m, tps in got.items() for t, ps in tps.items()
               for p in ps), "assigned outside the subscription"
    if name != "cooperative-sticky":
        wanted = {t for spec in members.values() for t in spec["topics"] if topics.get(t, 0) > 0}
        assert seen == sorted((t, p) for t in wanted for p in range(topics[t])), "not every partition assigned"


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(groups(), st.sampled_from(A.ASSIGNORS))
def test_property_valid_and_deterministic(group, name):
    topics, members = group
    before = copy.deepcopy(members)
    got = A.assign(name, topics, members)
    check_common(name, topics, members, got)
    assert members == before
    assert A.assign(name, copy.deepcopy(topics), copy.deepcopy(members)) == got


@PROPS
@given(groups(same_subscriptions=True), st.sampled_from(("roundrobin", "sticky")))
def test_property_identical_subscriptions_balance_within_one(group, name):
    topics, members = group
    got = A.assign(name, topics, members)
    sizes = [sum(len(ps) for ps in tps.values()) for tps in got.values()]
    assert max(sizes) - min(sizes) <= 1


@PROPS
@given(groups(same_subscriptions=True))
def test_property_range_balances_each_topic(group):
    topics, members = group
    got = A.assign("range", topics, members)
    for t in topics:
        sizes = [len(tps.get(t, ())) for tps in got.values()]
        assert max(sizes) - min(sizes) <= 1


@PROPS
@given(groups())
def test_property_cooperative_never_hands_out_a_partition_someone_else_owns(group):
    """KIP-429: a partition can only move after its owner has revoked it."""
    topics, members = group
    record = A.cooperative_rebalance(topics, members)
    first, target = record["assignment"], record["target"]
    check_common("cooperative-sticky", topics, members, first)
    check_common("sticky", topics, members, target)
    assert record["first_round_subset_of_target"]
    for m, tps in first.items():
        for t, ps in tps.items():
            new = set(ps) - set(members[m]["owned"].get(t, ()))
            for o, spec in members.items():
                if o != m:
                    assert not new & set(spec["owned"].get(t, ())), (m, o, t)
    final = record["final"]
    check_common("sticky", topics, members, final)
    if record["follow_up_rounds"]:
        assert final == record["follow_up_rounds"][-1]["assignment"]
        assert not any(record["follow_up_rounds"][-1]["revoked"].values())
    if len({frozenset(spec["topics"]) for spec in members.values()}) == 1:
        sizes = [sum(len(ps) for ps in tps.values()) for tps in final.values()]
        assert max(sizes) - min(sizes) <= 1


@PROPS
@given(groups(), st.sampled_from(A.SERVER_SIDE_ASSIGNORS))
def test_property_server_side(group, name):
    topics, members = group
    got = A.assign_server_side(name, topics, members)
    check_common(name, topics, members, got)
    assert A.assign_server_side(name, topics, members) == got
    if name == "uniform" and len({frozenset(spec["topics"]) for spec in members.values()}) == 1:
        sizes = [sum(len(ps) for ps in tps.values()) for tps in got.values()]
        assert max(sizes) - min(sizes) <= 1
