"""Notebook 04's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
import pytest

from kafkalab.exercises import ExerciseNotSolved, check, nb04, verdict


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


@pytest.mark.parametrize("name", ["no_duplicates_config", "predict_retry_log", "acks_that_lose", "tune_producer",
                                  "predict_smallest_codec"])
def test_stub_none_is_not_an_answer(name):
    assert verdict(name, None).startswith("no answer yet")
    with pytest.raises(ExerciseNotSolved):
        check(name, None)


# -- acks ------------------------------------------------------------------------------------------

def test_leader_dies_after_ack_loses_exactly_what_acks_0_and_1_acknowledged_early():
    """acks=0 reports offset -1001 (unknown); acks=0/1 acknowledge order-2 and lose it; acks=all keeps it."""
    s0, s1, sall = (nb04.leader_dies_after_ack(a) for a in ("0", "1", "all"))
    assert [r["offset"] for r in s0.reports] == [-1001, -1001]
    assert s0.lost_acknowledged() == s1.lost_acknowledged() == ["order-2"]
    assert sall.lost_acknowledged() == [] and sall.kept == ["order-1", "order-2"]
    assert s1.new_leader != s1.old_leader
    # acks=all is answered only once the controller has fenced the dead leader (broker.session.timeout.ms,
    # 9 s) and the retry reached the follower that took over.
    assert sall.reports[1]["reported_ms"] - s1.reports[1]["reported_ms"] > 9_000


def test_acks_that_lose():
    assert verdict("acks_that_lose", {"0", "1"}) is None
    assert verdict("acks_that_lose", [0, 1]) is None  # ints and lists are fine too
    hints = distinct_hints("acks_that_lose", [{"1"}, {"0"}, {"0", "1", "all"}, "1"])
    assert "acks=0" in hints[0] and "acks=1" in hints[1] and "acks=all" in hints[2]
    assert verdict("acks_that_lose", {"2"}) is not None


# -- duplicates, ordering ----------------------------------------------------------------------------

def test_retry_story_without_and_with_idempotence():
    from kafkalab.scenarios import read_partition

    plain = [m.value().decode() for m in read_partition(nb04.retry_story(False), "orders", 0)]
    idem = nb04.retry_story(True)
    assert plain == ["B", "C", "A", "B"]
    assert [m.value().decode() for m in read_partition(idem, "orders", 0)] == ["A", "B", "C"]
    assert any(e.fields["error"] == "OUT_OF_ORDER_SEQUENCE_NUMBER" for e in idem.trace.filter("produce.reject"))


def test_predict_retry_log():
    assert verdict("predict_retry_log", ["B", "C", "A", "B"]) is None
    distinct_hints("predict_retry_log", [["A", "B", "C"], ["A", "B", "B", "C"], ["B", "B", "C", "A"], "BCAB"])


def test_no_duplicates_config():
    assert verdict("no_duplicates_config", {"acks": "all", "enable.idempotence": True}) is None
    assert verdict("no_duplicates_config", {"enable.idempotence": True, "retries": 2147483647}) is None
    hints = distinct_hints("no_duplicates_config", [
        {"acks": "all", "retries": 10, "enable.idempotence": False, "max.in.flight.requests.per.connection": 5},
        {"acks": "all", "enable.idempotence": False, "max.in.flight.requests.per.connection": 1},
        {"acks": "all", "retries": 0},  # no retries: the lost request is lost
        {"enable.idempotence": True, "acks": 1},  # librdkafka refuses it
        {"acks": 1, "retries": 0},  # the leader crash erases acknowledged records
        {"enable.idempotence": True, "message.timeout.ms": 5000},  # gives up before the election
    ])
    assert "stored twice" in hints[0] and "recognise a retry" in hints[1]
    assert "never stored" in hints[2]
    assert "`acks` must be set to `all`" in hints[3]
    assert "acknowledged" in hints[4] and "_MSG_TIMED_OUT" in hints[5]
    assert all("idempoten" not in h for i, h in enumerate(hints) if i != 3)  # hints never name the fix
    assert verdict("no_duplicates_config", {"acks": "all"}) is not None  # librdkafka's default: idempotence off


# -- tuning ------------------------------------------------------------------------------------------

def test_tune_producer():
    assert verdict("tune_producer", {"linger.ms": 20, "batch.size": 131072, "compression.type": "zstd"}) is None
    assert verdict("tune_producer", {"linger.ms": 10, "compression.type": "gzip"}) is None  # not a single answer
    hints = distinct_hints("tune_producer", [
        {},  # librdkafka's defaults
        {"linger.ms": 5, "compression.type": "lz4"},  # compressed, small batches, a fast codec
        {"linger.ms": 100, "compression.type": "zstd"},  # huge linger breaks the p99 bound
        {"acks": "1", "linger.ms": 20},  # durability is not for sale here
    ])
    assert "nothing compresses" in hints[0] and "not enough" in hints[1] and "p99" in hints[2]
    assert verdict("tune_producer", {"linger.ms": -1}) is not None  # librdkafka refuses it


def test_tune_target_fails_the_default_and_passes_the_guide():
    t = nb04.TUNE_TARGET
    default, guide = nb04.tune_run({}), nb04.tune_run({"linger.ms": 20, "batch.size": 131072,
                                                       "compression.type": "zstd"})
    assert default.bytes_sent / 1024 > t["max_wire_kb"] >= guide.bytes_sent / 1024
    assert guide.p99_ms <= t["max_p99_ms"] and guide.throughput >= t["min_throughput"]


# -- queue full ---------------------------------------------------------------------------------------

def right_produce_all(producer, topic, records):
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(1)
    producer.flush()


def naive(producer, topic, records):
    for key, value in records:
        producer.produce(topic, key=key, value=value)


def skips(producer, topic, records):
    for key, value in records:
        try:
            producer.produce(topic, key=key, value=value)
        except BufferError:
            producer.poll(1)


def retries_at_the_end(producer, topic, records):
    later = []
    for key, value in records:
        try:
            producer.produce(topic, key=key, value=value)
        except BufferError:
            producer.poll(1)
            later.append((key, value))
    for key, value in later:
        producer.produce(topic, key=key, value=value)
        producer.poll(0.1)


def spins(producer, topic, records):
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                pass


def test_produce_all():
    assert verdict("produce_all", right_produce_all) is None
    hints = distinct_hints("produce_all", [naive, skips, retries_at_the_end, spins])
    assert "BufferError" in hints[0] and "dropped" in hints[1] and "out of order" in hints[2]
    assert "without ever serving" in hints[3]
    assert verdict("produce_all", lambda p, t, r: None).startswith("no answer yet")  # the notebook's stub
    assert verdict("produce_all", "poll") is not None


# -- compression --------------------------------------------------------------------------------------

def test_codec_batch_bytes_and_prediction():
    sizes = nb04.codec_batch_bytes()
    assert min(sizes, key=sizes.get) == "zstd"
    assert sizes["none"] / sizes["zstd"] > 3  # the guide's "~3x" is a floor for batches of JSON
    assert verdict("predict_smallest_codec", "zstd") is None
    distinct_hints("predict_smallest_codec", ["gzip", "lz4", "none", "brotli"])


def test_predict_acks_loss():
    assert verdict("predict_acks_loss", ("0", "1")) is None
    hints = [verdict("predict_acks_loss", a) for a in [("0", "1", "all"), ("0",), ("1",), "acks=1", ("1", "0")]]
    assert all(hints) and len(set(hints)) == len(hints), hints
