"""Staff sections: headcounts and duty rotations."""

from __future__ import annotations

from sim.scenario.parameters import Section, param


class Staff(Section):
    """Headcounts: the same on both sides unless a scenario file sets them otherwise."""

    station_officers: int = param(12, "officers", "station officers (calls, duty, cases)",
                                  "assumption: a rural township station", ge=0, le=100000,
                                  plausible=(8, 16))
    community_officers: int = param(6, "officers", "community officers",
                                    "assumption: 6 of 18 = 33%, below the reform's 45% target "
                                    "(seed)", ge=0, le=100000, plausible=(3, 9))
    auxiliaries: int = param(36, "auxiliaries", "auxiliary officers", "assumption: the same "
                             "headcount serves both models; one per village is the reform's "
                             "staffing (seed: 2,196 village police rooms), the old model keeps "
                             "them at the station", ge=0, le=1000000,
                             plausible=(30, 45))


class Shifts(Section):
    """Duty rotations at the station and working hours of day roles."""

    duty_groups: int = param(3, "groups", "station staff rotate in this many groups (1: all on "
                             "duty at all times)", "assumption", ge=1, le=24, plausible=(2, 4))
    shift_hours: float = param(8.0, "h", "length of a duty shift", "assumption", gt=0, le=168,
                               plausible=(8, 12))
    day_start_h: float = param(8.0, "h", "start of the day shift (community officers in the "
                               "reform, district chiefs)", "assumption", ge=0, lt=24,
                               plausible=(7, 9))
    day_hours: float = param(9.0, "h", "length of the day shift", "assumption", gt=0, le=24,
                             plausible=(8, 10))


