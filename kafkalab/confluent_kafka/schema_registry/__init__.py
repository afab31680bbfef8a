"""``confluent_kafka.schema_registry``: the registry client, schema types and subject name strategies.

>>> from kafkalab.confluent_kafka.schema_registry import SchemaRegistryClient, Schema
>>> sr = SchemaRegistryClient({"url": "mock://doctest"})
>>> sr.register_schema("orders-value", Schema('{"type":"record","name":"Order","fields":[]}', "AVRO"))
1

A subject name strategy maps ``(SerializationContext, record name)`` to the subject:
``topic_subject_name_strategy`` → ``orders-value`` (the default), ``record_subject_name_strategy`` →
``com.acme.Order``, ``topic_record_subject_name_strategy`` → ``orders-com.acme.Order``.
"""
from ..serialization import MessageField, SerializationContext, SerializationError
from .error import SchemaRegistryError
from .schema_registry_client import (ConfigCompatibilityLevel, RegisteredSchema, Schema, SchemaReference,
                                     SchemaRegistryClient)

__all__ = ["ConfigCompatibilityLevel", "MessageField", "RegisteredSchema", "Schema", "SchemaReference",
           "SchemaRegistryClient", "SchemaRegistryError", "SerializationContext", "SerializationError",
           "record_subject_name_strategy", "topic_record_subject_name_strategy", "topic_subject_name_strategy"]


def topic_subject_name_strategy(ctx, record_name):
    """``{topic}-key`` or ``{topic}-value``."""
    if ctx is None:
        raise ValueError("SerializationContext is required for topic_subject_name_strategy. Either provide a "
                         "SerializationContext or use record_subject_name_strategy.")
    return ctx.topic + "-" + str(ctx.field)


def topic_record_subject_name_strategy(ctx, record_name):
    """``{topic}-{fully qualified record name}``."""
    if ctx is None:
        raise ValueError("SerializationContext is required for topic_record_subject_name_strategy. Either provide a "
                         "SerializationContext or use record_subject_name_strategy.")
    return ctx.topic + "-" + record_name if record_name is not None else None


def record_subject_name_strategy(ctx, record_name):
    """``{fully qualified record name}``: one subject per record type, whatever the topic."""
    return record_name if record_name is not None else None
