"""The model's draws re-derived by hand: seasons, clocks, arrivals, calls (issue 20).

Each expected value is worked out in the comment beside it, or re-derived by an independent
method (the same generator drawn in the documented order, a run with the mechanism off), never
by the code under test. Split from test_model_by_hand.py (round 6 survivors and after).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import by_hand_model as _model
from conftest import clocks as _clocks
from conftest import line_layout, scenario

from sim.scenario import DISPUTE_KINDS
from sim.world.disputes import DisputeKind
from sim.world.model import ExtraDispute
from sim.world.rhythm import DAY_MIN, PiecewiseRate, Rhythm
from sim.world.streams import (
    RandomStreams,
    replication_seed,
)

FLAT_DAY = tuple([1.0] * 24)
FLAT_WEEK = tuple([1.0] * 7)
LAND = DISPUTE_KINDS.index("land")
FAMILY = DISPUTE_KINDS.index("family")
ELDER = DISPUTE_KINDS.index("elder_support")


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
