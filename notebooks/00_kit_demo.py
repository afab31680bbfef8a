# %% [markdown]
# # 00 · How the kit works
#
# **Goals**: run a cell, answer an exercise and `check` it; ask for a `hint`; predict a value
# before the cell that shows it. Every later notebook uses these four calls.

# %%
from kafkalab.exercises import check, hint, predict, solution
from kafkalab.exercises.demo import DEMO_REPLICATION_FACTOR, DEMO_TOPICS

DEMO_TOPICS, DEMO_REPLICATION_FACTOR

# %% [markdown]
# ## Exercise: count the partitions
# The cluster above hosts three topics with `replication.factor` 3. Set `answer` to the number of
# partitions, then run the check cell. Stuck? `hint("demo_partition_count")`; after a first try,
# `solution("demo_partition_count")`.

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = sum(DEMO_TOPICS.values())
### END SOLUTION

# %% tags=["check"]
check("demo_partition_count", answer)

# %% [markdown]
# ## Predict, then run
# How many replicas does the cluster store in total? Record your guess *before* the next cell shows it.

# %% tags=["exercise"]
guess = None
### BEGIN SOLUTION
guess = 30
### END SOLUTION
predict("demo_replica_count", guess)

# %%
sum(DEMO_TOPICS.values()) * DEMO_REPLICATION_FACTOR

# %% tags=["check"]
check("demo_replica_count")

# %% [markdown]
# **Summary**: a check cell prints `✓` or stops with one line saying what is wrong. `pytest --nbval-lax`
# on this notebook grades every check at once.
