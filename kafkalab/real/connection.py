"""Connecting to a real cluster: fail within seconds, saying what was tried and what to check.

librdkafka never gives up on a bootstrap server by itself: it reconnects with back-off and a
metadata call simply times out.  :func:`check_connection` asks for metadata in short slices,
serving the client's error callbacks in between, and stops at the first definite answer
(connection refused, name not resolved, authentication failed, TLS handshake failed) or at the
deadline, whichever comes first.  The error raised is a ``confluent_kafka.KafkaException`` whose
``args[0]`` is a ``KafkaError`` with librdkafka's own code (``_TRANSPORT``, ``_AUTHENTICATION``,
``_RESOLVE``, ``_SSL``, ``_TIMED_OUT``), so code written for the real client catches it as usual.
"""
from __future__ import annotations

import re
import time

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

# Client settings that keep a notebook from waiting on a dead address: how long one TCP connect
# (+ TLS/SASL handshake) may take, and how long to back off between tries.  A user's own
# settings win.  librdkafka's defaults are 30000, 100 and 10000 ms (CONFIGURATION.md).
FAST_FAIL = {"socket.connection.setup.timeout.ms": 5000, "reconnect.backoff.ms": 50,
             "reconnect.backoff.max.ms": 500}


_AFTER = re.compile(r" \(after \d+ms in state \w+\)")  # librdkafka's timing suffix, dropped to merge repeats


class KafkaConnectError(KafkaException):
    """No usable connection to the cluster: ``args[0]`` is a ``KafkaError``; ``str()`` explains."""

    def __str__(self) -> str:
        return self.args[0].str()


def _advice(code_name: str, text: str, conf: dict) -> str:
    servers = conf.get("bootstrap.servers", "?")
    proto = str(conf.get("security.protocol", "plaintext"))
    low = text.lower()
    if code_name == "_AUTHENTICATION" or "sasl" in low and ("auth" in low or "fail" in low):
        mech = conf.get("sasl.mechanism", "GSSAPI")
        return (f"the broker rejected the credentials: check sasl.mechanism (now {mech}),"
                " sasl.username and sasl.password, and security.protocol (SASL_PLAINTEXT or SASL_SSL)")
    if "connection refused" in low:
        return (f"nothing listens there: check the port in bootstrap.servers={servers} (a broker's default is 9092), "
                "that the broker is running, and that this is the listener for security.protocol=" + proto)
    if code_name == "_RESOLVE" or "resolve" in low:
        return f"the host name in bootstrap.servers={servers} does not resolve: check its spelling and DNS"
    if code_name == "_SSL" or "ssl" in low or "handshake" in low:
        return "the TLS handshake failed: check security.protocol, ssl.ca.location and the broker's certificate"
    return (f"no Kafka broker answered at {servers}: check the host and port, that it is a Kafka listener "
            f"(not, say, Schema Registry's or an HTTP port), security.protocol (now {proto}: a broker that "
            "requires SASL or TLS drops a plaintext client), and firewalls")


def check_connection(conf: dict, timeout_s: float = 5.0):
    """Metadata of the cluster ``conf`` points at, or a ``KafkaConnectError`` within ``timeout_s`` seconds."""
    errors: list = []
    user_cb = conf.get("error_cb")

    def on_error(err):
        errors.append(err)
        if user_cb is not None:
            user_cb(err)

    # log_level 2: librdkafka's own connection-failure lines would repeat on stderr what the raised error says.
    admin = AdminClient({**FAST_FAIL, "log_level": 2, **conf, "error_cb": on_error})
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        left = deadline - time.monotonic()
        try:
            return admin, admin.list_topics(timeout=max(0.05, min(0.5, left)))
        except KafkaException as e:
            last = e.args[0]
        admin.poll(0)
        definite = [e for e in errors if e.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL, KafkaError._RESOLVE)
                    or "connection refused" in e.str().lower()]
        if definite or time.monotonic() >= deadline:
            break
    shown = definite or errors or [last]
    first = shown[0]
    said = "; ".join(dict.fromkeys(_AFTER.sub("", e.str()) for e in shown if e is not None))[:600]
    tried = (f"bootstrap.servers={conf.get('bootstrap.servers')}, security.protocol="
             f"{conf.get('security.protocol', 'plaintext')}" + (f", sasl.mechanism={conf['sasl.mechanism']}"
                                                                if "sasl.mechanism" in conf else ""))
    name = first.name() if first is not None else "_TIMED_OUT"
    code = first.code() if first is not None else KafkaError._TIMED_OUT
    if not definite:
        code, name = KafkaError._TIMED_OUT, "_TIMED_OUT"
    took = timeout_s - max(0.0, deadline - time.monotonic())
    msg = (f"Could not use the Kafka cluster at {conf.get('bootstrap.servers')} "
           f"({'gave up' if definite else 'no metadata'} after {took:.1f} s; "
           f"tried {tried}). librdkafka said: {said or 'nothing'}. What to check: {_advice(name, said, conf)}.")
    raise KafkaConnectError(KafkaError(code, msg))
