"""Time ``import kafkalab`` in fresh interpreters: with the bytecode cache warm, and compiling from source.

Each run is ``python -X importtime -c "import kafkalab"`` in a new process; the figure is the cumulative
microseconds of the top-level ``kafkalab`` line (what a notebook's first ``import kafkalab`` costs).
Two settings, because they differ by several times:

* **cached**: ``__pycache__`` holds the compiled modules (a normal install, or the second run of a
  checkout).  The script first imports once with bytecode writing on, so the cache exists.
* **source**: bytecode is neither read nor written (``-X pycache_prefix`` pointed at an empty
  temporary directory, plus ``PYTHONDONTWRITEBYTECODE``): every module is compiled again, as in a
  read-only checkout or an environment that sets ``PYTHONDONTWRITEBYTECODE=1`` (this machine does).

    python benchmarks/import_time.py            # 7 runs each, median and max
    python benchmarks/import_time.py --runs 15 --top 10
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile


def import_us(env: dict, extra: list[str]) -> tuple[int, list[tuple[int, str]]]:
    out = subprocess.run([sys.executable, *extra, "-X", "importtime", "-c", "import kafkalab"], env=env,
                         capture_output=True, text=True, check=True).stderr
    rows = []
    total = 0
    for line in out.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        _own, cum, name = line[len("import time:"):].split("|")
        name = name.strip()
        rows.append((int(cum), name))
        if name == "kafkalab":
            total = int(cum)
    return total, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--top", type=int, default=6, help="slowest kafkalab modules to list (cumulative)")
    ap.add_argument("--target", type=float, default=300.0, help="target in ms (default: %(default)s)")
    args = ap.parse_args(argv)

    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import kafkalab"], env=warm, check=True)  # fill __pycache__
    with tempfile.TemporaryDirectory() as empty:
        cold = {**warm, "PYTHONDONTWRITEBYTECODE": "1"}
        settings = {"cached": (warm, []), "source": (cold, ["-X", f"pycache_prefix={empty}"])}
        print(f"import kafkalab, {args.runs} fresh interpreters each (ms; target < {args.target:g} ms)")
        for name, (env, extra) in settings.items():
            runs = [import_us(env, extra) for _ in range(args.runs)]
            ms = [t / 1000 for t, _ in runs]
            med = statistics.median(ms)
            print(f"  {name:7} median {med:6.0f}  min {min(ms):6.0f}  max {max(ms):6.0f}  "
                  f"{'ok' if med < args.target else 'MISSED'}")
            slow = sorted(((c, n) for c, n in runs[ms.index(sorted(ms)[len(ms) // 2])][1]
                           if n.startswith("kafkalab.")), reverse=True)[:args.top]
            print("           " + ", ".join(f"{n} {c / 1000:.0f}" for c, n in slow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
