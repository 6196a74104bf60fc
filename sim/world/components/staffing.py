"""Staffing: who is posted where, in which duty regime, to take which jobs.

Three choices, one per reform component, each a small strategy:

* center offices: :class:`CenterOffices` makes the first station officers district chiefs,
  one per cluster's center office (a day role); :class:`NoCenterOffices` keeps every station
  officer on the station roster.
* community officers: :class:`DedicatedCommunityOfficers` (day role at the center offices,
  or the station without them; disputes, screening, follow-ups) or
  :class:`RosteredCommunityOfficers` (on the station roster, every station job).
* auxiliaries: :class:`VillageAuxiliaries` (one in each village, most populous first; duty at
  home, turns at the center office) or :class:`StationAuxiliaries` (on the roster, at the
  station, or at the center offices when there are some).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.world.auxiliaries import Auxiliary
from sim.world.components import eligibility as kinds
from sim.world.jobs import JobKind
from sim.world.officers import Officer
from sim.world.responders import Role

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.components.duty import DayShift, FestivalLeave, ResidentDuty, Roster
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder


class Regimes:
    """The duty regimes staffing puts people in (one of each per policy)."""

    def __init__(self, roster: Roster, day: DayShift, resident: ResidentDuty,
                 leave: FestivalLeave) -> None:
        """Bundle the three regimes and the festival leave that overrides them."""
        self.roster, self.day, self.resident, self.leave = roster, day, resident, leave


def _officer_kinds(scenario: Scenario) -> frozenset[JobKind]:
    # station officers screen where no community officer does
    extra = {JobKind.SCREENING} if scenario.staff.community_officers == 0 else set()
    return kinds.STATION_OFFICER | extra


def _on_duty[R: Responder](r: R, job_kinds: frozenset[JobKind], add: Callable[..., None],
                           *place: int, leave: tuple[FestivalLeave, str],
                           post: str | None = None) -> R:
    """Give a new responder its jobs (and named post), a duty regime and its festival leave.

    Args:
        r: The responder, just created (creation order fixes the agents' ids).
        job_kinds: The jobs it may take.
        add: The regime's ``add`` (roster, day shift or resident duty).
        *place: Its place in the regime, as ``add`` takes it after the responder.
        leave: The festival leave and the staff category whose leave share applies.
        post: Its named post (default: the role's name).

    """
    r.kinds = job_kinds
    if post is not None:
        r.post = post
    add(r, *place)
    leave[0].add(r, r.township, leave[1])
    return r


class NoCenterOffices:
    """No center offices: every station officer is on the station roster."""

    def centers(self, model: PolicingModel, t: int) -> list[int]:
        """Places of the township's center offices (none)."""
        return []

    def officers(self, model: PolicingModel, t: int, duty: Regimes) -> list[Responder]:
        """The township's station officers, all on the roster."""
        s, tw = model.params, model.township_of(t)
        return [_on_duty(Officer(model, Role.STATION_OFFICER, t, tw.station, False),
                         _officer_kinds(s), duty.roster.add, i,
                         leave=(duty.leave, "station_officers"))
                for i in range(s.staff.station_officers)]


class CenterOffices(NoCenterOffices):
    """A center office per cluster, headed by a station officer as district chief by day."""

    def centers(self, model: PolicingModel, t: int) -> list[int]:
        """Places of the township's center offices (one village per cluster)."""
        return [int(v) for v in model.township_of(t).center_village]

    def officers(self, model: PolicingModel, t: int, duty: Regimes) -> list[Responder]:
        """District chiefs first, the rest on the roster.

        One station officer stays at the station when there are two or more.
        """
        s, tw = model.params, model.township_of(t)
        centers, n = self.centers(model, t), s.staff.station_officers
        chiefs = min(len(centers), n - 1 if n > 1 else n)
        out: list[Responder] = []
        for i in range(chiefs):
            o = Officer(model, Role.DISTRICT_CHIEF, t, centers[i], False, cluster=i)
            o.at_center = True
            out.append(_on_duty(o, kinds.DISTRICT_CHIEF, duty.day.add, i, chiefs,
                                s.duty.district_chief_days_per_week,
                                s.duty.day_role_leave_days_year,
                                leave=(duty.leave, "station_officers"), post="district_chief"))
        return out + [_on_duty(Officer(model, Role.STATION_OFFICER, t, tw.station, False),
                               _officer_kinds(s), duty.roster.add, i,
                               leave=(duty.leave, "station_officers"))
                      for i in range(n - chiefs)]


class RosteredCommunityOfficers:
    """Old model: community officers stand the station roster and take every station job."""

    def staff(self, model: PolicingModel, t: int, centers: list[int],
              duty: Regimes) -> list[Responder]:
        """The township's community officers."""
        n, tw = model.params.staff.community_officers, model.township_of(t)
        return [_on_duty(Officer(model, Role.COMMUNITY_OFFICER, t, tw.station, False),
                         kinds.ROSTERED_COMMUNITY_OFFICER, duty.roster.add, i,
                         leave=(duty.leave, "community_officers"))
                for i in range(n)]


class DedicatedCommunityOfficers:
    """'Four nots, one dedicated': day role at the center offices, disputes and visits only."""

    def staff(self, model: PolicingModel, t: int, centers: list[int],
              duty: Regimes) -> list[Responder]:
        """The township's community officers."""
        s, tw = model.params, model.township_of(t)
        n = s.staff.community_officers
        return [_on_duty(Officer(model, Role.COMMUNITY_OFFICER, t,
                                 centers[i % len(centers)] if centers else tw.station, False),
                         kinds.DEDICATED_COMMUNITY_OFFICER, duty.day.add, i, n,
                         s.duty.community_officer_days_per_week,
                         s.duty.day_role_leave_days_year,
                         leave=(duty.leave, "community_officers"),
                         post="dedicated_community_officer")
                for i in range(n)]


class StationAuxiliaries:
    """Auxiliaries on the station roster: at the station, or shared out to the center offices."""

    def staff(self, model: PolicingModel, t: int, centers: list[int],
              duty: Regimes) -> list[Responder]:
        """The township's auxiliaries."""
        n, tw = model.params.staff.auxiliaries, model.township_of(t)
        if not centers:
            return [_on_duty(Auxiliary(model, t, tw.station, False), kinds.AUXILIARY,
                             duty.roster.add, i, leave=(duty.leave, "auxiliaries"),
                             post="station_auxiliary") for i in range(n)]
        k = len(centers)  # cluster i % k; groups fill one cluster round at a time
        return [_on_duty(Auxiliary(model, t, centers[i % k], False, cluster=i % k,
                                   at_center=True), kinds.AUXILIARY, duty.roster.add, i // k,
                         leave=(duty.leave, "auxiliaries"), post="center_auxiliary")
                for i in range(n)]


class VillageAuxiliaries:
    """An auxiliary lives in each village (most populous first when there are fewer)."""

    def staff(self, model: PolicingModel, t: int, centers: list[int],
              duty: Regimes) -> list[Responder]:
        """The township's auxiliaries, with the center offices' turn orders."""
        n, tw = model.params.staff.auxiliaries, model.township_of(t)
        order = sorted(range(tw.n_villages), key=lambda v: -int(tw.layout.population[v]))
        turns: list[list[Responder]] = [[] for _ in centers]
        out = []
        for i in range(n):
            home = order[i % len(order)]
            a = _on_duty(Auxiliary(model, t, home, False, home=home,
                                   cluster=int(tw.layout.cluster[home])),
                         kinds.AUXILIARY, duty.resident.add, i, n,
                         leave=(duty.leave, "auxiliaries"), post="village_auxiliary")
            if centers:
                turns[a.cluster].append(a)
            out.append(a)
        for k, order_k in enumerate(turns):
            duty.resident.add_turns(order_k, centers[k])
        return out
