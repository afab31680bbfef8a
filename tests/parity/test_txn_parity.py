"""Transactions: the same case code against confluent-kafka (librdkafka's mock cluster) and kafkalab.

Each case is a plain function ``case(w)`` of a *world* ``w``: ``w.ck`` is the client module
(``confluent_kafka`` or ``kafkalab.confluent_kafka``), ``w.bootstrap`` the servers, and
``w.push(api, *errors)`` makes the next requests of ``api`` fail with those Kafka error codes
(librdkafka's ``rd_kafka_mock_push_request_errors``; :meth:`kafkalab.Cluster.push_request_errors`).
A case returns what it observed: for every call, OK or the exception's ``KafkaError.name()``,
``fatal()``, ``retriable()``, ``txn_requires_abort()`` (and the text, where it holds no address).
The test asserts both worlds observe the same.

Where an error is injected, the docstring names the Kafka source that makes a real broker answer it.
librdkafka's mock cluster itself does not fence a second instance with the same transactional.id
(``rd_kafka_mock_handle_InitProducerId`` mints a new producer id every time) nor filter aborted
records for read_committed (checked in 2.16.0), so fencing and read_committed are covered by the
injected broker errors here and by Kafka's own rules in ``tests/test_txn.py``.
"""
from __future__ import annotations

import gc

import pytest

ck_real = pytest.importorskip("confluent_kafka")

from librdkafka_mock import MockCluster

import kafkalab.confluent_kafka as ck_sim
from kafkalab import Cluster

DETERMINISTIC_TEXT = ("_STATE", "_NOT_CONFIGURED", "_FATAL", "_CONFLICT")
TIMEOUT = 10


# --- observing -------------------------------------------------------------------------------------
def observe(fn):
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - the point is to record what the client raised
        err = e.args[0] if e.args and hasattr(e.args[0], "name") else None
        if err is None:
            return ("exc", type(e).__name__, str(e))
        text = err.str() if err.name() in DETERMINISTIC_TEXT else None
        return ("kafka", err.name(), err.fatal(), err.retriable(), err.txn_requires_abort(), text)
    return ("ok", value if isinstance(value, (int, bool, bytes, type(None))) else type(value).__name__)


class World:
    def __init__(self, ck, bootstrap, push):
        self.ck, self.bootstrap, self.push = ck, bootstrap, push
        self.clients: list = []

    def producer(self, **conf):
        p = self.ck.Producer({"bootstrap.servers": self.bootstrap, **conf})
        self.clients.append(p)
        return p

    def consumer(self, **conf):
        c = self.ck.Consumer({"bootstrap.servers": self.bootstrap, **conf})
        self.clients.append(c)
        return c

    def txn_producer(self, tid="txn-1", **conf):
        return self.producer(**{"transactional.id": tid, **conf})


def run_real(case):
    mock = MockCluster(3)
    w = World(ck_real, mock.bootstrap, mock.push_request_errors)
    try:
        return case(w)
    finally:
        for c in w.clients:
            if isinstance(c, ck_real.Consumer):
                try:
                    c.close()
                except RuntimeError:
                    pass
        w.clients.clear()
        gc.collect()
        mock.close()


def run_sim(case):
    cluster = Cluster(brokers=3, seed=7)
    w = World(ck_sim, "kafka-1:9092", cluster.push_request_errors)
    return case(w)


# --- cases: the client-side state machine ---------------------------------------------------------
def case_not_configured(w):
    """Every transactional call on a producer without transactional.id: _NOT_CONFIGURED."""
    p = w.producer()
    c = w.consumer(**{"group.id": "g"})
    gm = c.consumer_group_metadata()
    return [observe(lambda: p.init_transactions(TIMEOUT)), observe(p.begin_transaction),
            observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)], gm)),
            observe(lambda: p.commit_transaction(TIMEOUT)), observe(lambda: p.abort_transaction(TIMEOUT))]


def case_calls_before_init(w):
    p = w.txn_producer()
    return [observe(p.begin_transaction), observe(lambda: p.commit_transaction(TIMEOUT)),
            observe(lambda: p.abort_transaction(TIMEOUT)), observe(lambda: p.produce("o", b"x", partition=0))]


def case_state_errors(w):
    """init twice, commit/abort without a transaction, begin twice, init inside a transaction."""
    p = w.txn_producer()
    c = w.consumer(**{"group.id": "g"})
    gm = c.consumer_group_metadata()
    return [observe(lambda: p.init_transactions(TIMEOUT)), observe(lambda: p.init_transactions(TIMEOUT)),
            observe(lambda: p.commit_transaction(TIMEOUT)), observe(lambda: p.abort_transaction(TIMEOUT)),
            observe(lambda: p.produce("o", b"outside", partition=0)),
            observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)], gm)),
            observe(p.begin_transaction), observe(p.begin_transaction),
            observe(lambda: p.init_transactions(TIMEOUT)),
            observe(lambda: p.produce("o", b"inside", partition=0)),
            observe(lambda: p.commit_transaction(TIMEOUT)), observe(lambda: p.commit_transaction(TIMEOUT))]


def case_empty_transactions(w):
    """A transaction that wrote nothing commits and aborts fine (librdkafka sends no EndTxn)."""
    p = w.txn_producer()
    c = w.consumer(**{"group.id": "g"})
    gm = c.consumer_group_metadata()
    out = [observe(lambda: p.init_transactions(TIMEOUT))]
    out += [observe(p.begin_transaction), observe(lambda: p.commit_transaction(TIMEOUT))]
    out += [observe(p.begin_transaction), observe(lambda: p.abort_transaction(TIMEOUT))]
    out += [observe(p.begin_transaction), observe(lambda: p.send_offsets_to_transaction([], gm)),
            observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, -1)], gm)),
            observe(lambda: p.commit_transaction(TIMEOUT))]
    return out


def case_bad_group_metadata(w):
    p = w.txn_producer()
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    return [observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)], None))]


def case_group_metadata_bytes(w):
    """consumer_group_metadata() is librdkafka's serialized blob; before joining: generation -1."""
    c = w.consumer(**{"group.id": "g"})
    return [c.consumer_group_metadata()]


def case_close(w):
    p = w.txn_producer()
    p.init_transactions(TIMEOUT)
    return [observe(p.close), observe(p.close), observe(p.begin_transaction),
            observe(lambda: p.produce("o", b"x", partition=0))]


def case_markers_take_offsets(w):
    """A COMMIT and an ABORT marker each take one offset (read_uncommitted sees the data around them)."""
    p = w.txn_producer()
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    p.produce("o", b"c1", partition=0)
    p.produce("o", b"c2", partition=0)
    p.commit_transaction(TIMEOUT)
    p.begin_transaction()
    p.produce("o", b"a1", partition=0)
    p.flush(TIMEOUT)
    p.abort_transaction(TIMEOUT)
    c = w.consumer(**{"group.id": "r", "isolation.level": "read_uncommitted", "enable.partition.eof": True})
    c.assign([w.ck.TopicPartition("o", 0, 0)])
    got = []
    for _ in range(40):
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            got.append(m.error().name())
            break
        got.append((m.offset(), m.value()))
    return got + [c.get_watermark_offsets(w.ck.TopicPartition("o", 0), timeout=TIMEOUT)]


# --- cases: broker errors, as Kafka's coordinator and partitions answer them -------------------------
def _in_txn(w, tid="txn-f"):
    p = w.txn_producer(tid)
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    p.produce("o", b"x", partition=0)
    return p


def _after_fatal(w, p):
    return [observe(lambda: p.abort_transaction(TIMEOUT)), observe(p.begin_transaction),
            observe(lambda: p.init_transactions(TIMEOUT)), observe(lambda: p.produce("o", b"y", partition=0)),
            observe(lambda: p.flush(1)), observe(lambda: p.poll(0))]


def case_end_txn_producer_fenced(w):
    """EndTxn with an epoch older than the coordinator's: PRODUCER_FENCED
    (TransactionCoordinator.endTransaction: ``!isValidEpoch => Left(Errors.PRODUCER_FENCED)``)."""
    p = _in_txn(w)
    w.push("EndTxn", 90)
    return [observe(lambda: p.commit_transaction(TIMEOUT))] + _after_fatal(w, p)


def case_end_txn_invalid_epoch(w):
    p = _in_txn(w)
    w.push("EndTxn", 47)
    return [observe(lambda: p.commit_transaction(TIMEOUT))] + _after_fatal(w, p)


def case_end_txn_invalid_state(w):
    p = _in_txn(w)
    w.push("EndTxn", 48)
    return [observe(lambda: p.commit_transaction(TIMEOUT))]


def case_end_txn_concurrent(w):
    """CONCURRENT_TRANSACTIONS (the coordinator is still completing) is retried."""
    p = _in_txn(w)
    w.push("EndTxn", 51)
    return [observe(lambda: p.commit_transaction(TIMEOUT)), observe(p.begin_transaction)]


def case_produce_invalid_epoch(w):
    """A produce with an epoch below the partition's (a fenced zombie): INVALID_PRODUCER_EPOCH
    (ProducerStateManager / ProducerAppendInfo.checkProducerEpoch, KIP-588)."""
    p = w.txn_producer("txn-z")
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    w.push("Produce", 47)
    p.produce("o", b"x", partition=0)
    return [observe(lambda: p.commit_transaction(TIMEOUT)), observe(p.begin_transaction)]


def case_produce_abortable(w):
    """A record the partition refuses (INVALID_RECORD) makes the transaction abortable."""
    p = w.txn_producer("txn-r")
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    w.push("Produce", *[87] * 10)
    c = w.consumer(**{"group.id": "g"})
    gm = c.consumer_group_metadata()
    reports = []
    p.produce("o", b"x", partition=0, on_delivery=lambda err, msg: reports.append(
        None if err is None else (err.name(), err.fatal(), err.txn_requires_abort())))
    p.flush(TIMEOUT)
    return [reports, observe(lambda: p.produce("o", b"y", partition=0)),
            observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)], gm)),
            observe(lambda: p.commit_transaction(TIMEOUT)), observe(p.begin_transaction),
            observe(lambda: p.abort_transaction(TIMEOUT)), observe(p.begin_transaction),
            observe(lambda: p.commit_transaction(TIMEOUT))]


def case_add_partitions_fenced(w):
    """AddPartitionsToTxn from a stale epoch: PRODUCER_FENCED
    (TransactionCoordinator.handleAddPartitionsToTransaction)."""
    p = w.txn_producer("txn-a")
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    w.push("AddPartitionsToTxn", 90)
    p.produce("o", b"x", partition=0)
    return [observe(lambda: p.commit_transaction(TIMEOUT)), observe(p.begin_transaction)]


def case_add_partitions_invalid_state(w):
    p = w.txn_producer("txn-b")
    p.init_transactions(TIMEOUT)
    p.begin_transaction()
    w.push("AddPartitionsToTxn", 48)
    p.produce("o", b"x", partition=0)
    return [observe(lambda: p.commit_transaction(TIMEOUT))]


def case_init_fenced(w):
    """InitProducerId whose expected producer id is not the current one: PRODUCER_FENCED
    (TransactionCoordinator.prepareInitProducerIdTransit)."""
    w.push("InitProducerId", 90)
    p = w.txn_producer("txn-i")
    return [observe(lambda: p.init_transactions(TIMEOUT)), observe(p.begin_transaction),
            observe(lambda: p.produce("o", b"x", partition=0))]


def case_init_invalid_timeout(w):
    """transaction.timeout.ms above transaction.max.timeout.ms: INVALID_TRANSACTION_TIMEOUT
    (handleInitProducerId: ``!txnManager.validateTransactionTimeoutMs``)."""
    w.push("InitProducerId", 50)
    p = w.txn_producer("txn-t")
    return [observe(lambda: p.init_transactions(TIMEOUT)), observe(lambda: p.init_transactions(TIMEOUT))]


def case_init_concurrent(w):
    """While the coordinator aborts the previous instance's transaction it answers
    CONCURRENT_TRANSACTIONS (prepareInitProducerIdTransit, state Ongoing/Prepare*): retried."""
    w.push("InitProducerId", 51, 51)
    p = w.txn_producer("txn-c")
    return [observe(lambda: p.init_transactions(TIMEOUT)), observe(p.begin_transaction)]


def case_add_offsets_fenced(w):
    p = _in_txn(w, "txn-o")
    c = w.consumer(**{"group.id": "g"})
    w.push("AddOffsetsToTxn", 90)
    return [observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)],
                                                          c.consumer_group_metadata())),
            observe(lambda: p.commit_transaction(TIMEOUT)), observe(lambda: p.abort_transaction(TIMEOUT))]


def case_txn_offset_commit_invalid_epoch(w):
    """TxnOffsetCommit with a stale epoch: the __consumer_offsets partition answers
    INVALID_PRODUCER_EPOCH (the append's producer-epoch check)."""
    p = _in_txn(w, "txn-e")
    p.flush(TIMEOUT)
    c = w.consumer(**{"group.id": "g"})
    w.push("TxnOffsetCommit", 47)
    return [observe(lambda: p.send_offsets_to_transaction([w.ck.TopicPartition("o", 0, 1)],
                                                          c.consumer_group_metadata())),
            observe(p.begin_transaction)]


CASES = [case_not_configured, case_calls_before_init, case_state_errors, case_empty_transactions,
         case_bad_group_metadata, case_group_metadata_bytes, case_close, case_markers_take_offsets,
         case_end_txn_producer_fenced, case_end_txn_invalid_epoch, case_end_txn_invalid_state,
         case_end_txn_concurrent, case_produce_invalid_epoch, case_produce_abortable, case_add_partitions_fenced,
         case_add_partitions_invalid_state, case_init_fenced, case_init_invalid_timeout, case_init_concurrent,
         case_add_offsets_fenced, case_txn_offset_commit_invalid_epoch]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_parity(case):
    real = run_real(case)
    sim = run_sim(case)
    assert sim == real
