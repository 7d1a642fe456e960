"""Ingest of a whole 5,000-person world: nothing lost, every bad row set aside with a reason."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from graph import open_store
from ingest.pipeline import ingest_paths
from tests.ingest.conftest import LoadedWorld


def _rejects(world: LoadedWorld) -> dict[tuple[str, int], list[dict[str, str]]]:
    found: dict[tuple[str, int], list[dict[str, str]]] = {}
    with open(world.work / "rejects.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rel = Path(row["file"]).relative_to(world.folder).as_posix()
            found.setdefault((rel, int(row["row"])), []).append(row)
    return found


def test_every_row_read_is_loaded_or_rejected(loaded_world: LoadedWorld) -> None:
    report = loaded_world.report
    manifest = json.loads((loaded_world.folder / "manifest.json").read_text())
    rows_in_files = {f["source"]: f["rows"] for f in manifest["files"] if f["format"] != "geojson"}
    graph_files = [f for f in report.files if f.status == "loaded"]
    assert len(graph_files) == 18
    for f in graph_files:
        assert f.rows_read == rows_in_files[f.source], f.source
        assert f.rows_read == f.rows_loaded + f.rows_rejected, f.source
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert not report.failed and not report.unrecognised


def test_the_report_says_where_each_file_spent_its_time(loaded_world: LoadedWorld) -> None:
    report = loaded_world.report
    for f in report.files:
        if f.status == "loaded":
            assert set(f.stage_seconds) == {"survey", "read", "map", "build", "store", "commit"}, f.source
            assert 0 < sum(f.stage_seconds.values()) <= f.seconds, f.source
    stages = report.as_dict()["stage_seconds"]
    assert set(stages) == {"survey", "read", "map", "build", "store", "commit", "finish"}
    assert sum(stages.values()) <= report.seconds


def test_the_rejects_are_exactly_the_planted_bad_rows_each_with_a_reason(loaded_world: LoadedWorld) -> None:
    planted = {(b["file"], b["row"]): b for b in loaded_world.truth["bad_rows"]}
    rejected = _rejects(loaded_world)
    assert set(rejected) == set(planted)  # every bad row set aside, every valid row loaded
    for key, rows in rejected.items():
        assert all(r["reason"] for r in rows)
        defect = planted[key]
        if defect["column"]:
            assert defect["column"] in {r["column"] for r in rows}, (key, rows, defect)
        else:
            assert any("duplicate" in r["reason"] for r in rows), (key, rows)
    assert len(Counter(b["defect"] for b in loaded_world.truth["bad_rows"])) >= 8


def test_every_entity_and_link_says_where_it_came_from(loaded_world: LoadedWorld) -> None:
    G = loaded_world.store.to_networkx(provenance=True)
    assert G.number_of_nodes() > 3000
    assert all(data.get("provenance") for _, data in G.nodes(data=True))
    assert all(data.get("provenance") for _, _, data in G.edges(data=True))
    graded = [p for _, data in G.nodes(data=True) if data["kind"] == "Intelligence" for p in data["provenance"] if p[2]]
    assert graded and all(len(g[2]) == 4 and g[2][2] == " " for g in graded)  # e.g. "2B P"


def test_places_are_geocoded_from_the_postcode_lookup(loaded_world: LoadedWorld) -> None:
    G = loaded_world.store.to_networkx(kinds=["Location"])
    with_postcode = [d for _, d in G.nodes(data=True) if d.get("place_type") != "anpr_camera"]
    located = [d for d in with_postcode if d.get("latitude") is not None and d.get("ward")]
    assert len(located) / len(with_postcode) > 0.99
    assert all(54.4 < d["latitude"] < 54.7 and 0.4 < d["longitude"] < 1.1 for d in located)


def test_loading_again_changes_nothing(loaded_world: LoadedWorld, tmp_path: Path) -> None:
    store = loaded_world.store
    before = (store.counts(), sorted(store.to_networkx().edges(keys=True)))
    again = ingest_paths(store, loaded_world.folder, loaded_world.work)
    assert {f.status for f in again.files if f.source != "postcode_lookup"} <= {"already loaded", "boundaries"}
    forced = ingest_paths(store, loaded_world.folder, loaded_world.work, restart=True)
    assert forced.rows_rejected == loaded_world.report.rows_rejected
    assert sum(f.entities_created for f in forced.files) == 0 and sum(f.links_created for f in forced.files) == 0
    assert (store.counts(), sorted(store.to_networkx().edges(keys=True))) == before


def test_files_are_recognised_by_name_without_a_manifest(loaded_world: LoadedWorld, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    for f in ("police/nominals.csv", "police/associations.csv", "geography/postcodes.csv", "truth.json"):
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_bytes((loaded_world.folder / f).read_bytes())
    with open_store(f"sqlite:///{tmp_path / 'g.db'}") as store:
        report = ingest_paths(store, folder, tmp_path / "work")
    assert [f.source for f in report.files] == ["postcode_lookup", "police_nominals", "police_associations"]
    assert report.unrecognised == [str(folder / "truth.json")]
