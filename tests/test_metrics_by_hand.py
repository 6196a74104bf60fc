"""Every metric on a small hand-built set of records, against a value worked out by hand.

The records below are written out one by one; each expected value is computed by hand in the
comment beside it (never by calling the code under test). The rules exercised: events before
the warm-up are left out (an event exactly at the end of the warm-up counts), the rate per year
is over the horizon after the warm-up, an unanswered call has no response time, a share is over
its own denominator (disputes, disputes mediated, disputes met, calls, calls answered).

One test per metric (parametrised by metric key): a metric whose definition changes needs its
hand value here changed too, and a new metric fails ``test_every_metric_has_a_hand_value``.
"""

from __future__ import annotations

import math

import pytest

from sim.experiments.metrics import (
    METRICS,
    YEAR_MIN,
    compute_metrics,
    tables_from_records,
    time_budget,
)
from sim.world.records import DisputeRecord, Records

DAY = 1440.0
WARMUP = DAY  # one day of warm-up
HORIZON = WARMUP + 36.5 * DAY  # 36.5 days after the warm-up: a tenth of a (365-day) year
RESIDENTS = 2000

# Calls: (t_call, t_dispatch, t_arrive, kind, station_km).  Response = arrive - call,
# wait = dispatch - call.
CALLS = [
    (100.0, 100.0, 200.0, "theft", 30.0),      # c0: before the warm-up: left out everywhere
    (1440.0, 1440.0, 1446.0, "theft", 0.0),    # c1: exactly at the warm-up: counts; resp 6
    (1500.0, 1500.0, 1510.0, "dispute", 20.0),  # c2: resp 10, wait 0; 20 km is not "over 20"
    (1600.0, 1604.0, 1634.0, "fight", 25.0),   # c3: resp 34, wait 4; far
    (2000.0, 2000.0, 2020.0, "theft", 21.0),   # c4: resp 20, wait 0; far
    (3000.0, 3010.0, None, "traffic", 40.0),   # c5: dispatched, never reached; wait 10; far
    (4000.0, None, None, "public_order", 2.0),  # c6: never dispatched: no wait, no response
]

# Disputes: (t_start, fights, injuries, interventions, relapses, outcome, first_channel)
DISPUTES = [
    (500.0, 3, 1, 1, 1, "open", "call"),          # d0: before the warm-up: left out
    (1440.0, 0, 0, 0, 0, "subsided", ""),         # d1: at the warm-up: counts; never met
    (2000.0, 2, 1, 1, 1, "resolved", "call"),     # d2: escalated, mediated, relapsed
    (2500.0, 1, 0, 2, 0, "resolved", "screening"),  # d3: escalated, mediated
    (3000.0, 0, 0, 1, 0, "open", "auxiliary"),    # d4: mediated
    (3500.0, 0, 0, 0, 0, "open", "alert"),        # d5: met, not (yet) mediated
]

# Injury crimes: (t, from_dispute)
INJURIES = [(1000.0, True),   # before the warm-up: left out
            (1440.0, False),  # exactly at the warm-up: counts
            (1500.0, True), (2600.0, False), (5000.0, True)]

# After the warm-up: calls c1..c6 (6), answered c1..c4 with responses 6, 10, 34, 20;
# disputes d1..d5 (5); injuries 4 (2 from disputes).
EXPECTED = {
    "response_time_mean_min": (6 + 10 + 34 + 20) / 4,            # 17.5
    "response_time_median_min": (10 + 20) / 2,                    # sorted 6, 10, 20, 34
    # numpy's default (linear) quantile: position 0.9 * (4 - 1) = 2.7 -> 20 + 0.7 * (34 - 20)
    "response_time_p90_min": 20 + 0.7 * 14,                      # 29.8
    "response_time_far_mean_min": (34 + 20) / 2,                 # c3, c4 (c5 unanswered)
    "queue_wait_mean_min": (0 + 0 + 4 + 0 + 10) / 5,             # c1..c5 (c6 not dispatched)
    "p_wait": 2 / 5,                                             # c3 and c5 waited
    "escalation_rate": 2 / 5,                                    # d2, d3 fought
    "disputes": 5.0,
    "disputes_escalated": 2.0,
    "fights": 3.0,                                               # 0 + 2 + 1 + 0 + 0
    "injury_crimes": 4.0,
    "injury_crimes_per_10k_year": 4 / 2000 * 10_000 / 0.1,       # 200 per 10,000 a year
    "injury_dispute_share": 2 / 4,
    "criminal_incidents": 4.0 + 2.0,                             # 4 injuries + thefts c1, c4
    "calls": 6.0,
    "dispute_calls_share": 2 / 6,                                # c2 dispute, c3 fight
    "repeat_dispute_rate": 1 / 3,                                # of d2, d3, d4 mediated: d2
    "resolved_share": 2 / 5,                                     # d2, d3
    "subsided_share": 1 / 5,                                     # d1
    "open_share": 2 / 5,                                         # d4, d5
    "proactive_contact_share": 3 / 4,                            # met: d2..d5; not by call: 3
    "unanswered_calls": 2.0,                                     # c5, c6
}


def _records() -> Records:
    rec = Records(horizon_min=HORIZON, warmup_min=WARMUP, residents=RESIDENTS)
    for i, (t, disp, arr, kind, km) in enumerate(CALLS):
        c = rec.new_call(t, 0, i % 3, kind, -1, km, km)
        c.t_dispatch, c.t_arrive = disp, arr
        if arr is not None:
            c.t_clear, c.travel_min = arr + 30.0, arr - disp
    for i, (t, fights, inj, interventions, relapses, outcome, channel) in enumerate(DISPUTES):
        rec.disputes.append(DisputeRecord(
            i, 0, i % 3, "neighbour", t, 2, 2, False, 1, fights, inj, interventions, relapses,
            False, None if not channel else t + 60.0, channel, outcome,
            {"open": "latent", "resolved": "resolved", "subsided": "subsided"}[outcome],
            None if outcome == "open" else t + 600.0, ""))
    rec.injuries = [{"t": t, "village": 0, "township": 0, "from_dispute": f}
                    for t, f in INJURIES]
    return rec


@pytest.fixture  # per test (not per module): mutation testing maps each test to what it calls
def metrics() -> dict[str, float]:
    return compute_metrics(tables_from_records(_records()))


def test_every_metric_has_a_hand_value():
    assert set(EXPECTED) == set(METRICS)
    assert math.isclose((HORIZON - WARMUP) / YEAR_MIN, 0.1)  # the "0.1 year" used above


@pytest.mark.parametrize("key", list(METRICS))
def test_metric_by_hand(metrics, key):
    assert metrics[key] == pytest.approx(EXPECTED[key], rel=1e-12, abs=1e-12), key


def test_a_longer_horizon_lowers_the_yearly_rate_only():
    rec = _records()
    rec.horizon_min = WARMUP + 73 * DAY  # two tenths of a year, same events
    m = compute_metrics(tables_from_records(rec))
    assert m["injury_crimes_per_10k_year"] == pytest.approx(4 / 2000 * 10_000 / 0.2)
    assert m["injury_crimes"] == 4.0


def test_a_later_warmup_drops_the_early_events():
    rec = _records()
    rec.warmup_min = 2000.0  # now c1..c3, d1, and the injury at 1500 are before it
    m = compute_metrics(tables_from_records(rec))
    assert m["calls"] == 3.0  # c4, c5, c6
    assert m["response_time_mean_min"] == 20.0  # only c4 answered
    assert m["disputes"] == 4.0  # d2..d5 (d2 starts at exactly 2000)
    assert m["injury_crimes"] == 2.0
    years = (HORIZON - 2000.0) / YEAR_MIN
    assert m["injury_crimes_per_10k_year"] == pytest.approx(2 / 2000 * 10_000 / years)


def test_nothing_after_the_warmup_gives_undefined_shares_and_zero_counts():
    rec = _records()
    rec.warmup_min = HORIZON  # every event is earlier
    m = compute_metrics(tables_from_records(rec))
    for key in ("calls", "disputes", "fights", "injury_crimes", "unanswered_calls",
                "criminal_incidents", "disputes_escalated"):
        assert m[key] == 0.0, key
    for key in ("response_time_mean_min", "p_wait", "escalation_rate", "resolved_share",
                "repeat_dispute_rate", "proactive_contact_share", "dispute_calls_share",
                "injury_dispute_share"):
        assert math.isnan(m[key]), key


def test_time_budget_shares_by_hand():
    rec = _records()
    rec.workload = [
        {"responder_id": 0, "township": 0, "role": "station_officer", "activity": "duty",
         "minutes": 600.0},
        {"responder_id": 0, "township": 0, "role": "station_officer", "activity": "travel",
         "minutes": 240.0},
        {"responder_id": 1, "township": 0, "role": "station_officer", "activity": "duty",
         "minutes": 360.0},
        {"responder_id": 2, "township": 0, "role": "auxiliary", "activity": "on_scene",
         "minutes": 90.0},
    ]
    b = time_budget(tables_from_records(rec)).set_index(["role", "activity"])
    # station officers: 960 minutes on duty and 240 travelling, of 1,200 in all
    assert b.loc[("station_officer", "duty"), "share"] == pytest.approx(0.8)
    assert b.loc[("station_officer", "travel"), "share"] == pytest.approx(0.2)
    assert b.loc[("station_officer", "duty"), "hours"] == pytest.approx(16.0)
    assert b.loc[("auxiliary", "on_scene"), "share"] == pytest.approx(1.0)
