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
import random
import sqlite3
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from geodata.district import build_district
from graph import Provenance, make_id, open_store
from graph.records import Entity
from graph.sqlite_store import _READ_INDEX_NAMES, _READ_INDEXES
from graph.store import open_sqlite
from ingest.pipeline import ingest_paths
from ingest.resolve import resolve_people
from synthetic import generate, noise
from synthetic.population import populate


def write_floor(loaded: Path, rows_read: int, target: Path) -> tuple[float, dict[str, int]]:
    """Seconds to write the rows an ingest stored into a new store file with nothing but SQLite's
    own work: plain inserts of ready-made rows, sorted within batches as the store sorts them, in
    as many batches as the ingest had (one per 10,000 source rows), a commit per ten batches, and the
    read indexes built at the end. No ingest into this store format can be faster."""
    columns = {
        "entities": "id, kind, label, props, first_seen, last_seen, source, record_id, loaded_at, run_id, grading",
        "links": "id, kind, src, dst, props, first_seen, last_seen, orig_src, orig_dst, "
        "source, record_id, loaded_at, run_id, grading",
        "provenance": "owner, source, record_id, loaded_at, run_id, grading",
        "search_terms": "entity_id, term",
    }
    with sqlite3.connect(loaded) as db:
        tables = {table: db.execute(f"SELECT {names} FROM {table}").fetchall() for table, names in columns.items()}
    inserts = {
        table: f"INSERT INTO {table}({names}) VALUES ({', '.join('?' * len(names.split(',')))})"
        for table, names in columns.items()
    }
    rng = random.Random(1)
    for rows in tables.values():
        rng.shuffle(rows)  # ids are hashes: a load meets them in no order
    open_sqlite(target).close()  # the store's own schema
    batches = max(1, -(-rows_read // 10_000))
    db = sqlite3.connect(target, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA cache_size=-65536")
        for name in _READ_INDEX_NAMES:
            db.execute(f"DROP INDEX {name}")
        started = time.perf_counter()
        db.execute("BEGIN")
        for b in range(batches):
            start = db.execute("SELECT coalesce(max(rowid), 0) FROM search_terms").fetchone()[0]
            for table, rows in tables.items():
                share = -(-len(rows) // batches)
                db.executemany(inserts[table], sorted(rows[b * share : (b + 1) * share]))
            db.execute(
                "INSERT INTO search_fts(rowid, term) SELECT rowid, term FROM search_terms WHERE rowid > ?", (start,)
            )
            if b % 10 == 9:
                db.execute("COMMIT")
                db.execute("BEGIN")
        db.execute("COMMIT")
        db.executescript(_READ_INDEXES)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    return seconds, {k: len(v) for k, v in tables.items()}


def world(people: int, seed: int, floor: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "world"
        generate(folder, people=people, seed=seed)
        store = open_store(f"sqlite:///{Path(tmp) / 'graph.db'}")
        started = time.perf_counter()
        report = ingest_paths(store, folder, Path(tmp))
        ingest_seconds = time.perf_counter() - started
        if floor:
            floor_seconds, written = write_floor(Path(tmp) / "graph.db", report.rows_read, Path(tmp) / "floor.db")
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
    print("  by stage: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.stage_seconds.items()))
    if floor:
        print(
            f"store write floor: {floor_seconds:.1f} s to insert the stored rows "
            f"({', '.join(f'{k} {v:,}' for k, v in written.items())}) with no mapping at all: "
            f"at most {report.rows_read / floor_seconds:,.0f} source rows/s into this store format"
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
    parser.add_argument(
        "--floor", action="store_true", help="also time the bare SQLite inserts of what the ingest stored"
    )
    args = parser.parse_args()
    if args.people:
        world(args.people, args.seed, args.floor)
    if args.person_records:
        person_records(args.person_records, args.seed)
    if not (args.people or args.person_records):
        parser.error("give --people N, --person-records N or both")


if __name__ == "__main__":
    main()
