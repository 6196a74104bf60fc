"""Policing policies: the station-centred model and the center-office reform, as strategies.

A policy is a named set of reform components. It decides where every responder is based, when
they are on duty, which jobs each may take, which free responder goes, who mediates how well
and what happens to a failed hard dispute. The model asks; it never branches on the reform.

Components (each can be switched on alone through the scenario's ``[reform]`` table):

* ``dedicated_community_officers`` ("four nots, one dedicated"): community officers leave the
  station's call, duty and casework pool, work day shifts screening and mediating, and mediate
  as embedded officers (higher success).
* ``village_auxiliaries``: each auxiliary lives in a village, on call there around the clock,
  and learns of latent disputes there.
* ``center_offices``: a station officer heads each cluster's center office by day as district
  chief; auxiliaries keep it staffed 24 hours (village auxiliaries take daily turns).
* ``screening``: each village is visited every ``screening.interval_days``.
* ``joint_mediation``: a failed hard dispute is referred to a joint session.
* ``smart_alerts``: disputes of elderly residents living alone are flagged automatically.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import TYPE_CHECKING

from mesa.time import Priority, Schedule

from sim.world.auxiliaries import Auxiliary
from sim.world.disputes import Channel, Dispute
from sim.world.jobs import JobKind
from sim.world.officers import Officer
from sim.world.responders import Responder, Role

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.jobs import Job
    from sim.world.model import PolicingModel

DAY_MIN = 1440.0
_CALLS = (JobKind.DISPUTE_CALL, JobKind.OTHER_CALL)
_MEDIATIONS = (JobKind.MEDIATION, JobKind.JOINT_MEDIATION)


@dataclass(frozen=True)
class Components:
    """Which reform components are in force."""

    dedicated_community_officers: bool = False
    village_auxiliaries: bool = False
    center_offices: bool = False
    screening: bool = False
    joint_mediation: bool = False
    smart_alerts: bool = False

    def active(self) -> list[str]:
        """Names of the components switched on."""
        return [f.name for f, on in zip(fields(self), astuple(self), strict=True) if on]


#: The two named policies: their default components.
POLICY_DEFAULTS = {
    "station_centred": Components(),
    "center_office": Components(*([True] * len(fields(Components)))),
}


class Policy:
    """A policing model: placement, duty, eligibility, ranking and mediation rules."""

    def __init__(self, name: str, components: Components, scenario: Scenario) -> None:
        """Create the policy for a scenario."""
        self.name = name
        self.components = components
        self.p = scenario
        self._shift = 0
        self._day = 0
        self._rotating: list[Responder] = []
        self._day_roles: list[Responder] = []
        self._center_turns: list[list[Auxiliary]] = []  # per (township, cluster)
        self._screen_order: list[tuple[int, int]] = []
        self._screen_next = 0
        self._station_screens: dict[int, bool] = {}

    # ------------------------------------------------------------ staffing
    def staff(self, model: PolicingModel, t: int) -> list[Responder]:
        """Create township ``t``'s responders at their bases."""
        c, s, tw = self.components, self.p.staff, model.township_of(t)
        groups = self.p.shifts.duty_groups
        out: list[Responder] = []
        centers = tw.center_village if c.center_offices else []
        chiefs = min(len(centers), max(0, s.station_officers - 1)) if s.station_officers > 1 \
            else min(len(centers), s.station_officers)
        for i in range(s.station_officers):
            if i < chiefs:
                o = Officer(model, Role.DISTRICT_CHIEF, t, int(centers[i]), False, cluster=i)
                self._day_roles.append(o)
            else:
                g = (i - chiefs) % groups
                o = Officer(model, Role.STATION_OFFICER, t, tw.station, g == 0, g)
                self._rotating.append(o)
            out.append(o)
        for i in range(s.community_officers):
            base = int(centers[i % len(centers)]) if len(centers) else tw.station
            if c.dedicated_community_officers:
                o = Officer(model, Role.COMMUNITY_OFFICER, t, base, False)
                self._day_roles.append(o)
            else:
                g = i % groups
                o = Officer(model, Role.COMMUNITY_OFFICER, t, tw.station, g == 0, g)
                self._rotating.append(o)
            out.append(o)
        out += self._staff_auxiliaries(model, t, list(centers))
        self._station_screens[t] = s.community_officers == 0
        if c.screening:
            self._screen_order += [(t, v) for v in range(tw.n_villages)]
        return out

    def _staff_auxiliaries(self, model: PolicingModel, t: int,
                           centers: list[int]) -> list[Responder]:
        tw, n, groups = model.township_of(t), self.p.staff.auxiliaries, self.p.shifts.duty_groups
        out: list[Responder] = []
        if self.components.village_auxiliaries:
            order = sorted(range(tw.n_villages), key=lambda v: -int(tw.layout.population[v]))
            turns: list[list[Auxiliary]] = [[] for _ in centers]
            for i in range(n):
                home = order[i % len(order)]
                a = Auxiliary(model, t, home, True, home=home,
                              cluster=int(tw.layout.cluster[home]))
                if centers:
                    turns[a.cluster].append(a)
                out.append(a)
            self._center_turns += turns
        else:
            for i in range(n):
                g = (i // max(1, len(centers))) % groups if centers else i % groups
                base = centers[i % len(centers)] if centers else tw.station
                a = Auxiliary(model, t, int(base), g == 0, duty_group=g,
                              cluster=i % len(centers) if centers else -1,
                              at_center=bool(centers))
                self._rotating.append(a)
                out.append(a)
        return out

    # ------------------------------------------------------------ duty
    def start(self, model: PolicingModel) -> None:
        """Start the recurring processes: shifts, day shifts, center turns, screening."""
        self._model = model
        sh = self.p.shifts
        if sh.duty_groups > 1:
            model.schedule_recurring(self._on_shift_change, Schedule(
                interval=sh.shift_hours * 60.0, start=sh.shift_hours * 60.0),
                priority=Priority.HIGH)
        start, end = sh.day_start_h * 60.0, (sh.day_start_h + sh.day_hours) * 60.0
        self._rotate_centers()
        if start == 0.0 or end > DAY_MIN:  # the day shift is under way at time 0
            self._on_day_start()
        model.schedule_recurring(self._on_day_start, Schedule(interval=DAY_MIN, start=start),
                                 priority=Priority.HIGH)
        model.schedule_recurring(self._on_day_end, Schedule(
            interval=DAY_MIN, start=end if end <= DAY_MIN else end - DAY_MIN),
            priority=Priority.HIGH)
        if self._screen_order:
            # Each township works through its own villages evenly over the interval: visits
            # alternate between townships (by each village's place in its township's round),
            # rather than finishing one township's round before the next one's starts, which
            # bunched a township's visits into 1/T of the interval with T townships.
            self._screen_order.sort(
                key=lambda tv: (tv[1] / model.township_of(tv[0]).n_villages, tv[0]))
            gap = self.p.screening.interval_days * DAY_MIN / len(self._screen_order)
            model.schedule_recurring(self._on_screening_due, Schedule(interval=gap, start=gap))

    def _on_shift_change(self) -> None:
        groups = self.p.shifts.duty_groups
        off, self._shift = self._shift % groups, self._shift + 1
        on = self._shift % groups
        for r in self._rotating:  # only the groups going off and coming on change
            if r.duty_group in (off, on):
                r.set_duty(r.duty_group == on)

    def _rotate_centers(self) -> None:
        """Village auxiliaries take daily turns of 24-hour duty at their center office."""
        for turn in self._center_turns:
            if not turn:
                continue
            prev, nxt = turn[(self._day - 1) % len(turn)], turn[self._day % len(turn)]
            if prev.at_center:
                prev.at_center = False
                prev.rebase(prev.home)
            nxt.at_center = True
            nxt.rebase(int(self._model.township_of(nxt.township).center_village[nxt.cluster]))
        self._day += 1

    def _on_day_start(self) -> None:
        if self._model.time > 0:
            self._rotate_centers()
        for r in self._day_roles:
            r.set_duty(True)
        for d in self._model.dispatchers:
            d.kick()

    def _on_day_end(self) -> None:
        for r in self._day_roles:
            r.set_duty(False)

    def _on_screening_due(self) -> None:
        t, v = self._screen_order[self._screen_next % len(self._screen_order)]
        self._screen_next += 1
        self._model.request_screening(t, self._model.screening_village(t, v))

    # ------------------------------------------------------------ dispatch rules
    def eligible(self, r: Responder, job: Job) -> bool:
        """Whether responder ``r`` may take ``job``."""
        k, role = job.kind, r.role
        if role is Role.AUXILIARY:  # first: most responders are (2,562 of 3,111 in a prefecture)
            # calls and discovered disputes, in their zone
            if k not in _CALLS and k is not JobKind.MEDIATION:
                return False
            if r.home >= 0 and not r.at_center:
                return job.place == r.home
            if r.at_center:
                return job.cluster == r.cluster
            return True
        if role is Role.STATION_OFFICER:
            return k is not JobKind.SCREENING or self._station_screens[r.township]
        if role is Role.DISTRICT_CHIEF:
            return (k in _CALLS or k in _MEDIATIONS) and job.cluster == r.cluster
        # community officers
        if self.components.dedicated_community_officers:
            return k in _MEDIATIONS or k is JobKind.SCREENING
        return True

    def zone(self, r: Responder) -> tuple[int, ...]:
        """Where a free responder can take jobs.

        Returns ``(0,)`` for the whole township, ``(1, k)`` for cluster k, ``(2, v)`` for
        village v. It must agree with :meth:`eligible`: the dispatcher looks nowhere else.
        """
        if r.role is Role.DISTRICT_CHIEF or r.at_center:
            return (1, r.cluster)
        if r.home >= 0:
            return (2, r.home)
        return (0,)

    def rank(self, r: Responder, job: Job) -> tuple[float, int]:
        """Order among free eligible responders: shortest trip, then lowest id."""
        return (r._township.travel_min(r.place, job.place), r.unique_id)

    def choose(self, job: Job, pools: list) -> Responder | None:
        """The free responder to send: the eligible one of lowest :meth:`rank`.

        Args:
            job: The job to fill.
            pools: Collections of free responders (the dispatcher's zones for this job).

        """
        best, best_key = None, None
        eligible, rank = self.eligible, self.rank
        for pool in pools:
            for r in pool:
                if eligible(r, job):
                    key = rank(r, job)
                    if best_key is None or key < best_key:
                        best, best_key = r, key
        return best

    # ------------------------------------------------------------ disputes
    def auxiliary_discovers(self, model: PolicingModel, d: Dispute) -> bool:
        """Whether a resident auxiliary can learn of latent dispute ``d``."""
        return self.components.village_auxiliaries and model.has_resident_auxiliary(
            d.township, d.village)

    def mediation_success(self, model: PolicingModel, r: Responder, d: Dispute,
                          channel: Channel) -> float:
        """P(mediation settles the dispute for good)."""
        m = self.p.mediation
        if channel is Channel.JOINT:
            base = m.success_joint
        elif r.role is Role.AUXILIARY:
            base = m.success_auxiliary
        elif r.role is Role.COMMUNITY_OFFICER and self.components.dedicated_community_officers:
            base = m.success_community_officer  # embedded, with time to follow up
        else:
            base = m.success_station_officer
        return base * m.tension_decay ** (d.tension - 1)

    def mediation_minutes(self, model: PolicingModel, r: Responder, d: Dispute,
                          channel: Channel) -> float:
        """Minutes a mediation takes."""
        if channel is Channel.JOINT:
            return self.p.mediation.joint_session_min
        return model.draw_service(d.rng, self.p.mediation.on_scene_mean_min)

    def refers_to_joint(self, d: Dispute, channel: Channel) -> bool:
        """Whether a failed mediation goes to joint mediation."""
        return (self.components.joint_mediation and channel is not Channel.JOINT
                and not d.referred and d.kind.value in self.p.mediation.joint_kinds)

    def convene_minutes(self, d: Dispute) -> float:
        """Delay to convene the agencies for a joint session."""
        mean = self.p.mediation.joint_convene_mean_days * DAY_MIN
        return float(d.rng.exponential(mean)) if mean > 0 else 0.0


def make_policy(scenario: Scenario) -> Policy:
    """The policy named in the scenario, with its ``[reform]`` overrides applied."""
    comp = Components(**scenario.components())
    return Policy(scenario.policy, comp, scenario)
