"""Real travel: shortest paths over a road network or a matrix equal hand-computed times."""

import json

import networkx as nx
import numpy as np
import pytest

from sim.experiments.layouts import layouts_for
from sim.scenario import ScenarioError, load_scenario
from sim.world.geography import Township

# Hand-made network (minutes = km / kph * 60):
#   station -J: 6 km at 60 -> 6 min     J-A: 2 km at 30 -> 4 min     J-B: 3 km at 30 -> 6 min
#   station-B: 5 km at 20 -> 15 min (shorter but slower)             A-C: 1 km at 30 -> 2 min
# Fastest routes by hand: station->A 10 min (8 km), station->B 12 min (9 km, via J, not the
# 5 km road), station->C 12 min (9 km), A->B 10 min (5 km), A->C 2 min, B->C 12 min (6 km).
EDGES = [("station", "J", 6, 60), ("J", "A", 2, 30), ("J", "B", 3, 30),
         ("station", "B", 5, 20), ("A", "C", 1, 30)]
HAND_MIN = {("station", "A"): 10, ("station", "B"): 12, ("station", "C"): 12, ("A", "B"): 10,
            ("A", "C"): 2, ("B", "C"): 12}
HAND_KM = {("station", "A"): 8, ("station", "B"): 9, ("station", "C"): 9, ("A", "B"): 5,
           ("A", "C"): 1, ("B", "C"): 6}
TURNOUT, LOCAL = 3.0, 5.0


def _scenario(tmp_path, roads_name):
    (tmp_path / "layout.csv").write_text(
        "village_id,x_km,y_km,population,cluster_id\nA,1,1,100,c1\nB,3,1,100,c1\n"
        "C,1,3,100,c1\n")
    (tmp_path / "s.toml").write_text(
        f'policy = "station_centred"\n[township]\nlayout = "layout.csv"\n'
        f'station_x_km = 2\nstation_y_km = 2\n[travel]\nturnout_min = {TURNOUT}\n'
        f'local_trip_min = {LOCAL}\n[roads]\nfile = "{roads_name}"\n')
    scn = load_scenario(tmp_path / "s.toml")
    lay = layouts_for(scn)[0]
    return Township(lay, scn.township.cell_km, scn.township.circuity, scn.travel)


def _check(tw):
    place = {"A": 0, "B": 1, "C": 2, "station": 3}
    for (a, b), minutes in HAND_MIN.items():
        for u, v in ((a, b), (b, a)):
            assert tw.travel_min(place[u], place[v]) == pytest.approx(TURNOUT + minutes)
            assert tw.road_km(place[u], place[v]) == pytest.approx(HAND_KM[(a, b)])
    assert tw.travel_min(0, 0) == pytest.approx(TURNOUT + LOCAL)
    assert tw.station_distance_km() == pytest.approx([8, 9, 9])


def test_graphml_shortest_paths_match_hand_computation(tmp_path):
    g = nx.MultiDiGraph()  # an OSMnx-like file: length in metres, speed_kph, both directions
    for u, v, km, kph in EDGES:
        g.add_edge(u, v, length=km * 1000.0, speed_kph=kph)
        g.add_edge(v, u, length=km * 1000.0, speed_kph=kph)
    g.add_edge("J", "A", length=2000.0, speed_kph=5)  # a slower parallel edge is ignored
    nx.write_graphml(g, tmp_path / "roads.graphml")
    _check(_scenario(tmp_path, "roads.graphml"))


def test_geojson_shortest_paths_match_hand_computation(tmp_path):
    feats = [{"type": "Feature", "geometry": {"type": "LineString",
                                              "coordinates": [[0, 0], [1, 1]]},
              "properties": {"u": u, "v": v, "length": km * 1000, "speed_kph": kph}}
             for u, v, km, kph in EDGES]
    (tmp_path / "roads.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}))
    _check(_scenario(tmp_path, "roads.geojson"))


def test_matrix_csv_gives_shortest_paths_and_fills_the_reverse(tmp_path):
    rows = ["from,to,minutes,km"] + [f"{u},{v},{km / kph * 60:g},{km}" for u, v, km, kph in
                                     EDGES]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    _check(_scenario(tmp_path, "m.csv"))


def test_matrix_missing_a_place_is_an_error(tmp_path):
    (tmp_path / "m.csv").write_text("from,to,minutes\nstation,A,5\nA,B,3\n")
    with pytest.raises(ScenarioError, match="'C' is not in the file"):
        _scenario(tmp_path, "m.csv")


def test_unreachable_place_is_an_error(tmp_path):
    (tmp_path / "m.csv").write_text("from,to,minutes\nstation,A,5\nA,B,3\nC,C,0\n")
    with pytest.raises(ScenarioError, match="no road"):
        _scenario(tmp_path, "m.csv")


def test_shipped_road_scenario_differs_from_the_grid_but_not_its_township():
    roads = load_scenario("scenarios/center_office_roads.toml")
    grid = load_scenario("scenarios/center_office.toml")
    assert layouts_for(grid) is None  # the shipped scenarios stay on the grid
    lay = layouts_for(roads)[0]
    tw = Township(lay, roads.township.cell_km, roads.township.circuity, roads.travel)
    assert lay.n_villages == grid.township.villages
    st = np.array([tw.travel_min(tw.station, v) for v in range(lay.n_villages)])
    # main roads at 60 km/h, village roads at 30: the farthest village is 30-45 min away
    assert 30 < st.max() < 45
    assert (st > roads.travel.turnout_min).all()


def test_unnamed_places_snap_to_the_nearest_node_with_an_access_leg(tmp_path):
    # villages P (1, 1) and Q (5, 1), station (3, 1); nodes n1 (1, 2), n2 (5, 2), s (3, 1)
    # P and Q are 1 km off the road: access 1 km x circuity 1.3 at 45 km/h = 1.7333 min
    g = nx.Graph()
    g.add_node("n1", x=1.0, y=2.0)
    g.add_node("n2", x=5.0, y=2.0)
    g.add_node("station", x=3.0, y=1.0)
    g.add_edge("n1", "station", length=3000.0, speed_kph=60.0)  # 3 min
    g.add_edge("station", "n2", length=3000.0, speed_kph=60.0)
    nx.write_graphml(g, tmp_path / "r.graphml")
    (tmp_path / "layout.csv").write_text("village_id,x_km,y_km,population,cluster_id\n"
                                         "P,1,1,100,c\nQ,5,1,100,c\n")
    (tmp_path / "s.toml").write_text('[township]\nlayout = "layout.csv"\nstation_x_km = 3\n'
                                     'station_y_km = 1\n[roads]\nfile = "r.graphml"\n')
    scn = load_scenario(tmp_path / "s.toml")
    tw = Township(layouts_for(scn)[0], scn.township.cell_km, scn.township.circuity, scn.travel)
    access = 1.3 / 45 * 60
    assert tw.travel_min(2, 0) == pytest.approx(3.0 + 3.0 + access)  # turnout 3 + road + access
    assert tw.travel_min(0, 1) == pytest.approx(3.0 + 6.0 + 2 * access)
    assert tw.road_km(0, 1) == pytest.approx(6.0 + 2 * 1.3)


def test_roads_describe_one_township():
    with pytest.raises(ScenarioError, match=r"roads\.file: a road network"):
        load_scenario("scenarios/center_office_roads.toml", ["township.townships=2"])
