"""kafkalab.partitioners against the real clients: Kafka's Java murmur2 and librdkafka 2.16.0's partitioners.

Every expected partition comes from ``tests/data/oracle`` through the ``oracle`` fixture; the tests
never hard-code an oracle number.
"""
from __future__ import annotations

import itertools
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafkalab.errors import ConfigException, Err, KafkaException
from kafkalab.partitioners import (
    DETERMINISTIC_PARTITIONERS,
    LIBRDKAFKA_PARTITIONERS,
    PARTITIONERS,
    Partitioner,
    crc32,
    fnv1a,
    murmur2,
    partition_for_key,
    to_positive,
)

MURMUR2 = "kafka-java-murmur2.json"
LIBRDKAFKA = "librdkafka-partitioner.json"


class RecordingRandom(random.Random):
    """A seeded ``random.Random`` that remembers every partition it drew, to see *when* draws happen."""

    def __init__(self, seed: int = 0):
        super().__init__(seed)
        self.draws: list[int] = []

    def randrange(self, *args, **kwargs):
        value = super().randrange(*args, **kwargs)
        self.draws.append(value)
        return value


def java_key_bytes(inp: dict) -> bytes:
    """The bytes Kafka's serializers produce for a murmur2 vector's input (see the oracle README)."""
    kind = inp["kind"]
    if kind == "utf8":
        return inp["value"].encode("utf-8")
    if kind == "int32":
        return struct.pack(">i", inp["value"])
    if kind == "int64":
        return struct.pack(">q", inp["value"])
    assert kind == "bytes", kind
    return bytes.fromhex(inp["hex"])


def switches(partitions: list[int]) -> int:
    return sum(a != b for a, b in itertools.pairwise(partitions))


def reference_murmur2(data: bytes) -> int:
    """Kafka's murmur2 written the slow, obvious way (one word at a time, % 2**32), to check the fast one."""
    m = 0x5BD1E995
    h = (0x9747B28C ^ len(data)) % 2**32
    whole = len(data) - len(data) % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i:i + 4], "little") * m % 2**32
        k ^= k >> 24
        h = (h * m % 2**32) ^ (k * m % 2**32)
    if data[whole:]:
        h = (h ^ int.from_bytes(data[whole:], "little")) * m % 2**32
    h ^= h >> 13
    h = h * m % 2**32
    h ^= h >> 15
    return h - 2**32 if h >= 2**31 else h


def reference_fnv1a(data: bytes) -> int:
    """FNV-1a 32, then Sarama's fix-up: read as int32, take abs()."""
    h = 0x811C9DC5
    for b in data:
        h = (h ^ b) * 0x01000193 % 2**32
    signed = h - 2**32 if h >= 2**31 else h
    return abs(signed)


# ---------------------------------------------------------------------------------------------
# Kafka Java client: murmur2 and keyed partitioning
# ---------------------------------------------------------------------------------------------


def test_murmur2_and_to_positive_match_java_for_every_vector(oracle):
    """README: "`murmur2`: Kafka's 32-bit murmur2 of those bytes, as a **signed** Java int" and
    "`to_positive`: `murmur2 & 0x7fffffff`. This is a bit mask, not `abs()`."."""
    vectors = oracle(MURMUR2)["vectors"]
    assert len(vectors) == oracle(MURMUR2)["count"] > 0
    bad = []
    for v in vectors:
        data, out = java_key_bytes(v["input"]), v["output"]
        if data.hex() != out["key_hex"]:
            bad.append((v["id"], "key bytes", data.hex(), out["key_hex"]))
        if murmur2(data) != out["murmur2"]:
            bad.append((v["id"], "murmur2", murmur2(data), out["murmur2"]))
        if to_positive(murmur2(data)) != out["to_positive"]:
            bad.append((v["id"], "to_positive", to_positive(murmur2(data)), out["to_positive"]))
    assert bad == []


@pytest.mark.parametrize("name", ["murmur2_random", "murmur2", "java"])
def test_keyed_partition_matches_java_for_every_vector_and_count(oracle, name):
    """README: "The producer uses `(murmur2(keyBytes) & 0x7fffffff) % numPartitions`" and
    "`numPartitions` counts **all** partitions of the topic"."""
    bad = []
    for v in oracle(MURMUR2)["vectors"]:
        data = java_key_bytes(v["input"])
        for n, want in v["output"]["partition"].items():
            got = partition_for_key(data, int(n), name)
            stateful = Partitioner(name, random.Random(0)).partition("t", data, int(n), now_ms=0)
            if got != want or stateful != want:
                bad.append((v["id"], n, got, stateful, want))
    assert bad == []


def test_java_serializers_put_int_and_string_keys_on_different_hashes(oracle):
    """README: "the int `42` (`0000002a`) and the string `"42"` (`3432`) land on different partitions"."""
    by_hex = {v["output"]["key_hex"]: v["output"]["murmur2"] for v in oracle(MURMUR2)["vectors"]}
    int42, str42 = struct.pack(">i", 42), b"42"
    assert int42.hex() in by_hex and str42.hex() in by_hex
    assert murmur2(int42) == by_hex[int42.hex()] != by_hex[str42.hex()] == murmur2(str42)


# ---------------------------------------------------------------------------------------------
# librdkafka partitioners
# ---------------------------------------------------------------------------------------------


def test_partitioner_names_match_librdkafka(oracle):
    data = oracle(LIBRDKAFKA)
    assert list(LIBRDKAFKA_PARTITIONERS) == data["partitioners"]
    assert PARTITIONERS == LIBRDKAFKA_PARTITIONERS + ("java",)
    assert DETERMINISTIC_PARTITIONERS == {"consistent", "murmur2", "fnv1a"}
    for name in PARTITIONERS:
        assert Partitioner(name, random.Random(0)).deterministic == (name in DETERMINISTIC_PARTITIONERS)


@pytest.mark.parametrize("name", list(LIBRDKAFKA_PARTITIONERS))
def test_librdkafka_vectors(oracle, name):
    """Every partition librdkafka chose the same way in all passes is reproduced exactly, and every
    entry the oracle marks random (`null`) is one for which kafkalab also needs the rng."""
    data = oracle(LIBRDKAFKA)
    checked, bad = 0, []
    for n, res in data["results"][name].items():
        assert len(res["partitions"]) == len(data["keys"])
        for key, want in zip(data["keys"], res["partitions"]):
            key_bytes = key.encode("utf-8")
            if want is None:
                with pytest.raises(ValueError, match="seeded rng"):
                    partition_for_key(key_bytes, int(n), name)
                continue
            got = partition_for_key(key_bytes, int(n), name)
            stateful = Partitioner(name, random.Random(0)).partition("t", key_bytes, int(n), now_ms=0)
            checked += 1
            if got != want or stateful != want:
                bad.append((key, n, got, stateful, want))
    assert bad == []
    if name == "random":
        assert checked == 0  # librdkafka's random partitioner never repeated itself for all 5 passes
    else:
        assert checked >= len(data["keys"]) * len(data["partition_counts"]) - len(data["partition_counts"])


def test_reference_hash_functions():
    """The helpers are the hashes the oracle README names: zlib.crc32, Kafka murmur2, Sarama-style fnv1a."""
    for data in (b"", b"a", b"foobar", bytes(range(256)), b"\xff" * 7):
        assert crc32(data) == zlib.crc32(data)
        assert fnv1a(data) == reference_fnv1a(data)
        assert murmur2(data) == reference_murmur2(data)


# ---------------------------------------------------------------------------------------------
# Null and empty keys: sticky partitioning (librdkafka) against the oracle's null_key_runs
# ---------------------------------------------------------------------------------------------


def expected_behaviour(name: str, key: str | None, linger_ms: int) -> str:
    """The oracle README's table, restated: "fixed", "sticky" or "per-message"."""
    if name in ("consistent", "murmur2", "fnv1a"):
        return "fixed"  # null keys hashed as empty, empty keys hashed
    if key == "":
        if name == "consistent_random":
            return "sticky" if linger_ms > 0 else "per-message"
        return "per-message" if name == "random" else "fixed"
    return "sticky" if linger_ms > 0 else "per-message"  # null key, any non-deterministic partitioner


def replay_run(run: dict, seed: int) -> tuple[list[int], RecordingRandom]:
    """Produce the run's messages through kafkalab: a burst at one instant, or one every 30 ms."""
    rng = RecordingRandom(seed)
    p = Partitioner(run["partitioner"], rng, sticky_linger_ms=run["sticky.partitioning.linger.ms"])
    key = None if run["key"] is None else run["key"].encode()
    step = 0 if run["mode"] == "burst" else 30
    out = [p.partition("t", key, run["partition_count"], now_ms=1000 + i * step) for i in range(run["messages"])]
    return out, rng


def test_null_key_runs_match_librdkafka(oracle):
    """README: "a burst of 200 null-key messages lands on one partition (sometimes two, when the burst
    crosses an interval boundary), messages 30 ms apart spread over all partitions. With
    `sticky.partitioning.linger.ms=0` null keys are random per message." and "Sticky partitioning
    applies to every partitioner except the three deterministic ones"."""
    runs = oracle(LIBRDKAFKA)["null_key_runs"]
    assert runs
    seen = set()
    for i, run in enumerate(runs):
        name, n, messages = run["partitioner"], run["partition_count"], run["messages"]
        linger = run["sticky.partitioning.linger.ms"]
        kind = expected_behaviour(name, run["key"], linger)
        seen.add((kind, run["mode"]))
        ours, rng = replay_run(run, seed=i)
        label = (name, n, run["key"], run["mode"], linger)
        assert sum(run["histogram"].values()) == messages, label
        if kind == "fixed":
            key = None if run["key"] is None else run["key"].encode()
            want = partition_for_key(key, n, name)
            assert run["distinct_partitions"] == [want] and run["partition_switches"] == 0, label
            assert set(ours) == {want} and rng.draws == [], label
        elif kind == "sticky" and run["mode"] == "burst":
            assert len(run["distinct_partitions"]) <= 2 and run["partition_switches"] <= 1, label
            assert len(set(ours)) == 1 and len(rng.draws) == 1, label
        else:  # spaced 30 ms > 10 ms linger, or random per message: a fresh draw for every message
            assert run["partition_switches"] > messages // 2, label
            assert len(run["distinct_partitions"]) > 1, label
            assert len(rng.draws) == messages and ours == rng.draws, label
            assert switches(ours) > messages // 2 and len(set(ours)) > 1, label
    assert {("fixed", "burst"), ("sticky", "burst"), ("sticky", "spaced"), ("per-message", "burst")} <= seen


@pytest.mark.parametrize("name", ["consistent_random", "murmur2_random", "fnv1a_random", "random"])
def test_sticky_partition_is_redrawn_only_after_linger_ms(name):
    """librdkafka redraws when more than sticky.partitioning.linger.ms has passed since the last draw
    (rd_interval: now - last - linger > 0); the timer restarts at each draw."""
    rng = RecordingRandom(7)
    p = Partitioner(name, rng, sticky_linger_ms=10)
    draw_times, partitions = [], []
    for now in range(41):
        before = len(rng.draws)
        partitions.append(p.partition("t0", None, 12, now_ms=now))
        if len(rng.draws) > before:
            draw_times.append(now)
        assert partitions[-1] == rng.draws[-1] == p.sticky_partition("t0")
    assert draw_times == [0, 11, 22, 33]


def test_burst_crossing_an_interval_boundary_uses_at_most_two_partitions():
    """A burst that straddles the end of the interval gives two partitions (README: "sometimes two")."""
    rng = RecordingRandom(3)
    p = Partitioner("consistent_random", rng, sticky_linger_ms=10)
    p.partition("t", None, 12, now_ms=0)
    burst = [p.partition("t", None, 12, now_ms=5 + i // 20) for i in range(200)]  # 20 messages per ms
    assert len(rng.draws) == 2
    assert set(burst) <= set(rng.draws) and len(set(burst)) <= 2
    assert burst[:120] == [rng.draws[0]] * 120 and burst[120:] == [rng.draws[1]] * 80  # redraw at t=11


def test_sticky_redraw_can_pick_the_same_partition_again():
    """librdkafka's rd_kafka_msg_partitioner_random() is a plain uniform draw: it does not avoid the
    previous sticky partition, so some intervals "switch" to the partition they already had."""
    rng = RecordingRandom(11)
    p = Partitioner("murmur2_random", rng, sticky_linger_ms=10)
    ps = [p.partition("t", None, 2, now_ms=20 * i) for i in range(200)]
    assert len(rng.draws) == 200
    assert 0 < switches(ps) < 199


def test_empty_and_null_keys_per_partitioner():
    """README table: empty key sticky only under consistent_random; random per message under random;
    otherwise hashed.  Null key sticky except consistent/murmur2/fnv1a (hashed as empty)."""
    for name in LIBRDKAFKA_PARTITIONERS:
        rng = RecordingRandom(5)
        p = Partitioner(name, rng, sticky_linger_ms=10)
        empties = [p.partition("e", b"", 20, now_ms=0) for _ in range(100)]
        if name == "random":
            assert len(rng.draws) == 100 and empties == rng.draws
        elif name == "consistent_random":
            assert len(rng.draws) == 1 and set(empties) == {rng.draws[0]}
        else:
            assert rng.draws == [] and set(empties) == {partition_for_key(b"", 20, name)}
        rng.draws.clear()
        nulls = [p.partition("n", None, 20, now_ms=0) for _ in range(100)]
        if name in DETERMINISTIC_PARTITIONERS:
            assert rng.draws == [] and set(nulls) == {partition_for_key(b"", 20, name)}
        else:
            assert len(rng.draws) == 1 and set(nulls) == {rng.draws[0]}


def test_consistent_null_and_empty_keys_always_go_to_partition_zero():
    p = Partitioner("consistent", None)
    assert {p.partition("t", k, n, now_ms=t) for k in (None, b"") for n in (1, 3, 100) for t in (0, 50)} == {0}


@pytest.mark.parametrize("name", ["consistent_random", "murmur2_random", "fnv1a_random", "random"])
def test_zero_sticky_linger_makes_null_keys_random_per_message(name):
    rng = RecordingRandom(2)
    p = Partitioner(name, rng, sticky_linger_ms=0)
    ps = [p.partition("t", None, 6, now_ms=0) for _ in range(200)]
    assert ps == rng.draws and switches(ps) > 100


def test_random_partitioner_is_random_per_message_for_keyed_records():
    rng = RecordingRandom(4)
    p = Partitioner("random", rng, sticky_linger_ms=10)
    ps = [p.partition("t", b"same-key", 6, now_ms=0) for _ in range(200)]
    assert ps == rng.draws and len(set(ps)) == 6


def test_sticky_partitions_are_per_topic():
    rng = RecordingRandom(9)
    p = Partitioner("consistent_random", rng, sticky_linger_ms=10)
    a = [p.partition("a", None, 100, now_ms=0) for _ in range(10)]
    b = [p.partition("b", None, 100, now_ms=0) for _ in range(10)]
    assert len(rng.draws) == 2 and set(a) == {rng.draws[0]} and set(b) == {rng.draws[1]}


# ---------------------------------------------------------------------------------------------
# Java: uniform sticky partitioning (KIP-794)
# ---------------------------------------------------------------------------------------------


def test_java_null_keys_switch_after_the_record_that_reaches_batch_size():
    """KIP-794: "the partitioner ... would switch to the next partition once batch.size bytes got
    produced"; BuiltInPartitioner.updatePartitionInfo switches when producedBytes >= stickyBatchSize,
    after appending the record, so that record stays on the old partition."""
    rng = RecordingRandom(1)
    p = Partitioner("java", rng, batch_size=1000)
    ps = [p.partition("t", None, 12, now_ms=0, record_bytes=300) for _ in range(8)]
    # 300, 600, 900, 1200 -> switch after record 4; 300 .. 1200 -> switch after record 8
    assert len(rng.draws) == 3
    assert ps == [rng.draws[0]] * 4 + [rng.draws[1]] * 4
    assert p.sticky_partition("t") == rng.draws[2]


def test_java_switch_at_exactly_batch_size_and_for_an_oversized_record():
    rng = RecordingRandom(1)
    p = Partitioner("java", rng, batch_size=1000)
    ps = [p.partition("t", None, 12, now_ms=0, record_bytes=500) for _ in range(4)]
    assert ps == [rng.draws[0]] * 2 + [rng.draws[1]] * 2
    rng.draws.clear()
    big = [p.partition("u", None, 12, now_ms=0, record_bytes=5000) for _ in range(3)]
    assert big == rng.draws[:3] and len(rng.draws) == 4  # every oversized record ends its partition's turn


def test_java_switch_waits_for_twice_batch_size_while_the_batch_is_not_full():
    """BuiltInPartitioner: `producedBytes >= stickyBatchSize && enableSwitch || producedBytes >= stickyBatchSize * 2`,
    where RecordAccumulator passes enableSwitch = allBatchesFull(deque)."""
    rng = RecordingRandom(1)
    p = Partitioner("java", rng, batch_size=1000)
    ps = [p.partition("t", None, 12, now_ms=0, record_bytes=300, enable_switch=False) for _ in range(8)]
    assert ps == [rng.draws[0]] * 7 + [rng.draws[1]]  # 7 x 300 = 2100 >= 2000


def test_java_keyed_records_and_time_do_not_move_the_sticky_partition():
    rng = RecordingRandom(1)
    p = Partitioner("java", rng, sticky_linger_ms=10, batch_size=1000)
    first = p.partition("t", None, 12, now_ms=0, record_bytes=100)
    for i in range(50):  # keyed records never count towards the sticky bytes (their partition is known)
        assert p.partition("t", b"k%d" % i, 12, now_ms=1000 * i, record_bytes=10_000) == partition_for_key(
            b"k%d" % i, 12, "java")
    assert p.partition("t", None, 12, now_ms=10**6, record_bytes=100) == first  # linger.ms plays no part
    assert len(rng.draws) == 1
    assert len({p.partition("t", None, 12, now_ms=0) for _ in range(1000)}) == 1  # 0 bytes never switches


def test_java_next_partition_can_repeat_and_covers_all_partitions():
    """nextPartition() picks availablePartitions[random % size]: uniform, without excluding the current one."""
    rng = RecordingRandom(6)
    p = Partitioner("java", rng, batch_size=100)
    ps = [p.partition("t", None, 3, now_ms=0, record_bytes=100) for _ in range(300)]
    assert ps == rng.draws[:300]
    assert set(ps) == {0, 1, 2} and 0 < switches(ps) < 299


def test_java_empty_key_is_hashed_not_sticky(oracle):
    """README: "The empty key `""` is hashed normally ... A null key is not hashed"."""
    empty = next(v for v in oracle(MURMUR2)["vectors"] if v["output"]["key_hex"] == "")
    p = Partitioner("java", RecordingRandom(0))
    for n, want in empty["output"]["partition"].items():
        assert p.partition("t", b"", int(n), now_ms=0, record_bytes=10**6) == want
    assert p.rng.draws == []


# ---------------------------------------------------------------------------------------------
# Cache, determinism, errors
# ---------------------------------------------------------------------------------------------


def test_key_cache_is_bounded_and_transparent(monkeypatch):
    monkeypatch.setattr(Partitioner, "CACHE_LIMIT", 10)
    p = Partitioner("murmur2_random", random.Random(0))
    keys = [b"key-%d" % i for i in range(35)]
    for _ in range(2):
        for k in keys:
            assert p.partition("t", k, 7, now_ms=0) == partition_for_key(k, 7, "murmur2_random")
            assert len(p._cache) <= 10
    assert p.partition("t", bytearray(b"key-3"), 7, now_ms=0) == partition_for_key(b"key-3", 7, "murmur2")
    assert p.partition("t", memoryview(b"key-4"), 7, now_ms=0) == partition_for_key(b"key-4", 7, "murmur2")


def workload(seed: int) -> list[int]:
    out = []
    for name in PARTITIONERS:
        p = Partitioner(name, random.Random(seed), sticky_linger_ms=10, batch_size=500)
        for i in range(300):
            key = None if i % 3 else (b"" if i % 9 == 0 else b"k%d" % (i % 17))
            out.append(p.partition(f"t{i % 2}", key, 1 + i % 13, now_ms=i * 4, record_bytes=60))
    return out


def test_same_seed_same_partitions():
    assert workload(42) == workload(42)
    assert workload(42) != workload(43)


def test_partition_for_key_with_rng_is_reproducible():
    a = [partition_for_key(None, 50, "consistent_random", random.Random(1)) for _ in range(3)]
    assert len(set(a)) == 1
    rng1, rng2 = random.Random(8), random.Random(8)
    assert [partition_for_key(b"x", 50, "random", rng1) for _ in range(20)] == [
        partition_for_key(b"x", 50, "random", rng2) for _ in range(20)]


@pytest.mark.parametrize("bad", ["xyz", "Murmur2", "default", "", None])
def test_unknown_partitioner_is_a_config_exception(bad):
    for call in (lambda: partition_for_key(b"k", 3, bad), lambda: Partitioner(bad, random.Random(0))):
        with pytest.raises(ConfigException) as info:
            call()
        err = info.value.args[0]
        assert isinstance(info.value, KafkaException) and err.code() == Err._INVALID_ARG
        assert f'Invalid value "{bad}" for configuration property "partitioner"' in err.str()
        assert all(name in err.str() for name in PARTITIONERS)


@pytest.mark.parametrize("n", [0, -1])
def test_num_partitions_below_one_is_rejected(n):
    with pytest.raises(ValueError, match="num_partitions"):
        partition_for_key(b"k", n, "murmur2")
    with pytest.raises(ValueError, match="num_partitions"):
        Partitioner("murmur2", None).partition("t", b"k", n, now_ms=0)


@pytest.mark.parametrize("name,key", [("consistent_random", None), ("consistent_random", b""), ("random", b"k"),
                                      ("random", None), ("murmur2_random", None), ("fnv1a_random", None),
                                      ("java", None)])
def test_random_choice_without_rng_is_an_error(name, key):
    with pytest.raises(ValueError, match="seeded rng"):
        partition_for_key(key, 6, name)


def test_deterministic_cases_need_no_rng():
    assert partition_for_key(None, 6, "murmur2") == partition_for_key(b"", 6, "murmur2_random")
    assert partition_for_key(None, 6, "fnv1a") == partition_for_key(b"", 6, "fnv1a_random")
    assert partition_for_key(b"", 6, "java") == partition_for_key(b"", 6, "murmur2")
    with pytest.raises(ValueError, match="seeded rng"):
        Partitioner("consistent_random", None)
    assert Partitioner("fnv1a", None).partition("t", None, 6, now_ms=0) == partition_for_key(None, 6, "fnv1a")


def test_bad_keys_and_settings():
    with pytest.raises(TypeError, match="serialize"):
        partition_for_key("k1", 3, "murmur2")
    with pytest.raises(TypeError, match="serialize"):
        Partitioner("murmur2", None).partition("t", "k1", 3, now_ms=0)
    with pytest.raises(ValueError, match="sticky.partitioning.linger.ms"):
        Partitioner("consistent_random", random.Random(0), sticky_linger_ms=-1)
    with pytest.raises(ValueError, match="batch.size"):
        Partitioner("java", random.Random(0), batch_size=0)


def test_module_imports_no_notebook_libraries():
    code = ("import sys, kafkalab.partitioners; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(key=st.one_of(st.none(), st.binary(max_size=300)), n=st.integers(1, 200),
       name=st.sampled_from(PARTITIONERS), seed=st.integers(0, 2**32), now=st.integers(0, 10**6),
       size=st.integers(0, 40_000))
def test_partition_is_always_in_range(key, n, name, seed, now, size):
    rng = random.Random(seed)
    assert 0 <= partition_for_key(key, n, name, rng) < n
    p = Partitioner(name, rng, sticky_linger_ms=seed % 3 * 5)
    for i in range(3):
        assert 0 <= p.partition("t", key, n, now_ms=now + i * 7, record_bytes=size) < n


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600))
def test_murmur2_matches_reference_for_any_bytes(data):
    """Covers keys longer than the oracle's 200 bytes (the fast path changes at 256 bytes)."""
    h = murmur2(data)
    assert h == reference_murmur2(data) and -2**31 <= h < 2**31
    assert fnv1a(data) == reference_fnv1a(data) and 0 <= fnv1a(data) <= 2**31
    assert to_positive(h) == h & 0x7FFFFFFF


@pytest.mark.parametrize("name", [*LIBRDKAFKA_PARTITIONERS, "java"])
def test_producer_partitions_every_record_as_its_partitioner_does(name, monkeypatch):
    """produce() looks a hashed key up in the partitioner's cache itself; with that shortcut off every record
    goes through Partitioner.partition: the same partitions, keyless, empty, str and evicted keys alike."""
    from kafkalab import Cluster
    from kafkalab.clients.producer import JavaProducer
    from kafkalab.confluent_kafka import Producer

    monkeypatch.setattr(Partitioner, "CACHE_LIMIT", 7)  # evictions while the keys repeat

    def partitions(shortcut: bool) -> list:
        cluster = Cluster(brokers=1, seed=5)
        cluster.create_topic("t", partitions=5, replication_factor=1)
        if name == "java":  # KafkaProducer: murmur2 for keys, the sticky partitioner for the rest
            p = JavaProducer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 3, "batch.size": 200}, cluster=cluster)
        else:
            p = Producer({"bootstrap.servers": "kafka-1:9092", "partitioner": name, "linger.ms": 3}, cluster=cluster)
        if not shortcut:
            p._key_hashes = None
        got = []
        for i in range(400):
            key = [None, b"", b"k%d" % (i % 23), f"s{i % 11}", b"k%d" % (i % 3)][i % 5]
            p.produce("t", b"v", key, on_delivery=lambda err, msg: got.append(msg.partition()))
            if i % 50 == 49:
                p.poll(0.01)
        p.flush(10)
        return got

    expected = partitions(shortcut=False)
    assert len(expected) == 400 and partitions(shortcut=True) == expected
