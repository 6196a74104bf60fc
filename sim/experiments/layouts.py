"""Reading a real village layout from CSV (the I/O edge of the geography).

Every problem is a :class:`ScenarioError` naming the file, the line and the column, and saying
what is allowed. Limits on village counts and populations are read from the scenario schema
(the same as for a generated township), never restated here.
"""

from __future__ import annotations

import csv
import difflib
import math
from pathlib import Path

import numpy as np

from sim.experiments.roads import with_roads
from sim.scenario import MAX_GRID_CELLS, Scenario, ScenarioError, Township
from sim.scenario.loading import read_text_file
from sim.world.geography import Layout, generate_layout
from sim.world.streams import RandomStreams

COLUMNS = ("village_id", "x_km", "y_km", "population", "cluster_id")
#: Optional column: ``office`` (1 for the village hosting its cluster's center office).
OPTIONAL_COLUMNS = ("office",)
MAX_KM = 100000.0
#: 5,000 villages of ~60 bytes a row is ~300 kB; a file 100 times that is not a layout.
MAX_CSV_BYTES = 30_000_000


def _schema_max(field: str) -> int:
    """The ``le`` bound of a generated-township parameter (e.g. villages per township)."""
    for m in Township.model_fields[field].metadata:
        if getattr(m, "le", None) is not None:
            return int(m.le)
    raise KeyError(field)  # pragma: no cover - the schema always bounds these


def _read_text(p: Path) -> str:
    """The file's text, or a ScenarioError saying why it cannot be a CSV layout."""
    text = read_text_file(p, f"{p}: township.layout", "CSV", MAX_CSV_BYTES, "CSV UTF-8")
    if not text.strip():
        raise ScenarioError(f"{p}: township.layout: the file is empty (expected a header line: "
                            f"{','.join(COLUMNS)})")
    return text


def _number(p: Path, line: int, col: str, raw: str | None, whole: bool = False) -> float:
    """A finite number from a CSV cell (``whole``: a whole number, ``12.0`` allowed)."""
    text = (raw or "").strip()
    kind = "a whole number" if whole else "a number"
    if not text:
        raise ScenarioError(f"{p}: line {line}: {col}: empty, expected {kind}")
    try:
        val = float(text)
    except ValueError:
        hint = " (use a decimal point, no thousands separator)" if "," in text else ""
        raise ScenarioError(f"{p}: line {line}: {col}: {text!r} is not {kind}{hint}") from None
    if not math.isfinite(val):
        raise ScenarioError(f"{p}: line {line}: {col}: {text!r}: must be a finite number")
    if whole and not val.is_integer():
        raise ScenarioError(f"{p}: line {line}: {col}: {text!r} is not {kind}")
    return val


def read_layout_csv(path: str | Path, station_xy_km: tuple[float | None, float | None] = (
        None, None)) -> Layout:
    """Read ``village_id, x_km, y_km, population, cluster_id`` rows into a :class:`Layout`.

    Coordinates are km from the grid's origin and must be >= 0. The station defaults to the
    population-weighted centre of the villages. Clusters are the distinct ``cluster_id``
    labels, so none is empty.

    Raises:
        ScenarioError: naming the file, the row and the field.

    """
    p = Path(path)
    text = _read_text(p)
    max_villages, max_pop = _schema_max("villages"), _schema_max("population_per_village")
    try:
        reader = csv.DictReader(text.splitlines(), skipinitialspace=True)
        header = [(c or "").strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = [(reader.line_num, row) for row in reader]  # line_num: blank lines counted
    except csv.Error as e:
        raise ScenarioError(f"{p}: township.layout: not a readable CSV file ({e})") from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        hints = [f"'{m}' (found '{close[0]}'?)" if (close := difflib.get_close_matches(
            m, header, n=1)) else f"'{m}'" for m in missing]
        raise ScenarioError(f"{p}: township.layout: missing column(s) {', '.join(hints)} "
                            f"(required: {', '.join(COLUMNS)}; found: {', '.join(header)})")
    dup_cols = sorted({c for c in header if header.count(c) > 1 and c in COLUMNS})
    if dup_cols:
        raise ScenarioError(f"{p}: township.layout: column(s) {', '.join(dup_cols)} appear "
                            f"twice in the header")
    if len(rows) > max_villages:
        raise ScenarioError(f"{p}: township.layout: {len(rows):,} villages; at most "
                            f"{max_villages:,} (the limit of township.villages)")
    has_office = "office" in header
    offices: list[bool] = []
    ids, xs, ys, pops, clusters = [], [], [], [], []
    seen: dict[str, int] = {}
    for line, row in rows:
        if None in row:
            raise ScenarioError(f"{p}: line {line}: more fields than the {len(header)} "
                                f"columns of the header")
        vid = (row.get("village_id") or "").strip()
        if not vid:
            raise ScenarioError(f"{p}: line {line}: village_id: empty")
        if vid in seen:
            raise ScenarioError(f"{p}: line {line}: village_id: duplicate id {vid!r} (first "
                                f"on line {seen[vid]}); ids must be unique")
        x, y = _number(p, line, "x_km", row["x_km"]), _number(p, line, "y_km", row["y_km"])
        for col, val in (("x_km", x), ("y_km", y)):
            if not 0 <= val <= MAX_KM:
                raise ScenarioError(f"{p}: line {line}: {col}: {val:g} is outside the grid "
                                    f"(allowed 0 to {MAX_KM:g} km from the origin)")
        pop = _number(p, line, "population", row["population"], whole=True)
        if not 0 <= pop <= max_pop:
            raise ScenarioError(f"{p}: line {line}: population: {pop:g} residents; allowed 0 "
                                f"to {max_pop:,}")
        cid = (row.get("cluster_id") or "").strip()
        if not cid:
            raise ScenarioError(f"{p}: line {line}: cluster_id: empty (every village belongs "
                                f"to a cluster)")
        if has_office:
            flag = _number(p, line, "office", row.get("office"), whole=True)
            if flag not in (0, 1):
                raise ScenarioError(f"{p}: line {line}: office: {flag:g}; 1 for the village "
                                    f"hosting its cluster's center office, else 0")
            offices.append(bool(flag))
        seen[vid] = line
        ids.append(vid)
        xs.append(x)
        ys.append(y)
        pops.append(int(pop))
        clusters.append(cid)
    if not ids:
        raise ScenarioError(f"{p}: township.layout: no villages (a header but no rows)")
    pop_arr = np.array(pops, dtype=np.int64)
    if pop_arr.sum() <= 0:
        raise ScenarioError(f"{p}: population: the villages have no residents (all 0)")
    labels = {c: i for i, c in enumerate(dict.fromkeys(clusters))}
    x_arr, y_arr = np.array(xs, float), np.array(ys, float)
    sx, sy = station_xy_km
    if sx is None or sy is None:
        w = pop_arr / pop_arr.sum()
        sx, sy = float((x_arr * w).sum()), float((y_arr * w).sum())
    cluster_arr = np.array([labels[c] for c in clusters], dtype=int)
    office = None
    if has_office:
        office = np.array(offices, dtype=bool)
        for cid, k in labels.items():
            n_off = int(office[cluster_arr == k].sum())
            if n_off != 1:
                raise ScenarioError(f"{p}: office: cluster {cid!r} has {n_off} villages marked "
                                    f"office=1; each cluster needs exactly one")
    return Layout(tuple(ids), x_arr, y_arr, pop_arr, cluster_arr, (float(sx), float(sy)),
                  office=office)


def check_grid(layout: Layout, cell_km: float, where: str) -> None:
    """Refuse a layout whose grid would be too large to build (see ``MAX_GRID_CELLS``).

    Raises:
        ScenarioError: with the extent found and a likely cause.

    """
    x = max(float(layout.x_km.max()), layout.station_xy_km[0])
    y = max(float(layout.y_km.max()), layout.station_xy_km[1])
    cells = (math.floor(x / cell_km) + 1) * (math.floor(y / cell_km) + 1)
    if cells > MAX_GRID_CELLS:
        raise ScenarioError(f"{where}: places reach ({x:g}, {y:g}) km from the origin: a grid "
                            f"of {cells:,} cells of township.cell_km={cell_km:g} (at most "
                            f"{MAX_GRID_CELLS:,}); are the coordinates in metres, or far from "
                            f"(0, 0)? Shift them to start near 0 or raise township.cell_km")


def layouts_for(scenario: Scenario) -> list[Layout] | None:
    """The layouts a scenario asks for (``None``: let the model generate one).

    Raises:
        ScenarioError: a CSV layout that cannot be used, naming the file, line and column.

    """
    t = scenario.township
    if t.layout == "generated":
        if scenario.roads.file == "none":
            return None
        streams = RandomStreams(t.layout_seed)  # the model's own rule for generated layouts
        layouts = [generate_layout(t, streams.substream("layout", k)) for k in
                   range(t.townships)]
    else:
        layout = read_layout_csv(t.layout, (t.station_x_km, t.station_y_km))
        check_grid(layout, t.cell_km, f"{t.layout}: township.layout")
        layouts = [layout]
    return [with_roads(lay, scenario.roads, scenario.travel, t.circuity) for lay in layouts]
