"""Where sweep runs execute: in-process, a local process pool, or a Dask cluster.

One task function, :func:`run_task`, serves every back-end, and one driver, :func:`execute`,
feeds any :class:`concurrent.futures.Executor` through a sliding window. A model error never
escapes the task (it comes back as a failed run), so one bad run cannot stop the others; a
worker process that dies breaks a local pool, which is then recreated and the runs in flight
are resubmitted (Mesa's ``batch_run`` and EMA workbench lose or hang on both; see issue 4).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from sim.experiments.run import RunResult, run_once
from sim.scenario import Scenario

BACKENDS = ("local", "dask")
#: Times a run is resubmitted after its worker process died before it is recorded as failed
#: (assumption: a run that kills its worker three times will do so again).
MAX_ATTEMPTS = 3


class ExecutorError(RuntimeError):
    """A back-end that cannot be started (bad name, Dask missing, scheduler unreachable)."""


@dataclass(frozen=True)
class RunTask:
    """One run of a sweep: a resolved scenario at one design point, one replication."""

    run_id: str
    point: int
    replication: int
    seed: int
    scenario: Scenario
    keep_records: bool = False


@dataclass(frozen=True)
class RunOutcome:
    """What a run sends back: its metrics, or the error that stopped it."""

    run_id: str
    status: str  # "ok" or "failed"
    error: str
    metrics: dict[str, float]
    result: RunResult | None = None  # the per-event tables, only when the sweep asks for them


def run_task(task: RunTask) -> RunOutcome:
    """Run one replication of one design point; a model error becomes a failed outcome.

    Replication k is seeded ``SeedSequence(task.seed, spawn_key=(k,))`` whatever the design
    point (common random numbers), so differences between points are paired by replication.
    """
    try:
        res = run_once(task.scenario, task.replication, task.seed)
    except Exception as e:  # any model error: record it, let the other runs go on
        return RunOutcome(task.run_id, "failed", f"{type(e).__name__}: {e}", {})
    return RunOutcome(task.run_id, "ok", "", res.metrics, res if task.keep_records else None)


def failed_outcome(task: RunTask, error: str) -> RunOutcome:
    """A failed outcome for a run that did not come back (its worker died, a cluster error)."""
    return RunOutcome(task.run_id, "failed", error, {})


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InlineExecutor(Executor):
    """Runs each task in this process as it is submitted (the 1-worker path; no pickling)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as e:
            fut.set_exception(e)
        return fut


@dataclass
class Backend:
    """An open executor plus how to replace it and how many tasks to keep in flight."""

    executor: Executor
    window: int
    recreate: Callable[[], Executor] | None = None  # None: the executor cannot be rebuilt
    name: str = "local"


def _pool_context() -> multiprocessing.context.BaseContext:
    """Forkserver where the OS has it, else spawn; never plain fork.

    Both start workers from a clean process, so they are safe with threads (Dask, BLAS, Arrow)
    and need the same picklable tasks. The forkserver imports the model once and forks each
    worker from that warm process, so workers start in milliseconds instead of each paying the
    ~1 s import (measured in ``benchmarks/sweep_speedup.py``).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _local_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())


def check_backend(backend: str, workers: int | None, scheduler: str | None) -> None:
    """Reject a back-end choice that cannot work, before anything is written.

    Raises:
        ExecutorError: naming the option.

    """
    if backend not in BACKENDS:
        raise ExecutorError(f"--backend: unknown back-end {backend!r} (allowed: "
                            f"{', '.join(BACKENDS)})")
    if workers is not None and workers < 1:
        raise ExecutorError(f"--workers: must be at least 1 (got {workers})")
    if scheduler and backend != "dask":
        raise ExecutorError("--scheduler: only used with --backend dask")
    if backend == "dask" and importlib.util.find_spec("distributed") is None:
        raise ExecutorError("--backend dask needs Dask: pip install 'policesim[cluster]'")


@contextlib.contextmanager
def open_backend(backend: str = "local", workers: int | None = None,
                 scheduler: str | None = None, dask_processes: bool = True) -> Iterator[Backend]:
    """Start a back-end and shut it down on exit.

    Args:
        backend: ``"local"`` (in-process for 1 worker, else a local process pool) or ``"dask"``.
        workers: Local worker processes (default: all cores). With ``dask`` and no scheduler,
            the size of the LocalCluster; ignored when a scheduler address is given.
        scheduler: A Dask scheduler address, ``tcp://HOST:PORT``.
        dask_processes: LocalCluster workers as processes (True) or threads (False).

    Raises:
        ExecutorError: an unknown back-end, Dask not installed, or no scheduler at the address.

    """
    check_backend(backend, workers, scheduler)
    n = workers or default_workers()
    if backend == "local":
        if n == 1:
            yield Backend(InlineExecutor(), 1, InlineExecutor, "inline")
            return
        pool = Backend(_local_pool(n), 2 * n, lambda: _local_pool(n), f"local x{n}")
        try:
            yield pool
        finally:
            pool.executor.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_backend(n, scheduler, dask_processes) as b:
        yield b


@contextlib.contextmanager
def _dask_backend(n: int, scheduler: str | None, processes: bool) -> Iterator[Backend]:
    try:
        from dask.distributed import Client, LocalCluster  # noqa: PLC0415
    except ImportError:
        raise ExecutorError("--backend dask needs Dask: pip install 'policesim[cluster]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as e:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(f"--scheduler: cannot reach a Dask scheduler at {scheduler!r} "
                            f"({e})") from None
    try:
        threads = sum(client.nthreads().values()) or n
        # pure=False: identical calls must not be merged; retries=1: a lost worker's run is
        # tried once more elsewhere (issue 4 trial notes)
        ex = client.get_executor(pure=False, retries=1)
        yield Backend(ex, 2 * threads, None, f"dask x{threads}")
        ex.shutdown(wait=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(backend: Backend, tasks: Iterable[RunTask],
            on_outcome: Callable[[RunTask, RunOutcome], None],
            fn: Callable[[RunTask], object] = run_task) -> None:
    """Run every task, calling ``on_outcome`` in the driver as each one finishes.

    ``fn`` is the task function (default :func:`run_task`); any task with ``run_id``,
    ``point`` and ``replication`` will do (sharded runs send township shards).

    At most ``backend.window`` tasks are in flight, so a broken pool costs only those and memory
    stays flat. After a ``BrokenProcessPool`` the pool is recreated and the runs in flight are
    resubmitted, up to :data:`MAX_ATTEMPTS` times each.
    """
    queue = deque(tasks)
    attempts: Counter[str] = Counter()
    in_flight: dict[Future, RunTask] = {}
    while queue or in_flight:
        while queue and len(in_flight) < backend.window:
            task = queue.popleft()
            attempts[task.run_id] += 1
            in_flight[backend.executor.submit(fn, task)] = task
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        broken: list[RunTask] = []
        for fut in done:
            task = in_flight.pop(fut)
            try:
                outcome = fut.result()
            except BrokenProcessPool as e:
                broken.append(task)
                last_error = f"worker process died ({e})"
                continue
            except Exception as e:  # a cluster error after Dask's own retry
                outcome = failed_outcome(task, f"{type(e).__name__}: {e}")
            on_outcome(task, outcome)
        if broken:
            # every run in flight on the dead pool is lost: requeue them on a fresh pool
            broken += list(in_flight.values())
            in_flight.clear()
            backend.executor.shutdown(wait=False, cancel_futures=True)
            if backend.recreate is None:
                raise ExecutorError("the worker pool broke and cannot be recreated")
            backend.executor = backend.recreate()
            for task in sorted(broken, key=lambda t: (t.point, t.replication), reverse=True):
                if attempts[task.run_id] >= MAX_ATTEMPTS:
                    on_outcome(task, failed_outcome(task, last_error))
                else:
                    queue.appendleft(task)
