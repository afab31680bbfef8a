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
# (sections 4–6: share groups against consumer groups)

# %% [markdown]
# ## Part C · What changed between versions
# (sections 7–8: version profiles)

# %% [markdown]
# ## Summary
# - KRaft is Raft for the `__cluster_metadata` log: epochs for terms, votes once per epoch to an up-to-date log,
#   followers that *fetch* from the leader, and a high watermark that needs a majority and the new epoch's first
#   record; pre-vote (KIP-996, Kafka 4.0+) keeps a node that was cut off from deposing a healthy leader.
# - A controller failover takes about the fetch timeout (2 s) plus an election; clients see a metadata change
#   wait and be retried — possibly as `TOPIC_ALREADY_EXISTS` for their own topic — while produce and consume carry on.
# - Without a majority of voters the metadata stays readable and nothing new commits (`REQUEST_TIMED_OUT`);
#   2f + 1 voters survive f failures, and dedicated controllers keep broker crashes out of the quorum.
