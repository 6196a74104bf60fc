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
    """Visits to every village of every township at a fixed interval, one round per township.

    Each township works through its own villages, 0, 1, ..., n-1 and again, evenly over the
    interval and on its own clock, so its visits do not depend on which other townships are in
    the run (a sharded run simulates a few of them).
    """

    def __init__(self, interval_days: float, request, target=None) -> None:
        """``request(t, v)`` asks the model for a visit to village v of township t.

        ``target(t, v)``, if given, picks the village actually visited when village ``v``'s turn
        of the round comes (risk-targeted screening, ``screening.targeting = "risk"``: the
        model's :meth:`~sim.world.model.PolicingModel.screening_village`); without it the
        round's village is visited.
        """
        self.interval_days = interval_days
        self._request = request
        self._target = target
        self._townships: list[int] = []
        self._rounds: list[_Round] = []  # Mesa holds recurring callbacks weakly: kept here

    def add_township(self, model: PolicingModel, t: int) -> None:
        """Include township ``t``'s villages in the rounds."""
        self._townships.append(t)

    def start(self, model: PolicingModel) -> None:
        """Schedule each township's visits."""
        for t in self._townships:
            r = _Round(self._request, t, model.township_of(t).n_villages, self._target)
            self._rounds.append(r)
            gap = self.interval_days * DAY_MIN / r.villages
            model.schedule_recurring(r.due, Schedule(interval=gap, start=gap))


class _Round:
    """One township's round of visits."""

    __slots__ = ("__weakref__", "request", "target", "township", "villages", "visits")

    def __init__(self, request, township: int, villages: int, target=None) -> None:
        self.request, self.township, self.villages, self.visits = request, township, villages, 0
        self.target = target

    def due(self) -> None:
        """The next village of the round is due a visit (or the one ``target`` picks then)."""
        v = self.visits % self.villages
        self.visits += 1
        self.request(self.township, v if self.target is None else self.target(self.township, v))


class NoRounds:
    """No visiting rounds."""

    def add_township(self, model: PolicingModel, t: int) -> None:
        """Nothing to add."""

    def start(self, model: PolicingModel) -> None:
        """Nothing to schedule."""
