# %% [markdown]
# # 01 · Why Kafka: the log, queue vs pub-sub, and sizing an ingest topic
#
# **Goals.** By the end you can
# - explain Kafka as an append-only log that many readers read at their own pace (offsets, retention, replay);
# - show how the *same* topic behaves like a queue inside one consumer group and like pub-sub across groups;
# - size an ingest topic from a workload — partitions, replication, storage — and create it with `kafka-topics.sh`;
# - say which topic settings make the loss of one broker harmless, and prove it on a running cluster.
#
# Everything below runs on kafkalab's simulated Kafka 4.x cluster (KRaft mode, three brokers). Time is
# *virtual*: `cluster.run(ms)` moves the clock, and every run of this notebook prints the same numbers.

# %%
import pandas as pd

import kafkalab.viz as viz
from kafkalab import Cluster, Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from kafkalab.exercises import check, hint, predict, reveal, solution
from kafkalab.scenarios import queue_vs_pubsub

cluster = Cluster(brokers=3, seed=42)
cluster

# %% [markdown]
# ## 1. A topic is a log
# A partition is an ordered file of records. A producer can only *append*; each record gets the next
# **offset**. Nothing is removed when someone reads it. Let's create a one-partition topic and append five
# page views.

# %%
cluster.create_topic("pageviews", partitions=1, replication_factor=3)
producer = Producer({"bootstrap.servers": "kafka-1:9092"})
for page in ["home", "search", "product", "cart", "checkout"]:
    producer.produce("pageviews", key="session-7", value=page)
producer.flush()
viz.log_table(cluster, "pageviews", 0)


# %% [markdown]
# Offsets 0–4, in the order they were produced. `committed` means the record is below the *high watermark*:
# every in-sync replica has it, so consumers may read it (notebook 03 is about that line).
#
# A consumer keeps its own position. Reading does not consume anything: a second reader starts from the
# beginning and sees the same five records.

# %%
def read_all(group, start=OFFSET_BEGINNING):
    c = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": group})
    c.assign([TopicPartition("pageviews", 0, start)])
    return [(m.offset(), m.value().decode()) for m in c.consume(100, timeout=1)]

read_all("analytics"), read_all("billing")

# %% [markdown]
# **Replay** is just moving the position back: `seek` (or a group's offset reset) to an earlier offset and
# read again. Here a reader starts at offset 3.

# %%
read_all("replay", start=3)

# %% [markdown]
# ### Retention removes whole segments, not single records
# A partition's log is split into **segments**. Retention (`retention.ms`, `retention.bytes`) deletes the
# oldest *whole* segment once everything in it is older than the limit — never past the high watermark. The
# active (newest) segment is no exception: when it is past retention too, Kafka first rolls a new, empty
# segment at the log end (a log always has one) and deletes them all.
# Below, a topic keeps records for 60 s and starts a new segment every 10 s; we write one record per second
# for 50 s, then let the broker's retention check (every 5 minutes, `log.retention.check.interval.ms`) run.

# %%
cluster.create_topic("metrics", partitions=1, replication_factor=3,
                     config={"retention.ms": 60_000, "segment.ms": 10_000})
for i in range(50):
    producer.produce("metrics", value=f"m{i}")
    producer.flush()
    cluster.run(1_000)
log = cluster.partition_log("metrics", 0)
(log.log_start_offset, len(log.segments))

# %%
cluster.run(300_000)
deleted = [e.fields for e in cluster.trace.filter("log.retention", node="kafka-1", topic="metrics")]
(log.log_start_offset, log.log_end_offset, len(log.segments), deleted)

# %%
# Every record was older than 60 s at the check, so every segment went, the active one included.
assert log.log_start_offset == log.log_end_offset == 50 and len(log.segments) == 1 and not log.segments[0].batches
print(f"log start offset {log.log_start_offset} = log end offset: one new, empty segment")

# %% [markdown]
# The log start offset jumped from 0 to the log end: the check ran when all 50 records were past 60 s, so all
# segments went — the active one too, after Kafka rolled a new empty segment. It moves by whole segments:
# with fresher records in the newest segments only the old ones would go. A consumer that now asks for offset
# 0 gets `OFFSET_OUT_OF_RANGE` and is moved by its `auto.offset.reset` policy. Replay only works inside the
# retention window.
#
# ## 2. Queue and pub-sub on one log
# Consumers that share a `group.id` split the partitions between them: each partition has exactly one reader
# in the group (a *queue*). Different groups each keep their own offsets, so each group sees every record
# (*pub-sub*). Below, a `clicks` topic with 6 partitions and 120 records is read by a 4-member `dashboard`
# group and a 1-member `warehouse` group.
#
# *Which* partitions each member gets is decided by the group's assignor; we use Kafka's own RangeAssignor
# algorithm here (librdkafka's first default). Notebook 05 runs the whole group protocol.

# %%
fanout = queue_vs_pubsub({"dashboard": 4, "warehouse": 1}, partitions=6, records=120)
pd.DataFrame(fanout["rows"], columns=["group", "consumer", "partitions", "records read"])

# %% [markdown]
# Inside `dashboard` the 120 records are shared out (40 + 40 + 20 + 20: six partitions do not split evenly
# four ways). `warehouse` alone reads all 120. A fifth or sixth `dashboard` member would help — with six
# partitions a seventh would sit idle, with no partition at all: **the partition count caps a group's
# parallelism**.

# %%
seven = queue_vs_pubsub({"dashboard": 7}, partitions=6, records=120)
idle = [row[1] for row in seven["rows"] if row[3] == 0]
assert len(idle) == 1
idle

# %% [markdown]
# ## 3. Designing the ingest layer for a clickstream
# The classic interview question: 100,000 events/s at peak, per-session ordering, three brokers, survive one
# broker failure without losing data. Three decisions:
#
# | decision | rule | why |
# |---|---|---|
# | partitions | ⌈peak × growth ÷ per-consumer rate⌉ | a group can use one consumer per partition; adding partitions later moves keys |
# | replication factor | 3 | one copy can die and two remain |
# | `min.insync.replicas` | 2 | an `acks=all` write needs two in-sync copies, or it is refused |
# | key | `session_id` | all of a session's events in one partition, so in order |
# | storage | events/s × bytes × retention × RF | every replica keeps every byte for the whole retention |
#
# The **sizing workbench** below does this arithmetic, then really creates the topic on a fresh simulated
# cluster with the `kafka-topics.sh` line it prints, and shows what `--describe` says and where the replicas
# went. Move the sliders. (Try `replication factor` 4: there are 4 brokers then. What changes in the graph?)

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.sizing import sizing_workbench

sizing_workbench(peak=100_000, per_consumer=5_000, growth=1.0, record_bytes=1_000, retention_days=7, rf=3)

# %% [markdown]
# The guide's own command, pasted unchanged (its `# 7 days` comment included):

# %%
created = cluster.cli("""kafka-topics.sh --bootstrap-server kafka-1:9092 \\
--create --topic clickstream \\
--partitions 20 \\
--replication-factor 3 \\
--config min.insync.replicas=2 \\
--config retention.ms=604800000 # 7 days""")
created

# %%
viz.describe_topic(cluster, "clickstream").head(6)

# %%
import matplotlib.pyplot as plt

viz.replica_graph(cluster, "clickstream")
plt.show()

# %% [markdown]
# Each partition has three replicas on three different brokers, and the leaders (thick lines) are spread so
# that every broker leads about a third of the partitions. That placement is the KRaft controller's striped
# placer, run from the cluster's seed.
#
# **Where the guide simplifies.** Its trace table says session 42 goes to "`hash(42) % 20` = P7". With a Java
# producer (murmur2) and with the Python client's default partitioner (CRC32) the real partitions are:

# %%
from kafkalab.partitioners import partition_for_key

{name: partition_for_key(b"42", 20, name) for name in ("java", "consistent_random")}

# %% [markdown]
# Neither is 7, and the two clients disagree — the number in the guide is only an illustration. Notebook 02
# shows why the clients differ and how to make a Python producer place keys like a Java one.
#
# The guide's producer config runs against the simulator with only its import line changed
# (`from kafkalab.confluent_kafka import Producer` instead of `from confluent_kafka import Producer`):

# %%
from kafkalab.confluent_kafka import Producer as ConfluentProducer

clicks = ConfluentProducer({"bootstrap.servers": "kafka-1:9092,kafka-2:9092,kafka-3:9092", "acks": "all",
                            "enable.idempotence": True, "compression.type": "zstd", "linger.ms": 10,
                            "batch.size": 65536})
clicks.produce("clickstream", key=str(42).encode(), value=b'{"session_id": 42, "click": "home"}')
clicks.flush()

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — size a topic for a workload
# A product-analytics feed peaks at **60,000 events/s**; one consumer handles **4,000 events/s**; plan for
# **1.5×** growth; records are **2,000 bytes**; keep them **3 days**; the storage budget is **120 TB**; and
# the topic must survive one broker loss without losing acknowledged writes. Give the topic's settings.
# The checker creates your topic with `kafka-topics.sh` on a fresh cluster, hands a grown consumer group its
# partitions, checks the storage, and writes through a broker crash.

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = {"partitions": 23, "replication_factor": 3, "min_insync_replicas": 2, "retention_ms": 3 * 86_400_000}
### END SOLUTION

# %% tags=["check"]
check("size_ingest_topic", answer)


# %% [markdown]
# ### Exercise 2 — pick the key that keeps each session in order
# Write `key_for(event)` returning the record key (bytes) for a click event. Events have `.session_id`,
# `.user_id`, `.event_id` and `.page`; one bot user owns 30% of all sessions. The checker produces a whole
# clickstream through the simulator into 20 partitions, reads every partition back, and checks that each
# session's clicks stayed together and in order — and that no partition is a hot spot.

# %% tags=["exercise"]
def key_for(event):
    return None
### BEGIN SOLUTION
def key_for(event):
    return event.session_id.encode()
### END SOLUTION


# %% tags=["check"]
check("session_key", key_for)

# %% [markdown]
# ### Exercise 3 — make one broker's loss harmless
# Write the `kafka-topics.sh --create` command for a topic named `payments` (6 partitions) on this three-broker
# cluster, such that with **one** broker down `acks=all` writes still succeed and nothing acknowledged is lost,
# and with **two** down writes are refused rather than accepted on a single copy.

# %% tags=["exercise"]
command = None
### BEGIN SOLUTION
command = ("kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic payments --partitions 6 "
           "--replication-factor 3 --config min.insync.replicas=2")
### END SOLUTION

# %% tags=["check"]
check("survive_broker_loss", command)

# %% [markdown]
# ### Exercise 4 — predict, then run: who reads what?
# Section 2's fan-out, resized: `clicks` now has **8** partitions with 20 records each; group `dashboard` has
# **3** consumers, group `warehouse` has **2**. Predict `(records read by the busiest dashboard consumer,
# records read by the busiest warehouse consumer)` and record it **before** running the cell after it.

# %% tags=["exercise"]
guess = None
### BEGIN SOLUTION
guess = (60, 80)
### END SOLUTION
predict("predict_fanout", guess)

# %%
reveal("predict_fanout")  # from here on the answer is on the page: the guess above is final
rows = queue_vs_pubsub({"dashboard": 3, "warehouse": 2}, partitions=8, records=160)["rows"]
pd.DataFrame(rows, columns=["group", "consumer", "partitions", "records read"])

# %% tags=["check"]
check("predict_fanout")


# %% [markdown]
# ### Exercise 5 — replay the last *n* records
# Write `replay(consumer, tp, n)`: the consumer is assigned to `tp` and has already read everything. Move it
# back so that it returns the last `n` records of the partition again, in order — and behave when retention has
# already deleted some of them. (`consumer.get_watermark_offsets(tp)` and `consumer.seek(...)` will help.)

# %% tags=["exercise"]
def replay(consumer, tp, n):
    return None
### BEGIN SOLUTION
def replay(consumer, tp, n):
    low, high = consumer.get_watermark_offsets(tp)
    start = max(low, high - n)
    consumer.seek(TopicPartition(tp.topic, tp.partition, start))
    out = []
    while len(out) < high - start:
        out += consumer.consume(500, timeout=1)
    return out
### END SOLUTION


# %% tags=["check"]
check("replay_last_n", replay)

# %% [markdown]
# ## Summary
# - A partition is an append-only log; offsets are positions in it; reading moves only the reader's position.
# - Retention deletes whole old segments by time or size; replay works inside that window.
# - One group shares partitions (queue); separate groups each read everything (pub-sub). The partition count
#   caps a group's parallelism.
# - Size partitions for the consumers you will need after growth; storage is bytes × retention × RF;
#   RF=3 with `min.insync.replicas=2` and `acks=all` survives one broker loss and refuses writes after two.
#
# Stuck on an exercise? `hint("session_key")` shows the next hint; after a first try, `solution("session_key")`
# explains the answer.
