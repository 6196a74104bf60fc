"""Officers: station officers, community officers and district chiefs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.world.responders import Responder, Role

if TYPE_CHECKING:
    from sim.world.model import PolicingModel


class Officer(Responder):
    """A sworn officer. What jobs an officer may take is the policy's decision, not the agent's.

    Attributes:
        duty_group: Rotation group (``-1`` for day-shift roles).

    """

    def __init__(self, model: PolicingModel, role: Role, township: int, base: int,
                 on_duty: bool, duty_group: int = -1, cluster: int = -1) -> None:
        """Create an officer at ``base``."""
        assert role.is_officer
        self.duty_group = duty_group
        super().__init__(model, role, township, base, on_duty, cluster=cluster)
