# %% [markdown]
# # 10 · Kafka 4.x itself: the KRaft quorum, share groups, and what changed between versions
#
# **Goals.** By the end you can
# - explain KRaft as the Raft you already saw plus Kafka's own parts (pre-vote, fetch-based replication, the
#   `__cluster_metadata` log, broker registration and fencing), and say what clients see when a controller fails;
# - say what a share group (KIP-932) guarantees and what it gives up, against a consumer group, on the same data;
# - name the defaults that changed between Kafka versions, and show one outcome each change turns around.

# %% [markdown]
# ## Part A · KRaft

# %% [markdown]
# Everything in this part runs on kafkalab's simulated Kafka 4.x cluster: virtual time, one seeded RNG, every
# state change in `cluster.trace`. The controllers run KRaft's Raft as Kafka's `raft` module does
# (`KafkaRaftClient`, `QuorumState`, KIP-595, KIP-630 snapshots, KIP-996 pre-vote), with Kafka's config names
# and defaults.

# %%
import pandas as pd

from kafkalab import Cluster, kraft_lab
from kafkalab.exercises import check, predict
from kafkalab.exercises import nb10_kraft
from kafkalab.viz import metadata_log_table
from kafkalab.viz.kraft import raft_scope

# %% [markdown]
# ### 1 · Raft you already saw, with Kafka's names
#
# If you have met Raft (the paper, or RaftScope's animation), KRaft is that algorithm for one log, the
# `__cluster_metadata` topic, among the *controllers*:
#
# | Raft | KRaft (Kafka 4.x) |
# |---|---|
# | server | a *voter*: a node with `controller` in `process.roles`, listed in `controller.quorum.voters` (or found through `controller.quorum.bootstrap.servers`) |
# | term | *epoch* (the leader epoch of `__cluster_metadata`) |
# | follower, candidate, leader | Unattached, **Prospective** (pre-vote, KIP-996, Kafka 4.0+), Candidate, Leader, Follower, Resigned |
# | randomised election timeout | `controller.quorum.election.timeout.ms` = 1000, drawn from [1000, 2000) ms |
# | heartbeat timeout | `controller.quorum.fetch.timeout.ms` = 2000: no successful fetch from the leader that long → election |
# | AppendEntries (leader **pushes**) | **Fetch** (followers **pull** from the leader, as partition replicas do); a new leader announces itself with BeginQuorumEpoch |
# | commit index | the **high watermark**: the end offset a majority of voters has reached, once it is past the new epoch's first record |
# | log compaction by snapshot | KIP-630 snapshots `<end offset>-<epoch>.checkpoint`; a voter too far behind gets the snapshot (FetchSnapshot) |
#
# Kafka's own parts sit around it: the active controller (the Raft leader) writes `TopicRecord`,
# `PartitionRecord`, `RegisterBrokerRecord`… into that log; brokers are *observers* that fetch it into their
# metadata image; every broker registers (`BrokerRegistration`), heartbeats every `broker.heartbeat.interval.ms`
# (2000) and is fenced after `broker.session.timeout.ms` (9000) of silence.
#
# The guide says KRaft runs "inside the brokers" with `process.roles=broker,controller`. That *combined* mode
# exists (and is what `Cluster(process_roles="broker,controller")` builds), but Kafka recommends **dedicated**
# controllers (`process.roles=controller`) for production: then a broker's crash never costs a voter. The
# default cluster of every other notebook is the smallest case, one dedicated voter.

# %%
one = Cluster(brokers=3, seed=42)
pd.DataFrame([(ev.time_ms, ev.kind, ev.node, ev.get("epoch")) for ev in one.trace.events[:4]],
             columns=["t (ms)", "event", "node", "epoch"])

# %% [markdown]
# A lone voter needs nobody's vote: it is Candidate and Leader of epoch 1 at once, and its first record, the
# `LeaderChangeMessage` control record at offset 0, commits as it is written. Three dedicated voters have to
# hold an election:

# %%
c = Cluster(brokers=3, seed=7, controllers=3)
print(c.server_properties(101))  # a dedicated controller's server.properties (its KRaft lines)
print(c.server_properties(1))  # a broker's: it is no voter, it finds the quorum through the same list
pd.DataFrame([(ev.time_ms, ev.node, ev.kind.removeprefix("raft."), ev.get("epoch"),
               ev.get("candidate"), ev.get("granted"), ev.get("pre_vote"))
              for ev in c.trace.filter(["raft.prospective", "raft.candidate", "raft.vote", "raft.leader"])],
             columns=["t (ms)", "voter", "event", "epoch", "candidate", "granted", "pre-vote"])

# %% [markdown]
# The first voter whose random election timeout expires becomes *Prospective* and asks for pre-votes in its
# current epoch (0): nothing changes at the others. With a majority of pre-votes it becomes Candidate in
# epoch 1, votes for itself and asks for real votes; each voter grants one vote per epoch, to a log at least as
# up to date as its own. Two votes of three make it leader. The picture draws the quorum as RaftScope draws
# Raft: one circle per voter, then its log, one cell per offset with the epoch that wrote it, hatched until it
# is committed; the black bar is each voter's high watermark.

# %%
c.create_topic("orders", partitions=3, replication_factor=3)
raft_scope(c)[0].figure

# %% [markdown]
# Kafka's own tool shows the same state (`MetadataQuorumCommand`, the `DescribeQuorum` request): the leader,
# its epoch, the high watermark, how far each voter lags, and the brokers as observers.

# %%
print(c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status"))
print(c.cli("kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --replication"))

# %% [markdown]
# The log itself: every change to the cluster is a record, and `kafka-metadata-shell.sh` replays a log file into
# the image brokers keep.

# %%
metadata_log_table(c).tail(6)

# %%
log = "/var/lib/kafka/data/__cluster_metadata-0/00000000000000000000.log"
print(c.cli(f"kafka-metadata-shell.sh --snapshot {log} ls /image/topics/byName/orders"))
print(c.cli(f"kafka-metadata-shell.sh --snapshot {log} cat /image/topics/byName/orders/0"))

# %% [markdown]
# ### 2 · A controller failover
#
# Kill the leader. Nothing happens for `controller.quorum.fetch.timeout.ms` (2 s): the followers' fetches just go
# unanswered. Then a follower becomes Prospective; the others, which have not heard from the leader either,
# grant its pre-vote; it becomes Candidate in a higher epoch and wins. Here both followers time out at the same
# moment, so the first round splits (each votes for itself) and the randomised election timeout decides the
# next: Raft's cure for split votes, as in the paper.

# %%
run = kraft_lab.quorum_fault("leader_crash", voters=3, seed=0)
pd.DataFrame([(ev.time_ms - run.t0, ev.node, ev.kind.removeprefix("raft."), ev.get("epoch"))
              for ev in run.cluster.trace.events
              if ev.time_ms >= run.t0 and ev.kind.startswith(("raft.", "controller.", "fault."))
              and ev.kind not in ("raft.fetch", "raft.append", "raft.hw", "raft.vote")],
             columns=["ms after the crash", "node", "event", "epoch"])

# %%
raft_scope(run.cluster, at_ms=run.first_new_leader[0] + 1)[0].figure

# %% [markdown]
# The new leader's `LeaderChangeMessage` is the first record of its epoch; the high watermark moves only once a
# majority has *that* record (`LeaderState.maybeUpdateHighWatermark`), and the records of the old epoch that a
# majority already had are committed with it. Only then does the new leader become the active controller and
# give every broker a fresh heartbeat session: a failover fences nobody.
#
# The quorum scope replays such a run along the virtual clock (▶ plays it): choose the fault, 3 or 5 voters,
# pre-vote on or off.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.kraft import quorum_scope

quorum_scope()

# %% [markdown]
# **What clients see: a topic creation during the failover.** An `AdminClient.create_topics` reaches the active
# controller (through a broker, which forwards it); the controller appends `TopicRecord` and `PartitionRecord`s
# and answers only once they are committed. Kill the controller a few milliseconds into the call:

# %%
outcomes = [kraft_lab.create_during_failover(ms) for ms in (1, 2, 3, 4)]
pd.DataFrame([(o.crash_after_ms, o.replicated_before_crash, o.outcome, o.took_ms, o.topic_exists) for o in outcomes],
             columns=["controller killed after (ms)", "a follower had the TopicRecord", "the client got",
                      "took (ms)", "topic exists"])

# %% [markdown]
# Killed before its records reached a follower, the old controller takes them along (a restarted old leader
# truncates them: they were never committed); the broker retries at the new controller, which creates the
# topic. Killed after a follower had them, the new leader commits them with its epoch, and the retried request
# finds the topic there: `TOPIC_ALREADY_EXISTS`, for a topic this very call created. Either way the client waited
# 2–3 s and the topic exists once.

# %% [markdown]
# **Exercise (create a topic exactly once).** Write `create_once(admin, topic)`: create `topic` with 3
# partitions and replication factor 3 and return `True` when the topic exists afterwards (created now, or by
# this call's own first attempt), `False` when it is not confirmed. The checker calls it with the controller
# killed at several instants, and with two of three voters down.

# %% tags=["exercise"]
from kafkalab.confluent_kafka import KafkaError, KafkaException
from kafkalab.confluent_kafka.admin import NewTopic


def create_once(admin, topic):
    """Create the topic; True when it exists afterwards."""
    ### BEGIN SOLUTION
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])[topic].result()
        return True
    except KafkaException as e:
        return e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS
    ### END SOLUTION


# %% tags=["check"]
check("create_topic_once", create_once)

# %% [markdown]
# **What clients see: an ISR change during the failover.** Producers and consumers talk to partition leaders,
# not to the controllers, so they carry on. A change of *metadata* waits: here a follower stops fetching right
# when the controller dies; the partition leader asks to shrink the ISR (`AlterPartition`), gets no answer,
# and retries once a new controller is active.

# %%
isr = kraft_lab.isr_change_during_failover()
pd.DataFrame([("controller killed", isr.t_fault), ("leader asks to shrink the ISR", isr.t_shrink_requested),
              ("new active controller", isr.new_controller_at), ("shrink committed", isr.t_shrink_committed)],
             columns=["", "t (ms)"]).assign(**{"records acknowledged meanwhile (of 20)": ["", "", "",
                                                                                         isr.produced_during]})

# %% [markdown]
# **Predict (pre-vote).** The leader of three voters is cut off from everyone for 10 s, then reconnected. While
# cut off it resigns (it has not been fetched from by a majority for 1.5 × the fetch timeout) and keeps trying
# to get elected. When it comes back, does its return force another election — with pre-vote (Kafka 4.x,
# KIP-996) and without (Kafka 3.x)? Predict `{"pre_vote_on": True/False, "pre_vote_off": True/False}`.

# %% tags=["exercise"]
rejoin = None
### BEGIN SOLUTION
rejoin = {"pre_vote_on": False, "pre_vote_off": True}
### END SOLUTION
predict("predict_prevote_rejoin", rejoin)

# %%
for pv in (True, False):
    r = kraft_lab.quorum_fault("leader_isolated", voters=3, seed=0, pre_vote=pv, heal_after_ms=10_000,
                               run_ms=16_000)
    epochs = sorted({ev.get("epoch") for ev in r.cluster.trace.filter(["raft.candidate", "raft.prospective"])
                     if ev.get("node_id") == r.victims[0] and ev.time_ms >= r.t0})
    print(f"pre-vote {'on ' if pv else 'off'}: the cut-off node tried in epochs {epochs}; leaders after the heal: "
          f"{[(t - r.t0, n, e) for t, n, e in r.leaders if t >= r.t0 + 10_000] or 'none'}")
nb10_kraft.rejoin_forces_election(True), nb10_kraft.rejoin_forces_election(False)

# %% tags=["check"]
check("predict_prevote_rejoin")

# %% [markdown]
# ### 3 · Quorum loss
#
# Two of three voters die. The remaining leader cannot commit anything (1 of 3 is no majority); after 3 s of
# check-quorum it resigns, and no election can succeed. **Predict** which of these still work:
# `"produce"`, `"consume"`, `"describe_topics"` (a Metadata request), `"create_topic"`.

# %% tags=["exercise"]
still_works = None
### BEGIN SOLUTION
still_works = {"produce", "consume", "describe_topics"}
### END SOLUTION
predict("predict_quorum_loss", still_works)

# %%
loss = kraft_lab.quorum_loss(seed=0)
print(f"produced {loss.produced}/10, consumed {loss.consumed}/10, describe_topics saw leaders {loss.described}")
print(f"create_topics: {loss.create_error} after {loss.create_took_ms} ms")
print(f"after the two voters came back, does the timed-out topic exist? {loss.committed_after}")
nb10_kraft.works_without_quorum(0)

# %% tags=["check"]
check("predict_quorum_loss")

# %% [markdown]
# The metadata stays readable because every broker serves it from its own image; the data path never went
# through the controllers. Nothing new commits: the broker holds the forwarded `CreateTopics` for its
# `request.timeout.ms` (30 s) and answers `REQUEST_TIMED_OUT`. And a timeout is not a "no": this request had
# reached the old leader's log before it resigned; when the voters returned, that log won the election and the
# topic was committed after all — the same lesson as the producer's "outcome unknown".
#
# **Exercise (a quorum that survives two controller failures).** Give the `Cluster` keyword arguments
# (`controllers`, and if you like `process_roles`, `pre_vote`, `broker_config`) of a cluster whose metadata can
# still change — a topic creation succeeds within 30 s — after its active controller and one more voter die.

# %% tags=["exercise"]
quorum = None
### BEGIN SOLUTION
quorum = {"controllers": 5}
### END SOLUTION

# %% tags=["check"]
check("survive_two_controller_failures", quorum)

# %% [markdown]
# ## Part B · Share groups
# ## 4. A queue on a log: the share partition
# A consumer group gives each partition to **one** member, so parallelism stops at the partition count and a
# slow record holds up the ones behind it. A **share group** (KIP-932, production-ready in Kafka 4.2) hands the
# records of one partition to several consumers at once, like a queue. The partition leader keeps, per group,
# the *in-flight* records between the share-partition start offset (**SPSO**) and end offset (**SPEO**). Each
# record is `AVAILABLE → ACQUIRED → ACKNOWLEDGED` (done) or `ARCHIVED` (given up); an acquired record is
# locked for `share.record.lock.duration.ms` (30 s) and each acquisition counts one *delivery*.
#
# The kit's `ShareConsumer` mirrors confluent-kafka 2.16's (`poll` returns a batch, `acknowledge`,
# `commit_sync`); `KafkaShareConsumer` has the Java names. Share groups need the 4.2 profile (Part C).

# %%
import matplotlib.pyplot as plt
import pandas as pd

from kafkalab import Cluster, profiles, share_lab, version_lab, viz
from kafkalab.clients.share_consumer import AcknowledgeType
from kafkalab.exercises import check, hint, nb10, predict, solution
from kafkalab.groups.share import share_coordinator_for

# %%
cluster = Cluster(brokers=3, seed=10, profile="4.2")
cluster.create_topic("jobs", partitions=1, replication_factor=3)
producer = cluster.producer({"bootstrap.servers": "kafka-1:9092"})
for i in range(6):
    producer.produce("jobs", value=f"job-{i}")
producer.flush()
share_coordinator_for(cluster).alter_group_config("workers", {"share.auto.offset.reset": "earliest"})

# %% [markdown]
# Two workers in group `workers` read the **same** single partition. W1 acknowledges implicitly (its next poll
# accepts the previous batch); W2 acknowledges each record explicitly.

# %%
conf = {"bootstrap.servers": "kafka-1:9092", "group.id": "workers", "max.poll.records": 3}
w1 = cluster.share_consumer({**conf, "client.id": "W1"})
w2 = cluster.share_consumer({**conf, "client.id": "W2", "share.acknowledgement.mode": "explicit"})
w1.subscribe(["jobs"])
w2.subscribe(["jobs"])
print("W1 got", [(m.offset(), m.delivery_count()) for m in w1.poll(5)])
batch = w2.poll(5)
print("W2 got", [(m.offset(), m.delivery_count()) for m in batch])

# %%
viz.share_partition_strip(cluster, "workers", "jobs")
plt.show()

# %% [markdown]
# W2 accepts `job-3`, releases `job-4` (try again later) and rejects `job-5` (never). **Predict** the state of
# each offset before you run the cell.

# %%
w2.acknowledge(batch[0])
w2.acknowledge(batch[1], AcknowledgeType.RELEASE)
w2.acknowledge(batch[2], AcknowledgeType.REJECT)
w2.commit_sync()
viz.share_partition_strip(cluster, "workers", "jobs")
plt.show()

# %% [markdown]
# Now W1 crashes while it holds `job-0`…`job-2`. Nothing tells the broker: a share group has no partition
# owner to fence. **Predict** when W2 gets those three back, and with which delivery count — then run.

# %%
w1.crash()
t_crash, seen = cluster.now, []
while cluster.now - t_crash < 35_000:
    for m in w2.poll(1):
        seen.append((m.value().decode(), m.delivery_count(), round((cluster.now - t_crash) / 1000, 1)))
        w2.acknowledge(m)
pd.DataFrame(seen, columns=["record", "delivery count", "seconds after the crash"])

# %% [markdown]
# `job-4` came back at once (released, delivery count 2); W1's three only when their locks ran out, 30 s after
# they were acquired. Every change of a record's state is in the trace:

# %%
pd.DataFrame([{"t (s)": e.time_ms / 1000, "offsets": e.get("offsets"), "from": e.get("from_state"),
               "to": e.get("to_state"), "why": e.get("reason")}
              for e in cluster.trace.filter("share.record_state")])

# %% [markdown]
# ### Exercise — a lock that fits the work
# One consumer needs **16 s** per batch of three jobs; when a consumer crashes, its jobs must be back in work
# within **20 s**. Choose the group config. (`share_lab.lock_story(config)` runs both cases.)

# %% tags=["exercise"]
group_config = None
### BEGIN SOLUTION
group_config = {"share.record.lock.duration.ms": 20000}
### END SOLUTION

# %% tags=["check"]
check("share_lock_duration", group_config)

# %% [markdown]
# ## 5. The same jobs in a consumer group and in a share group
# Twelve jobs, one partition, consumers C1 and C2, batches of three. C1 crashes after its second batch, before
# it commits (consumer group) or acknowledges (share group). **Predict** for each kind of group: who reads the
# partition, which jobs are handed out twice, and whether the jobs finish in offset order.

# %%
runs = [share_lab.queue_run("consumer"), share_lab.queue_run("share")]
viz.delivery_timeline(runs)
plt.show()

# %% [markdown]
# The history checker reads the deliveries and the trace and says what each group guaranteed:

# %%
viz.guarantee_table([share_lab.guarantees(r) for r in runs])

# %% [markdown]
# The consumer group waited `session.timeout.ms` (45 s) before C2 took the partition over from the last commit:
# ordering kept, three jobs done twice, and lag meanwhile. The share group kept both consumers busy on one
# partition and gave C1's jobs back after the lock (delivery count 2), *after* later offsets were done: no
# ordering, at-least-once, and a delivery count instead of a committed offset.
#
# ## 6. Accept, release, reject — and the delivery limit
# A released record comes back with its delivery count plus one, until `share.delivery.count.limit` (5)
# archives it. A poison record (`job-3` can never be processed) that is always released:

# %%
retry_all = share_lab.queue_run("share", records=8, batch=2, crash=None, fail=nb10._fail,
                                decide=lambda m, e: AcknowledgeType.ACCEPT if e is None else AcknowledgeType.RELEASE)
[(d.value, d.delivery_count, d.error, d.outcome) for d in retry_all.deliveries if d.error]

# %% [markdown]
# ### Exercise — done, retry, never
# Write `decide(msg, error)`: `error` is `None` (processed fine), `"transient"` (a downstream timeout: `job-5`
# fails once) or `"permanent"` (`job-3` is malformed). Every job that can succeed must be processed once it
# succeeded, and the poison job must not be delivered again and again.

# %% tags=["exercise"]
def decide(msg, error):
    """Return the AcknowledgeType for msg."""
    ### BEGIN SOLUTION
    if error is None:
        return AcknowledgeType.ACCEPT
    return AcknowledgeType.RELEASE if error == "transient" else AcknowledgeType.REJECT
    ### END SOLUTION


# %% tags=["check"]
check("share_ack_decisions", decide)

# %% [markdown]
# ## Part C · What changed between versions
# ## 7. The version table
# `Cluster(profile=...)` builds a cluster with the defaults of one Kafka version: `"2.8"` (2.4–2.8, ZooKeeper),
# `"3.0"` (3.0–3.1), `"3.3"` (3.3–3.9), `"4.0"` (what `Cluster()` is) and `"4.2"` (4.1–4.2). The table is
# generated from the profiles themselves (`kafkalab.profiles.CHANGES`), each row with its KIP:

# %%
viz.version_table()

# %% [markdown]
# **Predict** what the *same* Java producer code — `JavaProducer({"bootstrap.servers": ...})`, nothing else —
# does when one ProduceResponse is lost (a retry) and a leader dies just after acknowledging, under 2.8, 3.0
# and 4.2: does a record end up twice (`duplicates`)? is an acknowledged one gone (`lost`)?

# %% tags=["exercise"]
outcomes = None
### BEGIN SOLUTION
outcomes = {"2.8": {"duplicates": True, "lost": True}, "3.0": {"duplicates": True, "lost": False},
            "4.2": {"duplicates": False, "lost": False}}
### END SOLUTION
predict("predict_version_outcomes", outcomes)

# %%
for p in ("2.8", "3.0", "3.3", "4.2"):
    r = version_lab.java_producer_faults(p)
    print(f"{p}: {r.config} stored {r.stored}  duplicates {r.duplicates}  lost {r.lost}")

# %% tags=["check"]
check("predict_version_outcomes")

# %% [markdown]
# 2.8 duplicates `order-2` (no idempotence) and loses `order-3` (`acks=1`). 3.0 changed both defaults (KIP-679)
# but the Java client did not apply `enable.idempotence=true` until 3.2 (KAFKA-13598): no loss, still the
# duplicate. From 3.3 on, neither. The other differences, one experiment each:

# %%
pd.DataFrame({p: {"batches for 10 quick sends": version_lab.linger_requests(p),
                  "12 keyless records per partition": version_lab.keyless_spread(p),
                  "leader failover (s)": version_lab.failover_ms(p) / 1000,
                  "group.protocol=consumer": version_lab.new_protocol_consumer(p),
                  "ShareConsumer": version_lab.share_consumer_available(p),
                  "leader after notebook 03's ELR plan": version_lab.elr_leader(p),
                  "producer epoch of 3 transactions": version_lab.txn_epochs(p)} for p in profiles.PROFILES})

# %% [markdown]
# `linger.ms` 0 → 5 (KIP-1030) puts a burst in one batch; KIP-480's sticky partitioner moved keyless records to
# another partition at every new batch, KIP-794's keeps them on one for `batch.size` bytes; a ZooKeeper session (18 s) notices a dead broker
# later than KRaft fencing (9 s); KIP-848 needs 4.0 brokers; share groups need `share.version=1` (on by default
# in the 4.2 profile); with ELR (KIP-966, on for new clusters since 4.1) notebook 03's partition gets a clean
# leader back instead of staying offline; `transaction.version=2` (KIP-890) bumps the producer epoch at every
# commit, so a late write of an earlier transaction is fenced (notebook 06).
#
# ## 8. Exercise — one producer config, right on every version
# Give the Java producer config that stores each order exactly once, and loses none it acknowledged, under the
# 2.8, 3.0 and 4.2 profiles (`version_lab.java_producer_faults(profile, config)` runs the faults).

# %% tags=["exercise"]
safe_producer = None
### BEGIN SOLUTION
safe_producer = {"enable.idempotence": True, "acks": "all"}
### END SOLUTION

# %% tags=["check"]
check("version_safe_producer", safe_producer)

# %% [markdown]
# ## Summary
# - KRaft is Raft for the `__cluster_metadata` log: epochs for terms, votes once per epoch to an up-to-date log,
#   followers that *fetch* from the leader, and a high watermark that needs a majority and the new epoch's first
#   record; pre-vote (KIP-996, Kafka 4.0+) keeps a node that was cut off from deposing a healthy leader.
# - A controller failover takes about the fetch timeout (2 s) plus an election; clients see a metadata change
#   wait and be retried — possibly as `TOPIC_ALREADY_EXISTS` for their own topic — while produce and consume carry on.
# - Without a majority of voters the metadata stays readable and nothing new commits (`REQUEST_TIMED_OUT`);
#   2f + 1 voters survive f failures, and dedicated controllers keep broker crashes out of the quorum.
# - Share groups (KIP-932): several consumers per partition; records go AVAILABLE → ACQUIRED → ACKNOWLEDGED or
#   ARCHIVED between the SPSO and SPEO; a crashed consumer's records come back only when their acquisition lock
#   (`share.record.lock.duration.ms`, 30 s) runs out, with the delivery count + 1.
# - ACCEPT is done, RELEASE is "try again" (until `share.delivery.count.limit`, 5, archives it), REJECT is
#   "never"; implicit mode accepts a batch at the next poll. No ordering, no committed offset, no lag per owner.
# - A consumer group keeps order per partition and redoes what was not committed; a share group trades order
#   for parallelism beyond the partition count.
# - Defaults move: `acks=all` and idempotence (KIP-679, really from 3.2), `linger.ms=5` (KIP-1030), KRaft only
#   (4.0), KIP-848 GA (4.0), ELR (4.1), share groups (4.2). Put the guarantees you need in your own config.
