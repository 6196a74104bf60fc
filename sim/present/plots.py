"""Outcome figures: each function takes tidy tables and returns a matplotlib Figure.

No function here reads or writes files or touches pyplot's global state: figures are built on
the Agg canvas directly, so they render the same headless, in tests and in a report. Words on the
figures come from :mod:`sim.present.style`; the tables come from :mod:`sim.present.report`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from sim.experiments.run import mean_ci
from sim.present import style


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # the Agg backend, without pyplot's global state
    return fig


def _order(df: pd.DataFrame, order: Sequence[str] | None) -> list[str]:
    return list(order) if order is not None else list(dict.fromkeys(df["model"]))


def _palette(labels: Sequence[str], palette: Mapping[str, str] | None) -> dict[str, str]:
    return dict(palette) if palette is not None else style.palette_for(labels)


def response_time_ecdf(responses: pd.DataFrame, order: Sequence[str] | None = None,
                       palette: Mapping[str, str] | None = None) -> Figure:
    """Share of calls reached within t minutes, one panel per distance band.

    Args:
        responses: One row per call: ``model``, ``band`` (ordered categorical),
            ``township``, ``village``, ``response_min`` (NaN when nobody arrived: it counts
            in the denominator, so a curve that stays below 100% shows unanswered calls).
        order: Models in legend order (baseline first).
        palette: Model -> colour.

    """
    models = _order(responses, order)
    colors = _palette(models, palette)
    bands = [b for b in responses["band"].cat.categories if (responses["band"] == b).any()]
    finite = responses["response_min"].dropna()
    xmax = float(np.quantile(finite, 0.995)) * 1.05 if len(finite) else 60.0
    with style.figure_style():
        fig = _figure(3.6 * max(len(bands), 1) + 0.6, 4.0)
        axes = fig.subplots(1, max(len(bands), 1), sharey=True, squeeze=False)[0]
        for ax, band in zip(axes, bands, strict=False):
            sub = responses[responses["band"] == band]
            for m in models:
                x = np.sort(sub.loc[sub["model"] == m, "response_min"].to_numpy(float))
                n = len(x)
                x = x[~np.isnan(x)]
                if not n:
                    continue
                y = np.arange(1, len(x) + 1) / n
                ax.step(np.r_[0.0, x], np.r_[0.0, y], where="post", color=colors[m], lw=2,
                        label=m)
            ax.axhline(0.5, color="0.5", lw=0.8, ls=":")  # the median: the caption says so
            n_vil = len(sub[["township", "village"]].drop_duplicates()) if "village" in sub \
                else 0
            ax.set_title(f"{band}\n({n_vil} village{'s' if n_vil != 1 else ''})" if n_vil
                         else str(band))
            ax.set_xlim(0, xmax)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("Minutes from the call until help is on scene")
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes[0].set_ylabel("Calls reached within this time")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(models),
                   frameon=False)
        fig.suptitle("How fast help arrives, by the village's road distance from the police "
                     "station")
    return fig


def response_by_hour(responses: pd.DataFrame, order: Sequence[str] | None = None,
                     palette: Mapping[str, str] | None = None) -> Figure:
    """Mean response time by hour of day (lines) over the calls per hour (bars), per model.

    Args:
        responses: One row per call: ``model``, ``hour`` (0-23), ``response_min`` and
            ``replication``.
        order: Models in legend order.
        palette: Model colours.

    """
    models = _order(responses, order)
    pal = _palette(models, palette)
    hours = np.arange(24)
    with style.figure_style():
        fig = _figure(8.0, 4.2)
        ax = fig.subplots()
        ax2 = ax.twinx()
        width = 0.8 / max(1, len(models))
        for i, m in enumerate(models):
            d = responses[responses["model"] == m]
            reps = max(1, d["replication"].nunique())
            n = d.groupby("hour").size().reindex(hours, fill_value=0) / reps
            ax2.bar(hours - 0.4 + width * (i + 0.5), n.to_numpy(), width=width,
                    color=pal[m], alpha=0.18, lw=0)
            mean = d.groupby("hour")["response_min"].mean().reindex(hours)
            ax.plot(hours, mean.to_numpy(), marker="o", ms=3, color=pal[m], label=m)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
        ax.set_xlabel("hour of day the call came in")
        ax.set_ylabel("mean minutes until help arrives")
        ax2.set_ylabel("calls per replication (bars)", color="0.4")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", frameon=False)
        fig.suptitle("Response time by hour of day")
    return fig


def _ci_text(m: float, lo: float, hi: float) -> str:
    digits = 0 if abs(m) >= 100 else 1 if abs(m) >= 1 else 2
    if math.isnan(lo):
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} (95% CI {lo:.{digits}f} to {hi:.{digits}f})"


def outcome_intervals(metrics: pd.DataFrame, keys: Sequence[str] = (
        "escalation_rate", "injury_crimes_per_10k_year"), order: Sequence[str] | None = None,
        palette: Mapping[str, str] | None = None, period: str = "simulated year",
        notes: Mapping[str, str] | None = None) -> Figure:
    """Each model's mean with its 95% interval, replications as faint dots, one panel per metric.

    Args:
        metrics: One row per model and replication: ``model``, ``replication`` and the metric
            columns named in ``keys``.
        keys: Metric keys (see :data:`sim.experiments.metrics.METRICS`).
        order: Models from top to bottom (baseline first).
        palette: Model -> colour.
        period: What one replication is, for the legend (e.g. "simulated year").
        notes: Metric key -> a line of text shown under the panel (e.g. the paired change).

    """
    models = _order(metrics, order)
    colors = _palette(models, palette)
    with style.figure_style():
        fig = _figure(5.2 * len(keys), 0.9 * len(models) + 2.2)
        axes = fig.subplots(1, len(keys), squeeze=False)[0]
        for ax, key in zip(axes, keys, strict=True):
            label, unit, k = style.metric_label(key)
            hi_all, lo_all = 0.0, 0.0
            for i, m in enumerate(models):
                vals = metrics.loc[metrics["model"] == m, key].to_numpy(float) * k
                mean, lo, hi = mean_ci(list(vals))
                y = len(models) - 1 - i
                jitter = np.linspace(-0.12, 0.12, len(vals)) if len(vals) > 1 else [0.0]
                ax.scatter(vals, y + np.asarray(jitter), s=14, color=colors[m], alpha=0.35,
                           lw=0, zorder=2)
                if not math.isnan(lo):
                    ax.hlines(y, lo, hi, color=colors[m], lw=3, zorder=3)
                ax.scatter([mean], [y], s=70, color=colors[m], edgecolor="black", zorder=4,
                           marker="D")
                ax.annotate(_ci_text(mean, lo, hi), (mean, y), xytext=(0, 14),
                            textcoords="offset points", ha="center", fontsize=9)
                hi_all = max(hi_all, np.nanmax(np.r_[vals, hi if not math.isnan(hi) else 0]))
                lo_all = min(lo_all, np.nanmin(np.r_[vals, lo if not math.isnan(lo) else 0]))
            ax.set_yticks(range(len(models)), list(reversed(models)))
            ax.set_ylim(-0.6, len(models) - 0.3)
            span = hi_all - lo_all if hi_all > lo_all else 1.0
            # start at 0 unless an interval reaches below it (never cut an interval off)
            ax.set_xlim(lo_all - 0.08 * span if lo_all < 0 else 0, hi_all + 0.15 * span)
            ax.set_title(label)
            ax.set_xlabel(unit)
            ax.grid(axis="y", visible=False)
            if notes and key in notes:
                ax.text(0.98, 0.03, notes[key], transform=ax.transAxes, ha="right",
                        va="bottom", fontsize=9, fontweight="bold", color="0.15")
        for ax in axes[1:]:
            ax.set_yticklabels([])
        handles = [Line2D([], [], marker="D", color="0.3", mec="black", lw=3, ms=8,
                          label="mean and 95% confidence interval"),
                   Line2D([], [], marker="o", color="0.3", alpha=0.35, lw=0, ms=5,
                          label=f"one replication (one {period})")]
        fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
        fig.suptitle("Violence and injuries under each model")
    return fig


def _diamond(ax, cx: float, cy: float, r: float, text: str) -> None:
    xs, ys = [cx + r, cx, cx - r, cx, cx + r], [cy, cy + r, cy, cy - r, cy]
    ax.plot(xs, ys, color="0.55", lw=0.8, ls="--", zorder=1)
    ax.annotate(text, (cx, cy + r), xytext=(0, 2), textcoords="offset points", fontsize=8,
                color="0.35", ha="center", va="bottom", zorder=6,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})


def township_map(villages: pd.DataFrame, station_xy: tuple[float, float],
                 order: Sequence[str] | None = None, circuity: float = 1.0,
                 rings_km: Sequence[float] = (10.0, 20.0)) -> Figure:
    """Draw the township seen from above, one panel per model on one colour scale.

    Args:
        villages: One row per model and village: ``model``, ``x_km``, ``y_km``,
            ``population``, ``cluster``, ``office`` (True where a center office stands in this
            model), ``median_response_min`` (NaN: no calls there).
        station_xy: The police station's position, km.
        order: Models from left to right.
        circuity: Road km per right-angle km; the dashed diamonds mark road distances.
        rings_km: Road distances from the station to mark.

    """
    models = _order(villages, order)
    has_offices = bool(villages["office"].any())
    vmax = float(np.nanmax(villages["median_response_min"])) if villages[
        "median_response_min"].notna().any() else 1.0
    norm = Normalize(0.0, max(vmax, 1.0))
    size = 25 + 175 * villages["population"] / max(float(villages["population"].max()), 1.0)
    with style.figure_style():
        fig = _figure(5.0 * len(models) + 1.2, 5.6)
        axes = fig.subplots(1, len(models), squeeze=False, sharex=True, sharey=True)[0]
        sc = None
        for ax, m in zip(axes, models, strict=True):
            v = villages[villages["model"] == m]
            for ring in rings_km:
                _diamond(ax, *station_xy, ring / circuity, f"{ring:g} km by road")
            offices = v[v["office"]]
            for _, o in offices.iterrows():  # thin spokes: which office serves which village
                mem = v[v["cluster"] == o["cluster"]]
                for _, r in mem.iterrows():
                    ax.plot([o["x_km"], r["x_km"]], [o["y_km"], r["y_km"]], color="0.75",
                            lw=0.6, zorder=1)
            nan = v["median_response_min"].isna()
            ax.scatter(v.loc[nan, "x_km"], v.loc[nan, "y_km"], s=size[v.index[nan]],
                       color=style.NO_DATA, edgecolor="0.3", lw=0.5, zorder=2)
            sc = ax.scatter(v.loc[~nan, "x_km"], v.loc[~nan, "y_km"], s=size[v.index[~nan]],
                            c=v.loc[~nan, "median_response_min"], cmap=style.MAP_CMAP,
                            norm=norm, edgecolor="0.2", lw=0.5, zorder=3)
            ax.scatter(offices["x_km"], offices["y_km"], s=230, marker="s", facecolor="none",
                       edgecolor="black", lw=1.6, zorder=4)
            ax.scatter([station_xy[0]], [station_xy[1]], s=260, marker="*", color="black",
                       edgecolor="white", zorder=5)
            ax.set_title(m)
            ax.set_aspect("equal")
            ax.set_xlabel("km east")
            ax.grid(False)
        axes[0].set_ylabel("km north")
        if sc is not None:
            cb = fig.colorbar(sc, ax=list(axes), shrink=0.8, pad=0.02)
            cb.set_label("Median minutes from call until help is on scene")
        handles = [Line2D([], [], marker="*", color="black", lw=0, ms=14,
                          label="Township police station"),
                   Line2D([], [], marker="o", color="0.6", mec="0.2", lw=0, ms=8,
                          label="Village (size: population)")]
        if has_offices:  # only where a model has them: a legend names what is drawn
            handles.insert(1, Line2D([], [], marker="s", mfc="none", mec="black", lw=0, ms=11,
                                     label="Center office" + (" (reform only)" if len(models)
                                                              > 1 else "")))
            handles.append(Line2D([], [], color="0.75", lw=0.8,
                                  label="Village to its center office"))
        handles.append(Line2D([], [], color="0.55", lw=0.8, ls="--",
                              label="Road distance from the station"))
        if not villages["median_response_min"].notna().all():
            handles.append(Line2D([], [], marker="o", color=style.NO_DATA, mec="0.3", lw=0,
                                  ms=8, label="Village with no calls"))
        fig.legend(handles=handles, loc="outside lower center", frameon=False,
                   ncols=2 if len(models) == 1 else min(len(handles), 3))
        fig.suptitle("Where help arrives late: median response time in each village"
                     if len(models) > 1 else "Where help arrives late:\nmedian response time "
                     "in each village")
    return fig


def component_effects(effects: pd.DataFrame, keys: Sequence[str] = (
        "escalation_rate", "injury_crimes_per_10k_year", "response_time_mean_min")) -> Figure:
    """Change against the old model from each reform component alone and all together.

    Args:
        effects: One row per variant and metric: ``label``, ``metric``, ``diff``,
            ``ci_low``, ``ci_high`` (paired, in stored units) and ``together`` (True for the
            full reform). Rows appear top to bottom in table order.
        keys: Metrics, one panel each.

    """
    labels = list(dict.fromkeys(effects["label"]))
    together = set(effects.loc[effects["together"], "label"])
    with style.figure_style():
        fig = _figure(4.3 * len(keys) + 2.6, 0.45 * len(labels) + 1.9)
        axes = fig.subplots(1, len(keys), sharey=True, squeeze=False)[0]
        ys = np.arange(len(labels))[::-1]
        for ax, key in zip(axes, keys, strict=True):
            name, unit, k = style.metric_label(key)
            e = effects[effects["metric"] == key].set_index("label").reindex(labels)
            d = e["diff"].to_numpy(float) * k
            err = np.abs(np.vstack([d - e["ci_low"].to_numpy(float) * k,
                                    e["ci_high"].to_numpy(float) * k - d]))
            colors = [style.ALL_TOGETHER if lab in together else style.ONE_COMPONENT
                      for lab in labels]
            ax.barh(ys, d, color=colors, height=0.65, zorder=2)
            ax.errorbar(d, ys, xerr=np.nan_to_num(err), fmt="none", ecolor="black", lw=1.2,
                        capsize=3, zorder=3)
            ax.axvline(0, color="black", lw=0.8)
            unit = "percentage points" if unit.startswith("%") else unit
            ax.set_title(name, wrap=True)
            ax.set_xlabel(f"Change against the old model ({unit})")
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(ys, labels)
        handles = [Patch(color=style.ONE_COMPONENT, label="one component added alone"),
                   Patch(color=style.ALL_TOGETHER, label="the full reform"),
                   Line2D([], [], color="black", lw=1.2, label="95% confidence interval")]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
        fig.suptitle("What each part of the reform does on its own, and all together "
                     "(left of zero = fewer / faster)")
    return fig


def time_budget(budget: pd.DataFrame, order: Sequence[str] | None = None) -> Figure:
    """Stacked bars: each role's share of on-duty time by activity, one panel per model.

    Args:
        budget: One row per model, role and activity: ``model``, ``role``, ``activity`` (keys
            of :data:`style.ACTIVITIES`), ``share`` (of the role's on-duty time) and
            optionally ``hours_per_person_week`` (on-duty hours; shown right of each bar).
        order: Models from left to right.

    """
    models = _order(budget, order)
    roles = [r for r in style.ROLES if (budget["role"] == r).any()]
    acts = [a for a in style.ACTIVITIES if (budget["activity"] == a).any()]
    with style.figure_style():
        fig = _figure(5.0 * len(models) + 1.5, 0.75 * len(roles) + 2.0)
        axes = fig.subplots(1, len(models), sharey=True, squeeze=False)[0]
        ys = np.arange(len(roles))[::-1]
        for ax, m in zip(axes, models, strict=True):
            b = budget[budget["model"] == m].pivot_table(index="role", columns="activity",
                                                         values="share", aggfunc="sum")
            b = b.reindex(index=roles, columns=acts)
            left = np.zeros(len(roles))
            for a in acts:
                w = b[a].fillna(0.0).to_numpy()
                ax.barh(ys, w, left=left, color=style.ACTIVITY_COLORS[a], height=0.6,
                        label=style.ACTIVITIES[a], edgecolor="white", lw=0.5)
                for y, x0, wi in zip(ys, left, w, strict=True):
                    if wi >= 0.07:
                        ax.text(x0 + wi / 2, y, f"{wi:.0%}", ha="center", va="center",
                                fontsize=8, color="black")
                left += w
            for y, r in zip(ys, roles, strict=True):
                if r not in b.index or b.loc[r].isna().all():
                    ax.text(0.02, y, "none in this model", va="center", fontsize=8,
                            color="0.4", style="italic")
            if "hours_per_person_week" in budget.columns:
                hrs = budget[budget["model"] == m].groupby("role")["hours_per_person_week"].sum()
                ax.text(1.01, ys[0] + 0.45, "on duty,\nh/week\nper person", va="bottom",
                        fontsize=7, color="0.3")
                for y, r in zip(ys, roles, strict=True):
                    if r in hrs.index and hrs[r] > 0:
                        ax.text(1.01, y, f"{hrs[r]:.0f} h", va="center", fontsize=8,
                                color="0.3")
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel("Share of on-duty time")
            ax.set_title(m)
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(ys, [style.ROLES[r] for r in roles])
        handles, labs = axes[0].get_legend_handles_labels()
        # as many legend columns as fit the width (about 2.4 inches per entry)
        cols = max(1, min(len(acts), int(fig.get_figwidth() / 2.4)))
        fig.legend(handles, labs, loc="outside lower center", ncols=cols, frameon=False)
        fig.suptitle("How officers and auxiliaries spend their working time")
    return fig


def _summarise(runs: pd.DataFrame, by: list[str], key: str, k: float) -> pd.DataFrame:
    rows = []
    for vals, g in runs.groupby(by, sort=True):
        m, lo, hi = mean_ci(list(g[key].to_numpy(float) * k))
        rows.append({**dict(zip(by, vals if isinstance(vals, tuple) else (vals,),
                                strict=True)), "mean": m, "lo": lo, "hi": hi, "n": len(g)})
    return pd.DataFrame(rows)


def _level(v: object) -> str:
    """Show a parameter value: on/off for switches."""
    if isinstance(v, bool | np.bool_):
        return "on" if v else "off"
    return f"{v:g}" if isinstance(v, float) else str(v)


def sweep_lines(runs: pd.DataFrame, x: str, keys: Sequence[str] = (
        "escalation_rate", "injury_crimes_per_10k_year", "response_time_mean_min"),
        hue: str | None = None) -> Figure:
    """Plot a metric against a swept parameter: mean over replications with a 95% band.

    Args:
        runs: One row per run: the parameter columns ``x`` (and ``hue``) and metric columns.
        x: The swept parameter on the horizontal axis (dotted scenario key).
        keys: Metrics, one panel each.
        hue: A second swept parameter drawn as separate lines.

    """
    by = [x] if hue is None else [hue, x]
    numeric = pd.api.types.is_numeric_dtype(runs[x]) and not pd.api.types.is_bool_dtype(runs[x])
    groups = sorted(runs[hue].unique()) if hue else [None]
    colors = style.CB
    with style.figure_style():
        fig = _figure(4.3 * len(keys), 4.0)
        axes = fig.subplots(1, len(keys), squeeze=False)[0]
        for ax, key in zip(axes, keys, strict=True):
            name, unit, k = style.metric_label(key)
            s = _summarise(runs, by, key, k)
            for i, g in enumerate(groups):
                sub = s if g is None else s[s[hue] == g]
                lab = None if g is None else (f"{hue.rsplit('.', 1)[-1].replace('_', ' ')}: "
                                              f"{_level(g)}")
                if numeric:
                    ax.plot(sub[x], sub["mean"], marker="o", color=colors[i % 10], label=lab)
                    if g is None:
                        ax.fill_between(sub[x], sub["lo"], sub["hi"], color=colors[i % 10],
                                        alpha=0.2, lw=0)
                    else:  # several lines: band edges only, so overlaps never mix colours
                        for edge in ("lo", "hi"):
                            ax.plot(sub[x], sub[edge], color=colors[i % 10], lw=0.9,
                                    ls="--", alpha=0.8)
                else:
                    pos = np.arange(len(sub)) + (i - (len(groups) - 1) / 2) * 0.15
                    ax.errorbar(pos, sub["mean"], yerr=np.nan_to_num(np.abs(np.vstack([
                        sub["mean"] - sub["lo"], sub["hi"] - sub["mean"]]))), fmt="o",
                        color=colors[i % 10], capsize=3, label=lab)
                    ax.set_xticks(np.arange(len(sub)), [_level(v) for v in sub[x]])
                    ax.set_xlim(-0.5, len(sub) - 0.5)
            ax.set_title(name, wrap=True)
            ax.set_ylabel(unit)
            ax.set_xlabel(style.parameter_label(x))
            low = float(np.nanmin(s["lo"])) if s["lo"].notna().any() else 0.0
            top = float(np.nanmax(s["hi"])) if s["hi"].notna().any() else 1.0
            if low < 0:  # an interval reaching below zero is shown whole, not cut off
                ax.set_ylim(bottom=low - 0.05 * (top - low))
            else:
                ax.set_ylim(bottom=0)
        if hue is not None:
            handles, labels = axes[0].get_legend_handles_labels()
            if numeric:
                handles.append(Line2D([], [], color="0.4", lw=0.9, ls="--"))
                labels.append("95% confidence band")
            fig.legend(handles, labels, loc="outside lower center", frameon=False,
                       ncols=min(len(labels), 4))
        fig.suptitle("How the outcomes change with "
                     + x.rsplit(".", 1)[-1].replace("_", " "))
    return fig
