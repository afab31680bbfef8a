"""Renderers: pure functions of model state and trace returning DataFrames or matplotlib Axes.

* tables/graphs/partitions — ``describe_topic``, ``log_table``, ``partition_load``, ``key_placement``,
  ``replica_graph`` (a grid beyond a handful of partitions), ``replica_grid``, ``load_bars``
  (notebooks 01–02);
* replication — ``offset_strip``, ``isr_timeline``, ``timeline_table`` (notebook 03);
* producer — ``batch_table``, ``batch_timeline``, ``log_origins``, ``sweep_plot`` (notebook 04);
* groups — ``assignment_table``/``_graph``, ``rebalance_timeline``, ``lag_table``/``_heatmap``,
  ``offsets_topic_table`` (notebook 05);
* txn — ``txn_offset_strip``, ``isolation_views``, ``txn_state_table``, ``txn_offsets_table``,
  ``state_machine_graph``, ``txn_swimlanes`` (notebook 06);
* metrics — the broker and client metrics an operator watches, derived from the trace
  (``metrics_delta``, ``metrics_timeseries``, ``lag_timeline``; notebooks 03–05);
* share — ``share_partition_strip``, ``delivery_timeline``, ``guarantee_table`` (notebook 10);
* versions — ``version_table``, the defaults that changed between Kafka versions (notebook 10);
* palette — the kit's colours and what they mean (the gallery, notebook 00).

Every picture takes its colours, sizes, title, legend and alt text from :mod:`kafkalab.viz.style`;
every figure renderer registers seeded samples with :func:`kafkalab.viz.gallery.sample`, which the
figure check (``tests/test_figures.py``) and the gallery notebook draw.
"""
from .graphs import replica_edges, replica_graph, replica_grid
from .groups import (
    assignment_graph,
    assignment_table,
    lag_heatmap,
    lag_table,
    offsets_topic_table,
    pause_table,
    rebalance_timeline,
)
from .metrics import lag_timeline, metrics_delta, metrics_timeseries
from .palette import palette
from .partitions import load_bars
from .producer import batch_table, batch_timeline, log_origins, sweep_plot
from .replication import isr_intervals, isr_timeline, offset_strip, timeline_table
from .share import delivery_timeline, guarantee_table, share_partition_strip
from .tables import (
    TextTable,
    describe_topic,
    html_table,
    key_placement,
    log_table,
    metadata_log_table,
    partition_load,
    trace_table,
)
from .txn import (
    isolation_views,
    state_machine_graph,
    txn_offset_strip,
    txn_offsets_table,
    txn_state_table,
    txn_swimlanes,
)
from .versions import version_table

__all__ = ["TextTable", "assignment_graph", "assignment_table", "batch_table", "batch_timeline", "delivery_timeline",
           "describe_topic", "guarantee_table", "html_table", "isolation_views", "isr_intervals", "isr_timeline",
           "key_placement", "lag_heatmap", "lag_table", "lag_timeline", "load_bars", "log_origins", "log_table",
           "metadata_log_table", "metrics_delta", "metrics_timeseries", "offset_strip", "offsets_topic_table",
           "palette", "partition_load", "pause_table", "rebalance_timeline", "replica_edges", "replica_graph",
           "replica_grid", "share_partition_strip", "state_machine_graph", "sweep_plot", "timeline_table",
           "trace_table", "txn_offset_strip", "txn_offsets_table", "txn_state_table", "txn_swimlanes",
           "version_table"]
