"""The simulation kernel: virtual time, one event queue, one seeded RNG.

Time is an ``int`` number of virtual milliseconds (Kafka's ``*.ms`` configs mean the same unit).
The queue holds ``(time_ms, priority, seq, fn, args)``; ``seq`` breaks ties, so two events at the
same time and priority run in the order they were scheduled.  Nothing here reads the wall clock
or the global ``random`` module: a ``Sim(seed)`` replays exactly.

>>> sim = Sim(seed=7)
>>> out = []
>>> _ = sim.schedule(5, out.append, "b")
>>> _ = sim.schedule(5, out.append, "c")
>>> _ = sim.schedule(1, out.append, "a")
>>> sim.run()
>>> out, sim.now
(['a', 'b', 'c'], 5)
"""
from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from typing import Any

from .network import Network
from .trace import Trace

_PURGE_MIN = 1024  # cancels before the queue is first checked for dead entries


class Timer:
    """Handle of a scheduled event; ``cancel()`` it to stop it from running."""

    __slots__ = ("cancelled", "seq", "sim", "time_ms")

    def __init__(self, seq: int, time_ms: int, sim: Sim | None = None):
        self.seq, self.time_ms, self.cancelled, self.sim = seq, time_ms, False, sim

    def cancel(self) -> None:
        if self.cancelled:
            return
        self.cancelled = True
        sim = self.sim
        if sim is not None:
            sim._cancels += 1
            if sim._cancels >= sim._purge_after:
                sim._purge_cancelled()


class Sim:
    """Clock + queue + RNG + network + trace for one simulated world."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.now = 0
        self.rng = random.Random(seed)
        self._queue: list = []
        self._seq = 0
        self._cancels = 0  # cancel() calls since the queue was last checked for cancelled entries
        self._purge_after = _PURGE_MIN
        self.trace = Trace(lambda: self.now, self)
        self.network = Network(self)
        self.events_run = 0
        self.perf = None  # an optional kafkalab.perf.PerfModel: costs of bytes and CPU in virtual time

    # -- scheduling -------------------------------------------------------------------------
    def schedule(self, delay_ms: int, fn: Callable, *args: Any, priority: int = 0) -> Timer:
        if delay_ms < 0:
            raise ValueError(f"cannot schedule {delay_ms} ms in the past")
        self._seq += 1
        time_ms = self.now + int(delay_ms)
        timer = Timer(self._seq, time_ms, self)
        heapq.heappush(self._queue, (time_ms, priority, self._seq, fn, args, timer))
        return timer

    def at(self, time_ms: int, fn: Callable, *args: Any, priority: int = 0) -> Timer:
        if time_ms < self.now:
            raise ValueError(f"cannot schedule at t={time_ms} ms: the clock is already at {self.now} ms")
        self._seq += 1
        timer = Timer(self._seq, time_ms, self)
        heapq.heappush(self._queue, (time_ms, priority, self._seq, fn, args, timer))
        return timer

    def reserve_seq(self) -> int:
        """Take the next tie-break number now for an event that :meth:`at_seq` schedules later.

        An event scheduled later under a number reserved earlier runs exactly where it would have run
        had it been scheduled at the reservation: a timer that is pushed back on every call (the
        consumer's ``max.poll.interval.ms``) can then stay in the queue and move itself when it comes
        due, instead of being cancelled and scheduled again each time.
        """
        self._seq += 1
        return self._seq

    def at_seq(self, time_ms: int, seq: int, fn: Callable, *args: Any, priority: int = 0) -> Timer:
        """Schedule ``fn(*args)`` at ``time_ms`` under ``seq`` from :meth:`reserve_seq` (used once)."""
        if time_ms < self.now:
            raise ValueError(f"cannot schedule at t={time_ms} ms: the clock is already at {self.now} ms")
        timer = Timer(seq, time_ms, self)
        heapq.heappush(self._queue, (time_ms, priority, seq, fn, args, timer))
        return timer

    def every(self, period_ms: int, fn: Callable, *args: Any, priority: int = 0, first_ms: int | None = None) -> Timer:
        """Run ``fn(*args)`` every ``period_ms`` until the returned handle is cancelled."""
        handle = Timer(-1, self.now)

        def tick():
            if handle.cancelled:
                return
            fn(*args)
            self.schedule(period_ms, tick, priority=priority)

        self.schedule(period_ms if first_ms is None else first_ms, tick, priority=priority)
        return handle

    def _purge_cancelled(self) -> None:
        """Drop cancelled events from the queue once they are most of it.

        A request's timeout is scheduled seconds ahead and cancelled when the answer comes, so without
        this the queue fills with dead entries (and the closures they hold) that every full garbage
        collection walks: 29,000 of them after the 1M-record ingest.  The queue is rebuilt in place (the
        run loop holds it) and heapified again; entries are ordered by (time, priority, seq), a total
        order, so the live events run in exactly the order they would have.  Checked every half a
        queue's worth of cancels, so the walk costs O(1) per cancel.
        """
        q = self._queue
        if sum(1 for e in q if e[5].cancelled) * 2 > len(q):
            q[:] = [e for e in q if not e[5].cancelled]
            heapq.heapify(q)
        self._cancels = 0
        self._purge_after = max(_PURGE_MIN, len(q) // 2)

    # -- running ----------------------------------------------------------------------------
    def next_time(self) -> int | None:
        q = self._queue
        while q and q[0][5].cancelled:
            heapq.heappop(q)
        return q[0][0] if q else None

    def step(self) -> bool:
        """Run the next event; False when the queue is empty."""
        q = self._queue
        while q:
            time_ms, _prio, _seq, fn, args, timer = heapq.heappop(q)
            if timer.cancelled:
                continue
            self.now = time_ms
            self.events_run += 1
            fn(*args)
            return True
        return False

    def run(self, until_ms: int | None = None, until: Callable[[], bool] | None = None,
            max_events: int | None = None) -> bool:
        """Run events in order.

        Stops when ``until()`` is true (checked before each event; returns True), when the next
        event lies after ``until_ms`` (the clock then moves to ``until_ms``), when the queue is
        empty, or after ``max_events``.  Returns whether ``until`` was satisfied.
        """
        q = self._queue
        n = 0
        while True:
            if until is not None and until():
                return True
            while q and q[0][5].cancelled:
                heapq.heappop(q)
            if not q or (until_ms is not None and q[0][0] > until_ms):
                break
            if max_events is not None and n >= max_events:
                return False
            time_ms, _prio, _seq, fn, args, _timer = heapq.heappop(q)
            self.now = time_ms
            self.events_run += 1
            n += 1
            fn(*args)
        if until_ms is not None and until_ms > self.now:
            self.now = until_ms
        return until() if until is not None else False

    def run_for(self, ms: int, until: Callable[[], bool] | None = None) -> bool:
        return self.run(until_ms=self.now + int(ms), until=until)

    def advance_to(self, time_ms: int) -> None:
        """Run everything up to ``time_ms`` and set the clock there."""
        if time_ms < self.now:
            raise ValueError(f"the clock is already at {self.now} ms; cannot go back to {time_ms} ms")
        self.run(until_ms=time_ms)
