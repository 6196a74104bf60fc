"""Every interval the CLI prints, against scipy.stats on the same numbers.

``policesim run`` prints :func:`mean_ci` per metric, ``compare`` the paired difference, its
interval and the relative change of :func:`paired_comparison`, ``calibrate`` the reform's
relative change in criminal incidents; sweeps print :func:`point_summary` and
:func:`paired_differences`. The expected intervals come from ``scipy.stats`` (``t.interval``,
``ttest_rel``), an independent implementation.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments import calibration
from sim.experiments.analysis import paired_differences, point_summary
from sim.experiments.metrics import METRICS
from sim.experiments.run import mean_ci, paired_comparison
from sim.present.tables import metrics_table

KEY = "response_time_mean_min"


def _results(values: dict[str, list[float]]) -> list[SimpleNamespace]:
    """Stand-ins for RunResult (only ``.metrics`` is read), NaN for metrics not given."""
    n = len(next(iter(values.values())))
    return [SimpleNamespace(metrics={k: values.get(k, [math.nan] * n)[i] for k in METRICS},
                            replication=i) for i in range(n)]


def _correlated(n: int = 8, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A and B that share most of their variation (as common random numbers give)."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(30.0, 5.0, n)
    return shared + rng.normal(0, 0.3, n), shared - 2.0 + rng.normal(0, 0.3, n)


def test_mean_ci_is_the_student_t_interval():
    x = [12.0, 15.5, 9.25, 14.0, 11.0]
    m, lo, hi = mean_ci(x)
    want = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert m == pytest.approx(np.mean(x)) and (lo, hi) == pytest.approx(want, rel=1e-12)
    m90 = mean_ci(x, level=0.9)
    assert m90[1:] == pytest.approx(stats.t.interval(0.9, 4, loc=np.mean(x),
                                                     scale=stats.sem(x)))
    # NaN values are left out; fewer than two values have no interval
    assert mean_ci([*x, math.nan])[1:] == pytest.approx(want)
    assert all(math.isnan(v) for v in mean_ci([3.0])[1:])


def test_the_run_table_prints_the_t_interval():
    x = [12.0, 15.5, 9.25, 14.0, 11.0]
    lo, hi = stats.t.interval(0.95, 4, loc=np.mean(x), scale=stats.sem(x))
    line = next(s for s in metrics_table(_results({KEY: x})).splitlines() if s.startswith(KEY))
    assert f"[{lo:.2f}, {hi:.2f}]" in line


def test_paired_comparison_is_scipys_paired_interval():
    a, b = _correlated()
    row = paired_comparison(_results({KEY: list(a)}), _results({KEY: list(b)})).set_index(
        "metric").loc[KEY]
    want = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((want.low, want.high), rel=1e-12)
    assert row["diff"] == pytest.approx(b.mean() - a.mean())
    assert row["rel_change"] == pytest.approx((b.mean() - a.mean()) / a.mean())
    assert row["pairs"] == len(a)


def test_an_unpaired_interval_on_the_same_correlated_data_is_much_wider():
    a, b = _correlated()
    row = paired_comparison(_results({KEY: list(a)}), _results({KEY: list(b)})).set_index(
        "metric").loc[KEY]
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    paired = row["ci_high"] - row["ci_low"]
    assert welch.high - welch.low > 5 * paired  # pairing lost would show here


def test_paired_comparison_drops_pairs_with_a_missing_side():
    a = [0.5, 0.4, math.nan, 0.6, 0.55]
    b = [0.3, math.nan, 0.2, 0.35, 0.4]
    row = paired_comparison(_results({KEY: a}), _results({KEY: b})).set_index("metric").loc[KEY]
    pa, pb = np.array([0.5, 0.6, 0.55]), np.array([0.3, 0.35, 0.4])  # replications 0, 3, 4
    want = stats.ttest_rel(pb, pa).confidence_interval()
    assert row["pairs"] == 3
    assert row["diff"] == pytest.approx((pb - pa).mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((want.low, want.high))
    # the relative change is over the same pairs' baseline mean
    assert row["rel_change"] == pytest.approx((pb - pa).mean() / pa.mean())
    assert row["mean_a"] == pytest.approx(np.mean([0.5, 0.4, 0.6, 0.55]))  # every defined A


def _fieller_by_t_tests(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Fieller's set for mean(b)/mean(a), found independently: the ratios R for which a
    one-sample t-test of b_i - R a_i does not reject 0 at 5% (bounds by root finding)."""
    from scipy.optimize import brentq
    crit = stats.t.ppf(0.975, len(a) - 1)

    def excess(r: float) -> float:
        return abs(stats.ttest_1samp(b - r * a, 0.0).statistic) - crit

    mid = b.mean() / a.mean()
    return (brentq(excess, mid - 10.0, mid), brentq(excess, mid, mid + 10.0))


def test_calibration_change_is_fiellers_interval_on_the_paired_ratio(monkeypatch):
    a, b = _correlated(6, seed=11)
    fake = {"a": _results({"criminal_incidents": list(a), "dispute_calls_share": [0.6] * 6,
                           "injury_dispute_share": [0.5] * 6}),
            "b": _results({"criminal_incidents": list(b), "dispute_calls_share": [0.3] * 6,
                           "injury_dispute_share": [0.4] * 6})}
    calls = iter(["a", "b"])
    monkeypatch.setattr(calibration, "run_replications",
                        lambda *args, **kw: fake[next(calls)])
    monkeypatch.setattr(calibration, "distance_profile",
                        lambda *_: {"villages_beyond_20km_share": 0.5,
                                    "farthest_drive_min": 60.0})
    rows = {r.key: r for r in calibration.calibrate(reps=6)}
    r = rows["criminal_incidents_change"]
    assert r.model == pytest.approx((b.mean() - a.mean()) / a.mean())
    lo, hi = _fieller_by_t_tests(a, b)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo - 1, hi - 1), rel=1e-6)
    # not the difference's interval over a random mean (what it was before issue 14)
    ci = stats.ttest_rel(b, a).confidence_interval()
    assert (r.ci_low, r.ci_high) != pytest.approx((ci.low / a.mean(), ci.high / a.mean()),
                                                  rel=1e-6)
    share = rows["dispute_calls_share"]
    assert (share.model, share.ci_low, share.ci_high) == (0.6, 0.6, 0.6)  # constant: no spread


def _sweep_table(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    rows = []
    for point, x in ((0, a), (1, b)):
        for k, v in enumerate(x):
            rows.append({"point": point, "replication": k, "status": "ok",
                         **dict.fromkeys(METRICS, math.nan), KEY: float(v)})
    # a failed run at point 1 does not count, nor pair
    rows.append({"point": 1, "replication": len(a), "status": "failed",
                 **dict.fromkeys(METRICS, math.nan), KEY: 1e6})
    return pd.DataFrame(rows)


def test_sweep_intervals_are_scipys():
    a, b = _correlated(7, seed=5)
    table = _sweep_table(a, b)
    s = point_summary(table).query("metric == @KEY").set_index("point")
    for point, x in ((0, a), (1, b)):
        want = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert (s.loc[point, "ci_low"], s.loc[point, "ci_high"]) == pytest.approx(want)
        assert s.loc[point, "n"] == len(x)
        half = (want[1] - want[0]) / 2
        assert s.loc[point, "rel_half_width"] == pytest.approx(half / x.mean())
    d = paired_differences(table, 0).query("metric == @KEY").set_index("point").loc[1]
    ci = stats.ttest_rel(b, a).confidence_interval()
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert d["rel_change"] == pytest.approx((b.mean() - a.mean()) / a.mean())
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert welch.high - welch.low > 5 * (d["ci_high"] - d["ci_low"])
