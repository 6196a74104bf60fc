"""Per-call time of policesim against Ciw, a pure-Python queueing library, on M/M/c points.

    python benchmarks/ciw_mmc.py [--rounds 3] [--calls 40000] [--clock wall|cpu]

The same M/M/c points as the validation suite (scenarios/validation/mmc.toml: one village, zero
travel, Poisson calls, exponential on-scene times, c officers, FCFS); the same arrival rate,
service rate, number of servers and horizon for both engines. Each round runs every point in
both engines, alternating which goes first, under the same garbage-collector settings
(``quiet_gc``, as every policesim run). Timed: building and simulating the model up to its
records (policesim: ``PolicingModel(...).simulate()``; Ciw: ``create_network`` to
``get_all_records()``); not timed: metrics. Prints each point's per-call times and their
ratio policesim / Ciw per round, and the median ratio over rounds. The machine is shared, so
only the ratio within a round means anything. ``--clock cpu`` times both engines by the
process's CPU time (``time.process_time``) instead of wall time: the same work timed the same
way for both, without the time the process waits for a core on a loaded machine (both are
single-threaded pure Python).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ciw  # noqa: E402

from sim.experiments.layouts import layouts_for  # noqa: E402
from sim.experiments.run import quiet_gc  # noqa: E402
from sim.experiments.validation import MMC_TOML, mmc_overrides  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world.model import PolicingModel  # noqa: E402

#: (calls per hour, mean on-scene minutes, servers): the validation suite's M/M/c points.
POINTS = ((1.0, 30.0, 1), (0.85, 60.0, 1), (1.4, 60.0, 2), (1.5, 60.0, 3), (2.55, 60.0, 3))


#: The clock both engines are timed with (``--clock``).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def time_policesim(lam: float, service: float, c: int, days: float, seed: int,
                   clock: Callable[[], float] = time.perf_counter) -> tuple[float, int]:
    """Seconds to build and simulate, and the number of calls."""
    scn = load_scenario(MMC_TOML, mmc_overrides(lam, service, c, days, 0))
    layouts = layouts_for(scn)
    with quiet_gc():
        t = clock()
        records = PolicingModel(scn, 0, root_seed=seed, layouts=layouts).simulate()
        seconds = clock() - t
    return seconds, len(records.calls)


def time_ciw(lam: float, service: float, c: int, days: float, seed: int,
             clock: Callable[[], float] = time.perf_counter) -> tuple[float, int]:
    """Seconds to build and simulate the same queue in Ciw (minutes as the time unit)."""
    with quiet_gc():
        t = clock()
        ciw.seed(seed)
        net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(lam / 60.0)],
                                 service_distributions=[ciw.dists.Exponential(1.0 / service)],
                                 number_of_servers=[c])
        sim = ciw.Simulation(net)
        sim.simulate_until_max_time(days * 1440.0)
        recs = sim.get_all_records()
        seconds = clock() - t
    arrived = len(recs) + sum(len(n.all_individuals) for n in sim.transitive_nodes)
    return seconds, arrived


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=40_000, help="calls per point (about)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="time both engines by wall time (default) or by CPU time")
    args = ap.parse_args()
    clock = CLOCKS[args.clock]
    ratios: list[float] = []
    print(f"ciw {ciw.__version__}; per-call microseconds ({args.clock} clock); "
          f"ratio = policesim / ciw")
    for r in range(args.rounds):
        round_ratio = []
        for i, (lam, service, c) in enumerate(POINTS):
            days = round(args.calls / (lam * 24.0), 3)
            runs = [("policesim", time_policesim), ("ciw", time_ciw)]
            if (r + i) % 2:
                runs.reverse()  # alternate which engine goes first
            got = {name: fn(lam, service, c, days, 1000 * r + i, clock) for name, fn in runs}
            us = {k: 1e6 * s / n for k, (s, n) in got.items()}
            ratio = us["policesim"] / us["ciw"]
            round_ratio.append(ratio)
            print(f"round {r + 1} c={c} lambda={lam}/h 1/mu={service:g} min: policesim "
                  f"{us['policesim']:.1f} us ({got['policesim'][1]} calls), ciw "
                  f"{us['ciw']:.1f} us ({got['ciw'][1]}), ratio {ratio:.3f}", flush=True)
        ratios.append(statistics.median(round_ratio))
        print(f"round {r + 1}: median ratio over points {ratios[-1]:.3f}", flush=True)
    print(f"median over {args.rounds} rounds of the per-round median ratio: "
          f"{statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
