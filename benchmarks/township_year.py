"""Time one simulated year of the default township, one replication, one process.

Reports wall time (best of --repeat), events executed, events per second, and the engine's cost
per event as a ratio to a bare ``heapq`` push/pop floor measured in the same run.

    python benchmarks/township_year.py [--repeat 3] [--json] [--clock wall|cpu]

``--clock cpu`` times the floor and the years by the process's CPU time instead of wall time
(on a loaded machine, without the time spent waiting for a core).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

from mesa.time.events import Event

from sim.scenario import load_scenario
from sim.world.model import PolicingModel

ROOT = Path(__file__).resolve().parents[1]


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def heapq_floor(n: int = 200_000, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds per push+pop of a (time, seq, payload) entry in a heap of realistic size."""
    heap: list = []
    count = itertools.count()
    t0 = clock()
    for i in range(n):
        heapq.heappush(heap, ((i * 7919) % 10007 + i * 0.001, next(count), None))
        if len(heap) > 1000:
            heapq.heappop(heap)
    while heap:
        heapq.heappop(heap)
    return (clock() - t0) / n


def time_year(path: Path, repeat: int, clock: Callable[[], float] = time.perf_counter) -> dict:
    """Best-of-``repeat`` wall time of build + simulate for one scenario."""
    scn = load_scenario(path)
    best, events = float("inf"), 0
    for _ in range(repeat):
        first = next(Event._ids)
        t0 = clock()
        PolicingModel(scn).simulate()
        wall = clock() - t0
        events = next(Event._ids) - first - 1
        best = min(best, wall)
    return {"scenario": scn.name, "seconds": best, "events": events,
            "events_per_s": events / best}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = ap.parse_args()
    clock = CLOCKS[args.clock]
    floor = heapq_floor(clock=clock)
    rows = [time_year(ROOT / "scenarios" / f"{n}.toml", args.repeat, clock)
            for n in ("station_centred", "center_office")]
    for r in rows:
        r["cost_per_event_us"] = 1e6 / r["events_per_s"]
        r["ratio_to_heapq_floor"] = (1.0 / r["events_per_s"]) / floor
    out = {"heapq_floor_us": floor * 1e6, "runs": rows}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"heapq push+pop floor: {floor * 1e6:.2f} us")
    for r in rows:
        print(f"{r['scenario']:<16} {r['seconds']:.2f} s  {r['events']:>7} events  "
              f"{r['events_per_s']:>8,.0f} events/s  {r['cost_per_event_us']:.1f} us/event  "
              f"= {r['ratio_to_heapq_floor']:.0f}x heapq floor")


if __name__ == "__main__":
    main()
