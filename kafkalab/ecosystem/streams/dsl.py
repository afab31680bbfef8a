"""The Streams DSL: ``StreamsBuilder``, ``KStream``, ``KTable``, groupings and windowed streams.

Kafka's Java DSL in Python's snake_case, building the same topology Kafka builds::

    builder = StreamsBuilder()
    clicks = builder.stream("clicks", Consumed.with_(Serdes.String(), JsonSerde()))
    profiles = builder.table("user-profiles", Consumed.with_(Serdes.String(), JsonSerde()))
    (clicks.join(profiles, lambda click, profile: {**click, "tier": profile["tier"]})
           .group_by_key()
           .windowed_by(TimeWindows.of_size_with_no_grace(Duration.of_minutes(5)).advance_by(Duration.of_minutes(1)))
           .count(Materialized.as_("clicks-per-user-5m"))
           .to_stream()
           .to("clicks-per-user-5m-output"))
    topology = builder.build()
    print(topology.describe())

How Kafka builds it, and so kafkalab too (``InternalStreamsBuilder``, ``KStreamImpl``, ``KTableImpl``):

* Every operation adds a *graph node* and takes generated names from one counter:
  ``KSTREAM-SOURCE-0000000000``, ``KSTREAM-AGGREGATE-STATE-STORE-0000000003``, … A ``Named``
  name replaces the generated one but still uses up its number.
* ``build()`` writes the graph nodes into the topology in the order they were created (a
  priority queue, a node only after all its parents), so sub-topologies and describe() match.
* A key-changing operation (``map``, ``select_key``, ``flat_map``, ``group_by``) marks the stream
  "repartition required"; the next grouping or join inserts a repartition topic
  ``<prefix>-repartition`` (the store name, the ``Grouped``/``Joined`` name, or the previous
  node's name) with a sink, a filter and a source, which starts a new sub-topology.
* Joins record which source nodes must be **co-partitioned**; the partition counts are checked
  when the application's group rebalances (``Topics not co-partitioned: [...]``).

Python has no overloads, so a mapper or joiner that takes one more positional argument gets the
key too: ``map_values(lambda v: ...)`` or ``map_values(lambda k, v: ...)``; ``join(..., lambda v1,
v2: ...)`` or ``lambda k, v1, v2: ...``.
"""
from __future__ import annotations

import heapq
import re

from .errors import IllegalArgumentException, TopologyException
from .options import Branched, Consumed, Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined
from .processors import (
    JoinedGetterSupplier,
    KStreamAggregateSupplier,
    KStreamBranch,
    KStreamFilter,
    KStreamFlatMap,
    KStreamFlatMapValues,
    KStreamJoinWindow,
    KStreamKStreamJoin,
    KStreamKTableJoin,
    KStreamMap,
    KStreamMapValues,
    KStreamPeek,
    KTableAggregateSupplier,
    KTableKTableJoinMergerSupplier,
    KTableKTableJoinSide,
    KTableRepartitionMapSupplier,
    KTableSourceSupplier,
    KTableToStream,
    KTableTransformSupplier,
    PassThrough,
    SharedTimeTracker,
    SuppressSupplier,
    WindowAggregateSupplier,
    arity,
    enable_old_values,
    with_key,
)
from .serdes import ChangedSerde, Serdes, SessionWindowedSerde, TimeWindowedSerde
from .topology import InternalTopicProperties, StoreFactory, Topology
from .windows import JoinWindows, SessionWindows, SlidingWindows, TimeWindows

REPARTITION_TOPIC_SUFFIX = "-repartition"
_GENERATED = re.compile(r"KSTREAM.*-[0-9]{10}")


class EmitStrategy:
    """``EmitStrategy.on_window_update()`` (default: every update) or ``on_window_close()`` (final only)."""

    def __init__(self, on_close: bool):
        self.on_close = on_close

    @classmethod
    def on_window_update(cls) -> EmitStrategy:
        return cls(False)

    @classmethod
    def on_window_close(cls) -> EmitStrategy:
        return cls(True)


# ------------------------------------------------------------------------------------------------
# The graph that build() writes into the topology


class GraphNode:
    """``GraphNode``: a DSL operation, written into the topology by ``write(builder, parent_names)``."""

    def __init__(self, name: str, write=None):
        self.name = name
        self.write = write
        self.parents: list[GraphNode] = []
        self.children: list[GraphNode] = []
        self.priority = 0
        self.written = False
        self.key_changing = False
        self.relaxed_null_key_join = False  # GraphNode.Label.NULL_KEY_RELAXED_JOIN (left/outer joins)
        self.repartition = False
        self.drop_null_keys = True  # a repartition node's filter: k != null unless a relaxed join is downstream
        self.supplier = None  # the processor supplier of a stateful node (for the grace search)

    def parent_names(self) -> list[str]:
        return [p.name for p in self.parents]

    def __lt__(self, other: GraphNode) -> bool:
        return self.priority < other.priority


class InternalStreamsBuilder:
    """Name generation, the graph, and ``build()``."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.itb = topology.internal
        self.index = 0
        self.priority = 0
        self.root = GraphNode("root")
        self.root.written = True
        self.built = False

    def new_processor_name(self, prefix: str) -> str:
        name = f"{prefix}{self.index:010d}"
        self.index += 1
        return name

    def new_store_name(self, prefix: str) -> str:
        name = f"{prefix}STATE-STORE-{self.index:010d}"
        self.index += 1
        return name

    def named(self, named: Named | str | None, prefix: str) -> str:
        """``NamedInternal.orElseGenerateWithPrefix``: the number is used up even when a name is given."""
        generated = self.new_processor_name(prefix)
        name = named.name if isinstance(named, Named) else named
        return name if name is not None else generated

    def suffixed(self, named_name: str | None, suffix: str, prefix: str) -> str:
        """``NamedInternal.suffixWithOrElseGet(suffix, provider, prefix)``."""
        generated = self.new_processor_name(prefix)
        return named_name + suffix if named_name is not None else generated

    def add(self, parents, child: GraphNode) -> GraphNode:
        if isinstance(parents, GraphNode):
            parents = [parents]
        for p in parents:
            if child not in p.children:
                p.children.append(child)
            if p not in child.parents:
                child.parents.append(p)
            child.priority = self.priority
            self.priority += 1
        return child

    def _rewrite_repartition_nodes(self) -> None:
        """``NodesWithRelaxedNullKeyJoinDownstream``: repartition topics keep null keys only for left/outer joins."""
        visited: set = set()
        keep_nulls: set = set()

        def walk(node):
            if id(node) in visited:
                return
            for c in node.children:
                walk(c)
                if c.relaxed_null_key_join or id(c) in keep_nulls:
                    keep_nulls.add(id(node))
            visited.add(id(node))
            if node.repartition:
                node.drop_null_keys = id(node) not in keep_nulls

        walk(self.root)

    def build(self) -> Topology:
        if self.built:
            return self.topology
        self._rewrite_repartition_nodes()
        queue = [(self.root.priority, 0, self.root)]
        seq = 1
        while queue:
            _prio, _s, node = heapq.heappop(queue)
            if not node.written and all(p.written for p in node.parents):
                node.write(self.itb, node.parent_names())
                node.written = True
            for c in node.children:
                heapq.heappush(queue, (c.priority, seq, c))
                seq += 1
        self.itb.validate_copartition()
        self.built = True
        return self.topology


def processor_node(builder: InternalStreamsBuilder, name: str, supplier, stores=()) -> GraphNode:
    def write(itb, parents):
        itb.add_processor(name, supplier, *parents)
        if stores:
            itb.connect_processor_and_state_stores(name, *stores)

    return GraphNode(name, write)


def stateful_node(builder: InternalStreamsBuilder, name: str, supplier, store: StoreFactory | None,
                  connect=()) -> GraphNode:
    def write(itb, parents):
        itb.add_processor(name, supplier, *parents)
        if connect:
            itb.connect_processor_and_state_stores(name, *connect)
        if store is not None:
            itb.add_state_store(store, name)

    node = GraphNode(name, write)
    node.supplier = supplier
    return node


def _repartition(builder: InternalStreamsBuilder, prefix: str, key_serde, value_serde, partitioner=None,
                 number_of_partitions: int | None = None) -> tuple[str, GraphNode]:
    """``KStreamImpl.createRepartitionedSource``: sink → ``<prefix>-repartition`` → source, with a filter.

    Returns the new source name and the graph node (named after the source) that writes them.
    """
    topic = prefix if prefix.endswith(REPARTITION_TOPIC_SUFFIX) else prefix + REPARTITION_TOPIC_SUFFIX
    gen_sink = builder.new_processor_name("KSTREAM-SINK-")
    gen_filter = builder.new_processor_name("KSTREAM-FILTER-")
    gen_source = builder.new_processor_name("KSTREAM-SOURCE-")
    if _GENERATED.fullmatch(prefix):
        sink, source, flt = gen_sink, gen_source, gen_filter
    else:
        sink, source, flt = topic + "-sink", topic + "-source", topic + "-filter"
    ks = key_serde
    vs = value_serde

    def write(itb, parents):
        itb.add_internal_topic(topic, InternalTopicProperties(number_of_partitions))
        # rewriteRepartitionNodes: the filter drops null keys unless a left/outer join downstream keeps them.
        if node.drop_null_keys:
            itb.add_processor(flt, lambda: KStreamFilter(lambda k, v: k is not None, False), *parents)
        else:
            itb.add_processor(flt, lambda: KStreamFilter(lambda k, v: True, False), *parents)
        itb.add_sink(sink, topic, ks, vs, partitioner, flt)
        itb.add_source(source, [topic], None, None, ks, vs)

    node = GraphNode(source, write)
    node.repartition = True
    return source, node


class AbstractStream:
    def __init__(self, name: str, key_serde, value_serde, source_nodes, graph_node: GraphNode,
                 builder: InternalStreamsBuilder):
        self.name = name
        self.key_serde = key_serde
        self.value_serde = value_serde
        self.source_nodes = set(source_nodes)
        self.graph_node = graph_node
        self.builder = builder

    def _ensure_copartition_with(self, others) -> set:
        nodes = set(self.source_nodes)
        for o in others:
            nodes |= o.source_nodes
        self.builder.itb.copartition_sources(sorted(nodes))
        return nodes


# ------------------------------------------------------------------------------------------------
# KStream


class KStream(AbstractStream):
    """A record stream (``KStream<K, V>``)."""

    def __init__(self, name, key_serde, value_serde, source_nodes, repartition_required: bool, graph_node, builder):
        super().__init__(name, key_serde, value_serde, source_nodes, graph_node, builder)
        self.repartition_required = repartition_required
        self._repartition_node: GraphNode | None = None

    def _child(self, name: str, node: GraphNode, key_serde, value_serde, repartition_required=None) -> KStream:
        self.builder.add(self.graph_node, node)
        return KStream(name, key_serde, value_serde, self.source_nodes,
                       self.repartition_required if repartition_required is None else repartition_required,
                       node, self.builder)

    # -- stateless --------------------------------------------------------------------------------
    def filter(self, predicate, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-FILTER-")
        return self._child(name, processor_node(self.builder, name, lambda: KStreamFilter(predicate, False)),
                           self.key_serde, self.value_serde)

    def filter_not(self, predicate, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-FILTER-")
        return self._child(name, processor_node(self.builder, name, lambda: KStreamFilter(predicate, True)),
                           self.key_serde, self.value_serde)

    def select_key(self, mapper, named: Named | None = None) -> KStream:
        """A new key (from ``mapper(key, value)``): the next grouping or join repartitions."""
        name = self.builder.named(named, "KSTREAM-KEY-SELECT-")
        node = processor_node(self.builder, name, lambda: KStreamMap(lambda k, v: (mapper(k, v), v)))
        node.key_changing = True
        return self._child(name, node, None, self.value_serde, True)

    def map(self, mapper, named: Named | None = None) -> KStream:
        """``mapper(key, value) -> KeyValue`` (or a tuple): key and value change; repartition follows."""
        name = self.builder.named(named, "KSTREAM-MAP-")
        node = processor_node(self.builder, name, lambda: KStreamMap(mapper))
        node.key_changing = True
        return self._child(name, node, None, None, True)

    def map_values(self, mapper, named: Named | None = None) -> KStream:
        """``mapper(value)`` or ``mapper(key, value)``; keeps the key, so no repartition."""
        name = self.builder.named(named, "KSTREAM-MAPVALUES-")
        fn = with_key(mapper, 1)
        return self._child(name, processor_node(self.builder, name, lambda: KStreamMapValues(fn)), self.key_serde, None)

    def flat_map(self, mapper, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-FLATMAP-")
        node = processor_node(self.builder, name, lambda: KStreamFlatMap(mapper))
        node.key_changing = True
        return self._child(name, node, None, None, True)

    def flat_map_values(self, mapper, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-FLATMAPVALUES-")
        fn = with_key(mapper, 1)
        return self._child(name, processor_node(self.builder, name, lambda: KStreamFlatMapValues(fn)),
                           self.key_serde, None)

    def peek(self, action, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-PEEK-")
        return self._child(name, processor_node(self.builder, name, lambda: KStreamPeek(action)), self.key_serde,
                           self.value_serde)

    def foreach(self, action, named: Named | None = None) -> None:
        name = self.builder.named(named, "KSTREAM-FOREACH-")
        self.builder.add(self.graph_node, processor_node(self.builder, name, lambda: KStreamPeek(action, False)))

    def split(self, named: Named | None = None) -> BranchedKStream:
        return BranchedKStream(self, named)

    def merge(self, other: KStream, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KSTREAM-MERGE-")
        node = processor_node(self.builder, name, PassThrough)
        self.builder.add([self.graph_node, other.graph_node], node)
        return KStream(name, None, None, self.source_nodes | other.source_nodes,
                       self.repartition_required or other.repartition_required, node, self.builder)

    def process(self, supplier, *store_names: str, named: Named | None = None) -> KStream:
        """A Processor-API processor in the DSL (``KStream.process``): it may change the key, so a grouping or
        join after it repartitions. Unlike most operations, a ``Named`` name does not use up a number."""
        name = named.name if isinstance(named, Named) else (named or self.builder.new_processor_name("KSTREAM-PROCESSOR-"))
        node = stateful_node(self.builder, name, supplier, None, store_names)
        return self._child(name, node, None, None, True)

    def process_values(self, supplier, *store_names: str, named: Named | None = None) -> KStream:
        """``KStream.processValues``: a processor that keeps the key (no repartition follows)."""
        name = named.name if isinstance(named, Named) else (named or
                                                             self.builder.new_processor_name("KSTREAM-PROCESSVALUES-"))
        node = stateful_node(self.builder, name, supplier, None, store_names)
        return self._child(name, node, self.key_serde, None)

    def repartition(self, repartitioned: Repartitioned | None = None) -> KStream:
        """Always write through a repartition topic (``<name>-repartition``), optionally with its own partition count."""
        r = repartitioned or Repartitioned()
        name = r.name if r.name is not None else self.builder.new_processor_name("KSTREAM-REPARTITION-")
        ks = r.key_serde if r.key_serde is not None else self.key_serde
        vs = r.value_serde if r.value_serde is not None else self.value_serde
        # KStreamImpl.doRepartition hands the sink Repartitioned's own key serde (null → the default serde).
        source, node = _repartition(self.builder, name, r.key_serde, vs, r.partitioner, r.number_of_partitions)
        self.builder.add(self.graph_node, node)
        return KStream(source, ks, vs, {source}, False, node, self.builder)

    # -- sinks and tables -------------------------------------------------------------------------
    def to(self, topic, produced: Produced | None = None) -> None:
        """Write to ``topic`` (a name, or ``fn(key, value, record_metadata) -> name``)."""
        p = produced or Produced()
        ks = p.key_serde if p.key_serde is not None else self.key_serde
        vs = p.value_serde if p.value_serde is not None else self.value_serde
        name = self.builder.named(p.name, "KSTREAM-SINK-")
        partitioner = p.partitioner

        def write(itb, parents):
            itb.add_sink(name, topic, ks, vs, partitioner, *parents)

        self.builder.add(self.graph_node, GraphNode(name, write))

    def to_table(self, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        name = self.builder.named(named, "KSTREAM-TOTABLE-")
        m = (materialized or Materialized()).copy()
        store_name = m.store_name or self.builder.new_store_name("KSTREAM-TOTABLE-")
        queryable = m.store_name
        ks = m.key_serde if m.key_serde is not None else self.key_serde
        vs = m.value_serde if m.value_serde is not None else self.value_serde
        parent, sources = self.graph_node, self.source_nodes
        if self.repartition_required:
            source, rnode = _repartition(self.builder, name, ks, vs)
            self.builder.add(self.graph_node, rnode)
            parent, sources = rnode, {source}
        supplier = KTableSourceSupplier(store_name, queryable)
        store = _kv_store(store_name, m, ks, vs)
        node = _table_source_like(name, supplier, store)
        self.builder.add(parent, node)
        return KTable(name, ks, vs, sources, queryable, supplier, node, self.builder)

    # -- grouping -----------------------------------------------------------------------------------
    def group_by_key(self, grouped: Grouped | None = None) -> KGroupedStream:
        g = grouped or Grouped.with_(self.key_serde, self.value_serde)
        ks = g.key_serde if g.key_serde is not None else (self.key_serde if grouped is None else None)
        vs = g.value_serde if g.value_serde is not None else (self.value_serde if grouped is None else None)
        return KGroupedStream(self.name, self.source_nodes, ks, vs, g.name, self.repartition_required,
                              self.graph_node, self.builder)

    def group_by(self, selector, grouped: Grouped | None = None) -> KGroupedStream:
        """Group by ``selector(key, value)``: a new key, so the aggregation repartitions first."""
        g = grouped or Grouped.with_(None, self.value_serde)
        name = self.builder.named(g.name, "KSTREAM-KEY-SELECT-")
        node = processor_node(self.builder, name, lambda: KStreamMap(lambda k, v: (selector(k, v), v)))
        node.key_changing = True
        self.builder.add(self.graph_node, node)
        return KGroupedStream(name, self.source_nodes, g.key_serde, g.value_serde, g.name, True, node, self.builder)

    # -- joins ----------------------------------------------------------------------------------------
    def _repartition_for_join(self, name: str, key_serde, value_serde) -> KStream:
        ks = key_serde if key_serde is not None else self.key_serde
        vs = value_serde if value_serde is not None else self.value_serde
        source, node = _repartition(self.builder, name, ks, vs)
        if self._repartition_node is None or self.name != name:
            self._repartition_node = node
            self.builder.add(self.graph_node, node)
        return KStream(source, ks, vs, {source}, False, self._repartition_node, self.builder)

    def join(self, other, joiner, windows_or_joined=None, joined=None) -> KStream:
        """Inner join: with a ``KTable`` (``joiner(v, table_v)``), a ``GlobalKTable``
        (``join(gtable, key_selector, joiner)``) or a ``KStream`` within ``JoinWindows``."""
        return self._join(other, joiner, windows_or_joined, joined, left=False, outer=False)

    def left_join(self, other, joiner, windows_or_joined=None, joined=None) -> KStream:
        return self._join(other, joiner, windows_or_joined, joined, left=True, outer=False)

    def outer_join(self, other: KStream, joiner, windows: JoinWindows, stream_joined: StreamJoined | None = None
                   ) -> KStream:
        if not isinstance(other, KStream):
            raise TypeError("outer_join() joins two KStreams within JoinWindows")
        return self._stream_stream_join(other, joiner, windows, stream_joined, True, True)

    def _join(self, other, joiner, third, fourth, left: bool, outer: bool):
        if isinstance(other, GlobalKTable):
            return self._global_join(other, joiner, third, left, fourth)
        if isinstance(other, KTable):
            return self._stream_table_join(other, joiner, third, left)
        if isinstance(other, KStream):
            if not isinstance(third, JoinWindows):
                raise TypeError("a stream-stream join needs JoinWindows, e.g. "
                                "JoinWindows.of_time_difference_with_no_grace(Duration.of_minutes(5))")
            return self._stream_stream_join(other, joiner, third, fourth, left, False)
        raise TypeError(f"cannot join a KStream with {type(other).__name__}")

    def _stream_table_join(self, table: KTable, joiner, joined: Joined | None, left: bool) -> KStream:
        j = joined or Joined()
        stream = self
        if self.repartition_required:
            stream = self._repartition_for_join(j.name if j.name is not None else self.name, j.key_serde, j.value_serde)
        sources = stream._ensure_copartition_with([table])
        name = stream.builder.named(j.name, "KSTREAM-LEFTJOIN-" if left else "KSTREAM-JOIN-")
        getter = table.value_getter_supplier()
        fn = with_key(joiner, 2)
        node = processor_node(stream.builder, name, lambda: KStreamKTableJoin(getter, fn, left), getter.store_names)
        node.relaxed_null_key_join = left
        stream.builder.add(stream.graph_node, node)
        return KStream(name, j.key_serde if j.key_serde is not None else stream.key_serde, None, sources, False, node,
                       stream.builder)

    def _global_join(self, gtable: GlobalKTable, key_selector, joiner, left: bool, named) -> KStream:
        name = self.builder.named(named, "KSTREAM-LEFTJOIN-")  # Kafka uses LEFTJOIN_NAME for both
        getter = gtable.getter
        fn = with_key(joiner, 2)
        node = processor_node(self.builder, name, lambda: KStreamKTableJoin(getter, fn, left, key_selector))
        node.relaxed_null_key_join = left
        self.builder.add(self.graph_node, node)
        return KStream(name, self.key_serde, None, self.source_nodes, self.repartition_required, node, self.builder)

    def _stream_stream_join(self, other: KStream, joiner, windows: JoinWindows, stream_joined, left: bool,
                            outer: bool) -> KStream:
        sj = stream_joined or StreamJoined()
        this, that = self, other
        if this.repartition_required:
            this = this._repartition_for_join(sj.name + "-left" if sj.name else this.name, sj.key_serde,
                                              sj.value_serde)
        if that.repartition_required:
            that = that._repartition_for_join(sj.name + "-right" if sj.name else that.name, sj.key_serde,
                                              sj.other_value_serde)
        this._ensure_copartition_with([that])
        b = self.builder
        left_outer, right_outer = left, outer
        this_suffix = "-outer-this-join" if right_outer else "-this-join"
        other_suffix = "-outer-other-join" if left_outer else "-other-join"
        this_windowed = b.suffixed(sj.name, "-this-windowed", "KSTREAM-WINDOWED-")
        other_windowed = b.suffixed(sj.name, "-other-windowed", "KSTREAM-WINDOWED-")
        this_gen = b.new_processor_name("KSTREAM-OUTERTHIS-" if right_outer else "KSTREAM-JOINTHIS-")
        other_gen = b.new_processor_name("KSTREAM-OUTEROTHER-" if left_outer else "KSTREAM-JOINOTHER-")
        this_name = sj.name + this_suffix if sj.name else this_gen
        other_name = sj.name + other_suffix if sj.name else other_gen
        merge_name = b.suffixed(sj.name, "-merge", "KSTREAM-MERGE-")
        base = sj.store_name
        this_store_name = (base + this_suffix if base else this_gen) + "-store"
        other_store_name = (base + other_suffix if base else other_gen) + "-store"
        size = windows.size()
        retention = size + windows.grace_period_ms()
        ks = sj.key_serde if sj.key_serde is not None else this.key_serde
        this_store = StoreFactory(this_store_name, "window", ks, sj.value_serde if sj.value_serde is not None else
                                  this.value_serde, sj.logging_enabled, {}, False, False, retention, size, True)
        other_store = StoreFactory(other_store_name, "window", ks, sj.other_value_serde
                                   if sj.other_value_serde is not None else that.value_serde, sj.logging_enabled, {},
                                   False, False, retention, size, True)
        outer_store = None
        if left_outer and windows.enable_spurious_result_fix:
            suffix = "-outer-shared-join" if right_outer else "-left-shared-join"
            if base:
                oname = base + suffix
            else:
                oname = "KSTREAM-OUTERSHARED-" + this_gen[len("KSTREAM-OUTERTHIS-" if right_outer else
                                                              "KSTREAM-JOINTHIS-"):]
            outer_store = StoreFactory(oname + "-store", "outerJoin", ks, this_store.value_serde,
                                       sj.logging_enabled, {}, False, False, retention, size, False,
                                       other_value_serde=other_store.value_serde)
        tnode = processor_node(b, this_windowed, lambda: KStreamJoinWindow(this_store_name))
        b.add(this.graph_node, tnode)
        onode = processor_node(b, other_windowed, lambda: KStreamJoinWindow(other_store_name))
        b.add(that.graph_node, onode)
        tracker = SharedTimeTracker()
        fn = with_key(joiner, 2)
        outer_name = outer_store.name if outer_store is not None else None
        before, after, grace = windows.before_ms, windows.after_ms, windows.grace_period_ms()
        fix = windows.enable_spurious_result_fix

        def this_side():
            return KStreamKStreamJoin(other_store_name, before, after, grace, before, after, fn, left_outer,
                                      outer_name, True, tracker, fix)

        def other_side():
            return KStreamKStreamJoin(this_store_name, after, before, grace, before, after,
                                      lambda k, v2, v1: fn(k, v1, v2), right_outer, outer_name, False, tracker, fix)

        def write(itb, parents):
            itb.add_processor(this_name, this_side, this_windowed)
            itb.add_processor(other_name, other_side, other_windowed)
            itb.add_processor(merge_name, PassThrough, this_name, other_name)
            itb.add_state_store(this_store, this_windowed, other_name)
            itb.add_state_store(other_store, other_windowed, this_name)
            if outer_store is not None:
                itb.add_state_store(outer_store, this_name, other_name)

        jnode = GraphNode(merge_name, write)
        jnode.relaxed_null_key_join = left_outer or right_outer
        b.add([this.graph_node, that.graph_node], jnode)
        return KStream(merge_name, sj.key_serde, None, this.source_nodes | that.source_nodes, False, jnode, b)


class BranchedKStream:
    """``split()``: ``branch(predicate, Branched.as_("name"))`` … then ``default_branch()`` or ``no_default_branch()``."""

    def __init__(self, source: KStream, named: Named | None):
        self.source = source
        b = source.builder
        self.splitter_name = b.named(named, "KSTREAM-BRANCH-")
        self.predicates: list = []
        self.child_names: list[str] = []
        self.outputs: dict[str, KStream] = {}
        preds, names = self.predicates, self.child_names
        self.node = processor_node(b, self.splitter_name, lambda: KStreamBranch(preds, names))
        b.add(source.graph_node, self.node)

    def branch(self, predicate, branched: Branched | None = None) -> BranchedKStream:
        self.predicates.append(predicate)
        self._create(branched or Branched(), len(self.predicates))
        return self

    def default_branch(self, branched: Branched | None = None) -> dict:
        self._create(branched or Branched(), 0)
        return self.outputs

    def no_default_branch(self) -> dict:
        return self.outputs

    def _create(self, branched: Branched, index: int) -> None:
        b = self.source.builder
        name = self.splitter_name + (branched.name if branched.name is not None else str(index))
        self.child_names.append(name)
        b.new_processor_name(name)
        node = processor_node(b, name, PassThrough)
        b.add(self.node, node)
        s = self.source
        branch = KStream(name, s.key_serde, s.value_serde, s.source_nodes, s.repartition_required, node, b)
        if branched.chain is not None:
            out = branched.chain(branch)
            if out is not None:
                self.outputs[name] = out
        elif branched.consumer is not None:
            branched.consumer(branch)
        else:
            self.outputs[name] = branch


# ------------------------------------------------------------------------------------------------
# Stores the DSL creates


def _kv_store(name: str, m: Materialized, ks, vs) -> StoreFactory:
    return StoreFactory(name, "keyValue", ks, vs, m.logging_enabled, dict(m.topic_config), m.caching_enabled, True)


def _table_source_like(name: str, supplier: KTableSourceSupplier, store: StoreFactory) -> GraphNode:
    """A ``KTableSource`` processor whose store is added only if the table ends up materialized."""
    def write(itb, parents):
        itb.add_processor(name, supplier, *parents)
        if supplier.materialized():
            itb.add_state_store(store, name)

    return GraphNode(name, write)


# ------------------------------------------------------------------------------------------------
# KTable


class KTable(AbstractStream):
    """A changelog stream read as a table (``KTable<K, V>``)."""

    def __init__(self, name, key_serde, value_serde, source_nodes, queryable_store_name, supplier, graph_node,
                 builder):
        super().__init__(name, key_serde, value_serde, source_nodes, graph_node, builder)
        self._queryable = queryable_store_name
        self.supplier = supplier

    def queryable_store_name(self) -> str | None:
        return self._queryable

    def value_getter_supplier(self):
        if isinstance(self.supplier, KTableSourceSupplier):
            self.supplier.materialize()  # whenever a source table is needed by a getter, it is materialized
        return self.supplier.view()

    def enable_sending_old_values(self, force_materialization: bool) -> bool:
        return enable_old_values(self.supplier, force_materialization)

    def _transform(self, prefix: str, transform, named, materialized: Materialized | None, filter_like: bool,
                   value_serde) -> KTable:
        b = self.builder
        store = None
        queryable = None
        ks, vs = self.key_serde, value_serde
        if materialized is not None:
            m = materialized.copy()
            if m.store_name is None:
                b.new_store_name(prefix)  # burn an index before the processor name, as Kafka does
            ks = m.key_serde if m.key_serde is not None else ks
            vs = m.value_serde if m.value_serde is not None else vs
            queryable = m.store_name
            if queryable is not None:
                store = _kv_store(queryable, m, ks, vs)
        name = b.named(named, prefix)
        supplier = KTableTransformSupplier(self.supplier, transform, queryable, filter_like)
        node = stateful_node(b, name, supplier, store)
        b.add(self.graph_node, node)
        return KTable(name, ks, vs, self.source_nodes, queryable, supplier, node, b)

    def filter(self, predicate, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._transform("KTABLE-FILTER-", lambda k, v: v if predicate(k, v) else None, named, materialized,
                               True, self.value_serde)

    def filter_not(self, predicate, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._transform("KTABLE-FILTER-", lambda k, v: None if predicate(k, v) else v, named, materialized,
                               True, self.value_serde)

    def map_values(self, mapper, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._transform("KTABLE-MAPVALUES-", with_key(mapper, 1), named, materialized, False, None)

    def group_by(self, selector, grouped: Grouped | None = None) -> KGroupedTable:
        """Re-group the table by ``selector(key, value) -> (new_key, new_value)``: every update moves its old
        pair out of one group and its new pair into another, through a repartition topic."""
        g = grouped or Grouped()
        name = self.builder.named(g.name, "KTABLE-SELECT-")
        node = processor_node(self.builder, name, KTableRepartitionMapSupplier(selector))
        self.builder.add(self.graph_node, node)
        self.enable_sending_old_values(True)  # the subtractor needs the value an update replaces
        return KGroupedTable(name, self.source_nodes, g.key_serde, g.value_serde, g.name, node, self.builder)

    def to_stream(self, named: Named | None = None) -> KStream:
        name = self.builder.named(named, "KTABLE-TOSTREAM-")
        node = processor_node(self.builder, name, KTableToStream)
        self.builder.add(self.graph_node, node)
        return KStream(name, self.key_serde, self.value_serde, self.source_nodes, False, node, self.builder)

    def suppress(self, suppressed) -> KTable:
        """``Suppressed.until_window_closes(...)``: only each window's final result, once stream time
        passes its end plus the upstream windows' grace; ``until_time_limit``: at most one update per key
        per time limit."""
        from .options import Suppressed

        if not isinstance(suppressed, Suppressed):
            raise IllegalArgumentException("Custom subclasses of Suppressed are not supported.")
        b = self.builder
        name = suppressed.name if suppressed.name is not None else b.new_processor_name("KTABLE-SUPPRESS-")
        if suppressed.kind == "untilWindowCloses":
            duration = _find_window_grace(self.graph_node)
        else:
            duration = suppressed.time_limit_ms
        store_name = suppressed.name + "-store" if suppressed.name is not None else b.new_store_name("KTABLE-SUPPRESS-")
        supplier = SuppressSupplier(store_name, suppressed.kind, duration, suppressed.buffer_config, self.supplier,
                                    isinstance(self.key_serde, (TimeWindowedSerde, SessionWindowedSerde)))
        store = StoreFactory(store_name, "suppress", self.key_serde, self.value_serde,
                             suppressed.buffer_config.logging_enabled)
        node = stateful_node(b, name, supplier, store)
        b.add(self.graph_node, node)
        return KTable(name, self.key_serde, self.value_serde, {self.name}, None, supplier, node, b)

    # -- table-table joins ------------------------------------------------------------------------------
    def join(self, other: KTable, joiner, named: Named | None = None, materialized: Materialized | None = None
             ) -> KTable:
        return self._table_join(other, joiner, named, materialized, False, False)

    def left_join(self, other: KTable, joiner, named: Named | None = None, materialized: Materialized | None = None
                  ) -> KTable:
        return self._table_join(other, joiner, named, materialized, True, False)

    def outer_join(self, other: KTable, joiner, named: Named | None = None, materialized: Materialized | None = None
                   ) -> KTable:
        return self._table_join(other, joiner, named, materialized, True, True)

    def _table_join(self, other: KTable, joiner, named, materialized, left_outer: bool, right_outer: bool) -> KTable:
        if not isinstance(other, KTable):
            raise TypeError("a KTable joins another KTable")
        if isinstance(named, Materialized):
            named, materialized = None, named
        b = self.builder
        nm = named.name if isinstance(named, Named) else named
        store = None
        queryable = None
        ks, vs = self.key_serde, None
        if materialized is not None:
            # KTableImpl.join: the MaterializedInternal (and its generated store name) comes before the names.
            m = materialized.copy()
            store_name = m.store_name or b.new_store_name("KTABLE-MERGE-")
            ks = m.key_serde if m.key_serde is not None else self.key_serde
            vs = m.value_serde
            queryable = store_name
            store = _kv_store(store_name, m, ks, vs)
        merge_name = b.named(nm, "KTABLE-MERGE-")
        sources = self._ensure_copartition_with([other])
        if left_outer:
            self.enable_sending_old_values(True)
        if right_outer:
            other.enable_sending_old_values(True)
        mode_this = "outer" if right_outer else ("left" if left_outer else "inner")
        mode_other = "outer" if right_outer else ("right" if left_outer else "inner")
        this_name = b.suffixed(nm, "-join-this", "KTABLE-JOINTHIS-")
        other_name = b.suffixed(nm, "-join-other", "KTABLE-JOINOTHER-")
        this_getter = self.value_getter_supplier()
        other_getter = other.value_getter_supplier()
        fn = joiner
        merger = KTableKTableJoinMergerSupplier(self.supplier, other.supplier, queryable,
                                                lambda: JoinedGetterSupplier(this_getter, other_getter, fn, mode_this))

        def write(itb, parents):
            itb.add_processor(this_name, lambda: KTableKTableJoinSide(other_getter, fn, mode_this,
                                                                      lambda: merger.send_old_values), parents[0])
            itb.add_processor(other_name, lambda: KTableKTableJoinSide(this_getter, lambda a, c: fn(c, a), mode_other,
                                                                       lambda: merger.send_old_values), parents[1])
            itb.add_processor(merge_name, merger, this_name, other_name)
            itb.connect_processor_and_state_stores(this_name, *other_getter.store_names)
            itb.connect_processor_and_state_stores(other_name, *this_getter.store_names)
            if store is not None:
                itb.add_state_store(store, merge_name)

        node = GraphNode(merge_name, write)
        b.add(self.graph_node, node)
        b.add(other.graph_node, node)
        return KTable(merge_name, ks, vs, sources, queryable, merger, node, b)


def _find_window_grace(node: GraphNode, chain: str = "") -> int:
    """``GraphGraceSearchUtil.findAndVerifyWindowGrace``: the largest grace of the windowed aggregations upstream
    (a session window's grace includes its inactivity gap)."""
    s = node.supplier
    if isinstance(s, WindowAggregateSupplier):
        if s.kind == "session":
            return s.windows.grace_period_ms() + s.windows.inactivity_gap()
        return s.windows.grace_period_ms()
    new_chain = node.name if not chain else node.name + "->" + chain
    parents = node.parents
    if not parents:
        raise TopologyException(f"Window close time is only defined for windowed computations. Got [{new_chain}].")
    return max(_find_window_grace(p, new_chain) for p in parents)


class GlobalKTable:
    """A table fully replicated to every instance (``GlobalKTable``), for lookups by any key."""

    def __init__(self, store_name: str, getter):
        self.store_name = store_name
        self.getter = getter

    def queryable_store_name(self) -> str:
        return self.store_name


# ------------------------------------------------------------------------------------------------
# Grouped and windowed streams


class KGroupedTable:
    """``KTable.group_by()``: ``count``, ``reduce(adder, subtractor)``, ``aggregate(initializer, adder,
    subtractor)`` per new key (``KGroupedTableImpl``). The repartition topic is ``<store or Grouped name>-repartition``;
    its values are ``Change`` pairs (``ChangedSerializer``)."""

    def __init__(self, name, source_nodes, key_serde, value_serde, repartition_name, graph_node,
                 builder: InternalStreamsBuilder):
        self.name = name
        self.source_nodes = set(source_nodes)
        self.key_serde = key_serde
        self.value_serde = value_serde
        self.repartition_name = repartition_name
        self.graph_node = graph_node
        self.builder = builder
        self._repartition_node: GraphNode | None = None

    def _store(self, materialized: Materialized | None, default_value_serde):
        """``MaterializedInternal(materialized, builder, "KTABLE-AGGREGATE-")``: the store is named first."""
        m = (materialized or Materialized()).copy()
        queryable = m.store_name is not None
        if not queryable:
            m.store_name = self.builder.new_store_name("KTABLE-AGGREGATE-")
        if m.key_serde is None:
            m.key_serde = self.key_serde
        if m.value_serde is None:
            m.value_serde = default_value_serde
        return m, queryable

    def _aggregate(self, supplier: KTableAggregateSupplier, prefix: str, named, m: Materialized, queryable: bool
                   ) -> KTable:
        """``KGroupedTableImpl.doAggregate``: sink → repartition topic → source → the aggregate processor."""
        b = self.builder
        named_name = named.name if isinstance(named, Named) else named
        sink = b.suffixed(named_name, "-sink", "KSTREAM-SINK-")
        source = b.suffixed(named_name, "-source", "KSTREAM-SOURCE-")
        func = b.named(named_name, prefix)
        topic = (self.repartition_name if self.repartition_name is not None else m.store_name) + REPARTITION_TOPIC_SUFFIX
        ks, vs = self.key_serde, self.value_serde

        def write(itb, parents):
            itb.add_internal_topic(topic, InternalTopicProperties(None))
            itb.add_sink(sink, topic, ks, ChangedSerde(vs), None, *parents)
            itb.add_source(source, [topic], None, None, ks, ChangedSerde(vs))

        if self._repartition_node is None or self.repartition_name is None:
            self._repartition_node = GraphNode(source, write)
            self._repartition_node.repartition = True
        b.add(self.graph_node, self._repartition_node)
        store = _kv_store(m.store_name, m, m.key_serde, m.value_serde)
        node = stateful_node(b, func, supplier, store)
        b.add(self._repartition_node, node)
        return KTable(func, m.key_serde, m.value_serde, {source}, m.store_name if queryable else None, supplier, node,
                      b)

    def count(self, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._store(materialized, Serdes.Long())
        supplier = KTableAggregateSupplier(m.store_name, lambda: 0, lambda k, v, agg: agg + 1,
                                           lambda k, v, agg: agg - 1)
        return self._aggregate(supplier, "KTABLE-AGGREGATE-", named, m, q)

    def reduce(self, adder, subtractor, named: Named | None = None, materialized: Materialized | None = None
               ) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._store(materialized, self.value_serde)
        supplier = KTableAggregateSupplier(m.store_name, adder=adder, subtractor=subtractor, reduce=True)
        return self._aggregate(supplier, "KTABLE-REDUCE-", named, m, q)

    def aggregate(self, initializer, adder, subtractor, named: Named | None = None,
                  materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._store(materialized, None)
        supplier = KTableAggregateSupplier(m.store_name, initializer, adder, subtractor)
        return self._aggregate(supplier, "KTABLE-AGGREGATE-", named, m, q)


class KGroupedStream:
    """``group_by_key()``/``group_by()``: aggregate per key, optionally windowed."""

    def __init__(self, name, source_nodes, key_serde, value_serde, repartition_name, repartition_required: bool,
                 graph_node, builder: InternalStreamsBuilder):
        self.name = name
        self.source_nodes = set(source_nodes)
        self.key_serde = key_serde
        self.value_serde = value_serde
        self.repartition_name = repartition_name
        self.repartition_required = repartition_required
        self.graph_node = graph_node
        self.builder = builder
        self._repartition_node: GraphNode | None = None

    def _build(self, func_name: str, store: StoreFactory, supplier, key_serde, value_serde, queryable: bool
               ) -> KTable:
        """``GroupedStreamAggregateBuilder.build``: repartition first if the key changed."""
        b = self.builder
        parent = self.graph_node
        source_name = self.name
        if self.repartition_required:
            prefix = self.repartition_name if self.repartition_name is not None else store.name
            source_name, rnode = _repartition(b, prefix, self.key_serde, self.value_serde)
            if self._repartition_node is None or self.repartition_name is None:
                self._repartition_node = rnode
            b.add(parent, self._repartition_node)
            parent = self._repartition_node
        node = stateful_node(b, func_name, supplier, store)
        b.add(parent, node)
        sources = self.source_nodes if source_name == self.name else {source_name}
        return KTable(func_name, key_serde, value_serde, sources, store.name if queryable else None, supplier, node, b)

    def _materialize(self, materialized: Materialized | None, prefix: str, default_value_serde=None,
                     burn: bool = False):
        m = (materialized or Materialized()).copy()
        if burn and m.store_name is None:
            self.builder.new_store_name(prefix)
        queryable = m.store_name is not None
        if not queryable:
            m.store_name = self.builder.new_store_name(prefix)
        if m.key_serde is None:
            m.key_serde = self.key_serde
        if m.value_serde is None:
            m.value_serde = default_value_serde
        return m, queryable

    def count(self, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._materialize(materialized, "KSTREAM-AGGREGATE-", Serdes.Long(), burn=materialized is not None)
        name = self.builder.named(named, "KSTREAM-AGGREGATE-")
        store = _kv_store(m.store_name, m, m.key_serde, m.value_serde)
        return self._build(name, store, KStreamAggregateSupplier(m.store_name, lambda: 0, lambda k, v, agg: agg + 1),
                           m.key_serde, m.value_serde, q)

    def reduce(self, reducer, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._materialize(materialized, "KSTREAM-REDUCE-", self.value_serde)
        name = self.builder.named(named, "KSTREAM-REDUCE-")
        store = _kv_store(m.store_name, m, m.key_serde, m.value_serde)
        return self._build(name, store, KStreamAggregateSupplier(m.store_name, reducer=reducer), m.key_serde,
                           m.value_serde, q)

    def aggregate(self, initializer, aggregator, named: Named | None = None, materialized: Materialized | None = None
                  ) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        m, q = self._materialize(materialized, "KSTREAM-AGGREGATE-", None)
        name = self.builder.named(named, "KSTREAM-AGGREGATE-")
        store = _kv_store(m.store_name, m, m.key_serde, m.value_serde)
        return self._build(name, store, KStreamAggregateSupplier(m.store_name, initializer, aggregator), m.key_serde,
                           m.value_serde, q)

    def windowed_by(self, windows) -> TimeWindowedKStream | SessionWindowedKStream:
        if isinstance(windows, SessionWindows):
            return SessionWindowedKStream(self, windows)
        if isinstance(windows, (TimeWindows, SlidingWindows)):
            return TimeWindowedKStream(self, windows)
        raise TypeError(f"windowed_by() takes TimeWindows, SlidingWindows or SessionWindows, not {windows!r}")


class TimeWindowedKStream:
    """A grouped stream over time windows (tumbling/hopping) or sliding windows."""

    def __init__(self, grouped: KGroupedStream, windows):
        self.grouped = grouped
        self.windows = windows
        self._emit_on_close = False

    def emit_strategy(self, strategy: EmitStrategy) -> TimeWindowedKStream:
        self._emit_on_close = strategy.on_close
        return self

    def _sliding(self) -> bool:
        return isinstance(self.windows, SlidingWindows)

    def _store(self, m: Materialized) -> StoreFactory:
        w = self.windows
        if self._sliding():
            d = w.time_difference_ms()
            retention = m.retention_ms if m.retention_ms is not None else w.grace_period_ms() + 2 * d
            if d * 2 + w.grace_period_ms() > retention:
                raise IllegalArgumentException(
                    f"The retention period of the window store {m.store_name} must be no smaller than 2 * time "
                    f"difference plus the grace period. Got time difference=[{d}], grace=[{w.grace_period_ms()}], "
                    f"retention=[{retention}]")
            size = d
        else:
            size = w.size()
            retention = m.retention_ms if m.retention_ms is not None else size + w.grace_period_ms()
            if size + w.grace_period_ms() > retention:
                raise IllegalArgumentException(
                    f"The retention period of the window store {m.store_name} must be no smaller than its window "
                    f"size plus the grace period. Got size=[{size}], grace=[{w.grace_period_ms()}], "
                    f"retention=[{retention}]")
        return StoreFactory(m.store_name, "window", m.key_serde, m.value_serde, m.logging_enabled,
                            dict(m.topic_config), m.caching_enabled and not self._emit_on_close, True, retention, size,
                            False)

    def _agg(self, prefix, named, materialized, initializer, aggregator, default_value_serde, burn=False) -> KTable:
        g = self.grouped
        m, q = g._materialize(materialized, prefix, default_value_serde, burn=burn)
        name = g.builder.named(named, prefix)
        store = self._store(m)
        kind = "sliding" if self._sliding() else "time"
        supplier = WindowAggregateSupplier(kind, self.windows, m.store_name, initializer, aggregator,
                                           emit_on_close=self._emit_on_close)
        size = self.windows.time_difference_ms() if self._sliding() else self.windows.size()
        ks = TimeWindowedSerde(m.key_serde, size) if m.key_serde is not None else None
        return g._build(name, store, supplier, ks, m.value_serde, q)

    def count(self, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._agg("KSTREAM-AGGREGATE-", named, materialized, lambda: 0, lambda k, v, agg: agg + 1,
                         Serdes.Long(), burn=materialized is not None)

    def aggregate(self, initializer, aggregator, named: Named | None = None,
                  materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._agg("KSTREAM-AGGREGATE-", named, materialized, initializer, aggregator, None)

    def reduce(self, reducer, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._agg("KSTREAM-REDUCE-", named, materialized, lambda: None,
                         lambda k, v, agg: v if agg is None else reducer(agg, v), self.grouped.value_serde)


class SessionWindowedKStream:
    """A grouped stream over session windows."""

    def __init__(self, grouped: KGroupedStream, windows: SessionWindows):
        self.grouped = grouped
        self.windows = windows
        self._emit_on_close = False

    def emit_strategy(self, strategy: EmitStrategy) -> SessionWindowedKStream:
        self._emit_on_close = strategy.on_close
        return self

    def _agg(self, prefix, named, materialized, initializer, aggregator, merger, default_value_serde,
             burn=False) -> KTable:
        g = self.grouped
        m, q = g._materialize(materialized, prefix, default_value_serde, burn=burn)
        name = g.builder.named(named, prefix)
        w = self.windows
        retention = m.retention_ms if m.retention_ms is not None else w.inactivity_gap() + w.grace_period_ms()
        if w.inactivity_gap() + w.grace_period_ms() > retention:
            raise IllegalArgumentException(
                f"The retention period of the session store {m.store_name} must be no smaller than the session "
                f"inactivity gap plus the grace period. Got gap=[{w.inactivity_gap()}], grace=[{w.grace_period_ms()}], "
                f"retention=[{retention}]")
        store = StoreFactory(m.store_name, "session", m.key_serde, m.value_serde, m.logging_enabled,
                             dict(m.topic_config), m.caching_enabled and not self._emit_on_close, False, retention)
        supplier = WindowAggregateSupplier("session", w, m.store_name, initializer, aggregator, merger,
                                           emit_on_close=self._emit_on_close)
        ks = SessionWindowedSerde(m.key_serde) if m.key_serde is not None else None
        return g._build(name, store, supplier, ks, m.value_serde, q)

    def count(self, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._agg("KSTREAM-AGGREGATE-", named, materialized, lambda: 0, lambda k, v, agg: agg + 1,
                         lambda k, a, b: a + b, Serdes.Long(), burn=materialized is not None)

    def aggregate(self, initializer, aggregator, session_merger, named: Named | None = None,
                  materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named
        return self._agg("KSTREAM-AGGREGATE-", named, materialized, initializer, aggregator, session_merger, None)

    def reduce(self, reducer, named: Named | None = None, materialized: Materialized | None = None) -> KTable:
        if isinstance(named, Materialized):
            named, materialized = None, named

        def agg(k, v, a):
            return v if a is None else reducer(a, v)

        return self._agg("KSTREAM-REDUCE-", named, materialized, lambda: None, agg,
                         lambda k, a, b: agg(k, b, a), self.grouped.value_serde)


# ------------------------------------------------------------------------------------------------
# StreamsBuilder


class StreamsBuilder:
    """``StreamsBuilder``: ``stream``, ``table``, ``global_table``, ``add_state_store``, ``build``."""

    def __init__(self):
        self._topology = Topology()
        self._b = InternalStreamsBuilder(self._topology)

    def stream(self, topics, consumed: Consumed | None = None) -> KStream:
        """A stream from one topic, a list of topics, or a ``re.Pattern``."""
        c = consumed or Consumed()
        b = self._b
        name = b.named(c.name, "KSTREAM-SOURCE-")
        pattern = topics.pattern if isinstance(topics, re.Pattern) else None
        topic_list = None if pattern else ([topics] if isinstance(topics, str) else list(topics))
        ks, vs, tse, reset = c.key_serde, c.value_serde, c.timestamp_extractor, c.offset_reset_policy

        def write(itb, parents):
            itb.add_source(name, topic_list, pattern, tse, ks, vs, reset)

        node = GraphNode(name, write)
        b.add(b.root, node)
        return KStream(name, ks, vs, {name}, False, node, b)

    def table(self, topic: str, consumed: Consumed | Materialized | None = None,
              materialized: Materialized | None = None) -> KTable:
        """The topic as a table: the latest value per key (a ``null`` value deletes the key)."""
        if isinstance(consumed, Materialized):
            consumed, materialized = None, consumed
        c = consumed or Consumed()
        b = self._b
        m = (materialized or Materialized()).copy()
        if materialized is not None and consumed is None:
            c = Consumed.with_(m.key_serde, m.value_serde)
        if m.key_serde is None:
            m.key_serde = c.key_serde
        if m.value_serde is None:
            m.value_serde = c.value_serde
        queryable = m.store_name
        store_name = m.store_name or b.new_store_name(topic + "-")
        source_name = b.suffixed(c.name, "-source", "KSTREAM-SOURCE-")
        table_name = b.named(c.name, "KTABLE-SOURCE-")
        supplier = KTableSourceSupplier(store_name, queryable)
        store = _kv_store(store_name, m, m.key_serde, m.value_serde)
        ks, vs, tse, reset = c.key_serde, c.value_serde, c.timestamp_extractor, c.offset_reset_policy

        def write(itb, parents):
            itb.add_source(source_name, [topic], None, tse, ks, vs, reset)
            itb.add_processor(table_name, supplier, source_name)
            if supplier.materialized():
                itb.add_state_store(store, table_name)

        node = GraphNode(table_name, write)
        b.add(b.root, node)
        return KTable(table_name, ks, vs, {source_name}, queryable, supplier, node, b)

    def global_table(self, topic: str, consumed: Consumed | Materialized | None = None,
                     materialized: Materialized | None = None) -> GlobalKTable:
        """A table of the whole topic on every instance (its own global store, no changelog)."""
        if isinstance(consumed, Materialized):
            consumed, materialized = None, consumed
        c = consumed or Consumed()
        b = self._b
        m = (materialized or Materialized()).copy()
        if m.key_serde is None:
            m.key_serde = c.key_serde
        if m.value_serde is None:
            m.value_serde = c.value_serde
        store_name = m.store_name or b.new_store_name(topic + "-")
        source_name = b.suffixed(c.name, "-source", "KSTREAM-SOURCE-")
        proc_name = b.named(c.name, "KTABLE-SOURCE-")
        supplier = KTableSourceSupplier(store_name, store_name)
        store = StoreFactory(store_name, "keyValue", m.key_serde, m.value_serde, False, {}, False, True)
        ks, vs, tse = c.key_serde, c.value_serde, c.timestamp_extractor

        def write(itb, parents):
            itb.add_global_store(store, source_name, tse, ks, vs, topic, proc_name, supplier)

        node = GraphNode(proc_name, write)
        b.add(b.root, node)
        return GlobalKTable(store_name, supplier.view())

    def add_state_store(self, store_builder: StoreFactory) -> StreamsBuilder:
        def write(itb, parents):
            itb.add_state_store(store_builder)

        self._b.add(self._b.root, GraphNode(store_builder.name, write))
        return self

    def build(self, props: dict | None = None) -> Topology:
        return self._b.build()


__all__ = ["BranchedKStream", "EmitStrategy", "GlobalKTable", "KGroupedStream", "KStream", "KTable",
           "SessionWindowedKStream", "StreamsBuilder", "TimeWindowedKStream", "arity"]
