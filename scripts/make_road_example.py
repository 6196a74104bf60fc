"""Generate the example road network scenarios/roads/township_roads.graphml (deterministic).

The default township (layout_seed 1, 36 villages) with two kinds of road, in OSMnx's attribute
names (length in metres, speed_kph) so the file reads like an OSMnx-saved graph:

* main roads at 60 km/h: four arterials from the station to the township's edge along the
  grid axes and a ring road halfway out, with a junction every 2 km;
* village roads at 30 km/h: every village to the nearest main-road junction, and to its two
  nearest neighbouring villages, each 1.2 x the straight distance (bends).

The speeds are assumptions (county main roads 50-70 km/h, village roads 20-40 km/h), not
figures from the sources. Run: python scripts/make_road_example.py
"""

from pathlib import Path

import networkx as nx
import numpy as np

from sim.scenario import load_scenario
from sim.world.geography import generate_layout
from sim.world.streams import RandomStreams

MAIN_KPH, VILLAGE_KPH, BEND, STEP_KM = 60.0, 30.0, 1.2, 2.0
OUT = Path(__file__).resolve().parent.parent / "scenarios" / "roads" / "township_roads.graphml"


def main() -> None:
    scn = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" /
                        "center_office.toml")
    lay = generate_layout(scn.township, RandomStreams(scn.township.layout_seed).substream(
        "layout", 0))
    sx, sy = lay.station_xy_km
    r = scn.township.max_road_km / scn.township.circuity
    g = nx.MultiDiGraph(crs="local km grid", name="example township roads")
    g.add_node("station", x=sx, y=sy)

    def road(u: str, v: str, km: float, kph: float, kind: str) -> None:
        for a, b in ((u, v), (v, u)):
            g.add_edge(a, b, length=round(km * 1000.0, 1), speed_kph=kph, highway=kind)

    junctions = []
    for name, (dx, dy) in {"E": (1, 0), "N": (0, 1), "W": (-1, 0), "S": (0, -1)}.items():
        prev, steps = "station", int(np.ceil(r / STEP_KM))
        for i in range(1, steps + 1):
            d = min(i * STEP_KM, r)
            node = f"{name}{i}"
            g.add_node(node, x=sx + dx * d, y=sy + dy * d)
            junctions.append(node)
            road(prev, node, d - min((i - 1) * STEP_KM, r), MAIN_KPH, "primary")
            prev = node
    # the ring road halfway out: a diamond through the arterials' junctions at r/2
    half = round(r / 2 / STEP_KM)
    ring = [f"{k}{half}" for k in "ENWS"]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        pa, pb = np.array([g.nodes[a]["x"], g.nodes[a]["y"]]), np.array(
            [g.nodes[b]["x"], g.nodes[b]["y"]])
        road(a, b, float(np.abs(pa - pb).sum()), MAIN_KPH, "secondary")
    jxy = np.array([[g.nodes[j]["x"], g.nodes[j]["y"]] for j in junctions])
    vxy = np.column_stack([lay.x_km, lay.y_km])
    for i, vid in enumerate(lay.village_ids):
        g.add_node(vid, x=float(vxy[i, 0]), y=float(vxy[i, 1]))
    for i, vid in enumerate(lay.village_ids):
        d = np.hypot(*(jxy - vxy[i]).T)
        j = int(d.argmin())
        road(vid, junctions[j], BEND * float(d[j]), VILLAGE_KPH, "residential")
        dv = np.hypot(*(vxy - vxy[i]).T)
        dv[i] = np.inf
        for k in np.argsort(dv)[:2]:
            if not g.has_edge(vid, lay.village_ids[k]):
                road(vid, lay.village_ids[k], BEND * float(dv[k]), VILLAGE_KPH, "residential")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(g, OUT)
    print(f"{OUT}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")


if __name__ == "__main__":
    main()
