"""Killing an ingest at any point and running it again gives exactly the graph of a clean run."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph import open_store
from synthetic import generate


def _ingest(folder: Path, data: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": f"sqlite:///{data / 'graph.db'}"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "disrupt",
            "ingest",
            str(folder),
            "--quiet",
            "--chunk-size",
            "150",
            "--commit-rows",
            "600",
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _graph(data: Path) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, str, str]]]:
    """Entity ids with kind and properties, link ids with kind, ends and properties."""
    with open_store(f"sqlite:///{data / 'graph.db'}") as store:
        G = store.to_networkx()
        nodes = {n: (d["kind"], repr(sorted((k, repr(v)) for k, v in d.items()))) for n, d in G.nodes(data=True)}
        links = {
            k: (d["kind"], u, v, repr(sorted((a, repr(b)) for a, b in d.items())))
            for u, v, k, d in G.edges(keys=True, data=True)
        }
    return nodes, links


def _rows_done(data: Path) -> int:
    """Rows the run has checkpointed so far (0 before the ledger exists)."""
    try:
        with sqlite3.connect(f"file:{data / 'ingest-ledger.db'}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT coalesce(sum(rows_read), 0) FROM checkpoints").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, str, str]]]]:
    folder = tmp_path_factory.mktemp("crash") / "exports"
    generate(folder, people=2500, seed=5)
    clean = tmp_path_factory.mktemp("clean")
    assert _ingest(folder, clean).wait(timeout=300) == 0
    return folder, _graph(clean), _rows_done(clean)


@pytest.mark.parametrize("attempt", range(3))
def test_sigkill_at_a_random_point_then_a_rerun_gives_the_clean_graph(
    world: tuple[Path, object, int], tmp_path: Path, attempt: int
) -> None:
    folder, clean, total_rows = world
    rng = random.Random(1000 + attempt)
    started = time.perf_counter()
    victim = _ingest(folder, tmp_path)
    target = rng.uniform(0.1, 0.85) * total_rows
    while _rows_done(tmp_path) < target and victim.poll() is None:
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.05))  # somewhere inside the next chunk: reading, mapping or writing
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=60) == -signal.SIGKILL, "the run ended before the kill; the test proved nothing"
    killed_after = time.perf_counter() - started
    assert (tmp_path / "graph.db").exists()
    rerun = _ingest(folder, tmp_path)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read() if rerun.stderr else ""
    assert _graph(tmp_path) == clean, f"killed after {killed_after:.2f} s"
