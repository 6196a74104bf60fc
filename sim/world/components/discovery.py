"""Discovery without a call: resident auxiliaries, smart alerts, screening rounds.

* :class:`ResidentDiscovery` (``village_auxiliaries``): an auxiliary living in the village
  learns of a latent dispute after an exponential time
  (``screening.auxiliary_discovery_mean_days``).
* :class:`SmartAlerts` (``smart_alerts``): a dispute of an elderly resident living alone is
  flagged after ``screening.alert_mean_days``.
* :class:`ScreeningRounds` (``screening``): each village is visited every
  ``screening.interval_days``, the townships' rounds interleaved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.time import Schedule

if TYPE_CHECKING:
    from sim.world.disputes import Dispute
    from sim.world.model import PolicingModel

DAY_MIN = 1440.0


class NoDiscovery:
    """Nobody learns of latent disputes this way."""

    def discovers(self, model: PolicingModel, d: Dispute) -> bool:
        """Whether the channel can find latent dispute ``d`` (never)."""
        return False


class ResidentDiscovery(NoDiscovery):
    """A resident auxiliary can learn of latent disputes in the village."""

    def discovers(self, model: PolicingModel, d: Dispute) -> bool:
        """Whether an auxiliary lives in ``d``'s village."""
        return model.has_resident_auxiliary(d.township, d.village)


class SmartAlerts(NoDiscovery):
    """Disputes of elderly residents living alone are flagged automatically."""

    def discovers(self, model: PolicingModel, d: Dispute) -> bool:
        """Whether ``d`` can be flagged (its party is elderly and lives alone)."""
        return d.elderly_alone


class VillageRounds:
    """Visits to every village of every township at a fixed interval, rounds interleaved.

    Each township works through its own villages evenly over the interval: visits alternate
    between townships (by each village's place in its township's round), rather than
    finishing one township's round before the next one's starts.
    """

    def __init__(self, interval_days: float, request) -> None:
        """``request(t, v)`` asks the model for a visit to village v of township t."""
        self.interval_days = interval_days
        self._request = request
        self._order: list[tuple[int, int]] = []
        self._next = 0

    def add_township(self, model: PolicingModel, t: int) -> None:
        """Include township ``t``'s villages in the rounds."""
        self._order += [(t, v) for v in range(model.township_of(t).n_villages)]

    def start(self, model: PolicingModel) -> None:
        """Schedule the visits."""
        if not self._order:
            return
        self._order.sort(key=lambda tv: (tv[1] / model.township_of(tv[0]).n_villages, tv[0]))
        gap = self.interval_days * DAY_MIN / len(self._order)
        model.schedule_recurring(self._on_due, Schedule(interval=gap, start=gap))

    def _on_due(self) -> None:
        t, v = self._order[self._next % len(self._order)]
        self._next += 1
        self._request(t, v)


class NoRounds:
    """No visiting rounds."""

    def add_township(self, model: PolicingModel, t: int) -> None:
        """Nothing to add."""

    def start(self, model: PolicingModel) -> None:
        """Nothing to schedule."""
