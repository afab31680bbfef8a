"""Exercises of ``notebooks/02_partitions_ordering.py``: key → partition, per-key order, keyless records, salting.

Every verdict runs the learner's answer on a fresh, seeded simulated cluster and grades what happened:

* ``key_42_partition`` (predict): the partition of key ``b"42"`` on 12 partitions under the Java client.
* ``null_key_burst`` (predict): how many partitions a burst of 100 keyless records from a librdkafka
  producer with default settings lands on.
* ``keys_moved_12_to_16`` (predict, ±0.03): the fraction of 10,000 keys whose partition changes when
  ``orders`` grows from 12 to 16 partitions.
* ``fix_partition_for``: a ``partition_for(key, n)`` that agrees with the Java client on every key,
  negative murmur2 hashes included.
* ``java_compatible_producer``: a confluent-kafka config under which a Python producer places keyed
  records exactly where a Java producer does and still spreads keyless records.
* ``salted_payment_key``: a record key that spreads a hot merchant over the topic while every
  payment's events stay on one partition, in order.

The payment stream (:func:`payment_events`) and the customer keys (:data:`CUSTOMER_KEYS`) are shared
with the notebook and the key-placement widget, so the notebook shows what the checks run.
"""
from __future__ import annotations

import builtins
import functools
import json
import random
from collections import Counter, defaultdict
from types import CodeType

from kafkalab.clients import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from kafkalab.cluster import Cluster
from kafkalab.errors import error_text
from kafkalab.exercises.core import Prediction, exercise, fmt
from kafkalab.partitioners import Partitioner, murmur2, partition_for_key

__all__ = ["BOOTSTRAP", "CUSTOMER_KEYS", "HOT_MERCHANT", "STATUSES", "payment_events"]

BOOTSTRAP = "kafka-1:9092"
#: 10,000 customer keys, ``b"customer-0"`` … ``b"customer-9999"``: the keys of the "add partitions" experiment.
CUSTOMER_KEYS: tuple[bytes, ...] = tuple(f"customer-{i}".encode() for i in range(10_000))
#: The merchant that makes most of the payment traffic (the guide's merchant 7).
HOT_MERCHANT = 7
#: The events of one payment, in the order they must be processed.
STATUSES = ("authorized", "captured", "settled")


def payment_events(payments: int = 400, hot_percent: int = 80, block: int = 10) -> list[dict]:
    """A deterministic payment stream: ``payments`` payments × :data:`STATUSES`, ``hot_percent`` % of them merchant 7.

    Payment ``i`` is ``pay_{i+1:03d}``; every fifth one (at 80 %) belongs to one of 40 small merchants
    (100 … 139).  Payments are interleaved in blocks of ``block``: all ``authorized`` events of a block,
    then all ``captured``, then all ``settled``, so one payment's events are never next to each other,
    as in a real stream.  Each event is ``{"seq", "merchant_id", "payment_id", "status"}``.

    >>> ev = payment_events(payments=10)
    >>> len(ev), ev[0]["payment_id"], ev[0]["status"], ev[10]["status"]
    (30, 'pay_001', 'authorized', 'captured')
    >>> sum(e["merchant_id"] == HOT_MERCHANT for e in ev)
    24
    """
    if not 0 <= hot_percent <= 100:
        raise ValueError(f"hot_percent must be between 0 and 100, got {hot_percent}")
    cold = 100 - hot_percent

    def merchant(i: int) -> int:
        # Integer spreading (no floats, no random): payment i is cold when the running count of
        # cold payments goes up by one, so exactly floor(n * cold / 100) of the first n are cold.
        return 100 + i % 40 if ((i + 1) * cold) // 100 > (i * cold) // 100 else HOT_MERCHANT

    events: list[dict] = []
    for start in range(0, payments, block):
        ids = range(start, min(start + block, payments))
        for status in STATUSES:
            for i in ids:
                events.append({"seq": len(events), "merchant_id": merchant(i), "payment_id": f"pay_{i + 1:03d}",
                               "status": status})
    return events


# -- small helpers ------------------------------------------------------------------------------

def _cluster(topic: str, partitions: int = 12, seed: int = 42) -> Cluster:
    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic(topic, partitions=partitions, replication_factor=3)
    return cluster


def _produce(cluster: Cluster, conf: dict, topic: str, records, gap_ms: int = 0) -> list[tuple[int, int]]:
    """Produce ``(key, value)`` records, ``gap_ms`` of virtual time apart; (partition, offset) of each, in order."""
    producer = Producer({"bootstrap.servers": BOOTSTRAP, **conf}, cluster=cluster)
    out: list = [None] * len(records)
    for i, (key, value) in enumerate(records):
        producer.produce(topic, key=key, value=value,
                         on_delivery=lambda err, msg, i=i: out.__setitem__(i, (msg.partition(), msg.offset())))
        if gap_ms:
            cluster.run(gap_ms)
    producer.flush()
    return out


def _read_all(cluster: Cluster, topic: str) -> list:
    """Every record of ``topic`` through a Consumer from the beginning, partition by partition, in offset order."""
    n = len(cluster.describe(topic).partitions)
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "nb02-checker"}, cluster=cluster)
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(n)])
    got: list = []
    while True:
        batch = consumer.consume(1000, timeout=1)
        if not batch:
            break
        got.extend(m for m in batch if m.error() is None)
    consumer.close()
    return sorted(got, key=lambda m: (m.partition(), m.offset()))


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _call(fn, *args):
    """(result, None) or (None, one line saying what the learner's function raised)."""
    try:
        return fn(*args), None
    except Exception as exc:  # noqa: BLE001 - the learner's code: report it as a verdict, not a traceback
        shown = ", ".join(repr(a) for a in args)
        return None, f"{getattr(fn, '__name__', 'your function')}({shown}) raised {type(exc).__name__}: {error_text(exc)}"


def _uses_builtin_hash(fn) -> bool:
    """Whether ``fn`` (or a function nested in it) calls Python's built-in ``hash``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    shadowed = getattr(fn, "__globals__", {}).get("hash", builtins.hash) is not builtins.hash
    stack: list[CodeType] = [code]
    while stack:
        c = stack.pop()
        if "hash" in c.co_names and not shadowed:
            return True
        stack.extend(k for k in c.co_consts if isinstance(k, CodeType))
    return False


class _ApproxPrediction(Prediction):
    """A :class:`Prediction` that accepts any number within ``tolerance`` of the simulator's value."""

    def __init__(self, actual, explain=None, tolerance: float = 0.03):
        super().__init__(actual, explain)
        self.tolerance = tolerance

    def __call__(self, predicted) -> str | None:
        truth = self.actual()
        if _is_number(predicted) and abs(predicted - truth) <= self.tolerance:
            return None
        said = self.explain(predicted, truth) if self.explain else None
        return said or (f"you predicted {fmt(predicted)}; the simulator gives {truth:.3f} "
                        f"(anything within ±{self.tolerance} counts)")


# -- (a) predict: where does b"42" go? ----------------------------------------------------------

def _key_42_partition() -> int:
    """The partition the simulator's Java-client partitioner picks for b"42" on a 12-partition topic."""
    return partition_for_key(b"42", 12, "java")


def _explain_42(predicted, actual) -> str | None:
    if not _is_int(predicted):
        return f"predict a partition number (an int from 0 to 11), not a {type(predicted).__name__}"
    if not 0 <= predicted < 12:
        return "the topic has 12 partitions, numbered 0 to 11"
    if predicted == 3:
        return ("3 is the guide's illustrative value, not a computed one: the partition follows from the hash "
                "of the key's bytes, which the cell above shows")
    if predicted == partition_for_key(b"42", 12, "consistent_random"):
        return ("that is where librdkafka's default partitioner (a Python producer out of the box) puts it; "
                "the Java client hashes keys with another function")
    return None


exercise(
    "key_42_partition",
    hints=["The Java client hashes the key's bytes (b\"42\", two bytes), not the number 42.",
           "Its hash is murmur2; the sign bit is cleared, then the result is taken modulo the partition count."],
    solution="The Java client computes (murmur2(b\"42\") & 0x7fffffff) % 12. murmur2(b\"42\") is 417700972, "
             "already non-negative, and 417700972 % 12 == 4, so the orders of customer 42 go to partition 4 "
             "(the guide's P3 was only illustrative). A Python producer with librdkafka's default "
             "consistent_random hashes with CRC32 instead and picks partition 8.",
    why="the Java client puts b\"42\" on murmur2 % 12 = partition 4",
)(Prediction(_key_42_partition, _explain_42))


# -- (f) predict: a burst of keyless records ----------------------------------------------------

def _null_key_burst() -> int:
    """Produce 100 keyless records at once with librdkafka's defaults; count the partitions they land on."""
    cluster = _cluster("clicks")
    placed = _produce(cluster, {}, "clicks", [(None, b"click %d" % i) for i in range(100)])
    return len({p for p, _ in placed})


def _explain_burst(predicted, actual) -> str | None:
    if not _is_int(predicted):
        return f"predict a number of partitions (an int), not a {type(predicted).__name__}"
    if predicted == 12:
        return ("that would be round-robin over the 12 partitions; since KIP-480 a producer sticks to one "
                "partition for keyless records for a while, so a batch fills up")
    if predicted == 100:
        return "the records do not each pick their own partition: keyless records stick together for a while"
    if predicted < 1 or predicted > 12:
        return "the topic has 12 partitions; the records land on somewhere between 1 and 12 of them"
    return None


exercise(
    "null_key_burst",
    hints=["All 100 records are produced within the same millisecond of virtual time.",
           "librdkafka keeps a keyless record's partition for sticky.partitioning.linger.ms (2 × linger.ms)."],
    solution="1 partition. librdkafka's default partitioner (consistent_random) sends a keyless record to a "
             "'sticky' partition drawn at random and keeps it for sticky.partitioning.linger.ms (10 ms with "
             "linger.ms=5): the whole burst fills one batch on one partition. Records spaced further apart "
             "get fresh random draws and spread out. No round-robin since KIP-480 (Kafka 2.4, librdkafka 1.6).",
    why="keyless records stick to one partition while the burst lasts (KIP-480)",
)(Prediction(_null_key_burst, _explain_burst))


# -- (e) predict: keys that move when 12 → 16 ---------------------------------------------------

def _explain_moved(predicted, actual) -> str | None:
    if not _is_number(predicted):
        return f"predict a fraction between 0 and 1 (a float), not a {type(predicted).__name__}"
    if not 0 <= predicted <= 1:
        return "answer with a fraction between 0 and 1, not a percentage"
    if predicted < 0.5:
        return ("far more keys move than the new partitions' share: Kafka maps a key with a plain modulo, "
                "not with consistent hashing, so a key keeps its partition only when both remainders agree")
    if predicted > 0.9:
        return "not every key moves: a key keeps its partition when its hash leaves the same remainder mod 12 and mod 16"
    return None


@functools.lru_cache(maxsize=1)  # a fixed seed and fixed keys: the same value every time, so compute it once
def _moved_fraction() -> float:
    """Produce CUSTOMER_KEYS Java-style to 12 partitions, grow the topic to 16, produce again: the share that moved."""
    cluster = _cluster("orders", 12)
    records = [(k, b"") for k in CUSTOMER_KEYS]
    before = _produce(cluster, {"partitioner": "murmur2_random"}, "orders", records)
    cluster.create_partitions("orders", 16)
    after = _produce(cluster, {"partitioner": "murmur2_random"}, "orders", records)  # a producer that sees 16
    return sum(b[0] != a[0] for b, a in zip(before, after)) / len(records)


exercise(
    "keys_moved_12_to_16",
    hints=["A key's partition is hash % n; compare hash % 12 with hash % 16.",
           "The pair of remainders repeats every lcm(12, 16) = 48 hash values: count the ones where they agree."],
    solution="About 0.75. A key stays only when hash % 12 == hash % 16; over one period of 48 hash values that "
             "happens for the 12 values 0..11 and no other, so 1/4 stay and 3/4 move (the simulator: 0.748 on "
             "10,000 keys). Consistent hashing would move only the new partitions' share (4/16); Kafka's modulo "
             "moves most keys, and with them the per-key order across the change.",
    why="with hash % n, growing 12 → 16 moves about 3 keys in 4",
)(_ApproxPrediction(_moved_fraction, _explain_moved, tolerance=0.03))


# -- (b) fix the guide's partition function -----------------------------------------------------

#: Keys of the partition_for check: many short and long ones, about half with a negative murmur2.
_PF_KEYS: tuple[bytes, ...] = (b"", b"42", b"7") + tuple(f"key-{i}".encode() for i in range(600)) + \
    tuple(bytes([i % 256, (7 * i) % 256, (13 * i) % 256][: 1 + i % 3]) for i in range(200))
_PF_COUNTS = (12, 7, 30)


@exercise(
    "fix_partition_for",
    hints=["Run the guide's expression on a few keys with 12 partitions: which partitions can it ever return?",
           "In Python, % binds tighter than &; and Python's hash() is not Kafka's hash.",
           "Kafka clears the sign bit of murmur2's 32-bit result (it does not negate it), then takes % n."],
    solution="def partition_for(key, num_partitions):\n"
             "    return (murmur2(key) & 0x7fffffff) % num_partitions   # = to_positive(murmur2(key)) % n\n"
             "The guide's hash(key) & 0x7fffffff % n computes hash & (0x7fffffff % n): with 12 partitions that is "
             "hash & 7, so partitions 8..11 never get a record (with a power-of-two n the bug hides). abs() "
             "instead of the mask gives other partitions for every key whose murmur2 is negative, and Python's "
             "hash() is a different function, salted per process for str and bytes.",
    why="(murmur2(key) & 0x7fffffff) % n is the Java client's rule",
)
def fix_partition_for(fn) -> str | None:
    if not callable(fn):
        return f"define a function partition_for(key, num_partitions) and pass it, not a {type(fn).__name__}"
    got: dict[int, list] = {}
    for n in _PF_COUNTS:
        got[n] = []
        for key in _PF_KEYS:
            r, err = _call(fn, key, n)
            if err:
                return err
            got[n].append(r)
    if all(r is None for rs in got.values() for r in rs):
        return "no answer yet: partition_for returns None; make it return a partition number"
    for n, rs in got.items():
        for key, r in zip(_PF_KEYS, rs):
            if not _is_int(r):
                return f"partition_for({key!r}, {n}) returned {fmt(r)}: a partition is an int"
            if not 0 <= r < n:
                return f"partition_for({key!r}, {n}) returned {r}: a topic with {n} partitions has partitions 0..{n - 1}"
    java = {n: [partition_for_key(k, n, "java") for k in _PF_KEYS] for n in _PF_COUNTS}
    wrong = {n: [i for i, (a, b) in enumerate(zip(got[n], java[n])) if a != b] for n in _PF_COUNTS}
    if not any(wrong.values()):
        return None
    unused = sorted(set(java[12]) - set(got[12]))
    if unused:
        return (f"with 12 partitions your function never picks partition{'s' * (len(unused) > 1)} "
                f"{', '.join(map(str, unused))}, which the Java client uses: part of the topic would stay empty. "
                "Work out by hand, in the order Python evaluates it, what your expression computes")
    bad = [_PF_KEYS[i] for n in _PF_COUNTS for i in wrong[n]]
    if all(murmur2(k) < 0 for k in bad):
        return (f"right for every key whose murmur2 hash is >= 0, wrong for {len(set(bad))} keys whose hash is "
                "negative: the way you make a negative 32-bit hash non-negative differs from the Java client's")
    return (f"{len(set(bad))} of {len(_PF_KEYS)} keys land elsewhere than with the Java client, even keys with a "
            "non-negative hash: the Java client hashes the key's bytes with Kafka's own function (part A), "
            "and Python's hash() is neither that function nor stable across processes")


# -- (c) a Python producer that places keys like a Java producer --------------------------------

_JC_KEYS: tuple[bytes, ...] = (b"",) + tuple(f"user-{i}".encode() for i in range(240))
_JC_KEYLESS = 400  # keyless records, 10 ms apart, 200-byte values: about 5 batch.size worth of bytes


def _java_keyless_spread(count: int, value_bytes: int, gap_ms: int, seed: int) -> int:
    """How many partitions the simulator's Java client spreads ``count`` keyless records over (KIP-794)."""
    java = Partitioner("java", random.Random(seed), batch_size=16384)
    return len({java.partition("t", None, 12, now_ms=i * gap_ms, record_bytes=value_bytes + 8)
                for i in range(count)})


@exercise(
    "java_compatible_producer",
    hints=["A Python producer and a Java producer use different hash functions by default.",
           "librdkafka's `partitioner` property chooses the hash; one of its values uses the Java client's hash.",
           ("Keyless records matter too: a Java producer spreads them over time; some librdkafka partitioners "
            "send every keyless record to one fixed partition.")],
    solution="{\"partitioner\": \"murmur2_random\"}: murmur2 for keyed records (the Java client's hash, so the "
             "same partition for the same key; b\"\" is hashed like Java does), and a random sticky partition "
             "for null keys, so keyless traffic still spreads. \"murmur2\" hashes keys the same way but sends "
             "every null key to murmur2(b\"\") % n, one partition forever; the default consistent_random hashes "
             "with CRC32; fnv1a_random matches Go's Sarama, not Java.",
    why="murmur2_random hashes like the Java client and still spreads keyless records",
)
def java_compatible_producer(conf) -> str | None:
    if not isinstance(conf, dict):
        return (f"answer with a dict of producer configs, as confluent-kafka's Producer takes, "
                f"not a {type(conf).__name__}")
    if "partitioner.class" in conf:  # the config's own hint for it names the answer, so say less
        return ("partitioner.class is the Java client's setting: the Python client (librdkafka) rejects it and "
                "chooses its partitioner with a property of its own")
    # keyed records: the same partitions as the Java client's partitioner
    cluster = _cluster("accounts")
    placed = [p for p, _ in _produce(cluster, conf, "accounts", [(k, b"x") for k in _JC_KEYS])]
    java = [partition_for_key(k, 12, "java") for k in _JC_KEYS]
    wrong = [i for i, (a, b) in enumerate(zip(placed, java)) if a != b]
    if wrong:
        head = f"{len(wrong)} of {len(_JC_KEYS)} keyed records land on another partition than a Java producer picks"
        keyed = range(1, len(_JC_KEYS))  # non-empty keys: those every hash places deterministically
        if all(placed[i] == partition_for_key(_JC_KEYS[i], 12, "consistent") for i in keyed):
            return head + ": this producer hashes keys with librdkafka's default function, not the Java client's"
        if all(placed[i] == partition_for_key(_JC_KEYS[i], 12, "fnv1a") for i in keyed):
            return head + ": this hash is the one Go's Sarama client uses, which agrees with Java on no more than chance"
        return head + ": the same key must get the same partition from both clients"
    # keyless records: a Java producer spreads them over the topic as time goes by
    cluster = _cluster("events")
    value = b"v" * 200
    keyless = {p for p, _ in _produce(cluster, conf, "events", [(None, value)] * _JC_KEYLESS, gap_ms=10)}
    if len(keyless) == 1:
        spread = _java_keyless_spread(_JC_KEYLESS, len(value), 10, seed=42)
        return (f"keyed records match, but all {_JC_KEYLESS} records without a key went to partition "
                f"{next(iter(keyless))}, and would forever: a Java producer spreads them (here over {spread} "
                "partitions), switching partition after each batch")
    return None


# -- (d) a salted key for a hot merchant --------------------------------------------------------

_MIN_SPREAD = 8


@exercise(
    "salted_payment_key",
    hints=["Merchant 7 needs several distinct keys, or all its traffic shares one partition.",
           "Every event of one payment must get the same key, or the events can land on different partitions.",
           ("Derive the salt from something every event of the payment carries, with a stable hash, and allow "
            "enough salt values to reach 8 partitions.")],
    solution="bucket = int(hashlib.md5(payment_id.encode()).hexdigest(), 16) % 16; key = f\"{merchant_id}:"
             "{bucket}\".encode(). The bucket depends only on the payment, so its three events share a key, a "
             "partition and their order; merchant 7 gets 16 keys, which murmur2 spreads over 9 of the 12 "
             "partitions (buckets collide: not 16 partitions, and the hottest one gets 3/16 of merchant 7). "
             "A per-event counter or random salt splits a payment; Python's hash() changes between processes.",
    why="the salt comes from the payment, so one payment keeps one key while the merchant gets many",
)
def salted_payment_key(fn) -> str | None:
    if not callable(fn):
        return f"define a function salted_key(merchant_id, payment_id) and pass it, not a {type(fn).__name__}"
    events = payment_events()
    keys = []
    for e in events:
        k, err = _call(fn, e["merchant_id"], e["payment_id"])
        if err:
            return err
        keys.append(k)
    if all(k is None for k in keys):
        return "no answer yet: salted_key returns None; make it return the record key (bytes)"
    for e, k in zip(events, keys):
        if not isinstance(k, (bytes, str)):
            return (f"salted_key({e['merchant_id']}, {e['payment_id']!r}) returned {fmt(k)}: a record key is bytes "
                    f"(a str is encoded as UTF-8)")
    cluster = _cluster("payments")
    records = [(k, json.dumps(e, sort_keys=True).encode()) for e, k in zip(events, keys)]
    _produce(cluster, {"partitioner": "murmur2_random"}, "payments", records)
    where: dict[str, set] = defaultdict(set)
    seen: dict[str, list] = defaultdict(list)
    hot: Counter = Counter()
    for m in _read_all(cluster, "payments"):
        e = json.loads(m.value())
        where[e["payment_id"]].add(m.partition())
        seen[e["payment_id"]].append(e["status"])
        if e["merchant_id"] == HOT_MERCHANT:
            hot[m.partition()] += 1
    split = sorted(pid for pid, ps in where.items() if len(ps) > 1)
    if split:
        return (f"the events of {len(split)} payments (e.g. {split[0]}, on partitions "
                f"{', '.join(map(str, sorted(where[split[0]])))}) were spread over several partitions, so a consumer "
                "may see 'captured' before 'authorized': the salt must not change between the events of a payment")
    out_of_order = sorted(pid for pid, st in seen.items() if tuple(st) != STATUSES)
    if out_of_order:
        return f"payment {out_of_order[0]} was read back as {seen[out_of_order[0]]}: its events are out of order"
    if len(hot) == 1:
        return (f"all {sum(hot.values())} events of merchant 7 still land on one partition of 12: the hot "
                "merchant is not split at all")
    if len(hot) < _MIN_SPREAD:
        return (f"merchant 7's events reach only {len(hot)} of 12 partitions (at least {_MIN_SPREAD} wanted): "
                "too few distinct keys per merchant, and distinct keys can still share a partition")
    if _uses_builtin_hash(fn):
        return ("right in this process, but it uses Python's built-in hash(), which is salted per process for "
                "str: a restarted producer would send a payment's later events to another partition")
    return None
