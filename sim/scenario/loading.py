"""Reading scenarios: TOML files, ``--set`` overrides, CSV layouts, and plain error messages.

Errors name the file, the field and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationError

from sim.scenario.limits import MAX_SCENARIO_BYTES
from sim.scenario.parameters import ScenarioError, Section
from sim.scenario.schema import Scenario, iter_parameters

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


def plain_message(e: Mapping[str, Any]) -> str:
    """One pydantic error in plain words ("must be at least 1", not "Input should be ...")."""
    kind, ctx = e["type"], e.get("ctx") or {}
    words = {
        "missing": "missing (this key is required)",
        "int_parsing": "must be a whole number", "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number", "float_type": "must be a number",
        "bool_parsing": "must be true or false", "bool_type": "must be true or false",
        "string_type": "must be text (in quotes)", "list_type": "must be a list [...]",
        "dict_type": "must be a table", "model_type": "must be a table",
        "finite_number": "must be a finite number",
    }
    if kind in words:
        return words[kind]
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": "at least", "greater_than": "more than",
              "less_than_equal": "at most", "less_than": "less than"}[kind]
        return f"must be {op} {next(iter(ctx.values()), '')}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} entr{'y' if n == 1 else 'ies'}"
    msg = str(e["msg"]).removeprefix("Value error, ")
    return msg.replace("Input should be", "must be")


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
    msg = plain_message(e)  # plain words, not pydantic's ("Input should be ...")
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


def read_text_file(path: Path, where: str, kind: str, max_bytes: int,
                   save_as: str = "UTF-8") -> str:
    """The text of a small input file, or a :class:`ScenarioError` saying why it has none.

    The one place that checks a scenario's input files (a scenario TOML, a CSV layout): a
    regular file, no larger than ``max_bytes``, readable, not binary, UTF-8 (a byte-order mark
    allowed). Whether it may be empty is the caller's rule.

    Args:
        path: The file.
        where: What every error starts with (the file, and the field that names it).
        kind: The format expected, for the errors ("TOML", "CSV").
        max_bytes: The largest plausible size.
        save_as: The encoding to tell the user to save the file in.

    Raises:
        ScenarioError: naming ``where``.

    """
    try:
        if path.is_dir():
            raise ScenarioError(f"{where}: is a folder, not a {kind} file")
        if path.exists() and not path.is_file():
            raise ScenarioError(f"{where}: not a regular file (a device or pipe?)")
        size = path.stat().st_size
        if size > max_bytes:
            raise ScenarioError(f"{where}: {size:,} bytes is too large for a {kind} file (at "
                                f"most {max_bytes:,}); is this the right file?")
        raw = path.read_bytes()
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no such file") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise ScenarioError(f"{where}: cannot read ({getattr(e, 'strerror', None) or e})"
                            ) from None
    if b"\x00" in raw:
        raise ScenarioError(f"{where}: a binary file, not a {kind} text file")
    try:
        return raw.decode("utf-8-sig")  # -sig: Notepad's and spreadsheets' byte-order mark
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{where}: not a UTF-8 text file (byte {e.start}); save it as "
                            f"{save_as}") from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ScenarioError` naming the file."""
    p = Path(path)
    text = read_text_file(p, str(p), "TOML", MAX_SCENARIO_BYTES)
    if not text.strip():
        raise ScenarioError(f"{p}: the file is empty")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{p}: invalid TOML: {e}") from None


def _resolve_file(value: str, label: str, p: Path, from_cli: bool, expected: str,
                  hint: str = "") -> Path:
    """The file a path field names, which must exist and be a file.

    The path is relative to the scenario file's folder, or to the working folder when it was
    given with ``--set``.

    Args:
        value: The path as written.
        label: What the errors start with (the file and field, or ``--set`` and the field).
        p: The scenario file.
        from_cli: Whether the path came from ``--set``.
        expected: What the file should be, for the error when it is not a file.
        hint: Said after where the path was looked for when there is no such file.

    """
    try:
        resolved = ((Path.cwd() if from_cli else p.parent) / value).resolve()
        exists, is_file = resolved.exists(), resolved.is_file()
    except (OSError, ValueError) as e:
        raise ScenarioError(f"{label}: {value!r} is not a usable path ({e})") from None
    if not exists:
        where = ("relative to the working folder" if from_cli
                 else "a path in a scenario file is relative to the file's folder")
        raise ScenarioError(f"{label}: no such file {value!r} (looked for {resolved}; "
                            f"{where}{hint})")
    if not is_file:
        raise ScenarioError(f"{label}: {resolved} is not a file (expected {expected})")
    return resolved


def _resolve_layout(scn: Scenario, p: Path, from_cli: bool) -> Scenario:
    """Resolve a CSV layout: relative to the scenario file, or to the working folder for --set."""
    layout = scn.township.layout
    if layout == "generated":
        return scn
    label = "--set township.layout" if from_cli else f"{p}: township.layout"
    hint = ("" if layout.lower().endswith(".csv")
            else "; township.layout is 'generated' or a CSV file")
    resolved = _resolve_file(layout, label, p, from_cli, "a CSV layout", hint)
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
    return _resolve_roads(_resolve_layout(scn, p, "township.layout" in keys), p,
                          "roads.file" in keys)


def _resolve_roads(scn: Scenario, p: Path, from_cli: bool) -> Scenario:
    """Resolve ``roads.file`` like a CSV layout (its contents are read by sim.world.roads)."""
    file = scn.roads.file
    if file == "none":
        return scn
    label = "--set roads.file" if from_cli else f"{p}: roads.file"
    expected = "a travel-time matrix (.csv) or a road network (.graphml, .geojson)"
    resolved = _resolve_file(file, label, p, from_cli, expected)
    if resolved.suffix.lower() not in (".csv", ".graphml", ".geojson", ".json"):
        raise ScenarioError(f"{label}: {file!r}: expected {expected}")
    return scn.model_copy(update={"roads": scn.roads.model_copy(update={"file": str(resolved)})})


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


