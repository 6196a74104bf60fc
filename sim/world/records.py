"""Flat records of what happened: one row per call, dispute, injury crime, visit and budget.

Rows are plain dicts so that the experiment layer can turn them into tidy tables; metrics are
pure functions of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.world.model import PolicingModel


class Row:
    """A flat record with fixed fields: a tenth of a dict's memory, read like a dict."""

    __slots__ = ()
    FIELDS: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def keys(self) -> tuple[str, ...]:
        """Field names (so ``dict(row)`` works)."""
        return self.FIELDS

    def as_dict(self) -> dict[str, Any]:
        """The row as a plain dict."""
        return {f: getattr(self, f) for f in self.FIELDS}


CALL_FIELDS = ("call_id", "township", "village", "kind", "dispute_id", "t_call", "t_dispatch",
               "t_arrive", "t_clear", "responder_id", "responder_role", "from_place",
               "travel_min", "station_km", "station_travel_min", "urgency", "criminal")


class CallRecord(Row):
    """One police call: when it came in, was dispatched, reached and cleared, and by whom."""

    __slots__ = CALL_FIELDS
    FIELDS = CALL_FIELDS


DISPUTE_FIELDS = ("dispute_id", "township", "village", "kind", "t_start", "tension0", "tension",
                  "elderly_alone", "flares", "fights", "injuries", "interventions", "relapses",
                  "referred", "t_first_contact", "first_channel", "outcome", "state_at_end",
                  "t_end", "resolved_by")


class DisputeRecord(Row):
    """One dispute's history in numbers."""

    __slots__ = DISPUTE_FIELDS
    FIELDS = DISPUTE_FIELDS

    def __init__(self, dispute_id: int, township: int, village: int, kind: str,
                 t_start: float, tension0: int, tension: int, elderly_alone: bool, flares: int,
                 fights: int, injuries: int, interventions: int, relapses: int,
                 referred: bool, t_first_contact: float | None, first_channel: str,
                 outcome: str, state_at_end: str, t_end: float | None,
                 resolved_by: str) -> None:
        # spelled out rather than a setattr loop: one of these is made per dispute
        self.dispute_id, self.township, self.village, self.kind = (dispute_id, township,
                                                                   village, kind)
        self.t_start, self.tension0, self.tension = t_start, tension0, tension
        self.elderly_alone, self.flares, self.fights = elderly_alone, flares, fights
        self.injuries, self.interventions, self.relapses = injuries, interventions, relapses
        self.referred, self.t_first_contact, self.first_channel = (referred, t_first_contact,
                                                                   first_channel)
        self.outcome, self.state_at_end, self.t_end = outcome, state_at_end, t_end
        self.resolved_by = resolved_by


def columns(rows: list[Row], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """Column lists of a list of rows (for a DataFrame without a dict per row)."""
    return {f: list(map(attrgetter(f), rows)) for f in fields}


@dataclass
class Records:
    """Everything a run records."""

    calls: list[CallRecord] = field(default_factory=list)
    disputes: list[DisputeRecord] = field(default_factory=list)
    injuries: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    workload: list[dict[str, Any]] = field(default_factory=list)
    villages: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # criminal cases opened
    reports: list[dict[str, Any]] = field(default_factory=list)  # reporting channel decisions
    missed_visits: int = 0
    horizon_min: float = 0.0
    warmup_min: float = 0.0
    residents: int = 0

    def new_call(self, t: float, township: int, village: int, kind: str, dispute_id: int,
                 station_km: float, station_travel_min: float) -> CallRecord:
        """Open a call record (times of dispatch, arrival and clearance filled in later)."""
        rec = CallRecord()
        rec.call_id, rec.township, rec.village, rec.kind = len(self.calls), township, village, kind
        rec.dispute_id, rec.t_call = dispute_id, t
        rec.t_dispatch = rec.t_arrive = rec.t_clear = rec.travel_min = None
        rec.responder_id, rec.responder_role, rec.from_place = -1, "", -1
        rec.station_km, rec.station_travel_min = station_km, station_travel_min
        rec.urgency = 0 if kind in ("fight", "assault", "traffic") else 1
        rec.criminal = kind in ("theft", "assault")  # a fight call: once it reports an injury
        self.calls.append(rec)
        return rec

    def close(self, model: PolicingModel) -> None:
        """Record time budgets and the village table at the end of a run."""
        self.horizon_min = model.horizon
        self.warmup_min = model.warmup
        self.residents = sum(p.total for p in model.populations)
        for r in model.responders():
            for activity, minutes in r.close_budget().items():
                self.workload.append({"responder_id": r.unique_id, "township": r.township,
                                      "role": r.role.value, "activity": activity.value,
                                      "minutes": minutes})
        for t, tw in enumerate(model.townships):
            dist = tw.station_distance_km()
            for v in range(tw.n_villages):
                cluster = int(tw.layout.cluster[v])
                self.villages.append({
                    "township": t, "village": v, "village_id": tw.layout.village_ids[v],
                    "x_km": float(tw.layout.x_km[v]), "y_km": float(tw.layout.y_km[v]),
                    "population": int(tw.layout.population[v]), "cluster": cluster,
                    "station_km": float(dist[v]),
                    "station_travel_min": tw.travel_min(tw.station, v),
                    "center_village": int(tw.center_village[cluster]),
                    "resident_auxiliary": model.has_resident_auxiliary(t, v)})
