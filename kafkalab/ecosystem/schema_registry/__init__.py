"""Schema Registry on the simulated cluster: a registry node whose state is the ``_schemas`` topic.

    from kafkalab.ecosystem.schema_registry import SchemaRegistry
    registry = SchemaRegistry(cluster)                  # answers http://schema-registry:8081
    client = SchemaRegistryClient({"url": registry.url})  # kafkalab.confluent_kafka.schema_registry

Compatibility verdicts come from Apache Avro's checker (:mod:`.compatibility`), applied with
Confluent's level rules.
"""
from .compatibility import DEFAULT_LEVEL, LEVELS, InvalidSchema, check, parse, verdict
from .registry import DEFAULT_URL, RestError, SchemaRegistry, find_server

__all__ = ["DEFAULT_LEVEL", "DEFAULT_URL", "LEVELS", "InvalidSchema", "RestError", "SchemaRegistry", "check",
           "find_server", "parse", "verdict"]
