"""docs/ODD.md cannot drift from the code: every parameter, its default and provenance."""

from __future__ import annotations

import re
from pathlib import Path

from sim.experiments.calibration import calibrated_markdown, parameter_markdown
from sim.scenario import parameter_table

DOCS = Path(__file__).resolve().parents[1] / "docs"
FIX = "run `python scripts/validation_report.py --tables-only`"


def _block(text: str, name: str) -> str:
    m = re.search(rf"<!-- generated:{name}:start -->\n(.*?)\n<!-- generated:{name}:end -->",
                  text, re.S)
    assert m, f"markers for {name} missing"
    return m.group(1)


def test_every_parameter_key_appears_in_the_odd():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    missing = [p["key"] for p in parameter_table() if f"`{p['key']}`" not in odd]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}; {FIX}"


def test_parameter_table_matches_the_schema():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    assert _block(odd, "parameters") == parameter_markdown(), f"stale table: {FIX}"
    cal = (DOCS / "calibration.md").read_text(encoding="utf-8")
    assert _block(cal, "calibrated") == calibrated_markdown(), f"stale table: {FIX}"


def test_odd_has_every_element_of_the_protocol():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales",
                    "Process overview and scheduling", "Design concepts", "Initialisation",
                    "Input data", "Submodels"):
        assert re.search(rf"^## \d\. {heading}$", odd, re.M), heading


def test_parameter_markdown_escapes_and_lists_every_key():
    table = parameter_markdown()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(parameter_table())
    assert all(line.count(" | ") == 5 for line in rows)  # no stray pipes in any cell
