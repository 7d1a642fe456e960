"""The validity benchmark (benchmarks/validity.py) end to end on one small network, and its measures
on graphs whose answers a reader can check by eye."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT))  # benchmarks/ is a folder of scripts beside the packages, not an installed package
from benchmarks.validity_measures import (  # noqa: E402
    adjusted_rand_index,
    baseline_curves,
    rank_correlation,
    recomputed_order,
    replay,
)
from benchmarks.validity_measures import betweenness as benchmark_betweenness  # noqa: E402
from benchmarks.validity_networks import import_published, karate  # noqa: E402
from benchmarks.validity_report import md  # noqa: E402


def test_the_benchmark_writes_a_report_with_its_plot_for_one_network(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "validity.md"
    command = [sys.executable, "-m", "benchmarks.validity", "--out", str(out), "--networks", "florentine", "--seeds"]
    run = subprocess.run([*command, "--orders", "5"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Validity benchmark")
    assert "## Headline figures" in text and "Padgett's Florentine families" in text
    assert "Medici" in text  # the published broker is named where the report places it
    (plot,) = re.findall(r"!\[[^\]]*\]\((validity/[^)]+\.png)\)", text)
    png = (out.parent / plot).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert re.search(r"machine: \d+ cores", text)  # the machine is stated with the figures
    assert re.search(r"The whole run took \d+ s", text)


def test_a_published_network_survives_the_edge_list_import(tmp_path: Path) -> None:
    network = karate()
    imported = import_published(network, tmp_path)
    assert imported.G.number_of_nodes() == 34 and imported.G.number_of_edges() == 78
    assert {d["kind"] for _, d in imported.G.nodes(data=True)} == {"Other"}
    assert {d["kind"] for _, _, d in imported.G.edges(data=True)} == {"RELATED_TO"}
    a, b = imported.id_of["member 0"], imported.id_of["member 1"]
    (tie,) = imported.G.get_edge_data(a, b).values() or imported.G.get_edge_data(b, a).values()
    assert tie["weight"] == network.graph["member 0"]["member 1"]["weight"]


def test_recomputed_betweenness_takes_the_bridge_of_a_barbell_first() -> None:
    barbell = nx.barbell_graph(4, 1)  # two cliques of four joined through node 4
    assert recomputed_order(barbell, benchmark_betweenness, set(barbell), 1) == [(4,)]
    (between, by_degree, rand) = baseline_curves(barbell, set(barbell), 2, orders=10, seed=1)
    assert between.largest[:2] == pytest.approx((1.0, 4 / 9), abs=1e-4)
    assert by_degree.removed[0] == (3,)  # a door-keeper of degree 4 (the bridge has 2): cuts its clique off
    assert by_degree.largest[1] == pytest.approx(5 / 9, abs=1e-4)
    assert rand.name.startswith("random") and rand.largest[0] == 1.0


def test_a_seized_object_cuts_only_the_ties_it_alone_made() -> None:
    D = nx.Graph()
    D.add_edge("child", "driver", evidence=["episode-1"])
    D.add_edge("driver", "suspect", evidence=["phone-1"])
    D.add_edge("suspect", "friend", evidence=["phone-1", "family-1"])
    curve = replay(D, "seize the phone", [("phone-1",)], children={"child"}, suspects={"suspect"})
    assert curve.largest == (1.0, 0.5)  # child-driver apart from suspect-friend
    assert curve.reachable == (1.0, 0.0)
    plain = nx.Graph([("child", "driver"), ("driver", "suspect"), ("suspect", "friend")])  # no evidence recorded
    named = replay(plain, "as the plan names it", [("phone-1",)], ties=[[("suspect", "driver")]], children={"child"})
    assert named.largest == (1.0, 0.5)


def test_rank_correlation_and_the_adjusted_rand_index_give_known_answers() -> None:
    score = {"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}
    assert rank_correlation(["a", "b", "c", "d"], score) == pytest.approx(1.0)
    assert rank_correlation(["d", "c", "b", "a"], score) == pytest.approx(-1.0)
    assert adjusted_rand_index({1: "a", 2: "a", 3: "b", 4: "b"}, {1: "x", 2: "x", 3: "y", 4: "y"}) == 1.0
    assert adjusted_rand_index({1: "a", 2: "a", 3: "b", 4: "b"}, {1: "x", 2: "y", 3: "x", 4: "y"}) == pytest.approx(
        -0.5
    )


def test_names_from_the_data_cannot_make_markdown() -> None:
    assert md("[x](javascript:alert(1)) | *b* <img>") == r"\[x\](javascript:alert(1)) \| \*b\* &lt;img&gt;"


def test_a_network_the_analysis_fails_on_is_reported_and_the_rest_still_written(tmp_path: Path) -> None:
    from benchmarks.validity import scored_or_failed
    from benchmarks.validity_report import write_report

    def broken() -> Any:
        raise ValueError("no such kind")

    failed = scored_or_failed(broken, "broken", "A network the analysis cannot read")
    write_report([failed], tmp_path / "validity.md", seconds=1.0, argv=[])
    text = (tmp_path / "validity.md").read_text(encoding="utf-8")
    assert "the analysis failed on this network: ValueError: no such kind" in text
    assert "| A network the analysis cannot read | - | the analysis failed" in text


def test_the_readers_take_the_network_ranking_the_plan_and_the_hotspot_areas_from_the_tables() -> None:
    from benchmarks.validity_tables import disrupt_plan, disrupt_ranking, hotspot_figures

    tables: dict[str, list[dict[str, Any]]] = {
        "key_players": [{"entity_id": "b", "group_id": "G001", "rank_in_group": 1, "score": 1.0}],
        "network_ranking": [{"entity_id": "b", "rank": 2, "score": 0.5}, {"entity_id": "a", "rank": 1, "score": 0.9}],
        "disruption_plan": [
            {"entity_id": "phone", "step": 2, "removes": ["phone"], "ties_cut": [["a", "c"]], "objective": "x"},
            {"entity_id": "a", "step": 1, "removes": ["a"], "ties_cut": []},
        ],
        "disruption_curves": [
            {"strategy": "plan", "label": "the plan", "step": k, "largest_component_share": s, "children_reachable": 0}
            for k, s in enumerate((1.0, 0.5, 0.25))
        ],
        "hotspots": [
            {"entity_id": "c1", "count": 0, "significant": True, "hotspot": False, "moran_class": "low-high"},
            {"entity_id": "c2", "count": 9, "significant": True, "hotspot": True, "moran_class": "high-high"},
            {"entity_id": "c3", "count": 4, "significant": False, "hotspot": False, "moran_class": "high-low"},
        ],
        "hotspot_areas": [
            {"entity_id": "A1", "period": "all", "events": 9},
            {"entity_id": "A1", "period": "2026Q1", "events": 4},
        ],
    }
    ranking = disrupt_ranking(tables)
    assert ranking is not None and ranking.network_wide and ranking.order == ("a", "b")
    plan = disrupt_plan(tables)
    assert plan is not None and plan.steps == (("a",), ("phone",)) and plan.ties == ((), (("a", "c"),))
    assert plan.objective == "x" and plan.reported[0].largest == (1.0, 0.5, 0.25)
    spots = hotspot_figures(tables)
    assert (spots.gi_flagged, spots.gi_zero_event, spots.hotspot_cells, spots.hotspot_zero_event) == (2, 1, 1, 0)
    assert spots.areas == 1 and spots.area_events == (9,)
    assert spots.busiest_outside == (4, "high-low")
    del tables["network_ranking"]
    fallback = disrupt_ranking(tables)
    assert fallback is not None and not fallback.network_wide  # the per-group ranking, said to be so
