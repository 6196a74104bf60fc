"""Repeat risk of households, and screening that targets it.

**Repeat disputes** (a self-exciting process, the cluster form of a Hawkes process): every
dispute raises its household's hazard of another by an excess that decays exponentially with
mean ``households.repeat_decay_days``; its integral, the expected number of repeats it
triggers, is ``households.repeat_expected``. A repeat involves the same parties (so the same
household), village and kind. Repeats of repeats follow the same rule. Because a dispute's
repeats depend only on when it arose, this exogenous cascade is drawn up front, per township
(streams ``household_repeats``, clocks from ``repeat_clocks``) and both policies meet the same
disputes.
With ``keep_total_rate`` the first disputes arise at ``rate x (1 - repeat_expected)``, so the
calibrated total rate is kept in a stationary state.

A **failed mediation** leaves the grievance open: it triggers on average
``households.failed_mediation_repeats`` further repeats, at the same decaying delays, drawn when
it happens from the dispute's addressed draws (``FAILED_MEDIATION`` by the failed intervention's
rank; each repeat's key from ``REPEAT_KEY``). These depend on the police response and so may
differ between policies, but the same failure meets the same numbers under both.

**Risk-targeted screening** (``screening.targeting = "risk"``): a screening visit due in a
township goes to its village of highest known risk: the decayed count of disputes the police
have met there since their last visit (weight ``exp(-age / screening.risk_memory_days)``), plus
``risk_elderly_weight`` per 10% of residents who are elderly living alone, plus the days since
the last visit divided by ``screening.interval_days`` (so every village is still visited). Ties
go to the village whose round-robin turn it is.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.world.disputes import Clocks
from sim.world.streams import (
    EPISODE_CLOCKS,
    FAILED_MEDIATION,
    REPEAT_KEY,
    dispute_bits,
    dispute_uniform,
)

if TYPE_CHECKING:
    from sim.world.disputes import Dispute
    from sim.world.model import PolicingModel

DAY_MIN = 1440.0


_MAX_REPEATS = 15  # repeats drawn per failed mediation at most (draws 1..15 of its address)
_N_CLOCKS = len(Clocks.__slots__)


def poisson_inverse(mean: float, u: float, cap: int) -> int:
    """The Poisson(``mean``) count at uniform ``u`` by inversion, at most ``cap``."""
    k, p = 0, math.exp(-mean)
    cum = p
    while u > cum and k < cap:
        k += 1
        p *= mean / k
        cum += p
    return k


def repeat_cascade(rows: list[tuple], rng: np.random.Generator, expected: float,
                   decay_min: float, horizon: float) -> list[tuple]:
    """The repeats (and repeats of repeats) of disputes ``rows`` arising before ``horizon``.

    Args:
        rows: ``(time, township, village, kind, tension, parties, alone)`` of the first
            disputes (only those with parties have households and repeats).
        rng: The ``household_repeats`` stream.
        expected: Expected repeats per dispute.
        decay_min: Mean delay of a repeat (minutes).
        horizon: Repeats at or after it are not kept.

    Returns:
        The repeats as rows of the same shape (tension copied from the parent), unsorted.

    """
    out: list[tuple] = []
    generation = [r for r in rows if r[5]]
    while generation:
        counts = rng.poisson(expected, len(generation))
        nxt = []
        for parent, k in zip(generation, counts.tolist(), strict=True):
            for delay in rng.exponential(decay_min, k).tolist():
                t = parent[0] + delay
                if t < horizon:
                    nxt.append((t, *parent[1:]))
        out += nxt
        generation = nxt
    return out


class RepeatRisk:
    """Repeat disputes triggered by failed mediations, started as they come due."""

    def __init__(self, model: PolicingModel) -> None:
        """Start with no pending repeats."""
        self.model = model
        self.cfg = model.params.households
        self._pending: list[tuple[float, int, tuple]] = []
        self._event = None
        self._seq = 0

    def after_failed_mediation(self, d: Dispute) -> None:
        """A mediation of ``d`` failed: draw its extra repeats."""
        m = self.cfg.failed_mediation_repeats
        if m <= 0 or not d.parties:
            return
        n = d.interventions  # addressed by the failed intervention's rank
        k = poisson_inverse(m, d.draw(FAILED_MEDIATION, n, 0), _MAX_REPEATS)
        now, mean = self.model.now, self.cfg.repeat_decay_days * DAY_MIN
        for j in range(k):
            delay = -mean * math.log1p(-d.draw(FAILED_MEDIATION, n, 1 + j))
            key = dispute_bits(d.key, REPEAT_KEY, n, j)  # the repeat's own key
            clocks = self.model.clocks_from_uniforms(
                [dispute_uniform(key, EPISODE_CLOCKS, 1, i) for i in range(_N_CLOCKS)])
            self._seq += 1
            heapq.heappush(self._pending, (now + delay, self._seq, (
                now + delay, d.township, d.village, d.kind, d.tension0, d.parties,
                d.elderly_alone, clocks, key)))
        self._reschedule()

    def _reschedule(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self._pending:
            self._event = self.model.schedule_event(self._on_due, at=self._pending[0][0])

    def _on_due(self) -> None:
        self._event = None
        _, _, row = heapq.heappop(self._pending)
        self.model.start_dispute(row)
        self._reschedule()


class RiskTargeting:
    """What the police know of each village's risk, and the screening choice it drives."""

    def __init__(self, model: PolicingModel) -> None:
        """Start with no known disputes; every village last visited at time 0."""
        s = model.params.screening
        self.model = model
        self.memory = s.risk_memory_days * DAY_MIN
        self.interval = s.interval_days * DAY_MIN
        self._known: dict[tuple[int, int], tuple[float, float]] = {}
        self._visited: dict[tuple[int, int], float] = {}
        self._elderly = []
        for pop in model.populations:  # None: a township not simulated in this run
            share = pop.elderly_alone / np.maximum(pop.size, 1) if pop is not None else None
            self._elderly.append(None if share is None else
                                 (10.0 * s.risk_elderly_weight * share).tolist())

    def known_dispute(self, t: int, village: int, now: float) -> None:
        """The police met a dispute in the village (a call or a first contact)."""
        self._known[(t, village)] = (self.dispute_score(t, village, now) + 1.0, now)

    def dispute_score(self, t: int, village: int, now: float) -> float:
        """Decayed count of disputes met in the village since the last visit."""
        value, since = self._known.get((t, village), (0.0, now))
        return value * math.exp(-(now - since) / self.memory)

    def visited(self, t: int, village: int, now: float) -> None:
        """A screening visit: the known disputes there count as seen."""
        self._visited[(t, village)] = now
        self._known.pop((t, village), None)

    def score(self, t: int, village: int, now: float) -> float:
        """The village's screening priority."""
        stale = (now - self._visited.get((t, village), 0.0)) / self.interval
        return self.dispute_score(t, village, now) + self._elderly[t][village] + stale

    def pick(self, t: int, turn: int) -> int:
        """The village of township ``t`` to visit now (``turn``: the round-robin village)."""
        now = self.model.now
        n = self.model.township_of(t).n_villages
        best, best_score = turn, self.score(t, turn, now)
        for v in range(n):
            s = self.score(t, v, now)
            if s > best_score + 1e-12:
                best, best_score = v, s
        return best
