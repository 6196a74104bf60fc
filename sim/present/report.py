"""The one-command report: read a results folder, draw every figure, write one HTML file.

``write_report(folder)`` reads what ``policesim run --out``, ``compare --out`` or ``sweep --out``
wrote, turns it into tidy tables, draws the figures of :mod:`sim.present.plots`, and writes
``report.html`` (figures embedded, opens offline), each figure as PNG and SVG, and the headline
numbers as ``summary.json`` and ``summary.md``. For a comparison of the old model with the reform
it can also run each reform component alone (same seed and replications, cached under
``RESULTS/components/``) to show what each part contributes.

The captions, summary and HTML/Markdown pages are in :mod:`sim.present.report_page`; the data
classes both modules share are in :mod:`sim.present.report_data` (``ReportError``,
``ModelResults`` and ``Results`` are also importable from here, as ``sim.cli`` does).
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from sim.experiments.metrics import time_budget
from sim.experiments.results import (
    OutputError,
    claim_dir,
    fingerprint,
    read_manifest,
    write_json,
    write_run,
)
from sim.experiments.run import run_replications
from sim.present import plots, report_planning, report_robustness, style
from sim.present.report_data import (
    BANDS,
    EFFECT_KEYS,
    ModelResults,
    ReportError,
    Results,
    paired_change,
    reform_components,
)
from sim.present.report_page import (
    COMPONENTS_HINT,
    FigureOut,
    budget_caption,
    change_notes,
    ecdf_caption,
    effects_caption,
    hour_caption,
    interval_caption,
    map_caption,
    period_name,
    render,
    summary,
    summary_markdown,
    sweep_caption,
)
from sim.scenario import COMPONENTS, Scenario, ScenarioError, scenario_from_mapping


def _read_model(folder: Path) -> ModelResults:
    try:
        man = read_manifest(folder)
        metrics = pd.read_parquet(folder / "metrics.parquet")
    except FileNotFoundError as e:
        raise ReportError(f"{folder}: not a results folder ({Path(e.filename).name} is "
                          f"missing)") from None
    if "scenario" not in man:
        raise ReportError(f"{folder}/manifest.json: no 'scenario' entry")
    res = folder / "resources.parquet"
    return ModelResults(folder, man, metrics,
                        resources=pd.read_parquet(res) if res.is_file() else None)


def _label_models(models: list[ModelResults]) -> None:
    policies = [m.scenario.get("policy") for m in models]
    distinct = len(set(policies)) == len(policies)
    for m, p in zip(models, policies, strict=True):
        m.label = style.POLICY_LABELS.get(p, p) if distinct else m.scenario.get("name", "?")


def load_results(folder: str | Path) -> Results:
    """Read a ``run``, ``compare`` or ``sweep`` results folder.

    Raises:
        ReportError: when the folder is missing, incomplete or of an unknown kind.

    """
    p = Path(folder)
    if not p.is_dir():
        raise ReportError(f"{p}: no such results folder")
    try:
        man = read_manifest(p)
    except FileNotFoundError:
        raise ReportError(f"{p}: no manifest.json (make the folder with policesim run, compare "
                          f"or sweep --out)") from None
    except (OSError, ValueError) as e:
        raise ReportError(f"{p}/manifest.json: unreadable ({e})") from None
    kind = man.get("kind")
    res = Results(str(kind), p, man)
    if kind == "run":
        res.models = [_read_model(p)]
    elif kind == "compare":
        res.models = [_read_model(p / "a"), _read_model(p / "b")]
        if (p / "comparison.parquet").is_file():
            res.comparison = pd.read_parquet(p / "comparison.parquet")
    elif kind == "sweep":
        if not (p / "runs.parquet").is_file():
            raise ReportError(f"{p}: runs.parquet is missing (is the sweep finished?)")
        runs = pd.read_parquet(p / "runs.parquet")
        res.runs = runs[runs["status"] == "ok"] if "status" in runs else runs
        if res.runs.empty:
            raise ReportError(f"{p}/runs.parquet: no successful runs to report on")
    else:
        raise ReportError(f"{p}/manifest.json: unknown kind {kind!r} (expected run, compare "
                          f"or sweep)")
    _label_models(res.models)
    return res


# ------------------------------------------------------------------ tidy tables

def _warmup_min(m: ModelResults) -> float:
    return float(m.scenario.get("warmup_days", 0.0)) * 1440.0


def _period_end_min(m: ModelResults) -> float:
    """The end of the measured period (the warm-up plus ``days``), in minutes."""
    return _warmup_min(m) + float(m.scenario.get("days", math.inf)) * 1440.0


def response_table(models: list[ModelResults]) -> pd.DataFrame:
    """Tabulate the measured period's calls: model, township, village, station_km, band, response.

    Same selection as :func:`sim.experiments.metrics.response_times`; NaN response: nobody
    arrived.
    """
    frames = []
    for m in models:
        c = m.table("calls")
        t = c["t_call"]
        c = c[(t >= _warmup_min(m)) & (t < _period_end_min(m))]
        frames.append(pd.DataFrame({
            "model": m.label, "replication": c["replication"],
            "township": c.get("township", 0), "village": c["village"],
            "station_km": c["station_km"].astype(float),
            "hour": (c["t_call"].astype(float) % 1440.0 // 60.0).astype(int),
            "response_min": c["t_arrive"].astype(float) - c["t_call"].astype(float)}))
    df = pd.concat(frames, ignore_index=True)
    edges = [b[0] for b in BANDS] + [math.inf]
    df["band"] = pd.cut(df["station_km"], edges, right=False, labels=[b[2] for b in BANDS])
    return df


def metric_table(models: list[ModelResults]) -> pd.DataFrame:
    """Metrics per model and replication (tidy: one row each)."""
    return pd.concat([m.metrics.assign(model=m.label) for m in models], ignore_index=True)


def station_position(villages: pd.DataFrame, circuity: float) -> tuple[float, float]:
    """Estimate the station's position from the villages' road distances to it.

    Road km = circuity x right-angle grid km (``sim.world.geography``), so the station is the
    point whose right-angle distances best match ``station_km / circuity`` (least squares;
    grid search then Nelder-Mead, because the right-angle distance has corners).
    """
    x, y = villages["x_km"].to_numpy(float), villages["y_km"].to_numpy(float)
    d = villages["station_km"].to_numpy(float) / circuity

    def loss(p: np.ndarray) -> float:
        return float(((np.abs(x - p[0]) + np.abs(y - p[1]) - d) ** 2).sum())

    gx = np.linspace(x.min() - 1, x.max() + 1, 61)
    gy = np.linspace(y.min() - 1, y.max() + 1, 61)
    best = min(((a, b) for a in gx for b in gy), key=lambda p: loss(np.array(p)))
    fit = minimize(loss, np.array(best), method="Nelder-Mead", options={"xatol": 1e-3})
    return float(fit.x[0]), float(fit.x[1])


def village_table(models: list[ModelResults], responses: pd.DataFrame,
                  township: int = 0) -> tuple[pd.DataFrame, tuple[float, float], float]:
    """Villages of one township per model with their median response time and offices.

    Returns:
        The table (model, village, x_km, y_km, population, cluster, office,
        median_response_min, calls), the station's position and the road circuity.

    """
    frames = []
    for m in models:
        v = m.table("villages")
        v = v[(v["replication"] == v["replication"].min()) & (v.get("township", 0) == township)]
        r = responses[(responses["model"] == m.label) & (responses["township"] == township)]
        med = r.groupby("village")["response_min"].agg(["median", "size"])
        v = v.assign(model=m.label, median_response_min=v["village"].map(med["median"]),
                     calls=v["village"].map(med["size"]).fillna(0).astype(int))
        has_offices = reform_components(m.scenario)["center_offices"]
        frames.append(v.assign(office=has_offices & (v["village"] == v["center_village"])))
    df = pd.concat(frames, ignore_index=True)
    twn = models[0].scenario["township"]
    circuity = float(twn.get("circuity", 1.0))
    if twn.get("station_x_km") is not None and twn.get("station_y_km") is not None:
        xy = (float(twn["station_x_km"]), float(twn["station_y_km"]))
    else:
        first = df[df["model"] == models[0].label]
        xy = station_position(first, circuity)
    return df, xy, circuity


def budget_table(models: list[ModelResults]) -> pd.DataFrame:
    """Share of each role's on-duty time per activity (off-duty time left out), per model."""
    frames = []
    for m in models:
        w = m.table("workload")
        w = w[w["activity"] != "off_duty"]
        # time_budget reads only the workload table of a Tables object
        b = time_budget(_WorkloadOnly(w))
        people = w.groupby("role")[["replication", "responder_id"]].apply(
            lambda g: len(g.drop_duplicates()))
        # budgets cover the whole run: warm-up, measured period and follow-up
        weeks = sum(float(m.scenario.get(k, d)) for k, d in (
            ("warmup_days", 0.0), ("days", 365.0), ("follow_up_days", 0.0))) / 7.0
        b["hours_per_person_week"] = b["hours"] / b["role"].map(people) / weeks
        frames.append(b.assign(model=m.label))
    return pd.concat(frames, ignore_index=True)


@dataclass
class _WorkloadOnly:
    workload: pd.DataFrame


# ------------------------------------------------------------------ reform components

def component_scenarios(res: Results) -> dict[str, Scenario]:
    """Scenario A with one component switched to its value in B, for each that differs."""
    if res.kind != "compare":
        return {}
    a, b = (m.scenario for m in res.models)
    ca, cb = reform_components(a), reform_components(b)
    out = {}
    for c in COMPONENTS:
        if ca[c] != cb[c]:
            data = json.loads(json.dumps(a))
            data.setdefault("reform", {})[c] = cb[c]
            data["name"] = f"only-{c}"
            out[c] = scenario_from_mapping(data, f"{a.get('name')} + {c}")
    return out


def _cached(folder: Path, scn: Scenario, reps: int, seed: int) -> ModelResults | None:
    try:
        m = _read_model(folder)
    except ReportError:
        return None
    same = (m.scenario == scn.model_dump(mode="json") and m.manifest.get("seed") == seed
            and m.manifest.get("replications") == list(range(reps)))
    return m if same else None


def component_runs(res: Results, run_missing: bool = False,
                   log: Callable[[str], None] | None = None,
                   progress: bool = False) -> dict[str, ModelResults]:
    """Each reform component alone, read from ``RESULTS/components/<c>/`` or run there.

    Every variant uses the comparison's seed and replications, so replication k meets the same
    disputes and calls as replication k of both compared models (paired differences).

    Args:
        res: A ``compare`` results folder.
        run_missing: Run the variants that are not cached (otherwise return only cached ones).
        log: Called with a line of progress text.
        progress: Show a progress bar on stderr.

    Raises:
        ReportError: when the results folder cannot be written.

    """
    variants = component_scenarios(res)
    if not variants:
        return {}
    reps, seed = res.models[0].reps, int(res.models[0].manifest["seed"])
    out: dict[str, ModelResults] = {}
    todo = {c: s for c, s in variants.items()
            if _cached(res.folder / "components" / c, s, reps, seed) is None}
    if todo and run_missing and log:
        log(f"running {len(todo)} reform component(s) alone, {reps} replication(s) each, into "
            f"{res.folder / 'components'} (reused next time)")
    for c, scn in variants.items():
        folder = res.folder / "components" / c
        if c in todo and run_missing:
            try:
                results = run_replications(scn, reps, seed, progress=progress, label=c)
                write_run(folder, results, "run", component=c)
            except OutputError as e:
                raise ReportError(f"{e} (use --no-components to skip the component runs)") \
                    from None
        cached = _cached(folder, scn, reps, seed)
        if cached is not None:
            cached.label = style.COMPONENTS[c] + ("" if reform_components(
                res.models[1].scenario)[c] else " (removed)")
            out[c] = cached
    return out


def effects_table(base: pd.DataFrame, variants: dict[str, pd.DataFrame], together: str,
                  keys: tuple[str, ...] = EFFECT_KEYS) -> pd.DataFrame:
    """Paired change of each metric against ``base`` for each variant's metrics table.

    Args:
        base: Metrics per replication of the baseline.
        variants: Label -> metrics per replication (same replication numbers).
        together: The label of the full reform.
        keys: Metrics.

    """
    rows = []
    for label, met in variants.items():
        for key in keys:
            d, lo, hi = paired_change(base, met, key)
            rows.append({"label": label, "metric": key, "diff": d, "ci_low": lo,
                         "ci_high": hi, "together": label == together, "pairs": len(met)})
    return pd.DataFrame(rows)


def sweep_component_effects(runs: pd.DataFrame, axes: list[str]) -> pd.DataFrame | None:
    """Component effects from a sweep over every on/off combination of the six components."""
    cols = [f"reform.{c}" for c in COMPONENTS]
    if set(axes) != set(cols):
        return None
    on = runs[cols].astype(bool)
    n_on = on.sum(axis=1)
    base = runs[n_on == 0]
    if base.empty or not (n_on == len(cols)).any():
        return None
    variants = {style.COMPONENTS[c]: runs[(n_on == 1) & on[f"reform.{c}"]] for c in COMPONENTS}
    variants = {k: v for k, v in variants.items() if not v.empty}
    variants["All six together (the reform)"] = runs[n_on == len(cols)]
    return effects_table(base, variants, "All six together (the reform)")


# ------------------------------------------------------------------ figures

def build_figures(res: Results, comps: dict[str, ModelResults]) -> tuple[list[FigureOut],
                                                                         list[str]]:
    """Every figure the folder supports, with captions, and notes on what is missing."""
    figs: list[FigureOut] = []
    notes: list[str] = []
    if res.kind == "sweep":
        return _sweep_figures(res), notes
    models, order, pal = res.models, res.labels, res.palette
    r = response_table(models)
    figs.append(FigureOut("response-time-by-distance", "How fast help arrives",
                          plots.response_time_ecdf(r, order, pal), ecdf_caption(res, r)))
    figs.append(FigureOut("violence-and-injuries", "Violence and injuries",
                          plots.outcome_intervals(metric_table(models), order=order,
                                                  palette=pal, period=period_name(models[0]),
                                                  notes=change_notes(res)),
                          interval_caption(res)))
    figs.append(FigureOut("response-time-by-hour", "When in the day help is slow",
                          plots.response_by_hour(r, order, pal), hour_caption(res, r)))
    v, xy, circuity = village_table(models, r)
    n_tw = int(models[0].scenario["township"].get("townships", 1))
    figs.append(FigureOut("township-map", "Where help arrives late",
                          plots.township_map(v, xy, order, circuity),
                          map_caption(res, v, n_tw, circuity)))
    figs += report_planning.equity_figures(r, v, xy)
    if comps:
        variants = {m.label: m.metrics for m in comps.values()}
        together = "All together (" + models[1].label.split(" (")[0].lower() + ")"
        variants[together] = models[1].metrics
        eff = effects_table(models[0].metrics, variants, together)
        figs.append(FigureOut("reform-components", "What each part of the reform does",
                              plots.component_effects(eff), effects_caption(eff, models[0].reps)))
    else:
        notes.append(COMPONENTS_HINT)
    b = budget_table(models)
    figs.append(FigureOut("time-budgets", "How staff spend their time",
                          plots.time_budget(b, order), budget_caption(res, b)))
    figs += report_planning.planning_figures(res.folder)  # a "Planning" section, when present
    return figs, notes


def _sweep_figures(res: Results) -> list[FigureOut]:
    runs, axes = res.runs, list(res.manifest.get("axes") or [])
    axes = [a for a in axes if a in runs.columns]
    figs = []
    eff = sweep_component_effects(runs, axes)
    if eff is not None:
        figs.append(FigureOut("reform-components", "What each part of the reform does",
                              plots.component_effects(eff),
                              effects_caption(eff, int(runs["replication"].nunique()))))
    for i, ax in enumerate(axes[:3] if eff is None else []):
        hue = axes[1 - i] if len(axes) == 2 else None
        figs.append(FigureOut(f"sweep-{ax.replace('.', '-')}", "Outcomes against "
                              + style.parameter_label(ax), plots.sweep_lines(runs, ax, hue=hue),
                              sweep_caption(runs, ax, hue, len(axes))))
    return figs


# ------------------------------------------------------------------ the report

def write_report(folder: str | Path, out: str | Path | None = None, components: bool = True,
                 log: Callable[[str], None] | None = None, progress: bool = False,
                 force: bool = False) -> Path:
    """Write ``report.html``, ``figures/*.png|svg`` and ``summary.json|md``; return the HTML.

    Args:
        folder: A ``run``, ``compare`` or ``sweep`` results folder.
        out: Output folder (default ``folder/report``).
        components: For a comparison, run each reform component alone when not cached.
        log: Called with lines of progress text.
        progress: Show progress bars on stderr.
        force: Replace other results or another report already in ``out`` (a report of the
            same results folder is always replaced).

    Raises:
        ReportError: a folder that cannot be read, or an output that cannot be written.

    """
    special = report_robustness.write_if_special(folder, out)  # robustness, sensitivity
    if special is not None:
        return special
    if report_planning.has_planning(folder) and not (Path(folder) / "manifest.json").is_file():
        return report_planning.write_planning_report(folder, out)
    res = load_results(folder)
    comps = component_runs(res, components, log, progress) if res.kind == "compare" else {}
    try:
        figures, notes = build_figures(res, comps)
        headline = summary(res)
    except (KeyError, ScenarioError) as e:
        raise ReportError(f"{res.folder}: cannot read the results ({e})") from None
    try:
        source = str(res.folder.resolve())
        dest = claim_dir(Path(out) if out is not None else res.folder / "report", "report",
                         fingerprint(source), force=force)
        write_json({"kind": "report", "source": str(folder), "fingerprint": fingerprint(source)},
                   dest / "manifest.json")
        (dest / "figures").mkdir(exist_ok=True)
        embedded = []
        for f in figures:
            png = io.BytesIO()
            with style.figure_style():  # savefig reads dpi and the SVG id salt from rc
                f.figure.savefig(png, format="png")
                f.figure.savefig(dest / "figures" / f"{f.slug}.svg", format="svg",
                                 metadata={"Date": None})  # no date: reruns give equal files
            (dest / "figures" / f"{f.slug}.png").write_bytes(png.getvalue())
            embedded.append((f, base64.b64encode(png.getvalue()).decode("ascii")))
        page = render(res, headline, embedded, notes, len(comps))
        (dest / "report.html").write_text(page, encoding="utf-8")
        write_json(headline, dest / "summary.json")
        (dest / "summary.md").write_text(summary_markdown(headline, figures),
                                         encoding="utf-8")
    except OutputError as e:
        raise ReportError(str(e)) from None
    except OSError as e:
        raise ReportError(f"{out}: cannot write the report ({e.strerror or e})") from None
    return dest / "report.html"
