"""Reform sections: which components are in force, and proactive discovery."""

from __future__ import annotations

from typing import Literal

from sim.scenario.parameters import Section, param


class Reform(Section):
    """Reform components; unset ones take the policy's default (all off / all on)."""

    dedicated_community_officers: bool | None = param(
        None, "bool", "'four nots, one dedicated': community officers take no calls, duty or "
        "cases and screen and mediate instead", "seed")
    village_auxiliaries: bool | None = param(None, "bool", "an auxiliary lives in each village",
                                             "seed")
    center_offices: bool | None = param(None, "bool", "a 24-hour center office per cluster, "
                                        "headed by a station officer", "seed")
    screening: bool | None = param(None, "bool", "proactive screening visits to villages",
                                   "seed")
    joint_mediation: bool | None = param(None, "bool", "failed hard disputes go to joint "
                                         "mediation", "seed")
    smart_alerts: bool | None = param(None, "bool", "automatic alerts for elderly residents "
                                      "living alone", "seed: tried in one "
                                      "apartment complex; assumption: applied to every village")


class Screening(Section):
    """Proactive discovery: screening visits, resident auxiliaries, smart alerts."""

    interval_days: float = param(7.0, "days", "target interval between visits to a village",
                                 "assumption: 'footprint' management (seed)", gt=0, le=3650,
                                 plausible=(3, 14))
    visit_min: float = param(90.0, "min", "time in the village per visit", "assumption", gt=0,
                             le=1440, plausible=(60, 180))
    detect_prob: float = param(0.5, "-", "P(a visit discovers a latent dispute there)",
                               "assumption", ge=0, le=1, plausible=(0.3, 0.7))
    auxiliary_discovery_mean_days: float = param(7.0, "days", "mean time for a resident "
                                                 "auxiliary to learn of a latent dispute",
                                                 "assumption", gt=0, le=100000, plausible=(2, 21))
    alert_mean_days: float = param(2.0, "days", "mean time for a smart alert to flag a dispute "
                                   "of an elderly person living alone", "assumption", gt=0,
                                   le=100000, plausible=(1, 7))
    targeting: Literal["round_robin", "risk"] = param(
        "round_robin", "-", "which village a screening visit goes to: the next in a fixed round "
        "(round_robin) or the one of highest known risk (risk: recent disputes, elderly living "
        "alone, time since the last visit)", "run: user's choice")
    risk_memory_days: float = param(60.0, "days", "risk targeting: a known dispute's weight "
                                    "decays with this mean age", "assumption: repeat risk fades "
                                    "within one to two months (Johnson 2008)", gt=0, le=3650,
                                    plausible=(14, 180))
    risk_elderly_weight: float = param(1.0, "-", "risk targeting: weight of a village's share "
                                       "of elderly living alone (per 10%) against one recent "
                                       "dispute", "assumption", ge=0, le=100, plausible=(0, 3))
