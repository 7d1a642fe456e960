from __future__ import annotations

import pytest

from graph import InvalidRecord, Provenance, SchemaError, load_schema, make_id, new_entity, new_link
from graph.schema import parse_schema

P = Provenance("test", "r1", "2026-01-01T00:00:00+00:00")
POLE_KINDS = {
    "Person",
    "Vehicle",
    "Phone",
    "Licence",
    "Location",
    "Business",
    "Incident",
    "MissingEpisode",
    "Intelligence",
    "Sighting",
    "LicensingDecision",
    "DisruptionAction",
}


def test_the_shipped_schema_declares_the_pole_kinds() -> None:
    schema = load_schema()
    assert set(schema.entities) >= POLE_KINDS
    assert schema.entities["Licence"].key == ("authority", "number")
    assert set(schema.entities["Licence"].properties["status"].values) >= {
        "active",
        "suspended",
        "revoked",
        "refused",
        "expired",
    }
    assert schema.links["PARTY_TO"].allows("Person", "Incident")
    assert not schema.links["PARTY_TO"].allows("Vehicle", "Incident")
    assert schema.links["RELATED_TO"].allows("Other", "Person")
    assert schema.entities["Intelligence"].properties["text"].sensitive


@pytest.mark.parametrize(
    ("kind", "props", "where", "reason"),
    [
        ("Person", {"ref": "P1", "shoe_size": 9}, "Person.shoe_size", "not a property of Person"),
        ("Person", {"ref": "P1", "date_of_birth": "31/02/2010"}, "Person.date_of_birth", "real date"),
        ("Person", {"ref": "P1", "date_of_birth": "2010-02-31"}, "Person.date_of_birth", "real date"),
        ("Person", {"full_name": "No Key"}, "Person.ref", "identifying property is missing"),
        ("Person", {"ref": ""}, "Person.ref", "identifying property is missing"),
        ("Person", {"ref": 12}, "Person.ref", "expected text"),
        ("Person", {"ref": "P1", "aliases": "one"}, "Person.aliases", "list of text"),
        ("Licence", {"authority": "X", "number": "1", "status": "lapsed"}, "Licence.status", "one of active"),
        (
            "Location",
            {"address": "1 Road", "postcode": "ZZ1 1AA", "latitude": float("nan")},
            "Location.latitude",
            "finite number",
        ),
        ("Referral", {"reference": "R1", "looked_after": "yes"}, "Referral.looked_after", "true or false"),
        ("Spaceship", {"ref": "x"}, "Spaceship", "unknown entity kind"),
    ],
)
def test_validation_errors_name_kind_property_and_value(kind: str, props: dict, where: str, reason: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        new_entity(kind, props, provenance=P)
    message = str(caught.value)
    assert message.startswith(where) and reason in message
    assert caught.value.kind == kind


def test_values_are_normalised_to_their_stored_form() -> None:
    import datetime as dt

    e = new_entity(
        "Incident",
        {"reference": "INC-1", "occurred_at": dt.datetime(2026, 3, 1, 22, 15), "exploitation_flag": True},
        provenance=P,
    )
    assert e.properties["occurred_at"] == "2026-03-01T22:15:00"
    loc = new_entity("Location", {"address": "1 Road", "postcode": "ZZ1 1AA", "latitude": 54}, provenance=P)
    assert loc.properties["latitude"] == 54.0 and isinstance(loc.properties["latitude"], float)


def test_open_kinds_keep_undeclared_properties() -> None:
    e = new_entity("Other", {"ref": "x1", "labels": ["Gang"], "colour": "red", "size": 3}, provenance=P)
    assert e.properties == {"ref": "x1", "labels": ["Gang"], "colour": "red", "size": 3}
    with pytest.raises(InvalidRecord, match=r"Other\.blob"):
        new_entity("Other", {"ref": "x1", "blob": {"nested": 1}}, provenance=P)


def test_ids_come_from_identifying_keys_only() -> None:
    a = new_entity("Vehicle", {"vrm": "AB12CDE", "colour": "red"}, provenance=P)
    b = new_entity("Vehicle", {"vrm": " ab12cde", "colour": "blue"}, provenance=Provenance("x", "y", "2026-02-02"))
    c = new_entity("Vehicle", {"vrm": "AB12CDF"}, provenance=P)
    assert a.id == b.id != c.id
    assert make_id("Licence", "Northmoor", "D123") != make_id("Licence", "Southmoor", "D123")
    # parts cannot run together: ("ab", "c") is not ("a", "bc")
    assert make_id("Licence", "ab", "c") != make_id("Licence", "a", "bc")
    with pytest.raises(ValueError):
        make_id("Vehicle", "")


def test_link_ids_depend_on_kind_ends_and_key_properties() -> None:
    p = new_entity("Person", {"ref": "P"}, provenance=P)
    v = new_entity("Vehicle", {"vrm": "V1"}, provenance=P)
    driver = new_link("USES_VEHICLE", p.id, v.id, {"role": "driver"}, provenance=P)
    passenger = new_link("USES_VEHICLE", p.id, v.id, {"role": "passenger"}, provenance=P)
    again = new_link("USES_VEHICLE", p.id, v.id, {"role": "driver"}, provenance=P)
    assert driver.id == again.id != passenger.id
    with pytest.raises(InvalidRecord, match="itself"):
        new_link("ASSOCIATE_OF", p.id, p.id, provenance=P)
    with pytest.raises(InvalidRecord, match="no source"):
        new_link("ASSOCIATE_OF", p.id, "person-other", provenance=[])
    with pytest.raises(InvalidRecord, match=r"USES_VEHICLE\.role"):
        new_link("USES_VEHICLE", p.id, v.id, {"role": "pilot"}, provenance=P)


def test_a_malformed_schema_fails_with_the_reason() -> None:
    with pytest.raises(SchemaError, match="undeclared property 'vrm'"):
        parse_schema({"entities": {"Vehicle": {"key": ["vrm"], "properties": {}}}, "links": {}})
    with pytest.raises(SchemaError, match="known entity kinds"):
        parse_schema(
            {
                "entities": {"A": {"key": ["k"], "properties": {"k": {"type": "string"}}}},
                "links": {"L": {"from": ["A"], "to": ["B"]}},
            }
        )
    with pytest.raises(SchemaError, match="'type' must be one of"):
        parse_schema({"entities": {"A": {"key": ["k"], "properties": {"k": {"type": "blob"}}}}, "links": {}})


def test_a_label_never_says_a_part_twice() -> None:
    """A place known only by its postcode read "ZZ15 1AL ZZ15 1AL" in the network (75 such places on
    the seed-1 world); an address that already ends in its postcode does not repeat it either."""
    prov = Provenance("premises", "P-1", "2026-01-01T00:00:00+00:00")
    only_postcode = new_entity("Location", {"address": "ZZ15 1AL", "postcode": "ZZ15 1AL"}, provenance=prov)
    full = new_entity("Location", {"address": "14 Pellham Way ZZ15 7UD", "postcode": "ZZ15 7UD"}, provenance=prov)
    street = new_entity("Location", {"address": "14 Pellham Way", "postcode": "ZZ15 7UD"}, provenance=prov)
    assert (only_postcode.label, full.label, street.label) == (
        "ZZ15 1AL",
        "14 Pellham Way ZZ15 7UD",
        "14 Pellham Way ZZ15 7UD",
    )
