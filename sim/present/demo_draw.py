"""Pictures of the classroom demo: the two township maps and the live charts (PNG bytes).

Matplotlib's object interface (no pyplot), so drawing is thread-safe and leaves no global state;
the page shows the PNG. Colours: orange is always the old model and teal the reform (the
colour-blind-safe Dark2 pair); dispute states use one hue each.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.present.demo_model import (
    DISPUTE_CATEGORIES,
    DemoPair,
    dispute_marks,
    place_xy,
    responder_marks,
)

OLD_COLOUR, REFORM_COLOUR = "#d95f02", "#1b9e77"
DISPUTE_COLOURS = {"simmering": "#f0c419", "awaiting joint mediation": "#a6761d",
                   "called in": "#ff7f00", "escalated": "#e31a1c",
                   "being mediated": "#1f78b4", "resolved": "#33a02c", "faded": "#b0b0b0"}
# role -> (marker, colour, size, label)
ROLE_STYLE = {"station_officer": ("^", "#08306b", 46, "station officer"),
              "district_chief": ("^", "#4292c6", 46, "district chief"),
              "community_officer": ("D", "#6a51a3", 34, "community officer"),
              "auxiliary": ("o", "#252525", 16, "auxiliary")}
assert set(DISPUTE_COLOURS) == set(DISPUTE_CATEGORIES)


def png(fig: Figure, dpi: int = 80) -> bytes:
    """Render the figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _township(ax, pair: DemoPair, side: int) -> None:
    """Draw one township: villages, station, center offices, disputes, people and trips."""
    model = pair.sides[side]
    tw = model.townships[0]
    xy = place_xy(model)
    villages, station = xy[:-1], xy[-1]
    pop = tw.layout.population.astype(float)
    ax.scatter(villages[:, 0], villages[:, 1], s=60 * pop / pop.mean(), c="#e8e8e8",
               edgecolors="#9e9e9e", linewidths=0.8, zorder=1)
    if model.policy.components.center_offices:
        cv = xy[tw.center_village]
        ax.scatter(cv[:, 0], cv[:, 1], s=210, marker="p", facecolors="none",
                   edgecolors="#4292c6", linewidths=2.0, zorder=2)
    ax.scatter([station[0]], [station[1]], s=260, marker="s", c="#08306b", zorder=2)
    ax.annotate("station", station, xytext=(0, -34), textcoords="offset points",
                ha="center", fontsize=10, fontweight="bold", color="#08306b", zorder=6,
                bbox={"fc": "white", "ec": "none", "alpha": 0.75, "pad": 1})
    marks = dispute_marks(model)
    for cat in DISPUTE_CATEGORIES:
        pts = np.array([(m["x"], m["y"]) for m in marks if m["category"] == cat]).reshape(-1, 2)
        ax.scatter(pts[:, 0], pts[:, 1], s=44, c=DISPUTE_COLOURS[cat], edgecolors="white",
                   linewidths=0.5, zorder=4)
    people = responder_marks(model)
    for p in people:
        if p["moving"]:
            ax.plot([p["x"], p["tx"]], [p["y"], p["ty"]], color="#08306b", lw=0.9, ls=":",
                    zorder=3)
    for role, (marker, colour, size, _) in ROLE_STYLE.items():
        pts = np.array([(p["x"], p["y"]) for p in people if p["role"] == role]).reshape(-1, 2)
        ax.scatter(pts[:, 0], pts[:, 1], s=size, marker=marker, c=colour, edgecolors="white",
                   linewidths=0.5, zorder=5)
    moving = sum(p["moving"] for p in people)
    ax.set_title(f"{pair.labels[side]}\n{moving} on the road, {len(marks)} disputes shown",
                 color=(OLD_COLOUR, REFORM_COLOUR)[side], fontsize=12)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color((OLD_COLOUR, REFORM_COLOUR)[side])
        s.set_linewidth(2)


def draw_maps(pair: DemoPair) -> Figure:
    """Draw both townships side by side with one shared legend."""
    # 10 x 5.8 inches (not larger): the page scales the picture down to fit a 1280 x 720
    # projector, and a smaller canvas keeps the words readable from the back of the room.
    fig = Figure(figsize=(10.0, 5.8))
    # Fixed margins, not a layout engine: the page redraws this after every step.
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.13, wspace=0.04)
    axes = fig.subplots(1, 2)
    xy = place_xy(pair.sides[0])
    pad = 2.5
    for side, ax in enumerate(axes):
        _township(ax, pair, side)
        ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
        ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    handles = [Line2D([], [], ls="", marker="o", color=DISPUTE_COLOURS[c], label=c)
               for c in DISPUTE_CATEGORIES]
    handles += [Line2D([], [], ls="", marker=m, color=c, label=lab)
                for m, c, _, lab in ROLE_STYLE.values()]
    handles += [Line2D([], [], ls="", marker="s", color="#08306b", label="police station"),
                Line2D([], [], ls="", marker="p", mfc="none", mec="#4292c6", mew=2,
                       label="center office"),
                Line2D([], [], ls=":", color="#08306b", label="on the way")]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=10, frameon=False,
               handletextpad=0.2, columnspacing=1.0)
    return fig


def draw_charts(pair: DemoPair) -> Figure:
    """Draw cumulative escalations and the response-time distributions of both sides."""
    fig = Figure(figsize=(9.0, 3.4))
    fig.subplots_adjust(left=0.07, right=0.99, top=0.9, bottom=0.16, wspace=0.22)
    ax1, ax2 = fig.subplots(1, 2)
    h = pair.history
    ax1.step(h["day"], h["escalated_old"], where="post", color=OLD_COLOUR, lw=2,
             label="old model")
    ax1.step(h["day"], h["escalated_reform"], where="post", color=REFORM_COLOUR, lw=2,
             label="reform")
    ax1.set_xlim(0, max(1.0, h["day"][-1]))
    ax1.set_ylim(0, max(5.0, 1.15 * max(h["escalated_old"] + h["escalated_reform"])))
    ax1.set_xlabel("day")
    ax1.set_ylabel("disputes that became a fight")
    ax1.set_title("Escalations so far (same disputes on both sides)")
    ax1.legend(loc="upper left")
    times = [np.asarray(t.response_min) for t in pair.tallies]
    top = max([90.0] + [float(np.quantile(t, 0.98)) for t in times if len(t)])
    bins = np.linspace(0.0, 5.0 * math.ceil(top / 5.0), 25)
    for t, colour, name in zip(times, (OLD_COLOUR, REFORM_COLOUR), ("old model", "reform"),
                               strict=True):
        if len(t):
            label = f"{name}: median {np.median(t):.0f} min ({len(t)} calls)"
            ax2.hist(np.clip(t, 0, bins[-1]), bins=bins, histtype="stepfilled", alpha=0.35,
                     color=colour, label=label)
            ax2.axvline(float(np.median(t)), color=colour, lw=2, ls="--")
        else:
            ax2.plot([], [], color=colour, label=f"{name}: no calls answered yet")
    ax2.set_xlim(0, bins[-1])  # also before the first call: no negative minutes or counts
    ax2.set_ylim(bottom=0, top=max(5.0, ax2.get_ylim()[1]))
    ax2.set_xlabel("minutes from call to first responder on scene")
    ax2.set_ylabel("calls")
    ax2.set_title("Response times (all police calls so far)")
    ax2.legend(loc="upper right")
    return fig
