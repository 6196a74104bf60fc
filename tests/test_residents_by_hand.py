"""Residents, households and the disputes prepared from them, checked by hand (issue 20).

Each expected value is a literal worked out in the comment beside it, or follows from a rule
re-derived in the test (a documented formula, a quantile table, the same named stream drawn in
the documented order), never from the code under test. Split from test_disputes_by_hand.py.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import by_hand_disputes as _model
from conftest import clocks, scenario
from mesa import Model

from sim.scenario import DISPUTE_KINDS
from sim.world.disputes import DisputeKind
from sim.world.households import RepeatRisk
from sim.world.model import ExtraDispute
from sim.world.residents import Population, Resident
from sim.world.streams import (
    EPISODE_CLOCKS,
    FAILED_MEDIATION,
    REPEAT_KEY,
    RandomStreams,
    dispute_bits,
    dispute_uniform,
    replication_seed,
)

KINDS = [DisputeKind(k) for k in DISPUTE_KINDS]


# ------------------------------------------------------------------ Resident / Population
def _population(sizes, alone, *sets) -> Population:
    pop = Population(np.array(sizes), scenario(*sets).residents, np.random.default_rng(0))
    pop.elderly_alone = np.array(alone)
    return pop


def test_a_resident_agent_knows_its_village_household_and_disputes():
    # villages of 5 and 10 residents, 1 and 3 of them elderly alone, households of 3.
    # Resident 12 is local 7 of village 1: household 3 + (7 - 3) // 3 = 4, not alone.
    # Resident 5 is local 0 of village 1: elderly alone, its own household 0.
    pop = _population([5, 10], [1, 3], "residents.household_size=3")
    pop.involve(12, 4)
    model = Model(rng=1)
    a = pop.resident(model, 12)
    assert (a.index, a.village, a.household, a.elderly_alone, a.disputes) == (12, 1, 4, False,
                                                                               [4])
    b = pop.resident(model, 5)
    assert (b.index, b.village, b.household, b.elderly_alone, b.disputes) == (5, 1, 0, True, [])
    pop.involve(5, 9)
    assert b.disputes == [9] and pop.resident(model, 5) is b


class _Uniforms:
    """A stand-in for a generator whose ``random`` returns the test's numbers."""

    def __init__(self, u):
        self.u = np.array(u, float)

    def random(self, shape):
        assert shape == self.u.shape
        return self.u


def test_dispute_parties_by_hand_with_elder_support_picks():
    # villages of 4, 6 and 4 residents (start 0, 4, 10), 0, 2 and 2 of them elderly alone.
    # Village 1: share s = 2/6, relative risk 4: q = (4/3) / (4/3 + 2/3) = 2/3.
    # Village 2: s = 1/2: q = 2 / (2 + 1/2) = 0.8 (exactly, in floating point too).
    # row 0 (village 0): 0 + floor(0.5 x 4) = 2, 0 + floor(0.99 x 4) = 3
    # row 1 (village 1, elder support, 0.6 < 2/3): the first an elderly, 4 + floor(0.9 x 2)
    #        = 5; the second 4 + floor(0 x 6) = 4
    # row 2 (village 1, elder support, 0.7 >= 2/3): 4 + floor(0.9 x 6) = 9, 4 + floor(3) = 7
    # row 3 (village 0, elder support, no elderly there): 0 + 1, 0 + 0
    # row 4 (village 1, not elder support, 0.1 < q but no pick): 9, 4
    # row 5 (village 2, elder support, 0.8 = q: no pick): 10 + 2, 10 + 2
    # row 6 (village 2, elder support, 0.79 < q): 10 + floor(0.5 x 2) = 11, 12
    pop = _population([4, 6, 4], [0, 2, 2], "residents.elderly_alone_risk=4")
    u = [[0.5, 0.99, 0.1], [0.9, 0.0, 0.6], [0.9, 0.5, 0.7], [0.25, 0.0, 0.0],
         [0.9, 0.0, 0.1], [0.5, 0.5, 0.8], [0.5, 0.5, 0.79]]
    parties = pop.sample_parties(np.array([0, 1, 1, 0, 1, 2, 2]),
                                 np.array([False, True, True, True, False, True, True]),
                                 _Uniforms(u))
    assert parties.dtype == np.int64
    assert parties.tolist() == [[2, 3], [5, 4], [9, 7], [1, 0], [9, 4], [12, 12], [11, 12]]


def test_with_relative_risk_one_an_elder_dispute_picks_an_elderly_by_their_share():
    # relative risk 1: q = s = 2/4 = 0.5 exactly. u2 just below it picks an elderly
    # (0 + floor(0.75 x 2) = 1), 0.5 itself does not (0 + floor(0.75 x 4) = 3)
    pop = _population([4], [2], "residents.elderly_alone_risk=1")
    u = [[0.75, 0.0, 0.49999999999999], [0.75, 0.0, 0.5]]
    parties = pop.sample_parties(np.array([0, 0]), np.array([True, True]), _Uniforms(u))
    assert parties.tolist() == [[1, 0], [3, 0]]


def test_first_parties_by_household_proneness_by_hand():
    # villages of 2 and 3 residents with proneness 1, 3 | 2, 2, 4: cumulative 1, 4 | 6, 8, 12.
    # Village 0 spans [0, 4), village 1 [4, 12); the first party is the resident whose
    # stretch [previous cumulative, own) holds lo + u0 x (hi - lo): village 0, u0 0.2 -> 0.8
    # -> resident 0; 0.3 -> 1.2 -> 1. Village 1, 0.2 -> 4 + 1.6 = 5.6 -> resident 2;
    # 0.3 -> 6.4 -> 3; 0.9 -> 11.2 -> 4 (the last); 0.25 -> 6 exactly -> 3 (6 is where 3's
    # stretch starts); the largest u0 below 1 rounds to 12, the end of the village: still its
    # last resident, 4. The second party is uniform: u1 0.5 -> start + floor(0.5 x size) =
    # 1 | 5. An elder-support pick (village 1 has 1 elderly alone: s = 1/3, q = (4/3) /
    # (4/3 + 2/3) = 2/3 > u2 0.1) overrides the first party: 2 + floor(0.9 x 1) = 2.
    pop = _population([2, 3], [0, 1], "residents.elderly_alone_risk=4")
    pop._cum_weight = np.array([1.0, 4.0, 6.0, 8.0, 12.0])
    top = float(np.nextafter(1.0, 0.0))
    u = [[0.2, 0.5, 0.9], [0.3, 0.5, 0.9], [0.2, 0.5, 0.9], [0.3, 0.5, 0.9], [0.9, 0.5, 0.9],
         [0.9, 0.5, 0.1], [0.25, 0.5, 0.9], [top, 0.5, 0.9]]
    villages = np.array([0, 0, 1, 1, 1, 1, 1, 1])
    elder = np.array([False, False, False, False, False, True, False, False])
    parties = pop.sample_parties(villages, elder, _Uniforms(u))
    assert parties.tolist() == [[0, 1], [1, 1], [2, 3], [3, 3], [4, 3], [2, 3], [3, 3],
                                [4, 3]]


def test_household_proneness_of_a_village_starting_at_resident_one():
    # villages of 1 and 2 residents, proneness 1 | 2, 1: cumulative 1 | 3, 4. Village 1
    # starts at resident 1 and spans [1, 4): u0 0.1 -> 1.3 -> resident 1; u1 0.5 ->
    # 1 + floor(0.5 x 2) = 2. Village 0 spans [0, 1): its one resident, twice.
    pop = _population([1, 2], [0, 0])
    pop._cum_weight = np.array([1.0, 3.0, 4.0])
    parties = pop.sample_parties(np.array([1, 0]), np.array([False, False]),
                                 _Uniforms([[0.1, 0.5, 0.9], [0.5, 0.5, 0.9]]))
    assert parties.tolist() == [[1, 2], [0, 0]]


# ------------------------------------------------------------------ RepeatRisk
class _RepeatModel:
    """What RepeatRisk needs of a model: time, parameters, clocks, events."""

    def __init__(self, *sets):
        self.now = 500.0
        self.params = scenario(*sets)
        self.events = []

    def clocks_from_uniforms(self, u):
        return tuple(u)

    def schedule_event(self, fn, *, at):
        ev = SimpleNamespace(at=at, cancel=lambda: None)
        self.events.append(ev)
        return ev


def _failing(draws: dict[int, float], default: float | None = None, **kw):
    """A dispute (stand-in) at its 2nd intervention whose FAILED_MEDIATION draws are given."""
    def draw(purpose, number, j=0):
        assert (purpose, number) == (FAILED_MEDIATION, 2)
        return draws[j] if default is None or j in draws else default
    base = dict(parties=(3, 4), interventions=2, key=77, township=0, village=1,
                kind=DisputeKind.LAND, tension0=2, tension=4, elderly_alone=True, draw=draw)
    base.update(kw)
    return SimpleNamespace(**base)


def test_a_failed_mediation_draws_its_repeats_by_hand():
    # mean 1 repeat: the Poisson(1) cdf is 0.368, 0.736, 0.920 at 0, 1, 2, so the draw 0.9
    # gives 2 repeats. Delays (mean 2 days = 2,880 min): u 0.5 -> 2,880 ln 2 = 1,996.27;
    # u 1 - e^-1 -> 2,880. Due at 500 + those; each a copy of the dispute (tension0, not the
    # risen tension) with its own key and first-episode clocks from that key.
    model = _RepeatModel("households.failed_mediation_repeats=1",
                         "households.repeat_decay_days=2")
    risk = RepeatRisk(model)
    risk.after_failed_mediation(_failing({0: 0.9, 1: 0.5, 2: 1.0 - math.exp(-1.0)}))
    pending = sorted(risk._pending)
    assert [p[0] for p in pending] == pytest.approx([500.0 + 2880.0 * math.log(2.0), 3380.0])
    for j, (due, _, row) in zip((0, 1), pending, strict=True):
        key = dispute_bits(77, REPEAT_KEY, 2, j)
        assert row[:7] == (due, 0, 1, DisputeKind.LAND, 2, (3, 4), True)
        assert row[8] == key
        assert row[7] == tuple(dispute_uniform(key, EPISODE_CLOCKS, 1, i) for i in range(10))
    assert model.events[-1].at == pytest.approx(500.0 + 2880.0 * math.log(2.0))


@pytest.mark.parametrize(("sets", "kw", "expected"), [
    (["households.failed_mediation_repeats=5"], {}, 15),  # u 1 - 1e-12: capped at 15
    (["households.failed_mediation_repeats=0"], {}, 0),  # off
    (["households.failed_mediation_repeats=5"], {"parties": ()}, 0),  # no household
])
def test_failed_mediation_repeats_are_capped_and_need_a_household(sets, kw, expected):
    model = _RepeatModel(*sets)
    risk = RepeatRisk(model)
    risk.after_failed_mediation(_failing({0: 1.0 - 1e-12}, default=0.5, **kw))
    assert len(risk._pending) == expected


# ------------------------------------------------------------------ _prepare_disputes
def test_disputes_at_the_same_time_are_numbered_by_township():
    # two townships; disputes at 100 in township 0 (village 1) and township 1 (village 0),
    # and one at 50 in township 1: numbered by time, then township -> 50/t1, 100/t0, 100/t1
    ds = [ExtraDispute(100.0, 1, clocks(), township=0), ExtraDispute(100.0, 0, clocks(),
                                                                     township=1),
          ExtraDispute(50.0, 1, clocks(), township=1)]
    m = _model(disputes=ds, distances=(10.0, 20.0), n_townships=2)
    assert [(r[0], r[1], r[2]) for r in m._dispute_rows] == [(50.0, 1, 1), (100.0, 0, 1),
                                                             (100.0, 1, 0)]
    m.run_until(101.0)
    assert [(m.disputes_by_id[i].township, m.disputes_by_id[i].village) for i in range(3)] == [
        (1, 1), (0, 1), (1, 0)]


def test_a_flat_rhythm_gives_the_disputes_of_no_rhythm():
    # with every profile and seasonal multiplier flat the dispute rate is constant, its mass
    # over the run is the horizon and its inverse the identity: the same count (Poisson of
    # the same mean), the same times (sorted uniforms on [0, horizon)) and villages as
    # without the rhythm (the kinds come from other draws)
    sets = ["disputes.rate_per_1000_year=365", "days=20"]  # 2 villages x 1,000: 40 expected
    flat = ["rhythm.enabled=true", "rhythm.hour_profile=" + ",".join(["1"] * 24),
            "rhythm.weekday_profile=" + ",".join(["1"] * 7),
            "rhythm.spring_festival_multiplier=1", "rhythm.harvest_multiplier=1"]
    plain = _model(*sets, distances=(10.0, 20.0))
    rhythm = _model(*sets, *flat, distances=(10.0, 20.0))
    a, b = plain._dispute_rows, rhythm._dispute_rows
    assert len(a) == len(b) > 20
    assert [r[0] for r in b] == pytest.approx([r[0] for r in a], rel=1e-12, abs=1e-9)
    assert [r[2] for r in b] == [r[2] for r in a]
    assert min(r[0] for r in b) >= 0.0 and max(r[0] for r in b) < 20 * 1440.0


def test_repeats_due_at_the_same_time_start_in_the_order_drawn():
    # mean 1 and the count draw 0.9: 2 repeats; both delay draws 0.5, so both are due at
    # 500 + 2,880 ln 2: they start in the order they were drawn (repeat 0's key first)
    model = _RepeatModel("households.failed_mediation_repeats=1",
                         "households.repeat_decay_days=2")
    model.started = []
    model.start_dispute = model.started.append
    risk = RepeatRisk(model)
    risk.after_failed_mediation(_failing({0: 0.9}, default=0.5))
    assert len(risk._pending) == 2
    risk._on_due()
    risk._on_due()
    assert [row[8] for row in model.started] == [dispute_bits(77, REPEAT_KEY, 2, j)
                                                 for j in (0, 1)]


def test_first_disputes_follow_their_arrival_stream():
    # No rhythm, no repeats: township 0's disputes come from its "dispute_arrivals" stream in
    # this order: the count ~ Poisson(lam), lam = 365 / 1,000 / year x 2,000 residents x
    # 20 days / 365 = 40; the times sorted uniforms on [0, 20 days); villages by population
    # (1,000 each: 1/2 each); kinds by the default shares 0.35, 0.25, 0.15, 0.10, 0.15; the
    # tension 1 + Poisson(0.5), at most 5. Re-drawn here from a fresh copy of the stream.
    m = _model("disputes.rate_per_1000_year=365", "days=20", distances=(10.0, 20.0))
    rng = RandomStreams(replication_seed(m.root_seed, 0)).township("dispute_arrivals", 0)
    n = int(rng.poisson(40.0))
    times = np.sort(rng.uniform(0.0, 20 * 1440.0, n))
    village = rng.choice(2, size=n, p=[0.5, 0.5])
    kind = rng.choice(5, size=n, p=[0.35, 0.25, 0.15, 0.10, 0.15])
    tension = np.minimum(1 + rng.poisson(0.5, n), 5)
    rows = m._dispute_rows
    assert len(rows) == n > 20
    assert [r[0] for r in rows] == times.tolist()
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        (0, v, KINDS[k], t) for v, k, t in zip(village.tolist(), kind.tolist(),
                                                 tension.tolist(), strict=True)]
    assert all(len(r[5]) == 2 for r in rows)  # two parties each
    keys = RandomStreams(replication_seed(m.root_seed, 0)).dispute_keys(0, n)
    assert [r[8] for r in rows] == keys
    assert m.records.prepared_disputes == n and m._n_disputes == n


def test_keep_total_rate_thins_the_first_disputes_by_the_repeats_share():
    # with repeats of expected 0.5 per dispute and keep_total_rate, the first disputes arise
    # at rate x (1 - 0.5): their count is Poisson(40 x 0.5 = 20) from the arrivals stream
    m = _model("disputes.rate_per_1000_year=365", "days=20", "households.repeat=true",
               "households.repeat_expected=0.5", "households.keep_total_rate=true",
               distances=(10.0, 20.0))
    rng = RandomStreams(replication_seed(m.root_seed, 0)).township("dispute_arrivals", 0)
    n = int(rng.poisson(20.0))
    times = set(rng.uniform(0.0, 20 * 1440.0, n).tolist())
    assert len([r for r in m._dispute_rows if r[0] in times]) == n


def test_a_resident_made_without_a_dispute_list_starts_with_none():
    a = Resident(Model(rng=1), 3, 0, 1, False)
    assert a.disputes == [] and (a.index, a.village, a.household, a.elderly_alone) == (
        3, 0, 1, False)


def test_household_proneness_is_one_draw_per_household():
    # one village of 5: 1 elderly resident alone (household 0), then households of 2:
    # residents 1, 2 (household 1) and 3, 4 (household 2). Three gamma draws of mean 1 and
    # CV 0.5 (shape k = 1 / 0.5^2 = 4, scale 1/4), in household order, each resident weighted
    # by its household's draw: cumulative weights f0, f0+f1, f0+2f1, f0+2f1+f2, f0+2f1+2f2
    pop = _population([5], [1], "residents.household_size=2")
    pop.set_frailty(0.5, np.random.default_rng(9))
    f0, f1, f2 = np.random.default_rng(9).gamma(4.0, 0.25, 3)
    assert pop._cum_weight.tolist() == pytest.approx(
        [f0, f0 + f1, f0 + 2 * f1, f0 + 2 * f1 + f2, f0 + 2 * f1 + 2 * f2], rel=1e-12)
