# %% [markdown]
# # 08 · Kafka Streams: topology, state, windows, joins
#
# **Goals.** By the end you can
# - write the guide's clicks × profiles application with the Streams DSL, read its `describe()` like Kafka prints
#   it, and say which topics and stores it needs;
# - predict which windows a record lands in, and choose a grace period so late records count (or not);
# - explain repartition topics, co-partitioning, and the error Kafka gives when it is missing;
# - explain why a running application emits fewer updates than the `TopologyTestDriver` (caching and
#   `commit.interval.ms`), and what at-least-once counts twice after a crash;
# - argue Streams or Flink from trade-offs you have seen: state size, event-time features, deployment.
#
# Everything below is the kit's model of Kafka Streams with Kafka's names (the Java DSL in snake_case): it runs
# as consumer-group members and producers on the simulated cluster, or record by record in a
# `TopologyTestDriver`. Time is virtual; every run replays from its seed.

# %%
import warnings

import matplotlib.pyplot as plt
import pandas as pd

from kafkalab.ecosystem.streams import (
    BufferConfig,
    Consumed,
    Duration,
    Grouped,
    Joined,
    JsonSerde,
    Materialized,
    Produced,
    Repartitioned,
    Serdes,
    SessionWindows,
    SlidingWindows,
    StreamsBuilder,
    Suppressed,
    TimeWindows,
    TopologyTestDriver,
)
from kafkalab.ecosystem.streams.lab import (
    CRASH_PROPS,
    CRASH_WORDS,
    MINUTE,
    NOON,
    clicks_and_profiles,
    crash_count_run,
    drive,
    enrich,
    guide_topology,
    hhmm,
    run_app,
    window_run,
    windowed_serde,
)
from kafkalab.exercises import check, hint, nb08, predict, solution
from kafkalab.viz import streams as sviz

# %% [markdown]
# ## 1. The guide's application, as a topology
# The guide's Java, line for line: a stream of clicks, a table of profiles, a stream-table join, a 5-minute
# window advancing every minute, a count, and the counts written to a topic. (The guide's
# `TimeWindows.of(...)` is replaced by `of_size_with_no_grace`; see below why.)

# %%
builder = StreamsBuilder()
clicks = builder.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde()))
profiles = builder.table("user-profiles", Consumed.with_(Serdes.String(), JsonSerde()))
enriched = clicks.join(profiles, enrich, Joined.with_(Serdes.String(), JsonSerde(), JsonSerde()))
hopping = TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1))
(enriched.group_by_key().windowed_by(hopping).count(Materialized.as_("clicks-per-user-5m"))
    .to_stream().to("clicks-per-user-5m-output"))
topology = builder.build()
print(topology.describe())

# %% [markdown]
# That is the text Kafka prints for this topology, character for character (the kit's tests compare
# `describe()` with the expected texts of Kafka's own test suite). How to read it:
# - **One sub-topology**: nothing changes the key, so no repartition topic is needed. It runs as one **task**
#   per input partition (`0_0`, `0_1`, …), each with its own copy of both stores.
# - Names come from one counter: `KSTREAM-SOURCE-0000000000`, the table's store `user-profiles-STATE-STORE-0000000001`,
#   its source `KSTREAM-SOURCE-0000000002`, … The join node lists the table's store: it reads it, it has no edge to it.
# - The table is materialized only because the join needs it; each store gets a compacted changelog topic.

# %%
sviz.topology_graph(topology, "clicks-app")
plt.show()

# %% [markdown]
# **The guide's `TimeWindows.of(Duration.ofMinutes(5))` no longer exists**: Kafka 3.0 deprecated it (KIP-633) and
# 4.0 removed it. Its hidden cost was the grace period it chose:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = TimeWindows.of(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1))
print(caught[0].message)
print(f"grace of TimeWindows.of(5 min): {old.grace_period_ms() / 3_600_000:.2f} h;",
      f"of_size_with_no_grace: {hopping.grace_period_ms()} ms")

# %% [markdown]
# ## 2. Run it: the output "table"
# Clicks of two users between 12:00 and 12:10 (u_42 busy, u_99 not); u_42's profile changes from silver to gold
# at 12:05. The application runs as one instance on a 3-broker cluster; the inputs are produced at their event
# times (ten minutes in one of virtual time).

# %%
clicks_log, profiles_log = clicks_and_profiles()
upgrade_ms = profiles_log[-1][2]
assert (hhmm(clicks_log[0][2])[:4], hhmm(clicks_log[-1][2])[:4], hhmm(upgrade_ms)) == ("12:0", "12:0", "12:05")
assert profiles_log[-1][1]["tier"] == "gold" and len({k for k, _v, _t in clicks_log}) == 2
run = run_app(guide_topology, {"clicks": clicks_log, "user-profiles": profiles_log}, run_ms=120_000)
ws = windowed_serde()
output = run.outputs["clicks-per-user-5m-output"]
table = sviz.window_counts_table(output, ws, Serdes.Long(), time_fmt=hhmm)
table.head(7)

# %%
print(f"{len(output)} records on clicks-per-user-5m-output for {len(table)} windows;",
      f"the first click ({hhmm(clicks_log[0][2])}) is in windows starting {table.window_start.iloc[0]}",
      f"to {hhmm(clicks_log[0][2] // MINUTE * MINUTE)}")

# %% [markdown]
# Where the guide's output table cannot be what Kafka writes:
# - **It is a stream of updates, not a table.** Each record is the latest count of one window at some moment;
#   above is the *last* record per window. How many updates you get depends on caching (section 5).
# - **The window end is not in the record.** The key is the user id plus the window *start* (8 bytes); the
#   deserializer adds the end from the window size you give it (`WindowedSerdes.time_windowed_serde_from`).
# - **Windows start before the first click.** Hopping windows that began at 11:56 already contain a 12:00 click,
#   so a "12:00–12:05 is the first row" table leaves out four windows per user.
# - **Nothing says a count is final.** With the guide's `TimeWindows.of`, a window stays open for a day; only
#   `suppress(...)` (section 7) emits one final count per window.
#
# **"Enriched with the profile at the time of the join"** means: as the table is when the click is processed.
# Tasks process records in timestamp order across their partitions, so the upgrade at 12:05 splits the clicks:

# %%
b = StreamsBuilder()
b.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde())).join(
    b.table("user-profiles", Consumed.with_(Serdes.String(), JsonSerde())), enrich).to(
    "enriched", Produced.with_(Serdes.String(), JsonSerde()))
_, joined = drive(b.build(), {"clicks": clicks_log, "user-profiles": profiles_log},
                  output_serdes={"enriched": (Serdes.String(), JsonSerde())})
tiers = pd.DataFrame([(r.key, hhmm(r.timestamp), r.value["tier"]) for r in joined["enriched"]],
                     columns=["user_id", "clicked", "tier"])
tiers[tiers.user_id == "u_42"].groupby("tier").clicked.agg(["min", "max", "count"])

# %% [markdown]
# ## 3. Windows: which ones, and how late is too late
# A window `[start, start + size)` with starts every `advance`: a record is in every window that contains it.
# **Predict** the windows (their start, `"HH:MM"`) of a click at 12:03:30, for the guide's 5-minute windows
# advancing by 1 minute.

# %% tags=["exercise"]
starts = None
### BEGIN SOLUTION
starts = ["11:59", "12:00", "12:01", "12:02", "12:03"]
### END SOLUTION
predict("predict_hopping_windows", starts)

# %%
nb08.hopping_windows_of_click()

# %% tags=["check"]
check("predict_hopping_windows")

# %% [markdown]
# **Stream time and grace.** Each windowed operator keeps its *stream time*: the largest timestamp it has seen.
# A window accepts records until stream time reaches `window end + grace`; a record for a closed window is
# dropped and counted by the task's `dropped-records` sensor, once per window it missed. A record 7 minutes
# late, after a 12:10 click:

# %%
late_log = [NOON, NOON + 10 * MINUTE, NOON + 3 * MINUTE]  # 12:00, 12:10, then 12:03
for name, w in (("no grace", hopping), ("TimeWindows.of", old),
                ("10 min grace", TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(10))
                 .advance_by(Duration.of_minutes(1)))):
    r = window_run(w, late_log)
    print(f"{name:>15}: the 12:03 click counted in {len(r.records[2]['counted'])} windows, dropped from "
          f"{len(r.records[2]['dropped'])}")

# %% [markdown]
# The explorer: change the window kind, size, advance and grace, and how late the last click is. Every change
# re-runs the count in a `TopologyTestDriver`. Try: grace 0 and 3 minutes late; `sliding` and `session`;
# the old `TimeWindows.of`.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.streams import window_explorer

window_explorer(kind="hopping", size_min=5, advance_min=1, grace_min=1, late_by_min=3)

# %% [markdown]
# Sliding windows (`[t - d, t]` around records) and session windows (closed by a gap of inactivity) over the
# same clicks, for comparison:

# %%
explorer_clicks = [NOON + int(m * MINUTE) for m in (0.2, 1.1, 1.9, 3.4, 4.6, 6.2, 7.5, 8.3, 9.6)]
for w in (SlidingWindows.of_time_difference_with_no_grace(Duration.of_minutes(2)),
          SessionWindows.of_inactivity_gap_with_no_grace(Duration.of_minutes(1))):
    r = window_run(w, explorer_clicks)
    print(type(w).__name__, [f"{hhmm(s, True)}–{hhmm(e, True)}: {c}" for _k, s, e, c in r.windows][:5])

# %% [markdown]
# ### Exercise — choose the grace
# The dashboard counts clicks in 5-minute windows advancing by 1 minute. Two clicks arrive late (by about 40 s
# and 2 minutes) and must be counted in all their windows; one arrives 20 minutes late and must be dropped. Use
# the **smallest** grace, in whole minutes. (`nb08.late_click_log()` has the arrivals.)

# %% tags=["exercise"]
dashboard_windows = None
### BEGIN SOLUTION
dashboard_windows = TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(2)).advance_by(
    Duration.of_minutes(1))
### END SOLUTION

# %% tags=["check"]
check("grace_for_late_clicks", dashboard_windows)

# %% [markdown]
# ## 4. Repartitioning and co-partitioning
# A task holds partition *p* of every topic its sub-topology reads. Change the key and group by it (word count),
# and the records must first move to the partition of their new key: Kafka Streams writes them to a
# **repartition topic**, `<application.id>-<name>-repartition`, and a second sub-topology reads it.

# %%
wc = StreamsBuilder()
(wc.stream("words", Consumed.with_(Serdes.String(), Serdes.String())).flat_map_values(str.split)
   .group_by(lambda k, word: word, Grouped.with_(Serdes.String(), Serdes.String()))
   .count(Materialized.as_("counts")).to_stream().to("counts-out", Produced.with_(Serdes.String(), Serdes.Long())))
wc_topology = wc.build()
sviz.topology_graph(wc_topology, "wc")
plt.show()

# %%
lines = [(None, "to be or not to be", 1000 + 500 * i) for i in range(20)]
wc_run = run_app(lambda: wc_topology, {"words": lines}, partitions={"words": 4}, application_id="wc",
                 output_serdes={"words": (Serdes.String(), Serdes.String())})
pd.DataFrame([(t, len(wc_run.cluster.describe(t).partitions), wc_run.cluster.topic_config(t)["cleanup.policy"])
              for t in sorted(wc_run.cluster.topics()) if t.startswith("wc-")],
             columns=["internal topic", "partitions", "cleanup.policy"])

# %% [markdown]
# A join reads partition *p* of both inputs in the same task, so both need the same number of partitions
# (**co-partitioning**) and the same partitioner. Kafka cannot check that when you build the topology — it does not
# know the topics yet — so the mistake shows when the application's group rebalances: the stream thread dies and
# the instance goes to `ERROR`.

# %%
broken = run_app(guide_topology, {"clicks": clicks_log, "user-profiles": profiles_log},
                 partitions={"clicks": 6, "user-profiles": 3}, run_ms=10_000)
print(broken.apps[0].state().value, "-", type(broken.apps[0].last_error).__name__)
print(broken.apps[0].last_error)


# %% [markdown]
# ### Exercise — make the join work without touching the topics
# `clicks` has 6 partitions, `user-profiles` 3. Write `build(builder)` with the guide's join and hopping count
# (same store and output names) that runs on these topics.

# %% tags=["exercise"]
def build_copartitioned(b):
    pass
### BEGIN SOLUTION
def build_copartitioned(b):
    clicks = b.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde())).repartition(
        Repartitioned.with_(Serdes.String(), JsonSerde()))
    profiles = b.table("user-profiles", Consumed.with_(Serdes.String(), JsonSerde()))
    (clicks.join(profiles, enrich, Joined.with_(Serdes.String(), JsonSerde(), JsonSerde())).group_by_key()
        .windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1)))
        .count(Materialized.as_("clicks-per-user-5m")).to_stream().to("clicks-per-user-5m-output"))
### END SOLUTION


# %% tags=["check"]
check("copartition_fix", build_copartitioned)


# %% [markdown]
# ## 5. State, caches and commits: "why do I see fewer updates?"
# A `count()` keeps its table in a state store. The store writes through a **record cache**
# (`statestore.cache.max.bytes`, 10 MB per instance): an update of a key replaces the previous one in the cache,
# and only the cache's **flush** — at every commit (`commit.interval.ms`, 30 s) or when it is full — sends the
# latest value downstream and to the changelog. The `TopologyTestDriver` commits after every record, so tests
# show every update; production does not. The same 600 records, counted by 5 keys, two ways:

# %%
def key_count():
    kb = StreamsBuilder()
    (kb.stream("words", Consumed.with_(Serdes.String(), Serdes.String())).group_by_key()
       .count(Materialized.as_("counts")).to_stream().to("counts-out", Produced.with_(Serdes.String(), Serdes.Long())))
    return kb.build()


burst = [(f"k{i % 5}", "x", NOON + 50 * i) for i in range(600)]
plain = {"words": (Serdes.String(), Serdes.String())}
cached = run_app(key_count, {"words": burst}, props={"commit.interval.ms": 10_000}, output_serdes=plain,
                 time_scale=1.0, run_ms=60_000)
uncached = run_app(key_count, {"words": burst}, props={"statestore.cache.max.bytes": 0}, output_serdes=plain,
                   time_scale=1.0, run_ms=60_000)

# %%
sviz.emits_plot({"cache 10 MB, commit every 10 s": cached.trace, "statestore.cache.max.bytes = 0": uncached.trace},
                "counts-out")
plt.show()

# %%
assert cached.store("counts") == uncached.store("counts")  # the same final counts either way
sviz.emits_table({"cached": cached.trace, "no cache": uncached.trace}, "counts-out")

# %% [markdown]
# ### Exercise — a dashboard that sees every update
# Give the settings (a dict) under which every count update reaches the output topic, bursts included.

# %% tags=["exercise"]
every_update = None
### BEGIN SOLUTION
every_update = {"statestore.cache.max.bytes": 0}
### END SOLUTION

# %% tags=["check"]
check("see_every_update", every_update)

# %% [markdown]
# ## 6. Tasks, threads, instances — and restore after a crash
# Each stream thread is one member of the consumer group named by `application.id`; the group's assignment gives it
# partitions, and so tasks. Two instances share the four tasks of a word count (cache off, commits every 5 s).
# At t = 46.5 s instance A dies: no commit, no LeaveGroup. The group notices after `session.timeout.ms` (45 s);
# B gets A's tasks and rebuilds their stores from the changelogs before it processes them.
#
# **Predict** first: after B took over, by how much does the sum of all counts exceed the 600 words?

# %% tags=["exercise"]
extra = None
### BEGIN SOLUTION
extra = 7
### END SOLUTION
predict("predict_double_count", extra)

# %%
words = CRASH_WORDS  # one word every 100 ms; two instances, 4 partitions
print(f"{len(words)} words of {len({k for k, _v, _t in words})} keys; settings {CRASH_PROPS}")
crash = crash_count_run("at_least_once", crash_at_ms=46_500)  # kafkalab.ecosystem.streams.lab: a run_app(...)
sviz.task_timeline(crash.trace)
plt.show()

# %%
sviz.restore_table(crash.trace)

# %%
died = crash.trace.filter("streams.crash")[0].fields
took_over = next(e.time_ms for e in crash.trace.filter("streams.tasks_assigned") if e.fields["restoring"])
print(f"B got A's tasks {(took_over - crash.crash_ms) / 1000:.1f} s after the crash;",
      f"it restored {sum(e.fields['restored'] for e in crash.trace.filter('streams.restore_end'))} changelog records")
print(f"sum of counts {sum(crash.store('counts').values())} for {len(words)} words;",
      f"A had processed {died['processed_since_commit']} records since its last commit,",
      f"{died['changelog_since_commit']} of their updates were already in the changelog")

# %% tags=["check"]
check("predict_double_count")

# %% [markdown]
# That is **at-least-once** (`processing.guarantee=at_least_once`, the default): the commit of the input offsets
# comes after the changelog and output writes, so a crash in between repeats the work, and the changelog
# remembers the first attempt. With the cache on, changelog writes happen only at the commit, so doubling needs a
# crash inside the commit itself — rarer, not impossible.
#
# **`exactly_once_v2`** gives each stream thread a transactional producer (`transactional.id =
# <application.id>-<process id>-<thread>`); a commit sends the input offsets into the transaction and commits it,
# so the changelog writes, the output and the offsets land together or not at all. The same crash, same schedule:

# %%
eos = crash_count_run("exactly_once_v2", crash_at_ms=46_500)
died = eos.trace.filter("streams.crash")[0].fields
txn_timeout = eos.apps[1].config.producer_config("p", "t")["transaction.timeout.ms"]
aborted = next(e for e in eos.trace.filter("txn.complete") if e.fields["result"] == "ABORT")
print(f"sum of counts {sum(eos.store('counts').values())} for {len(words)} words;",
      f"A had processed {died['processed_since_commit']} records in its open transaction",
      f"({died['changelog_since_commit']} changelog writes); the coordinator aborted it",
      f"{(aborted.time_ms - eos.crash_ms) / 1000:.1f} s after the crash (Streams' transaction.timeout.ms:",
      f"{txn_timeout / 1000:g} s)")

# %% [markdown]
# B restores only committed changelog records (`read_committed`) and reads from the offsets committed with them,
# so the aborted work is done once, by B. The price: a transaction per commit (`commit.interval.ms` drops to
# 100 ms by default), and downstream `read_committed` readers see output only once it is committed.
#
# ## 7. Final results with `suppress`
# `suppress(Suppressed.until_window_closes(...))` buffers a window's updates and emits its count once, when stream
# time passes the window's end plus the grace — so the grace decides how long a dashboard waits.

# %%
final_b = StreamsBuilder()
(final_b.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde())).group_by_key()
    .windowed_by(TimeWindows.of_size_and_grace(Duration.of_minutes(5), Duration.of_minutes(1)))
    .count().suppress(Suppressed.until_window_closes(BufferConfig.unbounded())).to_stream().to("final"))
_, finals = drive(final_b.build(), {"clicks": clicks_log},
                  output_serdes={"final": (windowed_serde(), Serdes.Long())})
print(f"{len(finals['final'])} final counts; the last click was at {hhmm(clicks_log[-1][2])}")
sviz.window_counts_table(finals["final"], time_fmt=hhmm)


# %% [markdown]
# Only windows whose end plus one minute of grace came before the last click are there: the others wait for
# stream time to move, and no later click comes.
#
# ### Exercise — final counts per page
# Write `build(builder)`: from `clicks` (key user id, JSON value with a `page`), write to `page-counts` the number
# of clicks **per page** in 1-minute tumbling windows with no grace — one record per window, its final count.

# %% tags=["exercise"]
def build_page_counts(b):
    pass
### BEGIN SOLUTION
def build_page_counts(b):
    (b.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde()))
        .group_by(lambda user, click: click["page"], Grouped.with_(Serdes.String(), JsonSerde()))
        .windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_minutes(1))).count()
        .suppress(Suppressed.until_window_closes(BufferConfig.unbounded())).to_stream().to("page-counts"))
### END SOLUTION


# %% tags=["check"]
check("final_counts_topology", build_page_counts)

# %% [markdown]
# ## 8. Testing a topology the way Streams users do
# `TopologyTestDriver` (Kafka's `kafka-streams-test-utils`) runs a topology record by record, no cluster:

# %%
with TopologyTestDriver(guide_topology(), {"application.id": "test"}) as driver:
    driver.create_input_topic("user-profiles", Serdes.String(), JsonSerde()).pipe_input("u_1", {"tier": "gold"}, 1)
    driver.create_input_topic("clicks", Serdes.String(), JsonSerde()).pipe_input("u_1", {"page": "/"}, 90_000)
    out = driver.create_output_topic("clicks-per-user-5m-output", windowed_serde(), Serdes.Long())
    print(out.read_key_values_to_list())
    print(sorted(driver.produced_topic_names()))

# %% [markdown]
# What it does not show: caching (every record is committed), partitions (one each), rebalances, restores, and
# co-partitioning errors. Those need the running application — sections 4 to 6.
#
# ## 9. Streams or Flink?
# The guide's one-liner ("Streams if state fits in-app, Flink for rich event time or huge state") in the terms
# of what the model showed:

# %%
hop_windows_per_key = hopping.size_ms // hopping.advance_ms
store_entries = len(run.store("clicks-per-user-5m"))
restore_ms = max(e.time_ms for e in crash.trace.filter("streams.restore_end")) - crash.crash_ms
stream_times = {t["task_id"]: hhmm(t["stream_time"]) for th in run.apps[0].metadata_for_local_threads()
                for t in th["active_tasks"] if t["stream_time"] > 0}
print(f"windows per key and instant: {hop_windows_per_key}; window-store entries now: {store_entries}")
print(f"crash to restored: {restore_ms / 1000:.1f} s; stream time per task: {stream_times}")

# %% [markdown]
# | | Kafka Streams (what you saw) | Apache Flink |
# |---|---|---|
# | **State size** | State lives in each instance (RocksDB) and in changelog topics; a hopping count keeps `size / advance` windows per key; a moved task restores its changelog before it runs again. Fine up to GBs per instance. | State in RocksDB checkpointed to object storage (S3); recovery reloads a checkpoint, incremental for TB-scale state. |
# | **Event time** | Stream time per operator and task (the largest timestamp seen), a grace per window, late records dropped and counted. No watermarks across partitions, no side output for late data. | Watermarks across sources, allowed lateness, side outputs for late records, event-time timers. |
# | **Deployment** | A library: threads in your application; scaling = more instances in the consumer group; a rebalance moves tasks (and restores). Kafka in, Kafka out. | A cluster (JobManager, TaskManagers); many sources and sinks; scaling by rescaling the job from a savepoint. |
# | **Guarantees** | At-least-once by default; `exactly_once_v2` with Kafka transactions, Kafka to Kafka. | Exactly-once state via checkpoints; end-to-end with transactional sinks. |
#
# ## Summary
# - The DSL builds a topology of sub-topologies; each runs as one task per input partition. `describe()` prints
#   sources, processors, sinks and stores, named from one counter.
# - A key change before a grouping or a join adds a `-repartition` topic and a sub-topology; a join needs
#   co-partitioned inputs, and Kafka says so only when the group rebalances.
# - Windows: tumbling, hopping (a record in `size / advance` windows), sliding, session. A window accepts records
#   until stream time passes its end plus the grace; `TimeWindows.of` (gone in 4.0) had 24 h of grace.
# - State stores are backed by compacted changelogs; a task that moves restores from them. The record cache and
#   `commit.interval.ms` decide how many updates go downstream; the test driver shows them all.
# - At-least-once repeats the work done since the last commit after a crash; exactly-once makes it atomic.
#
# Stuck? `hint("grace_for_late_clicks")` gives the next hint; after a first try, `solution(...)` explains.
