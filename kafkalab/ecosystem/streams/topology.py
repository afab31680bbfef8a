"""``Topology``: sources, processors, sinks and state stores, grouped into sub-topologies.

This is Kafka's ``InternalTopologyBuilder`` behind the Processor API (``Topology.addSource`` →
:meth:`Topology.add_source`, …), which the DSL (:mod:`.dsl`) writes into as well:

* Nodes connected by edges, or by sharing a state store, form a **sub-topology** (a union-find
  over node names, ``QuickUnion``); sub-topologies are numbered in the order their first node was
  added. Each sub-topology becomes one **task** per input partition at run time.
* Internal topics (``-repartition``) are registered undecorated and get the application id as a
  prefix at run time: ``<application.id>-<name>``. A store with logging enabled gets the
  changelog ``<application.id>-<store name>-changelog`` (``ProcessorStateManager.storeChangelogTopic``).
* :meth:`Topology.describe` returns a :class:`TopologyDescription` whose ``str()`` is the text
  Kafka prints — including Kafka's node order (a ``TreeSet`` by sub-tree size, then name, whose
  sizes are updated *while* it is filled, in ``HashMap`` order; see :mod:`.javautil`).
* Mistakes raise Kafka's ``TopologyException`` at build time: a duplicate name ("Processor X is
  already added."), a parent not added yet ("Predecessor processor X is not added yet for Y") —
  which is also why a Processor-API topology cannot contain a cycle — or a node that is its own
  parent ("Processor X cannot be a predecessor of itself.").

Source: ``InternalTopologyBuilder.java`` and ``TopologyDescription.java`` (apache/kafka streams).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import IllegalArgumentException, TopologyException
from .javautil import JavaTreeSet, collection_str, hash_order, hash_set_order, map_str

CHANGELOG_SUFFIX = "-changelog"


def changelog_topic(application_id: str, store_name: str) -> str:
    """``<application.id>-<store>-changelog``."""
    return f"{application_id}-{store_name}{CHANGELOG_SUFFIX}"


# ------------------------------------------------------------------------------------------------
# Store factories: what a task instantiates per store


@dataclass
class StoreFactory:
    """A state store to build per task (``StoreBuilder``/``StoreFactory``).

    ``kind`` is ``"keyValue"``, ``"window"``, ``"session"``, ``"suppress"`` (a suppression buffer) or
    ``"outerJoin"`` (the stream-stream outer-join store); ``timestamped`` stores keep the record
    timestamp with each value (``ValueAndTimestamp``), as the DSL's stores do.
    """

    name: str
    kind: str = "keyValue"
    key_serde: object = None
    value_serde: object = None
    logging_enabled: bool = True
    log_config: dict = field(default_factory=dict)
    caching_enabled: bool = False
    timestamped: bool = False
    retention_ms: int | None = None
    window_size_ms: int | None = None
    retain_duplicates: bool = False
    connected_processors: list = field(default_factory=list)
    other_value_serde: object = None  # the right side's values in a stream-stream outer-join store

    def with_logging_disabled(self) -> StoreFactory:
        self.logging_enabled = False
        self.log_config = {}
        return self

    def with_logging_enabled(self, config: dict | None = None) -> StoreFactory:
        self.logging_enabled = True
        self.log_config = dict(config or {})
        return self

    def with_caching_enabled(self) -> StoreFactory:
        self.caching_enabled = True
        return self

    def with_caching_disabled(self) -> StoreFactory:
        self.caching_enabled = False
        return self

    def changelog_config(self) -> dict:
        """Topic config of the changelog: compacted; windowed stores also delete by time.

        ``windowstore.changelog.additional.retention.ms`` (1 day) is added to a window store's
        retention, as ``InternalTopicConfig`` does for ``WindowedChangelogTopicConfig``.
        """
        if self.kind in ("window", "session"):
            cfg = {"cleanup.policy": "compact,delete",
                   "retention.ms": str((self.retention_ms or 0) + 24 * 60 * 60 * 1000)}
        else:
            cfg = {"cleanup.policy": "compact"}
        cfg.update(self.log_config)
        return cfg


# ------------------------------------------------------------------------------------------------
# Node factories


class _NodeFactory:
    kind = ""

    def __init__(self, name: str, predecessors: list[str]):
        self.name = name
        self.predecessors = list(predecessors)


class SourceNodeFactory(_NodeFactory):
    kind = "source"

    def __init__(self, name, topics, pattern, timestamp_extractor, key_deserializer, value_deserializer,
                 offset_reset=None):
        super().__init__(name, [])
        self.topics = list(topics) if topics else []
        self.pattern = pattern
        self.timestamp_extractor = timestamp_extractor
        self.key_deserializer = key_deserializer
        self.value_deserializer = value_deserializer
        self.offset_reset = offset_reset


class ProcessorNodeFactory(_NodeFactory):
    kind = "processor"

    def __init__(self, name, predecessors, supplier):
        super().__init__(name, predecessors)
        self.supplier = supplier
        self.state_store_names: list[str] = []  # a HashSet<String> in Java; insertion order kept for hash_order

    def add_state_store(self, store: str) -> None:
        if store not in self.state_store_names:
            self.state_store_names.append(store)


class SinkNodeFactory(_NodeFactory):
    kind = "sink"

    def __init__(self, name, predecessors, topic, topic_extractor, key_serializer, value_serializer, partitioner):
        super().__init__(name, predecessors)
        self.topic = topic
        self.topic_extractor = topic_extractor
        self.key_serializer = key_serializer
        self.value_serializer = value_serializer
        self.partitioner = partitioner


@dataclass
class InternalTopicProperties:
    number_of_partitions: int | None = None


class _QuickUnion:
    """``QuickUnion<String>``: which nodes belong to one sub-topology."""

    def __init__(self):
        self.ids: dict[str, str] = {}

    def add(self, x: str) -> None:
        self.ids[x] = x

    def root(self, x: str) -> str:
        cur = x
        while True:
            parent = self.ids[cur]
            if parent == cur:
                return cur
            self.ids[cur] = self.ids[parent]  # path compression, as QuickUnion.root does
            cur = parent

    def unite(self, x: str, *others: str) -> None:
        for y in others:
            r1, r2 = self.root(x), self.root(y)
            if r1 != r2:
                self.ids[r1] = r2


def _check_supplier(supplier) -> None:
    """``ApiUtils.checkSupplier``: a supplier must return a new processor object each time."""
    if not callable(supplier):
        raise TypeError(f"a processor supplier must be callable (e.g. the Processor class), got {supplier!r}")
    a, b = supplier(), supplier()
    if a is b and a is not None:
        raise IllegalArgumentException(f"{type(supplier).__name__}#get() must return a new object each time it is "
                                       "called.")


class InternalTopologyBuilder:
    """The builder behind ``Topology`` and ``StreamsBuilder``."""

    def __init__(self):
        self.node_factories: dict[str, _NodeFactory] = {}  # LinkedHashMap: insertion order
        self.state_factories: dict[str, StoreFactory] = {}
        self.global_state_builders: dict[str, StoreFactory] = {}
        self.raw_source_topics: list[str] = []
        self.global_topics: list[str] = []
        self.internal_topics: dict[str, InternalTopicProperties] = {}
        self.node_to_source_topics: dict[str, list[str]] = {}
        self.node_to_sink_topic: dict[str, str] = {}
        self.store_to_changelog_topic: dict[str, str] = {}
        self.copartition_source_groups: list[list[str]] = []
        self._grouper = _QuickUnion()

    # -- adding nodes --------------------------------------------------------------------------
    def _check_new(self, name: str) -> None:
        if name is None:
            raise TypeError("name must not be null")
        if name in self.node_factories:
            raise TopologyException(f"Processor {name} is already added.")

    def _validate_topic_not_registered(self, topic: str) -> None:
        if topic in self.raw_source_topics or topic in self.global_topics:
            raise TopologyException(f"Topic {topic} has already been registered by another source.")

    def add_source(self, name: str, topics: list[str] | None = None, pattern: str | None = None,
                   timestamp_extractor=None, key_deserializer=None, value_deserializer=None,
                   offset_reset=None) -> None:
        if pattern is None and not topics:
            raise TopologyException("You must provide at least one topic")
        self._check_new(name)
        for t in topics or ():
            if t is None:
                raise TypeError("topic names cannot be null")
            self._validate_topic_not_registered(t)
            self.raw_source_topics.append(t)
        self.node_factories[name] = SourceNodeFactory(name, topics, re.compile(pattern) if pattern else None,
                                                      timestamp_extractor, key_deserializer, value_deserializer,
                                                      offset_reset)
        self.node_to_source_topics[name] = list(topics or [])
        self._grouper.add(name)

    def _check_predecessors(self, name: str, predecessors, sink: bool = False) -> None:
        for p in predecessors:
            if p is None:
                raise TypeError("predecessor name must not be null")
            if p == name:
                raise TopologyException(f"Processor {name} cannot be a predecessor of itself.")
            if p not in self.node_factories:
                raise TopologyException(f"Predecessor processor {p} is not added yet" +
                                        ("." if sink else f" for {name}"))
            if p in self.node_to_sink_topic:
                raise TopologyException(f"Sink {p} cannot be used a parent.")

    def add_sink(self, name: str, topic, key_serializer=None, value_serializer=None, partitioner=None,
                 *predecessors: str) -> None:
        if topic is None:
            raise TypeError("topic must not be null")
        self._check_new(name)
        if not predecessors:
            raise TopologyException(f"Sink {name} must have at least one parent")
        self._check_predecessors(name, predecessors, sink=True)
        static = isinstance(topic, str)
        self.node_factories[name] = SinkNodeFactory(name, predecessors, topic if static else None,
                                                    None if static else topic, key_serializer, value_serializer,
                                                    partitioner)
        if static:
            self.node_to_sink_topic[name] = topic
        else:
            self.node_to_sink_topic[name] = ""
        self._grouper.add(name)
        self._grouper.unite(name, *predecessors)

    def add_processor(self, name: str, supplier, *predecessors: str) -> None:
        if supplier is None:
            raise TypeError("supplier must not be null")
        _check_supplier(supplier)
        self._check_new(name)
        if not predecessors:
            raise TopologyException(f"Processor {name} must have at least one parent")
        for p in predecessors:
            if p is None:
                raise TypeError("predecessor name must not be null")
            if p == name:
                raise TopologyException(f"Processor {name} cannot be a predecessor of itself.")
            if p not in self.node_factories:
                raise TopologyException(f"Predecessor processor {p} is not added yet for {name}")
        self.node_factories[name] = ProcessorNodeFactory(name, predecessors, supplier)
        self._grouper.add(name)
        self._grouper.unite(name, *predecessors)

    def add_state_store(self, store: StoreFactory, *processor_names: str, allow_override: bool = False) -> None:
        old = self.state_factories.get(store.name)
        if not allow_override and old is not None and old is not store:
            raise TopologyException(f"A different StateStore has already been added with the name {store.name}")
        if store.name in self.global_state_builders:
            raise TopologyException(f"A different GlobalStateStore has already been added with the name {store.name}")
        if old is None or allow_override:
            self.state_factories[store.name] = store
        for p in processor_names:
            self._connect_processor_and_store(p, store.name)

    def connect_processor_and_state_stores(self, processor_name: str, *store_names: str) -> None:
        if not store_names:
            raise TopologyException("Must provide at least one state store name.")
        for s in store_names:
            self._connect_processor_and_store(processor_name, s)

    def _connect_processor_and_store(self, processor: str, store: str) -> None:
        if store in self.global_state_builders:
            raise TopologyException(f"Global StateStore {store} can be used by a Processor without being specified; "
                                    "it should not be explicitly passed.")
        if store not in self.state_factories:
            raise TopologyException(f"StateStore {store} is not added yet.")
        if processor not in self.node_factories:
            raise TopologyException(f"Processor {processor} is not added yet.")
        factory = self.state_factories[store]
        if factory.connected_processors:
            self._grouper.unite(factory.connected_processors[0], processor)
        if processor not in factory.connected_processors:
            factory.connected_processors.append(processor)
        node = self.node_factories[processor]
        if not isinstance(node, ProcessorNodeFactory):
            raise TopologyException(f"cannot connect a state store {store} to a source node or a sink node.")
        node.add_state_store(store)

    def add_global_store(self, store: StoreFactory, source_name: str, timestamp_extractor, key_deserializer,
                         value_deserializer, topic: str, processor_name: str, supplier) -> None:
        for n in (source_name, processor_name):
            if n in self.node_factories:
                raise TopologyException(f"Processor {n} is already added.")
        if store.name in self.state_factories:
            raise TopologyException(f"A different StateStore has already been added with the name {store.name}")
        if store.name in self.global_state_builders:
            raise TopologyException(f"A different GlobalStateStore has already been added with the name {store.name}")
        if store.logging_enabled:
            raise TopologyException(f"StateStore {store.name} for global table must not have logging enabled.")
        if source_name == processor_name:
            raise TopologyException("sourceName and processorName must be different.")
        self._validate_topic_not_registered(topic)
        self.global_topics.append(topic)
        self.node_factories[source_name] = SourceNodeFactory(source_name, [topic], None, timestamp_extractor,
                                                             key_deserializer, value_deserializer)
        self.node_to_source_topics[source_name] = [topic]
        self._grouper.add(source_name)
        pf = ProcessorNodeFactory(processor_name, [source_name], supplier)
        pf.add_state_store(store.name)
        self.node_factories[processor_name] = pf
        self._grouper.add(processor_name)
        self._grouper.unite(processor_name, source_name)
        self.global_state_builders[store.name] = store
        store.connected_processors.append(processor_name)

    def add_internal_topic(self, name: str, props: InternalTopicProperties | None = None) -> None:
        self.internal_topics[name] = props or InternalTopicProperties()

    def copartition_sources(self, source_nodes) -> None:
        self.copartition_source_groups.append(list(source_nodes))

    # -- structure -------------------------------------------------------------------------------
    def is_global_source(self, name: str) -> bool:
        f = self.node_factories.get(name)
        return isinstance(f, SourceNodeFactory) and len(f.topics) == 1 and f.topics[0] in self.global_topics

    def node_groups(self) -> dict[int, list[str]]:
        """``{sub-topology id: node names}`` numbered in the order of their first node."""
        groups: dict[int, list[str]] = {}
        root_to_group: dict[str, list[str]] = {}
        for name in self.node_factories:
            root = self._grouper.root(name)
            g = root_to_group.get(root)
            if g is None:
                g = root_to_group[root] = []
                groups[len(groups)] = g
            g.append(name)
        return groups

    def global_node_groups(self) -> set[int]:
        return {i for i, names in self.node_groups().items() if any(self.is_global_source(n) for n in names)}

    def subtopologies(self) -> dict[int, list[str]]:
        """Non-global node groups only: the sub-topologies that generate tasks."""
        glob = self.global_node_groups()
        return {i: names for i, names in self.node_groups().items() if i not in glob}

    def source_topics_of(self, names) -> list[str]:
        out = []
        for n in names:
            for t in self.node_to_source_topics.get(n, ()):
                if t not in out:
                    out.append(t)
        return out

    def stores_of(self, names) -> list[str]:
        out = []
        for n in names:
            f = self.node_factories[n]
            if isinstance(f, ProcessorNodeFactory):
                for s in f.state_store_names:
                    if s not in out and (s in self.state_factories or s in self.global_state_builders):
                        out.append(s)
        return out

    def store_factory(self, name: str) -> StoreFactory:
        return self.state_factories.get(name) or self.global_state_builders[name]

    def decorate(self, topic: str, application_id: str) -> str:
        return f"{application_id}-{topic}" if topic in self.internal_topics else topic

    def has_no_local_topology(self) -> bool:
        return not self.subtopologies()

    def has_global_topology(self) -> bool:
        return bool(self.global_state_builders)

    def validate_copartition(self) -> None:
        """Build-time check: repartition topics with *enforced* partition counts must agree."""
        for group in self.copartition_source_groups:
            topics = {t for n in group for t in self.node_to_source_topics.get(n, ())}
            counts = {t: self.internal_topics[t].number_of_partitions for t in topics
                      if t in self.internal_topics and self.internal_topics[t].number_of_partitions is not None}
            if counts and set(counts) == topics and len(set(counts.values())) > 1:
                raise TopologyException("Following topics do not have the same number of partitions: "
                                        f"[{map_str(sorted(counts.items()))}]")

    # -- description -----------------------------------------------------------------------------
    def describe(self) -> TopologyDescription:
        desc = TopologyDescription()
        for gid, names in self.node_groups().items():
            if any(self.is_global_source(n) for n in names):
                src = next(n for n in names if self.is_global_source(n))
                proc = next(n for n in names if n != src)
                store = self.node_factories[proc].state_store_names[0]
                desc.global_stores.append(GlobalStoreDescription(gid, src, self.node_factories[src].topics[0], proc,
                                                                 store))
            else:
                desc.subtopologies.append(self._describe_subtopology(gid, names))
        return desc

    def _describe_node(self, name: str) -> NodeDescription:
        f = self.node_factories[name]
        if isinstance(f, SourceNodeFactory):
            topics = collection_str(hash_set_order(f.topics)) if f.topics else f.pattern.pattern
            return NodeDescription("source", name, topics=topics)
        if isinstance(f, ProcessorNodeFactory):
            stores = collection_str(hash_set_order(hash_order(f.state_store_names)))
            return NodeDescription("processor", name, stores=stores)
        topic = f.topic if f.topic is not None else None
        return NodeDescription("sink", name, topic=topic, extractor=None if topic is not None else
                               getattr(f.topic_extractor, "__name__", repr(f.topic_extractor)))

    def _describe_subtopology(self, gid: int, names: list[str]) -> SubtopologyDescription:
        # The node group is a HashSet<String> (filled in nodeFactories order) and nodesByName a
        # HashMap built by iterating it: replay both orders, then connect nodes as Kafka does.
        order = hash_order(hash_order(names))
        nodes = {n: self._describe_node(n) for n in order}
        for n in order:
            node = nodes[n]
            for pred_name in self.node_factories[n].predecessors:
                pred = nodes[pred_name]
                node.predecessors.add(pred)
                pred.successors.add(node)
                _update_size(pred, node.size)
        return SubtopologyDescription(gid, sorted(nodes.values(), key=lambda x: (-x.size, x.name)))


def _node_compare(a: NodeDescription, b: NodeDescription) -> int:
    """``NODE_COMPARATOR``: larger sub-tree first, then by name (with the sizes as they are *now*)."""
    if a is b:
        return 0
    if a.size != b.size:
        return b.size - a.size
    return (a.name > b.name) - (a.name < b.name)


def _update_size(node: NodeDescription, delta: int) -> None:
    node.size += delta
    for p in node.predecessors:
        _update_size(p, delta)


class NodeDescription:
    """``TopologyDescription.Node``: a source, processor or sink, with its neighbours."""

    def __init__(self, kind: str, name: str, topics: str | None = None, stores: str | None = None,
                 topic: str | None = None, extractor: str | None = None):
        self.kind = kind
        self.name = name
        self.topics = topics
        self.stores = stores
        self.topic = topic
        self.extractor = extractor
        self.size = 1
        self.predecessors = JavaTreeSet(_node_compare)
        self.successors = JavaTreeSet(_node_compare)

    @staticmethod
    def _names(nodes) -> str:
        names = [n.name for n in nodes]
        return ", ".join(names) if names else "none"

    def __str__(self) -> str:
        if self.kind == "source":
            return f"Source: {self.name} (topics: {self.topics})\n      --> {self._names(self.successors)}"
        if self.kind == "processor":
            return (f"Processor: {self.name} (stores: {self.stores})\n      --> {self._names(self.successors)}"
                    f"\n      <-- {self._names(self.predecessors)}")
        if self.topic is not None:
            return f"Sink: {self.name} (topic: {self.topic})\n      <-- {self._names(self.predecessors)}"
        return f"Sink: {self.name} (extractor class: {self.extractor})\n      <-- {self._names(self.predecessors)}"

    __repr__ = __str__


@dataclass
class SubtopologyDescription:
    id: int
    nodes: list

    def __str__(self) -> str:
        return f"Sub-topology: {self.id}\n" + "".join(f"    {n}\n" for n in self.nodes) + "\n"


@dataclass
class GlobalStoreDescription:
    id: int
    source_name: str
    topic: str
    processor_name: str
    store_name: str

    def __str__(self) -> str:
        return (f"Sub-topology: {self.id} for global store (will not generate tasks)\n"
                f"    Source: {self.source_name} (topics: [{self.topic}])\n      --> {self.processor_name}\n"
                f"    Processor: {self.processor_name} (stores: [{self.store_name}])\n      --> none\n"
                f"      <-- {self.source_name}\n")


class TopologyDescription:
    """What ``Topology.describe()`` returns; ``print()`` it to see Kafka's text."""

    def __init__(self):
        self.subtopologies: list[SubtopologyDescription] = []
        self.global_stores: list[GlobalStoreDescription] = []

    def __str__(self) -> str:
        parts = sorted([(s.id, str(s)) for s in self.subtopologies] + [(g.id, str(g)) for g in self.global_stores])
        return "Topologies:\n " + "".join("  " + text for _, text in parts)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


class Topology:
    """A processor topology (``org.apache.kafka.streams.Topology``), built by hand or by a ``StreamsBuilder``."""

    def __init__(self):
        self.internal = InternalTopologyBuilder()

    def add_source(self, name: str, *topics: str, key_deserializer=None, value_deserializer=None,
                   timestamp_extractor=None, offset_reset=None, pattern: str | None = None) -> Topology:
        self.internal.add_source(name, list(topics), pattern, timestamp_extractor, key_deserializer,
                                 value_deserializer, offset_reset)
        return self

    def add_processor(self, name: str, supplier, *parent_names: str) -> Topology:
        """``supplier()`` must return a new :class:`~.processor.Processor` each time (a class works)."""
        self.internal.add_processor(name, supplier, *parent_names)
        return self

    def add_sink(self, name: str, topic, *parent_names: str, key_serializer=None, value_serializer=None,
                 partitioner=None) -> Topology:
        self.internal.add_sink(name, topic, key_serializer, value_serializer, partitioner, *parent_names)
        return self

    def add_state_store(self, store_builder: StoreFactory, *processor_names: str) -> Topology:
        self.internal.add_state_store(store_builder, *processor_names)
        return self

    def connect_processor_and_state_stores(self, processor_name: str, *state_store_names: str) -> Topology:
        self.internal.connect_processor_and_state_stores(processor_name, *state_store_names)
        return self

    def describe(self) -> TopologyDescription:
        return self.internal.describe()


__all__ = ["CHANGELOG_SUFFIX", "InternalTopicProperties", "InternalTopologyBuilder", "NodeDescription",
           "StoreFactory", "SubtopologyDescription", "Topology", "TopologyDescription", "changelog_topic"]
