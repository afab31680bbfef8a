"""kafkalab: a deterministic Kafka 4.x (KRaft) cluster you can produce to, read from and draw.

    import kafkalab
    cluster = kafkalab.Cluster(brokers=3, seed=42)
    cluster.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic orders "
                "--partitions 12 --replication-factor 3")
    p = kafkalab.Producer({"bootstrap.servers": "kafka-1:9092"})

Renderers live in ``kafkalab.viz`` (they import pandas/matplotlib; the model never does).
"""
from .clients import (OFFSET_BEGINNING, OFFSET_END, OFFSET_INVALID, OFFSET_STORED, AdminClient, Consumer, Message,
                      Producer, TopicPartition)
from . import tools  # noqa: F401  (registers cluster.cli)
from .cluster import Cluster
from .errors import ConfigException, KafkaError, KafkaException

__version__ = "0.1.0"


def connect(bootstrap_servers: str, config: dict | None = None, **kwargs):
    """A real cluster's handle for the renderers (``kafkalab.real.connect``; needs the ``real`` extra)."""
    from .real import connect as _connect

    return _connect(bootstrap_servers, config, **kwargs)


__all__ = ["Cluster", "connect", "Producer", "Consumer", "AdminClient", "KafkaError", "KafkaException",
           "ConfigException", "Message", "TopicPartition", "OFFSET_BEGINNING", "OFFSET_END", "OFFSET_INVALID", "OFFSET_STORED"]
