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


def _rendered_tables(text: str) -> tuple[set[int], set[int], list]:
    """Lines inside tables, lines inside code blocks, and the table tokens, as markdown-it sees."""
    from markdown_it import MarkdownIt
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables, code = set(), set()
    for t in tokens:
        if t.type == "table_open" and t.map:
            tables.update(range(*t.map))
        if t.type in ("fence", "code_block") and t.map:
            code.update(range(*t.map))
    return tables, code, [t for t in tokens if t.type == "table_open"]


def test_every_table_renders_as_a_table():
    tables, code, _ = _rendered_tables(README)
    pipes = {i for i, line in enumerate(README.splitlines())
             if line.lstrip().startswith("|") and i not in code}
    assert pipes, "README has tables"
    stray = sorted(pipes - tables)
    assert not stray, [README.splitlines()[i] for i in stray]


def test_the_table_check_catches_a_broken_table():
    broken = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n"
    tables, code, found = _rendered_tables(broken)
    assert len(found) == 1 and 4 not in tables and not code


def test_commands_table_lists_every_command_row():
    lines = README.splitlines()
    start = lines.index("| command | what it does |")
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    tables, _, _ = _rendered_tables(README)
    assert set(range(start, start + 2 + len(rows))) <= tables
    for cmd in ("run", "compare", "validate", "report", "sweep", "sensitivity", "calibrate",
                "demo"):
        assert any(r.startswith(f"| `policesim {cmd} ") for r in rows), cmd
