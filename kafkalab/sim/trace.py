"""The one append-only trace that every teachable state change goes through.

Each event is ``TraceEvent(seq, time_ms, kind, node, fields)``.  Tables, graphs and checkers
read the trace (and model state), never a second computation of their own.  The dump is
canonical text, so "same seed and same calls" can be tested as "same sha256".

>>> t = Trace(clock=lambda: 0)
>>> t.emit("topic.create", node="controller", topic="orders", partitions=3).kind
'topic.create'
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple


class TraceEvent(NamedTuple):
    seq: int
    time_ms: int
    kind: str
    node: str | None
    fields: dict

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def line(self) -> str:
        """Canonical one-line text: what the dump (and its hash) is made of."""
        return f"{self.seq}\t{self.time_ms}\t{self.kind}\t{self.node or '-'}\t{_canon(self.fields)}"


def _default(o: Any) -> Any:
    if isinstance(o, (bytes, bytearray, memoryview)):
        return bytes(o).decode("utf-8", "backslashreplace")
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if isinstance(o, tuple):
        return list(o)
    return repr(o)


def _canon(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


class Trace:
    """Append-only list of :class:`TraceEvent` with filters and a pandas view.

    ``emit`` is the only way in.  ``subscribe(fn)`` lets live views (widgets, checkers)
    follow along without polling.
    """

    def __init__(self, clock: Callable[[], int], sim=None):
        self._clock = clock
        self._sim = sim  # read sim.now directly when given: emit is on every hot path
        self.events: list[TraceEvent] = []
        self._subscribers: list[Callable[[TraceEvent], None]] = []

    def emit(self, kind: str, /, node: str | None = None, **fields: Any) -> TraceEvent:
        events = self.events
        ev = TraceEvent(len(events), self._clock() if self._sim is None else self._sim.now, kind, node, fields)
        events.append(ev)
        if self._subscribers:
            for fn in self._subscribers:
                fn(ev)
        return ev

    def subscribe(self, fn: Callable[[TraceEvent], None]) -> Callable[[], None]:
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn)

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[TraceEvent]:
        return iter(self.events)

    def __getitem__(self, i):
        return self.events[i]

    def filter(self, kind: str | Iterable[str] | None = None, node: str | None = None,
               since_seq: int = 0, **match: Any) -> list[TraceEvent]:
        """Events whose kind equals ``kind`` (or starts with it, if it ends with ``.``)."""
        kinds = (kind,) if isinstance(kind, str) or kind is None else tuple(kind)
        exact = {k for k in kinds if k is not None and not k.endswith(".")}
        prefixes = tuple(k for k in kinds if k is not None and k.endswith("."))
        events = self.events[since_seq:] if since_seq else self.events
        if kind is not None and node is None and not match:  # the common call: by kind only (renderers read traces so)
            return [ev for ev in events if ev.kind in exact or prefixes and ev.kind.startswith(prefixes)]
        out = []
        for ev in events:
            if kind is not None and not (ev.kind in exact or prefixes and ev.kind.startswith(prefixes)):
                continue
            if node is not None and ev.node != node:
                continue
            if any(ev.fields.get(k) != v for k, v in match.items()):
                continue
            out.append(ev)
        return out

    def dump(self) -> str:
        return "".join(ev.line() + "\n" for ev in self.events)

    def digest(self) -> str:
        return hashlib.sha256(self.dump().encode("utf-8")).hexdigest()
