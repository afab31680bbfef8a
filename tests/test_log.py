"""PartitionLog: offsets, segments, retention, compaction — and a property test of its invariants."""
from hypothesis import given, settings
from hypothesis import strategies as st

from kafkalab.cluster.log import PartitionLog, RecordBatch, record_size, varint_size


def batch(records, ts=0):
    recs = [(k, v, ts, None) for k, v in records]
    return RecordBatch(recs, 61 + sum(record_size(k, v, None, i) for i, (k, v) in enumerate(records)))


def test_varint_and_record_size_match_kafka_encoding():
    assert [varint_size(n) for n in (0, -1, 63, 64, 8191, 8192)] == [1, 1, 1, 2, 2, 3]
    # attributes 1 + ts delta 1 + offset delta 1 + key len 1 + 3 + value len 1 + 5 + headers 1 = 14, plus length 1
    assert record_size(b"abc", b"hello") == 15
    assert record_size(None, None) == 7


def test_leader_assigns_dense_offsets_and_batches_keep_them():
    log = PartitionLog("t", 0)
    b1 = log.append(batch([(b"a", b"1"), (b"b", b"2")]), 0, assign_offsets=True)
    b2 = log.append(batch([(b"a", b"3")]), 1, assign_offsets=True)
    assert (b1.base_offset, b1.last_offset, b2.base_offset) == (0, 1, 2)
    assert log.log_end_offset == 3
    assert [o for o, _, _ in log.records()] == [0, 1, 2]


def test_follower_append_must_continue_at_its_leo():
    leader, follower = PartitionLog("t", 0), PartitionLog("t", 0)
    b = leader.append(batch([(b"k", b"v")]), 0, assign_offsets=True)
    follower.append(b, 0, assign_offsets=False)
    assert follower.log_end_offset == 1
    assert follower.segments[0].batches[0] is b  # shared, not copied


def test_segments_roll_on_size_and_retention_deletes_whole_old_segments_below_hw():
    log = PartitionLog("t", 0, segment_bytes=200)
    for i in range(10):
        log.append(batch([(b"k", b"x" * 60)], ts=i * 1000), i * 1000, assign_offsets=True)
    assert len(log.segments) > 3
    # Nothing is deleted past the high watermark.
    assert log.delete_old_segments(now_ms=10**9, retention_ms=1, retention_bytes=-1) == []
    log.update_high_watermark(10)
    deleted = log.delete_old_segments(now_ms=10**9, retention_ms=1, retention_bytes=-1)
    assert deleted and len(log.segments) == 1  # the active segment stays
    assert log.log_start_offset == log.segments[0].base_offset


def test_retention_by_size_keeps_at_least_retention_bytes():
    log = PartitionLog("t", 0, segment_bytes=200)
    for i in range(10):
        log.append(batch([(b"k", b"x" * 60)]), 0, assign_offsets=True)
    log.update_high_watermark(10)
    log.delete_old_segments(now_ms=0, retention_ms=-1, retention_bytes=300)
    assert log.size_bytes >= 300


def test_compaction_keeps_latest_per_key_and_tombstones_until_their_horizon():
    log = PartitionLog("t", 0, segment_bytes=150)
    for k, v in [(b"a", b"1"), (b"b", b"1"), (b"a", b"2"), (b"b", None), (b"c", b"1"), (b"a", b"3")]:
        log.append(batch([(k, v)]), 0, assign_offsets=True)
    log.update_high_watermark(log.log_end_offset)
    stats = log.compact(now_ms=0, delete_retention_ms=1000)
    kept = {(rec[0], rec[1]) for _, rec, _ in log.records()}
    assert stats["removed"] > 0
    assert (b"b", None) in kept or log.segments[-1].base_offset <= 3
    offsets = [o for o, _, _ in log.records()]
    assert offsets == sorted(offsets)
    log.compact(now_ms=5000, delete_retention_ms=1000)
    assert (b"b", None) not in {(rec[0], rec[1]) for _, rec, _ in log.records()}
    log.check_invariants()


def test_truncate_drops_the_divergent_suffix():
    log = PartitionLog("t", 0)
    for i in range(5):
        log.append(batch([(b"k", bytes([i]))]), 0, assign_offsets=True)
    log.update_high_watermark(3)
    assert log.truncate_to(3) == 2
    assert log.log_end_offset == 3 and log.high_watermark == 3
    log.check_invariants()


ops = st.lists(st.one_of(
    st.tuples(st.just("append"), st.lists(st.tuples(st.sampled_from([b"a", b"b", b"c", b"d"]),
                                                    st.one_of(st.none(), st.binary(max_size=40))),
                                          min_size=1, max_size=4)),
    st.tuples(st.just("hw"), st.integers(0, 60)),
    st.tuples(st.just("tick"), st.integers(0, 5000)),
    st.tuples(st.just("retention"), st.tuples(st.integers(-1, 4000), st.integers(-1, 600))),
    st.tuples(st.just("compact"), st.integers(0, 3000)),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_log_invariants_hold_under_any_sequence(seq):
    """Offsets strictly increase (dense until compaction), log start <= HW <= LEO, and retention
    or compaction never removes a record at or above the HW."""
    log = PartitionLog("t", 0, segment_bytes=180)
    now = 0
    compacted = False
    for op, arg in seq:
        above_hw_before = [(o, r) for o, r, _ in log.records(log.high_watermark)]
        if op == "append":
            log.append(batch(arg, ts=now), now, assign_offsets=True)
        elif op == "hw":
            log.update_high_watermark(arg)
        elif op == "tick":
            now += arg
        elif op == "retention":
            log.delete_old_segments(now, arg[0], arg[1])
        elif op == "compact":
            log.compact(now, arg)
            compacted = True
        if op in ("retention", "compact"):
            assert [(o, r) for o, r, _ in log.records(log.high_watermark)] == above_hw_before
        log.check_invariants()
        offs = [o for o, _, _ in log.records()]
        if not compacted and offs:
            assert offs == list(range(offs[0], offs[-1] + 1))
