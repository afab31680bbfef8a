"""``confluent_kafka.serialization``: serializers that turn Python objects into record bytes and back.

Same names, signatures and errors as confluent-kafka's module: a serializer is called as
``serializer(obj, SerializationContext(topic, MessageField.VALUE))`` and returns ``bytes`` (or
``None`` for ``None``); failures raise :class:`SerializationError`, a ``KafkaException``.
The numeric ones use Kafka's Java encodings (big-endian ``int32`` / IEEE-754 ``double``), so
bytes written here are read by a Java ``IntegerDeserializer`` and vice versa.
"""
from __future__ import annotations

import struct as _struct
from enum import Enum
from typing import Any

from ..errors import KafkaException

__all__ = ["Deserializer", "DoubleDeserializer", "DoubleSerializer", "IntegerDeserializer", "IntegerSerializer",
           "MessageField", "SerializationContext", "SerializationError", "Serializer", "StringDeserializer",
           "StringSerializer"]


class MessageField(str, Enum):
    """Which part of a record is being (de)serialized: ``KEY`` or ``VALUE``."""

    NONE = "none"
    KEY = "key"
    VALUE = "value"

    def __str__(self) -> str:
        return str(self.value)


class SerializationContext:
    """Topic, field and headers of the record being (de)serialized."""

    def __init__(self, topic: str, field: MessageField, headers=None) -> None:
        self.topic = topic
        self.field = field
        self.headers = headers


class SerializationError(KafkaException):
    """Generic error from the serialization package.

    As in confluent-kafka, ``args[0]`` is the message itself (a str), so ``str(e)`` is the message.
    """

    def __init__(self, *args) -> None:
        Exception.__init__(self, *args)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Serializer:
    """Base class: ``__call__(obj, ctx=None) -> bytes | None``."""

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Deserializer:
    """Base class: ``__call__(value, ctx=None) -> object``."""

    def __call__(self, value: bytes | None, ctx: SerializationContext | None = None) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _Struct(Serializer):
    fmt = ">i"

    def __call__(self, obj, ctx=None):
        if obj is None:
            return None
        try:
            return _struct.pack(self.fmt, obj)
        except _struct.error as e:
            raise SerializationError(str(e)) from None


class _Unstruct(Deserializer):
    fmt = ">i"

    def __call__(self, value, ctx=None):
        if value is None:
            return None
        try:
            return _struct.unpack(self.fmt, value)[0]
        except _struct.error as e:
            raise SerializationError(str(e)) from None


class IntegerSerializer(_Struct):
    """int32, big-endian (Java's ``IntegerSerializer``)."""

    fmt = ">i"


class IntegerDeserializer(_Unstruct):
    fmt = ">i"


class DoubleSerializer(_Struct):
    """IEEE-754 double, big-endian (Java's ``DoubleSerializer``)."""

    fmt = ">d"


class DoubleDeserializer(_Unstruct):
    fmt = ">d"


class StringSerializer(Serializer):
    """``str`` → bytes in ``codec`` (UTF-8 by default)."""

    def __init__(self, codec: str = "utf_8") -> None:
        self.codec = codec

    def __call__(self, obj, ctx=None):
        if obj is None:
            return None
        try:
            return obj.encode(self.codec)
        except UnicodeError as e:
            raise SerializationError(str(e)) from None


class StringDeserializer(Deserializer):
    """bytes → ``str`` in ``codec`` (UTF-8 by default)."""

    def __init__(self, codec: str = "utf_8") -> None:
        self.codec = codec

    def __call__(self, value, ctx=None):
        if value is None:
            return None
        try:
            return value.decode(self.codec)
        except UnicodeError as e:
            raise SerializationError(str(e)) from None
