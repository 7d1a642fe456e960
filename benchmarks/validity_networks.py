"""The networks the validity benchmark scores Disrupt on, loaded the way an analyst's data would be.

Each published network NetworkX ships is written out as a CSV edge list and loaded through
``ingest.graph_import.import_edge_list`` into a new SQLite store, then read back with
``GraphStore.to_networkx(provenance=True)``: the analysis sees ``Other`` nodes joined by
``RELATED_TO`` links, exactly as it sees an imported edge list. The synthetic worlds are generated,
ingested and resolved as ``disrupt`` does it (the same steps as ``tests/analytics/worlds.py``).
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from graph import GraphStore, open_store
from ingest.graph_import import import_edge_list, import_neo4j_bundle
from ingest.pipeline import ingest_paths
from ingest.resolve import resolve_businesses, resolve_people
from synthetic import generate

log = logging.getLogger(__name__)

# The exports that hold person records, and the source name each loads under (as ingest names them).
PERSON_FILES = {
    "police/nominals.csv": "police_nominals",
    "care/children.xlsx": "care_children",
    "licensing/drivers.csv": "licensing_drivers",
    "licensing/national_register.csv": "licensing_national_register",
}


@dataclass(frozen=True)
class PublishedNetwork:
    """A network whose central players (and, for some, whose split into groups) are published.

    ``graph`` has string node names; ``central`` names the published central players in the
    order the literature gives them; ``split`` maps a node to its known group.
    """

    slug: str
    title: str
    graph: nx.Graph
    central: tuple[str, ...]
    central_why: str
    split: Mapping[str, str] | None = None
    split_why: str = ""
    weighted: bool = False
    note: str = ""
    attended: Mapping[str, tuple[str, ...]] | None = None  # a two-mode network: event -> the people at it


def _named(G: nx.Graph, name: Callable[[Any], str]) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from(name(n) for n in G)
    for u, v, data in G.edges(data=True):
        H.add_edge(name(u), name(v), weight=float(data.get("weight", 1.0)))
    return H


def florentine() -> PublishedNetwork:
    G = _named(nx.florentine_families_graph(), str)
    return PublishedNetwork(
        "florentine",
        "Padgett's Florentine families (marriages)",
        G,
        central=("Medici",),
        central_why="the Medici are the broker of the marriage network (Padgett and Ansell 1993)",
        note="15 families tied by marriage, 1430s; the Pucci, who married no other family here, are not in the graph",
    )


def karate() -> PublishedNetwork:
    K = nx.karate_club_graph()
    G = _named(K, lambda n: f"member {n}")
    split = {f"member {n}": str(K.nodes[n]["club"]) for n in K}
    return PublishedNetwork(
        "karate",
        "Zachary's karate club",
        G,
        central=("member 0", "member 33"),
        central_why="member 0, the instructor (Mr. Hi), and member 33, the president (Officer), led the two "
        "factions the club split into (Zachary 1977)",
        split=split,
        split_why="the club each member joined after the split (NetworkX's node attribute 'club')",
        weighted=True,
        note="34 members; edge weights count the contexts in which two members met",
    )


def les_miserables() -> PublishedNetwork:
    G = _named(nx.les_miserables_graph(), str)
    return PublishedNetwork(
        "les-miserables",
        "Les Misérables (co-appearance, weighted)",
        G,
        central=("Valjean",),
        central_why="Valjean, the protagonist, is the hub of the co-appearance network (Knuth 1993; "
        "Newman and Girvan 2004)",
        weighted=True,
        note="77 characters; the weight of a tie counts the chapters in which both appear",
    )


def southern_women() -> PublishedNetwork:
    """Davis's Southern Women: women and the events they attended, imported as a two-mode graph.

    ``graph`` is its projection onto the women (a tie per event two women both attended), which the
    baselines score; the analysis is given the women and the events, and must tie the women itself.
    The women are named W01..W18 in the order NetworkX lists them rather than by the names the study
    printed: the report never needs a person's name to make its point.
    """
    B = nx.davis_southern_women_graph()
    women = list(B.graph["top"])
    code = {w: f"W{i + 1:02d}" for i, w in enumerate(women)}
    G = nx.Graph()
    G.add_nodes_from(code.values())
    for a, b in combinations(women, 2):
        shared = len(set(B[a]) & set(B[b]))
        if shared:
            G.add_edge(code[a], code[b], weight=float(shared))
    degree = {code[w]: B.degree(w) for w in women}
    busiest = tuple(sorted(degree, key=lambda w: (-degree[w], w))[:3])
    split = {code[w]: ("first" if i < 9 else "second") for i, w in enumerate(women)}
    attended = {str(e): tuple(sorted(code[w] for w in B[e])) for e in B.graph["bottom"]}
    return PublishedNetwork(
        "southern-women",
        "Davis's Southern Women (women and the events they attended)",
        G,
        central=busiest,
        central_why=f"{', '.join(busiest)} attended the most events ({degree[busiest[0]]} of 14 each), a figure "
        "anyone can check in the data",
        split=split,
        split_why="women 1-9 and 10-18 in NetworkX's order, the two groups most published analyses find "
        "(Freeman 2003 reviews 21 of them; a few place one or two women on the other side)",
        weighted=True,
        note=f"18 women and 14 events, imported as a neo4j-admin bundle of :Woman and :Meeting nodes and "
        f"{B.number_of_edges()} ATTENDED relationships; the baselines score its projection onto the women, a tie "
        f"weighted by the events both attended ({G.number_of_edges()} of {len(women) * (len(women) - 1) // 2} pairs)",
        attended=attended,
    )


PUBLISHED: dict[str, Callable[[], PublishedNetwork]] = {
    "florentine": florentine,
    "karate": karate,
    "les-miserables": les_miserables,
    "southern-women": southern_women,
}


@dataclass
class Imported:
    """A network as Disrupt holds it after import, and the maps between its names and entity ids."""

    G: nx.MultiDiGraph
    id_of: dict[str, str]
    name_of: dict[str, str]
    report: dict[str, Any] = field(default_factory=dict)


def write_edge_list(G: nx.Graph, path: Path) -> Path:
    """Write ``G`` as the CSV edge list an analyst would import: source, target, weight, type."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["source", "target", "weight", "type"])
        for u, v, data in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
            out.writerow([u, v, f"{data.get('weight', 1.0):g}", "TIE"])
    return path


def write_two_mode_bundle(attended: Mapping[str, tuple[str, ...]], folder: Path) -> Path:
    """Write a two-mode network as a neo4j-admin import bundle: :Woman and :Meeting nodes, ATTENDED links."""
    folder.mkdir(parents=True, exist_ok=True)
    people = sorted({p for names in attended.values() for p in names})
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id:ID", "name", ":LABEL"])
        out.writerows([p, p, "Woman"] for p in people)
    with (folder / "meetings.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id:ID", "name", ":LABEL"])
        out.writerows([e, e, "Meeting"] for e in sorted(attended))
    with (folder / "attended.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([":START_ID", ":END_ID", ":TYPE"])
        out.writerows([p, e, "ATTENDED"] for e, names in sorted(attended.items()) for p in names)
    return folder


def import_published(network: PublishedNetwork, work: Path) -> Imported:
    """Load a published network into a new SQLite store under ``work``: an edge list through the
    edge-list import, a two-mode network as a neo4j-admin bundle."""
    work.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{work / 'graph.db'}")
    try:
        if network.attended is not None:
            bundle = write_two_mode_bundle(network.attended, work / "bundle")
            report = import_neo4j_bundle(store, bundle, work)
            links = sum(len(v) for v in network.attended.values())
            nodes = set(network.graph) | set(network.attended)
        else:
            report = import_edge_list(store, write_edge_list(network.graph, work / f"{network.slug}.csv"), work)
            links, nodes = network.graph.number_of_edges(), set(network.graph)
        G = store.to_networkx(provenance=True)
    finally:
        store.close()
    name_of = {n: str(data.get("ref") or data.get("name")) for n, data in G.nodes(data=True)}
    if network.attended is not None:  # a bundle's nodes are referenced "import:<folder>::<id>"; name them by id
        name_of = {n: str(data.get("id") or data.get("name")) for n, data in G.nodes(data=True)}
    id_of = {name: n for n, name in name_of.items()}
    missing = nodes - set(id_of)
    if missing or G.number_of_edges() != links:
        raise RuntimeError(
            f"{network.slug}: the import lost part of the graph ({len(missing)} nodes missing, "
            f"{G.number_of_edges()} of {links} links)"
        )
    return Imported(G, id_of, name_of, report.as_dict())


@dataclass
class World:
    """A synthetic world as ingested: its store, graph and planted truth, with truth ids mapped."""

    seed: int
    people: int
    store: GraphStore
    G: nx.MultiDiGraph
    truth: dict[str, Any]
    entity_of: dict[str, set[str]]  # truth person id -> canonical entity ids


def _ingest_world(base: Path, people: int, seed: int) -> None:
    generate(base / "exports", people=people, seed=seed)
    store = open_store(f"sqlite:///{base / 'data' / 'graph.db'}")
    try:
        ingest_paths(store, base / "exports", base / "data")
        resolve_people(store)
        resolve_businesses(store)
    finally:
        store.close()


def build_world(work: Path, people: int, seed: int, *, cache: Path | None = None) -> World:
    """A generated, ingested and resolved world; reused from ``cache`` (the tests' layout) if there."""
    base = work / f"seed-{seed}-{people}"
    if cache is not None:
        kept = cache / f"seed-{seed}-{people}"
        if not (kept / "data" / "graph.db").exists():
            shutil.rmtree(kept, ignore_errors=True)
            log.info("generating and ingesting the %s-person world of seed %s into %s", people, seed, kept)
            _ingest_world(kept, people, seed)
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(kept / "exports", base / "exports")
        (base / "data").mkdir(parents=True)
        shutil.copy2(kept / "data" / "graph.db", base / "data" / "graph.db")
    else:
        log.info("generating and ingesting the %s-person world of seed %s", people, seed)
        _ingest_world(base, people, seed)
    store = open_store(f"sqlite:///{base / 'data' / 'graph.db'}")
    truth = json.loads((base / "exports" / "truth.json").read_text(encoding="utf-8"))
    entity_of: dict[str, set[str]] = {}
    for file, records in truth["records"].items():
        found = store.find_by_source(PERSON_FILES[file], list(records), kind="Person")
        canonical = store.canonical_ids(found.values())
        for record_id, entity_id in found.items():
            entity_of.setdefault(records[record_id], set()).add(canonical[entity_id])
    return World(seed, people, store, store.to_networkx(provenance=True), truth, entity_of)
