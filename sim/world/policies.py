"""Policing policies: the station-centred model and the center-office reform, as compositions.

A policy is a named set of reform components; each component picks one small strategy of
:mod:`sim.world.components` (one file each). The policy decides where every responder is
based, when they are on duty, which jobs each may take, which free responder goes, who
mediates how well and what happens to a failed hard dispute. The model asks; neither the model
nor the policy ever branches on the policy's name.

Components (each can be switched on alone through the scenario's ``[reform]`` table):

* ``dedicated_community_officers`` ("four nots, one dedicated"): community officers leave the
  station roster for a day role, take no calls, duty or cases, and screen, mediate and make
  follow-up and elderly visits (``[community_work]``).
* ``village_auxiliaries``: each auxiliary lives in a village, on duty there
  ``duty.village_auxiliary_hours`` a day and on call at home otherwise, and learns of latent
  disputes there.
* ``center_offices``: a station officer heads each cluster's center office by day as district
  chief; auxiliaries keep it staffed (village auxiliaries take daily turns).
* ``screening``: each village is visited every ``screening.interval_days``.
* ``joint_mediation``: a failed hard dispute is referred to a joint session.
* ``smart_alerts``: disputes of elderly residents living alone are flagged automatically.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import TYPE_CHECKING

from sim.world.components import eligibility
from sim.world.components.community_work import FollowUps, NoFollowUps
from sim.world.components.discovery import (
    NoDiscovery,
    NoRounds,
    ResidentDiscovery,
    SmartAlerts,
    VillageRounds,
)
from sim.world.components.dispatch_rules import OfficerRequired, TieBreak, is_on_call
from sim.world.components.duty import DAY_MIN, DayShift, FestivalLeave, ResidentDuty, Roster
from sim.world.components.mediation import JointReferral, NoJointReferral, Skills
from sim.world.components.staffing import (
    CenterOffices,
    DedicatedCommunityOfficers,
    NoCenterOffices,
    Regimes,
    RosteredCommunityOfficers,
    StationAuxiliaries,
    VillageAuxiliaries,
)

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.disputes import Channel, Dispute
    from sim.world.jobs import Job
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder

__all__ = ["DAY_MIN", "POLICY_DEFAULTS", "Components", "Policy", "make_policy"]


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
    """A policing model: the strategies its components choose, composed."""

    def __init__(self, name: str, components: Components, scenario: Scenario) -> None:
        """Pick each component's strategy for a scenario."""
        c = self.components = components
        self.name = name
        self.p = scenario
        work = scenario.community_work
        regimes = (Roster(scenario), DayShift(scenario), ResidentDuty(scenario))
        self.duty = Regimes(*regimes, FestivalLeave(scenario, regimes))
        self.centers = CenterOffices() if c.center_offices else NoCenterOffices()
        self.community = (DedicatedCommunityOfficers() if c.dedicated_community_officers
                          else RosteredCommunityOfficers())
        self.auxiliaries = VillageAuxiliaries() if c.village_auxiliaries else \
            StationAuxiliaries()
        self.resident_discovery = ResidentDiscovery() if c.village_auxiliaries else \
            NoDiscovery()
        self.alerts = SmartAlerts() if c.smart_alerts else NoDiscovery()
        self.skills = Skills(scenario)
        self.joint = JointReferral(scenario) if c.joint_mediation else NoJointReferral()
        self._convene = JointReferral(scenario)
        self.tie_break = TieBreak(scenario)
        self.officer_rule = OfficerRequired(scenario)
        dedicated = c.dedicated_community_officers and scenario.staff.community_officers > 0
        self.followups = FollowUps(scenario) if dedicated and work.followup_visits else \
            NoFollowUps()
        self._screening = VillageRounds(
            scenario.screening.interval_days, self._request_screening,
            self._screening_target if scenario.screening.targeting == "risk" else None) \
            if c.screening else NoRounds()
        self._elderly = VillageRounds(work.elderly_interval_days, self._request_elderly) if (
            dedicated and work.elderly_visits) else NoRounds()

    # ------------------------------------------------------------ staffing and duty
    def staff(self, model: PolicingModel, t: int) -> list[Responder]:
        """Create township ``t``'s responders at their bases, each in its duty regime."""
        self._model = model
        centers = self.centers.centers(model, t)
        out = self.centers.officers(model, t, self.duty)
        out += self.community.staff(model, t, centers, self.duty)
        out += self.auxiliaries.staff(model, t, centers, self.duty)
        self.tie_break.draw_lotteries(model, out)
        self._screening.add_township(model, t)
        self._elderly.add_township(model, t)
        return out

    def start(self, model: PolicingModel) -> None:
        """Start the recurring processes: duty regimes, screening and elderly rounds."""
        self._model = model
        self.duty.leave.start(model)  # first: a festival window at time 0 begins at once
        self.duty.roster.start(model)
        self.duty.day.start(model)
        self.duty.resident.start(model)
        self._screening.start(model)
        self._elderly.start(model)

    def _request_screening(self, t: int, v: int) -> None:
        self._model.request_screening(t, v)

    def _screening_target(self, t: int, v: int) -> int:
        return self._model.screening_village(t, v)  # round robin unless targeting = "risk"

    def _request_elderly(self, t: int, v: int) -> None:
        self._model.request_elderly_visit(t, v)

    def on_call_delay(self, r: Responder, now: float) -> float:
        """Extra turnout of ``r`` phoned at home at ``now``."""
        return self.duty.resident.on_call_delay(now)

    # ------------------------------------------------------------ dispatch rules
    #: Whether responder ``r`` may take ``job``: :func:`~sim.world.components.eligibility.
    #: eligible` itself (called on every dispatch decision: no delegating call in between).
    eligible = staticmethod(eligibility.eligible)
    #: Where a free responder can take jobs (agrees with :meth:`eligible`):
    #: :func:`~sim.world.components.eligibility.zone` itself.
    zone = staticmethod(eligibility.zone)

    def rank(self, r: Responder, job: Job) -> tuple[float, ...]:
        """Order among free eligible responders: trip minutes, the named tie-break, lottery."""
        minutes = r._township.travel_min(r.place, job.place)
        if is_on_call(r):
            minutes += self.duty.resident.on_call_delay(self._model.now)
        return self.tie_break.key(r, job, minutes)

    def choose(self, job: Job, pools: list) -> Responder | None:
        """The free responder to send: the eligible one of lowest :meth:`rank`.

        An auxiliary on call at home is phoned; one who does not answer is passed over.

        Args:
            job: The job to fill.
            pools: Collections of free responders (the dispatcher's zones for this job).

        """
        passed: set[Responder] | None = None  # made only when someone does not answer
        eligible, rank = self.eligible, self.rank  # bound once: this is the hottest loop
        while True:
            best, best_key = None, None
            for pool in pools:
                for r in pool:
                    if eligible(r, job) and not (passed and r in passed):
                        key = rank(r, job)
                        if best_key is None or key < best_key:
                            best, best_key = r, key
            if best is None or not is_on_call(best) or self.duty.resident.answers(best):
                return best
            if passed is None:
                passed = set()
            passed.add(best)

    def officer_required(self, call_kind: str) -> bool:
        """Whether a call of this kind needs an officer on scene."""
        return self.officer_rule.required(call_kind)

    def officer_on_scene_mean_min(self) -> float:
        """Mean minutes on scene of an officer sent after an auxiliary."""
        return self.officer_rule.on_scene_mean_min

    # ------------------------------------------------------------ disputes
    def auxiliary_discovers(self, model: PolicingModel, d: Dispute) -> bool:
        """Whether a resident auxiliary can learn of latent dispute ``d``."""
        return self.resident_discovery.discovers(model, d)

    def smart_alerts(self, d: Dispute) -> bool:
        """Whether latent dispute ``d`` can be flagged by a smart alert."""
        return self.alerts.discovers(self._model, d)

    def mediation_success(self, model: PolicingModel, r: Responder, d: Dispute,
                          channel: Channel) -> float:
        """P(mediation settles the dispute for good)."""
        return self.skills.success(r, d, channel)

    def mediation_minutes(self, model: PolicingModel, r: Responder, d: Dispute,
                          channel: Channel) -> float:
        """Minutes a mediation takes."""
        return self.skills.minutes(model, d, channel)

    def refers_to_joint(self, d: Dispute, channel: Channel) -> bool:
        """Whether a failed mediation goes to joint mediation."""
        return self.joint.refers(d, channel)

    def convene_minutes(self, d: Dispute) -> float:
        """Delay to convene the agencies for a joint session."""
        return self._convene.convene_minutes(d)

    def after_mediation(self, model: PolicingModel, d: Dispute, channel: Channel) -> None:
        """A mediation of ``d`` ended (a follow-up visit may be scheduled)."""
        self.followups.after_mediation(model, d, channel)


def make_policy(scenario: Scenario) -> Policy:
    """The policy named in the scenario, with its ``[reform]`` overrides applied."""
    comp = Components(**scenario.components())
    return Policy(scenario.policy, comp, scenario)
