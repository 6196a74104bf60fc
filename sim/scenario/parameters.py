"""Parameter declarations: :func:`param`, the :class:`Section` base, the names all sections share.

Every parameter is declared with :func:`param`, which records its unit, a one-line description,
its provenance (``seed``, ``calibrated``, ``assumption`` or ``run``, with a detail after a colon)
and, for ``calibrated`` and ``assumption`` parameters, a plausible range ``[low, high]``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

POLICIES = ("station_centred", "center_office")
COMPONENTS = (
    "dedicated_community_officers",
    "village_auxiliaries",
    "center_offices",
    "screening",
    "joint_mediation",
    "smart_alerts",
)
DISPUTE_KINDS = ("family", "neighbour", "land", "elder_support", "other")


class ScenarioError(ValueError):
    """A scenario (file, field or value) that cannot be used; the message says where and why."""


#: The kinds of provenance a parameter may have (the text before the colon of its label).
PROVENANCE_KINDS = ("seed", "calibrated", "assumption", "run")


def provenance_kind(provenance: str) -> str:
    """The kind of a provenance label: ``seed``, ``calibrated``, ``assumption`` or ``run``."""
    return provenance.split(":", 1)[0].strip()


def param(default: Any, unit: str, description: str, provenance: str,
          plausible: tuple[float, float] | None = None, **constraints: Any) -> Any:
    """Declare a scenario parameter with its unit, description, provenance and plausible range.

    Args:
        default: The default value.
        unit: The unit (``"-"`` for dimensionless, ``"bool"``, ``"count"``...).
        description: One line saying what the parameter means.
        provenance: ``"seed: <the figure it reproduces>"``, ``"calibrated: <the reported figure
            it was set to meet>"``, ``"assumption: <why, with a literature range where one
            exists>"`` or ``"run: <the user's choice>"``.
        plausible: ``(low, high)``: the range a careful analyst would still call plausible
            (robustness and sensitivity designs sample it). Every numeric ``calibrated`` and
            ``assumption`` parameter has one (a test checks); unless the provenance cites a
            source for it, the range itself is an assumption.
        **constraints: pydantic constraints (``ge``, ``gt``, ``le``...).

    """
    kind = provenance_kind(provenance)
    assert kind in PROVENANCE_KINDS, provenance
    extra: dict[str, Any] = {"unit": unit, "provenance": provenance, "provenance_kind": kind}
    if plausible is not None:
        low, high = plausible
        assert low <= high, plausible
        assert low <= default <= high, (default, plausible)
        extra["plausible"] = [low, high]
    if isinstance(default, int | float) and not isinstance(default, bool):
        constraints.setdefault("allow_inf_nan", False)  # NaN and infinity are never valid
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class Section(BaseModel):
    """Base of every scenario table: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

