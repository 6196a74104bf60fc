"""Morris and Sobol on a tiny design: an inert parameter scores exactly zero, a live one not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.sensitivity import PLOT_FILE, TABLE_FILE, run_sensitivity
from sim.experiments.sweep import SweepError

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "station_centred.toml"

# screening.visit_min is inert under the station-centred model (no screening visits), so with
# common random numbers every output is unchanged by it; the road distance is not.
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
[[parameters]]
key = "township.max_road_km"
low = 5
high = 40
[[parameters]]
key = "screening.visit_min"
low = 30
high = 120
"""


BOUNDS = {"township.max_road_km": (5.0, 40.0), "screening.visit_min": (30.0, 120.0)}


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
def test_tiny_design(tmp_path, method, effect, runs):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(method=method), encoding="utf-8")
    table, summary = run_sensitivity(spec, tmp_path / "out", workers=1)
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


def test_bad_spec_names_file_and_field(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(method="fast"), encoding="utf-8")
    with pytest.raises(SweepError, match=rf"{spec}: method: "):
        run_sensitivity(spec, tmp_path / "out")


def test_example_specs_validate():
    from sim.experiments.sensitivity import load_spec, sample
    folder = BASE.parent / "sensitivity"
    morris = load_spec(folder / "morris_reform.toml")
    assert sample(morris).shape == (10 * (6 + 1), 6)
    sobol = load_spec(folder / "sobol_reform.toml")
    x = sample(sobol)
    assert x.shape == (64 * (3 + 2), 3)
    assert (x[:, 0] == x[:, 0].round()).all()  # staff.auxiliaries: whole numbers
