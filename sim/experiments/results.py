"""Writing and reading run outputs: Parquet tables per replication plus a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.experiments.equity import cluster_outcomes, village_outcomes
from sim.experiments.metrics import resources, resources_frame
from sim.experiments.run import RunResult

TABLES = ("calls", "disputes", "injuries", "workload", "villages", "visits", "staff")
MANIFEST = "manifest.json"


class OutputError(OSError):
    """An output folder that cannot be written, or that holds other results."""


def _file_mode() -> int:
    """The mode a plain ``open()`` would give a new file under the current umask (0644 at 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename into place.

    ``mkstemp`` creates its file with mode 0600; the file is given the mode the umask allows
    (as ``open()`` would) before it is renamed, so colleagues can read shared results.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode())
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


def csv_beside(folder: str | Path, subfolders: Sequence[str] = ("a", "b")) -> list[Path]:
    """Write a CSV copy (UTF-8, with a header) beside every Parquet table of a results folder.

    For spreadsheets and NetLogo BehaviorSpace users; the Parquet files stay the reference.
    Only the folder's top level and the given subfolders (a comparison's ``a``, ``b``) are
    converted, not a sweep's one-file-per-run ``runs/``.
    """
    p = Path(folder)
    written = []
    for d in (p, *(p / s for s in subfolders)):
        for f in sorted(d.glob("*.parquet")) if d.is_dir() else ():
            target = f.with_suffix(".csv")
            df = pd.read_parquet(f)
            _atomic_write(target, lambda tmp, df=df: df.to_csv(tmp, index=False))
            written.append(target)
    return written


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


def fingerprint(*parts: Any) -> str:
    """A short hash of what a results folder computes (resolved scenarios, seed, replications).

    A folder is replaced without ``--force`` only by the command that made it, with the same
    fingerprint (the same seed gives the same bits, so nothing is lost).
    """
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _what_is_there(p: Path) -> tuple[str, str | None, dict[str, Any]]:
    """A few words on what a non-empty folder holds, its kind (None: not policesim's), manifest."""
    man: dict[str, Any] = {}
    with_manifest = (p / MANIFEST).is_file()
    if with_manifest:
        try:
            man = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            man = {}
    kind = man.get("kind") if isinstance(man, dict) else None
    if kind is None and (p / "report.html").is_file() and (p / "summary.json").is_file():
        kind = "report"  # a report written before reports had a manifest
    if kind is None:
        n = sum(1 for _ in p.iterdir())
        return f"{n} file{'s' if n != 1 else ''} not made by policesim", None, man
    status = man.get("status")
    what = {"run": "a run", "compare": "a comparison", "sweep": "a sweep",
            "report": "a report"}.get(str(kind), f"'{kind}' results")
    name = man.get("name") or (man.get("scenario") or {}).get("name") or ""
    if kind == "compare":
        name = f"{man.get('name_a', '?')} vs {man.get('name_b', '?')}"
    if kind == "report":
        name = f"of {man['source']}" if man.get("source") else ""
    desc = " ".join(x for x in (what, f"({name})" if name else "",
                                f"[{status}]" if status and status != "complete" else "") if x)
    return desc, str(kind), man


def claim_dir(out: str | Path, kind: str, fp: str | None = None, *, force: bool = False,
              option: str = "--out") -> Path:
    """Create an output folder for results of ``kind``, never overwriting other results.

    An empty or missing folder is used as is. A folder that holds results of the same kind
    and the same fingerprint ``fp`` (the same command again) is reused. Anything else is an
    error naming what is there, unless ``force``: then a folder of policesim results is
    emptied first (a folder of other files never is).

    Raises:
        OutputError: the folder holds other results (or other files), or cannot be written.

    """
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{p}: cannot write output here (it is a file, not a folder); "
                          f"choose another {option}")
    if p.is_dir() and any(f.name != ".write-test" for f in p.iterdir()):
        desc, there, man = _what_is_there(p)
        same = there == kind and fp is not None and man.get("fingerprint") == fp
        if not same:
            if there is None:
                raise OutputError(f"{p}: not empty ({desc}); choose an empty or new folder "
                                  f"for {option} (--force replaces only policesim results)")
            if not force:
                raise OutputError(f"{p}: already holds {desc}; choose another {option}, or "
                                  "pass --force to replace it")
            _clear(p)
    return prepare_dir(p)


def _clear(p: Path) -> None:
    """Empty a folder of policesim results (the folder itself stays)."""
    try:
        for f in p.iterdir():
            if f.is_dir() and not f.is_symlink():
                shutil.rmtree(f)
            else:
                f.unlink()
    except OSError as e:
        raise OutputError(f"{p}: cannot clear it for --force ({e.strerror or e})") from None


def package_versions() -> dict[str, str]:
    """Every installed distribution and its version (the environment that made the results)."""
    from importlib import metadata  # noqa: PLC0415
    out: dict[str, str] = {}
    for d in metadata.distributions():
        name = d.metadata["Name"]
        if name:
            out[name.lower()] = d.version
    return dict(sorted(out.items()))


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
                         "per named stream",
            # what load_run needs to rebuild each replication's Tables from the Parquet files
            "run_constants": [{"replication": r.replication,
                               "horizon_min": r.tables.horizon_min,
                               "warmup_min": r.tables.warmup_min,
                               "residents": r.tables.residents,
                               "missed_visits": r.tables.missed_visits} for r in results],
            "packages": package_versions(), **extra}


def write_run(out: str | Path, results: Sequence[RunResult], kind: str = "run",
              **extra: Any) -> Path:
    """Write every table (all replications stacked, with a ``replication`` column).

    Besides the record tables: ``metrics.parquet`` (one row per replication) and
    ``village_outcomes.parquet`` and ``cluster_outcomes.parquet`` (response time and
    escalation per village, and per cluster, and replication).
    """
    p = prepare_dir(out)
    man = manifest(results, kind, **extra)
    man.setdefault("status", "complete")
    # First a manifest saying the folder is being written, so that a folder cut short by
    # Ctrl-C is still recognisably policesim's (and --force may replace it).
    write_json({**man, "status": "writing"}, p / MANIFEST)
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
    res = resources_frame([resources(r.tables) for r in results])
    res["replication"] = [results[k].replication for k in res["replication"]] if len(res) else []
    write_parquet(res, p / "resources.parquet")
    res.to_csv(p / "resources.csv", index=False)
    write_json(man, p / MANIFEST)
    return p


def load_run(folder: str | Path) -> list[RunResult]:
    """Read a ``write_run`` folder back into one :class:`RunResult` per replication.

    Raises:
        OutputError: the folder is not a complete run folder.

    """
    from sim.experiments.metrics import Tables  # noqa: PLC0415
    from sim.scenario import Scenario  # noqa: PLC0415
    p = Path(folder)
    try:
        man = read_manifest(p)
        frames = {name: pd.read_parquet(p / f"{name}.parquet") for name in TABLES}
        metrics = pd.read_parquet(p / "metrics.parquet")
    except (OSError, ValueError) as e:
        raise OutputError(f"{p}: not a complete run folder ({e})") from None
    if "run_constants" not in man:
        raise OutputError(f"{p}: written by an older policesim (no run_constants in its "
                          "manifest); run it again")
    scn = Scenario.model_validate(man["scenario"])
    out = []
    for const in man["run_constants"]:
        k = const["replication"]
        parts = {name: df[df["replication"] == k].drop(columns="replication")
                 .reset_index(drop=True) for name, df in frames.items()}
        row = metrics[metrics["replication"] == k].drop(columns="replication")
        tables = Tables(**parts, horizon_min=const["horizon_min"],
                        warmup_min=const["warmup_min"], residents=const["residents"],
                        missed_visits=const["missed_visits"])
        out.append(RunResult(scn, k, int(man["seed"]), tables,
                             {c: float(v) for c, v in row.iloc[0].items()}))
    return out


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """Read a results folder's manifest."""
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
