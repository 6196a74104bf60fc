"""Dedicated community officers' own work: follow-up visits and visits to the elderly.

With ``dedicated_community_officers`` on, community officers do scheduled jobs of their own
(``[community_work]``), each switchable:

* :class:`FollowUps`: every mediation (other than a follow-up itself) brings a follow-up visit
  ``community_work.followup_delay_days`` later. A dispute found latent or in a quarrel there
  is mediated again (channel ``followup``); a settled, faded or referred one costs
  ``community_work.followup_visit_min``.
* elderly visits (a :class:`~sim.world.components.discovery.VillageRounds`): each village's
  elderly living alone are visited every ``community_work.elderly_interval_days``; a latent
  dispute of theirs is found with ``community_work.elderly_detect_prob`` and mediated.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.world.disputes import Channel

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.disputes import Dispute
    from sim.world.model import PolicingModel

DAY_MIN = 1440.0


class NoFollowUps:
    """No follow-up visits."""

    def after_mediation(self, model: PolicingModel, d: Dispute, channel: Channel) -> None:
        """Nothing follows a mediation."""


class FollowUps(NoFollowUps):
    """A follow-up visit after every mediation (one delay, so the visits fall due in order)."""

    def __init__(self, scenario: Scenario) -> None:
        """Read ``[community_work]``."""
        self.delay_min = scenario.community_work.followup_delay_days * DAY_MIN
        self._due: deque[Dispute] = deque()
        self._model: PolicingModel | None = None

    def after_mediation(self, model: PolicingModel, d: Dispute, channel: Channel) -> None:
        """Schedule the follow-up visit to ``d``."""
        if channel is Channel.FOLLOWUP:
            return
        self._model = model
        self._due.append(d)
        model.schedule_event(self._on_due, after=self.delay_min)

    def _on_due(self) -> None:
        self._model.request_followup(self._due.popleft())
