"""README keeps its promises: the two commands on the first screen, every metric defined."""

from __future__ import annotations

from pathlib import Path

from sim.experiments.metrics import METRICS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_first_screen_has_the_two_commands():
    first = "\n".join(README.splitlines()[:25])
    assert "policesim compare scenarios/station_centred.toml scenarios/center_office.toml" in first
    assert "python -m pytest" in first and "python3.12 -m venv" in first


def test_every_metric_is_defined():
    for key in METRICS:
        assert f"| `{key}` |" in README, key


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parents[1] / ".ci/run").read_text()
    assert "grep -A1 '^# 2. Set up and run the tests:' README.md" in ci
    lines = README.splitlines()
    cmd = lines[lines.index("# 2. Set up and run the tests:") + 1]
    assert cmd.startswith("python3.12 -m venv .venv && ") and "pytest" in cmd
