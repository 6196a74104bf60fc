"""The report's Planning section: siting maps, staffing curve, cost-outcome front, equity map.

Reads what ``policesim site`` (``*.siting.json``), ``staff --out`` (``staffing.json``) and
``frontier --out`` (``frontier.json``) wrote into a results folder; every figure comes with
a caption in plain words.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.present import style
from sim.present.report_page import FigureOut

#: The response-time standard of the equity map, minutes (the staffing example's target).
TARGET_MIN = 15.0


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def has_planning(folder: str | Path) -> bool:
    """Whether a folder holds siting, staffing or frontier results."""
    p = Path(folder)
    return any(p.glob("*.siting.json")) or (p / "staffing.json").is_file() or (
        p / "frontier.json").is_file()


def siting_figure(rec: dict) -> Figure:
    """Today's clusters beside the optimal plan: offices, assignments, villages past target."""
    x, y = np.array(rec["x_km"]), np.array(rec["y_km"])
    pop = np.array(rec["population"], float)
    limit = float(rec.get("within") or TARGET_MIN)
    size = 25 + 175 * pop / max(pop.max(), 1.0)
    with style.figure_style():
        fig = _figure(11.0, 5.6)
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
        vmax = max(*rec["today"]["minutes"], *rec["optimal"]["minutes"])
        sc = None
        for ax, key, title in ((axes[0], "today", "Today (k-means clusters)"),
                               (axes[1], "optimal", f"Optimal ({rec['objective']})")):
            plan = rec[key]
            offices, assign = np.array(plan["offices"]), np.array(plan["assign"])
            minutes = np.array(plan["minutes"])
            for i in range(len(x)):
                o = offices[assign[i]]
                ax.plot([x[o], x[i]], [y[o], y[i]], color="0.75", lw=0.6, zorder=1)
            sc = ax.scatter(x, y, s=size, c=minutes, cmap=style.MAP_CMAP, vmin=0, vmax=vmax,
                            edgecolor="0.2", lw=0.5, zorder=3)
            far = minutes > limit
            ax.scatter(x[far], y[far], s=size[far] + 120, facecolor="none", edgecolor="red",
                       lw=1.2, zorder=2)
            ax.scatter(x[offices], y[offices], s=230, marker="s", facecolor="none",
                       edgecolor="black", lw=1.6, zorder=4)
            ax.scatter(*rec["station_xy_km"], s=260, marker="*", color="black",
                       edgecolor="white", zorder=5)
            ax.set_title(f"{title}: {int(far.sum())} villages beyond {limit:g} min")
            ax.set_aspect("equal")
            ax.set_xlabel("km east")
            ax.grid(False)
        axes[0].set_ylabel("km north")
        cb = fig.colorbar(sc, ax=list(axes), shrink=0.8, pad=0.02)
        cb.set_label("Minutes from the village's center office (turnout included)")
        fig.legend(handles=[
            Line2D([], [], marker="s", mfc="none", mec="black", lw=0, ms=11,
                   label="Center office"),
            Line2D([], [], marker="o", mfc="none", mec="red", lw=0, ms=12,
                   label=f"Village beyond {limit:g} min"),
            Line2D([], [], marker="*", color="black", lw=0, ms=14, label="Police station")],
            loc="outside lower center", ncols=3, frameon=False)
    return fig


def siting_caption(rec: dict) -> str:
    """Plain words for the siting map."""
    t, o = rec["today"], rec["optimal"]
    aim = {"median": "minimise the mean travel time to residents", "center": "minimise the "
           "farthest trip", "coverage": "leave the fewest residents beyond the standard"}
    text = (f"Where the center offices go. Left: today's {len(t['offices'])} offices in the "
            f"middle of k-means clusters; right: {len(o['offices'])} offices chosen to "
            f"{aim[rec['objective']]}. "
            f"Lines join each village to the office serving it; red rings mark villages more "
            f"than {rec.get('within') or TARGET_MIN:g} minutes away. Mean minutes from office "
            f"to resident: {t['median']:.1f} today, {o['median']:.1f} optimal; farthest "
            f"village {t['center']:.0f} vs {o['center']:.0f} min.")
    chk = rec.get("check")
    if chk:
        rows = {r["metric"]: r for r in chk["table"]}
        r = rows.get("response_time_mean_min")
        e = rows.get("escalation_rate")
        if r and e:
            text += (f" Simulated over {chk['reps']} paired replications, the optimal plan "
                     f"changes the mean response time by {r['diff']:+.2f} min "
                     f"[{r['ci_low']:+.2f}, {r['ci_high']:+.2f}] and the escalation rate by "
                     f"{e['diff']:+.4f} [{e['ci_low']:+.4f}, {e['ci_high']:+.4f}].")
    return text


def staffing_figure(rec: dict) -> Figure:
    """The target metric against staffing, with 95% intervals and the target line."""
    c = pd.DataFrame(rec["curve"])
    metric, bound = rec["target"].split("<=") if "<=" in rec["target"] else (
        rec["target"], None)
    with style.figure_style():
        fig = _figure(7.0, 4.4)
        ax = fig.subplots()
        err = np.vstack([c["mean"] - c["ci_low"], c["ci_high"] - c["mean"]])
        ax.errorbar(c["staff"], c["mean"], yerr=np.nan_to_num(err), marker="o", capsize=3,
                    color="#1f77b4")
        if bound is not None:
            ax.axhline(float(bound), color="red", ls="--", lw=1, label=f"target {bound} ")
        if rec.get("smallest") is not None:
            ax.axvline(rec["smallest"], color="0.4", ls=":", lw=1,
                       label=f"smallest meeting it: {rec['smallest']}")
        ax.set_xlabel(f"{rec['role']} per {rec['by']}")
        label, unit, _ = style.metric_label(metric)
        ax.set_ylabel(f"{label} ({unit})" if unit else label)
        ax.legend(frameon=False)
    return fig


def staffing_caption(rec: dict) -> str:
    """Plain words for the staffing curve."""
    found = (f"The smallest number that meets it with 95% confidence is {rec['smallest']}"
             if rec.get("smallest") is not None else "No level tried meets it")
    return (f"How many {rec['role']} a {rec['by']} needs for {rec['target']}. Each point is "
            f"the mean over {rec['reps']} replications with the same random numbers at every "
            f"level, with its 95% interval; the dashed line is the target. {found}.")


def frontier_figure(df: pd.DataFrame) -> Figure:
    """Cost against outcome for every staffing-siting choice; the Pareto front joined."""
    with style.figure_style():
        fig = _figure(7.5, 4.8)
        ax = fig.subplots()
        for plan, g in df.groupby("plan", sort=False):
            ax.errorbar(g["cost_cny_year"] / 1e6, g["mean"],
                        yerr=np.nan_to_num(np.vstack([g["mean"] - g["ci_low"],
                                                      g["ci_high"] - g["mean"]])),
                        marker="o", ls="none", capsize=2, label=plan, alpha=0.8)
        front = df[df["pareto"]].sort_values("cost_cny_year")
        ax.plot(front["cost_cny_year"] / 1e6, front["mean"], color="black", lw=1.2,
                label="cost-outcome front")
        for r in front.itertuples():
            ax.annotate(f"{r.staff}", (r.cost_cny_year / 1e6, r.mean), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("Annual cost, million CNY (assumed unit costs)")
        label, unit, _ = style.metric_label(str(df["metric"].iloc[0]))
        ax.set_ylabel(f"{label} ({unit})" if unit else label)
        ax.legend(frameon=False, fontsize=8)
    return fig


def frontier_caption(rec: dict) -> str:
    """Plain words for the front."""
    df = pd.DataFrame(rec["rows"])
    front = df[df["pareto"]].sort_values("cost_cny_year")
    pts = "; ".join(f"{r.plan}, {r.staff} {r.role}: {r.cost_cny_year / 1e6:.2f} M CNY, "
                    f"{r.mean:.2f}" for r in front.itertuples())
    return (f"What each choice costs and what it buys. Every point is a staffing level and a "
            f"siting plan ({rec['reps']} paired replications each); the black line joins the "
            f"choices no other is both cheaper and better than (lower {rec['metric']}). Unit "
            f"costs are assumptions ([costs] in the scenario). Front: {pts}.")


def equity_figure(responses: pd.DataFrame, villages: pd.DataFrame,
                  station_xy: tuple[float, float], target: float = TARGET_MIN) -> Figure:
    """Per model: villages whose 90th-percentile response time is beyond ``target``."""
    p90 = responses.groupby(["model", "village"])["response_min"].quantile(0.9).rename(
        "p90").reset_index()
    v = villages.merge(p90, on=["model", "village"], how="left")
    models = list(dict.fromkeys(v["model"]))
    with style.figure_style():
        fig = _figure(5.0 * len(models) + 0.5, 5.2)
        axes = fig.subplots(1, len(models), squeeze=False, sharex=True, sharey=True)[0]
        for ax, m in zip(axes, models, strict=True):
            g = v[v["model"] == m]
            far = g["p90"] > target
            ax.scatter(g.loc[~far, "x_km"], g.loc[~far, "y_km"], s=40, color="0.75",
                       edgecolor="0.3", lw=0.5)
            ax.scatter(g.loc[far, "x_km"], g.loc[far, "y_km"], s=70, color="red",
                       edgecolor="0.2", lw=0.5)
            ax.scatter(*station_xy, s=220, marker="*", color="black", edgecolor="white")
            ax.set_title(f"{m}: {int(far.sum())} of {len(g)} villages beyond {target:g} min")
            ax.set_aspect("equal")
            ax.set_xlabel("km east")
            ax.grid(False)
        axes[0].set_ylabel("km north")
    return fig


def equity_caption(responses: pd.DataFrame, target: float = TARGET_MIN) -> str:
    """Plain words for the equity map, naming each model's worst-served village."""
    p90 = responses.groupby(["model", "village"])["response_min"].quantile(0.9)
    worst = []
    for m, s in p90.groupby(level=0):
        (_, village), val = s.idxmax(), s.max()
        worst.append(f"{m}: village {village + 1} ({val:.0f} min)")
    return (f"Who is left waiting. Red villages are those where one call in ten waits more "
            f"than {target:g} minutes for help to arrive (90th percentile over all "
            f"replications). Worst-served village: {'; '.join(worst)}.")


def equity_figures(responses: pd.DataFrame, villages: pd.DataFrame,
                   station_xy: tuple[float, float]) -> list[FigureOut]:
    """The equity map of township 0 (responses: the report's response table)."""
    r = responses[responses["township"] == 0] if "township" in responses else responses
    if r.empty:
        return []
    return [FigureOut("equity-beyond-target", f"Villages beyond {TARGET_MIN:g} minutes",
                      equity_figure(r, villages, station_xy), equity_caption(r))]


def write_planning_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """A page with only the Planning section, for a folder holding planning results alone."""
    import base64  # noqa: PLC0415
    import html  # noqa: PLC0415
    import io  # noqa: PLC0415
    dest = Path(out) if out is not None else Path(folder) / "report"
    (dest / "figures").mkdir(parents=True, exist_ok=True)
    parts = ["<!doctype html><meta charset='utf-8'><title>Planning</title><h1>Planning</h1>"]
    for f in planning_figures(folder):
        png = io.BytesIO()
        with style.figure_style():
            f.figure.savefig(png, format="png")
        (dest / "figures" / f"{f.slug}.png").write_bytes(png.getvalue())
        parts.append(f"<h2>{html.escape(f.title)}</h2><img alt='{html.escape(f.title)}' "
                     f"src='data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}'>"
                     f"<p>{html.escape(f.caption)}</p>")
    page = dest / "report.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page


def planning_figures(folder: str | Path) -> list[FigureOut]:
    """The Planning figures a folder supports (empty when it holds no planning results)."""
    p = Path(folder)
    figs = []
    for f in sorted(p.glob("*.siting.json")):
        rec = json.loads(f.read_text(encoding="utf-8"))
        figs.append(FigureOut(f"planning-siting-{f.name.split('.')[0]}",
                              "Planning: where the center offices go", siting_figure(rec),
                              siting_caption(rec)))
    if (p / "staffing.json").is_file():
        rec = json.loads((p / "staffing.json").read_text(encoding="utf-8"))
        figs.append(FigureOut("planning-staffing", "Planning: staffing to a target",
                              staffing_figure(rec), staffing_caption(rec)))
    if (p / "frontier.json").is_file():
        rec = json.loads((p / "frontier.json").read_text(encoding="utf-8"))
        figs.append(FigureOut("planning-frontier", "Planning: cost against outcome",
                              frontier_figure(pd.DataFrame(rec["rows"])),
                              frontier_caption(rec)))
    return figs
