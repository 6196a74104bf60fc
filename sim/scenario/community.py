"""Community work section: the dedicated community officers' own scheduled jobs.

The report's dedicated community officers screen and resolve disputes and do "four other key
tasks" (SEED_FACTS); the Wang brothers' dispute flared twice before a community officer settled
it for good. Follow-up visits and visits to elderly residents living alone are their own work
here, each switchable; every number is an assumption.
"""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class CommunityWork(Section):
    """Scheduled jobs of dedicated community officers (ignored without that component)."""

    followup_visits: bool = param(
        True, "bool", "a dedicated community officer visits each household whose dispute "
        "was mediated, community_work.followup_delay_days later; an unsettled dispute found "
        "there is mediated again", "assumption: the report's follow-up of repeat disputes")
    followup_delay_days: float = param(
        7.0, "days", "delay from a mediation to its follow-up visit", "assumption", gt=0,
        le=365, plausible=(3, 21))
    followup_visit_min: float = param(
        45.0, "min", "time of a follow-up visit that finds the dispute settled", "assumption",
        gt=0, le=1440, plausible=(20, 90))
    elderly_visits: bool = param(
        True, "bool", "dedicated community officers visit the elderly living alone of each "
        "village every community_work.elderly_interval_days", "assumption: one of the 'key "
        "tasks'")
    elderly_interval_days: float = param(
        14.0, "days", "interval between visits to a village's elderly living alone",
        "assumption", gt=0, le=3650, plausible=(7, 30))
    elderly_visit_min: float = param(
        60.0, "min", "time of a visit to a village's elderly living alone", "assumption", gt=0,
        le=1440, plausible=(30, 120))
    elderly_detect_prob: float = param(
        0.6, "-", "P(a visit to the elderly learns of a latent dispute of an elderly resident "
        "living alone there)", "assumption", ge=0, le=1, plausible=(0.3, 0.9))
