"""Figure functions: each renders from a small results fixture, and none is blank."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.present import plots
from sim.present.report import (
    budget_table,
    effects_table,
    load_results,
    metric_table,
    response_table,
    station_position,
    village_table,
)

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["--set", "days=50", "--set", "warmup_days=10", "--set", "follow_up_days=20"]
_CACHE: dict[str, Path] = {}


@pytest.fixture(scope="session")
def small_compare(tmp_path_factory) -> Path:
    """``policesim compare`` old vs reform, 2 replications (10 + 50 + 20 days), with --out."""
    if "compare" not in _CACHE:  # shared with test_report (which imports this fixture)
        out = tmp_path_factory.mktemp("results") / "cmp"
        res = CliRunner().invoke(app, [
            "compare", str(ROOT / "scenarios/station_centred.toml"),
            str(ROOT / "scenarios/center_office.toml"), "--reps", "2", *SHORT,
            "--out", str(out)])
        assert res.exit_code == 0, res.output
        _CACHE["compare"] = out
    return _CACHE["compare"]


def assert_drawn(fig: Figure) -> None:
    """Fail unless the figure shows data: every axes has artists and the pixels vary."""
    assert fig.axes, "no axes"
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        n = len(ax.lines) + len(ax.collections) + len(ax.patches)
        assert n > 0, f"empty axes: {ax.get_title()!r}"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    img = mpimg.imread(io.BytesIO(buf.getvalue()))[..., :3]
    non_white = (img < 0.95).any(axis=2).mean()
    assert img.std() > 0.05 and non_white > 0.02, "figure looks blank"


def test_blank_figure_is_caught():
    fig = Figure()
    fig.add_subplot()
    with pytest.raises(AssertionError):
        assert_drawn(fig)


@pytest.fixture(scope="module")
def tables(small_compare):
    res = load_results(small_compare)
    return res, response_table(res.models)


def test_response_time_ecdf(tables):
    res, r = tables
    assert set(r["band"].dropna().unique()) == {"Villages under 10 km away",
                                                "Villages 10 to 20 km away",
                                                "Villages over 20 km away"}
    fig = plots.response_time_ecdf(r, res.labels, res.palette)
    assert len(fig.axes) == 3
    assert_drawn(fig)


def test_ecdf_counts_unanswered_calls_in_the_denominator():
    r = pd.DataFrame({"model": "m", "township": 0, "village": [0, 0, 0, 0],
                      "response_min": [5.0, 10.0, 15.0, np.nan]})
    r["band"] = pd.Categorical(["near"] * 4, categories=["near"])
    fig = plots.response_time_ecdf(r)
    assert fig.axes[0].lines[0].get_ydata().max() == pytest.approx(0.75)


def test_outcome_intervals(tables):
    res, _ = tables
    m = metric_table(res.models)
    assert len(m) == 4  # 2 models x 2 replications
    fig = plots.outcome_intervals(m, order=res.labels, palette=res.palette,
                                  notes={"escalation_rate": "Change: -1"})
    assert len(fig.axes) == 2
    assert_drawn(fig)


def test_station_is_found_from_road_distances(tables):
    """The generated layout puts the station at the centre of a 30 km / 1.3 diamond."""
    res, r = tables
    v, xy, circuity = village_table(res.models, r)
    assert circuity == 1.3
    centre = 30.0 / 1.3
    assert xy == pytest.approx((centre, centre), abs=0.5)  # within one 0.5 km grid cell
    first = v[v["model"] == res.labels[0]]
    assert station_position(first, circuity) == pytest.approx(xy)


def test_township_map_shares_one_colour_scale(tables):
    res, r = tables
    v, xy, circuity = village_table(res.models, r)
    assert v.groupby("model")["office"].sum().to_dict() == {res.labels[0]: 0,
                                                            res.labels[1]: 4}
    fig = plots.township_map(v, xy, res.labels, circuity)
    assert_drawn(fig)
    norms = {(c.norm.vmin, c.norm.vmax) for ax in fig.axes for c in ax.collections
             if c.get_array() is not None and len(c.get_array())}
    assert len(norms) == 1
    assert max(norms)[1] == pytest.approx(v["median_response_min"].max())


def test_component_effects(tables):
    res, _ = tables
    a, b = (m.metrics for m in res.models)
    eff = effects_table(a, {"Only b": b, "All": b}, "All")
    assert eff["together"].sum() == 3
    # the paired change on hand-made numbers, the variant's rows in another order: pairs are
    # matched by replication (0: 0.08 - 0.10, 1: 0.12 - 0.20, 2: 0.05 - 0.15)
    base = pd.DataFrame({"replication": [0, 1, 2], "escalation_rate": [0.10, 0.20, 0.15]})
    var = pd.DataFrame({"replication": [2, 0, 1], "escalation_rate": [0.05, 0.08, 0.12]})
    row = effects_table(base, {"All": var}, "All", keys=("escalation_rate",)).iloc[0]
    diffs = np.array([-0.02, -0.08, -0.10])
    half = stats.t.ppf(0.975, 2) * diffs.std(ddof=1) / np.sqrt(3)
    assert row["diff"] == pytest.approx(-0.2 / 3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-0.2 / 3 - half, -0.2 / 3 + half))
    fig = plots.component_effects(eff)
    assert len(fig.axes) == 3
    assert_drawn(fig)


def test_time_budget(tables):
    res, _ = tables
    b = budget_table(res.models)
    assert "off_duty" not in set(b["activity"])
    sums = b.groupby(["model", "role"])["share"].sum()
    assert np.allclose(sums, 1.0)
    reform_roles = set(b.loc[b["model"] == res.labels[1], "role"])
    assert {"auxiliary", "community_officer", "district_chief"} <= reform_roles
    fig = plots.time_budget(b, res.labels)
    assert_drawn(fig)


def _fake_runs() -> pd.DataFrame:
    rng = np.random.default_rng(np.random.SeedSequence(5))
    rows = []
    for p, (aux, officers) in enumerate([(a, o) for a in (False, True) for o in (8, 10, 12)]):
        for k in range(3):
            rows.append({"point": p, "replication": k, "reform.village_auxiliaries": aux,
                         "staff.station_officers": officers,
                         "escalation_rate": 0.1 - 0.05 * aux + rng.normal(0, 0.01),
                         "injury_crimes_per_10k_year": 15 + rng.normal(0, 1),
                         "response_time_mean_min": 30 - 20 * aux - 0.1 * officers})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("x", ["staff.station_officers", "reform.village_auxiliaries"])
def test_sweep_lines(x):
    runs = _fake_runs()
    other = "reform.village_auxiliaries" if x == "staff.station_officers" else \
        "staff.station_officers"
    fig = plots.sweep_lines(runs, x, hue=other)
    assert len(fig.axes) == 3
    assert_drawn(fig)
    fig = plots.sweep_lines(runs, x)
    assert_drawn(fig)
