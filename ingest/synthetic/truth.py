"""The ground truth file: who is behind each record, the planted groups, hotspots and links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from geodata.district import to_lat, to_lon
from ingest.synthetic import noise
from ingest.synthetic.files import BAD_ROW_RATE, Export
from ingest.synthetic.world import TODAY, World


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
