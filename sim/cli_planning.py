"""Planning commands (site, staff, frontier): thin Typer wrappers over sim.experiments.

Registered on :data:`sim.cli.app` when :mod:`sim.cli` is imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import Reps, Seed, Sets, _load, app, fail
from sim.experiments.results import OutputError, prepare_dir, write_json, write_parquet
from sim.experiments.run import RunResult
from sim.scenario import Scenario, ScenarioError


def compare_notes(a: Scenario, ra: list[RunResult], b: Scenario, rb: list[RunResult]) -> str:
    """Lines printed under ``compare``'s table: worst-served villages, costs and their yield."""
    from sim.experiments.planning import comparison_planning, format_planning  # noqa: PLC0415
    return format_planning(comparison_planning(a, ra, b, rb), a.name, b.name)


CHECK_KEYS = ("response_time_mean_min", "response_time_p90_min", "response_time_far_mean_min",
              "escalation_rate", "injury_crimes_per_10k_year")


@app.command(name="site")
def site_cmd(scenario: Path,
             offices: Annotated[int, typer.Option(min=1, metavar="K",
                                                  help="Center offices to site.")],
             out: Annotated[Path | None, typer.Option(metavar="FILE",
                                                      help="Layout CSV to write (usable as "
                                                           "[township] layout); a .json "
                                                           "beside it keeps the plan for the "
                                                           "report.")] = None,
             objective: Annotated[str, typer.Option(metavar="median|coverage|center",
                                                    help="median (mean travel), coverage "
                                                    "(residents within --within) or center "
                                                    "(farthest village).")] = "median",
             within: Annotated[float, typer.Option(min=0, metavar="MIN",
                                                   help="Coverage standard, minutes "
                                                   "(turnout included).")] = 15.0,
             balance: Annotated[float | None, typer.Option(min=0, metavar="X",
                                                           help="Keep each office's "
                                                           "residents within (1 +/- X) of "
                                                           "the mean.")] = None,
             check: Annotated[bool, typer.Option("--check", help="Simulate today's plan and "
                                                 "the optimal one (paired replications).")]
             = False,
             reps: Reps = 10, seed: Seed = None, set_: Sets = None) -> None:
    """Site center offices (p-median, maximal covering or p-center) and compare with today."""
    from sim.experiments.equity import pooled_village_outcomes, worst_served  # noqa: PLC0415
    from sim.experiments.siting import (  # noqa: PLC0415
        OBJECTIVES,
        SitingError,
        check_siting,
        format_siting,
        site,
        write_layout_csv,
    )
    from sim.present.tables import comparison_table  # noqa: PLC0415
    if objective not in OBJECTIVES:
        fail(f"--objective: {objective!r}; one of {', '.join(OBJECTIVES)}")
    try:
        scn = _load(scenario, set_)
        res = site(scn, offices, objective, within, balance)  # type: ignore[arg-type]
        if out is not None:
            if out.parent != Path():
                prepare_dir(out.parent)
            write_layout_csv(res.layout_best, out)
    except (ScenarioError, SitingError, OutputError) as e:
        fail(str(e))
    typer.echo(format_siting(res))
    sx, sy = res.township.layout.station_xy_km
    if out is not None:
        typer.echo(f"\nwrote {out}; use it with [township] layout = \"{out}\", station_x_km "
                   f"= {sx:.4f}, station_y_km = {sy:.4f} (the same station)")
    record = {"kind": "siting", "scenario": str(scenario), "objective": objective,
              "within": within, "balance": balance, "offices": offices, "layout": str(out),
              "village_ids": list(res.township.layout.village_ids),
              "x_km": res.township.layout.x_km.tolist(),
              "y_km": res.township.layout.y_km.tolist(),
              "population": res.township.layout.population.tolist(),
              "station_xy_km": [sx, sy],
              "today": {"offices": res.today.offices.tolist(),
                        "assign": res.today.assign.tolist(),
                        "minutes": res.minutes_today.tolist(), **res.today_value},
              "optimal": {"offices": res.best.offices.tolist(),
                          "assign": res.best.assign.tolist(),
                          "minutes": res.minutes_best.tolist(), **res.best_value}}
    if check:
        ra, rb, table = check_siting(scn, res, reps, seed, progress=sys.stderr.isatty())
        table = table[table["metric"].isin(CHECK_KEYS)]
        typer.echo(f"\nSimulated ({scn.name}, {reps} paired replications, common random "
                   f"numbers): B - A = optimal - today\n")
        typer.echo(comparison_table(table, "today", "optimal"))
        for name, runs in (("today", ra), ("optimal", rb)):
            v = pooled_village_outcomes([r.tables for r in runs])
            w = worst_served(v)
            typer.echo(f"worst-served village ({name}): {w['village_id']} (90th percentile "
                       f"response {w['response_p90_min']:.1f} min)")
        record["check"] = {"reps": reps, "table": table.to_dict(orient="records")}
    if out is None:
        return
    try:
        write_json(record, out.with_suffix(".siting.json"))
    except OSError as e:
        fail(f"{out}: cannot write ({e})")


@app.command(name="staff")
def staff_cmd(scenario: Path,
              target: Annotated[str, typer.Option(metavar="METRIC<=X", help="METRIC<=VALUE, e.g. "
                                                  "response_time_p90_min<=15.")],
              role: Annotated[str, typer.Option(metavar="ROLE",
                                                help="auxiliaries, station_officers or "
                                                "community_officers.")] = "auxiliaries",
              by: Annotated[str, typer.Option(metavar="village|cluster|township",
                                              help="Level per township, cluster or "
                                              "village.")] = "township",
              min_: Annotated[int, typer.Option("--min", min=0, metavar="N",
                                                help="Smallest level.")] = 0,
              max_: Annotated[int | None, typer.Option("--max", min=0, metavar="N",
                                                       help="Largest level "
                                                       "(default: twice today's).")] = None,
              reps: Reps = 10, seed: Seed = None, set_: Sets = None,
              json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
              = False,
              out: Annotated[Path | None, typer.Option(metavar="DIR",
                                                       help="Write staffing.json to this "
                                                       "folder (for the report).")] = None,
              ) -> None:
    """Smallest staffing that meets a target with 95% confidence, and the curve."""
    from sim.experiments.staffing import (  # noqa: PLC0415
        StaffingError,
        format_staffing,
        parse_target,
        staff_search,
    )
    try:
        scn = _load(scenario, set_)
        res = staff_search(scn, parse_target(target), role, by, min_, max_, reps, seed,
                           progress=sys.stderr.isatty())
        if out is not None:
            write_json({"kind": "staffing", "scenario": str(scenario), **res.as_json()},
                       prepare_dir(out) / "staffing.json")
    except (ScenarioError, StaffingError, OutputError) as e:
        fail(str(e))
    typer.echo(json.dumps(res.as_json()) if json_ else format_staffing(res))


@app.command(name="frontier")
def frontier_cmd(scenario: Path,
                 levels: Annotated[str, typer.Option(metavar="N,N,...",
                                                     help="Headcounts to try, e.g. "
                                                     "0,9,18,36.")],
                 out: Annotated[Path, typer.Option(metavar="DIR", help="Folder: frontier.parquet, "
                                                   "frontier.json, frontier.png.")],
                 offices: Annotated[str, typer.Option(metavar="K,K,...",
                                                      help="Office counts K for optimal "
                                                      "p-median plans, e.g. 3,4,5 (today's "
                                                      "clusters are always tried).")] = "",
                 role: Annotated[str, typer.Option(metavar="ROLE",
                                                   help="The role whose headcount varies.")]
                 = "auxiliaries",
                 metric: Annotated[str, typer.Option(metavar="METRIC",
                                                     help="Outcome, lower is better.")]
                 = "injury_crimes_per_10k_year",
                 reps: Reps = 5, seed: Seed = None, set_: Sets = None) -> None:
    """Cost-outcome Pareto front over staffing levels and siting plans, plotted."""
    from sim.experiments.frontier import format_frontier, frontier  # noqa: PLC0415
    from sim.experiments.metrics import METRICS  # noqa: PLC0415
    from sim.experiments.siting import SitingError  # noqa: PLC0415
    from sim.experiments.staffing import StaffingError  # noqa: PLC0415
    if metric not in METRICS:
        fail(f"--metric: unknown metric {metric!r}")
    try:
        lv = [int(x) for x in levels.split(",") if x.strip()]
        ks = [int(x) for x in offices.split(",") if x.strip()]
    except ValueError:
        fail("--levels/--offices: comma-separated whole numbers, e.g. 0,9,18,36")
    try:
        scn = _load(scenario, set_)
        dest = prepare_dir(out)
        df = frontier(scn, lv, ks, role, metric, reps, seed, progress=sys.stderr.isatty())
        write_parquet(df, dest / "frontier.parquet")
        write_json({"kind": "frontier", "scenario": str(scenario), "metric": metric,
                    "role": role, "reps": reps, "rows": df.to_dict(orient="records")},
                   dest / "frontier.json")
        from sim.present.report_planning import frontier_figure  # noqa: PLC0415
        frontier_figure(df).savefig(dest / "frontier.png")
    except (ScenarioError, StaffingError, SitingError, OutputError) as e:
        fail(str(e))
    typer.echo(format_frontier(df))
    typer.echo(f"wrote {out}/frontier.png")
