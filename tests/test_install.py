"""What an install brings: the command line without the demo's packages, pinned versions."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEMO_ONLY = ("solara", "solara-assets", "ipyvuetify", "ipyvue")


def _names(reqs: list[str]) -> list[str]:
    import re
    return [re.split(r"[\s<>=!\[;~]", r, maxsplit=1)[0].lower() for r in reqs]


def test_demo_packages_are_an_extra_that_dev_includes():
    core = _names(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not set(DEMO_ONLY) & set(core)
    assert not any("[viz]" in r for r in PYPROJECT["project"]["dependencies"])
    assert set(DEMO_ONLY) <= set(_names(extras["demo"]))
    assert any("demo" in r for r in extras["dev"] if r.startswith("policesim["))


def test_the_command_line_runs_without_the_demo_packages():
    code = ("import sys\n"
            "for m in ('solara', 'ipyvuetify', 'ipyvue', 'altair', 'mesa.visualization'):\n"
            "    sys.modules[m] = None  # as if not installed: importing it fails\n"
            "from sim.cli import main\n"
            f"sys.argv = ['policesim', 'run', {str(ROOT / 'scenarios/center_office.toml')!r}, "
            "'--json', '--set', 'days=3', '--set', 'warmup_days=0', '--set', "
            "'township.villages=4']\n"
            "main()\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert res.returncode == 0, res.stderr
    assert '"disputes"' in res.stdout


def test_demo_without_its_extra_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "solara", None)
    monkeypatch.delitem(sys.modules, "sim.present.demo", raising=False)
    res = CliRunner().invoke(app, ["demo"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert 'pip install -e ".[demo]"' in lines[0] and "solara" in lines[0]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[name.lower().replace("_", "-")] = version.strip()
    return pins


def test_the_lock_pins_every_declared_dependency():
    pins = _lock()
    declared = _names(PYPROJECT["project"]["dependencies"])
    for reqs in PYPROJECT["project"]["optional-dependencies"].values():
        declared += [n for n in _names(reqs) if n != "policesim"]
    missing = [n for n in declared if n.replace("_", "-") not in pins]
    assert not missing, f"not in requirements.lock (run scripts/lock.sh): {missing}"
    assert "policesim" not in pins


def test_readme_installs_use_the_lock():
    lines = (ROOT / "README.md").read_text().splitlines()
    for head in ("# 1. Set up and run the main comparison (needs Python 3.12):",
                 "# 2. Set up and run the tests:"):
        cmd = lines[lines.index(head) + 1]
        assert "-c requirements.lock" in cmd, cmd
