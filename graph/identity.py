"""Who a record is: the one definition of entity ids, labels and link ids.

Every path that makes records (``graph.records.new_entity``/``new_link``, the ingest pipeline, the
graph import) composes identity here, so the same real-world key gives the same id whichever path
loaded it, and loading a source twice merges rather than duplicates.

The rules:

- an entity's id is :func:`graph.ids.make_id` of its kind and the values of its kind's ``key``
  properties, in schema order (a missing key value is an error: the record cannot be identified),
  followed by any extra parts a caller needs to tell records apart (the graph import tells
  Locations apart by their coordinates);
- an entity's label is the values of its kind's ``label`` properties, each said once, or failing
  those its key values (:func:`entity_label`); whether a record *carries* a label
  (:func:`carries_label`) decides whether its label replaces a stored one (:mod:`graph.merge`);
- a link of a symmetric kind is stored with its ends in id order (:func:`oriented_ends`), so A-B
  and B-A are one link;
- a link's id is ``make_id`` of its kind, its (oriented) ends and its kind's ``key`` values, a
  missing key value standing as :data:`ABSENT_KEY` so that the id is still defined (:func:`link_id`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.errors import InvalidRecord
from graph.ids import make_id
from graph.schema import Schema

ABSENT_KEY = "-"  # stands for a missing link-key value so that a link's id is still defined


def entity_id(schema: Schema, kind: str, properties: Mapping[str, Any], extra: Sequence[object] = ()) -> str:
    """The id of an entity of ``kind`` with these properties: its key values (then ``extra``) hashed.

    >>> from graph.schema import load_schema
    >>> s = load_schema()
    >>> entity_id(s, "Vehicle", {"vrm": "AB12CDE"}) == entity_id(s, "Vehicle", {"vrm": " ab12cde "})
    True

    Raises:
        InvalidRecord: a key property is missing or empty (the record cannot be identified).
    """
    ek = schema.entity_kind(kind)
    missing = [k for k in ek.key if properties.get(k) in (None, "")]
    if missing:
        raise InvalidRecord(kind, missing[0], None, "identifying property is missing")
    return make_id(kind, *(properties[k] for k in ek.key), *extra)


def entity_label(schema: Schema, kind: str, properties: Mapping[str, Any]) -> str:
    """The display label of an entity: its label properties, each part said once, else its key values.

    >>> from graph.schema import load_schema
    >>> entity_label(load_schema(), "Vehicle", {"vrm": "AB12CDE"})
    'AB12CDE'
    """
    ek = schema.entity_kind(kind)
    parts: list[str] = []
    for name in ek.label:
        value = properties.get(name)
        # a part already said is not said twice: a place known only by its postcode is "ZZ15 1AL",
        # not "ZZ15 1AL ZZ15 1AL", and an address that ends in its postcode does not repeat it
        if value not in (None, "") and str(value).casefold() not in " ".join(parts).casefold():
            parts.append(str(value))
    return " ".join(parts) if parts else " ".join(str(properties.get(k, "")) for k in ek.key)


def carries_label(schema: Schema, kind: str, properties: Mapping[str, Any]) -> bool:
    """Whether a record has any of its kind's label properties (else its label is only its key,
    which never replaces a stored label when records merge)."""
    for name in schema.entity_kind(kind).label:  # a loop, not any(): called for every record of a load
        value = properties.get(name)
        if value is not None and value != "":
            return True
    return False


def oriented_ends(schema: Schema, kind: str, source: str, target: str) -> tuple[str, str]:
    """A link's ends as stored: in id order for a symmetric kind, as given otherwise."""
    if schema.link_kind(kind).symmetric and target < source:
        return target, source
    return source, target


def link_key_parts(schema: Schema, kind: str, properties: Mapping[str, Any]) -> list[str]:
    """The link kind's key values as id parts; a missing one is :data:`ABSENT_KEY`."""
    return [
        str(properties[k]) if properties.get(k) not in (None, "") else ABSENT_KEY for k in schema.link_kind(kind).key
    ]


def link_id(schema: Schema, kind: str, source: str, target: str, properties: Mapping[str, Any]) -> str:
    """The id of a link: kind, ends (oriented by :func:`oriented_ends`) and key values.

    >>> from graph.schema import load_schema
    >>> s = load_schema()
    >>> link_id(s, "ASSOCIATE_OF", "b", "a", {}) == link_id(s, "ASSOCIATE_OF", "a", "b", {})
    True
    """
    source, target = oriented_ends(schema, kind, source, target)
    return make_id(kind, source, target, *link_key_parts(schema, kind, properties))


__all__ = [
    "ABSENT_KEY",
    "carries_label",
    "entity_id",
    "entity_label",
    "link_id",
    "link_key_parts",
    "oriented_ends",
]
