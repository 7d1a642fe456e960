"""A subgraph read by id is exactly that part of the whole graph: the same nodes with what their merged
records add, the same facts between them, the same sources (on a resolved 5,000-person world)."""

from __future__ import annotations

import random

from tests.ingest.conftest import LoadedWorld


def _data(G, items):  # type: ignore[no-untyped-def]
    return {key: {k: sorted(map(tuple, v)) if k == "provenance" else v for k, v in data.items()} for key, data in items}


def test_a_subgraph_by_id_equals_that_part_of_the_whole_graph(loaded_world: LoadedWorld) -> None:
    store = loaded_world.store
    whole = store.to_networkx(provenance=True)
    merged_into = {
        r for e in ("Person",) for r in store.canonical_ids([x.id for x in store.records_of_kind(e)]).values()
    }
    rng = random.Random(7)
    # neighbourhoods, as a profile or a network asks for them, around people who absorbed other records
    centres = rng.sample(sorted(merged_into), 40)
    ids = sorted({e.id for c in centres for e in store.neighbourhood(c, hops=1).entities})
    part = store.to_networkx(entity_ids=ids, provenance=True)
    expected = whole.subgraph(ids)
    assert part.number_of_nodes() == expected.number_of_nodes() > 100
    assert part.number_of_edges() == expected.number_of_edges() > 100
    assert _data(part, part.nodes(data=True)) == _data(expected, expected.nodes(data=True))
    edges = lambda G: _data(G, (((u, v, k), d) for u, v, k, d in G.edges(keys=True, data=True)))  # noqa: E731
    assert edges(part) == edges(expected)
