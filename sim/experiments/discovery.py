"""Scenario discovery: the boxes of parameter space where the reform falls short (PRIM).

PRIM (the patient rule induction method, Friedman and Fisher 1999) peels a box off the sampled
parameter space, a small slice at a time, so that the share of "cases of interest" (here:
samples where the reform's gain falls short of a threshold) inside it rises; the box is then
described by the few parameters it restricts. We use the EMA workbench's implementation
(``ema_workbench.analysis.prim``, Kwakkel 2017), the reference one for scenario discovery,
and choose the box on its peeling trajectory in the spirit of Bryant and Lempert (2010):
among the boxes whose density reaches the threshold, the one with the largest coverage x
density (so a box that gains density at no loss of coverage is preferred), then restrictions
whose quasi-p value exceeds 0.05 dropped (they are not distinguishable from chance).

* coverage: the share of all cases of interest that lie in the box;
* density: the share of samples in the box that are cases of interest;
* mass: the share of all samples in the box.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Quasi-p value above which a restriction is dropped (Bryant and Lempert 2010).
MAX_QUASI_P = 0.05


@dataclass(frozen=True)
class Box:
    """A PRIM box: its limits on the restricted parameters and how well it describes the cases.

    ``limits`` maps each restricted parameter to ``(low, high)`` and whether each end is
    restricted (an end left at the sampled range's edge is open).
    """

    limits: dict[str, tuple[float, float]]
    open_ends: dict[str, tuple[bool, bool]]
    coverage: float
    density: float
    mass: float
    cases: int  # cases of interest in the box
    samples: int  # samples in the box
    quasi_p: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"limits": {k: list(v) for k, v in self.limits.items()},
                "open_ends": {k: list(v) for k, v in self.open_ends.items()},
                "coverage": self.coverage, "density": self.density, "mass": self.mass,
                "cases": self.cases, "samples": self.samples, "quasi_p": self.quasi_p}


def _prim_module() -> Any:
    with warnings.catch_warnings():  # "ipyparallel not installed": an evaluator we never use
        warnings.simplefilter("ignore", UserWarning)
        try:
            from ema_workbench.analysis import prim  # noqa: PLC0415
        except ImportError as e:
            raise ImportError("scenario discovery (PRIM) needs the EMA workbench: "
                              "pip install -e \".[robustness]\"") from e
    return prim


def find_box(x: pd.DataFrame, y: np.ndarray, density_threshold: float = 0.8,
             mass_min: float = 0.05, peel_alpha: float = 0.05) -> Box | None:
    """The first PRIM box of the cases where ``y`` is true, or None when there are none.

    Args:
        x: One row per sample, one numeric column per uncertain parameter.
        y: Booleans: the cases of interest.
        density_threshold: The least density a chosen box should have; when no box on the
            trajectory reaches it, the densest box is chosen.
        mass_min: The smallest share of samples a box may hold.
        peel_alpha: The share of samples peeled at each step.

    """
    y = np.asarray(y, bool)
    if not y.any() or y.all() or len(x) < 4:
        return None
    prim = _prim_module()
    x = x.reset_index(drop=True).astype(float)
    logger = logging.getLogger("EMA")  # the workbench logs every box at INFO
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore", RuntimeWarning)  # quasi-p of a degenerate box
        for cat in (DeprecationWarning, FutureWarning):  # pandas APIs the workbench still uses
            warnings.filterwarnings("ignore", category=cat, module=r"ema_workbench")
        level = logger.level
        logger.setLevel(logging.WARNING)
        stack.callback(logger.setLevel, level)
        p = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        box = p.find_box()
        traj = box.peeling_trajectory
        ok = traj[traj["density"] >= density_threshold]
        score = ok["coverage"] * ok["density"]
        i = int(score.idxmax()) if len(ok) else int(traj["density"].idxmax())
        box.select(i)
        for key, qp in sorted(box.p_values[i].items()):
            if len(restricted(box.box_lims[box._cur_box], box.box_lims[0])) <= 1:
                break
            if np.nanmax(qp) > MAX_QUASI_P:
                box.drop_restriction(key)
        j = box._cur_box
        lims, init = box.box_lims[j], box.box_lims[0]
        traj = box.peeling_trajectory.iloc[j]
        res = restricted(lims, init)
        qps = box.p_values[j] if j < len(box.p_values) else {}
    return Box({k: (float(lims[k].iloc[0]), float(lims[k].iloc[1])) for k in res},
               {k: (bool(lims[k].iloc[0] <= init[k].iloc[0]),
                    bool(lims[k].iloc[1] >= init[k].iloc[1])) for k in res},
               float(traj["coverage"]), float(traj["density"]), float(traj["mass"]),
               int(traj["k"]), int(traj["n"]),
               {k: float(np.nanmax(v)) for k, v in qps.items() if k in res})


def restricted(lims: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    """The parameters a box restricts (either end inside the sampled range)."""
    return [k for k in lims.columns
            if lims[k].iloc[0] > init[k].iloc[0] or lims[k].iloc[1] < init[k].iloc[1]]
