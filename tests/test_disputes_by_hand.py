"""A dispute's course checked by hand, written for round-6 mutation survivors and after.

Each expected value is a literal worked out in the comment beside it, or follows from a rule
re-derived in the test (a documented formula, a quantile table), never from the code under
test. Micro-scenarios use the quiet one-officer township of tests/test_micro.py: a village
10 km away is 12 minutes from the station (2 turnout + 10 driving).
"""

from __future__ import annotations

import math

import pytest
from conftest import by_hand_disputes as _model
from conftest import clocks
from scipy.stats import poisson

from sim.world.disputes import Dispute, DisputeKind
from sim.world.model import ExtraDispute, PolicingModel
from sim.world.streams import (
    CALM,
    FAILED_MEDIATION,
    FIGHT_COURSE,
    INJURY,
    dispute_uniform,
)


def _later_episodes(m: PolicingModel, *episodes) -> None:
    """Give episodes 2, 3, ... of every dispute of ``m`` the given clocks (then far ones).

    A relapse draws its next episode's clocks from the dispute's addressed uniforms; the test
    chooses them instead, so their times are known.
    """
    queue = list(episodes)
    m.clocks_from_uniforms = lambda u: queue.pop(0) if queue else clocks()


# ------------------------------------------------------------------ Dispute.__init__ / record
def test_a_new_dispute_keeps_what_it_was_made_with():
    # a dispute started directly at time 0 from a full row: its parties (2 and 7), village,
    # kind, tension, the elderly flag and key are kept; nothing has happened to it yet
    m = _model(distances=(10.0, 20.0))
    m.start_dispute((0.0, 0, 1, DisputeKind.FAMILY, 2, (2, 7), True, clocks(), 123))
    d = m.disputes_by_id[0]
    assert d.parties == (2, 7) and d.key == 123 and d.episode == 1
    assert (d.index, d.township, d.village, d.kind) == (0, 0, 1, DisputeKind.FAMILY)
    assert (d.tension, d.tension0, d.elderly_alone) == (2, 2, True)
    assert m.populations[0].disputes_of(2) == [0] == m.populations[0].disputes_of(7)
    assert d in m.latent_set(0, 1) and not m.latent_set(0, 0)
    assert d.screenings == 0 and d.job is None
    assert d.cell is m.cell_of(0, 1) and d in d.cell.agents  # placed in its village's cell
    assert d.record().as_dict() == dict(
        dispute_id=0, township=0, village=1, kind="family", t_start=0.0, tension0=2,
        tension=2, elderly_alone=True, flares=0, fights=0, injuries=0, interventions=0,
        relapses=0, referred=False, t_first_contact=None, first_channel="", outcome="open",
        state_at_end="latent", t_end=None, resolved_by="", t_first_fight=None, t_repeat=None)


def test_a_dispute_made_without_a_key_has_key_zero():
    m = _model()
    d = Dispute(m, 0, 0, 0, DisputeKind.OTHER, 1, (), False, clocks())
    assert d.key == 0 and d.draw(INJURY, 2) == dispute_uniform(0, INJURY, 2)


def test_a_failed_mediation_of_a_dispute_with_parties_starts_repeats():
    # failed_mediation_repeats = 5: a failed (first) mediation of a dispute with parties
    # draws Poisson(5) repeats of the same household, by the quantile of its draw
    # FAILED_MEDIATION (1, 0) (scipy's Poisson ppf, capped at 15); a dispute without
    # parties (no household) gets none
    m = _model("households.repeat=true", "households.repeat_expected=0",
               "households.failed_mediation_repeats=5", "households.keep_total_rate=false")
    m.start_dispute((0.0, 0, 0, DisputeKind.FAMILY, 1, (2, 7), False, clocks(), 5))
    m.start_dispute((0.0, 0, 0, DisputeKind.FAMILY, 1, (), False, clocks(), 6))
    with_parties, without = m.disputes_by_id[0], m.disputes_by_id[1]
    with_parties.interventions = without.interventions = 1
    m.repeats.after_failed_mediation(without)
    assert m.repeats._pending == []
    m.repeats.after_failed_mediation(with_parties)
    # how many: the Poisson(5) quantile of the dispute's FAILED_MEDIATION draw (1, 0)
    u = dispute_uniform(5, FAILED_MEDIATION, 1, 0)
    assert len(m.repeats._pending) == min(15, int(poisson.ppf(u, 5.0))) > 0
    assert all(row[2][5] == (2, 7) for row in m.repeats._pending)


# ------------------------------------------------------------------ _on_flare / _on_report
def _only_pending(m: PolicingModel, dispute) -> bool:
    """Whether every event the dispute holds is still on the model's event list."""
    listed = {id(x[3]) for x in m._event_list._events if not x[3]._canceled}
    return all(id(ev) in listed for ev in dispute._events.values())


def test_a_fired_report_leaves_no_pending_entry_and_makes_a_dispute_call():
    # flare at 100 in village 1 (20 km: the car needs 22 minutes), reported 5 minutes later
    # (105); the car arrives at 127. Between the two, the call is recorded as a
    # (non-criminal) dispute call of village 1, and the dispute holds only events still to
    # come: the fired report is gone from them
    d = ExtraDispute(0.0, 1, clocks(flare=100.0, report_delay=5.0))
    m = _model(disputes=[d], distances=(10.0, 20.0))
    m.run_until(106.0)
    dispute = m.disputes_by_id[0]
    assert "report" not in dispute._events and _only_pending(m, dispute)
    (call,) = m.records.calls
    assert (call.kind, call.t_call, call.criminal, call.dispute_id, call.township,
            call.village) == ("dispute", 105.0, False, 0, 0, 1)
    assert dispute.job is not None and dispute.job.record is call


def test_a_fight_before_the_report_is_called_in_as_a_criminal_fight():
    # flare at 100, violent (u 0 < 8%), the fight 3 minutes later (103, tension 1: x 0.7^0),
    # injuring (injury_u 0 < 20%); the report goes in at 105: a fight call, criminal
    d = ExtraDispute(0.0, 0, clocks(flare=100.0, report_delay=5.0, violent_u=0.0, acute=3.0,
                                    injury_u=0.0))
    m = _model(disputes=[d])
    m.run_until(104.0)
    assert not m.records.calls and m.records.injuries[0]["t"] == 103.0
    m.run_until(106.0)
    (call,) = m.records.calls
    assert (call.kind, call.t_call, call.criminal) == ("fight", 105.0, True)


def test_an_earlier_episodes_fight_does_not_make_a_later_flare_a_fight_call():
    # episode 1: an unprompted fight at 50 (escalate clock), injuring, not reported
    # (fight_report_u 1 > 0.9): back to latent. Episode 2 (the test's clocks): a flare 100
    # minutes later (150), reported after 5 (155): a dispute call, not criminal (the injury
    # was the earlier episode's)
    d = ExtraDispute(0.0, 0, clocks(escalate=50.0, fight_report_u=1.0, injury_u=0.0))
    m = _model(disputes=[d])
    _later_episodes(m, clocks(flare=100.0, report_delay=5.0))
    m.run_until(156.0)
    (call,) = m.records.calls
    assert (call.kind, call.t_call, call.criminal) == ("dispute", 155.0, False)
    dispute = m.disputes_by_id[0]
    assert (dispute.fights, dispute.injuries, dispute.flares, dispute.episode) == (1, 1, 1, 2)


@pytest.mark.parametrize(("tension", "violent_u", "acute", "fight_at"), [
    (2, 0.15, 10.0, 105.0),  # share 0.08 / 0.5 = 0.16 > 0.15: fights after 10 x 0.5 = 5
    (2, 0.2, 10.0, None),  # 0.2 >= 0.16: no fight
    (1, 0.08, 5.0, None),  # share 0.08 exactly: not below it, no fight
    (4, 0.5, 40.0, 105.0),  # share 0.08 / 0.125 = 0.64 > 0.5: after 40 x 0.125 = 5
    (3, 0.0, 10.0, 102.5),  # after 10 x 0.25 = 2.5
])
def test_a_flare_turns_violent_by_tension(tension, violent_u, acute, fight_at):
    # tension factor 0.5: at tension T the violent share is 0.08 / 0.5^(T-1) (at most 1) and
    # the fight comes acute x 0.5^(T-1) after the flare (at 100, called in at once; the car
    # arrives at 112). The fight injures (injury_u 0 < 0.2), which records its time.
    d = ExtraDispute(0.0, 0, clocks(flare=100.0, violent_u=violent_u, acute=acute,
                                    injury_u=0.0), tension=tension)
    m = _model("disputes.tension_factor=0.5", disputes=[d])
    rec = m.simulate()
    assert [i["t"] for i in rec.injuries] == ([] if fight_at is None else [fight_at])
    (row,) = rec.disputes
    assert (row["flares"], row["fights"]) == (1, int(fight_at is not None))


def test_an_unattended_quarrel_calms_down_by_its_own_clock():
    # quarrel clocks, mean 10 min. Flare at 100, violent (a fight due 1,000 minutes later),
    # the report 10^6 minutes away: nobody comes. The quarrel calms after -10 ln(1 - u),
    # u the dispute's CALM draw for flare 1: back to latent with the fight and the report
    # cancelled; the next episode (the test's clocks) flares 50 minutes after that, and
    # calms by the CALM draw for flare 2. No fight ever, no call.
    key = 11
    calm1 = -10.0 * math.log1p(-dispute_uniform(key, CALM, 1))
    calm2 = -10.0 * math.log1p(-dispute_uniform(key, CALM, 2))
    m = _model("acute.quarrel_clocks=true", "acute.calm_mean_min=10", "days=2")
    m.start_dispute((0.0, 0, 0, DisputeKind.OTHER, 1, (), False,
                     clocks(flare=100.0, violent_u=0.0, acute=1000.0, report_delay=1e6), key))
    _later_episodes(m, clocks(flare=50.0, report_delay=1e6))
    d = m.disputes_by_id[0]
    m.run_until(100.0 + calm1 - 1e-6)
    assert (d.state.value, d.episode) == ("acute", 1)
    m.run_until(100.0 + calm1 + 1e-6)
    assert (d.state.value, d.episode, d.tension) == ("latent", 2, 1)
    assert "calm" not in d._events and _only_pending(m, d)
    second = 100.0 + calm1 + 50.0
    m.run_until(second + calm2 - 1e-6)
    assert (d.state.value, d.flares) == ("acute", 2)
    m.run_until(second + calm2 + 1e-6)
    assert (d.state.value, d.episode) == ("latent", 3)
    rec = m.simulate()
    assert rec.disputes[0]["fights"] == 0 and not rec.calls


@pytest.mark.parametrize(("prob_near", "violent_u", "state", "episode"), [
    (0.0, 1.0, "latent", 2),  # not reported, not violent: it passes at once
    (0.0, 0.0, "acute", 1),  # not reported but violent: the fight is still to come
    (1.0, 1.0, "acute", 1),  # reported (delay 0): the call is made, the quarrel goes on
])
def test_an_unreported_quarrel_passes_at_once(prob_near, violent_u, state, episode):
    # the reporting channel: P(report) = prob_near (no distance or trust effect), no delay.
    # A flare at 100; a violent one fights 30 minutes later. Just after the flare:
    d = ExtraDispute(0.0, 0, clocks(flare=100.0, violent_u=violent_u, acute=30.0))
    m = _model("reporting.enabled=true", f"reporting.prob_near={prob_near}",
               "reporting.odds_per_10km=1", "reporting.delay_near_min=0",
               "reporting.delay_per_km_min=0", disputes=[d])
    m.run_until(100.5)
    dispute = m.disputes_by_id[0]
    assert (dispute.state.value, dispute.episode, dispute.flares) == (state, episode, 1)
    assert (dispute.tension, dispute.relapses) == (1, 0)
    assert len(m.records.calls) == int(prob_near == 1.0)


# ------------------------------------------------------------------ _enter_latent (age hazard)
def test_the_unprompted_violence_hazard_rises_with_the_disputes_age():
    # Weibull shape 2, scale 1 day (1,440 min), tension factor 0.5; the dispute arises at 360.
    # Episode 1 (age 0, tension 1): the clock itself, 1,080 -> a fight at 1,440, tension 2,
    # unreported (fight_report_u 1 > fight_report_prob 0). Episode 2 starts at age
    # a = 1,080 with clock 2,880: E = (2,880 / 1,440)^2 = 4, s_2 = 1,440 x 0.5 = 720,
    # a / s_2 = 1.5, so the fight comes after 720 x sqrt(4 + 2.25) - 1,080 = 720 x 2.5 -
    # 1,080 = 720 minutes: at 2,160 (without the age hazard it would be 2,880 x 0.5 = 1,440
    # later, at 2,880). Every fight injures (injury_prob 1; the first fight's injury_u 0),
    # which records its time.
    d = ExtraDispute(360.0, 0, clocks(escalate=1080.0, fight_report_u=1.0, injury_u=0.0))
    m = _model("acute.age_hazard=true", "disputes.escalate_shape=2",
               "disputes.escalate_scale_days=1", "disputes.tension_factor=0.5",
               "disputes.fight_report_prob=0", "disputes.injury_prob=1", "days=2",
               disputes=[d])
    _later_episodes(m, clocks(escalate=2880.0))
    rec = m.simulate()
    assert [i["t"] for i in rec.injuries] == pytest.approx([1440.0, 2160.0])
    (row,) = rec.disputes
    assert (row["fights"], row["injuries"], row["tension"], row["t_first_fight"]) == (
        2, 2, 3, 1440.0)


def test_without_the_age_hazard_tension_shortens_the_clock_by_its_factor():
    # tension 3 at arrival, tension factor 0.5: the escalate clock 400 becomes
    # 400 x 0.5^2 = 100 -> the fight (injuring) at 100
    d = ExtraDispute(0.0, 0, clocks(escalate=400.0, fight_report_u=1.0, injury_u=0.0),
                     tension=3)
    m = _model("disputes.tension_factor=0.5", "disputes.fight_report_prob=0",
               "disputes.injury_prob=1", disputes=[d])
    rec = m.simulate()
    assert [i["t"] for i in rec.injuries] == [100.0]


AUX = ["staff.auxiliaries=1", "reform.village_auxiliaries=true",
       "duty.village_auxiliary_hours=24"]  # an auxiliary lives in village 0, on duty


@pytest.mark.parametrize(("sets", "kw", "channel", "fights"), [
    # subside and escalate due together: subsiding (clock 1) goes before violence (clock 2)
    ([], dict(subside=100.0, escalate=100.0), "", 0),
    # a flare (clock 0) before subsiding: the call brings the officer at 112
    ([], dict(flare=100.0, subside=100.0), "call", 0),
    # violence (clock 2) before the auxiliary's discovery (clock 3): a reported fight, so
    # the auxiliary comes for the call
    (AUX, dict(escalate=100.0, auxiliary=100.0), "call", 1),
    # the auxiliary's discovery (clock 3) before a smart alert (clock 4)
    ([*AUX, "reform.smart_alerts=true"], dict(auxiliary=100.0, alert=100.0), "auxiliary", 0),
])
def test_clocks_due_at_the_same_time_fire_in_their_fixed_order(sets, kw, channel, fights):
    d = ExtraDispute(0.0, 0, clocks(**kw), elderly_alone=True)
    m = _model(*sets, disputes=[d])
    m.run_until(200.0)
    dispute = m.disputes_by_id.get(0)
    row = dispute.record() if dispute is not None else m.records.disputes[0]
    assert (row.first_channel, row.fights) == (channel, fights)
    assert (row.outcome == "subsided") == (not channel)  # it subsided, at 100


@pytest.mark.parametrize(("sets", "elderly", "channel"), [
    (["reform.smart_alerts=true"], True, "alert"),  # found at 50, the officer there at 62
    (["reform.smart_alerts=true"], False, ""),  # only the elderly living alone are flagged
    ([], True, ""),  # no smart alerts: nothing at 50; it subsides at 100
])
def test_a_smart_alert_finds_only_an_elderly_residents_dispute(sets, elderly, channel):
    d = ExtraDispute(0.0, 0, clocks(alert=50.0, subside=100.0), elderly_alone=elderly)
    m = _model(*sets, disputes=[d])
    m.run_until(99.0)
    dispute = m.disputes_by_id[0]
    assert dispute.first_channel is None if not channel else (
        dispute.first_channel.value, dispute.t_first_contact) == (channel, 62.0)
    m.run_until(101.0)
    assert (0 in m.disputes_by_id) == bool(channel)  # not found: it subsided at 100


def test_flares_follow_the_hours_of_the_day():
    # demand weight 0 in hours 0-11 and 2 in hours 12-23 (the profile has mean 1): a flare
    # clock of 100 profile-minutes started at 0 fires where the demand since then reaches 100:
    # 720 + 100 / 2 = 770; the call (no delay) is made then
    cfg = ["rhythm.enabled=true", "rhythm.flares_follow_hours=true",
           "rhythm.hour_profile=" + ",".join(["0"] * 12 + ["1"] * 12),
           "rhythm.weekday_profile=" + ",".join(["1"] * 7)]
    m = _model(*cfg, disputes=[ExtraDispute(0.0, 0, clocks(flare=100.0))])
    rec = m.simulate()
    assert [c["t_call"] for c in rec.calls] == [770.0]


# ------------------------------------------------------------------ _fight (fight duration)
@pytest.mark.parametrize(("injury_prob", "injured"), [(1.0, True), (0.0, False)])
def test_a_lasting_fight_injures_at_once_when_injury_is_certain(injury_prob, injured):
    # fights last (mean 15 min); with injury_prob 1 the injury rate is infinite, so the
    # injury comes 0 minutes into the fight (an unprompted one at 100), before it can end;
    # with 0 the rate is 0 and the injury never comes
    d = ExtraDispute(0.0, 0, clocks(escalate=100.0, fight_report_u=1.0))
    m = _model("acute.fight_duration=true", f"disputes.injury_prob={injury_prob}",
               "disputes.fight_report_prob=0", disputes=[d])
    rec = m.simulate()
    assert [i["t"] for i in rec.injuries] == ([100.0] if injured else [])
    assert rec.disputes[0]["injuries"] == int(injured)


def test_a_lasting_fight_injures_if_the_injury_time_comes_before_its_end():
    # injury_prob p = 0.5, fights of mean 15 min: the injury rate is p / ((1 - p) x 15) =
    # 1/15 a minute. The fight (unprompted, at 100, the dispute's first) lasts
    # -15 ln(1 - u0) and the injury would come at -ln(1 - u1) x 15, u0 and u1 its two
    # FIGHT_COURSE draws: injured (at 100 + that time) exactly when the second is shorter.
    # Keys 1..40 give both outcomes.
    seen = set()
    for key in range(1, 41):
        u0, u1 = (dispute_uniform(key, FIGHT_COURSE, 1, j) for j in (0, 1))
        lasts, hurt = -15.0 * math.log(1.0 - u0), -15.0 * math.log(1.0 - u1)
        m = _model("acute.fight_duration=true", "acute.fight_mean_min=15",
                   "disputes.injury_prob=0.5", "disputes.fight_report_prob=0")
        m.start_dispute((0.0, 0, 0, DisputeKind.OTHER, 1, (), False,
                         clocks(escalate=100.0, fight_report_u=1.0), key))
        rec = m.simulate()
        want = [100.0 + hurt] if hurt < lasts else []
        assert [i["t"] for i in rec.injuries] == pytest.approx(want)
        seen.add(bool(want))
    assert seen == {True, False}


def test_a_lasting_fights_injury_leaves_no_pending_entry():
    # injury certain (rate infinite): it comes 0 minutes into the fight at 100; once it has
    # happened the dispute holds only events still to come
    d = ExtraDispute(0.0, 0, clocks(escalate=100.0, fight_report_u=1.0))
    m = _model("acute.fight_duration=true", "disputes.injury_prob=1",
               "disputes.fight_report_prob=0", disputes=[d])
    m.run_until(100.5)
    dispute = m.disputes_by_id[0]
    assert dispute.injuries == 1 and "injury" not in dispute._events
    assert _only_pending(m, dispute)


@pytest.mark.parametrize(("injury_u", "injured"), [(0.4, True), (0.5, False)])
def test_the_first_fight_injures_by_its_episodes_uniform(injury_u, injured):
    # injury_prob 0.5: the first fight (unprompted, at 100, village 1) injures when its
    # episode's injury_u is below 0.5 (0.5 itself does not); the injury is the dispute's,
    # recorded with its township and village
    d = ExtraDispute(0.0, 1, clocks(escalate=100.0, fight_report_u=1.0, injury_u=injury_u))
    m = _model("disputes.injury_prob=0.5", "disputes.fight_report_prob=0", disputes=[d],
               distances=(10.0, 20.0))
    rec = m.simulate()
    want = [{"t": 100.0, "township": 0, "village": 1, "dispute_id": 0, "from_dispute": True}]
    assert rec.injuries == (want if injured else [])
    assert rec.disputes[0]["injuries"] == int(injured)
    assert len(rec.cases) == int(injured)  # an injury opens a criminal case


def test_later_fights_injure_by_the_fights_rank():
    # injury_prob 0.5; the first fight (at 100) has injury_u 0.9: no injury. The second (the
    # next episode's escalate clock 100 at tension 2: x 0.7, so at 170) injures when the
    # dispute's INJURY
    # draw for fight 2 is below 0.5. Keys 1..20 give both outcomes.
    seen = set()
    for key in range(1, 21):
        m = _model("disputes.injury_prob=0.5", "disputes.fight_report_prob=0")
        m.start_dispute((0.0, 0, 0, DisputeKind.OTHER, 1, (), False,
                         clocks(escalate=100.0, fight_report_u=1.0, injury_u=0.9), key))
        _later_episodes(m, clocks(escalate=100.0))
        rec = m.simulate()
        injured = dispute_uniform(key, INJURY, 2) < 0.5
        assert [i["t"] for i in rec.injuries] == ([170.0] if injured else [])
        assert rec.disputes[0]["fights"] == 2
        seen.add(injured)
    assert seen == {True, False}


def test_the_record_of_a_dispute_under_mediation_and_of_one_that_subsided():
    # dispute 0 (village 0, tension 2 at arrival at 10): flares at 110, called in at 115,
    # the officer there at 127 (12 min): mediating at 130, first met by a call
    # dispute 1 (village 1, arrival 20): subsides 50 minutes later, at 70
    ds = [ExtraDispute(10.0, 0, clocks(flare=100.0, report_delay=5.0), tension=2,
                       kind=DisputeKind.LAND),
          ExtraDispute(20.0, 1, clocks(subside=50.0), elderly_alone=True)]
    m = _model(disputes=ds, distances=(10.0, 20.0))
    m.run_until(130.0)
    assert m.disputes_by_id[0].record().as_dict() == dict(
        dispute_id=0, township=0, village=0, kind="land", t_start=10.0, tension0=2,
        tension=2, elderly_alone=False, flares=1, fights=0, injuries=0, interventions=1,
        relapses=0, referred=False, t_first_contact=127.0, first_channel="call",
        outcome="open", state_at_end="mediating", t_end=None, resolved_by="",
        t_first_fight=None, t_repeat=None)
    (gone,) = m.records.disputes
    assert gone.as_dict() == dict(
        dispute_id=1, township=0, village=1, kind="neighbour", t_start=20.0, tension0=1,
        tension=1, elderly_alone=True, flares=0, fights=0, injuries=0, interventions=0,
        relapses=0, referred=False, t_first_contact=None, first_channel="",
        outcome="subsided", state_at_end="subsided", t_end=70.0, resolved_by="",
        t_first_fight=None, t_repeat=None)


@pytest.mark.parametrize(("success", "want"), [
    # settled for good by the station officer who came for the call
    (1.0, dict(outcome="resolved", state_at_end="resolved", resolved_by="station_officer",
               tension=1, relapses=0)),
    # failed: back to latent with one more level of tension and a relapse counted
    (0.0, dict(outcome="open", state_at_end="latent", resolved_by="", tension=2,
               relapses=1)),
])
def test_a_mediation_settles_or_relapses_by_its_success(success, want):
    # flare at 100, called in at once, the officer there at 112; P(success) is the station
    # officer's (tension 1: no decay), 1 or 0, so the outcome draw cannot matter
    d = ExtraDispute(0.0, 0, clocks(flare=100.0))
    m = _model(f"mediation.success_station_officer={success}", disputes=[d])
    _later_episodes(m)  # the next episode's clocks all far away
    rec = m.simulate()
    (row,) = rec.disputes
    got = {k: row[k] for k in want}
    assert got == want
    assert (row["interventions"], row["first_channel"], row["t_first_contact"]) == (
        1, "call", 112.0)
    assert (row["t_end"] is not None) == (success == 1.0)


@pytest.mark.parametrize(("u", "reported"), [(0.4, True), (0.5, False)])
def test_an_unprompted_fight_is_reported_by_its_episodes_uniform(u, reported):
    # fight_report_prob 0.5: the first fight (unprompted, at 100) is reported when its
    # episode's fight_report_u is below 0.5 (0.5 itself is not): a fight call at once (no
    # delay), the dispute acute; else nobody calls and it is latent again (episode 2)
    d = ExtraDispute(0.0, 0, clocks(escalate=100.0, fight_report_u=u))
    m = _model("disputes.fight_report_prob=0.5", disputes=[d])
    m.run_until(100.5)
    dispute = m.disputes_by_id[0]
    assert [(c.kind, c.t_call) for c in m.records.calls] == ([("fight", 100.0)] if reported
                                                             else [])
    assert (dispute.state.value, dispute.episode, dispute.flares) == (
        ("acute", 1, 1) if reported else ("latent", 2, 0))
    assert (dispute.fights, dispute.tension) == (1, 2)
    assert dispute.relapses == 0  # latent again unmet: no failed intervention to count


@pytest.mark.parametrize(("tension", "max_tension", "after"), [(5, 5, 5), (1, 2, 2), (2, 3, 3)])
def test_a_fight_raises_the_tension_up_to_its_maximum(tension, max_tension, after):
    # one unprompted, unreported fight at 1,000 (x 0.7^(T-1) at tension T: before 1,000)
    d = ExtraDispute(0.0, 0, clocks(escalate=1000.0, fight_report_u=1.0), tension=tension)
    m = _model(f"disputes.max_tension={max_tension}", disputes=[d])
    rec = m.simulate()
    assert (rec.disputes[0]["fights"], rec.disputes[0]["tension"]) == (1, after)


def test_a_fight_cancels_the_quarrels_calm_clock():
    # quarrel clocks, mean 10 min: flare at 100, called in at once (the officer there at
    # 112), violent, the fight 2 minutes later (102). A quarrel that has turned into a fight
    # no longer calms down: with a key whose calm clock (-10 ln(1 - u), u its CALM draw for
    # flare 1) would come between the fight and the officer, the dispute is still acute,
    # in its first episode, just before 112
    key = next(k for k in range(1, 200)
               if 2.0 < -10.0 * math.log1p(-dispute_uniform(k, CALM, 1)) < 11.0)
    m = _model("acute.quarrel_clocks=true", "acute.calm_mean_min=10")
    m.start_dispute((0.0, 0, 0, DisputeKind.OTHER, 1, (), False,
                     clocks(flare=100.0, violent_u=0.0, acute=2.0), key))
    m.run_until(111.9)
    d = m.disputes_by_id[0]
    assert (d.state.value, d.episode, d.fights) == ("acute", 1, 1)
    assert [c.kind for c in m.records.calls] == ["fight"]


@pytest.mark.parametrize(("sets", "channel"), [
    (AUX, "auxiliary"),  # found at 50 by the auxiliary living there (7 min: at 57)
    ([], ""),  # no auxiliary lives there: nothing at 50; it subsides at 100
])
def test_only_a_resident_auxiliary_discovers_a_latent_dispute(sets, channel):
    d = ExtraDispute(0.0, 0, clocks(auxiliary=50.0, subside=100.0))
    m = _model(*sets, disputes=[d])
    m.run_until(99.0)
    dispute = m.disputes_by_id[0]
    got = "" if dispute.first_channel is None else dispute.first_channel.value
    assert (got, dispute.t_first_contact) == (channel, 57.0 if channel else None)
    m.run_until(101.0)
    assert (0 in m.disputes_by_id) == bool(channel)
