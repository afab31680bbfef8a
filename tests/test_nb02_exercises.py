"""Notebook 02's exercises and key-placement panel: right answers pass, typical wrong ones get their own hint.

Every verdict runs the answer on the simulator, so these tests also pin the numbers the notebook
quotes against the study guide: b"42" → partition 4 (Java) / 8 (librdkafka default) on 12 partitions,
pay_001…004 → buckets 12, 5, 3, 9, and about 75 % of keys moving when 12 → 16 partitions.
"""
from __future__ import annotations

import hashlib
import itertools
import random
import zlib

import pytest

from kafkalab import exercises as ex
from kafkalab.exercises import ExerciseNotSolved, check, nb02, predict, verdict
from kafkalab.partitioners import murmur2, partition_for_key, to_positive

ANSWER_WORDS = ("murmur2_random", "0x7fffffff", "to_positive", "& 0x", "md5")


@pytest.fixture(autouse=True)
def fresh_state():
    ex.reset()
    yield
    ex.reset()


def wrong(name: str, answer) -> str:
    """The verdict of a wrong answer; it must be one conceptual sentence that does not give the answer away."""
    said = verdict(name, answer)
    assert said is not None, f"{name} accepted a wrong answer: {answer!r}"
    assert "\n" not in said and not said.startswith("no answer yet")
    lowered = said.lower()
    assert not any(w.lower() in lowered for w in ANSWER_WORDS), f"the hint gives the answer away: {said}"
    return said


def distinct(*messages: str) -> None:
    assert len(set(messages)) == len(messages), messages


# -- the numbers the notebook quotes -----------------------------------------------------------------

def test_real_numbers_behind_the_guides_illustrations():
    assert murmur2(b"42") == 417700972
    assert partition_for_key(b"42", 12, "java") == 4  # the guide's "P3 (illustrative)" is not it
    assert partition_for_key(b"42", 12, "consistent_random") == 8
    pids = ("pay_001", "pay_002", "pay_003", "pay_004")
    buckets = [int(hashlib.md5(p.encode()).hexdigest(), 16) % 16 for p in pids]
    assert buckets == [12, 5, 3, 9]  # the guide's table says 4, 11, 4, 0
    assert [partition_for_key(f"7:{b}".encode(), 12, "java") for b in buckets] == [11, 4, 11, 10]
    assert len({partition_for_key(f"7:{b}".encode(), 12, "java") for b in range(16)}) == 9
    assert 0x7FFFFFFF % 12 == 7


def test_payment_stream_is_deterministic_and_hot():
    a, b = nb02.payment_events(), nb02.payment_events()
    assert a == b and len(a) == 1200
    assert sum(e["merchant_id"] == nb02.HOT_MERCHANT for e in a) == 960
    assert [e["payment_id"] for e in a[:4]] == ["pay_001", "pay_002", "pay_003", "pay_004"]
    first = [e["status"] for e in a if e["payment_id"] == "pay_001"]
    assert first == list(nb02.STATUSES)
    assert all(e["merchant_id"] != nb02.HOT_MERCHANT for e in nb02.payment_events(payments=20, hot_percent=0))


# -- (a) predict the partition of b"42" --------------------------------------------------------------

def test_key_42_partition_prediction(capsys):
    assert verdict("key_42_partition", 4) is None
    guide, librdkafka = wrong("key_42_partition", 3), wrong("key_42_partition", 8)
    distinct(guide, librdkafka, wrong("key_42_partition", "4"), wrong("key_42_partition", 12))
    assert "illustrative" in guide and "librdkafka" in librdkafka
    predict("key_42_partition", 4)
    check("key_42_partition")
    assert "✓ key_42_partition: correct" in capsys.readouterr().out


def test_prediction_stub_and_missing_prediction_fail_with_exercise_not_solved():
    assert verdict("key_42_partition", None).startswith("no answer yet")
    with pytest.raises(ExerciseNotSolved, match="no prediction recorded"):
        check("null_key_burst")


# -- (f) predict a keyless burst ---------------------------------------------------------------------

def test_null_key_burst_prediction():
    assert verdict("null_key_burst", 1) is None
    round_robin, per_record = wrong("null_key_burst", 12), wrong("null_key_burst", 100)
    distinct(round_robin, per_record, wrong("null_key_burst", 0))
    assert "round-robin" in round_robin


# -- (e) predict the fraction of keys that move ------------------------------------------------------

def test_keys_moved_prediction_accepts_within_tolerance():
    for guess in (0.75, 0.73, 0.777):
        assert verdict("keys_moved_12_to_16", guess) is None, guess
    consistent_hashing, everything = wrong("keys_moved_12_to_16", 0.25), wrong("keys_moved_12_to_16", 1.0)
    percent, near = wrong("keys_moved_12_to_16", 75), wrong("keys_moved_12_to_16", 0.6)
    distinct(consistent_hashing, everything, percent, near)
    assert "consistent hashing" in consistent_hashing and "percentage" in percent


def test_moved_fraction_matches_the_modulo_arithmetic():
    truth = nb02._moved_fraction()
    assert abs(truth - 0.75) < 0.01
    direct = sum(partition_for_key(k, 12, "java") != partition_for_key(k, 16, "java") for k in nb02.CUSTOMER_KEYS)
    assert truth == direct / len(nb02.CUSTOMER_KEYS)  # what the notebook's reveal cell computes


# -- (b) fix the guide's partition function ----------------------------------------------------------

def right_partition_for(key, n):
    return to_positive(murmur2(key)) % n


def test_fix_partition_for_right_answers():
    assert verdict("fix_partition_for", right_partition_for) is None
    assert verdict("fix_partition_for", lambda key, n: (murmur2(key) & 0x7FFFFFFF) % n) is None


def test_fix_partition_for_wrong_answers_get_distinct_hints():
    precedence = wrong("fix_partition_for", lambda key, n: murmur2(key) & 0x7FFFFFFF % n)
    absolute = wrong("fix_partition_for", lambda key, n: abs(murmur2(key)) % n)
    builtin = wrong("fix_partition_for", lambda key, n: hash(key) % n)
    distinct(precedence, absolute, builtin)
    assert "never picks partitions 8, 9, 10, 11" in precedence
    assert "negative" in absolute
    assert "hash()" in builtin
    # Python's % of a negative hash is another sign bug; the guide's line with hash() is the precedence bug
    assert "negative" in wrong("fix_partition_for", lambda key, n: murmur2(key) % n)
    assert "never picks" in wrong("fix_partition_for", lambda key, n: hash(key) & 0x7FFFFFFF % n)


def test_fix_partition_for_stub_and_broken_functions():
    def stub(key, n):
        """The student build's body: a docstring and # YOUR CODE HERE."""

    assert verdict("fix_partition_for", stub).startswith("no answer yet")
    distinct(wrong("fix_partition_for", lambda key, n: -1), wrong("fix_partition_for", lambda key, n: 1 / 0),
             wrong("fix_partition_for", 42), wrong("fix_partition_for", lambda key, n: str(n)))
    assert "ZeroDivisionError" in wrong("fix_partition_for", lambda key, n: 1 / 0)


def test_fix_partition_for_covers_negative_hashes_and_several_counts():
    assert sum(murmur2(k) < 0 for k in nb02._PF_KEYS) > len(nb02._PF_KEYS) // 3
    assert 16 not in nb02._PF_COUNTS, "with a power of two the precedence bug hides"


# -- (c) a Java-compatible Python producer -----------------------------------------------------------

def test_java_compatible_producer_right_answers():
    assert verdict("java_compatible_producer", {"partitioner": "murmur2_random"}) is None
    assert verdict("java_compatible_producer", {"partitioner": "murmur2_random", "linger.ms": 20,
                                                "bootstrap.servers": "kafka-1:9092"}) is None


def test_java_compatible_producer_wrong_answers_get_distinct_hints():
    default = wrong("java_compatible_producer", {})
    fixed_null = wrong("java_compatible_producer", {"partitioner": "murmur2"})
    sarama = wrong("java_compatible_producer", {"partitioner": "fnv1a_random"})
    distinct(default, fixed_null, sarama)
    assert "default" in default
    assert "without a key" in fixed_null and "keyed records match" in fixed_null
    assert "Sarama" in sarama


def test_java_compatible_producer_rejects_non_dicts_and_unknown_configs():
    not_a_dict = wrong("java_compatible_producer", "murmur2_random")
    java_name = wrong("java_compatible_producer", {"partitioner": "java"})
    java_property = wrong("java_compatible_producer",
                          {"partitioner.class": "org.apache.kafka.clients.producer.internals.DefaultPartitioner"})
    distinct(not_a_dict, java_name, java_property)
    assert "ConfigException" in java_name and "Java client's setting" in java_property
    assert verdict("java_compatible_producer", None).startswith("no answer yet")


# -- (d) a salted key for a hot merchant -------------------------------------------------------------

def right_salted_key(merchant_id, payment_id):
    bucket = int(hashlib.md5(payment_id.encode()).hexdigest(), 16) % 16
    return f"{merchant_id}:{bucket}".encode()


def test_salted_payment_key_right_answers():
    assert verdict("salted_payment_key", right_salted_key) is None
    assert verdict("salted_payment_key", lambda m, pid: f"{m}/{zlib.crc32(pid.encode()) % 16}") is None  # a str key


def test_salted_payment_key_refuses_one_key_per_payment():
    """Issue 11: keyed by the payment id alone (or merchant + payment id) passed; the merchant is lost."""
    for fn in (lambda m, pid: pid.encode(), lambda m, pid: f"{m}/{pid}"):
        said = wrong("salted_payment_key", fn)
        assert "one per payment" in said


def test_salted_payment_key_wrong_answers_get_distinct_hints():
    counter = itertools.count()
    rng = random.Random(7)
    no_salt = wrong("salted_payment_key", lambda m, pid: str(m).encode())
    per_event = wrong("salted_payment_key", lambda m, pid: f"{m}:{next(counter) % 16}".encode())
    per_event_random = wrong("salted_payment_key", lambda m, pid: f"{m}:{rng.randrange(16)}".encode())
    too_few = wrong("salted_payment_key",
                    lambda m, pid: f"{m}:{int(hashlib.md5(pid.encode()).hexdigest(), 16) % 2}".encode())
    builtin = wrong("salted_payment_key", lambda m, pid: f"{m}:{hash(pid) % 16}".encode())
    distinct(no_salt, per_event, too_few, builtin)
    assert "one partition" in no_salt
    assert "spread over several partitions" in per_event and "spread over several partitions" in per_event_random
    assert "only 2 of 12" in too_few
    assert "hash()" in builtin


def test_salted_payment_key_stub_and_bad_keys():
    def stub(merchant_id, payment_id):
        """The student build's body."""

    assert verdict("salted_payment_key", stub).startswith("no answer yet")
    distinct(wrong("salted_payment_key", lambda m, pid: m), wrong("salted_payment_key", lambda m, pid: {}[pid]),
             wrong("salted_payment_key", "7:4"))


def test_uses_builtin_hash_sees_nested_functions_and_shadowing():
    def nested(m, pid):
        def bucket(p):
            return hash(p) % 4
        return f"{m}:{bucket(pid)}"

    assert nb02._uses_builtin_hash(nested)
    assert not nb02._uses_builtin_hash(right_salted_key)


# -- every exercise of the notebook is registered, with hints and a solution -------------------------

NB02 = ("key_42_partition", "null_key_burst", "keys_moved_12_to_16", "fix_partition_for",
        "java_compatible_producer", "salted_payment_key")


@pytest.mark.parametrize("name", NB02)
def test_registered_with_hints_and_solution(name):
    e = ex.get(name)
    assert e.hints and e.solution and e.why
    assert verdict(name, None).startswith("no answer yet")


# -- the key-placement panel, headless ---------------------------------------------------------------

@pytest.fixture(scope="module")
def panel():
    from kafkalab.widgets.keys import keys_explorer

    return keys_explorer()


def test_panel_first_view_shows_the_hot_partition(panel):
    state = panel.view.state
    assert len(state["hot_partitions"]) == 1 and state["max_share"] > 0.8
    assert state["payments_split"] == 0
    load = panel.view.tables["load per partition"]
    assert list(load.columns) == ["partition", "records", "merchant 7", "others", "share"]
    assert int(load["records"].sum()) == 1200 and len(load) == 12
    keys = panel.view.tables["your keys on 12 partitions"]
    row = keys.set_index("key").loc["42"]
    assert (row["java"], row["murmur2_random"], row["consistent_random"]) == (4, 4, 8)
    assert bytes(panel.image.value)[:8] == b"\x89PNG\r\n\x1a\n"


def test_panel_salting_spreads_the_hot_merchant_and_redraws(panel):
    before_png, before_redraws = bytes(panel.image.value), panel.redraws
    panel.controls["buckets"].value = 16
    state = panel.view.state
    assert panel.redraws == before_redraws + 1
    assert len(state["hot_partitions"]) == 9 and state["max_share"] < 0.2
    assert state["payments_split"] == 0, "the bucket comes from the payment: no payment is split"
    assert bytes(panel.image.value) != before_png
    panel.controls["buckets"].value = 1


def test_panel_partitioner_partitions_and_keys_controls(panel):
    panel.controls["partitioner"].value = "consistent_random"
    assert "consistent_random" in panel.view.figure.axes[0].get_title("left")  # findings are left-aligned titles
    png = bytes(panel.image.value)
    panel.controls["partitions"].value = 16
    assert len(panel.view.tables["load per partition"]) == 16
    assert "your keys on 16 partitions" in panel.view.tables
    assert bytes(panel.image.value) != png
    panel.controls["keys"].value = "42, ,42, bob"
    assert list(panel.view.tables["your keys on 16 partitions"]["key"]) == ["42", "bob"]
    panel.controls["keys"].value = " , "
    assert list(panel.view.tables) == ["load per partition"]
    panel.controls["hot_percent"].value = 0
    assert panel.view.state["hot_partitions"] == [] and panel.view.state["max_share"] < 0.2


def test_panel_java_and_murmur2_random_place_keyed_records_alike():
    from kafkalab.widgets.keys import render_keys

    java = render_keys(partitions=12, partitioner="java", buckets=4)
    librdkafka = render_keys(partitions=12, partitioner="murmur2_random", buckets=4)
    assert java.tables["load per partition"].equals(librdkafka.tables["load per partition"])
    with pytest.raises(ValueError):
        render_keys(partitioner="round_robin")
