"""Reform components' staffing and eligibility, checked by hand on tiny inputs.

Staffing is checked on models built from hand-made layouts (each post's base, cluster, zone,
duty group, job kinds and leave); eligibility zones on bare namespaces. The duty regimes are in
test_duty_by_hand.py, road trips and clustering in test_geography_by_hand.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import QUIET, line_layout, scenario

from sim.world.components import eligibility as kinds
from sim.world.components.eligibility import eligible, zone
from sim.world.geography import Layout
from sim.world.jobs import JobKind
from sim.world.model import PolicingModel
from sim.world.responders import Role

# ------------------------------------------------------------------ eligibility


def _r(at_center=False, cluster=-1, home=-1, kinds_=kinds.AUXILIARY):
    return SimpleNamespace(at_center=at_center, cluster=cluster, home=home, kinds=kinds_)


def test_zone_of_each_kind_of_post():
    assert zone(_r()) == (0,)  # station-based: the whole township
    assert zone(_r(at_center=True, cluster=1)) == (1, 1)
    assert zone(_r(at_center=True, cluster=0, home=3)) == (1, 0)  # a turn: the cluster
    assert zone(_r(home=0)) == (2, 0)  # living in village 0 (index 0 is a village)
    assert zone(_r(home=4)) == (2, 4)


def test_eligible_checks_the_kind_then_the_zone():
    call = SimpleNamespace(kind=JobKind.OTHER_CALL, cluster=1, place=0)
    casework = SimpleNamespace(kind=JobKind.CASEWORK, cluster=1, place=0)
    assert eligible(_r(), call) and not eligible(_r(), casework)
    assert eligible(_r(at_center=True, cluster=1), call)
    assert not eligible(_r(at_center=True, cluster=0), call)
    assert not eligible(_r(at_center=True, cluster=0, home=0), call)  # the turn's cluster
    assert eligible(_r(home=0), call) and not eligible(_r(home=2), call)
    elsewhere = SimpleNamespace(kind=JobKind.OTHER_CALL, cluster=0, place=3)
    assert not eligible(_r(home=0), elsewhere)  # village 0's auxiliary: only village 0
    assert eligible(_r(kinds_=kinds.STATION_OFFICER), casework)


# ------------------------------------------------------------------ staffing


def _model(*sets: str, distances=(10.0, 11.0, 20.0, 21.0), clusters=(0, 0, 1, 1)):
    return PolicingModel(scenario(*QUIET, "warmup_days=0", "days=1", *sets),
                         layouts=[line_layout(list(distances), list(clusters))])


def test_station_auxiliaries_at_center_offices_share_out_round_by_round():
    # center offices, auxiliaries on the roster (not in villages): 1 station officer (the
    # district chief: min(2 centers, 1) = 1), no community officers, 5 auxiliaries. Each
    # cluster's two villages have equal populations: the medoid cost ties and the first,
    # villages 0 and 2, host the offices. Auxiliary i goes to cluster i % 2 at its office,
    # in duty group i // 2 (of 3): groups 0, 0, 1, 1, 2.
    m = _model("reform.center_offices=true", "reform.village_auxiliaries=false",
               "staff.station_officers=1", "staff.community_officers=0", "staff.auxiliaries=5",
               "shifts.duty_groups=3")
    assert m.townships[0].center_village.tolist() == [0, 2]
    aux = [r for r in m.responders() if r.role is Role.AUXILIARY]
    assert [(a.base, a.cluster, a.at_center, a.home, a.duty_group) for a in aux] == [
        (0, 0, True, -1, 0), (2, 1, True, -1, 0), (0, 0, True, -1, 1), (2, 1, True, -1, 1),
        (0, 0, True, -1, 2)]
    assert {a.post for a in aux} == {"center_auxiliary"}
    assert all(a.kinds == kinds.AUXILIARY for a in aux)
    assert m.policy.duty.roster.members == aux  # the chief is on the day shift
    assert [zone(a) for a in aux] == [(1, 0), (1, 1), (1, 0), (1, 1), (1, 0)]


def test_station_auxiliaries_without_center_offices_stay_at_the_station():
    # no center offices: 1 station officer then 2 auxiliaries, all on the roster at the
    # station (place 4), groups by staffing index within the role: officer 0, auxiliaries 0, 1
    _, by, duty = _staffed("reform.center_offices=false", "reform.village_auxiliaries=false",
                           "staff.station_officers=1", "staff.community_officers=0",
                           "staff.auxiliaries=2")
    aux = by[Role.AUXILIARY]
    assert [(a.base, a.cluster, a.at_center, a.home, a.duty_group, a.post) for a in aux] == [
        (4, -1, False, -1, 0, "station_auxiliary"), (4, -1, False, -1, 1, "station_auxiliary")]
    assert all(a.kinds == kinds.AUXILIARY for a in aux)
    assert duty.roster.members == by[Role.STATION_OFFICER] + aux
    assert duty.leave.members[0]["auxiliaries"] == aux


def test_station_auxiliaries_register_for_festival_leave_as_auxiliaries():
    m = _model("reform.center_offices=true", "reform.village_auxiliaries=false",
               "staff.station_officers=1", "staff.community_officers=0", "staff.auxiliaries=3",
               "rhythm.enabled=true", "rhythm.spring_festival_leave_auxiliaries=0.5")
    aux = [r for r in m.responders() if r.role is Role.AUXILIARY]
    by_cat = m.policy.duty.leave.members[0]
    assert by_cat["auxiliaries"] == aux and aux[0] not in by_cat["station_officers"]


def _staffed(*sets, layout=None):
    m = PolicingModel(scenario(*QUIET, "warmup_days=0", "days=1", "rhythm.enabled=true",
                               "rhythm.spring_festival_leave_station_officers=0.5",
                               "rhythm.spring_festival_leave_community_officers=0.5",
                               "rhythm.spring_festival_leave_auxiliaries=0.5",
                               "rhythm.spring_festival_start_day=100", "shifts.duty_groups=3",
                               *sets),
                      layouts=[layout or line_layout([10.0, 11.0, 20.0, 21.0], [0, 0, 1, 1])])
    by_role = {role: [r for r in m.responders() if r.role is role] for role in Role}
    return m, by_role, m.policy.duty


def test_old_model_staffing_puts_everyone_on_the_station_roster():
    # no center offices, rostered community officers, station auxiliaries: every one at the
    # station (place 4), in duty group = index within the role (mod 3)
    m, by, duty = _staffed("reform.center_offices=false",
                           "reform.dedicated_community_officers=false",
                           "reform.village_auxiliaries=false", "staff.station_officers=4",
                           "staff.community_officers=2", "staff.auxiliaries=1")
    so, co = by[Role.STATION_OFFICER], by[Role.COMMUNITY_OFFICER]
    assert [(r.base, r.duty_group, r.post, r.at_center, r.cluster) for r in so] == [
        (4, 0, "station_officer", False, -1), (4, 1, "station_officer", False, -1),
        (4, 2, "station_officer", False, -1), (4, 0, "station_officer", False, -1)]
    assert all(r.kinds == kinds.STATION_OFFICER for r in so)  # community officers screen
    assert [(r.base, r.duty_group, r.post) for r in co] == [
        (4, 0, "community_officer"), (4, 1, "community_officer")]
    assert all(r.kinds == kinds.ROSTERED_COMMUNITY_OFFICER for r in co)
    assert by[Role.DISTRICT_CHIEF] == [] and duty.day.members == []
    assert duty.roster.members == so + co + by[Role.AUXILIARY]
    assert m.policy.centers.centers(m, 0) == []
    assert duty.leave.members[0] == {"station_officers": so, "community_officers": co,
                                     "auxiliaries": by[Role.AUXILIARY]}


@pytest.mark.parametrize(("community", "screens"), [(0, True), (1, False)])
def test_station_officers_screen_where_there_are_no_community_officers(community, screens):
    _, by, _ = _staffed("reform.center_offices=false", "staff.station_officers=1",
                        f"staff.community_officers={community}", "staff.auxiliaries=0")
    (o,) = by[Role.STATION_OFFICER]
    assert o.kinds == kinds.STATION_OFFICER | ({JobKind.SCREENING} if screens else set())


@pytest.mark.parametrize(("n", "chiefs"), [
    (5, 2),  # min(2 centers, 5 - 1)
    (3, 2),  # min(2, 2)
    (2, 1),  # one stays at the station
    (1, 1),  # a lone officer heads the office (n - 1 only when n > 1)
])
def test_center_offices_make_the_first_station_officers_district_chiefs(n, chiefs):
    # centers at villages 0 and 2 (equal populations: the first of each cluster); chief i
    # heads cluster i's office by day; the rest stand the roster at the station
    m, by, duty = _staffed("reform.center_offices=true",
                           "reform.dedicated_community_officers=true",
                           "reform.village_auxiliaries=false", f"staff.station_officers={n}",
                           "staff.community_officers=0", "staff.auxiliaries=0",
                           "duty.district_chief_days_per_week=5",
                           "duty.day_role_leave_days_year=7")
    assert m.policy.centers.centers(m, 0) == [0, 2]
    dc, so = by[Role.DISTRICT_CHIEF], by[Role.STATION_OFFICER]
    assert [(r.base, r.cluster, r.post) for r in dc] == [(0, 0, "district_chief"),
                                                          (2, 1, "district_chief")][:chiefs]
    assert all(r.at_center and r.kinds == kinds.DISTRICT_CHIEF for r in dc)
    assert not any(r.on_duty for r in dc)  # the 08:00-17:00 day shift is not under way at 0
    assert [zone(r) for r in dc] == [(1, 0), (1, 1)][:chiefs]
    assert duty.day.members == [(r, i, chiefs, 5, 7.0) for i, r in enumerate(dc)]
    assert [(r.base, r.duty_group, r.post, r.at_center) for r in so] == [
        (4, i % 3, "station_officer", False) for i in range(n - chiefs)]
    assert all(r.kinds == kinds.STATION_OFFICER | {JobKind.SCREENING} for r in so)
    assert duty.roster.members == so
    assert duty.leave.members[0]["station_officers"] == dc + so


def test_dedicated_community_officers_work_by_day_at_the_center_offices():
    # 3 community officers over centers 0 and 2: offices 0, 2, 0 (i % 2); members i of 3
    _, by, duty = _staffed("reform.center_offices=true",
                           "reform.dedicated_community_officers=true",
                           "reform.village_auxiliaries=false", "staff.station_officers=3",
                           "staff.community_officers=3", "staff.auxiliaries=0",
                           "duty.community_officer_days_per_week=6",
                           "duty.district_chief_days_per_week=5",
                           "duty.day_role_leave_days_year=4")
    co = by[Role.COMMUNITY_OFFICER]
    assert [(r.base, r.post, r.at_center, r.cluster) for r in co] == [
        (0, "dedicated_community_officer", False, -1), (2, "dedicated_community_officer",
                                                        False, -1),
        (0, "dedicated_community_officer", False, -1)]
    assert all(r.kinds == kinds.DEDICATED_COMMUNITY_OFFICER for r in co)
    assert not any(r.on_duty for r in co)  # off duty until the 08:00 day shift
    assert duty.day.members[2:] == [(r, i, 3, 6, 4.0) for i, r in enumerate(co)]
    assert co[0] not in duty.roster.members
    assert duty.leave.members[0]["community_officers"] == co
    # station officers do not screen where there are community officers
    assert all(r.kinds == kinds.STATION_OFFICER for r in by[Role.STATION_OFFICER])


def test_dedicated_community_officers_without_center_offices_work_at_the_station():
    _, by, duty = _staffed("reform.center_offices=false",
                           "reform.dedicated_community_officers=true",
                           "staff.station_officers=1", "staff.community_officers=2",
                           "staff.auxiliaries=0", "duty.community_officer_days_per_week=5")
    co = by[Role.COMMUNITY_OFFICER]
    assert [r.base for r in co] == [4, 4]
    assert duty.day.members == [(r, i, 2, 5, 0.0) for i, r in enumerate(co)]


def _pop_layout():
    # populations 100, 300, 200, 300 in clusters 0, 0, 1, 1 (1 km cells, villages on a line)
    return Layout(("A", "B", "C", "D"), np.array([10.0, 11.0, 20.0, 21.0]), np.zeros(4),
                  np.array([100, 300, 200, 300]), np.array([0, 0, 1, 1]), (0.0, 0.0))


def test_village_auxiliaries_live_in_the_most_populous_villages_first():
    # villages by population, ties by index: 1 (300), 3 (300), 2 (200), 0 (100); 5
    # auxiliaries: homes 1, 3, 2, 0, 1 (i % 4), clusters 0, 1, 1, 0, 0. Center offices: the
    # population-weighted medoid: cluster 0 village 1 (1 km x 100 < 1 km x 300), cluster 1
    # village 3 (1 x 200 < 1 x 300). Turn orders: cluster 0 [a0, a3, a4], cluster 1 [a1, a2].
    # At time 0 day -1's turns (from 08:00 for 24 h) are under way: order[-1 % 3] = a4 and
    # order[-1 % 2] = a2, at their offices.
    m, by, duty = _staffed("reform.center_offices=true", "reform.village_auxiliaries=true",
                           "staff.station_officers=1", "staff.community_officers=0",
                           "staff.auxiliaries=5", "shifts.day_start_h=8",
                           "duty.center_turn_hours=24", layout=_pop_layout())
    assert m.policy.centers.centers(m, 0) == [1, 3]
    a = by[Role.AUXILIARY]
    assert [(r.home, r.cluster, r.post) for r in a] == [
        (1, 0, "village_auxiliary"), (3, 1, "village_auxiliary"), (2, 1, "village_auxiliary"),
        (0, 0, "village_auxiliary"), (1, 0, "village_auxiliary")]
    assert all(r.kinds == kinds.AUXILIARY for r in a)
    assert duty.resident.members == [(r, i, 5) for i, r in enumerate(a)]
    assert duty.resident.turns == [([a[0], a[3], a[4]], 1), ([a[1], a[2]], 3)]
    assert [(r.at_center, r.base) for r in a] == [(False, 1), (False, 3), (True, 3),
                                                  (False, 0), (True, 1)]
    assert a[0] not in duty.roster.members
    assert duty.leave.members[0]["auxiliaries"] == a


def test_village_auxiliaries_without_center_offices_take_no_turns():
    # 2 auxiliaries in the two most populous villages (1 and 3), no offices, no turns
    _, by, duty = _staffed("reform.center_offices=false", "reform.village_auxiliaries=true",
                           "staff.station_officers=1", "staff.community_officers=0",
                           "staff.auxiliaries=2", layout=_pop_layout())
    a = by[Role.AUXILIARY]
    assert [(r.home, r.base, r.cluster, r.at_center) for r in a] == [(1, 1, 0, False),
                                                                     (3, 3, 1, False)]
    assert duty.resident.turns == [] and duty.resident.members == [(a[0], 0, 2), (a[1], 1, 2)]
    assert [zone(r) for r in a] == [(2, 1), (2, 3)]
