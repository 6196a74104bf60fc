"""The report's words: figure captions, the headline summary, and the HTML and Markdown pages.

:mod:`sim.present.report` reads the results, builds the tidy tables and draws the figures; this
module turns them into text. It only formats what it is given (plus paired changes and 95%
intervals of the metrics), so it reads no files and imports nothing from
:mod:`sim.present.report`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from sim.experiments.analysis import clip_share, json_ready
from sim.experiments.metrics import METRICS
from sim.experiments.run import mean_ci
from sim.present import plots, style
from sim.present.report_data import (
    BANDS,
    HEADLINE,
    KEY_ASSUMPTIONS,
    ModelResults,
    Results,
    paired_change,
    reform_components,
)
from sim.present.tables import equal_resource_line

# ------------------------------------------------------------------ captions

@dataclass
class FigureOut:
    """A drawn figure with its file name, heading and caption."""

    slug: str
    title: str
    figure: Any
    caption: str


def _num(x: float, digits: int | None = None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if digits is None:  # display units (percent, minutes): one decimal reads best
        digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 0.1 or x == 0 else 2
    return f"{x:,.{digits}f}"


def _raw(x: float) -> str:
    """Format a metric in stored units (fractions keep three decimals, as in the terminal)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"


def _years(m: ModelResults, n_models: int = 2) -> str:
    days = float(m.scenario.get("days", 365.0))  # the measured period, after the warm-up
    span = f"{days / 365:.3g}-year" if days % 365 == 0 else f"{days:g}-day"
    follow = m.scenario.get("follow_up_days")
    per = " per model" if n_models > 1 else ""
    return (f"{m.reps} simulated {span} replication{'s' if m.reps != 1 else ''}{per} "
            f"(each after a {float(m.scenario.get('warmup_days', 0)):g}-day warm-up left out"
            + (f"; disputes followed {float(follow):g} days from their start" if follow
               else "") + ")")


def _pct(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return "under 1%" if 0 < x < 0.005 else f"{x:.0%}"


def period_name(m: ModelResults) -> str:
    """Name the simulated period of one replication (for axis labels)."""
    days = float(m.scenario.get("days", 365.0))
    return "simulated year" if days == 365 else f"{days:g}-day run"


def ecdf_caption(res: Results, r: pd.DataFrame) -> str:
    """Caption the response-time curves (``r``: :func:`~sim.present.report.response_table`)."""
    far = r[r["band"] == BANDS[-1][2]]
    meds = [f"{_num(far.loc[far['model'] == lab, 'response_min'].median())} minutes "
            f"({lab.split(' (')[0].lower()})" for lab in res.labels]
    lost = int(r["response_min"].isna().sum())
    text = ("Each curve shows the share of police calls (all kinds) with an officer or "
            "auxiliary on scene within the number of minutes on the horizontal axis: the "
            "further left and higher a curve, the faster help comes. Villages are grouped by "
            "road distance from the township police station; the dotted line marks half of "
            f"the calls (the median). From {_years(res.models[0], len(res.models))}. "
            f"Key number: in villages over 20 km away, half of all calls waited longer than "
            f"{' vs. '.join(meds)}.")
    if lost:
        text += (f" {lost} call(s) were still unanswered at the end of a run; they keep a "
                 "curve below 100%.")
    return text


def hour_caption(res: Results, r: pd.DataFrame) -> str:
    """Caption the response time by hour of day (``r``: the response table, with ``hour``)."""
    calls = r.groupby(["model", "hour"]).size().groupby("hour").mean()
    peak = int(calls.idxmax()) if len(calls) else 0
    means = r.groupby(["model", "hour"])["response_min"].mean()
    at_peak = [f"{_num(means.get((lab, peak), float('nan')))} minutes "
               f"({lab.split(' (')[0].lower()})" for lab in res.labels]
    return ("Mean minutes from a call to the first responder on scene, by the hour of day the "
            "call came in (all kinds of call; the bars show how many calls each hour brings). "
            "Day shifts that end in the afternoon meet an evening peak of demand only when "
            "calls follow a daily profile (scenario switch rhythm.enabled). From "
            f"{_years(res.models[0])}. Key number: in the busiest hour ({peak:02d}:00) help "
            f"took {' vs. '.join(at_peak)}.")


def change_notes(res: Results) -> dict[str, str]:
    """One line per metric: the paired change with the reform (two models only)."""
    if len(res.models) != 2:
        return {}
    a, b = (m.metrics for m in res.models)
    out = {}
    for key in ("escalation_rate", "injury_crimes_per_10k_year"):
        _, unit, k = style.metric_label(key)
        d, lo, hi = paired_change(a, b, key)
        base = float(a[key].mean())
        rel = f" ({d / base:+.0%})" if base else ""
        unit = " points" if unit.startswith("%") else ""
        out[key] = f"Change: {_num(d * k)}{unit}{rel}\n95% CI {_num(lo * k)} to {_num(hi * k)}"
    return out


def interval_caption(res: Results) -> str:
    """Caption the violence-and-injuries intervals, with the paired change for two models."""
    text = ("Diamonds show the mean over all simulated years, thick bars its 95% confidence "
            "interval, faint dots single years. From "
            + _years(res.models[0], len(res.models)) + ".")
    if len(res.models) == 2:
        a, b = (m.metrics for m in res.models)
        bits = []
        for key in ("escalation_rate", "injury_crimes_per_10k_year"):
            name, unit, k = style.metric_label(key)
            d, lo, hi = paired_change(a, b, key)
            unit = "percentage points" if unit.startswith("%") else unit
            bits.append(f"{name.lower()} change by {_num(d * k)} {unit} (95% CI {_num(lo * k)} "
                        f"to {_num(hi * k)})")
        text += (" Key number: with the reform, " + "; ".join(bits) + ". Both models meet "
                 "exactly the same disputes and calls in replication k (common random "
                 "numbers), so these paired differences are more precise than the overlap of "
                 "the two intervals suggests.")
    return text


def map_caption(res: Results, v: pd.DataFrame, n_townships: int, circuity: float = 1.0) -> str:
    """Caption the township map (``v``: :func:`~sim.present.report.village_table`).

    ``circuity`` is road km per right-angle grid km: the diamonds of 10 and 20 km by road
    lie 10 / circuity and 20 / circuity grid km from the station on the map's axes.
    """
    worst = [f"{_num(v.loc[v['model'] == lab, 'median_response_min'].max())} min "
             f"({lab.split(' (')[0].lower()})" for lab in res.labels]
    slow = [str(int((v.loc[v["model"] == lab, "median_response_min"] > 30).sum()))
            for lab in res.labels]
    n = int((v["model"] == res.labels[0]).sum())
    offices = bool(v["office"].any()) if "office" in v else False
    panels = "all panels" if len(res.labels) > 1 else "the map"
    grid = "" if circuity == 1.0 else (
        f"; roads are modelled as a right-angled grid with a detour factor of {circuity:g} "
        f"(road km per grid km), so on the axes the diamonds lie {10 / circuity:.1f} and "
        f"{20 / circuity:.1f} km from the star")
    text = (f"Each dot is one of the {n} villages, placed where it lies in the simulated "
            "township; its colour is the median time from a call there to help on scene, "
            f"on one colour scale for {panels}. The star is the police station (its position "
            "is estimated from the villages' road distances)"
            + (", squares are center offices and thin lines join each village to the office "
               "that serves it" if offices else "") +
            ". Dashed diamonds mark road distances of 10 and 20 km from the station"
            + (grid or " (roads are modelled as a right-angled grid)") + ". From "
            f"{_years(res.models[0], len(res.models))}. Key number: the slowest village's "
            f"median is {' vs. '.join(worst)}; villages with a median over 30 minutes: "
            f"{' vs. '.join(slow)}.")
    if n_townships > 1:
        text += f" Only the first of {n_townships} townships is shown."
    return text


def _share(b: pd.DataFrame, model: str, role: str, activity: str) -> float:
    s = b.loc[(b["model"] == model) & (b["role"] == role) & (b["activity"] == activity),
              "share"]
    return float(s.iloc[0]) if len(s) else float("nan")


def budget_caption(res: Results, b: pd.DataFrame) -> str:
    """Caption the time budgets (``b``: :func:`~sim.present.report.budget_table`)."""
    bits = []
    for lab in res.labels:
        drive = _share(b, lab, "station_officer", "travel")
        screen = _share(b, lab, "community_officer", "screening")
        part = f"{lab.split(' (')[0].lower()}: station officers drive {_pct(drive)}"
        if not math.isnan(screen) and screen > 0:
            part += f", community officers screen villages {_pct(screen)}"
        bits.append(part + " of their on-duty time")
    return ("Each bar splits one role's on-duty time (all staff of that role together; time "
            "off duty is left out) into what they were doing. 'Waiting for a job' is the spare "
            "capacity that lets someone respond at once. District chiefs are station officers "
            f"who head a center office. From {_years(res.models[0], len(res.models))}. "
            "Key numbers: " + "; ".join(bits) + ".")


def effects_caption(eff: pd.DataFrame, reps: int) -> str:
    """Caption the component effects (``eff``: :func:`~sim.present.report.effects_table`)."""
    esc = eff[eff["metric"] == "escalation_rate"]
    single = esc[~esc["together"]].sort_values("diff")
    text = ("Each bar is the change against the old model when one reform component is added "
            "on its own (light) or all of them together (dark), with paired 95% confidence "
            f"intervals from {reps} replications (every variant meets the same disputes and "
            "calls). Components interact, so the bars need not add up to the full reform.")
    if len(single):
        best, all_ = single.iloc[0], esc[esc["together"]]
        text += (f" Key number: on its own, '{best['label']}' changes escalation most "
                 f"({_num(best['diff'] * 100)} percentage points)")
        if len(all_):
            text += f"; the full reform gives {_num(all_['diff'].iloc[0] * 100)} points"
        text += "."
    return text


def sweep_caption(runs: pd.DataFrame, ax: str, hue: str | None, n_axes: int) -> str:
    """Caption one sweep figure: outcomes against ``ax`` (lines by ``hue``), of ``n_axes`` swept."""
    points = runs.groupby([ax] + ([hue] if hue else [])).ngroups
    reps = int(runs["replication"].nunique())
    # the same means the figure plots: one per line (hue) and value of the axis
    s = runs.groupby([ax] + ([hue] if hue else []))["escalation_rate"].mean() * 100

    def at(idx: Any) -> str:
        vals = idx if isinstance(idx, tuple) else (idx,)
        return ", ".join(f"{k} = {plots._level(v)}" for k, v in zip([ax, hue], vals,
                                                                       strict=False))
    if _num(s.min()) == _num(s.max()):
        key = (f" Key number: disputes that turned violent stay at {_num(s.min())}% at every "
               f"value of {ax}" + (f" and {hue}" if hue else "") + ".")
    else:
        key = (f" Key number: disputes that turned violent range from {_num(s.min())}% at "
               f"{at(s.idxmin())} to {_num(s.max())}% at {at(s.idxmax())}.")
    return (f"Each point is the mean over {reps} replications at one of {points} design "
            "points; the band (or error bar) is its 95% confidence interval"
            + (", and each line is one value of " + hue if hue else "") +
            ". Replication k uses "
            "the same random streams at every point, so differences between points are "
            "paired." + (" Other swept parameters are averaged over." if n_axes > 2
                         else "") + key)


COMPONENTS_HINT = (
    "What each reform component contributes is not shown: this folder has no runs of the "
    "components on their own. To add them, run `policesim compare "
    "scenarios/station_centred.toml scenarios/center_office.toml --out DIR` and then "
    "`policesim report DIR` (it runs each component alone with the same seed and "
    "replications and keeps the runs in DIR/components/), or sweep every on/off combination "
    "of the components with `policesim sweep` and report on that folder.")



# ------------------------------------------------------------------ headline summary

def _find_scenario(obj: Any) -> dict[str, Any] | None:
    """Find the first resolved scenario inside a manifest (sweep manifests nest them)."""
    if isinstance(obj, dict):
        if "policy" in obj and "township" in obj:
            return obj
        items = list(obj.values())
    elif isinstance(obj, list):
        items = obj
    else:
        return None
    for it in items:
        found = _find_scenario(it)
        if found is not None:
            return found
    return None


def _lookup(scn: dict[str, Any], key: str) -> Any:
    cur: Any = scn
    for part in key.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def assumptions(scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """The assumptions table, generated from the schema's structured provenance.

    Rows: the key assumptions (:data:`KEY_ASSUMPTIONS`) and every other parameter whose value
    differs between the models (so every difference between them is listed), each with its
    value per model, unit, provenance, provenance kind and plausible range; plus a count of
    parameters by provenance kind.
    """
    from sim.scenario import parameter_table  # noqa: PLC0415
    table = {row["key"]: row for row in parameter_table()}
    differing = [k for k in table if k not in KEY_ASSUMPTIONS and k not in ("name", "description")
                 and len({json.dumps(_lookup(s, k)) for s in scenarios}) > 1]
    rows = []
    for key in (*KEY_ASSUMPTIONS, *differing):
        meta = table[key]
        rows.append({"key": key, "values": [_lookup(s, key) for s in scenarios],
                     "unit": meta["unit"], "description": meta["description"],
                     "provenance": meta["provenance"], "kind": meta["kind"],
                     "plausible": meta["plausible"]})
    counts: dict[str, int] = {}
    for row in table.values():
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    return {"key_parameters": rows, "provenance_counts": counts}


def _plausible(r: dict[str, Any]) -> str:
    p = r.get("plausible")
    return f"{p[0]:g} to {p[1]:g}" if p else ""


def _entry(key: str, per_model: list[pd.Series], span_days: float | None = None) -> dict[
        str, Any]:
    name, unit, k = style.metric_label(key)
    if unit == "per run" and span_days is not None:  # counts cover the measured period
        unit = "per year" if span_days == 365 else f"in {span_days:g} days"
    vals = []
    for s in per_model:
        m, lo, hi = mean_ci(list(s.to_numpy(float)))
        lo, hi = clip_share(key, lo, hi)  # a share's interval stays within [0, 1]
        vals.append({"mean": m * k, "ci_low": lo * k, "ci_high": hi * k})
    return {"metric": key, "label": name, "unit": unit, "definition": METRICS.get(key, ""),
            "models": vals}


def summary(res: Results) -> dict[str, Any]:
    """Collect the headline numbers with 95% intervals and their assumptions (JSON-ready)."""
    out: dict[str, Any] = {"kind": res.kind, "folder": str(res.folder)}
    if res.kind == "sweep":
        runs = res.runs
        base = res.manifest.get("baseline_point")
        base = int(runs["point"].min()) if base is None else int(base)
        b = runs[runs["point"] == base]
        axes = [a for a in res.manifest.get("axes") or [] if a in runs]
        point = {a: plots._level(b[a].iloc[0]) for a in axes} if len(b) else {}
        scn = next((p.get("scenario") for p in res.manifest.get("points", [])
                    if isinstance(p, dict) and p.get("point") == base), None) \
            or _find_scenario(res.manifest) or {}
        span = float(scn.get("days", 0)) if scn else None  # the measured period
        out.update(models=[f"baseline design point {base}"], baseline_point=base,
                   baseline_values=point, replications=int(b["replication"].nunique()),
                   points=int(runs["point"].nunique()), axes=axes,
                   seed=res.manifest.get("seed"),
                   policesim_version=res.manifest.get("policesim_version"))
        out["headline"] = [_entry(k, [b[k]], span) for k in HEADLINE if k in runs]
        out["assumptions"] = assumptions([scn])
        return json_ready(out)
    first = res.models[0]
    out.update(models=res.labels, scenarios=[m.scenario.get("name") for m in res.models],
               replications=first.reps, days=first.scenario.get("days"),
               warmup_days=first.scenario.get("warmup_days"), seed=first.manifest.get("seed"),
               policesim_version=first.manifest.get("policesim_version"))
    span = float(first.scenario.get("days", 0))  # the measured period, after the warm-up
    out["headline"] = [_entry(k, [m.metrics[k] for m in res.models], span) for k in HEADLINE]
    if len(res.models) == 2:
        a, b = (m.metrics for m in res.models)
        for e in out["headline"]:
            k = style.metric_label(e["metric"])[2]
            d, lo, hi = paired_change(a, b, e["metric"])
            base = e["models"][0]["mean"] / k if k else float("nan")
            e["change"] = {"diff": d * k, "ci_low": lo * k, "ci_high": hi * k,
                           "relative": d / base if base else float("nan")}
    out["assumptions"] = assumptions([m.scenario for m in res.models])
    if all(m.resources is not None for m in res.models):
        out["resources"] = resources_summary(res)
    crim = next(e for e in out["headline"] if e["metric"] == "criminal_incidents")
    if crim.get("change", {}).get("relative") is not None and reform_components(
            res.models[1].scenario)["center_offices"]:
        out["observed"] = (
            "For orientation only: the source report says criminal calls at Wudian station "
            "fell 46% in the year after its center offices opened (one station, one year, no "
            "control group; seed). The model's closest measure, criminal incidents (injury "
            f"crimes and thefts), changes by {crim['change']['relative'] * 100:+.0f}%.")
    return json_ready(out)


#: Columns of the report's resources table: (key of ``resources.parquet``, heading).
RESOURCE_COLUMNS = (("headcount", "staff"), ("on_duty_hours", "on-duty hours"),
                    ("on_call_hours", "on call at home, hours"), ("busy_hours", "busy hours"),
                    ("jobs", "jobs attended"))


def resources_summary(res: Results) -> dict[str, Any]:
    """Each model's staff, hours and jobs per post (means over replications, per 365 days).

    Returns:
        ``{"models": [{"label", "posts": {post: {column: value}}, "total": {...}}],
        "equal_resource": the line ``compare`` prints}`` (two models only for the line).

    """
    models = []
    for m in res.models:
        assert m.resources is not None
        cols = [k for k, _ in RESOURCE_COLUMNS]
        per_post = m.resources.groupby("post")[cols].mean()
        posts = {str(p): {k: float(v) for k, v in row.items()} for p, row in per_post.iterrows()}
        total = {k: float(per_post[k].sum()) for k in cols}
        models.append({"label": m.label, "posts": posts, "total": total})
    out: dict[str, Any] = {"models": models}
    if len(models) == 2:
        out["equal_resource"] = equal_resource_line(
            *[(x["label"], x["total"]) for x in models])
    return out


def _resource_rows(r: dict[str, Any]) -> list[list[str]]:
    rows = []
    for m in r["models"]:
        for post, v in [*sorted(m["posts"].items()), ("total", m["total"])]:
            rows.append([m["label"], post.replace("_", " "),
                         *[f"{v[k]:,.0f}" for k, _ in RESOURCE_COLUMNS]])
    return rows


def _resources_html(s: dict[str, Any]) -> str:
    r = s.get("resources")
    if not r:
        return ""
    head = ["model", "post", *[h for _, h in RESOURCE_COLUMNS]]
    return ("<h3>Who does the work</h3><p>Each model's staff and their hours a year (means over "
            "the replications). Every resource is a scenario parameter "
            "(<code>[staff]</code>, <code>[duty]</code>, <code>[shifts]</code>).</p>"
            + _html_table(head, _resource_rows(r), numeric_from=2)
            + (f"<p class=small>{escape(r['equal_resource'])}</p>"
               if r.get("equal_resource") else ""))


# ------------------------------------------------------------------ HTML and Markdown

CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;
margin:0;background:#fafafa;line-height:1.5}main{max-width:1100px;margin:auto;padding:1.5em;
background:#fff}h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid
#ddd}table{border-collapse:collapse;margin:.8em 0;font-size:.92em}td,th{border-bottom:1px solid
#e3e3e3;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.n{text-align:right;white-space:nowrap}.lede{font-size:1.08em;color:#444}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.95em;color:#333;margin-top:.4em;max-width:60em}.note{background:#fff8e1;
border-left:4px solid #e6a700;padding:.6em 1em}.small{font-size:.88em;color:#555}
ul.headline li{margin:.35em 0}code{background:#f2f2f2;padding:0 .25em}"""


def _ci(d: dict[str, Any], fmt: Callable[[float], str] = _num) -> str:
    lo, hi = d.get("ci_low"), d.get("ci_high")
    body = fmt(d.get("mean", d.get("diff")))
    return body if lo is None else f"{body} ({fmt(lo)} to {fmt(hi)})"


def _sentences(s: dict[str, Any]) -> list[str]:
    """One plain sentence per headline metric (HTML: the label in bold)."""
    out = []
    for e in s["headline"]:
        unit = f" {e['unit']}" if e["unit"] else ""
        vals = e["models"]
        if "change" in e:
            c = e["change"]
            clear = (c["ci_low"] is not None and c["ci_high"] is not None
                     and (c["ci_low"] > 0 or c["ci_high"] < 0))
            step = " points" if e["unit"].startswith("%") else ""
            rel = f", {c['relative'] * 100:+.0f}%" if c.get("relative") is not None else ""
            out.append(f"<b>{e['label']}</b>: from {_num(vals[0]['mean'])} to "
                       f"{_num(vals[1]['mean'])}{unit} (change {_num(c['diff'])}{step}{rel}; "
                       f"95% CI {_num(c['ci_low'])} to {_num(c['ci_high'])}"
                       f"{'' if clear else ': no clear difference'}).")
        else:
            v = vals[0]
            ci = "" if v["ci_low"] is None else \
                f" (95% CI {_num(v['ci_low'])} to {_num(v['ci_high'])})"
            out.append(f"<b>{e['label']}</b>: {_num(v['mean'])}{unit}{ci}.")
    return out


def _html_table(head: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(
        f"<td{' class=n' if i >= numeric_from else ''}>{c}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _assumption_html(s: dict[str, Any], labels: list[str]) -> str:
    a = s["assumptions"]
    counts = a["provenance_counts"]
    total = sum(counts.values())
    rows = []
    multi = any(len({json.dumps(v) for v in r["values"]}) > 1 for r in a["key_parameters"])
    for r in a["key_parameters"]:
        vals = r["values"] if multi else r["values"][:1]
        rows.append([f"<code>{r['key']}</code>", escape(r["description"]),
                     *[escape(str(v)) for v in vals], escape(r["unit"]),
                     escape(r.get("kind", "")), escape(_plausible(r)),
                     escape(source_text(r["provenance"]))])
    head = ["parameter", "meaning", *(labels if multi else ["value"]), "unit", "kind",
            "plausible range", "source"]
    return (f"<p>The model has {total} parameters: {counts.get('seed', 0)} reproduce figures of "
            f"the source report on the Xiangyang reform (<i>seed</i>), "
            f"{counts.get('calibrated', 0)} {'is' if counts.get('calibrated', 0) == 1 else 'are'}"
            " calibrated to such figures, "
            f"{counts.get('assumption', 0)} are <b>assumptions</b> (the report does not give "
            f"them), and {counts.get('run', 0)} are choices of the run. The results lean most "
            "on these (the table also lists every parameter on which the models differ):</p>"
            + _html_table(head, rows, numeric_from=99))


def _metrics_html(res: Results) -> str:
    if res.kind == "sweep":
        return ""
    rows = []
    for key, definition in METRICS.items():
        cells = [f"<code>{key}</code>", escape(definition)]
        for m in res.models:
            mean, lo, hi = mean_ci(list(m.metrics[key].to_numpy(float)))
            cells.append(_ci({"mean": mean, "ci_low": None if math.isnan(lo) else lo,
                              "ci_high": None if math.isnan(hi) else hi}, _raw))
        if len(res.models) == 2:
            d, lo, hi = paired_change(res.models[0].metrics, res.models[1].metrics, key)
            cells.append(_ci({"diff": d, "ci_low": None if math.isnan(lo) else lo,
                              "ci_high": None if math.isnan(hi) else hi}, _raw))
        rows.append(cells)
    head = ["metric", "definition", *res.labels] + (["change (paired)"] if len(res.models) == 2
                                                    else [])
    return ("<h2 id=metrics>Every metric</h2><p class=small>Mean over the replications with its "
            "95% confidence interval, in stored units (shares as fractions, times in minutes, "
            "counts per run).</p>" + _html_table(head, rows, numeric_from=2))


def render(res: Results, s: dict[str, Any], figures: list[tuple[FigureOut, str]],
           notes: list[str], n_components: int) -> str:
    """Render the self-contained HTML page (figures embedded as base64 PNG)."""
    if res.kind == "sweep":
        base = ", ".join(f"{k} = {v}" for k, v in s.get("baseline_values", {}).items())
        lede = (f"A parameter sweep over {escape(', '.join(s.get('axes', [])))}: "
                f"{s.get('points')} design points, {s['replications']} replications each, "
                f"seed {s.get('seed')}. Headline numbers are for the baseline design point "
                f"({escape(base)}); the figures show how they change across the sweep.")
    else:
        what = " against ".join(f"<b>{escape(lab)}</b>" for lab in res.labels)
        same = ", in the same township with the same staff" if len(res.labels) > 1 else ""
        lede = (f"Simulated rural policing: {what}{same}. "
                f"{_years(res.models[0], len(res.models))}; seed {s.get('seed')}.")
        if n_components:
            lede += f" Plus each of {n_components} reform components on its own."
    items = "".join(f"<li>{t}</li>" for t in _sentences(s))
    if s.get("observed"):
        items += f"<li class=small>{escape(s['observed'])}</li>"
    figs = "".join(
        f"<section id='{f.slug}'><h2>{i}. {escape(f.title)}</h2><figure><img alt='"
        f"{escape(f.title)}' src='data:image/png;base64,{b64}'><figcaption>{escape(f.caption)}"
        f"</figcaption></figure></section>" for i, (f, b64) in enumerate(figures, 1))
    note_html = "".join(f"<p class=note>{escape(n)}</p>" for n in notes)
    nav = "".join(f"<li><a href='#{f.slug}'>{escape(f.title)}</a></li>" for f, _ in figures)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
        "content='width=device-width,initial-scale=1'><title>Rural policing reform: what the "
        f"simulation says</title><style>{CSS}</style></head><body><main>"
        "<h1>Rural policing reform: what the simulation says</h1>"
        f"<p class=lede>{lede}</p><section id=summary><h2>What the model says</h2>"
        f"<ul class=headline>{items}</ul><p class=small>Ranges are 95% confidence intervals: "
        "the range the average over many more simulated years would very likely fall in. They "
        "measure the simulation's chance variation only, not whether the assumptions below are "
        "right. A change marked 'no clear difference' could be zero.</p>"
        + _resources_html(s) +
        "<h3>What these numbers rest on</h3>" + _assumption_html(s, res.labels) +
        "<p class=small>Every parameter, its unit and its source: <code>sim/scenario/</code> "
        "and the scenario files. Change any of them with <code>--set key=value</code>.</p>"
        f"</section><h2>Figures</h2><ol>{nav}</ol>{figs}{note_html}{_metrics_html(res)}"
        f"<footer class=small><p>Made by <code>policesim report {escape(str(res.folder))}</code>"
        f" (policesim {escape(str(s.get('policesim_version', '')))}) from the results in that "
        "folder; each figure is also saved beside this page as PNG and SVG.</p></footer>"
        "</main></body></html>\n")


def source_text(provenance: str) -> str:
    """A parameter's provenance for readers: the project's reference list is docs/calibration.md."""
    return re.sub(r"\bREFERENCES\b", "sources: docs/calibration.md", provenance)


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (a bare ``|`` would end the cell)."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_markdown(s: dict[str, Any], figures: list[FigureOut]) -> str:
    """Render the headline numbers and figure list as Markdown (for a README)."""
    lines = ["# What the model says", ""]
    lines += [f"- {re.sub(r'</?b>', '**', t)}" for t in _sentences(s)]
    if s.get("observed"):
        lines.append(f"- {s['observed']}")
    lines += ["", "Ranges are 95% confidence intervals over the replications.", ""]
    if s.get("resources"):
        head = ["model", "post", *[h for _, h in RESOURCE_COLUMNS]]
        lines += ["## Who does the work (per year, means over replications)", "",
                  "| " + " | ".join(head) + " |",
                  "|---|---|" + "---:|" * len(RESOURCE_COLUMNS)]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |"
                  for row in _resource_rows(s["resources"])]
        if s["resources"].get("equal_resource"):
            lines += ["", s["resources"]["equal_resource"]]
        lines.append("")
    lines += ["## Key assumptions", "",
              "| parameter | value | unit | kind | plausible range | source |",
              "|---|---|---|---|---|---|"]
    for r in s["assumptions"]["key_parameters"]:
        vals = " / ".join(str(v) for v in dict.fromkeys(json.dumps(v) for v in r["values"]))
        cells = [vals, r["unit"], r.get("kind", ""), _plausible(r), source_text(r["provenance"])]
        lines.append(f"| `{r['key']}` | " + " | ".join(_md_cell(c) for c in cells) + " |")
    lines += ["", "## Figures", ""]
    for f in figures:
        lines += [f"![{f.title}](figures/{f.slug}.png)", "", f"*{f.caption}*", ""]
    return "\n".join(lines)
