"""What a comparison means for planners: each side's worst-served village and the cost of B.

One function gives both ``compare``'s printed lines and its ``--json`` keys, so the two never
disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.experiments.costs import cost_effect, format_cost_effect
from sim.experiments.equity import pooled_village_outcomes, worst_served
from sim.experiments.layouts import layouts_for
from sim.experiments.run import RunResult
from sim.scenario import Scenario

#: The worst-served village's fields reported (``village_outcomes`` columns).
WORST_KEYS = ("village_id", "township", "village", "cluster", "population", "station_km", "calls",
              "response_mean_min", "response_p90_min", "escalation_rate")


def worst_served_village(runs: Sequence[RunResult]) -> dict[str, Any]:
    """The village with the largest 90th-percentile response, outcomes pooled over runs."""
    w = worst_served(pooled_village_outcomes([r.tables for r in runs]))
    return {k: w[k] for k in WORST_KEYS}


def comparison_planning(a: Scenario, ra: Sequence[RunResult], b: Scenario,
                        rb: Sequence[RunResult]) -> dict[str, Any]:
    """Worst-served village per side and :func:`~sim.experiments.costs.cost_effect` of B over A.

    Returns:
        ``{"worst_served": {"a": {...}, "b": {...}}, "costs": {...}}`` (costs in CNY per year,
        from the scenarios' ``[costs]`` assumptions; NaN where a figure is undefined, e.g. a
        village with no call; NumPy scalars: :func:`~sim.experiments.analysis.json_ready`
        makes them JSON).

    """
    return {"worst_served": {"a": worst_served_village(ra), "b": worst_served_village(rb)},
            "costs": cost_effect(a, ra, b, rb, layouts_for(a), layouts_for(b))}


def format_planning(plan: dict[str, Any], name_a: str, name_b: str) -> str:
    """The lines ``compare`` prints under its tables."""
    lines = [""]
    for label, name in (("a", name_a), ("b", name_b)):
        w = plan["worst_served"][label]
        lines.append(f"worst-served village ({label.upper()} = {name}): {w['village_id']}, "
                     f"{w['station_km']:.0f} km from the station (90th percentile response "
                     f"{w['response_p90_min']:.1f} min, mean {w['response_mean_min']:.1f})")
    lines.append(format_cost_effect(plan["costs"], name_a, name_b))
    return "\n".join(lines)
