"""Running replications of a scenario and comparing two scenarios with paired statistics."""

from __future__ import annotations

import contextlib
import gc
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import (
    METRICS,
    Tables,
    compute_metrics,
    resources,
    resources_frame,
    tables_from_records,
)
from sim.scenario import Scenario
from sim.world.geography import Layout
from sim.world.model import PolicingModel


@dataclass
class RunResult:
    """One replication of one scenario."""

    scenario: Scenario
    replication: int
    seed: int
    tables: Tables
    metrics: dict[str, float]


#: Allocations between the cyclic collector's youngest-generation passes during a run (Python's
#: default is 700). Chosen by measurement, not from a source: at 200,000 a 20-township year ran
#: 22.6 s instead of 29.0 s with the same peak memory (docs/performance.md).
GC_THRESHOLD = 200_000


@contextlib.contextmanager
def quiet_gc(threshold: int = GC_THRESHOLD) -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of a simulation's way, then restore it.

    A run allocates millions of short-lived objects (events, jobs, records) while its
    long-lived ones (townships, populations, records so far) only grow, so with the default
    thresholds the collector re-scans the same survivors over and over: 20% of a prefecture
    run, growing with its size. Objects alive at the start are frozen (never scanned) and
    young-generation passes come every ``threshold`` allocations. Results cannot change: every
    pending event of a closed dispute is cancelled before the agent is dropped, so when an
    object is freed never decides what happens.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def run_once(scenario: Scenario, replication: int = 0, seed: int | None = None,
             layouts: Sequence[Layout] | None = None) -> RunResult:
    """Simulate one replication and compute its metrics."""
    root = scenario.seed if seed is None else seed
    if layouts is None:
        layouts = layouts_for(scenario)
    with quiet_gc():
        model = PolicingModel(scenario, replication, root_seed=root, layouts=layouts,
                              keep_arrivals=False)
        records = model.simulate()
    del model  # its rows are the tables' only source from here on
    tables = tables_from_records(records, consume=True)
    return RunResult(scenario, replication, root, tables, compute_metrics(tables))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while replications ran: carries the ones that had finished.

    ``a`` holds them; for a comparison ``b`` holds B's, pair by pair with ``a``.
    """

    def __init__(self, a: list[RunResult], b: list[RunResult] | None = None) -> None:
        super().__init__()
        self.a, self.b = a, b


def run_replications(scenario: Scenario, reps: int = 1, seed: int | None = None,
                     progress: bool = False, label: str = "",
                     kept: Sequence[RunResult] = ()) -> list[RunResult]:
    """Replications 0..reps-1 (replication k is seeded SeedSequence(seed, (k,))).

    ``kept`` are replications 0..len(kept)-1 already run (read back from an interrupted
    ``--out`` folder); only the others are run.

    Raises:
        Interrupted: on Ctrl-C, with the replications finished so far.

    """
    layouts = layouts_for(scenario)
    done = list(kept)
    bar = tqdm(range(len(done), reps), desc=label or scenario.name, file=sys.stderr,
               disable=not progress, unit="run", leave=False)
    try:
        for k in bar:
            done.append(run_once(scenario, k, seed, layouts))
    except KeyboardInterrupt:
        raise Interrupted(done) from None
    return done


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def summarize(results: Sequence[RunResult]) -> dict[str, Any]:
    """The ``--json`` object: metric means, one entry per replication, scenario and seed."""
    df = pd.DataFrame([r.metrics for r in results], columns=list(METRICS))
    out: dict[str, Any] = {k: _clean(float(df[k].mean())) for k in METRICS}
    out["replications"] = [{"replication": r.replication, **{k: _clean(v) for k, v in
                                                             r.metrics.items()}}
                           for r in results]
    out["scenario"] = results[0].scenario.name if results else ""
    out["policy"] = results[0].scenario.policy if results else ""
    out["seed"] = results[0].seed if results else None
    out["resources"] = mean_resources(results)
    return out


def mean_resources(results: Sequence[RunResult]) -> dict[str, dict[str, float]]:
    """Each post's resources (:func:`~sim.experiments.metrics.resources`), mean over runs."""
    if not results:
        return {}
    df = resources_frame([resources(r.tables) for r in results])
    if not len(df):
        return {}
    means = df.drop(columns="replication").groupby("post").mean()
    return {str(p): {k: _clean(float(v)) for k, v in row.items()} for p, row in means.iterrows()}


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval (NaN bounds with fewer than 2 values)."""
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], float)
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if len(x) < 2 or np.all(x == x[0]):
        return m, (m if len(x) >= 2 else float("nan")), (m if len(x) >= 2 else float("nan"))
    from scipy import stats  # noqa: PLC0415  (here, not at the top: sweep workers never need it)

    h = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - h, m + h


def paired_comparison(a: Sequence[RunResult], b: Sequence[RunResult]) -> pd.DataFrame:
    """Per metric: both means, the paired difference B - A, its 95% interval, the correlation.

    Replication k of A and of B share their random streams (common random numbers), so the
    difference is paired. Also the relative change's interval (Fieller, on the paired ratio:
    :func:`~sim.experiments.analysis.ratio_interval`) and the correlation between the sides'
    per-replication values.
    """
    from sim.experiments.analysis import clip_share, ratio_interval, side_correlations  # noqa: PLC0415

    corr = side_correlations([r.metrics for r in a], [r.metrics for r in b])
    rows = []
    for key in METRICS:
        xa = np.array([r.metrics[key] for r in a], float)
        xb = np.array([r.metrics[key] for r in b], float)
        ok = ~(np.isnan(xa) | np.isnan(xb))
        m_d, lo, hi = mean_ci(list(xb[ok] - xa[ok]))
        lo, hi = clip_share(key, lo, hi, difference=True)
        ma = float(np.nanmean(xa)) if (~np.isnan(xa)).any() else float("nan")
        mb = float(np.nanmean(xb)) if (~np.isnan(xb)).any() else float("nan")
        # relative to the baseline mean over the same pairs as the difference (as
        # analysis.paired_differences does), not over every replication where A is defined
        base = float(xa[ok].mean()) if ok.any() else float("nan")
        rel = m_d / base if base != 0.0 and not math.isnan(base) else float("nan")
        _, rlo, rhi = ratio_interval(xa[ok], xb[ok])  # Fieller, on the paired ratio
        rows.append({"metric": key, "mean_a": ma, "mean_b": mb, "diff": m_d, "ci_low": lo,
                     "ci_high": hi, "rel_change": rel, "pairs": int(ok.sum()),
                     "rel_ci_low": rlo, "rel_ci_high": rhi,
                     "correlation": corr.get(key, float("nan"))})
    return pd.DataFrame(rows)


#: Added to the root seed for side B of ``compare --independent`` (any other root would do).
INDEPENDENT_SEED_OFFSET = 1_000_003


def compare(a: Scenario, b: Scenario, reps: int, seed: int | None = None,
            progress: bool = False, independent: bool = False,
            kept: tuple[Sequence[RunResult], Sequence[RunResult]] = ((), ()),
            ) -> tuple[list[RunResult], list[RunResult], pd.DataFrame]:
    """Run both scenarios with the same seeds and compare them pair by pair.

    Pairs run in turn (A then B for replication 0, then 1, ...), so Ctrl-C keeps every
    finished pair; each replication has its own seed, so the order changes no number.
    ``kept`` are the first pairs already run (from an interrupted ``--out`` folder).
    With ``independent``, side B is seeded from another root (``seed +
    INDEPENDENT_SEED_OFFSET``), so the sides share no random numbers: the same table then shows
    what the variance of the difference would be without common random numbers.

    Raises:
        Interrupted: on Ctrl-C, with the finished pairs (``a`` and ``b`` of equal length).

    """
    seed = a.seed if seed is None else seed  # one seed for both: common random numbers
    seed_b = seed + INDEPENDENT_SEED_OFFSET if independent else seed
    ra, rb = list(kept[0]), list(kept[1])
    n = min(len(ra), len(rb))
    del ra[n:], rb[n:]
    la, lb = layouts_for(a), layouts_for(b)
    bar = tqdm(range(n, reps), desc=f"{a.name} / {b.name}", file=sys.stderr,
               disable=not progress, unit="pair", leave=False)
    try:
        for k in bar:
            x = run_once(a, k, seed, la)
            y = run_once(b, k, seed_b, lb)
            ra.append(x)
            rb.append(y)
    except KeyboardInterrupt:
        raise Interrupted(ra, rb) from None
    return ra, rb, paired_comparison(ra, rb)
