"""Mediation: who mediates how well, how long it takes, and the joint-mediation referral.

Success is a parameter of the mediator's role (``mediation.success_*``), the same in both
models: no component changes anyone's skill. It falls by ``mediation.tension_decay`` per level
of tension above 1. The joint channel (civil affairs, the women's federation, the judicial
office and the court) has its own success rate and is reached only through
:class:`JointReferral` (the ``joint_mediation`` component).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.world.disputes import Channel
from sim.world.responders import Role
from sim.world.streams import CONVENE, ON_SCENE

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.disputes import Dispute
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder

DAY_MIN = 1440.0


class Skills:
    """P(a mediation settles the dispute for good), by the mediator's role."""

    def __init__(self, scenario: Scenario) -> None:
        """Read ``[mediation]``."""
        m = self.m = scenario.mediation
        self.by_role = {Role.STATION_OFFICER: m.success_station_officer,
                        Role.COMMUNITY_OFFICER: m.success_community_officer,
                        Role.DISTRICT_CHIEF: m.success_district_chief,
                        Role.AUXILIARY: m.success_auxiliary}

    def success(self, r: Responder, d: Dispute, channel: Channel) -> float:
        """P(success) of ``r`` mediating ``d`` through ``channel``."""
        base = self.m.success_joint if channel is Channel.JOINT else self.by_role[r.role]
        return base * self.m.tension_decay ** (d.tension - 1)

    def minutes(self, model: PolicingModel, d: Dispute, channel: Channel) -> float:
        """Minutes a mediation takes."""
        if channel is Channel.JOINT:
            return self.m.joint_session_min
        # the dispute's addressed draw for this intervention: the same under every policy
        return model.service_from_uniform(d.draw(ON_SCENE, d.interventions),
                                          self.m.on_scene_mean_min)


class NoJointReferral:
    """A failed mediation relapses; there is no joint channel."""

    def refers(self, d: Dispute, channel: Channel) -> bool:
        """Whether a failed mediation goes to joint mediation (never)."""
        return False


class JointReferral:
    """A failed ordinary mediation of a hard kind (``mediation.joint_kinds``) is referred."""

    def __init__(self, scenario: Scenario) -> None:
        """Read ``[mediation]``."""
        self.m = scenario.mediation

    def refers(self, d: Dispute, channel: Channel) -> bool:
        """Whether a failed mediation of ``d`` goes to joint mediation."""
        return (channel is not Channel.JOINT and not d.referred
                and d.kind.value in self.m.joint_kinds)

    def convene_minutes(self, d: Dispute) -> float:
        """Delay to convene the agencies for a joint session."""
        mean = self.m.joint_convene_mean_days * DAY_MIN
        return -mean * math.log1p(-d.draw(CONVENE, 1)) if mean > 0 else 0.0
