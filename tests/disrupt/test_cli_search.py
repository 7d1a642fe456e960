"""`disrupt search` plans the query as the app does: names in any order, spaced VRMs and phones, references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import Provenance, new_entity, open_store
from tests.disrupt.test_cli_ingest import run

T0 = "2026-01-05T10:00:00+00:00"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = open_store(url)
    store.upsert(
        [
            new_entity(
                "Person",
                {"ref": "police:PN1234567", "full_name": "Mateusz Holworth"},
                provenance=Provenance("police_nominals", "PN1234567", T0),
            ),
            new_entity("Vehicle", {"vrm": "ZP50CME"}, provenance=Provenance("police_nominals", "PN1234567", T0)),
            new_entity("Phone", {"number": "+441144960638"}, provenance=Provenance("police_nominals", "PN1234567", T0)),
        ]
    )
    store.close()
    return {"DISRUPT_DATA_DIR": str(tmp_path), "DISRUPT_STORE": url}


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Holworth Mateusz", "Mateusz Holworth"),
        ("zp50 cme", "ZP50CME"),
        ("0114 496 0638", "+441144960638"),
        ("PN1234567", "Mateusz Holworth"),
    ],
)
def test_cli_search_finds_what_people_type(env: dict[str, str], typed: str, label: str) -> None:
    code, out = run("search", typed, "--json", env=env)
    assert code == 0, out
    assert [hit["label"] for hit in json.loads(out)][:1] == [label]
