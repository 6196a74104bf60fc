"""Staffing to a target: the smallest headcount whose simulated metric meets a target.

A target such as ``response_time_p90_min<=15`` is met at a staffing level when the 95%
interval of the metric's mean over paired replications lies entirely on the right side of the
bound (so a level that only meets the target on average does not count). Every level is run
with the same seeds (common random numbers), so neighbouring levels differ by the staffing
alone. The search assumes the metric improves with staffing: it checks the top of the range,
then bisects; every level it runs is on the curve, plus a few evenly spaced ones.
"""

from __future__ import annotations

import math
import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from sim.experiments.metrics import METRICS
from sim.experiments.run import RunResult, mean_ci, run_replications
from sim.scenario import Scenario

#: CLI role names -> the [staff] field each one sets.
ROLES = {"auxiliaries": "auxiliaries", "station_officers": "station_officers",
         "officers": "station_officers", "community_officers": "community_officers"}
UNITS = ("township", "cluster", "village")
_OPS: dict[str, Callable[[float, float], bool]] = {"<=": operator.le, ">=": operator.ge,
                                                   "<": operator.lt, ">": operator.gt}


class StaffingError(ValueError):
    """A target or range that cannot be searched."""


@dataclass(frozen=True)
class Target:
    """A bound on a metric, e.g. ``response_time_p90_min <= 15``."""

    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"

    def met_by(self, ci_low: float, ci_high: float) -> bool:
        """Whether the whole interval is on the right side of the bound."""
        if math.isnan(ci_low) or math.isnan(ci_high):
            return False
        worst = ci_high if self.op in ("<=", "<") else ci_low
        return _OPS[self.op](worst, self.value)


def parse_target(text: str) -> Target:
    """Parse ``METRIC<=VALUE`` (also ``>=``, ``<``, ``>``).

    Raises:
        StaffingError: an unknown metric or a malformed bound.

    """
    m = re.fullmatch(r"\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", text)
    if not m:
        raise StaffingError(f"--target: {text!r}; expected METRIC<=VALUE, e.g. "
                            f"response_time_p90_min<=15")
    metric, op, raw = m.groups()
    if metric not in METRICS:
        raise StaffingError(f"--target: unknown metric {metric!r} (one of: "
                            f"{', '.join(METRICS)})")
    try:
        value = float(raw)
    except ValueError:
        raise StaffingError(f"--target: {raw!r} is not a number") from None
    return Target(metric, op, value)


@dataclass
class Point:
    """The metric at one staffing level (per unit) over paired replications."""

    staff: int
    total: int
    mean: float
    ci_low: float
    ci_high: float
    meets: bool
    values: list[float] = field(default_factory=list, repr=False)


@dataclass
class StaffingResult:
    """The smallest level meeting the target and the curve of every level run."""

    role: str
    by: str
    units: int
    target: Target
    reps: int
    smallest: int | None
    curve: list[Point]
    who: list[str] = field(default_factory=list)  # villages with an auxiliary at `smallest`

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object."""
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else x
        return {"role": self.role, "by": self.by, "units": self.units,
                "target": str(self.target), "reps": self.reps, "smallest": self.smallest,
                "smallest_total": None if self.smallest is None else self.smallest * self.units,
                "villages_with_auxiliary": self.who,
                "confidence": "95% interval of the mean entirely within the target",
                "curve": [{"staff": p.staff, "total": p.total, "mean": clean(p.mean),
                           "ci_low": clean(p.ci_low), "ci_high": clean(p.ci_high),
                           "meets": p.meets} for p in self.curve]}


def units_of(scn: Scenario, by: str) -> int:
    """How many units a per-unit level multiplies by (villages or clusters of all townships)."""
    t = scn.township
    if by == "township":
        return t.townships
    if t.layout != "generated":
        from sim.experiments.layouts import layouts_for  # noqa: PLC0415
        lay = layouts_for(scn)[0]
        return lay.n_villages if by == "village" else lay.n_clusters
    return t.townships * (t.villages if by == "village" else t.clusters)


def with_staff(scn: Scenario, field_name: str, total: int) -> Scenario:
    """The scenario with one [staff] headcount changed (validated again)."""
    data = scn.model_dump()
    data["staff"][field_name] = total
    return Scenario.model_validate(data)


def staff_search(scn: Scenario, target: Target, role: str = "auxiliaries", by: str = "township",
                 lo: int = 0, hi: int | None = None, reps: int = 10, seed: int | None = None,
                 extra_points: int = 4, progress: bool = False) -> StaffingResult:
    """The smallest level in ``lo..hi`` (per ``by`` unit) meeting ``target``.

    Args:
        scn: The base scenario.
        target: The bound to meet.
        role: ``auxiliaries``, ``station_officers`` (``officers``) or ``community_officers``.
        by: ``township`` (the level is the headcount per township), ``cluster`` or
            ``village`` (the level is per cluster or per village).
        lo: Smallest level tried.
        hi: Largest level tried (default: twice the scenario's headcount per unit, at least 1
            more than ``lo``).
        reps: Paired replications at every level (the same seeds at each).
        seed: Root seed (default: the scenario's).
        extra_points: Evenly spaced levels run besides the search's, for the curve.
        progress: Show a progress bar on stderr.

    Raises:
        StaffingError: an unknown role or unit, or an empty range.

    """
    if role not in ROLES:
        raise StaffingError(f"--role: {role!r}; one of {', '.join(ROLES)}")
    if by not in UNITS:
        raise StaffingError(f"--by: {by!r}; one of {', '.join(UNITS)}")
    fname = ROLES[role]
    units = units_of(scn, by)
    current = getattr(scn.staff, fname)
    hi = max(lo + 1, 2 * math.ceil(current / units)) if hi is None else hi
    if hi < lo:
        raise StaffingError(f"--max ({hi}) is below --min ({lo})")
    root = scn.seed if seed is None else seed
    seen: dict[int, Point] = {}
    bar = tqdm(desc=f"staff {role}", file=sys.stderr, disable=not progress, unit="level",
               leave=False)

    def at(level: int) -> Point:
        if level not in seen:
            total = level * units
            runs: list[RunResult] = run_replications(with_staff(scn, fname, total), reps, root)
            vals = [r.metrics[target.metric] for r in runs]
            m, cl, ch = mean_ci(vals)
            seen[level] = Point(level, total, m, cl, ch, target.met_by(cl, ch), vals)
            bar.update()
        return seen[level]

    smallest: int | None = None
    if at(hi).meets:
        if at(lo).meets:
            smallest = lo
        else:
            a, b = lo, hi  # a fails, b meets
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (a, mid) if at(mid).meets else (mid, b)
            smallest = b
    for level in np.unique(np.linspace(lo, hi, extra_points + 2).round().astype(int)):
        at(int(level))
    bar.close()
    who: list[str] = []
    if smallest is not None and fname == "auxiliaries" and by == "township":
        who = _auxiliary_villages(scn, smallest)
    return StaffingResult(role, by, units, target, reps, smallest,
                          [seen[k] for k in sorted(seen)], who)


def _auxiliary_villages(scn: Scenario, n: int) -> list[str]:
    """Villages where ``n`` village auxiliaries live (the policy's rule: most populous first)."""
    if not scn.components()["village_auxiliaries"] or scn.township.townships != 1:
        return []
    from sim.experiments.siting import township_of  # noqa: PLC0415
    lay = township_of(scn).layout
    order = sorted(range(lay.n_villages), key=lambda v: -int(lay.population[v]))
    return [lay.village_ids[order[i % len(order)]] for i in range(min(n, len(order)))]


def format_staffing(res: StaffingResult) -> str:
    """Plain-text curve and answer."""
    unit = "" if res.by == "township" else f" per {res.by}"
    lines = [f"target: {res.target} (met when the 95% interval of the mean over {res.reps} "
             f"paired replications lies within it)",
             f"{res.role + unit:>22} {'total':>7} {'mean':>9}  95% CI              meets"]
    for p in res.curve:
        ci = f"[{p.ci_low:.2f}, {p.ci_high:.2f}]" if not math.isnan(p.ci_low) else ""
        meets = "yes" if p.meets else "no"
        lines.append(f"{p.staff:>22} {p.total:>7} {p.mean:>9.2f}  {ci:<20}{meets}")
    if res.smallest is None:
        lines.append(f"no level in the range meets {res.target}")
    else:
        lines.append(f"smallest {res.role}{unit} meeting {res.target}: {res.smallest} "
                     f"({res.smallest * res.units} in all)")
        if res.who:
            lines.append(f"villages with an auxiliary (most populous first): "
                         f"{', '.join(res.who)}")
    return "\n".join(lines)
