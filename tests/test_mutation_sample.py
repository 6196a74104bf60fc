"""scripts/mutation_sample.py: the ordered draw and the checked prefix (testing.md, round 5)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from mutation_sample import checked_prefix, draw

NAMES = [f"sim.world.m.x_f__mutmut_{i}" for i in range(50)] + ["other.x_g__mutmut_1"]


def test_the_ordered_draw_is_the_same_set_as_the_sorted_one_in_another_order():
    ordered = draw(NAMES, 20, seed=5, prefix="sim.", ordered=True)
    assert sorted(ordered) == draw(NAMES, 20, seed=5, prefix="sim.")
    assert len(set(ordered)) == 20 and all(x.startswith("sim.") for x in ordered)
    assert ordered != sorted(ordered)  # 20 draws in name order: chance 1 / 20!


def test_asking_for_more_than_there_are_gives_each_once():
    assert sorted(draw(NAMES, 99, seed=1, prefix="sim.", ordered=True)) == sorted(NAMES[:50])


def test_the_checked_prefix_stops_at_the_first_unchecked_mutant():
    names = ["a", "b", "c", "d"]
    assert checked_prefix(names, {"a": 1, "b": 0, "c": None, "d": 1}) == ["a", "b"]
    assert checked_prefix(names, {"a": None, "b": 1, "c": 1, "d": 1}) == []
    assert checked_prefix(names, {"a": 1, "b": 33, "c": 36, "d": 0}) == names
    assert checked_prefix(names, {"a": 1}) == ["a"]  # a name without a result is unchecked
