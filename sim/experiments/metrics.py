"""Metrics: pure functions of the tidy record tables of one run.

A run has three parts: the warm-up (left out of every metric; the township starts with no open
disputes), the measured period of ``days`` days, and the follow-up of ``follow_up_days``. Call,
injury-crime and workload metrics count what happened in the measured period. Dispute outcome
metrics follow a cohort: the disputes that began in the measured period, each followed for
``follow_up_days`` after it began (the run continues past the period for that, so a dispute
that begins on its last day is followed as long as one that begins on its first). Every key of
:data:`METRICS` is defined in README's metrics table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.world.records import CALL_FIELDS, DISPUTE_FIELDS, columns

YEAR_MIN = 365.0 * 1440.0
DISPUTE_CALL_KINDS = ("dispute", "fight")

#: Metric keys with a one-line definition (README and reports read them from here). "Period"
#: metrics count the measured period; "cohort" metrics follow each dispute that began in it for
#: ``follow_up_days`` after it began (its window).
METRICS: dict[str, str] = {
    "response_time_mean_min": "period: mean minutes from call to first responder on scene",
    "officer_response_time_mean_min": "period: mean minutes from call to the first officer "
                                      "on scene, over calls of the kinds that need an officer "
                                      "(dispatch.officer_required_kinds)",
    "response_time_median_min": "period: median minutes from call to first responder on scene",
    "response_time_p90_min": "period: 90th percentile of minutes from call to first responder "
                             "on scene",
    "response_time_far_mean_min": "period: mean response time to villages over 20 km from the "
                                  "station",
    "queue_wait_mean_min": "period: mean minutes from call to dispatch",
    "p_wait": "period: share of dispatched calls that waited for a free responder (dispatch "
              "later than call)",
    "escalation_rate": "cohort: disputes with a fight within their window / disputes",
    "disputes": "cohort: disputes that began in the measured period",
    "disputes_escalated": "cohort: disputes with a fight within their window",
    "fights": "cohort: fights of the cohort's disputes by the end of the run",
    "dispute_injury_crimes": "cohort: injury crimes from the cohort's disputes within their "
                             "window",
    "dispute_injury_rate": "cohort: injury crimes from disputes within their window / disputes",
    "injury_crimes": "period: injury crimes (from disputes and otherwise)",
    "injury_crimes_per_10k_year": "period: injury crimes per 10,000 residents per 365 days",
    "injury_dispute_share": "period: share of injury crimes arising from disputes",
    "criminal_incidents": "period: criminal incidents: injury crimes plus thefts",
    "calls": "period: police calls",
    "dispute_calls_share": "period: share of calls about disputes (quarrels and fights)",
    "repeat_dispute_rate": "cohort: disputes met by the police (call or proactive) within their "
                           "window that flared or fought again after that first contact, "
                           "within the window / disputes met",
    "failed_mediation_share": "cohort: disputes with at least one failed mediation by the end "
                              "of the run / disputes mediated at least once",
    "resolved_share": "cohort: disputes settled by mediation within their window / disputes",
    "time_to_resolution_mean_days": "cohort: mean days from a dispute's start to its settlement, "
                                    "over disputes settled within their window",
    "subsided_share": "cohort: disputes that faded on their own within their window / disputes",
    "open_share": "cohort: disputes still open at the end of their window / disputes",
    "proactive_contact_share": "cohort: disputes first met without a call (screening, "
                               "auxiliary, alert, elderly visit) / disputes met, within "
                               "their window",
    "unanswered_calls": "period: calls nobody had reached by the end of the run",
    "quarrel_incidents": "cohort: incidents of the cohort's disputes by the end of the run: "
                         "quarrels that flared up and fights, reported or not",
    "recorded_dispute_calls": "period: recorded 110 calls about disputes (quarrels and fights)",
    "recorded_criminal_calls": "period: recorded 110 calls about criminal incidents: thefts, "
                               "assaults and calls about fights that injured someone",
    "recorded_cases": "period: criminal cases opened (injury crimes from disputes, thefts and "
                      "assaults attended)",
    "auxiliary_reports": "period: flares reported in person to a village auxiliary (no 110 "
                         "call; reporting channel on)",
    "unreported_flares": "period: flares nobody reported (reporting channel on)",
}

#: Metrics that are shares (their intervals are kept within [0, 1]).
SHARE_METRICS = frozenset({"p_wait", "escalation_rate", "injury_dispute_share",
                           "dispute_calls_share", "repeat_dispute_rate",
                           "failed_mediation_share", "resolved_share", "subsided_share",
                           "open_share", "proactive_contact_share"})


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
    staff: pd.DataFrame | None = None  # one row per responder: role, post, jobs attended
    period_end_min: float | None = None  # None: the run's end (records without a follow-up)
    cases: pd.DataFrame | None = None  # criminal cases opened (t, township)
    reports: pd.DataFrame | None = None  # reporting-channel decisions (t, dispute_id, route)

    @property
    def period_end(self) -> float:
        """The end of the measured period (minutes)."""
        return self.horizon_min if self.period_end_min is None else self.period_end_min

    @property
    def follow_up_min(self) -> float:
        """The length of each cohort dispute's window (minutes)."""
        return self.horizon_min - self.period_end


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)


def tables_from_records(records, consume: bool = False) -> Tables:
    """Turn a run's :class:`~sim.world.records.Records` into tidy tables.

    Args:
        records: The run's records.
        consume: Empty each record list as soon as its table is built, so that a list's row
            objects and its table are not all held at once (the caller must hold no other
            reference to the rows; the model that made them should be gone). The tables are
            the same.

    """
    def take(name: str) -> list:
        rows = getattr(records, name, [])
        if consume and rows:
            setattr(records, name, [])
        return rows

    def frame(name: str, cols: list[str]) -> pd.DataFrame:
        return _frame(take(name), cols)

    calls = pd.DataFrame(columns(take("calls"), CALL_FIELDS))
    for col in ("t_dispatch", "t_arrive", "t_clear", "travel_min"):
        calls[col] = calls[col].astype(float)  # None (not yet happened) becomes NaN
    disputes = pd.DataFrame(columns(take("disputes"), DISPUTE_FIELDS))
    for col in ("t_first_contact", "t_end", "t_first_fight", "t_repeat"):
        disputes[col] = disputes[col].astype(float)
    return Tables(
        calls=calls,
        disputes=disputes,
        injuries=frame("injuries", ["t", "from_dispute"]),
        workload=frame("workload", ["responder_id", "role", "activity", "minutes"]),
        villages=frame("villages", ["village", "station_km"]),
        visits=frame("visits", ["t", "village", "found"]),
        horizon_min=records.horizon_min, warmup_min=records.warmup_min,
        residents=records.residents, missed_visits=records.missed_visits,
        staff=frame("staff", ["responder_id", "role", "post", "jobs"]),
        period_end_min=records.period_end_min or None,
        cases=frame("cases", ["t", "township"]),
        reports=frame("reports", ["t", "dispute_id", "route"]))


def _mean(x: pd.Series) -> float:
    return float(x.mean()) if len(x) else float("nan")


def response_times(tab: Tables) -> pd.DataFrame:
    """Calls of the measured period with their response time and queue wait (minutes)."""
    t = tab.calls["t_call"]
    c = tab.calls[(t >= tab.warmup_min) & (t < tab.period_end)].copy()
    c["response_min"] = c["t_arrive"].astype(float) - c["t_call"].astype(float)
    c["wait_min"] = c["t_dispatch"].astype(float) - c["t_call"].astype(float)
    return c


def cohort(tab: Tables) -> pd.DataFrame:
    """The disputes that began in the measured period, with the end of each one's window."""
    t = tab.disputes["t_start"]
    d = tab.disputes[(t >= tab.warmup_min) & (t < tab.period_end)].copy()
    d["t_window_end"] = d["t_start"].astype(float) + tab.follow_up_min
    return d


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else float("nan")


def cohort_metrics(tab: Tables) -> dict[str, float]:
    """The dispute outcome metrics of :data:`METRICS` (cohort with full follow-up)."""
    d = cohort(tab)
    end = d["t_window_end"]
    n_d = len(d)
    within = d["t_end"] <= end  # NaN (still open at the end of the run) compares False
    resolved = within & (d["outcome"] == "resolved")
    met = d[d["t_first_contact"] <= end]
    repeat = met["t_repeat"] <= met["t_window_end"]
    mediated = d[d["interventions"] > 0]
    inj = tab.injuries
    n_inj = 0
    if len(inj) and n_d:
        win = inj.merge(d[["dispute_id", "t_window_end"]], on="dispute_id", how="inner")
        n_inj = int((win["t"] <= win["t_window_end"]).sum())
    days = (d.loc[resolved, "t_end"] - d.loc[resolved, "t_start"]) / 1440.0
    return {
        "escalation_rate": _share(d["t_first_fight"] <= end),
        "disputes": float(n_d),
        "disputes_escalated": float((d["t_first_fight"] <= end).sum()),
        "fights": float(d["fights"].sum()),
        "quarrel_incidents": float(d["flares"].sum() + d["fights"].sum()),
        "dispute_injury_crimes": float(n_inj),
        "dispute_injury_rate": n_inj / n_d if n_d else float("nan"),
        "repeat_dispute_rate": _share(repeat),
        "failed_mediation_share": _share(mediated["relapses"] > 0),
        "resolved_share": _share(resolved),
        "time_to_resolution_mean_days": _mean(days),
        "subsided_share": _share(within & (d["outcome"] == "subsided")),
        "open_share": _share(~within),
        "proactive_contact_share": _share(met["first_channel"] != "call"),
    }


def _in_period(tab: Tables, rows: pd.DataFrame | None) -> pd.DataFrame:
    """The rows (with a time ``t``) of the measured period; empty without such records."""
    if rows is None or not len(rows):
        return pd.DataFrame(columns=["t", "route"])
    return rows[(rows["t"] >= tab.warmup_min) & (rows["t"] < tab.period_end)]


def compute_metrics(tab: Tables) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one run (in that order)."""
    c = response_times(tab)
    answered = c["response_min"].dropna()
    waits = c["wait_min"].dropna()
    far = c.loc[c["station_km"].astype(float) > 20.0, "response_min"].dropna()
    if len(tab.injuries):
        t = tab.injuries["t"]
        inj = tab.injuries[(t >= tab.warmup_min) & (t < tab.period_end)]
    else:
        inj = tab.injuries
    years = max(tab.period_end - tab.warmup_min, 1e-9) / YEAR_MIN
    n_inj = len(inj)
    thefts = int((c["kind"] == "theft").sum())
    criminal_calls = int(c["criminal"].astype(bool).sum()) if "criminal" in c else 0
    cases, reps = _in_period(tab, tab.cases), _in_period(tab, tab.reports)
    out = {
        "response_time_mean_min": _mean(answered),
        "officer_response_time_mean_min": officer_response_mean(c),
        "response_time_median_min": float(answered.median()) if len(answered) else float("nan"),
        "response_time_p90_min": float(np.quantile(answered, 0.9)) if len(answered) else
        float("nan"),
        "response_time_far_mean_min": _mean(far),
        "queue_wait_mean_min": _mean(waits),
        "p_wait": float((waits > 1e-9).mean()) if len(waits) else float("nan"),
        "injury_crimes": float(n_inj),
        "injury_crimes_per_10k_year": n_inj / max(tab.residents, 1) * 1e4 / years,
        "injury_dispute_share": float(inj["from_dispute"].mean()) if n_inj else float("nan"),
        "criminal_incidents": float(n_inj + thefts),
        "calls": float(len(c)),
        "dispute_calls_share": float(c["kind"].isin(DISPUTE_CALL_KINDS).mean()) if len(c)
        else float("nan"),
        "unanswered_calls": float(c["t_arrive"].isna().sum()),
        **cohort_metrics(tab),
        "recorded_dispute_calls": float(c["kind"].isin(DISPUTE_CALL_KINDS).sum()),
        "recorded_criminal_calls": float(criminal_calls),
        "recorded_cases": float(len(cases)),
        "auxiliary_reports": float((reps["route"] == "auxiliary").sum()) if len(reps) else 0.0,
        "unreported_flares": float((reps["route"] == "none").sum()) if len(reps) else 0.0,
    }
    return {k: out[k] for k in METRICS}


def time_budget(tab: Tables) -> pd.DataFrame:
    """Share of each role's time in each activity (rows: role, activity, share, hours)."""
    w = tab.workload.groupby(["role", "activity"], as_index=False)["minutes"].sum()
    w["share"] = w["minutes"] / w.groupby("role")["minutes"].transform("sum")
    w["hours"] = w["minutes"] / 60.0
    return w


def officer_response_mean(c: pd.DataFrame) -> float:
    """Mean minutes from call to the first officer on scene, over officer-required calls."""
    if "officer_required" not in c:
        return float("nan")
    req = c[c["officer_required"].astype(bool)]
    return _mean((req["t_officer_arrive"].astype(float) - req["t_call"].astype(float)).dropna())


#: Busy activities of the resources table (time budget categories of sim.world.responders).
BUSY_ACTIVITIES = ("travel", "on_scene", "screening", "visit", "casework")


def resources(tab: Tables) -> dict[str, dict[str, float]]:
    """What each post had and did, per 365 days of the whole run (warm-up and follow-up too).

    Duty regimes are the same every day of a run, so the run's average year is the year of the
    measured period; hours and jobs are scaled by 365 days / the run's length so that they read
    "a year" whatever the warm-up and follow-up (headcounts are not scaled).

    Returns:
        post -> ``headcount``, ``on_duty_hours`` (every hour not off duty or on call at home,
        so a call-out from home counts), ``on_call_hours`` (at home, may be phoned),
        ``busy_hours`` (the sum of :data:`BUSY_ACTIVITIES`), ``busy_<activity>_hours`` and
        ``jobs`` (jobs attended). Posts: ``station_officer``, ``community_officer`` (on the
        station roster), ``dedicated_community_officer``, ``district_chief``,
        ``station_auxiliary``, ``center_auxiliary``, ``village_auxiliary``.

    """
    w = tab.workload
    if not len(w):
        return {}
    post = w["post"] if "post" in w else w["role"]
    per_year = YEAR_MIN / tab.horizon_min if tab.horizon_min > 0 else float("nan")
    hours = w.assign(post=post).pivot_table(index="post", columns="activity", values="minutes",
                                            aggfunc="sum", fill_value=0.0) / 60.0 * per_year
    heads = w.assign(post=post).groupby("post")["responder_id"].nunique()
    staff = tab.staff if tab.staff is not None and len(tab.staff) else None
    jobs = staff.groupby("post")["jobs"].sum() if staff is not None else None
    out: dict[str, dict[str, float]] = {}
    for p, row in hours.iterrows():
        total = float(row.sum())
        off = float(row.get("off_duty", 0.0))
        on_call = float(row.get("on_call", 0.0))
        busy = {a: float(row.get(a, 0.0)) for a in BUSY_ACTIVITIES}
        out[str(p)] = {"headcount": float(heads[p]), "on_duty_hours": total - off - on_call,
                       "on_call_hours": on_call, "busy_hours": sum(busy.values()),
                       **{f"busy_{a}_hours": v for a, v in busy.items()},
                       "jobs": float(jobs.get(p, 0)) * per_year if jobs is not None
                       else float("nan")}
    return out


def resources_frame(per_run: list[dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Tidy rows (replication, post, figures...) of :func:`resources` of several runs."""
    rows = [{"replication": k, "post": p, **v} for k, res in enumerate(per_run)
            for p, v in res.items()]
    return pd.DataFrame(rows)
