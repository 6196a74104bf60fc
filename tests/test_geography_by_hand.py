"""Road trips and clustering, checked by hand on tiny inputs.

Road trips on hand-made one-way networks (multi-hop routes, junctions, zero-minute edges, the
access legs, an unreachable pair); clustering (``_lloyd``) on well-separated groups of points.
Split from test_components_by_hand.py.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.world.geography import _lloyd
from sim.world.roads import UnreachableError, trip_table

# ------------------------------------------------------------------ road trips


def _one_way_roads():
    """Places A (0), B (1) and the station S (2) on one-way roads (minutes, km).

    S->A 10 min 5 km; A->B 10 min 8 km; B->S 10 min 4 km; and a slow direct S->B 30 min 3 km.
    Fastest routes by hand: S->A 10 (5 km); S->B via A 20 (13 km; not the 30-min 3-km road);
    A->B 10 (8); A->S via B 20 (12); B->S 10 (4); B->A via S 20 (9).
    """
    g = nx.DiGraph()
    for u, v, minutes, km in [("S", "A", 10, 5), ("A", "B", 10, 8), ("B", "S", 10, 4),
                              ("S", "B", 30, 3)]:
        g.add_edge(u, v, minutes=minutes, km=km)
    return g


def test_trip_table_follows_one_way_roads():
    tt = trip_table(_one_way_roads(), ["A", "B", "S"])
    np.testing.assert_allclose(tt.minutes, [[0, 10, 20], [20, 0, 10], [10, 20, 0]])
    np.testing.assert_allclose(tt.km, [[0, 8, 12], [9, 0, 4], [5, 13, 0]])


def _junction_roads():
    """Places A (0), B (1) and the station S (2), with a junction J (a node but no place).

    One-way edges (minutes, km): S->J 0 min 2 km (a zero-minute edge), J->A 1 min 1 km,
    A->B 3 min 4 km, B->S 5 min 6 km and a slow direct S->B 10 min 1 km. Fastest by hand:
      S->A via J 0 + 1 = 1 min (2 + 1 = 3 km); S->B via J, A 0 + 1 + 3 = 4 < 10 (7 km);
      A->B 3 (4); A->S via B 3 + 5 = 8 (10); B->S 5 (6); B->A via S, J 5 + 0 + 1 = 6 (9).
    """
    g = nx.DiGraph()
    for u, v, minutes, km in [("A", "B", 3, 4), ("J", "A", 1, 1), ("S", "J", 0, 2),
                              ("B", "S", 5, 6), ("S", "B", 10, 1)]:
        g.add_edge(u, v, minutes=minutes, km=km)
    return g


def test_trip_table_walks_multi_hop_routes_through_junctions_and_zero_minute_edges():
    tt = trip_table(_junction_roads(), ["A", "B", "S"])
    np.testing.assert_allclose(tt.minutes, [[0, 3, 8], [6, 0, 5], [1, 4, 0]], atol=1e-8)
    np.testing.assert_allclose(tt.km, [[0, 4, 10], [9, 0, 6], [3, 7, 0]])
    assert np.diag(tt.minutes).tolist() == [0.0, 0.0, 0.0]


def test_trip_table_adds_the_access_legs_at_both_ends():
    # access minutes (1, 2, 4) and km (0.5, 1, 2) added at both ends, none within a place:
    # minutes A->B 3 + 1 + 2 = 6, A->S 8 + 1 + 4 = 13, B->A 6 + 2 + 1 = 9, B->S 5 + 2 + 4 = 11,
    # S->A 1 + 4 + 1 = 6, S->B 4 + 4 + 2 = 10; km A->B 4 + 1.5, A->S 10 + 2.5, B->A 9 + 1.5,
    # B->S 6 + 3, S->A 3 + 2.5, S->B 7 + 3
    tt = trip_table(_junction_roads(), ["A", "B", "S"], np.array([1.0, 2.0, 4.0]),
                    np.array([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(tt.minutes, [[0, 6, 13], [9, 0, 11], [6, 10, 0]], atol=1e-8)
    np.testing.assert_allclose(tt.km, [[0, 5.5, 12.5], [10.5, 0, 9], [5.5, 10, 0]])


def test_trip_table_names_the_first_unreachable_pair():
    # A->B->C only: B cannot reach A, C cannot reach A or B: pairs (1, 0), (2, 0), (2, 1)
    g = nx.DiGraph()
    g.add_edge("A", "B", minutes=1, km=1)
    g.add_edge("B", "C", minutes=1, km=1)
    with pytest.raises(UnreachableError) as err:
        trip_table(g, ["A", "B", "C"])
    assert str(err.value) == ("no road from place 1 (node 'B') to place 0 (node 'A'); "
                              "3 pair(s) unreachable")


# ------------------------------------------------------------------ clustering


def test_lloyd_finds_separated_groups_numbered_by_first_appearance():
    # two groups 100 km apart, interleaved: whatever the k-means++ start, the second centre
    # is drawn from the other group (its squared distance weight is ~10^4 against <= 2), and
    # the groups are the clusters; the first point's cluster is numbered 0
    pts = np.array([[100, 0], [0, 0], [100, 1], [0, 1], [1, 0], [101, 1]], float)
    for seed in range(5):
        labels = _lloyd(pts, 2, np.random.default_rng(seed))
        assert labels.tolist() == [0, 1, 0, 1, 1, 0]
    three = np.array([[0, 0], [50, 50], [0, 100], [1, 0], [51, 50], [0, 101]], float)
    assert _lloyd(three, 3, np.random.default_rng(0)).tolist() == [0, 1, 2, 0, 1, 2]
    assert _lloyd(pts, 1, np.random.default_rng(0)).tolist() == [0] * 6


def test_lloyd_gives_an_empty_cluster_a_point():
    # three coinciding points, k = 2: every point is nearest centre 0 (argmin's first), so
    # cluster 1 empties and takes the farthest point from its centre (all tie: point 0) at
    # the end of each iteration; numbered by first appearance: point 0 is cluster 0
    pts = np.zeros((3, 2))
    assert _lloyd(pts, 2, np.random.default_rng(3)).tolist() == [0, 1, 1]


@pytest.mark.parametrize("scale", [1.0, 0.1])
def test_lloyd_with_as_many_clusters_as_points_makes_singletons(scale):
    # k-means++ gives a chosen point weight 0, so k = n distinct points are each chosen
    # once, and every point is its own cluster: 0, 1, 2, 3 by first appearance (at any scale:
    # the squared distances here sum to less than 1 at a tenth of the size)
    pts = scale * np.array([[0, 0], [1, 0], [3, 0], [0, 2]], float)
    for seed in range(8):
        assert _lloyd(pts, 4, np.random.default_rng(seed)).tolist() == [0, 1, 2, 3], seed


@pytest.mark.parametrize("scale", [1.0, 0.001])  # squared distances summing below 1 too
def test_lloyd_seeds_by_squared_distance_so_no_group_is_split(scale):
    # three tight groups at x = 0, 10 and 100 (3 points each, interleaved). Seeding, a point
    # of a group already holding a centre weighs <= 0.1 (its squared distance), one of another
    # group >= 9.7 ** 2 > 94, so the
    # three centres fall in the three groups and Lloyd keeps them; uniformly drawn centres
    # would often take two from one group and merge the other two (a stable wrong answer)
    off = [(0.0, 0.0), (0.2, 0.1), (-0.1, 0.2)]
    pts = scale * np.array([(gx + dx, dy) for dx, dy in off for gx in (0.0, 10.0, 100.0)])
    for seed in range(20):
        assert _lloyd(pts, 3, np.random.default_rng(seed)).tolist() == [0, 1, 2] * 3, seed
