"""Execute each built notebook as nbval does and time it, cell by cell (target: each under 15 s).

Builds the instructor notebooks (``kafkalab build``: ``build/instructor/NN_topic.ipynb``), runs each in a
fresh ``python3`` kernel with nbclient, and prints the notebook's wall and kernel-start time and its slowest
cells (with the first line of their source), so the next optimisation goes where the time is.

    python -m compileall -q kafkalab               # as CI does: imports are then not re-compiled
    python benchmarks/notebook_times.py            # every notebook
    python benchmarks/notebook_times.py 05 06      # notebooks whose name starts with these
    python benchmarks/notebook_times.py --top 8    # the 8 slowest cells of each
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_notebook(path: Path, timeout: int = 600) -> tuple[float, float, list]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    cells = []
    t0 = time.perf_counter()
    with client.setup_kernel():
        start = time.perf_counter() - t0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            c0 = time.perf_counter()
            client.execute_cell(cell, i)
            cells.append((time.perf_counter() - c0, i, cell.source.strip().splitlines()[0] if cell.source.strip() else ""))
    return time.perf_counter() - t0, start, cells


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("prefixes", nargs="*", help="only notebooks whose file name starts with one of these")
    ap.add_argument("--top", type=int, default=4, help="slowest cells shown per notebook (default: %(default)s)")
    ap.add_argument("--target", type=float, default=15.0, help="seconds per notebook (default: %(default)s)")
    args = ap.parse_args(argv)
    from kafkalab.notebooks_build import build

    build(ROOT / "notebooks", ROOT / "build")
    paths = sorted((ROOT / "build" / "instructor").glob("*.ipynb"))
    paths = [p for p in paths if not args.prefixes or p.name.startswith(tuple(args.prefixes))]
    rows = []
    for p in paths:
        total, start, cells = time_notebook(p)
        rows.append((p.stem, total))
        ok = "ok" if total < args.target else "MISSED"
        print(f"{p.stem:32} {total:6.1f} s (kernel start {start:.1f} s, {len(cells)} code cells)  {ok} (< {args.target:g} s)")
        for sec, i, first in sorted(cells, reverse=True)[:args.top]:
            print(f"    cell {i:3} {sec:6.2f} s  {first[:80]}")
        sys.stdout.flush()
    print(f"\n{len(rows)} notebook(s), {sum(t for _, t in rows):.1f} s in all; over {args.target:g} s: "
          + (", ".join(n for n, t in rows if t >= args.target) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
