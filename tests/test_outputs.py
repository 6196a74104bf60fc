"""Results folders: never overwritten by other results, Ctrl-C keeps finished work, file modes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.experiments.run as run_mod
from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = str(ROOT / "scenarios/station_centred.toml"), str(ROOT / "scenarios/center_office.toml")
SHORT = ["--set", "days=12", "--set", "warmup_days=2", "--set", "township.villages=6"]
SWEEP = """
name = "tiny"
base = "{base}"
replications = 1
days = 6
warmup_days = 1
fixed = {{ "township.villages" = 4 }}
[[axes]]
key = "staff.auxiliaries"
values = [4, 5]
"""
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, [*args])


def _sweep_file(tmp_path: Path) -> Path:
    f = tmp_path / "tiny.toml"
    f.write_text(SWEEP.format(base=OLD))
    return f


def test_run_refuses_a_compare_folder_and_force_clears_it(tmp_path):
    out = tmp_path / "cmp"
    assert _run("compare", OLD, NEW, "--reps", "1", *SHORT, "--out", str(out)).exit_code == 0
    res = _run("run", OLD, *SHORT, "--out", str(out))
    assert res.exit_code == 2
    assert res.output.startswith("error: ") and "a comparison" in res.output
    assert "--force" in res.output
    assert (out / "comparison.parquet").is_file()  # untouched
    res = _run("run", OLD, *SHORT, "--out", str(out), "--force")
    assert res.exit_code == 0, res.output
    assert not (out / "a").exists() and not (out / "comparison.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["kind"] == "run"


def test_same_command_may_rewrite_its_own_folder_but_not_another_run(tmp_path):
    out = str(tmp_path / "r")
    assert _run("run", OLD, *SHORT, "--out", out).exit_code == 0
    assert _run("run", OLD, *SHORT, "--out", out).exit_code == 0  # same bits again
    res = _run("run", NEW, *SHORT, "--out", out)
    assert res.exit_code == 2 and "already holds a run (station-centred)" in res.output


def test_run_and_compare_refuse_a_sweep_folder(tmp_path):
    out = tmp_path / "sw"
    res = _run("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--workers", "1")
    assert res.exit_code == 0, res.output
    before = (out / "manifest.json").read_text()
    for cmd in (["run", OLD], ["compare", OLD, NEW]):
        res = _run(*cmd, *SHORT, "--out", str(out))
        assert res.exit_code == 2 and "a sweep (tiny)" in res.output, res.output
    assert (out / "manifest.json").read_text() == before
    res = _run("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--resume",
               "--workers", "1")
    assert res.exit_code == 0 and "2 skipped on resume" in res.output


def test_sweep_refuses_a_run_folder_and_folders_of_other_files(tmp_path):
    out = tmp_path / "r"
    assert _run("run", OLD, *SHORT, "--out", str(out)).exit_code == 0
    res = _run("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--workers", "1")
    assert res.exit_code == 2 and "a run (station-centred)" in res.output
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("x")
    for force in ([], ["--force"]):
        res = _run("run", OLD, *SHORT, "--out", str(mine), *force)
        assert res.exit_code == 2 and "not made by policesim" in res.output
    assert (mine / "thesis.tex").read_text() == "x"


def test_report_refuses_a_results_folder(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert _run("run", OLD, *SHORT, "--out", str(a)).exit_code == 0
    assert _run("run", NEW, *SHORT, "--out", str(b)).exit_code == 0
    res = _run("report", str(a), "--out", str(b))
    assert res.exit_code == 2 and "a run (center-office)" in res.output
    assert _run("report", str(a)).exit_code == 0
    assert _run("report", str(a)).exit_code == 0  # the same report again
    res = _run("report", str(b), "--out", str(a / "report"))
    assert res.exit_code == 2 and "a report" in res.output


def _interrupt_at(monkeypatch, k_stop: int) -> None:
    real = run_mod.run_once
    calls = {"n": 0}

    def fake(scenario, replication=0, seed=None, layouts=None):
        calls["n"] += 1
        if calls["n"] > k_stop:
            raise KeyboardInterrupt
        return real(scenario, replication, seed, layouts)
    monkeypatch.setattr(run_mod, "run_once", fake)


def test_ctrl_c_in_run_keeps_finished_replications_and_resume_completes(tmp_path, monkeypatch):
    ref = tmp_path / "ref"
    assert _run("run", OLD, *SHORT, "--reps", "3", "--out", str(ref)).exit_code == 0
    out = tmp_path / "r"
    _interrupt_at(monkeypatch, 2)
    res = _run("run", OLD, *SHORT, "--reps", "3", "--out", str(out))
    assert res.exit_code == 130
    assert "kept 2 of 3 replications" in res.output and "--resume" in res.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "interrupted" and man["replications"] == [0, 1]
    assert list(pd.read_parquet(out / "metrics.parquet")["replication"]) == [0, 1]
    monkeypatch.undo()
    res = _run("run", OLD, *SHORT, "--reps", "3", "--out", str(out), "--resume")
    assert res.exit_code == 0, res.output
    for name in ("metrics", "calls", "disputes"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"),
                                      pd.read_parquet(ref / f"{name}.parquet"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_ctrl_c_before_any_replication_leaves_no_folder(tmp_path, monkeypatch):
    out = tmp_path / "new"
    _interrupt_at(monkeypatch, 0)
    res = _run("run", OLD, *SHORT, "--out", str(out))
    assert res.exit_code == 130 and "nothing was written" in res.output
    assert not out.exists()


def test_ctrl_c_in_compare_keeps_finished_pairs(tmp_path, monkeypatch):
    ref = tmp_path / "ref"
    assert _run("compare", OLD, NEW, *SHORT, "--reps", "2", "--out", str(ref)).exit_code == 0
    out = tmp_path / "c"
    _interrupt_at(monkeypatch, 3)  # pair 0 finished, pair 1 half done
    res = _run("compare", OLD, NEW, *SHORT, "--reps", "2", "--out", str(out))
    assert res.exit_code == 130 and "kept 1 of 2 replications" in res.output
    for side in ("a", "b"):
        assert list(pd.read_parquet(out / side / "metrics.parquet")["replication"]) == [0]
    monkeypatch.undo()
    res = _run("compare", OLD, NEW, *SHORT, "--reps", "2", "--out", str(out), "--resume")
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "comparison.parquet"),
                                  pd.read_parquet(ref / "comparison.parquet"))
    res = _run("compare", OLD, NEW, *SHORT, "--reps", "3", "--out", str(out), "--resume")
    assert res.exit_code == 2 and "same command" in res.output


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_output_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "r"
        assert _run("run", OLD, *SHORT, "--out", str(out)).exit_code == 0
    finally:
        os.umask(old)
    for f in out.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_out_is_git_ignored():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert "out/" in lines or "/out/" in lines


def test_csv_beside_every_parquet_table_matches_it(tmp_path):
    out = tmp_path / "c"
    res = _run("compare", OLD, NEW, "--reps", "1", *SHORT, "--out", str(out), "--csv")
    assert res.exit_code == 0, res.output
    parquet = sorted(out.rglob("*.parquet"))
    assert len(parquet) >= 15
    for f in parquet:
        a = pd.read_parquet(f)
        b = pd.read_csv(f.with_suffix(".csv"))
        assert list(a.columns) == list(b.columns) and len(a) == len(b), f
    m = pd.read_parquet(out / "a/metrics.parquet")
    c = pd.read_csv(out / "a/metrics.csv")
    assert c["disputes"].tolist() == m["disputes"].tolist()


def test_sweep_prints_a_table_of_its_results_and_writes_csv(tmp_path):
    out = tmp_path / "sw"
    res = _run("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--workers", "1",
               "--csv")
    assert res.exit_code == 0, res.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert pd.read_csv(out / "runs.csv")["run_id"].tolist() == runs["run_id"].tolist()
    lines = res.output.splitlines()
    head = lines.index("means per design point:") + 1
    assert lines[head].split()[:3] == ["point", "staff.auxiliaries", "runs"]
    for p in (0, 1):
        row = lines[head + 1 + p].split()
        mine = runs[runs["point"] == p]
        assert int(row[1]) == int(mine["staff.auxiliaries"].iloc[0])
        assert float(row[3]) == pytest.approx(mine["response_time_mean_min"].mean(), rel=1e-3)
