"""Two people of one name in an imported graph are told apart in the search results.

The walkthrough of a POLE import searched "Arlo Rudge" and got two identical rows (born, age and
address blank) for two different people: the bundle gives an age, not a date of birth, and no address
on the person. A row now shows the age band a source gave and the record's source reference.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.gateway import Gateway, Viewer
from common.audit import AuditLog
from graph import open_store
from ingest.graph_import import import_neo4j_bundle

PEOPLE = """:ID,:LABEL,name,surname,age
p1,Person,Zqxarlo,Rudgeworth,52
p2,Person,Zqxarlo,Rudgeworth,19
"""


def test_two_people_of_one_name_differ_in_their_search_rows(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "nodes-Person.csv").write_text(PEOPLE, encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    try:
        import_neo4j_bundle(store, bundle, tmp_path / "work")
        gw = Gateway(store, AuditLog(sqlite3.connect(":memory:")), Viewer("test-analyst", "analyst", "TEST-1 check"))
        rows = gw.search("Zqxarlo Rudgeworth")
    finally:
        store.close()
    assert len(rows) == 2
    assert {r["age"] for r in rows} == {"45-54", "18-24"}, rows
    shown = [tuple(r[c] for c in ("label", "born", "age", "address", "reference")) for r in rows]
    assert len(set(shown)) == 2 and all(r["reference"] for r in rows), shown
