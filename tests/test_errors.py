"""One error style: one ``error:`` line, exit 2, naming the option or field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
NEW = str(ROOT / "scenarios/center_office.toml")
SMOKE = str(ROOT / "scenarios/sweeps/smoke.toml")
MORRIS = str(ROOT / "scenarios/sensitivity/morris_reform.toml")
runner = CliRunner()


def _one_error(args: list[str]) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, (args, res.output)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    for phrase in ("Usage:", "Input should be", "Field required", "Try "):
        assert phrase not in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["run", NEW, "--reps", "0"], "--reps: must be at least 1"),
    (["sweep", SMOKE, "--out", "x", "--workers", "0"], "--workers: must be at least 1"),
    (["demo", "--port", "80000"], "--port: must be at most 65535"),
    (["calibrate", "--reps", "many"], "--reps: must be a whole number"),
    (["sweep", SMOKE], "missing --out"),
    (["run"], "missing SCENARIO"),
])
def test_command_line_mistakes_are_one_line(args, words):
    assert words in _one_error(args)


def test_a_file_of_another_kind_says_which_command_takes_it(tmp_path):
    msg = _one_error(["run", SMOKE])
    assert "this is a sweep file" in msg and f"policesim sweep {SMOKE} --out DIR" in msg
    msg = _one_error(["sweep", NEW, "--out", str(tmp_path / "o")])
    assert "this is a scenario file" in msg and f"policesim run {NEW}" in msg
    msg = _one_error(["sensitivity", SMOKE, "--out", str(tmp_path / "o")])
    assert "this is a sweep file" in msg
    msg = _one_error(["compare", NEW, MORRIS])
    assert "this is a sensitivity file" in msg
    assert not (tmp_path / "o").exists()


def test_sweep_file_typos_get_suggestions_and_plain_words(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(f'base = "{NEW}"\nrepliactions = 2\n[[axes]]\nkey = "staff.auxiliaries"\n'
                 'valuse = [1, 2]\n')
    res = runner.invoke(app, ["sweep", str(f), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "repliactions: unknown key (did you mean 'replications'?)" in res.output
    assert "axes[0].valuse: unknown key (did you mean 'values'?)" in res.output
    f.write_text("replications = 0\n[[axes]]\nkey = \"staff.auxiliaries\"\nvalues = [1]\n")
    res = runner.invoke(app, ["sweep", str(f), "--out", str(tmp_path / "o")])
    assert "base: missing (this key is required)" in res.output
    assert "replications: must be at least 1" in res.output
    assert "Input should" not in res.output and "Field required" not in res.output


def test_scenario_errors_use_plain_words(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[staff]\nauxiliaries = -3\n")
    msg = _one_error(["validate", str(f)])
    assert "staff.auxiliaries: must be at least 0, got -3" in msg


def test_help_shows_plain_names_and_types():
    for cmd in ("run", "compare", "validate", "report", "sweep", "sensitivity", "calibrate",
                "demo", "warmup", "robustness", "site", "staff", "frontier"):
        text = runner.invoke(app, [cmd, "--help"]).output
        for ugly in ("{", "<bool>", "<list[str]>", "<int range>", "<str>"):
            assert ugly not in text, (cmd, ugly)
    assert " run [OPTIONS] SCENARIO\n" in runner.invoke(app, ["run", "--help"]).output


def test_sensitivity_help_is_its_own():
    sens = runner.invoke(app, ["sensitivity", "--help"]).output
    sweep = runner.invoke(app, ["sweep", "--help"]).output
    assert "sensitivity.parquet" in sens and "sensitivity runs" in sens
    assert "sensitivity" not in sweep.split("Options:")[1]


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"policesim {sim.__version__}"
