"""A 5,000-person world, generated, ingested and resolved once for the ingest tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph import GraphStore, open_store
from ingest.pipeline import RunReport, ingest_paths
from ingest.resolve import ResolutionReport, resolve_people
from synthetic import generate

WORLD_PEOPLE = 5000
WORLD_SEED = 11


@dataclass
class LoadedWorld:
    folder: Path
    work: Path
    truth: dict[str, Any]
    store: GraphStore
    report: RunReport
    resolution: ResolutionReport


@pytest.fixture(scope="session")
def loaded_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedWorld]:
    base = tmp_path_factory.mktemp("world")
    folder, work = base / "exports", base / "data"
    generate(folder, people=WORLD_PEOPLE, seed=WORLD_SEED)
    store = open_store(f"sqlite:///{work / 'graph.db'}")
    report = ingest_paths(store, folder, work)
    resolution = resolve_people(store)
    try:
        yield LoadedWorld(folder, work, json.loads((folder / "truth.json").read_text()), store, report, resolution)
    finally:
        store.close()
