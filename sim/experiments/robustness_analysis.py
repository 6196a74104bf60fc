"""The analysis of a robustness run: conditioning, effect distributions, tipping points, indices.

Everything here is a function of the runs table and the design, so a resumed run and an
uninterrupted one give the same tables.

* **Conditioning** (history matching with a stated tolerance). Each sample's baseline is set
  beside the source report's figures, read as intervals with a tolerance
  (:data:`sim.experiments.calibration.FIGURES`: disputes' share of calls, injury crimes'
  share from disputes, villages beyond 20 km, the farthest drive). A figure's implausibility is
  ``|model - middle| / (half-width + tolerance)`` of its reading, so 1 is the edge of the
  tolerated interval; a sample is consistent with the report when its largest implausibility
  is at most the spec's cutoff (1 by default: rejection with the stated tolerances).
* **Effects**: per sample, the mean over replications of the paired difference reform -
  baseline; over samples, its median, 5-95% range and the share of samples where the reform is
  better, with Monte Carlo 95% intervals (the error of those summaries from the finite number
  of samples and replications: a bootstrap over samples for the median, Clopper-Pearson for
  the share).
* **Tipping points**: PRIM boxes (:mod:`sim.experiments.discovery`) of the samples where the
  reform's gain falls short of each spec threshold.
* **Indices**: first-order Sobol indices of each paired effect by RBD-FAST (SALib; Tarantola
  et al. 2006, bias-corrected as Tissot and Prieur 2012), which reads them from the Latin
  hypercube or Sobol' sample itself, with bootstrap intervals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.calibration import FIGURES, township_profile
from sim.experiments.discovery import find_box
from sim.experiments.results import write_json, write_parquet
from sim.experiments.robustness import (
    HIGHER_IS_BETTER,
    RobustnessSpec,
    Threshold,
    Uncertain,
)
from sim.experiments.sweep import RUNS_FILE, Sweep, SweepError

SAMPLES_FILE, EFFECTS_FILE, INDICES_FILE = "samples.parquet", "effects.parquet", "indices.parquet"
SUMMARY_JSON = "robustness.json"
#: The report's figures a baseline is checked against (calibration targets only).
TARGETS = tuple(f for f in FIGURES if f.target)
#: Bootstrap resamples for the Monte Carlo intervals of the summaries.
BOOTSTRAP = 1000
#: The fewest consistent samples PRIM and the conditioned summaries are worth computing on.
MIN_SCOPE = 8


def implausibility(value: float, low: float, high: float, tolerance: float) -> float:
    """``|value - middle| / (half-width + tolerance)`` of a reading ``[low, high]``."""
    if math.isnan(value):
        return math.inf
    scale = (high - low) / 2 + tolerance
    return abs(value - (low + high) / 2) / scale if scale > 0 else (
        0.0 if value == low else math.inf)


def sample_table(table: pd.DataFrame, sweep: Sweep, params: list[Uncertain],
                 metrics: list[str]) -> pd.DataFrame:
    """One row per sample run on both sides: parameters, both sides' means, paired effects.

    ``effect:<m>`` is the mean over replications of reform - baseline (pairs of the same
    replication, both ok and defined); ``effect_half:<m>`` its 95% half-width (NaN with one
    replication); ``a:<m>``, ``b:<m>`` the two sides' means.
    """
    ok = table[table["status"] == "ok"]
    side = ok.assign(sample=ok["point"] // 2, side=ok["point"] % 2)
    wide = side.pivot_table(index=["sample", "replication"], columns="side",
                            values=metrics, aggfunc="first", dropna=False)
    keys = [p.key for p in params]
    rows = []
    first = {p.index // 2: p for p in sweep.points if p.index % 2 == 0}
    for s, grp in wide.groupby(level="sample", sort=True):
        row: dict[str, Any] = {"sample": int(s), **{k: first[int(s)].values[k] for k in keys}}
        for m in metrics:
            a = grp[(m, 0)].to_numpy(float) if (m, 0) in grp else np.array([np.nan])
            b = grp[(m, 1)].to_numpy(float) if (m, 1) in grp else np.array([np.nan])
            d = b - a
            d = d[~np.isnan(d)]
            row[f"a:{m}"] = float(np.nanmean(a)) if (~np.isnan(a)).any() else math.nan
            row[f"b:{m}"] = float(np.nanmean(b)) if (~np.isnan(b)).any() else math.nan
            row[f"effect:{m}"] = float(d.mean()) if len(d) else math.nan
            row[f"effect_half:{m}"] = _half_width(d)
        row["pairs"] = len(grp)
        rows.append(row)
    return pd.DataFrame(rows)


def _half_width(d: np.ndarray) -> float:
    if len(d) < 2:
        return math.nan
    from scipy import stats  # noqa: PLC0415
    return float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def condition(samples: pd.DataFrame, baseline_means: pd.DataFrame,
              profiles: pd.DataFrame, cutoff: float = 1.0) -> pd.DataFrame:
    """Add each target's value and implausibility, the largest, and ``consistent``.

    Args:
        samples: From :func:`sample_table`.
        baseline_means: Per sample (index), the baseline's mean of each run-metric target.
        profiles: Per sample (index), the distance-profile targets of its township.
        cutoff: The largest implausibility of a consistent sample.

    """
    out = samples.copy()
    worst = np.zeros(len(out))
    for f in TARGETS:
        src = profiles if f.key in profiles.columns else baseline_means
        vals = src[f.key].reindex(out["sample"]).to_numpy(float)
        imp = np.array([implausibility(v, f.low, f.high, f.tolerance) for v in vals])
        out[f"target:{f.key}"] = vals
        out[f"implausibility:{f.key}"] = imp
        worst = np.maximum(worst, imp)
    out["implausibility"] = worst
    out["consistent"] = worst <= cutoff
    return out


def improvement(samples: pd.DataFrame, metric: str, relative: bool = False) -> np.ndarray:
    """The reform's gain per sample: the fall of a lower-is-better metric, the rise of others."""
    eff = samples[f"effect:{metric}"].to_numpy(float)
    gain = eff if metric in HIGHER_IS_BETTER else -eff
    if relative:
        base = samples[f"a:{metric}"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = gain / np.abs(base)
    return gain


def _bootstrap(x: np.ndarray, stat, rng: np.random.Generator) -> tuple[float, float]:
    if len(x) < 2:
        return math.nan, math.nan
    idx = rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))
    vals = np.array([stat(x[i]) for i in idx])
    return float(np.quantile(vals, 0.025)), float(np.quantile(vals, 0.975))


def _share_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper-Pearson 95% interval of a share k / n (exact; not degenerate at 0 or n)."""
    if n == 0:
        return math.nan, math.nan
    from scipy.stats import binomtest  # noqa: PLC0415
    ci = binomtest(k, n).proportion_ci(0.95, method="exact")
    return float(ci.low), float(ci.high)


def _q(v: np.ndarray, p: float) -> float:
    return float(np.quantile(v, p)) if len(v) else math.nan


def effect_summary(samples: pd.DataFrame, metrics: list[str], scope: str,
                   seed: int = 0) -> pd.DataFrame:
    """Per metric over the samples given: the effect's median, 5-95% range, P(reform better).

    ``median_mc_*`` is a bootstrap 95% interval over samples, ``p_better_mc_*`` the exact
    (Clopper-Pearson) 95% interval of the share; ``mc_half_width`` is the
    median within-sample 95% half-width of the paired effect (replication noise; NaN with one
    replication per sample).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for m in metrics:
        eff = samples[f"effect:{m}"].to_numpy(float)
        keep = ~np.isnan(eff)
        eff, gain = eff[keep], improvement(samples, m)[keep]
        rel = gain / np.abs(samples[f"a:{m}"].to_numpy(float)[keep])
        better = (gain > 0).astype(float)
        n = int(keep.sum())
        med_lo, med_hi = _bootstrap(eff, np.median, rng)
        pb_lo, pb_hi = _share_interval(int(better.sum()), n)
        rows.append({
            "metric": m, "scope": scope, "n": n,
            "median": _q(eff, 0.5), "p05": _q(eff, 0.05), "p95": _q(eff, 0.95),
            "median_mc_low": med_lo, "median_mc_high": med_hi,
            "p_better": float(better.mean()) if n else math.nan,
            "p_better_mc_low": pb_lo, "p_better_mc_high": pb_hi,
            "rel_median": _q(rel[np.isfinite(rel)], 0.5), "rel_p05": _q(rel[np.isfinite(rel)],
                                                                         0.05),
            "rel_p95": _q(rel[np.isfinite(rel)], 0.95),
            "a_median": _q(samples[f"a:{m}"].dropna().to_numpy(), 0.5),
            "a_p05": _q(samples[f"a:{m}"].dropna().to_numpy(), 0.05),
            "a_p95": _q(samples[f"a:{m}"].dropna().to_numpy(), 0.95),
            "b_median": _q(samples[f"b:{m}"].dropna().to_numpy(), 0.5),
            "b_p05": _q(samples[f"b:{m}"].dropna().to_numpy(), 0.05),
            "b_p95": _q(samples[f"b:{m}"].dropna().to_numpy(), 0.95),
            "mc_half_width": float(np.nanmedian(samples[f"effect_half:{m}"]))
            if samples[f"effect_half:{m}"].notna().any() else math.nan})
    return pd.DataFrame(rows)


def tipping_points(samples: pd.DataFrame, params: list[Uncertain], thresholds: list[Threshold],
                   scope: str, density: float = 0.8) -> list[dict[str, Any]]:
    """Per threshold: how often the reform falls short, and PRIM's box of where it does."""
    keys = [p.key for p in params]
    out = []
    for t in thresholds:
        gain = improvement(samples, t.metric, t.relative)
        keep = ~np.isnan(gain)
        short = gain[keep] < t.gain
        box = find_box(samples.loc[keep, keys], short, density) if keep.sum() >= MIN_SCOPE \
            else None
        out.append({"metric": t.metric, "gain": t.gain, "relative": t.relative, "scope": scope,
                    "n": int(keep.sum()), "short": int(short.sum()),
                    "p_short": float(short.mean()) if keep.any() else math.nan,
                    "box": box.as_dict() if box is not None else None})
    return out


def indices(samples: pd.DataFrame, params: list[Uncertain], metrics: list[str],
            seed: int = 0) -> pd.DataFrame:
    """First-order Sobol indices of each paired effect (RBD-FAST on the design's samples)."""
    from SALib.analyze import rbd_fast  # noqa: PLC0415
    keys = [p.key for p in params]
    prob = {"num_vars": len(keys), "names": keys, "bounds": [[p.low, p.high] for p in params]}
    rows = []
    for m in metrics:
        y = samples[f"effect:{m}"].to_numpy(float)
        keep = ~np.isnan(y)
        x = samples.loc[keep, keys].to_numpy(float)
        if keep.sum() < 2 * 10 + 2 or np.ptp(y[keep]) == 0:  # RBD-FAST's 10 harmonics
            s1 = conf = np.full(len(keys), np.nan)
        else:
            res = rbd_fast.analyze(prob, x, y[keep], M=10, seed=seed)
            s1, conf = np.asarray(res["S1"], float), np.asarray(res["S1_conf"], float)
        rows += [{"metric": m, "parameter": k, "S1": float(a), "S1_conf": float(c)}
                 for k, a, c in zip(keys, s1, conf, strict=True)]
    return pd.DataFrame(rows)


def distinguishable(idx: pd.DataFrame) -> dict[str, list[str] | None]:
    """Per metric, the parameters whose index interval excludes 0, largest first.

    None for a metric whose first-order indices (negative ones as 0) sum above 1: a
    variance cannot be split into more than the whole, so the estimates
    are not yet reliable (too few samples for the parameters, or a sample RBD-FAST does not
    suit: it assumes a random or Latin-hypercube sample, and a Sobol' net is neither).
    """
    out: dict[str, list[str] | None] = {}
    for m, g in idx.groupby("metric", sort=False):
        if g["S1"].isna().all():
            continue
        if g["S1"].clip(lower=0).sum() > 1:
            out[str(m)] = None
            continue
        out[str(m)] = g[g["S1"] - g["S1_conf"] > 0].sort_values("S1", ascending=False)[
            "parameter"].tolist()
    return out


def profiles_of(sweep: Sweep) -> pd.DataFrame:
    """Per sample: the distance profile of its baseline township (computed once per layout)."""
    cache: dict[str, dict[str, float]] = {}
    rows = {}
    for p in sweep.points:
        if p.index % 2:
            continue
        key = json.dumps([p.scenario.township.model_dump(mode="json"),
                          p.scenario.travel.model_dump(mode="json")], sort_keys=True)
        if key not in cache:
            cache[key] = township_profile(p.scenario)
        rows[p.index // 2] = cache[key]
    return pd.DataFrame.from_dict(rows, orient="index")


def analyse(table: pd.DataFrame, spec: RobustnessSpec, sweep: Sweep, params: list[Uncertain],
            profiles: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           pd.DataFrame, dict[str, Any]]:
    """Samples, effect summaries, indices and the summary dict from a runs table."""
    run_targets = [f.key for f in TARGETS if f.key in table.columns]
    metrics = list(dict.fromkeys([*spec.metrics, *(t.metric for t in spec.thresholds),
                                  *run_targets]))
    samples = sample_table(table, sweep, params, metrics)
    if samples.empty:
        raise SweepError("no sample has a finished run on both sides")
    if spec.condition:
        base = samples.set_index("sample")[[f"a:{k}" for k in run_targets]]
        base.columns = run_targets
        prof = profiles_of(sweep) if profiles is None else profiles
        samples = condition(samples, base, prof, spec.implausibility_cutoff)
    else:
        samples["implausibility"], samples["consistent"] = 0.0, True
    scopes = {"all": samples, "consistent": samples[samples["consistent"]]}
    effects = pd.concat([effect_summary(s, spec.metrics, name, spec.design_seed)
                         for name, s in scopes.items()], ignore_index=True)
    tips = [tp for name, s in scopes.items() if len(s) >= MIN_SCOPE
            for tp in tipping_points(s, params, spec.thresholds, name, spec.prim_density)]
    idx = indices(samples, params, spec.metrics, spec.design_seed)
    info = sweep.extra.get("robustness", {})
    summary = {
        "name": sweep.name, "samples": spec.samples, "replications": spec.replications,
        "design": spec.design, "run_samples": len(samples),
        "consistent_samples": int(samples["consistent"].sum()),
        "conditioned": spec.condition, "implausibility_cutoff": spec.implausibility_cutoff,
        "prim_density": spec.prim_density,
        "targets": [{"key": f.key, "figure": f.figure, "reported": f.reported, "low": f.low,
                     "high": f.high, "tolerance": f.tolerance,
                     "consistent_share": float((samples[f"implausibility:{f.key}"]
                                                <= spec.implausibility_cutoff).mean())
                     if f"implausibility:{f.key}" in samples else None} for f in TARGETS],
        "parameters": [{"key": p.key, "low": p.low, "high": p.high} for p in params],
        "excluded": info.get("excluded", {}), "invalid_samples": info.get("invalid_samples", {}),
        "metrics": spec.metrics, "tipping_points": tips,
        "indices_distinguishable": distinguishable(idx),
        "indices_sum": {m: float(g["S1"].sum()) for m, g in idx.groupby("metric", sort=False)
                        if g["S1"].notna().any()},
        "days": sweep.points[0].scenario.days, "runs": len(table),
        "failed_runs": int((table["status"] != "ok").sum())}
    return samples, effects, idx, summary


def analyse_folder(out: Path, spec: RobustnessSpec, sweep: Sweep,
                   params: list[Uncertain]) -> dict[str, Any]:
    """Analyse ``out/runs.parquet`` and write the samples, effects, indices and summary."""
    table = pd.read_parquet(out / RUNS_FILE)
    samples, effects, idx, summary = analyse(table, spec, sweep, params)
    write_parquet(samples, out / SAMPLES_FILE)
    write_parquet(effects, out / EFFECTS_FILE)
    write_parquet(idx, out / INDICES_FILE)
    write_json(summary, out / SUMMARY_JSON)
    return summary
