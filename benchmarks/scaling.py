"""Does cost grow linearly?  records/s at 50k, 200k and 1M records, for the ingest and for produce/consume.

* **ingest**: the full-fidelity clickstream run of ``clickstream_ingest.py`` (100,000 events/s, RF=3,
  acks=all, idempotent, linger 10 ms, zstd, cost model on) for 0.5, 2 and 10 s of virtual time;
* **produce** / **consume**: the confluent-kafka client code of ``peers.py`` on ``kafkalab.confluent_kafka``
  (keyed records, produce all, then consume all).

Each (workload, size) runs in a fresh interpreter, ``--repeat`` rounds over all sizes (best round per size).  Printed: records per second of wall time and of CPU
time (the steadier figure on a shared machine), and per workload the ratio of the fastest size's rate
to the slowest's (target ≤ 1.3: a million records cost at most 1.3x as much per record as 50,000).

    python benchmarks/scaling.py
    python benchmarks/scaling.py --sizes 50000,200000 --only produce
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def run_ingest(n: int) -> dict:
    from kafkalab.scenarios import json_events, producer_workload

    events = json_events(20_000, seed=1)
    conf = {"acks": "all", "enable.idempotence": True, "linger.ms": 10, "compression.type": "zstd"}
    t0, c0 = time.perf_counter(), time.process_time()
    r = producer_workload(conf, rate=100_000, seconds=n / 100_000, partitions=20, seed=1, events=events)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert r.delivered == r.records == n and r.failed == 0, r
    return {"ingest": (wall, cpu)}


def run_client(n: int) -> dict:
    import peers

    timed = {}
    orig = peers.produce_then_consume

    def measured(*args, **kw):  # the phases' CPU time next to peers' wall time
        c0 = time.process_time()
        r = orig(*args, **kw)
        timed["cpu"] = time.process_time() - c0
        return r

    peers.produce_then_consume = measured
    r = peers.run_one("kafkalab", n, 100_000, 100)
    share = timed["cpu"] / (r["produce_s"] + r["consume_s"])  # split the CPU time in the wall-time proportion
    return {"produce": (r["produce_s"], r["produce_s"] * share), "consume": (r["consume_s"], r["consume_s"] * share)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="50000,200000,1000000")
    ap.add_argument("--only", choices=("ingest", "client"))
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds over every size, interleaved; the best round of each size counts (default: %(default)s)")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # internal: workload, size
    args = ap.parse_args(argv)
    if args.one:
        kind, n = args.one
        print(json.dumps((run_ingest if kind == "ingest" else run_client)(int(n))))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = [args.only] if args.only else ["ingest", "client"]
    print(f"records/s by size, each run in a fresh interpreter; machine load {os.getloadavg()[0]:.1f}")
    print(f"{'workload':9} {'records':>10} {'wall s':>7} {'rec/s wall':>11} {'cpu s':>7} {'rec/s cpu':>11}")
    # This machine's speed drifts by tens of percent within minutes, and a size measured once, at another
    # moment than the next size, shows the drift as much as the scaling: every round runs every size, and
    # each size keeps its best round (the least disturbed one).
    best: dict[tuple, tuple] = {}  # (workload, size) -> (wall, cpu)
    for _ in range(max(1, args.repeat)):
        for kind in kinds:
            for n in sizes:
                out = subprocess.run([sys.executable, __file__, "--one", kind, str(n)], capture_output=True,
                                     text=True, check=False)
                if out.returncode != 0:
                    print(f"{kind:9} {n:10,} failed: {out.stderr.strip().splitlines()[-1] if out.stderr else '?'}")
                    continue
                for name, (wall, cpu) in json.loads(out.stdout.strip().splitlines()[-1]).items():
                    if (name, n) not in best or cpu < best[name, n][1]:
                        best[name, n] = (wall, cpu)
    rates: dict[str, list] = {}
    for (name, n), (wall, cpu) in best.items():
        rates.setdefault(name, []).append((n, n / wall, n / cpu))
        print(f"{name:9} {n:10,} {wall:7.2f} {n / wall:11,.0f} {cpu:7.2f} {n / cpu:11,.0f}", flush=True)
    print("\nfastest size's rate / slowest size's rate (target <= 1.3):")
    for name, rows in rates.items():
        wall = max(r[1] for r in rows) / min(r[1] for r in rows)
        cpu = max(r[2] for r in rows) / min(r[2] for r in rows)
        print(f"  {name:9} wall {wall:.2f}x  cpu {cpu:.2f}x  {'ok' if cpu <= 1.3 else 'MISSED'} (cpu)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
