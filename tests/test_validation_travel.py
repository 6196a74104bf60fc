"""Travel validation through the model's own geography and dispatch rule.

Lattice townships of 1-km cells, circuity 1, 60 km/h and no turnout, so a trip's minutes are
its right-angle kilometres. Units are the scenario's station officers, moved to random village
bases (``Responder.rebase``) before each round of incidents; incidents are calls injected far
enough apart that every unit is back at its base. The dispatcher's choice (``Policy.rank``) is
checked call by call against the nearest unit computed here, then the mean distance against
two laws (Kolesar & Blum 1973; Larson & Odoni 1981, ch. 3):

* n units at random in a region of area A, right-angle metric: E[D] = k sqrt(A/n) with
  k = sqrt(pi/2)/2 = 0.6267 (within 5%). Incidents come from the inner square 20 km from each
  edge, so the boundary (which the law ignores) plays no part. The 1-km lattice lowers E[D] by
  about 0.75% at sqrt(A/n) = 10 km (sum over d of (1-p)^(2d^2+2d+1) against the integral).
* one unit and incidents uniform in an X by Y rectangle: E[D] = (X + Y)/3 (within 3%; the
  lattice value is 0.1% lower).

Run lengths: the standard error is estimated from independent placement rounds, and each test
fails if the tolerance is less than 4 of them.
"""

from __future__ import annotations

import math

import numpy as np

from sim.experiments.validation import (
    lattice_layout,
    nearest_unit_distances,
    one_unit_distances,
    travel_scenario,
)
from sim.world.geography import Township


def test_square_root_law_nearest_of_random_units():
    side, n = 100, 100
    res = nearest_unit_distances(side_km=side, units=n, guard_km=20, rounds=300, per_round=20)
    assert res.waited == 0 and res.off_base == 0  # every unit free and at its base
    # the dispatcher sent the nearest unit, every time
    np.testing.assert_array_equal(res.distance_km, res.nearest_km)
    k = 0.5 * math.sqrt(math.pi / 2)
    scale = math.sqrt(side * side / n)
    k_obs, k_se = res.distance_km.mean() / scale, res.se() / scale
    assert 4 * k_se <= 0.05 * k, "run too short for a 5% check"
    assert abs(k_obs - k) <= 0.05 * k, (k_obs, k)


def test_one_unit_in_a_rectangle():
    x, y = 40, 20
    res = one_unit_distances(x_km=x, y_km=y, pairs=5000)
    assert res.waited == 0 and res.off_base == 0
    np.testing.assert_array_equal(res.distance_km, res.nearest_km)
    expected = (x + y) / 3
    assert 4 * res.se() <= 0.03 * expected, "run too short for a 3% check"
    assert abs(res.distance_km.mean() - expected) <= 0.03 * expected


def test_trip_minutes_are_distance_over_speed_plus_turnout():
    """The geography the laws rest on: minutes = turnout + km / speed (a hand-checked case)."""
    scn = travel_scenario(1, 1.0)
    tw = Township(lattice_layout(5, 4), 1.0, 1.0, scn.travel)
    a, b = 0, 4 * 5 - 1  # opposite corners: 4 + 3 cells
    assert tw.road_km(a, b) == 7.0 and tw.travel_min(a, b) == 7.0
    slow = scn.travel.model_copy(update={"speed_kmh": 30.0, "turnout_min": 2.0})
    assert Township(lattice_layout(5, 4), 1.0, 1.3, slow).travel_min(a, b) == 2.0 + 7 * 1.3 * 2
