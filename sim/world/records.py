"""Flat records of what happened: one row per call, dispute, injury crime, visit and budget.

Rows are plain dicts so that the experiment layer can turn them into tidy tables; metrics are
pure functions of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
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
               "travel_min", "station_km", "station_travel_min", "urgency", "t_officer_arrive",
               "officer_required", "criminal")


class CallRecord(Row):
    """One police call: when it came in, was dispatched, reached and cleared, and by whom."""

    __slots__ = CALL_FIELDS
    FIELDS = CALL_FIELDS


DISPUTE_FIELDS = ("dispute_id", "township", "village", "kind", "t_start", "tension0", "tension",
                  "elderly_alone", "flares", "fights", "injuries", "interventions", "relapses",
                  "referred", "t_first_contact", "first_channel", "outcome", "state_at_end",
                  "t_end", "resolved_by", "t_first_fight", "t_repeat")


class DisputeRecord(Row):
    """One dispute's history in numbers."""

    __slots__ = DISPUTE_FIELDS
    FIELDS = DISPUTE_FIELDS

    def __init__(self, dispute_id: int, township: int, village: int, kind: str,
                 t_start: float, tension0: int, tension: int, elderly_alone: bool, flares: int,
                 fights: int, injuries: int, interventions: int, relapses: int,
                 referred: bool, t_first_contact: float | None, first_channel: str,
                 outcome: str, state_at_end: str, t_end: float | None,
                 resolved_by: str, t_first_fight: float | None = None,
                 t_repeat: float | None = None) -> None:
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
        self.t_first_fight, self.t_repeat = t_first_fight, t_repeat


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
    staff: list[dict[str, Any]] = field(default_factory=list)
    villages: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # criminal cases opened
    reports: list[dict[str, Any]] = field(default_factory=list)  # reporting channel decisions
    missed_visits: int = 0
    prepared_disputes: int = 0  # disputes drawn up front; later ones (repeats) are numbered on
    horizon_min: float = 0.0  # the end of the run (measured period plus follow-up)
    warmup_min: float = 0.0
    period_end_min: float = 0.0  # the end of the measured period
    residents: int = 0

    def new_call(self, t: float, township: int, village: int, kind: str, dispute_id: int,
                 station_km: float, station_travel_min: float,
                 officer_required: bool = False) -> CallRecord:
        """Open a call record (times of dispatch, arrival and clearance filled in later)."""
        rec = CallRecord()
        rec.call_id, rec.township, rec.village, rec.kind = len(self.calls), township, village, kind
        rec.dispute_id, rec.t_call = dispute_id, t
        rec.t_dispatch = rec.t_arrive = rec.t_clear = rec.travel_min = None
        rec.responder_id, rec.responder_role, rec.from_place = -1, "", -1
        rec.station_km, rec.station_travel_min = station_km, station_travel_min
        rec.urgency = 0 if kind in ("fight", "assault", "traffic") else 1
        rec.t_officer_arrive, rec.officer_required = None, officer_required
        rec.criminal = kind in ("theft", "assault")  # a fight call: once it reports an injury
        self.calls.append(rec)
        return rec

    def close(self, model: PolicingModel) -> None:
        """Record time budgets and the village table at the end of a run; order the rows.

        Rows come in a canonical order that does not depend on how events of different
        townships interleave (:meth:`canonical_order`).
        """
        self.horizon_min = model.horizon
        self.warmup_min = model.warmup
        self.period_end_min = model.period_end
        self.residents = sum(p.total for p in model.populations if p is not None)
        for r in model.responders():
            for activity, minutes in r.close_budget().items():
                self.workload.append({"responder_id": r.unique_id, "township": r.township,
                                      "role": r.role.value, "activity": activity.value,
                                      "minutes": minutes, "post": r.post})
            self.staff.append({"responder_id": r.unique_id, "township": r.township,
                               "role": r.role.value, "post": r.post, "jobs": r.jobs_done})
        for t in model.active:
            tw = model.townships[t]
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
        self.canonical_order()

    def canonical_order(self) -> None:
        """Sort the rows into the order a run of all townships gives, whatever its split.

        Calls, injury crimes and visits by (time, township), disputes by ``dispute_id``,
        budgets and villages by township; stable, so rows of one township keep the order its
        events gave them. Call ids are then the calls' ranks.
        """
        self.calls.sort(key=attrgetter("t_call", "township"))
        for i, rec in enumerate(self.calls):
            rec.call_id = i
        self.disputes.sort(key=attrgetter("dispute_id"))
        self.injuries.sort(key=itemgetter("t", "township"))
        self.visits.sort(key=itemgetter("t", "township"))
        self.cases.sort(key=itemgetter("t", "township"))
        self.reports.sort(key=itemgetter("t", "township"))
        self.workload.sort(key=itemgetter("township"))
        self.villages.sort(key=itemgetter("township"))
        self.staff.sort(key=itemgetter("township"))
