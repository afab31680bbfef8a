"""Exercises of ``notebooks/08_kafka_streams.py``: windows, grace, final results, co-partitioning, the
cache/commit surprise, and what at-least-once counts twice after a crash.

Every verdict runs the learner's answer: windows and topologies in a ``TopologyTestDriver`` over seeded
click logs (several of them), configs and co-partitioning fixes as ``KafkaStreams`` applications on a
fresh simulated cluster, predictions against the run that reveals them.
"""
from __future__ import annotations

import random

from ..ecosystem.streams import (
    Consumed,
    Produced,
    Serdes,
    StreamsBuilder,
    TimeWindows,
    TopologyTestDriver,
    WindowedSerdes,
)
from ..ecosystem.streams.lab import (
    CRASH_WORDS,
    MINUTE,
    NOON,
    clicks_and_profiles,
    crash_count_run,
    drive,
    guide_topology,
    hhmm,
    run_app,
    window_run,
    windowed_serde,
)
from ..ecosystem.streams.serdes import JsonSerde
from .core import Prediction, exercise

S, L = Serdes.String(), Serdes.Long()

# ---------------------------------------------------------------------------------------------
# 1. Predict the hopping windows of one click
# ---------------------------------------------------------------------------------------------

CLICK_AT = NOON + 3 * MINUTE + 30_000  # 12:03:30


def hopping_windows_of_click() -> list[str]:
    """The windows a 12:03:30 click is counted in (5-minute windows advancing by 1 minute), by running it."""
    w = TimeWindows.of_size_with_no_grace(5 * MINUTE).advance_by(MINUTE)
    run = window_run(w, [CLICK_AT])
    return [hhmm(s) for s, _e in run.records[0]["counted"]]


def _explain_hopping(predicted, actual) -> str | None:
    if not isinstance(predicted, (list, tuple)) or not all(isinstance(x, str) for x in predicted):
        return 'predict a list of window starts as "HH:MM" strings, e.g. ["12:00", "12:01"]'
    p = list(predicted)
    if p == ["12:03"]:
        return "that is the tumbling window only: hopping windows overlap, so a record is in size / advance of them"
    if "12:04" in p:
        return "a window that starts at 12:04 begins after the click: it cannot count it"
    if "11:59" not in p and set(p) <= set(actual):
        return "the window starting at 11:59 runs to 12:04 (end exclusive): 12:03:30 is inside it"
    if len(p) > len(actual):
        return "the window starting at 11:58 ends at 12:03, before the click"
    return None


exercise(
    "predict_hopping_windows",
    hints=["A 5-minute window advancing by 1 minute: how many such windows overlap any one instant?",
           "Window [s, s + 5 min) contains the click when s <= 12:03:30 < s + 5 min, with s on a whole minute."],
    solution='["11:59", "12:00", "12:01", "12:02", "12:03"]: every window whose start is a whole minute at or '
             "before 12:03:30 and whose end (start + 5 min, exclusive) is after it — size / advance = 5 windows "
             "(Kafka's TimeWindows.windowsFor).",
    why="hopping windows overlap: each record updates size / advance windows",
)(Prediction(hopping_windows_of_click, _explain_hopping))


# ---------------------------------------------------------------------------------------------
# 2. Choose a grace period
# ---------------------------------------------------------------------------------------------

def late_click_log() -> list[int]:
    """Clicks in arrival order: on time, two late (by ~40 s and ~2 min), one 20 minutes late."""
    on_time = [NOON + int(m * MINUTE) for m in (0.3, 1.2, 2.5, 3.1, 4.4, 5.6, 6.6, 7.0, 7.2, 9.9)]
    arrivals = on_time[:8]  # stream time is 12:07:00 after these
    arrivals += [NOON + int(6.35 * MINUTE)]  # 12:06:21, ~40 s late
    arrivals += [on_time[8], NOON + int(5.17 * MINUTE)]  # stream time 12:07:12; 12:05:10 is ~2 min late
    arrivals += [on_time[9], NOON - 10 * MINUTE]  # stream time 12:09:54; an 11:50 click, 20 min late
    return arrivals


MODERATE = (NOON + int(6.35 * MINUTE), NOON + int(5.17 * MINUTE))
VERY_LATE = NOON - 10 * MINUTE


def _windows_from(answer):
    if callable(answer) and not isinstance(answer, TimeWindows):
        answer = answer()
    return answer


def _grace_verdict(answer) -> str | None:
    w = _windows_from(answer)
    if not isinstance(w, TimeWindows):
        return ("answer with a TimeWindows, e.g. TimeWindows.of_size_and_grace(Duration.of_minutes(5), "
                "Duration.of_minutes(3)).advance_by(Duration.of_minutes(1))")
    if (w.size_ms, w.advance_ms) != (5 * MINUTE, MINUTE):
        return (f"the dashboard's windows are 5 minutes advancing by 1 minute; these are {w.size_ms // MINUTE} min "
                f"advancing by {w.advance_ms / MINUTE:g} min")
    run = window_run(w, late_click_log())
    by_ts = {}
    for r in run.records:
        by_ts.setdefault(r["ts"], r)
    missed = [hhmm(t) for t in MODERATE if by_ts[t]["dropped"]]
    if missed:
        return (f"the late click(s) at {', '.join(missed)} still lose windows: they arrive when stream time has "
                f"passed the end of their earliest window plus {w.grace_period_ms() // 1000} s of grace")
    if by_ts[VERY_LATE]["counted"]:
        return (f"the 20-minute-late click was counted in {len(by_ts[VERY_LATE]['counted'])} window(s): a grace of "
                f"{w.grace_period_ms() / MINUTE:g} min keeps windows open far too long (TimeWindows.of had 24 h - size)")
    if w.grace_period_ms() % MINUTE:
        return "give the grace in whole minutes"
    smaller = TimeWindows.of_size_and_grace(5 * MINUTE, w.grace_period_ms() - MINUTE).advance_by(MINUTE) \
        if w.grace_period_ms() >= MINUTE else None
    if smaller is not None:
        r2 = window_run(smaller, late_click_log())
        if not any(r["dropped"] for r in r2.records if r["ts"] in MODERATE):
            return (f"{w.grace_period_ms() // MINUTE} min works but is not the smallest: every minute of grace delays "
                    "final results (suppress) and keeps windows in the store that much longer")
    return None


exercise(
    "grace_for_late_clicks",
    hints=["A window accepts a record until stream time reaches window end + grace.",
           ("For each late click: its earliest window ends at the next whole minute after it; how far is stream "
           "time past that end when the click arrives?"),
           "The 12:05:10 click arrives at stream time 12:07:12: its earliest window ended at 12:06:00."],
    solution="TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(2))"
             ".advance_by(Duration.of_minutes(1)): the 12:05:10 click arrives 72 s after its earliest window "
             "[12:01, 12:06) ended, so 1 minute is not enough and 2 are; the 11:50 click's last window ended at "
             "11:55, 15 minutes before it arrived, so it is still dropped.",
    why="grace is measured from the window end to stream time, not from the record's own timestamp",
)(_grace_verdict)


# ---------------------------------------------------------------------------------------------
# 3. Build the final-results topology
# ---------------------------------------------------------------------------------------------

PAGES = ("/home", "/search", "/product", "/cart")
FINAL_KS = WindowedSerdes.time_windowed_serde_from(Serdes.String(), MINUTE)


def random_clicks(seed: int, n: int = 60, spread_min: int = 6) -> list:
    """``[(user, click, ts)]`` a little out of order, then one click far ahead that closes every window."""
    rng = random.Random(seed)
    out = []
    t = NOON
    for _ in range(n):
        t += rng.randrange(0, spread_min * MINUTE // n * 2)
        jitter = rng.choice((0, 0, 0, -rng.randrange(1, 20_000)))
        out.append((f"u_{rng.randrange(5)}", {"page": rng.choice(PAGES)}, max(NOON, t + jitter)))
    out.append(("u_0", {"page": "/home"}, t + 10 * MINUTE))
    return out


def expected_final_counts(clicks) -> dict:
    """Brute force: clicks per (page, 1-minute window), for windows closed by the last click, none late."""
    stream = -1
    counts: dict = {}
    for _u, c, ts in clicks:
        stream = max(stream, ts)
        start = ts // MINUTE * MINUTE
        if start + MINUTE > stream:  # grace 0: counted only while the window is open
            counts[(c["page"], start)] = counts.get((c["page"], start), 0) + 1
    last = clicks[-1][2]
    return {k: v for k, v in counts.items() if k[1] + MINUTE <= last}


def _takes_builder(fn) -> bool:
    from ..ecosystem.streams.processors import arity

    return callable(fn) and arity(fn) == 1


def _build_topology(build):
    b = StreamsBuilder()
    result = build(b)
    return result if result is not None and hasattr(result, "describe") else b.build()


def _final_verdict(build) -> str | None:
    if not _takes_builder(build):
        return "answer with a function build(builder) that adds the topology to the StreamsBuilder it is given"
    for seed in (1, 2, 3):
        clicks = random_clicks(seed)
        topology = _build_topology(build)
        if "page-counts" not in str(topology.describe()):
            return "the topology must write to the topic page-counts"
        d = TopologyTestDriver(topology, {"application.id": "final-counts"})
        inp = d.create_input_topic("clicks", S, JsonSerde())
        for u, c, ts in clicks:
            inp.pipe_input(u, c, ts)
        out = d.create_output_topic("page-counts", FINAL_KS, L).read_records_to_list()
        want = expected_final_counts(clicks)
        if not out:
            return ("nothing reached page-counts before the test's last click, ten minutes on: a window's final "
                    "result waits for window end + grace (TimeWindows.of has 24 h of grace)")
        keys = [(r.key.key, r.key.window.start) for r in out]
        if any(k not in want for k in keys) and not any(k[0] in PAGES for k in keys):
            return "the windows are keyed by user id, not by page: group by the click's page first"
        if any(r.key.window.end - r.key.window.start != MINUTE for r in out):
            return "the windows must be 1-minute tumbling windows"
        if len(keys) != len(set(keys)):
            return (f"page-counts has {len(out)} records for {len(set(keys))} windows: every update is emitted; "
                    "suppress(Suppressed.until_window_closes(...)) keeps only each window's final count")
        got = {(r.key.key, r.key.window.start): r.value for r in out}
        if got != want:
            wrong = min(k for k in set(got) | set(want) if got.get(k) != want.get(k))
            return (f"window [{hhmm(wrong[1])}, {hhmm(wrong[1] + MINUTE)}) of {wrong[0]}: {got.get(wrong)} instead of "
                    f"{want.get(wrong)} clicks (grace 0: a click counts only while its window is open)")
    return None


exercise(
    "final_counts_topology",
    hints=["Count by page, not by user: the key has to change before the windowed count.",
           "1-minute tumbling windows with no grace: TimeWindows.of_size_with_no_grace(...).",
           ("count() emits every update; suppress(Suppressed.until_window_closes(BufferConfig.unbounded())) emits "
           "each window once, when stream time passes its end.")],
    solution="def build(b):\n    (b.stream('clicks', Consumed.with_(Serdes.String(), JsonSerde()))\n"
             "      .group_by(lambda user, click: click['page'], Grouped.with_(Serdes.String(), JsonSerde()))\n"
             "      .windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_minutes(1)))\n"
             "      .count()\n      .suppress(Suppressed.until_window_closes(BufferConfig.unbounded()))\n"
             "      .to_stream().to('page-counts'))\n"
             "group_by repartitions by page, the windowed count keeps every window's count, and suppress holds "
             "each window's updates until stream time reaches its end plus the grace.",
    why="final results need a window that closes (a grace) and a suppression buffer",
)(_final_verdict)


# ---------------------------------------------------------------------------------------------
# 4. Fix the co-partitioning
# ---------------------------------------------------------------------------------------------

COPARTITION_PARTITIONS = {"clicks": 6, "user-profiles": 3, "clicks-per-user-5m-output": 3}


def _copartition_verdict(build) -> str | None:
    if not _takes_builder(build):
        return "answer with a function build(builder) that adds the topology to the StreamsBuilder it is given"
    clicks, profiles = clicks_and_profiles(minutes=6, seed=11)
    topology_fn = lambda: _build_topology(build)
    run = run_app(topology_fn, {"clicks": clicks, "user-profiles": profiles}, partitions=COPARTITION_PARTITIONS,
                  run_ms=90_000, seed=8)
    app = run.apps[0]
    if app.last_error is not None:
        msg = str(app.last_error)
        if "not co-partitioned" in msg:
            itb = _build_topology(build).internal
            direct = any(f.kind == "processor" and "JOIN" in n and any(
                itb.node_factories[p].kind == "source" and "clicks" in itb.node_factories[p].topics
                for p in f.predecessors) for n, f in itb.node_factories.items())
            if direct:
                return ("the app still dies with 'Topics not co-partitioned': the clicks reach the join straight from "
                        "their 6-partition topic while user-profiles has 3")
            return ("still 'Topics not co-partitioned': an operation that keeps the key (map_values, filter, peek) "
                    "does not repartition, so the join still reads the 6 partitions of clicks")
        if "Failed to initialize key serdes for sink node" in msg:
            return ("the repartition topic's sink has no key serde: repartition() does not inherit the stream's key "
                    "serde (KStreamImpl.doRepartition passes Repartitioned's own), so give it "
                    "Repartitioned.with_(Serdes.String(), JsonSerde())")
        if "doesn't match number of partitions" in msg:
            return ("the repartition topic must have as many partitions as user-profiles (3), or none set: "
                    + msg.removeprefix("Invalid topology: "))
        return f"the app died: {type(app.last_error).__name__}: {msg[:160]}"
    ws = windowed_serde()
    got = {}
    for k, v, *_ in run.outputs.get("clicks-per-user-5m-output", []):
        got[ws.deserialize(None, k)] = L.deserialize(None, v)
    _, outs = drive(guide_topology(), {"clicks": clicks, "user-profiles": profiles},
                    output_serdes={"clicks-per-user-5m-output": (ws, L)})
    want = {}
    for r in outs["clicks-per-user-5m-output"]:
        want[r.key] = r.value
    if not got:
        return "the app runs but writes nothing to clicks-per-user-5m-output"
    if got != want:
        diff = sorted(set(got) ^ set(want)) or sorted(k for k in got if got[k] != want.get(k))
        return (f"the counts differ from the guide's for {len(diff)} window(s): keep the join and the 5-minute "
                "hopping count, and change only how the clicks reach the join")
    return None


exercise(
    "copartition_fix",
    hints=["A stream-table join reads partition p of both topics in one task: both need the same partition count.",
           "You may not change the topics, but Kafka Streams can write the clicks to a topic of its own first.",
           ("clicks.repartition() before the join: Kafka sizes a repartition topic that is joined like the other "
           "side (or give it Repartitioned.with_number_of_partitions_(3)).")],
    solution="clicks = b.stream('clicks', ...).repartition(); then the guide's join and count. The repartition "
             "topic (<application.id>-KSTREAM-REPARTITION-...-repartition) is co-partitioned with user-profiles, so "
             "Kafka gives it 3 partitions; partition p of it meets partition p of user-profiles in task 0_p. A "
             "GlobalKTable for the profiles works too, at the price of every instance holding all profiles.",
    why="a join needs co-partitioned inputs; a repartition topic makes them so",
)(_copartition_verdict)


# ---------------------------------------------------------------------------------------------
# 5. See every update
# ---------------------------------------------------------------------------------------------

def bursty_counts(config: dict, seed: int = 4) -> dict:
    """5 keys, bursts of 50 records every 2 s for 20 s, counted by key; what reached the output."""
    def topology():
        b = StreamsBuilder()
        (b.stream("events", Consumed.with_(S, S)).group_by_key().count().to_stream()
         .to("counts", Produced.with_(S, L)))
        return b.build()

    recs = []
    for burst in range(10):
        for i in range(50):
            recs.append((f"k{i % 5}", "e", NOON + burst * 2000 + i))
    run = run_app(topology, {"events": recs}, props=config, output_serdes={"events": (S, S)}, time_scale=1.0,
                  run_ms=60_000, seed=seed, application_id="dashboard")
    outs = run.outputs["counts"]
    final = {}
    for k, v, *_ in outs:
        final[S.deserialize(None, k)] = L.deserialize(None, v)
    return {"records": len(recs), "updates": len(outs), "final": final, "error": run.apps[0].last_error}


def _every_update_verdict(config) -> str | None:
    if not isinstance(config, dict):
        return "answer with a dict of Kafka Streams settings"
    try:
        out = bursty_counts(config)
    except Exception as exc:  # noqa: BLE001 - a config Kafka rejects is an answer to explain
        return f"Kafka Streams rejects it: {type(exc).__name__}: {exc}"
    if out["error"] is not None:
        return f"the app died: {out['error']}"
    if out["final"] != {f"k{i}": 100 for i in range(5)}:
        return "the final counts are wrong"
    if out["updates"] < out["records"]:
        hint = ("a shorter commit.interval.ms flushes more often, but records that arrive together are still merged "
                "in the cache between two flushes") if "commit.interval.ms" in config else \
            "the record cache keeps only the latest update of a key until the next flush"
        return f"{out['updates']} updates reached the output for {out['records']} records: {hint}"
    return None


exercise(
    "see_every_update",
    hints=["Where do updates wait before they are sent downstream, and when is it emptied?",
           "The record cache (statestore.cache.max.bytes, 10 MB) is flushed at every commit (commit.interval.ms).",
           "A shorter commit interval is not enough when many updates of one key arrive in one poll."],
    solution="{'statestore.cache.max.bytes': 0}: no cache, so every update of the KTable goes downstream (and to "
             "the changelog) as it happens. The default (10 MB, commit every 30 s) deliberately sends at most one "
             "update per key and commit, which is why a dashboard 'misses' intermediate counts.",
    why="caching trades intermediate updates for less traffic; the TopologyTestDriver never shows it",
)(_every_update_verdict)


# ---------------------------------------------------------------------------------------------
# 6. Predict what at-least-once counts twice
# ---------------------------------------------------------------------------------------------

def double_counted(crash_at_ms: int = 46_500) -> int:
    """Two instances count 600 words (cache off, commits every 5 s); A crashes; by how much does the sum of
    counts (B's store, after it took A's tasks over) exceed 600?"""
    run = crash_count_run("at_least_once", crash_at_ms)
    return sum(run.store("counts").values()) - len(CRASH_WORDS)


def _explain_double(predicted, actual) -> str | None:
    if not isinstance(predicted, int) or isinstance(predicted, bool):
        return "predict a whole number of extra counts"
    if predicted == 0:
        return ("under at-least-once the records A processed after its last commit are processed again by B, and "
                "their updates had already reached the changelog B restored: they count twice")
    if predicted < 0:
        return "nothing is lost: B restores A's stores from the changelogs and re-reads from A's last commit"
    if predicted > 100:
        return "only records processed since A's last commit (commits every 5 s) can count twice, not the backlog"
    return None


exercise(
    "predict_double_count",
    hints=["Which records does B process again after the take-over?",
           ("Those A processed after its last commit; with the cache off, their updates were already in the "
           "changelog when A died.")],
    solution="The run's number (the trace's streams.crash event says how many updates A had logged since its last "
             "commit): B restores every changelog record, then re-processes from A's last committed offset, so each "
             "update logged after that commit is applied twice. exactly_once_v2 commits the changelog writes and "
             "the offsets in one transaction, so a crash aborts both.",
    why="at-least-once repeats work after a crash; the changelog remembers the first attempt",
)(Prediction(double_counted, _explain_double))


__all__ = ["bursty_counts", "double_counted", "expected_final_counts", "hopping_windows_of_click", "late_click_log",
           "random_clicks"]
