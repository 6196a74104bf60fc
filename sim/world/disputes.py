"""Disputes: agents with a lifecycle of competing clocks.

A latent dispute runs clocks for flaring into a called-in quarrel, turning violent unprompted,
fading on its own and (where the policy provides them) discovery by a resident auxiliary or a
smart alert. The first to fire wins; an intervention cancels the rest. A flare starts the acute
phase: the call goes in after a reporting delay, and a violent flare becomes a fight unless a
responder arrives first. A failed mediation or a fight returns the dispute to latent with one
more level of tension (the Wang brothers' quarrel flared into fights twice before it was settled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from mesa.discrete_space import FixedAgent

from sim.world.acute import escalate_after, injury_rate
from sim.world.jobs import CallKind, Job, JobKind, Urgency
from sim.world.records import DisputeRecord
from sim.world.streams import (
    CALM,
    EPISODE_CLOCKS,
    FIGHT_COURSE,
    FIGHT_REPORT,
    INJURY,
    MEDIATION_OUTCOME,
    dispute_uniform,
)

if TYPE_CHECKING:
    from sim.world.model import PolicingModel
    from sim.world.responders import Responder


class DisputeKind(Enum):
    """Kinds of dispute named in the source report."""

    FAMILY = "family"
    NEIGHBOUR = "neighbour"
    LAND = "land"
    ELDER_SUPPORT = "elder_support"
    OTHER = "other"


class DisputeState(Enum):
    """Where a dispute is in its lifecycle."""

    LATENT = "latent"  # simmering, nobody has called
    REFERRED = "referred"  # latent, waiting for a joint mediation session
    ACUTE = "acute"  # flared: a quarrel in progress, a call made or about to be
    MEDIATING = "mediating"  # a responder is on scene
    RESOLVED = "resolved"  # terminal: settled by mediation
    SUBSIDED = "subsided"  # terminal: faded on its own

    @property
    def terminal(self) -> bool:
        """Whether the dispute is over."""
        return self in (DisputeState.RESOLVED, DisputeState.SUBSIDED)


class Channel(Enum):
    """How the police first came into contact with a dispute."""

    CALL = "call"
    SCREENING = "screening"
    AUXILIARY = "auxiliary"
    ALERT = "alert"
    JOINT = "joint"
    FOLLOWUP = "followup"
    ELDERLY_VISIT = "elderly_visit"


@dataclass(frozen=True, slots=True)
class Clocks:
    """The random times of one episode, in minutes (or uniforms for yes/no draws)."""

    flare: float
    escalate: float  # at tension 1; scaled by tension_factor ** (tension - 1)
    subside: float
    auxiliary: float
    alert: float
    report_delay: float
    violent_u: float
    acute: float
    fight_report_u: float  # the first fight's, read from the first episode's clocks only
    injury_u: float  # likewise; later fights draw by their rank (Dispute.draw)


_N_CLOCKS = len(Clocks.__slots__)


class Dispute(FixedAgent):
    """A dispute between residents of one village."""

    # Slots: a dispute is the most-touched object of a run, and with more than 30 attributes
    # an instance dict stops sharing its keys (3.12), growing to 1.6 KB and slower to read.
    __slots__ = ("_channel_pending", "_clocks", "_events", "_first", "_fought_this_episode",
                 "_injured_this_episode", "_latent_clocks", "elderly_alone", "episode", "fights",
                 "first_channel", "flares", "index", "injuries", "interventions", "job", "key",
                 "kind", "parties", "referred", "relapses", "resolved_by", "screenings", "state",
                 "t_end", "t_first_contact", "t_first_fight", "t_repeat", "t_start", "tension",
                 "tension0", "township", "village")

    def __init__(self, model: PolicingModel, index: int, township: int, village: int,
                 kind: DisputeKind, tension: int, parties: tuple[int, ...],
                 elderly_alone: bool, clocks: Clocks, key: int = 0) -> None:
        """Create a latent dispute and start its clocks.

        ``key`` addresses the dispute's own draws (:meth:`draw`); ``clocks`` are its first
        episode's.
        """
        super().__init__(model)
        self.index = index
        self.township = township
        self.village = village
        self.kind = kind
        self.tension = tension
        self.tension0 = tension
        self.parties = parties
        self.elderly_alone = elderly_alone
        self.state = DisputeState.LATENT
        self.t_start = model.now
        self.t_first_contact: float | None = None
        self.first_channel: Channel | None = None
        self.t_end: float | None = None
        self.t_first_fight: float | None = None  # when it first turned violent
        self.t_repeat: float | None = None  # first flare or fight after the first contact
        self.flares = self.fights = self.injuries = 0
        self.interventions = self.relapses = 0
        self.referred = False
        self.resolved_by = ""
        self.job: Job | None = None  # the job that will bring a responder, if any
        self._events: dict[str, object] = {}
        self._clocks = self._first = clocks
        self.key = key
        self.episode = 1
        self.screenings = 0  # screening visits that met it latent (each draws detection)
        self._fought_this_episode = False
        self._injured_this_episode = False
        self._channel_pending = Channel.CALL
        self.cell = model.cell_of(township, village)
        self._enter_latent()

    def draw(self, purpose: int, number: int, j: int = 0) -> float:
        """The dispute's uniform for one decision: the same under every policy.

        Args:
            purpose: What is decided (a purpose of :mod:`sim.world.streams`).
            number: Which episode, intervention, fight or visit.
            j: Which of several draws for that decision.

        """
        return dispute_uniform(self.key, purpose, number, j)

    # ------------------------------------------------------------ clocks
    def _schedule(self, name: str, after: float, callback) -> None:
        self._events[name] = self.model.schedule_event(callback, after=after)

    def _cancel(self, *names: str) -> None:
        for name in names or tuple(self._events):
            ev = self._events.pop(name, None)
            if ev is not None:
                ev.cancel()

    def _enter_latent(self) -> None:
        """Start an episode's competing clocks; only the earliest is on the event list.

        The clocks are fixed when the episode starts, so the first to fire is known: keeping
        one pending event instead of five cuts the event list (and the run time) by half.
        """
        c, p = self._clocks, self.model.params
        self.model.latent_set(self.township, self.village)[self] = None
        now = self.model.now
        d = p.disputes
        rhythm = self.model.flare_rhythm
        flare = c.flare if rhythm is None else rhythm.flare_after(now, c.flare)
        if p.acute.age_hazard:  # the hazard rises with the dispute's age (sim.world.acute)
            escalate = escalate_after(c.escalate, now - self.t_start, self.tension,
                                      d.escalate_scale_days * 1440.0, d.escalate_shape,
                                      d.tension_factor)
        else:
            escalate = c.escalate * d.tension_factor ** (self.tension - 1)
        clocks = [(now + flare, 0, "flare"), (now + c.subside, 1, "subside"),
                  (now + escalate, 2, "escalate")]
        policy = self.model.policy
        if self.job is None and policy.auxiliary_discovers(self.model, self):
            clocks.append((now + c.auxiliary, 3, "auxiliary"))
        if self.job is None and self.elderly_alone and policy.smart_alerts(self):
            clocks.append((now + c.alert, 4, "alert"))
        clocks.sort()
        self._latent_clocks = clocks
        self._next_latent_clock()

    def _next_latent_clock(self) -> None:
        self._events["latent"] = self.model.schedule_event(self._on_latent_clock,
                                                           at=self._latent_clocks[0][0])

    def _on_latent_clock(self) -> None:
        self._events.pop("latent", None)
        _, _, name = self._latent_clocks.pop(0)
        if name in ("auxiliary", "alert"):
            self._latent_clocks = [c for c in self._latent_clocks if c[2] not in (
                "auxiliary", "alert")]  # one discovery is enough
            self._discovered(Channel.AUXILIARY if name == "auxiliary" else Channel.ALERT)
            # The responder's arrival cancels every clock; a clock due after it would only
            # ever be a dead entry on the event list (for days), so it is not scheduled.
            r = self.job.responder if self.job is not None else None
            if r is None or r.arrives >= self._latent_clocks[0][0]:
                self._next_latent_clock()
        elif name == "flare":
            self._on_flare()
        elif name == "subside":
            self._on_subside()
        else:
            self._on_escalate()

    def _leave_latent(self) -> None:
        self.model.latent_set(self.township, self.village).pop(self, None)
        self._cancel("latent")

    def _drop_job(self) -> None:
        """Cancel a discovery or referral job that has not yet sent anyone."""
        if self.job is not None and self.job.responder is None:
            self.job.cancelled = True
            self.job = None

    # ------------------------------------------------------------ latent-phase events
    def _on_flare(self) -> None:
        self._leave_latent()
        self._drop_job()
        self.flares += 1
        self._note_repeat()
        self.state = DisputeState.ACUTE
        c, d = self._clocks, self.model.params.disputes
        self._schedule_report()
        violent_share = min(1.0, d.violent_flare_share / d.tension_factor ** (self.tension - 1))
        if c.violent_u < violent_share:
            self._schedule("fight", c.acute * d.tension_factor ** (self.tension - 1),
                           self._on_acute_fight)
        acute = self.model.params.acute
        if acute.quarrel_clocks:  # an unattended quarrel calms down by its own clock
            u = self.draw(CALM, self.flares)  # addressed by the flare's rank
            self._schedule("calm", -acute.calm_mean_min * math.log1p(-u), self._on_calm)
        elif "report" not in self._events and "fight" not in self._events:
            self._relapse(intervened=False)  # nobody reports it and it passes (reporting on)

    def _schedule_report(self, fight: bool = False) -> None:
        """The report of a flare (or of a reported fight): a 110 call, or in person."""
        channel = self.model.reporting
        if channel is None:
            self._schedule("report", self._clocks.report_delay, self._on_report)
            return
        decision = channel.decide(self, already_reported=fight)
        if decision is not None:
            delay, in_person = decision
            self._schedule("report", delay, self._on_told_auxiliary if in_person
                           else self._on_report)

    def _on_told_auxiliary(self) -> None:
        """A party tells the village auxiliary in person: no 110 call is recorded."""
        self._events.pop("report", None)
        if self.job is None:
            self._channel_pending = Channel.AUXILIARY
            self.job = self.model.new_job(JobKind.MEDIATION, self.township, self.village,
                                          Urgency.CALL, dispute=self)

    def _on_calm(self) -> None:
        """An unattended quarrel calms down: back to latent, tension unchanged."""
        self._events.pop("calm", None)
        if self.state is DisputeState.ACUTE:
            self._cancel("fight", "report")
            self._relapse(intervened=False)

    def _on_report(self) -> None:
        self._events.pop("report", None)
        kind = CallKind.FIGHT if self.fights and self._fought_this_episode else CallKind.DISPUTE
        self.job = self.model.new_call(kind, self.township, self.village, dispute=self)
        if self._injured_this_episode:
            self.job.record.criminal = True  # it reports a fight that injured someone

    def _on_subside(self) -> None:
        self._leave_latent()
        self._drop_job()
        self._end(DisputeState.SUBSIDED)

    def _on_escalate(self) -> None:
        """An unprompted fight in the latent phase."""
        self._leave_latent()
        self._drop_job()
        self._fight()
        self._raise_tension()
        if self._fight_reported():
            self.flares += 1
            self.state = DisputeState.ACUTE
            self._fought_this_episode = True
            self._schedule_report(fight=True)
        else:
            self._relapse(intervened=False)

    def _discovered(self, channel: Channel) -> None:
        if self.job is None:
            self._channel_pending = channel
            self.job = self.model.new_job(JobKind.MEDIATION, self.township, self.village,
                                          Urgency.MEDIATION, dispute=self)

    # ------------------------------------------------------------ acute phase
    def _on_acute_fight(self) -> None:
        self._events.pop("fight", None)
        self._fight()
        self._raise_tension()
        self._fought_this_episode = True
        self._cancel("calm")
        if self.job is not None and self.job.record is not None:
            self.model.upgrade_call(self.job)  # the call now reports a fight
        elif "report" not in self._events:
            if not self._fight_reported():
                self._relapse(intervened=False)
            elif self.job is None:  # only with the reporting channel: an unreported quarrel
                self._schedule_report(fight=True)

    def _raise_tension(self) -> None:
        self.tension = min(self.tension + 1, self.model.params.disputes.max_tension)

    def _note_repeat(self) -> None:
        """A flare or fight: a repeat if the police have already met the dispute."""
        if self.t_repeat is None and self.t_first_contact is not None:
            self.t_repeat = self.model.now

    def _fight(self) -> None:
        self.fights += 1
        self._note_repeat()
        if self.t_first_fight is None:
            self.t_first_fight = self.model.now
        # by the fight's rank, whatever its episode: the first fight of a dispute injures or
        # not alike under both policies, even when one of them has mediated it once before
        acute = self.model.params.acute
        if acute.fight_duration:  # it lasts; an injury may come before it ends (sim.world.acute)
            log, n = math.log1p, self.fights  # addressed by the fight's rank, like INJURY
            lasts = -acute.fight_mean_min * log(-self.draw(FIGHT_COURSE, n, 0))
            rate = injury_rate(self.model.params.disputes.injury_prob, acute.fight_mean_min)
            hurt = 0.0 if rate == math.inf else (
                -log(-self.draw(FIGHT_COURSE, n, 1)) / rate if rate > 0 else math.inf)
            if hurt < lasts:
                self._schedule("injury", hurt, self._on_fight_injury)
            return
        u = self._first.injury_u if self.fights == 1 else self.draw(INJURY, self.fights)
        if u < self.model.params.disputes.injury_prob:
            self.injuries += 1
            self._injured_this_episode = True
            self.model.record_injury(self.township, self.village, self)

    def _on_fight_injury(self) -> None:
        """Someone is hurt before the fight ended or anyone stopped it."""
        self._events.pop("injury", None)
        self.injuries += 1
        # (an unreported fight may have relapsed meanwhile: the new episode's call is not it)
        self._injured_this_episode = self._fought_this_episode
        self.model.record_injury(self.township, self.village, self)

    def _fight_reported(self) -> bool:
        u = (self._first.fight_report_u if self.fights == 1
             else self.draw(FIGHT_REPORT, self.fights))
        return u < self.model.params.disputes.fight_report_prob

    # ------------------------------------------------------------ interventions
    def accepts(self, job: Job) -> bool:
        """Whether a responder arriving for ``job`` finds the dispute still to be mediated."""
        return job.dispute is self and self.state in (
            DisputeState.LATENT, DisputeState.REFERRED, DisputeState.ACUTE)

    def begin_intervention(self, responder: Responder, channel: Channel) -> float:
        """A responder starts mediating: cancel every pending clock.

        A call made meanwhile that nobody has yet been sent to is answered by this responder.

        Returns:
            Minutes the mediation will take.

        """
        self._leave_latent()
        self._cancel()
        other = self.job
        if other is not None and other is not responder.job and other.responder is None:
            other.cancelled = True
            self.model.answer_call_in_person(other, responder)
        if self.t_first_contact is None:
            self.t_first_contact = self.model.now
            self.first_channel = channel
        self.state = DisputeState.MEDIATING
        self.interventions += 1
        return self.model.policy.mediation_minutes(self.model, responder, self, channel)

    def end_intervention(self, responder: Responder, channel: Channel) -> None:
        """The mediation ends: resolved, referred to joint mediation, or relapsed."""
        self.job = None
        policy = self.model.policy
        p = policy.mediation_success(self.model, responder, self, channel)
        policy.after_mediation(self.model, self, channel)  # e.g. a follow-up visit later
        if self.draw(MEDIATION_OUTCOME, self.interventions) < p:
            self.resolved_by = "joint" if channel is Channel.JOINT else responder.role.value
            self._end(DisputeState.RESOLVED)
        elif policy.refers_to_joint(self, channel):
            self.referred = True
            self.model.mediation_failed(self)
            self._raise_tension()
            self.relapses += 1
            self._new_clocks()
            self.state = DisputeState.REFERRED
            self._enter_latent()
            self._schedule("convene", policy.convene_minutes(self), self._on_convened)
        else:
            self.model.mediation_failed(self)
            self._relapse(intervened=True)

    def _on_convened(self) -> None:
        self._events.pop("convene", None)
        if self.state is DisputeState.REFERRED and self.job is None:
            self._channel_pending = Channel.JOINT
            self.job = self.model.new_job(JobKind.JOINT_MEDIATION, self.township,
                                          self.village, Urgency.MEDIATION, dispute=self)

    def pending_channel(self, job: Job) -> Channel:
        """The channel through which ``job`` reaches the dispute."""
        return Channel.CALL if job.kind is JobKind.DISPUTE_CALL else self._channel_pending

    def _relapse(self, intervened: bool) -> None:
        if intervened:
            self._raise_tension()
            self.relapses += 1
        self._new_clocks()
        self.state = DisputeState.LATENT
        self._enter_latent()

    def _new_clocks(self) -> None:
        self._fought_this_episode = False
        self._injured_this_episode = False
        self.episode += 1
        e, draw = self.episode, self.draw
        self._clocks = self.model.clocks_from_uniforms(
            [draw(EPISODE_CLOCKS, e, j) for j in range(_N_CLOCKS)])

    def _end(self, state: DisputeState) -> None:
        self._cancel()
        self.state = state
        self.t_end = self.model.now
        self.model.dispute_closed(self)

    def record(self) -> DisputeRecord:
        """The dispute's flat record row."""
        state = self.state
        return DisputeRecord(
            dispute_id=self.index, township=self.township, village=self.village,
            kind=self.kind.value, t_start=self.t_start, tension0=self.tension0,
            tension=self.tension, elderly_alone=self.elderly_alone, flares=self.flares,
            fights=self.fights, injuries=self.injuries, interventions=self.interventions,
            relapses=self.relapses, referred=self.referred,
            t_first_contact=self.t_first_contact,
            first_channel=self.first_channel.value if self.first_channel else "",
            outcome=state.value if state.terminal else "open", state_at_end=state.value,
            t_end=self.t_end, resolved_by=self.resolved_by, t_first_fight=self.t_first_fight,
            t_repeat=self.t_repeat)
