"""Auxiliary officers: station-based in the old model, living in a village in the reform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.world.responders import Responder, Role

if TYPE_CHECKING:
    from sim.world.model import PolicingModel


class Auxiliary(Responder):
    """An auxiliary officer.

    Attributes:
        home: Home village when the auxiliary lives in a village (``-1`` when station-based).
        duty_group: Rotation group when on shifts (``-1`` when always on call).
        at_center: Whether the auxiliary is on a turn of duty at the center office.

    """

    def __init__(self, model: PolicingModel, township: int, base: int, on_duty: bool,
                 home: int = -1, duty_group: int = -1, cluster: int = -1,
                 at_center: bool = False) -> None:
        """Create an auxiliary at ``base``."""
        self.duty_group = duty_group
        super().__init__(model, Role.AUXILIARY, township, base, on_duty, home=home,
                         cluster=cluster, at_center=at_center)
