"""Planning: sited layouts round-trip through CSV, costs add up, the front, equity tables."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.costs import annual_cost, cost_effect
from sim.experiments.equity import cluster_outcomes, village_outcomes
from sim.experiments.frontier import pareto
from sim.experiments.layouts import read_layout_csv
from sim.experiments.run import run_once
from sim.experiments.siting import site, write_layout_csv
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
NEW, OLD = ROOT / "scenarios/center_office.toml", ROOT / "scenarios/station_centred.toml"
SHORT = ["days=25", "warmup_days=3", "follow_up_days=10"]
runner = CliRunner()


def test_sited_layout_csv_runs_exactly_as_the_plan(tmp_path):
    scn = load_scenario(NEW, SHORT)
    res = site(scn, 3, "median")
    path = write_layout_csv(res.layout_best, tmp_path / "sited.csv")
    back = read_layout_csv(path)
    assert back.office is not None and back.office.sum() == 3
    assert [np.flatnonzero(back.office & (back.cluster == k)).size for k in range(3)] == [1] * 3
    sx, sy = res.township.layout.station_xy_km
    from_csv = load_scenario(NEW, [*SHORT, f"township.layout={path}",
                                   f"township.station_x_km={sx}", f"township.station_y_km={sy}"])
    a = run_once(from_csv, 0).metrics
    b = run_once(scn, 0, layouts=[res.layout_best]).metrics
    assert a == pytest.approx(b, nan_ok=True)


def test_todays_plan_as_a_layout_reproduces_the_scenario():
    scn = load_scenario(NEW, SHORT)
    res = site(scn, 4, "median")
    assert run_once(scn, 1, layouts=[res.layout_today]).metrics == pytest.approx(
        run_once(scn, 1).metrics, nan_ok=True)


def test_office_column_must_mark_one_village_per_cluster(tmp_path):
    (tmp_path / "l.csv").write_text("village_id,x_km,y_km,population,cluster_id,office\n"
                                    "A,1,1,10,c1,1\nB,2,1,10,c1,1\nC,3,3,10,c2,1\n")
    with pytest.raises(ScenarioError, match="cluster 'c1' has 2 villages"):
        read_layout_csv(tmp_path / "l.csv")


def test_costs_add_up_by_hand():
    new, old = load_scenario(NEW), load_scenario(OLD)
    # by hand from the [costs] defaults: 12 + 6 officers at 150,000, 36 auxiliaries at 50,000,
    # 4 center offices at 40,000, vehicles (4 at the station + 1 per office) at 40,000
    assert annual_cost(new)["total"] == 18 * 150_000 + 36 * 50_000 + 4 * 40_000 + 8 * 40_000
    assert annual_cost(old)["total"] == 18 * 150_000 + 36 * 50_000 + 4 * 40_000
    items = annual_cost(new)
    assert sum(v for k, v in items.items() if k != "total") == items["total"]


def test_cost_effect_divides_the_extra_cost_by_the_paired_effect():
    a, b = load_scenario(OLD, SHORT), load_scenario(NEW, SHORT)
    ra = [run_once(a, k) for k in range(3)]
    rb = [run_once(b, k) for k in range(3)]
    ce = cost_effect(a, ra, b, rb)
    years = 25 / 365  # the measured period
    prevented = np.mean([(x.metrics["injury_crimes"] - y.metrics["injury_crimes"]) / years
                         for x, y in zip(ra, rb, strict=True)])
    assert ce["injuries_prevented"]["mean"] == pytest.approx(prevented)
    assert ce["extra_cost"] == 320_000
    if ce["cost_per_injury_prevented"] is not None:
        assert ce["cost_per_injury_prevented"] == pytest.approx(320_000 / prevented)
    else:
        assert ce["injuries_prevented"]["ci_low"] <= 0 <= ce["injuries_prevented"]["ci_high"]


def test_pareto_front_by_hand():
    cost = np.array([1, 2, 3, 2, 4.0])
    outcome = np.array([5, 3, 3, 4, 1.0])
    assert pareto(cost, outcome).tolist() == [True, True, False, False, True]


def test_village_outcomes_add_up_to_the_run():
    r = run_once(load_scenario(NEW, SHORT), 0)
    v = village_outcomes(r.tables)
    assert len(v) == 36 and v["calls"].sum() == r.metrics["calls"]
    assert v["disputes"].sum() == r.metrics["disputes"]
    esc = (v["escalation_rate"].fillna(0) * v["disputes"]).sum()
    assert esc == pytest.approx(r.metrics["disputes_escalated"])
    ok = v["calls"] > 0
    pooled = (v.loc[ok, "response_mean_min"] * v.loc[ok, "calls"]).sum() / v["calls"].sum()
    assert pooled == pytest.approx(r.metrics["response_time_mean_min"])
    c = cluster_outcomes(v)
    assert c["villages"].sum() == 36 and c["population"].sum() == v["population"].sum()


def test_site_staff_frontier_commands_and_the_planning_report(tmp_path):
    sets = [x for s in SHORT for x in ("--set", s)]
    res = runner.invoke(app, ["site", str(NEW), "--offices", "3", "--objective", "center",
                              "--out", str(tmp_path / "p.csv"), "--check", "--reps", "2",
                              *sets])
    assert res.exit_code == 0, res.output
    assert "farthest village, minutes *" in res.output and "worst-served village" in res.output
    rec = json.loads((tmp_path / "p.siting.json").read_text())
    assert rec["optimal"]["center"] <= rec["today"]["center"] + 1e-9
    res = runner.invoke(app, ["staff", str(NEW), "--target", "response_time_p90_min<=15",
                              "--min", "0", "--max", "36", "--reps", "2", "--json",
                              "--out", str(tmp_path), *sets])
    assert res.exit_code == 0, res.output
    js = json.loads(res.stdout)
    assert js["role"] == "auxiliaries" and "smallest" in js and js["curve"]
    res = runner.invoke(app, ["frontier", str(NEW), "--levels", "0,36", "--offices", "3",
                              "--reps", "1", "--out", str(tmp_path), *sets])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(tmp_path / "frontier.parquet")
    assert len(df) == 4 and df["pareto"].any() and (tmp_path / "frontier.png").is_file()
    from sim.present.report_planning import planning_figures
    figs = planning_figures(tmp_path)
    assert [f.slug for f in figs] == ["planning-siting-p", "planning-staffing",
                                      "planning-frontier"]
    assert all(f.caption for f in figs)


def test_run_out_writes_village_and_cluster_outcomes(tmp_path):
    from sim.experiments.results import write_run
    r = run_once(load_scenario(NEW, SHORT), 0)
    write_run(tmp_path, [r])
    v = pd.read_parquet(tmp_path / "village_outcomes.parquet")
    c = pd.read_parquet(tmp_path / "cluster_outcomes.parquet")
    assert len(v) == 36 and v["calls"].sum() == r.metrics["calls"]
    assert len(c) == 4 and c["villages"].sum() == 36


def test_compare_json_names_the_worst_served_village_and_the_costs():
    sets = [x for s in SHORT for x in ("--set", s)]
    res = runner.invoke(app, ["compare", str(OLD), str(NEW), "--reps", "2", "--json", *sets])
    assert res.exit_code == 0, res.output
    js = json.loads(res.stdout)
    # by hand, as in test_costs_add_up_by_hand: the reform adds 4 offices and 4 vehicles
    assert js["costs"]["cost_a"]["total"] == 18 * 150_000 + 36 * 50_000 + 4 * 40_000
    assert js["costs"]["extra_cost"] == 4 * 40_000 + 4 * 40_000
    assert set(js["costs"]["injuries_prevented"]) == {"mean", "ci_low", "ci_high"}
    # A's worst-served village, recomputed from the raw call records with numpy: per village
    # the 90th percentile of (arrival - call) over the measured period's calls, averaged over
    # the two replications; the largest wins
    old = load_scenario(OLD, SHORT)
    per_run = []
    for k in range(2):
        tab = run_once(old, k).tables
        c = tab.calls
        t = c["t_call"].to_numpy(float)
        keep = (t >= tab.warmup_min) & (t < tab.period_end)
        resp = c["t_arrive"].to_numpy(float)[keep] - t[keep]
        vil = c["village"].to_numpy()[keep]
        per_run.append({v: float(np.nanquantile(resp[vil == v], 0.9)) for v in set(vil)})
    pooled = {v: np.nanmean([r.get(v, np.nan) for r in per_run])
              for v in set().union(*per_run)}
    worst = max(pooled, key=lambda v: pooled[v])
    w = js["worst_served"]["a"]
    assert w["village"] == worst
    assert w["response_p90_min"] == pytest.approx(pooled[worst])
