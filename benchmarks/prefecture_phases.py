"""Where a prefecture run's time goes: import, build, simulate, tables, metrics; events by kind.

    python benchmarks/prefecture_phases.py [--townships 61] [--policy center_office] [--count]

``--count`` also counts the events scheduled, by callback (it wraps ``schedule_event``, which
adds a little time to the simulate phase).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402  (after T0: the import phase is measured)
import collections  # noqa: E402
from pathlib import Path  # noqa: E402

from mesa.time.events import Event  # noqa: E402

from sim.experiments.layouts import layouts_for  # noqa: E402
from sim.experiments.metrics import compute_metrics, tables_from_records  # noqa: E402
from sim.experiments.run import quiet_gc  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world.model import PolicingModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=61)
    ap.add_argument("--policy", default="center_office")
    ap.add_argument("--count", action="store_true", help="count events by callback")
    args = ap.parse_args()
    t_import = time.perf_counter() - T0
    scn = load_scenario(ROOT / "scenarios" / "prefecture.toml",
                        [f"township.townships={args.townships}", f"policy={args.policy}"])
    layouts = layouts_for(scn)
    counts: collections.Counter[str] = collections.Counter()
    with quiet_gc():  # as `policesim run` does
        t = time.perf_counter()
        model = PolicingModel(scn, 0, layouts=layouts)
        t_build = time.perf_counter() - t
        if args.count:
            schedule = model.schedule_event

            def counted(function, **kw):
                counts[function.__qualname__] += 1
                return schedule(function, **kw)

            model.schedule_event = counted
        first = next(Event._ids)
        t = time.perf_counter()
        records = model.simulate()
        t_sim = time.perf_counter() - t
        events = next(Event._ids) - first - 1
    t = time.perf_counter()
    tables = tables_from_records(records)
    t_tables = time.perf_counter() - t
    t = time.perf_counter()
    compute_metrics(tables)
    t_metrics = time.perf_counter() - t
    print(f"{args.townships} townships, {args.policy}: import {t_import:.2f} s, build "
          f"{t_build:.2f} s, simulate {t_sim:.2f} s ({events:,} events, "
          f"{1e6 * t_sim / max(events, 1):.1f} us/event), tables {t_tables:.2f} s, metrics "
          f"{t_metrics:.2f} s")
    total = sum(counts.values())
    for name, n in counts.most_common():
        print(f"  {n:>9,}  {100 * n / total:4.1f}%  {name}")


if __name__ == "__main__":
    main()
