"""Sweeps by hand: the file kinds, dtypes, design levels, error messages, the output-folder
checks, the merged table, the manifest and the summary text, each against a value worked out
by hand (the arithmetic in a comment) or by an independent method (SciPy).

The runs are tiny (two days of a two-village township, one or two replications), so the file
runs in a few seconds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats import qmc
from test_sweep_spec import AXIS, BASE, write

from sim.experiments.metrics import METRICS
from sim.experiments.run import run_once
from sim.experiments.sweep import (
    Axis,
    Range,
    Records,
    SweepError,
    SweepSummary,
    _check_out,
    _grid_levels,
    _lhs_levels,
    _manifest,
    build_sweep,
    column_value,
    file_kind,
    load_runs,
    load_sweep,
    merge,
    param_dtype,
    run_sweep,
    wrong_kind,
)
from sim.scenario import read_toml, scenario_from_mapping

ROOT = Path(__file__).resolve().parents[1]
BASE_SEED = 20211001  # station_centred.toml: seed = 20211001
# two days of a two-village township, no warm-up or follow-up: a run takes a fraction of a second
TINY = {"days": 2, "warmup_days": 0, "follow_up_days": 0, "township.villages": 2,
        "township.clusters": 1}


def tiny(tmp_path: Path, officers=(4,), replications: int = 1, **kw) -> object:
    """A sweep over station officers on the tiny township (``kw`` as for build_sweep)."""
    kw.setdefault("name", "tiny")
    return build_sweep(str(tmp_path / "t.toml"), BASE,
                       [{"staff.station_officers": n} for n in officers],
                       ["staff.station_officers"], replications, fixed=TINY, **kw)


def load_error(path: Path) -> str:
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    return str(err.value)


# ---------------------------------------------------------------- file kinds

def test_file_kind_reads_the_top_level_keys():
    assert file_kind({"axes": [], "parameters": [], "method": "sobol"}) == "sweep"
    assert file_kind({"parameters": [], "method": "sobol"}) == "sensitivity"
    assert file_kind({"parameters": [], "outputs": ["calls"]}) == "sensitivity"
    # parameters alone, or a method alone, is not a sensitivity file
    assert file_kind({"parameters": []}) == "scenario"
    assert file_kind({"method": "sobol", "outputs": []}) == "scenario"
    assert file_kind({"staff": {}}) == "scenario"


def test_wrong_kind_names_the_kind_and_the_command_to_run_it():
    assert wrong_kind("w.toml", {"axes": []}, "sweep") is None
    assert wrong_kind("w.toml", {"staff": {}}, "sweep") == (
        "w.toml: this is a scenario file, not a sweep file; run it with: policesim run w.toml")
    assert wrong_kind("w.toml", {"parameters": [], "method": "morris"}, "sweep") == (
        "w.toml: this is a sensitivity file (it has [[parameters]] and a method), not a sweep "
        "file; run it with: policesim sensitivity w.toml --out DIR")
    assert wrong_kind("w.toml", {"axes": []}, "sensitivity") == (
        "w.toml: this is a sweep file (it has [[axes]]), not a sensitivity file; run it with: "
        "policesim sweep w.toml --out DIR")


def test_a_scenario_file_given_as_a_sweep_is_refused_with_the_command_to_run_it():
    assert load_error(BASE) == (f"{BASE}: this is a scenario file, not a sweep file; run it "
                                f"with: policesim run {BASE}")


# ---------------------------------------------------------------- parameters

def test_param_dtype_of_each_kind_of_parameter():
    assert param_dtype("staff.auxiliaries") == "int64"  # int
    assert param_dtype("township.max_road_km") == "float64"  # float
    assert param_dtype("township.station_x_km") == "float64"  # float | None
    assert param_dtype("roads.symmetric") == "bool"  # bool, not a reform component
    assert param_dtype("reform.screening") == "bool"  # bool | None: the component in force
    assert param_dtype("township.layout") == "str"
    assert param_dtype("policy") == "str"  # a Literal of names
    assert param_dtype("mediation.joint_kinds") == ""  # tuple of names


def test_a_tuple_of_floats_is_a_list_parameter_too(tmp_path):
    # rhythm.hour_profile is tuple[float, ...]: "float" is in its annotation, but it holds a
    # list, so it cannot be an axis (it used to pass as a float64 column)
    assert param_dtype("rhythm.hour_profile") == ""
    path = write(tmp_path, '[[axes]]\nkey = "rhythm.hour_profile"\nvalues = [[1.0]]\n')
    assert load_error(path) == (f"{path}: axes: 'rhythm.hour_profile' holds a list; only "
                                "single-valued parameters can be varied (set it in [fixed])")


def test_column_value_gives_reform_components_as_in_force():
    scn = scenario_from_mapping(read_toml(ROOT / "scenarios" / "center_office.toml"), "c")
    assert scn.reform.screening is None  # not set in the file: the policy's default
    assert column_value(scn, "reform.screening") is True  # the center-office model has it
    assert column_value(scn, "staff.station_officers") == scn.staff.station_officers
    assert column_value(scn, "policy") == "center_office"


# ---------------------------------------------------------------- grid levels

def test_a_one_value_range_is_its_start():
    axis = Axis(key="staff.auxiliaries", range=Range(start=5, stop=9, num=1))
    assert _grid_levels(axis) == [{"staff.auxiliaries": 5}]


def test_a_stepped_range_is_rounded_to_twelve_digits():
    # 0.1 + 0.1 * 2 = 0.30000000000000004 in floating point; the level is 0.3;
    # floor((0.35 - 0.1) / 0.1) + 1 = floor(2.5) + 1 = 3 levels
    axis = Axis(key="township.max_road_km", range=Range(start=0.1, stop=0.35, step=0.1))
    assert _grid_levels(axis) == [{"township.max_road_km": x} for x in (0.1, 0.2, 0.3)]


def test_an_integer_range_is_rounded_and_deduplicated():
    # linspace(0, 3, 5) = 0, 0.75, 1.5, 2.25, 3 -> round: 0, 1, 2, 2, 3 (half to even)
    axis = Axis(key="staff.auxiliaries", range=Range(start=0, stop=3, num=5))
    got = _grid_levels(axis)
    assert got == [{"staff.auxiliaries": n} for n in (0, 1, 2, 3)]
    assert all(type(lv["staff.auxiliaries"]) is int for lv in got)


def test_linked_levels_set_every_key():
    axis = Axis(keys=["staff.community_officers", "staff.station_officers"],
                values=[[0, 20], [9, 11]])
    assert _grid_levels(axis) == [
        {"staff.community_officers": 0, "staff.station_officers": 20},
        {"staff.community_officers": 9, "staff.station_officers": 11}]
    assert _grid_levels(Axis(key="reform.screening", values=[False, True])) == [
        {"reform.screening": False}, {"reform.screening": True}]


def test_a_grid_range_without_num_or_step_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"^range: a grid needs num or step$"):
        _grid_levels(Axis(key="staff.auxiliaries", range=Range(start=0, stop=3)))
    path = write(tmp_path, '[[axes]]\nkey = "staff.auxiliaries"\nrange = { start = 0, '
                           'stop = 3 }\n')
    assert load_error(path) == f"{path}: axes: range: a grid needs num or step"


# ---------------------------------------------------------------- Latin-hypercube levels

def test_lhs_values_are_taken_by_equal_slices_of_the_unit_interval():
    # 2 values: u in [0, 0.5) -> the first, [0.5, 1] -> the second (u = 1 clipped to the last)
    axis = Axis(key="staff.auxiliaries", values=[10, 20])
    got = _lhs_levels(axis, np.array([0.0, 0.49, 0.5, 0.99, 1.0]))
    assert [lv["staff.auxiliaries"] for lv in got] == [10, 10, 20, 20, 20]


def test_lhs_integer_range_gives_each_whole_number_an_equal_slice():
    # start 0.5, stop 3.7 -> whole numbers 1..3, 3 slices of 1/3:
    # 1 + floor(u * 3): u = 0 -> 1, 0.5 -> 1 + 1 = 2, 0.99 -> 1 + 2 = 3, 1 -> 4 clipped to 3
    axis = Axis(key="staff.auxiliaries", range=Range(start=0.5, stop=3.7))
    got = [lv["staff.auxiliaries"] for lv in _lhs_levels(axis, np.array([0, 0.5, 0.99, 1]))]
    assert got == [1, 2, 3, 3] and all(type(n) is int for n in got)


def test_lhs_float_range_is_linear_in_u():
    axis = Axis(key="screening.detect_prob", range=Range(start=0.2, stop=0.6))
    got = [lv["screening.detect_prob"] for lv in _lhs_levels(axis, np.array([0, 0.25, 1]))]
    assert got == pytest.approx([0.2, 0.3, 0.6])  # 0.2 + 0.25 * 0.4 = 0.3


def test_lhs_design_follows_scipys_sample_of_the_design_seed(tmp_path):
    body = ('design = "lhs"\nsamples = 5\ndesign_seed = 7\n[[axes]]\nkey = "screening.'
            'detect_prob"\nrange = { start = 0.2, stop = 0.6 }\n[[axes]]\nkey = "staff.'
            'auxiliaries"\nvalues = [0, 10, 20, 30, 40]\n')
    sweep = load_sweep(write(tmp_path, body))
    u = qmc.LatinHypercube(d=2, rng=np.random.default_rng(7)).random(5)
    assert [p.values["screening.detect_prob"] for p in sweep.points] == \
        pytest.approx(list(0.2 + 0.4 * u[:, 0]))
    assert [p.values["staff.auxiliaries"] for p in sweep.points] == \
        [10 * int(x * 5) for x in u[:, 1]]  # 5 values: slice int(5u), u < 1 here


# ---------------------------------------------------------------- sweep files

def test_the_sweep_file_sets_the_periods_names_seed_and_ceilings(tmp_path):
    path = write(tmp_path, "days = 3\nwarmup_days = 1\nfollow_up_days = 2\nreplications = 2\n"
                           "max_replications = 7\n[fixed]\ntownship.villages = 5\n" + AXIS,
                 name="my_sweep.toml")
    sweep = load_sweep(path)
    scn = sweep.points[1].scenario
    assert (scn.days, scn.warmup_days, scn.follow_up_days) == (3.0, 1.0, 2.0)
    assert scn.township.villages == 5 and scn.staff.auxiliaries == 36
    assert scn.township.layout == "generated"  # not a file: left as it is
    assert sweep.name == "my_sweep" and sweep.seed == BASE_SEED  # defaults: stem, base's
    assert (sweep.replications, sweep.max_replications) == (2, 7)
    assert sweep.key_metrics == ("response_time_mean_min", "escalation_rate",
                                 "injury_crimes_per_10k_year")
    assert sweep.records == frozenset() and sweep.baseline_point is None
    named = load_sweep(write(tmp_path, 'name = "n"\nseed = 5\n' + AXIS))
    assert (named.name, named.seed) == ("n", 5)


def test_a_baseline_on_the_grid_is_that_point_and_records_may_name_point_0(tmp_path):
    path = write(tmp_path, 'baseline = { "staff.auxiliaries" = 36 }\n'
                           "[records]\npoints = [0, 1]\n" + AXIS)
    sweep = load_sweep(path)
    assert len(sweep.points) == 2 and sweep.baseline_point == 1
    assert sweep.records == {(0, 0), (1, 0)}  # replications default to [0]


@pytest.mark.parametrize(("body", "message"), [
    ('baseline = { "staff.station_officers" = 3 }\n' + AXIS +
     '[[axes]]\nkey = "township.max_road_km"\nvalues = [10]\n',
     "baseline: 'staff.station_officers' is not a varied parameter (axes: staff.auxiliaries, "
     "township.max_road_km)"),
    ("[fixed]\nstaff.auxilaries = 3\n" + AXIS,
     "fixed: unknown parameter 'staff.auxilaries' (did you mean 'staff.auxiliaries'?)"),
    ('[[axes]]\nkey = "mediation.joint_kinds"\nvalues = [["land"]]\n',
     "axes: 'mediation.joint_kinds' holds a list; only single-valued parameters can be varied "
     "(set it in [fixed])"),
    ("[records]\npoints = [2]\n" + AXIS, "records.points: no point 2 (points 0..1)"),
    (AXIS + AXIS, "axes: 'staff.auxiliaries' is varied twice"),
    ('colour = "red"\n' + AXIS, "colour: unknown key"),
    ("[records]\npoints = [0]\nreplication = [0]\n" + AXIS,
     "records.replication: unknown key (did you mean 'replications'?)"),
    ('[[axes]]\nkye = "staff.auxiliaries"\nkey = "staff.auxiliaries"\nvalues = [1]\n',
     "axes[0].kye: unknown key (did you mean 'key'?)"),
    ('[[axes]]\nkey = "staff.auxiliaries"\nrange = { start = 0, stop = 3, steps = 1 }\n',
     "axes[0].range.steps: unknown key (did you mean 'step'?)"),
])
def test_sweep_file_errors_word_for_word(tmp_path, body, message):
    path = write(tmp_path, body)
    assert load_error(path) == f"{path}: {message}"


# ---------------------------------------------------------------- the output folder

def test_resume_refuses_a_folder_of_other_results_word_for_word(tmp_path):
    sweep = tiny(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    man = out / "manifest.json"
    man.write_text(json.dumps({"kind": "run"}))
    tail = "results, not a sweep; --resume continues only a sweep"
    with pytest.raises(SweepError) as err:
        _check_out(out, sweep, resume=True)
    assert str(err.value) == f"{out}: holds run {tail}"
    for text in ("{}", "not json"):  # no kind, or not readable: "other"
        man.write_text(text)
        with pytest.raises(SweepError) as err:
            _check_out(out, sweep, resume=True)
        assert str(err.value) == f"{out}: holds other {tail}"
    man.write_text(json.dumps({"kind": "sweep", "design_hash": "0" * 64}))
    with pytest.raises(SweepError) as err:
        _check_out(out, sweep, resume=True)
    assert str(err.value) == (f"{out}: holds a different sweep (its design, seed or scenarios "
                              "changed); --resume continues only the same sweep")
    man.write_text(json.dumps({"kind": "sweep", "design_hash": sweep.design_hash()}))
    _check_out(out, sweep, resume=True)  # the same sweep: accepted


def test_until_ci_bounds_and_an_unwritable_out_word_for_word(tmp_path):
    sweep = tiny(tmp_path)
    for bad in (0, 1, 1.5):
        with pytest.raises(SweepError) as err:
            run_sweep(sweep, tmp_path / "o", until_ci=bad)
        assert str(err.value) == f"--until-ci: a relative half-width between 0 and 1 (got {bad})"
    with pytest.raises(SweepError) as err:
        run_sweep(sweep, tmp_path / "o", resume=True, force=True)
    assert str(err.value) == ("--force and --resume: give one (--force starts afresh, --resume "
                              "continues)")
    assert not (tmp_path / "o").exists()
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(SweepError) as err:
        run_sweep(sweep, afile, workers=1)
    assert str(err.value) == (f"{afile}: cannot write output here (it is a file, not a "
                              "folder); choose another --out")


# ---------------------------------------------------------------- a tiny run, end to end

def test_a_tiny_sweep_writes_its_runs_records_manifest_and_progress(tmp_path, capsys):
    sweep = tiny(tmp_path, officers=(4, 5), records=Records(points=[1], replications=[0]))
    out = tmp_path / "out"
    stale = out / "records" / "p1-r0" / ".metrics.parquet.x.tmp"  # left by a cut-short write
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")
    summary = run_sweep(sweep, out, workers=1, progress=True, resume=True)
    err = capsys.readouterr().err
    assert "tiny (inline)" in err and "2/2" in err and "run/s" in err  # the bar, on stderr
    assert (summary.done, summary.skipped, summary.failed) == (2, 0, [])
    assert summary.out == out and summary.replications == 1
    assert list(summary.table["run_id"]) == ["p0-r0", "p1-r0"]
    assert list(summary.table["seed"]) == [BASE_SEED] * 2
    assert list(summary.table["staff.station_officers"]) == [4, 5]
    assert (summary.table["status"] == "ok").all() and (summary.table["error"] == "").all()
    saved = pd.read_parquet(out / "runs.parquet")
    assert list(saved["run_id"]) == ["p0-r0", "p1-r0"]
    assert sorted(f.name for f in (out / "runs").iterdir()) == ["p0-r0.parquet",
                                                                "p1-r0.parquet"]
    # the records of the one named run, its manifest saying what it is; the stale file gone
    assert [d.name for d in (out / "records").iterdir()] == ["p1-r0"]
    assert not stale.exists()
    rec = json.loads((out / "records" / "p1-r0" / "manifest.json").read_text())
    assert (rec["kind"], rec["run_id"], rec["point"], rec["sweep"]) == (
        "sweep-run", "p1-r0", 1, "tiny")
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["runs"] == {"total": 2, "failed": 0}
    assert (man["last_backend"], man["last_workers"], man["until_ci"]) == ("local", 1, None)
    assert man["replications"] == 1 and man["fingerprint"] == sweep.design_hash()
    assert (out / "summary.parquet").is_file()
    # the same folder again without --resume: refused, naming the option
    with pytest.raises(SweepError, match="already holds sweep runs; pass --resume"):
        run_sweep(sweep, out, workers=1)


def test_force_replaces_another_sweeps_results(tmp_path):
    # a folder holding sweep A's runs: sweep B (other points, so another fingerprint) is
    # refused there, and with --force replaces them (B's runs only, afterwards)
    out = tmp_path / "out"
    run_sweep(tiny(tmp_path, officers=(4,)), out, workers=1)
    b = tiny(tmp_path, officers=(5, 6))
    with pytest.raises(SweepError, match="pass --force to replace it"):
        run_sweep(b, out, workers=1)
    summary = run_sweep(b, out, workers=1, force=True)
    assert (summary.done, summary.skipped) == (2, 0)
    assert list(pd.read_parquet(out / "runs.parquet")["staff.station_officers"]) == [5, 6]
    assert json.loads((out / "manifest.json").read_text())["fingerprint"] == b.design_hash()


def test_until_ci_adds_a_round_then_stops_at_max_replications(tmp_path):
    # 2 replications, ceiling 3: a first round of 2, a second up to the ceiling (3), then the
    # note with the worst relative half-width of "calls" (computed here with scipy's t)
    sweep = tiny(tmp_path, replications=2, max_replications=3, key_metrics=["calls"])
    summary = run_sweep(sweep, tmp_path / "out", workers=1, until_ci=0.01)
    assert summary.replications == 3 and list(summary.table["run_id"]) == [
        "p0-r0", "p0-r1", "p0-r2"]
    calls = summary.table["calls"].to_numpy()
    assert calls.mean() > 0
    half = stats.t.ppf(0.975, 2) * calls.std(ddof=1) / math.sqrt(3)
    worst = half / calls.mean()
    assert worst > 0.01  # three short runs: the target is out of reach
    assert summary.notes == [f"--until-ci 0.01: worst relative half-width {worst:.3g} with 3 "
                             "replications (max_replications 3 reached)"]
    man = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert man["until_ci"] == 0.01 and man["replications"] == 3


# ---------------------------------------------------------------- the table and manifest

def _row(rid: str, value: float, status: str = "ok", error: str = "") -> dict:
    return {"run_id": rid, **dict.fromkeys(METRICS, value), "status": status, "error": error}


def test_merge_sorts_by_point_then_replication_and_keeps_only_saved_runs(tmp_path):
    sweep = tiny(tmp_path, officers=(4, 5), seed=9)
    rows = {"p1-r0": _row("p1-r0", 3.0), "p0-r1": _row("p0-r1", 2.0, "failed", "E: x"),
            "p0-r0": _row("p0-r0", 1.0), "p1-r5": _row("p1-r5", 9.0)}  # r5: beyond 2 reps
    table = merge(sweep, rows, 2)
    assert list(table["run_id"]) == ["p0-r0", "p0-r1", "p1-r0"]
    assert list(table["point"]) == [0, 0, 1] and list(table["replication"]) == [0, 1, 0]
    assert list(table["seed"]) == [9, 9, 9]
    assert list(table["staff.station_officers"]) == [4, 4, 5]
    assert list(table["calls"]) == [1.0, 2.0, 3.0]
    assert list(table["status"]) == ["ok", "failed", "ok"]
    assert list(table["error"]) == ["", "E: x", ""]
    assert str(table["staff.station_officers"].dtype) == "int64"


def test_load_runs_drops_temporary_and_unreadable_files(tmp_path):
    assert load_runs(tmp_path / "none") == {}
    sweep = tiny(tmp_path)
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1)
    runs = out / "runs"
    (runs / ".p9-r0.parquet.abc.tmp").write_bytes(b"")
    (runs / "p8-r0.parquet").write_bytes(b"not parquet")
    got = load_runs(runs)
    assert list(got) == ["p0-r0"] and got["p0-r0"]["status"] == "ok"
    assert sorted(f.name for f in runs.iterdir()) == ["p0-r0.parquet"]
    # a finished sweep with its manifest resumes: its one saved run is skipped, none done
    again = run_sweep(sweep, out, workers=1, resume=True)
    assert (again.done, again.skipped, list(again.table["run_id"])) == (0, 1, ["p0-r0"])


def test_the_manifest_lists_the_packages_and_every_point(tmp_path):
    sweep = load_sweep(write(tmp_path, 'baseline = { "staff.auxiliaries" = 36 }\n' + AXIS))
    m = _manifest(sweep, 3, "running", until_ci=0.2)
    assert m["packages"]["numpy"] == np.__version__
    assert m["packages"]["pandas"] == pd.__version__
    assert m["baseline_point"] == 1 and m["until_ci"] == 0.2 and m["status"] == "running"
    assert m["fingerprint"] == m["design_hash"] == sweep.design_hash()
    assert [p["columns"] for p in m["points"]] == [{"staff.auxiliaries": 0},
                                                   {"staff.auxiliaries": 36}]
    assert m["points"][0]["scenario"]["township"]["layout"] == "generated"
    # plain JSON throughout (the scenario dumped in JSON mode: lists, not tuples), so the
    # manifest read back from its file is the manifest written
    assert m == json.loads(json.dumps(m))
    assert m["points"][0]["scenario"]["mediation"]["joint_kinds"] == list(
        sweep.points[0].scenario.mediation.joint_kinds)


# ---------------------------------------------------------------- the summary text

def _summary(tmp_path: Path, table: pd.DataFrame, **kw) -> SweepSummary:
    return SweepSummary(tmp_path, table, 2, axes=("staff.auxiliaries",),
                        key_metrics=("calls",), **kw)


def _table() -> pd.DataFrame:
    rows = [(0, 0, 0, 10.0, "ok"), (0, 1, 0, 13.0, "ok"), (1, 0, 5, 7.0, "ok"),
            (1, 1, 5, 99.0, "failed")]
    return pd.DataFrame([{"run_id": f"p{p}-r{k}", "point": p, "replication": k,
                          "staff.auxiliaries": a, "calls": c, "status": s}
                         for p, k, a, c, s in rows])


def test_points_table_means_the_ok_runs_of_each_point(tmp_path):
    # point 0: (10 + 13) / 2 = 11.5 over 2 runs; point 1: 7 over its 1 ok run (99 failed)
    got = _summary(tmp_path, _table()).points_table()
    assert got == ("means per design point:\n"
                   " point  staff.auxiliaries  runs  calls\n"
                   "     0                  0     2   11.5\n"
                   "     1                  5     1      7")
    cut = _summary(tmp_path, _table()).points_table(max_rows=1)
    assert cut.splitlines()[-1] == f"... 1 more points in {tmp_path / 'runs.parquet'}"
    assert len(cut.splitlines()) == 4  # title, header, one point, the "more" line


def test_points_table_is_empty_without_ok_runs_or_key_metrics(tmp_path):
    failed = _table().assign(status="failed")
    assert _summary(tmp_path, failed).points_table() == ""
    assert _summary(tmp_path, _table().iloc[:0]).points_table() == ""
    assert SweepSummary(tmp_path, _table(), 2, axes=("staff.auxiliaries",)).points_table() == ""
    assert SweepSummary(tmp_path, pd.DataFrame(), 2).points_table() == ""


def test_summary_text_line_by_line(tmp_path):
    s = _summary(tmp_path, _table(), done=3, skipped=1, failed=[("p1-r1", "E: boom")],
                 notes=["a note"])
    assert s.text() == (
        "runs: 4 (3 done now, 1 skipped on resume, 1 failed); replications per point: 2\n"
        "a note\n"
        "  failed p1-r1: E: boom\n"
        f"{s.points_table()}\n"
        f"results: {tmp_path / 'runs.parquet'}")


def test_every_run_is_seeded_with_the_sweeps_root_seed(tmp_path):
    # the sweep's seed (1), not the base scenario's (20211001), seeds replication 0: the run
    # matches run_once with seed 1, and differs from the run with the base's seed (on this
    # tiny township seed 1 meets no call in two days, the base's seed one)
    sweep = tiny(tmp_path, seed=1)
    table = run_sweep(sweep, tmp_path / "out", workers=1).table
    scn = sweep.points[0].scenario
    want = run_once(scn, 0, 1).metrics
    assert table.loc[0, list(METRICS)].to_dict() == pytest.approx(want, nan_ok=True)
    assert run_once(scn, 0, BASE_SEED).metrics["calls"] != table.loc[0, "calls"]
