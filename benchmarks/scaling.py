"""Cost against size: the prefecture at fractions of its 61 townships, one year, one process.

Each size runs in a fresh subprocess (``policesim run scenarios/prefecture.toml --reps 1
--json --set township.townships=N``) so its peak memory is its own.

    python benchmarks/scaling.py [--fractions 0.1 0.3 1.0] [--policy center_office]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = 61  # townships in scenarios/prefecture.toml


def run_size(townships: int, policy: str) -> dict:
    """Run the prefecture with ``townships`` townships in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(ROOT / "scenarios/prefecture.toml"), "--reps",
         "1", "--json", "--set", f"township.townships={townships}", "--set",
         f"policy={policy}"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = json.loads(proc.stdout)
    return {"townships": townships, "residents": townships * 36 * 2400, "seconds": wall,
            "peak_rss_mb": max(peak, before) / 1024, "calls": out["calls"],
            "disputes": out["disputes"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    ap.add_argument("--policy", default="center_office")
    args = ap.parse_args()
    rows = []
    for f in args.fractions:
        r = run_size(max(1, round(FULL * f)), args.policy)
        r["fraction"] = f
        r["seconds_per_million_residents"] = r["seconds"] / (r["residents"] / 1e6)
        rows.append(r)
        print(f"{f:>4}x  {r['townships']:>3} townships  {r['residents'] / 1e6:5.2f} M residents  "
              f"{r['seconds']:6.1f} s  {r['peak_rss_mb']:6.0f} MB peak  "
              f"{r['seconds_per_million_residents']:5.1f} s per M residents", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
