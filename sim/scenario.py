"""The scenario schema: the one owner of every parameter's name, unit, default and provenance.

A scenario is a TOML file checked by the pydantic models below. Every parameter is declared with
:func:`param`, which records its unit, a one-line description and its provenance: ``seed: ...``
when the value reproduces a figure of the source report (SEED_FACTS, Xiangyang 2021-2023), or
``assumption: ...`` (with a literature range where one exists). Other layers read parameter
metadata from here (docs, the CLI's ``--set``, sweeps), never from a list of their own.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

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
                                       "the population-weighted centre)", "run: user's choice", ge=0, le=100000)
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
        shares = [getattr(self.disputes, f"share_{k}") for k in DISPUTE_KINDS]
        if self.disputes.rate_per_1000_year > 0 and not math.isclose(sum(shares), 1.0,
                                                                    abs_tol=1e-6):
            raise ValueError(f"disputes.share_*: the dispute kind shares must sum to 1 "
                             f"(they sum to {sum(shares):.4g})")
        if self.warmup_days >= self.days:
            raise ValueError(f"warmup_days: must be less than days ({self.days:g})")
        if self.township.layout == "generated" and self.township.clusters > self.township.villages:
            raise ValueError("township.clusters: cannot exceed township.villages")
        comp = self.components()
        if comp["center_offices"] and self.staff.station_officers < 1:
            raise ValueError("staff.station_officers: center offices need at least one")
        if self.staff.station_officers + self.staff.community_officers + self.staff.auxiliaries == 0:
            raise ValueError("staff: the township needs at least one officer or auxiliary")
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

def _suggest(key: str, section: type[BaseModel] | None) -> str:
    if section is None:
        return ""
    names = list(section.model_fields)
    close = difflib.get_close_matches(key, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(names)})"


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


def format_validation_error(err: ValidationError, source: str) -> str:
    """Turn a pydantic error into lines naming the file, the field and what is allowed."""
    lines = []
    for e in err.errors():
        loc = [str(p) for p in e["loc"]]
        field = ".".join(loc) or "(scenario)"
        if e["type"] == "extra_forbidden":
            msg = f"unknown key{_suggest(loc[-1], _section_for(loc[:-1]))}"
        else:
            msg = e["msg"].removeprefix("Value error, ")
            section = _section_for(loc[:-1]) if loc else None
            info = section.model_fields.get(loc[-1]) if section and loc else None
            if info is not None:
                unit = (info.json_schema_extra or {}).get("unit", "")
                msg += f" (got {e.get('input')!r}; unit {unit}{_allowed(info)})"
        lines.append(f"{source}: {field}: {msg}")
    return "\n".join(lines)


def parse_set_value(text: str) -> Any:
    """Parse a ``--set`` value as a TOML value; bare words become strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``key.sub=value`` overrides to a raw scenario mapping (copying it)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for item in overrides:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"--set {item!r}: expected KEY=VALUE, e.g. staff.auxiliaries=40")
        *parents, leaf = key.split(".")
        target = out
        model: type[BaseModel] = Scenario
        for p in parents:
            info = model.model_fields.get(p)
            if info is None or not (isinstance(info.annotation, type)
                                    and issubclass(info.annotation, Section)):
                raise ScenarioError(f"--set {key}: unknown section '{p}'{_suggest(p, model)}")
            model = info.annotation
            target = target.setdefault(p, {})
            if not isinstance(target, dict):
                raise ScenarioError(f"--set {key}: '{p}' is not a table")
        if leaf not in model.model_fields:
            raise ScenarioError(f"--set {key}: unknown key{_suggest(leaf, model)}")
        target[leaf] = parse_set_value(value.strip())
    return out


def scenario_from_mapping(data: Mapping[str, Any], source: str = "<scenario>",
                          overrides: Iterable[str] = ()) -> Scenario:
    """Validate a raw mapping (as read from TOML) plus overrides into a :class:`Scenario`."""
    merged = apply_overrides(dict(data), overrides)
    try:
        return Scenario.model_validate(merged)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, source)) from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ScenarioError` naming the file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{p}: is a folder, not a TOML file") from None
    except OSError as e:
        raise ScenarioError(f"{p}: cannot read ({e.strerror})") from None
    if not raw.strip():
        raise ScenarioError(f"{p}: the file is empty")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not a text (UTF-8) TOML file") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{p}: invalid TOML: {e}") from None


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    A CSV ``township.layout`` is resolved relative to the scenario file's folder.

    Raises:
        ScenarioError: naming the file, the field and what is allowed.
    """
    p = Path(path)
    data = read_toml(p)
    scn = scenario_from_mapping(data, str(p), overrides)
    layout = scn.township.layout
    if layout != "generated" and not Path(layout).is_absolute():
        resolved = str((p.parent / layout).resolve())
        scn = scn.model_copy(update={"township": scn.township.model_copy(
            update={"layout": resolved})})
    return scn
