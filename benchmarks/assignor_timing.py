"""Time kafkalab's sticky assignors on the large groups that Kafka's own were timed on.

Reads ``kafka-java-assignor-timing.json`` (default ``tests/data/oracle`` in the repository,
or ``--data``), rebuilds every case (consumers, topics, partitions per topic, subscription
pattern) and both phases:

* ``fresh``: a new group, nobody owns anything;
* ``one_consumer_leaves``: every consumer owns its fresh result at generation 1, ``C0000`` is gone.

Only the ``assign(...)`` call is timed, as in the Java measurement.  Prints our median beside
Java's median and the ratio, plus the shape of the result (assigned partitions, min/max per
consumer, partitions taken from survivors) next to Java's.

    python benchmarks/assignor_timing.py                # every case
    python benchmarks/assignor_timing.py --quick        # skip the 1000-consumer split-quarter cases
    python benchmarks/assignor_timing.py --only uniform --runs 5
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kafkalab.groups.assignors import assign, sticky_path

DEFAULT_DATA = REPO / "tests" / "data" / "oracle" / "kafka-java-assignor-timing.json"


def build_group(consumers: int, topics: int, pattern: str) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Member ids, topic names and subscriptions for one of the oracle's patterns."""
    width = max(4, len(str(consumers - 1)))
    ids = [f"C{i:0{width}d}" for i in range(consumers)]
    names = [f"topic-{i:03d}" for i in range(topics)]
    subs: dict[str, list[str]] = {}
    for i, m in enumerate(ids):
        if pattern == "uniform":
            subs[m] = list(names)
        elif pattern == "one-narrow":
            subs[m] = list(names) if i < consumers - 1 else names[:1]
        elif pattern == "split-quarter":
            half = topics // 2
            subs[m] = names[:half] if i % 4 == 0 else names[half:]
        else:
            raise ValueError(f"unknown pattern {pattern!r}")
    return ids, names, subs


def timed(assignor: str, topics: dict, members: dict, runs: int, warmup: int) -> tuple[list[float], dict]:
    result = None
    for _ in range(warmup):
        result = assign(assignor, topics, members)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = assign(assignor, topics, members)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times, result


def shape(result: dict) -> dict:
    sizes = [sum(len(ps) for ps in tps.values()) for tps in result.values()]
    return {"assigned_partitions": sum(sizes), "min_per_consumer": min(sizes), "max_per_consumer": max(sizes)}


def taken_from_survivors(members: dict, result: dict) -> int:
    taken = 0
    for m, spec in members.items():
        got = result.get(m, {})
        for t, ps in spec["owned"].items():
            keep = set(got.get(t, ()))
            taken += sum(1 for p in ps if p not in keep)
    return taken


def run_case(vec: dict, runs: int | None, warmup: int | None) -> list[dict]:
    inp = vec["input"]
    runs = inp["runs"] if runs is None else runs
    warmup = inp["warmup"] if warmup is None else warmup
    ids, names, subs = build_group(inp["consumers"], inp["topics"], inp["pattern"])
    topics = {t: inp["partitions_per_topic"] for t in names}
    rows = []

    fresh_members = {m: {"topics": subs[m], "owned": {}, "generation": -1} for m in ids}
    times, fresh = timed(inp["assignor"], topics, fresh_members, runs, warmup)
    rows.append(row(vec, "fresh", times, sticky_path(topics, fresh_members), shape(fresh), None))

    left = {m: {"topics": subs[m], "owned": fresh[m], "generation": 1} for m in ids[1:]}
    times, after = timed(inp["assignor"], topics, left, runs, warmup)
    rows.append(row(vec, "one_consumer_leaves", times, sticky_path(topics, left), shape(after),
                    taken_from_survivors(left, after)))
    return rows


def row(vec, phase, times, path, got_shape, taken) -> dict:
    java = vec["output"][phase]
    ours = statistics.median(times)
    return {
        "id": vec["id"], "phase": phase, "path": path, "java_path": java["path"],
        "ours_ms": ours, "java_ms": java["median_ms"], "ratio": ours / java["median_ms"],
        "runs_ms": times, **got_shape, "taken": taken,
        "java_shape": (java["assigned_partitions"], java["min_per_consumer"], java["max_per_consumer"],
                       java.get("partitions_taken_from_survivors")),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="kafka-java-assignor-timing.json or its folder")
    ap.add_argument("--only", default="", help="run only cases whose id contains this text")
    ap.add_argument("--quick", action="store_true", help="skip the 1000-consumer split-quarter cases")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per phase (default: as Java)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed runs first (default: as Java)")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows to this file")
    ap.add_argument("--not-run", action="store_true",
                    help="also time the header's not_run sizes (Java did not finish them), fresh phase, one run")
    args = ap.parse_args()
    path = args.data / "kafka-java-assignor-timing.json" if args.data.is_dir() else args.data
    data = json.loads(path.read_text())

    rows = []
    header = (f"{'case':44} {'phase':20} {'path':11} {'ours ms':>9} {'java ms':>9} {'ratio':>6}  "
              f"{'shape (assigned,min,max,taken)':34} java shape")
    print(header)
    print("-" * len(header))
    for vec in data["vectors"]:
        if args.only and args.only not in vec["id"]:
            continue
        if args.quick and "1000c" in vec["id"]:
            continue
        for r in run_case(vec, args.runs, args.warmup):
            rows.append(r)
            got = (r["assigned_partitions"], r["min_per_consumer"], r["max_per_consumer"], r["taken"])
            flag = "" if r["path"] == r["java_path"] else f"  (Java path: {r['java_path']})"
            print(f"{r['id']:44} {r['phase']:20} {r['path']:11} {r['ours_ms']:9.1f} {r['java_ms']:9.1f} "
                  f"{r['ratio']:6.2f}  {got!s:34} {r['java_shape']}{flag}", flush=True)
    if args.not_run:
        for case in data.get("not_run", []):
            ids, names, subs = build_group(case["consumers"], case["topics"], case["pattern"])
            topics = {t: case["partitions_per_topic"] for t in names}
            members = {m: {"topics": subs[m], "owned": {}, "generation": -1} for m in ids}
            times, result = timed(case["assignor"], topics, members, 1, 0)
            got = shape(result)
            label = f"{case['assignor']}/{case['pattern']}/{case['consumers']}c/{case['topics']}x{case['partitions_per_topic']}"
            print(f"{label:44} {'fresh':20} {sticky_path(topics, members):11} {times[0]:9.1f} {'n/a':>9} {'':>6}  "
                  f"{tuple(got.values())!s:34} Java: {case['result'][:60]}...", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
