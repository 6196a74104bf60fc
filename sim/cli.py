"""The command line: thin Typer wrappers over library functions (which tests call directly)."""

from __future__ import annotations

import contextlib
import gc
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import click
import typer
from typer.core import TyperGroup

import sim
from sim.experiments.layouts import layouts_for
from sim.experiments.results import (
    OutputError,
    claim_dir,
    csv_beside,
    fingerprint,
    load_run,
    read_manifest,
    write_json,
    write_parquet,
    write_run,
)
from sim.experiments.run import Interrupted, compare, mean_resources, run_replications, summarize
from sim.present.tables import comparison_table, metrics_table, resources_table
from sim.scenario import Scenario, ScenarioError, load_scenario, staffing_warnings


def _is(e: BaseException, name: str) -> bool:
    """Whether ``e`` is Click's exception ``name`` (Typer may vendor its own copy of Click)."""
    return any(c.__name__ == name for c in type(e).__mro__)


class _OneLineErrors(TyperGroup):
    """Command-line mistakes (``--reps 0``, a missing option) as one ``error:`` line, exit 2.

    Click would print a usage box of five lines; every error of policesim itself is one line
    naming the option and what is allowed, so these are too.
    """

    def get_command(self, ctx, cmd_name):
        """The subcommand, its usage line without Typer's braces (``run [OPTIONS] SCENARIO``)."""
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None and "collect_usage_pieces" not in vars(cmd):
            pieces = cmd.collect_usage_pieces

            def plain(ctx, pieces=pieces):
                return [re.sub(r"^\{(.*)\}", r"\1", p) for p in pieces(ctx)]
            cmd.collect_usage_pieces = plain
        return cmd

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """Run the command line; turn Click's usage errors into one line on stderr."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Exception as e:
            if _is(e, "NoArgsIsHelpError"):
                click.echo(e.ctx.get_help() if e.ctx else e.format_message())
                sys.exit(2)
            if _is(e, "UsageError"):
                cmd = e.ctx.command_path if e.ctx else "policesim"
                msg = _plain(e.format_message())
                click.echo(f"error: {cmd}: {msg} (see {cmd} --help)", err=True)
                sys.exit(e.exit_code)
            if _is(e, "ClickException"):
                click.echo(f"error: {_plain(e.format_message())}", err=True)
                sys.exit(e.exit_code)
            if _is(e, "Abort"):
                click.echo("aborted", err=True)
                sys.exit(1)
            raise
        sys.exit(rv if isinstance(rv, int) else 0)


def _plain(msg: str) -> str:
    """Click's and pydantic's phrasing in plain words ("Input should be ..." -> "must be ...")."""
    msg = msg.replace("'", "")
    msg = re.sub(r"Input should be greater than or equal to", "must be at least", msg)
    msg = re.sub(r"Input should be less than or equal to", "must be at most", msg)
    msg = re.sub(r"Input should be greater than", "must be more than", msg)
    msg = re.sub(r"Input should be less than", "must be less than", msg)
    msg = re.sub(r"Input should be a valid integer.*", "must be a whole number", msg)
    msg = re.sub(r"Input should be a valid number.*", "must be a number", msg)
    msg = msg.replace("Input should be", "must be")
    msg = re.sub(r"^Invalid value for ([^:]+): ", r"\1: ", msg)
    msg = re.sub(r"^No such option: (\S+) \(Possible options: (.*)\)",
                 r"no such option \1 (did you mean \2?)", msg)
    msg = re.sub(r"^No such option: ", "no such option ", msg)
    msg = re.sub(r"^Missing (argument|option|parameter):? ", "missing ", msg)
    return msg.rstrip(".")


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, cls=_OneLineErrors,
                  help="policesim: station-centred vs center-office rural policing, simulated.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"policesim {sim.__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """policesim: station-centred vs center-office rural policing, simulated."""

Sets = Annotated[list[str] | None, typer.Option(
    "--set", metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set staff.auxiliaries=40 (repeatable).")]
Reps = Annotated[int, typer.Option(min=1, max=100000, metavar="N",
                                   help="Replications (1 to 100000).")]
Seed = Annotated[int | None, typer.Option(min=0, metavar="S",
                                          help="Root seed (default: the scenario's).")]
Out = Annotated[Path | None, typer.Option(metavar="DIR", help="Write per-event records "
                                          "(Parquet) and a manifest to this folder.")]
ScenarioArg = Annotated[Path, typer.Argument(metavar="SCENARIO", help="A scenario file (TOML).",
                                             show_default=False)]
Force = Annotated[bool, typer.Option("--force", help="Replace the results already in --out "
                                     "(without it, other results are never overwritten).")]
Csv = Annotated[bool, typer.Option("--csv", help="Also write each table as CSV beside its "
                                   "Parquet file (for spreadsheets, NetLogo users).")]
ResumeRun = Annotated[bool, typer.Option("--resume", help="Continue the interrupted run saved "
                                         "in --out (the same command, Ctrl-C'd).")]


def fail(message: str) -> None:
    """Print a user error to stderr and exit with status 2 (no traceback)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _load(path: Path, sets: list[str] | None) -> Scenario:
    """Load and check a scenario and its CSV layout (before any output exists); warn on stderr."""
    from sim.experiments.sweep import wrong_kind  # noqa: PLC0415
    from sim.scenario import read_toml  # noqa: PLC0415
    if path.suffix == ".toml" and path.is_file():  # a sweep file given to run: say so
        msg = wrong_kind(path, read_toml(path), "scenario")
        if msg is not None:
            raise ScenarioError(msg)
    scn = load_scenario(path, sets or [])
    layouts_for(scn)
    for warning in staffing_warnings(scn):
        typer.echo(f"warning: {path}: {warning}", err=True)
    return scn


def _claim(out: Path, kind: str, fp: str, force: bool, resume: bool) -> bool:
    """Make ``out`` ready for results of ``kind`` before any run; True if it holds a run to resume.

    Raises:
        OutputError: the folder holds other results (see :func:`claim_dir`).

    """
    if force and resume:
        raise OutputError("--force and --resume: give one (--force starts afresh, --resume "
                          "continues)")
    resumable = False
    if resume and (out / "manifest.json").is_file():
        try:
            man = read_manifest(out)
        except ValueError:
            man = {}
        if man.get("kind") != kind or man.get("fingerprint") != fp:
            raise OutputError(f"{out}: --resume continues only the same command (same "
                              "scenarios, --set, --seed and --reps); this folder holds other "
                              "results")
        resumable = True
    claim_dir(out, kind, fp, force=force)  # an unwritable folder fails now, not after the run
    return resumable


def _interrupted(out: Path | None, created: bool, kept: int, reps: int,
                 save: Callable[[], object]) -> NoReturn:
    """Ctrl-C: save the finished replications (atomically), say so, exit 130."""
    if out is not None and kept:
        save()
        typer.echo(f"interrupted: kept {kept} of {reps} replications in {out}; run the same "
                   f"command with --resume to add the other {reps - kept}", err=True)
    elif out is not None:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # never leave an empty folder behind
        typer.echo("interrupted: no replication had finished; nothing was written", err=True)
    else:
        typer.echo(f"interrupted after {kept} of {reps} replications (nothing saved; with "
                   "--out DIR finished replications are kept)", err=True)
    raise typer.Exit(130)


@app.command()
def run(scenario: ScenarioArg, reps: Reps = 1, seed: Seed = None, set_: Sets = None,
        json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        out: Out = None, force: Force = False, resume: ResumeRun = False,
        csv: Csv = False,
        workers: Annotated[int | None, typer.Option(
            min=1, metavar="N", help="Split each replication's townships (and the replications) "
            "across this many workers; the same numbers whatever N.")] = None,
        backend: Annotated[str, typer.Option(
            metavar="local|dask", help="With --workers: local (process pool) or dask.")] = "local",
        scheduler: Annotated[str | None, typer.Option(
            metavar="ADDR", help="Dask scheduler tcp://HOST:PORT (default: a LocalCluster).")
        ] = None,
        ) -> None:
    """Run a scenario and print its metrics (means and 95% intervals)."""
    from sim.experiments.executors import ExecutorError  # noqa: PLC0415
    from sim.experiments.shards import ShardError, run_sharded  # noqa: PLC0415
    try:
        scn = _load(scenario, set_)
        fp = fingerprint("run", scn.model_dump(mode="json"), scn.seed if seed is None else seed,
                         reps)
        created, kept = out is not None and not out.exists(), []
        if out is not None and _claim(out, "run", fp, force, resume):
            kept = load_run(out)
        info = {"source": str(scenario), "overrides": set_ or [], "fingerprint": fp}
        try:
            if workers is None and backend == "local" and scheduler is None:
                results = run_replications(scn, reps, seed, progress=sys.stderr.isatty(),
                                           kept=kept)
            else:  # townships split across workers; finished replications are not kept
                results = run_sharded(scn, reps, seed, workers, backend, scheduler,
                                      progress=sys.stderr.isatty())
        except Interrupted as e:
            _interrupted(out, created, len(e.a), reps, lambda done=e.a: write_run(
                out, done, "run", **info, status="interrupted", reps_requested=reps))
        if out is not None:
            write_run(out, results, "run", **info)
            if csv:
                csv_beside(out)
    except (ScenarioError, OutputError, ExecutorError, ShardError) as e:
        fail(str(e))
    if json_:
        typer.echo(json.dumps(summarize(results)))
    else:
        typer.echo(f"{scn.name} ({scn.policy}; reform components: "
                   f"{', '.join(k for k, v in scn.components().items() if v) or 'none'})")
        typer.echo(metrics_table(results))
        typer.echo("")
        typer.echo(resources_table([(scn.name, mean_resources(results))]))


@app.command(name="compare")
def compare_cmd(scenario_a: Annotated[Path, typer.Argument(
                    metavar="A", help="The baseline scenario file.")],
                scenario_b: Annotated[Path, typer.Argument(
                    metavar="B", help="The scenario compared with it (B - A).")],
                reps: Reps = 10, seed: Seed = None,
                set_: Sets = None, out: Out = None,
                json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
                force: Force = False, resume: ResumeRun = False, csv: Csv = False,
                independent: Annotated[bool, typer.Option(
                    "--independent", help="Seed B independently of A (no common random "
                    "numbers), to see what the pairing buys.")] = False,
                ) -> None:
    """Compare two scenarios pair by pair (B - A, common random numbers)."""
    try:
        a, b = _load(scenario_a, set_), _load(scenario_b, set_)
        fp = fingerprint("compare", a.model_dump(mode="json"), b.model_dump(mode="json"),
                         a.seed if seed is None else seed, reps)
        created, kept = out is not None and not out.exists(), ([], [])
        if out is not None and _claim(out, "compare", fp, force, resume):
            kept = (load_run(out / "a"), load_run(out / "b"))

        def save(ra: list, rb: list, table: object, status: str) -> None:
            assert out is not None
            man = {"kind": "compare", "a": str(scenario_a), "b": str(scenario_b),
                   "name_a": a.name, "name_b": b.name, "reps": reps, "seed": ra[0].seed,
                   "seed_b": rb[0].seed if rb else None, "independent": independent,
                   "fingerprint": fp}
            write_json({**man, "status": "writing"}, out / "manifest.json")
            write_run(out / "a", ra, "run", source=str(scenario_a))
            write_run(out / "b", rb, "run", source=str(scenario_b))
            if table is not None:
                write_parquet(table, out / "comparison.parquet")
            write_json({**man, "status": status, "pairs": len(ra)}, out / "manifest.json")

        try:
            ra, rb, table = compare(a, b, reps, seed, progress=sys.stderr.isatty(), kept=kept,
                                    independent=independent)
        except Interrupted as e:
            _interrupted(out, created, len(e.a), reps,
                         lambda ra=e.a, rb=e.b or []: save(ra, rb, None, "interrupted"))
        if out is not None:
            save(ra, rb, table, "complete")
            if csv:
                csv_beside(out)
    except (ScenarioError, OutputError) as e:
        fail(str(e))
    if json_:
        from sim.experiments.analysis import comparison_json, json_ready  # noqa: PLC0415
        from sim.experiments.planning import comparison_planning  # noqa: PLC0415
        typer.echo(json.dumps({**comparison_json(ra, rb, table),
                               **json_ready(comparison_planning(a, ra, b, rb))}))
    else:
        typer.echo(f"A = {a.name} ({a.policy})\nB = {b.name} ({b.policy})\n")
        typer.echo(comparison_table(table, a.name, b.name))
        typer.echo("")
        typer.echo(resources_table([(a.name, mean_resources(ra)), (b.name, mean_resources(rb))]))
        if independent:
            typer.echo(f"(--independent: B seeded {rb[0].seed}, A {ra[0].seed}: no common random "
                       f"numbers; the 'paired' interval is that of independent samples)")
        typer.echo(cli_planning.compare_notes(a, ra, b, rb))


@app.command()
def warmup(scenarios: Annotated[list[Path], typer.Argument(
               metavar="SCENARIO...", help="Scenario files (TOML), e.g. both policies'.")],
           reps: Annotated[int, typer.Option(min=1, max=1000, metavar="N",
                                             help="Replications of each scenario.")] = 5,
           days: Annotated[int, typer.Option(min=20, max=3650, metavar="D", help="Days of each "
                                             "run (from an empty township, no warm-up).")] = 365,
           seed: Seed = None, set_: Sets = None,
           json_: Annotated[bool, typer.Option("--json", help="Print JSON (with the mean "
                                               "daily series).")] = False) -> None:
    """Choose the warm-up: MSER-5 truncation points of the daily series (calls, stock, fights).

    Give both policies' scenarios to get a warm-up that suits a comparison of them.
    """
    from sim.experiments.warmup import format_studies, run_warmup_study  # noqa: PLC0415
    try:
        scns = [_load(p, set_) for p in scenarios]
        studies = [run_warmup_study(scn, reps, days, seed, progress=sys.stderr.isatty())
                   for scn in scns]
    except ScenarioError as e:
        fail(str(e))
    if json_:
        typer.echo(json.dumps({"recommended_warmup_days": max(st.recommended_days
                                                              for st in studies),
                               "studies": [st.as_dict() for st in studies]}))
    else:
        typer.echo(format_studies(studies))


@app.command()
def validate(scenarios: Annotated[list[Path], typer.Argument(
        metavar="SCENARIO...", help="Scenario files (TOML).")], set_: Sets = None) -> None:
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


SweepOutDir = Annotated[Path, typer.Option(metavar="DIR", help="Output folder: runs/, "
                                           "runs.parquet, manifest.json.")]
Workers = Annotated[int | None, typer.Option(min=1, metavar="N", help="Worker processes "
                                             "(default: all cores).")]
Backend = Annotated[str, typer.Option(metavar="NAME", help="local (process pool) or dask.")]
Scheduler = Annotated[str | None, typer.Option(metavar="ADDR", help="Dask scheduler "
                                               "tcp://HOST:PORT (default: a LocalCluster).")]
Resume = Annotated[bool, typer.Option("--resume", help="Continue the sweep saved in --out.")]
SweepForce = Annotated[bool, typer.Option("--force", help="Replace the results already in "
                                          "--out (without it they are never overwritten).")]


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
def sweep(sweep_file: Annotated[Path, typer.Argument(
              metavar="SWEEP", help="A sweep file (TOML, docs/sweeps.md).")],
          out: SweepOutDir, workers: Workers = None, backend: Backend = "local",
          scheduler: Scheduler = None, resume: Resume = False, force: SweepForce = False,
          csv: Csv = False,
          until_ci: Annotated[float | None, typer.Option(help="Add replications until the key "
                                                         "metrics' 95% half-width / mean is "
                                                         "at most this, e.g. 0.05.")] = None,
          ) -> None:
    """Run a parameter sweep (design points x replications); resumable after a crash."""
    from sim.experiments.sweep import run_sweep_file  # noqa: PLC0415
    with _sweep_errors():
        summary = run_sweep_file(sweep_file, out, workers=workers, backend=backend,
                                 scheduler=scheduler, resume=resume, until_ci=until_ci,
                                 progress=sys.stderr.isatty(), force=force)
        if csv:
            csv_beside(out, ())
    typer.echo(summary.text())


@app.command()
def sensitivity(spec: Annotated[Path, typer.Argument(
                    metavar="SPEC", help="A sensitivity file (TOML, docs/sweeps.md).")],
                out: Annotated[Path, typer.Option(
                    metavar="DIR", help="Output folder: the runs (as a sweep's), "
                    "sensitivity.parquet (the indices) and sensitivity.png.")],
                workers: Workers = None, backend: Backend = "local",
                scheduler: Scheduler = None,
                resume: Annotated[bool, typer.Option(
                    "--resume", help="Continue the sensitivity runs saved in --out.")] = False,
                force: SweepForce = False, csv: Csv = False) -> None:
    """Morris or Sobol sensitivity (SALib) over declared ranges: a table and a plot."""
    from sim.experiments.sensitivity import run_sensitivity  # noqa: PLC0415
    with _sweep_errors():
        table, summary = run_sensitivity(spec, out, workers=workers, backend=backend,
                                         scheduler=scheduler, resume=resume,
                                         progress=sys.stderr.isatty(), force=force)
        if csv:
            csv_beside(out, ())
    typer.echo(summary.text())
    typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


@app.command()
def robustness(spec: Path, out: SweepOutDir, workers: Workers = None,
               backend: Backend = "local", scheduler: Scheduler = None,
               resume: Resume = False,
               samples: Annotated[int | None, typer.Option(
                   min=4, metavar="N", help="Run this many samples instead of the spec's "
                   "(Sobol': the first N points).")] = None,
               ) -> None:
    """The reform's paired effect across plausible assumptions, conditioned on the report."""
    from sim.experiments.robustness import run_robustness  # noqa: PLC0415
    from sim.present.report_robustness import headline_lines  # noqa: PLC0415
    with _sweep_errors():
        _, summary = run_robustness(spec, out, samples, workers=workers, backend=backend,
                                    scheduler=scheduler, resume=resume,
                                    progress=sys.stderr.isatty())
    typer.echo(summary.text())
    typer.echo("\n".join(headline_lines(Path(out))))


@app.command()
def demo(scenario: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Base scenario (township, rates, staff, seed); default: the "
        "schema's.")]
         = None,
         port: Annotated[int, typer.Option(min=1, max=65535, metavar="N",
                                           help="TCP port (1 to 65535).")] = 8765,
         host: Annotated[str, typer.Option(metavar="ADDR", help="Address to listen on (e.g. "
                                           "0.0.0.0 for a classroom network).")] = "127.0.0.1",
         ) -> None:
    """Classroom demo in the browser: the old model and the reform side by side, same seed."""
    try:
        from sim.present.demo import DemoError, run_demo  # noqa: PLC0415 (loads solara)
    except ImportError as e:
        fail(f"the demo needs its extra packages ({e.name or e} is missing): "
             "pip install -e \".[demo]\"")
    try:
        run_demo(scenario, port=port, host=host)
    except (ScenarioError, DemoError) as e:
        fail(str(e))


@app.command()
def report(results: Annotated[Path, typer.Argument(
               metavar="RESULTS", help="A run, compare or sweep --out folder.")],
           out: Annotated[Path | None, typer.Option(metavar="DIR", help="Report folder (default: "
                                                    "RESULTS/report).")] = None,
           components: Annotated[bool, typer.Option(help="For a comparison, run each reform "
                                                    "component alone (same seed and replications; "
                                                    "kept in RESULTS/components).")] = True,
           force: Annotated[bool, typer.Option("--force", help="Replace other results "
                                               "already in --out.")] = False,
           ) -> None:
    """Write an HTML report with figures from a run, compare or sweep --out folder."""
    from sim.present.report import ReportError, write_report  # noqa: PLC0415 (loads matplotlib)
    try:
        page = write_report(results, out, components, log=lambda s: typer.echo(s, err=True),
                            progress=sys.stderr.isatty(), force=force)
    except ReportError as e:
        fail(str(e))
    typer.echo(f"report: {page}")


@app.command()
def calibrate(reps: Annotated[int, typer.Option(min=2, max=100000, metavar="N",
                                                help="Replications of each scenario.")] = 10,
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


from sim import cli_planning  # noqa: E402  (registers site, staff and frontier)
