"""Dispatch section: the written rule for who goes, and which calls need an officer."""

from __future__ import annotations

from typing import Literal

from sim.scenario.parameters import Section, param


class Dispatch(Section):
    """Who goes: the nearest free eligible responder; ties broken by a named rule."""

    tie_break: Literal["longest_idle", "fewest_jobs", "random"] = param(
        "longest_idle", "-", "among free eligible responders equally near (e.g. everyone at "
        "the station): longest_idle (free the longest since their last job), fewest_jobs "
        "(fewest jobs attended so far) or random; remaining ties by a lottery drawn once",
        "assumption: a fair dispatcher's rule; never creation order")
    officer_required_kinds: tuple[Literal["dispute", "fight", "traffic", "theft",
                                          "public_order", "assault"], ...] = param(
        ("fight", "theft", "assault"), "-", "call kinds an auxiliary may not handle alone: an "
        "officer is also sent when an auxiliary goes first", "assumption: auxiliaries may not "
        "handle criminal or injury cases without an officer (the report's auxiliaries assist "
        "officers); the list is a choice")
    officer_on_scene_mean_min: float = param(
        45.0, "min", "mean time an officer sent after an auxiliary spends on scene",
        "assumption: as calls.on_scene_mean_min", gt=0, le=10000, plausible=(20, 90))
