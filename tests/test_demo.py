"""The classroom demo without a browser: the paired model, what the map shows, the CLI."""

from __future__ import annotations

import inspect
import math
import socket

import numpy as np
import pytest
from conftest import scenario
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.metrics import METRICS, compute_metrics, tables_from_records
from sim.experiments.run import run_once
from sim.present import assets
from sim.present.demo_draw import draw_charts, draw_maps, png
from sim.present.demo_model import (
    DISPUTE_CATEGORIES,
    DemoPair,
    demo_scenarios,
    dispute_category,
    dispute_marks,
    knob_defaults,
    place_xy,
    responder_marks,
    trip_fraction,
)
from sim.scenario import COMPONENTS, Scenario
from sim.world.disputes import DisputeState

OFF = dict.fromkeys(COMPONENTS, False)


def _disputes_seen(model) -> set[tuple]:
    """(index, start time, village, kind) of every dispute that has arisen so far."""
    open_ = {(d.index, d.t_start, d.village, d.kind.value) for d in model.disputes_by_id.values()}
    closed = {(r["dispute_id"], r["t_start"], r["village"], r["kind"])
              for r in model.records.disputes}
    return open_ | closed


def test_demo_scenarios_differ_only_in_policy_and_components():
    base = Scenario()
    old, new = demo_scenarios(base, dispute_rate=60, auxiliaries=20, community_share=0.5,
                              screening_days=3, components={"screening": True})
    assert old.components() == OFF
    assert new.components() == {**OFF, "screening": True}
    for s in (old, new):
        assert s.disputes.rate_per_1000_year == 60
        assert s.staff.auxiliaries == 20
        # 18 officers in the base scenario, half of them community officers
        assert (s.staff.station_officers, s.staff.community_officers) == (9, 9)
        assert s.screening.interval_days == 3
        assert s.seed == base.seed
    assert old.model_dump(exclude={"policy", "reform", "name"}) == new.model_dump(
        exclude={"policy", "reform", "name"})


def test_knob_defaults_reproduce_the_base_scenario():
    k = knob_defaults(Scenario())
    assert k["dispute_rate"] == 40 and k["auxiliaries"] == 36
    assert k["community_share"] == pytest.approx(6 / 18, abs=0.005)
    assert all(k[c] for c in COMPONENTS)  # unset components: the reform's default, all on
    k = knob_defaults(scenario("reform.smart_alerts=false"))
    assert k["smart_alerts"] is False and k["screening"] is True


def test_both_sides_meet_the_same_disputes_and_calls():
    pair = DemoPair(seed=3)
    for _ in range(72):
        pair.step()
    old, new = pair.sides
    assert old.time == new.time == 72 * 60
    seen = _disputes_seen(old)
    assert len(seen) > 5
    assert seen == _disputes_seen(new)

    def other_calls(m):  # calls that do not come from a dispute are exogenous
        return [(c["t_call"], c["village"], c["kind"]) for c in m.records.calls
                if c["dispute_id"] == -1]

    assert other_calls(old) and other_calls(old) == other_calls(new)
    assert pair.tallies[0].summary()["disputes"] == len(seen)


def test_the_seed_changes_the_disputes():
    a, b = DemoPair(seed=0), DemoPair(seed=1)
    for _ in range(72):
        a.step()
        b.step()
    assert _disputes_seen(a.sides[0]) != _disputes_seen(b.sides[0])


def test_with_every_component_off_the_reform_side_is_the_old_model():
    pair = DemoPair(**OFF)
    for _ in range(24 * 12):
        pair.step()
    assert pair.history["escalated_old"] == pair.history["escalated_reform"]
    assert pair.tallies[0].response_min == pair.tallies[1].response_min
    assert pair.tallies[0].summary() == pair.tallies[1].summary()


def test_stepping_matches_a_whole_run_and_the_tallies_match_the_metrics():
    base = scenario("days=12", "warmup_days=0", "follow_up_days=0")
    pair = DemoPair(base=base, step_minutes=90)
    while pair.running:
        pair.step()
    assert pair.minutes == 12 * 1440
    # the old side at its default knobs is the base scenario itself, run whole (not rebuilt
    # by demo_scenarios, the function under test)
    assert base.policy == "station_centred" and base.township.townships == 1
    whole = run_once(base, replication=0).metrics
    side = pair.sides[0]
    tables = tables_from_records(side.finalize())
    stepped = compute_metrics(tables)
    assert stepped["calls"] > 10 and stepped["disputes"] > 10
    for key in METRICS:
        assert stepped[key] == whole[key] or (math.isnan(stepped[key])
                                              and math.isnan(whole[key])), key
    tally = pair.tallies[0]
    # the demo counts every dispute that fought during the run (no follow-up window here)
    assert tally.escalated == int((tables.disputes["fights"] > 0).sum()) > 0
    assert np.median(tally.response_min) == pytest.approx(stepped["response_time_median_min"])
    assert pair.history["escalated_old"][-1] == tally.escalated
    assert np.all(np.diff(pair.history["escalated_old"]) >= 0)  # cumulative


def test_clock_steps_and_the_end_of_the_horizon():
    pair = DemoPair(base=scenario("days=1", "warmup_days=0", "follow_up_days=0"), step_minutes=300)
    assert pair.clock() == "day 1, 00:00"
    pair.step()
    assert pair.clock() == "day 1, 05:00" and pair.steps == 1
    pair.step_minutes = 60  # the live speed slider
    pair.step()
    assert pair.clock() == "day 1, 06:00"
    for _ in range(18):
        assert pair.running
        pair.step()
    assert pair.minutes == 1440 and not pair.running
    pair.step()  # at the horizon a step does nothing
    assert pair.minutes == 1440 and len(pair.history["day"]) == 1 + 2 + 18
    assert pair.clock() == "day 2, 00:00"


def test_dispute_categories():
    assert dispute_category(DisputeState.LATENT, 0) == "simmering"
    assert dispute_category(DisputeState.REFERRED, 0) == "awaiting joint mediation"
    assert dispute_category(DisputeState.ACUTE, 0) == "called in"
    assert dispute_category(DisputeState.ACUTE, 1) == "escalated"
    assert dispute_category(DisputeState.LATENT, 2) == "escalated"
    assert dispute_category(DisputeState.MEDIATING, 1) == "being mediated"


def test_map_marks_show_open_and_recently_closed_disputes_and_moving_people():
    pair = DemoPair(seed=2)
    moving_seen = 0
    for _ in range(24 * 8):
        pair.step()
        for side in pair.sides:
            xy = place_xy(side)
            for p in responder_marks(side):
                if p["moving"]:  # on the straight line between two places, within the map
                    moving_seen += 1
                    assert xy[:, 0].min() - 1e-9 <= p["x"] <= xy[:, 0].max() + 1e-9
                    assert xy[:, 1].min() - 1e-9 <= p["y"] <= xy[:, 1].max() + 1e-9
    assert moving_seen > 0
    for side in pair.sides:
        marks = dispute_marks(side)
        assert {m["category"] for m in marks} <= set(DISPUTE_CATEGORIES)
        recent = [r for r in side.records.disputes if r["t_end"] >= side.time - 1440]
        assert len(marks) == len(side.disputes_by_id) + len(recent)
        assert sum(m["category"] in ("resolved", "faded") for m in marks) == len(recent)
        for r in side.dispatchers[0].responders:
            assert 0.0 <= trip_fraction(r, side.time) <= 1.0


def test_the_reform_puts_auxiliaries_in_the_villages():
    pair = DemoPair()
    old, new = (responder_marks(s) for s in pair.sides)
    station = place_xy(pair.sides[0])[-1]

    def near_station(marks):
        return sum(math.dist((m["x"], m["y"]), station) < 5 for m in marks
                   if m["role"] == "auxiliary")

    assert near_station(old) > 0
    assert near_station(new) < near_station(old)
    assert sum(m["role"] == "auxiliary" for m in new) == 36  # all live in a village, on call


def test_pictures_are_png_and_change_as_time_passes():
    pair = DemoPair()
    before = png(draw_maps(pair)), png(draw_charts(pair))
    for _ in range(24 * 3):
        pair.step()
    after = png(draw_maps(pair)), png(draw_charts(pair))
    for b, a in zip(before, after, strict=True):
        assert a.startswith(b"\x89PNG") and a != b


def test_page_parameters_are_accepted_by_the_model():
    pytest.importorskip("solara")
    from sim.present.demo import COMPONENT_LABELS, model_params

    params = model_params(Scenario())
    accepted = inspect.signature(DemoPair).parameters
    assert set(params) <= set(accepted)
    assert set(COMPONENT_LABELS) == set(COMPONENTS)
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    pair = DemoPair(**values)
    assert pair.knobs == knob_defaults(Scenario())
    # Reset builds the next model the way Mesa's ModelController does
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    kwargs = _build_model_init_kwargs(pair, {**values, "seed": 7, "screening": False},
                                      add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    again = type(pair)(**kwargs)
    assert again.seed == 7 and again.knobs["screening"] is False
    assert again.sides[1].policy.components.screening is False


def test_page_starts_from_the_scenario_file(tmp_path, monkeypatch):
    pytest.importorskip("solara")
    from sim.present.demo import SCENARIO_ENV, base_scenario, model_params

    path = tmp_path / "class.toml"
    path.write_text('policy = "station_centred"\n[staff]\nauxiliaries = 20\n'
                    "[reform]\nsmart_alerts = false\n")
    monkeypatch.setenv(SCENARIO_ENV, str(path))
    params = model_params(base_scenario())
    assert params["auxiliaries"]["value"] == 20
    assert params["smart_alerts"]["value"] is False and params["screening"]["value"] is True
    monkeypatch.delenv(SCENARIO_ENV)
    assert base_scenario() == Scenario()


def test_cli_demo_rejects_a_bad_scenario_before_starting(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[staff]\nauxiliaries = -1\n")
    result = CliRunner().invoke(app, ["demo", "--scenario", str(bad)])
    assert result.exit_code == 2
    assert "error:" in result.output and "auxiliaries" in result.output
    result = CliRunner().invoke(app, ["demo", "--scenario", str(tmp_path / "none.toml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_cli_demo_reports_a_busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_offline_assets_are_installed(tmp_path):
    pytest.importorskip("solara")
    required = assets.required_packages()
    names = {p.rsplit("@", 1)[0] for p in required}
    assert {"@widgetti/solara-vuetify-app", "requirejs", "font-awesome"} <= names
    assert assets.missing_packages(tmp_path) == required  # an empty folder lacks them all
    # The project's set-up (the solara-assets dependency) must cover what solara asks for;
    # otherwise the page needs the internet. docs/demo.md says how to fill the folder.
    assert assets.missing_packages() == [], assets.offline_note()
