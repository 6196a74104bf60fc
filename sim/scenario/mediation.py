"""Mediation section: who mediates how well, and the joint-mediation channel."""

from __future__ import annotations

from typing import Literal

from sim.scenario.parameters import Section, param


class Mediation(Section):
    """Who mediates how well, how long it takes, and the joint-mediation channel."""

    on_scene_mean_min: float = param(60.0, "min", "mean time on scene for a dispute",
                                     "assumption", gt=0, le=10000, plausible=(30, 120))
    success_station_officer: float = param(0.5, "-", "P(success) when a station officer "
                                           "mediates (tension 1)", "assumption: call-driven "
                                           "pacification", ge=0, le=1, plausible=(0.3, 0.7))
    success_community_officer: float = param(0.75, "-", "P(success) when a community officer "
                                             "mediates (tension 1), in either model: a skill "
                                             "of the person, not of a reform component",
                                             "assumption: an officer trained for community "
                                             "work", ge=0, le=1, plausible=(0.5, 0.9))
    success_district_chief: float = param(0.5, "-", "P(success) when a district chief (a "
                                          "station officer heading a center office) mediates",
                                          "assumption: as a station officer", ge=0, le=1,
                                          plausible=(0.3, 0.7))
    success_auxiliary: float = param(0.6, "-", "P(success), auxiliary", "assumption", ge=0,
                                     le=1, plausible=(0.4, 0.8))
    success_joint: float = param(0.85, "-", "P(success), joint mediation with civil affairs, "
                                 "women's federation, judicial office and court",
                                 "assumption: seed example reached a written agreement", ge=0,
                                 le=1, plausible=(0.7, 0.95))
    tension_decay: float = param(0.85, "-", "each tension level multiplies P(success) by this",
                                 "assumption", ge=0, le=1, plausible=(0.7, 0.95))
    joint_kinds: tuple[Literal["family", "neighbour", "land", "elder_support", "other"], ...] = (
        param(("land", "elder_support"), "-", "dispute kinds referred to joint mediation after "
              "a failed ordinary mediation", "seed: the report's "
              "joint-mediation example is an elder-support dispute; assumption: land disputes "
              "too"))
    joint_convene_mean_days: float = param(3.0, "days", "mean delay to convene the agencies",
                                           "assumption", ge=0, le=1000, plausible=(1, 10))
    joint_session_min: float = param(180.0, "min", "length of a joint mediation session",
                                     "assumption", gt=0, le=10000, plausible=(90, 300))


