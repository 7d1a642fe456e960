"""Upsert rate of a store: 100,000 entities and 300,000 links in batches.

    python benchmarks/bench_store.py [--entities 100000] [--links 300000] [--batch 10000]
    python benchmarks/bench_store.py --store bolt      # the Neo4j store against a local ArcadeDB Bolt server
    python benchmarks/bench_store.py --url neo4j://disrupt@host:7687/scratch   # any Neo4j (it is emptied first!)

Prints the rates and the peak memory of this process (a Bolt server's memory is its own). Entities
are a POLE-like mix (persons, vehicles, phones, locations); links join random pairs the schema allows.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph import Entity, GraphStore, Link, Provenance, new_entity, new_link, open_store

sys.path.append(str(Path(__file__).resolve().parent.parent / "tests" / "support"))  # bolt_server


def make_entities(n: int, rng: random.Random) -> dict[str, list[Entity]]:
    prov = Provenance("bench.source", "r", "2026-01-01T00:00:00+00:00", run_id="bench")
    by_kind: dict[str, list[Entity]] = {"Person": [], "Vehicle": [], "Phone": [], "Location": []}
    for i in range(n):
        roll = i % 10
        if roll < 6:
            e = new_entity(
                "Person",
                {
                    "ref": f"P{i}",
                    "full_name": f"Given{rng.randrange(5000)} Family{i}",
                    "date_of_birth": "2001-02-03",
                    "postcode": f"ZZ{i % 90} {i % 9}AB",
                },
                provenance=Provenance("bench.source", f"p{i}", prov.loaded_at),
            )
        elif roll < 8:
            e = new_entity("Vehicle", {"vrm": f"ZZ{i:07d}", "make": "Make"}, provenance=prov)
        elif roll < 9:
            e = new_entity("Phone", {"number": f"+44770{i:07d}"}, provenance=prov)
        else:
            e = new_entity(
                "Location",
                {
                    "address": f"{i} Bench Road",
                    "postcode": f"ZZ{i % 90} {i % 9}AB",
                    "latitude": 54.0,
                    "longitude": -1.5,
                },
                provenance=prov,
            )
        by_kind[e.kind].append(e)
    return by_kind


def make_links(n: int, by_kind: dict[str, list[Entity]], rng: random.Random) -> list[Link]:
    plans = [
        ("ASSOCIATE_OF", "Person", "Person", None),
        ("USES_VEHICLE", "Person", "Vehicle", "driver"),
        ("USES_PHONE", "Person", "Phone", None),
        ("LIVES_AT", "Person", "Location", None),
    ]
    links: dict[str, Link] = {}
    while len(links) < n:
        kind, src_kind, dst_kind, role = plans[len(links) % len(plans)]
        a, b = rng.choice(by_kind[src_kind]), rng.choice(by_kind[dst_kind])
        if a.id == b.id:
            continue
        props = {"role": role} if role else {}
        prov = Provenance("bench.links", f"l{len(links)}", "2026-01-01T00:00:00+00:00")
        link = new_link(kind, a.id, b.id, props, provenance=prov)
        links[link.id] = link
    return list(links.values())


@contextmanager
def bench_store(kind: str, url: str | None, tmp: Path) -> Iterator[GraphStore]:
    """The store to time: an embedded file, a fresh ArcadeDB Bolt server, or an emptied Neo4j database."""
    if url:
        from bolt_server import wipe

        wipe(url, os.environ["DISRUPT_NEO4J_PASSWORD"])
        store = open_store(url)
    elif kind == "bolt":
        from bolt_server import start_bolt_server

        server = start_bolt_server(tmp / "bolt")
        store = open_store(server.url, password=server.password)
    else:
        store = open_store(f"sqlite:///{tmp / 'bench.db'}")
    try:
        yield store
    finally:
        store.close()
        if kind == "bolt" and not url:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "bolt"), default="sqlite")
    parser.add_argument("--url", default=None, help="a Neo4j store URL to time instead (its database is emptied)")
    args = parser.parse_args()
    rng = random.Random(1)

    t = time.perf_counter()
    by_kind = make_entities(args.entities, rng)
    entities = [e for group in by_kind.values() for e in group]
    links = make_links(args.links, by_kind, rng)
    print(f"built {len(entities):,} entity and {len(links):,} link records in {time.perf_counter() - t:.1f} s")

    with tempfile.TemporaryDirectory() as tmp, bench_store(args.store, args.url, Path(tmp)) as store:
        print(f"store: {store!r}")
        t = time.perf_counter()
        for start in range(0, len(entities), args.batch):
            store.upsert(entities[start : start + args.batch])
        t_entities = time.perf_counter() - t
        t = time.perf_counter()
        for start in range(0, len(links), args.batch):
            store.upsert(links=links[start : start + args.batch])
        t_links = time.perf_counter() - t
        t = time.perf_counter()
        for start in range(0, len(entities), args.batch):
            store.upsert(entities[start : start + args.batch])
        t_again = time.perf_counter() - t
        t = time.perf_counter()
        G = store.to_networkx()
        t_export = time.perf_counter() - t
        t = time.perf_counter()
        for q in ("family12", "given77", "zz0001", "bench road"):
            store.search(q)
        t_search = (time.perf_counter() - t) / 4
        counts = store.counts()
        size = Path(tmp) / "bench.db"
        stored_in = f"file {size.stat().st_size / 1e6:.0f} MB" if size.exists() else "in the server"

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"entities: {len(entities):,} in {t_entities:.2f} s = {len(entities) / t_entities:,.0f} per second")
    print(f"links:    {len(links):,} in {t_links:.2f} s = {len(links) / t_links:,.0f} per second")
    print(f"re-upsert of every entity (merge path): {len(entities) / t_again:,.0f} per second")
    print(f"export to NetworkX: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges in {t_export:.2f} s")
    print(f"search: {t_search * 1000:.1f} ms per query")
    print(
        f"stored: {sum(counts.entities.values()):,} entities, {sum(counts.links.values()):,} links; "
        f"{stored_in}; peak memory of this process {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
