"""Throughput of the Kafka Streams model: Kafka's WordCountDemo topology, two ways.

The topology is ``stream(input).flatMapValues(split).groupBy(word).count().toStream().to(output)``
(``org.apache.kafka.streams.examples.wordcount.WordCountDemo``): a repartition topic, a count store
with its changelog, two sub-topologies.

1. ``TopologyTestDriver``: every line piped, processed and committed one by one (no cluster).
2. ``KafkaStreams`` on a 3-broker simulated cluster: the lines are produced first, then one instance
   (``--threads`` stream threads) reads them through its consumer, writes the repartition topic, counts,
   flushes its cache at each commit and writes the changelog and the output, until every line's words
   are counted. Virtual time runs as fast as the machine allows; the figure is lines per wall second.

Both runs' counts are compared with ``collections.Counter`` over the same lines (and, on the cluster,
with the last count per word on the output topic). The default 200,000 lines of 5 words are
1,000,000 records into ``count()``, in each run; records/s below are those words per wall second.

    python benchmarks/streams_wordcount.py                    # 200,000 lines (1M words), both runs
    python benchmarks/streams_wordcount.py --lines 100000 --driver-lines 50000 --threads 2
    python benchmarks/streams_wordcount.py --skip-driver --guarantee exactly_once_v2
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafkalab import Cluster, Producer
from kafkalab.ecosystem.streams import (
    Consumed,
    Grouped,
    KafkaStreams,
    Materialized,
    Produced,
    Serdes,
    StreamsBuilder,
    TopologyTestDriver,
)
from kafkalab.ecosystem.streams.lab import read_topics


def word_count_topology():
    b = StreamsBuilder()
    (b.stream("streams-plaintext-input", Consumed.with_(Serdes.String(), Serdes.String()))
      .flat_map_values(lambda line: line.lower().split())
      .group_by(lambda _key, word: word, Grouped.with_(Serdes.String(), Serdes.String()))
      .count(Materialized.as_("counts-store"))
      .to_stream().to("streams-wordcount-output", Produced.with_(Serdes.String(), Serdes.Long())))
    return b.build()


def make_lines(n: int, vocabulary: int, words_per_line: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(vocabulary)]
    return [" ".join(rng.choice(vocab) for _ in range(words_per_line)) for _ in range(n)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_driver(lines: list[str], expected: Counter) -> float:
    with TopologyTestDriver(word_count_topology(), {"application.id": "wordcount-bench"}) as driver:
        inp = driver.create_input_topic("streams-plaintext-input", Serdes.String(), Serdes.String())
        t0 = time.perf_counter()
        pipe = inp.pipe_input
        for i, line in enumerate(lines):
            pipe(None, line, i)
        elapsed = time.perf_counter() - t0
        counts = dict(driver.get_key_value_store("counts-store").all())
    assert counts == expected, "driver counts differ from Counter"
    return elapsed


def run_cluster(lines: list[str], expected: Counter, partitions: int, threads: int,
                guarantee: str = "at_least_once") -> tuple[float, float, dict]:
    cluster = Cluster(brokers=3, seed=1)
    for t in ("streams-plaintext-input", "streams-wordcount-output"):
        cluster.create_topic(t, partitions=partitions, replication_factor=3)
    producer = Producer({"bootstrap.servers": "kafka-1:9092", "linger.ms": 5, "partitioner": "murmur2_random"},
                        cluster=cluster)
    for i, line in enumerate(lines):
        producer.produce("streams-plaintext-input", value=line.encode(), timestamp=i)
        if i % 20000 == 19999:
            producer.poll(0.005)
    assert producer.flush() == 0
    app = KafkaStreams(word_count_topology(), {"application.id": "wordcount-bench", "bootstrap.servers": "kafka-1:9092",
                                               "num.stream.threads": threads, "processing.guarantee": guarantee},
                       cluster=cluster)
    total = sum(expected.values())
    t0 = time.perf_counter()
    v0 = cluster.now
    app.start()
    while not (app.state().is_running_or_rebalancing()
               and sum(v for _k, v in app.store("counts-store").all()) >= total):
        cluster.run(1000)
        assert cluster.now - v0 < 3_600_000, "not done after an hour of virtual time"
    counts = dict(app.store("counts-store").all())
    app.close()  # a clean close commits: the caches flush to the changelog and the output topic
    elapsed = time.perf_counter() - t0
    virtual_s = (cluster.now - v0) / 1000
    assert counts == expected, "KafkaStreams counts differ from Counter"

    def records(topic):
        return sum(cluster.partition_log(topic, p).high_watermark for p in range(partitions))

    # log end offsets: under exactly_once_v2 they include one commit marker per partition and transaction
    stats = {"commits": sum(th.commits for th in app.threads),
             "repartition offsets": records("wordcount-bench-counts-store-repartition"),
             "changelog offsets": records("wordcount-bench-counts-store-changelog"),
             "output offsets": records("streams-wordcount-output")}
    latest = {}
    for k, v, *_ in read_topics(cluster, ["streams-wordcount-output"])["streams-wordcount-output"]:
        latest[k.decode()] = int.from_bytes(v, "big", signed=True)
    assert latest == expected, "the output topic's last count per word differs from Counter"
    return elapsed, virtual_s, stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=200_000, help="input lines for the KafkaStreams run")
    ap.add_argument("--driver-lines", type=int, default=200_000, help="input lines for the TopologyTestDriver run")
    ap.add_argument("--words-per-line", type=int, default=5)
    ap.add_argument("--vocabulary", type=int, default=10_000)
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1, help="num.stream.threads")
    ap.add_argument("--guarantee", default="at_least_once", choices=["at_least_once", "exactly_once_v2"],
                    help="processing.guarantee of the KafkaStreams run")
    ap.add_argument("--skip-driver", action="store_true")
    args = ap.parse_args()

    wpl = args.words_per_line
    if not args.skip_driver and args.driver_lines:
        lines = make_lines(args.driver_lines, args.vocabulary, wpl, seed=1)
        t = run_driver(lines, Counter(w for line in lines for w in line.split()))
        print(f"TopologyTestDriver  {len(lines):,} lines ({len(lines) * wpl:,} words) in {t:.1f} s: "
              f"{len(lines) / t:,.0f} lines/s, {len(lines) * wpl / t:,.0f} records (words)/s")
    if args.lines:
        lines = make_lines(args.lines, args.vocabulary, wpl, seed=2)
        t, virtual_s, stats = run_cluster(lines, Counter(w for line in lines for w in line.split()),
                                          args.partitions, args.threads, args.guarantee)
        print(f"KafkaStreams        {len(lines):,} lines ({len(lines) * wpl:,} words), {args.partitions} partitions, "
              f"{args.threads} thread(s), {args.guarantee}, in {t:.1f} s wall ({virtual_s:.0f} s virtual): {len(lines) / t:,.0f} lines/s, "
              f"{len(lines) * wpl / t:,.0f} records (words)/s")
        print("                    " + ", ".join(f"{k} {v:,}" for k, v in stats.items()))
    print(f"peak RSS            {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
