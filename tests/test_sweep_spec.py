"""Sweep files: validation errors, designs (grid, ranges, linked axes, Latin hypercube), the
example sweeps, and the analysis of a runs table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.analysis import paired_differences, point_summary, replications_needed
from sim.experiments.metrics import METRICS
from sim.experiments.sweep import SweepError, _check_out, _manifest, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "station_centred.toml"
SWEEPS = ROOT / "scenarios" / "sweeps"


def write(tmp_path: Path, body: str, base: Path = BASE, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(f'base = "{base}"\n{body}', encoding="utf-8")
    return p


BASE_ROAD_KM = 30.0  # township.max_road_km of BASE (the default of sim/scenario/township.py)
AXIS = '[[axes]]\nkey = "staff.auxiliaries"\nvalues = [0, 36]\n'


@pytest.mark.parametrize(("body", "field", "message"), [
    ('replications = "many"\n' + AXIS, "replications", "must be a whole number"),
    ("replications = 0\n" + AXIS, "replications", "must be at least 1"),
    ('[[axes]]\nkey = "staff.auxilaries"\nvalues = [1]\n', "axes",
     "unknown parameter 'staff.auxilaries' (did you mean 'staff.auxiliaries'?)"),
    ('[[axes]]\nkey = "staff.auxiliaries"\n', "axes[0]", "give values"),
    ('[[axes]]\nkey = "seed"\nvalues = [1, 2]\n', "axes", "set by the sweep itself"),
    ('[[axes]]\nkey = "mediation.joint_kinds"\nvalues = [["land"]]\n', "axes", "holds a list"),
    ('[[axes]]\nkeys = ["staff.auxiliaries", "staff.station_officers"]\nvalues = [[1]]\n',
     "axes[0]", "each level must list 2 values"),
    ('design = "lhs"\n' + AXIS, "(sweep)", "samples"),
    ('colour = "red"\n' + AXIS, "colour", "unknown key"),
    ('key_metrics = ["speed"]\n' + AXIS, "(sweep)", "unknown metric(s) speed"),
    ('baseline = { "staff.station_officers" = 3 }\n' + AXIS, "baseline",
     "not a varied parameter"),
    ('[[axes]]\nkey = "staff.station_officers"\nvalues = [4, -1]\n', "point 1",
     "staff.station_officers"),
    ('[fixed]\nstaff.auxilaries = 3\n' + AXIS, "fixed", "did you mean 'staff.auxiliaries'"),
    ("[records]\npoints = [7]\n" + AXIS, "records.points", "no point 7"),
    ('design = "lhs"\nsamples = 4\n[[axes]]\nkey = "staff.auxiliaries"\n'
     "range = { start = 0, stop = 36, num = 4 }\n", "axes",
     "range: a Latin hypercube samples start..stop; drop num/step"),
    # a bad point of linked axes is named by every value it sets, in the axis' order
    ('[[axes]]\nkeys = ["staff.station_officers", "staff.auxiliaries"]\n'
     "values = [[4, 0], [-1, 3]]\n", "point 1 (staff.station_officers=-1, staff.auxiliaries=3)",
     "staff.station_officers: must be at least 0, got -1"),
])
def test_errors_name_the_file_and_the_field(tmp_path, body, field, message):
    path = write(tmp_path, body)
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    text = str(err.value)
    assert f"{path}: {field}" in text and message in text, text


def test_a_missing_base_scenario_is_named(tmp_path):
    path = write(tmp_path, AXIS, base=tmp_path / "nowhere.toml")
    with pytest.raises(SweepError, match=r"s\.toml: base: .*nowhere\.toml: no such file"):
        load_sweep(path)


def test_cli_reports_a_bad_sweep_file_with_exit_2(tmp_path):
    path = write(tmp_path, '[[axes]]\nkey = "staff.auxilaries"\nvalues = [1]\n')
    res = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert f"error: {path}: axes: unknown parameter" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(app, ["sweep", str(SWEEPS / "smoke.toml"), "--out",
                                   str(tmp_path / "o"), "--backend", "ray"])
    assert res.exit_code == 2 and "--backend: unknown back-end 'ray'" in res.output
    assert not (tmp_path / "o").exists()  # nothing written before the options are checked


def test_grid_ranges_and_the_order_of_points(tmp_path):
    path = write(tmp_path, '[[axes]]\nkey = "township.max_road_km"\nrange = { start = 10, '
                           'stop = 40, step = 10 }\n[[axes]]\nkey = "staff.auxiliaries"\n'
                           'range = { start = 0, stop = 72, num = 3 }\n')
    sweep = load_sweep(path)
    got = [tuple(p.columns.values()) for p in sweep.points]
    assert got == [(d, a) for d in (10.0, 20.0, 30.0, 40.0) for a in (0, 36, 72)]
    assert all(isinstance(a, int) for _, a in got)
    assert sweep.points[5].scenario.township.max_road_km == 20.0
    assert sweep.points[5].scenario.staff.auxiliaries == 72


def test_a_baseline_off_the_grid_is_added_as_the_last_point(tmp_path):
    path = write(tmp_path, 'baseline = { "staff.auxiliaries" = 20 }\n' + AXIS)
    sweep = load_sweep(path)
    assert [p.columns["staff.auxiliaries"] for p in sweep.points] == [0, 36, 20]
    assert sweep.baseline_point == 2


def test_latin_hypercube_is_stratified_reproducible_and_typed(tmp_path):
    body = ('design = "lhs"\nsamples = 8\ndesign_seed = 3\n[[axes]]\nkey = "screening.'
            'detect_prob"\nrange = { start = 0.2, stop = 0.6 }\n[[axes]]\nkey = "staff.'
            'auxiliaries"\nrange = { start = 0, stop = 79 }\n[[axes]]\nkey = "reform.'
            'screening"\nvalues = [false, true]\n')
    sweep = load_sweep(write(tmp_path, body))
    p = np.array([pt.columns["screening.detect_prob"] for pt in sweep.points])
    aux = [pt.columns["staff.auxiliaries"] for pt in sweep.points]
    assert sorted(np.floor((p - 0.2) / 0.05).astype(int)) == list(range(8))  # one per stratum
    assert sorted(a // 10 for a in aux) == list(range(8)) and all(isinstance(a, int) for a in aux)
    assert sorted(pt.columns["reform.screening"] for pt in sweep.points) == [False] * 4 + [True] * 4
    again = load_sweep(write(tmp_path, body))
    assert [pt.values for pt in again.points] == [pt.values for pt in sweep.points]
    other = load_sweep(write(tmp_path, body.replace("design_seed = 3", "design_seed = 4")))
    assert [pt.values for pt in other.points] != [pt.values for pt in sweep.points]


def test_example_sweeps():
    comp = load_sweep(SWEEPS / "reform_components.toml")
    combos = {tuple(p.scenario.components().values()) for p in comp.points}
    assert len(comp.points) == len(combos) == 64
    assert not any(comp.points[comp.baseline_point].scenario.components().values())
    share = load_sweep(SWEEPS / "community_share.toml")
    staff = [(p.scenario.staff.community_officers, p.scenario.staff.station_officers)
             for p in share.points]
    assert {c + s for c, s in staff} == {20} and [c / 20 for c, _ in staff][-1] == 0.6
    assert staff[share.baseline_point] == (9, 11)  # the reform's 45% target
    aux = load_sweep(SWEEPS / "auxiliaries_distance.toml")
    assert len(aux.points) == 20
    assert aux.points[aux.baseline_point].columns == {"staff.auxiliaries": 36,
                                                      "township.max_road_km": 30.0}
    smoke = load_sweep(SWEEPS / "smoke.toml")
    assert len(smoke.points) * smoke.replications <= 12
    assert smoke.points[0].scenario.days <= 60


def _table(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    rows = []
    for point, xs in enumerate((a, b)):
        for k, x in enumerate(xs):
            rows.append({"run_id": f"p{point}-r{k}", "point": point, "replication": k,
                         "seed": 1, **dict.fromkeys(METRICS, float(x)), "status": "ok",
                         "error": ""})
    return pd.DataFrame(rows)


def test_paired_differences_match_scipy_ttest_rel():
    rng = np.random.default_rng(1)
    common = rng.normal(30, 5, 12)  # shared by both points: common random numbers
    a, b = common + rng.normal(0, 0.5, 12), common + 2 + rng.normal(0, 0.5, 12)
    got = paired_differences(_table(a, b), 0).query("point == 1 and metric == 'calls'")
    ci = stats.ttest_rel(b, a).confidence_interval()
    assert got["diff"].item() == pytest.approx(np.mean(b - a))
    assert (got["ci_low"].item(), got["ci_high"].item()) == pytest.approx((ci.low, ci.high))
    summ = point_summary(_table(a, b)).query("point == 0 and metric == 'calls'")
    unpaired = stats.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert ci.high - ci.low < (unpaired.high - unpaired.low) / 3  # what pairing buys
    assert summ["n"].item() == 12 and summ["mean"].item() == pytest.approx(a.mean())


def test_replications_needed_scales_with_the_square_of_the_precision_ratio():
    x = np.array([9.0, 11.0, 9.0, 11.0])  # mean 10, half-width 1.838 -> 0.1838 relative
    table = _table(x, x)
    assert replications_needed(table, ["calls"], 0.2, 4, 100)[0] == 4  # already met
    assert replications_needed(table, ["calls"], 0.15, 4, 100)[0] == 7  # ceil(4 * 1.225^2)
    assert replications_needed(table, ["calls"], 0.05, 4, 100)[0] == 8  # at most doubling
    assert replications_needed(table, ["calls"], 0.05, 4, 6)[0] == 6  # max_replications


def test_until_ci_outside_0_1_is_refused(tmp_path):
    with pytest.raises(SweepError, match="--until-ci"):
        run_sweep(load_sweep(SWEEPS / "smoke.toml"), tmp_path, until_ci=5)


VILLAGES = ("village_id,x_km,y_km,population,cluster_id\n"
            "North,1,9,2500,C1\nSouth,2,1,2600,C1\nEast,9,2,2400,C2\n")


def test_a_relative_layout_is_found_beside_the_file_that_names_it(tmp_path):
    # the base scenario (in base/) names "v.csv": beside the base file; a sweep (in sweeps/)
    # that sets township.layout itself names a file beside the sweep file
    (tmp_path / "base").mkdir()
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "base" / "v.csv").write_text(VILLAGES)
    (tmp_path / "sweeps" / "w.csv").write_text(VILLAGES)
    base = tmp_path / "base" / "base.toml"
    base.write_text(BASE.read_text().replace('layout = "generated"', 'layout = "v.csv"', 1))
    axis = '[[axes]]\nkey = "staff.auxiliaries"\nvalues = [0, 2]\n'
    own = tmp_path / "sweeps" / "own.toml"
    own.write_text(f'base = "{base}"\n{axis}')
    fixed = tmp_path / "sweeps" / "fixed.toml"
    fixed.write_text(f'base = "{base}"\n[fixed]\ntownship.layout = "w.csv"\n{axis}')
    assert [p.scenario.township.layout for p in load_sweep(own).points] == \
        [str((tmp_path / "base" / "v.csv").resolve())] * 2
    assert [p.scenario.township.layout for p in load_sweep(fixed).points] == \
        [str((tmp_path / "sweeps" / "w.csv").resolve())] * 2


def test_the_manifest_holds_what_docs_sweeps_md_promises(tmp_path):
    path = write(tmp_path, 'key_metrics = ["calls", "escalation_rate"]\nseed = 11\n' + AXIS)
    sweep = load_sweep(path)
    m = _manifest(sweep, 4, "interrupted")
    # docs/sweeps.md, "manifest.json has ..."
    assert m["kind"] == "sweep" and m["status"] == "interrupted"
    assert m["axes"] == ["staff.auxiliaries"] and m["baseline_point"] is None  # none given
    assert m["seed"] == 11 and m["replications"] == 4
    assert "SeedSequence(seed, spawn_key=(k,))" in m["seed_rule"]
    assert m["key_metrics"] == ["calls", "escalation_rate"]
    assert m["sweep_file"] == str(path.resolve()) and m["sweep_text"] == path.read_text()
    assert [(p["point"], p["values"]) for p in m["points"]] == \
        [(0, {"staff.auxiliaries": 0}), (1, {"staff.auxiliaries": 36})]
    assert m["points"][1]["scenario"]["staff"]["auxiliaries"] == 36
    assert len(m["design_hash"]) == 64
    assert {"policesim_version", "mesa_version", "numpy_version", "python"} <= set(m)


def test_a_baseline_that_leaves_an_axis_out_takes_the_base_scenarios_value(tmp_path):
    # the baseline sets staff.auxiliaries only: its township.max_road_km is the base
    # scenario's (30 km: station_centred.toml leaves it at the schema's default), not the
    # 20 of the last grid point built before it. (A township key: the base file has a
    # [township] table, which a shallow copy of the file's mapping would share between points.)
    path = write(tmp_path, 'baseline = { "staff.auxiliaries" = 20 }\n' + AXIS +
                 '[[axes]]\nkey = "township.max_road_km"\nvalues = [10, 20]\n')
    sweep = load_sweep(path)
    assert [tuple(p.columns.values()) for p in sweep.points] == [
        (0, 10.0), (0, 20.0), (36, 10.0), (36, 20.0), (20, BASE_ROAD_KM)]
    assert sweep.baseline_point == 4
    assert sweep.points[4].scenario.township.max_road_km == BASE_ROAD_KM


def test_an_empty_runs_folder_holds_no_runs(tmp_path):
    # a sweep stopped before it saved its first run leaves runs/ empty: nothing to resume or
    # to protect, so neither a fresh start nor a resume (no manifest to match) is refused
    sweep = load_sweep(write(tmp_path, AXIS))
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    _check_out(out, sweep, resume=False)
    _check_out(out, sweep, resume=True)
    (out / "runs" / "p0-r0.parquet").write_bytes(b"")  # one saved run
    with pytest.raises(SweepError, match="already holds sweep runs; pass --resume"):
        _check_out(out, sweep, resume=False)
    with pytest.raises(SweepError, match=r"has runs but no manifest\.json"):
        _check_out(out, sweep, resume=True)


def test_a_sweep_file_that_is_not_toml_is_named_with_the_toml_error(tmp_path):
    path = write(tmp_path, "replications = = 2\n")
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    assert str(err.value) == f"{path}: invalid TOML: Invalid value (at line 2, column 16)"
