"""The command line: thin Typer wrappers over library functions (which tests call directly)."""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from sim.experiments.layouts import layouts_for
from sim.experiments.results import OutputError, prepare_dir, write_json, write_parquet, write_run
from sim.experiments.run import compare, run_replications, summarize
from sim.present.tables import comparison_table, metrics_table
from sim.scenario import Scenario, ScenarioError, load_scenario, staffing_warnings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="policesim: station-centred vs center-office rural policing, simulated.")

Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a scenario key, e.g. --set staff.auxiliaries=40 (repeatable).")]
Reps = Annotated[int, typer.Option(min=1, max=100000, help="Replications.")]
Seed = Annotated[int | None, typer.Option(min=0, help="Root seed (default: the scenario's).")]
Out = Annotated[Path | None, typer.Option(help="Write per-event records (Parquet) and a "
                                          "manifest to this folder.")]


def fail(message: str) -> None:
    """Print a user error to stderr and exit with status 2 (no traceback)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _load(path: Path, sets: list[str] | None) -> Scenario:
    """Load and check a scenario and its CSV layout (before any output exists); warn on stderr."""
    scn = load_scenario(path, sets or [])
    layouts_for(scn)
    for warning in staffing_warnings(scn):
        typer.echo(f"warning: {path}: {warning}", err=True)
    return scn


@app.command()
def run(scenario: Path, reps: Reps = 1, seed: Seed = None, set_: Sets = None,
        json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        out: Out = None) -> None:
    """Run a scenario and print its metrics (means and 95% intervals)."""
    try:
        scn = _load(scenario, set_)
        if out is not None:
            prepare_dir(out)  # an unwritable folder fails now, not after the run
        results = run_replications(scn, reps, seed, progress=sys.stderr.isatty())
        if out is not None:
            write_run(out, results, "run", source=str(scenario), overrides=set_ or [])
    except (ScenarioError, OutputError) as e:
        fail(str(e))
    if json_:
        typer.echo(json.dumps(summarize(results)))
    else:
        typer.echo(f"{scn.name} ({scn.policy}; reform components: "
                   f"{', '.join(k for k, v in scn.components().items() if v) or 'none'})")
        typer.echo(metrics_table(results))


@app.command(name="compare")
def compare_cmd(scenario_a: Path, scenario_b: Path, reps: Reps = 10, seed: Seed = None,
                set_: Sets = None, out: Out = None,
                json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
                ) -> None:
    """Compare two scenarios pair by pair (B - A, common random numbers)."""
    try:
        a, b = _load(scenario_a, set_), _load(scenario_b, set_)
        if out is not None:
            prepare_dir(out)  # an unwritable folder fails now, not after the runs
        ra, rb, table = compare(a, b, reps, seed, progress=sys.stderr.isatty())
        if out is not None:
            write_run(Path(out) / "a", ra, "run", source=str(scenario_a))
            write_run(Path(out) / "b", rb, "run", source=str(scenario_b))
            write_parquet(table, Path(out) / "comparison.parquet")
            write_json({"kind": "compare", "a": str(scenario_a), "b": str(scenario_b),
                        "name_a": a.name, "name_b": b.name, "reps": reps,
                        "seed": ra[0].seed}, Path(out) / "manifest.json")
    except (ScenarioError, OutputError) as e:
        fail(str(e))
    if json_:
        typer.echo(table.to_json(orient="records"))
    else:
        typer.echo(f"A = {a.name} ({a.policy})\nB = {b.name} ({b.policy})\n")
        typer.echo(comparison_table(table, a.name, b.name))


@app.command()
def validate(scenarios: list[Path], set_: Sets = None) -> None:
    """Check scenario files without running them."""
    bad = 0
    for path in scenarios:
        try:
            _load(path, set_)
            typer.echo(f"ok: {path}")
        except ScenarioError as e:
            typer.echo(f"error: {e}", err=True)
            bad += 1
    if bad:
        raise typer.Exit(2)


SweepOutDir = Annotated[Path, typer.Option(help="Output folder: runs/, runs.parquet, "
                                           "manifest.json.")]
Workers = Annotated[int | None, typer.Option(min=1, help="Worker processes (default: all "
                                             "cores).")]
Backend = Annotated[str, typer.Option(help="local (process pool) or dask.")]
Scheduler = Annotated[str | None, typer.Option(help="Dask scheduler tcp://HOST:PORT (default: "
                                               "a LocalCluster).")]
Resume = Annotated[bool, typer.Option("--resume", help="Continue the sweep saved in --out.")]


@contextlib.contextmanager
def _sweep_errors() -> Iterator[None]:
    """User errors of a sweep exit 2; Ctrl-C keeps finished runs and exits 130."""
    from sim.experiments.executors import ExecutorError  # noqa: PLC0415
    from sim.experiments.sweep import SweepError  # noqa: PLC0415
    try:
        yield
    except (SweepError, ExecutorError, OutputError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        typer.echo("interrupted: finished runs are saved; rerun with --resume", err=True)
        raise typer.Exit(130) from None


@app.command()
def sweep(sweep_file: Path, out: SweepOutDir, workers: Workers = None, backend: Backend = "local",
          scheduler: Scheduler = None, resume: Resume = False,
          until_ci: Annotated[float | None, typer.Option(help="Add replications until the key "
                                                         "metrics' 95% half-width / mean is "
                                                         "at most this, e.g. 0.05.")] = None,
          ) -> None:
    """Run a parameter sweep (design points x replications); resumable after a crash."""
    from sim.experiments.sweep import run_sweep_file  # noqa: PLC0415
    with _sweep_errors():
        summary = run_sweep_file(sweep_file, out, workers=workers, backend=backend,
                                 scheduler=scheduler, resume=resume, until_ci=until_ci,
                                 progress=sys.stderr.isatty())
    typer.echo(summary.text())


@app.command()
def sensitivity(spec: Path, out: SweepOutDir, workers: Workers = None,
                backend: Backend = "local", scheduler: Scheduler = None,
                resume: Resume = False) -> None:
    """Morris or Sobol sensitivity (SALib) over declared ranges: a table and a plot."""
    from sim.experiments.sensitivity import run_sensitivity  # noqa: PLC0415
    with _sweep_errors():
        table, summary = run_sensitivity(spec, out, workers=workers, backend=backend,
                                         scheduler=scheduler, resume=resume,
                                         progress=sys.stderr.isatty())
    typer.echo(summary.text())
    typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


@app.command()
def demo(scenario: Annotated[Path | None, typer.Option(help="Base scenario (township, rates, "
                                                       "staff, seed); default: the schema's.")]
         = None,
         port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8765,
         host: Annotated[str, typer.Option(help="Address to listen on (e.g. 0.0.0.0 for a "
                                           "classroom network).")] = "127.0.0.1") -> None:
    """Classroom demo in the browser: the old model and the reform side by side, same seed."""
    from sim.present.demo import DemoError, run_demo  # noqa: PLC0415 (loads solara)
    try:
        run_demo(scenario, port=port, host=host)
    except (ScenarioError, DemoError) as e:
        fail(str(e))


@app.command()
def report(results: Path,
           out: Annotated[Path | None, typer.Option(help="Report folder (default: "
                                                    "RESULTS/report).")] = None,
           components: Annotated[bool, typer.Option(help="For a comparison, run each reform "
                                                    "component alone (same seed and replications; "
                                                    "kept in RESULTS/components).")] = True,
           ) -> None:
    """Write an HTML report with figures from a run, compare or sweep --out folder."""
    from sim.present.report import ReportError, write_report  # noqa: PLC0415 (loads matplotlib)
    try:
        page = write_report(results, out, components, log=lambda s: typer.echo(s, err=True),
                            progress=sys.stderr.isatty())
    except ReportError as e:
        fail(str(e))
    typer.echo(f"report: {page}")


@app.command()
def calibrate(reps: Annotated[int, typer.Option(min=2, max=100000, help="Replications of "
                                                "each scenario.")] = 10,
              seed: Seed = None,
              json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
              mechanisms: Annotated[bool, typer.Option(
                  "--mechanisms", help="Use the scenarios with every issue-15 mechanism on "
                  "(scenarios/*_mechanisms.toml).")] = False,
              ) -> None:
    """The default scenarios beside the source report's figures (docs/calibration.md)."""
    from sim.experiments.calibration import (  # noqa: PLC0415
        BASELINE,
        REFORM,
        format_rows,
    )
    from sim.experiments.calibration import calibrate as run_calibration  # noqa: PLC0415
    base, reform = BASELINE, REFORM
    if mechanisms:
        base = base.with_name(f"{base.stem}_mechanisms.toml")
        reform = reform.with_name(f"{reform.stem}_mechanisms.toml")
    try:
        rows = run_calibration(reps, seed, progress=sys.stderr.isatty(), baseline=base,
                               reform=reform)
    except ScenarioError as e:
        fail(str(e))
    if json_:
        typer.echo(json.dumps({"reps": reps, "rows": [r.as_dict() for r in rows]}))
    else:
        typer.echo(format_rows(rows, reps))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    finally:
        # The process ends here: spare it the cyclic collector's last full pass over every
        # object a run made (0.9 s of pure waiting after a 20-township year, measured).
        gc.freeze()
