"""Invariants over random small scenarios (hypothesis): bookkeeping that must always hold."""

from __future__ import annotations

import itertools
import math
import os

from conftest import scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.world.disputes import DisputeState
from sim.world.model import PolicingModel
from sim.world.policies import Components

EPS = 1e-6

small = st.fixed_dictionaries({
    "villages": st.integers(1, 8),
    "clusters": st.integers(1, 3),
    "station": st.integers(0, 4),
    "community": st.integers(0, 3),
    "aux": st.integers(0, 10),
    "groups": st.integers(1, 3),
    "rate": st.floats(50, 400),
    "calls": st.floats(0, 200),
    "components": st.lists(st.booleans(), min_size=6, max_size=6),
    "seed": st.integers(0, 2**32 - 1),
    "days": st.floats(3, 20),
})


def _build(p) -> PolicingModel:
    comp = dict(zip(Components.__dataclass_fields__, p["components"], strict=True))
    sets = [f"township.villages={p['villages']}",
            f"township.clusters={min(p['clusters'], p['villages'])}",
            "township.population_per_village=300", "township.max_road_km=15",
            "township.cell_km=1",
            f"staff.station_officers={max(p['station'], 1 if comp['center_offices'] else 0)}",
            f"staff.community_officers={p['community']}", f"staff.auxiliaries={p['aux']}",
            f"shifts.duty_groups={p['groups']}", f"disputes.rate_per_1000_year={p['rate']}",
            f"calls.public_order_per_1000_year={p['calls']}",
            "disputes.flare_mean_days=2", f"days={p['days']}", "warmup_days=0",
            "follow_up_days=2",
            f"seed={p['seed']}"]
    if p["station"] + p["community"] + p["aux"] == 0:
        sets.append("staff.station_officers=1")
    sets += [f"reform.{k}={'true' if v else 'false'}" for k, v in comp.items()]
    return PolicingModel(scenario(*sets))


def test_examples_are_the_same_every_run():
    # conftest.py loads the derandomised "ci" profile: a failure here reproduces on rerun
    assert settings.default.derandomize or os.environ.get("HYPOTHESIS_PROFILE") == "explore"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small)
def test_bookkeeping_invariants(p):
    m = _build(p)
    rec = m.simulate()
    horizon = m.horizon
    # every dispute is recorded exactly once, terminal or open at the horizon
    ids = [d["dispute_id"] for d in rec.disputes]
    assert len(ids) == len(set(ids)) == m._next_dispute
    for d in rec.disputes:
        assert d["outcome"] in ("resolved", "subsided", "open")
        assert (d["outcome"] == "open") == (d["t_end"] is None)
        if d["outcome"] == "open":
            assert d["state_at_end"] not in (DisputeState.RESOLVED.value,
                                             DisputeState.SUBSIDED.value)
        else:
            assert d["t_start"] - EPS <= d["t_end"] <= horizon + EPS
        assert d["fights"] >= d["injuries"] >= 0
        assert 1 <= d["tension"] <= m.params.disputes.max_tension
    # calls: the clock never goes back, and response time >= travel time
    for c in rec.calls:
        times = [c[k] for k in ("t_call", "t_dispatch", "t_arrive", "t_clear")]
        known = [t for t in times if t is not None]
        assert known == sorted(known) and all(0 <= t <= horizon + EPS for t in known)
        if c["t_arrive"] is not None:
            assert c["t_arrive"] - c["t_call"] >= c["travel_min"] - EPS
            assert math.isclose(c["t_arrive"] - c["t_dispatch"], c["travel_min"],
                                abs_tol=1e-6) or c["travel_min"] == 0.0
    # every responder's minutes add up to the horizon: one activity at a time, no gaps
    per = {}
    for w in rec.workload:
        per[w["responder_id"]] = per.get(w["responder_id"], 0.0) + w["minutes"]
        assert w["minutes"] >= -EPS
    assert all(math.isclose(v, horizon, rel_tol=1e-9) for v in per.values())
    # no responder serves two jobs at once: each responder's call intervals are disjoint
    by_r = {}
    for c in rec.calls:
        if c["t_dispatch"] is not None and c["travel_min"] and c["t_clear"] is not None:
            by_r.setdefault(c["responder_id"], []).append((c["t_dispatch"], c["t_clear"]))
    for spans in by_r.values():
        spans.sort()
        assert all(a[1] <= b[0] + EPS for a, b in itertools.pairwise(spans))
    # injury records match the disputes' counts
    from_disputes = sum(1 for i in rec.injuries if i["from_dispute"])
    assert from_disputes == sum(d["injuries"] for d in rec.disputes)
