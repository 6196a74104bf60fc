"""Paired effect of each issue-15 mechanism on the headline comparison (docs/calibration.md).

For each mechanism switched on alone (and all together), run both default scenarios for
``--reps`` replications with the same seeds; the headline comparison is the reform's paired
change (center office - station centred) per replication, and a mechanism's effect on it is
that change minus the change with every mechanism off, replication by replication (the same
seeds throughout, so the difference is paired).

    python benchmarks/mechanism_effects.py --reps 10 --out /tmp/mechanisms.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sim.experiments.run import mean_ci, run_once
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("response_time_mean_min", "escalation_rate", "injury_crimes_per_10k_year",
        "recorded_criminal_calls", "criminal_incidents", "recorded_dispute_calls",
        "quarrel_incidents")
MECHANISMS = {
    "off": [],
    "rhythm": ["rhythm.enabled=true"],
    "reporting": ["reporting.enabled=true"],
    "repeat_households": ["households.repeat=true"],
    "age_hazard": ["acute.age_hazard=true"],
    "quarrel_clocks": ["acute.quarrel_clocks=true"],
    "fight_duration": ["acute.fight_duration=true"],
    "risk_screening": ["screening.targeting=risk"],
    "household_frailty": ["households.frailty_cv=1"],
    "all": ["rhythm.enabled=true", "reporting.enabled=true", "households.repeat=true",
            "households.frailty_cv=1", "acute.age_hazard=true", "acute.quarrel_clocks=true",
            "acute.fight_duration=true"],
}


def main() -> None:
    """Run every mechanism's paired design and write the table as JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", nargs="*", default=None, help="mechanisms to run (off always)")
    args = ap.parse_args()
    runs: dict[str, dict[str, np.ndarray]] = {}
    for name, sets in MECHANISMS.items():
        if args.only is not None and name != "off" and name not in args.only:
            continue
        per = {}
        for pol in ("station_centred", "center_office"):
            scn = load_scenario(ROOT / "scenarios" / f"{pol}.toml",
                                [f"days={args.days}", *sets])
            ms = [run_once(scn, replication=k, seed=scn.seed).metrics for k in range(args.reps)]
            per[pol] = {k: np.array([m[k] for m in ms], float) for k in KEYS}
        runs[name] = per
        print(name, flush=True)
    out = {}
    off = runs["off"]
    for name, per in runs.items():
        row = {}
        for k in KEYS:
            a, b = per["station_centred"][k], per["center_office"][k]
            delta = b - a
            d_off = off["center_office"][k] - off["station_centred"][k]
            row[k] = {"station_centred": float(a.mean()), "center_office": float(b.mean()),
                      "reform_change": mean_ci(list(delta)),
                      "effect_on_change": mean_ci(list(delta - d_off))}
        out[name] = row
    text = json.dumps(out, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
