"""One look for every figure: seaborn theme, colour-blind-safe colours and plain-language labels.

Colours come from seaborn's ``colorblind`` palette (the Okabe-Ito/Wong set), so the old and the
reformed model stay distinguishable for readers with the common colour-vision deficiencies. The
labels here are the words a reader who has never seen the project sees on the axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

import matplotlib as mpl
import seaborn as sns

from sim.experiments.metrics import METRICS

CB = sns.color_palette("colorblind").as_hex()
OLD, REFORM = CB[1], CB[0]  # orange for the old model, blue for the reform
ALL_TOGETHER = CB[0]
ONE_COMPONENT = CB[9]
MAP_CMAP = "viridis"  # perceptually uniform and colour-blind safe
NO_DATA = "#bdbdbd"

#: Model labels by policy (legends and headings).
POLICY_LABELS = {"station_centred": "Old model (station-centred)",
                 "center_office": "Reform (center offices)"}

#: Time-budget categories in plotting order, with what a reader calls them.
ACTIVITIES = {"travel": "Driving to and from jobs", "on_scene": "At calls and mediations",
              "screening": "Screening visits to villages", "casework": "Criminal casework",
              "duty": "On duty, waiting for a job"}
# Okabe-Ito orange, sky blue, bluish green and reddish purple: distinct for colour-blind readers
ACTIVITY_COLORS = {"travel": CB[1], "on_scene": CB[9], "screening": CB[2], "casework": CB[4],
                   "duty": "#e0e0e0"}

ROLES = {"station_officer": "Station officers", "community_officer": "Community officers",
         "district_chief": "District chiefs\n(head a center office)",
         "auxiliary": "Auxiliary officers"}

COMPONENTS = {"dedicated_community_officers": "Community officers dedicated to disputes",
              "village_auxiliaries": "An auxiliary living in every village",
              "center_offices": "24-hour center office per village cluster",
              "screening": "Screening visits to villages",
              "joint_mediation": "Joint mediation with other agencies",
              "smart_alerts": "Smart alerts for elderly living alone"}

#: Metric key -> (plain label, unit shown on axes, factor from stored value to shown value).
METRIC_LABELS: dict[str, tuple[str, str, float]] = {
    "escalation_rate": ("Disputes that turned violent", "% of disputes", 100.0),
    "injury_crimes_per_10k_year": ("Injury crimes", "per 10,000 residents per year", 1.0),
    "response_time_mean_min": ("Mean time until help arrives", "minutes", 1.0),
    "response_time_median_min": ("Median time until help arrives", "minutes", 1.0),
    "response_time_p90_min": ("Time within which 90% of calls are reached", "minutes", 1.0),
    "response_time_far_mean_min": ("Mean time until help arrives, villages over 20 km away",
                                   "minutes", 1.0),
    "resolved_share": ("Disputes settled by mediation", "% of disputes", 100.0),
    "repeat_dispute_rate": ("Disputes that flared again after the police met them",
                            "% of disputes met", 100.0),
    "failed_mediation_share": ("Mediated disputes with a failed mediation",
                               "% of mediated disputes", 100.0),
    "proactive_contact_share": ("Disputes found before anyone called", "% of disputes met",
                                100.0),
    "criminal_incidents": ("Criminal incidents (injury crimes and thefts)", "per run", 1.0),
    "calls": ("Police calls", "per run", 1.0),
    "dispute_calls_share": ("Calls about disputes", "% of calls", 100.0),
}


def metric_label(key: str) -> tuple[str, str, float]:
    """Plain label, unit and display factor of a metric (falls back to its definition)."""
    if key in METRIC_LABELS:
        return METRIC_LABELS[key]
    text = METRICS.get(key, key.replace("_", " "))
    return text[:1].upper() + text[1:], "", 1.0


def parameter_label(key: str) -> str:
    """Label a swept parameter: its last part in words, the dotted key in brackets."""
    return f"{key.rsplit('.', 1)[-1].replace('_', ' ')} ({key})"


def palette_for(labels: Sequence[str], policies: Sequence[str] | None = None) -> dict[str, str]:
    """Colours of the models: orange for the old model, blue for the reform.

    Without policies the first label is taken as the baseline (the old model).
    """
    if policies is not None:
        cols = [OLD if p == "station_centred" else REFORM for p in policies]
        if len(set(cols)) == len(cols):
            return dict(zip(labels, cols, strict=True))
    extra = [OLD, REFORM, *CB[2:]]
    return {lab: extra[i % len(extra)] for i, lab in enumerate(labels)}


RC = {"figure.dpi": 100, "savefig.dpi": 150, "font.size": 10, "axes.titlesize": 11,
      "axes.titleweight": "bold", "figure.titlesize": 13, "figure.titleweight": "bold",
      "axes.labelsize": 10, "legend.fontsize": 9, "legend.title_fontsize": 9,
      "svg.fonttype": "path",  # text as outlines: SVGs look the same without the font
      "svg.hashsalt": "policesim",  # stable SVG ids so reruns give identical files
      "axes.spines.top": False, "axes.spines.right": False}


@contextmanager
def figure_style():
    """Apply the project's seaborn theme and rc settings while a figure is built."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9), \
            mpl.rc_context(RC):
        yield
