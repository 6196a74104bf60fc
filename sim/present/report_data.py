"""What a results folder holds, shared by :mod:`sim.present.report` and its page renderer.

The data classes, the constants that choose what the report shows, and two small helpers
that both the tables (:mod:`sim.present.report`) and the captions and summary
(:mod:`sim.present.report_page`) need. Nothing here reads files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.run import mean_ci
from sim.present import style
from sim.scenario import COMPONENTS

#: Distance bands of a village from the station (seed: half the villages lie beyond 20 km).
BANDS = ((0.0, 10.0, "Villages under 10 km away"), (10.0, 20.0, "Villages 10 to 20 km away"),
         (20.0, math.inf, "Villages over 20 km away"))
#: Metrics in the "what the model says" table, in reading order.
HEADLINE = ("response_time_mean_min", "response_time_far_mean_min", "escalation_rate",
            "injury_crimes_per_10k_year", "criminal_incidents", "resolved_share",
            "proactive_contact_share")
#: The assumptions the headline numbers lean on most (shown with their provenance).
KEY_ASSUMPTIONS = (
    "township.villages", "township.max_road_km", "travel.speed_kmh", "staff.station_officers",
    "staff.community_officers", "staff.auxiliaries", "disputes.rate_per_1000_year",
    "disputes.flare_mean_days", "disputes.violent_flare_share", "disputes.acute_fight_mean_min",
    "disputes.injury_prob", "mediation.success_station_officer",
    "mediation.success_community_officer", "mediation.success_auxiliary",
    "mediation.success_joint", "screening.interval_days", "screening.detect_prob",
    "screening.auxiliary_discovery_mean_days", "mediation.success_district_chief",
    "shifts.duty_groups", "shifts.day_hours", "duty.village_auxiliary_hours",
    "duty.on_call_at_home", "duty.on_call_answer_prob", "duty.night_turnout_min",
    "duty.center_turn_hours", "dispatch.tie_break", "dispatch.officer_required_kinds",
    "community_work.followup_visits", "community_work.elderly_visits")
EFFECT_KEYS = ("escalation_rate", "injury_crimes_per_10k_year", "response_time_mean_min")


class ReportError(ValueError):
    """A results folder that cannot be reported on; the message says why."""


@dataclass
class ModelResults:
    """One scenario's results folder (a ``write_run`` folder)."""

    folder: Path
    manifest: dict[str, Any]
    metrics: pd.DataFrame
    label: str = ""
    #: Per replication and post: headcount, on-duty, on-call and busy hours, jobs (per 365
    #: days; ``resources.parquet``), or None for folders written before it existed.
    resources: pd.DataFrame | None = None

    @property
    def scenario(self) -> dict[str, Any]:
        """The resolved scenario as stored in the manifest."""
        return self.manifest["scenario"]

    @property
    def reps(self) -> int:
        """Number of replications."""
        return len(self.metrics)

    def table(self, name: str) -> pd.DataFrame:
        """Read one of the per-event tables."""
        path = self.folder / f"{name}.parquet"
        if not path.is_file():
            raise ReportError(f"{self.folder}: {name}.parquet is missing (write it with --out)")
        return pd.read_parquet(path)


@dataclass
class Results:
    """What a results folder holds."""

    kind: str
    folder: Path
    manifest: dict[str, Any]
    models: list[ModelResults] = field(default_factory=list)
    comparison: pd.DataFrame | None = None
    runs: pd.DataFrame | None = None  # sweep: one row per run

    @property
    def labels(self) -> list[str]:
        """Model labels, baseline first."""
        return [m.label for m in self.models]

    @property
    def palette(self) -> dict[str, str]:
        """Model colours: orange for the old model, blue for the reform."""
        return style.palette_for(self.labels, [m.scenario.get("policy", "") for m in
                                               self.models])


def reform_components(scn: dict[str, Any]) -> dict[str, bool]:
    """Which reform components a resolved scenario switches on (explicit flags beat the policy)."""
    on = scn.get("policy") == "center_office"
    reform = scn.get("reform", {})
    return {c: on if reform.get(c) is None else bool(reform[c]) for c in COMPONENTS}


def paired_change(base: pd.DataFrame, other: pd.DataFrame,
                  key: str) -> tuple[float, float, float]:
    """Mean paired change of ``key`` from ``base`` to ``other`` (matched by replication), 95% CI."""
    j = base[["replication", key]].merge(other[["replication", key]], on="replication")
    return mean_ci(list((j[f"{key}_y"] - j[f"{key}_x"]).to_numpy(float)))
