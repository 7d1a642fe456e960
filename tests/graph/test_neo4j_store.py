"""The Neo4j store's own concerns: its URL and credentials, and hostile values in every property
and in the search box (the shared behaviour is in the contract tests, run against both stores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import InvalidRecord, Provenance, StoreConfigError, new_entity, new_link, open_store
from graph.neo4j_config import PASSWORD_ENV, PASSWORD_FILE_ENV, neo4j_password, parse_neo4j_url
from graph.store import GraphStore

INJECTION = "x'}) DETACH DELETE (n) //"
T0 = "2026-01-05T10:00:00+00:00"


def test_a_store_url_names_server_user_database_and_options(tmp_path: Path) -> None:
    config = parse_neo4j_url("neo4j+s://analyst@graph.example.invalid/disrupt?batch_size=250")
    assert (config.uri, config.user, config.database, config.batch_size) == (
        "neo4j+s://graph.example.invalid:7687",
        "analyst",
        "disrupt",
        250,
    )
    assert parse_neo4j_url("bolt://[::1]:7999").uri == "bolt://[::1]:7999"
    assert parse_neo4j_url("bolt://host").database is None and parse_neo4j_url("bolt://host").user == "neo4j"
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked until the driver connects")
    assert parse_neo4j_url(f"bolt://u@host/db?ca={ca}").ca_file == ca


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("bolt://u:secret@host/db", "do not put the Neo4j password in the store URL"),
        ("bolt://u@host/db?batch=5", "unknown store URL option(s) batch"),
        ("bolt://u@host/db?batch_size=0", "batch_size must be a whole number"),
        ("bolt://u@host/db?batch_size=lots", "batch_size must be a whole number"),
        ("bolt://u@host/db?ca=/no/such/ca.pem", "does not exist"),
        ("bolt+s://u@host/db?ca=/no/such/ca.pem", "already chooses how certificates are checked"),
        ("bolt://u@host:99999/db", "bad port"),
        ("bolt://u@host/a/b", "one database"),
        ("bolt:///db", "names no host"),
        ("http://u@host/db", "not a Neo4j store URL"),
    ],
)
def test_bad_store_urls_say_what_to_fix(url: str, says: str) -> None:
    with pytest.raises(StoreConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_neo4j_url(url)


def test_the_password_comes_from_the_environment_or_a_secret_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_FILE_ENV, raising=False)
    with pytest.raises(StoreConfigError, match=PASSWORD_ENV):
        neo4j_password()
    secret = tmp_path / "neo4j-password"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(secret))
    assert neo4j_password() == "from-the-file"
    monkeypatch.setenv(PASSWORD_ENV, "from-the-environment")
    assert neo4j_password() == "from-the-environment"
    assert neo4j_password("given") == "given"
    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(StoreConfigError, match="cannot read the Neo4j password file"):
        neo4j_password()


def test_a_wrong_password_or_an_absent_server_is_a_clear_configuration_error(bolt_server: object) -> None:
    url = bolt_server.url  # type: ignore[attr-defined]
    with pytest.raises(StoreConfigError, match="refused user 'root'"):
        open_store(url, password="not-the-password")
    with pytest.raises(StoreConfigError, match=r"cannot reach a Neo4j server at bolt://127\.0\.0\.1:9"):
        open_store("bolt://root@127.0.0.1:9/graph", password="x")


def test_a_hostile_value_in_every_property_and_the_search_box_is_kept_verbatim(store: GraphStore) -> None:
    """The Cypher fragment goes into every text property of several kinds, a link property, the
    source and record id of the provenance and a result row; it is stored and searched as text."""
    prov = Provenance(INJECTION, INJECTION, T0, run_id=INJECTION, grading=INJECTION)
    person = new_entity(
        "Person",
        {"ref": INJECTION, "full_name": INJECTION, "given_name": INJECTION, "aliases": [INJECTION, "x"],
         "gender": INJECTION, "postcode": INJECTION, "address": INJECTION},
        provenance=prov,
    )  # fmt: skip
    business = new_entity("Business", {"name": INJECTION, "postcode": INJECTION, "address": INJECTION}, provenance=prov)
    other = new_entity("Other", {"ref": INJECTION, "name": INJECTION, INJECTION: INJECTION}, provenance=prov)
    bystander = new_entity("Person", {"ref": "B1", "full_name": "Bystander Example"}, provenance=prov)
    link = new_link("ASSOCIATE_OF", person.id, bystander.id, {"nature": INJECTION}, provenance=prov)
    store.upsert([person, business, other, bystander], [link])
    store.upsert([person])  # the merge path reads and writes the value again
    before = store.counts()
    assert sum(before.entities.values()) == 4 and sum(before.links.values()) == 1
    for got, sent in ((store.get_entity(person.id), person), (store.get_entity(other.id), other)):
        assert got is not None and dict(got.properties) == dict(sent.properties) and got.provenance == (prov,)
    got_link = store.get_link(link.id)
    assert got_link is not None and got_link.properties == {"nature": INJECTION}
    found = {e.id for e in store.search(INJECTION)}
    assert found == {person.id, business.id, other.id}
    assert store.find_by_source(INJECTION, [INJECTION], kind="Business") == {INJECTION: business.id}
    store.save_results("flags", [{"entity_id": business.id, "label": INJECTION, "reason": INJECTION}])
    table = store.read_results("flags")
    assert table is not None and table.rows[0]["reason"] == INJECTION
    with pytest.raises(StoreConfigError):
        store.save_results(INJECTION, [])
    with pytest.raises(InvalidRecord):
        store.upsert(
            [new_entity("Person", {"ref": "B2"}, provenance=prov)],
            [new_link("ASSOCIATE_OF", person.id, INJECTION, provenance=prov)],
        )
    assert store.counts() == before
    assert store.get_entity(bystander.id) is not None
