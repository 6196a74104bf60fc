"""The cost-outcome front over staffing and siting choices.

Every combination of a staffing level (one role's headcount per township) and a siting plan
(today's clusters, or the optimal p-median plan for K offices) is simulated with the same
seeds (common random numbers) and costed with the scenario's ``[costs]``; the plans no other
plan beats on both cost and outcome form the Pareto front.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.experiments.costs import annual_cost
from sim.experiments.run import mean_ci, run_once
from sim.experiments.siting import current_plan, site, sited_layout, township_of
from sim.experiments.staffing import ROLES, StaffingError, with_staff
from sim.scenario import Scenario
from sim.world.geography import Layout


def pareto(cost: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """True for the points no other point matches or beats on both (lower is better)."""
    n = len(cost)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        better = (cost <= cost[i]) & (outcome <= outcome[i]) & (
            (cost < cost[i]) | (outcome < outcome[i]))
        keep[i] = not better.any()
    return keep


def frontier(scn: Scenario, levels: Sequence[int], offices: Sequence[int] = (),
             role: str = "auxiliaries", metric: str = "injury_crimes_per_10k_year",
             reps: int = 5, seed: int | None = None, progress: bool = False) -> pd.DataFrame:
    """One row per (plan, level): annual cost, the metric's mean and interval, ``pareto``.

    Args:
        scn: The base scenario (one township).
        levels: Headcounts of ``role`` per township to try.
        offices: Office counts K for which the optimal p-median plan is tried (today's
            clusters are always tried).
        role: The role whose headcount varies.
        metric: The outcome (lower is better), a key of ``METRICS``.
        reps: Paired replications per point.
        seed: Root seed (default: the scenario's).
        progress: Show a progress bar on stderr.

    """
    if role not in ROLES:
        raise StaffingError(f"--role: {role!r}; one of {', '.join(ROLES)}")
    root = scn.seed if seed is None else seed
    tw = township_of(scn)
    plans: list[tuple[str, Layout]] = [("today", sited_layout(tw.layout, current_plan(tw)))]
    for k in offices:
        plans.append((f"p-median K={k}", site(scn, k).layout_best))
    rows = []
    todo = [(p, lev) for p in plans for lev in levels]
    for (name, lay), level in tqdm(todo, desc="frontier", file=sys.stderr, disable=not progress,
                                   unit="point", leave=False):
        s = with_staff(scn, ROLES[role], int(level))
        vals = [run_once(s, k, root, [lay]).metrics[metric] for k in range(reps)]
        m, lo, hi = mean_ci(vals)
        rows.append({"plan": name, "offices": lay.n_clusters, "role": role, "staff": int(level),
                     "cost_cny_year": annual_cost(s, [lay])["total"], "metric": metric,
                     "mean": m, "ci_low": lo, "ci_high": hi, "reps": reps})
    df = pd.DataFrame(rows)
    df["pareto"] = pareto(df["cost_cny_year"].to_numpy(float), df["mean"].to_numpy(float))
    return df


def format_frontier(df: pd.DataFrame) -> str:
    """Plain-text table, the front marked with *."""
    lines = [f"{'plan':<16}{'staff':>6}{'cost CNY/yr':>14}{df['metric'].iloc[0]:>30}  95% CI"]
    for r in df.sort_values("cost_cny_year").itertuples():
        lines.append(f"{r.plan:<16}{r.staff:>6}{r.cost_cny_year:>14,.0f}{r.mean:>30.3f}  "
                     f"[{r.ci_low:.3f}, {r.ci_high:.3f}]{'  *' if r.pareto else ''}")
    lines.append("* on the cost-outcome front (no other choice is cheaper and at least as good)")
    return "\n".join(lines)
