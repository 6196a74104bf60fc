"""Draw docs/img/warmup.png from ``policesim warmup ... --json`` output.

    policesim warmup scenarios/station_centred.toml scenarios/center_office.toml \
        --reps 10 --json > warmup.json
    python scripts/warmup_figure.py warmup.json docs/img/warmup.png

One panel per daily series; each policy's mean over replications (a 5-day moving mean drawn
over the daily values) with its MSER-5 truncation point as a dashed line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.experiments.warmup import SERIES
from sim.present import style


def main(argv: list[str]) -> int:
    """Read the JSON, write the PNG."""
    src, dst = Path(argv[0]), Path(argv[1])
    data = json.loads(src.read_text())
    fig, axes = plt.subplots(1, len(SERIES), figsize=(12, 3.4), sharex=True)
    colours = {"station_centred": style.OLD, "center_office": style.REFORM}
    for ax, (key, text) in zip(axes, SERIES.items(), strict=True):
        for st in data["studies"]:
            y = np.asarray(st["series"][key], float)
            c = colours.get(st["policy"], "k")
            ax.plot(y, color=c, alpha=0.25, lw=0.8)
            smooth = np.convolve(y, np.ones(5) / 5, mode="valid")
            ax.plot(np.arange(2, 2 + len(smooth)), smooth, color=c, lw=1.6,
                    label=style.POLICY_LABELS.get(st["policy"], st["scenario"]))
            ax.axvline(st["truncation_days"][key], color=c, ls="--", lw=1.2)
        ax.set_title(text, fontsize=9)
        ax.set_xlabel("day of the run (no warm-up)")
    axes[0].legend(fontsize=8, frameon=False)
    rec = data["recommended_warmup_days"]
    first = data["studies"][0]
    fig.suptitle(f"Daily series from an empty township, mean of {first['reps']} replications; "
                 f"dashed: MSER-5 truncation (recommended warm-up {rec} days)", fontsize=10)
    fig.tight_layout()
    dst.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(dst, dpi=110)
    print(f"wrote {dst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
