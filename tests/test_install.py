"""What an install brings: the command line without the demo's packages, pinned versions."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEMO_ONLY = ("solara", "solara-assets", "ipyvuetify", "ipyvue")


def _names(reqs: list[str]) -> list[str]:
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


# ---------------------------------------------------------------- the light install's imports

#: What the command line loads (README's first install, ``pip install -e .``, must bring every
#: third-party package these import); the sim modules they import are followed too.
CORE_PATH = ("sim/__main__.py", "sim/cli.py", "sim/cli_planning.py", "sim/experiments",
             "sim/world", "sim/scenario")


def _catches_import_error(node: ast.Try) -> bool:
    names = set()
    for h in node.handlers:
        kinds = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        names |= {k.id for k in kinds if isinstance(k, ast.Name)}
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def _imports(tree: ast.AST) -> list[str]:
    """Dotted names of the modules a file imports, leaving out optional extras (imports in the
    body of a ``try`` that catches ImportError) and ``if TYPE_CHECKING:`` blocks."""
    out: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
            out.extend(f"{node.module}.{a.name}" for a in node.names)  # maybe submodules
        children: list[ast.AST] = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.Try) and _catches_import_error(node):
            children = [*node.handlers, *node.orelse, *node.finalbody]
        elif isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            children = list(node.orelse)
        for child in children:
            visit(child)

    visit(tree)
    return out


def _sim_file(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def third_party_imports() -> dict[str, str]:
    """Top-level third-party module -> a file on the command line's path that imports it."""
    todo = [p for entry in CORE_PATH for p in (
        sorted((ROOT / entry).rglob("*.py")) if (ROOT / entry).is_dir() else [ROOT / entry])]
    seen: set[Path] = set()
    found: dict[str, str] = {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            top = name.partition(".")[0]
            if top == "sim":
                if (nxt := _sim_file(name)) is not None:
                    todo.append(nxt)
            elif top not in sys.stdlib_module_names:
                found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def not_provided(dependencies: list[str]) -> dict[str, str]:
    """Third-party modules of the command line that no listed distribution provides."""
    core = {_normal(n) for n in _names(dependencies)}
    providers = packages_distributions()
    return {f"{top} (imported by {where}; installed by {providers.get(top, 'nothing')})": top
            for top, where in sorted(third_party_imports().items())
            if not core & {_normal(d) for d in providers.get(top, [])}}


def test_the_light_install_brings_every_package_the_command_line_imports():
    missing = not_provided(PYPROJECT["project"]["dependencies"])
    assert not missing, f"add to [project] dependencies in pyproject.toml: {list(missing)}"


def test_the_light_install_check_sees_a_missing_dependency():
    deps = PYPROJECT["project"]["dependencies"]
    assert "click" in third_party_imports()  # sim/cli.py catches click's exceptions
    without = [r for r in deps if _names([r]) != ["click"]]
    assert len(without) == len(deps) - 1
    assert list(not_provided(without).values()) == ["click"]
