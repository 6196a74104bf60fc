"""How sure are we: the reform's paired effect across every plausible assumption.

A robustness spec (TOML, schema :class:`RobustnessSpec`, example ``scenarios/robustness/``)
names the two scenarios to compare, the uncertain parameters (by default every ``assumption``
and ``calibrated`` parameter of the schema with a plausible range, read from
:func:`~sim.scenario.parameter_table` at run time), a design (Latin hypercube or scrambled
Sobol' sequence, :mod:`scipy.stats.qmc`), the number of samples and the replications per
sample. Sample *i* is run on both sides with the same seeds (common random numbers): its
baseline is sweep point ``2i`` and its reform ``2i + 1`` of one resumable sweep
(:mod:`sim.experiments.sweep`), so runs are saved as they end, resume after a crash and run on
every core or a Dask cluster.

The analysis (:mod:`sim.experiments.robustness_analysis`) then conditions each sample's
baseline on the source report's figures, summarises the paired effects over all samples and
over the consistent ones, finds where the reform falls short (PRIM) and apportions the
effect's variance among the parameters (first-order Sobol indices).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from scipy.stats import qmc

from sim.experiments.metrics import METRICS
from sim.experiments.results import write_json
from sim.experiments.specs import SpecModel, check_metrics, dotted_tables
from sim.experiments.sweep import (
    MANIFEST,
    Sweep,
    SweepError,
    SweepSummary,
    build_sweep,
    format_errors,
    param_dtype,
    run_sweep,
)
from sim.scenario import ScenarioError, parameter_table, read_toml, scenario_from_mapping

#: Parameters left out of the default uncertain set, with the reason (patterns as in fnmatch).
NOT_INDEPENDENT = {
    "disputes.share_*": "the five dispute-kind shares must sum to 1, so they cannot be sampled "
                        "independently; they are left at their defaults (not renormalised)",
    "warmup_days": "how the runs are measured, not a fact about the township",
}
#: The headline effects a spec reports unless it names others.
DEFAULT_METRICS = ("response_time_mean_min", "response_time_far_mean_min", "escalation_rate",
                   "injury_crimes_per_10k_year", "repeat_dispute_rate", "criminal_incidents")
#: Metrics where a higher value is better (for every other reported metric lower is better).
HIGHER_IS_BETTER = frozenset({"resolved_share", "proactive_contact_share"})
ROBUSTNESS_KEY = "robustness"  # the manifest entry that marks a sweep folder as a robustness run


class Threshold(SpecModel):
    """The least gain that counts as the reform helping; PRIM looks for where it falls short."""

    metric: str
    gain: float = Field(ge=0, allow_inf_nan=False)  # metric's unit or a share; 0: any gain
    relative: bool = False  # gain as a share of the baseline's value (0.1: a 10% cut)

    @model_validator(mode="after")
    def _known(self) -> Threshold:
        if self.metric not in METRICS:
            raise ValueError(f"metric: unknown metric {self.metric!r}")
        return self


class RobustnessSpec(SpecModel):
    """A robustness spec file. Scenario paths are relative to the spec file."""

    name: str = ""
    description: str = ""
    baseline: str = Field(min_length=1)  # the old model's scenario file
    reform: str = Field(min_length=1)  # the reform's scenario file
    parameters: Literal["all"] | list[str] = "all"  # "all": every plausible-range parameter
    exclude: list[str] = Field(default_factory=list)  # fnmatch patterns left out of "all"
    ranges: dict[str, list[float]] = Field(default_factory=dict)  # narrower [low, high]
    design: Literal["lhs", "sobol"] = "lhs"
    samples: int = Field(ge=4, le=100_000)
    design_seed: int = Field(0, ge=0)
    replications: int = Field(1, ge=1, le=1000)
    seed: int | None = Field(None, ge=0)  # default: the baseline scenario's
    days: float | None = Field(None, gt=0, allow_inf_nan=False)
    warmup_days: float | None = Field(None, ge=0, allow_inf_nan=False)
    fixed: dict[str, Any] = Field(default_factory=dict)  # set on both sides, every sample
    metrics: list[str] = Field(list(DEFAULT_METRICS), min_length=1)
    thresholds: list[Threshold] = Field(default_factory=list)
    condition: bool = True  # check each sample's baseline against the report's figures
    implausibility_cutoff: float = Field(1.0, gt=0, allow_inf_nan=False)
    prim_density: float = Field(0.8, gt=0, le=1)

    _flat = dotted_tables("fixed", "ranges")

    @model_validator(mode="after")
    def _rules(self) -> RobustnessSpec:
        check_metrics("metrics", self.metrics)
        for key, r in self.ranges.items():
            if len(r) != 2 or not r[0] < r[1]:
                raise ValueError(f"ranges.{key}: give [low, high] with low < high")
        return self

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, v: int, info: ValidationInfo) -> int:
        if info.data.get("design") == "sobol" and v & (v - 1):
            raise ValueError(f"a Sobol' sequence needs a power of 2 (got {v})")
        return v


@dataclasses.dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter and the range sampled."""

    key: str
    low: float
    high: float
    integer: bool


def load_spec(path: str | Path) -> RobustnessSpec:
    """Read and validate a spec file (errors name the file and the field)."""
    p = Path(path)
    try:
        return RobustnessSpec.model_validate(read_toml(p))
    except ScenarioError as e:
        raise SweepError(str(e)) from None
    except ValidationError as e:
        raise SweepError(format_errors(e, str(p))) from None


def _excluded(key: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def uncertain_parameters(spec: RobustnessSpec, source: str = "spec") -> list[Uncertain]:
    """The parameters sampled, with their ranges (the schema's plausible range by default).

    Raises:
        SweepError: a listed key with no plausible range, or a range outside the schema's.

    """
    table = {r["key"]: r for r in parameter_table()}
    fixed = set(spec.fixed) | {k for k in ("days", "warmup_days") if getattr(spec, k) is not None}
    if spec.parameters == "all":
        keys = [k for k, r in table.items() if r["kind"] in ("assumption", "calibrated")
                and r["plausible"] is not None and k not in fixed
                and not _excluded(k, [*NOT_INDEPENDENT, *spec.exclude])]
    else:
        keys = list(dict.fromkeys(spec.parameters))
    out = []
    for key in keys:
        row = table.get(key)
        if row is None or row["plausible"] is None:
            why = "unknown parameter" if row is None else "it has no plausible range in the schema"
            raise SweepError(f"{source}: parameters: '{key}': {why}")
        lo, hi = spec.ranges.get(key, row["plausible"])
        integer = param_dtype(key) == "int64"
        if not lo < hi:
            continue  # a range of one value is not uncertain
        out.append(Uncertain(key, float(lo), float(hi), integer))
    bad = [k for k in spec.ranges if k not in keys]
    if bad:
        raise SweepError(f"{source}: ranges: '{bad[0]}' is not a sampled parameter")
    if not out:
        raise SweepError(f"{source}: parameters: nothing to sample")
    return out


def unit_sample(spec: RobustnessSpec, d: int) -> np.ndarray:
    """The design on the unit cube: ``samples`` rows, ``d`` columns."""
    rng = np.random.default_rng(spec.design_seed)
    if spec.design == "sobol":
        return qmc.Sobol(d, scramble=True, rng=rng).random_base2(int(math.log2(spec.samples)))
    try:
        sampler = qmc.LatinHypercube(d=d, rng=rng)
    except TypeError:  # SciPy < 1.15 calls it seed
        sampler = qmc.LatinHypercube(d=d, seed=spec.design_seed)
    return sampler.random(spec.samples)


def scale(params: list[Uncertain], u: np.ndarray) -> list[dict[str, Any]]:
    """Unit-cube rows -> parameter values (an integer range: every whole number equally likely)."""
    rows = []
    for x in u:
        vals: dict[str, Any] = {}
        for p, v in zip(params, x, strict=True):
            if p.integer:
                lo, hi = math.ceil(p.low), math.floor(p.high)
                vals[p.key] = int(min(lo + math.floor(v * (hi - lo + 1)), hi))
            else:
                vals[p.key] = float(p.low + v * (p.high - p.low))
        rows.append(vals)
    return rows


def paired_sweep(source: str, baseline: Path, reform: Path, values: list[dict[str, Any]],
                 keys: list[str], replications: int, seed: int | None,
                 fixed: dict[str, Any], *, name: str, text: str, key_metrics: list[str],
                 extra: dict[str, Any]) -> tuple[Sweep, dict[int, str]]:
    """One sweep that runs every sample on both sides: baseline point 2i, reform point 2i+1.

    Every run shares the root seed, so replication k of both sides of every sample meets the
    same random streams (common random numbers). A sample that makes either scenario invalid
    (a cross-field rule) is left out; its reason is returned by sample index.
    """
    try:
        root = seed if seed is not None else scenario_from_mapping(
            read_toml(baseline), str(baseline)).seed
    except ScenarioError as e:
        raise SweepError(f"{source}: baseline: {e}") from None
    points, invalid = [], {}
    for i, vals in enumerate(values):
        try:
            pair = [build_sweep(source, base, [vals], keys, replications, root, fixed).points[0]
                    for base in (baseline, reform)]
        except SweepError as e:
            if "point 0" not in str(e):
                raise  # the spec itself is wrong, not this sample
            invalid[i] = str(e).split("):", 1)[-1].strip()
            continue
        points += [dataclasses.replace(pt, index=2 * i + side) for side, pt in enumerate(pair)]
    if not points:
        raise SweepError(f"{source}: every sample gives an invalid scenario; first: "
                         f"{next(iter(invalid.values()))}")
    sweep = Sweep(name, source, text, tuple(keys), tuple(points), replications, root,
                  key_metrics=tuple(key_metrics), extra=extra)
    return sweep, invalid


def load_robustness(path: str | Path, samples: int | None = None
                    ) -> tuple[RobustnessSpec, Sweep, list[Uncertain]]:
    """Read a spec and resolve its paired sweep.

    Args:
        path: The spec file.
        samples: Run this many samples instead of the spec's (a smaller design; with a
            Sobol' design, the first ``samples`` points of the spec's sequence).

    Raises:
        SweepError: naming the file and the field.

    """
    p = Path(path)
    spec = load_spec(p)
    if samples is not None:
        try:
            spec = RobustnessSpec.model_validate({**spec.model_dump(), "samples": samples})
        except ValidationError as e:
            raise SweepError(format_errors(e, f"--samples {samples}")) from None
    params = uncertain_parameters(spec, str(p))
    values = scale(params, unit_sample(spec, len(params)))
    fixed = dict(spec.fixed) | {k: getattr(spec, k) for k in ("days", "warmup_days")
                                if getattr(spec, k) is not None}
    keys = [q.key for q in params]
    excluded = dict(NOT_INDEPENDENT) | dict.fromkeys(spec.exclude, "excluded by the spec")
    info = {"spec": spec.model_dump(mode="json"),
            "parameters": [dataclasses.asdict(q) for q in params],
            "excluded": excluded if spec.parameters == "all" else {},
            "sample_values": values}
    sweep, invalid = paired_sweep(str(p), p.parent / spec.baseline, p.parent / spec.reform,
                                  values, keys, spec.replications, spec.seed, fixed,
                                  name=spec.name or p.stem, text=p.read_text(encoding="utf-8"),
                                  key_metrics=spec.metrics, extra={})
    info["invalid_samples"] = {str(k): v for k, v in invalid.items()}
    sweep = dataclasses.replace(sweep, extra={ROBUSTNESS_KEY: info})
    return spec, sweep, params


def estimate_runs(sweep: Sweep) -> int:
    """Runs the sweep needs (both sides of every valid sample x replications)."""
    return len(sweep.points) * sweep.replications


def grow_design(out: Path, sweep: Sweep) -> bool:
    """Let ``--resume`` extend a design whose saved points are the first points of ``sweep``.

    A Sobol' design's first 2^k points are the same at any larger size, so a folder holding the
    runs of a smaller design of the same spec can be continued with more samples: when every
    point saved there resolves to exactly the scenario of the same point here (same seed, same
    parameters), its manifest is marked as this design and only the new points are run.
    Returns True when the folder was adopted.
    """
    man = out / MANIFEST
    try:
        old = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (not isinstance(old, dict) or old.get("kind") != "sweep" or ROBUSTNESS_KEY not in old
            or old.get("design_hash") == sweep.design_hash()):
        return False
    new = {p.index: p.scenario.model_dump(mode="json") for p in sweep.points}
    if old.get("seed") != sweep.seed or old.get("axes") != list(sweep.axes) or not all(
            new.get(p["point"]) == p["scenario"] for p in old.get("points", [])):
        return False
    old["design_hash"] = sweep.design_hash()
    write_json(old, man)
    return True


def run_robustness(path: str | Path, out: str | Path, samples: int | None = None,
                   **sweep_options: Any) -> tuple[dict[str, Any], SweepSummary]:
    """Run a robustness spec as a resumable paired sweep in ``out``, then analyse it.

    Args:
        path: The spec file.
        out: The output folder (a sweep folder plus the analysis files).
        samples: Override the spec's number of samples (see :func:`load_robustness`).
        **sweep_options: Passed to :func:`~sim.experiments.sweep.run_sweep`.

    Returns:
        The analysis summary (also written to ``out/robustness.json``) and the sweep summary.

    Raises:
        SweepError: a bad spec or folder.

    """
    from sim.experiments.robustness_analysis import analyse_folder  # noqa: PLC0415
    spec, sweep, params = load_robustness(path, samples)
    if sweep_options.get("resume"):
        grow_design(Path(out), sweep)
    summary = run_sweep(sweep, out, **sweep_options)
    return analyse_folder(Path(out), spec, sweep, params), summary
