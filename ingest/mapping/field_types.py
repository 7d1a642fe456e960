"""The field types a mapping spec may give a field: one registry, declared over the schema's types.

Each :class:`FieldKind` says how a column's text is parsed (the normalisers of
:mod:`ingest.normalise`, a number, a date in the spec's formats ...) and which of the schema's
property types (:data:`graph.schema.PropertyType`) its values are stored as, so that a spec mapping
a field to a property that can never hold its values fails when the spec loads, not on every row
(:func:`can_store`). The store's coercion (``graph.schema``) remains the last word on each value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from graph.schema import PropertyType
from ingest.normalise import (
    display_name,
    normalise_licence_number,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
    parse_date,
    show_value,
)

if TYPE_CHECKING:
    from ingest.mapping.spec import FieldSpec

FieldType = Literal[
    "text", "name", "postcode", "vrm", "phone", "licence", "date", "datetime", "enum", "number", "integer", "list",
    "authority", "latitude", "longitude",
]  # fmt: skip

Parser = Callable[[str], Any]

# the date styles that write day and month as numbers, by which comes first
ORDER_STYLES: dict[str, tuple[str, ...]] = {"day-first": ("uk", "uk_time"), "month-first": ("us",)}


@dataclass(frozen=True, slots=True)
class FieldKind:
    """One field type: how its text is parsed, and the schema type its values are stored as
    (None: whatever the spec says, as an enum's stored values)."""

    name: FieldType
    stores_as: PropertyType | None
    parser: Callable[[FieldSpec, dt.date], Parser]  # (the field's spec, today) -> parse(text)


# which schema types can hold a value of each stored type (what graph.schema's coercion accepts)
_HOLDS: dict[str, frozenset[str]] = {
    "text": frozenset({"string", "text", "enum", "date", "datetime"}),  # an ISO date is text too
    "integer": frozenset({"integer", "number", "enum"}),
    "number": frozenset({"number"}),
    "date": frozenset({"date", "datetime"}),
    "datetime": frozenset({"date", "datetime"}),
    "strings": frozenset({"strings"}),
    "boolean": frozenset({"boolean"}),
}
_HOLDS["string"] = _HOLDS["enum"] = _HOLDS["text"]


def can_store(kind: FieldKind, property_type: PropertyType) -> bool:
    """Whether a property of ``property_type`` can hold this field type's values."""
    return kind.stores_as is None or property_type in _HOLDS[kind.stores_as]


def _simple(parse: Parser) -> Callable[[FieldSpec, dt.date], Parser]:
    return lambda f, today: parse


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


def _enum(f: FieldSpec, today: dt.date) -> Parser:
    table = {str(k).strip().casefold(): v for k, v in (f.values or {}).items()}
    codes = ", ".join(str(k) for k in (f.values or {}))

    def enum(s: str) -> Any:
        try:
            return table[s.strip().casefold()]
        except KeyError:
            raise ValueError(f"{show_value(s)} is not a known code; expected one of {codes}") from None

    return enum


def _list(f: FieldSpec, today: dt.date) -> Parser:
    return lambda s: [item.strip() for item in s.split(f.separator) if item.strip()]


def _authority(f: FieldSpec, today: dt.date) -> Parser:
    prefixes = sorted((f.prefixes or {}).items(), key=lambda kv: -len(kv[0]))

    def authority(s: str) -> str:
        number = s.strip().upper()
        for prefix, name in prefixes:
            if number.startswith(prefix.upper()):
                return name
        known = ", ".join(p for p, _ in prefixes)
        raise ValueError(f"{show_value(s)} has no known authority prefix ({known})")

    return authority


def _date(f: FieldSpec, today: dt.date) -> Parser:
    # a stated order reads dd/mm or mm/dd that way only: a value that fits only the other is refused
    other = next((s for o, s in ORDER_STYLES.items() if f.date_order and o != f.date_order), ())
    styles = tuple(s for s in f.formats if s not in other)
    want_time = f.type == "datetime"

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


FIELD_TYPES: dict[str, FieldKind] = {
    k.name: k
    for k in (
        FieldKind("text", "text", _simple(lambda s: s)),
        FieldKind("name", "text", _simple(display_name)),
        FieldKind("postcode", "text", _simple(normalise_postcode)),
        FieldKind("vrm", "text", _simple(normalise_vrm)),
        FieldKind("phone", "text", _simple(normalise_phone)),
        FieldKind("licence", "text", _simple(normalise_licence_number)),
        FieldKind("authority", "text", _authority),
        FieldKind("enum", None, _enum),
        FieldKind("number", "number", _simple(_number)),
        FieldKind("latitude", "number", _simple(_latitude)),
        FieldKind("longitude", "number", _simple(_longitude)),
        FieldKind("integer", "integer", _simple(_integer)),
        FieldKind("date", "date", _date),
        FieldKind("datetime", "datetime", _date),
        FieldKind("list", "strings", _list),
    )
}

__all__ = ["FIELD_TYPES", "ORDER_STYLES", "FieldKind", "FieldType", "Parser", "can_store"]
