"""Ciw as an outside oracle: mean wait and P(wait) of M/M/c and M/G/c queues.

Ciw (a discrete-event queueing library, independent of this code) simulates the same queue as
the engine's M/M/c reduction (scenarios/validation/mmc.toml): the same arrival rate, service
distribution, servers, warm-up and horizon, with its own random numbers. The two estimates must
agree within 3 joint standard errors (batch means, 20 batches each). At these lengths (about
15,000 calls each, to keep the suite quick) that catches an error of about 30% in the mean
wait and 15% in P(wait); the validation suite checks M/M/c against Erlang C far more closely.
The M/G/c point (lognormal on-scene times) has no closed form that the suite checks elsewhere.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiments.metrics import response_times
from sim.experiments.run import run_once
from sim.experiments.validation import MMC_TOML, mmc_overrides
from sim.scenario import load_scenario

ciw = pytest.importorskip("ciw")

BATCHES, WARM_DAYS = 20, 5.0
#: (calls per hour, mean on-scene minutes, servers, on-scene cv or None for exponential, days)
POINTS = [(1.5, 60.0, 3, None, 450.0), (1.2, 60.0, 2, 0.5, 550.0)]


def _batch(w: np.ndarray) -> tuple[float, float, float, float]:
    """Mean wait, its SE, P(wait), its SE (batch means)."""
    size = len(w) // BATCHES
    w = w[: size * BATCHES].reshape(BATCHES, size)
    m, p = w.mean(1), (w > 1e-9).mean(1)
    root = math.sqrt(BATCHES)
    return m.mean(), m.std(ddof=1) / root, p.mean(), p.std(ddof=1) / root


def _policesim(lam, service, c, cv, days) -> tuple[float, float, float, float]:
    sets = mmc_overrides(lam, service, c, days, WARM_DAYS)
    if cv is not None:
        sets += ["calls.on_scene_distribution=lognormal", f"calls.on_scene_cv={cv}"]
    tab = run_once(load_scenario(MMC_TOML, sets), seed=99).tables
    return _batch(response_times(tab)["wait_min"].dropna().to_numpy())


def _ciw(lam, service, c, cv, days) -> tuple[float, float, float, float]:
    ciw.seed(7)
    if cv is None:
        dist = ciw.dists.Exponential(1.0 / service)
    else:
        sigma = math.sqrt(math.log1p(cv ** 2))
        dist = ciw.dists.Lognormal(math.log(service) - sigma ** 2 / 2, sigma)
    sim = ciw.Simulation(ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam / 60.0)],
        service_distributions=[dist], number_of_servers=[c]))
    sim.simulate_until_max_time(days * 1440.0)
    recs = sorted((r for r in sim.get_all_records() if r.arrival_date >= WARM_DAYS * 1440.0),
                  key=lambda r: r.arrival_date)
    return _batch(np.array([r.waiting_time for r in recs]))


@pytest.mark.parametrize("point", POINTS, ids=lambda p: f"c{p[2]}-rho{p[0] * p[1] / 60 / p[2]:.2f}"
                         f"-{'exp' if p[3] is None else 'lognormal'}")
def test_mean_wait_and_p_wait_agree_with_ciw(point):
    wq, wq_se, pw, pw_se = _policesim(*point)
    cw, cw_se, cp, cp_se = _ciw(*point)
    assert wq_se < 0.1 * wq and cw_se < 0.1 * cw  # long enough for the check to bite
    assert pw_se < 0.05 * pw and cp_se < 0.05 * cp
    assert abs(wq - cw) < 3 * math.hypot(wq_se, cw_se), (wq, wq_se, cw, cw_se)
    assert abs(pw - cp) < 3 * math.hypot(pw_se, cp_se), (pw, pw_se, cp, cp_se)
