"""Hand-timed micro-scenarios: one officer, known distances, exact expected times."""

from __future__ import annotations

import pytest
from conftest import BY_HAND as BASE  # 60 km/h: a village 10 km away is 10 + 2 min
from conftest import clocks as _clocks
from conftest import line_layout, scenario

from sim.world.jobs import CallKind
from sim.world.model import ExtraCall, ExtraDispute, PolicingModel
from sim.world.residents import Resident
from sim.world.responders import Activity


def _run(sets, calls=(), disputes=(), distances=(10.0,)):
    m = PolicingModel(scenario(*BASE, *sets), layouts=[line_layout(list(distances))],
                      extra_calls=calls, extra_disputes=disputes)
    return m, m.simulate()


def test_one_call_one_officer_exact_times():
    m, rec = _run([], calls=[ExtraCall(100.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = rec.calls
    assert (c["t_call"], c["t_dispatch"], c["t_arrive"], c["t_clear"]) == (100, 100, 112, 142)
    assert c["travel_min"] == 12.0
    officer = m.responders()[0]
    budget = {a: round(v, 9) for a, v in officer.budget.items()}
    # 12 min out, 30 on scene, 12 back; the rest of the day on duty at the station
    assert budget[Activity.TRAVEL] == 24 and budget[Activity.ON_SCENE] == 30
    assert budget[Activity.DUTY] == 1440 - 54


def test_second_call_waits_then_officer_goes_straight_from_the_scene():
    _, rec = _run([], calls=[ExtraCall(100.0, 0, CallKind.PUBLIC_ORDER, 30.0),
                             ExtraCall(120.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    first, second = sorted(rec.calls, key=lambda c: c["t_call"])
    assert first["t_clear"] == 142
    # waits until 142, then turnout 2 + a 5-minute local trip inside the same village
    assert (second["t_dispatch"], second["t_arrive"], second["t_clear"]) == (142, 149, 179)


def test_emergency_jumps_the_queue():
    _, rec = _run([], calls=[ExtraCall(100.0, 0, CallKind.PUBLIC_ORDER, 30.0),
                             ExtraCall(110.0, 0, CallKind.PUBLIC_ORDER, 30.0),
                             ExtraCall(120.0, 0, CallKind.TRAFFIC, 30.0)], distances=(10.0,))
    by_t = {c["t_call"]: c for c in rec.calls}
    assert by_t[120.0]["t_dispatch"] == 142  # the traffic accident goes first
    assert by_t[110.0]["t_dispatch"] == by_t[120.0]["t_clear"]


def test_nearest_free_responder_goes():
    sets = ["staff.auxiliaries=2", "reform.village_auxiliaries=true", "staff.station_officers=1",
            "duty.village_auxiliary_hours=24"]  # on duty at 01:00 (not on call at home)
    _, rec = _run(sets, calls=[ExtraCall(60.0, 1, CallKind.PUBLIC_ORDER, 10.0)],
                  distances=(10.0, 30.0))
    (c,) = rec.calls
    assert c["responder_role"] == "auxiliary" and c["travel_min"] == 7.0  # 2 + 5 in-village


def test_dispute_flare_call_and_response_times():
    d = ExtraDispute(0.0, 0, _clocks(flare=100.0, report_delay=5.0))
    _, rec = _run([], disputes=[d])
    (c,) = rec.calls
    assert c["kind"] == "dispute" and c["t_call"] == 105 and c["t_arrive"] == 117
    (row,) = rec.disputes
    assert row["t_first_contact"] == 117 and row["fights"] == 0 and row["first_channel"] == "call"


def test_violent_flare_fights_before_a_far_responder_arrives():
    # the quarrel turns violent 10 minutes after the flare; the car needs 12 after the call
    d = ExtraDispute(0.0, 0, _clocks(flare=100.0, report_delay=0.0, violent_u=0.0, acute=10.0,
                                     injury_u=0.0))
    _, rec = _run([], disputes=[d])
    (c,) = rec.calls
    assert c["kind"] == "fight" and c["t_arrive"] == 112
    (row,) = rec.disputes
    assert row["fights"] == 1 and row["injuries"] == 1
    assert len(rec.injuries) == 1 and rec.injuries[0]["t"] == 110


def test_arrival_cancels_the_pending_fight():
    d = ExtraDispute(0.0, 0, _clocks(flare=100.0, report_delay=0.0, violent_u=0.0, acute=13.0))
    _, rec = _run([], disputes=[d])
    (row,) = rec.disputes
    assert row["fights"] == 0 and rec.calls[0]["kind"] == "dispute"


def test_latent_dispute_subsides_on_its_own():
    d = ExtraDispute(0.0, 0, _clocks(subside=50.0))
    _, rec = _run([], disputes=[d])
    (row,) = rec.disputes
    assert row["outcome"] == "subsided" and row["t_end"] == 50 and not rec.calls


def test_resident_auxiliary_discovers_before_any_call():
    sets = ["staff.auxiliaries=1", "reform.village_auxiliaries=true",
            "duty.village_auxiliary_hours=24"]  # on duty at 00:30, not asleep at home
    d = ExtraDispute(0.0, 0, _clocks(auxiliary=30.0, flare=500.0))
    _, rec = _run(sets, disputes=[d])
    (row,) = rec.disputes
    # the auxiliary lives there: 2 min turnout + 5 min walk
    assert row["first_channel"] == "auxiliary" and row["t_first_contact"] == 37
    assert not [c for c in rec.calls if c["t_call"] < 500]


@pytest.mark.parametrize("hour,expect_on", [(7.9, False), (8.0, True), (16.9, True),
                                            (17.0, False)])
def test_day_shift_hours(hour, expect_on):
    sets = ["staff.community_officers=1", "reform.dedicated_community_officers=true",
            "days=2"]
    m = PolicingModel(scenario(*BASE, *sets), layouts=[line_layout([10.0])])
    m.run_until(hour * 60)
    (co,) = [r for r in m.responders() if r.role.value == "community_officer"]
    assert co.on_duty is expect_on


def test_residents_become_agents_only_on_request():
    m = PolicingModel(scenario("days=30", "warmup_days=10", "follow_up_days=0"))
    m.simulate()
    assert not m.agents_by_type.get(Resident)  # 45,000 residents, no agent until asked for
    pop = m.populations[0]
    involved = pop.involved()
    arrived = m._dispute_rows[:m._next_dispute]
    assert len(involved) == len({p for row in arrived for p in row[5]}) > 100
    for index in involved[:50]:
        want = [i for i, row in enumerate(arrived) if index in row[5]]
        agent = pop.resident(m, index)
        assert agent.disputes == pop.disputes_of(index) == want
        assert agent.village == pop.describe(index)[0]
        assert pop.resident(m, index) is agent
    assert len(m.agents_by_type[Resident]) == 50
    pop.involve(involved[0], 10**6)  # a later dispute shows on the agent already made
    assert pop.resident(m, involved[0]).disputes[-1] == 10**6


def test_each_townships_screening_visits_spread_over_the_week():
    # with T townships, a township's 36 weekly visits used to come in one block of 1/T week
    m = PolicingModel(scenario("township.townships=4", "days=14", "warmup_days=7",
                               "follow_up_days=0",
                               policy="center_office"))
    m.simulate()
    week2 = [v for v in m.records.visits if 7 * 1440 <= v["t"] < 14 * 1440]
    for t in range(4):
        times = sorted(v["t"] / 1440 for v in week2 if v["township"] == t)
        assert len(times) >= 30
        assert times[-1] - times[0] > 6.0  # days: the whole week, not a quarter of it
