"""Serdes: Kafka's built-in ones (``org.apache.kafka.common.serialization.Serdes``), windowed ones, JSON.

A :class:`Serde` turns Python values into the bytes that go to Kafka and back, exactly as the Java
serde does, so the records a kafkalab topology writes are the bytes a Java application writes:

* ``Serdes.String()`` — UTF-8; ``Serdes.Long()`` — 8 bytes big-endian (a Java ``long``);
  ``Serdes.Integer()`` — 4 bytes; ``Serdes.Double()`` — IEEE 754 big-endian; ``Serdes.ByteArray()``;
  ``Serdes.Void()``. ``None`` is ``null`` both ways.
* ``WindowedSerdes.time_windowed_serde_from(inner, window_size_ms)`` — key bytes followed by the
  8-byte window start (``WindowKeySchema.toBinary``); ``session_windowed_serde_from(inner)`` — key
  bytes, then end, then start (``SessionKeySchema.toBinary``).
* :class:`JsonSerde` — **not part of Apache Kafka**: kafkalab's own, so notebook values can be
  dicts. In Java you would write a serde or use Confluent's JSON Schema serde.

Config values (``default.key.serde``) name a serde class as Java does,
``"org.apache.kafka.common.serialization.Serdes$StringSerde"``, or pass the class itself
(``Serdes.StringSerde``). An unknown name is rejected like Java's ``ConfigDef``:
``Invalid value Foo for configuration default.key.serde: Class Foo could not be found.``

>>> Serdes.Long().serialize("t", 5)
b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05'
>>> Serdes.String().deserialize("t", b"u_42")
'u_42'
"""
from __future__ import annotations

import json
import struct

from ...errors import ConfigException, Err, KafkaError, KafkaException
from .windows import SessionWindow, TimeWindow, Windowed

_LONG = struct.Struct(">q")
_INT = struct.Struct(">i")
_DOUBLE = struct.Struct(">d")


class SerializationException(KafkaException):
    """``org.apache.kafka.common.errors.SerializationException``."""

    def __init__(self, message: str):
        super().__init__(KafkaError(Err.UNKNOWN_SERVER_ERROR, message))


class Serde:
    """A serializer and deserializer in one (``Serde<T>``); ``serializer()``/``deserializer()`` return it."""

    java_class = ""

    def serialize(self, topic: str | None, data) -> bytes | None:
        raise NotImplementedError

    def deserialize(self, topic: str | None, data: bytes | None):
        raise NotImplementedError

    def serializer(self) -> Serde:
        return self

    def deserializer(self) -> Serde:
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class StringSerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$StringSerde"

    def serialize(self, topic, data):
        if data is None:
            return None
        if not isinstance(data, str):
            raise SerializationException(f"StringSerializer got a {type(data).__name__} ({data!r}), not a str: "
                                         "set a serde that matches the value (e.g. Serdes.Long())")
        return data.encode("utf-8")

    def deserialize(self, topic, data):
        return None if data is None else bytes(data).decode("utf-8")


class LongSerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$LongSerde"

    def serialize(self, topic, data):
        if data is None:
            return None
        if isinstance(data, bool) or not isinstance(data, int):
            raise SerializationException(f"LongSerializer got a {type(data).__name__} ({data!r}), not an int")
        return _LONG.pack(data)

    def deserialize(self, topic, data):
        if data is None:
            return None
        if len(data) != 8:
            raise SerializationException("Size of data received by LongDeserializer is not 8")
        return _LONG.unpack(data)[0]


class IntegerSerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$IntegerSerde"

    def serialize(self, topic, data):
        if data is None:
            return None
        if isinstance(data, bool) or not isinstance(data, int):
            raise SerializationException(f"IntegerSerializer got a {type(data).__name__} ({data!r}), not an int")
        return _INT.pack(data)

    def deserialize(self, topic, data):
        if data is None:
            return None
        if len(data) != 4:
            raise SerializationException("Size of data received by IntegerDeserializer is not 4")
        return _INT.unpack(data)[0]


class DoubleSerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$DoubleSerde"

    def serialize(self, topic, data):
        return None if data is None else _DOUBLE.pack(float(data))

    def deserialize(self, topic, data):
        if data is None:
            return None
        if len(data) != 8:
            raise SerializationException("Size of data received by DoubleDeserializer is not 8")
        return _DOUBLE.unpack(data)[0]


class ByteArraySerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$ByteArraySerde"

    def serialize(self, topic, data):
        return None if data is None else bytes(data)

    def deserialize(self, topic, data):
        return None if data is None else bytes(data)


class VoidSerde(Serde):
    java_class = "org.apache.kafka.common.serialization.Serdes$VoidSerde"

    def serialize(self, topic, data):
        if data is not None:
            raise IllegalArgument("VoidSerializer can only serialize null")

    def deserialize(self, topic, data):
        if data is not None:
            raise IllegalArgument("Data should be null for a VoidDeserializer.")


def IllegalArgument(msg: str):
    from .errors import IllegalArgumentException

    return IllegalArgumentException(msg)


class JsonSerde(Serde):
    """kafkalab's JSON serde (not in Apache Kafka): ``json.dumps(sort_keys=True)`` as UTF-8."""

    java_class = "kafkalab.JsonSerde"

    def serialize(self, topic, data):
        return None if data is None else json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def deserialize(self, topic, data):
        return None if data is None else json.loads(bytes(data))


class TimeWindowedSerde(Serde):
    """``WindowedSerdes.TimeWindowedSerde``: inner key bytes + 8-byte window start (big-endian)."""

    java_class = "org.apache.kafka.streams.kstream.WindowedSerdes$TimeWindowedSerde"

    def __init__(self, inner: Serde, window_size_ms: int | None = None):
        self.inner = inner
        self.window_size_ms = window_size_ms

    def serialize(self, topic, data):
        if data is None:
            return None
        inner = self.inner.serialize(topic, data.key)
        return (inner or b"") + _LONG.pack(data.window.start)

    def serialize_base_key(self, topic, data) -> bytes | None:
        """What ``WindowedStreamPartitioner`` hashes: only the inner key."""
        return self.inner.serialize(topic, data.key)

    def deserialize(self, topic, data):
        if data is None:
            return None
        start = _LONG.unpack(data[-8:])[0]
        # Without a window size the end is Long.MAX_VALUE, as TimeWindowedDeserializer does.
        end = start + self.window_size_ms if self.window_size_ms is not None else 2**63 - 1
        return Windowed(self.inner.deserialize(topic, bytes(data[:-8])), TimeWindow(start, end))

    def __eq__(self, other):
        return type(other) is type(self) and other.inner == self.inner and other.window_size_ms == self.window_size_ms

    def __hash__(self):
        return hash((type(self), self.inner, self.window_size_ms))

    def __repr__(self):
        return f"TimeWindowedSerde({self.inner!r}, {self.window_size_ms})"


class SessionWindowedSerde(Serde):
    """``WindowedSerdes.SessionWindowedSerde``: inner key bytes + end + start (8 bytes each)."""

    java_class = "org.apache.kafka.streams.kstream.WindowedSerdes$SessionWindowedSerde"

    def __init__(self, inner: Serde):
        self.inner = inner

    def serialize(self, topic, data):
        if data is None:
            return None
        return (self.inner.serialize(topic, data.key) or b"") + _LONG.pack(data.window.end) + \
            _LONG.pack(data.window.start)

    def serialize_base_key(self, topic, data) -> bytes | None:
        return self.inner.serialize(topic, data.key)

    def deserialize(self, topic, data):
        if data is None:
            return None
        end, start = _LONG.unpack(data[-16:-8])[0], _LONG.unpack(data[-8:])[0]
        return Windowed(self.inner.deserialize(topic, bytes(data[:-16])), SessionWindow(start, end))

    def __eq__(self, other):
        return type(other) is type(self) and other.inner == self.inner

    def __hash__(self):
        return hash((type(self), self.inner))

    def __repr__(self):
        return f"SessionWindowedSerde({self.inner!r})"


class ChangedSerde(Serde):
    """``ChangedSerializer``/``ChangedDeserializer``: a table update ``Change(new, old)`` on a repartition topic.

    The format is Kafka's (since 3.4/3.5, KIP-904): ``{old}{0}`` for a removal, ``{new}{1}`` for an addition,
    ``{varint len(new)}{new}{old}{2}`` for both (the varint is zigzag-encoded, ``ByteUtils.writeVarint``).
    The inner serde is the grouping's value serde, or the default one (``setIfUnset``).
    """

    def __init__(self, inner: Serde | None):
        self.inner = inner

    def set_if_unset(self, default: Serde | None) -> None:
        if self.inner is None:
            self.inner = default

    def serialize(self, topic, data):
        from .errors import StreamsException

        new = None if data.new_value is None else self.inner.serialize(topic, data.new_value)
        old = None if data.old_value is None else self.inner.serialize(topic, data.old_value)
        if new is not None and old is not None:
            return _varint(len(new)) + new + old + b"\x02"
        if new is not None:
            return new + b"\x01"
        if old is not None:
            return old + b"\x00"
        raise StreamsException("Both old and new values are null in ChangeSerializer, which is not allowed.")

    def deserialize(self, topic, data):
        from .processor import Change

        if data is None:
            return None
        flag, body = data[-1], data[:-1]
        if flag == 0:
            return Change(None, self.inner.deserialize(topic, body))
        if flag == 1:
            return Change(self.inner.deserialize(topic, body), None)
        n, at = _read_varint(body)
        return Change(self.inner.deserialize(topic, body[at:at + n]), self.inner.deserialize(topic, body[at + n:]))

    def __eq__(self, other) -> bool:
        return isinstance(other, ChangedSerde) and other.inner == self.inner

    def __hash__(self) -> int:
        return hash((ChangedSerde, self.inner))


def _varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 31)
    out = bytearray()
    while z & ~0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _read_varint(data: bytes) -> tuple[int, int]:
    z = shift = i = 0
    while True:
        b = data[i]
        z |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return (z >> 1) ^ -(z & 1), i
        shift += 7


class Serdes:
    """``org.apache.kafka.common.serialization.Serdes``: ``Serdes.String()``, ``Serdes.Long()``, …"""

    StringSerde = StringSerde
    LongSerde = LongSerde
    IntegerSerde = IntegerSerde
    DoubleSerde = DoubleSerde
    ByteArraySerde = ByteArraySerde
    VoidSerde = VoidSerde

    @staticmethod
    def String() -> StringSerde:
        return StringSerde()

    @staticmethod
    def Long() -> LongSerde:
        return LongSerde()

    @staticmethod
    def Integer() -> IntegerSerde:
        return IntegerSerde()

    @staticmethod
    def Double() -> DoubleSerde:
        return DoubleSerde()

    @staticmethod
    def ByteArray() -> ByteArraySerde:
        return ByteArraySerde()

    @staticmethod
    def Void() -> VoidSerde:
        return VoidSerde()


class WindowedSerdes:
    """``org.apache.kafka.streams.kstream.WindowedSerdes``."""

    @staticmethod
    def time_windowed_serde_from(inner: Serde | type, window_size_ms: int) -> TimeWindowedSerde:
        return TimeWindowedSerde(inner() if isinstance(inner, type) else inner, int(window_size_ms))

    @staticmethod
    def session_windowed_serde_from(inner: Serde | type) -> SessionWindowedSerde:
        return SessionWindowedSerde(inner() if isinstance(inner, type) else inner)


_BY_JAVA_NAME = {cls.java_class: cls for cls in (StringSerde, LongSerde, IntegerSerde, DoubleSerde, ByteArraySerde,
                                                  VoidSerde, JsonSerde)}


def resolve_serde(value, config_name: str) -> Serde | None:
    """A serde from a config value: None, an instance, a Serde class, or a Java class name."""
    if value is None or isinstance(value, Serde):
        return value
    if isinstance(value, type) and issubclass(value, Serde):
        return value()
    if isinstance(value, str) and value in _BY_JAVA_NAME:
        return _BY_JAVA_NAME[value]()
    shown = value if isinstance(value, str) else repr(value)
    raise ConfigException(KafkaError(Err._INVALID_ARG, f"Invalid value {shown} for configuration {config_name}: "
                                                       f"Class {shown} could not be found."))


def as_serializer(s) -> Serde | None:
    """TopologyTestDriver's serializer arguments: a Serde instance or class (or None)."""
    if s is None or isinstance(s, Serde):
        return s
    if isinstance(s, type) and issubclass(s, Serde):
        return s()
    raise TypeError(f"expected a Serde (e.g. Serdes.String()), got {s!r}")


__all__ = [
    "ByteArraySerde",
    "DoubleSerde",
    "IntegerSerde",
    "JsonSerde",
    "LongSerde",
    "Serde",
    "Serdes",
    "SerializationException",
    "SessionWindowedSerde",
    "StringSerde",
    "TimeWindowedSerde",
    "VoidSerde",
    "WindowedSerdes",
    "as_serializer",
    "resolve_serde",
]
