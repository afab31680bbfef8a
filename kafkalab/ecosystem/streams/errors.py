"""Kafka Streams' exceptions (``org.apache.kafka.streams.errors``), with Kafka's names and messages.

``StreamsException`` extends ``org.apache.kafka.common.KafkaException`` in Java, so here it is a
:class:`kafkalab.errors.KafkaException` (code ``UNKNOWN``, the message as its reason): code that
catches ``KafkaException`` catches it, as Java code does. Java's unchecked argument and state
errors keep their names too, as ``ValueError``/``RuntimeError`` subclasses:

* ``IllegalArgumentException`` — e.g. ``TimeWindows.of_size_with_no_grace(0)``: "Window size
  (sizeMs) must be larger than zero."
* ``IllegalStateException`` — e.g. ``grace()`` after ``of_size_and_grace``.
* ``TopologyException`` — its message always starts "Invalid topology", as Kafka's constructor
  prefixes it (``TopologyException.java``).
"""
from __future__ import annotations

from ...errors import Err, KafkaError, KafkaException


class IllegalArgumentException(ValueError):
    """``java.lang.IllegalArgumentException``."""


class IllegalStateException(RuntimeError):
    """``java.lang.IllegalStateException``."""


class UnsupportedOperationException(RuntimeError):
    """``java.lang.UnsupportedOperationException``."""


class StreamsException(KafkaException):
    """``org.apache.kafka.streams.errors.StreamsException``; ``task_id`` names the task it came from."""

    def __init__(self, message: str, cause: BaseException | None = None, task_id=None):
        super().__init__(KafkaError(Err.UNKNOWN_SERVER_ERROR, message))
        self.message = message
        self.task_id = task_id
        if cause is not None:
            self.__cause__ = cause

    def __str__(self) -> str:
        return self.message


class TopologyException(StreamsException):
    """``TopologyException``: ``"Invalid topology: " + message`` (or just "Invalid topology")."""

    def __init__(self, message: str | None = None, cause: BaseException | None = None):
        super().__init__("Invalid topology" + ("" if message is None else ": " + message), cause)


class InvalidStateStoreException(StreamsException):
    """A store that cannot be queried (closed, migrated, or not yet restored)."""


class UnknownStateStoreException(InvalidStateStoreException):
    """No store of that name in the topology."""


class StreamsNotStartedException(InvalidStateStoreException):
    """Interactive query before ``KafkaStreams.start()``."""


class MissingSourceTopicException(StreamsException):
    """A source topic does not exist when the group rebalances."""


class TaskMigratedException(StreamsException):
    """The task's partitions moved to another member (a commit failed after a rebalance)."""


__all__ = ["IllegalArgumentException", "IllegalStateException", "InvalidStateStoreException",
           "MissingSourceTopicException", "StreamsException", "StreamsNotStartedException", "TaskMigratedException",
           "TopologyException", "UnknownStateStoreException", "UnsupportedOperationException"]
