"""A neo4j-admin import bundle in the layout of Neo4j's POLE example model, made up here (every
name, number, plate and place is fictional: ZZ postcodes, Ofcom's drama phone range).

It holds a few hundred nodes of every label of the model (Person, Crime, Location, Vehicle, Phone,
Email, Officer, Area, PostCode, PhoneCall, Object) and relationships of every type (the KNOWS family,
FAMILY_REL, PARTY_TO, INVOLVED_IN, CURRENT_ADDRESS, HAS_PHONE, OCCURRED_AT ...), with two flaws an
import must survive: one crime's date is not a real date, and two places share an address string and
postcode but not their coordinates. :class:`Pole` records what was written, to check against.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GIVEN = ["Arlo", "Bexa", "Corin", "Dace", "Elvy", "Fenn", "Gisla", "Hobb", "Ivo", "Jory", "Kesta", "Lomen"]
FAMILY = ["Quarrow", "Tindle", "Vexley", "Wrandle", "Yarrick", "Zelbury", "Ossant", "Pellow", "Rudge", "Sallow"]
STREETS = ["Testbury Row", "Nulling Lane", "Fictive Street", "Mockham Road"]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # letters a real inward code may use
KNOWS_TYPES = ("KNOWS", "KNOWS_LW", "KNOWS_SN", "KNOWS_PHONE")


@dataclass
class Pole:
    folder: Path
    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # label -> id -> properties
    # (type, "Label:id" of the start, "Label:id" of the end, file name, properties)
    relationships: list[tuple[str, str, str, str, dict[str, Any]]] = field(default_factory=list)
    bad_crime: str = ""
    bad_line: int = 0
    twin_places: tuple[str, str] = ("", "")
    files: dict[str, str] = field(default_factory=dict)  # label or type -> file name
    id_property: dict[str, str] = field(default_factory=dict)  # label -> the property its :ID column names

    def rows(self) -> int:
        return sum(len(v) for v in self.nodes.values()) + len(self.relationships)


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _nodes(pole: Pole, label: str, header: list[str], rows: list[list[Any]], name: str) -> None:
    """Write a node file whose first column is the :ID; record each row's properties by name."""
    _write(pole.folder / name, [*header, ":LABEL"], [[*r, label] for r in rows])
    pole.files[label] = name
    names = [h.split(":")[0] for h in header]
    pole.id_property[label] = names[0]
    held = pole.nodes.setdefault(label, {})
    for r in rows:
        held[str(r[0])] = {n: v for n, v in zip(names, r, strict=True) if n and v not in ("", None)}


def _rels(
    pole: Pole, rel_type: str, start: str, end: str, rows: list[list[Any]], extra: tuple[str, ...] = (), name: str = ""
) -> None:
    name = name or f"rels_{rel_type.lower()}.csv"
    header = [f":START_ID({start})", f":END_ID({end})", ":TYPE", *extra]
    _write(pole.folder / name, header, [[a, b, rel_type, *rest] for a, b, *rest in rows])
    pole.files[rel_type] = name
    for a, b, *rest in rows:
        pole.relationships.append((rel_type, f"{start}:{a}", f"{end}:{b}", name, dict(zip(extra, rest, strict=True))))


def pole_bundle(folder: Path, *, seed: int = 24, people: int = 120) -> Pole:
    """Write the bundle into ``folder`` (made here) and return what it holds."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    pole = Pole(folder)
    person_ids = [f"per{i:03d}" for i in range(people)]
    _nodes(
        pole,
        "Person",
        ["personId:ID(Person)", "name", "surname", "nhs_no", "age:int"],
        [
            [p, GIVEN[i % len(GIVEN)], FAMILY[(i // len(GIVEN)) % len(FAMILY)], f"ZZN{i:06d}", 16 + i % 60]
            for i, p in enumerate(person_ids)
        ],
        "persons.csv",
    )
    areas = [f"ZZ{i}" for i in range(1, 6)]
    postcodes = [f"{a} {n}{INWARD[n]}{INWARD[n + 1]}" for a in areas for n in range(1, 5)]
    _nodes(pole, "Area", ["areaCode:ID(Area)"], [[a] for a in areas], "areas.csv")
    _nodes(pole, "PostCode", ["code:ID(PostCode)"], [[c] for c in postcodes], "postcodes.csv")
    places = [f"loc{i:02d}" for i in range(40)]
    place_rows = [
        [loc, f"{i + 1} {STREETS[i % 4]}", postcodes[i % len(postcodes)], 53.40 + i / 500, -2.20 - i / 500]
        for i, loc in enumerate(places)
    ]
    place_rows[39][1:3] = place_rows[0][1:3]  # loc39 shares loc00's address and postcode, not its coordinates
    pole.twin_places = ("loc00", "loc39")
    _nodes(
        pole, "Location", ["locId:ID(Location)", "address", "postcode", "latitude:double", "longitude:double"],
        place_rows, "locations.csv",
    )  # fmt: skip
    crimes = [f"crm{i:03d}" for i in range(60)]
    crime_rows = [
        [c, f"{1 + i % 28:02d}/08/2017", rng.choice(["Drugs", "Burglary", "Robbery"]), "Under investigation",
         f"note {i}", "" if i % 3 else "Possession"]
        for i, c in enumerate(crimes)
    ]  # fmt: skip
    crime_rows[17][1] = "31/02/2017"  # no such day
    pole.bad_crime, pole.bad_line = crimes[17], 17 + 2  # the header is line 1
    _nodes(pole, "Crime", ["id:ID(Crime)", "date", "type", "last_outcome", "note", "charge"], crime_rows, "crimes.csv")
    vehicles = [f"veh{i:02d}" for i in range(20)]
    _nodes(
        pole,
        "Vehicle",
        ["vehId:ID(Vehicle)", "make", "model", "reg", "year:int"],
        [
            [v, "Zedmobile", "Testa", f"zz{i:02d} x{INWARD[i % 19]}{INWARD[i % 19 + 1]}", 2000 + i]
            for i, v in enumerate(vehicles)
        ],
        "vehicles.csv",
    )
    phones = {p: f"phn{i:03d}" for i, p in enumerate(person_ids)}
    _nodes(
        pole,
        "Phone",
        ["phoneId:ID(Phone)", "phoneNo"],
        [[ph, f"07700 900{i:03d}"] for i, ph in enumerate(phones.values())],
        "phones.csv",
    )
    emails = [f"eml{i:02d}" for i in range(30)]
    _nodes(
        pole,
        "Email",
        ["emailId:ID(Email)", "email_address"],
        [[e, f"user{i}@example.invalid"] for i, e in enumerate(emails)],
        "emails.csv",
    )
    officers = [f"off{i}" for i in range(10)]
    _nodes(
        pole,
        "Officer",
        ["badge_no:ID(Officer)", "name", "surname", "rank"],
        [[o, "Officer", f"Zeddon{i}", "Sergeant"] for i, o in enumerate(officers)],
        "officers.csv",
    )
    calls = [f"cal{i:02d}" for i in range(50)]
    _nodes(
        pole,
        "PhoneCall",
        ["callId:ID(PhoneCall)", "call_date", "call_time", "call_duration:int", "call_type"],
        [[c, "01/08/2017", f"12:{i:02d}", 30 + i, "CALL"] for i, c in enumerate(calls)],
        "phonecalls.csv",
    )
    objects = [f"obj{i:02d}" for i in range(15)]
    _nodes(
        pole,
        "Object",
        ["objId:ID(Object)", "description", "type"],
        [[o, "holdall", "bag"] for o in objects],
        "objects.csv",
    )

    # The KNOWS family: a ring, and on some pairs a second and third subtype (between the same ends).
    knows: dict[str, list[list[str]]] = {t: [] for t in KNOWS_TYPES}
    for i, a in enumerate(person_ids):
        b = person_ids[(i + 1) % people]
        knows["KNOWS"].append([a, b])
        if i % 5 == 0:
            knows["KNOWS_LW"].append([a, b])
        if i % 7 == 0:
            knows["KNOWS_SN"].append([b, a])  # the other way round: still the same two people
        if i % 11 == 0:
            knows["KNOWS_PHONE"].append([a, person_ids[(i + 3) % people]])
    for rel_type, rows in knows.items():
        _rels(pole, rel_type, "Person", "Person", rows)
    _rels(
        pole, "FAMILY_REL", "Person", "Person",
        [[person_ids[i], person_ids[i + 12], "SIBLING" if i % 4 else "PARENT"] for i in range(0, 24, 2)],
        ("rel_type",),
    )  # fmt: skip
    party = [[rng.choice(person_ids), c] for c in crimes for _ in range(2)]
    _rels(pole, "PARTY_TO", "Person", "Crime", [list(r) for r in {tuple(r) for r in party}])
    _rels(pole, "CURRENT_ADDRESS", "Person", "Location", [[p, places[i % 39]] for i, p in enumerate(person_ids)])
    _rels(pole, "HAS_PHONE", "Person", "Phone", [[p, ph] for p, ph in phones.items()])
    _rels(pole, "HAS_EMAIL", "Person", "Email", [[person_ids[i * 4], e] for i, e in enumerate(emails)])
    _rels(pole, "OCCURRED_AT", "Crime", "Location", [[c, places[i % 40]] for i, c in enumerate(crimes)])
    _rels(pole, "INVESTIGATED_BY", "Crime", "Officer", [[c, officers[i % 10]] for i, c in enumerate(crimes)])
    _rels(pole, "INVOLVED_IN", "Vehicle", "Crime", [[v, crimes[i * 3]] for i, v in enumerate(vehicles)])
    objects_in = [[o, crimes[i * 4 + 1]] for i, o in enumerate(objects)]
    _rels(pole, "INVOLVED_IN", "Object", "Crime", objects_in, name="rels_involved_in_object.csv")
    _rels(pole, "CALLER", "PhoneCall", "Phone", [[c, phones[person_ids[i]]] for i, c in enumerate(calls)])
    _rels(
        pole, "CALLED", "PhoneCall", "Phone", [[c, phones[person_ids[(i + 5) % people]]] for i, c in enumerate(calls)]
    )
    _rels(
        pole, "HAS_POSTCODE", "Location", "PostCode", [[loc, r[2]] for loc, r in zip(places, place_rows, strict=True)]
    )
    _rels(
        pole,
        "LOCATION_IN_AREA",
        "Location",
        "Area",
        [[loc, r[2].split()[0]] for loc, r in zip(places, place_rows, strict=True)],
    )
    _rels(pole, "POSTCODE_IN_AREA", "PostCode", "Area", [[c, c.split()[0]] for c in postcodes])
    return pole
