"""A simulated network between named nodes: latency, loss and partitions.

Nodes talk only through :meth:`Network.send`.  Each message gets the link's latency (default
``1`` ms), may be lost (per-link probability drawn from the sim's seeded RNG, or a targeted
``drop_next``), and never crosses a partition or reaches a node that is down — checked when it
is sent *and* when it would arrive, so a message in flight when a link is cut is lost too.

>>> from kafkalab.sim.kernel import Sim
>>> sim = Sim(seed=1)
>>> got = []
>>> sim.network.send("client", "kafka-1", "ProduceRequest", got.append, "hello")
>>> sim.network.partition({"client"}, {"kafka-1"})
>>> sim.network.send("client", "kafka-1", "ProduceRequest", got.append, "lost")
>>> sim.run()
>>> got   # the first was in flight when the link was cut, so it is lost too
[]
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class Network:
    def __init__(self, sim, default_latency_ms: int = 1):
        self.sim = sim
        self.default_latency_ms = default_latency_ms
        self._latency: dict[tuple[str, str], int] = {}
        self._loss: dict[tuple[str, str], float] = {}
        self._cut: set[frozenset] = set()
        self._down: set[str] = set()
        self._unroutable: set[str] = set()  # nodes nobody can reach, ever (a subset of _down)
        self._since: dict = {}  # node or frozenset pair -> time it went down / was cut
        self._drop_next: list[list] = []  # [src, dst, kind, remaining]
        self.trace_messages = False
        self.bandwidth: float | None = None
        self._link_busy: dict = {}
        self._service: dict = {}
        self._watchers: dict = {}
        self.sent = 0
        self.dropped = 0

    # -- faults -----------------------------------------------------------------------------
    def set_latency(self, a: str, b: str, ms: int, both_ways: bool = True) -> None:
        self._latency[(a, b)] = ms
        if both_ways:
            self._latency[(b, a)] = ms

    def set_loss(self, a: str, b: str, probability: float, both_ways: bool = True) -> None:
        self._loss[(a, b)] = probability
        if both_ways:
            self._loss[(b, a)] = probability
        self.sim.trace.emit("net.loss", node=None, a=a, b=b, probability=probability, both_ways=both_ways)

    def drop_next(self, src: str | None, dst: str | None, kind: str | None = None, count: int = 1) -> None:
        """Lose the next ``count`` messages from ``src`` to ``dst`` (``None`` = any) of ``kind``."""
        self._drop_next.append([src, dst, kind, count])

    def partition(self, side_a: Iterable[str], side_b: Iterable[str]) -> None:
        """Cut every link between a node of ``side_a`` and a node of ``side_b`` (both ways)."""
        a, b = sorted(set(side_a)), sorted(set(side_b))
        for x in a:
            for y in b:
                if x != y:
                    self._cut.add(frozenset((x, y)))
                    self._since.setdefault(frozenset((x, y)), self.sim.now)
        self.sim.trace.emit("net.partition", node=None, side_a=a, side_b=b)

    def heal(self, side_a: Iterable[str] | None = None, side_b: Iterable[str] | None = None) -> None:
        """Restore links cut by :meth:`partition` (all of them when no sides are given)."""
        if side_a is None:
            self._cut.clear()
            self._since = {k: v for k, v in self._since.items() if not isinstance(k, frozenset)}
            self.sim.trace.emit("net.heal", node=None, side_a=None, side_b=None)
            return
        a, b = sorted(set(side_a)), sorted(set(side_b or ()))
        for x in a:
            for y in b:
                self._cut.discard(frozenset((x, y)))
                self._since.pop(frozenset((x, y)), None)
        self.sim.trace.emit("net.heal", node=None, side_a=a, side_b=b)

    def watch(self, node: str, fn: Callable[[str], Any]) -> Callable[[], None]:
        """Call ``fn(node)`` when ``node`` goes down: its TCP connections are reset, so a peer with
        requests in flight learns of it at once (a network partition, by contrast, is silent).
        Returns a function that stops the watch (the request was answered)."""
        self._watchers.setdefault(node, []).append(fn)

        def unwatch() -> None:
            fns = self._watchers.get(node, [])
            if fn in fns:
                fns.remove(fn)
        return unwatch

    def set_unroutable(self, node: str) -> None:
        """``node`` reaches nobody and nobody reaches it, for good: a client whose ``bootstrap.servers``
        names no broker (librdkafka keeps trying: ``Failed to resolve 'myhost:9092'``)."""
        self._unroutable.add(node)
        self._down.add(node)
        self.sim.trace.emit("net.unroutable", node=node)

    def set_down(self, node: str, down: bool) -> None:
        if down:
            self._down.add(node)
            self._since.setdefault(node, self.sim.now)
            for fn in list(self._watchers.get(node, ())):
                self.sim.schedule(self.default_latency_ms, fn, node)
        elif node not in self._unroutable:
            self._down.discard(node)
            self._since.pop(node, None)

    def disconnected_since(self, a: str, b: str) -> int:
        """When the link between ``a`` and ``b`` last went (node down or cut); now if it is up."""
        times = [self._since[k] for k in (a, b, frozenset((a, b))) if k in self._since]
        return min(times) if times else self.sim.now

    def is_down(self, node: str) -> bool:
        return node in self._down

    def connected(self, a: str, b: str) -> bool:
        return a not in self._down and b not in self._down and frozenset((a, b)) not in self._cut

    # -- sending ----------------------------------------------------------------------------
    def latency(self, src: str, dst: str) -> int:
        return self._latency.get((src, dst), self.default_latency_ms)

    def send(self, src: str, dst: str, kind: str, handler: Callable[..., Any], *args: Any, size: int = 0) -> bool:
        """Deliver ``handler(*args)`` at ``dst`` after the link latency, unless the message is lost.

        ``size`` (bytes) matters only when a bandwidth is set (:meth:`set_bandwidth`): the link
        then carries one message at a time, each taking ``size / bandwidth`` to transmit.
        Returns False when the message was dropped at once (the sender cannot tell; it will
        only notice a missing reply, as over TCP when a peer vanishes).
        """
        self.sent += 1
        reason = self._drop_reason(src, dst, kind) if (self._down or self._cut or self._drop_next or self._loss) \
            else None
        if reason is not None:
            self._drop(src, dst, kind, reason)
            return False
        if self.trace_messages:
            self.sim.trace.emit("net.send", node=src, dst=dst, msg=kind, size=size)
        delay = self.latency(src, dst)
        if self.bandwidth and size:
            link = (src, dst)
            start = max(self.sim.now, self._link_busy.get(link, 0))
            done = start + size / self.bandwidth
            self._link_busy[link] = done
            delay += int(done - self.sim.now + 0.999)
        self.sim.schedule(delay, self._arrive, src, dst, kind, handler, args, size)
        return True

    def set_bandwidth(self, bytes_per_ms: float | None) -> None:
        """Give every link this bandwidth (``125_000`` bytes/ms is 1 Gbit/s); ``None``: unlimited."""
        self.bandwidth = bytes_per_ms

    def set_service(self, node: str, servers: int, cost_ms: Callable[[str, int], float]) -> None:
        """Make ``node`` handle arriving messages with ``servers`` parallel workers, each message
        taking ``cost_ms(kind, size)`` of virtual time before its handler runs (a request queue)."""
        self._service[node] = (servers, cost_ms, [0.0] * servers)

    def _arrive(self, src, dst, kind, handler, args, size=0) -> None:
        if not self.connected(src, dst):
            self._drop(src, dst, kind, "down" if (src in self._down or dst in self._down) else "partition")
            return
        svc = self._service.get(dst)
        if svc is not None:
            _servers, cost, free_at = svc
            i = free_at.index(min(free_at))  # the first worker to be free (lowest index on a tie)
            start = max(self.sim.now, free_at[i])
            free_at[i] = start + cost(kind, size)
            delay = int(free_at[i] - self.sim.now + 0.999)
            if delay > 0:
                self.sim.schedule(delay, self._handle, dst, handler, args)
                return
        handler(*args)

    def _handle(self, dst, handler, args) -> None:
        if dst not in self._down:
            handler(*args)

    def _drop_reason(self, src: str, dst: str, kind: str) -> str | None:
        if src in self._down or dst in self._down:
            return "unroutable" if src in self._unroutable or dst in self._unroutable else "down"
        if self._cut and frozenset((src, dst)) in self._cut:
            return "partition"
        if self._drop_next:
            for rule in self._drop_next:
                if (rule[0] in (None, src)) and (rule[1] in (None, dst)) and (rule[2] in (None, kind)):
                    rule[3] -= 1
                    if rule[3] <= 0:
                        self._drop_next.remove(rule)
                    return "injected"
        p = self._loss.get((src, dst))
        if p and self.sim.rng.random() < p:
            return "loss"
        return None

    def _drop(self, src: str, dst: str, kind: str, reason: str) -> None:
        self.dropped += 1
        self.sim.trace.emit("net.drop", node=src, dst=dst, msg=kind, reason=reason)
