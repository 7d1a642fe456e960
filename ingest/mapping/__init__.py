"""Declarative mapping specs: one YAML file per source kind says which columns make which
entities and links, how each field is parsed, and which fields identify.

- :mod:`ingest.mapping.spec`: the models of a spec and loading them (shipped and a user's own);
- :mod:`ingest.mapping.rules`: the typed property rules a spec's YAML is parsed into as it loads;
- :mod:`ingest.mapping.field_types`: the one registry of field types, declared over the schema's;
- :mod:`ingest.mapping.checks`: checking a spec against the schema, so a wrong one fails at once;
- :mod:`ingest.mapping.mapper`: :class:`RowMapper`, a spec compiled to map rows fast.
"""

from __future__ import annotations

from ingest.errors import InvalidMapping
from ingest.mapping.checks import check_spec
from ingest.mapping.field_types import FIELD_TYPES, ORDER_STYLES, FieldKind, FieldType
from ingest.mapping.mapper import MappedRow, PlannedEntity, PlannedLink, Problem, RowMapper
from ingest.mapping.rules import PropertyRule, parse_rule
from ingest.mapping.spec import (
    EntitySpec,
    FieldSpec,
    LinkSpec,
    LookupSpec,
    SourceSpec,
    builtin_spec_paths,
    date_order_fields,
    load_spec,
    load_specs,
    with_date_orders,
)

__all__ = [
    "FIELD_TYPES",
    "ORDER_STYLES",
    "EntitySpec",
    "FieldKind",
    "FieldSpec",
    "FieldType",
    "InvalidMapping",
    "LinkSpec",
    "LookupSpec",
    "MappedRow",
    "PlannedEntity",
    "PlannedLink",
    "Problem",
    "PropertyRule",
    "RowMapper",
    "SourceSpec",
    "builtin_spec_paths",
    "check_spec",
    "date_order_fields",
    "load_spec",
    "load_specs",
    "parse_rule",
    "with_date_orders",
]
