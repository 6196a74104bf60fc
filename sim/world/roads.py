"""Road travel: shortest-path times and distances between a township's places.

A road network is a directed graph whose edges carry ``minutes`` and ``km``. Each place (the
villages ``0..n-1`` and the station ``n``) stands at one node, possibly with an access leg
(minutes and km off the network to reach it). Trips follow the fastest route; the distance
reported for a trip is the length of that route.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra


@dataclass(frozen=True)
class TripTable:
    """Driving minutes and road km between every pair of places (station last)."""

    minutes: np.ndarray  # (n+1, n+1), zero diagonal, turnout excluded
    km: np.ndarray  # (n+1, n+1)


class UnreachableError(ValueError):
    """Two places with no road between them."""


def trip_table(graph: nx.DiGraph, place_nodes: list, access_min: np.ndarray | None = None,
               access_km: np.ndarray | None = None) -> TripTable:
    """Fastest-route minutes and their km between the places standing at ``place_nodes``.

    Args:
        graph: Directed road graph; every edge has ``minutes`` and ``km`` (parallel edges
            must already be merged to the fastest).
        place_nodes: The node of each place (villages then the station).
        access_min: Minutes from each place to its node (added at both ends of a trip).
        access_km: Km from each place to its node.

    Raises:
        UnreachableError: when some place cannot reach another.

    """
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols, mins, kms = [], [], [], []
    for u, v, d in graph.edges(data=True):
        rows.append(index[u])
        cols.append(index[v])
        mins.append(float(d["minutes"]))
        kms.append(float(d["km"]))
    n_nodes = len(nodes)
    # a zero-minute edge would vanish from a sparse matrix: keep it at a negligible weight
    w = csr_matrix((np.maximum(np.array(mins, float), 1e-9), (rows, cols)),
                   shape=(n_nodes, n_nodes))
    km_w = csr_matrix((np.array(kms, float), (rows, cols)), shape=(n_nodes, n_nodes))
    src = np.array([index[p] for p in place_nodes], dtype=int)
    dist, pred = dijkstra(w, directed=True, indices=src, return_predecessors=True)
    minutes = dist[:, src]
    minutes[np.abs(minutes) < 1e-6] = 0.0
    km = np.zeros(minutes.shape)
    for i in range(len(src)):  # walk every fastest route back to its source at once
        cur = src.copy()
        todo = (cur != src[i]) & np.isfinite(minutes[i])
        while todo.any():
            p = pred[i, cur[todo]]
            km[i, todo] += np.asarray(km_w[p, cur[todo]]).ravel()
            cur[todo] = p
            todo = cur != src[i]
            todo &= np.isfinite(minutes[i])
    bad = np.argwhere(~np.isfinite(minutes))
    if len(bad):
        a, b = bad[0]
        raise UnreachableError(f"no road from place {a} (node {place_nodes[a]!r}) to place {b} "
                               f"(node {place_nodes[b]!r}); {len(bad)} pair(s) unreachable")
    if access_min is not None:
        add = access_min[:, None] + access_min[None, :]
        minutes = minutes + add
        np.fill_diagonal(minutes, 0.0)
    if access_km is not None:
        km = km + access_km[:, None] + access_km[None, :]
        np.fill_diagonal(km, 0.0)
    return TripTable(minutes, km)
