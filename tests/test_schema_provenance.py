"""Provenance is structured data: a kind for every parameter, a plausible range where it matters."""

from __future__ import annotations

import pytest

from sim.scenario import PROVENANCE_KINDS, iter_parameters, param, parameter_table


def test_every_parameter_has_a_known_provenance_kind():
    kinds = {r["key"]: r["kind"] for r in parameter_table()}
    assert set(kinds.values()) <= set(PROVENANCE_KINDS)
    assert all(kinds.values())


def test_every_numeric_assumption_has_a_plausible_range_around_its_default():
    missing, outside = [], []
    for r in parameter_table():
        numeric = isinstance(r["default"], int | float) and not isinstance(r["default"], bool)
        if r["kind"] not in ("assumption", "calibrated") or not numeric:
            continue
        if r["plausible"] is None:
            missing.append(r["key"])
        elif not r["plausible"][0] <= r["default"] <= r["plausible"][1]:
            outside.append(r["key"])
    assert not missing, f"no plausible range: {missing}"
    assert not outside, f"default outside its plausible range: {outside}"


def test_plausible_ranges_respect_the_fields_own_bounds():
    for key, info in iter_parameters():
        rng = (info.json_schema_extra or {}).get("plausible")
        if rng is None:
            continue
        for m in info.metadata:  # annotated_types bounds: Ge, Gt, Le, Lt
            for attr, ok in (("ge", lambda v, b: v >= b), ("gt", lambda v, b: v > b),
                             ("le", lambda v, b: v <= b), ("lt", lambda v, b: v < b)):
                bound = getattr(m, attr, None)
                if bound is not None:
                    assert ok(rng[0], bound) and ok(rng[1], bound), (key, attr, bound, rng)


def test_param_refuses_a_default_outside_its_range_and_unknown_kinds():
    with pytest.raises(AssertionError):
        param(5.0, "-", "x", "assumption", plausible=(0.0, 1.0))
    with pytest.raises(AssertionError):
        param(0.5, "-", "x", "guess: no such kind")
