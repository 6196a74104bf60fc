"""Calibration: the default scenarios beside the figures of the source report.

The seed report (Xiangyang, 2021-2023; digest in SEED_FACTS) gives four kinds of figure. Three
describe the old, station-centred township and are calibration targets: the model's baseline
must reproduce them. The fourth, the reform's fall in criminal calls at one station, is a
before-after count of *recorded* criminal calls with no control group; it is shown beside the
model's paired change in recorded criminal 110 calls (and, for contrast, in criminal incidents)
as an upper reference, never tuned to.

Each target is read as an interval (the report's words are approximate) and the model meets it
when the whole 95% interval of its mean over replications lies in that interval widened by the
tolerance; it misses when the whole interval lies outside, and is undecided otherwise.
Distances come from the generated township, which is the same in every replication.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiments.analysis import clip_share, ratio_interval
from sim.experiments.run import mean_ci, run_replications
from sim.scenario import Scenario, load_scenario, parameter_table
from sim.textwidth import ljust
from sim.world.model import PolicingModel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "station_centred.toml"
REFORM = SCENARIOS / "center_office.toml"


@dataclass(frozen=True)
class Figure:
    """A reported figure, the interval its words are read as, and a stated tolerance."""

    key: str
    figure: str
    reported: str
    low: float  # the reading: the interval the report's words mean
    high: float
    tolerance: float  # widening of the reading for replication noise or granularity
    target: bool  # False: a reference shown beside the model, not a calibration target
    note: str


#: The report's figures (SEED_FACTS) and the intervals they are read as.
FIGURES = (
    Figure("dispute_calls_share", "disputes' share of police calls (old model)",
           "more than 60% ('六成多')", 0.60, 0.70, 0.01, True,
           "'six-tenths and more' is read as 60-70%; 1 point of tolerance for replication "
           "noise (about 4,400 calls a year)"),
    Figure("injury_dispute_share", "share of injury crimes arising from disputes (old model)",
           "nearly 80% ('近八成')", 0.75, 0.80, 0.04, True,
           "'nearly eight-tenths' is read as 75-80%; 4 points of tolerance because the "
           "township has only ~90 injury crimes a year (one replication's share varies by "
           "about 4 points)"),
    Figure("villages_beyond_20km_share", "villages more than 20 km by road from the station",
           "half (Wudian station)", 0.50, 0.50, 0.10, True,
           "'half' is read as 50%; 10 points of tolerance because the report gives no "
           "precision and one of 36 villages is 2.8 points"),
    Figure("farthest_drive_min", "farthest village: driving minutes from the station",
           "a 40-minute drive (Wudian station)", 40.0, 40.0, 4.0, True,
           "'a 40-minute drive' is read as 40 min of driving (turnout excluded), +-4 min"),
    Figure("recorded_criminal_calls_change", "reform's change in recorded criminal calls "
           "(paired)", "-46% criminal calls in a year at one station",
           -0.46, math.inf, 0.0, False,
           "a before-after count of recorded calls at one station with no control group: an "
           "UPPER reference for the size of the effect, not a target; the model's change in "
           "recorded criminal 110 calls (what the bureau counts) should not exceed it"),
    Figure("criminal_incidents_change", "reform's change in criminal incidents (paired)",
           "-46% criminal calls in a year at one station",
           -0.46, math.inf, 0.0, False,
           "what happened rather than what was recorded, shown beside the recorded calls: the "
           "two differ when residents tell the village auxiliary instead of calling 110 or "
           "do not report (reporting channel); the same upper reference"),
)


@dataclass(frozen=True)
class Row:
    """One figure beside the model's value (mean and 95% interval over replications)."""

    key: str
    figure: str
    reported: str
    low: float
    high: float
    tolerance: float
    target: bool
    note: str
    model: float
    ci_low: float
    ci_high: float

    @property
    def judgement(self) -> str:
        """``meets``, ``undecided`` or ``misses``, judged on the 95% interval.

        ``meets`` only when the whole interval lies in the reading widened by the tolerance,
        ``misses`` when the whole interval lies outside it, ``undecided`` when it straddles an
        edge (more replications narrow it) or is unknown.
        """
        lo, hi = self.low - self.tolerance, self.high + self.tolerance
        c_lo, c_hi = self.ci_low, self.ci_high
        if math.isnan(c_lo) or math.isnan(c_hi):
            return "undecided"
        if lo <= c_lo and c_hi <= hi:
            return "meets"
        if c_hi < lo or c_lo > hi:
            return "misses"
        return "undecided"

    @property
    def meets(self) -> bool:
        """The model's whole 95% interval lies in the reading widened by the tolerance."""
        return self.judgement == "meets"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (NaN and infinity become None)."""
        d = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in asdict(self).items()}
        return {**d, "meets": self.meets, "judgement": self.judgement}


def distance_profile(scenario_path: str | Path = BASELINE) -> dict[str, float]:
    """Share of villages beyond 20 km by road, and the farthest drive in minutes.

    Read from the model's own township (:meth:`Township.station_distance_km`, and the trip
    times minus the turnout delay).
    """
    return township_profile(load_scenario(scenario_path,
                                          ["days=1", "warmup_days=0", "follow_up_days=0"]))


def township_profile(scn: Scenario) -> dict[str, float]:
    """:func:`distance_profile` of a loaded scenario (only its township and travel matter)."""
    scn = scn.model_copy(update={"days": 1.0, "warmup_days": 0.0,
                                  "follow_up_days": 0.0})
    model = PolicingModel(scn)
    shares, farthest = [], []
    for tw in model.townships:
        km = tw.station_distance_km()
        shares.append(float((km > 20.0).mean()))
        drive = [tw.travel_min(tw.station, v) - scn.travel.turnout_min
                 for v in range(tw.n_villages)]
        farthest.append(float(max(drive)))
    return {"villages_beyond_20km_share": float(np.mean(shares)),
            "farthest_drive_min": float(np.mean(farthest))}


def calibrate(reps: int = 10, seed: int | None = None, progress: bool = False,
              baseline: str | Path = BASELINE, reform: str | Path | None = REFORM) -> list[Row]:
    """Run the default scenarios (common random numbers) and set each figure beside the model.

    Args:
        reps: Replications of each scenario.
        seed: Root seed (default: the baseline scenario's).
        progress: Show progress bars on stderr.
        baseline: The station-centred scenario.
        reform: The center-office scenario (``None``: the baseline targets only).

    """
    a = load_scenario(baseline)
    seed = a.seed if seed is None else seed
    ra = run_replications(a, reps, seed, progress, label=a.name)
    values: dict[str, tuple[float, float, float]] = {}
    for k in ("dispute_calls_share", "injury_dispute_share"):
        m, lo, hi = mean_ci([r.metrics[k] for r in ra])
        values[k] = (m, *clip_share(k, lo, hi))
    for k, v in distance_profile(baseline).items():
        values[k] = (v, v, v)  # the layout is fixed across replications
    if reform is not None:
        rb = run_replications(load_scenario(reform), reps, seed, progress)
        # the relative change's interval comes from the paired ratio (Fieller), not from the
        # difference's interval divided by a random mean
        for key in ("recorded_criminal_calls", "criminal_incidents"):
            values[f"{key}_change"] = ratio_interval([r.metrics[key] for r in ra],
                                                     [r.metrics[key] for r in rb])
    return [Row(f.key, f.figure, f.reported, f.low, f.high, f.tolerance, f.target, f.note,
                *(float(x) for x in values[f.key])) for f in FIGURES if f.key in values]


def _fmt(x: float, key: str) -> str:
    if math.isnan(x):
        return "-"
    if key == "farthest_drive_min":
        return f"{x:.1f} min"
    return f"{100 * x:+.1f}%" if key.endswith("change") else f"{100 * x:.1f}%"


def _reading(r: Row) -> str:
    if not r.target:
        return f">= {_fmt(r.low, r.key)}"
    tol = f"{r.tolerance:g} min" if r.key == "farthest_drive_min" else f"{100 * r.tolerance:g} pt"
    span = _fmt(r.low, r.key) if r.low == r.high else f"{_fmt(r.low, r.key)}-" \
        f"{_fmt(r.high, r.key)}"
    return f"{span} +-{tol}"


def verdict(r: Row) -> str:
    """The verdict on a figure, judged on the whole 95% interval (:attr:`Row.judgement`).

    For a target ``meets``, ``MISSES`` or undecided; for the reference, whether the model
    exceeds it.
    """
    j = r.judgement
    if j == "undecided":
        return "undecided, run more replications"
    if r.target:
        return "meets" if j == "meets" else "MISSES"
    return "within the upper reference" if j == "meets" else "EXCEEDS the upper reference"


def format_rows(rows: list[Row], reps: int) -> str:
    """A plain-text table: figure, reported, reading, model mean [95% CI], verdict."""
    lines = [f"{'figure':<58} {'reported':<44} {'reading':<20} {'model [95% CI]':<30} "
             f"verdict"]
    for r in rows:
        ci = "" if r.ci_low == r.ci_high else (f" [{_fmt(r.ci_low, r.key)}, "
                                               f"{_fmt(r.ci_high, r.key)}]")
        # padded by terminal columns: the reported figures quote Chinese (two columns each)
        lines.append(f"{ljust(r.figure, 58)} {ljust(r.reported, 44)} {ljust(_reading(r), 20)} "
                     f"{ljust(_fmt(r.model, r.key) + ci, 30)} {verdict(r)}")
    lines.append(f"({reps} replications per scenario, common random numbers; distances are "
                 f"of the generated township, the same in every replication)")
    lines += [f"note: {r.key}: {r.note}" for r in rows]
    return "\n".join(lines)


def calibrated_parameters() -> list[dict[str, Any]]:
    """Parameters whose provenance says they were set to meet a reported figure."""
    return [p for p in parameter_table()
            if p["provenance"].startswith("calibrated") or "set to meet" in p["provenance"]
            or "set with" in p["provenance"]]


def _cell(v: Any) -> str:
    """A parameter value or text as a Markdown table cell."""
    if v is None:
        text = "none"
    elif isinstance(v, tuple):
        text = ", ".join(str(x) for x in v)
    elif isinstance(v, float):
        text = f"{v:g}"
    else:
        text = str(v)
    return text.replace("|", "\\|").replace("\n", " ")


def parameter_markdown(rows: list[dict[str, Any]] | None = None) -> str:
    """The full parameter table as Markdown: key, default, unit, description, provenance, range."""
    rows = parameter_table() if rows is None else rows
    lines = ["| key | default | unit | description | provenance | plausible range |",
             "|---|---|---|---|---|---|"]
    lines += [f"| `{r['key']}` | {_cell(r['default'])} | {_cell(r['unit'])} | "
              f"{_cell(r['description'])} | {_cell(r['provenance'])} | "
              f"{_range(r.get('plausible'))} |" for r in rows]
    return "\n".join(lines)


def _range(plausible: list[float] | None) -> str:
    return "" if plausible is None else f"{plausible[0]:g} to {plausible[1]:g}"


def calibrated_markdown() -> str:
    """The parameters marked as set to meet a reported figure, as a Markdown table."""
    return parameter_markdown(calibrated_parameters())


def figures_markdown(rows: list[Row], reps: int) -> str:
    """The calibration table as Markdown (for docs/calibration.md)."""
    lines = ["| figure | reported (seed) | reading and tolerance | model mean [95% CI] | verdict |",
             "|---|---|---|---|---|"]
    for r in rows:
        ci = "" if r.ci_low == r.ci_high else (f" [{_fmt(r.ci_low, r.key)}, "
                                               f"{_fmt(r.ci_high, r.key)}]")
        lines.append(f"| {_cell(r.figure)} | {_cell(r.reported)} | {_reading(r)} | "
                     f"{_fmt(r.model, r.key)}{ci} | {verdict(r)} |")
    lines.append("")
    lines.append(f"{reps} replications of each default scenario, common random numbers; "
                 f"distances are of the generated township (the same in every replication).")
    lines.append("")
    lines += [f"- `{r.key}`: {r.note}." for r in rows]
    return "\n".join(lines)
