"""Cost per resident from a few townships to the province: does it stay flat? (an estimate)

    python benchmarks/province_cost.py [--sizes 1 4 16] [--days 365]

Runs shards of ``scenarios/province.toml`` (610 townships) the way a sharded run does: each
size ``k`` is simulated twice, as townships 0..k-1 and as the last k townships of the province
(a worker's shard far into the run), and the merge of two such shards is timed as well. Prints
seconds (and H, one million heapq push+pop pairs timed in this process) per million residents
for each, and the resulting estimate for the whole province on W workers: (per-resident cost x
52.7 million residents) / W, plus the merge. Nothing here runs the province itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from township_year import heapq_floor  # noqa: E402

from sim.experiments.metrics import compute_metrics, tables_from_records  # noqa: E402
from sim.experiments.shards import ShardTask, merge_records, run_shard  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[2, 64, 256])
    args = ap.parse_args()
    scn = load_scenario(ROOT / "scenarios" / "province.toml", [f"days={args.days:g}"])
    n_all, per_town = scn.township.townships, scn.township.villages * \
        scn.township.population_per_village
    h = heapq_floor() * 1e6
    print(f"province: {n_all} townships, {n_all * per_town / 1e6:.1f} million residents; "
          f"{args.days:g} days; H = {h:.2f} s")
    costs = []
    for k in args.sizes:
        parts = []
        for first in (0, n_all - k):
            t = time.perf_counter()
            parts.append(run_shard(ShardTask("p", 0, 0, scn.seed, scn,
                                             tuple(range(first, first + k)))))
            secs = time.perf_counter() - t
            per_m = secs / (k * per_town / 1e6)
            costs.append(per_m)
            print(f"{k:4d} townships from {first:3d}: {secs:7.1f} s, {per_m:6.2f} s = "
                  f"{per_m / h:5.2f} H per million residents", flush=True)
        t = time.perf_counter()
        tables = tables_from_records(merge_records(parts))
        compute_metrics(tables)
        merge = time.perf_counter() - t
        print(f"     merge of the two + tables + metrics: {merge:.2f} s "
              f"({merge / (2 * k * per_town / 1e6):.3f} s per million residents)", flush=True)
    per_m = sorted(costs)[len(costs) // 2]
    total = per_m * n_all * per_town / 1e6
    for w in args.workers:
        print(f"estimate, {w:3d} workers: {total / w / 60:7.1f} min of simulation per worker "
              f"(median {per_m:.2f} s per million residents), plus the merge in the driver")


if __name__ == "__main__":
    main()
