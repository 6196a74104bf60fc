"""Sweep throughput: runs per second with 1 and 2 workers, and Dask's overhead per task.

    python benchmarks/sweep_speedup.py [--sweep FILE] [--replications R] [--runs 12]

Reported:

* a whole example sweep as a user runs it (``run_sweep``: pool start-up, per-run Parquet
  files, merge and analysis included), with 1 worker (in-process) and 2 workers (the local
  process pool); the two tables are checked to be identical. Default: the community-officer
  share sweep as shipped (13 one-year design points x 10 replications = 130 runs, the
  smallest of the example sweeps);
* steady state (workers started and warm) over ``--runs`` one-year runs of the default
  township under the center-office model, for 1 worker, 2 local workers and a 2-worker Dask
  LocalCluster: wall time, and the CPU seconds the runs used inside the workers. CPU seconds /
  wall time is how many cores the workers actually got: on a machine shared with other jobs it
  is below the worker count, and the speed-up with it;
* the round trip of a no-op task, one at a time, through the local pool and through Dask.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from sim.experiments.executors import RunTask, default_workers, open_backend, run_task
from sim.experiments.sweep import build_sweep, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "center_office.toml"
SWEEP = ROOT / "scenarios" / "sweeps" / "community_share.toml"


def timed(task: RunTask) -> float:
    """Run a task in a worker; return the CPU seconds it used there."""
    c0 = time.process_time()
    run_task(task)
    return time.process_time() - c0


def pid(_: int = 0) -> int:
    time.sleep(0.2)
    return os.getpid()


def whole_sweep(sweep, workers: int) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        summary = run_sweep(sweep, out, workers=workers)
        return time.perf_counter() - t, summary.table


def steady(tasks: list[RunTask], backend: str, workers: int, noops: int) -> dict[str, float]:
    with open_backend(backend, workers) as be:
        ex = be.executor
        seen: set[int] = set()
        while len(seen) < workers:  # every worker started and has imported the model
            seen |= set(ex.map(pid, range(2 * workers)))
        ex.submit(timed, tasks[0]).result()
        t = time.perf_counter()
        cpu = sum(ex.map(timed, tasks))
        wall = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(noops):
            ex.submit(default_workers).result()
        noop = (time.perf_counter() - t) / noops
    return {"wall_s": wall, "cpu_s": cpu, "cores_used": cpu / wall, "noop_ms": 1000 * noop}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", type=Path, default=SWEEP, help="sweep timed end to end")
    ap.add_argument("--replications", type=int, default=0,
                    help="replications per point of that sweep (default 0: the file's own)")
    ap.add_argument("--runs", type=int, default=12, help="runs for the steady-state figures")
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--noops", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2,
                    help="time each whole sweep this many times, alternating, and keep the "
                         "fastest (this machine is a VM whose speed drifts by up to 25%%)")
    args = ap.parse_args()
    user = load_sweep(args.sweep)
    if args.replications:
        user = dataclasses.replace(user, replications=args.replications)
    nu = len(user.points) * user.replications
    sweep = build_sweep("<benchmark>", BASE, [{}], [], args.runs, fixed={"days": args.days})
    tasks = [RunTask(f"p0-r{k}", 0, k, sweep.seed, sweep.points[0].scenario)
             for k in range(args.runs)]
    n = args.runs
    load0 = os.getloadavg()[0]
    print(f"{default_workers()} cores visible; load average {load0:.1f}")
    print(f"whole sweep {args.sweep.name}: {len(user.points)} points x {user.replications} "
          f"replications = {nu} runs")
    t1 = t2 = math.inf
    for _ in range(args.repeat):
        s1, table1 = whole_sweep(user, 1)
        s2, table2 = whole_sweep(user, 2)
        pd.testing.assert_frame_equal(table1, table2, check_exact=True)
        print(f"  1 worker {s1:.1f} s, 2 workers {s2:.1f} s")
        t1, t2 = min(t1, s1), min(t2, s2)
    print(f"  fastest of {args.repeat}:")
    print(f"  1 worker (in-process): {t1:6.1f} s  {nu / t1:.3f} runs/s")
    print(f"  2 workers (local pool): {t2:6.1f} s  {nu / t2:.3f} runs/s  speed-up {t1 / t2:.2f}x"
          "  (tables identical)")
    res = {"sweep": args.sweep.name, "sweep_runs": nu, "runs": n, "days": args.days,
           "load_before": load0, "whole_1_s": t1, "whole_2_s": t2, "speedup_whole": t1 / t2}
    print(f"steady state: {n} runs of {args.days:g} days, default township, center-office model")
    for name, backend, w in (("1 worker", "local", 1), ("2 local workers", "local", 2),
                             ("2 Dask workers", "dask", 2)):
        s = steady(tasks, backend, w, args.noops)
        res[name] = s
        print(f"steady, {name:16s} {s['wall_s']:6.1f} s  {n / s['wall_s']:.3f} runs/s  "
              f"CPU {s['cpu_s'] / n:.2f} s/run  cores used {s['cores_used']:.2f}  "
              f"no-op round trip {s['noop_ms']:.2f} ms")
    one, two, dask = res["1 worker"], res["2 local workers"], res["2 Dask workers"]
    res["speedup_steady"] = one["wall_s"] / two["wall_s"]
    res["dask_extra_ms_per_run"] = 1000 * (dask["wall_s"] - two["wall_s"]) / n
    res["load_after"] = os.getloadavg()[0]
    print(f"steady speed-up, 2 local workers vs 1: {res['speedup_steady']:.2f}x; Dask vs local "
          f"pool: {res['dask_extra_ms_per_run']:+.0f} ms per run")
    print(f"load average before {load0:.1f}, after {res['load_after']:.1f}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
