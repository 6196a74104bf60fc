"""The issue-15 mechanisms: each switch off gives today's model; each rule, checked by hand.

Expected values are computed here by hand (exact times) or analytically (rates, means),
never by the code under test.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import QUIET, line_layout, scenario
from conftest import clocks as _clocks
from scipy import integrate

from sim.experiments.run import run_once
from sim.scenario import load_scenario
from sim.world.acute import escalate_after, injury_rate
from sim.world.disputes import DisputeKind, DisputeState
from sim.world.model import ExtraDispute, PolicingModel
from sim.world.rhythm import DAY_MIN

ROOT = Path(__file__).resolve().parents[1]
ALL_OFF = ["rhythm.enabled=false", "reporting.enabled=false", "households.repeat=false",
           "acute.age_hazard=false", "acute.quarrel_clocks=false", "acute.fight_duration=false",
           "screening.targeting=round_robin"]
BASE = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
        "travel.turnout_min=2", "travel.local_trip_min=5", "staff.station_officers=1",
        "staff.community_officers=0", "staff.auxiliaries=0", "shifts.duty_groups=1",
        "warmup_days=0", "days=3"]


def _model(sets, disputes=(), distances=(10.0,), **top):
    return PolicingModel(scenario(*BASE, *sets, **top), layouts=[line_layout(list(distances))],
                         extra_disputes=disputes)


# ---------------------------------------------------------------- all off = today's model
def test_every_mechanism_off_reproduces_todays_golden_values():
    golden = json.loads((ROOT / "tests" / "golden.json").read_text())
    for name in ("station_centred", "center_office"):  # the settings of tests/test_golden.py
        scn = load_scenario(ROOT / "scenarios" / f"{name}.toml",
                            ["days=70", "warmup_days=20", "follow_up_days=30", *ALL_OFF])
        m = run_once(scn, replication=0, seed=20211001).metrics
        for k, v in golden[name].items():
            same = (m[k] is None or math.isnan(m[k])) if v is None else math.isclose(
                m[k], v, rel_tol=1e-12, abs_tol=1e-12)
            assert same, (name, k, m[k], v)


def test_shipped_default_scenarios_have_every_mechanism_off():
    for name in ("station_centred", "center_office"):
        s = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        assert not (s.rhythm.enabled or s.reporting.enabled or s.households.repeat or
                    s.acute.age_hazard or s.acute.quarrel_clocks or s.acute.fight_duration)
        on = load_scenario(ROOT / "scenarios" / f"{name}_mechanisms.toml")
        assert on.rhythm.enabled and on.reporting.enabled and on.households.repeat
        assert on.acute.age_hazard and on.acute.quarrel_clocks and on.acute.fight_duration


# ---------------------------------------------------------------- rhythm
def test_flare_under_an_evening_peak_profile_is_called_in_at_20h():
    # All the day's weight in the hour 20:00-21:00 (24 x the mean there, 0 elsewhere): a flare
    # clock of 30 profile-minutes started at 00:00 fires at 20:00 + 30/24 min; the call follows
    # 5 minutes later. Without the profile it would come at 35 min.
    hours = [0.0] * 24
    hours[20] = 1.0
    d = ExtraDispute(0.0, 0, _clocks(flare=30.0, report_delay=5.0))
    m = _model([], disputes=[d], rhythm={"enabled": True, "hour_profile": hours,
                                          "weekday_profile": [1.0] * 7})
    rec = m.simulate()
    assert [c["t_call"] for c in rec.calls] == [20 * 60 + 30 / 24 + 5]
    m0 = _model([], disputes=[d])
    assert [c["t_call"] for c in m0.simulate().calls] == [35.0]


def test_calls_follow_the_hour_profile():
    # Only hours 18-19 carry weight: every call of a 20-day run falls in them.
    hours = [0.0] * 24
    hours[18] = hours[19] = 1.0
    s = scenario(*BASE, "days=20", "calls.public_order_per_1000_year=5000",
                 rhythm={"enabled": True, "hour_profile": hours})
    m = PolicingModel(s, layouts=[line_layout([10.0])])
    t = np.array([r[0] for r in m._call_rows])
    assert len(t) > 100
    assert set(((t % DAY_MIN) // 60).astype(int).tolist()) <= {18, 19}


def test_spring_festival_multiplies_family_disputes_by_the_set_factor():
    factor, start, length = 2.0, 25.0, 15.0
    s = scenario(*BASE, "days=1460", "follow_up_days=0", "disputes.rate_per_1000_year=400",
                 rhythm={"enabled": True, "spring_festival_multiplier": factor,
                         "spring_festival_start_day": start, "spring_festival_days": length,
                         "harvest_multiplier": 1.0})
    m = PolicingModel(s, layouts=[line_layout([10.0], population=5000)])
    day = np.array([r[0] for r in m._dispute_rows]) / DAY_MIN
    kind = np.array([r[3].value for r in m._dispute_rows])
    inside = ((day % 365) >= start) & ((day % 365) < start + length)
    days_in = 4 * length
    days_out = 1460 - days_in
    for k, expected in (("family", factor), ("elder_support", factor), ("neighbour", 1.0)):
        n_in, n_out = int((inside & (kind == k)).sum()), int((~inside & (kind == k)).sum())
        ratio = (n_in / days_in) / (n_out / days_out)
        se = math.sqrt(1 / n_in + 1 / n_out)  # of the log ratio of two Poisson counts
        assert abs(math.log(ratio) - math.log(expected)) < 4 * se, (k, ratio, expected)


# Festival leave, hand-timed: one station officer (always on duty), one auxiliary living in
# village 0, 30 km out (duty there 08:00-16:00, on call at home otherwise, always answers). The
# Spring Festival window is day 1 alone (minutes 1440-2880), every auxiliary on leave in it.
LEAVE = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
         "travel.turnout_min=2", "travel.local_trip_min=5", "warmup_days=0", "days=3",
         "follow_up_days=0", "shifts.duty_groups=1", "calls.casework_hours=0",
         "staff.station_officers=1", "staff.community_officers=0", "staff.auxiliaries=1",
         "reform.village_auxiliaries=true", "duty.on_call_answer_prob=1"]
LEAVE_RHYTHM = {"enabled": True, "hour_profile": [1.0] * 24, "weekday_profile": [1.0] * 7,
                "spring_festival_start_day": 1.0, "spring_festival_days": 1.0,
                "spring_festival_leave_auxiliaries": 1.0,
                "spring_festival_leave_station_officers": 0.0}


def test_an_auxiliary_on_festival_leave_is_replaced_and_comes_back_after_the_window():
    from sim.experiments.metrics import resources, tables_from_records
    from sim.world.jobs import CallKind
    from sim.world.model import ExtraCall

    calls = [ExtraCall(t, 0, CallKind.PUBLIC_ORDER, 30.0) for t in (
        10 * 60.0, DAY_MIN + 10 * 60.0, DAY_MIN + 20 * 60.0, 2 * DAY_MIN + 10 * 60.0)]
    m = PolicingModel(scenario(*LEAVE, rhythm=LEAVE_RHYTHM), layouts=[line_layout([30.0])],
                      extra_calls=calls)
    rec = m.simulate()
    got = sorted((c["t_call"], c["responder_role"], c["t_arrive"]) for c in rec.calls)
    # before and after the window: the auxiliary on duty in the village, 2 + 5 min away; in
    # it: the station officer, the best free responder left (30 km at 60 km/h + 2 min), also
    # at 20:00 when the auxiliary would otherwise be phoned at home
    assert got == [(600.0, "auxiliary", 607.0),
                   (DAY_MIN + 600.0, "station_officer", DAY_MIN + 632.0),
                   (DAY_MIN + 1200.0, "station_officer", DAY_MIN + 1232.0),
                   (2 * DAY_MIN + 600.0, "auxiliary", 2 * DAY_MIN + 607.0)]
    res = resources(tables_from_records(rec))["village_auxiliary"]
    per_year = 365.0 / 3  # resources are per 365 days of the 3-day run
    assert res["on_duty_hours"] == pytest.approx((3 - 1) * 8 * per_year)  # 1 leave day x 8 h
    assert res["on_call_hours"] == pytest.approx((3 - 1) * 16 * per_year)  # not on call away


def test_without_leave_share_or_rhythm_the_auxiliary_keeps_its_hours():
    from sim.experiments.metrics import resources, tables_from_records

    for rhythm in ({**LEAVE_RHYTHM, "spring_festival_leave_auxiliaries": 0.0},
                   {**LEAVE_RHYTHM, "enabled": False}):
        m = PolicingModel(scenario(*LEAVE, rhythm=rhythm), layouts=[line_layout([30.0])])
        res = resources(tables_from_records(m.simulate()))["village_auxiliary"]
        assert res["on_duty_hours"] == pytest.approx(3 * 8 * 365.0 / 3)


def test_festival_leave_takes_round_share_of_each_category_the_same_in_both_models():
    # 12 station officers, 6 community officers, 36 auxiliaries; shares 0.2, 0.5, 0.2:
    # round(2.4) = 2, round(3) = 3, round(7.2) = 7 away, the same staffing indices under both
    # policies (common random numbers); a center-office turn never falls to one who is away
    rhythm = {"enabled": True, "spring_festival_start_day": 0.0, "spring_festival_days": 2.0,
              "spring_festival_leave_station_officers": 0.2,
              "spring_festival_leave_community_officers": 0.5,
              "spring_festival_leave_auxiliaries": 0.2}
    away = {}
    for policy in ("station_centred", "center_office"):
        m = PolicingModel(scenario(*QUIET, "days=1", "warmup_days=0", "follow_up_days=0",
                                   policy=policy, rhythm=rhythm))
        leave = m.policy.duty.leave
        staff = leave.members[0]
        away[policy] = {c: sorted(i for i, r in enumerate(staff[c]) if r in leave.away)
                        for c in staff}
        for r in leave.away:
            assert not r.on_duty and not r.on_call
            assert not (r.at_center and r.role.value == "auxiliary")  # no turn while away
        assert any(r.at_center and r.role.value == "auxiliary" for r in m.responders()) == (
            policy == "center_office")
    assert [len(v) for v in away["station_centred"].values()] == [2, 3, 7]
    assert away["station_centred"] == away["center_office"]


# ---------------------------------------------------------------- reporting
def test_a_far_village_reports_later_than_a_near_one():
    # Station-centred: the only police presence is the station, so a village's distance to it
    # is its road distance (10 and 40 km here; circuity 1). Mean delay = 6 + 0.5 km (familiarity
    # kept at 0): 11 min near, 26 min far.
    n = 300
    disputes = [ExtraDispute(i * 200.0, v, _clocks(flare=10.0, report_delay=0.0))
                for i in range(n) for v in (0, 1)]
    sets = ["days=60", "reporting.enabled=true", "reporting.prob_near=1",
            "reporting.familiarity_per_contact=0", "reporting.delay_near_min=6",
            "reporting.delay_per_km_min=0.5", "staff.station_officers=4",
            "mediation.success_station_officer=1"]  # one episode each
    m = _model(sets, disputes=disputes, distances=(10.0, 40.0))
    rec = m.simulate()
    by_id = {d.dispute_id: d for d in rec.disputes}
    for v, expected in ((0, 6 + 0.5 * 10), (1, 6 + 0.5 * 40)):
        delays = [c["t_call"] - (by_id[c["dispute_id"]]["t_start"] + 10.0)
                  for c in rec.calls if c["village"] == v]
        assert len(delays) == n
        assert abs(np.mean(delays) - expected) < 4 * expected / math.sqrt(n), (v, expected)


def test_reports_fall_with_distance_and_rise_with_familiarity():
    m = _model(["reporting.enabled=true", "reporting.prob_near=0.8",
                "reporting.odds_per_10km=0.5", "reporting.trust_odds=3"])
    ch = m.reporting
    assert math.isclose(ch.report_prob(0.0, 0.0), 0.8)
    assert math.isclose(ch.report_prob(20.0, 0.0), 4 * 0.25 / (1 + 4 * 0.25))  # odds 4 x 0.5^2
    assert math.isclose(ch.report_prob(0.0, 1.0), 12 / 13)  # odds 4 x 3
    ch.contact(0, 0, 0.0)
    half = m.params.reporting.familiarity_halflife_days * DAY_MIN
    assert math.isclose(ch.familiarity(0, 0, half), 0.15 / 2)


def test_a_resident_auxiliary_is_told_in_person_and_no_110_call_is_recorded():
    sets = ["reform.village_auxiliaries=true", "staff.auxiliaries=1", "reporting.enabled=true",
            "reporting.prob_near=1", "reporting.tell_auxiliary_prob=1"]
    d = ExtraDispute(0.0, 0, _clocks(flare=10.0))
    m = _model(sets, disputes=[d])
    rec = m.simulate()
    assert rec.calls == []
    (row,) = rec.disputes
    assert row["first_channel"] == "auxiliary" and row["interventions"] >= 1
    assert [r["route"] for r in rec.reports] == ["auxiliary"]


# ---------------------------------------------------------------- repeat households
def _first_and_gap(sets):
    s = scenario(*BASE, "days=3000", "disputes.rate_per_1000_year=400",
                 "residents.elderly_alone_share=0", "residents.household_size=3", *sets)
    m = PolicingModel(s, layouts=[line_layout([10.0], population=3000)])
    pop = m.populations[0]
    times: dict[int, list[float]] = {}
    for r in m._dispute_rows:
        times.setdefault(pop.describe(r[5][0])[1], []).append(r[0] / DAY_MIN)
    first = np.array([min(t) for t in times.values()])
    gaps = np.array([sorted(t)[1] - sorted(t)[0] for t in times.values() if len(t) > 1])
    return first, gaps


def test_a_households_second_dispute_comes_sooner_than_its_first():
    # 1000 households of 3 at 0.4 disputes/resident/year (as first party): 1.2 a year per
    # household, so over 3000 days nearly every household has two (little censoring).
    off_first, off_gap = _first_and_gap([])
    on_first, on_gap = _first_and_gap(["households.repeat=true", "households.repeat_expected=0.5",
                                       "households.repeat_decay_days=10"])
    se_off = math.hypot(off_first.std() / math.sqrt(len(off_first)),
                        off_gap.std() / math.sqrt(len(off_gap)))
    assert abs(off_gap.mean() - off_first.mean()) < 4 * se_off  # memoryless without repeats
    se_on = math.hypot(on_first.std() / math.sqrt(len(on_first)),
                       on_gap.std() / math.sqrt(len(on_gap)))
    assert on_gap.mean() < on_first.mean() - 4 * se_on


def test_repeats_keep_the_total_rate_and_number_as_expected():
    # First disputes at rate x (1 - m); a cascade with branching ratio m multiplies them by
    # 1 / (1 - m) in the long run: the total is the calibrated rate again.
    s = scenario(*BASE, "days=2000", "disputes.rate_per_1000_year=200",
                 "households.repeat=true", "households.repeat_expected=0.4",
                 "households.repeat_decay_days=5")
    m = PolicingModel(s, layouts=[line_layout([10.0], population=2000)])
    n = len(m._dispute_rows)
    expected = 200 * 2 * 2000 / 365
    assert abs(n - expected) < 4 * math.sqrt(expected / (1 - 0.4))  # cluster-inflated sd


# ---------------------------------------------------------------- acute phase
def test_age_hazard_keeps_the_first_episode_and_matches_the_weibull_conditional_mean():
    scale, k, tf = 600.0 * DAY_MIN, 1.5, 0.7
    assert math.isclose(escalate_after(12345.0, 0.0, 2, scale, k, tf), 12345.0 * tf)
    rng = np.random.default_rng(1)
    age, n = 200 * DAY_MIN, 40000
    clocks = rng.weibull(k, n) * scale
    t = np.array([escalate_after(c, age, 1, scale, k, tf) for c in clocks])
    # E[T | survived to a] = int_0^inf exp(-((a + t)^k - a^k) / s^k) dt, by quadrature
    a = age / scale  # in units of the scale: E[T] = scale x int exp(-((a + y)^k - a^k)) dy
    mean = scale * integrate.quad(lambda y: math.exp(-((a + y) ** k - a ** k)), 0, math.inf)[0]
    assert abs(t.mean() - mean) < 4 * t.std() / math.sqrt(n)
    assert mean < scale * math.gamma(1 + 1 / k)  # a rising hazard: sooner than at age 0


def test_unattended_fight_injures_with_the_set_probability():
    p, mu = 0.2, 15.0
    r = injury_rate(p, mu)
    assert math.isclose(r * mu / (1 + r * mu), p)  # P(Exp(r) < Exp(1/mu))


def test_a_responder_arriving_during_a_fight_ends_it():
    # Violent flare at 10, reported at once, fight at 11; the officer is 12 minutes away. A
    # fight of mean 1440 min with injury_prob 0.1 has an injury clock of mean 12,960 min:
    # P(an injury in the 11 minutes before the officer stops it) = 1 - exp(-11/12960) < 0.001.
    d = ExtraDispute(0.0, 0, _clocks(flare=10.0, violent_u=0.0, acute=1.0, injury_u=0.0))
    sets = ["acute.fight_duration=true", "acute.fight_mean_min=1440",
            "disputes.injury_prob=0.1", "disputes.violent_flare_share=1"]
    rec = _model(sets, disputes=[d]).simulate()
    (row,) = rec.disputes
    assert row["fights"] == 1 and row["injuries"] == 0 and row["t_first_contact"] == 22.0
    # without fight durations the same fight injures (injury_u = 0 < injury_prob)
    rec0 = _model(sets[2:], disputes=[d]).simulate()
    assert rec0.disputes[0]["injuries"] == 1


def test_an_unattended_quarrel_calms_down_by_its_own_clock():
    # Calm clock of mean 0.05 min against a 6-minute reporting delay: it calms first
    # (P(not) = exp(-120)), the report is never made and the dispute is latent again.
    d = ExtraDispute(0.0, 0, _clocks(flare=10.0, report_delay=6.0))
    m = _model(["acute.quarrel_clocks=true", "acute.calm_mean_min=0.05"], disputes=[d])
    m.run_until(12.0)
    (dispute,) = m.disputes_by_id.values()
    assert dispute.state is DisputeState.LATENT and dispute.flares == 1
    assert m.records.calls == []
    m0 = _model([], disputes=[d])
    m0.run_until(20.0)
    assert [c["t_call"] for c in m0.records.calls] == [16.0]


# ---------------------------------------------------------------- risk-targeted screening
def test_risk_targeted_screening_visits_the_recent_dispute_village_first():
    # Five villages; a dispute is called in from village 3 at 10 min. Visits are due every
    # 7 days / 5 = 2016 min. Round robin visits village 0 first; risk targeting village 3.
    sets = ["reform.screening=true", "screening.risk_elderly_weight=0",
            "residents.elderly_alone_share=0"]
    d = ExtraDispute(0.0, 3, _clocks(flare=10.0), kind=DisputeKind.FAMILY)
    firsts = {}
    for targeting in ("round_robin", "risk"):
        m = _model([*sets, f"screening.targeting={targeting}"], disputes=[d],
                   distances=(5.0, 10.0, 15.0, 20.0, 25.0))
        rec = m.simulate()
        firsts[targeting] = rec.visits[0]["village"]
    assert firsts == {"round_robin": 0, "risk": 3}


def _household_counts(sets):
    s = scenario(*BASE, "days=365", "disputes.rate_per_1000_year=1667",
                 "residents.elderly_alone_share=0", "residents.household_size=3", *sets)
    m = PolicingModel(s, layouts=[line_layout([10.0], population=3000)])
    pop = m.populations[0]
    counts = np.zeros(1000)
    for r in m._dispute_rows:
        counts[pop.describe(r[5][0])[1]] += 1
    return counts


def test_household_proneness_overdisperses_disputes_as_a_gamma_mixture_predicts():
    # ~5 disputes per household (as first party) in a year. Alike households: Poisson counts,
    # variance / mean = 1. Gamma proneness with CV c: negative binomial, 1 + mean x c^2.
    alike = _household_counts([])
    assert abs(alike.var() / alike.mean() - 1.0) < 0.2
    mixed = _household_counts(["households.frailty_cv=1"])
    expected = 1.0 + mixed.mean() * 1.0 ** 2
    assert abs(mixed.var() / mixed.mean() - expected) < 0.35 * expected
    assert mixed.sum() == alike.sum()  # proneness changes who quarrels, not how often


# ---------------------------------------------------------------- recorded statistics
def test_a_fight_call_is_a_recorded_criminal_call_only_when_the_fight_injured():
    # Violent flare at 10, called in at 10 (delay 0), fight at 11 before the officer (12 min
    # away) arrives: the call becomes a fight call; criminal only when the fight injures.
    hurt = ExtraDispute(0.0, 0, _clocks(flare=10.0, violent_u=0.0, acute=1.0, injury_u=0.0))
    unhurt = ExtraDispute(500.0, 0, _clocks(flare=10.0, violent_u=0.0, acute=1.0, injury_u=1.0))
    rec = _model(["disputes.violent_flare_share=1", "disputes.injury_prob=0.5"],
                 disputes=[hurt, unhurt]).simulate()
    calls = sorted((c for c in rec.calls if c["t_call"] < 1000), key=lambda c: c["t_call"])
    assert [(c["t_call"], c["kind"], c["criminal"]) for c in calls] == [
        (10.0, "fight", True), (510.0, "fight", False)]
    # an unprompted fight that injured, reported 5 minutes later: the call records the crime
    later = ExtraDispute(0.0, 0, _clocks(escalate=100.0, report_delay=5.0, injury_u=0.0))
    c = min(_model([], disputes=[later]).simulate().calls, key=lambda c: c["t_call"])
    assert (c["t_call"], c["kind"], c["criminal"]) == (105.0, "fight", True)
