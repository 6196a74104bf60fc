"""Security: no input file can run code, paths in a scenario are relative to it, and the demo
listens on the loopback address unless told otherwise."""

from __future__ import annotations

import ast
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.run import run_replications, summarize
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"
runner = CliRunner()

# ---------------------------------------------------------------- no code from data

UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "shelve",
                  "joblib"}
UNSAFE_ATTRS = {("pandas", "read_pickle"), ("pd", "read_pickle"), ("os", "system"),
                ("os", "popen"), ("importlib", "import_module"), ("yaml", "unsafe_load"),
                ("yaml", "full_load"), ("yaml", "full_load_all"), ("yaml", "unsafe_load_all")}


def unsafe_uses(source: str, name: str = "<src>") -> list[str]:
    """Places in ``source`` that could run code taken from a file or a string."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                node.module or ""]
            found += [f"{where}: imports {m}" for m in mods if m.split(".")[0] in UNSAFE_MODULES]
        if not isinstance(node, ast.Call):
            continue
        f, kws = node.func, {k.arg: k.value for k in node.keywords}
        if isinstance(f, ast.Name) and f.id in UNSAFE_CALLS:
            found.append(f"{where}: calls {f.id}()")
        if isinstance(f, ast.Attribute):
            base = f.value.id if isinstance(f.value, ast.Name) else ""
            if (base, f.attr) in UNSAFE_ATTRS or f.attr in UNSAFE_CALLS - {"compile"}:
                found.append(f"{where}: calls {base}.{f.attr}()")
            if base == "yaml" and f.attr in ("load", "load_all"):
                loader = kws.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
                if not (isinstance(loader, ast.Attribute) and loader.attr in (
                        "SafeLoader", "CSafeLoader")):
                    found.append(f"{where}: yaml.{f.attr} without SafeLoader")
            allow = kws.get("allow_pickle")
            if f.attr == "load" and isinstance(allow, ast.Constant) and allow.value is True:
                found.append(f"{where}: load(allow_pickle=True)")
        shell = kws.get("shell")
        if isinstance(shell, ast.Constant) and shell.value is True:
            found.append(f"{where}: shell=True")
    return found


def test_scanner_catches_each_unsafe_pattern():
    bad = {
        "eval(text)": "eval", "exec(code)": "exec", "__import__(name)": "__import__",
        "import pickle": "pickle", "from pickle import loads": "pickle",
        "import dill": "dill", "import marshal": "marshal", "import shelve": "shelve",
        "yaml.load(f)": "SafeLoader", "yaml.load(f, Loader=yaml.Loader)": "SafeLoader",
        "yaml.unsafe_load(f)": "unsafe_load", "pd.read_pickle(p)": "read_pickle",
        "np.load(p, allow_pickle=True)": "allow_pickle", "os.system(cmd)": "system",
        "subprocess.run(cmd, shell=True)": "shell", "importlib.import_module(n)":
            "import_module", "builtins.eval(s)": "eval",
    }
    for code, what in bad.items():
        found = unsafe_uses(code)
        assert found and what in " ".join(found), code
    safe = ("yaml.safe_load(f)\nyaml.load(f, Loader=yaml.SafeLoader)\nast.literal_eval(s)\n"
            "np.load(p)\nsubprocess.run([sys.executable, '-m', 'sim'])\ntomllib.loads(t)\n"
            "re.compile(r'x')\ngetattr(self, f'_on_{name}')()\n")
    assert unsafe_uses(safe) == []


def test_no_code_runs_from_data_anywhere_in_sim():
    files = sorted(SIM.rglob("*.py"))
    assert len(files) > 10
    found = [u for p in files for u in unsafe_uses(p.read_text(encoding="utf-8"),
                                                   str(p.relative_to(ROOT)))]
    assert found == []


class _Payload:
    """Unpickling this creates a marker file: proof that something unpickled user data."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickles_and_shell_strings_in_inputs_are_just_bad_data(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    (tmp_path / "scenario.toml").write_bytes(payload)
    (tmp_path / "layout.csv").write_bytes(payload)
    (tmp_path / "uses_layout.toml").write_text('[township]\nlayout = "layout.csv"\n')
    (tmp_path / "strings.toml").write_text(
        f'name = "$(touch {marker})"\ndescription = "__import__(\'os\').system(\'touch '
        f'{marker}\')"\n[township]\nlayout = "`touch {marker}`.csv"\n')
    for name in ("scenario.toml", "uses_layout.toml", "strings.toml"):
        res = runner.invoke(app, ["validate", str(tmp_path / name)])
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output
    res = runner.invoke(app, ["validate", str(tmp_path / "strings.toml"), "--set",
                              "township.layout=generated", "--set", "days=2",
                              "--set", "warmup_days=0", "--set", "follow_up_days=0"])
    assert res.exit_code == 0, res.output  # the strings are accepted as plain names
    assert not marker.exists()


# ---------------------------------------------------------------- paths relative to the file

def _township(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario in a/ whose CSV layout sits beside it, and a decoy of the same name in b/."""
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "data").mkdir(parents=True)
    b.mkdir()
    (a / "villages.csv").write_text("village_id,x_km,y_km,population,cluster_id\n"
                                    "V1,1,1,800,C1\nV2,4,2,900,C1\nV3,6,6,700,C2\n")
    (a / "data" / "villages.csv").write_text((a / "villages.csv").read_text())
    (b / "villages.csv").write_text("this is not the file you are looking for\n")
    short = "days = 3\nwarmup_days = 0\nfollow_up_days = 0\n"
    (a / "s.toml").write_text(short + '[township]\nlayout = "villages.csv"\n')
    (a / "data" / "up.toml").write_text(short + '[township]\nlayout = "../villages.csv"\n')
    return a, b


def test_layout_resolves_next_to_the_scenario_not_the_working_folder(tmp_path, monkeypatch):
    a, b = _township(tmp_path)
    monkeypatch.chdir(b)
    assert load_scenario("../a/s.toml").township.layout == str((a / "villages.csv").resolve())
    assert load_scenario(a / "data" / "up.toml").township.layout == str(
        (a / "villages.csv").resolve())
    # a path typed on the command line is the user's, relative to where they are
    with pytest.raises(ScenarioError, match=r"--set township\.layout"):
        load_scenario(a / "s.toml", ["township.layout=nowhere/villages.csv"])
    scn = load_scenario(a / "s.toml", [f"township.layout={a / 'data' / 'villages.csv'}"])
    assert scn.township.layout == str(a / "data" / "villages.csv")


def test_run_from_another_folder_uses_the_scenarios_layout(tmp_path):
    a, b = _township(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "../a/s.toml", "--json"],
                          cwd=b, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # the same numbers as a run of the scenario's own layout in this process
    want = summarize(run_replications(load_scenario(a / "s.toml")))
    assert out["scenario"] == "unnamed" and out == json.loads(json.dumps(want))
    assert want["calls"] > 0
    (a / "villages.csv").unlink()  # now only the decoy in the working folder has the name
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", "../a/s.toml"], cwd=b,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "no such file 'villages.csv'" in proc.stderr
    assert str(a / "villages.csv") in proc.stderr


# ---------------------------------------------------------------- the demo

def _demo_command():
    commands = typer.main.get_command(app).commands
    if "demo" not in commands:
        pytest.skip("no `demo` command in sim.cli yet (issue 6 adds it)")
    return commands["demo"]


def test_demo_listens_on_loopback_by_default():
    host = next((p for p in _demo_command().params if p.name == "host"), None)
    assert host is not None, "the demo command has no --host option"
    assert host.default == "127.0.0.1"


def test_demo_library_defaults_are_loopback_too():
    demo = SIM / "present" / "demo.py"
    if not demo.exists():
        pytest.skip("sim/present/demo.py does not exist yet (issue 6)")
    tree = ast.parse(demo.read_text(encoding="utf-8"))
    hosts = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            args = fn.args.args + fn.args.kwonlyargs
            defaults = [None] * (len(fn.args.args) - len(fn.args.defaults)) + list(
                fn.args.defaults) + list(fn.args.kw_defaults)
            hosts += [(fn.name, d) for a, d in zip(args, defaults, strict=True)
                      if a.arg == "host" and d is not None]
    assert hosts, "no function in sim/present/demo.py takes a host argument"
    for name, default in hosts:
        assert isinstance(default, ast.Constant) and default.value in ("127.0.0.1",
                                                                       "localhost"), name
