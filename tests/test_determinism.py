"""Same seed, same bits; common random numbers across policies; replications differ."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from conftest import scenario
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.experiments.run as run_mod
from sim.experiments.metrics import tables_from_records
from sim.experiments.run import run_once
from sim.world.model import PolicingModel
from sim.world.streams import RandomStreams, replication_seed, seed_states, uint32_words

SHORT = ["days=50", "warmup_days=10", "follow_up_days=20"]


def _tables(policy: str, rep: int = 0, seed: int | None = None):
    return run_once(scenario(*SHORT, policy=policy), rep, seed).tables


def test_same_seed_same_bits():
    a, b = _tables("center_office"), _tables("center_office")
    for name in ("calls", "disputes", "injuries", "workload", "visits"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_replications_and_seeds_differ():
    base = _tables("station_centred", 0).disputes
    assert not base["t_start"].equals(_tables("station_centred", 1).disputes["t_start"])
    assert not base["t_start"].equals(_tables("station_centred", 0, seed=7).disputes["t_start"])


def test_both_policies_meet_the_same_disputes_and_calls():
    old, new = _tables("station_centred"), _tables("center_office")
    cols = ["dispute_id", "t_start", "village", "kind", "tension0", "elderly_alone"]
    key = "dispute_id"
    pd.testing.assert_frame_equal(old.disputes[cols].sort_values(key).reset_index(drop=True),
                                  new.disputes[cols].sort_values(key).reset_index(drop=True))
    other = ["t_call", "village", "kind"]
    o = old.calls[old.calls["dispute_id"] < 0][other].sort_values(other).reset_index(drop=True)
    n = new.calls[new.calls["dispute_id"] < 0][other].sort_values(other).reset_index(drop=True)
    # assaults and thefts are exogenous; policy changes only the dispute-driven calls
    pd.testing.assert_frame_equal(o, n)


def test_replication_seed_is_addressable_by_index():
    root = 12345
    spawned = __import__("numpy").random.SeedSequence(root).spawn(5)
    for k in range(5):
        assert replication_seed(root, k).generate_state(4).tolist() == \
            spawned[k].generate_state(4).tolist()


def test_named_streams_are_independent_of_each_other():
    s = RandomStreams(replication_seed(1, 0))
    a = s["dispute_arrivals"].random(3)
    t = RandomStreams(replication_seed(1, 0))
    t["call_arrivals"].random(1000)  # using one stream never shifts another
    assert (t["dispute_arrivals"].random(3) == a).all()


@given(st.integers(min_value=0, max_value=2**160), st.integers(min_value=0, max_value=2**31))
def test_entropy_words_give_the_seed_sequence_of_the_integer(entropy, index):
    # substreams pass the entropy pre-split into 32-bit words (faster); the draws must be the
    # ones SeedSequence gives for the integer itself
    a = np.random.SeedSequence(entropy, spawn_key=(3, index))
    b = np.random.SeedSequence(uint32_words(entropy), spawn_key=(3, index))
    assert a.generate_state(8).tolist() == b.generate_state(8).tolist()


def test_substream_is_the_seed_sequence_child_of_its_family():
    s = RandomStreams(replication_seed(20211001, 2))
    fam = s.child("dispute_fate")
    want = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        fam.entropy, spawn_key=(*fam.spawn_key, 41)))).random(4)
    assert s.substream("dispute_fate", 41).random(4).tolist() == want.tolist()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**200),
       st.lists(st.integers(min_value=0, max_value=2**70), max_size=3),
       st.integers(min_value=1, max_value=300))
def test_vectorised_seed_states_are_seed_sequences_own(entropy, key, n):
    # seed_states re-implements SeedSequence's hashing for many spawn indices at once; every
    # row must be the state SeedSequence itself generates (first, last and a middle index)
    states = seed_states(uint32_words(entropy), tuple(key), n)
    for i in {0, n // 2, n - 1}:
        want = np.random.SeedSequence(entropy, spawn_key=(*key, i)).generate_state(4, np.uint64)
        assert states[i].tolist() == want.tolist()


def test_prepared_substreams_draw_what_fresh_ones_draw():
    fresh, prepared = (RandomStreams(replication_seed(20211001, 2)) for _ in range(2))
    prepared.prepare_substreams("dispute_fate", 50)
    for i in (0, 7, 49, 50, 120):  # 50 and 120: beyond the prepared range, built as before
        want = fresh.substream("dispute_fate", i).random(5).tolist()
        assert prepared.substream("dispute_fate", i).random(5).tolist() == want


class _EveryArrivalScheduled(PolicingModel):
    """The engine before booked arrivals: every arrival is an event of its own."""

    def fixed_service(self, job):
        return None


@pytest.mark.parametrize("policy", ["station_centred", "center_office"])
def test_booked_arrivals_give_the_same_run_as_scheduled_ones(policy):
    scn = scenario(*SHORT, policy=policy)
    fast, slow = PolicingModel(scn), _EveryArrivalScheduled(scn)
    a, b = tables_from_records(fast.simulate()), tables_from_records(slow.simulate())
    for name in ("calls", "disputes", "injuries", "workload", "visits"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert fast.time == slow.time
    booked = sum(1 for c in fast.records.calls if c["t_arrive"] is not None)
    assert booked > 100  # the runs did dispatch calls


def test_gc_settings_do_not_change_a_run(monkeypatch):
    a = _tables("center_office")
    monkeypatch.setattr(run_mod, "quiet_gc", contextlib.nullcontext)
    b = _tables("center_office")
    for name in ("calls", "disputes", "workload"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_vectorised_elderly_flags_and_service_draws_match_one_by_one():
    # the set-up draws many things as arrays; each must equal its one-at-a-time rule
    model = PolicingModel(scenario(*SHORT, policy="center_office"))
    pop = model.populations[0]
    idx = np.arange(pop.total)
    assert pop.are_elderly_alone(idx).tolist() == [pop.is_elderly_alone(int(i)) for i in idx]
    for dist in ("lognormal", "exponential"):
        m = PolicingModel(scenario(*SHORT, f'calls.on_scene_distribution="{dist}"'))
        a, b = np.random.default_rng(5), np.random.default_rng(5)
        assert m.draw_services(a, 42.0, 300) == [m.draw_service(b, 42.0) for _ in range(300)]
