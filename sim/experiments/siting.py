"""Siting center offices: p-median, maximal covering and p-center, solved exactly (HiGHS).

Choose ``K`` villages to host center offices and assign every village to one of them,
minimising the population-weighted travel time (``median``, Hakimi 1964 / ReVelle & Swain
1970), maximising the population within ``within`` minutes (``coverage``, Church & ReVelle
1974) or minimising the longest travel time (``center``). An optional balance keeps each
office's population within ``(1 +/- balance)`` of the mean. Ties of the first objective are
broken by the p-median cost (a second solve with the first objective held), so assignments
are sensible. The models are mixed-integer programmes solved by ``scipy.optimize.milp``
(HiGHS) with a zero optimality gap.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack
from tqdm import tqdm

from sim.experiments.layouts import layouts_for
from sim.experiments.run import RunResult, paired_comparison, run_once
from sim.scenario import Scenario
from sim.world.geography import Layout, Township, generate_layout
from sim.world.streams import RandomStreams

Objective = Literal["median", "coverage", "center"]
OBJECTIVES = ("median", "coverage", "center")


class SitingError(ValueError):
    """A siting problem that cannot be solved as asked (no feasible plan, bad K)."""


@dataclass(frozen=True)
class Plan:
    """A siting plan: the office village of each cluster and each village's cluster."""

    offices: np.ndarray  # village index of each office (cluster k's office is offices[k])
    assign: np.ndarray  # cluster index of each village

    def office_of(self) -> np.ndarray:
        """The office village serving each village."""
        return self.offices[self.assign]


def travel_matrix(tw: Township) -> np.ndarray:
    """Minutes from each village (an office there) to each village, turnout included."""
    n = tw.n_villages
    return np.array([[tw.travel_min(j, i) for i in range(n)] for j in range(n)])


def evaluate(plan: Plan, d: np.ndarray, w: np.ndarray, within: float) -> dict[str, float]:
    """Every objective's value for a plan (``d[j, i]``: minutes from office j to village i)."""
    t = d[plan.office_of(), np.arange(len(w))]
    load = np.bincount(plan.assign, weights=w, minlength=len(plan.offices))
    return {"median": float((w * t).sum() / w.sum()), "coverage": float(w[t <= within].sum()
                                                                         / w.sum()),
            "center": float(t.max()), "max_load_ratio": float(load.max() / load.mean()),
            "min_load_ratio": float(load.min() / load.mean())}


def _solve(c, cons, integrality, bounds) -> np.ndarray:
    res = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
               options={"mip_rel_gap": 0.0, "time_limit": 300.0})
    if res.x is None:
        raise SitingError(f"no feasible siting ({res.message}); loosen --balance or --within")
    return res.x


def solve(d: np.ndarray, w: np.ndarray, k: int, objective: Objective = "median",
          within: float = 15.0, balance: float | None = None) -> Plan:
    """An optimal plan for ``k`` offices.

    Args:
        d: ``d[j, i]``: minutes from an office in village j to village i.
        w: Village weights (population).
        k: Number of offices, 1 <= k <= villages.
        objective: ``median``, ``coverage`` or ``center``.
        within: The coverage standard, minutes (``coverage`` only).
        balance: Each office's population within (1 +/- balance) x the mean (None: free).

    Raises:
        SitingError: for a bad ``k`` or an infeasible balance.

    """
    n = len(w)
    if not 1 <= k <= n:
        raise SitingError(f"--offices: {k}; between 1 and the {n} villages")
    w = np.asarray(w, float)
    # variables: x[j, i] (j office, i village) flattened j*n + i, then y[j], then D (center)
    nx_, ny = n * n, n
    nv = nx_ + ny + 1
    jj, ii = np.divmod(np.arange(nx_), n)
    rows: list = []
    lo: list = []
    hi: list = []

    def add(mat, lower, upper) -> None:
        rows.append(csr_matrix(mat))
        lo.extend(np.broadcast_to(lower, (mat.shape[0],)).tolist())
        hi.extend(np.broadcast_to(upper, (mat.shape[0],)).tolist())

    # each village assigned once: sum_j x[j, i] = 1
    add(coo_matrix((np.ones(nx_), (ii, np.arange(nx_))), shape=(n, nv)), 1.0, 1.0)
    # x[j, i] <= y[j]
    r = np.arange(nx_)
    add(coo_matrix((np.r_[np.ones(nx_), -np.ones(nx_)], (np.r_[r, r], np.r_[r, nx_ + jj])),
                   shape=(nx_, nv)), -np.inf, 0.0)
    # an office's own village is served by it: x[j, j] >= y[j]
    diag = np.arange(n) * n + np.arange(n)
    add(coo_matrix((np.r_[np.ones(n), -np.ones(n)], (np.r_[np.arange(n), np.arange(n)],
                                                    np.r_[diag, nx_ + np.arange(n)])),
                   shape=(n, nv)), 0.0, np.inf)
    # sum_j y[j] = k
    add(coo_matrix((np.ones(ny), (np.zeros(ny, int), nx_ + np.arange(ny))), shape=(1, nv)),
        float(k), float(k))
    if balance is not None:  # load_j within (1 +/- balance) mean, only where an office opens
        mean = w.sum() / k
        for sign, bound in ((1.0, 1.0 + balance), (-1.0, 1.0 - balance)):
            data = np.r_[sign * w[ii], -sign * bound * mean * np.ones(ny)]
            cols = np.r_[np.arange(nx_), nx_ + np.arange(ny)]
            rws = np.r_[jj, np.arange(ny)]
            add(coo_matrix((data, (rws, cols)), shape=(ny, nv)), -np.inf, 0.0)
    if objective == "center":  # sum_j d[j, i] x[j, i] <= D
        add(coo_matrix((np.r_[d[jj, ii], -np.ones(n)], (np.r_[ii, np.arange(n)],
                                                       np.r_[np.arange(nx_), np.full(n, nv - 1)])),
                       shape=(n, nv)), -np.inf, 0.0)
    # with y fixed, the best assignment is integral unless a balance binds: then x is 0/1 too
    integrality = np.r_[np.full(nx_, 0 if balance is None else 1), np.ones(ny), 0]
    ub = np.r_[np.ones(nx_ + ny), np.inf if objective == "center" else 0.0]
    bounds = Bounds(np.zeros(nv), ub)
    median_c = np.r_[w[ii] * d[jj, ii], np.zeros(ny + 1)]
    if objective == "median":
        x = _solve(median_c, [LinearConstraint(vstack(rows), lo, hi)], integrality, bounds)
    else:
        if objective == "coverage":
            first = np.r_[-w[ii] * (d[jj, ii] <= within + 1e-9), np.zeros(ny + 1)]
        else:
            first = np.r_[np.zeros(nx_ + ny), 1.0]
        x = _solve(first, [LinearConstraint(vstack(rows), lo, hi)], integrality, bounds)
        best = float(first @ x)
        hold = LinearConstraint(first[None, :], -np.inf, best + 1e-7 * max(1.0, abs(best)))
        x = _solve(median_c, [LinearConstraint(vstack(rows), lo, hi), hold], integrality,
                   bounds)
    offices = np.flatnonzero(x[nx_:nx_ + ny] > 0.5)
    office_of = x[:nx_].reshape(n, n).argmax(0)  # x[j, i] is 0/1 at the optimum
    index = {int(o): c for c, o in enumerate(offices)}
    return Plan(offices, np.array([index[int(o)] for o in office_of], dtype=int))


def current_plan(tw: Township) -> Plan:
    """Today's plan: k-means clusters (or the layout's) with their medoid center offices."""
    return Plan(np.asarray(tw.center_village, int), np.asarray(tw.layout.cluster, int))


def sited_layout(layout: Layout, plan: Plan) -> Layout:
    """The layout with the plan's clusters and office villages."""
    office = np.zeros(layout.n_villages, dtype=bool)
    office[plan.offices] = True
    return replace(layout, cluster=plan.assign.copy(), office=office)


def write_layout_csv(layout: Layout, path: str | Path) -> Path:
    """Write a layout CSV (today's columns plus ``office``) readable as ``township.layout``."""
    p = Path(path)
    office = layout.office if layout.office is not None else np.zeros(layout.n_villages, bool)
    with p.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow(["village_id", "x_km", "y_km", "population", "cluster_id", "office"])
        for i, vid in enumerate(layout.village_ids):
            wr.writerow([vid, f"{layout.x_km[i]:.6f}", f"{layout.y_km[i]:.6f}",
                         int(layout.population[i]), f"C{int(layout.cluster[i]) + 1}",
                         int(office[i])])
    return p


# ---------------------------------------------------------------- a scenario's siting

@dataclass
class SitingResult:
    """The optimal plan for a scenario's township beside today's, and their layouts."""

    objective: Objective
    within: float
    balance: float | None
    today: Plan
    best: Plan
    today_value: dict[str, float]
    best_value: dict[str, float]
    layout_today: Layout
    layout_best: Layout
    township: Township
    minutes_today: np.ndarray  # minutes from each village's office to it, today
    minutes_best: np.ndarray  # the same under the optimal plan


def township_of(scn: Scenario) -> Township:
    """The scenario's (single) township as the model builds it."""
    layouts = layouts_for(scn)
    if layouts is None:
        if scn.township.townships != 1:
            raise SitingError("site: one township at a time (township.townships = 1)")
        lay = generate_layout(scn.township, RandomStreams(scn.township.layout_seed).substream(
            "layout", 0))
    else:
        lay = layouts[0]
    return Township(lay, scn.township.cell_km, scn.township.circuity, scn.travel)


def site(scn: Scenario, k: int, objective: Objective = "median", within: float = 15.0,
         balance: float | None = None) -> SitingResult:
    """Site ``k`` center offices for the scenario's township; compare with today's clusters."""
    tw = township_of(scn)
    d, w = travel_matrix(tw), tw.layout.population.astype(float)
    best = solve(d, w, k, objective, within, balance)
    today = current_plan(tw)
    idx = np.arange(len(w))
    return SitingResult(objective, within, balance, today, best, evaluate(today, d, w, within),
                        evaluate(best, d, w, within), sited_layout(tw.layout, today),
                        sited_layout(tw.layout, best), tw, d[today.office_of(), idx],
                        d[best.office_of(), idx])


def format_siting(res: SitingResult) -> str:
    """Plain-text table: each objective for today's clusters and the optimal plan."""
    ids = res.township.layout.village_ids
    lines = [f"objective: {res.objective}"
             + (f" (population within {res.within:g} min)" if res.objective == "coverage"
                else "") + (f", balance +/-{res.balance:.0%}" if res.balance is not None else ""),
             f"{'':34}{'today (k-means)':>16}{'optimal':>12}"]
    names = {"median": "mean minutes office -> resident", "coverage":
             f"residents within {res.within:g} min", "center": "farthest village, minutes",
             "max_load_ratio": "largest office / mean residents", "min_load_ratio":
             "smallest office / mean residents"}
    for key, label in names.items():
        a, b = res.today_value[key], res.best_value[key]
        fmt = "{:.1%}" if key == "coverage" else "{:.2f}"
        mark = " *" if key == res.objective else ""
        lines.append(f"{label + mark:34}{fmt.format(a):>16}{fmt.format(b):>12}")
    for name, plan in (("today", res.today), ("optimal", res.best)):
        sizes = np.bincount(plan.assign, minlength=len(plan.offices))
        lines.append(f"{name} offices: " + ", ".join(
            f"{ids[o]} ({s} villages)" for o, s in zip(plan.offices, sizes, strict=True)))
    return "\n".join(lines)


def check_siting(scn: Scenario, res: SitingResult, reps: int, seed: int | None = None,
                 progress: bool = False) -> tuple[list[RunResult], list[RunResult],
                                                   pd.DataFrame]:
    """Simulate today's plan and the optimal one with common random numbers, pair by pair.

    The scenario's policy runs on both layouts (same villages, populations and seeds; only
    the clusters and office villages differ).
    """
    root = scn.seed if seed is None else seed
    out = []
    for label, lay in (("today", res.layout_today), ("optimal", res.layout_best)):
        bar = tqdm(range(reps), desc=f"{scn.name} {label}", file=sys.stderr,
                   disable=not progress, unit="run", leave=False)
        out.append([run_once(scn, k, root, [lay]) for k in bar])
    return out[0], out[1], paired_comparison(out[0], out[1])
