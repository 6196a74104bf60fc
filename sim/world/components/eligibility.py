"""Eligibility: which job kinds each post may take, and where.

A post's job kinds are fixed when the staffing component creates the responder
(``Responder.kinds``); where it may take them follows from where it works: a responder at a
center office (a district chief, an auxiliary on a center turn) takes its cluster's jobs, a
village auxiliary at home its village's, everyone else the whole township's. The dispatcher
looks for free responders only in these zones (:func:`zone` must agree with :func:`eligible`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.world.jobs import JobKind

if TYPE_CHECKING:
    from sim.world.jobs import Job
    from sim.world.responders import Responder

CALLS = frozenset({JobKind.DISPUTE_CALL, JobKind.OTHER_CALL})
MEDIATIONS = frozenset({JobKind.MEDIATION, JobKind.JOINT_MEDIATION})

#: The job kinds of each post. A station officer screens only where there are no community
#: officers (the staffing component adds SCREENING then).
STATION_OFFICER = CALLS | MEDIATIONS | {JobKind.CASEWORK, JobKind.OFFICER_ATTENDANCE}
#: In the old model community officers "also take calls, stand duty shifts, handle ... cases"
#: (SEED_FACTS): every kind a station officer takes, and the screening visits.
ROSTERED_COMMUNITY_OFFICER = STATION_OFFICER | {JobKind.SCREENING}
#: "Four nots, one dedicated": no calls, duty or cases; disputes, screening and their own work.
DEDICATED_COMMUNITY_OFFICER = MEDIATIONS | {JobKind.SCREENING, JobKind.FOLLOWUP,
                                            JobKind.ELDERLY_VISIT}
DISTRICT_CHIEF = CALLS | MEDIATIONS | {JobKind.OFFICER_ATTENDANCE}
#: Auxiliaries answer calls and mediate disputes they discover; an officer is sent as well to
#: the call kinds ``dispatch.officer_required_kinds`` (dispatch_rules.OfficerRequired).
AUXILIARY = CALLS | {JobKind.MEDIATION}


def eligible(r: Responder, job: Job) -> bool:
    """Whether responder ``r`` may take ``job``: its post's kind, in its zone."""
    if job.kind not in r.kinds:
        return False
    if r.at_center:
        return job.cluster == r.cluster
    if r.home >= 0:
        return job.place == r.home
    return True


def zone(r: Responder) -> tuple[int, ...]:
    """Where a free responder can take jobs.

    Returns ``(0,)`` for the township, ``(1, k)`` for cluster k, ``(2, v)`` for village v.
    """
    if r.at_center:
        return (1, r.cluster)
    if r.home >= 0:
        return (2, r.home)
    return (0,)
