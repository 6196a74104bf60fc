"""Reading a real village layout from CSV (the I/O edge of the geography)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from sim.scenario import Scenario, ScenarioError
from sim.world.geography import Layout

COLUMNS = ("village_id", "x_km", "y_km", "population", "cluster_id")
MAX_KM = 100000.0


def read_layout_csv(path: str | Path, station_xy_km: tuple[float | None, float | None] = (
        None, None)) -> Layout:
    """Read ``village_id, x_km, y_km, population, cluster_id`` rows into a :class:`Layout`.

    Coordinates are km from the grid's origin and must be >= 0. The station defaults to the
    population-weighted centre of the villages.

    Raises:
        ScenarioError: naming the file, the row and the field.

    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError(f"{p}: township.layout: no such file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: township.layout: not a UTF-8 text CSV file") from None
    except OSError as e:
        raise ScenarioError(f"{p}: township.layout: cannot read ({e.strerror})") from None
    if "\x00" in text:
        raise ScenarioError(f"{p}: township.layout: binary file, expected CSV")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(f"{p}: township.layout: missing column(s) {', '.join(missing)} "
                            f"(required: {', '.join(COLUMNS)})")
    ids, xs, ys, pops, clusters = [], [], [], [], []
    for line, row in enumerate(reader, start=2):
        def num(col: str, kind=float, _row=row, _line=line):
            raw = (_row.get(col) or "").strip()
            try:
                val = kind(raw)
            except ValueError:
                raise ScenarioError(f"{p}: line {_line}: {col}: {raw!r} is not a "
                                    f"{'whole number' if kind is int else 'number'}") from None
            if isinstance(val, float) and not math.isfinite(val):
                raise ScenarioError(f"{p}: line {_line}: {col}: must be finite")
            return val
        vid = (row.get("village_id") or "").strip()
        if not vid:
            raise ScenarioError(f"{p}: line {line}: village_id: empty")
        if vid in ids:
            raise ScenarioError(f"{p}: line {line}: village_id: duplicate id {vid!r}")
        x, y, pop = num("x_km"), num("y_km"), num("population", int)
        for col, val in (("x_km", x), ("y_km", y)):
            if not 0 <= val <= MAX_KM:
                raise ScenarioError(f"{p}: line {line}: {col}: {val} is outside the grid "
                                    f"(allowed 0 to {MAX_KM:g} km)")
        if pop < 0:
            raise ScenarioError(f"{p}: line {line}: population: must be >= 0")
        cid = (row.get("cluster_id") or "").strip()
        if not cid:
            raise ScenarioError(f"{p}: line {line}: cluster_id: empty")
        ids.append(vid)
        xs.append(x)
        ys.append(y)
        pops.append(pop)
        clusters.append(cid)
    if not ids:
        raise ScenarioError(f"{p}: township.layout: no villages")
    pop_arr = np.array(pops, dtype=np.int64)
    if pop_arr.sum() <= 0:
        raise ScenarioError(f"{p}: population: the villages have no residents")
    labels = {c: i for i, c in enumerate(dict.fromkeys(clusters))}
    x_arr, y_arr = np.array(xs, float), np.array(ys, float)
    sx, sy = station_xy_km
    if sx is None or sy is None:
        w = pop_arr / pop_arr.sum()
        sx, sy = float((x_arr * w).sum()), float((y_arr * w).sum())
    return Layout(tuple(ids), x_arr, y_arr, pop_arr,
                  np.array([labels[c] for c in clusters], dtype=int), (float(sx), float(sy)))


def layouts_for(scenario: Scenario) -> list[Layout] | None:
    """The layouts a scenario asks for (``None``: let the model generate one)."""
    t = scenario.township
    if t.layout == "generated":
        return None
    return [read_layout_csv(t.layout, (t.station_x_km, t.station_y_km))]
