"""Window definitions: sizes, grace defaults, validation messages, and which windows a timestamp is in.

Sources (apache/kafka, ``streams/src/main/java/org/apache/kafka/streams/kstream/``):

* ``TimeWindows.java`` — the constructor's checks ("Window size (sizeMs) must be larger than zero.",
  "Window advancement interval should be more than zero and less than window duration which is %d ms,
  but given advancement interval is: %d ms", "Grace period must not be negative."), ``windowsFor``,
  and ``ofSizeWithNoGrace`` = ``ofSizeAndGrace(size, 0)``.
* ``Windows.java`` — ``DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 60 * 60 * 1000L``; before its removal
  in 4.0 (KAFKA-16332), ``TimeWindows.of(size)`` used ``Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD -
  sizeMs, 0)`` (commit 13b2df733a9, "Default GRACE with Old API should set as 24H minus window-size").
* ``SessionWindows.java`` ("Gap time cannot be zero or negative."), ``SlidingWindows.java`` ("Window time
  difference must not be negative."), ``JoinWindows.java`` (``of`` = 24 h − 2 × difference).
"""
from __future__ import annotations

import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafkalab.ecosystem.streams import (
    Duration,
    IllegalArgumentException,
    IllegalStateException,
    JoinWindows,
    SessionWindow,
    SessionWindows,
    SlidingWindows,
    TimeWindow,
    TimeWindows,
    Windowed,
)

DAY = 24 * 60 * 60 * 1000


def test_tumbling_and_hopping_windows_are_what_kafka_computes():
    hop = TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1))
    got = hop.windows_for(12 * 60_000 + 30_000)
    assert [(w.start, w.end) for w in got.values()] == [(m * 60_000, (m + 5) * 60_000) for m in range(8, 13)]
    tumble = TimeWindows.of_size_with_no_grace(60_000)
    assert list(tumble.windows_for(59_999)) == [0] and list(tumble.windows_for(60_000)) == [60_000]
    # Windows never start before 0: an early record is in fewer hopping windows.
    assert list(hop.windows_for(90_000)) == [0, 60_000]


@given(size=st.integers(1, 500), adv=st.integers(1, 500), ts=st.integers(0, 10_000))
def test_windows_for_equals_every_aligned_window_containing_the_timestamp(size, adv, ts):
    adv = min(adv, size)
    w = TimeWindows.of_size_with_no_grace(size).advance_by(adv)
    brute = [s for s in range(0, ts + 1, adv) if s <= ts < s + size]
    assert list(w.windows_for(ts)) == brute


def test_grace_defaults_new_api_versus_the_deprecated_of():
    assert TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).grace_period_ms() == 0
    assert TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_seconds(30)).grace_period_ms() == 30_000
    with pytest.warns(DeprecationWarning, match="removed in 4.0"):
        old = TimeWindows.of(Duration.of_minutes(5))
    assert old.grace_period_ms() == DAY - 5 * 60_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert TimeWindows.of(Duration.of_days(2)).grace_period_ms() == 0
        assert SessionWindows.with_(Duration.of_minutes(10)).grace_period_ms() == DAY - 10 * 60_000
        jw = JoinWindows.of(Duration.of_minutes(10))
    assert jw.grace_period_ms() == DAY - 20 * 60_000 and not jw.enable_spurious_result_fix
    assert JoinWindows.of_time_difference_with_no_grace(Duration.of_minutes(10)).enable_spurious_result_fix


def test_hopping_keeps_the_grace_of_the_window_it_came_from():
    w = TimeWindows.of_size_and_grace(300_000, 10_000).advance_by(60_000)
    assert (w.size_ms, w.advance_ms, w.grace_period_ms()) == (300_000, 60_000, 10_000)
    assert repr(w) == "TimeWindows{, sizeMs=300000, advanceMs=60000, graceMs=10000}"


@pytest.mark.parametrize("make, message", [
    (lambda: TimeWindows.of_size_with_no_grace(0), "Window size (sizeMs) must be larger than zero."),
    (lambda: TimeWindows.of_size_with_no_grace(60_000).advance_by(120_000),
     ("Window advancement interval should be more than zero and less than window duration which is 60000 ms, "
      "but given advancement interval is: 120000 ms")),
    (lambda: TimeWindows.of_size_with_no_grace(60_000).advance_by(0),
     "Window advancement interval should be more than zero"),
    (lambda: TimeWindows.of_size_and_grace(60_000, -1), "Grace period must not be negative."),
    (lambda: SessionWindows.of_inactivity_gap_with_no_grace(0), "Gap time cannot be zero or negative."),
    (lambda: SessionWindows.of_inactivity_gap_and_grace(10, -5), "Grace period must not be negative."),
    (lambda: SlidingWindows.of_time_difference_with_no_grace(-1), "Window time difference must not be negative."),
    (lambda: SlidingWindows.of_time_difference_and_grace(10, -1), "Window grace period must not be negative."),
    (lambda: JoinWindows.of_time_difference_and_grace(10, -1), "Grace period must not be negative."),
    (lambda: JoinWindows.of_time_difference_with_no_grace(10).before(-20),
     "Window interval (ie, beforeMs+afterMs) must not be negative."),
])
def test_bad_windows_raise_kafkas_illegal_argument_exception(make, message):
    with pytest.raises(IllegalArgumentException) as e:
        make()
    assert str(e.value).startswith(message)
    assert isinstance(e.value, ValueError)


def test_grace_after_the_new_factories_is_an_illegal_state():
    with pytest.raises(IllegalStateException, match="Cannot call grace\\(\\) after setting grace value via "
                                                    "ofSizeAndGrace or ofSizeWithNoGrace."):
        TimeWindows.of_size_with_no_grace(1000).grace(10)


def test_window_types_and_windowed_keys():
    assert TimeWindow(0, 10).overlap(TimeWindow(9, 20)) and not TimeWindow(0, 10).overlap(TimeWindow(10, 20))
    assert SessionWindow(0, 10).overlap(SessionWindow(10, 20))  # both ends inclusive
    with pytest.raises(IllegalArgumentException, match="Window endMs must be greater than window startMs."):
        TimeWindow(5, 5)
    with pytest.raises(IllegalArgumentException, match="Window startMs time cannot be negative."):
        TimeWindow(-1, 5)
    assert repr(Windowed("u_42", TimeWindow(0, 300_000))) == "[u_42@0/300000]"


def test_durations_accept_timedelta_and_milliseconds():
    from datetime import timedelta

    assert TimeWindows.of_size_with_no_grace(timedelta(minutes=1)).size_ms == 60_000
    with pytest.raises(IllegalArgumentException, match="parameter \"size\""):
        TimeWindows.of_size_with_no_grace("5m")
