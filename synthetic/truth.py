"""The ground truth file: who is behind each record, the planted groups, hotspots and links."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from geodata.district import to_lat, to_lon
from synthetic import noise
from synthetic.files import BAD_ROW_RATE, Export
from synthetic.world import TODAY, World


def person_id(p: int) -> str:
    """The truth's id of a person: ``T`` and seven digits."""
    return f"T{p:07d}"


def make_truth(
    world: World,
    premises_ids: Sequence[str],
    nominals_of: dict[int, list[str]],
    care_of: dict[int, str],
    exports: list[Export],
) -> dict[str, Any]:
    district = world.district
    groups: list[dict[str, Any]] = []
    linked_business: set[str] = set()
    linked_vehicles: set[str] = set()
    linked_licences: set[str] = set()

    def business_key(b: int) -> dict[str, str]:
        business = world.businesses[b]
        key = {"name": business.name, "kind": business.kind, "postcode": district.postcode[business.postcode]}
        if business.kind == "taxi_operator":
            key["operator_licence"] = business.operator_licence or ""
        else:
            key["premises_id"] = premises_ids[b]
            if business.premises_licence:
                key["premises_licence"] = business.premises_licence
        return key

    for g, group in enumerate(world.groups):
        premises = [business_key(b) for b in group.premises]
        licences = []
        for d in group.drivers:
            driver = world.drivers[d]
            licences += [driver.licence, world.vehicles[driver.vehicle].plate or ""]
        for b in group.premises:
            business = world.businesses[b]
            licences += [x for x in (business.operator_licence, business.premises_licence) if x]
        vrms = [world.vehicles[v].vrm for v in group.vehicles]
        linked_business.update(p.get("premises_id") or p["operator_licence"] for p in premises)
        linked_vehicles.update(vrms)
        linked_licences.update(licences)
        groups.append(
            {
                "id": f"G{g + 1:03d}",
                "members": [{"person": person_id(p), "role": r} for p, r in group.members],
                "victims": [person_id(v) for v in group.victims],
                "premises": premises,
                "vehicles": vrms,
                "phones": group.phones,
                "licences": licences,
                "hotspot": group.hotspot,
            }
        )
    hotspots = []
    for h in district.hotspots:
        inside = np.flatnonzero(h.contains(district.x, district.y))
        hotspots.append(
            {
                "name": h.name,
                "latitude": float(to_lat(h.y)),
                "longitude": float(to_lon(h.x)),
                "radius_m": h.radius_m,
                "postcodes": [district.postcode[int(i)] for i in inside],
            }
        )
    bad = [row for e in exports for row in e.bad]
    registered = {r.person for r in world.register}
    cross_agency = _cross_agency(world, nominals_of, care_of)
    return {
        "seed": world.seed,
        "people": world.n_people,
        "today": TODAY.isoformat(),
        "district": district.name,
        "neighbour_authority": district.neighbour,
        "noise_rates": noise.NOISE_RATES,
        "bad_row_rate": BAD_ROW_RATE,
        "groups": groups,
        "organisers": sorted({m["person"] for g in groups for m in g["members"] if m["role"] == "organiser"}),
        "victims": sorted({v for g in groups for v in g["victims"]}),
        "hotspots": hotspots,
        "exploitation_linked": {
            "businesses": sorted(linked_business),
            "vehicles": sorted(linked_vehicles),
            "licences": sorted(linked_licences),
        },
        "national_register_matches": sorted(d.licence for d in world.drivers if d.person in registered),
        "cross_agency": cross_agency,
        "bad_rows": bad,
        "files": {e.path: {"source": e.source, "rows": len(e.rows), "bad_rows": len(e.bad)} for e in exports},
    }


# Every planted defect makes the ingest set its row aside (a required value missing, a date that is
# impossible or in the future, a malformed code, an unknown value, a reference that is not one),
# except an exact duplicate: that copy is set aside and the row it repeats loads.
LOADS_ANYWAY = frozenset({"exact_duplicate"})


def _meant_rows(export: Export) -> tuple[list[list[Any]], list[bool]]:
    """The rows the agency meant to export (planted duplicate copies left out), and whether each loads."""
    duplicates = sorted(b["row"] - 2 for b in export.bad if b["defect"] == "exact_duplicate")  # header is row 1
    copies = set(duplicates)
    meant = [row for k, row in enumerate(export.rows) if k not in copies]
    loads = [True] * len(meant)
    for b in export.bad:
        if b["defect"] not in LOADS_ANYWAY:
            at = b["row"] - 2
            loads[at - sum(1 for d in duplicates if d < at)] = False
    return meant, loads


def loaded_keys(export: Export, column: str | None = None) -> set[str]:
    """The values of a column (the record id by default) in the rows of an export the ingest loads."""
    meant, loads = _meant_rows(export)
    at = export.columns.index(column or export.key)
    return {str(row[at]) for row, ok in zip(meant, loads, strict=True) if ok and row[at] not in (None, "")}


# The files that describe each kind of event, and the column naming it: an event named only by a
# file of people or subjects (its own row set aside) is still loaded, as a placeholder.
_EVENTS_NAMED_BY = {
    "Incident": (
        ("police_occurrences", "occurrence_ref"),
        ("police_occurrence_people", "occurrence_ref"),
        ("police_occurrence_vehicles", "occurrence_ref"),
    ),
    "Intelligence": (("police_intelligence", "intel_ref"), ("police_intelligence_subjects", "intel_ref")),
    "Referral": (("care_children", "child_id"),),
    "Sighting": (("anpr_reads", "read_id"),),
}


def distinct_counts(
    world: World,
    nominals_of: dict[int, list[str]],
    care_of: dict[int, str],
    exports: list[Export],
    variations: dict[str, dict[str, list[str]]],
) -> dict[str, Any]:
    """How many missing episodes and return interviews the loaded files describe, and of children,
    each real one counted once however many agencies' rows record it.

    An episode is described when its police report or its return interview loads; an interview
    counts when its row loads. Children are people under 18 on the world's today. Their counts are
    given twice: for every child, and for the children whose loaded records give a date of birth
    (the police may not record one, and a child no loaded record dates cannot be known to be a
    child). Monthly counts are by the month reported missing (an interview records that day too)
    and the month an interview was held, as management information shows them.
    """
    by_source = {e.source: e for e in exports}
    police = _meant_rows(by_source["police_missing"])[1]
    interviewed = [i for i, m in enumerate(world.missing) if m.interview is not None and m.person in care_of]
    interview_loads = dict(zip(interviewed, _meant_rows(by_source["care_return_interviews"])[1], strict=True))
    episodes = [i for i in range(len(world.missing)) if police[i] or interview_loads.get(i, False)]
    interviews = {i for i in episodes if interview_loads.get(i, False)}
    of_children = [i for i in episodes if _age_on_today(world, world.missing[i].person) < 18]
    nominals = loaded_keys(by_source["police_nominals"])
    care = loaded_keys(by_source["care_children"])
    undated = variations.get(by_source["police_nominals"].path, {})

    def dated(person: int) -> bool:
        return care_of.get(person) in care or any(
            n in nominals and "dob_missing" not in undated.get(n, []) for n in nominals_of.get(person, [])
        )

    events = {
        kind: len(set().union(*(loaded_keys(by_source[src], column) for src, column in named if src in by_source)))
        for kind, named in _EVENTS_NAMED_BY.items()
    }
    return {
        "missing_episodes": len(episodes),
        "return_interviews": len(interviews),
        "events": {"MissingEpisode": len(episodes), **events},
        "children": _children_counts(world, of_children, interviews),
        "children_dated_by_their_records": _children_counts(
            world, [i for i in of_children if dated(world.missing[i].person)], interviews
        ),
    }


def _children_counts(world: World, episodes: list[int], interviews: set[int]) -> dict[str, Any]:
    by_month: dict[str, int] = {}
    interviews_by_month: dict[str, int] = {}
    missing_in: set[tuple[int, str]] = set()
    for i in episodes:
        m = world.missing[i]
        month = m.reported.strftime("%Y-%m")
        by_month[month] = by_month.get(month, 0) + 1
        missing_in.add((m.person, month))
        if m.interview is not None and i in interviews:
            held = m.interview.strftime("%Y-%m")
            interviews_by_month[held] = interviews_by_month.get(held, 0) + 1
    return {
        "with_episodes": len({world.missing[i].person for i in episodes}),
        "missing_episodes": len(episodes),
        "return_interviews": sum(interviews_by_month.values()),
        "missing_episodes_by_month": dict(sorted(by_month.items())),
        "return_interviews_by_month": dict(sorted(interviews_by_month.items())),
        "children_missing_by_month": dict(sorted(Counter(month for _, month in missing_in).items())),
    }


def _age_on_today(world: World, person: int) -> int:
    born = dt.date.fromisoformat(str(world.dob[person]))
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def _cross_agency(world: World, nominals_of: dict[int, list[str]], care_of: dict[int, str]) -> dict[str, int]:
    """How many people appear in more than one agency's person files, and in more than one record."""
    drivers = {d.person for d in world.drivers}
    register = {r.person for r in world.register}
    agencies: dict[int, int] = {}
    for people in (set(nominals_of), set(care_of), drivers | register):
        for p in people:
            agencies[p] = agencies.get(p, 0) + 1
    return {
        "people_in_any_file": len(agencies),
        "people_in_two_or_more_agencies": sum(1 for n in agencies.values() if n >= 2),
        "police_people_with_two_nominals": sum(1 for ids in nominals_of.values() if len(ids) > 1),
    }
