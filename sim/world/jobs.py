"""Jobs: everything a responder can be sent to do, and the call records they carry."""

from __future__ import annotations

import itertools
from enum import Enum, IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.world.disputes import Dispute
    from sim.world.records import CallRecord


class JobKind(Enum):
    """What a job asks of its responder."""

    DISPUTE_CALL = "dispute_call"  # a quarrel someone called about (or a fight)
    OTHER_CALL = "other_call"  # a non-dispute call: traffic, theft, public order, assault
    MEDIATION = "mediation"  # a latent dispute discovered without a call
    JOINT_MEDIATION = "joint_mediation"  # a session with civil affairs, court, ...
    SCREENING = "screening"  # a proactive visit to a village
    CASEWORK = "casework"  # a block of follow-up work on a criminal case, at the station
    OFFICER_ATTENDANCE = "officer_attendance"  # an officer sent after an auxiliary went first
    FOLLOWUP = "followup"  # a community officer's follow-up visit to a mediated dispute
    ELDERLY_VISIT = "elderly_visit"  # a community officer's visit to a village's elderly

    # Members are singletons compared by identity, so identity hashing is consistent with
    # equality; Enum's own __hash__ (hash of the name) is a Python call, and a job's kind is
    # looked up in a set or dict three or four times per call (eligibility, fixed service,
    # the activity on scene). Nothing iterates over a set of kinds.
    __hash__ = object.__hash__

    @property
    def is_call(self) -> bool:
        """Calls are the jobs whose response time is measured."""
        return self in (JobKind.DISPUTE_CALL, JobKind.OTHER_CALL)


class Urgency(IntEnum):
    """Queue order: lower first; first come, first served within a level."""

    EMERGENCY = 0  # fights, assaults, traffic accidents
    CALL = 1
    MEDIATION = 2
    CASEWORK = 3
    SCREENING = 4


class CallKind(Enum):
    """Kinds of police calls; disputes' share of calls is a model output."""

    DISPUTE = "dispute"
    FIGHT = "fight"  # a dispute that turned violent
    TRAFFIC = "traffic"
    THEFT = "theft"
    PUBLIC_ORDER = "public_order"
    ASSAULT = "assault"  # an injury crime not arising from a dispute

    @property
    def criminal(self) -> bool:
        """Whether the call opens a criminal case (fights only when they injure)."""
        return self in (CallKind.THEFT, CallKind.ASSAULT)


_job_ids = itertools.count()


class Job:
    """A unit of work waiting for, or done by, one responder.

    Attributes:
        kind: What is to be done.
        place: Where (a place index of the township).
        urgency: Queue priority.
        created: Time the job entered the queue (the call time for calls).
        dispute: The dispute concerned, if any.
        record: The flat call record for calls (``None`` otherwise).
        service_min: Fixed on-scene minutes, when known in advance (non-dispute calls,
            casework, visits).
        cancelled: Set when the job is no longer needed (e.g. a discovered dispute flared).

    """

    __slots__ = (
        "cancelled",
        "channel",
        "cluster",
        "created",
        "dispute",
        "follows",
        "found",
        "kind",
        "place",
        "record",
        "responder",
        "seq",
        "service_min",
        "township",
        "urgency",
    )

    def __init__(self, kind: JobKind, place: int, urgency: Urgency, created: float,
                 township: int = 0, dispute: Dispute | None = None,
                 record: CallRecord | None = None, service_min: float = 0.0,
                 cluster: int = -1) -> None:
        """Create a job (see the class attributes)."""
        self.kind = kind
        self.place = place
        self.urgency = urgency
        self.created = created
        self.township = township
        self.dispute = dispute
        self.record = record
        self.service_min = service_min
        self.cancelled = False
        self.responder = None
        self.cluster = cluster
        self.channel = None
        self.found: list = []
        self.follows: CallRecord | None = None  # the call an officer attendance belongs to
        self.seq = next(_job_ids)

    def sort_key(self) -> tuple[int, float, int]:
        """Priority order in the queue."""
        return (int(self.urgency), self.created, self.seq)

    def __repr__(self) -> str:
        """Short description for debugging."""
        return f"Job({self.kind.value}, place={self.place}, t={self.created:.1f})"
