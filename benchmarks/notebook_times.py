"""How long each notebook takes to execute, and which cells take it: the instructor build run by nbclient.

Builds the notebooks (``kafkalab.notebooks_build.instructor_notebook``) and executes each in a fresh
kernel with ``PYTHONHASHSEED=0``, as ``tests/test_notebooks_nbval.py`` does, timing the whole run
(kernel start included) and every code cell (nbclient's ``record_timing``: from ``execute_input`` to
the reply).  Target: every notebook under 15 s (issue 15).

    python benchmarks/notebook_times.py                    # every notebook
    python benchmarks/notebook_times.py --only 05 --top 8  # the eight slowest cells of notebook 05
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cell_seconds(cell) -> float:
    t = cell.get("metadata", {}).get("execution", {})
    try:
        start = datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
    except KeyError:
        return 0.0
    return (end - start).total_seconds()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="only notebooks whose name contains this")
    ap.add_argument("--top", type=int, default=3, help="slowest cells to list per notebook")
    ap.add_argument("--target", type=float, default=15.0)
    args = ap.parse_args(argv)

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    sys.path.insert(0, str(ROOT))
    from kafkalab import notebooks_build

    os.environ["PYTHONHASHSEED"] = "0"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    print(f"notebook execution, instructor build, nbclient; seconds (target < {args.target:g} s); "
          f"machine load {os.getloadavg()[0]:.1f}")
    missed = []
    for src in notebooks_build.sources(ROOT / "notebooks"):
        if args.only and args.only not in src.stem:
            continue
        nb = notebooks_build.instructor_notebook(src)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                                resources={"metadata": {"path": str(ROOT / "notebooks")}})
        t0 = time.perf_counter()
        try:
            client.execute()
            error = ""
        except CellExecutionError as exc:  # a failing cell: report it, keep timing the others
            error = f"  ERROR {type(exc).__name__}"
        total = time.perf_counter() - t0
        cells = [(cell_seconds(c), i, c.source.splitlines()[0][:60] if c.source else "")
                 for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        in_cells = sum(s for s, _, _ in cells)
        ok = total < args.target and not error
        missed += [] if ok else [src.stem]
        print(f"{src.stem:30} {total:6.1f} s (cells {in_cells:5.1f} s)  {'ok' if ok else 'MISSED'}{error}")
        for s, i, first in sorted(cells, reverse=True)[:args.top]:
            print(f"    cell {i:3} {s:5.1f} s  {first}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
