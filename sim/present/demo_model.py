"""The classroom demo's model: the old and the reformed township side by side, on one seed.

:class:`DemoPair` is a thin Mesa model that owns two :class:`~sim.world.model.PolicingModel`
instances built from the same base scenario and the same seed: the old, station-centred model
and the reform with the chosen components. Exogenous randomness (when and where disputes and
calls arise) comes from named streams drawn up front, so both sides meet exactly the same
disputes and calls. The policing models are event-driven and have no per-tick step; one step of
the pair advances both by the same simulated interval with ``run_for``. No drawing here: what a
step produces is plain data (tallies, positions), which the page draws and tests check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from mesa import Model

from sim.experiments.layouts import layouts_for
from sim.scenario import COMPONENTS, Scenario, scenario_from_mapping
from sim.world.disputes import DisputeState
from sim.world.model import PolicingModel
from sim.world.policies import DAY_MIN
from sim.world.responders import Activity, Responder

#: How long a closed dispute stays on the map (minutes): long enough to be seen while playing.
RECENT_MIN = DAY_MIN

#: Display categories of disputes, in drawing order.
DISPUTE_CATEGORIES = ("simmering", "awaiting joint mediation", "called in", "escalated",
                      "being mediated", "resolved", "faded")


def knob_defaults(base: Scenario) -> dict[str, Any]:
    """Return the slider values that reproduce ``base``: rates, staff, reform components.

    The reform side's components start from the base scenario's ``[reform]`` table with the
    policy set to the reform (so unset components are on).
    """
    s = base.staff
    officers = s.station_officers + s.community_officers
    reform = base.model_copy(update={"policy": "center_office"}).components()
    return {"dispute_rate": float(base.disputes.rate_per_1000_year),
            "auxiliaries": int(s.auxiliaries),
            "community_share": round(s.community_officers / officers, 2) if officers else 0.0,
            "screening_days": float(base.screening.interval_days), **reform}


def demo_scenarios(base: Scenario, *, dispute_rate: float, auxiliaries: int,
                   community_share: float, screening_days: float,
                   components: dict[str, bool]) -> tuple[Scenario, Scenario]:
    """Build the two scenarios of the demo: the old model and the reform, else identical.

    Args:
        base: Township, rates, staff and seed shared by both sides.
        dispute_rate: New disputes per 1,000 residents per year.
        auxiliaries: Auxiliary officers (the same in both: the reform reorganises, it does not
            hire; in the old model they work from the station).
        community_share: Community officers' share of the sworn officers; the total of station
            and community officers is kept.
        screening_days: Days between screening visits to a village (reform side, if on).
        components: Reform components switched on for the reform side.

    Returns:
        (old, reform): validated scenarios; the demo shows only the first township.

    Raises:
        ScenarioError: when the combination is invalid (e.g. no staff at all).

    """
    data = base.model_dump(mode="python")
    officers = base.staff.station_officers + base.staff.community_officers
    community = min(officers, max(0, round(community_share * officers)))
    data["township"]["townships"] = 1  # the map shows one township
    data["disputes"]["rate_per_1000_year"] = float(dispute_rate)
    data["staff"].update(auxiliaries=int(auxiliaries), community_officers=community,
                         station_officers=officers - community)
    data["screening"]["interval_days"] = float(screening_days)
    old = dict(data, policy="station_centred", name="old model",
               reform=dict.fromkeys(COMPONENTS))
    new = dict(data, policy="center_office", name="reform",
               reform={c: bool(components.get(c, False)) for c in COMPONENTS})
    return (scenario_from_mapping(old, "<demo: old model>"),
            scenario_from_mapping(new, "<demo: reform>"))


@dataclass
class Tally:
    """Running counts of one policing model, updated incrementally after every step."""

    model: PolicingModel
    response_min: list[float] = field(default_factory=list)
    _closed_seen: int = 0
    _closed_escalated: int = 0
    _calls_seen: int = 0
    _pending: list[dict] = field(default_factory=list)

    def update(self) -> None:
        """Take in disputes closed and calls answered since the last update."""
        recs = self.model.records
        self._closed_escalated += sum(r["fights"] > 0 for r in recs.disputes[self._closed_seen:])
        self._closed_seen = len(recs.disputes)
        self._pending += recs.calls[self._calls_seen:]
        self._calls_seen = len(recs.calls)
        waiting = []
        for c in self._pending:
            if c["t_arrive"] is None:
                waiting.append(c)
            else:
                self.response_min.append(float(c["t_arrive"] - c["t_call"]))
        self._pending = waiting

    @property
    def escalated(self) -> int:
        """Disputes that have turned into a fight at least once (open or closed)."""
        return self._closed_escalated + sum(d.fights > 0 for d in
                                            self.model.disputes_by_id.values())

    def summary(self) -> dict[str, float]:
        """Headline counts for the table beside the charts."""
        m = self.model
        closed = m.records.disputes
        met = [d for d in m.disputes_by_id.values() if d.first_channel is not None]
        proactive = sum(d.first_channel.value != "call" for d in met) + sum(
            r["first_channel"] not in ("", "call") for r in closed)
        n_met = len(met) + sum(r["first_channel"] != "" for r in closed)
        rt = self.response_min
        return {"disputes": len(m.disputes_by_id) + len(closed),
                "open": len(m.disputes_by_id),
                "escalated": self.escalated,
                "injuries": len(m.records.injuries),
                "calls": len(m.records.calls),
                "resolved": sum(r["outcome"] == "resolved" for r in closed),
                "proactive_share": proactive / n_met if n_met else math.nan,
                "response_median_min": float(np.median(rt)) if rt else math.nan}


class DemoPair(Model):
    """Two policing models, old and reform, stepped together by a fixed simulated interval.

    Args:
        base: Base scenario (township, rates, staff, root seed); defaults to the schema's.
        seed: Run number k: both models use replication k of the base seed, i.e. streams from
            ``SeedSequence(base.seed, (k,))``, so they meet the same disputes and calls.
        step_minutes: Simulated minutes per step.
        dispute_rate, auxiliaries, community_share, screening_days: See
            :func:`demo_scenarios`; ``None`` takes the base scenario's value.
        warmup_days: Simulated days run before the first picture, so that a class opens on
            a township where disputes are already under way (the first week of a run starts
            from no open dispute and is quiet); the charts show those days too.
        **components: Reform components (``screening=True`` ...) for the reform side;
            unnamed ones take :func:`knob_defaults`.

    """

    def __init__(self, base: Scenario | None = None, *, seed: int = 0, step_minutes: int = 60,
                 dispute_rate: float | None = None, auxiliaries: int | None = None,
                 community_share: float | None = None, screening_days: float | None = None,
                 dedicated_community_officers: bool | None = None,
                 village_auxiliaries: bool | None = None, center_offices: bool | None = None,
                 screening: bool | None = None, joint_mediation: bool | None = None,
                 smart_alerts: bool | None = None, warmup_days: float = 0.0) -> None:
        """Build both policing models at time 0 and run them through the warm-up."""
        # The pair draws nothing at random (the sides own their streams). Mesa's default
        # schedule is kept: each step() is one tick of the pair's own clock.
        super().__init__(rng=int(seed))
        self.base = base if base is not None else Scenario()
        given = {"dispute_rate": dispute_rate, "auxiliaries": auxiliaries,
                 "community_share": community_share, "screening_days": screening_days,
                 "dedicated_community_officers": dedicated_community_officers,
                 "village_auxiliaries": village_auxiliaries, "center_offices": center_offices,
                 "screening": screening, "joint_mediation": joint_mediation,
                 "smart_alerts": smart_alerts}
        self.knobs = {k: (v if given[k] is None else given[k])
                      for k, v in knob_defaults(self.base).items()}
        self.seed = int(seed)
        self.step_minutes = float(step_minutes)
        old, reform = demo_scenarios(
            self.base, dispute_rate=self.knobs["dispute_rate"],
            auxiliaries=self.knobs["auxiliaries"], community_share=self.knobs["community_share"],
            screening_days=self.knobs["screening_days"],
            components={c: self.knobs[c] for c in COMPONENTS})
        layouts = layouts_for(old)
        self.sides = [PolicingModel(scn, self.seed, layouts=layouts) for scn in (old, reform)]
        self.labels = ("Old model: station-centred", "Reform: center offices")
        self.tallies = [Tally(m) for m in self.sides]
        self.history: dict[str, list[float]] = {"day": [0.0], "escalated_old": [0.0],
                                                "escalated_reform": [0.0]}
        self.horizon = self.sides[0].horizon
        self.warmup_days = float(warmup_days)
        if warmup_days > 0:  # Mesa's step counter stays 0: these are not steps of the class
            end = min(warmup_days * DAY_MIN, self.horizon)
            while self.minutes < end:  # day by day, so the charts show the warm-up's course
                self._advance(min(self.minutes + DAY_MIN, end))

    @property
    def minutes(self) -> float:
        """Simulated minutes since the start (both sides are always at the same time)."""
        return float(self.sides[0].time)

    def clock(self) -> str:
        """Format the simulated time as 'day D, HH:MM' (day 1 is the first day)."""
        m = round(self.minutes)
        day, rest = divmod(m, int(DAY_MIN))
        return f"day {day + 1}, {rest // 60:02d}:{rest % 60:02d}"

    def _advance(self, until: float) -> None:
        if until > self.minutes:
            for m in self.sides:
                m.run_until(until)
            for t in self.tallies:
                t.update()
            self.history["day"].append(until / DAY_MIN)
            self.history["escalated_old"].append(float(self.tallies[0].escalated))
            self.history["escalated_reform"].append(float(self.tallies[1].escalated))
        self.running = self.minutes < self.horizon

    def step(self) -> None:
        """Advance both policing models by ``step_minutes`` and update the tallies."""
        self._advance(min(self.minutes + self.step_minutes, self.horizon))


# ---------------------------------------------------------------- what the map shows

def place_xy(model: PolicingModel) -> np.ndarray:
    """Kilometre coordinates (cell centres) of every place of township 0, station last."""
    tw = model.townships[0]
    return (tw.cells.astype(float) + 0.5) * tw.cell_km


def _ring(n: int, radius: float) -> np.ndarray:
    """``n`` offsets spread on a circle (the first at the top), so stacked markers show."""
    if n <= 1:
        return np.zeros((max(n, 0), 2))
    a = np.pi / 2 + 2 * np.pi * np.arange(n) / n
    return radius * np.column_stack([np.cos(a), np.sin(a)])


def trip_fraction(r: Responder, now: float) -> float:
    """How far along its current trip a travelling responder is (0 at departure, 1 at arrival).

    A trip of zero length counts as done.
    """
    start, end = r.departed, r.arrives
    if end <= start:
        return 1.0
    return float(min(1.0, max(0.0, (now - start) / (end - start))))


def responder_marks(model: PolicingModel) -> list[dict[str, Any]]:
    """On-duty or busy responders of township 0 with where to draw them.

    Returns:
        One dict per responder: ``x``, ``y`` (km), ``role``, ``moving`` and, when moving, the
        destination ``tx``, ``ty``. A travelling responder is placed on the straight line
        between origin and destination in proportion to the trip's elapsed time.

    """
    xy, now = place_xy(model), model.time
    for r in model.dispatchers[0].responders:
        r.settle()  # a booked arrival that has happened: draw the responder at the scene
    shown = [r for r in model.dispatchers[0].responders if r.activity is not Activity.OFF_DUTY]
    out: list[dict[str, Any]] = []
    at_place: dict[int, list[Responder]] = {}
    for r in shown:
        if r.moving_to is None:
            at_place.setdefault(r.place, []).append(r)
            continue
        f = trip_fraction(r, now)
        (x0, y0), (x1, y1) = xy[r.place], xy[r.moving_to]
        out.append({"x": x0 + f * (x1 - x0), "y": y0 + f * (y1 - y0), "role": r.role.value,
                    "moving": True, "tx": x1, "ty": y1})
    for place, group in at_place.items():
        offsets = _ring(len(group), 0.9 + 0.06 * len(group))
        for r, (dx, dy) in zip(group, offsets, strict=True):
            out.append({"x": xy[place][0] + dx, "y": xy[place][1] + dy, "role": r.role.value,
                        "moving": False})
    return out


def dispute_category(state: DisputeState, fights: int) -> str:
    """Return the map category of an open dispute (see :data:`DISPUTE_CATEGORIES`)."""
    if state is DisputeState.MEDIATING:
        return "being mediated"
    if fights > 0:
        return "escalated"
    return {DisputeState.ACUTE: "called in",
            DisputeState.REFERRED: "awaiting joint mediation"}.get(state, "simmering")


def dispute_marks(model: PolicingModel, recent_min: float = RECENT_MIN) -> list[dict[str, Any]]:
    """Open disputes of township 0, and those closed in the last ``recent_min`` minutes.

    Returns:
        One dict per dispute: ``x``, ``y`` (km, spread around the village), ``category``,
        ``village`` and ``id`` (the dispute's index, the same on both sides of the demo).

    """
    xy, now = place_xy(model), model.time
    rows = [(d.index, d.village, dispute_category(d.state, d.fights))
            for d in model.disputes_by_id.values() if d.township == 0]
    for r in reversed(model.records.disputes):  # appended as they close: newest last
        if r["t_end"] is None or r["t_end"] < now - recent_min:
            break
        if r["township"] == 0:
            rows.append((r["dispute_id"], r["village"],
                         "resolved" if r["outcome"] == "resolved" else "faded"))
    by_village: dict[int, list[tuple[int, str]]] = {}
    for idx, village, cat in sorted(rows):
        by_village.setdefault(village, []).append((idx, cat))
    out = []
    for village, items in by_village.items():
        offsets = _ring(len(items), 1.4) if len(items) > 1 else np.array([[0.0, 1.4]])
        for (idx, cat), (dx, dy) in zip(items, offsets, strict=True):
            out.append({"x": xy[village][0] + dx, "y": xy[village][1] + dy, "category": cat,
                        "village": village, "id": idx})
    return out
