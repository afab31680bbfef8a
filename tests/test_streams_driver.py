"""The model through ``TopologyTestDriver``: Kafka's own test scenarios give the expected outputs.

Expected records come from apache/kafka tests (file and test named in each docstring), or are worked
out from the Kafka source line quoted there.
"""
from __future__ import annotations

import warnings

import pytest

from kafkalab.ecosystem.streams import (
    Branched,
    BufferConfig,
    Consumed,
    Duration,
    Grouped,
    JoinWindows,
    JsonSerde,
    KeyValue,
    Materialized,
    Named,
    Processor,
    Produced,
    PunctuationType,
    Serdes,
    SessionWindows,
    Stores,
    StreamJoined,
    StreamsBuilder,
    StreamsException,
    Suppressed,
    TestRecord,
    TimeWindows,
    Topology,
    TopologyTestDriver,
    WindowedSerdes,
)
from kafkalab.ecosystem.streams.test_driver import NoSuchElementException
from kafkalab.errors import ConfigException

S, L = Serdes.String(), Serdes.Long()


def driver_for(builder, **config):
    return TopologyTestDriver(builder.build(), {"application.id": "app", **config})


def kvt(records):
    return [(r.key, r.value, r.timestamp) for r in records]


# ------------------------------------------------------------------------------------------------
# The driver's own API


def test_input_and_output_topics_follow_the_test_utils_api():
    b = StreamsBuilder()
    b.stream("in", Consumed.with_(S, S)).map_values(str.upper).to("out", Produced.with_(S, S))
    d = driver_for(b)
    inp = d.create_input_topic("in", S, S, start_timestamp=100, auto_advance=Duration.of_millis(10))
    out = d.create_output_topic("out", S, S)
    inp.pipe_input("k", "a")
    inp.pipe_input("b")
    inp.pipe_input("k", "c", 5)
    inp.pipe_input(TestRecord("k", "d", None, 7))
    inp.pipe_key_value_list([("x", "e"), ("y", "f")], start_timestamp=1000, advance=Duration.of_millis(1))
    assert out.get_queue_size() == 6
    assert out.read_key_value() == KeyValue("k", "A")
    assert out.read_record() == TestRecord(None, "B", None, 110)
    assert kvt(out.read_records_to_list()) == [("k", "C", 5), ("k", "D", 7), ("x", "E", 1000), ("y", "F", 1001)]
    assert out.is_empty()
    with pytest.raises(NoSuchElementException, match="Empty topic: out"):
        out.read_value()
    with pytest.raises(ValueError, match="Unknown topic: nope"):
        d.create_input_topic("nope", S, S).pipe_input("k", "v")


def test_internal_topics_carry_the_application_id_and_are_fed_back():
    b = StreamsBuilder()
    (b.stream("words", Consumed.with_(S, S)).flat_map_values(str.split).group_by(lambda k, v: v, Grouped.with_(S, S))
     .count().to_stream().to("counts", Produced.with_(S, L)))
    d = driver_for(b)
    d.create_input_topic("words", S, S).pipe_input(None, "to be or not to be", 1)
    counts = d.create_output_topic("counts", S, L).read_key_values_to_map()
    assert counts == {"to": 2, "be": 2, "or": 1, "not": 1}
    assert d.produced_topic_names() == {"counts", "app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition",
                                        "app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog"}
    changelog = d.create_output_topic("app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog", S, L)
    assert changelog.get_queue_size() == 6  # every update is logged: the driver flushes after each record
    assert d.get_key_value_store("KSTREAM-AGGREGATE-STATE-STORE-0000000003").get("to") == 2
    vat = d.get_timestamped_key_value_store("KSTREAM-AGGREGATE-STATE-STORE-0000000003").get("to")
    assert (vat.value, vat.timestamp) == (2, 1)


def test_cache_and_commit_interval_have_no_effect_in_the_test_driver():
    """TopologyTestDriver javadoc: commit.interval.ms and the cache size "have no effect ... as if a
    commit (and thus flush) would happen after each input record"."""
    outs = []
    for cfg in ({}, {"statestore.cache.max.bytes": 0}, {"commit.interval.ms": 60_000}):
        b = StreamsBuilder()
        b.stream("in", Consumed.with_(S, S)).group_by_key().count().to_stream().to("out", Produced.with_(S, L))
        d = driver_for(b, **cfg)
        inp = d.create_input_topic("in", S, S)
        for i in range(5):
            inp.pipe_input("k", "v", i)
        outs.append(d.create_output_topic("out", S, L).read_values_to_list())
    assert outs == [[1, 2, 3, 4, 5]] * 3


# ------------------------------------------------------------------------------------------------
# Stateless operations


def test_split_sends_each_record_to_the_first_matching_branch_or_the_default():
    """BranchedKStreamImpl: branches are named splitter name + branch name (or index); KStreamBranch
    forwards to the first predicate that matches, else to the default branch."""
    b = StreamsBuilder()
    branches = (b.stream("in", Consumed.with_(S, Serdes.Integer())).split(Named.as_("split-"))
                .branch(lambda k, v: v < 0, Branched.as_("neg"))
                .branch(lambda k, v: v == 0)
                .default_branch(Branched.as_("rest")))
    assert sorted(branches) == ["split-2", "split-neg", "split-rest"]
    for name, s in branches.items():
        s.to(name, Produced.with_(S, Serdes.Integer()))
    d = driver_for(b)
    inp = d.create_input_topic("in", S, Serdes.Integer())
    for v in (-1, 0, 5, -3):
        inp.pipe_input("k", v, 1)
    got = {n: d.create_output_topic(n, S, Serdes.Integer()).read_values_to_list() for n in branches}
    assert got == {"split-neg": [-1, -3], "split-2": [0], "split-rest": [5]}


def test_mappers_take_the_key_when_they_ask_for_it_and_merge_joins_streams():
    b = StreamsBuilder()
    a = b.stream("a", Consumed.with_(S, S)).map_values(lambda v: v + "!")
    c = b.stream("c", Consumed.with_(S, S)).map_values(lambda k, v: f"{k}:{v}")
    a.merge(c).map(lambda k, v: (v, k)).to("out", Produced.with_(S, S))
    d = driver_for(b)
    d.create_input_topic("a", S, S).pipe_input("x", "1", 1)
    d.create_input_topic("c", S, S).pipe_input("y", "2", 2)
    assert d.create_output_topic("out", S, S).read_key_values_to_list() == [KeyValue("1!", "x"),
                                                                           KeyValue("y:2", "y")]


# ------------------------------------------------------------------------------------------------
# Windows, grace and suppression (SuppressScenarioTest)


def _final_results_topology(windows):
    b = StreamsBuilder()
    counts = (b.stream("input", Consumed.with_(S, S)).group_by(lambda k, v: k, Grouped.with_(S, S))
              .windowed_by(windows).count(Materialized.as_("counts").with_caching_disabled()))
    (counts.suppress(Suppressed.until_window_closes(BufferConfig.unbounded())).to_stream()
     .map(lambda k, v: KeyValue(repr(k), v)).to("output-suppressed", Produced.with_(S, L)))
    counts.to_stream().map(lambda k, v: KeyValue(repr(k), v)).to("output-raw", Produced.with_(S, L))
    return b


def test_final_results_for_time_windows():
    """SuppressScenarioTest.shouldSupportFinalResultsForTimeWindows: size 2, grace 1; the last record (ts 0
    after stream time 5) is dropped from both outputs."""
    d = driver_for(_final_results_topology(TimeWindows.of_size_and_grace(2, 1)))
    inp = d.create_input_topic("input", S, S)
    for ts in (0, 1, 2, 1, 0, 5, 0):
        inp.pipe_input("k1", "v1", ts)
    raw = kvt(d.create_output_topic("output-raw", S, L).read_records_to_list())
    assert raw == [("[k1@0/2]", 1, 0), ("[k1@0/2]", 2, 1), ("[k1@2/4]", 1, 2), ("[k1@0/2]", 3, 1),
                   ("[k1@0/2]", 4, 1), ("[k1@4/6]", 1, 5)]
    final = kvt(d.create_output_topic("output-suppressed", S, L).read_records_to_list())
    assert final == [("[k1@0/2]", 4, 1), ("[k1@2/4]", 1, 2)]
    assert d.metrics()["dropped-records-total"] == 1


def test_final_results_for_time_windows_with_a_large_jump():
    """SuppressScenarioTest.shouldSupportFinalResultsForTimeWindowsWithLargeJump."""
    d = driver_for(_final_results_topology(TimeWindows.of_size_and_grace(2, 2)))
    inp = d.create_input_topic("input", S, S)
    for ts in (0, 1, 2, 0, 3, 0, 4, 0, 30):
        inp.pipe_input("k1", "v1", ts)
    raw = kvt(d.create_output_topic("output-raw", S, L).read_records_to_list())
    assert raw == [("[k1@0/2]", 1, 0), ("[k1@0/2]", 2, 1), ("[k1@2/4]", 1, 2), ("[k1@0/2]", 3, 1), ("[k1@2/4]", 2, 3),
                   ("[k1@0/2]", 4, 1), ("[k1@4/6]", 1, 4), ("[k1@30/32]", 1, 30)]
    final = kvt(d.create_output_topic("output-suppressed", S, L).read_records_to_list())
    assert final == [("[k1@0/2]", 4, 1), ("[k1@2/4]", 2, 3), ("[k1@4/6]", 1, 4)]


def test_final_results_for_session_windows_with_merges():
    """SuppressScenarioTest.shouldSupportFinalResultsForSessionWindows: merged sessions are retracted
    with a null before the merged one is emitted; the late ts-5 record is dropped."""
    d = driver_for(_final_results_topology(SessionWindows.of_inactivity_gap_with_no_grace(5)))
    inp = d.create_input_topic("input", S, S)
    for k, ts in (("k1", 0), ("k1", 5), ("k1", 1), ("k2", 11), ("k1", 5), ("k1", 30)):
        inp.pipe_input(k, "v1", ts)
    raw = kvt(d.create_output_topic("output-raw", S, L).read_records_to_list())
    assert raw == [("[k1@0/0]", 1, 0), ("[k1@0/0]", None, 0), ("[k1@0/5]", 2, 5), ("[k1@0/5]", None, 5),
                   ("[k1@0/5]", 3, 5), ("[k2@11/11]", 1, 11), ("[k1@30/30]", 1, 30)]
    final = kvt(d.create_output_topic("output-suppressed", S, L).read_records_to_list())
    assert final == [("[k1@0/5]", 3, 5), ("[k2@11/11]", 1, 11)]


def test_the_deprecated_of_accepts_a_day_late_while_no_grace_drops_the_first_late_record():
    """Windows.java: the old ``TimeWindows.of(size)`` grace was 24 h - size; ``ofSizeWithNoGrace`` is 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = TimeWindows.of(Duration.of_minutes(5))
    results = {}
    for name, w in (("of", old), ("no grace", TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)))):
        b = StreamsBuilder()
        (b.stream("in", Consumed.with_(S, S)).group_by_key().windowed_by(w).count().to_stream()
         .to("out", Produced.with_(WindowedSerdes.time_windowed_serde_from(S, 300_000), L)))
        d = driver_for(b)
        inp = d.create_input_topic("in", S, S)
        inp.pipe_input("u", "x", 10 * 60_000)
        inp.pipe_input("u", "late by 7 min", 3 * 60_000)
        results[name] = d.metrics()["dropped-records-total"]
        events = d.trace.filter("streams.record_dropped")
        assert all(e.fields["reason"] == "expired window" for e in events)
    assert results == {"of": 0, "no grace": 1}


# ------------------------------------------------------------------------------------------------
# Joins


def test_stream_table_join_sees_the_table_as_it_is_when_the_click_is_processed():
    """KStreamKTableJoinProcessor.doJoin: inner joins emit only when the table has the key; left joins
    emit with a null; the table's later updates never trigger output (KStreamKTableJoinTest
    shouldNotJoinOnTableUpdates)."""
    for left, expected in ((False, [("u1", "c2/gold", 20)]), (True, [("u1", "c1/None", 10), ("u1", "c2/gold", 20)])):
        b = StreamsBuilder()
        clicks = b.stream("clicks", Consumed.with_(S, S))
        profiles = b.table("profiles", Consumed.with_(S, S))
        (clicks.left_join if left else clicks.join)(profiles, lambda c, p: f"{c}/{p}").to("out", Produced.with_(S, S))
        d = driver_for(b)
        c = d.create_input_topic("clicks", S, S)
        p = d.create_input_topic("profiles", S, S)
        c.pipe_input("u1", "c1", 10)
        p.pipe_input("u1", "gold", 15)
        c.pipe_input("u1", "c2", 20)
        p.pipe_input("u1", "silver", 25)
        assert kvt(d.create_output_topic("out", S, S).read_records_to_list()) == expected


def test_left_join_with_zero_after_emits_unmatched_records_once_their_window_closes():
    """KStreamKStreamLeftJoinTest.testLeftJoinedRecordsWithZeroAfterAreEmitted (first two steps)."""
    b = StreamsBuilder()
    s1 = b.stream("topic1", Consumed.with_(Serdes.Integer(), S))
    s2 = b.stream("topic2", Consumed.with_(Serdes.Integer(), S))
    (s1.left_join(s2, lambda v1, v2: f"{v1}+{v2}", JoinWindows.of_time_difference_with_no_grace(100).after(0),
                  StreamJoined.with_(Serdes.Integer(), S, S)).to("out", Produced.with_(Serdes.Integer(), S)))
    d = driver_for(b)
    t1 = d.create_input_topic("topic1", Serdes.Integer(), S)
    t2 = d.create_input_topic("topic2", Serdes.Integer(), S)
    out = d.create_output_topic("out", Serdes.Integer(), S)
    for i in range(4):
        t1.pipe_input(i, f"A{i}", 1000 + i)
    assert kvt(out.read_records_to_list()) == [(0, "A0+None", 1000), (1, "A1+None", 1001), (2, "A2+None", 1002)]
    for i in range(4):
        t2.pipe_input(i, f"a{i}", 999)
    assert kvt(out.read_records_to_list()) == [(0, "A0+a0", 1000), (1, "A1+a1", 1001), (2, "A2+a2", 1002),
                                               (3, "A3+a3", 1003)]


def test_the_old_join_windows_emit_spurious_left_results_at_once():
    """JoinWindows.of (deprecated) disables the spurious-result fix: a left record without a partner is
    joined with null immediately, and again with the partner when it arrives."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        jw = JoinWindows.of(Duration.of_millis(100))
    b = StreamsBuilder()
    s1 = b.stream("a", Consumed.with_(S, S))
    s2 = b.stream("b", Consumed.with_(S, S))
    s1.left_join(s2, lambda v1, v2: f"{v1}+{v2}", jw).to("out", Produced.with_(S, S))
    d = driver_for(b)
    d.create_input_topic("a", S, S).pipe_input("k", "A", 10)
    d.create_input_topic("b", S, S).pipe_input("k", "B", 20)
    assert d.create_output_topic("out", S, S).read_values_to_list() == ["A+None", "A+B"]


def test_table_table_joins_inner_left_outer():
    """KTableKTable{Inner,Left,Outer}Join.process: the joined table changes when either side changes."""
    results = {}
    for kind in ("join", "left_join", "outer_join"):
        b = StreamsBuilder()
        t1 = b.table("t1", Consumed.with_(S, S))
        t2 = b.table("t2", Consumed.with_(S, S))
        getattr(t1, kind)(t2, lambda a, c: f"{a}-{c}").to_stream().to("out", Produced.with_(S, S))
        d = driver_for(b)
        i1, i2 = d.create_input_topic("t1", S, S), d.create_input_topic("t2", S, S)
        i1.pipe_input("k", "a", 1)
        i2.pipe_input("k", "x", 2)
        i2.pipe_input("j", "y", 3)
        i1.pipe_input("k", "b", 4)
        results[kind] = d.create_output_topic("out", S, S).read_key_values_to_list()
    assert results["join"] == [KeyValue("k", "a-x"), KeyValue("k", "b-x")]
    assert results["left_join"] == [KeyValue("k", "a-None"), KeyValue("k", "a-x"), KeyValue("k", "b-x")]
    assert results["outer_join"] == [KeyValue("k", "a-None"), KeyValue("k", "a-x"), KeyValue("j", "None-y"),
                                     KeyValue("k", "b-x")]


def test_global_table_join_looks_up_any_key():
    b = StreamsBuilder()
    regions = b.global_table("regions", Consumed.with_(S, S))
    orders = b.stream("orders", Consumed.with_(S, JsonSerde()))
    (orders.join(regions, lambda k, v: v["region"], lambda v, r: {**v, "region_name": r})
     .to("out", Produced.with_(S, JsonSerde())))
    d = driver_for(b)
    d.create_input_topic("regions", S, S).pipe_input("eu", "Europe", 1)
    d.create_input_topic("orders", S, JsonSerde()).pipe_input("o1", {"region": "eu"}, 2)
    assert d.create_output_topic("out", S, JsonSerde()).read_value() == {"region": "eu", "region_name": "Europe"}


# ------------------------------------------------------------------------------------------------
# The Processor API


class CountAndPunctuate(Processor):
    """Counts per key in a store; every 10 ms of stream time forwards the counts (a STREAM_TIME punctuation)."""

    def init(self, context):
        super().init(context)
        self.store = context.get_state_store("counts")
        context.schedule(10, PunctuationType.STREAM_TIME, self.punctuate)

    def process(self, record):
        self.store.put(record.key, (self.store.get(record.key) or 0) + 1)

    def punctuate(self, ts):
        for k, v in self.store.all():
            self.context.forward(record_at(k, v, ts))


def record_at(k, v, ts):
    from kafkalab.ecosystem.streams import Record

    return Record(k, v, ts)


def test_processor_api_topology_with_a_store_and_stream_time_punctuation():
    t = (Topology().add_source("src", "in", key_deserializer=S, value_deserializer=S)
         .add_processor("count", CountAndPunctuate, "src")
         .add_state_store(Stores.key_value_store_builder(Stores.in_memory_key_value_store("counts"), S, L), "count")
         .add_sink("sink", "out", "count", key_serializer=S, value_serializer=L))
    assert "Processor: count (stores: [counts])" in str(t.describe())
    d = TopologyTestDriver(t, {"application.id": "papi"})
    inp = d.create_input_topic("in", S, S)
    for ts in (0, 3, 12, 15, 25):
        inp.pipe_input("k", "v", ts)
    # first punctuation at the first record's stream time (0), then at 10 and 20 (skipped ones are not repeated)
    assert kvt(d.create_output_topic("out", S, L).read_records_to_list()) == [("k", 1, 0), ("k", 3, 12),
                                                                             ("k", 5, 25)]


def test_stream_time_punctuation_is_aligned_to_zero_not_to_the_first_record():
    """StreamTask.schedule: "align punctuation to 0L, punctuate as soon as we have data"; PunctuationSchedule.next:
    the next time is ``timestamp + (intervalsMissed + 1) * interval``. First record at 7 → punctuations at 7, then
    at the first stream time >= 10 (12) and >= 20 (21); aligned to the first record they would be at 7, 19."""
    t = (Topology().add_source("src", "in", key_deserializer=S, value_deserializer=S)
         .add_processor("count", CountAndPunctuate, "src")
         .add_state_store(Stores.key_value_store_builder(Stores.in_memory_key_value_store("counts"), S, L), "count")
         .add_sink("sink", "out", "count", key_serializer=S, value_serializer=L))
    d = TopologyTestDriver(t, {"application.id": "papi"})
    inp = d.create_input_topic("in", S, S)
    for ts in (7, 12, 19, 21):
        inp.pipe_input("k", "v", ts)
    assert kvt(d.create_output_topic("out", S, L).read_records_to_list()) == [("k", 1, 7), ("k", 2, 12), ("k", 4, 21)]


class WallClockCounter(Processor):
    """Forwards how many records it has seen every 10 s of wall-clock time (a WALL_CLOCK_TIME punctuation)."""

    def init(self, context):
        super().init(context)
        self.seen = 0
        context.schedule(Duration.of_seconds(10), PunctuationType.WALL_CLOCK_TIME, self.punctuate)

    def process(self, record):
        self.seen += 1

    def punctuate(self, ts):
        self.context.forward(record_at("seen", self.seen, ts))


def test_wall_clock_punctuation_fires_only_when_the_driver_advances_its_wall_clock():
    """TopologyTestDriver.advanceWallClockTime: mockWallClockTime.sleep(advance), then
    task.maybePunctuateSystemTime() and a commit. StreamTask.schedule aligns wall-clock punctuation to
    "now" + interval; a 25 s jump fires once (PunctuationSchedule.next skips the missed ones)."""
    t = (Topology().add_source("src", "in", key_deserializer=S, value_deserializer=S)
         .add_processor("wall", WallClockCounter, "src")
         .add_sink("sink", "out", "wall", key_serializer=S, value_serializer=L))
    d = TopologyTestDriver(t, {"application.id": "papi"}, initial_wall_clock_time_ms=1_000)
    out = d.create_output_topic("out", S, L)
    inp = d.create_input_topic("in", S, S)
    inp.pipe_input("k", "v", 50_000)  # stream time does not drive wall-clock punctuations
    d.advance_wall_clock_time(Duration.of_millis(9_999))
    assert out.is_empty()
    d.advance_wall_clock_time(Duration.of_millis(1))
    inp.pipe_input("k", "v", 60_000)
    d.advance_wall_clock_time(Duration.of_seconds(25))  # 36 s: fires once; the next is due at 41 s
    d.advance_wall_clock_time(Duration.of_seconds(4))
    assert out.is_empty() is False
    assert [(r.value, r.timestamp) for r in out.read_records_to_list()] == [(1, 11_000), (2, 36_000)]
    d.advance_wall_clock_time(Duration.of_seconds(1))
    assert [(r.value, r.timestamp) for r in out.read_records_to_list()] == [(2, 41_000)]


def test_input_topics_advance_their_own_time_between_records():
    """TestInputTopic: records without a timestamp get the topic's current time, which then moves by
    ``autoAdvance``; ``advanceTime`` moves it by hand and refuses a negative step ("advance must be positive")."""
    from kafkalab.ecosystem.streams import IllegalArgumentException

    b = StreamsBuilder()
    b.stream("in", Consumed.with_(S, S)).to("out", Produced.with_(S, S))
    with driver_for(b) as d:
        inp = d.create_input_topic("in", S, S, start_timestamp=1_000, auto_advance=Duration.of_millis(10))
        inp.pipe_value_list(["a", "b"])
        inp.advance_time(Duration.of_seconds(1))
        inp.pipe_input("k", "c")
        inp.pipe_input("k", "d", 5)  # an explicit timestamp leaves the topic's time alone
        inp.pipe_input("e")
        got = [(r.key, r.value, r.timestamp) for r in d.create_output_topic("out", S, S).read_records_to_list()]
        assert got == [(None, "a", 1_000), (None, "b", 1_010), ("k", "c", 2_020), ("k", "d", 5), (None, "e", 2_030)]
        with pytest.raises(IllegalArgumentException, match="advance must be positive"):
            inp.advance_time(-1)


def test_window_and_session_stores_are_read_through_the_driver():
    """TopologyTestDriver.getWindowStore / getSessionStore: what the windowed counts hold, without timestamps.
    At stream time 30 the in-memory stores have expired windows ending before 21 (size + grace = 10) and sessions
    before 26 (gap + grace = 5), but the caching layer answers first (CachingWindowStore.fetch reads the cache,
    CachingSessionStore.findSessions merges it filtered only by the query's bounds), and the driver's cache still
    holds them: they are returned."""
    b = StreamsBuilder()
    g = b.stream("in", Consumed.with_(S, S)).group_by_key()
    g.windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_millis(10))).count(Materialized.as_("tw"))
    g.windowed_by(SessionWindows.of_inactivity_gap_with_no_grace(Duration.of_millis(5))).count(Materialized.as_("sw"))
    with driver_for(b) as d:
        inp = d.create_input_topic("in", S, S)
        for ts in (1, 3, 12, 30):
            inp.pipe_input("k", "v", ts)
        tw = d.get_window_store("tw")
        assert [(w, tw.fetch("k", w)) for w in (0, 10, 20, 30)] == [(0, 2), (10, 1), (20, None), (30, 1)]
        assert d.get_key_value_store("tw") is None and d.get_session_store("tw") is None
        sessions = sorted((wk.window.start, wk.window.end, c) for wk, c in d.get_session_store("sw").fetch("k"))
        assert sessions == [(1, 3, 2), (12, 12, 1), (30, 30, 1)]


def test_a_timestamp_extractor_sets_event_time_from_the_value():
    """Consumed.withTimestampExtractor: the extractor's timestamp is the record's, for windows and for the sink."""
    b = StreamsBuilder()
    (b.stream("in", Consumed.with_(S, JsonSerde()).with_timestamp_extractor(lambda rec, partition_time: rec.value["ts"]))
        .group_by_key().windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_millis(100))).count().to_stream()
        .to("out", Produced.with_(WindowedSerdes.time_windowed_serde_from(S, 100), L)))
    with driver_for(b) as d:
        inp = d.create_input_topic("in", S, JsonSerde())
        inp.pipe_input("k", {"ts": 250}, 0)
        inp.pipe_input("k", {"ts": 260}, 999)
        out = d.create_output_topic("out", WindowedSerdes.time_windowed_serde_from(S, 100), L)
        assert [(r.key.window.start, r.value, r.timestamp) for r in out.read_records_to_list()] == [(200, 1, 250),
                                                                                                   (200, 2, 260)]


def counts_then_suppress(suppressed):
    b = StreamsBuilder()
    counts = b.stream("input", Consumed.with_(S, S)).group_by_key().count(
        Materialized.with_(S, L).with_caching_disabled())
    counts.suppress(suppressed).to_stream().to("output-suppressed", Produced.with_(S, L))
    counts.to_stream().to("output-raw", Produced.with_(S, L))
    return b


def test_until_time_limit_emits_a_key_once_stream_time_passes_its_first_buffered_time_plus_the_limit():
    """KTableSuppressProcessorSupplier.enforceConstraints: ``buffer.evictWhile(minTimestamp <= streamTime -
    suppressDuration)``; a key keeps the buffer time of its first update (InMemoryTimeOrderedKeyValueChangeBuffer.
    cleanPut, "non-resetting semantics"), and the emitted record is its latest update. A stream version of
    SuppressScenarioTest.shouldSuppressIntermediateEventsWithTimeLimit (2 ms limit)."""
    with driver_for(counts_then_suppress(Suppressed.until_time_limit(Duration.of_millis(2),
                                                                     BufferConfig.unbounded()))) as d:
        inp = d.create_input_topic("input", S, S)
        sup = d.create_output_topic("output-suppressed", S, L)
        for k, ts in (("k1", 0), ("k1", 1), ("k2", 2)):
            inp.pipe_input(k, "v", ts)
        assert kvt(sup.read_records_to_list()) == [("k1", 2, 1)]  # k1 first buffered at 0 <= 2 - 2
        inp.pipe_input("x", "v", 3)
        assert sup.is_empty()  # k2 (2) > 3 - 2
        inp.pipe_input("x", "v", 4)
        assert kvt(sup.read_records_to_list()) == [("k2", 1, 2)]  # x stays: first buffered at 3 > 4 - 2
        assert len(d.create_output_topic("output-raw", S, L).read_records_to_list()) == 5


def test_a_full_suppression_buffer_emits_its_oldest_early_or_shuts_down():
    """enforceConstraints: over capacity (``numRecords > maxRecords``) with EMIT evicts oldest first; with
    SHUT_DOWN it throws "<node> buffer exceeded its max capacity. Currently [n/max] records and [b/max] bytes."
    (SuppressScenarioTest.shouldSuppressIntermediateEventsWithRecordLimit, over a stream.)"""
    with driver_for(counts_then_suppress(Suppressed.until_time_limit(2**63 - 1, BufferConfig.max_records(1)))) as d:
        inp = d.create_input_topic("input", S, S)
        for k, ts in (("k1", 0), ("k1", 1), ("k2", 2), ("x", 3)):
            inp.pipe_input(k, "v", ts)
        assert kvt(d.create_output_topic("output-suppressed", S, L).read_records_to_list()) == [("k1", 2, 1),
                                                                                                ("k2", 1, 2)]
    strict = Suppressed.until_time_limit(2**63 - 1,  # Long.MAX_VALUE ms: longer than a timedelta
                                         BufferConfig.unbounded().with_max_records(1).shut_down_when_full())
    d = driver_for(counts_then_suppress(strict))
    inp = d.create_input_topic("input", S, S)
    inp.pipe_input("k1", "v", 0)
    with pytest.raises(StreamsException, match=r"KTABLE-SUPPRESS-\d+ buffer exceeded its max capacity. Currently "
                                               r"\[2/1\] records and \[\d+/9223372036854775807\] bytes."):
        inp.pipe_input("k2", "v", 1)


# ------------------------------------------------------------------------------------------------
# Bad input: Kafka's errors, when Kafka raises them


def test_a_missing_serde_fails_when_the_task_starts_with_kafkas_message():
    """SourceNode.init / StreamsConfig.defaultKeySerde: "Failed to initialize key serdes for source node
    KSTREAM-SOURCE-0000000000" caused by "Please specify a key serde or set one through
    StreamsConfig#DEFAULT_KEY_SERDE_CLASS_CONFIG"."""
    b = StreamsBuilder()
    b.stream("in").to("out")
    topology = b.build()  # building is fine: serdes are resolved when the task is created
    with pytest.raises(StreamsException) as e:
        TopologyTestDriver(topology, {"application.id": "x"})
    assert str(e.value) == "Failed to initialize key serdes for source node KSTREAM-SOURCE-0000000000"
    assert "Please specify a key serde or set one through StreamsConfig#DEFAULT_KEY_SERDE_CLASS_CONFIG" in \
        str(e.value.__cause__)
    d = TopologyTestDriver(topology, {"application.id": "x", "default.key.serde": Serdes.StringSerde,
                                      "default.value.serde": "org.apache.kafka.common.serialization.Serdes$StringSerde"})
    d.create_input_topic("in", S, S).pipe_input("k", "v", 1)
    assert d.create_output_topic("out", S, S).read_value() == "v"


def test_an_unknown_serde_class_is_rejected_by_the_config():
    """ConfigDef.parseType for Type.CLASS: "Class ... could not be found."."""
    b = StreamsBuilder()
    b.stream("in").to("out")
    with pytest.raises(ConfigException, match="Invalid value com.example.FooSerde for configuration "
                                              "default.key.serde: Class com.example.FooSerde could not be found."):
        TopologyTestDriver(b.build(), {"application.id": "x", "default.key.serde": "com.example.FooSerde"})


@pytest.mark.parametrize("build, message", [
    (lambda t: t.add_source("s", "a").add_processor("p", CountAndPunctuate, "nope"),
     "Invalid topology: Predecessor processor nope is not added yet for p"),
    (lambda t: t.add_source("s", "a").add_processor("p", CountAndPunctuate, "p"),
     "Invalid topology: Processor p cannot be a predecessor of itself."),
    (lambda t: t.add_source("s", "a").add_source("s", "b"), "Invalid topology: Processor s is already added."),
    (lambda t: t.add_source("s", "a").add_source("t", "a"),
     "Invalid topology: Topic a has already been registered by another source."),
    (lambda t: t.add_source("s"), "Invalid topology: You must provide at least one topic"),
    (lambda t: t.add_source("s", "a").add_sink("k", "out"), "Invalid topology: Sink k must have at least one parent"),
    (lambda t: t.add_source("s", "a").add_processor("p", CountAndPunctuate, "s").connect_processor_and_state_stores(
        "p", "ghost"), "Invalid topology: StateStore ghost is not added yet."),
])
def test_topology_mistakes_raise_kafkas_topology_exception_at_build_time(build, message):
    """InternalTopologyBuilder.addSource/addProcessor/addSink/connectProcessorAndStateStore messages; a
    processor can only name parents that exist, which is why a Processor-API topology cannot loop."""
    from kafkalab.ecosystem.streams import TopologyException

    with pytest.raises(TopologyException) as e:
        build(Topology())
    assert str(e.value) == message


def test_a_supplier_must_return_a_new_processor_each_time():
    from kafkalab.ecosystem.streams import IllegalArgumentException

    shared = CountAndPunctuate()
    with pytest.raises(IllegalArgumentException, match="must return a new object each time it is called"):
        Topology().add_source("s", "a").add_processor("p", lambda: shared, "s")


def test_suppress_on_a_non_windowed_table_is_a_topology_exception():
    """GraphGraceSearchUtil.findAndVerifyWindowGrace walks up to the builder's root node, naming each node:
    "Window close time is only defined for windowed computations. Got [stateful->stateless]."
    (GraphGraceSearchUtilTest.shouldFailIfThereIsNoGraceAncestor)."""
    from kafkalab.ecosystem.streams import TopologyException

    b = StreamsBuilder()
    table = b.stream("in", Consumed.with_(S, S)).group_by_key().count()
    with pytest.raises(TopologyException, match=r"Window close time is only defined for windowed computations\. "
                                                r"Got \[root->KSTREAM-SOURCE-0000000000->KSTREAM-AGGREGATE-0000000002\]\."):
        table.suppress(Suppressed.until_window_closes(BufferConfig.unbounded()))
