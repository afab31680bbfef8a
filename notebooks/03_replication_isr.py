# %% [markdown]
# # 03 · Replication, the ISR and the durability gate
#
# **Goals.** By the end you can
# - say what the high watermark (HW) and each replica's log end offset (LEO) are, and why consumers stop at the HW;
# - compute when a replica leaves the ISR in Kafka 4.x (KRaft): a *dead* broker is fenced by the controller after
#   `broker.session.timeout.ms`; a *live but lagging* follower is dropped after `replica.lag.time.max.ms`;
# - predict what `acks=all` + `min.insync.replicas` does to each write during failures, and what the producer reports;
# - show how unclean leader election loses acknowledged data, and what Eligible Leader Replicas (KIP-966) change;
# - check a configuration against random fault schedules with a history checker (Jepsen-style).
#
# Everything runs on kafkalab's simulated Kafka 4.x cluster. Time is virtual and every run is seeded, so the numbers
# below are the same on every run. The guide's section 3 is the starting point; where its tables simplify, we run the
# scenario and say what the simulator (and Kafka) really does.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from kafkalab import OFFSET_BEGINNING, TopicPartition, metrics, viz
from kafkalab import replication as rep
from kafkalab.checks import check as check_history
from kafkalab.checks import random_schedule, run_schedule, schedule_script
from kafkalab.exercises import check, hint, predict, reveal, solution
from kafkalab.exercises.nb03 import ELR_PLAN

pd.set_option("display.max_colwidth", 110)

# %% [markdown]
# ## 1. HW vs LEO: acknowledged is not yet committed
# Every replica has its own **LEO**: the offset its next record would get. The leader tracks each follower's LEO
# (a follower's fetch at offset *o* says "I have everything before *o*") and moves the **HW** to the *smallest* LEO
# in the ISR. Consumers read only below the HW.
#
# Below, B3's links to the other brokers take 2 s one way (a *slow follower*), and a producer with `acks=1` writes
# three records at t = 1 s. We look at the logs half a second later. First, predict
# `(leader LEO, leader HW, B3 LEO)`.

# %% tags=["exercise"]
guess = None
### BEGIN SOLUTION
guess = (3, 0, 0)
### END SOLUTION
predict("predict_hw", guess)

# %%
reveal("predict_hw")  # from here on the answer is on the page: the guess above is final
slow = rep.hw_example(latency_ms=2000, writes=3)
viz.offset_strip(slow.cluster, "orders", 0)
plt.show()

# %% tags=["check"]
check("predict_hw")

# %% [markdown]
# All three writes were *acknowledged* (`acks=1` answers after the leader's own append), yet the HW is 0: B3 is
# still in the ISR and has none of them. A consumer sees nothing yet — and if B1 died now, the three acknowledged
# records would be gone.

# %%
reader = slow.cluster.consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "hw-demo"})
reader.assign([TopicPartition("orders", 0, OFFSET_BEGINNING)])
reader.consume(10, timeout=0.2)

# %% [markdown]
# A few seconds later B3's fetch has gone there and back, the HW catches up, and the same consumer gets the records:

# %%
slow.cluster.run(5000)
[(m.offset(), m.value()) for m in reader.consume(10, timeout=1)]

# %% [markdown]
# ## 2. The guide's worked example, really run
# RF=3 on B1, B2, B3; `min.insync.replicas=2`; B1 leads. B3 crashes at t = 5 s; B2 has a network blip at 70 s;
# the producer (the guide's: `acks=all`, `enable.idempotence=True`, `delivery.timeout.ms=120000`) writes at
# 10, 40 and 75 s. The guide does not say how long the blip lasts; we take 10 s, during which B2 can reach nobody.

# %%
example = rep.isr_shrink_example(blip_ms=10_000)
example.timeline()

# %% [markdown]
# Read it row by row and compare with the guide's table:
#
# | t (s) | the guide says | the simulator (Kafka 4.x, KRaft) does |
# |---|---|---|
# | 5 | B3 crashes; ISR becomes {1,2} after `replica.lag.time.max.ms` | B3's heartbeats to the **controller** stop |
# | 10 | write 1 succeeds at once | write 1 is appended and *waits*: B3 is still in the ISR and `acks=all` waits for every ISR member |
# | ~14 | — | the controller **fences** B3 (silent > `broker.session.timeout.ms` = 9 s) and removes it from the ISR; write 1 is acknowledged |
# | 35 | ISR collapses to {1,2} | nothing: that already happened at ~14 s |
# | 40 | write 2 succeeds | write 2 succeeds, ISR {1,2} = `min.insync.replicas` |
# | 70–80 | B2 blip: ISR → {1} | ISR {1} only from ~78 s, when B2 has been silent 9 s |
# | 75 | write 3 fails with `NotEnoughReplicasException` | write 3 is appended and waits for B2; at ~78 s the leader answers `NOT_ENOUGH_REPLICAS_AFTER_APPEND`, the retries get `NOT_ENOUGH_REPLICAS` — both *retriable* — and once B2 is back (~80 s) the idempotent retry is acknowledged at its original offset |
#
# So the guide's "✗ at t=75" is what you would see only if the blip outlasted `delivery.timeout.ms`, and even then the
# delivery report says **`_MSG_TIMED_OUT`** (librdkafka keeps retrying `NOT_ENOUGH_REPLICAS`), not
# `NotEnoughReplicasException`. The replica graph at the end (B3 is still down: its replica is offline), then the ISR
# over time with the writes:

# %%
viz.replica_graph(example.cluster, "orders")
plt.show()

# %%
viz.isr_timeline(example)
plt.show()

# %% [markdown]
# ### What would your dashboard have shown?
# The same run as an operator sees it: the broker and controller metrics, by their JMX names, derived from the
# trace (`kafkalab.metrics`). *before* is just before B3's crash, *peak* the worst value afterwards, *after* the end.

# %%
viz.metrics_delta(example)

# %%
viz.metrics_timeseries(example)
plt.show()

# %%
seen = metrics.derive(example.trace)
urp_from = example.t(seen.first("UnderReplicatedPartitions"))
urp_from, seen.value("IsrShrinksPerSec", example.cluster.now), seen.value("IsrExpandsPerSec", example.cluster.now)

# %% [markdown]
# Three things an operator learns here. `UnderReplicatedPartitions` rises only when the controller fences B3 (the
# first value above), not at the crash: for `broker.session.timeout.ms` the dashboard is green. `IsrShrinksPerSec`
# never moves: in KRaft the *controller* took B3 (and later B2) out of the ISR, and only a leader's own
# AlterPartition counts as a shrink — B2's return does count, as an expand. And the p99 of `TotalTimeMs` for Produce
# jumps to seconds: the `acks=all` waits happen inside the broker, before it answers.

# %% [markdown]
# ### A live but lagging follower: `replica.lag.time.max.ms`
# `replica.lag.time.max.ms` (30 s) is for a follower that is *alive* — it still heartbeats the controller — but does
# not keep up. Cut only B2's link to the leader, for 25 s and then for 60 s. The leader checks every 15 s
# (half the lag time) for followers that are behind its LEO and have not caught up for 30 s.

# %%
short, long = (rep.isr_shrink_example(blip_ms=ms, blip_peers=[1]) for ms in (25_000, 60_000))
lag_rows = long.timeline()
lag_rows[lag_rows["event"].str.contains("ISR|blip|back")]

# %% [markdown]
# With 25 s the ISR never shrinks (a blip shorter than `replica.lag.time.max.ms` is invisible to the ISR); write 3
# is merely delayed. With 60 s, B2 falls behind at 75 s (write 3) and the leader's check at ~112 s drops it with an
# `AlterPartition` request; it is back ~4 ms after the link heals at 130 s.
#
# ### Exercises: the timeline

# %% [markdown]
# **Exercise 1.** Same cluster and configs, but now B3 crashes at t = **22 s** (above it crashed at 5 s). At what
# scenario time (seconds) does it leave the ISR? Reason from the configs; the checker runs it.

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = 30.0
### END SOLUTION

# %% tags=["check"]
check("fence_time", answer)

# %% [markdown]
# **Exercise 2.** The guide's example, but B2's blip lasts **20 s** (70 s to 90 s) instead of 10 s. Give the ISR at
# t = 40 s and at t = 85 s, and what the delivery report of write 3 (at 75 s) says: `"acknowledged"`, `"rejected"`
# or `"timed out"`.

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = {"isr_at_40": [1, 2], "isr_at_85": [1], "write_3": "acknowledged"}
### END SOLUTION

# %% tags=["check"]
check("guide_example", answer)

# %% [markdown]
# ## 3. The durability-tuning question: a rolling broker replacement
# The guide's fix starts with `kafka-topics.sh --alter --config`. In Kafka 4.x that fails: topic configs are
# changed with `kafka-configs.sh`.

# %%
example.cluster.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --alter --topic orders "
                    "--config min.insync.replicas=2 --config unclean.leader.election.enable=false")

# %%
example.cluster.cli("kafka-configs.sh --bootstrap-server kafka-1:9092 --alter --entity-type topics "
                    "--entity-name orders --add-config min.insync.replicas=2,unclean.leader.election.enable=false")

# %% [markdown]
# Now the replacement itself: one write a second for two minutes with `acks=all`, `min.insync.replicas=2`, while
# B3, B2 and B1 are replaced one at a time (controlled shutdown, 20 s down, restart, wait until it is back in the
# ISR, next).

# %%
rolling = rep.rolling_replacement()
rows = rolling.timeline()
pd.Series([w["result"] for w in rolling.writes]).value_counts(), len(rolling.lost())

# %%
rows[~rows["event"].str.startswith(("produce ", "delivery report"))]

# %% [markdown]
# Every write is acknowledged and none is lost: a controlled shutdown moves leadership *before* the broker stops, and
# while one broker is away the ISR has two members = `min.insync.replicas`. (The guide says the ISR is {1,2} "for
# ~30 s": it is as long as the broker is down plus the time to be unfenced and catch up — here ~22 s.)
#
# With **two** brokers down at once the leader refuses `acks=all` writes. What the application sees is the delivery
# report, after `delivery.timeout.ms` (30 s here): `_MSG_TIMED_OUT`, with `NOT_ENOUGH_REPLICAS` as the last error.

# %%
two_down = rep.rolling_replacement(two_down=True)
pd.DataFrame(two_down.writes).groupby(["result", "error"], dropna=False).size()

# %% [markdown]
# ## 4. Unclean leader election: losing acknowledged data, side by side
# B3 crashes at 5 s and leaves the ISR; writes a, b, c are acknowledged by B1 and B2; at 40 s B1 and B2 both
# crash; at 50 s B3 — which never got a, b, c — comes back; at 90 s B1 and B2 return.
#
# **Predict first:** how many of the acknowledged writes are lost with `unclean.leader.election.enable=true`, and
# how many with `false`? Record a pair `(lost_unclean, lost_clean)`.

# %% tags=["exercise"]
unclean_guess = None
### BEGIN SOLUTION
unclean_guess = (3, 0)
### END SOLUTION
predict("predict_unclean_loss", unclean_guess)

# %%
reveal("predict_unclean_loss")  # from here on the answer is on the page: the guess above is final
unsafe = rep.unclean_election_example(unclean=True)
safe = rep.unclean_election_example(unclean=False)
unsafe.anomalies()[["kind", "value", "offset", "explanation"]]

# %%
safe.anomalies().attrs["lost"], [w["result"] for w in safe.writes]

# %% tags=["check"]
check("predict_unclean_loss")

# %% [markdown]
# With `unclean.leader.election.enable=true` the controller made B3 leader with an empty log (`election="unclean"`).
# When B1 and B2 came back they fetched with their last leader epoch, learned that B3's log diverges at offset 0, and
# **truncated** their own copies (KIP-101/279): three acknowledged writes vanished from every replica. With the
# default (`false`) the partition stayed offline until B1 returned, and nothing was lost:

# %%
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8.5, 6.8), layout="constrained")
viz.isr_timeline(unsafe, ax=ax1, title="unclean.leader.election.enable=true")
viz.isr_timeline(safe, ax=ax2, title="unclean.leader.election.enable=false (default)")
plt.show()

# %% [markdown]
# What would the dashboard have shown? In both runs `OfflinePartitionsCount` goes to 1 once B1 and B2 are fenced.
# The unclean run ends that as soon as B3 is back, and counts one `UncleanLeaderElectionsPerSec`: the one metric
# that says acknowledged data may be gone. The clean run stays offline until a replica of the old ISR returns — an
# outage that pages someone, rather than a loss nobody sees.

# %%
pd.concat({name: viz.metrics_delta(run).set_index("metric")[["before", "peak", "after"]]
           for name, run in (("unclean=true", unsafe), ("unclean=false", safe))}, axis=1)

# %% [markdown]
# ### Eligible Leader Replicas (KIP-966)
# Kafka 4.x adds **ELR**: in Kafka 4.0 it is off by default (the `eligible.leader.replicas.version` feature, turned on
# with `kafka-features.sh`); from 4.1 it is on by default for *new* clusters (an upgraded cluster keeps it off until
# the feature is raised). This simulator models 4.0, so here the cluster option `eligible.leader.replicas.enable` is
# off unless set. While the
# ISR is below `min.insync.replicas`, the leader's HW stops advancing, and replicas that leave the ISR go into the
# ELR: they are known to hold every committed record. If the last ISR member dies, the controller may then elect an
# ELR member *cleanly*, where it would otherwise wait or need an unclean election. A broker that restarts after an
# unclean shutdown (a crash) is removed from the ELR, since it may have lost unflushed data.
#
# The plan below: B3 crashes at 5 s, write a, B2's link to the leader is cut at 20 s for 60 s, write b, the leader B1
# crashes at 60 s. **Predict first:** who leads the partition at the end, with ELR and without? Record a pair of
# broker ids (`None` for no leader).

# %% tags=["exercise"]
elr_guess = None
### BEGIN SOLUTION
elr_guess = (2, None)
### END SOLUTION
predict("predict_elr_leader", elr_guess)

# %%
reveal("predict_elr_leader")  # from here on the answer is on the page: the guess above is final
elr_plan = [(5, "crash", 3), (10, "write", "a"), (20, "blip", 2, 60_000, [1]), (30, "write", "b"), (60, "crash", 1)]
assert elr_plan == ELR_PLAN  # the plan the checker runs
with_elr, without_elr = (rep.run_scenario(elr_plan, elr=flag, run_s=100) for flag in (True, False))
with_elr.partition_state(), without_elr.partition_state()

# %% tags=["check"]
check("predict_elr_leader")

# %% [markdown]
# With ELR, B2 — dropped from the ISR at ~52 s, which left the ISR below `min.insync.replicas`, so it entered
# the ELR — is elected when B1 is fenced at ~68 s (`election="elr"`): consumers can read every committed record
# again, while `acks=all` writes are still refused until a second replica is in sync. Write b was appended on B1 but
# never committed (the HW stands still under min ISR with ELR), so losing it breaks no promise. Without ELR the ISR
# keeps the dead B1 and the partition has no leader (`Leader: none`) until B1 returns.
#
# ## 5. The checker: our answer to Jepsen
# Every client call goes into a **history** (invoke, then ok / fail / info when the outcome is unknown). The checker
# compares the history with the final committed logs and reports lost acknowledged writes, duplicates, per-key
# reordering, reads of uncommitted data and offsets going backwards. A random schedule of 300 steps (writes, crashes,
# restarts, isolations, heals, time passing), with the safe configuration:

# %%
schedule = random_schedule(seed=7, n_ops=300)
history, cluster = run_schedule(schedule)
anomalies = check_history(history, cluster, "jepsen")
anomalies.attrs["acknowledged"], anomalies.attrs["lost"], anomalies["kind"].value_counts().to_dict()

# %% [markdown]
# No acknowledged write lost. (Duplicates and reorderings do appear: this producer has `enable.idempotence=False`, so
# a retry after a lost response appends the batch again — notebook 04 is about that.) Now the same search with
# `acks=1`: each run that loses data prints as a script that replays it exactly.

# %%
found = []
for seed in range(20):
    h, c = run_schedule(random_schedule(seed, 300, {"acks": "1"}))
    found.append(check_history(h, c, "jepsen").attrs["lost"])
found

# %%
print(schedule_script(random_schedule(0, 300, {"acks": "1"}))[:400], "…")

# %% [markdown]
# ## 6. The replication lab
# Pick a fault schedule and the settings; each change re-runs the scenario on a fresh seeded cluster and redraws the
# ISR timeline, the replica logs, the timeline table and the checker's verdict.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.replication import replication_lab

replication_lab()

# %% [markdown]
# ## Exercises
#
# ### Exercise 3 — a configuration that survives the fault schedules
# Give the topic and producer settings. The checker runs your configuration through six random fault schedules with
# at most one broker failed at a time, the "whole ISR dies, a stale replica returns" scenario, one broker down, and
# two brokers down. It passes only if no acknowledged write is ever lost, writes are acknowledged with one broker
# down, and with two down they are refused rather than kept on a single copy.

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = {"replication.factor": 3, "min.insync.replicas": 2, "acks": "all", "unclean.leader.election.enable": False}
### END SOLUTION

# %% tags=["check"]
check("durable_config", answer)

# %% [markdown]
# ### Exercise 4 — diagnose a history with lost writes
# `evidence` is a finished run: its history, its trace, its cluster. Which acknowledged values were lost, and why?
# Pick the cause from `CAUSES`. (`evidence.anomalies()`, `evidence.timeline()` and `viz.isr_timeline(evidence)` help.)

# %%
from kafkalab.exercises.nb03 import CAUSES, diagnosis_run

evidence = diagnosis_run()
CAUSES

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = {"lost": evidence.lost(), "cause": "unclean leader election"}
### END SOLUTION

# %% tags=["check"]
check("diagnose_lost_write", answer)

# %% [markdown]
# ## Summary
# - Each replica has a LEO; the leader's HW is the smallest LEO in the ISR; consumers read below the HW only.
#   `acks=1` acknowledges above the HW: acknowledged, not yet committed.
# - In KRaft a dead broker leaves every ISR when the controller fences it (`broker.session.timeout.ms`, 9 s); a live
#   follower that falls behind leaves after `replica.lag.time.max.ms` (30 s). A blip shorter than that never shrinks
#   the ISR.
# - `acks=all` waits for the whole current ISR. Under `min.insync.replicas` the leader answers `NOT_ENOUGH_REPLICAS`
#   (before appending) or `NOT_ENOUGH_REPLICAS_AFTER_APPEND`; both are retriable, so librdkafka retries and reports
#   `_MSG_TIMED_OUT` only when `delivery.timeout.ms` runs out.
# - Unclean election promotes a replica that missed acknowledged writes; the others truncate to it and the writes are
#   gone. ELR (KIP-966) keeps a clean candidate set while the ISR is under `min.insync.replicas`.
# - RF=3, `min.insync.replicas=2`, `acks=all`, unclean election off: no acknowledged write lost under any single
#   failure, writes refused — not silently accepted — when two brokers are down.
