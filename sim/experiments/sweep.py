"""Scenario sweeps: the sweep file, its design points, and a resumable run over them.

A sweep file (TOML, schema :class:`SweepSpec`, format in docs/sweeps.md) names a base scenario,
the parameter axes (a full grid, or a Latin-hypercube sample), the replications and the seed.
Every run (design point x replication) is saved atomically as one small Parquet file under
``OUT/runs/`` as soon as it ends, so a sweep killed at any moment and restarted with ``resume``
loses no finished run and recomputes none; ``OUT/runs.parquet`` is merged from those files, rows
sorted by (point, replication), so it is the same table whatever the interruptions, back-end or
number of workers.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pydantic import BaseModel, Field, ValidationError, model_validator
from scipy.stats import qmc
from tqdm import tqdm

import sim
from sim.experiments import analysis
from sim.experiments.executors import (
    RunOutcome,
    RunTask,
    check_backend,
    execute,
    open_backend,
)
from sim.experiments.metrics import METRICS
from sim.experiments.results import (
    OutputError,
    claim_dir,
    package_versions,
    prepare_dir,
    write_json,
    write_parquet,
    write_run,
)
from sim.experiments.specs import SpecModel, check_metrics, dotted_tables
from sim.scenario import Scenario, ScenarioError, iter_parameters, read_toml, scenario_from_mapping
from sim.scenario.loading import plain_message

RUNS_DIR, RUNS_FILE, MANIFEST = "runs", "runs.parquet", "manifest.json"
#: Metrics whose confidence interval ``--until-ci`` tightens unless the sweep file names others.
KEY_METRICS = ("response_time_mean_min", "escalation_rate", "injury_crimes_per_10k_year")
PARAMS = dict(iter_parameters())
NOT_AXES = ("name", "description", "seed")  # labels, and the seed belongs to the sweep


class SweepError(ValueError):
    """A sweep file or output folder that cannot be used; the message names file and field."""


# ---------------------------------------------------------------- the sweep file schema

class Range(SpecModel):
    """A range of values, ``start``..``stop`` inclusive.

    On a grid: ``num`` evenly spaced values or steps of ``step``. In a Latin hypercube: the
    continuous interval (for an integer parameter, every whole number in it).
    """

    start: float = Field(allow_inf_nan=False)
    stop: float = Field(allow_inf_nan=False)
    num: int | None = Field(None, ge=1, le=100000)
    step: float | None = Field(None, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> Range:
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop:g}) is below start ({self.start:g})")
        if self.num is not None and self.step is not None:
            raise ValueError("give num or step, not both")
        return self


class Axis(SpecModel):
    """One varied parameter (``key``) or several varied together (``keys``, one list each)."""

    key: str | None = None
    keys: list[str] | None = Field(None, min_length=1)
    values: list[Any] | None = Field(None, min_length=1)
    range: Range | None = None

    @model_validator(mode="after")
    def _shape(self) -> Axis:
        if (self.key is None) == (self.keys is None):
            raise ValueError("give key (one parameter) or keys (several varied together)")
        if (self.values is None) == (self.range is None):
            raise ValueError("give values (a list) or range (start, stop, num or step)")
        if self.keys is not None:
            if self.values is None:
                raise ValueError("keys: linked parameters take values (one list per level)")
            for v in self.values:
                if not isinstance(v, list) or len(v) != len(self.keys):
                    raise ValueError(f"values: each level must list {len(self.keys)} values "
                                     f"(one per key), got {v!r}")
        return self

    @property
    def names(self) -> list[str]:
        """The dotted keys this axis sets."""
        return self.keys if self.keys is not None else [self.key or ""]


class Records(SpecModel):
    """Runs whose per-event tables are kept: every listed point x every listed replication."""

    points: list[int] = Field(min_length=1)
    replications: list[int] = Field([0], min_length=1)


class SweepSpec(SpecModel):
    """A sweep file. Paths are relative to the sweep file's folder."""

    name: str = ""
    description: str = ""
    base: str = Field(min_length=1)  # the base scenario file
    design: Literal["grid", "lhs"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)  # Latin-hypercube points
    design_seed: int = Field(0, ge=0)  # seed of the Latin-hypercube sample
    replications: int = Field(10, ge=1, le=100_000)
    max_replications: int = Field(100, ge=1, le=100_000)  # ceiling for --until-ci
    seed: int | None = Field(None, ge=0)  # root seed (default: the base scenario's)
    days: float | None = Field(None, gt=0, allow_inf_nan=False)  # measured-period override
    warmup_days: float | None = Field(None, ge=0, allow_inf_nan=False)
    follow_up_days: float | None = Field(None, ge=0, allow_inf_nan=False)
    fixed: dict[str, Any] = Field(default_factory=dict)  # other overrides applied at every point
    axes: list[Axis] = Field(min_length=1)
    baseline: dict[str, Any] | None = None  # axis values of the point differences are against
    key_metrics: list[str] = Field(list(KEY_METRICS), min_length=1)
    records: Records | None = None

    _flat = dotted_tables("fixed", "baseline")

    @model_validator(mode="after")
    def _rules(self) -> SweepSpec:
        if self.design == "lhs" and self.samples is None:
            raise ValueError("samples: a Latin-hypercube design needs samples = N")
        if self.design == "grid" and self.samples is not None:
            raise ValueError("samples: only for design = 'lhs'")
        check_metrics("key_metrics", self.key_metrics)
        if self.max_replications < self.replications:
            raise ValueError("max_replications: must be at least replications")
        return self


def _model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The spec table (model class) that holds the key at ``loc``'s last part."""
    import typing  # noqa: PLC0415
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        todo, found = [field.annotation], None
        while todo:  # unwrap list[...] and X | None down to a table
            t = todo.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
                break
            todo += list(typing.get_args(t))
        if found is None:
            return None
        model = found
    return model


def format_errors(err: ValidationError, source: str,
                  root: type[BaseModel] | None = None) -> str:
    """One line per pydantic error: ``FILE: field[index].sub: message`` in plain words.

    An unknown key gets a "did you mean" suggestion from the keys its table allows.
    """
    import difflib  # noqa: PLC0415
    root = root or SweepSpec
    lines = []
    for e in err.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        if e["type"] == "extra_forbidden":
            model = _model_at(root, e["loc"])
            close = difflib.get_close_matches(str(e["loc"][-1]), list(
                getattr(model, "model_fields", {})), n=1) if model else []
            msg = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")
        else:
            msg = plain_message(e)
        lines.append(f"{source}: {loc or '(sweep)'}: {msg}")
    return "\n".join(lines)


def file_kind(data: Mapping[str, Any]) -> str:
    """What a TOML file is, from its top-level keys: "sweep", "sensitivity" or "scenario"."""
    if "axes" in data:
        return "sweep"
    if "parameters" in data and ("method" in data or "outputs" in data):
        return "sensitivity"
    return "scenario"


def wrong_kind(path: str | Path, data: Mapping[str, Any], wanted: str) -> str | None:
    """The message for a file of another kind than ``wanted`` (None when it is that kind)."""
    kind = file_kind(data)
    if kind == wanted:
        return None
    how = {"sweep": f"policesim sweep {path} --out DIR",
           "sensitivity": f"policesim sensitivity {path} --out DIR",
           "scenario": f"policesim run {path}"}[kind]
    what = {"sweep": "a sweep file (it has [[axes]])",
            "sensitivity": "a sensitivity file (it has [[parameters]] and a method)",
            "scenario": "a scenario file"}[kind]
    return f"{path}: this is {what}, not a {wanted} file; run it with: {how}"


# ---------------------------------------------------------------- resolved sweeps

@dataclass(frozen=True)
class Point:
    """One design point: the values it sets and its resolved scenario."""

    index: int
    values: dict[str, Any]  # dotted key -> value set by the sweep
    scenario: Scenario
    columns: dict[str, Any]  # dotted key -> value in force (the runs.parquet columns)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: design points, replications, seed and what to keep."""

    name: str
    source: str
    text: str
    axes: tuple[str, ...]
    points: tuple[Point, ...]
    replications: int
    seed: int
    baseline_point: int | None = None
    key_metrics: tuple[str, ...] = KEY_METRICS
    max_replications: int = 100
    records: frozenset[tuple[int, int]] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)  # added to the manifest

    def design_hash(self) -> str:
        """A fingerprint of what the runs compute (not of how many replications)."""
        blob = json.dumps({"seed": self.seed, "axes": self.axes, "points": [
            p.scenario.model_dump(mode="json") for p in self.points]}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def column_value(scn: Scenario, key: str) -> Any:
    """The value of a dotted key in force in a scenario (reform components as in force)."""
    section, _, leaf = key.rpartition(".")
    if section == "reform":
        return scn.components()[leaf]
    obj: Any = scn
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def param_dtype(key: str) -> str:
    """The runs.parquet dtype of a scalar parameter ("" for a list-valued one)."""
    ann = str(PARAMS[key].annotation)
    if key.startswith("reform.") or ann == "<class 'bool'>":
        return "bool"
    if "tuple" in ann:  # a list, even of floats (rhythm.hour_profile)
        return ""
    if ann == "<class 'int'>":
        return "int64"
    if "float" in ann:
        return "float64"
    # "str" reads back from Parquet as the same dtype under pandas 2 (object) and 3 (str)
    return "str"


def _check_key(key: str, where: str, axis: bool) -> None:
    if key in NOT_AXES or key not in PARAMS:
        import difflib  # noqa: PLC0415
        close = difflib.get_close_matches(key, list(PARAMS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        why = "set by the sweep itself" if key in NOT_AXES else "unknown parameter"
        raise SweepError(f"{where}: {why} '{key}'{hint}")
    if axis and not param_dtype(key):
        raise SweepError(f"{where}: '{key}' holds a list; only single-valued parameters can "
                         "be varied (set it in [fixed])")


def _grid_levels(axis: Axis) -> list[dict[str, Any]]:
    if axis.values is not None:
        return [dict(zip(axis.names, v, strict=True)) if axis.keys else {axis.names[0]: v}
                for v in axis.values]
    r = axis.range
    assert r is not None
    if r.num is not None:
        xs = np.linspace(r.start, r.stop, r.num) if r.num > 1 else np.array([r.start])
    elif r.step is not None:
        xs = r.start + r.step * np.arange(math.floor((r.stop - r.start) / r.step + 1e-9) + 1)
    else:
        raise ValueError("range: a grid needs num or step")
    as_int = param_dtype(axis.names[0]) == "int64"
    vals = [round(x) if as_int else float(f"{x:.12g}") for x in xs]  # 0.1*3 -> 0.3
    return [{axis.names[0]: v} for v in dict.fromkeys(vals)]


def _lhs_levels(axis: Axis, u: np.ndarray) -> list[dict[str, Any]]:
    if axis.values is not None:
        return [_grid_levels(axis)[min(int(x * len(axis.values)), len(axis.values) - 1)]
                for x in u]
    r = axis.range
    assert r is not None
    if r.num is not None or r.step is not None:
        raise ValueError("range: a Latin hypercube samples start..stop; drop num/step")
    key = axis.names[0]
    if param_dtype(key) == "int64":  # every whole number in [start, stop] equally likely
        lo, hi = math.ceil(r.start), math.floor(r.stop)
        return [{key: int(min(lo + math.floor(x * (hi - lo + 1)), hi))} for x in u]
    return [{key: float(r.start + x * (r.stop - r.start))} for x in u]


def _design(spec: SweepSpec) -> list[dict[str, Any]]:
    """The values set at each design point, in order (grid: first axis slowest)."""
    if spec.design == "grid":
        return [{k: v for lvl in combo for k, v in lvl.items()}
                for combo in itertools.product(*(_grid_levels(a) for a in spec.axes))]
    try:
        sampler = qmc.LatinHypercube(d=len(spec.axes), rng=np.random.default_rng(
            spec.design_seed))
    except TypeError:  # SciPy < 1.15 calls it seed
        sampler = qmc.LatinHypercube(d=len(spec.axes), seed=spec.design_seed)
    u = sampler.random(spec.samples or 1)
    cols = [_lhs_levels(a, u[:, j]) for j, a in enumerate(spec.axes)]
    return [{k: v for c in cols for k, v in c[i].items()} for i in range(len(u))]


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, leaf = key.split(".")
    for p in parents:
        data = data.setdefault(p, {})
    data[leaf] = value


def build_sweep(source: str, base_path: Path, values: Sequence[Mapping[str, Any]],
                axes: Sequence[str], replications: int, seed: int | None = None,
                fixed: Mapping[str, Any] | None = None, baseline: Mapping[str, Any] | None = None,
                *, name: str = "", text: str = "", key_metrics: Sequence[str] = KEY_METRICS,
                max_replications: int = 100, records: Records | None = None,
                extra: Mapping[str, Any] | None = None) -> Sweep:
    """Resolve design points (the values each sets) against a base scenario into a Sweep.

    A ``baseline`` (axis values; unnamed axes keep the base scenario's) that is not one of the
    points is added as the last point.

    Raises:
        SweepError: a key, value or scenario that is not valid, naming the file and field.

    """
    for key in axes:
        _check_key(key, f"{source}: axes", axis=True)
    for key in fixed or {}:
        _check_key(key, f"{source}: fixed", axis=False)
    try:
        base_data = read_toml(base_path)
        base_scn = scenario_from_mapping(base_data, str(base_path))
    except ScenarioError as e:
        raise SweepError(f"{source}: base: {e}") from None
    root = base_scn.seed if seed is None else seed
    design = [dict(v) for v in values]
    if baseline is not None:
        for key in baseline:
            if key not in axes:
                raise SweepError(f"{source}: baseline: '{key}' is not a varied parameter "
                                 f"(axes: {', '.join(axes)})")

    def resolve(i: int, vals: dict[str, Any]) -> Point:
        data = copy.deepcopy(base_data)
        for k, v in {**(fixed or {}), **vals}.items():
            _set(data, k, v)
        where = f"{source}: point {i} ({', '.join(f'{k}={v}' for k, v in vals.items())})"
        try:
            scn = scenario_from_mapping(data, where)
        except ScenarioError as e:
            raise SweepError(str(e)) from None
        layout = scn.township.layout
        if layout != "generated" and not Path(layout).is_absolute():
            set_here = "township.layout" in {**(fixed or {}), **vals}
            folder = Path(source).parent if set_here else base_path.parent
            scn = scn.model_copy(update={"township": scn.township.model_copy(
                update={"layout": str((folder / layout).resolve())})})
        return Point(i, vals, scn, {k: column_value(scn, k) for k in axes})

    points = [resolve(i, v) for i, v in enumerate(design)]
    baseline_point = None
    if baseline is not None:
        bp = resolve(len(points), dict(baseline))
        want = {k: column_value(bp.scenario, k) for k in axes}
        baseline_point = next((p.index for p in points if p.columns == want), None)
        if baseline_point is None:
            points.append(bp)
            baseline_point = bp.index
    rec = frozenset()
    if records is not None:
        bad = [p for p in records.points if not 0 <= p < len(points)]
        if bad:
            raise SweepError(f"{source}: records.points: no point {bad[0]} (points 0.."
                             f"{len(points) - 1})")
        rec = frozenset(itertools.product(records.points, records.replications))
    return Sweep(name or Path(source).stem, source, text, tuple(axes), tuple(points),
                 replications, root, baseline_point, tuple(key_metrics), max_replications,
                 rec, dict(extra or {}))


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file (the base scenario is relative to it).

    Raises:
        SweepError: naming the file and the field.

    """
    p = Path(path)
    try:
        data = read_toml(p)
    except ScenarioError as e:
        raise SweepError(str(e)) from None
    if (msg := wrong_kind(p, data, "sweep")) is not None:
        raise SweepError(msg)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as e:
        raise SweepError(format_errors(e, str(p))) from None
    axes = [k for a in spec.axes for k in a.names]
    dup = [k for k in axes if axes.count(k) > 1]
    if dup:
        raise SweepError(f"{p}: axes: '{dup[0]}' is varied twice")
    fixed = dict(spec.fixed)
    for k in ("days", "warmup_days", "follow_up_days"):
        if getattr(spec, k) is not None:
            fixed[k] = getattr(spec, k)
    try:
        values = _design(spec)
    except ValueError as e:
        raise SweepError(f"{p}: axes: {e}") from None
    return build_sweep(str(p), p.parent / spec.base, values, axes, spec.replications,
                       spec.seed, fixed, spec.baseline, name=spec.name,
                       text=p.read_text(encoding="utf-8"), key_metrics=spec.key_metrics,
                       max_replications=spec.max_replications, records=spec.records)


# ---------------------------------------------------------------- storage

def run_id(point: int, replication: int) -> str:
    """The id of a run, also its file name under ``runs/``."""
    return f"p{point}-r{replication}"


def columns(sweep: Sweep) -> dict[str, str]:
    """The runs.parquet columns and their dtypes, in order."""
    return {"run_id": "str", "point": "int64", "replication": "int64", "seed": "int64",
            **{k: param_dtype(k) for k in sweep.axes}, **dict.fromkeys(METRICS, "float64"),
            "status": "str", "error": "str"}


def _save_run(runs: Path, outcome: RunOutcome) -> dict[str, Any]:
    """Save one finished run atomically (temporary name, fsync, rename); return its row."""
    row = {"run_id": outcome.run_id, **{m: float(outcome.metrics.get(m, math.nan))
                                        for m in METRICS},
           "status": outcome.status, "error": outcome.error}
    write_parquet(pd.DataFrame([row]), runs / f"{outcome.run_id}.parquet")
    return row


def load_runs(runs: Path) -> dict[str, dict[str, Any]]:
    """Every finished run saved under ``runs/`` (leftover temporary files are removed)."""
    rows: dict[str, dict[str, Any]] = {}
    if not runs.is_dir():
        return rows
    for f in runs.glob(".*.tmp"):  # a write cut short: never renamed into place
        f.unlink(missing_ok=True)
    for f in sorted(runs.glob("*.parquet")):
        try:
            (row,) = pq.read_table(f).to_pylist()
        except Exception:  # unreadable despite the atomic write (disk fault): run it again
            f.unlink(missing_ok=True)
            continue
        rows[row["run_id"]] = row
    return rows


def merge(sweep: Sweep, rows: Mapping[str, Mapping[str, Any]], replications: int
          ) -> pd.DataFrame:
    """The runs.parquet table: one row per finished run, sorted by (point, replication)."""
    cols = columns(sweep)
    out = []
    for p in sweep.points:
        for k in range(replications):
            row = rows.get(run_id(p.index, k))
            if row is not None:
                out.append({"run_id": row["run_id"], "point": p.index, "replication": k,
                            "seed": sweep.seed, **p.columns, **{m: row[m] for m in METRICS},
                            "status": row["status"], "error": row["error"]})
    return pd.DataFrame.from_records(out, columns=list(cols)).astype(cols)


def _manifest(sweep: Sweep, replications: int, status: str, **extra: Any) -> dict[str, Any]:
    import mesa  # noqa: PLC0415
    return {"kind": "sweep", "status": status, "name": sweep.name,
            "sweep_file": str(Path(sweep.source).resolve()), "sweep_text": sweep.text,
            "axes": list(sweep.axes), "baseline_point": sweep.baseline_point,
            "seed": sweep.seed, "replications": replications,
            "seed_rule": "replication k: numpy SeedSequence(seed, spawn_key=(k,)) at every "
                         "design point (common random numbers)",
            "key_metrics": list(sweep.key_metrics), "design_hash": sweep.design_hash(),
            "fingerprint": sweep.design_hash(),
            "policesim_version": sim.__version__, "mesa_version": mesa.__version__,
            "numpy_version": np.__version__, "python": platform.python_version(),
            "packages": package_versions(),
            "points": [{"point": p.index, "values": p.values, "columns": p.columns,
                        "scenario": p.scenario.model_dump(mode="json")} for p in sweep.points],
            **sweep.extra, **extra}


# ---------------------------------------------------------------- running

@dataclass
class SweepSummary:
    """What a sweep did: runs computed now, skipped (already saved), failed (with errors)."""

    out: Path
    table: pd.DataFrame
    replications: int
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    axes: tuple[str, ...] = ()
    key_metrics: tuple[str, ...] = ()

    def points_table(self, max_rows: int = 40) -> str:
        """Per design point: the axis values and the key metrics' means over its runs."""
        ok = self.table[self.table["status"] == "ok"] if len(self.table) else self.table
        if ok.empty or not self.key_metrics:
            return ""
        g = ok.groupby("point", sort=True)
        df = g[list(self.axes)].first().join(g["replication"].count().rename("runs"))
        df = df.join(g[list(self.key_metrics)].mean()).reset_index()
        more = len(df) - max_rows
        text = df.head(max_rows).to_string(index=False, float_format=lambda v: f"{v:.4g}")
        if more > 0:
            text += f"\n... {more} more points in {self.out / RUNS_FILE}"
        return f"means per design point:\n{text}"

    def text(self) -> str:
        """A few lines for the terminal: counts, a table of the results, where they are."""
        lines = [f"runs: {len(self.table)} ({self.done} done now, {self.skipped} skipped on "
                 f"resume, {len(self.failed)} failed); replications per point: "
                 f"{self.replications}", *self.notes]
        lines += [f"  failed {rid}: {err}" for rid, err in self.failed]
        table = self.points_table()
        if table:
            lines.append(table)
        lines.append(f"results: {self.out / RUNS_FILE}")
        return "\n".join(lines)


def _check_out(out: Path, sweep: Sweep, resume: bool) -> None:
    man = out / MANIFEST
    has_runs = (out / RUNS_DIR).is_dir() and any((out / RUNS_DIR).glob("*.parquet"))
    if not resume:
        if has_runs:
            raise SweepError(f"{out}: already holds sweep runs; pass --resume to continue "
                             "them, or choose another --out")
        return
    if has_runs and not man.exists():
        raise SweepError(f"{out}: has runs but no {MANIFEST}, so they cannot be matched to "
                         "this sweep; choose another --out")
    if man.exists():
        try:
            old = json.loads(man.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        if old.get("kind") != "sweep":
            raise SweepError(f"{out}: holds {old.get('kind') or 'other'} results, not a sweep; "
                             "--resume continues only a sweep")
        if old.get("design_hash") != sweep.design_hash():
            raise SweepError(f"{out}: holds a different sweep (its design, seed or scenarios "
                             "changed); --resume continues only the same sweep")


def run_sweep(sweep: Sweep, out: str | Path, *, workers: int | None = None,
              backend: str = "local", scheduler: str | None = None, resume: bool = False,
              until_ci: float | None = None, progress: bool = False,
              dask_processes: bool = True, force: bool = False) -> SweepSummary:
    """Run every design point x replication not yet saved in ``out`` and merge the table.

    Args:
        sweep: The sweep (see :func:`load_sweep`).
        out: The output folder.
        workers: Worker processes (default: all cores).
        backend: ``"local"`` or ``"dask"``.
        scheduler: Dask scheduler address (default: a LocalCluster).
        resume: Continue the sweep saved in ``out``.
        until_ci: Add replications until the key metrics' 95% half-width / mean is at most
            this at every point (up to the sweep's ``max_replications``).
        progress: Show a progress bar with ETA on stderr.
        dask_processes: LocalCluster workers as processes (False: threads; for tests).
        force: Replace other results already in ``out`` (never with ``resume``).

    Raises:
        SweepError: the folder holds other results; OutputError: it cannot be written;
        ExecutorError: the back-end cannot start.

    """
    if until_ci is not None and not 0 < until_ci < 1:
        raise SweepError(f"--until-ci: a relative half-width between 0 and 1 (got {until_ci})")
    check_backend(backend, workers, scheduler)
    if resume and force:
        raise SweepError("--force and --resume: give one (--force starts afresh, --resume "
                         "continues)")
    try:
        root = prepare_dir(out) if resume else claim_dir(out, "sweep", sweep.design_hash(),
                                                         force=force)
    except OutputError as e:
        raise SweepError(str(e)) from None
    _check_out(root, sweep, resume)
    runs = root / RUNS_DIR
    runs.mkdir(exist_ok=True)
    rows = load_runs(runs)
    summary = SweepSummary(root, pd.DataFrame(), sweep.replications, axes=sweep.axes,
                           key_metrics=sweep.key_metrics)
    reps = sweep.replications
    if rows:
        write_parquet(merge(sweep, rows, reps), root / RUNS_FILE)
    write_json(_manifest(sweep, reps, "running"), root / MANIFEST)

    def save(task: RunTask, outcome: RunOutcome) -> None:
        if outcome.result is not None:  # records first: a saved run always has its records
            folder = root / "records" / task.run_id
            for f in folder.glob(".*.tmp"):  # left by a write cut short before a resume
                f.unlink(missing_ok=True)
            write_run(folder, [outcome.result], "sweep-run", run_id=task.run_id,
                      point=task.point, sweep=sweep.name)
        rows[task.run_id] = _save_run(runs, outcome)
        summary.done += 1
        bar.update()

    counted: set[str] = set()
    status = "interrupted"
    try:
        with open_backend(backend, workers, scheduler, dask_processes) as be:
            while True:
                tasks = []
                for p in sweep.points:
                    for k in range(reps):
                        rid = run_id(p.index, k)
                        if rid in rows:
                            if rid not in counted:
                                summary.skipped += 1
                        else:
                            tasks.append(RunTask(rid, p.index, k, sweep.seed, p.scenario,
                                                 (p.index, k) in sweep.records))
                        counted.add(rid)
                bar = tqdm(total=len(tasks), desc=f"{sweep.name} ({be.name})", unit="run",
                           disable=not progress or not tasks, file=sys.stderr,
                           dynamic_ncols=True)
                with bar:
                    execute(be, tasks, save)
                if until_ci is None:
                    break
                nxt, worst = analysis.replications_needed(merge(sweep, rows, reps),
                                                          sweep.key_metrics, until_ci, reps,
                                                          sweep.max_replications)
                if nxt <= reps:
                    summary.notes.append(
                        f"--until-ci {until_ci:g}: worst relative half-width {worst:.3g} with "
                        f"{reps} replications" + ("" if worst <= until_ci else
                                                  f" (max_replications {reps} reached)"))
                    break
                reps = nxt
        status = "complete"
    finally:
        table = merge(sweep, rows, reps)
        write_parquet(table, root / RUNS_FILE)
        summary.table, summary.replications = table, reps
        summary.failed = [(r, e) for r, e, s in zip(table["run_id"], table["error"],
                                                     table["status"], strict=True)
                          if s != "ok"]
        if status == "complete":
            analysis.write_analysis(root, table, sweep.axes, sweep.baseline_point)
        write_json(_manifest(sweep, reps, status, until_ci=until_ci,
                             runs={"total": len(table), "failed": len(summary.failed)},
                             last_backend=backend, last_workers=workers),
                   root / MANIFEST)
    return summary


def run_sweep_file(path: str | Path, out: str | Path, **options: Any) -> SweepSummary:
    """Load a sweep file and run it (``options`` as for :func:`run_sweep`)."""
    return run_sweep(load_sweep(path), out, **options)
