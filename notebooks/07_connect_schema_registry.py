# %% [markdown]
# # 07 · Kafka Connect and Schema Registry
#
# **Goals.** By the end you can
# - say what Kafka Connect gives a sink that a hand-written consumer does not, on five axes, from runs;
# - configure a sink so a poison record lands in a dead letter topic and nothing is lost;
# - predict the registry's verdict for a schema change under each compatibility level.
#
# Everything runs on the simulated cluster: the registry keeps its schemas in the compacted `_schemas`
# topic, Connect's workers form a group and keep their state in `connect-configs`, `connect-offsets` and
# `connect-status`, and the sink writes into an embedded SQLite database.

# %%
import json

import pandas as pd

import kafkalab
from kafkalab.ecosystem.connect import ConnectCluster, database
from kafkalab.ecosystem.schema_registry import LEVELS, SchemaRegistry, parse, verdict
from kafkalab.exercises import check, hint, predict, solution
from kafkalab.exercises.nb07 import ORDER, order, sink_run
from kafkalab.viz.ecosystem import connect_graph, connect_status_table, record_path, subject_history

# %% [markdown]
# ## 1. The same events, two ways
# Six orders, one of them not JSON, land through a hand-written consumer (the loop a team writes first) and
# through the JDBC sink connector. The consumer's loop is the one from notebook 05: read, insert, commit.

# %%
EVENTS = [order(0), order(1), "not json", order(3), order(4), order(5)]


def custom_consumer(events):
    cluster = kafkalab.Cluster(brokers=3, seed=7)
    p = cluster.producer({"acks": "all"})
    for i, v in enumerate(events):
        p.produce("orders", key=str(i), value=v)
    p.flush()
    c = cluster.consumer({"group.id": "custom", "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe(["orders"])
    db, landed, error = database("custom"), 0, ""
    db.execute("CREATE TABLE IF NOT EXISTS orders (id INTEGER, amount REAL)")
    for m in c.consume(100, timeout=10):
        if m.error() is None:
            try:
                row = json.loads(m.value())["payload"]
            except ValueError as e:
                error = f"json.loads failed at offset {m.offset()}: {e}"
                break
            db.execute("INSERT INTO orders VALUES (?, ?)", (row["id"], row["amount"]))
            landed += 1
    db.conn.commit()
    return landed, error


custom_landed, custom_error = custom_consumer(EVENTS)
connector = sink_run({"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq",
                      "errors.deadletterqueue.context.headers.enable": "true"}, EVENTS)
pd.DataFrame([("rows landed", custom_landed, len(connector["rows"])),
              ("poison record", custom_error or "-", f"{len(connector['dlq'])} in orders-dlq"),
              ("committed offset", "none (the loop crashed first)", connector["committed"]),
              ("state afterwards", "exception in your code", connector["task"]["state"])],
             columns=["axis", "custom consumer", "JDBC sink connector"])

# %% [markdown]
# The custom loop stops at the poison record: everything after it waits until someone fixes the code. The
# connector skipped it into a dead letter topic with headers saying where it came from and why it failed,
# kept going, and committed its offsets only after the rows were written (every `offset.flush.interval.ms`).
#
# ## 2. A record's path: converter → SMTs → sink

# %%
smts = {"transforms": "mask,route",
        "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
        "transforms.mask.fields": "amount",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1-masked"}
record_path(smts, order(1).encode())

# %% [markdown]
# ## 3. Schema evolution under every level
# The registry checks a new schema against the latest version (plain levels) or every version
# (`_TRANSITIVE`). Below: v1 has `id`; v2 adds `email` *with* a default; v3 removes that default.

# %%
V1 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}'
V2 = ('{"type":"record","name":"User","fields":[{"name":"id","type":"long"},'
      '{"name":"email","type":"string","default":""}]}')
V3 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}'
history = [(1, parse(V1)), (2, parse(V2))]
pd.DataFrame([(level, *verdict(level, parse(V3), history)) for level in LEVELS],
             columns=["level", "v3 accepted", "registry's reason"])

# %% [markdown]
# Predict first: under each level, does v3 register after v1 and v2 (`"registered"`) or get HTTP 409?

# %% tags=["exercise"]
guess = None
### BEGIN SOLUTION
guess = {"BACKWARD": "registered", "BACKWARD_TRANSITIVE": 409, "FORWARD": "registered", "FULL_TRANSITIVE": 409}
### END SOLUTION
predict("predict_verdicts", guess)

# %% tags=["check"]
check("predict_verdicts")

# %% [markdown]
# The real thing, on the cluster: a registry whose state is the `_schemas` topic, and what it said.

# %%
cluster = kafkalab.Cluster(brokers=3, seed=42)
registry = SchemaRegistry(cluster)
from kafkalab.confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError

sr = SchemaRegistryClient({"url": "http://schema-registry:8081"})
sr.set_compatibility("users-value", "BACKWARD_TRANSITIVE")
for s in (V1, V2, V3):
    try:
        sr.register_schema("users-value", Schema(s))
    except SchemaRegistryError as e:
        print(e.http_status_code, e.error_code)
subject_history(cluster.trace, "users-value")

# %% [markdown]
# ## 4. Exercises
# **A schema change that is BACKWARD but not FORWARD compatible**, starting from this v1:

# %%
from kafkalab.exercises.nb07 import USER_V1

print(USER_V1)

# %% tags=["exercise"]
new_schema = None
### BEGIN SOLUTION
new_schema = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}'
### END SOLUTION

# %% tags=["check"]
check("backward_not_forward", new_schema)

# %% [markdown]
# **Poison records to the DLQ, nothing lost.** Settings to add to the JDBC sink.

# %% tags=["exercise"]
dlq_config = None
### BEGIN SOLUTION
dlq_config = {"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq",
              "errors.deadletterqueue.context.headers.enable": "true"}
### END SOLUTION

# %% tags=["check"]
check("dlq_sink", dlq_config)

# %% [markdown]
# **One row per order**, although orders 1 and 2 arrive twice.

# %% tags=["exercise"]
upsert_config = None
### BEGIN SOLUTION
upsert_config = {"insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id"}
### END SOLUTION

# %% tags=["check"]
check("idempotent_sink", upsert_config)

# %% [markdown]
# **An additive schema change** (a new optional `coupon` field from the third order on) must reach the table.

# %% tags=["exercise"]
evolve_config = None
### BEGIN SOLUTION
evolve_config = {"auto.evolve": "true"}
### END SOLUTION

# %% tags=["check"]
check("additive_change", evolve_config)

# %% [markdown]
# ## 5. Workers share tasks, and wait before taking over
# Two workers run a 4-task sink; worker 2 dies. Predict how many tasks run 15 s after, and 60 s after,
# with `scheduled.rebalance.max.delay.ms=30000` (KIP-415).

# %% tags=["exercise"]
handover_guess = None
### BEGIN SOLUTION
handover_guess = (2, 4)
### END SOLUTION
predict("predict_handover", handover_guess)

# %% tags=["check"]
check("predict_handover")

# %%
connect_cluster = kafkalab.Cluster(brokers=3, seed=21)
connect_cluster.create_topic("orders", partitions=4, replication_factor=3)
connect = ConnectCluster(connect_cluster, workers=2, config={"scheduled.rebalance.max.delay.ms": 30_000})
connect.create_connector("s", {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "topics": "orders",
                               "tasks.max": "4", "connection.url": "jdbc:sqlite:graph", "auto.create": "true"})
connect.run(15_000)
connect_status_table(connect.status("s"))

# %%
ax = connect_graph(connect_cluster.trace)
ax.figure

# %% [markdown]
# ## Summary
# - Connect gives a sink offsets committed after the write, dead letters with context, retries and a status
#   API without code; a custom consumer has to build each of those.
# - Compatibility levels: BACKWARD (the default) lets consumers upgrade after producers; plain levels check
#   only the latest version, `_TRANSITIVE` ones the whole history.
# - Where the guide simplifies: its Snowflake JSON gives the key's AvroConverter no `schema.registry.url`,
#   which Connect rejects; and the connector's group is `connect-<name>`, not the bare name.
