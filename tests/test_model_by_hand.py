"""The model's set-up, draws and bookkeeping checked by hand (issue 20, round 6 survivors).

Each expected value is worked out in the comment beside it, or re-derived by an independent
method (the same generator drawn in the documented order, a run with the mechanism off), never
by the code under test. MUTATION_NOTES.txt of the branch lists the mutants these were written for.
"""


from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from conftest import BY_HAND as BASE
from conftest import by_hand_model as _model
from conftest import clocks as _clocks
from conftest import line_layout, scenario

from sim.scenario import DISPUTE_KINDS
from sim.world.disputes import Channel, DisputeKind, DisputeState
from sim.world.households import RiskTargeting
from sim.world.jobs import CallKind, Job, JobKind, Urgency
from sim.world.model import ExtraCall, ExtraDispute, PolicingModel
from sim.world.streams import (
    DETECTION,
    ON_SCENE,
    dispute_uniform,
)

FAMILY = DISPUTE_KINDS.index("family")
DAY = 1440.0


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


def test_known_disputes_of_a_village_add_up_with_decay():
    # risk memory of one day: a dispute met at 0 counts e^-1 a day later, plus the one met then
    m = _model(["screening.risk_memory_days=1"])
    rt = RiskTargeting(m)
    rt.known_dispute(0, 0, 0.0)
    rt.known_dispute(0, 0, DAY)
    assert rt.dispute_score(0, 0, DAY) == pytest.approx(math.exp(-1) + 1)
    assert rt.dispute_score(0, 1, DAY) == 0.0  # another village: none known


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
    assert [_fields(j) for j in jobs] == [  # cluster -1: the station is in no cluster
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 240.0, -1),
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 240.0, -1),
        (JobKind.CASEWORK, 2, Urgency.CASEWORK, 0.0, 0, 120.0, -1)]
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


@pytest.mark.parametrize(("is_officer", "officer_sent"), [(False, True), (True, False)])
def test_a_call_answered_in_person_still_needs_its_officer(is_officer, officer_sent):
    # a traffic call (officers required) in village 1, answered at once by whoever is on the
    # spot: its record is dispatched, reached and cleared now with no travel; an auxiliary
    # there still has an officer sent (the call's urgency, to village 1), an officer does not
    m, jobs = _spied('dispatch.officer_required_kinds=["traffic"]')
    call = m.new_call(CallKind.TRAFFIC, 0, 1, service_min=33.0)
    on_spot = SimpleNamespace(unique_id=77, role=SimpleNamespace(value="x"), place=1,
                              is_officer=is_officer)
    m.answer_call_in_person(call, on_spot)
    rec = m.records.calls[0]
    assert (rec["t_dispatch"], rec["t_arrive"], rec["t_clear"], rec["travel_min"]) == (
        0.0, 0.0, 0.0, 0.0)
    assert (rec["responder_id"], rec["from_place"]) == (77, 1)
    assert rec["t_officer_arrive"] == (None if officer_sent else 0.0)
    sent = [(j.kind, j.place, j.urgency) for j in jobs[1:]]
    assert sent == ([(JobKind.OFFICER_ATTENDANCE, 1, Urgency.EMERGENCY)] if officer_sent
                    else [])


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
