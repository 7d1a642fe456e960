"""Synthetic demo worlds, generated, ingested, resolved and analysed, for tests scored on planted truth.

``analysed_world(factory, seed)`` builds the 5,000-person world of one seed once per test session.
Set ``DISRUPT_TEST_WORLD_CACHE`` to a folder to keep each seed's ingested store there between
sessions (ingest does not change while analytics are being worked on); unset, as in CI, every
session builds its worlds from nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from analytics.analysis import Analysis, analyse
from graph import GraphStore, open_store
from ingest.pipeline import ingest_paths
from ingest.resolve import resolve_businesses, resolve_people
from synthetic import generate
from tests.ingest.test_resolve import PERSON_FILES

CACHE_ENV = "DISRUPT_TEST_WORLD_CACHE"
PEOPLE = 5000


@dataclass
class AnalysedWorld:
    seed: int
    truth: dict[str, Any]
    store: GraphStore
    G: nx.MultiDiGraph
    result: Analysis
    entity_of: dict[str, set[str]]  # truth person id -> canonical entity ids


def _ingested(base: Path, seed: int) -> tuple[Path, Path]:
    """The exports folder and the resolved store of one seed's world, built under ``base``."""
    folder, db = base / "exports", base / "data" / "graph.db"
    generate(folder, people=PEOPLE, seed=seed)
    store = open_store(f"sqlite:///{db}")
    try:
        ingest_paths(store, folder, base / "data")
        resolve_people(store)
        resolve_businesses(store)
    finally:
        store.close()
    return folder, db


def build_world(base: Path, seed: int) -> AnalysedWorld:
    """One seed's world, ingested under ``base`` (or copied from the cache) and analysed."""
    cache = os.environ.get(CACHE_ENV)
    if cache:
        kept = Path(cache) / f"seed-{seed}-{PEOPLE}"
        if not (kept / "data" / "graph.db").exists():
            shutil.rmtree(kept, ignore_errors=True)
            _ingested(kept, seed)
        shutil.copytree(kept / "exports", base / "exports")
        (base / "data").mkdir(parents=True)
        shutil.copy2(kept / "data" / "graph.db", base / "data" / "graph.db")
        folder, db = base / "exports", base / "data" / "graph.db"
    else:
        folder, db = _ingested(base, seed)
    store = open_store(f"sqlite:///{db}")
    truth = json.loads((folder / "truth.json").read_text())
    entity_of: dict[str, set[str]] = {}
    for file, records in truth["records"].items():
        found = store.find_by_source(PERSON_FILES[file], list(records), kind="Person")
        canonical = store.canonical_ids(found.values())
        for record_id, entity_id in found.items():
            entity_of.setdefault(records[record_id], set()).add(canonical[entity_id])
    G = store.to_networkx(provenance=True)
    return AnalysedWorld(seed, truth, store, G, analyse(G, seed=1), entity_of)


class Worlds:
    """Analysed worlds by seed, each built on first use and closed at the end of the session."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._built: dict[int, AnalysedWorld] = {}

    def __call__(self, seed: int) -> AnalysedWorld:
        if seed not in self._built:
            self._built[seed] = build_world(self._factory.mktemp(f"world-seed-{seed}"), seed)
        return self._built[seed]

    def close(self) -> None:
        for world in self._built.values():
            world.store.close()
