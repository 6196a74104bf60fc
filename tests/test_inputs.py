"""Bad input, fed through the command line as a user would: status 2, a message naming the
file, the field and what is allowed, no traceback, and no output folder left behind.

The corpus of broken files lives in tests/data/broken/ (its CSV layouts under layouts/); every
file there must have an entry in CORPUS below, and every entry a file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.layouts import read_layout_csv
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests/data/broken"
OLD = str(ROOT / "scenarios/station_centred.toml")
NEW = str(ROOT / "scenarios/center_office.toml")
SHORT = ["--set", "days=3", "--set", "warmup_days=0"]
runner = CliRunner()

# file -> substrings its error must contain: the file named, the field, what is allowed
CORPUS: dict[str, tuple[str, ...]] = {
    # unreadable or not TOML at all
    "empty.toml": ("empty.toml", "empty"),
    "blank_lines.toml": ("blank_lines.toml", "empty"),
    "binary.toml": ("binary.toml", "binary"),
    "latin1.toml": ("latin1.toml", "not a UTF-8", "save it as UTF-8"),
    "truncated_key.toml": ("truncated_key.toml", "invalid TOML", "end of document"),
    "truncated_string.toml": ("truncated_string.toml", "invalid TOML", "Unterminated string"),
    "invalid_syntax.toml": ("invalid_syntax.toml", "invalid TOML", "line 1"),
    "duplicate_key.toml": ("duplicate_key.toml", "invalid TOML", "line 2"),
    "folder.toml": ("folder.toml", "is a folder"),
    # unknown or misplaced keys and sections
    "typo_key.toml": ("typo_key.toml", "staff.auxilaries", "did you mean 'auxiliaries'"),
    "unknown_section.toml": ("unknown_section.toml", "stuff", "unknown section",
                             "did you mean 'staff'"),
    "key_in_wrong_section.toml": ("key_in_wrong_section.toml", "staff.speed_kmh",
                                  "travel.speed_kmh"),
    "top_level_key_in_table.toml": ("top_level_key_in_table.toml", "township.days",
                                    "top level"),
    "section_as_value.toml": ("section_as_value.toml", "staff", "[staff] table"),
    "array_of_tables.toml": ("array_of_tables.toml", "staff", "[staff] table", "a list"),
    # wrong types
    "number_as_text.toml": ("number_as_text.toml", "days", "without quotes", "> 0"),
    "bool_as_text.toml": ("bool_as_text.toml", "reform.screening", "true or false"),
    "bool_as_number.toml": ("bool_as_number.toml", "reform.screening", "true or false"),
    "number_as_bool.toml": ("number_as_bool.toml", "staff.auxiliaries", "whole number",
                            ">= 0"),
    "fractional_count.toml": ("fractional_count.toml", "staff.auxiliaries", "whole number",
                              "12.5"),
    "date_value.toml": ("date_value.toml", "days", "date", "> 0"),
    "name_not_text.toml": ("name_not_text.toml", "name", "text in quotes"),
    "joint_kinds_not_list.toml": ("joint_kinds_not_list.toml", "mediation.joint_kinds",
                                  "a list"),
    # values out of range
    "negative_count.toml": ("negative_count.toml", "staff.station_officers", ">= 0"),
    "probability_above_one.toml": ("probability_above_one.toml", "disputes.injury_prob",
                                   "<= 1"),
    "probability_negative.toml": ("probability_negative.toml", "mediation.success_joint",
                                  ">= 0 and <= 1"),
    "nan.toml": ("nan.toml", "days", "finite", "> 0"),
    "infinity.toml": ("infinity.toml", "travel.speed_kmh", "finite", "<= 200"),
    "zero_speed.toml": ("zero_speed.toml", "travel.speed_kmh", "> 0"),
    "negative_seed.toml": ("negative_seed.toml", "seed", ">= 0"),
    "huge_integer.toml": ("huge_integer.toml", "days", "<= 36500"),
    "day_start_24.toml": ("day_start_24.toml", "shifts.day_start_h", "< 24"),
    "wrong_policy.toml": ("wrong_policy.toml", "policy", "'station_centred' or "
                          "'center_office'", "did you mean 'center_office'"),
    "wrong_distribution.toml": ("wrong_distribution.toml", "calls.on_scene_distribution",
                                "'exponential' or 'lognormal'"),
    "joint_kind_typo.toml": ("joint_kind_typo.toml", "mediation.joint_kinds[1]",
                             "did you mean 'elder_support'"),
    # rules across fields
    "shares_not_one.toml": ("shares_not_one.toml", "disputes.share_", "sum to 1"),
    "warmup_too_long.toml": ("warmup_too_long.toml", "warmup_days", "<= 3650"),
    "clusters_exceed_villages.toml": ("clusters_exceed_villages.toml", "township.clusters",
                                      "cannot exceed township.villages"),
    "no_staff.toml": ("no_staff.toml", "staff", "at least one officer or auxiliary"),
    "center_offices_no_officer.toml": ("center_offices_no_officer.toml",
                                       "staff.station_officers", "center offices need"),
    "grid_too_large.toml": ("grid_too_large.toml", "township", "2,000,000", "cell_km"),
    "casework_blocks.toml": ("casework_blocks.toml", "calls.casework_chunk_hours",
                             "at most 1,000"),
    "duration_too_short.toml": ("duration_too_short.toml", "disputes.escalate_scale_days",
                                "shorter than a second"),
    "tension_underflow.toml": ("tension_underflow.toml", "disputes.tension_factor",
                               "max_tension", "under a second"),
    "station_for_generated.toml": ("station_for_generated.toml", "township.station_x_km",
                                   "only used with a CSV layout"),
    "csv_half_station.toml": ("csv_half_station.toml", "township.station_y_km",
                              "both or neither"),
    "csv_townships.toml": ("csv_townships.toml", "township.townships", "one township"),
    "csv_declares_clusters.toml": ("csv_declares_clusters.toml", "township.clusters",
                                   "only used by a generated township", "remove it"),
    "csv_with_generated_keys.toml": ("csv_with_generated_keys.toml", "township.villages",
                                     "only used by a generated township"),
    # the layout path (relative to the scenario file)
    "layout_missing.toml": ("layout_missing.toml", "township.layout", "no_such_layout.csv",
                            "relative to the file's folder"),
    "layout_is_folder.toml": ("layout_is_folder.toml", "township.layout", "not a file"),
    "layout_typo_generated.toml": ("layout_typo_generated.toml", "township.layout",
                                   "'generated' or a CSV file"),
    "csv_folder.toml": ("csv_folder.toml", "township.layout", "not a file"),
    # the layout CSV itself
    "csv_missing_column.toml": ("missing_column.csv", "missing column", "cluster_id",
                                "required:"),
    "csv_misspelt_column.toml": ("misspelt_column.csv", "'population'", "popluation"),
    "csv_empty.toml": ("empty.csv", "township.layout", "empty", "header"),
    "csv_header_only.toml": ("header_only.csv", "township.layout", "no villages"),
    "csv_duplicate_id.toml": ("duplicate_id.csv", "line 4", "village_id", "duplicate",
                              "'V2'"),
    "csv_outside_grid.toml": ("outside_grid.csv", "line 2", "x_km", "outside the grid",
                              "allowed 0 to"),
    "csv_nan_coordinate.toml": ("nan_coordinate.csv", "y_km", "finite"),
    "csv_text_population.toml": ("text_population.csv", "population", "whole number"),
    "csv_fractional_population.toml": ("fractional_population.csv", "population",
                                       "whole number"),
    "csv_negative_population.toml": ("negative_population.csv", "population", "allowed 0"),
    "csv_zero_population.toml": ("zero_population.csv", "population", "no residents"),
    "csv_empty_cluster.toml": ("empty_cluster.csv", "line 3", "cluster_id", "empty"),
    "csv_empty_village_id.toml": ("empty_village_id.csv", "village_id", "empty"),
    "csv_binary.toml": ("binary.csv", "township.layout", "binary"),
    "csv_latin1.toml": ("latin1.csv", "township.layout", "UTF-8"),
    "csv_in_metres.toml": ("in_metres.csv", "township.layout", "cells", "metres"),
    "csv_extra_field.toml": ("extra_field.csv", "line 2", "more fields"),
    "csv_short_row.toml": ("short_row.csv", "line 2", "population", "empty"),
    "csv_decimal_comma.toml": ("decimal_comma.csv", "x_km", "decimal point"),
}

# --set values -> substrings of the error
BAD_SETS: dict[str, tuple[str, ...]] = {
    "staff.auxiliaries": ("KEY=VALUE",),
    "=3": ("KEY=VALUE",),
    "staff..auxiliaries=3": ("empty part",),
    "staff=3": ("--set staff", "is a section", "staff.station_officers"),
    "staff.auxiliaries.x=1": ("staff.auxiliaries", "not a section"),
    "stuff.auxiliaries=3": ("unknown section 'stuff'", "did you mean 'staff'"),
    "staff.auxilaries=3": ("--set staff.auxilaries", "did you mean 'auxiliaries'"),
    "speed_kmh=40": ("--set speed_kmh", "travel.speed_kmh"),
    "days=nan": ("--set days", "finite", "> 0"),
    "days=-inf": ("--set days", "finite"),
    "travel.speed_kmh=inf": ("--set travel.speed_kmh", "finite", "<= 200"),
    "days=abc": ("--set days", "expected a number"),
    "days=": ("--set days", "expected a number"),
    "days=true": ("--set days", "expected a number", "boolean"),
    "staff.auxiliaries=2.5": ("--set staff.auxiliaries", "whole number"),
    "staff.station_officers=-1": ("--set staff.station_officers", ">= 0"),
    "disputes.injury_prob=2": ("--set disputes.injury_prob", "<= 1"),
    "reform.screening=maybe": ("--set reform.screening", "true or false"),
    "policy=centre_office": ("--set policy", "did you mean 'center_office'"),
    "seed=-5": ("--set seed", ">= 0"),
    "warmup_days=4000": ("warmup_days", "<= 3650"),
    "township.layout=no_such_file.csv": ("--set township.layout", "no_such_file.csv",
                                         "working folder"),
    "township.station_x_km=3": ("township.station_x_km", "both or neither"),
}


def _check(res, *needles: str) -> None:
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    for needle in needles:
        assert needle in res.output, (needle, res.output)


def test_corpus_and_table_agree():
    files = {p.name for p in BROKEN.iterdir() if p.name != "layouts"}
    assert files == set(CORPUS)
    assert len(CORPUS) >= 30
    csvs = {p.name for p in (BROKEN / "layouts").iterdir()}
    used = {p.read_text().split('"layouts/')[1].split('"')[0] for p in BROKEN.glob("csv_*")
            if p.is_file() and '"layouts/' in p.read_text()}
    assert csvs == used | {"good.csv"}  # no orphan layouts


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_file_exits_2_naming_file_and_field(name):
    _check(runner.invoke(app, ["validate", str(BROKEN / name)]), "error:", *CORPUS[name])


@pytest.mark.parametrize("item", sorted(BAD_SETS))
def test_bad_set_exits_2_naming_the_key(item):
    _check(runner.invoke(app, ["validate", OLD, "--set", item]), "error:", *BAD_SETS[item])


@pytest.mark.parametrize("args, needles", [
    (["run", OLD, "--reps", "0"], ("--reps", "1")),
    (["run", OLD, "--reps", "-1"], ("--reps",)),
    (["run", OLD, "--reps", "many"], ("--reps", "whole number")),
    (["run", OLD, "--seed", "-1"], ("--seed", "0")),
    (["compare", OLD, NEW, "--reps", "0"], ("--reps",)),
    (["run"], ("missing SCENARIO",)),
    (["validate"], ("missing SCENARIO",)),
    (["run", OLD, "--bogus"], ("no such option --bogus",)),
    (["run", "/dev/null"], ("/dev/null", "regular file")),
    (["run", str(BROKEN / "no_such_scenario.toml")], ("no_such_scenario.toml",
                                                       "no such file")),
])
def test_bad_cli_options_exit_2(args, needles):
    _check(runner.invoke(app, args), *needles)


def test_several_problems_are_reported_together(tmp_path):
    p = tmp_path / "many.toml"
    p.write_text('days = "365"\n[staff]\nstation_officers = -3\nauxilaries = 2\n'
                 '[disputes]\ninjury_prob = 1.5\n')
    res = runner.invoke(app, ["validate", str(p)])
    _check(res, "days", "staff.station_officers", "staff.auxilaries", "disputes.injury_prob")
    assert res.output.count("many.toml") >= 4  # one line each, each naming the file


def test_too_many_villages_in_a_csv(tmp_path):
    rows = "".join(f"V{i},{i % 70 * 0.3},{i // 70 * 0.3},100,C{i % 9}\n" for i in range(5001))
    (tmp_path / "v.csv").write_text("village_id,x_km,y_km,population,cluster_id\n" + rows)
    (tmp_path / "s.toml").write_text('[township]\nlayout = "v.csv"\n')
    _check(runner.invoke(app, ["validate", str(tmp_path / "s.toml")]), "v.csv",
           "5,001 villages", "at most 5,000")


# ---------------------------------------------------------------- outputs: none when input is bad

@pytest.mark.parametrize("cmd", ["run", "compare"])
@pytest.mark.parametrize("bad", ["typo_key.toml", "csv_duplicate_id.toml", "binary.toml"])
def test_bad_input_creates_no_output_folder(tmp_path, cmd, bad):
    out = tmp_path / "out"
    args = [cmd, str(BROKEN / bad)] + ([OLD] if cmd == "compare" else [])
    _check(runner.invoke(app, [*args, "--out", str(out), *SHORT]), "error:")
    assert not out.exists()


def test_compare_with_one_bad_side_writes_nothing(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["compare", OLD, str(BROKEN / "probability_above_one.toml"),
                              "--out", str(out), *SHORT])
    _check(res, "probability_above_one.toml", "disputes.injury_prob")
    assert not out.exists()


@pytest.mark.parametrize("cmd", ["run", "compare"])
def test_unwritable_out_fails_before_running(tmp_path, cmd):
    # tests may run as root, so permissions stop nothing: use a path under a regular file
    blocker = tmp_path / "somefile.txt"
    blocker.write_text("not a folder")
    args = [cmd, OLD] + ([NEW] if cmd == "compare" else [])
    for out in (blocker / "sub", blocker):
        res = runner.invoke(app, [*args, "--out", str(out), *SHORT])
        _check(res, str(out), "cannot write output")
        assert "paired" not in res.output and "response_time" not in res.output  # no run
    assert blocker.read_text() == "not a folder"


# ---------------------------------------------------------------- what is accepted

def test_forgiving_readings_that_are_accepted(tmp_path):
    p = tmp_path / "ok.toml"
    # a byte-order mark, CRLF line ends, a whole float for a count, an int for a float,
    # comments only around the values
    p.write_bytes(b"\xef\xbb\xbf# saved by Notepad\r\nname = \"bom\"\r\ndays = 100\r\n"
                  b"[staff]\r\nauxiliaries = 12.0  # a whole float is a count\r\n")
    scn = load_scenario(p, ["reform.screening=True", "name=2024",
                            "mediation.joint_kinds=land,family", "travel.speed_kmh=40"])
    assert scn.staff.auxiliaries == 12 and isinstance(scn.staff.auxiliaries, int)
    assert scn.reform.screening is True and scn.name == "2024"
    assert scn.mediation.joint_kinds == ("land", "family")
    assert scn.travel.speed_kmh == 40.0 and scn.days == 100.0
    comments = tmp_path / "defaults.toml"
    comments.write_text("# every parameter at its default\n")
    assert load_scenario(comments).staff.auxiliaries == 36


def test_partial_reform_mixing_true_and_false_is_accepted():
    scn = load_scenario(NEW, ["reform.screening=false", "reform.joint_mediation=false"])
    comp = scn.components()
    assert comp["center_offices"] and not comp["screening"] and not comp["joint_mediation"]


def test_staffing_gaps_warn_but_run():
    res = runner.invoke(app, ["validate", NEW, "--set", "staff.station_officers=1",
                              "--set", "staff.auxiliaries=0"])
    assert res.exit_code == 0, res.output
    assert "warning:" in res.output and "casework" in res.output
    res = runner.invoke(app, ["validate", OLD])
    assert res.exit_code == 0 and "warning" not in res.output


def test_csv_layout_with_bom_and_spaces_is_read(tmp_path):
    p = tmp_path / "v.csv"
    p.write_bytes(b"\xef\xbb\xbfvillage_id, x_km, y_km, population, cluster_id\r\n"
                  b"A, 1.5, 2, 900, north\r\n\r\nB, 3, 1, 1200.0, south\r\n")
    lay = read_layout_csv(p)
    assert lay.village_ids == ("A", "B") and list(lay.population) == [900, 1200]
    assert lay.n_clusters == 2


def test_library_errors_are_scenario_errors(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match=r"line 4: village_id: duplicate"):
        read_layout_csv(BROKEN / "layouts/duplicate_id.csv")


def test_subprocess_prints_one_clean_error_line():
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(BROKEN / "typo_key.toml")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (f"error: {BROKEN / 'typo_key.toml'}: staff.auxilaries: "
                                   f"unknown key (did you mean 'auxiliaries'?)")
