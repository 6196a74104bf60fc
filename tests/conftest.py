"""Shared helpers: tiny hand-made townships and scenarios."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

from sim.scenario import Scenario, scenario_from_mapping
from sim.world.disputes import Clocks
from sim.world.geography import Layout

# Hypothesis runs derandomised (a fixed seed per test) so a failure in CI reproduces: the same
# examples every run. HYPOTHESIS_PROFILE=explore draws fresh random examples, for hunting.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

QUIET = [  # no random disputes or calls: only what a test injects
    "disputes.rate_per_1000_year=0", "calls.traffic_per_1000_year=0",
    "calls.theft_per_1000_year=0", "calls.public_order_per_1000_year=0",
    "calls.assault_per_1000_year=0",
]


def scenario(*sets: str, **top) -> Scenario:
    """A scenario from overrides (``key=value`` strings) on top of the defaults."""
    return scenario_from_mapping(dict(top), "<test>", list(sets))


def line_layout(distances_km: list[float], clusters: list[int] | None = None,
                population: int = 1000) -> Layout:
    """Villages on a line east of a station at the origin, at the given right-angle km."""
    n = len(distances_km)
    return Layout(tuple(f"V{i}" for i in range(n)), np.array(distances_km, float),
                  np.zeros(n), np.full(n, population), np.array(clusters or [0] * n),
                  (0.0, 0.0))


def clocks(**kw: float) -> Clocks:
    """A dispute's first-episode clocks for a hand-timed test: every time 1e9 minutes away
    and no report delay unless ``kw`` sets it; the uniforms as ``kw`` gives them, else
    violent_u = injury_u = 1 and fight_report_u = 0.
    """
    far = 1e9
    base = dict(flare=far, escalate=far, subside=far, auxiliary=far, alert=far,
                report_delay=0.0, violent_u=1.0, acute=far, fight_report_u=0.0, injury_u=1.0)
    base.update(kw)
    return Clocks(**base)


@pytest.fixture
def quiet_sets() -> list[str]:
    """Overrides that silence every random arrival process."""
    return list(QUIET)
