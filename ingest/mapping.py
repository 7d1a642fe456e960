"""Declarative mapping specs: one YAML file per source kind says which columns make which
entities and links, how each field is parsed, and which fields identify.

A spec has four parts (see ``ingest/specs/*.yaml`` and ``docs/mapping-specs.md``):

- ``fields``: named values read from columns, each parsed by type (text, name, postcode, vrm,
  phone, licence, date, datetime, enum, number, integer, list, authority, latitude, longitude) with options such as
  ``required``, ``pattern``, ``formats``, ``past`` and ``when``;
- ``entities``: what each row makes, by kind and properties, or ``lookup``: an entity another
  source made, found by that source's record id (a reference that matches nothing rejects the row);
- ``links``: which entity links to which, with properties;
- ``record_id`` and ``grading``: what identifies the row in provenance, and its 3x5x2 grading.

:class:`RowMapper` compiles a spec once and turns each row into a :class:`MappedRow` or a list of
:class:`Problem` (column and reason) that send the row to the rejects file.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.schema import Schema
from ingest.normalise import (
    DATE_STYLES,
    display_name,
    normalise_licence_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
    parse_date,
    show_value,
)

FieldType = Literal[
    "text", "name", "postcode", "vrm", "phone", "licence", "date", "datetime", "enum", "number", "integer", "list",
    "authority", "latitude", "longitude",
]  # fmt: skip


class InvalidMapping(Exception):
    """A mapping spec is wrong; the message names the spec and says what to change."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Model):
    """How one field is read: from which column, parsed how, and when it must be present."""

    column: str | None = None
    type: FieldType = "text"
    required: bool = False
    pattern: str | None = None
    extract: str | None = None  # a regular expression with one group, applied before parsing
    formats: tuple[str, ...] = ()
    past: bool = False  # dates after today are refused
    values: dict[str, Any] | None = None  # enum: source code (any case) -> stored value
    prefixes: dict[str, str] | None = None  # authority: licence-number prefix -> authority name
    separator: str = ";"
    when: dict[str, tuple[str, ...]] | None = None  # read only when these columns hold these values
    max_length: int | None = None
    # which comes first in a dd/mm or mm/dd date; unset, the formats say (uk: day, us: month) and a
    # file whose dates prove the other order is refused
    date_order: Literal["day-first", "month-first"] | None = None


# a field name, or {template: '{a}:{b}'}, {const: value}, {first: [a, b]} (first with a value) or
# {join: [a, b]} (values joined with spaces)
PropertyRule = str | dict[str, Any]


class LookupSpec(_Model):
    """An entity another source made, found by that source's record id.

    ``missing`` says what to do when no loaded record has the id: ``reject`` the row;
    ``placeholder``: make the entity from the id alone (the other source's spec says how), so the
    link is kept and the record fills it in when it loads; or ``skip`` the links to it.
    """

    source: str
    field: str
    kind: str
    missing: Literal["reject", "placeholder", "skip"] = "reject"


class EntitySpec(_Model):
    kind: str | None = None
    properties: dict[str, PropertyRule] = Field(default_factory=dict)
    when: tuple[str, ...] = ()  # fields that must all hold a value for the entity to be made
    lookup: LookupSpec | None = None
    seen: str | None = None  # field whose date sets first and last seen

    @model_validator(mode="after")
    def _kind_or_lookup(self) -> EntitySpec:
        if (self.kind is None) == (self.lookup is None):
            raise ValueError("an entity has either a kind (and properties) or a lookup, not both or neither")
        return self


class LinkSpec(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: str
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    properties: dict[str, PropertyRule] = Field(default_factory=dict)
    seen: str | None = None


class SourceSpec(_Model):
    """The mapping of one source kind."""

    source: str
    description: str = ""
    files: tuple[str, ...] = ()  # file-name patterns that recognise this source in a folder
    depends_on: tuple[str, ...] = ()
    role: Literal["graph", "gazetteer", "boundaries"] = "graph"
    sheet: str | None = None  # the sheet of a workbook to read; unset, the one whose header fits
    record_id: PropertyRule | None = None
    grading: str | None = None
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    entities: dict[str, EntitySpec] = Field(default_factory=dict)
    links: tuple[LinkSpec, ...] = ()


# -- loading --------------------------------------------------------------------------------------


def load_spec(path: str | Path, *, schema: Schema) -> SourceSpec:
    """Read and check one mapping spec file.

    Raises:
        InvalidMapping: the YAML is malformed or names fields, kinds or properties that do not exist.
    """
    name = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        spec = SourceSpec.model_validate(document)
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidMapping(f"{name}: cannot read the mapping spec: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidMapping(f"{name}: {where}: {first['msg']}") from exc
    check_spec(spec, schema, name)
    return spec


def builtin_spec_paths() -> list[Path]:
    """The specs shipped with Disrupt, one per export of the synthetic generator."""
    folder = resources.files("ingest") / "specs"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_specs(schema: Schema, extra_dir: Path | None = None) -> dict[str, SourceSpec]:
    """Built-in specs, overridden or extended by the ``*.yaml`` files in ``extra_dir``."""
    specs = {s.source: s for s in (load_spec(p, schema=schema) for p in builtin_spec_paths())}
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise InvalidMapping(f"{extra_dir}: no such folder of mapping specs")
        specs.update({s.source: s for s in (load_spec(p, schema=schema) for p in sorted(extra_dir.glob("*.yaml")))})
    return specs


def check_spec(spec: SourceSpec, schema: Schema, name: str) -> None:
    """Refuse a spec that refers to unknown fields, entity kinds, properties or link kinds."""

    def fail(where: str, what: str) -> None:
        raise InvalidMapping(f"{name}: {where}: {what}")

    fields = set(spec.fields)
    for fname, f in spec.fields.items():
        for style in f.formats:
            if style not in DATE_STYLES:
                fail(f"fields.{fname}.formats", f"unknown date style {style!r}; use one of {', '.join(DATE_STYLES)}")
        if f.type in ("date", "datetime") and not f.formats:
            fail(f"fields.{fname}", "a date field needs formats (for example [uk] or [iso])")
        if f.date_order is not None and not set(f.formats) & set(ORDER_STYLES[f.date_order]):
            styles = " or ".join(ORDER_STYLES[f.date_order])
            fail(f"fields.{fname}.date_order", f"{f.date_order} dates need a {styles} format in formats")
        if f.type == "enum" and not f.values:
            fail(f"fields.{fname}", "an enum field needs values: {source code: stored value}")
        if f.type == "authority" and not f.prefixes:
            fail(f"fields.{fname}", "an authority field needs prefixes: {licence-number prefix: authority}")
        for pattern in (f.pattern, f.extract):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    fail(f"fields.{fname}", f"bad regular expression {pattern!r}: {exc}")
    for ename, e in spec.entities.items():
        if e.lookup is not None:
            if e.lookup.field not in fields:
                fail(f"entities.{ename}.lookup", f"no field {e.lookup.field!r}")
            if e.lookup.kind not in schema.entities:
                fail(f"entities.{ename}.lookup", f"no entity kind {e.lookup.kind!r}")
            continue
        assert e.kind is not None
        if e.kind not in schema.entities:
            fail(f"entities.{ename}", f"no entity kind {e.kind!r}; kinds are {', '.join(schema.entities)}")
        ek = schema.entities[e.kind]
        for prop, rule in e.properties.items():
            if prop not in ek.properties and not ek.open:
                fail(f"entities.{ename}.properties", f"{e.kind} has no property {prop!r}")
            _check_rule(rule, fields, f"entities.{ename}.properties.{prop}", fail)
        missing = [k for k in ek.key if k not in e.properties]
        if missing:
            fail(f"entities.{ename}", f"{e.kind} is identified by {', '.join(ek.key)}; map {', '.join(missing)}")
        for f_name in (*e.when, *([e.seen] if e.seen else [])):
            if f_name not in fields:
                fail(f"entities.{ename}", f"no field {f_name!r}")
    for i, ln in enumerate(spec.links):
        if ln.kind not in schema.links:
            fail(f"links[{i}]", f"no link kind {ln.kind!r}")
        for end in (ln.source, ln.target):
            if end not in spec.entities:
                fail(f"links[{i}]", f"no entity {end!r} in this spec")
        for prop, rule in ln.properties.items():
            _check_rule(rule, fields, f"links[{i}].properties.{prop}", fail)
    if spec.record_id is not None:
        _check_rule(spec.record_id, fields, "record_id", fail)


def _check_rule(rule: PropertyRule, fields: set[str], where: str, fail: Callable[[str, str], None]) -> None:
    if isinstance(rule, str):
        if rule not in fields:
            fail(where, f"no field {rule!r}")
        return
    if len(rule) != 1 or next(iter(rule)) not in ("template", "const", "first", "join"):
        fail(
            where,
            "a property is a field name, {template: '...'}, {const: value}, {first: [fields]} or {join: [fields]}",
        )
    op, arg = next(iter(rule.items()))
    names: list[str] = []
    if op == "template":
        names = [n for _, n, _, _ in string.Formatter().parse(str(arg)) if n]
    elif op in ("first", "join"):
        names = list(arg)
    for n in names:
        if n not in fields:
            fail(where, f"no field {n!r}")


# -- day and month order -----------------------------------------------------------------------------

# the date styles that write day and month as numbers, by which comes first
ORDER_STYLES: dict[str, tuple[str, ...]] = {"day-first": ("uk", "uk_time"), "month-first": ("us",)}


def date_order_fields(spec: SourceSpec) -> dict[str, tuple[str, str | None]]:
    """The fields whose dates may be written dd/mm or mm/dd: field name -> (column, the order the
    spec gives: its ``date_order``, else the one its formats imply, else None when they allow both)."""
    found: dict[str, tuple[str, str | None]] = {}
    for name, f in spec.fields.items():
        if f.type not in ("date", "datetime"):
            continue
        orders = [o for o, styles in ORDER_STYLES.items() if set(styles) & set(f.formats)]
        if not orders:
            continue
        said = f.date_order or (orders[0] if len(orders) == 1 else None)
        found[name] = (f.column or name, said)
    return found


def with_date_orders(spec: SourceSpec, orders: Mapping[str, str]) -> SourceSpec:
    """The spec with each named date field read in the given order only (the other order's
    styles dropped), for a file whose dates showed which they are."""
    if not orders:
        return spec
    fields = dict(spec.fields)
    for name, order in orders.items():
        f = fields[name]
        other = next(styles for o, styles in ORDER_STYLES.items() if o != order)
        fields[name] = f.model_copy(
            update={"formats": tuple(s for s in f.formats if s not in other), "date_order": order}
        )
    return spec.model_copy(update={"fields": fields})


# -- mapping rows ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot load: the column at fault (empty for the whole row) and the reason."""

    column: str
    reason: str


@dataclass(slots=True)
class PlannedEntity:
    """An entity a row makes (``kind`` set) or refers to (``lookup`` set, ``values`` to find)."""

    name: str
    kind: str
    properties: dict[str, Any] = field(default_factory=dict)
    seen: str | None = None
    lookup: LookupSpec | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedLink:
    kind: str
    source: str
    target: str
    properties: dict[str, Any]
    seen: str | None


@dataclass(slots=True)
class MappedRow:
    """What one valid row makes, before lookups are resolved and ids are made."""

    record_id: str
    grading: str | None
    entities: dict[str, PlannedEntity]
    links: list[PlannedLink]


Parser = Callable[[str], Any]


class RowMapper:
    """A spec compiled for fast use on many rows."""

    def __init__(self, spec: SourceSpec, *, today: dt.date | None = None, schema: Schema | None = None) -> None:
        self.spec = spec
        self.keys = {k: ek.key for k, ek in schema.entities.items()} if schema is not None else None
        self.today = today or dt.date.today()
        self._fields = [(name, f, f.column or name, self._parser(name, f)) for name, f in spec.fields.items()]

    def columns(self) -> set[str]:
        return {column for _, _, column, _ in self._fields} | {c for _, f, _, _ in self._fields for c in (f.when or {})}

    def missing_columns(self, header: Iterator[str] | set[str]) -> list[str]:
        present = set(header)
        return sorted(c for c in self.columns() if c not in present)

    def map(self, values: Mapping[str, str], row_number: int) -> MappedRow | list[Problem]:
        parsed: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, f, column, parse in self._fields:
            raw = values.get(column, "")
            if f.when and not all(values.get(c, "").strip() in allowed for c, allowed in f.when.items()):
                parsed[name] = None
                continue
            if not raw.strip():
                parsed[name] = None
                if f.required:
                    problems.append(Problem(column, "is empty; a value is required"))
                continue
            try:
                parsed[name] = parse(raw)
            except ValueError as exc:
                problems.append(Problem(column, str(exc)))
        if problems:
            return problems
        record_id = self._record_id(parsed, row_number)
        grading = _render(self.spec.grading, parsed) if self.spec.grading else None
        entities = {}
        for ename, e in self.spec.entities.items():
            if any(parsed.get(w) in (None, "", []) for w in e.when):
                continue
            if e.lookup is not None:
                value = parsed.get(e.lookup.field)
                if value in (None, "", []):
                    continue
                items = tuple(value) if isinstance(value, list) else (str(value),)
                entities[ename] = PlannedEntity(ename, e.lookup.kind, lookup=e.lookup, values=items)
                continue
            assert e.kind is not None
            props = {p: v for p, rule in e.properties.items() if (v := _apply(rule, parsed)) not in (None, "", [])}
            entities[ename] = PlannedEntity(ename, e.kind, props, _iso(parsed.get(e.seen)) if e.seen else None)
        links = [
            PlannedLink(
                ln.kind,
                ln.source,
                ln.target,
                {p: v for p, rule in ln.properties.items() if (v := _apply(rule, parsed)) not in (None, "", [])},
                _iso(parsed.get(ln.seen)) if ln.seen else None,
            )
            for ln in self.spec.links
            if ln.source in entities and ln.target in entities
        ]
        return MappedRow(record_id, grading, entities, links)

    def placeholder(self, kind: str, record_id: str) -> PlannedEntity | None:
        """The ``kind`` entity a row with this record id would make, from the id alone; None if the
        id does not identify one (its key needs other columns)."""
        if not isinstance(self.spec.record_id, str):
            return None
        column = self.spec.fields[self.spec.record_id].column or self.spec.record_id
        parsed: dict[str, Any] = {}
        for name, f, col, parse in self._fields:
            if col == column and not f.when:
                try:
                    parsed[name] = parse(record_id)
                except ValueError:
                    return None
        for ename, e in self.spec.entities.items():
            if e.kind != kind:
                continue
            props = {p: v for p, rule in e.properties.items() if (v := _apply(rule, parsed)) not in (None, "", [])}
            if self.schema_key_complete(kind, props):
                return PlannedEntity(ename, kind, props)
        return None

    def schema_key_complete(self, kind: str, props: Mapping[str, Any]) -> bool:
        return self.keys is not None and all(props.get(k) not in (None, "") for k in self.keys.get(kind, ("?",)))

    def _record_id(self, parsed: Mapping[str, Any], row_number: int) -> str:
        if self.spec.record_id is None:
            return f"row-{row_number}"
        value = _apply(self.spec.record_id, parsed)
        return str(value) if value not in (None, "") else f"row-{row_number}"

    def _parser(self, name: str, f: FieldSpec) -> Parser:
        base = self._base_parser(f)
        pattern = re.compile(f.pattern) if f.pattern else None
        extract = re.compile(f.extract) if f.extract else None

        def parse(raw: str) -> Any:
            text = raw
            if extract is not None:
                found = extract.search(text)
                if not found:
                    raise ValueError(f"{show_value(raw)} does not hold the expected part ({f.extract})")
                text = found.group(1)
            if pattern is not None and not pattern.fullmatch(text.strip()):
                raise ValueError(f"{show_value(raw)} is not in the expected form ({f.pattern})")
            if f.max_length is not None and len(text) > f.max_length:
                raise ValueError(f"is {len(text)} characters long; at most {f.max_length} are allowed")
            return base(text)

        if f.type == "list":
            return parse  # a list is mutable: each row gets its own
        return _remembering(parse)

    def _base_parser(self, f: FieldSpec) -> Parser:
        t = f.type
        simple: dict[str, Parser] = {
            "text": lambda s: s,
            "name": display_name,
            "postcode": normalise_postcode,
            "vrm": normalise_vrm,
            "phone": normalise_phone,
            "licence": normalise_licence_number,
            "number": _number,
            "latitude": _latitude,
            "longitude": _longitude,
            "integer": _integer,
        }
        if t in simple:
            return simple[t]
        if t in ("date", "datetime"):
            return self._date_parser(f)
        if t == "enum":
            table = {str(k).strip().casefold(): v for k, v in (f.values or {}).items()}
            codes = ", ".join(str(k) for k in (f.values or {}))

            def enum(s: str) -> Any:
                try:
                    return table[s.strip().casefold()]
                except KeyError:
                    raise ValueError(f"{show_value(s)} is not a known code; expected one of {codes}") from None

            return enum
        if t == "list":
            return lambda s: [item.strip() for item in s.split(f.separator) if item.strip()]
        prefixes = sorted((f.prefixes or {}).items(), key=lambda kv: -len(kv[0]))

        def authority(s: str) -> str:
            number = s.strip().upper()
            for prefix, name in prefixes:
                if number.startswith(prefix.upper()):
                    return name
            known = ", ".join(p for p, _ in prefixes)
            raise ValueError(f"{show_value(s)} has no known authority prefix ({known})")

        return authority

    def _date_parser(self, f: FieldSpec) -> Parser:
        # a stated order reads dd/mm or mm/dd that way only: a value that fits only the other is refused
        other = next((s for o, s in ORDER_STYLES.items() if f.date_order and o != f.date_order), ())
        styles = tuple(s for s in f.formats if s not in other)
        want_time = f.type == "datetime"
        today = self.today

        def parse(s: str) -> dt.date | dt.datetime:
            value = parse_date(s, styles)
            day = value.date() if isinstance(value, dt.datetime) else value
            if f.past and day > today:
                raise ValueError(f"{show_value(s)} is in the future (after {today.isoformat()})")
            if want_time and not isinstance(value, dt.datetime):
                return dt.datetime(value.year, value.month, value.day)
            if not want_time and isinstance(value, dt.datetime):
                return value.date()
            return value

        return parse


_REMEMBER = 50_000  # values remembered per field; the memory is cleared when it is full


def _remembering(parse: Parser) -> Parser:
    """``parse`` with a memory of what each raw value gave (a value or a ValueError's message):
    exports repeat the same postcodes, VRMs, names and codes on many rows."""
    memory: dict[str, Any] = {}

    def remembered(raw: str) -> Any:
        try:
            found = memory[raw]
        except KeyError:
            try:
                found = parse(raw)
            except ValueError as exc:
                found = _Refused(str(exc))
            if len(memory) >= _REMEMBER:
                memory.clear()
            memory[raw] = found
        if isinstance(found, _Refused):
            raise ValueError(found.reason)
        return found

    return remembered


@dataclass(frozen=True, slots=True)
class _Refused:
    reason: str


def _number(s: str) -> float:
    try:
        value = float(s.strip())
    except ValueError:
        raise ValueError(f"{show_value(s)} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{show_value(s)} is not a finite number")
    return value


def _latitude(s: str) -> float:
    """A WGS84 latitude in degrees: a finite number from -90 to 90 (a -999 "unknown" marker is refused)."""
    value = _number(s)
    if not -90.0 <= value <= 90.0:
        raise ValueError(f"{show_value(s)} is not a latitude (degrees from -90 to 90)")
    return value


def _longitude(s: str) -> float:
    """A WGS84 longitude in degrees: a finite number from -180 to 180."""
    value = _number(s)
    if not -180.0 <= value <= 180.0:
        raise ValueError(f"{show_value(s)} is not a longitude (degrees from -180 to 180)")
    return value


def _integer(s: str) -> int:
    try:
        return int(s.strip())
    except ValueError:
        raise ValueError(f"{show_value(s)} is not a whole number") from None


def _apply(rule: PropertyRule, parsed: Mapping[str, Any]) -> Any:
    if isinstance(rule, str):
        return parsed.get(rule)
    op, arg = next(iter(rule.items()))
    if op == "const":
        return arg
    if op == "first":
        return next((parsed[n] for n in arg if parsed.get(n) not in (None, "", [])), None)
    if op == "join":
        return " ".join(_text(parsed[n]) for n in arg if parsed.get(n) not in (None, "", [])) or None
    return _render(str(arg), parsed)


def _render(template: str, parsed: Mapping[str, Any]) -> str | None:
    """Fill a template; None if any field it names is empty (so no half-made keys)."""
    names = [n for _, n, _, _ in string.Formatter().parse(template) if n]
    if any(parsed.get(n) in (None, "", []) for n in names):
        return None
    return template.format_map({n: _text(parsed[n]) for n in names}).strip()


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else None


__all__ = [
    "ORDER_STYLES",
    "EntitySpec",
    "FieldSpec",
    "InvalidMapping",
    "LinkSpec",
    "MappedRow",
    "PlannedEntity",
    "PlannedLink",
    "Problem",
    "RowMapper",
    "SourceSpec",
    "builtin_spec_paths",
    "check_spec",
    "date_order_fields",
    "load_spec",
    "load_specs",
    "with_date_orders",
]
