"""The Kafka ecosystem on the simulated cluster: ``schema_registry/``, ``connect/`` and ``streams/``.

Each is built on the clients' public API only (``kafkalab.confluent_kafka``), as the real
Schema Registry, Connect workers and Kafka Streams are built on Kafka's clients.
"""
