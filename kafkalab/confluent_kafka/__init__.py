"""A stand-in for the ``confluent_kafka`` package: the same public names, backed by the simulator.

A syllabus snippet runs with only its import line changed::

    from kafkalab.confluent_kafka import Producer   # was: from confluent_kafka import Producer

Clients connect to the simulated cluster that their ``bootstrap.servers`` names (``kafka-1:9092``,
``B1:9092``, …), or to the most recently created one.  Like librdkafka, ``Producer()`` rejects
Java-only properties such as ``buffer.memory`` with ``No such configuration property``.
"""
from ..clients.admin import AdminClient
from ..clients.common import (OFFSET_BEGINNING, OFFSET_END, OFFSET_INVALID, OFFSET_STORED, TIMESTAMP_CREATE_TIME,
                              TIMESTAMP_LOG_APPEND_TIME, TIMESTAMP_NOT_AVAILABLE, Message, TopicPartition)
from ..clients.consumer import Consumer
from ..clients.producer import Producer
from ..clients.share_consumer import AcknowledgeType, IllegalStateException, Messages, ShareConsumer
from ..errors import KafkaError, KafkaException

__all__ = ["AdminClient", "Consumer", "KafkaError", "KafkaException", "Message", "Producer", "TopicPartition",
           "OFFSET_BEGINNING", "OFFSET_END", "OFFSET_INVALID", "OFFSET_STORED", "TIMESTAMP_CREATE_TIME",
           "TIMESTAMP_LOG_APPEND_TIME", "TIMESTAMP_NOT_AVAILABLE", "version", "libversion", "ShareConsumer",
           "AcknowledgeType", "Messages", "IllegalStateException"]


def version() -> tuple[str, int]:
    """The confluent-kafka release whose API this module mirrors."""
    return ("2.16.1", 0x02100100)


def libversion() -> tuple[str, int]:
    """The librdkafka release whose client rules (configs, partitioners) the simulator follows."""
    return ("2.16.0", 0x021000FF)
