"""Every kind of report figure: its words fit on the canvas, its caption quotes what it plots."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from test_plots import small_compare  # noqa: F401 (a fixture)

from sim.present import plots
from sim.present.report import build_figures, load_results, sweep_component_effects
from sim.present.report_page import effects_caption, summary_markdown, sweep_caption
from sim.scenario import COMPONENTS

NUM = r"-?\d[\d,]*(?:\.\d+)?"


def _nums(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(NUM, text)]


def assert_fits(fig: Figure) -> None:
    """Every visible title, label, tick label, annotation and legend lies inside the figure."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    w, h = fig.bbox.width, fig.bbox.height

    def inside(bb, what: str) -> None:
        assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= w + 1 and bb.y1 <= h + 1, (
            f"{what!r} sticks out of the {w:.0f}x{h:.0f} canvas: {bb}")
    texts = [t for t in [fig._suptitle, *fig.texts] if t is not None]
    for t in texts:
        if t.get_visible() and t.get_text().strip():
            inside(t.get_window_extent(r), t.get_text())
    for ax in fig.axes:  # title, axis labels, the tick labels drawn, annotations, legend
        inside(ax.get_tightbbox(r), f"axes {ax.get_title()!r}")
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for leg in legends:
        inside(leg.get_window_extent(r), "legend")


def _close(x: float, values, tol: float = 0.051) -> bool:
    return any(abs(x - v) <= tol for v in values)


@pytest.fixture(scope="module")
def compare_figs(small_compare):  # noqa: F811
    res = load_results(small_compare)
    figs, _ = build_figures(res, {})
    return res, {f.slug: f for f in figs}


@pytest.fixture(scope="module")
def run_figs(small_compare):  # noqa: F811
    res = load_results(small_compare / "a")
    figs, _ = build_figures(res, {})
    return res, {f.slug: f for f in figs}


def test_every_compare_and_run_figure_fits(compare_figs, run_figs):
    for _, figs in (compare_figs, run_figs):
        for f in figs.values():
            assert_fits(f.figure)


def test_single_run_map_names_only_what_it_draws(run_figs):
    _, figs = run_figs
    f = figs["township-map"]
    labels = [t.get_text() for leg in f.figure.legends for t in leg.get_texts()]
    assert "Village (size: population)" in labels
    assert not any("Center office" in lab for lab in labels)
    assert "square" not in f.caption and "center office" not in f.caption
    assert "per model" not in f.caption


def test_map_caption_explains_the_detour_factor_and_quotes_the_plotted_medians(compare_figs):
    _, figs = compare_figs
    f = figs["township-map"]
    circuity = float(re.search(r"detour factor of ([\d.]+)", f.caption).group(1))
    radii = _nums(re.search(r"diamonds lie (.*?) km from the star", f.caption).group(1))
    assert radii == [round(10 / circuity, 1), round(20 / circuity, 1)]
    for ax in f.figure.axes:  # the diamonds drawn have those grid radii
        dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
        if dashed:
            got = sorted((max(ln.get_xdata()) - min(ln.get_xdata())) / 2 for ln in dashed)
            assert got == pytest.approx([10 / circuity, 20 / circuity])
    quoted = _nums(re.search(r"median is (.*?);", f.caption).group(1))
    panels = [ax for ax in f.figure.axes if ax.get_label() != "<colorbar>"]
    slowest = [max(float(np.nanmax(c.get_array())) for c in ax.collections
                   if c.get_array() is not None and len(c.get_array())) for ax in panels]
    assert len(quoted) == len(slowest)
    for q, s in zip(quoted, slowest, strict=True):
        assert q == pytest.approx(s, abs=0.051)


def test_interval_caption_quotes_the_changes_on_the_figure(compare_figs):
    _, figs = compare_figs
    f = figs["violence-and-injuries"]
    key = f.caption.split("Key number:")[1].split("Both models")[0]
    on_fig = [x for t in f.figure.findobj(Text) for x in _nums(t.get_text())]
    for x in _nums(key):
        assert _close(x, on_fig), (x, key)


def test_ecdf_caption_medians_are_where_the_far_curves_cross_half(compare_figs):
    res, figs = compare_figs
    f = figs["response-time-by-distance"]
    meds = _nums(f.caption.split("waited longer than")[1])[:len(res.labels)]
    far = f.figure.axes[len([a for a in f.figure.axes if a.lines]) - 1]
    for lab, med in zip(res.labels, meds, strict=True):
        (line,) = [ln for ln in far.lines if ln.get_label() == lab]
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)

        def y_at(t: float, x=x, y=y) -> float:
            return float(y[x <= t].max()) if (x <= t).any() else 0.0
        assert y_at(med + 0.051) >= 0.5 - 1e-9 and y_at(med - 0.051) <= 0.5 + 1e-9, lab


def test_budget_caption_quotes_bar_widths(compare_figs):
    res, figs = compare_figs
    f = figs["time-budgets"]
    for ax, lab in zip(f.figure.axes, res.labels, strict=False):
        part = f.caption.split("Key numbers:")[1].split(";")[res.labels.index(lab)]
        widths = [p.get_width() * 100 for p in ax.patches if isinstance(p, Rectangle)]
        for x in _nums(part):
            assert _close(x, widths, 0.5), (x, part)


def _bool_num_runs(flat: bool = False) -> pd.DataFrame:
    rows = []
    for p, (aux, alerts) in enumerate([(a, s) for s in (False, True) for a in (0, 2, 4)]):
        for k in range(3):
            esc = 0.05 if flat else 0.10 - 0.01 * aux - 0.03 * alerts + 0.002 * k
            rows.append({"point": p, "replication": k, "staff.auxiliaries": aux,
                         "reform.smart_alerts": alerts, "escalation_rate": esc,
                         "injury_crimes_per_10k_year": 10.0 - aux + k,
                         "response_time_mean_min": 30.0 - 3 * aux + 0.5 * k})
    return pd.DataFrame(rows)


def test_sweep_figures_fit_and_their_captions_quote_plotted_means():
    runs = _bool_num_runs()
    for ax_key, hue in (("staff.auxiliaries", "reform.smart_alerts"),
                        ("reform.smart_alerts", "staff.auxiliaries")):
        fig = plots.sweep_lines(runs, ax_key, hue=hue)
        assert_fits(fig)
        cap = sweep_caption(runs, ax_key, hue, 2)
        assert "True" not in cap and "False" not in cap
        key = cap.split("Key number:")[1]
        plotted = []
        first = fig.axes[0]
        for ln in first.lines:
            if ln.get_marker() == "o":
                plotted += list(np.asarray(ln.get_ydata(), float))
        for c in first.containers:  # error bars of an on/off axis
            plotted += list(c.lines[0].get_ydata())
        pct = [x for x in _nums(key) if "%" in key]
        quoted = [float(m) for m in re.findall(r"(" + NUM + r")%", key)]
        assert pct and len(quoted) == 2
        for q in quoted:
            assert _close(q, plotted), (q, plotted)


def test_sweep_caption_says_when_nothing_changes():
    runs = _bool_num_runs(flat=True)
    cap = sweep_caption(runs, "staff.auxiliaries", "reform.smart_alerts", 2)
    assert "stay at 5.0%" in cap and "from 5.0% at" not in cap


def test_overlapping_sweep_bands_do_not_mix_colours():
    fig = plots.sweep_lines(_bool_num_runs(), "staff.auxiliaries", hue="reform.smart_alerts")
    for ax in fig.axes:
        filled = [c for c in ax.collections if len(c.get_facecolor()) and
                  c.get_facecolor()[0][3] > 0 and c.get_paths() and
                  c.__class__.__name__ in ("PolyCollection", "FillBetweenPolyCollection")]
        assert not filled


def test_intervals_below_zero_are_not_cut_off():
    runs = _bool_num_runs()
    runs["response_time_mean_min"] = [-2.0, 5.0, 12.0] * 6  # a wide interval around 5
    fig = plots.sweep_lines(runs, "reform.smart_alerts", hue="staff.auxiliaries")
    ax = fig.axes[2]
    lows = [min(seg[:, 1].min() for seg in c.get_segments()) for c in ax.collections
            if hasattr(c, "get_segments") and c.get_segments()]
    assert lows and ax.get_ylim()[0] <= min(lows)
    met = pd.DataFrame({"model": ["x"] * 3, "replication": [0, 1, 2],
                        "escalation_rate": [0.0, 0.0, 0.03],
                        "injury_crimes_per_10k_year": [0.0, 1.0, 9.0]})
    fig = plots.outcome_intervals(met, order=["x"])
    for a in fig.axes:
        (bar,) = [c for c in a.collections if hasattr(c, "get_segments") and c.get_segments()]
        assert a.get_xlim()[0] <= bar.get_segments()[0][:, 0].min()
    assert_fits(fig)


def test_component_effects_fit_and_caption_quotes_bar_lengths():
    cols = [f"reform.{c}" for c in COMPONENTS]
    rows = []
    designs = [dict.fromkeys(cols, False), dict.fromkeys(cols, True)]
    designs += [{**dict.fromkeys(cols, False), c: True} for c in cols]
    for p, d in enumerate(designs):
        for k in range(3):
            rows.append({**d, "point": p, "replication": k,
                         "escalation_rate": 0.10 - 0.01 * sum(d.values()) - 0.02 * d[cols[0]]
                         + 0.001 * k, "injury_crimes_per_10k_year": 10.0 + k,
                         "response_time_mean_min": 30.0 - 2 * d[cols[1]]})
    eff = sweep_component_effects(pd.DataFrame(rows), cols)
    fig = plots.component_effects(eff)
    assert_fits(fig)
    cap = effects_caption(eff, 3)
    widths = [p.get_width() for p in fig.axes[0].patches]  # drawn in points
    for x in _nums(cap.split("Key number:")[1]):
        assert _close(x, widths), (x, widths)


def test_summary_markdown_escapes_pipes_and_names_the_sources(compare_figs):
    from markdown_it import MarkdownIt

    from sim.present.report_page import summary
    res, figs = compare_figs
    md = summary_markdown(summary(res), list(figs.values()))
    assert "(REFERENCES)" not in md
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    cells = [t.children[0].content for t in tokens if t.type == "inline" and t.children]
    assert any("P(injury | dispute)" in c for c in cells)
