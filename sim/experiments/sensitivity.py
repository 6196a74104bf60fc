"""Global sensitivity analysis: Morris elementary effects and Sobol indices (SALib).

A spec file (TOML, schema :class:`SensitivitySpec`) declares parameter ranges (by default
each parameter's plausible range in the schema), the outputs (metrics) and the method. The
SALib sample becomes the design points of a sweep, so the runs use every core or a Dask
cluster, are saved as they end and resume after a crash; each sample's output is the mean over
its replications (common random numbers across samples).

With ``compare = "OTHER.toml"`` each sample is run on both scenarios with the same seeds and
the output is the mean paired change ``base - compare``: the indices then say what moves the
reform's effect, not what moves one model's level (issue 16).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from sim.experiments.results import write_parquet
from sim.experiments.robustness import Uncertain, paired_sweep
from sim.experiments.robustness_analysis import sample_table
from sim.experiments.specs import SpecModel, check_metrics, dotted_tables
from sim.experiments.sweep import (
    SweepError,
    SweepSummary,
    build_sweep,
    format_errors,
    param_dtype,
    run_sweep,
    wrong_kind,
)
from sim.scenario import ScenarioError, parameter_table, read_toml

TABLE_FILE, PLOT_FILE = "sensitivity.parquet", "sensitivity.png"


class Parameter(SpecModel):
    """A parameter and its range (integers are rounded to whole numbers).

    ``low`` and ``high`` default to the parameter's plausible range in the schema.
    """

    key: str
    low: float | None = Field(None, allow_inf_nan=False)
    high: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _schema_range(cls, data: Any) -> Any:
        if not isinstance(data, dict) or ("low" in data and "high" in data):
            return data
        plausible = {r["key"]: r["plausible"] for r in parameter_table()}.get(data.get("key"))
        if plausible is None:
            raise ValueError(f"'{data.get('key')}' has no plausible range in the schema: give "
                             f"low and high")
        return {"low": float(plausible[0]), "high": float(plausible[1]), **data}

    @model_validator(mode="after")
    def _order(self) -> Parameter:
        if self.low is None or self.high is None:
            raise ValueError("give low and high")
        if not self.high > self.low:
            raise ValueError(f"high ({self.high:g}) must exceed low ({self.low:g})")
        return self


class Morris(SpecModel):
    """Morris design: ``trajectories`` x (parameters + 1) samples."""

    trajectories: int = Field(10, ge=2, le=10000)
    levels: int = Field(4, ge=2, le=100)


class Sobol(SpecModel):
    """Saltelli design: n x (parameters + 2) samples (x (2 parameters + 2) with 2nd order)."""

    n: int = Field(64, ge=2, le=1_000_000)  # a power of 2 keeps Sobol' sequences balanced
    second_order: bool = False


class SensitivitySpec(SpecModel):
    """A sensitivity spec file. ``base`` is relative to the spec file."""

    name: str = ""
    base: str = Field(min_length=1)
    compare: str | None = None  # outputs become paired changes base - compare
    method: Literal["morris", "sobol"] = "morris"
    outputs: list[str] = Field(min_length=1)
    parameters: list[Parameter] = Field(min_length=2)
    replications: int = Field(1, ge=1, le=10000)
    seed: int | None = Field(None, ge=0)
    sample_seed: int = Field(0, ge=0)
    days: float | None = Field(None, gt=0, allow_inf_nan=False)
    warmup_days: float | None = Field(None, ge=0, allow_inf_nan=False)
    follow_up_days: float | None = Field(None, ge=0, allow_inf_nan=False)
    fixed: dict[str, Any] = Field(default_factory=dict)  # overrides applied at every sample
    morris: Morris = Morris()
    sobol: Sobol = Sobol()

    _flat = dotted_tables("fixed")

    @model_validator(mode="after")
    def _known(self) -> SensitivitySpec:
        check_metrics("outputs", self.outputs)
        return self


def load_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate a spec file (errors name the file and the field)."""
    p = Path(path)
    try:
        data = read_toml(p)
    except ScenarioError as e:
        raise SweepError(str(e)) from None
    if (msg := wrong_kind(p, data, "sensitivity")) is not None:
        raise SweepError(msg)
    try:
        return SensitivitySpec.model_validate(data)
    except ValidationError as e:
        raise SweepError(format_errors(e, str(p), SensitivitySpec)) from None


def problem(spec: SensitivitySpec) -> dict[str, Any]:
    """The SALib problem dictionary."""
    return {"num_vars": len(spec.parameters), "names": [p.key for p in spec.parameters],
            "bounds": [[p.low, p.high] for p in spec.parameters]}


def sample(spec: SensitivitySpec) -> np.ndarray:
    """The SALib sample, integer parameters rounded to the values actually run."""
    from SALib.sample import morris, sobol  # noqa: PLC0415
    prob = problem(spec)
    if spec.method == "morris":
        x = morris.sample(prob, spec.morris.trajectories, num_levels=spec.morris.levels,
                          seed=spec.sample_seed)
    else:
        x = sobol.sample(prob, spec.sobol.n, calc_second_order=spec.sobol.second_order,
                         seed=spec.sample_seed)
    for j, p in enumerate(spec.parameters):
        if param_dtype(p.key) == "int64":
            x[:, j] = np.round(x[:, j])
    return x


def analyse(spec: SensitivitySpec, x: np.ndarray, y: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per output and parameter with the method's indices and their 95% intervals."""
    from SALib.analyze import morris, sobol  # noqa: PLC0415
    prob = problem(spec)
    rows = []
    for out in spec.outputs:
        if np.ptp(y[out]) == 0:  # a constant output: no effect or variance to apportion
            cols = ("mu", "mu_star", "mu_star_conf", "sigma") if spec.method == "morris" \
                else ("S1", "S1_conf", "ST", "ST_conf")
            res = {c: np.zeros(len(prob["names"])) for c in cols}
        elif spec.method == "morris":
            res = morris.analyze(prob, x, y[out], num_levels=spec.morris.levels,
                                 seed=spec.sample_seed)
            cols = ("mu", "mu_star", "mu_star_conf", "sigma")
        else:
            res = sobol.analyze(prob, y[out], calc_second_order=spec.sobol.second_order,
                                seed=spec.sample_seed)
            cols = ("S1", "S1_conf", "ST", "ST_conf")
        for j, name in enumerate(prob["names"]):
            rows.append({"method": spec.method, "output": out, "parameter": name,
                         **{c: float(res[c][j]) for c in cols}})
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path) -> None:
    """Bar charts per output: mu* (Morris) or first-order and total Sobol indices."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    outputs = list(dict.fromkeys(table["output"]))
    fig = Figure(figsize=(6, 2.2 + 1.6 * len(outputs)), layout="constrained")
    FigureCanvasAgg(fig)  # Agg: no display needed
    axs = fig.subplots(len(outputs), 1, squeeze=False)[:, 0]
    morris = table["method"].iloc[0] == "morris"
    for ax, out in zip(axs, outputs, strict=True):
        t = table[table["output"] == out]
        y = np.arange(len(t))
        if morris:
            ax.barh(y, t["mu_star"], xerr=t["mu_star_conf"], color="#4c72b0")
            ax.set_xlabel("mu* (mean |effect| of moving across the whole range)")
        else:
            ax.barh(y - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
            ax.barh(y + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total ST")
            ax.set_xlabel("Sobol index")
            ax.legend(loc="lower right", fontsize="small")
        ax.set_yticks(y, t["parameter"])
        ax.set_title(out, fontsize="medium")
    fig.savefig(path, dpi=120)


def run_sensitivity(path: str | Path, out: str | Path, **sweep_options: Any
                    ) -> tuple[pd.DataFrame, SweepSummary]:
    """Sample, run (as a resumable sweep in ``out``), analyse, and write the table and plot.

    Args:
        path: The spec file.
        out: The output folder (runs as in a sweep, plus sensitivity.parquet and .png).
        **sweep_options: Passed to :func:`run_sweep` (workers, backend, resume, progress...).

    Raises:
        SweepError: a bad spec, or runs that failed (no index can be computed without them).

    """
    p = Path(path)
    spec = load_spec(p)
    x = sample(spec)
    keys = [q.key for q in spec.parameters]
    values = [{k: (int(v) if param_dtype(k) == "int64" else float(v)) for k, v in
               zip(keys, row, strict=True)} for row in x]
    fixed = dict(spec.fixed) | {k: getattr(spec, k) for k in ("days", "warmup_days",
                                                                 "follow_up_days")
                                if getattr(spec, k) is not None}
    extra = {"sensitivity": spec.model_dump(mode="json")}
    if spec.compare is None:
        sweep = build_sweep(str(p), p.parent / spec.base, values, keys, spec.replications,
                            spec.seed, fixed, name=spec.name or p.stem,
                            text=p.read_text(encoding="utf-8"), key_metrics=spec.outputs,
                            extra=extra)
    else:
        sweep, invalid = paired_sweep(str(p), p.parent / spec.compare, p.parent / spec.base,
                                      values, keys, spec.replications, spec.seed, fixed,
                                      name=spec.name or p.stem,
                                      text=p.read_text(encoding="utf-8"),
                                      key_metrics=spec.outputs, extra=extra)
        if invalid:
            i, why = next(iter(invalid.items()))
            raise SweepError(f"{p}: sample {i} is not a valid scenario ({why}); narrow the "
                             f"ranges (every sample of the design is needed)")
    summary = run_sweep(sweep, out, **sweep_options)
    if summary.failed:
        raise SweepError(f"{len(summary.failed)} run(s) failed, so no index can be computed; "
                         f"first: {summary.failed[0][0]}: {summary.failed[0][1]}")
    if spec.compare is None:
        means = summary.table.groupby("point", sort=True)[spec.outputs].mean()
        y = {o: means[o].to_numpy(float) for o in spec.outputs}
    else:
        params = [Uncertain(q.key, q.low, q.high, False) for q in spec.parameters]
        eff = sample_table(summary.table, sweep, params, spec.outputs)
        y = {o: eff[f"effect:{o}"].to_numpy(float) for o in spec.outputs}
    missing = [o for o in spec.outputs if np.isnan(y[o]).any()]
    if missing:
        raise SweepError(f"outputs: {missing[0]} is undefined in some runs (e.g. no events of "
                         "that kind); choose another output or a longer horizon")
    table = analyse(spec, x, y)
    write_parquet(table, Path(out) / TABLE_FILE)
    plot(table, Path(out) / PLOT_FILE)
    return table, summary
