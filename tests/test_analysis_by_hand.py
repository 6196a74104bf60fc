"""Sweep analysis and run summaries on tiny hand-made tables, expected values by hand.

Written to kill the mutants that survived ``scripts/mutation.sh`` (docs/testing.md): the
column names and order of the analysis tables, rows in point order whatever the table's order,
undefined values, the edges of the ``--until-ci`` stopping rule, the JSON summary.
"""

from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments.analysis import (
    _rel_half_width,
    comparison_json,
    paired_differences,
    point_summary,
    ratio_interval,
    replications_needed,
    side_correlations,
    worst_precision,
)
from sim.experiments.metrics import METRICS
from sim.experiments.run import mean_ci, paired_comparison, summarize

KEY, OTHER = "calls", "escalation_rate"


def _table(rows: list[tuple[int, int, float, float]], status: str = "ok") -> pd.DataFrame:
    """(point, replication, calls, escalation_rate) rows; axis ``staff.x`` = 10 * point."""
    return pd.DataFrame([{"point": p, "replication": k, "staff.x": 10 * p, "status": status,
                          **dict.fromkeys(METRICS, math.nan), KEY: c, OTHER: e}
                         for p, k, c, e in rows])


# point 1 listed first; point 2 has a single run; escalation undefined in some runs
TABLE = _table([(1, 0, 12.0, 0.2), (1, 1, 16.0, math.nan), (1, 2, 14.0, 0.4),
                (0, 0, 10.0, 0.1), (0, 1, 11.0, 0.3), (0, 2, 15.0, math.nan),
                (2, 1, 20.0, 0.5)])


def test_point_summary_columns_order_and_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mean of an empty slice
        s = point_summary(TABLE, ["staff.x"])
    assert list(s.columns) == ["point", "staff.x", "metric", "n", "mean", "ci_low", "ci_high",
                               "rel_half_width"]
    assert s["point"].tolist() == sorted(s["point"].tolist())  # point order, not table order
    c = s[s["metric"] == KEY].set_index("point")
    assert c["staff.x"].to_dict() == {0: 0, 1: 10, 2: 20}
    assert c.loc[0, "mean"] == 12.0 and c.loc[1, "mean"] == 14.0 and c.loc[2, "n"] == 1
    lo, hi = stats.t.interval(0.95, 2, loc=12.0, scale=stats.sem([10.0, 11.0, 15.0]))
    assert (c.loc[0, "ci_low"], c.loc[0, "ci_high"]) == pytest.approx((lo, hi))
    assert math.isnan(c.loc[2, "ci_low"]) and math.isnan(c.loc[2, "rel_half_width"])
    e = s[s["metric"] == OTHER].set_index("point")
    assert e.loc[0, "n"] == 2 and e.loc[0, "mean"] == pytest.approx(0.2)


def test_paired_differences_columns_order_and_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = paired_differences(TABLE, 0, ["staff.x"])
    assert list(d.columns) == ["point", "staff.x", "metric", "mean_baseline", "mean_point",
                               "diff", "ci_low", "ci_high", "rel_change", "pairs"]
    assert d["point"].tolist() == sorted(d["point"].tolist())
    c = d[d["metric"] == KEY].set_index("point")
    assert c["staff.x"].to_dict() == {0: 0, 1: 10, 2: 20}
    # point 1 - point 0 by replication: 2, 5, -1
    assert c.loc[1, "mean_baseline"] == 12.0 and c.loc[1, "mean_point"] == 14.0
    assert c.loc[1, "diff"] == 2.0 and c.loc[1, "pairs"] == 3
    assert c.loc[1, "rel_change"] == pytest.approx(2.0 / 12.0)
    ci = stats.ttest_rel([12.0, 16.0, 14.0], [10.0, 11.0, 15.0]).confidence_interval()
    assert (c.loc[1, "ci_low"], c.loc[1, "ci_high"]) == pytest.approx((ci.low, ci.high))
    # point 2 pairs with replication 1 only: 20 - 11
    assert c.loc[2, "pairs"] == 1 and c.loc[2, "diff"] == 9.0 and math.isnan(c.loc[2, "ci_low"])
    # escalation: pairs only where both are defined (point 1: replication 0 only)
    e = d[d["metric"] == OTHER].set_index("point")
    assert e.loc[1, "pairs"] == 1 and e.loc[1, "diff"] == pytest.approx(0.1)
    assert e.loc[1, "mean_baseline"] == pytest.approx(0.1)
    assert e.loc[1, "mean_point"] == pytest.approx(0.2)
    # a metric undefined everywhere: no pairs, every value NaN
    u = d[d["metric"] == "open_share"].set_index("point")
    assert (u["pairs"] == 0).all() and u[["mean_baseline", "mean_point", "diff",
                                          "rel_change"]].isna().all().all()


def test_no_ok_runs_give_empty_tables_with_the_agreed_columns():
    none = TABLE.assign(status="failed")
    assert list(point_summary(none, ["staff.x"]).columns) == [
        "point", "staff.x", "metric", "n", "mean", "ci_low", "ci_high", "rel_half_width"]
    assert list(paired_differences(none, 0, ["staff.x"]).columns) == [
        "point", "staff.x", "metric", "mean_baseline", "mean_point", "diff", "ci_low",
        "ci_high", "rel_change", "pairs"]
    assert len(point_summary(none)) == 0 and worst_precision(none, [KEY]) == 0.0


def test_paired_differences_relative_change_undefined_on_a_zero_baseline():
    t = _table([(0, 0, 0.0, 0.1), (0, 1, 0.0, 0.2), (1, 0, 3.0, 0.1), (1, 1, 5.0, 0.2)])
    c = paired_differences(t, 0).query("metric == @KEY").set_index("point")
    assert c.loc[1, "diff"] == 4.0 and math.isnan(c.loc[1, "rel_change"])


def test_rel_half_width_by_hand():
    assert _rel_half_width(10.0, 9.0, 11.0) == pytest.approx(0.1)
    assert _rel_half_width(-10.0, -11.0, -9.0) == pytest.approx(0.1)  # |mean|
    assert _rel_half_width(1.0, 1.0, 1.0) == 0.0  # no spread
    assert _rel_half_width(1.0, 0.0, 2.0) == pytest.approx(1.0)  # mean of exactly 1
    assert _rel_half_width(0.0, -1.0, 1.0) == math.inf
    assert _rel_half_width(0.0, 0.0, 0.0) == 0.0
    assert math.isnan(_rel_half_width(5.0, math.nan, 6.0))
    assert math.isnan(_rel_half_width(5.0, 4.0, math.nan))


def _precision_table(calls: list[float], esc: list[float]) -> pd.DataFrame:
    return _table([(0, k, c, e) for k, (c, e) in enumerate(zip(calls, esc, strict=True))])


def test_worst_precision_skips_undefined_metrics_and_counts_single_values_as_infinite():
    calls = [10.0, 12.0, 14.0]
    half = stats.t.ppf(0.975, 2) * np.std(calls, ddof=1) / math.sqrt(3)
    # escalation undefined in every run: left out, the next metric still counts
    t = _precision_table(calls, [math.nan] * 3)
    assert worst_precision(t, [OTHER, KEY]) == pytest.approx(half / 12.0)
    # escalation defined once: no interval, infinitely imprecise
    t = _precision_table(calls, [0.2, math.nan, math.nan])
    assert worst_precision(t, [KEY, OTHER]) == math.inf


def test_replications_needed_by_hand():
    calls = [10.0, 12.0, 14.0]
    t = _precision_table(calls, [0.1, 0.1, 0.1])
    w = worst_precision(t, [KEY])
    assert replications_needed(t, [KEY], w, 3, 50) == (3, w)  # exactly on target: done
    assert replications_needed(t, [KEY], 0.5, 3, 3) == (3, w)  # at the ceiling: done
    assert replications_needed(t, [KEY], 0.5, 3, 2) == (3, w)  # past it: done
    # n * (worst / target)^2 = 3 * 1.44 = 4.32 -> 5
    assert replications_needed(t, [KEY], w / 1.2, 3, 50)[0] == 5
    # a tiny shortfall asks for one more; a large one doubles at most; the ceiling caps it
    assert replications_needed(t, [KEY], w / 1.0001, 3, 50)[0] == 4
    assert replications_needed(t, [KEY], w / 10, 3, 50)[0] == 6
    assert replications_needed(t, [KEY], w / 10, 3, 5)[0] == 5
    # infinitely imprecise (one defined value): double
    one = _precision_table([10.0, math.nan, math.nan], [0.1] * 3)
    assert replications_needed(one, [KEY], 0.1, 3, 50) == (6, math.inf)


def _results(values: list[float], key: str = KEY) -> list[SimpleNamespace]:
    return [SimpleNamespace(metrics={**dict.fromkeys(METRICS, math.nan), key: v},
                            replication=k, scenario=SimpleNamespace(name="s", policy="p"),
                            seed=7, tables=SimpleNamespace(workload=pd.DataFrame()))
            for k, v in enumerate(values)]


def test_mean_ci_edges():
    assert all(math.isnan(v) for v in mean_ci([]))
    assert all(math.isnan(v) for v in mean_ci([math.nan, None]))
    assert mean_ci([3.0, 3.0]) == (3.0, 3.0, 3.0)  # no spread: a zero-width interval
    m, lo, hi = mean_ci([1.0, 2.0])
    assert m == 1.5  # two values: an interval already
    assert (lo, hi) == pytest.approx(stats.t.interval(0.95, 1, loc=1.5,
                                                      scale=stats.sem([1.0, 2.0])))
    assert mean_ci([2.0, 2.0, 2.0, 2.0])[1:] == (2.0, 2.0)


def test_paired_comparison_means_and_undefined_sides():
    a, b = _results([10.0, 20.0, 30.0]), _results([12.0, 18.0, 36.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mean of an all-NaN column
        t = paired_comparison(a, b).set_index("metric")
    assert list(t.reset_index().columns) == ["metric", "mean_a", "mean_b", "diff", "ci_low",
                                             "ci_high", "rel_change", "pairs", "rel_ci_low",
                                             "rel_ci_high", "correlation"]
    assert list(t.index) == list(METRICS)
    assert t.loc[KEY, "mean_a"] == 20.0 and t.loc[KEY, "mean_b"] == 22.0
    assert t.loc[KEY, "rel_change"] == pytest.approx(0.1)
    u = t.loc["open_share"]
    assert u["pairs"] == 0 and math.isnan(u["mean_a"]) and math.isnan(u["mean_b"])
    assert math.isnan(u["rel_change"])
    # a baseline mean of 0: no relative change; of exactly 1: a relative change
    z = paired_comparison(_results([0.0, 0.0]), _results([1.0, 2.0])).set_index("metric")
    assert z.loc[KEY, "diff"] == 1.5 and math.isnan(z.loc[KEY, "rel_change"])
    one = paired_comparison(_results([1.0, 1.0]), _results([1.5, 2.5])).set_index("metric")
    assert one.loc[KEY, "rel_change"] == pytest.approx(1.0)


def test_paired_comparison_clips_a_share_difference_to_minus_one_and_one():
    # escalation_rate (a share) falls by 1.0, 0.9 and 0.5: mean -0.8, standard deviation
    # sqrt((0.04 + 0.01 + 0.09) / 2) = sqrt(0.07), so the t interval (2 degrees of freedom) is
    # -0.8 -/+ t x sqrt(0.07 / 3) = -0.8 -/+ 0.657: [-1.457, -0.143], its low end clipped to
    # -1 (a difference of shares is within [-1, 1], not [0, 1] as a share is)
    a, b = _results([1.0, 1.0, 1.0], "escalation_rate"), _results([0.0, 0.1, 0.5],
                                                                   "escalation_rate")
    row = paired_comparison(a, b).set_index("metric").loc["escalation_rate"]
    h = stats.t.ppf(0.975, 2) * math.sqrt(0.07 / 3)
    assert row["diff"] == pytest.approx(-0.8)
    assert -0.8 - h < -1.0
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-1.0, -0.8 + h))


def test_summarize_is_the_json_object():
    out = summarize(_results([4.0, math.nan, 8.0]))
    assert out[KEY] == 6.0 and out["open_share"] is None
    assert out["scenario"] == "s" and out["policy"] == "p" and out["seed"] == 7
    reps = out["replications"]
    assert [r["replication"] for r in reps] == [0, 1, 2]
    assert [r[KEY] for r in reps] == [4.0, None, 8.0]
    assert all(r["open_share"] is None for r in reps)
    assert set(reps[0]) == {"replication", *METRICS}
    assert out["resources"] == {}  # no time budgets recorded: no posts


def test_write_analysis_writes_both_tables_beside_the_runs(tmp_path):
    from sim.experiments.analysis import PAIRED_FILE, SUMMARY_FILE, write_analysis
    write_analysis(tmp_path, TABLE, ["staff.x"], 0)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / SUMMARY_FILE),
                                  point_summary(TABLE, ["staff.x"]))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / PAIRED_FILE),
                                  paired_differences(TABLE, 0, ["staff.x"]))
    other = tmp_path / "no_baseline"
    other.mkdir()
    write_analysis(other, TABLE, ["staff.x"], None)
    assert (other / SUMMARY_FILE).exists() and not (other / PAIRED_FILE).exists()


# a tiny township: runs take milliseconds


def _same(m1: dict, m2: dict) -> bool:
    return pd.Series(m1).equals(pd.Series(m2))  # NaN equals NaN here
TINY = ["days=6", "warmup_days=1", "township.villages=3", "township.clusters=1",
        "township.population_per_village=3000", "staff.station_officers=2",
        "staff.community_officers=0", "staff.auxiliaries=0", "shifts.duty_groups=1"]


def test_run_replications_seeds_each_replication_from_the_root():
    from conftest import scenario

    from sim.experiments.run import run_once, run_replications
    scn = scenario(*TINY, "seed=5")
    reps = run_replications(scn, 3)
    assert [r.replication for r in reps] == [0, 1, 2] and {r.seed for r in reps} == {5}
    # replication k equals a lone run of replication k, whatever ran before it
    assert _same(reps[2].metrics, run_once(scn, 2).metrics)
    assert reps[0].metrics["disputes"] != reps[1].metrics["disputes"] or \
        reps[0].metrics["calls"] != reps[1].metrics["calls"]
    seeded = run_replications(scn, 1, seed=9)
    assert seeded[0].seed == 9 and _same(seeded[0].metrics, run_once(scn, 0, 9).metrics)


def test_compare_uses_one_seed_for_both_sides(capsys):
    from conftest import scenario

    from sim.experiments.run import compare, run_once
    a = scenario(*TINY, "seed=5")
    b = scenario(*TINY, "seed=6", "staff.station_officers=3")
    ra, rb, table = compare(a, b, 2)
    assert [r.seed for r in ra + rb] == [5] * 4  # A's seed for both: common random numbers
    assert [r.replication for r in rb] == [0, 1]
    assert _same(rb[1].metrics, run_once(b, 1, 5).metrics)
    # same arrivals on both sides, so the count of disputes cannot differ
    d = table.set_index("metric").loc["disputes"]
    assert d["diff"] == 0 and d["pairs"] == 2 and d["mean_a"] > 0
    ra9, rb9, _ = compare(a, b, 1, seed=9)
    assert ra9[0].seed == rb9[0].seed == 9
    assert capsys.readouterr().err == ""  # no progress bar unless asked for
    compare(a, b, 2, progress=True)
    err = capsys.readouterr().err
    assert f"{a.name} / {b.name}" in err and "0/2" in err  # both names; pairs (first display)
    assert re.search(r"[0-9.?](pair/s|s/pair)\]", err)  # the unit: pairs of runs
    assert not err.endswith("\n")  # cleared when done (leave=False)


def test_quiet_gc_restores_the_collector():
    import gc

    from sim.experiments.run import quiet_gc
    before = gc.get_threshold()
    with quiet_gc(123_456):
        assert gc.get_threshold() == (123_456, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), quiet_gc():
        raise RuntimeError("a failing run")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_run_replications_progress_bar_only_when_asked(capsys):
    from conftest import scenario

    from sim.experiments.run import run_replications
    scn = scenario(*TINY, name="tiny")
    assert len(run_replications(scn)) == 1  # one replication by default
    assert capsys.readouterr().err == ""
    run_replications(scn, 2, progress=True)
    err = capsys.readouterr().err
    assert "tiny" in err and "0/2" in err  # the scenario's name, runs (the first display)
    assert re.search(r"[0-9.?](run/s|s/run)\]", err)  # the unit: runs
    assert not err.endswith("\n")  # the bar is cleared when done (leave=False)
    run_replications(scn, 1, progress=True, label="lbl")
    assert "lbl" in capsys.readouterr().err


def test_run_once_defaults_and_a_csv_layout(tmp_path):
    from conftest import scenario

    from sim.experiments.run import run_once
    csv = tmp_path / "villages.csv"
    csv.write_text("village_id,x_km,y_km,population,cluster_id\n"
                   "North,1,9,2500,C1\nSouth,2,1,2600,C1\nEast,9,2,2400,C2\n")
    scn = scenario(*TINY, f"township.layout={csv}", "seed=3")
    r = run_once(scn)
    assert (r.replication, r.seed) == (0, 3)
    assert _same(r.metrics, run_once(scn, 0, 3).metrics)
    # the CSV's villages, not a generated township
    assert r.tables.villages["village_id"].tolist() == ["North", "South", "East"]
    assert r.tables.villages["population"].tolist() == [2500, 2600, 2400]


def test_side_correlations_pair_only_the_replications_both_sides_have():
    # side A has 4 replications, side B 3: only replications 0-2 are paired. A's 1, 2, 3
    # against B's 3, 2, 1 fall on a line of slope -1: correlation exactly -1 (A's fourth
    # value, 10, has no partner and is left out)
    a = [{"m": 1.0}, {"m": 2.0}, {"m": 3.0}, {"m": 10.0}]
    b = [{"m": 3.0}, {"m": 2.0}, {"m": 1.0}]
    assert side_correlations(a, b)["m"] == pytest.approx(-1.0)


def test_ratio_interval_takes_missing_values_as_none_and_drops_their_pairs():
    # JSON has no NaN: a metric undefined in a replication comes back from a results file as
    # null, i.e. None. The pair (None, 9) is dropped, leaving x = 2, 4 and y = 3, 5:
    # mean_a 3, mean_b 4, relative change 4 / 3 - 1 = 1/3
    rel, lo, hi = ratio_interval([2, None, 4], [3, 9, 5])
    assert rel == pytest.approx(1.0 / 3.0)
    assert ratio_interval([2, 7, 4], [3, None, 5])[0] == pytest.approx(1.0 / 3.0)  # either side
    # n = 2 pairs: an interval exists only if mean_a is clear of 0 (t_0.975,1 = 12.7): with
    # Var(mean_a) = var(2, 4) / 2 = 1, qa = 9 - 12.7^2 * 1 < 0, unbounded: NaN bounds
    assert math.isnan(lo) and math.isnan(hi)


def test_ratio_interval_undefined_without_pairs_or_on_a_zero_baseline():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no mean of an empty array
        for a, b in (([], []), ([None], [1.0]), ([0.0, 0.0], [1.0, 2.0])):
            assert all(math.isnan(v) for v in ratio_interval(a, b))


def test_ratio_interval_of_exactly_proportional_sides_is_a_single_point():
    # y = 2x in every replication: the ratio is 2 without any doubt, relative change 1, and
    # Fieller's set is the single point R = 2 (the discriminant is exactly 0: every term of
    # qb^2 - qa qc scales by a power of two). Var(mean_a) = var(9, 11, 9, 11) / 4 = 1/3, so
    # qa = 100 - t_0.975,3^2 / 3 = 100 - 3.4 > 0 and the interval is defined: [1, 1]
    x = [9.0, 11.0, 9.0, 11.0]
    assert ratio_interval(x, [2 * v for v in x]) == (1.0, 1.0, 1.0)


def test_comparison_json_by_hand():
    # three replications per side; "calls" A = 10, 20, 30 and B = 12, 18, 36 (B - A = 2, -2, 6)
    ra, rb = _results([10.0, 20.0, 30.0]), _results([12.0, 18.0, 36.0])
    for r in rb:  # side B's runs report their resources on the run result
        r.resources = {"officers": 3}
    for r in ra:  # and so do A's, but A's summary has its own, which is kept
        r.resources = {"officers": 9}
    sides = ({"scenario": "s", "policy": "p", KEY: 20.0, "replications": [],
              "resources": {"officers": 2}},
             {"scenario": "t", "policy": "q", KEY: 22.0, "replications": []})
    out = comparison_json(ra, rb, paired_comparison(ra, rb), sides)
    assert set(out) == {"a", "b", "replications", "seeds", "interval", "metrics"}
    # metric and replication keys are left out of the sides; B's resources are added, A's
    # summary keeps its own
    assert out["a"] == {"scenario": "s", "policy": "p", "resources": {"officers": 2}}
    assert out["b"] == {"scenario": "t", "policy": "q", "resources": {"officers": 3}}
    assert out["replications"] == 3
    assert out["seeds"]["root"] == 7 and out["seeds"]["replications"] == [0, 1, 2]
    # the two explanations are the documented output, word for word
    assert out["seeds"]["rule"] == ("replication k: numpy SeedSequence(root, spawn_key=(k,)), "
                                    "the same for both sides (common random numbers)")
    assert out["interval"] == ("95%: paired t for differences; Fieller on the paired ratio for "
                               "relative changes; shares clipped to [0, 1]")
    m = out["metrics"][KEY]
    assert set(m) == {"mean_a", "mean_b", "diff", "ci_low", "ci_high", "rel_change",
                      "rel_ci_low", "rel_ci_high", "correlation", "pairs"}
    assert (m["mean_a"], m["mean_b"], m["diff"], m["pairs"]) == (20.0, 22.0, 2.0, 3)
    assert isinstance(m["pairs"], int)
    ci = stats.ttest_rel([12.0, 18.0, 36.0], [10.0, 20.0, 30.0]).confidence_interval()
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert m["rel_change"] == pytest.approx(0.1)  # 22 / 20 - 1
    # Pearson's r of (10, 20, 30) and (12, 18, 36): deviations (-10, 0, 10), (-10, -4, 14):
    # 240 / sqrt(200 * 312)
    assert m["correlation"] == pytest.approx(240.0 / math.sqrt(200.0 * 312.0))
    # a metric undefined in every run: JSON nulls, never NaN, and no pairs
    u = out["metrics"]["open_share"]
    assert u["mean_a"] is None and u["rel_change"] is None and u["pairs"] == 0


def test_comparison_json_of_one_replication_and_of_none():
    one_a, one_b = _results([10.0]), _results([12.0])
    one = comparison_json(one_a, one_b, paired_comparison(one_a, one_b), ({}, {}))
    assert one["replications"] == 1 and one["seeds"]["root"] == 7
    assert one["seeds"]["replications"] == [0]
    m = one["metrics"][KEY]
    assert (m["diff"], m["pairs"]) == (2.0, 1) and m["ci_low"] is None  # no interval from one
    none = comparison_json([], [], paired_comparison([], []), ({}, {}))
    assert none["replications"] == 0 and none["seeds"]["root"] is None
    assert none["seeds"]["replications"] == []


def test_comparison_json_sides_default_to_each_sides_summary():
    ra, rb = _results([10.0, 20.0]), _results([12.0, 18.0])
    rb[0].scenario = rb[1].scenario = SimpleNamespace(name="t", policy="q")
    out = comparison_json(ra, rb, paired_comparison(ra, rb))
    # summarize's keys that are not metrics or replications: scenario, policy, seed, resources
    assert out["a"] == {"scenario": "s", "policy": "p", "seed": 7, "resources": {}}
    assert out["b"] == {"scenario": "t", "policy": "q", "seed": 7, "resources": {}}


def test_ratio_interval_from_one_and_from_two_pairs():
    # one pair: a relative change (3 / 2 - 1) but no interval; a baseline mean of exactly 1
    # is an ordinary baseline (1.5 / 1 - 1)
    rel, lo, hi = ratio_interval([2.0], [3.0])
    assert rel == 0.5 and math.isnan(lo) and math.isnan(hi)
    assert ratio_interval([0.5, 1.5], [1.0, 2.0])[0] == 0.5
    # two pairs with mean_a well clear of 0 (10.05, Var(mean_a) = 0.0025): Fieller's set is
    # bounded even with t_0.975,1 = 12.7, and equals the set found by t-tests on b - R a
    from test_intervals import _fieller_by_t_tests

    a, b = np.array([10.0, 10.1]), np.array([20.0, 21.0])
    rel, lo, hi = ratio_interval(a, b)
    assert rel == pytest.approx(20.5 / 10.05 - 1)
    flo, fhi = _fieller_by_t_tests(a, b)
    assert (lo, hi) == pytest.approx((flo - 1, fhi - 1), abs=1e-6)


def test_point_summary_clips_a_share_to_0_1_but_not_a_count():
    # escalation_rate 0.9, 1.0, 1.0 at point 0: mean 29/30, t interval 29/30 +- 4.30 * sem,
    # sem = sqrt(var / 3) = sqrt((1/300) / 3): hi = 0.967 + 0.143 > 1, clipped to 1.0;
    # calls 10, 11, 15 are a count: never clipped
    t = _table([(0, 0, 10.0, 0.9), (0, 1, 11.0, 1.0), (0, 2, 15.0, 1.0)])
    s = point_summary(t, ["staff.x"]).set_index("metric")
    assert s.loc[OTHER, "mean"] == pytest.approx(29 / 30) and s.loc[OTHER, "ci_high"] == 1.0
    lo = stats.t.interval(0.95, 2, loc=29 / 30, scale=stats.sem([0.9, 1.0, 1.0]))[0]
    assert s.loc[OTHER, "ci_low"] == pytest.approx(lo)
    assert s.loc[KEY, "ci_high"] == pytest.approx(
        stats.t.interval(0.95, 2, loc=12.0, scale=stats.sem([10.0, 11.0, 15.0]))[1])
