"""Morris and Sobol on a tiny design: an inert parameter scores exactly zero, a live one not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.sensitivity import PLOT_FILE, TABLE_FILE, run_sensitivity
from sim.experiments.sweep import SweepError

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "station_centred.toml"

# screening.visit_min is inert under the station-centred model (no screening visits), so with
# common random numbers every output is unchanged by it; the road distance is not.
BOUNDS = {"township.max_road_km": (5.0, 40.0), "screening.visit_min": (30.0, 120.0)}
PARAMETERS = "".join(f'[[parameters]]\nkey = "{k}"\nlow = {lo:g}\nhigh = {hi:g}\n'
                     for k, (lo, hi) in BOUNDS.items())
SPEC = f"""
base = "{BASE}"
method = "{{method}}"
outputs = ["response_time_mean_min", "calls"]
days = 15
warmup_days = 5
follow_up_days = 0
[morris]
trajectories = 3
[sobol]
n = 4
""" + PARAMETERS


@pytest.fixture
def spec_file(tmp_path):
    """Write a spec's text to a file in the test's folder."""
    def write(text: str, name: str = "spec.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def _mu_star_by_hand(runs: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Morris mu*: mean |dy / dx| over trajectories, x scaled to [0, 1] by its bounds.

    Each trajectory is k + 1 = 3 consecutive points that change one parameter at a time.
    """
    pts = runs.groupby("point", sort=True)[[*BOUNDS, "response_time_mean_min", "calls"]].mean()
    effects: dict[tuple[str, str], list[float]] = {}
    for start in range(0, len(pts), 3):
        traj = pts.iloc[start:start + 3]
        for (_, a), (_, b) in zip(traj.iterrows(), traj.iloc[1:].iterrows(), strict=False):
            (par,) = [p for p in BOUNDS if a[p] != b[p]]
            dx = (b[par] - a[par]) / (BOUNDS[par][1] - BOUNDS[par][0])
            for out in ("response_time_mean_min", "calls"):
                effects.setdefault((out, par), []).append(abs((b[out] - a[out]) / dx))
    return {k: sum(v) / len(v) for k, v in effects.items()}


@pytest.mark.parametrize(("method", "effect", "runs"), [("morris", "mu_star", 9),
                                                        ("sobol", "ST", 16)])
def test_tiny_design(tmp_path, spec_file, method, effect, runs):
    table, summary = run_sensitivity(spec_file(SPEC.format(method=method)), tmp_path / "out",
                                     workers=1)
    assert len(summary.table) == runs and not summary.failed
    assert set(zip(table["output"], table["parameter"], strict=True)) == {
        (o, p) for o in ("response_time_mean_min", "calls")
        for p in ("township.max_road_km", "screening.visit_min")}
    by = table.set_index(["output", "parameter"])[effect]
    assert by["response_time_mean_min", "township.max_road_km"] > 0
    assert by["response_time_mean_min", "screening.visit_min"] == 0
    assert by["calls", "screening.visit_min"] == 0  # inert: common random numbers
    if method == "morris":  # every mu* against elementary effects worked out from the runs
        for (out, par), want in _mu_star_by_hand(summary.table).items():
            assert by[out, par] == pytest.approx(want, rel=1e-9, abs=1e-12), (out, par)
    saved = pd.read_parquet(tmp_path / "out" / TABLE_FILE)
    pd.testing.assert_frame_equal(saved, table)
    png = (tmp_path / "out" / PLOT_FILE).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_bad_spec_names_file_and_field(tmp_path, spec_file):
    spec = spec_file(SPEC.format(method="fast"))
    with pytest.raises(SweepError, match=rf"{spec}: method: "):
        run_sensitivity(spec, tmp_path / "out")


def test_example_specs_validate():
    from sim.experiments.sensitivity import load_spec, sample
    folder = BASE.parent / "sensitivity"
    morris = load_spec(folder / "morris_reform.toml")
    x = sample(morris)
    assert x.shape == (10 * (12 + 1), 12)
    j = [p.key for p in morris.parameters].index("staff.auxiliaries")
    assert (x[:, j] == x[:, j].round()).all()  # whole numbers
    sobol = load_spec(folder / "sobol_reform.toml")
    assert sample(sobol).shape == (64 * (5 + 2), 5)
    for spec in (morris, sobol):  # both analyse the paired effect, over full years
        assert spec.compare is not None and spec.days is None and spec.replications >= 2
        assert "screening.auxiliary_discovery_mean_days" in [p.key for p in spec.parameters]


def test_range_defaults_to_the_schema_plausible_range():
    from sim.experiments.sensitivity import Parameter
    p = Parameter.model_validate({"key": "travel.speed_kmh"})
    assert (p.low, p.high) == (30.0, 60.0)  # sim/scenario/township.py: plausible=(30, 60)
    with pytest.raises(ValueError, match="no plausible range"):
        Parameter.model_validate({"key": "seed"})


NEW = BASE.parent / "center_office.toml"
PAIRED = f"""
base = "{NEW}"
compare = "{BASE}"
method = "morris"
outputs = ["response_time_mean_min", "disputes"]
days = 20
warmup_days = 5
[morris]
trajectories = 2
""" + PARAMETERS


def test_paired_spec_analyses_the_paired_change(tmp_path, spec_file):
    """With compare, each sample runs on both sides and the output is the paired change."""
    from sim.experiments.sensitivity import load_spec, sample
    paired = spec_file(PAIRED, "paired.toml")
    table, summary = run_sensitivity(paired, tmp_path / "out", workers=1)
    n = len(sample(load_spec(paired)))
    assert len(summary.table) == 2 * n  # both sides of every sample
    runs = summary.table.sort_values("point")
    # disputes arise the same way under both models (common random numbers): no change to
    # apportion, whatever the parameters
    np.testing.assert_array_equal(runs["disputes"].iloc[0::2].to_numpy(),
                                  runs["disputes"].iloc[1::2].to_numpy())
    by = table.set_index(["output", "parameter"])["mu_star"]
    assert by["disputes", "township.max_road_km"] == 0
    # the old model drives from the station, so the reform's gain depends on road distances
    assert by["response_time_mean_min", "township.max_road_km"] > 0
    from sim.present.report import write_report
    page = write_report(tmp_path / "out", tmp_path / "rep").read_text(encoding="utf-8")
    assert "Sensitivity" in page and "paired change" in page
    assert "baseline design point" not in page  # no sweep page with an arbitrary baseline
