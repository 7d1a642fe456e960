"""Mapping specs: the models of a spec's YAML, and loading the shipped specs and a user's own.

A spec has four parts (see ``ingest/specs/*.yaml`` and ``docs/mapping-specs.md``):

- ``fields``: named values read from columns, each parsed by type (the registry in
  :mod:`ingest.mapping.field_types`) with options such as ``required``, ``pattern``, ``formats``,
  ``past`` and ``when``;
- ``entities``: what each row makes, by kind and properties, or ``lookup``: an entity another
  source made, found by that source's record id (a reference that matches nothing rejects the row);
- ``links``: which entity links to which, with properties;
- ``record_id`` and ``grading``: what identifies the row in provenance, and its 3x5x2 grading.

Property rules are parsed into typed rules (:mod:`ingest.mapping.rules`) as the spec loads, and
:func:`ingest.mapping.checks.check_spec` checks the spec against the schema before it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from graph.schema import Schema
from ingest.errors import InvalidMapping
from ingest.mapping.checks import check_spec
from ingest.mapping.field_types import ORDER_STYLES, FieldType
from ingest.mapping.rules import PropertyRule, parse_rule


def _rule(raw: object) -> PropertyRule:
    try:
        return parse_rule(raw)
    except ValueError as exc:
        raise PydanticCustomError("property_rule", str(exc)) from None


Rule = Annotated[PropertyRule, PlainValidator(_rule)]
OptionalRule = Annotated[PropertyRule | None, PlainValidator(lambda raw: None if raw is None else _rule(raw))]


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
    properties: dict[str, Rule] = Field(default_factory=dict)
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
    properties: dict[str, Rule] = Field(default_factory=dict)
    seen: str | None = None


class SourceSpec(_Model):
    """The mapping of one source kind."""

    source: str
    description: str = ""
    files: tuple[str, ...] = ()  # file-name patterns that recognise this source in a folder
    depends_on: tuple[str, ...] = ()
    role: Literal["graph", "gazetteer", "boundaries"] = "graph"
    sheet: str | None = None  # the sheet of a workbook to read; unset, the one whose header fits
    record_id: OptionalRule = None
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


# -- day and month order -----------------------------------------------------------------------------


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


__all__ = [
    "EntitySpec",
    "FieldSpec",
    "LinkSpec",
    "LookupSpec",
    "SourceSpec",
    "builtin_spec_paths",
    "date_order_fields",
    "load_spec",
    "load_specs",
    "with_date_orders",
]
