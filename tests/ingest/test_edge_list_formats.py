"""Edge lists as networks are published load as they are: tab, comma, semicolon or whitespace
separated, with or without a header, weighted or not, with comment lines (issue 24, point 5).

The network is the same small one in every format: a triangle a-b-c and a tail c-d, weights 1.5,
2, 0.5 and 3, so a reader can check each count by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import GraphStore
from ingest.edge_lists import EdgeListError, edge_list_layout
from ingest.graph_import import GraphImportError, import_edge_list

EDGES = [("a", "b", 1.5), ("b", "c", 2.0), ("c", "a", 0.5), ("c", "d", 3.0)]


def _weights(store: GraphStore) -> dict[frozenset[str], float]:
    G = store.to_networkx()
    names = {n: d["name"] for n, d in G.nodes(data=True)}
    return {frozenset((names[u], names[v])): d["weight"] for u, v, d in G.edges(data=True)}


FORMATS = {
    "tab, no header": "a\tb\t1.5\nb\tc\t2\nc\ta\t0.5\nc\td\t3\n",
    "tab, header": "source\ttarget\tweight\na\tb\t1.5\nb\tc\t2\nc\ta\t0.5\nc\td\t3\n",
    "comma, no header": "a,b,1.5\nb,c,2\nc,a,0.5\nc,d,3\n",
    "semicolon, decimal commas": "source;target;weight\na;b;1,5\nb;c;2\nc;a;0,5\nc;d;3\n",
    "whitespace, comments": "% a KONECT-style header comment\n# and a SNAP one\na b 1.5\nb  c  2\n\nc a 0.5\nc d 3\n",
}


@pytest.mark.parametrize("name", FORMATS)
def test_a_weighted_edge_list_loads_in_every_published_form(name: str, store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "net.txt"
    path.write_text(FORMATS[name], encoding="utf-8")
    report = import_edge_list(store, path, tmp_path / "work")
    assert (report.relationships_read, report.rows_rejected) == (4, 0)
    assert store.counts().entities == {"Other": 4} and store.counts().links == {"RELATED_TO": 4}
    assert _weights(store) == {frozenset((a, b)): w for a, b, w in EDGES}
    assert dict(report.links_by_kind) == {"RELATED_TO": 4} and dict(report.entities_by_kind) == {"Other": 4}


def test_a_tab_separated_headerless_weighted_edge_list_of_numbers_loads(store: GraphStore, tmp_path: Path) -> None:
    """The commonest published form: node numbers, a tab, node numbers, a tab, a weight."""
    path = tmp_path / "out.network.tsv"
    path.write_text("1\t2\t0.25\n2\t3\t4\n3\t1\t1\n", encoding="utf-8")
    layout = edge_list_layout(path)
    assert (layout.delimiter, layout.header) == ("tab", False)
    report = import_edge_list(store, path, tmp_path / "work", node_kind="Person")
    assert report.label_map == "tab separated, no header"
    assert store.counts().entities == {"Person": 3} and store.counts().links == {"RELATED_TO": 3}
    weights = sorted(d["weight"] for _, _, d in store.to_networkx().edges(data=True))
    assert weights == [0.25, 1.0, 4.0]


def test_weights_are_optional_row_by_row_and_bad_rows_are_set_aside_with_their_line(
    store: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "ragged.tsv"
    path.write_text("# people who met\na\tb\nb\tc\t2\nc\tc\t1\nd\te\theavy\ne\tf\n", encoding="utf-8")
    report = import_edge_list(store, path, tmp_path / "work")
    assert (report.relationships_read, report.rows_rejected) == (5, 2)
    weights = {d.get("weight") for _, _, d in store.to_networkx().edges(data=True)}
    assert weights == {None, 2.0}
    rejects = (tmp_path / "work" / "rejects.csv").read_text(encoding="utf-8")
    assert ",4,,joins a node to itself" in rejects and ",5,weight," in rejects  # physical lines, comment counted


def test_a_header_keeps_type_and_further_columns(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    path.write_text("source,target,weight,type,since\na,b,1,calls,2024\nb,c,,ASSOCIATE_OF,2023\n", encoding="utf-8")
    import_edge_list(store, path, tmp_path / "work", node_kind="Person")
    edges = {d["kind"]: d for _, _, d in store.to_networkx().edges(data=True)}
    assert edges["RELATED_TO"]["type"] == "calls" and edges["RELATED_TO"]["since"] == "2024"
    assert edges["ASSOCIATE_OF"]["extra_since"] == "2023"  # a declared kind keeps it as an extra property


def test_a_header_naming_other_columns_is_refused_with_what_to_name_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("from\tto\na\tb\n", encoding="utf-8")
    with pytest.raises(EdgeListError, match="source and target"):
        edge_list_layout(path)
    assert edge_list_layout(path, header=False).header is False  # unless told there is no header


def test_an_empty_edge_list_is_refused(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# nothing here\n\n", encoding="utf-8")
    with pytest.raises(GraphImportError, match="no edges"):
        import_edge_list(store, path, tmp_path / "work")
