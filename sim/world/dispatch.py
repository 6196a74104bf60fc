"""The dispatcher of one township: the queue of waiting jobs and the pool of free responders.

It is mechanism only. Who may take which job, and which of several free responders goes, are
the policy's rules (:meth:`Policy.eligible`, :meth:`Policy.rank`, written down in
:mod:`sim.world.components.dispatch_rules`).
"""

from __future__ import annotations

import bisect
from operator import itemgetter
from typing import TYPE_CHECKING

from sim.world.jobs import Job

if TYPE_CHECKING:
    from sim.world.policies import Policy
    from sim.world.responders import Responder

_queue_key = itemgetter(0)  # a waiting entry's (urgency, created, seq)


class Dispatcher:
    """Matches jobs and responders of one township, first come first served within urgency."""

    def __init__(self, policy: Policy, township: int) -> None:
        """Create an empty dispatcher."""
        self.policy = policy
        self.township = township
        self.responders: list[Responder] = []
        self.free: dict[Responder, None] = {}  # kept up to date by the responders
        # free responders by zone (Policy.zone): a job looks only where eligible ones can be
        self._zones: dict[tuple[int, ...], dict[Responder, None]] = {}
        self._waiting: list[tuple[tuple[int, float, int], Job]] = []

    @property
    def waiting(self) -> list[Job]:
        """Jobs waiting for a responder, in queue order (cancelled ones skipped)."""
        return [job for _, job in self._waiting if not job.cancelled]

    def submit(self, job: Job) -> None:
        """Send the best free eligible responder now, or queue the job."""
        zones = self._zones
        best = self.policy.choose(job, [zones.get(z, ()) for z in (
            (0,), (1, job.cluster), (2, job.place))])
        if best is not None:
            best.dispatch(job)
        else:
            bisect.insort(self._waiting, (job.sort_key(), job), key=_queue_key)

    def mark(self, r: Responder, free: bool, zone: tuple[int, ...] | None) -> None:
        """Record whether ``r`` is free, and in which zone (``None``: leave its zone)."""
        old = r.zone
        if old is not None and (not free or old != zone):
            self._zones[old].pop(r, None)
            self.free.pop(r, None)
            r.zone = None
        if free:
            self._zones.setdefault(zone, {})[r] = None
            self.free[r] = None
            r.zone = zone

    def requeue(self, job: Job) -> None:
        """Re-sort a waiting job whose urgency changed."""
        for i, (_, j) in enumerate(self._waiting):
            if j is job:
                del self._waiting[i]
                bisect.insort(self._waiting, (job.sort_key(), job), key=_queue_key)
                return

    def responder_free(self, responder: Responder) -> None:
        """Give a responder who has just become free the first waiting job it may take.

        An auxiliary on call at home is phoned only when a call comes in, never for a job
        already waiting (it is free but not on duty).
        """
        if not responder.on_duty or not responder.free:
            return
        waiting, eligible = self._waiting, self.policy.eligible
        dead: list[int] = []  # cancelled jobs met on the way, dropped from the queue
        for i, (_, job) in enumerate(waiting):
            if job.cancelled:
                dead.append(i)
            elif eligible(responder, job):
                del waiting[i]  # before the dispatch, which may queue jobs
                for k in reversed(dead):
                    del waiting[k]
                responder.dispatch(job)
                return
        for k in reversed(dead):
            del waiting[k]

    def kick(self) -> None:
        """Offer waiting jobs to every free responder (after a change in what is eligible)."""
        for r in list(self.free):
            if self._waiting:
                self.responder_free(r)
