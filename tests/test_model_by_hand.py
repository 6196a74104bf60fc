"""The model's set-up, draws and bookkeeping checked by hand (issue 20, round 6 survivors).

Each expected value is worked out in the comment beside it, or re-derived by an independent
method (the same generator drawn in the documented order, a run with the mechanism off), never
by the code under test. MUTATION_NOTES.txt of the branch lists the mutants these were written for.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import QUIET, line_layout, scenario
from conftest import clocks as _clocks

from sim.scenario import DISPUTE_KINDS
from sim.world.disputes import Channel, DisputeKind, DisputeState
from sim.world.jobs import CallKind, Job, JobKind, Urgency
from sim.world.model import ExtraCall, ExtraDispute, PolicingModel
from sim.world.reporting import ReportingChannel
from sim.world.rhythm import DAY_MIN, PiecewiseRate, Rhythm
from sim.world.streams import (
    DETECTION,
    FIGHT_ROUTE,
    ON_SCENE,
    REPORT,
    RandomStreams,
    dispute_uniform,
    replication_seed,
)

# 60 km/h, circuity 1, 1 km cells: a village 10 km away is 10 min of driving + 2 min turnout.
BASE = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
        "travel.turnout_min=2", "travel.local_trip_min=5", "staff.station_officers=1",
        "staff.community_officers=0", "staff.auxiliaries=0", "shifts.duty_groups=1",
        "warmup_days=0", "days=1", "follow_up_days=0"]
FLAT_DAY = tuple([1.0] * 24)
FLAT_WEEK = tuple([1.0] * 7)
LAND = DISPUTE_KINDS.index("land")
FAMILY = DISPUTE_KINDS.index("family")
ELDER = DISPUTE_KINDS.index("elder_support")


def _model(sets=(), layouts=None, disputes=(), **kw):
    layouts = layouts or [line_layout([10.0])]
    return PolicingModel(scenario(*BASE, *sets), layouts=layouts, extra_disputes=disputes, **kw)


# ---------------------------------------------------------------- rhythm: seasonal windows
def _rhythm_cfg(**update):
    base = {"hour_profile": FLAT_DAY, "weekday_profile": FLAT_WEEK,
            "spring_festival_start_day": 2.0, "spring_festival_days": 1.0,
            "spring_festival_multiplier": 3.0, "harvest_start_day": 4.0, "harvest_days": 2.0,
            "harvest_multiplier": 4.0}
    base.update(update)
    return scenario("rhythm.enabled=true").rhythm.model_copy(update=base)


def test_season_multiplies_land_in_harvest_and_family_in_the_festival_only():
    # An 8-day run: the profiles are laid out a week beyond it, 15 days = 360 hourly bins.
    # Festival: day 2 (hours 48..71), x3 for family and elder-support disputes; harvest: days
    # 4 and 5 (hours 96..143), x4 for land disputes; every other (hour, kind) is 1.
    r = Rhythm(_rhythm_cfg(), 8 * DAY_MIN)
    assert r.season.shape == (360, len(DISPUTE_KINDS))
    expected = np.ones((360, len(DISPUTE_KINDS)))
    expected[48:72, FAMILY] = expected[48:72, ELDER] = 3.0
    expected[96:144, LAND] = 4.0
    np.testing.assert_array_equal(r.season, expected)


def test_season_windows_wrap_past_the_end_of_the_year():
    # harvest from day 364 for 3 days: days 364, 0 and 1 of the year; a 2-day run lays out
    # 9 days (216 bins): hours 0..47 are inside (days 0, 1), hours 48..215 are not
    r = Rhythm(_rhythm_cfg(harvest_start_day=364.0, harvest_days=3.0,
                           spring_festival_days=0.0), 2 * DAY_MIN)
    col = r.season[:, LAND]
    assert col[:48].tolist() == [4.0] * 48 and col[48:].tolist() == [1.0] * 168
    assert (r.season[:, FAMILY] == 1.0).all()  # a window of 0 days holds no day


def test_demand_profile_of_the_rhythm_is_hour_times_weekday_weight():
    # hour weights 2 (hours 0..11) and 0 (12..23) after normalising (1, 0 -> mean 0.5);
    # weekday weights: Monday 7/4 = 1.75 (profile 7, 1 x 6 -> mean 13/7: 7 x 7/13 = 49/13),
    # first weekday Wednesday (2): day 0 is a Wednesday (weight 7/13), day 5 a Monday (49/13)
    week = (7.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    r = Rhythm(_rhythm_cfg(hour_profile=tuple([1.0] * 12 + [0.0] * 12), weekday_profile=week,
                           first_weekday=2), DAY_MIN)
    w = r.demand.w
    assert len(w) == 8 * 24
    assert w[0] == pytest.approx(2 * 7 / 13) and w[12] == 0.0
    assert w[5 * 24 + 3] == pytest.approx(2 * 49 / 13) and w[5 * 24 + 20] == 0.0


# ---------------------------------------------------------------- records: village table
def test_village_table_rows_by_hand():
    # two villages on a line east of the station, 10 and 4 km, each its own cluster (so each
    # is its cluster's center village): trips 10 and 4 min of driving + 2 min turnout
    m = _model(layouts=[line_layout([10.0, 4.0], clusters=[0, 1], population=700)])
    rec = m.simulate()
    assert rec.villages == [
        {"township": 0, "village": 0, "village_id": "V0", "x_km": 10.0, "y_km": 0.0,
         "population": 700, "cluster": 0, "station_km": 10.0, "station_travel_min": 12.0,
         "center_village": 0, "resident_auxiliary": False},
        {"township": 0, "village": 1, "village_id": "V1", "x_km": 4.0, "y_km": 0.0,
         "population": 700, "cluster": 1, "station_km": 4.0, "station_travel_min": 6.0,
         "center_village": 1, "resident_auxiliary": False}]
    # one day, no warm-up or follow-up: 1,440 minutes; 2 x 700 residents
    assert (rec.horizon_min, rec.warmup_min, rec.period_end_min, rec.residents) == (
        1440.0, 0.0, 1440.0, 1400)
    assert rec.staff == [{"responder_id": 1, "township": 0, "role": "station_officer",
                          "post": "station_officer", "jobs": 0}]
    # nothing happened: the officer's whole day is duty at the station
    budget = {w["activity"]: w["minutes"] for w in rec.workload}
    assert budget["duty"] == 1440.0 and sum(budget.values()) == 1440.0
    assert {(w["responder_id"], w["township"], w["role"], w["post"]) for w in rec.workload} == {
        (1, 0, "station_officer", "station_officer")}


# ---------------------------------------------------------------- clock draws
def _clock_sets():
    return ["disputes.flare_mean_days=3", "disputes.escalate_shape=0.7",
            "disputes.escalate_scale_days=40", "disputes.subside_mean_days=50",
            "screening.auxiliary_discovery_mean_days=6", "screening.alert_mean_days=2.5",
            "disputes.acute_fight_mean_min=25"]


@pytest.mark.parametrize("delay_mean", [0.0, 0.5, 45.0])
def test_clock_arrays_follow_the_documented_draw_order(delay_mean):
    # Re-derived with a second generator of the same seed, drawn in the order of the Clocks
    # fields: unit exponentials (and a unit Weibull) scaled by the means in minutes; with a
    # report delay mean of 0 (only) the delays are 0 and NO draw is spent on them, so the uniforms
    # that follow are the generator's next numbers.
    m = _model([*_clock_sets(), f"disputes.report_delay_mean_min={delay_mean}"])
    n = 5
    got = m.draw_clock_arrays(np.random.default_rng(7), n)
    g = np.random.default_rng(7)
    exp = {"flare": g.standard_exponential(n) * 3 * 1440.0,
           "escalate": g.weibull(0.7, n) * 40 * 1440.0,
           "subside": g.standard_exponential(n) * 50 * 1440.0,
           "auxiliary": g.standard_exponential(n) * 6 * 1440.0,
           "alert": g.standard_exponential(n) * 2.5 * 1440.0}
    exp["report_delay"] = g.standard_exponential(n) * delay_mean if delay_mean else np.zeros(n)
    exp["violent_u"] = g.random(n)
    exp["acute"] = g.standard_exponential(n) * 25.0
    exp["fight_report_u"] = g.random(n)
    exp["injury_u"] = g.random(n)
    assert list(got) == list(exp)
    for k, v in exp.items():
        np.testing.assert_allclose(got[k], v, rtol=1e-12, err_msg=k)


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


# ---------------------------------------------------------------- disputes: numbering
def test_disputes_at_the_same_time_are_numbered_by_township_first():
    # two townships, a dispute in each at 50 min: township 0's in its village 1, township
    # 1's in its village 0. Rank by (time, township): township 0's is dispute 0.
    two = [line_layout([10.0, 20.0]), line_layout([10.0, 20.0])]
    ds = [ExtraDispute(50.0, 0, _clocks(), township=1),
          ExtraDispute(50.0, 1, _clocks(), township=0),
          ExtraDispute(10.0, 1, _clocks(), township=1)]
    m = _model(layouts=two, disputes=ds)
    assert [(r[0], r[1], r[2]) for r in m._dispute_rows] == [(10.0, 1, 1), (50.0, 0, 1),
                                                            (50.0, 1, 0)]
    rec = m.simulate()
    assert [(d["dispute_id"], d["township"], d["village"]) for d in rec.disputes] == [
        (0, 1, 1), (1, 0, 1), (2, 1, 0)]


def test_seasonal_arrivals_with_a_flat_season_are_the_uniform_arrivals():
    # With every multiplier 1 the seasonal rate is 1 in every hour: its mass over the run is
    # the horizon, so the rhythm path draws the same number of disputes from the same stream
    # and maps the same uniforms on [0, horizon) to themselves. Times must match the run
    # without rhythm (an independent path through the code).
    sets = ["disputes.rate_per_1000_year=400", "days=30", "rhythm.spring_festival_multiplier=1",
            "rhythm.harvest_multiplier=1"]
    off = _model([*sets, "rhythm.enabled=false"])
    on = _model([*sets, "rhythm.enabled=true"])
    t_off = [r[0] for r in off._dispute_rows]
    t_on = [r[0] for r in on._dispute_rows]
    # 400 a year per 1,000 x 1,000 residents x 30 / 365 days: about 33 disputes
    assert 15 < len(t_off) < 60
    assert t_on == pytest.approx(t_off, abs=1e-6)
    assert t_off[0] < 1440.0 and t_off[-1] > 28 * 1440.0  # spread over the whole run


# ---------------------------------------------------------------- risk targeting
def test_a_mediation_on_arrival_counts_as_a_known_dispute_at_the_arrival_time():
    # Smart alerts flag the elderly resident's dispute at 100 min; the station officer drives
    # 10 km (12 min): the mediation starts at 112 and the village's known-dispute count is
    # 1 as of 112 (nothing was known before: no call was made).
    d = ExtraDispute(0.0, 0, _clocks(alert=100.0), kind=DisputeKind.FAMILY, elderly_alone=True)
    m = _model(["reform.smart_alerts=true", "screening.targeting=risk"], disputes=[d])
    m.run_until(111.0)
    assert m.risk._known == {}
    m.run_until(113.0)
    assert m.risk._known == {(0, 0): (1.0, 112.0)}
    assert math.isclose(m.risk.dispute_score(0, 0, 112.0), 1.0)


def test_a_mediation_without_risk_targeting_keeps_no_score():
    # the same alert-found mediation with round-robin screening: nothing to score, and the
    # mediation still starts on the officer's arrival at 112
    d = ExtraDispute(0.0, 0, _clocks(alert=100.0), kind=DisputeKind.FAMILY, elderly_alone=True)
    m = _model(["reform.smart_alerts=true", "screening.targeting=round_robin"], disputes=[d])
    rec = m.simulate()
    assert m.risk is None
    (row,) = rec.disputes
    assert (row["t_first_contact"], row["first_channel"]) == (112.0, "alert")


def test_a_dispute_call_is_known_when_called_not_again_on_arrival():
    # flare at 100, called in at once: known as of 100 (the call). The officer arrives at 112
    # on a call job, not a mediation: the count stays (1, 100).
    d = ExtraDispute(0.0, 0, _clocks(flare=100.0))
    m = _model(["screening.targeting=risk"], disputes=[d])
    m.run_until(113.0)
    assert m.records.calls[0]["t_arrive"] == 112.0
    assert m.risk._known == {(0, 0): (1.0, 100.0)}


# ---------------------------------------------------------------- start_job: contacts, officers
def test_arrivals_at_disputes_are_police_contacts_other_calls_are_not():
    # reporting on (0.25 a contact): the alert-found mediation in village 0 (arrival 112) is a
    # contact; a public-order call in village 1 at 0 (the officer there at 0 + 2 + 20 = 22,
    # back at the station by 72, before the alert) is not.
    d = ExtraDispute(0.0, 0, _clocks(alert=100.0), kind=DisputeKind.FAMILY, elderly_alone=True)
    m = PolicingModel(scenario(*BASE, "reform.smart_alerts=true", "reporting.enabled=true",
                               "reporting.familiarity_per_contact=0.25"),
                      layouts=[line_layout([10.0, 20.0])], extra_disputes=[d],
                      extra_calls=[ExtraCall(0.0, 1, CallKind.PUBLIC_ORDER, 10.0)])
    m.run_until(111.0)
    assert m.records.calls[0]["t_arrive"] == 22.0
    assert m.reporting._familiar == {}
    m.run_until(113.0)
    assert m.reporting._familiar == {(0, 0): (0.25, 112.0)}


def _aux_calls(required: str):
    # the station (place 2) and two villages at 10 and 30 km, each with a resident auxiliary
    # on duty all day; public-order calls in village 1 at 60 and in village 0 at 300
    sets = ["staff.auxiliaries=2", "reform.village_auxiliaries=true",
            "duty.village_auxiliary_hours=24", f"dispatch.officer_required_kinds={required}"]
    m = PolicingModel(scenario(*BASE, *sets), layouts=[line_layout([10.0, 30.0])],
                      extra_calls=[ExtraCall(60.0, 1, CallKind.PUBLIC_ORDER, 10.0),
                                   ExtraCall(300.0, 0, CallKind.PUBLIC_ORDER, 10.0)])
    return m.simulate()


def test_an_officer_sent_after_the_auxiliary_marks_the_officer_arrival():
    # the village's auxiliary is there first (2 + 5 in-village = 7 min); an officer is sent
    # from the station at once: 30 km -> 32 min (60 + 32 = 92), 10 km -> 12 min (312)
    rec = _aux_calls('["public_order"]')
    got = [(c["responder_role"], c["t_arrive"], c["t_officer_arrive"], c["officer_required"])
           for c in rec.calls]
    assert got == [("auxiliary", 67.0, 92.0, True), ("auxiliary", 307.0, 312.0, True)]


def test_an_auxiliary_alone_is_no_officer_arrival():
    rec = _aux_calls('["fight"]')  # public order: the auxiliary alone
    got = [(c["t_arrive"], c["t_clear"], c["t_officer_arrive"]) for c in rec.calls]
    assert got == [(67.0, 77.0, None), (307.0, 317.0, None)]


def test_an_officer_answering_a_call_is_its_officer_arrival():
    # one station officer, village 10 km: 100 + 12 = 112, 30 on scene
    m = PolicingModel(scenario(*BASE), layouts=[line_layout([10.0])],
                      extra_calls=[ExtraCall(100.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = m.simulate().calls
    assert (c["t_arrive"], c["t_officer_arrive"], c["t_clear"]) == (112.0, 112.0, 142.0)


# ---------------------------------------------------------------- disputes drawn up front
def _fresh(seed: int, name: str, t: int) -> np.random.Generator:
    """A new generator of the named stream (the model's own one has been drawn from)."""
    return RandomStreams(replication_seed(seed, 0)).township(name, t)


def _kinds_of(u: np.ndarray, shares: list[float]) -> list[int]:
    """Kind k of each uniform: the first k with u < share_0 + ... + share_k (inversion)."""
    cum = np.cumsum(shares) / sum(shares)
    return [int(np.searchsorted(cum, x, side="right")) for x in u]


def test_uniform_arrivals_re_derived_from_the_arrivals_and_clocks_streams():
    # Township 1 of two (populations 600 + 1,800 and 1,200 + 1,200): 300 disputes a year per
    # 1,000 over 40 days: lam = 0.3 x 2,400 x 40 / 365 = 78.9 in township 1. Its
    # dispute_arrivals stream gives, in order: the Poisson count, the sorted uniform times on
    # [0, horizon), the villages (by population, 1 : 3), the kinds (by share), the tensions
    # 1 + Poisson(0.5) capped at 2 (then the parties); its dispute_clocks stream the clocks.
    sets = ["disputes.rate_per_1000_year=300", "days=40", "disputes.max_tension=2",
            "disputes.extra_tension_mean=0.5"]
    layouts = [_with_population(line_layout([5.0, 8.0]), [1200, 1200]),
               _with_population(line_layout([5.0, 8.0]), [600, 1800])]
    m = _model(sets, layouts=layouts, townships=[1])
    horizon = 40 * 1440.0
    g = _fresh(m.root_seed, "dispute_arrivals", 1)
    n = int(g.poisson(0.3 * 2400 * 40 / 365))
    times = np.sort(g.uniform(0.0, horizon, n))
    village = g.choice(2, size=n, p=[0.25, 0.75])
    shares = [0.35, 0.25, 0.15, 0.10, 0.15]  # the default shares (family .. other)
    kind = g.choice(5, size=n, p=shares)
    tension = np.minimum(1 + g.poisson(0.5, n), 2)
    flare = _fresh(m.root_seed, "dispute_clocks", 1).standard_exponential(n) * \
        m.params.disputes.flare_mean_days * 1440.0
    rows = m._dispute_rows
    assert len(rows) == n and 50 < n < 110
    assert [r[0] for r in rows] == times.tolist()
    assert {r[1] for r in rows} == {1}
    assert [r[2] for r in rows] == village.tolist()
    assert [r[3] for r in rows] == [DisputeKind(DISPUTE_KINDS[k]) for k in kind]
    assert [r[4] for r in rows] == tension.tolist() and {1, 2} <= set(tension.tolist())
    assert all(len(r[5]) == 2 and r[6] in (False, True) for r in rows)
    np.testing.assert_allclose([r[7].flare for r in rows], flare, rtol=1e-12)
    assert [r[8] for r in rows] == RandomStreams(replication_seed(m.root_seed, 0)).dispute_keys(
        1, n)
    assert m.records.prepared_disputes == n and m._next_dispute == 0


def _with_population(layout, pop):
    return dataclasses.replace(layout, population=np.array(pop))


def test_seasonal_arrivals_re_derived_kinds_by_season_and_share():
    # Rhythm on, festival and harvest windows outside the 20-day run (days 100.. and 200..):
    # every hour's all-kinds rate is 1, the mass is the horizon, and the stream gives the
    # count, the uniforms (mapped to themselves), the villages, then one uniform per dispute
    # whose kind is found by inversion of the shares.
    sets = ["disputes.rate_per_1000_year=500", "days=20", "rhythm.enabled=true",
            "rhythm.spring_festival_start_day=100", "rhythm.harvest_start_day=200"]
    m = _model(sets, layouts=[_with_population(line_layout([5.0, 8.0]), [1500, 500])])
    horizon = 20 * 1440.0
    g = _fresh(m.root_seed, "dispute_arrivals", 0)
    n = int(g.poisson(0.5 * 2000 * 20 / 365))  # lam = 54.8
    times = np.sort(g.uniform(0.0, horizon, n))
    village = g.choice(2, size=n, p=[0.75, 0.25])
    kind = _kinds_of(g.random(n), [0.35, 0.25, 0.15, 0.10, 0.15])
    rows = m._dispute_rows
    assert len(rows) == n and 30 < n < 85
    np.testing.assert_allclose([r[0] for r in rows], times, rtol=0, atol=1e-6)
    assert [r[2] for r in rows] == village.tolist()
    assert [r[3] for r in rows] == [DisputeKind(DISPUTE_KINDS[k]) for k in kind]
    assert len(set(kind)) >= 4


def _one_kind_among_elderly(kind: str, rate: int, days: int) -> list[str]:
    """Every dispute of ``kind``; a fifth of the residents elderly and alone, relative risk 100."""
    return [f"disputes.rate_per_1000_year={rate}", f"days={days}",
            *(f"disputes.share_{k}={int(k == kind)}" for k in DISPUTE_KINDS),
            "residents.elderly_alone_share=0.2", "residents.elderly_alone_risk=100"]


def test_elder_support_disputes_involve_the_elderly_alone_as_the_first_party():
    # Every dispute an elder-support one; a fifth of the residents elderly and alone, relative
    # risk 100: the first party is elderly-alone with probability 0.2 x 100 / (0.2 x 100 +
    # 0.8) = 0.96 (about 160 disputes: fewer than 80% of them has probability < 1e-9),
    # against 0.2 for a party drawn at random. The row's flag is its first party's.
    m = _model(_one_kind_among_elderly("elder_support", rate=1000, days=60))
    rows = m._dispute_rows
    pop = m.populations[0]
    first = pop.are_elderly_alone(np.array([r[5][0] for r in rows])).tolist()
    assert len(rows) > 100 and all(r[3] is DisputeKind.ELDER_SUPPORT for r in rows)
    assert [r[6] for r in rows] == first
    assert sum(first) > 0.8 * len(rows)


def test_other_kinds_pick_their_first_party_at_random():
    # No elder-support disputes: the first party is elderly-alone with probability 0.2 only
    # (about 40 disputes: more than half alone has probability < 1e-4)
    m = _model(_one_kind_among_elderly("family", rate=500, days=30))
    rows = m._dispute_rows
    alone = [r[6] for r in rows]
    first = m.populations[0].are_elderly_alone(np.array([r[5][0] for r in rows])).tolist()
    assert len(rows) > 20 and 0 < sum(alone) < len(rows) / 2 and alone == first


def _first_times(m, lam: float) -> list[float]:
    """The first disputes' times: the stream's count at ``lam``, then its sorted uniforms."""
    g = _fresh(m.root_seed, "dispute_arrivals", 0)
    n = int(g.poisson(lam))
    return np.sort(g.uniform(0.0, m.horizon, n)).tolist()


def _from_uniforms(m, lam: float) -> list[float]:
    """Times of rows that are among the first 500 uniforms after the count at ``lam``.

    (500 draws begin with the same numbers as n draws; a repeat's time, its parent's plus a
    delay, is never exactly one of them.)
    """
    g = _fresh(m.root_seed, "dispute_arrivals", 0)
    g.poisson(lam)
    candidates = set(g.uniform(0.0, m.horizon, 500).tolist())
    return sorted(r[0] for r in m._dispute_rows if r[0] in candidates)


def test_first_disputes_make_room_for_the_expected_repeats():
    # Repeats on, keep_total_rate: first disputes arise at 600 x (1 - 0.4) = 360 a year per
    # 1,000 (1,000 residents, 30 days: lam = 0.36 x 1,000 x 30 / 365 = 29.6); the repeats
    # (a mean 3,650 days after their parent) are the other rows
    sets = ["disputes.rate_per_1000_year=600", "days=30", "households.repeat=true",
            "households.repeat_expected=0.4", "households.repeat_decay_days=3650"]
    m = _model(sets)
    lam = 0.6 * (1 - 0.4) * 1000 * 30 / 365
    assert _from_uniforms(m, lam) == _first_times(m, lam) and len(_first_times(m, lam)) > 10
    # the total rate not kept: all 600 a year are first disputes, and repeats come on top
    m = _model([*sets, "households.keep_total_rate=false"])
    lam = 0.6 * 1000 * 30 / 365
    assert _from_uniforms(m, lam) == _first_times(m, lam)
    # no repeats: the rate is all first disputes, whatever keep_total_rate says
    m = _model([*sets[:2], "households.repeat=false", "households.keep_total_rate=true"])
    assert [r[0] for r in m._dispute_rows] == _first_times(m, lam)


def test_repeat_disputes_re_derived_from_the_household_streams():
    # Repeats on (0.5 expected, mean delay 3 days), a 30-day run, total rate not kept. The
    # household_repeats stream gives each generation's Poisson counts, then each parent's
    # delays in turn; a repeat copies its parent's township, village, kind, tension, parties
    # and flag, and takes its clocks from the repeat_clocks stream, in the cascade's order.
    sets = ["disputes.rate_per_1000_year=500", "days=30", "households.repeat=true",
            "households.repeat_expected=0.5", "households.repeat_decay_days=3",
            "households.keep_total_rate=false"]
    m = _model(sets)
    horizon = 30 * 1440.0
    rows = m._dispute_rows
    first_times = set(_first_times(m, 0.5 * 1000 * 30 / 365))
    firsts = sorted((r for r in rows if r[0] in first_times), key=lambda r: r[0])
    assert len(firsts) == len(first_times)
    g = _fresh(m.root_seed, "household_repeats", 0)
    generation, reps = [r[:7] for r in firsts], []
    while generation:
        counts = g.poisson(0.5, len(generation)).tolist()
        nxt = [(p[0] + dly, *p[1:]) for p, k in zip(generation, counts, strict=True)
               for dly in g.exponential(3 * 1440.0, k).tolist() if p[0] + dly < horizon]
        reps += nxt
        generation = nxt
    flare = _fresh(m.root_seed, "repeat_clocks", 0).standard_exponential(len(reps)) * \
        m.params.disputes.flare_mean_days * 1440.0
    assert len(reps) >= 5 and len(rows) == len(firsts) + len(reps)
    expected = sorted(((*r, f) for r, f in zip(reps, flare.tolist(), strict=True)),
                      key=lambda x: x[0])
    got = sorted(((*r[:7], r[7].flare) for r in rows if r[:7] not in
                  {f[:7] for f in firsts}), key=lambda x: x[0])
    assert [g[:7] for g in got] == [e[:7] for e in expected]
    assert [g[7] for g in got] == pytest.approx([e[7] for e in expected], rel=1e-12)
    assert all(len(r) == 9 for r in rows)


# ---------------------------------------------------------------- clocks by inversion
@pytest.mark.parametrize("delay_mean", [0.0, 40.0])
def test_clocks_from_uniforms_by_hand(delay_mean):
    # u = 1 - exp(-x) inverts to a unit exponential x: flare x = 1 (3 days = 4,320 min),
    # escalate x = 4 with Weibull shape 0.5: 4 ** 2 = 16 x 40 days = 921,600 min, subside
    # x = 0.5 (25 days = 36,000), auxiliary x = 3 (18 days = 25,920), alert x = 0.25
    # (0.625 days = 900), report delay x = 2 (80 min, or 0 when its mean is 0), acute x = 1.5
    # (37.5 min); the yes/no uniforms pass through.
    sets = [*_clock_sets(), "disputes.escalate_shape=0.5",
            f"disputes.report_delay_mean_min={delay_mean}"]
    m = _model(sets)
    x = [1.0, 4.0, 0.5, 3.0, 0.25, 2.0, None, 1.5, None, None]
    u = [0.3 if v is None else -math.expm1(-v) for v in x]
    u[8], u[9] = 0.6, 0.9
    c = m.clocks_from_uniforms(u)
    assert c.flare == pytest.approx(4320.0)
    assert c.escalate == pytest.approx(921600.0)
    assert c.subside == pytest.approx(36000.0)
    assert c.auxiliary == pytest.approx(25920.0)
    assert c.alert == pytest.approx(900.0)
    assert c.report_delay == pytest.approx(2 * delay_mean)
    assert (c.violent_u, c.fight_report_u, c.injury_u) == (0.3, 0.6, 0.9)
    assert c.acute == pytest.approx(37.5)


# ---------------------------------------------------------------- piecewise rates
def test_piecewise_rate_integral_and_inverse_by_hand():
    # weights 0, 2, 1 in hourly bins: cumulative 0 at 0 and 60, 120 at 120, 180 at 180, then
    # 1 a minute beyond the last bin
    r = PiecewiseRate(np.array([0.0, 2.0, 1.0]))
    assert r.end == 180.0 and r.edges.tolist() == [0.0, 0.0, 120.0, 180.0]
    ts = [-5.0, 30.0, 60.0, 90.0, 150.0, 180.0, 200.0]
    assert r.integral(np.array(ts)).tolist() == [0.0, 0.0, 0.0, 60.0, 150.0, 180.0, 200.0]
    assert r.integral(90.0) == 60.0 and isinstance(r.integral(90.0), float)
    # inverse: the earliest time the cumulative rate reaches m (the empty first hour skipped)
    ms = [0.0, 60.0, 120.0, 150.0, 180.0, 200.0]
    assert r.inverse(np.array(ms)).tolist() == [0.0, 90.0, 120.0, 150.0, 180.0, 200.0]
    assert r.inverse(60.0) == 90.0 and isinstance(r.inverse(60.0), float)
    # 60 profile minutes after 30 (cumulative 0): cumulative 60 is reached at 90
    assert r.after(30.0, 60.0) == 60.0
    assert r.after(150.0, 40.0) == pytest.approx(40.0)  # rate 1 from 120 on


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


# ---------------------------------------------------------------- calls drawn up front
def _call_rows_by_hand(seed: int, pops: list[int], rates: dict[str, float], days: float,
                       mean: float, other_per_hour: float = 0.0, *, demand=None):
    """The call_arrivals stream of township 0, drawn in the documented order: per kind
    (traffic, theft, public order, assault) the Poisson count at rate x residents / 1,000 x
    days / 365, the uniform times on [0, horizon), the villages by population, exponential
    times on scene; then the township-wide stream at ``other_per_hour``."""
    g = _fresh(seed, "call_arrivals", 0)
    horizon, p = days * 1440.0, np.array(pops) / sum(pops)
    factor, shape = (1.0, (lambda t: t)) if demand is None else demand
    rows = []
    for kind in ("traffic", "theft", "public_order", "assault"):
        n = int(g.poisson(rates[kind] * sum(pops) / 1000 * days / 365 * factor))
        times = shape(g.uniform(0.0, horizon, n))
        village = g.choice(len(pops), size=n, p=p)
        rows += zip(times.tolist(), village.tolist(), [kind] * n,
                    g.exponential(mean, n).tolist(), strict=True)
    if other_per_hour > 0:
        n = int(g.poisson(other_per_hour * horizon / 60.0 * factor))
        times = shape(g.uniform(0.0, horizon, n))
        village = g.choice(len(pops), size=n, p=p)
        rows += zip(times.tolist(), village.tolist(), ["public_order"] * n,
                    g.exponential(mean, n).tolist(), strict=True)
    return sorted(rows, key=lambda r: (r[0], r[1]))


def test_calls_re_derived_from_the_call_arrivals_stream():
    # populations 500 and 1,500; 20 days; rates 40, 30, 60, 20 a year per 1,000 and 0.05 extra
    # public-order calls an hour: 4.4 + 3.3 + 6.6 + 2.2 + 24 = 40 calls expected
    rates = {"traffic": 40.0, "theft": 30.0, "public_order": 60.0, "assault": 20.0}
    sets = ["days=20", *(f"calls.{k}_per_1000_year={v}" for k, v in rates.items()),
            "calls.other_per_hour=0.05", "calls.on_scene_mean_min=35",
            "calls.on_scene_distribution=exponential"]
    m = _model(sets, layouts=[_with_population(line_layout([5.0, 8.0]), [500, 1500])])
    want = _call_rows_by_hand(m.root_seed, [500, 1500], rates, 20, 35.0, 0.05)
    got = [(r[0], r[2], r[3].value, r[4]) for r in m._call_rows]
    assert len(got) == len(want) and len(got) > 20
    assert {r[1] for r in m._call_rows} == {0}
    assert [g[:3] for g in got] == [w[:3] for w in want]
    assert [g[3] for g in got] == pytest.approx([w[3] for w in want], rel=1e-12)
    assert {w[2] for w in want} == {"traffic", "theft", "public_order", "assault"}
    # the first call arrives and is recorded at its time
    m.run_until(got[0][0] + 1e-9)
    assert m.records.calls[0]["t_call"] == got[0][0]
    assert (m.records.calls[0]["village"], m.records.calls[0]["kind"]) == got[0][1:3]
    assert m._next_call == 1


def test_calls_with_a_flat_rhythm_are_the_uniform_calls():
    # rhythm on with flat hour and weekday profiles: the demand mass is the horizon, the
    # volume factor 1, and times map to themselves (to rounding)
    rates = {"traffic": 40.0, "theft": 30.0, "public_order": 60.0, "assault": 20.0}
    sets = ["days=20", *(f"calls.{k}_per_1000_year={v}" for k, v in rates.items()),
            "calls.on_scene_distribution=exponential", "rhythm.enabled=true",
            f"rhythm.hour_profile={list(FLAT_DAY)}", f"rhythm.weekday_profile={list(FLAT_WEEK)}"]
    m = _model(sets)
    want = _call_rows_by_hand(m.root_seed, [1000], rates, 20, 45.0)
    got = [(r[0], r[2], r[3].value) for r in m._call_rows]
    assert [g[1:] for g in got] == [w[1:3] for w in want]
    np.testing.assert_allclose([g[0] for g in got], [w[0] for w in want], atol=1e-6)


def test_calls_follow_a_half_day_demand_profile():
    # all demand after noon (hours 12..23 weight 2): the volume factor stays 1 (a day carries
    # the same mass) and a uniform time u maps to 720 + (u mod 1,440) / 2 of its day
    rates = {"traffic": 40.0, "theft": 30.0, "public_order": 60.0, "assault": 20.0}
    sets = ["days=20", *(f"calls.{k}_per_1000_year={v}" for k, v in rates.items()),
            "calls.on_scene_distribution=exponential", "rhythm.enabled=true",
            f"rhythm.hour_profile={[0.0] * 12 + [1.0] * 12}",
            f"rhythm.weekday_profile={list(FLAT_WEEK)}"]
    m = _model(sets)

    def afternoon(t):
        return np.floor(t / 1440.0) * 1440.0 + 720.0 + (t % 1440.0) / 2.0

    want = _call_rows_by_hand(m.root_seed, [1000], rates, 20, 45.0, demand=(1.0, afternoon))
    got = [(r[0], r[3].value) for r in m._call_rows]
    assert [g[1] for g in got] == [w[2] for w in want]
    np.testing.assert_allclose([g[0] for g in got], [w[0] for w in want], atol=1e-6)
    assert all(t % 1440.0 >= 720.0 - 1e-9 for t, _ in got)


# ---------------------------------------------------------------- start_job, job by job
def _latent_dispute(*sets):
    """A model at 1 min with one latent dispute (village 0, 10 km) and its station officer."""
    m = _model(["mediation.on_scene_mean_min=50", "calls.on_scene_distribution=exponential",
                *sets], disputes=[ExtraDispute(0.0, 0, _clocks())])
    m.run_until(1.0)
    (d,) = m.disputes_by_id.values()
    return m, d, m.responders()[0]


def _job(m, kind, d, service=45.0, urgency=Urgency.CALL):
    return Job(kind, 0, urgency, m.now, 0, d, None, service, m.townships[0].cluster_of[0])


def test_a_follow_up_visit_mediates_an_unsettled_dispute_again():
    # the dispute is latent: the visit mediates it, taking the mediation's time: mean 50 x
    # the unit exponential of its addressed on-scene uniform for intervention 1
    m, d, officer = _latent_dispute()
    job = _job(m, JobKind.FOLLOWUP, d)
    minutes = m.start_job(officer, job)
    e = -math.log1p(-dispute_uniform(d.key, ON_SCENE, 1))
    assert minutes == pytest.approx(50.0 * e)
    assert job.channel is Channel.FOLLOWUP and d.first_channel is Channel.FOLLOWUP
    assert (d.interventions, d.t_first_contact) == (1, 1.0)


def test_a_follow_up_visit_answers_a_call_nobody_was_sent_to_yet():
    # a dispute call waits in the queue (nobody sent) when the follow-up visit arrives at 1:
    # the visiting officer answers it in person, on the spot
    m, d, officer = _latent_dispute()
    m.dispatchers[0].submit = lambda job: None  # the call stays unassigned
    call = m.new_call(CallKind.DISPUTE, 0, 0, dispute=d)
    d.job = call
    m.start_job(officer, _job(m, JobKind.FOLLOWUP, d))
    rec = call.record
    assert call.cancelled and rec["responder_id"] == officer.unique_id
    assert (rec["t_dispatch"], rec["t_arrive"], rec["travel_min"]) == (1.0, 1.0, 0.0)


def test_a_follow_up_visit_to_a_settled_or_referred_dispute_is_only_a_visit():
    m, d, officer = _latent_dispute()
    d.state = DisputeState.REFERRED  # waiting for its joint session: the visit leaves it
    job = _job(m, JobKind.FOLLOWUP, d, service=45.0)
    assert m.start_job(officer, job) == 45.0 and job.channel is None
    assert d.interventions == 0 and d.t_first_contact is None
    d.state = DisputeState.RESOLVED
    job = _job(m, JobKind.FOLLOWUP, d, service=30.0)
    assert m.start_job(officer, job) == 30.0 and job.channel is None


def test_a_dispute_call_arriving_at_a_settled_dispute_takes_no_time():
    m, d, officer = _latent_dispute()
    d.state = DisputeState.RESOLVED
    job = _job(m, JobKind.DISPUTE_CALL, d)
    job.channel = Channel.CALL
    assert m.start_job(officer, job) == 0.0 and job.channel is None
    # still to be mediated: the call's channel, the mediation's minutes (at a booked time)
    d.state = DisputeState.LATENT
    job = _job(m, JobKind.DISPUTE_CALL, d)
    e = -math.log1p(-dispute_uniform(d.key, ON_SCENE, 1))
    assert m.start_job(officer, job, at=5.0) == pytest.approx(50.0 * e)
    assert job.channel is Channel.CALL and d.first_channel is Channel.CALL


def test_an_officer_attendance_job_takes_its_fixed_time_and_marks_the_call_once():
    m, _, officer = _latent_dispute()
    rec = m.records.new_call(1.0, 0, 0, "theft", -1, 10.0, 12.0, True)
    job = Job(JobKind.OFFICER_ATTENDANCE, 0, Urgency.CALL, 1.0, 0, None, None, 25.0, 0)
    job.follows = rec
    assert m.start_job(officer, job, at=20.0) == 25.0 and rec.t_officer_arrive == 20.0
    assert rec.t_arrive is None  # the attendance job has no record of its own
    job2 = Job(JobKind.OFFICER_ATTENDANCE, 0, Urgency.CALL, 1.0, 0, None, None, 15.0, 0)
    job2.follows = rec
    assert m.start_job(officer, job2, at=30.0) == 15.0 and rec.t_officer_arrive == 20.0


def test_a_reported_fight_takes_the_fight_route_draws_whatever_the_report_odds():
    # a latent fight at 100 min (fight_report_u = 0: reported) with prob_near = 0: the fight
    # is reported anyway; its delay is 11 x the unit exponential of (FIGHT_ROUTE, fight 1, 2)
    m, dispute = _flare_report(["reporting.prob_near=0", "disputes.fight_report_prob=0.5"],
                               clocks=_clocks(escalate=100.0))
    _called_in_by_110_after(m, -math.log1p(-dispute_uniform(dispute.key, FIGHT_ROUTE, 1, 2)),
                            "fight")


def test_presence_is_measured_only_for_simulated_townships():
    # township 1 only: township 0 has no distances; township 1's villages at 3 and 7 km
    m = _model(["reporting.enabled=true"], layouts=[line_layout([10.0]),
                                                    line_layout([3.0, 7.0])], townships=[1])
    assert m.reporting.presence_km[0] is None
    assert m.reporting.presence_km[1].tolist() == [3.0, 7.0]


# ---------------------------------------------------------------- jobs the model submits
def _spied(*sets, distances=(10.0, 4.0), clusters=(0, 1)):
    """A quiet model whose dispatcher records the jobs submitted to it (and queues none)."""
    m = _model(list(sets), layouts=[line_layout(list(distances), clusters=list(clusters))])
    jobs = []
    m.dispatchers[0].submit = jobs.append
    return m, jobs


def _fields(job):
    return (job.kind, job.place, job.urgency, job.created, job.township, job.service_min,
            job.cluster)


def test_a_criminal_case_is_cut_into_casework_blocks_at_the_station():
    # 10 hours of casework in blocks of 4 hours: 240, 240 and 120 minutes, at the station
    # (place 2 after the two villages), cluster of the station
    m, jobs = _spied("calls.casework_hours=10", "calls.casework_chunk_hours=4")
    m._open_case(0)
    st = m.townships[0].station
    assert st == 2 and m.records.cases == [{"t": 0.0, "township": 0}]
    cl = m.townships[0].cluster_of[st]
    assert [_fields(j) for j in jobs] == [
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 240.0, cl),
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 240.0, cl),
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 120.0, cl)]
    m2, jobs2 = _spied("calls.casework_hours=8", "calls.casework_chunk_hours=4")
    m2._open_case(0)
    assert [j.service_min for j in jobs2] == [240.0, 240.0]  # exactly two blocks
    m3, jobs3 = _spied("calls.casework_hours=0")
    m3._open_case(0)
    assert jobs3 == [] and len(m3.records.cases) == 1  # a case, no casework


def test_an_injury_crime_outside_a_dispute_is_recorded_without_a_case():
    m, jobs = _spied()
    m.record_injury(0, 1, None)
    assert m.records.injuries == [{"t": 0.0, "township": 0, "village": 1, "dispute_id": -1,
                                   "from_dispute": False}]
    assert m.records.cases == [] and jobs == []


def test_a_new_call_is_recorded_and_dispatched_with_its_urgency():
    # village 1 is 4 km away (6 min with the turnout), its own cluster 1
    m, jobs = _spied("dispatch.officer_required_kinds=[\"traffic\"]")
    job = m.new_call(CallKind.TRAFFIC, 0, 1, service_min=33.0)
    (rec,) = m.records.calls
    assert jobs == [job] and job.record is rec and job.dispute is None
    assert _fields(job) == (JobKind.OTHER_CALL, 1, Urgency.EMERGENCY, 0.0, 0, 33.0, 1)
    assert (rec["kind"], rec["village"], rec["dispute_id"], rec["station_km"],
            rec["station_travel_min"], rec["officer_required"]) == (
        "traffic", 1, -1, 4.0, 6.0, True)
    job = m.new_call(CallKind.THEFT, 0, 0, service_min=20.0)
    assert _fields(job) == (JobKind.OTHER_CALL, 0, Urgency.CALL, 0.0, 0, 20.0, 0)
    assert m.records.calls[1]["officer_required"] is False
    assert m.records.calls[1]["station_km"] == 10.0
    assert m.new_call(CallKind.PUBLIC_ORDER, 0, 0).service_min == 0.0  # none given: 0


def test_screening_and_elderly_visits_are_not_doubled_while_one_waits():
    m, jobs = _spied("screening.visit_min=80", "community_work.elderly_visit_min=25")
    m.request_screening(0, 1)
    m.request_screening(0, 1)  # the first still waits: missed, no second job
    m.request_elderly_visit(0, 1)  # an elderly visit waits beside it
    m.request_elderly_visit(0, 1)  # not doubled, not counted as missed
    m.request_screening(0, 0)  # another village: its own visit
    assert [_fields(j) for j in jobs] == [
        (JobKind.SCREENING, 1, Urgency.SCREENING, 0.0, 0, 80.0, 1),
        (JobKind.ELDERLY_VISIT, 1, Urgency.SCREENING, 0.0, 0, 25.0, 1),
        (JobKind.SCREENING, 0, Urgency.SCREENING, 0.0, 0, 80.0, 0)]
    assert m.records.missed_visits == 1
    jobs[0].responder = object()  # taken: the next request is a new visit
    jobs[1].cancelled = True  # cancelled: likewise
    m.request_screening(0, 1)
    m.request_elderly_visit(0, 1)
    assert [j.kind for j in jobs[3:]] == [JobKind.SCREENING, JobKind.ELDERLY_VISIT]
    assert m.records.missed_visits == 1


@pytest.mark.parametrize(("sets", "due"), [
    # two villages every 2 days: one every 1,440 min from 1,440, villages 0, 1, 0, ...
    (("reform.dedicated_community_officers=true", "staff.community_officers=1"),
     [(1440.0, 0, 0), (2880.0, 0, 1), (4320.0, 0, 0)]),
    (("reform.dedicated_community_officers=true", "staff.community_officers=1",
      "community_work.elderly_visits=false"), []),  # visits switched off
    (("reform.dedicated_community_officers=true", "staff.community_officers=0"), []),  # nobody
    (("reform.dedicated_community_officers=false", "staff.community_officers=1"), []),  # rostered
])
def test_elderly_rounds_need_dedicated_community_officers_and_the_visits_on(sets, due):
    m = _model([*sets, "days=4", "community_work.elderly_interval_days=2"],
               layouts=[line_layout([10.0, 4.0])])
    seen = []
    m.request_elderly_visit = lambda t, v: seen.append((m.now, t, v))
    m.run_until(5000.0)
    assert seen == due


def test_a_follow_up_visit_is_due_at_the_dispute_household():
    m, jobs = _spied("community_work.followup_visit_min=40")
    d = SimpleNamespace(village=1, township=0)
    m.request_followup(d)
    (job,) = jobs
    assert _fields(job) == (JobKind.FOLLOWUP, 1, Urgency.SCREENING, 0.0, 0, 40.0, 1)
    assert job.dispute is d


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


# ---------------------------------------------------------------- visits
def _latent_village(*sets, n=4):
    """At 1 min: ``n`` latent disputes in village 0 (the last one's party elderly, alone)."""
    ds = [ExtraDispute(0.0, 0, _clocks(), elderly_alone=(i == n - 1)) for i in range(n)]
    m = _model(["mediation.on_scene_mean_min=50", "calls.on_scene_distribution=exponential",
                "screening.visit_min=80", "community_work.elderly_visit_min=25", *sets],
               disputes=ds)
    m.run_until(1.0)
    return m, list(m.disputes_by_id.values()), m.responders()[0]


def _mediation_min(d, k=1):
    return -50.0 * math.log1p(-dispute_uniform(d.key, ON_SCENE, k))


def test_a_screening_visit_finds_each_latent_dispute_by_its_own_draw():
    # detect_prob 0.5: dispute i is found when its (DETECTION, visit 1) uniform is under 0.5;
    # the visit takes 80 min plus a mediation of each dispute found
    m, ds, officer = _latent_village("screening.detect_prob=0.5", n=12)
    job = _job(m, JobKind.SCREENING, None, service=80.0, urgency=Urgency.SCREENING)
    minutes = m.start_job(officer, job)
    found = [d for d in ds if dispute_uniform(d.key, DETECTION, 1) < 0.5]
    assert 0 < len(found) < len(ds)
    assert job.found == found and job.channel is Channel.SCREENING
    assert minutes == pytest.approx(80.0 + sum(_mediation_min(d) for d in found))
    assert [d.screenings for d in ds] == [1] * len(ds)
    assert m.records.visits == [{"t": 1.0, "township": 0, "village": 0,
                                 "responder_id": officer.unique_id, "found": len(found)}]
    assert all(d.first_channel is Channel.SCREENING for d in found)


def test_a_detection_uniform_equal_to_the_probability_does_not_find_the_dispute():
    # "found with probability p" is u < p for a uniform u on [0, 1): set detect_prob to
    # exactly the first dispute's (DETECTION, visit 1) uniform, which then is not under it
    m, ds, _ = _latent_village("screening.detect_prob=0.5", n=1)
    u = dispute_uniform(ds[0].key, DETECTION, 1)
    m, ds, officer = _latent_village(f"screening.detect_prob={u!r}", n=1)
    assert m.params.screening.detect_prob == u
    job = _job(m, JobKind.SCREENING, None, service=80.0, urgency=Urgency.SCREENING)
    assert m.start_job(officer, job) == 80.0 and job.found == []


def test_a_second_screening_visit_draws_the_next_detection_uniform():
    m, ds, officer = _latent_village("screening.detect_prob=0", n=3)
    for _ in range(2):  # nothing found (p = 0): each visit counts as one more met latent
        job = _job(m, JobKind.SCREENING, None, service=80.0, urgency=Urgency.SCREENING)
        assert m.start_job(officer, job) == 80.0 and job.found == []
    assert [d.screenings for d in ds] == [2, 2, 2]
    assert [v["found"] for v in m.records.visits] == [0, 0]


def test_an_elderly_visit_looks_only_at_the_elderly_alones_disputes():
    # four latent disputes, the last one's party elderly and alone; detection certain: only
    # that one is found, 25 min + its mediation; no screening-visit row
    m, ds, officer = _latent_village("community_work.elderly_detect_prob=1",
                                     "screening.detect_prob=0")
    job = _job(m, JobKind.ELDERLY_VISIT, None, service=25.0, urgency=Urgency.SCREENING)
    minutes = m.start_job(officer, job)
    assert job.found == [ds[-1]] and job.channel is Channel.ELDERLY_VISIT
    assert minutes == pytest.approx(25.0 + _mediation_min(ds[-1]))
    assert [d.screenings for d in ds] == [0, 0, 0, 1] and m.records.visits == []


def test_a_risk_targeted_screening_visit_resets_the_villages_known_disputes():
    m, _, officer = _latent_village("screening.targeting=risk", "screening.detect_prob=0")
    m.risk.known_dispute(0, 0, 0.0)
    job = _job(m, JobKind.SCREENING, None, service=80.0, urgency=Urgency.SCREENING)
    m.start_job(officer, job)
    assert m.risk._visited == {(0, 0): 1.0} and m.risk._known == {}
    m.start_job(officer, _job(m, JobKind.ELDERLY_VISIT, None, 25.0, Urgency.SCREENING))
    assert m.risk._visited == {(0, 0): 1.0}  # an elderly visit is no screening


# ---------------------------------------------------------------- calls arriving and clearing
def test_an_assault_call_records_an_injury_crime_and_opens_a_case_when_cleared():
    # assault at 50 in village 0 (10 km): injury row at 50; cleared at 50 + 12 + 30 = 92,
    # when the case opens; a public-order call at 300 opens none
    calls = [ExtraCall(50.0, 0, CallKind.ASSAULT, 30.0),
             ExtraCall(1300.0, 0, CallKind.PUBLIC_ORDER, 30.0)]
    m = PolicingModel(scenario(*BASE, "calls.casework_hours=0"), layouts=[line_layout([10.0])],
                      extra_calls=calls, keep_arrivals=False)
    rec = m.simulate()
    assert rec.injuries == [{"t": 50.0, "township": 0, "village": 0, "dispute_id": -1,
                             "from_dispute": False}]
    assert rec.cases == [{"t": 92.0, "township": 0}]
    assert [c["t_clear"] for c in rec.calls] == [92.0, 1342.0]
    assert m._call_rows == [None, None]  # dropped as they arrived


def test_an_injury_in_a_dispute_marks_its_call_criminal_and_opens_a_case():
    m, jobs = _spied("calls.casework_hours=4", "calls.casework_chunk_hours=4")
    rec = m.records.new_call(0.0, 0, 1, "fight", 7, 4.0, 6.0)
    d = SimpleNamespace(index=7, job=SimpleNamespace(record=rec))
    m.record_injury(0, 1, d)
    assert m.records.injuries == [{"t": 0.0, "township": 0, "village": 1, "dispute_id": 7,
                                   "from_dispute": True}]
    assert rec["criminal"] is True and m.records.cases == [{"t": 0.0, "township": 0}]
    assert [(j.kind, j.service_min) for j in jobs] == [(JobKind.CASEWORK, 240.0)]


def test_arriving_disputes_involve_their_parties_and_are_numbered_in_time_order():
    m = _model(["disputes.rate_per_1000_year=300", "days=20"])
    rows = list(m._dispute_rows)
    m.run_until(m.horizon)
    pop = m.populations[0]
    assert len(rows) > 5 and m._next_dispute == len(rows)
    for i, r in enumerate(rows):
        for p in r[5]:
            assert i in pop.disputes_of(p)
    assert sorted(d["dispute_id"] for d in m.finalize().disputes) == list(range(len(rows)))


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


def test_injected_calls_at_one_time_are_ordered_by_township_then_village():
    two = [line_layout([10.0, 20.0]), line_layout([10.0, 20.0]), line_layout([5.0])]
    calls = [ExtraCall(50.0, 1, CallKind.THEFT, 10.0, township=0),
             ExtraCall(50.0, 0, CallKind.TRAFFIC, 20.0, township=1),
             ExtraCall(50.0, 0, CallKind.ASSAULT, 30.0, township=0),
             ExtraCall(40.0, 0, CallKind.PUBLIC_ORDER, 40.0, township=2),  # not simulated
             ExtraCall(60.0, 1, CallKind.PUBLIC_ORDER, 50.0, township=1)]
    m = PolicingModel(scenario(*BASE), layouts=two, extra_calls=calls, townships=[0, 1])
    assert m._call_rows == [(50.0, 0, 0, CallKind.ASSAULT, 30.0),
                            (50.0, 0, 1, CallKind.THEFT, 10.0),
                            (50.0, 1, 0, CallKind.TRAFFIC, 20.0),
                            (60.0, 1, 1, CallKind.PUBLIC_ORDER, 50.0)]
    m.run_until(55.0)
    assert [(c["township"], c["village"], c["kind"]) for c in m.records.calls] == [
        (0, 0, "assault"), (0, 1, "theft"), (1, 0, "traffic")]


def test_police_presence_is_the_nearest_base_of_any_responder_or_the_station():
    # villages on a line at 10, 20 and 30 km from the station; the center office of the one
    # cluster sits in the middle village (20 km), staffed by a district chief and two
    # auxiliaries who live nowhere in the villages (home -1): the nearest police presence is
    # 10, 0 and 10 km away (the station would be 10, 20, 30)
    m = PolicingModel(scenario(*BASE, "reform.center_offices=true", "staff.auxiliaries=2",
                               "reporting.enabled=true"),
                      layouts=[line_layout([10.0, 20.0, 30.0])])
    assert m.townships[0].center_village.tolist() == [1]
    assert m.reporting.presence_km[0].tolist() == [10.0, 0.0, 10.0]
