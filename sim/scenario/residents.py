"""Residents section: who lives in the villages."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Residents(Section):
    """Who lives in the villages and what raises their dispute risk."""

    household_size: float = param(2.9, "persons", "mean household size",
                                  "assumption: China 2020 census mean 2.62, rural households "
                                  "larger", ge=1, le=20, plausible=(2.6, 3.5))
    elderly_alone_share: float = param(0.06, "-", "share of residents who are elderly and live "
                                       "alone", "assumption", ge=0, le=1, plausible=(0.03, 0.12))
    elderly_alone_risk: float = param(4.0, "-", "relative risk that an elder-support dispute "
                                      "involves an elderly person living alone", "assumption",
                                      ge=1, le=100, plausible=(2, 8))


