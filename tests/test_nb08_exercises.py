"""Notebook 08's checkers: the right answer passes; typical wrong answers fail, each with its own hint."""
from __future__ import annotations

import warnings

import pytest

from kafkalab.ecosystem.streams import (
    BufferConfig,
    Consumed,
    Duration,
    Grouped,
    Joined,
    JsonSerde,
    Materialized,
    Repartitioned,
    Serdes,
    Suppressed,
    TimeWindows,
)
from kafkalab.ecosystem.streams.lab import enrich
from kafkalab.exercises import ExerciseNotSolved, check, nb08, verdict

S = Serdes.String()


def distinct_hints(name, wrong_answers):
    hints = [verdict(name, a) for a in wrong_answers]
    assert all(h for h in hints), hints
    assert len(set(hints)) == len(hints), hints
    return hints


def minutes(size, advance=None, grace=0):
    w = TimeWindows.of_size_and_grace(Duration.of_minutes(size), Duration.of_minutes(grace))
    return w.advance_by(Duration.of_minutes(advance)) if advance else w


# ------------------------------------------------------------------------------------------------
# 1. hopping windows of one click


def test_predict_hopping_windows():
    right = ["11:59", "12:00", "12:01", "12:02", "12:03"]
    assert nb08.hopping_windows_of_click() == right  # the reveal cell runs the same thing
    assert verdict("predict_hopping_windows", right) is None
    hints = distinct_hints("predict_hopping_windows", [
        ["12:03"],  # tumbling thinking
        ["12:00", "12:01", "12:02", "12:03", "12:04"],  # a window that starts after the click
        ["12:00", "12:01", "12:02", "12:03"],  # forgets the window that started at 11:59
        ["11:58", "11:59", "12:00", "12:01", "12:02", "12:03"],  # includes a window that ended before
    ])
    assert "size / advance" in hints[0]


# ------------------------------------------------------------------------------------------------
# 2. grace


def test_grace_for_late_clicks():
    assert verdict("grace_for_late_clicks", minutes(5, 1, grace=2)) is None
    assert verdict("grace_for_late_clicks", lambda: minutes(5, 1, grace=2)) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = TimeWindows.of(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1))
    hints = distinct_hints("grace_for_late_clicks", [
        minutes(5, 1, grace=0),  # no grace: both late clicks lose windows
        minutes(5, 1, grace=1),  # not enough for the 2-minute-late click
        old,  # the deprecated of(): 24 h - 5 min of grace counts the 20-minute-late click too
        minutes(5, 1, grace=4),  # works, but more than needed
        minutes(5, grace=2),  # tumbling windows: not the dashboard's
    ])
    assert "20-minute-late click was counted" in hints[2]
    assert "not the smallest" in hints[3]


# ------------------------------------------------------------------------------------------------
# 3. final results


def _pages(b, windows, suppress=True, by_page=True):
    clicks = b.stream("clicks", Consumed.with_(S, JsonSerde()))
    grouped = clicks.group_by(lambda user, click: click["page"], Grouped.with_(S, JsonSerde())) if by_page else \
        clicks.group_by_key()
    counts = grouped.windowed_by(windows).count()
    if suppress:
        counts = counts.suppress(Suppressed.until_window_closes(BufferConfig.unbounded()))
    counts.to_stream().to("page-counts")


def right_final(b):
    _pages(b, TimeWindows.of_size_with_no_grace(Duration.of_minutes(1)))


def test_final_counts_topology():
    assert verdict("final_counts_topology", right_final) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = TimeWindows.of(Duration.of_minutes(1))
    hints = distinct_hints("final_counts_topology", [
        lambda b: _pages(b, TimeWindows.of_size_with_no_grace(Duration.of_minutes(1)), suppress=False),
        lambda b: _pages(b, TimeWindows.of_size_with_no_grace(Duration.of_minutes(1)), by_page=False),
        lambda b: _pages(b, old),
        lambda b: _pages(b, minutes(2, 1)),
    ])
    assert "every update is emitted" in hints[0]
    assert "24 h" in hints[2]


def test_the_final_counts_brute_force_matches_a_hand_count():
    clicks = [("u", {"page": "/a"}, 43_200_000), ("u", {"page": "/a"}, 43_230_000), ("u", {"page": "/b"}, 43_270_000),
              ("u", {"page": "/a"}, 43_210_000), ("u", {"page": "/a"}, 44_000_000)]
    assert nb08.expected_final_counts(clicks) == {("/a", 43_200_000): 2, ("/b", 43_260_000): 1}


# ------------------------------------------------------------------------------------------------
# 4. co-partitioning


def _guide(b, clicks_fn):
    clicks = clicks_fn(b.stream("clicks", Consumed.with_(S, JsonSerde())))
    profiles = b.table("user-profiles", Consumed.with_(S, JsonSerde()))
    (clicks.join(profiles, enrich, Joined.with_(S, JsonSerde(), JsonSerde())).group_by_key()
     .windowed_by(minutes(5, 1)).count(Materialized.as_("clicks-per-user-5m")).to_stream()
     .to("clicks-per-user-5m-output"))


def test_copartition_fix():
    assert verdict("copartition_fix", lambda b: _guide(b, lambda s: s.repartition(
        Repartitioned.with_(S, JsonSerde())))) is None
    assert verdict("copartition_fix", lambda b: _guide(b, lambda s: s.select_key(lambda k, v: k))) is None
    hints = distinct_hints("copartition_fix", [
        lambda b: _guide(b, lambda s: s),  # the guide's topology: dies with "Topics not co-partitioned"
        lambda b: _guide(b, lambda s: s.repartition()),  # repartition() does not inherit the key serde
        lambda b: _guide(b, lambda s: s.repartition(Repartitioned.with_(S, JsonSerde())
                                                    .with_number_of_partitions(6))),
        lambda b: _guide(b, lambda s: s.map_values(lambda v: v)),  # keeps the key, no repartition
    ])
    assert "not co-partitioned" in hints[0]


# ------------------------------------------------------------------------------------------------
# 5. every update


def test_see_every_update():
    assert verdict("see_every_update", {"statestore.cache.max.bytes": 0}) is None
    hints = distinct_hints("see_every_update", [
        {},
        {"commit.interval.ms": 100},
        {"num.stream.threads": 2, "commit.interval.ms": 1000} | {"commit.interval.ms": 1000},
        {"statestore.cache.max.bytes": -1},
    ])
    assert "cache" in hints[0] and "commit.interval.ms" in hints[1]
    assert "rejects" in hints[3]


# ------------------------------------------------------------------------------------------------
# 6. double counting after a crash


def test_predict_double_count():
    truth = nb08.double_counted()
    assert truth > 0
    assert verdict("predict_double_count", truth) is None
    distinct_hints("predict_double_count", [0, -truth, 600, "a few"])


def test_check_raises_with_the_hint():
    with pytest.raises(ExerciseNotSolved, match="tumbling window only"):
        check("predict_hopping_windows", ["12:03"])
