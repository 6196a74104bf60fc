"""Responders: the agents who travel to jobs (officers and auxiliaries share this machinery).

A responder is always in exactly one :class:`Activity`, and every minute is booked to one, so
time budgets are exact. Trips are scheduled events: dispatch -> arrive -> done -> (next job or
return to base). A responder has at most one pending event, held in ``_event``.

When nothing at the scene depends on the moment of arrival (the model says so through
``PolicingModel.fixed_service``: calls that are not disputes, casework), the arrival is booked
rather than scheduled: its time is known at dispatch, and the one event at the end of the job
settles it first. Same times, same budgets, one event fewer per such job (a prefecture year has
about a third of a million of them). :meth:`Responder.settle` applies a booked arrival that
has already happened, for anyone reading a responder's place or activity between events.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from sim.world.jobs import Job, JobKind

if TYPE_CHECKING:
    from sim.world.model import PolicingModel


class Role(Enum):
    """Who the responder is."""

    STATION_OFFICER = "station_officer"
    COMMUNITY_OFFICER = "community_officer"
    DISTRICT_CHIEF = "district_chief"  # a station officer heading a center office
    AUXILIARY = "auxiliary"

    @property
    def is_officer(self) -> bool:
        """Sworn officers (everyone but auxiliaries)."""
        return self is not Role.AUXILIARY


class Activity(Enum):
    """What a responder is doing; the time budget's categories."""

    DUTY = "duty"  # on duty at base, free
    TRAVEL = "travel"
    ON_SCENE = "on_scene"  # attending a call or mediating
    SCREENING = "screening"
    CASEWORK = "casework"
    VISIT = "visit"  # a community officer's follow-up or elderly visit
    OFF_DUTY = "off_duty"
    ON_CALL = "on_call"  # off duty at home, but may be phoned (resident auxiliaries)


for _i, _a in enumerate(Activity):
    _a.idx = _i  # list position: budgets are booked on every move, enum hashing is slow

_ACTIVITY_OF_JOB = {
    JobKind.DISPUTE_CALL: Activity.ON_SCENE,
    JobKind.OTHER_CALL: Activity.ON_SCENE,
    JobKind.MEDIATION: Activity.ON_SCENE,
    JobKind.JOINT_MEDIATION: Activity.ON_SCENE,
    JobKind.SCREENING: Activity.SCREENING,
    JobKind.CASEWORK: Activity.CASEWORK,
    JobKind.OFFICER_ATTENDANCE: Activity.ON_SCENE,
    JobKind.FOLLOWUP: Activity.VISIT,
    JobKind.ELDERLY_VISIT: Activity.VISIT,
}
_STANDBY = (Activity.OFF_DUTY, Activity.ON_CALL)
_DUTY, _ON_CALL, _TRAVEL = Activity.DUTY, Activity.ON_CALL, Activity.TRAVEL


class Responder(CellAgent):
    """An officer or auxiliary who can be dispatched.

    Attributes:
        role: The responder's role.
        township: Index of the township served.
        base: Place the responder returns to (station, center-office village or home village).
        place: Current place (meaningful when not travelling).
        home: Home village of a village auxiliary (``-1`` otherwise).
        cluster: Cluster served from a center office (``-1`` when township-wide).
        at_center: Whether the responder is on duty at a center office.
        on_duty: Whether the responder may take new jobs.
        on_call: Whether off-duty time is spent on call at home (may be phoned for a call).
        post: The post the policy gave the responder (``station_auxiliary``,
            ``village_auxiliary``, ``dedicated_community_officer``...): resources are counted
            by post.
        kinds: The job kinds the post may take (:mod:`sim.world.components.eligibility`).
        idle_since: When the responder last finished a job (dispatch tie-break).
        lottery: A uniform drawn once, breaking remaining dispatch ties (never creation order).
        job: The job under way, if any.

    """

    # Slots: responders are touched by nearly every event; slots keep them small and quick
    # to read when thousands of them share the caches (a prefecture has 3,100).
    __slots__ = ("_booked", "_cells", "_dispatcher", "_event", "_minutes", "_role_value",
                 "_since", "_township", "activity", "arrives", "at_center", "base", "cluster",
                 "departed", "duty_group", "home", "idle_since", "is_officer", "job",
                 "jobs_done", "kinds", "lottery", "moving_to", "on_call", "on_duty", "place",
                 "post", "role", "township", "zone")

    def __init__(self, model: PolicingModel, role: Role, township: int, base: int,
                 on_duty: bool, *, home: int = -1, cluster: int = -1,
                 at_center: bool = False) -> None:
        """Create a responder at its base."""
        super().__init__(model)
        self.role = role
        self._role_value = role.value  # read on every dispatch; Enum.value is a property
        self.is_officer = role.is_officer  # likewise (the role never changes)
        self.township = township
        self.base = base
        self.place = base
        self.home = home
        self.cluster = cluster
        self.at_center = at_center
        self.on_duty = on_duty
        self.on_call = False
        self.post = role.value
        self.kinds: frozenset[JobKind] = frozenset()
        self.idle_since = model.now
        self.lottery = 0.0
        self.job: Job | None = None
        self.moving_to: int | None = None
        self.departed = self.arrives = model.now  # the current or last trip's times
        self._booked: float | None = None  # time of a booked, not yet settled, arrival
        self.activity = Activity.DUTY if on_duty else Activity.OFF_DUTY
        self._since = model.now
        self._event = None
        self._minutes = [0.0] * len(Activity)
        self.jobs_done = 0
        self.zone: tuple[int, ...] | None = None  # dispatch zone while free
        self._dispatcher = model.dispatcher_of(township)
        self._township = model.township_of(township)
        self._cells = model.cells_of(township)  # the grid cell of each place
        self.cell = self._cells[base]
        self._sync_free()

    # ------------------------------------------------------------ bookkeeping
    @property
    def free(self) -> bool:
        """On duty with nothing to do (at base or at a scene), or on call at home."""
        a = self.activity
        return (self.on_duty and a is Activity.DUTY) or a is Activity.ON_CALL

    @property
    def budget(self) -> dict[Activity, float]:
        """Minutes booked to each activity so far."""
        return {a: self._minutes[a.idx] for a in Activity}

    def _set_activity(self, activity: Activity, now: float | None = None) -> None:
        if now is None:
            now = self.model.now
        self._minutes[self.activity.idx] += now - self._since
        self._since = now
        self.activity = activity
        if activity is _DUTY or activity is _ON_CALL or self.zone is not None:
            self._sync_free()  # else: stays out of the pool

    def _standby(self) -> Activity:
        """What an off-duty responder at base is doing: on call at home, or off duty."""
        return Activity.ON_CALL if self.on_call else Activity.OFF_DUTY

    def _sync_free(self) -> None:
        """Keep the dispatcher's pool of free responders current."""
        a = self.activity
        if (self.on_duty and a is _DUTY) or a is _ON_CALL:  # self.free, inlined: hot
            zone = self.model.policy.zone(self)
            if zone != self.zone:
                self._dispatcher.mark(self, True, zone)
        elif self.zone is not None:
            self._dispatcher.mark(self, False, None)

    def close_budget(self) -> dict[Activity, float]:
        """Book the time up to now and return the budget (minutes per activity)."""
        self.settle()
        self._set_activity(self.activity)
        return self.budget

    def _move(self, place: int) -> None:
        self.place = place
        self.cell = self._cells[place]

    # ------------------------------------------------------------ trips
    def dispatch(self, job: Job) -> None:
        """Start a trip to ``job`` from where the responder is now."""
        model = self.model
        now = model.now
        self.job = job
        job.responder = self
        minutes = self._township.travel_min(self.place, job.place)
        if job.kind is JobKind.CASEWORK and self.place == job.place:
            minutes = 0.0  # casework at the station where the officer already is
        if self.activity is _ON_CALL:  # phoned at home: getting up and out first
            minutes += model.policy.on_call_delay(self, now)
        rec = job.record
        if rec is not None:
            rec.t_dispatch, rec.responder_id = now, self.unique_id
            rec.responder_role, rec.from_place = self._role_value, self.place
            rec.travel_min = minutes
        self._set_activity(_TRAVEL, now)
        self.moving_to = job.place
        self.departed, self.arrives = now, now + minutes
        service = model.fixed_service(job)
        if service is None:  # at= the same sum Mesa forms for after=minutes
            self._event = model.schedule_event(self._on_arrive, at=self.arrives)
        else:  # book the arrival; the end of the job is the only event (same float sums)
            self._booked = self.arrives
            self._event = model.schedule_event(self._on_booked_done, at=self.arrives + service)
        if rec is not None:
            model.call_attended(job, self)

    def _on_arrive(self) -> None:
        job, now = self.job, self.model.now
        self.moving_to = None
        self._move(job.place)
        self._set_activity(_ACTIVITY_OF_JOB[job.kind], now)
        minutes = self.model.start_job(self, job)
        self._event = self.model.schedule_event(self._on_done, at=now + minutes)

    def settle(self) -> None:
        """Apply a booked arrival whose time has come (place, activity, budget, record)."""
        t = self._booked
        if t is None or t > self.model.now:
            return
        self._booked = None
        job = self.job
        self.moving_to = None
        self._move(job.place)
        self._set_activity(_ACTIVITY_OF_JOB[job.kind], now=t)
        self.model.start_job(self, job, at=t)

    def _on_booked_done(self) -> None:
        self.settle()
        self._on_done()

    def _on_done(self) -> None:
        job, self.job = self.job, None
        self.jobs_done += 1
        self.idle_since = self.model.now
        self.model.finish_job(self, job)
        self._set_activity(Activity.DUTY)
        self._event = None
        if self.on_duty:
            self._dispatcher.responder_free(self)
        if self.job is None:
            self._go_base()

    def _go_base(self) -> None:
        """Return to base (or stand down there if off duty)."""
        if self.place == self.base:
            if not self.on_duty:
                self._set_activity(self._standby())
            return
        minutes = self._township.travel_min(self.place, self.base)
        now = self.model.now
        self.moving_to = self.base
        self.departed, self.arrives = now, now + minutes
        if minutes == 0.0:  # base and scene share a cell, no turnout: back at once, no event
            self._on_back()
            return
        self._set_activity(Activity.TRAVEL, now)
        self._event = self.model.schedule_event(self._on_back, at=self.arrives)

    def _on_back(self) -> None:
        arrived, self.moving_to = self.moving_to, None
        self._move(arrived)
        self._event = None
        if arrived != self.base:  # the base moved while travelling
            self._go_base()
            return
        if self.on_duty:
            self._set_activity(Activity.DUTY)
            self._dispatcher.responder_free(self)
        else:
            self._set_activity(self._standby())

    # ------------------------------------------------------------ duty and bases
    def set_duty(self, on: bool) -> None:
        """Come on or go off duty; a busy responder finishes the job under way first."""
        if on == self.on_duty:
            return
        self.on_duty = on
        self._sync_free()
        if on and self.activity in _STANDBY:
            self._set_activity(Activity.DUTY)
            if self.place != self.base:
                self._go_base()
            else:
                self._dispatcher.responder_free(self)
        elif not on and self.activity is Activity.DUTY:
            if self.place == self.base:
                self._set_activity(self._standby())
            else:
                self._go_base()

    def set_on_call(self, on_call: bool) -> None:
        """Whether off-duty time at home is on call (an off-duty responder at base switches)."""
        if on_call == self.on_call:
            return
        self.on_call = on_call
        if self.activity in _STANDBY:
            self._set_activity(self._standby())
            if not on_call:
                self._sync_free()

    def rebase(self, place: int) -> None:
        """Move the responder's base (e.g. a turn of duty at the center office)."""
        if place == self.base:
            return
        self.base = place
        if self.activity in (Activity.DUTY, *_STANDBY) and self.place != place:
            self._go_base()
        self._sync_free()  # the dispatch zone may have changed
