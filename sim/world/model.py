"""The Mesa model: one or more townships, their residents, disputes, calls and responders.

Event-driven throughout (Mesa 3.5 ``schedule_event``): the default step schedule is stopped, and
every arrival, trip, mediation, escalation, shift change and visit is an event. Exogenous
randomness (when and where disputes and calls arise, and the first episode's clocks of every
dispute) is drawn up front from named streams, so both policies meet exactly the same disputes
and calls; what depends on the police response comes from separate streams.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

import numpy as np
from mesa.discrete_space import OrthogonalVonNeumannGrid

from sim.scenario import DISPUTE_KINDS, Scenario
from sim.world.dispatch import Dispatcher
from sim.world.disputes import Channel, Clocks, Dispute, DisputeKind, DisputeState
from sim.world.events import FastEvents
from sim.world.geography import Layout, Township, generate_layout
from sim.world.households import RepeatRisk, RiskTargeting, repeat_cascade
from sim.world.jobs import CallKind, Job, JobKind, Urgency
from sim.world.policies import DAY_MIN, make_policy
from sim.world.records import CallRecord, Records
from sim.world.reporting import ReportingChannel
from sim.world.residents import Population
from sim.world.rhythm import Rhythm
from sim.world.streams import DETECTION, RandomStreams, replication_seed

_EMERGENCY = (CallKind.FIGHT, CallKind.ASSAULT, CallKind.TRAFFIC)
_CALL_RATES = ((CallKind.TRAFFIC, "traffic_per_1000_year"), (CallKind.THEFT, "theft_per_1000_year"),
               (CallKind.PUBLIC_ORDER, "public_order_per_1000_year"),
               (CallKind.ASSAULT, "assault_per_1000_year"))
_KINDS = [DisputeKind(k) for k in DISPUTE_KINDS]
_CRIMINAL = frozenset(k.value for k in CallKind if k.criminal)  # record kinds opening a case
_CLOCK_FIELDS = tuple(f.name for f in fields(Clocks))
#: Jobs whose time on scene is known at dispatch (nothing there can change it)
_FIXED = frozenset({JobKind.OTHER_CALL, JobKind.CASEWORK, JobKind.OFFICER_ATTENDANCE})
_inv_normal = NormalDist().inv_cdf


@dataclass(frozen=True)
class ExtraCall:
    """A call injected at a known time (for hand-timed tests and demonstrations)."""

    time: float
    village: int
    kind: CallKind = CallKind.PUBLIC_ORDER
    on_scene_min: float = 30.0
    township: int = 0


@dataclass(frozen=True)
class ExtraDispute:
    """A dispute injected at a known time with known clocks (for hand-timed tests)."""

    time: float
    village: int
    clocks: Clocks
    kind: DisputeKind = DisputeKind.NEIGHBOUR
    tension: int = 1
    elderly_alone: bool = False
    township: int = 0


class PolicingModel(FastEvents):
    """Rural policing of one or more townships under one policy.

    Args:
        scenario: The validated scenario.
        replication: Replication index k; its streams come from SeedSequence(seed, (k,)).
        root_seed: Overrides ``scenario.seed``.
        layouts: Village layouts (one per township); generated from the scenario when omitted.
        extra_calls: Calls injected at known times.
        extra_disputes: Disputes injected at known times.
        townships: Which townships to simulate (indices into ``layouts``; default all). Each
            township's events are the same whichever others run beside it: a run split by
            township across workers and merged gives the run of all of them.
        keep_arrivals: Keep the disputes and calls drawn up front after they have arrived
            (``_dispute_rows``, ``_call_rows``; tests read them after a run). False drops
            each row as it arrives, which changes no number and frees the largest item of a
            long run's memory (each dispute's row holds its first clocks, about 650 bytes).

    """

    def __init__(self, scenario: Scenario, replication: int = 0, *, root_seed: int | None = None,
                 layouts: Sequence[Layout] | None = None, extra_calls: Iterable[ExtraCall] = (),
                 extra_disputes: Iterable[ExtraDispute] = (),
                 townships: Iterable[int] | None = None, keep_arrivals: bool = True) -> None:
        """Build the townships, staff them and schedule the first arrivals."""
        seed = scenario.seed if root_seed is None else root_seed
        self.streams = RandomStreams(replication_seed(seed, replication))
        super().__init__(rng=self.streams.integer_seed("mesa"))
        self._default_schedule.stop()  # event-driven: no per-tick step
        self.params = scenario
        self.replication = replication
        self.root_seed = seed
        self._keep_arrivals = keep_arrivals
        # warm-up, then the measured period (``days``), then follow-up of its disputes only
        self.warmup = scenario.warmup_days * DAY_MIN
        self.period_end = self.warmup + scenario.days * DAY_MIN
        self.horizon = self.period_end + scenario.follow_up_days * DAY_MIN
        self.policy = make_policy(scenario)
        self.records = Records()
        n_all = scenario.township.townships if layouts is None else len(layouts)
        self.active: tuple[int, ...] = tuple(range(n_all)) if townships is None else tuple(
            sorted(set(townships)))
        if not self.active or any(not 0 <= t < n_all for t in self.active):
            raise ValueError(f"townships: indices must lie in 0..{n_all - 1}")
        if layouts is None:  # generated: only the townships simulated here
            layout_streams = RandomStreams(scenario.township.layout_seed)
            layouts = [None] * n_all
            for t in self.active:
                layouts[t] = generate_layout(scenario.township,
                                             layout_streams.substream("layout", t))
        # Lists are indexed by township; a township not simulated here holds None.
        self._build_space(layouts)
        self.populations: list[Population | None] = [None] * n_all
        self._latent: list[list[dict] | None] = [None] * n_all
        self.dispatchers: list[Dispatcher | None] = [None] * n_all
        for t in self.active:
            self.populations[t] = Population(self.townships[t].layout.population,
                                             scenario.residents,
                                             self.streams.township("population", t))
            if scenario.households.frailty_cv > 0:  # heterogeneous households (issue 15)
                self.populations[t].set_frailty(scenario.households.frailty_cv,
                                                self.streams.township("household_frailty", t))
            self._latent[t] = [{} for _ in range(self.townships[t].n_villages)]
            self.dispatchers[t] = Dispatcher(self.policy, t)
        self._resident_aux: set[tuple[int, int]] = set()
        s = scenario.staff
        per = s.station_officers + s.community_officers + s.auxiliaries
        for t in self.active:
            # responder ids as in a run of every township: township t's are 1 + t * per, ...
            self.agent_id_counter = 1 + t * per
            disp = self.dispatchers[t]
            disp.responders = self.policy.staff(self, t)
            self._resident_aux |= {(t, r.home) for r in disp.responders if r.home >= 0}
        self.agent_id_counter = 1 + n_all * per
        self._visits: dict[tuple[int, int], Job] = {}
        self.disputes_by_id: dict[int, Dispute] = {}
        # The mechanisms of issue 15: each None (or off) unless its scenario switch is on.
        self.rhythm = Rhythm(scenario.rhythm, self.horizon) if scenario.rhythm.enabled else None
        self.flare_rhythm = self.rhythm if (self.rhythm is not None and
                                            scenario.rhythm.flares_follow_hours) else None
        self.reporting = (ReportingChannel(self, scenario.reporting)
                          if scenario.reporting.enabled else None)
        self.repeats = RepeatRisk(self) if scenario.households.repeat else None
        self.risk = RiskTargeting(self) if scenario.screening.targeting == "risk" else None
        self.policy.start(self)
        self._prepare_disputes(list(extra_disputes))
        self._prepare_calls(list(extra_calls))

    # ------------------------------------------------------------ space
    def _build_space(self, layouts: Sequence[Layout]) -> None:
        """Place the simulated townships side by side on one grid.

        Only differences of cells count (trip times), so where a township sits on the grid
        does not change its numbers.
        """
        p = self.params.township
        self.townships: list[Township | None] = [None] * len(layouts)
        x0 = 0
        for i in self.active:
            tw = Township(layouts[i], p.cell_km, p.circuity, self.params.travel, index=i,
                          offset_cells=(x0, 0))
            self.townships[i] = tw
            x0 = tw.extent_cells()[0] + 1
        here = [self.townships[i] for i in self.active]
        w = max(tw.extent_cells()[0] for tw in here)
        h = max(tw.extent_cells()[1] for tw in here)
        self.grid = OrthogonalVonNeumannGrid((w, h), torus=False, random=self.random)
        self._cells = [None if tw is None else
                       [self.grid._cells[tuple(int(c) for c in xy)] for xy in tw.cells]
                       for tw in self.townships]

    def township_of(self, t: int) -> Township:
        """Township ``t``."""
        return self.townships[t]

    def dispatcher_of(self, t: int) -> Dispatcher:
        """The dispatcher of township ``t``."""
        return self.dispatchers[t]

    def cell_of(self, t: int, place: int):
        """The grid cell of a place of township ``t``."""
        return self._cells[t][place]

    def cells_of(self, t: int) -> list:
        """The grid cell of every place of township ``t`` (indexed by place)."""
        return self._cells[t]

    def latent_set(self, t: int, village: int) -> dict[Dispute, None]:
        """Latent disputes of a village (insertion-ordered, for deterministic visits)."""
        return self._latent[t][village]

    def has_resident_auxiliary(self, t: int, village: int) -> bool:
        """Whether an auxiliary lives in the village."""
        return (t, village) in self._resident_aux

    def responders(self) -> list:
        """Every responder of every simulated township."""
        return [r for d in self.dispatchers if d is not None for r in d.responders]

    # ------------------------------------------------------------ random draws
    def draw_clock_arrays(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw ``n`` episodes' clocks (minutes; uniforms for yes/no draws)."""
        d, s = self.params.disputes, self.params.screening
        return {
            "flare": rng.exponential(d.flare_mean_days * DAY_MIN, n),
            "escalate": rng.weibull(d.escalate_shape, n) * d.escalate_scale_days * DAY_MIN,
            "subside": rng.exponential(d.subside_mean_days * DAY_MIN, n),
            "auxiliary": rng.exponential(s.auxiliary_discovery_mean_days * DAY_MIN, n),
            "alert": rng.exponential(s.alert_mean_days * DAY_MIN, n),
            "report_delay": rng.exponential(d.report_delay_mean_min, n) if
            d.report_delay_mean_min > 0 else np.zeros(n),
            "violent_u": rng.random(n),
            "acute": rng.exponential(d.acute_fight_mean_min, n),
            "fight_report_u": rng.random(n),
            "injury_u": rng.random(n),
        }

    def clocks_from_uniforms(self, u: Sequence[float]) -> Clocks:
        """One episode's clocks from ten uniforms in (0, 1), by inversion (Clocks field order).

        The same distributions as :meth:`draw_clock_arrays`; used for episodes after the
        first, whose uniforms come from the dispute's addressed draws.
        """
        d, s, log = self.params.disputes, self.params.screening, math.log1p
        return Clocks(
            flare=-d.flare_mean_days * DAY_MIN * log(-u[0]),
            escalate=(-log(-u[1])) ** (1.0 / d.escalate_shape) * d.escalate_scale_days * DAY_MIN,
            subside=-d.subside_mean_days * DAY_MIN * log(-u[2]),
            auxiliary=-s.auxiliary_discovery_mean_days * DAY_MIN * log(-u[3]),
            alert=-s.alert_mean_days * DAY_MIN * log(-u[4]),
            report_delay=-d.report_delay_mean_min * log(-u[5]) if
            d.report_delay_mean_min > 0 else 0.0,
            violent_u=u[6], acute=-d.acute_fight_mean_min * log(-u[7]),
            fight_report_u=u[8], injury_u=u[9])

    def service_from_uniform(self, u: float, mean: float) -> float:
        """An on-scene time with the scenario's distribution and mean, by inversion of ``u``."""
        c = self.params.calls
        if c.on_scene_distribution == "exponential":
            return -mean * math.log1p(-u)
        sigma = math.sqrt(math.log1p(c.on_scene_cv ** 2))
        return math.exp(math.log(mean) - sigma ** 2 / 2 + sigma * _inv_normal(u))

    def draw_service(self, rng: np.random.Generator, mean: float) -> float:
        """An on-scene time with the scenario's distribution and the given mean."""
        return self.draw_services(rng, mean, None)

    def draw_services(self, rng: np.random.Generator, mean: float,
                      n: int | None) -> float | list[float]:
        """``n`` on-scene times (a list; one float when ``n`` is None).

        An array of n draws consumes the generator exactly as n single draws do.
        """
        c = self.params.calls
        if c.on_scene_distribution == "exponential":
            x = rng.exponential(mean, n)
        else:
            sigma = math.sqrt(math.log1p(c.on_scene_cv ** 2))
            x = rng.lognormal(math.log(mean) - sigma ** 2 / 2, sigma, n)
        return float(x) if n is None else x.tolist()

    # ------------------------------------------------------------ exogenous arrivals
    def _prepare_disputes(self, extra: list[ExtraDispute]) -> None:
        """Draw every township's disputes from its own streams; number them in time order.

        A dispute is addressed by (township, k), its rank among the township's disputes; its
        key for addressed draws is key k of the township. ``index`` (the record's
        ``dispute_id``) is its rank in the whole run, by (time, township, k).
        """
        d = self.params.disputes
        h = self.params.households
        shares = np.array([getattr(d, f"share_{k}") for k in DISPUTE_KINDS])
        rows = []
        for t in self.active:
            tw, rng = self.townships[t], self.streams.township("dispute_arrivals", t)
            pop = tw.layout.population.astype(float)
            lam = d.rate_per_1000_year * pop.sum() / 1000.0 * self.horizon / (365.0 * DAY_MIN)
            if self.repeats is not None and h.keep_total_rate:
                lam *= 1.0 - h.repeat_expected  # first disputes; repeats make up the rest
            if self.rhythm is None:
                n = int(rng.poisson(lam))
                times = np.sort(rng.uniform(0.0, self.horizon, n))
                village = rng.choice(len(pop), size=n, p=pop / pop.sum())
                kind = rng.choice(len(shares), size=n, p=shares / shares.sum()) if n else \
                    np.zeros(0, int)
            else:  # seasonal: a piecewise-constant rate in hourly bins (sim.world.rhythm)
                rate, mass = self.rhythm.dispute_mass(shares, self.horizon)
                n = int(rng.poisson(lam * mass / self.horizon))
                times = np.asarray(rate.inverse(np.sort(rng.uniform(0.0, mass, n))), float)
                village = rng.choice(len(pop), size=n, p=pop / pop.sum())
                kind = self.rhythm.dispute_kinds(times, shares, rng.random(n))
            tension = np.minimum(1 + rng.poisson(d.extra_tension_mean, n), d.max_tension)
            parties = self.populations[t].sample_parties(village, kind == 3, rng)
            alone = self.populations[t].are_elderly_alone(parties[:, 0])
            # .tolist() gives the same Python numbers as float()/int()/bool() one by one
            own = list(zip(times.tolist(), [t] * n, village.tolist(),
                           [_KINDS[k] for k in kind.tolist()], tension.tolist(),
                           [tuple(p) for p in parties.tolist()], alone.tolist(), strict=True))
            clocks = self.draw_clock_arrays(self.streams.township("dispute_clocks", t), n)
            columns = zip(*(clocks[f].tolist() for f in _CLOCK_FIELDS), strict=True)
            own = [(*r, Clocks(*c)) for r, c in zip(own, columns, strict=True)]
            if self.repeats is not None:  # the exogenous cascade of repeats (households.py)
                rep = repeat_cascade(own, self.streams.township("household_repeats", t),
                                     h.repeat_expected, h.repeat_decay_days * DAY_MIN,
                                     self.horizon)
                rc = self.draw_clock_arrays(self.streams.township("repeat_clocks", t), len(rep))
                columns = zip(*(rc[f].tolist() for f in _CLOCK_FIELDS), strict=True)
                own += [(*r[:7], Clocks(*c)) for r, c in zip(rep, columns, strict=True)]
            own += [(e.time, e.township, e.village, e.kind, e.tension, (), e.elderly_alone,
                     e.clocks) for e in extra if e.township == t]
            own.sort(key=lambda r: r[0])  # stable: k is the rank in the township
            rows += [(*r, key) for r, key in zip(own, self.streams.dispute_keys(t, len(own)),
                                                 strict=True)]
        rows.sort(key=lambda r: (r[0], r[1]))
        self._dispute_rows = rows
        self._next_dispute = 0
        # disputes that arise later (repeats of failed mediations) are numbered on from here
        self._n_disputes = self.records.prepared_disputes = len(rows)
        if rows:
            self.schedule_event(self._on_dispute_arrival, at=rows[0][0])

    def _on_dispute_arrival(self) -> None:
        i = self._next_dispute
        self._start_dispute(i, self._dispute_rows[i])
        if not self._keep_arrivals:
            self._dispute_rows[i] = None
        self._next_dispute = i + 1
        if i + 1 < len(self._dispute_rows):
            self.schedule_event(self._on_dispute_arrival, at=self._dispute_rows[i + 1][0])

    def _start_dispute(self, i: int, row: tuple) -> None:
        _, t, village, kind, tension, parties, alone, clocks, key = row
        d = Dispute(self, i, t, village, kind, tension, parties, alone, clocks, key)
        self.disputes_by_id[i] = d
        pop = self.populations[t]
        for p in parties:
            pop.involve(p, i)

    def start_dispute(self, row: tuple) -> None:
        """A dispute that arises now from what happened in the run (a failed mediation's repeat).

        Args:
            row: ``(time, township, village, kind, tension, parties, elderly_alone, clocks,
                key)``, ``key`` the dispute's key for addressed draws.

        """
        i = self._n_disputes
        self._n_disputes += 1
        self._start_dispute(i, row)

    def mediation_failed(self, d: Dispute) -> None:
        """A mediation of ``d`` failed (repeat risk rises, when that mechanism is on)."""
        if self.repeats is not None:
            self.repeats.after_failed_mediation(d)

    def screening_village(self, t: int, turn: int) -> int:
        """The village of township ``t`` a due screening visit goes to (``turn``: round robin)."""
        return turn if self.risk is None else self.risk.pick(t, turn)

    def _prepare_calls(self, extra: list[ExtraCall]) -> None:
        c = self.params.calls
        rows = []
        for t in self.active:
            tw, rng = self.townships[t], self.streams.township("call_arrivals", t)
            pop = tw.layout.population.astype(float)
            for kind, key in _CALL_RATES:
                lam = getattr(c, key) * pop.sum() / 1000.0 * self.horizon / (365.0 * DAY_MIN)
                n = int(rng.poisson(lam * self._demand_factor()))
                times = self._demand_times(rng.uniform(0.0, self.horizon, n))
                village = rng.choice(len(pop), size=n, p=pop / pop.sum())
                service = self.draw_services(rng, c.on_scene_mean_min, n)
                rows += zip(times.tolist(), [t] * n, village.tolist(), [kind] * n, service,
                            strict=True)
            if c.other_per_hour > 0:  # a township-wide Poisson stream, by population
                n = int(rng.poisson(c.other_per_hour * self.horizon / 60.0 *
                                    self._demand_factor()))
                times = self._demand_times(rng.uniform(0.0, self.horizon, n))
                village = rng.choice(len(pop), size=n, p=pop / pop.sum())
                rows += zip(times.tolist(), [t] * n, village.tolist(),
                            [CallKind.PUBLIC_ORDER] * n,
                            self.draw_services(rng, c.on_scene_mean_min, n), strict=True)
        here = set(self.active)
        rows += [(e.time, e.township, e.village, e.kind, e.on_scene_min) for e in extra
                 if e.township in here]
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        self._call_rows = rows
        self._next_call = 0
        if rows:
            self.schedule_event(self._on_call_arrival, at=rows[0][0])

    def _demand_factor(self) -> float:
        """Call volume over the run relative to a flat profile (1 without rhythm)."""
        return 1.0 if self.rhythm is None else self.rhythm.demand_mass(self.horizon) / \
            self.horizon

    def _demand_times(self, times: np.ndarray) -> np.ndarray:
        """Uniform call times, reshaped by the daily and weekly profile when it is on."""
        if self.rhythm is None:
            return times
        return self.rhythm.call_times(times / self.horizon, self.horizon)

    def _on_call_arrival(self) -> None:
        i = self._next_call
        _, t, village, kind, service = self._call_rows[i]
        if not self._keep_arrivals:
            self._call_rows[i] = None
        if kind is CallKind.ASSAULT:
            self.record_injury(t, village, None)
        self.new_call(kind, t, village, service_min=service)
        self._next_call = i + 1
        if i + 1 < len(self._call_rows):
            self.schedule_event(self._on_call_arrival, at=self._call_rows[i + 1][0])

    # ------------------------------------------------------------ jobs
    def new_job(self, kind: JobKind, t: int, place: int, urgency: Urgency, *,
                dispute: Dispute | None = None, record: CallRecord | None = None,
                service_min: float = 0.0) -> Job:
        """Create a job and hand it to the township's dispatcher."""
        job = Job(kind, place, urgency, self.now, t, dispute, record, service_min,
                  self.townships[t].cluster_of[place])
        self.dispatchers[t].submit(job)
        return job

    def new_call(self, kind: CallKind, t: int, village: int, *, dispute: Dispute | None = None,
                 service_min: float = 0.0) -> Job:
        """Record a police call and dispatch it."""
        tw, now, value = self.townships[t], self.now, kind._value_  # .value: a slow property
        rec = self.records.new_call(now, t, village, value, dispute.index if dispute
                                    else -1, tw.station_km[village],
                                    tw.travel_min(tw.station, village),
                                    self.policy.officer_required(value))
        if self.risk is not None and dispute is not None:
            self.risk.known_dispute(t, village, now)
        urgency = Urgency.EMERGENCY if kind in _EMERGENCY else Urgency.CALL
        job = Job(JobKind.OTHER_CALL if dispute is None else JobKind.DISPUTE_CALL, village,
                  urgency, now, t, dispute, rec, service_min, tw.cluster_of[village])
        self.dispatchers[t].submit(job)  # new_job's two lines: one call fewer per call
        return job

    def upgrade_call(self, job: Job) -> None:
        """A quarrel already called in has turned into a fight."""
        job.record.kind = CallKind.FIGHT.value
        job.record.officer_required = self.policy.officer_required(CallKind.FIGHT.value)
        if job.responder is not None:
            self.call_attended(job, job.responder)
        if job.urgency is not Urgency.EMERGENCY:
            job.urgency = Urgency.EMERGENCY
            job.record.urgency = int(Urgency.EMERGENCY)
            if job.responder is None:
                self.dispatchers[job.township].requeue(job)

    def answer_call_in_person(self, job: Job, responder) -> None:
        """A call answered by a responder already on the spot for the same dispute."""
        rec = job.record
        if rec is None:
            return
        rec.t_dispatch = rec.t_arrive = rec.t_clear = self.now
        rec.responder_id, rec.responder_role = responder.unique_id, responder.role.value
        rec.travel_min, rec.from_place = 0.0, responder.place
        if responder.is_officer:
            rec.t_officer_arrive = self.now
        else:
            self.call_attended(job, responder)

    def call_attended(self, job: Job, responder) -> None:
        """A call has its responder: send an officer too if the call needs one and it is not.

        The rule (``dispatch.officer_required_kinds``) is
        :class:`~sim.world.components.dispatch_rules.OfficerRequired`; the officer's job has
        the call's urgency and its own time on scene.
        """
        rec = job.record
        if (rec is None or not rec.officer_required or responder.is_officer
                or job.follows is not None):
            return
        job.follows = rec  # on a call job: its officer has been sent for
        minutes = self.draw_service(self.streams.township("officer_attendance", job.township),
                                    self.policy.officer_on_scene_mean_min())
        officer = Job(JobKind.OFFICER_ATTENDANCE, job.place, job.urgency, self.now,
                      job.township, None, None, minutes, job.cluster)
        officer.follows = rec
        self.dispatchers[job.township].submit(officer)

    def request_followup(self, d: Dispute) -> None:
        """A follow-up visit to dispute ``d``'s household is due."""
        job = Job(JobKind.FOLLOWUP, d.village, Urgency.SCREENING, self.now, d.township, d,
                  None, self.params.community_work.followup_visit_min,
                  self.townships[d.township].cluster_of[d.village])
        self.dispatchers[d.township].submit(job)

    def request_elderly_visit(self, t: int, village: int) -> None:
        """A visit to a village's elderly living alone is due (skipped while one waits)."""
        key = (t, -1 - village)  # beside the screening visits, apart from them
        pending = self._visits.get(key)
        if pending is not None and pending.responder is None and not pending.cancelled:
            return
        self._visits[key] = self.new_job(
            JobKind.ELDERLY_VISIT, t, village, Urgency.SCREENING,
            service_min=self.params.community_work.elderly_visit_min)

    def request_screening(self, t: int, village: int) -> None:
        """A village is due a screening visit (skipped while the last one is still waiting)."""
        pending = self._visits.get((t, village))
        if pending is not None and pending.responder is None and not pending.cancelled:
            self.records.missed_visits += 1
            return
        self._visits[(t, village)] = self.new_job(
            JobKind.SCREENING, t, village, Urgency.SCREENING,
            service_min=self.params.screening.visit_min)

    def fixed_service(self, job: Job) -> float | None:
        """The minutes ``job`` will take on arrival, when nothing there can change them.

        Calls that are not disputes and casework take their drawn time whatever happens
        meanwhile; a dispute may have flared, been settled or moved on by the time anyone
        arrives, and a screening visit finds whatever is latent then (``None``: decided on
        arrival, by :meth:`start_job`).
        """
        if job.kind in _FIXED:
            return job.service_min
        return None

    def start_job(self, responder, job: Job, at: float | None = None) -> float:
        """A responder arrives (now, or at ``at`` for a booked arrival).

        Returns:
            Minutes the job will take there.

        """
        now = self.now if at is None else at
        rec = job.record
        if rec is not None:
            rec.t_arrive = now
            if responder.is_officer and rec.t_officer_arrive is None:
                rec.t_officer_arrive = now
        kind = job.kind
        if self.risk is not None and job.dispute is not None and kind is JobKind.MEDIATION:
            self.risk.known_dispute(job.township, job.place, now)  # found without a call
        if self.reporting is not None and (job.dispute is not None or
                                           kind is JobKind.SCREENING):
            self.reporting.contact(job.township, job.place, now)
        if kind is JobKind.OFFICER_ATTENDANCE:
            if job.follows.t_officer_arrive is None:
                job.follows.t_officer_arrive = now
            return job.service_min
        if kind is JobKind.SCREENING or kind is JobKind.ELDERLY_VISIT:
            return self._visit(responder, job)
        d = job.dispute
        if kind is JobKind.FOLLOWUP:
            if d.accepts(job) and d.state is not DisputeState.REFERRED:
                job.channel = Channel.FOLLOWUP
                return d.begin_intervention(responder, Channel.FOLLOWUP)
            return job.service_min
        if d is not None:
            if not d.accepts(job):
                job.channel = None
                return 0.0
            job.channel = d.pending_channel(job)
            return d.begin_intervention(responder, job.channel)
        return job.service_min

    def _visit(self, responder, job: Job) -> float:
        """A screening visit (every latent dispute) or an elderly visit (the elderly's).

        Whether a visit finds a dispute is the dispute's addressed draw (``DETECTION``, numbered
        by the visits that met it latent), the same under every policy.
        """
        if job.kind is JobKind.SCREENING:
            p, job.channel = self.params.screening.detect_prob, Channel.SCREENING
            latent = list(self.latent_set(job.township, job.place))
        else:
            p, job.channel = self.params.community_work.elderly_detect_prob, \
                Channel.ELDERLY_VISIT
            latent = [d for d in self.latent_set(job.township, job.place) if d.elderly_alone]
        found = []
        for d in latent:
            d.screenings += 1
            if d.draw(DETECTION, d.screenings) < p:
                found.append(d)
        job.found = found
        if self.risk is not None and job.kind is JobKind.SCREENING:
            self.risk.visited(job.township, job.place, self.now)
        minutes = job.service_min + sum(d.begin_intervention(responder, job.channel)
                                        for d in found)
        if job.kind is JobKind.SCREENING:
            self.records.visits.append({"t": self.now, "township": job.township,
                                        "village": job.place,
                                        "responder_id": responder.unique_id,
                                        "found": len(found)})
        return minutes

    def finish_job(self, responder, job: Job) -> None:
        """A responder finishes on scene."""
        rec, kind = job.record, job.kind
        if rec is not None:
            rec.t_clear = self.now
        if kind is JobKind.SCREENING or kind is JobKind.ELDERLY_VISIT:
            for d in job.found:
                d.end_intervention(responder, job.channel)
        elif job.dispute is not None and job.channel is not None:
            job.dispute.end_intervention(responder, job.channel)
        elif rec is not None and rec.kind in _CRIMINAL:
            self._open_case(job.township)

    def _open_case(self, t: int) -> None:
        self.records.cases.append({"t": self.now, "township": t})
        c = self.params.calls
        chunks = math.ceil(c.casework_hours / c.casework_chunk_hours) if c.casework_hours else 0
        left = c.casework_hours * 60.0
        for _ in range(chunks):
            self.new_job(JobKind.CASEWORK, t, self.townships[t].station, Urgency.CASEWORK,
                         service_min=min(left, c.casework_chunk_hours * 60.0))
            left -= c.casework_chunk_hours * 60.0

    # ------------------------------------------------------------ outcomes
    def record_injury(self, t: int, village: int, dispute: Dispute | None) -> None:
        """An injury crime: recorded, and a criminal case opened."""
        self.records.injuries.append({"t": self.now, "township": t, "village": village,
                                      "dispute_id": dispute.index if dispute else -1,
                                      "from_dispute": dispute is not None})
        if dispute is not None:
            if dispute.job is not None and dispute.job.record is not None:
                dispute.job.record.criminal = True  # the call about this fight records it
            self._open_case(t)

    def dispute_closed(self, d: Dispute) -> None:
        """A dispute reached a terminal state: record it and retire the agent."""
        self.records.disputes.append(d.record())
        self.disputes_by_id.pop(d.index, None)
        d.remove()

    # ------------------------------------------------------------ running
    def simulate(self) -> Records:
        """Run to the end of the follow-up and return the records (open disputes included)."""
        self.run_until(self.horizon)
        return self.finalize()

    def finalize(self) -> Records:
        """Close the books: open disputes and every responder's time budget."""
        for d in list(self.disputes_by_id.values()):
            self.records.disputes.append(d.record())
        self.records.close(self)
        return self.records
