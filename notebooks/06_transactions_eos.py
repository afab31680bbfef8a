# %% [markdown]
# # 06 · Exactly-once: transactions, markers, the LSO and fencing
#
# **Goals.** By the end you can
# - name the three parts of Kafka's exactly-once (idempotent producer, transactions, `read_committed`) and
#   say which hole each one closes;
# - read what a transaction leaves behind: records, COMMIT/ABORT markers that take offsets, the last stable
#   offset (LSO), `__consumer_offsets` entries and `__transaction_state` records with their real epochs;
# - explain how a zombie is fenced, and what `transaction.timeout.ms` does to a stuck producer;
# - write a consume-transform-produce loop that survives a crash anywhere, and say where exactly-once ends.
#
# Every call below runs the real transaction protocol against the simulated Kafka 4.x cluster: FindCoordinator,
# InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn, WriteTxnMarkers — over the
# simulated network, on the virtual clock. The client follows librdkafka (confluent-kafka); its error names
# and flags were checked against the real client on librdkafka's mock cluster.

# %%
import json

import matplotlib.pyplot as plt
import pandas as pd

from kafkalab import Cluster, viz
from kafkalab.clients import Consumer, Producer
from kafkalab.clients.common import TopicPartition
from kafkalab.clients.producer import JavaProducer
from kafkalab.errors import KafkaException
from kafkalab.exercises import check, hint, predict, solution
from kafkalab.groups.coordinator import coordinator_for
from kafkalab.txn import txn_coordinator_for
from kafkalab.txn_lab import CRASH_POINTS, OUTPUT, enrich, eos_pipeline, read_output, rewind

# %% [markdown]
# ## 1. The guide's worked example, run as written
# Three records `k=42, {"a": 1..3}` arrive on `raw-events`. As in the guide they sit at offsets 100–102: the
# group `etl-transformer` has already processed the first 100.

# %%
cluster = Cluster(brokers=3, seed=42)
for topic in ("raw-events", "enriched-events"):
    cluster.create_topic(topic, partitions=1, replication_factor=3)
feed = Producer({"bootstrap.servers": "kafka-1:9092", "enable.idempotence": True})
for i in range(100):
    feed.produce("raw-events", key=b"0", value=json.dumps({"a": -i}).encode())
for a in (1, 2, 3):
    feed.produce("raw-events", key=b"42", value=json.dumps({"a": a}).encode())
feed.flush()
done = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "etl-transformer"})
done.commit(offsets=[TopicPartition("raw-events", 0, 100)], asynchronous=False)
done.close()

# %% [markdown]
# The guide's loop is `while True:`. In a real notebook you would stop it with *Interrupt kernel*; here the
# simulator does that for you once 30 s of virtual time have passed (`Cluster.interrupt_at`), so the next
# cell ends in a `KeyboardInterrupt`. The code is the guide's, with only the import changed.

# %%
cluster.interrupt_at(cluster.now + 30_000)

# %% tags=["raises-exception"]
from kafkalab.confluent_kafka import Consumer, Producer
import json

consumer = Consumer({
    "bootstrap.servers": "kafka-1:9092",
    "group.id": "etl-transformer",
    "enable.auto.commit": False,
    "isolation.level": "read_committed",
})

producer = Producer({
    "bootstrap.servers": "kafka-1:9092",
    "transactional.id": "etl-transformer-001",
    "acks": "all",
    "enable.idempotence": True,
})

producer.init_transactions()
consumer.subscribe(["raw-events"])

while True:
    msg = consumer.poll(1.0)
    if msg is None or msg.error():
        continue

    producer.begin_transaction()
    try:
        raw = json.loads(msg.value())
        enriched = {**raw, "enriched": True, "ts": "2026-05-27T00:00:00Z"}
        producer.produce(
            "enriched-events",
            key=msg.key(),
            value=json.dumps(enriched).encode(),
        )
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()),
            consumer.consumer_group_metadata(),
        )
        producer.commit_transaction()
    except Exception:
        producer.abort_transaction()

# %% [markdown]
# Before looking at what landed: each transaction wrote one record. **Predict** the offsets at which a
# `read_committed` reader finds the three enriched records (a list), then run the reveal.

# %% tags=["exercise"]
guess_offsets = None
### BEGIN SOLUTION
guess_offsets = [0, 2, 4]
### END SOLUTION
predict("predict_guide_offsets", guess_offsets)

# %%
cluster.interrupt_at(None)
cluster.run(100)
enriched = pd.DataFrame([(o, json.loads(v)) for o, v in read_output(cluster, "read_committed", "enriched-events")],
                        columns=["offset", "value"])
enriched

# %% tags=["check"]
check("predict_guide_offsets")

# %% [markdown]
# Offsets 1, 3 and 5 hold the COMMIT markers: a marker is a record batch of its own and takes an offset, so
# the offsets of a transactional topic have gaps. `__consumer_offsets` got the group's offsets *inside* each
# transaction — a transactional record from the producer's id, then the marker that makes it count:

# %%
offsets_table = viz.txn_offsets_table(cluster, "etl-transformer")
committed = coordinator_for(cluster).committed_offsets("etl-transformer")[("raw-events", 0)][0]
offsets_table

# %%
txn_log = viz.txn_state_table(cluster, "etl-transformer-001")
epochs = sorted(set(txn_log["producer_epoch"]))
txn_log[["offset", "time_ms", "state", "producer_id", "producer_epoch", "partitions"]]


# %% [markdown]
# Where the guide is off about real Kafka:
# - **`begin_transaction()` writes nothing.** It only changes the client's state. The coordinator first hears of
#   the transaction at the first `AddPartitionsToTxn` (or `AddOffsetsToTxn`), which writes an `Ongoing` record.
#   There is no `PREPARED` status: the states are `Ongoing → PrepareCommit → CompleteCommit` (eight in all, below).
# - **The epochs.** confluent-kafka (librdkafka) bumps the epoch only in `init_transactions()`: all three
#   transactions above ran with the epochs in the next cell's output, not 7, 8, 9. Per-transaction epochs come
#   with `transaction.version=2` (KIP-890, the default on clusters formatted by Kafka 4.0+) *and* a client that
#   speaks it — the 4.x Java producer does; librdkafka sends the old `EndTxn` v1:

# %%
def three_commits(make):
    c = Cluster(brokers=3, seed=1)
    c.create_topic("out", partitions=1, replication_factor=3)
    p = make(c)
    p.init_transactions()
    for _ in range(3):
        p.begin_transaction()
        p.produce("out", b"x", partition=0)
        p.commit_transaction()
    c.run(50)
    states = viz.txn_state_table(c, "etl-1")
    return states[states.state == "CompleteCommit"]["producer_epoch"].tolist()

conf = {"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"}
{"guide's loop (librdkafka)": epochs,
 "confluent-kafka, 3 commits": three_commits(lambda c: Producer(conf, cluster=c)),
 "Java 4.x on TV2, 3 commits": three_commits(lambda c: JavaProducer(conf, cluster=c))}


# %% [markdown]
# - **`except Exception: abort_transaction()` loses the message.** After an abort the consumer's position is
#   already past the record, so the next transaction commits offsets beyond it. A correct loop seeks back to the
#   committed offsets after aborting (`rewind` below). Here the broker refuses one batch of the pipeline:

# %%
def guide_step(consumer, producer):
    msgs = [m for m in consumer.consume(20, timeout=1.0) if m.error() is None]
    if not msgs:
        return
    producer.begin_transaction()
    try:
        for m in msgs:
            producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata())
        producer.commit_transaction()
    except Exception:
        producer.abort_transaction()

refused = {3: ("Produce", 87)}  # INVALID_RECORD for one produce request: an abortable error
{"guide's except": [a["kind"] for a in eos_pipeline(step=guide_step, broker_errors=refused).anomalies],
 "abort + rewind": [a["kind"] for a in eos_pipeline(broker_errors=refused).anomalies]}

# %% [markdown]
# ## 2. The coordinator's state machine, and the RPCs of one transaction
# The transaction coordinator of `etl-transformer-001` is the leader of `__transaction_state` partition
# `abs(hashCode("etl-transformer-001")) % 50`. Its eight states and their allowed transitions are Kafka's
# (`TransactionMetadata`); the thick edges are the path the guide's three transactions took, numbered:

# %%
svc = txn_coordinator_for(cluster)
print(f"__transaction_state partition {svc.partition_for('etl-transformer-001')}, "
      f"led by broker {svc.coordinator_broker('etl-transformer-001')}")
viz.state_machine_graph(cluster.trace, "etl-transformer-001")
plt.show()

# %% [markdown]
# One transaction as a sequence diagram: the producer registers the partition and the offsets, the group
# coordinator stores the offsets as a transactional record, `EndTxn` writes `PrepareCommit`, the coordinator
# answers and then writes the markers to every partition of the transaction before `CompleteCommit`.

# %%
first_commit = cluster.trace.filter("txn.complete", transactional_id="etl-transformer-001")[0].time_ms
viz.txn_swimlanes(cluster.trace, "etl-transformer-001", until_ms=first_commit)
plt.show()

# %% [markdown]
# ## 3. A zombie, fenced
# An instance opens a transaction, writes, and stalls (a long GC pause). Its replacement starts with the same
# `transactional.id` and calls `init_transactions()`. **Predict** `(the replacement's epoch, the error name the
# zombie gets when it wakes up and commits)`.

# %% tags=["exercise"]
guess_fence = None
### BEGIN SOLUTION
guess_fence = (2, "_FENCED")
### END SOLUTION
predict("predict_fence", guess_fence)

# %%
zc = Cluster(brokers=3, seed=9)
zc.create_topic("out", partitions=1, replication_factor=3)
zconf = {"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"}
zombie = Producer(zconf, cluster=zc)
zombie.init_transactions()
zombie.begin_transaction()
zombie.produce("out", b"zombie's write", partition=0)
zombie.flush()
fresh = Producer(zconf, cluster=zc)
fresh.init_transactions()
try:
    zombie.commit_transaction()
except KafkaException as e:
    fenced = e.args[0]
(fresh.producer_epoch, fenced.name(), fenced.fatal(), fenced.str())

# %% tags=["check"]
check("predict_fence")

# %% [markdown]
# The coordinator found the zombie's transaction `Ongoing`: it aborted it under a bumped epoch
# (`PrepareEpochFence → PrepareAbort`, the ABORT marker carries that epoch), told the new instance
# `CONCURRENT_TRANSACTIONS`, and bumped once more when it retried. The zombie's write is aborted, never merged;
# its error is fatal: the process must exit. The new instance's path, in `__transaction_state`:

# %%
viz.txn_state_table(zc, "etl-1")[["offset", "state", "producer_epoch", "partitions"]]

# %% [markdown]
# ## 4. An abort, an open transaction, and what each isolation level sees
# One transaction commits, one aborts, one stays open; a plain producer writes after them. **Predict**
# `(LSO, HW, offsets a read_committed reader gets)` for a partition whose *only* content is an open
# transaction of 3 records followed by 2 plain records.

# %% tags=["exercise"]
guess_lso = None
### BEGIN SOLUTION
guess_lso = (0, 5, [])
### END SOLUTION
predict("predict_open_lso", guess_lso)

# %%
from kafkalab.exercises.nb06 import open_transaction_view

open_transaction_view()

# %% tags=["check"]
check("predict_open_lso")

# %%
ic = Cluster(brokers=3, seed=1)
ic.create_topic("o", partitions=1, replication_factor=3)
tp = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "t"}, cluster=ic)
tp.init_transactions()
for value, end in ((b"c1", "commit"), (b"a1", "abort"), (b"open", None)):
    tp.begin_transaction()
    tp.produce("o", value, partition=0)
    tp.flush()
    if end:
        (tp.commit_transaction if end == "commit" else tp.abort_transaction)()
plain = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=ic)
plain.produce("o", b"plain", partition=0)
plain.flush()
ic.run(50)
viz.txn_offset_strip(ic, "o", 0, views=viz.isolation_views(ic, "o", 0))
plt.show()

# %% [markdown]
# The same partition as an operator sees it on the leader's disk: `kafka-dump-log.sh` prints each batch
# with `isTransactional` and `isControl`, and each marker as `endTxnMarker: COMMIT` or `ABORT`.

# %%
print(ic.cli("kafka-dump-log.sh --files /tmp/kafka-logs/o-0/00000000000000000000.log --print-data-log"))

# %% [markdown]
# `read_uncommitted` reads to the HW and gets the aborted record too; `read_committed` reads to the LSO, drops
# the aborted record (the fetch response lists the partition's aborted transactions) and never sees a marker.
# The plain record after the open transaction is invisible to it until that transaction ends: **one open
# transaction holds back every `read_committed` reader of the partition.** Which is the default?

# %%
from kafkalab.config import JAVA_CONSUMER_DEFAULTS, validate_client_config

{"confluent-kafka (librdkafka)": validate_client_config({"group.id": "g"}, "consumer")["isolation.level"],
 "Java consumer": JAVA_CONSUMER_DEFAULTS["isolation.level"]}

# %% [markdown]
# ## 5. `transaction.timeout.ms`: the coordinator aborts, the producer is fenced
# A producer opens a transaction and never ends it. Every
# `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10 s) the coordinator aborts transactions older
# than their timeout — under a bumped epoch, so the stuck producer is fenced when it comes back. Until then the
# LSO stands still.

# %%
tc = Cluster(brokers=3, seed=4)
tc.create_topic("o", partitions=1, replication_factor=3)
stuck = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "stuck",
                  "transaction.timeout.ms": 15_000}, cluster=tc)
stuck.init_transactions()
stuck.begin_transaction()
stuck.produce("o", b"never committed", partition=0)
stuck.flush()
log = tc.partition_log("o", 0)
lso_before = (log.last_stable_offset, log.high_watermark)
tc.run(30_000)
timeouts = [(e.time_ms, e.fields["timeout_ms"]) for e in tc.trace.filter("txn.timeout")]
try:
    stuck.commit_transaction()
except KafkaException as e:
    late = e.args[0]
{"LSO, HW while open": lso_before, "aborted by the coordinator at (ms, timeout)": timeouts,
 "LSO, HW after": (log.last_stable_offset, log.high_watermark), "commit afterwards": (late.name(), late.fatal())}

# %% [markdown]
# A broker refuses `transaction.timeout.ms` above its `transaction.max.timeout.ms` (15 min by default) at
# `init_transactions()`:

# %%
strict = Cluster(brokers=3, seed=4, broker_config={"transaction.max.timeout.ms": 60_000})
too_long = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "long",
                     "transaction.timeout.ms": 120_000}, cluster=strict)
try:
    too_long.init_transactions()
except KafkaException as e:
    refused_timeout = e.args[0]
refused_timeout.name(), refused_timeout.fatal()

# %% [markdown]
# ### A hanging transaction
# A timeout ends a transaction the coordinator knows about. A *hanging* one it does not know: a produce request
# stuck in the network for 40 s outlives its transaction — the client timed the message out, aborted and bumped
# its epoch — and then reaches the leader. With `transaction.partition.verification.enable=false` (the only
# behaviour before Kafka 3.6) the leader appends it and opens a transaction no coordinator will ever end; the
# LSO stays behind it. The operator's tool finds it and aborts it:

# %%
from kafkalab.txn_lab import hanging_transaction

hc, hp = hanging_transaction(verification=False)
hlog = hc.partition_log("payments", hp)
print(f"LSO {hlog.last_stable_offset}, HW {hlog.high_watermark}")
print(hc.cli("kafka-transactions.sh --bootstrap-server kafka-1:9092 find-hanging --topic payments "
             "--max-transaction-timeout 1"))

# %%
start = min(hlog.ongoing_txns.values())
print(hc.cli(f"kafka-transactions.sh --bootstrap-server kafka-1:9092 abort --topic payments --partition {hp} "
             f"--start-offset {start}"))
hc.run(100)
f"LSO {hlog.last_stable_offset}, HW {hlog.high_watermark}"

# %% [markdown]
# With verification on (the default since 3.6, KIP-890 part 1) the leader first asks the coordinator whether the
# partition is in that producer's ongoing transaction, and refuses the stuck batch:

# %%
vc, vp = hanging_transaction(verification=True)
[(e.fields["error"], e.fields["reason"]) for e in vc.trace.filter("produce.reject")]

# %% [markdown]
# ## 6. Crash it anywhere
# The loop from section 1 (with the rewind), killed at every point of an iteration — and, for comparison, the
# same loop without transactions (write, flush, then `consumer.commit()`). The history checker compares the
# input with what a `read_committed` reader finds in the output.

# %%
rows = []
for point in CRASH_POINTS:
    for transactional in (True, False):
        run = eos_pipeline(crashes={2: point}, transactional=transactional)
        kinds = sorted({a["kind"] for a in run.anomalies})
        rows.append({"crash point": point, "transactions": transactional, "anomalies": ", ".join(kinds) or "—",
                     "output records": len(run.output), "inputs": len(run.inputs)})
crash_table = pd.DataFrame(rows).pivot(index="crash point", columns="transactions", values="anomalies")
crash_table

# %% [markdown]
# With transactions every crash point is exactly-once; without them a crash between the flushed writes and the
# offset commit (`before_commit`) and a zombie that wakes up and commits both duplicate records. The explorer
# re-runs any crash; the picture is the output partition — note the aborted attempt that only
# `read_uncommitted` sees.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.txn import crash_point_explorer

crash_point_explorer(point="before_commit", at=2)

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — the configs
# Give the three configs of an exactly-once pipeline as `{"consumer": {...}, "producer": {...},
# "downstream": {...}}`: the pipeline's consumer, its producer, and a consumer that reads the output. The
# checker runs the pipeline with crashes and a zombie on several seeds, then reads the output with your
# downstream config.

# %% tags=["exercise"]
configs = None
### BEGIN SOLUTION
configs = {"consumer": {"enable.auto.commit": False, "isolation.level": "read_committed"},
           "producer": {"transactional.id": "etl-transformer-001"},
           "downstream": {"isolation.level": "read_committed"}}
### END SOLUTION

# %% tags=["check"]
check("eos_configs", configs)


# %% [markdown]
# ### Exercise 2 — write the loop body
# Write `step(consumer, producer)`: one iteration that polls a batch from `raw-events`, writes
# `enrich(value)` of each record to `OUTPUT` and commits the consumer's progress with the results. The checker
# kills the process at every point of section 6, wakes a zombie, fails the coordinator, and has the broker
# refuse a batch — then checks that every input is in the output exactly once.

# %% tags=["exercise"]
def step(consumer, producer):
    pass
### BEGIN SOLUTION
def step(consumer, producer):
    msgs = [m for m in consumer.consume(20, timeout=1.0) if m.error() is None]
    if not msgs:
        return
    producer.begin_transaction()
    try:
        for m in msgs:
            producer.produce(OUTPUT, key=m.key(), value=enrich(m.value()))
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                             consumer.consumer_group_metadata())
        producer.commit_transaction()
    except KafkaException as e:
        if e.args[0].fatal():
            raise  # fenced: this instance is a zombie and must stop
        producer.abort_transaction()
        rewind(consumer)  # back to the committed offsets, or the aborted batch is skipped
### END SOLUTION


# %% tags=["check"]
check("eos_step", step)

# %% [markdown]
# ### Exercise 3 — predict the offsets
# Three transactions of one record each go to a new partition: commit, abort, commit. Which offsets does a
# `read_committed` reader get?

# %% tags=["exercise"]
guess_three = None
### BEGIN SOLUTION
guess_three = [0, 4]
### END SOLUTION
predict("predict_marker_offsets", guess_three)

# %%
from kafkalab.exercises.nb06 import committed_offsets_after_three

committed_offsets_after_three()

# %% tags=["check"]
check("predict_marker_offsets")


# %% [markdown]
# ### Exercise 4 — where exactly-once ends: an idempotent SQLite sink
# A consumer loads orders into a real SQLite table (`CREATE TABLE orders (order_id TEXT PRIMARY KEY, version
# INTEGER, amount INTEGER)`). It is at-least-once — Kafka's transactions cannot reach into SQLite — and the
# checker kills it after two writes, before it commits, so those batches arrive again. Write `write(conn, rows)`
# (each row a dict `order_id`, `version`, `amount`; several versions of an order arrive in order) so that the
# table ends with every order once, in its latest version.

# %% tags=["exercise"]
def write(conn, rows):
    pass
### BEGIN SOLUTION
def write(conn, rows):
    conn.executemany("INSERT INTO orders VALUES (:order_id, :version, :amount) "
                     "ON CONFLICT(order_id) DO UPDATE SET version = excluded.version, amount = excluded.amount "
                     "WHERE excluded.version >= orders.version", rows)
### END SOLUTION


# %% tags=["check"]
check("idempotent_sqlite_sink", write)

# %% [markdown]
# ## Summary
# - Exactly-once = idempotent producer (no duplicates from retries) + transactions (writes and consumer offsets
#   commit together) + `read_committed` (readers skip open and aborted transactions). librdkafka reads committed
#   by default; the Java consumer does not.
# - `begin_transaction()` is local; the coordinator's states are Empty, Ongoing, PrepareCommit/PrepareAbort,
#   CompleteCommit/CompleteAbort (plus Dead, PrepareEpochFence), written to `__transaction_state` before they apply.
# - Markers take offsets; the LSO stops at the oldest open transaction, so one stuck producer stalls every
#   `read_committed` reader until `transaction.timeout.ms` aborts it — or for ever, if the transaction is hanging
#   (`kafka-transactions.sh find-hanging` / `abort`; partition verification prevents it since 3.6).
# - `init_transactions()` bumps the epoch and aborts the previous instance's open transaction; the zombie's next
#   call fails with a fatal `_FENCED`. Per-transaction epoch bumps need `transaction.version=2` and a 4.x Java client.
# - After an abortable error: abort, then seek back to the committed offsets. Past Kafka (a database, a
#   warehouse) you need an idempotent upsert on the business key.
#
# Stuck? `hint("eos_step")` gives the next hint; after a first try, `solution(...)` explains.
