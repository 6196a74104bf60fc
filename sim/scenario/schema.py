"""The whole scenario: every section, the cross-field rules, parameter metadata."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, model_validator

from sim.scenario.acute import Acute
from sim.scenario.calls import Calls
from sim.scenario.community import CommunityWork
from sim.scenario.costs import Costs
from sim.scenario.dispatch import Dispatch
from sim.scenario.disputes import Disputes
from sim.scenario.duty import Duty
from sim.scenario.households import Households
from sim.scenario.limits import _MINUTES, MAX_CASEWORK_BLOCKS, MAX_GRID_CELLS, MIN_DURATION_MIN
from sim.scenario.mediation import Mediation
from sim.scenario.parameters import COMPONENTS, DISPUTE_KINDS, Section, param
from sim.scenario.reform import Reform, Screening
from sim.scenario.reporting import Reporting
from sim.scenario.residents import Residents
from sim.scenario.rhythm import Rhythm
from sim.scenario.roads import Roads
from sim.scenario.staff import Shifts, Staff
from sim.scenario.township import Township, Travel, generated_grid_cells


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = param("unnamed", "-", "short name shown in outputs", "run: user's choice")
    description: str = param("", "-", "what this scenario represents", "run: user's choice")
    policy: Literal["station_centred", "center_office"] = param(
        "station_centred", "-", "policing model: station_centred (old) or center_office "
        "(reform)", "seed")
    seed: int = param(20211001, "-", "root seed; replication k uses SeedSequence(seed, "
                      "spawn_key=(k,))", "run: user's choice", ge=0)
    days: float = param(365.0, "days", "measured period after the warm-up (365: one year); "
                        "calls, injury crimes and workloads are counted over it, disputes "
                        "that begin in it form the outcome cohort", "run: user's choice", gt=0,
                        le=36500)
    warmup_days: float = param(90.0, "days", "simulated before the measured period and left "
                               "out of every metric (the township starts with no open "
                               "disputes); choose it with `policesim warmup`",
                               "assumption: the largest MSER-5 truncation of the default "
                               "township's daily series over both policies (90 days, "
                               "docs/output_analysis.md)", ge=0, le=3650, plausible=(30, 180))
    follow_up_days: float = param(90.0, "days", "each dispute of the cohort is followed for "
                                  "this long after it began (the run continues past the "
                                  "measured period for follow-up only; 0 leaves the dispute "
                                  "outcome metrics nothing to count)",
                                  "assumption: 90 days covers the lifecycle of most disputes "
                                  "(docs/output_analysis.md)", ge=0, le=3650,
                                  plausible=(30, 365))
    township: Township = Township()
    travel: Travel = Travel()
    roads: Roads = Roads()
    residents: Residents = Residents()
    disputes: Disputes = Disputes()
    mediation: Mediation = Mediation()
    calls: Calls = Calls()
    staff: Staff = Staff()
    shifts: Shifts = Shifts()
    duty: Duty = Duty()
    dispatch: Dispatch = Dispatch()
    reform: Reform = Reform()
    screening: Screening = Screening()
    community_work: CommunityWork = CommunityWork()
    costs: Costs = Costs()
    rhythm: Rhythm = Rhythm()
    reporting: Reporting = Reporting()
    households: Households = Households()
    acute: Acute = Acute()

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Scenario:
        problems = []  # all of them at once, one line each, each naming its fields
        shares = [getattr(self.disputes, f"share_{k}") for k in DISPUTE_KINDS]
        if self.disputes.rate_per_1000_year > 0 and not math.isclose(sum(shares), 1.0,
                                                                    abs_tol=1e-6):
            problems.append(f"disputes.share_*: the dispute kind shares must sum to 1 "
                            f"(they sum to {sum(shares):.4g})")
        problems += _too_short(self)
        c = self.calls
        blocks = c.casework_hours / c.casework_chunk_hours  # inf for a vanishing block
        if blocks > MAX_CASEWORK_BLOCKS:
            problems.append(f"calls.casework_chunk_hours: {c.casework_hours:g} h of casework in "
                            f"blocks of {c.casework_chunk_hours:g} h is {blocks:,.0f} jobs per "
                            f"criminal case (at most {MAX_CASEWORK_BLOCKS:,}): use larger blocks")
        d = self.disputes
        shrink = d.tension_factor ** (d.max_tension - 1)  # the model also divides by it
        for key, minutes in (("escalate_scale_days", d.escalate_scale_days * 1440.0),
                             ("acute_fight_mean_min", d.acute_fight_mean_min)):
            if minutes * shrink < MIN_DURATION_MIN:
                problems.append(f"disputes.tension_factor: at max_tension ({d.max_tension}) "
                                f"disputes.{key} shrinks to {minutes * shrink:.3g} min "
                                f"(tension_factor ** (max_tension - 1) = {shrink:.3g}), under a "
                                f"second: use a larger tension_factor or a lower max_tension")
        t = self.township
        if t.layout == "generated" and t.clusters > t.villages:
            problems.append(f"township.clusters: cannot exceed township.villages "
                            f"({t.villages}), got {t.clusters}")
        if (t.station_x_km is None) != (t.station_y_km is None):
            problems.append("township.station_x_km, township.station_y_km: give both or "
                            "neither (default: the population-weighted centre of the villages)")
        if t.layout == "generated" and generated_grid_cells(t) > MAX_GRID_CELLS:
            problems.append(f"township: {t.townships} generated township(s) of "
                            f"township.max_road_km={t.max_road_km:g} need a grid of "
                            f"{generated_grid_cells(t):,} cells of township.cell_km="
                            f"{t.cell_km:g} (at most {MAX_GRID_CELLS:,}): use fewer townships "
                            f"or a larger cell_km")
        if self.roads.file != "none" and t.townships != 1:
            problems.append("roads.file: a road network or travel matrix describes one "
                            "township; leave township.townships at 1")
        comp = self.components()
        if comp["center_offices"] and self.staff.station_officers < 1:
            problems.append("staff.station_officers: center offices need at least one (a "
                            "station officer heads each center office)")
        s = self.staff
        if s.station_officers + s.community_officers + s.auxiliaries == 0:
            problems.append("staff: the township needs at least one officer or auxiliary "
                            "(staff.station_officers, staff.community_officers, "
                            "staff.auxiliaries are all 0)")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def components(self) -> dict[str, bool]:
        """The reform components in force: the policy's defaults overridden by ``[reform]``."""
        default = self.policy == "center_office"
        return {c: default if getattr(self.reform, c) is None else bool(getattr(self.reform, c))
                for c in COMPONENTS}


# ---------------------------------------------------------------- parameter metadata

def iter_parameters(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[
        tuple[str, Any]]:
    """Yield ``(dotted_key, FieldInfo)`` for every leaf parameter of the schema."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            yield from iter_parameters(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info


def parameter_table() -> list[dict[str, Any]]:
    """One row per parameter: key, default, unit, description, provenance, kind, plausible range.

    ``kind`` is the provenance's kind (``seed``, ``calibrated``, ``assumption``, ``run``);
    ``plausible`` is ``[low, high]`` or ``None``.
    """
    rows = []
    for key, info in iter_parameters():
        extra = info.json_schema_extra or {}
        rows.append({"key": key, "default": info.default, "unit": extra.get("unit", ""),
                     "description": info.description or "",
                     "provenance": extra.get("provenance", ""),
                     "kind": extra.get("provenance_kind", ""),
                     "plausible": extra.get("plausible")})
    return rows


def _too_short(scn: Scenario) -> list[str]:
    """Durations that are nonzero but shorter than a second (zero stays allowed where it is)."""
    out = []
    for key, info in iter_parameters():
        unit = (info.json_schema_extra or {}).get("unit")
        if unit not in _MINUTES or key == "shifts.day_start_h":  # a clock time, not a duration
            continue
        value = scn
        for part in key.split("."):
            value = getattr(value, part)
        if 0 < value * _MINUTES[unit] < MIN_DURATION_MIN:
            least = MIN_DURATION_MIN / _MINUTES[unit]
            out.append(f"{key}: {value:g} {unit} is shorter than a second (a unit mistake?); "
                       f"use 0 where 0 is allowed, or at least {least:.3g} {unit}")
    return out




def staffing_warnings(scn: Scenario) -> list[str]:
    """Work that no one in the scenario may ever do (calls, casework, screening visits).

    These are warnings, not errors: the model stays consistent (the work just waits), and a
    sweep may explore such corners on purpose; but response times and workloads then describe
    the staff there are, not the work there is.
    """
    s, c, comp = scn.staff, scn.calls, scn.components()
    community_take_calls = 0 if comp["dedicated_community_officers"] else s.community_officers
    # with center offices a lone station officer heads a center office (policies.staff)
    at_station = s.station_officers - (1 if comp["center_offices"] and s.station_officers == 1
                                       else 0)
    out = []
    if s.station_officers + community_take_calls + s.auxiliaries == 0:
        out.append("staff: nobody can answer calls (community officers dedicated to disputes "
                   "take none): set staff.station_officers or staff.auxiliaries >= 1")
    d = scn.disputes
    criminal = (c.theft_per_1000_year > 0 or c.assault_per_1000_year > 0
                or (d.rate_per_1000_year > 0 and d.injury_prob > 0))
    if c.casework_hours > 0 and criminal and at_station + community_take_calls == 0:
        why = ("the only station officer heads a center office" if s.station_officers == 1
               else "there are no station officers")
        out.append(f"staff.station_officers: no one at the station does criminal casework "
                   f"({why}, and community officers dedicated to disputes do none): cases will "
                   f"wait forever; set staff.station_officers >= 2 or calls.casework_hours=0")
    if comp["screening"] and s.community_officers == 0 and at_station == 0:
        out.append("reform.screening: no one can make screening visits (community officers, or "
                   "station officers when there are none): set staff.community_officers >= 1")
    return out
