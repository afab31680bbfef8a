"""Consumer group partition assignors: range, roundrobin, sticky and cooperative-sticky.

The group leader (a consumer, under the classic protocol) runs one of these pure functions on
the subscriptions of every member and hands each member its partitions.  Here they model
Apache Kafka's Java client assignors (``partition.assignment.strategy``) exactly, down to the
tie-breaks that come from Java's ``HashMap`` iteration order, and they are checked against
vectors computed by Kafka's own classes (``tests/data/oracle/kafka-java-assignors.json``).

Worked example, C0 and C1 both subscribed to t0 and t1 (3 partitions each)::

    >>> topics = {"t0": 3, "t1": 3}
    >>> members = {"C0": {"topics": ["t0", "t1"]}, "C1": {"topics": ["t0", "t1"]}}
    >>> assign("range", topics, members)
    {'C0': {'t0': [0, 1], 't1': [0, 1]}, 'C1': {'t0': [2], 't1': [2]}}
    >>> assign("roundrobin", topics, members)
    {'C0': {'t0': [0, 2], 't1': [1]}, 'C1': {'t0': [1], 't1': [0, 2]}}

Members are plain dicts, the shape the group coordinator keeps::

    {"topics": ["t0"],            # the subscription
     "owned": {"t0": [0, 1]},     # what the member held before this rebalance
     "generation": 5,             # generation in which it got "owned"; -1 = brand new
     "instance_id": "i-1"}        # group.instance.id, static members only

The insertion order of ``members`` stands for the order in which the leader put the member ids
into its Java ``HashMap``; it only matters for ids that land in the same hash bucket.

Entry points:

* :func:`assign` -- the client-side (classic protocol) assignors; for ``cooperative-sticky`` the
  first-round assignment, with partitions still owned by someone else withheld.
* :func:`cooperative_rebalance` / :func:`cooperative_rounds` -- the cooperative protocol's
  follow-up rebalances until nothing more needs revoking (KIP-429).
* :func:`sticky_target` -- what the sticky algorithm wants before the cooperative adjustment.
* :func:`assign_server_side` -- the KIP-848 broker-side assignors ``uniform`` and ``range``.
* :func:`java_string_hash`, :func:`java_hashmap_order` -- Java's ``String.hashCode`` and
  ``HashMap`` iteration order, which Kafka's behaviour leaks in several places.

Related configs: ``partition.assignment.strategy`` (client), ``group.consumer.assignors`` and
``group.remote.assignor`` (KIP-848); KIP-54 (sticky), KIP-341 (generation in user data),
KIP-345 (static membership), KIP-429 (cooperative), KIP-792 (generation in the subscription).
"""
from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from heapq import heapify, heappop, heappush, heapreplace
from typing import NamedTuple

__all__ = [
    "ASSIGNORS",
    "SERVER_SIDE_ASSIGNORS",
    "CooperativeStickyAssignor",
    "RangeAssignor",
    "RangeServerAssignor",
    "RoundRobinAssignor",
    "StickyAssignor",
    "TopicPartition",
    "UniformServerAssignor",
    "assign",
    "assign_server_side",
    "cooperative_rebalance",
    "cooperative_rounds",
    "get_assignor",
    "java_hashmap_order",
    "java_string_hash",
    "sticky_path",
    "sticky_target",
]

#: Client-side assignor names, as in ``partition.assignment.strategy``.
ASSIGNORS = ("range", "roundrobin", "sticky", "cooperative-sticky")
#: KIP-848 broker-side assignor names, as in ``group.consumer.assignors``.
SERVER_SIDE_ASSIGNORS = ("uniform", "range")

DEFAULT_GENERATION = -1  # AbstractStickyAssignor.DEFAULT_GENERATION
_MAX_FOLLOW_UP_ROUNDS = 16  # safety net; Kafka's cooperative protocol converges in one or two


class TopicPartition(NamedTuple):
    """A (topic, partition) pair, ordered by topic then partition like Kafka's comparator."""

    topic: str
    partition: int


# ---------------------------------------------------------------------------------------------
# Java hashing helpers
# ---------------------------------------------------------------------------------------------

def _to_int32(h: int) -> int:
    h &= 0xFFFFFFFF
    return h - 0x100000000 if h & 0x80000000 else h


def java_string_hash(s: str) -> int:
    """Java's ``String.hashCode()``: ``s[0]*31^(n-1) + ... + s[n-1]`` over UTF-16 code units, as a
    signed 32-bit int.

    Kafka uses it wherever a Java ``HashMap`` decides an order, and a group's coordinator is the
    leader of ``__consumer_offsets`` partition ``Utils.abs(group.id.hashCode()) %
    offsets.topic.num.partitions``, where ``Utils.abs`` maps ``Integer.MIN_VALUE`` to 0
    (``GroupCoordinatorService.partitionFor``).

    >>> java_string_hash("C3"), java_string_hash(""), java_string_hash("orders")
    (2128, 0, -1008770331)
    """
    h = 0
    data = s.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return _to_int32(h)


def _spread(h: int) -> int:
    """``HashMap.hash()``: the hash code with its high half folded into the low half (unsigned)."""
    h &= 0xFFFFFFFF
    return h ^ (h >> 16)


def _java_key(s: str) -> bytes:
    """Sort key giving Java's ``String.compareTo`` order (UTF-16 code units, not code points)."""
    return s.encode("utf-16-be", "surrogatepass")


def _java_sorted(strings) -> list[str]:
    return sorted(strings, key=_java_key)


def java_hashmap_order(keys, hashes=None) -> list:
    """The iteration order of a ``java.util.HashMap`` (default capacity) after ``put``-ing ``keys``
    in the given order.

    HashMap walks its buckets in index order (``(h ^ h >>> 16) & (capacity - 1)``) and each bucket
    in insertion order; the table starts at 16 and doubles when it holds more than 3/4 of its
    capacity (or when one bucket grows past 8 entries while the table is under 64).  Kafka's
    sticky assignors walk members in this order when they decide who keeps an extra partition.

    >>> java_hashmap_order(["C1", "C2", "C3"])   # "C3" hashes to bucket 0
    ['C3', 'C1', 'C2']

    ``hashes`` may give each key's Java ``hashCode`` (default: :func:`java_string_hash`).
    # Simplification: a bucket that Java turns into a red-black tree (9+ colliding keys in a table
    # of 64 or more) is still walked in insertion order.
    """
    keys = list(dict.fromkeys(keys))
    spread = [_spread(java_string_hash(k) if hashes is None else hashes[i]) for i, k in enumerate(keys)]
    cap, bins = 16, {}
    for i in range(len(keys)):
        b = spread[i] & (cap - 1)
        bins[b] = bins.get(b, 0) + 1
        grow = 0
        if bins[b] > 8 and cap < 64:  # treeifyBin() on a small table resizes instead
            grow += 1
        if i + 1 > (cap << grow) * 3 // 4:
            grow += 1
        if grow:
            cap <<= grow
            bins = {}
            for j in range(i + 1):
                bj = spread[j] & (cap - 1)
                bins[bj] = bins.get(bj, 0) + 1
    mask = cap - 1
    order = sorted(range(len(keys)), key=lambda i: (spread[i] & mask, i))
    return [keys[i] for i in order]


class _JavaHashSet:
    """Just enough of ``java.util.HashSet`` to know which element ``iterator().next()`` returns.

    Kafka's general sticky algorithm picks "any" partition out of such a set when it undoes a
    movement, so emulating the bucket layout makes its choice reproducible.
    # Simplification: treeified buckets (9+ collisions in a table of 64+) keep insertion order.
    """

    __slots__ = ("bins", "cap", "hash_of", "items", "seq")

    def __init__(self, hash_of):
        self.cap = 16
        self.seq = 0
        self.items: dict = {}  # element -> insertion sequence number
        self.bins: dict = {}
        self.hash_of = hash_of  # element -> spread hash

    def add(self, e) -> None:
        if e in self.items:
            return
        self.seq += 1
        self.items[e] = self.seq
        b = self.hash_of(e) & (self.cap - 1)
        self.bins[b] = self.bins.get(b, 0) + 1
        grow = 0
        if self.bins[b] > 8 and self.cap < 64:
            grow += 1
        if len(self.items) > (self.cap << grow) * 3 // 4:
            grow += 1
        if grow:
            self.cap <<= grow
            mask = self.cap - 1
            self.bins = {}
            for x in self.items:
                bx = self.hash_of(x) & mask
                self.bins[bx] = self.bins.get(bx, 0) + 1

    def remove(self, e) -> None:
        del self.items[e]
        b = self.hash_of(e) & (self.cap - 1)
        self.bins[b] -= 1

    def __len__(self) -> int:
        return len(self.items)

    def first(self):
        mask = self.cap - 1
        items, hash_of = self.items, self.hash_of
        return min(items, key=lambda e: (hash_of(e) & mask, items[e]))


# ---------------------------------------------------------------------------------------------
# Input handling shared by the assignors
# ---------------------------------------------------------------------------------------------

@contextmanager
def _no_cyclic_gc():
    """Pause CPython's cyclic garbage collector while building a large assignment.

    The assignors allocate hundreds of thousands of small lists and none of them form cycles;
    left on, the collector would repeatedly walk every live object and triple the run time on
    big groups.  Reference counting still frees everything; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_name(assignor: str, valid: tuple) -> None:
    if assignor not in valid:
        raise ValueError(
            f"unknown assignor {assignor!r}: valid assignors are " + ", ".join(repr(v) for v in valid)
        )


def _dedup(seq) -> list:
    return list(dict.fromkeys(seq))


def _partitions_per_topic(topics: dict, members: dict) -> dict:
    """``AbstractPartitionAssignor``: the subscribed topics that exist and have partitions.

    Subscribed topics missing from the metadata are silently skipped.
    """
    wanted = set()
    for m in members.values():
        wanted.update(m.get("topics", ()))
    return {t: int(topics[t]) for t in wanted if t in topics and int(topics[t]) > 0}


def _generation(member: dict) -> int:
    g = member.get("generation", DEFAULT_GENERATION)
    return DEFAULT_GENERATION if g is None else int(g)


def _member_info_order(members: dict, hm_order: list) -> list:
    """``MemberInfo.compareTo``: static members first by ``group.instance.id``, then dynamic
    members by member id (Java ``String`` order, so ``C10`` < ``C2``).  ``Collections.sort`` is
    stable, so equal keys keep the leader's ``HashMap`` order."""
    def key(m):
        iid = members[m].get("instance_id")
        return (0, _java_key(iid)) if iid is not None else (1, _java_key(m))
    return sorted(hm_order, key=key)


class _Layout:
    """Numbers every partition of the assignable topics: ``gid = offset[topic] + partition``.

    The topic order is chosen per algorithm so that ``gid`` order is the order Kafka walks
    partitions in (topic name for the constrained path, potential-consumer count then name for
    the general path).
    """

    def __init__(self, ordered_topics: list, counts: dict):
        self.names = list(ordered_topics)
        self.index = {t: i for i, t in enumerate(self.names)}
        self.offsets = [0]
        for t in self.names:
            self.offsets.append(self.offsets[-1] + counts[t])
        self.total = self.offsets[-1]
        self.base = {t: self.offsets[i] for i, t in enumerate(self.names)}
        self.count = {t: counts[t] for t in self.names}
        self.span = {t: (self.base[t], self.count[t]) for t in self.names}
        self.names_sorted = self.names == _java_sorted(self.names)
        self._topic_of = None

    @property
    def topic_of(self) -> list:
        """gid -> topic index."""
        if self._topic_of is None:
            topic_of: list = []
            for i, t in enumerate(self.names):
                topic_of += [i] * self.count[t]
            self._topic_of = topic_of
        return self._topic_of

    def ids(self, owned: dict) -> list:
        """The gids of an ``owned`` mapping, skipping topics that are not assignable.

        # Simplification: partition numbers beyond the topic's current count are dropped (Kafka
        # never shrinks a topic, so a real member cannot own one).
        """
        if not owned:
            return []
        span = self.span
        return [bc[0] + p for t, ps in owned.items() if (bc := span.get(t)) is not None for p in ps if 0 <= p < bc[1]]

    def to_output(self, gids) -> dict:
        """gids -> ``{topic: [sorted partitions]}``, topics in Java name order."""
        out: dict = {}
        topic_of, offsets, names = self.topic_of, self.offsets, self.names
        limit = base = -1
        cur: list = []
        for g in sorted(gids):
            if g < limit:
                cur.append(g - base)
            else:
                t = topic_of[g]
                base, limit = offsets[t], offsets[t + 1]
                cur = out[names[t]] = [g - base]
        if len(out) > 1 and not self.names_sorted:
            out = dict(sorted(out.items(), key=lambda kv: _java_key(kv[0])))
        return out


def _normalise_output(members: dict, per_member: dict) -> dict:
    """Every member present (``{}`` when it got nothing), members in sorted order."""
    return {m: per_member.get(m, {}) for m in sorted(members)}


def _tp_dict(pairs) -> dict:
    out: dict = {}
    for t, p in pairs:
        out.setdefault(t, []).append(p)
    return {t: sorted(ps) for t, ps in sorted(out.items())}


# ---------------------------------------------------------------------------------------------
# Range and round robin (eager; ownership ignored)
# ---------------------------------------------------------------------------------------------

def _range(topics: dict, members: dict) -> dict:
    """``RangeAssignor``: per topic, sorted members get consecutive ranges; the first
    ``partitions % members`` of them one extra, so with several topics the same members are
    always favoured (C0, C1 on t0(3), t1(3) -> C0 gets 4, C1 gets 2)."""
    ppt = _partitions_per_topic(topics, members)
    order = _member_info_order(members, java_hashmap_order(members))
    result: dict = {m: {} for m in members}
    for t in _java_sorted(ppt):
        consumers = [m for m in order if t in members[m].get("topics", ())]
        if not consumers:
            continue
        n, count = len(consumers), ppt[t]
        per, extra = divmod(count, n)
        start = 0
        for i, m in enumerate(consumers):
            size = per + (1 if i < extra else 0)
            if size:
                result[m][t] = list(range(start, start + size))
            start += size
    return _normalise_output(members, result)


def _roundrobin(topics: dict, members: dict) -> dict:
    """``RoundRobinAssignor``: all partitions, sorted by topic then partition, dealt around the
    sorted member ring; a member not subscribed to the partition's topic is skipped."""
    ppt = _partitions_per_topic(topics, members)
    ring = _member_info_order(members, java_hashmap_order(members))
    subs = {m: set(members[m].get("topics", ())) for m in members}
    result: dict = {m: {} for m in members}
    pos = 0
    for t in _java_sorted(ppt):
        for p in range(ppt[t]):
            while t not in subs[ring[pos]]:
                pos = (pos + 1) % len(ring)
            result[ring[pos]].setdefault(t, []).append(p)
            pos = (pos + 1) % len(ring)
    return _normalise_output(members, result)


# ---------------------------------------------------------------------------------------------
# Sticky and cooperative-sticky (AbstractStickyAssignor, Kafka 3.8+ without racks)
# ---------------------------------------------------------------------------------------------

class _StickyResult(NamedTuple):
    path: str  # "constrained" or "general"
    layout: _Layout
    target: dict  # member -> list of gids (the sticky algorithm's result)
    withheld: dict  # member -> set of gids the cooperative adjustment removes
    hm_order: list


def _all_subscriptions_equal(members: dict, hm_order: list) -> bool:
    """``allSubscriptionsEqual``: walks members in HashMap order; the first non-empty
    subscription list is the reference (so an empty first subscription is skipped)."""
    ref: set = set()
    for m in hm_order:
        tl = list(members[m].get("topics", ()))
        if not ref:
            ref.update(tl)
        elif not (len(tl) == len(ref) and ref.issuperset(tl)):
            return False
    return True


def _resolve_claims(members: dict, hm_order: list, layout: _Layout):
    """The owned-partition bookkeeping of ``allSubscriptionsEqual``.

    Returns ``(raw, owned, multi)``: every member's claimed gids (assignable topics only), the
    claims that survive conflicts, and the gids claimed twice in one generation.

    Kafka's rules (KIP-792): an uncontested claim is honoured whatever its generation; of two
    claims the higher generation wins; two claims in the same generation are both dropped.
    """
    raw = {m: layout.ids(members[m].get("owned")) for m in hm_order}
    total = sum(len(v) for v in raw.values())
    union: set = set()
    for v in raw.values():
        union.update(v)
    if len(union) == total:  # fast path: no partition is claimed twice
        return raw, {m: list(v) for m, v in raw.items()}, set()
    gen = {m: _generation(members[m]) for m in hm_order}
    owner: dict = {}
    owned: dict = {m: [] for m in hm_order}
    multi: set = set()
    for m in hm_order:
        mine, g_m = owned[m], gen[m]
        for g in raw[m]:
            other = owner.get(g)
            if other is None:
                mine.append(g)
                owner[g] = m
                continue
            g_o = gen[other]  # Kafka reads the other member's subscription generationId
            if g_m == g_o:
                multi.add(g)
                _list_remove(owned[other], g)
                owner[g] = m
            elif g_m > g_o:
                mine.append(g)
                _list_remove(owned[other], g)
                owner[g] = m
    return raw, owned, multi


def _list_remove(lst: list, x) -> None:
    try:
        lst.remove(x)
    except ValueError:
        pass


def _sticky(topics: dict, members: dict) -> _StickyResult:
    ppt = _partitions_per_topic(topics, members)
    hm_order = java_hashmap_order(members)
    if _all_subscriptions_equal(members, hm_order):
        layout = _Layout(_java_sorted(ppt), ppt)
        _raw, owned, multi = _resolve_claims(members, hm_order, layout)
        target, withheld = _constrained(layout, hm_order, owned, multi)
        return _StickyResult("constrained", layout, target, withheld, hm_order)
    builder = _GeneralAssignment(ppt, members, hm_order)
    target = builder.build()
    withheld = _general_withheld(builder.raw, target)
    return _StickyResult("general", builder.layout, target, withheld, hm_order)


def _constrained(layout: _Layout, hm_order: list, owned: dict, multi: set):
    """``ConstrainedAssignmentBuilder``: all members subscribe to the same topics.

    1. Each member keeps its owned partitions, sorted by partition then topic (so it keeps its
       lowest-numbered ones), up to ``minQuota``; walking members in Java HashMap order, the
       first ``partitions % members`` of them that own at least ``maxQuota`` keep ``maxQuota``.
    2. The free partitions, sorted by topic then partition, are dealt round robin: first to the
       members under ``minQuota`` (sorted by id), then one each to members at exactly
       ``minQuota`` (sorted by id, then in the order they reached ``minQuota``).

    Returns ``(target, withheld)``; ``withheld`` is Kafka's ``partitionsTransferringOwnership``.
    """
    n, total = len(hm_order), layout.total
    if n == 0:
        return {}, {}
    min_q, expected = divmod(total, n)
    max_q = min_q + (1 if expected else 0)
    over_min = 0
    kept: dict = {}
    maybe_revoked: dict = {}
    under: list = []  # unfilledMembersWithUnderMinQuotaPartitions
    exact: list = []  # unfilledMembersWithExactlyMinQuotaPartitions

    def lowest_first(m: str, gids: list, keep: int) -> list:
        if len(gids) <= keep:
            return gids
        offsets = layout.offsets

        def key(g):
            t = bisect_right(offsets, g) - 1
            return (g - offsets[t], t)

        gids = sorted(gids, key=key)
        for g in gids[keep:]:
            maybe_revoked[g] = m
        return gids[:keep]

    for m in hm_order:
        mine = owned[m]
        if multi:
            mine = [g for g in mine if g not in multi]
        k = len(mine)
        if k < min_q:
            kept[m] = mine
            under.append(m)
        elif k >= max_q and over_min < expected:
            over_min += 1
            if over_min == expected:
                exact.clear()
            kept[m] = lowest_first(m, mine, max_q)
        else:
            kept[m] = lowest_first(m, mine, min_q)
            if over_min < expected:
                exact.append(m)

    taken: set = set()
    for v in kept.values():
        taken.update(v)
    unassigned = [g for g in range(total) if g not in taken] if taken else list(range(total))

    under.sort(key=_java_key)
    exact.sort(key=_java_key)
    new: dict = {m: [] for m in hm_order}
    need = {m: min_q - len(kept[m]) for m in under}
    pos, done_rounds, active = 0, 0, under
    # Round robin over the members under minQuota, done in bulk: between two "member reaches
    # minQuota" events every active member gets one partition per round.
    while active and pos < len(unassigned):
        k = len(active)
        upto = min(need[m] for m in active)
        rounds = upto - done_rounds
        # the quotas guarantee enough free partitions to lift everyone to minQuota
        assert rounds * k <= len(unassigned) - pos, "sticky constrained path: ran out of partitions"
        for j, m in enumerate(active):
            new[m] += unassigned[pos + j: pos + rounds * k: k]
        pos += rounds * k
        done_rounds = upto
        exact += [m for m in active if need[m] == upto]
        active = [m for m in active if need[m] > upto]
    rest = unassigned[pos:]
    if len(rest) > len(exact):
        raise AssertionError("sticky constrained path: partitions left but every member is at maxQuota")
    for m, g in zip(exact, rest):
        new[m].append(g)

    withheld: dict = {}
    if maybe_revoked or multi:
        moving = set(maybe_revoked) | multi
        for m in hm_order:
            hits = moving.intersection(new[m])
            w = {g for g in hits if g in multi or maybe_revoked.get(g, m) != m}
            if w:
                withheld[m] = w
    target = {m: kept[m] + new[m] if new[m] else kept[m] for m in hm_order}
    return target, withheld


def _general_withheld(raw: dict, target: dict) -> dict:
    """``computePartitionsTransferringOwnership`` (general path): a partition is withheld from
    its new owner while any other member still lists it as owned, stale claims included."""
    claimed: set = set()
    for v in raw.values():
        claimed.update(v)
    withheld = {}
    for m, gids in target.items():
        w = claimed.intersection(gids).difference(raw.get(m, ()))
        if w:
            withheld[m] = w
    return withheld


class _Movements:
    """``PartitionMovements``: which partitions moved between which consumers in this rebalance,
    so that a later move can undo an earlier one instead of shuffling a second partition."""

    def __init__(self, topic_of: list, hash_of):
        self.topic_of = topic_of
        self.hash_of = hash_of
        self.by_topic: dict = {}  # topic -> {(src, dst): _JavaHashSet of gids}
        self.moves: dict = {}  # gid -> (src, dst)

    def _remove(self, g):
        pair = self.moves.pop(g)
        t = self.topic_of[g]
        per = self.by_topic[t]
        s = per[pair]
        s.remove(g)
        if not len(s):
            del per[pair]
        if not per:
            del self.by_topic[t]
        return pair

    def _add(self, g, pair):
        self.moves[g] = pair
        per = self.by_topic.setdefault(self.topic_of[g], {})
        s = per.get(pair)
        if s is None:
            s = per[pair] = _JavaHashSet(self.hash_of)
        s.add(g)

    def move(self, g, old, new):
        pair = self.moves.get(g)
        if pair is not None:
            self._remove(g)
            if pair[0] != new:  # not moving back to where it came from
                self._add(g, (pair[0], new))
        else:
            self._add(g, (old, new))

    def actual_partition_to_move(self, g, old, new):
        per = self.by_topic.get(self.topic_of[g])
        if per is None:
            return g
        pair = self.moves.get(g)
        if pair is not None:
            old = pair[0]
        s = per.get((new, old))
        if s is None:
            return g
        return s.first()


class _GeneralAssignment:
    """``GeneralAssignmentBuilder``: members subscribe to different topics.

    1. Keep every owned partition the member still subscribes to (claims resolved by generation).
    2. Walk the free partitions (topics sorted by number of potential consumers, then name) and
       give each to the least-loaded subscribed member (ties: member id).
    3. Move partitions from more- to less-loaded members until balanced, preferring to move a
       partition back to its owner of an older generation; keep the moves only if the balance
       score (sum of pairwise load differences) improved.

    Members are indices in Java id order, so ``(load, index)`` is Kafka's TreeSet order.
    """

    def __init__(self, ppt: dict, members: dict, hm_order: list):
        self.members = members
        self.hm_order = hm_order
        self.ids = _java_sorted(members)
        self.idx = {m: i for i, m in enumerate(self.ids)}
        potential: dict = {t: 0 for t in ppt}
        subs_names = {}
        for m, spec in members.items():
            s = [t for t in _dedup(spec.get("topics", ())) if t in ppt]
            subs_names[m] = s
            for t in s:
                potential[t] += 1
        order = sorted(ppt, key=lambda t: (potential[t], _java_key(t)))
        self.layout = _Layout(order, ppt)
        lay = self.layout
        n = len(self.ids)
        self.subs = [[lay.index[t] for t in subs_names[m]] for m in self.ids]
        self.topic_consumers: list = [[] for _ in lay.names]
        for c, ts in enumerate(self.subs):
            for t in ts:
                self.topic_consumers[t].append(c)
        self.max_size = [sum(lay.count[lay.names[t]] for t in ts) for ts in self.subs]
        self.n = n
        thash = [java_string_hash(t) for t in lay.names]
        offsets, topic_of = lay.offsets, lay.topic_of

        def hash_of(g):
            t = topic_of[g]
            return _spread(31 * (31 + g - offsets[t]) + thash[t])

        self.hash_of = hash_of

    # -- state helpers -------------------------------------------------------------------------

    def _push(self, c):
        heappush(self.heaps[self.class_of[c]], self.load[c] * self.n + c)

    def _set_load(self, c, delta):
        load, by_load = self.load, self.by_load
        old = load[c]
        new = old + delta
        load[c] = new
        group = by_load[old]
        group.discard(c)
        if not group:
            del by_load[old]
        by_load.setdefault(new, set()).add(c)
        if new < self.min_load:
            self.min_load = new
        elif old == self.min_load and old not in by_load:
            self.min_load = min(by_load)
        if new > self.max_load:
            self.max_load = new
        elif old == self.max_load and old not in by_load:
            self.max_load = max(by_load)
        self._push(c)

    def _least_loaded(self, t):
        """First member of Kafka's ``sortedCurrentSubscriptions`` subscribed to topic ``t``."""
        n, load, active = self.n, self.load, self.active
        best = None
        for k in self.topic_classes[t]:
            h = self.heaps[k]
            while h:
                key = h[0]
                c = key % n
                if active[c] and load[c] * n + c == key:
                    break
                heappop(h)
            if h and (best is None or h[0] < best):
                best = h[0]
        return None if best is None else best % n

    # -- algorithm -----------------------------------------------------------------------------

    def build(self) -> dict:
        lay, members, n = self.layout, self.members, self.n
        N = lay.total
        topic_of = lay.topic_of
        raw, owned, _multi = _resolve_claims(members, self.hm_order, lay)
        self.raw = raw
        gens = {m: _generation(members[m]) for m in members}
        max_gen = max([DEFAULT_GENERATION, *gens.values()])

        # prepopulateCurrentAssignments: the newest older-generation owner of each partition
        prev: dict = {}
        for m in self.hm_order:
            g_m = gens[m]
            if g_m < max_gen:
                c = self.idx[m]
                for g in raw[m]:
                    p = prev.get(g)
                    if p is None or g_m > p[1]:
                        prev[g] = (c, g_m)

        owner = [-1] * N
        load = [0] * n
        revocation_required = False
        for m in self.hm_order:
            c = self.idx[m]
            sset = set(self.subs[c])
            mine = owned[m]
            if mine and not sset.issuperset(map(topic_of.__getitem__, mine)):
                revocation_required = True
                mine = [g for g in mine if topic_of[g] in sset]
            for g in mine:
                owner[g] = c
            load[c] = len(mine)
        self.owner, self.load = owner, load
        initializing = max(load, default=0) == 0
        unassigned = [g for g in range(N) if owner[g] < 0]

        # one heap of (load, index) keys per distinct subscription
        classes: dict = {}
        self.class_of = [classes.setdefault(tuple(sorted(ts)), len(classes)) for ts in self.subs]
        self.heaps = [[] for _ in classes]
        for c in range(n):
            self.heaps[self.class_of[c]].append(load[c] * n + c)
        for h in self.heaps:
            heapify(h)
        self.topic_classes = [sorted({self.class_of[c] for c in cs}) for cs in self.topic_consumers]
        self.class_topics = list(classes)
        self.class_set = [set(ts) for ts in classes]

        # maybeAssign: each free partition to the least-loaded subscribed member
        offsets = lay.offsets
        for t in range(len(lay.names)):
            lo = bisect_left(unassigned, offsets[t])
            hi = bisect_left(unassigned, offsets[t + 1], lo)
            if lo == hi:
                continue
            ks = self.topic_classes[t]
            if len(ks) == 1:
                h = self.heaps[ks[0]]
                for g in unassigned[lo:hi]:
                    key = h[0]
                    c = key % n
                    owner[g] = c
                    load[c] += 1
                    heapreplace(h, key + n)
            else:
                heaps = [self.heaps[k] for k in ks]
                for g in unassigned[lo:hi]:
                    h = min(heaps, key=lambda hh: hh[0])
                    key = h[0]
                    c = key % n
                    owner[g] = c
                    load[c] += 1
                    heapreplace(h, key + n)

        # fixed topics (fewer than two potential consumers) and fixed members
        movable_topic = [len(cs) >= 2 for cs in self.topic_consumers]
        self.active = [load[c] < self.max_size[c] or any(movable_topic[t] for t in self.subs[c]) for c in range(n)]
        if not any(self.active):
            return self._result()
        reassignable = [g for g in range(N) if movable_topic[topic_of[g]]]
        unassigned = [g for g in unassigned if movable_topic[topic_of[g]]]
        self.by_load: dict = {}  # load -> movable members with that load
        for c in range(n):
            if self.active[c]:
                self.by_load.setdefault(load[c], set()).add(c)
        self.min_load, self.max_load = min(self.by_load), max(self.by_load)
        self.tcount = None
        self.movements = _Movements(topic_of, self.hash_of)
        self.prev = prev

        pre_owner, pre_load = list(owner), list(load)
        if not revocation_required:
            self._perform_reassignments(unassigned)
        performed = self._perform_reassignments(reassignable)
        if not initializing and performed and self._score(self.load) >= self._score(pre_load):
            self.owner, self.load = pre_owner, pre_load
        return self._result()

    def _result(self) -> dict:
        out: dict = {m: [] for m in self.ids}
        ids = self.ids
        for g, c in enumerate(self.owner):
            if c >= 0:
                out[ids[c]].append(g)
        return out

    def _score(self, load) -> int:
        """``getBalanceScore``: sum of |load difference| over all pairs of movable members."""
        ls = sorted(load[c] for c in range(self.n) if self.active[c])
        k = len(ls)
        return sum(v * (2 * i - k + 1) for i, v in enumerate(ls))

    def _build_tcount(self):
        """Per topic: owner -> number of its partitions; per member: topic -> number owned."""
        tcount: list = [{} for _ in self.layout.names]
        ccount: list = [{} for _ in range(self.n)]
        topic_of = self.layout.topic_of
        for g, c in enumerate(self.owner):
            if c >= 0:
                t = topic_of[g]
                d = tcount[t]
                d[c] = d.get(c, 0) + 1
                d = ccount[c]
                d[t] = d.get(t, 0) + 1
        self.tcount, self.ccount = tcount, ccount

    def _is_balanced(self) -> bool:
        """``isBalanced``: loads differ by at most one, or no member could take a partition of a
        subscribed topic from a member that has at least two more.

        Kafka scans every (member, subscribed partition) pair.  Here a member ``c`` is short iff
        the most loaded owner of some topic it subscribes to has more than ``load[c] + 1``
        partitions (c itself never qualifies), and that maximum is the same for every member
        with the same subscription, so each subscription is settled once, at its lowest load.
        """
        if self.min_load >= self.max_load - 1:
            return True
        if self.tcount is None:
            self._build_tcount()
        load, max_size, by_load, class_of = self.load, self.max_size, self.by_load, self.class_of
        tcount, ccount, class_topics, class_set = self.tcount, self.ccount, self.class_topics, self.class_set
        heaviest = by_load[self.max_load]
        top: dict = {}  # topic -> load of its most loaded owner
        settled: set = set()
        for level in range(self.min_load, self.max_load - 1):
            group = by_load.get(level)
            if not group:
                continue
            for c in group:
                k = class_of[c]
                if k in settled or level == max_size[c]:
                    continue
                # quick look: does one of the most loaded members hold one of these topics?
                mine = class_set[k]
                for i, o in enumerate(heaviest):
                    if not mine.isdisjoint(ccount[o]):
                        return False
                    if i == 3:
                        break
                most = -1
                for t in class_topics[k]:
                    v = top.get(t)
                    if v is None:
                        v = top[t] = max([load[o] for o in tcount[t]], default=-1)
                    most = max(most, v)
                if most > level + 1:
                    return False
                settled.add(k)
        return True

    def _perform_reassignments(self, partitions: list) -> bool:
        performed = False
        owner, load, prev, active = self.owner, self.load, self.prev, self.active
        topic_of = self.layout.topic_of
        while True:
            modified = False
            for g in partitions:
                if self._is_balanced():
                    break
                c = owner[g]
                p = prev.get(g)
                if p is not None:
                    pc = p[0]
                    # Simplification: when that older owner cannot take part in reassignment (it
                    # only subscribes to topics nobody else wants), Kafka throws a
                    # NullPointerException and the rebalance fails; we skip the shortcut instead.
                    if active[pc] and load[c] > load[pc] + 1:
                        self._reassign(g, pc)
                        performed = modified = True
                        continue
                best = self._least_loaded(topic_of[g])
                if best is not None and load[c] > load[best] + 1:
                    self._reassign(g, best)
                    performed = modified = True
            if not modified:
                return performed

    def _reassign(self, g, new):
        old = self.owner[g]
        g = self.movements.actual_partition_to_move(g, old, new)
        old = self.owner[g]
        self.movements.move(g, old, new)
        self.owner[g] = new
        if self.tcount is not None:
            t = self.layout.topic_of[g]
            _count_move(self.tcount[t], old, new)
            _count_down(self.ccount[old], t)
            _count_up(self.ccount[new], t)
        self._set_load(old, -1)
        self._set_load(new, +1)


def _count_down(d: dict, key) -> None:
    d[key] -= 1
    if not d[key]:
        del d[key]


def _count_up(d: dict, key) -> None:
    d[key] = d.get(key, 0) + 1


def _count_move(d: dict, old, new) -> None:
    _count_down(d, old)
    _count_up(d, new)


def _sticky_outputs(members: dict, res: _StickyResult, cooperative: bool) -> dict:
    lay = res.layout
    out = {}
    for m, gids in res.target.items():
        w = res.withheld.get(m) if cooperative else None
        if w:
            gids = [g for g in gids if g not in w]
        if gids:
            out[m] = lay.to_output(gids)
    return _normalise_output(members, out)


# ---------------------------------------------------------------------------------------------
# Public API: client side
# ---------------------------------------------------------------------------------------------

def assign(assignor: str, topics: dict, members: dict) -> dict:
    """Run a client-side assignor the way the group leader does.

    ``topics`` is ``{topic: partition count}`` as the leader's metadata shows it; ``members`` is
    ``{member id: {"topics", "owned", "generation", "instance_id"?}}``.  Returns
    ``{member: {topic: [sorted partitions]}}`` with every member present (``{}`` when it gets
    nothing).  For ``cooperative-sticky`` this is the first-round assignment: partitions that
    still belong to another member are withheld until their owner revokes them (KIP-429).

    >>> assign("sticky", {"orders": 8}, {
    ...     "C1": {"topics": ["orders"], "owned": {"orders": [0, 1, 2]}, "generation": 5},
    ...     "C2": {"topics": ["orders"], "owned": {"orders": [3, 4, 5]}, "generation": 5},
    ...     "C3": {"topics": ["orders"], "owned": {}, "generation": -1}})   # C3 joins
    {'C1': {'orders': [0, 1, 2]}, 'C2': {'orders': [3, 4, 5]}, 'C3': {'orders': [6, 7]}}

    Raises ``ValueError`` for an unknown assignor name.
    """
    _check_name(assignor, ASSIGNORS)
    with _no_cyclic_gc():
        if assignor == "range":
            return _range(topics, members)
        if assignor == "roundrobin":
            return _roundrobin(topics, members)
        return _sticky_outputs(members, _sticky(topics, members), assignor == "cooperative-sticky")


def sticky_target(topics: dict, members: dict) -> dict:
    """The sticky algorithm's full target, before cooperative-sticky withholds anything.

    It equals ``assign("sticky", ...)``: both assignors run ``AbstractStickyAssignor``; they only
    read ownership from different places of the subscription.
    """
    with _no_cyclic_gc():
        return _sticky_outputs(members, _sticky(topics, members), cooperative=False)


def sticky_path(topics: dict, members: dict) -> str:
    """``"constrained"`` when all subscriptions are identical (the fast path), else ``"general"``."""
    return "constrained" if _all_subscriptions_equal(members, java_hashmap_order(members)) else "general"


def _minus(owned: dict, assignment: dict) -> dict:
    gone = []
    for t, ps in (owned or {}).items():
        keep = set(assignment.get(t, ()))
        gone += [(t, p) for p in ps if p not in keep]
    return _tp_dict(gone)


def _subset(a: dict, b: dict) -> bool:
    return all(set(ps) <= set(b.get(m, {}).get(t, ())) for m, tps in a.items() for t, ps in tps.items())


def cooperative_rebalance(topics: dict, members: dict) -> dict:
    """A whole cooperative-sticky rebalance (KIP-429), shaped like the oracle's output.

    Round one returns the target minus every partition another member still owns; members
    revoke what they lost and rejoin, owning exactly what round one gave them, at the next
    generation; this repeats while some member still has something to revoke.

    Keys: ``assignment`` (round one), ``path``, ``java_member_iteration_order``, ``revoked``
    (owned minus round one), ``target``, ``withheld`` (target minus round one),
    ``first_round_subset_of_target``, ``follow_up_rounds`` (each ``generation``, ``path``,
    ``assignment``, ``revoked``), ``final`` and ``final_equals_target``.  The follow-up rounds
    rerun the algorithm on the new ownership, so ``final`` can differ from ``target`` with the
    same per-member counts.
    """
    with _no_cyclic_gc():
        return _cooperative_rebalance(topics, members)


def _cooperative_rebalance(topics: dict, members: dict) -> dict:
    res = _sticky(topics, members)
    first = _sticky_outputs(members, res, cooperative=True)
    target = _sticky_outputs(members, res, cooperative=False)
    revoked = {m: _minus(members[m].get("owned"), first.get(m, {})) for m in sorted(members)}
    withheld = {m: _minus(target[m], first[m]) for m in target}
    rounds = _follow_up(topics, members, first, revoked)
    final = rounds[-1]["assignment"] if rounds else first
    return {
        "assignment": first,
        "path": res.path,
        "java_member_iteration_order": res.hm_order,
        "revoked": revoked,
        "target": target,
        "withheld": withheld,
        "first_round_subset_of_target": _subset(first, target),
        "follow_up_rounds": rounds,
        "final": final,
        "final_equals_target": final == target,
    }


def _follow_up(topics: dict, members: dict, assignment: dict, revoked: dict) -> list:
    gens = [_generation(m) for m in members.values()]
    generation = max([DEFAULT_GENERATION, *gens]) + 1
    rounds: list = []
    while any(revoked.values()) and len(rounds) < _MAX_FOLLOW_UP_ROUNDS:
        rejoined = {}
        for m, spec in members.items():
            again = {"topics": list(spec.get("topics", ())), "owned": assignment.get(m, {}), "generation": generation}
            if spec.get("instance_id") is not None:
                again["instance_id"] = spec["instance_id"]
            rejoined[m] = again
        res = _sticky(topics, rejoined)
        new = _sticky_outputs(rejoined, res, cooperative=True)
        revoked = {m: _minus(rejoined[m]["owned"], new.get(m, {})) for m in sorted(rejoined)}
        rounds.append({"generation": generation, "path": res.path, "assignment": new, "revoked": revoked})
        assignment = new
        generation += 1
    return rounds


def cooperative_rounds(topics: dict, members: dict) -> list:
    """The follow-up rebalances of a cooperative-sticky rebalance (see
    :func:`cooperative_rebalance`); empty when round one revoked nothing.  The last round's
    ``assignment`` is the settled (``final``) assignment."""
    return cooperative_rebalance(topics, members)["follow_up_rounds"]


# ---------------------------------------------------------------------------------------------
# KIP-848 server-side assignors (group.consumer.assignors)
# ---------------------------------------------------------------------------------------------

def _server_inputs(topics: dict, members: dict):
    """Members sorted by id; each member's existing subscribed topics; current assignment with
    every partition owned at most once.

    # Simplification: Kafka iterates its member HashMap and topic-id sets; we use sorted ids and
    # topic names.  A partition listed by two members (impossible in the coordinator's state)
    # stays with the first in sorted order.
    """
    order = _java_sorted(members)
    subs = {m: [t for t in _dedup(members[m].get("topics", ())) if int(topics.get(t, 0)) > 0] for m in order}
    seen: set = set()
    owned: dict = {}
    for m in order:
        cur: dict = {}
        for t, ps in sorted((members[m].get("owned") or {}).items()):
            if t not in topics:
                continue
            keep = [p for p in sorted(set(ps)) if 0 <= p < int(topics[t]) and (t, p) not in seen]
            seen.update((t, p) for p in keep)
            if keep:
                cur[t] = keep
        owned[m] = cur
    return order, subs, owned


def _server_range(topics: dict, members: dict) -> dict:
    """KIP-848 ``range`` (group-coordinator ``RangeAssignor``): members sorted with static ones
    first (by instance id), each topic cut into consecutive ranges, the first
    ``partitions % subscribers`` members getting one extra.  Topics with equal partition counts
    and subscribers are therefore co-partitioned: member i gets the same partition numbers of
    each.  In this Kafka version it is not sticky: ``owned`` is ignored."""
    order = _member_info_order(members, _java_sorted(members))
    result: dict = {m: {} for m in members}
    for t in _java_sorted({t for m in members.values() for t in m.get("topics", ())}):
        count = int(topics.get(t, 0))
        consumers = [m for m in order if t in members[m].get("topics", ())]
        if count <= 0 or not consumers:
            continue
        per, extra = divmod(count, len(consumers))
        start = 0
        for i, m in enumerate(consumers):
            end = min(start + per + (1 if i < extra else 0), count)
            if end > start:
                result[m][t] = list(range(start, end))
            start = end
    return _normalise_output(members, result)


def _server_uniform(topics: dict, members: dict) -> dict:
    """KIP-848 ``uniform`` (the default ``group.consumer.assignors``): balanced and sticky.

    Homogeneous subscriptions: each member keeps its current partitions up to its quota
    (``minQuota``, or one more for the first ``partitions % members`` members walked), and the
    free partitions fill the members below quota in order.  Heterogeneous subscriptions: members
    keep every partition they still subscribe to, free partitions go topic by topic (most
    partitions per subscriber first) to the least-loaded subscribers, then each topic is
    rebalanced by moving partitions from its most- to its least-loaded subscribers until their
    loads differ by at most one (at most 16 passes over the topics).
    """
    order, subs, owned = _server_inputs(topics, members)
    result = {m: {} for m in members}
    if not order:
        return {}
    all_topics = _java_sorted({t for ts in subs.values() for t in ts})
    if not all_topics:
        return _normalise_output(members, result)
    counts = {t: int(topics[t]) for t in all_topics}
    first = set(subs[order[0]])
    if all(set(subs[m]) == first for m in order):
        return _normalise_output(members, _uniform_homogeneous(order, all_topics, counts, owned))
    return _normalise_output(members, _uniform_heterogeneous(order, subs, all_topics, counts, owned))


def _uniform_homogeneous(order, all_topics, counts, owned) -> dict:
    total = sum(counts.values())
    min_q, extra = divmod(total, len(order))
    taken = {(t, p) for m in order for t, ps in owned[m].items() for p in ps}
    unassigned = [(t, p) for t in all_topics for p in range(counts[t]) if (t, p) not in taken]
    target: dict = {}
    unfilled = []
    for m in order:
        quota = min_q + (1 if extra > 0 else 0)
        extra -= 1 if extra > 0 else 0
        mine = {}
        for t, ps in owned[m].items():
            if t not in counts:
                continue  # no longer subscribed: revoked
            if len(ps) <= quota:
                mine[t] = list(ps)
                quota -= len(ps)
            else:
                mine[t] = ps[:quota]
                unassigned += [(t, p) for p in ps[quota:]]
                quota = 0
            if not mine[t]:
                del mine[t]
        target[m] = mine
        if quota > 0:
            unfilled.append((m, quota))
    pos = 0
    for m, quota in unfilled:
        for t, p in unassigned[pos:pos + quota]:
            target[m].setdefault(t, []).append(p)
        pos += quota
    return {m: {t: sorted(ps) for t, ps in sorted(tps.items())} for m, tps in target.items()}


def _uniform_heterogeneous(order, subs, all_topics, counts, owned) -> dict:
    idx = {m: i for i, m in enumerate(order)}
    subscribers = {t: [idx[m] for m in order if t in subs[m]] for t in all_topics}
    owner = {t: [-1] * counts[t] for t in all_topics}
    load = [0] * len(order)
    for m in order:
        mine = set(subs[m])
        for t, ps in owned[m].items():
            if t in mine:
                for p in ps:
                    owner[t][p] = idx[m]
                load[idx[m]] += len(ps)

    def topic_key(t):
        return (-counts[t] / len(subscribers[t]), len(subscribers[t]), _java_key(t))

    for t in sorted(all_topics, key=topic_key):
        free = [p for p in range(counts[t]) if owner[t][p] < 0]
        if not free:
            continue
        # Kafka's MemberAssignmentBalancer: sort subscribers by (load, index) once, then deal
        # round robin over the least-loaded range, widening it as its load catches up.
        ranked = sorted(subscribers[t], key=lambda c: (load[c], c))
        level = load[ranked[0]]
        end = 0
        nxt = 0
        for p in free:
            if nxt >= end:
                level += 1 if end else 0
                while end < len(ranked) and load[ranked[end]] <= level:
                    end += 1
                nxt = 0
            c = ranked[nxt]
            nxt += 1
            owner[t][p] = c
            load[c] += 1

    # Simplification: Kafka's balanceTopic() walks precomputed load ranges and moves each member's
    # highest partitions in bulk; we move one partition at a time from the most loaded holder to
    # the least loaded subscriber, which reaches the same per-topic balance (loads within one),
    # possibly with different partitions.
    movable = [t for t in sorted(all_topics, key=topic_key) if len(subscribers[t]) >= 2]
    last_moved = -1
    for _ in range(16):
        for i, t in enumerate(movable):
            if i == last_moved:
                break
            moved = 0
            while True:
                holders = {c for c in owner[t] if c >= 0}
                src = max(holders, key=lambda c: (load[c], c), default=None)
                dst = min(subscribers[t], key=lambda c: (load[c], c))
                if src is None or load[src] - load[dst] <= 1:
                    break
                p = max(p for p in range(counts[t]) if owner[t][p] == src)
                owner[t][p] = dst
                load[src] -= 1
                load[dst] += 1
                moved += 1
            if moved or last_moved == -1:
                last_moved = i
        else:
            continue
        break

    target: dict = {m: {} for m in order}
    for t in all_topics:
        for p, c in enumerate(owner[t]):
            if c >= 0:
                target[order[c]].setdefault(t, []).append(p)
    return target


def assign_server_side(assignor: str, topics: dict, members: dict) -> dict:
    """Run a KIP-848 broker-side assignor (``group.protocol=consumer``).

    Different semantics from the client-side ones with the same name: the group coordinator runs
    them, ``owned`` is the member's current target assignment (no generations, no conflicts),
    static members are not needed for stickiness, and the consumer reconciles towards the new
    target itself, so nothing is withheld.

    * ``uniform`` (default): balanced and sticky, see :func:`_server_uniform`.
    * ``range``: co-partitioning ranges per topic, see :func:`_server_range`.

    >>> assign_server_side("range", {"orders": 4, "payments": 4},
    ...                    {"A": {"topics": ["orders", "payments"]}, "B": {"topics": ["orders", "payments"]}})
    {'A': {'orders': [0, 1], 'payments': [0, 1]}, 'B': {'orders': [2, 3], 'payments': [2, 3]}}
    """
    _check_name(assignor, SERVER_SIDE_ASSIGNORS)
    with _no_cyclic_gc():
        if assignor == "range":
            return _server_range(topics, members)
        return _server_uniform(topics, members)


# ---------------------------------------------------------------------------------------------
# Assignor objects in the ``name = "range"`` shape
# ---------------------------------------------------------------------------------------------

class _ClientAssignor:
    """``assign(partitions_per_topic, subscriptions) -> {member_id: [TopicPartition]}``."""

    name = ""

    def assign(self, partitions_per_topic: dict, subscriptions: dict) -> dict:
        result = assign(self.name, partitions_per_topic, subscriptions)
        return {m: sorted(TopicPartition(t, p) for t, ps in tps.items() for p in ps) for m, tps in result.items()}


class RangeAssignor(_ClientAssignor):
    """``org.apache.kafka.clients.consumer.RangeAssignor`` (eager)."""

    name = "range"


class RoundRobinAssignor(_ClientAssignor):
    """``org.apache.kafka.clients.consumer.RoundRobinAssignor`` (eager)."""

    name = "roundrobin"


class StickyAssignor(_ClientAssignor):
    """``org.apache.kafka.clients.consumer.StickyAssignor`` (eager, KIP-54)."""

    name = "sticky"


class CooperativeStickyAssignor(_ClientAssignor):
    """``org.apache.kafka.clients.consumer.CooperativeStickyAssignor`` (KIP-429); ``assign``
    returns the first round, with partitions still owned elsewhere withheld."""

    name = "cooperative-sticky"


class UniformServerAssignor:
    """KIP-848 ``org.apache.kafka.coordinator.group.assignor.UniformAssignor``."""

    name = "uniform"

    def assign(self, partitions_per_topic: dict, subscriptions: dict) -> dict:
        result = assign_server_side(self.name, partitions_per_topic, subscriptions)
        return {m: sorted(TopicPartition(t, p) for t, ps in tps.items() for p in ps) for m, tps in result.items()}


class RangeServerAssignor(UniformServerAssignor):
    """KIP-848 ``org.apache.kafka.coordinator.group.assignor.RangeAssignor``."""

    name = "range"


_BY_NAME = {cls.name: cls for cls in (RangeAssignor, RoundRobinAssignor, StickyAssignor, CooperativeStickyAssignor)}


def get_assignor(name: str) -> _ClientAssignor:
    """The client-side assignor object for a ``partition.assignment.strategy`` name."""
    _check_name(name, ASSIGNORS)
    return _BY_NAME[name]()
