"""Calls section: non-dispute calls and the criminal-case work they bring."""

from __future__ import annotations

from typing import Literal

from sim.scenario.parameters import Section, param


class Calls(Section):
    """Non-dispute calls and the criminal-case work they bring."""

    traffic_per_1000_year: float = param(10.5, "calls/1000/year", "traffic accidents",
                                         "calibrated: set to meet the 'over 60%' dispute "
                                         "share of calls (seed); 13 until the written "
                                         "dispatch rule, duty regimes and role skills "
                                         "moved the old model's share to 59.5%",
                                         ge=0, le=10000, plausible=(8, 20))
    theft_per_1000_year: float = param(6.0, "calls/1000/year", "thefts (criminal)",
                                       "assumption", ge=0, le=10000, plausible=(3, 10))
    public_order_per_1000_year: float = param(15.0, "calls/1000/year", "other public-order "
                                              "calls", "assumption", ge=0, le=10000,
                                              plausible=(8, 25))
    assault_per_1000_year: float = param(0.33, "calls/1000/year", "injury crimes not arising "
                                         "from disputes", "calibrated: set so that about 80% of "
                                         "injury crimes arise from disputes (seed)", ge=0,
                                         le=10000, plausible=(0.15, 0.6))
    other_per_hour: float = param(0.0, "calls/hour", "extra public-order calls per hour per "
                                  "township on top of the per-resident rates (the M/M/c "
                                  "validation uses this)", "run: user's choice", ge=0, le=10000)
    on_scene_mean_min: float = param(45.0, "min", "mean time on scene for a non-dispute call",
                                     "assumption", gt=0, le=10000, plausible=(30, 90))
    on_scene_distribution: Literal["exponential", "lognormal"] = param(
        "lognormal", "-", "distribution of on-scene times", "assumption")
    on_scene_cv: float = param(0.8, "-", "coefficient of variation of lognormal on-scene times",
                               "assumption", gt=0, le=10, plausible=(0.5, 1.2))
    casework_hours: float = param(16.0, "h", "follow-up work per criminal case",
                                  "assumption", ge=0, le=10000, plausible=(8, 32))
    casework_chunk_hours: float = param(4.0, "h", "casework is done in blocks of this length",
                                        "assumption", gt=0, le=1000, plausible=(2, 8))


