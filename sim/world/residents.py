"""Residents: an array-backed population whose members become Mesa agents only when involved.

A township of 45,000 (or a prefecture of 5 million) residents costs a few integers per village:
resident ``i`` of village ``v`` is identified by a global index, the first ``elderly_alone[v]``
residents of a village are the elderly living alone, and the others share households of
``household_size``. The population keeps, per resident ever involved in a dispute, the list of
those disputes; a :class:`Resident` agent is created from it when something asks for that
person (a visualisation, an analysis, a test), and is the same agent at every later request.
Nothing ever steps the whole population, and a prefecture year (about 400,000 dispute
parties) does not pay for that many agents nobody looks at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import FixedAgent

from sim.scenario import Residents as ResidentsConfig

if TYPE_CHECKING:
    from mesa import Model


class Resident(FixedAgent):
    """A resident involved in disputes; passive (no step, no scheduled events).

    Residents know their village but are not placed in its grid cell: a village cell would
    collect every resident ever involved in a dispute, and Mesa's cells keep agents in a list
    that responders' moves search through.
    """

    def __init__(self, model: Model, index: int, village: int, household: int,
                 elderly_alone: bool, disputes: list[int] | None = None) -> None:
        """Create the agent.

        ``disputes`` is the list of dispute indices the population keeps for this resident;
        the agent shares it, so disputes added later show here too.
        """
        super().__init__(model)
        self.index = index
        self.village = village
        self.household = household
        self.elderly_alone = elderly_alone
        self.disputes: list[int] = [] if disputes is None else disputes


class Population:
    """Per-village counts from which residents are addressed and sampled."""

    def __init__(self, population: np.ndarray, cfg: ResidentsConfig,
                 rng: np.random.Generator) -> None:
        """Draw each village's number of elderly residents living alone.

        Args:
            population: Residents per village.
            cfg: The residents section of the scenario.
            rng: The ``population`` stream.

        """
        self.cfg = cfg
        self.size = np.asarray(population, dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.size)[:-1]])
        self.elderly_alone = rng.binomial(self.size, cfg.elderly_alone_share)
        self._agents: dict[int, Resident] = {}
        self._disputes: dict[int, list[int]] = {}
        self._cum_weight: np.ndarray | None = None  # households' proneness (set_frailty)

    def set_frailty(self, cv: float, rng: np.random.Generator) -> None:
        """Give each household a gamma dispute proneness of mean 1 and this CV.

        The first party of a dispute is then drawn in proportion to it (within the village);
        drawn from the ``household_frailty`` stream, only when ``households.frailty_cv > 0``.
        """
        n = self.total
        index = np.arange(n)
        v = np.searchsorted(self.start, index, side="right") - 1
        local = index - self.start[v]
        alone = self.elderly_alone[v]
        size = max(1, round(self.cfg.household_size))
        # a household number unique over the township: elderly alone are their own household
        house = np.where(local < alone, local, alone + (local - alone) // size)
        key = v * (int(self.size.max()) + 1) + house
        _, inverse = np.unique(key, return_inverse=True)
        k = 1.0 / cv ** 2
        frailty = rng.gamma(k, 1.0 / k, int(inverse.max()) + 1 if n else 0)
        self._cum_weight = np.cumsum(frailty[inverse])

    @property
    def total(self) -> int:
        """Number of residents."""
        return int(self.size.sum())

    def households(self) -> np.ndarray:
        """Households per village (elderly living alone are one-person households)."""
        rest = self.size - self.elderly_alone
        return self.elderly_alone + np.ceil(rest / self.cfg.household_size).astype(np.int64)

    def describe(self, index: int) -> tuple[int, int, bool]:
        """Village, household number within the village, and the elderly-alone flag."""
        v = int(np.searchsorted(self.start, index, side="right") - 1)
        local = index - int(self.start[v])
        alone = local < int(self.elderly_alone[v])
        if alone:
            return v, local, True
        house = int(self.elderly_alone[v]) + (local - int(self.elderly_alone[v])) // max(
            1, round(self.cfg.household_size))
        return v, house, False

    def is_elderly_alone(self, index: int) -> bool:
        """Whether resident ``index`` is an elderly person living alone."""
        return self.describe(index)[2]

    def are_elderly_alone(self, indices: np.ndarray) -> np.ndarray:
        """:meth:`is_elderly_alone` of many residents at once (the same rule, vectorised)."""
        v = np.searchsorted(self.start, indices, side="right") - 1
        return (indices - self.start[v]) < self.elderly_alone[v]

    def sample_parties(self, villages: np.ndarray, elder: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray:
        """Draw the two parties of each dispute (vectorised, from the arrivals stream).

        Args:
            villages: Village of each dispute.
            elder: Whether each dispute is an elder-support dispute.
            rng: The ``dispute_arrivals`` stream.

        Returns:
            An ``(n, 2)`` array of resident indices.

        """
        n = len(villages)
        size, start, alone = self.size[villages], self.start[villages], self.elderly_alone[villages]
        u = rng.random((n, 3))
        parties = start[:, None] + np.floor(u[:, :2] * size[:, None]).astype(np.int64)
        # An elder-support dispute involves an elderly person living alone with probability
        # s*RR / (s*RR + 1 - s), where s is the village's share of such residents.
        s = np.where(size > 0, alone / np.maximum(size, 1), 0.0)
        rr = self.cfg.elderly_alone_risk
        q = s * rr / np.maximum(s * rr + 1 - s, 1e-12)
        pick = elder & (alone > 0) & (u[:, 2] < q)
        if self._cum_weight is not None:  # the first party by household proneness
            w = self._cum_weight
            lo = np.where(start > 0, w[np.maximum(start - 1, 0)], 0.0)
            hi = w[np.maximum(start + size - 1, 0)]
            chosen = np.searchsorted(w, lo + u[:, 0] * (hi - lo), side="right")
            parties[:, 0] = np.minimum(chosen, start + size - 1)
        parties[pick, 0] = start[pick] + np.floor(u[pick, 0] * alone[pick]).astype(np.int64)
        return parties

    def involve(self, index: int, dispute: int) -> None:
        """Resident ``index`` is a party to dispute ``dispute``."""
        disputes = self._disputes.get(index)
        if disputes is None:
            self._disputes[index] = [dispute]
        else:
            disputes.append(dispute)

    def involved(self) -> list[int]:
        """Residents ever party to a dispute, in the order they first were."""
        return list(self._disputes)

    def disputes_of(self, index: int) -> list[int]:
        """The disputes resident ``index`` has been party to, in order."""
        return list(self._disputes.get(index, ()))

    def resident(self, model: Model, index: int) -> Resident:
        """The agent of resident ``index``, created on first request."""
        agent = self._agents.get(index)
        if agent is None:
            v, house, alone = self.describe(index)
            agent = self._agents[index] = Resident(model, index, v, house, alone,
                                                   self._disputes.setdefault(index, []))
        return agent
