# %% [markdown]
# # 05 · Consumer groups, offsets and rebalancing
#
# **Goals.** By the end you can
# - explain queue and pub-sub semantics on one log: one group of M consumers versus N groups;
# - trace a rebalance the way Kafka really runs it — coordinator, generations, heartbeats — and say which
#   partitions move, and why member-id order (not adjacency) decides who gets them;
# - compare eager, cooperative and KIP-848 rebalancing by how long each partition stops;
# - write an at-least-once consumer that survives a failed write and a crash, and make the sink idempotent;
# - say what `max.poll.interval.ms` protects, and read `__consumer_offsets` and consumer lag.
#
# Every consumer below runs the real group protocol against the simulated Kafka 4.x cluster: JoinGroup and
# SyncGroup to the group's coordinator, heartbeats, session timeouts, offsets committed as records.
# Time is virtual; every run replays from its seed.

# %%
import pandas as pd

from kafkalab import viz
from kafkalab.exercises import check, hint, predict, reveal, solution
from kafkalab.exercises.nb05 import slow_batches
from kafkalab.groups.assignors import cooperative_rebalance
from kafkalab.groups.coordinator import coordinator_partition
from kafkalab.group_lab import SinkDown, group_run, sink_run

# %% [markdown]
# ## 1. Queue and pub-sub on one log
# Two groups, `order-pipeline-1` and `order-pipeline-2`, of three consumers each read one 6-partition topic.
# Inside a group each partition has exactly one reader (a queue); each group reads everything (pub-sub).

# %%
fan = group_run(3, 6, strategy="range", groups=2, run_ms=15_000, records_per_partition=10)
pd.DataFrame([(c.split("/")[0], c.split("/")[1], sorted({p for p, _ in got}), len(got))
              for c, got in fan.received.items()],
             columns=["group", "consumer", "partitions", "records read"])

# %% [markdown]
# Each group read all 60 backlog records plus the live ones, split three ways inside the group. The
# groups do not interfere: each keeps its own committed offsets in `__consumer_offsets`.
#
# ## 2. The study guide's rebalance, run for real
# The guide: four consumers C1..C4 share the 8-partition `orders` topic with `cooperative-sticky`; C3 dies.
# Here C3 is killed 20 s after the four consumers have started, and the group runs on for a minute. Times
# below are the virtual clock, which also counts the cluster's start-up before the consumers:

# %%
coop = group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000, run_ms=80_000)
started = coop.crash_ms - 20_000
print(f"consumers started at {started / 1000:.1f} s of virtual time; C3 killed at {coop.crash_ms / 1000:.1f} s")
before, after = coop.assignment(coop.crash_ms), coop.assignment()
viz.assignment_table(before, after, dead={"C3"})

# %%
import matplotlib.pyplot as plt

viz.assignment_graph(before, after, dead={"C3"})
plt.show()

# %% [markdown]
# Two differences from the guide's table:
# - **The "before" is not the guide's.** A fresh sticky assignment deals partitions round-robin
#   (C1 gets P0, P4, …); `C1: P0, P1 · C2: P2, P3 …` is what *range* gives.
# - **The timing.** Nothing happens "5 s" after the crash: the coordinator waits `session.timeout.ms`
#   (45 s) for heartbeats, then the survivors learn at their next heartbeat (every 3 s) and rejoin.

# %%
events = coop.trace.filter(["consumer.crash", "group.session_timeout", "group.generation", "group.stable"])
pd.DataFrame([(e.time_ms, e.kind, e.fields.get("generation", "")) for e in events
              if e.time_ms >= coop.crash_ms], columns=["time_ms", "event", "generation"])


# %% [markdown]
# **Member-id order decides, not adjacency.** Start from the guide's own "before" (C1: P0, P1, C2: P2, P3,
# C4: P6, P7 survive). The freed P4 and P5 go, lowest first, to the members below the new quota *in
# member-id order*. A member id is `client.id` + `-` + a random UUID, made by the coordinator:

# %%
def survivors_get(member_ids):
    members = {member_ids[c]: {"topics": ["orders"], "owned": {"orders": ps}, "generation": 3}
               for c, ps in {"C1": [0, 1], "C2": [2, 3], "C4": [6, 7]}.items()}
    final = cooperative_rebalance({"orders": 8}, members)["final"]
    return {c: final[m].get("orders", []) for c, m in member_ids.items()}

survivors_get({"C1": "C1-5f0e", "C2": "C2-9a41", "C4": "C4-03bc"})

# %% [markdown]
# With `client.id` C1, C2, C4 the ids sort like the names and the guide's table is right. With librdkafka's
# default `client.id` (`rdkafka`) every id is `rdkafka-<uuid>`, and the UUIDs decide:

# %%
survivors_get({"C1": "rdkafka-e19b7c2d", "C2": "rdkafka-07c2a913", "C4": "rdkafka-3a41f0e8"})

# %% [markdown]
# ## 3. Eager vs cooperative vs KIP-848: who stops, and for how long
# The same crash under range (eager), cooperative-sticky, and the KIP-848 consumer protocol
# (`group.protocol=consumer`, server-side `uniform` assignor). Coloured bars: a consumer is fetching the
# partition; gaps: the partition is paused. The dashed line is the crash. To compare like with like, C3 dies 30 s
# after the start here, once every group has settled (a KIP-848 group reconciles member by member and is stable
# only after ~20 s):

# %%
runs = {"range (eager)": group_run(4, 8, strategy="range", crash="C3", crash_at_ms=30_000, run_ms=90_000),
        "cooperative-sticky": group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=30_000,
                                        run_ms=90_000),
        "KIP-848 uniform": group_run(4, 8, strategy="uniform", protocol="consumer", crash="C3", crash_at_ms=30_000,
                                     run_ms=90_000)}
for name, r in runs.items():  # every group was stable before the crash
    settled = [e.time_ms for e in r.trace.filter("group.stable") if e.time_ms < r.crash_ms]
    assert settled and r.crash_ms - settled[-1] > 5_000, name
crash_ms = runs["range (eager)"].crash_ms
viz.rebalance_timeline(list(runs.values()), "orders", since_ms=crash_ms - 5_000, titles=list(runs))
plt.show()

# %%
viz.pause_table(runs)

# %% [markdown]
# Paused milliseconds per partition after the crash. The dead member's partitions stop ~45 s in *every*
# protocol — that is `session.timeout.ms`, and only a clean `close()` (LeaveGroup) avoids it. Eager
# rebalancing also stops **every other** partition: each survivor revokes everything before it rejoins
# (brief here, because no consumer was in the middle of a slow batch). Cooperative and KIP-848 members
# keep fetching what they keep.
#
# **What is really the default?** The guide says cooperative-sticky is the default in 4.x. It is not:

# %%
from kafkalab.config import validate_client_config

validate_client_config({"group.id": "g"}, "consumer")["partition.assignment.strategy"]


# %% [markdown]
# - librdkafka (confluent-kafka): `range,roundrobin` — both eager.
# - Java client 4.x: `[RangeAssignor, CooperativeStickyAssignor]`; the group picks the first protocol every
#   member supports, so it runs **range** until you remove it from the list.
# - The KIP-848 protocol is GA in Kafka 4.0 but opt-in (`group.protocol=consumer`); its server-side default
#   assignor is `uniform`.
#
# ## 4. At-least-once into a warehouse
# A loader reads orders and writes them to a slow warehouse (2 s per write). Write #3 fails (HTTP 503),
# the process dies *during* write #5 and *right after* write #7. First the tempting version: commit as
# soon as the batch is polled, then write.

# %%
def commit_then_write(consumer, warehouse):
    msgs = [m for m in consumer.consume(100, timeout=1.0) if m.error() is None]
    if msgs:
        consumer.commit(asynchronous=False)
        warehouse.write(msgs)

at_most_once = sink_run(commit_then_write, {"enable.auto.commit": False})
pd.DataFrame(at_most_once.warehouse.log, columns=["time_ms", "write", "outcome", "records"])

# %% [markdown]
# The history checker compares every record in the topic with what reached the warehouse:

# %%
at_most_once.anomalies[["kind", "key", "partition", "offset"]].head(8)


# %% [markdown]
# Records committed before the write succeeded are lost for good: a failed write and a crash both skip
# them (**at-most-once**). The same loop with librdkafka's defaults and no explicit commit is no better:
# auto-commit commits the offsets `poll()` *returned* (`enable.auto.offset.store`), processed or not.

# %%
def write_only(consumer, warehouse):
    msgs = [m for m in consumer.consume(100, timeout=1.0) if m.error() is None]
    if msgs:
        warehouse.write(msgs)

auto = sink_run(write_only, {})
auto.anomalies.attrs["lost"], auto.anomalies.attrs["duplicate"]

# %% [markdown]
# Exercise 3 asks for the loop that loses nothing. Its price is duplicates: a crash *after* a write and
# *before* the commit re-delivers that batch. That is why the sink must be idempotent (exercise 4).
#
# ## 5. More consumers than partitions
# Ten consumers, eight partitions: two members get nothing and sit idle (hot standbys, at best). Which two?
# Range sorts member ids as Java strings, so `C10-…` comes before `C2-…`: C8 and C9 are left out, not C10.

# %%
big = group_run(10, 8, strategy="range", run_ms=15_000)
{c: ps for c, ps in big.assignment().items() if not ps}

# %% [markdown]
# ## 6. `max.poll.interval.ms`: the slow consumer is kicked out
# A consumer spends 400 s on each batch (a nightly load) while another member of its group keeps polling.
# Its heartbeats are fine — they come from a background thread — but after 300 s without `poll()` it leaves
# the group. Its commit then fails, and its next `poll()` returns the error librdkafka reports:

# %%
slow = slow_batches({})
slow["errors"][:1], slow["commit_errors"][:1], slow["lost"][:1]

# %% [markdown]
# ## 7. Inside `__consumer_offsets`, and lag
# Commits are records in the compacted topic `__consumer_offsets`, in the partition of the group's
# coordinator: `abs(hash("order-pipeline")) % 50` with Java's `String.hashCode`.

# %%
part = coordinator_partition("order-pipeline")
offsets = viz.offsets_topic_table(coop.cluster, "order-pipeline")
part, offsets.groupby("type").size().to_dict()

# %%
offsets[offsets.type == "OffsetCommit"].tail(4)

# %%
viz.lag_table(coop.cluster, "order-pipeline", "orders")

# %% [markdown]
# ### What would your dashboard have shown?
# Lag over the whole run of section 2, as an operator graphs it. The consumers' own `records-lag-max` (a client JMX
# metric) covers the partitions they *fetch*: dead C3 publishes nothing, and the live members are caught up. The
# group's committed-offset lag — what `kafka-consumer-groups.sh --describe` prints and lag exporters scrape from
# the brokers — grows on C3's partitions until the survivors take them over:

# %%
viz.lag_timeline(coop)
plt.show()

# %%
viz.metrics_delta(coop, names=["records-lag-max", "consumer group lag"])

# %%
viz.lag_heatmap(fan.cluster, ["order-pipeline-1", "order-pipeline-2"], "orders")
plt.show()

# %% [markdown]
# ## 8. The rebalance lab
# Change the group size, the partitions, the assignor or protocol, and who dies. Each change re-runs the
# group from the same seed. Try: 10 consumers; `range (eager, librdkafka default)` vs `cooperative-sticky`; nobody killed.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.groups import group_lab

group_lab(consumers=4, partitions=8, protocol="cooperative-sticky", crash="C3")

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — predict, then run: who gets the dead member's partitions?
# Five consumers C1..C5 (client ids) start together on a 10-partition topic with `cooperative-sticky`;
# C2 is killed. Predict the settled assignment as `{consumer: [partitions]}` and record it **before**
# running the cell after it.

# %% tags=["exercise"]
guess = None
### BEGIN SOLUTION
guess = {"C1": [0, 1, 5], "C3": [2, 6, 7], "C4": [3, 8], "C5": [4, 9]}
### END SOLUTION
predict("predict_after_crash", guess)

# %%
reveal("predict_after_crash")  # from here on the answer is on the page: the guess above is final
five = group_run(5, 10, strategy="cooperative-sticky", crash="C2", crash_at_ms=20_000, run_ms=80_000)
five.assignment()

# %% tags=["check"]
check("predict_after_crash")

# %% [markdown]
# ### Exercise 2 — predict, then run: how many partitions stop?
# Six consumers on 12 partitions; C2 is killed. Predict `(partitions that stop at least once under range,
# partitions that stop at least once under cooperative-sticky)`.

# %% tags=["exercise"]
paused = None
### BEGIN SOLUTION
paused = (12, 2)
### END SOLUTION
predict("predict_paused_partitions", paused)

# %%
reveal("predict_paused_partitions")  # from here on the answer is on the page: the guess above is final
six = {s: group_run(6, 12, strategy=s, crash="C2", run_ms=80_000) for s in ("range", "cooperative-sticky")}
viz.pause_table(six).set_index("partition").gt(0).sum().to_dict()

# %% tags=["check"]
check("predict_paused_partitions")

# %% [markdown]
# ### Exercise 3 — the loader that never loses a record
# Write the consumer config and `step(consumer, warehouse)`, one iteration of the loop: poll, write the
# batch with `warehouse.write(msgs)` (it may raise `SinkDown`: nothing was stored), commit. The checker runs
# it under section 4's schedule — a failed write, a crash during a write, a crash after one — restarting
# the process each time, and checks with the history checker that every record reached the warehouse.

# %% tags=["exercise"]
loader = None
### BEGIN SOLUTION
def step(consumer, warehouse):
    msgs = [m for m in consumer.consume(100, timeout=1.0) if m.error() is None]
    if not msgs:
        return
    while True:
        try:
            warehouse.write(msgs)
            break
        except SinkDown:
            continue  # nothing stored: write the same batch again
    consumer.commit(asynchronous=False)

loader = {"config": {"enable.auto.commit": False}, "step": step}
### END SOLUTION

# %% tags=["check"]
check("at_least_once_loader", loader)


# %% [markdown]
# ### Exercise 4 — make re-delivery harmless
# Your loader delivers some batches twice. Write `upsert(table, value)`: `value` is a JSON order
# (`order_id`, `version`, `amount`); `table` is the warehouse table as a dict. After the checker replays every
# row the loader wrote (duplicates included), the table must hold each order once, in its latest version.

# %% tags=["exercise"]
def upsert(table, value):
    pass
### BEGIN SOLUTION
import json


def upsert(table, value):
    row = json.loads(value)
    table[row["order_id"]] = row
### END SOLUTION


# %% tags=["check"]
check("idempotent_upsert", upsert)

# %% [markdown]
# ### Exercise 5 — survive the 400-second batches
# Section 6's consumer needs 400 s per batch and must stay in its group. Give the consumer settings
# (a dict) that make it work, without letting a really hung consumer hold its partitions for hours.

# %% tags=["exercise"]
settings = None
### BEGIN SOLUTION
settings = {"max.poll.interval.ms": 480_000}
### END SOLUTION

# %% tags=["check"]
check("survive_slow_batches", settings)

# %% [markdown]
# ## Summary
# - A group shares partitions (queue); groups are independent (pub-sub); members beyond the partition count idle.
# - The coordinator is the leader of `__consumer_offsets` partition `abs(hashCode(group.id)) % 50`. A crash is
#   noticed after `session.timeout.ms`; a clean `close()` rebalances at once.
# - Eager assignors stop every partition on every rebalance; cooperative-sticky and KIP-848 stop only what
#   moves. Neither is the client default: librdkafka uses `range,roundrobin`, Java `[range, cooperative-sticky]`.
# - Which survivor gets a freed partition follows member-id order (`client.id-uuid`), not the picture.
# - Commit after the side effect: at-least-once, with duplicates on restart; make the sink an upsert.
#   Auto-commit commits what `poll()` returned, processed or not.
# - `max.poll.interval.ms` bounds the time between polls; heartbeats alone do not keep a busy consumer in.
#
# Stuck? `hint("at_least_once_loader")` gives the next hint; after a first try, `solution(...)` explains.
