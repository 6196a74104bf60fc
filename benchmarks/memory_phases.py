"""Where a prefecture run's memory goes: resident set after each phase and its peak within it.

    python benchmarks/memory_phases.py [--townships 15] [--days 365] [--path rows|tables]

One process, one replication of ``scenarios/prefecture.toml`` with ``township.townships=N``
(and ``days=D``). Phases: build the model, simulate, then either the row path (the records'
row objects turned into tables while the model and the records are alive, as
``run_once`` did before issue 18's memory work) or the table path (``run_shard_tables``: arrival
rows dropped as they arrive, the model freed, then each table built and its rows freed in
turn), then the metrics. For each
phase: the resident set at its end and its peak (Linux ``VmHWM``, reset before each phase
through ``/proc/self/clear_refs``), in MiB; then the rows of each record table, the model's
up-front arrival rows, and the tables' own size (``memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.experiments.layouts import layouts_for  # noqa: E402
from sim.experiments.metrics import compute_metrics, tables_from_records  # noqa: E402
from sim.experiments.run import quiet_gc  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world.model import PolicingModel  # noqa: E402

MIB = 1024.0


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / MIB
    return float("nan")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


_T = [time.perf_counter()]


def _phase(name: str) -> None:
    now = time.perf_counter()
    print(f"{name:<28} rss {_status('VmRSS'):7.0f} MiB  peak in phase {_status('VmHWM'):7.0f} "
          f"MiB  {now - _T[0]:6.2f} s", flush=True)
    _T[0] = now
    _reset_peak()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=15)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--path", choices=("rows", "tables"), default="tables")
    args = ap.parse_args()
    sets = [f"township.townships={args.townships}"]
    if args.days is not None:
        sets.append(f"days={args.days}")
    scn = load_scenario(ROOT / "scenarios" / "prefecture.toml", sets)
    layouts = layouts_for(scn)
    _phase("import + scenario")
    with quiet_gc():
        model = PolicingModel(scn, 0, layouts=layouts, keep_arrivals=args.path == "rows")
        _phase("build")
        n_up = len(model._dispute_rows), len(model._call_rows)
        records = model.simulate()
    _phase("simulate")
    counts = {k: len(getattr(records, k)) for k in ("calls", "disputes", "injuries", "visits",
                                                      "workload", "staff", "villages", "cases",
                                                      "reports")}
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
          + f"; up-front dispute rows {n_up[0]:,}, call rows {n_up[1]:,}")
    if args.path == "rows":
        tables = tables_from_records(records)
        _phase("tables (model alive)")
        del model, records
        gc.collect()
        _phase("free model + records")
    else:
        del model
        gc.collect()
        _phase("free model")
        tables = tables_from_records(records, consume=True)
        del records
        gc.collect()
        _phase("tables (records freed)")
    sizes = {f: getattr(tables, f).memory_usage(deep=True).sum() / MIB ** 2
             for f in ("calls", "disputes", "injuries", "visits", "workload", "villages",
                       "staff", "cases", "reports") if getattr(tables, f) is not None}
    print("  tables MiB: " + ", ".join(f"{k} {v:.1f}" for k, v in sizes.items()))
    compute_metrics(tables)
    _phase("metrics")


if __name__ == "__main__":
    main()
