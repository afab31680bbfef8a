# %% [markdown]
# # 07 · Kafka Connect and Schema Registry
#
# **Goals.** By the end you can
# - say what Kafka Connect gives a sink that a hand-written consumer does not, on the guide's five axes (code,
#   offsets, retries and dead letters, schema evolution, observability), from runs rather than from a slide;
# - configure a sink so a poison record lands in a dead letter topic and nothing is lost;
# - predict the registry's verdict for a schema change under each compatibility level.
#
# Everything runs on the simulated cluster: the registry keeps its schemas in the compacted `_schemas`
# topic, Connect's workers form a group and keep their state in `connect-configs`, `connect-offsets` and
# `connect-status`, and the sink writes into an embedded SQLite database.

# %%
import inspect
import json

import pandas as pd

import kafkalab
from kafkalab.ecosystem.connect import ConnectCluster, versus
from kafkalab.ecosystem.connect.path import record_stages
from kafkalab.ecosystem.schema_registry import LEVELS, SchemaRegistry, parse, verdict
from kafkalab.exercises import check, predict
from kafkalab.viz.ecosystem import (
    connect_graph,
    connect_status_table,
    five_axes,
    record_path_diagram,
    subject_history,
    subject_timeline,
    versus_table,
)

# %% [markdown]
# ## 1. The same orders, two ways
# The guide compares a custom consumer with Kafka Connect for a sink on five axes. Here both run. Twelve orders
# (JsonConverter's envelope: a schema and a payload) go to `orders` on two identical seeded clusters, in three
# waves, at 0 s, 5 s and 10 s. On one, a hand-written loader writes them into an embedded SQLite database; on the
# other, the JDBC sink connector does. This is the loader, as such a loop is usually first written:

# %%
print(inspect.getsource(versus.CustomLoader.start) + "\n" + inspect.getsource(versus.CustomLoader.loop_once))

# %% [markdown]
# And this is the connector's side: settings, no code (plus `connector.class`, `topics` and `connection.url`).

# %%
print(json.dumps(versus.SINK_CONFIG, indent=1))

# %% [markdown]
# Then four things go wrong, the same way at the same virtual times for both: a poison record (order 5 is not
# JSON), a database outage shorter than the sink's retries (down from 4 s to 10 s) and one longer (4 s to 70 s),
# and an additive schema change (from order 4 on, a new optional field `coupon`). At 75 s an operator restarts
# whatever has failed (the loader's supervisor restarts it by itself, 10 s after each crash); the runs end at
# 100 s. Every number below is read from what the runs left: rows in the table, committed offsets, the dead
# letter topic, the loader's crashes, the connector's status JSON.
#
# **Predict first.** After the poison record, how many of the 11 good orders are missing from each table?

# %% tags=["exercise"]
poison_guess = None
### BEGIN SOLUTION
poison_guess = {"custom loader": 6, "JDBC sink connector": 0}
### END SOLUTION
predict("predict_poison", poison_guess)

# %% tags=["check"]
check("predict_poison")

# %%
outcomes = versus.compare()
table = versus_table(outcomes)
table[table["scenario"].isin(["clean", "poison record"])]

# %% [markdown]
# The loader dies at order 5, and since it commits offsets only after a whole batch, its supervisor restarts
# it at the same place every time: orders 6 to 11 never land, and order 4, which shared the poison record's
# batch and was inserted before the crash, is inserted again on every restart. The connector sent the poison
# record to `orders-dlq` (with `__connect.errors.*` headers saying where it came from and why) and went on.
#
# **Predict.** In the long outage (the database is down for 66 s), what is the connector task's state at 75 s,
# just before the operator steps in: `"RUNNING"` or `"FAILED"`?

# %% tags=["exercise"]
outage_guess = None
### BEGIN SOLUTION
outage_guess = "FAILED"
### END SOLUTION
predict("predict_long_outage", outage_guess)

# %% tags=["check"]
check("predict_long_outage")

# %%
table[table["scenario"].str.contains("outage")]

# %% [markdown]
# The JDBC sink retries a failed write by itself (`max.retries`=10, `retry.backoff.ms`=3000: 30 s), which rides
# out the short outage; the long one outlasts it, the task goes `FAILED` with the SQL error as its trace, and
# after the operator's `restart?includeTasks=true&onlyFailed=true` it resumes from its committed offset. The
# loader has no retries: each failed INSERT kills it, and it is its supervisor's restart loop that gets it
# through. Note that `errors.tolerance` played no part here: it covers converters and transforms, not the
# connector's own write. So does `errors.retry.timeout.ms`, and only for Connect's `RetriableException`; when
# those retries run out, Connect drops the record (to the dead letter topic if there is one) and goes on, even
# with `errors.tolerance=none`.
#
# **Predict.** From order 4 on, the producer's schema has an optional `coupon` field: how many of the 8 coupons
# does each side store?

# %% tags=["exercise"]
coupon_guess = None
### BEGIN SOLUTION
coupon_guess = {"custom loader": 0, "JDBC sink connector": 8}
### END SOLUTION
predict("predict_coupons", coupon_guess)

# %% tags=["check"]
check("predict_coupons")

# %%
table[table["scenario"] == "additive change"]

# %% [markdown]
# The sink saw a field its table lacked and, with `auto.evolve=true` and the field optional, ran `ALTER TABLE …
# ADD coupon`; the loader's fixed column list drops the field without a word. The guide's five axes, each cell
# computed from the runs above (or counted from the loader's code and the connector's settings):

# %%
five_axes(outcomes)

# %% [markdown]
# So Connect does not make a sink exactly-once: it commits offsets every `offset.flush.interval.ms` (60 s), after
# the writes, and a task that restarts re-delivers what came after its last commit (an upsert on the business
# key makes that harmless: the "one row per order" exercise below). What it gives without code is what the
# loader lacks: dead letters with context, retries with a budget, table evolution, and a status API that says
# which task failed and why.
#
# ## 2. A record's path: converter → SMTs → sink
# The same classes a task runs, applied to one order: JsonConverter, then `MaskField` and `RegexRouter`, then the
# JDBC sink's table and columns.

# %%
smts = {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "transforms": "mask,route",
        "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
        "transforms.mask.fields": "amount",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1_masked"}
ax = record_path_diagram(record_stages(smts, versus.order(1).encode()))
ax.figure

# %%
ax = record_path_diagram(record_stages(smts, b"not json"))
ax.figure

# %% [markdown]
# ## 3. Schema evolution under every level
# The registry checks a new schema against the latest version (plain levels) or every version
# (`_TRANSITIVE`). Below: v1 has `id`; v2 adds `email` *with* a default; v3 removes that default.

# %%
V1 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}'
V2 = ('{"type":"record","name":"User","fields":[{"name":"id","type":"long"},'
      '{"name":"email","type":"string","default":""}]}')
V3 = '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}'

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
# Apache Avro's reader/writer check, applied with Confluent's level rules, for all seven levels:

# %%
history = [(1, parse(V1)), (2, parse(V2))]
pd.DataFrame([(level, *verdict(level, parse(V3), history)) for level in LEVELS],
             columns=["level", "v3 accepted", "registry's reason"])

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
ax = subject_timeline(cluster.trace, "users-value")
ax.figure

# %%
subject_history(cluster.trace, "users-value")

# %% [markdown]
# Try other changes and levels. Each move builds a fresh registry, registers v1 and v2, sets the level on the
# subject and registers the change: the picture is the registry's answer, the table what every level would say.

# %% tags=["nbval-ignore-output"]
from kafkalab.widgets.schema_evolution import schema_evolution_explorer

schema_evolution_explorer()

# %% [markdown]
# ## 4. The guide's Snowflake connector JSON
# The guide's config gives the *value* converter a `schema.registry.url`, but the key converter is an
# AvroConverter too, with none of its own (converter settings are per converter: `key.converter.*`,
# `value.converter.*`). **Predict:** what does `POST /connectors` answer, and in what state are its tasks?
# Give a pair such as `(400, None)` or `(201, "RUNNING")`.

# %% tags=["exercise"]
guide_guess = None
### BEGIN SOLUTION
guide_guess = (201, "FAILED")
### END SOLUTION
predict("predict_guide_json", guide_guess)

# %% tags=["check"]
check("predict_guide_json")

# %%
from kafkalab.exercises.nb07 import GUIDE_CONFIG, snowflake_run

guide = snowflake_run(GUIDE_CONFIG, run_ms=20_000)
print("POST /connectors →", guide["status_code"], "| rows in PROD.ENRICHED_EVENTS:", len(guide["rows"]))
connect_status_table(guide["status"])

# %% [markdown]
# Connect creates it. Since Kafka 3.8 (KAFKA-13329) a connector's validation also validates its converters, but
# against the converter's `config()` definition, and Confluent's AvroConverter does not define one; its
# `schema.registry.url` is only required when a task *configures* the converter as it starts. So every task is
# `FAILED`, with `ConfigException: Missing required configuration "schema.registry.url"` as its trace, and
# nothing reaches the table. (The guide's comparison also says the group is named after the connector: it is
# `connect-enriched-to-snowflake`.) The connector runs here against the embedded database, and says so once.

# %% [markdown]
# ## 5. Exercises
# **Fix the guide's JSON** so that all four tasks run and every event lands (the events have no key).

# %% tags=["exercise"]
fixed_config = None
### BEGIN SOLUTION
fixed_config = dict(GUIDE_CONFIG, **{"key.converter.schema.registry.url": "http://schema-registry:8081"})
### END SOLUTION

# %% tags=["check"]
check("fix_guide_config", fixed_config)

# %% [markdown]
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
# **Ride out a 40 s database outage**: settings for the comparison's sink so that its task never fails and every
# order lands exactly once while the database is down from 4 s to 44 s.

# %% tags=["exercise"]
outage_config = None
### BEGIN SOLUTION
outage_config = {"max.retries": "20"}
### END SOLUTION

# %% tags=["check"]
check("survive_outage", outage_config)

# %% [markdown]
# ## 6. Workers share tasks, and wait before taking over
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

# %% [markdown]
# Worker 2 dies (no LeaveGroup: its session times out). 15 s later:

# %%
connect.crash_worker(2)
connect.run(15_000)
print("running now:", connect.assignment())
connect_status_table(connect.status("s"))

# %% [markdown]
# Only worker 1's two tasks run. The status API still says tasks 0 and 2 are `RUNNING` on `connect-2`: status
# is what each worker last wrote to `connect-status`, and a dead worker writes nothing. The leader holds those
# tasks back for `scheduled.rebalance.max.delay.ms` in case the worker returns. 45 s more, and the delay has run
# out:

# %%
connect.run(45_000)
print("running now:", connect.assignment())
connect_status_table(connect.status("s"))

# %%
ax = connect_graph(connect_cluster.trace)
ax.figure

# %% [markdown]
# ## Summary
# - Connect gives a sink offsets committed after the write, dead letters with context, retries with a budget,
#   table evolution and a status API without code; the hand-written loader has to build each of those, and in
#   the runs above it crash-looped on a poison record and dropped a new field. Neither is exactly-once: a
#   restarted task re-delivers what came after its last commit, so make the write idempotent (upsert).
# - Compatibility levels: BACKWARD (the default) lets consumers upgrade after producers; plain levels check
#   only the latest version, `_TRANSITIVE` ones the whole history.
# - Where the guide is wrong about real Kafka: its Snowflake JSON gives the key's AvroConverter no
#   `schema.registry.url`; Connect accepts it and every task fails at start. And the connector's consumer group
#   is `connect-<name>`, not the bare name.
