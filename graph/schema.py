"""The POLE schema: kinds of entity and link read from ``schema.yaml``, and record validation."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from graph.errors import InvalidRecord, SchemaError

PropertyType = Literal["string", "text", "integer", "number", "boolean", "date", "datetime", "enum", "strings"]
_TYPES: frozenset[str] = frozenset(get_args(PropertyType))
ANY_KIND = "*"
# An undeclared property a graph import keeps on a kind that is not open is stored under this
# prefix (``extra_nhs_no``), so nothing of the source is dropped while ingest specs stay checked.
EXTRA_PREFIX = "extra_"


@dataclass(frozen=True, slots=True)
class Property:
    """One declared property of a kind."""

    name: str
    type: PropertyType
    values: tuple[str, ...] = ()
    search: bool = False
    sensitive: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class EntityKind:
    """A kind of entity: its properties, identifying key and display label."""

    name: str
    properties: Mapping[str, Property]
    key: tuple[str, ...]
    label: tuple[str, ...]
    open: bool = False
    description: str = ""
    search_properties: tuple[str, ...] = field(init=False)  # the searchable properties, in order

    def __post_init__(self) -> None:
        object.__setattr__(self, "search_properties", tuple(p.name for p in self.properties.values() if p.search))


@dataclass(frozen=True, slots=True)
class LinkKind:
    """A kind of link: which entity kinds it may join and its properties."""

    name: str
    sources: frozenset[str]
    targets: frozenset[str]
    properties: Mapping[str, Property]
    key: tuple[str, ...] = ()
    open: bool = False
    symmetric: bool = False

    def allows(self, source_kind: str, target_kind: str) -> bool:
        """Return True if this link kind may join ``source_kind`` to ``target_kind``."""
        return (ANY_KIND in self.sources or source_kind in self.sources) and (
            ANY_KIND in self.targets or target_kind in self.targets
        )


@dataclass(frozen=True, slots=True)
class Schema:
    """Every entity and link kind of the model."""

    entities: Mapping[str, EntityKind]
    links: Mapping[str, LinkKind]
    version: int = 1

    def entity_kind(self, name: str) -> EntityKind:
        try:
            return self.entities[name]
        except KeyError:
            known = ", ".join(sorted(self.entities))
            raise InvalidRecord(name, None, name, f"unknown entity kind; known kinds: {known}") from None

    def link_kind(self, name: str) -> LinkKind:
        try:
            return self.links[name]
        except KeyError:
            known = ", ".join(sorted(self.links))
            raise InvalidRecord(name, None, name, f"unknown link kind; known kinds: {known}") from None

    def validate_entity_properties(self, kind: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Return the properties with values normalised to their stored form, or raise InvalidRecord."""
        ek = self.entity_kind(kind)
        clean = _validate_properties(kind, ek.properties, ek.open, properties)
        missing = [k for k in ek.key if clean.get(k) in (None, "")]
        if missing:
            raise InvalidRecord(kind, missing[0], None, "identifying property is missing")
        return clean

    def validate_link_properties(self, kind: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Return the link properties in stored form, or raise InvalidRecord."""
        lk = self.link_kind(kind)
        return _validate_properties(kind, lk.properties, lk.open, properties)


def _validate_properties(
    kind: str, declared: Mapping[str, Property], is_open: bool, properties: Mapping[str, Any]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in properties.items():
        if not isinstance(name, str) or not name:
            raise InvalidRecord(kind, str(name), value, "property names must be non-empty text")
        if value is None:
            continue
        prop = declared.get(name)
        if prop is None:
            if not is_open and not name.startswith(EXTRA_PREFIX):
                known = ", ".join(sorted(declared)) or "none"
                raise InvalidRecord(kind, name, value, f"not a property of {kind}; declared: {known}")
            clean[name] = _coerce_open(kind, name, value)
            continue
        clean[name] = _coerce(kind, prop, value)
    return clean


def _coerce(kind: str, prop: Property, value: Any) -> Any:
    t = prop.type
    if t in ("string", "text"):
        if not isinstance(value, str):
            raise InvalidRecord(kind, prop.name, value, f"expected text, got {type(value).__name__}")
        return value
    if t == "enum":
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if text not in prop.values:
            raise InvalidRecord(kind, prop.name, value, f"expected one of {', '.join(prop.values)}")
        return text
    if t == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRecord(kind, prop.name, value, "expected a whole number")
        return value
    if t == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidRecord(kind, prop.name, value, "expected a finite number")
        return float(value)
    if t == "boolean":
        if not isinstance(value, bool):
            raise InvalidRecord(kind, prop.name, value, "expected true or false")
        return value
    if t == "date":
        return _coerce_date(kind, prop.name, value)
    if t == "datetime":
        return _coerce_datetime(kind, prop.name, value)
    if t == "strings":
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise InvalidRecord(kind, prop.name, value, "expected a list of text values")
        if not all(isinstance(v, str) for v in value):
            raise InvalidRecord(kind, prop.name, value, "every item must be text")
        return list(value)
    raise SchemaError(f"{kind}.{prop.name}: unhandled type {t}")  # pragma: no cover - schema checked on load


def _coerce_date(kind: str, name: str, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidRecord(kind, name, value, "expected a real date as yyyy-mm-dd")


def _coerce_datetime(kind: str, name: str, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidRecord(kind, name, value, "expected an ISO 8601 date and time")


def _coerce_open(kind: str, name: str, value: Any) -> Any:
    """Undeclared properties of open kinds: JSON scalars or lists of them, kept as given."""
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRecord(kind, name, value, "expected a finite number")
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, bool, int, float)) for v in value):
        return list(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise InvalidRecord(kind, name, value, "expected text, a number, true/false or a list of them")


def _parse_properties(owner: str, raw: Any) -> dict[str, Property]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{owner}: 'properties' must be a mapping")
    props: dict[str, Property] = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or spec.get("type") not in _TYPES:
            raise SchemaError(f"{owner}.{name}: 'type' must be one of {sorted(_TYPES)}")
        values = tuple(str(v) for v in spec.get("values", ()))
        if spec["type"] == "enum" and not values:
            raise SchemaError(f"{owner}.{name}: an enum needs 'values'")
        props[name] = Property(
            name=name,
            type=spec["type"],
            values=values,
            search=bool(spec.get("search", False)),
            sensitive=bool(spec.get("sensitive", False)),
            description=str(spec.get("description", "")),
        )
    return props


def parse_schema(document: Mapping[str, Any]) -> Schema:
    """Build a Schema from the parsed YAML document, checking that it is consistent."""
    entities: dict[str, EntityKind] = {}
    for name, spec in (document.get("entities") or {}).items():
        props = _parse_properties(name, spec.get("properties"))
        key = tuple(spec.get("key") or ())
        label = tuple(spec.get("label") or key)
        if not key:
            raise SchemaError(f"{name}: an entity kind needs a 'key'")
        for p in (*key, *label):
            if p not in props:
                raise SchemaError(f"{name}: key or label names undeclared property {p!r}")
        entities[name] = EntityKind(
            name=name,
            properties=props,
            key=key,
            label=label,
            open=bool(spec.get("open", False)),
            description=str(spec.get("description", "")),
        )
    links: dict[str, LinkKind] = {}
    for name, spec in (document.get("links") or {}).items():
        props = _parse_properties(name, spec.get("properties"))
        ends = {}
        for end in ("from", "to"):
            kinds = frozenset(spec.get(end) or ())
            unknown = kinds - set(entities) - {ANY_KIND}
            if not kinds or unknown:
                raise SchemaError(f"{name}: '{end}' must list known entity kinds, not {sorted(unknown)}")
            ends[end] = kinds
        key = tuple(spec.get("key") or ())
        for p in key:
            if p not in props:
                raise SchemaError(f"{name}: key names undeclared property {p!r}")
        links[name] = LinkKind(
            name=name,
            sources=ends["from"],
            targets=ends["to"],
            properties=props,
            key=key,
            open=bool(spec.get("open", False)),
            symmetric=bool(spec.get("symmetric", False)),
        )
    if not entities or not links:
        raise SchemaError("the schema needs at least one entity kind and one link kind")
    return Schema(entities=entities, links=links, version=int(document.get("version", 1)))


def load_schema(path: str | Path | None = None) -> Schema:
    """Read a schema file; with no path, the POLE schema shipped with Disrupt (cached)."""
    if path is None:
        return _default_schema()
    with open(path, encoding="utf-8") as fh:
        return parse_schema(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def _default_schema() -> Schema:
    text = resources.files("graph").joinpath("schema.yaml").read_text(encoding="utf-8")
    return parse_schema(yaml.safe_load(text))
