"""The syllabus clickstream ingest, simulated: 100,000 events/s for 10 s into 20 partitions.

RF=3, min.insync.replicas=2, acks=all, idempotent, linger.ms=10, compression.type=zstd, follower
replication on, and the cost model of ``kafkalab.perf`` on (bandwidth, broker request queues,
producer compression CPU), so batching and compression are really simulated — every batch is
compressed with zstd on its actual bytes.

    python benchmarks/clickstream_ingest.py [--rate 100000] [--seconds 10] [--no-perf]

Prints wall seconds, simulated records per wall second and peak memory.  Target on the 2-core
machine: the 1,000,000 records in under 2 s of wall time (issue 15).

It also prints the SHA-256 of the run's whole trace (every event's line, in order) and, for the
default arguments, checks it against :data:`EXPECTED_DIGEST`: an optimisation must leave every
simulated offset, batch and latency as it was (exit status 1 when the digest changed).
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafkalab.scenarios import json_events, producer_workload

#: The trace digest of the default run (100,000/s for 10 s, perf model on).  Recorded before the speed
#: work of issue 15 as e97f6185… (146,626 events); main 6440f05's KRaft quorum adds three events, and this
#: is that main's digest, which the optimised branch reproduces.  Changing it needs a behaviour change
#: that an issue asks for.
EXPECTED_DIGEST = "153e506ab29d7b090e5f4bb056ea8f0c3b869e14b9baca6afa4b1433cc6f5da7"


def trace_digest(trace) -> str:
    h = hashlib.sha256()
    for ev in trace:
        h.update(ev.line().encode())
        h.update(b"\n")
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--no-perf", action="store_true")
    args = ap.parse_args()
    events = json_events(20_000, seed=1)
    conf = {"acks": "all", "enable.idempotence": True, "linger.ms": 10, "compression.type": "zstd"}
    t0, c0 = time.perf_counter(), time.process_time()
    r = producer_workload(conf, rate=args.rate, seconds=args.seconds, partitions=20, seed=1,
                          perf=not args.no_perf, events=events)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert r.delivered == r.records and r.failed == 0, r
    print(f"config            {conf} (perf model {'off' if args.no_perf else 'on'})")
    print(f"records           {r.records:,} at {args.rate:,}/s for {args.seconds:g} s of virtual time")
    print(f"wall time         {wall:.2f} s   ->   {r.records / wall:,.0f} simulated records per wall second "
          f"(CPU {cpu:.2f} s: on a shared machine the CPU time is the steadier figure)")
    print(f"simulated         throughput {r.throughput:,.0f} records/s, latency p50 {r.p50_ms:.1f} ms, "
          f"p99 {r.p99_ms:.1f} ms, {r.requests:,} produce requests")
    print(f"bytes             {r.bytes_raw / 1e6:,.1f} MB raw -> {r.bytes_sent / 1e6:,.1f} MB zstd "
          f"(ratio {r.compression_ratio:.2f})")
    print(f"peak memory       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB RSS")
    digest = trace_digest(r.cluster.trace)
    default = (args.rate, args.seconds, args.no_perf) == (100_000, 10.0, False)
    verdict = ("" if not default or EXPECTED_DIGEST is None else
               "  (unchanged)" if digest == EXPECTED_DIGEST else f"  CHANGED (expected {EXPECTED_DIGEST})")
    print(f"trace digest      sha256 {digest} over {len(r.cluster.trace):,} events{verdict}")
    return 1 if verdict.startswith("  CHANGED") else 0


if __name__ == "__main__":
    sys.exit(main())
