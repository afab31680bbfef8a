"""Throughput of the simulated cluster through the confluent-kafka-style clients.

Produces N keyed 100-byte records to a 20-partition, RF=3 topic through ``Producer`` (acks=all,
replication by follower fetch on), then reads them all back through a ``Consumer``; prints
records per second of wall time for each phase and the peak memory of the process.

    python benchmarks/produce_consume.py            # 1,000,000 records
    python benchmarks/produce_consume.py --records 200000 --keys 10000

Targets on the 2-core machine: >= 300,000 records/s per phase, < 600 MB peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafkalab import Cluster, Consumer, Producer, TopicPartition  # noqa: E402
from kafkalab.clients.common import OFFSET_BEGINNING  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=100_000, help="distinct keys (session ids)")
    ap.add_argument("--partitions", type=int, default=20)
    ap.add_argument("--value-bytes", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1000, help="consume(num_messages=...) per call")
    args = ap.parse_args()

    cluster = Cluster(brokers=3, seed=1)
    cluster.create_topic("bench", partitions=args.partitions, replication_factor=3,
                         config={"min.insync.replicas": 2})
    keys = [f"session-{i}".encode() for i in range(args.keys)]
    value = b"x" * args.value_bytes
    n = args.records
    producer = Producer({"bootstrap.servers": "kafka-1:9092", "acks": "all", "linger.ms": 5,
                         "partitioner": "murmur2_random"}, cluster=cluster)
    base_rss = peak_rss_mb()

    t0 = time.perf_counter()
    produce = producer.produce
    nk = len(keys)
    poll = producer.poll
    for i in range(n):
        produce("bench", value, keys[i % nk])
        if i % 20000 == 19999:
            poll(0.005)  # as an app would: serve reports, let 5 ms of (virtual) time pass
    left = producer.flush()
    t1 = time.perf_counter()
    assert left == 0, f"{left} records not delivered"
    stored = sum(cluster.partition_log("bench", p).high_watermark for p in range(args.partitions))
    assert stored == n, f"{stored} records committed, expected {n}"
    for b in cluster.brokers.values():  # every replica has everything
        assert sum(log.log_end_offset for log in b.logs.values()) == n

    consumer = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "bench",
                         "auto.offset.reset": "earliest"}, cluster=cluster)
    consumer.assign([TopicPartition("bench", p, OFFSET_BEGINNING) for p in range(args.partitions)])
    t2 = time.perf_counter()
    got = 0
    consume = consumer.consume
    while got < n:
        msgs = consume(args.batch, timeout=1.0)
        if not msgs:
            break
        got += len(msgs)
    t3 = time.perf_counter()
    assert got == n, f"consumed {got} of {n}"

    print(f"records            {n:,} keyed ({args.keys:,} distinct keys), {args.value_bytes}-byte values, "
          f"{args.partitions} partitions, RF=3, acks=all")
    print(f"produce + flush    {t1 - t0:6.2f} s wall  {n / (t1 - t0):>12,.0f} records/s  "
          f"(virtual time {cluster.now} ms)")
    print(f"consume            {t3 - t2:6.2f} s wall  {n / (t3 - t2):>12,.0f} records/s")
    print(f"peak memory        {peak_rss_mb():6.0f} MB RSS (before producing: {base_rss:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
