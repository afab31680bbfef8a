"""The checker-driven fault test: random fault schedules through the simulator, each checked for lost writes.

Each schedule is ~500 operations (produces, broker crashes and restarts, isolations, heals, time
passing) on a fresh seeded 3-broker cluster, RF=3, one partition; then everything is healed, the
cluster settles and :func:`kafkalab.checks.find_anomalies` compares the history with the final
committed log.  Prints schedules per second (wall time, this process only) and how many runs lost
acknowledged writes — 0 is the contract for the safe configuration; the unsafe ones must find some.

    python benchmarks/fault_checker.py                       # 1,000 schedules, safe config
    python benchmarks/fault_checker.py --schedules 5000      # the long "thousands of runs"
    python benchmarks/fault_checker.py --config acks1        # acks=1: must find lost writes
    python benchmarks/fault_checker.py --config unclean      # unclean election, two failures at once

Target on the 2-core machine: >= 20 schedules/s, so a notebook cell can run a meaningful batch in seconds.
A failing safe run prints its replayable script and exits 1.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafkalab.checks import find_anomalies, random_schedule, run_schedule, schedule_script

CONFIGS = {
    "safe": {},
    "safe2": {"max_failed": 2},
    "acks1": {"acks": "1"},
    "unclean": {"unclean.leader.election.enable": True, "max_failed": 2},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schedules", type=int, default=1000)
    ap.add_argument("--ops", type=int, default=500, help="operations per schedule")
    ap.add_argument("--config", choices=sorted(CONFIGS), default="safe")
    ap.add_argument("--first-seed", type=int, default=0)
    args = ap.parse_args()
    setup = CONFIGS[args.config]
    unsafe = args.config in ("acks1", "unclean")

    runs_with_loss = lost_total = acked = ops = events = 0
    first_bad = None
    t0 = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.schedules):
        schedule = random_schedule(seed, args.ops, setup)
        history, cluster = run_schedule(schedule)
        lost = [r for r in find_anomalies(history, cluster, "jepsen") if r["kind"] == "lost"]
        ops += len(schedule.steps)
        events += cluster.sim.events_run
        acked += sum(o.type == "ok" for o in history.sends())
        if lost:
            runs_with_loss += 1
            lost_total += len(lost)
            if first_bad is None:
                first_bad = schedule
            if not unsafe:
                break
    dt = time.perf_counter() - t0
    n = seed - args.first_seed + 1
    described = setup or "acks=all, min.insync.replicas=2, RF=3, unclean off, at most one broker failed"
    print(f"config             {args.config}: {described}")
    print(f"schedules          {n:,} × ~{args.ops} ops ({ops / n:.0f} steps, {events / n:,.0f} sim events each)")
    print(f"wall time          {dt:6.2f} s   {n / dt:6.1f} schedules/s   {ops / dt:,.0f} ops/s")
    print(f"acknowledged       {acked:,} writes")
    print(f"runs with loss     {runs_with_loss} ({lost_total} lost acknowledged writes)")
    if first_bad is not None:
        print("first failing schedule, replayable:\n" + schedule_script(first_bad)[:2000]
              + ("…" if len(first_bad.steps) > 40 else ""))
    if unsafe:
        return 0 if runs_with_loss else 1  # the checker must not be vacuous
    return 0 if runs_with_loss == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
