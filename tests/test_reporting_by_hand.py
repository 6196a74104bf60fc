"""Reporting by hand: familiarity, the report decision and delay, the report rows (issue 20).

Each expected value is worked out in the comment beside it, or re-derived from the dispute's
own uniforms drawn in the documented order, never by the code under test. Split from
test_model_by_hand.py (round 6 survivors and after).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import BY_HAND as BASE
from conftest import clocks as _clocks
from conftest import line_layout, scenario

from sim.world.model import ExtraDispute, PolicingModel
from sim.world.reporting import ReportingChannel
from sim.world.rhythm import DAY_MIN
from sim.world.streams import (
    FIGHT_ROUTE,
    REPORT,
    RandomStreams,
    dispute_uniform,
    replication_seed,
)


# ---------------------------------------------------------------- reporting: familiarity
def _channel(per_contact=0.3, halflife_days=10.0):
    ch = ReportingChannel.__new__(ReportingChannel)  # only the familiarity book-keeping
    ch.cfg = SimpleNamespace(familiarity_per_contact=per_contact,
                             familiarity_halflife_days=halflife_days)
    ch._familiar = {}
    return ch


def test_familiarity_adds_per_contact_halves_per_halflife_and_caps_at_one():
    ch = _channel()
    half = 10 * DAY_MIN
    assert ch.familiarity(0, 2, 0.0) == 0.0
    ch.contact(0, 2, 0.0)
    ch.contact(0, 2, 0.0)  # two contacts at once: 0.3 + 0.3
    assert ch.familiarity(0, 2, 0.0) == pytest.approx(0.6)
    assert ch.familiarity(0, 2, half) == pytest.approx(0.3)  # one half-life later
    ch.contact(0, 2, half)  # 0.3 left + 0.3
    assert ch._familiar[(0, 2)] == (pytest.approx(0.6), half)
    assert ch.familiarity(0, 2, 3 * half) == pytest.approx(0.15)  # two more half-lives
    assert ch.familiarity(0, 1, half) == 0.0 and ch.familiarity(1, 2, half) == 0.0
    for _ in range(4):  # 0.6 + 4 x 0.3 = 1.8, capped at 1
        ch.contact(0, 2, half)
    assert ch.familiarity(0, 2, half) == 1.0


# ---------------------------------------------------------------- reporting decisions by hand
def _report_channel(**update):
    ch = ReportingChannel.__new__(ReportingChannel)
    ch.cfg = scenario().reporting.model_copy(update=update)
    ch._familiar = {}
    return ch


def test_report_probability_by_hand():
    ch = _report_channel(prob_near=0.5, odds_per_10km=0.5, trust_odds=4.0)
    # odds 1 x 0.5 ** (20 / 10) x 4 ** 0.5 = 0.5: p = 0.5 / 1.5 = 1/3
    assert ch.report_prob(20.0, 0.5) == pytest.approx(1 / 3)
    # next to the police, no familiarity: the near probability itself
    assert ch.report_prob(0.0, 0.0) == pytest.approx(0.5)
    # 10 km, full familiarity: odds 0.5 x 4 = 2, p = 2/3
    assert ch.report_prob(10.0, 1.0) == pytest.approx(2 / 3)
    assert _report_channel(prob_near=1.0).report_prob(50.0, 0.0) == 1.0
    ch = _report_channel(prob_near=0.8, odds_per_10km=0.5, trust_odds=1.0)
    # odds 4 x 0.5 = 2 at 10 km: p = 2/3
    assert ch.report_prob(10.0, 0.3) == pytest.approx(2 / 3)


def test_mean_report_delay_by_hand():
    ch = _report_channel(delay_near_min=30.0, delay_per_km_min=2.0, trust_delay_factor=0.5)
    # (30 + 2 x 10) x (1 - (1 - 0.5) x 0.4) = 50 x 0.8 = 40
    assert ch.mean_delay(10.0, 0.4) == pytest.approx(40.0)
    assert ch.mean_delay(0.0, 0.0) == pytest.approx(30.0)
    assert ch.mean_delay(5.0, 1.0) == pytest.approx(20.0)  # 40 x 0.5


def _flare_report(sets, distances=(10.0, 20.0), clocks=None):
    """A dispute in village 0 that flares at 100 min (or has ``clocks``), with the reporting
    channel on; the model run to 100.5 min."""
    d = ExtraDispute(0.0, 0, clocks if clocks is not None else _clocks(flare=100.0))
    m = PolicingModel(scenario(*BASE, "reporting.enabled=true", "reporting.delay_near_min=6",
                               "reporting.delay_per_km_min=0.5", *sets),
                      layouts=[line_layout(list(distances))], extra_disputes=[d])
    m.run_until(100.5)
    (dispute,) = m.disputes_by_id.values()
    return m, dispute


def _called_in_by_110_after(m, e: float, kind: str) -> None:
    """Village 0 (10 km) decided at 100 min to call 110, at familiarity 0: the call comes
    11 x ``e`` min later (mean delay 6 + 0.5 x 10 = 11 min), as a ``kind`` call."""
    assert m.records.reports == [{"t": 100.0, "township": 0, "village": 0, "dispute_id": 0,
                                  "km": 10.0, "familiarity": 0.0, "route": "110"}]
    m.run_until(100.0 + 11.0 * e + 1.0)
    (c,) = m.records.calls
    assert c["t_call"] == pytest.approx(100.0 + 11.0 * e) and c["kind"] == kind


def test_a_flare_far_from_the_police_is_called_in_after_a_distance_delay():
    # village 0 is 10 km from the station (the only police base): always reported
    # (prob_near = 1); mean delay 6 + 0.5 x 10 = 11 min at familiarity 0; the delay is
    # 11 x the unit exponential of the flare's addressed uniform (REPORT, flare 1, j = 2)
    m, d = _flare_report(["reporting.prob_near=1"])
    assert m.reporting.presence_km[0].tolist() == [10.0, 20.0]
    _called_in_by_110_after(m, -math.log1p(-dispute_uniform(d.key, REPORT, 1, 2)), "dispute")


def test_a_flare_nobody_reports_is_recorded_as_such():
    # prob_near = 0: the odds are 0 at any distance; no call, the decision row says "none"
    m, d = _flare_report(["reporting.prob_near=0"])
    assert [r["route"] for r in m.records.reports] == ["none"]
    # asked directly, by default about a flare: nobody reports it; about a fight reported
    # anyway: the delay (11 x the fight route's exponential) and the 110 route
    assert m.reporting.decide(d) is None
    e = -math.log1p(-dispute_uniform(d.key, FIGHT_ROUTE, d.fights, 2))
    assert m.reporting.decide(d, True) == (pytest.approx(11.0 * e), False)
    m.run_until(1440.0)
    assert m.records.calls == []


def test_a_flare_reported_to_the_resident_auxiliary_makes_no_call():
    # an auxiliary lives in each village (a police base there: 0 km to the police) and every
    # report goes to them in person: mean delay 6 min, told at 100 + 6 e; a mediation job,
    # no 110 call. Village 1's auxiliary lives 10 km from village 0, so the nearest base is 0.
    sets = ["reporting.prob_near=1", "reporting.tell_auxiliary_prob=1", "staff.auxiliaries=2",
            "reform.village_auxiliaries=true", "duty.village_auxiliary_hours=24"]
    m, d = _flare_report(sets)
    assert m.reporting.presence_km[0].tolist() == [0.0, 0.0]
    assert m.records.reports[0]["route"] == "auxiliary" and m.records.reports[0]["km"] == 0.0
    e = -math.log1p(-dispute_uniform(d.key, REPORT, 1, 2))
    m.run_until(100.0 + 6.0 * e + 0.5)
    assert m.records.calls == [] and d.job is not None and d.job.record is None
    assert d.job.created == pytest.approx(100.0 + 6.0 * e)


def test_report_and_route_decisions_follow_each_disputes_own_draws():
    # 24 disputes flare at 100 min in village 0, where an auxiliary lives (0 km to the
    # police); P(report) = 0.5 whatever the distance and familiarity (odds multipliers 1), and
    # half of the reports go to the auxiliary. Dispute i is reported when its uniform
    # (REPORT, flare 1, j = 0) is under 0.5, told in person when (REPORT, 1, 1) is, and a
    # 110 call comes 6 x (the unit exponential of (REPORT, 1, 2)) minutes after the flare.
    sets = ["reporting.enabled=true", "reporting.prob_near=0.5", "reporting.odds_per_10km=1",
            "reporting.trust_odds=1", "reporting.tell_auxiliary_prob=0.5",
            "reporting.delay_near_min=6", "reporting.delay_per_km_min=0.5",
            "staff.auxiliaries=2", "reform.village_auxiliaries=true",
            "duty.village_auxiliary_hours=24", "days=2"]
    ds = [ExtraDispute(0.0, 0, _clocks(flare=100.0)) for _ in range(24)]
    m = PolicingModel(scenario(*BASE, *sets), layouts=[line_layout([10.0, 20.0])],
                      extra_disputes=ds)
    m.run_until(100.5)
    keys = {i: d.key for i, d in m.disputes_by_id.items()}
    want = {}
    for i, k in keys.items():
        u0, u1 = (dispute_uniform(k, REPORT, 1, j) for j in (0, 1))
        want[i] = "none" if u0 >= 0.5 else ("auxiliary" if u1 < 0.5 else "110")
    got = {r["dispute_id"]: r["route"] for r in m.records.reports}
    assert got == want and set(want.values()) == {"none", "auxiliary", "110"}
    m.run_until(200.0)
    calls = {c["dispute_id"]: c["t_call"] for c in m.records.calls}
    assert set(calls) == {i for i, r in want.items() if r == "110"}
    for i, t in calls.items():
        assert t == pytest.approx(100.0 - 6.0 * math.log1p(-dispute_uniform(keys[i], REPORT,
                                                                             1, 2)))


@pytest.mark.parametrize(("near", "expected"), [(0.5, 0.5), (0.0, 0.0)])
def test_short_and_zero_mean_report_delays(near, expected):
    # 0 km from the police (an auxiliary lives there), nothing per km: the mean delay is the
    # near delay, 0.5 min (the delay is 0.5 e) or 0 (the report comes at the flare itself)
    sets = ["reporting.prob_near=1", "staff.auxiliaries=2", "reform.village_auxiliaries=true",
            "duty.village_auxiliary_hours=24", f"reporting.delay_near_min={near}",
            "reporting.delay_per_km_min=0", "reporting.tell_auxiliary_prob=0"]
    m, d = _flare_report(sets)
    m.run_until(110.0)
    e = -math.log1p(-dispute_uniform(d.key, REPORT, 1, 2))
    (c,) = m.records.calls
    assert c["t_call"] == pytest.approx(100.0 + expected * e, abs=1e-9)


def test_the_report_row_carries_the_villages_familiarity_at_the_flare():
    # one contact (0.2) at 0 min, half-life 1 day: at the flare (100 min) the familiarity is
    # 0.2 x 0.5 ** (100 / 1,440) = 0.19061
    d = ExtraDispute(0.0, 0, _clocks(flare=100.0))
    m = PolicingModel(scenario(*BASE, "reporting.enabled=true", "reporting.prob_near=1",
                               "reporting.familiarity_per_contact=0.2",
                               "reporting.familiarity_halflife_days=1"),
                      layouts=[line_layout([10.0, 20.0])], extra_disputes=[d])
    m.reporting.contact(0, 0, 0.0)
    m.run_until(100.5)
    (row,) = m.records.reports
    assert row["familiarity"] == pytest.approx(0.2 * 0.5 ** (100 / 1440))
    assert row["familiarity"] == pytest.approx(0.19061, abs=1e-5)


# ---------------------------------------------------------------- routes of reported flares
def test_a_reported_fight_takes_the_fight_route_draws_whatever_the_report_odds():
    # a latent fight at 100 min (fight_report_u = 0: reported) with prob_near = 0: the fight
    # is reported anyway; its delay is 11 x the unit exponential of (FIGHT_ROUTE, fight 1, 2)
    m, dispute = _flare_report(["reporting.prob_near=0", "disputes.fight_report_prob=0.5"],
                               clocks=_clocks(escalate=100.0))
    _called_in_by_110_after(m, -math.log1p(-dispute_uniform(dispute.key, FIGHT_ROUTE, 1, 2)),
                            "fight")


def test_a_route_uniform_equal_to_the_tell_probability_is_not_told_in_person():
    # "u < p" decides: with tell_auxiliary_prob set to exactly the dispute's route uniform
    # (known before the run from its key), the report is a 110 call; a hair above, in person
    seed = scenario(*BASE).seed
    key = RandomStreams(replication_seed(seed, 0)).dispute_keys(0, 1)[0]
    u1 = dispute_uniform(key, REPORT, 1, 1)
    base = ["reporting.prob_near=1", "staff.auxiliaries=2", "reform.village_auxiliaries=true",
            "duty.village_auxiliary_hours=24"]
    for p, route in ((u1, "110"), (np.nextafter(u1, 1.0), "auxiliary")):
        m, d = _flare_report([*base, f"reporting.tell_auxiliary_prob={float(p)!r}"])
        assert d.key == key and m.records.reports[0]["route"] == route
