"""Parity harness: one case function, run with the real confluent-kafka and with kafkalab.confluent_kafka.

A case is a function ``case(ck, env)``.  ``ck`` is the client module (``confluent_kafka`` or
``kafkalab.confluent_kafka``, with ``ck.admin`` imported); ``env`` gives it clients bound to a fresh
three-broker cluster and records what happens::

    @parity()
    def test_produce_to_partition_minus_two(ck, env):
        p = env.producer()
        env.step("produce", p.produce, "orders", b"v", partition=-2, on_delivery=env.dr)
        env.step("flush", p.flush, 2)
        return {"queued": len(p)}

Each side runs it once.  The outcome compared is: every ``env.step`` (OK, or the exception's
type, ``KafkaError.name()``, ``fatal()``, ``retriable()``, ``txn_requires_abort()``), the
delivery reports ``env.dr`` received (error name, topic, partition, offset), the value the case
returns (the state afterwards), and how the case itself ended (an exception escaping the case
is an outcome too).

* The real side uses librdkafka's mock cluster: a holder producer with ``test.mock.num.brokers=3``
  starts it, and every client of the case connects to the brokers that the holder's metadata
  names (``list_topics().brokers``), so they all share one cluster.  The mock cluster auto-creates
  topics with 4 partitions and replication factor 3 (``rdkafka_mock.c``: ``defaults.partition_cnt
  = 4``); the kafkalab side gets a 3-broker cluster whose ``num.partitions`` is 4 and
  ``default.replication.factor`` 3, so both start alike.  ``env.topic(name)`` makes a topic exist
  on both.
* Exception types compare at confluent-kafka's level: kafkalab's Kafka-named exceptions
  (``TopicExistsException``) are ``KafkaException`` subclasses and count as ``KafkaException``;
  Python's own (``TypeError``, ``ValueError``, ``BufferError``, ``RuntimeError``...) compare by name.
* ``@parity(differs=..., real=..., lab=...)`` declares a deliberate difference with its reason;
  the harness then checks each side against its declared outcome and that they do differ, so a
  difference that goes away (or changes) is noticed.
* ``@reference(source=..., expect=...)`` is for requests the mock cluster does not answer (admin
  requests: ``rdkafka_mock_handlers.c`` has no CreateTopics, DeleteTopics, DescribeConfigs ...):
  only kafkalab runs, against the outcome that Kafka's broker code gives, and ``source`` cites it.

Keep real-client runs fast: timeouts of a second or two; a consumer-group join costs the mock
cluster's 3 s ``group.initial.rebalance.delay.ms``.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

# Protective client settings for both sides: the real side must never wait long for a mock broker.
FAST = {"socket.timeout.ms": 2000, "message.timeout.ms": 3000}
MOCK_PARTITIONS = 4
MOCK_REPLICATION = 3


@dataclass(frozen=True)
class Failure:
    """An exception, as the comparison sees it."""

    type: str  # "KafkaException" or a builtin's name
    name: str | None = None  # KafkaError.name()
    fatal: bool = False
    retriable: bool = False
    txn_requires_abort: bool = False

    def __str__(self) -> str:
        flags = "".join(f",{f}" for f in ("fatal", "retriable", "txn_requires_abort") if getattr(self, f))
        return f"{self.type}({self.name or ''}{flags})"


OK = "ok"


def raises(type_: str = "KafkaException", name: str | None = None, **flags) -> Failure:
    return Failure(type_, name, **flags)


@dataclass
class Outcome:
    steps: list = field(default_factory=list)  # (label, OK or Failure)
    reports: list = field(default_factory=list)  # delivery reports: (error name or None, topic, partition, offset)
    result: Any = None  # what the case returned
    end: Any = OK  # OK, or the Failure that escaped the case

    def __str__(self) -> str:
        lines = [f"  {label}: {o}" for label, o in self.steps]
        if self.reports:
            lines.append(f"  reports: {self.reports}")
        lines.append(f"  result: {self.result!r}")
        lines.append(f"  end: {self.end}")
        return "\n".join(lines)

    def key(self):
        return ([(label, str(o)) for label, o in self.steps], _per_partition(self.reports), self.result,
                str(self.end))


def _per_partition(reports: list) -> list:
    """Delivery reports in order within each partition; librdkafka gives no order across partitions."""
    return sorted(reports, key=lambda r: (str(r[1:3]),)) if reports and len(reports[0]) > 1 else reports


def failure(exc: BaseException) -> Failure:
    err = exc.args[0] if exc.args else None
    if _is_kafka_exception(exc):
        kind = "KafkaException"
    else:
        kind = type(exc).__name__
    if err is not None and hasattr(err, "name") and hasattr(err, "fatal"):
        return Failure(kind, err.name(), bool(err.fatal()), bool(err.retriable()), bool(err.txn_requires_abort()))
    return Failure(kind)


def _is_kafka_exception(exc: BaseException) -> bool:
    import kafkalab.errors as kl

    real = _real_module()
    return isinstance(exc, kl.KafkaException) or (real is not None and isinstance(exc, real.KafkaException))


def _real_module():
    try:
        import confluent_kafka
        import confluent_kafka.admin
    except ImportError:  # pragma: no cover - the test extra installs it
        return None
    return confluent_kafka


def _lab_module():
    import kafkalab.confluent_kafka
    import kafkalab.confluent_kafka.admin

    return kafkalab.confluent_kafka


class Env:
    """What a case uses: clients on this side's cluster, steps, delivery reports."""

    side: str

    def __init__(self):
        self.outcome = Outcome()
        self._clients: list = []
        self._closing = False  # reports served while the harness cleans up are not the case's

    # -- recording --------------------------------------------------------------------------
    def step(self, label: str, fn: Callable, *args, **kwargs):
        """Call ``fn``; record OK or its exception under ``label``; return its result (None on error)."""
        try:
            res = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every exception is an outcome here
            self.outcome.steps.append((label, failure(exc)))
            return None
        self.outcome.steps.append((label, OK))
        return res

    def dr(self, err, msg) -> None:
        """A delivery-report callback that records (error name, topic, partition, offset)."""
        if self._closing:
            return
        if err is None:
            self.outcome.reports.append((None, msg.topic(), msg.partition(), msg.offset()))
        else:
            self.outcome.reports.append((err.name(), msg.topic(), msg.partition(), None))

    def dr_error(self, err, msg) -> None:
        """A delivery-report callback that records only the error name (for random partitions)."""
        if not self._closing:
            self.outcome.reports.append((None if err is None else err.name(),))

    # -- clients ----------------------------------------------------------------------------
    def conf(self, extra: dict | None = None, fast: bool = True) -> dict:
        conf = {"bootstrap.servers": self.bootstrap}
        if fast:
            conf.update(FAST)
        conf.update(extra or {})
        return conf

    def producer(self, extra: dict | None = None, **kw):
        p = self.ck.Producer(self.conf(extra, **kw))
        self._clients.append(p)
        return p

    def consumer(self, extra: dict | None = None, group: str | None = "g"):
        conf = {"socket.timeout.ms": 2000, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                "auto.offset.reset": "earliest"}
        if group is not None:
            conf["group.id"] = group
        conf.update(extra or {})
        c = self.ck.Consumer(self.conf(conf, fast=False))
        self._clients.append(c)
        return c

    def admin(self, extra: dict | None = None):
        a = self.ck.admin.AdminClient(self.conf({"socket.timeout.ms": 2000, **(extra or {})}, fast=False))
        self._clients.append(a)
        return a

    def close(self) -> None:
        """Close consumers and drop undelivered messages, so the real client never blocks at exit."""
        self._closing = True
        for c in reversed(self._clients):
            with contextlib.suppress(Exception):  # closed already, or the case broke it on purpose
                if hasattr(c, "produce"):
                    c.purge()
                    c.flush(0)
                elif hasattr(c, "close"):
                    c.close()
        self._clients.clear()


class RealEnv(Env):
    side = "real"

    def __init__(self):
        super().__init__()
        self.ck = _real_module()
        # Holder: starts the mock cluster and keeps it alive for the case; auto-creates topics.
        self._holder = self.ck.Producer({"test.mock.num.brokers": 3, "log_level": 0, **FAST})
        md = self._holder.list_topics(timeout=5)
        self.bootstrap = ",".join(f"{b.host}:{b.port}" for b in sorted(md.brokers.values(), key=lambda b: b.id))

    def topic(self, name: str) -> None:
        """Make ``name`` exist: the holder's metadata request auto-creates it (4 partitions, RF 3)."""
        self._holder.list_topics(name, timeout=5)

    def close(self) -> None:
        super().close()
        self._holder.flush(0)
        self._holder = None
        gc.collect()


class LabEnv(Env):
    side = "lab"

    def __init__(self):
        super().__init__()
        from kafkalab.cluster import Cluster
        from kafkalab.isolation import isolated_clusters

        self.ck = _lab_module()
        self._iso = isolated_clusters()
        self._iso.__enter__()
        # librdkafka 2.16's mock cluster answers the share-group RPCs (KIP-932), so share.version is on here.
        self.cluster = Cluster(brokers=3, seed=0, broker_config={"num.partitions": MOCK_PARTITIONS,
                                                                 "default.replication.factor": MOCK_REPLICATION},
                               features={"share.version": 1})
        self.bootstrap = ",".join(f"kafka-{b}:9092" for b in sorted(self.cluster.brokers))

    def topic(self, name: str) -> None:
        if name not in self.cluster.controller.image.topics:
            self.cluster.create_topic(name, MOCK_PARTITIONS, MOCK_REPLICATION)

    def close(self) -> None:
        super().close()
        self._iso.__exit__(None, None, None)


def run_side(case: Callable, env: Env, param=None) -> Outcome:
    try:
        env.outcome.result = case(env.ck, env) if param is None else case(env.ck, env, param)
    except Exception as exc:  # noqa: BLE001
        env.outcome.end = failure(exc)
    finally:
        env.close()
    return env.outcome


def _expected(spec) -> Outcome | None:
    """A declared outcome: an Outcome, a Failure (how the case ends), or None (not declared)."""
    if spec is None or isinstance(spec, Outcome):
        return spec
    if isinstance(spec, Failure) or spec == OK:
        return Outcome(end=spec)
    raise TypeError(f"declare an outcome with Outcome(...) or raises(...), not {spec!r}")


def _matches(got: Outcome, want: Outcome) -> bool:
    """``want`` lists only what it declares: its steps, reports, result (if not None) and end."""
    if want.steps and [(lb, str(o)) for lb, o in got.steps] != [(lb, str(o)) for lb, o in want.steps]:
        return False
    if want.reports and got.reports != want.reports:
        return False
    if want.result is not None and got.result != want.result:
        return False
    return str(got.end) == str(want.end)


def _run_parity(case, differs, real, lab, param=None) -> None:
    lab_out = run_side(case, LabEnv(), param)
    if _real_module() is None:  # pragma: no cover
        pytest.skip("confluent-kafka is not installed (pip install -e '.[test]')")
    real_out = run_side(case, RealEnv(), param)
    if differs is None:
        assert real_out.key() == lab_out.key(), (
            f"kafkalab differs from confluent-kafka\nconfluent-kafka:\n{real_out}\nkafkalab:\n{lab_out}")
        return
    assert real_out.key() != lab_out.key(), (
        f"declared difference ({differs}) is gone: both sides give\n{real_out}")
    for side, got, want in (("confluent-kafka", real_out, _expected(real)), ("kafkalab", lab_out, _expected(lab))):
        if want is not None:
            assert _matches(got, want), f"{side} no longer gives the declared outcome ({differs})\n{got}"


def _as_test(case, runner, params):
    if params is None:
        def test():
            runner(None)
    else:
        @pytest.mark.parametrize("param", params)
        def test(param):
            runner(param)
    test.__name__ = test.__qualname__ = case.__name__
    test.__doc__ = case.__doc__
    test.__module__ = case.__module__
    test.parity_case = case
    return test


def parity(differs: str | None = None, real=None, lab=None, params=None):
    """Decorator: run the case on both sides and compare (see the module docstring)."""
    if differs is None and (real is not None or lab is not None):
        raise TypeError("real=/lab= outcomes belong to a declared difference: give differs='why'")

    def deco(case):
        return _as_test(case, lambda p: _run_parity(case, differs, real, lab, p), params)

    return deco


def reference(source: str, expect, params=None):
    """Decorator: a kafkalab-only case whose outcome comes from Kafka's source (cited in ``source``)."""
    if not source:
        raise TypeError("a reference case cites its source")

    def deco(case):
        def runner(p):
            got = run_side(case, LabEnv(), p)
            want = _expected(expect(p) if callable(expect) else expect)
            assert _matches(got, want), f"kafkalab does not give what {source} says\n{got}"
        return _as_test(case, runner, params)

    return deco
