"""Small rules of sim/world checked by hand, written for mutants that survived the other tests.

Each expected value is worked out in the comment beside it (never by the code under test).
docs/testing.md ("Mutation testing") lists the mutants these tests were written for.
"""

from __future__ import annotations

import heapq
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import QUIET, clocks, line_layout, scenario

from sim.world.disputes import DisputeKind
from sim.world.geography import generate_layout
from sim.world.households import RepeatRisk
from sim.world.model import ExtraDispute, PolicingModel
from sim.world.records import CALL_FIELDS, Records
from sim.world.residents import Population
from sim.world.responders import Activity, Role
from sim.world.rhythm import DAY_MIN, Rhythm

HALF_DAY_OFF = tuple([0.0] * 12 + [1.0] * 12)  # no demand before noon, all of it after
FLAT_WEEK = tuple([1.0] * 7)


def test_call_times_invert_the_cumulative_demand():
    # hours 0-11 weigh 0 and hours 12-23 weigh 2 (the profile is normalised to mean 1), every
    # weekday the same: over one day the demand mass is 12 h x 60 x 2 = 1,440 minutes. A
    # uniform u goes to the time where the cumulative demand reaches u x 1,440: it is 0 until
    # noon (720) and grows 2 a minute after, so u = 0.25 -> 720 + 360 / 2 = 900,
    # u = 0.5 -> 720 + 720 / 2 = 1,080, u = 0.75 -> 720 + 1,080 / 2 = 1,260.
    cfg = scenario("rhythm.enabled=true").rhythm.model_copy(
        update={"hour_profile": HALF_DAY_OFF, "weekday_profile": FLAT_WEEK})
    r = Rhythm(cfg, DAY_MIN)
    assert r.demand_mass(DAY_MIN) == pytest.approx(1440.0)
    times = r.call_times(np.array([0.25, 0.5, 0.75]), DAY_MIN)
    assert times == pytest.approx([900.0, 1080.0, 1260.0])


@pytest.mark.parametrize(("start", "length", "days", "expected"), [
    (25.0, 15.0, 40, 15.0),  # days 25..39 of a 40-day run
    (25.0, 15.0, 30, 5.0),  # days 25..29 only: the run ends inside the window
    # a window wrapping past day 365: days 360..364 and 0..4 of each year; 400 days hold the
    # first year's 10 and days 365..369 (day of year 0..4) of the second: 15
    (360.0, 10.0, 400, 15.0),
])
def test_festival_days_count_the_run_days_inside_the_window(start, length, days, expected):
    cfg = scenario("rhythm.enabled=true").rhythm.model_copy(
        update={"spring_festival_start_day": start, "spring_festival_days": length})
    assert Rhythm(cfg, days * DAY_MIN).festival_days(days * DAY_MIN) == expected


@pytest.mark.parametrize(("start", "length", "horizon_days", "expected_days"), [
    (25.0, 15.0, 40, [(25, 40)]),  # days 25..39: one window, midnight of 25 to midnight of 40
    (25.0, 15.0, 27.5, [(25, 27.5)]),  # cut at the horizon, half-way through day 27
    (0.0, 1.0, 3, [(0, 1)]),  # a window at time 0 of a single day
    # wrapping past day 365: days 0..4 of the first year, then 360..369 as one window
    (360.0, 10.0, 400, [(0, 5), (360, 370)]),
])
def test_festival_windows_run_from_first_midnight_to_the_midnight_after_the_last_day(
        start, length, horizon_days, expected_days):
    cfg = scenario("rhythm.enabled=true").rhythm.model_copy(
        update={"spring_festival_start_day": start, "spring_festival_days": length})
    horizon = horizon_days * DAY_MIN
    windows = Rhythm(cfg, horizon).festival_windows(horizon)
    assert windows == [(a * DAY_MIN, b * DAY_MIN) for a, b in expected_days]


def test_a_record_row_takes_a_field_by_item():
    rec = Records(horizon_min=100.0, warmup_min=0.0, residents=10)
    c = rec.new_call(5.0, 0, 2, "theft", -1, 12.5, 20.0)
    c["t_dispatch"] = 7.5
    assert c.t_dispatch == 7.5 and c.as_dict()["t_dispatch"] == 7.5


def test_generated_villages_are_numbered_from_v001():
    cfg = scenario().township
    ids = generate_layout(cfg, np.random.default_rng(0)).village_ids
    assert ids[:3] == ("V001", "V002", "V003") and ids[-1] == f"V{len(ids):03d}"


def test_a_call_record_needs_no_officer_unless_told():
    rec = Records(horizon_min=100.0, warmup_min=0.0, residents=10)
    assert rec.new_call(5.0, 0, 2, "theft", -1, 12.5, 20.0).officer_required is False
    assert rec.new_call(6.0, 0, 2, "theft", -1, 12.5, 20.0, True).officer_required is True


def test_a_call_record_as_a_plain_dict():
    rec = Records(horizon_min=100.0, warmup_min=0.0, residents=10)
    c = rec.new_call(5.0, 0, 2, "theft", -1, 12.5, 20.0, True)
    d = c.as_dict()
    assert list(d) == list(CALL_FIELDS)
    assert (d["call_id"], d["village"], d["kind"], d["t_call"], d["station_km"]) == (
        0, 2, "theft", 5.0, 12.5)
    assert d["t_arrive"] is None and d["criminal"] is True and d["urgency"] == 1


def test_household_proneness_of_a_township_without_residents_is_empty():
    # a layout may list a village of 0 residents; with no resident at all there is no
    # household to give a proneness to (and nothing to draw)
    pop = Population(np.array([0]), scenario().residents, np.random.default_rng(1))
    pop.set_frailty(0.5, np.random.default_rng(2))
    assert pop._cum_weight is not None and len(pop._cum_weight) == 0


def _lone_chief(*sets: str):
    """The district chief of a simulated center-office township of 2 station officers only.

    A 9-hour day shift, 7 days a week, no warm-up or follow-up, one village 10 km away; the
    caller gives the leave, the shift's start, the run's days and anything else.
    """
    base = [*QUIET, "reform.center_offices=true", "staff.station_officers=2",
            "staff.community_officers=0", "staff.auxiliaries=0",
            "duty.district_chief_days_per_week=7", "shifts.day_hours=9", "warmup_days=0",
            "follow_up_days=0"]
    m = PolicingModel(scenario(*base, *sets), layouts=[line_layout([10.0])])
    m.simulate()
    (chief,) = [r for r in m.responders() if r.role is Role.DISTRICT_CHIEF]
    return chief


def test_a_district_chief_takes_leave_on_the_days_the_spread_gives():
    # Center-office model, 2 station officers: one district chief (index 0 of 1 chief) and one
    # on the station roster. 73 days of leave a year is a fifth of the days, spread evenly:
    # member 0 of 1 (phase 0) is on leave on day d when floor((d + 1) / 5) > floor(d / 5), so
    # on day 4 of days 0..5. The chief works 7 days a week, 08:00-17:00 (9 h): 5 working
    # days x 540 min = 2,700 min on duty; the other 6 x 1,440 - 2,700 = 5,940 min off duty.
    chief = _lone_chief("duty.day_role_leave_days_year=73", "shifts.day_start_h=8", "days=6")
    assert chief.budget[Activity.DUTY] == pytest.approx(2700.0)
    assert chief.budget[Activity.OFF_DUTY] == pytest.approx(5940.0)


class _Clock:
    """Just what RepeatRisk needs of a model: the time, events and starting a dispute."""

    def __init__(self):
        self.time, self.events, self.started = 0.0, [], []
        self.params = scenario().model_copy()

    def schedule_event(self, fn, *, at):
        ev = SimpleNamespace(at=at, fn=fn, canceled=False)
        ev.cancel = lambda: setattr(ev, "canceled", True)
        self.events.append(ev)
        return ev

    def start_dispute(self, row):
        self.started.append(row)


def test_pending_repeat_disputes_start_earliest_first():
    # two repeats pending, due at 200 and 100 minutes (pushed in that order): the next event
    # is the earlier one; when it fires, that dispute starts and the event moves to 200
    clock = _Clock()
    risk = RepeatRisk(clock)
    heapq.heappush(risk._pending, (200.0, 1, ("late",)))
    heapq.heappush(risk._pending, (100.0, 2, ("early",)))
    risk._reschedule()
    assert clock.events[-1].at == 100.0
    clock.time = 100.0
    risk._on_due()
    assert clock.started == [("early",)] and clock.events[-1].at == 200.0
    clock.time = 200.0
    risk._on_due()
    assert clock.started == [("early",), ("late",)] and risk._event is None


def test_day_shift_refresh_mid_shift_keeps_the_day_role_on_duty():
    # One district chief (center-office model, as above), 7 days a week, no yearly leave, a
    # night-spanning "day" shift 20:00-05:00 (start 1,200, 9 h, so it ends at 1,740 - 1,440 =
    # 300 of the next day), 4 days. A Spring Festival window covers day 2 (2,880 to 4,320,
    # whole days); its 1% share sends nobody away (round(0.01 x 1) = 0) but the duty regimes
    # refresh at its start and end, both at midnight inside a shift (day 1's shift ends at
    # 1,440 + 1,740 = 3,180, day 2's at 4,620), so the chief stays on duty. On duty: the
    # shift under way at time 0 (0-300), days 0-2 (1,200-1,740, 2,640-3,180, 4,080-4,620)
    # and day 3 cut by the end (5,520-5,760): 300 + 3 x 540 + 240 = 2,160 min; off duty
    # 4 x 1,440 - 2,160 = 3,600.
    chief = _lone_chief(
        "duty.day_role_leave_days_year=0", "shifts.day_start_h=20", "days=4",
        "rhythm.enabled=true", "rhythm.spring_festival_start_day=2",
        "rhythm.spring_festival_days=1", "rhythm.spring_festival_leave_station_officers=0.01",
        "rhythm.spring_festival_leave_community_officers=0",
        "rhythm.spring_festival_leave_auxiliaries=0")
    assert chief.budget[Activity.DUTY] == pytest.approx(2160.0)
    assert chief.budget[Activity.OFF_DUTY] == pytest.approx(3600.0)


def test_disputes_arising_in_the_run_are_numbered_on_from_the_prepared_ones():
    # one dispute prepared up front (id 0); two that arise later (repeats) take ids 1 and 2
    m = PolicingModel(scenario(*QUIET, "days=1", "warmup_days=0", "follow_up_days=0"),
                      layouts=[line_layout([10.0])],
                      extra_disputes=[ExtraDispute(500.0, 0, clocks())])
    assert m.records.prepared_disputes == 1
    for key in (11, 12):
        m.start_dispute((0.0, 0, 0, DisputeKind.NEIGHBOUR, 1, (), False, clocks(), key))
    assert sorted(m.disputes_by_id) == [1, 2]
    assert [m.disputes_by_id[i].key for i in (1, 2)] == [11, 12]
