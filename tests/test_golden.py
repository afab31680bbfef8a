"""Golden traces: every named, seeded scenario the notebooks teach from, frozen under ``tests/golden/``.

Each ``tests/golden/<case>.txt`` holds the scenario's call, the digest and length of its whole trace,
the number of events of each kind, and the transcript of the events worth reading (faults, elections,
ISR changes, rebalances, errors — the data path's bulk, fetches, appends and acks, is counted, not
listed). A change to the model that alters what a notebook shows fails here with a diff; when the
change is meant, regenerate and review the diff like code:

    pytest tests/test_golden.py --regen-golden
"""
from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

import pytest

from kafkalab import kraft_lab
from kafkalab import replication as rep
from kafkalab.cluster import Cluster
from kafkalab.group_lab import group_run
from kafkalab.scenarios import producer_workload, queue_vs_pubsub, three_brokers

GOLDEN = Path(__file__).resolve().parent / "golden"

#: Kinds of the data path: counted in the header, left out of the transcript (the digest covers them).
BULK = {"replica.fetch", "log.append", "replica.hw", "produce.batch", "produce.send", "produce.ack",
        "group.offset_commit", "consumer.commit", "consumer.fetch", "net.send", "consumer.poll", "request.completed"}


def _clickstream_topic():
    c = Cluster(brokers=3, seed=42)
    c.cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic clickstream --partitions 20 "
          "--replication-factor 3 --config min.insync.replicas=2 --config retention.ms=604800000")
    return c.trace


#: case name -> (the call as a notebook makes it, a function returning its trace)
CASES = {
    "nb01_clickstream_topic": ("Cluster(brokers=3, seed=42) + kafka-topics.sh --create clickstream (20 x RF3)",
                               _clickstream_topic),
    "nb01_queue_vs_pubsub": ('queue_vs_pubsub({"dashboard": 4, "warehouse": 1}, partitions=6, records=120)',
                             lambda: queue_vs_pubsub({"dashboard": 4, "warehouse": 1}, partitions=6,
                                                     records=120)["cluster"].trace),
    "nb02_three_brokers": ('three_brokers(seed=42, topic="orders")',
                           lambda: three_brokers(seed=42, topic="orders").trace),
    "nb03_hw_example": ("hw_example(latency_ms=2000, writes=3)",
                        lambda: rep.hw_example(latency_ms=2000, writes=3).trace),
    "nb03_isr_shrink": ("isr_shrink_example(blip_ms=10_000)", lambda: rep.isr_shrink_example(blip_ms=10_000).trace),
    "nb03_lagging_follower_25s": ("isr_shrink_example(blip_ms=25_000, blip_peers=[1])",
                                  lambda: rep.isr_shrink_example(blip_ms=25_000, blip_peers=[1]).trace),
    "nb03_lagging_follower_60s": ("isr_shrink_example(blip_ms=60_000, blip_peers=[1])",
                                  lambda: rep.isr_shrink_example(blip_ms=60_000, blip_peers=[1]).trace),
    "nb03_rolling_replacement": ("rolling_replacement()", lambda: rep.rolling_replacement().trace),
    "nb03_rolling_two_down": ("rolling_replacement(two_down=True)",
                              lambda: rep.rolling_replacement(two_down=True).trace),
    "nb03_unclean_election": ("unclean_election_example(unclean=True)",
                              lambda: rep.unclean_election_example(unclean=True).trace),
    "nb03_clean_election": ("unclean_election_example(unclean=False)",
                            lambda: rep.unclean_election_example(unclean=False).trace),
    "nb04_workload_defaults": ('producer_workload({"acks": "all", "enable.idempotence": True}, rate=10_000, '
                               'seconds=0.5)',
                               lambda: producer_workload({"acks": "all", "enable.idempotence": True}, rate=10_000,
                                                         seconds=0.5).cluster.trace),
    "nb05_two_groups_range": ('group_run(3, 6, strategy="range", groups=2, run_ms=15_000, records_per_partition=10)',
                              lambda: group_run(3, 6, strategy="range", groups=2, run_ms=15_000,
                                                records_per_partition=10).trace),
    "nb05_cooperative_crash": ('group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000, '
                               'run_ms=80_000)',
                               lambda: group_run(4, 8, strategy="cooperative-sticky", crash="C3", crash_at_ms=20_000,
                                                 run_ms=80_000).trace),
    "nb05_eager_crash": ('group_run(4, 8, strategy="range", crash="C3", run_ms=80_000)',
                         lambda: group_run(4, 8, strategy="range", crash="C3", run_ms=80_000).trace),
    "nb05_kip848_crash": ('group_run(4, 8, strategy="uniform", protocol="consumer", crash="C3", run_ms=80_000)',
                          lambda: group_run(4, 8, strategy="uniform", protocol="consumer", crash="C3",
                                            run_ms=80_000).trace),
    "nb05_more_consumers_than_partitions": ('group_run(10, 8, strategy="range", run_ms=15_000)',
                                            lambda: group_run(10, 8, strategy="range", run_ms=15_000).trace),
    "nb10_kraft_leader_crash": ('kraft_lab.quorum_fault("leader_crash", voters=3, seed=0)',
                                lambda: kraft_lab.quorum_fault("leader_crash", voters=3, seed=0).cluster.trace),
}


def transcript(call: str, trace) -> str:
    events = list(trace)
    kinds = Counter(e.kind for e in events)
    lines = [f"# scenario: {call}", f"# digest: {trace.digest()}", f"# events: {len(events)}", "# kinds:"]
    lines += [f"#   {k}: {n}" for k, n in sorted(kinds.items())]
    lines.append(f"# transcript (seq, time_ms, kind, node, fields), without: {', '.join(sorted(BULK & set(kinds)))}")
    lines += [e.line() for e in events if e.kind not in BULK]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_trace(case, request):
    call, run = CASES[case]
    got = transcript(call, run())
    path = GOLDEN / f"{case}.txt"
    if request.config.getoption("regen_golden"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got)
        return
    assert path.exists(), f"no golden trace for {case}: run pytest tests/test_golden.py --regen-golden"
    want = path.read_text()
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), f"golden/{case}.txt",
                                                 "this run", n=2))[:120])
        pytest.fail(f"{case} no longer gives its golden trace; if the change is meant, regenerate with "
                    f"`pytest tests/test_golden.py --regen-golden` and review the diff:\n{diff}", pytrace=False)


def test_every_golden_file_has_a_case():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(CASES)


def test_the_transcript_changes_when_the_trace_does():
    """Not vacuous: one extra event changes the digest line and the transcript."""
    trace = rep.hw_example(latency_ms=2000, writes=3).trace
    before = transcript("x", trace)
    trace.emit("fault.crash", node="kafka-9", broker=9)
    after = transcript("x", trace)
    assert before != after and before.splitlines()[1] != after.splitlines()[1]
