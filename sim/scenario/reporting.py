"""Reporting section: whether, when and to whom a flared quarrel is reported."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Reporting(Section):
    """The reporting channel (off by default: every flare is called in after a fixed delay)."""

    enabled: bool = param(False, "bool", "reporting depends on distance and familiarity (off: "
                          "every flare is called in to 110)", "run: user's choice")
    prob_near: float = param(0.9, "-", "P(a flared quarrel is reported) next to a police "
                             "presence, with no familiarity", "assumption: most disputes "
                             "that reach the police do so by a party's call", ge=0, le=1,
                             plausible=(0.7, 1.0))
    odds_per_10km: float = param(0.75, "-", "odds of reporting are multiplied by this per 10 km "
                                 "to the nearest police presence", "assumption: residents "
                                 "report less when the police are far", gt=0, le=1,
                                 plausible=(0.5, 1.0))
    trust_odds: float = param(2.0, "-", "odds multiplier of reporting at full familiarity",
                              "assumption: familiarity with the police raises reporting "
                              "(community-policing legitimacy, Gill et al. 2014)", ge=1, le=10,
                              plausible=(1.0, 4.0))
    delay_near_min: float = param(6.0, "min", "mean delay from a flare to its report next to a "
                                  "police presence", "assumption: Kansas City median reporting "
                                  "delay 5.7 min with a party involved (REFERENCES)", ge=0,
                                  le=1440, plausible=(3, 20))
    delay_per_km_min: float = param(0.5, "min/km", "extra mean reporting delay per km to the "
                                    "nearest police presence", "assumption: Kansas City "
                                    "discovery delays reach 20 min (REFERENCES)", ge=0, le=60,
                                    plausible=(0, 1.5))
    trust_delay_factor: float = param(0.6, "-", "full familiarity multiplies the mean delay by "
                                      "this", "assumption", gt=0, le=1, plausible=(0.3, 1.0))
    familiarity_per_contact: float = param(0.15, "-", "familiarity gained by a village per "
                                           "police contact (a visit or a mediation), capped at "
                                           "1", "assumption", ge=0, le=1, plausible=(0.05, 0.4))
    familiarity_halflife_days: float = param(90.0, "days", "half-life of a village's "
                                             "familiarity without contacts", "assumption",
                                             gt=0, le=3650, plausible=(30, 365))
    tell_auxiliary_prob: float = param(0.5, "-", "P(a report goes in person to the village's "
                                       "resident auxiliary instead of 110), when one lives "
                                       "there", "assumption: under the reform many residents "
                                       "tell the auxiliary (seed report's village auxiliaries)",
                                       ge=0, le=1, plausible=(0.2, 0.8))
