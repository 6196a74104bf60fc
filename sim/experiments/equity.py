"""Equity: outcomes village by village and cluster by cluster (pure functions of tables)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.experiments.metrics import Tables, cohort, response_times

VILLAGE_OUTCOMES = ("calls", "response_mean_min", "response_p90_min", "disputes",
                    "escalation_rate")


def village_outcomes(tab: Tables) -> pd.DataFrame:
    """One row per village: calls, response mean and 90th percentile, disputes, escalation.

    By the rules of :func:`~sim.experiments.metrics.compute_metrics`: calls of the measured
    period, and the cohort of disputes that began in it, escalated if they fought within their
    window. Villages with no call or dispute get NaN for the rates they lack.
    """
    v = tab.villages[["township", "village", "village_id", "cluster", "population",
                      "station_km"]].copy()
    c = response_times(tab)
    g = c.groupby(["township", "village"])["response_min"]
    r = pd.DataFrame({"calls": g.size(), "response_mean_min": g.mean(),
                      "response_p90_min": g.quantile(0.9)}).reset_index()
    d = cohort(tab)
    dd = d.assign(escalated=d["t_first_fight"] <= d["t_window_end"]).groupby(
        ["township", "village"])["escalated"]
    e = pd.DataFrame({"disputes": dd.size(), "escalation_rate": dd.mean()}).reset_index()
    out = v.merge(r, on=["township", "village"], how="left").merge(
        e, on=["township", "village"], how="left")
    out[["calls", "disputes"]] = out[["calls", "disputes"]].fillna(0).astype(int)
    for col in ("response_mean_min", "response_p90_min", "escalation_rate"):
        out[col] = out[col].astype(float)
    return out


def pooled_village_outcomes(tables: Sequence[Tables]) -> pd.DataFrame:
    """Village outcomes averaged over replications (means of the per-run values)."""
    frames = [village_outcomes(t).assign(replication=k) for k, t in enumerate(tables)]
    df = pd.concat(frames, ignore_index=True)
    keys = ["township", "village", "village_id", "cluster", "population", "station_km"]
    return df.groupby(keys, as_index=False)[list(VILLAGE_OUTCOMES)].mean()


def cluster_outcomes(villages: pd.DataFrame) -> pd.DataFrame:
    """Per cluster: villages, residents, call-weighted mean response, escalation, worst p90."""
    def agg(g: pd.DataFrame) -> pd.Series:
        calls = g["calls"].to_numpy(float)
        disputes = g["disputes"].to_numpy(float)
        resp = g["response_mean_min"].to_numpy(float)
        esc = g["escalation_rate"].to_numpy(float)
        ok, okd = calls > 0, disputes > 0
        return pd.Series({
            "villages": len(g), "population": int(g["population"].sum()),
            "response_mean_min": float((resp[ok] * calls[ok]).sum() / calls[ok].sum())
            if ok.any() else np.nan,
            "worst_response_p90_min": float(np.nanmax(g["response_p90_min"]))
            if g["response_p90_min"].notna().any() else np.nan,
            "escalation_rate": float((esc[okd] * disputes[okd]).sum() / disputes[okd].sum())
            if okd.any() else np.nan})
    return villages.groupby(["township", "cluster"]).apply(agg, include_groups=False
                                                          ).reset_index()


def worst_served(villages: pd.DataFrame, column: str = "response_p90_min") -> pd.Series:
    """The village with the largest value of ``column`` (NaNs ignored)."""
    return villages.loc[villages[column].idxmax()]
