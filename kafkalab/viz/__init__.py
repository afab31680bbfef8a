"""Renderers: pure functions of model state and trace returning DataFrames or matplotlib Axes."""
from .graphs import replica_edges, replica_graph
from .tables import describe_topic, key_placement, log_table, partition_load, trace_table

__all__ = ["describe_topic", "key_placement", "log_table", "partition_load", "replica_edges", "replica_graph",
           "trace_table"]
