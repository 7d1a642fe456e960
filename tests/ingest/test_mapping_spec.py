"""Mapping specs: property rules read once into typed rules, one registry of field types declared
over the schema's types, and one root for ingest's errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from graph.schema import PropertyType, load_schema
from ingest.errors import IngestError
from ingest.mapping import FIELD_TYPES, FieldType, InvalidMapping, load_spec, load_specs
from ingest.mapping.rules import Const, FieldValue, First, Join, Template, parse_rule
from ingest.pipeline import IngestError as PipelineIngestError
from ingest.readers import ReaderError

SCHEMA = load_schema()


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_way_of_writing_a_property_is_read_once_into_its_own_rule() -> None:
    person = load_specs(SCHEMA)["police_nominals"].entities["person"].properties
    assert person["ref"] == Template("police:{nominal_id}", ("nominal_id",))
    assert person["full_name"] == Join(("forenames", "surname"))
    assert person["given_name"] == FieldValue("forenames")
    assert parse_rule({"const": "residential"}) == Const("residential")
    assert parse_rule({"first": ["a", "b"]}).apply({"a": "", "b": "B"}) == "B"
    assert First(("a", "b")).fields == ("a", "b")


def test_a_property_written_in_no_known_shape_fails_at_once_saying_where(tmp_path: Path) -> None:
    path = _spec(
        tmp_path, "source: s\nfields: {a: {}}\nentities: {p: {kind: Person, properties: {ref: {glue: [a]}}}}\n"
    )
    with pytest.raises(InvalidMapping) as info:
        load_spec(path, schema=SCHEMA)
    assert str(info.value) == (
        f"{path}: entities.p.properties.ref: a property is a field name, {{template: '...'}}, {{const: value}}, "
        "{first: [fields]} or {join: [fields]}"
    )


def test_every_field_type_a_spec_may_name_is_in_the_registry_with_a_schema_type() -> None:
    assert set(FIELD_TYPES) == set(get_args(FieldType))
    stored = {k.stores_as for k in FIELD_TYPES.values()} - {None}
    assert stored <= set(get_args(PropertyType))


@pytest.mark.parametrize(
    ("field", "prop", "holds"),
    [
        ("{type: date, formats: [iso]}", "latitude", "date values (date), which a number property cannot hold"),
        ("{type: number}", "ward", "number values (number), which a string property cannot hold"),
        ("{type: list}", "place_type", "list values (strings), which a string property cannot hold"),
    ],
)
def test_a_field_mapped_to_a_property_that_cannot_hold_its_values_fails_when_the_spec_loads(
    tmp_path: Path, field: str, prop: str, holds: str
) -> None:
    path = _spec(
        tmp_path,
        f"source: s\nfields: {{a: {{}}, p: {{}}, x: {field}}}\n"
        f"entities: {{home: {{kind: Location, properties: {{address: a, postcode: p, {prop}: x}}}}}}\n",
    )
    with pytest.raises(InvalidMapping, match=re.escape(f"entities.home.properties.{prop}: field 'x' holds {holds}")):
        load_spec(path, schema=SCHEMA)


def test_a_field_whose_values_a_property_can_hold_loads(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        "source: s\nfields: {a: {}, p: {type: postcode}, n: {type: integer}, d: {}}\n"
        "entities: {home: {kind: Location, properties: {address: a, postcode: p, latitude: n}},\n"
        "           person: {kind: Person, properties: {ref: a, date_of_birth: d}}}\n",
    )
    assert load_spec(path, schema=SCHEMA).source == "s"  # a whole number is a number; ISO text may be a date


def test_ingest_has_one_root_for_its_errors() -> None:
    assert issubclass(InvalidMapping, IngestError) and issubclass(ReaderError, IngestError)
    assert PipelineIngestError is IngestError
    assert ReaderError("a.csv: empty", line=3).line == 3
