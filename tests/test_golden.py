"""Golden values: every metric of ``--json`` for the default scenarios, for a fixed seed.

The values were regenerated when the random streams became addressed by township and, for
what policies decide, by (dispute, purpose, number) (issues 14 and 18), and when a run became
warm-up + measured days + follow-up with cohort dispute metrics (issue 14). The prefecture cases
(3 of its townships, both policies) pin the multi-township path, which a sharded run must
reproduce. Any change in these numbers must be deliberate. To update them, run
``python tests/test_golden.py``, which prints each value that changed, and say in the commit
message (and the issue note) why the results changed.

This is a change detector, not a correctness check: its values come from the code. What the
numbers should be is checked elsewhere (tests/test_metrics_by_hand.py, test_micro.py, ...).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.experiments.metrics import METRICS
from sim.experiments.run import run_once, summarize
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
KEYS = tuple(METRICS)  # every metric the --json object reports
GOLDEN = Path(__file__).with_name("golden.json")
CASES = {  # name: (scenario file, overrides)
    "station_centred": ("station_centred", []),
    "center_office": ("center_office", []),
    "prefecture_3_station_centred": ("prefecture", ["township.townships=3",
                                                     "policy=station_centred"]),
    "prefecture_3_center_office": ("prefecture", ["township.townships=3"]),
}


def _metrics(name: str) -> dict[str, float | None]:
    file, sets = CASES[name]
    scn = load_scenario(ROOT / "scenarios" / f"{file}.toml",
                        ["days=70", "warmup_days=20", "follow_up_days=30", *sets])
    out = summarize([run_once(scn, replication=0, seed=20211001)])  # as --json prints it
    return {k: out[k] for k in KEYS}


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:  # an undefined metric (NaN) is null in --json
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


LOCK = ROOT / "requirements.lock"


def version_drift(lock: Path = LOCK) -> list[str]:
    """Installed packages whose version differs from requirements.lock ("name lock -> here")."""
    from importlib import metadata
    if not lock.is_file():
        return ["requirements.lock is missing"]
    out = []
    for line in lock.read_text().splitlines():
        name, sep, want = line.partition("==")
        if line.startswith("#") or not sep:
            continue
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "not installed"
        if have != want.strip():
            out.append(f"{name} {want.strip()} -> {have}")
    return out


def _why(k: str, got: float, want: float) -> str:
    drift = version_drift()
    where = ("with the versions of requirements.lock, so the model's numbers changed: if "
             "deliberately, regenerate with python tests/test_golden.py and say why"
             if not drift else "under other versions than requirements.lock ("
             + ", ".join(drift[:8]) + (", ..." if len(drift) > 8 else "") + "); install "
             "exactly those with pip install -c requirements.lock -e \".[dev]\" before "
             "concluding the model changed")
    return f"{k}: got {got!r}, golden {want!r}; this run is {where}"


@pytest.mark.parametrize("name", CASES)
def test_golden_metrics(name):
    expected = json.loads(GOLDEN.read_text())[name]
    assert set(expected) == set(KEYS), "golden.json lacks metrics: regenerate it"
    got = _metrics(name)
    bad = {k: (got[k], expected[k]) for k in KEYS if not _same(got[k], expected[k])}
    assert not bad, "; ".join(_why(k, *bad[k]) for k in bad)


def regenerate() -> list[str]:
    """Rewrite golden.json; return one line per value that changed (or was added)."""
    old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    new = {n: _metrics(n) for n in CASES}
    changes = [f"{n}.{k}: {old.get(n, {}).get(k, '(none)')} -> {v}"
               for n, vals in new.items() for k, v in vals.items()
               if k not in old.get(n, {}) or not _same(old[n][k], v)]
    GOLDEN.write_text(json.dumps(new, indent=2) + "\n")
    return changes


def test_the_golden_message_names_version_drift(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\nnumpy==0.0.1\nno-such-package-xyz==1.0\n")
    from importlib import metadata
    drift = version_drift(lock)
    assert drift[0] == f"numpy 0.0.1 -> {metadata.version('numpy')}"
    assert drift[1] == "no-such-package-xyz 1.0 -> not installed"


if __name__ == "__main__":  # regenerate (deliberately) with: python tests/test_golden.py
    lines = regenerate()
    print("\n".join(lines) if lines else "no value changed")
    print(f"{len(lines)} value(s) changed or added in {GOLDEN}")
