"""Sharded runs: the townships of each replication split across workers, then merged.

Townships share no responders, and every random process of a township has its own stream
(:mod:`sim.world.streams`), so a worker that simulates some of the townships produces exactly
their rows of the whole run. :func:`merge_records` renumbers what is numbered run-wide (dispute
ids, call ids) as the whole run numbers it and puts rows in the whole run's canonical order,
so the merged records, tables and metrics are the same bits whatever the number of workers and
the back-end (local processes or Dask). Replications spread over the workers too.

What travels is tables, not rows: a worker frees its model, turns its records into the tidy
tables table by table (:func:`run_shard_tables`), and sends those columns; the driver merges
the columns (:func:`merge_tables`) without ever holding a row object. That keeps every
process of a prefecture run under 1 GiB (docs/performance.md). :func:`merge_records` merges
row records in one process, the same renumbering on rows.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.experiments.executors import Backend, RunOutcome, execute, open_backend
from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import Tables, compute_metrics, tables_from_records
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
                              layouts=layouts_for(task.scenario), townships=task.townships,
                              keep_arrivals=False)
        return model.simulate()


@dataclass(frozen=True)
class ShardTables:
    """What a shard sends back: its tables and how many of its disputes were drawn up front."""

    tables: Tables
    prepared_disputes: int


def run_shard_tables(task: ShardTask) -> ShardTables:
    """Simulate the task's townships and return their tables (the model freed first)."""
    records = run_shard(task)  # the model is unreachable from here on, but cyclic
    gc.collect()  # free it before the tables are built, not at some later collection
    prepared = records.prepared_disputes
    return ShardTables(tables_from_records(records, consume=True), prepared)


def split_townships(townships: int, shards: int) -> list[tuple[int, ...]]:
    """Townships 0..n-1 in ``shards`` contiguous blocks of nearly equal size (none empty)."""
    shards = max(1, min(shards, townships))
    return [tuple(int(t) for t in block) for block in
            np.array_split(np.arange(townships), shards)]


#: Counts of a run that add up over its shards, and figures every shard shares.
_RECORD_COUNTS = ("prepared_disputes", "missed_visits", "residents")
_RUN_CONSTANTS = ("horizon_min", "warmup_min", "period_end_min")
#: Every other field of :class:`Records` is a list of rows, concatenated in shard order.
_RECORD_LISTS = tuple(f.name for f in fields(Records)
                      if f.name not in (*_RECORD_COUNTS, *_RUN_CONSTANTS))


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
        for name in _RECORD_LISTS:
            getattr(merged, name).extend(getattr(part, name))
        for name in _RECORD_COUNTS:
            setattr(merged, name, getattr(merged, name) + getattr(part, name))
    for name in _RUN_CONSTANTS:
        setattr(merged, name, getattr(parts[0], name))
    merged.canonical_order()
    return merged


#: Each table's canonical row order (as :meth:`Records.canonical_order`): sort keys, stable.
_ORDER = {"calls": ("t_call", "township"), "injuries": ("t", "township"),
          "visits": ("t", "township"), "cases": ("t", "township"),
          "reports": ("t", "township"), "workload": ("township",),
          "villages": ("township",), "staff": ("township",)}
#: Tables whose ``dispute_id`` column refers to disputes (-1: none).
_DISPUTE_REFS = ("calls", "injuries", "reports")
_FRAMES = tuple(f.name for f in fields(Tables)
                if f.name in (*_ORDER, "disputes"))


def merge_tables(parts: list[ShardTables]) -> Tables:
    """The tables of a whole run from the tables of its township shards, in township order.

    The same renumbering and order as :func:`merge_records`, done on columns: dispute ids are
    ranks by (arose later, arrival time, township, rank in the township), calls are sorted by
    (time, township) and numbered by rank, the other tables by time and township or by
    township, stably. ``parts`` is emptied: each part's tables are dropped as soon as they are
    merged.
    """
    if len(parts) == 1:  # the whole run already (its ids are the whole run's)
        return parts.pop().tables
    consts = {f.name: getattr(parts[0].tables, f.name) for f in fields(Tables)
              if f.name not in _FRAMES}
    frames = [{name: getattr(p.tables, name) for name in _FRAMES} for p in parts]
    prepared = [p.prepared_disputes for p in parts]
    residents = sum(p.tables.residents for p in parts)
    missed = sum(p.tables.missed_visits for p in parts)
    parts.clear()
    # new dispute ids: one row per dispute of every part, sorted as the whole run numbers them
    keys = []
    for p, part in enumerate(frames):
        d = part["disputes"]  # sorted by dispute_id within the part
        old = d["dispute_id"].to_numpy()
        rank = d.groupby("township", sort=False).cumcount().to_numpy()
        keys.append((old >= prepared[p], d["t_start"].to_numpy(float),
                     d["township"].to_numpy(), rank, np.full(len(d), p), old))
    cols = [np.concatenate(k) for k in zip(*keys, strict=True)]
    order = np.lexsort(cols[::-1])  # the last key is the primary one
    new_ids = np.empty(len(order), np.int64)
    new_ids[order] = np.arange(len(order))
    starts = np.cumsum([0] + [len(k[0]) for k in keys])
    for p, part in enumerate(frames):
        old = keys[p][5]
        ids = new_ids[starts[p]:starts[p + 1]]
        for name in ("disputes", *_DISPUTE_REFS):
            f = part[name]
            if not len(f):
                continue
            ref = f["dispute_id"].to_numpy()
            has = ref >= 0
            new = ref.astype(np.int64, copy=True)
            new[has] = ids[np.searchsorted(old, ref[has])]
            part[name] = f.assign(dispute_id=new)
    del keys, cols
    out = {}
    for name in _FRAMES:
        merged = _concat([part.pop(name) for part in frames])
        if not len(merged):  # no part had rows: the empty table a whole run builds
            out[name] = merged
            continue
        if name == "disputes":
            order = np.argsort(merged["dispute_id"].to_numpy(), kind="stable")
        else:
            order = np.lexsort([merged[k].to_numpy() for k in reversed(_ORDER[name])])
        merged = merged.take(order).reset_index(drop=True)
        if name == "calls":
            merged["call_id"] = np.arange(len(merged), dtype=np.int64)
        out[name] = merged
    consts.update(residents=residents, missed_visits=missed)
    return Tables(**consts, **out)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames one after another, with the column types one frame of all their rows would get.

    An empty part (built without rows, so with other columns) is left out. A column whose type
    differs between parts (say all None in one part, floats in another) is rebuilt from its
    values, so that pandas infers its type over all of them, as it did for the whole run.
    """
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0]
    merged = pd.concat(full, ignore_index=True)
    for col in merged.columns:
        if len({str(f[col].dtype) for f in full}) > 1:
            values = [v for f in full for v in f[col].astype(object).tolist()]
            merged[col] = pd.Series(values, name=col)
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
    parts: dict[int, dict[int, ShardTables]] = {k: {} for k in range(reps)}
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
                del parts[task.replication]
                tables = merge_tables([got.pop(i) for i in range(len(blocks))])
                results[task.replication] = RunResult(scenario, task.replication, root, tables,
                                                      compute_metrics(tables))

        execute(b, tasks, on_outcome, fn=run_shard_tables)
        bar.close()
    return [results[k] for k in range(reps)]


def _threads(b: Backend, workers: int | None) -> int:
    """Workers the back-end offers (its in-flight window is twice that)."""
    return max(1, b.window // 2) if b.window > 1 else (workers or 1)
