"""Shared helpers: tiny hand-made townships and scenarios."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

from sim.scenario import Scenario, scenario_from_mapping
from sim.world.disputes import Clocks
from sim.world.geography import Layout
from sim.world.model import PolicingModel

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


# The hand-timed model tests' base (test_micro, test_model_by_hand, test_draws_by_hand,
# test_reporting_by_hand, test_disputes_by_hand, test_residents_by_hand): 60 km/h, circuity 1,
# 1 km cells, so a village 10 km away is 10 min of driving + 2 min turnout; one station
# officer on one duty group; one day, no warm-up.
BY_HAND = [*QUIET, "township.cell_km=1", "township.circuity=1", "travel.speed_kmh=60",
           "travel.turnout_min=2", "travel.local_trip_min=5", "staff.station_officers=1",
           "staff.community_officers=0", "staff.auxiliaries=0", "shifts.duty_groups=1",
           "warmup_days=0", "days=1", "follow_up_days=0"]


def by_hand_model(sets=(), layouts=None, disputes=(), **kw) -> PolicingModel:
    """A model of :data:`BY_HAND` plus ``sets``; by default one village 10 km east."""
    layouts = layouts or [line_layout([10.0])]
    return PolicingModel(scenario(*BY_HAND, *sets), layouts=layouts, extra_disputes=disputes,
                         **kw)


def by_hand_disputes(*sets: str, disputes=(), distances=(10.0,), n_townships: int = 1,
                     ) -> PolicingModel:
    """A model of :data:`BY_HAND` plus ``sets`` and the given disputes; each township's villages
    on a line at ``distances`` km (test_disputes_by_hand, test_residents_by_hand)."""
    return by_hand_model(sets, [line_layout(list(distances)) for _ in range(n_townships)],
                         disputes)


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
