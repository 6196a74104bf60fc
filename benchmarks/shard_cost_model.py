"""What a 2-worker sharded run costs, part by part, timed one after another in one process.

    python benchmarks/shard_cost_model.py [--townships 12]

On a shared machine the wall time of two parallel workers says more about the neighbours than
about the code; this times the parts instead: the whole run (one worker), each of the two
shards with the pickling a worker does, and the driver's unpickling, merge, tables and metrics
(checking that the merged metrics equal the whole run's). The predicted ratio is
(slower shard + driver work) / whole run, for two free cores; the pool's start-up is left out.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from township_year import heapq_floor  # noqa: E402

from sim.experiments.metrics import compute_metrics, tables_from_records  # noqa: E402
from sim.experiments.run import run_once  # noqa: E402
from sim.experiments.shards import (  # noqa: E402
    ShardTask,
    merge_records,
    run_shard,
    split_townships,
)
from sim.scenario import load_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=12)
    n = ap.parse_args().townships
    s = load_scenario(ROOT / "scenarios" / "prefecture.toml", [f"township.townships={n}"])
    h = heapq_floor() * 1e6
    t = time.perf_counter()
    whole = run_once(s)
    t_whole = time.perf_counter() - t
    work, blobs = [], []
    for block in split_townships(n, 2):
        t = time.perf_counter()
        rec = run_shard(ShardTask("a", 0, 0, s.seed, s, block))
        blobs.append(pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL))
        work.append(time.perf_counter() - t)
    t = time.perf_counter()
    parts = [pickle.loads(b) for b in blobs]
    t_loads = time.perf_counter() - t
    t = time.perf_counter()
    metrics = compute_metrics(tables_from_records(merge_records(parts)))
    t_merge = time.perf_counter() - t
    assert metrics == whole.metrics
    h2 = heapq_floor() * 1e6
    print(f"{n} townships: H {h:.2f} s before, {h2:.2f} s after; whole run {t_whole:.1f} s; "
          f"shards (simulate + pickle) {work[0]:.1f} s, {work[1]:.1f} s; driver: unpickle "
          f"{t_loads:.2f} s, merge + tables + metrics {t_merge:.2f} s; predicted 2 workers / "
          f"1 worker = {(max(work) + t_loads + t_merge) / t_whole:.2f}")


if __name__ == "__main__":
    main()
