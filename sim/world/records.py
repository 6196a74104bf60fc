"""Flat records of what happened: one row per call, dispute, injury crime, visit and budget.

Rows are plain dicts so that the experiment layer can turn them into tidy tables; metrics are
pure functions of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.world.model import PolicingModel


@dataclass
class Records:
    """Everything a run records."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    disputes: list[dict[str, Any]] = field(default_factory=list)
    injuries: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    workload: list[dict[str, Any]] = field(default_factory=list)
    villages: list[dict[str, Any]] = field(default_factory=list)
    missed_visits: int = 0
    horizon_min: float = 0.0
    warmup_min: float = 0.0
    residents: int = 0

    def new_call(self, t: float, township: int, village: int, kind: str, dispute_id: int,
                 station_km: float, station_travel_min: float) -> dict[str, Any]:
        """Open a call record (times of dispatch, arrival and clearance filled in later)."""
        rec = {"call_id": len(self.calls), "township": township, "village": village,
               "kind": kind, "dispute_id": dispute_id, "t_call": t, "t_dispatch": None,
               "t_arrive": None, "t_clear": None, "responder_id": -1, "responder_role": "",
               "from_place": -1, "travel_min": None, "station_km": station_km,
               "station_travel_min": station_travel_min,
               "urgency": 0 if kind in ("fight", "assault", "traffic") else 1}
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
