"""Ingest speed (source rows per second, resolution excluded) and resolution time on a generated
world, and resolution of many person records.

    python benchmarks/bench_ingest.py --people 100000          # a whole world: ingest, then resolve
    python benchmarks/bench_ingest.py --person-records 1000000 # resolution alone, at scale

The world mode generates the exports (not timed), ingests them into a new embedded store and
resolves people, printing rows per second by file. The person-records mode builds N person records
(two noisy records of each of N/2 synthetic people, written as police and care records with the
generator's noise) straight into a store, then times ``resolve_people`` and scores it pairwise.
Targets (issue #4): at least 50,000 source rows per second; 1,000,000 person records in under
10 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from geodata.district import build_district
from graph import Provenance, make_id, open_store
from graph.records import Entity
from ingest.pipeline import ingest_paths
from ingest.resolve import resolve_people
from ingest.synthetic import generate, noise
from ingest.synthetic.population import populate


def world(people: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "world"
        generate(folder, people=people, seed=seed)
        store = open_store(f"sqlite:///{Path(tmp) / 'graph.db'}")
        started = time.perf_counter()
        report = ingest_paths(store, folder, Path(tmp))
        ingest_seconds = time.perf_counter() - started
        resolution = resolve_people(store)
        store.close()
    print(f"world of {people:,} people (seed {seed})")
    for f in report.files:
        if f.rows_read:
            rate = f.rows_read / max(f.seconds, 1e-9)
            print(f"  {f.source:32s} {f.rows_read:>9,} rows {f.seconds:7.1f} s {rate:>9,.0f} rows/s")
    print(
        f"ingest: {report.rows_read:,} rows ({report.rows_rejected:,} rejected) in {ingest_seconds:.1f} s: "
        f"{report.rows_read / ingest_seconds:,.0f} rows/s"
    )
    print(
        f"resolution: {resolution.records:,} person records -> {resolution.clusters:,} people in "
        f"{resolution.seconds:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in resolution.timings.items())})"
    )


def person_records(count: int, seed: int) -> None:
    people = count // 2
    built = time.perf_counter()
    district = build_district(max(200, people // 35), seed)
    w = populate(people, seed, district)
    rng = np.random.default_rng(seed)
    truth: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'graph.db'}")
        loaded_at = "2026-11-21T00:00:00+00:00"
        batch: list[Entity] = []
        for p in range(people):
            old = w.address(p, previous=True) if w.prev_postcode[p] >= 0 else None
            for source in ("police", "care"):
                view = noise.vary_person(rng, w.given[p], w.family[p], w.dob[p].astype(dt.date), w.address(p), old)
                ref = f"{source}:{p}"
                props = {
                    "ref": ref,
                    "given_name": view.given,
                    "family_name": view.family,
                    "full_name": f"{view.given} {view.family}",
                    "date_of_birth": view.dob.isoformat() if view.dob else None,
                    "postcode": district.postcode[view.postcode] if view.postcode is not None else None,
                }
                props = {k: v for k, v in props.items() if v is not None}
                entity_id = make_id("Person", ref)
                truth[entity_id] = p
                batch.append(
                    Entity(entity_id, "Person", props["full_name"], props, (Provenance(source, str(p), loaded_at),))
                )
            if len(batch) >= 20_000:
                store.upsert(batch)
                batch = []
        if batch:
            store.upsert(batch)
        print(f"built {len(truth):,} person records of {people:,} people in {time.perf_counter() - built:.1f} s")
        report = resolve_people(store)
        canonical = store.canonical_ids(truth)
        store.close()
    found: dict[str, list[str]] = defaultdict(list)
    true: dict[int, list[str]] = defaultdict(list)
    for record, person in truth.items():
        found[canonical[record]].append(record)
        true[person].append(record)
    pairs = lambda groups: {p for g in groups.values() for p in itertools.combinations(sorted(g), 2)}  # noqa: E731
    found_pairs, true_pairs = pairs(found), pairs(true)
    hits = len(found_pairs & true_pairs)
    print(
        f"resolution of {report.records:,} person records: {report.seconds:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in report.timings.items())}); "
        f"pairwise precision {hits / max(1, len(found_pairs)):.3f}, recall {hits / max(1, len(true_pairs)):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, help="generate and ingest a world of this many people")
    parser.add_argument("--person-records", type=int, help="resolve this many person records")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.people:
        world(args.people, args.seed)
    if args.person_records:
        person_records(args.person_records, args.seed)
    if not (args.people or args.person_records):
        parser.error("give --people N, --person-records N or both")


if __name__ == "__main__":
    main()
