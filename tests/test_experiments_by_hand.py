"""sim/experiments/{run,metrics,analysis}.py on tiny hand-built inputs (issue 20's survivors).

Each expected value is a literal worked out by hand in the comment beside it, never a value
computed by the code under test. The records helpers come from tests/test_metrics_by_hand.py.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_analysis_by_hand import TINY
from test_metrics_by_hand import HORIZON, _with_workload

from sim.experiments.analysis import (
    _json_number,
    clip_share,
    json_ready,
    side_correlation,
    side_correlations,
)
from sim.experiments.metrics import (
    METRICS,
    compute_metrics,
    officer_response_mean,
    resources,
    tables_from_records,
)
from sim.experiments.run import (
    INDEPENDENT_SEED_OFFSET,
    Interrupted,
    compare,
    mean_ci,
    run_replications,
    summarize,
)
from sim.world.records import Records

PER_YEAR = 525_600 / HORIZON  # a 365-day year over the 68,400-minute run of the helpers


def test_resources_of_a_run_where_nobody_was_off_duty():
    # no "off_duty" (and no "on_call") activity anywhere: nothing to subtract from the total
    rec = _with_workload(workload=[(0, "station_officer", "duty", 120.0),
                                   (0, "station_officer", "travel", 60.0)],
                         jobs=[(0, "station_officer", 1)])
    so = resources(tables_from_records(rec))["station_officer"]
    assert so["on_duty_hours"] == pytest.approx(3 * PER_YEAR)  # 180 min = 3 h
    assert so["on_call_hours"] == 0.0
    assert so["busy_hours"] == pytest.approx(1 * PER_YEAR)  # travel 60 min


def test_tables_of_a_run_without_rows_keep_their_columns():
    rec = Records(horizon_min=100.0, warmup_min=10.0, residents=5)  # no period end: 0.0
    tab = tables_from_records(rec)
    assert list(tab.injuries.columns) == ["t", "from_dispute"]
    assert list(tab.workload.columns) == ["responder_id", "role", "activity", "minutes"]
    assert list(tab.villages.columns) == ["village", "station_km"]
    assert list(tab.visits.columns) == ["t", "village", "found"]
    assert list(tab.staff.columns) == ["responder_id", "role", "post", "jobs"]
    assert list(tab.cases.columns) == ["t", "township"]
    assert list(tab.reports.columns) == ["t", "dispute_id", "route"]
    for frame in (tab.calls, tab.disputes, tab.injuries, tab.staff):
        assert len(frame) == 0
    assert tab.period_end_min is None and tab.period_end == 100.0  # 0.0 means "the run's end"
    assert (tab.horizon_min, tab.warmup_min, tab.residents) == (100.0, 10.0, 5)
    for col in ("t_dispatch", "t_arrive", "t_clear", "travel_min"):
        assert tab.calls[col].dtype == float, col
    for col in ("t_first_contact", "t_end", "t_first_fight", "t_repeat"):
        assert tab.disputes[col].dtype == float, col
    assert math.isnan(tab.follow_up_min) is False and tab.follow_up_min == 0.0
    assert isinstance(tab.calls, pd.DataFrame)


def test_mean_ci_of_equal_values_is_their_mean_exactly():
    # 0.7 three times: the mean in floating point (0.7 + 0.7 + 0.7) / 3 is not exactly 0.7,
    # so the sample deviation is a rounding error (~1e-16), not 0; equal values still give a
    # zero-width interval at the mean, not a t interval of rounding noise
    m, lo, hi = mean_ci([0.7, 0.7, 0.7])
    assert m == pytest.approx(0.7, rel=1e-15)
    assert lo == m and hi == m
    assert mean_ci([4.0, 4.0]) == (4.0, 4.0, 4.0)  # two equal values: a (zero-width) interval
    m1, lo1, hi1 = mean_ci([4.0])  # one value: a mean, no interval
    assert m1 == 4.0 and math.isnan(lo1) and math.isnan(hi1)


def _tiny(*extra: str):
    from conftest import scenario
    return scenario(*TINY, "days=3", *extra)  # test_analysis_by_hand's township, 3 days


def test_compare_independent_seeds_side_b_from_another_root():
    a, b = _tiny("seed=5"), _tiny("seed=6", "staff.station_officers=3")
    ra, rb, _ = compare(a, b, 1, seed=5, independent=True)
    assert ra[0].seed == 5
    assert rb[0].seed == 5 + 1_000_003  # INDEPENDENT_SEED_OFFSET, documented
    assert INDEPENDENT_SEED_OFFSET == 1_000_003


def test_compare_keeps_each_sides_finished_pairs_on_its_own_side():
    a, b = _tiny("seed=5"), _tiny("seed=6", "staff.station_officers=3")
    ka, kb, _ = compare(a, b, 1)
    ra, rb, table = compare(a, b, 1, kept=(ka, kb))  # nothing left to run
    assert ra[0] is ka[0] and rb[0] is kb[0]
    assert ra[0].scenario is a and rb[0].scenario is b
    assert table.set_index("metric").loc["disputes", "pairs"] == 1


def _fake_runs(monkeypatch, stop_at: tuple[str, int] | None = None) -> list[tuple]:
    """Replace run_once by a stand-in that records (scenario name, k, seed, layouts) per call.

    Its results carry metrics 1.0 (side "a") or 3.0 (side "b"); ``stop_at`` (name, k) raises
    KeyboardInterrupt there, as Ctrl-C would.
    """
    import sim.experiments.run as run_module
    calls: list[tuple] = []

    def fake(scenario, replication=0, seed=None, layouts=None):
        calls.append((scenario.name, replication, seed, layouts))
        if stop_at == (scenario.name, replication):
            raise KeyboardInterrupt
        value = 1.0 if scenario.name == "a" else 3.0
        return SimpleNamespace(scenario=scenario, replication=replication, seed=seed,
                               metrics=dict.fromkeys(METRICS, value))

    monkeypatch.setattr(run_module, "run_once", fake)
    monkeypatch.setattr(run_module, "layouts_for", lambda scn: f"layouts of {scn.name}")
    return calls


def _named(name: str, seed: int = 5):
    return SimpleNamespace(name=name, seed=seed, policy="p")


def test_run_replications_runs_only_the_replications_not_kept(monkeypatch):
    calls = _fake_runs(monkeypatch)
    kept = [SimpleNamespace(replication=0, seed=8)]
    done = run_replications(_named("a"), 3, seed=8, kept=kept)
    assert done[0] is kept[0] and [r.replication for r in done] == [0, 1, 2]
    # replications 1 and 2 only, each with the given root and the scenario's layouts
    assert calls == [("a", 1, 8, "layouts of a"), ("a", 2, 8, "layouts of a")]
    assert len(kept) == 1  # the caller's list is not extended


def test_run_replications_interrupted_carries_the_finished_runs(monkeypatch):
    _fake_runs(monkeypatch, stop_at=("a", 2))
    with pytest.raises(Interrupted) as info:
        run_replications(_named("a"), 4)
    assert [r.replication for r in info.value.a] == [0, 1] and info.value.b is None
    assert isinstance(info.value, KeyboardInterrupt)  # still stops a caller that knows no more


def test_compare_runs_pairs_in_turn_after_the_kept_ones(monkeypatch):
    calls = _fake_runs(monkeypatch)
    x0, x1, y0 = (SimpleNamespace(replication=k, metrics=dict.fromkeys(METRICS, v))
                  for k, v in ((0, 1.0), (1, 1.0), (0, 3.0)))
    kept_a, kept_b = [x0, x1], [y0]
    ra, rb, table = compare(_named("a", seed=5), _named("b", seed=6), 3,
                            kept=(kept_a, kept_b))
    # one full pair kept (A's second run has no partner: run again); A's seed for both
    assert calls == [("a", 1, 5, "layouts of a"), ("b", 1, 5, "layouts of b"),
                     ("a", 2, 5, "layouts of a"), ("b", 2, 5, "layouts of b")]
    assert ra[0] is x0 and rb[0] is y0 and ra[1] is not x1
    assert [r.replication for r in ra] == [r.replication for r in rb] == [0, 1, 2]
    assert kept_a == [x0, x1] and kept_b == [y0]  # the callers' lists untouched
    row = table.set_index("metric").loc["calls"]
    assert (row["mean_a"], row["mean_b"], row["diff"], row["pairs"]) == (1.0, 3.0, 2.0, 3)


def test_compare_interrupted_keeps_whole_pairs(monkeypatch):
    calls = _fake_runs(monkeypatch, stop_at=("b", 1))
    with pytest.raises(Interrupted) as info:
        compare(_named("a"), _named("b"), 3, seed=4, independent=True)
    assert [r.replication for r in info.value.a] == [0]  # A's run 1 finished, its pair not
    assert [r.replication for r in info.value.b] == [0]
    assert [c[2] for c in calls] == [4, 4 + 1_000_003, 4, 4 + 1_000_003]


def test_resources_posts_from_roles_and_jobs_of_a_post_without_staff_rows():
    rec = _with_workload(workload=[(0, "station_officer", "duty", 60.0),
                                   (1, "station_officer", "visit", 30.0),
                                   (2, "village_auxiliary", "screening", 120.0)],
                         jobs=[(0, "station_officer", 2), (1, "station_officer", 1)])
    for row in rec.workload:  # records without a post: the role is the post
        del row["post"]
    out = resources(tables_from_records(rec))
    assert set(out) == {"station_officer", "village_auxiliary"}
    so, va = out["station_officer"], out["village_auxiliary"]
    assert so["headcount"] == 2.0 and va["headcount"] == 1.0  # responders 0, 1 and 2
    assert so["jobs"] == pytest.approx(3 * PER_YEAR)  # 2 + 1 jobs
    assert va["jobs"] == 0.0  # the staff table has no auxiliary: none attended
    assert so["busy_visit_hours"] == pytest.approx(0.5 * PER_YEAR)
    assert va["busy_screening_hours"] == pytest.approx(2 * PER_YEAR)
    assert va["on_duty_hours"] == pytest.approx(2 * PER_YEAR)
    assert set(so) == {"headcount", "on_duty_hours", "on_call_hours", "busy_hours",
                       "busy_travel_hours", "busy_on_scene_hours", "busy_screening_hours",
                       "busy_visit_hours", "busy_casework_hours", "jobs"}


def test_resources_of_a_run_of_no_length_are_undefined():
    rec = _with_workload(workload=[(0, "station_officer", "duty", 60.0)],
                         jobs=[(0, "station_officer", 1)])
    rec.horizon_min = 0.0  # no run length: no "per year"
    so = resources(tables_from_records(rec))["station_officer"]
    assert so["headcount"] == 1.0 and math.isnan(so["jobs"])  # headcounts are not scaled


def test_officer_response_mean_without_the_officer_column_is_undefined():
    assert math.isnan(officer_response_mean(pd.DataFrame({"t_call": [1.0]})))
    calls = pd.DataFrame({"t_call": [0.0, 10.0, 20.0], "officer_required": [1, 0, 1],
                          "t_officer_arrive": [30.0, 11.0, None]})
    assert officer_response_mean(calls) == 30.0  # only call 0: call 1 needs none, 2 had none


def test_yearly_injury_rate_of_a_township_of_no_residents_counts_one():
    from test_metrics_by_hand import _records
    rec = _records()
    rec.residents = 0  # divided by max(residents, 1): 6 injuries / 1 * 10,000 / 0.1 year
    assert compute_metrics(tables_from_records(rec))["injury_crimes_per_10k_year"] == \
        pytest.approx(600_000.0)
    rec = _records()
    rec.injuries = []  # no injury records at all: none counted, no share
    m = compute_metrics(tables_from_records(rec))
    assert m["injury_crimes"] == 0.0 and m["injury_crimes_per_10k_year"] == 0.0
    assert math.isnan(m["injury_dispute_share"]) and m["dispute_injury_crimes"] == 0.0
    assert m["criminal_incidents"] == 3.0  # the thefts c1, c4, c7 only


def test_json_ready_turns_nan_into_none_and_numpy_scalars_into_python():
    out = json_ready({"a": [1.5, math.nan, (np.int64(3), np.float64("nan"))],
                      "b": {"c": np.float64(2.5), "d": "text", "e": None, "f": np.bool_(True)}})
    assert out == {"a": [1.5, None, [3, None]],
                   "b": {"c": 2.5, "d": "text", "e": None, "f": True}}
    assert type(out["a"][2][0]) is int and type(out["b"]["c"]) is float
    assert type(out["b"]["f"]) is bool
    assert json_ready(math.inf) == math.inf  # only NaN is replaced (JSON has no NaN)
    assert json.dumps(out)  # valid JSON


def test_json_number_keeps_finite_numbers_and_drops_the_rest():
    assert _json_number(math.inf) is None and _json_number(-math.inf) is None
    assert _json_number(math.nan) is None and _json_number(np.float64("nan")) is None
    assert _json_number(np.float32(0.5)) == 0.5 and type(_json_number(np.float32(0.5))) is float
    assert _json_number(np.int64(7)) == 7 and type(_json_number(np.int64(7))) is int
    assert _json_number(2.0) == 2.0 and _json_number(3) == 3 and _json_number("x") == "x"


def test_clip_share_by_hand():
    assert clip_share("calls", -5.0, 7.0) == (-5.0, 7.0)  # not a share: as it is
    assert clip_share("calls", -5.0, 7.0, difference=True) == (-5.0, 7.0)
    assert clip_share("p_wait", -0.2, 1.3) == (0.0, 1.0)  # a share: within [0, 1]
    assert clip_share("p_wait", 0.2, 0.3) == (0.2, 0.3)
    assert clip_share("p_wait", 1.2, 1.5) == (1.0, 1.0)  # wholly above 1: both ends at 1
    assert clip_share("p_wait", -0.5, -0.1) == (0.0, 0.0)  # wholly below 0: both at 0
    assert clip_share("p_wait", 1.2, 1.5, difference=True) == (1.0, 1.0)
    assert clip_share("open_share", -1.5, 1.5, difference=True) == (-1.0, 1.0)
    assert clip_share("open_share", -0.5, 0.5, difference=True) == (-0.5, 0.5)
    lo, hi = clip_share("p_wait", math.nan, math.nan)
    assert math.isnan(lo) and math.isnan(hi)
    lo, hi = clip_share("p_wait", math.nan, 2.0)
    assert math.isnan(lo) and hi == 1.0
    lo, hi = clip_share("p_wait", -3.0, math.nan, difference=True)
    assert lo == -1.0 and math.isnan(hi)


def test_summarize_of_no_runs_is_an_object_of_nulls():
    # (summarize raised KeyError on an empty list before: the frame had no metric columns)
    out = summarize([])
    assert all(out[k] is None for k in METRICS)
    assert out["replications"] == [] and out["resources"] == {}
    assert (out["scenario"], out["policy"], out["seed"]) == ("", "", None)
    assert set(out) == {*METRICS, "replications", "scenario", "policy", "seed", "resources"}


def test_consuming_the_records_empties_every_list_and_gives_the_same_tables():
    kept = tables_from_records(_with_workload())
    rec = _with_workload()
    rec.villages = [{"village": 0, "station_km": 3.0}]
    rec.visits = [{"t": 5.0, "village": 0, "found": True}]
    eaten = tables_from_records(rec, consume=True)
    for name in ("calls", "disputes", "injuries", "workload", "villages", "visits", "staff",
                 "cases", "reports"):
        assert getattr(rec, name) == [], name  # emptied (to a list, not None)
    for name in ("calls", "disputes", "injuries", "workload", "staff", "cases", "reports"):
        pd.testing.assert_frame_equal(getattr(eaten, name), getattr(kept, name))
    assert eaten.villages.to_dict(orient="records") == [{"village": 0, "station_km": 3.0}]
    assert eaten.visits.to_dict(orient="records") == [{"t": 5.0, "village": 0, "found": True}]
    assert len(kept.calls) == 9 and len(kept.disputes) == 12  # the helpers' 9 calls, 12 disputes
    again = _with_workload()
    tables_from_records(again)  # not consumed by default
    assert len(again.calls) == 9 and len(again.workload) == 8


def test_side_correlation_by_hand_and_its_undefined_cases():
    # (1, 2, 3) and (1, 3, 2): deviations (-1, 0, 1) and (-1, 1, 0): 1 / sqrt(2 * 2) = 0.5
    assert side_correlation([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == pytest.approx(0.5)
    # a NaN on either side drops its pair: the same three pairs are left
    assert side_correlation([1.0, 2.0, math.nan, 3.0, 7.0],
                            [1.0, 3.0, 5.0, 2.0, math.nan]) == pytest.approx(0.5)
    assert math.isnan(side_correlation([1.0, 2.0], [2.0, 1.0]))  # two pairs: too few
    assert math.isnan(side_correlation([1.0, 2.0, math.nan], [2.0, 1.0, 0.0]))
    assert math.isnan(side_correlation([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))  # A does not vary
    assert math.isnan(side_correlation([1.0, 2.0, 3.0], [4.0, 4.0, 4.0]))  # B does not vary


def test_side_correlations_keys_of_both_sides_only():
    a = [{"m": 1.0, "only_a": 1.0}, {"m": 2.0, "only_a": 2.0}, {"m": 3.0, "only_a": 3.0}]
    b = [{"m": 1.0}, {"m": 3.0}, {"m": 2.0}]
    out = side_correlations(a, b)
    assert set(out) == {"m"} and out["m"] == pytest.approx(0.5)
    assert side_correlations([], b) == {} and side_correlations(a, []) == {}


def test_clean_turns_only_missing_values_into_none():
    from sim.experiments.run import _clean
    assert _clean(None) is None and _clean(math.nan) is None and _clean(np.float64("nan")) is None
    assert _clean(2.5) == 2.5 and _clean(0.0) == 0.0 and _clean(3) == 3
    assert _clean(math.inf) == math.inf  # only NaN is "missing"


def test_quiet_gc_uses_the_measured_threshold_by_default():
    import gc

    from sim.experiments.run import quiet_gc
    before = gc.get_threshold()
    with quiet_gc():
        # 200,000 allocations between young passes (docs/performance.md's measurement)
        assert gc.get_threshold() == (200_000, *before[1:])
    assert gc.get_threshold() == before


def test_summarize_names_the_scenario_policy_and_seed_of_the_first_run():
    runs = [SimpleNamespace(metrics=dict.fromkeys(METRICS, float(k)), replication=k,
                            scenario=SimpleNamespace(name=f"s{k}", policy=f"p{k}"), seed=10 + k,
                            tables=SimpleNamespace(workload=pd.DataFrame()))
            for k in range(2)]
    out = summarize(runs)
    assert (out["scenario"], out["policy"], out["seed"]) == ("s0", "p0", 10)
    assert out["calls"] == 0.5  # mean of 0 and 1
    one = summarize(runs[:1])
    assert (one["scenario"], one["policy"], one["seed"]) == ("s0", "p0", 10)


def test_summarize_reports_each_posts_mean_resources():
    run = SimpleNamespace(metrics=dict.fromkeys(METRICS, 1.0), replication=0, seed=3,
                          scenario=SimpleNamespace(name="s", policy="p"),
                          tables=tables_from_records(_with_workload()))
    res = summarize([run])["resources"]
    assert set(res) == {"station_officer", "village_auxiliary"}  # the helpers' two posts
    assert res["station_officer"]["headcount"] == 2.0  # responders 0 and 1
    assert res["station_officer"]["on_duty_hours"] == pytest.approx(11 * PER_YEAR)  # 660 min
