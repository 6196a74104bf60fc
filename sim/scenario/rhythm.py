"""Rhythm section: hour-of-day and day-of-week profiles and a seasonal calendar."""

from __future__ import annotations

from pydantic import field_validator

from sim.scenario.parameters import Section, param

# An evening-peaked hourly shape (relative; normalised to mean 1 by the model). Police service
# demand analyses share this shape: a trough in the small hours, a rise through the day and a
# peak in the evening (REFERENCES: "calls peak in the evening and at weekends"); the numbers
# themselves are an assumption.
EVENING_PEAK = (0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.0, 1.1,
                1.1, 1.0, 1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 1.8, 1.7, 1.3, 0.8)
WEEKEND_PEAK = (0.95, 0.95, 0.95, 0.95, 1.0, 1.1, 1.1)  # Monday .. Sunday


class Rhythm(Section):
    """When demand arises: daily and weekly profiles and seasonal windows (off by default)."""

    enabled: bool = param(False, "bool", "arrivals follow the daily, weekly and seasonal "
                          "profiles (off: uniform in time, as before)", "run: user's choice")
    hour_profile: tuple[float, ...] = param(
        EVENING_PEAK, "-", "relative rate of calls and flare-ups in each hour 0..23 (normalised "
        "to mean 1)", "assumption: evening-peaked shape of police service demand analyses "
        "(REFERENCES)")
    weekday_profile: tuple[float, ...] = param(
        WEEKEND_PEAK, "-", "relative rate on each weekday Monday..Sunday (normalised to mean 1)",
        "assumption: calls peak at weekends (REFERENCES)")
    first_weekday: int = param(0, "-", "weekday of day 0 (0 = Monday)", "run: user's choice",
                               ge=0, le=6)
    flares_follow_hours: bool = param(True, "bool", "flare-ups of latent disputes follow the "
                                      "hour-of-day profile (their clock runs in profile time)",
                                      "assumption")
    spring_festival_start_day: float = param(
        25.0, "day of year", "first day of the Spring Festival window (day 0 = 1 January)",
        "assumption: the festival falls between 21 January and 20 February", ge=0, le=365,
        plausible=(20, 50))
    spring_festival_days: float = param(15.0, "days", "length of the Spring Festival window",
                                        "assumption: New Year's Eve to the Lantern Festival",
                                        ge=0, le=60, plausible=(7, 20))
    spring_festival_multiplier: float = param(
        1.5, "-", "rate multiplier of family and elder-support disputes in the window",
        "assumption: families gather and quarrels over the support of elders flare (the seed "
        "report quotes a Spring Festival figure); no published factor", ge=0, le=10,
        plausible=(1.0, 2.5))
    spring_festival_leave_station_officers: float = param(
        0.2, "share", "share of a township's station officers (district chiefs included) on "
        "leave for the whole Spring Festival window (chosen by the festival_leave stream; "
        "docs/ODD.md)", "assumption: no published figure; police mostly work through the "
        "festival, so a minority is away", ge=0, le=1, plausible=(0.0, 0.4))
    spring_festival_leave_community_officers: float = param(
        0.2, "share", "share of a township's community officers on leave for the whole Spring "
        "Festival window", "assumption: no published figure; as station officers", ge=0, le=1,
        plausible=(0.0, 0.4))
    spring_festival_leave_auxiliaries: float = param(
        0.2, "share", "share of a township's auxiliaries on leave for the whole Spring "
        "Festival window (off duty and not on call)", "assumption: no published figure; "
        "auxiliaries are local hires with families to visit", ge=0, le=1, plausible=(0.0, 0.5))
    harvest_start_day: float = param(150.0, "day of year", "first day of the harvest window",
                                     "assumption: wheat harvest of northern Hubei, early June",
                                     ge=0, le=365, plausible=(140, 280))
    harvest_days: float = param(30.0, "days", "length of the harvest window", "assumption",
                                ge=0, le=120, plausible=(15, 45))
    harvest_multiplier: float = param(1.5, "-", "rate multiplier of land disputes in the "
                                      "harvest window", "assumption: boundary and water "
                                      "quarrels at harvest; no published factor", ge=0, le=10,
                                      plausible=(1.0, 2.5))

    @field_validator("hour_profile", "weekday_profile")
    @classmethod
    def _profile(cls, v: tuple[float, ...], info) -> tuple[float, ...]:
        n = 24 if info.field_name == "hour_profile" else 7
        if len(v) != n or min(v) < 0 or sum(v) <= 0:
            raise ValueError(f"{info.field_name} needs {n} non-negative numbers, not all 0")
        return v
