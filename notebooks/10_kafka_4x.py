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
# (sections 1–3: the controller quorum)

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
# - Share groups (KIP-932): several consumers per partition; records go AVAILABLE → ACQUIRED → ACKNOWLEDGED or
#   ARCHIVED between the SPSO and SPEO; a crashed consumer's records come back only when their acquisition lock
#   (`share.record.lock.duration.ms`, 30 s) runs out, with the delivery count + 1.
# - ACCEPT is done, RELEASE is "try again" (until `share.delivery.count.limit`, 5, archives it), REJECT is
#   "never"; implicit mode accepts a batch at the next poll. No ordering, no committed offset, no lag per owner.
# - A consumer group keeps order per partition and redoes what was not committed; a share group trades order
#   for parallelism beyond the partition count.
# - Defaults move: `acks=all` and idempotence (KIP-679, really from 3.2), `linger.ms=5` (KIP-1030), KRaft only
#   (4.0), KIP-848 GA (4.0), ELR (4.1), share groups (4.2). Put the guarantees you need in your own config.
