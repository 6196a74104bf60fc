"""Sharded runs: the townships of each replication split across workers, then merged.

Townships share no responders, and every random process of a township has its own stream
(:mod:`sim.world.streams`), so a worker that simulates some of the townships produces exactly
their rows of the whole run. :func:`merge_records` renumbers what is numbered run-wide (dispute
ids, call ids) as the whole run numbers it and puts rows in the whole run's canonical order,
so the merged records, tables and metrics are the same bits whatever the number of workers and
the back-end (local processes or Dask). Replications spread over the workers too.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from sim.experiments.executors import Backend, RunOutcome, execute, open_backend
from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import compute_metrics, tables_from_records
from sim.experiments.run import RunResult, quiet_gc
from sim.scenario import Scenario
from sim.world.model import PolicingModel
from sim.world.records import Records


class ShardError(RuntimeError):
    """A shard that failed: the replication it belongs to cannot be merged."""


@dataclass(frozen=True)
class ShardTask:
    """Some townships of one replication."""

    run_id: str
    point: int  # the shard's number within its replication (the executors' ordering key)
    replication: int
    seed: int
    scenario: Scenario
    townships: tuple[int, ...]


def run_shard(task: ShardTask) -> Records:
    """Simulate the task's townships of its replication and return their records."""
    with quiet_gc():
        model = PolicingModel(task.scenario, task.replication, root_seed=task.seed,
                              layouts=layouts_for(task.scenario), townships=task.townships)
        return model.simulate()


def split_townships(townships: int, shards: int) -> list[tuple[int, ...]]:
    """Townships 0..n-1 in ``shards`` contiguous blocks of nearly equal size (none empty)."""
    shards = max(1, min(shards, townships))
    return [tuple(int(t) for t in block) for block in
            np.array_split(np.arange(townships), shards)]


def merge_records(parts: Sequence[Records]) -> Records:
    """The records of a whole run from the records of its township shards.

    Dispute ids are ranks by (arrival time, township, rank in the township), as the whole run
    numbers its disputes; a shard numbers its own the same way, so within a township a shard's
    order is the township's. Calls, injuries and visits then follow the canonical order of
    :meth:`Records.canonical_order`.
    """
    order = []  # (arose later, t_start, township, rank in township, part, old id)
    for p, part in enumerate(parts):
        rank: dict[int, int] = {}
        for rec in sorted(part.disputes, key=lambda r: r.dispute_id):
            k = rank.get(rec.township, 0)
            rank[rec.township] = k + 1
            # disputes that arose during the run (repeats of failed mediations) are numbered
            # after those drawn up front, by when they arose, as in the whole run
            later = rec.dispute_id >= part.prepared_disputes
            order.append((later, rec.t_start, rec.township, k, p, rec.dispute_id))
    order.sort()
    new_id: list[dict[int, int]] = [{} for _ in parts]
    for i, (_, _, _, _, p, old) in enumerate(order):
        new_id[p][old] = i
    merged = Records()
    for p, part in enumerate(parts):
        ids = new_id[p]
        for rec in part.disputes:
            rec.dispute_id = ids[rec.dispute_id]
        for rec in part.calls:
            if rec.dispute_id >= 0:
                rec.dispute_id = ids[rec.dispute_id]
        for row in part.injuries + part.reports:
            if row["dispute_id"] >= 0:
                row["dispute_id"] = ids[row["dispute_id"]]
        merged.calls += part.calls
        merged.disputes += part.disputes
        merged.injuries += part.injuries
        merged.visits += part.visits
        merged.workload += part.workload
        merged.staff += part.staff
        merged.villages += part.villages
        merged.cases += part.cases
        merged.reports += part.reports
        merged.prepared_disputes += part.prepared_disputes
        merged.missed_visits += part.missed_visits
        merged.residents += part.residents
    merged.horizon_min, merged.warmup_min = parts[0].horizon_min, parts[0].warmup_min
    merged.period_end_min = parts[0].period_end_min
    merged.canonical_order()
    return merged


def shards_per_replication(townships: int, reps: int, workers: int) -> int:
    """Enough shards per replication to keep every worker busy, no more (coarse tasks)."""
    return max(1, min(townships, math.ceil(workers / reps)))


def run_sharded(scenario: Scenario, reps: int = 1, seed: int | None = None,
                workers: int | None = None, backend: str = "local",
                scheduler: str | None = None, progress: bool = False,
                dask_processes: bool = True, shards: int | None = None) -> list[RunResult]:
    """Replications 0..reps-1, each split by township across the workers and merged.

    The results equal :func:`~sim.experiments.run.run_replications`' bit for bit.

    Args:
        scenario: The scenario.
        reps: Replications.
        seed: Root seed (default: the scenario's).
        workers: Worker processes (default: all cores); the Dask LocalCluster's size.
        backend: ``"local"`` or ``"dask"``.
        scheduler: A Dask scheduler address (default: a LocalCluster).
        progress: A progress bar of finished shards on stderr.
        dask_processes: LocalCluster workers as processes (True) or threads.
        shards: Shards per replication (default: :func:`shards_per_replication`).

    Raises:
        ShardError: a shard failed.

    """
    root = scenario.seed if seed is None else seed
    n_towns = scenario.township.townships if layouts_for(scenario) is None else 1
    parts: dict[int, dict[int, Records]] = {k: {} for k in range(reps)}
    results: dict[int, RunResult] = {}
    with open_backend(backend, workers, scheduler, dask_processes) as b:
        per = shards or shards_per_replication(n_towns, reps, _threads(b, workers))
        blocks = split_townships(n_towns, per)
        tasks = [ShardTask(f"r{k}s{i}", i, k, root, scenario, block)
                 for k in range(reps) for i, block in enumerate(blocks)]
        bar = tqdm(total=len(tasks), desc=scenario.name, file=sys.stderr, unit="shard",
                   disable=not progress, leave=False)

        def on_outcome(task: ShardTask, outcome) -> None:
            if isinstance(outcome, RunOutcome):  # a lost worker or cluster error
                raise ShardError(f"replication {task.replication}, townships "
                                 f"{task.townships[0]}-{task.townships[-1]}: {outcome.error}")
            got = parts[task.replication]
            got[task.point] = outcome
            bar.update()
            if len(got) == len(blocks):  # merge as soon as a replication is complete
                records = merge_records([got[i] for i in range(len(blocks))])
                del parts[task.replication]
                tables = tables_from_records(records)
                results[task.replication] = RunResult(scenario, task.replication, root, tables,
                                                      compute_metrics(tables))

        execute(b, tasks, on_outcome, fn=run_shard)
        bar.close()
    return [results[k] for k in range(reps)]


def _threads(b: Backend, workers: int | None) -> int:
    """Workers the back-end offers (its in-flight window is twice that)."""
    return max(1, b.window // 2) if b.window > 1 else (workers or 1)
