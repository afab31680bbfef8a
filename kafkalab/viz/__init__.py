"""Renderers: pure functions of model state and trace returning DataFrames or matplotlib Axes."""
from .graphs import replica_edges, replica_graph
from .tables import describe_topic, key_placement, log_table, partition_load, trace_table

__all__ = ["describe_topic", "key_placement", "log_table", "partition_load", "replica_edges", "replica_graph",
           "trace_table"]
from .groups import (assignment_graph, assignment_table, lag_heatmap, lag_table, offsets_topic_table,  # noqa: I001
                     pause_table, rebalance_timeline)

__all__ += ["assignment_graph", "assignment_table", "lag_heatmap", "lag_table", "offsets_topic_table", "pause_table",
            "rebalance_timeline"]
from .replication import isr_intervals, isr_timeline, offset_strip, timeline_table

__all__ += ["isr_intervals", "isr_timeline", "offset_strip", "timeline_table"]
