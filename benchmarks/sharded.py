"""Sharded prefecture runs: wall time and peak memory for 1 and 2 workers (and Dask), same bytes.

    python benchmarks/sharded.py [--townships 61] [--rounds 3] [--dask]

Each round runs ``policesim run scenarios/prefecture.toml --json --workers N`` for N = 1 and 2
(and ``--backend dask --workers 2`` with ``--dask``) as separate processes, in an order that
alternates between rounds, and checks that every configuration prints the same bytes. Each
round also times H, one million ``heapq`` push+pop pairs of ``(time, seq, payload)``
entries (``benchmarks/township_year.py``'s floor) in this process, so times are given
both in seconds and in H (this machine is shared, and its speed drifts by 25% from minute to
minute: the ratio within a round is the figure to read). Peak memory is the largest resident
set of any one process of the run (the command and its workers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from township_year import heapq_floor  # noqa: E402

# Runs one command and reports its wall time and the largest RSS of it and its descendants.
LAUNCH = """
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
if p.returncode:
    sys.exit(p.stderr[-3000:])
sys.stderr.write(f"{wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.stdout.write(p.stdout)
"""


def h_unit() -> float:
    """H: seconds for one million heapq push+pop pairs (``township_year.heapq_floor``)."""
    return heapq_floor() * 1e6


def run(config: list[str], townships: int) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one ``policesim run``."""
    cmd = [sys.executable, "-c", LAUNCH, sys.executable, "-m", "sim", "run",
           str(ROOT / "scenarios" / "prefecture.toml"), "--json",
           "--set", f"township.townships={townships}", *config]
    p = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    if p.returncode:
        sys.exit(f"{config} failed:\n{p.stderr[-3000:]}")
    wall, rss_kib = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss_kib) / 1024, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=61)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dask", action="store_true", help="also --backend dask --workers 2")
    args = ap.parse_args()
    configs = {"1 worker": ["--workers", "1"], "2 workers": ["--workers", "2"]}
    if args.dask:
        configs["dask x2"] = ["--workers", "2", "--backend", "dask"]
    ratios: dict[str, list[float]] = {k: [] for k in configs}
    in_h: dict[str, list[float]] = {k: [] for k in configs}
    for r in range(args.rounds):
        h = h_unit()
        names = list(configs) if r % 2 == 0 else list(reversed(configs))
        got = {name: run(configs[name], args.townships) for name in names}
        outs = {out for _, _, out in got.values()}
        base = got["1 worker"][0]
        line = [f"round {r + 1}: H = {h:.2f} s"]
        for name, (wall, rss, _) in got.items():
            ratios[name].append(wall / base)
            in_h[name].append(wall / h)
            line.append(f"{name} {wall:.1f} s = {wall / h:.1f} H, peak {rss:.0f} MiB, "
                        f"x{wall / base:.2f}")
        line.append("same JSON" if len(outs) == 1 else "JSON DIFFERS")
        print("; ".join(line), flush=True)
    for name in configs:
        print(f"{name}: median {statistics.median(in_h[name]):.1f} H, median time / 1 worker "
              f"{statistics.median(ratios[name]):.2f}")


if __name__ == "__main__":
    main()
