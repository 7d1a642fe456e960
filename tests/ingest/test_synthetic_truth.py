"""The truth file's distinct counts hold for a world other than the demo's (seed 11): the rows it
takes as set aside are the ones the ingest sets aside, and once episodes are resolved the store
holds as many episodes, interviews and events as the truth says."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from graph import open_store
from ingest.resolve import resolve_episodes
from tests.ingest.conftest import LoadedWorld


def test_the_planted_bad_rows_are_the_rows_the_ingest_sets_aside(loaded_world: LoadedWorld) -> None:
    planted = {(b["file"], b["row"]) for b in loaded_world.truth["bad_rows"]}
    with (loaded_world.work / "rejects.csv").open(newline="", encoding="utf-8") as f:
        rejected = {
            (Path(r["file"]).relative_to(loaded_world.folder).as_posix(), int(r["row"])) for r in csv.DictReader(f)
        }
    assert planted == rejected


def test_the_store_holds_the_truths_distinct_episodes_interviews_and_events(
    loaded_world: LoadedWorld, tmp_path: Path
) -> None:
    copy = tmp_path / "graph.db"  # the session's store is shared: resolve episodes in a copy
    with sqlite3.connect(loaded_world.work / "graph.db") as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    store = open_store(f"sqlite:///{copy}")
    try:
        report = resolve_episodes(store)
        distinct = loaded_world.truth["distinct"]
        assert report.records_moved > 0  # interviews naming no police reference were joined to their episode
        held = store.counts().entities
        assert {kind: held.get(kind, 0) for kind in distinct["events"]} == distinct["events"]
        G = store.to_networkx(kinds=["MissingEpisode"])
        assert G.number_of_nodes() == distinct["missing_episodes"]
        assert sum(1 for _, d in G.nodes(data=True) if d.get("return_interview_on")) == distinct["return_interviews"]
    finally:
        store.close()
