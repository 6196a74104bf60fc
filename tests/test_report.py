"""The one-command report: every figure is in the page, the page is self-contained."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_plots import ROOT, small_compare  # noqa: F401 (a fixture)
from typer.testing import CliRunner

from sim.cli import app
from sim.present.report import (
    COMPONENTS_HINT,
    ReportError,
    component_runs,
    load_results,
    sweep_component_effects,
    write_report,
)
from sim.scenario import COMPONENTS, load_scenario

COMPARE_SLUGS = ["response-time-by-distance", "violence-and-injuries", "response-time-by-hour",
                 "township-map", "equity-beyond-target", "reform-components", "time-budgets"]


def _images(page: str) -> list[str]:
    return re.findall(r"<img alt='([^']*)' src='data:image/png;base64,", page)


def _check_files(out: Path, slugs: list[str]) -> None:
    for slug in slugs:
        png = mpimg.imread(out / "figures" / f"{slug}.png")[..., :3]
        assert png.std() > 0.05, f"{slug}.png looks blank"
        svg = (out / "figures" / f"{slug}.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "<path" in svg


@pytest.fixture(scope="module")
def full_report(small_compare, tmp_path_factory):  # noqa: F811
    """A compare folder (copied) reported with the six components run alone."""
    folder = tmp_path_factory.mktemp("rep") / "cmp"
    shutil.copytree(small_compare, folder)
    log: list[str] = []
    page = write_report(folder, folder / "report", components=True, log=log.append)
    return folder, page, log


def test_compare_report_has_every_figure(full_report):
    folder, page_path, log = full_report
    assert page_path == folder / "report" / "report.html"
    page = page_path.read_text(encoding="utf-8")
    assert len(_images(page)) == 7
    for slug in COMPARE_SLUGS:
        assert f"id='{slug}'" in page
    _check_files(page_path.parent, COMPARE_SLUGS)
    assert "What the model says" in page
    assert "disputes.injury_prob" in page and "assumption: no published P(injury" in page
    assert "from 2 simulated 50-day replications" not in page  # 50 days is not "a year"
    assert "2 simulated 50-day replications per model" in page
    assert "10-day warm-up" in page and "followed 20 days" in page
    assert any("running 6 reform component(s)" in line for line in log)


def test_report_opens_offline(full_report):
    page = full_report[1].read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", page)
    assert "<script" not in page and "<link" not in page


def test_summary_matches_the_paired_comparison(full_report):
    folder, page_path, _ = full_report
    s = json.loads((page_path.parent / "summary.json").read_text())
    # expected values from the saved per-replication metrics, paired by replication, with
    # scipy's paired t interval (in percent, as the summary shows shares)
    a = pd.read_parquet(folder / "a" / "metrics.parquet").set_index("replication")
    b = pd.read_parquet(folder / "b" / "metrics.parquet").set_index("replication")
    xa, xb = a["escalation_rate"].to_numpy(), b.loc[a.index, "escalation_rate"].to_numpy()
    ci = stats.ttest_rel(xb, xa).confidence_interval()
    esc = next(e for e in s["headline"] if e["metric"] == "escalation_rate")
    assert esc["change"]["diff"] == pytest.approx((xb - xa).mean() * 100)
    assert (esc["change"]["ci_low"], esc["change"]["ci_high"]) == pytest.approx(
        (ci.low * 100, ci.high * 100))
    assert esc["change"]["relative"] == pytest.approx((xb - xa).mean() / xa.mean())
    assert esc["models"][0]["mean"] == pytest.approx(xa.mean() * 100)
    assert esc["models"][1]["mean"] == pytest.approx(xb.mean() * 100)
    keys = [r["key"] for r in s["assumptions"]["key_parameters"]]
    assert "mediation.success_auxiliary" in keys
    md = (page_path.parent / "summary.md").read_text()
    assert all(f"figures/{slug}.png" in md for slug in COMPARE_SLUGS)


def test_report_states_each_models_resources(full_report):
    folder, page_path, _ = full_report
    s = json.loads((page_path.parent / "summary.json").read_text())
    models = s["resources"]["models"]
    for side, m in zip(("a", "b"), models, strict=True):
        raw = pd.read_parquet(folder / side / "resources.parquet")
        # by hand from the raw rows: the mean over replications of each post, then the sum
        for post, rows in raw.groupby("post"):
            assert m["posts"][post]["on_duty_hours"] == pytest.approx(
                rows["on_duty_hours"].sum() / rows["replication"].nunique())
        assert m["total"]["headcount"] == pytest.approx(
            raw["headcount"].sum() / raw["replication"].nunique())
    line = s["resources"]["equal_resource"]
    ha, hb = (m["total"]["on_duty_hours"] for m in models)
    assert line.startswith("Equal-resource" if abs(hb / ha - 1) <= 0.01 else "NOT an equal")
    page = page_path.read_text(encoding="utf-8")
    assert "Who does the work" in page and line.split(":")[0] in page
    md = (page_path.parent / "summary.md").read_text()
    assert "## Who does the work" in md and line in md


def test_component_runs_are_reused_and_match_the_scenario_files(full_report):
    folder, _, _ = full_report
    log: list[str] = []
    runs = component_runs(load_results(folder), run_missing=True, log=log.append)
    assert log == [] and sorted(runs) == sorted(COMPONENTS)  # all reused, nothing rerun
    for c in COMPONENTS:  # the variants equal scenarios/components/<c>.toml, days aside
        ours = json.loads((folder / "components" / c / "manifest.json").read_text())
        ref = load_scenario(ROOT / "scenarios/components" / f"{c}.toml",
                            ["days=50", "warmup_days=10", "follow_up_days=20"]
                            ).model_dump(mode="json")
        assert ours["scenario"]["reform"] == ref["reform"]
        assert ours["scenario"]["policy"] == ref["policy"]


def test_cli_without_components_says_how_to_add_them(small_compare, tmp_path):  # noqa: F811
    res = CliRunner().invoke(app, ["report", str(small_compare), "--out", str(tmp_path / "r"),
                                   "--no-components"])
    assert res.exit_code == 0, res.output
    assert f"report: {tmp_path / 'r' / 'report.html'}" in res.output
    page = (tmp_path / "r" / "report.html").read_text()
    assert len(_images(page)) == 6
    assert "reform-components" not in page
    assert "policesim report DIR" in page and COMPONENTS_HINT[:40] in page
    assert not (small_compare / "components").exists()


def test_single_run_folder(small_compare, tmp_path):  # noqa: F811
    page = write_report(small_compare / "a", tmp_path / "r").read_text()
    assert len(_images(page)) == 6
    assert "Old model (station-centred)" in page and "Reform (center offices)" not in page


def _write_sweep(folder: Path, runs: pd.DataFrame, axes: list[str]) -> Path:
    folder.mkdir(parents=True)
    runs = runs.assign(run_id=[f"p{p}-r{k}" for p, k in zip(runs["point"], runs["replication"],
                                                            strict=True)], seed=1, error="")
    if "status" not in runs:
        runs["status"] = "ok"
    runs.to_parquet(folder / "runs.parquet")
    (folder / "manifest.json").write_text(json.dumps({
        "kind": "sweep", "axes": axes, "baseline_point": 0, "seed": 1,
        "points": [{"point": 0, "scenario": load_scenario(
            ROOT / "scenarios/station_centred.toml").model_dump(mode="json")}]}))
    return folder


def test_sweep_report(tmp_path, small_compare):  # noqa: F811
    metrics = pd.read_parquet(small_compare / "a" / "metrics.parquet")
    rows = []
    for p, aux in enumerate((0, 18, 36)):
        for _, m in metrics.iterrows():
            rows.append({**m.to_dict(), "point": p, "staff.auxiliaries": aux,
                         "escalation_rate": m["escalation_rate"] * (1 - aux / 72)})
    rows.append({**rows[0], "point": 9, "status": "failed"})  # a failed run is left out
    runs = pd.DataFrame(rows).astype({"replication": int})
    runs["status"] = runs["status"].fillna("ok")
    folder = _write_sweep(tmp_path / "sw", runs, ["staff.auxiliaries"])
    page = write_report(folder).read_text()
    assert len(_images(page)) == 1 and "sweep-staff-auxiliaries" in page
    _check_files(folder / "report", ["sweep-staff-auxiliaries"])
    s = json.loads((folder / "report" / "summary.json").read_text())
    assert s["points"] == 3 and s["baseline_values"] == {"staff.auxiliaries": "0"}


def test_sweep_over_components_gives_their_effects(tmp_path):
    cols = [f"reform.{c}" for c in COMPONENTS]
    rows = []
    designs = [dict.fromkeys(cols, False), dict.fromkeys(cols, True)]
    designs += [{**dict.fromkeys(cols, False), c: True} for c in cols]
    for p, d in enumerate(designs):
        for k in range(3):
            esc = 0.10 - 0.01 * sum(d.values()) + 0.001 * k  # each component: -1 point
            rows.append({**d, "point": p, "replication": k, "escalation_rate": esc,
                         "injury_crimes_per_10k_year": 10.0 + k,
                         "response_time_mean_min": 30.0 - 2 * d[cols[1]]})
    runs = pd.DataFrame(rows)
    eff = sweep_component_effects(runs, cols).set_index(["label", "metric"])
    assert len(eff.xs("escalation_rate", level="metric")) == 7
    esc = eff.xs("escalation_rate", level="metric")["diff"]
    assert np.allclose(esc.drop("All six together (the reform)"), -0.01)
    assert esc["All six together (the reform)"] == pytest.approx(-0.06)
    assert sweep_component_effects(runs, cols[:2]) is None
    folder = _write_sweep(tmp_path / "sw", runs, cols)
    page = write_report(folder).read_text()
    assert "id='reform-components'" in page
    _check_files(folder / "report", ["reform-components"])


def test_cli_report_errors(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "error: " in res.output and "no such results folder" in \
        res.output
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "manifest.json").write_text('{"kind": "picnic"}')
    res = runner.invoke(app, ["report", str(tmp_path / "odd")])
    assert res.exit_code == 2 and "unknown kind 'picnic'" in res.output
    with pytest.raises(ReportError, match=r"no manifest\.json"):
        load_results(tmp_path)



def test_assumptions_table_is_generated_from_the_schema():
    """Kinds and plausible ranges come from the schema; every differing parameter is listed."""
    from sim.present.report_page import assumptions
    from sim.scenario import parameter_table

    a = load_scenario(ROOT / "scenarios/station_centred.toml").model_dump(mode="json")
    b = load_scenario(ROOT / "scenarios/center_office_as_reported.toml").model_dump(mode="json")
    out = assumptions([a, b])
    schema = {r["key"]: r for r in parameter_table()}
    rows = {r["key"]: r for r in out["key_parameters"]}
    for key, r in rows.items():
        assert (r["kind"], r["plausible"], r["provenance"]) == (
            schema[key]["kind"], schema[key]["plausible"], schema[key]["provenance"])
    for key in ("policy", "staff.community_officers", "staff.auxiliaries"):
        assert rows[key]["values"][0] != rows[key]["values"][1]
    assert sum(out["provenance_counts"].values()) == len(schema)
