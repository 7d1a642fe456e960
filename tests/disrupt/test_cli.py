from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from disrupt.cli import main
from graph import Provenance, new_entity, new_link, open_store

P = Provenance("police.nominals", "N1", "2026-01-01T00:00:00+00:00")


@pytest.fixture
def filled(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    store = open_store(url)
    ann = new_entity("Person", {"ref": "A", "full_name": "Ann Example"}, provenance=P)
    bob = new_entity("Person", {"ref": "B", "full_name": "Bob Sample"}, provenance=P)
    cy = new_entity("Person", {"ref": "C", "full_name": "Cy Example"}, provenance=P)
    car = new_entity("Vehicle", {"vrm": "ZZ01ABC"}, provenance=P)
    store.upsert(
        [ann, bob, cy, car],
        [
            new_link("USES_VEHICLE", ann.id, car.id, {"role": "passenger"}, provenance=P),
            new_link("USES_VEHICLE", bob.id, car.id, {"role": "driver"}, provenance=P),
            new_link("ASSOCIATE_OF", bob.id, cy.id, provenance=P),
        ],
    )
    store.close()
    return url


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_every_command_has_help() -> None:
    code, out = run("--help")
    assert code == 0 and "stats" in out and "search" in out and "paths" in out
    for command in ("stats", "search", "paths"):
        code, out = run(command, "--help")
        assert code == 0 and "--store" in out and "--json" in out


def test_stats_json_on_an_empty_and_a_filled_store(tmp_path: Path, filled: str) -> None:
    code, out = run("stats", "--json", "--store", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 0 and json.loads(out) == {"entities": {}, "links": {}}
    code, out = run("stats", "--json", "--store", filled)
    assert code == 0
    assert json.loads(out) == {"entities": {"Person": 3, "Vehicle": 1}, "links": {"ASSOCIATE_OF": 1, "USES_VEHICLE": 2}}


def test_stats_reads_disrupt_store_and_prints_a_table(filled: str) -> None:
    code, out = run("stats", env={"DISRUPT_STORE": filled})
    assert code == 0 and "Person" in out and "USES_VEHICLE" in out and "Entities (4)" in out


def test_search(filled: str) -> None:
    code, out = run("search", "example", "--json", "--store", filled)
    assert code == 0
    assert sorted(hit["label"] for hit in json.loads(out)) == ["Ann Example", "Cy Example"]
    code, out = run("search", "zz01", "--kind", "Vehicle", "--json", "--store", filled)
    assert [hit["label"] for hit in json.loads(out)] == ["ZZ01ABC"]
    code, out = run("search", "example", "--kind", "Vehicle", "--store", filled)
    assert code == 0 and "No match" in out
    code, out = run("search", "x", "--kind", "Spaceship", "--store", filled)
    assert code == 2 and "unknown kind 'Spaceship'" in out


def test_paths_by_text_and_by_id(filled: str) -> None:
    code, out = run("paths", "Ann Example", "Cy Example", "--json", "--store", filled)
    assert code == 0, out
    data = json.loads(out)
    [path] = data["paths"]
    assert [e["label"] for e in path["entities"]] == ["Ann Example", "ZZ01ABC", "Bob Sample", "Cy Example"]
    assert [ln["kind"] for ln in path["links"]] == ["USES_VEHICLE", "USES_VEHICLE", "ASSOCIATE_OF"]
    code, out = run("paths", data["from"]["id"], data["to"]["id"], "--max-hops", "2", "--store", filled)
    assert code == 0 and "No path of 2 hops or fewer" in out
    code, out = run("paths", "Ann", "Cy", "--store", filled)
    assert code == 0
    assert "Ann Example (Person) -[USES_VEHICLE]-> ZZ01ABC (Vehicle) <-[USES_VEHICLE]- Bob Sample" in out


def test_paths_explains_ambiguous_and_missing_names(filled: str) -> None:
    code, out = run("paths", "example", "Bob", "--store", filled)
    assert code == 1 and "matches several entities" in out and "Ann Example" in out
    code, out = run("paths", "nobody at all", "Bob", "--store", filled)
    assert code == 1 and "nothing matches 'nobody at all'" in out


def test_bad_store_urls_say_how_to_fix_them(tmp_path: Path) -> None:
    code, out = run("stats", "--store", "mysql://somewhere")
    assert code == 1 and "sqlite:///path/graph.db" in out
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("this is not a database" * 100)
    code, out = run("stats", "--store", f"sqlite:///{not_a_db}")
    assert code == 1 and "cannot open" in out
    code, out = run("stats", env={"DISRUPT_LOG_LEVEL": "chatty"})
    assert code == 1 and "DISRUPT_" in out


def test_the_installed_command_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("disrupt")
    env = {**os.environ, "DISRUPT_DATA_DIR": str(tmp_path / "data")}
    env.pop("DISRUPT_STORE", None)
    done = subprocess.run(
        [str(exe), "stats", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"entities": {}, "links": {}}
    assert (tmp_path / "data" / "graph.db").is_file()


def test_generate_writes_a_world_and_refuses_a_too_small_one(tmp_path: Path) -> None:
    code, out = run("generate", "--help")
    assert code == 0 and "--people" in out and "--seed" in out
    code, out = run("generate", "--out", str(tmp_path / "w"), "--people", "1000", "--seed", "3")
    assert code == 0, out
    truth = json.loads((tmp_path / "w" / "truth.json").read_text())
    assert truth["people"] == 1000 and len(truth["persons"]) > 100 and len(truth["groups"]) == 1
    assert "police/nominals.csv" in out and "1 planted groups" in out
    code, out = run("generate", "--out", str(tmp_path / "x"), "--people", "10")
    assert code == 2 and "200" in out
