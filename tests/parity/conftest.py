"""tests/parity: the same case run on confluent-kafka (librdkafka's mock cluster) and on kafkalab."""
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/parity/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.parity)
