"""Disputes section: how disputes arise, flare, escalate and fade."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Disputes(Section):
    """How disputes arise, flare, escalate and fade."""

    rate_per_1000_year: float = param(40.0, "disputes/1000 residents/year", "new disputes",
                                      "calibrated: set with the call rates to give the reported "
                                      "'over 60%' dispute share of calls (seed)", ge=0, le=10000,
                                      plausible=(25, 60))
    share_family: float = param(0.35, "-", "share of family disputes", "assumption", ge=0, le=1,
                                plausible=(0.2, 0.5))
    share_neighbour: float = param(0.25, "-", "share of neighbour disputes", "assumption", ge=0,
                                   le=1, plausible=(0.15, 0.35))
    share_land: float = param(0.15, "-", "share of land/boundary disputes", "assumption", ge=0,
                              le=1, plausible=(0.05, 0.25))
    share_elder_support: float = param(0.10, "-", "share of elder-support disputes",
                                       "assumption", ge=0, le=1, plausible=(0.05, 0.2))
    share_other: float = param(0.15, "-", "share of other disputes", "assumption", ge=0, le=1,
                               plausible=(0.05, 0.25))
    extra_tension_mean: float = param(0.5, "levels", "mean initial tension above 1 (Poisson)",
                                      "assumption", ge=0, le=10, plausible=(0, 1.5))
    max_tension: int = param(5, "levels", "tension stops rising at this level",
                             "assumption: keeps repeat quarrels from escalating without bound",
                             ge=1, le=50, plausible=(3, 8))
    flare_mean_days: float = param(12.0, "days", "mean time until a latent dispute flares into "
                                   "a quarrel someone calls the police about", "assumption",
                                   gt=0, le=10000, plausible=(4, 30))
    subside_mean_days: float = param(40.0, "days", "mean time until a latent dispute fades on "
                                     "its own", "assumption", gt=0, le=100000, plausible=(15, 90))
    escalate_scale_days: float = param(600.0, "days", "Weibull scale of the time until a latent "
                                       "dispute turns violent unprompted (tension 1)",
                                       "assumption", gt=0, le=100000, plausible=(200, 1500))
    escalate_shape: float = param(1.5, "-", "Weibull shape (> 1: the hazard rises with the "
                                  "dispute's age)", "assumption", gt=0, le=10, plausible=(1.0, 2.5))
    tension_factor: float = param(0.7, "-", "each tension level multiplies escalation times by "
                                  "this", "assumption", gt=0, le=1, plausible=(0.5, 0.9))
    report_delay_mean_min: float = param(6.0, "min", "mean delay from a flare to the call",
                                         "assumption: Kansas City median reporting delay 5.7 "
                                         "min with a party involved (REFERENCES)", ge=0, le=10000,
                                         plausible=(3, 20))
    violent_flare_share: float = param(0.08, "-", "share of flares that turn into a fight if "
                                       "nobody arrives (tension 1)", "assumption", ge=0, le=1,
                                       plausible=(0.03, 0.15))
    acute_fight_mean_min: float = param(60.0, "min", "mean time from a violent flare to the "
                                        "fight", "assumption: DeAngelo et al. 2023 find slower "
                                        "response raises injury risk", gt=0, le=100000,
                                        plausible=(20, 180))
    fight_report_prob: float = param(0.9, "-", "probability a fight is reported", "assumption",
                                     ge=0, le=1, plausible=(0.7, 1.0))
    injury_prob: float = param(0.2, "-", "probability a fight causes an injury crime",
                               "assumption: no published P(injury | dispute) (REFERENCES)",
                               ge=0, le=1, plausible=(0.1, 0.4))


