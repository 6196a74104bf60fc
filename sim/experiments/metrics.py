"""Metrics: pure functions of the tidy record tables of one run.

Events that start before the warm-up ends are left out (the township starts with no open
disputes). Every key of :data:`METRICS` is defined in README's metrics table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.world.records import CALL_FIELDS, DISPUTE_FIELDS, columns

YEAR_MIN = 365.0 * 1440.0
DISPUTE_CALL_KINDS = ("dispute", "fight")

#: Metric keys with a one-line definition (README and reports read them from here).
METRICS: dict[str, str] = {
    "response_time_mean_min": "mean minutes from call to first responder on scene",
    "response_time_median_min": "median minutes from call to first responder on scene",
    "response_time_p90_min": "90th percentile of minutes from call to first responder on scene",
    "response_time_far_mean_min": "mean response time to villages over 20 km from the station",
    "queue_wait_mean_min": "mean minutes from call to dispatch",
    "p_wait": "share of calls that waited for a free responder (dispatch later than call)",
    "escalation_rate": "disputes with at least one fight / disputes",
    "disputes": "disputes that arose",
    "disputes_escalated": "disputes with at least one fight",
    "fights": "fights (a dispute turning violent)",
    "injury_crimes": "injury crimes (from disputes and otherwise)",
    "injury_crimes_per_10k_year": "injury crimes per 10,000 residents per year",
    "injury_dispute_share": "share of injury crimes arising from disputes",
    "criminal_incidents": "criminal incidents: injury crimes plus thefts",
    "calls": "police calls",
    "dispute_calls_share": "share of calls about disputes (quarrels and fights)",
    "repeat_dispute_rate": "disputes that flared again after a failed mediation / disputes "
                           "mediated at least once",
    "resolved_share": "disputes settled by mediation / disputes",
    "subsided_share": "disputes that faded on their own / disputes",
    "open_share": "disputes still open at the horizon / disputes",
    "proactive_contact_share": "disputes first met without a call (screening, auxiliary, "
                               "alert) / disputes met",
    "unanswered_calls": "calls nobody had reached by the horizon",
    "quarrel_incidents": "incidents: quarrels that flared up and fights, reported or not",
    "recorded_dispute_calls": "recorded 110 calls about disputes (quarrels and fights)",
    "recorded_criminal_calls": "recorded 110 calls about criminal incidents: thefts, assaults "
                               "and calls about fights that injured someone",
    "recorded_cases": "criminal cases opened (injury crimes from disputes, thefts and assaults "
                      "attended)",
    "auxiliary_reports": "flares reported in person to a village auxiliary (no 110 call; "
                         "reporting channel on)",
    "unreported_flares": "flares nobody reported (reporting channel on)",
}


@dataclass(frozen=True)
class Tables:
    """The tidy tables of one run plus the run's constants."""

    calls: pd.DataFrame
    disputes: pd.DataFrame
    injuries: pd.DataFrame
    workload: pd.DataFrame
    villages: pd.DataFrame
    visits: pd.DataFrame
    horizon_min: float
    warmup_min: float
    residents: int
    missed_visits: int = 0
    cases: pd.DataFrame | None = None
    reports: pd.DataFrame | None = None


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)


def tables_from_records(records) -> Tables:
    """Turn a run's :class:`~sim.world.records.Records` into tidy tables."""
    calls = pd.DataFrame(columns(records.calls, CALL_FIELDS))
    for col in ("t_dispatch", "t_arrive", "t_clear", "travel_min"):
        calls[col] = calls[col].astype(float)  # None (not yet happened) becomes NaN
    disputes = pd.DataFrame(columns(records.disputes, DISPUTE_FIELDS))
    for col in ("t_first_contact", "t_end"):
        disputes[col] = disputes[col].astype(float)
    return Tables(
        calls=calls,
        disputes=disputes,
        injuries=_frame(records.injuries, ["t", "from_dispute"]),
        workload=_frame(records.workload, ["responder_id", "role", "activity", "minutes"]),
        villages=_frame(records.villages, ["village", "station_km"]),
        visits=_frame(records.visits, ["t", "village", "found"]),
        horizon_min=records.horizon_min, warmup_min=records.warmup_min,
        residents=records.residents, missed_visits=records.missed_visits,
        cases=_frame(getattr(records, "cases", []), ["t", "township"]),
        reports=_frame(getattr(records, "reports", []), ["t", "dispute_id", "route"]))


def _mean(x: pd.Series) -> float:
    return float(x.mean()) if len(x) else float("nan")


def response_times(tab: Tables) -> pd.DataFrame:
    """Calls after the warm-up with their response time and queue wait (minutes)."""
    c = tab.calls[tab.calls["t_call"] >= tab.warmup_min].copy()
    c["response_min"] = c["t_arrive"].astype(float) - c["t_call"].astype(float)
    c["wait_min"] = c["t_dispatch"].astype(float) - c["t_call"].astype(float)
    return c


def compute_metrics(tab: Tables) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one run."""
    c = response_times(tab)
    answered = c["response_min"].dropna()
    waits = c["wait_min"].dropna()
    far = c.loc[c["station_km"].astype(float) > 20.0, "response_min"].dropna()
    d = tab.disputes[tab.disputes["t_start"] >= tab.warmup_min]
    inj = tab.injuries[tab.injuries["t"] >= tab.warmup_min] if len(tab.injuries) else \
        tab.injuries
    years = max(tab.horizon_min - tab.warmup_min, 1e-9) / YEAR_MIN
    n_d = len(d)
    mediated = d[d["interventions"] > 0]
    met = d[d["first_channel"].astype(str) != ""]
    n_inj = len(inj)
    thefts = int((c["kind"] == "theft").sum())
    criminal_calls = int(c["criminal"].astype(bool).sum()) if "criminal" in c else 0
    cases = tab.cases if tab.cases is not None else pd.DataFrame(columns=["t"])
    reps = tab.reports if tab.reports is not None else pd.DataFrame(columns=["t", "route"])
    reps = reps[reps["t"] >= tab.warmup_min] if len(reps) else reps
    return {
        "response_time_mean_min": _mean(answered),
        "response_time_median_min": float(answered.median()) if len(answered) else float("nan"),
        "response_time_p90_min": float(np.quantile(answered, 0.9)) if len(answered) else
        float("nan"),
        "response_time_far_mean_min": _mean(far),
        "queue_wait_mean_min": _mean(waits),
        "p_wait": float((waits > 1e-9).mean()) if len(waits) else float("nan"),
        "escalation_rate": float((d["fights"] > 0).mean()) if n_d else float("nan"),
        "disputes": float(n_d),
        "disputes_escalated": float((d["fights"] > 0).sum()),
        "fights": float(d["fights"].sum()),
        "injury_crimes": float(n_inj),
        "injury_crimes_per_10k_year": n_inj / max(tab.residents, 1) * 1e4 / years,
        "injury_dispute_share": float(inj["from_dispute"].mean()) if n_inj else float("nan"),
        "criminal_incidents": float(n_inj + thefts),
        "calls": float(len(c)),
        "dispute_calls_share": float(c["kind"].isin(DISPUTE_CALL_KINDS).mean()) if len(c)
        else float("nan"),
        "repeat_dispute_rate": float((mediated["relapses"] > 0).mean()) if len(mediated)
        else float("nan"),
        "resolved_share": float((d["outcome"] == "resolved").mean()) if n_d else float("nan"),
        "subsided_share": float((d["outcome"] == "subsided").mean()) if n_d else float("nan"),
        "open_share": float((d["outcome"] == "open").mean()) if n_d else float("nan"),
        "proactive_contact_share": float((met["first_channel"] != "call").mean()) if len(met)
        else float("nan"),
        "unanswered_calls": float(c["t_arrive"].isna().sum()),
        "quarrel_incidents": float(d["flares"].sum() + d["fights"].sum()),
        "recorded_dispute_calls": float(c["kind"].isin(DISPUTE_CALL_KINDS).sum()),
        "recorded_criminal_calls": float(criminal_calls),
        "recorded_cases": float((cases["t"] >= tab.warmup_min).sum()) if len(cases) else 0.0,
        "auxiliary_reports": float((reps["route"] == "auxiliary").sum()) if len(reps) else 0.0,
        "unreported_flares": float((reps["route"] == "none").sum()) if len(reps) else 0.0,
    }


def time_budget(tab: Tables) -> pd.DataFrame:
    """Share of each role's time in each activity (rows: role, activity, share, hours)."""
    w = tab.workload.groupby(["role", "activity"], as_index=False)["minutes"].sum()
    w["share"] = w["minutes"] / w.groupby("role")["minutes"].transform("sum")
    w["hours"] = w["minutes"] / 60.0
    return w
