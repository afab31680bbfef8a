"""Kafka Connect on the simulated cluster: workers, connectors, converters, SMTs, dead letters.

    from kafkalab.ecosystem.connect import ConnectCluster, database
    connect = ConnectCluster(cluster, workers=2)
    connect.create_connector("orders-to-db", {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                                              "topics": "orders", "connection.url": "jdbc:sqlite:warehouse",
                                              "auto.create": "true", "tasks.max": "2"})
    connect.run(20_000)
    database("warehouse").query("SELECT * FROM orders")
"""
from .connectors import PLUGINS, EmbeddedDatabase, database, reset_databases
from .data import (
    ConfigException,
    ConnectException,
    ConnectRecord,
    DataException,
    NetworkException,
    RetriableException,
)
from .transforms import Chain
from .worker import ConnectCluster, ConnectRestError, Worker, java_trace

__all__ = ["PLUGINS", "Chain", "ConfigException", "ConnectCluster", "ConnectException", "ConnectRecord",
           "ConnectRestError", "DataException", "EmbeddedDatabase", "NetworkException", "RetriableException", "Worker",
           "database", "java_trace", "reset_databases"]
