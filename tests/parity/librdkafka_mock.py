"""librdkafka's mock cluster with error injection, for parity tests against the real client.

confluent-kafka's wheel ships librdkafka, whose mock cluster (``rdkafka_mock.c``) implements the
transaction protocol.  Python has no binding for its fault API, so this module calls librdkafka's
own exported functions through ``ctypes``:

* ``rd_kafka_mock_cluster_new(rk, n)`` on a handle we own, ``rd_kafka_mock_cluster_bootstraps``
  for the clients' ``bootstrap.servers``;
* ``rd_kafka_mock_push_request_errors_array(mcluster, ApiKey, cnt, errors)``: the next ``cnt``
  requests of that API get those error codes (what a real broker answers in the situation the test
  stands for — each case cites the Kafka source that says so);
* ``rd_kafka_mock_broker_set_down/up``, ``rd_kafka_mock_coordinator_set``, ``rd_kafka_mock_topic_create``,
  ``rd_kafka_mock_partition_set_leader``: crash a broker, move a group's coordinator.

The first field of confluent-kafka's ``Handle`` struct after ``PyObject_HEAD`` is the
``rd_kafka_t *`` (``src/confluent_kafka/src/confluent_kafka.h``).  A mock cluster must be
destroyed before the handle that made it; :class:`MockCluster` does that in ``close()``.
"""
from __future__ import annotations

import ctypes
import glob
import os

API_KEYS = {"Produce": 0, "InitProducerId": 22, "AddPartitionsToTxn": 24, "AddOffsetsToTxn": 25, "EndTxn": 26,
            "TxnOffsetCommit": 28, "OffsetCommit": 8}


def _lib():
    import confluent_kafka

    libdir = os.path.join(os.path.dirname(confluent_kafka.__file__), os.pardir, "confluent_kafka.libs")
    paths = sorted(glob.glob(os.path.join(libdir, "librdkafka*.so*")))
    if not paths:
        return None
    lib = ctypes.CDLL(paths[0])
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_destroy.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_destroy.restype = None
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [ctypes.c_void_p, ctypes.c_int16, ctypes.c_size_t,
                                                            ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_push_request_errors_array.restype = None
    for name, args in (("rd_kafka_mock_broker_set_down", [ctypes.c_void_p, ctypes.c_int32]),
                       ("rd_kafka_mock_broker_set_up", [ctypes.c_void_p, ctypes.c_int32]),
                       ("rd_kafka_mock_coordinator_set", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                                          ctypes.c_int32]),
                       ("rd_kafka_mock_topic_create", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]),
                       ("rd_kafka_mock_partition_set_leader", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                                               ctypes.c_int32])):
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = ctypes.c_int
    return lib


def _rk(client) -> int:
    return ctypes.c_void_p.from_address(id(client) + object.__basicsize__).value


class MockCluster:
    """A librdkafka mock cluster of ``brokers`` brokers on 127.0.0.1 (ephemeral ports)."""

    def __init__(self, brokers: int = 3):
        import confluent_kafka

        self._lib = _lib()
        if self._lib is None:
            raise RuntimeError("confluent-kafka's bundled librdkafka was not found")
        self._owner = confluent_kafka.Producer({"bootstrap.servers": "", "log_level": 0})
        self._m = self._lib.rd_kafka_mock_cluster_new(_rk(self._owner), brokers)
        if not self._m:
            raise RuntimeError("rd_kafka_mock_cluster_new failed")
        self.bootstrap = self._lib.rd_kafka_mock_cluster_bootstraps(self._m).decode()

    def push_request_errors(self, api: str, *errors: int) -> None:
        arr = (ctypes.c_int * len(errors))(*errors)
        self._lib.rd_kafka_mock_push_request_errors_array(self._m, API_KEYS[api], len(errors), arr)

    def broker_set_down(self, broker_id: int) -> None:
        """The broker's listener closes: connections are reset and new ones refused."""
        self._lib.rd_kafka_mock_broker_set_down(self._m, broker_id)

    def broker_set_up(self, broker_id: int) -> None:
        self._lib.rd_kafka_mock_broker_set_up(self._m, broker_id)

    def coordinator_set(self, key_type: str, key: str, broker_id: int) -> None:
        """FindCoordinator(``key_type`` "group"/"transaction", ``key``) answers ``broker_id`` from now on."""
        self._lib.rd_kafka_mock_coordinator_set(self._m, key_type.encode(), key.encode(), broker_id)

    def topic_create(self, topic: str, partitions: int, replication_factor: int) -> None:
        self._lib.rd_kafka_mock_topic_create(self._m, topic.encode(), partitions, replication_factor)

    def partition_set_leader(self, topic: str, partition: int, broker_id: int) -> None:
        self._lib.rd_kafka_mock_partition_set_leader(self._m, topic.encode(), partition, broker_id)

    def close(self) -> None:
        if self._m:
            self._lib.rd_kafka_mock_cluster_destroy(self._m)
            self._m = None
        self._owner = None
