"""Label maps: how the labels, relationship types and properties of an imported graph become
Disrupt's kinds, link kinds and properties, the maps shipped with Disrupt, and what is inferred
where no map says.

A labels file looks like (see ``ingest/maps/neo4j_pole.yaml`` for a whole model)::

    labels:
      Car: Vehicle                                   # a label to a kind
      Person:                                        # or a label to a kind, with what to do
        kind: Person
        rename: {name: given_name, surname: family_name}
        join: {full_name: [name, surname]}           # source properties joined with spaces
        dates: {occurred_at: [uk, iso]}              # date styles, as ingest's (ingest.normalise)
    types:
      DROVE: {kind: USES_VEHICLE, properties: {role: driver}}   # fixed properties
      FAMILY_REL: {kind: FAMILY_OF, rename: {rel_type: relationship}}
      KNOWS: ASSOCIATE_OF
    properties: {registration: vrm}                  # renames for every label
    match:                                           # chosen without --labels when a bundle fits
      labels: [Person, Crime]
      headers: {Person: [surname], Crime: [last_outcome]}
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from graph import GraphStore
from graph.schema import Schema
from ingest.errors import IngestError
from ingest.graph_report import GraphImportError
from ingest.normalise import DATE_STYLES

log = logging.getLogger(__name__)

# Where no map names a kind's property, these source names are read as it (first found wins).
COMMON_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "Vehicle": {"vrm": ("vrm", "reg", "registration", "registration_mark", "regNo", "reg_no", "plate")},
    "Phone": {"number": ("number", "phoneNo", "phone_no", "phone_number", "phoneNumber", "telephone", "phone")},
    "Person": {
        "given_name": ("given_name", "first_name", "firstName", "forename", "name"),
        "family_name": ("family_name", "surname", "last_name", "lastName"),
        "date_of_birth": ("date_of_birth", "dob", "birth_date", "dateOfBirth"),
    },
    "Location": {"postcode": ("postcode", "post_code", "postCode", "zip")},
    "Incident": {"reference": ("reference", "crime_id", "crimeId", "id")},
}
# Normalisations applied to a kind's identifying values, so that an imported VRM or number has the
# id ingest gives it (and so merges with it). A value that does not normalise is kept as written.
KEY_NORMALISERS: dict[tuple[str, str], str] = {
    ("Vehicle", "vrm"): "vrm",
    ("Phone", "number"): "phone",
    ("Location", "postcode"): "postcode",
}
_LABEL_KEYS = {"kind", "rename", "join", "dates"}
_TYPE_KEYS = {"kind", "properties", "rename"}


class LabelMapError(IngestError):
    """A labels file is malformed; the message names the entry and how to fix it."""


@dataclass(frozen=True)
class KindMap:
    """What one source label becomes."""

    kind: str
    rename: Mapping[str, str] = field(default_factory=dict)  # source property -> Disrupt property
    join: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # Disrupt property -> source ones
    dates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # Disrupt property -> date styles


@dataclass(frozen=True)
class TypeMap:
    """What one source relationship type becomes."""

    kind: str
    fixed: Mapping[str, Any] = field(default_factory=dict)
    rename: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """When a shipped map applies without being asked for: the labels a bundle must hold, and the
    headers their node files must have."""

    labels: tuple[str, ...]
    headers: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class LabelMap:
    labels: Mapping[str, KindMap] = field(default_factory=dict)
    types: Mapping[str, TypeMap] = field(default_factory=dict)
    properties: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    match: Match | None = None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LabelMapError(f"{where} must be a mapping")
    return {str(k): v for k, v in value.items()}


def _kind_map(label: str, target: Any, schema: Schema, where: str) -> KindMap:
    spec = {"kind": target} if isinstance(target, str) else _mapping(target, f"{where}.labels.{label}")
    if set(spec) - _LABEL_KEYS:
        raise LabelMapError(f"{where}: labels.{label} has the keys {', '.join(sorted(_LABEL_KEYS))} only")
    kind = str(spec.get("kind"))
    if kind not in schema.entities:
        raise LabelMapError(f"{where}: labels.{label}: no entity kind {kind!r}")
    join = {k: tuple(str(p) for p in v) for k, v in _mapping(spec.get("join"), f"labels.{label}.join").items()}
    dates = {k: tuple(str(s) for s in v) for k, v in _mapping(spec.get("dates"), f"labels.{label}.dates").items()}
    for prop, styles in dates.items():
        unknown = [s for s in styles if s not in DATE_STYLES]
        if unknown:
            raise LabelMapError(f"{where}: labels.{label}.dates.{prop}: no date style {unknown}; use {DATE_STYLES}")
    rename = {k: str(v) for k, v in _mapping(spec.get("rename"), f"labels.{label}.rename").items()}
    return KindMap(kind, rename, join, dates)


def _type_map(name: str, target: Any, schema: Schema, where: str) -> TypeMap:
    spec = {"kind": target} if isinstance(target, str) else _mapping(target, f"{where}.types.{name}")
    if set(spec) - _TYPE_KEYS:
        raise LabelMapError(f"{where}: types.{name} has the keys {', '.join(sorted(_TYPE_KEYS))} only")
    kind = str(spec.get("kind"))
    if kind not in schema.links:
        raise LabelMapError(f"{where}: types.{name}: no link kind {kind!r}")
    rename = {k: str(v) for k, v in _mapping(spec.get("rename"), f"types.{name}.rename").items()}
    return TypeMap(kind, _mapping(spec.get("properties"), f"types.{name}.properties"), rename)


def parse_label_map(doc: Any, schema: Schema, *, where: str, name: str = "") -> LabelMap:
    """Build a label map from a parsed labels file, refusing kinds the schema does not have."""
    doc = doc or {}
    if not isinstance(doc, dict) or set(doc) - {"labels", "types", "properties", "match"}:
        raise LabelMapError(f"{where}: a labels file has the keys labels, types, properties and match only")
    labels = {lb: _kind_map(lb, t, schema, where) for lb, t in _mapping(doc.get("labels"), "labels").items()}
    types = {ty: _type_map(ty, t, schema, where) for ty, t in _mapping(doc.get("types"), "types").items()}
    match = None
    if doc.get("match"):
        m = _mapping(doc["match"], f"{where}: match")
        headers = {str(k): tuple(str(h) for h in v) for k, v in _mapping(m.get("headers"), "match.headers").items()}
        match = Match(tuple(str(lb) for lb in m.get("labels") or ()), headers)
    renames = {k: str(v) for k, v in _mapping(doc.get("properties"), "properties").items()}
    return LabelMap(labels, types, renames, name, match)


def load_label_map(path: Path | None, schema: Schema) -> LabelMap:
    """Read a labels file (an empty map for None).

    Raises:
        LabelMapError: the file cannot be read, or names a kind or link kind the schema lacks.
    """
    if path is None:
        return LabelMap()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelMapError(f"{path}: cannot read the labels file: {exc}") from exc
    return parse_label_map(doc, schema, where=str(path), name=path.stem)


def shipped_label_maps(schema: Schema) -> list[LabelMap]:
    """The label maps shipped in ``ingest/maps``, by file name."""
    folder = resources.files("ingest") / "maps"
    maps = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            doc = yaml.safe_load(entry.read_text(encoding="utf-8"))
            maps.append(parse_label_map(doc, schema, where=f"ingest/maps/{entry.name}", name=entry.name[:-5]))
    return maps


def choose_label_map(schema: Schema, headers_by_label: Mapping[str, set[str]]) -> tuple[LabelMap, str]:
    """The shipped map whose labels and headers a bundle holds (the first, by name), and why;
    an empty map and why none fits otherwise.

    ``headers_by_label`` gives, for each label a node file holds, the property names of its header.
    """
    for lm in shipped_label_maps(schema):
        if lm.match is None:
            continue
        missing = [lb for lb in lm.match.labels if lb not in headers_by_label]
        lacking = [
            f"{lb}.{h}" for lb, hs in lm.match.headers.items() for h in hs if h not in headers_by_label.get(lb, set())
        ]
        if not missing and not lacking:
            return lm, f"chosen because the bundle has the labels {', '.join(lm.match.labels)} and their headers"
        log.debug("label map %s does not fit: %d labels, %d headers missing", lm.name, len(missing), len(lacking))
    return LabelMap(), "no shipped map fits the bundle's labels and headers; kinds and keys inferred"


def choose_map_for(
    store: GraphStore, labels: Path | None, choose_map: bool, headers: Callable[[], dict[str, set[str]]]
) -> tuple[LabelMap, str]:
    """The label map to use and why: the file given, else a shipped map that fits the source's labels
    and their property names (``headers``), unless ``choose_map`` is False.

    Raises:
        GraphImportError: the labels file is malformed.
    """
    try:
        if labels is not None:
            return load_label_map(labels, store.schema), "given with --labels"
        if choose_map:
            return choose_label_map(store.schema, headers())
        return load_label_map(None, store.schema), "no map asked for; kinds and keys inferred"
    except LabelMapError as exc:
        raise GraphImportError(str(exc)) from exc


__all__ = [
    "COMMON_NAMES",
    "KEY_NORMALISERS",
    "KindMap",
    "LabelMap",
    "LabelMapError",
    "Match",
    "TypeMap",
    "choose_label_map",
    "choose_map_for",
    "load_label_map",
    "parse_label_map",
    "shipped_label_maps",
]
