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
# (sections 4–6: share groups against consumer groups)

# %% [markdown]
# ## Part C · What changed between versions
# (sections 7–8: version profiles)

# %% [markdown]
# ## Summary
