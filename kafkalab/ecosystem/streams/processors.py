"""The DSL's processors, as Kafka Streams implements them (``org.apache.kafka.streams.kstream.internals``).

Each class is the ``process()`` of one Kafka processor, written from Kafka's source:

* stateless — ``KStreamFilter``, ``KStreamMap``, ``KStreamMapValues``, ``KStreamFlatMap``,
  ``KStreamPeek``, ``KStreamBranch``, ``PassThrough``;
* tables — ``KTableSource`` (materializes a topic), ``KTableFilter``, ``KTableMapValues``,
  ``KTableToStream``, ``KTableSuppressProcessor``;
* aggregations — ``KStreamAggregate``/``KStreamReduce``, ``KStreamWindowAggregate`` (time windows),
  ``KStreamSlidingWindowAggregate``, ``KStreamSessionWindowAggregate``;
* joins — ``KStreamKTableJoin``, ``KStreamGlobalKTableJoin``, ``KStreamJoinWindow`` +
  ``KStreamKStreamJoin`` (both sides, inner/left/outer), ``KTableKTableJoin`` and its merger.

Late records: a windowed aggregation keeps its *observed stream time* (the largest timestamp it has
seen) and drops a record for every window whose end is at or before ``stream time - grace``
(``windowEnd <= closeTime``; sliding windows include their end), recording the task's
``dropped-records`` sensor. Null keys (and, where Kafka says so, null values) are dropped the same way.

Updates of a cached store are forwarded by the cache when it flushes, not here (``TimestampedTupleForwarder``).
"""
from __future__ import annotations

import inspect

from .processor import NO_TIMESTAMP, Change, Processor, Record
from .state import ValueAndTimestamp, get_value_or_null
from .windows import SessionWindow, TimeWindow, Windowed

# ------------------------------------------------------------------------------------------------
# Python has no overloads: ValueMapper(v) vs ValueMapperWithKey(k, v), ValueJoiner(v1, v2) vs
# ValueJoinerWithKey(k, v1, v2) are told apart by how many positional arguments the function takes.


def arity(fn) -> int:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    n = 0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            n += 1
        elif p.kind is p.VAR_POSITIONAL:
            return 99
    return n


def with_key(fn, plain_args: int):
    """A function of (key, *args): ``fn`` itself if it takes the key, else one that drops it."""
    if arity(fn) > plain_args:
        return fn
    if plain_args == 1:
        return lambda _k, v: fn(v)
    return lambda _k, a, b: fn(a, b)


def as_key_value(kv):
    if kv is None:
        raise ValueError("a KeyValueMapper returned None: return KeyValue(key, value) (or a (key, value) tuple)")
    return kv[0], kv[1]


class TupleForwarder:
    """``TimestampedTupleForwarder``: forward now if the store does not cache, else let the cache do it."""

    def __init__(self, store, context, send_old_values: bool):
        self.context = context
        self.node = context.current_node
        self.caching = store.set_flush_listener(self._on_flush, send_old_values) if store is not None else False

    def _on_flush(self, key, new, old, timestamp) -> None:
        ctx = self.context
        prev = ctx.current_node
        ctx.current_node = self.node
        try:
            ctx.forward(Record(key, Change(new, old), timestamp, ctx.record_context[4]))
        finally:
            ctx.current_node = prev

    def maybe_forward(self, record: Record) -> None:
        if not self.caching:
            self.context.forward(record)


# ------------------------------------------------------------------------------------------------
# Stateless


class KStreamFilter(Processor):
    def __init__(self, predicate, filter_not: bool):
        self.predicate = predicate
        self.filter_not = filter_not

    def process(self, record):
        if self.filter_not ^ bool(self.predicate(record.key, record.value)):
            self.context.forward(record)


class KStreamMap(Processor):
    def __init__(self, mapper):
        self.mapper = mapper

    def process(self, record):
        k, v = as_key_value(self.mapper(record.key, record.value))
        self.context.forward(Record(k, v, record.timestamp, record.headers))


class KStreamMapValues(Processor):
    """``mapper(key, value)``."""

    def __init__(self, mapper):
        self.mapper = mapper

    def process(self, record):
        self.context.forward(Record(record.key, self.mapper(record.key, record.value), record.timestamp,
                                    record.headers))


class KStreamFlatMap(Processor):
    def __init__(self, mapper):
        self.mapper = mapper

    def process(self, record):
        for kv in self.mapper(record.key, record.value) or ():
            k, v = as_key_value(kv)
            self.context.forward(Record(k, v, record.timestamp, record.headers))


class KStreamFlatMapValues(Processor):
    def __init__(self, mapper):
        self.mapper = mapper

    def process(self, record):
        for v in self.mapper(record.key, record.value) or ():
            self.context.forward(Record(record.key, v, record.timestamp, record.headers))


class KStreamPeek(Processor):
    def __init__(self, action, forward: bool = True):
        self.action = action
        self.forward_downstream = forward

    def process(self, record):
        self.action(record.key, record.value)
        if self.forward_downstream:
            self.context.forward(record)


class PassThrough(Processor):
    def process(self, record):
        self.context.forward(record)


class KStreamBranch(Processor):
    """The first branch whose predicate holds gets the record; else the default branch, if any."""

    def __init__(self, predicates: list, child_names: list):
        self.predicates = predicates  # shared with the DSL object: branches added later count
        self.child_names = child_names

    def process(self, record):
        for i, pred in enumerate(self.predicates):
            if pred(record.key, record.value):
                self.context.forward(record, self.child_names[i])
                return
        if len(self.child_names) > len(self.predicates):
            self.context.forward(record, self.child_names[-1])


class KTableToStream(Processor):
    """``toStream()``: ``KStreamMapValues((key, change) -> change.newValue)``."""

    def process(self, record):
        self.context.forward(Record(record.key, record.value.new_value, record.timestamp, record.headers))


# ------------------------------------------------------------------------------------------------
# Tables


class KTableSourceSupplier:
    """``KTableSource``: materialized when a store name is set (by the user, or by a join needing it)."""

    def __init__(self, store_name: str, queryable_name: str | None):
        self.store_name = store_name
        self.queryable_name = queryable_name
        self.send_old_values = False

    def materialize(self) -> None:
        self.queryable_name = self.store_name

    def materialized(self) -> bool:
        return self.queryable_name is not None

    def __call__(self):
        return KTableSource(self)

    def view(self):
        return StoreGetterSupplier(self.store_name)


class KTableSource(Processor):
    def __init__(self, supplier: KTableSourceSupplier):
        self.s = supplier

    def init(self, context):
        super().init(context)
        self.store = None
        if self.s.queryable_name is not None:
            self.store = context.get_state_store(self.s.queryable_name)
            self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def process(self, record):
        if record.key is None:
            self.context.record_dropped("null key")
            return
        if self.store is not None:
            old = self.store.get(record.key)
            old_value = old.value if old is not None else None
            self.store.put(record.key, ValueAndTimestamp.make(record.value, record.timestamp))
            self.forwarder.maybe_forward(record.with_value(
                Change(record.value, old_value if self.s.send_old_values else None)))
        else:
            self.context.forward(record.with_value(Change(record.value, None)))


class StoreGetterSupplier:
    """A value getter reading a (timestamped) key-value store: ``get(key) -> ValueAndTimestamp``."""

    def __init__(self, store_name: str):
        self.store_names = [store_name]

    def get(self, context):
        store = context.get_state_store(self.store_names[0])
        return store.get


class MappedGetterSupplier:
    """The getter of a non-materialized ``KTable.filter``/``mapValues``: the parent's, transformed."""

    def __init__(self, parent, transform):
        self.parent = parent
        self.transform = transform  # (key, value) -> value or None
        self.store_names = parent.store_names

    def get(self, context):
        inner = self.parent.get(context)
        transform = self.transform

        def getter(key):
            vat = inner(key)
            if vat is None:
                return None
            v = transform(key, vat.value)
            return None if v is None else ValueAndTimestamp(v, vat.timestamp)

        return getter


class KTableTransformSupplier:
    """``KTableFilter`` / ``KTableMapValues``: transform each change; materialize if a store is named."""

    def __init__(self, parent_supplier, transform, queryable_name: str | None, filter_like: bool):
        self.parent = parent_supplier
        self.transform = transform
        self.queryable_name = queryable_name
        self.filter_like = filter_like
        self.send_old_values = False

    def __call__(self):
        return KTableTransform(self)

    def view(self):
        if self.queryable_name is not None:
            return StoreGetterSupplier(self.queryable_name)
        return MappedGetterSupplier(self.parent.view(), self.transform)

    def enable_sending_old_values(self, force_materialization: bool) -> bool:
        if self.queryable_name is not None:
            self.send_old_values = True
            return True
        ok = enable_old_values(self.parent, force_materialization)
        if ok:
            self.send_old_values = True
        return ok


class KTableTransform(Processor):
    def __init__(self, s: KTableTransformSupplier):
        self.s = s

    def init(self, context):
        super().init(context)
        self.store = None
        if self.s.queryable_name is not None:
            self.store = context.get_state_store(self.s.queryable_name)
            self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def process(self, record):
        key, change = record.key, record.value
        t = self.s.transform
        new = t(key, change.new_value) if change.new_value is not None else None
        old = t(key, change.old_value) if (self.s.send_old_values and change.old_value is not None) else None
        if self.s.filter_like and self.s.send_old_values and old is None and new is None:
            return  # KTableFilter: nothing changed downstream
        if self.store is not None:
            self.store.put(key, ValueAndTimestamp.make(new, record.timestamp))
            self.forwarder.maybe_forward(record.with_value(Change(new, old)))
        else:
            self.context.forward(record.with_value(Change(new, old)))


def enable_old_values(supplier, force_materialization: bool) -> bool:
    """``KTableImpl.enableSendingOldValues``: ask the table's processor to send old values too."""
    if isinstance(supplier, KTableSourceSupplier):
        if not force_materialization and not supplier.materialized():
            return False
        supplier.materialize()
        supplier.send_old_values = True
        return True
    if hasattr(supplier, "enable_sending_old_values"):
        return supplier.enable_sending_old_values(force_materialization)
    supplier.send_old_values = True
    return True


# ------------------------------------------------------------------------------------------------
# Non-windowed aggregations


class KStreamAggregateSupplier:
    """``KStreamAggregate`` (count, aggregate) and ``KStreamReduce`` (``reducer`` set)."""

    def __init__(self, store_name: str, initializer=None, aggregator=None, reducer=None):
        self.store_name = store_name
        self.initializer = initializer
        self.aggregator = aggregator
        self.reducer = reducer
        self.send_old_values = False

    def __call__(self):
        return KStreamAggregate(self)

    def view(self):
        return StoreGetterSupplier(self.store_name)

    def enable_sending_old_values(self, force_materialization: bool = True) -> bool:
        self.send_old_values = True
        return True


class KStreamAggregate(Processor):
    def __init__(self, s: KStreamAggregateSupplier):
        self.s = s

    def init(self, context):
        super().init(context)
        self.store = context.get_state_store(self.s.store_name)
        self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def process(self, record):
        if record.key is None or record.value is None:
            self.context.record_dropped("null key or value")
            return
        old = self.store.get(record.key)
        s = self.s
        if s.reducer is not None:
            if old is None:
                old_agg, new_agg, ts = None, record.value, record.timestamp
            else:
                old_agg = old.value
                new_agg = s.reducer(old_agg, record.value)
                ts = max(record.timestamp, old.timestamp)
        else:
            if old is None:
                old_agg, ts = s.initializer(), record.timestamp
            else:
                old_agg, ts = old.value, max(record.timestamp, old.timestamp)
            new_agg = s.aggregator(record.key, record.value, old_agg)
        self.store.put(record.key, ValueAndTimestamp(new_agg, ts))
        self.forwarder.maybe_forward(Record(record.key, Change(new_agg, old_agg if s.send_old_values else None), ts,
                                            record.headers))


# ------------------------------------------------------------------------------------------------
# Re-grouped tables: KTable.groupBy → KGroupedTable.count / reduce / aggregate


class KTableRepartitionMapSupplier:
    """``KTableRepartitionMap``: the table's updates re-keyed by ``selector(key, value) -> (key', value')``."""

    def __init__(self, selector):
        self.selector = selector

    def __call__(self):
        return KTableRepartitionMap(self.selector)


class KTableRepartitionMap(Processor):
    """Kafka's ``KTableMapProcessor``: the old pair is subtracted where it was, the new one added where it goes.

    When both land on the same new key they travel as one ``Change(new, old)`` (KIP-904, Kafka 3.5), so the
    aggregate applies the subtractor then the adder in one step; otherwise as two records, the removal first.
    A pair whose selected key or value is null is skipped.
    """

    def __init__(self, selector):
        self.selector = selector

    def process(self, record):
        from .errors import StreamsException

        if record.key is None:
            raise StreamsException("Record key for the grouping KTable should not be null.")
        change = record.value
        new = self.selector(record.key, change.new_value) if change.new_value is not None else None
        old = self.selector(record.key, change.old_value) if change.old_value is not None else None
        new_ok = new is not None and new[0] is not None and new[1] is not None
        old_ok = old is not None and old[0] is not None and old[1] is not None
        fwd = self.context.forward
        if new_ok and old_ok and new[0] == old[0]:
            fwd(Record(new[0], Change(new[1], old[1]), record.timestamp, record.headers))
            return
        if old_ok:
            fwd(Record(old[0], Change(None, old[1]), record.timestamp, record.headers))
        if new_ok:
            fwd(Record(new[0], Change(new[1], None), record.timestamp, record.headers))


class KTableAggregateSupplier:
    """``KTableAggregate`` (``count``, ``aggregate``: initializer, adder, subtractor) and ``KTableReduce``
    (``reduce``: adder and subtractor reducers)."""

    def __init__(self, store_name: str, initializer=None, adder=None, subtractor=None, reduce: bool = False):
        self.store_name = store_name
        self.initializer = initializer
        self.adder = adder
        self.subtractor = subtractor
        self.reduce = reduce
        self.send_old_values = False

    def __call__(self):
        return KTableAggregate(self)

    def view(self):
        return StoreGetterSupplier(self.store_name)

    def enable_sending_old_values(self, force_materialization: bool = True) -> bool:
        self.send_old_values = True
        return True


class KTableAggregate(Processor):
    """Subtract the old value (if the aggregate has one), then add the new (initialising the aggregate first)."""

    def __init__(self, s: KTableAggregateSupplier):
        self.s = s

    def init(self, context):
        super().init(context)
        self.store = context.get_state_store(self.s.store_name)
        self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def process(self, record):
        from .errors import StreamsException

        s = self.s
        if record.key is None:
            raise StreamsException(f"Record key for KTable {'reduce' if s.reduce else 'aggregate'} operator with "
                                   f"state {s.store_name} should not be null.")
        change = record.value
        old_vat = self.store.get(record.key)
        old_agg = get_value_or_null(old_vat)
        ts = record.timestamp
        if change.old_value is not None and old_agg is not None:
            mid = (s.subtractor(old_agg, change.old_value) if s.reduce
                   else s.subtractor(record.key, change.old_value, old_agg))
            ts = max(ts, old_vat.timestamp)
        else:
            mid = old_agg
        if change.new_value is not None:
            if s.reduce:
                new_agg = change.new_value if mid is None else s.adder(mid, change.new_value)
            else:
                new_agg = s.adder(record.key, change.new_value, s.initializer() if mid is None else mid)
            if old_vat is not None:
                ts = max(ts, old_vat.timestamp)
        else:
            new_agg = mid
        self.store.put(record.key, ValueAndTimestamp.make(new_agg, ts))
        self.forwarder.maybe_forward(Record(record.key, Change(new_agg, old_agg if s.send_old_values else None), ts,
                                            record.headers))


# ------------------------------------------------------------------------------------------------
# Windowed aggregations


class WindowAggregateSupplier:
    """Supplier of the time, sliding or session window aggregation, with its ``view()`` getter."""

    def __init__(self, kind: str, windows, store_name: str, initializer, aggregator, merger=None,
                 emit_on_close: bool = False):
        self.kind = kind  # "time", "sliding", "session"
        self.windows = windows
        self.store_name = store_name
        self.initializer = initializer
        self.aggregator = aggregator
        self.merger = merger
        self.emit_on_close = emit_on_close
        self.send_old_values = False

    def __call__(self):
        return {"time": KStreamWindowAggregate, "sliding": KStreamSlidingWindowAggregate,
                "session": KStreamSessionWindowAggregate}[self.kind](self)

    def view(self):
        return WindowGetterSupplier(self.store_name, self.kind)

    def enable_sending_old_values(self, force_materialization: bool = True) -> bool:
        self.send_old_values = True
        return True

    def grace_ms(self) -> int:
        return self.windows.grace_period_ms()


class WindowGetterSupplier:
    def __init__(self, store_name: str, kind: str):
        self.store_names = [store_name]
        self.kind = kind

    def get(self, context):
        store = context.get_state_store(self.store_names[0])
        if self.kind == "session":
            def getter(wk):
                v = store.fetch_session(wk.key, wk.window.start, wk.window.end)
                return None if v is None else ValueAndTimestamp(v, wk.window.end)
            return getter
        return lambda wk: store.fetch(wk.key, wk.window.start)


class _WindowAggregateBase(Processor):
    """What the time and sliding window aggregations share (``AbstractKStreamTimeWindowAggregateProcessor``)."""

    def __init__(self, s: WindowAggregateSupplier):
        self.s = s
        self.observed_stream_time = NO_TIMESTAMP
        self.last_emit_close_time = NO_TIMESTAMP
        self.next_time_to_emit = 0

    def init(self, context):
        super().init(context)
        self.store = context.get_state_store(self.s.store_name)
        if self.s.emit_on_close:
            self.forwarder = TupleForwarder(None, context, self.s.send_old_values)
            self.emit_interval = int(context.app_configs.get("__emit.interval.ms.kstreams.windowed.aggregation__",
                                                             1000))
        else:
            self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def forward_update(self, record, window, old_agg, new_agg, ts) -> None:
        if self.s.emit_on_close:
            return
        self.forwarder.maybe_forward(Record(Windowed(record.key, window),
                                            Change(new_agg, old_agg if self.s.send_old_values else None), ts,
                                            record.headers))

    def skip_expired(self, record, window_str: str, close_time: int) -> None:
        self.context.record_dropped("expired window", window=window_str, expiration=close_time,
                                    stream_time=self.observed_stream_time)

    def maybe_forward_final(self, record, close_time: int) -> None:
        """``EmitStrategy.onWindowClose()``: emit the windows that closed since the last emit."""
        if not self.s.emit_on_close:
            return
        now = self.context.current_system_time_ms()
        if now < self.next_time_to_emit:
            return
        self.next_time_to_emit = now + self.emit_interval
        if not (self.last_emit_close_time == NO_TIMESTAMP or self.last_emit_close_time < close_time):
            return
        upper = self.emit_upper(close_time)
        if upper < 0:
            return
        lower = self.emit_lower()
        for wk, vat in self.store.fetch_all(lower, upper):
            self.context.forward(Record(wk, Change(vat.value, None), vat.timestamp, record.headers))
        self.last_emit_close_time = close_time


class KStreamWindowAggregate(_WindowAggregateBase):
    """Tumbling/hopping windows: update every window of the record that is still open."""

    def process(self, record):
        if record.key is None:
            self.context.record_dropped("null key")
            return
        ts = record.timestamp
        self.observed_stream_time = max(self.observed_stream_time, ts)
        windows = self.s.windows
        close_time = self.observed_stream_time - windows.grace_period_ms()
        store = self.store
        for start, window in windows.windows_for(ts).items():
            if window.end > close_time:
                old = store.fetch(record.key, start)
                if old is None:
                    old_agg, new_ts = self.s.initializer(), ts
                else:
                    old_agg, new_ts = old.value, max(ts, old.timestamp)
                new_agg = self.s.aggregator(record.key, record.value, old_agg)
                store.put(record.key, ValueAndTimestamp(new_agg, new_ts), start)
                self.forward_update(record, window, old_agg, new_agg, new_ts)
            else:
                self.skip_expired(record, f"[{start},{window.end})", close_time)
        self.maybe_forward_final(record, close_time)

    def emit_lower(self) -> int:
        if self.last_emit_close_time == NO_TIMESTAMP:
            return 0
        return max(0, self.last_emit_close_time - self.s.windows.size()) + 1

    def emit_upper(self, close_time: int) -> int:
        return close_time - self.s.windows.size()


class KStreamSlidingWindowAggregate(_WindowAggregateBase):
    """Sliding windows (``KStreamSlidingWindowAggregate.processInOrder``): each record's left window
    ``[t - d, t]`` and, when a later record falls in it, its right window ``[t + 1, t + 1 + d]``."""

    def process(self, record):
        if record.key is None or record.value is None:
            self.context.record_dropped("null key or value")
            return
        ts = record.timestamp
        self.observed_stream_time = max(self.observed_stream_time, ts)
        d = self.s.windows.time_difference_ms()
        close_time = self.observed_stream_time - self.s.windows.grace_period_ms()
        if ts + d < close_time:
            self.skip_expired(record, f"[{ts},{ts + d}]", close_time)
            return
        if ts < d:
            self._process_early(record, close_time)
        else:
            self._process_in_order(record, close_time)
        self.maybe_forward_final(record, close_time)

    def _update(self, window, vat, record, close_time) -> None:
        if window.end >= close_time:
            old_agg = get_value_or_null(vat)
            new_agg = self.s.aggregator(record.key, record.value, old_agg)
            new_ts = record.timestamp if old_agg is None else max(record.timestamp, vat.timestamp)
            self.store.put(record.key, ValueAndTimestamp(new_agg, new_ts), window.start)
            self.forward_update(record, window, old_agg, new_agg, new_ts)
        else:
            self.skip_expired(record, f"[{window.start},{window.end}]", close_time)

    def _win(self, start: int):
        return TimeWindow(start, start + self.s.windows.time_difference_ms()) if self.s.windows.time_difference_ms() \
            else _ZeroWindow(start)

    def _process_in_order(self, record, close_time) -> None:
        d = self.s.windows.time_difference_ms()
        ts = record.timestamp
        starts = set()
        left_agg = right_agg = None
        left_created = right_created = False
        prev_ts = None
        for start, vat in self.store.fetch_range(record.key, max(0, ts - 2 * d), ts + 1):
            starts.add(start)
            end = start + d
            max_ts = vat.timestamp
            if end < ts:
                left_agg = vat
                prev_ts = max_ts
            elif end == ts:
                left_created = True
                if max_ts < ts:
                    prev_ts = max_ts
                self._update(self._win(start), vat, record, close_time)
            elif end > ts and start <= ts:
                right_agg = vat
                self._update(self._win(start), vat, record, close_time)
            elif start == ts + 1:
                right_created = True
            else:
                raise RuntimeError("Unexpected window found when processing sliding windows")
        self._create_windows(record, close_time, starts, right_agg, left_agg, left_created, right_created, prev_ts)

    def _process_early(self, record, close_time) -> None:
        d = self.s.windows.time_difference_ms()
        ts = record.timestamp
        combined = None
        right_agg = None
        right_created = False
        starts = set()
        prev_ts = None
        for start, vat in self.store.fetch_range(record.key, 0, ts + 1):
            starts.add(start)
            if start == 0:
                combined = (start, vat)
                if vat.timestamp < ts:
                    prev_ts = vat.timestamp
            elif start <= ts:
                right_agg = vat
                self._update(self._win(start), vat, record, close_time)
            elif start == ts + 1:
                right_created = True
            else:
                raise RuntimeError("Unexpected window found when processing sliding windows")
        if right_agg is None and combined is not None and combined[1].timestamp > ts:
            right_agg = combined[1]
        if not right_created and right_agg is not None and right_agg.timestamp > ts:
            self._create_current_right(ts, right_agg, record)
        if prev_ts is not None and (prev_ts + 1) not in starts:
            self._update(self._win(prev_ts + 1), ValueAndTimestamp(self.s.initializer(), ts), record, close_time)
        if combined is None:
            self._update(TimeWindow(0, d) if d else _ZeroWindow(0), ValueAndTimestamp(self.s.initializer(), ts),
                         record, close_time)
        else:
            self._update(self._win(0), combined[1], record, close_time)

    def _create_windows(self, record, close_time, starts, right_agg, left_agg, left_created, right_created,
                        prev_ts) -> None:
        d = self.s.windows.time_difference_ms()
        ts = record.timestamp
        if prev_ts is not None:
            prev_right = prev_ts + 1
            if prev_right not in starts and prev_right + d >= ts:
                self._update(self._win(prev_right), ValueAndTimestamp(self.s.initializer(), ts), record, close_time)
        if not left_created:
            if prev_ts is not None and ts - d <= prev_ts:
                vat = ValueAndTimestamp(left_agg.value, ts)
            else:
                vat = ValueAndTimestamp(self.s.initializer(), ts)
            self._update(self._win(ts - d), vat, record, close_time)
        if not right_created and right_agg is not None and right_agg.timestamp > ts:
            self._create_current_right(ts, right_agg, record)

    def _create_current_right(self, ts, right_agg, record) -> None:
        window = self._win(ts + 1)
        self.store.put(record.key, right_agg, window.start)
        self.forward_update(record, window, None, right_agg.value, right_agg.timestamp)

    def emit_lower(self) -> int:
        if self.last_emit_close_time == NO_TIMESTAMP:
            return 0
        return max(0, self.last_emit_close_time - self.s.windows.time_difference_ms())

    def emit_upper(self, close_time: int) -> int:
        return close_time - self.s.windows.time_difference_ms() - 1


class _ZeroWindow(TimeWindow):
    """A sliding window of time difference 0 (``[t, t]``): Kafka's TimeWindow would reject start == end."""

    __slots__ = ()

    def __init__(self, start: int):
        self.start = start
        self.end = start


class KStreamSessionWindowAggregate(Processor):
    """Session windows: merge the record with every session of its key within the inactivity gap."""

    def __init__(self, s: WindowAggregateSupplier):
        self.s = s
        self.observed_stream_time = NO_TIMESTAMP
        self.last_emit_close_time = NO_TIMESTAMP
        self.next_time_to_emit = 0

    def init(self, context):
        super().init(context)
        self.store = context.get_state_store(self.s.store_name)
        self.forwarder = TupleForwarder(None if self.s.emit_on_close else self.store, context, self.s.send_old_values)
        self.emit_interval = int(context.app_configs.get("__emit.interval.ms.kstreams.windowed.aggregation__", 1000))

    def process(self, record):
        if record.key is None:
            self.context.record_dropped("null key")
            return
        ts = record.timestamp
        self.observed_stream_time = max(self.observed_stream_time, ts)
        w = self.s.windows
        gap = w.inactivity_gap()
        close_time = self.observed_stream_time - w.grace_period_ms() - gap
        merged = []
        agg = self.s.initializer()
        start, end = ts, ts
        for wk, value in self.store.find_sessions(record.key, ts - gap, ts + gap):
            merged.append((wk, value))
            agg = self.s.merger(record.key, agg, value)
            start, end = min(start, wk.window.start), max(end, wk.window.end)
        if end < close_time:
            self.context.record_dropped("expired window", window=f"[{start},{end}]", expiration=close_time,
                                        stream_time=self.observed_stream_time)
        else:
            if (start, end) != (ts, ts):
                for wk, value in merged:
                    self.store.remove(wk)
                    self._forward(wk, None, value)
            agg = self.s.aggregator(record.key, record.value, agg)
            key = Windowed(record.key, SessionWindow(start, end))
            self.store.put(key, agg)
            self._forward(key, agg, None)
        self._maybe_forward_final(record, close_time)

    def _forward(self, wk, new, old) -> None:
        if self.s.emit_on_close:
            return
        self.forwarder.maybe_forward(Record(wk, Change(new, old if self.s.send_old_values else None), wk.window.end,
                                            self.context.record_context[4]))

    def _maybe_forward_final(self, record, close_time) -> None:
        if not self.s.emit_on_close:
            return
        now = self.context.current_system_time_ms()
        if now < self.next_time_to_emit:
            return
        self.next_time_to_emit = now + self.emit_interval
        if not (self.last_emit_close_time == NO_TIMESTAMP or self.last_emit_close_time < close_time):
            return
        upper, lower = close_time - 1, max(0, self.last_emit_close_time)
        if upper >= lower:
            for wk, v in self.store.all():
                if lower <= wk.window.end <= upper:
                    self.context.forward(Record(wk, Change(v, None), wk.window.end, record.headers))
        self.last_emit_close_time = close_time


# ------------------------------------------------------------------------------------------------
# Suppression


class SuppressSupplier:
    """``KTableSuppressProcessorSupplier``: final results (window end + grace) or a time limit."""

    def __init__(self, store_name: str, kind: str, duration_ms: int, buffer_config, parent_supplier,
                 windowed: bool):
        self.store_name = store_name
        self.kind = kind
        self.duration_ms = duration_ms
        self.buffer = buffer_config
        self.parent = parent_supplier
        self.windowed = windowed
        self.send_old_values = False

    def __call__(self):
        return KTableSuppress(self)

    def view(self):
        # Suppression does not change the table's values: reading through to the parent is what Kafka does
        # once the buffer is empty.
        return self.parent.view()

    def enable_sending_old_values(self, force_materialization: bool) -> bool:
        ok = enable_old_values(self.parent, force_materialization)
        self.send_old_values = ok
        return ok


class KTableSuppress(Processor):
    def __init__(self, s: SuppressSupplier):
        self.s = s
        self.observed_stream_time = NO_TIMESTAMP

    def init(self, context):
        super().init(context)
        self.buffer = context.get_state_store(self.s.store_name)

    def process(self, record):
        self.observed_stream_time = max(self.observed_stream_time, record.timestamp)
        s = self.s
        buffer_time = record.key.window.end if s.kind == "untilWindowCloses" else record.timestamp
        self.buffer.put(buffer_time, record.key, record.value, self.context.record_context)
        expiry = self.observed_stream_time - s.duration_ms
        buf = self.buffer
        buf.evict_while(lambda: buf.min_timestamp() <= expiry, self._emit)
        cfg = s.buffer
        over = lambda: buf.num_records() > cfg.record_limit or buf.buffer_size() > cfg.byte_limit
        if over():
            if cfg.strategy == cfg.EMIT:
                buf.evict_while(over, self._emit)
            else:
                from .errors import StreamsException

                raise StreamsException(f"{self.context.current_node.name} buffer exceeded its max capacity. Currently "
                                       f"[{buf.num_records()}/{cfg.record_limit}] records and "
                                       f"[{buf.buffer_size()}/{cfg.byte_limit}] bytes.")

    def _emit(self, key, change, rc) -> None:
        if change.new_value is None and self.s.kind == "untilWindowCloses":
            return  # safeToDropTombstones for final results
        ctx = self.context
        prev = ctx.record_context
        ctx.record_context = rc
        try:
            ctx.forward(Record(key, change, rc[3], rc[4]))
        finally:
            ctx.record_context = prev


# ------------------------------------------------------------------------------------------------
# Joins


class KStreamKTableJoin(Processor):
    """Look the record's key up in the table (its state *now*); inner joins drop misses silently."""

    def __init__(self, getter_supplier, joiner, left_join: bool, key_mapper=None):
        self.getter_supplier = getter_supplier
        self.joiner = joiner  # (key, value, table value)
        self.left_join = left_join
        self.key_mapper = key_mapper

    def init(self, context):
        super().init(context)
        self.getter = self.getter_supplier.get(context)

    def process(self, record):
        mapped = record.key if self.key_mapper is None else self.key_mapper(record.key, record.value)
        left_null_key = self.left_join and record.key is None and record.value is not None
        if not left_null_key and (mapped is None or record.value is None):
            self.context.record_dropped("null key or value")
            return
        other = get_value_or_null(self.getter(mapped)) if mapped is not None else None
        if self.left_join or other is not None:
            self.context.forward(record.with_value(self.joiner(record.key, record.value, other)))


class KStreamJoinWindow(Processor):
    """Both sides of a stream-stream join pass through one of these: forward, then remember the record."""

    def __init__(self, store_name: str):
        self.store_name = store_name

    def init(self, context):
        super().init(context)
        self.window = context.get_state_store(self.store_name)

    def process(self, record):
        self.context.forward(record)
        if record.key is not None:
            self.window.put(record.key, record.value, record.timestamp)


class SharedTimeTracker:
    """``KStreamImplJoin.TimeTracker``: the stream time both join sides have seen, per task."""

    def __init__(self):
        self.by_task: dict = {}

    def get(self, task_id):
        t = self.by_task.get(task_id)
        if t is None:
            t = self.by_task[task_id] = {"stream_time": NO_TIMESTAMP, "min_time": 2**63 - 1, "next_emit": 0}
        return t


class KStreamKStreamJoin(Processor):
    """One side of a windowed stream-stream join (``KStreamKStreamJoin`` left or right side).

    A record joins every other-side record of its key with timestamp in ``[t - before, t + after]``
    (for the right side the window is mirrored). Left/outer joins with ``of_time_difference_*`` keep
    unmatched records in the shared outer store and emit them with a null partner only once their
    window has closed (stream time > t + after + grace): the spurious-result fix of KIP-633.
    """

    def __init__(self, other_store: str, before_ms: int, after_ms: int, grace_ms: int, windows_before: int,
                 windows_after: int, joiner, outer: bool, outer_store: str | None, left_side: bool,
                 tracker: SharedTimeTracker, spurious_fix: bool):
        self.other_store = other_store
        self.before_ms, self.after_ms, self.grace_ms = before_ms, after_ms, grace_ms
        self.windows_before, self.windows_after = windows_before, windows_after
        self.joiner = joiner  # (key, this value, other value) -> out
        self.outer = outer
        self.outer_store_name = outer_store
        self.left_side = left_side
        self.tracker = tracker
        self.spurious_fix = spurious_fix

    def init(self, context):
        super().init(context)
        self.other = context.get_state_store(self.other_store)
        self.outer_store = context.get_state_store(self.outer_store_name) if (self.spurious_fix and
                                                                             self.outer_store_name) else None
        self.t = self.tracker.get(context.task_id)
        self.emit_interval = int(context.app_configs.get("__emit.interval.ms.kstreams.outer.join.spurious.results.fix__",
                                                         1000))

    def process(self, record):
        ts = record.timestamp
        t = self.t
        t["stream_time"] = max(t["stream_time"], ts)
        if self.outer and record.key is None and record.value is not None:
            self.context.forward(record.with_value(self.joiner(record.key, record.value, None)))
            return
        if record.key is None or record.value is None:
            self.context.record_dropped("null key or value")
            return
        if ts == t["stream_time"] and self.outer_store is not None:
            self._emit_non_joined(record)
        time_from = max(0, ts - self.before_ms)
        time_to = max(0, ts + self.after_ms)
        matches = self.other.fetch_range(record.key, time_from, time_to)
        for other_ts, other_value in matches:
            if self.outer_store is not None:
                self.outer_store.remove(record.key, other_ts, not self.left_side)
            self.context.forward(Record(record.key, self.joiner(record.key, record.value, other_value),
                                        max(ts, other_ts), record.headers))
        if self.outer and not matches:
            if self.outer_store is None or time_to < t["stream_time"]:
                self.context.forward(record.with_value(self.joiner(record.key, record.value, None)))
            else:
                t["min_time"] = min(t["min_time"], ts)
                self.outer_store.add(record.key, ts, self.left_side, record.value)

    def _emit_non_joined(self, record) -> None:
        t = self.t
        if t["min_time"] + self.after_ms + self.grace_ms >= t["stream_time"]:
            return
        now = self.context.current_system_time_ms()
        if now < t["next_emit"]:
            return
        t["next_emit"] = now + self.emit_interval
        t["min_time"] = 2**63 - 1
        left_open = right_open = False
        for (ts, is_left, key), value in self.outer_store.items():
            t["min_time"] = ts
            if left_open and right_open:
                break
            look_back = self.windows_after if is_left else self.windows_before
            if t["min_time"] + look_back + self.grace_ms >= t["stream_time"]:
                if is_left:
                    left_open = True
                else:
                    right_open = True
                continue
            this_v, other_v = (value, None) if is_left == self.left_side else (None, value)
            self.context.forward(Record(key, self.joiner(key, this_v, other_v), ts, record.headers))
            self.outer_store.remove(key, ts, is_left)
        if not self.outer_store.has_entries():
            t["min_time"] = 2**63 - 1


class KTableKTableJoinSide(Processor):
    """One side of a table-table join: look the key up in the other table, emit the joined change."""

    def __init__(self, getter_supplier, joiner, mode: str, send_old_values_fn):
        self.getter_supplier = getter_supplier
        self.joiner = joiner  # (this value, other value)
        self.mode = mode  # inner, left, right, outer
        self.send_old_values_fn = send_old_values_fn

    def init(self, context):
        super().init(context)
        self.getter = self.getter_supplier.get(context)

    def process(self, record):
        if record.key is None:
            self.context.record_dropped("null key")
            return
        send_old = self.send_old_values_fn()
        change = record.value
        other = self.getter(record.key)
        ov = get_value_or_null(other)
        mode = self.mode
        new = old = None
        if mode in ("inner", "right"):
            if ov is None:
                return
            ts = max(record.timestamp, other.timestamp)
            if mode == "inner":
                new = self.joiner(change.new_value, ov) if change.new_value is not None else None
                old = self.joiner(change.old_value, ov) if (send_old and change.old_value is not None) else None
            else:
                new = self.joiner(change.new_value, ov)
                old = self.joiner(change.old_value, ov) if send_old else None
        else:  # left, outer
            if ov is None:
                if change.new_value is None and change.old_value is None:
                    return
                ts = record.timestamp
            else:
                ts = max(record.timestamp, other.timestamp)
            if mode == "left":
                new = self.joiner(change.new_value, ov) if change.new_value is not None else None
                old = self.joiner(change.old_value, ov) if (send_old and change.old_value is not None) else None
            else:
                new = self.joiner(change.new_value, ov) if (ov is not None or change.new_value is not None) else None
                old = self.joiner(change.old_value, ov) if (send_old and (ov is not None or
                                                                          change.old_value is not None)) else None
        self.context.forward(Record(record.key, Change(new, old), ts, record.headers))


class KTableKTableJoinMergerSupplier:
    def __init__(self, parent_a, parent_b, queryable_name: str | None, view_fn):
        self.parents = (parent_a, parent_b)
        self.queryable_name = queryable_name
        self.send_old_values = False
        self._view_fn = view_fn

    def __call__(self):
        return KTableKTableJoinMerger(self)

    def view(self):
        if self.queryable_name is not None:
            return StoreGetterSupplier(self.queryable_name)
        return self._view_fn()

    def enable_sending_old_values(self, force_materialization: bool) -> bool:
        for p in self.parents:
            enable_old_values(p, True)
        self.send_old_values = True
        return True


class KTableKTableJoinMerger(Processor):
    def __init__(self, s: KTableKTableJoinMergerSupplier):
        self.s = s

    def init(self, context):
        super().init(context)
        self.store = None
        if self.s.queryable_name is not None:
            self.store = context.get_state_store(self.s.queryable_name)
            self.forwarder = TupleForwarder(self.store, context, self.s.send_old_values)

    def process(self, record):
        if self.store is not None:
            self.store.put(record.key, ValueAndTimestamp.make(record.value.new_value, record.timestamp))
            self.forwarder.maybe_forward(record)
        elif self.s.send_old_values:
            self.context.forward(record)
        else:
            self.context.forward(record.with_value(Change(record.value.new_value, None)))


class JoinedGetterSupplier:
    """The value getter of a non-materialized table-table join: join the two parents' getters."""

    def __init__(self, a, b, joiner, mode: str):
        self.a, self.b, self.joiner, self.mode = a, b, joiner, mode
        self.store_names = list(a.store_names) + list(b.store_names)

    def get(self, context):
        ga, gb = self.a.get(context), self.b.get(context)

        def getter(key):
            x, y = ga(key), gb(key)
            vx, vy = get_value_or_null(x), get_value_or_null(y)
            if self.mode == "inner" and (vx is None or vy is None):
                return None
            if self.mode == "left" and vx is None:
                return None
            if vx is None and vy is None:
                return None
            ts = max(t.timestamp for t in (x, y) if t is not None)
            return ValueAndTimestamp(self.joiner(vx, vy), ts)

        return getter


__all__ = ["KStreamAggregateSupplier", "KTableSourceSupplier", "WindowAggregateSupplier", "arity", "with_key"]
