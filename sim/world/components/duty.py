"""Duty regimes: when each responder is on duty, on leave, or on call at home.

Three regimes, each fed entirely by scenario data (``[shifts]`` and ``[duty]``):

* :class:`Roster`: the station's rotating duty groups. ``shifts.duty_groups`` groups take
  ``shifts.shift_hours`` shifts in turn, so each member is on duty 1/duty_groups of the time
  (8 hours a day with 3 groups), less ``duty.roster_leave_days_year``.
* :class:`DayShift`: day roles (dedicated community officers, district chiefs) work
  ``shifts.day_hours`` from ``shifts.day_start_h`` on ``*_days_per_week`` days a week,
  staggered so that someone is always at work, less leave.
* :class:`ResidentDuty`: village auxiliaries are on duty in their village
  ``duty.village_auxiliary_hours`` a day, on call at home otherwise (``duty.on_call_at_home``:
  phoned for a call in the village, they answer with ``duty.on_call_answer_prob`` and leave
  after an extra turnout, longer at night); a cluster's auxiliaries take daily turns of
  ``duty.center_turn_hours`` at the center office.

Leave is spread evenly: member i of n is on leave on day d when ``floor((d + 1) f + i / n)``
exceeds ``floor(d f + i / n)`` with ``f = leave_days / 365``, so members' leave is staggered.

:class:`FestivalLeave` (with ``rhythm.enabled``): a share of each staff category is on leave
for the whole Spring Festival window, whatever its regime says. At the window's first midnight
``round(share x n)`` of a township's n members of the category (station officers, district
chiefs among them; community officers; auxiliaries) are drawn from the township's
``festival_leave`` stream; they go off duty (and off call) then, finishing a job under way,
and come back at the midnight after the window's last day. A center-office turn that falls to
an auxiliary on leave passes to the next one in the turn order who is not.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa.time import Priority, Schedule

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder

DAY_MIN = 1440.0
WEEK_DAYS = 7
#: Staff categories of :class:`FestivalLeave`, in the order their members are drawn.
LEAVE_CATEGORIES = ("station_officers", "community_officers", "auxiliaries")


def on_leave(index: int, n: int, day: int, leave_days: float) -> bool:
    """Whether member ``index`` of ``n`` is on leave on ``day`` (leave spread evenly)."""
    if leave_days <= 0:
        return False
    f, phase = leave_days / 365.0, index / max(n, 1)
    return math.floor((day + 1) * f + phase) > math.floor(day * f + phase)


def works_on(index: int, day: int, days_per_week: int) -> bool:
    """Whether member ``index`` works on ``day``: days off staggered across members."""
    return (day + index) % WEEK_DAYS < days_per_week


def _daily(model: PolicingModel, callback, minute: float) -> None:
    """Call ``callback`` every day at ``minute`` past midnight (time 0 is the caller's job)."""
    minute %= DAY_MIN
    model.schedule_recurring(callback, Schedule(interval=DAY_MIN, start=minute or DAY_MIN),
                             priority=Priority.HIGH)


class Roster:
    """The station's rotating duty groups (station staff in the old model)."""

    def __init__(self, scenario: Scenario) -> None:
        """Read ``[shifts]`` and the roster's leave."""
        sh = scenario.shifts
        self.groups, self.shift_min = sh.duty_groups, sh.shift_hours * 60.0
        self.leave = scenario.duty.roster_leave_days_year
        self.members: list[Responder] = []
        self._shift = 0
        self.away: set[Responder] = set()  # on festival leave (FestivalLeave fills it)

    def add(self, r: Responder, group: int) -> None:
        """Put ``r`` in duty group ``group`` (group 0 takes the first shift)."""
        r.duty_group = group % self.groups
        self.members.append(r)

    def start(self, model: PolicingModel) -> None:
        """Start the first shift and schedule the changes."""
        self._model = model
        if not self.members:
            return
        self._apply()
        if self.groups > 1:
            model.schedule_recurring(self._on_shift_change, Schedule(
                interval=self.shift_min, start=self.shift_min), priority=Priority.HIGH)
        elif self.leave > 0:
            _daily(model, self._apply, 0.0)

    def _on_shift_change(self) -> None:
        self._shift += 1
        self._apply()

    def _apply(self) -> None:
        on = self._shift % self.groups
        day, n = math.floor(self._model.now / DAY_MIN), len(self.members)
        away = self.away
        for i, r in enumerate(self.members):
            r.set_duty(r.duty_group == on and not on_leave(i, n, day, self.leave) and
                       not (away and r in away))

    def refresh(self) -> None:
        """Set everyone's duty for the shift under way (after a change of who is away)."""
        if self.members:
            self._apply()


class DayShift:
    """Day roles: ``shifts.day_hours`` from ``shifts.day_start_h`` on their working days."""

    def __init__(self, scenario: Scenario) -> None:
        """Read the day shift's hours."""
        sh = scenario.shifts
        self.start_min, self.end_min = sh.day_start_h * 60.0, (sh.day_start_h + sh.day_hours) * 60
        self.members: list[tuple[Responder, int, int, int, float]] = []
        self.away: set[Responder] = set()  # on festival leave (FestivalLeave fills it)

    def add(self, r: Responder, index: int, n: int, days_per_week: int,
            leave_days: float) -> None:
        """Add member ``index`` of ``n`` of a role working ``days_per_week``."""
        self.members.append((r, index, n, days_per_week, leave_days))

    def start(self, model: PolicingModel) -> None:
        """Schedule the daily start and end (the shift may be under way at time 0)."""
        self._model = model
        if not self.members:
            return
        if self.start_min == 0.0 or self.end_min > DAY_MIN:
            self._begin(-1 if self.start_min > 0 else 0)
        _daily(model, self._on_day_start, self.start_min)
        if self.end_min - self.start_min < DAY_MIN:  # a 24-hour day shift never ends
            _daily(model, self._on_day_end, self.end_min)

    def _begin(self, day: int) -> None:
        away = self.away
        for r, i, n, per_week, leave in self.members:
            r.set_duty(works_on(i, day, per_week) and not on_leave(i, n, day, leave) and
                       not (away and r in away))
        for d in self._model.dispatchers:
            if d is not None:  # a sharded run holds only its own townships' dispatchers
                d.kick()

    def _on_day_start(self) -> None:
        self._begin(math.floor(self._model.now / DAY_MIN))

    def _on_day_end(self) -> None:
        for r, *_ in self.members:
            r.set_duty(False)

    def refresh(self) -> None:
        """Set everyone's duty as the day shifts say now (after a change of who is away).

        On when the latest shift to begin has not ended and fell on a working day.
        """
        if not self.members:
            return
        now = self._model.now
        day = math.floor((now - self.start_min) / DAY_MIN)  # the latest shift to begin
        length = self.end_min - self.start_min
        ended = length < DAY_MIN and now >= day * DAY_MIN + self.start_min + length
        away = self.away
        for r, i, n, per_week, leave in self.members:
            r.set_duty(not ended and works_on(i, day, per_week) and
                       not on_leave(i, n, day, leave) and r not in away)
        for d in self._model.dispatchers:
            if d is not None:
                d.kick()


class ResidentDuty:
    """Village auxiliaries: duty in the village, on call at home, turns at the center office."""

    def __init__(self, scenario: Scenario) -> None:
        """Read ``[duty]``."""
        d = scenario.duty
        self.p = d
        self.start_min, self.len_min = d.village_auxiliary_start_h * 60.0, \
            d.village_auxiliary_hours * 60.0
        self.turn_start, self.turn_len = scenario.shifts.day_start_h * 60.0, \
            d.center_turn_hours * 60.0
        self.members: list[tuple[Responder, int, int]] = []
        self.turns: list[tuple[list[Responder], int]] = []  # (turn order, center place)
        self.away: set[Responder] = set()  # on festival leave (FestivalLeave fills it)

    def add(self, r: Responder, index: int, n: int) -> None:
        """Add village auxiliary ``index`` of ``n``."""
        self.members.append((r, index, n))

    def add_turns(self, order: list[Responder], center: int) -> None:
        """The auxiliaries taking daily turns at the center office at place ``center``."""
        if order:
            self.turns.append((order, center))

    def start(self, model: PolicingModel) -> None:
        """Set everyone's state at time 0 and refresh it at every boundary of the day."""
        self._model = model
        self._streams = model.streams  # each township's own on_call_answer stream
        if not self.members:
            return
        self._refresh()
        minutes = {self.start_min % DAY_MIN} if self.len_min > 0 else set()
        if 0 < self.len_min < DAY_MIN:
            minutes.add((self.start_min + self.len_min) % DAY_MIN)
        if self.turns:
            minutes.add(self.turn_start % DAY_MIN)
            if self.turn_len < DAY_MIN:
                minutes.add((self.turn_start + self.turn_len) % DAY_MIN)
        for m in sorted(minutes):
            _daily(model, self._refresh, m)

    def in_village_duty(self, index: int, n: int, now: float) -> bool:
        """Whether member ``index`` is on duty in the village at ``now``."""
        p, today = self.p, math.floor(now / DAY_MIN)
        for day in (today, today - 1):  # a duty window that began today or yesterday
            s = day * DAY_MIN + self.start_min
            if s <= now < s + self.len_min and works_on(
                    index, day, p.village_auxiliary_days_per_week) and not on_leave(
                    index, n, day, p.village_auxiliary_leave_days_year):
                return True
        return False

    def on_turn(self, now: float) -> dict[Responder, int]:
        """The auxiliary on a center turn at ``now``, per center: responder -> center place.

        The day's turn falls to ``order[day % len(order)]``; if that auxiliary is on festival
        leave, to the next one in the order who is not (nobody's if all are away).
        """
        out = {}
        today = math.floor(now / DAY_MIN)
        away = self.away
        for order, center in self.turns:
            for day in (today, today - 1):
                s = day * DAY_MIN + self.turn_start
                if s <= now < s + self.turn_len:
                    k = len(order)
                    for j in range(k):
                        r = order[(day + j) % k]
                        if not (away and r in away):
                            out[r] = center
                            break
                    break
        return out

    def _refresh(self) -> None:
        now = self._model.now
        turn = self.on_turn(now)
        away = self.away
        for r, i, n in self.members:
            center = turn.get(r)
            if (center is not None) != r.at_center:
                r.at_center = center is not None
                r.rebase(r.home if center is None else center)
            gone = bool(away) and r in away
            r.set_on_call(self.p.on_call_at_home and center is None and not gone)
            r.set_duty(center is not None or (not gone and self.in_village_duty(i, n, now)))

    def refresh(self) -> None:
        """Set everyone's state for this moment (after a change of who is away)."""
        if self.members:
            self._refresh()

    def on_call_delay(self, now: float) -> float:
        """Extra turnout of an auxiliary phoned at home at ``now`` (minutes)."""
        p, h = self.p, (now % DAY_MIN) / 60.0
        ns, ne = p.night_start_h, p.night_end_h
        night = (h >= ns or h < ne) if ns > ne else (ns <= h < ne)
        return p.night_turnout_min if night else p.on_call_turnout_min

    def answers(self, r: Responder) -> bool:
        """Whether auxiliary ``r``, phoned at home, answers at once (its township's stream)."""
        return bool(self._streams.township("on_call_answer", r.township).random()
                    < self.p.on_call_answer_prob)


class FestivalLeave:
    """Staff on leave for the Spring Festival window (``rhythm.spring_festival_leave_*``).

    Active only with ``rhythm.enabled`` and a share above 0; otherwise it schedules nothing
    and draws nothing. Event-driven: one event at the start of each window in the run (at
    time 0 if the run begins inside one) and one at its end. At the start, for each township
    (in index order) and each category of :data:`LEAVE_CATEGORIES` (in that order), one
    uniform per member, in staffing order, is drawn from the township's ``festival_leave``
    stream and the ``round(share x n)`` (halves to even) members with the smallest are away
    (the same staffing indices under both policies with the same seed). The regimes then
    take them off duty and off call (a job under way is finished first) and leave them so
    until the window ends.
    """

    def __init__(self, scenario: Scenario, regimes: tuple) -> None:
        """Read the shares; ``regimes`` are the duty regimes whose ``away`` sets it fills."""
        r = scenario.rhythm
        self.shares = dict(zip(LEAVE_CATEGORIES, (
            r.spring_festival_leave_station_officers, r.spring_festival_leave_community_officers,
            r.spring_festival_leave_auxiliaries), strict=True))
        self.active = r.enabled and any(v > 0 for v in self.shares.values())
        self.regimes = regimes
        self.members: dict[int, dict[str, list[Responder]]] = {}
        self.away: set[Responder] = set()
        self._windows: list[tuple[float, float]] = []

    def add(self, r: Responder, township: int, category: str) -> None:
        """Register ``r`` as the next member (staffing order) of ``category`` in a township."""
        if self.active:
            by_cat = self.members.setdefault(township, {c: [] for c in LEAVE_CATEGORIES})
            by_cat[category].append(r)

    def start(self, model: PolicingModel) -> None:
        """Schedule the windows (before the regimes start: a window at time 0 begins now)."""
        if not self.active or model.rhythm is None:
            return
        self._model = model
        self._windows = model.rhythm.festival_windows(model.horizon)
        if self._windows and self._windows[0][0] <= model.now:
            self._choose()
        elif self._windows:
            model.schedule_event(self._on_start, at=self._windows[0][0], priority=Priority.HIGH)

    def _choose(self) -> None:
        """Draw who is away for the window now beginning and schedule its end."""
        model = self._model
        away: set[Responder] = set()
        for t in sorted(self.members):
            rng = model.streams.township("festival_leave", t)
            for cat in LEAVE_CATEGORIES:
                staff = self.members[t][cat]
                u = rng.random(len(staff))
                k = round(self.shares[cat] * len(staff))  # halves to even
                away.update(staff[j] for j in sorted(range(len(staff)), key=u.__getitem__)[:k])
        self._set_away(away)
        end = self._windows[0][1]
        if end < model.horizon:
            model.schedule_event(self._on_end, at=end, priority=Priority.HIGH)

    def _on_start(self) -> None:
        self._choose()
        for regime in self.regimes:
            regime.refresh()

    def _on_end(self) -> None:
        self._windows.pop(0)
        self._set_away(set())
        for regime in self.regimes:
            regime.refresh()
        if self._windows:
            self._model.schedule_event(self._on_start, at=self._windows[0][0],
                                       priority=Priority.HIGH)

    def _set_away(self, away: set[Responder]) -> None:
        self.away = away
        for regime in self.regimes:  # one shared set: membership is checked by each regime
            regime.away = away
