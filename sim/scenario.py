"""The scenario schema: the one owner of every parameter's name, unit, default and provenance.

A scenario is a TOML file checked by the pydantic models below. Every parameter is declared with
:func:`param`, which records its unit, a one-line description and its provenance: ``seed: ...``
when the value reproduces a figure of the source report (SEED_FACTS, Xiangyang 2021-2023), or
``assumption: ...`` (with a literature range where one exists). Other layers read parameter
metadata from here (docs, the CLI's ``--set``, sweeps), never from a list of their own.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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


def param(default: Any, unit: str, description: str, provenance: str, **constraints: Any) -> Any:
    """Declare a scenario parameter with its unit, description and provenance.

    Args:
        default: The default value.
        unit: The unit (``"-"`` for dimensionless, ``"bool"``, ``"count"``...).
        description: One line saying what the parameter means.
        provenance: ``"seed: ..."`` or ``"assumption: ..."``.
        **constraints: pydantic constraints (``ge``, ``gt``, ``le``...).

    """
    assert provenance.startswith(("seed", "assumption", "calibrated", "run")), provenance
    extra = {"unit": unit, "provenance": provenance}
    if isinstance(default, int | float) and not isinstance(default, bool):
        constraints.setdefault("allow_inf_nan", False)  # NaN and infinity are never valid
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class Section(BaseModel):
    """Base of every scenario table: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Township(Section):
    """Geography: the villages, their clusters, the station and the road network."""

    layout: str = param("generated", "-", "'generated', or a CSV file (village_id, x_km, y_km, "
                        "population, cluster_id) relative to the scenario file",
                        "run: user's choice", min_length=1)
    townships: int = param(1, "count", "generated townships (a prefecture is many), each with "
                           "its own station, villages and staff", "run: user's choice", ge=1,
                           le=2000)
    villages: int = param(36, "count", "villages in a generated township",
                          "assumption: a rural township of 30-40 administrative villages", ge=1,
                          le=5000)
    clusters: int = param(4, "count", "village clusters, each with a center office",
                          "seed: 2,196 village police rooms / 249 center offices = 8.8 villages "
                          "per center", ge=1, le=1000)
    population_per_village: int = param(1250, "residents", "mean residents per generated village",
                                        "assumption: 36 villages x 1,250 = 45,000 residents, a "
                                        "typical central-China rural township", ge=1, le=200000)
    population_cv: float = param(0.3, "-", "coefficient of variation of village populations "
                                 "(lognormal)", "assumption", ge=0, le=3)
    max_road_km: float = param(30.0, "km", "road distance from the station to the farthest "
                               "generated village", "seed: the farthest village is a 40-minute "
                               "drive (40 min x 45 km/h = 30 km); half lie beyond 20 km", gt=0,
                               le=500)
    cell_km: float = param(0.5, "km", "side of a grid cell", "assumption: fine enough that "
                           "rounding moves a village < 0.5 km", gt=0, le=50)
    circuity: float = param(1.3, "-", "road distance / right-angle grid distance",
                            "assumption: rural road circuity factors are 1.2-1.4", ge=1, le=3)
    station_x_km: float | None = param(None, "km", "station position for a CSV layout (default: "
                                       "the population-weighted centre)", "run: user's choice",
                                       ge=0, le=100000)
    station_y_km: float | None = param(None, "km", "station position for a CSV layout",
                                       "run: user's choice", ge=0, le=100000)
    layout_seed: int = param(1, "-", "seed of the generated layout (fixed across replications: "
                             "the same township every run)", "assumption", ge=0)

    @model_validator(mode="after")
    def _csv_is_one_township(self) -> Township:
        if self.layout != "generated" and self.townships != 1:
            raise ValueError("township.townships: a CSV layout describes one township; "
                             "leave townships at 1")
        return self


class Travel(Section):
    """How long trips take: road distance / speed + turnout."""

    speed_kmh: float = param(45.0, "km/h", "average driving speed on rural roads",
                             "assumption: rural county roads, 40-60 km/h", gt=0, le=200)
    turnout_min: float = param(3.0, "min", "delay from dispatch to departure",
                               "assumption: Kansas City dispatch 2.2 min (REFERENCES)", ge=0,
                               le=120)
    local_trip_min: float = param(5.0, "min", "trip time inside one grid cell (a walk or a short "
                                  "ride within the village)", "assumption", ge=0, le=120)


class Residents(Section):
    """Who lives in the villages and what raises their dispute risk."""

    household_size: float = param(2.9, "persons", "mean household size",
                                  "assumption: China 2020 census mean 2.62, rural households "
                                  "larger", ge=1, le=20)
    elderly_alone_share: float = param(0.06, "-", "share of residents who are elderly and live "
                                       "alone", "assumption", ge=0, le=1)
    elderly_alone_risk: float = param(4.0, "-", "relative risk that an elder-support dispute "
                                      "involves an elderly person living alone", "assumption",
                                      ge=1, le=100)


class Disputes(Section):
    """How disputes arise, flare, escalate and fade."""

    rate_per_1000_year: float = param(40.0, "disputes/1000 residents/year", "new disputes",
                                      "assumption: set with the call rates to give the reported "
                                      "'over 60%' dispute share of calls", ge=0, le=10000)
    share_family: float = param(0.35, "-", "share of family disputes", "assumption", ge=0, le=1)
    share_neighbour: float = param(0.25, "-", "share of neighbour disputes", "assumption", ge=0,
                                   le=1)
    share_land: float = param(0.15, "-", "share of land/boundary disputes", "assumption", ge=0,
                              le=1)
    share_elder_support: float = param(0.10, "-", "share of elder-support disputes",
                                       "assumption", ge=0, le=1)
    share_other: float = param(0.15, "-", "share of other disputes", "assumption", ge=0, le=1)
    extra_tension_mean: float = param(0.5, "levels", "mean initial tension above 1 (Poisson)",
                                      "assumption", ge=0, le=10)
    max_tension: int = param(5, "levels", "tension stops rising at this level",
                             "assumption: keeps repeat quarrels from escalating without bound",
                             ge=1, le=50)
    flare_mean_days: float = param(12.0, "days", "mean time until a latent dispute flares into "
                                   "a quarrel someone calls the police about", "assumption",
                                   gt=0, le=10000)
    subside_mean_days: float = param(40.0, "days", "mean time until a latent dispute fades on "
                                     "its own", "assumption", gt=0, le=100000)
    escalate_scale_days: float = param(600.0, "days", "Weibull scale of the time until a latent "
                                       "dispute turns violent unprompted (tension 1)",
                                       "assumption", gt=0, le=100000)
    escalate_shape: float = param(1.5, "-", "Weibull shape (> 1: the hazard rises with the "
                                  "dispute's age)", "assumption", gt=0, le=10)
    tension_factor: float = param(0.7, "-", "each tension level multiplies escalation times by "
                                  "this", "assumption", gt=0, le=1)
    report_delay_mean_min: float = param(6.0, "min", "mean delay from a flare to the call",
                                         "assumption: Kansas City median reporting delay 5.7 "
                                         "min with a party involved (REFERENCES)", ge=0, le=10000)
    violent_flare_share: float = param(0.08, "-", "share of flares that turn into a fight if "
                                       "nobody arrives (tension 1)", "assumption", ge=0, le=1)
    acute_fight_mean_min: float = param(60.0, "min", "mean time from a violent flare to the "
                                        "fight", "assumption: DeAngelo et al. 2023 find slower "
                                        "response raises injury risk", gt=0, le=100000)
    fight_report_prob: float = param(0.9, "-", "probability a fight is reported", "assumption",
                                     ge=0, le=1)
    injury_prob: float = param(0.2, "-", "probability a fight causes an injury crime",
                               "assumption: no published P(injury | dispute) (REFERENCES)",
                               ge=0, le=1)


class Mediation(Section):
    """Who mediates how well, how long it takes, and the joint-mediation channel."""

    on_scene_mean_min: float = param(60.0, "min", "mean time on scene for a dispute",
                                     "assumption", gt=0, le=10000)
    success_station_officer: float = param(0.5, "-", "P(success) when a station officer "
                                           "mediates (tension 1)", "assumption: call-driven "
                                           "pacification", ge=0, le=1)
    success_community_officer: float = param(0.75, "-", "P(success), community officer",
                                             "assumption: embedded officer", ge=0, le=1)
    success_auxiliary: float = param(0.6, "-", "P(success), auxiliary", "assumption", ge=0,
                                     le=1)
    success_joint: float = param(0.85, "-", "P(success), joint mediation with civil affairs, "
                                 "women's federation, judicial office and court",
                                 "assumption: seed example reached a written agreement", ge=0,
                                 le=1)
    tension_decay: float = param(0.85, "-", "each tension level multiplies P(success) by this",
                                 "assumption", ge=0, le=1)
    joint_kinds: tuple[Literal["family", "neighbour", "land", "elder_support", "other"], ...] = (
        param(("land", "elder_support"), "-", "dispute kinds referred to joint mediation after "
              "a failed ordinary mediation", "seed: elder-support example"))
    joint_convene_mean_days: float = param(3.0, "days", "mean delay to convene the agencies",
                                           "assumption", ge=0, le=1000)
    joint_session_min: float = param(180.0, "min", "length of a joint mediation session",
                                     "assumption", gt=0, le=10000)


class Calls(Section):
    """Non-dispute calls and the criminal-case work they bring."""

    traffic_per_1000_year: float = param(13.0, "calls/1000/year", "traffic accidents",
                                         "assumption: set to meet the 'over 60%' dispute share",
                                         ge=0, le=10000)
    theft_per_1000_year: float = param(6.0, "calls/1000/year", "thefts (criminal)",
                                       "assumption", ge=0, le=10000)
    public_order_per_1000_year: float = param(15.0, "calls/1000/year", "other public-order "
                                              "calls", "assumption", ge=0, le=10000)
    assault_per_1000_year: float = param(0.33, "calls/1000/year", "injury crimes not arising "
                                         "from disputes", "calibrated: set so that about 80% of "
                                         "injury crimes arise from disputes (seed)", ge=0,
                                         le=10000)
    other_per_hour: float = param(0.0, "calls/hour", "extra public-order calls per hour per "
                                  "township on top of the per-resident rates (the M/M/c "
                                  "validation uses this)", "run: user's choice", ge=0, le=10000)
    on_scene_mean_min: float = param(45.0, "min", "mean time on scene for a non-dispute call",
                                     "assumption", gt=0, le=10000)
    on_scene_distribution: Literal["exponential", "lognormal"] = param(
        "lognormal", "-", "distribution of on-scene times", "assumption")
    on_scene_cv: float = param(0.8, "-", "coefficient of variation of lognormal on-scene times",
                               "assumption", gt=0, le=10)
    casework_hours: float = param(16.0, "h", "follow-up work per criminal case",
                                  "assumption", ge=0, le=10000)
    casework_chunk_hours: float = param(4.0, "h", "casework is done in blocks of this length",
                                        "assumption", gt=0, le=1000)


class Staff(Section):
    """Headcounts. The same staff serve both policies, so comparisons isolate organisation."""

    station_officers: int = param(12, "officers", "station officers (calls, duty, cases)",
                                  "assumption: a rural township station", ge=0, le=100000)
    community_officers: int = param(6, "officers", "community officers",
                                    "assumption: 6 of 18 = 33%, below the reform's 45% target "
                                    "(seed)", ge=0, le=100000)
    auxiliaries: int = param(36, "auxiliaries", "auxiliary officers", "seed: one per village "
                             "in the reform", ge=0, le=1000000)


class Shifts(Section):
    """Duty rotations at the station and working hours of day roles."""

    duty_groups: int = param(3, "groups", "station staff rotate in this many groups (1: all on "
                             "duty at all times)", "assumption", ge=1, le=24)
    shift_hours: float = param(8.0, "h", "length of a duty shift", "assumption", gt=0, le=168)
    day_start_h: float = param(8.0, "h", "start of the day shift (community officers in the "
                               "reform, district chiefs)", "assumption", ge=0, lt=24)
    day_hours: float = param(9.0, "h", "length of the day shift", "assumption", gt=0, le=24)


class Reform(Section):
    """Reform components; unset ones take the policy's default (all off / all on)."""

    dedicated_community_officers: bool | None = param(
        None, "bool", "'four nots, one dedicated': community officers take no calls, duty or "
        "cases and screen and mediate instead", "seed")
    village_auxiliaries: bool | None = param(None, "bool", "an auxiliary lives in each village",
                                             "seed")
    center_offices: bool | None = param(None, "bool", "a 24-hour center office per cluster, "
                                        "headed by a station officer", "seed")
    screening: bool | None = param(None, "bool", "proactive screening visits to villages",
                                   "seed")
    joint_mediation: bool | None = param(None, "bool", "failed hard disputes go to joint "
                                         "mediation", "seed")
    smart_alerts: bool | None = param(None, "bool", "automatic alerts for elderly residents "
                                      "living alone", "seed: one apartment complex")


class Screening(Section):
    """Proactive discovery: screening visits, resident auxiliaries, smart alerts."""

    interval_days: float = param(7.0, "days", "target interval between visits to a village",
                                 "assumption: 'footprint' management (seed)", gt=0, le=3650)
    visit_min: float = param(90.0, "min", "time in the village per visit", "assumption", gt=0,
                             le=1440)
    detect_prob: float = param(0.5, "-", "P(a visit discovers a latent dispute there)",
                               "assumption", ge=0, le=1)
    auxiliary_discovery_mean_days: float = param(7.0, "days", "mean time for a resident "
                                                 "auxiliary to learn of a latent dispute",
                                                 "assumption", gt=0, le=100000)
    alert_mean_days: float = param(2.0, "days", "mean time for a smart alert to flag a dispute "
                                   "of an elderly person living alone", "assumption", gt=0,
                                   le=100000)


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = param("unnamed", "-", "short name shown in outputs", "run: user's choice")
    description: str = param("", "-", "what this scenario represents", "run: user's choice")
    policy: Literal["station_centred", "center_office"] = param(
        "station_centred", "-", "policing model: station_centred (old) or center_office "
        "(reform)", "seed")
    seed: int = param(20211001, "-", "root seed; replication k uses SeedSequence(seed, "
                      "spawn_key=(k,))", "run: user's choice", ge=0)
    days: float = param(365.0, "days", "simulated horizon", "run: user's choice", gt=0,
                        le=36500)
    warmup_days: float = param(30.0, "days", "events starting earlier are left out of metrics "
                               "(the township starts with no open disputes)", "assumption",
                               ge=0)
    township: Township = Township()
    travel: Travel = Travel()
    residents: Residents = Residents()
    disputes: Disputes = Disputes()
    mediation: Mediation = Mediation()
    calls: Calls = Calls()
    staff: Staff = Staff()
    shifts: Shifts = Shifts()
    reform: Reform = Reform()
    screening: Screening = Screening()

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Scenario:
        problems = []  # all of them at once, one line each, each naming its fields
        shares = [getattr(self.disputes, f"share_{k}") for k in DISPUTE_KINDS]
        if self.disputes.rate_per_1000_year > 0 and not math.isclose(sum(shares), 1.0,
                                                                    abs_tol=1e-6):
            problems.append(f"disputes.share_*: the dispute kind shares must sum to 1 "
                            f"(they sum to {sum(shares):.4g})")
        if self.warmup_days >= self.days:
            problems.append(f"warmup_days: must be less than days ({self.days:g}), got "
                            f"{self.warmup_days:g}")
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
    """One row per parameter: key, default, unit, description, provenance."""
    rows = []
    for key, info in iter_parameters():
        extra = info.json_schema_extra or {}
        rows.append({"key": key, "default": info.default, "unit": extra.get("unit", ""),
                     "description": info.description or "",
                     "provenance": extra.get("provenance", "")})
    return rows


# ---------------------------------------------------------------- loading

#: Mesa builds one Python object per grid cell: about 850 bytes and 26 microseconds each
#: (measured for a 300 x 300 grid, Python 3.12, Mesa 3.5), so 2 million cells is ~1.7 GB and
#: ~1 minute before the first event. Assumption: a larger grid is a mistake (coordinates in
#: metres, a stray far-away village, thousands of townships), not a study.
MAX_GRID_CELLS = 2_000_000
#: Each block of casework is a job in the station's queue; assumption: more than this many per
#: criminal case is a unit mistake (minutes for hours), and it would stall the dispatcher.
MAX_CASEWORK_BLOCKS = 1000
#: Minutes per unit of the durations in the schema. Assumption: a nonzero duration under one
#: second is a unit mistake, and a vanishing one lets events repeat at one instant for ever
#: (an unreported fight relapses and escalates again after ~0 days).
_MINUTES = {"days": 1440.0, "h": 60.0, "min": 1.0}
MIN_DURATION_MIN = 1 / 60
#: A scenario file is a few kilobytes; anything this large is the wrong file.
MAX_SCENARIO_BYTES = 1_000_000
_TOP = "the top level"


def _show(text: str) -> str:
    """Text safe to print on one line: control characters escaped (keys can hold any)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{_show(part)}"
    return out or "(scenario)"


def _homes_of(key: str) -> list[str]:
    """Where a leaf key is defined: ``[travel]``-style tables, or the top level."""
    return [f"[{d.rpartition('.')[0]}]" if "." in d else _TOP
            for d, _ in iter_parameters() if d.rpartition(".")[2] == key]


def _suggest(key: str, section: type[BaseModel] | None) -> str:
    """Hint at a fix for an unknown ``key`` of ``section``: a close name, its home, the list."""
    if section is None:
        return ""
    key = _show(key)
    names = list(section.model_fields)
    homes = [] if key in names else _homes_of(key)
    if homes == [_TOP]:
        return f" ('{key}' belongs at the top level, above the first [table])"
    if homes:
        where = " or ".join(f"{h}: {h.strip('[]')}.{key}" for h in homes)
        return f" ('{key}' belongs in {where})"
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (allowed: {', '.join(names)})"


def _section_for(loc: Iterable[Any]) -> type[BaseModel] | None:
    model: type[BaseModel] = Scenario
    for part in loc:
        info = model.model_fields.get(str(part))
        if info is None:
            return model
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            model = ann
        else:
            return model
    return model


def _allowed(info: Any) -> str:
    """Describe the allowed values of a leaf parameter from its constraints."""
    bits = []
    for m in getattr(info, "metadata", []):
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                bits.append(f"{sym} {v}")
    return f"; allowed: {' and '.join(bits)}" if bits else ""


def _leaf_kind(info: Any) -> tuple[str, bool]:
    """``(kind, optional)`` of a leaf: kind is bool, int, float, text or list."""
    ann = info.annotation
    args = get_args(ann) if isinstance(ann, UnionType) else (ann,)
    a = next(x for x in args if x is not type(None))
    optional = type(None) in args
    if a is bool or a is int or a is float:
        return a.__name__, optional
    if get_origin(a) is tuple:
        return "list", optional
    return "text", optional  # str and Literal[...] of strings


def _describe(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return f"the boolean {str(bool(v)).lower()}"
    if isinstance(v, str):
        return f"the text {v!r}"
    if isinstance(v, Mapping):
        return "a table"
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, dt.date | dt.time):
        return f"the date/time {v}"
    return repr(v)


def _is_number_text(v: str) -> bool:
    try:
        return math.isfinite(float(v.replace("_", "")))
    except ValueError:
        return False


def _check_leaf(kind: str, optional: bool, v: Any) -> tuple[Any, str | None]:
    """Check a leaf's type (ranges are pydantic's job): ``(normalised value, problem)``.

    TOML is typed, so a quoted number or boolean is refused rather than guessed at (pydantic
    alone would read ``"no"`` and ``"off"`` as false); a whole float (``12.0``) is a whole
    number, a fraction (``12.5``) is not.
    """
    if v is None:
        return v, None if optional else "a value is required"
    if kind == "bool":
        if isinstance(v, bool | np.bool_):
            return bool(v), None
        hint = " (write true or false without quotes)" if isinstance(v, str) else ""
        return v, f"expected true or false, got {_describe(v)}{hint}"
    if kind in ("int", "float"):
        want = "a whole number" if kind == "int" else "a number"
        if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
            hint = (" (write numbers without quotes)" if isinstance(v, str)
                    and _is_number_text(v) else "")
            return v, f"expected {want}, got {_describe(v)}{hint}"
        try:
            f = float(v)
        except OverflowError:
            return v, f"the number {v} is too large"
        if isinstance(v, numbers.Integral):
            return int(v), None
        if not math.isfinite(f):
            return v, f"must be a finite number (NaN and infinity are not allowed), got {f}"
        if kind == "int":
            if not f.is_integer():
                return v, f"expected {want}, got {f:g}"
            return int(f), None
        return f, None
    if kind == "list":
        if isinstance(v, list | tuple):
            return list(v), None
        return v, f"expected a list such as [\"land\", \"elder_support\"], got {_describe(v)}"
    if isinstance(v, str):
        return v, None
    return v, f"expected text in quotes, got {_describe(v)}"


def _check_types(data: Any, model: type[BaseModel], loc: tuple[str, ...],
                 problems: list[tuple[tuple[str, ...], str]]) -> dict[str, Any]:
    """Check section shapes, unknown keys and leaf types; return the well-typed part."""
    if not isinstance(data, Mapping):
        where = f"a [{'.'.join(loc)}] table" if loc else "a table of keys"
        problems.append((loc, f"expected {where}, got {_describe(data)}"))
        return {}
    clean: dict[str, Any] = {}
    for raw_key, raw in data.items():
        key = str(raw_key)
        here = (*loc, key)
        info = model.model_fields.get(key)
        if info is None:
            what = "section" if isinstance(raw, Mapping) else "key"
            problems.append((here, f"unknown {what}{_suggest(key, model)}"))
            continue
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            clean[key] = _check_types(raw, ann, here, problems)
            continue
        kind, optional = _leaf_kind(info)
        value, problem = _check_leaf(kind, optional, raw)
        if problem is None:
            clean[key] = value
        else:
            problems.append((here, f"{problem}{_unit_and_range(info)}"))
    return clean


def _unit_and_range(info: Any) -> str:
    unit = (info.json_schema_extra or {}).get("unit", "")
    bits = ([f"unit {unit}"] if unit and unit not in ("-", "bool") else []) + (
        [_allowed(info).removeprefix("; ")] if _allowed(info) else [])
    return f" ({'; '.join(bits)})" if bits else ""


def _label(loc: Iterable[Any], source: str, overridden: Collection[str]) -> str:
    field = _dotted(loc)
    return f"--set {field}" if field in overridden else f"{_show(source)}: {field}"


def _format_error(e: Mapping[str, Any], source: str, overridden: Collection[str]
                  ) -> tuple[list[str], bool]:
    """Lines for one pydantic error, and whether it is a rule across fields."""
    loc = [p if isinstance(p, int) else str(p) for p in e["loc"]]
    msg = str(e["msg"]).removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        what = "section" if isinstance(e.get("input"), Mapping) else "key"
        return [f"{_label(loc, source, overridden)}: unknown {what}"
                f"{_suggest(str(loc[-1]), _section_for(loc[:-1]))}"], False
    leaf = [p for p in loc if not isinstance(p, int)]
    section = _section_for(leaf[:-1]) if leaf else None
    info = section.model_fields.get(str(leaf[-1])) if section and leaf else None
    if info is None or (isinstance(info.annotation, type)
                        and issubclass(info.annotation, Section)):
        # a rule across fields: its message already names the fields, one per line
        return [f"{_show(source)}: {line}" for line in msg.splitlines()], True
    msg = msg[0].lower() + msg[1:]
    given = e.get("input")
    if e["type"] == "literal_error" and isinstance(given, str):
        expected = str((e.get("ctx") or {}).get("expected", ""))
        allowed = [x for x in expected.replace("'", "").replace(" or ", ", ").split(", ") if x]
        close = difflib.get_close_matches(given, allowed, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [f"{_label(loc, source, overridden)}: {msg}, got {given!r}{hint}"], False
    return [f"{_label(loc, source, overridden)}: {msg}, got {given!r}"
            f"{_unit_and_range(info)}"], False


def format_validation_error(err: ValidationError, source: str,
                            overridden: Collection[str] = ()) -> str:
    """Turn a pydantic error into lines naming the file, the field and what is allowed.

    Args:
        err: The pydantic error.
        source: The file (or other origin) of the values.
        overridden: Dotted keys that came from ``--set`` (named as such instead of the file).

    """
    return "\n".join(line for e in err.errors()
                     for line in _format_error(e, source, overridden)[0])


def parse_set_value(text: str) -> Any:
    """Parse a ``--set`` value as a TOML value; bare words become strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _set_value(info: Any, text: str) -> Any:
    """Read a ``--set`` value for a leaf as TOML, with a few forgiving readings by type."""
    value = parse_set_value(text)
    kind, _ = _leaf_kind(info)
    if kind == "text" and not isinstance(value, str):
        return text  # --set name=2024: a name, not a number
    if kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # Python's True/False
    if kind == "list" and isinstance(value, str):
        return [w.strip() for w in value.split(",") if w.strip()]  # land,elder_support
    return value


def _apply_overrides(data: Mapping[str, Any], overrides: Iterable[str]
                     ) -> tuple[dict[str, Any], set[str]]:
    """Apply ``key.sub=value`` overrides; return the new mapping and the keys set."""
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    keys: set[str] = set()
    for item in overrides:
        key, sep, value = item.partition("=")
        parts = [p.strip() for p in key.split(".")]
        key = _show(".".join(parts))
        if not sep or not key:
            raise ScenarioError(f"--set {item!r}: expected KEY=VALUE, e.g. "
                                f"--set staff.auxiliaries=40")
        if "" in parts:
            raise ScenarioError(f"--set {item!r}: empty part in the key '{key}' (write "
                                f"section.key, e.g. staff.auxiliaries)")
        *parents, leaf = parts
        target = out
        model: type[BaseModel] = Scenario
        for i, p in enumerate(parents):
            info = model.model_fields.get(p)
            if info is None:
                raise ScenarioError(f"--set {key}: unknown section '{_show(p)}'"
                                    f"{_suggest(p, model)}")
            if not (isinstance(info.annotation, type) and issubclass(info.annotation, Section)):
                raise ScenarioError(f"--set {key}: '{_show('.'.join(parts[:i + 1]))}' is a "
                                    f"value, not a section; nothing can be set inside it")
            model = info.annotation
            target = target.setdefault(p, {})
            if not isinstance(target, dict):
                raise ScenarioError(f"--set {key}: '{_show(p)}' is not a table in the "
                                    f"scenario file")
        info = model.model_fields.get(leaf)
        if info is None:
            raise ScenarioError(f"--set {key}: unknown key{_suggest(leaf, model)}")
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            first = next(iter(info.annotation.model_fields))
            raise ScenarioError(f"--set {key}: '{key}' is a section; set one of its keys, e.g. "
                                f"--set {key}.{first}=...")
        target[leaf] = _set_value(info, value.strip())
        keys.add(key)
    return out, keys


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key.sub=value`` overrides to a raw scenario mapping (copying it)."""
    return _apply_overrides(data, overrides)[0]


def _validate(data: Mapping[str, Any], source: str, overrides: Iterable[str]
              ) -> tuple[Scenario, set[str]]:
    """Apply overrides, check types, then ranges and cross-field rules; name every field."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: expected a table of scenario keys, got "
                            f"{_describe(data)}")
    merged, keys = _apply_overrides(data, overrides)
    problems: list[tuple[tuple[str, ...], str]] = []
    clean = _check_types(merged, Scenario, (), problems)
    lines = [f"{_label(loc, source, keys)}: {msg}" for loc, msg in problems]
    try:
        scn = Scenario.model_validate(clean)
    except ValidationError as err:
        for e in err.errors():
            more, rule = _format_error(e, source, keys)
            if not (rule and problems):  # rules across fields saw defaults for bad fields
                lines += more
        raise ScenarioError("\n".join(lines)) from None
    if problems:
        raise ScenarioError("\n".join(lines))
    return scn, keys


def scenario_from_mapping(data: Mapping[str, Any], source: str = "<scenario>",
                          overrides: Iterable[str] = ()) -> Scenario:
    """Validate a raw mapping (as read from TOML) plus overrides into a :class:`Scenario`.

    Raises:
        ScenarioError: one line per problem, naming the source, the field and what is allowed.

    """
    return _validate(data, source, overrides)[0]


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ScenarioError` naming the file."""
    p = Path(path)
    try:
        if p.is_dir():
            raise ScenarioError(f"{p}: is a folder, not a TOML file")
        if p.exists() and not p.is_file():
            raise ScenarioError(f"{p}: not a regular file (a device or pipe?)")
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{p}: {size:,} bytes is too large for a TOML file (at most "
                                f"{MAX_SCENARIO_BYTES:,}); is this the right file?")
        raw = p.read_bytes()
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(f"{p}: no such file") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise ScenarioError(f"{p}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    if not raw.strip():
        raise ScenarioError(f"{p}: the file is empty")
    if b"\x00" in raw:
        raise ScenarioError(f"{p}: a binary file, not a TOML text file")
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))  # -sig: Notepad's byte-order mark
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{p}: not a UTF-8 text file (byte {e.start}); save it as "
                            f"UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{p}: invalid TOML: {e}") from None


def _resolve_layout(scn: Scenario, p: Path, from_cli: bool) -> Scenario:
    """Resolve a CSV layout: relative to the scenario file, or to the working folder for --set."""
    layout = scn.township.layout
    if layout == "generated":
        return scn
    label = "--set township.layout" if from_cli else f"{p}: township.layout"
    try:
        resolved = ((Path.cwd() if from_cli else p.parent) / layout).resolve()
        exists, is_file = resolved.exists(), resolved.is_file()
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{label}: {layout!r} is not a usable path ({e})") from None
    if not exists:
        hint = ("a path in a scenario file is relative to the file's folder" if not from_cli
                else "relative to the working folder")
        if not layout.lower().endswith(".csv"):
            hint += "; township.layout is 'generated' or a CSV file"
        raise ScenarioError(f"{label}: no such file {layout!r} (looked for {resolved}; {hint})")
    if not is_file:
        raise ScenarioError(f"{label}: {resolved} is not a file (expected a CSV layout)")
    return scn.model_copy(update={"township": scn.township.model_copy(
        update={"layout": str(resolved)})})


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    A CSV ``township.layout`` is resolved relative to the scenario file's folder (one given
    with ``--set`` relative to the working folder) and must exist; its contents are checked by
    :func:`sim.experiments.layouts.layouts_for`.

    Raises:
        ScenarioError: naming the file, the field and what is allowed.

    """
    p = Path(path)
    data = read_toml(p)
    scn, keys = _validate(data, str(p), overrides)
    _refuse_unused(data, keys, scn, p)
    return _resolve_layout(scn, p, "township.layout" in keys)


#: Keys that describe a generated township (ignored with a CSV layout), and the reverse.
GENERATED_ONLY = ("villages", "clusters", "population_per_village", "population_cv",
                  "max_road_km")
CSV_ONLY = ("station_x_km", "station_y_km")


def _refuse_unused(data: Mapping[str, Any], keys: Collection[str], scn: Scenario,
                   p: Path) -> None:
    """Refuse township keys written in the file (or --set) that the layout kind ignores.

    A user who writes ``villages = 50`` beside a CSV layout expects 50 villages; running the
    CSV's instead would be a silent surprise. (Mappings built in code, e.g. a model_dump, carry
    every key and are not checked here.)
    """
    twn = data.get("township")
    given = {f"township.{k}" for k in (twn if isinstance(twn, Mapping) else {})} | set(keys)
    csv = scn.township.layout != "generated"
    unused = [f"township.{k}" for k in (GENERATED_ONLY if csv else CSV_ONLY)
              if f"township.{k}" in given]
    if unused:
        why = (f"only used by a generated township; this one reads its villages from "
               f"{scn.township.layout!r}: remove it" if csv else
               "only used with a CSV layout (a generated township has its station at the "
               "centre): remove it")
        raise ScenarioError("\n".join(f"{_label([k], str(p), keys)}: {why}" for k in unused))


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


def generated_grid_cells(t: Township) -> int:
    """Cells of the grid holding ``t.townships`` generated townships side by side.

    Villages of a generated township lie within ``max_road_km / circuity`` (right-angle km) of
    its station at the centre of a square; townships sit in a row one cell apart.
    """
    extent = 2 * t.max_road_km / t.circuity / t.cell_km  # inf for a vanishing cell_km
    if not math.isfinite(extent):
        return MAX_GRID_CELLS * 10**9
    side = math.floor(extent) + 1
    return (t.townships * side + t.townships - 1) * side


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
