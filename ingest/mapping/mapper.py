"""The mapper: a spec compiled once, turning each row into what it makes or why it cannot load.

:class:`RowMapper` parses a row's fields (each by its type in :mod:`ingest.mapping.field_types`)
and applies the spec's rules, giving a :class:`MappedRow` (the entities and links the row makes,
before references are looked up and ids made) or a list of :class:`Problem` (column and reason)
that send the row to the rejects file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.schema import Schema
from ingest.mapping.field_types import FIELD_TYPES, Parser
from ingest.mapping.rules import BLANK, FieldValue, PropertyRule, as_iso, template
from ingest.mapping.spec import FieldSpec, LookupSpec, SourceSpec
from ingest.normalise import show_value


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot load: the column at fault (empty for the whole row) and the reason."""

    column: str
    reason: str


@dataclass(slots=True)  # not frozen: a frozen __init__ made mapping 8% slower; nothing changes one once made
class PlannedEntity:
    """An entity a row makes (``kind`` set) or refers to (``lookup`` set, ``values`` to find)."""

    name: str  # the entity's name in the spec
    kind: str
    properties: dict[str, Any] = field(default_factory=dict)
    seen: str | None = None
    lookup: LookupSpec | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedLink:
    kind: str
    source: str  # the spec's names of the entities at its ends
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


class RowMapper:
    """A spec compiled for fast use on many rows."""

    def __init__(self, spec: SourceSpec, *, today: dt.date | None = None, schema: Schema | None = None) -> None:
        self.spec = spec
        self.keys = {k: ek.key for k, ek in schema.entities.items()} if schema is not None else None
        self.today = today or dt.date.today()
        self._fields = [(name, f, f.column or name, self._parser(f)) for name, f in spec.fields.items()]
        self._grading = template(spec.grading) if spec.grading else None

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
        grading = self._grading.apply(parsed) if self._grading is not None else None
        entities = {}
        for ename, e in self.spec.entities.items():
            if any(parsed.get(w) in BLANK for w in e.when):
                continue
            if e.lookup is not None:
                value = parsed.get(e.lookup.field)
                if value in BLANK:
                    continue
                items = tuple(value) if isinstance(value, list) else (str(value),)
                entities[ename] = PlannedEntity(ename, e.lookup.kind, lookup=e.lookup, values=items)
                continue
            assert e.kind is not None  # the model allows a kind or a lookup, never neither
            seen = as_iso(parsed.get(e.seen)) if e.seen else None
            entities[ename] = PlannedEntity(ename, e.kind, _properties(e.properties, parsed), seen)
        links = [
            PlannedLink(
                ln.kind,
                ln.source,
                ln.target,
                _properties(ln.properties, parsed),
                as_iso(parsed.get(ln.seen)) if ln.seen else None,
            )
            for ln in self.spec.links
            if ln.source in entities and ln.target in entities
        ]
        return MappedRow(record_id, grading, entities, links)

    def placeholder(self, kind: str, record_id: str) -> PlannedEntity | None:
        """The ``kind`` entity a row with this record id would make, from the id alone; None if the
        id does not identify one (its key needs other columns)."""
        rule = self.spec.record_id
        if not isinstance(rule, FieldValue):
            return None
        column = self.spec.fields[rule.field].column or rule.field
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
            props = _properties(e.properties, parsed)
            if self.schema_key_complete(kind, props):
                return PlannedEntity(ename, kind, props)
        return None

    def schema_key_complete(self, kind: str, props: Mapping[str, Any]) -> bool:
        return self.keys is not None and all(props.get(k) not in (None, "") for k in self.keys.get(kind, ("?",)))

    def _record_id(self, parsed: Mapping[str, Any], row_number: int) -> str:
        if self.spec.record_id is None:
            return f"row-{row_number}"
        value = self.spec.record_id.apply(parsed)
        return str(value) if value not in (None, "") else f"row-{row_number}"

    def _parser(self, f: FieldSpec) -> Parser:
        base = FIELD_TYPES[f.type].parser(f, self.today)
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


def _properties(rules: Mapping[str, PropertyRule], parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The properties the rules make from the parsed fields, those with no value left out."""
    return {p: v for p, rule in rules.items() if (v := rule.apply(parsed)) not in BLANK}


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


__all__ = ["MappedRow", "PlannedEntity", "PlannedLink", "Problem", "RowMapper"]
