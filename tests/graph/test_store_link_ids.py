"""A store finds a link by its id whatever the id looks like: a link's id says nothing of its kind
(the Neo4j store used to read the kind off the id's first part, so a link whose id another tool
made was never found)."""

from __future__ import annotations

from graph import Link, Provenance, new_entity, open_store
from graph.store import GraphStore

P = Provenance("other.tool", "row-1", "2026-01-05T10:00:00+00:00")


def test_a_link_whose_id_names_no_kind_is_found_by_id_by_walks_and_by_paths(store: GraphStore) -> None:
    a = new_entity("Person", {"ref": "P1", "full_name": "Ada Example"}, provenance=P)
    b = new_entity("Person", {"ref": "P2", "full_name": "Bea Sample"}, provenance=P)
    link = Link("family-made-elsewhere-7", "ASSOCIATE_OF", a.id, b.id, {"nature": "friend"}, (P,))
    store.upsert([a, b], [link])

    got = store.get_link(link.id)
    assert got is not None and (got.kind, got.source, got.target) == ("ASSOCIATE_OF", a.id, b.id)
    assert [ln.id for ln in store.neighbourhood(a.id).links] == [link.id]
    (path,) = store.shortest_paths(a.id, b.id)
    assert path.links == (link.id,)
    assert [ln.id for ln in store.get_links(path.links)] == [link.id]
    # and by a store that never saw it written or walked (another process, say)
    with open_store(store.url) as fresh:
        found = fresh.get_link(link.id)
        assert found is not None and found.kind == "ASSOCIATE_OF"
