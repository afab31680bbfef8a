"""Renderers: pure functions of model state and trace returning DataFrames or matplotlib Axes.

* tables/graphs — ``describe_topic``, ``log_table``, ``partition_load``, ``key_placement``,
  ``replica_graph`` (notebooks 01–02);
* replication — ``offset_strip``, ``isr_timeline``, ``timeline_table`` (notebook 03);
* producer — ``batch_table``, ``batch_timeline``, ``log_origins``, ``sweep_plot`` (notebook 04);
* groups — ``assignment_table``/``_graph``, ``rebalance_timeline``, ``lag_table``/``_heatmap``,
  ``offsets_topic_table`` (notebook 05);
* txn — ``txn_offset_strip``, ``isolation_views``, ``txn_state_table``, ``txn_offsets_table``,
  ``state_machine_graph``, ``txn_swimlanes`` (notebook 06).
"""
from .graphs import replica_edges, replica_graph
from .groups import (assignment_graph, assignment_table, lag_heatmap, lag_table, offsets_topic_table, pause_table,
                     rebalance_timeline)
from .producer import batch_table, batch_timeline, log_origins, sweep_plot
from .replication import isr_intervals, isr_timeline, offset_strip, timeline_table
from .tables import describe_topic, key_placement, log_table, metadata_log_table, partition_load, trace_table
from .txn import (isolation_views, state_machine_graph, txn_offset_strip, txn_offsets_table, txn_state_table,
                  txn_swimlanes)

__all__ = ["assignment_graph", "assignment_table", "batch_table", "batch_timeline", "describe_topic", "isr_intervals",
           "isr_timeline", "key_placement", "lag_heatmap", "lag_table", "log_origins", "log_table",
           "metadata_log_table",
           "offset_strip", "offsets_topic_table", "partition_load", "pause_table", "rebalance_timeline",
           "replica_edges", "replica_graph", "sweep_plot", "timeline_table", "trace_table", "isolation_views",
           "state_machine_graph", "txn_offset_strip", "txn_offsets_table", "txn_state_table", "txn_swimlanes"]
