"""The notebook interface: its documented page runs, and it gives the command line's numbers."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.api
from sim import api
from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
QUICK = ["days=12", "warmup_days=2", "township.villages=5"]


def test_docs_api_page_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = doctest.testfile(str(ROOT / "docs/api.md"), module_relative=False, optionflags=FLAGS,
                           verbose=False)
    assert res.attempted >= 15 and res.failed == 0


def test_module_docstrings_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = doctest.testmod(sim.api, optionflags=FLAGS)
    assert res.attempted >= 2 and res.failed == 0


def test_api_compare_equals_the_command_line():
    sets = [x for kv in QUICK for x in ("--set", kv)]
    old = str(ROOT / "scenarios/station_centred.toml")
    new = str(ROOT / "scenarios/center_office.toml")
    obj = json.loads(CliRunner().invoke(
        app, ["compare", old, new, "--reps", "2", "--json", *sets]).stdout)
    cols = ["mean_a", "mean_b", "diff", "ci_low", "ci_high", "pairs"]
    cli = pd.DataFrame([{"metric": k, **{c: v[c] for c in cols}}
                        for k, v in obj["metrics"].items()]).astype({c: float for c in cols})
    mine = api.compare(old, new, reps=2, overrides=QUICK)[["metric", *cols]]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True).astype({c: float for c in cols}),
                                  cli, check_dtype=False)


def test_api_run_equals_run_json():
    path = str(ROOT / "scenarios/center_office.toml")
    sets = [x for kv in QUICK for x in ("--set", kv)]
    out = json.loads(CliRunner().invoke(app, ["run", path, "--reps", "2", "--json",
                                              *sets]).stdout)
    df = api.run(path, reps=2, overrides=QUICK)
    for rep, row in zip(out["replications"], df.to_dict("records"), strict=True):
        for k, v in rep.items():
            assert (v is None and pd.isna(row[k])) or v == row[k], k


def test_api_out_refuses_other_results(tmp_path):
    from sim.experiments.results import OutputError
    path = str(ROOT / "scenarios/center_office.toml")
    api.run(path, overrides=QUICK, out=tmp_path / "r")
    with pytest.raises(OutputError, match="already holds a run"):
        api.compare(path, path, reps=1, overrides=QUICK, out=tmp_path / "r")
