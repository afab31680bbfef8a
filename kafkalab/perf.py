"""An optional cost model: what bytes and CPU cost in *virtual* time.

Without it the simulated network only has latency and brokers answer instantly, which is right
for following a protocol step by step.  For throughput and latency questions (``linger.ms``,
``batch.size``, ``compression.type``, ``acks``) turn it on with :func:`enable`; then

* every link carries one message at a time at ``link_bytes_per_ms`` (1 Gbit/s ≈ 125,000 bytes/ms);
* each broker handles requests with ``io_threads`` workers (Kafka's ``num.io.threads`` = 8), a
  request costing ``request_overhead_ms`` plus its bytes at ``broker_bytes_per_ms``;
* a producer's sender thread spends ``record_cpu_us`` per record and compresses each batch at the
  codec's speed (``codec_mb_per_s``) before sending it.

The constants are round numbers of the order that published benchmarks report for commodity
servers (single-core codec speeds: lz4 and snappy several hundred MB/s, zstd level 3 a few
hundred, gzip level 6 tens of MB/s).  They make trade-offs come *out of the simulation* —
batching amortises per-request cost, compression trades producer CPU for bytes — but they are a
model: the notebook says what a simulation can and cannot tell about real latency.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PerfModel:
    link_bytes_per_ms: float = 125_000.0
    io_threads: int = 8
    request_overhead_ms: float = 0.25
    broker_bytes_per_ms: float = 400_000.0
    record_cpu_us: float = 1.0
    codec_mb_per_s: dict = field(default_factory=lambda: {"none": 0.0, "lz4": 600.0, "snappy": 500.0,
                                                          "zstd": 350.0, "gzip": 60.0})

    def producer_batch_ms(self, codec: str, uncompressed_bytes: int, records: int) -> float:
        cpu = records * self.record_cpu_us / 1000.0
        speed = self.codec_mb_per_s.get(codec, 0.0)
        if speed:
            cpu += uncompressed_bytes / (speed * 1000.0)  # MB/s = 1000 bytes/ms
        return cpu

    def broker_cost_ms(self, kind: str, size: int) -> float:
        if kind in ("ProduceRequest", "FetchRequest"):
            return self.request_overhead_ms + size / self.broker_bytes_per_ms
        return 0.0


def enable(cluster, model: PerfModel | None = None) -> PerfModel:
    """Turn the cost model on for ``cluster`` (before clients are created)."""
    model = model or PerfModel()
    sim = cluster.sim
    sim.perf = model
    sim.network.set_bandwidth(model.link_bytes_per_ms)
    for b in cluster.brokers.values():
        sim.network.set_service(b.node, model.io_threads, model.broker_cost_ms)
    sim.trace.emit("perf.enable", node=None, link_bytes_per_ms=model.link_bytes_per_ms, io_threads=model.io_threads,
                   request_overhead_ms=model.request_overhead_ms)
    return model
