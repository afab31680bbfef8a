"""Notebook 06's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
import pytest

from kafkalab.clients.common import OFFSET_BEGINNING, TopicPartition
from kafkalab.errors import KafkaException
from kafkalab.exercises import nb06, verdict  # noqa: F401  (nb06 registers the exercises)
from kafkalab.txn_lab import OUTPUT, enrich


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


# --- 1. configs ---------------------------------------------------------------------------------
RIGHT_CONFIGS = {"consumer": {"enable.auto.commit": False, "isolation.level": "read_committed"},
                 "producer": {"transactional.id": "etl-transformer-001"},
                 "downstream": {"isolation.level": "read_committed"}}


def test_eos_configs_right():
    assert verdict("eos_configs", RIGHT_CONFIGS) is None


def test_eos_configs_wrong():
    no_tid = {**RIGHT_CONFIGS, "producer": {"enable.idempotence": True}}
    auto_commit = {**RIGHT_CONFIGS, "consumer": {"enable.auto.commit": True, "auto.commit.interval.ms": 100}}
    uncommitted = {**RIGHT_CONFIGS, "downstream": {"isolation.level": "read_uncommitted"}}
    no_idem = {**RIGHT_CONFIGS, "producer": {"transactional.id": "x", "enable.idempotence": False}}
    hints = distinct_hints("eos_configs", [no_tid, auto_commit, uncommitted, no_idem])
    assert "transactional.id" in hints[0]
    assert "enable.auto.commit" in hints[1]
    assert "read_uncommitted" in hints[2]
    assert "enable.idempotence" in hints[3]


# --- 2. the loop body ---------------------------------------------------------------------------
def _batch(consumer):
    return [m for m in consumer.consume(20, timeout=1.0) if m.error() is None]


def _rewind(consumer):
    for tp in consumer.committed(consumer.assignment()):
        consumer.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING))


def right_step(consumer, producer):
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    try:
        for m in msgs:
            producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata())
        producer.commit_transaction()
    except KafkaException as e:
        if e.args[0].fatal():
            raise
        producer.abort_transaction()
        _rewind(consumer)


def commit_offsets_after(consumer, producer):
    """Transactions for the writes, but the consumer commits its offsets itself, afterwards."""
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    for m in msgs:
        producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
    producer.commit_transaction()
    consumer.commit(asynchronous=False)


def offsets_of_last_message(consumer, producer):
    """Sends the last record's own offset: the next run starts on a record it already wrote."""
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    for m in msgs:
        producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
    last = msgs[-1]
    producer.send_offsets_to_transaction([TopicPartition(last.topic(), last.partition(), last.offset())],
                                         consumer.consumer_group_metadata())
    producer.commit_transaction()


def no_rewind_after_abort(consumer, producer):
    """The guide's ``except: abort_transaction()``: the aborted batch is skipped."""
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    try:
        for m in msgs:
            producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata())
        producer.commit_transaction()
    except KafkaException as e:
        if e.args[0].fatal():
            raise
        producer.abort_transaction()


def offsets_outside_transaction(consumer, producer):
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    for m in msgs:
        producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
    producer.commit_transaction()
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                         consumer.consumer_group_metadata())


def never_aborts(consumer, producer):
    msgs = _batch(consumer)
    if not msgs:
        return
    producer.begin_transaction()
    for m in msgs:
        producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata())
    try:
        producer.commit_transaction()
    except KafkaException:
        pass


def test_eos_step_right():
    assert verdict("eos_step", right_step) is None


def test_eos_step_wrong():
    hints = distinct_hints("eos_step", [commit_offsets_after, offsets_of_last_message, no_rewind_after_abort,
                                        offsets_outside_transaction])
    assert "duplicate" in hints[0] and "duplicate" in hints[1]
    assert "seek back" in hints[2]
    assert "_STATE" in hints[3]


def test_eos_step_never_aborting_fails():
    assert verdict("eos_step", never_aborts) is not None


# --- 3-5. predictions ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,right,wrong", [
    ("predict_open_lso", (0, 5, []), [(0, 5, [3, 4]), (5, 5, [0, 1, 2, 3, 4]), (3, 5, [])]),
    ("predict_marker_offsets", [0, 4], [[0, 2], [0, 1], [0, 3]]),
    ("predict_guide_offsets", [0, 2, 4], [[0, 1, 2], [100, 101, 102], [1, 3, 5]]),
    ("predict_fence", (2, "_FENCED"), [(1, "_FENCED"), (2, "PRODUCER_FENCED"), (0, None)]),
])
def test_predictions(name, right, wrong):
    assert verdict(name, right) is None
    for w in wrong:
        assert verdict(name, w), w


# --- 6. the SQLite sink ------------------------------------------------------------------------------
def upsert(conn, rows):
    conn.executemany("INSERT INTO orders VALUES (:order_id, :version, :amount) ON CONFLICT(order_id) DO UPDATE "
                     "SET version = excluded.version, amount = excluded.amount "
                     "WHERE excluded.version >= orders.version", rows)


def plain_insert(conn, rows):
    conn.executemany("INSERT INTO orders VALUES (:order_id, :version, :amount)", rows)


def insert_or_ignore(conn, rows):
    conn.executemany("INSERT OR IGNORE INTO orders VALUES (:order_id, :version, :amount)", rows)


def first_row_only(conn, rows):
    conn.execute("INSERT OR REPLACE INTO orders VALUES (:order_id, :version, :amount)", rows[0])


def test_sqlite_sink_right():
    assert verdict("idempotent_sqlite_sink", upsert) is None


def test_sqlite_sink_wrong():
    hints = distinct_hints("idempotent_sqlite_sink", [plain_insert, insert_or_ignore, first_row_only])
    assert "upsert" in hints[0]
    assert "older version" in hints[1]
