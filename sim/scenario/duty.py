"""Duty section: when each role is on duty, on leave, or on call at home.

Every role's availability is written here (or in ``[shifts]`` for the station roster); the
model gives no one more availability than these regimes say. The report (SEED_FACTS) says only
that a cluster's village auxiliaries "take daily turns on duty" at the center office "to ensure
full-time presence" and that each village "has a 24-hour micro police station"; it gives no
hours for any one person. Everything else here is an assumption, labelled so.
"""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Duty(Section):
    """Duty regimes by role (the station roster's groups and shifts are in ``[shifts]``)."""

    roster_leave_days_year: float = param(
        0.0, "days/year", "days of leave a year of each member of the station roster (station "
        "officers, community officers not dedicated, station and center-office auxiliaries); "
        "spread evenly and staggered", "assumption: leave not modelled by default; civil "
        "servants' annual leave is 5-15 days", ge=0, le=365, plausible=(0, 15))
    community_officer_days_per_week: int = param(
        7, "days/week", "working days a week of a dedicated community officer (day shift of "
        "shifts.day_hours); staggered so some are always at work", "assumption: the report "
        "gives no working week", ge=1, le=7, plausible=(5, 7))
    district_chief_days_per_week: int = param(
        7, "days/week", "working days a week of a district chief (day shift)", "assumption",
        ge=1, le=7, plausible=(5, 7))
    day_role_leave_days_year: float = param(
        0.0, "days/year", "days of leave a year of each dedicated community officer and "
        "district chief", "assumption: leave not modelled by default", ge=0, le=365,
        plausible=(0, 15))
    village_auxiliary_start_h: float = param(
        8.0, "o'clock", "hour a village auxiliary's daily duty in the village begins",
        "assumption", ge=0, lt=24, plausible=(7, 9))
    village_auxiliary_hours: float = param(
        8.0, "h", "hours a day a village auxiliary is on duty in the village (the rest of the "
        "day off duty at home, or on call there)", "assumption: the same 8 hours a day as a "
        "member of the station roster; the report gives no hours", ge=0, le=24,
        plausible=(6, 12))
    village_auxiliary_days_per_week: int = param(
        7, "days/week", "days a week a village auxiliary is on duty in the village",
        "assumption", ge=1, le=7, plausible=(5, 7))
    village_auxiliary_leave_days_year: float = param(
        0.0, "days/year", "days of leave a year of each village auxiliary", "assumption: leave "
        "not modelled by default", ge=0, le=365, plausible=(0, 15))
    on_call_at_home: bool = param(
        True, "bool", "off duty, a village auxiliary is on call at home (may be phoned for a "
        "call in the village); false: off duty means unavailable", "assumption: a resident "
        "'security director' is reachable at home")
    on_call_answer_prob: float = param(
        0.7, "-", "P(an auxiliary on call at home answers at once); otherwise the call goes "
        "to the next responder", "assumption", ge=0, le=1, plausible=(0.4, 0.9))
    on_call_turnout_min: float = param(
        5.0, "min", "extra turnout of an auxiliary on call at home in the evening (outside "
        "duty, before duty.night_start_h)", "assumption", ge=0, le=600, plausible=(2, 15))
    night_turnout_min: float = param(
        20.0, "min", "extra turnout of an auxiliary on call at home at night (asleep: "
        "between duty.night_start_h and duty.night_end_h)", "assumption", ge=0, le=600,
        plausible=(10, 40))
    night_start_h: float = param(22.0, "o'clock", "start of the night (on-call turnout)",
                                 "assumption", ge=0, lt=24, plausible=(21, 23))
    night_end_h: float = param(6.0, "o'clock", "end of the night (on-call turnout)",
                               "assumption", ge=0, lt=24, plausible=(5, 7))
    center_turn_hours: float = param(
        24.0, "h", "length of a village auxiliary's turn of duty at the center office (from "
        "shifts.day_start_h; one auxiliary per cluster a day)", "seed: auxiliaries 'take daily "
        "turns on duty to ensure full-time presence'", gt=0, le=24)
