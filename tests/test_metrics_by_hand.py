"""Every metric on a small hand-built set of records, against a value worked out by hand.

The records below are written out one by one; each expected value is computed by hand in the
comment beside it (never by calling the code under test). A run is a warm-up, a measured period
and a follow-up. The rules exercised: period metrics count calls and injury crimes with
warm-up <= t < period end (an event exactly at the end of the warm-up counts, one exactly at the
end of the period does not); the yearly rate is over the measured period's length (not the
follow-up); cohort metrics cover the disputes that began in the measured period, each followed
over its window [start, start + follow-up] (an event exactly at the window's end is inside, one
a minute later outside); ``fights`` and ``failed_mediation_share`` count by the end of the run;
an unanswered call has no response time, a call without an officer no officer response time;
a share is over its own denominator (disputes, disputes mediated, disputes met, calls, calls
dispatched, calls answered, calls that need an officer).

One test per metric (parametrised by metric key): a metric whose definition changes needs its
hand value here changed too, and a new metric fails ``test_every_metric_has_a_hand_value``.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import pytest

from sim.experiments.metrics import (
    METRICS,
    YEAR_MIN,
    compute_metrics,
    resources,
    tables_from_records,
    time_budget,
)
from sim.experiments.run import mean_resources
from sim.world.records import DisputeRecord, Records

DAY = 1440.0
WARMUP = DAY  # one day of warm-up
PERIOD_END = WARMUP + 36.5 * DAY  # 54,000: 36.5 measured days, a tenth of a (365-day) year
FOLLOW_UP = 10 * DAY  # 14,400: each cohort dispute's window
HORIZON = PERIOD_END + FOLLOW_UP  # 68,400
RESIDENTS = 2000
F = FOLLOW_UP

# Calls: (t_call, t_dispatch, t_arrive, kind, station_km, officer_required, t_officer_arrive).
# Response = arrive - call, wait = dispatch - call, officer response = officer arrive - call.
CALLS = [
    (100.0, 100.0, 200.0, "theft", 30.0, True, 150.0),  # c0: before the warm-up: left out
    (1440.0, 1440.0, 1446.0, "theft", 0.0, True, 1470.0),  # c1: at the warm-up: counts;
    #                                                       resp 6, officer 30
    (1500.0, 1500.0, 1510.0, "dispute", 20.0, False, 1510.0),  # c2: resp 10, wait 0; 20 km is
    #                          not "over 20"; an officer came but the kind needs none: left out
    (1600.0, 1604.0, 1634.0, "fight", 25.0, True, 1650.0),  # c3: resp 34, wait 4; far; officer
    #                                                        50 (an auxiliary was first)
    (2000.0, 2000.0, 2020.0, "theft", 21.0, True, None),  # c4: resp 20, wait 0; far; no officer
    (3000.0, 3010.0, None, "traffic", 40.0, False, None),  # c5: never reached; wait 10; far
    (4000.0, None, None, "public_order", 2.0, False, None),  # c6: never dispatched
    (PERIOD_END - 1, PERIOD_END - 1, PERIOD_END + 9, "theft", 0.0, True, PERIOD_END + 19),
    #   c7: last minute of the period: counts; resp 10, wait 0, officer 20
    (PERIOD_END, PERIOD_END, PERIOD_END + 1, "fight", 30.0, True, PERIOD_END + 1),
    #   c8: exactly at the period's end: left out (in the follow-up)
]

# Disputes: (t_start, fights, interventions, relapses, outcome, first_channel, t_first_contact,
# t_end, t_first_fight, t_repeat). Window of a dispute: [t_start, t_start + F].
DISPUTES = [
    (500.0, 3, 1, 1, "open", "call", 560.0, None, 600.0, 700.0),  # d0: before the warm-up
    (1440.0, 0, 0, 0, "subsided", "", None, 2040.0, None, None),  # d1: at the warm-up: counts;
    #                                                        never met; subsided in the window
    (2000.0, 2, 1, 1, "resolved", "call", 2060.0, 2000.0 + 2 * DAY, 2100.0, 2200.0),
    #   d2: met by a call; fought (escalated); flared again (repeat); mediation failed once;
    #       resolved after 2 days
    (2500.0, 1, 2, 0, "resolved", "screening", 2560.0, 2500.0 + F + 1, 2500.0 + F, None),
    #   d3: met by screening; fight exactly at the window's end (escalated); resolved a minute
    #       after the window (so open at its end)
    (3000.0, 1, 1, 0, "open", "auxiliary", 3060.0, None, 3000.0 + F + 1, 3000.0 + F + 1),
    #   d4: met by an auxiliary; its fight (and so its repeat) a minute after the window
    (3500.0, 0, 1, 1, "open", "alert", 3500.0 + F, None, None, None),
    #   d5: met by an alert exactly at the window's end; its mediation failed (after the window,
    #       still counted: by the end of the run)
    (4000.0, 0, 1, 1, "open", "call", 4060.0, None, None, 4000.0 + F),
    #   d6: met by a call; flared again exactly at the window's end (repeat)
    (5000.0, 0, 1, 0, "open", "screening", 5000.0 + F + 1, None, None, None),
    #   d7: met by screening a minute after the window: not met (but mediated)
    (PERIOD_END - 1, 1, 0, 0, "subsided", "", None, PERIOD_END - 1 + F, PERIOD_END, None),
    #   d8: began in the period's last minute: in the cohort; fought at the period's end
    #       (escalated); subsided exactly at the window's end
    (PERIOD_END, 1, 1, 0, "resolved", "call", PERIOD_END + 50, PERIOD_END + 200,
     PERIOD_END + 100, None),  # d9: began exactly at the period's end: left out
    (6000.0, 0, 0, 0, "subsided", "", None, 6000.0 + F + 1, None, None),
    #   d10: subsided a minute after the window (so open at its end)
    (7000.0, 0, 1, 0, "resolved", "call", 7060.0, 7000.0 + F, None, None),
    #   d11: met by a call; resolved exactly at the window's end, after 10 days
]

# Injury crimes: (t, dispute_id); -1: not from a dispute
INJURIES = [
    (1000.0, 0),  # i0: before the warm-up (and d0 is not in the cohort): left out
    (1440.0, -1),  # i1: exactly at the warm-up: counts
    (2100.0, 2),  # i2: d2's fight, in its window
    (2600.0, -1),  # i3
    (2500.0 + F, 3),  # i4: d3's fight exactly at its window's end: inside
    (3000.0 + F + 1, 4),  # i5: d4's fight a minute after its window: a period injury only
    (PERIOD_END - 1, -1),  # i6: last minute of the period: counts
    (PERIOD_END, 8),  # i7: at the period's end: not a period injury, but in d8's window
    (PERIOD_END + 100, 9),  # i8: d9 (not in the cohort), after the period: left out
]

# Criminal cases opened: t (before the warm-up, at it, inside, at the period's end)
CASES = [1000.0, 1440.0, 5000.0, PERIOD_END]
# Reporting-channel decisions about flares: (t, route)
REPORTS = [(1400.0, "auxiliary"), (1440.0, "auxiliary"), (2000.0, "none"), (3000.0, "call"),
           (PERIOD_END - 1, "none"), (PERIOD_END, "auxiliary")]

# Period: calls c1..c7 (7); answered c1, c2, c3, c4, c7 with responses 6, 10, 34, 20, 10;
# dispatched c1..c5, c7 with waits 0, 0, 4, 0, 10, 0; injury crimes i1..i6 (6, 3 from disputes).
# Cohort: d1..d8, d10, d11 (10 disputes); met within the window: d2, d3, d4, d5, d6, d11 (6);
# mediated at least once: d2, d3, d4, d5, d6, d7, d11 (7).
EXPECTED = {
    "response_time_mean_min": (6 + 10 + 34 + 20 + 10) / 5,       # 16
    "officer_response_time_mean_min": (30 + 50 + 20) / 3,        # c1, c3, c7 (c4: no officer)
    "response_time_median_min": 10.0,                            # sorted 6, 10, 10, 20, 34
    # numpy's default (linear) quantile: position 0.9 * (5 - 1) = 3.6 -> 20 + 0.6 * (34 - 20)
    "response_time_p90_min": 20 + 0.6 * 14,                      # 28.4
    "response_time_far_mean_min": (34 + 20) / 2,                 # c3, c4 (c5 unanswered)
    "queue_wait_mean_min": (0 + 0 + 4 + 0 + 10 + 0) / 6,         # c6 not dispatched
    "p_wait": 2 / 6,                                             # c3 and c5 waited
    "escalation_rate": 3 / 10,                                   # d2, d3, d8 (not d4)
    "disputes": 10.0,
    "disputes_escalated": 3.0,
    "fights": 5.0,                                               # d2 2, d3 1, d4 1, d8 1
    "dispute_injury_crimes": 3.0,                                # i2, i4, i7 (not i5)
    "dispute_injury_rate": 3 / 10,
    "injury_crimes": 6.0,                                        # i1..i6
    "injury_crimes_per_10k_year": 6 / 2000 * 10_000 / 0.1,       # 300 per 10,000 a year
    "injury_dispute_share": 3 / 6,                               # i2, i4, i5
    "criminal_incidents": 6.0 + 3.0,                             # 6 injuries + thefts c1, c4, c7
    "calls": 7.0,
    "dispute_calls_share": 2 / 7,                                # c2 dispute, c3 fight
    "repeat_dispute_rate": 2 / 6,                                # d2, d6 (d4's is outside)
    "failed_mediation_share": 3 / 7,                             # d2, d5, d6
    "resolved_share": 2 / 10,                                    # d2, d11 (not d3)
    "time_to_resolution_mean_days": (2 + 10) / 2,                # d2 2 days, d11 10 days
    "subsided_share": 2 / 10,                                    # d1, d8 (not d10)
    "open_share": 6 / 10,                                        # d3, d4, d5, d6, d7, d10
    "proactive_contact_share": 3 / 6,                            # d3, d4, d5 (d7 not met)
    "unanswered_calls": 2.0,                                     # c5, c6
    # every dispute record has one flare: cohort 10 flares + 5 fights
    "quarrel_incidents": 10.0 + 5.0,
    "recorded_dispute_calls": 2.0,                               # c2, c3
    "recorded_criminal_calls": 3.0,                              # thefts c1, c4, c7
    "recorded_cases": 2.0,                                       # 1440 and 5000
    "auxiliary_reports": 1.0,                                    # 1440 (not 1400, PERIOD_END)
    "unreported_flares": 2.0,                                    # 2000 and PERIOD_END - 1
}


def _records() -> Records:
    rec = Records(horizon_min=HORIZON, warmup_min=WARMUP, period_end_min=PERIOD_END,
                  residents=RESIDENTS)
    for i, (t, disp, arr, kind, km, officer, t_officer) in enumerate(CALLS):
        c = rec.new_call(t, 0, i % 3, kind, -1, km, km, officer)
        c.t_dispatch, c.t_arrive, c.t_officer_arrive = disp, arr, t_officer
        if arr is not None:
            c.t_clear, c.travel_min = arr + 30.0, arr - disp
    for i, (t, fights, interventions, relapses, outcome, channel, t_contact, t_end,
            t_fight, t_repeat) in enumerate(DISPUTES):
        n_inj = sum(1 for _, d in INJURIES if d == i)
        rec.disputes.append(DisputeRecord(
            i, 0, i % 3, "neighbour", t, 2, 2, False, 1, fights, n_inj, interventions,
            relapses, False, t_contact, channel, outcome,
            {"open": "latent", "resolved": "resolved", "subsided": "subsided"}[outcome],
            t_end, "", t_first_fight=t_fight, t_repeat=t_repeat))
    rec.injuries = [{"t": t, "township": 0, "village": 0, "dispute_id": d,
                     "from_dispute": d >= 0} for t, d in INJURIES]
    rec.cases = [{"t": t, "township": 0, "village": 0, "dispute_id": -1} for t in CASES]
    rec.reports = [{"t": t, "township": 0, "village": 0, "dispute_id": 0, "route": route}
                   for t, route in REPORTS]
    return rec


@pytest.fixture  # per test (not per module): mutation testing maps each test to what it calls
def metrics() -> dict[str, float]:
    return compute_metrics(tables_from_records(_records()))


def test_every_metric_has_a_hand_value():
    assert set(EXPECTED) == set(METRICS)
    assert math.isclose((PERIOD_END - WARMUP) / YEAR_MIN, 0.1)  # the "0.1 year" used above


@pytest.mark.parametrize("key", list(METRICS))
def test_metric_by_hand(metrics, key):
    assert metrics[key] == pytest.approx(EXPECTED[key], rel=1e-12, abs=1e-12), key


def test_a_longer_measured_period_lowers_the_yearly_rate():
    rec = _records()
    rec.period_end_min = WARMUP + 73 * DAY  # two tenths of a year; now i7, i8 and c8 are in it
    rec.horizon_min = rec.period_end_min + FOLLOW_UP
    m = compute_metrics(tables_from_records(rec))
    assert m["injury_crimes"] == 8.0  # i1..i8
    assert m["injury_crimes_per_10k_year"] == pytest.approx(8 / 2000 * 10_000 / 0.2)
    assert m["calls"] == 8.0  # c1..c8
    assert m["disputes"] == 11.0  # d9 joins the cohort


def test_a_longer_follow_up_widens_the_windows_not_the_period():
    rec = _records()
    rec.horizon_min = HORIZON + 1  # every window a minute longer; the period as before
    m = compute_metrics(tables_from_records(rec))
    assert m["injury_crimes"] == 6.0
    assert m["injury_crimes_per_10k_year"] == pytest.approx(300.0)  # the period's length only
    assert m["calls"] == 7.0
    assert m["disputes"] == 10.0
    assert m["escalation_rate"] == pytest.approx(4 / 10)  # d4's fight now inside
    assert m["dispute_injury_crimes"] == 4.0  # and its injury i5
    assert m["resolved_share"] == pytest.approx(3 / 10)  # d3 now resolved in its window
    assert m["time_to_resolution_mean_days"] == pytest.approx((2 + 10 + (F + 1) / DAY) / 3)
    assert m["subsided_share"] == pytest.approx(3 / 10)  # d10 too
    assert m["open_share"] == pytest.approx(4 / 10)  # d4, d5, d6, d7
    assert m["repeat_dispute_rate"] == pytest.approx(3 / 7)  # d7 met; d4's repeat inside
    assert m["proactive_contact_share"] == pytest.approx(4 / 7)  # d3, d4, d5, d7


def test_a_later_warmup_drops_the_early_events():
    rec = _records()
    rec.warmup_min = 2000.0  # now c1..c3, d1, and the injuries at 1440 and 1500 are before it
    m = compute_metrics(tables_from_records(rec))
    assert m["calls"] == 4.0  # c4, c5, c6, c7
    assert m["response_time_mean_min"] == 15.0  # c4 20, c7 10
    assert m["disputes"] == 9.0  # d2..d8, d10, d11 (d2 starts at exactly 2000)
    assert m["injury_crimes"] == 5.0  # i2..i6
    years = (PERIOD_END - 2000.0) / YEAR_MIN
    assert m["injury_crimes_per_10k_year"] == pytest.approx(5 / 2000 * 10_000 / years)


def test_nothing_in_the_period_gives_undefined_shares_and_zero_counts():
    rec = _records()
    rec.warmup_min = PERIOD_END  # an empty period: every event is earlier or at its end
    m = compute_metrics(tables_from_records(rec))
    for key in ("calls", "disputes", "fights", "injury_crimes", "unanswered_calls",
                "criminal_incidents", "disputes_escalated", "dispute_injury_crimes"):
        assert m[key] == 0.0, key
    for key in ("response_time_mean_min", "officer_response_time_mean_min", "p_wait",
                "escalation_rate", "resolved_share", "repeat_dispute_rate",
                "failed_mediation_share", "time_to_resolution_mean_days",
                "proactive_contact_share", "dispute_calls_share", "injury_dispute_share",
                "dispute_injury_rate"):
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


def test_a_wait_under_a_minute_is_a_wait():
    rec = _records()
    rec.calls[3].t_dispatch = 1600.5  # c3 now waits half a minute (not 4)
    m = compute_metrics(tables_from_records(rec))
    assert m["p_wait"] == pytest.approx(2 / 6)  # c3 and c5 still waited
    assert m["queue_wait_mean_min"] == pytest.approx((0 + 0 + 0.5 + 0 + 10 + 0) / 6)


# A station's workload (responder, post, activity, minutes) and jobs attended per responder
WORKLOAD = [(0, "station_officer", "off_duty", 600.0), (0, "station_officer", "duty", 300.0),
            (0, "station_officer", "travel", 120.0), (0, "station_officer", "on_scene", 60.0),
            (1, "station_officer", "on_call", 240.0), (1, "station_officer", "casework", 180.0),
            (2, "village_auxiliary", "visit", 90.0), (2, "village_auxiliary", "duty", 30.0)]
JOBS = [(0, "station_officer", 3), (1, "station_officer", 2), (2, "village_auxiliary", 4)]


def _with_workload(workload=WORKLOAD, jobs=JOBS) -> Records:
    rec = _records()
    rec.workload = [{"responder_id": r, "township": 0, "role": p, "activity": a, "minutes": m,
                     "post": p} for r, p, a, m in workload]
    rec.staff = [{"responder_id": r, "township": 0, "role": p, "post": p, "jobs": n}
                 for r, p, n in jobs]
    return rec


def test_resources_per_post_by_hand():
    rec = _with_workload()
    out = resources(tables_from_records(rec))
    # the run is HORIZON = 68,400 min; a year 525,600 min: per_year = 525,600 / 68,400
    per_year = 525_600 / 68_400
    so = out["station_officer"]
    assert so["headcount"] == 2.0  # headcounts are not scaled
    # minutes: 1,500 in all, 600 off duty and 240 on call -> 660 on duty = 11 h
    assert so["on_duty_hours"] == pytest.approx(11 * per_year)
    assert so["on_call_hours"] == pytest.approx(4 * per_year)
    # busy: travel 2 h + on scene 1 h + casework 3 h
    assert so["busy_hours"] == pytest.approx(6 * per_year)
    assert so["busy_travel_hours"] == pytest.approx(2 * per_year)
    assert so["busy_casework_hours"] == pytest.approx(3 * per_year)
    assert so["busy_screening_hours"] == 0.0
    assert so["jobs"] == pytest.approx(5 * per_year)  # 3 + 2 jobs
    va = out["village_auxiliary"]
    assert va["headcount"] == 1.0 and va["on_duty_hours"] == pytest.approx(2 * per_year)
    assert va["busy_hours"] == pytest.approx(1.5 * per_year) and va["jobs"] == 4 * per_year
    rec.staff = []  # no staff table: jobs unknown
    assert math.isnan(resources(tables_from_records(rec))["station_officer"]["jobs"])


def test_mean_resources_average_each_post_over_the_runs():
    # run 1: the workload above (station officers 11 h on duty, 5 jobs); run 2: officer 0 has
    # 600 more minutes of duty (21 h on duty) and 7 jobs instead of 3 (9 jobs in all)
    more = [(r, p, a, m + 600.0 if (r, a) == (0, "duty") else m) for r, p, a, m in WORKLOAD]
    jobs = [(r, p, 7 if r == 0 else n) for r, p, n in JOBS]
    runs = [SimpleNamespace(tables=tables_from_records(_with_workload(w, j)))
            for w, j in ((WORKLOAD, JOBS), (more, jobs))]
    per_year = 525_600 / 68_400
    out = mean_resources(runs)
    assert set(out) == {"station_officer", "village_auxiliary"}
    so = out["station_officer"]
    assert so["headcount"] == 2.0
    assert so["on_duty_hours"] == pytest.approx((11 + 21) / 2 * per_year)
    assert so["busy_hours"] == pytest.approx(6 * per_year)  # duty is not busy
    assert so["jobs"] == pytest.approx((5 + 9) / 2 * per_year)
    assert out["village_auxiliary"]["jobs"] == pytest.approx(4 * per_year)
    assert mean_resources([]) == {}
    quiet = SimpleNamespace(tables=tables_from_records(_records()))  # no workload recorded
    assert mean_resources([quiet]) == {}


def test_a_run_without_workload_records_has_an_empty_time_budget():
    b = time_budget(tables_from_records(_records()))
    assert len(b) == 0 and list(b.columns) == ["role", "activity", "minutes", "share", "hours"]


def test_tables_without_case_or_report_records_count_none():
    # Tables' defaults (cases=None, reports=None), as a caller without those records builds it
    tab = dataclasses.replace(tables_from_records(_records()), cases=None, reports=None)
    m = compute_metrics(tab)
    assert (m["recorded_cases"], m["auxiliary_reports"], m["unreported_flares"]) == (0, 0, 0)
    assert m["calls"] == EXPECTED["calls"]  # the other metrics as before
