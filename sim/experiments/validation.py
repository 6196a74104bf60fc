"""Analytic validation: the engine against results it must reproduce.

Every check drives the model's own machinery (scenario, geography, dispatcher, responders,
records and metrics) in a configuration where the answer is known from theory:

* **M/M/c** (Erlang C): ``scenarios/validation/mmc.toml`` makes the model an M/M/c queue. Two
  checks: the engine's waits equal, call by call, a first-come-first-served c-server recursion
  fed with the engine's own arrival and on-scene times (exact); and the metrics
  ``queue_wait_mean_min`` and ``p_wait`` agree with Erlang C (statistical).
* **Travel** (Kolesar & Blum 1973; Larson & Odoni 1981, ch. 3): right-angle distance from a
  random incident to the nearest of n randomly placed units is ``k sqrt(A/n)`` with
  ``k = sqrt(pi/2)/2``; with one unit and incidents uniform in an X by Y rectangle it is
  ``(X + Y)/3``.
* **Hypercube** (Larson 1974): three units, demand atoms with fixed preference lists; each
  unit's workload against the exact 2^N-state balance equations.

The expected values are computed here for the report; the tests recompute them independently
from the formulas, so a slip in this module cannot hide a slip in the engine.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import compute_metrics, response_times, tables_from_records
from sim.experiments.run import quiet_gc
from sim.scenario import Scenario, load_scenario, scenario_from_mapping
from sim.world.geography import Layout
from sim.world.jobs import CallKind
from sim.world.model import ExtraCall, PolicingModel
from sim.world.policies import Components, Policy

ROOT = Path(__file__).resolve().parents[2]
MMC_TOML = ROOT / "scenarios" / "validation" / "mmc.toml"
#: Kolesar & Blum's constant for random placement and the right-angle metric: sqrt(pi/2)/2.
K_RANDOM_MANHATTAN = 0.5 * math.sqrt(math.pi / 2)


@dataclass(frozen=True)
class Check:
    """One validation check: expected against observed with a relative tolerance."""

    group: str
    name: str
    expected: float
    observed: float
    tolerance: float  # relative; 0 for exact (pathwise) checks, then ``abs_tol`` applies
    se: float = float("nan")  # standard error of ``observed`` (NaN: deterministic)
    note: str = ""
    abs_tol: float = 1e-6

    @property
    def rel_error(self) -> float:
        """(observed - expected) / expected."""
        return (self.observed - self.expected) / self.expected if self.expected else math.nan

    @property
    def passed(self) -> bool:
        """Within the tolerance (relative, or absolute for exact checks)."""
        if self.tolerance == 0:
            return abs(self.observed - self.expected) <= self.abs_tol
        return abs(self.observed - self.expected) <= self.tolerance * abs(self.expected)


# ---------------------------------------------------------------- queueing: M/M/c

@dataclass(frozen=True)
class ErlangC:
    """Erlang C quantities (time in the unit of 1/lam)."""

    p0: float
    p_wait: float
    wq: float


def erlang_c(lam: float, mu: float, c: int) -> ErlangC:
    """P0, P(wait > 0) and the mean wait Wq of an M/M/c queue (requires lam < c mu)."""
    a, rho = lam / mu, lam / (c * mu)
    if rho >= 1:
        raise ValueError(f"unstable queue: rho = {rho:.3f} >= 1")
    tail = a ** c / (math.factorial(c) * (1 - rho))
    p0 = 1 / (sum(a ** k / math.factorial(k) for k in range(c)) + tail)
    pw = tail * p0
    return ErlangC(p0, pw, pw / (c * mu - lam))


def read_knobs(path: str | Path = MMC_TOML) -> dict[str, str]:
    """The ``# mmc-knobs:`` header line of an M/M/c scenario: knob name -> dotted key."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# mmc-knobs:"):
            return dict(item.split("=", 1) for item in line.split(":", 1)[1].split())
    raise ValueError(f"{path}: no '# mmc-knobs:' line")


def mmc_overrides(lam_per_hour: float, service_min: float, servers: int, days: float,
                  warmup_days: float, path: str | Path = MMC_TOML) -> list[str]:
    """``--set`` overrides that put the M/M/c scenario at (lambda, mean service, c, days)."""
    k = read_knobs(path)
    return [f"{k['arrivals_per_hour']}={lam_per_hour}", f"{k['service_mean_min']}={service_min}",
            f"{k['servers']}={servers}", f"{k['days']}={days}", f"warmup_days={warmup_days}"]


def relaxation_min(lam_per_hour: float, service_min: float, servers: int) -> float:
    """Relaxation time of the M/M/c queue length, 1 / (c mu (1 - sqrt(rho))^2), in minutes.

    The time scale on which the queue forgets its start (Larson & Odoni 1981, sec. 4.9, for
    c = 1): warm-ups are a multiple of it.
    """
    rho = lam_per_hour * service_min / 60.0 / servers
    return service_min / servers / (1 - math.sqrt(rho)) ** 2


def fcfs_waits(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """Waits of a first-come-first-served c-server queue (Kiefer-Wolfowitz recursion).

    Each customer, in arrival order, starts at the later of its arrival and the earliest time a
    server comes free; that server is then busy until start + service. An independent
    reference implementation of the queue the engine must reproduce call by call.
    """
    free = [0.0] * servers
    out = np.empty(len(arrivals))
    for i, (a, s) in enumerate(zip(arrivals, services, strict=True)):
        start = max(a, free[0])
        out[i] = start - a
        heapq.heapreplace(free, start + s)
    return out


@dataclass(frozen=True)
class QueuePoint:
    """An M/M/c design point: lambda per hour, mean on-scene minutes, c, calls to simulate."""

    lam_per_hour: float
    service_min: float
    servers: int
    customers: int
    reps: int = 1

    @property
    def rho(self) -> float:
        """Utilisation lambda / (c mu)."""
        return self.lam_per_hour * self.service_min / 60.0 / self.servers

    @property
    def exact(self) -> ErlangC:
        """Erlang C at this point, waits in minutes."""
        return erlang_c(self.lam_per_hour / 60.0, 1.0 / self.service_min, self.servers)

    def label(self) -> str:
        """Short description for tables."""
        return (f"c={self.servers}, lambda={self.lam_per_hour:g}/h, 1/mu={self.service_min:g} "
                f"min, rho={self.rho:.2f}")


@dataclass
class QueueResult:
    """What one M/M/c point produced (means over replications; SEs by batch means)."""

    point: QueuePoint
    calls: int = 0
    wait_mean: float = 0.0
    wait_se: float = 0.0
    p_wait: float = 0.0
    p_wait_se: float = 0.0
    pathwise_max_dev: float = 0.0  # largest |engine wait - FCFS recursion wait|, minutes
    travel_max: float = 0.0  # largest trip time of any call (must be 0)

    def checks(self, tolerance: float = 0.03) -> list[Check]:
        """The point's checks: pathwise FCFS, trip times, and both Erlang C metrics."""
        e, lab = self.point.exact, self.point.label()
        n = f"{self.calls:,} calls"
        return [
            Check("queueing", f"waits = FCFS c-server recursion, max |diff| min ({lab})", 0.0,
                  self.pathwise_max_dev, 0.0, note=n),
            Check("queueing", f"trip time, max min ({lab})", 0.0, self.travel_max, 0.0, note=n),
            Check("queueing", f"p_wait vs Erlang C ({lab})", e.p_wait, self.p_wait, tolerance,
                  self.p_wait_se, n),
            Check("queueing", f"queue_wait_mean_min vs Erlang C ({lab})", e.wq, self.wait_mean,
                  tolerance, self.wait_se, n),
        ]


def simulate_mmc(point: QueuePoint, path: str | Path = MMC_TOML, seed: int | None = None,
                 batches: int = 20) -> QueueResult:
    """Run the M/M/c scenario at ``point`` through the full engine and metrics.

    Each replication simulates ``customers / reps`` calls after a warm-up of ten relaxation
    times. The observed values are the engine's metrics (averaged over replications); their
    standard errors come from batch means of the per-call waits, pooled over replications.
    """
    res = QueueResult(point)
    warm = max(1.0, math.ceil(10 * relaxation_min(point.lam_per_hour, point.service_min,
                                                  point.servers) / 1440.0))
    days = point.customers / point.reps / (point.lam_per_hour * 24.0)  # after the warm-up
    scn = load_scenario(path, mmc_overrides(point.lam_per_hour, point.service_min,
                                            point.servers, round(days, 3), warm, path))
    layouts = layouts_for(scn)
    waits_b, pw_b, metrics = [], [], []
    for k in range(point.reps):
        with quiet_gc():  # as every run_once run: same results, less collector time
            model = PolicingModel(scn, k, root_seed=seed, layouts=layouts)
            records = model.simulate()
        tab = tables_from_records(records)
        metrics.append(compute_metrics(tab))
        calls = tab.calls.sort_values("t_call")
        done = calls["t_clear"].notna().to_numpy()
        upto = int(np.argmin(done)) if not done.all() else len(done)  # before the first open
        ref = fcfs_waits(calls["t_call"].to_numpy()[:upto],
                         (calls["t_clear"] - calls["t_arrive"]).to_numpy()[:upto], point.servers)
        eng = (calls["t_dispatch"] - calls["t_call"]).to_numpy()[:upto]
        res.pathwise_max_dev = max(res.pathwise_max_dev, float(np.abs(eng - ref).max()))
        res.travel_max = max(res.travel_max, float(calls["travel_min"].max()))
        w = response_times(tab)["wait_min"].dropna().to_numpy()
        size = len(w) // batches
        waits_b += list(w[: size * batches].reshape(batches, size).mean(1))
        pw_b += list((w[: size * batches] > 1e-9).reshape(batches, size).mean(1))
        res.calls += len(w)
    nb = len(waits_b)
    res.wait_mean = float(np.mean([m["queue_wait_mean_min"] for m in metrics]))
    res.p_wait = float(np.mean([m["p_wait"] for m in metrics]))
    res.wait_se = float(np.std(waits_b, ddof=1) / math.sqrt(nb))
    res.p_wait_se = float(np.std(pw_b, ddof=1) / math.sqrt(nb))
    return res


# ---------------------------------------------------------------- travel

def lattice_layout(nx: int, ny: int) -> Layout:
    """Villages at the centres of an nx by ny grid of 1-km cells; the station in the corner.

    Every village has one resident, so population-weighted draws are uniform over the cells.
    Rows are clusters (clusters play no part in the station-centred policy).
    """
    xs, ys = np.meshgrid(np.arange(nx) + 0.5, np.arange(ny) + 0.5, indexing="xy")
    n = nx * ny
    return Layout(tuple(f"V{i}" for i in range(n)), xs.ravel(), ys.ravel(),
                  np.ones(n, dtype=int), np.repeat(np.arange(ny), nx), (0.5, 0.5))


def travel_scenario(units: int, days: float) -> Scenario:
    """A quiet scenario for travel checks: 1-km cells, circuity 1, 60 km/h, no turnout.

    Trip minutes then equal right-angle kilometres. ``units`` station officers, all on duty.
    """
    quiet = {"disputes": {"rate_per_1000_year": 0},
             "calls": {"traffic_per_1000_year": 0, "theft_per_1000_year": 0,
                       "public_order_per_1000_year": 0, "assault_per_1000_year": 0},
             "township": {"cell_km": 1.0, "circuity": 1.0},
             "travel": {"speed_kmh": 60.0, "turnout_min": 0.0, "local_trip_min": 0.0},
             "staff": {"station_officers": units, "community_officers": 0, "auxiliaries": 0},
             "shifts": {"duty_groups": 1}, "days": days, "warmup_days": 0, "follow_up_days": 0,
             "name": "travel-validation"}
    return scenario_from_mapping(quiet, "<travel validation>")


class _Relocator:
    """Test driver: at given times, moves every unit's base to new villages (Responder.rebase).

    Mesa holds event callbacks weakly, so the driver must stay referenced while the model runs.
    """

    def __init__(self, model: PolicingModel, units: list, bases: np.ndarray,
                 times: Sequence[float]) -> None:
        self.model, self.units, self.bases, self.times, self.k = model, units, bases, times, 0
        model.schedule_event(self._move, at=times[0])

    def _move(self) -> None:
        for u, b in zip(self.units, self.bases[self.k], strict=True):
            u.rebase(int(b))
        self.k += 1
        if self.k < len(self.times):
            self.model.schedule_event(self._move, at=self.times[self.k])


@dataclass
class TravelResult:
    """Distances of dispatched trips and what the dispatcher should have chosen."""

    distance_km: np.ndarray  # per incident: road km from the dispatched unit's place
    nearest_km: np.ndarray  # per incident: km to the nearest unit, computed independently
    group: np.ndarray  # placement round of each incident (for standard errors)
    waited: int = 0  # incidents not dispatched at once (must be 0: every unit free)
    off_base: int = 0  # incidents answered by a unit not at its base (must be 0)

    def se(self) -> float:
        """Standard error of the mean distance, rounds treated as independent clusters."""
        means = np.array([self.distance_km[self.group == g].mean()
                          for g in np.unique(self.group)])
        return float(means.std(ddof=1) / math.sqrt(len(means)))


def _place_and_call(nx: int, ny: int, units: int, rounds: int, per_round: int,
                    incident_box: tuple[int, int, int, int], seed: int) -> TravelResult:
    """Random bases each round, then incidents far enough apart that every unit is free."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    settle = nx + ny + 1.0  # minutes: longest trip to a new base (km = minutes at 60 km/h)
    gap = 2.0 * (nx + ny) + 2.0  # between incidents: longest trip out, 1 minute, trip back
    bases = rng.integers(0, nx * ny, (rounds, units))
    x0, x1, y0, y1 = incident_box
    ix = rng.integers(x0, x1, (rounds, per_round))
    iy = rng.integers(y0, y1, (rounds, per_round))
    inc = iy * nx + ix
    span = settle + per_round * gap
    starts = np.arange(rounds) * span
    calls = [ExtraCall(float(starts[r] + settle + j * gap), int(inc[r, j]),
                       CallKind.PUBLIC_ORDER, 1.0)
             for r in range(rounds) for j in range(per_round)]
    scn = travel_scenario(units, (rounds * span + gap) / 1440.0)
    model = PolicingModel(scn, layouts=[lattice_layout(nx, ny)], extra_calls=calls)
    unit_list = list(model.dispatchers[0].responders)
    driver = _Relocator(model, unit_list, bases, list(starts))
    with quiet_gc():
        model.simulate()
    del driver
    tw = model.townships[0]
    recs = sorted(model.records.calls, key=lambda c: c.t_call)
    dist = np.array([tw.road_km(c.from_place, c.village) for c in recs])
    bx, by = bases % nx, bases // nx
    near = (np.abs(bx[:, None, :] - ix[:, :, None]) + np.abs(by[:, None, :] - iy[:, :, None])
            ).min(2).ravel().astype(float)
    base_of = {u.unique_id: i for i, u in enumerate(unit_list)}
    rnd = np.repeat(np.arange(rounds), per_round)
    off = sum(c.from_place != bases[r, base_of[c.responder_id]] for c, r in zip(
        recs, rnd, strict=True))
    waited = sum(c.t_dispatch != c.t_call for c in recs)
    return TravelResult(dist, near, rnd, waited=waited, off_base=int(off))


def nearest_unit_distances(side_km: int = 100, units: int = 100, guard_km: int = 20,
                           rounds: int = 300, per_round: int = 20,
                           seed: int = 1973) -> TravelResult:
    """Square-root law: units at random villages of a square, incidents in its interior.

    Incidents are drawn from the inner square ``guard_km`` from every edge, so each sees the
    units around it as a homogeneous random pattern (the law ignores boundaries; with a guard
    of twice sqrt(A/n) the chance that the nearest unit lies beyond it is exp(-8)).
    """
    return _place_and_call(side_km, side_km, units, rounds, per_round,
                           (guard_km, side_km - guard_km, guard_km, side_km - guard_km), seed)


def one_unit_distances(x_km: int = 40, y_km: int = 20, pairs: int = 5000,
                       seed: int = 1974) -> TravelResult:
    """One unit at a random village, one incident at a random village, ``pairs`` times."""
    return _place_and_call(x_km, y_km, 1, pairs, 1, (0, x_km, 0, y_km), seed)


def travel_checks(sq: TravelResult, rect: TravelResult, side_km: int = 100, units: int = 100,
                  x_km: int = 40, y_km: int = 20) -> list[Check]:
    """Checks of both travel runs: exact dispatch choices, then the two laws (within 5%/3%)."""
    k_obs = sq.distance_km.mean() / math.sqrt(side_km ** 2 / units)
    k_se = sq.se() / math.sqrt(side_km ** 2 / units)
    n_sq, n_r = f"{len(sq.distance_km):,} incidents", f"{len(rect.distance_km):,} pairs"
    return [
        Check("travel", f"dispatched unit is the nearest: max |km - nearest km| ({units} units)",
              0.0, float(np.abs(sq.distance_km - sq.nearest_km).max()), 0.0, note=n_sq),
        Check("travel", "incidents that waited or found a unit away from base", 0.0,
              float(sq.waited + sq.off_base + rect.waited + rect.off_base), 0.0),
        Check("travel", f"Kolesar-Blum k, random units, right-angle metric ({units} units, "
              f"{side_km} km square)", K_RANDOM_MANHATTAN, float(k_obs), 0.05, k_se, n_sq),
        Check("travel", f"one unit, {x_km} x {y_km} km rectangle: E[D] = (X+Y)/3 km",
              (x_km + y_km) / 3, float(rect.distance_km.mean()), 0.03, rect.se(), n_r),
    ]


# ---------------------------------------------------------------- hypercube

class PreferencePolicy(Policy):
    """The station-centred policy with a fixed preference list per village (demand atom).

    ``prefs[v]`` lists unit indices (positions in the dispatcher's responder list) in order of
    preference; the dispatcher sends the first free one, as in Larson's hypercube model.
    """

    def __init__(self, scenario: Scenario, prefs: Sequence[Sequence[int]],
                 unit_ids: Sequence[int]) -> None:
        super().__init__(scenario.policy, Components(**scenario.components()), scenario)
        # rank of unit ``uid`` for a call from atom j: its position in prefs[j]
        self._order = [{uid: list(p).index(i) for i, uid in enumerate(unit_ids)} for p in prefs]

    def rank(self, r, job) -> tuple[float, int]:  # noqa: D102 (see the class docstring)
        return (self._order[job.place][r.unique_id], r.unique_id)


def hypercube_workloads(rates: Sequence[float], prefs: Sequence[Sequence[int]], mu: float,
                        queue_cap: int = 400) -> np.ndarray:
    """Exact workloads of Larson's hypercube model with an infinite FCFS queue.

    States: the 2^N busy/free vectors, plus q = 1..queue_cap calls waiting with all units busy
    (truncated; the tail is geometric with ratio lam / (N mu)). A call from atom j takes the
    first free unit of ``prefs[j]``; a busy unit frees at rate ``mu`` and then takes the first
    waiting call, if any. Returns P(unit i busy) for each unit.
    """
    n = len(prefs[0])
    full, lam = (1 << n) - 1, float(sum(rates))
    size = full + 1 + queue_cap
    q = np.zeros((size, size))
    for b in range(full):
        for rate, pref in zip(rates, prefs, strict=True):
            u = next(i for i in pref if not b >> i & 1)
            q[b, b | 1 << u] += rate
    for b in range(1, full + 1):
        for i in range(n):
            if b >> i & 1:
                q[b, b & ~(1 << i)] += mu
    for k in range(queue_cap):  # state full + k: all busy with k waiting
        q[full + k, full + k + 1] += lam
        q[full + k + 1, full + k] += n * mu
    np.fill_diagonal(q, -q.sum(1))
    a = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(a, rhs, rcond=None)[0]
    busy = np.array([[b >> i & 1 for i in range(n)] for b in range(full + 1)], float)
    return pi[: full + 1] @ busy + pi[full + 1:].sum()


#: A small instance: 3 units, 4 demand atoms (calls per hour, preference list).
HYPERCUBE_ATOMS = ((0.6, (0, 1, 2)), (0.45, (1, 2, 0)), (0.3, (2, 0, 1)), (0.15, (1, 0, 2)))


def simulate_hypercube(atoms=HYPERCUBE_ATOMS, service_min: float = 60.0,
                       customers: int = 100_000, seed: int = 1974) -> tuple[np.ndarray, float]:
    """Run the hypercube instance through the engine; per-unit busy fractions and their SE.

    Every atom is a village in one grid cell with the station (zero trips), on-scene times are
    exponential, and a :class:`PreferencePolicy` ranks the free units. Workloads are busy time
    after the warm-up over the time after the warm-up; the SE is the largest over units, by
    batch means over 20 equal periods.
    """
    rates = [a[0] for a in atoms]
    lam = sum(rates)
    n = len(atoms)
    lay = Layout(tuple(f"A{i}" for i in range(n)), np.full(n, 0.25), np.full(n, 0.25),
                 np.array([round(r * 1000) for r in rates]), np.zeros(n, dtype=int), (0.25, 0.25))
    warm = 2.0
    days = customers / (lam * 24.0)  # measured days, after the warm-up
    scn = load_scenario(MMC_TOML, mmc_overrides(lam, service_min, len(atoms[0][1]),
                                                round(days, 3), warm))
    model = PolicingModel(scn, root_seed=seed, layouts=[lay])
    disp = model.dispatchers[0]
    ids = [r.unique_id for r in disp.responders]
    disp.policy = PreferencePolicy(scn, [a[1] for a in atoms], ids)
    with quiet_gc():
        records = model.simulate()
    tab = tables_from_records(records)
    t0, t1 = tab.warmup_min, tab.period_end
    edges = np.linspace(t0, t1, 21)
    busy = np.zeros((len(ids), 20))
    c = tab.calls.dropna(subset=["t_arrive"])
    for uid, start, end in zip(c["responder_id"], c["t_arrive"], c["t_clear"].fillna(t1),
                               strict=True):
        overlap = np.clip(np.minimum(end, edges[1:]) - np.maximum(start, edges[:-1]), 0, None)
        busy[ids.index(int(uid))] += overlap
    frac = busy / np.diff(edges)
    se = float(max(frac[i].std(ddof=1) / math.sqrt(20) for i in range(len(ids))))
    return busy.sum(1) / (t1 - t0), se


def hypercube_checks(observed: np.ndarray, se: float, atoms=HYPERCUBE_ATOMS,
                     service_min: float = 60.0, tolerance: float = 0.03) -> list[Check]:
    """One check per unit: simulated workload against the exact balance equations."""
    mu = 60.0 / service_min  # per hour, like the atoms' rates
    exact = hypercube_workloads([a[0] for a in atoms], [a[1] for a in atoms], mu=mu)
    return [Check("hypercube", f"unit {i} workload (3 units, {len(atoms)} atoms, "
                  f"lambda={sum(a[0] for a in atoms):g}/h, mu={mu:g}/h)", float(exact[i]),
                  float(observed[i]), tolerance, se) for i in range(len(exact))]

