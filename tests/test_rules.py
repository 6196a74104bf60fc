"""Dispatch rules as properties, and duty boundaries at 00:00 and 24:00.

* ``Policy.zone`` must agree with ``Policy.eligible``: the dispatcher offers a job only to the
  free responders of the zones ``(0,)``, ``(1, job's cluster)`` and ``(2, job's place)``, so a
  responder eligible for a job must stand in one of them (else the job would wait for no
  reason). Checked for every responder, every job kind and every place of random small
  townships, at the start, part-way and at the end of a run.
* Who may take what, per role, against the rules written out by hand from the policy's
  description (docs/ODD.md, ``sim/world/policies.py``'s module docstring).
* No responder is ever sent to a job while it has one, and no job goes to two responders.
* Day shifts and duty rotations switch at exactly their hour, including midnight.
"""

from __future__ import annotations

from conftest import QUIET, line_layout, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.world.jobs import CallKind, Job, JobKind, Urgency
from sim.world.model import ExtraCall, PolicingModel
from sim.world.policies import Components
from sim.world.responders import Responder, Role

small = st.fixed_dictionaries({
    "villages": st.integers(1, 7),
    "clusters": st.integers(1, 3),
    "station": st.integers(1, 4),
    "community": st.integers(0, 2),
    "aux": st.integers(0, 8),
    "groups": st.integers(1, 3),
    "components": st.lists(st.booleans(), min_size=6, max_size=6),
    "seed": st.integers(0, 2**16),
})


def _model(p, days: float = 3.0, extra: bool = False) -> PolicingModel:
    comp = dict(zip(Components.__dataclass_fields__, p["components"], strict=True))
    sets = [f"township.villages={p['villages']}",
            f"township.clusters={min(p['clusters'], p['villages'])}",
            "township.population_per_village=300", "township.max_road_km=15",
            "township.cell_km=1", f"staff.station_officers={p['station']}",
            f"staff.community_officers={p['community']}", f"staff.auxiliaries={p['aux']}",
            f"shifts.duty_groups={p['groups']}", "disputes.rate_per_1000_year=300",
            "calls.public_order_per_1000_year=100", f"days={days}", "warmup_days=0",
            f"seed={p['seed']}", *[f"reform.{k}={'true' if v else 'false'}"
                                   for k, v in comp.items()]]
    calls = [ExtraCall(h * 60.0, 0, CallKind.PUBLIC_ORDER, 45.0) for h in (1, 10, 10.2, 30)
             ] if extra else []  # a few calls close together, some while others are busy
    return PolicingModel(scenario(*sets), extra_calls=calls)


def _rule(policy, r: Responder, kind: JobKind, place: int, cluster: int) -> bool:
    """Who may take what, written out from the policy's description (not from its code).

    docs/ODD.md and sim/world/components/eligibility.py's docstring: auxiliaries answer calls
    and mediate what they discover; district chiefs take their cluster's calls, mediations and
    officer attendances; dedicated community officers ("four nots") take no calls, duty or
    cases, only mediations, screening and their own visits; station officers (and community
    officers in the old model) take calls, mediations, casework and officer attendances, and
    screen only where there are no community officers.
    """
    calls = {JobKind.DISPUTE_CALL, JobKind.OTHER_CALL}
    mediations = {JobKind.MEDIATION, JobKind.JOINT_MEDIATION}
    station = calls | mediations | {JobKind.CASEWORK, JobKind.OFFICER_ATTENDANCE}
    if r.role is Role.AUXILIARY:  # calls and discovered disputes only ...
        if kind not in calls | {JobKind.MEDIATION}:
            return False
        if r.at_center:  # ... in the cluster of the center office they staff
            return cluster == r.cluster
        if r.home >= 0:  # ... in their home village, when they live in one
            return place == r.home
        return True  # ... anywhere, when station-based
    if r.role is Role.DISTRICT_CHIEF:  # calls, mediations, attendances in their own cluster
        return kind in calls | mediations | {JobKind.OFFICER_ATTENDANCE} \
            and cluster == r.cluster
    if r.role is Role.COMMUNITY_OFFICER and policy.components.dedicated_community_officers:
        return kind in mediations | {JobKind.SCREENING, JobKind.FOLLOWUP,
                                     JobKind.ELDERLY_VISIT}
    if r.role is Role.COMMUNITY_OFFICER:  # old model: the station's work, and screening
        return kind in station | {JobKind.SCREENING}
    if kind is JobKind.SCREENING:
        # station officers screen only where there are no community officers to do it
        return policy.p.staff.community_officers == 0
    return kind in station


def _check_rules(m: PolicingModel) -> int:
    policy, checked = m.policy, 0
    for t, tw in enumerate(m.townships):
        for r in m.dispatchers[t].responders:
            zone = policy.zone(r)
            for place in range(tw.n_villages + 1):  # every village and the station
                cluster = tw.cluster_of[place]
                for kind in JobKind:
                    job = Job(kind, place, Urgency.CALL, m.time, t, cluster=cluster)
                    ok = policy.eligible(r, job)
                    assert ok == _rule(policy, r, kind, place, cluster), (r.role, kind, place)
                    if ok:  # the dispatcher looks for it where it stands
                        assert zone in ((0,), (1, cluster), (2, place)), (r.role, zone, kind)
                    checked += 1
    return checked


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small)
def test_eligible_and_zone_agree_for_every_role_job_and_place(p):
    m = _model(p)
    assert _check_rules(m) > 0
    m.run_until(1.5 * 1440)  # part-way: center turns have rotated, shifts changed
    _check_rules(m)
    m.run_until(m.horizon)
    _check_rules(m)


def test_the_rules_are_checked_for_every_role():
    # one township with every role: the property above really meets each of them
    m = _model({"villages": 6, "clusters": 2, "station": 4, "community": 2, "aux": 8,
                "groups": 2, "components": [True] * 6, "seed": 1}, days=1)
    assert {r.role for r in m.responders()} == set(Role)
    _check_rules(m)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small)
def test_no_responder_is_ever_in_two_jobs(p):
    m = _model(p, days=4.0, extra=True)
    real = Responder.dispatch
    taken: set[int] = set()

    def dispatch(self, job):
        assert self.job is None and self.free, "sent while busy or off duty"
        assert job.responder is None and job.seq not in taken, "a job sent twice"
        assert m.policy.eligible(self, job)
        taken.add(job.seq)
        real(self, job)

    Responder.dispatch = dispatch
    try:
        m.simulate()
    finally:
        Responder.dispatch = real
    assert taken  # the check really ran


# ---------------------------------------------------------------- duty boundaries

# 60 km/h, circuity 1, 1 km cells; one village 10 km east (its own center office).
MICRO = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
         "travel.turnout_min=2", "travel.local_trip_min=5", "staff.community_officers=0",
         "staff.auxiliaries=0", "warmup_days=0", "days=2"]


def _chief_run(start_h: float, hours: float, call_times: list[float]) -> dict[float, float]:
    """A lone district chief at the center office (the village itself): call -> dispatch."""
    scn = scenario(*MICRO, "staff.station_officers=1", "shifts.duty_groups=1",
                   "reform.center_offices=true", f"shifts.day_start_h={start_h}",
                   f"shifts.day_hours={hours}")
    calls = [ExtraCall(t, 0, CallKind.PUBLIC_ORDER, 10.0) for t in call_times]
    m = PolicingModel(scn, layouts=[line_layout([10.0])], extra_calls=calls)
    assert [r.role for r in m.responders()] == [Role.DISTRICT_CHIEF]
    rec = m.simulate()
    return {c["t_call"]: c["t_dispatch"] for c in rec.calls}


def test_a_day_shift_ending_exactly_at_midnight():
    # 16:00-24:00. 15:59 waits for 16:00; 23:50 is taken (7 min there, 10 on scene: the job
    # runs past midnight); 24:00 is the next day's, off duty: it waits until 16:00 on day 2.
    got = _chief_run(16, 8, [959.0, 1430.0, 1440.0])
    assert got == {959.0: 960.0, 1430.0: 1430.0, 1440.0: 1440.0 + 960.0}


def test_a_day_shift_starting_at_midnight():
    # 00:00-08:00: on duty from time 0; 08:00 is off (waits for 24:00, the second day's
    # shift); 25:00 on the second day is taken at once
    got = _chief_run(0, 8, [0.0, 479.0, 480.0, 1500.0])
    assert got == {0.0: 0.0, 479.0: 479.0, 480.0: 1440.0, 1500.0: 1500.0}


def test_a_day_shift_across_midnight():
    # 20:00-04:00: under way at time 0 (the shift that began the evening before)
    # 04:00 waits for 20:00; 21:40 is taken; 03:59 on day 2 still in the evening's shift
    got = _chief_run(20, 8, [0.0, 239.0, 240.0, 1300.0, 1440.0 + 239.0])
    assert got == {0.0: 0.0, 239.0: 239.0, 240.0: 1200.0, 1300.0: 1300.0,
                   1440.0 + 239.0: 1440.0 + 239.0}


def test_a_24_hour_day_shift_never_stops():
    got = _chief_run(0, 24, [0.0, 1420.0, 1440.0, 2000.0])
    assert got == {0.0: 0.0, 1420.0: 1420.0, 1440.0: 1440.0, 2000.0: 2000.0}


def test_duty_rotation_hands_over_at_midnight():
    # three groups of one officer on 8-hour shifts from 00:00: group 0 00-08, 1 08-16,
    # 2 16-24, group 0 again from 24:00
    scn = scenario(*MICRO, "staff.station_officers=3", "shifts.duty_groups=3",
                   "shifts.shift_hours=8")
    times = [0.0, 479.0, 480.0, 959.0, 960.0, 1439.0, 1440.0, 1919.0, 1920.0]
    calls = [ExtraCall(t, 0, CallKind.PUBLIC_ORDER, 0.5) for t in times]
    m = PolicingModel(scn, layouts=[line_layout([10.0])], extra_calls=calls)
    group = {r.unique_id: r.duty_group for r in m.responders()}
    assert sorted(group.values()) == [0, 1, 2]
    rec = m.simulate()
    got = {c["t_call"]: group[c["responder_id"]] for c in rec.calls}
    assert got == {0.0: 0, 479.0: 0, 480.0: 1, 959.0: 1, 960.0: 2, 1439.0: 2, 1440.0: 0,
                   1919.0: 0, 1920.0: 1}
    assert all(c["t_dispatch"] == c["t_call"] for c in rec.calls)


def test_components_active_names_the_components_switched_on():
    from sim.world.policies import Components

    assert Components().active() == []
    assert Components(screening=True, village_auxiliaries=True).active() == [
        "village_auxiliaries", "screening"]  # in the order the fields are declared
