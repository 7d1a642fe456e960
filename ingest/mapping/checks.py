"""Checking a mapping spec against the schema when it loads, so a wrong spec fails at once with a
message that names the spec, the place in it and what to change."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

from graph.schema import PropertyType, Schema
from ingest.errors import InvalidMapping
from ingest.mapping.field_types import FIELD_TYPES, ORDER_STYLES, can_store
from ingest.mapping.rules import FieldValue, PropertyRule
from ingest.normalise import DATE_STYLES

if TYPE_CHECKING:
    from ingest.mapping.spec import FieldSpec, SourceSpec

_Fail = Callable[[str, str], NoReturn]


def check_spec(spec: SourceSpec, schema: Schema, name: str) -> None:
    """Refuse a spec that refers to unknown fields, entity kinds, properties or link kinds.

    Raises:
        InvalidMapping: ``{name}: {where}: {what}``.
    """

    def fail(where: str, what: str) -> NoReturn:
        raise InvalidMapping(f"{name}: {where}: {what}")

    for fname, f in spec.fields.items():
        _check_field(fname, f, fail)
    fields = set(spec.fields)
    for ename, e in spec.entities.items():
        if e.lookup is not None:
            if e.lookup.field not in fields:
                fail(f"entities.{ename}.lookup", f"no field {e.lookup.field!r}")
            if e.lookup.kind not in schema.entities:
                fail(f"entities.{ename}.lookup", f"no entity kind {e.lookup.kind!r}")
            continue
        assert e.kind is not None  # the model allows a kind or a lookup, never neither
        if e.kind not in schema.entities:
            fail(f"entities.{ename}", f"no entity kind {e.kind!r}; kinds are {', '.join(schema.entities)}")
        ek = schema.entities[e.kind]
        for prop, rule in e.properties.items():
            if prop not in ek.properties and not ek.open:
                fail(f"entities.{ename}.properties", f"{e.kind} has no property {prop!r}")
            where = f"entities.{ename}.properties.{prop}"
            _check_rule(rule, fields, where, fail)
            if prop in ek.properties:
                _check_stored(spec, rule, ek.properties[prop].type, where, fail)
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
        lk = schema.links[ln.kind]
        for prop, rule in ln.properties.items():
            _check_rule(rule, fields, f"links[{i}].properties.{prop}", fail)
            if prop in lk.properties:
                _check_stored(spec, rule, lk.properties[prop].type, f"links[{i}].properties.{prop}", fail)
    if spec.record_id is not None:
        _check_rule(spec.record_id, fields, "record_id", fail)


def _check_field(fname: str, f: FieldSpec, fail: _Fail) -> None:
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


def _check_rule(rule: PropertyRule, fields: set[str], where: str, fail: _Fail) -> None:
    for n in rule.fields:
        if n not in fields:
            fail(where, f"no field {n!r}")


def _check_stored(spec: SourceSpec, rule: PropertyRule, property_type: PropertyType, where: str, fail: _Fail) -> None:
    """Refuse a field mapped straight to a property that can never hold its type's values (every
    row would be refused by the store)."""
    if not isinstance(rule, FieldValue):
        return  # templates and joins make text, a constant is checked by the store
    kind = FIELD_TYPES[spec.fields[rule.field].type]
    if not can_store(kind, property_type):
        fail(
            where,
            f"field {rule.field!r} holds {kind.name} values ({kind.stores_as}), which a {property_type} "
            "property cannot hold; give the field another type or map it to another property",
        )


__all__ = ["check_spec"]
