"""Staffing search: on an M/M/c reduction it finds the Erlang-C answer."""

import math

import pytest

from sim.experiments.staffing import StaffingError, parse_target, staff_search
from sim.scenario import load_scenario

LAM, MU = 2.5 / 60.0, 1.0 / 60.0  # calls per minute, services per minute (60-min mean)


def erlang_c(c: int, a: float) -> float:
    """P(wait) in M/M/c with offered load a (Erlang C), from the textbook formula."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def p90_wait(c: int) -> float:
    """90th percentile of the M/M/c FCFS wait: P(W > t) = C e^{-(c mu - lam) t}."""
    a = LAM / MU
    if c <= a:
        return math.inf
    pw = erlang_c(c, a)
    return max(0.0, math.log(pw / 0.1) / (c * MU - LAM))


@pytest.mark.slow
def test_staffing_finds_the_erlang_c_answer():
    target = 20.0
    expected = min(c for c in range(3, 12) if p90_wait(c) <= target)
    assert expected == 5 and p90_wait(4) > 1.5 * target  # a clear answer, not a knife edge
    scn = load_scenario("scenarios/validation/mmc.toml", ["calls.other_per_hour=2.5",
                                                          "days=150"])
    res = staff_search(scn, parse_target(f"response_time_p90_min<={target}"),
                       role="station_officers", lo=3, hi=8, reps=4, extra_points=0)
    assert res.smallest == expected
    by_staff = {p.staff: p for p in res.curve}
    assert not by_staff[expected - 1].meets and by_staff[expected].meets
    # the simulated p90 at the answer is near the analytic one (zero travel: response = wait)
    assert by_staff[expected].mean == pytest.approx(p90_wait(expected), abs=3.0)
    js = res.as_json()
    assert set(js) >= {"role", "target", "smallest", "curve"}
    assert js["curve"][0].keys() >= {"staff", "mean", "ci_low", "ci_high"}


def test_bad_targets_are_errors():
    with pytest.raises(StaffingError, match="unknown metric"):
        parse_target("response_p90<=15")
    with pytest.raises(StaffingError, match="expected METRIC"):
        parse_target("response_time_p90_min=15")
    t = parse_target("escalation_rate >= 0.1")
    assert t.met_by(0.11, 0.2) and not t.met_by(0.09, 0.2)
