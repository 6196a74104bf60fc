"""Writing and reading run outputs: Parquet tables per replication plus a manifest."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.experiments.equity import cluster_outcomes, village_outcomes
from sim.experiments.run import RunResult

TABLES = ("calls", "disputes", "injuries", "workload", "villages", "visits")
MANIFEST = "manifest.json"


class OutputError(OSError):
    """An output folder that cannot be written."""


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a table atomically as zstd Parquet."""
    _atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False, compression="zstd"))


def write_json(obj: Any, path: Path) -> None:
    """Write JSON atomically."""
    def w(tmp: str) -> None:
        Path(tmp).write_text(json.dumps(obj, indent=2, default=str) + "\n", encoding="utf-8")
    _atomic_write(path, w)


def prepare_dir(out: str | Path) -> Path:
    """Create an output folder, failing clearly if it cannot be written."""
    p = Path(out)
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = p / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise OutputError(f"{p}: cannot write output here ({e.strerror or e})") from None
    return p


def manifest(results: Sequence[RunResult], kind: str, **extra: Any) -> dict[str, Any]:
    """Provenance: resolved scenario, seeds, package and library versions."""
    import mesa  # noqa: PLC0415
    import numpy  # noqa: PLC0415
    first = results[0]
    return {"kind": kind, "policesim_version": sim.__version__, "mesa_version": mesa.__version__,
            "numpy_version": numpy.__version__, "python": platform.python_version(),
            "scenario": first.scenario.model_dump(mode="json"), "seed": first.seed,
            "replications": [r.replication for r in results],
            "seed_rule": "replication k: numpy SeedSequence(seed, spawn_key=(k,)); one child "
                         "per named stream", **extra}


def write_run(out: str | Path, results: Sequence[RunResult], kind: str = "run",
              **extra: Any) -> Path:
    """Write every table (all replications stacked, with a ``replication`` column).

    Besides the record tables: ``metrics.parquet`` (one row per replication) and
    ``village_outcomes.parquet`` and ``cluster_outcomes.parquet`` (response time and
    escalation per village, and per cluster, and replication).
    """
    p = prepare_dir(out)
    for name in TABLES:
        frames = []
        for r in results:
            df = getattr(r.tables, name).copy()
            df.insert(0, "replication", r.replication)
            frames.append(df)
        write_parquet(pd.concat(frames, ignore_index=True), p / f"{name}.parquet")
    outcomes = [village_outcomes(r.tables).assign(replication=r.replication) for r in results]
    write_parquet(pd.concat(outcomes, ignore_index=True), p / "village_outcomes.parquet")
    write_parquet(pd.concat([cluster_outcomes(v).assign(replication=v["replication"].iloc[0])
                             for v in outcomes], ignore_index=True),
                  p / "cluster_outcomes.parquet")
    metrics = pd.DataFrame([{"replication": r.replication, **r.metrics} for r in results])
    write_parquet(metrics, p / "metrics.parquet")
    write_json(manifest(results, kind, **extra), p / MANIFEST)
    return p


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read a results folder's manifest."""
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
