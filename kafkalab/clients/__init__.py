"""confluent-kafka-compatible clients over the simulated cluster."""
from ..cluster.cluster import CLIENT_FACTORIES as _FACTORIES
from .admin import AdminClient
from .common import (OFFSET_BEGINNING, OFFSET_END, OFFSET_INVALID, OFFSET_STORED, TIMESTAMP_CREATE_TIME,
                     TIMESTAMP_LOG_APPEND_TIME, TIMESTAMP_NOT_AVAILABLE, Message, TopicPartition)
from .consumer import Consumer
from .producer import Producer
from .share_consumer import AcknowledgeType, IllegalStateException, KafkaShareConsumer, Messages, ShareConsumer

__all__ = ["AdminClient", "Consumer", "Producer", "Message", "TopicPartition", "OFFSET_BEGINNING", "OFFSET_END",
           "OFFSET_INVALID", "OFFSET_STORED", "TIMESTAMP_CREATE_TIME", "TIMESTAMP_LOG_APPEND_TIME",
           "TIMESTAMP_NOT_AVAILABLE", "ShareConsumer", "KafkaShareConsumer", "AcknowledgeType", "Messages",
           "IllegalStateException"]

_FACTORIES.update(producer=Producer, consumer=Consumer, admin=AdminClient, share_consumer=ShareConsumer)  # cluster.producer(), ...
