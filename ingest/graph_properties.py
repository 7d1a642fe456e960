"""A node's properties on their way to an entity's: renamed as the label map says or as common names
suggest (``reg`` is a VRM, ``phoneNo`` a phone number), identifying values normalised as ingest
normalises them, dates parsed in the map's styles, and what the kind does not declare kept as
``extra_<name>``. Each step notes in the label's :class:`~ingest.graph_report.SourceCount` what it did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.schema import EXTRA_PREFIX, EntityKind, Schema
from ingest.graph_maps import COMMON_NAMES, KEY_NORMALISERS, KindMap, LabelMap
from ingest.graph_report import ImportReport, RefusedRow, SourceCount
from ingest.normalise import normalise_phone, normalise_postcode, normalise_vrm, parse_date

_NORMALISE: dict[str, Callable[[str], str]] = {
    "vrm": normalise_vrm,
    "phone": normalise_phone,
    "postcode": normalise_postcode,
}


@dataclass
class Built:
    """Properties on their way to a record: values by Disrupt name, and the source column of each."""

    props: dict[str, Any]
    origin: dict[str, str]  # Disrupt property -> source property


def renamed(schema: Schema, label_map: LabelMap, km: KindMap, props: Mapping[str, Any], counts: SourceCount) -> Built:
    """A node's non-empty properties under their Disrupt names: the map's joins and renames first,
    then the common names of what no map renamed (:func:`infer_common_names`)."""
    built = Built({}, {})
    for target, parts in km.join.items():
        text = " ".join(str(props[p]) for p in parts if props.get(p) not in (None, "", []))
        if text:
            built.props[target], built.origin[target] = text, parts[0]
    for name, value in props.items():
        if value in (None, "", []):
            continue
        target = km.rename.get(name) or label_map.properties.get(name) or name
        if target != name:
            counts.renamed[name] = target
        if target not in built.props:
            built.props[target], built.origin[target] = value, name
    infer_common_names(schema, km.kind, built, counts)
    return built


def infer_common_names(schema: Schema, kind: str, built: Built, counts: SourceCount) -> None:
    """Give a kind's properties from the common names of what no map renamed."""
    declared = schema.entities[kind].properties
    for target, names in COMMON_NAMES.get(kind, {}).items():
        if target in built.props:
            continue
        found = next((n for n in names if n in built.props and n not in declared), None)
        if found is None:
            continue
        if kind == "Person" and found == "name" and not any(n in built.props for n in ("surname", "last_name")):
            continue  # a lone name is the whole name (below), not a given name
        built.props[target], built.origin[target] = built.props.pop(found), built.origin.pop(found)
        counts.inferred[found] = target
    if kind == "Person" and "full_name" not in built.props:
        whole = " ".join(str(built.props[p]) for p in ("given_name", "family_name") if built.props.get(p))
        alone = next((n for n in ("name", "fullName", "full_name") if n in built.props and n not in declared), None)
        if whole:
            built.props["full_name"], built.origin["full_name"] = whole, built.origin.get("given_name", "")
            counts.inferred["given_name + family_name"] = "full_name"
        elif alone is not None:
            built.props["full_name"], built.origin["full_name"] = built.props.pop(alone), built.origin.pop(alone)
            counts.inferred[alone] = "full_name"


def normalise_keys(kind: str, built: Built, counts: SourceCount) -> None:
    """Normalise a kind's identifying values as ingest does, so an imported VRM or number has the id
    ingest gives it (and merges with it); one that does not normalise is kept as written."""
    for (k, prop), how in KEY_NORMALISERS.items():
        if k == kind and isinstance(built.props.get(prop), str):
            try:
                built.props[prop] = _NORMALISE[how](built.props[prop])
            except ValueError:
                # an identity the source graph holds and hangs links from: kept as written
                built.props[prop] = built.props[prop].strip()
                counts.not_normalised[prop] += 1


def parse_dates(km: KindMap, built: Built, origin: Mapping[str, str]) -> None:
    """Parse the map's date properties in its styles, to ISO.

    Raises:
        RefusedRow: a date is not one in any of its styles (named by its source column).
    """
    for prop, styles in km.dates.items():
        value = built.props.get(prop)
        if isinstance(value, str):
            try:
                built.props[prop] = parse_date(value, styles).isoformat()
            except ValueError as exc:
                source = built.origin.get(prop, prop)
                raise RefusedRow(origin.get(source, source), f"{prop}: {exc}") from None


def declared(ek: EntityKind, built: Built, counts: SourceCount, report: ImportReport) -> dict[str, Any]:
    """The properties under the names the kind declares; the rest as ``extra_<name>``, noted."""
    kept: dict[str, Any] = {}
    for name, value in built.props.items():
        if name in ek.properties or ek.open or name.startswith(EXTRA_PREFIX):
            kept[name] = value
        else:
            kept[EXTRA_PREFIX + name] = value
            built.origin[EXTRA_PREFIX + name] = built.origin.get(name, name)
            counts.kept_as_extra.add(name)
            report.properties_kept_as_extra[f"{ek.name}.{name}"] += 1
    return kept


__all__ = ["Built", "declared", "infer_common_names", "normalise_keys", "parse_dates", "renamed"]
