"""Property rules: how a spec says a property's value is made from a row's fields.

A rule is written in YAML as a field name, or ``{template: '{a}:{b}'}``, ``{const: value}``,
``{first: [a, b]}`` (the first with a value) or ``{join: [a, b]}`` (the values joined with
spaces). :func:`parse_rule` reads that once, when the spec loads, into one of the typed rules
below; the mapper then only calls :meth:`apply`, and the checks only read :attr:`fields`.

>>> rule = parse_rule({"template": "{force}:{ref}"})
>>> rule.fields, rule.apply({"force": "police", "ref": "PN1"})
(('force', 'ref'), 'police:PN1')
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_SHAPES = "a property is a field name, {template: '...'}, {const: value}, {first: [fields]} or {join: [fields]}"


BLANK: tuple[Any, ...] = (None, "", [])  # the parsed values that say nothing: `value in BLANK` (a hot path)


def is_blank(value: Any) -> bool:
    """Whether a parsed value says nothing (None, empty text or an empty list)."""
    return value in BLANK


@dataclass(frozen=True, slots=True)
class FieldValue:
    """The value of one field."""

    field: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def apply(self, parsed: Mapping[str, Any]) -> Any:
        return parsed.get(self.field)


@dataclass(frozen=True, slots=True)
class Template:
    """Fields filled into text; nothing if any of them is empty (so no half-made keys)."""

    text: str
    fields: tuple[str, ...]

    def apply(self, parsed: Mapping[str, Any]) -> Any:
        if any(parsed.get(n) in BLANK for n in self.fields):
            return None
        return self.text.format_map({n: as_text(parsed[n]) for n in self.fields}).strip()


@dataclass(frozen=True, slots=True)
class Const:
    """The same value on every row."""

    value: Any

    @property
    def fields(self) -> tuple[str, ...]:
        return ()

    def apply(self, parsed: Mapping[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class First:
    """The value of the first of these fields that has one."""

    fields: tuple[str, ...]

    def apply(self, parsed: Mapping[str, Any]) -> Any:
        return next((parsed[n] for n in self.fields if parsed.get(n) not in BLANK), None)


@dataclass(frozen=True, slots=True)
class Join:
    """The values of these fields that have one, joined with spaces."""

    fields: tuple[str, ...]

    def apply(self, parsed: Mapping[str, Any]) -> Any:
        return " ".join(as_text(parsed[n]) for n in self.fields if parsed.get(n) not in BLANK) or None


PropertyRule = FieldValue | Template | Const | First | Join


def template(text: str) -> Template:
    """A template rule, with the fields it names read once."""
    return Template(text, tuple(n for _, n, _, _ in string.Formatter().parse(text) if n))


def parse_rule(raw: object) -> PropertyRule:
    """The typed rule a spec's YAML writes (see the module's docstring).

    Raises:
        ValueError: the YAML is none of the rule shapes; the message lists them.
    """
    if isinstance(raw, PropertyRule):
        return raw  # already parsed (a spec copied with model_copy)
    if isinstance(raw, str):
        return FieldValue(raw)
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(_SHAPES)
    op, arg = next(iter(raw.items()))
    if op == "const":
        return Const(arg)
    if op == "template":
        try:
            return template(str(arg))
        except ValueError as exc:  # an unmatched brace
            raise ValueError(f"{_SHAPES} (the template {arg!r} is not one: {exc})") from None
    if op in ("first", "join") and isinstance(arg, list | tuple):
        names = tuple(str(n) for n in arg)
        return First(names) if op == "first" else Join(names)
    raise ValueError(_SHAPES)


def as_text(value: Any) -> str:
    """A parsed value as text: dates in ISO form."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


def as_iso(value: Any) -> str | None:
    """A parsed date as ISO text, else None (a field that sets first and last seen)."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else None


__all__ = [
    "BLANK",
    "Const",
    "FieldValue",
    "First",
    "Join",
    "PropertyRule",
    "Template",
    "as_iso",
    "as_text",
    "is_blank",
    "parse_rule",
    "template",
]
