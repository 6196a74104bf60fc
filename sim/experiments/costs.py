"""Annual costs of a set-up and the cost of what a change buys (injury crimes, response hours).

Costs are the scenario's ``[costs]`` assumptions times headcounts, offices and vehicles. A
comparison's effects are paired over replications (common random numbers): injury crimes
prevented per year and hours of response time saved per year (the summed minutes from call to
arrival), each with a 95% interval; the cost-effectiveness ratios divide the extra annual cost
by the mean effect and are left out (None) when the effect's interval does not exclude zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.experiments.metrics import YEAR_MIN, response_times
from sim.experiments.run import RunResult, mean_ci
from sim.scenario import Scenario
from sim.world.geography import Layout


def center_offices(scn: Scenario, layouts: Sequence[Layout] | None = None) -> int:
    """Center offices a scenario runs (0 without the component): one per cluster."""
    if not scn.components()["center_offices"]:
        return 0
    if layouts is not None:
        return sum(lay.n_clusters for lay in layouts)
    return scn.township.clusters * scn.township.townships


def annual_cost(scn: Scenario, layouts: Sequence[Layout] | None = None) -> dict[str, float]:
    """Annual cost items (CNY/year) of a scenario, all townships, and their ``total``.

    Staff counts are per township (``[staff]``); each center office has its rent and vehicles.
    """
    c, s, t = scn.costs, scn.staff, scn.township.townships
    offices = center_offices(scn, layouts)
    items = {
        "station_officers": s.station_officers * t * c.station_officer_cny_year,
        "community_officers": s.community_officers * t * c.community_officer_cny_year,
        "auxiliaries": s.auxiliaries * t * c.auxiliary_cny_year,
        "center_offices": offices * c.center_office_cny_year,
        "vehicles": (c.station_vehicles * t + c.vehicles_per_center_office * offices)
        * c.vehicle_cny_year,
    }
    items["total"] = float(sum(items.values()))
    return items


def _years(r: RunResult) -> float:
    # the measured period (period metrics such as injury crimes count it alone)
    return max(r.tables.period_end - r.tables.warmup_min, 1e-9) / YEAR_MIN


def injuries_per_year(r: RunResult) -> float:
    """Injury crimes per year after the warm-up."""
    return r.metrics["injury_crimes"] / _years(r)


def response_hours_per_year(r: RunResult) -> float:
    """Hours from call to arrival summed over the answered calls of a year."""
    c = response_times(r.tables)
    return float(c["response_min"].dropna().sum()) / 60.0 / _years(r)


def _interval(x: np.ndarray) -> dict[str, float]:
    m, lo, hi = mean_ci(list(x))
    return {"mean": m, "ci_low": lo, "ci_high": hi}


def _ratio(cost: float, effect: dict[str, float]) -> float | None:
    lo, hi = effect["ci_low"], effect["ci_high"]
    if math.isnan(lo) or lo <= 0 <= hi or effect["mean"] <= 0:
        return None
    return cost / effect["mean"]


def cost_effect(a: Scenario, ra: Sequence[RunResult], b: Scenario, rb: Sequence[RunResult],
                layouts_a: Sequence[Layout] | None = None,
                layouts_b: Sequence[Layout] | None = None) -> dict[str, Any]:
    """What B costs over A and what it buys, pair by pair.

    Returns:
        ``cost_a``, ``cost_b`` (item dicts), ``extra_cost`` (CNY/year, B - A),
        ``injuries_prevented`` and ``response_hours_saved`` (per year, A - B, mean and 95%
        interval), ``cost_per_injury_prevented`` and ``cost_per_response_hour_saved`` (CNY;
        None when the effect is not distinguishable from zero or goes the wrong way).

    """
    ca, cb = annual_cost(a, layouts_a), annual_cost(b, layouts_b)
    extra = cb["total"] - ca["total"]
    inj = _interval(np.array([injuries_per_year(x) - injuries_per_year(y)
                              for x, y in zip(ra, rb, strict=True)]))
    hrs = _interval(np.array([response_hours_per_year(x) - response_hours_per_year(y)
                              for x, y in zip(ra, rb, strict=True)]))
    return {"cost_a": ca, "cost_b": cb, "extra_cost": extra, "injuries_prevented": inj,
            "response_hours_saved": hrs, "cost_per_injury_prevented": _ratio(extra, inj),
            "cost_per_response_hour_saved": _ratio(extra, hrs)}


def _money(x: float | None) -> str:
    return "n/a (effect not distinguishable from zero)" if x is None else f"{x:,.0f} CNY"


def format_cost_effect(ce: dict[str, Any], name_a: str, name_b: str) -> str:
    """Plain-text lines for the CLI."""
    inj, hrs = ce["injuries_prevented"], ce["response_hours_saved"]
    return "\n".join([
        f"Annual cost (assumptions, [costs]): {name_a} {ce['cost_a']['total']:,.0f} CNY, "
        f"{name_b} {ce['cost_b']['total']:,.0f} CNY ({ce['extra_cost']:+,.0f})",
        f"Injury crimes prevented per year: {inj['mean']:.2f} "
        f"[{inj['ci_low']:.2f}, {inj['ci_high']:.2f}]; cost per injury crime prevented: "
        f"{_money(ce['cost_per_injury_prevented'])}",
        f"Hours of response time saved per year: {hrs['mean']:,.0f} "
        f"[{hrs['ci_low']:,.0f}, {hrs['ci_high']:,.0f}]; cost per hour saved: "
        f"{_money(ce['cost_per_response_hour_saved'])}",
    ])
