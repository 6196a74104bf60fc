"""The reporting channel: whether, when and to whom a flared quarrel is reported.

A village's **police presence** is the nearest place with a police base (the station, a center
office, or a resident auxiliary's home), measured by road. Each village keeps a
**familiarity** with the police in [0, 1]: every contact there (a screening visit, a mediation,
a call answered) adds ``familiarity_per_contact`` (capped at 1), and it halves every
``familiarity_halflife_days`` without contacts (kept lazily: value and time of the last update).

When a quarrel flares, it is reported with probability ``p`` whose odds are those of
``prob_near``, multiplied by ``odds_per_10km`` per 10 km to the police presence and by
``trust_odds ** familiarity``. The report comes after an exponential delay of mean
``(delay_near_min + delay_per_km_min x km) x (1 - (1 - trust_delay_factor) x familiarity)``.
Where an auxiliary lives in the village the report goes to them in person with probability
``tell_auxiliary_prob`` (no 110 call is recorded); otherwise it is a 110 call. A fight that is
reported (``disputes.fight_report_prob``, as without the channel) takes the same delay and
route. The draws are the dispute's addressed draws (``REPORT`` by the flare's rank,
``FIGHT_ROUTE`` by the fight's), paired across policies.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario import Reporting as ReportingConfig
from sim.world.streams import FIGHT_ROUTE, REPORT

if TYPE_CHECKING:
    from sim.world.disputes import Dispute
    from sim.world.model import PolicingModel

DAY_MIN = 1440.0


class ReportingChannel:
    """Distances to the police, villages' familiarity, and the report decisions."""

    def __init__(self, model: PolicingModel, cfg: ReportingConfig) -> None:
        """Measure every village's distance to its nearest police base."""
        self.cfg = cfg
        self.model = model
        self.presence_km: list[np.ndarray | None] = []
        for t, tw in enumerate(model.townships):
            if model.dispatchers[t] is None:  # a township not simulated in this run
                self.presence_km.append(None)
                continue
            bases = sorted({r.base for r in model.dispatchers[t].responders}
                           | {r.home for r in model.dispatchers[t].responders if r.home >= 0}
                           | {tw.station})
            km = np.array([min(tw.road_km(v, b) for b in bases) for v in range(tw.n_villages)])
            self.presence_km.append(km)
        self._familiar: dict[tuple[int, int], tuple[float, float]] = {}

    # ------------------------------------------------------------ familiarity
    def familiarity(self, t: int, village: int, now: float) -> float:
        """The village's familiarity with the police now."""
        value, since = self._familiar.get((t, village), (0.0, now))
        half = self.cfg.familiarity_halflife_days * DAY_MIN
        return value * 0.5 ** ((now - since) / half)

    def contact(self, t: int, village: int, now: float) -> None:
        """A police contact in the village raises its familiarity."""
        f = self.familiarity(t, village, now) + self.cfg.familiarity_per_contact
        self._familiar[(t, village)] = (min(1.0, f), now)

    # ------------------------------------------------------------ decisions
    def report_prob(self, km: float, familiarity: float) -> float:
        """P(a flared quarrel is reported) at ``km`` from the police with this familiarity."""
        p0 = self.cfg.prob_near
        if p0 >= 1.0:
            return 1.0
        odds = p0 / (1.0 - p0) * self.cfg.odds_per_10km ** (km / 10.0) * \
            self.cfg.trust_odds ** familiarity
        return odds / (1.0 + odds)

    def mean_delay(self, km: float, familiarity: float) -> float:
        """Mean minutes from a flare to its report."""
        c = self.cfg
        return (c.delay_near_min + c.delay_per_km_min * km) * (
            1.0 - (1.0 - c.trust_delay_factor) * familiarity)

    def decide(self, d: Dispute, already_reported: bool = False) -> tuple[float, bool] | None:
        """Whether, when and to whom the dispute's flare (or fight) is reported.

        Args:
            d: The dispute.
            already_reported: The report itself is decided elsewhere (a fight, by
                ``disputes.fight_report_prob``); only its delay and route are drawn.

        Returns:
            ``None`` when nobody reports, else ``(delay_min, to_auxiliary)``.

        """
        m = self.model
        km = float(self.presence_km[d.township][d.village])
        f = self.familiarity(d.township, d.village, m.now)
        # addressed draws: a flare's report by the flare's rank, a fight's by the fight's
        purpose, number = (FIGHT_ROUTE, d.fights) if already_reported else (REPORT, d.flares)
        u_report, u_route = d.draw(purpose, number, 0), d.draw(purpose, number, 1)
        e = -math.log1p(-d.draw(purpose, number, 2))  # a unit exponential
        route = "auxiliary" if (m.has_resident_auxiliary(d.township, d.village)
                                and u_route < self.cfg.tell_auxiliary_prob) else "110"
        reported = already_reported or u_report < self.report_prob(km, f)
        m.records.reports.append({"t": m.now, "township": d.township, "village": d.village,
                                  "dispute_id": d.index, "km": km, "familiarity": f,
                                  "route": route if reported else "none"})
        if not reported:
            return None
        mean = self.mean_delay(km, f)
        return (e * mean if mean > 0 else 0.0), route == "auxiliary"


def delay_quantile(mean: float, q: float) -> float:
    """The ``q`` quantile of an exponential reporting delay (for docs and tests)."""
    return -mean * math.log1p(-q)
