"""Render a synthetic world into the files partner agencies would export, plus the ground truth.

Each agency has its own ids, column names, date formats, encodings and delimiters; the same person
appears in several agencies' files with realistic variation (see :mod:`synthetic.noise`);
about one row in a hundred is simply bad, and every bad row is listed in the truth file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from geodata.district import wards_geojson
from synthetic import noise
from synthetic.files import Export, format_date, plant_bad_rows, write_export
from synthetic.truth import distinct_counts, make_truth, person_id
from synthetic.world import World

log = logging.getLogger(__name__)

# -- building the exports --------------------------------------------------------------------------


class _Ids:
    """Unique, random-looking record ids per agency, from the world's generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def make(self, prefix: str, count: int, digits: int) -> list[str]:
        numbers = self.rng.choice(10**digits - 10 ** (digits - 1), size=count, replace=False) + 10 ** (digits - 1)
        return [f"{prefix}{n}" for n in numbers]


class _Scribe:
    """Writes one world's exports: holds the generator, the ids handed out, and the truth so far."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.district = world.district
        self.rng = np.random.default_rng([world.seed, 10])
        self.ids = _Ids(self.rng)
        self.truth: dict[str, Any] = {"records": {}, "variations": {}}
        self.exports: list[Export] = []
        self.premises_ids: list[str] = []
        self.nominals_of: dict[int, list[str]] = {}
        self.care_of: dict[int, str] = {}
        self.mp_refs: list[str] = []

    def person_record(self, p: int, *, dob_may_be_missing: bool = True) -> noise.PersonView:
        old = self.world.address(p, previous=True) if self.world.prev_postcode[p] >= 0 else None
        return noise.vary_person(
            self.rng,
            self.world.given[p],
            self.world.family[p],
            self.world.dob[p].astype(dt.date),
            self.world.address(p),
            old,
            dob_may_be_missing=dob_may_be_missing,
        )

    def pc(self, i: int | None) -> str:
        return "" if i is None else noise.messy_postcode(self.rng, self.district.postcode[i])

    def note(self, path: str, record_id: str, person: int, view: noise.PersonView | None) -> None:
        self.truth["records"].setdefault(path, {})[record_id] = person_id(person)
        if view is not None and view.variations:
            self.truth["variations"].setdefault(path, {})[record_id] = view.variations

    def nominal(self, p: int) -> str:
        options = self.nominals_of[p]
        return options[int(self.rng.integers(0, len(options)))]

    def business_ref(self, b: int) -> tuple[str, str]:
        business = self.world.businesses[b]
        if business.kind == "taxi_operator":
            return "OPERATOR", business.operator_licence or ""
        return "PREMISES", self.premises_ids[b]

    def police(self) -> None:
        """Nominals (some people have two), associations, occurrences, intelligence, missing persons."""
        police_people = sorted(
            {p for o in self.world.occurrences for p, _ in o.persons}
            | {p for i in self.world.intel for p in i.persons}
            | {m.person for m in self.world.missing}
            | {p for m in self.world.missing for p in m.found_with}
            | {p for a in self.world.associations for p in a[:2]}
            | {p for g in self.world.groups for p, _ in g.members}
            | {v for g in self.world.groups for v in g.victims}
        )
        duplicated = {p for p in police_people if self.rng.random() < 0.04}
        nominal_ids = self.ids.make("PN", len(police_people) + len(duplicated), 7)
        nominals = Export(
            "police/nominals.csv",
            "police_nominals",
            ["nominal_id", "surname", "forenames", "dob", "sex", "ethnicity", "address", "postcode", "phone"],
            key="nominal_id",
            encoding="utf-8-sig",
            date_columns={"dob": "uk"},
            postcode_columns=("postcode",),
            phone_columns=("phone",),
            enum_columns=("sex",),
            name_columns=("surname",),
        )
        sex_code = {"F": "F", "M": "M", "X": "U"}
        next_id = iter(nominal_ids)
        for p in police_people:
            for _ in range(2 if p in duplicated else 1):
                rid = next(next_id)
                view = self.person_record(p)
                phone = self.world.phone[p] if self.world.phone[p] and self.rng.random() < 0.6 else None
                nominals.rows.append(
                    [
                        rid,
                        view.family.upper() if self.rng.random() < 0.5 else view.family,
                        view.given,
                        format_date("uk", view.dob),
                        sex_code[str(self.world.gender[p])],
                        str(self.world.ethnicity[p]),
                        view.address,
                        self.pc(view.postcode),
                        noise.messy_phone(self.rng, phone) if phone else "",
                    ]
                )
                self.nominals_of.setdefault(p, []).append(rid)
                self.note(nominals.path, rid, p, view)
        self.exports.append(nominals)

        assoc = Export(
            "police/associations.csv",
            "police_associations",
            ["nominal_id_1", "nominal_id_2", "association_type", "recorded_date"],
            key="nominal_id_1",
            date_columns={"recorded_date": "uk"},
            reference_columns=("nominal_id_1", "nominal_id_2"),
        )
        for a, b, kind, day in self.world.associations:
            assoc.rows.append([self.nominal(a), self.nominal(b), kind, format_date("uk", day)])
        self.exports.append(assoc)

        occ_refs = self.ids.make("OC/", len(self.world.occurrences), 8)
        occ = Export(
            "police/occurrences.csv",
            "police_occurrences",
            [
                "occurrence_ref",
                "reported_datetime",
                "offence_category",
                "location_address",
                "location_postcode",
                "summary",
            ],
            key="occurrence_ref",
            encoding="utf-8-sig",
            date_columns={"reported_datetime": "uk_time"},
            postcode_columns=("location_postcode",),
        )
        occ_people = Export(
            "police/occurrence_people.csv",
            "police_occurrence_people",
            ["occurrence_ref", "nominal_id", "involvement"],
            key="occurrence_ref",
            enum_columns=("involvement",),
            reference_columns=("nominal_id",),
        )
        occ_vehicles = Export(
            "police/occurrence_vehicles.csv",
            "police_occurrence_vehicles",
            ["occurrence_ref", "vrm", "involvement"],
            key="occurrence_ref",
            vrm_columns=("vrm",),
        )
        for ref, o in zip(occ_refs, self.world.occurrences, strict=True):
            occ.rows.append(
                [
                    ref,
                    format_date("uk_time", o.when),
                    o.category,
                    f"near {self.district.street[o.postcode]}",
                    self.pc(o.postcode),
                    f"Report of {o.category}.",
                ]
            )
            for p, role in o.persons:
                occ_people.rows.append([ref, self.nominal(p), role.capitalize()])
            for v in o.vehicles:
                occ_vehicles.rows.append([ref, noise.messy_vrm(self.rng, self.world.vehicles[v].vrm), "Involved"])
        self.exports += [occ, occ_people, occ_vehicles]

        self.premises_ids = self.ids.make("PR", len(self.world.businesses), 5)

        intel_refs = self.ids.make("IR-", len(self.world.intel), 7)
        intel = Export(
            "police/intelligence.csv",
            "police_intelligence",
            [
                "intel_ref",
                "recorded",
                "source_eval",
                "intel_assessment",
                "handling_code",
                "topic",
                "location_postcode",
                "report_text",
            ],
            key="intel_ref",
            date_columns={"recorded": "uk_time"},
            postcode_columns=("location_postcode",),
            enum_columns=("source_eval", "intel_assessment"),
        )
        subjects = Export(
            "police/intelligence_subjects.csv",
            "police_intelligence_subjects",
            ["intel_ref", "subject_type", "subject_ref"],
            key="intel_ref",
            enum_columns=("subject_type",),
        )
        for ref, i in zip(intel_refs, self.world.intel, strict=True):
            intel.rows.append(
                [
                    ref,
                    format_date("uk_time", i.when),
                    i.grading[0],
                    i.grading[1],
                    i.grading[2],
                    i.topic,
                    self.pc(i.postcode),
                    f"Information received regarding {i.topic}.",
                ]
            )
            subjects.rows.extend([ref, "PERSON", self.nominal(p)] for p in i.persons)
            subjects.rows.extend(
                [ref, "VEHICLE", noise.messy_vrm(self.rng, self.world.vehicles[v].vrm)] for v in i.vehicles
            )
            subjects.rows.extend([ref, "PHONE", noise.messy_phone(self.rng, n)] for n in i.phones)
            subjects.rows.extend([ref, *self.business_ref(b)] for b in i.businesses)
        self.exports += [intel, subjects]

        self.mp_refs = self.ids.make("MP", len(self.world.missing), 6)
        missing = Export(
            "police/missing_persons.csv",
            "police_missing",
            ["mp_ref", "nominal_id", "reported_missing", "returned", "found_address", "found_postcode", "found_with"],
            key="mp_ref",
            date_columns={"reported_missing": "uk_time", "returned": "uk_time"},
            postcode_columns=("found_postcode",),
            reference_columns=("nominal_id",),
        )
        for ref, m in zip(self.mp_refs, self.world.missing, strict=True):
            where = (
                f"{self.world.businesses[m.found_business].name}, {self.district.street[m.found_postcode]}"
                if (m.found_business is not None)
                else f"{self.district.street[m.found_postcode]}"
            )
            missing.rows.append(
                [
                    ref,
                    self.nominal(m.person),
                    format_date("uk_time", m.reported),
                    format_date("uk_time", m.returned),
                    where,
                    self.pc(m.found_postcode),
                    ";".join(self.nominal(p) for p in m.found_with),
                ]
            )
        self.exports.append(missing)

    def care(self) -> None:
        """Children known to social care (an Excel workbook) and return interviews."""
        child_ids = self.ids.make("CS-", len(self.world.care), 6)
        self.care_of = {c.person: cid for cid, c in zip(child_ids, self.world.care, strict=True)}
        children = Export(
            "care/children.xlsx",
            "care_children",
            [
                "child_id",
                "first_name",
                "last_name",
                "date_of_birth",
                "gender",
                "ethnicity",
                "address",
                "postcode",
                "risk_level",
                "looked_after",
                "referral_source",
                "referral_date",
                "closure_date",
            ],
            key="child_id",
            date_columns={"date_of_birth": "excel", "referral_date": "excel", "closure_date": "excel"},
            postcode_columns=("postcode",),
            enum_columns=("risk_level", "looked_after"),
            name_columns=("last_name",),
        )
        gender_word = {"F": "Female", "M": "Male", "X": "Other"}
        for cid, c in zip(child_ids, self.world.care, strict=True):
            view = self.person_record(c.person, dob_may_be_missing=False)
            children.rows.append(
                [
                    cid,
                    view.given,
                    view.family,
                    format_date("excel", view.dob),
                    gender_word[str(self.world.gender[c.person])],
                    str(self.world.ethnicity[c.person]),
                    view.address,
                    self.pc(view.postcode),
                    c.risk.capitalize(),
                    "Y" if c.looked_after else "N",
                    c.source,
                    format_date("excel", c.referred),
                    format_date("excel", c.closed) if c.closed else None,
                ]
            )
            self.note(children.path, cid, c.person, view)
        self.exports.append(children)

        interviews = Export(
            "care/return_interviews.csv",
            "care_return_interviews",
            [
                "interview_id",
                "child_id",
                "police_ref",
                "missing_date",
                "interview_date",
                "push_factors",
                "pull_factors",
            ],
            key="interview_id",
            date_columns={"missing_date": "mon", "interview_date": "mon"},
            reference_columns=("child_id",),
        )
        ri_count = 0
        for ref, m in zip(self.mp_refs, self.world.missing, strict=True):
            if m.interview is None or m.person not in self.care_of:
                continue
            ri_count += 1
            interviews.rows.append(
                [
                    f"RI{ri_count:06d}",
                    self.care_of[m.person],
                    ref if self.rng.random() < 0.8 else "",
                    format_date("mon", m.reported),
                    format_date("mon", m.interview),
                    "; ".join(m.push),
                    "; ".join(m.pull),
                ]
            )
        self.exports.append(interviews)

    def licensing(self) -> None:
        """Drivers, vehicles, operators, licence history and the national register extract."""
        drivers = Export(
            "licensing/drivers.csv",
            "licensing_drivers",
            [
                "licence_no",
                "licensing_authority",
                "surname",
                "forenames",
                "date_of_birth",
                "address",
                "postcode",
                "mobile",
                "licence_status",
                "issue_date",
                "expiry_date",
                "safeguarding_training_date",
                "operator_licence_no",
                "vehicle_plate",
            ],
            key="licence_no",
            delimiter=";",
            encoding="cp1252",
            date_columns={
                "date_of_birth": "iso",
                "issue_date": "iso",
                "expiry_date": "iso",
                "safeguarding_training_date": "iso",
            },
            postcode_columns=("postcode",),
            phone_columns=("mobile",),
            enum_columns=("licence_status",),
            name_columns=("surname",),
        )
        vehicles = Export(
            "licensing/vehicles.csv",
            "licensing_vehicles",
            ["plate_no", "vrm", "make", "colour", "proprietor_licence_no", "status"],
            key="plate_no",
            delimiter=";",
            encoding="cp1252",
            vrm_columns=("vrm",),
            enum_columns=("status",),
        )
        history = Export(
            "licensing/licence_history.csv",
            "licensing_history",
            ["licence_no", "event_date", "event", "note"],
            key="licence_no",
            delimiter=";",
            encoding="cp1252",
            date_columns={"event_date": "iso"},
            enum_columns=("event",),
        )
        for d in self.world.drivers:
            view = self.person_record(d.person)
            phone = self.world.phone[d.person]
            operator = self.world.businesses[d.operator].operator_licence
            vehicle = self.world.vehicles[d.vehicle]
            drivers.rows.append(
                [
                    d.licence,
                    d.authority,
                    view.family,
                    view.given,
                    format_date("iso", view.dob),
                    view.address,
                    self.pc(view.postcode),
                    noise.messy_phone(self.rng, phone) if phone else "",
                    d.status.capitalize(),
                    format_date("iso", d.issued),
                    format_date("iso", d.expires),
                    format_date("iso", d.trained),
                    operator,
                    vehicle.plate,
                ]
            )
            self.note(drivers.path, d.licence, d.person, view)
            vehicles.rows.append(
                [
                    vehicle.plate,
                    noise.messy_vrm(self.rng, vehicle.vrm),
                    vehicle.make,
                    vehicle.colour,
                    d.licence,
                    "Active" if d.status == "active" else d.status.capitalize(),
                ]
            )
            history.rows.append([d.licence, format_date("iso", d.issued), "Granted", ""])
            if d.status != "active":
                history.rows.append(
                    [
                        d.licence,
                        format_date("iso", d.issued + dt.timedelta(days=500)),
                        d.status.capitalize(),
                        "See licensing committee minutes",
                    ]
                )
        operators = Export(
            "licensing/operators.csv",
            "licensing_operators",
            ["operator_licence_no", "trading_name", "address", "postcode", "status"],
            key="operator_licence_no",
            delimiter=";",
            encoding="cp1252",
            postcode_columns=("postcode",),
            enum_columns=("status",),
        )
        for b, business in enumerate(self.world.businesses):
            if business.kind == "taxi_operator":
                operators.rows.append(
                    [
                        business.operator_licence,
                        business.name,
                        f"{_business_number(b)} {self.district.street[business.postcode]}",
                        self.pc(business.postcode),
                        "Active",
                    ]
                )
        register = Export(
            "licensing/national_register.csv",
            "licensing_national_register",
            [
                "register_ref",
                "surname",
                "forenames",
                "date_of_birth",
                "authority",
                "decision",
                "decision_date",
                "reason",
            ],
            key="register_ref",
            delimiter=";",
            encoding="cp1252",
            date_columns={"date_of_birth": "iso", "decision_date": "iso"},
            enum_columns=("decision",),
            name_columns=("surname",),
        )
        register_ids = self.ids.make("NR", len(self.world.register), 8)
        for rid, entry in zip(register_ids, self.world.register, strict=True):
            view = self.person_record(entry.person)
            register.rows.append(
                [
                    rid,
                    view.family,
                    view.given,
                    format_date("iso", view.dob),
                    entry.authority,
                    entry.decision.capitalize(),
                    format_date("iso", entry.decided),
                    entry.reason,
                ]
            )
            self.note(register.path, rid, entry.person, view)
        self.exports += [drivers, vehicles, operators, history, register]

    def premises(self) -> None:
        """The premises register: every business but the taxi operators."""
        premises = Export(
            "premises/premises.csv",
            "premises_register",
            ["premises_id", "name", "business_type", "address", "postcode", "premises_licence_no", "licence_status"],
            key="premises_id",
            postcode_columns=("postcode",),
            enum_columns=("business_type",),
        )
        type_word = {
            "hotel": "Hotel",
            "bed_and_breakfast": "B&B",
            "takeaway": "Takeaway",
            "shop": "Shop",
            "licensed_premises": "Licensed premises",
        }
        for b, business in enumerate(self.world.businesses):
            if business.kind != "taxi_operator":
                premises.rows.append(
                    [
                        self.premises_ids[b],
                        business.name,
                        type_word[business.kind],
                        f"{_business_number(b)} {self.district.street[business.postcode]}",
                        self.pc(business.postcode),
                        business.premises_licence or "",
                        "Active" if business.premises_licence else "",
                    ]
                )
        self.exports.append(premises)

    def anpr(self) -> None:
        """ANPR cameras and reads."""
        cameras = Export(
            "anpr/cameras.csv", "anpr_cameras", ["camera_id", "latitude", "longitude", "description"], key="camera_id"
        )
        for i, c in enumerate(self.world.cameras):
            cameras.rows.append(
                [
                    f"CAM{i + 1:03d}",
                    float(self.district.lat[c]),
                    float(self.district.lon[c]),
                    f"{self.district.street[c]} ({self.district.postcode[c]})",
                ]
            )
        reads = Export(
            "anpr/reads.tsv",
            "anpr_reads",
            ["read_id", "vrm", "camera_id", "read_time"],
            key="read_id",
            delimiter="\t",
            date_columns={"read_time": "iso_time"},
            vrm_columns=("vrm",),
        )
        start = dt.datetime(2024, 7, 1)
        vrms = [v.vrm for v in self.world.vehicles]
        for n, (v, c, s) in enumerate(
            zip(
                self.world.anpr_vehicle.tolist(),
                self.world.anpr_camera.tolist(),
                self.world.anpr_seconds.tolist(),
                strict=True,
            )
        ):
            reads.rows.append(
                [
                    f"R{n + 1:09d}",
                    vrms[v] if n % 5 else noise.messy_vrm(self.rng, vrms[v]),
                    f"CAM{c + 1:03d}",
                    format_date("iso_time", start + dt.timedelta(seconds=s)),
                ]
            )
        self.exports += [cameras, reads]

    def geography(self) -> None:
        """The offline postcode lookup."""
        postcodes = Export(
            "geography/postcodes.csv",
            "postcode_lookup",
            ["postcode", "latitude", "longitude", "ward_code", "ward_name"],
            key="postcode",
        )
        for i, code in enumerate(self.district.postcode):
            ward = self.district.wards[int(self.district.ward_index[i])]
            postcodes.rows.append(
                [code, float(self.district.lat[i]), float(self.district.lon[i]), ward.code, ward.name]
            )
        self.exports.append(postcodes)


def build_exports(world: World) -> tuple[list[Export], dict[str, Any]]:
    """Every export file of the world, and the ground truth (JSON-ready)."""
    scribe = _Scribe(world)
    for agency in (scribe.police, scribe.care, scribe.licensing, scribe.premises, scribe.anpr, scribe.geography):
        agency()
    for export in scribe.exports:
        if export.source not in ("postcode_lookup", "anpr_cameras"):
            plant_bad_rows(export, scribe.rng)
    truth = scribe.truth
    truth.update(make_truth(world, scribe.premises_ids, scribe.nominals_of, scribe.care_of, scribe.exports))
    truth["distinct"] = distinct_counts(
        world, scribe.nominals_of, scribe.care_of, scribe.exports, scribe.truth["variations"]
    )
    shown = sorted({int(t[1:]) for records in truth["records"].values() for t in records.values()})
    truth["persons"] = {
        person_id(p): {
            "given": world.given[p],
            "family": world.family[p],
            "dob": str(world.dob[p]),
            "postcode": world.district.postcode[int(world.postcode[p])],
            "previous_postcode": world.district.postcode[int(world.prev_postcode[p])]
            if world.prev_postcode[p] >= 0
            else None,
        }
        for p in shown
    }
    return scribe.exports, truth


def _business_number(b: int) -> int:
    return (b * 37) % 150 + 1


def write_exports(world: World, out: Path) -> dict[str, Any]:
    """Write every export, the ward boundaries, a manifest and ``truth.json`` under ``out``.

    Returns the truth. The bytes written depend only on the world (and so on the seed).
    """
    exports, truth = build_exports(world)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for export in exports:
        write_export(out, export)
        manifest.append(
            {
                "path": export.path,
                "source": export.source,
                "format": export.fmt,
                "encoding": export.encoding,
                "delimiter": export.delimiter,
                "rows": len(export.rows),
            }
        )
        log.info("wrote %s (%d rows)", export.path, len(export.rows))
    (out / "geography").mkdir(exist_ok=True)
    (out / "geography" / "wards.geojson").write_text(wards_geojson(world.district), encoding="utf-8")
    manifest.append(
        {
            "path": "geography/wards.geojson",
            "source": "ward_boundaries",
            "format": "geojson",
            "encoding": "utf-8",
            "delimiter": "",
            "rows": len(world.district.wards),
        }
    )
    (out / "manifest.json").write_text(
        json.dumps({"district": world.district.name, "files": manifest}, indent=1), encoding="utf-8"
    )
    (out / "truth.json").write_text(json.dumps(truth, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    return truth
