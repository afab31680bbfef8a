"""Property tests: windowed counts of the model equal an independent brute-force computation.

Random records (keys, timestamps out of order) go through a ``TopologyTestDriver`` one at a time; a
brute force that knows only the *definitions* decides what Kafka must output:

* **Time windows** (tumbling/hopping, ``TimeWindows.java``): a window is ``[s, s + size)`` with ``s`` a
  multiple of ``advance``, ``s >= 0``. Stream time is the largest timestamp seen so far. A record is
  counted in every window that contains it and is still open — ``end > stream time - grace``
  (``KStreamWindowAggregate.process``: ``if (windowEnd > windowCloseTime)``); each window it misses
  because it closed is one ``dropped-records`` (``logSkippedRecordForExpiredWindow`` records the sensor
  once per skipped window). Every counted (record, window) is one update downstream, because the test
  driver flushes the cache after each record (``TopologyTestDriver`` javadoc: "as if a commit ... would
  happen after each input record").
* **Session windows** (``KStreamSessionWindowAggregate``): with nothing late, the sessions of a key are
  the runs of its sorted timestamps whose neighbours are at most ``gap`` apart (``findSessions(key,
  ts - gap, ts + gap)`` is inclusive), whatever order the records came in.
* **Sliding windows** (``KStreamSlidingWindowAggregate``): with nothing late, the windows of a key are
  each record's ``[t - d, t]`` (``[0, d]`` for ``t < d``) and, where a later record falls within
  ``[t + 1, t + 1 + d]``, the window ``[t + 1, t + 1 + d]``; each holds the count of the records inside it.
"""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kafkalab.ecosystem.streams import (
    Consumed,
    Produced,
    Serdes,
    SessionWindows,
    SlidingWindows,
    StreamsBuilder,
    TimeWindows,
    TopologyTestDriver,
    WindowedSerdes,
)

records_strategy = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 1500)), min_size=1, max_size=40)


def run_windowed(windows, records, sliding_size=None):
    b = StreamsBuilder()
    table = (b.stream("in", Consumed.with_(Serdes.String(), Serdes.String()))
             .group_by_key().windowed_by(windows).count())
    size = sliding_size if sliding_size is not None else getattr(windows, "size_ms", None)
    ks = (WindowedSerdes.session_windowed_serde_from(Serdes.String()) if isinstance(windows, SessionWindows)
          else WindowedSerdes.time_windowed_serde_from(Serdes.String(), size))
    table.to_stream().to("out", Produced.with_(ks, Serdes.Long()))
    driver = TopologyTestDriver(b.build(), {"application.id": "prop"})
    inp = driver.create_input_topic("in", Serdes.String(), Serdes.String())
    for key, ts in records:
        inp.pipe_input(key, "x", ts)
    out = driver.create_output_topic("out", ks, Serdes.Long()).read_key_values_to_list()
    store = next(s for s in driver.get_all_state_stores().values())
    return driver, out, store


def brute_time_windows(records, size, advance, grace):
    counts: dict = {}
    updates = []
    dropped = 0
    stream_time = -1
    for key, ts in records:
        stream_time = max(stream_time, ts)
        for s in range(0, ts + 1, advance):
            if not s <= ts < s + size:
                continue
            if s + size > stream_time - grace:
                counts[(key, s)] = counts.get((key, s), 0) + 1
                updates.append((key, s, counts[(key, s)]))
            else:
                dropped += 1
    return counts, updates, dropped


@settings(max_examples=150, deadline=None)
@given(records=records_strategy, size=st.integers(1, 400), advance_frac=st.integers(1, 4), grace=st.integers(0, 300))
@example(records=[("a", 100), ("a", 250), ("a", 149), ("a", 150)], size=100, advance_frac=1, grace=0)  # end == close
@example(records=[("a", 500), ("a", 399), ("a", 400)], size=100, advance_frac=2, grace=50)
def test_time_window_counts_and_drops_match_the_brute_force(records, size, advance_frac, grace):
    advance = max(1, size // advance_frac)
    w = TimeWindows.of_size_and_grace(size, grace).advance_by(advance)
    driver, out, store = run_windowed(w, records)
    counts, updates, dropped = brute_time_windows(records, size, advance, grace)
    assert [(kv.key.key, kv.key.window.start, kv.value) for kv in out] == updates
    assert all(kv.key.window.end - kv.key.window.start == size for kv in out)
    assert driver.metrics()["dropped-records-total"] == dropped
    # The store holds the final count of every window it still retains: retention = size + grace, measured
    # from the latest window *start* it was given (InMemoryWindowStore.put: observedStreamTime =
    # max(observedStreamTime, windowStartTimestamp); windows starting at or before observed - retention expire).
    latest_start = max(s for _k, s in counts) if counts else -1
    kept = {k: c for k, c in counts.items() if k[1] > latest_start - size - grace}
    got = {(wk.key, wk.window.start): vat.value for wk, vat in store.all()}
    assert got == kept


def brute_sessions(records, gap):
    out = {}
    for key in sorted({k for k, _ in records}):
        ts = sorted(t for k, t in records if k == key)
        run = [ts[0]]
        for t in ts[1:]:
            if t - run[-1] <= gap:
                run.append(t)
            else:
                out[(key, run[0], run[-1])] = len(run)
                run = [t]
        out[(key, run[0], run[-1])] = len(run)
    return out


@settings(max_examples=150, deadline=None)
@given(records=records_strategy, gap=st.integers(1, 300))
@example(records=[("a", 10), ("a", 30), ("a", 20)], gap=10)  # the middle record merges two sessions
def test_session_windows_are_the_runs_of_timestamps_within_the_gap(records, gap):
    w = SessionWindows.of_inactivity_gap_and_grace(gap, 10**9)  # nothing is late
    driver, out, store = run_windowed(w, records)
    got = {(wk.key, wk.window.start, wk.window.end): v for wk, v in store.all()}
    assert got == brute_sessions(records, gap)
    assert driver.metrics()["dropped-records-total"] == 0
    # The last update of every final session is its count (merged-away sessions end with a tombstone).
    last = {}
    for kv in out:
        last[(kv.key.key, kv.key.window.start, kv.key.window.end)] = kv.value
    assert {k: v for k, v in last.items() if v is not None} == got


def brute_sliding(records, d):
    windows: dict = {}
    for key in sorted({k for k, _ in records}):
        ts = [t for k, t in records if k == key]
        starts = set()
        for t in ts:
            starts.add(max(0, t - d) if t >= d else 0)
            if any(t + 1 <= u <= t + 1 + d for u in ts):
                starts.add(t + 1)
        for s in starts:
            windows[(key, s)] = sum(1 for u in ts if s <= u <= s + d)
    return windows


@settings(max_examples=150, deadline=None)
@given(records=records_strategy, d=st.integers(1, 300))
@example(records=[("a", 5), ("a", 3)], d=10)  # two early records share [0, d]
@example(records=[("a", 100), ("a", 50), ("a", 75)], d=30)
def test_sliding_windows_hold_the_records_inside_them(records, d):
    w = SlidingWindows.of_time_difference_and_grace(d, 10**9)
    driver, _out, store = run_windowed(w, records, sliding_size=d)
    got = {(wk.key, wk.window.start): vat.value for wk, vat in store.all()}
    assert got == brute_sliding(records, d)
    assert driver.metrics()["dropped-records-total"] == 0
