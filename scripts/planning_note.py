"""Figures of docs/planning.md: cost per injury crime prevented for the reform variants.

Each variant is compared with the old model pair by pair (10 replications, the shipped seed):
the three shipped reform scenarios (same headcount, equal hours, as reported), the reform with
its center offices sited by the p-median (K = 4), and the reform with the auxiliaries
`policesim staff` found for response_time_p90_min<=15.
Run: python scripts/planning_note.py [AUXILIARIES]   (without it, the staffing variant is left out:
`staff` may find no level that meets the target)
"""

import sys
from pathlib import Path

from sim.experiments.costs import cost_effect, format_cost_effect
from sim.experiments.run import run_once
from sim.experiments.siting import site
from sim.experiments.staffing import with_staff
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
REPS = 10


def main() -> None:
    aux = int(sys.argv[1]) if len(sys.argv) > 1 else None
    old = load_scenario(ROOT / "scenarios/station_centred.toml")
    new = load_scenario(ROOT / "scenarios/center_office.toml")
    r_old = [run_once(old, k) for k in range(REPS)]
    sited = site(new, 4, "median").layout_best
    variants = [("reform as shipped (same headcount)", new, None),
                ("reform, equal hours", load_scenario(
                    ROOT / "scenarios/center_office_equal_hours.toml"), None),
                ("reform, as reported", load_scenario(
                    ROOT / "scenarios/center_office_as_reported.toml"), None),
                ("reform, offices sited (p-median, K=4)", new, [sited])]
    if aux is not None:
        variants.append((f"reform, {aux} auxiliaries (staffing target)",
                         with_staff(new, "auxiliaries", aux), None))
    for name, scn, lays in variants:
        r_new = [run_once(scn, k, layouts=lays) for k in range(REPS)]
        print(f"== {name}")
        print(format_cost_effect(cost_effect(old, r_old, scn, r_new, None, lays),
                                 old.name, name))


if __name__ == "__main__":
    main()
