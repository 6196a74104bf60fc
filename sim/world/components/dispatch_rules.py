"""The written dispatch rule: who goes, how ties are broken, when an officer must go too.

The rule, the same in both models:

1. A job goes to a free responder whose post may take it (:mod:`eligibility`), the one with
   the shortest trip (an auxiliary phoned at home adds its on-call turnout). An auxiliary on
   call who does not answer is passed over for this job.
2. Responders equally near (everyone at the station, for example) are ranked by the
   scenario's ``dispatch.tie_break``: ``longest_idle`` (the one whose last job ended
   earliest), ``fewest_jobs`` (fewest jobs attended so far) or ``random``; what still ties is
   settled by each responder's lottery number, drawn once from the ``dispatch_lottery`` stream.
   Creation order and object ids never decide.
3. A call of a kind in ``dispatch.officer_required_kinds`` taken by an auxiliary also gets an
   officer (:class:`OfficerRequired`): an officer-attendance job of the call's urgency, taken
   by the nearest free officer whose post may take calls. Both arrivals are recorded.
4. Waiting jobs go first by urgency, then first come first served; a responder becoming free
   takes the first waiting job it may take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.world.responders import Activity

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.jobs import Job
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder


class TieBreak:
    """Ranks free eligible responders: trip minutes, then the named tie-break, then lottery."""

    def __init__(self, scenario: Scenario) -> None:
        """Read the scenario's tie-break rule."""
        self.rule = scenario.dispatch.tie_break
        self._rngs: dict = {}  # township -> its 'random' tie-break stream

    def draw_lotteries(self, model: PolicingModel, responders: list[Responder]) -> None:
        """Give each responder its lottery number (one stream per township)."""
        if not responders:
            return
        t = responders[0].township
        rng = model.streams.township("dispatch_lottery", t)
        for r, u in zip(responders, rng.random(len(responders)).tolist(), strict=True):
            r.lottery = u
        self._rngs[t] = model.streams.township("dispatch_random", t)

    def key(self, r: Responder, job: Job, minutes: float) -> tuple[float, float, float]:
        """The rank of ``r`` for ``job`` at ``minutes`` of trip (lower goes)."""
        if self.rule == "longest_idle":
            tie = r.idle_since
        elif self.rule == "fewest_jobs":
            tie = float(r.jobs_done)
        else:
            tie = float(self._rngs[r.township].random())
        return (minutes, tie, r.lottery)


class OfficerRequired:
    """Calls an auxiliary may not handle alone get an officer too."""

    def __init__(self, scenario: Scenario) -> None:
        """Read the call kinds that need an officer."""
        self.kinds = frozenset(scenario.dispatch.officer_required_kinds)
        self.on_scene_mean_min = scenario.dispatch.officer_on_scene_mean_min

    def required(self, call_kind: str) -> bool:
        """Whether a call of this kind needs an officer on scene."""
        return call_kind in self.kinds

    def needs_officer_sent(self, rec, responder: Responder) -> bool:
        """Whether an officer must be sent after ``responder`` took the call ``rec``."""
        return rec.officer_required and not responder.role.is_officer


def is_on_call(r: Responder) -> bool:
    """Whether ``r`` would be phoned at home (so may not answer, and adds turnout)."""
    return r.activity is Activity.ON_CALL
