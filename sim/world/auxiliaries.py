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
                 home: int = -1, duty_group: int = -1) -> None:
        """Create an auxiliary at ``base``."""
        super().__init__(model, Role.AUXILIARY, township, base, on_duty)
        self.home = home
        self.duty_group = duty_group
        self.at_center = False
