"""The demo on opening: a short warm-up already run, sane empty charts, labels as the scenario."""

from __future__ import annotations

import pytest
from conftest import scenario

from sim.present.demo_draw import draw_charts
from sim.present.demo_model import DemoPair
from sim.scenario import Scenario


def test_warm_up_runs_before_the_first_step_and_changes_nothing_after():
    base = scenario("days=6", "warmup_days=0", "follow_up_days=0")
    warm = DemoPair(base=base, step_minutes=720, warmup_days=2)
    assert warm.clock() == "day 3, 00:00" and warm.steps == 0
    assert warm.history["day"] == [0.0, 1.0, 2.0]
    cold = DemoPair(base=base, step_minutes=720)
    for _ in range(4):  # two simulated days in 12-hour steps
        cold.step()
    while warm.running:
        warm.step()
        cold.step()
    assert warm.minutes == cold.minutes == 6 * 1440
    for a, b in zip(warm.tallies, cold.tallies, strict=True):
        assert a.escalated == b.escalated and list(a.response_min) == list(b.response_min)


def test_empty_charts_have_no_negative_axes():
    pair = DemoPair(base=scenario("days=2", "warmup_days=0", "disputes.rate_per_1000_year=0",
                                  "calls.traffic_per_1000_year=0",
                                  "calls.theft_per_1000_year=0",
                                  "calls.public_order_per_1000_year=0",
                                  "calls.assault_per_1000_year=0"))
    fig = draw_charts(pair)
    for ax in fig.axes:
        assert ax.get_xlim()[0] >= 0 and ax.get_ylim()[0] >= 0, ax.get_title()
        assert ax.get_xlim()[1] >= 1 and ax.get_ylim()[1] >= 5


def test_community_share_slider_can_show_the_scenario_share():
    pytest.importorskip("solara")
    from sim.present.demo import WARMUP_DAYS, model_params

    base = Scenario()
    share = base.staff.community_officers / (base.staff.station_officers
                                            + base.staff.community_officers)
    spec = model_params(base)["community_share"]
    assert f"{spec['value']:.0%}" == f"{share:.0%}"
    steps = (spec["value"] - spec["min"]) / spec["step"]
    assert steps == pytest.approx(round(steps), abs=1e-9)  # on the slider's grid: no snapping
    assert model_params(base)["warmup_days"] == WARMUP_DAYS > 0
