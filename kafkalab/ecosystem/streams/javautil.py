"""The few ``java.util`` behaviours that decide the text of ``Topology.describe()``.

Kafka Streams builds its topology description from ``HashSet``/``HashMap`` iteration orders and
``TreeSet``s sorted by a comparator whose keys change while the set is filled
(``InternalTopologyBuilder.describeSubtopology``). To print exactly what Kafka prints, kafkalab
replays those collections rather than sorting by name:

* :func:`string_hash` — ``String.hashCode`` (31-based, 32-bit signed).
* :func:`hash_order` — the iteration order of a ``java.util.HashMap`` / ``HashSet`` after
  inserting keys in a given order (bucket ``(h ^ h >>> 16) & (n - 1)``, table doubling past a
  0.75 load factor, insertion order within a bucket).
* :class:`JavaTreeSet` — ``java.util.TreeSet`` as a red-black tree (``TreeMap.put`` and
  ``fixAfterInsertion``), comparing with the comparator *at insertion time*, so the order stays
  what Java's would be even when the compared fields change later.
* :func:`collection_str` / :func:`map_str` — ``AbstractCollection.toString`` (``[a, b]``) and
  ``AbstractMap.toString`` (``{a=1, b=2}``).

>>> string_hash("clicks")
-1357714453
>>> hash_order(["b", "a", "c"])
['a', 'b', 'c']
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

_MASK = 0xFFFFFFFF


def string_hash(s: str) -> int:
    """``java.lang.String.hashCode`` over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    raw = s.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(raw), 2):
        h = (31 * h + (raw[i] << 8 | raw[i + 1])) & _MASK
    return h - 0x100000000 if h & 0x80000000 else h


def _spread(h: int) -> int:
    """``HashMap.hash``: the high 16 bits folded into the low ones (on the unsigned 32-bit value)."""
    u = h & _MASK
    return u ^ (u >> 16)


def hash_order(keys: Iterable, initial_capacity: int = 16, hash_fn: Callable = string_hash) -> list:
    """The order in which a ``java.util.HashMap``/``HashSet`` iterates ``keys`` inserted in this order.

    ``initial_capacity`` is the table size the map starts with (16 for ``new HashMap<>()``;
    ``new HashSet<>(collection)`` starts at ``max(size / .75 + 1, 16)`` rounded up to a power of two).
    Duplicates are kept once, as a set would.
    """
    n = 1
    while n < initial_capacity:
        n <<= 1
    table: list[list] = [[] for _ in range(n)]
    seen: set = set()
    size = 0
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        table[_spread(hash_fn(k)) & (n - 1)].append(k)
        size += 1
        if size > n * 3 // 4:
            # resize(): each bucket splits into the same index and index + old capacity, keeping order.
            old, n = table, n * 2
            table = [[] for _ in range(n)]
            for bucket in old:
                for key in bucket:
                    table[_spread(hash_fn(key)) & (n - 1)].append(key)
    return [k for bucket in table for k in bucket]


def hash_set_order(items: Iterable, hash_fn: Callable = string_hash) -> list:
    """Iteration order of ``new HashSet<>(collection)`` (its initial capacity follows the collection's size)."""
    items = list(items)
    return hash_order(items, max(int(len(items) / 0.75) + 1, 16), hash_fn)


class _TreeNode:
    __slots__ = ("black", "item", "left", "parent", "right")

    def __init__(self, item, parent):
        self.item, self.parent = item, parent
        self.left = self.right = None
        self.black = True  # TreeMap.Entry starts BLACK; fixAfterInsertion paints it red


class JavaTreeSet:
    """``java.util.TreeSet`` with a comparator: a red-black tree, compared when an item is added.

    ``compare(a, b)`` returns <0, 0 or >0; an item comparing 0 to one already present is not added.
    Iteration is in-order, so it is exactly Java's iteration order even if the comparator's inputs
    changed after some items went in (which ``InternalTopologyBuilder`` relies on).
    """

    def __init__(self, compare: Callable, items: Iterable = ()):
        self._compare = compare
        self._root: _TreeNode | None = None
        self._len = 0
        for x in items:
            self.add(x)

    def add(self, item) -> bool:
        t = self._root
        if t is None:
            self._root = _TreeNode(item, None)
            self._len = 1
            return True
        while True:
            c = self._compare(item, t.item)
            if c == 0:
                return False
            nxt = t.left if c < 0 else t.right
            if nxt is None:
                e = _TreeNode(item, t)
                if c < 0:
                    t.left = e
                else:
                    t.right = e
                self._fix_after_insertion(e)
                self._len += 1
                return True
            t = nxt

    # -- TreeMap's balancing, step for step ------------------------------------------------------
    @staticmethod
    def _black(p) -> bool:
        return True if p is None else p.black

    def _rotate_left(self, p) -> None:
        r = p.right
        p.right = r.left
        if r.left is not None:
            r.left.parent = p
        r.parent = p.parent
        if p.parent is None:
            self._root = r
        elif p.parent.left is p:
            p.parent.left = r
        else:
            p.parent.right = r
        r.left = p
        p.parent = r

    def _rotate_right(self, p) -> None:
        q = p.left
        p.left = q.right
        if q.right is not None:
            q.right.parent = p
        q.parent = p.parent
        if p.parent is None:
            self._root = q
        elif p.parent.right is p:
            p.parent.right = q
        else:
            p.parent.left = q
        q.right = p
        p.parent = q

    def _fix_after_insertion(self, x) -> None:
        x.black = False
        while x is not None and x is not self._root and not x.parent.black:
            parent = x.parent
            grand = parent.parent
            if parent is (grand.left if grand else None):
                y = grand.right
                if not self._black(y):
                    parent.black = True
                    y.black = True
                    grand.black = False
                    x = grand
                else:
                    if x is parent.right:
                        x = parent
                        self._rotate_left(x)
                    x.parent.black = True
                    x.parent.parent.black = False
                    self._rotate_right(x.parent.parent)
            else:
                y = grand.left if grand else None
                if not self._black(y):
                    parent.black = True
                    y.black = True
                    grand.black = False
                    x = grand
                else:
                    if x is parent.left:
                        x = parent
                        self._rotate_right(x)
                    x.parent.black = True
                    x.parent.parent.black = False
                    self._rotate_left(x.parent.parent)
        self._root.black = True

    def __iter__(self):
        stack, node = [], self._root
        while stack or node is not None:
            while node is not None:
                stack.append(node)
                node = node.left
            node = stack.pop()
            yield node.item
            node = node.right

    def __len__(self) -> int:
        return self._len


def collection_str(items: Iterable) -> str:
    """``AbstractCollection.toString``: ``[a, b]``."""
    return "[" + ", ".join(str(x) for x in items) + "]"


def map_str(items: Iterable[tuple]) -> str:
    """``AbstractMap.toString``: ``{a=1, b=2}``."""
    return "{" + ", ".join(f"{k}={v}" for k, v in items) + "}"
