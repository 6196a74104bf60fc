"""Fuzzing the loaders and the command line with hypothesis.

Whatever goes in (generated TOML documents, mangled scenario files, ``--set`` strings, CSV
rows), the only outcomes allowed are a valid result or a :class:`ScenarioError`; the CLI exits
0 or 2 and never prints a traceback. A scenario the loader accepts must also run: the model is
built and simulated for a few days, so validation that lets a crashing scenario through fails
here. About 40 s in all on one core.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.layouts import check_grid, read_layout_csv
from sim.scenario import (
    Scenario,
    ScenarioError,
    iter_parameters,
    load_scenario,
    scenario_from_mapping,
)
from sim.world.model import PolicingModel

ROOT = Path(__file__).resolve().parents[1]
KEYS = [k for k, _ in iter_parameters()]
SECTIONS = sorted({k.split(".")[0] for k in KEYS if "." in k})
# CI replays the same examples every run (a red build means a change broke something, not that
# the dice rolled); POLICESIM_FUZZ_EXPLORE=20 draws fresh ones, 20 times as many, to hunt bugs.
EXPLORE = int(os.environ.get("POLICESIM_FUZZ_EXPLORE", "0") or 0)


def fuzz(n: int) -> settings:
    """Hypothesis settings for ``n`` examples, no per-example deadline (CI machines vary)."""
    return settings(max_examples=n * max(1, EXPLORE), deadline=None, derandomize=not EXPLORE,
                    database=None if not EXPLORE else settings.default.database,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# values of every TOML type (and a few Python ones), with the awkward cases weighted in
scalars = st.one_of(
    st.integers(-10, 10**6), st.integers(), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1.0, 12.0, 12.5, 1e308, -0.0, 2**63, "", "true", "365",
                     "nan", "generated", "center_office", "land", "x.csv"]),
    st.text(max_size=12),
    st.dates(), st.times(),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.text(max_size=6), scalars, max_size=2))
def _bounded(info, lo_cap: float | None = None, hi_cap: float | None = None):
    """Values of a numeric parameter inside its declared range, capped to keep runs short."""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        for attr, is_lo, is_open in (("ge", True, False), ("gt", True, True),
                                     ("le", False, False), ("lt", False, True)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo, lo_open = v, is_open
                else:
                    hi, hi_open = v, is_open
    if lo_cap is not None:
        lo, lo_open = max(lo if lo is not None else lo_cap, lo_cap), False
    if hi_cap is not None:
        hi, hi_open = min(hi if hi is not None else hi_cap, hi_cap), False
    if info.annotation is int:
        return st.integers(None if lo is None else int(lo) + lo_open,
                           None if hi is None else int(hi) - hi_open)
    return st.floats(lo, hi, exclude_min=lo_open and lo is not None,
                     exclude_max=hi_open and hi is not None)


def _plausible(key: str, info) -> st.SearchStrategy:
    """Values of the right type for a parameter, usually inside its range."""
    ann = info.annotation
    if ann in (int, float):
        return _bounded(info)
    args = get_args(ann)
    if ann is bool or bool in args:
        return st.booleans()
    if float in args:  # optional coordinates
        return st.floats(0, 200)
    if get_origin(ann) is Literal:
        return st.sampled_from(args)
    if get_origin(ann) is tuple:
        return st.lists(st.sampled_from(get_args(args[0])), max_size=3)
    return st.just("generated") if key == "township.layout" else st.text(max_size=8)


plausible_pairs = st.sampled_from(list(iter_parameters())).flatmap(
    lambda kv: st.tuples(st.just(kv[0]), _plausible(*kv)))


key_names = st.one_of(st.sampled_from(KEYS), st.sampled_from(SECTIONS),
                      st.text(min_size=1, max_size=10), st.sampled_from(
                          ["staff.auxilaries", "stuff.x", "travel", "township.layout",
                           "reform.screening", "name.first"]))


def _nest(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        *parents, leaf = key.split(".")
        node = out
        for p in parents:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                break
            node = nxt
        else:
            node[leaf] = value
    return out


def _assert_error_names_source(err: ScenarioError, source: str) -> None:
    lines = str(err).splitlines()
    assert lines and all(ln.startswith((source, "--set ", "/", "<")) for ln in lines), str(err)


def _assert_well_typed(scn: Scenario) -> None:
    for key, info in iter_parameters():
        obj = scn
        for part in key.split("."):
            obj = getattr(obj, part)
        if isinstance(obj, float):
            assert math.isfinite(obj), key
        if info.annotation is int:
            assert type(obj) is int, key


@fuzz(1000)
@given(st.lists(st.one_of(plausible_pairs, plausible_pairs, st.tuples(key_names, values)),
                max_size=6))
def test_generated_mappings_load_or_raise_scenario_error(pairs):
    _assert_loads_or_rejects(_nest(pairs))


def _assert_loads_or_rejects(data: dict, sets: tuple[str, ...] | list[str] = ()) -> None:
    """A scenario loads well typed, or fails with a ScenarioError naming its source."""
    try:
        scn = scenario_from_mapping(data, "<fuzz>", sets)
    except ScenarioError as e:
        event("rejected")
        _assert_error_names_source(e, "<fuzz>")
        return
    event("accepted")
    _assert_well_typed(scn)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) \
            else repr(v)
    if isinstance(v, int | dt.date | dt.time):
        return str(v) if not isinstance(v, dt.time) else v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(v, ensure_ascii=False)


def _toml(doc: dict) -> str:
    top = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items()
           if not isinstance(v, dict)]
    tables = [f"[{json.dumps(k)}]\n" + "\n".join(f"{json.dumps(kk)} = {_toml_value(vv)}"
                                                 for kk, vv in v.items())
              for k, v in doc.items() if isinstance(v, dict)]
    return "\n".join(top) + "\n" + "\n\n".join(tables) + "\n"


@pytest.fixture(scope="module")
def scratch() -> Path:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@fuzz(500)
@given(doc=st.lists(st.one_of(plausible_pairs, st.tuples(key_names, values)), max_size=6),
       cut=st.integers(0, 400), noise=st.binary(max_size=6), where=st.integers(0, 400))
def test_generated_and_mangled_toml_files(scratch, doc, cut, noise, where):
    text = _toml(_nest(doc)).encode()
    shipped = (ROOT / "scenarios/center_office.toml").read_bytes()
    for i, data in enumerate((text, shipped[:cut], shipped[:where] + noise + shipped[where:])):
        p = scratch / f"fuzz{i}.toml"
        p.write_bytes(data)
        try:
            scn = load_scenario(p)
        except ScenarioError as e:
            assert str(p) in str(e) or "--set" in str(e), str(e)
            continue
        _assert_well_typed(scn)


set_keys = st.one_of(st.sampled_from(KEYS), st.sampled_from(SECTIONS),
                     st.text(max_size=8), st.builds(lambda a, b: f"{a}.{b}",
                                                    st.sampled_from(SECTIONS), st.text(max_size=6)))
set_values = st.one_of(st.text(max_size=10), st.sampled_from(
    ["nan", "inf", "-inf", "1e400", "true", "True", "12", "12.5", "-3", "[1, 2]", "{a = 1}",
     '"quoted"', "", "0", "2024-01-01", "land,family", "[", "'", "0x10", "1_000"]))
plausible_sets = plausible_pairs.map(lambda kv: f"{kv[0]}={_toml_value(kv[1])}")
set_items = st.one_of(plausible_sets, plausible_sets, plausible_sets,
                      st.builds(lambda k, v: f"{k}={v}", set_keys, set_values),
                      st.text(max_size=15))


@fuzz(1000)
@given(st.lists(set_items, max_size=4))
def test_set_strings(items):
    _assert_loads_or_rejects({}, items)


cells = st.one_of(st.sampled_from(["", "0", "1.5", "-1", "nan", "inf", "1e9", "12.0", "12.5",
                                   "V1", "C1", " 3 ", "1,5", '"', "\t"]),
                  st.text(max_size=6), st.floats().map(repr), st.integers().map(str))
COLUMNS = ["village_id", "x_km", "y_km", "population", "cluster_id"]


def _mostly(usual: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` nine times in ten, else ``odd`` (so that some inputs get all the way)."""
    return st.integers(0, 9).flatmap(lambda i: usual if i else odd)


good_row = st.tuples(st.integers(0, 10**6).map(lambda i: f"V{i}"), st.floats(0, 60).map(repr),
                     st.floats(0, 60).map(str), st.integers(0, 3000).map(str),
                     st.sampled_from(["C1", "C2", "north", "3"])).map(list)


@fuzz(800)
@given(header=_mostly(st.just(COLUMNS), st.one_of(
           st.permutations(COLUMNS), st.lists(st.sampled_from([*COLUMNS, "extra", ""]),
                                              max_size=6))),
       rows=st.lists(_mostly(good_row, st.lists(cells, max_size=7)), max_size=8),
       cell_km=st.sampled_from([0.5, 0.5, 5.0, 0.01]))
def test_csv_rows(scratch, header, rows, cell_km):
    p = scratch / "fuzz.csv"
    p.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    try:
        lay = read_layout_csv(p)
        check_grid(lay, cell_km, str(p))
    except ScenarioError as e:
        event("rejected")
        assert str(p) in str(e), str(e)
        return
    event("accepted")
    assert len(set(lay.village_ids)) == lay.n_villages >= 1
    assert (lay.x_km >= 0).all() and (lay.y_km >= 0).all() and (lay.population >= 0).all()
    assert lay.population.sum() > 0
    assert sorted(set(lay.cluster.tolist())) == list(range(lay.n_clusters))


runner = CliRunner()


@fuzz(150)
@given(st.lists(set_items, max_size=3), st.sampled_from(["validate", "run"]))
def test_cli_never_shows_a_traceback(items, cmd):
    args = [cmd, str(ROOT / "scenarios/station_centred.toml")]
    for item in items:
        args += ["--set", item]
    if cmd == "run":  # only bad input gets this far quickly; good input would run a year
        args += ["--set", "days=0", "--set", "warmup_days=0"]
    res = runner.invoke(app, args)
    assert res.exit_code in (0, 2), (args, res.output, res.exception)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output


# ---------------------------------------------------------------- accepted means runnable

# caps that keep one simulated run to a fraction of a second (event counts grow with these)
CAPS = {
    "days": (0.5, 4.0), "warmup_days": (None, 1.0), "follow_up_days": (None, 1.0),
    "township.townships": (None, 2),
    "township.villages": (None, 6), "township.clusters": (None, 3),
    "township.population_per_village": (None, 400), "township.max_road_km": (None, 40),
    "township.cell_km": (0.2, None), "staff.station_officers": (None, 8),
    "staff.community_officers": (None, 4), "staff.auxiliaries": (None, 8),
    "calls.other_per_hour": (None, 3), "calls.casework_chunk_hours": (0.5, None),
    "calls.casework_hours": (None, 40.0),
    "shifts.shift_hours": (0.5, None), "screening.interval_days": (0.5, None),
    "screening.visit_min": (1.0, None), "mediation.on_scene_mean_min": (1.0, None),
    "calls.on_scene_mean_min": (1.0, None), "mediation.joint_session_min": (1.0, None),
    "shifts.day_hours": (0.5, None),
    # the schema allows any speed > 0; below ~1e-300 km/h trip times overflow to infinity (a
    # RuntimeWarning, not a crash): reported, kept out of this test
    "travel.speed_kmh": (1.0, None),
    # the first tension of a dispute is 1 + Poisson(extra_tension_mean), not capped at
    # max_tension, and the model divides by tension_factor ** (tension - 1): a tiny factor
    # underflows to 0 (ZeroDivisionError). Reported; the schema rule covers tension <= max.
    "disputes.tension_factor": (1e-3, None), "disputes.extra_tension_mean": (None, 3.0),
}
RATES = [k for k in KEYS if k.endswith("_per_1000_year")]
NUMERIC = [(k, info) for k, info in iter_parameters()
           if info.annotation in (int, float) and k != "seed" and "share_" not in k
           and k not in ("township.layout_seed",)]


@st.composite
def runnable_overrides(draw) -> list[str]:
    sets = []
    chosen = draw(st.lists(st.sampled_from(NUMERIC), max_size=10, unique_by=lambda x: x[0]))
    for key, info in chosen:
        unit = (info.json_schema_extra or {}).get("unit")
        # durations of a minute or more: shorter ones are legal but make thousands of events
        lo, hi = CAPS.get(key, ({"days": 0.001, "h": 0.02, "min": 1.0}.get(unit), None))
        if key in RATES:
            hi = 300.0
        sets.append(f"{key}={draw(_bounded(info, lo, hi))!r}")
    for comp in draw(st.lists(st.sampled_from(["dedicated_community_officers",
                                               "village_auxiliaries", "center_offices",
                                               "screening", "joint_mediation", "smart_alerts"]),
                              unique=True)):
        sets.append(f"reform.{comp}={draw(st.sampled_from(['true', 'false']))}")
    return [*sets, f"policy={draw(st.sampled_from(['station_centred', 'center_office']))}",
            f"calls.on_scene_distribution={draw(st.sampled_from(['exponential', 'lognormal']))}",
            f"days={draw(st.floats(0.5, 3.0))!r}", "warmup_days=0.25", "follow_up_days=0.25"]


@fuzz(80)
@given(runnable_overrides(), st.integers(0, 2**32 - 1))
def test_accepted_scenarios_build_and_run(sets, seed):
    try:
        scn = scenario_from_mapping({"seed": seed}, "<fuzz>", sets)
    except ScenarioError:
        assume(False)  # rejected: the loader's business, tested above
        return
    d = scn.disputes  # legal but slow: fights every few seconds (a dispute at max tension)
    assume(min(d.escalate_scale_days * 1440, d.acute_fight_mean_min)
           * d.tension_factor ** (d.max_tension - 1) > 1)
    model = PolicingModel(scn)
    rec = model.simulate()
    assert model.time <= model.horizon + 1e-6
    assert len(rec.workload) > 0
