"""Daily, weekly and seasonal rhythm: piecewise-constant rates in hourly bins.

Demand is a non-homogeneous Poisson process whose rate is constant within each hour of the run:
``base x hour-of-day weight x weekday weight`` for calls and flare-ups (weights normalised to
mean 1, so a week carries the same volume as without rhythm), and ``base x seasonal multiplier``
for new disputes of the kinds a calendar window affects (the Spring Festival raises family and
elder-support disputes, the harvest land disputes). Arrival times are drawn by inverting the
cumulative rate (a uniform ``u`` of the total mass goes to the time where the cumulative rate
reaches it), and a latent dispute's flare clock runs in "profile time": an exponential clock of
``E`` minutes fires when the integrated hourly weight since the episode began reaches ``E``.
Nothing polls: each arrival and each flare is one scheduled event, as before.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import DISPUTE_KINDS
from sim.scenario import Rhythm as RhythmConfig

HOUR_MIN = 60.0
DAY_MIN = 1440.0
YEAR_DAYS = 365.0
_FESTIVAL_KINDS = ("family", "elder_support")
_HARVEST_KINDS = ("land",)


def _normalised(weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.mean()


class PiecewiseRate:
    """A rate constant within bins of ``bin_min`` minutes from time 0, 1 after the last bin.

    Args:
        weights: Relative rate of each bin (the rate is 1 beyond the last bin).
        bin_min: Bin width in minutes.

    """

    def __init__(self, weights: np.ndarray, bin_min: float = HOUR_MIN) -> None:
        """Precompute the cumulative rate at the bin edges."""
        self.w = np.asarray(weights, dtype=float)
        self.bin = bin_min
        self.edges = np.concatenate([[0.0], np.cumsum(self.w) * bin_min])
        self.end = len(self.w) * bin_min

    def integral(self, t: np.ndarray | float) -> np.ndarray | float:
        """The cumulative rate from 0 to ``t`` (minutes of 'profile time')."""
        t = np.asarray(t, dtype=float)
        inside = np.clip(t, 0.0, self.end)
        i = np.minimum((inside // self.bin).astype(np.int64), len(self.w) - 1)
        val = self.edges[i] + self.w[i] * (inside - i * self.bin)
        out = np.where(t > self.end, self.edges[-1] + (t - self.end), val)
        return out if out.ndim else float(out)

    def inverse(self, m: np.ndarray | float) -> np.ndarray | float:
        """The earliest time at which the cumulative rate reaches ``m``."""
        m = np.asarray(m, dtype=float)
        total = self.edges[-1]
        i = np.searchsorted(self.edges, np.minimum(m, total), side="left") - 1
        i = np.clip(i, 0, len(self.w) - 1)
        w = self.w[i]
        within = np.where(w > 0, (m - self.edges[i]) / np.where(w > 0, w, 1.0), 0.0)
        val = i * self.bin + np.clip(within, 0.0, self.bin)
        out = np.where(m > total, self.end + (m - total), val)
        return out if out.ndim else float(out)

    def after(self, now: float, minutes: float) -> float:
        """Delay from ``now`` until ``minutes`` of profile time have passed."""
        return float(self.inverse(self.integral(now) + minutes)) - now


class Rhythm:
    """The scenario's rhythm over a run of ``horizon`` minutes.

    Args:
        cfg: The ``[rhythm]`` section.
        horizon: Run length in minutes (the profiles are laid out a week beyond it).

    """

    def __init__(self, cfg: RhythmConfig, horizon: float) -> None:
        """Lay the hourly weights out over the run."""
        self.cfg = cfg
        n = int(np.ceil((horizon + 7 * DAY_MIN) / HOUR_MIN))
        hours = np.arange(n)
        hour_w = _normalised(cfg.hour_profile)[hours % 24]
        day_w = _normalised(cfg.weekday_profile)[(cfg.first_weekday + hours // 24) % 7]
        self.demand = PiecewiseRate(hour_w * day_w)
        day_of_year = (hours // 24) % int(YEAR_DAYS)
        festival = self._window(day_of_year, cfg.spring_festival_start_day,
                                cfg.spring_festival_days)
        harvest = self._window(day_of_year, cfg.harvest_start_day, cfg.harvest_days)
        season = np.ones((n, len(DISPUTE_KINDS)))
        for j, kind in enumerate(DISPUTE_KINDS):
            if kind in _FESTIVAL_KINDS:
                season[festival, j] *= cfg.spring_festival_multiplier
            if kind in _HARVEST_KINDS:
                season[harvest, j] *= cfg.harvest_multiplier
        self.season = season  # (hour bin, kind) multipliers

    @staticmethod
    def _window(day: np.ndarray, start: float, length: float) -> np.ndarray:
        """Days inside a window of the year (wrapping past day 365)."""
        return ((day - start) % YEAR_DAYS) < length

    def festival_days(self, horizon: float) -> float:
        """Days of the run inside the Spring Festival window (for checks and reports)."""
        days = np.arange(int(horizon // DAY_MIN)) % int(YEAR_DAYS)
        c = self.cfg
        return float(self._window(days, c.spring_festival_start_day,
                                  c.spring_festival_days).sum())

    def festival_windows(self, horizon: float) -> list[tuple[float, float]]:
        """The Spring Festival windows of the run: (start, end) minutes, whole days, in order.

        The same days as the dispute multiplier's (day ``d`` is inside when
        ``(d mod 365 - start_day) mod 365 < days``): each run of consecutive such days from its
        first midnight to the midnight after its last, cut at time 0 and at ``horizon``.
        """
        c = self.cfg
        days = np.arange(int(np.ceil(horizon / DAY_MIN)))
        inside = self._window(days % int(YEAR_DAYS), c.spring_festival_start_day,
                              c.spring_festival_days)
        out: list[tuple[float, float]] = []
        for d in days[inside].tolist():
            if out and out[-1][1] == d * DAY_MIN:
                out[-1] = (out[-1][0], (d + 1) * DAY_MIN)
            else:
                out.append((d * DAY_MIN, (d + 1) * DAY_MIN))
        return [(s, min(e, horizon)) for s, e in out]

    # ------------------------------------------------------------ arrivals
    def call_times(self, u: np.ndarray, horizon: float) -> np.ndarray:
        """Arrival times of a demand-shaped stream from uniforms on [0, 1)."""
        return np.asarray(self.demand.inverse(u * self.demand.integral(horizon)), dtype=float)

    def demand_mass(self, horizon: float) -> float:
        """Integrated demand weight over the run, in minutes (the horizon when flat)."""
        return float(self.demand.integral(horizon))

    def dispute_mass(self, shares: np.ndarray, horizon: float) -> tuple[PiecewiseRate, float]:
        """The all-kinds dispute rate (relative to the annual mean) and its mass over the run."""
        w = self.season @ (shares / shares.sum())
        rate = PiecewiseRate(w)
        return rate, float(rate.integral(horizon))

    def dispute_kinds(self, times: np.ndarray, shares: np.ndarray,
                      u: np.ndarray) -> np.ndarray:
        """Kind of each new dispute given its time: P(k) proportional to share_k x season_k."""
        b = np.minimum((times // HOUR_MIN).astype(np.int64), len(self.season) - 1)
        p = self.season[b] * shares
        cum = np.cumsum(p, axis=1)
        cum /= cum[:, -1:]
        return np.minimum((u[:, None] >= cum).sum(axis=1), len(shares) - 1)

    def flare_after(self, now: float, minutes: float) -> float:
        """When a flare clock of ``minutes`` profile minutes, started ``now``, fires."""
        return self.demand.after(now, minutes)
