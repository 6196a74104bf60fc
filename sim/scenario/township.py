"""Geography sections: the township (villages, clusters, station) and travel."""

from __future__ import annotations

import math

from pydantic import model_validator

from sim.scenario.limits import MAX_GRID_CELLS
from sim.scenario.parameters import Section, param


class Township(Section):
    """Geography: the villages, their clusters, the station and the road network."""

    layout: str = param("generated", "-", "'generated', or a CSV file (village_id, x_km, y_km, "
                        "population, cluster_id) relative to the scenario file",
                        "run: user's choice", min_length=1)
    townships: int = param(1, "count", "generated townships (a prefecture is many), each with "
                           "its own station, villages and staff", "run: user's choice", ge=1,
                           le=2000)
    villages: int = param(36, "count", "villages in a generated township",
                          "assumption: a rural township of 30-40 administrative villages", ge=1,
                          le=5000, plausible=(20, 60))
    clusters: int = param(4, "count", "village clusters, each with a center office",
                          "seed: 2,196 village police rooms / 249 center offices = 8.8 villages "
                          "per center", ge=1, le=1000)
    population_per_village: int = param(1250, "residents", "mean residents per generated village",
                                        "assumption: 36 villages x 1,250 = 45,000 residents, a "
                                        "typical central-China rural township", ge=1, le=200000,
                                        plausible=(600, 2500))
    population_cv: float = param(0.3, "-", "coefficient of variation of village populations "
                                 "(lognormal)", "assumption", ge=0, le=3, plausible=(0.1, 0.6))
    max_road_km: float = param(30.0, "km", "road distance from the station to the farthest "
                               "generated village", "seed: the farthest village is a 40-minute "
                               "drive (40 min x 45 km/h = 30 km); the report says half lie "
                               "beyond 20 km, the generated layout puts 58% there", gt=0,
                               le=500)
    cell_km: float = param(0.5, "km", "side of a grid cell", "assumption: fine enough that "
                           "rounding moves a village < 0.5 km", gt=0, le=50, plausible=(0.25, 1.0))
    circuity: float = param(1.3, "-", "road distance / right-angle grid distance",
                            "assumption: rural road circuity factors are 1.2-1.4", ge=1, le=3,
                            plausible=(1.2, 1.4))
    station_x_km: float | None = param(None, "km", "station position for a CSV layout (default: "
                                       "the population-weighted centre)", "run: user's choice",
                                       ge=0, le=100000)
    station_y_km: float | None = param(None, "km", "station position for a CSV layout",
                                       "run: user's choice", ge=0, le=100000)
    layout_seed: int = param(1, "-", "seed of the generated layout (fixed across replications: "
                             "the same township every run)",
                             "run: a fixed generated layout; vary it to see another township",
                             ge=0)

    @model_validator(mode="after")
    def _csv_is_one_township(self) -> Township:
        if self.layout != "generated" and self.townships != 1:
            raise ValueError("township.townships: a CSV layout describes one township; "
                             "leave townships at 1")
        return self


class Travel(Section):
    """How long trips take: road distance / speed + turnout."""

    speed_kmh: float = param(45.0, "km/h", "average driving speed on rural roads",
                             "assumption: rural county roads, 40-60 km/h", gt=0, le=200,
                             plausible=(30, 60))
    turnout_min: float = param(3.0, "min", "delay from dispatch to departure",
                               "assumption: no turnout figure in the sources "
                               "(Kansas City's 2.2 min is a dispatch interval, REFERENCES)", ge=0,
                               le=120, plausible=(1, 5))
    local_trip_min: float = param(5.0, "min", "trip time inside one grid cell (a walk or a short "
                                  "ride within the village)", "assumption", ge=0, le=120,
                                  plausible=(2, 10))




def generated_grid_cells(t: Township) -> int:
    """Cells of the grid holding ``t.townships`` generated townships side by side.

    Villages of a generated township lie within ``max_road_km / circuity`` (right-angle km) of
    its station at the centre of a square; townships sit in a row one cell apart.
    """
    extent = 2 * t.max_road_km / t.circuity / t.cell_km  # inf for a vanishing cell_km
    if not math.isfinite(extent):
        return MAX_GRID_CELLS * 10**9
    side = math.floor(extent) + 1
    return (t.townships * side + t.townships - 1) * side


