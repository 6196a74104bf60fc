"""The duty regimes of ``sim/world/components/duty.py``, checked by hand at chosen instants.

Duty regimes are driven directly through a stand-in model (just the time, the dispatchers and a
record of what is scheduled) and stand-in responders that record their duty, so each rule
(roster, day shift, resident duty, on-call turnout, festival leave) is checked at hand-chosen
instants. Split from test_components_by_hand.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import scenario
from mesa.time import Priority, Schedule

from sim.world.components.duty import (
    DayShift,
    FestivalLeave,
    ResidentDuty,
    Roster,
    on_leave,
    works_on,
)

DAY = 1440.0


class _Staff:
    """A stand-in responder: records its duty, on-call state and rebasing."""

    def __init__(self, name: str, home: int = -1, at_center: bool = False) -> None:
        self.name, self.home, self.at_center = name, home, at_center
        self.on_duty: bool | None = None
        self.on_call: bool | None = None
        self.rebased: list[int] = []

    def set_duty(self, on: bool) -> None:
        self.on_duty = on

    def set_on_call(self, on: bool) -> None:
        self.on_call = on

    def rebase(self, place: int) -> None:
        self.rebased.append(place)

    def __repr__(self) -> str:
        return self.name


class _Dispatcher:
    def __init__(self) -> None:
        self.kicks = 0

    def kick(self) -> None:
        self.kicks += 1


class _Model:
    """A stand-in model: the time, the dispatchers (one shard's gap as None), what is scheduled."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.disp = _Dispatcher()
        self.dispatchers = [None, self.disp]
        self.recurring: list[tuple[str, Schedule, Priority]] = []

    def schedule_recurring(self, fn, schedule, priority):
        self.recurring.append((fn.__name__, schedule, priority))


# ------------------------------------------------------------------ DayShift.refresh

def _night_day_shift():
    """A 20:00-05:00 day shift (start 1,200, 9 h: it ends 1,740 after its day's midnight).

    Member a: index 0 of 1, 7 days a week, no leave. Member b: index 2 of 3, 5 days a week,
    73 leave days a year (f = 0.2, phase 2/3):
      works_on(2, d, 5) = (d + 2) % 7 < 5: days -1, 0, 1, 2 yes; 3, 4 no; 5 yes.
      on_leave(2, 3, d, 73): floor((d + 1) 0.2 + 2/3) > floor(d 0.2 + 2/3):
        d = -1: floor(0.667) = 0 vs floor(0.467) = 0, no; d = 0: 0 vs 0, no;
        d = 1: floor(1.067) = 1 vs floor(0.867) = 0, yes; d = 2: 1 vs 1, no.
    """
    shift = DayShift(scenario("shifts.day_start_h=20", "shifts.day_hours=9"))
    a, b = _Staff("a"), _Staff("b")
    shift.add(a, 0, 1, 7, 0.0)
    shift.add(b, 2, 3, 5, 73.0)
    return shift, a, b


@pytest.mark.parametrize(("now", "a_on", "b_on"), [
    # day = floor((now - 1,200) / 1,440) is the latest shift to begin; it has ended when
    # now >= day x 1,440 + 1,200 + 540
    (100.0, True, True),  # day -1's shift (ends at 300): both work day -1, b not on leave
    (300.0, False, False),  # day -1's shift ends exactly at 300
    (2740.0, True, False),  # day 1 (21:40): under way (ends 3,180); b on leave on day 1
    (3179.0, True, False),  # a minute before day 1's shift ends
    (3180.0, False, False),  # day 1's ends
    (4079.0, False, False),  # 19:59 of day 2: still day 1's shift, ended
    (4080.0, True, True),  # day 2's begins (ends 4,620); b works, no leave
    (5520.0, True, False),  # day 3's: b's day off ((3 + 2) % 7 = 5)
])
def test_day_shift_refresh_sets_duty_as_the_latest_shift_says(now, a_on, b_on):
    shift, a, b = _night_day_shift()
    shift._model = model = _Model(now)
    shift.refresh()
    assert (a.on_duty, b.on_duty) == (a_on, b_on)
    assert model.disp.kicks == 1  # the dispatcher is kicked once; the None gap is skipped


def test_day_shift_refresh_keeps_members_away_off_duty():
    shift, a, b = _night_day_shift()
    shift._model = _Model(4080.0)  # both would be on duty (above)
    shift.away = {a}
    shift.refresh()
    assert (a.on_duty, b.on_duty) == (False, True)


def test_day_shift_refresh_of_a_24_hour_shift_never_ends():
    # 08:00 for 24 h: on duty at every instant of a working day (7 days a week, no leave)
    shift = DayShift(scenario("shifts.day_start_h=8", "shifts.day_hours=24"))
    a = _Staff("a")
    shift.add(a, 0, 1, 7, 0.0)
    for now in (0.0, 479.0, 480.0, 1919.0, 1920.0):
        shift._model = _Model(now)
        a.on_duty = None
        shift.refresh()
        assert a.on_duty is True, now


def test_day_shift_refresh_without_members_touches_nothing():
    shift = DayShift(scenario())
    shift._model = model = _Model(600.0)
    shift.refresh()
    assert model.disp.kicks == 0


# ------------------------------------------------------------------ leave, days, roster


def test_leave_is_spread_by_the_floor_rule():
    # f = 73 / 365 = 0.2: member 0 of 1 on day 4 (floor(1.0) = 1 > floor(0.8) = 0), not day 3
    assert on_leave(0, 1, 4, 73.0) and not on_leave(0, 1, 3, 73.0)
    # f = 1 / 365, member 1 of 2 (phase 0.5): day 182 (floor(183 / 365 + 0.5) = 1 >
    # floor(182 / 365 + 0.5) = 0); not day 181 (both 0), nor member 0 on day 182 (both 0)
    assert on_leave(1, 2, 182, 1.0)
    assert not on_leave(1, 2, 181, 1.0) and not on_leave(0, 2, 182, 1.0)
    # member 3 of 4, f = 0.2 (phase 0.75): day 1 (floor(1.15) = 1 > floor(0.95) = 0), not 0
    assert on_leave(3, 4, 1, 73.0) and not on_leave(3, 4, 0, 73.0)
    # n = 0 counts as 1 (phase = index): member 0, day 4 as above
    assert on_leave(0, 0, 4, 73.0)
    assert not any(on_leave(0, 1, d, 0.0) or on_leave(0, 1, d, -5.0) for d in range(400))
    # 365 days a year: on leave every day
    assert all(on_leave(i, 3, d, 365.0) for i in range(3) for d in range(10))


def test_days_off_are_staggered_across_members():
    # (day + index) % 7 < days_per_week
    assert [works_on(0, d, 5) for d in range(8)] == [True] * 5 + [False, False, True]
    assert [works_on(2, d, 5) for d in range(7)] == [True, True, True, False, False, True, True]
    assert works_on(1, -1, 1) and not works_on(1, -2, 1) and not works_on(0, 13, 6)
    assert works_on(0, 12, 6) and not works_on(0, 6, 6)


def _roster(*sets):
    roster = Roster(scenario("shifts.shift_hours=8", *sets))
    staff = [_Staff(f"r{i}") for i in range(4)]
    for r, g in zip(staff, (0, 1, 2, 4), strict=True):  # group 4 of 3 is group 1
        roster.add(r, g)
    return roster, staff


def test_roster_rotates_groups_with_leave_and_festival_leave():
    # 3 groups, 8-hour shifts, 73 leave days a year (f = 0.2, member i of 4 has phase i / 4):
    # on day 0 nobody is on leave; on day 1 member 3 is (floor(0.4 + 0.75) = 1 > 0)
    roster, (r0, r1, r2, r3) = _roster("shifts.duty_groups=3", "duty.roster_leave_days_year=73")
    assert [r.duty_group for r in (r0, r1, r2, r3)] == [0, 1, 2, 1]
    model = _Model(0.0)
    roster.start(model)
    assert model.recurring == [("_on_shift_change", Schedule(interval=480.0, start=480.0),
                                Priority.HIGH)]
    assert [r.on_duty for r in (r0, r1, r2, r3)] == [True, False, False, False]
    model.now = 480.0  # shift 1: group 1
    roster._on_shift_change()
    assert [r.on_duty for r in (r0, r1, r2, r3)] == [False, True, False, True]
    roster.away = {r1}
    roster.refresh()
    assert [r.on_duty for r in (r0, r1, r2, r3)] == [False, False, False, True]
    roster.away = set()
    model.now = 960.0  # shift 2: group 2
    roster._on_shift_change()
    assert [r.on_duty for r in (r0, r1, r2, r3)] == [False, False, True, False]
    model.now = 1440.0 + 960.0  # day 1; shifts 3, 4: groups 0, 1
    for _ in range(2):
        roster._on_shift_change()
    assert [r.on_duty for r in (r0, r1, r2, r3)] == [False, True, False, False]  # r3 on leave


@pytest.mark.parametrize(("sets", "expected", "on"), [
    # one group, leave: the duty changes only at midnight, daily from 1,440; all in group 0
    # and nobody on leave on day 0 (f = 0.5 / 365: floor(f + i / 4) = floor(i / 4) = 0)
    (("shifts.duty_groups=1", "duty.roster_leave_days_year=0.5"),
     [("_apply", Schedule(interval=1440.0, start=1440.0), Priority.HIGH)], [True] * 4),
    (("shifts.duty_groups=1", "duty.roster_leave_days_year=0"), [], [True] * 4),
    # two groups: groups 0, 1, 0, 0 (2 % 2 and 4 % 2); group 0 first
    (("shifts.duty_groups=2", "duty.roster_leave_days_year=0"),
     [("_on_shift_change", Schedule(interval=480.0, start=480.0), Priority.HIGH)],
     [True, False, True, True]),
])
def test_roster_schedules_only_the_changes_it_needs(sets, expected, on):
    roster, staff = _roster(*sets)
    model = _Model(0.0)
    roster.start(model)
    assert model.recurring == expected
    assert [r.on_duty for r in staff] == on


def test_roster_without_members_schedules_nothing():
    roster = Roster(scenario("shifts.duty_groups=3"))
    model = _Model(0.0)
    roster.start(model)
    roster.refresh()
    assert model.recurring == []


# ------------------------------------------------------------------ day shift start


@pytest.mark.parametrize(("start_h", "hours", "on_at_0", "recurring"), [
    # 08:00-17:00: nothing under way at time 0; starts at 480, ends at 1,020
    (8.0, 9.0, None, [480.0, 1020.0]),
    # 00:00-09:00: day 0's shift begins at time 0 (the next start is at 1,440)
    (0.0, 9.0, [True, False], [1440.0, 540.0]),
    # 20:00-05:00: day -1's shift is under way at time 0; ends at 1,740 - 1,440 = 300
    (20.0, 9.0, [False, True], [1200.0, 300.0]),
    # 15:00-24:00: ends exactly at midnight, nothing under way at time 0
    (15.0, 9.0, None, [900.0, 1440.0]),
    # 00:00:36 for 24 h (start 0.6 min): day -1's is under way; a 24-hour shift never ends
    (0.01, 24.0, [False, True], [0.6]),
    # 08:00 for 24 h: day -1's is under way at 0 (ends at 1,920 - 1,440 = 480 only as the
    # next begins: no end event)
    (8.0, 24.0, [False, True], [480.0]),
])
def test_day_shift_start_begins_the_shift_under_way_and_schedules_the_day(
        start_h, hours, on_at_0, recurring):
    # member m: index 0, 1 day a week, works on days 0, 7, ... (not day -1: (-1 + 0) % 7 = 6);
    # member q: index 1, 1 day a week, works on day -1 ((-1 + 1) % 7 = 0), not day 0 or -2
    shift = DayShift(scenario(f"shifts.day_start_h={start_h}", f"shifts.day_hours={hours}"))
    m, q = _Staff("m"), _Staff("q")
    shift.add(m, 0, 2, 1, 0.0)
    shift.add(q, 1, 2, 1, 0.0)
    model = _Model(0.0)
    shift.start(model)
    assert (None if m.on_duty is None else [m.on_duty, q.on_duty]) == on_at_0
    assert model.disp.kicks == (0 if on_at_0 is None else 1)
    names = ["_on_day_start", "_on_day_end"][:len(recurring)]
    assert model.recurring == [(name, Schedule(interval=1440.0, start=s), Priority.HIGH)
                               for name, s in zip(names, recurring, strict=True)]


def test_day_shift_without_members_schedules_nothing():
    shift = DayShift(scenario())
    model = _Model(0.0)
    shift.start(model)
    assert model.recurring == [] and model.disp.kicks == 0


@pytest.mark.parametrize(("day", "a_on", "b_on"), [
    (2, True, True),  # b works day 2, no leave
    (1, True, False),  # b on leave on day 1
    (3, True, False),  # b's day off
])
def test_day_shift_begins_each_day_as_the_rules_say(day, a_on, b_on):
    shift, a, b = _night_day_shift()
    shift._model = model = _Model(day * DAY + 1200.0)
    shift._on_day_start()
    assert (a.on_duty, b.on_duty) == (a_on, b_on) and model.disp.kicks == 1
    shift._on_day_end()
    assert (a.on_duty, b.on_duty) == (False, False)


def test_day_shift_begins_without_the_members_away():
    shift, a, b = _night_day_shift()
    shift._model = _Model(2 * DAY + 1200.0)
    shift.away = {a}
    shift._on_day_start()
    assert (a.on_duty, b.on_duty) == (False, True)


# ------------------------------------------------------------------ resident duty


def _resident(*sets):
    return ResidentDuty(scenario(*sets))


@pytest.mark.parametrize(("sets", "index", "now", "expected"), [
    # 08:00-16:00, 7 days a week: [480, 960) each day
    ((), 0, 479.0, False), ((), 0, 480.0, True), ((), 0, 959.0, True), ((), 0, 960.0, False),
    ((), 0, 3 * DAY + 600.0, True),
    # 5 days a week, index 0: days 5 and 6 off ((d + 0) % 7 >= 5); index 2: days 3, 4 off
    (("duty.village_auxiliary_days_per_week=5",), 0, 4 * DAY + 600.0, True),
    (("duty.village_auxiliary_days_per_week=5",), 0, 5 * DAY + 600.0, False),
    (("duty.village_auxiliary_days_per_week=5",), 2, 5 * DAY + 600.0, True),
    (("duty.village_auxiliary_days_per_week=5",), 2, 3 * DAY + 600.0, False),
    # 73 leave days, member 0 of 1: day 4 on leave, day 3 not
    (("duty.village_auxiliary_leave_days_year=73",), 0, 4 * DAY + 600.0, False),
    (("duty.village_auxiliary_leave_days_year=73",), 0, 3 * DAY + 600.0, True),
    # 20:00 for 12 h: [1,200, 1,920) of each day, so 05:00 is yesterday's window
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12"), 0, 300.0, True),
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12"), 0, 480.0, False),
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12"), 0, 1199.0,
     False),
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "duty.village_auxiliary_days_per_week=5"), 0, 5 * DAY + 300.0, True),  # day 4's window
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "duty.village_auxiliary_days_per_week=5"), 0, 6 * DAY + 300.0, False),  # day 5 off
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "duty.village_auxiliary_days_per_week=5"), 0, 7 * DAY + 1300.0, True),  # day 7 works
    # leave on yesterday's day (member 0 of 1, day 4) cancels the window running into day 5
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "duty.village_auxiliary_leave_days_year=73"), 0, 5 * DAY + 300.0, False),
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "duty.village_auxiliary_leave_days_year=73"), 0, 4 * DAY + 300.0, True),
])
def test_village_duty_windows(sets, index, now, expected):
    assert _resident(*sets).in_village_duty(index, 3, now) is expected


def _turns(*sets):
    res = _resident("shifts.day_start_h=8", *sets)
    x, y, z, u = (_Staff(c) for c in "xyzu")
    res.add_turns([x, y, z], 7)
    res.add_turns([u], 9)
    res.add_turns([], 11)  # a cluster without auxiliaries takes no turns
    return res, x, y, z, u


def test_center_turns_rotate_from_the_day_start():
    # 24-hour turns from 08:00: day d's turn (from d x 1,440 + 480) falls to order[d % 3]
    res, x, y, z, u = _turns("duty.center_turn_hours=24")
    assert len(res.turns) == 2
    assert res.on_turn(100.0) == {z: 7, u: 9}  # still day -1's turn: order[-1 % 3]
    assert res.on_turn(480.0) == {x: 7, u: 9}
    assert res.on_turn(DAY + 500.0) == {y: 7, u: 9}
    assert res.on_turn(5 * DAY + 479.0) == {y: 7, u: 9}  # day 4's turn: 4 % 3 = 1
    res.away = {y}  # on leave: the turn passes to the next in the order
    assert res.on_turn(DAY + 500.0) == {z: 7, u: 9}
    res.away = {y, z}
    assert res.on_turn(DAY + 500.0) == {x: 7, u: 9}
    res.away = {x, y, z, u}
    assert res.on_turn(DAY + 500.0) == {}


def test_center_turns_shorter_than_a_day_leave_gaps():
    # 12-hour turns from 08:00: [480, 1,200) each day
    res, x, y, z, u = _turns("duty.center_turn_hours=12")
    assert res.on_turn(479.0) == {}
    assert res.on_turn(1199.0) == {x: 7, u: 9}
    assert res.on_turn(1200.0) == {}
    assert res.on_turn(DAY + 480.0) == {y: 7, u: 9}
    assert res.on_turn(2 * DAY + 480.0) == {z: 7, u: 9}


def test_resident_refresh_moves_the_turn_and_sets_duty_and_call():
    # 08:00-16:00 village duty, 24-hour turns from 08:00; x (home 0) and y (home 1) share a
    # center office at place 5 (day 0's turn is x's, day 1's y's); z (home 2) takes no turns.
    # One leave day a year, members 0, 1, 2 of 3: on leave on days 364, 243 and 121 only
    # (floor((d + 1) / 365 + i / 3) > floor(d / 365 + i / 3)), so not on days 0 and 1.
    res = _resident("shifts.day_start_h=8", "duty.center_turn_hours=24",
                    "duty.on_call_at_home=true", "duty.village_auxiliary_leave_days_year=1")
    x, y, z = _Staff("x", home=0), _Staff("y", home=1), _Staff("z", home=2)
    for i, r in enumerate((x, y, z)):
        res.add(r, i, 3)
    res.add_turns([x, y], 5)
    res._model = model = _Model(600.0)  # 10:00 of day 0
    res.refresh()
    assert (x.at_center, x.rebased, x.on_call, x.on_duty) == (True, [5], False, True)
    assert (y.at_center, y.rebased, y.on_call, y.on_duty) == (False, [], True, True)
    model.now = 1000.0  # 16:40: y off duty in the village, on call at home
    res.refresh()
    assert (x.at_center, x.rebased, x.on_duty) == (True, [5], True)  # no second rebase
    assert (y.on_call, y.on_duty) == (True, False)
    model.now = DAY + 600.0  # day 1: y's turn; x back home, on duty in the village
    res.refresh()
    assert (x.at_center, x.rebased, x.on_call, x.on_duty) == (False, [5, 0], True, True)
    assert (y.at_center, y.rebased, y.on_call, y.on_duty) == (True, [5], False, True)
    res.away = {y}  # y away: x takes the turn; y neither on duty nor on call; z unaffected
    res.refresh()
    assert (x.at_center, x.rebased, x.on_call, x.on_duty) == (True, [5, 0, 5], False, True)
    assert (y.at_center, y.rebased, y.on_call, y.on_duty) == (False, [5, 1], False, False)
    assert (z.at_center, z.rebased, z.on_call, z.on_duty) == (False, [], True, True)


def test_resident_refresh_without_on_call_at_home():
    res = _resident("duty.on_call_at_home=false")
    x = _Staff("x", home=0)
    res.add(x, 0, 1)
    res._model = _Model(1000.0)  # 16:40, off duty
    res.refresh()
    assert (x.on_call, x.on_duty, x.rebased) == (False, False, [])


@pytest.mark.parametrize(("sets", "turns", "minutes"), [
    # village 08:00-16:00, turns from the day start 08:00 for 24 h
    ((), True, [480.0, 960.0]),
    ((), False, [480.0, 960.0]),
    # village 20:00 for 12 h (ends 08:00), turns 09:00-19:00
    (("duty.village_auxiliary_start_h=20", "duty.village_auxiliary_hours=12",
      "shifts.day_start_h=9", "duty.center_turn_hours=10"), True, [480.0, 540.0, 1140.0,
                                                                  1200.0]),
    # village duty all day (only its start), turns 07:00-07:00
    (("duty.village_auxiliary_hours=24", "shifts.day_start_h=7"), True, [420.0, 480.0]),
    # no village duty at all (only on call): only the turns' 08:00 start; 00:00 turns start
    # at midnight (daily from 1,440)
    (("duty.village_auxiliary_hours=0",), True, [480.0]),
    # one minute of village duty a day (1/60 h): its start and its end
    (("duty.village_auxiliary_hours=0.016666666666666666",), False, [480.0, 481.0]),
    (("duty.village_auxiliary_hours=0", "shifts.day_start_h=0"), True, [1440.0]),
])
def test_resident_duty_refreshes_at_every_boundary_of_the_day(sets, turns, minutes):
    res = _resident(*sets)
    x = _Staff("x", home=0)
    res.add(x, 0, 1)
    if turns:
        res.add_turns([x], 3)
    model = _Model(0.0)
    model.streams = "streams"
    res.start(model)
    assert res._streams == "streams" and x.on_duty is not None  # refreshed at time 0
    assert model.recurring == [("_refresh", Schedule(interval=1440.0, start=m), Priority.HIGH)
                               for m in minutes]


def test_resident_duty_without_members_schedules_nothing():
    res = _resident()
    model = _Model(0.0)
    model.streams = None
    res.start(model)
    res.refresh()
    assert model.recurring == []


@pytest.mark.parametrize(("sets", "clock_h", "expected"), [
    # night 22:00-06:00 (wrapping midnight): 20 min; otherwise 5
    ((), 21.99, 5.0), ((), 22.0, 20.0), ((), 5.99, 20.0), ((), 6.0, 5.0), ((), 0.0, 20.0),
    ((), 24 + 22.5, 20.0), ((), 48 + 12.0, 5.0),
    # a night not wrapping midnight, 01:00-05:00
    (("duty.night_start_h=1", "duty.night_end_h=5"), 0.99, 5.0),
    (("duty.night_start_h=1", "duty.night_end_h=5"), 1.0, 20.0),
    (("duty.night_start_h=1", "duty.night_end_h=5"), 4.99, 20.0),
    (("duty.night_start_h=1", "duty.night_end_h=5"), 5.0, 5.0),
    # an empty night (start = end): never night
    (("duty.night_start_h=3", "duty.night_end_h=3"), 3.0, 5.0),
    (("duty.night_start_h=3", "duty.night_end_h=3"), 23.0, 5.0),
])
def test_on_call_turnout_by_time_of_day(sets, clock_h, expected):
    res = _resident("duty.on_call_turnout_min=5", "duty.night_turnout_min=20", *sets)
    assert res.on_call_delay(clock_h * 60.0) == expected


def test_on_call_answer_draws_from_the_townships_stream():
    drawn = []

    class _Rng:
        def random(self):
            return 0.3

    def township(name, t):
        drawn.append((name, t))
        return _Rng()

    for prob, expected in ((0.3, False), (0.31, True), (0.0, False)):
        res = _resident(f"duty.on_call_answer_prob={prob}")
        res._streams = SimpleNamespace(township=township)
        assert res.answers(SimpleNamespace(township=4)) is expected
    assert drawn == [("on_call_answer", 4)] * 3


# ------------------------------------------------------------------ festival leave

_FESTIVAL = ("rhythm.enabled=true", "rhythm.spring_festival_leave_station_officers=0.5",
             "rhythm.spring_festival_leave_community_officers=0",
             "rhythm.spring_festival_leave_auxiliaries=0.25")


class _Regime:
    def __init__(self) -> None:
        self.away: set | None = None
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


class _LeaveModel(_Model):
    """Adds the festival windows, the streams (uniforms given per township) and events."""

    def __init__(self, windows, uniforms, now=0.0, horizon=10 * DAY) -> None:
        super().__init__(now)
        self.horizon, self.events, self.drawn = horizon, [], []
        self.rhythm = SimpleNamespace(festival_windows=lambda h: list(windows) if h == horizon
                                      else None)
        model = self

        class _Rng:
            def __init__(self, t):
                self.t = t

            def random(self, size):
                model.drawn.append((self.t, size))
                return np.array(uniforms[self.t].pop(0), float)

        self.streams = SimpleNamespace(township=lambda name, t: (
            self.drawn.append((name, t)), _Rng(t))[1])

    def schedule_event(self, fn, *, at, priority):
        self.events.append((fn.__name__, at, priority))


def _festival(*sets):
    regimes = (_Regime(), _Regime())
    leave = FestivalLeave(scenario(*sets), regimes)
    staff = {}
    for t, cat, n in ((1, "station_officers", 1), (1, "auxiliaries", 6),
                      (0, "station_officers", 4), (0, "community_officers", 2),
                      (0, "auxiliaries", 4)):
        staff[t, cat] = [_Staff(f"{cat[0]}{t}.{i}") for i in range(n)]
        for r in staff[t, cat]:
            leave.add(r, t, cat)
    return leave, regimes, staff


def test_festival_leave_draws_who_is_away_township_by_township():
    # township 0: 4 station officers, round(0.5 x 4) = 2 away, those with the two smallest
    # uniforms (0.1: #1, 0.3: #3); 2 community officers, share 0 (drawn, nobody away);
    # 4 auxiliaries, round(0.25 x 4) = 1 (0.2: #2). Township 1: 1 station officer,
    # round(0.5) = 0 (halves to even); 6 auxiliaries, round(1.5) = 2 (0.05: #4, 0.15: #0)
    leave, regimes, staff = _festival(*_FESTIVAL)
    assert leave.active and leave.shares == {"station_officers": 0.5,
                                             "community_officers": 0.0, "auxiliaries": 0.25}
    uniforms = {0: [[0.9, 0.1, 0.5, 0.3], [0.2, 0.1], [0.4, 0.8, 0.2, 0.6]],
                1: [[0.01], [], [0.15, 0.9, 0.8, 0.7, 0.05, 0.6]]}
    model = _LeaveModel([(2 * DAY, 3 * DAY), (6 * DAY, 7 * DAY)], uniforms)
    leave.start(model)
    assert model.events == [("_on_start", 2 * DAY, Priority.HIGH)] and not model.drawn
    model.now = 2 * DAY
    leave._on_start()
    assert model.drawn == [("festival_leave", 0), (0, 4), (0, 2), (0, 4),
                           ("festival_leave", 1), (1, 1), (1, 0), (1, 6)]
    expected = {staff[0, "station_officers"][1], staff[0, "station_officers"][3],
                staff[0, "auxiliaries"][2], staff[1, "auxiliaries"][4],
                staff[1, "auxiliaries"][0]}
    assert leave.away == expected
    assert all(r.away is leave.away and r.refreshed == 1 for r in regimes)
    assert model.events[1:] == [("_on_end", 3 * DAY, Priority.HIGH)]
    model.now = 3 * DAY
    leave._on_end()
    assert leave.away == set() and all(r.away == set() and r.refreshed == 2 for r in regimes)
    assert model.events[2:] == [("_on_start", 6 * DAY, Priority.HIGH)]
    assert leave._windows == [(6 * DAY, 7 * DAY)]


def test_festival_leave_in_a_window_at_time_0_begins_at_once():
    # the run starts inside a window: drawn at once (the regimes start afterwards, so they
    # are not refreshed); its end is an event unless it is the run's end
    uniforms = {0: [[0.9, 0.1, 0.5, 0.3], [0.2, 0.1], [0.4, 0.8, 0.2, 0.6]],
                1: [[0.01], [], [0.15, 0.9, 0.8, 0.7, 0.05, 0.6]]}
    leave, regimes, _ = _festival(*_FESTIVAL)
    model = _LeaveModel([(0.0, DAY)], {t: [list(u) for u in us] for t, us in uniforms.items()})
    leave.start(model)
    assert len(leave.away) == 5 and model.events == [("_on_end", DAY, Priority.HIGH)]
    assert all(r.away is leave.away and r.refreshed == 0 for r in regimes)
    leave, regimes, _ = _festival(*_FESTIVAL)
    model = _LeaveModel([(0.0, 10 * DAY)], uniforms)
    leave.start(model)
    assert len(leave.away) == 5 and model.events == []


@pytest.mark.parametrize("sets", [
    ("rhythm.enabled=false", *_FESTIVAL[1:]),  # the rhythm off
    ("rhythm.enabled=true", "rhythm.spring_festival_leave_station_officers=0",
     "rhythm.spring_festival_leave_community_officers=0",
     "rhythm.spring_festival_leave_auxiliaries=0"),  # no share
])
def test_festival_leave_inactive_registers_and_schedules_nothing(sets):
    leave, _, _ = _festival(*sets)
    assert not leave.active and leave.members == {}
    model = _LeaveModel([(0.0, DAY)], {})
    leave.start(model)
    assert model.events == [] and model.drawn == [] and leave.away == set()


def test_festival_leave_with_only_community_officers_on_leave_is_active():
    leave, _, _ = _festival("rhythm.enabled=true",
                            "rhythm.spring_festival_leave_station_officers=0",
                            "rhythm.spring_festival_leave_community_officers=0.5",
                            "rhythm.spring_festival_leave_auxiliaries=0")
    assert leave.active and [len(v) for v in leave.members[0].values()] == [4, 2, 4]
    assert list(leave.members) == [1, 0] and list(leave.members[1]) == [
        "station_officers", "community_officers", "auxiliaries"]


def test_festival_leave_without_a_rhythm_or_windows_schedules_nothing():
    leave, _, _ = _festival(*_FESTIVAL)
    model = _LeaveModel([], {})
    leave.start(model)
    assert model.events == [] and model.drawn == []
    model.rhythm = None
    leave.start(model)
    assert model.events == []
