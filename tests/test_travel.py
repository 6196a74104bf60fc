"""Trip times: the table and the on-demand path (townships of over 3,000 places) agree.

A township of ordinary size looks trips up in a precomputed table; a larger one computes each
trip when asked. Both are forced here on the same small township and must give the same
minutes for every pair of places, and both equal trips worked out by hand.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import scenario

from sim.world.geography import Layout, Township

# 2 km cells, circuity 1.5, 45 km/h, 3 min turnout, 4 min for a trip inside one cell
SCN = scenario("township.cell_km=2", "township.circuity=1.5", "travel.speed_kmh=45",
               "travel.turnout_min=3", "travel.local_trip_min=4")


def _township(x, y, clusters=None) -> Township:
    n = len(x)
    lay = Layout(tuple(f"V{i}" for i in range(n)), np.array(x, float), np.array(y, float),
                 np.full(n, 100), np.array(clusters or [0] * n), (0.0, 0.0))
    return Township(lay, SCN.township.cell_km, SCN.township.circuity, SCN.travel)


def _on_demand(tw: Township) -> Township:
    other = copy.copy(tw)
    other._table = None  # what a township of over 3,000 places does
    return other


def test_table_and_on_demand_path_agree_for_every_pair():
    rng = np.random.default_rng(7)
    tw = _township(rng.uniform(0, 30, 25), rng.uniform(0, 30, 25), list(rng.integers(0, 3, 25)))
    assert tw._table is not None
    lazy = _on_demand(tw)
    n = tw.n_villages + 1
    for a in range(n):
        for b in range(n):
            assert lazy.travel_min(a, b) == pytest.approx(tw.travel_min(a, b), rel=1e-12), (a, b)


def test_trips_by_hand_on_both_paths():
    # village 0 at (9, 5) km: cell (4, 2); village 1 at (9.5, 5.9): the same cell;
    # village 2 at (1, 1): cell (0, 0), the station's cell
    tw = _township([9.0, 9.5, 1.0], [5.0, 5.9, 1.0])
    for t in (tw, _on_demand(tw)):
        # station -> village 0: 6 cells x 2 km x 1.5 = 18 road km; 18 / 45 h = 24 min; + 3
        assert t.road_km(t.station, 0) == pytest.approx(18.0)
        assert t.travel_min(t.station, 0) == pytest.approx(27.0)
        assert t.travel_min(0, t.station) == pytest.approx(27.0)
        # same cell: turnout + the local trip, whatever the km inside the cell
        assert t.travel_min(0, 1) == pytest.approx(7.0)
        assert t.travel_min(2, t.station) == pytest.approx(7.0)
        assert t.travel_min(0, 0) == pytest.approx(7.0)


def test_a_township_of_over_3000_places_has_no_table_and_the_same_trips():
    n = 3001
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 60, n), rng.uniform(0, 60, n)
    big = _township(x, y, list(np.arange(n) % 40))
    assert big._table is None  # the on-demand path is the one really used
    small = _township(x[:50], y[:50], list(np.arange(50) % 40))
    assert small._table is not None
    for a, b in [(0, 1), (3, 49), (10, 10), (7, 22)]:
        assert big.travel_min(a, b) == pytest.approx(small.travel_min(a, b), rel=1e-12)
    # station trips: both townships' station sits in cell (0, 0)
    for v in (0, 5, 31):
        assert big.travel_min(big.station, v) == pytest.approx(
            small.travel_min(small.station, v), rel=1e-12)
        km = (np.floor(x[v] / 2) + np.floor(y[v] / 2)) * 2 * 1.5
        assert big.travel_min(big.station, v) == pytest.approx(
            3 + (km / 45 * 60 if km else 4))
