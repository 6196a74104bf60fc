"""The command line: thin Typer wrappers over library functions (which tests call directly)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.experiments.results import OutputError, write_json, write_parquet, write_run
from sim.experiments.run import compare, run_replications, summarize
from sim.present.tables import comparison_table, metrics_table
from sim.scenario import ScenarioError, load_scenario

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


@app.command()
def run(scenario: Path, reps: Reps = 1, seed: Seed = None, set_: Sets = None,
        json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        out: Out = None) -> None:
    """Run a scenario and print its metrics (means and 95% intervals)."""
    try:
        scn = load_scenario(scenario, set_ or [])
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
        a, b = load_scenario(scenario_a, set_ or []), load_scenario(scenario_b, set_ or [])
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
            from sim.experiments.layouts import layouts_for  # noqa: PLC0415
            layouts_for(load_scenario(path, set_ or []))
            typer.echo(f"ok: {path}")
        except ScenarioError as e:
            typer.echo(f"error: {e}", err=True)
            bad += 1
    if bad:
        raise typer.Exit(2)


def main() -> None:
    """Console-script entry point."""
    app()
