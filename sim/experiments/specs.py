"""What the experiment spec files (sweep, sensitivity, robustness) share.

Their TOML tables refuse unknown keys, take nested tables of scenario overrides as dotted keys
(``[fixed] staff.auxiliaries = 3``) and name only metrics that exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from sim.experiments.metrics import METRICS


class SpecModel(BaseModel):
    """Base of the spec file tables: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def flatten(value: Any, prefix: str = "") -> Any:
    """Nested TOML tables -> one mapping of dotted keys (``[fixed] staff.auxiliaries = 3``)."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _flat(v: Any) -> Any:
    return flatten(v)


def dotted_tables(*fields: str) -> Any:
    """A validator for a spec class: these fields' nested tables become dotted keys.

    Use as a class attribute: ``_flat = dotted_tables("fixed")``.
    """
    return field_validator(*fields, mode="before")(_flat)


def check_metrics(field: str, names: Iterable[str]) -> None:
    """Refuse metric names that are not in :data:`~sim.experiments.metrics.METRICS`.

    Raises:
        ValueError: naming the field and every unknown metric.

    """
    bad = [m for m in names if m not in METRICS]
    if bad:
        raise ValueError(f"{field}: unknown metric(s) {', '.join(bad)}")
