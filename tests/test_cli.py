"""The command line, driven as a user would (Typer's runner and one real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.metrics import METRICS

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = str(ROOT / "scenarios/station_centred.toml"), str(ROOT / "scenarios/center_office.toml")
SHORT = ["--set", "days=35", "--set", "warmup_days=5", "--set", "follow_up_days=0"]
runner = CliRunner()

REQUIRED = ["response_time_mean_min", "response_time_median_min", "response_time_p90_min",
            "queue_wait_mean_min", "escalation_rate", "disputes", "disputes_escalated",
            "injury_crimes", "calls", "dispute_calls_share", "repeat_dispute_rate"]


def test_run_json_has_every_documented_key():
    res = runner.invoke(app, ["run", NEW, "--reps", "2", "--json", *SHORT])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for k in [*REQUIRED, *METRICS]:
        assert k in out
    assert len(out["replications"]) == 2 and out["seed"] == 20211001
    assert out["scenario"] == "center-office"
    assert set(REQUIRED) <= set(out["replications"][0])
    mean = sum(r["disputes"] for r in out["replications"]) / 2
    assert out["disputes"] == mean


def test_set_overrides_change_the_run():
    a = json.loads(runner.invoke(app, ["run", OLD, "--json", *SHORT]).stdout)
    b = json.loads(runner.invoke(app, ["run", OLD, "--json", *SHORT,
                                       "--set", "disputes.rate_per_1000_year=80"]).stdout)
    assert b["disputes"] > 1.5 * a["disputes"]


def test_run_out_writes_records_and_manifest(tmp_path):
    res = runner.invoke(app, ["run", OLD, "--out", str(tmp_path), *SHORT])
    assert res.exit_code == 0, res.output
    calls = pd.read_parquet(tmp_path / "calls.parquet")
    disputes = pd.read_parquet(tmp_path / "disputes.parquet")
    assert {"t_call", "t_arrive", "village", "responder_id", "kind"} <= set(calls.columns)
    assert {"t_start", "outcome", "fights", "village"} <= set(disputes.columns)
    man = json.loads((tmp_path / "manifest.json").read_text())
    assert man["scenario"]["policy"] == "station_centred" and man["seed"] == 20211001
    assert man["policesim_version"]


def test_compare_prints_paired_table():
    res = runner.invoke(app, ["compare", OLD, NEW, "--reps", "3", *SHORT])
    assert res.exit_code == 0, res.output
    assert "paired 95% CI" in res.stdout and "escalation_rate" in res.stdout
    assert "3 paired replications" in res.stdout


def test_compare_prints_correlations_and_independent_seeds_side_b():
    res = runner.invoke(app, ["compare", OLD, NEW, "--reps", "3", "--independent", *SHORT])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "corr" in lines[3]
    assert "--independent: B seeded 21211004, A 20211001" in res.stdout
    row = next(line for line in lines if line.startswith("calls "))
    assert -1.0 <= float(row.split()[5]) <= 1.0


def test_validate_accepts_every_shipped_scenario():
    files = sorted(str(p) for p in (ROOT / "scenarios").rglob("*.toml")
                   if not {"sweeps", "sensitivity", "robustness"} & set(p.parts))
    res = runner.invoke(app, ["validate", *files])
    assert res.exit_code == 0, res.output


def test_every_shipped_scenario_runs_briefly():
    for path in (ROOT / "scenarios").glob("*.toml"):
        res = runner.invoke(app, ["run", str(path), "--json", "--set", "days=5",
                                  "--set", "warmup_days=0", "--set", "follow_up_days=0"])
        assert res.exit_code == 0, (path, res.output)
    for path in (ROOT / "scenarios/components").glob("*.toml"):
        res = runner.invoke(app, ["run", str(path), "--json", "--set", "days=5",
                                  "--set", "warmup_days=0", "--set", "follow_up_days=0"])
        assert res.exit_code == 0, (path, res.output)


def test_bad_key_exits_2_with_suggestion():
    res = runner.invoke(app, ["run", OLD, "--set", "staff.auxilaries=3"])
    assert res.exit_code == 2 and "did you mean 'auxiliaries'" in res.output


def test_python_dash_m_and_stdout_is_pure_json():
    proc = subprocess.run([sys.executable, "-m", "sim", "run", NEW, "--json", *SHORT],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # nothing but the JSON object on stdout
