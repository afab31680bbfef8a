"""Sizing an ingest topic: partitions from throughput, storage from bytes × RF × retention.

The arithmetic of the syllabus's clickstream design question, as a pure function:

* **Partitions.**  One partition is read by at most one consumer of a group, so the partition
  count caps a group's parallelism.  Enough consumers for the peak need
  ``ceil(peak / per_consumer)`` of them; with growth headroom ``g`` the topic needs
  ``ceil(peak × g / per_consumer)`` partitions *now*, because adding partitions later moves
  keys (and breaks per-key order across the change).
* **Storage.**  Each record is kept ``retention`` long on every one of the ``RF`` replicas:
  ``bytes = events/s × record bytes × retention seconds × RF``.  Sized at the peak rate this is
  an upper bound; pass the average rate for the expected figure.

>>> s = size_topic(100_000, 5_000, growth=1.0, record_bytes=1_000, retention_ms=604_800_000, replication_factor=3)
>>> s.partitions, s.consumers_at_peak, round(s.storage_bytes / 1e12, 1)
(20, 20, 181.4)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Sizing:
    peak_events_per_s: int
    per_consumer_events_per_s: int
    growth: float
    record_bytes: int
    retention_ms: int
    replication_factor: int
    min_insync_replicas: int
    consumers_at_peak: int
    partitions: int
    storage_bytes: int

    @property
    def storage_tb(self) -> float:
        return self.storage_bytes / 1e12

    def cli(self, topic: str = "clickstream", bootstrap: str = "kafka-1:9092") -> str:
        """The ``kafka-topics.sh --create`` command for this sizing."""
        return (f"kafka-topics.sh --bootstrap-server {bootstrap} --create --topic {topic} "
                f"--partitions {self.partitions} --replication-factor {self.replication_factor} "
                f"--config min.insync.replicas={self.min_insync_replicas} --config retention.ms={self.retention_ms}")


def size_topic(peak_events_per_s: int, per_consumer_events_per_s: int, growth: float = 2.0, record_bytes: int = 1000,
               retention_ms: int = 7 * DAY_MS, replication_factor: int = 3, avg_events_per_s: int | None = None,
               min_insync_replicas: int | None = None) -> Sizing:
    if peak_events_per_s <= 0 or per_consumer_events_per_s <= 0:
        raise ValueError("throughputs must be positive events per second")
    if growth < 1:
        raise ValueError("growth headroom is a factor >= 1 (1.0 = none)")
    if replication_factor < 1:
        raise ValueError("replication.factor must be at least 1")
    consumers = math.ceil(peak_events_per_s / per_consumer_events_per_s)
    partitions = math.ceil(round(peak_events_per_s * growth / per_consumer_events_per_s, 9))
    rate = peak_events_per_s if avg_events_per_s is None else avg_events_per_s
    storage = rate * record_bytes * (retention_ms // 1000) * replication_factor
    mir = min_insync_replicas if min_insync_replicas is not None else max(1, min(2, replication_factor - 1))
    return Sizing(peak_events_per_s, per_consumer_events_per_s, growth, record_bytes, retention_ms,
                  replication_factor, mir, consumers, partitions, storage)
