"""Reports on robustness and sensitivity folders: "How sure are we", and indices as bars.

A robustness folder (``policesim robustness --out``) gets a page whose first screen says, in
plain words, each headline effect's range across the plausible assumptions consistent with the
source report, the probability the reform is better, and where it stops helping (PRIM boxes);
then the effect distributions, both models' levels and the first-order Sobol indices of each
paired effect. A sensitivity folder (``policesim sensitivity --out``) gets its indices as
sorted bars. A folder of either kind that is not finished, or lacks its analysis, is refused
with the reason (:class:`~sim.present.report_data.ReportError`): a report on part of a design
would not say what it seems to say.
"""

from __future__ import annotations

import base64
import io
import json
import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.results import OutputError, prepare_dir, write_json
from sim.present import style
from sim.present.report_data import ReportError

SENSITIVITY_TABLE = "sensitivity.parquet"
EFFECTS, SAMPLES, INDICES, SUMMARY = ("effects.parquet", "samples.parquet", "indices.parquet",
                                      "robustness.json")
TOP = 12  # parameters shown per index chart


def folder_kind(folder: Path) -> str | None:
    """``"robustness"`` or ``"sensitivity"`` for such a sweep folder, else None."""
    try:
        man = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(man, dict) or man.get("kind") != "sweep":
        return None
    return next((k for k in ("robustness", "sensitivity") if k in man), None)


def _check_finished(folder: Path, needed: tuple[str, ...], command: str) -> dict[str, Any]:
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if man.get("status") != "complete":
        raise ReportError(f"{folder}: the {command} run is {man.get('status', 'unfinished')}, "
                          f"so its design is incomplete and its summaries would mislead; "
                          f"finish it with policesim {command} SPEC --out {folder} --resume")
    missing = [f for f in needed if not (folder / f).is_file()]
    if missing:
        raise ReportError(f"{folder}: {missing[0]} is missing (the {command} analysis did not "
                          f"finish, e.g. a run failed); rerun policesim {command} with --resume")
    return man


# ------------------------------------------------------------------ words

def _fmt(metric: str, x: float, signed: bool = True) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    _, unit, k = style.metric_label(metric)
    v = x * k
    s = f"{v:+.1f}" if signed else f"{v:.1f}"
    if unit.startswith("%"):
        return s + " points"  # a change of a share
    return s + (" min" if unit == "minutes" else "")


def _pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.0f}%"


def _num(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def _where(box: dict[str, Any]) -> str:
    parts = []
    for key, (lo, hi) in box["limits"].items():
        open_lo, open_hi = box["open_ends"][key]
        name = style.parameter_label(key)
        if open_lo:
            parts.append(f"{name} is below {_num(hi)}")
        elif open_hi:
            parts.append(f"{name} is above {_num(lo)}")
        else:
            parts.append(f"{name} is between {_num(lo)} and {_num(hi)}")
    return " and ".join(parts)


def tipping_sentence(tp: dict[str, Any], scope_words: str, density: float = 0.8) -> str:
    """One tipping point in plain words (a box under the ``density`` threshold is no region)."""
    label = style.metric_label(tp["metric"])[0].lower()
    bar = (f"{100 * tp['gain']:.0f}%" if tp["relative"]
           else _fmt(tp["metric"], tp["gain"], signed=False))
    head = (f"The reform's gain in {label} falls short of {bar}" if tp["gain"] > 0 else
            f"The reform fails to improve {label}")
    if tp["short"] == 0:
        return (f"{head} in none of the {tp['n']} {scope_words}: across these ranges the reform "
                f"always gains {'at least that much' if tp['gain'] > 0 else 'something'}.")
    if tp["short"] == tp["n"]:
        return f"{head} in all {tp['n']} {scope_words}."
    text = f"{head} in {tp['short']} of {tp['n']} {scope_words} ({_pct(tp['p_short'])})"
    box = tp.get("box")
    if not box or not box["limits"]:
        return text + "; no region of the parameters stands out (PRIM found no box)."
    if box["density"] < density:
        return (f"{text}; no region of the parameters stands out: PRIM's best box ({_where(box)})"
                f" holds such samples only {_pct(box['density'])} of the time, under the "
                f"{_pct(density)} a tipping point needs (too few such samples, or scattered).")
    return (f"{text}, mostly where {_where(box)}: there it does so in "
            f"{_pct(box['density'])} of samples (density), and that region holds "
            f"{_pct(box['coverage'])} of all such samples (coverage; "
            f"{_pct(box['mass'])} of samples lie in it).")


def _scope(summary: dict[str, Any]) -> tuple[str, str]:
    """The scope the headline uses and how to call its samples."""
    n = summary["consistent_samples"]
    if summary.get("conditioned") and n >= 8:
        return "consistent", (f"samples consistent with the report ({n} of "
                              f"{summary['run_samples']})")
    why = ("conditioning is off" if not summary.get("conditioned") else
           f"only {n} of {summary['run_samples']} samples are consistent with the report, too "
           f"few to summarise")
    return "all", f"samples (all {summary['run_samples']}; {why})"


def headline_sentences(effects: pd.DataFrame, summary: dict[str, Any]) -> list[str]:
    """The first screen: each effect's range, P(benefit), and where the reform stops helping."""
    scope, words = _scope(summary)
    out = []
    for m in summary["metrics"]:
        r = effects[(effects["metric"] == m) & (effects["scope"] == scope)]
        if r.empty or r["n"].iloc[0] == 0:
            continue
        r = r.iloc[0]
        label = style.metric_label(m)[0]
        out.append(
            f"<b>{escape(label)}</b>: the reform changes it by {_fmt(m, r['median'])} "
            f"(median; 5-95% range {_fmt(m, r['p05'])} to {_fmt(m, r['p95'])}) across the "
            f"{escape(words)}; it is better in {_pct(r['p_better'])} of them (Monte Carlo 95% "
            f"interval {_pct(r['p_better_mc_low'])}-{_pct(r['p_better_mc_high'])}; median's "
            f"{_fmt(m, r['median_mc_low'])} to {_fmt(m, r['median_mc_high'])}).")
    n_cons = summary["consistent_samples"]
    if scope == "all" and summary.get("conditioned") and n_cons:
        out += [_indicative(effects, summary, n_cons)]
    tips = [t for t in summary["tipping_points"] if t["scope"] == scope]
    out += [escape(tipping_sentence(t, words.split(" (")[0], summary.get("prim_density", 0.8)))
            for t in tips]
    if not tips:
        out.append("No threshold was set for tipping points (the spec's [[thresholds]]).")
    d = summary.get("indices_distinguishable")
    if d:
        named = "; ".join(f"{style.metric_label(m)[0].lower()}: "
                          + ", ".join(style.parameter_label(p) for p in ps)
                          for m, ps in d.items() if ps)
        bad = [style.metric_label(m)[0].lower() for m, ps in d.items() if ps is None]
        text = ("Which assumptions decide the effect (first-order Sobol indices whose 95% "
                "interval excludes 0): " + (named or "none distinguishable from 0") + ".")
        if bad:
            text += (f" Not reliable yet for {', '.join(bad)}: their indices sum above 1 "
                     f"with {summary['run_samples']} samples (more samples, or a Latin "
                     f"hypercube design, are needed).")
        out.append(escape(text))
    return out


def _indicative(effects: pd.DataFrame, summary: dict[str, Any], n: int) -> str:
    """The consistent samples' ranges when they are too few to be the headline."""
    parts = []
    for m in summary["metrics"]:
        r = effects[(effects["metric"] == m) & (effects["scope"] == "consistent")]
        if r.empty or not r["n"].iloc[0]:
            continue
        r = r.iloc[0]
        parts.append(f"{style.metric_label(m)[0].lower()} {_fmt(m, r['p05'])} to "
                     f"{_fmt(m, r['p95'])} (better in {_pct(r['p_better'])})")
    return (f"Indicative only, over the {n} samples consistent with the report: "
            + escape("; ".join(parts)) + ".")


def headline_lines(folder: Path) -> list[str]:
    """The headline sentences as plain text (for the terminal)."""
    summary = json.loads((Path(folder) / SUMMARY).read_text(encoding="utf-8"))
    effects = pd.read_parquet(Path(folder) / EFFECTS)
    import re  # noqa: PLC0415
    from html import unescape  # noqa: PLC0415
    return [unescape(re.sub(r"</?b>", "", s)) for s in headline_sentences(effects, summary)]


# ------------------------------------------------------------------ figures

def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def effect_distributions(samples: pd.DataFrame, metrics: list[str],
                         thresholds: list[dict[str, Any]]) -> Any:
    """One panel per metric: the paired effect over all samples and over consistent ones."""
    fig = _figure(7.5, 1.0 + 1.5 * len(metrics))
    axs = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    for ax, m in zip(axs, metrics, strict=True):
        label, unit, k = style.metric_label(m)
        eff = samples[f"effect:{m}"] * k
        cons = eff[samples["consistent"]]
        bins = np.histogram_bin_edges(eff.dropna(), bins=30) if eff.notna().any() else 10
        ax.hist(eff.dropna(), bins=bins, color="#c8c8c8", label="all samples")
        if cons.notna().any():
            ax.hist(cons.dropna(), bins=bins, color=style.REFORM,
                    label="consistent with the report")
        ax.axvline(0, color="#444", lw=1)
        # one line per threshold (the tipping-point list repeats each for every scope)
        drawn = {(t["gain"], t["relative"]) for t in thresholds if t["metric"] == m}
        for gain, relative in sorted(drawn):
            if not relative:
                sign = -1 if m not in ("resolved_share", "proactive_contact_share") else 1
                ax.axvline(sign * gain * k, color=style.OLD, ls="--", lw=1,
                           label="threshold")
        ax.set_title(f"{label}: reform - old model", loc="left")
        ax.set_xlabel(f"paired change ({unit})" if unit else "paired change")
        ax.set_ylabel("samples")
    axs[0].legend(loc="upper right", fontsize="small")
    return fig


def levels(samples: pd.DataFrame, metrics: list[str]) -> Any:
    """Both models' levels over the consistent samples (all, when none is consistent)."""
    s = samples[samples["consistent"]] if samples["consistent"].any() else samples
    fig = _figure(7.5, 0.8 + 0.9 * len(metrics))
    axs = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    for ax, m in zip(axs, metrics, strict=True):
        label, unit, k = style.metric_label(m)
        data = [(s[f"a:{m}"] * k).dropna(), (s[f"b:{m}"] * k).dropna()]
        bp = ax.boxplot(data, orientation="horizontal", widths=0.6, patch_artist=True, whis=(5, 95),
                        showfliers=False)
        for patch, c in zip(bp["boxes"], (style.OLD, style.REFORM), strict=True):
            patch.set_facecolor(c)
        ax.set_yticks([1, 2], ["old model", "reform"])
        ax.set_title(f"{label} ({unit})" if unit else label, loc="left")
    return fig


def index_bars(table: pd.DataFrame, value: str, conf: str | None, title: str,
               xlabel: str, second: tuple[str, str] | None = None) -> Any:
    """Sorted horizontal bars of one index per output (largest on top), readable labels."""
    outputs = list(dict.fromkeys(table["output"]))
    n = min(TOP, int(table.groupby("output").size().max()))
    fig = _figure(8.0, 0.8 + len(outputs) * (0.6 + 0.28 * n))
    axs = fig.subplots(len(outputs), 1, squeeze=False)[:, 0]
    for ax, out in zip(axs, outputs, strict=True):
        t = table[table["output"] == out].sort_values(value, ascending=False).head(n)[::-1]
        y = np.arange(len(t))
        err = t[conf].clip(lower=0) if conf else None
        h = 0.4 if second else 0.7
        ax.barh(y + (0.2 if second else 0), t[value], h, xerr=err, color=style.REFORM,
                label=value)
        if second:
            ax.barh(y - 0.2, t[second[0]], h, xerr=t[second[1]].clip(lower=0),
                    color=style.OLD, label=second[0])
            ax.legend(loc="lower right", fontsize="small")
        ax.set_yticks(y, [style.parameter_label(p) for p in t["parameter"]], fontsize=8)
        ax.axvline(0, color="#444", lw=0.8)
        ax.set_title(f"{style.metric_label(out)[0]}{title}", loc="left")
        ax.set_xlabel(xlabel)
    return fig


# ------------------------------------------------------------------ pages

def _page(title: str, lede: str, first: str, figures: list[tuple[str, str, Any, str]],
          folder: Path, extra: str = "") -> tuple[str, list[tuple[str, bytes, Any]]]:
    from sim.present.report_page import CSS  # noqa: PLC0415
    pngs, secs = [], []
    for i, (slug, head, fig, caption) in enumerate(figures, 1):
        buf = io.BytesIO()
        with style.figure_style():
            fig.savefig(buf, format="png")
        pngs.append((slug, buf.getvalue(), fig))
        b64 = base64.b64encode(buf.getvalue()).decode("ascii")
        secs.append(f"<section id='{slug}'><h2>{i}. {escape(head)}</h2><figure><img alt='"
                    f"{escape(head)}' src='data:image/png;base64,{b64}'><figcaption>"
                    f"{escape(caption)}</figcaption></figure></section>")
    html = ("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width,initial-scale=1'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body><main><h1>{escape(title)}</h1>"
            f"<p class=lede>{lede}</p>{first}{''.join(secs)}{extra}"
            f"<footer class=small><p>Made by <code>policesim report {escape(str(folder))}"
            "</code> from the results in that folder.</p></footer></main></body></html>\n")
    return html, pngs


def _write(dest: Path, html: str, pngs: list[tuple[str, bytes, Any]],
           summary: dict[str, Any], markdown: str) -> Path:
    try:
        dest = prepare_dir(dest)
        (dest / "figures").mkdir(exist_ok=True)
        for slug, png, fig in pngs:
            (dest / "figures" / f"{slug}.png").write_bytes(png)
            with style.figure_style():
                fig.savefig(dest / "figures" / f"{slug}.svg", format="svg",
                            metadata={"Date": None})
        (dest / "report.html").write_text(html, encoding="utf-8")
        (dest / "summary.md").write_text(markdown, encoding="utf-8")
        write_json(summary, dest / "summary.json")
    except (OutputError, OSError) as e:
        raise ReportError(f"{dest}: cannot write the report ({e})") from None
    return dest / "report.html"


def robustness_report(folder: Path, out: Path | None = None) -> Path:
    """The "How sure are we" report of a robustness folder."""
    _check_finished(folder, (EFFECTS, SAMPLES, INDICES, SUMMARY), "robustness")
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    effects = pd.read_parquet(folder / EFFECTS)
    samples = pd.read_parquet(folder / SAMPLES)
    idx = pd.read_parquet(folder / INDICES).rename(columns={"metric": "output"})
    metrics = summary["metrics"]
    sentences = headline_sentences(effects, summary)
    targets = "; ".join(f"{t['figure']} ({t['reported']}; read as {t['low']:g}-{t['high']:g} "
                        f"+-{t['tolerance']:g}, met by {_pct(t['consistent_share'] or math.nan)}"
                        f" of samples)" for t in summary["targets"])
    excluded = "; ".join(f"{k}: {v}" for k, v in summary.get("excluded", {}).items())
    first = (
        "<section id=how-sure><h2>How sure are we</h2><ul class=headline>"
        + "".join(f"<li>{s}</li>" for s in sentences) + "</ul>"
        f"<p class=small>Each sample draws every uncertain parameter from its plausible range "
        f"({summary['design']} design, {summary['run_samples']} samples, "
        f"{summary['replications']} replication(s) each, {summary['days']:g}-day runs) and runs "
        f"both models with the same random numbers, so each change is paired. A sample is "
        f"consistent with the report when its old model reproduces the reported figures within "
        f"the stated tolerances (largest implausibility at most "
        f"{summary['implausibility_cutoff']:g}): {escape(targets)}. The ranges include the "
        f"replication noise of each sample; the Monte Carlo intervals are bootstrap intervals "
        f"over samples.</p>"
        f"<p class=small>Uncertain parameters: {len(summary['parameters'])} ("
        + escape(", ".join(p["key"] for p in summary["parameters"]))
        + f"). Left out: {escape(excluded or 'none')}.</p></section>")
    lede = (f"Robustness of the reform's effect across plausible assumptions: "
            f"{escape(summary['name'])}, {summary['runs']} runs.")
    ix = idx[idx["S1"].notna()]
    figs = [("effect-distributions", "The reform's effect across plausible assumptions",
             effect_distributions(samples, metrics, summary["tipping_points"]),
             "Histogram of the paired change (reform - old model) per sample: grey all samples,"
             " blue the samples consistent with the report; dashed: the spec's thresholds."),
            ("levels", "Both models across plausible assumptions", levels(samples, metrics),
             "Each model's value over the consistent samples: box 25-75%, whiskers 5-95%.")]
    if not ix.empty:
        figs.append(("indices", "Which assumptions the effect depends on",
                     index_bars(ix, "S1", "S1_conf", ": what moves the reform's effect",
                                "first-order Sobol index of the paired change (RBD-FAST)"),
                     f"Share of the variance of each paired change explained by each parameter "
                     f"alone (top {TOP}; bars: 95% bootstrap intervals). Over all samples."))
    html, pngs = _page("How sure are we? The reform across plausible assumptions", lede, first,
                       figs, folder)
    md = "# How sure are we\n\n" + "\n".join(f"- {s}" for s in headline_lines(folder)) + "\n"
    return _write(out or folder / "report", html, pngs, {"headline": headline_lines(folder),
                                                        **summary}, md)


def sensitivity_report(folder: Path, out: Path | None = None) -> Path:
    """The indices of a sensitivity folder as sorted bars (no baseline, no curves)."""
    man = _check_finished(folder, (SENSITIVITY_TABLE,), "sensitivity")
    table = pd.read_parquet(folder / SENSITIVITY_TABLE)
    spec = man.get("sensitivity", {})
    method = str(table["method"].iloc[0])
    paired = bool(spec.get("compare"))
    what = "the paired change (reform - old model)" if paired else "the level within one scenario"
    if method == "morris":
        fig = index_bars(table, "mu_star", "mu_star_conf", "", "mu* (mean |elementary "
                         "effect| across the range)")
        cap = "Morris mu*: how much each parameter moves the output across its range."
    else:
        fig = index_bars(table, "ST", "ST_conf", "", "Sobol index", second=("S1", "S1_conf"))
        cap = "Total (ST) and first-order (S1) Sobol indices with 95% intervals."
    runs = man.get("runs", {}).get("total", "?")
    lede = (f"{escape(method.title())} sensitivity of {escape(what)}: "
            f"{len(set(table['parameter']))} parameters, {runs} runs. Sorted, largest on top.")
    words = [f"{style.metric_label(o)[0]}: most sensitive to "
             + ", ".join(style.parameter_label(p) for p in t.sort_values(
                 "mu_star" if method == "morris" else "ST", ascending=False)["parameter"][:3])
             for o, t in table.groupby("output", sort=False)]
    first = ("<section id=summary><h2>What moves the outputs</h2><ul class=headline>"
             + "".join(f"<li>{escape(w)}</li>" for w in words) + "</ul></section>")
    html, pngs = _page("Sensitivity: which assumptions matter", lede, first,
                       [("indices", "Indices", fig, cap)], folder)
    md = "# Sensitivity\n\n" + "\n".join(f"- {w}" for w in words) + "\n"
    return _write(out or folder / "report", html, pngs, {"method": method, "paired": paired,
                                                        "lines": words}, md)


def write_if_special(folder: str | Path, out: str | Path | None = None) -> Path | None:
    """The report of a robustness or sensitivity folder; None for any other folder."""
    kind = folder_kind(Path(folder))
    if kind is None:
        return None
    dest = Path(out) if out is not None else None
    if kind == "robustness":
        return robustness_report(Path(folder), dest)
    return sensitivity_report(Path(folder), dest)
