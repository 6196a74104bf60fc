"""Geography: villages, clusters, the police station, center offices and travel times.

Places are integers: villages are ``0..n-1`` and the station is ``n``. A center office stands in
one village of its cluster (the cluster's population-weighted medoid), as the reform built its
district center police rooms in central villages (or where a sited layout puts it). Distances
are right-angle (Manhattan) grid distances times a circuity factor, so road km = circuity x
cells x cell_km, unless the layout carries a trip table from real roads (:mod:`sim.world.roads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario import Township as TownshipConfig
from sim.scenario import Travel as TravelConfig


@dataclass(frozen=True)
class Layout:
    """Pure data describing a township: village positions (km), populations and clusters."""

    village_ids: tuple[str, ...]
    x_km: np.ndarray
    y_km: np.ndarray
    population: np.ndarray
    cluster: np.ndarray  # cluster index 0..k-1 of each village
    station_xy_km: tuple[float, float]
    #: 1 for the village hosting its cluster's center office (None: the population medoid)
    office: np.ndarray | None = None
    #: driving minutes / road km between places (station last) on real roads (None: the grid)
    trip_min: np.ndarray | None = None
    trip_km: np.ndarray | None = None

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return len(self.village_ids)

    @property
    def n_clusters(self) -> int:
        """Number of clusters."""
        return int(self.cluster.max()) + 1 if len(self.cluster) else 0


def _lloyd(points: np.ndarray, k: int, rng: np.random.Generator, iters: int = 60) -> np.ndarray:
    """Group points into k compact clusters (k-means++ start, Lloyd iterations)."""
    n = len(points)
    centres = [points[rng.integers(n)]]
    for _ in range(1, k):
        d2 = np.min([((points - c) ** 2).sum(1) for c in centres], axis=0)
        centres.append(points[rng.choice(n, p=d2 / d2.sum())] if d2.sum() > 0
                       else points[rng.integers(n)])
    c = np.array(centres, dtype=float)
    labels = np.zeros(n, dtype=int)
    for _ in range(iters):
        labels = ((points[:, None, :] - c[None]) ** 2).sum(2).argmin(1)
        for j in range(k):
            members = points[labels == j]
            if len(members):
                c[j] = members.mean(0)
            else:  # an empty cluster takes the point farthest from its centre
                far = ((points - c[labels]) ** 2).sum(1).argmax()
                c[j] = points[far]
                labels[far] = j
    # number clusters by first appearance so labels do not depend on k-means' internal order
    order = {lab: i for i, lab in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[lab] for lab in labels.tolist()], dtype=int)


def generate_layout(cfg: TownshipConfig, rng: np.random.Generator) -> Layout:
    """Generate a township that reproduces the reported distance profile.

    Villages are spread uniformly over a right-angle disc (a diamond) around the station whose
    radius makes the farthest road distance ``max_road_km``; radii are stratified so that the
    median village lies at ``max_road_km / sqrt(2)`` (21 km by default: half beyond 20 km, as at
    Wudian station in the seed report).
    """
    n = cfg.villages
    r_grid = cfg.max_road_km / cfg.circuity  # right-angle radius, km
    radius = r_grid * np.sqrt((np.arange(n) + rng.uniform(0.05, 0.95, n)) / n)
    t = rng.uniform(0.0, 4.0, n)  # position along the diamond's perimeter
    side, frac = np.floor(t).astype(int), t - np.floor(t)
    ux = np.select([side == 0, side == 1, side == 2], [1 - frac, -frac, -1 + frac], frac)
    uy = np.select([side == 0, side == 1, side == 2], [frac, 1 - frac, -frac], -1 + frac)
    x, y = r_grid + radius * ux, r_grid + radius * uy
    sigma = np.sqrt(np.log1p(cfg.population_cv ** 2))
    pop = np.maximum(1, np.round(cfg.population_per_village * rng.lognormal(
        -sigma ** 2 / 2, sigma, n))).astype(int)
    cluster = _lloyd(np.column_stack([x, y]), min(cfg.clusters, n), rng)
    ids = tuple(f"V{i + 1:03d}" for i in range(n))
    return Layout(ids, x, y, pop, cluster, (r_grid, r_grid))


@dataclass
class Township:
    """A township placed on the grid: cells of every place and travel times between them."""

    layout: Layout
    cell_km: float
    circuity: float
    travel: TravelConfig
    index: int = 0
    offset_cells: tuple[int, int] = (0, 0)
    cells: np.ndarray = field(init=False)  # (n+1, 2) integer grid coordinates, station last
    center_village: np.ndarray = field(init=False)  # center-office village of each cluster

    def __post_init__(self) -> None:
        """Snap places to cells and choose each cluster's center-office village."""
        lay = self.layout
        xs = np.append(lay.x_km, lay.station_xy_km[0])
        ys = np.append(lay.y_km, lay.station_xy_km[1])
        self.cells = np.column_stack([np.floor(xs / self.cell_km),
                                      np.floor(ys / self.cell_km)]).astype(int)
        self.cells += np.asarray(self.offset_cells)
        centers = []
        for k in range(lay.n_clusters):
            members = np.flatnonzero(lay.cluster == k)
            if lay.office is not None:  # a sited layout names its offices
                centers.append(int(members[np.flatnonzero(lay.office[members])[0]]))
                continue
            cost = [(self.road_km_many(m, members) * lay.population[members]).sum()
                    for m in members]
            centers.append(int(members[int(np.argmin(cost))]))
        self.center_village = np.array(centers, dtype=int)
        # Trip times are looked up on every dispatch: keep a table for townships of ordinary
        # size (a 3,000-village CSV layout would need 72 MB, so larger ones compute on demand).
        self._table: list[list[float]] | None = None
        if lay.trip_min is not None:  # real roads: shortest paths, a trip within a place local
            t = lay.trip_min.copy()
            np.fill_diagonal(t, self.travel.local_trip_min)
            self._table = (t + self.travel.turnout_min).tolist()
        elif len(self.cells) <= 3000:
            d = np.abs(self.cells[:, None, :] - self.cells[None, :, :]).sum(2)
            t = np.where(d == 0, self.travel.local_trip_min,
                         d * self.cell_km * self.circuity / self.travel.speed_kmh * 60.0)
            self._table = (t + self.travel.turnout_min).tolist()
        self.station_km = self.station_distance_km().tolist()
        # each place's cluster, read for every job: villages' clusters, then -1 (the station)
        self.cluster_of: list[int] = [*lay.cluster.tolist(), -1]

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return self.layout.n_villages

    @property
    def station(self) -> int:
        """The station's place index."""
        return self.layout.n_villages

    def road_km(self, a: int, b: int) -> float:
        """Road distance between places ``a`` and ``b``."""
        if self.layout.trip_km is not None:
            return float(self.layout.trip_km[a, b])
        ca, cb = self.cells[a], self.cells[b]
        return float((abs(ca[0] - cb[0]) + abs(ca[1] - cb[1])) * self.cell_km * self.circuity)

    def road_km_many(self, a: int, bs: np.ndarray) -> np.ndarray:
        """Road distances from place ``a`` to each place in ``bs``."""
        if self.layout.trip_km is not None:
            return self.layout.trip_km[a, bs]
        return np.abs(self.cells[bs] - self.cells[a]).sum(1) * self.cell_km * self.circuity

    def travel_min(self, a: int, b: int) -> float:
        """Minutes from dispatch at place ``a`` to arrival at place ``b`` (turnout included)."""
        if self._table is not None:
            return self._table[a][b]
        if a == b or (self.cells[a] == self.cells[b]).all():
            return self.travel.turnout_min + self.travel.local_trip_min
        return self.travel.turnout_min + self.road_km(a, b) / self.travel.speed_kmh * 60.0

    def station_distance_km(self) -> np.ndarray:
        """Road distance of every village from the station."""
        return self.road_km_many(self.station, np.arange(self.n_villages))

    def extent_cells(self) -> tuple[int, int]:
        """Grid width and height needed to hold every place."""
        return int(self.cells[:, 0].max()) + 1, int(self.cells[:, 1].max()) + 1
