"""Siting: the MILP optimum equals brute force on small instances, for every objective."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.siting import Plan, SitingError, evaluate, solve


def _instance(seed, n):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 30, (n, 2))
    d = 3.0 + np.abs(xy[:, None] - xy[None]).sum(2) * 1.3 / 45 * 60  # office j -> village i
    np.fill_diagonal(d, 3.0)  # the host village is always nearest its own office
    w = rng.integers(200, 2500, n).astype(float)
    return d, w


def _brute(d, w, k, objective, within):
    """Best value over every k-subset, each village at its nearest office (independent)."""
    best = None
    for s in itertools.combinations(range(len(w)), k):
        t = d[list(s)].min(0)
        val = {"median": (w * t).sum() / w.sum(), "coverage": -w[t <= within].sum() / w.sum(),
               "center": t.max()}[objective]
        best = val if best is None or val < best else best
    return abs(best) if objective == "coverage" else best


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 8), k=st.integers(1, 3),
       objective=st.sampled_from(["median", "coverage", "center"]))
def test_milp_optimum_equals_brute_force(seed, n, k, objective):
    d, w = _instance(seed, n)
    within = float(np.quantile(d, 0.3))
    plan = solve(d, w, k, objective, within)
    assert len(plan.offices) == k and len(set(plan.offices.tolist())) == k
    assert (plan.assign[plan.offices] == np.arange(k)).all()  # hosts served by their office
    got = evaluate(plan, d, w, within)[objective]
    assert got == pytest.approx(_brute(d, w, k, objective, within), rel=1e-9, abs=1e-9)


def test_balanced_median_equals_brute_force_over_all_assignments():
    d, w = _instance(7, 6)
    w = np.array([900, 1000, 1100, 2000, 950, 1050], float)
    k, bal = 2, 0.15
    mean = w.sum() / k
    best = np.inf
    for s in itertools.combinations(range(6), k):
        for combo in itertools.product(range(k), repeat=6):
            a = np.array(combo)
            if any(a[o] != c for c, o in enumerate(s)):
                continue
            load = np.bincount(a, weights=w, minlength=k)
            if ((load > (1 + bal) * mean + 1e-9) | (load < (1 - bal) * mean - 1e-9)).any():
                continue
            best = min(best, evaluate(Plan(np.array(s), a), d, w, 0)["median"])
    plan = solve(d, w, k, "median", balance=bal)
    ev = evaluate(plan, d, w, 0)
    assert ev["median"] == pytest.approx(best, rel=1e-9)
    assert ev["max_load_ratio"] <= 1 + bal + 1e-9 and ev["min_load_ratio"] >= 1 - bal - 1e-9
    free = evaluate(solve(d, w, k, "median"), d, w, 0)["median"]
    assert free <= best + 1e-9


def test_bad_k_and_infeasible_balance_are_errors():
    d, w = _instance(1, 5)
    with pytest.raises(SitingError, match="--offices"):
        solve(d, w, 6)
    with pytest.raises(SitingError, match="no feasible"):
        solve(d, np.array([1, 1, 1, 1, 100.0]), 2, balance=0.1)
