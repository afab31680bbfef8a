"""Tables (pandas) rendered from model state and the trace — never from a second computation.

* :func:`describe_topic` — ``kafka-topics.sh --describe`` as a table (Topic, Partition, Leader,
  Replicas, Isr).
* :func:`log_table` — one replica's partition log: offset, key, value, timestamp, with the high
  watermark (HW) and log end offset (LEO) marked.
* :func:`partition_load` — records per partition of a topic, as stored (hot-key diagnosis).
* :func:`key_placement` — where a list of keys lands under a partitioner, and the load per
  partition that follows.
* :func:`trace_table` — the trace, optionally filtered, one row per event with its fields.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from ..cluster.metadata import NO_LEADER


def _ids(xs) -> str:
    return ",".join(str(x) for x in xs)


def describe_topic(cluster, topic: str) -> pd.DataFrame:
    """One row per partition, as ``kafka-topics.sh --describe`` prints it."""
    t = cluster.describe(topic)
    rows = [{"Topic": topic, "Partition": p.partition, "Leader": "none" if p.leader == NO_LEADER else p.leader,
             "Replicas": _ids(p.replicas), "Isr": _ids(p.isr), "LeaderEpoch": p.leader_epoch}
            for p in t.partitions]
    df = pd.DataFrame(rows, columns=["Topic", "Partition", "Leader", "Replicas", "Isr", "LeaderEpoch"])
    df.attrs.update(topic_id=t.topic_id, partition_count=len(t.partitions), replication_factor=t.replication_factor,
                    configs=dict(t.configs))
    return df


def _show(v):
    if isinstance(v, (bytes, bytearray)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(v).hex()
    return v


def log_table(cluster, topic: str, partition: int, broker: int | None = None, start: int | None = None,
              limit: int | None = 50) -> pd.DataFrame:
    """The records of one replica's log; ``mark`` shows where the HW and the LEO are.

    A record at an offset below the HW is committed (consumers can read it); one at or above the
    HW is only on this replica so far.
    """
    log = cluster.partition_log(topic, partition, broker)
    rows = []
    if log is not None:
        recs = log.records(start)
        if limit is not None and start is None and len(recs) > limit:
            recs = recs[-limit:]
        hw, leo = log.high_watermark, log.log_end_offset
        for off, (k, v, ts, hdrs), b in recs:
            rows.append({"offset": off, "key": _show(k), "value": _show(v), "timestamp": ts,
                         "batch": b.base_offset, "committed": off < hw,
                         "mark": "HW-1 (last committed)" if off == hw - 1 else ("LEO-1" if off == leo - 1 else "")})
            if off == hw - 1 and off == leo - 1:
                rows[-1]["mark"] = "HW-1 = LEO-1"
    df = pd.DataFrame(rows, columns=["offset", "key", "value", "timestamp", "batch", "committed", "mark"])
    if log is not None:
        df.attrs.update(log_start_offset=log.log_start_offset, high_watermark=log.high_watermark,
                        log_end_offset=log.log_end_offset, segments=len(log.segments))
    return df


def partition_load(cluster, topic: str) -> pd.DataFrame:
    """Records and bytes per partition as stored on the leaders, with each partition's share."""
    t = cluster.describe(topic)
    rows = []
    for p in t.partitions:
        log = cluster.partition_log(topic, p.partition)
        n = 0 if log is None else log.high_watermark - log.log_start_offset
        rows.append({"partition": p.partition, "leader": p.leader, "records": n,
                     "bytes": 0 if log is None else log.size_bytes})
    df = pd.DataFrame(rows, columns=["partition", "leader", "records", "bytes"])
    total = df["records"].sum()
    df["share"] = (df["records"] / total).round(4) if total else 0.0
    return df


def key_placement(keys, num_partitions: int, partitioner: str = "murmur2_random") -> pd.DataFrame:
    """Where each distinct key lands and how many records that puts on each partition.

    ``keys`` may repeat (a stream of keys); ``None`` keys are not placed (they go sticky).
    """
    from ..partitioners import partition_for_key

    counts = Counter(k for k in keys if k is not None)
    placed = {}
    for k in counts:
        kb = k.encode() if isinstance(k, str) else k
        placed[k] = partition_for_key(kb, num_partitions, partitioner)
    load = Counter()
    for k, c in counts.items():
        load[placed[k]] += c
    rows = [{"partition": p, "records": load.get(p, 0), "keys": sorted(str(k) for k in placed if placed[k] == p)}
            for p in range(num_partitions)]
    df = pd.DataFrame(rows, columns=["partition", "records", "keys"])
    total = df["records"].sum()
    df["share"] = (df["records"] / total).round(4) if total else 0.0
    df.attrs.update(partitioner=partitioner, placement=placed)
    return df


def trace_table(trace, kind=None, flatten: bool = True) -> pd.DataFrame:
    """The trace as a DataFrame, one row per event: seq, time_ms, kind, node, fields.

    With ``flatten=True`` each field becomes its own column (missing ones are NaN); ``kind`` keeps
    only events of that kind (or kinds)."""
    evs = trace.filter(kind) if kind is not None else trace.events
    if flatten:
        rows = [{"seq": e.seq, "time_ms": e.time_ms, "kind": e.kind, "node": e.node, **e.fields} for e in evs]
        return pd.DataFrame(rows, columns=None if rows else ["seq", "time_ms", "kind", "node"])
    return pd.DataFrame([tuple(e) for e in evs], columns=["seq", "time_ms", "kind", "node", "fields"])


def metadata_log_table(cluster) -> pd.DataFrame:
    """The KRaft metadata log (``cluster.metadata_log()``): offset, time_ms, record type, fields."""
    return pd.DataFrame([(r.offset, r.time_ms, r.type, dict(r.fields)) for r in cluster.metadata_log()],
                        columns=["offset", "time_ms", "type", "fields"])
