"""``disrupt analyse`` and ``disrupt results`` on a small demo district (the demo runs the analysis too)."""

from __future__ import annotations

import json

import pytest

from analytics.analysis import RESULT_NAMES
from tests.disrupt.test_cli_ingest import run


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("analyse")
    env = {"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": ""}
    code, out = run("demo", "--people", "2000", "--seed", "2", "--no-serve", env=env)
    assert code == 0, out
    assert "Analysis" in out and "groups" in out
    return env


def test_analyse_saves_every_named_result(env: dict[str, str]) -> None:
    code, out = run("analyse", "--json", env=env)
    assert code == 0, out
    report = json.loads(out)
    assert set(report["rows"]) == set(RESULT_NAMES)
    assert report["rows"]["groups"] >= 1 and report["rows"]["flags"] > 10
    assert report["timings"]["total"] > 0


@pytest.mark.parametrize(
    "name", ["groups", "key_players", "disruption_options", "hotspots", "flags", "child_indicators"]
)
def test_results_prints_each_table_with_ids_and_labels(env: dict[str, str], name: str) -> None:
    code, out = run("results", name, "--json", env=env)
    assert code == 0, out
    table = json.loads(out)
    assert table["name"] == name and table["rows"]
    assert all(row["entity_id"] and row["label"] for row in table["rows"])
    code, out = run("results", name, "--limit", "3", env=env)
    assert code == 0 and name in out


def test_results_of_an_unknown_name_says_what_exists(env: dict[str, str]) -> None:
    code, out = run("results", "nothing_here", env=env)
    assert code != 0
    assert "no result named 'nothing_here'" in out and "groups" in out
