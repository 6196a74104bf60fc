"""The smoke sweep gives the same runs.parquet whatever the workers, back-end or a SIGKILL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pytest
from conftest import QUIET, scenario
from pandas.testing import assert_frame_equal

from sim.experiments import executors
from sim.experiments.analysis import replications_needed, worst_precision
from sim.experiments.executors import Backend, InlineExecutor, RunTask, execute
from sim.experiments.metrics import METRICS
from sim.experiments.run import run_once
from sim.experiments.sweep import SweepError, build_sweep, load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.toml"
RUNS = 12  # 4 points x 3 replications


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> Path:
    """The smoke sweep run straight through, in this process (1 worker): its folder."""
    out = tmp_path_factory.mktemp("straight")
    summary = run_sweep(load_sweep(SMOKE), out, workers=1)
    assert (summary.done, summary.skipped, summary.failed) == (RUNS, 0, [])
    table = pd.read_parquet(out / "runs.parquet")
    assert len(table) == RUNS and (table["status"] == "ok").all()
    assert list(table["run_id"]) == [f"p{p}-r{k}" for p in range(4) for k in range(3)]
    # common random numbers: replication k meets the same disputes at every point (their
    # arrivals do not depend on the policy), and other replications meet others
    disputes = table.pivot(index="replication", columns="point", values="disputes")
    assert (disputes.nunique(axis=1) == 1).all()
    assert disputes[0].nunique() == 3
    # per-event records only for the run the sweep file names, matching its metrics row
    assert [d.name for d in (out / "records").iterdir()] == ["p0-r0"]
    metrics = pd.read_parquet(out / "records" / "p0-r0" / "metrics.parquet")
    assert metrics["calls"].item() == table["calls"].iloc[0]
    # finished: the manifest says so and counts the runs; the analysis is written (smoke.toml
    # has a baseline, so the paired differences too)
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["runs"] == {"total": RUNS, "failed": 0}
    assert (out / "summary.parquet").is_file() and (out / "paired.parquet").is_file()
    return out


@pytest.fixture
def reference(straight) -> pd.DataFrame:
    return pd.read_parquet(straight / "runs.parquet")


def test_columns_follow_the_agreed_format(reference):
    axes = ["reform.village_auxiliaries", "staff.station_officers"]
    assert list(reference.columns) == ["run_id", "point", "replication", "seed", *axes,
                                       *METRICS, "status", "error"]
    assert reference["reform.village_auxiliaries"].dtype == bool
    assert reference["staff.station_officers"].tolist() == [8] * 3 + [12] * 3 + [8] * 3 + [12] * 3


def test_two_workers_give_the_same_table(reference, tmp_path):
    run_sweep(load_sweep(SMOKE), tmp_path, workers=2)
    assert_frame_equal(pd.read_parquet(tmp_path / "runs.parquet"), reference, check_exact=True)


def test_dask_local_cluster_gives_the_same_table(reference, tmp_path):
    pytest.importorskip("dask.distributed")
    summary = run_sweep(load_sweep(SMOKE), tmp_path, backend="dask", workers=2,
                        dask_processes=False)  # threads: same task function, quick to start
    assert summary.done == RUNS
    assert_frame_equal(pd.read_parquet(tmp_path / "runs.parquet"), reference, check_exact=True)


def test_sigkill_part_way_then_resume_gives_the_same_table(reference, tmp_path):
    out, log = tmp_path / "killed", tmp_path / "stderr.txt"
    runs = out / "runs"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(SMOKE), "--out",
                                 str(out), "--workers", "1"], stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
    deadline = time.monotonic() + 180  # a hang guard, not a timing check
    while len(list(runs.glob("*.parquet"))) < 3:
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the sweep saved no runs"
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, as when a machine is lost
    proc.wait()
    saved = {f.name: f.stat().st_mtime_ns for f in runs.glob("*.parquet")}
    assert 3 <= len(saved) < RUNS, "killed too late to test a resume"
    summary = run_sweep(load_sweep(SMOKE), out, workers=1, resume=True)
    assert (summary.skipped, summary.done) == (len(saved), RUNS - len(saved))
    # no finished run was recomputed (its file is untouched) and no temporary file is left
    assert {n: (runs / n).stat().st_mtime_ns for n in saved} == saved
    assert not list(runs.glob(".*"))
    assert_frame_equal(pd.read_parquet(out / "runs.parquet"), reference, check_exact=True)


def test_resume_of_a_finished_sweep_recomputes_nothing(straight, reference, tmp_path):
    tmp_path = tmp_path / "copy"
    shutil.copytree(straight, tmp_path)
    again = run_sweep(load_sweep(SMOKE), tmp_path, workers=1, resume=True)
    assert (again.done, again.skipped) == (0, RUNS)
    assert_frame_equal(again.table, reference, check_exact=True)
    assert again.out == tmp_path  # the summary names the folder it read
    assert again.text().splitlines()[-1] == f"results: {tmp_path / 'runs.parquet'}"
    # a kept run's folder says it is one run of a sweep, which run and of which sweep
    man = json.loads((tmp_path / "records" / "p0-r0" / "manifest.json").read_text())
    assert (man["kind"], man["run_id"], man["point"]) == ("sweep-run", "p0-r0", 0)
    assert man["sweep"] == load_sweep(SMOKE).name
    with pytest.raises(SweepError, match="--resume"):
        run_sweep(load_sweep(SMOKE), tmp_path, workers=1)
    other = tmp_path / "other.toml"
    other.write_text(SMOKE.read_text().replace('base = "../station_centred.toml"',
                                               f'base = "{SMOKE.parent.parent}/'
                                               'center_office.toml"'))
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(load_sweep(other), tmp_path, workers=1, resume=True)


@pytest.fixture
def flaky(monkeypatch):
    """Runs with 8 station officers fail in replication 1 (patched in the in-process, 1-worker
    path); gives the real run_once."""
    real = executors.run_once

    def run(scn, replication, seed):
        if scn.staff.station_officers == 8 and replication == 1:
            raise RuntimeError("boom")
        return real(scn, replication, seed)

    monkeypatch.setattr(executors, "run_once", run)
    return real


def test_a_failing_run_is_recorded_and_the_others_go_on(reference, tmp_path, flaky):
    summary = run_sweep(load_sweep(SMOKE), tmp_path, workers=1)
    table = pd.read_parquet(tmp_path / "runs.parquet")
    bad = table["status"] == "failed"
    assert table.loc[bad, "run_id"].tolist() == ["p0-r1", "p2-r1"]
    assert (table.loc[bad, "error"] == "RuntimeError: boom").all()
    assert table.loc[bad, list(METRICS)].isna().all().all()
    assert_frame_equal(table[~bad], reference[~bad], check_exact=True)
    assert summary.failed == [("p0-r1", "RuntimeError: boom"), ("p2-r1", "RuntimeError: boom")]
    assert "failed p2-r1: RuntimeError: boom" in summary.text()
    n = pd.read_parquet(tmp_path / "summary.parquet").query("metric == 'calls'")
    assert n.set_index("point")["n"].to_dict() == {0: 2, 1: 3, 2: 2, 3: 3}


def test_design_points_share_the_random_numbers_of_their_replication(straight):
    # the runs of point 0 and point 3 (auxiliaries on, 12 officers) in replication 0 meet the
    # same disputes at the same moments, and the same non-dispute calls; replication 1 others
    sweep = load_sweep(SMOKE)
    saved = straight / "records" / "p0-r0"
    disputes = pd.read_parquet(saved / "disputes.parquet")
    calls = pd.read_parquet(saved / "calls.parquet")
    other = run_once(sweep.points[3].scenario, 0, sweep.seed).tables
    assert sweep.points[3].scenario.staff.station_officers == 12

    def arrivals(d):  # recorded as they close, which depends on the policy: sort by id
        return d.sort_values("dispute_id")[["t_start", "village", "kind"]].to_numpy().tolist()

    assert arrivals(other.disputes) == arrivals(disputes) and len(disputes) > 50

    def thefts(c):
        return c.loc[c["kind"] == "theft", "t_call"].tolist()

    assert thefts(other.calls) == thefts(calls) and len(thefts(calls)) > 5
    rep1 = run_once(sweep.points[0].scenario, 1, sweep.seed).tables
    assert arrivals(rep1.disputes) != arrivals(disputes)


def test_resume_after_failed_runs_recomputes_none_of_them(reference, tmp_path, monkeypatch,
                                                          flaky):
    real = flaky
    first = run_sweep(load_sweep(SMOKE), tmp_path, workers=1)
    assert (first.done, first.skipped, len(first.failed)) == (RUNS, 0, 2)
    saved = {f.name: f.stat().st_mtime_ns for f in (tmp_path / "runs").glob("*.parquet")}
    ran = []
    monkeypatch.setattr(executors, "run_once", lambda *a: ran.append(a) or real(*a))
    again = run_sweep(load_sweep(SMOKE), tmp_path, workers=1, resume=True)
    # as docs/sweeps.md says: "none is recomputed, including failed ones"
    assert ran == [] and (again.done, again.skipped) == (0, RUNS)
    assert [r for r, _ in again.failed] == ["p0-r1", "p2-r1"]
    assert {f.name: f.stat().st_mtime_ns for f in (tmp_path / "runs").glob("*.parquet")} \
        == saved
    # deleting a failed run's file retries just that run
    (tmp_path / "runs" / "p0-r1.parquet").unlink()
    third = run_sweep(load_sweep(SMOKE), tmp_path, workers=1, resume=True)
    assert len(ran) == 1 and (third.done, third.skipped) == (1, RUNS - 1)
    assert [r for r, _ in third.failed] == ["p2-r1"]
    ok = third.table["run_id"] != "p2-r1"
    assert_frame_equal(third.table[ok].reset_index(drop=True),
                       reference[ok].reset_index(drop=True), check_exact=True)


class _Broken(Executor):
    """An executor whose worker pool is always dead."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        fut.set_exception(BrokenProcessPool("a worker died"))
        return fut


def _tasks(n: int) -> list[RunTask]:
    scn = scenario(*QUIET, "days=1", "warmup_days=0", "follow_up_days=0", "township.villages=2",
                   "township.clusters=1")
    return [RunTask(f"p{i}-r0", i, 0, 1, scn) for i in range(n)]


def test_a_broken_pool_is_recreated_and_its_runs_resubmitted():
    got = []
    execute(Backend(_Broken(), 2, InlineExecutor), _tasks(5),
            lambda t, o: got.append((t.run_id, o.status)))
    assert sorted(got) == [(f"p{i}-r0", "ok") for i in range(5)]


def test_a_pool_that_keeps_breaking_fails_its_runs_after_three_attempts():
    got = []
    execute(Backend(_Broken(), 2, _Broken), _tasks(3), lambda t, o: got.append(o))
    assert sorted(o.run_id for o in got) == ["p0-r0", "p1-r0", "p2-r0"]
    assert all(o.status == "failed" and "worker process died" in o.error for o in got)


def test_until_ci_adds_replications_until_the_target(tmp_path):
    sweep = build_sweep(str(tmp_path / "t.toml"), ROOT / "scenarios" / "station_centred.toml",
                        [{"staff.station_officers": 12}], ["staff.station_officers"], 2,
                        fixed={"days": 25, "warmup_days": 5, "follow_up_days": 0},
                        key_metrics=["calls"],
                        max_replications=16)
    summary = run_sweep(sweep, tmp_path / "out", workers=1, until_ci=0.1)
    reps, table = summary.replications, summary.table
    assert 2 < reps <= 16 and len(table) == reps
    assert worst_precision(table, ["calls"]) <= 0.1 or reps == 16
    # replaying the stopping rule on the saved runs stops at the same count, and every earlier
    # round (a prefix of the replications) missed the target
    r = 2
    while (nxt := replications_needed(table.iloc[:r], ["calls"], 0.1, r, 16)[0]) != r:
        assert worst_precision(table.iloc[:r], ["calls"]) > 0.1
        r = nxt
    assert r == reps
    # counts: every run was done now, once; a resume of the finished sweep skips each once
    assert (summary.done, summary.skipped, summary.failed) == (reps, 0, [])
    again = run_sweep(sweep, tmp_path / "out", workers=1, until_ci=0.1, resume=True)
    assert (again.done, again.skipped, again.replications) == (0, reps, reps)


def test_until_ci_resumed_part_way_counts_skips_once(tmp_path):
    def sweep(reps):
        return build_sweep(str(tmp_path / "t.toml"),
                           ROOT / "scenarios" / "station_centred.toml",
                           [{"staff.station_officers": 12}], ["staff.station_officers"], reps,
                           fixed={"days": 8, "warmup_days": 1}, key_metrics=["calls"],
                           max_replications=6)
    out = tmp_path / "out"
    first = run_sweep(sweep(2), out, workers=1)
    assert (first.done, first.skipped) == (2, 0)
    # a target no run can reach: rounds of 2 -> 4 -> 6 replications, the first 2 saved
    again = run_sweep(sweep(2), out, workers=1, until_ci=1e-6, resume=True)
    assert again.replications == 6 and len(again.table) == 6
    assert (again.done, again.skipped) == (4, 2)
    assert "max_replications 6 reached" in again.text()


def test_force_and_resume_together_are_refused_before_anything_runs(tmp_path):
    msg = "--force and --resume: give one (--force starts afresh, --resume continues)"
    with pytest.raises(SweepError, match=f"^{re.escape(msg)}$"):
        run_sweep(load_sweep(SMOKE), tmp_path / "out", workers=1, resume=True, force=True)
    assert not (tmp_path / "out").exists()
