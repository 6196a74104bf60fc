"""The Python interface for notebooks: the command line's operations, returning DataFrames.

Each function does what the ``policesim`` command of the same name does (same seeds, same
numbers, same ``--out`` folders) and returns pandas DataFrames instead of printing. A guided
page with examples that the test suite runs is ``docs/api.md``.

>>> from sim import api
>>> df = api.run("scenarios/center_office.toml", reps=2,
...              overrides=["days=10", "warmup_days=2", "township.villages=4"])
>>> list(df["replication"])
[0, 1]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.experiments import run as _run
from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import METRICS
from sim.experiments.results import (
    claim_dir,
    csv_beside,
    fingerprint,
    read_manifest,
    write_json,
    write_parquet,
    write_run,
)
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["METRICS", "ScenarioError", "compare", "load_results", "run", "scenario", "summarize",
           "sweep"]

ScenarioLike = str | Path | Scenario


def scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load and check a scenario file, with ``key=value`` overrides as ``--set`` takes them.

    Raises:
        sim.scenario.ScenarioError: a key, value or file that is not valid.

    """
    scn = load_scenario(Path(path), list(overrides))
    layouts_for(scn)  # a broken CSV layout fails here, as on the command line
    return scn


def _scenario(s: ScenarioLike, overrides: Sequence[str]) -> tuple[Scenario, str]:
    if isinstance(s, Scenario):
        if overrides:
            raise ValueError("overrides apply to a scenario file; pass a path, or change the "
                             "Scenario with model_copy")
        return s, s.name
    return scenario(s, overrides), str(s)


def _metrics_frame(results: Sequence[_run.RunResult]) -> pd.DataFrame:
    return pd.DataFrame([{"replication": r.replication, "seed": r.seed, **r.metrics}
                         for r in results], columns=["replication", "seed", *METRICS])


def run(scenario: ScenarioLike, reps: int = 1, seed: int | None = None,
        overrides: Sequence[str] = (), out: str | Path | None = None, force: bool = False,
        csv: bool = False, progress: bool = False) -> pd.DataFrame:
    """Run replications of a scenario, like ``policesim run``.

    Args:
        scenario: A scenario file (or a :class:`~sim.scenario.Scenario`).
        reps: Replications; replication k is seeded ``SeedSequence(seed, spawn_key=(k,))``.
        seed: Root seed (default: the scenario's).
        overrides: ``key=value`` strings, as ``--set`` takes them.
        out: Write the per-event tables and a manifest here (as ``--out``).
        force: Replace other results in ``out`` (as ``--force``).
        csv: Also write CSV beside each Parquet table.
        progress: Show a progress bar on stderr.

    Returns:
        One row per replication: ``replication``, ``seed`` and every metric of
        :data:`METRICS` (the numbers ``policesim run --json`` gives per replication).

    """
    scn, source = _scenario(scenario, overrides)
    fp = fingerprint("run", scn.model_dump(mode="json"), scn.seed if seed is None else seed,
                     reps)
    if out is not None:
        claim_dir(out, "run", fp, force=force)
    results = _run.run_replications(scn, reps, seed, progress=progress)
    if out is not None:
        write_run(out, results, "run", source=source, overrides=list(overrides), fingerprint=fp)
        if csv:
            csv_beside(out)
    return _metrics_frame(results)


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Each metric's mean with its 95% interval over replications (the ``run`` table).

    Args:
        metrics: A frame with one row per replication and metric columns (from :func:`run`).

    Returns:
        One row per metric: ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``.

    """
    rows = []
    for key in METRICS:
        if key not in metrics:
            continue
        x = [v for v in metrics[key].to_numpy(float) if not math.isnan(v)]
        m, lo, hi = _run.mean_ci(x)
        rows.append({"metric": key, "mean": m, "ci_low": lo, "ci_high": hi, "n": len(x)})
    return pd.DataFrame(rows, columns=["metric", "mean", "ci_low", "ci_high", "n"])


def compare(a: ScenarioLike, b: ScenarioLike, reps: int = 10, seed: int | None = None,
            overrides: Sequence[str] = (), out: str | Path | None = None, force: bool = False,
            csv: bool = False, progress: bool = False) -> pd.DataFrame:
    """Compare two scenarios pair by pair (B - A, common random numbers), like ``compare``.

    Args:
        a: The baseline scenario file (or Scenario).
        b: The other scenario file (or Scenario).
        reps: Paired replications.
        seed: Root seed of both (default: A's).
        overrides: ``key=value`` strings applied to both.
        out: Write both runs and the comparison here (as ``--out``).
        force: Replace other results in ``out``.
        csv: Also write CSV beside each Parquet table.
        progress: Show a progress bar on stderr.

    Returns:
        One row per metric: ``metric``, ``mean_a``, ``mean_b``, ``diff`` (B - A), ``ci_low``,
        ``ci_high`` (paired 95% interval), ``rel_change``, ``pairs``, ``rel_ci_low`` and
        ``rel_ci_high`` (Fieller's interval on the paired ratio) and ``correlation`` (between
        the sides' per-replication values): the table the command prints, and
        ``comparison.parquet``.

    """
    sa, src_a = _scenario(a, overrides)
    sb, src_b = _scenario(b, overrides)
    fp = fingerprint("compare", sa.model_dump(mode="json"), sb.model_dump(mode="json"),
                     sa.seed if seed is None else seed, reps)
    if out is not None:
        claim_dir(out, "compare", fp, force=force)
    ra, rb, table = _run.compare(sa, sb, reps, seed, progress=progress)
    if out is not None:
        o = Path(out)
        write_run(o / "a", ra, "run", source=src_a)
        write_run(o / "b", rb, "run", source=src_b)
        write_parquet(table, o / "comparison.parquet")
        write_json({"kind": "compare", "a": src_a, "b": src_b, "name_a": sa.name,
                    "name_b": sb.name, "reps": reps, "seed": ra[0].seed, "fingerprint": fp,
                    "status": "complete", "pairs": len(ra)}, o / "manifest.json")
        if csv:
            csv_beside(o)
    return table


def sweep(sweep_file: str | Path, out: str | Path, workers: int | None = 1,
          resume: bool = False, force: bool = False, progress: bool = False) -> pd.DataFrame:
    """Run a sweep file into ``out`` (resumable), like ``policesim sweep``.

    Returns:
        ``runs.parquet``: one row per run (``point``, ``replication``, the swept parameters,
        every metric, ``status``).

    Raises:
        sim.experiments.sweep.SweepError: a bad sweep file, or ``out`` holds other results.

    """
    from sim.experiments.sweep import run_sweep_file  # noqa: PLC0415 (loads SciPy's qmc)
    return run_sweep_file(sweep_file, out, workers=workers, resume=resume, force=force,
                          progress=progress).table


def load_results(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read a ``run``, ``compare`` or ``sweep`` ``--out`` folder into DataFrames.

    Returns:
        Table name -> DataFrame. A run folder: ``metrics`` (one row per replication) and the
        per-event tables (``calls``, ``disputes``, ...). A comparison: ``comparison`` and
        ``a/metrics``, ``b/metrics``, ``a/calls``, ... A sweep: ``runs`` and, when finished,
        ``summary`` (per point and metric) and ``paired`` (against the baseline point).

    Raises:
        FileNotFoundError: no ``manifest.json`` in the folder.
        ValueError: a folder of an unknown kind.

    """
    p = Path(folder)
    kind = read_manifest(p).get("kind")
    subs = {"run": [""], "compare": ["", "a/", "b/"], "sweep": [""]}.get(str(kind))
    if subs is None:
        raise ValueError(f"{p}: a {kind!r} folder; expected a run, compare or sweep folder")
    out = {}
    for sub in subs:
        for f in sorted((p / sub).glob("*.parquet")):
            out[f"{sub}{f.stem}"] = pd.read_parquet(f)
    return out
