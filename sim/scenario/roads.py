"""The roads section: real travel times from a matrix or a road network (opt-in)."""

from __future__ import annotations

from typing import Literal

from sim.scenario.parameters import Section, param


class Roads(Section):
    """Travel times from a file instead of grid distance x circuity / speed.

    ``file`` is a travel-time matrix CSV (``from, to, minutes`` and optionally ``km``; places
    named by ``village_id`` or ``station_node``) or a road network (``.graphml``, e.g. one
    saved by OSMnx, or ``.geojson`` line features with ``u``, ``v``, ``length`` in metres and
    ``speed_kph``). Times between places are shortest paths over the given links; a township's
    places are the network's nodes of the same id, else the nearest node by position.
    """

    file: str = param("none", "-", "'none' (grid travel), a travel-time matrix CSV (from, to, "
                      "minutes[, km]) or a road network (.graphml, .geojson) relative to the "
                      "scenario file", "run: user's choice", min_length=1)
    station_node: str = param("station", "-", "id of the station in the matrix or network",
                              "run: user's choice", min_length=1)
    node_units: Literal["km", "m"] = param("km", "-", "unit of network node coordinates "
                                           "(x, y) used to snap places to the nearest node "
                                           "(OSMnx projected graphs: m)", "run: user's choice")
    symmetric: bool = param(True, "bool", "a matrix row from A to B also gives B to A when B "
                            "to A is not listed", "run: user's choice")
