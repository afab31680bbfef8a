"""Client-side types shared by the producer, consumer and admin client (confluent-kafka's API)."""
from __future__ import annotations

from typing import Any

from ..errors import KafkaError

# confluent_kafka offset and timestamp constants.
OFFSET_BEGINNING = -2
OFFSET_END = -1
OFFSET_STORED = -1000
OFFSET_INVALID = -1001
TIMESTAMP_NOT_AVAILABLE = 0
TIMESTAMP_CREATE_TIME = 1
TIMESTAMP_LOG_APPEND_TIME = 2


def client_conf(role: str, args: tuple, kwargs: dict) -> dict:
    """The config dict of ``Producer(conf, **kwargs)`` as confluent-kafka takes it (kwargs win).

    confluent-kafka accepts one dict (a subclass too) and/or keyword properties:
    ``Producer("orders")`` and ``Producer(None)`` raise ``TypeError: expected configuration dict``,
    two dicts ``TypeError: expected tuple containing single dict``; with no config at all a
    producer or admin client raises that first TypeError and a consumer asks for its ``group.id``.
    """
    if len(args) > 1:
        raise TypeError("expected tuple containing single dict")
    if not args and not kwargs:
        if role == "consumer":
            raise ValueError("Failed to create consumer: group.id must be set")
        raise TypeError("expected configuration dict")
    if args and not isinstance(args[0], dict):
        raise TypeError("expected configuration dict")
    merged = dict(args[0]) if args else {}
    merged.update(kwargs)
    return merged


class TopicPartition:
    """confluent-kafka's ``TopicPartition(topic, partition=-1, offset=OFFSET_INVALID, ...)``."""

    __slots__ = ("error", "leader_epoch", "metadata", "offset", "partition", "topic")

    def __init__(self, topic: str, partition: int = -1, offset: int = OFFSET_INVALID, metadata: str | None = None,
                 leader_epoch: int | None = None):
        self.topic, self.partition, self.offset = topic, partition, offset
        self.metadata, self.leader_epoch, self.error = metadata, leader_epoch, None

    def _key(self):
        return (self.topic, self.partition)

    def __eq__(self, other) -> bool:
        return isinstance(other, TopicPartition) and (self.topic, self.partition) == (other.topic, other.partition)

    def __lt__(self, other) -> bool:
        return (self.topic, self.partition) < (other.topic, other.partition)

    def __hash__(self) -> int:
        return hash((self.topic, self.partition))

    def __repr__(self) -> str:
        return (f"TopicPartition{{topic={self.topic},partition={self.partition},offset={self.offset},"
                f"leader_epoch={self.leader_epoch},error={self.error}}}")


class Message:
    """confluent-kafka's ``Message``: accessors, not attributes (``msg.value()``, ``msg.offset()``)."""

    __slots__ = (
        "_error",
        "_headers",
        "_key",
        "_latency",
        "_leader_epoch",
        "_offset",
        "_partition",
        "_timestamp",
        "_topic",
        "_value",
    )

    def __init__(self, topic: str | None, partition: int | None, offset: int | None, key: Any, value: Any,
                 headers: list | None = None, timestamp: tuple = (TIMESTAMP_NOT_AVAILABLE, -1),
                 error: KafkaError | None = None, latency: float | None = None, leader_epoch: int | None = None):
        self._topic, self._partition, self._offset = topic, partition, offset
        self._key, self._value, self._headers = key, value, headers
        self._timestamp, self._error, self._latency, self._leader_epoch = timestamp, error, latency, leader_epoch

    def topic(self):
        return self._topic

    def partition(self):
        return self._partition

    def offset(self):
        return self._offset

    def key(self):
        return self._key

    def value(self):
        return self._value

    def headers(self):
        return self._headers

    def timestamp(self):
        return self._timestamp

    def error(self):
        return self._error

    def latency(self):
        """Seconds from ``produce()`` to the delivery report (virtual time)."""
        return self._latency

    def leader_epoch(self):
        return self._leader_epoch

    def set_key(self, key) -> None:
        self._key = key

    def set_value(self, value) -> None:
        self._value = value

    def set_headers(self, headers) -> None:
        self._headers = headers

    def __len__(self) -> int:
        return len(self._value) if self._value is not None else 0

    def __repr__(self) -> str:
        if self._error is not None:
            return f"<Message error={self._error!r} topic={self._topic} partition={self._partition}>"
        return (f"<Message topic={self._topic} partition={self._partition} offset={self._offset} "
                f"key={self._key!r} value={self._value!r}>")


def to_bytes(x, what: str) -> bytes | None:
    """confluent-kafka accepts ``str`` (UTF-8 encoded) or bytes-like keys and values."""
    if x is None or type(x) is bytes:
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    raise TypeError(f"{what} must be str, bytes or None, not {type(x).__name__}: serialize it first "
                    f"(e.g. json.dumps(...).encode())")


def normalize_headers(headers) -> list | None:
    if not headers:
        return None
    items = headers.items() if isinstance(headers, dict) else headers
    return [(str(k), to_bytes(v, "header value")) for k, v in items]


class SimFuture:
    """A ``concurrent.futures.Future`` look-alike whose ``result()`` advances the virtual clock."""

    def __init__(self, sim, default_timeout_ms: int = 60000):
        self._sim = sim
        self._done = False
        self._result = None
        self._exc: BaseException | None = None
        self._callbacks: list = []
        self._default_timeout_ms = default_timeout_ms

    def set_result(self, value) -> None:
        self._done, self._result = True, value
        self._fire()

    def set_exception(self, exc: BaseException) -> None:
        self._done, self._exc = True, exc
        self._fire()

    def _fire(self) -> None:
        for cb in self._callbacks:
            cb(self)

    def add_done_callback(self, fn) -> None:
        if self._done:
            fn(self)
        else:
            self._callbacks.append(fn)

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return False

    def _wait(self, timeout) -> None:
        if not self._done:
            ms = self._default_timeout_ms if timeout is None else int(timeout * 1000)
            self._sim.run_for(ms, until=lambda: self._done)
        if not self._done:
            from ..errors import Err, KafkaException

            raise KafkaException(KafkaError(Err._TIMED_OUT, "Local: Timed out waiting for the simulated cluster"))

    def result(self, timeout: float | None = None):
        self._wait(timeout)
        if self._exc is not None:
            raise self._exc
        return self._result

    def exception(self, timeout: float | None = None):
        self._wait(timeout)
        return self._exc
