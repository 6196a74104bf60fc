"""Paired timing of two checkouts: both simulate the same prefecture year at the same moment.

    python benchmarks/paired.py BASE_CHECKOUT [--new .] [--townships 61] [--rounds 2]

This machine's host moves run times by up to 25% from one minute to the next, which hides a
5% change between runs taken one after the other. Here the two versions run at once, one per
core, so both meet the same host; each round prints both simulate-phase times, their ratio
and a hash of every table, so a speed-up that changed the numbers shows at once. Make the
base checkout with ``git worktree add /tmp/base <commit>``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run inside each checkout (its own ``sim`` first on the path); prints "seconds table-hash".
CHILD = """
import hashlib, sys, time
from pathlib import Path
from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import tables_from_records
from sim.experiments.run import quiet_gc
from sim.scenario import load_scenario
from sim.world.model import PolicingModel
scn = load_scenario(Path(sys.argv[1]), [f"township.townships={sys.argv[2]}"])
layouts = layouts_for(scn)
with quiet_gc():
    model = PolicingModel(scn, 0, layouts=layouts)
    t = time.perf_counter()
    model.run_until(model.horizon)
    seconds = time.perf_counter() - t
    tables = tables_from_records(model.finalize())
h = hashlib.sha256()
for name in ("calls", "disputes", "injuries", "workload", "villages", "visits"):
    h.update(getattr(tables, name).to_csv().encode())
print(f"{seconds:.2f} {h.hexdigest()[:12]}")
"""


def _start(checkout: Path, townships: int, cpu: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, "-c", CHILD, str(ROOT / "scenarios" / "prefecture.toml"),
           str(townships)]
    p = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(p.pid, {cpu})  # one core each (Linux); elsewhere the OS decides
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", type=Path, help="checkout of the version to compare against")
    ap.add_argument("--new", type=Path, default=ROOT, help="checkout of the new version")
    ap.add_argument("--townships", type=int, default=61)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    ratios = []
    for i in range(args.rounds):
        # swap cores every round, in case one core is the busier one
        procs = {"base": _start(args.base.resolve(), args.townships, i % 2),
                 "new": _start(args.new.resolve(), args.townships, (i + 1) % 2)}
        got = {}
        for name, p in procs.items():
            out, err = p.communicate()
            if p.returncode:
                sys.exit(f"{name} failed:\n{err[-2000:]}")
            seconds, digest = out.split()
            got[name] = (float(seconds), digest)
        ratios.append(got["new"][0] / got["base"][0])
        same = "same tables" if got["new"][1] == got["base"][1] else "TABLES DIFFER"
        print(f"round {i + 1}: base {got['base'][0]:.2f} s, new {got['new'][0]:.2f} s, "
              f"new/base {ratios[-1]:.3f}, {same}", flush=True)
    print(f"new/base over {len(ratios)} rounds: {min(ratios):.3f} to {max(ratios):.3f}")


if __name__ == "__main__":
    main()
