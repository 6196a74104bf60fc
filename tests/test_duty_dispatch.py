"""Duty regimes, the written dispatch rule and the officer-required rule, by hand-timed cases.

Geometry as in test_micro: 60 km/h, circuity 1, 1 km cells, turnout 2 min, a trip inside a
village 5 min; a village d km from the station is d + 2 minutes away.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import QUIET, line_layout, scenario
from conftest import clocks as _clocks

from sim.experiments.metrics import resources
from sim.experiments.run import run_once
from sim.scenario import load_scenario
from sim.world.disputes import DisputeKind
from sim.world.jobs import CallKind
from sim.world.model import ExtraCall, ExtraDispute, PolicingModel
from sim.world.responders import Activity, Role

ROOT = Path(__file__).resolve().parents[1]
GEOMETRY = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
            "travel.turnout_min=2", "travel.local_trip_min=5", "warmup_days=0", "days=1",
            "shifts.duty_groups=1", "calls.casework_hours=0", "follow_up_days=0"]
# one station officer at the station; one auxiliary living in village 0, 30 km out
RESIDENT = [*GEOMETRY, "staff.station_officers=1", "staff.community_officers=0",
            "staff.auxiliaries=1", "reform.village_auxiliaries=true",
            "duty.on_call_answer_prob=1"]


def _run(sets, calls=(), disputes=(), distances=(30.0,), clusters=None):
    m = PolicingModel(scenario(*sets), layouts=[line_layout(list(distances), clusters)],
                      extra_calls=calls, extra_disputes=disputes)
    return m, m.simulate()


@pytest.mark.parametrize(("t_call", "extra"), [
    (3 * 60.0, 20.0),  # 03:00: asleep at home, the night turnout (22:00-06:00)
    (18 * 60.0, 5.0),  # 18:00: on call at home in the evening
    (10 * 60.0, 0.0),  # 10:00: on duty in the village (08:00-16:00)
])
def test_resident_auxiliary_turnout_by_time_of_day(t_call, extra):
    _, rec = _run(RESIDENT, calls=[ExtraCall(t_call, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = rec.calls
    assert c["responder_role"] == "auxiliary"
    assert c["t_arrive"] == t_call + 7.0 + extra  # 2 turnout + 5 in the village + on-call extra


def test_auxiliary_off_duty_and_not_on_call_leaves_the_call_to_the_station():
    _, rec = _run([*RESIDENT, "duty.on_call_at_home=false"],
                  calls=[ExtraCall(180.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = rec.calls
    assert c["responder_role"] == "station_officer" and c["t_arrive"] == 180.0 + 32.0


def test_auxiliary_on_call_who_does_not_answer_is_passed_over():
    _, rec = _run([*RESIDENT, "duty.on_call_answer_prob=0"],
                  calls=[ExtraCall(180.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = rec.calls
    assert c["responder_role"] == "station_officer" and c["t_arrive"] == 212.0


def test_resident_auxiliary_hours_on_duty_and_on_call():
    m, _ = _run([*RESIDENT, "days=3", "duty.village_auxiliary_hours=6"])
    aux = next(r for r in m.responders() if r.role is Role.AUXILIARY)
    b = aux.budget
    assert b[Activity.DUTY] == pytest.approx(3 * 6 * 60.0)
    assert b[Activity.ON_CALL] == pytest.approx(3 * 18 * 60.0)
    assert b[Activity.OFF_DUTY] == 0.0


def test_station_roster_gives_each_member_one_shift_in_three():
    m, _ = _run([*GEOMETRY, "days=3", "shifts.duty_groups=3", "staff.station_officers=1",
                 "staff.community_officers=1", "staff.auxiliaries=1"])
    for r in m.responders():  # groups 0, 0, 0 by role order; 8 h a day each
        assert r.budget[Activity.DUTY] == pytest.approx(3 * 8 * 60.0), r.post


def test_roster_leave_is_taken_on_the_days_the_rule_says():
    # 73 days a year is f = 0.2: member 0 of 1 is on leave on days 4 and 9 of 10
    m, _ = _run([*GEOMETRY, "days=10", "staff.station_officers=1", "staff.community_officers=0",
                 "staff.auxiliaries=0", "duty.roster_leave_days_year=73"])
    (o,) = m.responders()
    assert o.budget[Activity.DUTY] == pytest.approx(8 * 1440.0)


def test_day_role_works_its_days_per_week():
    m, _ = _run([*GEOMETRY, "days=7", "staff.station_officers=1", "staff.community_officers=1",
                 "staff.auxiliaries=0", "reform.dedicated_community_officers=true",
                 "duty.community_officer_days_per_week=5", "community_work.elderly_visits=false"])
    co = next(r for r in m.responders() if r.role is Role.COMMUNITY_OFFICER)
    assert co.budget[Activity.DUTY] == pytest.approx(5 * 9 * 60.0)  # 08:00-17:00, 5 days


def test_center_turn_takes_the_auxiliary_to_the_center_office():
    # two villages of one cluster: the center office is in the more populous one (village 0
    # here, by the layout's rule when populations tie); the turn runs from 08:00 for 24 h
    sets = [*RESIDENT, "reform.center_offices=true", "staff.auxiliaries=2", "days=2"]
    m, _ = _run(sets, calls=[ExtraCall(12 * 60.0, 1, CallKind.PUBLIC_ORDER, 30.0)],
                  distances=(30.0, 31.0))
    center = int(m.townships[0].center_village[0])
    on_turn = [r for r in m.responders() if r.role is Role.AUXILIARY and r.at_center]
    assert len(on_turn) == 1 and on_turn[0].base == center


def test_officer_required_call_gets_an_officer_after_the_auxiliary():
    _, rec = _run(RESIDENT, calls=[ExtraCall(600.0, 0, CallKind.THEFT, 30.0)])
    (c,) = rec.calls
    assert c["officer_required"] and c["responder_role"] == "auxiliary"
    assert c["t_arrive"] == 607.0  # the auxiliary, on duty in the village
    assert c["t_officer_arrive"] == 632.0  # the station officer, sent at once: 30 km + 2


def test_not_officer_required_call_gets_no_officer():
    _, rec = _run(RESIDENT, calls=[ExtraCall(600.0, 0, CallKind.PUBLIC_ORDER, 30.0)])
    (c,) = rec.calls
    assert not c["officer_required"] and c["t_officer_arrive"] is None


def test_officer_required_calls_always_have_an_officer_arrival():
    s = load_scenario(ROOT / "scenarios/center_office.toml", ["days=40", "warmup_days=0"])
    r = run_once(s)
    c = r.tables.calls
    req = c[c["officer_required"].astype(bool) & (c["t_call"] < (s.days - 1) * 1440.0)]
    assert len(req) > 20
    assert req["t_officer_arrive"].notna().all()
    assert (req["t_officer_arrive"] >= req["t_call"]).all()
    officer_first = req[req["responder_role"] != "auxiliary"]
    assert (officer_first["t_officer_arrive"] == officer_first["t_arrive"]).all()


def test_station_auxiliaries_take_their_fair_share_of_calls():
    """Longest idle first: everyone at the station is equally near, so over many calls each
    member of a shift takes an equal share: 12 of the 18 on duty (4 station officers, 2
    community officers, 12 auxiliaries per group) are auxiliaries, 2/3 by hand."""
    sets = [*QUIET, "calls.other_per_hour=1", "calls.casework_hours=0", "days=40",
            "warmup_days=0"]
    s = load_scenario(ROOT / "scenarios/station_centred.toml", sets)
    c = run_once(s).tables.calls
    share = (c["responder_role"] == "auxiliary").mean()
    assert len(c) > 800
    assert share == pytest.approx(2 / 3, abs=0.03)
    assert (c["responder_role"] == "station_officer").mean() == pytest.approx(4 / 18, abs=0.03)


def test_tie_break_never_follows_creation_order():
    """One call at a time to two identical station responders: longest idle alternates."""
    sets = [*GEOMETRY, "staff.station_officers=2", "staff.community_officers=0",
            "staff.auxiliaries=0"]
    calls = [ExtraCall(100.0 * (k + 1), 0, CallKind.PUBLIC_ORDER, 10.0) for k in range(6)]
    _, rec = _run(sets, calls=calls, distances=(10.0,))
    ids = [c["responder_id"] for c in sorted(rec.calls, key=lambda c: c["t_call"])]
    assert ids[0] != ids[1] and ids[0::2] == [ids[0]] * 3 and ids[1::2] == [ids[1]] * 3


@pytest.mark.parametrize("variant", ["center_office_equal_hours"])
def test_equal_hours_variant_within_one_percent(variant):
    sets = [*QUIET, "days=18", "warmup_days=0", "follow_up_days=0"]
    total = []
    for name in ("station_centred", variant):
        tab = run_once(load_scenario(ROOT / f"scenarios/{name}.toml", sets)).tables
        total.append(sum(v["on_duty_hours"] for v in resources(tab).values()))
    assert total[0] == pytest.approx(54 * 8 * 365)  # 54 staff, 8 h a day, per 365 days
    assert abs(total[1] / total[0] - 1) <= 0.01


def test_no_role_is_idle_all_year_in_a_shipped_scenario():
    files = sorted((ROOT / "scenarios").glob("center_office*.toml")) + sorted(
        (ROOT / "scenarios/components").glob("*.toml"))
    for f in files:
        tab = run_once(load_scenario(f, ["days=45", "warmup_days=15"])).tables
        for post, v in resources(tab).items():
            assert v["busy_hours"] > 0 and v["jobs"] > 0, (f.name, post)


# ---------------------------------------------------------------- mediation skills

#: who mediates a quarrel called in at 10:00: (overrides, success parameter)
MEDIATORS = {
    "station_officer": (["staff.station_officers=1", "staff.community_officers=0",
                         "staff.auxiliaries=0"], "mediation.success_station_officer"),
    "community_officer": (["staff.station_officers=0", "staff.community_officers=1",
                           "staff.auxiliaries=0"], "mediation.success_community_officer"),
    "auxiliary": (["staff.station_officers=0", "staff.community_officers=0",
                   "staff.auxiliaries=1"], "mediation.success_auxiliary"),
    "district_chief": (["staff.station_officers=1", "staff.community_officers=0",
                        "staff.auxiliaries=0", "reform.center_offices=true"],
                       "mediation.success_district_chief"),
}


@pytest.mark.parametrize("role", sorted(MEDIATORS))
def test_each_success_parameter_moves_the_outcome(role):
    sets, key = MEDIATORS[role]
    d = ExtraDispute(0.0, 0, _clocks(flare=600.0))
    outcomes = {}
    for p in (0.0, 1.0):
        _, rec = _run([*GEOMETRY, *sets, f"{key}={p}"], disputes=[d], distances=(10.0,))
        (row,) = rec.disputes
        assert rec.calls[0]["responder_role"] == role
        outcomes[p] = row["outcome"]
    # p = 1 settles it at the first mediation; p = 0 never settles it (the only mediator
    # always fails), whatever its later episodes' clocks then do
    assert outcomes[1.0] == "resolved" and outcomes[0.0] != "resolved", outcomes


def test_joint_success_parameter_moves_the_outcome():
    sets = [*GEOMETRY, "staff.station_officers=1", "staff.community_officers=0",
            "staff.auxiliaries=0", "reform.joint_mediation=true",
            "mediation.success_station_officer=0", "mediation.joint_convene_mean_days=0",
            "mediation.tension_decay=1"]  # the referral raises tension to 2
    d = ExtraDispute(0.0, 0, _clocks(flare=600.0), kind=DisputeKind.LAND)
    outcomes = {}
    for p in (0.0, 1.0):
        _, rec = _run([*sets, f"mediation.success_joint={p}"], disputes=[d], distances=(10.0,))
        (row,) = rec.disputes
        assert row["referred"]
        outcomes[p] = (row["outcome"], row["resolved_by"])
    assert outcomes == {0.0: ("open", ""), 1.0: ("resolved", "joint")}


def test_community_officer_skill_does_not_depend_on_a_component():
    """The same community officer, the same dispute: dedicated or not, the same P(success)."""
    d = ExtraDispute(0.0, 0, _clocks(flare=600.0))
    for dedicated in ("false", "true"):
        m = PolicingModel(scenario(*GEOMETRY, "staff.station_officers=0",
                                   "staff.community_officers=1", "staff.auxiliaries=0",
                                   f"reform.dedicated_community_officers={dedicated}"),
                          layouts=[line_layout([10.0])], extra_disputes=[d])
        co = m.responders()[0]
        m.run_until(1.0)
        dispute = m.disputes_by_id[0]
        assert m.policy.mediation_success(m, co, dispute, None) == \
            m.params.mediation.success_community_officer


def test_followup_visit_mediates_a_dispute_again():
    """A failed mediation by the station officer; 7 days later the dedicated community
    officer's follow-up visit finds it latent and settles it (success 1)."""
    sets = [*GEOMETRY, "days=10", "staff.station_officers=1", "staff.community_officers=1",
            "staff.auxiliaries=0", "reform.dedicated_community_officers=true",
            "mediation.success_station_officer=0", "mediation.success_community_officer=1",
            "community_work.elderly_visits=false",
            # after the failed mediation nothing happens by itself for months: the follow-up
            # visit (days later) meets the dispute still simmering
            "disputes.flare_mean_days=10000", "disputes.subside_mean_days=100000",
            "disputes.escalate_scale_days=100000"]
    d = ExtraDispute(0.0, 0, _clocks(flare=600.0))
    _, rec = _run(sets, disputes=[d], distances=(10.0,))
    (row,) = rec.disputes
    assert row["outcome"] == "resolved" and row["resolved_by"] == "community_officer"
    _, rec = _run([*sets, "community_work.followup_visits=false"], disputes=[d],
                  distances=(10.0,))
    # without the follow-up only the station officer (success 0) ever mediates it: never
    # settled, whatever its later episodes' clocks do
    assert rec.disputes[0]["outcome"] != "resolved"


def test_no_literal_probability_in_the_model_world():
    """Rates and probabilities come from the scenario; the literals left are geometry
    (stratified village radii), a guard against division by zero and the counter-based
    uniform's arithmetic ((k + 1/2) / 2**53, streams.py), numerical guards of the road network
    (zero-length edges, rounding) and of risk-targeted screening's ties, and the halving of a
    village's familiarity per half-life (reporting.py)."""
    allowed = {("geography.py", 0.05), ("geography.py", 0.95), ("residents.py", 1e-12),
               ("streams.py", 0.5), ("streams.py", 2.0 ** -53), ("roads.py", 1e-9),
               ("roads.py", 1e-6), ("households.py", 1e-12), ("reporting.py", 0.5)}
    found = set()
    for p in (ROOT / "sim/world").rglob("*.py"):
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Constant) and isinstance(n.value, float) and 0 < n.value < 1:
                found.add((p.name, n.value))
    assert found <= allowed, found - allowed


def test_outputs_state_resources_and_whether_the_comparison_is_equal_resource(tmp_path):
    import json

    from typer.testing import CliRunner

    from sim.cli import app

    sets = ["--set", "days=10", "--set", "warmup_days=2"]
    r = CliRunner().invoke(app, ["run", str(ROOT / "scenarios/center_office.toml"), "--json",
                                 *sets])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["resources"]
    assert res["village_auxiliary"]["headcount"] == 36
    assert res["village_auxiliary"]["on_call_hours"] > 0
    assert {"on_duty_hours", "busy_hours", "jobs", "busy_travel_hours"} <= set(
        res["station_officer"])
    r = CliRunner().invoke(app, ["compare", str(ROOT / "scenarios/station_centred.toml"),
                                 str(ROOT / "scenarios/center_office.toml"), "--reps", "1",
                                 "--out", str(tmp_path / "cmp"), *sets])
    assert r.exit_code == 0, r.output
    assert "NOT an equal-resource comparison" in r.stdout and "village_auxiliary" in r.stdout
    assert (tmp_path / "cmp/b/resources.csv").read_text().startswith("replication,post,")
