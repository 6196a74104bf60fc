"""Reading real travel: a travel-time matrix CSV or a road network (GraphML, GeoJSON).

The I/O edge of :mod:`sim.world.roads`: files become a directed graph whose edges carry
``minutes`` and ``km``; the township's places are matched to nodes, and the shortest-path
trip table is attached to the layout. Every problem is a :class:`ScenarioError` naming the file.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np

from sim.scenario import Roads, ScenarioError, Travel
from sim.world.geography import Layout
from sim.world.roads import TripTable, UnreachableError, trip_table

MAX_PLACES = 3000  #: a township's trip table is kept in memory (see geography.Township)


def _add(g: nx.DiGraph, u, v, minutes: float, km: float) -> None:
    """Add a link, keeping the faster of parallel links."""
    if not g.has_edge(u, v) or g[u][v]["minutes"] > minutes:
        g.add_edge(u, v, minutes=minutes, km=km)


def _edge_cost(p: Path, d: dict, speed_kmh: float, geom_km: float | None = None
               ) -> tuple[float, float]:
    """Minutes and km of an edge (OSMnx names: length in m, speed_kph, travel_time in s)."""
    def num(key: str) -> float | None:
        raw = d.get(key)
        if raw is None or raw == "":
            return None
        try:
            val = float(raw)
        except (TypeError, ValueError):
            raise ScenarioError(f"{p}: roads.file: edge attribute {key}={raw!r} is not a "
                                f"number") from None
        if not math.isfinite(val) or val < 0:
            raise ScenarioError(f"{p}: roads.file: edge attribute {key}={raw!r}: must be a "
                                f"finite number >= 0")
        return val
    length_m, speed, tt = num("length"), num("speed_kph"), num("travel_time")
    km = length_m / 1000.0 if length_m is not None else geom_km
    if tt is not None:
        minutes = tt / 60.0
        if km is None:
            km = minutes / 60.0 * (speed or speed_kmh)
    else:
        if km is None:
            raise ScenarioError(f"{p}: roads.file: an edge has neither length (m) nor "
                                f"travel_time (s)")
        if speed is not None and speed <= 0:
            raise ScenarioError(f"{p}: roads.file: an edge has speed_kph={speed:g}")
        minutes = km / (speed or speed_kmh) * 60.0
    return minutes, km


def read_graphml(p: Path, speed_kmh: float) -> tuple[nx.DiGraph, dict]:
    """A GraphML road network (OSMnx-saved files work as they are) and its node positions."""
    try:
        raw = nx.read_graphml(p)
    except Exception as e:  # networkx raises a variety of parser errors
        raise ScenarioError(f"{p}: roads.file: not a readable GraphML file ({e})") from None
    g = nx.DiGraph()
    pos = {}
    for n, d in raw.nodes(data=True):
        g.add_node(str(n))
        if "x" in d and "y" in d:
            pos[str(n)] = (float(d["x"]), float(d["y"]))
    for u, v, d in raw.edges(data=True):
        minutes, km = _edge_cost(p, d, speed_kmh)
        _add(g, str(u), str(v), minutes, km)
        if not raw.is_directed():
            _add(g, str(v), str(u), minutes, km)
    return g, pos


def read_geojson(p: Path, speed_kmh: float, unit_km: float) -> tuple[nx.DiGraph, dict]:
    """GeoJSON LineString features as two-way edges (``oneway: true`` for one way).

    Nodes are the properties ``u`` and ``v`` when given, else the line's end coordinates; a
    missing ``length`` is the line's length in the coordinates' unit.
    """
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{p}: roads.file: not a readable GeoJSON file ({e})") from None
    g, pos = nx.DiGraph(), {}
    for i, f in enumerate(data.get("features", []) if isinstance(data, dict) else []):
        geom, props = f.get("geometry") or {}, f.get("properties") or {}
        if geom.get("type") == "Point" and "id" in props:
            pos[str(props["id"])] = tuple(map(float, geom["coordinates"][:2]))
            continue
        if geom.get("type") != "LineString":
            continue
        xy = np.array(geom["coordinates"], float)[:, :2]
        if len(xy) < 2:
            raise ScenarioError(f"{p}: roads.file: feature {i}: a line needs two points")
        u = str(props.get("u", f"{xy[0, 0]:g},{xy[0, 1]:g}"))
        v = str(props.get("v", f"{xy[-1, 0]:g},{xy[-1, 1]:g}"))
        pos.setdefault(u, tuple(xy[0]))
        pos.setdefault(v, tuple(xy[-1]))
        geom_km = float(np.hypot(*np.diff(xy, axis=0).T).sum()) * unit_km
        minutes, km = _edge_cost(p, props, speed_kmh, geom_km)
        _add(g, u, v, minutes, km)
        if not props.get("oneway", False):
            _add(g, v, u, minutes, km)
    if g.number_of_edges() == 0:
        raise ScenarioError(f"{p}: roads.file: no LineString features (road edges) found")
    return g, pos


def read_matrix(p: Path, speed_kmh: float, symmetric: bool) -> nx.DiGraph:
    """A travel-time matrix ``from, to, minutes[, km]`` as direct links between places."""
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{p}: roads.file: cannot read ({e})") from None
    reader = csv.DictReader(text.splitlines(), skipinitialspace=True)
    header = [(c or "").strip() for c in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in ("from", "to", "minutes") if c not in header]
    if missing:
        raise ScenarioError(f"{p}: roads.file: missing column(s) {', '.join(missing)} "
                            f"(required: from, to, minutes; optional: km)")
    g = nx.DiGraph()
    given = set()
    rows = []
    for row in reader:
        line = reader.line_num
        a, b = (row.get("from") or "").strip(), (row.get("to") or "").strip()
        try:
            minutes = float(row["minutes"])
            km = float(row["km"]) if row.get("km") not in (None, "") else \
                minutes / 60.0 * speed_kmh
        except (TypeError, ValueError):
            raise ScenarioError(f"{p}: line {line}: minutes/km: not a number") from None
        if not (a and b) or not (math.isfinite(minutes) and minutes >= 0 and math.isfinite(km)
                                 and km >= 0):
            raise ScenarioError(f"{p}: line {line}: needs from, to and minutes >= 0")
        rows.append((a, b, minutes, km))
        given.add((a, b))
    for a, b, minutes, km in rows:
        _add(g, a, b, minutes, km)
        if symmetric and (b, a) not in given:
            _add(g, b, a, minutes, km)
    return g


def place_names(layout: Layout, roads: Roads) -> list[str]:
    """Ids of a township's places as files name them: village ids, then the station."""
    return [*layout.village_ids, roads.station_node]


def trips_for(layout: Layout, roads: Roads, travel: Travel, circuity: float) -> TripTable:
    """The shortest-path trip table of a layout on the scenario's roads.

    A place whose id is a node stands there; otherwise (networks only) it is snapped to the
    nearest node by position, with an access leg of straight distance x ``circuity`` at
    ``travel.speed_kmh``.

    Raises:
        ScenarioError: an unreadable file, a place it does not name, or unreachable places.

    """
    p = Path(roads.file)
    names = place_names(layout, roads)
    if len(names) > MAX_PLACES:
        raise ScenarioError(f"{p}: roads.file: {len(names):,} places; real travel supports at "
                            f"most {MAX_PLACES:,}")
    unit_km = 1.0 if roads.node_units == "km" else 0.001
    suffix = p.suffix.lower()
    pos: dict = {}
    if suffix == ".csv":
        g = read_matrix(p, travel.speed_kmh, roads.symmetric)
    elif suffix == ".graphml":
        g, pos = read_graphml(p, travel.speed_kmh)
    else:
        g, pos = read_geojson(p, travel.speed_kmh, unit_km)
    xs = np.append(layout.x_km, layout.station_xy_km[0])
    ys = np.append(layout.y_km, layout.station_xy_km[1])
    nodes, access_km = [], np.zeros(len(names))
    with_pos = [n for n in g.nodes if n in pos]
    node_xy = np.array([pos[n] for n in with_pos], float) * unit_km if with_pos else None
    for i, name in enumerate(names):
        if name in g:
            nodes.append(name)
            continue
        if node_xy is None:
            raise ScenarioError(f"{p}: roads.file: place {name!r} is not in the file (a matrix "
                                f"must name every village_id and the station "
                                f"{roads.station_node!r})")
        d = np.hypot(node_xy[:, 0] - xs[i], node_xy[:, 1] - ys[i])
        j = int(d.argmin())
        nodes.append(with_pos[j])
        access_km[i] = float(d[j]) * circuity
    try:
        return trip_table(g, nodes, access_km / travel.speed_kmh * 60.0, access_km)
    except UnreachableError as e:
        raise ScenarioError(f"{p}: roads.file: {e}") from None


def with_roads(layout: Layout, roads: Roads, travel: Travel, circuity: float) -> Layout:
    """The layout with its trip table when the scenario gives roads (else unchanged)."""
    if roads.file == "none":
        return layout
    t = trips_for(layout, roads, travel, circuity)
    return replace(layout, trip_min=t.minutes, trip_km=t.km)
