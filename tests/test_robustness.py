"""Robustness: tests that know the answer (synthetic effects), then the smoke spec end to end.

The synthetic effects are written down here, so the expected indices and boxes follow from
their formulas, not from the code under test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from sim.experiments import robustness as rb
from sim.experiments import robustness_analysis as ra
from sim.experiments.sweep import SweepError

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "scenarios" / "robustness" / "smoke.toml"
RT = "response_time_mean_min"


def synthetic(n: int = 256, seed: int = 0) -> tuple[pd.DataFrame, list[rb.Uncertain]]:
    """Samples of three parameters on [0, 1]; the reform's response-time gain is 10 (a - 0.3).

    ``a`` alone decides the effect (and its sign at a = 0.3); ``b`` and ``c`` do nothing. The
    noise (sd 0.1 min) stands for replication noise.
    """
    u = qmc.LatinHypercube(d=3, rng=np.random.default_rng(seed)).random(n)
    s = pd.DataFrame({"sample": range(n), "a": u[:, 0], "b": u[:, 1], "c": u[:, 2]})
    noise = np.random.default_rng(seed + 10).normal(0.0, 0.1, n)
    s[f"effect:{RT}"] = -10.0 * (s["a"] - 0.3) + noise  # lower is better: gain = -effect
    s[f"a:{RT}"] = 30.0
    s[f"b:{RT}"] = 30.0 + s[f"effect:{RT}"]
    s[f"effect_half:{RT}"] = np.nan
    s["consistent"] = True
    return s, [rb.Uncertain(k, 0.0, 1.0, False) for k in "abc"]


@pytest.mark.parametrize("seed", [0, 1])
def test_inert_parameter_gets_a_sobol_index_indistinguishable_from_zero(seed):
    s, params = synthetic(seed=seed)
    ix = ra.indices(s, params, [RT], seed=seed).set_index("parameter")
    assert ix.loc["a", "S1"] > 0.95  # the effect is a's alone (S1 = 1 up to the noise)
    for inert in ("b", "c"):
        assert abs(ix.loc[inert, "S1"]) <= ix.loc[inert, "S1_conf"], ix


@pytest.mark.parametrize("seed", [0, 1])
def test_prim_box_sits_at_the_known_threshold(seed):
    s, params = synthetic(seed=seed)
    # the gain falls short of 1 min where 10 (a - 0.3) < 1, i.e. a < 0.4 (noise: +-0.01 in a)
    (tp,) = ra.tipping_points(s, params, [rb.Threshold(metric=RT, gain=1.0)], "all")
    assert tp["short"] == int((-s[f"effect:{RT}"] < 1.0).sum())
    box = tp["box"]
    assert list(box["limits"]) == ["a"]  # b and c are not restrictions
    assert box["open_ends"]["a"] == [True, False]  # from the bottom of the range
    assert abs(box["limits"]["a"][1] - 0.4) < 0.03  # stated tolerance: 0.03 of the range
    assert box["coverage"] > 0.9 and box["density"] > 0.9


def test_prim_finds_no_box_when_nothing_falls_short():
    s, params = synthetic()
    (tp,) = ra.tipping_points(s, params, [rb.Threshold(metric=RT, gain=100.0)], "all")
    assert tp["short"] == tp["n"] and tp["box"] is None  # everything falls short: no region


def test_implausibility_by_hand():
    # reading 60-70% with 1 point of tolerance: scale = 5 + 1 = 6 points around 65%
    assert ra.implausibility(0.65, 0.60, 0.70, 0.01) == pytest.approx(0, abs=1e-12)
    assert ra.implausibility(0.71, 0.60, 0.70, 0.01) == pytest.approx(1.0)
    assert ra.implausibility(0.53, 0.60, 0.70, 0.01) == pytest.approx(2.0)
    assert ra.implausibility(40.0, 40.0, 40.0, 4.0) == 0  # a point reading: scale = tolerance
    assert ra.implausibility(46.0, 40.0, 40.0, 4.0) == pytest.approx(1.5)
    assert ra.implausibility(float("nan"), 0, 1, 0) == float("inf")


def test_inconsistent_samples_are_left_out_of_the_conditioned_summary():
    s = pd.DataFrame({"sample": [0, 1, 2, 3, 4], f"effect:{RT}": [-10.0, -12.0, -14.0, 5.0, 9.0],
                      f"a:{RT}": 30.0, f"effect_half:{RT}": np.nan})
    s[f"b:{RT}"] = s[f"a:{RT}"] + s[f"effect:{RT}"]
    # samples 3 and 4 miss the report: dispute share 50% (reading 60-70%) and 8 km too far
    base = pd.DataFrame({"dispute_calls_share": [0.62, 0.65, 0.66, 0.50, 0.64],
                         "injury_dispute_share": 0.78}, index=[0, 1, 2, 3, 4])
    prof = pd.DataFrame({"villages_beyond_20km_share": 0.5,
                         "farthest_drive_min": [40.0, 41.0, 39.0, 40.0, 48.0]},
                        index=[0, 1, 2, 3, 4])
    c = ra.condition(s, base, prof)
    assert c["consistent"].tolist() == [True, True, True, False, False]
    assert c["implausibility"].iloc[3] == pytest.approx(0.15 / 0.06)
    assert c["implausibility"].iloc[4] == pytest.approx(2.0)
    cons = ra.effect_summary(c[c["consistent"]], [RT], "consistent").iloc[0]
    assert cons["n"] == 3 and cons["median"] == -12.0 and cons["p_better"] == 1.0
    every = ra.effect_summary(c, [RT], "all").iloc[0]
    assert every["median"] == -10.0 and every["p_better"] == pytest.approx(3 / 5)


def test_default_parameters_come_from_the_schema_at_run_time(monkeypatch):
    spec = rb.RobustnessSpec(baseline="a.toml", reform="b.toml", samples=8)
    keys = [p.key for p in rb.uncertain_parameters(spec)]
    assert "screening.auxiliary_discovery_mean_days" in keys and "staff.auxiliaries" in keys
    assert not [k for k in keys if k.startswith("disputes.share_")]  # must sum to 1
    assert "warmup_days" not in keys and "seed" not in keys and "days" not in keys
    table = rb.parameter_table()
    new = {**table[-1], "key": "shifts.new_duty_rule", "kind": "assumption",
           "plausible": [0.2, 0.9]}
    monkeypatch.setattr(rb, "parameter_table", lambda: [*table, new])
    monkeypatch.setattr(rb, "param_dtype", lambda k: "float64")
    assert "shifts.new_duty_rule" in [p.key for p in rb.uncertain_parameters(spec)]


def test_spec_errors_name_the_field(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text('baseline = "a.toml"\nreform = "b.toml"\ndesign = "sobol"\nsamples = 100\n',
                 encoding="utf-8")
    with pytest.raises(SweepError, match=rf"{p}: samples: .*power of 2"):
        rb.load_spec(p)
    spec = rb.RobustnessSpec(baseline="a", reform="b", samples=8, parameters=["seed"])
    with pytest.raises(SweepError, match="'seed': it has no plausible range"):
        rb.uncertain_parameters(spec)


def test_integer_parameters_take_every_whole_number_equally():
    p = [rb.Uncertain("staff.auxiliaries", 30, 33, True)]
    vals = [r["staff.auxiliaries"] for r in rb.scale(p, np.linspace(0, 0.999, 400)[:, None])]
    assert sorted(set(vals)) == [30, 31, 32, 33]
    assert np.bincount(vals)[30:].tolist() == [100, 100, 100, 100]


# ------------------------------------------------------------------ the smoke spec, end to end

@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust") / "full"
    summary, sweep = rb.run_robustness(SMOKE, out, workers=1)
    return out, summary, sweep


def test_smoke_pairs_both_sides_with_common_random_numbers(smoke_run):
    out, summary, _ = smoke_run
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 16 and (runs["status"] == "ok").all()
    assert runs["seed"].nunique() == 1  # one root seed for every sample and both sides
    samples = pd.read_parquet(out / ra.SAMPLES_FILE)
    # the effect is reform (odd point) minus baseline (even point), by hand from the runs
    r = runs.set_index("point")[RT]
    np.testing.assert_allclose(samples[f"effect:{RT}"], r.iloc[1::2].to_numpy()
                               - r.iloc[0::2].to_numpy())
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["status"] == "complete" and "robustness" in man
    assert summary["run_samples"] == 8


def test_resume_gives_the_same_tables(smoke_run, tmp_path):
    out, _, _ = smoke_run
    part = tmp_path / "part"
    shutil.copytree(out, part)
    for f in sorted((part / "runs").glob("*.parquet"))[::2]:  # as if killed half-way
        f.unlink()
    for f in (ra.SAMPLES_FILE, ra.EFFECTS_FILE, ra.INDICES_FILE, ra.SUMMARY_JSON):
        (part / f).unlink()
    _, sweep_summary = rb.run_robustness(SMOKE, part, workers=1, resume=True)
    assert sweep_summary.done == 8 and sweep_summary.skipped == 8
    for f in ("runs.parquet", ra.SAMPLES_FILE, ra.EFFECTS_FILE, ra.INDICES_FILE):
        pd.testing.assert_frame_equal(pd.read_parquet(part / f), pd.read_parquet(out / f))
    assert (part / ra.SUMMARY_JSON).read_text() == (out / ra.SUMMARY_JSON).read_text()


def test_report_on_a_robustness_folder_says_how_sure(smoke_run, tmp_path):
    from sim.present.report import write_report
    out, _, _ = smoke_run
    page = write_report(out, tmp_path / "rep").read_text(encoding="utf-8")
    first = page[:page.index("<h2>1.")]  # the first screen, before any figure
    assert "How sure are we" in first
    assert "5-95% range" in first and "it is better in" in first
    assert "falls short of 20.0 min" in first  # the smoke spec's threshold
    assert "indices" not in first or "Sobol" in page


def test_report_refuses_an_unfinished_robustness_folder(smoke_run, tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app
    out, _, _ = smoke_run
    part = tmp_path / "unfinished"
    shutil.copytree(out, part)
    man = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
    man["status"] = "interrupted"
    (part / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    res = CliRunner().invoke(app, ["report", str(part)])
    assert res.exit_code == 2
    assert "interrupted" in res.output and "--resume" in res.output


def test_indices_summing_above_one_are_flagged_unreliable():
    # a variance cannot be split into more than the whole: S1 summing to 1.5 is an
    # estimation failure, not a finding
    idx = pd.DataFrame({"metric": ["m"] * 3 + ["n"] * 3, "parameter": list("abcabc"),
                        "S1": [0.7, 0.5, 0.3, 0.8, 0.05, 0.02],
                        "S1_conf": [0.1, 0.1, 0.1, 0.1, 0.1, 0.01]})
    assert ra.distinguishable(idx) == {"m": None, "n": ["a", "c"]}


def test_each_threshold_is_drawn_once_although_every_scope_lists_it():
    """The tipping-point list repeats a threshold per scope; the figure draws it once."""
    from sim.present.report_robustness import effect_distributions
    samples = pd.DataFrame({"effect:response_time_mean_min": [-12.0, -8.0, -3.0, -15.0],
                            "consistent": [True, False, True, False]})
    per_scope = [{"metric": "response_time_mean_min", "gain": 5.0, "relative": False,
                  "scope": scope} for scope in ("all", "consistent")]
    fig = effect_distributions(samples, ["response_time_mean_min"], per_scope)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_label() == "threshold"]
    assert len(lines) == 1
    assert lines[0].get_xdata()[0] == -5.0  # a 5-minute gain is a change of -5 minutes
